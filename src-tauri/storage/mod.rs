//! sled behind a small typed API. One `Db` per process, opened once at start-up
//! and kept open; every user-visible write is flushed before it returns.
//!
//! Trees: `meta` (schema version), `settings` (one JSON document), `customers`,
//! `projects`, `entries`, `entry_keys`, `csv_rows` (see `projects.rs` for the keys).
//! Later issues add `customers`, `projects`, `entries`, … with keys designed for
//! their range scans (integers big-endian).

mod backup;
mod customers;
mod damaged;
pub mod entry_codec;
mod holds;
mod invoices;
pub mod journal;
pub mod pg;
mod projects;
mod staff;
mod store;
mod totals;

pub use backup::{Backup, BackupSummary, BACKUP_FORMAT, BACKUP_VERSION};
pub use damaged::DamagedRecord;
pub use holds::{Held, Hold, RESTORE_BEGINS, RESTORE_DONE};
pub use journal::Journal;
pub use pg::PgStore;
pub use projects::entry_key;
pub use store::Store;
pub use totals::DataTotals;
// The records storage keeps (`crate::model`), under the names callers know.
pub use crate::model::*;

use std::path::Path;

use crate::error::{AppError, AppResult};

/// The schema this build writes. Bump it and add a step to `migrate` when the
/// stored shape changes.
pub const SCHEMA_VERSION: u32 = 5;

const META_SCHEMA: &[u8] = b"schema_version";
/// Set while a restore's entries still wait for `link_employees`.
const META_LINK_PENDING: &[u8] = b"link_employees_pending";
/// The settings tree holds four records (schema 5): the settings proper, the
/// employees, the roles and the Leistungskatalog, each under its own key and
/// changed together in one transaction.
const SETTINGS_KEY: &[u8] = b"settings";
const EMPLOYEES_KEY: &[u8] = b"employees";
const ROLES_KEY: &[u8] = b"roles";
const CATALOG_KEY: &[u8] = b"catalog";

/// What every backend answers when a write meets a record that moved on
/// (one wording, whichever database refused it).
pub(super) const ROW_TAKEN: &str =
    "Diese Zeile wurde schon importiert; sie wird nicht ein zweites Mal angelegt.";
pub(super) const CHANGED: &str = "Der Eintrag wurde inzwischen geändert. Bitte neu öffnen und die Änderung noch einmal eintragen.";
pub(super) const LOCKED: &str = "Dieser Eintrag ist inzwischen reserviert oder abgerechnet und kann nicht mehr geändert werden.";
pub(super) const ATTEMPT_SETTLED: &str =
    "Der Rechnungsversuch wurde inzwischen anders geklärt. Bitte die Historie neu laden.";
pub(super) const ENTRIES_TAKEN: &str = "Einträge wurden inzwischen abgerechnet oder reserviert";

/// A reservation on the office's server meets entries another seat is
/// billing right now (locked, or reserved by its attempt in flight).
pub const IN_FLIGHT_ELSEWHERE: &str = "Diese Einträge werden gerade an einem anderen Arbeitsplatz abgerechnet. Bitte einen Moment warten und die Vorschau neu laden; es wurde nichts gesendet.";

/// … or entries another seat has billed since the preview.
pub fn billed_elsewhere(draft_made: Option<chrono::DateTime<chrono::Utc>>) -> String {
    match draft_made {
        Some(at) => format!(
            "Diese Einträge wurden inzwischen an einem anderen Arbeitsplatz abgerechnet (Entwurf vom {}). Es wurde nichts gesendet.",
            crate::de::format::date_time(at)
        ),
        None => "Diese Einträge wurden inzwischen an einem anderen Arbeitsplatz abgerechnet. Es wurde nichts gesendet.".into(),
    }
}

pub(super) fn entry_gone(id: u64) -> String {
    format!("Eintrag {id} existiert nicht mehr")
}

/// A compare-and-set save refused (`AppError::Changed`: the window shows the
/// new state): `what` names the record („Der Kunde“, „Das Projekt“).
pub(super) fn changed_since(what: &str) -> AppError {
    AppError::Changed(format!(
        "{what} wurde inzwischen geändert. Bitte neu öffnen und die Änderung noch einmal eintragen."
    ))
}

