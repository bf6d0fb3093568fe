use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;
use crate::model::Layout;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn mar(dd: u32) -> NaiveDate {
    day(2025, 3, dd)
}

fn t(id: u64, date: NaiveDate, minutes: u32) -> TimeItem {
    TimeItem {
        entry_id: id,
        date,
        minutes,
        employee: "Anna".into(),
        employee_id: None,
        role: None,
        rate: Some(priced(d("85"))),
        description: "Entwicklung".into(),
        goodwill: false,
    }
}

/// A rate as `rates::resolve` hands it over.
fn priced(rate: Decimal) -> rates::Resolved {
    rates::Resolved {
        rate,
        listed: rate,
        source: "Standard".into(),
        role: None,
        by_role: false,
        level: rates::RateLevel::Default,
    }
}

/// The same rate for every time of the input (as „Stundensatz“ in the dialog).
fn set_rate(inp: &mut BillingInput, rate: Decimal) {
    for g in &mut inp.groups {
        for t in &mut g.times {
            t.rate = Some(priced(rate));
        }
    }
}

fn s(
    id: u64,
    date: NaiveDate,
    name: &str,
    qty: &str,
    unit: &str,
    price: &str,
    rate: &str,
) -> ServiceItem {
    ServiceItem {
        entry_id: id,
        date,
        name: name.into(),
        description: String::new(),
        quantity: d(qty),
        unit: unit.into(),
        unit_price: d(price),
        tax_rate: d(rate),
        art: None,
        article: None,
    }
}

fn group(id: u64, name: &str, times: Vec<TimeItem>, services: Vec<ServiceItem>) -> Group {
    Group {
        prior: Vec::new(),
        project_id: id,
        name: name.into(),
        is_subproject: id != 1,
        rounding: crate::model::Rounding::default(),
        times,
        services,
    }
}

fn input(groups: Vec<Group>) -> BillingInput {
    BillingInput {
        contact_id: "5a1d6f3e-2b4c-4d8e-9f00-1234567890ab".into(),
        project_name: "Website Relaunch".into(),
        period_from: mar(1),
        period_to: mar(31),
        // These tests pin „Stunden exakt (4 Nachkommastellen)“ with the unit „Stunde“;
        // the default (2 decimals, „Std.“) has tests of its own.
        hours: crate::model::HourFormat {
            unit: "Stunde".into(),
            exact: true,
        },
        list_subprojects: false,
        small_business: false,
        time_tax_rate: d("19"),
        today: mar(31),
        title: None,
        introduction: None,
        remark: None,
        groups,
        ..Default::default()
    }
}

fn times_only(minutes: &[u32]) -> BillingInput {
    let times = minutes
        .iter()
        .enumerate()
        .map(|(i, m)| t(i as u64 + 1, mar(3 + i as u32 % 20), *m))
        .collect();
    input(vec![group(1, "Website Relaunch", times, vec![])])
}

fn only_line(plan: &InvoicePlan) -> &PreviewLine {
    assert_eq!(plan.lines.len(), 1, "{:#?}", plan.lines);
    &plan.lines[0]
}

fn items(plan: &InvoicePlan) -> &Vec<Value> {
    plan.request["lineItems"].as_array().unwrap()
}

fn names(plan: &InvoicePlan) -> Vec<(LineKind, String)> {
    plan.lines
        .iter()
        .map(|l| (l.kind, l.name.clone()))
        .collect()
}

// ------------------------------------------------------------ time lines

#[test]
fn one_minute_is_0_0167_hours() {
    let plan = build(&times_only(&[1])).unwrap();
    let line = only_line(&plan);
    assert_eq!(line.quantity, Some(d("0.0167")));
    assert_eq!(line.amount, Some(d("1.42"))); // 0.0167 × 85 = 1.4195
    assert_eq!(line.quantity_display.as_deref(), Some("0,0167"));
    assert_eq!(line.amount_display.as_deref(), Some("1,42 €"));
    assert_eq!(items(&plan)[0]["quantity"], json!(0.0167));
}

#[test]
fn seven_twenty_is_7_3333_hours() {
    let plan = build(&times_only(&[440])).unwrap();
    let line = only_line(&plan);
    assert_eq!(line.quantity, Some(d("7.3333")));
    assert_eq!(line.unit.as_deref(), Some("Stunde"));
    assert_eq!(line.unit_price, Some(d("85")));
    assert_eq!(line.tax_rate, Some(d("19")));
    assert_eq!(line.amount, Some(d("623.33"))); // 623.3305
    assert!(line
        .description
        .as_deref()
        .unwrap()
        .starts_with("Datum: 03.03.2025; Dauer 7:20 Std."));
    assert_eq!(plan.total_minutes, 440);
}

#[test]
fn minutes_are_summed_before_rounding() {
    // 3 × 0:20 = 1 h exactly, not 3 × 0.3333
    let plan = build(&times_only(&[20, 20, 20])).unwrap();
    assert_eq!(only_line(&plan).quantity, Some(d("1")));
    assert_eq!(only_line(&plan).amount, Some(d("85.00")));
}

#[test]
fn thousand_hours() {
    let plan = build(&times_only(&[60_000])).unwrap();
    let line = only_line(&plan);
    assert_eq!(line.quantity, Some(d("1000")));
    assert_eq!(line.quantity_display.as_deref(), Some("1.000"));
    assert_eq!(line.amount, Some(d("85000.00")));
    assert_eq!(line.amount_display.as_deref(), Some("85.000,00 €"));
    assert!(line
        .description
        .as_deref()
        .unwrap()
        .contains("Dauer 1.000:00 Std."));
    assert_eq!(items(&plan)[0]["quantity"], json!(1000));
    assert_eq!(plan.totals.gross, d("101150.00"));
}

#[test]
fn rate_with_four_decimals() {
    let mut inp = times_only(&[440]);
    set_rate(&mut inp, d("85.1234"));
    let plan = build(&inp).unwrap();
    let line = only_line(&plan);
    assert_eq!(line.amount, Some(d("624.24"))); // 7.3333 × 85.1234 = 624.23542922
    assert_eq!(line.unit_price_display.as_deref(), Some("85,1234 €"));
    assert_eq!(items(&plan)[0]["unitPrice"]["netAmount"], json!(85.1234));

    set_rate(&mut inp, d("85.12345"));
    assert_eq!(build(&inp), Err(BillingProblem::InvalidRate));
    set_rate(&mut inp, d("85.12340")); // trailing zero is still 4 decimals
    assert!(build(&inp).is_ok());
}

#[test]
fn rate_must_be_positive_when_time_is_billed() {
    let mut inp = times_only(&[60]);
    set_rate(&mut inp, Decimal::ZERO);
    assert_eq!(build(&inp), Err(BillingProblem::NoRate));
    set_rate(&mut inp, d("-10"));
    assert_eq!(build(&inp), Err(BillingProblem::NoRate));

    // services only: the rate does not matter
    let mut inp = input(vec![group(
        1,
        "P",
        vec![],
        vec![s(1, mar(3), "Fahrt", "1", "Pauschal", "30", "19")],
    )]);
    set_rate(&mut inp, Decimal::ZERO);
    assert!(build(&inp).is_ok());
}

#[test]
fn time_tax_rate_is_used_and_checked() {
    let mut inp = times_only(&[60]);
    inp.time_tax_rate = d("7");
    let plan = build(&inp).unwrap();
    assert_eq!(only_line(&plan).tax_rate, Some(d("7")));
    assert_eq!(plan.totals.tax, d("5.95"));
    inp.time_tax_rate = d("-1");
    assert_eq!(
        build(&inp),
        Err(BillingProblem::InvalidTaxRate { rate: d("-1") })
    );
    inp.time_tax_rate = d("100");
    assert!(matches!(
        build(&inp),
        Err(BillingProblem::InvalidTaxRate { .. })
    ));
    inp.time_tax_rate = d("19.555");
    assert!(matches!(
        build(&inp),
        Err(BillingProblem::InvalidTaxRate { .. })
    ));
}

// ------------------------------------------------------------ subprojects

fn three_groups() -> Vec<Group> {
    vec![
        group(
            1,
            "Website Relaunch",
            vec![t(1, mar(3), 60)],
            vec![s(10, mar(3), "Hosting", "1", "Monat", "49.9", "19")],
        ),
        group(
            2,
            "Design",
            vec![t(2, mar(5), 90), t(3, mar(6), 30)],
            vec![s(11, mar(5), "Hosting", "1", "Monat", "49.9", "19")],
        ),
        group(3, "Backend", vec![t(4, mar(7), 0)], vec![]), // nothing billable
        group(
            4,
            "SEO",
            vec![],
            vec![s(12, mar(9), "Fachbuch", "2", "Stück", "19.95", "7")],
        ),
    ]
}

#[test]
fn without_subprojects_one_time_line_and_merged_services() {
    let plan = build(&input(three_groups())).unwrap();
    assert_eq!(
        names(&plan),
        vec![
            (LineKind::Custom, "Arbeitszeit Website Relaunch".to_string()),
            (LineKind::Custom, "Hosting".to_string()),
            (LineKind::Custom, "Fachbuch".to_string()),
        ]
    );
    assert_eq!(plan.lines[0].quantity, Some(d("3"))); // 60 + 90 + 30 min
    assert_eq!(plan.lines[1].quantity, Some(d("2"))); // two Hosting entries merged across groups
    assert_eq!(plan.lines[1].amount, Some(d("99.80")));
    assert_eq!(plan.total_minutes, 180);
    assert_eq!(plan.time_entry_ids, vec![1, 2, 3]);
    assert_eq!(plan.service_entry_ids, vec![10, 11, 12]);
    assert_eq!(plan.entry_ids, vec![1, 2, 3, 10, 11, 12]);
    assert_eq!((plan.service_from, plan.service_to), (mar(3), mar(9)));
}

