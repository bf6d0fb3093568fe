//! Crash suite: the app's work runs in a child process (this test binary, re-run)
//! that is SIGKILLed at a random moment, 50 times for each of customer import,
//! CSV import, editing and invoice creation. After each kill the store is opened
//! again and checked: it opens, every write the child had confirmed is there,
//! nothing is half-written, every invoice attempt ends billed with its draft or
//! open, and the counts match the sandbox after the user simply runs the job again.

use crate::support;

use support::Rng;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use lexoffice_sandbox::{Contact, Fault, Sandbox, SandboxConfig};
use zeitrechnung_lib::kunden::import;
use zeitrechnung_lib::projekte::{self as p, csv_import, ProjectInput, TimeInput};
use zeitrechnung_lib::rechnung::{self, InvoiceRequest};
use zeitrechnung_lib::storage::{BillingState, InvoiceState};

/// Kills per job (`support::cases`: 50, or 10 in a quick run).
fn runs() -> u32 {
    support::cases(50) as u32
}

/// The child: does one job and prints a line for every write it got confirmed.
#[tokio::test]
#[ignore = "child process of the crash suite"]
async fn crash_child() {
    let Ok(op) = std::env::var("ZR_CRASH_OP") else {
        return;
    };
    let dir = PathBuf::from(std::env::var("ZR_DIR").unwrap());
    let base = std::env::var("ZR_BASE").unwrap();
    let core = support::core_at(&dir, &base);
    println!("ready");
    match op.as_str() {
        "import" => {
            let _ = import::run(&core, |e| println!("page {e:?}"), &AtomicBool::new(false)).await;
        }
        "csv" => {
            let began = Instant::now();
            let r =
                csv_import::import(&core, dir.join("rows.csv").display().to_string(), None).await;
            println!("csv {}", r.map(|r| r.imported).unwrap_or(0));
            println!("took {}", began.elapsed().as_micros());
        }
        "edit" => {
            let pid: u64 = std::env::var("ZR_PROJECT").unwrap().parse().unwrap();
            for i in 0..10_000u32 {
                let minutes = 1 + i % 600;
                let e = p::save_time(
                    &core,
                    TimeInput {
                        project_id: pid,
                        date: "03.03.2025".into(),
                        duration: format!("{minutes} min"),
                        description: format!("Eintrag {i}"),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                println!("confirmed {} {}", e.id, e.minutes);
            }
        }
        "invoice" => {
            let pid: u64 = std::env::var("ZR_PROJECT").unwrap().parse().unwrap();
            let _ = rechnung::create(&core, request(pid)).await;
            println!("created");
        }
        other => panic!("unknown crash operation {other}"),
    }
}

fn request(pid: u64) -> InvoiceRequest {
    InvoiceRequest {
        project_id: pid,
        from: "01.03.2025".into(),
        to: "31.03.2025".into(),
        rate: "90".into(),
        list_subprojects: false,
        rates: Vec::new(),
        ..Default::default()
    }
}

/// Starts the child, kills it after `after` (counted from its "ready"), returns its confirmed lines.
fn run_and_kill(
    op: &str,
    dir: &Path,
    base: &str,
    project: Option<u64>,
    after: Duration,
) -> Vec<String> {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "crash::crash_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("ZR_CRASH_OP", op)
    .env("ZR_DIR", dir)
    .env("ZR_BASE", base)
    .stdout(Stdio::piped())
    .stderr(std::fs::File::create(dir.join("child-stderr.txt")).unwrap());
    if let Some(pid) = project {
        cmd.env("ZR_PROJECT", pid.to_string());
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let t0 = Instant::now();
    // Wait for "ready" (the store is open), then let it work for `after`.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(50)) {
            // libtest prints "test crash_child ... " on the same line
            let ready = l.ends_with("ready");
            lines.push(l);
            if ready {
                break;
            }
        }
    }
    // Let it work for `after`, or until it ends by itself.
    let deadline = Instant::now() + after;
    while matches!(child.try_wait(), Ok(None)) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_micros(200)));
    }
    let _ = child.kill();
    let _ = child.wait();
    // Everything it printed: the reader ends at the end of its output.
    while let Ok(l) = rx.recv_timeout(Duration::from_secs(10)) {
        lines.push(l);
    }
    if !lines.iter().any(|l| l.ends_with("ready")) {
        let err = std::fs::read_to_string(dir.join("child-stderr.txt")).unwrap_or_default();
        panic!(
            "the child never got ready ({:?}): {err} / stdout: {lines:?}",
            t0.elapsed()
        );
    }
    lines
}

