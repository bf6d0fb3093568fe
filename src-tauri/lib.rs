//! Zeitrechnung: times and services → lexoffice invoice drafts.
//!
//! `app_builder` is generic over the runtime so `tauri::test::mock_builder()`
//! builds the same app in tests; OS-bound plugins (single-instance, log,
//! opener) are registered separately in `run`, which tests skip.

pub mod abrechnung;
pub mod billing;
pub mod commands;
pub mod core;
pub mod de;
pub mod demo;
pub mod error;
pub mod failpoint;
pub mod journal;
pub mod kunden;
pub mod lexoffice;
pub mod mehrplatz;
pub mod model;
pub mod money;
pub mod paths;
pub mod projekte;
pub mod rechnung;
pub mod schnittstellen;
pub mod secrets;
pub mod sicherung;
pub mod startup;
pub mod storage;
pub mod stundennachweis;
pub mod uebersicht;

use std::sync::Arc;

use tauri::{Builder, Manager, Runtime};

use crate::core::{Core, Opener};
use crate::paths::LexofficeUrls;
use crate::secrets::OsKeyring;

/// The commands of the app; state (`Arc<Core>`) is managed by the caller.
pub fn app_builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app::app_info,
        commands::app::app_mode,
        commands::app::demo_start,
        commands::app::demo_exit,
        commands::app::startup_open_data_dir,
        commands::app::startup_restore,
        commands::app::startup_quit,
        commands::app::startup_retry,
        commands::app::startup_server_check,
        commands::app::startup_server_save,
        commands::app::startup_use_local,
        commands::schnittstellen::connection_status,
        commands::schnittstellen::connection_refresh,
        commands::schnittstellen::connect_lexoffice,
        commands::schnittstellen::disconnect_lexoffice,
        commands::schnittstellen::open_key_page,
        commands::schnittstellen::get_rate,
        commands::schnittstellen::save_rate,
        commands::kunden::customers_list,
        commands::kunden::customer_get,
        commands::kunden::customer_save,
        commands::kunden::customer_delete,
        commands::kunden::customer_open_lexoffice,
        commands::kunden::customer_set_rate,
        commands::kunden::customers_import,
        commands::kunden::customers_import_cancel,
        commands::projekte::projects_list,
        commands::projekte::project_get,
        commands::projekte::project_save,
        commands::projekte::project_delete,
        commands::projekte::project_set_status,
        commands::projekte::date_understood,
        commands::kunden::tax_cases_list,
        commands::abrechnung::employee_match,
        commands::abrechnung::employee_merge,
        commands::projekte::entries_list,
        commands::projekte::time_save,
        commands::projekte::service_save,
        commands::projekte::entry_delete,
        commands::projekte::csv_preview,
        commands::projekte::csv_import,
        commands::projekte::csv_pick_file,
        commands::rechnung::invoice_defaults,
        commands::rechnung::invoice_preview,
        commands::rechnung::invoice_create,
        commands::rechnung::invoice_history,
        commands::rechnung::invoice_history_sync,
        commands::rechnung::invoice_release,
        commands::rechnung::invoice_reconcile,
        commands::rechnung::invoice_open,
        commands::sicherung::backup_create,
        commands::sicherung::backup_inspect,
        commands::sicherung::backup_restore,
        commands::sicherung::backup_info,
        commands::sicherung::backup_pick_file,
        commands::mehrplatz::mehrplatz_status,
        commands::mehrplatz::database_status,
        commands::mehrplatz::data_watch,
        commands::mehrplatz::mehrplatz_check,
        commands::mehrplatz::mehrplatz_setup,
        commands::mehrplatz::mehrplatz_join,
        commands::mehrplatz::mehrplatz_leave,
        commands::mehrplatz::mehrplatz_pick_certificate,
        commands::sicherung::backup_copy_folder_pick,
        commands::sicherung::backup_copy_folder_clear,
        commands::abrechnung::employees_list,
        commands::abrechnung::employee_save,
        commands::abrechnung::roles_list,
        commands::abrechnung::role_save,
        commands::abrechnung::role_delete,
        commands::abrechnung::billing_settings_get,
        commands::abrechnung::billing_settings_save,
        commands::abrechnung::invoice_style_get,
        commands::abrechnung::invoice_style_save,
        commands::stundennachweis::timesheet_suggest,
        commands::stundennachweis::timesheet_pick,
        commands::stundennachweis::timesheet_save,
        commands::kunden::customer_set_tax,
        commands::kunden_push::customer_push,
        commands::kunden_push::customer_link,
        commands::kunden_push::customer_take_lexoffice,
        commands::abrechnung::tax_notes_get,
        commands::abrechnung::tax_notes_save,
        commands::projekte::undo,
        commands::abrechnung::rate_rules_get,
        commands::abrechnung::rate_rules_save,
        commands::projekte::sheet_period,
        commands::abrechnung::catalog_list,
        commands::abrechnung::catalog_save,
        commands::abrechnung::catalog_delete,
        commands::abrechnung::catalog_import,
        commands::uebersicht::overview_get,
        commands::uebersicht::lexoffice_sync,
        commands::uebersicht::lexoffice_sync_status,
        commands::uebersicht::lexoffice_sync_cancel,
        commands::uebersicht::drafts_create,
        commands::uebersicht::drafts_create_cancel,
    ])
}

