//! Datensicherung: one versioned JSON document with everything the user
//! entered (customers, projects, entries, invoice records, settings — never the
//! API key, which is not in the store at all). Restoring validates the whole
//! document first and then replaces the data in one transaction.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Customer, Entry, InvoiceRecord, Project, Settings, SledStore, SCHEMA_VERSION};
use crate::error::{AppError, AppResult};

pub const BACKUP_FORMAT: &str = "zeitrechnung-sicherung";
pub const BACKUP_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub schema_version: u32,
    pub app_version: String,
    pub created_at: DateTime<Utc>,
    pub settings: Settings,
    pub customers: Vec<Customer>,
    pub projects: Vec<Project>,
    pub entries: Vec<Entry>,
    pub invoices: Vec<InvoiceRecord>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    pub created_at: DateTime<Utc>,
    pub customers: usize,
    pub projects: usize,
    pub entries: usize,
    pub invoices: usize,
}

impl Backup {
    /// A backup of what a store read in one consistent state. What a damaged
    /// record left dangling stays out (the file must restore). Every backend's
    /// export ends here.
    pub(super) fn assemble(
        settings: Settings,
        customers: Vec<Customer>,
        projects: Vec<Project>,
        mut entries: Vec<Entry>,
        invoices: Vec<InvoiceRecord>,
    ) -> Backup {
        let project_ids: HashSet<u64> = projects.iter().map(|p| p.id).collect();
        entries.retain(|e| project_ids.contains(&e.project_id));
        let entry_ids: HashSet<u64> = entries.iter().map(|e| e.id).collect();
        let invoices = invoices
            .into_iter()
            .filter(|r| {
                matches!(r.state, super::InvoiceState::Released { .. })
                    || (project_ids.contains(&r.project_id)
                        && r.entry_ids.iter().all(|id| entry_ids.contains(id)))
            })
            .collect();
        Backup {
            format: BACKUP_FORMAT.into(),
            version: BACKUP_VERSION,
            schema_version: SCHEMA_VERSION,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at: crate::de::clock::now(),
            settings,
            customers,
            projects,
            entries,
            invoices,
        }
    }

    pub fn summary(&self) -> BackupSummary {
        BackupSummary {
            created_at: self.created_at,
            customers: self.customers.len(),
            projects: self.projects.len(),
            entries: self.entries.len(),
            invoices: self.invoices.len(),
        }
    }

