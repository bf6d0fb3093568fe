//! Invoice building (pure): a project's billable times and services plus the
//! invoice dialog's choices → the exact lexoffice `POST /v1/invoices` body, the
//! line items for the preview and the totals lexoffice will show.
//!
//! No I/O, no clock, no Tauri: everything comes in through [`BillingInput`]
//! (including `today`), so the same input always yields the same draft.
//!
//! Rules (docs/architecture.md › Billing rules and › Rechnungsbild, docs/lexoffice.md › Creating an invoice, Totals and rounding):
//! - Line items are `custom` (`text` for headings); with "Unterprojekte einzeln
//!   auflisten" every group with billable entries gets a `text` heading (its
//!   name), then its time lines, then its service lines; without it one block
//!   for the whole project. At most 300 items (headings count).
//! - Time lines: one per Aufstellung group (project, employee, role, day or
//!   entry) and rate; named and described by the Positionstext (`line_text`).
//!   Quantity = billed minutes / 60, half-up to 2 (or 4) decimals.
//! - Services with equal name, unit, unit price and tax rate in the same block
//!   become one line, quantities added; lines are ordered by their first date.
//! - Entries with 0 minutes / quantity 0 are skipped (and not billed).
//! - The edits of the preview (`edits`) and added lines apply before totals and
//!   request are made, so the draft is exactly the preview as edited.
//! - The service period is the first to the last day of what stays on the
//!   draft; the texts and the line descriptions name the same period.
//! - Amounts: `round2(quantity × unit price)` half-up; totals per docs/lexoffice.md › Totals and rounding ([`totals_of`]).
//! - Texts: Titel (≤ 25), Einleitung and Schlusstext (≤ 2000) are sent only
//!   when not blank; line names ≤ 255 and descriptions ≤ 2000 (cut with "…").
//!   Lengths count UTF-16 units like lexoffice does.
//! - The hourly rate is only checked (> 0, ≤ 4 decimals) when there is time to bill.
//!
//! Serialisation: all output types serialise camelCase; every Decimal is a
//! string ("7.3333", amounts always with 2 decimals: "623.33"), never a float.
//! Ready-made de-DE strings (from `crate::money`) sit next to the values in the
//! `…Display` fields (`"7,3333"`, `"85,00 €"`, `"19 %"`), so the UI needs no
//! number formatting of its own. In `request` money and quantities are JSON
//! numbers, as lexoffice expects (built from the decimal text, see `request.rs`).

mod build;
pub mod edits;
pub mod line_text;
pub mod pricing;
pub mod rates;
mod request;
pub mod rounding;
mod text;
mod totals;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::de::format::{format_de, format_eur};

pub use build::{billed_by_entry, build, covered_days, open_net};
pub use edits::{LineChange, LineEdit, LineValues, RemovedLine};
pub use request::berlin_midnight;
pub use text::text_len;
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
/// Names a time line whose Positionstext comes out empty.
pub const TIME_LINE_PREFIX: &str = "Arbeitszeit";
/// Appended to the name of a line given as goodwill (shown at 0,00 €).
pub const GOODWILL_SUFFIX: &str = " (Kulanz)";

