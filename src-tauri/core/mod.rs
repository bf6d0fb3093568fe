//! `Core`: everything the commands work with, opened once at start-up.
//! No Tauri types in here, so domain code and tests use it directly.

pub mod features;
pub mod holds;
pub mod job;
pub mod pacing;
pub mod undo;

use std::sync::{Arc, Mutex};

pub use holds::{hold, hold_shared, no_restore};
pub use job::Job;

use crate::error::{AppError, AppResult};
use crate::lexoffice::{ClientConfig, LexofficeClient, RateLimiter};
use crate::paths::LexofficeUrls;
use crate::secrets::SecretStore;
use crate::storage::Store;

/// Opens a URL in the system browser. In the app: tauri-plugin-opener; in tests: a recorder.
pub type Opener = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

pub struct Core {
    pub store: Arc<Store>,
    pub secrets: Arc<dyn SecretStore>,
    /// The password of the office's database server (its own keyring entry).
    pub db_password: Arc<dyn crate::secrets::PasswordStore>,
    /// lexoffice URLs; an invalid env override is reported on use.
    urls: Result<LexofficeUrls, String>,
    client: Result<Arc<LexofficeClient>, String>,
    opener: Opener,
    /// Result of the keyring check at start-up (None until it ran).
    keyring_problem: Mutex<Option<String>>,
    /// The customer import: one at a time, „Abbrechen“.
    pub import: Job,
    /// One invoice creation at a time.
    pub invoice_lock: tokio::sync::Mutex<()>,
    /// Held by a customer import and by a backup restore: they exclude each other.
    pub replace_lock: tokio::sync::Mutex<()>,
    /// How long after an unclear attempt "no draft found" means "never created".
    pub reconcile_grace: chrono::Duration,
    /// Where automatic backups go (`<data dir>/backups`); None in some tests.
    pub backup_dir: Option<std::path::PathBuf>,
    /// The data dir (shown in "Über Zeitrechnung").
    pub data_dir: Option<std::path::PathBuf>,
    /// The journal of lexoffice writes (`<data dir>/journal/`): nothing is sent
    /// to lexoffice without it.
    pub journal: Option<Arc<crate::storage::Journal>>,
    /// Demo mode: in-app sandbox, demo data dir, key in memory.
    pub demo: bool,
    /// Opens a file the app wrote (the Stundennachweis) in its default program;
    /// None = not available (tests).
    pub file_opener: Option<Opener>,
    /// „Mit lexoffice abgleichen“: one at a time (a second waits), „Abbrechen“.
    pub sync: Job,
    /// „Entwürfe erstellen“: one at a time, „Abbrechen“.
    pub batch: Job,
    /// What features keep for the whole run, by type (`features.rs`).
    features: features::Features,
    /// Files to write that Rust chose (its own dialog, or its suggestion): the
    /// webview holds only their tokens and can never name a path to write.
    pub chosen: ChosenPaths,
    /// Found at start: the database holds far fewer records than the newest
    /// automatic backup (shown in the window with the way to restore).
    pub shrunk: Option<String>,
    /// Found at start: drafts the journal wrote back (named, for the window).
    pub replayed: Option<String>,
    /// „Rückgängig“ for deletions and edits (memory only).
    pub undo: undo::UndoStore,
    /// One customer push (create/update/link in lexoffice) at a time: a double
    /// click must never send two `POST /v1/contacts`.
    pub push_lock: tokio::sync::Mutex<()>,
}

/// A file to write, as the window shows it and as it refers to it.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PathChoice {
    pub token: String,
    pub display: String,
}

/// Paths chosen in Rust, by token (memory only).
#[derive(Default)]
pub struct ChosenPaths {
    paths: Mutex<std::collections::HashMap<String, std::path::PathBuf>>,
    next: std::sync::atomic::AtomicU64,
}

impl ChosenPaths {
    /// Remembers `path` and returns its token and display text.
    pub fn choose(&self, path: std::path::PathBuf) -> PathChoice {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let token = format!("datei-{n}");
        let display = path.display().to_string();
        self.paths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), path);
        PathChoice { token, display }
    }

    /// The path behind `token`; a path the window made up is refused.
    pub fn path(&self, token: &str) -> AppResult<std::path::PathBuf> {
        self.paths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token.trim())
            .cloned()
            .ok_or_else(|| {
                AppError::validation("Datei", "Bitte den Speicherort mit „Durchsuchen …“ wählen.")
            })
    }
}

/// The answer of a native „Speichern unter“ dialog; in debug builds the
/// real-window tests answer it (they cannot drive a native dialog):
/// `ZEITRECHNUNG_TEST_SAVE_DIR` = the folder, the suggested name kept. A
/// release build ignores the variable.
pub fn test_save_answer(suggested_name: &str) -> Option<std::path::PathBuf> {
    #[cfg(debug_assertions)]
    {
        std::env::var_os("ZEITRECHNUNG_TEST_SAVE_DIR")
            .filter(|d| !d.is_empty())
            .map(|d| std::path::PathBuf::from(d).join(suggested_name))
    }
    #[cfg(not(debug_assertions))]
    {
        let _ = suggested_name;
        None
    }
}