    /// Parses and checks a backup completely; nothing is changed.
    pub fn from_json(bytes: &[u8]) -> AppResult<Backup> {
        let bad = |m: String| AppError::validation("Sicherung", m);
        let head: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| {
            bad("Die Datei ist keine Zeitrechnung-Sicherung (kein gültiges JSON).".into())
        })?;
        if head["format"] != BACKUP_FORMAT {
            return Err(bad("Die Datei ist keine Zeitrechnung-Sicherung.".into()));
        }
        match head["version"].as_u64() {
            Some(v) if v == u64::from(BACKUP_VERSION) => {}
            Some(v) if v > u64::from(BACKUP_VERSION) => {
                return Err(bad(format!("Die Sicherung stammt von einer neueren Zeitrechnung (Format {v}). Bitte die App aktualisieren.")))
            }
            _ => return Err(bad("Unbekanntes Sicherungsformat.".into())),
        }
        let b: Backup = serde_path_to_error::deserialize(head).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.inner().to_string();
            let what = match crate::error::serde_problem(&inner) {
                crate::error::SerdeProblem::Missing(f) => format!("die Angabe „{f}“ fehlt"),
                crate::error::SerdeProblem::Unknown(f) => format!("unbekannte Angabe „{f}“"),
                crate::error::SerdeProblem::Other => format!("ungültiger Wert bei „{at}“"),
            };
            bad(format!(
                "Die Sicherung ist beschädigt oder unvollständig: {what}. Es wurde nichts verändert."
            ))
        })?;
        if b.schema_version > SCHEMA_VERSION {
            return Err(bad(
                "Die Sicherung stammt von einer neueren Zeitrechnung. Bitte die App aktualisieren."
                    .into(),
            ));
        }
        b.check_references().map_err(bad)?;
        Ok(b)
    }

    /// The first reference that does not hold (a duplicate id, a record that
    /// points at a missing one), in German.
    pub fn check_references(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        for id in self
            .customers
            .iter()
            .map(|c| c.id)
            .chain(self.projects.iter().map(|p| p.id))
            .chain(self.entries.iter().map(|e| e.id))
            .chain(self.invoices.iter().map(|i| i.id))
        {
            if !ids.insert(id) {
                return Err(format!("Die Sicherung enthält die Nummer {id} doppelt."));
            }
        }
        let customers: HashSet<u64> = self.customers.iter().map(|c| c.id).collect();
        let projects: HashSet<u64> = self.projects.iter().map(|p| p.id).collect();
        for p in &self.projects {
            if p.name.trim().is_empty() {
                return Err(format!("Projekt {} hat keinen Namen.", p.id));
            }
            if let Some(c) = p.customer_id {
                if !customers.contains(&c) {
                    return Err(format!(
                        "Projekt „{}“ verweist auf einen fehlenden Kunden.",
                        p.name
                    ));
                }
            }
            if let Some(parent) = p.parent_id {
                if !projects.contains(&parent) || parent == p.id {
                    return Err(format!(
                        "Projekt „{}“ verweist auf ein fehlendes Hauptprojekt.",
                        p.name
                    ));
                }
            }
        }
        for c in &self.customers {
            if c.name.trim().is_empty() {
                return Err(format!("Kunde {} hat keinen Namen.", c.id));
            }
        }
        let entries: HashSet<u64> = self.entries.iter().map(|e| e.id).collect();
        for e in &self.entries {
            if !projects.contains(&e.project_id) {
                return Err(format!(
                    "Eintrag vom {} verweist auf ein fehlendes Projekt.",
                    crate::de::format::date(e.date)
                ));
            }
            if let super::EntryKind::Service { name, tax_rate, .. } = &e.kind {
                if crate::money::allowed_tax_rate(*tax_rate).is_none() {
                    return Err(format!(
                        "Die Leistung „{name}“ vom {} hat den Steuersatz {} %; erlaubt sind 19, 7 und 0 %.",
                        crate::de::format::date(e.date),
                        crate::de::format::format_de(*tax_rate, 0)
                    ));
                }
            }
        }
        if crate::money::allowed_tax_rate(self.settings.default_tax_rate).is_none() {
            return Err(format!(
                "Der Standard-Steuersatz {} % ist nicht erlaubt (19, 7 oder 0 %).",
                crate::de::format::format_de(self.settings.default_tax_rate, 0)
            ));
        }
        for i in &self.invoices {
            // Released attempts are history: their entries may have been deleted since.
            if matches!(i.state, super::InvoiceState::Released { .. }) {
                continue;
            }
            if !projects.contains(&i.project_id) || i.entry_ids.iter().any(|e| !entries.contains(e))
            {
                return Err(format!(
                    "Ein Rechnungsentwurf vom {} verweist auf fehlende Projekte oder Einträge.",
                    crate::de::format::local_date(i.created_at)
                ));
            }
        }
        Ok(())
    }
}

impl Backup {
    /// The highest id of any record in the file (customers, projects, entries,
    /// drafts, employees, roles): ids handed out later stay above it.
    pub fn highest_id(&self) -> u64 {
        self.customers
            .iter()
            .map(|c| c.id)
            .chain(self.projects.iter().map(|p| p.id))
            .chain(self.entries.iter().map(|e| e.id))
            .chain(self.invoices.iter().map(|i| i.id))
            .chain(self.settings.employees.iter().map(|e| e.id))
            .chain(self.settings.roles.iter().map(|r| r.id))
            .max()
            .unwrap_or(0)
    }

    /// Billing that does not add up: an entry billed by a draft the file does
    /// not know, or reserved by an attempt it lacks; a draft whose entries are
    /// not billed by it. One German line each (empty: consistent).
    pub fn billing_problems(&self) -> Vec<String> {
        self.clone().billing_check(false)
    }

    /// Makes the billing add up without reopening billed work, and says what
    /// it changed: an entry billed by an unknown draft stays billed, and the
    /// draft is added as known (the status sync then asks lexoffice about it);
    /// one reserved by an unknown attempt stays reserved under an attempt
    /// marked unclear (the start-up reconciliation asks lexoffice); an open
    /// entry of a draft becomes billed by it; an entry a draft lists but
    /// another draft bills is taken off the first's list.
    pub fn repair_billing(&mut self) -> Vec<String> {
        self.billing_check(true)
    }

