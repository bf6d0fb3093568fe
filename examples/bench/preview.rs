//! Benchmark (not a test): the invoice preview with billing rules. One project
//! with 2 subprojects, a lexoffice customer with „Stundensätze je Rolle“ that
//! change from 01.07.2026 („gültig ab“) and a 15-minute Abrechnungstakt per day
//! and employee, a flat Stundensatz on one subproject, 6 employees in 3 roles.
//! N entries in the period (95 % times, 5 % services), for N = 2,000 and
//! 100,000; median of 11 previews after one warm-up. Each figure is followed by
//! the preview's steps timed one by one through the same public functions
//! (reading, JSON decoding, pricing, rates, building, rounding, malloc_trim) and
//! a scan of the entries tree with sled alone at two cache sizes.
//!
//!   nice -n 10 cargo run --profile perf --example bench -- preview
//!   # for a profiler: one N, previewed 30 more times
//!   BENCH_N=100000 BENCH_REPEAT=30 perf record -g target/perf/examples/bench preview
//!
//! See docs/benchmarks.md › Invoice preview with billing rules.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use zeitrechnung_lib::billing::pricing::Pricing;
use zeitrechnung_lib::billing::rates::Overrides;
use zeitrechnung_lib::billing::{self, rates, rounding, BillingInput};
use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::rechnung::{self, InvoiceRequest};
use zeitrechnung_lib::secrets::{ApiKey, MemorySecretStore, SecretStore};
use zeitrechnung_lib::storage::{
    Address, BillingState, Customer, CustomerKind, Employee, Entry, EntryKind, Project,
    ProjectStatus, RateRules, Role, RoleRate, Rounding, RoundingMode, RoundingScope, Source, Store,
};

