//! Command arguments parsed by us, not by Tauri, so that a wrong type, a
//! missing or an unknown field is answered like any other input problem: a
//! `validation` error with a German message that names the field.

use serde::de::DeserializeOwned;
use tauri::ipc::{InvokeBody, Request};

use crate::error::{AppError, AppResult};

/// German labels of the JSON fields the commands take (one table for both
/// directions: `error::FIELDS`).
fn label(json_field: &str) -> &'static str {
    crate::error::field_label(json_field)
}

fn expected(msg: &str) -> &'static str {
    let m = msg.split("expected").nth(1).unwrap_or("");
    if m.contains("string") || m.contains("char") {
        "Text"
    } else if m.contains("bool") {
        "ja/nein"
    } else if m.contains("u64") || m.contains("integer") || m.contains("u32") || m.contains("i64") {
        "eine ganze Zahl"
    } else if m.contains("struct") || m.contains("map") {
        "ein Formular"
    } else {
        "einen anderen Wert"
    }
}

fn last_field(path: &serde_path_to_error::Path) -> String {
    path.iter()
        .rev()
        .find_map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// Parses the command's JSON arguments into `T`, in German when it fails.
pub fn parse<T: DeserializeOwned>(request: &Request<'_>) -> AppResult<T> {
    let value = match request.body() {
        InvokeBody::Json(v) => v.clone(),
        InvokeBody::Raw(_) => {
            return Err(AppError::validation(
                "Eingabe",
                "Die Anfrage hat ein unerwartetes Format und wurde nicht verarbeitet.",
            ))
        }
    };
    parse_value(value)
}

pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> AppResult<T> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let field = last_field(e.path());
        let msg = e.inner().to_string();
        match crate::error::serde_problem(&msg) {
            crate::error::SerdeProblem::Unknown(unknown) => {
                return AppError::validation(
                    "Eingabe",
                    format!("Unbekanntes Feld „{unknown}“: Die Eingabe wurde nicht gespeichert."),
                )
            }
            crate::error::SerdeProblem::Missing(missing) => {
                let l = label(&missing);
                return AppError::validation(l, format!("{l}: Angabe fehlt."));
            }
            crate::error::SerdeProblem::Other => {}
        }
        let l = label(&field);
        AppError::validation(
            l,
            format!("{l}: falscher Datentyp, erwartet {}.", expected(&msg)),
        )
    })
}

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Id {
    pub id: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input<T> {
    pub input: T,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathArg {
    pub path: String,
}

/// „Sicherung wiederherstellen“; `repair` after „Reparieren und wiederherstellen“.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreArgs {
    pub path: String,
    #[serde(default)]
    pub repair: bool,
}

/// A file to import and, when its columns are not ours, their Spaltenzuordnung.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvArgs {
    pub path: String,
    #[serde(default)]
    pub mapping: Option<crate::projekte::columns::MappingInput>,
    /// The preview's page (0-based; `csv_preview` only).
    #[serde(default)]
    pub page: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProjectId {
    pub project_id: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestArg<T> {
    pub request: T,
}
