//! lexoffice Rechnung: from a project's open times and services to one lexoffice
//! draft — previewed with lexoffice's own rounding, sent once, never billed twice.
//!
//! Sending (`create`):
//! 1. the plan is computed (`billing::build`) from the open, billable entries of
//!    the project and its subprojects in the period;
//! 2. an attempt record is written and the entries are reserved for it, in one
//!    transaction, flushed;
//! 3. one `POST /v1/invoices`;
//! 4. 2xx → entries billed with the draft's id (one transaction), deeplink opened;
//!    a definite rejection (4xx) → entries released, the reason shown;
//!    timeout, connection loss, 5xx or 504 → the POST is NOT repeated: the
//!    attempt stays "unklar" and is reconciled against lexoffice's voucher list
//!    (a draft for that contact, created since the attempt, with the same gross
//!    total): found → billed; certainly absent → released; otherwise the user
//!    is asked to check.

mod create;
mod history;
mod missing;
mod plan;
mod previewed;
mod reconcile;
mod sync;
mod view;

pub use create::*;
pub use history::*;
pub use missing::{deletion_confirmed, APART as MISSING_APART, YOUNG as MISSING_YOUNG};
pub use plan::*;
pub use previewed::Previewed;
pub use reconcile::*;
pub use sync::*;
pub use view::*;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::abrechnung::{layout_choices, LayoutChoice, StyleView, REMARK_REPLACED};
use crate::billing::pricing::{self, Pricing};
use crate::billing::rates::Overrides;
use crate::billing::{self, BillingInput, BillingProblem, Group, PreviewLine, RateUse, Totals};
use crate::core::{blocking, Core};
use crate::de::clock::today_berlin;
use crate::de::format::{self, date as de_date, format_de, minutes as format_minutes};
use crate::de::parse;
use crate::error::{AppError, AppResult};
use crate::lexoffice::{LexofficeError, VoucherItem};
use crate::model::{lexoffice_tax_note, unsettled};
use crate::projekte;
use crate::secrets::ApiKey;
use crate::storage::{
    BillingState, Customer, Entry, Hold, InvoiceRecord, InvoiceState, Project, Store,
};

/// A look at an attempt whose POST another seat (at `place`) is sending
/// right now (docs/database.md › Holds).
pub fn attempt_in_flight(place: &str) -> String {
    format!("Dieser Entwurf wird gerade {place} erstellt. Bitte in einer Minute erneut prüfen.")
}

/// What the dialog sends: the fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceRequest {
    pub project_id: u64,
    pub from: String,
    pub to: String,
    /// „Stundensatz“: empty = every entry at its own rate (`billing::rates`).
    pub rate: String,
    pub list_subprojects: bool,
    /// Rates of the list changed for this invoice only.
    pub rates: Vec<RateEdit>,
    /// „Aufstellung“ (`Layout::key`); None = the customer's remembered or the firm's.
    pub layout: Option<String>,
    /// „Positionstext“; None = remembered/default, blank = the layout's default.
    pub line_text: Option<String>,
    /// Titel, Einleitung, Schlusstext as shown; None = remembered/default,
    /// blank = not sent (lexoffice uses the organisation's own text).
    pub title: Option<String>,
    pub introduction: Option<String>,
    pub remark: Option<String>,
    /// „Nicht abrechenbare Zeiten als Kulanz zeigen“.
    pub goodwill_unbillable: bool,
    /// „Bearbeiten“, „Entfernen“, „Als Kulanz“ on lines of the preview.
    pub edits: Vec<LineEditRequest>,
    /// „Position hinzufügen“.
    pub extra_lines: Vec<LineValuesRequest>,
    /// „Für diesen Kunden merken“: Aufstellung, Positionstext and texts become
    /// the customer's default when the draft is created.
    pub remember: bool,
    /// „Nur ‹Steuerart› abrechnen“ (`TaxCase::key`): only the (sub)projects of
    /// this Steuerart go on the draft; None = all (blocked when they differ).
    pub tax_case: Option<String>,
    /// „Erstellen“: the preview confirmed (`Preview::confirm`). If the draft
    /// would differ from it now, nothing is sent. None = no preview was shown
    /// („Entwürfe erstellen“).
    pub confirmed: Option<String>,
}

