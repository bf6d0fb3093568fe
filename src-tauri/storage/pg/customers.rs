//! Customers and projects on PostgreSQL.

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Serialize};

use super::table::{bind, col, Table, Ty};
use super::{db_err, sql_state, PgStore, Tx};
use crate::error::{AppError, AppResult};
use crate::model::{Customer, Project};

pub(super) const CUSTOMERS: Table = Table {
    name: "customers",
    cols: &[
        col("id", "id", Ty::Id),
        col("lexoffice_id", "lexofficeId", Ty::Text),
        col("number", "number", Ty::Text),
        col("kind", "kind", Ty::Text),
        col("name", "name", Ty::Text),
        col("contact_person", "contactPerson", Ty::Text),
        col("street", "address/street", Ty::Text),
        col("supplement", "address/supplement", Ty::Text),
        col("zip", "address/zip", Ty::Text),
        col("city", "address/city", Ty::Text),
        col("country_code", "address/countryCode", Ty::Text),
        col("email", "email", Ty::Text),
        col("phone", "phone", Ty::Text),
        col("archived", "archived", Ty::Bool),
        col("source", "source", Ty::Text),
        col("hourly_rate", "hourlyRate", Ty::Numeric),
        col("vat_id", "vatId", Ty::Text),
        col("created_at", "createdAt", Ty::Timestamp),
        col("updated_at", "updatedAt", Ty::Timestamp),
    ],
};

pub(super) const PROJECTS: Table = Table {
    name: "projects",
    cols: &[
        col("id", "id", Ty::Id),
        col("name", "name", Ty::Text),
        col("number", "number", Ty::Text),
        col("customer_id", "customerId", Ty::Id),
        col("parent_id", "parentId", Ty::Id),
        col("hourly_rate", "hourlyRate", Ty::Numeric),
        col("tax_case", "taxCase", Ty::Text),
        col("status", "status", Ty::Text),
        col("created_at", "createdAt", Ty::Timestamp),
        col("updated_at", "updatedAt", Ty::Timestamp),
    ],
};

/// Every row of `t`, by id.
pub(super) async fn all<T: DeserializeOwned>(
    db: impl sqlx::PgExecutor<'_>,
    t: &Table,
) -> AppResult<Vec<T>> {
    let sql = format!("{} ORDER BY id", t.select_sql());
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await
        .map_err(db_err)?;
    rows.iter().map(|r| t.record(r)).collect()
}

async fn one<T: DeserializeOwned>(
    db: impl sqlx::PgExecutor<'_>,
    t: &Table,
    id: u64,
) -> AppResult<Option<T>> {
    let sql = format!("{} WHERE id = $1", t.select_sql());
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id as i64)
        .fetch_optional(db)
        .await
        .map_err(db_err)?;
    row.map(|r| t.record(&r)).transpose()
}

/// Inserts or replaces `record` in `t`.
pub(super) async fn upsert<T: Serialize>(tx: &mut Tx, t: &Table, record: &T) -> AppResult<()> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(t.upsert_sql()));
    for v in t.values(record)? {
        q = bind(q, v);
    }
    q.execute(&mut **tx).await.map_err(|e| refused(t, e))?;
    Ok(())
}

/// A refused write of `t` in German: a broken reference or a duplicate.
pub(super) fn refused(t: &Table, e: sqlx::Error) -> AppError {
    match (sql_state(&e).as_deref(), t.name) {
        (Some("23505"), "customers") => AppError::validation(
            "Kunde",
            "Zu diesem lexoffice-Kontakt gibt es schon einen Kunden.",
        ),
        (Some("23503"), "projects") => AppError::validation(
            "Kunde",
            "Der Kunde oder das Hauptprojekt dieses Projekts existiert nicht mehr.",
        ),
        (Some("23505"), "entries") => AppError::validation("Eintrag", super::super::ROW_TAKEN),
        (Some("23505"), "invoices") => AppError::validation(
            "Rechnung",
            "Dieser lexoffice-Entwurf gehört schon zu einem anderen Rechnungsversuch.",
        ),
        (Some("23503"), "entries") => {
            AppError::validation("Projekt", "Dieses Projekt existiert nicht mehr.")
        }
        _ => db_err(e),
    }
}

