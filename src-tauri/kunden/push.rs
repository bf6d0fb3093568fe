//! Customers both ways: „In lexoffice anlegen“, „In lexoffice aktualisieren“,
//! „Mit diesem Kontakt verknüpfen“, „lexoffice-Stand übernehmen“. Tauri-free.
//!
//! - Create: a name search first (a question when lexoffice has a contact of
//!   the same or a close name), then `POST /v1/contacts`, then
//!   `GET /v1/contacts/{id}` until lexoffice shows the new contact (it answers
//!   404 for a moment) to read the customer number; the customer is then
//!   linked like an imported one. A timeout or 5xx after the POST leaves the
//!   outcome unknown: the contact is looked for by name before anything is
//!   sent again (`Customer::push_unclear_since`).
//! - Update: the current contact is read, the fields the app manages are
//!   replaced, the rest is sent back as it was, with the version the app's
//!   data is based on. A 409 (changed in lexoffice meanwhile) answers with the
//!   differences; „Meine Änderungen senden“ sends again with the version seen.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::contact_json::{self, Difference};
use super::import::{from_contact, merge};
use super::{detail_of, CustomerDetail};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::lexoffice::{Contact, LexofficeClient, LexofficeError};
use crate::secrets::ApiKey;
use crate::storage::journal::{Line, Outcome};
use crate::storage::{Customer, CustomerKind};

/// How long lexoffice may take to show a new contact (docs/lexoffice.md ›
/// Creating and updating contacts: "allow about 2 s").
pub const VISIBILITY_WAIT: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushMode {
    /// „In lexoffice anlegen“: duplicate check first.
    Create,
    /// „Trotzdem neu anlegen“: the user has seen the matches.
    CreateAnyway,
    /// „In lexoffice aktualisieren“.
    Update,
    /// „Meine Änderungen senden“ after a conflict, with the version shown.
    UpdateAnyway,
}

impl PushMode {
    pub fn parse(s: &str) -> AppResult<PushMode> {
        Ok(match s {
            "create" => PushMode::Create,
            "createAnyway" => PushMode::CreateAnyway,
            "update" => PushMode::Update,
            "updateAnyway" => PushMode::UpdateAnyway,
            _ => {
                return Err(AppError::validation(
                    "Übertragung",
                    "Übertragung: unbekannte Art. Bitte „In lexoffice anlegen“ oder „In lexoffice aktualisieren“ verwenden.",
                ))
            }
        })
    }
}

/// A lexoffice contact that may be the same customer.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContactMatch {
    pub contact_id: String,
    pub name: String,
    /// Kundennummer, or "–"
    pub number: String,
    /// "Hafenweg 7, 24103 Kiel", or "keine Adresse"
    pub address: String,
}

/// What a push ended with (besides an error).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum PushOutcome {
    /// Created, linked, updated or taken over; `message` for the toast.
    #[serde(rename_all = "camelCase")]
    Done {
        detail: Box<CustomerDetail>,
        message: String,
    },
    /// lexoffice has contacts of this name: link one, or „Trotzdem neu anlegen“.
    #[serde(rename_all = "camelCase")]
    Duplicates {
        message: String,
        matches: Vec<ContactMatch>,
    },
    /// Changed in lexoffice meanwhile: „lexoffice-Stand übernehmen“ or
    /// „Meine Änderungen senden“ (with `version`).
    #[serde(rename_all = "camelCase")]
    Conflict {
        message: String,
        differences: Vec<Difference>,
        version: i64,
    },
}

async fn load_key(core: &Core) -> AppResult<ApiKey> {
    core.api_key().await
}

async fn load(core: &Core, id: u64) -> AppResult<Customer> {
    let store = core.store.clone();
    blocking(move || store.customer(id)).await?.ok_or_else(|| {
        AppError::NotFound("Dieser Kunde existiert nicht mehr. Bitte die Liste neu laden.".into())
    })
}

