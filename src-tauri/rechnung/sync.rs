//! „Mit lexoffice abgleichen“: what became of every draft the app created
//! (docs/architecture.md › Abgleich). lexoffice's webhooks need a public
//! server, so the app polls:
//!
//! 1. one walk of `GET /v1/voucherlist?voucherType=invoice&voucherStatus=any&updatedDateFrom=…`
//!    from the oldest creation day of the drafts still followed (a draft's
//!    `updatedDate` is never before its `createdDate`, so every one that still
//!    exists is listed — also when an `open` invoice only became `overdue`,
//!    which lexoffice computes when read);
//! 2. a `GET /v1/invoices/{id}` only for a followed draft the list did not show
//!    (deletions are not listed; offset paging may also skip a row that moved):
//!    404 = deleted, its entries are open again.
//!
//! Paid and voided invoices are no longer followed. Runs at start, every 15
//! minutes, when the Abrechnung tab or a project's history opens, and on the
//! button; one at a time; never on the UI thread.

use std::sync::Mutex;

use super::*;

/// What the sync last achieved and the drafts it saw missing (its single
/// flight and „Abbrechen“ are `core.sync`, a `core::Job`).
#[derive(Default)]
pub struct SyncTracker {
    status: Mutex<SyncStatus>,
    /// Record → the first 404 look of this run (lexoffice's clock, local
    /// monotonic time), for `rechnung::missing`.
    missing: Mutex<HashMap<u64, (DateTime<Utc>, std::time::Instant)>>,
}

/// Where the sync stands (domain; `SyncView` is what the UI shows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    pub running: bool,
    /// Pages of the voucher list read, of how many.
    pub page: u32,
    pub pages: u32,
    /// PC time of the last complete sync (shown only, never compared with lexoffice).
    pub last_ok: Option<DateTime<Utc>>,
    /// Why the last try failed (German); None after a success.
    pub problem: Option<String>,
    /// The last try failed for want of a connection: retry soon.
    pub offline: bool,
}

/// One sync's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Drafts whose status, number or open amount changed.
    pub changed: usize,
    /// Drafts deleted in lexoffice, their entries open again.
    pub freed: usize,
    /// Drafts lexoffice did not show this time, not yet counted as deleted
    /// (`rechnung::missing`): their entries stay on the draft.
    pub unseen: usize,
    /// `GET /v1/voucherlist` pages and `GET /v1/invoices/{id}` calls made.
    pub pages: u32,
    pub single_looks: u32,
}

/// The status line of „Mit lexoffice abgleichen“.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub running: bool,
    /// `running`, `ok`, `offline`, `error`, `never`.
    pub state: &'static str,
    pub text: String,
}

/// This run's sync status and the 404 looks of the drafts lexoffice did not
/// show (feature state `Core` keeps by type; its single flight is `core.sync`).
pub fn tracker(core: &Core) -> std::sync::Arc<SyncTracker> {
    core.feature::<SyncTracker>()
}

