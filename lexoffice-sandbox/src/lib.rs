//! A local stand-in for the lexoffice / Lexware Office Public API, faithful to
//! `docs/lexoffice.md` (status codes, the three error body formats,
//! paging, token bucket). Used in-process by the app's tests ([`Sandbox`]) and
//! out-of-process through the `lexoffice-sandbox` binary.
//!
//! Implemented API surface: `GET /v1/profile`, `GET /v1/contacts`,
//! `GET /v1/contacts/{id}`, `POST /v1/contacts`, `PUT /v1/contacts/{id}`,
//! `GET /v1/articles`, `GET /v1/articles/{id}`, `POST /v1/articles`,
//! `POST /v1/invoices[?finalize=true]`, `GET /v1/invoices/{id}`,
//! `GET /v1/voucherlist`. Every other `/v1` route (e.g. `DELETE
//! /v1/contacts/{id}`, which lexoffice does not have, or `PUT`/`DELETE` on
//! articles) answers like the real gateway does for an unknown route (403).
//! Invoice validation and pricing are in [`pricing`] ([`price_invoice`] is
//! pure); contact writes in [`contacts`], articles in [`articles`].
//!
//! A contact created by `POST /v1/contacts` stays invisible to both contact
//! reads for [`SandboxConfig::contact_visibility_delay`] (default 1.5 s;
//! [`Sandbox::set_contact_visibility_delay`], [`ContactStore::reveal`]).
//! Articles are seeded in-process with `sandbox.articles().add(Article::…)`
//! or, for the demo, [`SandboxConfig::demo_articles`].
//!
//! # Test-only control plane
//! `/__sandbox/*` is **not** part of the lexoffice API: it is unauthenticated,
//! not rate limited, not recorded, and exists only so out-of-process tests can
//! steer the sandbox:
//!
//! | Request | Effect |
//! |---|---|
//! | `POST /__sandbox/faults` `{"status":503,"count":2}` / `{"status":504,"after_store":true}` / `{"delay_ms":3000,"count":1}` / `{"kind":"malformed"\|"empty"\|"drop"\|"dropafter","count":1}` / `{"spec":"504afterx1"}` | queue a fault (count defaults to 1; spec strings in [`faults`]) |
//! | `GET /__sandbox/faults` | pending faults |
//! | `DELETE /__sandbox/faults` | clear all faults |
//! | `GET /__sandbox/requests` | every `/v1` request so far: `[{method, path, elapsedMs, status, fault}]` |
//! | `DELETE /__sandbox/requests` | forget recorded requests |
//! | `POST /__sandbox/profile` `{"companyName":…, "smallBusiness":…, "taxType":…}` | change the profile (all fields optional) |
//! | `GET /__sandbox/profile` | current profile |
//! | `POST /__sandbox/rate-limit/reset` | refill the token bucket |
//! | `GET /__sandbox/invoices` | every stored invoice, full `GET /v1/invoices/{id}` JSON, creation order |
//! | `DELETE /__sandbox/invoices/{id}` | delete a draft like a user in the web app (404 unknown, 409 not a draft) |
//! | `POST /__sandbox/invoices/{id}/finalize` | draft → open (404 unknown, 409 not a draft) |
//! | `POST /__sandbox/invoices/{id}/void` | open/paid (also overdue) → voided (404, 409 draft or voided) |
//! | `POST /__sandbox/invoices/{id}/pay` | open → paid, open amount 0 (404, 409 not open) |
//! | `POST /__sandbox/invoices/{id}/due` `{"dueDate":"yyyy-MM-dd"}` | new due date of an open invoice (400, 404, 409 not open) |
//! | `POST /__sandbox/clock` `{"offsetSeconds":N}`, `GET /__sandbox/clock` | shift / read the sandbox clock (see [`clock`]) |
//! | `GET /__sandbox/contacts` | every contact, also those within their visibility delay: the `GET /v1/contacts/{id}` JSON plus `visible`, `createdDate`, `updatedDate` |
//! | `POST /__sandbox/contacts/{id}` `{"name":…}` / `{"firstName"\|"lastName"\|"salutation"\|"vatRegistrationId"\|"note":…}` / `{"archived":true}` / `{"addresses"\|"emailAddresses"\|"phoneNumbers"\|"xRechnung":{…}}` / `{"contact":{…whole contact…}}` | edit a contact like a web-app user: `version + 1`, new `updatedDate` (a client's `PUT` with the old version then gets 409; lists with two entries make `PUT` answer 406); 200 with the contact, 404 unknown, 400 bad patch |
//! | `GET /__sandbox/articles` | every article, full JSON, title order |
//! | `POST /__sandbox/articles` (body as `POST /v1/articles`) | add an article: 201 with the whole article, 400 `{error, details}` when invalid |
//!
//! The request pipeline is described in [`gateway`].
//!
//! # Web-app pages (demo mode)
//! Read-only HTML stand-ins for the lexoffice web app's deeplinks, so a demo
//! user's browser sees what lexoffice would show: `GET
//! /permalink/invoices/edit/{id}`, `GET /permalink/invoices/view/{id}`, `GET
//! /permalink/contacts/view/{id}`, `GET /addons/public-api`, `GET /vouchers`.
//! Like the control plane they are unauthenticated, not rate limited and not
//! recorded. See [`webapp`].

