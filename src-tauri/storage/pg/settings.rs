//! The settings on PostgreSQL: the settings proper and the Leistungskatalog
//! as documents (`settings_documents`), employees and roles as rows.

use serde_json::Value;

use super::table::{bind, col, Table, Ty};
use super::{db_err, PgStore, Tx};
use crate::error::AppResult;
use crate::model::{Employee, Role, Settings};

pub(super) const ROLES: Table = Table {
    name: "roles",
    cols: &[
        col("id", "id", Ty::Id),
        col("name", "name", Ty::Text),
        col("hourly_rate", "hourlyRate", Ty::Numeric),
    ],
};

pub(super) const EMPLOYEES: Table = Table {
    name: "employees",
    cols: &[
        col("id", "id", Ty::Id),
        col("name", "name", Ty::Text),
        col("role_id", "roleId", Ty::Id),
        col("hourly_rate", "hourlyRate", Ty::Numeric),
        col("active", "active", Ty::Bool),
    ],
};

/// Everything the settings are made of, read in `tx` (or the pool).
pub(super) async fn read(tx: &mut Tx) -> AppResult<Settings> {
    let docs: Vec<(String, sqlx::types::Json<Value>)> =
        sqlx::query_as("SELECT name, doc FROM settings_documents")
            .fetch_all(&mut **tx)
            .await
            .map_err(db_err)?;
    let (mut proper, mut catalog) = (None, None);
    for (name, sqlx::types::Json(doc)) in docs {
        match name.as_str() {
            "settings" => proper = Some(doc),
            "catalog" => catalog = Some(doc),
            _ => {}
        }
    }
    let mut s: Settings = match proper {
        Some(doc) => serde_json::from_value(doc)?,
        None => Settings::default(),
    };
    if let Some(doc) = catalog {
        s.catalog = serde_json::from_value(doc)?;
    }
    s.employees = rows(tx, &EMPLOYEES).await?;
    s.roles = rows(tx, &ROLES).await?;
    Ok(s)
}

async fn rows<T: serde::de::DeserializeOwned>(tx: &mut Tx, t: &Table) -> AppResult<Vec<T>> {
    let sql = format!("{} ORDER BY position", t.select_sql());
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
    found.iter().map(|r| t.record(r)).collect()
}

/// Writes the settings' parts in `tx` (the lists replaced whole, in order).
pub(super) async fn write(tx: &mut Tx, s: &Settings) -> AppResult<()> {
    let mut proper = s.clone();
    proper.employees = Vec::new();
    proper.roles = Vec::new();
    proper.catalog = Vec::new();
    for (name, doc) in [
        ("settings", serde_json::to_value(&proper)?),
        ("catalog", serde_json::to_value(&s.catalog)?),
    ] {
        sqlx::query(
            "INSERT INTO settings_documents (name, doc, updated_at) VALUES ($1, $2, now())
             ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()",
        )
        .bind(name)
        .bind(sqlx::types::Json(doc))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    replace_rows(tx, &EMPLOYEES, &s.employees).await?;
    replace_rows(tx, &ROLES, &s.roles).await
}

async fn replace_rows<T: serde::Serialize>(tx: &mut Tx, t: &Table, list: &[T]) -> AppResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", t.name)))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let sql = t.insert_sql(&["position"]);
    for (i, item) in list.iter().enumerate() {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(i as i32);
        for v in t.values(item)? {
            q = bind(q, v);
        }
        q.execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

impl PgStore {
    pub fn settings(&self) -> AppResult<Settings> {
        let pool = self.pool();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            read(&mut tx).await
        })
    }

    pub fn employees(&self) -> AppResult<Vec<Employee>> {
        let pool = self.pool();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            rows(&mut tx, &EMPLOYEES).await
        })
    }

    pub fn roles(&self) -> AppResult<Vec<Role>> {
        let pool = self.pool();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            rows(&mut tx, &ROLES).await
        })
    }

    /// Read-modify-write of the settings: one at a time across every seat (a
    /// transaction-scoped advisory lock), all parts in one transaction.
    /// The settings changed by `change` under a transaction-scoped lock;
    /// `change` may refuse, and then nothing is written.
    pub fn try_update_settings(
        &self,
        change: impl FnOnce(&mut Settings) -> AppResult<()>,
    ) -> AppResult<Settings> {
        let tx = self.begin()?;
        let (tx, mut s) = self.run(async move {
            let mut tx = tx;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext('zeitrechnung.settings'))")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let s = read(&mut tx).await?;
            Ok((tx, s))
        })?;
        if let Err(e) = change(&mut s) {
            self.abandon(tx);
            return Err(e);
        }
        let written = s.clone();
        self.run(async move {
            let mut tx = tx;
            write(&mut tx, &written).await?;
            super::commit(tx, db_err).await
        })?;
        Ok(s)
    }
}

impl super::super::staff::StaffStore for PgStore {
    fn employees(&self) -> AppResult<Vec<Employee>> {
        PgStore::employees(self)
    }
    fn next_id(&self) -> AppResult<u64> {
        PgStore::next_id(self)
    }
    fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> AppResult<Settings> {
        PgStore::try_update_settings(self, super::super::staff::infallible(change))
    }
}
