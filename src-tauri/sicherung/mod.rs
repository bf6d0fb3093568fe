//! Einstellungen › Datensicherung: backups to a chosen file, restore with full
//! validation and an automatic copy of the current data first, and the
//! automatic backups in the data dir (`auto`). Tauri-free.

use std::path::{Path, PathBuf};

use chrono_tz::Europe::Berlin;
use serde::Serialize;

use crate::core::{blocking, Core};
use crate::error::{io_de, AppError, AppResult};
use crate::storage::{Backup, BackupSummary, Hold, Store};

pub mod auto;

pub use auto::{daily_backup, KEEP_BEFORE_RESTORE, KEEP_DAILY, KEEP_MONTHLY, KEEP_WEEKLY};
const MAX_BACKUP_BYTES: u64 = 512 * 1024 * 1024;

pub(crate) fn io_err(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::validation(
        "Datei",
        format!("{what} {} fehlgeschlagen: {}.", path.display(), io_de(&e)),
    )
}

/// One consistent state of the data, serialised: the document of a backup
/// and what it holds. Taken under the invoice lock by the callers; the file is
/// written afterwards, so a slow or hanging network drive never blocks
/// „Erstellen“ or the sync.
pub(crate) fn serialise(store: &Store) -> AppResult<(Vec<u8>, BackupSummary)> {
    let backup = store.export()?;
    let mut bytes = serde_json::to_vec_pretty(&backup)?;
    bytes.push(b'\n');
    Ok((bytes, backup.summary()))
}

/// Takes the snapshot under the invoice lock (no draft is reserved, settled or
/// released meanwhile) and releases the lock before anything is written.
pub(crate) async fn snapshot(core: &Core) -> AppResult<(Vec<u8>, BackupSummary)> {
    let _guard = core.invoice_lock.lock().await;
    let store = core.store.clone();
    blocking(move || serialise(&store)).await
}

/// Writes the document next to the target, syncs and renames, so a crash never
/// leaves half a file.
pub(crate) fn write_backup(bytes: &[u8], path: &Path) -> AppResult<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_err("Anlegen des Ordners für", path, e))?;
    }
    // One temp file per backup: two backups to the same path never share one.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("json.{}-{n}.tmp", std::process::id()));
    let result = write_synced(bytes, &tmp)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| io_err("Umbenennen nach", path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `bytes` into a new file `tmp`, on disk when this returns.
fn write_synced(bytes: &[u8], tmp: &Path) -> AppResult<()> {
    use std::io::Write;
    let write_err = |e| io_err("Schreiben von", tmp, e);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(write_err)?;
    file.write_all(bytes).map_err(write_err)?;
    file.sync_all().map_err(write_err)
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupResult {
    pub path: String,
    pub summary: BackupSummary,
    pub message: String,
}

fn counts(s: &BackupSummary) -> String {
    use crate::de::format::count_de;
    format!(
        "{}, {}, {}, {}",
        count_de(s.customers, "Kunde", "Kunden"),
        count_de(s.projects, "Projekt", "Projekte"),
        count_de(s.entries, "Eintrag", "Einträge"),
        count_de(s.invoices, "Rechnungsentwurf", "Rechnungsentwürfe")
    )
}

/// "Sicherung erstellen" into `path`.
pub async fn create(core: &Core, path: String) -> AppResult<BackupResult> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(AppError::validation(
            "Datei",
            "Bitte einen Speicherort wählen.",
        ));
    }
    let (bytes, summary) = snapshot(core).await?;
    blocking(move || {
        write_backup(&bytes, &path)?;
        log::info!("backup written: {}", counts(&summary));
        Ok(BackupResult {
            message: format!("Sicherung erstellt: {}.", counts(&summary)),
            path: path.display().to_string(),
            summary,
        })
    })
    .await
}

