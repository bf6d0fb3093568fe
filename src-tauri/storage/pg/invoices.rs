//! Invoice attempts on PostgreSQL: `invoices` and their entries in
//! `invoice_entries` (an entry is on one live attempt at most: a unique
//! index). Reserving, settling and releasing lock the attempt's row and its
//! entries' rows in one transaction, so two seats never hold the same entry.

use chrono::{DateTime, Utc};

use super::customers::upsert;
use super::entries::{lock, write};
use super::table::{col, Table, Ty};
use super::{db_err, sql_state, PgStore, Tx};
use crate::error::{AppError, AppResult};
use crate::model::{BillingState, InvoiceRecord, InvoiceState};

pub(super) const INVOICES: Table = Table {
    name: "invoices",
    cols: &[
        col("id", "id", Ty::Id),
        col("project_id", "projectId", Ty::Id),
        col("contact_id", "contactId", Ty::Text),
        col("lexoffice_id", "lexofficeId", Ty::Text),
        col("state", "state/state", Ty::Text),
        col("state_reason", "state/reason", Ty::Text),
        col("period_from", "periodFrom", Ty::Date),
        col("period_to", "periodTo", Ty::Date),
        col("net", "net", Ty::Amount),
        col("gross", "gross", Ty::Amount),
        col("created_at", "createdAt", Ty::Timestamp),
        col("updated_at", "updatedAt", Ty::Timestamp),
    ],
};

/// The attempts a condition selects, each with its entries in order.
pub(super) async fn fetch(
    db: impl sqlx::PgExecutor<'_>,
    condition: &str,
    id: Option<u64>,
) -> AppResult<Vec<InvoiceRecord>> {
    let sql = format!(
        "SELECT {}, {}, ARRAY(SELECT entry_id FROM invoice_entries x WHERE x.invoice_id = invoices.id ORDER BY position) FROM invoices {condition}",
        INVOICES
            .cols
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", "),
        super::table::DETAILS
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = id {
        q = q.bind(id as i64);
    }
    let rows = q.fetch_all(db).await.map_err(db_err)?;
    rows.iter()
        .map(|r| {
            use sqlx::Row;
            let ids: Vec<i64> = r.try_get(INVOICES.cols.len() + 1).map_err(db_err)?;
            let mut obj = INVOICES.object(r)?;
            obj.insert(
                "entryIds".into(),
                serde_json::Value::from(ids.into_iter().map(|i| i as u64).collect::<Vec<_>>()),
            );
            INVOICES.record_of(obj)
        })
        .collect()
}

/// Writes `r` and its entry list in `tx`.
pub(super) async fn write_record(tx: &mut Tx, r: &InvoiceRecord) -> AppResult<()> {
    let mut without = r.clone();
    without.entry_ids = Vec::new();
    upsert(tx, &INVOICES, &without).await?;
    sqlx::query("DELETE FROM invoice_entries WHERE invoice_id = $1")
        .bind(r.id as i64)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let live = !matches!(r.state, InvoiceState::Released { .. });
    for (i, e) in r.entry_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_entries (invoice_id, position, entry_id, live) VALUES ($1, $2, $3, $4)",
        )
        .bind(r.id as i64)
        .bind(i as i32)
        .bind(*e as i64)
        .bind(live)
        .execute(&mut **tx)
        .await
        .map_err(taken)?;
    }
    Ok(())
}

/// An entry already on another live attempt (the unique index), in German.
fn taken(e: sqlx::Error) -> AppError {
    match sql_state(&e).as_deref() {
        Some("23505") => AppError::validation("Rechnung", super::super::ENTRIES_TAKEN),
        _ => db_err(e),
    }
}

impl PgStore {
    pub fn invoice_records(&self) -> AppResult<Vec<InvoiceRecord>> {
        let pool = self.pool();
        self.run(async move { fetch(&pool, "ORDER BY id", None).await })
    }

