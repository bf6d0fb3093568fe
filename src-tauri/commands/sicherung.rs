use std::sync::Arc;

use tauri::State;

use crate::core::Core;
use crate::error::{AppError, AppResult};
use crate::sicherung::{self, BackupInfo, BackupResult};
use crate::storage::BackupSummary;

#[tauri::command]
pub async fn backup_create(core: State<'_, Arc<Core>>, path: String) -> AppResult<BackupResult> {
    sicherung::create(&core, path).await
}

#[tauri::command]
pub async fn backup_inspect(path: String) -> AppResult<BackupSummary> {
    sicherung::inspect(path).await
}

#[tauri::command]
pub async fn backup_restore(core: State<'_, Arc<Core>>, path: String) -> AppResult<BackupResult> {
    sicherung::restore(&core, path).await
}

#[tauri::command]
pub async fn backup_info(core: State<'_, Arc<Core>>) -> AppResult<BackupInfo> {
    sicherung::info(&core).await
}

/// Native "save as" / "open" dialogs, opened from Rust (no dialog permission in the webview).
#[tauri::command]
pub async fn backup_pick_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    save: bool,
) -> AppResult<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let picked = tauri::async_runtime::spawn_blocking(move || {
        let d = app
            .dialog()
            .file()
            .add_filter("Zeitrechnung-Sicherung", &["json"]);
        if save {
            let name = format!(
                "zeitrechnung-sicherung-{}.json",
                chrono::Local::now().format("%Y-%m-%d")
            );
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
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}
