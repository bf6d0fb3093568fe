//! Crash harness for invoice creation: the creation runs in a child process
//! (this test binary re-run) that dies at each step — aborted at a failpoint or
//! SIGKILLed while the POST is under way. After each crash the store is opened
//! again, start-up reconciliation runs, and the invariants must hold: no entry
//! billed without a draft, never a second draft, nothing left reserved, and a
//! retry by the user completes the job with exactly one draft.

mod common;

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use lexoffice_sandbox::{Contact, Fault, Sandbox, SandboxConfig};
use zeitrechnung_lib::projekte::{self as p, ProjectInput, TimeInput};
use zeitrechnung_lib::rechnung::{self, InvoiceRequest};
use zeitrechnung_lib::storage::{BillingState, InvoiceState};

fn request(project_id: u64) -> InvoiceRequest {
    InvoiceRequest {
        project_id,
        from: "01.03.2025".into(),
        to: "31.03.2025".into(),
        rate: "90".into(),
        list_subprojects: false,
        rates: Vec::new(),
        ..Default::default()
    }
}

/// Runs in the child process only (started by the parent with ZR_CRASH_CHILD=1).
#[tokio::test]
#[ignore = "child process of the crash harness"]
async fn crash_child_create_invoice() {
    if std::env::var_os("ZR_CRASH_CHILD").is_none() {
        return;
    }
    let dir = std::path::PathBuf::from(std::env::var("ZR_DIR").unwrap());
    let base = std::env::var("ZR_BASE").unwrap();
    let pid: u64 = std::env::var("ZR_PROJECT").unwrap().parse().unwrap();
    let core = common::core_at(&dir, &base);
    let result = rechnung::create(&core, request(pid)).await;
    eprintln!("child: create returned {result:?}");
}

