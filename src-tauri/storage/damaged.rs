//! Damaged records: a value in a tree that no longer decodes (a disk error, a
//! half-written page, an edit by hand). One such record must not take down a
//! whole list or backup: readers skip it, and it is remembered here with its
//! tree and id, logged once, and listed in Einstellungen › Datensicherung.

use std::collections::BTreeSet;

use super::SledStore;
use crate::error::{AppError, AppResult};

/// One record that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DamagedRecord {
    /// The sled tree (`customers`, `projects`, `entries`, `invoices`).
    pub tree: &'static str,
    /// The record's id (the last 8 bytes of every key are the id).
    pub id: u64,
}

impl DamagedRecord {
    /// "Kunde 12", "Eintrag 345", … for the Datensicherung screen.
    pub fn label(&self) -> String {
        let what = match self.tree {
            "customers" => "Kunde",
            "projects" => "Projekt",
            "entries" => "Eintrag",
            "invoices" => "Rechnungsversuch",
            other => other,
        };
        format!("{what} {}", self.id)
    }
}

fn id_of(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    if key.len() >= 8 {
        b.copy_from_slice(&key[key.len() - 8..]);
    }
    u64::from_be_bytes(b)
}

/// How a stored value is read: JSON for everything but entries, which have a
/// binary form of their own (`entry_codec`).
pub(super) trait Stored: Sized {
    fn from_stored(v: &[u8]) -> Result<Self, String>;
}

macro_rules! stored_as_json {
    ($($t:ty),*) => {$(
        impl Stored for $t {
            fn from_stored(v: &[u8]) -> Result<Self, String> {
                serde_json::from_slice(v).map_err(|e| e.to_string())
            }
        }
    )*};
}
stored_as_json!(super::Customer, super::Project, super::InvoiceRecord);

impl Stored for super::Entry {
    fn from_stored(v: &[u8]) -> Result<Self, String> {
        super::entry_codec::decode(v)
    }
}

impl SledStore {
    /// Decodes one stored value; a value that does not decode is reported and
    /// skipped (None).
    pub(super) fn decode<T: Stored>(
        &self,
        tree: &'static str,
        key: &[u8],
        value: &[u8],
    ) -> Option<T> {
        match T::from_stored(value) {
            Ok(v) => Some(v),
            Err(e) => {
                let rec = DamagedRecord {
                    tree,
                    id: id_of(key),
                };
                let mut set = self.damaged.lock().unwrap_or_else(|p| p.into_inner());
                if set.insert(rec.clone()) {
                    log::error!("damaged record skipped: tree {tree}, id {} ({e})", rec.id);
                }
                None
            }
        }
    }

    /// One row of a tree scan: a storage error stops the scan, a damaged value is skipped.
    pub(super) fn decode_row<T: Stored>(
        &self,
        tree: &'static str,
        row: sled::Result<(sled::IVec, sled::IVec)>,
    ) -> Option<AppResult<T>> {
        match row {
            Err(e) => Some(Err(e.into())),
            Ok((k, v)) => self.decode(tree, &k, &v).map(Ok),
        }
    }

    /// A single record read by key: damaged → an error that names it.
    pub(super) fn decode_one<T: Stored>(
        &self,
        tree: &'static str,
        key: &[u8],
        value: Option<sled::IVec>,
    ) -> AppResult<Option<T>> {
        match value {
            None => Ok(None),
            Some(v) => match self.decode(tree, key, &v) {
                Some(t) => Ok(Some(t)),
                None => Err(AppError::Storage(format!(
                    "{} ist beschädigt und wird übersprungen",
                    DamagedRecord {
                        tree,
                        id: id_of(key)
                    }
                    .label()
                ))),
            },
        }
    }

    /// Every damaged record met since the store was opened, sorted.
    pub fn damaged_records(&self) -> Vec<DamagedRecord> {
        let set: BTreeSet<DamagedRecord> = self
            .damaged
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        set.into_iter().collect()
    }

    /// Reads every tree once so damaged records are known (Datensicherung shows
    /// them even when no list touched them yet).
    pub fn scan_for_damage(&self) -> AppResult<Vec<DamagedRecord>> {
        fn scan<T: Stored>(s: &SledStore, name: &'static str, t: &sled::Tree) -> AppResult<()> {
            for row in t.iter() {
                let (k, v) = row?;
                let _ = s.decode::<T>(name, &k, &v);
            }
            Ok(())
        }
        scan::<super::Customer>(self, "customers", &self.customers)?;
        scan::<super::Project>(self, "projects", &self.projects)?;
        scan::<super::Entry>(self, "entries", &self.entries)?;
        scan::<super::InvoiceRecord>(self, "invoices", &self.invoices)?;
        Ok(self.damaged_records())
    }
}
