use std::sync::atomic::Ordering;
use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;

use crate::core::Core;
use crate::error::AppResult;
use crate::kunden::import::{self, ImportEvent, ImportSummary};
use crate::kunden::{self, CustomerDetail, CustomerInput, CustomerRow};

#[tauri::command]
pub async fn customers_list(core: State<'_, Arc<Core>>) -> AppResult<Vec<CustomerRow>> {
    kunden::list(&core).await
}

#[tauri::command]
pub async fn customer_get(core: State<'_, Arc<Core>>, id: u64) -> AppResult<CustomerDetail> {
    kunden::get(&core, id).await
}

#[tauri::command]
pub async fn customer_save(
    core: State<'_, Arc<Core>>,
    input: CustomerInput,
) -> AppResult<CustomerDetail> {
    kunden::save(&core, input).await
}

#[tauri::command]
pub async fn customer_set_rate(
    core: State<'_, Arc<Core>>,
    id: u64,
    rate: String,
) -> AppResult<CustomerDetail> {
    kunden::set_rate(&core, id, rate).await
}

#[tauri::command]
pub async fn customer_open_lexoffice(core: State<'_, Arc<Core>>, id: u64) -> AppResult<()> {
    kunden::open_in_lexoffice(&core, id).await
}

#[tauri::command]
pub async fn customers_import(
    core: State<'_, Arc<Core>>,
    on_event: Channel<ImportEvent>,
) -> AppResult<ImportSummary> {
    let core = core.inner().clone();
    import::run(
        &core,
        move |e| {
            let _ = on_event.send(e);
        },
        &core.import_cancel,
    )
    .await
}

#[tauri::command]
pub fn customers_import_cancel(core: State<'_, Arc<Core>>) {
    core.import_cancel.store(true, Ordering::SeqCst);
}
