use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rules::{DatedRate, Employee, HourFormat, Role, Rounding};

/// App settings. Money as decimal strings. Never the API key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// Default billable hourly rate (€/h, net).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub hourly_rate: Option<Decimal>,
    /// Default tax rate in percent.
    #[serde(with = "rust_decimal::serde::str")]
    pub default_tax_rate: Decimal,
    /// What lexoffice last told us about the connected organisation.
    pub profile: Option<ProfileCache>,
    /// When the last complete customer import finished.
    pub customers_imported_at: Option<DateTime<Utc>>,
    /// Later changes of the default Stundensatz („gültig ab“).
    pub rate_changes: Vec<DatedRate>,
    /// Einstellungen › Mitarbeiter.
    pub employees: Vec<Employee>,
    /// Einstellungen › Abrechnung › Rollen.
    pub roles: Vec<Role>,
    /// Einstellungen › Abrechnung: the default Abrechnungstakt.
    pub rounding: Rounding,
    /// How time lines state hours.
    pub hours: HourFormat,
    /// Einstellungen › Abrechnung: Aufstellung, Positionstext, Rechnungstexte.
    pub invoice_style: super::InvoiceStyle,
    /// Einstellungen › Abrechnung: own notes per Steuerart (`taxTypeNote`).
    pub tax_notes: super::TaxNotes,
    /// Einstellungen › Leistungen.
    #[serde(default)]
    pub catalog: Vec<super::CatalogItem>,
    /// Spaltenzuordnungen of imported files, by their header set (newest first).
    #[serde(default)]
    pub column_mappings: Vec<SavedMapping>,
    /// A second folder (e.g. a network drive) that receives a copy of each
    /// automatic backup; None: none. Chosen with Rust's folder dialog only.
    #[serde(default)]
    pub backup_copy_dir: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            hourly_rate: None,
            default_tax_rate: Decimal::from(19),
            profile: None,
            customers_imported_at: None,
            rate_changes: Vec::new(),
            employees: Vec::new(),
            roles: Vec::new(),
            rounding: Rounding::default(),
            hours: HourFormat::default(),
            invoice_style: Default::default(),
            tax_notes: Default::default(),
            catalog: Vec::new(),
            column_mappings: Vec::new(),
            backup_copy_dir: None,
        }
    }
}

/// A Spaltenzuordnung remembered for files with these headers
/// (`projekte::columns`): the next export of the same tool imports at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedMapping {
    /// The header names, lower case, joined by U+001F.
    pub key: String,
    /// One target key (or "") per column.
    pub columns: Vec<String>,
    pub date_order: String,
    pub saved_at: DateTime<Utc>,
}

/// Remembered Spaltenzuordnungen kept at most.
pub const MAX_SAVED_MAPPINGS: usize = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileCache {
    pub organization_id: String,
    pub company_name: String,
    pub tax_type: Option<String>,
    pub small_business: bool,
    pub connected_at: DateTime<Utc>,
    pub refreshed_at: DateTime<Utc>,
}

/// How lexoffice taxes the organisation (`ProfileCache::tax_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxMode {
    /// Kleinunternehmer (§ 19 UStG): no VAT.
    SmallBusiness,
    /// `taxType = vatfree`: tax-exempt, no VAT.
    Exempt,
    /// With VAT.
    Regular,
}

impl ProfileCache {
    pub fn tax_mode(&self) -> TaxMode {
        if self.small_business {
            TaxMode::SmallBusiness
        } else if self.tax_type.as_deref() == Some("vatfree") {
            TaxMode::Exempt
        } else {
            TaxMode::Regular
        }
    }

    /// Drafts go out `vatfree` when the organisation is a Kleinunternehmer
    /// (`smallBusiness`) or tax-exempt (`taxType = vatfree`): lexoffice refuses
    /// anything else for them (docs/lexoffice.md › Profile and taxes). The one
    /// home of this rule.
    pub fn vatfree(&self) -> bool {
        self.tax_mode() != TaxMode::Regular
    }

    /// „Besteuerung“ in Einstellungen › Schnittstellen.
    pub fn tax_display(&self) -> &'static str {
        match self.tax_mode() {
            TaxMode::SmallBusiness => "Kleinunternehmer (§ 19 UStG) – Rechnungen ohne Umsatzsteuer",
            TaxMode::Exempt => "steuerfrei – Rechnungen ohne Umsatzsteuer",
            TaxMode::Regular => "Regelbesteuerung – Rechnungen mit Umsatzsteuer",
        }
    }

    /// How the organisation is taxed, in words (preview notes).
    pub fn tax_words(&self) -> &'static str {
        match self.tax_mode() {
            TaxMode::SmallBusiness => "Kleinunternehmer (ohne Umsatzsteuer)",
            TaxMode::Exempt => "steuerfrei (ohne Umsatzsteuer)",
            TaxMode::Regular => "mit Umsatzsteuer",
        }
    }
}
