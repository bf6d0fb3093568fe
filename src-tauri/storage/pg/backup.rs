//! Datensicherung on PostgreSQL: the export reads one snapshot (REPEATABLE
//! READ, read only) while others keep writing; a restore replaces every table
//! in one transaction.

use super::customers::{all, upsert, CUSTOMERS, PROJECTS};
use super::entries::write;
use super::invoices::{fetch, write_record};
use super::{db_err, raise_floor, PgStore};
use crate::error::AppResult;
use crate::storage::Backup;

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
            tx.commit().await.map_err(db_err)?;
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
            super::settings::write(&mut tx, &b.settings).await?;
            for c in &b.customers {
                upsert(&mut tx, &CUSTOMERS, c).await?;
            }
            for p in &b.projects {
                upsert(&mut tx, &PROJECTS, p).await?;
            }
            write(&mut tx, &b.entries).await?;
            for r in &b.invoices {
                write_record(&mut tx, r).await?;
            }
            // New ids must not collide with restored ones.
            raise_floor(&mut *tx, b.highest_id()).await?;
            super::entries::commit_entries(tx).await
        })?;
        // A backup of schema 1 names employees only as text.
        self.link_employees().map(|_| ())
    }
}
