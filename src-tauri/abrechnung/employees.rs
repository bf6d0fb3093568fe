//! Einstellungen › Mitarbeiter: Name, Rolle, Stundensatz (optional), aktiv.

use serde::{Deserialize, Serialize};

use super::{apply_rate, history_display, optional_date, rate_input};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::model::entry_rules::EMPLOYEE_CHARS;
use crate::storage::{Employee, Settings};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeView {
    pub id: u64,
    pub name: String,
    pub role_id: Option<u64>,
    /// „Geselle“ or „keine Rolle“; with dated changes „Azubi; ab 01.04.2026: Geselle“.
    pub role_display: String,
    /// The Rolle has dated changes (the form shows the history).
    pub role_changed: bool,
    /// The own base rate for the form.
    pub rate: String,
    /// „85,00 €/h; ab …“, or „–“.
    pub rates_display: String,
    pub active: bool,
    pub active_display: &'static str,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct EmployeeInput {
    pub id: Option<u64>,
    pub name: String,
    pub role_id: Option<u64>,
    pub rate: String,
    pub valid_from: String,
    pub active: bool,
}

/// „Geselle“, or with its history „Azubi; ab 01.04.2026: Geselle“.
fn role_history(e: &Employee, s: &Settings) -> String {
    let name = |r: Option<u64>| {
        r.and_then(|r| s.roles.iter().find(|x| x.id == r))
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "keine Rolle".into())
    };
    let mut parts = vec![name(e.role_id)];
    let mut changes: Vec<&crate::storage::DatedRole> = e.role_changes.iter().collect();
    changes.sort_by_key(|c| c.valid_from);
    for c in changes {
        parts.push(format!(
            "ab {}: {}",
            crate::de::format::date(c.valid_from),
            name(c.role_id)
        ));
    }
    parts.join("; ")
}

fn view(e: &Employee, s: &Settings) -> EmployeeView {
    let shown = history_display(e.hourly_rate, &e.rate_changes);
    EmployeeView {
        id: e.id,
        name: e.name.clone(),
        // The form shows the Rolle of today; a change with „gültig ab“ is kept apart.
        role_id: e.role_on(crate::de::clock::today_berlin()),
        role_display: role_history(e, s),
        role_changed: !e.role_changes.is_empty(),
        rate: rate_input(e.hourly_rate),
        rates_display: if shown.is_empty() {
            "–".into()
        } else {
            shown
        },
        active: e.active,
        active_display: if e.active { "aktiv" } else { "nicht aktiv" },
    }
}

/// Sorted by name; active ones first.
pub fn employee_views(s: &Settings) -> Vec<EmployeeView> {
    let mut list: Vec<&Employee> = s.employees.iter().collect();
    list.sort_by_key(|e| (!e.active, e.name.to_lowercase()));
    list.into_iter().map(|e| view(e, s)).collect()
}

pub async fn employees(core: &Core) -> AppResult<Vec<EmployeeView>> {
    let store = core.store.clone();
    blocking(move || Ok(employee_views(&store.settings()?))).await
}

/// A Mitarbeiter field left: the employee the name means (his own spelling),
/// or „neu“ when it matches nobody.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeMatch {
    /// „Jana Kraus“ for „jana  kraus“; a new name with its blanks tidied.
    pub name: String,
    pub known: bool,
}

pub async fn employee_match(core: &Core, name: String) -> AppResult<EmployeeMatch> {
    let store = core.store.clone();
    blocking(move || {
        let employees = store.employees()?;
        Ok(match crate::storage::employee_named(&employees, &name) {
            Some(e) => EmployeeMatch {
                name: e.name.clone(),
                known: true,
            },
            None => EmployeeMatch {
                name: crate::storage::clean_name(&name),
                known: false,
            },
        })
    })
    .await
}

pub async fn save_employee(core: &Core, input: EmployeeInput) -> AppResult<EmployeeView> {
    // The same rule as „Mitarbeiter“ in the time form.
    let name = crate::model::entry_rules::clean_text("Name", &input.name, EMPLOYEE_CHARS, false)
        .map_err(|(f, m)| AppError::validation(f, m))?;
    if name.is_empty() {
        return Err(AppError::validation("Name", "Bitte einen Namen eingeben."));
    }
    let rate = crate::money::parse_optional_rate(&input.rate)?;
    let valid_from = optional_date(&input.valid_from)?;
    let store = core.store.clone();
    blocking(move || {
        let name = crate::storage::clean_name(&name);
        let id = match input.id {
            Some(id) => id,
            None => store.next_id()?,
        };
        // Checked in the same transaction as the write: two seats never make
        // one person twice.
        let s = store.try_update_settings(|s| {
            check_employee(s, &input, id, &name)?;
            if !s.employees.iter().any(|e| e.id == id) {
                s.employees.push(Employee {
                    id,
                    name: name.clone(),
                    role_id: None,
                    hourly_rate: None,
                    rate_changes: Vec::new(),
                    active: true,
                    role_changes: Vec::new(),
                });
            }
            let e = s
                .employees
                .iter_mut()
                .find(|e| e.id == id)
                .expect("just ensured");
            e.name = name.clone();
            e.active = input.active;
            // „gültig ab“ dates whatever this save changes: the Rolle and/or the rate.
            apply_role(e, input.role_id, valid_from);
            // The form shows the base rate: unchanged, it dates nothing.
            let unchanged_rate = valid_from.is_some() && rate == e.hourly_rate;
            if !unchanged_rate {
                apply_rate(&mut e.hourly_rate, &mut e.rate_changes, rate, valid_from);
            }
            Ok(())
        })?;
        let e = s.employees.iter().find(|e| e.id == id).expect("saved");
        Ok(view(e, &s))
    })
    .await
}

