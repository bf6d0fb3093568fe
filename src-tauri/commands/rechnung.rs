use std::sync::Arc;

use tauri::ipc::Request;
use tauri::State;

use super::args::{parse, Id, ProjectId, RequestArg};
use crate::core::Core;
use crate::error::AppResult;
use crate::rechnung::{self, CreatedDraft, DialogDefaults, InvoiceRequest, Preview, RecordView};

#[tauri::command]
pub async fn invoice_defaults(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<DialogDefaults> {
    let a: ProjectId = parse(&request)?;
    rechnung::defaults(&core, a.project_id).await
}

#[tauri::command]
pub async fn invoice_preview(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Preview> {
    let a: RequestArg<InvoiceRequest> = parse(&request)?;
    rechnung::preview(&core, a.request).await
}

#[tauri::command]
pub async fn invoice_create(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CreatedDraft> {
    let a: RequestArg<InvoiceRequest> = parse(&request)?;
    rechnung::create(&core, a.request).await
}

#[tauri::command]
pub async fn invoice_history(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Vec<RecordView>> {
    let a: ProjectId = parse(&request)?;
    rechnung::history(&core, a.project_id).await
}

/// The history after asking lexoffice what became of each draft.
#[tauri::command]
pub async fn invoice_history_sync(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Vec<RecordView>> {
    let a: ProjectId = parse(&request)?;
    rechnung::sync_history(&core, a.project_id).await
}

#[tauri::command]
pub async fn invoice_release(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<RecordView> {
    let a: Id = parse(&request)?;
    rechnung::release(&core, a.id).await
}

#[tauri::command]
pub async fn invoice_reconcile(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<RecordView> {
    let a: Id = parse(&request)?;
    rechnung::reconcile_record(&core, a.id).await
}

#[tauri::command]
pub async fn invoice_open(core: State<'_, Arc<Core>>, request: Request<'_>) -> AppResult<()> {
    let a: Id = parse(&request)?;
    rechnung::open_draft(&core, a.id).await
}