pub(crate) fn read_backup(path: &Path) -> AppResult<Backup> {
    let meta = std::fs::metadata(path).map_err(|e| io_err("Lesen von", path, e))?;
    if meta.len() > MAX_BACKUP_BYTES {
        return Err(AppError::validation(
            "Datei",
            "Die Datei ist zu groß für eine Zeitrechnung-Sicherung.",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| io_err("Lesen von", path, e))?;
    Backup::from_json(&bytes)
}

/// What a backup file holds (for the confirmation before restoring).
pub async fn inspect(path: String) -> AppResult<BackupSummary> {
    blocking(move || Ok(read_backup(Path::new(path.trim()))?.summary())).await
}

/// "Sicherung wiederherstellen": validates the whole file, keeps a copy of the
/// current data, then replaces everything in one transaction.
pub async fn restore(core: &Core, path: String, repair: bool) -> AppResult<BackupResult> {
    // Never beside a customer import (it would write customers into the old data).
    let _replace = core.without_import("wiederherstellen")?;
    // Never beside an invoice creation or reconciliation.
    let _guard = core.invoice_lock.lock().await;
    // … nor beside one at another seat, nor an import there: the restore
    // holds the data alone, and the other seats are told while it runs.
    let _alone = crate::core::hold(core, Hold::Restore, |place| {
        format!("{} wird gerade ein Rechnungsentwurf erstellt, ein Import oder eine Wiederherstellung ausgeführt. Bitte danach wiederherstellen; es wurde nichts geändert.", crate::de::format::capitalised(place))
    })
    .await?;
    let dir = core.backup_dir.clone();
    let store = core.store.clone();
    let journal = core.journal.clone();
    blocking(move || {
        let mut backup = read_backup(Path::new(path.trim()))?;
        // Billing must add up before anything is replaced: refused with the
        // reasons, or repaired on „Reparieren und wiederherstellen“.
        let repaired = if repair {
            backup.repair_billing()
        } else {
            let problems = backup.billing_problems();
            if !problems.is_empty() {
                return Err(AppError::Confirm {
                    field: "Sicherung",
                    message: format!(
                        "Die Abrechnung in dieser Sicherung geht nicht auf: {}{}. „Reparieren und wiederherstellen“ trägt fehlende Entwürfe nach und öffnet keine abgerechnete Arbeit wieder.",
                        problems.iter().take(3).cloned().collect::<Vec<_>>().join("; "),
                        match problems.len() {
                            0..=3 => String::new(),
                            n => format!(" und {} weitere", n - 3),
                        }
                    ),
                });
            }
            Vec::new()
        };
        let kept = carry_over_billing(&store, &mut backup)?;
        if let Some(dir) = dir {
            let stamp = crate::de::clock::now().with_timezone(&Berlin).format("%Y-%m-%d-%H%M%S");
            let (bytes, _) = serialise(&store)?;
            write_backup(&bytes, &dir.join(format!("vor-wiederherstellung-{stamp}.json")))?;
            auto::prune_before_restore(&dir);
        }
        store.announce(crate::storage::RESTORE_BEGINS)?;
        let replaced = store.replace_all(&backup);
        // The others reload either way (their undo is void after it).
        let _ = store.announce(crate::storage::RESTORE_DONE);
        replaced?;
        // What lexoffice got since the backup (drafts, customers) is written again.
        if let Some(j) = &journal {
            let done = crate::journal::replay(&store, j)?;
            log::info!("journal applied after the restore: {done:?}");
        }
        let summary = backup.summary();
        log::info!(
            "backup restored: {} ({} newer drafts kept)",
            counts(&summary),
            kept.len()
        );
        let kept_text = match kept.as_slice() {
            [] => String::new(),
            [one] => format!(" Der Rechnungsentwurf {one} wurde nach der Sicherung erstellt; seine Einträge bleiben abgerechnet."),
            many => format!(
                " Diese Rechnungsentwürfe wurden nach der Sicherung erstellt; ihre Einträge bleiben abgerechnet: {}.",
                many.join("; ")
            ),
        };
        let repaired_text = if repaired.is_empty() {
            String::new()
        } else {
            format!(" Repariert: {}.", repaired.join("; "))
        };
        Ok(BackupResult {
            message: format!(
                "Sicherung wiederhergestellt: {}.{kept_text}{repaired_text}",
                counts(&summary)
            ),
            path,
            summary,
        })
    })
    .await
    .inspect(|_| core.undo.clear())
}

/// A draft that exists in lexoffice must stay billed, even when the backup is
/// older than it: invoice attempts that are not in the backup (created, or still
/// unclear) are carried over with their entries' billing state. Returns how many.
fn carry_over_billing(store: &Store, backup: &mut Backup) -> AppResult<Vec<String>> {
    use crate::storage::{BillingState, InvoiceState};
    use std::collections::{HashMap, HashSet};
    let in_backup: HashSet<u64> = backup.invoices.iter().map(|i| i.id).collect();
    let projects: HashSet<u64> = backup.projects.iter().map(|p| p.id).collect();
    let mut kept = Vec::new();
    let project_names: HashMap<u64, String> = backup
        .projects
        .iter()
        .map(|p| (p.id, p.name.clone()))
        .collect();
    for rec in store.invoice_records()? {
        if in_backup.contains(&rec.id) {
            continue;
        }
        let billing = match (&rec.state, &rec.lexoffice_id) {
            (InvoiceState::Created, Some(id)) => BillingState::Billed {
                invoice_id: id.clone(),
            },
            (InvoiceState::Pending | InvoiceState::Unclear { .. }, _) => BillingState::Reserved {
                attempt: rec.id.to_string(),
            },
            _ => continue,
        };
        let mut rec = rec;
        let index: HashMap<u64, usize> = backup
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        rec.entry_ids.retain(|id| index.contains_key(id));
        if !projects.contains(&rec.project_id) || rec.entry_ids.is_empty() {
            continue;
        }
        for id in &rec.entry_ids {
            backup.entries[index[id]].billing = billing.clone();
        }
        kept.push(crate::model::draft_label(
            project_names
                .get(&rec.project_id)
                .map(String::as_str)
                .unwrap_or("?"),
            &rec,
        ));
        backup.invoices.push(rec);
    }
    Ok(kept)
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub folder: Option<String>,
    pub automatic: Vec<String>,
    /// The last automatic backup of this run, ready to show (None: none yet).
    pub auto_status: Option<auto::AutoStatus>,
    /// The database holds far fewer records than the newest automatic backup
    /// (found at start), with what to do.
    pub shrunk: Option<String>,
    /// Drafts the journal wrote back at start, named (see `journal::Replayed::notice`).
    pub replayed: Option<String>,
    /// The second folder that receives a copy of each automatic backup.
    pub copy_folder: Option<String>,
    /// Records that could not be read („Kunde 12“, „Eintrag 345“): left out of
    /// lists and backups, kept in the database as they are.
    pub damaged: Vec<String>,
}

/// „Zweiter Ordner“ of the automatic backups: a folder Rust's dialog chose,
/// or none.
pub async fn set_copy_folder(core: &Core, folder: Option<PathBuf>) -> AppResult<BackupInfo> {
    let store = core.store.clone();
    blocking(move || {
        store.update_settings(|s| s.backup_copy_dir = folder.map(|f| f.display().to_string()))
    })
    .await?;
    info(core).await
}

pub async fn info(core: &Core) -> AppResult<BackupInfo> {
    let dir = core.backup_dir.clone();
    let store = core.store.clone();
    let auto_status = core.feature::<auto::AutoTracker>().get();
    let shrunk = core.shrunk.clone();
    let replayed = core.replayed.clone();
    blocking(move || {
        let copy_folder = store.settings()?.backup_copy_dir;
        let damaged = store.scan_for_damage()?.iter().map(|d| d.label()).collect();
        let mut automatic: Vec<String> = match &dir {
            Some(d) => std::fs::read_dir(d)
                .map(|rd| {
                    rd.flatten()
                        .filter_map(|e| e.file_name().to_str().map(str::to_string))
                        .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        automatic.sort();
        automatic.reverse();
        Ok(BackupInfo {
            folder: dir.map(|d| d.display().to_string()),
            automatic,
            auto_status,
            shrunk,
            replayed,
            copy_folder,
            damaged,
        })
    })
    .await
}
