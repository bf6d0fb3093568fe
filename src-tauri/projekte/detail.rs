//! One project as the Projekte pane shows it: its family, rates, totals.

use super::*;

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
pub(super) fn rate_info(pricing: &Pricing, project_id: u64) -> RateInfo {
    let today = crate::de::clock::today_berlin();
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
pub(super) fn service_amount(quantity: Decimal, price: Decimal) -> Decimal {
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
    prior: &crate::billing::pricing::PriorIndex,
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
    /// Sent back with „Speichern“: refused if the project changed meanwhile.
    pub version: String,
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

/// The rates and rounding rules of a project family.
pub fn pricing(store: &Store, project: &Project, subs: &[Project]) -> AppResult<Pricing> {
    let settings = store.settings()?;
    let (parent, customer) = store.parent_and_customer(project)?;
    Ok(Pricing::load(
        project,
        parent.as_ref(),
        subs,
        customer.as_ref(),
        &settings,
    ))
}

pub(super) fn detail_blocking(store: &Store, id: u64) -> AppResult<ProjectDetail> {
    let (project, subs) = family(store, id)?;
    let (parent, customer) = store.parent_and_customer(&project)?;
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
    let prior = crate::billing::pricing::PriorIndex::of(&store.invoice_records()?);
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
        version: crate::model::version_of(project.updated_at),
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
pub(super) fn subs_with_parent(subs: &[Project]) -> Vec<Project> {
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
