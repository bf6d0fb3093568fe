//! From a draft's record to the sheet: its time entries, billed minutes and
//! groups as on the invoice (docs/architecture.md › Stundennachweis).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::{Sheet, SheetGroup, SheetRow};
use crate::billing::pricing::Pricing;
use crate::billing::{self, rates::Overrides};
use crate::de::format::{self, date as de_date, format_de, minutes as hm};
use crate::de::parse::format_clock;
use crate::error::{AppError, AppResult};
use crate::projekte;
use crate::storage::{Entry, EntryKind, InvoiceRecord, Layout, Store};

/// One time entry with what the sheet needs.
struct Row {
    entry: Entry,
    project_name: String,
    is_sub: bool,
    minutes: u32,
    billed: u32,
}

/// The sheet of the draft `record_id`.
pub fn sheet(store: &Store, record_id: u64) -> AppResult<Sheet> {
    let record = store
        .invoice_record(record_id)?
        .ok_or_else(|| AppError::NotFound("Dieser Entwurf ist nicht mehr vorhanden.".into()))?;
    if record.lexoffice_id.is_none() {
        return Err(AppError::validation(
            "Stundennachweis",
            "Für diesen Versuch gibt es keinen Entwurf in lexoffice, also auch keinen Stundennachweis.",
        ));
    }
    let (project, subs) = projekte::family(store, record.project_id)?;
    let settings = store.settings()?;
    let (_, customer) = store.parent_and_customer(&project)?;
    let pricing = projekte::pricing(store, &project, &subs)?;
    let ids: HashSet<u64> = record.entry_ids.iter().copied().collect();
    let mut rows: Vec<Row> = Vec::new();
    for p in std::iter::once(&project).chain(subs.iter()) {
        let entries: Vec<Entry> = store
            .entries_in(p.id, record.period_from, record.period_to)?
            .into_iter()
            .filter(|e| ids.contains(&e.id) && matches!(e.kind, EntryKind::Time { .. }))
            .collect();
        // Billed minutes as the draft stored them when it was made; a draft of
        // before schema 3 has none stored: then as the engine rounds them now.
        let billed: HashMap<u64, u32> = if record.billed_minutes.is_empty() {
            let group = pricing.group(p, p.id != project.id, &entries, &Overrides::default());
            billing::billed_by_entry(&group).into_iter().collect()
        } else {
            record.billed_minutes.iter().copied().collect()
        };
        for e in entries {
            let EntryKind::Time { minutes, .. } = e.kind else {
                continue;
            };
            rows.push(Row {
                billed: billed.get(&e.id).copied().unwrap_or(0),
                project_name: p.name.clone(),
                is_sub: p.id != project.id,
                minutes,
                entry: e,
            });
        }
    }
    rows.sort_by_key(|r| (r.entry.date, r.entry.id));
    let groups = group(&record, &pricing, rows);
    let total_recorded: u64 = groups.iter().map(|g| g.1).sum();
    let total_billed: u64 = groups.iter().map(|g| g.2).sum();
    let customer_lines = customer
        .as_ref()
        .map(crate::model::address_lines)
        .unwrap_or_default();
    Ok(Sheet {
        firm: settings
            .profile
            .as_ref()
            .map(|p| p.company_name.clone())
            .unwrap_or_default(),
        customer_name: customer.map(|c| c.name).unwrap_or_default(),
        customer_lines,
        project: project.name.clone(),
        period: service_period(&record),
        voucher: match &record.voucher_number {
            Some(n) => format!("Rechnung {n}"),
            None => format!("Entwurf vom {}", format::local_date(record.created_at)),
        },
        written: de_date(crate::de::clock::today_berlin()),
        groups: groups.into_iter().map(|g| g.0).collect(),
        total_recorded: hm(total_recorded),
        total_billed: hm(total_billed),
        total_hours: format!(
            "{} {}",
            format_de(draft_hours(&record, &settings.hours.unit), 2),
            match settings.hours.unit.trim() {
                "" => crate::billing::HOUR_UNIT,
                u => u,
            }
        ),
    })
}

