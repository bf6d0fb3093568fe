//! Benchmark (not a test): the benchmark data set (10,000 customers, 100,000
//! entries, 2,000 invoice records) moved sled → PostgreSQL → sled, as
//! „Mehrplatz einrichten“ and „Zurück zu Einzelplatz“ move it: the time of
//! each move and whether the three backups are the same bytes. PostgreSQL is a
//! throwaway cluster on loopback (tests/support/pg.rs).
//!
//!   nice -n 10 cargo run --profile perf --example bench -- move
//!
//! See docs/benchmarks.md › PostgreSQL.

use std::time::Instant;

use zeitrechnung_lib::storage::Store;

#[path = "../../tests/support/pg.rs"]
#[allow(dead_code)] // the benchmark uses the cluster, not its logins and certificates
mod pg;
use crate::seed_overview;

fn bytes(store: &Store) -> String {
    let mut b = store.export().unwrap();
    b.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&b).unwrap()
}

pub fn run() {
    let cluster = pg::cluster().expect("PostgreSQL (Debian package postgresql)");
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
}