const FROM: (i32, u32, u32) = (2026, 1, 1);
const DAYS: i64 = 365;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(t: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(t.0, t.1, t.2).unwrap()
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

pub(crate) struct Setup {
    pub(crate) core: Core,
    _dir: tempfile::TempDir,
    pub(crate) main: u64,
    pub(crate) subs: [u64; 2],
}

fn project(id: u64, name: &str, customer: u64, parent: Option<u64>, rate: Option<&str>) -> Project {
    let now = Utc::now();
    Project {
        id,
        name: name.into(),
        number: String::new(),
        customer_id: Some(customer),
        parent_id: parent,
        hourly_rate: rate.map(d),
        rules: RateRules::default(),
        tax_case: None,
        status: ProjectStatus::Aktiv,
        created_at: now,
        updated_at: now,
    }
}

pub(crate) fn setup(n: u64) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    secrets.store(&ApiKey::parse("bench").unwrap()).unwrap();

    // Rollen and Mitarbeiter.
    let role_names = ["Meister", "Geselle", "Azubi"];
    let roles: Vec<Role> = role_names
        .iter()
        .map(|name| Role {
            id: store.next_id().unwrap(),
            name: (*name).into(),
            hourly_rate: None,
            rate_changes: Vec::new(),
        })
        .collect();
    let people = [
        ("Anna Schmidt", 0),
        ("Jonas Weber", 1),
        ("Murat Yilmaz", 1),
        ("Lena Koch", 1),
        ("Tim Berger", 2),
        ("Sophie Wolf", 2),
    ];
    let employees: Vec<Employee> = people
        .iter()
        .map(|(name, role)| Employee {
            id: store.next_id().unwrap(),
            name: (*name).into(),
            role_id: Some(roles[*role].id),
            hourly_rate: None,
            rate_changes: Vec::new(),
            active: true,
            role_changes: Vec::new(),
        })
        .collect();
    store
        .update_settings(|s| {
            s.hourly_rate = Some(d("70"));
            s.roles = roles.clone();
            s.employees = employees.clone();
        })
        .unwrap();

    // The customer: role rates with a raise from 01.07.2026, 15 min per day and employee.
    let raise = Some(date((2026, 7, 1)));
    let role_rates = [("95", "99"), ("75", "79"), ("45", "48")]
        .iter()
        .zip(&roles)
        .flat_map(|((old, new), r)| {
            [
                RoleRate {
                    role_id: r.id,
                    valid_from: None,
                    rate: d(old),
                },
                RoleRate {
                    role_id: r.id,
                    valid_from: raise,
                    rate: d(new),
                },
            ]
        })
        .collect();
    let now = Utc::now();
    let customer = Customer {
        id: store.next_id().unwrap(),
        lexoffice_id: Some("4b5e7c1a-0000-4000-8000-00000000b3c4".into()),
        lexoffice_version: Some(1),
        number: "10001".into(),
        kind: CustomerKind::Company,
        name: "Bench GmbH".into(),
        contact_person: String::new(),
        address: Address {
            street: "Weg 1".into(),
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
        hourly_rate: Some(d("80")),
        rules: RateRules {
            rate_changes: Vec::new(),
            role_rates,
            rounding: Some(Rounding {
                step: 15,
                mode: RoundingMode::Up,
                scope: RoundingScope::DayAndEmployee,
                minimum: None,
            }),
        },
        invoice_style: None,
        tax: Default::default(),
        vat_id: String::new(),
        buyer_reference: String::new(),
        changed_in_app: false,
        push_unclear_since: None,
        lexoffice_base: None,
        created_at: now,
        updated_at: now,
    };
    store.put_customer(&customer).unwrap();

    let main = store.next_id().unwrap();
    store
        .put_project(&project(main, "Neubau Schule", customer.id, None, None))
        .unwrap();
    let subs = [store.next_id().unwrap(), store.next_id().unwrap()];
    store
        .put_project(&project(
            subs[0],
            "Elektro",
            customer.id,
            Some(main),
            Some("88"),
        ))
        .unwrap();
    store
        .put_project(&project(subs[1], "Sanitär", customer.id, Some(main), None))
        .unwrap();
    let family = [main, subs[0], subs[1]];

    // N entries spread over the year: every 20th a service.
    let start = date(FROM);
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        let kind = if i % 20 == 19 {
            EntryKind::Service {
                name: format!("Material {}", (i / 20) % 5),
                quantity: Decimal::new(1 + (i % 40) as i64, 1),
                unit: "Stück".into(),
                unit_price: d("19.99"),
                tax_rate: Decimal::from(19),
                art: None,
                article: None,
            }
        } else {
            let e = &employees[(i % 6) as usize];
            EntryKind::Time {
                employee: e.name.clone(),
                employee_id: Some(e.id),
                start: None,
                end: None,
                break_minutes: 0,
                minutes: 10 + ((i * 37) % 470) as u32,
            }
        };
        batch.push(Entry {
            id: store.next_id().unwrap(),
            project_id: family[((i / 7) % 3) as usize],
            date: start + Duration::days(((i * 11) % DAYS as u64) as i64),
            description: format!("Eintrag {i}"),
            billable: true,
            billing: BillingState::Open,
            kind,
            csv_fingerprint: None,
            created_at: now,
            updated_at: now,
        });
        if batch.len() == 10_000 {
            store.put_entries(&batch).unwrap();
            batch.clear();
        }
    }
    store.put_entries(&batch).unwrap();

    let core = Core::new(
        store,
        secrets,
        LexofficeUrls::new("http://127.0.0.1:9", "https://app.lexware.de"),
        |_| {},
        Arc::new(|_: &str| Ok(())),
    );
    Setup {
        core,
        _dir: dir,
        main,
        subs,
    }
}

