//! A project (main or subproject) and its entries: times and services, with
//! their billing state.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProjectStatus {
    Aktiv,
    Abgeschlossen,
    Archiviert,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: u64,
    pub name: String,
    pub number: String,
    pub customer_id: Option<u64>,
    pub parent_id: Option<u64>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub hourly_rate: Option<Decimal>,
    /// Rate changes, role rates, rounding.
    #[serde(default)]
    pub rules: super::RateRules,
    /// „Steuerart“ of this project instead of the customer's (None = the customer's).
    #[serde(default)]
    pub tax_case: Option<super::TaxCase>,
    pub status: ProjectStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum BillingState {
    Open,
    /// Part of an invoice attempt whose outcome is not settled yet.
    Reserved {
        attempt: String,
    },
    /// On a lexoffice draft/invoice.
    Billed {
        invoice_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum EntryKind {
    #[serde(rename_all = "camelCase")]
    Time {
        /// The name as recorded (kept when the employee is renamed later).
        employee: String,
        /// The Mitarbeiter (Einstellungen › Mitarbeiter); None only for a blank name.
        #[serde(default)]
        employee_id: Option<u64>,
        start: Option<NaiveTime>,
        end: Option<NaiveTime>,
        break_minutes: u32,
        minutes: u32,
    },
    #[serde(rename_all = "camelCase")]
    Service {
        name: String,
        #[serde(with = "rust_decimal::serde::str")]
        quantity: Decimal,
        unit: String,
        #[serde(with = "rust_decimal::serde::str")]
        unit_price: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        tax_rate: Decimal,
        /// „Art“ (Arbeit, Material, Fahrt); None = by the unit (`ServiceArt::default_for`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        art: Option<super::ServiceArt>,
        /// The lexoffice article it was chosen from (Leistungskatalog).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        article: Option<super::ArticleRef>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: u64,
    pub project_id: u64,
    pub date: NaiveDate,
    pub description: String,
    pub billable: bool,
    pub billing: BillingState,
    #[serde(flatten)]
    pub kind: EntryKind,
    pub csv_fingerprint: Option<u64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entry {
    pub fn is_locked(&self) -> bool {
        !matches!(self.billing, BillingState::Open)
    }
}