    fn billing_check(&mut self, repair: bool) -> Vec<String> {
        use super::{BillingState, InvoiceState};
        use std::collections::HashMap;
        let mut out = Vec::new();
        let project_name: HashMap<u64, String> = self
            .projects
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .collect();
        let entry_text = |e: &Entry| {
            format!(
                "Eintrag vom {} in „{}“",
                crate::de::format::date(e.date),
                project_name
                    .get(&e.project_id)
                    .map(String::as_str)
                    .unwrap_or("?")
            )
        };
        // Drafts by lexoffice id, attempts by id.
        let drafts: HashMap<String, usize> = self
            .invoices
            .iter()
            .enumerate()
            .filter(|(_, r)| r.state == InvoiceState::Created)
            .filter_map(|(i, r)| r.lexoffice_id.clone().map(|id| (id, i)))
            .collect();
        let attempts: HashMap<String, usize> = self
            .invoices
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                matches!(
                    r.state,
                    InvoiceState::Pending | InvoiceState::Unclear { .. }
                )
            })
            .map(|(i, r)| (r.id.to_string(), i))
            .collect();
        let mut added: HashMap<String, usize> = HashMap::new();
        let mut new_records: Vec<InvoiceRecord> = Vec::new();
        let next_id = self.highest_id();
        for e in self.entries.iter() {
            let (known, key, unclear) = match &e.billing {
                BillingState::Open => continue,
                BillingState::Billed { invoice_id } => {
                    (drafts.contains_key(invoice_id), invoice_id.clone(), false)
                }
                BillingState::Reserved { attempt } => {
                    (attempts.contains_key(attempt), attempt.clone(), true)
                }
            };
            if known {
                continue;
            }
            if unclear {
                out.push(format!(
                    "{}: reserviert für einen Rechnungsversuch, den die Sicherung nicht kennt{}",
                    entry_text(e),
                    if repair {
                        " – bleibt gesperrt, der Versuch wird bei lexoffice nachgefragt"
                    } else {
                        ""
                    }
                ));
            } else {
                out.push(format!(
                    "{}: abgerechnet mit einem Entwurf, den die Sicherung nicht kennt{}",
                    entry_text(e),
                    if repair {
                        " – bleibt abgerechnet, der Entwurf wird nachgetragen"
                    } else {
                        ""
                    }
                ));
            }
            if repair {
                let slot = *added.entry(key.clone()).or_insert_with(|| {
                    let now = crate::de::clock::now();
                    new_records.push(InvoiceRecord {
                        id: next_id + 1 + new_records.len() as u64,
                        project_id: e.project_id,
                        contact_id: String::new(),
                        lexoffice_id: (!unclear).then(|| key.clone()),
                        state: if unclear {
                            InvoiceState::Unclear {
                                reason: "Bei der Reparatur einer Sicherung nachgetragen.".into(),
                            }
                        } else {
                            InvoiceState::Created
                        },
                        period_from: e.date,
                        period_to: e.date,
                        hourly_rate: String::new(),
                        list_subprojects: false,
                        layout: Default::default(),
                        net: String::new(),
                        gross: String::new(),
                        entry_ids: Vec::new(),
                        goodwill_entry_ids: Vec::new(),
                        billed_minutes: Vec::new(),
                        request: serde_json::Value::Null,
                        organization_id: None,
                        outcome_unknown_since: unclear.then_some(now),
                        started_server_at: None,
                        empty_looks: Vec::new(),
                        missing_looks: Vec::new(),
                        vatfree: None,
                        lexoffice_status: None,
                        voucher_number: None,
                        seen: Default::default(),
                        created_at: now,
                        updated_at: now,
                    });
                    new_records.len() - 1
                });
                let r = &mut new_records[slot];
                r.entry_ids.push(e.id);
                r.period_from = r.period_from.min(e.date);
                r.period_to = r.period_to.max(e.date);
            }
        }
        // A draft's entries are billed by it.
        let mut billed_by: Vec<(usize, u64, String)> = Vec::new();
        let mut off_list: Vec<(usize, u64)> = Vec::new();
        let index: HashMap<u64, usize> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        for (ri, r) in self.invoices.iter().enumerate() {
            let (InvoiceState::Created, Some(lex)) = (&r.state, &r.lexoffice_id) else {
                continue;
            };
            for id in &r.entry_ids {
                let Some(&ei) = index.get(id) else { continue };
                let e = &self.entries[ei];
                match &e.billing {
                    BillingState::Billed { invoice_id } if invoice_id == lex => {}
                    BillingState::Open => {
                        out.push(format!(
                            "{}: gehört zu einem Entwurf, ist aber offen{}",
                            entry_text(e),
                            if repair {
                                " – wird als abgerechnet eingetragen"
                            } else {
                                ""
                            }
                        ));
                        billed_by.push((ei, *id, lex.clone()));
                    }
                    _ => {
                        out.push(format!(
                            "{}: steht in zwei Entwürfen{}",
                            entry_text(e),
                            if repair {
                                " – bleibt beim Entwurf, der ihn abrechnet"
                            } else {
                                ""
                            }
                        ));
                        off_list.push((ri, *id));
                    }
                }
            }
        }
        if repair {
            for (ei, _, lex) in billed_by {
                self.entries[ei].billing = BillingState::Billed { invoice_id: lex };
            }
            for (ri, id) in off_list {
                self.invoices[ri].entry_ids.retain(|x| *x != id);
            }
            self.invoices.extend(new_records);
        }
        out
    }
}