/// One edit of a preview line, as the dialog sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct LineEditRequest {
    /// `PreviewLine::key`.
    pub key: String,
    /// `remove`, `goodwill` or `set` (with `values`).
    pub action: String,
    pub values: Option<LineValuesRequest>,
}

/// A line's values as typed in the „Bearbeiten“ / „Position hinzufügen“ form
/// (the same fields the preview hands the form).
pub type LineValuesRequest = billing::LineValuesForm;

/// One rate of the dialog's list, changed for this invoice.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RateEdit {
    /// The rate as listed (`RateUse::listed`, e.g. "85").
    pub listed: String,
    /// As typed („92,50“).
    pub rate: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialogDefaults {
    pub project_name: String,
    pub customer_name: Option<String>,
    pub has_subprojects: bool,
    pub last_month: (String, String),
    pub this_month: (String, String),
    /// First and last date of the open billable entries, if any.
    pub all_open: Option<(String, String)>,
    /// The choices of „Aufstellung“ with their default Positionstext.
    pub layouts: Vec<LayoutChoice>,
    /// What the dialog starts with: the customer's remembered style, else the firm's.
    pub style: StyleView,
    /// „Für diesen Kunden gemerkt“ / „Standard aus Einstellungen › Abrechnung“.
    pub style_source: String,
    /// Placeholders for the hints: `{Datum}, {Mitarbeiter}, …`.
    pub line_placeholders: String,
    pub text_placeholders: String,
    /// The project has non-billable open times (the Kulanz option is offered).
    pub has_unbillable: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAddress {
    pub name: String,
    pub number: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// Nothing blocks: Erstellen may be clicked.
    pub ok: bool,
    /// Blocking problems, each one German sentence.
    pub problems: Vec<String>,
    /// Notes that do not block (entries left out, …).
    pub notes: Vec<String>,
    pub lines: Vec<PreviewLine>,
    pub totals: Option<Totals>,
    /// "03.03.2025 – 28.03.2025" or one day
    pub service_period: Option<String>,
    pub customer: Option<CustomerAddress>,
    pub small_business: bool,
    /// The Steuerart when it is not Standard: „Steuerart §13b Bauleistung: …“.
    pub tax_rule: Option<String>,
    /// The note the invoice carries for it, as shown: „Hinweis auf der Rechnung: …“.
    pub tax_note: Option<String>,
    /// „Privatkunde (§35a)“: the sentence added to the Schlusstext.
    pub labour_sentence: Option<String>,
    pub entry_count: usize,
    /// Recorded time, `7:20 h`.
    pub hours_display: String,
    /// Billed time after the Abrechnungstakt, `7:30 h`.
    pub billed_hours_display: String,
    /// The hourly rates in use (the list under „Stundensatz“).
    pub rates: Vec<RateUse>,
    /// `85,00` when all time has one rate (the field shows it), else None („gemischt“).
    pub uniform_rate: Option<String>,
    /// The customer to open in lexoffice to fix its billing addresses.
    pub fix_contact_customer_id: Option<u64>,
    /// Over 300 lines: the next coarser Aufstellung, offered as a button.
    pub coarser_layout: Option<LayoutChoice>,
    /// Lines taken out with „Entfernen“ (offered back).
    pub removed: Vec<crate::billing::RemovedLine>,
    /// The field a blocking problem belongs to (its German label: „Positionstext“,
    /// „Titel“, „Einleitung“, „Schlusstext“), so the dialog shows it there too;
    /// „Steuerart“ when the lines would need different Steuerarten.
    pub problem_field: Option<&'static str>,
    /// Its key (`error::FIELDS`): the dialog places the problem by this.
    pub problem_field_key: Option<&'static str>,
    /// The lines would need different Steuerarten: one button per Steuerart,
    /// „Nur §13b Bauleistung abrechnen“.
    pub tax_choices: Vec<TaxChoice>,
    /// „Nur §13b Bauleistung abrechnen“ is on: what it leaves for a later draft.
    pub tax_only: Option<String>,
    /// „Privatkunde (§35a)“ with a blank Schlusstext: the sentence replaces the
    /// firm's own closing text in lexoffice (shown with a way to the settings).
    pub remark_replaced: Option<String>,
    /// What „Erstellen“ sends back (`InvoiceRequest::confirmed`): this draft —
    /// its body, its entries and their versions — in one word.
    pub confirm: String,
}

/// One Steuerart of a draft that would mix them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxChoice {
    /// `TaxCase::key`, sent back as `InvoiceRequest::tax_case`.
    pub key: &'static str,
    /// „Nur §13b Bauleistung abrechnen“
    pub label: String,
    /// „Regale, Elektrik“: the (sub)projects billed with it.
    pub projects: String,
}

