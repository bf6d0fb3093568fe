//! The „Abrechnung“ tab: per project what is still unbilled (the same engine
//! as the preview: `projekte::totals`), the oldest unbilled day, the drafts
//! waiting in lexoffice and the finalised invoices still open, as the last
//! status sync saw them (docs/architecture.md › Abrechnung). „Entwürfe
//! erstellen“ for several projects is in `batch`.

pub mod batch;

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::billing::pricing::Pricing;
use crate::core::{blocking, Core};
use crate::de::format;
use crate::error::AppResult;
use crate::projekte;
use crate::rechnung::{self, SyncView};
use crate::storage::{Entry, InvoiceRecord, InvoiceState, Project, ProjectStatus, Store};

/// One main project (its subprojects included), ready to show. The `*_key`
/// fields are for sorting only (integers and ISO dates), never shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OverviewRow {
    pub project_id: u64,
    pub project_name: String,
    pub project_number: String,
    pub customer_name: String,
    pub customer_number: String,
    /// „aktiv“, „abgeschlossen“, „archiviert“.
    pub status: &'static str,
    /// Open billable time, „12:30 h“ (recorded, before the Abrechnungstakt).
    pub hours_display: String,
    /// „1.234,50 €“: the preview's net over all open entries.
    pub net_display: String,
    /// „03.11.2026“, or „–“.
    pub oldest_display: String,
    /// „1 Entwurf“ / „2 Entwürfe“, or empty.
    pub drafts_display: String,
    /// „464,10 € offen · RE1001“ (or „… · 2 Rechnungen“) still to be paid on
    /// finalised invoices, or empty.
    pub open_display: String,
    /// „238,00 € überfällig“, or empty.
    pub overdue_display: String,
    /// „Entwurf seit 16 Tagen nicht abgeschlossen“ (the oldest such draft).
    pub warning: Option<String>,
    /// Open time without any Stundensatz (not in the net): „2:00 h ohne Stundensatz“.
    pub without_rate: Option<String>,
    /// Something to bill: open entries.
    pub billable: bool,
    /// In the filter „Offene Rechnungen“: drafts waiting or invoices unpaid.
    pub waiting: bool,
    pub net_key: i64,
    pub minutes_key: u64,
    pub oldest_key: String,
    pub open_key: i64,
    pub drafts: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OverviewTotals {
    pub net_display: String,
    pub hours_display: String,
    pub projects_display: String,
    pub drafts_display: String,
    pub open_display: String,
    pub overdue_display: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub rows: Vec<OverviewRow>,
    pub totals: OverviewTotals,
    pub sync: SyncView,
}

fn cents(d: Decimal) -> i64 {
    (d * Decimal::from(100))
        .round()
        .try_into()
        .unwrap_or(i64::MAX)
}

/// „1 Entwurf“, „2 Entwürfe“; empty for none.
fn count(n: u32, one: &str, many: &str) -> String {
    if n == 0 {
        String::new()
    } else {
        format::count_de(n as usize, one, many)
    }
}

/// The drafts and invoices of a project family, as the last sync saw them.
#[derive(Default)]
struct Invoices {
    drafts: u32,
    open: Decimal,
    overdue: Decimal,
    oldest_draft_days: Option<i64>,
    warning: Option<String>,
    /// Voucher numbers of the unpaid invoices.
    unpaid: Vec<String>,
}

