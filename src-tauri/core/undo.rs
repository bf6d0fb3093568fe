//! The undo store: what a deletion or an edit removed or replaced, kept in
//! memory for a while under a token (docs/architecture.md › Rückgängig). What
//! an undo puts back and when it fits is `projekte::undo`'s; this is only the
//! keeping. One per process: a single-process assumption (docs/architecture.md
//! › Single-process assumptions).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::{Customer, Entry, Project};

/// How long an undo is kept. The UI offers „Rückgängig“ for 10 seconds; the
/// rest is slack for a slow click.
pub const KEEP: Duration = Duration::from_secs(30);

/// What one action removed or replaced.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Customers deleted (`kunden::delete`), put back as they were.
    pub customers: Vec<Customer>,
    /// Projects deleted (main project last), put back as they were.
    pub projects: Vec<Project>,
    /// Entries deleted, or the versions an edit replaced.
    pub entries: Vec<Entry>,
    /// After an edit: each edited entry's id and the `updated_at` the edit
    /// wrote. The undo puts the old version back only over exactly that one
    /// (never over a later change, e.g. at another seat).
    pub wrote: Vec<(u64, chrono::DateTime<chrono::Utc>)>,
    /// Entries an edit created that did not exist before (none today).
    pub created_entries: Vec<u64>,
    /// Employees removed („Zusammenführen“), put back as they were.
    pub employees: Vec<crate::model::Employee>,
    /// Entries moved to another employee, as they were before; put back while
    /// their billing state is still the same.
    pub retagged: Vec<Entry>,
}

/// The undos of this session (memory only: an undo does not survive a restart).
#[derive(Default)]
pub struct UndoStore {
    inner: Mutex<HashMap<u64, (Instant, Snapshot)>>,
    next: std::sync::atomic::AtomicU64,
}

impl UndoStore {
    /// Keeps `s` and returns its token.
    pub fn keep(&self, s: Snapshot) -> u64 {
        let token = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, (at, _)| at.elapsed() < KEEP);
        m.insert(token, (Instant::now(), s));
        token
    }

    /// Whether the undo `token` would put a customer back.
    pub fn holds_customers(&self, token: u64) -> bool {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.get(&token).is_some_and(|(_, s)| !s.customers.is_empty())
    }

    /// Forgets every undo (after a backup is restored: they belong to the old data).
    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The undo behind `token`, taken out (None when gone or expired).
    pub fn take(&self, token: u64) -> Option<(Instant, Snapshot)> {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.remove(&token).filter(|(at, _)| at.elapsed() < KEEP)
    }

    /// Keeps a refused undo under its token again (until its original end):
    /// „Rückgängig“ can be tried again once the main project is back.
    pub fn put_back(&self, token: u64, at: Instant, s: Snapshot) {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.insert(token, (at, s));
    }
}