    pub fn invoice_record(&self, id: u64) -> AppResult<Option<InvoiceRecord>> {
        let pool = self.pool();
        self.run(async move { Ok(fetch(&pool, "WHERE id = $1", Some(id)).await?.pop()) })
    }

    pub fn put_invoice_record(&self, r: &InvoiceRecord) -> AppResult<()> {
        let pool = self.pool();
        let r = r.clone();
        self.run(async move {
            let mut tx = pool.begin().await.map_err(db_err)?;
            write_record(&mut tx, &r).await?;
            super::commit(tx, taken).await
        })
    }

    /// The attempt's row and its entries' rows locked in one transaction; the
    /// caller's rules decide in between; all or nothing.
    pub fn transition_invoice_from(
        &self,
        record: &InvoiceRecord,
        expect: impl Fn(Option<&InvoiceRecord>) -> bool,
        billing: BillingState,
        only_if: impl Fn(&BillingState) -> bool,
        require_all: bool,
    ) -> AppResult<()> {
        let refuse = |m: String| AppError::validation("Rechnung", m);
        let tx = self.begin()?;
        let (id, ids) = (record.id, record.entry_ids.clone());
        let (tx, stored, entries, drafts) = self.run(async move {
            let mut tx = tx;
            let stored = fetch(&mut *tx, "WHERE id = $1 FOR UPDATE", Some(id))
                .await?
                .pop();
            // A reservation does not wait for entries another seat is
            // reserving this moment (in id order, so two seats never deadlock).
            let entries = if require_all {
                match super::entries::lock_nowait(&mut tx, &ids).await {
                    Ok(e) => e,
                    Err(e) if sql_state(&e).as_deref() == Some("55P03") => {
                        let _ = tx.rollback().await;
                        return Err(refuse(super::super::IN_FLIGHT_ELSEWHERE.into()));
                    }
                    Err(e) => return Err(db_err(e)),
                }
            } else {
                lock(&mut tx, &ids).await?
            };
            // When the drafts that bill some of them were made (for the refusal).
            let billed: Vec<String> = entries
                .iter()
                .filter_map(|e| match &e.billing {
                    BillingState::Billed { invoice_id } => Some(invoice_id.clone()),
                    _ => None,
                })
                .collect();
            let drafts: Vec<(Option<String>, DateTime<Utc>)> = if billed.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(
                    "SELECT lexoffice_id, created_at FROM invoices WHERE lexoffice_id = ANY($1) ORDER BY created_at",
                )
                .bind(billed)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?
            };
            Ok((tx, stored, entries, drafts))
        })?;
        let decided = (|| {
            if !expect(stored.as_ref()) {
                return Err(refuse(super::super::ATTEMPT_SETTLED.into()));
            }
            let now = crate::de::clock::now();
            let mut changed = Vec::new();
            for id in &record.entry_ids {
                let Some(e) = entries.iter().find(|e| e.id == *id) else {
                    if require_all {
                        return Err(refuse(super::super::entry_gone(*id)));
                    }
                    continue;
                };
                if !only_if(&e.billing) {
                    if require_all {
                        // Another seat has them: in flight, or billed already.
                        return Err(refuse(match &e.billing {
                            BillingState::Billed { .. } => {
                                super::super::billed_elsewhere(drafts.first().map(|(_, at)| *at))
                            }
                            _ => super::super::IN_FLIGHT_ELSEWHERE.into(),
                        }));
                    }
                    continue;
                }
                let mut e = e.clone();
                e.billing = billing.clone();
                e.updated_at = now;
                changed.push(e);
            }
            Ok(changed)
        })();
        let changed = match decided {
            Ok(c) => c,
            Err(e) => {
                self.abandon(tx);
                return Err(e);
            }
        };
        // The crash tests: a seat dies with the rows locked, nothing committed.
        if require_all {
            crate::failpoint::hit("invoice.reserving");
        }
        let record = record.clone();
        self.run(async move {
            let mut tx = tx;
            write(&mut tx, &changed).await?;
            write_record(&mut tx, &record).await?;
            super::commit(tx, taken).await
        })
    }
}
