//! Thin `#[tauri::command]` adapters: take the arguments, call a Tauri-free
//! module, return its result or its `AppError` (`{kind, message}`).
//!
//! Every command here must also be listed in `build.rs` (app manifest) and
//! granted in `capabilities/main.json`, or the webview cannot call it.

pub mod abrechnung;
pub mod app;
pub mod args;
pub mod kunden;
pub mod kunden_push;
pub mod mehrplatz;
pub mod projekte;
pub mod rechnung;
pub mod schnittstellen;
pub mod sicherung;
pub mod stundennachweis;
pub mod uebersicht;
