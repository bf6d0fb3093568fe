//! Projekte › Importieren from a spreadsheet (`.xlsx`, `.xlsm`, `.xls`, `.ods`):
//! the first sheet is turned into the text of a `;`-separated file with German
//! values, which the CSV rules (`csv::parse_csv`) then read — one set of row
//! rules, the same preview and the same fingerprints for every format.
//!
//! Cell values are taken as the spreadsheet stores them, not as shown:
//! - a date cell (a serial day number with a date format) → `31.01.2025`;
//! - a time or duration cell (a fraction of a day) → `7:30`, durations also
//!   over a day (`25:00`); a date with a time of day → the date;
//! - a number → German decimal text (`12,5`). Spreadsheets store numbers as
//!   binary doubles; the shortest text that reads back as the same double is
//!   taken, which is the number as typed for up to 15 significant digits;
//! - text as it is; a formula error (`#NV`) → an empty cell with its row refused
//!   by the usual rules when the column is needed.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};

use super::import_limits as limits;
use chrono::Timelike;

/// Whether `bytes` are a spreadsheet (zip for .xlsx/.ods, OLE for .xls).
pub fn looks_like_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn unreadable(e: impl std::fmt::Display) -> String {
    format!(
        "Die Tabelle konnte nicht gelesen werden ({e}). Bitte als .xlsx, .ods oder CSV speichern."
    )
}

/// The first sheet as `;`-separated text with a header line. The file's
/// limits are checked before it is parsed (`import_limits`). The reader can
/// panic on a damaged file (calamine overflows on a cell reference like
/// `A99999999999`; found by `tests/app/fuzz.rs`): that is a refusal, never a crash.
pub fn to_csv_text(bytes: &[u8]) -> Result<String, String> {
    std::panic::catch_unwind(|| read_sheet(bytes)).unwrap_or_else(|_| {
        Err("Die Tabelle ist beschädigt und kann nicht gelesen werden. Bitte im Tabellenprogramm neu als .xlsx, .ods oder CSV speichern.".into())
    })
}

fn read_sheet(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        limits::check_zip(bytes)?;
        if limits::read_part(bytes, "xl/workbook.xml")?.is_some() {
            limits::check_xlsx(bytes)?;
            return xlsx_text(bytes);
        }
        limits::check_ods(bytes)?;
    } else {
        limits::check_xls(bytes)?;
    }
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("Die Arbeitsmappe hat kein Tabellenblatt.")?
        .map_err(|e| format!("Das erste Tabellenblatt konnte nicht gelesen werden ({e})."))?;
    let (height, width) = range.get_size();
    limits::check_cell(
        height.saturating_sub(1) as u32,
        width.saturating_sub(1) as u32,
    )?;
    let mut out = String::new();
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(cell_text).map(|t| quote(&t)).collect();
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    Ok(out)
}

/// Most cells with a value an `.xlsx` sheet may have (20,000 rows of the
/// import's 16 columns fit many times).
const MAX_CELLS: usize = 2_000_000;

/// `.xlsx`, cell by cell: a cell beyond the limits refuses the file before
/// any grid is built; the text covers the used cells only, from the first
/// used row and column on (as the grid would).
fn xlsx_text(bytes: &[u8]) -> Result<String, String> {
    use std::collections::BTreeMap;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or("Die Arbeitsmappe hat kein Tabellenblatt.")?;
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("Das erste Tabellenblatt konnte nicht gelesen werden ({e})."))?;
    let mut cells: BTreeMap<(u32, u32), String> = BTreeMap::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| format!("Das erste Tabellenblatt konnte nicht gelesen werden ({e})."))?
    {
        let value: Data = cell.get_value().clone().into();
        if matches!(value, Data::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        limits::check_cell(row, col)?;
        cells.insert((row, col), cell_text(&value));
        if cells.len() > MAX_CELLS {
            return Err("Die Tabelle hat mehr als 2.000.000 gefüllte Zellen. Bitte nur die benötigten Zeilen speichern.".into());
        }
    }
    let Some(top) = cells.keys().map(|(r, _)| *r).min() else {
        return Ok(String::new());
    };
    let left = cells.keys().map(|(_, c)| *c).min().unwrap_or(0);
    let right = cells.keys().map(|(_, c)| *c).max().unwrap_or(0);
    let bottom = cells.keys().map(|(r, _)| *r).max().unwrap_or(top);
    let mut out = String::new();
    for row in top..=bottom {
        let line: Vec<String> = (left..=right)
            .map(|col| cells.get(&(row, col)).map(|t| quote(t)).unwrap_or_default())
            .collect();
        out.push_str(&line.join(";"));
        out.push('\n');
    }
    Ok(out)
}

fn quote(v: &str) -> String {
    if v.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// `12,5` for 12.5: the shortest round-trip text, with a German decimal comma.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}").replace('.', ",")
    }
}

/// `h:mm` of a number of minutes.
fn clock(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(b) => if *b { "ja" } else { "nein" }.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::DateTime(dt) => {
            let value = dt.as_f64();
            if dt.is_duration() || (0.0..1.0).contains(&value) {
                // A time of day or a duration: fractions of a day, to the minute.
                let minutes = (value * 24.0 * 60.0).round() as i64;
                return clock(minutes);
            }
            match dt.as_datetime() {
                Some(d) if d.time().num_seconds_from_midnight() == 0 || value >= 1.0 => {
                    d.format("%d.%m.%Y").to_string()
                }
                _ => number_text(value),
            }
        }
        Data::DateTimeIso(s) => iso_text(s),
        Data::DurationIso(s) => iso_duration_text(s).unwrap_or_else(|| s.clone()),
    }
}

/// ODS stores dates as `2025-01-31` or `2025-01-31T07:30:00`, times as `PT07H30M00S`.
fn iso_text(s: &str) -> String {
    match s.split_once('T') {
        Some((date, _)) if !date.is_empty() => date.to_string(),
        Some(("", time)) => time.get(..5).unwrap_or(time).to_string(),
        _ => s.to_string(),
    }
}

/// `PT7H30M0S` → `7:30`.
fn iso_duration_text(s: &str) -> Option<String> {
    let rest = s.strip_prefix("PT")?;
    let (h, rest) = rest.split_once('H').unwrap_or(("0", rest));
    let (m, _) = rest.split_once('M').unwrap_or(("0", rest));
    let h: i64 = h.parse().ok()?;
    let m: f64 = m.parse().ok()?;
    Some(clock(h * 60 + m.round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_the_text_our_rules_read() {
        assert_eq!(number_text(12.5), "12,5");
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(0.1 + 0.2), "0,30000000000000004");
        assert_eq!(number_text(49.9), "49,9");
        assert_eq!(clock(450), "7:30");
        assert_eq!(clock(1500), "25:00");
        assert_eq!(iso_text("2025-03-12"), "2025-03-12");
        assert_eq!(iso_text("2025-03-12T07:30:00"), "2025-03-12");
        assert_eq!(iso_duration_text("PT07H30M00S").as_deref(), Some("7:30"));
        assert_eq!(iso_duration_text("PT1H05M0S").as_deref(), Some("1:05"));
        assert_eq!(quote("a;b"), "\"a;b\"");
        assert!(looks_like_spreadsheet(b"PK\x03\x04rest"));
        assert!(!looks_like_spreadsheet(b"Typ;Projekt"));
    }
}