fn month_bounds(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = d.with_day(1).unwrap_or(d);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).unwrap_or(first);
    (first, last)
}

/// Everything the plan needs, read in one go.
struct Context {
    project: Project,
    subs: Vec<Project>,
    customer: Option<Customer>,
    entries: Vec<(Entry, u64)>,
    /// The cached profile says vatfree (Kleinunternehmer or tax-exempt).
    vatfree: bool,
    /// In words, for the note when it changed since the last draft.
    tax_words: &'static str,
    /// Whether the newest draft of any project went out vatfree.
    last_draft_vatfree: Option<bool>,
    default_tax: Decimal,
    pricing: Pricing,
    /// What earlier drafts (of any project) billed, and their names.
    prior: pricing::PriorIndex,
    /// The customer's remembered style, else the firm's.
    style: crate::storage::InvoiceStyle,
    /// The Steuerart: the project's, its main project's, else the customer's.
    tax_case: crate::storage::TaxCase,
    /// The Steuerart of each project of the family: a subproject's own, else
    /// the billed project's (`tax_case`).
    tax_cases: HashMap<u64, crate::storage::TaxCase>,
    tax_notes: crate::storage::TaxNotes,
    style_remembered: bool,
    /// The reserved entries' attempts that a seat is sending right now, with
    /// where („am Arbeitsplatz EMPFANG-PC“); the others are unclear.
    in_flight: HashMap<String, String>,
}

/// `period`: only the entries of these days are read (the preview and the draft
/// need no others); None = all (the dialog's defaults).
fn context(
    store: &Store,
    project_id: u64,
    period: Option<(NaiveDate, NaiveDate)>,
) -> AppResult<Context> {
    let (project, subs) = projekte::family(store, project_id)?;
    let settings = store.settings()?;
    let (parent, customer) = store.parent_and_customer(&project)?;
    let pricing = Pricing::load(
        &project,
        parent.as_ref(),
        &subs,
        customer.as_ref(),
        &settings,
    );
    let (lo, hi) = period.unwrap_or((NaiveDate::MIN, NaiveDate::MAX));
    let family: Vec<u64> = std::iter::once(project.id)
        .chain(subs.iter().map(|s| s.id))
        .collect();
    let entries: Vec<(Entry, u64)> = store
        .entries_in_projects(&family, lo, hi)?
        .into_iter()
        .map(|e| {
            let pid = e.project_id;
            (e, pid)
        })
        .collect();
    let all_records = store.invoice_records()?;
    let in_flight = attempts_in_flight(store, &entries, &all_records);
    let last_draft_vatfree = all_records
        .iter()
        .filter(|r| r.vatfree.is_some() && r.lexoffice_id.is_some())
        .max_by_key(|r| r.created_at)
        .and_then(|r| r.vatfree);
    let prior = pricing::PriorIndex::of(&all_records);

    let style_remembered = customer.as_ref().is_some_and(|c| c.invoice_style.is_some());
    let style = crate::storage::InvoiceStyle::for_customer(customer.as_ref(), &settings).clone();
    let tax_case = project
        .tax_case
        .or(parent.as_ref().and_then(|p| p.tax_case))
        .or(customer.as_ref().map(|c| c.tax.case))
        .unwrap_or_default();
    let tax_cases = std::iter::once((project.id, tax_case))
        .chain(subs.iter().map(|s| (s.id, s.tax_case.unwrap_or(tax_case))))
        .collect();
    Ok(Context {
        style,
        tax_case,
        tax_cases,
        tax_notes: settings.tax_notes.clone(),
        style_remembered,
        vatfree: settings.profile.as_ref().is_some_and(|p| p.vatfree()),
        tax_words: settings
            .profile
            .as_ref()
            .map(|p| p.tax_words())
            .unwrap_or("mit Umsatzsteuer"),
        last_draft_vatfree,
        default_tax: settings.default_tax_rate,
        project,
        subs,
        customer,
        entries,
        pricing,
        prior,
        in_flight,
    })
}

