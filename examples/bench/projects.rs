//! Benchmark (not a test): a database with 100,000 time entries and 10,000
//! services over 200 projects. Measures opening one project-month, computing a
//! project's totals, the invoice preview for a project with 2,000 entries in the
//! period, one creation against the sandbox (requests sent, click-to-browser
//! time) and the database size on disk.
//!
//!   cargo run --release --example bench -- projects
//!
//! See docs/benchmarks.md.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use lexoffice_sandbox::{Contact, Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::projekte::{self as p, ProjectInput};
use zeitrechnung_lib::rechnung::{self, InvoiceRequest};
use zeitrechnung_lib::secrets::MemorySecretStore;
use zeitrechnung_lib::storage::{BillingState, Entry, EntryKind, Store};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[tokio::main]
pub async fn run() {
    let sb = Sandbox::start_in_thread(SandboxConfig {
        api_key: "bench".into(),
        ..Default::default()
    })
    .unwrap();
    sb.contacts().add_contact(
        Contact::company("Bench GmbH")
            .customer()
            .with_billing_address("Weg 1", "10115", "Berlin", "DE"),
    );
    let dir = tempfile::tempdir().unwrap();
    let opened = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let o2 = opened.clone();
    let core = Core::new(
        Store::open(&dir.path().join("db")).unwrap(),
        Arc::new(MemorySecretStore::default()),
        LexofficeUrls::new(&sb.base_url, "https://app.lexware.de"),
        |_| {},
        Arc::new(move |_: &str| {
            *o2.lock().unwrap() = Some(Instant::now());
            Ok(())
        }),
    );
    zeitrechnung_lib::schnittstellen::connect(&core, "bench".into())
        .await
        .unwrap();
    zeitrechnung_lib::kunden::import::run(&core, |_| {}, &AtomicBool::new(false))
        .await
        .unwrap();
    let customer = core.store.customers().unwrap()[0].id;

    // 200 projects (40 with 4 subprojects each → 40 + 160), entries spread over 2 years.
    let t0 = Instant::now();
    let mut leaf_projects = Vec::new();
    let mut big_project = 0;
    for i in 0..40 {
        let main = p::save(
            &core,
            ProjectInput {
                name: format!("Projekt {i:03}"),
                customer_id: Some(customer),
                hourly_rate: "85".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .project
        .id;
        if i == 0 {
            big_project = main;
        }
        leaf_projects.push(main);
        for s in 0..4 {
            let sub = p::save(
                &core,
                ProjectInput {
                    name: format!("Teil {s}"),
                    parent_id: Some(main),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .project
            .id;
            leaf_projects.push(sub);
        }
    }
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let now = Utc::now();
    let mut batch = Vec::with_capacity(10_000);
    let mut seq = 0u64;
    let total_times = 100_000u64;
    let total_services = 10_000u64;
    for n in 0..(total_times + total_services) {
        seq += 1;
        // The big project (index 0..5 = project 0 and its subprojects) gets 2,000 entries in March 2025.
        let (project_id, date) = if n < 2_000 {
            (
                leaf_projects[(n % 5) as usize],
                NaiveDate::from_ymd_opt(2025, 3, 1 + (n % 31) as u32).unwrap(),
            )
        } else {
            (
                leaf_projects[(n % 200) as usize],
                start + Duration::days((n % 730) as i64),
            )
        };
        let kind = if n < total_times {
            EntryKind::Time {
                employee: "M".into(),
                employee_id: None,
                start: None,
                end: None,
                break_minutes: 0,
                minutes: 15 + (n % 480) as u32,
            }
        } else {
            EntryKind::Service {
                name: format!("Material {}", n % 7),
                quantity: Decimal::new(1 + (n % 50) as i64, 1),
                unit: "Stück".into(),
                unit_price: Decimal::new(1999, 2),
                tax_rate: Decimal::from(19),
                art: None,
                article: None,
            }
        };
        batch.push(Entry {
            id: core.store.next_id().unwrap(),
            project_id,
            date,
            description: format!("Eintrag {seq}"),
            billable: true,
            billing: BillingState::Open,
            kind,
            csv_fingerprint: None,
            created_at: now,
            updated_at: now,
        });
        if batch.len() == 10_000 {
            core.store.put_entries(&batch).unwrap();
            batch.clear();
        }
    }
    core.store.put_entries(&batch).unwrap();
    println!(
        "seeded 200 projects, {total_times} times, {total_services} services in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    let (mf, mt) = (
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
    );
    let probe = leaf_projects[57];
    let mut month = Vec::new();
    let mut count = 0;
    for _ in 0..21 {
        let t = Instant::now();
        count = p::entries(&core, probe, Some(mf), Some(mt))
            .await
            .unwrap()
            .len();
        month.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "open one project-month ({count} entries): median {:.2} ms",
        median(month)
    );
    let mut tot = Vec::new();
    let mut detail_entries = 0;
    for _ in 0..11 {
        let t = Instant::now();
        detail_entries = p::get(&core, leaf_projects[5]).await.unwrap().entry_count;
        tot.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "project totals (project + 4 subprojects, {detail_entries} entries): median {:.2} ms",
        median(tot)
    );

    let req = InvoiceRequest {
        project_id: big_project,
        from: "01.03.2025".into(),
        to: "31.03.2025".into(),
        rate: "85".into(),
        list_subprojects: true,
        rates: Vec::new(),
        ..Default::default()
    };
    let mut pv = Vec::new();
    let mut n_entries = 0;
    for _ in 0..11 {
        let t = Instant::now();
        let preview = rechnung::preview(&core, req.clone()).await.unwrap();
        pv.push(t.elapsed().as_secs_f64() * 1000.0);
        n_entries = preview.entry_count;
        assert!(preview.ok, "{:?}", preview.problems);
    }
    println!(
        "invoice preview ({n_entries} entries in the period): median {:.2} ms",
        median(pv)
    );
    sb.clear_requests();
    let t = Instant::now();
    rechnung::create(&core, req).await.unwrap();
    let click_to_browser = opened
        .lock()
        .unwrap()
        .map(|o| o.duration_since(t).as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN);
    let reqs = sb.requests();
    println!(
        "create: {} requests ({} POST), click-to-browser {:.0} ms",
        reqs.len(),
        reqs.iter().filter(|r| r.method == "POST").count(),
        click_to_browser
    );
    core.store.flush().unwrap();
    println!(
        "database size on disk: {:.1} MB",
        core.store.size_on_disk().unwrap() as f64 / 1_048_576.0
    );
}