pub mod articles;
pub mod bucket;
pub mod cli;
pub mod clock;
pub mod contacts;
mod control;
pub mod errors;
pub mod faults;
pub mod gateway;
pub mod invoices;
pub mod pricing;
pub mod rng;
pub mod seed;
mod server;
pub mod state;
pub mod voucherlist;
pub mod webapp;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;

pub use articles::{Article, ArticlePrice, ArticleStore};
pub use bucket::TokenBucket;
pub use faults::Fault;
pub use invoices::{DeleteError, InvoiceAddress, StoredInvoice};
pub use pricing::{price_invoice, PricedInvoice, Rejection, Violation};
pub use state::{
    Address, Company, Contact, ContactMeta, ContactPerson, ContactStore, Person, Profile, PutError,
    Role, Roles,
};

use faults::FaultQueue;
use invoices::InvoiceStore;

/// Settings of one sandbox instance.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The one valid API key (`Authorization: Bearer <api_key>`).
    pub api_key: String,
    pub company_name: String,
    pub small_business: bool,
    /// Organisation default tax type reported by `/v1/profile` (`net`).
    pub tax_type: String,
    /// Token bucket capacity (burst), default 2.
    pub bucket_capacity: u32,
    /// Token refill rate, default 2.0 per second.
    pub refill_per_sec: f64,
    /// Number of seeded contacts.
    pub contacts: usize,
    /// Seed of the generated contacts and ids.
    pub seed: u64,
    /// Send `Retry-After: 1` with 429 responses (the real API documents none).
    pub retry_after: bool,
    /// Keys that are known but revoked (401 like any invalid key).
    pub revoked_keys: Vec<String>,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Log every `/v1` request to stderr.
    pub log_requests: bool,
    /// Shift of the sandbox's wall clock against the real one, in seconds
    /// (negative = in the past). See [`clock`].
    pub clock_offset_secs: i64,
    /// Refuse the reverse-charge types (`constructionService13b`,
    /// `externalService13b`) for a contact without `vatRegistrationId`. lexoffice
    /// does not document this check (docs/lexoffice.md › Tax types); off by default.
    pub require_vat_id_for_reverse_charge: bool,
    /// How long a contact created by `POST /v1/contacts` stays invisible to
    /// `GET /v1/contacts/{id}` (404) and `GET /v1/contacts` (absent), as the
    /// real API lags behind a create (docs/lexoffice.md › Creating and
    /// updating contacts). Default 1500 ms; `Duration::ZERO` = at once.
    pub contact_visibility_delay: Duration,
    /// How long an invoice created by `POST /v1/invoices` stays invisible to
    /// `GET /v1/invoices/{id}` (404) and the voucher list (absent): lexoffice's
    /// reads may lag behind a create (docs/lexoffice.md › Reads lag behind
    /// writes). Default `Duration::ZERO` (at once; the lag is undocumented for
    /// invoices, so it is a switch).
    pub invoice_visibility_delay: Duration,
    /// Seed the German demo articles of [`seed::demo_articles`] („Fahrtkosten“,
    /// „Kleinmaterial“, „Silikon, Kartusche“, …). Off by default.
    pub demo_articles: bool,
}