fn customers_sandbox(contacts: usize) -> Sandbox {
    Sandbox::start_in_thread(SandboxConfig {
        api_key: support::KEY.into(),
        contacts,
        seed: 9,
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn customer_import_killed_50_times() {
    let sb = customers_sandbox(700);
    let expected: usize = sb
        .contacts()
        .all()
        .iter()
        .filter(|c| c.customer_number().is_some())
        .count();
    let mut rng = Rng(1);
    let mut mid_import = 0;
    let runs = runs();
    for run in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let lines = run_and_kill(
            "import",
            dir.path(),
            &sb.base_url,
            None,
            Duration::from_millis(rng.below(1800)),
        );
        let pages = lines.iter().filter(|l| l.starts_with("page")).count();
        if pages > 0 && pages < 3 {
            mid_import += 1;
        }
        let core = support::core_at(dir.path(), &sb.base_url);
        let stored = core.store.customers().unwrap();
        // Every confirmed page is there, whole; never more than the sandbox has.
        assert!(
            stored.len() >= pages.min(2) * 250,
            "run {run}: confirmed pages lost ({} stored, {pages} pages)",
            stored.len()
        );
        assert!(stored.len() <= expected, "run {run}: duplicates");
        assert!(
            stored
                .iter()
                .all(|c| c.lexoffice_id.is_some() && !c.name.is_empty()),
            "run {run}: half a customer"
        );
        let s = import::run(&core, |_| {}, &AtomicBool::new(false))
            .await
            .unwrap();
        assert!(s.completed, "run {run}: re-run");
        assert_eq!(
            core.store.customers().unwrap().len(),
            expected,
            "run {run}: counts match the sandbox"
        );
    }
    assert!(
        mid_import >= runs / 5,
        "only {mid_import} kills hit a running import"
    );
    support::report(
        "crash-import",
        &format!("crash suite (customer import): {runs} kills, {mid_import} mid-import"),
    );
}

const CSV_ROWS: usize = 400;

#[tokio::test]
async fn csv_import_killed_50_times() {
    let mut csv = String::from("Typ;Projekt;Datum;Dauer;Beschreibung\n");
    for i in 0..CSV_ROWS {
        csv.push_str(&format!(
            "Zeit;C-1;{:02}.03.2025;{}:{:02};Zeile {i}\n",
            1 + i % 28,
            1 + i % 7,
            i % 60
        ));
    }
    // A data dir with the project and the file; the project's id.
    let prepared = |dir: &Path| {
        let core = support::core_at(dir, "http://127.0.0.1:9");
        std::fs::write(dir.join("rows.csv"), &csv).unwrap();
        async move {
            p::save(
                &core,
                ProjectInput {
                    name: "CSV".into(),
                    number: "C-1".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .project
            .id
        }
    };
    // How long the import takes here when nothing stops it: the kills land
    // within 1.5 × that after „ready“ (a fixed window would miss the import
    // on a fast machine, or wait for nothing on a slow one).
    // The shortest of three runs: one slow run would widen the window.
    let mut whole = u64::MAX;
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        prepared(dir.path()).await;
        let lines = run_and_kill(
            "csv",
            dir.path(),
            "http://127.0.0.1:9",
            None,
            Duration::from_secs(60),
        );
        assert!(lines.contains(&format!("csv {CSV_ROWS}")), "{lines:?}");
        let took = lines
            .iter()
            .find_map(|l| l.strip_prefix("took "))
            .and_then(|us| us.parse::<u64>().ok())
            .expect("the child tells how long it took");
        whole = whole.min(took);
    }
    let mut rng = Rng(2);
    let mut partial_seen = 0;
    let mut killed_mid_import = 0;
    let runs = runs();
    for run in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let pid = prepared(dir.path()).await;
        let lines = run_and_kill(
            "csv",
            dir.path(),
            "http://127.0.0.1:9",
            None,
            Duration::from_micros(rng.below(whole * 3 / 2 + 1)),
        );
        let confirmed = lines.iter().any(|l| l == &format!("csv {CSV_ROWS}"));
        // The child was working (its store open) when the kill landed.
        if lines.iter().any(|l| l.ends_with("ready")) && !confirmed {
            killed_mid_import += 1;
        }
        let core = support::core_at(dir.path(), "http://127.0.0.1:9");
        let n = core.store.entries_of(pid).unwrap().len();
        assert!(
            n == 0 || n == CSV_ROWS,
            "run {run}: half an import ({n} rows)"
        );
        if confirmed {
            assert_eq!(n, CSV_ROWS, "run {run}: confirmed import lost");
        }
        if n == 0 {
            partial_seen += 1;
        }
        let r = csv_import::import(
            &core,
            dir.path().join("rows.csv").display().to_string(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.imported + r.skipped_duplicates, CSV_ROWS, "run {run}");
        assert_eq!(
            core.store.entries_of(pid).unwrap().len(),
            CSV_ROWS,
            "run {run}: re-import doubled or lost rows"
        );
    }
    assert!(
        killed_mid_import > 0,
        "no kill landed while the import was running: the suite proved nothing"
    );
    support::report(
        "crash-csv",
        &format!("crash suite (CSV import of {CSV_ROWS} rows, {:.1} ms uninterrupted): {runs} kills, {killed_mid_import} while the import ran, {partial_seen} before it landed", whole as f64 / 1000.0),
    );
}

#[tokio::test]
async fn editing_killed_50_times() {
    let mut rng = Rng(3);
    let mut confirmed_total = 0;
    let runs = runs();
    for run in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let pid = {
            let core = support::core_at(dir.path(), "http://127.0.0.1:9");
            p::save(
                &core,
                ProjectInput {
                    name: "Edit".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .project
            .id
        };
        let lines = run_and_kill(
            "edit",
            dir.path(),
            "http://127.0.0.1:9",
            Some(pid),
            Duration::from_millis(20 + rng.below(300)),
        );
        let confirmed: Vec<(u64, u32)> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("confirmed "))
            .map(|l| {
                let mut it = l.split(' ');
                (
                    it.next().unwrap().parse().unwrap(),
                    it.next().unwrap().parse().unwrap(),
                )
            })
            .collect();
        confirmed_total += confirmed.len();
        let core = support::core_at(dir.path(), "http://127.0.0.1:9");
        for (id, minutes) in &confirmed {
            let e = core
                .store
                .entry(*id)
                .unwrap()
                .unwrap_or_else(|| panic!("run {run}: confirmed entry {id} lost"));
            assert!(
                matches!(e.kind, zeitrechnung_lib::storage::EntryKind::Time { minutes: m, .. } if m == *minutes),
                "run {run}"
            );
        }
        // Whatever is there is readable and consistent with its index.
        for e in core.store.entries_of(pid).unwrap() {
            assert_eq!(
                core.store.entry(e.id).unwrap().as_ref(),
                Some(&e),
                "run {run}: index out of step"
            );
        }
    }
    assert!(
        confirmed_total > runs as usize,
        "the child confirmed only {confirmed_total} writes"
    );
    support::report(
        "crash-edit",
        &format!(
            "crash suite (editing): {runs} kills, {confirmed_total} confirmed writes all present"
        ),
    );
}

#[tokio::test]
async fn invoice_creation_killed_50_times() {
    let mut rng = Rng(4);
    let runs = runs();
    for run in 0..runs {
        let sb = Sandbox::start_in_thread(SandboxConfig {
            api_key: support::KEY.into(),
            ..Default::default()
        })
        .unwrap();
        sb.contacts().add_contact(
            Contact::company("Crash GmbH")
                .customer()
                .with_billing_address("Weg 1", "10115", "Berlin", "DE"),
        );
        let dir = tempfile::tempdir().unwrap();
        let pid = support::billable_project(dir.path(), &sb.base_url, "Crash", 3, "2").await;
        // Half the runs answer slowly, so the kill often lands while the POST is open.
        if run % 2 == 0 {
            sb.inject(Fault::Delay(Duration::from_millis(300)), 1);
        }
        sb.reset_rate_limit();
        run_and_kill(
            "invoice",
            dir.path(),
            &sb.base_url,
            Some(pid),
            Duration::from_millis(rng.below(700)),
        );
        std::thread::sleep(Duration::from_millis(400)); // a request the server is still answering finishes
        let core = support::core_at(dir.path(), &sb.base_url);
        // Two looks (start-up and its re-check): one empty voucher list never frees entries.
        rechnung::reconcile_all(&core).await;
        rechnung::reconcile_all(&core).await;
        let drafts = sb.invoices_json();
        assert!(drafts.len() <= 1, "run {run}: second draft");
        let entries = core.store.entries_of(pid).unwrap();
        match drafts.first() {
            Some(d) => assert!(
                entries.iter().all(|e| e.billing
                    == BillingState::Billed {
                        invoice_id: d["id"].as_str().unwrap().into()
                    }),
                "run {run}: draft without billed entries"
            ),
            None => assert!(
                entries.iter().all(|e| e.billing == BillingState::Open),
                "run {run}: billed without a draft"
            ),
        }
        assert!(
            core.store
                .invoice_records()
                .unwrap()
                .iter()
                .all(|r| !matches!(
                    r.state,
                    InvoiceState::Pending | InvoiceState::Unclear { .. }
                )),
            "run {run}: unresolved attempt"
        );
        if drafts.is_empty() {
            rechnung::create(&core, request(pid)).await.unwrap();
        }
        assert_eq!(sb.invoices_json().len(), 1, "run {run}");
    }
    support::report(
        "crash-invoice",
        &format!("crash suite (invoice creation): {runs} kills"),
    );
}
