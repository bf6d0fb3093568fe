//! „Rückgängig“ (docs/architecture.md › Rückgängig): a deletion or an edit is
//! real in the database at once; what it removed or replaced is kept here for
//! a while, and `undo` puts exactly that back (ids and billing state included).

use std::collections::HashMap;

use serde::Serialize;

use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{Entry, Project, Store};

pub use crate::core::undo::{Snapshot, UndoStore, KEEP};

/// The answer of a deletion or an edit that can be undone.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Undoable {
    /// For `undo`.
    pub undo: u64,
    /// „Eintrag gelöscht“, shown with „Rückgängig“.
    pub message: String,
}

/// A deleted customer comes back only while nobody took its place: a customer
/// imported anew for the same lexoffice contact, or one typed in with its
/// Kundennummer, would be there twice.
fn check_customers(store: &Store, s: &Snapshot) -> AppResult<()> {
    if s.customers.is_empty() {
        return Ok(());
    }
    let all = store.customers()?;
    for c in &s.customers {
        let twin = all.iter().find(|o| {
            o.id != c.id
                && ((c.lexoffice_id.is_some() && o.lexoffice_id == c.lexoffice_id)
                    || (!c.number.is_empty() && o.number == c.number))
        });
        if let Some(o) = twin {
            return Err(AppError::validation(
                "Rückgängig",
                if c.lexoffice_id.is_some() && o.lexoffice_id == c.lexoffice_id {
                    format!("„{}“ lässt sich nicht wiederherstellen: Der lexoffice-Kontakt ist inzwischen als „{}“ wieder da (neu importiert).", c.name, o.name)
                } else {
                    format!("„{}“ lässt sich nicht wiederherstellen: Die Kundennummer {} ist inzwischen an „{}“ vergeben.", c.name, c.number, o.name)
                },
            ));
        }
    }
    Ok(())
}

/// Nothing comes back without its parent: a subproject needs its main
/// project, an entry its project — in the database or coming back with it.
/// Refused before anything is written.
fn check_parents(store: &Store, s: &Snapshot) -> AppResult<()> {
    let back: HashMap<u64, &Project> = s.projects.iter().map(|p| (p.id, p)).collect();
    let exists =
        |id: u64| -> AppResult<bool> { Ok(back.contains_key(&id) || store.project(id)?.is_some()) };
    for p in &s.projects {
        if let Some(parent) = p.parent_id {
            if !exists(parent)? {
                return Err(AppError::validation(
                    "Rückgängig",
                    format!(
                        "„{}“ lässt sich nicht wiederherstellen: Sein Hauptprojekt wurde inzwischen gelöscht. Bitte zuerst das Löschen des Hauptprojekts rückgängig machen.",
                        p.name
                    ),
                ));
            }
        }
    }
    for e in &s.entries {
        if store.entry(e.id)?.is_none() && !exists(e.project_id)? {
            return Err(AppError::validation(
                "Rückgängig",
                format!(
                    "Der Eintrag vom {} lässt sich nicht wiederherstellen: Sein Projekt wurde inzwischen gelöscht.",
                    crate::de::format::date(e.date)
                ),
            ));
        }
    }
    Ok(())
}

/// Puts back what `s` removed or replaced. Entries an invoice has reserved or
/// billed since are left alone (their state wins). A project whose customer was
/// deleted meanwhile comes back without a customer (its entries are not lost);
/// returns how many did.
fn restore(store: &Store, s: &Snapshot) -> AppResult<Restored> {
    check_customers(store, s)?;
    check_parents(store, s)?;
    let mut reimported = 0;
    for c in &s.customers {
        store.put_customer(c)?;
    }
    let mut without_customer = 0;
    // Main projects before their subprojects: a subproject never points at a
    // main project that is not back yet (the database checks it).
    let mut projects: Vec<&Project> = s.projects.iter().collect();
    projects.sort_by_key(|p| p.parent_id.is_some());
    for p in projects {
        let gone = match p.customer_id {
            Some(cid) => store.customer(cid)?.is_none(),
            None => false,
        };
        if gone {
            without_customer += 1;
            store.put_project(&Project {
                customer_id: None,
                ..p.clone()
            })?;
        } else {
            store.put_project(p)?;
        }
    }
    if !s.entries.is_empty() {
        // Deleted entries come back as they were; a replaced version only while
        // the current one is still open.
        let (back, replaced): (Vec<Entry>, Vec<Entry>) = s
            .entries
            .iter()
            .cloned()
            .partition(|e| store.entry(e.id).ok().flatten().is_none());
        // A deleted entry whose CSV row was imported again is there already.
        let mut fresh = Vec::with_capacity(back.len());
        for e in back {
            match e.csv_fingerprint {
                Some(fp) if store.csv_row_known(fp)? => reimported += 1,
                _ => fresh.push(e),
            }
        }
        store.put_entries(&fresh)?;
        let (exact, others): (Vec<Entry>, Vec<Entry>) = replaced
            .into_iter()
            .partition(|e| s.wrote.iter().any(|(id, _)| *id == e.id));
        for old in exact {
            put_back_over_own_edit(store, old, s)?;
        }
        store.put_entries_if_open(&others)?;
    }
    if !s.created_entries.is_empty() {
        store.delete_entries(&s.created_entries)?;
    }
    if !s.employees.is_empty() {
        let back = s.employees.clone();
        store.update_settings(|st| {
            for e in back {
                if !st.employees.iter().any(|x| x.id == e.id) {
                    st.employees.push(e);
                }
            }
        })?;
    }
    if !s.retagged.is_empty() {
        // Only the employee goes back; whatever else changed since (a note
        // edited) stays, and an entry whose billing changed is left alone.
        store.update_entries(|store| {
            let mut pairs = Vec::new();
            for old in &s.retagged {
                let Some(now) = store.entry(old.id)? else {
                    continue;
                };
                if now.billing != old.billing {
                    continue;
                }
                let mut back = now.clone();
                if let (
                    crate::storage::EntryKind::Time {
                        employee,
                        employee_id,
                        ..
                    },
                    crate::storage::EntryKind::Time {
                        employee: was,
                        employee_id: was_id,
                        ..
                    },
                ) = (&mut back.kind, &old.kind)
                {
                    *employee = was.clone();
                    *employee_id = *was_id;
                }
                pairs.push((now, back));
            }
            Ok(pairs)
        })?;
        store.flush()?;
    }
    Ok(Restored {
        without_customer,
        reimported,
    })
}

