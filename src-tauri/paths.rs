//! Every path and address the app uses is decided here, and each can be
//! redirected by an environment variable (tests, demo, support):
//!
//! | variable | default |
//! |---|---|
//! | `ZEITRECHNUNG_DATA_DIR` | Tauri's local app data dir (sled db in `db/`, logs in `logs/`) |
//! | `ZEITRECHNUNG_LEXOFFICE_URL` | `https://api.lexware.io` |
//! | `ZEITRECHNUNG_LEXOFFICE_APP_URL` | `https://app.lexware.de` |
//! | `ZEITRECHNUNG_DATABASE_URL` | none: the embedded database in the data dir; a `postgres://` URL uses that server (docs/database.md) |
//!
//! Plain `http://` is accepted only for loopback hosts; everything else must be https.

use std::path::{Path, PathBuf};
use url::{Host, Url};

pub const ENV_DATA_DIR: &str = "ZEITRECHNUNG_DATA_DIR";
pub const ENV_API_URL: &str = "ZEITRECHNUNG_LEXOFFICE_URL";
pub const ENV_APP_URL: &str = "ZEITRECHNUNG_LEXOFFICE_APP_URL";
pub const ENV_DATABASE_URL: &str = "ZEITRECHNUNG_DATABASE_URL";
pub const DEFAULT_API_URL: &str = "https://api.lexware.io";
pub const DEFAULT_APP_URL: &str = "https://app.lexware.de";

/// The data directory: `ZEITRECHNUNG_DATA_DIR` if set and non-empty, else `fallback`.
pub fn data_dir(fallback: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    match std::env::var_os(ENV_DATA_DIR) {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => fallback(),
    }
}

/// The PostgreSQL server to use instead of the embedded database, if
/// `ZEITRECHNUNG_DATABASE_URL` names one (it wins over the settings).
pub fn database_url() -> Option<String> {
    std::env::var(ENV_DATABASE_URL)
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
}

/// Where the data lives when `ZEITRECHNUNG_DATA_DIR` is not set: the local
/// application data folder (`%LOCALAPPDATA%` on Windows — a roaming profile
/// would copy a live database between PCs at logoff; the same folder as the
/// roaming one on Linux and macOS). Returns the folder and, once, a roaming
/// data dir whose `db/` is to be moved there first (an older version kept
/// the data in `%APPDATA%`).
pub fn local_data_dir(local: PathBuf, roaming: Option<PathBuf>) -> (PathBuf, Option<PathBuf>) {
    let from = roaming
        .filter(|r| *r != local && db_dir(r).join("conf").exists() && !db_dir(&local).exists());
    (local, from)
}

/// Moves the data of an older version from the roaming folder into the local
/// one (`db/`, `journal/`, `backups/`; logs stay), renaming where it can.
pub fn move_roaming_data(roaming: &Path, local: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(local)?;
    for part in ["db", "journal", "backups"] {
        let from = roaming.join(part);
        if !from.exists() {
            continue;
        }
        let to = local.join(part);
        if std::fs::rename(&from, &to).is_err() {
            copy_tree(&from, &to)?;
            std::fs::remove_dir_all(&from)?;
        }
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for f in std::fs::read_dir(from)? {
        let f = f?;
        if f.file_type()?.is_dir() {
            copy_tree(&f.path(), &to.join(f.file_name()))?;
        } else {
            std::fs::copy(f.path(), to.join(f.file_name()))?;
        }
    }
    Ok(())
}

pub fn db_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("db")
}

/// This PC's choice of the office's database server (Einstellungen ›
/// Mehrplatz); absent: the embedded database.
pub fn mehrplatz_file(data_dir: &Path) -> PathBuf {
    data_dir.join("mehrplatz.json")
}

/// The journal of lexoffice writes, outside `db/` (docs/reliability.md › Durable intent).
pub fn journal_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("journal")
}

pub fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("backups")
}

pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Parses a base URL: https anywhere, http only on loopback. No path, query or credentials.
pub fn parse_base_url(text: &str, var: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|_| {
        format!("Die Adresse in {var} ist keine gültige URL. Bitte die Einstellung prüfen oder entfernen.")
    })?;
    let ok_scheme = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url));
    if !ok_scheme {
        return Err(format!(
            "Die Adresse in {var} muss mit https:// beginnen (http:// ist nur für 127.0.0.1/localhost erlaubt)."
        ));
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "Die Adresse in {var} ist unvollständig oder enthält Zugangsdaten."
        ));
    }
    let mut url = url;
    url.set_query(None);
    url.set_fragment(None);
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(&trimmed);
    Ok(url)
}

/// lexoffice API and web-app base URLs.
#[derive(Debug, Clone)]
pub struct LexofficeUrls {
    pub api: Url,
    pub app: Url,
}

