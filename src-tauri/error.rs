//! The one error type of the app. It reaches the webview as `{kind, message}`
//! (plus `field` for validation errors) with a German message a clerk can act on.
//! Messages never contain the API key: nothing here ever holds it.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input rejected at a field; `field` names the form field (its label).
    #[error("{message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    /// No API key stored yet.
    #[error("Noch keine Verbindung zu lexoffice. Bitte unter Einstellungen › Schnittstellen einen API-Key eintragen.")]
    NotConnected,
    /// The OS keyring (Secret Service, Keychain, Credential Manager) cannot be used.
    #[error("Der Schlüsselbund des Systems ist nicht verfügbar, daher kann der API-Key nicht sicher gespeichert werden. {0}")]
    Keyring(String),
    /// lexoffice's answer, or its absence, as `lexoffice/` put it (its own kind:
    /// `offline`, `rateLimited`, `unauthorized`, …; `From<LexofficeError>` lives
    /// in `lexoffice/error.rs`).
    #[error("{message}")]
    Lexoffice { kind: &'static str, message: String },
    /// The local database failed.
    #[error("Die Daten konnten nicht gespeichert oder gelesen werden ({0}). Bitte die App neu starten; bleibt der Fehler, den Speicherplatz prüfen.")]
    Storage(String),
    /// A local record that is gone (deleted meanwhile).
    #[error("{0}")]
    NotFound(String),
    /// An invoice attempt whose outcome is not known yet.
    #[error("{0}")]
    Unclear(String),
    /// lexoffice refused a record for a reason we can explain better than its
    /// status text (e.g. a contact with several entries in one list).
    #[error("{0}")]
    Rejected(String),
    /// The same long job is already running.
    #[error("{0}")]
    Busy(String),
    /// The user stopped a long job („Abbrechen“).
    #[error("{0}")]
    Cancelled(String),
    /// Misconfiguration (env variables).
    #[error("{0}")]
    Config(String),
    /// Opening a URL in the browser failed or was refused.
    #[error("{0}")]
    Opener(String),
    #[error("Interner Fehler: {0}")]
    Internal(String),
    /// Saving needs a yes first (e.g. „Neuen Mitarbeiter „…“ anlegen?“); the
    /// form asks and sends again with the answer.
    #[error("{message}")]
    Confirm {
        field: &'static str,
        message: String,
    },
}

impl AppError {
    pub fn validation(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Validation {
            field,
            message: message.into(),
        }
    }

    /// Stable machine-readable kind, pinned by tests and used by the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation",
            AppError::NotConnected => "notConnected",
            AppError::Keyring(_) => "keyring",
            AppError::Lexoffice { kind, .. } => kind,
            AppError::Storage(_) => "storage",
            AppError::NotFound(_) => "notFound",
            AppError::Busy(_) => "busy",
            AppError::Unclear(_) => "unclear",
            AppError::Rejected(_) => "rejected",
            AppError::Cancelled(_) => "cancelled",
            AppError::Config(_) => "config",
            AppError::Opener(_) => "opener",
            AppError::Internal(_) => "internal",
            AppError::Confirm { .. } => "confirm",
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let field = match self {
            AppError::Validation { field, .. } | AppError::Confirm { field, .. } => Some(*field),
            _ => None,
        };
        let mut s = serializer.serialize_struct("AppError", if field.is_some() { 3 } else { 2 })?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        if let Some(f) = field {
            s.serialize_field("field", f)?;
        }
        s.end()
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Storage(format!("Datenformat: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A file-system error in German (the OS text is English).
pub fn io_de(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "Die Datei oder der Ordner existiert nicht",
        PermissionDenied => "Keine Berechtigung",
        AlreadyExists => "Die Datei existiert bereits",
        IsADirectory => "Das ist ein Ordner, keine Datei",
        NotADirectory => "Ein Teil des Pfads ist kein Ordner",
        StorageFull => "Der Datenträger ist voll",
        ReadOnlyFilesystem => "Der Datenträger ist schreibgeschützt",
        InvalidData | InvalidInput => "Der Inhalt ist ungültig",
        _ => "Zugriff fehlgeschlagen",
    }
}

/// What a serde error says about a field, read from its (English) text, so the
/// German message can name the field.
pub enum SerdeProblem {
    Missing(String),
    Unknown(String),
    Other,
}

pub fn serde_problem(msg: &str) -> SerdeProblem {
    let name = |rest: &str| rest.split('`').next().unwrap_or("").to_string();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        SerdeProblem::Missing(name(rest))
    } else if let Some(rest) = msg.strip_prefix("unknown field `") {
        SerdeProblem::Unknown(name(rest))
    } else {
        SerdeProblem::Other
    }
}
