//! Crash harness for invoice creation: the creation runs in a child process
//! (this test binary re-run) that dies at each step — aborted at a failpoint or
//! SIGKILLed while the POST is under way. After each crash the store is opened
//! again, start-up reconciliation runs, and the invariants must hold: no entry
//! billed without a draft, never a second draft, nothing left reserved, and a
//! retry by the user completes the job with exactly one draft.

use crate::support;

use std::process::Command;
use std::time::Duration;

use lexoffice_sandbox::{Contact, Fault, Sandbox, SandboxConfig};
use zeitrechnung_lib::rechnung::{self, InvoiceRequest};
use zeitrechnung_lib::storage::{BillingState, InvoiceState};

pub(crate) fn request(project_id: u64) -> InvoiceRequest {
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
    let core = support::core_at(&dir, &base);
    let result = rechnung::create(&core, request(pid)).await;
    eprintln!("child: create returned {result:?}");
}

async fn prepare(dir: &std::path::Path, sb: &Sandbox) -> u64 {
    support::billable_project(dir, &sb.base_url, "Crashtest", 5, "1:30").await
}

pub(crate) fn spawn_child(
    dir: &std::path::Path,
    base: &str,
    pid: u64,
    failpoint: Option<&str>,
) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "crash_invoice::crash_child_create_invoice",
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
    let core = support::core_at(dir, &sb.base_url);
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

/// `db/` as it was, copied aside while the app is stopped.
fn copy_db(dir: &std::path::Path, to: &str) {
    support::copy_tree(&dir.join("db"), &dir.join(to));
}

/// The old `db/` back in place; the journal beside it stays.
fn put_back_db(dir: &std::path::Path, from: &str) {
    std::fs::remove_dir_all(dir.join("db")).unwrap();
    std::fs::rename(dir.join(from), dir.join("db")).unwrap();
}

/// The power cut as it really looks: entries made, the app stopped, `db/`
/// copied; the app started, „Erstellen“ (the draft is created), the process
/// killed; the old `db/` put back (the journal stays) and the app started
/// again. It knows the draft: exactly one in lexoffice, the entries billed by
/// it, and a second „Erstellen“ finds nothing open.
#[tokio::test]
async fn a_database_put_back_after_erstellen_learns_the_draft_from_the_journal() {
    let sb = Sandbox::start_in_thread(SandboxConfig {
        api_key: support::KEY.into(),
        ..Default::default()
    })
    .unwrap();
    sb.contacts().add_contact(
        Contact::company("Strom GmbH")
            .customer()
            .with_billing_address("Weg 1", "10115", "Berlin", "DE"),
    );
    let dir = tempfile::tempdir().unwrap();
    let pid = prepare(dir.path(), &sb).await;
    copy_db(dir.path(), "db-vorher");
    let status = spawn_child(dir.path(), &sb.base_url, pid, Some("invoice.after_settle"))
        .wait()
        .unwrap();
    let log = std::fs::read_to_string(dir.path().join("child-stderr.txt")).unwrap_or_default();
    assert!(
        !status.success() && log.contains("failpoint invoice.after_settle"),
        "{log}"
    );
    assert_eq!(sb.invoices_json().len(), 1);
    let draft = sb.invoices_json()[0]["id"].as_str().unwrap().to_string();
    put_back_db(dir.path(), "db-vorher");

    let core = support::core_at(dir.path(), &sb.base_url);
    // The window names the draft it wrote back.
    let record = &core.store.invoice_records().unwrap()[0];
    assert_eq!(
        core.replayed.as_deref(),
        Some(
            format!(
                "Der Rechnungsentwurf {} war in dieser Datenbank nicht mehr verzeichnet (z. B. nach einer Wiederherstellung). lexoffice hat ihn; er ist wieder eingetragen und seine Einträge bleiben abgerechnet.",
                zeitrechnung_lib::model::draft_label("Crashtest", record)
            )
            .as_str()
        )
    );
    let entries = core.store.entries_of(pid).unwrap();
    assert_eq!(entries.len(), 5);
    assert!(
        entries.iter().all(|e| e.billing
            == BillingState::Billed {
                invoice_id: draft.clone()
            }),
        "{:?}",
        entries.iter().map(|e| &e.billing).collect::<Vec<_>>()
    );
    let records = core.store.invoice_records().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].state, InvoiceState::Created);
    assert_eq!(records[0].lexoffice_id.as_deref(), Some(draft.as_str()));
    let again = rechnung::create(&core, request(pid)).await.unwrap_err();
    assert_eq!(again.kind(), "validation", "{again}");
    assert_eq!(sb.invoices_json().len(), 1, "never a second draft");
}

/// The same for „In lexoffice anlegen“: the customer created in lexoffice,
/// the old `db/` put back: it is linked again, and a second „In lexoffice
/// anlegen“ sends no second contact.
#[tokio::test]
async fn a_database_put_back_after_in_lexoffice_anlegen_links_the_customer_again() {
    use zeitrechnung_lib::kunden::{self, push::PushMode, CustomerInput};
    let sb = support::sandbox();
    let dir = tempfile::tempdir().unwrap();
    let core = support::core_at(dir.path(), &sb.base_url);
    zeitrechnung_lib::schnittstellen::connect(&core, support::KEY.into())
        .await
        .unwrap();
    let id = kunden::save(
        &core,
        CustomerInput {
            name: "Glaserei Licht".into(),
            street: "Fensterweg 2".into(),
            zip: "24103".into(),
            city: "Kiel".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .customer
    .id;
    drop(core);
    copy_db(dir.path(), "db-vorher");
    let core = support::core_at(dir.path(), &sb.base_url);
    kunden::push::push(&core, id, PushMode::Create, None)
        .await
        .unwrap();
    let linked = core
        .store
        .customer(id)
        .unwrap()
        .unwrap()
        .lexoffice_id
        .unwrap();
    drop(core);
    put_back_db(dir.path(), "db-vorher");

    let core = support::core_at(dir.path(), &sb.base_url);
    let c = core.store.customer(id).unwrap().unwrap();
    assert_eq!(c.lexoffice_id.as_deref(), Some(linked.as_str()));
    let err = kunden::push::push(&core, id, PushMode::Create, None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Dieser Kunde ist bereits mit lexoffice verknüpft."
    );
    let named: Vec<_> = sb
        .contacts()
        .all()
        .into_iter()
        .filter(|k| {
            k.company
                .as_ref()
                .is_some_and(|co| co.name == "Glaserei Licht")
        })
        .collect();
    assert_eq!(named.len(), 1, "never a second contact");
}
