//! Einstellungen › Mehrplatz: this PC's choice of the office's database
//! (docs/database.md › Mehrplatz einrichten). sled stays the default; a PC
//! that works on the office's PostgreSQL server keeps the address in
//! `mehrplatz.json` in its data dir and the password in the keyring.
//!
//! One operation per file: `check` („Verbindung prüfen“), `setup`
//! („Mehrplatz einrichten“), `join` („Mit Mehrplatz-Datenbank verbinden“),
//! `leave` („Zurück zu Einzelplatz“), `health` (does the server answer now);
//! `form` reads the fields, `view` is what the window shows. Every switch takes effect with a restart of the app
//! (the commands restart it), so no running part keeps the old database.

mod change;
mod check;
mod form;
mod health;
mod join;
mod leave;
mod setup;
mod view;
pub mod watch;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use change::{change_server, use_local};
pub use check::check;
pub use form::{certificate_fingerprint, MehrplatzForm};
pub use health::{health, DatabaseHealth};
pub use join::join;
pub use leave::leave;
pub use setup::{local_problems, setup};
pub use view::{status, CheckView, MehrplatzView, ServerFields, SwitchView};

use crate::error::{AppError, AppResult};
use crate::paths;
use crate::secrets::PasswordStore;
use crate::storage::pg::ServerAddress;

/// The server this PC works with, as `mehrplatz.json` keeps it (never the
/// password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// The server's CA file („Zertifikat“).
    pub certificate: Option<PathBuf>,
    /// Since when this PC works on the server.
    pub since: DateTime<Utc>,
    /// What „Mehrplatz einrichten“ moved and verified (shown afterwards).
    #[serde(default)]
    pub moved: Option<String>,
}

impl ServerConfig {
    /// The address to connect to, with the password from the keyring.
    pub fn address(&self, password: Option<String>) -> ServerAddress {
        ServerAddress {
            host: self.host.clone(),
            port: self.port,
            database: self.database.clone(),
            user: self.user.clone(),
            password,
            ssl_mode: None,
            root_cert: self.certificate.clone(),
        }
    }
}

/// This PC's server choice; None: the embedded database.
pub fn load(data_dir: &Path) -> AppResult<Option<ServerConfig>> {
    let path = paths::mehrplatz_file(data_dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(AppError::Database(format!(
                "Die Mehrplatz-Einstellung {} kann nicht gelesen werden: {}.",
                path.display(),
                crate::error::io_de(&e)
            )))
        }
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|_| {
        AppError::Database(format!(
            "Die Mehrplatz-Einstellung {} ist beschädigt. Bitte unter Einstellungen › Mehrplatz neu verbinden.",
            path.display()
        ))
    })
}

/// Writes the choice durably (a crash leaves the old file or the new one).
fn save(data_dir: &Path, config: &ServerConfig) -> AppResult<()> {
    let bytes = serde_json::to_vec_pretty(config)
        .map_err(|e| AppError::Internal(format!("Mehrplatz-Einstellung: {e}")))?;
    crate::sicherung::write_backup(&bytes, &paths::mehrplatz_file(data_dir))
}

/// Forgets the server: the next start opens the embedded database.
fn forget(data_dir: &Path, passwords: &dyn PasswordStore) -> AppResult<()> {
    match std::fs::remove_file(paths::mehrplatz_file(data_dir)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(AppError::Storage(format!(
                "Die Mehrplatz-Einstellung konnte nicht entfernt werden: {}",
                crate::error::io_de(&e)
            )))
        }
    }
    passwords
        .delete_password()
        .map_err(|e| AppError::Keyring(e.to_string()))
}

/// The address the fields name, with the keyring's password where the
/// field is left empty.
pub fn address_of(form: &MehrplatzForm, passwords: &dyn PasswordStore) -> AppResult<ServerAddress> {
    let stored = passwords
        .load_password()
        .map_err(|e| AppError::Keyring(e.to_string()))?;
    form.address(stored)
}

/// Keeps the password of `address` in the keyring (when it has one).
fn keep_password(passwords: &dyn PasswordStore, address: &ServerAddress) -> AppResult<()> {
    match &address.password {
        Some(p) => passwords
            .store_password(p)
            .map_err(|e| AppError::Keyring(e.to_string())),
        None => Ok(()),
    }
}

/// The server a start opens: `ZEITRECHNUNG_DATABASE_URL` first (it wins),
/// else this PC's choice with the keyring's password; None: the embedded
/// database.
pub fn server_to_open(
    data_dir: &Path,
    passwords: &dyn PasswordStore,
) -> AppResult<Option<ServerAddress>> {
    if let Some(url) = paths::database_url() {
        return ServerAddress::from_url(&url).map(Some);
    }
    let Some(config) = load(data_dir)? else {
        return Ok(None);
    };
    let password = passwords
        .load_password()
        .map_err(|e| AppError::Keyring(e.to_string()))?;
    Ok(Some(config.address(password)))
}
