//! Property test: for 10,000 random projects the preview's totals equal the
//! totals the sandbox computes for the sent draft (docs/lexoffice.md › Totals and rounding), to the cent,
//! and every line amount matches. Two independent implementations: the app's
//! `billing` module and the sandbox's `price_invoice`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use zeitrechnung_lib::billing::{build, BillingInput, Group, ServiceItem, TimeItem};

/// splitmix64: deterministic, so a failure names its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_input(rng: &mut Rng) -> BillingInput {
    let base = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut id = 0u64;
    let groups = (0..1 + rng.below(4))
        .map(|g| Group {
            project_id: g + 1,
            name: format!("Teil {g}"),
            is_subproject: g > 0,
            times: (0..rng.below(12))
                .map(|_| {
                    id += 1;
                    let span = if rng.below(10) == 0 { 60_000 } else { 600 };
                    TimeItem {
                        entry_id: id,
                        date: base + chrono::Duration::days(rng.below(365) as i64),
                        minutes: 1 + rng.below(span) as u32,
                        employee: "A".into(),
                        description: String::new(),
                    }
                })
                .collect(),
            services: (0..rng.below(6))
                .map(|_| {
                    id += 1;
                    ServiceItem {
                        entry_id: id,
                        date: base + chrono::Duration::days(rng.below(365) as i64),
                        name: format!("Material {}", rng.below(4)),
                        description: String::new(),
                        quantity: Decimal::new(1 + rng.below(10_000) as i64, rng.below(5) as u32),
                        unit: ["Stück", "m", "Pauschal"][rng.below(3) as usize].into(),
                        unit_price: Decimal::new(
                            rng.below(1_000_000) as i64,
                            2 + rng.below(3) as u32,
                        ),
                        tax_rate: Decimal::from([0, 7, 19][rng.below(3) as usize]),
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
        hourly_rate: Decimal::new(1 + rng.below(3_000_000) as i64, 2 + rng.below(3) as u32),
        list_subprojects: rng.below(2) == 0,
        small_business: rng.below(8) == 0,
        time_tax_rate: Decimal::from(19),
        today: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        title: None,
        introduction: None,
        remark: None,
        groups,
    }
}

#[test]
fn preview_totals_equal_sandbox_totals_for_10000_random_projects() {
    let mut rng = Rng(20261126);
    let mut checked = 0;
    let mut skipped = std::collections::BTreeMap::new();
    for case in 0..10_000 {
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
        let priced = lexoffice_sandbox::price_invoice(&plan.request).unwrap_or_else(|e| {
            panic!(
                "case {case}: sandbox rejected the request: {e:?}\n{}",
                plan.request
            )
        });
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
        checked += 1;
    }
    assert!(
        checked > 9_000,
        "only {checked} cases produced an invoice; skipped: {skipped:?}"
    );
}
