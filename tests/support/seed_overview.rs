//! Sample data of the Abrechnung benchmarks (examples/bench_overview.rs and the
//! real-window `bench_abrechnung_10000` in tests/e2e/window.rs): `customers` lexoffice
//! customers, one project each with `ENTRIES_PER_PROJECT` open entries (95 %
//! times, 5 % services), and `records` invoice records (drafts, open, overdue
//! and paid invoices) on the first projects.

use std::str::FromStr;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use zeitrechnung_lib::storage::{
    Address, BillingState, Customer, CustomerKind, Entry, EntryKind, InvoiceRecord, InvoiceState,
    Project, ProjectStatus, RateRules, SeenInLexoffice, Source, Store,
};

pub const ENTRIES_PER_PROJECT: u64 = 10;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn seed(store: &Store, customers: u64, records: u64) {
    store
        .update_settings(|s| s.hourly_rate = Some(d("65")))
        .unwrap();
    let now = zeitrechnung_lib::de::clock::now();
    let ids: Vec<u64> = (1..=customers).collect();
    store
        .update_customers_atomically(&ids, |id, _| {
            Some(Customer {
                id,
                lexoffice_id: Some(format!("lex-{id}")),
                lexoffice_version: Some(1),
                number: (10_000 + id).to_string(),
                kind: CustomerKind::Company,
                name: format!("Kunde {id} GmbH"),
                contact_person: String::new(),
                address: Address {
                    street: "Hauptstraße 1".into(),
                    zip: "10115".into(),
                    city: "Berlin".into(),
                    country_code: "DE".into(),
                    ..Default::default()
                },
                email: String::new(),
                phone: String::new(),
                archived: false,
                source: Source::Lexoffice,
                missing_in_lexoffice: false,
                billing_addresses: Some(1),
                last_imported_at: Some(now),
                hourly_rate: (id % 3 == 0).then(|| d("72.50")),
                rules: RateRules::default(),
                invoice_style: None,
                tax: Default::default(),
                vat_id: String::new(),
                buyer_reference: String::new(),
                changed_in_app: false,
                push_unclear_since: None,
                lexoffice_base: None,
                created_at: now,
                updated_at: now,
            })
        })
        .unwrap();
    store.raise_id_floor(customers + 1).unwrap();
    let day0 = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut batch = Vec::new();
    for c in 1..=customers {
        let pid = store.next_id().unwrap();
        store
            .put_project(&Project {
                id: pid,
                name: format!("Auftrag {c}"),
                number: format!("P-{c:05}"),
                customer_id: Some(c),
                parent_id: None,
                hourly_rate: None,
                rules: RateRules::default(),
                tax_case: None,
                status: ProjectStatus::Aktiv,
                created_at: now,
                updated_at: now,
            })
            .unwrap();
        for k in 0..ENTRIES_PER_PROJECT {
            let id = store.next_id().unwrap();
            let kind = if k == 9 && c % 2 == 0 {
                EntryKind::Service {
                    name: "Material".into(),
                    quantity: d("2"),
                    unit: "Stück".into(),
                    unit_price: d("12.40"),
                    tax_rate: d("19"),
                    art: None,
                    article: None,
                }
            } else {
                EntryKind::Time {
                    employee: "Jana Kraus".into(),
                    employee_id: None,
                    start: None,
                    end: None,
                    break_minutes: 0,
                    minutes: 30 + ((c + k) % 7) as u32 * 15,
                }
            };
            batch.push(Entry {
                id,
                project_id: pid,
                date: day0 + Duration::days(((c * 7 + k * 3) % 300) as i64),
                description: "Wartung".into(),
                billable: k != 3,
                billing: BillingState::Open,
                kind,
                csv_fingerprint: None,
                created_at: now,
                updated_at: now,
            });
        }
        if batch.len() >= 20_000 {
            store.put_entries(&batch).unwrap();
            batch.clear();
        }
        if c <= records {
            let status = ["draft", "open", "overdue", "paid"][(c % 4) as usize];
            store
                .put_invoice_record(&InvoiceRecord {
                    id: store.next_id().unwrap(),
                    project_id: pid,
                    contact_id: format!("lex-{c}"),
                    lexoffice_id: Some(format!("inv-{c}")),
                    state: InvoiceState::Created,
                    period_from: day0,
                    period_to: day0,
                    hourly_rate: "65".into(),
                    list_subprojects: false,
                    layout: Default::default(),
                    net: "100".into(),
                    gross: "119".into(),
                    entry_ids: Vec::new(),
                    goodwill_entry_ids: Vec::new(),
                    billed_minutes: Vec::new(),
                    request: serde_json::Value::Null,
                    organization_id: None,
                    outcome_unknown_since: None,
                    started_server_at: Some(now - Duration::days(20)),
                    empty_looks: Vec::new(),
                    missing_looks: Vec::new(),
                    vatfree: Some(false),
                    lexoffice_status: Some(status.into()),
                    voucher_number: (status != "draft").then(|| format!("RE{c}")),
                    seen: SeenInLexoffice {
                        open_amount: (status != "draft").then(|| "119".into()),
                        due_date: None,
                        created_at: Some(now - Duration::days(20)),
                        looked_at: Some(now),
                    },
                    created_at: now,
                    updated_at: now,
                })
                .unwrap();
        }
    }
    store.put_entries(&batch).unwrap();
}
