//! A customer's „Steuerart“ and „Privatkunde (§35a)“ (docs/architecture.md ›
//! Steuerfälle): the choice, the suggestion from country and VAT id, saving.

use serde::Serialize;

use super::{detail_of, CustomerDetail};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{suggested_tax_case, Customer, TaxCase};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxCaseChoice {
    pub key: &'static str,
    pub label: &'static str,
}

pub fn tax_case_choices() -> Vec<TaxCaseChoice> {
    TaxCase::ALL
        .into_iter()
        .map(|c| TaxCaseChoice {
            key: c.key(),
            label: c.label(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxSuggestion {
    pub key: &'static str,
    /// „Vorschlag: EU-Leistung (Reverse Charge) – Land FR, mit USt-IdNr.“
    pub text: String,
}

/// The suggestion for `c`, when it differs from the Steuerart set.
pub fn suggestion(c: &Customer) -> Option<TaxSuggestion> {
    let s = suggested_tax_case(&c.address.country_code, &c.vat_id)?;
    (s != c.tax.case).then(|| TaxSuggestion {
        key: s.key(),
        text: format!(
            "Vorschlag: {} – Land {}{}",
            s.label(),
            c.address.country_code.trim().to_uppercase(),
            if c.vat_id.trim().is_empty() {
                ", ohne USt-IdNr."
            } else {
                ", mit USt-IdNr."
            }
        ),
    })
}

/// Saves „Steuerart“ and „Privatkunde (§35a)“ of a customer.
pub async fn set_tax(
    core: &Core,
    id: u64,
    tax_case: String,
    private_35a: bool,
) -> AppResult<CustomerDetail> {
    let case = TaxCase::from_key(tax_case.trim()).ok_or_else(|| {
        AppError::validation("Steuerart", "Bitte eine Steuerart aus der Liste wählen.")
    })?;
    let store = core.store.clone();
    blocking(move || {
        let c = store.update_customer(id, |c| {
            c.tax.case = case;
            c.tax.private_35a = private_35a;
            // A tax-free Steuerart for a contact lexoffice does not allow tax-free
            // invoices for: „In lexoffice aktualisieren“ sends the permission.
            if c.lexoffice_id.is_some()
                && case != TaxCase::Standard
                && c.tax.tax_free_allowed == Some(false)
            {
                c.changed_in_app = true;
            }
            Ok(())
        })?;
        Ok(detail_of(c))
    })
    .await
}
