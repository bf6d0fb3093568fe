//! Property test: for 10,000 random projects — random roles, employees, rate
//! tables with „gültig ab“ dates, Abrechnungstakt rules — the preview's totals equal the
//! totals the sandbox computes for the sent draft (docs/lexoffice.md › Totals and rounding), to the cent,
//! and every line amount matches. Two independent implementations: the app's
//! `billing` module and the sandbox's `price_invoice`.

use crate::support;

use std::collections::HashMap;
use support::Rng;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use zeitrechnung_lib::billing::rates::{resolve, Level, Overrides, RateTables};
use zeitrechnung_lib::billing::{
    build, BillingInput, Group, InvoicePlan, LineChange, LineEdit, LineValues, ServiceItem,
    TimeItem,
};
use zeitrechnung_lib::storage::{
    DatedRate, Employee, HourFormat, Layout, RateRules, Role, RoleRate, Rounding, RoundingMode,
    RoundingScope, ServiceArt, TaxCase, ROUNDING_STEPS,
};

fn day(base: NaiveDate, rng: &mut Rng) -> NaiveDate {
    base + chrono::Duration::days(rng.below(365) as i64)
}

fn rate(rng: &mut Rng) -> Decimal {
    Decimal::new(1 + rng.below(3_000_000) as i64, 2 + rng.below(3) as u32)
}

/// A rate history: a base rate or none, then up to two changes with „gültig ab“.
fn history(base: NaiveDate, rng: &mut Rng) -> (Option<Decimal>, Vec<DatedRate>) {
    let flat = (rng.below(3) == 0).then(|| rate(rng));
    let changes = (0..rng.below(3))
        .map(|_| DatedRate {
            valid_from: Some(day(base, rng)),
            rate: rate(rng),
        })
        .collect();
    (flat, changes)
}

/// A level (customer, project, subproject): flat history and role rates.
fn level(base: NaiveDate, roles: u64, rng: &mut Rng) -> Level {
    let (flat, rate_changes) = history(base, rng);
    let role_rates = (0..rng.below(4))
        .filter(|_| roles > 0)
        .map(|_| RoleRate {
            role_id: 100 + rng.below(roles),
            valid_from: (rng.below(2) == 0).then(|| day(base, rng)),
            rate: rate(rng),
        })
        .collect();
    Level {
        flat,
        rules: RateRules {
            rate_changes,
            role_rates,
            rounding: None,
        },
    }
}

fn rounding(rng: &mut Rng) -> Rounding {
    Rounding {
        step: ROUNDING_STEPS[rng.below(ROUNDING_STEPS.len() as u64) as usize],
        mode: if rng.below(2) == 0 {
            RoundingMode::Up
        } else {
            RoundingMode::HalfUp
        },
        scope: if rng.below(2) == 0 {
            RoundingScope::Entry
        } else {
            RoundingScope::DayAndEmployee
        },
        minimum: (rng.below(3) == 0).then(|| 15 * rng.below(5) as u32),
    }
}

