//! Invoice building (pure): a project's billable times and services plus the
//! invoice dialog's choices → the exact lexoffice `POST /v1/invoices` body, the
//! line items for the preview and the totals lexoffice will show.
//!
//! No I/O, no clock, no Tauri: everything comes in through [`BillingInput`]
//! (including `today`), so the same input always yields the same draft.
//!
//! Rules (docs/architecture.md › Billing rules, docs/lexoffice.md › Creating an invoice, Totals and rounding):
//! - Line items are `custom`; with "Unterprojekte einzeln auflisten" every group
//!   with billable entries gets a `text` heading (its name), then its time line,
//!   then its service lines. Without it: one time line for the whole project, then
//!   the service lines of the whole project. At most 300 items (headings count).
//! - Time: total minutes / 60, half-up to 4 decimals, unit "Stunde", the dialog's
//!   hourly rate, `time_tax_rate` (0 for Kleinunternehmer). Minutes are summed
//!   before dividing, so a line is never off by the rounding of single entries.
//! - Services with equal name, unit, unit price and tax rate in the same group
//!   (the whole project when not listing subprojects) become one line, quantities
//!   added; lines are ordered by their first date.
//! - Entries with 0 minutes / quantity 0 are skipped (and not billed).
//! - Amounts: `round2(quantity × unit price)` half-up; totals per docs/lexoffice.md › Totals and rounding ([`totals_of`]).
//! - Texts: title (default "Rechnung", ≤ 25), introduction and remark (defaults
//!   below, ≤ 2000 each; `{von}`, `{bis}`, `{projekt}` are filled in), line names
//!   ≤ 255 and descriptions ≤ 2000 (shortened with "…"). Lengths count UTF-16
//!   units like lexoffice does. A blank (or missing) text means the default.
//! - The hourly rate is only checked (> 0, ≤ 4 decimals) when there is time to bill.
//!
//! Serialisation: all output types serialise camelCase; every Decimal is a
//! string ("7.3333", amounts always with 2 decimals: "623.33"), never a float.
//! Ready-made de-DE strings (from `crate::money`) sit next to the values in the
//! `…Display` fields (`"7,3333"`, `"85,00 €"`, `"19 %"`), so the UI needs no
//! number formatting of its own. In `request` money and quantities are JSON
//! numbers, as lexoffice expects (built from the decimal text, see `request.rs`).

pub mod rates;
mod request;
pub mod rounding;
mod text;
mod totals;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::format::{format_de, format_eur};

pub use request::berlin_midnight;
pub use text::{default_introduction, text_len};
pub use totals::{line_amount, round2, totals_of};

/// lexoffice accepts at most 300 line items (text items included).
pub const MAX_LINE_ITEMS: usize = 300;
pub const MAX_TITLE_LEN: usize = 25;
pub const MAX_TEXT_LEN: usize = 2000;
pub const MAX_LINE_NAME_LEN: usize = 255;
pub const MAX_LINE_DESCRIPTION_LEN: usize = 2000;
/// Line descriptions list the single days only up to this many distinct days.
pub const MAX_DATES_LISTED: usize = 10;
/// Largest net amount of one line we send (far above any real invoice; keeps all
/// sums exact and every JSON number round-trippable).
pub const MAX_LINE_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// The unit when none is set (Einstellungen › Abrechnung sets „Std.“ by default).
pub const HOUR_UNIT: &str = "Std.";
pub const DEFAULT_TITLE: &str = "Rechnung";
pub const DEFAULT_REMARK: &str = "Vielen Dank für Ihren Auftrag.";
pub const TIME_LINE_PREFIX: &str = "Arbeitszeit";

