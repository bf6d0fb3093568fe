use std::sync::Arc;

use serde::Serialize;
use tauri::State;

use tauri::Manager;

use crate::core::Core;
use crate::error::{AppError, AppResult};
use crate::paths;
use crate::startup::{self, FailedStart, StartupFailure};

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
    /// Set when the start failed: the UI shows the failure screen instead of the app.
    pub startup_failure: Option<StartupFailure>,
}

/// The UI asks this first thing after it has loaded: the moment it is interactive.
#[tauri::command]
pub fn app_mode<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> AppMode {
    let demo = app.try_state::<Arc<Core>>().is_some_and(|c| c.demo);
    let startup_failure = app.try_state::<FailedStart>().map(|f| f.failure.clone());
    static LOGGED: std::sync::Once = std::sync::Once::new();
    LOGGED.call_once(|| {
        if let Some(t) = crate::STARTED.get() {
            let ms = t.elapsed().as_millis();
            if startup_failure.is_some() {
                log::info!("failure screen interactive after {ms} ms");
            } else {
                log::info!("interactive after {ms} ms (demo: {demo})");
            }
        }
    });
    AppMode {
        demo,
        startup_failure,
    }
}

fn failed_start<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
) -> AppResult<tauri::State<'_, FailedStart>> {
    app.try_state::<FailedStart>()
        .ok_or_else(|| AppError::validation("Start", "Zeitrechnung ist normal gestartet."))
}

/// „Datenordner öffnen“ on the failure screen (the nearest existing folder).
#[tauri::command]
pub async fn startup_open_data_dir<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> AppResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let dir = failed_start(&app)?
        .data_dir
        .as_deref()
        .and_then(startup::folder_to_show)
        .ok_or_else(|| {
            AppError::Opener("Es gibt keinen Datenordner, der geöffnet werden könnte.".into())
        })?;
    let app2 = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        app2.opener()
            .open_path(dir.display().to_string(), None::<&str>)
            .map_err(|e| {
                log::warn!("opening the data dir failed: {e}");
                AppError::Opener(format!(
                    "Der Ordner konnte nicht geöffnet werden. Er liegt hier: {}",
                    dir.display()
                ))
            })
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RestoreArgs {
    path: String,
}

/// „Sicherung wiederherstellen“ on the failure screen: the damaged database is
/// moved aside, the backup restored, and the app starts again.
#[tauri::command]
pub async fn startup_restore<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    request: tauri::ipc::Request<'_>,
) -> AppResult<()> {
    let a: RestoreArgs = super::args::parse(&request)?;
    let failed = failed_start(&app)?.inner().clone();
    let demo = failed.demo;
    crate::core::blocking(move || failed.restore(&a.path)).await?;
    relaunch(&app, demo)
}

/// „Erneut versuchen“ on the failure screen (the database server was not
/// reachable): the app starts again and connects anew.
#[tauri::command]
pub fn startup_retry<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> AppResult<()> {
    let demo = failed_start(&app)?.demo;
    relaunch(&app, demo)
}

fn server_passwords() -> crate::secrets::OsKeyring {
    crate::secrets::OsKeyring::new(
        crate::secrets::KEYRING_SERVICE,
        crate::secrets::KEYRING_DB_USER,
    )
}

fn failed_data_dir<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> AppResult<std::path::PathBuf> {
    failed_start(app)?
        .data_dir
        .clone()
        .ok_or_else(|| AppError::Internal("kein Datenordner".into()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerFormArgs {
    form: crate::mehrplatz::MehrplatzForm,
}

/// „Verbindung prüfen“ on the failure screen's Mehrplatz fields.
#[tauri::command]
pub async fn startup_server_check(
    request: tauri::ipc::Request<'_>,
) -> AppResult<crate::mehrplatz::CheckView> {
    let a: ServerFormArgs = super::args::parse(&request)?;
    crate::core::blocking(move || {
        let address = crate::mehrplatz::address_of(&a.form, &server_passwords())?;
        crate::mehrplatz::check(&address)
    })
    .await
}

/// „Speichern und neu starten“ on the failure screen: the corrected server
/// fields are checked, kept, and the app starts again with them.
#[tauri::command]
pub async fn startup_server_save<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    request: tauri::ipc::Request<'_>,
) -> AppResult<()> {
    let a: ServerFormArgs = super::args::parse(&request)?;
    let dir = failed_data_dir(&app)?;
    let demo = failed_start(&app)?.demo;
    crate::core::blocking(move || {
        crate::mehrplatz::change_server(&dir, &a.form, &server_passwords())
    })
    .await?;
    relaunch(&app, demo)
}

/// „Mit den Daten dieses PCs starten“ on the failure screen: this PC forgets
/// the server and starts with its local data.
#[tauri::command]
pub async fn startup_use_local<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> AppResult<()> {
    let dir = failed_data_dir(&app)?;
    let demo = failed_start(&app)?.demo;
    crate::core::blocking(move || crate::mehrplatz::use_local(&dir, &server_passwords())).await?;
    relaunch(&app, demo)
}

/// „Beenden“ on the failure screen.
#[tauri::command]
pub fn startup_quit<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    app.exit(0);
}

pub(super) fn relaunch<R: tauri::Runtime>(
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
