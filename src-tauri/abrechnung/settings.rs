//! Einstellungen › Abrechnung: the default Abrechnungstakt and how hours appear
//! on the invoice.

use serde::{Deserialize, Serialize};

use super::{rounding_display, RoundingForm};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{HourFormat, Settings};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingSettingsView {
    pub rounding: RoundingForm,
    pub rounding_display: String,
    /// „Std.“
    pub hour_unit: String,
    /// „Stunden exakt (4 Nachkommastellen)“
    pub exact_hours: bool,
    /// Sent back with „Speichern“: refused if another seat changed these since.
    pub version: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct BillingSettingsInput {
    pub rounding: RoundingForm,
    pub hour_unit: String,
    pub exact_hours: bool,
    /// The version the form was opened with (`BillingSettingsView::version`).
    pub version: Option<String>,
}

pub fn billing_view(s: &Settings) -> BillingSettingsView {
    BillingSettingsView {
        rounding: RoundingForm::of(&s.rounding),
        rounding_display: rounding_display(&s.rounding),
        hour_unit: s.hours.unit.clone(),
        exact_hours: s.hours.exact,
        version: crate::model::version_of_value(&(&s.rounding, &s.hours)),
    }
}

pub async fn billing_settings(core: &Core) -> AppResult<BillingSettingsView> {
    let store = core.store.clone();
    blocking(move || Ok(billing_view(&store.settings()?))).await
}

pub async fn save_billing_settings(
    core: &Core,
    input: BillingSettingsInput,
) -> AppResult<BillingSettingsView> {
    let rounding = input.rounding.parse()?;
    let unit = input.hour_unit.trim().to_string();
    if unit.chars().count() > crate::model::entry_rules::UNIT_CHARS {
        return Err(
            AppError::validation("Einheit", "Einheit: höchstens 30 Zeichen.").at("hourUnit"),
        );
    }
    let hours = HourFormat {
        unit: if unit.is_empty() { "Std.".into() } else { unit },
        exact: input.exact_hours,
    };
    let store = core.store.clone();
    blocking(move || {
        let elsewhere = store.is_server();
        let s = store.try_update_settings(|s| {
            crate::model::value_unchanged(
                &(&s.rounding, &s.hours),
                input.version.as_deref(),
                "Die Einstellung „Abrechnungstakt“",
                elsewhere,
            )?;
            s.rounding = rounding;
            s.hours = hours;
            Ok(())
        })?;
        Ok(billing_view(&s))
    })
    .await
}
