use std::sync::Arc;

use tauri::State;

use crate::core::Core;
use crate::error::AppResult;
use crate::rechnung::{self, CreatedDraft, DialogDefaults, InvoiceRequest, Preview, RecordView};

#[tauri::command]
pub async fn invoice_defaults(
    core: State<'_, Arc<Core>>,
    project_id: u64,
) -> AppResult<DialogDefaults> {
    rechnung::defaults(&core, project_id).await
}

#[tauri::command]
pub async fn invoice_preview(
    core: State<'_, Arc<Core>>,
    request: InvoiceRequest,
) -> AppResult<Preview> {
    rechnung::preview(&core, request).await
}

#[tauri::command]
pub async fn invoice_create(
    core: State<'_, Arc<Core>>,
    request: InvoiceRequest,
) -> AppResult<CreatedDraft> {
    rechnung::create(&core, request).await
}

#[tauri::command]
pub async fn invoice_history(
    core: State<'_, Arc<Core>>,
    project_id: u64,
) -> AppResult<Vec<RecordView>> {
    rechnung::history(&core, project_id).await
}

#[tauri::command]
pub async fn invoice_release(core: State<'_, Arc<Core>>, id: u64) -> AppResult<RecordView> {
    rechnung::release(&core, id).await
}

#[tauri::command]
pub async fn invoice_reconcile(core: State<'_, Arc<Core>>, id: u64) -> AppResult<RecordView> {
    rechnung::reconcile_record(&core, id).await
}

#[tauri::command]
pub async fn invoice_open(core: State<'_, Arc<Core>>, id: u64) -> AppResult<()> {
    rechnung::open_draft(&core, id).await
}
