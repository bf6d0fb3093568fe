//! Times and services on PostgreSQL (table `entries`).

use chrono::{DateTime, NaiveDate, Utc};

use super::customers::upsert;
use super::table::{col, Table, Ty};
use super::{db_err, PgStore, Tx};
use crate::error::{AppError, AppResult};
use crate::model::{BillingState, Entry, EntryKind, ServiceArt};
use sqlx::postgres::PgRow;
use sqlx::ValueRef;

pub(super) const ENTRIES: Table = Table {
    name: "entries",
    cols: &[
        col("id", "id", Ty::Id),
        col("project_id", "projectId", Ty::Id),
        col("date", "date", Ty::Date),
        col("type", "type", Ty::Text),
        col("description", "description", Ty::Text),
        col("billable", "billable", Ty::Bool),
        col("billing_state", "billing/state", Ty::Text),
        col("billing_attempt", "billing/attempt", Ty::Text),
        col("billing_invoice", "billing/invoiceId", Ty::Text),
        col("employee", "employee", Ty::Text),
        col("employee_id", "employeeId", Ty::Id),
        col("start_time", "start", Ty::Time),
        col("end_time", "end", Ty::Time),
        col("break_minutes", "breakMinutes", Ty::Int),
        col("minutes", "minutes", Ty::Int),
        col("name", "name", Ty::Text),
        col("quantity", "quantity", Ty::Numeric),
        col("unit", "unit", Ty::Text),
        col("unit_price", "unitPrice", Ty::Numeric),
        col("tax_rate", "taxRate", Ty::Numeric),
        col("art", "art", Ty::Text),
        col("csv_fingerprint", "csvFingerprint", Ty::Id),
        col("created_at", "createdAt", Ty::Timestamp),
        col("updated_at", "updatedAt", Ty::Timestamp),
    ],
};

/// PostgreSQL's dates end where chrono's do not: an open end of a range is
/// the first or last day it can hold.
fn clamp(d: NaiveDate) -> NaiveDate {
    let lo = NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
    let hi = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    d.clamp(lo, hi)
}

