//! Invoice attempts and records: tree `invoices`, key = record id (u64 BE).
//! Reserving entries for an attempt, settling it with the lexoffice id and
//! releasing it are each one transaction over `invoices` and `entries`, so a
//! crash leaves either open entries or entries billed with their draft, plus at
//! most the attempt record that says what is unclear.

use serde::{Deserialize, Serialize};

use super::{BillingState, Entry, InvoiceRecord, SledStore};
use crate::error::{AppError, AppResult};

fn ser<T: Serialize>(
    v: &T,
) -> Result<Vec<u8>, sled::transaction::ConflictableTransactionError<String>> {
    serde_json::to_vec(v)
        .map_err(|e| sled::transaction::ConflictableTransactionError::Abort(e.to_string()))
}

fn de<T: for<'a> Deserialize<'a>>(
    v: &[u8],
) -> Result<T, sled::transaction::ConflictableTransactionError<String>> {
    serde_json::from_slice(v)
        .map_err(|e| sled::transaction::ConflictableTransactionError::Abort(e.to_string()))
}

impl SledStore {
    pub fn invoice_records(&self) -> AppResult<Vec<InvoiceRecord>> {
        self.invoices
            .iter()
            .filter_map(|row| self.decode_row("invoices", row))
            .collect()
    }

    pub fn invoice_record(&self, id: u64) -> AppResult<Option<InvoiceRecord>> {
        self.decode_one(
            "invoices",
            &id.to_be_bytes(),
            self.invoices.get(id.to_be_bytes())?,
        )
    }

    pub fn put_invoice_record(&self, r: &InvoiceRecord) -> AppResult<()> {
        let _w = self.writing();
        self.invoices
            .insert(r.id.to_be_bytes(), serde_json::to_vec(r)?)?;
        self.flush()
    }

    /// As `transition_invoice`, but only if the stored record (None: not stored
    /// yet) still is what `expect` says: a stale copy never overwrites a newer state.
    pub fn transition_invoice_from(
        &self,
        record: &InvoiceRecord,
        expect: impl Fn(Option<&InvoiceRecord>) -> bool,
        billing: BillingState,
        only_if: impl Fn(&BillingState) -> bool,
        require_all: bool,
    ) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        let _w = self.writing();
        let result = (&self.invoices, &self.entries, &self.entry_keys).transaction(
            |(tx_inv, tx_entries, tx_keys)| {
                let stored: Option<InvoiceRecord> = match tx_inv.get(record.id.to_be_bytes())? {
                    Some(v) => Some(de(&v)?),
                    None => None,
                };
                if !expect(stored.as_ref()) {
                    return Err(ConflictableTransactionError::Abort(
                        super::ATTEMPT_SETTLED.into(),
                    ));
                }
                for id in &record.entry_ids {
                    let Some(key) = tx_keys.get(id.to_be_bytes())? else {
                        if require_all {
                            return Err(ConflictableTransactionError::Abort(super::entry_gone(
                                *id,
                            )));
                        }
                        continue;
                    };
                    let Some(bytes) = tx_entries.get(&key)? else {
                        continue;
                    };
                    let mut e: Entry = super::entry_codec::decode(&bytes)
                        .map_err(ConflictableTransactionError::Abort)?;
                    if !only_if(&e.billing) {
                        if require_all {
                            return Err(ConflictableTransactionError::Abort(
                                super::ENTRIES_TAKEN.into(),
                            ));
                        }
                        continue;
                    }
                    e.billing = billing.clone();
                    e.updated_at = crate::de::clock::now();
                    tx_entries.insert(key, super::entry_codec::encode(&e))?;
                }
                tx_inv.insert(&record.id.to_be_bytes(), ser(record)?)?;
                Ok(())
            },
        );
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(e)) => Err(AppError::validation("Rechnung", e)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}
