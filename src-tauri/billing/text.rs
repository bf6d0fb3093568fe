//! German texts of the invoice: dates, durations, line descriptions, defaults,
//! and length limits counted the way lexoffice (a Java backend) counts them.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::MAX_DATES_LISTED;
use crate::de::format::{date as date_de, format_de};

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
    let mut next = None;
    for ch in s.chars() {
        let w = ch.len_utf16();
        if used + w > max - 1 {
            next = Some(ch);
            break;
        }
        out.push(ch);
        used += w;
    }
    // Cut cleanly: at the last space when the cut falls inside a word that
    // started within the last 30 characters.
    if next.is_some_and(|c| !c.is_whitespace()) {
        if let Some(i) = out.rfind(char::is_whitespace) {
            if out[i..].chars().count() <= 30 && i > 0 {
                out.truncate(i);
            }
        }
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

/// The days of a line: `Leistungsdatum 03.03.2025`, `Leistungstage: 03.03.,
/// 05.03.2025`, or with more than [`MAX_DATES_LISTED`] days
/// `Zeitraum 01.03.2025–31.03.2025` (its first to last day).
fn days_part(days: &BTreeSet<NaiveDate>) -> String {
    match (days.first(), days.last()) {
        (Some(a), Some(b)) if days.len() > MAX_DATES_LISTED => {
            format!("Zeitraum {}", period_de(*a, *b))
        }
        (Some(a), _) if days.len() == 1 => format!("Leistungsdatum {}", date_de(*a)),
        _ => format!("Leistungstage: {}", days_de(days)),
    }
}

/// Description of a service line: the entries' own descriptions (distinct, in
/// order, joined with "; "), a line break, then its days. When too long, the
/// free text is shortened with "…" and the days stay complete.
pub fn service_description(
    days: &BTreeSet<NaiveDate>,
    descriptions: &[String],
    max: usize,
) -> String {
    let meta = days_part(days);
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
