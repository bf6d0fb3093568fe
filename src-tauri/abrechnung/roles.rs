//! Einstellungen › Abrechnung › Rollen: name and Stundensatz per role.

use serde::{Deserialize, Serialize};

use super::{apply_rate, history_display, optional_date, rate_input};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{Role, Settings};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub id: u64,
    pub name: String,
    /// The base rate for the form (`85,00` or empty).
    pub rate: String,
    /// „85,00 €/h; ab 01.01.2027: 92,00 €/h“, or „kein Stundensatz“.
    pub rates_display: String,
    /// How many employees have this role.
    pub employees: usize,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleInput {
    pub id: Option<u64>,
    pub name: String,
    pub rate: String,
    pub valid_from: String,
}

fn view(r: &Role, s: &Settings) -> RoleView {
    let shown = history_display(r.hourly_rate, &r.rate_changes);
    RoleView {
        id: r.id,
        name: r.name.clone(),
        rate: rate_input(r.hourly_rate),
        rates_display: if shown.is_empty() {
            "kein Stundensatz".into()
        } else {
            shown
        },
        employees: s.employees.iter().filter(|e| e.has_role(r.id)).count(),
    }
}

pub fn role_views(s: &Settings) -> Vec<RoleView> {
    let mut roles: Vec<&Role> = s.roles.iter().collect();
    roles.sort_by_key(|r| r.name.to_lowercase());
    roles.into_iter().map(|r| view(r, s)).collect()
}

pub async fn roles(core: &Core) -> AppResult<Vec<RoleView>> {
    let store = core.store.clone();
    blocking(move || Ok(role_views(&store.settings()?))).await
}

pub async fn save_role(core: &Core, input: RoleInput) -> AppResult<Vec<RoleView>> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::validation(
            "Name",
            "Bitte einen Namen für die Rolle eingeben, z. B. Geselle.",
        ));
    }
    if name.chars().count() > 60 {
        return Err(AppError::validation("Name", "Name: höchstens 60 Zeichen."));
    }
    let rate = crate::money::parse_optional_rate(&input.rate)?;
    let valid_from = optional_date(&input.valid_from)?;
    let store = core.store.clone();
    blocking(move || {
        let id = match input.id {
            Some(id) => id,
            None => store.next_id()?,
        };
        // Checked in the same transaction as the write: two seats never
        // make the same role twice.
        let s = store.try_update_settings(|s| {
            if s.roles
                .iter()
                .any(|r| r.name.to_lowercase() == name.to_lowercase() && r.id != id)
            {
                return Err(AppError::validation(
                    "Name",
                    format!("Die Rolle „{name}“ gibt es schon."),
                ));
            }
            if input.id.is_some() && !s.roles.iter().any(|r| r.id == id) {
                return Err(AppError::NotFound("Diese Rolle gibt es nicht mehr.".into()));
            }
            if !s.roles.iter().any(|r| r.id == id) {
                s.roles.push(Role {
                    id,
                    name: name.clone(),
                    hourly_rate: None,
                    rate_changes: Vec::new(),
                });
            }
            let r = s
                .roles
                .iter_mut()
                .find(|r| r.id == id)
                .expect("just ensured");
            r.name = name.clone();
            apply_rate(&mut r.hourly_rate, &mut r.rate_changes, rate, valid_from);
            Ok(())
        })?;
        Ok(role_views(&s))
    })
    .await
}

/// Removes a role that no employee and no rate uses.
pub async fn delete_role(core: &Core, id: u64) -> AppResult<Vec<RoleView>> {
    let store = core.store.clone();
    blocking(move || {
        let s = store.settings()?;
        let role = s.roles.iter().find(|r| r.id == id).ok_or_else(|| AppError::NotFound("Diese Rolle gibt es nicht mehr.".into()))?;
        let users = s.employees.iter().filter(|e| e.has_role(id)).count();
        if users > 0 {
            return Err(AppError::validation("Rolle", format!("Die Rolle „{}“ ist {} zugeordnet und kann nicht entfernt werden. Bitte zuerst den Mitarbeitern eine andere Rolle geben.", role.name, crate::de::format::count_de(users, "Mitarbeiter", "Mitarbeitern"))));
        }
        let used = store.customers()?.iter().any(|c| c.rules.role_rates.iter().any(|r| r.role_id == id))
            || store.projects()?.iter().any(|p| p.rules.role_rates.iter().any(|r| r.role_id == id));
        if used {
            return Err(AppError::validation("Rolle", format!("Für die Rolle „{}“ sind bei Kunden oder Projekten Stundensätze hinterlegt. Bitte diese zuerst entfernen.", role.name)));
        }
        let s = store.update_settings(|s| s.roles.retain(|r| r.id != id))?;
        Ok(role_views(&s))
    })
    .await
}
