//! What one seat of the office does alone (docs/database.md › Holds): an
//! invoice attempt in flight, the customer import, the status sync, the push
//! of one customer to lexoffice. On the office's server a hold is a lock every
//! seat sees; on the embedded database one process is all there is, so a set
//! of what is held in it does.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use super::pg::ServerHold;

/// What a seat announces around a restore (`Store::announce`): the other
/// seats' windows show „Daten werden wiederhergestellt …“ between the two,
/// and their „Rückgängig“ is void after it.
pub const RESTORE_BEGINS: &str = "restore-begins";
pub const RESTORE_DONE: &str = "restore-done";

/// What is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hold {
    /// An invoice attempt whose POST is on its way: other seats' looks
    /// (reconciliation, „Erneut prüfen“) leave it alone.
    Attempt(u64),
    /// „Kunden importieren“: one per firm.
    CustomerImport,
    /// The status sync with lexoffice: one per firm.
    StatusSync,
    /// „In lexoffice anlegen/aktualisieren“ of one customer.
    CustomerPush(u64),
    /// „Sicherung wiederherstellen“ holds it alone; invoice creation and the
    /// customer import hold it shared (they never run beside a restore).
    Restore,
}

impl Hold {
    /// One number per hold: „ZR“, the kind, the id below 2⁴⁰ (an advisory
    /// lock's key on the server).
    pub fn key(self) -> i64 {
        let (kind, id) = match self {
            Hold::Attempt(id) => (1, id),
            Hold::CustomerImport => (2, 0),
            Hold::StatusSync => (3, 0),
            Hold::CustomerPush(id) => (4, id),
            Hold::Restore => (5, 0),
        };
        (0x5A52_i64 << 48) | (kind << 40) | (id & 0xFF_FFFF_FFFF) as i64
    }
}

/// Held while it lives; dropping it lets go.
pub struct Held(Inner);

enum Inner {
    Local {
        held: Arc<Mutex<HashSet<Hold>>>,
        what: Hold,
    },
    Server(#[allow(dead_code)] ServerHold),
    /// A shared hold on the embedded database: the process's own locks keep
    /// the order there (`Core::replace_lock`, `Core::invoice_lock`).
    Nothing,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Inner::Local { held, what } = &self.0 {
            held.lock().unwrap_or_else(|p| p.into_inner()).remove(what);
        }
    }
}

impl Held {
    pub(super) fn server(h: ServerHold) -> Held {
        Held(Inner::Server(h))
    }

    pub(super) fn nothing() -> Held {
        Held(Inner::Nothing)
    }

    /// Holds `what` in this process's set, unless it is held already.
    pub(super) fn local(held: &Arc<Mutex<HashSet<Hold>>>, what: Hold) -> Option<Held> {
        held.lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(what)
            .then(|| {
                Held(Inner::Local {
                    held: held.clone(),
                    what,
                })
            })
    }
}
