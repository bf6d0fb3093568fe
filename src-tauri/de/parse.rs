//! Forgiving parsing of what German office staff type into the time and service
//! forms and into import files: dates, clock times, durations, tax rates, yes/no.
//! Every error is a complete German sentence that can be shown next to the field.
//!
//! Decisions (documented here because forms, the CSV import and the README rely on them):
//! - **Dates**: `31.01.2025`, `1.2.2025`, `31.01.25` (→ 2025; two-digit years are
//!   always 20yy) and ISO `2025-01-31`. Years outside 1900–2100 are rejected as typos.
//!   Forms also take „heute“, „gestern“, „vorgestern“ and `12.3.` — the 12 March
//!   **nearest to today** (typed on 5 January, „29.12.“ is last December; typed on
//!   20 December, „1.1.“ is the coming January) — `parse_date_typed`; an import
//!   file's dates never depend on today. A work date more than a week ahead is
//!   refused (`entry_rules::work_date`).
//! - **Clock times**: `8:00`, `08:00`, `8.00` (German "8.00 Uhr"), `0800` / `800`,
//!   a bare hour `8` (= 8:00), an optional suffix `Uhr`, and `08:00:00` (Excel) when
//!   the seconds are `00`. `24:00` is rejected: the day ends at 23:59.
//! - **Durations**: `1:30`, `1,5`, `1.5` (hours), `90 min`, `2h`, `2 Std.`, `1:30 h`,
//!   `1h30`, `1 Std 30 Min`, `01:30:00` (Excel, seconds `00`). A number without unit
//!   means **hours** (`8` = 8 hours) in the "Dauer" field and **minutes** in the "Pause"
//!   field (`30` = 30 minutes) — see [`PlainUnit`]. Decimal hours are rounded
//!   **half-up to whole minutes** (`1,01` h = 60,6 min → 61 min; Excel's `1,33333333`
//!   → 80 min), because spreadsheets export computed hours with many decimals and a
//!   clerk cannot fix them; minutes must be whole (`90,5 min` is rejected). A duration
//!   is at most 24:00 and must not be negative; a working time must be > 0, a break
//!   may be 0.
//! - **Spans**: [`minutes_between`] works within one day. An end before the start is
//!   rejected ("Ende liegt vor dem Beginn"); night shifts are entered as two entries
//!   or as a plain duration.
//! - **Tax rates**: only 19, 7 and 0 % (`19`, `19 %`, `19,0`, `7,00%`).

use chrono::Datelike;
use chrono::{NaiveDate, NaiveTime, Timelike};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::money::{parse_de, DecimalError};

/// Minutes in a day: the longest duration an entry may have.
pub const DAY_MINUTES: u32 = 24 * 60;

/// How a number without unit is read in a duration field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainUnit {
    /// `1,5` = 1 h 30 min (default for "Dauer"/"Stunden").
    Hours,
    /// `30` = 30 min (default for "Pause", and for a column titled "Minuten").
    Minutes,
}

/// A value as it appears inside an error message: control characters made visible,
/// line breaks as `↵`, cut after 60 characters.
pub fn show(value: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        out.push(match c {
            '\n' => '↵',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        });
    }
    out
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn digits_u32(s: &str) -> Option<u32> {
    if all_digits(s) && s.len() <= 9 {
        s.parse().ok()
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// `dd.mm.yyyy`, `d.m.yyyy`, `dd.mm.yy` (20yy) or ISO `yyyy-mm-dd`, surrounding
/// whitespace ignored.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("Bitte ein Datum eingeben (TT.MM.JJJJ).".into());
    }
    let bad = || {
        format!(
            "Ungültiges Datum „{}“. Bitte TT.MM.JJJJ verwenden.",
            show(t)
        )
    };
    let parts: Vec<&str> = if t.contains('-') {
        t.split('-').collect()
    } else {
        t.split('.').collect()
    };
    if parts.len() != 3 || !parts.iter().all(|p| all_digits(p)) {
        return Err(bad());
    }
    let (y, m, d) = if t.contains('-') {
        if parts[0].len() != 4 || parts[1].len() > 2 || parts[2].len() > 2 {
            return Err(bad());
        }
        (parts[0], parts[1], parts[2])
    } else {
        if parts[0].len() > 2 || parts[1].len() > 2 || !matches!(parts[2].len(), 2 | 4) {
            return Err(bad());
        }
        (parts[2], parts[1], parts[0])
    };
    let (Some(mut year), Some(month), Some(day)) = (digits_u32(y), digits_u32(m), digits_u32(d))
    else {
        return Err(bad());
    };
    if y.len() == 2 {
        year += 2000;
    }
    if !(1900..=2100).contains(&year) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(bad)
}

