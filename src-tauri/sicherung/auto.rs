//! Automatic backups (Einstellungen › Datensicherung › Automatische Sicherungen):
//! at start when the newest is older than a day, then every 24 hours the app
//! runs. Each is `auto-YYYY-MM-DD-HHMMSS.json` in the backup folder (older
//! versions wrote `auto-YYYY-MM-DD.json`; both count).
//!
//! Kept: the newest of each of the last 7 days with a backup, of the last 4
//! weeks and of the last 12 months. Never rotated when the new backup holds far
//! fewer records than the one before (half, when that one held at least 20):
//! a damaged or emptied database must not push out every good copy — all are
//! kept and the status says why. Copies made before a restore
//! (`vor-wiederherstellung-….json`) are pruned to the last 5. A failure is
//! kept as the status that Datensicherung and a notice show.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{Datelike, NaiveDateTime};
use chrono_tz::Europe::Berlin;
use serde::Serialize;

use super::{io_err, serialise, snapshot, write_backup};
use crate::core::{blocking, Core};
use crate::error::AppResult;
use crate::storage::{BackupSummary, Store};

pub const KEEP_DAILY: usize = 7;
pub const KEEP_WEEKLY: usize = 4;
pub const KEEP_MONTHLY: usize = 12;
pub const KEEP_BEFORE_RESTORE: usize = 5;
/// Between two automatic backups while the app runs.
pub const EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// The record counts of the automatic backups (for the shrink guard).
const COUNTS: &str = ".auto-counts.json";

/// The last automatic backup, as Datensicherung shows it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AutoStatus {
    /// false: it failed, or it kept every older copy; `message` says why.
    pub ok: bool,
    /// „Letzte automatische Sicherung: 04.12.2026, 08:00 Uhr (3 Kunden, …).“
    pub message: String,
}

/// The status of this run (memory only).
#[derive(Default)]
pub struct AutoTracker(Mutex<Option<AutoStatus>>);

impl AutoTracker {
    pub fn get(&self) -> Option<AutoStatus> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn set(&self, s: AutoStatus) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(s);
    }
}

/// When an automatic backup was written, from its name.
pub fn name_time(name: &str) -> Option<NaiveDateTime> {
    let stem = name.strip_prefix("auto-")?.strip_suffix(".json")?;
    NaiveDateTime::parse_from_str(stem, "%Y-%m-%d-%H%M%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(stem, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

fn autos(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| name_time(n).is_some())
                .collect()
        })
        .unwrap_or_default();
    names.sort_by_key(|n| name_time(n));
    names
}

/// Which automatic backups to keep: the newest of each of the last 7 days, 4
/// weeks and 12 months that have one. `names` in any order.
pub fn keep(names: &[String]) -> HashSet<String> {
    let mut newest_first: Vec<(NaiveDateTime, &String)> = names
        .iter()
        .filter_map(|n| name_time(n).map(|t| (t, n)))
        .collect();
    newest_first.sort_by_key(|b| std::cmp::Reverse(b.0));
    let mut kept = HashSet::new();
    let mut pick = |key: &dyn Fn(NaiveDateTime) -> (i32, u32), limit: usize| {
        let mut seen: Vec<(i32, u32)> = Vec::new();
        for (t, n) in &newest_first {
            let k = key(*t);
            if seen.contains(&k) {
                continue;
            }
            if seen.len() == limit {
                break;
            }
            seen.push(k);
            kept.insert((*n).clone());
        }
    };
    pick(&|t| (t.year(), t.ordinal()), KEEP_DAILY);
    pick(&|t| (t.iso_week().year(), t.iso_week().week()), KEEP_WEEKLY);
    pick(&|t| (t.year(), t.month()), KEEP_MONTHLY);
    kept
}