// ---------------------------------------------------------------- input

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingInput {
    /// lexoffice contact id of the customer → `address: {contactId}` only.
    pub contact_id: String,
    pub project_name: String,
    /// The dialog's Von/Bis (used in the texts).
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// How time lines state hours (unit, 2 or 4 decimals).
    pub hours: crate::storage::HourFormat,
    /// "Unterprojekte einzeln auflisten".
    pub list_subprojects: bool,
    /// Kleinunternehmer: taxType vatfree, every rate 0.
    pub small_business: bool,
    /// Tax rate of the time lines (19 by default).
    pub time_tax_rate: Decimal,
    /// voucherDate = today 00:00 Europe/Berlin.
    pub today: NaiveDate,
    pub title: Option<String>,
    pub introduction: Option<String>,
    pub remark: Option<String>,
    /// `groups[0]` = the project itself, then its subprojects in display order.
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub project_id: u64,
    pub name: String,
    pub is_subproject: bool,
    /// The Abrechnungstakt that applies to this group's times.
    pub rounding: crate::storage::Rounding,
    pub times: Vec<TimeItem>,
    pub services: Vec<ServiceItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeItem {
    pub entry_id: u64,
    pub date: NaiveDate,
    pub minutes: u32,
    pub employee: String,
    pub employee_id: Option<u64>,
    /// From `rates::resolve`; None = no rate anywhere (the draft is blocked).
    pub rate: Option<rates::Resolved>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceItem {
    pub entry_id: u64,
    pub date: NaiveDate,
    pub name: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit: String,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
}

// ---------------------------------------------------------------- output

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    Custom,
    Text,
}

/// One line item exactly as sent. `Text` lines (headings) carry only a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewLine {
    pub kind: LineKind,
    pub name: String,
    pub description: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub quantity: Option<Decimal>,
    pub unit: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub unit_price: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub tax_rate: Option<Decimal>,
    /// round2(quantity × unit price), what lexoffice shows as `lineItemAmount`.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub amount: Option<Decimal>,
    /// de-DE: `7,3333`
    pub quantity_display: Option<String>,
    /// de-DE: `85,1234 €`
    pub unit_price_display: Option<String>,
    /// de-DE: `19 %`
    pub tax_rate_display: Option<String>,
    /// de-DE: `623,33 €`
    pub amount_display: Option<String>,
    /// Time lines: where the rate came from („Geselle · Kunde“), shown in the
    /// preview only.
    pub rate_source: Option<String>,
}

impl PreviewLine {
    /// A heading (`text` item, name only).
    pub fn text(name: impl Into<String>) -> Self {
        PreviewLine {
            kind: LineKind::Text,
            name: name.into(),
            description: None,
            quantity: None,
            unit: None,
            unit_price: None,
            tax_rate: None,
            amount: None,
            quantity_display: None,
            unit_price_display: None,
            tax_rate_display: None,
            amount_display: None,
            rate_source: None,
        }
    }

    /// A priced `custom` line; values are normalised, the amount computed (docs/lexoffice.md › Totals and rounding).
    /// None when quantity × price does not fit a Decimal.
    pub fn custom(
        name: impl Into<String>,
        description: Option<String>,
        quantity: Decimal,
        unit: impl Into<String>,
        unit_price: Decimal,
        tax_rate: Decimal,
    ) -> Option<Self> {
        let quantity = quantity.normalize();
        let unit_price = unit_price.normalize();
        let tax_rate = tax_rate.normalize();
        let amount = line_amount(quantity, unit_price)?;
        Some(PreviewLine {
            kind: LineKind::Custom,
            name: name.into(),
            description,
            quantity: Some(quantity),
            unit: Some(unit.into()),
            unit_price: Some(unit_price),
            tax_rate: Some(tax_rate),
            amount: Some(amount),
            quantity_display: Some(format_de(quantity, 0)),
            unit_price_display: Some(format_eur(unit_price)),
            tax_rate_display: Some(totals::rate_display(tax_rate)),
            amount_display: Some(format_eur(amount)),
            rate_source: None,
        })
    }
}