/// A date as typed into a form: everything [`parse_date`] takes, and „heute“,
/// „gestern“, „vorgestern“ and `12.3.` / `12.3` (this year, by
/// `today`, the day in Germany). The CSV import keeps [`parse_date`]: a file's
/// dates do not depend on the day it is read.
pub fn parse_date_typed(s: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = s.trim().to_lowercase();
    let shift = |days: i64| {
        today
            .checked_add_signed(chrono::Duration::days(days))
            .ok_or_else(|| "Ungültiges Datum.".to_string())
    };
    match t.as_str() {
        "heute" => return Ok(today),
        "gestern" => return shift(-1),
        "vorgestern" => return shift(-2),
        _ => {}
    }
    let core = t.strip_suffix('.').unwrap_or(&t);
    if let Some((d, m)) = core.split_once('.') {
        if !m.contains('.') && d.len() <= 2 && m.len() <= 2 && all_digits(d) && all_digits(m) {
            let (Some(d), Some(m)) = (digits_u32(d), digits_u32(m)) else {
                return Err(typed_bad(s));
            };
            // The day of that date nearest to today (a tie goes to the past:
            // work is recorded afterwards).
            return [today.year() - 1, today.year(), today.year() + 1]
                .into_iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
                .min_by_key(|c| ((*c - today).num_days().abs(), *c > today))
                .ok_or_else(|| typed_bad(s));
        }
    }
    parse_date(s).map_err(|e| if s.trim().is_empty() { e } else { typed_bad(s) })
}

/// What a date field shows once it is left: the full date of what was typed,
/// by today in Germany („29.12.“ typed on 5 January → „29.12.2026“).
pub fn date_understood(s: &str) -> Result<String, String> {
    parse_date_typed(s, crate::de::clock::today_berlin()).map(crate::de::format::date)
}

fn typed_bad(s: &str) -> String {
    format!(
        "Ungültiges Datum „{}“. Bitte TT.MM.JJJJ verwenden – oder kurz „heute“, „gestern“, „12.3.“.",
        show(s.trim())
    )
}

// ---------------------------------------------------------------------------
// Clock times
// ---------------------------------------------------------------------------

/// `8:00`, `08:00`, `8.00`, `0800`, `800`, `8`, `8 Uhr`, `08:00:00`; minute precision,
/// 0:00–23:59.
pub fn parse_clock(s: &str) -> Result<NaiveTime, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("Bitte eine Uhrzeit eingeben (HH:MM).".into());
    }
    let bad = || {
        format!(
            "Ungültige Uhrzeit „{}“. Bitte HH:MM verwenden, z. B. 8:30.",
            show(t)
        )
    };
    let lower = t.to_lowercase();
    let core = lower
        .strip_suffix("uhr")
        .map(str::trim_end)
        .unwrap_or(&lower);
    let (h, m) = if let Some((h, rest)) = core.split_once([':', '.']) {
        let (m, secs) = match rest.split_once(':') {
            Some((m, secs)) if core.as_bytes().get(h.len()) == Some(&b':') => (m, Some(secs)),
            Some(_) => return Err(bad()),
            None => (rest, None),
        };
        if h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        if let Some(secs) = secs {
            if secs.len() != 2 || !all_digits(secs) {
                return Err(bad());
            }
            if secs != "00" {
                return Err(format!(
                    "Ungültige Uhrzeit „{}“: Sekunden werden nicht unterstützt, bitte HH:MM verwenden.",
                    show(t)
                ));
            }
        }
        (h, m)
    } else if all_digits(core) {
        match core.len() {
            1 | 2 => (core, "00"),
            3 => (&core[..1], &core[1..]),
            4 => (&core[..2], &core[2..]),
            _ => return Err(bad()),
        }
    } else {
        return Err(bad());
    };
    let (Some(h), Some(m)) = (digits_u32(h), digits_u32(m)) else {
        return Err(bad());
    };
    if h > 23 || m > 59 {
        return Err(format!(
            "Ungültige Uhrzeit „{}“. Erlaubt sind 0:00 bis 23:59.",
            show(t)
        ));
    }
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

