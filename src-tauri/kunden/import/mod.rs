//! "Kunden importieren › lexoffice Import": every customer contact, page by page
//! (`customer=true`, `size=250`), within the rate limit.
//!
//! - Each page is applied in one sled transaction: a page is either fully in the
//!   store or not at all, never a half-written customer.
//! - New contacts are inserted, changed ones (other `version`) updated, unchanged
//!   ones left alone; a manual customer with the same Kundennummer, or the same
//!   name and PLZ, is linked instead of duplicated.
//! - Only after a complete run are local lexoffice customers that did not come back
//!   marked "nicht mehr in lexoffice" (never deleted: projects may point at them).
//! - Errors and cancellation keep the pages already applied; running the import
//!   again completes it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::core::{blocking, Core};
use crate::de::format::{count_de, format_de};
use crate::error::{AppError, AppResult};
use crate::lexoffice::Contact;
use crate::secrets::ApiKey;
use crate::storage::{Address, Customer, CustomerKind, Hold, Source};

mod window;

pub use crate::lexoffice::PAGE_SIZE;

/// Progress for the UI (sent through a `tauri::ipc::Channel`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "event", content = "data")]
pub enum ImportEvent {
    #[serde(rename_all = "camelCase")]
    Progress {
        /// 1-based page just applied
        page: u32,
        total_pages: u32,
        /// customers received so far
        customers: u64,
        /// What the progress line says, e.g. „Seite 3 von 12 · 750 Kunden erhalten“.
        label: String,
    },
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub linked: u64,
    pub archived: u64,
    pub missing: u64,
    pub pages_done: u32,
    pub total_pages: u32,
    pub received: u64,
    pub completed: bool,
    pub cancelled: bool,
    /// Names of customers lexoffice holds more than 10,000 times (or that the
    /// split did not finish): not all of them could be read.
    pub unreached: Vec<String>,
    /// Why the import stopped early: `{kind, message}` as for any error.
    pub error: Option<ErrorInfo>,
    /// One German sentence for the result banner.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorInfo {
    pub kind: String,
    pub message: String,
}

impl ImportSummary {
    fn changed(&self) -> u64 {
        self.new + self.updated + self.linked + self.missing
    }

    fn compose_message(&mut self) {
        let n = |v: u64| format_de(Decimal::from(v), 0);
        let done = format!(
            "{} neu, {} aktualisiert, {} unverändert, {} verknüpft, {} archiviert, {} nicht mehr in lexoffice.",
            n(self.new),
            n(self.updated),
            n(self.unchanged),
            n(self.linked),
            n(self.archived),
            n(self.missing)
        );
        self.message = if let Some(e) = &self.error {
            format!(
                "Import unterbrochen nach Seite {} von {}: {} Bereits übernommen: {} Der Import kann einfach erneut gestartet werden.",
                self.pages_done,
                self.total_pages.max(self.pages_done),
                e.message,
                done
            )
        } else if self.cancelled {
            format!(
                "Import abgebrochen nach Seite {} von {}. Bereits übernommen: {} Ein neuer Import setzt die Übernahme fort.",
                self.pages_done,
                self.total_pages.max(self.pages_done),
                done
            )
        } else if self.changed() == 0 {
            match self.unchanged {
                0 => "Keine Änderungen: lexoffice enthält keine Kunden.".to_string(),
                1 => "Keine Änderungen: Der Kunde aus lexoffice ist bereits aktuell.".to_string(),
                _ => format!(
                    "Keine Änderungen: Alle {} Kunden aus lexoffice sind bereits aktuell.",
                    n(self.unchanged)
                ),
            }
        } else {
            format!("Import abgeschlossen: {done}")
        };
        if let Some(beyond) = unreached_sentence(&self.unreached) {
            self.message = format!("{} {beyond}", self.message);
        }
    }
}

