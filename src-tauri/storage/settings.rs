use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            hourly_rate: None,
            default_tax_rate: Decimal::from(19),
            profile: None,
            customers_imported_at: None,
        }
    }
}

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