/// `8:05`
pub fn format_clock(t: NaiveTime) -> String {
    format!("{}:{:02}", t.hour(), t.minute())
}

/// Minutes since midnight.
pub fn minutes_of_day(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

// ---------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Hours,
    Minutes,
}

#[derive(Debug, PartialEq, Eq)]
enum Tok {
    Num(String),
    Word(String),
    Colon,
}

fn unit_word(w: &str) -> Option<Unit> {
    match w {
        "h" | "std" | "stunde" | "stunden" | "stdn" | "hr" | "hrs" => Some(Unit::Hours),
        "m" | "min" | "mins" | "minute" | "minuten" => Some(Unit::Minutes),
        _ => None,
    }
}

/// Splits `1h30`, `1,5 Std.`, `1:30 h` into numbers, unit words and colons.
/// None for any other character.
fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next_is_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || ((c == ',' || c == '.') && next_is_digit) {
            let mut n = String::new();
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == ',' || chars[i] == '.')
            {
                n.push(chars[i]);
                i += 1;
            }
            toks.push(Tok::Num(n));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while i < chars.len() && chars[i].is_alphabetic() {
                w.extend(chars[i].to_lowercase());
                i += 1;
            }
            // "Std." / "Min.": an abbreviation dot belongs to the word.
            if chars.get(i) == Some(&'.') {
                i += 1;
            }
            toks.push(Tok::Word(w));
        } else if c == ':' {
            toks.push(Tok::Colon);
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            return None;
        }
    }
    Some(toks)
}

enum DurErr {
    Garbage,
    BadMinutes,
    FractionalMinutes,
    TooLong { plain_hours: bool },
}

/// A non-negative decimal in `unit`, as whole minutes.
fn number_minutes(n: &str, unit: Unit, plain: bool) -> Result<u32, DurErr> {
    let value = match parse_de(n, 20) {
        Ok(v) => v,
        Err(DecimalError::TooLarge) => return Err(DurErr::TooLong { plain_hours: false }),
        Err(_) => return Err(DurErr::Garbage),
    };
    let minutes = match unit {
        Unit::Hours => {
            if value > Decimal::from(24) {
                let whole = value.fract().is_zero();
                return Err(DurErr::TooLong {
                    plain_hours: plain && whole,
                });
            }
            (value * Decimal::from(60))
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        }
        Unit::Minutes => {
            if !value.fract().is_zero() {
                return Err(DurErr::FractionalMinutes);
            }
            value
        }
    };
    minutes
        .to_u32()
        .filter(|m| *m <= DAY_MINUTES)
        .ok_or(DurErr::TooLong { plain_hours: false })
}