impl Core {
    pub fn new(
        store: Store,
        secrets: Arc<dyn SecretStore>,
        urls: Result<LexofficeUrls, String>,
        client_tuning: impl FnOnce(&mut ClientConfig),
        opener: Opener,
    ) -> Core {
        let store = Arc::new(store);
        let client = urls.clone().and_then(|u| {
            let mut cfg = ClientConfig::new(u.api);
            client_tuning(&mut cfg);
            // Several seats on one server share lexoffice's budget there.
            let limiter: Arc<dyn crate::lexoffice::Pacing> = if store.is_server() {
                Arc::new(pacing::SharedPacing::new(
                    store.clone(),
                    cfg.requests_per_sec,
                ))
            } else {
                Arc::new(RateLimiter::new(1, cfg.requests_per_sec))
            };
            LexofficeClient::new(cfg, limiter)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        });
        Core {
            store,
            secrets,
            db_password: Arc::new(crate::secrets::MemorySecretStore::default()),
            urls,
            client,
            opener,
            keyring_problem: Mutex::new(None),
            import: Job::default(),
            invoice_lock: tokio::sync::Mutex::new(()),
            replace_lock: tokio::sync::Mutex::new(()),
            reconcile_grace: chrono::Duration::minutes(2),
            file_opener: None,
            undo: Default::default(),
            features: Default::default(),
            shrunk: None,
            replayed: None,
            chosen: Default::default(),
            push_lock: tokio::sync::Mutex::new(()),
            sync: Job::default(),
            batch: Job::default(),
            backup_dir: None,
            data_dir: None,
            journal: None,
            demo: false,
        }
    }

    /// Appends to the journal, durably, before a lexoffice write (or records
    /// its outcome). Without a journal nothing may be sent.
    pub async fn journal(&self, line: crate::storage::journal::Line) -> AppResult<()> {
        let Some(j) = self.journal.clone() else {
            return Err(AppError::Storage(
                "Das Journal der lexoffice-Aufträge ist nicht bereit. Es wurde nichts an lexoffice gesendet.".into(),
            ));
        };
        blocking(move || j.append(&line)).await
    }

    /// The state a feature keeps for the whole run, by its type (`features.rs`).
    pub fn feature<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.features.get::<T>()
    }

    pub fn urls(&self) -> AppResult<&LexofficeUrls> {
        self.urls.as_ref().map_err(|e| AppError::Config(e.clone()))
    }

    pub fn client(&self) -> AppResult<&LexofficeClient> {
        self.client
            .as_deref()
            .map_err(|e| AppError::Config(e.clone()))
    }

    /// Opens a page of the configured lexoffice web app; anything else is refused.
    pub async fn open_lexoffice_page(&self, url: String) -> AppResult<()> {
        if !self.urls()?.may_open(&url) {
            log::warn!("refused to open a URL outside the lexoffice web app");
            return Err(AppError::Opener(
                "Diese Adresse wird aus Sicherheitsgründen nicht geöffnet.".into(),
            ));
        }
        let opener = self.opener.clone();
        blocking(move || {
            opener(&url).map_err(|e| {
                log::warn!("opening the browser failed: {e}");
                AppError::Opener(format!(
                    "Der Browser konnte nicht geöffnet werden. Bitte diese Adresse von Hand öffnen: {url}"
                ))
            })
        })
        .await
    }

    /// Opens a file the app has just written (never a path from the webview alone).
    pub async fn open_file(&self, path: &std::path::Path) -> AppResult<()> {
        let Some(opener) = self.file_opener.clone() else {
            return Err(AppError::Opener(
                "Dateien können hier nicht geöffnet werden.".into(),
            ));
        };
        let p = path.display().to_string();
        blocking(move || {
            opener(&p).map_err(|e| {
                log::warn!("opening a file failed: {e}");
                AppError::Opener(format!(
                    "Die Datei wurde gespeichert, ließ sich aber nicht öffnen: {p}"
                ))
            })
        })
        .await
    }

    /// Holds `replace_lock` for work that must not run beside a customer import
    /// (a restore, deleting a customer or putting one back); `Busy` with „Gerade
    /// läuft ein Kunden-Import. Bitte warten, bis er fertig ist, und dann {then}.“
    pub fn without_import(&self, then: &str) -> AppResult<tokio::sync::MutexGuard<'_, ()>> {
        self.replace_lock.try_lock().map_err(|_| {
            AppError::Busy(format!(
                "Gerade läuft ein Kunden-Import. Bitte warten, bis er fertig ist, und dann {then}."
            ))
        })
    }

    /// The stored API key, read from the keyring off the async workers;
    /// `NotConnected` when there is none.
    pub async fn api_key(&self) -> AppResult<crate::secrets::ApiKey> {
        let secrets = self.secrets.clone();
        blocking(move || {
            secrets
                .load()
                .map_err(|e| AppError::Keyring(e.to_string()))?
                .ok_or(AppError::NotConnected)
        })
        .await
    }

    pub fn keyring_problem(&self) -> Option<String> {
        self.keyring_problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs the keyring check (blocking D-Bus/Keychain access on a worker thread).
    pub async fn check_keyring(&self) {
        let secrets = self.secrets.clone();
        let result = blocking(move || Ok(secrets.check())).await;
        let problem = match result {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(p) = &problem {
            log::error!("keyring unavailable: {p}");
        }
        *self
            .keyring_problem
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = problem;
    }
}

/// Runs blocking work (sled flush, keyring, browser start) off the async workers
/// and off the UI thread.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let result = f();
        // A long task (a 100,000-entry project, a backup, an import page) freed
        // tens of MB; glibc keeps them unless asked. Short tasks skip this. The
        // caller does not wait for it (≈ 20 ms after a 100,000-entry preview).
        if started.elapsed() > std::time::Duration::from_millis(50) {
            std::thread::spawn(release_freed_memory);
        }
        result
    })
    .await
    .map_err(|e| AppError::Internal(format!("Hintergrundaufgabe abgebrochen: {e}")))?
}

/// Returns the heap's free pages to the OS (glibc only; elsewhere a no-op).
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it touches
    // no live allocation and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
