//! The one error type of the app. It reaches the webview as `{kind, message}`
//! (plus `field`, the German label, and `fieldKey`, the form's key, for
//! validation errors and questions) with a German message a clerk can act on.
//! Messages never contain the API key: nothing here ever holds it.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input rejected at a field; `field` names the form field by its label,
    /// `key` by the key the form and the command's JSON use (`FIELDS`).
    #[error("{message}")]
    Validation {
        field: &'static str,
        key: &'static str,
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
    /// The database server cannot be reached or refused the connection.
    #[error("{0}")]
    Database(String),
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
    /// The office's database takes no more writes from this seat: another
    /// seat chose „Zurück zu Einzelplatz“, or a newer Zeitrechnung changed
    /// the tables. Reachable, so not `Database`; nothing will change by waiting.
    #[error("{0}")]
    Stopped(String),
    /// A save refused: the record changed since the form was opened (on the
    /// office's server: at another seat). The window shows the new state.
    #[error("{0}")]
    Changed(String),
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
            key: field_key(field),
            message: message.into(),
        }
    }

    /// The same error at the field `key`, where its label is shared by
    /// fields of other forms (the period's „Von“ is `from`, a time's `start`).
    pub fn at(self, key: &'static str) -> Self {
        match self {
            AppError::Validation { field, message, .. } => AppError::Validation {
                field,
                key,
                message,
            },
            other => other,
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
            AppError::Database(_) => "database",
            AppError::NotFound(_) => "notFound",
            AppError::Busy(_) => "busy",
            AppError::Changed(_) => "changed",
            AppError::Stopped(_) => "stopped",
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
            AppError::Validation { field, key, .. } => Some((*field, *key)),
            AppError::Confirm { field, .. } => Some((*field, field_key(field))),
            _ => None,
        };
        let mut s = serializer.serialize_struct("AppError", if field.is_some() { 4 } else { 2 })?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        if let Some((label, key)) = field {
            s.serialize_field("field", label)?;
            s.serialize_field("fieldKey", key)?;
        }
        s.end()
    }
}

/// Every field an error can name: (the key the forms and the commands' JSON
/// use, the German label the form shows). The UI places an error by its key,
/// never by the label's text. Where keys share a label, the first is the one
/// an error with that label carries (the forms use that key).
pub const FIELDS: &[(&str, &str)] = &[
    ("apiKey", "API-Key"),
    ("host", "Server"),
    ("port", "Port"),
    ("database", "Datenbank"),
    ("user", "Benutzer"),
    ("password", "Passwort"),
    ("certificate", "Zertifikat"),
    ("rate", "Stundensatz"),
    ("hourlyRate", "Stundensatz"),
    ("rates", "Stundensatz"),
    ("listed", "Stundensatz"),
    ("name", "Name"),
    ("name", "Bezeichnung"),
    ("number", "Nummer"),
    ("zip", "PLZ"),
    ("city", "Ort"),
    ("street", "Straße"),
    ("supplement", "Adresszusatz"),
    ("countryCode", "Land"),
    ("email", "E-Mail"),
    ("phone", "Telefon"),
    ("contactPerson", "Ansprechpartner"),
    ("kind", "Art"),
    ("art", "Art"),
    ("date", "Datum"),
    ("day", "Datum"),
    ("employee", "Mitarbeiter"),
    ("start", "Von"),
    ("from", "Von"),
    ("end", "Bis"),
    ("to", "Bis"),
    ("break", "Pause"),
    ("duration", "Dauer"),
    ("description", "Beschreibung"),
    ("quantity", "Menge"),
    ("unit", "Einheit"),
    ("hourUnit", "Einheit"),
    ("unitPrice", "Einzelpreis"),
    ("taxRate", "Steuersatz"),
    ("billable", "abrechenbar"),
    ("projectId", "Projekt"),
    ("customerId", "Kunde"),
    ("parentId", "Hauptprojekt"),
    ("status", "Status"),
    ("listSubprojects", "Unterprojekte einzeln auflisten"),
    ("path", "Datei"),
    ("current", "Datei"),
    ("mapping", "Spaltenzuordnung"),
    ("columns", "Spaltenzuordnung"),
    ("dateOrder", "Datumsformat"),
    ("month", "Zeitraum"),
    ("id", "Datensatz"),
    ("recordId", "Datensatz"),
    ("confirmed", "Bestätigung"),
    ("save", "Dialog"),
    ("limit", "Anzahl"),
    ("roleId", "Rolle"),
    ("validFrom", "gültig ab"),
    ("active", "aktiv"),
    ("exactHours", "Stunden exakt (4 Nachkommastellen)"),
    ("step", "Abrechnungstakt"),
    ("mode", "Runden"),
    ("scope", "Anwenden auf"),
    ("minimum", "Mindestens"),
    ("roleRates", "Stundensätze je Rolle"),
    ("rateChanges", "Stundensatz ändern ab"),
    ("layout", "Aufstellung"),
    ("lineText", "Positionstext"),
    ("title", "Titel"),
    ("introduction", "Einleitung"),
    ("remark", "Schlusstext"),
    (
        "goodwillUnbillable",
        "Nicht abrechenbare Zeiten als Kulanz zeigen",
    ),
    ("remember", "Für diesen Kunden merken"),
    ("edits", "Position"),
    ("extraLines", "Position"),
    ("values", "Position"),
    ("key", "Position"),
    ("action", "Position"),
    ("csv", "zusätzlich als CSV (für Excel)"),
    ("undo", "Rückgängig"),
    ("taxCase", "Steuerart"),
    ("into", "Zusammenführen mit"),
    ("private35a", "Privatkunde (§35a)"),
    ("vatId", "USt-IdNr."),
    ("pushMode", "Übertragung"),
    ("contactId", "lexoffice-Kontakt"),
    ("version", "Version"),
    ("taxNote", "Hinweis zur Steuerart"),
    ("construction13b", "Hinweis zur Steuerart"),
    ("euService", "Hinweis zur Steuerart"),
    ("thirdCountry", "Hinweis zur Steuerart"),
    ("exempt", "Hinweis zur Steuerart"),
    ("photovoltaic", "Hinweis zur Steuerart"),
    ("number", "Kundennummer"),
    ("number", "Projektnummer"),
    ("invoice", "Rechnung"),
    ("entry", "Eintrag"),
    ("projects", "Projekte"),
    ("backupFile", "Sicherungsdatei"),
    ("backup", "Sicherung"),
    ("timesheet", "Stundennachweis"),
    ("startup", "Start"),
    ("input", "Eingabe"),
];

/// The key of the field labelled `label` (`"input"`, the whole form, for a
/// label not in [`FIELDS`]; a test keeps every label of the code in it).
pub fn field_key(label: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(_, l)| *l == label)
        .map_or("input", |(k, _)| k)
}

/// The German label of the JSON field `key` („Eingabe“ for one not in [`FIELDS`]).
pub fn field_label(key: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("Eingabe", |(_, l)| l)
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