// ---------------------------------------------------------------- input

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingInput {
    /// lexoffice contact id of the customer → `address: {contactId}` only.
    pub contact_id: String,
    /// Send `"xRechnung": {"buyerReference": ""}`: a normal invoice for a
    /// contact with a Leitweg-ID (docs/lexoffice.md › XRechnung contacts).
    #[serde(default)]
    pub xrechnung_opt_out: bool,
    pub project_name: String,
    /// For {Projektnummer} and {Kunde} in the Rechnungstexte.
    #[serde(default)]
    pub project_number: String,
    #[serde(default)]
    pub customer_name: String,
    /// The dialog's Von/Bis: the service period only when no entry is billed
    /// (a draft of added lines alone); otherwise the first to the last billed day.
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// How time lines state hours (unit, 2 or 4 decimals).
    pub hours: crate::model::HourFormat,
    /// "Unterprojekte einzeln auflisten".
    pub list_subprojects: bool,
    /// Kleinunternehmer or tax-exempt organisation: taxType vatfree, every rate 0
    /// (wins over `tax_case`).
    pub small_business: bool,
    /// The customer's (or project's) „Steuerart“: every type but `net` bills 0 %.
    #[serde(default)]
    pub tax_case: crate::model::TaxCase,
    /// `taxTypeNote` (the firm's own note for the Steuerart); None = lexoffice's.
    #[serde(default)]
    pub tax_note: Option<String>,
    /// „Privatkunde (§35a)“: sections „Arbeitskosten“ and „Materialkosten“ and the
    /// labour sentence in the Schlusstext.
    #[serde(default)]
    pub private_35a: bool,
    /// Tax rate of the time lines (19 by default).
    pub time_tax_rate: Decimal,
    /// voucherDate = today 00:00 Europe/Berlin.
    pub today: NaiveDate,
    /// „Aufstellung“.
    #[serde(default)]
    pub layout: crate::model::Layout,
    /// „Positionstext“ of the time lines; blank = the layout's default.
    #[serde(default)]
    pub line_text: String,
    /// Titel, Einleitung, Schlusstext: blank or None = not sent (lexoffice then
    /// uses the organisation's own text). Placeholders: `line_text::TEXT_PLACEHOLDERS`.
    pub title: Option<String>,
    pub introduction: Option<String>,
    pub remark: Option<String>,
    /// Changes to single lines of the preview, by line key (this invoice only).
    #[serde(default)]
    pub edits: Vec<LineEdit>,
    /// „Position hinzufügen“: free lines, after all others.
    #[serde(default)]
    pub extra_lines: Vec<LineValues>,
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
    pub rounding: crate::model::Rounding,
    pub times: Vec<TimeItem>,
    pub services: Vec<ServiceItem>,
    /// Times of this project already on an earlier draft, of the days of
    /// `times`: with „Summe je Tag und Mitarbeiter“ a day is rounded once over
    /// all of them (`rounding::billed_minutes_after`).
    #[serde(default)]
    pub prior: Vec<PriorTime>,
}

/// A time already billed (or reserved) by an earlier draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorTime {
    pub entry_id: u64,
    pub date: NaiveDate,
    pub employee_id: Option<u64>,
    pub minutes: u32,
    /// As billed by its draft (stored with it); None = an older draft.
    pub billed: Option<u32>,
    /// „Rechnung RE-1001“ / „Entwurf vom 03.03.2026“.
    pub invoice: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeItem {
    pub entry_id: u64,
    pub date: NaiveDate,
    pub minutes: u32,
    pub employee: String,
    pub employee_id: Option<u64>,
    /// The employee's role („je Rolle“, {Rolle}).
    #[serde(default)]
    pub role: Option<String>,
    /// From `rates::resolve`; None = no rate anywhere (the draft is blocked,
    /// unless the time is goodwill).
    pub rate: Option<rates::Resolved>,
    pub description: String,
    /// A non-billable time shown as goodwill at 0,00 € („Nicht abrechenbare
    /// Zeiten als Kulanz zeigen“); it counts as billed with the draft.
    #[serde(default)]
    pub goodwill: bool,
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
    /// „Art“; None = by its unit (`ServiceArt::default_for`).
    #[serde(default)]
    pub art: Option<crate::model::ServiceArt>,
    /// The lexoffice article it was chosen from.
    #[serde(default)]
    pub article: Option<crate::model::ArticleRef>,
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
    /// Names the line for edits (`LineEdit::key`); stable while period,
    /// Aufstellung and options stay the same.
    pub key: String,
    /// A time line (entries priced by the hour).
    pub time: bool,
    /// Given as goodwill: shown at 0,00 €, its entries count as billed.
    pub goodwill: bool,
    /// Changed with „Bearbeiten“.
    pub edited: bool,
    /// Added with „Position hinzufügen“.
    pub added: bool,
    /// Goodwill lines: `statt 170,00 €`.
    pub goodwill_value_display: Option<String>,
    /// The values for the „Bearbeiten“ form, de-DE (priced lines only).
    pub form: Option<LineValuesForm>,
    /// The entries billed by this line (not sent, not shown).
    #[serde(skip)]
    pub entry_ids: Vec<u64>,
    /// The lexoffice article of its services: sent as `service`/`material` with the id.
    #[serde(skip)]
    pub article: Option<crate::model::ArticleRef>,
}