/// The steps of one preview, timed from outside with the same public functions
/// `rechnung::preview` uses (median of 5 each): reading the family's entries,
/// pricing them (rates + groups), building the plan, handing memory back.
fn breakdown(s: &Setup) {
    let store = &s.core.store;
    let (from, to) = (date(FROM), date(FROM) + Duration::days(DAYS - 1));
    let mut t_meta = Vec::new();
    let mut t_read = Vec::new();
    let mut t_decode = Vec::new();
    let mut t_resolve = Vec::new();
    let mut t_price = Vec::new();
    let mut t_round = Vec::new();
    let mut t_build = Vec::new();
    let mut t_trim = Vec::new();
    let mut avg_len = 0;
    let mut lines = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let main = store.project(s.main).unwrap().unwrap();
        let subs: Vec<Project> = s
            .subs
            .iter()
            .map(|id| store.project(*id).unwrap().unwrap())
            .collect();
        let customer = store.customer(main.customer_id.unwrap()).unwrap();
        let settings = store.settings().unwrap();
        let _records = store.invoice_records().unwrap();
        t_meta.push(ms(t));
        let t = Instant::now();
        let mut entries: Vec<Vec<Entry>> = vec![store.entries_of(main.id).unwrap()];
        for sp in &subs {
            entries.push(store.entries_of(sp.id).unwrap());
        }
        t_read.push(ms(t));
        // Decoding alone: the same values as stored (storage::entry_codec), from memory.
        let bytes: Vec<Vec<u8>> = entries
            .iter()
            .flatten()
            .map(zeitrechnung_lib::storage::entry_codec::encode)
            .collect();
        avg_len = bytes.iter().map(Vec::len).sum::<usize>() / bytes.len().max(1);
        let t = Instant::now();
        let decoded: Vec<Entry> = bytes
            .iter()
            .map(|b| zeitrechnung_lib::storage::entry_codec::decode(b).unwrap())
            .collect();
        t_decode.push(ms(t));
        drop((decoded, bytes));

        let t = Instant::now();
        let pricing = Pricing::load(&main, None, &subs, customer.as_ref(), &settings);
        let groups: Vec<billing::Group> = std::iter::once(&main)
            .chain(subs.iter())
            .zip(&entries)
            .map(|(p, es)| {
                let open = es
                    .iter()
                    .filter(|e| e.date >= from && e.date <= to && e.billable);
                pricing.group(p, p.id != main.id, open, &Overrides::default())
            })
            .collect();
        t_price.push(ms(t));
        // Of that, the rates alone.
        let t = Instant::now();
        let mut priced = 0usize;
        for (p, es) in std::iter::once(&main).chain(subs.iter()).zip(&entries) {
            for e in es {
                if let EntryKind::Time { employee_id, .. } = &e.kind {
                    priced += usize::from(
                        rates::resolve(
                            &pricing.tables,
                            &Overrides::default(),
                            p.id,
                            *employee_id,
                            e.date,
                        )
                        .is_some(),
                    );
                }
            }
        }
        t_resolve.push(ms(t));
        assert!(priced > 0);
        // Of the build, the Abrechnungstakt alone.
        let t = Instant::now();
        for g in &groups {
            let recorded: Vec<rounding::Recorded> = g
                .times
                .iter()
                .filter(|t| t.minutes > 0)
                .map(|t| rounding::Recorded {
                    date: t.date,
                    employee: t.employee_id.unwrap_or(0),
                    minutes: t.minutes,
                })
                .collect();
            std::hint::black_box(rounding::billed_minutes(&recorded, &g.rounding));
        }
        t_round.push(ms(t));
        let input = BillingInput {
            contact_id: "x".into(),
            project_name: main.name.clone(),
            period_from: from,
            period_to: to,
            hours: settings.hours.clone(),
            list_subprojects: true,
            small_business: false,
            time_tax_rate: Decimal::from(19),
            today: to,
            title: None,
            introduction: None,
            remark: None,
            groups,
            ..Default::default()
        };
        let t = Instant::now();
        let plan = billing::build(&input).unwrap();
        t_build.push(ms(t));
        lines = plan.lines.len();
        drop((plan, input, entries, pricing));
        let t = Instant::now();
        zeitrechnung_lib::core::release_freed_memory();
        t_trim.push(ms(t));
    }
    println!(
        "  steps (median of 5): projects, customer, settings, records {:.2} ms · read entries (Store::entries_of ×3) {:.2} ms, of which decoding alone ({avg_len} bytes each, from memory) {:.2} ms · price (Pricing::load + group) {:.2} ms, of which rates::resolve alone {:.2} ms · billing::build {:.2} ms ({lines} lines), of which rounding::billed_minutes alone {:.2} ms · malloc_trim {:.2} ms",
        median(t_meta),
        median(t_read),
        median(t_decode),
        median(t_price),
        median(t_resolve),
        median(t_build),
        median(t_round),
        median(t_trim),
    );
}