#[test]
fn with_subprojects_headings_per_group() {
    let mut inp = input(three_groups());
    inp.list_subprojects = true;
    let plan = build(&inp).unwrap();
    assert_eq!(
        names(&plan),
        vec![
            (LineKind::Text, "Website Relaunch".to_string()),
            (LineKind::Custom, "Arbeitszeit Website Relaunch".to_string()),
            (LineKind::Custom, "Hosting".to_string()),
            (LineKind::Text, "Design".to_string()),
            (LineKind::Custom, "Arbeitszeit Design".to_string()),
            (LineKind::Custom, "Hosting".to_string()),
            (LineKind::Text, "SEO".to_string()),
            (LineKind::Custom, "Fachbuch".to_string()),
        ]
    );
    assert_eq!(plan.lines[1].quantity, Some(d("1")));
    assert_eq!(plan.lines[4].quantity, Some(d("2")));
    assert_eq!(plan.lines[2].quantity, Some(d("1")));
    assert_eq!(
        items(&plan)[0],
        json!({"type": "text", "name": "Website Relaunch"})
    );
    // same money either way
    let flat = build(&input(three_groups())).unwrap();
    assert_eq!(plan.totals, flat.totals);
    assert_eq!(plan.entry_ids, flat.entry_ids);
}

#[test]
fn with_subprojects_main_project_without_own_entries_has_no_heading() {
    let mut groups = three_groups();
    groups[0].times.clear();
    groups[0].services.clear();
    let mut inp = input(groups);
    inp.list_subprojects = true;
    let plan = build(&inp).unwrap();
    assert_eq!(
        (plan.lines[0].kind, plan.lines[0].name.as_str()),
        (LineKind::Text, "Design")
    );
    assert_eq!(
        plan.lines
            .iter()
            .filter(|l| l.kind == LineKind::Text)
            .count(),
        2
    );
}

// ------------------------------------------------------------ services

