//! What the journal of lexoffice writes tells a database that missed it
//! (docs/reliability.md › Durable intent). Run at start-up and after every
//! restore, before anything else can write to lexoffice:
//!
//! - a draft lexoffice created (`Done`) that the database lacks, or still holds
//!   as pending or unclear, is written as created, its entries billed by it
//!   (open ones, or those reserved by this attempt);
//! - an attempt without a clear answer that the database lacks is written as
//!   unclear with its entries reserved: the start-up reconciliation asks
//!   lexoffice and never sends it again;
//! - a refused attempt the database still holds as pending is released;
//! - a customer lexoffice created that the database lacks, or holds unlinked,
//!   is written linked; one whose creation got no answer is marked, so the next
//!   „In lexoffice anlegen“ looks for it first; an update lexoffice took is
//!   written when the database holds an older version.
//!
//! What the database already knows better (a draft released by the status
//! sync, a customer linked elsewhere) is left alone.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::error::AppResult;
use crate::model::unsettled;
use crate::storage::journal::{Line, Outcome};
use crate::storage::{BillingState, Customer, InvoiceRecord, InvoiceState, Journal, Store};

/// What a replay changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Drafts written as created (their entries billed).
    pub created: usize,
    /// Those drafts as the user knows them (`model::draft_label`).
    pub created_drafts: Vec<String>,
    /// Attempts written as unclear (to be asked in lexoffice).
    pub unclear: usize,
    /// Pending attempts released (lexoffice had refused them).
    pub released: usize,
    /// Customers written linked or with lexoffice's newer version.
    pub customers: usize,
}

impl Replayed {
    /// What the window says after a start that wrote drafts back (a database
    /// put back, the start-up window's restore), or None.
    pub fn notice(&self) -> Option<String> {
        match self.created_drafts.as_slice() {
            [] => None,
            [one] => Some(format!(
                "Der Rechnungsentwurf {one} war in dieser Datenbank nicht mehr verzeichnet (z. B. nach einer Wiederherstellung). lexoffice hat ihn; er ist wieder eingetragen und seine Einträge bleiben abgerechnet."
            )),
            many => Some(format!(
                "Diese Rechnungsentwürfe waren in dieser Datenbank nicht mehr verzeichnet (z. B. nach einer Wiederherstellung): {}. lexoffice hat sie; sie sind wieder eingetragen und ihre Einträge bleiben abgerechnet.",
                many.join("; ")
            )),
        }
    }
}