/// Random roles, employees, rate tables with validity dates and rounding rules;
/// every time priced by the app's one resolver.
fn random_input(rng: &mut Rng) -> BillingInput {
    let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let n_roles = rng.below(4);
    let roles: HashMap<u64, Role> = (0..n_roles)
        .map(|r| {
            let (hourly_rate, rate_changes) = history(base, rng);
            (
                100 + r,
                Role {
                    id: 100 + r,
                    name: ["Meister", "Geselle", "Azubi", "Helfer"][r as usize].into(),
                    hourly_rate,
                    rate_changes,
                },
            )
        })
        .collect();
    let n_employees = 1 + rng.below(6);
    let employees: HashMap<u64, Employee> = (0..n_employees)
        .map(|e| {
            let (hourly_rate, rate_changes) = history(base, rng);
            (
                200 + e,
                Employee {
                    id: 200 + e,
                    name: format!("Person {e}"),
                    role_id: (n_roles > 0 && rng.below(4) > 0).then(|| 100 + rng.below(n_roles)),
                    hourly_rate,
                    rate_changes,
                    active: true,
                    role_changes: Vec::new(),
                },
            )
        })
        .collect();
    let n_groups = 1 + rng.below(4);
    let (default_rate, default_changes) = history(base, rng);
    let tables = RateTables {
        main_project_id: 1,
        main: level(base, n_roles, rng),
        subprojects: (2..=n_groups)
            .map(|g| (g, level(base, n_roles, rng)))
            .collect(),
        customer: (rng.below(4) > 0).then(|| level(base, n_roles, rng)),
        employees,
        roles,
        // Always some rate, so that most cases bill.
        default_rate: default_rate.or_else(|| Some(rate(rng))),
        default_changes,
    };
    let overrides = Overrides {
        all: (rng.below(10) == 0).then(|| rate(rng)),
        by_rate: Vec::new(),
    };
    let mut id = 0u64;
    let groups = (1..=n_groups)
        .map(|g| Group {
            prior: Vec::new(),
            project_id: g,
            name: format!("Teil {g}"),
            is_subproject: g > 1,
            rounding: rounding(rng),
            times: (0..rng.below(12))
                .map(|_| {
                    id += 1;
                    let span = if rng.below(10) == 0 { 60_000 } else { 600 };
                    let date = day(base, rng);
                    let employee_id = (rng.below(8) > 0).then(|| 200 + rng.below(n_employees));
                    TimeItem {
                        entry_id: id,
                        date,
                        minutes: 1 + rng.below(span) as u32,
                        employee: employee_id.map(|e| format!("MA {e}")).unwrap_or_default(),
                        employee_id,
                        role: employee_id.map(|e| format!("Rolle {}", e % 3)),
                        rate: resolve(&tables, &overrides, g, employee_id, date),
                        description: ["", "Kabel verlegt", "Dosen gesetzt"][rng.below(3) as usize]
                            .into(),
                        goodwill: rng.below(12) == 0,
                    }
                })
                .collect(),
            services: (0..rng.below(6))
                .map(|_| {
                    id += 1;
                    ServiceItem {
                        entry_id: id,
                        date: day(base, rng),
                        name: format!("Material {}", rng.below(4)),
                        description: String::new(),
                        quantity: Decimal::new(1 + rng.below(10_000) as i64, rng.below(5) as u32),
                        unit: ["Stück", "m", "Pauschal"][rng.below(3) as usize].into(),
                        unit_price: Decimal::new(
                            rng.below(1_000_000) as i64,
                            2 + rng.below(3) as u32,
                        ),
                        tax_rate: Decimal::from([0, 7, 19][rng.below(3) as usize]),
                        art: [
                            None,
                            Some(ServiceArt::Arbeit),
                            Some(ServiceArt::Material),
                            Some(ServiceArt::Fahrt),
                        ][rng.below(4) as usize],
                        article: None,
                    }
                })
                .collect(),
        })
        .collect();
    BillingInput {
        contact_id: "5a1d6f3e-2b4c-4d8e-9f00-1234567890ab".into(),
        project_name: "Projekt".into(),
        period_from: base,
        period_to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        hours: HourFormat {
            unit: "Std.".into(),
            exact: rng.below(4) == 0,
        },
        list_subprojects: rng.below(2) == 0,
        small_business: rng.below(8) == 0,
        time_tax_rate: Decimal::from(19),
        today: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        title: None,
        introduction: None,
        remark: None,
        groups,
        layout: Layout::ALL[rng.below(5) as usize],
        tax_case: if rng.below(2) == 0 {
            TaxCase::Standard
        } else {
            TaxCase::ALL[rng.below(5) as usize]
        },
        tax_note: (rng.below(3) == 0)
            .then(|| "Steuerschuldnerschaft des Leistungsempfängers".into()),
        private_35a: rng.below(3) == 0,
        ..Default::default()
    }
}