fn read_counts(dir: &Path) -> BTreeMap<String, usize> {
    std::fs::read(dir.join(COUNTS))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn total(s: &BackupSummary) -> usize {
    s.customers + s.projects + s.entries + s.invoices
}

/// The copy in the second folder, rotated like the first (its own older
/// copies that the first keeps stay). Err: the German reason.
fn copy_to(
    bytes: &[u8],
    name: &str,
    keep_names: &HashSet<String>,
    copy: &Path,
) -> Result<(), String> {
    std::fs::create_dir_all(copy)
        .and_then(|()| {
            if copy.is_dir() {
                Ok(())
            } else {
                Err(std::io::Error::other("kein Ordner"))
            }
        })
        .map_err(|e| crate::error::io_de(&e))?;
    write_backup(bytes, &copy.join(name)).map_err(|e| e.to_string())?;
    for n in autos(copy).iter().filter(|n| !keep_names.contains(*n)) {
        let _ = std::fs::remove_file(copy.join(n));
    }
    Ok(())
}

/// Writes one automatic backup from `bytes` and rotates; with `copy`, the
/// same file goes to that second folder too. Returns its path and the status.
fn write_auto(
    bytes: &[u8],
    summary: &BackupSummary,
    dir: &Path,
    now: NaiveDateTime,
    copy: Option<&Path>,
) -> AppResult<(PathBuf, AutoStatus)> {
    let name = format!("auto-{}.json", now.format("%Y-%m-%d-%H%M%S"));
    let before = autos(dir);
    let path = dir.join(&name);
    write_backup(bytes, &path)?;
    let mut counts = read_counts(dir);
    let previous = before.last().and_then(|n| counts.get(n).copied());
    let now_total = total(summary);
    counts.insert(name.clone(), now_total);
    let when = now.format("%d.%m.%Y, %H:%M Uhr");
    let shrunk = previous.is_some_and(|p| p >= 20 && now_total * 2 < p);
    let mut all = before;
    all.push(name.clone());
    let kept = if shrunk {
        all.iter().cloned().collect()
    } else {
        keep(&all)
    };
    let copied = copy.map(|c| (c, copy_to(bytes, &name, &kept, c)));
    let mut status = if let (true, Some(p)) = (shrunk, previous) {
        AutoStatus {
            ok: false,
            message: format!(
                "Die automatische Sicherung vom {when} enthält deutlich weniger Daten als die vorige ({now_total} statt {p} Datensätze). Deshalb bleiben alle älteren Sicherungen erhalten. Bitte prüfen, ob Daten fehlen – dann eine ältere Sicherung wiederherstellen."
            ),
        }
    } else {
        for n in all.iter().filter(|n| !kept.contains(*n)) {
            let _ = std::fs::remove_file(dir.join(n));
            counts.remove(n);
        }
        AutoStatus {
            ok: true,
            message: format!(
                "Letzte automatische Sicherung: {when} ({}).",
                super::counts(summary)
            ),
        }
    };
    match copied {
        Some((c, Err(why))) => {
            status = AutoStatus {
                ok: false,
                message: format!(
                    "Die automatische Sicherung vom {when} ist geschrieben, aber nicht in den zweiten Ordner „{}“ kopiert: {why}. Ist das Netzlaufwerk verbunden?",
                    c.display()
                ),
            }
        }
        Some((c, Ok(()))) if status.ok => {
            status.message = format!("{} Kopie in „{}“.", status.message, c.display());
        }
        _ => {}
    }
    let json = serde_json::to_vec_pretty(&counts)?;
    write_backup(&json, &dir.join(COUNTS))?;
    Ok((path, status))
}

fn now_berlin() -> NaiveDateTime {
    crate::de::clock::now().with_timezone(&Berlin).naive_local()
}

/// Is an automatic backup due (none, or the newest older than a day)?
pub fn due(dir: &Path, now: NaiveDateTime) -> bool {
    autos(dir)
        .last()
        .and_then(|n| name_time(n))
        .is_none_or(|t| now - t >= chrono::Duration::hours(24))
}

/// One automatic backup now, from `store` (tests, the start-up of older code
/// paths). None when one of the last 24 hours exists.
pub fn daily_backup(store: &Store, dir: &Path) -> AppResult<Option<PathBuf>> {
    let now = now_berlin();
    if !due(dir, now) {
        return Ok(None);
    }
    std::fs::create_dir_all(dir).map_err(|e| io_err("Anlegen von", dir, e))?;
    let (bytes, summary) = serialise(store)?;
    let copy = store.settings()?.backup_copy_dir.map(PathBuf::from);
    write_auto(&bytes, &summary, dir, now, copy.as_deref()).map(|(p, _)| Some(p))
}

/// One automatic backup: the snapshot under the invoice lock, the file after.
/// The status is kept for Datensicherung; a problem is returned too.
pub async fn run(core: &Core) -> AppResult<Option<PathBuf>> {
    let Some(dir) = core.backup_dir.clone() else {
        return Ok(None);
    };
    let store = core.store.clone();
    let result = async {
        let (bytes, summary) = snapshot(core).await?;
        blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| io_err("Anlegen von", &dir, e))?;
            let copy = store.settings()?.backup_copy_dir.map(PathBuf::from);
            write_auto(&bytes, &summary, &dir, now_berlin(), copy.as_deref())
        })
        .await
    }
    .await;
    match result {
        Ok((path, status)) => {
            core.feature::<AutoTracker>().set(status);
            Ok(Some(path))
        }
        Err(e) => {
            core.feature::<AutoTracker>().set(AutoStatus {
                ok: false,
                message: format!(
                    "Die automatische Sicherung vom {} ist fehlgeschlagen: {e} Bitte den Speicherplatz prüfen oder unter „Sicherung erstellen“ von Hand sichern.",
                    now_berlin().format("%d.%m.%Y, %H:%M Uhr")
                ),
            });
            Err(e)
        }
    }
}