impl LexofficeUrls {
    /// From the environment, falling back to the production hosts.
    pub fn from_env() -> Result<Self, String> {
        let api = std::env::var(ENV_API_URL)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.into());
        let app = std::env::var(ENV_APP_URL)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_APP_URL.into());
        Self::new(&api, &app)
    }

    pub fn new(api: &str, app: &str) -> Result<Self, String> {
        Ok(Self {
            api: parse_base_url(api, ENV_API_URL)?,
            app: parse_base_url(app, ENV_APP_URL)?,
        })
    }

    fn app_link(&self, path: &str) -> String {
        format!("{}{}", self.app.as_str().trim_end_matches('/'), path)
    }

    /// Where the user creates an API key.
    pub fn key_page(&self) -> String {
        self.app_link("/addons/public-api")
    }

    pub fn invoice_edit(&self, id: &str) -> String {
        self.app_link(&format!("/permalink/invoices/edit/{id}"))
    }

    pub fn contact_view(&self, id: &str) -> String {
        self.app_link(&format!("/permalink/contacts/view/{id}"))
    }

    /// The opener only opens pages of the configured lexoffice web app.
    pub fn may_open(&self, candidate: &str) -> bool {
        let Ok(url) = Url::parse(candidate) else {
            return false;
        };
        url.scheme() == self.app.scheme()
            && url.host() == self.app.host()
            && url.port_or_known_default() == self.app.port_or_known_default()
            && url.username().is_empty()
            && url.password().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_lives_in_the_local_folder_and_roaming_data_moves_there_once() {
        let t = tempfile::tempdir().unwrap();
        let (local, roaming) = (t.path().join("Local/app"), t.path().join("Roaming/app"));
        // Nothing anywhere: the local folder, nothing to move.
        assert_eq!(
            local_data_dir(local.clone(), Some(roaming.clone())),
            (local.clone(), None)
        );
        // An older version's database in the roaming folder: moved once.
        std::fs::create_dir_all(roaming.join("db")).unwrap();
        std::fs::write(roaming.join("db/conf"), "x").unwrap();
        std::fs::create_dir_all(roaming.join("backups")).unwrap();
        std::fs::write(roaming.join("backups/auto-2026-12-01.json"), "{}").unwrap();
        let (dir, from) = local_data_dir(local.clone(), Some(roaming.clone()));
        assert_eq!(
            (dir.clone(), from.clone()),
            (local.clone(), Some(roaming.clone()))
        );
        move_roaming_data(&roaming, &dir).unwrap();
        assert_eq!(std::fs::read_to_string(local.join("db/conf")).unwrap(), "x");
        assert!(local.join("backups/auto-2026-12-01.json").exists());
        assert!(!roaming.join("db").exists());
        // Once: with a local database nothing is moved again.
        std::fs::create_dir_all(roaming.join("db")).unwrap();
        std::fs::write(roaming.join("db/conf"), "y").unwrap();
        assert_eq!(
            local_data_dir(local.clone(), Some(roaming.clone())),
            (local.clone(), None)
        );
        // Linux and macOS: both folders are one.
        assert_eq!(
            local_data_dir(local.clone(), Some(local.clone())),
            (local, None)
        );
    }

    #[test]
    fn https_everywhere_http_only_on_loopback() {
        assert!(parse_base_url("https://api.lexware.io", "X").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080", "X").is_ok());
        assert!(parse_base_url("http://localhost:1", "X").is_ok());
        assert!(parse_base_url("http://[::1]:1", "X").is_ok());
        assert!(parse_base_url("http://api.lexware.io", "X").is_err());
        assert!(parse_base_url("http://192.168.1.2", "X").is_err());
        assert!(parse_base_url("ftp://127.0.0.1", "X").is_err());
        assert!(parse_base_url("https://user:pw@api.lexware.io", "X").is_err());
        assert!(parse_base_url("kein url", "X").is_err());
    }

    #[test]
    fn links_and_opener_allow_list() {
        let u = LexofficeUrls::new("https://api.lexware.io", "https://app.lexware.de/").unwrap();
        assert_eq!(u.key_page(), "https://app.lexware.de/addons/public-api");
        assert_eq!(
            u.invoice_edit("abc"),
            "https://app.lexware.de/permalink/invoices/edit/abc"
        );
        assert!(u.may_open(&u.key_page()));
        assert!(!u.may_open("https://evil.example/addons/public-api"));
        assert!(!u.may_open("http://app.lexware.de/addons/public-api"));
        assert!(!u.may_open("file:///etc/passwd"));
        assert!(!u.may_open("javascript:alert(1)"));
        assert!(!u.may_open("https://app.lexware.de.evil.example/"));
    }
}
