//! Projects and their entries (times and services).
//!
//! Trees:
//! - `projects`: id (u64 BE) → Project JSON
//! - `entries`: project id (u64 BE) ‖ date (days since 0001-01-01, u32 BE) ‖ entry id
//!   (u64 BE) → Entry JSON. "Entries of project P between A and B" is one range
//!   scan; other projects and months are never read.
//! - `entry_keys`: entry id → its key in `entries` (edits and deletes by id)
//! - `csv_rows`: fingerprint of an imported CSV row (u64 BE) → entry id

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{Entry, Project, SledStore};
use crate::error::{AppError, AppResult};

use super::{CHANGED, LOCKED, ROW_TAKEN};

fn day(d: NaiveDate) -> u32 {
    d.num_days_from_ce().max(0) as u32
}

pub fn entry_key(project_id: u64, date: NaiveDate, id: u64) -> [u8; 20] {
    let mut k = [0u8; 20];
    k[..8].copy_from_slice(&project_id.to_be_bytes());
    k[8..12].copy_from_slice(&day(date).to_be_bytes());
    k[12..].copy_from_slice(&id.to_be_bytes());
    k
}

fn range_bounds(project_id: u64, from: NaiveDate, to: NaiveDate) -> ([u8; 12], [u8; 12]) {
    let mut lo = [0u8; 12];
    lo[..8].copy_from_slice(&project_id.to_be_bytes());
    lo[8..].copy_from_slice(&day(from).to_be_bytes());
    let mut hi = [0u8; 12];
    hi[..8].copy_from_slice(&project_id.to_be_bytes());
    hi[8..].copy_from_slice(&(day(to) + 1).to_be_bytes());
    (lo, hi)
}

/// An entry as its trees hold it: id, its key in `entry_keys` order, its
/// bytes, the CSV row fingerprint it claims.
pub(super) type EncodedEntry = (u64, [u8; 20], Vec<u8>, Option<u64>);

/// `e` encoded for its trees (one home for the save and the restore).
pub(super) fn encoded_entry(e: &Entry) -> EncodedEntry {
    (
        e.id,
        entry_key(e.project_id, e.date, e.id),
        super::entry_codec::encode(e),
        e.csv_fingerprint,
    )
}

impl SledStore {
    pub fn projects(&self) -> AppResult<Vec<Project>> {
        self.projects
            .iter()
            .filter_map(|row| self.decode_row("projects", row))
            .collect()
    }

    pub fn project(&self, id: u64) -> AppResult<Option<Project>> {
        self.decode_one(
            "projects",
            &id.to_be_bytes(),
            self.projects.get(id.to_be_bytes())?,
        )
    }

    pub fn put_project(&self, p: &Project) -> AppResult<()> {
        let _w = self.writing();
        self.projects
            .insert(p.id.to_be_bytes(), serde_json::to_vec(p)?)?;
        self.flush()
    }

