//! de-DE formatting: the one home of every number, amount, count, date and h:mm the
//! user sees. Inputs are `Decimal` (never a float), dates and minutes.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;
use rust_decimal::Decimal;

/// de-DE formatting with thousands dots and at least `min_decimals` places
/// (more when the value has them, e.g. a rate of 85,125).
pub fn format_de(value: Decimal, min_decimals: u32) -> String {
    let mut v = value.normalize();
    if v.scale() < min_decimals {
        v.rescale(min_decimals);
    }
    let text = v.abs().to_string();
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text.clone(), None),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `85,50 €`
pub fn format_eur(value: Decimal) -> String {
    format!("{} €", format_de(value, 2))
}

/// A count with its noun in the right number: `1 Kunde`, `2 Kunden`, `1.234 Kunden`.
pub fn count_de(n: usize, one: &str, many: &str) -> String {
    let number = format_de(Decimal::from(n as u64), 0);
    format!("{number} {}", if n == 1 { one } else { many })
}

/// „keine Rechnungsadresse“, „1 Rechnungsadresse“, „2 Rechnungsadressen“.
pub fn billing_addresses_de(n: u32) -> String {
    if n == 0 {
        "keine Rechnungsadresse".into()
    } else {
        count_de(n as usize, "Rechnungsadresse", "Rechnungsadressen")
    }
}

/// `31.01.2025`
pub fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// `31.01.2025 14:05`, in German local time.
pub fn date_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Berlin)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// `31.01.2025`, the German calendar day of an instant.
pub fn local_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&Berlin).format("%d.%m.%Y").to_string()
}

/// `h:mm`, hours grouped the German way: `90` → `1:30`, 122500 h → `122.500:00`.
pub fn minutes(m: u64) -> String {
    let hours = (m / 60).to_string();
    let mut grouped = String::new();
    for (i, c) in hours.chars().enumerate() {
        if i > 0 && (hours.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped}:{:02}", m % 60)
}

/// The text with its first letter capitalised, for a phrase that opens a
/// sentence („am Arbeitsplatz X“ → „Am Arbeitsplatz X“).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
