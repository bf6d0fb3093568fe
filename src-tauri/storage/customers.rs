//! Customers: tree `customers`, key = local id (u64 big-endian), value = JSON.
//! 10,000 customers are a few MB: listing reads the whole tree, which is what
//! the Kunden list needs anyway.

use chrono::{DateTime, Utc};

use super::{Customer, SledStore};
use crate::error::{AppError, AppResult};

pub(super) fn key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

impl SledStore {
    pub fn next_id(&self) -> AppResult<u64> {
        // sled's generate_id is monotonic across restarts; +1 keeps 0 free; the
        // floor keeps new ids above those of a restored backup.
        let floor = self.id_floor.load(std::sync::atomic::Ordering::SeqCst);
        Ok(self.db.generate_id()? + 1 + floor)
    }

    /// After a restore: every id handed out from now on is above `max`.
    pub fn raise_id_floor(&self, max: u64) -> AppResult<()> {
        let floor = self.id_floor.load(std::sync::atomic::Ordering::SeqCst);
        if max > floor {
            self.meta.insert(b"id_floor", &max.to_be_bytes())?;
            self.id_floor
                .store(max, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    pub fn customers(&self) -> AppResult<Vec<Customer>> {
        self.customers
            .iter()
            .filter_map(|row| self.decode_row("customers", row))
            .collect()
    }

    pub fn customer(&self, id: u64) -> AppResult<Option<Customer>> {
        self.decode_one("customers", &key(id), self.customers.get(key(id))?)
    }

    /// Inserts or replaces one customer, flushed.
    pub fn put_customer(&self, c: &Customer) -> AppResult<()> {
        let _w = self.writing();
        self.customers.insert(key(c.id), serde_json::to_vec(c)?)?;
        self.flush()
    }

    /// Saves a customer only if the stored one is still the version the user
    /// opened (`seen` = its `updated_at` then).
    pub fn save_customer_unchanged_since(
        &self,
        c: &Customer,
        seen: DateTime<Utc>,
    ) -> AppResult<()> {
        self.replace_unchanged_since(
            &self.customers,
            &key(c.id),
            c,
            seen,
            |c| c.updated_at,
            ("Kunde", "Der Kunde"),
        )
    }

    /// Removes one customer, flushed (`kunden::delete`; its undo puts it back).
    pub fn delete_customer(&self, id: u64) -> AppResult<()> {
        let _w = self.writing();
        self.customers.remove(key(id))?;
        self.flush()
    }

    /// Applies a set of changes atomically: `change` sees each current record
    /// (None for new ids) and returns the record to store. All or nothing.
    pub fn update_customers_atomically(
        &self,
        ids: &[u64],
        change: impl Fn(u64, Option<Customer>) -> Option<Customer>,
    ) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let _w = self.writing();
        let result = self.customers.transaction(|tx| {
            for id in ids {
                let current = match tx.get(key(*id))? {
                    Some(v) => Some(
                        serde_json::from_slice::<Customer>(&v)
                            .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?,
                    ),
                    None => None,
                };
                if let Some(next) = change(*id, current) {
                    let bytes = serde_json::to_vec(&next)
                        .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
                    tx.insert(&key(*id), bytes)?;
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(e)) => Err(AppError::Storage(e)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}