/// The entries a query selects, decoded.
async fn fetch(
    db: impl sqlx::PgExecutor<'_>,
    condition: &str,
    bind: impl FnOnce(
        sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
) -> AppResult<Vec<Entry>> {
    let sql = format!("{} {condition}", ENTRIES.select_sql());
    let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(db)
        .await
        .map_err(db_err)?;
    rows.iter().map(decode).collect()
}

/// A row of `ENTRIES.select_sql()` as its record. The common row — nothing in
/// `details` — goes straight from its columns into the record (3× faster
/// than through the JSON form, docs/benchmarks.md › PostgreSQL); any other
/// row, or a value this does not know, takes the generic way
/// (`Table::record`), which is the rule both follow.
fn decode(row: &PgRow) -> AppResult<Entry> {
    use sqlx::Row;
    if !row
        .try_get_raw(ENTRIES.cols.len())
        .map_err(db_err)?
        .is_null()
    {
        return ENTRIES.record(row);
    }
    let fast = || -> Result<Option<Entry>, sqlx::Error> {
        let billing = match row.try_get::<&str, _>(6)? {
            "open" => BillingState::Open,
            "reserved" => BillingState::Reserved {
                attempt: row.try_get(7)?,
            },
            "billed" => BillingState::Billed {
                invoice_id: row.try_get(8)?,
            },
            _ => return Ok(None),
        };
        let kind = match row.try_get::<&str, _>(3)? {
            "time" => EntryKind::Time {
                employee: row.try_get(9)?,
                employee_id: row.try_get::<Option<i64>, _>(10)?.map(|x| x as u64),
                start: row.try_get(11)?,
                end: row.try_get(12)?,
                break_minutes: row.try_get::<i32, _>(13)? as u32,
                minutes: row.try_get::<i32, _>(14)? as u32,
            },
            "service" => EntryKind::Service {
                name: row.try_get(15)?,
                quantity: row.try_get(16)?,
                unit: row.try_get(17)?,
                unit_price: row.try_get(18)?,
                tax_rate: row.try_get(19)?,
                art: match row.try_get::<Option<&str>, _>(20)? {
                    None => None,
                    Some("arbeit") => Some(ServiceArt::Arbeit),
                    Some("material") => Some(ServiceArt::Material),
                    Some("fahrt") => Some(ServiceArt::Fahrt),
                    Some(_) => return Ok(None),
                },
                article: None,
            },
            _ => return Ok(None),
        };
        Ok(Some(Entry {
            id: row.try_get::<i64, _>(0)? as u64,
            project_id: row.try_get::<i64, _>(1)? as u64,
            date: row.try_get(2)?,
            description: row.try_get(4)?,
            billable: row.try_get(5)?,
            billing,
            kind,
            csv_fingerprint: row.try_get::<Option<i64>, _>(21)?.map(|x| x as u64),
            created_at: row.try_get(22)?,
            updated_at: row.try_get(23)?,
        }))
    };
    match fast() {
        Ok(Some(e)) => Ok(e),
        // NULL where a record needs a value, or a text this does not know.
        Ok(None) | Err(_) => ENTRIES.record(row),
    }
}

/// The stored entries `ids` in `tx`, locked until it ends, in id order.
pub(super) async fn lock(tx: &mut Tx, ids: &[u64]) -> AppResult<Vec<Entry>> {
    let ids: Vec<i64> = ids.iter().map(|i| *i as i64).collect();
    fetch(
        &mut **tx,
        "WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        |q| q.bind(ids),
    )
    .await
}

/// As `lock`, but an entry another transaction holds (another seat reserving
/// it this moment) is not waited for: SQLSTATE 55P03, which the caller turns
/// into „… werden gerade an einem anderen Arbeitsplatz abgerechnet …“.
pub(super) async fn lock_nowait(tx: &mut Tx, ids: &[u64]) -> Result<Vec<Entry>, sqlx::Error> {
    let ids: Vec<i64> = ids.iter().map(|i| *i as i64).collect();
    let sql = format!(
        "{} WHERE id = ANY($1) ORDER BY id FOR UPDATE NOWAIT",
        ENTRIES.select_sql()
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(&mut **tx)
        .await?;
    // A row that does not decode is no lock conflict: the generic way says why.
    rows.iter()
        .map(|r| decode(r).map_err(|e| sqlx::Error::Protocol(e.to_string())))
        .collect()
}

/// Every entry, by project, day and id.
pub(super) async fn all_by_project(tx: &mut Tx) -> AppResult<Vec<Entry>> {
    fetch(&mut **tx, "ORDER BY project_id, date, id", |q| q).await
}

/// Writes `entries` in `tx`; a CSV row another entry holds refuses the write.
pub(super) async fn write(tx: &mut Tx, entries: &[Entry]) -> AppResult<()> {
    for e in entries {
        upsert(tx, &ENTRIES, e).await?;
    }
    Ok(())
}

impl PgStore {
    fn entries_where(
        &self,
        condition: &'static str,
        args: (
            Option<u64>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<i64>,
        ),
    ) -> AppResult<Vec<Entry>> {
        let pool = self.pool();
        self.run(async move {
            fetch(&pool, condition, |mut q| {
                if let Some(p) = args.0 {
                    q = q.bind(p as i64);
                }
                if let Some(d) = args.1 {
                    q = q.bind(d);
                }
                if let Some(d) = args.2 {
                    q = q.bind(d);
                }
                if let Some(n) = args.3 {
                    q = q.bind(n);
                }
                q
            })
            .await
        })
    }

    /// Entries of one project (not its subprojects) with from ≤ date ≤ to, by date.
    pub fn entries_in(
        &self,
        project_id: u64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Entry>> {
        self.entries_where(
            "WHERE project_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date, id",
            (Some(project_id), Some(clamp(from)), Some(clamp(to)), None),
        )
    }

    /// `entries_in` of several projects in one query, project by project in
    /// the order given, each by date.
    pub fn entries_in_projects(
        &self,
        project_ids: &[u64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Entry>> {
        let ids: Vec<i64> = project_ids.iter().map(|i| *i as i64).collect();
        let (from, to) = (clamp(from), clamp(to));
        let pool = self.pool();
        self.run(async move {
            fetch(
                &pool,
                "WHERE project_id = ANY($1) AND date BETWEEN $2 AND $3
                 ORDER BY array_position($1, project_id), date, id",
                |q| q.bind(ids).bind(from).bind(to),
            )
            .await
        })
    }

    /// The newest `limit` entries of one project with from ≤ date ≤ to (newest first).
    pub fn newest_entries_in(
        &self,
        project_id: u64,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> AppResult<Vec<Entry>> {
        self.entries_where(
            "WHERE project_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date DESC, id DESC LIMIT $4",
            (
                Some(project_id),
                Some(clamp(from)),
                Some(clamp(to)),
                Some(i64::try_from(limit).unwrap_or(i64::MAX)),
            ),
        )
    }

    pub fn entries_of(&self, project_id: u64) -> AppResult<Vec<Entry>> {
        self.entries_where(
            "WHERE project_id = $1 ORDER BY date, id",
            (Some(project_id), None, None, None),
        )
    }

    pub fn entry(&self, id: u64) -> AppResult<Option<Entry>> {
        Ok(self
            .entries_where("WHERE id = $1", (Some(id), None, None, None))?
            .pop())
    }

    /// The entries of several projects at once, in the order of `project_ids`,
    /// each project's by date.
    pub fn entries_of_projects(&self, project_ids: &[u64]) -> AppResult<Vec<Entry>> {
        let ids: Vec<i64> = project_ids.iter().map(|i| *i as i64).collect();
        let pool = self.pool();
        self.run(async move {
            fetch(
                &pool,
                "WHERE project_id = ANY($1) ORDER BY array_position($1, project_id), date, id",
                |q| q.bind(ids),
            )
            .await
        })
    }

    /// The entries with these ids that exist, in the order asked.
    pub fn entries_by_ids(&self, ids: &[u64]) -> AppResult<Vec<Entry>> {
        let wanted: Vec<i64> = ids.iter().map(|i| *i as i64).collect();
        let pool = self.pool();
        let found =
            self.run(async move { fetch(&pool, "WHERE id = ANY($1)", |q| q.bind(wanted)).await })?;
        Ok(ids
            .iter()
            .filter_map(|id| found.iter().find(|e| e.id == *id).cloned())
            .collect())
    }

    pub fn put_entries(&self, entries: &[Entry]) -> AppResult<()> {
        self.put_entries_checked(entries, false)
    }

    /// As `put_entries`, but nothing is written if an entry being replaced is
    /// no longer open: edits never undo a reservation or a billing.
    pub fn put_entries_if_open(&self, entries: &[Entry]) -> AppResult<()> {
        self.put_entries_checked(entries, true)
    }

    fn put_entries_checked(&self, entries: &[Entry], only_open: bool) -> AppResult<()> {
        let pool = self.pool();
        let entries = entries.to_vec();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            if only_open {
                let ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
                if lock(&mut tx, &ids).await?.iter().any(Entry::is_locked) {
                    return Err(AppError::validation("Eintrag", super::super::LOCKED));
                }
            }
            write(&mut tx, &entries).await?;
            commit_entries(tx).await
        })
    }

    /// Writes all of `entries` only if each stored one is still the version
    /// `seen` names (same order), whatever its billing state: the rows locked
    /// `FOR UPDATE`, so a reservation or an edit at another seat waits or wins.
    pub fn put_entries_unchanged_since(
        &self,
        entries: &[Entry],
        seen: &[DateTime<Utc>],
    ) -> AppResult<()> {
        let pool = self.pool();
        let entries = entries.to_vec();
        let seen: std::collections::HashMap<u64, i64> = entries
            .iter()
            .zip(seen)
            .map(|(e, t)| (e.id, t.timestamp_micros()))
            .collect();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            let ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
            let current = lock(&mut tx, &ids).await?;
            let unchanged = current.len() == entries.len()
                && current
                    .iter()
                    .all(|c| seen.get(&c.id) == Some(&c.updated_at.timestamp_micros()));
            if !unchanged {
                return Err(AppError::Changed(super::super::CHANGED.into()));
            }
            write(&mut tx, &entries).await?;
            commit_entries(tx).await
        })
    }

    /// Saves an edit only if the stored entry is still the version the user
    /// opened and still open.
    pub fn save_entry_unchanged_since(&self, e: &Entry, seen: DateTime<Utc>) -> AppResult<()> {
        let pool = self.pool();
        let e = e.clone();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            let current = lock(&mut tx, &[e.id]).await?;
            let Some(current) = current.first() else {
                return Err(AppError::Changed(super::super::CHANGED.into()));
            };
            if current.is_locked() {
                return Err(AppError::validation("Eintrag", super::super::LOCKED));
            }
            if current.updated_at.timestamp_micros() != seen.timestamp_micros() {
                return Err(AppError::Changed(super::super::CHANGED.into()));
            }
            write(&mut tx, std::slice::from_ref(&e)).await?;
            commit_entries(tx).await
        })
    }

    /// Deletes entries at once; nothing is deleted if one is reserved or billed.
    pub fn delete_entries(&self, ids: &[u64]) -> AppResult<()> {
        let pool = self.pool();
        let ids = ids.to_vec();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            if lock(&mut tx, &ids).await?.iter().any(Entry::is_locked) {
                return Err(AppError::validation("Eintrag", super::super::LOCKED));
            }
            let wanted: Vec<i64> = ids.iter().map(|i| *i as i64).collect();
            sqlx::query("DELETE FROM entries WHERE id = ANY($1)")
                .bind(wanted)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            commit_entries(tx).await
        })
    }

    pub fn entry_count(&self) -> usize {
        self.count("SELECT count(*) FROM entries")
    }

    pub fn csv_row_count(&self) -> usize {
        self.count("SELECT count(*) FROM entries WHERE csv_fingerprint IS NOT NULL")
    }

    fn count(&self, sql: &'static str) -> usize {
        let pool = self.pool();
        self.run(async move {
            let n: i64 = sqlx::query_scalar(sql)
                .fetch_one(&pool)
                .await
                .map_err(db_err)?;
            Ok(n as usize)
        })
        .unwrap_or_else(|e| {
            log::warn!("Zählen fehlgeschlagen: {e}");
            0
        })
    }

    pub fn csv_row_known(&self, fingerprint: u64) -> AppResult<bool> {
        let pool = self.pool();
        self.run(async move {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM entries WHERE csv_fingerprint = $1)")
                .bind(fingerprint as i64)
                .fetch_one(&pool)
                .await
                .map_err(db_err)
        })
    }

    /// Links every time entry with a name but no employee to the employee of
    /// that name (creating employees as needed); returns how many were linked.
    pub fn link_employees(&self) -> AppResult<usize> {
        let unlinked = self.entries_where(
            "WHERE type = 'time' AND employee_id IS NULL AND btrim(employee) <> '' ORDER BY id",
            (None, None, None, None),
        )?;
        if unlinked.is_empty() {
            return Ok(0);
        }
        let ids = super::super::staff::ensure_employees(
            self,
            unlinked.iter().map(|e| match &e.kind {
                EntryKind::Time { employee, .. } => employee.as_str(),
                EntryKind::Service { .. } => "",
            }),
        )?;
        let mut linked = unlinked.clone();
        for e in &mut linked {
            if let EntryKind::Time {
                employee,
                employee_id,
                ..
            } = &mut e.kind
            {
                *employee_id = ids
                    .get(&crate::model::name_key(employee))
                    .map(|(id, _)| *id);
            }
        }
        let n = linked.len();
        self.put_entries(&linked)?;
        Ok(n)
    }
}

/// Commits a transaction that wrote entries (a reference checked at COMMIT
/// refuses in German).
pub(super) async fn commit_entries(tx: Tx) -> AppResult<()> {
    super::commit(tx, |e| super::customers::refused(&ENTRIES, e)).await
}