/// One row of lexoffice's `taxAmounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxLine {
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    /// `19 %`
    pub rate_display: String,
    /// `1.234,50 €`
    pub net_display: String,
    pub tax_display: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    /// One per tax rate used (0 % included), ascending.
    pub taxes: Vec<TaxLine>,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    pub net_display: String,
    pub tax_display: String,
    pub gross_display: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoicePlan {
    /// The exact POST /v1/invoices body.
    pub request: Value,
    /// The line items exactly as sent (same order), for the preview.
    pub lines: Vec<PreviewLine>,
    /// What lexoffice will show (docs/lexoffice.md › Totals and rounding, net mode).
    pub totals: Totals,
    /// First and last day of the billed entries (= shippingConditions).
    pub service_from: NaiveDate,
    pub service_to: NaiveDate,
    /// Every entry billed on this draft: the time entries' ids first, then the
    /// services' ids (both also separately below, in case the id spaces overlap).
    pub entry_ids: Vec<u64>,
    pub time_entry_ids: Vec<u64>,
    pub service_entry_ids: Vec<u64>,
    /// Recorded minutes of the billed times.
    pub total_minutes: u64,
    /// The same after the Abrechnungstakt.
    pub billed_minutes: u64,
    /// Every hourly rate in use, for the dialog's list (by first use).
    pub rates: Vec<RateUse>,
}

/// One hourly rate of the draft, for the dialog's list under „Stundensatz“.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateUse {
    /// The rate as resolved before a change in the list (`"85"`), the key a change refers to.
    #[serde(with = "rust_decimal::serde::str")]
    pub listed: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
    /// `85,00` (for the input field)
    pub rate_input: String,
    /// `85,00 €/h`
    pub rate_display: String,
    /// „Geselle · Kunde, Standard“
    pub sources: String,
    pub billed_minutes: u64,
    /// `12:30 h`
    pub hours_display: String,
}

// ---------------------------------------------------------------- problems

/// Why no invoice can be built, in words a clerk understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillingProblem {
    #[error("Im gewählten Zeitraum gibt es keine offenen Zeiten oder Leistungen, die abgerechnet werden können.")]
    NothingBillable,
    #[error("Für einen Teil der Zeit ist kein Stundensatz hinterlegt – weder beim Projekt, beim Kunden, beim Mitarbeiter, bei seiner Rolle noch unter Einstellungen › Schnittstellen. Bitte einen Stundensatz eingeben.")]
    NoRate,
    #[error("Der Stundensatz darf höchstens 4 Nachkommastellen haben.")]
    InvalidRate,
    #[error("Die Rechnung hätte {lines} Positionen, lexoffice erlaubt höchstens 300 – bitte „Unterprojekte einzeln auflisten“ abwählen oder einen kürzeren Zeitraum wählen.")]
    TooManyLines { lines: usize },
    #[error("Der Rechnungstitel darf höchstens 25 Zeichen lang sein (jetzt {chars}).")]
    TitleTooLong { chars: usize },
    #[error("Der Text „{field}“ darf höchstens 2.000 Zeichen lang sein (jetzt {}).", format_de(Decimal::from(*chars), 0))]
    TextTooLong { field: &'static str, chars: usize },
    #[error("Das Datum „Von“ darf nicht nach dem Datum „Bis“ liegen.")]
    InvalidPeriod,
    #[error("Der Kunde dieses Projekts ist nicht mit lexoffice verknüpft – bitte zuerst unter „Kunden“ per „lexoffice Import“ übernehmen.")]
    NoContact,
    #[error("Der Steuersatz {} % ist nicht erlaubt: lexoffice nimmt 19, 7 oder 0 %.", format_de(*rate, 0))]
    InvalidTaxRate { rate: Decimal },
    #[error("Die Leistung vom {} hat keine Bezeichnung.", crate::format::date(*date))]
    ServiceWithoutName { date: NaiveDate },
    #[error("Bei der Leistung „{name}“ fehlt die Einheit.")]
    ServiceWithoutUnit { name: String },
    #[error("Die Menge der Leistung „{name}“ darf nicht negativ sein und höchstens 4 Nachkommastellen haben.")]
    InvalidServiceQuantity { name: String },
    #[error("Der Einzelpreis der Leistung „{name}“ darf nicht negativ sein und höchstens 4 Nachkommastellen haben.")]
    InvalidServicePrice { name: String },
    #[error("Der Betrag der Position „{name}“ ist zu groß für lexoffice.")]
    ValueTooLarge { name: String },
}

// ---------------------------------------------------------------- building

