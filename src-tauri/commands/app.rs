use serde::Serialize;

/// Shown in "Über Zeitrechnung".
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: &'static str,
    pub version: &'static str,
}

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo {
        name: "Zeitrechnung",
        version: env!("CARGO_PKG_VERSION"),
    }
}