fn invoices_of(records: &[&InvoiceRecord]) -> Invoices {
    let mut inv = Invoices::default();
    for r in records {
        if r.state != InvoiceState::Created {
            continue;
        }
        match r.lexoffice_status.as_deref() {
            None | Some("draft") => {
                inv.drafts += 1;
                if let Some(w) = rechnung::age_warning(r) {
                    let days = r.draft_age_days().unwrap_or(0);
                    if inv.oldest_draft_days.is_none_or(|d| days > d) {
                        inv.oldest_draft_days = Some(days);
                        inv.warning = Some(w);
                    }
                }
            }
            Some(status) if r.is_finalised() && !r.is_closed_in_lexoffice() => {
                let amount = r
                    .seen
                    .open_amount
                    .as_deref()
                    .and_then(|a| a.parse::<Decimal>().ok())
                    // Not read yet: an open invoice owes its gross total.
                    .unwrap_or_else(|| match status {
                        "open" | "overdue" => r.gross.parse().unwrap_or_default(),
                        _ => Decimal::ZERO,
                    });
                if amount > Decimal::ZERO {
                    inv.open += amount;
                    inv.unpaid
                        .push(r.voucher_number.clone().unwrap_or_default());
                    if status == "overdue" {
                        inv.overdue += amount;
                    }
                }
            }
            _ => {}
        }
    }
    inv
}

fn status_label(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Aktiv => "aktiv",
        ProjectStatus::Abgeschlossen => "abgeschlossen",
        ProjectStatus::Archiviert => "archiviert",
    }
}

/// How many project families' entries the overview reads at once.
const FAMILIES_PER_READ: usize = 500;