/// Stores the result of `change` on the current record (read again in the
/// blocking task, so app-only fields edited meanwhile are not lost).
async fn store_change(
    core: &Core,
    id: u64,
    change: impl Fn(Customer) -> AppResult<Customer> + Send + 'static,
) -> AppResult<Customer> {
    let store = core.store.clone();
    blocking(move || {
        store.update_customer(id, |c| {
            *c = change(c.clone())?;
            Ok(())
        })
    })
    .await
}

fn busy() -> AppError {
    AppError::Busy(
        "Gerade wird ein Kunde an lexoffice übertragen. Bitte einen Moment warten und erneut versuchen.".into(),
    )
}

/// One seat at a time sends a customer to lexoffice (never two contacts
/// for one customer); another seat's run is named.
async fn hold_customer(core: &Core, id: u64) -> AppResult<crate::storage::Held> {
    crate::core::hold(core, crate::storage::Hold::CustomerPush(id), |place| {
        format!("Dieser Kunde wird gerade {place} an lexoffice übertragen. Bitte einen Moment warten, dann die Kundenliste neu laden und erneut versuchen.")
    })
    .await
}

/// The error a write got, in German; a 406 about a list with several entries
/// names the list.
fn write_error(e: LexofficeError) -> AppError {
    if let LexofficeError::Status { status: 406, body } = &e {
        if let Some(label) = body
            .details()
            .iter()
            .filter_map(|d| d.field.as_deref())
            // The list itself, not a field of one of its entries.
            .filter(|f| !f.contains('['))
            .find_map(contact_json::list_label)
        {
            return AppError::Rejected(format!(
                "lexoffice nimmt diesen Kontakt nicht an: Er hat in lexoffice mehrere Einträge unter „{label}“, über die Schnittstelle ist je Liste nur einer erlaubt. Bitte den Kontakt zuerst in lexoffice bereinigen (nur einen Eintrag behalten) und es dann erneut versuchen."
            ));
        }
        let fields: Vec<&str> = body
            .details()
            .iter()
            .filter_map(|d| d.field.as_deref())
            .filter_map(contact_json::field_label)
            .collect();
        if !fields.is_empty() {
            let mut named: Vec<String> = Vec::new();
            for f in fields {
                let f = format!("„{f}“");
                if !named.contains(&f) {
                    named.push(f);
                }
            }
            return AppError::Rejected(format!(
                "lexoffice nimmt diesen Kontakt nicht an: {} {} ungültig. Bitte im Kunden korrigieren und es dann erneut versuchen.",
                named.join(", "),
                if named.len() == 1 { "ist" } else { "sind" }
            ));
        }
    }
    AppError::from(e)
}

// ---- duplicate search --------------------------------------------------------

const LEGAL_FORMS: &[&str] = &[
    "gmbh",
    "mbh",
    "ug",
    "haftungsbeschränkt",
    "ag",
    "kg",
    "kgaa",
    "ohg",
    "gbr",
    "ek",
    "ev",
    "e",
    "k",
    "v",
    "co",
    "partg",
    "se",
    "ltd",
    "inc",
    "&",
    "und",
    "+",
];

fn word_norm(w: &str) -> String {
    w.chars()
        .filter(|c| c.is_alphanumeric() || *c == '&' || *c == '+')
        .collect::<String>()
        .to_lowercase()
}

/// Lower case words without punctuation and without a trailing legal form:
/// "Nordlicht Software GmbH & Co. KG" → ["nordlicht", "software"].
fn core_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',' || c == '(' || c == ')')
        .map(word_norm)
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1 && LEGAL_FORMS.contains(&words[words.len() - 1].as_str()) {
        words.pop();
    }
    words
}

