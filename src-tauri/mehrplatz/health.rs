//! Is the office's database reachable now? The window asks while it works on
//! a server: after a write was refused for a lost connection, and every few
//! seconds while the banner shows, until the server answers again (the
//! store's pool reconnects by itself).

use serde::Serialize;

use crate::storage::Store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseHealth {
    pub on_server: bool,
    pub reachable: bool,
    /// Why not, in German (None when reachable).
    pub message: Option<String>,
    /// Reachable, but this seat may no longer write there (another seat chose
    /// „Zurück zu Einzelplatz“, or a newer Zeitrechnung changed the tables).
    pub stopped: Option<String>,
}

pub fn health(store: &Store) -> DatabaseHealth {
    match store.ping() {
        Ok(()) => DatabaseHealth {
            on_server: store.is_server(),
            reachable: true,
            message: None,
            stopped: store.stopped().ok().flatten(),
        },
        Err(e) => DatabaseHealth {
            on_server: store.is_server(),
            reachable: false,
            message: Some(e.to_string()),
            stopped: None,
        },
    }
}
