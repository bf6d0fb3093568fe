//! Einstellungen › Mehrplatz. A switch of the database restarts the app
//! right after its answer (nothing running keeps the old database).

use std::sync::Arc;

use serde::Deserialize;
use tauri::ipc::Request;
use tauri::State;

use super::args::parse;
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::mehrplatz::{self, CheckView, DatabaseHealth, MehrplatzForm, MehrplatzView, SwitchView};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormArgs {
    form: MehrplatzForm,
}

#[tauri::command]
pub async fn mehrplatz_status(core: State<'_, Arc<Core>>) -> AppResult<MehrplatzView> {
    let core = core.inner().clone();
    blocking(move || {
        let dir = core
            .data_dir
            .clone()
            .ok_or_else(|| AppError::Internal("kein Datenordner".into()))?;
        let has_password = core.db_password.load_password().ok().flatten().is_some();
        let seats = core.store.seats().unwrap_or_default();
        mehrplatz::status(&dir, core.store.server_display(), has_password, &seats)
    })
    .await
}

/// Whether the database answers now (the banner while the server is away).
#[tauri::command]
pub async fn database_status(core: State<'_, Arc<Core>>) -> AppResult<DatabaseHealth> {
    let store = core.store.clone();
    blocking(move || Ok(mehrplatz::health(&store))).await
}

#[tauri::command]
pub async fn mehrplatz_check(
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<CheckView> {
    let a: FormArgs = parse(&request)?;
    let passwords = core.db_password.clone();
    blocking(move || {
        let address = mehrplatz::address_of(&a.form, passwords.as_ref())?;
        mehrplatz::check(&address)
    })
    .await
}

#[tauri::command]
pub async fn mehrplatz_setup<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<SwitchView> {
    let a: FormArgs = parse(&request)?;
    let done = mehrplatz::setup(&core, a.form).await?;
    restart_soon(app, core.demo);
    Ok(done)
}

#[tauri::command]
pub async fn mehrplatz_join<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
    request: Request<'_>,
) -> AppResult<SwitchView> {
    let a: FormArgs = parse(&request)?;
    let done = mehrplatz::join(&core, a.form).await?;
    restart_soon(app, core.demo);
    Ok(done)
}

#[tauri::command]
pub async fn mehrplatz_leave<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    core: State<'_, Arc<Core>>,
) -> AppResult<SwitchView> {
    let done = mehrplatz::leave(&core).await?;
    restart_soon(app, core.demo);
    Ok(done)
}

/// The window asks to hear what other seats change: each change sends the
/// table's name („*“: everything) on `on_event`.
#[tauri::command]
pub fn data_watch(core: State<'_, Arc<Core>>, on_event: tauri::ipc::Channel<String>) {
    core.feature::<mehrplatz::watch::Watchers>()
        .add(Arc::new(move |table: &str| {
            on_event.send(table.to_string()).is_ok()
        }));
}

/// „Durchsuchen …“ beside „Zertifikat“: Rust's file dialog; the path comes back.
#[tauri::command]
pub async fn mehrplatz_pick_certificate<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
) -> AppResult<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title("Zertifikat des Datenbank-Servers")
            .add_filter("Zertifikat", &["pem", "crt", "cer"])
            .blocking_pick_file()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// The window shows the answer for a moment, then the app starts again.
fn restart_soon<R: tauri::Runtime>(app: tauri::AppHandle<R>, demo: bool) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        if let Err(e) = super::app::relaunch(&app, demo) {
            log::error!("restart after the database switch: {e}");
        }
    });
}
