use std::sync::Arc;

use tauri::State;

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

#[tauri::command]
pub async fn connect_lexoffice(
    core: State<'_, Arc<Core>>,
    api_key: String,
) -> AppResult<ConnectionStatus> {
    schnittstellen::connect(&core, api_key).await
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

#[tauri::command]
pub async fn save_rate(core: State<'_, Arc<Core>>, rate: String) -> AppResult<RateSettings> {
    schnittstellen::save_rate(&core, rate).await
}
