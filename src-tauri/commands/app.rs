use std::sync::Arc;

use serde::Serialize;
use tauri::State;

use crate::core::Core;
use crate::paths;

/// Shown in "Über Zeitrechnung".
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub description: &'static str,
    pub data_dir: Option<String>,
    pub log_dir: Option<String>,
    pub backup_dir: Option<String>,
    pub lexoffice_api: Option<String>,
}

#[tauri::command]
pub fn app_info(core: State<'_, Arc<Core>>) -> AppInfo {
    let data = core.data_dir.clone();
    AppInfo {
        name: "Zeitrechnung",
        version: env!("CARGO_PKG_VERSION"),
        description: env!("CARGO_PKG_DESCRIPTION"),
        data_dir: data.as_ref().map(|d| d.display().to_string()),
        log_dir: data
            .as_ref()
            .map(|d| paths::log_dir(d).display().to_string()),
        backup_dir: core.backup_dir.as_ref().map(|d| d.display().to_string()),
        lexoffice_api: core.urls().ok().map(|u| u.api.to_string()),
    }
}