fn duration_minutes(t: &str, plain: PlainUnit) -> Result<u32, DurErr> {
    let toks = tokenize(t).ok_or(DurErr::Garbage)?;
    let is_hours = |w: &String| unit_word(w) == Some(Unit::Hours);
    let is_minutes = |w: &String| unit_word(w) == Some(Unit::Minutes);
    let hm = |h: &str, m: &str| -> Result<u32, DurErr> {
        let h = digits_u32(h).ok_or(DurErr::Garbage)?;
        if m.len() != 2 {
            return Err(DurErr::Garbage);
        }
        let m = digits_u32(m).ok_or(DurErr::Garbage)?;
        if m > 59 {
            return Err(DurErr::BadMinutes);
        }
        let total = h.saturating_mul(60).saturating_add(m);
        if total > DAY_MINUTES {
            return Err(DurErr::TooLong { plain_hours: false });
        }
        Ok(total)
    };
    let plain_unit = match plain {
        PlainUnit::Hours => Unit::Hours,
        PlainUnit::Minutes => Unit::Minutes,
    };
    match toks.as_slice() {
        // 1:30, 1:30 h
        [Tok::Num(h), Tok::Colon, Tok::Num(m)] => hm(h, m),
        [Tok::Num(h), Tok::Colon, Tok::Num(m), Tok::Word(u)] if is_hours(u) => hm(h, m),
        // 01:30:00 (Excel)
        [Tok::Num(h), Tok::Colon, Tok::Num(m), Tok::Colon, Tok::Num(s)] if s == "00" => hm(h, m),
        // 1,5 / 90 min / 2 h
        [Tok::Num(n)] => number_minutes(n, plain_unit, true),
        [Tok::Num(n), Tok::Word(u)] => match unit_word(u) {
            Some(unit) => number_minutes(n, unit, false),
            None => Err(DurErr::Garbage),
        },
        // 1h30 / 1 Std 30 Min
        [Tok::Num(h), Tok::Word(hu), Tok::Num(m)] if is_hours(hu) => hm(h, &format!("{m:0>2}")),
        [Tok::Num(h), Tok::Word(hu), Tok::Num(m), Tok::Word(mu)]
            if is_hours(hu) && is_minutes(mu) =>
        {
            hm(h, &format!("{m:0>2}"))
        }
        _ => Err(DurErr::Garbage),
    }
}

fn duration_in(s: &str, plain: PlainUnit, what: &str, allow_zero: bool) -> Result<u32, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("Bitte eine {what} eingeben, z. B. 1:30 oder 1,5."));
    }
    if let Some(rest) = t.strip_prefix(['-', '\u{2212}']) {
        return Err(if duration_minutes(rest.trim(), plain).is_ok() {
            format!("Die {what} darf nicht negativ sein („{}“).", show(t))
        } else {
            garbage(what, t)
        });
    }
    match duration_minutes(t, plain) {
        Ok(0) if !allow_zero => Err(format!(
            "Die {what} muss größer als 0 sein („{}“).",
            show(t)
        )),
        Ok(m) => Ok(m),
        Err(DurErr::Garbage) => Err(garbage(what, t)),
        Err(DurErr::BadMinutes) => Err(format!(
            "Ungültige {what} „{}“: Die Minuten müssen zwischen 00 und 59 liegen.",
            show(t)
        )),
        Err(DurErr::FractionalMinutes) => Err(format!(
            "Ungültige {what} „{}“: Minuten bitte als ganze Zahl angeben.",
            show(t)
        )),
        Err(DurErr::TooLong { plain_hours }) => {
            let mut msg = format!("Die {what} „{}“ ist länger als 24 Stunden.", show(t));
            if plain_hours {
                msg.push_str(&format!(
                    " Falls Minuten gemeint sind, bitte „{} min“ schreiben.",
                    show(t)
                ));
            }
            Err(msg)
        }
    }
}

fn garbage(what: &str, t: &str) -> String {
    format!(
        "Ungültige {what} „{}“. Bitte z. B. 1:30, 1,5 (Stunden) oder 90 min eingeben.",
        show(t)
    )
}

/// A working time in minutes, 1…1440. A number without unit means hours.
pub fn parse_duration(s: &str) -> Result<u32, String> {
    parse_duration_in(s, PlainUnit::Hours)
}

/// Like [`parse_duration`], with the unit of a bare number chosen by the caller
/// (e.g. from a column header "Dauer (min)").
pub fn parse_duration_in(s: &str, plain: PlainUnit) -> Result<u32, String> {
    duration_in(s, plain, "Dauer", false)
}

/// A break in minutes, 0…1440. Empty means no break; a number without unit means
/// minutes (`30` = 30 min); `0:30`, `0,5 h`, `30 min` work as for durations.
pub fn parse_break(s: &str) -> Result<u32, String> {
    parse_break_in(s, PlainUnit::Minutes)
}