pub struct SledStore {
    db: sled::Db,
    meta: sled::Tree,
    settings: sled::Tree,
    customers: sled::Tree,
    projects: sled::Tree,
    entries: sled::Tree,
    entry_keys: sled::Tree,
    csv_rows: sled::Tree,
    invoices: sled::Tree,
    id_floor: std::sync::atomic::AtomicU64,
    damaged: std::sync::Mutex<std::collections::BTreeSet<DamagedRecord>>,
    /// One settings change at a time: each read-modify-write of the settings
    /// document is whole (a rate saved while „Entwürfe erstellen“ refreshes the
    /// profile is never overwritten by a stale copy).
    settings_write: std::sync::Mutex<()>,
    /// What this process holds (`holds.rs`).
    held: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<Hold>>>,
    /// Writers of customers, projects, entries and invoice records hold it
    /// shared; `export` holds it alone while it reads, so a backup is one
    /// consistent state. Never taken twice on one path (a waiting export would
    /// block the second read).
    gate: std::sync::RwLock<()>,
}

impl SledStore {
    /// Opens (or creates) the database in `dir` and brings it to `SCHEMA_VERSION`.
    pub fn open(dir: &Path) -> AppResult<SledStore> {
        SledStore::open_checked(dir).map_err(|e| AppError::Storage(e.to_string()))
    }

    /// As `open`, with the reason a start-up can fail told apart (see `OpenError`).
    /// A panic inside sled (it panics on some damaged files) becomes `Damaged`.
    pub fn open_checked(dir: &Path) -> Result<SledStore, OpenError> {
        std::fs::create_dir_all(dir).map_err(OpenError::Io)?;
        let dir2 = dir.to_path_buf();
        match std::panic::catch_unwind(move || SledStore::open_inner(&dir2)) {
            Ok(r) => r,
            Err(p) => {
                let text = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(OpenError::Damaged(format!("Absturz beim Lesen: {text}")))
            }
        }
    }

