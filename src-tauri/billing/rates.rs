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

use crate::model::{
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
    /// The employee's role name, if any.
    pub role: Option<String>,
    /// The rate is a role's (a role rate of a level, or the role's own): a time
    /// line of such rates names the role.
    pub by_role: bool,
    /// Where it was found.
    pub level: RateLevel,
}

/// The levels of the resolution order, first to last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RateLevel {
    /// „Stundensatz“ typed in the dialog.
    Invoice,
    Subproject,
    Project,
    Customer,
    Employee,
    Role,
    /// Einstellungen › Schnittstellen.
    Default,
}

impl RateLevel {
    /// The word in a rate's source („Geselle · Kunde“).
    pub fn word(self) -> &'static str {
        match self {
            RateLevel::Invoice => "diese Rechnung",
            RateLevel::Subproject => "Unterprojekt",
            RateLevel::Project => "Projekt",
            RateLevel::Customer => "Kunde",
            RateLevel::Employee => "Mitarbeiter",
            RateLevel::Role => "Rolle",
            RateLevel::Default => "Standard",
        }
    }
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
    let role_id = emp.and_then(|e| e.role_on(date));
    let role = role_id.and_then(|r| t.roles.get(&r));
    let role_name = role.map(|r| r.name.clone());
    // (rate, from a role rate?) and the level it was found on.
    let found = |(rate, by_role): (Decimal, bool), level: RateLevel| {
        let source = match (level, &role_name, by_role) {
            (RateLevel::Employee, _, _) => format!(
                "{} · {}",
                emp.map(|e| e.name.as_str()).unwrap_or_default(),
                level.word()
            ),
            (_, Some(r), true) => format!("{r} · {}", level.word()),
            _ => level.word().to_string(),
        };
        Resolved {
            rate,
            listed: rate,
            source,
            role: role_name.clone(),
            by_role,
            level,
        }
    };
    if let Some(rate) = overrides.all {
        return Some(found((rate, false), RateLevel::Invoice));
    }
    let resolved = (project_id != t.main_project_id)
        .then(|| t.subprojects.get(&project_id))
        .flatten()
        .and_then(|l| l.on(role_id, date))
        .map(|r| found(r, RateLevel::Subproject))
        .or_else(|| {
            t.main
                .on(role_id, date)
                .map(|r| found(r, RateLevel::Project))
        })
        .or_else(|| {
            t.customer
                .as_ref()
                .and_then(|c| c.on(role_id, date))
                .map(|r| found(r, RateLevel::Customer))
        })
        .or_else(|| {
            emp.and_then(|e| flat_rate_on(e.hourly_rate, &e.rate_changes, date))
                .map(|r| found((r, false), RateLevel::Employee))
        })
        .or_else(|| {
            role.and_then(|r| flat_rate_on(r.hourly_rate, &r.rate_changes, date))
                .map(|r| found((r, true), RateLevel::Role))
        })
        .or_else(|| {
            flat_rate_on(t.default_rate, &t.default_changes, date)
                .map(|r| found((r, false), RateLevel::Default))
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
            ..resolved
        }),
        None => Some(resolved),
    }
}

#[cfg(test)]
mod tests {
    //! The order of `resolve`, one test per step: each step wins over every later
    //! one (all later levels are set) and loses to every earlier one (each earlier
    //! level alone beats it). Sources are the words the preview shows.

    use std::str::FromStr;

    use super::*;
    use crate::model::RoleRate;

    const MAIN: u64 = 1;
    const SUB: u64 = 2;
    const GESELLE: u64 = 10;
    const ANNA: u64 = 20;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn march() -> NaiveDate {
        day(2026, 3, 2)
    }