impl SledStore {
    /// Everything, as a backup document: one consistent state. The read holds
    /// the store's write gate, so no entry moves, no invoice changes state and
    /// no project goes while it runs (each record exactly once); writers wait
    /// for the read only, never for the file being written.
    pub fn export(&self) -> AppResult<Backup> {
        let gate = self.gate.write().unwrap_or_else(|p| p.into_inner());
        let mut entries: Vec<Entry> = Vec::new();
        for row in self.entries.iter() {
            if let Some(e) = self.decode_row("entries", row) {
                entries.push(e?);
            }
        }
        let customers = self.customers()?;
        let projects = self.projects()?;
        let invoices = self.invoice_records()?;
        let settings = self.settings()?;
        drop(gate);
        Ok(Backup::assemble(
            settings, customers, projects, entries, invoices,
        ))
    }

    /// Replaces all data with the backup's, in one transaction, flushed.
    pub fn replace_all(&self, b: &Backup) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        use sled::Transactional;
        let w = self.writing();
        fn keys(t: &sled::Tree) -> AppResult<Vec<sled::IVec>> {
            t.iter().keys().map(|k| Ok(k?)).collect()
        }
        let old: Vec<Vec<sled::IVec>> = vec![
            keys(&self.customers)?,
            keys(&self.projects)?,
            keys(&self.entries)?,
            keys(&self.entry_keys)?,
            keys(&self.csv_rows)?,
            keys(&self.invoices)?,
        ];
        let settings = SledStore::settings_records(&b.settings)?;
        self.mark_employee_link_pending()?;
        let customers: Vec<([u8; 8], Vec<u8>)> = b
            .customers
            .iter()
            .map(|c| Ok((c.id.to_be_bytes(), serde_json::to_vec(c)?)))
            .collect::<AppResult<_>>()?;
        let projects: Vec<([u8; 8], Vec<u8>)> = b
            .projects
            .iter()
            .map(|p| Ok((p.id.to_be_bytes(), serde_json::to_vec(p)?)))
            .collect::<AppResult<_>>()?;
        let entries: Vec<super::projects::EncodedEntry> = b
            .entries
            .iter()
            .map(super::projects::encoded_entry)
            .collect();
        let invoices: Vec<([u8; 8], Vec<u8>)> = b
            .invoices
            .iter()
            .map(|i| Ok((i.id.to_be_bytes(), serde_json::to_vec(i)?)))
            .collect::<AppResult<_>>()?;
        let result = (
            &self.settings,
            &self.customers,
            &self.projects,
            &self.entries,
            &self.entry_keys,
            &self.csv_rows,
            &self.invoices,
        )
            .transaction(|(t_set, t_cust, t_proj, t_ent, t_keys, t_csv, t_inv)| {
                for (tree, ks) in [
                    (t_cust, &old[0]),
                    (t_proj, &old[1]),
                    (t_ent, &old[2]),
                    (t_keys, &old[3]),
                    (t_csv, &old[4]),
                    (t_inv, &old[5]),
                ] {
                    for k in ks {
                        tree.remove(k)?;
                    }
                }
                for (k, v) in &settings {
                    t_set.insert(*k, v.as_slice())?;
                }
                for (k, v) in &customers {
                    t_cust.insert(k.as_slice(), v.as_slice())?;
                }
                for (k, v) in &projects {
                    t_proj.insert(k.as_slice(), v.as_slice())?;
                }
                for (id, k, v, fp) in &entries {
                    t_ent.insert(k.as_slice(), v.as_slice())?;
                    t_keys.insert(&id.to_be_bytes(), k.as_slice())?;
                    if let Some(fp) = fp {
                        t_csv.insert(&fp.to_be_bytes(), &id.to_be_bytes())?;
                    }
                }
                for (k, v) in &invoices {
                    t_inv.insert(k.as_slice(), v.as_slice())?;
                }
                Ok::<(), ConflictableTransactionError<String>>(())
            });
        match result {
            Ok(()) => {}
            Err(TransactionError::Abort(e)) => return Err(AppError::Storage(e)),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        }
        drop(w);
        // New ids must not collide with restored ones.
        let max = b.highest_id();
        self.raise_id_floor(max)?;
        // A backup of schema 1 names employees only as text.
        self.finish_employee_link()
    }
}
