use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::Request;
use tauri::{Manager, State};

use super::args::{parse, Id, RequestArg};
use crate::core::{Core, PathChoice};
use crate::error::{AppError, AppResult};
use crate::stundennachweis::{self, SaveRequest, Saved};

/// The suggested file: the user's documents folder (else home) and a name
/// from project and period, as a token and the text to show.
#[tauri::command]
pub async fn timesheet_suggest<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<PathChoice> {
    let a: Id = parse(&request)?;
    let dir = app
        .path()
        .document_dir()
        .ok()
        .filter(|d| d.is_dir())
        .or_else(|| app.path().home_dir().ok());
    stundennachweis::suggest(&core, a.id, dir).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PickArgs {
    /// The file chosen so far (the dialog starts there).
    token: String,
}

/// Native "save as" dialog, opened from Rust (no dialog permission in the
/// webview): the only way to another file than the suggested one.
#[tauri::command]
pub async fn timesheet_pick<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Option<PathChoice>> {
    use tauri_plugin_dialog::DialogExt;
    let a: PickArgs = parse(&request)?;
    let current = core.chosen.path(&a.token).unwrap_or_default();
    let name = current
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("Stundennachweis.pdf")
        .to_string();
    if let Some(answer) = crate::core::test_save_answer(&name) {
        return Ok(Some(core.chosen.choose(answer)));
    }
    let picked = tauri::async_runtime::spawn_blocking(move || {
        let mut d = app
            .dialog()
            .file()
            .add_filter("PDF", &["pdf"])
            .set_title("Stundennachweis speichern");
        if let Some(dir) = current.parent().filter(|p| p.is_dir()) {
            d = d.set_directory(dir);
        }
        d = d.set_file_name(&name);
        d.blocking_save_file()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| core.chosen.choose(p)))
}

#[tauri::command]
pub async fn timesheet_save(core: State<'_, Arc<Core>>, request: Request<'_>) -> AppResult<Saved> {
    let a: RequestArg<SaveRequest> = parse(&request)?;
    stundennachweis::save(&core, a.request).await
}
