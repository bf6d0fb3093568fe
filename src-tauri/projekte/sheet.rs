//! Projekte › Stundenzettel, „Bereits erfasst“: what one employee already has
//! in a week or a month, across every project — or what everybody has on one
//! project and its subprojects — so a paper timesheet is typed against what is
//! there (docs/architecture.md › Stundenzettel).

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::core::{blocking, Core};
use crate::de::format;
use crate::de::parse;
use crate::error::{AppError, AppResult};
use crate::storage::Store;

/// One recorded time, as the sheet lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SheetEntry {
    pub id: u64,
    pub date_display: String,
    pub project_name: String,
    pub employee: String,
    /// „07:30“ or „–“.
    pub start: String,
    pub end: String,
    /// „30 min“ or „–“.
    pub break_display: String,
    pub duration_display: String,
    pub description: String,
    /// „offen“, „im Entwurf“, „abgerechnet RE1001“.
    pub state_display: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SheetPeriod {
    /// „KW 11 · 10.03.2025 – 16.03.2025“ / „März 2025“.
    pub title: String,
    /// The first and last day, TT.MM.JJJJ (for „vorige“/„nächste“).
    pub from: String,
    pub to: String,
    pub previous: String,
    pub next: String,
    pub entries: Vec<SheetEntry>,
    /// „5 Einträge · 38:30 h“ or „Noch nichts erfasst.“
    pub summary: String,
}

const MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// The week (Monday to Sunday) or the month around `day`.
pub fn period_of(day: NaiveDate, month: bool) -> (NaiveDate, NaiveDate) {
    if month {
        let first = day.with_day(1).unwrap_or(day);
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        }
        .unwrap_or(first);
        (first, next - Duration::days(1))
    } else {
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        (monday, monday + Duration::days(6))
    }
}

/// Whose sheet: one employee's (every project) or one project's (its
/// subprojects included, every employee).
#[derive(Debug, Clone)]
pub enum SheetFor {
    Employee(String),
    Project(u64),
}

fn entries_of(
    store: &Store,
    who: &SheetFor,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<(Vec<SheetEntry>, u64)> {
    let projects = store.projects()?;
    let (wanted, family) = match who {
        SheetFor::Employee(name) => (Some(name.trim().to_lowercase()), None),
        SheetFor::Project(id) => {
            let (main, subs) = super::family(store, *id)?;
            (None, Some(super::family_ids(&main, &subs)))
        }
    };
    let drafts = super::draft_states(store)?;
    // Each time with its project's name (times only: services have no sheet row).
    let mut found = Vec::new();
    for p in &projects {
        if family.as_ref().is_some_and(|f| !f.contains(&p.id)) {
            continue;
        }
        for e in store.entries_in(p.id, from, to)? {
            let Some(v) = super::time_view(&e, "", &drafts) else {
                continue;
            };
            if wanted
                .as_ref()
                .is_some_and(|w| v.employee.trim().to_lowercase() != *w)
            {
                continue;
            }
            let main = p
                .parent_id
                .and_then(|id| projects.iter().find(|q| q.id == id));
            // „07:30“ sorts as the time of day; a typed duration („“) first.
            found.push((
                (e.date, v.start.clone(), e.id),
                v,
                super::path_name(p, main),
            ));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let mut total = 0u64;
    let dash = |s: String| if s.is_empty() { "–".to_string() } else { s };
    let rows = found
        .into_iter()
        .map(|(_, v, project_name)| {
            total += u64::from(v.minutes);
            SheetEntry {
                id: v.base.id,
                date_display: v.base.date_display,
                project_name,
                employee: v.employee,
                start: dash(v.start),
                end: dash(v.end),
                break_display: if v.break_minutes > 0 {
                    format!("{} min", v.break_minutes)
                } else {
                    "–".into()
                },
                duration_display: v.duration_display,
                description: v.base.description,
                state_display: v.base.state_display,
            }
        })
        .collect();
    Ok((rows, total))
}

/// „Bereits erfasst“ of `who` in the week (or month) of `day` (as typed;
/// empty = today). An employee not yet typed in has nothing.
pub async fn sheet_period(
    core: &Core,
    who: SheetFor,
    day: String,
    month: bool,
) -> AppResult<SheetPeriod> {
    let today = crate::de::clock::today_berlin();
    let day = if day.trim().is_empty() {
        today
    } else {
        parse::parse_date_typed(&day, today).map_err(|e| AppError::validation("Datum", e))?
    };
    let (from, to) = period_of(day, month);
    let store = core.store.clone();
    let (entries, total) = match &who {
        SheetFor::Employee(name) if name.trim().is_empty() => (Vec::new(), 0),
        _ => blocking(move || entries_of(&store, &who, from, to)).await?,
    };
    let title = if month {
        format!("{} {}", MONTHS[from.month0() as usize], from.year())
    } else {
        format!(
            "KW {} · {} – {}",
            from.iso_week().week(),
            format::date(from),
            format::date(to)
        )
    };
    let summary = if entries.is_empty() {
        "Noch nichts erfasst.".to_string()
    } else {
        format!(
            "{} · {} h",
            format::count_de(entries.len(), "Eintrag", "Einträge"),
            format::minutes(total)
        )
    };
    Ok(SheetPeriod {
        title,
        from: format::date(from),
        to: format::date(to),
        previous: format::date(from - Duration::days(1)),
        next: format::date(to + Duration::days(1)),
        entries,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_run_monday_to_sunday_and_months_whole() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            period_of(d(2025, 3, 12), false),
            (d(2025, 3, 10), d(2025, 3, 16))
        );
        assert_eq!(
            period_of(d(2025, 3, 16), false),
            (d(2025, 3, 10), d(2025, 3, 16))
        );
        assert_eq!(
            period_of(d(2025, 12, 31), false),
            (d(2025, 12, 29), d(2026, 1, 4))
        );
        assert_eq!(
            period_of(d(2024, 2, 10), true),
            (d(2024, 2, 1), d(2024, 2, 29))
        );
        assert_eq!(
            period_of(d(2025, 12, 5), true),
            (d(2025, 12, 1), d(2025, 12, 31))
        );
    }
}
