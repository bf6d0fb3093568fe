//! Corrections in the preview, for this invoice only: „Bearbeiten“,
//! „Entfernen“, „Als Kulanz“ and „Position hinzufügen“. The draft sent is the
//! preview with these applied, so its totals are computed from the edited lines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A change to the line with `key` (`PreviewLine::key`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineEdit {
    pub key: String,
    pub change: LineChange,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum LineChange {
    /// „Entfernen“: not on the draft, its entries stay open.
    Remove,
    /// „Als Kulanz“: on the draft at 0,00 €, its entries count as billed.
    Goodwill,
    /// „Bearbeiten“: these values instead of the computed ones.
    Set(LineValues),
}

/// A priced line's values as typed (already parsed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineValues {
    pub name: String,
    /// Blank = no description.
    pub description: String,
    pub quantity: Decimal,
    /// Blank = the line's unit (added lines: „pauschal“).
    pub unit: String,
    pub unit_price: Decimal,
    pub tax_rate: Decimal,
    /// „Art“ of an added line (§35a: Arbeit and Fahrt are Arbeitskosten);
    /// None = by its unit (`ServiceArt::default_for`).
    #[serde(default)]
    pub art: Option<crate::model::ServiceArt>,
}

/// The unit of an added line when none is typed.
pub const EXTRA_UNIT: &str = "pauschal";

/// A line taken out, so the preview can offer it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovedLine {
    pub key: String,
    pub name: String,
    /// `170,00 €`
    pub amount_display: String,
}

/// The key of the `i`-th added line.
pub fn extra_key(i: usize) -> String {
    format!("x:{i}")
}