    /// The levels in the order `resolve` tries them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Step {
        Invoice,
        SubRole,
        SubFlat,
        MainRole,
        MainFlat,
        CustomerRole,
        CustomerFlat,
        Employee,
        Role,
        Default,
    }

    const ORDER: [Step; 10] = [
        Step::Invoice,
        Step::SubRole,
        Step::SubFlat,
        Step::MainRole,
        Step::MainFlat,
        Step::CustomerRole,
        Step::CustomerFlat,
        Step::Employee,
        Step::Role,
        Step::Default,
    ];

    /// What each step yields for Anna (Geselle) on a subproject entry.
    fn expected(step: Step) -> (&'static str, &'static str) {
        match step {
            Step::Invoice => ("200", "diese Rechnung"),
            Step::SubRole => ("110", "Geselle · Unterprojekt"),
            Step::SubFlat => ("100", "Unterprojekt"),
            Step::MainRole => ("95", "Geselle · Projekt"),
            Step::MainFlat => ("90", "Projekt"),
            Step::CustomerRole => ("85", "Geselle · Kunde"),
            Step::CustomerFlat => ("80", "Kunde"),
            Step::Employee => ("75", "Anna Schmidt · Mitarbeiter"),
            Step::Role => ("70", "Geselle · Rolle"),
            Step::Default => ("60", "Standard"),
        }
    }

    fn role_rate(rate: &str) -> RateRules {
        RateRules {
            role_rates: vec![RoleRate {
                role_id: GESELLE,
                valid_from: None,
                rate: d(rate),
            }],
            ..Default::default()
        }
    }

    /// Anna Schmidt (Geselle) always exists, as does the role (its name is
    /// part of the sources); only the rates of `steps` are set.
    fn tables_with(steps: &[Step]) -> (RateTables, Overrides) {
        let has = |s: Step| steps.contains(&s);
        let rate = |s: Step| has(s).then(|| d(expected(s).0));
        let level = |role: Step, flat: Step| Level {
            flat: rate(flat),
            rules: if has(role) {
                role_rate(expected(role).0)
            } else {
                RateRules::default()
            },
        };
        let tables = RateTables {
            main_project_id: MAIN,
            main: level(Step::MainRole, Step::MainFlat),
            subprojects: HashMap::from([(SUB, level(Step::SubRole, Step::SubFlat))]),
            customer: Some(level(Step::CustomerRole, Step::CustomerFlat)),
            employees: HashMap::from([(
                ANNA,
                Employee {
                    id: ANNA,
                    name: "Anna Schmidt".into(),
                    role_id: Some(GESELLE),
                    hourly_rate: rate(Step::Employee),
                    rate_changes: Vec::new(),
                    active: true,
                    role_changes: Vec::new(),
                },
            )]),
            roles: HashMap::from([(
                GESELLE,
                Role {
                    id: GESELLE,
                    name: "Geselle".into(),
                    hourly_rate: rate(Step::Role),
                    rate_changes: Vec::new(),
                },
            )]),
            default_rate: rate(Step::Default),
            default_changes: Vec::new(),
        };
        let overrides = Overrides {
            all: rate(Step::Invoice),
            by_rate: Vec::new(),
        };
        (tables, overrides)
    }

    fn resolved(step: Step) -> Resolved {
        let (rate, source) = expected(step);
        Resolved {
            rate: d(rate),
            listed: d(rate),
            source: source.into(),
            role: Some("Geselle".into()),
            by_role: matches!(
                step,
                Step::SubRole | Step::MainRole | Step::CustomerRole | Step::Role
            ),
            level: match step {
                Step::Invoice => RateLevel::Invoice,
                Step::SubRole | Step::SubFlat => RateLevel::Subproject,
                Step::MainRole | Step::MainFlat => RateLevel::Project,
                Step::CustomerRole | Step::CustomerFlat => RateLevel::Customer,
                Step::Employee => RateLevel::Employee,
                Step::Role => RateLevel::Role,
                Step::Default => RateLevel::Default,
            },
        }
    }

    fn on_sub(steps: &[Step]) -> Option<Resolved> {
        let (t, o) = tables_with(steps);
        resolve(&t, &o, SUB, Some(ANNA), march())
    }

    /// `step` wins with every later level set, and each earlier level alone beats it.
    fn assert_step(step: Step) {
        let k = ORDER.iter().position(|s| *s == step).unwrap();
        let from_here = &ORDER[k..];
        assert_eq!(
            on_sub(from_here),
            Some(resolved(step)),
            "{step:?} with all later levels"
        );
        for earlier in &ORDER[..k] {
            let mut steps = vec![*earlier];
            steps.extend_from_slice(from_here);
            assert_eq!(
                on_sub(&steps),
                Some(resolved(*earlier)),
                "{earlier:?} must beat {step:?}"
            );
        }
    }

    #[test]
    fn the_invoice_rate_wins_over_every_level() {
        assert_step(Step::Invoice);
    }

    #[test]
    fn subproject_role_rate_comes_next() {
        assert_step(Step::SubRole);
    }

    #[test]
    fn subproject_flat_rate_after_its_role_rate() {
        assert_step(Step::SubFlat);
    }

    #[test]
    fn main_project_role_rate_after_the_subproject() {
        assert_step(Step::MainRole);
    }

    #[test]
    fn main_project_flat_rate_after_its_role_rate() {
        assert_step(Step::MainFlat);
    }

    #[test]
    fn customer_role_rate_after_the_projects() {
        assert_step(Step::CustomerRole);
    }

    #[test]
    fn customer_flat_rate_after_its_role_rate() {
        assert_step(Step::CustomerFlat);
    }

    #[test]
    fn the_employees_own_rate_after_the_customer() {
        assert_step(Step::Employee);
    }

    #[test]
    fn the_roles_rate_after_the_employees_own() {
        assert_step(Step::Role);
    }

    #[test]
    fn the_default_rate_comes_last() {
        assert_step(Step::Default);
    }

    #[test]
    fn no_rate_anywhere_is_none() {
        assert_eq!(on_sub(&[]), None);
    }

    #[test]
    fn an_entry_on_the_main_project_ignores_the_subproject_levels() {
        let (t, o) = tables_with(&ORDER[1..]);
        assert_eq!(
            resolve(&t, &o, MAIN, Some(ANNA), march()),
            Some(resolved(Step::MainRole))
        );
        let (t, o) = tables_with(&[Step::SubRole, Step::SubFlat, Step::CustomerFlat]);
        assert_eq!(
            resolve(&t, &o, MAIN, Some(ANNA), march()),
            Some(resolved(Step::CustomerFlat))
        );
    }

    #[test]
    fn a_time_without_employee_skips_role_employee_and_role_levels() {
        let (t, o) = tables_with(&ORDER[1..]);
        let r = resolve(&t, &o, SUB, None, march()).unwrap();
        assert_eq!(
            (r.rate, r.source.as_str(), r.role),
            (d("100"), "Unterprojekt", None)
        );
        let (t, o) = tables_with(&[
            Step::CustomerRole,
            Step::Employee,
            Step::Role,
            Step::Default,
        ]);
        let r = resolve(&t, &o, SUB, None, march()).unwrap();
        assert_eq!((r.rate, r.source.as_str()), (d("60"), "Standard"));
    }

    #[test]
    fn a_raise_valid_from_january_leaves_december_at_the_old_rate() {
        let (mut t, o) = tables_with(&[Step::CustomerFlat, Step::Default]);
        t.customer.as_mut().unwrap().rules.rate_changes = vec![DatedRate {
            valid_from: Some(day(2027, 1, 1)),
            rate: d("88"),
        }];
        let at = |date| {
            let r = resolve(&t, &o, SUB, Some(ANNA), date).unwrap();
            (r.rate, r.source)
        };
        assert_eq!(at(day(2026, 12, 31)), (d("80"), "Kunde".to_string()));
        assert_eq!(at(day(2027, 1, 1)), (d("88"), "Kunde".to_string()));
        assert_eq!(at(day(2027, 6, 30)), (d("88"), "Kunde".to_string()));
    }

    #[test]
    fn of_several_changes_the_latest_one_valid_on_the_day_counts() {
        let (mut t, o) = tables_with(&[Step::Default]);
        // Listed out of order on purpose.
        t.default_changes = vec![
            DatedRate {
                valid_from: Some(day(2027, 1, 1)),
                rate: d("66"),
            },
            DatedRate {
                valid_from: Some(day(2026, 7, 1)),
                rate: d("63"),
            },
        ];
        let at = |date| resolve(&t, &o, SUB, Some(ANNA), date).unwrap().rate;
        assert_eq!(at(day(2026, 6, 30)), d("60"));
        assert_eq!(at(day(2026, 7, 1)), d("63"));
        assert_eq!(at(day(2026, 12, 31)), d("63"));
        assert_eq!(at(day(2027, 1, 1)), d("66"));
    }

    #[test]
    fn a_role_rate_valid_from_later_applies_from_that_day_on() {
        // Customer: flat 80; Geselle 92 only from 2027-01-01.
        let (mut t, o) = tables_with(&[Step::CustomerFlat, Step::Default]);
        t.customer.as_mut().unwrap().rules.role_rates = vec![RoleRate {
            role_id: GESELLE,
            valid_from: Some(day(2027, 1, 1)),
            rate: d("92"),
        }];
        let at = |date| {
            let r = resolve(&t, &o, SUB, Some(ANNA), date).unwrap();
            (r.rate, r.source)
        };
        assert_eq!(at(day(2026, 12, 31)), (d("80"), "Kunde".to_string()));
        assert_eq!(
            at(day(2027, 1, 1)),
            (d("92"), "Geselle · Kunde".to_string())
        );
        // With an older Geselle rate too, the later one replaces it from its day.
        t.customer
            .as_mut()
            .unwrap()
            .rules
            .role_rates
            .push(RoleRate {
                role_id: GESELLE,
                valid_from: None,
                rate: d("85"),
            });
        let at = |date| resolve(&t, &o, SUB, Some(ANNA), date).unwrap().rate;
        assert_eq!(at(day(2026, 12, 31)), d("85"));
        assert_eq!(at(day(2027, 1, 1)), d("92"));
    }

    #[test]
    fn a_role_rate_of_another_role_does_not_apply() {
        let (mut t, o) = tables_with(&[Step::CustomerFlat]);
        t.customer.as_mut().unwrap().rules.role_rates = vec![RoleRate {
            role_id: GESELLE + 1,
            valid_from: None,
            rate: d("99"),
        }];
        let r = resolve(&t, &o, SUB, Some(ANNA), march()).unwrap();
        assert_eq!((r.rate, r.source.as_str()), (d("80"), "Kunde"));
    }

    #[test]
    fn a_rate_changed_in_the_list_maps_the_resolved_rate_and_keeps_it_as_listed() {
        let (t, mut o) = tables_with(&[Step::CustomerRole, Step::Default]);
        // Listed as "85.00": the same rate as 85.
        o.by_rate = vec![(d("85.00"), d("92.50")), (d("70"), d("1"))];
        let r = resolve(&t, &o, SUB, Some(ANNA), march()).unwrap();
        assert_eq!(
            r,
            Resolved {
                rate: d("92.50"),
                listed: d("85"),
                source: "Geselle · Kunde · geändert für diese Rechnung".into(),
                role: Some("Geselle".into()),
                by_role: true,
                level: RateLevel::Customer,
            }
        );
        // A time at a rate not in the list stays as resolved.
        let r = resolve(&t, &o, SUB, None, march()).unwrap();
        assert_eq!(
            r,
            Resolved {
                rate: d("60"),
                listed: d("60"),
                source: "Standard".into(),
                role: None,
                by_role: false,
                level: RateLevel::Default,
            }
        );
    }

    /// Azubi → Geselle from 01.04. (Mitarbeiter form, „gültig ab“): an open
    /// March entry keeps the Azubi rate, April's takes the Geselle rate.
    #[test]
    fn a_role_change_takes_effect_from_its_date() {
        const AZUBI: u64 = GESELLE + 100;
        let (mut tables, _) = tables_with(&[Step::Role]);
        tables.roles.insert(
            AZUBI,
            Role {
                id: AZUBI,
                name: "Azubi".into(),
                hourly_rate: Some(d("40")),
                rate_changes: Vec::new(),
            },
        );
        let anna = tables.employees.get_mut(&ANNA).unwrap();
        anna.role_id = Some(AZUBI);
        anna.role_changes = vec![crate::model::DatedRole {
            valid_from: day(2026, 4, 1),
            role_id: Some(GESELLE),
        }];
        let none = Overrides::default();
        let march = resolve(&tables, &none, MAIN, Some(ANNA), day(2026, 3, 31)).unwrap();
        assert_eq!(
            (march.rate, march.source.as_str()),
            (d("40"), "Azubi · Rolle")
        );
        let april = resolve(&tables, &none, MAIN, Some(ANNA), day(2026, 4, 1)).unwrap();
        assert_eq!(
            (april.rate, april.source.as_str()),
            (d("70"), "Geselle · Rolle")
        );
    }
}
