//! The window hears what other seats changed (docs/database.md › Other
//! seats' changes): the store's notices go to every window that asked
//! (`data_watch`), which loads its view anew. Nothing on a single desk.

use std::sync::{Arc, Mutex};

use crate::core::Core;
use crate::error::AppResult;

/// Tells a window a table name („*“: everything); false once the window is gone.
pub type Watcher = Arc<dyn Fn(&str) -> bool + Send + Sync>;

#[derive(Default)]
pub struct Watchers {
    list: Mutex<Vec<Watcher>>,
}

impl Watchers {
    pub fn add(&self, w: Watcher) {
        self.list.lock().unwrap_or_else(|p| p.into_inner()).push(w);
    }

    /// Tells every window; forgets those that are gone.
    pub fn tell(&self, table: &str) {
        self.list
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|w| w(table));
    }
}

/// Starts hearing the other seats for this run (on a server; else nothing).
/// After another seat's restore this seat's „Rückgängig“ is void (it would
/// put data of before the restore into the restored set).
pub fn start(core: &Arc<Core>) -> AppResult<()> {
    let watchers = core.feature::<Watchers>();
    let weak = Arc::downgrade(core);
    core.store.watch(Arc::new(move |table| {
        if table == crate::storage::RESTORE_DONE {
            if let Some(core) = weak.upgrade() {
                core.undo.clear();
            }
        }
        watchers.tell(table)
    }))
}
