//! The entries each recent preview would bill, by its confirm token: when
//! „Erstellen“ finds some of them reserved or billed by another seat since,
//! the user hears that (not merely that the preview changed).

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::error::AppResult;
use crate::storage::{BillingState, Store};

/// How many previews are remembered (a few dialogs' worth).
const KEPT: usize = 8;

#[derive(Default)]
pub struct Previewed(Mutex<VecDeque<(String, Vec<u64>)>>);

impl Previewed {
    pub fn keep(&self, token: &str, ids: &[u64]) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|(t, _)| t != token);
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back((token.to_string(), ids.to_vec()));
    }

    pub fn ids(&self, token: &str) -> Option<Vec<u64>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter()
            .find(|(t, _)| t == token)
            .map(|(_, ids)| ids.clone())
    }
}

/// Entries of the preview belong to an attempt whose outcome is not clear yet.
const UNCLEAR_ATTEMPT: &str = "Einträge dieser Vorschau gehören zu einem Rechnungsversuch, dessen Ausgang noch unklar ist. Bitte in der Rechnungshistorie „Erneut prüfen“ wählen; es wurde nichts gesendet.";

/// The PC of the seat that holds the attempt `attempt` (an entry's
/// `Reserved { attempt }`) now; None when no seat does, or the look fails.
pub(super) fn attempt_holder(store: &Store, attempt: &str) -> Option<String> {
    let id = attempt.parse::<u64>().ok()?;
    store
        .holder(crate::storage::Hold::Attempt(id))
        .ok()
        .flatten()
}

/// Why entries of a preview can no longer be billed: another seat is billing
/// them right now, or billed them since (with the day of its draft). None:
/// all still open.
pub(super) fn taken_elsewhere(store: &Store, ids: &[u64]) -> AppResult<Option<String>> {
    let entries = store.entries_by_ids(ids)?;
    let reserved: Vec<&str> = entries
        .iter()
        .filter_map(|e| match &e.billing {
            BillingState::Reserved { attempt } => Some(attempt.as_str()),
            _ => None,
        })
        .collect();
    if !reserved.is_empty() {
        // Held by a seat sending it now, or left unclear (by any seat, this
        // one too): the latter waits for „Erneut prüfen“.
        let in_flight = reserved.iter().any(|a| attempt_holder(store, a).is_some());
        return Ok(Some(if in_flight {
            crate::storage::IN_FLIGHT_ELSEWHERE.to_string()
        } else {
            UNCLEAR_ATTEMPT.to_string()
        }));
    }
    let billed: Vec<&str> = entries
        .iter()
        .filter_map(|e| match &e.billing {
            BillingState::Billed { invoice_id } => Some(invoice_id.as_str()),
            _ => None,
        })
        .collect();
    if billed.is_empty() {
        return Ok(None);
    }
    let made = store
        .invoice_records()?
        .into_iter()
        .filter(|r| {
            r.lexoffice_id
                .as_deref()
                .is_some_and(|l| billed.contains(&l))
        })
        .map(|r| r.created_at)
        .min();
    Ok(Some(crate::storage::billed_elsewhere(made)))
}
