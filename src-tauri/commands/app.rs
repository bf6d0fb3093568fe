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

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppMode {
    pub demo: bool,
}

/// The UI asks this first thing after it has loaded: the moment it is interactive.
#[tauri::command]
pub fn app_mode(core: State<'_, Arc<Core>>) -> AppMode {
    static LOGGED: std::sync::Once = std::sync::Once::new();
    LOGGED.call_once(|| {
        if let Some(t) = crate::STARTED.get() {
            log::info!(
                "interactive after {} ms (demo: {})",
                t.elapsed().as_millis(),
                core.demo
            );
        }
    });
    AppMode { demo: core.demo }
}

fn relaunch<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    demo: bool,
) -> crate::error::AppResult<()> {
    crate::demo::relaunch(demo).map_err(|e| {
        crate::error::AppError::Internal(format!(
            "Neustart fehlgeschlagen: {}",
            crate::error::io_de(&e)
        ))
    })?;
    app.exit(0);
    Ok(())
}

/// "Ohne lexoffice-Konto ausprobieren": restart in demo mode.
#[tauri::command]
pub fn demo_start<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> crate::error::AppResult<()> {
    relaunch(&app, true)
}

/// "Demo beenden": restart with the real data.
#[tauri::command]
pub fn demo_exit<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> crate::error::AppResult<()> {
    relaunch(&app, false)
}
