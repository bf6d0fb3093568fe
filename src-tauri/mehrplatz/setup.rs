//! „Mehrplatz einrichten“ — the first seat: the local data are checked
//! (text with a NUL character, duplicates, orphans: named, never dropped),
//! moved into the empty server database in one transaction that commits only
//! when the server's own counts and sums equal the local ones, and only then
//! is the switch written. The local database stays untouched as a fallback.

use std::collections::HashMap;
use std::path::Path;

use super::view::SwitchView;
use super::{MehrplatzForm, ServerConfig};
use crate::core::{blocking, Core};
use crate::de::format::{count_de, date, minutes};
use crate::error::{AppError, AppResult};
use crate::storage::{pg, Backup, DataTotals, PgStore, Store};

pub async fn setup(core: &Core, form: MehrplatzForm) -> AppResult<SwitchView> {
    let data_dir = core
        .data_dir
        .clone()
        .ok_or_else(|| AppError::Internal("kein Datenordner".into()))?;
    if core.store.is_server() {
        return Err(AppError::Rejected(
            "Zeitrechnung arbeitet schon mit der Mehrplatz-Datenbank.".into(),
        ));
    }
    // Nothing of this PC changes while its data move: no import, no restore,
    // no invoice, no status sync (the window shows the move as busy).
    let _replace = core.without_import("„Mehrplatz einrichten“ wählen")?;
    let _invoices = core.invoice_lock.lock().await;
    let _sync = core.sync.start().await;
    let store = core.store.clone();
    let passwords = core.db_password.clone();
    blocking(move || {
        let address = super::address_of(&form, passwords.as_ref())?;
        let backup = store.export()?;
        let problems = local_problems(&store, &backup)?;
        if !problems.is_empty() {
            return Err(AppError::Rejected(format!(
                "Die Daten dieses PCs können so nicht übertragen werden; es wurde nichts verändert. Bitte zuerst klären: {}",
                problems.join(" ")
            )));
        }
        let state = pg::probe(&address)?;
        if !state.is_empty() {
            return Err(AppError::Rejected(pg::NOT_EMPTY.into()));
        }
        let server = PgStore::connect(&address)?;
        let expected = backup.totals();
        let found = server.move_into_empty(&backup, &expected)?;
        if found != expected {
            log::error!("move to the server: counts differ, rolled back ({found:?} vs {expected:?})");
            return Err(AppError::Storage(format!(
                "Nach der Übertragung stimmten die Zahlen nicht überein (Server: {}; dieser PC: {}). Es wurde nichts übertragen und nicht umgeschaltet",
                describe(&found),
                describe(&expected)
            )));
        }
        super::keep_password(passwords.as_ref(), &address)?;
        let moved = format!(
            "Übertragen und auf dem Server nachgezählt: {}.",
            describe(&found)
        );
        save_choice(&data_dir, &address, Some(moved.clone()))?;
        log::info!("Mehrplatz set up on {}: {moved}", address.display());
        Ok(SwitchView {
            message: format!(
                "Mehrplatz eingerichtet. {moved} Zeitrechnung startet jetzt neu und arbeitet dann mit der Datenbank auf {}.",
                address.host
            ),
        })
    })
    .await
}

/// Writes this PC's choice of the server.
pub(super) fn save_choice(
    data_dir: &Path,
    address: &pg::ServerAddress,
    moved: Option<String>,
) -> AppResult<()> {
    super::save(
        data_dir,
        &ServerConfig {
            host: address.host.clone(),
            port: address.port,
            database: address.database.clone(),
            user: address.user.clone(),
            certificate: address.root_cert.clone(),
            since: crate::de::clock::now(),
            moved,
        },
    )
}

/// „12 Kunden, 30 Projekte, 1.234 Zeiten (2.468:00 h), 56 Leistungen (7.890,12 € netto), 3 Entwürfe“
pub(super) fn describe(t: &DataTotals) -> String {
    format!(
        "{}, {}, {} ({} h), {} ({} netto), {}",
        count_de(t.customers as usize, "Kunde", "Kunden"),
        count_de(t.projects as usize, "Projekt", "Projekte"),
        count_de(t.times as usize, "Zeit", "Zeiten"),
        minutes(t.minutes),
        count_de(t.services as usize, "Leistung", "Leistungen"),
        crate::de::format::format_eur(t.service_net),
        count_de(t.drafts as usize, "Entwurf", "Entwürfe"),
    )
}

/// What in the local data a server would refuse or a move would lose, one
/// German sentence each (empty: ready to move).
pub fn local_problems(store: &Store, backup: &Backup) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for d in store.damaged_records() {
        out.push(format!(
            "{} ist beschädigt (Datensicherung › Prüfen).",
            d.label()
        ));
    }
    if let Err(e) = backup.check_references() {
        out.push(e);
    }
    // The export leaves out what hangs on nothing: count what it left out.
    let lost_entries = store.entry_count().saturating_sub(backup.entries.len());
    if lost_entries > 0 {
        out.push(format!(
            "{} gehören zu keinem Projekt mehr.",
            count_de(lost_entries, "Eintrag", "Einträge")
        ));
    }
    let lost_invoices = store
        .invoice_records()?
        .len()
        .saturating_sub(backup.invoices.len());
    if lost_invoices > 0 {
        out.push(format!(
            "{} verweisen auf fehlende Projekte oder Einträge.",
            count_de(lost_invoices, "Rechnungsversuch", "Rechnungsversuche")
        ));
    }
    let nul = |v: &dyn erased::Json| v.json().contains("\\u0000");
    for c in &backup.customers {
        if nul(c) {
            out.push(format!(
                "Der Kunde „{}“ enthält ein unzulässiges Steuerzeichen (NUL).",
                c.name.replace('\0', "")
            ));
        }
    }
    for p in &backup.projects {
        if nul(p) {
            out.push(format!(
                "Das Projekt „{}“ enthält ein unzulässiges Steuerzeichen (NUL).",
                p.name.replace('\0', "")
            ));
        }
    }
    for e in &backup.entries {
        if nul(e) {
            out.push(format!(
                "Der Eintrag vom {} („{}“) enthält ein unzulässiges Steuerzeichen (NUL).",
                date(e.date),
                e.description.replace('\0', "")
            ));
        }
    }
    if nul(&backup.settings) {
        out.push("Die Einstellungen enthalten ein unzulässiges Steuerzeichen (NUL).".into());
    }
    let mut contacts: HashMap<&str, &str> = HashMap::new();
    for c in &backup.customers {
        if let Some(id) = c.lexoffice_id.as_deref() {
            if let Some(first) = contacts.insert(id, &c.name) {
                out.push(format!(
                    "Die Kunden „{}“ und „{}“ sind mit demselben lexoffice-Kontakt verknüpft.",
                    first.replace('\0', ""),
                    c.name.replace('\0', "")
                ));
            }
        }
    }
    let mut rows: HashMap<u64, &crate::storage::Entry> = HashMap::new();
    for e in &backup.entries {
        if let Some(f) = e.csv_fingerprint {
            if let Some(first) = rows.insert(f, e) {
                out.push(format!(
                    "Die Einträge vom {} und vom {} stammen aus derselben importierten Zeile.",
                    date(first.date),
                    date(e.date)
                ));
            }
        }
    }
    out.extend(
        backup
            .billing_problems()
            .into_iter()
            .map(|p| format!("{p}.")),
    );
    Ok(out)
}

/// Any record as its JSON text (to find a NUL wherever it hides).
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}