/// Services merged into one line.
struct ServiceAgg {
    name: String,
    unit: String,
    unit_price: Decimal,
    tax_rate: Decimal,
    quantity: Decimal,
    days: BTreeSet<NaiveDate>,
    descriptions: Vec<String>,
}

/// The billed time of one block at one rate: one time line.
struct TimeAgg {
    rate: Decimal,
    recorded: u64,
    billed: u64,
    days: BTreeSet<NaiveDate>,
    sources: Vec<String>,
    /// The role names of its entries (a single one names the line).
    roles: BTreeSet<String>,
}

/// What one block of the invoice bills: the whole project, or one group.
struct Block {
    heading: Option<String>,
    time_name: String,
    times: Vec<TimeAgg>,
    services: Vec<ServiceAgg>,
}

/// A time item with its billed minutes.
struct BilledTime<'a> {
    item: &'a TimeItem,
    billed: u32,
}

/// The billed minutes of a group's times (its Abrechnungstakt), zero-minute
/// entries left out.
fn billed_times(group: &Group) -> Vec<BilledTime<'_>> {
    let items: Vec<&TimeItem> = group.times.iter().filter(|t| t.minutes > 0).collect();
    let recorded: Vec<rounding::Recorded> = items
        .iter()
        .map(|t| rounding::Recorded {
            date: t.date,
            employee: t.employee_id.unwrap_or(0),
            minutes: t.minutes,
        })
        .collect();
    rounding::billed_minutes(&recorded, &group.rounding)
        .into_iter()
        .zip(items)
        .map(|(billed, item)| BilledTime { item, billed })
        .collect()
}

/// One time line per distinct rate, ordered by first (date, entry id).
fn time_aggs(mut times: Vec<BilledTime<'_>>) -> Result<Vec<TimeAgg>, BillingProblem> {
    times.sort_by_key(|t| (t.item.date, t.item.entry_id));
    let mut out: Vec<TimeAgg> = Vec::new();
    for t in times {
        let r = t.item.rate.as_ref().ok_or(BillingProblem::NoRate)?;
        let rate = r.rate.normalize();
        if rate <= Decimal::ZERO {
            return Err(BillingProblem::NoRate);
        }
        if rate.scale() > 4 {
            return Err(BillingProblem::InvalidRate);
        }
        let i = match out.iter().position(|a| a.rate == rate) {
            Some(i) => i,
            None => {
                out.push(TimeAgg {
                    rate,
                    recorded: 0,
                    billed: 0,
                    days: BTreeSet::new(),
                    sources: Vec::new(),
                    roles: BTreeSet::new(),
                });
                out.len() - 1
            }
        };
        let a = &mut out[i];
        a.recorded += u64::from(t.item.minutes);
        a.billed += u64::from(t.billed);
        a.days.insert(t.item.date);
        if !a.sources.contains(&r.source) {
            a.sources.push(r.source.clone());
        }
        a.roles
            .insert(r.role.clone().filter(|_| r.by_role).unwrap_or_default());
    }
    Ok(out)
}

/// A validated service entry.
struct ServiceRow<'a> {
    item: &'a ServiceItem,
    name: &'a str,
    unit: &'a str,
    tax_rate: Decimal,
}

fn valid_tax_rate(rate: Decimal) -> Result<Decimal, BillingProblem> {
    crate::money::allowed_tax_rate(rate).ok_or(BillingProblem::InvalidTaxRate { rate })
}

fn service_rows<'a>(
    input: &BillingInput,
    group: &'a Group,
) -> Result<Vec<ServiceRow<'a>>, BillingProblem> {
    let mut rows = Vec::new();
    for item in group.services.iter().filter(|s| !s.quantity.is_zero()) {
        let name = item.name.trim();
        if name.is_empty() {
            return Err(BillingProblem::ServiceWithoutName { date: item.date });
        }
        let quantity = item.quantity.normalize();
        if quantity.is_sign_negative() || quantity.scale() > 4 {
            return Err(BillingProblem::InvalidServiceQuantity { name: name.into() });
        }
        let price = item.unit_price.normalize();
        if (price.is_sign_negative() && !price.is_zero()) || price.scale() > 4 {
            return Err(BillingProblem::InvalidServicePrice { name: name.into() });
        }
        let unit = item.unit.trim();
        if unit.is_empty() {
            return Err(BillingProblem::ServiceWithoutUnit { name: name.into() });
        }
        let tax_rate = if input.small_business {
            Decimal::ZERO
        } else {
            valid_tax_rate(item.tax_rate)?
        };
        rows.push(ServiceRow {
            item,
            name,
            unit,
            tax_rate,
        });
    }
    Ok(rows)
}

