//! Einstellungen › Mitarbeiter › „Zusammenführen“: two records of one person
//! (e.g. „jana kraus“ created before names matched regardless of case) become
//! one. Every time entry of the duplicate moves to the employee kept: open
//! ones take his name and so his Rolle and rate on the next draft; entries on
//! a draft keep what was billed (only their reference moves, so no entry
//! points to nobody). The duplicate goes; „Rückgängig“ puts everything back.

use serde::{Deserialize, Serialize};

use super::{employee_views, EmployeeView};
use crate::core::undo::Snapshot;
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{BillingState, Employee, Entry, EntryKind, Store};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct MergeInput {
    /// The duplicate, removed.
    pub from: u64,
    /// The employee kept.
    pub into: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Merged {
    /// For „Rückgängig“.
    pub undo: u64,
    /// „„jana kraus“ mit „Jana Kraus“ zusammengeführt: 3 Einträge übernommen.“
    pub message: String,
    pub employees: Vec<EmployeeView>,
}

/// Moves the entries and removes the duplicate; what it changed, for the undo.
pub fn merge(store: &Store, input: &MergeInput) -> AppResult<(Snapshot, String)> {
    if input.from == input.into {
        return Err(AppError::validation(
            "Zusammenführen mit",
            "Bitte einen anderen Mitarbeiter wählen.",
        ));
    }
    let settings = store.settings()?;
    let find = |id: u64| {
        settings
            .employees
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .ok_or_else(|| AppError::NotFound("Diesen Mitarbeiter gibt es nicht mehr.".into()))
    };
    let (from, into) = (find(input.from)?, find(input.into)?);
    let mut before = retag(store, &from, &into)?;
    store.update_settings(|s| s.employees.retain(|e| e.id != from.id))?;
    // An entry another seat recorded for the duplicate in that moment follows.
    before.extend(retag(store, &from, &into)?);
    store.flush()?;
    let n = before.len();
    let message = format!(
        "„{}“ mit „{}“ zusammengeführt: {}.",
        from.name,
        into.name,
        match n {
            0 => "keine Einträge zu übernehmen".to_string(),
            n => format!(
                "{} übernommen",
                crate::de::format::count_de(n, "Eintrag", "Einträge")
            ),
        }
    );
    Ok((
        Snapshot {
            employees: vec![from],
            retagged: before,
            ..Default::default()
        },
        message,
    ))
}

/// Moves every time entry of `from` to `into` in one write that applies only
/// over the entries as read (another seat's edit or billing in between: read
/// again, after a pause that grows to 0.2 s, for up to ≈ 3 s). The entries
/// as they were, for the undo.
fn retag(store: &Store, from: &Employee, into: &Employee) -> AppResult<Vec<Entry>> {
    for attempt in 0..20u32 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(u64::from(
                (10 * attempt).min(200),
            )));
        }
        let mut before: Vec<Entry> = Vec::new();
        let mut after: Vec<Entry> = Vec::new();
        for p in store.projects()? {
            for e in store.entries_iter(p.id) {
                let e = e?;
                if let Some(moved) = retagged(&e, from.id, into) {
                    before.push(e);
                    after.push(moved);
                }
            }
        }
        if after.is_empty() {
            return Ok(before);
        }
        let seen: Vec<_> = before.iter().map(|e| e.updated_at).collect();
        match store.put_entries_unchanged_since(&after, &seen) {
            Ok(()) => return Ok(before),
            Err(AppError::Changed(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(AppError::Changed(
        "Die Zeiten dieses Mitarbeiters wurden gerade geändert. Bitte gleich noch einmal zusammenführen."
            .into(),
    ))
}

/// `e` moved to `into` if it is a time of employee `from`: open work takes
/// his name (and so his Rolle and rate); billed work keeps the name it was
/// billed with, only its reference moves.
fn retagged(e: &Entry, from: u64, into: &Employee) -> Option<Entry> {
    let EntryKind::Time { employee_id, .. } = &e.kind else {
        return None;
    };
    if *employee_id != Some(from) {
        return None;
    }
    let mut moved = e.clone();
    moved.updated_at = crate::de::clock::now();
    if let EntryKind::Time {
        employee,
        employee_id,
        ..
    } = &mut moved.kind
    {
        *employee_id = Some(into.id);
        if e.billing == BillingState::Open {
            *employee = into.name.clone();
        }
    }
    Some(moved)
}

pub async fn merge_employees(core: &Core, input: MergeInput) -> AppResult<Merged> {
    // No draft is created, synced or released meanwhile: the billing state
    // each entry is written back with is the one it has.
    let _billing = core.invoice_lock.lock().await;
    let store = core.store.clone();
    let (snapshot, message, employees) = blocking(move || {
        let (snapshot, message) = merge(&store, &input)?;
        Ok((snapshot, message, employee_views(&store.settings()?)))
    })
    .await?;
    Ok(Merged {
        undo: core.undo.keep(snapshot),
        message,
        employees,
    })
}