/// The undo of an edit: the old version goes back only over the version the
/// edit wrote; an entry reserved or billed since is left alone (its state
/// wins); one changed since (at another seat, by a later edit) refuses.
fn put_back_over_own_edit(store: &Store, old: Entry, s: &Snapshot) -> AppResult<()> {
    let Some(now) = store.entry(old.id)? else {
        return Ok(());
    };
    if now.is_locked() {
        return Ok(());
    }
    let wrote = s
        .wrote
        .iter()
        .find(|(id, _)| *id == old.id)
        .map(|(_, at)| *at);
    let changed = || {
        AppError::Changed(if store.is_server() {
            "Der Eintrag wurde inzwischen an einem anderen Arbeitsplatz geändert; die Bearbeitung lässt sich nicht mehr rückgängig machen.".into()
        } else {
            "Der Eintrag wurde inzwischen wieder geändert; die Bearbeitung lässt sich nicht mehr rückgängig machen.".into()
        })
    };
    match wrote {
        Some(at) if now.updated_at == at => {
            store
                .save_entry_unchanged_since(&old, at)
                .map_err(|e| match e {
                    AppError::Changed(_) => changed(),
                    other => other,
                })
        }
        _ => Err(changed()),
    }
}

/// What `restore` could not put back as it was.
struct Restored {
    /// Projects back without their (deleted) customer.
    without_customer: usize,
    /// Entries left out: their CSV row was imported again meanwhile.
    reimported: usize,
}

/// „Rückgängig“.
pub async fn undo(core: &Core, token: u64) -> AppResult<String> {
    // Never into the data another seat is restoring right now.
    let _no_restore = crate::core::no_restore(core, "es wurde nichts rückgängig gemacht").await?;
    // A customer is not put back beside a customer import (it could be imported
    // a second time meanwhile).
    let _no_import = if core.undo.holds_customers(token) {
        Some(core.without_import("„Rückgängig“ wählen")?)
    } else {
        None
    };
    let (taken_at, snapshot) = core.undo.take(token).ok_or_else(|| {
        AppError::validation(
            "Rückgängig",
            "Das lässt sich nicht mehr rückgängig machen (nach 30 Sekunden oder nach einem Neustart).",
        )
    })?;
    let store = core.store.clone();
    // Entries moved by „Zusammenführen“ go back while no draft changes them.
    let _billing = if snapshot.retagged.is_empty() {
        None
    } else {
        Some(core.invoice_lock.lock().await)
    };
    let what = if let Some(e) = snapshot.employees.first() {
        format!("Mitarbeiter „{}“ wiederhergestellt", e.name)
    } else if let Some(c) = snapshot.customers.first() {
        format!("Kunde „{}“ wiederhergestellt", c.name)
    } else if !snapshot.projects.is_empty() {
        format!(
            "Projekt „{}“ wiederhergestellt",
            snapshot
                .projects
                .last()
                .map(|p| p.name.as_str())
                .unwrap_or("")
        )
    } else if snapshot.entries.len() == 1 {
        "Eintrag wiederhergestellt".to_string()
    } else {
        format!("{} Einträge wiederhergestellt", snapshot.entries.len())
    };
    let entries_only = snapshot.customers.is_empty()
        && snapshot.projects.is_empty()
        && snapshot.employees.is_empty();
    let entry_count = snapshot.entries.len();
    let done = blocking(move || {
        let refused =
            check_customers(&store, &snapshot).and_then(|()| check_parents(&store, &snapshot));
        Ok(match refused {
            Err(e) => Err((e, snapshot)),
            Ok(()) => Ok(restore(&store, &snapshot)),
        })
    })
    .await?
    .map_err(|(e, snapshot)| {
        core.undo.put_back(token, taken_at, snapshot);
        e
    })??;
    let mut message = if done.without_customer > 0 {
        format!("{what} – ohne Kunden, denn sein Kunde wurde inzwischen gelöscht. Bitte unter „Bearbeiten“ einen Kunden wählen.")
    } else {
        what
    };
    if done.reimported > 0 {
        message = match (entries_only && done.reimported == entry_count, done.reimported) {
            (true, 1) => "Der Eintrag ist schon wieder da: Seine CSV-Zeile wurde inzwischen erneut importiert.".to_string(),
            (true, _) => "Die Einträge sind schon wieder da: Ihre CSV-Zeilen wurden inzwischen erneut importiert.".to_string(),
            (false, n) => format!(
                "{message}; {} nicht, weil die CSV-Zeilen inzwischen erneut importiert wurden.",
                crate::de::format::count_de(n, "Eintrag", "Einträge")
            ),
        };
    }
    Ok(message)
}
