//! The „Abrechnung“ tab: the overview, „Mit lexoffice abgleichen“ and „Entwürfe erstellen“.
use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;

use crate::core::Core;
use crate::error::AppResult;
use crate::rechnung::{self, SyncResult, SyncView};
use crate::uebersicht::batch::{self, BatchProgress, BatchResult};
use crate::uebersicht::{self, Overview};

#[tauri::command]
pub async fn overview_get(core: State<'_, Arc<Core>>) -> AppResult<Overview> {
    uebersicht::overview(&core).await
}

/// „Mit lexoffice abgleichen“; `on_event` hears the status line while it runs.
#[tauri::command]
pub async fn lexoffice_sync(
    core: State<'_, Arc<Core>>,
    on_event: Channel<SyncView>,
) -> AppResult<SyncResult> {
    rechnung::sync_now(&core, &move |v| {
        let _ = on_event.send(v);
    })
    .await
}

#[tauri::command]
pub fn lexoffice_sync_status(core: State<'_, Arc<Core>>) -> SyncView {
    rechnung::tracker(&core).view()
}

#[tauri::command]
pub fn lexoffice_sync_cancel(core: State<'_, Arc<Core>>) {
    core.sync.cancel();
}

/// „Entwürfe erstellen“ for the selected projects, one after the other.
#[tauri::command]
pub async fn drafts_create(
    core: State<'_, Arc<Core>>,
    project_ids: Vec<u64>,
    on_event: Channel<BatchProgress>,
) -> AppResult<BatchResult> {
    let core = core.inner().clone();
    batch::run(
        &core,
        project_ids,
        move |p| {
            let _ = on_event.send(p);
        },
        core.batch.cancel_flag(),
    )
    .await
}

#[tauri::command]
pub fn drafts_create_cancel(core: State<'_, Arc<Core>>) {
    core.batch.cancel();
}