async fn prepare(dir: &std::path::Path, sb: &Sandbox) -> u64 {
    let core = common::core_at(dir, &sb.base_url);
    zeitrechnung_lib::schnittstellen::connect(&core, common::KEY.into())
        .await
        .unwrap();
    zeitrechnung_lib::kunden::import::run(&core, |_| {}, &AtomicBool::new(false))
        .await
        .unwrap();
    let customer = core.store.customers().unwrap()[0].id;
    let pid = p::save(
        &core,
        ProjectInput {
            name: "Crashtest".into(),
            customer_id: Some(customer),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    for day in 1..=5 {
        p::save_time(
            &core,
            TimeInput {
                project_id: pid,
                date: format!("0{day}.03.2025"),
                duration: "1:30".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    pid
}

fn spawn_child(
    dir: &std::path::Path,
    base: &str,
    pid: u64,
    failpoint: Option<&str>,
) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "crash_child_create_invoice",
        "--ignored",
        "--nocapture",
    ])
    .env("ZR_CRASH_CHILD", "1")
    .env("ZR_DIR", dir)
    .env("ZR_BASE", base)
    .env("ZR_PROJECT", pid.to_string())
    .stdout(std::process::Stdio::null())
    .stderr(std::fs::File::create(dir.join("child-stderr.txt")).unwrap());
    if let Some(fp) = failpoint {
        cmd.env("ZEITRECHNUNG_FAILPOINT", fp);
    }
    cmd.spawn().unwrap()
}

/// After a restart: reconcile, then check the invariants. Returns the draft id, if any.
async fn check_after_restart(dir: &std::path::Path, sb: &Sandbox, pid: u64, what: &str) {
    let core = common::core_at(dir, &sb.base_url);
    // Two looks (start-up and its re-check): one empty voucher list never frees entries.
    rechnung::reconcile_all(&core).await;
    rechnung::reconcile_all(&core).await;
    let drafts = sb.invoices_json();
    assert!(drafts.len() <= 1, "{what}: second draft");
    let entries = core.store.entries_of(pid).unwrap();
    assert_eq!(entries.len(), 5, "{what}: entries lost");
    match drafts.first() {
        Some(d) => {
            let id = d["id"].as_str().unwrap();
            assert!(
                entries.iter().all(|e| e.billing
                    == BillingState::Billed {
                        invoice_id: id.into()
                    }),
                "{what}: draft exists but entries are {:?}",
                entries.iter().map(|e| &e.billing).collect::<Vec<_>>()
            );
        }
        None => assert!(
            entries.iter().all(|e| e.billing == BillingState::Open),
            "{what}: entries billed without a draft"
        ),
    }
    for r in core.store.invoice_records().unwrap() {
        assert!(
            !matches!(
                r.state,
                InvoiceState::Pending | InvoiceState::Unclear { .. }
            ),
            "{what}: unresolved attempt {r:?}"
        );
    }
    // The user tries again: afterwards exactly one draft and everything billed.
    let _ = rechnung::create(&core, request(pid)).await;
    assert_eq!(sb.invoices_json().len(), 1, "{what}: retry");
    let id = sb.invoices_json()[0]["id"].as_str().unwrap().to_string();
    assert!(
        core.store.entries_of(pid).unwrap().iter().all(|e| e.billing
            == BillingState::Billed {
                invoice_id: id.clone()
            }),
        "{what}: after retry"
    );
}

#[tokio::test]
async fn killed_at_every_step_of_a_creation_the_store_stays_consistent() {
    for failpoint in [
        "invoice.after_reserve",
        "invoice.after_post",
        "invoice.after_settle",
    ] {
        let sb = Sandbox::start_in_thread(SandboxConfig {
            api_key: common::KEY.into(),
            ..Default::default()
        })
        .unwrap();
        sb.contacts().add_contact(
            Contact::company("Crash GmbH")
                .customer()
                .with_billing_address("Weg 1", "10115", "Berlin", "DE"),
        );
        let dir = tempfile::tempdir().unwrap();
        let pid = prepare(dir.path(), &sb).await;
        let status = spawn_child(dir.path(), &sb.base_url, pid, Some(failpoint))
            .wait()
            .unwrap();
        let log = std::fs::read_to_string(dir.path().join("child-stderr.txt")).unwrap_or_default();
        assert!(
            !status.success(),
            "{failpoint}: the child should have crashed: {log}"
        );
        assert!(
            log.contains(&format!("failpoint {failpoint}")),
            "{failpoint}: {log}"
        );
        check_after_restart(dir.path(), &sb, pid, failpoint).await;
    }
}

#[tokio::test]
async fn sigkill_while_the_post_is_under_way() {
    let mut killed_mid_post = 0;
    // Each creation reads the profile first, then POSTs: both answers take 1 s, so
    // kills between about 1.1 s and 2 s land while the POST is under way.
    for delay_ms in [1150u64, 1400, 1900, 2600] {
        let sb = Sandbox::start_in_thread(SandboxConfig {
            api_key: common::KEY.into(),
            ..Default::default()
        })
        .unwrap();
        sb.contacts().add_contact(
            Contact::company("Crash GmbH")
                .customer()
                .with_billing_address("Weg 1", "10115", "Berlin", "DE"),
        );
        let dir = tempfile::tempdir().unwrap();
        let pid = prepare(dir.path(), &sb).await;
        sb.inject(Fault::Delay(Duration::from_millis(1000)), 2);
        let mut child = spawn_child(dir.path(), &sb.base_url, pid, None);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if sb.requests().iter().any(|r| r.method == "POST") {
            killed_mid_post += 1;
        }
        // Let a request the server is still answering finish.
        std::thread::sleep(Duration::from_millis(1200));
        check_after_restart(
            dir.path(),
            &sb,
            pid,
            &format!("SIGKILL after {delay_ms} ms"),
        )
        .await;
    }
    assert!(
        killed_mid_post >= 2,
        "only {killed_mid_post} kills hit a POST in flight"
    );
}
