//! Benchmark (not a test): the „Abrechnung“ tab's overview with 10,000
//! customers, one project each, 100,000 open entries (95 % times, 5 %
//! services, 10 per project) and 2,000 invoice records (drafts, open and
//! overdue invoices). Times `uebersicht::overview` (what the tab loads: every
//! project family priced by the preview's engine) and the size of its JSON;
//! median of 7 after one warm-up.
//!
//!   nice -n 10 cargo run --profile perf --example bench -- overview
//!
//! See docs/benchmarks.md › Abrechnung overview.

use std::sync::Arc;
use std::time::Instant;

use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::secrets::MemorySecretStore;
use zeitrechnung_lib::storage::Store;
use zeitrechnung_lib::uebersicht;

use crate::seed_overview;

const CUSTOMERS: u64 = 10_000;
const RECORDS: u64 = 2_000;

pub fn run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    let t0 = Instant::now();
    seed_overview::seed(&store, CUSTOMERS, RECORDS);
    eprintln!(
        "seeded {CUSTOMERS} customers, {CUSTOMERS} projects, {} entries, {RECORDS} invoice records in {:.1} s",
        CUSTOMERS * seed_overview::ENTRIES_PER_PROJECT,
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
    // Where the time goes: reading every family's entries alone.
    let t = Instant::now();
    let mut n = 0usize;
    for p in core.store.projects().unwrap() {
        n += core.store.entries_iter(p.id).count();
    }
    println!(
        "reading the {n} entries project by project alone: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    println!(
        "overview: {rows} rows, median {:.0} ms (min {:.0}, max {:.0}), JSON {:.1} MB",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        size as f64 / 1_000_000.0
    );
}
