//! Projekte: projects with subprojects, their recorded times and services,
//! rates and totals, and the CSV import. Tauri-free.

pub mod columns;
pub mod csv;
pub mod csv_import;
pub mod entry_rules;
pub mod import_limits;
pub mod parse;
pub mod sheet;
pub mod spreadsheet;
pub mod undo;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::billing::{
    self,
    rates::{self, Overrides},
};
use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::format::{format_de, minutes as format_minutes};
use crate::money::round2;
use crate::money::{parse_de, DecimalError};
use crate::rechnung::Pricing;
use crate::storage::TaxCase;
use crate::storage::{BillingState, Customer, Entry, EntryKind, Project, ProjectStatus, Store};

pub const UNITS: [&str; 6] = ["Stunde", "Stück", "m", "m²", "km", "Pauschal"];

fn status_label(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Aktiv => "aktiv",
        ProjectStatus::Abgeschlossen => "abgeschlossen",
        ProjectStatus::Archiviert => "archiviert",
    }
}

fn parse_status(s: &str) -> AppResult<ProjectStatus> {
    match s.trim() {
        "" | "aktiv" => Ok(ProjectStatus::Aktiv),
        "abgeschlossen" => Ok(ProjectStatus::Abgeschlossen),
        "archiviert" => Ok(ProjectStatus::Archiviert),
        _ => Err(AppError::validation(
            "Status",
            "Bitte aktiv, abgeschlossen oder archiviert wählen.",
        )),
    }
}

pub(crate) fn clean(field: &'static str, text: &str, max: usize) -> AppResult<String> {
    entry_rules::clean_text(field, text, max, true).map_err(|(f, m)| AppError::validation(f, m))
}

pub(crate) fn decimal_field(
    field: &'static str,
    text: &str,
    max_decimals: u32,
) -> AppResult<Decimal> {
    parse_de(text, max_decimals).map_err(|e| {
        AppError::validation(
            field,
            match e {
                DecimalError::Empty => format!("Bitte {field} eingeben."),
                DecimalError::NotANumber => {
                    format!("{field}: Bitte eine Zahl eingeben, z. B. 12,5.")
                }
                DecimalError::Negative => format!("{field} darf nicht negativ sein."),
                DecimalError::TooManyDecimals(n) => {
                    format!("{field}: höchstens {n} Nachkommastellen.")
                }
                DecimalError::TooLarge => format!("{field} ist zu groß."),
            },
        )
    })
}

// ---------------------------------------------------------------- projects

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRow {
    pub id: u64,
    pub name: String,
    pub number: String,
    pub parent_id: Option<u64>,
    pub status: &'static str,
    pub customer_name: String,
    pub depth: u32,
    /// What a project chooser shows and finds by typing: „Ladenumbau › Regale
    /// (P-12)“ — the path (`path_name`) and the number.
    pub choice: String,
}

/// „Main › Sub“ for a subproject, the name for a main project: how a project
/// is named where it stands alone (choosers, the Stundenzettel).
pub fn path_name(p: &Project, main: Option<&Project>) -> String {
    match main {
        Some(m) => format!("{} › {}", m.name, p.name),
        None => p.name.clone(),
    }
}

/// What a project chooser shows: the path and the number, „Ladenumbau › Regale (P-12)“.
pub fn choice_label(p: &Project, main: Option<&Project>) -> String {
    let path = path_name(p, main);
    if p.number.is_empty() {
        path
    } else {
        format!("{path} ({})", p.number)
    }
}

/// Projects in display order: top level by name, each followed by its subprojects.
fn ordered_rows(projects: &[Project], customers: &HashMap<u64, Customer>) -> Vec<ProjectRow> {
    let mut children: HashMap<Option<u64>, Vec<&Project>> = HashMap::new();
    for p in projects {
        children.entry(p.parent_id).or_default().push(p);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
    }
    let mut out = Vec::new();
    fn walk(
        parent: Option<&Project>,
        depth: u32,
        children: &HashMap<Option<u64>, Vec<&Project>>,
        customers: &HashMap<u64, Customer>,
        out: &mut Vec<ProjectRow>,
    ) {
        if depth > 8 {
            return;
        }
        for p in children
            .get(&parent.map(|q| q.id))
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            out.push(ProjectRow {
                id: p.id,
                name: p.name.clone(),
                number: p.number.clone(),
                parent_id: p.parent_id,
                status: status_label(p.status),
                customer_name: p
                    .customer_id
                    .and_then(|c| customers.get(&c))
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                depth,
                choice: choice_label(p, parent),
            });
            walk(Some(p), depth + 1, children, customers, out);
        }
    }
    walk(None, 0, &children, customers, &mut out);
    out
}

fn customer_map(store: &Store) -> AppResult<HashMap<u64, Customer>> {
    Ok(store.customers()?.into_iter().map(|c| (c.id, c)).collect())
}

