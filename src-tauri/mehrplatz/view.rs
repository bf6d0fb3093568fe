//! What Einstellungen › Mehrplatz shows, ready formatted.

use std::path::Path;

use serde::Serialize;

use super::ServerConfig;
use crate::error::AppResult;
use crate::paths;

/// The page: which database this PC works with, and the fields as stored.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MehrplatzView {
    /// „einzelplatz“, „mehrplatz“ or „umgebung“ (`ZEITRECHNUNG_DATABASE_URL`).
    pub mode: &'static str,
    /// One sentence: where the data are.
    pub mode_display: String,
    #[serde(flatten)]
    pub server: ServerFields,
    /// What „Mehrplatz einrichten“ moved and verified.
    pub moved: Option<String>,
    /// The seats connected now: „buero-pc (dieser PC) – seit 05.12.2026 08:14“.
    pub seats: Vec<String>,
}

/// A seat as the page lists it.
pub fn seat_line(s: &crate::storage::pg::Seat) -> String {
    format!(
        "{}{} – seit {}",
        s.pc,
        if s.this_one { " (dieser PC)" } else { "" },
        crate::de::format::date_time(s.since)
    )
}

/// The server's fields as stored on this PC (the password only as „kept“).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerFields {
    pub host: String,
    pub port: String,
    pub database: String,
    pub user: String,
    pub certificate: String,
    /// A password is kept in the keyring (the field stays empty).
    pub has_password: bool,
    /// The certificate's SHA-256 fingerprint, to compare with the server's.
    pub fingerprint: Option<String>,
}

impl ServerFields {
    pub fn of(config: Option<&ServerConfig>, has_password: bool) -> ServerFields {
        let text = |f: fn(&ServerConfig) -> String| config.map(f).unwrap_or_default();
        ServerFields {
            host: text(|c| c.host.clone()),
            port: config
                .map(|c| c.port.to_string())
                .unwrap_or_else(|| super::form::DEFAULT_PORT.to_string()),
            database: text(|c| c.database.clone()),
            user: text(|c| c.user.clone()),
            certificate: text(|c| {
                c.certificate
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            }),
            has_password,
            fingerprint: config
                .and_then(|c| c.certificate.as_deref())
                .and_then(|p| super::certificate_fingerprint(p).ok()),
        }
    }
}

/// The answer of „Verbindung prüfen“.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    pub message: String,
    pub detail: String,
    /// The database holds no firm yet („Mehrplatz einrichten“ fits).
    pub empty: bool,
    pub fingerprint: Option<String>,
}

/// The answer of a switch; the app restarts right after it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchView {
    pub message: String,
}

/// The page's state. `on_server`: this run works on a server.
pub fn status(
    data_dir: &Path,
    on_server: Option<String>,
    has_password: bool,
    seats: &[crate::storage::pg::Seat],
) -> AppResult<MehrplatzView> {
    let config = super::load(data_dir)?;
    let from_env = paths::database_url().is_some();
    let (mode, mode_display) = match (&on_server, from_env, &config) {
        (Some(s), true, _) => (
            "umgebung",
            format!("Zeitrechnung arbeitet mit der Datenbank {s}, festgelegt durch ZEITRECHNUNG_DATABASE_URL. Diese Einstellung hat Vorrang; die Felder unten gelten erst ohne sie."),
        ),
        (Some(s), false, Some(c)) => (
            "mehrplatz",
            format!(
                "Mehrplatz: Zeitrechnung arbeitet mit der Datenbank {s} (seit {}). Die Daten dieses PCs von vorher bleiben unverändert liegen.",
                crate::de::format::date_time(c.since)
            ),
        ),
        _ => (
            "einzelplatz",
            "Einzelplatz: Die Daten liegen nur auf diesem PC. Mit einem Datenbank-Server (PostgreSQL) im Büro können mehrere Arbeitsplätze mit denselben Daten arbeiten.".to_string(),
        ),
    };
    Ok(MehrplatzView {
        mode,
        mode_display,
        server: ServerFields::of(config.as_ref(), has_password),
        moved: config.and_then(|c| c.moved),
        seats: seats.iter().map(seat_line).collect(),
    })
}
