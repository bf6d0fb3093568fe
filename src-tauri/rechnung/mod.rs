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
mod plan;
pub mod pricing;
mod reconcile;
mod view;

pub use create::*;
pub use history::*;
pub use plan::*;
pub use reconcile::*;
pub use view::*;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::billing::rates::Overrides;
use crate::billing::{self, BillingInput, BillingProblem, Group, PreviewLine, RateUse, Totals};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::format::format_de;
use crate::format::{self, date as de_date, minutes as format_minutes};
use crate::lexoffice::{LexofficeError, VoucherItem};
use crate::projekte::{self, parse};
use crate::secrets::ApiKey;
use crate::storage::{BillingState, Customer, Entry, InvoiceRecord, InvoiceState, Project, Store};
pub use pricing::Pricing;

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
}

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
}

/// Today in Germany (voucher dates, the dialog's months, today's rate).
pub fn today_berlin() -> NaiveDate {
    Utc::now().with_timezone(&Berlin).date_naive()
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
    records: Vec<InvoiceRecord>,
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
    let (parent, customer) = projekte::parent_and_customer(store, &project)?;
    let pricing = Pricing::load(
        &project,
        parent.as_ref(),
        &subs,
        customer.as_ref(),
        &settings,
    );
    let (lo, hi) = period.unwrap_or((NaiveDate::MIN, NaiveDate::MAX));
    let mut entries: Vec<(Entry, u64)> = Vec::new();
    for p in std::iter::once(&project).chain(subs.iter()) {
        entries.extend(
            store
                .entries_in(p.id, lo, hi)?
                .into_iter()
                .map(|e| (e, p.id)),
        );
    }
    let all_records = store.invoice_records()?;
    let last_draft_vatfree = all_records
        .iter()
        .filter(|r| r.vatfree.is_some() && r.lexoffice_id.is_some())
        .max_by_key(|r| r.created_at)
        .and_then(|r| r.vatfree);
    let family = projekte::family_ids(&project, &subs);
    let records = all_records
        .into_iter()
        .filter(|r| family.contains(&r.project_id))
        .collect();
    Ok(Context {
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
        records,
    })
}

struct Parsed {
    from: NaiveDate,
    to: NaiveDate,
    overrides: Overrides,
}

fn parse_request(req: &InvoiceRequest) -> AppResult<Parsed> {
    let from = parse::parse_date(&req.from).map_err(|m| AppError::validation("Von", m))?;
    let to = parse::parse_date(&req.to).map_err(|m| AppError::validation("Bis", m))?;
    if to < from {
        return Err(AppError::validation(
            "Bis",
            "„Bis“ liegt vor „Von“. Bitte den Zeitraum prüfen.",
        ));
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
    Ok(Parsed {
        from,
        to,
        overrides: Overrides { all, by_rate },
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
    let secrets = core.secrets.clone();
    blocking(move || {
        secrets
            .load()
            .map_err(|e| AppError::Keyring(e.to_string()))?
            .ok_or(AppError::NotConnected)
    })
    .await
}