/// Of the attempts that hold some of `entries`, those a seat is sending now —
/// still „wird gesendet“ and held (the hold alone could also be another
/// seat's „Erneut prüfen“ of an unclear one) — with where; one look at the
/// server per such attempt, none when no entry is reserved. A look that fails
/// leaves the attempt unclear (the preview still shows).
fn attempts_in_flight(
    store: &Store,
    entries: &[(Entry, u64)],
    records: &[crate::model::InvoiceRecord],
) -> HashMap<String, String> {
    let mut attempts: Vec<&str> = entries
        .iter()
        .filter_map(|(e, _)| match &e.billing {
            BillingState::Reserved { attempt } => Some(attempt.as_str()),
            _ => None,
        })
        .collect();
    attempts.sort_unstable();
    attempts.dedup();
    let mut in_flight = HashMap::new();
    for attempt in attempts {
        let sending = records
            .iter()
            .any(|r| r.id.to_string() == attempt && r.state == crate::model::InvoiceState::Pending);
        if !sending {
            continue;
        }
        if let Some(pc) = previewed::attempt_holder(store, attempt) {
            in_flight.insert(attempt.to_string(), format!("am Arbeitsplatz {pc}"));
        }
    }
    in_flight
}

struct Parsed {
    from: NaiveDate,
    to: NaiveDate,
    overrides: Overrides,
    /// As sent; None = the context's style decides (`Parsed::style`).
    layout: Option<crate::storage::Layout>,
    line_text: Option<String>,
    title: Option<String>,
    introduction: Option<String>,
    remark: Option<String>,
    goodwill_unbillable: bool,
    edits: Vec<billing::LineEdit>,
    extra_lines: Vec<billing::LineValues>,
    remember: bool,
    /// „Nur ‹Steuerart› abrechnen“.
    only_tax: Option<crate::storage::TaxCase>,
}

impl Parsed {
    /// The style of this invoice: what the dialog sent over the remembered one.
    fn style(&self, base: &crate::storage::InvoiceStyle) -> crate::storage::InvoiceStyle {
        let layout = self.layout.unwrap_or(base.layout);
        let line_text = match &self.line_text {
            Some(t) => t.clone(),
            // Another layout than the remembered one: its own default text.
            None if layout != base.layout => String::new(),
            None => base.line_text.clone(),
        };
        crate::storage::InvoiceStyle {
            layout,
            // Stored blank when it is the layout's default, so a later change
            // of the default reaches it.
            line_text: if line_text.trim() == layout.default_text().trim() {
                String::new()
            } else {
                line_text
            },
            title: self.title.clone().unwrap_or_else(|| base.title.clone()),
            introduction: self
                .introduction
                .clone()
                .unwrap_or_else(|| base.introduction.clone()),
            remark: self.remark.clone().unwrap_or_else(|| base.remark.clone()),
        }
    }
}

/// The typed values of a line, checked and parsed.
fn parse_values(v: &LineValuesRequest) -> AppResult<billing::LineValues> {
    use crate::projekte::{clean, decimal_field};
    let name = clean(
        "Bezeichnung",
        &v.name.replace('\n', " "),
        billing::MAX_LINE_NAME_LEN,
    )?;
    if name.is_empty() {
        return Err(AppError::validation(
            "Bezeichnung",
            "Bitte eine Bezeichnung eingeben.",
        ));
    }
    Ok(billing::LineValues {
        name,
        description: clean(
            "Beschreibung",
            &v.description,
            billing::MAX_LINE_DESCRIPTION_LEN,
        )?,
        quantity: decimal_field("Menge", &v.quantity, 4)?,
        unit: clean("Einheit", &v.unit, crate::model::entry_rules::UNIT_CHARS)?,
        unit_price: decimal_field("Einzelpreis", &v.unit_price, 4)?,
        tax_rate: parse::parse_tax_rate(&v.tax_rate)
            .map_err(|m| AppError::validation("Steuersatz", m))?,
        art: match v.art.trim() {
            "" => None,
            a => Some(crate::storage::ServiceArt::from_label(a).ok_or_else(|| {
                AppError::validation(
                    "Art",
                    "Bitte als Art „Arbeit“, „Material“ oder „Fahrt“ wählen.",
                )
            })?),
        },
    })
}