/// Same name, or one name's words inside the other's (legal forms ignored).
pub fn names_close(a: &str, b: &str) -> bool {
    let (a, b) = (core_words(a), core_words(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let contains = |long: &[String], short: &[String]| {
        short.join(" ").chars().count() >= 3 && long.windows(short.len()).any(|w| w == short)
    };
    a == b || contains(&a, &b) || contains(&b, &a)
}

/// What to send as `name=`: the name without its legal form (persons: the last
/// name), at least 3 characters; None when even the whole name is shorter.
pub fn search_term(c: &Customer) -> Option<String> {
    let full = c.name.trim();
    let words: Vec<&str> = full.split_whitespace().collect();
    let term = match c.kind {
        CustomerKind::Person => words.last().map(|w| w.to_string()).unwrap_or_default(),
        CustomerKind::Company => {
            let mut n = words.len();
            while n > 1 && LEGAL_FORMS.contains(&word_norm(words[n - 1]).as_str()) {
                n -= 1;
            }
            words[..n].join(" ")
        }
    };
    let ok = |t: &str| t.chars().count() >= 3;
    if ok(&term) {
        Some(term)
    } else if ok(full) {
        Some(full.to_string())
    } else {
        None
    }
}

fn as_match(c: &Contact) -> ContactMatch {
    let a = c.addresses.billing.first().cloned().unwrap_or_default();
    let street = a.street.unwrap_or_default();
    let place = [a.zip.unwrap_or_default(), a.city.unwrap_or_default()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let address = [street, place]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    ContactMatch {
        contact_id: c.id.clone(),
        name: c.display_name(),
        number: c
            .customer_number()
            .map(|n| n.to_string())
            .unwrap_or_else(|| "–".into()),
        address: if address.is_empty() {
            "keine Adresse".into()
        } else {
            address
        },
    }
}

/// lexoffice customers of the same or a close name. With `until`, searches
/// again while nothing is found (a contact just created shows up only after a
/// moment).
async fn find_matches(
    client: &LexofficeClient,
    key: &ApiKey,
    c: &Customer,
    until: Option<Instant>,
) -> AppResult<Vec<ContactMatch>> {
    let Some(term) = search_term(c) else {
        return Ok(Vec::new());
    };
    loop {
        let page = client.contacts_by_name(key, &term).await?;
        let found: Vec<ContactMatch> = page
            .content
            .iter()
            .filter(|x| x.is_customer() && names_close(&x.display_name(), &c.name))
            .map(as_match)
            .collect();
        if !found.is_empty() || until.is_none_or(|t| Instant::now() >= t) {
            return Ok(found);
        }
        tokio::time::sleep(POLL).await;
    }
}

// ---- create ------------------------------------------------------------------

/// `GET /v1/contacts/{id}` until it stops answering 404, for up to `VISIBILITY_WAIT`.
async fn wait_visible(
    client: &LexofficeClient,
    key: &ApiKey,
    id: &str,
) -> Result<Option<Contact>, LexofficeError> {
    let until = Instant::now() + VISIBILITY_WAIT;
    loop {
        match client.contact(key, id).await {
            Ok(c) => return Ok(Some(c)),
            Err(e) if e.status() == Some(404) => {
                if Instant::now() >= until {
                    return Ok(None);
                }
                tokio::time::sleep(POLL).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The customer linked to `contact` like an imported one; app-only fields kept.
fn linked(cur: Customer, contact: &Contact) -> Customer {
    let id = cur.id;
    let mut next = merge(Some(cur), &from_contact(contact), id);
    next.changed_in_app = false;
    next.push_unclear_since = None;
    next.lexoffice_base = None;
    next
}

fn number_text(c: &Customer) -> String {
    if c.number.is_empty() {
        String::new()
    } else {
        format!(" (Kundennummer {})", c.number)
    }
}

fn with_notes(mut message: String, notes: &[String]) -> String {
    for n in notes {
        message.push(' ');
        message.push_str(n);
    }
    message
}

fn duplicates_message(unclear: bool, n: usize) -> String {
    let which = if n == 1 { "einen Kontakt" } else { "Kontakte" };
    if unclear {
        format!("Der letzte Versuch, den Kunden anzulegen, blieb ohne klare Antwort von lexoffice – er wurde vielleicht trotzdem angelegt. lexoffice hat {which} mit diesem Namen. Bitte den passenden verknüpfen; „Trotzdem neu anlegen“ nur, wenn keiner passt.")
    } else {
        format!("In lexoffice gibt es schon {which} mit diesem oder einem ähnlichen Namen. Ist es derselbe Kunde? Dann bitte verknüpfen statt doppelt anzulegen.")
    }
}

/// The answer to a contact POST or PUT, into the journal (a failure to write
/// it is logged: the database has the outcome too).
async fn journal_outcome(
    core: &Core,
    customer_id: u64,
    sent: Result<(String, Option<i64>), &LexofficeError>,
) {
    let outcome = match sent {
        Ok((lexoffice_id, version)) => Outcome::Done {
            lexoffice_id,
            version,
        },
        Err(e) if e.outcome_unknown() => Outcome::Unknown,
        Err(_) => Outcome::Refused,
    };
    let line = Line::ContactOutcome {
        at: crate::de::clock::now(),
        customer_id,
        outcome,
    };
    if let Err(e) = core.journal(line).await {
        log::warn!("customer {customer_id}: outcome not journaled: {e}");
    }
}

async fn create(core: &Core, c: Customer, mode: PushMode) -> AppResult<PushOutcome> {
    if c.lexoffice_id.is_some() {
        return Err(AppError::validation(
            "Kunde",
            "Dieser Kunde ist bereits mit lexoffice verknüpft.",
        ));
    }
    let key = load_key(core).await?;
    let client = core.client()?;
    // After an unclear attempt: look first, and long enough for lexoffice to
    // show a contact created then.
    let unclear = c.push_unclear_since.map(|t| {
        Instant::now()
            + (VISIBILITY_WAIT.saturating_sub(
                (crate::de::clock::now() - t)
                    .to_std()
                    .unwrap_or(VISIBILITY_WAIT),
            ))
    });
    if mode == PushMode::Create || unclear.is_some() {
        let matches = find_matches(client, &key, &c, unclear).await?;
        if unclear.is_some() {
            let id = c.id;
            store_change(core, id, |mut cur| {
                cur.push_unclear_since = None;
                Ok(cur)
            })
            .await?;
        }
        if !matches.is_empty() {
            return Ok(PushOutcome::Duplicates {
                message: duplicates_message(unclear.is_some(), matches.len()),
                matches,
            });
        }
    }
    let built = contact_json::new_contact(&c);
    core.journal(Line::ContactAttempt {
        at: crate::de::clock::now(),
        customer: Box::new(c.clone()),
    })
    .await?;
    let sent = client.create_contact(&key, &built.body).await;
    journal_outcome(core, c.id, sent.as_ref().map(|w| (w.id.clone(), w.version))).await;
    let created = match sent {
        Ok(created) => created,
        Err(e) if e.outcome_unknown() => {
            log::warn!("customer {} create: outcome unknown ({e:?})", c.id);
            let id = c.id;
            store_change(core, id, |mut cur| {
                cur.push_unclear_since = Some(crate::de::clock::now());
                Ok(cur)
            })
            .await?;
            let found =
                find_matches(client, &key, &c, Some(Instant::now() + VISIBILITY_WAIT)).await;
            if let Ok(matches) = found {
                if !matches.is_empty() {
                    store_change(core, id, |mut cur| {
                        cur.push_unclear_since = None;
                        Ok(cur)
                    })
                    .await?;
                    return Ok(PushOutcome::Duplicates {
                        message: duplicates_message(true, matches.len()),
                        matches,
                    });
                }
            }
            return Err(AppError::Unclear(format!(
                "{e} Ob der Kunde in lexoffice angelegt wurde, ist noch unklar; bisher ist er dort nicht zu finden. Beim nächsten „In lexoffice anlegen“ sucht Zeitrechnung zuerst nach ihm, damit er nicht doppelt angelegt wird."
            )));
        }
        Err(e) => return Err(write_error(e)),
    };
    let contact = match wait_visible(client, &key, &created.id).await {
        Ok(c) => c,
        Err(e) => {
            log::warn!("customer {} created, reading it failed: {e:?}", c.id);
            None
        }
    };
    let lex_id = created.id.clone();
    let version = created.version;
    let saved = store_change(core, c.id, move |cur| {
        Ok(match &contact {
            Some(contact) => linked(cur, contact),
            None => {
                let mut next = cur;
                next.lexoffice_id = Some(lex_id.clone());
                next.lexoffice_version = version;
                next.source = crate::storage::Source::Lexoffice;
                next.number = String::new();
                next.billing_addresses = Some(1);
                next.last_imported_at = Some(crate::de::clock::now());
                next.changed_in_app = false;
                next.push_unclear_since = None;
                next.updated_at = crate::de::clock::now();
                next
            }
        })
    })
    .await?;
    let message = if saved.number.is_empty() {
        format!("„{}“ wurde in lexoffice angelegt und verknüpft. Die Kundennummer zeigt lexoffice erst nach einem Moment; sie kommt mit dem nächsten Kunden-Import.", saved.name)
    } else {
        format!(
            "„{}“ wurde in lexoffice angelegt{} und verknüpft.",
            saved.name,
            number_text(&saved)
        )
    };
    Ok(PushOutcome::Done {
        message: with_notes(message, &built.notes),
        detail: Box::new(detail_of(saved)),
    })
}

// ---- update ------------------------------------------------------------------

async fn conflict(
    client: &LexofficeClient,
    key: &ApiKey,
    c: &Customer,
    lex_id: &str,
) -> AppResult<Result<PushOutcome, (serde_json::Value, i64)>> {
    let raw = client.contact_raw(key, lex_id).await?;
    let contact: Contact = serde_json::from_value(raw.clone())
        .map_err(|e| AppError::from(LexofficeError::InvalidResponse(e.to_string())))?;
    let there = contact_json::as_customer(&contact);
    let mut differences = contact_json::differences(&there, c);
    if let Some(base) = &c.lexoffice_base {
        // Only what was changed in lexoffice since the last import or push.
        let base = base.applied_to(c.clone());
        let changed_there: Vec<&str> = contact_json::differences(&there, &base)
            .iter()
            .map(|d| d.field)
            .collect();
        differences.retain(|d| changed_there.contains(&d.field));
    }
    if differences.is_empty() {
        // Changed in lexoffice only where the app does not look: send again.
        return Ok(Err((raw, contact.version)));
    }
    Ok(Ok(PushOutcome::Conflict {
        message: "Der Kunde wurde inzwischen in lexoffice geändert. Bitte wählen, welcher Stand gelten soll:".into(),
        differences,
        version: contact.version,
    }))
}

async fn update(
    core: &Core,
    c: Customer,
    mode: PushMode,
    version: Option<i64>,
) -> AppResult<PushOutcome> {
    let Some(lex_id) = c.lexoffice_id.clone() else {
        return Err(AppError::validation(
            "Kunde",
            "Dieser Kunde ist noch nicht mit lexoffice verknüpft. Bitte zuerst „In lexoffice anlegen“.",
        ));
    };
    let key = load_key(core).await?;
    let client = core.client()?;
    let mut current = client.contact_raw(&key, &lex_id).await.map_err(|e| {
        if e.status() == Some(404) {
            AppError::NotFound("Der verknüpfte Kontakt ist in lexoffice nicht mehr zu finden (gelöscht?). Bitte die Kunden neu importieren.".into())
        } else {
            AppError::from(e)
        }
    })?;
    let mut base = match mode {
        PushMode::UpdateAnyway => match version {
            Some(v) => v,
            None => {
                return Err(AppError::validation(
                    "Version",
                    "Version: Angabe fehlt. Bitte die Unterschiede erneut laden.",
                ))
            }
        },
        _ => c.lexoffice_version.unwrap_or(0),
    };
    let mut tries = 0;
    let (written, notes) = loop {
        let built = contact_json::apply_to(&current, &c, base);
        core.journal(Line::ContactUpdateAttempt {
            at: crate::de::clock::now(),
            customer: Box::new(c.clone()),
        })
        .await?;
        let sent = client.update_contact(&key, &lex_id, &built.body).await;
        journal_outcome(
            core,
            c.id,
            sent.as_ref().map(|w| (lex_id.clone(), w.version)),
        )
        .await;
        match sent {
            Ok(w) => break (w, built.notes),
            Err(e) if e.status() == Some(409) && tries < 2 => {
                tries += 1;
                match conflict(client, &key, &c, &lex_id).await? {
                    Ok(outcome) => return Ok(outcome),
                    Err((raw, v)) => {
                        current = raw;
                        base = v;
                    }
                }
            }
            Err(e) if e.outcome_unknown() => {
                return Err(AppError::Unclear(format!(
                    "{e} Ob die Änderungen in lexoffice angekommen sind, ist unklar. Ein erneutes „In lexoffice aktualisieren“ ist gefahrlos: Zeitrechnung zeigt dann, was lexoffice anders hat."
                )))
            }
            Err(e) => return Err(write_error(e)),
        }
    };
    let version = written.version;
    let saved = store_change(core, c.id, move |mut cur| {
        if version.is_some() {
            cur.lexoffice_version = version;
        }
        // Sent with a tax-free Steuerart: lexoffice allows tax-free invoices now.
        if cur.kind == crate::storage::CustomerKind::Company
            && cur.tax.case != crate::storage::TaxCase::Standard
        {
            cur.tax.tax_free_allowed = Some(true);
        }
        cur.changed_in_app = false;
        cur.lexoffice_base = None;
        cur.updated_at = crate::de::clock::now();
        Ok(cur)
    })
    .await?;
    Ok(PushOutcome::Done {
        message: with_notes(
            format!(
                "Die Änderungen an „{}“ wurden an lexoffice übertragen.",
                saved.name
            ),
            &notes,
        ),
        detail: Box::new(detail_of(saved)),
    })
}

/// „In lexoffice anlegen“ / „Trotzdem neu anlegen“ / „In lexoffice
/// aktualisieren“ / „Meine Änderungen senden“ (`version` from the conflict).
pub async fn push(
    core: &Core,
    id: u64,
    mode: PushMode,
    version: Option<i64>,
) -> AppResult<PushOutcome> {
    let _one = core.push_lock.try_lock().map_err(|_| busy())?;
    let _customer = hold_customer(core, id).await?;
    let c = load(core, id).await?;
    // What lexoffice would refuse is said here, before anything is sent.
    super::vat_id::check_for_lexoffice(&c)?;
    match mode {
        PushMode::Create | PushMode::CreateAnyway => create(core, c, mode).await,
        PushMode::Update | PushMode::UpdateAnyway => update(core, c, mode, version).await,
    }
}

/// „Mit diesem Kontakt verknüpfen“: links a customer typed in here to an
/// existing lexoffice contact, without creating anything.
pub async fn link(core: &Core, id: u64, contact_id: String) -> AppResult<PushOutcome> {
    let _one = core.push_lock.try_lock().map_err(|_| busy())?;
    let _customer = hold_customer(core, id).await?;
    let c = load(core, id).await?;
    if c.lexoffice_id.is_some() {
        return Err(AppError::validation(
            "Kunde",
            "Dieser Kunde ist bereits mit lexoffice verknüpft.",
        ));
    }
    let store = core.store.clone();
    let wanted = contact_id.clone();
    let other = blocking(move || {
        Ok(store
            .customers()?
            .into_iter()
            .find(|x| x.id != id && x.lexoffice_id.as_deref() == Some(wanted.as_str())))
    })
    .await?;
    if let Some(other) = other {
        return Err(AppError::validation(
            "lexoffice-Kontakt",
            format!(
                "Dieser lexoffice-Kontakt ist schon mit „{}“ verknüpft. Bitte einen anderen wählen.",
                other.name
            ),
        ));
    }
    let key = load_key(core).await?;
    let client = core.client()?;
    let contact = client.contact(&key, &contact_id).await?;
    if !contact.is_customer() {
        return Err(AppError::validation(
            "lexoffice-Kontakt",
            "Dieser lexoffice-Kontakt ist kein Kunde (keine Kundenrolle).",
        ));
    }
    let saved = store_change(core, id, move |cur| Ok(linked(cur, &contact))).await?;
    Ok(PushOutcome::Done {
        message: format!(
            "„{}“ ist jetzt mit lexoffice verknüpft{}.",
            saved.name,
            number_text(&saved)
        ),
        detail: Box::new(detail_of(saved)),
    })
}

/// „lexoffice-Stand übernehmen“: the contact's current data replace the
/// edits made here (app-only fields such as rates stay).
pub async fn take_lexoffice(core: &Core, id: u64) -> AppResult<PushOutcome> {
    let _one = core.push_lock.try_lock().map_err(|_| busy())?;
    let _customer = hold_customer(core, id).await?;
    let c = load(core, id).await?;
    let Some(lex_id) = c.lexoffice_id.clone() else {
        return Err(AppError::validation(
            "Kunde",
            "Dieser Kunde ist nicht mit lexoffice verknüpft.",
        ));
    };
    let key = load_key(core).await?;
    let contact = core.client()?.contact(&key, &lex_id).await?;
    let saved = store_change(core, id, move |cur| Ok(linked(cur, &contact))).await?;
    Ok(PushOutcome::Done {
        message: format!("Der lexoffice-Stand von „{}“ wurde übernommen.", saved.name),
        detail: Box::new(detail_of(saved)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names() {
        assert!(names_close(
            "Nordlicht Software GmbH",
            "nordlicht  software"
        ));
        assert!(names_close(
            "Nordlicht Software GmbH & Co. KG",
            "Nordlicht Software GmbH"
        ));
        assert!(names_close(
            "Nordlicht Software Kiel GmbH",
            "Nordlicht Software"
        ));
        assert!(names_close("Hans Müller", "Müller"));
        assert!(!names_close("Nordlicht Software", "Südlicht Software"));
        assert!(!names_close("AB", "AB Bau"), "too short to be close");
    }

    #[test]
    fn search_terms() {
        let mut c = crate::kunden::validate(&crate::kunden::CustomerInput {
            name: "Müller & Söhne Bau GmbH & Co. KG".into(),
            ..Default::default()
        })
        .unwrap()
        .1;
        assert_eq!(search_term(&c).as_deref(), Some("Müller & Söhne Bau"));
        c.kind = CustomerKind::Person;
        c.name = "Hans Peter Müller".into();
        assert_eq!(search_term(&c).as_deref(), Some("Müller"));
        c.name = "Li".into();
        assert_eq!(search_term(&c), None);
    }

    /// A refusal (406, legacy issue list) names the field in German.
    #[test]
    fn a_contact_refusal_names_the_field() {
        let body = crate::lexoffice::parse_error_body(
            br#"{"requestId":"0b6f","IssueList":[{"i18nKey":"invalid_value","source":"company.vatRegistrationId","type":"validation_failure"},{"i18nKey":"invalid_value","source":"addresses.billing[0].zip","type":"validation_failure"}]}"#,
        );
        let e = write_error(LexofficeError::Status { status: 406, body });
        assert_eq!(
            e.to_string(),
            "lexoffice nimmt diesen Kontakt nicht an: „USt-IdNr.“, „PLZ“ sind ungültig. Bitte im Kunden korrigieren und es dann erneut versuchen."
        );
    }
}