/// A line's values as the „Bearbeiten“ form shows them, and as it sends them back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct LineValuesForm {
    pub name: String,
    pub description: String,
    /// `7,33`
    pub quantity: String,
    pub unit: String,
    /// `85,00`
    pub unit_price: String,
    /// `19`
    pub tax_rate: String,
    /// „Art“ of an added line: „Arbeit“, „Material“, „Fahrt“; blank = by its unit.
    pub art: String,
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
            key: String::new(),
            time: false,
            goodwill: false,
            edited: false,
            added: false,
            goodwill_value_display: None,
            form: None,
            entry_ids: Vec::new(),
            article: None,
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
            form: Some(LineValuesForm {
                name: String::new(),
                description: String::new(),
                quantity: format_de(quantity, 0),
                unit: String::new(),
                unit_price: format_de(unit_price, 2),
                tax_rate: format_de(tax_rate, 0),
                art: String::new(),
            }),
            ..PreviewLine::text(String::new())
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
    /// Lines taken out with „Entfernen“ (their entries stay open).
    pub removed: Vec<RemovedLine>,
    /// Entries on goodwill lines (billed at 0,00 €), for the Stundennachweis.
    pub goodwill_entry_ids: Vec<u64>,
    /// lexoffice's `taxType` of the draft.
    pub tax_type: String,
    /// „Privatkunde (§35a)“: the labour section's totals (as lexoffice computes
    /// them for those lines) and the sentence added to the Schlusstext.
    pub labour: Option<LabourTotals>,
    /// Edits whose line no longer exists (period or Aufstellung changed).
    pub stale_edits: usize,
    /// The billed minutes of each time entry on the draft (goodwill included),
    /// stored with the draft so a reprint shows what was billed then.
    pub billed_by_entry: Vec<(u64, u32)>,
    /// Days an earlier draft already billed: why their open time bills less
    /// („03.03.2026, Jana Kraus: 0:15 h erfasst, nichts berechnet – bereits mit
    /// Rechnung RE-1001 abgerechnet: Mindestens 60 Min. erreicht.“).
    pub covered: Vec<String>,
}

/// The Arbeitskosten of a §35a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabourTotals {
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    /// „Im Rechnungsbetrag sind Arbeitskosten in Höhe von … enthalten (§ 35a EStG).“
    pub sentence: String,
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
    #[error("Die Rechnung hätte {lines} Positionen, lexoffice erlaubt höchstens 300. {}", match coarser {
        Some(l) => format!("Bitte die Aufstellung „{}“ wählen oder einen kürzeren Zeitraum.", l.label()),
        None => "Bitte „Unterprojekte einzeln auflisten“ abwählen oder einen kürzeren Zeitraum wählen.".to_string(),
    })]
    TooManyLines {
        lines: usize,
        /// The next Aufstellung with fewer lines, if there is one.
        coarser: Option<crate::model::Layout>,
    },
    #[error(
        "Im Feld „{field}“ steht der unbekannte Platzhalter {{{name}}}. Möglich sind: {allowed}."
    )]
    UnknownPlaceholder {
        field: &'static str,
        name: String,
        allowed: String,
    },
    #[error("Alle Positionen sind entfernt. Bitte mindestens eine Position behalten oder eine hinzufügen.")]
    AllRemoved,
    #[error("{} braucht eine Bezeichnung.", if *position == 0 { "Die bearbeitete Position".to_string() } else { format!("Die hinzugefügte Position {position}") })]
    LineWithoutName { position: usize },
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
    #[error("Die Leistung vom {} hat keine Bezeichnung.", crate::de::format::date(*date))]
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