    /// Entries of one project (not its subprojects) with from ≤ date ≤ to, by date.
    pub fn entries_in(
        &self,
        project_id: u64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Entry>> {
        let (lo, hi) = range_bounds(project_id, from, to);
        self.entries
            .range(lo..hi)
            .filter_map(|row| self.decode_row("entries", row))
            .collect()
    }

    /// `entries_in` of several projects, one after the other in the order given.
    pub fn entries_in_projects(
        &self,
        project_ids: &[u64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<Entry>> {
        let mut all = Vec::new();
        for id in project_ids {
            all.extend(self.entries_in(*id, from, to)?);
        }
        Ok(all)
    }

    /// The newest `limit` entries of one project with from ≤ date ≤ to (newest first).
    pub fn newest_entries_in(
        &self,
        project_id: u64,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> AppResult<Vec<Entry>> {
        let (lo, hi) = range_bounds(project_id, from, to);
        self.entries
            .range(lo..hi)
            .rev()
            .filter_map(|row| self.decode_row("entries", row))
            .take(limit)
            .collect()
    }

    /// All entries of one project (not its subprojects).
    pub fn entries_of(&self, project_id: u64) -> AppResult<Vec<Entry>> {
        self.entries_iter(project_id).collect()
    }

    /// A project's entries one at a time (totals over 100,000 entries without
    /// holding them all).
    pub fn entries_iter(&self, project_id: u64) -> impl Iterator<Item = AppResult<Entry>> + '_ {
        self.entries
            .scan_prefix(project_id.to_be_bytes())
            .filter_map(move |row| self.decode_row("entries", row))
    }

    pub fn entry(&self, id: u64) -> AppResult<Option<Entry>> {
        let Some(key) = self.entry_keys.get(id.to_be_bytes())? else {
            return Ok(None);
        };
        let value = self.entries.get(&key)?;
        self.decode_one("entries", &key, value)
    }

    /// Inserts or replaces entries (moving keys when date or project changed) in
    /// one transaction, flushed. CSV fingerprints are recorded with them.
    pub fn put_entries(&self, entries: &[Entry]) -> AppResult<()> {
        self.put_entries_checked(entries, false, None)
    }

    /// Writes all of `entries` only if each stored one is still the version
    /// `seen` names (its `updated_at`, in the same order), whatever its billing
    /// state; else nothing, and `AppError::Changed`.
    pub fn put_entries_unchanged_since(
        &self,
        entries: &[Entry],
        seen: &[DateTime<Utc>],
    ) -> AppResult<()> {
        self.put_entries_checked(entries, false, Some(seen))
    }

    /// As `put_entries`, but aborts (nothing written) if an entry being replaced
    /// is no longer open: edits never undo a reservation or a billing.
    pub fn put_entries_if_open(&self, entries: &[Entry]) -> AppResult<()> {
        self.put_entries_checked(entries, true, None)
    }

    fn put_entries_checked(
        &self,
        entries: &[Entry],
        only_open: bool,
        seen: Option<&[DateTime<Utc>]>,
    ) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        let encoded: Vec<EncodedEntry> = entries.iter().map(encoded_entry).collect();
        let _w = self.writing();
        let result = (&self.entries, &self.entry_keys, &self.csv_rows).transaction(
            |(tx_entries, tx_keys, tx_csv)| {
                for (i, (id, key, bytes, fp)) in encoded.iter().enumerate() {
                    let old = tx_keys.get(id.to_be_bytes())?;
                    // The stored entry, read and decoded once for both checks.
                    let current: Option<Entry> = match &old {
                        Some(o) if seen.is_some() || only_open => match tx_entries.get(o)? {
                            Some(v) => Some(
                                super::entry_codec::decode(&v)
                                    .map_err(ConflictableTransactionError::Abort)?,
                            ),
                            None => None,
                        },
                        _ => None,
                    };
                    if let Some(seen) = seen {
                        let unchanged = current
                            .as_ref()
                            .is_some_and(|c| seen.get(i) == Some(&c.updated_at));
                        if !unchanged {
                            return Err(ConflictableTransactionError::Abort(CHANGED.into()));
                        }
                    }
                    if only_open && current.as_ref().is_some_and(Entry::is_locked) {
                        return Err(ConflictableTransactionError::Abort(LOCKED.into()));
                    }
                    if let Some(old) = old {
                        if old.as_ref() != key.as_slice() {
                            tx_entries.remove(old)?;
                        }
                    }
                    tx_entries.insert(key.as_slice(), bytes.as_slice())?;
                    tx_keys.insert(&id.to_be_bytes(), key.as_slice())?;
                    if let Some(fp) = fp {
                        // One entry per imported row: a fingerprint another
                        // entry holds refuses the whole write.
                        if let Some(holder) = tx_csv.get(fp.to_be_bytes())? {
                            if holder.as_ref() != id.to_be_bytes().as_slice() {
                                return Err(ConflictableTransactionError::Abort(ROW_TAKEN.into()));
                            }
                        }
                        tx_csv.insert(&fp.to_be_bytes(), &id.to_be_bytes())?;
                    }
                }
                Ok::<(), ConflictableTransactionError<String>>(())
            },
        );
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(e)) if e == CHANGED => Err(AppError::Changed(e)),
            Err(TransactionError::Abort(e)) if e == LOCKED || e == ROW_TAKEN => {
                Err(AppError::validation("Eintrag", e))
            }
            Err(TransactionError::Abort(e)) => Err(AppError::Storage(e)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// The entries of several projects (not their subprojects) at once, each
    /// project's by date.
    pub fn entries_of_projects(&self, project_ids: &[u64]) -> AppResult<Vec<Entry>> {
        let mut all = Vec::new();
        for id in project_ids {
            all.extend(self.entries_of(*id)?);
        }
        Ok(all)
    }

    /// The entries with these ids that exist, in the order asked.
    pub fn entries_by_ids(&self, ids: &[u64]) -> AppResult<Vec<Entry>> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = self.entry(*id)? {
                found.push(e);
            }
        }
        Ok(found)
    }

    /// Saves an edit of an entry only if the stored one is still the version the
    /// user opened (`seen` = its `updated_at` then) and still open: a stale edit
    /// never overwrites a newer one or a billing. Nothing is written otherwise.
    pub fn save_entry_unchanged_since(&self, e: &Entry, seen: DateTime<Utc>) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        let (id, key, bytes, fp) = encoded_entry(e);
        let _w = self.writing();
        let result = (&self.entries, &self.entry_keys, &self.csv_rows).transaction(
            |(tx_entries, tx_keys, tx_csv)| {
                let Some(old) = tx_keys.get(id.to_be_bytes())? else {
                    return Err(ConflictableTransactionError::Abort(CHANGED.to_string()));
                };
                let Some(v) = tx_entries.get(&old)? else {
                    return Err(ConflictableTransactionError::Abort(CHANGED.to_string()));
                };
                let current: Entry =
                    super::entry_codec::decode(&v).map_err(ConflictableTransactionError::Abort)?;
                if current.is_locked() {
                    return Err(ConflictableTransactionError::Abort(LOCKED.to_string()));
                }
                if current.updated_at != seen {
                    return Err(ConflictableTransactionError::Abort(CHANGED.to_string()));
                }
                if old.as_ref() != key.as_slice() {
                    tx_entries.remove(old)?;
                }
                tx_entries.insert(key.as_slice(), bytes.as_slice())?;
                tx_keys.insert(&id.to_be_bytes(), key.as_slice())?;
                if let Some(fp) = fp {
                    tx_csv.insert(&fp.to_be_bytes(), &id.to_be_bytes())?;
                }
                Ok(())
            },
        );
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(m)) if m == CHANGED => Err(AppError::Changed(m)),
            Err(TransactionError::Abort(m)) => Err(AppError::validation("Eintrag", m)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Saves a project only if the stored one is still the version the user
    /// opened (`seen` = its `updated_at` then).
    pub fn save_project_unchanged_since(&self, p: &Project, seen: DateTime<Utc>) -> AppResult<()> {
        self.replace_unchanged_since(
            &self.projects,
            &p.id.to_be_bytes(),
            p,
            seen,
            |p| p.updated_at,
            ("Projekt", "Das Projekt"),
        )
    }

    /// Deletes entries in one transaction; aborts (nothing deleted) if one of
    /// them is reserved or billed.
    pub fn delete_entries(&self, ids: &[u64]) -> AppResult<()> {
        use sled::transaction::ConflictableTransactionError;
        use sled::Transactional;
        let _w = self.writing();
        (&self.entries, &self.entry_keys, &self.csv_rows)
            .transaction(|(tx_entries, tx_keys, tx_csv)| {
                for id in ids {
                    if let Some(key) = tx_keys.remove(&id.to_be_bytes())? {
                        if let Some(v) = tx_entries.remove(key)? {
                            if let Ok(e) = super::entry_codec::decode(&v) {
                                if e.is_locked() {
                                    return Err(ConflictableTransactionError::Abort(
                                        LOCKED.to_string(),
                                    ));
                                }
                                if let Some(fp) = e.csv_fingerprint {
                                    tx_csv.remove(&fp.to_be_bytes())?;
                                }
                            }
                        }
                    }
                }
                Ok::<(), ConflictableTransactionError<String>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Abort(m) if m == LOCKED => {
                    AppError::validation("Eintrag", m)
                }
                other => AppError::Storage(format!("{other:?}")),
            })?;
        self.flush()
    }

    pub fn delete_project_record(&self, id: u64) -> AppResult<()> {
        let _w = self.writing();
        self.projects.remove(id.to_be_bytes())?;
        self.flush()
    }

    /// Every entry in the database, whatever project it names (checks and tests
    /// compare it with the entries the projects hold: an orphan shows as a difference).
    pub fn entry_count(&self) -> usize {
        self.entry_keys.len()
    }

    /// How many CSV rows are known as imported.
    pub fn csv_row_count(&self) -> usize {
        self.csv_rows.len()
    }

    pub fn csv_row_known(&self, fingerprint: u64) -> AppResult<bool> {
        Ok(self.csv_rows.contains_key(fingerprint.to_be_bytes())?)
    }

    /// Size of the database on disk, in bytes.
    pub fn size_on_disk(&self) -> AppResult<u64> {
        Ok(self.db.size_on_disk()?)
    }
}