/// The sentence that names what lexoffice's window kept back.
fn unreached_sentence(names: &[String]) -> Option<String> {
    const SHOWN: usize = 5;
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("„{n}“")).collect();
    let listed = match (quoted.as_slice(), names.len().saturating_sub(SHOWN)) {
        ([], _) => return None,
        ([one], _) => format!("dem Namen {one}"),
        (many, 0) => format!(
            "den Namen {} und {}",
            many[..many.len() - 1].join(", "),
            many[many.len() - 1]
        ),
        (many, more) => format!("den Namen {} und {more} weiteren", many.join(", ")),
    };
    Some(format!(
        "Nicht alle übernommen: Kunden mit {listed} gibt es in lexoffice so oft, dass lexoffice nicht alle liefert (höchstens 10.000 je Suche)."
    ))
}

/// What the import decided for one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    New,
    Update,
    Link,
}

/// Snapshot of the local customers, built once per import.
#[derive(Default)]
struct Index {
    /// lexoffice id → (local id, version, archived, missing)
    by_lex: HashMap<String, (u64, Option<i64>, bool, bool)>,
    manual_by_number: HashMap<String, u64>,
    manual_by_name_zip: HashMap<(String, String), u64>,
    /// Linked customers edited here and not yet sent („In lexoffice
    /// aktualisieren“): an import leaves them alone, so the edit is not lost;
    /// the push shows what lexoffice has differently (409).
    changed_in_app: HashSet<String>,
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Index {
    fn build(customers: &[Customer]) -> Index {
        let mut ix = Index::default();
        for c in customers {
            match &c.lexoffice_id {
                Some(lex) => {
                    if c.changed_in_app {
                        ix.changed_in_app.insert(lex.clone());
                    }
                    ix.by_lex.insert(
                        lex.clone(),
                        (
                            c.id,
                            c.lexoffice_version,
                            c.archived,
                            c.missing_in_lexoffice,
                        ),
                    );
                }
                None => {
                    if !c.number.is_empty() {
                        ix.manual_by_number.entry(c.number.clone()).or_insert(c.id);
                    }
                    ix.manual_by_name_zip
                        .entry((norm(&c.name), c.address.zip.trim().to_string()))
                        .or_insert(c.id);
                }
            }
        }
        ix
    }

    /// Takes a manual customer out of the index once linked.
    fn take_manual(&mut self, number: &str, name: &str, zip: &str) -> Option<u64> {
        let by_number = (!number.is_empty())
            .then(|| self.manual_by_number.get(number).copied())
            .flatten();
        let id = by_number.or_else(|| {
            self.manual_by_name_zip
                .get(&(norm(name), zip.trim().to_string()))
                .copied()
        })?;
        self.manual_by_number.retain(|_, v| *v != id);
        self.manual_by_name_zip.retain(|_, v| *v != id);
        Some(id)
    }
}

/// The fields lexoffice owns, as a customer record.
pub(crate) fn from_contact(c: &Contact) -> Customer {
    let now = crate::de::clock::now();
    let billing = c.addresses.billing.first().cloned().unwrap_or_default();
    let person = c.contact_person();
    let contact_person = person
        .map(|p| {
            [p.first_name.as_deref(), p.last_name.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let email = c
        .email_addresses
        .first_of(&["business", "office", "private", "other"])
        .or_else(|| person.and_then(|p| p.email_address.clone()))
        .unwrap_or_default();
    let phone = c
        .phone_numbers
        .first_of(&["business", "office", "mobile", "private", "other"])
        .or_else(|| person.and_then(|p| p.phone_number.clone()))
        .unwrap_or_default();
    Customer {
        id: 0,
        lexoffice_id: Some(c.id.clone()),
        lexoffice_version: Some(c.version),
        number: c
            .customer_number()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        kind: if c.company.is_some() {
            CustomerKind::Company
        } else {
            CustomerKind::Person
        },
        name: c.display_name(),
        contact_person,
        address: Address {
            supplement: billing.supplement.unwrap_or_default(),
            street: billing.street.unwrap_or_default(),
            zip: billing.zip.unwrap_or_default(),
            city: billing.city.unwrap_or_default(),
            country_code: billing.country_code.unwrap_or_default(),
        },
        email,
        phone,
        archived: c.archived,
        source: Source::Lexoffice,
        missing_in_lexoffice: false,
        billing_addresses: Some(c.addresses.billing.len() as u32),
        last_imported_at: Some(now),
        hourly_rate: None,
        rules: Default::default(),
        invoice_style: None,
        tax: crate::storage::CustomerTax {
            tax_free_allowed: c
                .company
                .as_ref()
                .map(|co| co.allow_tax_free_invoices.unwrap_or(false)),
            ..Default::default()
        },
        vat_id: c
            .company
            .as_ref()
            .and_then(|co| co.vat_registration_id.clone())
            .unwrap_or_default()
            .trim()
            .to_string(),
        buyer_reference: c
            .x_rechnung
            .as_ref()
            .and_then(|x| x.buyer_reference.clone())
            .unwrap_or_default()
            .trim()
            .to_string(),
        changed_in_app: false,
        push_unclear_since: None,
        lexoffice_base: None,
        created_at: now,
        updated_at: now,
    }
}

/// Merges lexoffice's fields into the stored record, keeping local ones.
pub(crate) fn merge(current: Option<Customer>, incoming: &Customer, id: u64) -> Customer {
    let mut next = incoming.clone();
    next.id = id;
    if let Some(cur) = current {
        next.created_at = cur.created_at;
        next.hourly_rate = cur.hourly_rate;
        next.rules = cur.rules;
        next.invoice_style = cur.invoice_style;
        // Steuerart and §35a are ours; whether lexoffice allows tax-free
        // invoices for the contact is lexoffice's.
        next.tax = crate::storage::CustomerTax {
            tax_free_allowed: next.tax.tax_free_allowed,
            ..cur.tax
        };
        if next.number.is_empty() {
            next.number = cur.number;
        }
    }
    next
}

/// Clears the single-flight flag however the import ends.
/// One import run: reads pages from lexoffice and applies each at once.
struct Importer<'a, E> {
    client: &'a crate::lexoffice::LexofficeClient,
    key: &'a ApiKey,
    store: std::sync::Arc<crate::storage::Store>,
    index: Index,
    summary: ImportSummary,
    /// lexoffice ids received in this run (a split sees many twice).
    seen: HashSet<String>,
    known: Vec<window::KnownName>,
    on_event: &'a E,
    cancel: &'a AtomicBool,
    /// Pages read so far, over every query.
    pages_read: u32,
}

impl<E: Fn(ImportEvent) + Send + Sync> Importer<'_, E> {
    /// Reads page `page_no` (of all customers, or of those whose name
    /// contains `text`) and applies it in one transaction. On a stop the
    /// summary says why.
    async fn page(
        &mut self,
        text: Option<&str>,
        page_no: u32,
    ) -> Result<crate::lexoffice::Page<Contact>, window::Halted> {
        if self.cancel.load(Ordering::SeqCst) {
            self.summary.cancelled = true;
            return Err(window::Halted);
        }
        let got = match text {
            None => {
                self.client
                    .customer_contacts(self.key, page_no, PAGE_SIZE)
                    .await
            }
            Some(t) => {
                self.client
                    .customer_contacts_containing(self.key, t, page_no)
                    .await
            }
        };
        let page = match got {
            Ok(p) => p,
            Err(e) => {
                log::warn!(
                    "customer import stopped on page {}: {e:?}",
                    self.pages_read + 1
                );
                self.summary.error = Some(ErrorInfo {
                    kind: e.kind().into(),
                    message: e.to_string(),
                });
                return Err(window::Halted);
            }
        };
        if let Err(e) = self.apply(&page.content).await {
            self.summary.error = Some(ErrorInfo {
                kind: e.kind().into(),
                message: e.to_string(),
            });
            return Err(window::Halted);
        }
        self.pages_read += 1;
        self.summary.pages_done = self.pages_read;
        let progress = if text.is_none() {
            self.summary.total_pages = page.total_pages.max(page_no + 1);
            ImportEvent::Progress {
                page: page_no + 1,
                total_pages: self.summary.total_pages,
                customers: self.summary.received,
                label: format!(
                    "Seite {} von {} · {} erhalten",
                    format_de(Decimal::from(page_no + 1), 0),
                    format_de(Decimal::from(self.summary.total_pages), 0),
                    count_de(self.summary.received as usize, "Kunde", "Kunden")
                ),
            }
        } else {
            self.summary.total_pages = self.pages_read;
            ImportEvent::Progress {
                page: 0,
                total_pages: 0,
                customers: self.summary.received,
                label: format!(
                    "Mehr als 10.000 Kunden: Suche nach Namensteilen · {} erhalten",
                    count_de(self.summary.received as usize, "Kunde", "Kunden")
                ),
            }
        };
        (self.on_event)(progress);
        Ok(page)
    }

    /// Decides per contact and writes the page's changes in one transaction.
    async fn apply(&mut self, contacts: &[Contact]) -> AppResult<()> {
        let store = self.store.clone();
        let mut decided: Vec<(u64, Action, Customer)> = Vec::new();
        for contact in contacts {
            self.summary.received += 1;
            if !contact.is_customer() || !self.seen.insert(contact.id.clone()) {
                continue;
            }
            let incoming = from_contact(contact);
            self.known.push(window::KnownName::new(&incoming.name));
            match self.index.by_lex.get(&contact.id).copied() {
                Some((id, version, _archived, missing)) => {
                    let kept = version == Some(contact.version)
                        || self.index.changed_in_app.contains(&contact.id);
                    if kept && !missing {
                        self.summary.unchanged += 1;
                    } else {
                        decided.push((id, Action::Update, incoming));
                    }
                }
                None => {
                    let zip = incoming.address.zip.clone();
                    match self
                        .index
                        .take_manual(&incoming.number, &incoming.name, &zip)
                    {
                        Some(id) => decided.push((id, Action::Link, incoming)),
                        None => {
                            let s = store.clone();
                            let id = blocking(move || s.next_id()).await?;
                            decided.push((id, Action::New, incoming));
                        }
                    }
                }
            }
        }
        if decided.is_empty() {
            return Ok(());
        }
        let ids: Vec<u64> = decided.iter().map(|(id, _, _)| *id).collect();
        let by_id: HashMap<u64, Customer> =
            decided.iter().map(|(id, _, c)| (*id, c.clone())).collect();
        blocking(move || {
            store.update_customers_atomically(&ids, |id, current| {
                by_id.get(&id).map(|inc| merge(current, inc, id))
            })
        })
        .await?;
        for (id, action, c) in &decided {
            let was_archived = self
                .index
                .by_lex
                .get(c.lexoffice_id.as_deref().unwrap_or(""))
                .map(|e| e.2);
            match action {
                Action::New => self.summary.new += 1,
                Action::Update => self.summary.updated += 1,
                Action::Link => self.summary.linked += 1,
            }
            if c.archived && was_archived != Some(true) {
                self.summary.archived += 1;
            }
            if let Some(lex) = &c.lexoffice_id {
                self.index
                    .by_lex
                    .insert(lex.clone(), (*id, c.lexoffice_version, c.archived, false));
            }
        }
        Ok(())
    }
}

impl<E: Fn(ImportEvent) + Send + Sync> window::Lister for Importer<'_, E> {
    async fn page(&mut self, text: &str, page: u32) -> Result<window::Listed, window::Halted> {
        let p = Importer::page(self, Some(text), page).await?;
        Ok(window::Listed {
            total: p.total_elements,
            end: p.last || p.content.is_empty(),
        })
    }

    fn known(&self) -> &[window::KnownName] {
        &self.known
    }
}

/// Runs the import. Returns Ok with a summary also when it stopped early (the
/// summary carries the error); Err only when it could not start at all.
pub async fn run(
    core: &Core,
    on_event: impl Fn(ImportEvent) + Send + Sync,
    cancel: &AtomicBool,
) -> AppResult<ImportSummary> {
    let Some(_running) = core.import.try_start() else {
        return Err(AppError::Busy(
            "Ein Kunden-Import läuft bereits. Bitte warten, bis er fertig ist.".into(),
        ));
    };
    // A restore replaces every customer: never beside an import.
    let _replace = core.replace_lock.try_lock().map_err(|_| {
        AppError::Busy(
            "Gerade wird eine Sicherung wiederhergestellt. Bitte warten, bis sie fertig ist, und dann erneut importieren.".into(),
        )
    })?;
    // One import per firm: another seat's run is named.
    let _firm = crate::core::hold(core, Hold::CustomerImport, |place| {
        format!("Ein Kunden-Import läuft gerade {place}. Bitte warten, bis er fertig ist; die Kundenliste zeigt die neuen Kunden dann von selbst.")
    })
    .await?;
    let _no_restore = crate::core::no_restore(core, "es wurde nichts importiert").await?;
    cancel.store(false, Ordering::SeqCst);

    let key: ApiKey = core.api_key().await?;
    let client = core.client()?;
    let store = core.store.clone();
    let index = {
        let s = store.clone();
        let customers = blocking(move || s.customers()).await?;
        Index::build(&customers)
    };
    let mut run = Importer {
        client,
        key: &key,
        store: store.clone(),
        index,
        summary: ImportSummary::default(),
        seen: HashSet::new(),
        known: Vec::new(),
        on_event: &on_event,
        cancel,
        pages_read: 0,
    };

    // Every customer, within lexoffice's window of 10,000.
    let mut page_no: u32 = 0;
    let mut full = false;
    let reached = loop {
        match run.page(None, page_no).await {
            Err(window::Halted) => break false,
            Ok(page) => {
                full = crate::lexoffice::window_full(page.total_elements);
                let end = page.last || page.content.is_empty();
                if end || !crate::lexoffice::within_window(page_no + 1) {
                    break true;
                }
                page_no += 1;
            }
        }
    };
    // Beyond it: by name parts.
    run.summary.completed = reached
        && (!full
            || match window::split(&mut run).await {
                Ok(unreached) => {
                    run.summary.unreached = unreached;
                    true
                }
                Err(window::Halted) => false,
            });
    let Importer {
        mut summary,
        seen,
        index,
        ..
    } = run;
    // Who is gone: a linked customer this run did not see, confirmed one by
    // one (404), so a name part not reached never marks anybody.
    let gone = if summary.completed {
        let unseen = index
            .by_lex
            .iter()
            .filter(|(lex, e)| !seen.contains(*lex) && !e.3)
            .map(|(lex, e)| (e.0, lex.clone()));
        confirmed_gone(client, &key, unseen).await
    } else {
        Vec::new()
    };
    drop(key);
    if summary.completed {
        if !gone.is_empty() {
            let ids = gone.clone();
            let s = store.clone();
            blocking(move || {
                s.update_customers_atomically(&ids, |_, current| {
                    current.map(|mut c| {
                        c.missing_in_lexoffice = true;
                        c.updated_at = crate::de::clock::now();
                        c
                    })
                })
            })
            .await?;
            summary.missing = gone.len() as u64;
        }
        let s = store.clone();
        blocking(move || {
            s.update_settings(|st| st.customers_imported_at = Some(crate::de::clock::now()))
        })
        .await?;
    }
    summary.compose_message();
    log::info!("customer import: {}", summary.message);
    Ok(summary)
}

/// Of the linked customers a complete import did not see, those lexoffice
/// confirms as gone (404). A contact edited during the import can have moved
/// between pages (lexoffice pages by offset on a name sort), so each one gets
/// its own `GET /v1/contacts/{id}`; one that cannot be checked is kept.
async fn confirmed_gone(
    client: &crate::lexoffice::LexofficeClient,
    key: &ApiKey,
    unseen: impl Iterator<Item = (u64, String)>,
) -> Vec<u64> {
    let mut gone = Vec::new();
    for (id, lex) in unseen {
        match client.contact(key, &lex).await {
            Err(e) if e.status() == Some(404) => gone.push(id),
            Ok(_) => log::info!(
                "customer {id} moved between pages during the import; still in lexoffice"
            ),
            Err(e) => log::warn!("customer {id} could not be confirmed as gone: {e:?}"),
        }
    }
    gone
}