impl SyncTracker {
    fn set(&self, change: impl FnOnce(&mut SyncStatus)) {
        change(&mut self.status.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn view(&self) -> SyncView {
        sync_view(&self.status())
    }

    fn missing(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<u64, (DateTime<Utc>, std::time::Instant)>> {
        self.missing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first 404 of `record` in this run: lexoffice's clock and ours.
    pub(super) fn first_missing(&self, record: u64) -> Option<(DateTime<Utc>, std::time::Instant)> {
        self.missing().get(&record).copied()
    }

    pub(super) fn note_missing(&self, record: u64, server: DateTime<Utc>, at: std::time::Instant) {
        self.missing().entry(record).or_insert((server, at));
    }

    pub(super) fn forget_missing(&self, record: u64) {
        self.missing().remove(&record);
    }
}

pub fn sync_view(s: &SyncStatus) -> SyncView {
    let (state, text) = if s.running {
        let text = if s.pages > 1 {
            format!(
                "Abgleich mit lexoffice läuft … Seite {} von {}",
                s.page.min(s.pages),
                s.pages
            )
        } else {
            "Abgleich mit lexoffice läuft …".to_string()
        };
        ("running", text)
    } else if let Some(p) = &s.problem {
        (if s.offline { "offline" } else { "error" }, p.clone())
    } else if let Some(t) = s.last_ok {
        (
            "ok",
            format!(
                "Zuletzt mit lexoffice abgeglichen: {}",
                format::date_time(t)
            ),
        )
    } else {
        ("never", "Noch nicht mit lexoffice abgeglichen.".to_string())
    };
    SyncView {
        running: s.running,
        state,
        text,
    }
}

/// What „Mit lexoffice abgleichen“ answers.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SyncResult {
    pub sync: SyncView,
    /// „Alles aktuell.“ / „2 Rechnungen mit neuem Stand, 1 gelöschter Entwurf – Einträge wieder offen.“
    pub message: String,
    /// Entries were freed or states changed: lists should be reloaded.
    pub changed: bool,
}

pub fn outcome_text(o: &SyncOutcome) -> String {
    let mut parts = Vec::new();
    match o.changed {
        0 => {}
        1 => parts.push("1 Rechnung mit neuem Stand".to_string()),
        n => parts.push(format!("{n} Rechnungen mit neuem Stand")),
    }
    match o.freed {
        0 => {}
        1 => parts.push("1 Entwurf in lexoffice gelöscht – Einträge wieder offen".to_string()),
        n => parts.push(format!(
            "{n} Entwürfe in lexoffice gelöscht – Einträge wieder offen"
        )),
    }
    match o.unseen {
        0 => {}
        1 => parts.push("1 Entwurf in lexoffice gerade nicht zu finden – die Einträge bleiben im Entwurf, der nächste Abgleich prüft erneut".to_string()),
        n => parts.push(format!(
            "{n} Entwürfe in lexoffice gerade nicht zu finden – die Einträge bleiben im Entwurf, der nächste Abgleich prüft erneut"
        )),
    }
    if parts.is_empty() {
        "Abgeglichen – alles aktuell.".into()
    } else {
        format!("Abgeglichen: {}.", parts.join(", "))
    }
}

/// The button: one sync, its result in words. Offline is not an error here:
/// the status line says so and the background loop tries again.
pub async fn sync_now(
    core: &Core,
    progress: &(dyn Fn(SyncView) + Send + Sync),
) -> AppResult<SyncResult> {
    match sync(core, progress).await {
        Ok(o) => Ok(SyncResult {
            sync: tracker(core).view(),
            message: outcome_text(&o),
            changed: o.changed + o.freed > 0,
        }),
        Err(AppError::Cancelled(m) | AppError::Busy(m)) => Ok(SyncResult {
            sync: tracker(core).view(),
            message: m,
            changed: false,
        }),
        Err(_) if tracker(core).status().offline => {
            let sync = tracker(core).view();
            Ok(SyncResult {
                message: sync.text.clone(),
                sync,
                changed: false,
            })
        }
        Err(e) => Err(e),
    }
}

/// The background loop of the running app.
pub async fn sync_forever(core: std::sync::Arc<Core>) {
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    loop {
        match sync(&core, &|_| {}).await {
            // Another seat syncs for the firm right now (or restores).
            Err(AppError::Busy(_)) => log::info!("status sync left to another seat this time"),
            Err(e) => log::warn!("status sync failed: {}", e.kind()),
            Ok(_) => {}
        }
        tokio::time::sleep(next_sync_in(&core)).await;
    }
}

/// How long the background loop waits before the next sync.
pub fn next_sync_in(core: &Core) -> std::time::Duration {
    if tracker(core).status().offline {
        std::time::Duration::from_secs(60)
    } else {
        std::time::Duration::from_secs(15 * 60)
    }
}

/// Runs one sync (waits for one already running, then runs its own, so a
/// change made meanwhile is seen). `progress` hears each page.
pub async fn sync(
    core: &Core,
    progress: &(dyn Fn(SyncView) + Send + Sync),
) -> AppResult<SyncOutcome> {
    let _flight = core.sync.start().await;
    // One sync per firm: while another seat runs it, this one leaves it be
    // (what it changes reaches this seat's lists as a change notice).
    let _firm = crate::core::hold(core, Hold::StatusSync, |place| {
        format!("Der Abgleich mit lexoffice läuft gerade {place}; seine Ergebnisse erscheinen hier von selbst.")
    })
    .await?;
    let _no_restore = crate::core::no_restore(core, "es wurde nichts abgeglichen").await?;
    tracker(core).set(|s| {
        s.running = true;
        s.page = 0;
        s.pages = 0;
    });
    progress(tracker(core).view());
    let result = walk(core, progress).await;
    tracker(core).set(|s| {
        s.running = false;
        match &result {
            Ok(_) => {
                s.last_ok = Some(crate::de::clock::now());
                s.problem = None;
                s.offline = false;
            }
            Err(e) if matches!(e.kind(), "offline" | "timeout") => {
                s.offline = true;
                s.problem = Some(
                    "Keine Verbindung zu lexoffice – der Abgleich wird in einer Minute wiederholt."
                        .into(),
                );
            }
            Err(AppError::Cancelled(_)) => {}
            // Nothing was checked: no „zuletzt abgeglichen“, the reason instead.
            Err(e @ AppError::NotConnected) => {
                s.offline = false;
                s.problem = Some(e.to_string());
            }
            Err(e) => {
                s.offline = false;
                s.problem = Some(format!("Abgleich mit lexoffice fehlgeschlagen: {e}"));
            }
        }
    });
    progress(tracker(core).view());
    result
}

/// The drafts to follow: created by the app, sent to this organisation, not
/// paid or voided.
fn followed(store: &Store) -> AppResult<Vec<InvoiceRecord>> {
    let org = store.settings()?.profile.map(|p| p.organization_id);
    Ok(store
        .invoice_records()?
        .into_iter()
        .filter(|r| r.state == InvoiceState::Created && r.lexoffice_id.is_some())
        .filter(|r| !r.is_closed_in_lexoffice())
        // Only drafts known to belong to the connected firm: a 404 from another
        // firm must never free entries.
        .filter(
            |r| matches!((&r.organization_id, &org), (Some(theirs), Some(now)) if theirs == now),
        )
        .collect())
}

async fn walk(core: &Core, progress: &(dyn Fn(SyncView) + Send + Sync)) -> AppResult<SyncOutcome> {
    let mut outcome = SyncOutcome::default();
    if !has_key(core).await {
        return Err(AppError::NotConnected);
    }
    let store = core.store.clone();
    let records = blocking(move || followed(&store)).await?;
    if records.is_empty() {
        return Ok(outcome);
    }
    let key = load_key(core).await?;
    let client = core.client()?;
    // The oldest creation day, by lexoffice's clock where known; a day earlier
    // so no time zone reading can leave a draft out.
    let from = records
        .iter()
        .map(|r| {
            r.seen
                .created_at
                .or(r.started_server_at)
                .unwrap_or(r.created_at - Duration::hours(12))
        })
        .min()
        .map(|t| t.with_timezone(&Berlin).date_naive() - Duration::days(1))
        .unwrap_or_else(today_berlin);
    let mut rows: HashMap<String, VoucherItem> = HashMap::new();
    let mut page = 0u32;
    loop {
        if core.sync.take_cancel() {
            return Err(AppError::Cancelled("Abgleich abgebrochen.".into()));
        }
        let p = client.invoices_updated_since(&key, from, page).await?;
        outcome.pages += 1;
        let looked_at = client.server_now().unwrap_or_else(Utc::now);
        tracker(core).set(|s| {
            s.page = page + 1;
            s.pages = p.total_pages.max(page + 1);
        });
        progress(tracker(core).view());
        // Only this page's rows: a record is written once per sync.
        let page_rows: HashMap<String, VoucherItem> = p
            .content
            .iter()
            .filter(|item| !rows.contains_key(&item.id))
            .map(|item| (item.id.clone(), item.clone()))
            .collect();
        apply_rows(core, &page_rows, looked_at, &mut outcome).await?;
        rows.extend(page_rows);
        if p.last || p.content.is_empty() || !crate::lexoffice::within_window(page + 1) {
            break;
        }
        page += 1;
    }
    // Followed drafts the list did not show: ask for each.
    for rec in records.iter().filter(|r| {
        r.lexoffice_id
            .as_ref()
            .is_some_and(|id| !rows.contains_key(id))
    }) {
        if core.sync.take_cancel() {
            return Err(AppError::Cancelled("Abgleich abgebrochen.".into()));
        }
        let lex_id = rec.lexoffice_id.clone().unwrap_or_default();
        outcome.single_looks += 1;
        // Asked without the invoice lock (a slow answer must not hold up
        // „Erstellen“); applied under it, if the record is still that draft.
        let answer = client.invoice(&key, &lex_id).await;
        let looked_at = client.server_now().unwrap_or_else(Utc::now);
        let _guard = core.invoice_lock.lock().await;
        let mut current = record(core, rec.id).await?;
        if current.state != InvoiceState::Created
            || current.lexoffice_id.as_deref() != Some(lex_id.as_str())
        {
            continue;
        }
        match answer {
            Err(e) if e.status() == Some(404) => {
                if missing::missing_in_lexoffice(core, &mut current, looked_at).await? {
                    outcome.freed += 1;
                } else {
                    outcome.unseen += 1;
                }
            }
            Err(e) => return Err(AppError::from(e)),
            Ok(info) => {
                let seen = Seen {
                    status: info.voucher_status,
                    number: info.voucher_number,
                    open_amount: current.seen.open_amount.clone(),
                    due_date: info.due_date.map(|d| d.chars().take(10).collect()),
                    created_at: reconcile::lexoffice_time(info.created_date.as_deref()),
                };
                if update_record(core, &mut current, seen, looked_at).await? {
                    outcome.changed += 1;
                }
            }
        }
    }
    Ok(outcome)
}

/// What one look at lexoffice said of an invoice.
struct Seen {
    status: Option<String>,
    number: Option<String>,
    open_amount: Option<String>,
    due_date: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

/// `openAmount` as lexoffice sends it (a number, sometimes a string).
fn amount_of(v: &Option<serde_json::Value>) -> Option<String> {
    crate::lexoffice::types::decimal_of(v).map(|d| d.normalize().to_string())
}

/// Takes over what the list says of the followed drafts it contains.
async fn apply_rows(
    core: &Core,
    rows: &HashMap<String, VoucherItem>,
    looked_at: DateTime<Utc>,
    outcome: &mut SyncOutcome,
) -> AppResult<()> {
    let store = core.store.clone();
    let records = blocking(move || followed(&store)).await?;
    for mut rec in records {
        let Some(item) = rec.lexoffice_id.as_ref().and_then(|id| rows.get(id)) else {
            continue;
        };
        let seen = Seen {
            status: item.voucher_status.clone(),
            number: item.voucher_number.clone(),
            open_amount: amount_of(&item.open_amount),
            due_date: item.due_date.as_ref().map(|d| d.chars().take(10).collect()),
            created_at: reconcile::lexoffice_time(item.created_date.as_deref()),
        };
        let _guard = core.invoice_lock.lock().await;
        if update_record(core, &mut rec, seen, looked_at).await? {
            outcome.changed += 1;
        }
    }
    Ok(())
}

/// Stores what lexoffice said, if the record is still a created draft. True
/// when something the office sees changed.
async fn update_record(
    core: &Core,
    rec: &mut InvoiceRecord,
    seen: Seen,
    looked_at: DateTime<Utc>,
) -> AppResult<bool> {
    let changed = seen.status != rec.lexoffice_status
        || seen.number != rec.voucher_number
        || seen.open_amount != rec.seen.open_amount
        || seen.due_date != rec.seen.due_date;
    // Unchanged: the time of the look is kept fresh to the hour (the 14-day
    // flag counts days), not written on every sync.
    let stale = rec
        .seen
        .looked_at
        .is_none_or(|t| looked_at - t >= Duration::hours(1))
        || (seen.created_at.is_some() && rec.seen.created_at.is_none());
    // Found: earlier 404s were lexoffice's lag, not a deletion.
    let found_again = !rec.missing_looks.is_empty();
    if found_again {
        rec.missing_looks.clear();
        tracker(core).forget_missing(rec.id);
    }
    if !changed && !stale && !found_again {
        return Ok(false);
    }
    rec.lexoffice_status = seen.status.or(rec.lexoffice_status.take());
    rec.voucher_number = seen.number.or(rec.voucher_number.take());
    rec.seen.open_amount = seen.open_amount;
    rec.seen.due_date = seen.due_date.or(rec.seen.due_date.take());
    rec.seen.created_at = seen.created_at.or(rec.seen.created_at);
    rec.seen.looked_at = Some(looked_at);
    if changed {
        rec.updated_at = crate::de::clock::now();
        log::info!(
            "invoice record {}: lexoffice status {:?}",
            rec.id,
            rec.lexoffice_status
        );
    }
    put_if_still_created(core, rec).await?;
    Ok(changed)
}

/// Stores what a look found, if the record is still a created draft (a
/// release or restore meanwhile wins).
pub(super) async fn put_if_still_created(core: &Core, rec: &InvoiceRecord) -> AppResult<()> {
    let store = core.store.clone();
    let r = rec.clone();
    blocking(move || {
        if store
            .invoice_record(r.id)?
            .is_some_and(|s| s.state == InvoiceState::Created)
        {
            store.put_invoice_record(&r)?;
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_amounts_as_numbers_or_strings() {
        assert_eq!(
            amount_of(&Some(serde_json::json!(1190.5))),
            Some("1190.5".into())
        );
        assert_eq!(
            amount_of(&Some(serde_json::json!("238.00"))),
            Some("238".into())
        );
        assert_eq!(amount_of(&Some(serde_json::Value::Null)), None);
        assert_eq!(amount_of(&None), None);
    }

    #[test]
    fn status_lines() {
        let mut s = SyncStatus {
            running: true,
            page: 1,
            pages: 3,
            ..Default::default()
        };
        assert_eq!(
            sync_view(&s).text,
            "Abgleich mit lexoffice läuft … Seite 1 von 3"
        );
        s.running = false;
        assert_eq!(sync_view(&s).text, "Noch nicht mit lexoffice abgeglichen.");
        s.problem = Some("Keine Verbindung".into());
        s.offline = true;
        assert_eq!(sync_view(&s).state, "offline");
    }
}
