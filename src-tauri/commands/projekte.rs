use std::sync::Arc;

use chrono::NaiveDate;
use tauri::State;

use crate::core::Core;
use crate::error::{AppError, AppResult};
use crate::projekte::csv_import::{self, CsvImportResult, CsvPreview};
use crate::projekte::{
    self, DeleteCheck, EntryView, ProjectDetail, ProjectInput, ProjectRow, ServiceInput, TimeInput,
};

#[tauri::command]
pub async fn projects_list(core: State<'_, Arc<Core>>) -> AppResult<Vec<ProjectRow>> {
    projekte::list(&core).await
}

#[tauri::command]
pub async fn project_get(core: State<'_, Arc<Core>>, id: u64) -> AppResult<ProjectDetail> {
    projekte::get(&core, id).await
}

#[tauri::command]
pub async fn project_save(
    core: State<'_, Arc<Core>>,
    input: ProjectInput,
) -> AppResult<ProjectDetail> {
    projekte::save(&core, input).await
}

#[tauri::command]
pub async fn project_delete(
    core: State<'_, Arc<Core>>,
    id: u64,
    confirmed: bool,
) -> AppResult<Option<DeleteCheck>> {
    projekte::delete(&core, id, confirmed).await
}

fn date_arg(field: &'static str, v: Option<String>) -> AppResult<Option<NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => projekte::parse::parse_date(s)
            .map(Some)
            .map_err(|m| AppError::validation(field, m)),
    }
}

#[tauri::command]
pub async fn entries_list(
    core: State<'_, Arc<Core>>,
    project_id: u64,
    from: Option<String>,
    to: Option<String>,
) -> AppResult<Vec<EntryView>> {
    let from = date_arg("Von", from)?;
    let to = date_arg("Bis", to)?;
    projekte::entries(&core, project_id, from, to).await
}

#[tauri::command]
pub async fn time_save(core: State<'_, Arc<Core>>, input: TimeInput) -> AppResult<EntryView> {
    projekte::save_time(&core, input).await
}

#[tauri::command]
pub async fn service_save(core: State<'_, Arc<Core>>, input: ServiceInput) -> AppResult<EntryView> {
    projekte::save_service(&core, input).await
}

#[tauri::command]
pub async fn entry_delete(core: State<'_, Arc<Core>>, id: u64) -> AppResult<()> {
    projekte::delete_entry(&core, id).await
}

#[tauri::command]
pub async fn csv_preview(core: State<'_, Arc<Core>>, path: String) -> AppResult<CsvPreview> {
    csv_import::preview(&core, path).await
}

#[tauri::command]
pub async fn csv_import(core: State<'_, Arc<Core>>, path: String) -> AppResult<CsvImportResult> {
    csv_import::import(&core, path).await
}

/// "Durchsuchen …": the native file dialog, opened from Rust so the webview
/// needs no dialog or file-system permission.
#[tauri::command]
pub async fn csv_pick_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
) -> AppResult<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title("CSV-Datei mit Zeiten und Leistungen wählen")
            .add_filter("CSV", &["csv", "txt"])
            .blocking_pick_file()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}
