//! Start-up: opening the data dir and the database, and — when that fails — what
//! the start-up failure screen shows instead of a crash. Tauri-free.
//!
//! Every failure keeps the process alive: the window opens with the heading
//! „Zeitrechnung konnte nicht starten“, the cause in German, what to do, and the
//! buttons „Datenordner öffnen“, „Sicherung wiederherstellen“ (only where a
//! restore helps: a damaged database) and „Beenden“. Nothing is deleted or
//! overwritten: a restore moves the damaged database aside and starts a new one
//! from the chosen backup.

use std::path::{Path, PathBuf};

use chrono_tz::Europe::Berlin;
use serde::Serialize;

use crate::error::{io_de, AppError, AppResult};
use crate::paths;
use crate::storage::{OpenError, Store};

pub const HEADING: &str = "Zeitrechnung konnte nicht starten";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// No data dir could be determined at all.
    NoDataDir,
    /// The data dir cannot be created or written.
    Unwritable,
    /// Another process holds the database.
    Locked,
    /// The data come from a newer version.
    Newer,
    /// The database files cannot be read.
    Damaged,
    /// The PostgreSQL server cannot be reached, or refuses.
    Server,
}

/// Why the start failed, as the failure screen shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupFailure {
    pub kind: FailureKind,
    pub heading: &'static str,
    /// What is wrong, naming the folder.
    pub cause: String,
    /// What to do about it.
    pub advice: String,
    pub data_dir: Option<String>,
    /// „Sicherung wiederherstellen“ is offered (damaged database only).
    pub can_restore: bool,
    /// The newest automatic backup, suggested for the restore.
    pub suggested_backup: Option<String>,
    /// „Erneut versuchen“ is offered (the database server was not reachable).
    pub can_retry: bool,
    /// „Einstellungen öffnen“: the server this PC chose (Einstellungen ›
    /// Mehrplatz), to correct it or to start with the local data instead.
    pub server: Option<crate::mehrplatz::ServerFields>,
}

impl StartupFailure {
    pub fn no_data_dir() -> Self {
        StartupFailure {
            kind: FailureKind::NoDataDir,
            heading: HEADING,
            cause: "Es konnte kein Datenordner bestimmt werden.".into(),
            advice: "Bitte prüfen, ob Ihr Benutzerordner vorhanden und beschreibbar ist, oder einen Ordner mit der Umgebungsvariable ZEITRECHNUNG_DATA_DIR angeben.".into(),
            data_dir: None,
            can_restore: false,
            suggested_backup: None,
            can_retry: false,
            server: None,
        }
    }

    fn new(kind: FailureKind, data_dir: &Path, cause: String, advice: &str) -> Self {
        StartupFailure {
            kind,
            heading: HEADING,
            cause,
            advice: advice.into(),
            data_dir: Some(data_dir.display().to_string()),
            can_restore: kind == FailureKind::Damaged,
            suggested_backup: if kind == FailureKind::Damaged {
                newest_backup(&paths::backup_dir(data_dir)).map(|p| p.display().to_string())
            } else {
                None
            },
            can_retry: kind == FailureKind::Server,
            server: None,
        }
    }

    fn unwritable(data_dir: &Path, e: &std::io::Error) -> Self {
        StartupFailure::new(
            FailureKind::Unwritable,
            data_dir,
            format!(
                "Der Datenordner {} kann nicht angelegt oder beschrieben werden: {}.",
                data_dir.display(),
                io_de(e)
            ),
            "Bitte freien Speicherplatz und die Schreibrechte für diesen Ordner prüfen (oder ob der Datenträger schreibgeschützt ist) und Zeitrechnung dann neu starten.",
        )
    }

    fn server(data_dir: &Path, e: &AppError) -> Self {
        StartupFailure::new(
            FailureKind::Server,
            data_dir,
            e.to_string(),
            if e.kind() == "stopped" {
                // Reachable, but not to be written to: waiting will not help.
                "Unter „Einstellungen öffnen“ lässt sich eine andere Datenbank eintragen oder mit den Daten dieses PCs starten. Die Daten auf dem Server bleiben unverändert."
            } else {
                "Bitte prüfen, ob der PC mit der Datenbank eingeschaltet und im Netz erreichbar ist, und dann „Erneut versuchen“ wählen. Die Daten auf dem Server bleiben unverändert."
            },
        )
    }

