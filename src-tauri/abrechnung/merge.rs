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

/// Moves every time entry of `from` to `into` (`Store::update_entries`: an
/// edit or a billing at another seat in between is never overwritten). The
/// entries as they were, for the undo.
fn retag(store: &Store, from: &Employee, into: &Employee) -> AppResult<Vec<Entry>> {
    store.update_entries(|store| {
        let mut pairs = Vec::new();
        for p in store.projects()? {
            for e in store.entries_iter(p.id) {
                let e = e?;
                if let Some(moved) = retagged(&e, from.id, into) {
                    pairs.push((e, moved));
                }
            }
        }
        Ok(pairs)
    })
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