/// Merges rows with equal name, unit, unit price and tax rate; lines ordered by
/// their first (date, entry id).
fn aggregate(mut rows: Vec<ServiceRow<'_>>) -> Result<Vec<ServiceAgg>, BillingProblem> {
    rows.sort_by_key(|r| (r.item.date, r.item.entry_id));
    let mut index: BTreeMap<(String, String, Decimal, Decimal), usize> = BTreeMap::new();
    let mut out: Vec<ServiceAgg> = Vec::new();
    for r in rows {
        let price = r.item.unit_price.normalize();
        let key = (r.name.to_string(), r.unit.to_string(), price, r.tax_rate);
        let i = *index.entry(key).or_insert_with(|| {
            out.push(ServiceAgg {
                name: r.name.to_string(),
                unit: r.unit.to_string(),
                unit_price: price,
                tax_rate: r.tax_rate,
                quantity: Decimal::ZERO,
                days: BTreeSet::new(),
                descriptions: Vec::new(),
            });
            out.len() - 1
        });
        let agg = &mut out[i];
        agg.quantity = agg
            .quantity
            .checked_add(r.item.quantity.normalize())
            .ok_or_else(|| BillingProblem::ValueTooLarge {
                name: r.name.to_string(),
            })?;
        agg.days.insert(r.item.date);
        let d = r.item.description.trim();
        if !d.is_empty() && !agg.descriptions.iter().any(|x| x == d) {
            agg.descriptions.push(d.to_string());
        }
    }
    Ok(out)
}

fn time_line_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        TIME_LINE_PREFIX.to_string()
    } else {
        format!("{TIME_LINE_PREFIX} {name}")
    }
}

/// Title, introduction, remark: defaults, placeholders, limits.
fn texts(input: &BillingInput) -> Result<(String, String, String), BillingProblem> {
    let given = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let title = given(&input.title).unwrap_or_else(|| DEFAULT_TITLE.to_string());
    if text_len(&title) > MAX_TITLE_LEN {
        return Err(BillingProblem::TitleTooLong {
            chars: text_len(&title),
        });
    }
    let fill = |s: String| {
        text::fill_placeholders(
            &s,
            input.period_from,
            input.period_to,
            input.project_name.trim(),
        )
    };
    let introduction = fill(
        given(&input.introduction)
            .unwrap_or_else(|| default_introduction(input.period_from, input.period_to)),
    );
    if text_len(&introduction) > MAX_TEXT_LEN {
        return Err(BillingProblem::TextTooLong {
            field: "Einleitung",
            chars: text_len(&introduction),
        });
    }
    let remark = fill(given(&input.remark).unwrap_or_else(|| DEFAULT_REMARK.to_string()));
    if text_len(&remark) > MAX_TEXT_LEN {
        return Err(BillingProblem::TextTooLong {
            field: "Bemerkung",
            chars: text_len(&remark),
        });
    }
    Ok((title, introduction, remark))
}

/// Builds the draft invoice for `input`, or says why it cannot be built.
pub fn build(input: &BillingInput) -> Result<InvoicePlan, BillingProblem> {
    build_with(input, true)
}