/// Default of [`SandboxConfig::contact_visibility_delay`].
pub const DEFAULT_CONTACT_VISIBILITY_DELAY: Duration = Duration::from_millis(1500);

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            api_key: "sandbox-key".to_string(),
            company_name: "Muster Handwerk GmbH".to_string(),
            small_business: false,
            tax_type: "net".to_string(),
            bucket_capacity: 2,
            refill_per_sec: 2.0,
            contacts: 0,
            seed: 1,
            retry_after: false,
            revoked_keys: Vec::new(),
            port: 0,
            log_requests: false,
            clock_offset_secs: 0,
            require_vat_id_for_reverse_charge: false,
            contact_visibility_delay: DEFAULT_CONTACT_VISIBILITY_DELAY,
            invoice_visibility_delay: Duration::ZERO,
            demo_articles: false,
        }
    }
}

/// One request to the API (`/v1/...` or any other path that is neither the
/// control plane nor a [`webapp`] page), including rejected ones.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// Arrival sequence number since start (0, 1, 2, …; survives clearing).
    pub seq: u64,
    pub method: String,
    /// Path plus query string, as received.
    pub path: String,
    /// When the request arrived.
    pub at: Instant,
    /// Arrival time since the sandbox started.
    pub elapsed: Duration,
    /// Status sent; `0` while in flight or when the connection was dropped.
    pub status: u16,
    /// The injected fault that hit this request, in `--fault` notation.
    pub fault: Option<String>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by the server tasks and the [`Sandbox`] handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub api_key: String,
    pub revoked_keys: Vec<String>,
    pub retry_after: bool,
    pub require_vat_id: bool,
    pub log_requests: bool,
    pub started: Instant,
    /// Wall clock for every date the sandbox produces (shiftable).
    pub clock: Arc<clock::Clock>,
    pub bucket: Mutex<TokenBucket>,
    pub faults: Mutex<FaultQueue>,
    pub records: Mutex<Vec<RequestRecord>>,
    pub next_seq: std::sync::atomic::AtomicU64,
    /// API requests being handled (a slow one included; one whose client
    /// went away counts until its handler ends).
    pub in_flight: std::sync::atomic::AtomicUsize,
    pub profile: Mutex<Profile>,
    pub contacts: ContactStore,
    /// Milliseconds of [`SandboxConfig::contact_visibility_delay`] (settable).
    pub contact_delay_ms: std::sync::atomic::AtomicU64,
    /// Milliseconds of [`SandboxConfig::invoice_visibility_delay`] (settable).
    pub invoice_delay_ms: std::sync::atomic::AtomicU64,
    pub articles: ArticleStore,
    pub invoices: Mutex<InvoiceStore>,
    /// `http://127.0.0.1:PORT` (for `resourceUri` when a request has no `Host`).
    pub base_url: String,
}

impl Shared {
    fn new(cfg: &SandboxConfig, addr: SocketAddr) -> Arc<Shared> {
        let clock = Arc::new(clock::Clock::new(cfg.clock_offset_secs));
        let org = seed::organization_id(cfg.seed);
        let contacts = ContactStore::new(org).with_clock(clock.clone());
        seed::seed_contacts(&contacts, cfg.contacts, cfg.seed);
        let articles = ArticleStore::new(org).with_clock(clock.clone());
        if cfg.demo_articles {
            for a in seed::demo_articles(cfg.seed) {
                articles.add(a);
            }
        }
        Arc::new(Shared {
            api_key: cfg.api_key.clone(),
            revoked_keys: cfg.revoked_keys.clone(),
            retry_after: cfg.retry_after,
            require_vat_id: cfg.require_vat_id_for_reverse_charge,
            log_requests: cfg.log_requests,
            started: Instant::now(),
            clock,
            bucket: Mutex::new(TokenBucket::new(
                cfg.bucket_capacity,
                cfg.refill_per_sec,
                Duration::ZERO,
            )),
            faults: Mutex::new(FaultQueue::default()),
            records: Mutex::new(Vec::new()),
            next_seq: std::sync::atomic::AtomicU64::new(0),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            profile: Mutex::new(seed::profile(
                cfg.seed,
                &cfg.company_name,
                &cfg.tax_type,
                cfg.small_business,
            )),
            contacts,
            contact_delay_ms: std::sync::atomic::AtomicU64::new(
                u64::try_from(cfg.contact_visibility_delay.as_millis()).unwrap_or(u64::MAX),
            ),
            invoice_delay_ms: std::sync::atomic::AtomicU64::new(
                u64::try_from(cfg.invoice_visibility_delay.as_millis()).unwrap_or(u64::MAX),
            ),
            articles,
            invoices: Mutex::new(InvoiceStore::default()),
            base_url: format!("http://{addr}"),
        })
    }