/// The entries tree scanned with sled alone (no decoding), at the store's
/// cache size and at one that holds the whole tree.
fn raw_scan(dir: &std::path::Path) {
    for cache_mb in [16u64, 256] {
        let db = loop {
            match sled::Config::new()
                .path(dir)
                .cache_capacity(cache_mb * 1024 * 1024)
                .open()
            {
                Ok(db) => break db,
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
            }
        };
        let tree = db.open_tree("entries").unwrap();
        let mut runs = Vec::new();
        let mut bytes = 0usize;
        for _ in 0..6 {
            let t = Instant::now();
            bytes = tree.iter().values().map(|v| v.unwrap().len()).sum();
            runs.push(ms(t));
        }
        runs.remove(0);
        println!(
            "  sled scan of the entries tree alone ({:.1} MB of values), cache {cache_mb} MB: median {:.2} ms",
            bytes as f64 / 1_048_576.0,
            median(runs)
        );
    }
}

async fn measure(n: u64, repeat: usize) {
    let t0 = Instant::now();
    let s = setup(n);
    println!("N = {n}: seeded in {:.1} s", t0.elapsed().as_secs_f64());
    let req = InvoiceRequest {
        project_id: s.main,
        from: "01.01.2026".into(),
        to: "31.12.2026".into(),
        rate: String::new(),
        list_subprojects: true,
        rates: Vec::new(),
        ..Default::default()
    };
    let warm = rechnung::preview(&s.core, req.clone()).await.unwrap();
    assert!(warm.ok, "{:?}", warm.problems);
    assert_eq!(warm.entry_count as u64, n);
    // 3 roles × before/after 01.07. on the main project and „Sanitär“, the flat 88 on „Elektro“.
    assert_eq!(warm.rates.len(), 7);
    for source in ["Geselle · Kunde", "Unterprojekt"] {
        assert!(
            warm.rates.iter().any(|r| r.sources.contains(source)),
            "{source}"
        );
    }
    let mut runs = Vec::new();
    for _ in 0..11 {
        let t = Instant::now();
        let p = rechnung::preview(&s.core, req.clone()).await.unwrap();
        runs.push(ms(t));
        assert_eq!(p.entry_count, warm.entry_count);
    }
    let (lo, hi) = (
        runs.iter().cloned().fold(f64::MAX, f64::min),
        runs.iter().cloned().fold(0.0, f64::max),
    );
    println!(
        "invoice preview ({} entries in the period, {} lines, {} rates, billed {} of {}): median {:.2} ms (min {lo:.2}, max {hi:.2})",
        warm.entry_count,
        warm.lines.len(),
        warm.rates.len(),
        warm.billed_hours_display,
        warm.hours_display,
        median(runs)
    );
    breakdown(&s);
    for _ in 0..repeat {
        rechnung::preview(&s.core, req.clone()).await.unwrap();
    }
    let Setup {
        core, _dir: dir, ..
    } = s;
    drop(core);
    raw_scan(&dir.path().join("db"));
}

#[tokio::main]
pub async fn run() {
    // BENCH_N=100000 BENCH_REPEAT=200: only that N, previewed that often (for a profiler).
    let only: Option<u64> = std::env::var("BENCH_N").ok().and_then(|v| v.parse().ok());
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for n in [2_000, 100_000] {
        if only.is_some_and(|o| o != n) {
            continue;
        }
        measure(n, repeat).await;
    }
}
