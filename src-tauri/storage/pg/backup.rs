//! Datensicherung on PostgreSQL: the export reads one snapshot (REPEATABLE
//! READ, read only) while others keep writing; a restore replaces every table
//! in one transaction.

use super::customers::{all, upsert, CUSTOMERS, PROJECTS};
use super::entries::write;
use super::invoices::{fetch, write_record};
use super::{db_err, raise_floor, PgStore};
use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};
use crate::storage::{Backup, DataTotals};

impl PgStore {
    /// Everything, as a backup document: one consistent state.
    pub fn export(&self) -> AppResult<Backup> {
        let pool = self.pool();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let settings = super::settings::read(&mut tx).await?;
            let customers = all(&mut *tx, &CUSTOMERS).await?;
            let projects = all(&mut *tx, &PROJECTS).await?;
            // In the order sled keeps them (project, day, id): one backup file
            // whichever database wrote it.
            let entries = super::entries::all_by_project(&mut tx).await?;
            let invoices = fetch(&mut *tx, "ORDER BY id", None).await?;
            super::commit(tx, db_err).await?;
            Ok(Backup::assemble(
                settings, customers, projects, entries, invoices,
            ))
        })
    }

    /// Replaces all data with the backup's, in one transaction.
    pub fn replace_all(&self, b: &Backup) -> AppResult<()> {
        let pool = self.pool();
        let b = b.clone();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            sqlx::query(
                "TRUNCATE invoice_entries, invoices, entries, projects, customers, employees, roles, settings_documents",
            )
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            fill(&mut tx, &b).await?;
            super::entries::commit_entries(tx).await
        })?;
        // A backup of schema 1 names employees only as text.
        self.link_employees().map(|_| ())
    }

    /// The totals as the server counts and sums them (one query).
    pub fn totals(&self) -> AppResult<DataTotals> {
        let pool = self.pool();
        self.run(async move { totals(&pool).await })
    }

    /// „Mehrplatz einrichten“: writes a PC's data into this empty database in
    /// one transaction, and commits only if the server's own counts and sums
    /// equal `expected` (else nothing is written). A database that holds a
    /// firm already is refused (also one another seat filled a moment ago:
    /// the tables are locked first).
    pub fn move_into_empty(&self, b: &Backup, expected: &DataTotals) -> AppResult<DataTotals> {
        let pool = self.pool();
        let b = b.clone();
        let wanted = expected.clone();
        let found = self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            sqlx::query("LOCK TABLE customers, projects, entries, invoices IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let holds: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM entries)",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            if holds {
                return Err(AppError::Rejected(NOT_EMPTY.into()));
            }
            sqlx::query("TRUNCATE invoice_entries, invoices, employees, roles, settings_documents")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            fill(&mut tx, &b).await?;
            let found = totals(&mut *tx).await?;
            if found != wanted {
                // Dropping the transaction rolls it back: nothing written.
                return Ok(found);
            }
            super::entries::commit_entries(tx).await?;
            Ok(found)
        })?;
        if found == *expected {
            self.link_employees()?;
        }
        Ok(found)
    }
}

/// The refusal of a move into a database that holds a firm already.
pub const NOT_EMPTY: &str = "Die Datenbank auf dem Server enthält schon Daten. Um an diesem PC mit ihnen zu arbeiten, „Mit Mehrplatz-Datenbank verbinden“ wählen; um die Daten dieses PCs zu übertragen, eine leere Datenbank angeben. Es wurde nichts verändert.";

/// Writes every record of `b` (into empty tables).
async fn fill(tx: &mut super::Tx, b: &Backup) -> AppResult<()> {
    super::settings::write(tx, &b.settings).await?;
    for c in &b.customers {
        upsert(tx, &CUSTOMERS, c).await?;
    }
    for p in &b.projects {
        upsert(tx, &PROJECTS, p).await?;
    }
    write(tx, &b.entries).await?;
    for r in &b.invoices {
        write_record(tx, r).await?;
    }
    // New ids must not collide with restored ones.
    raise_floor(&mut **tx, b.highest_id()).await
}

/// The counts and sums as the server finds them (one query).
async fn totals<'e, E: sqlx::PgExecutor<'e>>(db: E) -> AppResult<DataTotals> {
    let row: (i64, i64, i64, i64, i64, Decimal, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM customers),
                (SELECT count(*) FROM projects),
                (SELECT count(*) FROM entries WHERE type = 'time'),
                (SELECT count(*) FROM entries WHERE type = 'service'),
                (SELECT coalesce(sum(minutes), 0)::bigint FROM entries WHERE type = 'time'),
                (SELECT coalesce(sum(quantity * unit_price), 0) FROM entries WHERE type = 'service'),
                (SELECT count(*) FROM invoices WHERE state = 'created'),
                (SELECT count(*) FROM invoices)",
    )
    .fetch_one(db)
    .await
    .map_err(db_err)?;
    Ok(DataTotals {
        customers: row.0 as u64,
        projects: row.1 as u64,
        times: row.2 as u64,
        services: row.3 as u64,
        minutes: row.4 as u64,
        service_net: row.5.normalize(),
        drafts: row.6 as u64,
        invoice_records: row.7 as u64,
    })
}
