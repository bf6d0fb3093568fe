//! Abrechnungsregeln as the office edits them: Einstellungen › Mitarbeiter,
//! Einstellungen › Abrechnung (Rollen, default Abrechnungstakt, hours on the
//! invoice) and the rates of one customer or project („Stundensätze je Rolle“,
//! „gültig ab“, its own Abrechnungstakt). One operation per file; the views here
//! carry what the forms show, ready formatted.
//!
//! How the rules are applied: `billing::rates` and `billing::rounding`
//! (docs/architecture.md › Billing rules).

pub mod catalog;
mod employees;
mod invoice_style;
mod merge;
mod roles;
mod rules;
mod settings;
mod tax_notes;

pub use employees::*;
pub use invoice_style::*;
pub use merge::*;
pub use roles::*;
pub use rules::*;
pub use settings::*;
pub use tax_notes::*;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::de::format::{self, format_de};
use crate::error::{AppError, AppResult};
use crate::storage::{DatedRate, Rounding, RoundingMode, RoundingScope, ROUNDING_STEPS};

/// A rate for a form field: `85,00`, or empty.
pub fn rate_input(r: Option<Decimal>) -> String {
    r.map(|r| format_de(r, 2)).unwrap_or_default()
}

/// A history in words: „85,00 €/h; ab 01.01.2027: 92,00 €/h“.
pub fn history_display(base: Option<Decimal>, changes: &[DatedRate]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(b) = base {
        parts.push(format!("{} €/h", format_de(b, 2)));
    }
    let mut changes: Vec<&DatedRate> = changes.iter().collect();
    changes.sort_by_key(|c| c.valid_from);
    for c in changes {
        match c.valid_from {
            Some(d) => parts.push(format!(
                "ab {}: {} €/h",
                format::date(d),
                format_de(c.rate, 2)
            )),
            None => parts.push(format!("{} €/h", format_de(c.rate, 2))),
        }
    }
    parts.join("; ")
}

/// An optional „gültig ab“ as typed.
pub(crate) fn optional_date(text: &str) -> AppResult<Option<NaiveDate>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    crate::de::parse::parse_date_typed(text, crate::de::clock::today_berlin())
        .map(Some)
        .map_err(|m| AppError::validation("gültig ab", m))
}

/// Applies a Stundensatz typed with an optional „gültig ab“ to a rate history:
/// without a date it is the base rate (since always); with one it is a change
/// from that day on (replacing a change of the same day). An empty rate with a
/// date removes that day's change; an empty rate without one clears the base.
pub(crate) fn apply_rate(
    base: &mut Option<Decimal>,
    changes: &mut Vec<DatedRate>,
    rate: Option<Decimal>,
    valid_from: Option<NaiveDate>,
) {
    match valid_from {
        None => *base = rate,
        Some(d) => {
            changes.retain(|c| c.valid_from != Some(d));
            if let Some(rate) = rate {
                changes.push(DatedRate {
                    valid_from: Some(d),
                    rate,
                });
                changes.sort_by_key(|c| c.valid_from);
            }
        }
    }
}

/// The Abrechnungstakt as the form shows and sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RoundingForm {
    /// „0“ (keiner), „1“, „5“, „6“, „10“, „15“, „30“, „60“
    pub step: String,
    /// „aufrunden“ | „kaufmännisch“
    pub mode: String,
    /// „jeden Eintrag“ | „Summe je Tag und Mitarbeiter“
    pub scope: String,
    /// Mindestens in minutes, empty = none.
    pub minimum: String,
}

pub const MODE_UP: &str = "aufrunden";
pub const MODE_HALF_UP: &str = "kaufmännisch";
pub const SCOPE_ENTRY: &str = "jeden Eintrag";
pub const SCOPE_DAY: &str = "Summe je Tag und Mitarbeiter";

impl RoundingForm {
    pub fn of(r: &Rounding) -> RoundingForm {
        RoundingForm {
            step: r.step.to_string(),
            mode: match r.mode {
                RoundingMode::Up => MODE_UP,
                RoundingMode::HalfUp => MODE_HALF_UP,
            }
            .into(),
            scope: match r.scope {
                RoundingScope::Entry => SCOPE_ENTRY,
                RoundingScope::DayAndEmployee => SCOPE_DAY,
            }
            .into(),
            minimum: r.minimum.map(|m| m.to_string()).unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> AppResult<Rounding> {
        let step: u32 = self.step.trim().parse().ok().filter(|s| ROUNDING_STEPS.contains(s)).ok_or_else(|| {
            AppError::validation("Abrechnungstakt", "Bitte einen Abrechnungstakt wählen: keiner, 1, 5, 6, 10, 15, 30 oder 60 Minuten.")
        })?;
        let mode = match self.mode.trim() {
            MODE_UP | "" => RoundingMode::Up,
            MODE_HALF_UP => RoundingMode::HalfUp,
            _ => {
                return Err(AppError::validation(
                    "Runden",
                    "Bitte „aufrunden“ oder „kaufmännisch“ wählen.",
                ))
            }
        };
        let scope = match self.scope.trim() {
            SCOPE_ENTRY | "" => RoundingScope::Entry,
            SCOPE_DAY => RoundingScope::DayAndEmployee,
            _ => {
                return Err(AppError::validation(
                    "Anwenden auf",
                    "Bitte „jeden Eintrag“ oder „Summe je Tag und Mitarbeiter“ wählen.",
                ))
            }
        };
        let minimum = match self.minimum.trim() {
            "" => None,
            m => Some(
                m.trim_end_matches("Min.").trim_end_matches("min").trim().parse::<u32>().ok().filter(|m| *m <= 1440).ok_or_else(|| {
                    AppError::validation("Mindestens", "Mindestens: bitte eine ganze Zahl von Minuten (0 bis 1440) eingeben oder leer lassen.")
                })?,
            ),
        };
        Ok(Rounding {
            step,
            mode,
            scope,
            minimum: minimum.filter(|m| *m > 0),
        })
    }
}

/// „keiner“ / „15 Minuten, aufrunden, jeden Eintrag, mindestens 30 Minuten“.
pub fn rounding_display(r: &Rounding) -> String {
    let mut out = if r.step <= 1 {
        "kein Abrechnungstakt".to_string()
    } else {
        let f = RoundingForm::of(r);
        format!("{} Minuten, {}, {}", r.step, f.mode, f.scope)
    };
    if let Some(m) = r.minimum {
        out.push_str(&format!(", mindestens {m} Minuten"));
    }
    out
}