/// At start when the newest is older than a day, then every 24 hours of
/// uptime. A failure or a kept-everything warning stays in the status, which
/// the window asks for and shows as a notice.
pub async fn forever(core: std::sync::Arc<Core>) {
    let Some(dir) = core.backup_dir.clone() else {
        return;
    };
    let first_due = blocking(move || Ok(due(&dir, now_berlin())))
        .await
        .unwrap_or(true);
    if !first_due {
        tokio::time::sleep(EVERY).await;
    }
    loop {
        match run(&core).await {
            Err(e) => log::error!("automatic backup failed: {e}"),
            Ok(p) => log::info!("automatic backup written: {p:?}"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// At start: a database holding far fewer records than the newest automatic
/// backup (less than half of at least 20) — after a damaged log sled can come
/// up silently truncated. The German warning, or None.
pub fn shrink_warning(store: &Store, dir: &Path) -> AppResult<Option<String>> {
    let Some(newest) = autos(dir).pop() else {
        return Ok(None);
    };
    let Some(&then) = read_counts(dir).get(&newest) else {
        return Ok(None);
    };
    let now = store.customers()?.len()
        + store.projects()?.len()
        + store.entry_count()
        + store.invoice_records()?.len();
    if then < 20 || now * 2 >= then {
        return Ok(None);
    }
    let when = name_time(&newest)
        .map(|t| t.format("%d.%m.%Y, %H:%M Uhr").to_string())
        .unwrap_or_default();
    Ok(Some(format!(
        "Die Datenbank enthält deutlich weniger Daten als die automatische Sicherung vom {when} ({now} statt {then} Datensätze). Wenn Daten fehlen: unter Einstellungen › Datensicherung die Sicherung „{newest}“ wiederherstellen."
    )))
}

/// Copies made before a restore: the newest 5 are kept.
pub fn prune_before_restore(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.starts_with("vor-wiederherstellung-") && n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    while names.len() > KEEP_BEFORE_RESTORE {
        let _ = std::fs::remove_file(dir.join(names.remove(0)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        format!("auto-{s}.json")
    }

    #[test]
    fn names_old_and_new_are_read() {
        assert_eq!(
            name_time("auto-2026-12-04-081500.json")
                .unwrap()
                .to_string(),
            "2026-12-04 08:15:00"
        );
        assert_eq!(
            name_time("auto-2026-12-01.json").unwrap().to_string(),
            "2026-12-01 00:00:00"
        );
        assert!(name_time("vor-wiederherstellung-2026-12-01-101010.json").is_none());
        assert!(name_time(".auto-counts.json").is_none());
    }

    #[test]
    fn seven_days_four_weeks_twelve_months_are_kept() {
        // One a day for 400 days up to 04.12.2026, two on the last day.
        let last = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let mut names: Vec<String> = (0..400)
            .map(|d| {
                n(&format!(
                    "{}-080000",
                    (last - chrono::Duration::days(d)).format("%Y-%m-%d")
                ))
            })
            .collect();
        names.push(n("2026-12-04-200000"));
        let kept = keep(&names);
        let mut kept: Vec<&String> = kept.iter().collect();
        kept.sort();
        let kept: Vec<&str> = kept.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            kept,
            vec![
                // the newest of each of the last 12 months …
                "auto-2026-01-31-080000.json",
                "auto-2026-02-28-080000.json",
                "auto-2026-03-31-080000.json",
                "auto-2026-04-30-080000.json",
                "auto-2026-05-31-080000.json",
                "auto-2026-06-30-080000.json",
                "auto-2026-07-31-080000.json",
                "auto-2026-08-31-080000.json",
                "auto-2026-09-30-080000.json",
                "auto-2026-10-31-080000.json",
                // … of the last 4 weeks (Sundays) …
                "auto-2026-11-15-080000.json",
                "auto-2026-11-22-080000.json",
                // … and of the last 7 days.
                "auto-2026-11-28-080000.json",
                "auto-2026-11-29-080000.json",
                "auto-2026-11-30-080000.json",
                "auto-2026-12-01-080000.json",
                "auto-2026-12-02-080000.json",
                "auto-2026-12-03-080000.json",
                "auto-2026-12-04-200000.json",
            ]
        );
    }

    fn summary(entries: usize) -> BackupSummary {
        BackupSummary {
            created_at: crate::de::clock::now(),
            customers: 0,
            projects: 0,
            entries,
            invoices: 0,
        }
    }

    #[test]
    fn an_emptied_database_never_pushes_out_the_good_copies() {
        let dir = tempfile::tempdir().unwrap();
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
        };
        for d in 1..=9 {
            let (_, s) = write_auto(b"{}", &summary(500), dir.path(), day(d), None).unwrap();
            assert!(s.ok, "{}", s.message);
        }
        // Rotated as usual: 3.–9.11. (the last 7 days) and 1.11., the newest of its week.
        assert_eq!(autos(dir.path()).len(), 8);
        assert!(!dir.path().join("auto-2026-11-02-080000.json").exists());
        // The database lost most of its data: the new copy is written, nothing goes.
        let (_, s) = write_auto(b"{}", &summary(12), dir.path(), day(10), None).unwrap();
        assert!(!s.ok);
        assert_eq!(
            s.message,
            "Die automatische Sicherung vom 10.11.2026, 08:00 Uhr enthält deutlich weniger Daten als die vorige (12 statt 500 Datensätze). Deshalb bleiben alle älteren Sicherungen erhalten. Bitte prüfen, ob Daten fehlen – dann eine ältere Sicherung wiederherstellen."
        );
        assert_eq!(autos(dir.path()).len(), 9);
    }

    #[test]
    fn a_database_far_smaller_than_the_newest_backup_is_named_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        write_auto(b"{}", &summary(300), dir.path(), t, None).unwrap();
        let db = tempfile::tempdir().unwrap();
        let store = Store::open(db.path()).unwrap();
        assert_eq!(
            shrink_warning(&store, dir.path()).unwrap().as_deref(),
            Some("Die Datenbank enthält deutlich weniger Daten als die automatische Sicherung vom 03.12.2026, 08:00 Uhr (0 statt 300 Datensätze). Wenn Daten fehlen: unter Einstellungen › Datensicherung die Sicherung „auto-2026-12-03-080000.json“ wiederherstellen.")
        );
        let small = tempfile::tempdir().unwrap();
        write_auto(b"{}", &summary(10), small.path(), t, None).unwrap();
        assert_eq!(shrink_warning(&store, small.path()).unwrap(), None);
    }

    #[test]
    fn each_automatic_backup_is_copied_to_the_second_folder_and_rotated_there() {
        let dir = tempfile::tempdir().unwrap();
        let nas = tempfile::tempdir().unwrap();
        let day = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
        };
        for d in 1..=9 {
            let (_, s) =
                write_auto(b"{}", &summary(500), dir.path(), day(d), Some(nas.path())).unwrap();
            assert!(s.ok, "{}", s.message);
            assert!(
                s.message
                    .ends_with(&format!("Kopie in „{}“.", nas.path().display())),
                "{}",
                s.message
            );
        }
        assert_eq!(autos(nas.path()), autos(dir.path()));
        // The network drive is gone: the backup is written, the status says so.
        let gone = nas.path().join("datei");
        std::fs::write(&gone, "kein Ordner").unwrap();
        let (path, s) = write_auto(b"{}", &summary(500), dir.path(), day(10), Some(&gone)).unwrap();
        assert!(path.exists());
        assert!(!s.ok);
        assert!(
            s.message.starts_with("Die automatische Sicherung vom 10.11.2026, 08:00 Uhr ist geschrieben, aber nicht in den zweiten Ordner"),
            "{}",
            s.message
        );
    }

    #[test]
    fn copies_before_a_restore_are_pruned_to_five() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..8 {
            std::fs::write(
                dir.path().join(format!(
                    "vor-wiederherstellung-2026-12-0{}-101010.json",
                    i + 1
                )),
                "{}",
            )
            .unwrap();
        }
        prune_before_restore(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 5);
        assert_eq!(left[0], "vor-wiederherstellung-2026-12-04-101010.json");
    }
}