/// Like [`parse_break`], with the unit of a bare number chosen by the caller.
pub fn parse_break_in(s: &str, plain: PlainUnit) -> Result<u32, String> {
    if s.trim().is_empty() {
        return Ok(0);
    }
    duration_in(s, plain, "Pause", true)
}

/// Working minutes from `start` to `end` on one day, minus the break.
/// Rejects an end at or before the start (no overnight spans) and a break that is
/// not shorter than the span.
pub fn minutes_between(
    start: NaiveTime,
    end: NaiveTime,
    break_minutes: u32,
) -> Result<u32, String> {
    let (s, e) = (minutes_of_day(start), minutes_of_day(end));
    if e == s {
        return Err(format!(
            "Beginn und Ende sind gleich ({}). Bitte eine Zeitspanne angeben.",
            format_clock(start)
        ));
    }
    if e < s {
        return Err(format!(
            "Das Ende ({}) liegt vor dem Beginn ({}). Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen.",
            format_clock(end),
            format_clock(start)
        ));
    }
    let span = e - s;
    if break_minutes >= span {
        return Err(format!(
            "Die Pause ({}) ist nicht kürzer als die Zeit von {} bis {} ({}).",
            crate::de::format::minutes(u64::from(break_minutes)),
            format_clock(start),
            format_clock(end),
            crate::de::format::minutes(u64::from(span))
        ));
    }
    Ok(span - break_minutes)
}

// ---------------------------------------------------------------------------
// Tax rate, yes/no
// ---------------------------------------------------------------------------

/// `19`, `19%`, `19 %`, `7`, `0`, `19,0` → 19, 7 or 0 (scale 0). Nothing else.
pub fn parse_tax_rate(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("Bitte einen Steuersatz eingeben (19, 7 oder 0 %).".into());
    }
    let core = t.strip_suffix('%').unwrap_or(t).trim();
    if let Some(rate) = parse_de(core, 4)
        .ok()
        .and_then(crate::money::allowed_tax_rate)
    {
        return Ok(rate);
    }
    Err(format!(
        "Unbekannter Steuersatz „{}“. Erlaubt sind 19, 7 und 0 %.",
        show(t)
    ))
}

/// ja/nein, j/n, x (= ja), 1/0, true/false, wahr/falsch, yes/no (any case);
/// empty → `default`.
pub fn parse_bool_de(s: &str, default: bool) -> Result<bool, String> {
    let t = s.trim();
    match t.to_lowercase().as_str() {
        "" => Ok(default),
        "ja" | "j" | "x" | "1" | "true" | "wahr" | "yes" | "y" => Ok(true),
        "nein" | "n" | "0" | "false" | "falsch" | "no" => Ok(false),
        _ => Err(format!(
            "Ungültiger Wert „{}“. Erlaubt sind ja oder nein (auch j/n, x, 1/0, wahr/falsch).",
            show(t)
        )),
    }
}

