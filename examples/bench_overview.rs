//! Benchmark (not a test): the „Abrechnung“ tab's overview with 10,000
//! customers, one project each, 100,000 open entries (95 % times, 5 %
//! services, 10 per project) and 2,000 invoice records (drafts, open and
//! overdue invoices). Times `uebersicht::overview` (what the tab loads: every
//! project family priced by the preview's engine) and the size of its JSON;
//! median of 7 after one warm-up.
//!
//!   nice -n 10 cargo run --profile perf --example bench_overview
//!
//! See docs/benchmarks.md › Abrechnung overview.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::secrets::MemorySecretStore;
use zeitrechnung_lib::storage::{
    Address, BillingState, Customer, CustomerKind, Entry, EntryKind, InvoiceRecord, InvoiceState,
    Project, ProjectStatus, RateRules, SeenInLexoffice, Source, Store,
};
use zeitrechnung_lib::uebersicht;

const CUSTOMERS: u64 = 10_000;
const ENTRIES_PER_PROJECT: u64 = 10;
const RECORDS: u64 = 2_000;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    store
        .update_settings(|s| s.hourly_rate = Some(d("65")))
        .unwrap();
    let now = Utc::now();
    let t0 = Instant::now();
    let ids: Vec<u64> = (1..=CUSTOMERS).collect();
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
                changed_in_app: false,
                push_unclear_since: None,
                lexoffice_base: None,
                created_at: now,
                updated_at: now,
            })
        })
        .unwrap();
    store.raise_id_floor(CUSTOMERS + 1).unwrap();
    let day0 = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut batch = Vec::new();
    for c in 1..=CUSTOMERS {
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
        if c <= RECORDS {
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
                    request: serde_json::Value::Null,
                    organization_id: None,
                    outcome_unknown_since: None,
                    started_server_at: Some(now - Duration::days(20)),
                    empty_looks: Vec::new(),
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
    eprintln!(
        "seeded {CUSTOMERS} customers, {CUSTOMERS} projects, {} entries, {RECORDS} invoice records in {:.1} s",
        CUSTOMERS * ENTRIES_PER_PROJECT,
        t0.elapsed().as_secs_f64()
    );
    let core = Core::new(
        store,
        Arc::new(MemorySecretStore::default()),
        LexofficeUrls::new("http://127.0.0.1:9", "https://app.lexware.de"),
        |_| {},
        Arc::new(|_: &str| Ok(())),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut times = Vec::new();
    let mut size = 0;
    let mut rows = 0;
    for i in 0..8 {
        let t = Instant::now();
        let o = rt.block_on(uebersicht::overview(&core)).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let json = serde_json::to_vec(&o).unwrap();
        size = json.len();
        rows = o.rows.len();
        if i > 0 {
            times.push(ms);
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "overview: {rows} rows, median {:.0} ms (min {:.0}, max {:.0}), JSON {:.1} MB",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        size as f64 / 1_000_000.0
    );
}