fn parse_request(req: &InvoiceRequest) -> AppResult<Parsed> {
    let today = today_berlin();
    let from = parse::parse_date_typed(&req.from, today)
        .map_err(|m| AppError::validation("Von", m).at("from"))?;
    let to = parse::parse_date_typed(&req.to, today)
        .map_err(|m| AppError::validation("Bis", m).at("to"))?;
    if to < from {
        return Err(AppError::validation(
            "Bis",
            "„Bis“ liegt vor „Von“. Bitte den Zeitraum prüfen.",
        )
        .at("to"));
    }
    let all = crate::money::parse_optional_rate(&req.rate)?;
    let mut by_rate = Vec::new();
    for edit in &req.rates {
        let listed = Decimal::from_str(edit.listed.trim()).map_err(|_| {
            AppError::validation(
                "Stundensatz",
                "Dieser Stundensatz steht nicht mehr in der Liste. Bitte die Vorschau neu laden.",
            )
        })?;
        if let Some(rate) = crate::money::parse_optional_rate(&edit.rate)? {
            by_rate.push((listed.normalize(), rate));
        }
    }
    let layout = match req.layout.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(crate::storage::Layout::from_key(k).ok_or_else(|| {
            AppError::validation(
                "Aufstellung",
                "Diese Aufstellung gibt es nicht. Bitte eine aus der Liste wählen.",
            )
        })?),
    };
    let mut edits = Vec::new();
    for e in &req.edits {
        let change =
            match (e.action.as_str(), &e.values) {
                ("remove", _) => billing::LineChange::Remove,
                ("goodwill", _) => billing::LineChange::Goodwill,
                ("set", Some(v)) => billing::LineChange::Set(parse_values(v)?),
                _ => return Err(AppError::validation(
                    "Rechnung",
                    "Diese Änderung an einer Position ist unbekannt. Bitte die Vorschau neu laden.",
                )),
            };
        edits.push(billing::LineEdit {
            key: e.key.clone(),
            change,
        });
    }
    let extra_lines = req
        .extra_lines
        .iter()
        .map(parse_values)
        .collect::<AppResult<Vec<_>>>()?;
    let text = |field: &'static str, t: &Option<String>, max: usize| -> AppResult<Option<String>> {
        t.as_deref()
            .map(|t| crate::projekte::clean(field, t, max))
            .transpose()
    };
    let only_tax = match req.tax_case.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(crate::storage::TaxCase::from_key(k).ok_or_else(|| {
            AppError::validation(
                "Steuerart",
                "Diese Steuerart gibt es nicht. Bitte die Vorschau neu laden.",
            )
        })?),
    };
    Ok(Parsed {
        only_tax,
        from,
        to,
        overrides: Overrides { all, by_rate },
        layout,
        line_text: text("Positionstext", &req.line_text, billing::MAX_TEXT_LEN)?,
        title: text("Titel", &req.title, billing::MAX_TEXT_LEN)?,
        introduction: text("Einleitung", &req.introduction, billing::MAX_TEXT_LEN)?,
        remark: text("Schlusstext", &req.remark, billing::MAX_TEXT_LEN)?,
        goodwill_unbillable: req.goodwill_unbillable,
        edits,
        extra_lines,
        remember: req.remember,
    })
}

fn problem_text(p: &BillingProblem) -> String {
    p.to_string()
}

async fn has_key(core: &Core) -> bool {
    let secrets = core.secrets.clone();
    matches!(blocking(move || Ok(secrets.load())).await, Ok(Ok(Some(_))))
}

async fn load_key(core: &Core) -> AppResult<ApiKey> {
    core.api_key().await
}