/// Logs into `log_dir` and stderr; with no writable log dir, stderr only.
fn log_plugin<R: Runtime>(log_dir: Option<std::path::PathBuf>) -> tauri::plugin::TauriPlugin<R> {
    use tauri_plugin_log::{RotationStrategy, Target, TargetKind, TimezoneStrategy};
    let mut b = tauri_plugin_log::Builder::new().clear_targets();
    if let Some(path) = log_dir {
        b = b.target(Target::new(TargetKind::Folder {
            path,
            file_name: Some("zeitrechnung".into()),
        }));
    }
    b.target(Target::new(TargetKind::Stderr))
        .timezone_strategy(TimezoneStrategy::UseLocal)
        .rotation_strategy(RotationStrategy::KeepSome(7))
        .max_file_size(2 * 1024 * 1024)
        .level(log::LevelFilter::Info)
        .level_for("sled", log::LevelFilter::Warn)
        .level_for("hyper", log::LevelFilter::Warn)
        .level_for("hyper_util", log::LevelFilter::Warn)
        .level_for("reqwest", log::LevelFilter::Warn)
        .level_for("rustls", log::LevelFilter::Warn)
        .level_for("tao", log::LevelFilter::Warn)
        .level_for("secret_service", log::LevelFilter::Warn)
        .build()
}