#[test]
fn preview_totals_equal_sandbox_totals_for_10000_random_projects() {
    let mut rng = Rng(20261126);
    let mut checked = 0;
    let mut skipped = std::collections::BTreeMap::new();
    let cases = support::cases(10_000) as usize;
    for case in 0..cases {
        let input = random_input(&mut rng);
        let plan = match build(&input) {
            Ok(p) => p,
            Err(e) => {
                *skipped
                    .entry(
                        format!("{e:?}")
                            .split(['{', '('])
                            .next()
                            .unwrap_or("")
                            .to_string(),
                    )
                    .or_insert(0) += 1;
                continue; // nothing is sent
            }
        };
        let priced = assert_sandbox_agrees(case, &plan);
        // Every tax type but net bills 0 % (the sandbox refuses anything else).
        let tax_type = priced.tax_conditions.tax_type.as_str();
        if tax_type != "net" {
            assert!(
                plan.lines
                    .iter()
                    .filter_map(|l| l.tax_rate)
                    .all(|r| r.is_zero()),
                "case {case}"
            );
        }
        assert_eq!(
            tax_type,
            if input.small_business {
                "vatfree"
            } else {
                input.tax_case.tax_type()
            }
        );
        // §35a: the Arbeitskosten in the Schlusstext are the labour section's lines.
        if input.private_35a {
            let start = plan
                .lines
                .iter()
                .position(|l| l.name == "Arbeitskosten" && l.amount.is_none());
            let end = plan
                .lines
                .iter()
                .position(|l| l.name == "Materialkosten" && l.amount.is_none());
            let labour_lines = match start {
                Some(a) => &plan.lines[a..end.unwrap_or(plan.lines.len())],
                None => &plan.lines[..0],
            };
            let sum: Decimal = labour_lines.iter().filter_map(|l| l.amount).sum();
            match &plan.labour {
                Some(l) => {
                    assert_eq!(l.net, sum, "case {case}: labour sum");
                    assert_eq!(l.gross, l.net + l.tax, "case {case}");
                    let remark = plan.request["remark"].as_str().unwrap_or("");
                    assert!(remark.ends_with(&l.sentence), "case {case}: {remark}");
                    assert!(
                        l.sentence
                            .contains(&zeitrechnung_lib::de::format::format_eur(l.net)),
                        "case {case}"
                    );
                }
                None => assert!(
                    start.is_none(),
                    "case {case}: labour lines without a sentence"
                ),
            }
        } else {
            assert!(plan.labour.is_none());
        }
        // No blended rate: every time line's price is one of the resolved rates,
        // and the time lines' hours add up to the billed minutes (each line rounded).
        let resolved: Vec<Decimal> = input
            .groups
            .iter()
            .flat_map(|g| &g.times)
            .filter_map(|t| t.rate.as_ref().map(|r| r.rate.normalize()))
            .chain([Decimal::ZERO]) // goodwill
            .collect();
        let dp = input.hours.decimals();
        let mut hours = Decimal::ZERO;
        for l in plan
            .lines
            .iter()
            .filter(|l| l.unit.as_deref() == Some("Std.") && !l.goodwill)
        {
            assert!(
                resolved.contains(&l.unit_price.unwrap()),
                "case {case}: blended rate"
            );
            hours += l.quantity.unwrap();
        }
        let exact = Decimal::from(plan.billed_minutes) / Decimal::from(60);
        let lines = plan
            .lines
            .iter()
            .filter(|l| l.unit.as_deref() == Some("Std.") && !l.goodwill)
            .count();
        let slack = Decimal::new(5, dp + 1) * Decimal::from(lines as u64);
        assert!(
            (hours - exact).abs() <= slack,
            "case {case}: hours {hours} vs billed {exact}"
        );
        checked += 1;
    }
    assert!(
        checked > cases * 9 / 10,
        "only {checked} cases produced an invoice; skipped: {skipped:?}"
    );
}

/// The totals lexoffice computes for the sent body equal the preview's, line by
/// line; the sandbox's pricing is returned for further checks.
fn assert_sandbox_agrees(case: usize, plan: &InvoicePlan) -> lexoffice_sandbox::PricedInvoice {
    let priced = lexoffice_sandbox::price_invoice(&plan.request)
        .unwrap_or_else(|e| panic!("case {case}: sandbox rejected: {e:?}\n{}", plan.request));
    let t = &priced.total_price;
    assert_eq!(
        t.total_net_amount.normalize(),
        plan.totals.net.normalize(),
        "case {case} net"
    );
    assert_eq!(
        t.total_tax_amount.normalize(),
        plan.totals.tax.normalize(),
        "case {case} tax"
    );
    assert_eq!(
        t.total_gross_amount.normalize(),
        plan.totals.gross.normalize(),
        "case {case} gross"
    );
    let amounts: Vec<Decimal> = plan
        .lines
        .iter()
        .filter_map(|l| l.amount)
        .map(|a| a.normalize())
        .collect();
    let sandbox: Vec<Decimal> = priced
        .line_items
        .iter()
        .filter_map(|l| l.line_item_amount)
        .map(|a| a.normalize())
        .collect();
    assert_eq!(amounts, sandbox, "case {case} line amounts");
    priced
}

