//! German texts of the invoice: dates, durations, line descriptions, defaults,
//! and length limits counted the way lexoffice (a Java backend) counts them.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::MAX_DATES_LISTED;
use crate::format::{date as date_de, format_de};

/// Length as lexoffice counts it: UTF-16 code units (Java `String.length()`).
/// Equal to the number of characters for all German text; an emoji counts 2,
/// so we never send something lexoffice would find too long.
pub fn text_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Cuts `s` to at most `max` UTF-16 units, ending with "…" when it had to cut.
pub fn truncate(s: &str, max: usize) -> String {
    if text_len(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let w = ch.len_utf16();
        if used + w > max - 1 {
            break;
        }
        out.push(ch);
        used += w;
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// `01.03.2025–31.03.2025`, or one date when both are the same day.
pub fn period_de(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        date_de(from)
    } else {
        format!("{}–{}", date_de(from), date_de(to))
    }
}

/// `03.03., 05.03., 12.03.2025` — the year is written after the last day of each
/// year: `29.12., 30.12.2024, 02.01.2025`.
pub fn days_de(days: &BTreeSet<NaiveDate>) -> String {
    let v: Vec<NaiveDate> = days.iter().copied().collect();
    v.iter()
        .enumerate()
        .map(|(i, d)| {
            let last_of_year = v.get(i + 1).map(|n| n.year() != d.year()).unwrap_or(true);
            if last_of_year {
                date_de(*d)
            } else {
                d.format("%d.%m.").to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Minutes as `h:mm`, hours grouped the German way: `7:20`, `1.000:00`.
pub fn hours_minutes(minutes: u64) -> String {
    format!(
        "{}:{:02}",
        format_de(Decimal::from(minutes / 60), 0),
        minutes % 60
    )
}

/// The period/dates part shared by all line descriptions:
/// `Zeitraum 01.03.2025–31.03.2025; Einsatztage: 03.03., 05.03.2025`.
/// Dates are listed only when there are at most [`MAX_DATES_LISTED`] of them, and
/// not when the period is that one single day anyway.
fn period_and_days(
    from: NaiveDate,
    to: NaiveDate,
    days: &BTreeSet<NaiveDate>,
    one: &str,
    many: &str,
) -> String {
    let mut s = if from == to {
        format!("Leistungsdatum {}", date_de(from))
    } else {
        format!("Zeitraum {}", period_de(from, to))
    };
    let only_the_period_day = from == to && days.len() == 1 && days.contains(&from);
    if !days.is_empty() && days.len() <= MAX_DATES_LISTED && !only_the_period_day {
        let label = if days.len() == 1 { one } else { many };
        s.push_str(&format!("; {label}: {}", days_de(days)));
    }
    s
}

/// Description of a time line:
/// `Zeitraum 01.03.2025–31.03.2025; Einsatztage: 03.03., 05.03.2025; Gesamtzeit 7:20 Std.`
pub fn time_description(
    from: NaiveDate,
    to: NaiveDate,
    days: &BTreeSet<NaiveDate>,
    minutes: u64,
    max: usize,
) -> String {
    let s = format!(
        "{}; Gesamtzeit {} Std.",
        period_and_days(from, to, days, "Einsatztag", "Einsatztage"),
        hours_minutes(minutes)
    );
    truncate(&s, max)
}

/// Description of a service line: the entries' own descriptions (distinct, in
/// order, joined with "; "), a line break, then period and dates. When too long,
/// the free text is shortened with "…" and the period/dates stay complete.
pub fn service_description(
    from: NaiveDate,
    to: NaiveDate,
    days: &BTreeSet<NaiveDate>,
    descriptions: &[String],
    max: usize,
) -> String {
    let meta = period_and_days(from, to, days, "Leistungstag", "Leistungstage");
    let free = descriptions.join("; ");
    if free.is_empty() {
        return truncate(&meta, max);
    }
    let whole = format!("{free}\n{meta}");
    if text_len(&whole) <= max {
        return whole;
    }
    let room = max.saturating_sub(text_len(&meta) + 1);
    if room < 2 {
        return truncate(&meta, max);
    }
    format!("{}\n{meta}", truncate(&free, room))
}

/// `Für unsere Leistungen im Zeitraum 01.03.2025 bis 31.03.2025 berechnen wir Ihnen:`
pub fn default_introduction(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        format!(
            "Für unsere Leistungen am {} berechnen wir Ihnen:",
            date_de(from)
        )
    } else {
        format!(
            "Für unsere Leistungen im Zeitraum {} bis {} berechnen wir Ihnen:",
            date_de(from),
            date_de(to)
        )
    }
}

/// Fills the placeholders a stored text may use: `{von}`, `{bis}`, `{projekt}`.
pub fn fill_placeholders(text: &str, from: NaiveDate, to: NaiveDate, project: &str) -> String {
    text.replace("{von}", &date_de(from))
        .replace("{bis}", &date_de(to))
        .replace("{projekt}", project)
}
