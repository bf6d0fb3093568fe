use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::{Channel, Request};
use tauri::State;

use super::args::{parse, Id, Input};
use crate::core::Core;
use crate::error::AppResult;
use crate::kunden::import::{self, ImportEvent, ImportSummary};
use crate::kunden::{self, CustomerDetail, CustomerInput, CustomerRow};

#[tauri::command]
pub async fn customers_list(core: State<'_, Arc<Core>>) -> AppResult<Vec<CustomerRow>> {
    kunden::list(&core).await
}

#[tauri::command]
pub async fn customer_get(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CustomerDetail> {
    let a: Id = parse(&request)?;
    kunden::get(&core, a.id).await
}

#[tauri::command]
pub async fn customer_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CustomerDetail> {
    let a: Input<CustomerInput> = parse(&request)?;
    kunden::save(&core, a.input).await
}

/// „Kunde löschen“ in the Kunden detail (undoable for 10 seconds).
#[tauri::command]
pub async fn customer_delete(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<crate::projekte::undo::Undoable> {
    let a: Id = parse(&request)?;
    kunden::delete::delete(&core, a.id).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TaxArgs {
    id: u64,
    tax_case: String,
    private_35a: bool,
}

/// The Steuerarten with their labels (the project form's list; the Kunden
/// detail gets them with the customer).
#[tauri::command]
pub async fn tax_cases_list() -> AppResult<Vec<kunden::TaxCaseChoice>> {
    Ok(kunden::tax_case_choices())
}

/// „Steuerart“ and „Privatkunde (§35a)“ in the Kunden detail.
#[tauri::command]
pub async fn customer_set_tax(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CustomerDetail> {
    let a: TaxArgs = parse(&request)?;
    kunden::set_tax(&core, a.id, a.tax_case, a.private_35a).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateArgs {
    id: u64,
    rate: String,
}

#[tauri::command]
pub async fn customer_set_rate(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CustomerDetail> {
    let a: RateArgs = parse(&request)?;
    kunden::set_rate(&core, a.id, a.rate).await
}

#[tauri::command]
pub async fn customer_open_lexoffice(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<()> {
    let a: Id = parse(&request)?;
    kunden::open_in_lexoffice(&core, a.id).await
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
        core.import.cancel_flag(),
    )
    .await
}

#[tauri::command]
pub fn customers_import_cancel(core: State<'_, Arc<Core>>) {
    core.import.cancel();
}
