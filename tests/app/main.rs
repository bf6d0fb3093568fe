//! Every test that needs the app, one binary (one link of the Tauri app instead
//! of one per suite); the suites are its modules, the shared fixtures are
//! `tests/support`. The real-window tests are `tests/e2e`, the keyring-mock test
//! is apart (it switches the keyring crate's process-wide store).
//! What each suite proves: docs/reliability.md; how to run one:
//! `cargo test --test app <suite>::` (e.g. `cargo test --test app projekte::`).

#[path = "../support/mod.rs"]
mod support;

mod abgleich;
mod architecture;
mod bad_input;
mod billing_property;
mod crash;
mod crash_invoice;
mod faults;
mod fuzz;
mod ipc;
mod keyring_real;
mod kunden_import;
mod kunden_push;
mod leistungen;
mod lexoffice_client;
#[cfg(target_os = "linux")]
mod mehrplatz;
#[cfg(target_os = "linux")]
mod mehrplatz_einrichten;
#[cfg(target_os = "linux")]
mod postgres;
mod projekte;
mod rechnung;
mod schnittstellen;
mod security_config;
mod sicherung;
mod spaltenzuordnung;
mod storage;
mod store_contract;