#[cfg(test)]
mod tests {
    /// At the year's end „TT.MM.“ means the nearest such day: on 5 January
    /// „29.12.“ is the December just gone, on 20 December „1.1.“ and „5.1.“ are
    /// the coming January; a date of this year stays this year's.
    #[test]
    fn the_short_form_is_the_nearest_such_day() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let jan5 = d(2027, 1, 5);
        for (typed, want) in [
            ("29.12.", d(2026, 12, 29)),
            ("31.12", d(2026, 12, 31)),
            ("2.1.", d(2027, 1, 2)),
            ("5.1.", d(2027, 1, 5)),
            ("4.7.", d(2027, 7, 4)),
            ("7.7.", d(2026, 7, 7)),
        ] {
            assert_eq!(parse_date_typed(typed, jan5), Ok(want), "5 Jan: {typed}");
        }
        let dec20 = d(2026, 12, 20);
        for (typed, want) in [
            ("1.1.", d(2027, 1, 1)),
            ("5.1.", d(2027, 1, 5)),
            ("18.12.", d(2026, 12, 18)),
            ("1.8.", d(2026, 8, 1)),
            ("19.6.", d(2027, 6, 19)),
            ("21.6.", d(2026, 6, 21)),
        ] {
            assert_eq!(parse_date_typed(typed, dec20), Ok(want), "20 Dec: {typed}");
        }
        // 29.2. only where a leap year is near.
        assert_eq!(parse_date_typed("29.2.", d(2028, 1, 5)), Ok(d(2028, 2, 29)));
        assert!(parse_date_typed("29.2.", d(2026, 1, 5)).is_err());
    }

    #[test]
    fn typed_dates_take_the_office_shorthands() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        for (typed, want) in [
            ("heute", d(2026, 3, 1)),
            (" Heute ", d(2026, 3, 1)),
            ("gestern", d(2026, 2, 28)),
            ("vorgestern", d(2026, 2, 27)),
            ("12.3.", d(2026, 3, 12)),
            ("12.3", d(2026, 3, 12)),
            // The nearest 1 December is last year's (90 days back, not 275 ahead).
            ("1.12.", d(2025, 12, 1)),
            ("12.03.25", d(2025, 3, 12)),
            ("12.03.2025", d(2025, 3, 12)),
            ("2025-03-12", d(2025, 3, 12)),
        ] {
            assert_eq!(parse_date_typed(typed, today), Ok(want), "{typed:?}");
        }
        for bad in ["31.2.", "12.13.", "morgen", "12..", "1.2.3.4"] {
            assert_eq!(
                parse_date_typed(bad, today).unwrap_err(),
                format!("Ungültiges Datum „{}“. Bitte TT.MM.JJJJ verwenden – oder kurz „heute“, „gestern“, „12.3.“.", bad.trim()),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_date_typed("", today).unwrap_err(),
            "Bitte ein Datum eingeben (TT.MM.JJJJ)."
        );
        // Clock times already take the shorthands of the issue.
        for (typed, h, m) in [
            ("730", 7, 30),
            ("7.30", 7, 30),
            ("7:30", 7, 30),
            ("16", 16, 0),
        ] {
            assert_eq!(
                parse_clock(typed),
                Ok(NaiveTime::from_hms_opt(h, m, 0).unwrap()),
                "{typed}"
            );
        }
        // The CSV import stays with full dates.
        assert!(parse_date("heute").is_err());
    }

    use super::*;
    use std::str::FromStr;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn dates_good() {
        let cases = [
            ("31.01.2025", date(2025, 1, 31)),
            ("1.2.2025", date(2025, 2, 1)),
            ("01.02.25", date(2025, 2, 1)),
            ("  29.02.2024 ", date(2024, 2, 29)),
            ("2025-01-31", date(2025, 1, 31)),
            ("2025-1-5", date(2025, 1, 5)),
            ("31.12.99", date(2099, 12, 31)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_date(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn dates_bad() {
        for input in [
            "32.01.2025",
            "31.02.2025",
            "29.02.2025",
            "00.01.2025",
            "1.13.2025",
            "1.2.",
            "1.2",
            "2025/01/31",
            "31-01-2025",
            "heute",
            "31.01.202",
            "31.01.0025",
            "1..2025",
            "2025-01-31T00:00",
            "31.01.2025 8:00",
            "١.٢.٢٠٢٥",
        ] {
            let err = parse_date(input).unwrap_err();
            assert!(err.starts_with("Ungültiges Datum „"), "{input:?}: {err}");
            assert!(
                err.ends_with("Bitte TT.MM.JJJJ verwenden."),
                "{input:?}: {err}"
            );
        }
        assert_eq!(
            parse_date("32.01.2025").unwrap_err(),
            "Ungültiges Datum „32.01.2025“. Bitte TT.MM.JJJJ verwenden."
        );
        assert_eq!(
            parse_date("  ").unwrap_err(),
            "Bitte ein Datum eingeben (TT.MM.JJJJ)."
        );
        assert_eq!(crate::de::format::date(date(2025, 1, 5)), "05.01.2025");
    }

    #[test]
    fn clock_good() {
        let cases = [
            ("8:00", hm(8, 0)),
            ("08:00", hm(8, 0)),
            ("8.30", hm(8, 30)),
            ("0800", hm(8, 0)),
            ("830", hm(8, 30)),
            ("8", hm(8, 0)),
            ("17", hm(17, 0)),
            ("8 Uhr", hm(8, 0)),
            ("8:15 Uhr", hm(8, 15)),
            ("08:00:00", hm(8, 0)),
            ("23:59", hm(23, 59)),
            ("0:00", hm(0, 0)),
            (" 12:05 ", hm(12, 5)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_clock(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn clock_bad() {
        for input in [
            "24:00", "25:00", "8:60", "8:5", "8.5", "12345", "acht", "8:00 pm", "-8:00", "8:00:30",
            "8.00:00", ":30", "8:", "",
        ] {
            let err = parse_clock(input).unwrap_err();
            assert!(err.contains("Uhrzeit"), "{input:?}: {err}");
        }
        assert_eq!(
            parse_clock("24:00").unwrap_err(),
            "Ungültige Uhrzeit „24:00“. Erlaubt sind 0:00 bis 23:59."
        );
        assert!(parse_clock("8:00:30").unwrap_err().contains("Sekunden"));
        assert_eq!(format_clock(hm(8, 5)), "8:05");
    }

    #[test]
    fn durations_good() {
        let cases = [
            ("1:30", 90),
            ("01:30", 90),
            ("1,5", 90),
            ("1.5", 90),
            ("0,25", 15),
            (",5", 30),
            ("8", 480),
            ("90 min", 90),
            ("90min", 90),
            ("90 Min.", 90),
            ("45 Minuten", 45),
            ("2h", 120),
            ("2 h", 120),
            ("2 Std", 120),
            ("2 Std.", 120),
            ("1,5 Stunden", 90),
            ("1:30 h", 90),
            ("1h30", 90),
            ("1h 30min", 90),
            ("1 Std. 5 Min.", 65),
            ("01:30:00", 90),
            ("24:00", 1440),
            ("24", 1440),
            ("0:01", 1),
            ("1,01", 61), // 60,6 min, half-up
        ];
        for (input, want) in cases {
            assert_eq!(parse_duration(input), Ok(want), "input {input:?}");
        }
        // Rounding is half-up at exactly .5 minutes: 0,125 h = 7,5 min → 8.
        assert_eq!(parse_duration("0,125"), Ok(8));
        // Excel-computed hours (80/60).
        assert_eq!(parse_duration("1,33333333333333"), Ok(80));
    }

    #[test]
    fn durations_bad() {
        let cases = [
            ("", "Bitte eine Dauer eingeben"),
            ("   ", "Bitte eine Dauer eingeben"),
            ("-1:00", "nicht negativ"),
            ("-1,5", "nicht negativ"),
            ("−2 h", "nicht negativ"),
            ("0", "größer als 0"),
            ("0:00", "größer als 0"),
            ("0,0083", "größer als 0"),
            ("1:60", "zwischen 00 und 59"),
            ("1:5", "Ungültige Dauer"),
            ("25:00", "länger als 24 Stunden"),
            ("24:01", "länger als 24 Stunden"),
            ("24,5", "länger als 24 Stunden"),
            ("1500 min", "länger als 24 Stunden"),
            ("abc", "Ungültige Dauer „abc“"),
            ("1,5,5", "Ungültige Dauer"),
            ("1 Tag", "Ungültige Dauer"),
            ("90,5 min", "ganze Zahl"),
            ("1:30 min", "Ungültige Dauer"),
            ("1h70", "zwischen 00 und 59"),
            ("1,5h30", "Ungültige Dauer"),
            ("2 h 3 h", "Ungültige Dauer"),
            ("1/2", "Ungültige Dauer"),
            ("-", "Ungültige Dauer"),
            ("01:30:15", "Ungültige Dauer"),
            ("99999999999999999", "länger als 24 Stunden"),
        ];
        for (input, want) in cases {
            let err = parse_duration(input).unwrap_err();
            assert!(err.contains(want), "{input:?}: {err}");
        }
        // A bare number of minutes in an hours field gets a hint.
        assert_eq!(
            parse_duration("90").unwrap_err(),
            "Die Dauer „90“ ist länger als 24 Stunden. Falls Minuten gemeint sind, bitte „90 min“ schreiben."
        );
    }

    #[test]
    fn plain_unit_and_breaks() {
        assert_eq!(parse_duration_in("90", PlainUnit::Minutes), Ok(90));
        assert_eq!(parse_duration_in("1:30", PlainUnit::Minutes), Ok(90));
        assert_eq!(parse_break(""), Ok(0));
        assert_eq!(parse_break("30"), Ok(30));
        assert_eq!(parse_break("0"), Ok(0));
        assert_eq!(parse_break("0:45"), Ok(45));
        assert_eq!(parse_break("0,5 h"), Ok(30));
        assert_eq!(parse_break_in("0,5", PlainUnit::Hours), Ok(30));
        assert!(parse_break("-15")
            .unwrap_err()
            .contains("Die Pause darf nicht negativ sein"));
        assert!(parse_break("kurz")
            .unwrap_err()
            .contains("Ungültige Pause „kurz“"));
    }

    #[test]
    fn spans() {
        assert_eq!(minutes_between(hm(8, 0), hm(16, 30), 30), Ok(480));
        assert_eq!(minutes_between(hm(8, 0), hm(8, 1), 0), Ok(1));
        assert_eq!(
            minutes_between(hm(9, 0), hm(8, 0), 0).unwrap_err(),
            "Das Ende (8:00) liegt vor dem Beginn (9:00). Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen."
        );
        assert!(minutes_between(hm(8, 0), hm(8, 0), 0)
            .unwrap_err()
            .contains("gleich"));
        assert!(minutes_between(hm(8, 0), hm(9, 0), 60)
            .unwrap_err()
            .contains("Pause (1:00)"));
        assert_eq!(crate::de::format::minutes(90), "1:30");
        assert_eq!(crate::de::format::minutes(5), "0:05");
        assert_eq!(crate::de::format::minutes(1440), "24:00");
    }

    #[test]
    fn tax_rates() {
        for (input, want) in [
            ("19", 19),
            ("19%", 19),
            ("19 %", 19),
            (" 7 ", 7),
            ("0", 0),
            ("19,0", 19),
            ("7,00 %", 7),
            ("19.0", 19),
        ] {
            let got = parse_tax_rate(input).unwrap();
            assert_eq!(got, Decimal::from(want), "{input:?}");
            assert_eq!(got.scale(), 0, "{input:?}");
        }
        assert_eq!(
            parse_tax_rate("16").unwrap_err(),
            "Unbekannter Steuersatz „16“. Erlaubt sind 19, 7 und 0 %."
        );
        for input in ["16", "0,19", "-19", "19,5", "neunzehn", "", "%"] {
            assert!(
                parse_tax_rate(input).unwrap_err().contains("Steuersatz"),
                "{input:?}"
            );
        }
        assert_eq!(
            Decimal::from_str("19").unwrap(),
            parse_tax_rate("19 %").unwrap()
        );
    }

    #[test]
    fn booleans() {
        for t in ["ja", "JA", "j", "x", "X", "1", "true", "wahr", "Yes"] {
            assert_eq!(parse_bool_de(t, false), Ok(true), "{t:?}");
        }
        for t in ["nein", "Nein", "n", "0", "false", "FALSCH", "no"] {
            assert_eq!(parse_bool_de(t, true), Ok(false), "{t:?}");
        }
        assert_eq!(parse_bool_de(" ", true), Ok(true));
        assert_eq!(parse_bool_de("", false), Ok(false));
        assert!(parse_bool_de("vielleicht", true)
            .unwrap_err()
            .contains("„vielleicht“"));
    }

    #[test]
    fn show_makes_values_visible() {
        assert_eq!(show("a\nb\u{7}"), "a↵b\u{FFFD}");
        let long = "x".repeat(100);
        assert_eq!(show(&long).chars().count(), 61);
    }
}
