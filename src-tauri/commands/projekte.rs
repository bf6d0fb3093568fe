use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use tauri::ipc::Request;
use tauri::State;

use super::args::{parse, CsvArgs, Id, Input};
use crate::core::Core;
use crate::error::{AppError, AppResult};
use crate::projekte::csv_import::{self, CsvImportResult, CsvPreview};
use crate::projekte::{
    self, EntryList, ProjectDetail, ProjectInput, ProjectRow, ServiceEntryView, ServiceInput,
    TimeEntryView, TimeInput,
};

#[tauri::command]
pub async fn projects_list(core: State<'_, Arc<Core>>) -> AppResult<Vec<ProjectRow>> {
    projekte::list(&core).await
}

#[tauri::command]
pub async fn project_get(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<ProjectDetail> {
    let a: Id = parse(&request)?;
    projekte::get(&core, a.id).await
}

#[tauri::command]
pub async fn project_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<ProjectDetail> {
    let a: Input<ProjectInput> = parse(&request)?;
    projekte::save(&core, a.input).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteArgs {
    id: u64,
    confirmed: bool,
}

#[tauri::command]
pub async fn project_delete(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<projekte::ProjectDeletion> {
    let a: DeleteArgs = parse(&request)?;
    projekte::delete(&core, a.id, a.confirmed).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusArgs {
    id: u64,
    status: String,
}

#[tauri::command]
pub async fn project_set_status(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<ProjectDetail> {
    let a: StatusArgs = parse(&request)?;
    projekte::set_status(&core, a.id, &a.status).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DateArgs {
    text: String,
}

/// A date field left: the full date understood („29.12.“ → „29.12.2026“).
#[tauri::command]
pub async fn date_understood(request: Request<'_>) -> AppResult<String> {
    let a: DateArgs = parse(&request)?;
    crate::de::parse::date_understood(&a.text).map_err(|m| AppError::validation("Datum", m))
}

fn date_arg(
    field: &'static str,
    key: &'static str,
    v: Option<String>,
) -> AppResult<Option<NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => crate::de::parse::parse_date_typed(s, crate::de::clock::today_berlin())
            .map(Some)
            .map_err(|m| AppError::validation(field, m).at(key)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EntriesArgs {
    project_id: u64,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    /// Only the newest N entries (the project view asks for 1,000).
    #[serde(default)]
    limit: Option<usize>,
}

#[tauri::command]
pub async fn entries_list(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<EntryList> {
    let a: EntriesArgs = parse(&request)?;
    let from = date_arg("Von", "from", a.from)?;
    let to = date_arg("Bis", "to", a.to)?;
    projekte::entries_limited(&core, a.project_id, from, to, a.limit).await
}

#[tauri::command]
pub async fn time_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<TimeEntryView> {
    let a: Input<TimeInput> = parse(&request)?;
    projekte::save_time(&core, a.input).await
}

#[tauri::command]
pub async fn service_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<ServiceEntryView> {
    let a: Input<ServiceInput> = parse(&request)?;
    projekte::save_service(&core, a.input).await
}

#[tauri::command]
pub async fn entry_delete(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<projekte::undo::Undoable> {
    let a: Id = parse(&request)?;
    projekte::delete_entry(&core, a.id).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UndoArgs {
    undo: u64,
}

/// „Rückgängig“ after a deletion or an edit.
#[tauri::command]
pub async fn undo(core: State<'_, Arc<Core>>, request: Request<'_>) -> AppResult<String> {
    let a: UndoArgs = parse(&request)?;
    projekte::undo::undo(&core, a.undo).await
}

#[tauri::command]
pub async fn csv_preview(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CsvPreview> {
    let a: CsvArgs = parse(&request)?;
    csv_import::preview(&core, a.path, a.mapping, a.page).await
}

#[tauri::command]
pub async fn csv_import(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CsvImportResult> {
    let a: CsvArgs = parse(&request)?;
    csv_import::import(&core, a.path, a.mapping).await
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
            .set_title("Datei mit Zeiten und Leistungen wählen")
            .add_filter(
                "CSV oder Tabelle",
                &["csv", "txt", "xlsx", "xlsm", "xls", "ods"],
            )
            .blocking_pick_file()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// Projekte › Stundenzettel, „Bereits erfasst“: the employee's times in the
/// week (or month) of a day.
#[tauri::command]
pub async fn sheet_period(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<crate::projekte::sheet::SheetPeriod> {
    let a: SheetArgs = parse(&request)?;
    let who = match a.project_id {
        Some(id) => crate::projekte::sheet::SheetFor::Project(id),
        None => crate::projekte::sheet::SheetFor::Employee(a.employee),
    };
    crate::projekte::sheet::sheet_period(&core, who, a.day, a.month).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct SheetArgs {
    #[serde(default)]
    employee: String,
    /// The sheet of one project (its subprojects included), every employee.
    #[serde(default)]
    project_id: Option<u64>,
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: bool,
}
