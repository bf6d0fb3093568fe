//! Benchmark (not a test): lexoffice customer import of N contacts from the
//! sandbox binary (a separate process, default limit 2 requests/s) into a
//! fresh sled store. Prints wall time against the rate-limit bound, the
//! import's peak RSS and how many requests the sandbox answered with 429.
//!
//!   cargo build --release -p lexoffice-sandbox
//!   cargo run --release --example bench -- import -- 10000
//!
//! See docs/benchmarks.md.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::kunden::import;
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::secrets::{ApiKey, MemorySecretStore, SecretStore};
use zeitrechnung_lib::storage::Store;

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
pub async fn run() {
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let exe = std::env::current_exe().unwrap();
    let sandbox_bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("lexoffice-sandbox");
    let mut child = Command::new(&sandbox_bin)
        .args([
            "--port",
            "0",
            "--api-key",
            "bench",
            "--contacts",
            &n.to_string(),
            "--seed",
            "3",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it with cargo build --release -p lexoffice-sandbox)",
                sandbox_bin.display()
            )
        });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();

    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    secrets.store(&ApiKey::parse("bench").unwrap()).unwrap();
    let core = Core::new(
        Store::open(&dir.path().join("db")).unwrap(),
        secrets,
        LexofficeUrls::new(&base, "https://app.lexware.de"),
        |_| {},
        Arc::new(|_: &str| Ok(())),
    );
    let before = vm_hwm_kb();
    let cancel = AtomicBool::new(false);
    let t0 = Instant::now();
    let s = import::run(&core, |_| {}, &cancel).await.unwrap();
    let wall = t0.elapsed().as_secs_f64();
    let peak = vm_hwm_kb();
    let reqs: serde_json::Value = reqwest::get(format!("{base}/__sandbox/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reqs = reqs.as_array().cloned().unwrap_or_default();
    let n429 = reqs.iter().filter(|r| r["status"] == 429).count();
    let pages = s.pages_done as f64;
    // At 2 requests/s the n-th request cannot start before (n-1)/2 s.
    let bound = (pages - 1.0) / 2.0;
    println!("contacts in sandbox:   {n}");
    println!("customers imported:    {} ({} pages)", s.new, s.pages_done);
    println!(
        "completed:             {} / error: {:?}",
        s.completed, s.error
    );
    println!("wall time:             {wall:.2} s");
    println!(
        "rate-limit bound:      {bound:.2} s  (ratio {:.3})",
        wall / bound.max(0.001)
    );
    println!(
        "requests:              {} total, {} answered 429",
        reqs.len(),
        n429
    );
    println!(
        "peak RSS (VmHWM):      {:.1} MB (before import {:.1} MB)",
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    let _ = child.kill();
    let _ = child.wait();
}