    fn from_open_error(data_dir: &Path, e: OpenError) -> Self {
        let db = paths::db_dir(data_dir);
        match e {
            OpenError::Io(io) => StartupFailure::unwritable(data_dir, &io),
            OpenError::Locked => StartupFailure::new(
                FailureKind::Locked,
                data_dir,
                format!("Die Datenbank in {} wird gerade von einem anderen Programm verwendet – vermutlich läuft Zeitrechnung schon (auch unter einem anderen Benutzer) oder ein Sicherungsprogramm liest den Ordner.", db.display()),
                "Bitte das andere Zeitrechnung-Fenster bzw. das andere Programm schließen und Zeitrechnung dann neu starten. Hilft das nicht, den Rechner neu starten.",
            ),
            OpenError::Newer(v) => StartupFailure::new(
                FailureKind::Newer,
                data_dir,
                format!("Die Daten in {} wurden von einer neueren Zeitrechnung-Version geschrieben (Datenformat {v}, diese Version kennt {}).", db.display(), crate::storage::SCHEMA_VERSION),
                "Bitte die neuere Zeitrechnung-Version installieren. Ihre Daten bleiben unverändert.",
            ),
            OpenError::Damaged(detail) => {
                log::error!("database damaged: {detail}");
                StartupFailure::new(
                    FailureKind::Damaged,
                    data_dir,
                    format!("Die Datenbank in {} ist beschädigt und kann nicht gelesen werden.", db.display()),
                    "Sie können eine Sicherung wiederherstellen: Zeitrechnung legt die beschädigte Datenbank dabei beiseite (sie wird nicht gelöscht) und beginnt mit den Daten der Sicherung. Die automatischen Sicherungen liegen im Datenordner unter „backups“.",
                )
            }
        }
    }
}

/// Managed instead of `Core` when the start failed: the window shows `failure`.
#[derive(Debug, Clone)]
pub struct FailedStart {
    pub failure: StartupFailure,
    pub data_dir: Option<PathBuf>,
    /// The failed start was in demo mode (the restart keeps the mode).
    pub demo: bool,
}

impl FailedStart {
    /// „Sicherung wiederherstellen“ on the failure screen: only for a damaged
    /// database, from the file the user chose (see `restore_damaged`).
    pub fn restore(&self, path: &str) -> AppResult<()> {
        if !self.failure.can_restore {
            return Err(AppError::validation(
                "Sicherungsdatei",
                "Eine Sicherung hilft hier nicht: Die Datenbank ist nicht beschädigt.",
            ));
        }
        let dir = self
            .data_dir
            .as_deref()
            .ok_or_else(|| AppError::Internal("kein Datenordner".into()))?;
        let path = Path::new(path.trim());
        if path.as_os_str().is_empty() {
            return Err(AppError::validation(
                "Sicherungsdatei",
                "Bitte eine Sicherungsdatei wählen.",
            ));
        }
        restore_damaged(dir, path).map(|_| ())
    }
}

/// Creates the data dir if needed and proves it can be written (a probe file).
pub fn check_writable(data_dir: &Path) -> Result<(), std::io::Error> {
    std::fs::create_dir_all(data_dir)?;
    let probe = data_dir.join(".schreibprobe");
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(&probe)
}

/// Opens the database of `data_dir`, or says why it cannot be opened.
pub fn open_store(data_dir: &Path) -> Result<Store, StartupFailure> {
    if let Err(e) = check_writable(data_dir) {
        return Err(StartupFailure::unwritable(data_dir, &e));
    }
    // The office's database server, when one is named (the environment or
    // Einstellungen › Mehrplatz): never silently the local data instead.
    let passwords = crate::secrets::OsKeyring::new(
        crate::secrets::KEYRING_SERVICE,
        crate::secrets::KEYRING_DB_USER,
    );
    match crate::mehrplatz::server_to_open(data_dir, &passwords) {
        Ok(Some(address)) => {
            log::info!("database server {}", address.display());
            return Store::connect_to(&address).map_err(|e| {
                let mut failure = StartupFailure::server(data_dir, &e);
                failure.server = chosen_server(data_dir, &passwords);
                failure
            });
        }
        Ok(None) => {}
        Err(e) => {
            let mut failure = StartupFailure::server(data_dir, &e);
            failure.server = chosen_server(data_dir, &passwords);
            return Err(failure);
        }
    }
    Store::open_checked(&paths::db_dir(data_dir))
        .map_err(|e| StartupFailure::from_open_error(data_dir, e))
}