/// Applies the journal to `store`.
pub fn replay(store: &Store, journal: &Journal) -> AppResult<Replayed> {
    let lines = journal.lines()?;
    let mut done = Replayed::default();
    // Invoice attempts with their last outcome, in order.
    let mut attempts: Vec<(DateTime<Utc>, InvoiceRecord)> = Vec::new();
    let mut outcomes: HashMap<u64, Outcome> = HashMap::new();
    // Contact writes: the last attempt per customer and its outcome.
    let mut contacts: Vec<(DateTime<Utc>, bool, Customer)> = Vec::new();
    let mut contact_outcomes: HashMap<u64, Outcome> = HashMap::new();
    for line in lines {
        match line {
            Line::InvoiceAttempt { at, record } => attempts.push((at, *record)),
            Line::InvoiceOutcome {
                record_id, outcome, ..
            } => {
                outcomes.insert(record_id, outcome);
            }
            Line::ContactAttempt { at, customer, .. } => {
                contact_outcomes.remove(&customer.id);
                contacts.push((at, true, *customer));
            }
            Line::ContactUpdateAttempt { at, customer, .. } => {
                contact_outcomes.remove(&customer.id);
                contacts.push((at, false, *customer));
            }
            Line::ContactOutcome {
                customer_id,
                outcome,
                ..
            } => {
                contact_outcomes.insert(customer_id, outcome);
            }
        }
    }
    for (at, record) in attempts {
        let stored = store.invoice_record(record.id)?;
        let attempt = record.id.to_string();
        match outcomes.get(&record.id) {
            Some(Outcome::Done { lexoffice_id, .. }) => {
                if stored.is_some() && !unsettled(stored.as_ref()) {
                    continue;
                }
                let mut rec = record;
                rec.state = InvoiceState::Created;
                rec.lexoffice_id = Some(lexoffice_id.clone());
                rec.lexoffice_status.get_or_insert_with(|| "draft".into());
                rec.outcome_unknown_since = None;
                rec.updated_at = crate::de::clock::now();
                store.transition_invoice_from(
                    &rec,
                    |s| s.is_none() || unsettled(s),
                    BillingState::Billed {
                        invoice_id: lexoffice_id.clone(),
                    },
                    |b| {
                        *b == BillingState::Open
                            || matches!(b, BillingState::Reserved { attempt: a } if *a == attempt)
                    },
                    false,
                )?;
                log::info!("journal: draft {lexoffice_id} of attempt {attempt} written as created");
                done.created += 1;
                let project = store
                    .project(rec.project_id)?
                    .map(|p| p.name)
                    .unwrap_or_else(|| "?".into());
                done.created_drafts
                    .push(crate::model::draft_label(&project, &rec));
            }
            Some(Outcome::Refused) => {
                if !matches!(
                    stored.as_ref().map(|r| &r.state),
                    Some(InvoiceState::Pending)
                ) {
                    continue;
                }
                let mut rec = stored.unwrap_or(record);
                rec.state = InvoiceState::Released {
                    reason: "von lexoffice abgelehnt".into(),
                };
                rec.updated_at = crate::de::clock::now();
                // A pending attempt has no draft yet: only what it reserved goes free.
                store.release_attempt(&rec, &InvoiceState::Pending)?;
                done.released += 1;
            }
            Some(Outcome::Unknown) | None => {
                if stored.is_some() {
                    continue;
                }
                let mut rec = record;
                rec.state = InvoiceState::Unclear {
                    reason: "Nach einem Neustart fehlte die Antwort von lexoffice.".into(),
                };
                rec.outcome_unknown_since = Some(at);
                rec.updated_at = crate::de::clock::now();
                store.transition_invoice_from(
                    &rec,
                    |s| s.is_none(),
                    BillingState::Reserved {
                        attempt: attempt.clone(),
                    },
                    |b| *b == BillingState::Open,
                    false,
                )?;
                log::info!("journal: attempt {attempt} written as unclear");
                done.unclear += 1;
            }
        }
    }
    for (at, create, sent) in contacts {
        let stored = store.customer(sent.id)?;
        match (contact_outcomes.get(&sent.id), create) {
            (
                Some(Outcome::Done {
                    lexoffice_id,
                    version,
                }),
                true,
            ) => {
                if stored.as_ref().is_some_and(|c| c.lexoffice_id.is_some()) {
                    continue;
                }
                let mut c = stored.unwrap_or(sent);
                c.lexoffice_id = Some(lexoffice_id.clone());
                c.lexoffice_version = *version;
                c.source = crate::storage::Source::Lexoffice;
                c.changed_in_app = false;
                c.push_unclear_since = None;
                c.updated_at = crate::de::clock::now();
                store.put_customer(&c)?;
                log::info!("journal: customer {} written linked", c.id);
                done.customers += 1;
            }
            (Some(Outcome::Done { version, .. }), false) => {
                let Some(current) = stored else { continue };
                if current.lexoffice_id != sent.lexoffice_id
                    || current.lexoffice_version >= *version
                {
                    continue;
                }
                let mut c = sent;
                c.lexoffice_version = *version;
                c.changed_in_app = false;
                c.updated_at = crate::de::clock::now();
                store.put_customer(&c)?;
                done.customers += 1;
            }
            (Some(Outcome::Unknown) | None, true) => {
                let mut c = match stored {
                    Some(c) if c.lexoffice_id.is_none() && c.push_unclear_since.is_none() => c,
                    Some(_) => continue,
                    None => sent,
                };
                c.push_unclear_since = Some(at);
                store.put_customer(&c)?;
                done.customers += 1;
            }
            _ => {}
        }
    }
    Ok(done)
}

/// Opens the journal in `dir`, applies it to the database and compacts it:
/// at start-up, before anything can write to lexoffice.
pub fn open(core: &mut crate::core::Core, dir: &std::path::Path) -> AppResult<Replayed> {
    let j = crate::storage::Journal::open(dir)?;
    let done = replay(&core.store, &j)?;
    core.replayed = done.notice();
    j.compact()?;
    core.journal = Some(std::sync::Arc::new(j));
    Ok(done)
}