    /// The shifted wall clock's "now" (see [`clock`]).
    pub fn wall_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The current visibility delay of created contacts.
    pub fn contact_delay(&self) -> Duration {
        Duration::from_millis(
            self.contact_delay_ms
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// The read-after-create lag of new invoices.
    pub fn invoice_delay(&self) -> Duration {
        Duration::from_millis(
            self.invoice_delay_ms
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// Monotonic time since start (the bucket's clock).
    pub fn now(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn record_start(&self, method: &str, path: &str) -> u64 {
        let at = Instant::now();
        let seq = self
            .next_seq
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.records).push(RequestRecord {
            seq,
            method: method.to_string(),
            path: path.to_string(),
            at,
            elapsed: at.saturating_duration_since(self.started),
            status: 0,
            fault: None,
        });
        seq
    }

    fn update_record(&self, seq: u64, change: impl FnOnce(&mut RequestRecord)) {
        let mut records = lock(&self.records);
        if let Some(r) = records.iter_mut().rev().find(|r| r.seq == seq) {
            change(r);
        }
    }

    pub fn record_fault(&self, seq: u64, fault: &Fault) {
        self.update_record(seq, |r| r.fault = Some(fault.to_string()));
    }

    pub fn record_status(&self, seq: u64, status: u16) {
        let log = self.log_requests;
        self.update_record(seq, |r| {
            r.status = status;
            if log {
                eprintln!(
                    "{:>9.3}s {} {} -> {}{}",
                    r.elapsed.as_secs_f64(),
                    r.method,
                    r.path,
                    r.status,
                    r.fault
                        .as_ref()
                        .map(|f| format!(" (fault {f})"))
                        .unwrap_or_default()
                );
            }
        });
    }
}

/// A running sandbox. Dropping it (or [`Sandbox::shutdown`]) stops the server.
pub struct Sandbox {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Binds `127.0.0.1:cfg.port` and serves on the current tokio runtime.
    pub async fn start(cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Shared::new(&cfg, addr);
        let (tx, rx) = watch::channel(false);
        tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(Sandbox::handle(addr, shared, tx, None))
    }

    /// Like [`Sandbox::start`], on its own multi-thread runtime in a background
    /// thread; for synchronous tests.
    pub fn start_in_thread(cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", cfg.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lexoffice-sandbox")
            .enable_all()
            .build()?;
        let shared = Shared::new(&cfg, addr);
        let (tx, rx) = watch::channel(false);
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("lexoffice-sandbox".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(listener) => server::serve(listener, server_shared, rx).await,
                        Err(e) => eprintln!("lexoffice-sandbox: cannot listen: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;
        Ok(Sandbox::handle(addr, shared, tx, Some(thread)))
    }

    fn handle(
        addr: SocketAddr,
        shared: Arc<Shared>,
        tx: watch::Sender<bool>,
        thread: Option<std::thread::JoinHandle<()>>,
    ) -> Sandbox {
        Sandbox {
            addr,
            base_url: format!("http://{addr}"),
            shared,
            shutdown: Some(tx),
            thread,
        }
    }

    /// `base_url` + `path` (`sandbox.url("/v1/profile")`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The next `count` `/v1` requests that pass auth and the rate limiter get
    /// `fault` (an injected 429 applies before the rate limiter). Queued after
    /// faults injected earlier.
    pub fn inject(&self, fault: Fault, count: u32) {
        lock(&self.shared.faults).push(fault, count);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Faults still queued with their remaining counts.
    pub fn pending_faults(&self) -> Vec<(Fault, u32)> {
        lock(&self.shared.faults).snapshot()
    }

    /// Every API request received so far (since the last
    /// [`Sandbox::clear_requests`]), in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.records).clone()
    }

    /// Waits until no API request is being handled (a delayed one has been
    /// answered or dropped); false after `timeout`. Tests wait on this instead
    /// of sleeping through a delay.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while self
            .shared
            .in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
        {
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.records).clear();
    }

    pub fn set_company_name(&self, name: &str) {
        lock(&self.shared.profile).company_name = name.to_string();
    }

    pub fn set_small_business(&self, small_business: bool) {
        lock(&self.shared.profile).small_business = small_business;
    }

    pub fn set_tax_type(&self, tax_type: &str) {
        lock(&self.shared.profile).tax_type = tax_type.to_string();
    }

    pub fn profile(&self) -> Profile {
        lock(&self.shared.profile).clone()
    }

    /// The contact store; mutations are visible to the next request.
    pub fn contacts(&self) -> &ContactStore {
        &self.shared.contacts
    }

    /// The article store (`GET /v1/articles`, invoice line references);
    /// `sandbox.articles().add(Article::service("Fahrtkosten", "km", net, 19))`.
    pub fn articles(&self) -> &ArticleStore {
        &self.shared.articles
    }

    /// Changes [`SandboxConfig::contact_visibility_delay`] for contacts
    /// created from now on.
    pub fn set_contact_visibility_delay(&self, delay: Duration) {
        self.shared.contact_delay_ms.store(
            u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// Changes [`SandboxConfig::invoice_visibility_delay`] for invoices created
    /// from now on.
    pub fn set_invoice_visibility_delay(&self, delay: Duration) {
        self.shared.invoice_delay_ms.store(
            u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// The current visibility delay of created contacts.
    pub fn contact_visibility_delay(&self) -> Duration {
        self.shared.contact_delay()
    }

    /// Every stored invoice (drafts and open ones), in creation order.
    pub fn invoices(&self) -> Vec<StoredInvoice> {
        lock(&self.shared.invoices).all()
    }

    /// One stored invoice.
    pub fn invoice(&self, id: uuid::Uuid) -> Option<StoredInvoice> {
        lock(&self.shared.invoices).get(id).cloned()
    }

    /// The full `GET /v1/invoices/{id}` JSON of every stored invoice.
    pub fn invoices_json(&self) -> Vec<serde_json::Value> {
        lock(&self.shared.invoices)
            .iter()
            .map(StoredInvoice::to_json)
            .collect()
    }

    /// Deletes a draft, as a user can in the web app; afterwards
    /// `GET /v1/invoices/{id}` answers 404. `false` if the id is unknown or
    /// the invoice is not a draft (finalized invoices cannot be deleted).
    pub fn delete_invoice(&self, id: uuid::Uuid) -> bool {
        lock(&self.shared.invoices).delete(id).is_ok()
    }

    /// Finalizes a draft (status `open`, voucher number `RE…`, due date,
    /// `version + 1`, new `updatedDate`), as a user can in the web app.
    /// `false` if the id is unknown or the invoice is not a draft.
    pub fn finalize_invoice(&self, id: uuid::Uuid) -> bool {
        let now = self.shared.wall_now();
        lock(&self.shared.invoices).finalize(id, now).is_ok()
    }

    /// Voids a finalized invoice (`open`/`paid`, also when overdue) as a user
    /// can in the web app: status `voided`, `version + 1`, new `updatedDate`.
    /// `false` if unknown, a draft or already voided.
    pub fn void_invoice(&self, id: uuid::Uuid) -> bool {
        let now = self.shared.wall_now();
        lock(&self.shared.invoices).void(id, now).is_ok()
    }

    /// Records full payment of an `open` invoice: status `paid` (open amount
    /// 0), `version + 1`, new `updatedDate`. `false` if unknown or not open.
    pub fn pay_invoice(&self, id: uuid::Uuid) -> bool {
        let now = self.shared.wall_now();
        lock(&self.shared.invoices).pay(id, now).is_ok()
    }

    /// Moves the due date of an `open` invoice to `due` (Berlin midnight),
    /// e.g. into the past to make it overdue in the voucher list;
    /// `version + 1`, new `updatedDate`. `false` if unknown or not open.
    pub fn set_due_date(&self, id: uuid::Uuid, due: chrono::NaiveDate) -> bool {
        let now = self.shared.wall_now();
        lock(&self.shared.invoices).set_due(id, due, now).is_ok()
    }

    /// Shifts the sandbox's clock to real time + `secs` seconds.
    pub fn set_clock_offset(&self, secs: i64) {
        self.shared.clock.set_offset_secs(secs);
    }

    /// The current clock shift in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.shared.clock.offset_secs()
    }

    /// The sandbox's (shifted) "now".
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.wall_now()
    }

    /// Refills the token bucket (e.g. between test phases).
    pub fn reset_rate_limit(&self) {
        let now = self.shared.now();
        lock(&self.shared.bucket).fill(now);
    }

    /// Stops the server (same as dropping the handle).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
