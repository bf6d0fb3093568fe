#![allow(dead_code)]
//! Shared helpers of both test binaries (`tests/app`, `tests/e2e`): a `Core` wired to a sandbox over loopback, with a temp data
//! dir, an in-memory secret store and a recording opener.

#[cfg(target_os = "linux")]
pub mod pg;
pub mod seed_overview;
#[cfg(unix)]
pub mod webdriver;
pub mod xls;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lexoffice_sandbox::{Sandbox, SandboxConfig};
use zeitrechnung_lib::core::{Core, Opener};
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::secrets::MemorySecretStore;
use zeitrechnung_lib::storage::Store;

pub const KEY: &str = "sandbox-key";
pub const APP_URL: &str = "https://app.lexware.de";

pub struct Harness {
    pub core: Arc<Core>,
    pub secrets: Arc<MemorySecretStore>,
    pub opened: Arc<Mutex<Vec<String>>>,
    pub dir: tempfile::TempDir,
}

pub fn sandbox() -> Sandbox {
    Sandbox::start_in_thread(SandboxConfig {
        api_key: KEY.into(),
        company_name: "Muster Handwerk GmbH".into(),
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// How many cases a property, fuzz or crash test runs: `full` by default,
/// a fifth (at least one) when `ZEITRECHNUNG_TEST_DEPTH=quick` — what
/// `scripts/test.sh` and so CI set; `scripts/test.sh --full` runs every case.
pub fn cases(full: u64) -> u64 {
    if std::env::var("ZEITRECHNUNG_TEST_DEPTH").is_ok_and(|d| d == "quick") {
        (full / 5).max(1)
    } else {
        full
    }
}

/// A core against `api_base` with quick retries so tests stay fast.
pub fn harness(api_base: &str) -> Harness {
    harness_tuned(api_base, |_| {})
}

/// A sandbox whose rate limit lets `per_sec` requests through, for tests that
/// read thousands of pages (the client is paced to match with `fast_harness`).
pub fn fast_sandbox(per_sec: u32) -> Sandbox {
    Sandbox::start_in_thread(SandboxConfig {
        api_key: KEY.into(),
        bucket_capacity: per_sec,
        refill_per_sec: f64::from(per_sec),
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

/// `harness` paced at `per_sec` requests per second instead of lexoffice's 1.9.
pub fn fast_harness(api_base: &str, per_sec: u32) -> Harness {
    harness_tuned(api_base, |c| c.requests_per_sec = f64::from(per_sec))
}

fn harness_tuned(
    api_base: &str,
    tune: impl FnOnce(&mut zeitrechnung_lib::lexoffice::ClientConfig),
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = store_at(dir.path());
    let secrets = Arc::new(MemorySecretStore::default());
    let opened = Arc::new(Mutex::new(Vec::new()));
    let rec = opened.clone();
    let opener: Opener = Arc::new(move |u: &str| {
        rec.lock().unwrap().push(u.to_string());
        Ok(())
    });
    let mut core = Core::new(
        store,
        secrets.clone(),
        LexofficeUrls::new(api_base, APP_URL),
        |c| {
            c.timeout = Duration::from_secs(3);
            c.backoff_base = Duration::from_millis(100);
            c.backoff_cap = Duration::from_millis(800);
            tune(c);
        },
        opener,
    );
    // Tests reconcile at once: "no draft found" means "never created".
    core.reconcile_grace = chrono::Duration::zero();
    zeitrechnung_lib::journal::open(&mut core, &dir.path().join("journal")).unwrap();
    Harness {
        core: Arc::new(core),
        secrets,
        opened,
        dir,
    }
}

/// The app started again on `h`'s data (the database reopened): a new run
/// with fresh memory, the key in memory.
#[allow(dead_code)]
pub fn reopened(h: Harness, api_base: &str) -> Harness {
    let Harness {
        core,
        secrets,
        opened,
        dir,
    } = h;
    drop(core);
    Harness {
        core: Arc::new(core_at(dir.path(), api_base)),
        secrets,
        opened,
        dir,
    }
}

/// A customer typed in by hand (no lexoffice link): id, name, nothing else.
pub fn manual_customer(id: u64, name: &str) -> zeitrechnung_lib::storage::Customer {
    use zeitrechnung_lib::storage::{Customer, CustomerKind, Source};
    // Whole microseconds, as the app stamps (and PostgreSQL keeps) them.
    let now = zeitrechnung_lib::de::clock::now();
    Customer {
        id,
        lexoffice_id: None,
        lexoffice_version: None,
        number: String::new(),
        kind: CustomerKind::Company,
        name: name.into(),
        contact_person: String::new(),
        address: Default::default(),
        email: String::new(),
        phone: String::new(),
        archived: false,
        source: Source::Manual,
        missing_in_lexoffice: false,
        billing_addresses: None,
        last_imported_at: None,
        hourly_rate: None,
        rules: Default::default(),
        invoice_style: None,
        tax: Default::default(),
        vat_id: String::new(),
        buyer_reference: String::new(),
        changed_in_app: false,
        push_unclear_since: None,
        lexoffice_base: None,
        created_at: now,
        updated_at: now,
    }
}

/// A test that cannot run here: recorded with its reason (scripts/test.sh lists
/// it at the end). Under `CI=true` a skip is a failure: CI provides every
/// prerequisite, so a missing one means the run proves less than it claims.
pub fn skip(suite: &str, why: &str) {
    let line = format!("SKIPPED {suite}: {why}");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{line} — unter CI=true ist ein übersprungener Test ein Fehler");
    }
    report(&format!("skipped-{suite}"), &line);
}

/// Records a suite's count in `target/test-reports/` (scripts/test.sh prints them).
pub fn report(suite: &str, line: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{suite}.txt")), format!("{line}\n"));
    println!("{line}");
}

/// A core on an existing data dir with the key in memory, as the app would be after
/// a restart (crash tests reopen the store the killed child used).
pub fn core_at(dir: &std::path::Path, base: &str) -> Core {
    core_waiting(dir, base, Duration::from_secs(5))
}

/// As `core_at`, waiting up to `timeout` for each lexoffice answer.
pub fn core_waiting(dir: &std::path::Path, base: &str, timeout: Duration) -> Core {
    let secrets = Arc::new(MemorySecretStore::default());
    zeitrechnung_lib::secrets::SecretStore::store(
        secrets.as_ref(),
        &zeitrechnung_lib::secrets::ApiKey::parse(KEY).unwrap(),
    )
    .unwrap();
    let mut core = Core::new(
        store_at(dir),
        secrets,
        LexofficeUrls::new(base, APP_URL),
        |c| c.timeout = timeout,
        Arc::new(|_: &str| Ok(())),
    );
    core.reconcile_grace = chrono::Duration::zero();
    zeitrechnung_lib::journal::open(&mut core, &dir.join("journal"))
        .expect("the journal opens and is applied");
    core
}

/// The store of a test's data dir: sled in `db/`, or — when
/// `ZEITRECHNUNG_TEST_BACKEND=postgres` (scripts/test.sh runs the suites a
/// second time so) — a fresh database on the throwaway PostgreSQL cluster,
/// its URL kept in `db-url` so that the app started again finds it.
pub fn store_at(dir: &std::path::Path) -> Store {
    let url_file = dir.join("db-url");
    if let Ok(url) = std::fs::read_to_string(&url_file) {
        return Store::connect(url.trim()).expect("the PostgreSQL database opens again");
    }
    #[cfg(target_os = "linux")]
    if std::env::var("ZEITRECHNUNG_TEST_BACKEND").is_ok_and(|b| b == "postgres") {
        let url = pg::cluster()
            .expect("PostgreSQL for ZEITRECHNUNG_TEST_BACKEND=postgres")
            .fresh_database();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(&url_file, &url).unwrap();
        return Store::connect(&url).expect("a fresh PostgreSQL database");
    }
    Store::open(&dir.join("db")).expect("the database opens")
}

/// A sandbox with one company customer (billing address in Kiel), a core
/// connected to it with the customer imported: (sandbox, harness, customer id).
pub async fn connected_to(company: &str) -> (Sandbox, Harness, u64) {
    let sb = Sandbox::start_in_thread(SandboxConfig {
        api_key: KEY.into(),
        ..SandboxConfig::default()
    })
    .unwrap();
    sb.contacts().add_contact(
        lexoffice_sandbox::Contact::company(company)
            .customer()
            .with_billing_address("Am Markt 1", "24103", "Kiel", "DE"),
    );
    let h = harness(&sb.base_url);
    zeitrechnung_lib::schnittstellen::connect(&h.core, KEY.into())
        .await
        .unwrap();
    zeitrechnung_lib::kunden::import::run(
        &h.core,
        |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .await
    .unwrap();
    let customer = h.core.store.customers().unwrap()[0].id;
    (sb, h, customer)
}

/// splitmix64: deterministic, so a failing property, crash or fuzz case names
/// its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An index below `len`; 0 for an empty range.
    pub fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            (self.next() % len as u64) as usize
        }
    }

    /// One of `items`, or None when there are none.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.index(items.len())])
    }
}

/// Copies a folder with everything in it (a data dir, a `db/` put aside).
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_dir() {
            copy_tree(&f.path(), &to.join(f.file_name()));
        } else {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
}

/// A data dir at `dir` made ready to bill, as the crash suites start from it:
/// connected to the sandbox at `base`, its customers imported, a project
/// `name` for the first one with a time of `duration` on each of the first
/// `days` days of March 2025. Returns the project's id; the core is closed.
pub async fn billable_project(
    dir: &std::path::Path,
    base: &str,
    name: &str,
    days: u32,
    duration: &str,
) -> u64 {
    use zeitrechnung_lib::projekte::{self as p, ProjectInput, TimeInput};
    let core = core_at(dir, base);
    zeitrechnung_lib::schnittstellen::connect(&core, KEY.into())
        .await
        .unwrap();
    zeitrechnung_lib::kunden::import::run(
        &core,
        |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .await
    .unwrap();
    let customer = core.store.customers().unwrap()[0].id;
    let pid = p::save(
        &core,
        ProjectInput {
            name: name.into(),
            customer_id: Some(customer),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    for day in 1..=days {
        p::save_time(
            &core,
            TimeInput {
                project_id: pid,
                date: format!("{day:02}.03.2025"),
                duration: duration.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    pid
}

/// An open hour of work by `employee` (linked to `employee_id` or not) on
/// `date`, stamped now, as the stores keep it.
pub fn open_hour(
    id: u64,
    project_id: u64,
    date: chrono::NaiveDate,
    employee: &str,
    employee_id: Option<u64>,
) -> zeitrechnung_lib::model::Entry {
    let now = zeitrechnung_lib::de::clock::now();
    zeitrechnung_lib::model::Entry {
        id,
        project_id,
        date,
        description: String::new(),
        billable: true,
        billing: zeitrechnung_lib::model::BillingState::Open,
        kind: zeitrechnung_lib::model::EntryKind::Time {
            employee: employee.into(),
            employee_id,
            start: None,
            end: None,
            break_minutes: 0,
            minutes: 60,
        },
        csv_fingerprint: None,
        created_at: now,
        updated_at: now,
    }
}