/// The fields of this PC's server choice (None when the environment names
/// the server: there is nothing to change in the window then).
fn chosen_server(
    data_dir: &Path,
    passwords: &dyn crate::secrets::PasswordStore,
) -> Option<crate::mehrplatz::ServerFields> {
    if paths::database_url().is_some() {
        return None;
    }
    let config = crate::mehrplatz::load(data_dir).ok().flatten()?;
    let has_password = passwords.load_password().ok().flatten().is_some();
    Some(crate::mehrplatz::ServerFields::of(
        Some(&config),
        has_password,
    ))
}

/// The restore the failure window suggests: the newest automatic backup —
/// never a copy made before an earlier restore (that holds what was replaced).
fn newest_backup(dir: &Path) -> Option<PathBuf> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| crate::sicherung::auto::name_time(n).is_some())
        .collect();
    names.sort_by_key(|n| crate::sicherung::auto::name_time(n));
    names.pop().map(|n| dir.join(n))
}

/// The folder „Datenordner öffnen“ shows: the data dir, or its nearest existing parent.
pub fn folder_to_show(data_dir: &Path) -> Option<PathBuf> {
    data_dir
        .ancestors()
        .find(|p| p.is_dir())
        .map(Path::to_path_buf)
}

/// „Sicherung wiederherstellen“ on the failure screen: the backup is validated
/// first; then the damaged database is renamed (never deleted) and a new one is
/// filled from the backup. Returns the folder the damaged database was moved to.
pub fn restore_damaged(data_dir: &Path, backup: &Path) -> AppResult<PathBuf> {
    let backup = crate::sicherung::read_backup(backup)?;
    let db = paths::db_dir(data_dir);
    let stamp = crate::de::clock::now()
        .with_timezone(&Berlin)
        .format("%Y-%m-%d-%H%M%S");
    let aside = data_dir.join(format!("db-beschaedigt-{stamp}"));
    if db.exists() {
        std::fs::rename(&db, &aside).map_err(|e| {
            AppError::Storage(format!(
                "Die beschädigte Datenbank konnte nicht beiseitegelegt werden: {}",
                io_de(&e)
            ))
        })?;
    }
    let store = Store::open(&db)?;
    store.replace_all(&backup)?;
    store.flush()?;
    log::info!(
        "start-up restore: damaged database moved to {}, backup restored",
        aside.display()
    );
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_backup_is_the_newest_automatic_one() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            "auto-2026-12-01.json",
            "auto-2026-12-03-080000.json",
            "vor-wiederherstellung-2026-12-04-101010.json",
            ".auto-counts.json",
        ] {
            std::fs::write(dir.path().join(n), "{}").unwrap();
        }
        assert_eq!(
            newest_backup(dir.path()),
            Some(dir.path().join("auto-2026-12-03-080000.json"))
        );
    }

    #[test]
    fn a_data_dir_below_a_file_is_unwritable_and_named() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("datei");
        std::fs::write(&file, b"x").unwrap();
        let dir = file.join("daten");
        let f = open_store(&dir).err().expect("must fail");
        assert_eq!(f.kind, FailureKind::Unwritable);
        assert!(f.cause.contains(&dir.display().to_string()), "{}", f.cause);
        assert!(!f.can_restore);
        assert_eq!(f.heading, "Zeitrechnung konnte nicht starten");
        assert_eq!(folder_to_show(&dir).as_deref(), Some(tmp.path()));
        // A backup cannot help an unwritable folder: the restore is refused.
        let failed = FailedStart {
            failure: f,
            data_dir: Some(dir),
            demo: false,
        };
        let e = failed.restore("/tmp/sicherung.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Eine Sicherung hilft hier nicht: Die Datenbank ist nicht beschädigt."
        );
    }
}