/// Random edit sequences on random drafts: „Entfernen“, „Als Kulanz“,
/// „Bearbeiten“ (several on one line: the last one counts) and added lines. The
/// draft sent is exactly the preview as edited — the same lines in the same
/// order, removed lines' entries left open — and its totals are the sandbox's.
#[test]
fn edited_previews_are_sent_exactly_and_priced_like_lexoffice() {
    let mut rng = Rng(20261201);
    let mut checked = 0;
    let cases = support::cases(3_000) as usize;
    for case in 0..cases {
        let mut input = random_input(&mut rng);
        let Ok(first) = build(&input) else { continue };
        let keys: Vec<String> = first
            .lines
            .iter()
            .filter(|l| l.amount.is_some())
            .map(|l| l.key.clone())
            .collect();
        // Keys are unique, so an edit names exactly one line.
        let unique: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "case {case}: duplicate line keys");
        let mut last: HashMap<String, LineChange> = HashMap::new();
        for _ in 0..rng.below(8) {
            let key = keys[rng.below(keys.len() as u64) as usize].clone();
            let change = match rng.below(3) {
                0 => LineChange::Remove,
                1 => LineChange::Goodwill,
                _ => LineChange::Set(LineValues {
                    name: format!("Geändert {}", rng.below(100)),
                    description: if rng.below(2) == 0 {
                        String::new()
                    } else {
                        "Notiz".into()
                    },
                    quantity: Decimal::new(rng.below(100_000) as i64, 1 + rng.below(4) as u32),
                    unit: String::new(),
                    unit_price: Decimal::new(rng.below(1_000_000) as i64, 2 + rng.below(3) as u32),
                    tax_rate: Decimal::from([0, 7, 19][rng.below(3) as usize]),
                    art: None,
                }),
            };
            last.insert(key.clone(), change.clone());
            input.edits.push(LineEdit { key, change });
        }
        input.extra_lines = (0..rng.below(3))
            .map(|i| LineValues {
                name: format!("Pauschale {i}"),
                description: String::new(),
                quantity: Decimal::ONE,
                unit: String::new(),
                unit_price: Decimal::new(rng.below(100_000) as i64, 2),
                tax_rate: Decimal::from(19),
                art: None,
            })
            .collect();
        let plan = match build(&input) {
            Ok(p) => p,
            Err(zeitrechnung_lib::billing::BillingProblem::AllRemoved) => {
                assert!(input.extra_lines.is_empty());
                assert!(keys
                    .iter()
                    .all(|k| matches!(last.get(k), Some(LineChange::Remove))));
                continue;
            }
            Err(e) => panic!("case {case}: {e:?}"),
        };
        assert_sandbox_agrees(case, &plan);
        // The body is the lines, one to one.
        let items = plan.request["lineItems"].as_array().unwrap();
        assert_eq!(items.len(), plan.lines.len(), "case {case}");
        for (item, line) in items.iter().zip(&plan.lines) {
            assert_eq!(
                item["name"].as_str(),
                Some(line.name.as_str()),
                "case {case}"
            );
            assert_eq!(
                item["description"].as_str(),
                line.description.as_deref(),
                "case {case}"
            );
        }
        // Each priced line of the first preview: gone, 0 € or the typed values.
        for key in &keys {
            let now = plan.lines.iter().find(|l| &l.key == key);
            match (last.get(key), now) {
                (Some(LineChange::Remove), None) => {}
                (Some(LineChange::Goodwill), Some(l)) => {
                    assert!(l.goodwill && l.amount.unwrap().is_zero(), "case {case}")
                }
                (Some(LineChange::Set(v)), Some(l)) => {
                    assert_eq!(l.name, v.name, "case {case}");
                    assert_eq!(l.quantity.unwrap(), v.quantity.normalize(), "case {case}");
                    assert_eq!(
                        l.unit_price.unwrap(),
                        v.unit_price.normalize(),
                        "case {case}"
                    );
                    let tax = if input.small_business || input.tax_case != TaxCase::Standard {
                        Decimal::ZERO
                    } else {
                        v.tax_rate
                    };
                    assert_eq!(l.tax_rate.unwrap(), tax, "case {case}");
                }
                (None, Some(_)) => {}
                (change, now) => panic!("case {case}: {key}: {change:?} but {now:?}"),
            }
        }
        // Removed lines' entries stay open; all others are billed.
        let removed: Vec<u64> = first
            .lines
            .iter()
            .filter(|l| matches!(last.get(&l.key), Some(LineChange::Remove)))
            .flat_map(|l| l.entry_ids.clone())
            .collect();
        let mut expected: Vec<u64> = first
            .entry_ids
            .iter()
            .copied()
            .filter(|id| !removed.contains(id))
            .collect();
        let mut billed = plan.entry_ids.clone();
        expected.sort_unstable();
        billed.sort_unstable();
        assert_eq!(billed, expected, "case {case}: billed entries");
        assert_eq!(
            plan.lines.iter().filter(|l| l.added).count(),
            input.extra_lines.len()
        );
        checked += 1;
    }
    assert!(
        checked > cases * 2 / 3,
        "only {checked} of {cases} edited drafts checked"
    );
}
