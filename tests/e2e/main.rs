//! The real-window end-to-end tests (tauri-driver → WebKitWebDriver under Xvfb),
//! one binary: `window` drives the app, `startup` its start-up failure window.
//! Unix only (no WebDriver for WKWebView on macOS; Windows runs them in its own CI).
#![cfg(unix)]

#[path = "../support/mod.rs"]
mod support;

mod startup;
mod window;
