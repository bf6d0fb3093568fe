//! Which hourly rate a time entry is billed at: **the one function**
//! ([`resolve`]) behind the Projekte figures, the preview and the draft.
//!
//! First match wins (docs/architecture.md › Billing rules):
//! the invoice's own rate („Stundensatz“ in the dialog, or a rate changed in its
//! list) → subproject (role rate, then flat) → main project (role, then flat) →
//! customer (role, then flat) → the employee's own rate → the role's rate → the
//! default Stundensatz (Einstellungen › Schnittstellen). Every rate counts from
//! its „gültig ab“: the rate valid on the entry's date is used, so a raise in
//! January leaves December as it was.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::storage::{
    flat_rate_on, role_rate_on, Customer, DatedRate, Employee, Project, RateRules, Role,
};

/// One level's rates: a flat rate (with its changes) and role rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level {
    pub flat: Option<Decimal>,
    pub rules: RateRules,
}

impl Level {
    pub fn of_project(p: &Project) -> Level {
        Level {
            flat: p.hourly_rate,
            rules: p.rules.clone(),
        }
    }

    pub fn of_customer(c: &Customer) -> Level {
        Level {
            flat: c.hourly_rate,
            rules: c.rules.clone(),
        }
    }

    /// (rate, from a role rate?) valid on `date`.
    fn on(&self, role: Option<u64>, date: NaiveDate) -> Option<(Decimal, bool)> {
        if let Some(r) = role.and_then(|r| role_rate_on(&self.rules.role_rates, r, date)) {
            return Some((r, true));
        }
        flat_rate_on(self.flat, &self.rules.rate_changes, date).map(|r| (r, false))
    }
}

/// Everything a project family's rates depend on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateTables {
    pub main_project_id: u64,
    pub main: Level,
    /// The subprojects' own levels, by project id.
    pub subprojects: HashMap<u64, Level>,
    pub customer: Option<Level>,
    pub employees: HashMap<u64, Employee>,
    pub roles: HashMap<u64, Role>,
    pub default_rate: Option<Decimal>,
    pub default_changes: Vec<DatedRate>,
}

/// The invoice's own rates (this invoice only).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// „Stundensatz“ typed in the dialog: all time of this invoice.
    pub all: Option<Decimal>,
    /// A rate of the list changed for this invoice: (resolved rate, new rate).
    pub by_rate: Vec<(Decimal, Decimal)>,
}

/// A resolved rate and where it came from, in words („Geselle · Kunde“).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolved {
    pub rate: Decimal,
    /// The rate before a change in the dialog's list (= `rate` without one).
    pub listed: Decimal,
    pub source: String,
    /// The employee's role name, if any (for line names).
    pub role: Option<String>,
}

/// The rate of a time entry of project `project_id` (the main project or one of
/// its subprojects) by `employee` on `date`; None when no level has one.
pub fn resolve(
    t: &RateTables,
    overrides: &Overrides,
    project_id: u64,
    employee: Option<u64>,
    date: NaiveDate,
) -> Option<Resolved> {
    let emp = employee.and_then(|id| t.employees.get(&id));
    let role_id = emp.and_then(|e| e.role_id);
    let role = role_id.and_then(|r| t.roles.get(&r));
    let role_name = role.map(|r| r.name.clone());
    let found = |rate: Decimal, source: String| Resolved {
        rate,
        listed: rate,
        source,
        role: role_name.clone(),
    };
    if let Some(rate) = overrides.all {
        return Some(found(rate, "diese Rechnung".into()));
    }
    let labelled = |(rate, by_role): (Decimal, bool), level: &str| {
        let source = match (&role_name, by_role) {
            (Some(r), true) => format!("{r} · {level}"),
            _ => level.to_string(),
        };
        found(rate, source)
    };
    let resolved = (project_id != t.main_project_id)
        .then(|| t.subprojects.get(&project_id))
        .flatten()
        .and_then(|l| l.on(role_id, date))
        .map(|r| labelled(r, "Unterprojekt"))
        .or_else(|| t.main.on(role_id, date).map(|r| labelled(r, "Projekt")))
        .or_else(|| {
            t.customer
                .as_ref()
                .and_then(|c| c.on(role_id, date))
                .map(|r| labelled(r, "Kunde"))
        })
        .or_else(|| {
            emp.and_then(|e| flat_rate_on(e.hourly_rate, &e.rate_changes, date))
                .map(|r| found(r, format!("{} · Mitarbeiter", emp.map(|e| e.name.as_str()).unwrap_or_default())))
        })
        .or_else(|| {
            role.and_then(|r| flat_rate_on(r.hourly_rate, &r.rate_changes, date))
                .map(|r| found(r, format!("{} · Rolle", role_name.clone().unwrap_or_default())))
        })
        .or_else(|| {
            flat_rate_on(t.default_rate, &t.default_changes, date)
                .map(|r| found(r, "Standard".into()))
        })?;
    match overrides
        .by_rate
        .iter()
        .find(|(from, _)| *from == resolved.rate)
    {
        Some((_, to)) => Some(Resolved {
            rate: *to,
            listed: resolved.rate,
            source: format!("{} · geändert für diese Rechnung", resolved.source),
            role: resolved.role,
        }),
        None => Some(resolved),
    }
}
