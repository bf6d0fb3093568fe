//! Projekte: projects with subprojects, their recorded times and services,
//! rates and totals, and the CSV import. Tauri-free.

pub mod columns;
pub mod csv;
pub mod csv_import;
pub use crate::model::entry_rules;
pub use crate::model::entry_rules::{clean, decimal_field, ServiceInput, TimeInput};
pub mod import_limits;
pub mod sheet;
pub mod spreadsheet;
pub mod undo;

mod delete;
mod detail;
mod entries;
mod list;
mod save;
mod view;

pub use delete::*;
pub use detail::*;
pub use entries::*;
pub use list::*;
pub use save::*;
pub use view::*;

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::billing::pricing::Pricing;
use crate::billing::{
    self,
    rates::{self, Overrides},
};
use crate::core::{blocking, Core};
use crate::de::format::{format_de, minutes as format_minutes};
use crate::error::{AppError, AppResult};
use crate::money::round2;
use crate::storage::TaxCase;
use crate::storage::{BillingState, Customer, Entry, EntryKind, Project, ProjectStatus, Store};

pub const UNITS: [&str; 6] = ["Stunde", "Stück", "m", "m²", "km", "Pauschal"];

fn status_label(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Aktiv => "aktiv",
        ProjectStatus::Abgeschlossen => "abgeschlossen",
        ProjectStatus::Archiviert => "archiviert",
    }
}

fn parse_status(s: &str) -> AppResult<ProjectStatus> {
    match s.trim() {
        "" | "aktiv" => Ok(ProjectStatus::Aktiv),
        "abgeschlossen" => Ok(ProjectStatus::Abgeschlossen),
        "archiviert" => Ok(ProjectStatus::Archiviert),
        _ => Err(AppError::validation(
            "Status",
            "Bitte aktiv, abgeschlossen oder archiviert wählen.",
        )),
    }
}

// ---------------------------------------------------------------- projects

#[cfg(test)]
mod format_tests {
    #[test]
    fn hours_are_grouped_the_german_way() {
        assert_eq!(crate::de::format::minutes(0), "0:00");
        assert_eq!(crate::de::format::minutes(90), "1:30");
        assert_eq!(crate::de::format::minutes(999 * 60 + 5), "999:05");
        assert_eq!(crate::de::format::minutes(1000 * 60), "1.000:00");
        assert_eq!(crate::de::format::minutes(122_500 * 60 + 59), "122.500:59");
        assert_eq!(crate::de::format::minutes(1_234_567 * 60), "1.234.567:00");
    }
}