    fn open_inner(dir: &Path) -> Result<SledStore, OpenError> {
        // A store that was just closed (this process, or one that just ended) can
        // hold its file lock for a moment while sled's flusher winds down: retry briefly.
        let mut attempts = 0;
        let db = loop {
            match sled::Config::new()
                .path(dir)
                .cache_capacity(16 * 1024 * 1024)
                .open()
            {
                Ok(db) => break db,
                Err(e) if is_lock_error(&e) && attempts < 30 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(map_open_err(e)),
            }
        };
        let damaged = |e: sled::Error| OpenError::Damaged(e.to_string());
        let meta = db.open_tree("meta").map_err(damaged)?;
        let settings = db.open_tree("settings").map_err(damaged)?;
        let store = SledStore {
            customers: db.open_tree("customers").map_err(damaged)?,
            projects: db.open_tree("projects").map_err(damaged)?,
            entries: db.open_tree("entries").map_err(damaged)?,
            entry_keys: db.open_tree("entry_keys").map_err(damaged)?,
            csv_rows: db.open_tree("csv_rows").map_err(damaged)?,
            invoices: db.open_tree("invoices").map_err(damaged)?,
            id_floor: std::sync::atomic::AtomicU64::new(
                match meta.get(b"id_floor").map_err(damaged)? {
                    Some(v) if v.len() == 8 => {
                        u64::from_be_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]])
                    }
                    _ => 0,
                },
            ),
            db,
            meta,
            settings,
            damaged: Default::default(),
            settings_write: Default::default(),
            held: Default::default(),
            gate: Default::default(),
        };
        match store.schema_version() {
            Ok(v) if v > SCHEMA_VERSION => return Err(OpenError::Newer(v)),
            Ok(_) => {}
            Err(e) => return Err(OpenError::Damaged(e.to_string())),
        }
        store
            .migrate()
            .map_err(|e| OpenError::Damaged(e.to_string()))?;
        // A restore that stopped before its entries were linked to employees.
        if store
            .meta
            .contains_key(META_LINK_PENDING)
            .map_err(|e| OpenError::Damaged(e.to_string()))?
        {
            store
                .finish_employee_link()
                .map_err(|e| OpenError::Damaged(e.to_string()))?;
        }
        Ok(store)
    }

    pub fn schema_version(&self) -> AppResult<u32> {
        Ok(match self.meta.get(META_SCHEMA)? {
            Some(v) if v.len() == 4 => u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            Some(_) => return Err(AppError::Storage("Schema-Version unlesbar".into())),
            None => 0,
        })
    }

    /// The migration hook: runs each step from the stored version up to ours.
    fn migrate(&self) -> AppResult<()> {
        let mut version = self.schema_version()?;
        if version > SCHEMA_VERSION {
            return Err(AppError::Storage(format!(
                "die Daten stammen von einer neueren Zeitrechnung-Version (Schema {version}); bitte die App aktualisieren"
            )));
        }
        while version < SCHEMA_VERSION {
            match version {
                // 0 → 1: a fresh database; nothing to convert.
                0 => {}
                // 1 → 2: time entries point to employees (free-text names become
                // Mitarbeiter, exact match).
                1 => {
                    self.link_employees()?;
                }
                // 2 → 3: new fields only (a draft's billed minutes per entry, an
                // employee's dated role changes, the Steuerart „Photovoltaik“);
                // older records read as they are. The version tells an older
                // build that it cannot read them.
                2 => {}
                // 3 → 4: the settings name a second backup folder (a new field;
                // an older build would drop it when it writes the settings).
                3 => {}
                // 4 → 5: the employees, the roles and the Leistungskatalog leave
                // the settings document for records of their own.
                4 => {
                    let whole = self.settings()?;
                    self.write_settings(&whole)?;
                }
                v => {
                    return Err(AppError::Storage(format!(
                        "keine Migration von Schema {v} bekannt"
                    )))
                }
            }
            version += 1;
            self.meta.insert(META_SCHEMA, &version.to_be_bytes())?;
        }
        self.flush()
    }

    /// Links the entries to employees and clears the pending mark (a restore
    /// sets it before writing, so a crash in between is finished at the next start).
    pub(crate) fn finish_employee_link(&self) -> AppResult<()> {
        self.link_employees()?;
        self.meta.remove(META_LINK_PENDING)?;
        self.flush()
    }

    pub(crate) fn mark_employee_link_pending(&self) -> AppResult<()> {
        self.meta.insert(META_LINK_PENDING, &[1u8])?;
        self.flush()
    }

    /// The shared side of `gate`, for one write.
    pub(super) fn writing(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.gate.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Durably writes everything before a command reports success.
    pub fn flush(&self) -> AppResult<()> {
        self.db.flush()?;
        Ok(())
    }

    pub fn settings(&self) -> AppResult<Settings> {
        let mut s: Settings = match self.settings.get(SETTINGS_KEY)? {
            Some(bytes) => serde_json::from_slice(&bytes)?,
            None => Settings::default(),
        };
        // Schema 5 keeps these apart; a document of schema 4 (before its
        // migration) still carries them inside.
        if let Some(v) = self.settings.get(EMPLOYEES_KEY)? {
            s.employees = serde_json::from_slice(&v)?;
        }
        if let Some(v) = self.settings.get(ROLES_KEY)? {
            s.roles = serde_json::from_slice(&v)?;
        }
        if let Some(v) = self.settings.get(CATALOG_KEY)? {
            s.catalog = serde_json::from_slice(&v)?;
        }
        Ok(s)
    }

    /// The employees alone (their own record).
    pub(super) fn employee_record(&self) -> AppResult<Vec<crate::model::Employee>> {
        match self.settings.get(EMPLOYEES_KEY)? {
            Some(v) => Ok(serde_json::from_slice(&v)?),
            None => Ok(self.settings()?.employees),
        }
    }

    /// The roles alone (their own record).
    pub(super) fn role_record(&self) -> AppResult<Vec<crate::model::Role>> {
        match self.settings.get(ROLES_KEY)? {
            Some(v) => Ok(serde_json::from_slice(&v)?),
            None => Ok(self.settings()?.roles),
        }
    }

    /// The four records of `s` (see `SETTINGS_KEY`), as the tree holds them.
    fn settings_records(s: &Settings) -> AppResult<[(&'static [u8], Vec<u8>); 4]> {
        let mut proper = s.clone();
        proper.employees = Vec::new();
        proper.roles = Vec::new();
        proper.catalog = Vec::new();
        Ok([
            (SETTINGS_KEY, serde_json::to_vec(&proper)?),
            (EMPLOYEES_KEY, serde_json::to_vec(&s.employees)?),
            (ROLES_KEY, serde_json::to_vec(&s.roles)?),
            (CATALOG_KEY, serde_json::to_vec(&s.catalog)?),
        ])
    }

    /// Writes the four records of `s` in one transaction (not flushed).
    fn write_settings(&self, s: &Settings) -> AppResult<()> {
        let records = Self::settings_records(s)?;
        self.settings
            .transaction(|tx| {
                for (k, v) in &records {
                    tx.insert(*k, v.as_slice())?;
                }
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| AppError::Storage(format!("{e:?}")))
    }

    /// Read-modify-write of the settings records, one at a time (no change is
    /// lost to a concurrent one), all four in one transaction, flushed before
    /// returning.
    /// `change` may refuse, and then nothing is written.
    pub fn try_update_settings(
        &self,
        change: impl FnOnce(&mut Settings) -> AppResult<()>,
    ) -> AppResult<Settings> {
        let _one = self
            .settings_write
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut s = self.settings()?;
        change(&mut s)?;
        self.write_settings(&s)?;
        self.flush()?;
        Ok(s)
    }
}

impl SledStore {
    /// Replaces the JSON record under `key` in `tree` with `new` only while the
    /// stored one is still the version the user opened (`seen`, its
    /// `updated_at` as `version` reads it); compare-and-swap, so a write in
    /// between refuses too. `field` is the form's label, `what` names the
    /// record („Der Kunde“, „Das Projekt“). The one rule of every
    /// compare-and-set save of a JSON record.
    pub(super) fn replace_unchanged_since<T: serde::de::DeserializeOwned + serde::Serialize>(
        &self,
        tree: &sled::Tree,
        key: &[u8],
        new: &T,
        seen: chrono::DateTime<chrono::Utc>,
        version: impl Fn(&T) -> chrono::DateTime<chrono::Utc>,
        (field, what): (&'static str, &str),
    ) -> AppResult<()> {
        let changed = || changed_since(what);
        let _w = self.writing();
        let Some(old) = tree.get(key)? else {
            return Err(AppError::validation(
                field,
                format!("{what} wurde inzwischen gelöscht."),
            ));
        };
        let current: T = serde_json::from_slice(&old)?;
        if version(&current) != seen {
            return Err(changed());
        }
        match tree.compare_and_swap(key, Some(old), Some(serde_json::to_vec(new)?))? {
            Ok(()) => self.flush(),
            Err(_) => Err(changed()),
        }
    }
}

/// A database error as the app reports it (storage is the one room that names sled).
impl From<sled::Error> for AppError {
    fn from(e: sled::Error) -> Self {
        AppError::Storage(e.to_string())
    }
}

fn is_lock_error(e: &sled::Error) -> bool {
    let text = e.to_string();
    text.contains("lock") || text.contains("WouldBlock")
}

fn map_open_err(e: sled::Error) -> OpenError {
    match e {
        _ if is_lock_error(&e) => OpenError::Locked,
        sled::Error::Io(io) => OpenError::Io(io),
        other => OpenError::Damaged(other.to_string()),
    }
}

/// Why the database could not be opened; each reason gets its own advice on the
/// start-up failure screen (`crate::startup`).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The folder cannot be created or written (permissions, full or read-only disk).
    #[error("der Datenordner kann nicht beschrieben werden ({})", crate::error::io_de(.0))]
    Io(std::io::Error),
    /// Another process holds sled's lock.
    #[error("die Datenbank wird bereits von einer anderen laufenden Zeitrechnung oder einem anderen Programm verwendet")]
    Locked,
    /// Written by a newer version of the app.
    #[error("die Daten stammen von einer neueren Zeitrechnung-Version (Schema {0}); bitte die App aktualisieren")]
    Newer(u32),
    /// The files cannot be read as a database.
    #[error("die Datenbank ist beschädigt ({0})")]
    Damaged(String),
}