/// The draft's service period as sent (`shippingConditions`).
fn service_period(record: &InvoiceRecord) -> String {
    let day = |field: &str| {
        record.request["shippingConditions"][field]
            .as_str()
            .and_then(|s| s.get(..10))
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    match (day("shippingDate"), day("shippingEndDate")) {
        (Some(a), Some(b)) if a != b => format!("{} – {}", de_date(a), de_date(b)),
        (Some(a), _) => de_date(a),
        _ => format!(
            "{} – {}",
            de_date(record.period_from),
            de_date(record.period_to)
        ),
    }
}

/// The hours the draft bills: the quantities of its priced time lines (the
/// hour unit), as sent.
fn draft_hours(record: &InvoiceRecord, unit: &str) -> Decimal {
    let unit = match unit.trim() {
        "" => crate::billing::HOUR_UNIT,
        u => u,
    };
    record.request["lineItems"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["unitName"].as_str() == Some(unit))
                .filter(|i| decimal(&i["unitPrice"]["netAmount"]).is_some_and(|p| !p.is_zero()))
                .filter_map(|i| decimal(&i["quantity"]))
                .sum()
        })
        .unwrap_or_default()
}

/// A JSON number of the body as the decimal it was written from (no float).
fn decimal(v: &serde_json::Value) -> Option<Decimal> {
    v.as_number()?.to_string().parse().ok()
}

/// Groups as the invoice groups: per subproject when listed apart, then per
/// employee, role or day as the Aufstellung says. (group, recorded minutes,
/// billed minutes of charged time)
fn group(record: &InvoiceRecord, pricing: &Pricing, rows: Vec<Row>) -> Vec<(SheetGroup, u64, u64)> {
    let mut out: Vec<(String, SheetGroup, u64, u64)> = Vec::new();
    for r in rows {
        let EntryKind::Time {
            employee,
            employee_id,
            start,
            end,
            break_minutes,
            ..
        } = &r.entry.kind
        else {
            continue;
        };
        let mut parts: Vec<String> = Vec::new();
        if record.list_subprojects && r.is_sub {
            parts.push(r.project_name.clone());
        }
        match record.layout {
            Layout::Employee => parts.push(employee.trim().to_string()),
            Layout::Role => parts.push(
                pricing
                    .role_of(*employee_id, r.entry.date)
                    .unwrap_or_else(|| "ohne Rolle".into()),
            ),
            Layout::Day => parts.push(de_date(r.entry.date)),
            Layout::Project | Layout::Entry => {}
        }
        parts.retain(|p| !p.is_empty());
        let key = parts.join(" · ");
        let i = match out.iter().position(|g| g.0 == key) {
            Some(i) => i,
            None => {
                out.push((
                    key.clone(),
                    SheetGroup {
                        heading: (!key.is_empty()).then(|| key.clone()),
                        rows: Vec::new(),
                        subtotal_recorded: String::new(),
                        subtotal_billed: String::new(),
                    },
                    0,
                    0,
                ));
                out.len() - 1
            }
        };
        let g = &mut out[i];
        let goodwill = !r.entry.billable || record.goodwill_entry_ids.contains(&r.entry.id);
        // Recorded: all time shown; billed: what is charged (not goodwill).
        g.2 += u64::from(r.minutes);
        if !goodwill {
            g.3 += u64::from(r.billed);
        }
        g.1.rows.push(SheetRow {
            date: de_date(r.entry.date),
            employee: employee.clone(),
            from_to: match (start, end) {
                (Some(a), Some(b)) => format!("{}–{}", format_clock(*a), format_clock(*b)),
                _ => String::new(),
            },
            pause: if *break_minutes > 0 {
                hm(u64::from(*break_minutes))
            } else {
                String::new()
            },
            duration: hm(u64::from(r.minutes)),
            billed: if goodwill {
                "Kulanz".into()
            } else {
                hm(u64::from(r.billed))
            },
            description: r.entry.description.clone(),
        });
    }
    // Groups in order of their first day; subtotals.
    out.into_iter()
        .map(|(_, mut g, rec, bil)| {
            g.subtotal_recorded = hm(rec);
            g.subtotal_billed = hm(bil);
            (g, rec, bil)
        })
        .collect()
}
