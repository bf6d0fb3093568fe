//! The rates of one customer or project: later changes of its Stundensatz
//! („gültig ab“), „Stundensätze je Rolle“ and its own Abrechnungstakt.

use serde::{Deserialize, Serialize};

use super::{history_display, optional_date, rate_input, rounding_display, RoundingForm};
use crate::core::{blocking, Core};
use crate::de::format;
use crate::error::{AppError, AppResult};
use crate::storage::{DatedRate, RateRules, RoleRate, Settings, Store};

/// Whose rules: exactly one of the two.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesTarget {
    pub customer_id: Option<u64>,
    pub project_id: Option<u64>,
}

/// One row of a rate table as the form shows and sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RateRow {
    /// Only in „Stundensätze je Rolle“.
    pub role_id: Option<u64>,
    /// `85,00`
    pub rate: String,
    /// `01.01.2027`, empty = since always.
    pub valid_from: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesView {
    /// The flat Stundensatz and its changes in words.
    pub rates_display: String,
    /// Later changes of the flat Stundensatz.
    pub rate_changes: Vec<RateRow>,
    /// „Stundensätze je Rolle“.
    pub role_rates: Vec<RateRow>,
    /// The roles to choose from: (id, name).
    pub roles: Vec<(u64, String)>,
    /// Its own Abrechnungstakt, None = inherited.
    pub rounding: Option<RoundingForm>,
    /// What applies when it has none: „wie Kunde: 15 Minuten, …“.
    pub inherited_rounding: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesInput {
    pub rate_changes: Vec<RateRow>,
    pub role_rates: Vec<RateRow>,
    pub rounding: Option<RoundingForm>,
}

fn rows(changes: &[DatedRate]) -> Vec<RateRow> {
    changes
        .iter()
        .map(|c| RateRow {
            role_id: None,
            rate: rate_input(Some(c.rate)),
            valid_from: c.valid_from.map(format::date).unwrap_or_default(),
        })
        .collect()
}

fn view(
    flat: Option<rust_decimal::Decimal>,
    rules: &RateRules,
    settings: &Settings,
    inherited: String,
) -> RulesView {
    let shown = history_display(flat, &rules.rate_changes);
    let mut roles: Vec<(u64, String)> = settings
        .roles
        .iter()
        .map(|r| (r.id, r.name.clone()))
        .collect();
    roles.sort_by_key(|r| r.1.to_lowercase());
    RulesView {
        rates_display: if shown.is_empty() {
            "kein eigener Stundensatz".into()
        } else {
            shown
        },
        rate_changes: rows(&rules.rate_changes),
        role_rates: rules
            .role_rates
            .iter()
            .map(|r| RateRow {
                role_id: Some(r.role_id),
                rate: rate_input(Some(r.rate)),
                valid_from: r.valid_from.map(format::date).unwrap_or_default(),
            })
            .collect(),
        roles,
        rounding: rules.rounding.as_ref().map(RoundingForm::of),
        inherited_rounding: inherited,
    }
}

fn load(store: &Store, t: RulesTarget) -> AppResult<RulesView> {
    let settings = store.settings()?;
    let default = format!(
        "wie unter Einstellungen › Abrechnung: {}",
        rounding_display(&settings.rounding)
    );
    match (t.customer_id, t.project_id) {
        (Some(id), None) => {
            let c = store
                .customer(id)?
                .ok_or_else(|| AppError::NotFound("Dieser Kunde existiert nicht mehr.".into()))?;
            Ok(view(c.hourly_rate, &c.rules, &settings, default))
        }
        (None, Some(id)) => {
            let p = store
                .project(id)?
                .ok_or_else(|| AppError::NotFound("Dieses Projekt existiert nicht mehr.".into()))?;
            let (parent, customer) = store.parent_and_customer(&p)?;
            let inherited = if let Some(r) = parent.as_ref().and_then(|p| p.rules.rounding) {
                format!("wie Hauptprojekt: {}", rounding_display(&r))
            } else if let Some(r) = customer.as_ref().and_then(|c| c.rules.rounding) {
                format!("wie beim Kunden: {}", rounding_display(&r))
            } else {
                default
            };
            Ok(view(p.hourly_rate, &p.rules, &settings, inherited))
        }
        _ => Err(AppError::validation(
            "Eingabe",
            "Bitte genau einen Kunden oder ein Projekt angeben.",
        )),
    }
}

pub async fn rules(core: &Core, target: RulesTarget) -> AppResult<RulesView> {
    let store = core.store.clone();
    blocking(move || load(&store, target)).await
}

/// Parses the form's rows into stored rules (role rows must name a known role;
/// two rows for the same role and day are refused).
fn parse_input(input: &RulesInput, settings: &Settings) -> AppResult<RateRules> {
    let mut rate_changes = Vec::new();
    for row in &input.rate_changes {
        let (Some(rate), Some(valid_from)) = (
            crate::money::parse_optional_rate(&row.rate)?,
            optional_date(&row.valid_from)?,
        ) else {
            if row.rate.trim().is_empty() && row.valid_from.trim().is_empty() {
                continue; // an empty row
            }
            return Err(AppError::validation("gültig ab", "Eine Änderung des Stundensatzes braucht einen Stundensatz und ein Datum „gültig ab“."));
        };
        if rate_changes
            .iter()
            .any(|c: &DatedRate| c.valid_from == Some(valid_from))
        {
            return Err(AppError::validation(
                "gültig ab",
                format!(
                    "Für den {} gibt es schon einen Stundensatz.",
                    format::date(valid_from)
                ),
            ));
        }
        rate_changes.push(DatedRate {
            valid_from: Some(valid_from),
            rate,
        });
    }
    rate_changes.sort_by_key(|c| c.valid_from);
    let mut role_rates: Vec<RoleRate> = Vec::new();
    for row in &input.role_rates {
        let rate = crate::money::parse_optional_rate(&row.rate)?;
        let valid_from = optional_date(&row.valid_from)?;
        let Some(rate) = rate else {
            if row.valid_from.trim().is_empty() {
                continue; // an empty row
            }
            return Err(AppError::validation(
                "Stundensatz",
                "Bitte für jede Rolle einen Stundensatz eingeben.",
            ));
        };
        let role = row
            .role_id
            .and_then(|id| settings.roles.iter().find(|r| r.id == id))
            .ok_or_else(|| {
                AppError::validation("Rolle", "Bitte für jeden Stundensatz eine Rolle wählen.")
            })?;
        if role_rates
            .iter()
            .any(|r| r.role_id == role.id && r.valid_from == valid_from)
        {
            return Err(AppError::validation(
                "Rolle",
                format!(
                    "Für „{}“ steht derselbe Stundensatz-Beginn zweimal in der Liste.",
                    role.name
                ),
            ));
        }
        role_rates.push(RoleRate {
            role_id: role.id,
            valid_from,
            rate,
        });
    }
    let rounding = input
        .rounding
        .as_ref()
        .map(RoundingForm::parse)
        .transpose()?;
    Ok(RateRules {
        rate_changes,
        role_rates,
        rounding,
    })
}

pub async fn save_rules(
    core: &Core,
    target: RulesTarget,
    input: RulesInput,
) -> AppResult<RulesView> {
    let store = core.store.clone();
    blocking(move || {
        let rules = parse_input(&input, &store.settings()?)?;
        match (target.customer_id, target.project_id) {
            (Some(id), None) => {
                store.update_customer(id, |c| {
                    c.rules = rules.clone();
                    Ok(())
                })?;
            }
            (None, Some(id)) => {
                store.update_project(id, |p| {
                    p.rules = rules.clone();
                    Ok(())
                })?;
            }
            _ => {
                return Err(AppError::validation(
                    "Eingabe",
                    "Bitte genau einen Kunden oder ein Projekt angeben.",
                ))
            }
        }
        load(&store, target)
    })
    .await
}