impl PgStore {
    fn write_one<T: Serialize + Send + Sync + Clone + 'static>(
        &self,
        t: &'static Table,
        record: &T,
    ) -> AppResult<()> {
        let pool = self.pool();
        let record = record.clone();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            upsert(&mut tx, t, &record).await?;
            super::commit(tx, |e| refused(t, e)).await
        })
    }

    fn delete_one(&self, t: &'static Table, id: u64) -> AppResult<()> {
        let pool = self.pool();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {} WHERE id = $1", t.name)))
                .bind(id as i64)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            super::commit(tx, |e| match sql_state(&e).as_deref() {
                Some("23503") => AppError::validation(
                    if t.name == "customers" { "Kunde" } else { "Projekt" },
                    "Es wird noch verwendet (Projekte oder Einträge verweisen darauf) und bleibt daher.",
                ),
                _ => db_err(e),
            }).await
        })
    }

    /// Replaces the record `id` of `t` only while it is still the version the
    /// user opened (`seen`, its `updatedAt`, compared to the microsecond the
    /// server keeps): the row is locked, so a write in between refuses too.
    fn replace_unchanged_since<T: Serialize + Send + Sync + Clone + 'static>(
        &self,
        t: &'static Table,
        id: u64,
        record: &T,
        seen: DateTime<Utc>,
        (_, what): (&'static str, &'static str),
    ) -> AppResult<()> {
        let pool = self.pool();
        let record = record.clone();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            let sql = format!("SELECT updated_at FROM {} WHERE id = $1 FOR UPDATE", t.name);
            let stored: Option<DateTime<Utc>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(id as i64)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            match stored {
                Some(at) if at.timestamp_micros() == seen.timestamp_micros() => {}
                _ => return Err(super::super::changed_since(what)),
            }
            upsert(&mut tx, t, &record).await?;
            super::commit(tx, |e| refused(t, e)).await
        })
    }

    pub fn customers(&self) -> AppResult<Vec<Customer>> {
        let pool = self.pool();
        self.run(async move { all(&pool, &CUSTOMERS).await })
    }

    pub fn customer(&self, id: u64) -> AppResult<Option<Customer>> {
        let pool = self.pool();
        self.run(async move { one(&pool, &CUSTOMERS, id).await })
    }

    pub fn put_customer(&self, c: &Customer) -> AppResult<()> {
        self.write_one(&CUSTOMERS, c)
    }

    pub fn save_customer_unchanged_since(
        &self,
        c: &Customer,
        seen: DateTime<Utc>,
    ) -> AppResult<()> {
        self.replace_unchanged_since(&CUSTOMERS, c.id, c, seen, ("Kunde", "Der Kunde"))
    }

    pub fn delete_customer(&self, id: u64) -> AppResult<()> {
        self.delete_one(&CUSTOMERS, id)
    }

    /// A set of changes at once: `change` sees each current record (None for
    /// new ids, the rows locked meanwhile) and returns the record to store.
    pub fn update_customers_atomically(
        &self,
        ids: &[u64],
        change: impl Fn(u64, Option<Customer>) -> Option<Customer>,
    ) -> AppResult<()> {
        let tx = self.begin()?;
        let wanted: Vec<i64> = ids.iter().map(|i| *i as i64).collect();
        let (tx, current) = self.run(async move {
            let mut tx = tx;
            let sql = format!(
                "{} WHERE id = ANY($1) ORDER BY id FOR UPDATE",
                CUSTOMERS.select_sql()
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(wanted)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?;
            let found: AppResult<Vec<Customer>> =
                rows.iter().map(|r| CUSTOMERS.record(r)).collect();
            Ok((tx, found?))
        })?;
        let mut next = Vec::new();
        for id in ids {
            let now = current.iter().find(|c| c.id == *id).cloned();
            if let Some(c) = change(*id, now) {
                next.push(c);
            }
        }
        self.run(async move {
            let mut tx = tx;
            for c in &next {
                upsert(&mut tx, &CUSTOMERS, c).await?;
            }
            super::commit(tx, |e| refused(&CUSTOMERS, e)).await
        })
    }

    pub fn projects(&self) -> AppResult<Vec<Project>> {
        let pool = self.pool();
        self.run(async move { all(&pool, &PROJECTS).await })
    }

    pub fn project(&self, id: u64) -> AppResult<Option<Project>> {
        let pool = self.pool();
        self.run(async move { one(&pool, &PROJECTS, id).await })
    }

    pub fn put_project(&self, p: &Project) -> AppResult<()> {
        self.write_one(&PROJECTS, p)
    }

    pub fn save_project_unchanged_since(&self, p: &Project, seen: DateTime<Utc>) -> AppResult<()> {
        self.replace_unchanged_since(&PROJECTS, p.id, p, seen, ("Projekt", "Das Projekt"))
    }

    pub fn delete_project_record(&self, id: u64) -> AppResult<()> {
        self.delete_one(&PROJECTS, id)
    }
}