fn focus_main<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// Keeps the in-app lexoffice sandbox of the demo mode alive.
struct DemoSandbox(#[allow(dead_code)] lexoffice_sandbox::Sandbox);

/// When the process started (for the "interactive after" figure).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Starts the desktop app (`--demo`: with the in-app lexoffice sandbox and demo data).
pub fn run() {
    let _ = STARTED.set(std::time::Instant::now());
    // Before any thread starts: the database connection is the URL's alone.
    storage::pg::forget_pg_environment();
    demo::wait_for_predecessor();
    let demo_mode = std::env::args().skip(1).any(|a| a == "--demo");
    let builder = tauri::Builder::default()
        // First: a second start hands over to the running one (sled allows one process).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            focus_main(app)
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init());

    let result = app_builder(builder)
        .setup(move |app| {
            let handle = app.handle().clone();
            // Whatever fails from here on, the window opens and says why
            // (`startup::StartupFailure`): the process never dies silently.
            // The local application data folder; an older version's data in the
            // roaming one (Windows) moves there once.
            let local = paths::data_dir(|| {
                let local = handle.path().app_local_data_dir().ok()?;
                let (dir, roaming) =
                    paths::local_data_dir(local, handle.path().app_data_dir().ok());
                if let Some(from) = roaming {
                    match paths::move_roaming_data(&from, &dir) {
                        Ok(()) => {
                            log::info!("data moved from {} to {}", from.display(), dir.display())
                        }
                        Err(e) => {
                            log::error!("moving the data from {} failed: {e}", from.display())
                        }
                    }
                }
                Some(dir)
            });
            let Some(base_dir) = local else {
                handle.plugin(log_plugin(None))?;
                log::error!("start-up failed: no data dir");
                app.manage(startup::FailedStart {
                    failure: startup::StartupFailure::no_data_dir(),
                    data_dir: None,
                    demo: demo_mode,
                });
                return Ok(());
            };
            // The demo keeps its own data: the real data stay untouched.
            let data_dir = if demo_mode {
                base_dir.join("demo")
            } else {
                base_dir
            };
            // Log into the data dir when it can be written (`open_store` says why not).
            let log_dir = paths::log_dir(&data_dir);
            let writable = startup::check_writable(&log_dir).is_ok();
            handle.plugin(log_plugin(writable.then_some(log_dir)))?;
            log::info!(
                "Zeitrechnung {} starting, data dir {}",
                env!("CARGO_PKG_VERSION"),
                data_dir.display()
            );
            let store = match startup::open_store(&data_dir) {
                Ok(s) => s,
                Err(failure) => {
                    log::error!("start-up failed: {}", failure.cause);
                    app.manage(startup::FailedStart {
                        failure,
                        data_dir: Some(data_dir),
                        demo: demo_mode,
                    });
                    return Ok(());
                }
            };
            let opener_handle = handle.clone();
            let opener: Opener = Arc::new(move |url: &str| {
                use tauri_plugin_opener::OpenerExt;
                opener_handle
                    .opener()
                    .open_url(url, None::<&str>)
                    .map_err(|e| e.to_string())
            });
            let (urls, secrets): (_, Arc<dyn secrets::SecretStore>) = if demo_mode {
                let sb = lexoffice_sandbox::Sandbox::start_in_thread(demo::sandbox_config())
                    .map_err(|e| format!("Die Demo konnte nicht starten: {e}"))?;
                log::info!("demo mode: lexoffice sandbox on {}", sb.base_url);
                // The demo key lives only in memory, apart from the real keyring entry.
                let mem = secrets::MemorySecretStore::default();
                let _ = secrets::SecretStore::store(
                    &mem,
                    &secrets::ApiKey::parse(demo::DEMO_KEY).ok_or("demo key")?,
                );
                let urls = LexofficeUrls::new(&sb.base_url, &sb.base_url);
                app.manage(DemoSandbox(sb));
                (urls, Arc::new(mem))
            } else {
                (
                    LexofficeUrls::from_env(),
                    Arc::new(OsKeyring::default_entry()),
                )
            };
            if let Err(e) = &urls {
                log::error!("{e}");
            }
            let mut core = Core::new(store, secrets, urls, |_| {}, opener);
            let files_handle = handle.clone();
            core.file_opener = Some(Arc::new(move |path: &str| {
                use tauri_plugin_opener::OpenerExt;
                files_handle
                    .opener()
                    .open_path(path, None::<&str>)
                    .map_err(|e| e.to_string())
            }));
            core.demo = demo_mode;
            if !demo_mode {
                core.db_password = Arc::new(OsKeyring::new(
                    secrets::KEYRING_SERVICE,
                    secrets::KEYRING_DB_USER,
                ));
            }
            core.backup_dir = Some(paths::backup_dir(&data_dir));
            core.data_dir = Some(data_dir.clone());
            // What lexoffice got that the database may have missed (a power
            // cut, a copy put back), before anything else is sent.
            // Far fewer records than the newest automatic backup: said at once.
            core.shrunk =
                sicherung::auto::shrink_warning(&core.store, &paths::backup_dir(&data_dir))
                    .unwrap_or_else(|e| {
                        log::error!("comparing with the newest backup: {e}");
                        None
                    });
            match journal::open(&mut core, &paths::journal_dir(&data_dir)) {
                Ok(done) => log::info!("journal applied: {done:?}"),
                Err(e) => log::error!("journal: {e} – lexoffice writes are refused"),
            }
            let core = Arc::new(core);
            app.manage(core.clone());
            // On the office's server: the window hears what other seats change.
            if let Err(e) = mehrplatz::watch::start(&core) {
                log::error!("listening for other seats: {e}");
            }
            // The status sync: soon after start, then every 15 minutes (every
            // minute while lexoffice cannot be reached).
            tauri::async_runtime::spawn(rechnung::sync_forever(core.clone()));
            if core.demo {
                // Before the window shows: the demo opens with its data in place (≈ 2 s).
                if let Err(e) = tauri::async_runtime::block_on(demo::prepare(&core)) {
                    log::error!("demo data: {e}");
                }
                return Ok(());
            }
            // Automatic backups: at start when the last is older than a day,
            // then every 24 hours (the window shows a problem as a notice).
            tauri::async_runtime::spawn(sicherung::auto::forever(core.clone()));
            tauri::async_runtime::spawn(async move {
                core.check_keyring().await;
                // Attempts a crash or an error left unclear are settled first.
                rechnung::reconcile_all(&core).await;
                // One empty voucher list never frees entries: look once more later.
                let grace = core.reconcile_grace.to_std().unwrap_or_default();
                tokio::time::sleep(grace + std::time::Duration::from_secs(5)).await;
                rechnung::reconcile_all(&core).await;
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Zeitrechnung konnte nicht starten: {e}");
        std::process::exit(1);
    }
}