pub async fn list(core: &Core) -> AppResult<Vec<ProjectRow>> {
    let store = core.store.clone();
    blocking(move || {
        let customers = customer_map(&store)?;
        Ok(ordered_rows(&store.projects()?, &customers))
    })
    .await
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RateInfo {
    pub rate: Option<String>,
    pub display: Option<String>,
    /// Where today's rate without a role comes from („Projekt“, „Kunde“, „Standard“, …).
    pub source: Option<String>,
}

/// Today's rate of a project for time without a role (the detail's „Stundensatz“),
/// from the one resolver (`billing::rates::resolve`).
fn rate_info(pricing: &Pricing, project_id: u64) -> RateInfo {
    let today = crate::rechnung::today_berlin();
    let r = rates::resolve(
        &pricing.tables,
        &Overrides::default(),
        project_id,
        None,
        today,
    );
    RateInfo {
        rate: r.as_ref().map(|r| r.rate.to_string()),
        display: r.as_ref().map(|r| format!("{} €/h", format_de(r.rate, 2))),
        source: r.map(|r| {
            use rates::RateLevel;
            match r.level {
                RateLevel::Subproject => "eigener Stundensatz",
                RateLevel::Project if project_id == pricing.tables.main_project_id => {
                    "eigener Stundensatz"
                }
                RateLevel::Project => "vom Hauptprojekt",
                RateLevel::Customer => "vom Kunden",
                RateLevel::Employee => "vom Mitarbeiter",
                RateLevel::Role => "von der Rolle",
                RateLevel::Default => "aus Einstellungen › Schnittstellen",
                RateLevel::Invoice => "diese Rechnung",
            }
            .to_string()
        }),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct ProjectTotals {
    pub minutes: u64,
    /// "12:30 h"
    pub hours_display: String,
    pub services_net_display: String,
    /// Open (not billed) billable time at the effective rate plus open billable services, net.
    pub open_net_display: String,
    pub open_entries: u64,
    /// Open billable minutes without any hourly rate (not in the open amount).
    pub minutes_without_rate: u64,
    /// Open billable minutes (recorded, before the Abrechnungstakt).
    #[serde(skip)]
    pub open_minutes: u64,
    /// The net of `open_net_display`.
    #[serde(skip)]
    pub open_net: Decimal,
    /// The day of the oldest open billable entry.
    #[serde(skip)]
    pub oldest_open: Option<NaiveDate>,
}

/// Quantity × price, rounded; never panics (inputs are limited, but a backup
/// could carry anything): an overflow shows as the largest amount.
fn service_amount(quantity: Decimal, price: Decimal) -> Decimal {
    quantity
        .checked_mul(price)
        .map(round2)
        .unwrap_or(Decimal::MAX)
}

/// The figures of a project family. „noch nicht abgerechnet“ is what the
/// invoice dialog's preview shows as net total for all open entries: the same
/// rates, Abrechnungstakt and lines (`billing::open_net`).
pub fn totals(
    project: &Project,
    subs: &[Project],
    entries: impl IntoIterator<Item = Entry>,
    pricing: &Pricing,
    prior: &crate::rechnung::pricing::PriorIndex,
) -> ProjectTotals {
    let mut t = ProjectTotals::default();
    let mut services = Decimal::ZERO;
    let mut open: HashMap<u64, Vec<Entry>> = HashMap::new();
    // Billed times of projects that round per day: their days are rounded once.
    let mut locked: HashMap<u64, Vec<Entry>> = HashMap::new();
    for e in entries {
        if e.billable
            && e.is_locked()
            && matches!(e.kind, EntryKind::Time { .. })
            && pricing.rounding(e.project_id).scope == crate::storage::RoundingScope::DayAndEmployee
        {
            locked.entry(e.project_id).or_default().push(e.clone());
        }
        let open_billable = e.billable && matches!(e.billing, BillingState::Open);
        match &e.kind {
            EntryKind::Time { minutes, .. } => t.minutes += u64::from(*minutes),
            EntryKind::Service {
                quantity,
                unit_price,
                ..
            } => services += service_amount(*quantity, *unit_price),
        }
        if open_billable {
            t.open_entries += 1;
            if let EntryKind::Time { minutes, .. } = &e.kind {
                t.open_minutes += u64::from(*minutes);
            }
            t.oldest_open = Some(t.oldest_open.map_or(e.date, |d| d.min(e.date)));
            open.entry(e.project_id).or_default().push(e);
        }
    }
    let none = Overrides::default();
    let groups = std::iter::once(project)
        .chain(subs.iter())
        .map(|p| {
            let entries = open.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            let mut g = pricing.group(p, p.id != project.id, entries, &none);
            prior.attach(&mut g, locked.get(&p.id).into_iter().flatten());
            g
        })
        .collect();
    let (open_net, without_rate) = billing::open_net(
        groups,
        !subs.is_empty(),
        pricing.hours.clone(),
        pricing.layout,
    );
    t.minutes_without_rate = without_rate;
    t.open_net = open_net;
    t.hours_display = format!("{} h", format_minutes(t.minutes));
    t.services_net_display = format!("{} €", format_de(services, 2));
    t.open_net_display = format!("{} €", format_de(open_net, 2));
    t
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRef {
    pub id: u64,
    pub name: String,
    pub number: String,
    pub lexoffice_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectDetail {
    pub project: Project,
    pub status_label: &'static str,
    /// Why times and services cannot be recorded (abgeschlossen / archiviert).
    pub closed_reason: Option<String>,
    pub customer: Option<CustomerRef>,
    pub parent_name: Option<String>,
    /// How a chooser names it (`choice_label`).
    pub choice: String,
    /// The project's own Stundensatz as „Bearbeiten“ shows it: „92,50“.
    pub hourly_rate_input: Option<String>,
    pub rate: RateInfo,
    pub subprojects: Vec<ProjectRow>,
    pub totals: ProjectTotals,
    pub has_billed_entries: bool,
    pub entry_count: u64,
}

/// The project and its subprojects (ids in display order: the project first).
pub fn family(store: &Store, id: u64) -> AppResult<(Project, Vec<Project>)> {
    let project = store
        .project(id)?
        .ok_or_else(|| AppError::NotFound("Dieses Projekt existiert nicht mehr.".into()))?;
    let mut subs: Vec<Project> = store
        .projects()?
        .into_iter()
        .filter(|p| p.parent_id == Some(id))
        .collect();
    subs.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok((project, subs))
}

/// The ids of a project and its subprojects.
pub fn family_ids(project: &Project, subs: &[Project]) -> std::collections::HashSet<u64> {
    std::iter::once(project.id)
        .chain(subs.iter().map(|s| s.id))
        .collect()
}

/// A project's main project (if it is a subproject) and its customer.
pub fn parent_and_customer(
    store: &Store,
    project: &Project,
) -> AppResult<(Option<Project>, Option<Customer>)> {
    let parent = match project.parent_id {
        Some(pid) => store.project(pid)?,
        None => None,
    };
    let customer = match project.customer_id {
        Some(cid) => store.customer(cid)?,
        None => None,
    };
    Ok((parent, customer))
}

/// The rates and rounding rules of a project family.
pub fn pricing(store: &Store, project: &Project, subs: &[Project]) -> AppResult<Pricing> {
    let settings = store.settings()?;
    let (parent, customer) = parent_and_customer(store, project)?;
    Ok(Pricing::load(
        project,
        parent.as_ref(),
        subs,
        customer.as_ref(),
        &settings,
    ))
}

fn detail_blocking(store: &Store, id: u64) -> AppResult<ProjectDetail> {
    let (project, subs) = family(store, id)?;
    let (parent, customer) = parent_and_customer(store, &project)?;
    let pricing = pricing(store, &project, &subs)?;
    // Streamed: a project with 100,000 entries is summed without holding them.
    let (mut entry_count, mut has_billed_entries, mut failed) = (0u64, false, None);
    let family_ids = std::iter::once(project.id).chain(subs.iter().map(|s| s.id));
    let entries = family_ids
        .flat_map(|pid| store.entries_iter(pid))
        .map_while(|r| r.map_err(|e| failed = Some(e)).ok())
        .inspect(|e: &Entry| {
            entry_count += 1;
            has_billed_entries |= e.is_locked();
        });
    let prior = crate::rechnung::pricing::PriorIndex::of(&store.invoice_records()?);
    let totals = totals(&project, &subs, entries, &pricing, &prior);
    if let Some(e) = failed {
        return Err(e);
    }
    // Only the customers the subprojects name (not all 10,000).
    let mut customers = HashMap::new();
    for cid in subs.iter().filter_map(|s| s.customer_id) {
        if let std::collections::hash_map::Entry::Vacant(v) = customers.entry(cid) {
            if let Some(c) = store.customer(cid)? {
                v.insert(c);
            }
        }
    }
    let sub_rows: Vec<ProjectRow> = ordered_rows(&subs_with_parent(&subs), &customers)
        .into_iter()
        .map(|mut r| {
            r.depth = 1;
            if let Some(s) = subs.iter().find(|s| s.id == r.id) {
                r.choice = choice_label(s, Some(&project));
            }
            r
        })
        .collect();
    Ok(ProjectDetail {
        choice: choice_label(&project, parent.as_ref()),
        hourly_rate_input: project.hourly_rate.map(|r| format_de(r, 2)),
        status_label: status_label(project.status),
        closed_reason: closed_reason(&project),
        customer: customer.map(|c| CustomerRef {
            id: c.id,
            name: c.name,
            number: c.number,
            lexoffice_id: c.lexoffice_id,
        }),
        parent_name: parent.map(|p| p.name),
        rate: rate_info(&pricing, project.id),
        subprojects: sub_rows,
        totals,
        has_billed_entries,
        entry_count,
        project,
    })
}

/// Subprojects re-rooted so `ordered_rows` lists them flat.
fn subs_with_parent(subs: &[Project]) -> Vec<Project> {
    subs.iter()
        .cloned()
        .map(|mut p| {
            p.parent_id = None;
            p
        })
        .collect()
}

pub async fn get(core: &Core, id: u64) -> AppResult<ProjectDetail> {
    let store = core.store.clone();
    blocking(move || detail_blocking(&store, id)).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectInput {
    pub id: Option<u64>,
    pub name: String,
    pub number: String,
    pub customer_id: Option<u64>,
    pub parent_id: Option<u64>,
    /// As typed; empty = inherit.
    pub hourly_rate: String,
    pub status: String,
    /// „Steuerart“ (`TaxCase::key`): "" = the customer's; None = unchanged.
    pub tax_case: Option<String>,
}

pub async fn save(core: &Core, input: ProjectInput) -> AppResult<ProjectDetail> {
    let name = clean("Name", &input.name, 200)?;
    if name.is_empty() {
        return Err(AppError::validation(
            "Name",
            "Bitte einen Projektnamen eingeben.",
        ));
    }
    let number = clean("Projektnummer", &input.number, 40)?;
    let rate = crate::money::parse_optional_rate(&input.hourly_rate)?;
    let status = parse_status(&input.status)?;
    // Some(None) = the customer's Steuerart, None = leave as it is.
    let tax_case: Option<Option<TaxCase>> = match input.tax_case.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(k) => Some(Some(TaxCase::from_key(k).ok_or_else(|| {
            AppError::validation("Steuerart", "Bitte eine Steuerart aus der Liste wählen.")
        })?)),
    };
    let store = core.store.clone();
    blocking(move || {
        let all = store.projects()?;
        let existing = match input.id {
            Some(id) => Some(all.iter().find(|p| p.id == id).cloned().ok_or_else(|| {
                AppError::NotFound("Dieses Projekt existiert nicht mehr.".into())
            })?),
            None => None,
        };
        let parent = match input.parent_id {
            Some(pid) => {
                let p = all.iter().find(|p| p.id == pid).cloned().ok_or_else(|| {
                    AppError::validation("Hauptprojekt", "Das Hauptprojekt existiert nicht mehr.")
                })?;
                if p.parent_id.is_some() {
                    return Err(AppError::validation(
                        "Hauptprojekt",
                        "Unterprojekte können keine eigenen Unterprojekte haben.",
                    ));
                }
                if Some(pid) == input.id {
                    return Err(AppError::validation(
                        "Hauptprojekt",
                        "Ein Projekt kann nicht sein eigenes Unterprojekt sein.",
                    ));
                }
                if let Some(id) = input.id {
                    if all.iter().any(|q| q.parent_id == Some(id)) {
                        return Err(AppError::validation(
                            "Hauptprojekt",
                            "Ein Projekt mit Unterprojekten kann nicht selbst Unterprojekt werden.",
                        ));
                    }
                }
                Some(p)
            }
            None => None,
        };
        // Subprojects inherit the customer.
        let customer_id = match &parent {
            Some(p) => p.customer_id,
            None => input.customer_id,
        };
        if let Some(cid) = customer_id {
            if store.customer(cid)?.is_none() {
                return Err(AppError::validation(
                    "Kunde",
                    "Dieser Kunde existiert nicht mehr.",
                ));
            }
        }
        if !number.is_empty() {
            if let Some(other) = all
                .iter()
                .find(|p| p.number == number && Some(p.id) != input.id)
            {
                return Err(AppError::validation(
                    "Projektnummer",
                    format!(
                        "Die Projektnummer {number} ist bereits an „{}“ vergeben.",
                        other.name
                    ),
                ));
            }
        }
        let now = Utc::now();
        let project = Project {
            id: match &existing {
                Some(e) => e.id,
                None => store.next_id()?,
            },
            name,
            number,
            customer_id,
            parent_id: parent.as_ref().map(|p| p.id),
            hourly_rate: rate,
            rules: existing
                .as_ref()
                .map(|e| e.rules.clone())
                .unwrap_or_default(),
            tax_case: match tax_case {
                Some(t) => t,
                None => existing.as_ref().and_then(|e| e.tax_case),
            },
            status,
            created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
            updated_at: now,
        };
        store.put_project(&project)?;
        // A changed customer moves to the subprojects as well.
        if existing.is_some() && project.parent_id.is_none() {
            for mut sub in all.into_iter().filter(|p| p.parent_id == Some(project.id)) {
                if sub.customer_id != project.customer_id {
                    sub.customer_id = project.customer_id;
                    sub.updated_at = now;
                    store.put_project(&sub)?;
                }
            }
        }
        detail_blocking(&store, project.id)
    })
    .await
}

/// „Wieder öffnen“ and the like: only the status changes (aktiv, abgeschlossen,
/// archiviert), everything else of the project stays as it is.
pub async fn set_status(core: &Core, id: u64, status: &str) -> AppResult<ProjectDetail> {
    let status = parse_status(status)?;
    let store = core.store.clone();
    blocking(move || {
        let mut project = store
            .project(id)?
            .ok_or_else(|| AppError::NotFound("Dieses Projekt existiert nicht mehr.".into()))?;
        if project.status != status {
            project.status = status;
            project.updated_at = Utc::now();
            store.put_project(&project)?;
        }
        detail_blocking(&store, id)
    })
    .await
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeleteCheck {
    pub entries: u64,
    pub subprojects: u64,
    pub billed: bool,
    /// One German sentence for the confirmation.
    pub question: String,
}

/// The answer of „Löschen“ for a project: the question first (when it has
/// entries or subprojects), then the deletion with its „Rückgängig“.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectDeletion {
    pub check: Option<DeleteCheck>,
    pub deleted: Option<undo::Undoable>,
}

/// What deleting would remove; a project with billed entries can only be archived.
pub async fn delete(core: &Core, id: u64, confirmed: bool) -> AppResult<ProjectDeletion> {
    let store = core.store.clone();
    let outcome = blocking(move || {
        let (project, subs) = family(&store, id)?;
        let mut entries = store.entries_of(project.id)?;
        for s in &subs {
            entries.extend(store.entries_of(s.id)?);
        }
        if entries.iter().any(Entry::is_locked) {
            return Err(AppError::validation(
                "Projekt",
                "Dieses Projekt hat abgerechnete Einträge und kann nur archiviert, nicht gelöscht werden.",
            ));
        }
        let check = DeleteCheck {
            entries: entries.len() as u64,
            subprojects: subs.len() as u64,
            billed: false,
            question: format!(
                "„{}“ mit {} und {} endgültig löschen?",
                project.name,
                crate::format::count_de(subs.len(), "Unterprojekt", "Unterprojekten"),
                crate::format::count_de(entries.len(), "Eintrag", "Einträgen")
            ),
        };
        if (check.entries > 0 || check.subprojects > 0) && !confirmed {
            return Ok(Err(check));
        }
        let ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
        store.delete_entries(&ids)?;
        for s in &subs {
            store.delete_project_record(s.id)?;
        }
        store.delete_project_record(project.id)?;
        let name = project.name.clone();
        let mut projects = subs;
        projects.push(project);
        Ok(Ok((name, undo::Snapshot {
            projects,
            entries,
            ..Default::default()
        })))
    })
    .await?;
    Ok(match outcome {
        Err(check) => ProjectDeletion {
            check: Some(check),
            deleted: None,
        },
        Ok((name, snapshot)) => ProjectDeletion {
            check: None,
            deleted: Some(undo::Undoable {
                undo: core.undo.keep(snapshot),
                message: format!("Projekt „{name}“ gelöscht"),
            }),
        },
    })
}

// ---------------------------------------------------------------- entries

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub id: u64,
    pub project_id: u64,
    /// The subproject's name, empty for the project itself.
    pub subproject: String,
    pub date: NaiveDate,
    pub date_display: String,
    /// "time" or "service"
    pub kind: &'static str,
    pub employee: String,
    pub start: String,
    pub end: String,
    pub break_minutes: u32,
    pub minutes: u32,
    pub duration_display: String,
    /// For the table: `7:20`, or `7:20 · abgerechnet 7:30` when the
    /// Abrechnungstakt bills a different time (the recorded time never changes).
    pub duration_shown: String,
    pub description: String,
    pub name: String,
    pub quantity: String,
    pub quantity_display: String,
    pub unit: String,
    pub unit_price: String,
    /// As „Bearbeiten“ shows it: „12,40“.
    pub unit_price_input: String,
    pub unit_price_display: String,
    pub tax_rate: String,
    pub amount_display: String,
    /// Services: „Arbeit“, „Material“ or „Fahrt“ (as stored or by the unit).
    pub art: String,
    /// Services chosen from a lexoffice article (Leistungskatalog).
    pub from_article: bool,
    pub billable: bool,
    /// "offen", "reserviert", "abgerechnet" (styling)
    pub state: &'static str,
    /// As shown: „offen“, „reserviert“, „im Entwurf“ (on a lexoffice draft),
    /// „abgerechnet RE1042“ (finalised, with its voucher number once known).
    pub state_display: String,
    pub invoice_id: Option<String>,
    /// Why the entry cannot be edited, when locked.
    pub locked_reason: Option<String>,
    /// After an edit: the token for „Rückgängig“.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<u64>,
}

/// What lexoffice last said of the draft an entry is billed on: (finalised, voucher number).
pub type DraftStates = HashMap<String, (bool, Option<String>)>;

/// The lexoffice status of every draft the app created (for the entry lists).
pub fn draft_states(store: &Store) -> AppResult<DraftStates> {
    Ok(store
        .invoice_records()?
        .into_iter()
        .filter_map(|r| {
            let finalised = r.is_finalised();
            r.lexoffice_id.map(|id| (id, (finalised, r.voucher_number)))
        })
        .collect())
}

pub fn view(e: &Entry, subproject: &str) -> EntryView {
    view_with(e, subproject, &DraftStates::new())
}

pub fn view_with(e: &Entry, subproject: &str, drafts: &DraftStates) -> EntryView {
    let state_display = match &e.billing {
        BillingState::Open => "offen".to_string(),
        BillingState::Reserved { .. } => "reserviert".to_string(),
        BillingState::Billed { invoice_id } => match drafts.get(invoice_id) {
            Some((true, Some(n))) => format!("abgerechnet {n}"),
            Some((true, None)) => "abgerechnet".to_string(),
            _ => "im Entwurf".to_string(),
        },
    };
    let (state, invoice_id, locked_reason) = match &e.billing {
        BillingState::Open => ("offen", None, None),
        BillingState::Reserved { .. } => (
            "reserviert",
            None,
            Some("Dieser Eintrag wird gerade an lexoffice übergeben und ist bis zur Klärung gesperrt.".to_string()),
        ),
        BillingState::Billed { invoice_id } => (
            "abgerechnet",
            Some(invoice_id.clone()),
            Some("Bereits abgerechnet: Der Eintrag steht auf einem lexoffice-Rechnungsentwurf und kann nicht mehr geändert werden.".to_string()),
        ),
    };
    let mut v = EntryView {
        id: e.id,
        project_id: e.project_id,
        subproject: subproject.to_string(),
        date: e.date,
        date_display: crate::format::date(e.date),
        kind: "time",
        employee: String::new(),
        start: String::new(),
        end: String::new(),
        break_minutes: 0,
        minutes: 0,
        duration_display: String::new(),
        duration_shown: String::new(),
        description: e.description.clone(),
        name: String::new(),
        quantity: String::new(),
        quantity_display: String::new(),
        unit: String::new(),
        unit_price: String::new(),
        unit_price_input: String::new(),
        unit_price_display: String::new(),
        tax_rate: String::new(),
        amount_display: String::new(),
        art: String::new(),
        from_article: false,
        billable: e.billable,
        state,
        state_display,
        invoice_id,
        locked_reason,
        undo: None,
    };
    match &e.kind {
        EntryKind::Time {
            employee,
            start,
            end,
            break_minutes,
            minutes,
            ..
        } => {
            v.employee = employee.clone();
            v.start = start
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default();
            v.end = end
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default();
            v.break_minutes = *break_minutes;
            v.minutes = *minutes;
            v.duration_display = format_minutes(u64::from(*minutes));
            v.duration_shown = v.duration_display.clone();
        }
        EntryKind::Service {
            name,
            quantity,
            unit,
            unit_price,
            tax_rate,
            art,
            article,
        } => {
            v.kind = "service";
            v.from_article = article.is_some();
            let a = art.unwrap_or_else(|| crate::storage::ServiceArt::default_for(unit));
            v.art = a.label().to_string();
            v.name = name.clone();
            v.quantity = quantity.to_string();
            v.quantity_display = format_de(*quantity, 0);
            v.unit = unit.clone();
            v.unit_price = unit_price.to_string();
            v.unit_price_input = format_de(*unit_price, 2);
            v.unit_price_display = format!("{} €", v.unit_price_input);
            v.tax_rate = tax_rate.normalize().to_string();
            v.amount_display =
                format!("{} €", format_de(service_amount(*quantity, *unit_price), 2));
        }
    }
    v
}

/// Entries of the project and its subprojects, optionally limited to [from, to]
/// and to the newest `limit` (a project can have 100,000), oldest first.
pub async fn entries(
    core: &Core,
    project_id: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Vec<EntryView>> {
    entries_limited(core, project_id, from, to, None).await
}

pub async fn entries_limited(
    core: &Core,
    project_id: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    limit: Option<usize>,
) -> AppResult<Vec<EntryView>> {
    let store = core.store.clone();
    blocking(move || {
        let (project, subs) = family(&store, project_id)?;
        let drafts = draft_states(&store)?;
        let prior = crate::rechnung::pricing::PriorIndex::of(&store.invoice_records()?);
        let lo = from.unwrap_or(NaiveDate::MIN);
        let hi = to.unwrap_or(NaiveDate::MAX);
        let mut out = Vec::new();
        let family = std::iter::once((&project, String::new()))
            .chain(subs.iter().map(|s| (s, s.name.clone())));
        let pricing = pricing(&store, &project, &subs)?;
        for (p, sub) in family {
            let list = match limit {
                // Oldest first, the order the invoice rounds a day in.
                Some(n) => {
                    let mut l = store.newest_entries_in(p.id, lo, hi, n)?;
                    l.reverse();
                    l
                }
                None => store.entries_in(p.id, lo, hi)?,
            };
            let mut views: Vec<EntryView> =
                list.iter().map(|e| view_with(e, &sub, &drafts)).collect();
            show_billed_minutes(&list, &mut views, &pricing, p, &prior);
            out.extend(views);
        }
        out.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
        if let Some(n) = limit {
            out.truncate(n);
        }
        out.reverse();
        Ok(out)
    })
    .await
}

/// „7:20 · abgerechnet 7:30“ where the Abrechnungstakt bills another time than
/// recorded: open times as the next draft bills them (the invoice's own groups,
/// `billing::billed_by_entry`, with the days earlier drafts billed rounded
/// once), times on a draft as that draft stored them. Billable times only;
/// `views[i]` belongs to `entries[i]`.
fn show_billed_minutes(
    entries: &[Entry],
    views: &mut [EntryView],
    pricing: &Pricing,
    project: &Project,
    prior: &crate::rechnung::pricing::PriorIndex,
) {
    let open: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.billable && e.billing == BillingState::Open)
        .collect();
    let mut group = pricing.group(
        project,
        false,
        open.iter().copied(),
        &billing::rates::Overrides::default(),
    );
    prior.attach(&mut group, entries.iter().filter(|e| e.is_locked()));
    let mut billed: HashMap<u64, u32> = billing::billed_by_entry(&group).into_iter().collect();
    for e in entries.iter().filter(|e| e.billable && e.is_locked()) {
        if let Some(m) = prior.billed_minutes(e) {
            billed.insert(e.id, m);
        } else if let EntryKind::Time { minutes, .. } = &e.kind {
            // A draft of before schema 3: each time as the rule rounds it alone.
            let alone =
                crate::billing::rounding::round_minutes(*minutes, &pricing.rounding(project.id));
            billed.insert(e.id, alone);
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let EntryKind::Time { minutes, .. } = &e.kind else {
            continue;
        };
        // As the invoice: times of 0 minutes are not billed.
        if !e.billable || *minutes == 0 {
            continue;
        }
        let Some(b) = billed.get(&e.id).copied() else {
            continue;
        };
        if b != *minutes {
            views[i].duration_shown = format!(
                "{} · abgerechnet {}",
                views[i].duration_display,
                format_minutes(u64::from(b))
            );
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeInput {
    pub id: Option<u64>,
    pub project_id: u64,
    pub date: String,
    pub employee: String,
    pub start: String,
    pub end: String,
    /// Pause as typed ("0:30", "30 min", empty = none).
    #[serde(rename = "break")]
    pub break_time: String,
    /// Dauer as typed, used when Von/Bis are empty.
    pub duration: String,
    pub description: String,
    pub billable: Option<bool>,
    /// „Neuen Mitarbeiter „…“ anlegen?“ answered yes: a name that matches no
    /// employee creates one. Without it such a name is asked about, never
    /// created silently.
    pub new_employee: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceInput {
    pub id: Option<u64>,
    pub project_id: u64,
    pub date: String,
    pub name: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub tax_rate: String,
    /// „Art“: Arbeit, Material or Fahrt; blank = by the unit.
    pub art: String,
    pub billable: Option<bool>,
    /// Chosen from the Leistungskatalog (its lexoffice article goes on the draft).
    pub catalog_id: Option<u64>,
}

fn field_err(field: &'static str) -> impl Fn(String) -> AppError {
    move |m| AppError::validation(field, m)
}

/// Validates the Zeit erfassen form into an entry kind.
pub fn time_kind(input: &TimeInput) -> AppResult<(NaiveDate, EntryKind)> {
    let today = crate::rechnung::today_berlin();
    let date = parse::parse_date_typed(&input.date, today)
        .and_then(|d| entry_rules::work_date(d, today))
        .map_err(field_err("Datum"))?;
    let employee = clean("Mitarbeiter", &input.employee, entry_rules::EMPLOYEE_CHARS)?;
    let has_span = !input.start.trim().is_empty() || !input.end.trim().is_empty();
    let break_minutes = if input.break_time.trim().is_empty() {
        0
    } else {
        parse::parse_break(&input.break_time).map_err(field_err("Pause"))?
    };
    let (start, end, minutes) = if has_span {
        let start = parse::parse_clock(&input.start).map_err(field_err("Von"))?;
        let end = parse::parse_clock(&input.end).map_err(field_err("Bis"))?;
        let minutes =
            parse::minutes_between(start, end, break_minutes).map_err(field_err("Bis"))?;
        if !input.duration.trim().is_empty() {
            let typed = parse::parse_duration(&input.duration).map_err(field_err("Dauer"))?;
            if typed.abs_diff(minutes) > 1 {
                return Err(AppError::validation(
                    "Dauer",
                    format!(
                        "Die Dauer {} passt nicht zu Von–Bis minus Pause ({}). Bitte eines von beiden leeren.",
                        format_minutes(u64::from(typed)),
                        format_minutes(u64::from(minutes))
                    ),
                ));
            }
        }
        (Some(start), Some(end), minutes)
    } else {
        if input.duration.trim().is_empty() {
            return Err(AppError::validation(
                "Dauer",
                "Bitte Von und Bis oder eine Dauer eingeben, z. B. 1:30 oder 1,5.",
            ));
        }
        let minutes = parse::parse_duration(&input.duration).map_err(field_err("Dauer"))?;
        if break_minutes > 0 {
            return Err(AppError::validation(
                "Pause",
                "Eine Pause gibt es nur mit Von und Bis; bei einer direkt eingegebenen Dauer bitte leer lassen.",
            ));
        }
        (None, None, minutes)
    };
    if minutes == 0 {
        return Err(AppError::validation(
            "Dauer",
            "Die Dauer muss größer als 0 sein.",
        ));
    }
    Ok((
        date,
        EntryKind::Time {
            employee,
            employee_id: None,
            start,
            end,
            break_minutes,
            minutes,
        },
    ))
}

/// Validates the Leistung erfassen form.
pub fn service_kind(input: &ServiceInput) -> AppResult<(NaiveDate, EntryKind)> {
    let today = crate::rechnung::today_berlin();
    let date = parse::parse_date_typed(&input.date, today)
        .and_then(|d| entry_rules::work_date(d, today))
        .map_err(field_err("Datum"))?;
    let name = clean("Bezeichnung", &input.name, entry_rules::SERVICE_NAME_CHARS)?;
    if name.is_empty() {
        return Err(AppError::validation(
            "Bezeichnung",
            "Bitte eine Bezeichnung eingeben.",
        ));
    }
    let quantity = decimal_field("Menge", &input.quantity, 4)?;
    if quantity.is_zero() {
        return Err(AppError::validation(
            "Menge",
            "Die Menge muss größer als 0 sein.",
        ));
    }
    if quantity >= Decimal::from(entry_rules::QUANTITY_LIMIT) {
        return Err(AppError::validation(
            "Menge",
            "Die Menge muss kleiner als 1.000.000 sein.",
        ));
    }
    let mut unit = clean("Einheit", &input.unit, entry_rules::UNIT_CHARS)?;
    if unit.is_empty() {
        unit = entry_rules::DEFAULT_UNIT.into();
    }
    let unit_price = decimal_field("Einzelpreis", &input.unit_price, 4)?;
    if unit_price >= Decimal::from(entry_rules::UNIT_PRICE_LIMIT) {
        return Err(AppError::validation(
            "Einzelpreis",
            "Der Einzelpreis muss kleiner als 100.000.000 € sein.",
        ));
    }
    let tax_rate = if input.tax_rate.trim().is_empty() {
        Decimal::from(entry_rules::DEFAULT_TAX_RATE)
    } else {
        parse::parse_tax_rate(&input.tax_rate).map_err(field_err("Steuersatz"))?
    };
    // „Art“: blank = by the unit (stored as none, so it follows the unit).
    let art = match input.art.trim() {
        "" => None,
        a => Some(crate::storage::ServiceArt::from_label(a).ok_or_else(|| {
            AppError::validation("Art", "Bitte Arbeit, Material oder Fahrt wählen.")
        })?),
    };
    Ok((
        date,
        EntryKind::Service {
            name,
            quantity,
            unit,
            unit_price,
            tax_rate,
            art,
            article: None,
        },
    ))
}

/// Why a project takes no new or changed times and services, if it does not:
/// „abgeschlossen“ takes none (it can still be invoiced, the final invoice);
/// „archiviert“ is read-only. The one rule behind the forms, the CSV import and
/// the buttons' explanations.
pub fn closed_reason(project: &Project) -> Option<String> {
    match project.status {
        ProjectStatus::Aktiv => None,
        ProjectStatus::Abgeschlossen => Some(format!(
            "Das Projekt „{}“ ist abgeschlossen und nimmt keine Zeiten oder Leistungen mehr an; abrechnen lässt es sich weiterhin. Zum Erfassen bitte das Projekt wieder auf „aktiv“ setzen.",
            project.name
        )),
        ProjectStatus::Archiviert => Some(format!(
            "Das Projekt „{}“ ist archiviert und kann nicht mehr geändert werden. Zum Bearbeiten bitte das Projekt wieder auf „aktiv“ setzen.",
            project.name
        )),
    }
}

async fn save_entry(
    core: &Core,
    id: Option<u64>,
    project_id: u64,
    date: NaiveDate,
    mut kind: EntryKind,
    description: String,
    billable: bool,
) -> AppResult<EntryView> {
    let description = clean("Beschreibung", &description, entry_rules::DESCRIPTION_CHARS)?;
    entry_rules::check(&kind, &description).map_err(|(f, m)| AppError::validation(f, m))?;
    let store = core.store.clone();
    let (mut shown, before) = blocking(move || {
        let project = store.project(project_id)?.ok_or_else(|| {
            AppError::validation("Projekt", "Dieses Projekt existiert nicht mehr.")
        })?;
        if let Some(why) = closed_reason(&project) {
            return Err(AppError::validation("Projekt", why));
        }
        let now = Utc::now();
        let mut before: Option<Entry> = None;
        let (entry_id, created_at, fp) = match id {
            Some(id) => {
                let old = store.entry(id)?.ok_or_else(|| {
                    AppError::NotFound("Dieser Eintrag existiert nicht mehr.".into())
                })?;
                before = Some(old.clone());
                if old.is_locked() {
                    return Err(AppError::validation(
                        "Eintrag",
                        view(&old, "").locked_reason.unwrap_or_default(),
                    ));
                }
                if std::mem::discriminant(&old.kind) != std::mem::discriminant(&kind) {
                    return Err(AppError::validation(
                        "Eintrag",
                        "Die Art des Eintrags kann nicht geändert werden.",
                    ));
                }
                // The same name as recorded keeps its Mitarbeiter, even if that
                // one has been renamed since.
                if let (
                    EntryKind::Time {
                        employee: old_name,
                        employee_id: Some(old_id),
                        ..
                    },
                    EntryKind::Time {
                        employee,
                        employee_id,
                        ..
                    },
                ) = (&old.kind, &mut kind)
                {
                    if old_name.trim() == employee.trim() {
                        *employee_id = Some(*old_id);
                    }
                }
                (id, old.created_at, old.csv_fingerprint)
            }
            None => (store.next_id()?, now, None),
        };
        let mut entry = Entry {
            id: entry_id,
            project_id,
            date,
            description,
            billable,
            billing: BillingState::Open,
            kind,
            csv_fingerprint: fp,
            created_at,
            updated_at: now,
        };
        store.assign_employees(std::slice::from_mut(&mut entry))?;
        // The lock is checked again inside the write: an invoice may have reserved it meanwhile.
        store.put_entries_if_open(std::slice::from_ref(&entry))?;
        let sub = if project.parent_id.is_some() {
            project.name
        } else {
            String::new()
        };
        Ok((view(&entry, &sub), before))
    })
    .await?;
    // An edit can be undone like a deletion.
    if let Some(old) = before {
        shown.undo = Some(core.undo.keep(undo::Snapshot {
            entries: vec![old],
            ..Default::default()
        }));
    }
    Ok(shown)
}

pub async fn save_time(core: &Core, input: TimeInput) -> AppResult<EntryView> {
    let (date, kind) = time_kind(&input)?;
    if let (EntryKind::Time { employee, .. }, false) = (&kind, input.new_employee) {
        let name = crate::storage::clean_name(employee);
        let store = core.store.clone();
        let editing = input.id;
        let known = blocking(move || {
            // An edit that keeps the entry's recorded name keeps its employee.
            let kept = match editing.map(|id| store.entry(id)).transpose()?.flatten() {
                Some(Entry {
                    kind:
                        EntryKind::Time {
                            employee: was,
                            employee_id: Some(_),
                            ..
                        },
                    ..
                }) => crate::storage::clean_name(&was) == name,
                _ => false,
            };
            Ok(kept
                || name.is_empty()
                || crate::storage::employee_named(&store.employees()?, &name).is_some())
        })
        .await?;
        if !known {
            return Err(AppError::Confirm {
                field: "Mitarbeiter",
                message: format!(
                    "Neuen Mitarbeiter „{}“ anlegen?",
                    crate::storage::clean_name(employee)
                ),
            });
        }
    }
    save_entry(
        core,
        input.id,
        input.project_id,
        date,
        kind,
        input.description,
        input.billable.unwrap_or(true),
    )
    .await
}

pub async fn save_service(core: &Core, input: ServiceInput) -> AppResult<EntryView> {
    let (date, mut kind) = service_kind(&input)?;
    let store = core.store.clone();
    let (catalog_id, entry_id) = (input.catalog_id, input.id);
    let chosen =
        blocking(move || crate::abrechnung::catalog::article_for(&store, catalog_id, entry_id))
            .await?;
    if let EntryKind::Service { article, name, .. } = &mut kind {
        *article = chosen.and_then(|(a, item_name)| (item_name == *name).then_some(a));
    }
    save_entry(
        core,
        input.id,
        input.project_id,
        date,
        kind,
        input.description,
        input.billable.unwrap_or(true),
    )
    .await
}

pub async fn delete_entry(core: &Core, id: u64) -> AppResult<undo::Undoable> {
    let store = core.store.clone();
    let deleted = blocking(move || {
        let e = store
            .entry(id)?
            .ok_or_else(|| AppError::NotFound("Dieser Eintrag existiert nicht mehr.".into()))?;
        if e.is_locked() {
            return Err(AppError::validation(
                "Eintrag",
                view(&e, "").locked_reason.unwrap_or_default(),
            ));
        }
        if let Some(why) = store
            .project(e.project_id)?
            .as_ref()
            .and_then(closed_reason)
        {
            return Err(AppError::validation("Projekt", why));
        }
        store.delete_entries(&[id])?;
        Ok(e)
    })
    .await?;
    let message = match deleted.kind {
        EntryKind::Time { .. } => "Zeit gelöscht",
        EntryKind::Service { .. } => "Leistung gelöscht",
    };
    Ok(undo::Undoable {
        undo: core.undo.keep(undo::Snapshot {
            entries: vec![deleted],
            ..Default::default()
        }),
        message: message.to_string(),
    })
}

#[cfg(test)]
mod format_tests {
    #[test]
    fn hours_are_grouped_the_german_way() {
        assert_eq!(crate::format::minutes(0), "0:00");
        assert_eq!(crate::format::minutes(90), "1:30");
        assert_eq!(crate::format::minutes(999 * 60 + 5), "999:05");
        assert_eq!(crate::format::minutes(1000 * 60), "1.000:00");
        assert_eq!(crate::format::minutes(122_500 * 60 + 59), "122.500:59");
        assert_eq!(crate::format::minutes(1_234_567 * 60), "1.234.567:00");
    }
}