/// What the employee form may not save: a Rolle that is gone, a name another
/// employee has, an employee that is gone.
fn check_employee(s: &Settings, input: &EmployeeInput, id: u64, name: &str) -> AppResult<()> {
    if let Some(r) = input.role_id {
        if !s.roles.iter().any(|x| x.id == r) {
            return Err(AppError::validation(
                "Rolle",
                "Diese Rolle gibt es nicht mehr. Bitte eine andere wählen.",
            ));
        }
    }
    // Checked when the name is new or changes (two records of one person
    // from before names matched this way stay editable until merged).
    let renamed = input.id.is_none_or(|id| {
        s.employees
            .iter()
            .find(|e| e.id == id)
            .is_none_or(|e| crate::storage::name_key(&e.name) != crate::storage::name_key(name))
    });
    if let Some(other) = s.employees.iter().find(|e| {
        renamed && crate::storage::name_key(&e.name) == crate::storage::name_key(name) && e.id != id
    }) {
        return Err(AppError::validation(
            "Name",
            format!("Es gibt schon einen Mitarbeiter „{}“.", other.name),
        ));
    }
    if input.id.is_some() && !s.employees.iter().any(|e| e.id == id) {
        return Err(AppError::NotFound(
            "Diesen Mitarbeiter gibt es nicht mehr.".into(),
        ));
    }
    Ok(())
}

/// A Rolle chosen in the form: with „gültig ab“ a change from that day on
/// (earlier work keeps the Rolle it had); without one, when it differs from
/// today's, the Rolle since always (its dated changes go).
fn apply_role(e: &mut Employee, role: Option<u64>, valid_from: Option<chrono::NaiveDate>) {
    // The form shows today's Rolle: unchanged, it dates nothing (a rate
    // saved „gültig ab“ leaves the Rolle history alone).
    if e.role_on(crate::de::clock::today_berlin()) == role {
        return;
    }
    match valid_from {
        Some(d) => {
            e.role_changes.retain(|c| c.valid_from != d);
            e.role_changes.push(crate::storage::DatedRole {
                valid_from: d,
                role_id: role,
            });
            e.role_changes.sort_by_key(|c| c.valid_from);
        }
        None => {
            e.role_id = role;
            e.role_changes.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn jana(role: Option<u64>) -> Employee {
        Employee {
            id: 1,
            name: "Jana Kraus".into(),
            role_id: role,
            hourly_rate: None,
            rate_changes: Vec::new(),
            active: true,
            role_changes: Vec::new(),
        }
    }

    const AZUBI: u64 = 10;
    const GESELLE: u64 = 11;

    #[test]
    fn a_role_change_with_gueltig_ab_leaves_earlier_days_alone() {
        let mut e = jana(Some(AZUBI));
        apply_role(&mut e, Some(GESELLE), Some(day(4, 1)));
        assert_eq!(e.role_on(day(3, 31)), Some(AZUBI));
        assert_eq!(e.role_on(day(4, 1)), Some(GESELLE));
        assert_eq!(e.role_id, Some(AZUBI));
        // Saved again with the same date and Rolle: nothing doubles.
        apply_role(&mut e, Some(GESELLE), Some(day(4, 1)));
        assert_eq!(e.role_changes.len(), 1);
    }

    #[test]
    fn a_role_without_date_is_the_role_since_always() {
        let mut e = jana(Some(AZUBI));
        apply_role(&mut e, Some(GESELLE), None);
        assert_eq!(e.role_on(day(1, 1)), Some(GESELLE));
        assert!(e.role_changes.is_empty());
    }

    /// A rate saved „gültig ab“ with the Rolle the form showed (today's)
    /// leaves the Rolle history alone (no Geselle for January–March).
    #[test]
    fn an_unchanged_rolle_is_not_dated() {
        let mut e = jana(Some(AZUBI));
        e.role_changes = vec![crate::storage::DatedRole {
            valid_from: day(4, 1),
            role_id: Some(GESELLE),
        }];
        let today = e.role_on(crate::de::clock::today_berlin());
        apply_role(&mut e, today, Some(day(1, 1)));
        assert_eq!(e.role_changes.len(), 1);
        assert_eq!(e.role_on(day(3, 1)), Some(AZUBI));
    }
}
