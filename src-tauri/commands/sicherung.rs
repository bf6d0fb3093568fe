use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::Request;
use tauri::State;

use super::args::{parse, PathArg, RestoreArgs};
use crate::core::{Core, PathChoice};
use crate::error::{AppError, AppResult};
use crate::sicherung::{self, BackupInfo, BackupResult};
use crate::storage::BackupSummary;

#[tauri::command]
pub async fn backup_create(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<BackupResult> {
    // A token of a file Rust chose („Durchsuchen …“): never a path the window made up.
    let a: PathArg = parse(&request)?;
    let path = core.chosen.path(&a.path)?;
    sicherung::create(&core, path.display().to_string()).await
}

#[tauri::command]
pub async fn backup_inspect(request: Request<'_>) -> AppResult<BackupSummary> {
    let a: PathArg = parse(&request)?;
    sicherung::inspect(a.path).await
}

#[tauri::command]
pub async fn backup_restore(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<BackupResult> {
    let a: RestoreArgs = parse(&request)?;
    sicherung::restore(&core, a.path, a.repair).await
}

#[tauri::command]
pub async fn backup_info(core: State<'_, Arc<Core>>) -> AppResult<BackupInfo> {
    sicherung::info(&core).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PickArgs {
    save: bool,
}

/// Native "save as" / "open" dialogs, opened from Rust (no dialog permission
/// in the webview). A file to write comes back as a token (`PathChoice`); a
/// file to read as its path.
#[tauri::command]
pub async fn backup_pick_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Option<PathChoice>> {
    use tauri_plugin_dialog::DialogExt;
    let a: PickArgs = parse(&request)?;
    let save = a.save;
    let name = format!(
        "zeitrechnung-sicherung-{}.json",
        chrono::Local::now().format("%Y-%m-%d")
    );
    if save {
        if let Some(answer) = crate::core::test_save_answer(&name) {
            return Ok(Some(core.chosen.choose(answer)));
        }
    }
    let picked = tauri::async_runtime::spawn_blocking(move || {
        let d = app
            .dialog()
            .file()
            .add_filter("Zeitrechnung-Sicherung", &["json"]);
        if save {
            d.set_title("Sicherung speichern")
                .set_file_name(name)
                .blocking_save_file()
        } else {
            d.set_title("Sicherung wiederherstellen")
                .blocking_pick_file()
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(picked.and_then(|p| p.into_path().ok()).map(|p| {
        if save {
            core.chosen.choose(p)
        } else {
            PathChoice {
                token: String::new(),
                display: p.display().to_string(),
            }
        }
    }))
}

/// „Ordner wählen …“ for the copies of the automatic backups: Rust's folder
/// dialog (in debug builds the real-window tests' answer).
#[tauri::command]
pub async fn backup_copy_folder_pick<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
) -> AppResult<BackupInfo> {
    use tauri_plugin_dialog::DialogExt;
    let picked = match crate::core::test_save_answer("") {
        Some(dir) => Some(dir),
        None => tauri::async_runtime::spawn_blocking(move || {
            app.dialog()
                .file()
                .set_title("Ordner für Kopien der automatischen Sicherungen")
                .blocking_pick_folder()
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .and_then(|p| p.into_path().ok()),
    };
    match picked {
        Some(dir) => sicherung::set_copy_folder(&core, Some(dir)).await,
        None => sicherung::info(&core).await,
    }
}

/// „Keine Kopie“.
#[tauri::command]
pub async fn backup_copy_folder_clear(core: State<'_, Arc<Core>>) -> AppResult<BackupInfo> {
    sicherung::set_copy_folder(&core, None).await
}
