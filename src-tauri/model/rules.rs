//! Billing rules as stored: employees and roles, rates with their „gültig ab“,
//! billing rounding. They live in the `settings` document (a firm has a few dozen
//! employees at most), so backups carry them without a tree of their own.
//! How they are applied: `billing::rates` (which rate) and `billing::rounding`
//! (which minutes), docs/architecture.md › Billing rules.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A rate from a day on (`valid_from` None = since always).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatedRate {
    pub valid_from: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
}

/// A customer's or project's rate for one role, from a day on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRate {
    pub role_id: u64,
    pub valid_from: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
}

/// A customer's or project's own billing rules (beside its flat Stundensatz).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct RateRules {
    /// Later changes of the flat Stundensatz („gültig ab“).
    pub rate_changes: Vec<DatedRate>,
    /// „Stundensätze je Rolle“.
    pub role_rates: Vec<RoleRate>,
    /// Its own Abrechnungstakt (None = from the customer / Einstellungen › Abrechnung).
    pub rounding: Option<Rounding>,
}

/// Rolle: Meister, Geselle, Azubi, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: u64,
    pub name: String,
    /// The role's Stundensatz (since always) and its later changes.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub hourly_rate: Option<Decimal>,
    #[serde(default)]
    pub rate_changes: Vec<DatedRate>,
}

/// Mitarbeiter. Time entries point to one by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    pub id: u64,
    pub name: String,
    pub role_id: Option<u64>,
    /// The person's own Stundensatz (since always; optional) and its later changes.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub hourly_rate: Option<Decimal>,
    #[serde(default)]
    pub rate_changes: Vec<DatedRate>,
    pub active: bool,
    /// Later changes of the Rolle („gültig ab“ in the Mitarbeiter form):
    /// `role_id` holds until the first of them.
    #[serde(default)]
    pub role_changes: Vec<DatedRole>,
}

/// A change of an employee's Rolle from a day on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatedRole {
    pub valid_from: NaiveDate,
    pub role_id: Option<u64>,
}

impl Employee {
    /// The Rolle on `date`: the latest change on or before it, else `role_id`.
    pub fn role_on(&self, date: NaiveDate) -> Option<u64> {
        self.role_changes
            .iter()
            .filter(|c| c.valid_from <= date)
            .max_by_key(|c| c.valid_from)
            .map(|c| c.role_id)
            .unwrap_or(self.role_id)
    }

    /// Whether `role` is or was ever this employee's Rolle.
    pub fn has_role(&self, role: u64) -> bool {
        self.role_id == Some(role) || self.role_changes.iter().any(|c| c.role_id == Some(role))
    }
}

/// Abrechnungstakt › Runden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum RoundingMode {
    /// aufrunden: to the next step.
    #[default]
    Up,
    /// kaufmännisch: to the nearest step, a half step up.
    HalfUp,
}

/// Abrechnungstakt › Anwenden auf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum RoundingScope {
    /// jeden Eintrag
    #[default]
    Entry,
    /// Summe je Tag und Mitarbeiter
    DayAndEmployee,
}

/// How recorded minutes become billed minutes. Recorded times never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Rounding {
    /// Abrechnungstakt in minutes; 0 = keiner.
    pub step: u32,
    pub mode: RoundingMode,
    pub scope: RoundingScope,
    /// Mindestens (minutes), per entry or per day and employee.
    pub minimum: Option<u32>,
}

/// The steps the form offers („keiner“ = 0).
pub const ROUNDING_STEPS: [u32; 8] = [0, 1, 5, 6, 10, 15, 30, 60];

/// How time lines state their hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HourFormat {
    /// Unit name on the invoice („Std.“).
    pub unit: String,
    /// „Stunden exakt (4 Nachkommastellen)“ instead of 2.
    pub exact: bool,
}

impl Default for HourFormat {
    fn default() -> Self {
        HourFormat {
            unit: "Std.".into(),
            exact: false,
        }
    }
}

impl HourFormat {
    pub fn decimals(&self) -> u32 {
        if self.exact {
            4
        } else {
            2
        }
    }
}

fn valid_on(valid_from: Option<NaiveDate>, date: NaiveDate) -> bool {
    !matches!(valid_from, Some(v) if v > date)
}

/// A flat rate on `date`: the latest change valid by then, else the base rate
/// (the one without „gültig ab“).
pub fn flat_rate_on(
    base: Option<Decimal>,
    changes: &[DatedRate],
    date: NaiveDate,
) -> Option<Decimal> {
    changes
        .iter()
        .filter(|r| valid_on(r.valid_from, date))
        .max_by_key(|r| r.valid_from)
        .map(|r| r.rate)
        .or(base)
}

/// The rate of `role` valid on `date`.
pub fn role_rate_on(rates: &[RoleRate], role: u64, date: NaiveDate) -> Option<Decimal> {
    rates
        .iter()
        .filter(|r| r.role_id == role && valid_on(r.valid_from, date))
        .max_by_key(|r| r.valid_from)
        .map(|r| r.rate)
}