#[test]
fn services_merge_only_when_name_unit_price_and_rate_match() {
    let services = vec![
        s(1, mar(3), "Fahrtkosten", "120", "km", "0.30", "19"),
        s(2, mar(12), "Fahrtkosten", "80", "km", "0.3", "19"), // 0.30 == 0.3
        s(3, mar(4), "Fahrtkosten", "10", "km", "0.35", "19"), // other price
        s(4, mar(5), "Fahrtkosten", "10", "km", "0.3", "7"),   // other rate
        s(5, mar(6), "Fahrtkosten", "1", "Pauschal", "0.3", "19"), // other unit
        s(6, mar(7), "fahrtkosten", "1", "km", "0.3", "19"),   // other name (case)
        s(7, mar(8), " Fahrtkosten ", "0.5", " km ", "0.3", "19"), // trimmed: same
    ];
    let plan = build(&input(vec![group(1, "P", vec![], services)])).unwrap();
    let got: Vec<(String, Decimal, String, Decimal, Decimal)> = plan
        .lines
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                l.quantity.unwrap(),
                l.unit.clone().unwrap(),
                l.unit_price.unwrap(),
                l.tax_rate.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Fahrtkosten".into(),
                d("200.5"),
                "km".into(),
                d("0.3"),
                d("19")
            ),
            (
                "Fahrtkosten".into(),
                d("10"),
                "km".into(),
                d("0.35"),
                d("19")
            ),
            ("Fahrtkosten".into(), d("10"), "km".into(), d("0.3"), d("7")),
            (
                "Fahrtkosten".into(),
                d("1"),
                "Pauschal".into(),
                d("0.3"),
                d("19")
            ),
            ("fahrtkosten".into(), d("1"), "km".into(), d("0.3"), d("19")),
        ]
    );
    assert_eq!(
        plan.lines[0].description.as_deref(),
        Some("Leistungstage: 03.03., 08.03., 12.03.2025")
    );
    assert_eq!(plan.lines[0].amount, Some(d("60.15")));
    assert_eq!(plan.service_entry_ids, vec![1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn service_quantities_keep_four_decimals() {
    let services = vec![
        s(1, mar(3), "Beratung", "0.3333", "Stunde", "120", "19"),
        s(2, mar(4), "Beratung", "0.6667", "Stunde", "120", "19"),
        s(3, mar(5), "Material", "1.2345", "kg", "10.0001", "7"),
    ];
    let plan = build(&input(vec![group(1, "P", vec![], services)])).unwrap();
    assert_eq!(plan.lines[0].quantity, Some(d("1")));
    assert_eq!(plan.lines[0].amount, Some(d("120.00")));
    assert_eq!(plan.lines[1].amount, Some(d("12.35"))); // 12.34512345
    assert_eq!(items(&plan)[1]["quantity"], json!(1.2345));
    assert_eq!(items(&plan)[1]["unitPrice"]["netAmount"], json!(10.0001));
}

#[test]
fn service_descriptions_are_merged_and_listed_first() {
    let mut a = s(1, mar(3), "Hosting", "1", "Monat", "49.9", "19");
    a.description = "Server A".into();
    let mut b = s(2, mar(4), "Hosting", "1", "Monat", "49.9", "19");
    b.description = "Server B".into();
    let mut c = s(3, mar(5), "Hosting", "1", "Monat", "49.9", "19");
    c.description = " Server A ".into();
    let plan = build(&input(vec![group(1, "P", vec![], vec![a, b, c])])).unwrap();
    assert_eq!(
        only_line(&plan).description.as_deref(),
        Some("Server A; Server B\nLeistungstage: 03.03., 04.03., 05.03.2025")
    );
}

#[test]
fn zero_entries_are_skipped() {
    let groups = vec![group(
        1,
        "P",
        vec![t(1, mar(2), 0), t(2, mar(3), 30)],
        vec![
            s(3, mar(1), "Leer", "0", "Stück", "10", "19"),
            s(4, mar(20), "Leer2", "0.0000", "", "-1", "5"),
        ],
    )];
    let plan = build(&input(groups)).unwrap();
    assert_eq!(plan.entry_ids, vec![2]);
    assert_eq!((plan.service_from, plan.service_to), (mar(3), mar(3)));
    assert_eq!(plan.lines.len(), 1);
}

#[test]
fn nothing_billable() {
    assert_eq!(build(&input(vec![])), Err(BillingProblem::NothingBillable));
    let groups = vec![
        group(
            1,
            "P",
            vec![t(1, mar(2), 0)],
            vec![s(3, mar(1), "Leer", "0", "Stück", "10", "19")],
        ),
        group(2, "U", vec![], vec![]),
    ];
    let mut inp = input(groups);
    assert_eq!(build(&inp), Err(BillingProblem::NothingBillable));
    inp.list_subprojects = true;
    assert_eq!(build(&inp), Err(BillingProblem::NothingBillable));
}

#[test]
fn invalid_services_are_reported() {
    let one = |sv: ServiceItem| build(&input(vec![group(1, "P", vec![], vec![sv])]));
    assert_eq!(
        one(s(1, mar(3), "  ", "1", "Stück", "1", "19")),
        Err(BillingProblem::ServiceWithoutName { date: mar(3) })
    );
    assert_eq!(
        one(s(1, mar(3), "Fahrt", "1", " ", "1", "19")),
        Err(BillingProblem::ServiceWithoutUnit {
            name: "Fahrt".into()
        })
    );
    assert_eq!(
        one(s(1, mar(3), "Fahrt", "-1", "km", "1", "19")),
        Err(BillingProblem::InvalidServiceQuantity {
            name: "Fahrt".into()
        })
    );
    assert_eq!(
        one(s(1, mar(3), "Fahrt", "1.23456", "km", "1", "19")),
        Err(BillingProblem::InvalidServiceQuantity {
            name: "Fahrt".into()
        })
    );
    assert_eq!(
        one(s(1, mar(3), "Fahrt", "1", "km", "-0.01", "19")),
        Err(BillingProblem::InvalidServicePrice {
            name: "Fahrt".into()
        })
    );
    assert_eq!(
        one(s(1, mar(3), "Fahrt", "1", "km", "0.00001", "19")),
        Err(BillingProblem::InvalidServicePrice {
            name: "Fahrt".into()
        })
    );
    assert_eq!(
        one(s(1, mar(3), "Fahrt", "1", "km", "1", "-7")),
        Err(BillingProblem::InvalidTaxRate { rate: d("-7") })
    );
    // a free service is fine
    assert_eq!(
        one(s(1, mar(3), "Anfahrt", "1", "Pauschal", "0", "19"))
            .unwrap()
            .totals
            .gross,
        d("0.00")
    );
}

#[test]
fn huge_values_are_refused_not_mangled() {
    let plan = build(&input(vec![group(
        1,
        "P",
        vec![],
        vec![s(
            1,
            mar(3),
            "Riesig",
            "99999999999999.9999",
            "Stück",
            "9999999999999.9999",
            "19",
        )],
    )]));
    assert_eq!(
        plan,
        Err(BillingProblem::ValueTooLarge {
            name: "Riesig".into()
        })
    );
    let plan = build(&input(vec![group(
        1,
        "P",
        vec![],
        vec![s(
            1,
            mar(3),
            "Null",
            "12345678901234.5678",
            "Stück",
            "0",
            "19",
        )],
    )]));
    assert_eq!(
        plan,
        Err(BillingProblem::ValueTooLarge {
            name: "Null".into()
        })
    );
}

// ------------------------------------------------------------ Kleinunternehmer

#[test]
fn small_business_is_vatfree_with_zero_rates() {
    let mut inp = input(three_groups());
    inp.small_business = true;
    inp.time_tax_rate = d("19");
    let plan = build(&inp).unwrap();
    assert_eq!(plan.request["taxConditions"], json!({"taxType": "vatfree"}));
    assert!(plan.lines.iter().all(|l| l.tax_rate == Some(Decimal::ZERO)));
    assert!(items(&plan)
        .iter()
        .all(|i| i["unitPrice"]["taxRatePercentage"] == json!(0)));
    assert_eq!(plan.totals.taxes.len(), 1);
    assert_eq!(plan.totals.taxes[0].rate, Decimal::ZERO);
    assert_eq!(plan.totals.taxes[0].rate_display, "0 %");
    assert_eq!(plan.totals.tax, d("0.00"));
    assert_eq!(plan.totals.gross, plan.totals.net);
    // 3 h × 85 + 2 × 49.90 + 2 × 19.95
    assert_eq!(plan.totals.net, d("394.70"));
}

#[test]
fn small_business_ignores_invalid_entry_rates() {
    let mut inp = input(vec![group(
        1,
        "P",
        vec![t(1, mar(3), 60)],
        vec![s(2, mar(3), "X", "1", "Stück", "5", "-3")],
    )]);
    inp.small_business = true;
    inp.time_tax_rate = d("-1");
    assert!(build(&inp).is_ok());
}

// ------------------------------------------------------------ shipping conditions and dates

#[test]
fn single_day_is_service() {
    let plan = build(&input(vec![group(
        1,
        "P",
        vec![t(1, mar(14), 60), t(2, mar(14), 30)],
        vec![],
    )]))
    .unwrap();
    assert_eq!(
        plan.request["shippingConditions"],
        json!({"shippingType": "service", "shippingDate": "2025-03-14T00:00:00.000+01:00"})
    );
    assert_eq!((plan.service_from, plan.service_to), (mar(14), mar(14)));
}

#[test]
fn several_days_are_a_serviceperiod_across_dst() {
    let plan = build(&input(vec![
        group(1, "P", vec![t(1, mar(28), 60)], vec![]),
        group(
            2,
            "U",
            vec![],
            vec![s(2, day(2025, 4, 2), "X", "1", "Stück", "5", "19")],
        ),
    ]))
    .unwrap();
    assert_eq!(
        plan.request["shippingConditions"],
        json!({
            "shippingType": "serviceperiod",
            "shippingDate": "2025-03-28T00:00:00.000+01:00",
            "shippingEndDate": "2025-04-02T00:00:00.000+02:00"
        })
    );
}

#[test]
fn voucher_date_summer_and_winter() {
    assert_eq!(
        berlin_midnight(day(2025, 3, 31)),
        "2025-03-31T00:00:00.000+02:00"
    );
    assert_eq!(
        berlin_midnight(day(2025, 1, 15)),
        "2025-01-15T00:00:00.000+01:00"
    );
    // the change days themselves: midnight is still before the switch
    assert_eq!(
        berlin_midnight(day(2025, 3, 30)),
        "2025-03-30T00:00:00.000+01:00"
    );
    assert_eq!(
        berlin_midnight(day(2025, 10, 26)),
        "2025-10-26T00:00:00.000+02:00"
    );
    assert_eq!(
        berlin_midnight(day(2025, 10, 27)),
        "2025-10-27T00:00:00.000+01:00"
    );

    let mut inp = times_only(&[60]);
    inp.today = day(2025, 12, 1);
    assert_eq!(
        build(&inp).unwrap().request["voucherDate"],
        json!("2025-12-01T00:00:00.000+01:00")
    );
    inp.today = day(2025, 7, 1);
    assert_eq!(
        build(&inp).unwrap().request["voucherDate"],
        json!("2025-07-01T00:00:00.000+02:00")
    );
}

#[test]
fn dates_are_listed_only_when_few() {
    let ten: Vec<u32> = vec![60; 10];
    let plan = build(&times_only(&ten)).unwrap();
    assert_eq!(
        only_line(&plan).description.as_deref(),
        Some("Datum: 03.03., 04.03., 05.03., 06.03., 07.03., 08.03., 09.03., 10.03., 11.03., 12.03.2025; Dauer 10:00 Std.\nEntwicklung")
    );
    let eleven: Vec<u32> = vec![60; 11];
    let plan = build(&times_only(&eleven)).unwrap();
    assert_eq!(
        only_line(&plan).description.as_deref(),
        Some("Datum: 03.03.2025–13.03.2025; Dauer 11:00 Std.\nEntwicklung")
    );
    // ten entries on the same day are one date
    let inp = input(vec![group(
        1,
        "P",
        (1..=12).map(|i| t(i, mar(3), 5)).collect(),
        vec![],
    )]);
    assert_eq!(
        only_line(&build(&inp).unwrap()).description.as_deref(),
        Some("Datum: 03.03.2025; Dauer 1:00 Std.\nEntwicklung")
    );
}

#[test]
fn single_day_period_texts() {
    let mut inp = input(vec![group(1, "P", vec![t(1, mar(14), 95)], vec![])]);
    inp.period_from = mar(14);
    inp.period_to = mar(14);
    let plan = build(&inp).unwrap();
    assert_eq!(
        only_line(&plan).description.as_deref(),
        Some("Datum: 14.03.2025; Dauer 1:35 Std.\nEntwicklung")
    );
    // A blank Einleitung is not sent; {Zeitraum} of one day is that day.
    assert_eq!(plan.request.get("introduction"), None);
    inp.introduction = Some("Leistungen vom {Zeitraum}:".into());
    assert_eq!(
        build(&inp).unwrap().request["introduction"],
        json!("Leistungen vom 14.03.2025:")
    );
}

#[test]
fn day_lists_carry_the_year_at_year_ends() {
    let days: BTreeSet<NaiveDate> = [
        day(2024, 12, 29),
        day(2024, 12, 30),
        day(2025, 1, 2),
        day(2025, 1, 3),
    ]
    .into();
    assert_eq!(
        text::days_de(&days),
        "29.12., 30.12.2024, 02.01., 03.01.2025"
    );
    assert_eq!(text::days_de(&[day(2025, 1, 2)].into()), "02.01.2025");
    assert_eq!(text::hours_minutes(0), "0:00");
    assert_eq!(text::hours_minutes(61), "1:01");
    assert_eq!(text::hours_minutes(60_005), "1.000:05");
}

#[test]
fn invalid_period_and_missing_contact() {
    let mut inp = times_only(&[60]);
    inp.period_from = mar(31);
    inp.period_to = mar(1);
    assert_eq!(build(&inp), Err(BillingProblem::InvalidPeriod));
    let mut inp = times_only(&[60]);
    inp.contact_id = "  ".into();
    assert_eq!(build(&inp), Err(BillingProblem::NoContact));
}

// ------------------------------------------------------------ line limit

fn distinct_services(n: usize) -> Vec<ServiceItem> {
    (0..n)
        .map(|i| {
            s(
                100 + i as u64,
                mar(3),
                &format!("Leistung {i}"),
                "1",
                "Stück",
                "1",
                "19",
            )
        })
        .collect()
}

#[test]
fn three_hundred_lines_pass_three_hundred_one_do_not() {
    let ok = input(vec![group(
        1,
        "P",
        vec![t(1, mar(3), 60)],
        distinct_services(299),
    )]);
    let plan = build(&ok).unwrap();
    assert_eq!(plan.lines.len(), 300);
    assert_eq!(items(&plan).len(), 300);

    let too_many = input(vec![group(
        1,
        "P",
        vec![t(1, mar(3), 60)],
        distinct_services(300),
    )]);
    assert_eq!(
        build(&too_many),
        Err(BillingProblem::TooManyLines {
            lines: 301,
            coarser: None
        })
    );
}

#[test]
fn headings_count_towards_the_limit() {
    // 150 subprojects × (heading + time line) = 300; one more subproject → 302
    let mut groups: Vec<Group> = (0..150)
        .map(|i| group(10 + i, &format!("Teil {i}"), vec![t(i, mar(3), 15)], vec![]))
        .collect();
    let mut inp = input(groups.clone());
    inp.list_subprojects = true;
    assert_eq!(build(&inp).unwrap().lines.len(), 300);
    groups.push(group(999, "Noch einer", vec![t(999, mar(4), 15)], vec![]));
    inp.groups = groups;
    let err = build(&inp).unwrap_err();
    assert_eq!(
        err,
        BillingProblem::TooManyLines {
            lines: 302,
            coarser: None
        }
    );
    assert!(err.to_string().contains("Unterprojekte einzeln auflisten"));
    // not listing them fits easily
    inp.list_subprojects = false;
    assert_eq!(build(&inp).unwrap().lines.len(), 1);
}

// ------------------------------------------------------------ texts

#[test]
fn title_length() {
    let mut inp = times_only(&[60]);
    inp.title = Some("A".repeat(25));
    assert_eq!(build(&inp).unwrap().request["title"], json!("A".repeat(25)));
    inp.title = Some("Ä".repeat(25)); // characters, not bytes
    assert!(build(&inp).is_ok());
    inp.title = Some("A".repeat(26));
    assert_eq!(build(&inp), Err(BillingProblem::TitleTooLong { chars: 26 }));
    inp.title = Some("  Rechnung März  ".into());
    assert_eq!(
        build(&inp).unwrap().request["title"],
        json!("Rechnung März")
    );
    // Blank: not sent, lexoffice uses the organisation's own title.
    inp.title = Some("   ".into());
    assert_eq!(build(&inp).unwrap().request.get("title"), None);
    inp.title = None;
    assert_eq!(build(&inp).unwrap().request.get("title"), None);
}

#[test]
fn introduction_and_remark_limits_and_defaults() {
    let mut inp = times_only(&[60]);
    let plan = build(&inp).unwrap();
    // Not given: not sent, so lexoffice's own texts (payment terms, bank) stay.
    assert_eq!(plan.request.get("introduction"), None);
    assert_eq!(plan.request.get("remark"), None);

    inp.introduction = Some("x".repeat(2000));
    assert!(build(&inp).is_ok());
    inp.introduction = Some("x".repeat(2001));
    assert_eq!(
        build(&inp),
        Err(BillingProblem::TextTooLong {
            field: "Einleitung",
            chars: 2001
        })
    );
    inp.introduction = None;
    inp.remark = Some("ü".repeat(2001));
    let err = build(&inp).unwrap_err();
    assert_eq!(
        err,
        BillingProblem::TextTooLong {
            field: "Schlusstext",
            chars: 2001
        }
    );
    assert_eq!(
        err.to_string(),
        "Der Text „Schlusstext“ darf höchstens 2.000 Zeichen lang sein (jetzt 2.001)."
    );
}

#[test]
fn placeholders_in_stored_texts() {
    let mut inp = times_only(&[60]);
    inp.project_number = "P-0042".into();
    inp.customer_name = "Bäckerei Weber".into();
    inp.title = Some("Rechnung {Projektnummer}".into());
    inp.introduction = Some("Leistungen {Projekt} für {Kunde} im Zeitraum {Zeitraum}:".into());
    inp.remark = Some("Zeile 1\nZeile 2".into());
    let plan = build(&inp).unwrap();
    assert_eq!(plan.request["title"], json!("Rechnung P-0042"));
    // {Zeitraum} is the first to the last billed day, as in shippingConditions.
    assert_eq!(
        plan.request["introduction"],
        json!("Leistungen Website Relaunch für Bäckerei Weber im Zeitraum 03.03.2025:")
    );
    assert_eq!(plan.request["remark"], json!("Zeile 1\nZeile 2"));
    // A typo would reach the customer: refused with the list of placeholders.
    inp.introduction = Some("Leistungen {projekt}".into());
    assert_eq!(
        build(&inp).unwrap_err().to_string(),
        "Im Feld „Einleitung“ steht der unbekannte Platzhalter {projekt}. Möglich sind: {Zeitraum}, {Projekt}, {Projektnummer}, {Kunde}."
    );
}

#[test]
fn long_names_and_descriptions_are_shortened_gracefully() {
    let mut a = s(1, mar(3), &"N".repeat(300), "1", "Stück", "1", "19");
    a.description = "Beschreibung ".repeat(200);
    let mut b = s(2, mar(4), &"N".repeat(300), "1", "Stück", "1", "19");
    b.description = "Andere".into();
    let mut inp = input(vec![group(
        1,
        &"G".repeat(300),
        vec![t(3, mar(5), 60)],
        vec![a, b],
    )]);
    inp.project_name = "P".repeat(300);
    inp.list_subprojects = true;
    let plan = build(&inp).unwrap();
    for line in &plan.lines {
        assert!(text_len(&line.name) <= 255, "{}", line.name.len());
        assert!(text_len(line.description.as_deref().unwrap_or("")) <= 2000);
    }
    assert!(plan.lines[0].name.ends_with('…'));
    assert!(plan.lines[1].name.starts_with("Arbeitszeit GGG") && plan.lines[1].name.ends_with('…'));
    let desc = plan.lines[2].description.as_deref().unwrap();
    assert!(
        text_len(desc) <= 2000 && text_len(desc) > 1980,
        "{}",
        text_len(desc)
    );
    assert!(
        desc.ends_with("Beschreibung…\nLeistungstage: 03.03., 04.03.2025"),
        "{desc}"
    );
}

#[test]
fn truncate_counts_utf16() {
    assert_eq!(text::truncate("abc", 3), "abc");
    assert_eq!(text::truncate("abcd", 3), "ab…");
    assert_eq!(text::truncate("ab cd", 4), "ab…");
    assert_eq!(text_len("😀"), 2);
    assert_eq!(text::truncate("😀😀😀", 4), "😀…");
}

#[test]
fn problem_messages_are_german_sentences() {
    assert_eq!(
        BillingProblem::TooManyLines { lines: 301, coarser: None }.to_string(),
        "Die Rechnung hätte 301 Positionen, lexoffice erlaubt höchstens 300. Bitte „Unterprojekte einzeln auflisten“ abwählen oder einen kürzeren Zeitraum wählen."
    );
    assert_eq!(
        BillingProblem::TooManyLines { lines: 412, coarser: Some(crate::model::Layout::Day) }.to_string(),
        "Die Rechnung hätte 412 Positionen, lexoffice erlaubt höchstens 300. Bitte die Aufstellung „je Tag“ wählen oder einen kürzeren Zeitraum."
    );
    assert_eq!(
        BillingProblem::TitleTooLong { chars: 30 }.to_string(),
        "Der Rechnungstitel darf höchstens 25 Zeichen lang sein (jetzt 30)."
    );
    assert_eq!(
        BillingProblem::InvalidTaxRate { rate: d("19.5") }.to_string(),
        "Der Steuersatz 19,5 % ist nicht erlaubt: lexoffice nimmt 19, 7 oder 0 %."
    );
    assert_eq!(
        BillingProblem::ServiceWithoutName { date: mar(3) }.to_string(),
        "Die Leistung vom 03.03.2025 hat keine Bezeichnung."
    );
    for p in [
        BillingProblem::NothingBillable,
        BillingProblem::NoRate,
        BillingProblem::InvalidRate,
        BillingProblem::NoContact,
    ] {
        let m = p.to_string();
        assert!(m.ends_with('.') && !m.is_empty(), "{m}");
    }
}

// ------------------------------------------------------------ totals (docs/lexoffice.md › Totals and rounding)

fn amount_line(amount: &str, rate: &str) -> PreviewLine {
    PreviewLine::custom("X", None, Decimal::ONE, "Stück", d(amount), d(rate)).unwrap()
}

#[test]
fn totals_reference_sample() {
    // [D25] invoice sample: 13.40 @19 %, 8.32 @7 %, 5.00 @0 % → 26.72 / 3.13 / 29.85
    let lines = vec![
        PreviewLine::text("Überschrift"),
        amount_line("13.40", "19"),
        amount_line("8.32", "7"),
        amount_line("5.00", "0"),
    ];
    let totals = totals_of(&lines);
    let taxes: Vec<(Decimal, Decimal, Decimal)> = totals
        .taxes
        .iter()
        .map(|t| (t.rate, t.net, t.tax))
        .collect();
    assert_eq!(
        taxes,
        vec![
            (d("0"), d("5.00"), d("0.00")),
            (d("7"), d("8.32"), d("0.58")),
            (d("19"), d("13.40"), d("2.55")),
        ]
    );
    assert_eq!(totals.net, d("26.72"));
    assert_eq!(totals.tax, d("3.13"));
    assert_eq!(totals.gross, d("29.85"));
    assert_eq!(totals.gross_display, "29,85 €");
    assert_eq!(totals.taxes[2].rate_display, "19 %");
    assert_eq!(totals.taxes[2].tax_display, "2,55 €");
}

#[test]
fn totals_round_tax_per_rate_not_per_line() {
    // 3 × 0.02 @19 %: per line 0.0038 → 0.00 each; per rate 0.06 × 19 % = 0.0114 → 0.01
    let lines = vec![
        amount_line("0.02", "19"),
        amount_line("0.02", "19"),
        amount_line("0.02", "19"),
    ];
    let totals = totals_of(&lines);
    assert_eq!(totals.tax, d("0.01"));
    assert_eq!(totals.gross, d("0.07"));
    // half-up at the cent: 0.50 × 7 % = 0.035 → 0.04
    assert_eq!(totals_of(&[amount_line("0.50", "7")]).tax, d("0.04"));
    // 19 and 19.00 are one rate
    let totals = totals_of(&[amount_line("10", "19"), amount_line("10", "19.00")]);
    assert_eq!(totals.taxes.len(), 1);
    assert_eq!(totals.tax, d("3.80"));
}

#[test]
fn totals_recompute_amounts_from_quantity_and_price() {
    let mut line = PreviewLine::custom("X", None, d("7.3333"), "Stunde", d("85"), d("19")).unwrap();
    line.amount = Some(d("999.99")); // a stale amount is ignored
    assert_eq!(totals_of(&[line]).net, d("623.33"));
    assert_eq!(totals_of(&[]).gross, d("0.00"));
    assert!(totals_of(&[]).taxes.is_empty());
}

// ------------------------------------------------------------ request JSON

/// A realistic project: main project + one subproject, mixed rates, merged services.
fn realistic() -> BillingInput {
    let mut hosting = s(20, mar(1), "Hosting-Pauschale", "1", "Monat", "49.90", "19");
    hosting.description = "März".into();
    input(vec![
        group(
            1,
            "Website Relaunch",
            vec![t(1, mar(3), 240), t(2, mar(5), 200)],
            vec![
                hosting,
                s(21, mar(3), "Fahrtkosten", "120", "km", "0.30", "19"),
                s(22, mar(5), "Fachbuch", "1", "Stück", "29.90", "7"),
            ],
        ),
        group(
            2,
            "Design",
            vec![t(3, mar(12), 90)],
            vec![s(23, mar(12), "Fahrtkosten", "80", "km", "0.3", "19")],
        ),
    ])
}

#[test]
fn request_snapshot() {
    let plan = build(&realistic()).unwrap();
    let expected = json!({
        "voucherDate": "2025-03-31T00:00:00.000+02:00",
        "address": { "contactId": "5a1d6f3e-2b4c-4d8e-9f00-1234567890ab" },
        "lineItems": [
            { "type": "custom", "name": "Arbeitszeit Website Relaunch",
              "description": "Datum: 03.03., 05.03., 12.03.2025; Dauer 8:50 Std.\nEntwicklung",
              "quantity": 8.8333, "unitName": "Stunde",
              "unitPrice": { "currency": "EUR", "netAmount": 85, "taxRatePercentage": 19 } },
            { "type": "custom", "name": "Hosting-Pauschale",
              "description": "März\nLeistungsdatum 01.03.2025",
              "quantity": 1, "unitName": "Monat",
              "unitPrice": { "currency": "EUR", "netAmount": 49.9, "taxRatePercentage": 19 } },
            { "type": "custom", "name": "Fahrtkosten",
              "description": "Leistungstage: 03.03., 12.03.2025",
              "quantity": 200, "unitName": "km",
              "unitPrice": { "currency": "EUR", "netAmount": 0.3, "taxRatePercentage": 19 } },
            { "type": "custom", "name": "Fachbuch",
              "description": "Leistungsdatum 05.03.2025",
              "quantity": 1, "unitName": "Stück",
              "unitPrice": { "currency": "EUR", "netAmount": 29.9, "taxRatePercentage": 7 } }
        ],
        "totalPrice": { "currency": "EUR", "totalDiscountPercentage": 0 },
        "taxConditions": { "taxType": "net" },
        "shippingConditions": { "shippingType": "serviceperiod",
            "shippingDate": "2025-03-01T00:00:00.000+01:00",
            "shippingEndDate": "2025-03-12T00:00:00.000+01:00" },
    });
    assert_eq!(plan.request, expected);
    // and the text on the wire, byte for byte (serde_json sorts keys without preserve_order)
    assert_eq!(
        serde_json::to_string(&plan.request).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );

    let amounts: Vec<Decimal> = plan.lines.iter().map(|l| l.amount.unwrap()).collect();
    assert_eq!(
        amounts,
        vec![d("750.83"), d("49.90"), d("60.00"), d("29.90")]
    );
    assert_eq!(plan.totals.net, d("890.63"));
    assert_eq!(
        plan.totals
            .taxes
            .iter()
            .map(|t| (t.rate, t.tax))
            .collect::<Vec<_>>(),
        vec![(d("7"), d("2.09")), (d("19"), d("163.54"))]
    );
    assert_eq!(plan.totals.tax, d("165.63"));
    assert_eq!(plan.totals.gross, d("1056.26"));
    assert_eq!(plan.total_minutes, 530);
    assert_eq!(plan.entry_ids, vec![1, 2, 3, 20, 21, 22, 23]);
}

#[test]
fn preview_lines_match_the_request() {
    let mut inp = realistic();
    inp.list_subprojects = true;
    let plan = build(&inp).unwrap();
    let items = items(&plan);
    assert_eq!(items.len(), plan.lines.len());
    for (line, item) in plan.lines.iter().zip(items) {
        assert_eq!(item["name"], json!(line.name));
        match line.kind {
            LineKind::Text => assert_eq!(item["type"], json!("text")),
            LineKind::Custom => {
                assert_eq!(item["type"], json!("custom"));
                assert_eq!(
                    item["description"],
                    json!(line.description.clone().unwrap())
                );
                assert_eq!(
                    item["quantity"].to_string(),
                    line.quantity.unwrap().to_string()
                );
                assert_eq!(item["unitName"], json!(line.unit.clone().unwrap()));
                assert_eq!(
                    item["unitPrice"]["netAmount"].to_string(),
                    line.unit_price.unwrap().to_string()
                );
                assert_eq!(
                    item["unitPrice"]["taxRatePercentage"].to_string(),
                    line.tax_rate.unwrap().to_string()
                );
            }
        }
    }
}

#[test]
fn json_numbers_print_exactly_as_the_decimal() {
    for text in [
        "7.3333",
        "85.5",
        "0.0167",
        "1000",
        "95.1234",
        "0",
        "0.0001",
        "49.9",
        "19",
        "7",
        "0.3",
        "123456789.1234",
        "99999999.9999",
        "1234567890123",
    ] {
        let v = request::json_number(d(text), "x").unwrap();
        assert!(v.is_number());
        assert_eq!(serde_json::to_string(&v).unwrap(), text);
    }
    // trailing zeros are normalised away, never sent as 95.0
    assert_eq!(
        serde_json::to_string(&request::json_number(d("95.00"), "x").unwrap()).unwrap(),
        "95"
    );
    assert_eq!(
        serde_json::to_string(&request::json_number(d("85.50"), "x").unwrap()).unwrap(),
        "85.5"
    );
    // more than f64 can carry → refused
    assert!(request::json_number(d("12345678901234.5678"), "x").is_err());
}

#[test]
fn every_number_in_a_request_round_trips() {
    let mut inp = realistic();
    inp.groups[0].times.push(t(9, mar(20), 1));
    set_rate(&mut inp, d("95.1234"));
    let plan = build(&inp).unwrap();
    let wire = serde_json::to_string(&plan.request).unwrap();
    let back: Value = serde_json::from_str(&wire).unwrap();
    assert_eq!(back, plan.request);
    for (line, item) in plan.lines.iter().zip(items(&plan)) {
        assert_eq!(
            serde_json::to_string(&item["quantity"]).unwrap(),
            line.quantity.unwrap().normalize().to_string()
        );
        assert_eq!(
            serde_json::to_string(&item["unitPrice"]["netAmount"]).unwrap(),
            line.unit_price.unwrap().normalize().to_string()
        );
    }
    assert!(wire.contains("\"netAmount\":95.1234"));
    assert!(wire.contains("\"quantity\":8.85,")); // 531 min
}

#[test]
fn output_serialises_decimals_as_strings_in_camel_case() {
    let plan = build(&realistic()).unwrap();
    let v = serde_json::to_value(&plan).unwrap();
    let first = &v["lines"][0];
    assert_eq!(first["kind"], json!("custom"));
    assert_eq!(first["quantity"], json!("8.8333"));
    assert_eq!(first["unitPrice"], json!("85"));
    assert_eq!(first["taxRate"], json!("19"));
    assert_eq!(first["amount"], json!("750.83"));
    assert_eq!(first["amountDisplay"], json!("750,83 €"));
    assert_eq!(first["unitPriceDisplay"], json!("85,00 €"));
    assert_eq!(first["taxRateDisplay"], json!("19 %"));
    assert_eq!(v["totals"]["gross"], json!("1056.26"));
    assert_eq!(v["totals"]["grossDisplay"], json!("1.056,26 €"));
    assert_eq!(v["totals"]["taxes"][0]["rate"], json!("7"));
    assert_eq!(v["serviceFrom"], json!("2025-03-01"));
    assert_eq!(v["totalMinutes"], json!(530));
    let heading = serde_json::to_value(PreviewLine::text("Design")).unwrap();
    assert_eq!(heading["kind"], json!("text"));
    assert_eq!(heading["amount"], Value::Null);
    // and back (for the invoice record); the lines' entry ids stay in the backend
    let again: InvoicePlan = serde_json::from_value(v).unwrap();
    let mut plan = plan;
    for l in &mut plan.lines {
        l.entry_ids.clear();
    }
    assert_eq!(again, plan);
}

// ------------------------------------------------------------ invariants over many inputs

/// Small deterministic generator (no extra dev-dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn invariants_hold_for_many_generated_projects() {
    let mut rng = Lcg(42);
    let mut built = 0;
    let rates = ["0", "7", "19"];
    let units = ["Stück", "km", "Pauschal"];
    for case in 0..300 {
        let groups: Vec<Group> = (0..1 + rng.next(4))
            .map(|g| {
                let times = (0..rng.next(6))
                    .map(|i| {
                        t(
                            g * 100 + i,
                            mar(1 + rng.next(31) as u32),
                            rng.next(600) as u32,
                        )
                    })
                    .collect();
                let services = (0..rng.next(5))
                    .map(|i| {
                        let qty = Decimal::new(rng.next(10_000) as i64, rng.next(5) as u32);
                        let price = Decimal::new(rng.next(100_000) as i64, rng.next(5) as u32);
                        ServiceItem {
                            entry_id: 10_000 + g * 100 + i,
                            date: mar(1 + rng.next(31) as u32),
                            name: format!("L{}", rng.next(3)),
                            description: String::new(),
                            quantity: qty,
                            unit: units[rng.next(3) as usize].into(),
                            unit_price: price,
                            tax_rate: d(rates[rng.next(3) as usize]),
                            art: None,
                            article: None,
                        }
                    })
                    .collect();
                group(g + 1, &format!("G{g}"), times, services)
            })
            .collect();
        let mut inp = input(groups);
        inp.list_subprojects = rng.next(2) == 0;
        inp.small_business = rng.next(4) == 0;
        set_rate(
            &mut inp,
            Decimal::new(1 + rng.next(2_000_000) as i64, rng.next(5) as u32),
        );
        let Ok(plan) = build(&inp) else { continue };
        built += 1;

        let minutes: u64 = inp
            .groups
            .iter()
            .flat_map(|g| &g.times)
            .map(|t| u64::from(t.minutes))
            .sum();
        assert_eq!(plan.total_minutes, minutes, "case {case}");
        let hours: Decimal = plan
            .lines
            .iter()
            .filter(|l| l.unit.as_deref() == Some("Stunde"))
            .map(|l| l.quantity.unwrap())
            .sum();
        if !inp.list_subprojects {
            assert_eq!(
                hours,
                round2_4(Decimal::from(minutes) / Decimal::from(60)),
                "case {case}"
            );
        }
        let mut net = Decimal::ZERO;
        for (line, item) in plan.lines.iter().zip(items(&plan)) {
            if line.kind == LineKind::Custom {
                let q = line.quantity.unwrap();
                let p = line.unit_price.unwrap();
                assert!(q.scale() <= 4 && p.scale() <= 4, "case {case}");
                assert_eq!(line.amount, Some(round2(q * p)), "case {case}");
                net += line.amount.unwrap();
                assert_eq!(
                    serde_json::to_string(&item["quantity"]).unwrap(),
                    q.to_string(),
                    "case {case}"
                );
                assert_eq!(
                    serde_json::to_string(&item["unitPrice"]["netAmount"]).unwrap(),
                    p.to_string(),
                    "case {case}"
                );
                if inp.small_business {
                    assert!(line.tax_rate.unwrap().is_zero());
                }
            }
        }
        assert_eq!(plan.totals.net, net, "case {case}");
        assert_eq!(
            plan.totals.gross,
            plan.totals.net + plan.totals.tax,
            "case {case}"
        );
        assert!(plan.lines.len() <= MAX_LINE_ITEMS);
        let billed = inp
            .groups
            .iter()
            .flat_map(|g| &g.times)
            .filter(|t| t.minutes > 0)
            .count()
            + inp
                .groups
                .iter()
                .flat_map(|g| &g.services)
                .filter(|s| !s.quantity.is_zero())
                .count();
        assert_eq!(plan.entry_ids.len(), billed, "case {case}");
    }
    assert!(
        built > 200,
        "only {built} of 300 generated projects were billable"
    );
}

fn round2_4(v: Decimal) -> Decimal {
    totals::round_half_up(v, 4).normalize()
}

/// The default (Einstellungen › Abrechnung): hours with 2 decimals, unit „Std.“;
/// the amount is the quantity shown × rate, so the customer can recompute it.
#[test]
fn by_default_a_7_20_goes_out_as_7_33_std() {
    let mut inp = times_only(&[440]);
    inp.hours = crate::model::HourFormat::default();
    let plan = build(&inp).unwrap();
    let line = only_line(&plan);
    assert_eq!(line.quantity, Some(d("7.33")));
    assert_eq!(line.quantity_display.as_deref(), Some("7,33"));
    assert_eq!(line.unit.as_deref(), Some("Std."));
    assert_eq!(line.amount, Some(d("623.05"))); // 7,33 × 85 (not 7,3333 × 85 = 623,33)
    assert_eq!(items(&plan)[0]["unitName"], json!("Std."));
}

/// Two rates in one block: two time lines, never a blended rate; with a role
/// each line names it.
#[test]
fn each_rate_is_its_own_time_line() {
    let mut inp = times_only(&[60, 90, 30]);
    let geselle = rates::Resolved {
        rate: d("68"),
        listed: d("68"),
        source: "Geselle · Kunde".into(),
        role: Some("Geselle".into()),
        by_role: true,
        level: rates::RateLevel::Customer,
    };
    inp.groups[0].times[1].rate = Some(geselle);
    let plan = build(&inp).unwrap();
    let lines: Vec<(&str, Decimal, Decimal, &str)> = plan
        .lines
        .iter()
        .map(|l| {
            (
                l.name.as_str(),
                l.quantity.unwrap(),
                l.unit_price.unwrap(),
                l.rate_source.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                "Arbeitszeit Website Relaunch",
                d("1.5"),
                d("85"),
                "Standard"
            ),
            (
                "Arbeitszeit Website Relaunch – Geselle",
                d("1.5"),
                d("68"),
                "Geselle · Kunde"
            ),
        ]
    );
    assert_eq!(plan.rates.len(), 2);
    assert_eq!(plan.rates[1].sources, "Geselle · Kunde");
}

/// A time without any rate blocks the draft with a sentence that says where to set one.
#[test]
fn a_time_without_rate_blocks_the_draft() {
    let mut inp = times_only(&[60]);
    inp.groups[0].times[0].rate = None;
    let e = build(&inp).unwrap_err();
    assert_eq!(e, BillingProblem::NoRate);
    assert!(e.to_string().contains("Einstellungen › Schnittstellen"));
}

// ------------------------------------------------------------ Rechnungsbild

/// A time of `who` (employee id = first letter's code) with a note.
fn tw(id: u64, date: NaiveDate, minutes: u32, who: &str, role: &str, note: &str) -> TimeItem {
    let mut t = t(id, date, minutes);
    t.employee = who.into();
    t.employee_id = Some(u64::from(who.as_bytes()[0]));
    t.role = Some(role.into()).filter(|r: &String| !r.is_empty());
    t.description = note.into();
    t
}

/// Three employees over three days, notes repeated.
fn crew() -> BillingInput {
    let mut inp = input(vec![group(
        1,
        "Neubau Weber",
        vec![
            tw(
                1,
                mar(3),
                240,
                "Jana Kraus",
                "Meisterin",
                "Verteiler gesetzt",
            ),
            tw(2, mar(3), 480, "Łukasz Wójcik", "Geselle", "Kabel verlegt"),
            tw(3, mar(4), 300, "Łukasz Wójcik", "Geselle", "Kabel verlegt"),
            tw(4, mar(4), 120, "Tom Berger", "Geselle", "Dosen gesetzt"),
            tw(5, mar(5), 60, "Jana Kraus", "Meisterin", ""),
        ],
        vec![s(20, mar(4), "Kabel NYM 3x1,5", "50", "m", "1.2", "19")],
    )]);
    inp.hours = crate::model::HourFormat::default();
    inp.project_name = "Neubau Weber".into();
    inp
}

fn lines_of(inp: &BillingInput) -> Vec<(String, String, String)> {
    build(inp)
        .unwrap()
        .lines
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                l.description.clone().unwrap_or_default(),
                l.quantity_display.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn l(name: &str, description: &str, quantity: &str) -> (String, String, String) {
    (name.into(), description.into(), quantity.into())
}

#[test]
fn aufstellung_je_projekt_lists_the_activities() {
    assert_eq!(
        lines_of(&crew()),
        vec![
            l("Arbeitszeit Neubau Weber", "Datum: 03.03., 04.03., 05.03.2025; Dauer 20:00 Std.\nVerteiler gesetzt; Kabel verlegt; Dosen gesetzt", "20"),
            l("Kabel NYM 3x1,5", "Leistungsdatum 04.03.2025", "50"),
        ]
    );
}

#[test]
fn aufstellung_je_mitarbeiter_rolle_tag_eintrag() {
    let mut inp = crew();
    inp.layout = Layout::Employee;
    assert_eq!(
        lines_of(&inp)[..3],
        [
            l(
                "Arbeitszeit Jana Kraus",
                "Datum: 03.03., 05.03.2025; Dauer 5:00 Std.\nVerteiler gesetzt",
                "5"
            ),
            l(
                "Arbeitszeit Łukasz Wójcik",
                "Datum: 03.03., 04.03.2025; Dauer 13:00 Std.\nKabel verlegt",
                "13"
            ),
            l(
                "Arbeitszeit Tom Berger",
                "Datum: 04.03.2025; Dauer 2:00 Std.\nDosen gesetzt",
                "2"
            ),
        ]
    );
    inp.layout = Layout::Role;
    assert_eq!(
        lines_of(&inp)[..2],
        [
            l(
                "Arbeitszeit Meisterin",
                "Datum: 03.03., 05.03.2025; Dauer 5:00 Std.\nVerteiler gesetzt",
                "5"
            ),
            l(
                "Arbeitszeit Geselle",
                "Datum: 03.03., 04.03.2025; Dauer 15:00 Std.\nKabel verlegt; Dosen gesetzt",
                "15"
            ),
        ]
    );
    inp.layout = Layout::Day;
    assert_eq!(
        lines_of(&inp)[..3],
        [
            l(
                "Arbeitszeit am 03.03.2025",
                "Jana Kraus, Łukasz Wójcik; Dauer 12:00 Std.\nVerteiler gesetzt; Kabel verlegt",
                "12"
            ),
            l(
                "Arbeitszeit am 04.03.2025",
                "Łukasz Wójcik, Tom Berger; Dauer 7:00 Std.\nKabel verlegt; Dosen gesetzt",
                "7"
            ),
            l(
                "Arbeitszeit am 05.03.2025",
                "Jana Kraus; Dauer 1:00 Std.",
                "1"
            ),
        ]
    );
    inp.layout = Layout::Entry;
    let all = lines_of(&inp);
    assert_eq!(all.len(), 6, "five entries and the service");
    assert_eq!(
        all[0],
        l("03.03.2025 · Jana Kraus", "Verteiler gesetzt", "4")
    );
    assert_eq!(
        all[2],
        l("04.03.2025 · Łukasz Wójcik", "Kabel verlegt", "5")
    );
    assert_eq!(all[4], l("05.03.2025 · Jana Kraus", "", "1"));
    // Whatever the layout, the same money.
    let net = |layout| {
        let mut i = crew();
        i.layout = layout;
        build(&i).unwrap().totals.gross
    };
    for layout in Layout::ALL {
        assert_eq!(net(layout), net(Layout::Project), "{layout:?}");
    }
}

#[test]
fn positionstext_with_placeholders_and_subprojects() {
    let mut inp = crew();
    inp.groups.push(group(
        2,
        "Elektrik",
        vec![tw(
            6,
            mar(6),
            90,
            "Tom Berger",
            "Geselle",
            "Herd angeschlossen",
        )],
        vec![],
    ));
    inp.layout = Layout::Entry;
    inp.line_text =
        "{Datum}: {Mitarbeiter} ({Rolle})\n{Unterprojekt}; {Beschreibung}; {Dauer} h im {Zeitraum}"
            .into();
    let all = lines_of(&inp);
    assert_eq!(
        all[0],
        l(
            "03.03.2025: Jana Kraus (Meisterin)",
            "Verteiler gesetzt; 4:00 h im 03.03.2025–06.03.2025",
            "4"
        )
    );
    assert_eq!(
        all[5],
        l(
            "06.03.2025: Tom Berger (Geselle)",
            "Elektrik; Herd angeschlossen; 1:30 h im 03.03.2025–06.03.2025",
            "1,5"
        )
    );
    // Listed apart: a heading per subproject, {Projekt} is the subproject.
    inp.list_subprojects = true;
    inp.layout = Layout::Project;
    inp.line_text = String::new();
    let plan = build(&inp).unwrap();
    assert_eq!(
        names(&plan)
            .into_iter()
            .map(|(k, n)| format!("{k:?} {n}"))
            .collect::<Vec<_>>(),
        vec![
            "Text Neubau Weber",
            "Custom Arbeitszeit Neubau Weber",
            "Custom Kabel NYM 3x1,5",
            "Text Elektrik",
            "Custom Arbeitszeit Elektrik",
        ]
    );
    // An unknown placeholder is refused before anything is sent.
    inp.line_text = "{Datum} {Kollege}".into();
    assert!(matches!(
        build(&inp),
        Err(BillingProblem::UnknownPlaceholder {
            field: "Positionstext",
            ..
        })
    ));
}

#[test]
fn over_300_lines_names_the_next_coarser_layout() {
    let times: Vec<TimeItem> = (1..=301)
        .map(|i| {
            tw(
                i,
                mar(1) + chrono::Days::new(i % 28),
                30,
                "Jana Kraus",
                "",
                "",
            )
        })
        .collect();
    let mut inp = input(vec![group(1, "P", times, vec![])]);
    inp.layout = Layout::Entry;
    assert_eq!(
        build(&inp),
        Err(BillingProblem::TooManyLines {
            lines: 301,
            coarser: Some(Layout::Day)
        })
    );
    inp.layout = Layout::Day;
    assert_eq!(build(&inp).unwrap().lines.len(), 28);
}

fn set(name: &str, qty: &str, price: &str, tax: &str) -> LineChange {
    LineChange::Set(LineValues {
        name: name.into(),
        description: "geändert".into(),
        quantity: d(qty),
        unit: String::new(),
        unit_price: d(price),
        tax_rate: d(tax),
        art: None,
    })
}

#[test]
fn edits_remove_goodwill_set_and_added_lines() {
    let mut inp = crew();
    inp.layout = Layout::Employee;
    let plan = build(&inp).unwrap();
    let key = |i: usize| plan.lines[i].key.clone();
    inp.edits = vec![
        LineEdit {
            key: key(0),
            change: LineChange::Remove,
        },
        LineEdit {
            key: key(1),
            change: LineChange::Goodwill,
        },
        LineEdit {
            key: key(2),
            change: set(
                "Elektroarbeiten",
                "2,5".replace(',', ".").as_str(),
                "70",
                "7",
            ),
        },
        LineEdit {
            key: "t:gone".into(),
            change: LineChange::Remove,
        },
    ];
    inp.extra_lines = vec![LineValues {
        name: "Anfahrtspauschale".into(),
        description: String::new(),
        quantity: d("1"),
        unit: String::new(),
        unit_price: d("35"),
        tax_rate: d("19"),
        art: None,
    }];
    let edited = build(&inp).unwrap();
    let shown: Vec<(String, String, String)> = edited
        .lines
        .iter()
        .map(|l| {
            (
                l.name.clone(),
                l.quantity_display.clone().unwrap_or_default(),
                l.amount_display.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (
                "Arbeitszeit Łukasz Wójcik (Kulanz)".to_string(),
                "13".to_string(),
                "0,00 €".to_string()
            ),
            ("Elektroarbeiten".into(), "2,5".into(), "175,00 €".into()),
            ("Kabel NYM 3x1,5".into(), "50".into(), "60,00 €".into()),
            ("Anfahrtspauschale".into(), "1".into(), "35,00 €".into()),
        ]
    );
    assert_eq!(
        edited.lines[0].goodwill_value_display.as_deref(),
        Some("statt 1.105,00 €")
    );
    assert_eq!(edited.lines[3].unit.as_deref(), Some("pauschal"));
    assert!(edited.lines[1].edited && edited.lines[3].added);
    // Removed: Jana's entries (1, 5) stay open; goodwill entries count as billed.
    assert_eq!(edited.time_entry_ids, vec![2, 3, 4]);
    assert_eq!(edited.removed.len(), 1);
    assert_eq!(edited.removed[0].name, "Arbeitszeit Jana Kraus");
    assert_eq!(edited.stale_edits, 1);
    // The period follows what stays: Jana's 05.03. is gone.
    assert_eq!((edited.service_from, edited.service_to), (mar(3), mar(4)));
    // The request is the lines as shown, the totals lexoffice's.
    let items = edited.request["lineItems"].as_array().unwrap();
    assert_eq!(
        items[1]["unitPrice"],
        json!({"currency": "EUR", "netAmount": 70, "taxRatePercentage": 7})
    );
    assert_eq!(items[1]["description"], json!("geändert"));
    assert_eq!(items[0]["unitPrice"]["netAmount"], json!(0));
    assert_eq!(edited.totals.net, d("270.00"));
    assert_eq!(edited.totals.gross, d("300.30")); // 95 × 19 % = 18,05; 175 × 7 % = 12,25
                                                  // Remove everything: nothing to send.
    inp.edits = plan
        .lines
        .iter()
        .map(|l| LineEdit {
            key: l.key.clone(),
            change: LineChange::Remove,
        })
        .collect();
    inp.extra_lines.clear();
    assert_eq!(build(&inp), Err(BillingProblem::AllRemoved));
}

#[test]
fn unbillable_times_as_goodwill() {
    let mut inp = crew();
    let mut free = tw(9, mar(7), 45, "Tom Berger", "Geselle", "Nacharbeit");
    free.goodwill = true;
    free.rate = None;
    inp.groups[0].times.push(free);
    let plan = build(&inp).unwrap();
    let kulanz = plan.lines.iter().find(|l| l.goodwill).unwrap();
    assert_eq!(kulanz.name, "Arbeitszeit Neubau Weber (Kulanz)");
    assert_eq!(kulanz.quantity_display.as_deref(), Some("0,75"));
    assert_eq!(kulanz.amount, Some(d("0.00")));
    assert!(plan.time_entry_ids.contains(&9));
    // Charged hours leave it out; the money is the same as without it.
    assert_eq!(plan.billed_minutes, 1200);
    assert_eq!(plan.totals, build(&crew()).unwrap().totals);
    assert_eq!(plan.service_to, mar(7));
}

// ------------------------------------------------------------ Steuerfälle

#[test]
fn every_steuerart_sends_its_tax_type_with_zero_rates() {
    use crate::model::TaxCase;
    for (case, tax_type) in [
        (TaxCase::Standard, "net"),
        (TaxCase::Construction13b, "constructionService13b"),
        (TaxCase::EuService, "externalService13b"),
        (TaxCase::ThirdCountry, "thirdPartyCountryService"),
        (TaxCase::Exempt, "vatfree"),
    ] {
        let mut inp = crew();
        inp.tax_case = case;
        inp.tax_note = Some("Steuerschuldnerschaft des Leistungsempfängers".into());
        let plan = build(&inp).unwrap();
        assert_eq!(plan.request["taxConditions"]["taxType"], json!(tax_type));
        assert_eq!(plan.tax_type, tax_type);
        let rates: Vec<String> = plan
            .lines
            .iter()
            .filter_map(|l| l.tax_rate.map(|r| r.to_string()))
            .collect();
        if case == TaxCase::Standard {
            assert_eq!(rates, vec!["19", "19"]);
            // The note goes only with a tax type that needs one.
            assert_eq!(plan.request["taxConditions"].get("taxTypeNote"), None);
            assert_eq!(plan.totals.gross, d("2094.40")); // 20 h × 85 + 50 m × 1,20 = 1.760,00 + 19 %
        } else {
            assert!(rates.iter().all(|r| r == "0"), "{case:?}: {rates:?}");
            assert_eq!(
                plan.request["taxConditions"]["taxTypeNote"],
                json!("Steuerschuldnerschaft des Leistungsempfängers")
            );
            assert_eq!(plan.totals.tax, d("0"));
            assert_eq!(plan.totals.gross, d("1760.00"));
        }
    }
    // The organisation's Kleinunternehmer status wins over the Steuerart.
    let mut inp = crew();
    inp.tax_case = TaxCase::Construction13b;
    inp.tax_note = Some("eigener Hinweis".into());
    inp.small_business = true;
    let plan = build(&inp).unwrap();
    assert_eq!(plan.request["taxConditions"], json!({"taxType": "vatfree"}));
}

#[test]
fn private_customer_draft_splits_labour_and_material() {
    let mut inp = crew();
    // Kabel (m → Material), Anfahrt (km → Fahrt), a Material entry marked Arbeit.
    inp.groups[0]
        .services
        .push(s(21, mar(5), "Anfahrt", "30", "km", "0.5", "19"));
    let mut rent = s(22, mar(5), "Bohrhammer", "1", "Tag", "25", "19");
    rent.art = Some(crate::model::ServiceArt::Arbeit);
    inp.groups[0].services.push(rent);
    inp.private_35a = true;
    inp.remark = Some("Vielen Dank für Ihren Auftrag.".into());
    let plan = build(&inp).unwrap();
    assert_eq!(
        names(&plan)
            .into_iter()
            .map(|(k, n)| format!("{k:?} {n}"))
            .collect::<Vec<_>>(),
        vec![
            "Text Arbeitskosten",
            "Custom Arbeitszeit Neubau Weber",
            "Custom Anfahrt",
            "Custom Bohrhammer",
            "Text Materialkosten",
            "Custom Kabel NYM 3x1,5",
        ]
    );
    // Arbeitskosten: 20 h × 85 + 15 + 25 = 1.740,00; 19 % = 330,60.
    let labour = plan.labour.clone().unwrap();
    assert_eq!(
        (labour.net, labour.tax, labour.gross),
        (d("1740.00"), d("330.60"), d("2070.60"))
    );
    assert_eq!(
        plan.request["remark"],
        json!("Vielen Dank für Ihren Auftrag.\n\nIm Rechnungsbetrag sind Arbeitskosten in Höhe von 1.740,00 € zzgl. 330,60 € USt (gesamt 2.070,60 €) enthalten (§ 35a EStG).")
    );
    // The same money as without the split.
    inp.private_35a = false;
    assert_eq!(build(&inp).unwrap().totals, plan.totals);
    // Alone when the firm has no Schlusstext of its own; headings nest: section, subproject.
    inp.private_35a = true;
    inp.remark = None;
    inp.list_subprojects = true;
    inp.groups.push(group(
        2,
        "Elektrik",
        vec![tw(6, mar(6), 60, "Tom Berger", "Geselle", "")],
        vec![s(23, mar(6), "Dose", "4", "Stück", "2", "19")],
    ));
    let plan = build(&inp).unwrap();
    assert_eq!(
        names(&plan)
            .into_iter()
            .map(|(k, n)| format!("{k:?} {n}"))
            .collect::<Vec<_>>(),
        vec![
            "Text Arbeitskosten",
            "Text Neubau Weber",
            "Custom Arbeitszeit Neubau Weber",
            "Custom Anfahrt",
            "Custom Bohrhammer",
            "Text Elektrik",
            "Custom Arbeitszeit Elektrik",
            "Text Materialkosten",
            "Text Neubau Weber",
            "Custom Kabel NYM 3x1,5",
            "Text Elektrik",
            "Custom Dose",
        ]
    );
    assert!(plan.request["remark"]
        .as_str()
        .unwrap()
        .starts_with("Im Rechnungsbetrag sind Arbeitskosten in Höhe von 1.825,00 €"));
    // Every heading key is unique (edits name lines by key).
    let keys: std::collections::HashSet<&str> = plan.lines.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys.len(), plan.lines.len());
}

// ---------------------------------------------------------------- Right in the corners (1/3)

fn per_day_rounding(step: u32, minimum: Option<u32>) -> crate::model::Rounding {
    crate::model::Rounding {
        step,
        mode: crate::model::RoundingMode::Up,
        scope: crate::model::RoundingScope::DayAndEmployee,
        minimum,
    }
}

fn jana(id: u64, date: NaiveDate, minutes: u32) -> TimeItem {
    TimeItem {
        employee: "Jana Kraus".into(),
        employee_id: Some(7),
        ..t(id, date, minutes)
    }
}

/// Mindestens 60 min per day: 30 min on 03.03. went out as 1,00 h; 15 min of
/// the same day added later bill nothing, ride on the next draft and say why.
#[test]
fn a_day_already_billed_to_its_minimum_bills_nothing_more() {
    let mut g = group(
        1,
        "Website Relaunch",
        vec![jana(2, mar(3), 15), jana(3, mar(4), 30)],
        vec![],
    );
    g.rounding = per_day_rounding(0, Some(60));
    g.prior = vec![PriorTime {
        entry_id: 1,
        date: mar(3),
        employee_id: Some(7),
        minutes: 30,
        billed: Some(60),
        invoice: "Rechnung RE-1001".into(),
    }];
    let plan = build(&input(vec![g.clone()])).unwrap();
    // Only the 4th is billed: 30 min → 60 (Mindestens); the 15 min ride along.
    assert_eq!(plan.lines.len(), 1);
    assert_eq!(plan.lines[0].quantity, Some(d("1")));
    assert_eq!(plan.time_entry_ids, vec![2, 3]);
    assert_eq!(plan.billed_by_entry, vec![(2, 0), (3, 60)]);
    assert_eq!(
        plan.covered,
        vec!["03.03.2025, Jana Kraus: 0:15 h erfasst, nichts berechnet – der Tag ist bereits mit Rechnung RE-1001 abgerechnet: Mindestens 60 Min. erreicht.".to_string()]
    );
    // The service period is the days billed now.
    assert_eq!((plan.service_from, plan.service_to), (mar(4), mar(4)));
    // Only the covered time open: nothing to bill, and why.
    g.times.truncate(1);
    let only = input(vec![g.clone()]);
    assert_eq!(build(&only).unwrap_err(), BillingProblem::NothingBillable);
    assert_eq!(covered_days(&only).len(), 1);
    // „jeden Eintrag“: earlier drafts change nothing, 15 min → 60.
    g.rounding.scope = crate::model::RoundingScope::Entry;
    let plan = build(&input(vec![g])).unwrap();
    assert_eq!(plan.lines[0].quantity, Some(d("1")));
    assert!(plan.covered.is_empty());
}

/// „Entfernen“ of the line that carries a day's rounding difference: the
/// rest of that day is rounded without it (the difference moves).
#[test]
fn removing_the_line_with_a_days_rounding_moves_the_difference() {
    let mut g = group(
        1,
        "Website Relaunch",
        vec![jana(1, mar(3), 20), jana(2, mar(3), 20)],
        vec![],
    );
    g.rounding = per_day_rounding(15, None);
    let mut inp = input(vec![g]);
    inp.layout = Layout::Entry;
    let plan = build(&inp).unwrap();
    // 40 min → 45: +5 on the day's last entry.
    assert_eq!(plan.billed_by_entry, vec![(1, 20), (2, 25)]);
    let second = plan.lines[1].key.clone();
    let first = plan.lines[0].key.clone();
    inp.edits = vec![LineEdit {
        key: second,
        change: LineChange::Remove,
    }];
    let plan = build(&inp).unwrap();
    // The day is now 20 min → 30, on the entry that stays; not 20 (lost) nor 25.
    assert_eq!(plan.billed_by_entry, vec![(1, 30)]);
    assert_eq!(plan.lines.len(), 1);
    assert_eq!(plan.lines[0].quantity, Some(d("0.5")));
    inp.edits = vec![LineEdit {
        key: first,
        change: LineChange::Remove,
    }];
    let plan = build(&inp).unwrap();
    assert_eq!(plan.billed_by_entry, vec![(2, 30)]);
}

/// §35a: lines added with „Position hinzufügen“ have an Art and count in the
/// labour sentence; „Psch.“ is Arbeit by default, Material when chosen.
#[test]
fn added_lines_of_a_private_customer_count_by_their_art() {
    let mut inp = crew();
    inp.private_35a = true;
    let before = build(&inp).unwrap().labour.unwrap().net;
    let line =
        |name: &str, unit: &str, price: &str, art: Option<crate::model::ServiceArt>| LineValues {
            name: name.into(),
            description: String::new(),
            quantity: d("1"),
            unit: unit.into(),
            unit_price: d(price),
            tax_rate: d("19"),
            art,
        };
    inp.extra_lines = vec![
        line("Entsorgung", "Psch.", "80", None),
        line(
            "Kleinmaterial",
            "Psch.",
            "20",
            Some(crate::model::ServiceArt::Material),
        ),
    ];
    let plan = build(&inp).unwrap();
    let shown: Vec<String> = names(&plan)
        .into_iter()
        .map(|(k, n)| format!("{k:?} {n}"))
        .collect();
    let at = |n: &str| shown.iter().position(|s| s == n).unwrap();
    // Each in its section, at its end.
    assert!(at("Custom Entsorgung") < at("Text Materialkosten"));
    assert_eq!(at("Custom Kleinmaterial"), shown.len() - 1);
    assert_eq!(plan.labour.unwrap().net, before + d("80"));
}

#[test]
fn photovoltaic_drafts_go_out_at_0_percent_with_their_type() {
    let mut inp = crew();
    inp.tax_case = crate::model::TaxCase::Photovoltaic;
    inp.tax_note = Some("Nullsteuersatz nach § 12 Abs. 3 UStG".into());
    let plan = build(&inp).unwrap();
    assert_eq!(
        plan.request["taxConditions"],
        json!({"taxType": "photovoltaicEquipment", "taxTypeNote": "Nullsteuersatz nach § 12 Abs. 3 UStG"})
    );
    assert!(plan
        .lines
        .iter()
        .all(|l| l.tax_rate.is_none_or(|r| r.is_zero())));
}