/// The rows of every main project with something open: entries, drafts or
/// unpaid invoices. Reads each family's entries once.
pub fn build(store: &Store) -> AppResult<(Vec<OverviewRow>, OverviewTotals)> {
    let settings = store.settings()?;
    let projects = store.projects()?;
    let customers: HashMap<u64, crate::storage::Customer> =
        store.customers()?.into_iter().map(|c| (c.id, c)).collect();
    let mut subs: HashMap<u64, Vec<Project>> = HashMap::new();
    for p in &projects {
        if let Some(parent) = p.parent_id {
            subs.entry(parent).or_default().push(p.clone());
        }
    }
    let all_records = store.invoice_records()?;
    let prior = crate::billing::pricing::PriorIndex::of(&all_records);
    let parent_of: HashMap<u64, u64> = projects
        .iter()
        .map(|p| (p.id, p.parent_id.unwrap_or(p.id)))
        .collect();
    let mut records: HashMap<u64, Vec<&InvoiceRecord>> = HashMap::new();
    for r in &all_records {
        if let Some(main) = parent_of.get(&r.project_id) {
            records.entry(*main).or_default().push(r);
        }
    }
    let mut rows = Vec::new();
    let (mut net, mut minutes, mut drafts) = (Decimal::ZERO, 0u64, 0u32);
    let (mut open, mut overdue) = (Decimal::ZERO, Decimal::ZERO);
    let none: Vec<Project> = Vec::new();
    let mains: Vec<&Project> = projects.iter().filter(|p| p.parent_id.is_none()).collect();
    // The entries of FAMILIES_PER_READ families at once: one read for many
    // projects (on PostgreSQL one query, not one per project), a bounded part
    // of 100,000 entries in memory. The next part is read while this one is
    // priced (on PostgreSQL the server works meanwhile).
    let family_ids = |chunk: &[&Project]| -> Vec<u64> {
        chunk
            .iter()
            .flat_map(|m| {
                std::iter::once(m.id).chain(subs.get(&m.id).into_iter().flatten().map(|s| s.id))
            })
            .collect()
    };
    let chunks: Vec<&[&Project]> = mains.chunks(FAMILIES_PER_READ).collect();
    let mut read: HashMap<u64, Vec<Entry>> = HashMap::new();
    std::thread::scope(|scope| -> AppResult<()> {
        let fetch = |k: usize| {
            chunks.get(k).map(|chunk| {
                let ids = family_ids(chunk);
                scope.spawn(move || store.entries_of_projects(&ids))
            })
        };
        let mut next = fetch(0);
        for (k, chunk) in chunks.iter().enumerate() {
            let part = next
                .take()
                .expect("read ahead")
                .join()
                .map_err(|_| crate::error::AppError::Internal("Lesen abgebrochen".into()))??;
            next = fetch(k + 1);
            read.clear();
            for e in part {
                read.entry(e.project_id).or_default().push(e);
            }
            for project in chunk.iter() {
                let project: &Project = project;
                let family_subs = subs.get(&project.id).unwrap_or(&none);
                let customer = project.customer_id.and_then(|id| customers.get(&id));
                let pricing = Pricing::load(project, None, family_subs, customer, &settings);
                let entries = std::iter::once(project.id)
                    .chain(family_subs.iter().map(|s| s.id))
                    .flat_map(|pid| read.remove(&pid).into_iter().flatten())
                    .filter(|e: &Entry| e.billable);
                let t = projekte::totals(project, family_subs, entries, &pricing, &prior);
                let inv = invoices_of(records.get(&project.id).map(Vec::as_slice).unwrap_or(&[]));
                if t.open_entries == 0 && inv.drafts == 0 && inv.open.is_zero() {
                    continue;
                }
                net += t.open_net;
                minutes += t.open_minutes;
                drafts += inv.drafts;
                open += inv.open;
                overdue += inv.overdue;
                rows.push(OverviewRow {
                    project_id: project.id,
                    project_name: project.name.clone(),
                    project_number: project.number.clone(),
                    customer_name: customer.map(|c| c.name.clone()).unwrap_or_default(),
                    customer_number: customer.map(|c| c.number.clone()).unwrap_or_default(),
                    status: status_label(project.status),
                    hours_display: if t.open_entries == 0 {
                        "–".into()
                    } else {
                        format!("{} h", format::minutes(t.open_minutes))
                    },
                    net_display: if t.open_entries == 0 {
                        "–".into()
                    } else {
                        format::format_eur(t.open_net)
                    },
                    oldest_display: t
                        .oldest_open
                        .map(format::date)
                        .unwrap_or_else(|| "–".into()),
                    drafts_display: count(inv.drafts, "Entwurf", "Entwürfe"),
                    open_display: match inv.unpaid.as_slice() {
                        [] => String::new(),
                        [one] if !one.is_empty() => {
                            format!("{} offen · {one}", format::format_eur(inv.open))
                        }
                        [_] => format!("{} offen", format::format_eur(inv.open)),
                        many => format!(
                            "{} offen · {} Rechnungen",
                            format::format_eur(inv.open),
                            many.len()
                        ),
                    },
                    overdue_display: if inv.overdue.is_zero() {
                        String::new()
                    } else {
                        format!("{} überfällig", format::format_eur(inv.overdue))
                    },
                    warning: inv.warning,
                    without_rate: (t.minutes_without_rate > 0).then(|| {
                        format!(
                            "{} h ohne Stundensatz",
                            format::minutes(t.minutes_without_rate)
                        )
                    }),
                    // An archived project takes no draft („Entwürfe erstellen“ would refuse it).
                    billable: t.open_entries > 0 && project.status != ProjectStatus::Archiviert,
                    waiting: inv.drafts > 0 || !inv.open.is_zero(),
                    net_key: cents(t.open_net),
                    minutes_key: t.open_minutes,
                    oldest_key: t
                        .oldest_open
                        .map(|d: NaiveDate| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    open_key: cents(inv.open),
                    drafts: inv.drafts,
                });
            }
        }
        Ok(())
    })?;
    rows.sort_by(|a, b| {
        (
            a.customer_name.to_lowercase(),
            a.project_name.to_lowercase(),
        )
            .cmp(&(
                b.customer_name.to_lowercase(),
                b.project_name.to_lowercase(),
            ))
    });
    let totals = OverviewTotals {
        net_display: format::format_eur(net),
        hours_display: format!("{} h", format::minutes(minutes)),
        projects_display: count(rows.len() as u32, "Projekt", "Projekte"),
        drafts_display: count(drafts, "Entwurf", "Entwürfe"),
        open_display: format::format_eur(open),
        overdue_display: format::format_eur(overdue),
    };
    Ok((rows, totals))
}

/// The tab's content, from what is stored (the sync runs apart).
pub async fn overview(core: &Core) -> AppResult<Overview> {
    let store = core.store.clone();
    let (rows, totals) = blocking(move || build(&store)).await?;
    Ok(Overview {
        rows,
        totals,
        sync: rechnung::tracker(core).view(),
    })
}
