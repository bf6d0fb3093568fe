//! Benchmark (not a test): PostgreSQL on loopback beside sled, in one run
//! (a throwaway cluster, tests/support/pg.rs).
//!
//! 1. The benchmark data set (10,000 customers, 100,000 entries, 2,000
//!    invoice records) moved sled → PostgreSQL → sled, as „Mehrplatz
//!    einrichten“ and „Zurück zu Einzelplatz“ move it: the time of each move
//!    and whether the three backups are the same bytes.
//! 2. On that data set, on both: the Abrechnung overview (median of 5 after a
//!    warm-up) and the customer list (median of 7).
//! 3. The invoice preview of `preview` (rules, roles, rounding) at 2,000 and
//!    100,000 entries on both (median of 7 / 5 after a warm-up).
//!
//!   nice -n 10 cargo run --profile perf --example bench -- move
//!
//! See docs/benchmarks.md › PostgreSQL.

use std::sync::Arc;
use std::time::Instant;

use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::rechnung::{self, InvoiceRequest};
use zeitrechnung_lib::secrets::MemorySecretStore;
use zeitrechnung_lib::storage::Store;
use zeitrechnung_lib::{kunden, uebersicht};

#[path = "../../tests/support/pg.rs"]
#[allow(dead_code)] // the benchmark uses the cluster, not its logins and certificates
mod pg;
use crate::preview::median;
use crate::seed_overview;

fn bytes(store: &Store) -> String {
    let mut b = store.export().unwrap();
    b.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&b).unwrap()
}

fn core_on(store: Store) -> Core {
    Core::new(
        store,
        Arc::new(MemorySecretStore::default()),
        LexofficeUrls::new("http://127.0.0.1:9", "https://app.lexware.de"),
        |_| {},
        Arc::new(|_: &str| Ok(())),
    )
}

/// Median milliseconds of `runs` calls after one warm-up.
fn timed<T>(rt: &tokio::runtime::Runtime, runs: usize, mut f: impl FnMut() -> T) -> f64
where
    T: std::future::Future,
{
    rt.block_on(f());
    let mut ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        rt.block_on(f());
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    median(ms)
}

fn line(what: &str, sled: f64, pg: f64) {
    println!(
        "{what}: sled {sled:.1} ms, PostgreSQL {pg:.1} ms ({:.2} ×)",
        pg / sled
    );
}

pub fn run() {
    let cluster = pg::cluster().expect("PostgreSQL (Debian package postgresql)");
    let rt = tokio::runtime::Runtime::new().unwrap();
    // BENCH_PART=preview: only part 3.
    if std::env::var("BENCH_PART").is_ok_and(|p| p == "preview") {
        return previews(cluster, &rt);
    }
    let dir = tempfile::tempdir().unwrap();
    let sled = Store::open(&dir.path().join("a")).unwrap();
    seed_overview::seed(&sled, 10_000, 2_000);
    sled.link_employees().unwrap();
    let original = bytes(&sled);
    println!("data set: {} bytes of backup", original.len());

    let pg = Store::connect(&cluster.fresh_database()).unwrap();
    let t = Instant::now();
    let backup = sled.export().unwrap();
    pg.replace_all(&backup).unwrap();
    println!("sled → PostgreSQL: {:.1} s", t.elapsed().as_secs_f64());
    let same_pg = bytes(&pg) == original;

    let back = Store::open(&dir.path().join("b")).unwrap();
    let t = Instant::now();
    let backup = pg.export().unwrap();
    back.replace_all(&backup).unwrap();
    println!("PostgreSQL → sled: {:.1} s", t.elapsed().as_secs_f64());
    let same_back = bytes(&back) == original;
    println!("backups byte-equal: PostgreSQL {same_pg}, sled again {same_back}");
    drop(back);

    let (on_sled, on_pg) = (core_on(sled), core_on(pg));
    let overview = |c: &Core| timed(&rt, 5, || uebersicht::overview(c));
    line(
        "Abrechnung overview, 10,000 projects",
        overview(&on_sled),
        overview(&on_pg),
    );
    let customers = |c: &Core| timed(&rt, 7, || kunden::list(c));
    line(
        "customer list, 10,000 customers",
        customers(&on_sled),
        customers(&on_pg),
    );
    drop((on_sled, on_pg));
    previews(cluster, &rt);
}

fn previews(cluster: &pg::Cluster, rt: &tokio::runtime::Runtime) {
    for (n, runs) in [(2_000, 7), (100_000, 5)] {
        let s = crate::preview::setup(n);
        let url = cluster.fresh_database();
        let database = pg::database_of(&url).to_string();
        let copy = Store::connect(&url).unwrap();
        copy.replace_all(&s.core.store.export().unwrap()).unwrap();
        let on_pg = core_on(copy);
        let req = InvoiceRequest {
            project_id: s.main,
            from: "01.01.2026".into(),
            to: "31.12.2026".into(),
            list_subprojects: true,
            ..Default::default()
        };
        let preview = |c: &Core| timed(rt, runs, || rechnung::preview(c, req.clone()));
        let a = rt
            .block_on(rechnung::preview(&s.core, req.clone()))
            .unwrap();
        let b = rt.block_on(rechnung::preview(&on_pg, req.clone())).unwrap();
        assert_eq!(
            (a.entry_count, &a.billed_hours_display, a.lines.len()),
            (b.entry_count, &b.billed_hours_display, b.lines.len()),
            "the same preview on both"
        );
        assert_eq!(
            serde_json::to_value(&a.totals).unwrap(),
            serde_json::to_value(&b.totals).unwrap()
        );
        line(
            &format!("invoice preview, {n} entries"),
            preview(&s.core),
            preview(&on_pg),
        );
        // Two of its reads alone: the settings, the family's entries.
        let settings = |c: &Core| timed(rt, runs, || async { c.store.settings().unwrap() });
        line("  of it: the settings", settings(&s.core), settings(&on_pg));
        let entries = |c: &Core| {
            timed(rt, runs, || async {
                let (lo, hi) = (chrono::NaiveDate::MIN, chrono::NaiveDate::MAX);
                c.store
                    .entries_in_projects(&[s.main, s.subs[0], s.subs[1]], lo, hi)
                    .unwrap();
            })
        };
        let oid = cluster.psql(
            "postgres",
            &format!("SELECT oid FROM pg_database WHERE datname = '{database}'"),
        );
        cluster.psql(
            "postgres",
            &format!("SELECT pg_stat_statements_reset(0, {oid}, 0)"),
        );
        line("  of it: the entries", entries(&s.core), entries(&on_pg));
        // The server's own part of that read (pg_stat_statements).
        println!(
            "  of it, on the server: {} ms a query",
            cluster.psql(
                "postgres",
                &format!("SELECT round(mean_exec_time::numeric, 2) || ' (' || calls || ' calls, ' || rows / calls || ' rows)' FROM pg_stat_statements WHERE dbid = {oid} AND query LIKE '%FROM entries%'"),
            )
        );
    }
}
