use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::Request;
use tauri::State;

use super::args::{parse, Id, Input};
use crate::abrechnung::{
    self, BillingSettingsInput, BillingSettingsView, EmployeeInput, EmployeeView, RoleInput,
    RoleView, RulesInput, RulesTarget, RulesView,
};
use crate::core::Core;
use crate::error::AppResult;

#[tauri::command]
pub async fn employees_list(core: State<'_, Arc<Core>>) -> AppResult<Vec<EmployeeView>> {
    abrechnung::employees(&core).await
}

#[tauri::command]
pub async fn employee_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<EmployeeView> {
    let a: Input<EmployeeInput> = parse(&request)?;
    abrechnung::save_employee(&core, a.input).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameArgs {
    name: String,
}

#[tauri::command]
pub async fn employee_match(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<abrechnung::EmployeeMatch> {
    let a: NameArgs = parse(&request)?;
    abrechnung::employee_match(&core, a.name).await
}

#[tauri::command]
pub async fn employee_merge(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<abrechnung::Merged> {
    let a: Input<abrechnung::MergeInput> = parse(&request)?;
    abrechnung::merge_employees(&core, a.input).await
}

#[tauri::command]
pub async fn roles_list(core: State<'_, Arc<Core>>) -> AppResult<Vec<RoleView>> {
    abrechnung::roles(&core).await
}

#[tauri::command]
pub async fn role_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Vec<RoleView>> {
    let a: Input<RoleInput> = parse(&request)?;
    abrechnung::save_role(&core, a.input).await
}

#[tauri::command]
pub async fn role_delete(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Vec<RoleView>> {
    let a: Id = parse(&request)?;
    abrechnung::delete_role(&core, a.id).await
}

#[tauri::command]
pub async fn billing_settings_get(core: State<'_, Arc<Core>>) -> AppResult<BillingSettingsView> {
    abrechnung::billing_settings(&core).await
}

#[tauri::command]
pub async fn billing_settings_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<BillingSettingsView> {
    let a: Input<BillingSettingsInput> = parse(&request)?;
    abrechnung::save_billing_settings(&core, a.input).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetArg {
    target: RulesTarget,
}

#[tauri::command]
pub async fn rate_rules_get(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<RulesView> {
    let a: TargetArg = parse(&request)?;
    abrechnung::rules(&core, a.target).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveRulesArgs {
    target: RulesTarget,
    input: RulesInput,
}

#[tauri::command]
pub async fn rate_rules_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<RulesView> {
    let a: SaveRulesArgs = parse(&request)?;
    abrechnung::save_rules(&core, a.target, a.input).await
}

#[tauri::command]
pub async fn invoice_style_get(
    core: State<'_, Arc<Core>>,
) -> AppResult<abrechnung::StyleSettingsView> {
    abrechnung::invoice_style(&core).await
}

#[tauri::command]
pub async fn invoice_style_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<abrechnung::StyleSettingsView> {
    let a: Input<abrechnung::StyleInput> = parse(&request)?;
    abrechnung::save_invoice_style(&core, a.input).await
}

#[tauri::command]
pub async fn tax_notes_get(core: State<'_, Arc<Core>>) -> AppResult<abrechnung::TaxNotesView> {
    abrechnung::tax_notes(&core).await
}

#[tauri::command]
pub async fn tax_notes_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<abrechnung::TaxNotesView> {
    let a: Input<abrechnung::TaxNotesInput> = parse(&request)?;
    abrechnung::save_tax_notes(&core, a.input).await
}

/// Einstellungen › Leistungen: the Leistungskatalog.
#[tauri::command]
pub async fn catalog_list(
    core: State<'_, Arc<Core>>,
) -> AppResult<Vec<abrechnung::catalog::CatalogRow>> {
    abrechnung::catalog::list(&core).await
}

#[tauri::command]
pub async fn catalog_save(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Vec<abrechnung::catalog::CatalogRow>> {
    let a: Input<abrechnung::catalog::CatalogInput> = parse(&request)?;
    abrechnung::catalog::save(&core, a.input).await
}

#[tauri::command]
pub async fn catalog_delete(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<Vec<abrechnung::catalog::CatalogRow>> {
    let a: Id = parse(&request)?;
    abrechnung::catalog::delete(&core, a.id).await
}

/// „Artikel aus lexoffice importieren“.
#[tauri::command]
pub async fn catalog_import(
    core: State<'_, Arc<Core>>,
) -> AppResult<abrechnung::catalog::ArticleImport> {
    abrechnung::catalog::import_articles(&core).await
}
