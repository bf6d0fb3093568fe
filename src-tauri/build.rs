/// Commands callable from the webview. Each needs `allow-<name>` (underscores
/// become dashes) in `capabilities/main.json`; nothing else is reachable.
const COMMANDS: &[&str] = &[
    "app_info",
    "app_mode",
    "demo_start",
    "demo_exit",
    "startup_open_data_dir",
    "startup_restore",
    "startup_quit",
    "connection_status",
    "connection_refresh",
    "connect_lexoffice",
    "disconnect_lexoffice",
    "open_key_page",
    "get_rate",
    "save_rate",
    "customers_list",
    "customer_get",
    "customer_save",
    "customer_open_lexoffice",
    "customer_set_rate",
    "customers_import",
    "customers_import_cancel",
    "projects_list",
    "project_get",
    "project_save",
    "project_delete",
    "project_set_status",
    "entries_list",
    "time_save",
    "service_save",
    "entry_delete",
    "csv_preview",
    "csv_import",
    "csv_pick_file",
    "invoice_defaults",
    "invoice_preview",
    "invoice_create",
    "invoice_history",
    "invoice_history_sync",
    "invoice_release",
    "invoice_reconcile",
    "invoice_open",
    "backup_create",
    "backup_inspect",
    "backup_restore",
    "backup_info",
    "backup_pick_file",
];

fn main() {
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-changed=capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
