use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::Request;
use tauri::State;

use super::args::parse;
use crate::core::Core;
use crate::error::AppResult;
use crate::schnittstellen::{self, ConnectionStatus, RateSettings};

#[tauri::command]
pub async fn connection_status(core: State<'_, Arc<Core>>) -> AppResult<ConnectionStatus> {
    schnittstellen::status(&core).await
}

#[tauri::command]
pub async fn connection_refresh(core: State<'_, Arc<Core>>) -> AppResult<ConnectionStatus> {
    schnittstellen::refresh(&core).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ConnectArgs {
    api_key: String,
}

#[tauri::command]
pub async fn connect_lexoffice(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<ConnectionStatus> {
    let args: ConnectArgs = parse(&request)?;
    schnittstellen::connect(&core, args.api_key).await
}

#[tauri::command]
pub async fn disconnect_lexoffice(core: State<'_, Arc<Core>>) -> AppResult<ConnectionStatus> {
    schnittstellen::disconnect(&core).await
}

#[tauri::command]
pub async fn open_key_page(core: State<'_, Arc<Core>>) -> AppResult<()> {
    schnittstellen::open_key_page(&core).await
}

#[tauri::command]
pub async fn get_rate(core: State<'_, Arc<Core>>) -> AppResult<RateSettings> {
    schnittstellen::rate(&core).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RateArgs {
    rate: String,
    /// „gültig ab“, empty = since always.
    #[serde(default)]
    valid_from: String,
    /// The rate's version as the form was opened (`RateSettings::version`).
    #[serde(default)]
    version: Option<String>,
}

#[tauri::command]
pub async fn save_rate(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<RateSettings> {
    let args: RateArgs = parse(&request)?;
    schnittstellen::save_rate_from(&core, args.rate, args.valid_from, args.version).await
}