/// The net total a draft of `groups` would have (the Projekte figure „noch nicht
/// abgerechnet“), with the minutes that have no rate anywhere (left out).
pub fn open_net(
    mut groups: Vec<Group>,
    list_subprojects: bool,
    hours: crate::storage::HourFormat,
) -> (Decimal, u64) {
    let mut without_rate = 0u64;
    for g in &mut groups {
        g.times.retain(|t| {
            let priced = t.rate.is_some();
            if !priced {
                without_rate += u64::from(t.minutes);
            }
            priced
        });
    }
    let input = BillingInput {
        contact_id: "-".into(),
        project_name: String::new(),
        period_from: NaiveDate::MIN,
        period_to: NaiveDate::MAX,
        hours,
        list_subprojects,
        small_business: false,
        time_tax_rate: Decimal::from(19),
        today: NaiveDate::MIN,
        title: None,
        introduction: None,
        remark: None,
        groups,
    };
    let net = build_with(&input, false)
        .map(|p| p.totals.net)
        .unwrap_or(Decimal::ZERO);
    (net, without_rate)
}

fn build_with(input: &BillingInput, limit_lines: bool) -> Result<InvoicePlan, BillingProblem> {
    if input.period_from > input.period_to {
        return Err(BillingProblem::InvalidPeriod);
    }
    if input.contact_id.trim().is_empty() {
        return Err(BillingProblem::NoContact);
    }
    let (title, introduction, remark) = texts(input)?;

    // Collect what is billable, per block.
    let mut time_entry_ids = Vec::new();
    let mut service_entry_ids = Vec::new();
    let mut all_days: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut project_rows = Vec::new();
    let mut project_times = Vec::new();
    let mut rate_uses: Vec<RateUse> = Vec::new();
    for group in &input.groups {
        let times = billed_times(group);
        for t in &times {
            time_entry_ids.push(t.item.entry_id);
            all_days.insert(t.item.date);
            let Some(r) = &t.item.rate else { continue };
            let listed = r.listed.normalize();
            match rate_uses.iter_mut().find(|u| u.listed == listed) {
                Some(u) => {
                    u.billed_minutes += u64::from(t.billed);
                    if !u.sources.split(", ").any(|s| s == r.source) {
                        u.sources = format!("{}, {}", u.sources, r.source);
                    }
                }
                None => rate_uses.push(RateUse {
                    listed,
                    rate: r.rate.normalize(),
                    rate_input: format_de(listed, 2),
                    rate_display: format!("{} €/h", format_de(r.rate, 2)),
                    sources: r.source.clone(),
                    billed_minutes: u64::from(t.billed),
                    hours_display: String::new(),
                }),
            }
        }
        let rows = service_rows(input, group)?;
        service_entry_ids.extend(rows.iter().map(|r| r.item.entry_id));
        all_days.extend(rows.iter().map(|r| r.item.date));
        if input.list_subprojects {
            if !times.is_empty() || !rows.is_empty() {
                let name = match group.name.trim() {
                    "" => input.project_name.trim(),
                    n => n,
                };
                blocks.push(Block {
                    heading: Some(text::truncate(name, MAX_LINE_NAME_LEN)),
                    time_name: time_line_name(name),
                    times: time_aggs(times)?,
                    services: aggregate(rows)?,
                });
            }
        } else {
            project_times.extend(times);
            project_rows.extend(rows);
        }
    }
    if !input.list_subprojects && (!project_times.is_empty() || !project_rows.is_empty()) {
        blocks.push(Block {
            heading: None,
            time_name: time_line_name(&input.project_name),
            times: time_aggs(project_times)?,
            services: aggregate(project_rows)?,
        });
    }
    for u in &mut rate_uses {
        u.hours_display = format!("{} h", crate::format::minutes(u.billed_minutes));
    }
    let (Some(&service_from), Some(&service_to)) = (all_days.first(), all_days.last()) else {
        return Err(BillingProblem::NothingBillable);
    };
    let total_minutes: u64 = blocks
        .iter()
        .flat_map(|b| &b.times)
        .map(|t| t.recorded)
        .sum();
    let billed_minutes: u64 = blocks.iter().flat_map(|b| &b.times).map(|t| t.billed).sum();

    let time_tax_rate = if total_minutes > 0 && !input.small_business {
        valid_tax_rate(input.time_tax_rate)?
    } else {
        Decimal::ZERO
    };

    let count: usize = blocks
        .iter()
        .map(|b| usize::from(b.heading.is_some()) + b.times.len() + b.services.len())
        .sum();
    if limit_lines && count > MAX_LINE_ITEMS {
        return Err(BillingProblem::TooManyLines { lines: count });
    }

    // The lines.
    let (from, to) = (input.period_from, input.period_to);
    let mut lines = Vec::with_capacity(count);
    for block in &blocks {
        if let Some(h) = &block.heading {
            lines.push(PreviewLine::text(h.clone()));
        }
        let several = block.times.len() > 1;
        for t in &block.times {
            let hours = totals::round_half_up(
                Decimal::from(t.billed) / Decimal::from(60),
                input.hours.decimals(),
            );
            // Several rates in one block: a line of one role says so.
            let name = match t.roles.iter().next() {
                Some(role) if several && t.roles.len() == 1 && !role.is_empty() => {
                    format!("{} – {role}", block.time_name)
                }
                _ => block.time_name.clone(),
            };
            let name = text::truncate(&name, MAX_LINE_NAME_LEN);
            let description =
                text::time_description(from, to, &t.days, t.billed, MAX_LINE_DESCRIPTION_LEN);
            let unit = match input.hours.unit.trim() {
                "" => HOUR_UNIT,
                u => u,
            };
            let mut line =
                checked_line(&name, Some(description), hours, unit, t.rate, time_tax_rate)?;
            line.rate_source = Some(t.sources.join(", "));
            lines.push(line);
        }
        for s in &block.services {
            let name = text::truncate(&s.name, MAX_LINE_NAME_LEN);
            let description = text::service_description(
                from,
                to,
                &s.days,
                &s.descriptions,
                MAX_LINE_DESCRIPTION_LEN,
            );
            lines.push(checked_line(
                &name,
                Some(description),
                s.quantity,
                &s.unit,
                s.unit_price,
                s.tax_rate,
            )?);
        }
    }
    let totals = totals_of(&lines);

    // The request body.
    let items = lines
        .iter()
        .map(request::line_item)
        .collect::<Result<Vec<_>, _>>()?;
    let mut body = Map::new();
    body.insert("voucherDate".into(), json!(berlin_midnight(input.today)));
    body.insert(
        "address".into(),
        json!({ "contactId": input.contact_id.trim() }),
    );
    body.insert("lineItems".into(), Value::Array(items));
    // An explicit 0 % keeps lexoffice from applying the contact's default discount
    // (docs/lexoffice.md › Creating an invoice), so the draft shows exactly the previewed amounts.
    body.insert(
        "totalPrice".into(),
        json!({ "currency": "EUR", "totalDiscountPercentage": 0 }),
    );
    let tax_type = if input.small_business {
        "vatfree"
    } else {
        "net"
    };
    body.insert("taxConditions".into(), json!({ "taxType": tax_type }));
    body.insert(
        "shippingConditions".into(),
        request::shipping_conditions(service_from, service_to),
    );
    body.insert("title".into(), json!(title));
    body.insert("introduction".into(), json!(introduction));
    body.insert("remark".into(), json!(remark));

    let entry_ids = time_entry_ids
        .iter()
        .chain(service_entry_ids.iter())
        .copied()
        .collect();
    Ok(InvoicePlan {
        request: Value::Object(body),
        lines,
        totals,
        service_from,
        service_to,
        entry_ids,
        time_entry_ids,
        service_entry_ids,
        total_minutes,
        billed_minutes,
        rates: rate_uses,
    })
}

/// A custom line whose amount stays within [`MAX_LINE_AMOUNT`].
fn checked_line(
    name: &str,
    description: Option<String>,
    quantity: Decimal,
    unit: &str,
    unit_price: Decimal,
    tax_rate: Decimal,
) -> Result<PreviewLine, BillingProblem> {
    let too_large = || BillingProblem::ValueTooLarge {
        name: name.to_string(),
    };
    let line = PreviewLine::custom(name, description, quantity, unit, unit_price, tax_rate)
        .ok_or_else(too_large)?;
    match line.amount {
        Some(a) if a < MAX_LINE_AMOUNT => Ok(line),
        _ => Err(too_large()),
    }
}
