//! The journal of lexoffice writes (docs/reliability.md › Durable intent): before
//! a POST or PUT leaves, what it is for is appended to `<data dir>/journal/`
//! (outside `db/`) and made durable — the file's data and, when the file is
//! new, the folder are `fsync`ed — and its outcome is appended when known. A
//! database put back from a copy (a power cut, a restore) is then told what
//! happened in lexoffice since (`crate::journal::replay`).
//!
//! One JSON object per line. A line cut short by a crash is the last one and
//! is ignored. Lines older than `KEEP_DAYS` are dropped when the journal is
//! compacted at start-up.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Customer, InvoiceRecord};
use crate::error::{AppError, AppResult};

/// Days a line is kept: longer than any backup one would restore instead of
/// the current data (the automatic ones go back 7 days).
pub const KEEP_DAYS: i64 = 60;

const FILE: &str = "journal.jsonl";

/// What was sent to lexoffice, or what came back.
/// Externally tagged (`{"invoiceAttempt": {…}}`): an internally tagged enum
/// would buffer the record and lose fields that read themselves from strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Line {
    /// Before `POST /v1/invoices`: the attempt as stored (its entries reserved).
    #[serde(rename_all = "camelCase")]
    InvoiceAttempt {
        at: DateTime<Utc>,
        record: Box<InvoiceRecord>,
    },
    /// The answer to that POST.
    #[serde(rename_all = "camelCase")]
    InvoiceOutcome {
        at: DateTime<Utc>,
        record_id: u64,
        outcome: Outcome,
    },
    /// Before `POST /v1/contacts` („In lexoffice anlegen“): the customer as stored.
    #[serde(rename_all = "camelCase")]
    ContactAttempt {
        at: DateTime<Utc>,
        customer: Box<Customer>,
    },
    /// Before `PUT /v1/contacts/{id}` („In lexoffice aktualisieren“): the
    /// customer as sent.
    #[serde(rename_all = "camelCase")]
    ContactUpdateAttempt {
        at: DateTime<Utc>,
        customer: Box<Customer>,
    },
    /// The answer to a contact POST or PUT.
    #[serde(rename_all = "camelCase")]
    ContactOutcome {
        at: DateTime<Utc>,
        customer_id: u64,
        outcome: Outcome,
    },
}

impl Line {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Line::InvoiceAttempt { at, .. }
            | Line::InvoiceOutcome { at, .. }
            | Line::ContactAttempt { at, .. }
            | Line::ContactUpdateAttempt { at, .. }
            | Line::ContactOutcome { at, .. } => *at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum Outcome {
    /// lexoffice created (or updated) it: its id and version.
    #[serde(rename_all = "camelCase")]
    Done {
        lexoffice_id: String,
        version: Option<i64>,
    },
    /// lexoffice refused it; nothing was created.
    Refused,
    /// No clear answer (timeout, 5xx): it may exist.
    Unknown,
}

/// The open journal of one data dir.
pub struct Journal {
    dir: PathBuf,
    file: Mutex<File>,
}

fn io(what: &str, e: std::io::Error) -> AppError {
    AppError::Storage(format!(
        "Das Journal der lexoffice-Aufträge konnte nicht {what} werden ({}). Es wurde nichts an lexoffice gesendet.",
        crate::error::io_de(&e)
    ))
}

/// `fsync` of a folder, so a file created in it survives a power cut.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

impl Journal {
    /// Opens (or creates) the journal in `dir`.
    pub fn open(dir: &Path) -> AppResult<Journal> {
        std::fs::create_dir_all(dir).map_err(|e| io("angelegt", e))?;
        let path = dir.join(FILE);
        let new = !path.exists();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io("geöffnet", e))?;
        if new {
            file.sync_all().map_err(|e| io("gesichert", e))?;
            sync_dir(dir).map_err(|e| io("gesichert", e))?;
            if let Some(parent) = dir.parent() {
                sync_dir(parent).map_err(|e| io("gesichert", e))?;
            }
        }
        Ok(Journal {
            dir: dir.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends `line` and returns once it is on disk.
    pub fn append(&self, line: &Line) -> AppResult<()> {
        let mut bytes = serde_json::to_vec(line)?;
        bytes.push(b'\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&bytes).map_err(|e| io("geschrieben", e))?;
        f.sync_data().map_err(|e| io("gesichert", e))
    }

    /// Every readable line, oldest first (a torn last line is skipped).
    pub fn lines(&self) -> AppResult<Vec<Line>> {
        let _f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        read_lines(&self.dir.join(FILE))
    }

    /// Drops the lines older than `KEEP_DAYS`: written to a new file, synced,
    /// renamed over the old one.
    pub fn compact(&self) -> AppResult<()> {
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.dir.join(FILE);
        let lines = read_lines(&path)?;
        let cutoff = crate::de::clock::now() - chrono::Duration::days(KEEP_DAYS);
        let keep: Vec<&Line> = lines.iter().filter(|l| l.at() >= cutoff).collect();
        if keep.len() == lines.len() {
            return Ok(());
        }
        let tmp = self.dir.join(format!("{FILE}.tmp"));
        let mut out = File::create(&tmp).map_err(|e| io("geschrieben", e))?;
        for l in keep {
            let mut bytes = serde_json::to_vec(l)?;
            bytes.push(b'\n');
            out.write_all(&bytes).map_err(|e| io("geschrieben", e))?;
        }
        out.sync_all().map_err(|e| io("gesichert", e))?;
        std::fs::rename(&tmp, &path).map_err(|e| io("geschrieben", e))?;
        sync_dir(&self.dir).map_err(|e| io("gesichert", e))?;
        *f = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io("geöffnet", e))?;
        Ok(())
    }
}

fn read_lines(path: &Path) -> AppResult<Vec<Line>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io("gelesen", e)),
    };
    Ok(text
        .lines()
        .filter_map(|l| match serde_json::from_str(l) {
            Ok(line) => Some(line),
            Err(e) => {
                log::warn!("journal: unreadable line skipped ({e})");
                None
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(id: u64, days_ago: i64) -> Line {
        Line::InvoiceOutcome {
            at: crate::de::clock::now() - chrono::Duration::days(days_ago),
            record_id: id,
            outcome: Outcome::Done {
                lexoffice_id: format!("draft-{id}"),
                version: Some(0),
            },
        }
    }

    #[test]
    fn lines_survive_reopening_and_a_torn_tail_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("journal")).unwrap();
        let (a, b) = (
            outcome(7, 0),
            Line::InvoiceOutcome {
                at: crate::de::clock::now(),
                record_id: 8,
                outcome: Outcome::Unknown,
            },
        );
        j.append(&a).unwrap();
        j.append(&b).unwrap();
        drop(j);
        let path = dir.path().join("journal").join(FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"invoiceOutcome\":{\"at").unwrap();
        let j = Journal::open(&dir.path().join("journal")).unwrap();
        assert_eq!(j.lines().unwrap(), vec![a, b]);
    }

    #[test]
    fn compaction_keeps_the_recent_lines() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(dir.path()).unwrap();
        let (old, new) = (outcome(1, KEEP_DAYS + 1), outcome(2, 0));
        j.append(&old).unwrap();
        j.append(&new).unwrap();
        j.compact().unwrap();
        assert_eq!(j.lines().unwrap(), vec![new.clone()]);
        j.append(&new).unwrap();
        assert_eq!(j.lines().unwrap().len(), 2);
    }
}
