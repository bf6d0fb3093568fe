//! CSV-Import von Zeiten und Leistungen (Projekte › Importieren) —
//! CSV import of work times and services.
//!
//! [`parse_csv`] turns the bytes of a file into a preview ([`CsvFile`]): one
//! [`CsvRow`] per data record, each either a parsed time/service or a German
//! reason why not. Nothing is stored here; project references are resolved by the
//! caller. Windows-1252 is decoded by `encoding_rs`. The record reader stays our
//! own (RFC 4180 plus Excel's habits): it keeps exact physical line numbers for
//! every message, reads `a; "b;c"` (a quote after blanks) as Excel does, and tells
//! an unterminated quote apart from a line break inside quotes, which the `csv`
//! crate reads without an error (BurntSushi/rust-csv issues 252 and 289): one stray
//! quote would swallow the rest of the file into one cell. Files of other tools reach it through
//! `projekte::columns` (Spaltenzuordnung).
//!
//! # Dateiformat (Deutsch)
//!
//! - **Kodierung**: UTF-8 mit oder ohne BOM. Ist die Datei kein gültiges UTF-8, wird
//!   sie als Windows-1252 gelesen (Excel „CSV (Trennzeichen-getrennt)“), Umlaute
//!   und € inklusive. UTF-16 („Unicode-Text“) wird mit einem Hinweis abgelehnt.
//!   Tabellen (.xlsx, .ods, .xls) liest `projekte::spreadsheet` vorher in diese
//!   Form um (Werte wie gespeichert: Datum, Uhrzeit, Zahl).
//! - **Trennzeichen**: `;` oder `,`, erkannt an der Kopfzeile (das Zeichen, das sie in
//!   bekannte Spaltennamen zerlegt). Eine Excel-Zeile `sep=;` am Anfang wird beachtet.
//! - **Felder** dürfen in `"` stehen; `""` ist ein Anführungszeichen; in
//!   Anführungszeichen dürfen Trennzeichen und Zeilenumbrüche stehen. Zeilenenden
//!   CRLF, LF oder CR. Leere Zeilen (auch `;;;;`) werden übersprungen, überzählige
//!   leere Spalten am Zeilenende sind erlaubt.
//! - **Spalten** nach Namen (Groß-/Kleinschreibung, Leerzeichen, Punkte, Binde- und
//!   Schrägstriche egal; Reihenfolge beliebig; unbekannte Spalten werden ignoriert):
//!
//!   | Spalte | auch | Inhalt |
//!   |---|---|---|
//!   | Typ | Art | `Zeit`/`Zeiten`/`Arbeitszeit` oder `Leistung`/`Leistungen`/`Material`; fehlt er, wird er erkannt: Bezeichnung + Menge + Einzelpreis → Leistung, Von/Bis oder Dauer → Zeit |
//!   | **Projekt** (Pflicht) | Projektnummer, Projektname | Nummer oder Name |
//!   | Unterprojekt | Teilprojekt | Nummer oder Name |
//!   | **Datum** (Pflicht) | Tag | `31.01.2025`, `1.2.25`, `2025-01-31` |
//!   | Mitarbeiter | Mitarbeiterin, Mitarbeiter/in | Text |
//!   | Von | Beginn, Start | `8:00`, `8.00`, `0800` |
//!   | Bis | Ende | wie Von; nicht über Mitternacht |
//!   | Pause | | Minuten (`30`) oder `0:30`, `0,5 h` |
//!   | Dauer | Stunden; `Minuten` | Stunden (`1,5`, `1:30`, `90 min`); `Dauer (min)` / `Minuten` = Zahlen sind Minuten |
//!   | Beschreibung | Tätigkeit | Text, Zeilenumbrüche erlaubt, ≤ 2.000 Zeichen |
//!   | Bezeichnung | Leistung, Artikel | Text, ≤ 255 Zeichen (Leistungen: Pflicht) |
//!   | Menge | Anzahl | > 0, ≤ 4 Nachkommastellen (Leistungen: Pflicht) |
//!   | Einheit | | Text, Standard `Stück` |
//!   | Einzelpreis | Preis, Preis netto | netto, ≥ 0, ≤ 4 Nachkommastellen (Leistungen: Pflicht) |
//!   | Steuersatz | MwSt, USt | 19, 7 oder 0 (auch `19 %`), Standard 19 |
//!   | Abrechenbar | | ja/nein, j/n, x, 1/0, wahr/falsch; Standard ja |
//!
//! - **Zeiten**: Von + Bis (abzüglich Pause) oder Dauer. Sind alle drei angegeben,
//!   müssen sie auf ±1 Minute übereinstimmen. Von + Dauer (ohne Bis) ergibt das Ende,
//!   Bis + Dauer den Beginn. Dauer > 0 und ≤ 24 Stunden; Dezimalstunden werden auf
//!   ganze Minuten gerundet (kaufmännisch).
//! - **Zahlen** deutsch: `1.250,50`, `12,5`; `12.5` geht auch. Bei `,` als
//!   Trennzeichen müssen Zahlen mit Komma in Anführungszeichen stehen (`"12,5"`).
//! - **Grenzen**: höchstens 20.000 Datenzeilen und 32 MB; ein Feld höchstens 2.000
//!   Zeichen; Steuerzeichen in Textfeldern werden abgelehnt (außer Zeilenumbrüchen in
//!   der Beschreibung). Menge unter 1.000.000, Einzelpreis unter 100.000.000.
//! - Fehlerhafte Zeilen werden mit Grund angezeigt („Spalte „Datum“: Ungültiges
//!   Datum „31.02.2025“. …“); die übrigen Zeilen lassen sich trotzdem importieren.
//!
//! # File format (English)
//!
//! - **Encoding**: UTF-8 with or without BOM; a file that is not valid UTF-8 is read
//!   as Windows-1252 (Excel's plain "CSV"). UTF-16 and Excel workbooks are refused
//!   with a hint.
//! - **Separator** `;` or `,`, detected from the header line (the one that splits it
//!   into known column names); an Excel `sep=;` first line is honoured.
//! - **Fields** may be quoted with `"`, `""` escapes a quote, quoted fields may hold
//!   separators and line breaks; CRLF, LF or CR line ends; blank lines (also `;;;;`)
//!   are skipped; trailing empty columns are fine.
//! - **Columns** by header name, case-/space-/punctuation-insensitive, any order,
//!   synonyms as in the table above, unknown columns ignored. Required: Projekt,
//!   Datum. Without a Typ column (or with an empty cell) the type is inferred per
//!   row: Bezeichnung + Menge + Einzelpreis → service; Von/Bis or Dauer → time.
//! - **Times**: Von + Bis (minus Pause) or Dauer; if all are given they must agree
//!   within ±1 minute. A bare number in Dauer is hours, in Pause minutes; a header
//!   unit such as `Dauer (min)` or a column named `Minuten` switches to minutes.
//! - **Services**: Bezeichnung required (≤ 255 chars, lexoffice's line-item limit),
//!   Menge > 0, Einzelpreis ≥ 0, both ≤ 4 decimals; Einheit defaults to `Stück`,
//!   Steuersatz to 19 (only 19/7/0).
//! - **Limits**: 20,000 data rows and 32 MB per file, 2,000 chars per field, no
//!   control characters in text fields (line breaks only in Beschreibung).
//! - **Fingerprint**: FNV-1a 64 over the normalised content of the row (parsed
//!   values, so `1,5` and `1:30` or `19` and `19 %` are the same row; the line number
//!   and column order do not count). Rows with errors hash their raw cells. The
//!   algorithm is stored in the database and must never change (pinned by a test).
//!   Two identical rows in one file get the same fingerprint.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::Serialize;

use super::entry_rules::{
    DEFAULT_TAX_RATE, DEFAULT_UNIT, DESCRIPTION_CHARS, EMPLOYEE_CHARS, QUANTITY_LIMIT,
    SERVICE_NAME_CHARS, UNIT_CHARS, UNIT_PRICE_LIMIT,
};
use super::parse::{self, show, PlainUnit};
use crate::money::{parse_de, DecimalError};

/// Most data rows a file may have.
pub const MAX_ROWS: usize = 20_000;
/// Longest field, in characters (lexoffice's line-item description limit).
pub const MAX_FIELD_CHARS: usize = 2_000;
/// Largest file accepted.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct CsvFile {
    pub rows: Vec<CsvRow>,
    pub delimiter: char,
    /// `"UTF-8"`, `"UTF-8 (BOM)"` or `"Windows-1252"`.
    pub encoding: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// 1-based physical line in the file where the record starts.
    pub line: usize,
    /// The row, or a German reason naming the column and value (without the line number).
    pub result: Result<ParsedRow, String>,
    /// Stable FNV-1a 64 hash of the normalised row, for idempotent re-import.
    /// Note for JSON: above 2^53, send it to JavaScript as a string.
    pub fingerprint: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum ParsedRow {
    Time(TimeRow),
    Service(ServiceRow),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeRow {
    pub project: String,
    pub subproject: Option<String>,
    pub date: NaiveDate,
    /// May be empty (single-person offices).
    pub employee: String,
    /// Both or neither of `start`/`end` are set.
    pub start: Option<NaiveTime>,
    pub end: Option<NaiveTime>,
    pub break_minutes: u32,
    /// Working minutes (break already deducted), 1…1440.
    pub minutes: u32,
    pub description: String,
    pub billable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRow {
    pub project: String,
    pub subproject: Option<String>,
    pub date: NaiveDate,
    pub name: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit: String,
    /// Net.
    pub unit_price: Decimal,
    /// 19, 7 or 0.
    pub tax_rate: Decimal,
    pub billable: bool,
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("Die Datei ist leer.".into());
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "Die Datei ist zu groß ({} MB). Höchstens 32 MB sind möglich; bitte in mehrere Dateien aufteilen.",
            bytes.len() / (1024 * 1024)
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("Das ist eine Excel-Arbeitsmappe, keine CSV-Datei. Bitte in Excel „Speichern unter“ › „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen.".into());
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            "Die Datei ist UTF-16-kodiert („Unicode-Text“). Bitte als „CSV UTF-8“ speichern."
                .into(),
        );
    }
    if bytes.contains(&0) {
        return Err("Die Datei enthält Binärdaten und ist keine CSV-Datei.".into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_string(), "UTF-8 (BOM)")),
            Err(e) => Err(format!(
                "Die Datei ist als UTF-8 gekennzeichnet, enthält aber ungültige Zeichen (ab Byte {}). Bitte erneut als „CSV UTF-8“ speichern.",
                e.valid_up_to() + 4
            )),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), "UTF-8")),
        // Windows-1252 as browsers read it (WHATWG): the five undefined bytes
        // become C1 controls, which the text fields then refuse.
        Err(_) => Ok((
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            "Windows-1252",
        )),
    }
}

// ---------------------------------------------------------------------------
// RFC 4180 reader (lenient like Excel)
// ---------------------------------------------------------------------------

struct Record {
    line: usize,
    fields: Vec<String>,
    /// Index of a field whose opening quote is never closed.
    unterminated: Option<usize>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.unterminated.is_none() && self.fields.iter().all(|f| f.trim().is_empty())
    }
}

#[derive(Clone)]
struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    delim: char,
}

#[derive(PartialEq)]
enum St {
    Start,
    Plain,
    Quoted,
    AfterQuote,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, delim: char, line: usize) -> Self {
        Reader {
            chars: text.chars().peekable(),
            line,
            delim,
        }
    }

    /// Consumes a line end (CRLF, LF or lone CR) starting with `c`.
    fn newline(&mut self, c: char) -> bool {
        match c {
            '\n' => {}
            '\r' => {
                if self.chars.peek() == Some(&'\n') {
                    self.chars.next();
                }
            }
            _ => return false,
        }
        self.line += 1;
        true
    }

    fn next_record(&mut self) -> Option<Record> {
        self.chars.peek()?;
        let line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut st = St::Start;
        loop {
            let Some(c) = self.chars.next() else {
                let unterminated = (st == St::Quoted).then_some(fields.len());
                fields.push(field);
                return Some(Record {
                    line,
                    fields,
                    unterminated,
                });
            };
            if st == St::Quoted {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        self.chars.next();
                        field.push('"');
                    } else {
                        st = St::AfterQuote;
                    }
                } else if self.newline(c) {
                    field.push('\n');
                } else {
                    field.push(c);
                }
                continue;
            }
            if c == self.delim {
                fields.push(std::mem::take(&mut field));
                st = St::Start;
            } else if self.newline(c) {
                fields.push(field);
                return Some(Record {
                    line,
                    fields,
                    unterminated: None,
                });
            } else if c == '"' && st != St::AfterQuote && field.trim().is_empty() {
                // `"…"`, also after blanks (`a, "b,c"`).
                field.clear();
                st = St::Quoted;
            } else if st == St::AfterQuote && c.is_whitespace() {
                // blanks between closing quote and separator
            } else {
                // Excel keeps stray text after a closing quote and quotes inside a
                // plain field (`12" Zoll`) as they are.
                field.push(c);
                if st == St::Start {
                    st = St::Plain;
                }
            }
        }
    }

    fn next_nonblank(&mut self) -> Option<Record> {
        loop {
            let rec = self.next_record()?;
            if !rec.is_blank() {
                return Some(rec);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Typ,
    Projekt,
    Unterprojekt,
    Datum,
    Mitarbeiter,
    Von,
    Bis,
    Pause,
    Dauer,
    Beschreibung,
    Bezeichnung,
    Menge,
    Einheit,
    Einzelpreis,
    Steuersatz,
    Abrechenbar,
}

const ALL_COLS: [Col; 16] = [
    Col::Typ,
    Col::Projekt,
    Col::Unterprojekt,
    Col::Datum,
    Col::Mitarbeiter,
    Col::Von,
    Col::Bis,
    Col::Pause,
    Col::Dauer,
    Col::Beschreibung,
    Col::Bezeichnung,
    Col::Menge,
    Col::Einheit,
    Col::Einzelpreis,
    Col::Steuersatz,
    Col::Abrechenbar,
];

impl Col {
    /// The documented name, used in messages when the file lacks the column.
    fn canonical(self) -> &'static str {
        match self {
            Col::Typ => "Typ",
            Col::Projekt => "Projekt",
            Col::Unterprojekt => "Unterprojekt",
            Col::Datum => "Datum",
            Col::Mitarbeiter => "Mitarbeiter",
            Col::Von => "Von",
            Col::Bis => "Bis",
            Col::Pause => "Pause",
            Col::Dauer => "Dauer",
            Col::Beschreibung => "Beschreibung",
            Col::Bezeichnung => "Bezeichnung",
            Col::Menge => "Menge",
            Col::Einheit => "Einheit",
            Col::Einzelpreis => "Einzelpreis",
            Col::Steuersatz => "Steuersatz",
            Col::Abrechenbar => "Abrechenbar",
        }
    }
}

/// Header text → column (and the unit of bare numbers it implies).
fn header_column(raw: &str) -> Option<(Col, Option<PlainUnit>)> {
    let t = raw.trim().trim_matches('\u{feff}').trim().to_lowercase();
    // "Dauer (min)", "Einzelpreis [€]": a bracketed suffix may name a unit.
    let (base, bracket) = match t.rfind(['(', '[']) {
        Some(i) if t.ends_with([')', ']']) && i > 0 => (&t[..i], Some(&t[i + 1..t.len() - 1])),
        _ => (t.as_str(), None),
    };
    let compact = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let key = compact(base);
    let bracket_unit = bracket.and_then(|b| match compact(b).as_str() {
        "h" | "std" | "stunde" | "stunden" => Some(PlainUnit::Hours),
        "m" | "min" | "minute" | "minuten" => Some(PlainUnit::Minutes),
        _ => None,
    });
    use PlainUnit::{Hours, Minutes};
    let (col, unit) = match key.as_str() {
        "typ" | "art" | "eintragsart" => (Col::Typ, None),
        "projekt" | "projektnummer" | "projektnr" | "projektname" => (Col::Projekt, None),
        "unterprojekt" | "unterprojektnummer" | "unterprojektnr" | "teilprojekt" => {
            (Col::Unterprojekt, None)
        }
        "datum" | "tag" => (Col::Datum, None),
        "mitarbeiter" | "mitarbeiterin" | "mitarbeitende" => (Col::Mitarbeiter, None),
        "von" | "beginn" | "start" | "startzeit" | "anfang" => (Col::Von, None),
        "bis" | "ende" | "endzeit" => (Col::Bis, None),
        "pause" | "pausen" => (Col::Pause, None),
        "pauseinminuten" | "pausemin" => (Col::Pause, Some(Minutes)),
        "dauer" => (Col::Dauer, None),
        "stunden" | "std" | "dauerinstunden" | "dauerh" => (Col::Dauer, Some(Hours)),
        "minuten" | "dauerinminuten" | "dauermin" => (Col::Dauer, Some(Minutes)),
        "beschreibung" | "tätigkeit" | "taetigkeit" => (Col::Beschreibung, None),
        "bezeichnung" | "leistung" | "artikel" | "leistungsbezeichnung" | "artikelbezeichnung" => {
            (Col::Bezeichnung, None)
        }
        "menge" | "anzahl" => (Col::Menge, None),
        "einheit" => (Col::Einheit, None),
        "einzelpreis" | "preis" | "preisnetto" | "einzelpreisnetto" | "nettopreis"
        | "nettoeinzelpreis" => (Col::Einzelpreis, None),
        "steuersatz" | "mwst" | "ust" | "mwstsatz" | "ustsatz" | "mehrwertsteuer"
        | "umsatzsteuer" | "steuer" => (Col::Steuersatz, None),
        "abrechenbar" | "abrechnen" | "fakturierbar" | "verrechenbar" => (Col::Abrechenbar, None),
        _ => return None,
    };
    Some((col, bracket_unit.or(unit)))
}

struct ColInfo {
    idx: usize,
    name: String,
    unit: Option<PlainUnit>,
}

struct Header {
    cols: Vec<Option<ColInfo>>,
    width: usize,
    names: Vec<String>,
}

impl Header {
    fn info(&self, c: Col) -> Option<&ColInfo> {
        self.cols[c as usize].as_ref()
    }

    /// The column's name as written in the file, or the documented one.
    fn name(&self, c: Col) -> String {
        self.info(c)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| c.canonical().to_string())
    }

    fn unit(&self, c: Col, default: PlainUnit) -> PlainUnit {
        self.info(c).and_then(|i| i.unit).unwrap_or(default)
    }

    /// Name of the column at `idx` for messages.
    fn name_at(&self, idx: usize) -> String {
        match self
            .names
            .get(idx)
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
        {
            Some(n) => format!("„{}“", show(n)),
            None => format!("{} (ohne Überschrift)", idx + 1),
        }
    }
}

fn known_columns(fields: &[String]) -> usize {
    fields.iter().filter(|f| header_column(f).is_some()).count()
}

fn build_header(fields: &[String]) -> Result<Header, String> {
    let mut cols: Vec<Option<ColInfo>> = ALL_COLS.iter().map(|_| None).collect();
    for (idx, raw) in fields.iter().enumerate() {
        let Some((col, unit)) = header_column(raw) else {
            continue;
        };
        let name = raw.trim().trim_matches('\u{feff}').trim().to_string();
        if let Some(prev) = &cols[col as usize] {
            return Err(format!(
                "Die Spalten „{}“ und „{}“ bedeuten dasselbe ({}). Bitte nur eine davon verwenden.",
                show(&prev.name),
                show(&name),
                col.canonical()
            ));
        }
        cols[col as usize] = Some(ColInfo { idx, name, unit });
    }
    let missing: Vec<&str> = [Col::Projekt, Col::Datum]
        .into_iter()
        .filter(|c| cols[*c as usize].is_none())
        .map(Col::canonical)
        .collect();
    if !missing.is_empty() {
        let found: Vec<String> = fields
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
            .map(|f| format!("„{}“", show(f)))
            .collect();
        let what = if missing.len() == 1 {
            format!("Pflichtspalte „{}“ fehlt", missing[0])
        } else {
            format!(
                "Pflichtspalten „{}“ und „{}“ fehlen",
                missing[0], missing[1]
            )
        };
        return Err(format!("{what}. Gefundene Spalten: {}.", found.join(", ")));
    }
    Ok(Header {
        cols,
        width: fields.len(),
        names: fields.to_vec(),
    })
}

/// The text of a file's bytes (UTF-8, with or without BOM, else Windows-1252)
/// and the encoding's name, with the same refusals as [`parse_csv`].
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), String> {
    decode(bytes)
}

/// Every non-blank record of `text` split at `delim`, with the physical line it
/// starts on (the first line of `text` is `first_line`). For the Spaltenzuordnung.
pub fn raw_records(text: &str, delim: char, first_line: usize) -> Vec<(usize, Vec<String>)> {
    let mut r = Reader::new(text, delim, first_line);
    let mut out = Vec::new();
    while let Some(rec) = r.next_nonblank() {
        out.push((rec.line, rec.fields));
        if out.len() > MAX_ROWS + 1 {
            break;
        }
    }
    out
}

/// Whether these header fields are ours (Projekt and Datum found, no column twice).
pub fn is_own_header(fields: &[String]) -> bool {
    build_header(fields).is_ok()
}

/// The Spaltenzuordnung's key (`columns::TARGETS`) of one of our column names
/// or their synonyms.
pub fn column_key(header: &str) -> Option<&'static str> {
    let (col, unit) = header_column(header)?;
    Some(match col {
        Col::Typ => "typ",
        Col::Projekt => "projekt",
        Col::Unterprojekt => "unterprojekt",
        Col::Datum => "datum",
        Col::Mitarbeiter => "mitarbeiter",
        Col::Von => "von",
        Col::Bis => "bis",
        Col::Pause => "pause",
        Col::Dauer if unit == Some(PlainUnit::Minutes) => "dauerMin",
        Col::Dauer => "dauer",
        Col::Beschreibung => "beschreibung",
        Col::Bezeichnung => "bezeichnung",
        Col::Menge => "menge",
        Col::Einheit => "einheit",
        Col::Einzelpreis => "einzelpreis",
        Col::Steuersatz => "steuersatz",
        Col::Abrechenbar => "abrechenbar",
    })
}

/// Finds the separator and the header; returns a reader positioned after it.
fn find_header(text: &str) -> Result<(char, Header, Reader<'_>), String> {
    // Excel's `sep=;` line fixes the separator.
    let first_line_end = text.find(['\r', '\n']).unwrap_or(text.len());
    let first = text[..first_line_end].trim().to_lowercase();
    let forced = match first.strip_prefix("sep=") {
        Some(";") => Some(';'),
        Some(",") => Some(','),
        Some("") => None,
        Some(other) => {
            return Err(format!(
            "Nicht unterstütztes Trennzeichen „{}“ in der Zeile „sep=…“. Erlaubt sind „;“ und „,“.",
            show(other)
        ))
        }
        None => None,
    };
    let (rest, start_line) = if first.starts_with("sep=") {
        // Skip exactly the first physical line.
        let mut pos = first_line_end;
        if text[pos..].starts_with("\r\n") {
            pos += 2;
        } else if pos < text.len() {
            pos += 1;
        }
        (&text[pos..], 2)
    } else {
        (text, 1)
    };

    let try_delim = |d: char| {
        let mut r = Reader::new(rest, d, start_line);
        let header = r.next_nonblank();
        (r, header)
    };

    let no_header = |fields: Option<&[String]>| {
        let first = fields
            .map(|f| f.iter().map(|s| s.trim()).collect::<Vec<_>>().join(";"))
            .unwrap_or_default();
        format!(
            "Keine Kopfzeile gefunden: Die erste Zeile muss die Spaltennamen enthalten, mindestens „Projekt“ und „Datum“ (gefunden: „{}“).",
            show(&first)
        )
    };

    let (delim, reader, header) = if let Some(d) = forced {
        let (r, h) = try_delim(d);
        (d, r, h)
    } else {
        let (rs, hs) = try_delim(';');
        let (rc, hc) = try_delim(',');
        let ks = hs.as_ref().map(|h| known_columns(&h.fields)).unwrap_or(0);
        let kc = hc.as_ref().map(|h| known_columns(&h.fields)).unwrap_or(0);
        if ks == 0 && kc == 0 {
            return Err(no_header(hs.as_ref().map(|h| h.fields.as_slice())));
        }
        if ks > kc {
            (';', rs, hs)
        } else if kc > ks {
            (',', rc, hc)
        } else {
            // Same number of known columns: fine if only one of them splits at all.
            let has_semi = hs.as_ref().is_some_and(|h| h.fields.len() > 1);
            let has_comma = hc.as_ref().is_some_and(|h| h.fields.len() > 1);
            match (has_semi, has_comma) {
                (true, true) => {
                    return Err("Das Trennzeichen ist nicht eindeutig: Die Kopfzeile lässt sich mit „;“ und mit „,“ in bekannte Spalten zerlegen. Bitte nur eines von beiden verwenden.".into())
                }
                (false, true) => (',', rc, hc),
                _ => (';', rs, hs),
            }
        }
    };
    let Some(header) = header else {
        return Err("Die Datei ist leer.".into());
    };
    if header.unterminated.is_some() {
        return Err("Die Kopfzeile enthält ein nicht geschlossenes Anführungszeichen.".into());
    }
    let header = build_header(&header.fields)?;
    // `reader` already stands after the header.
    Ok((delim, header, reader))
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

struct Row<'a> {
    h: &'a Header,
    fields: &'a [String],
    errors: Vec<String>,
}

impl<'a> Row<'a> {
    /// Trimmed, non-empty cell of column `c`.
    fn raw(&self, c: Col) -> Option<&'a str> {
        let info = self.h.info(c)?;
        let fields: &'a [String] = self.fields;
        fields
            .get(info.idx)
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
    }

    fn has(&self, c: Col) -> bool {
        self.raw(c).is_some()
    }

    fn err(&mut self, c: Col, msg: impl AsRef<str>) {
        let name = self.h.name(c);
        self.errors
            .push(format!("Spalte „{}“: {}", show(&name), msg.as_ref()));
    }

    /// Parses a non-empty cell; None when empty or invalid (then an error is recorded).
    fn parsed<T>(&mut self, c: Col, f: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let v = self.raw(c)?;
        match f(v) {
            Ok(x) => Some(x),
            Err(e) => {
                self.err(c, e);
                None
            }
        }
    }

    /// A text cell: no control characters (line breaks only if `multiline`), at most
    /// `max` characters. Empty → `Some("")`; invalid → None plus an error.
    fn text(&mut self, c: Col, multiline: bool, max: usize) -> Option<String> {
        let Some(v) = self.raw(c) else {
            return Some(String::new());
        };
        let count = v.chars().count();
        if count > max {
            self.err(
                c,
                format!(
                    "Der Text „{}“ ist zu lang ({} Zeichen, höchstens {}).",
                    show(v),
                    count,
                    max
                ),
            );
            return None;
        }
        if let Some(bad) = v
            .chars()
            .find(|ch| ch.is_control() && !(multiline && *ch == '\n'))
        {
            let msg = if bad == '\n' {
                format!(
                    "Der Text „{}“ enthält einen Zeilenumbruch; hier ist nur eine Zeile erlaubt.",
                    show(v)
                )
            } else {
                format!(
                    "Der Text „{}“ enthält ein unzulässiges Steuerzeichen (U+{:04X}).",
                    show(v),
                    u32::from(bad)
                )
            };
            self.err(c, msg);
            return None;
        }
        Some(v.to_string())
    }

    /// A required text cell.
    fn required_text(&mut self, c: Col, what: &str, multiline: bool, max: usize) -> Option<String> {
        let t = self.text(c, multiline, max)?;
        if t.is_empty() {
            if self.h.info(c).is_some() {
                self.err(c, format!("Bitte {what} angeben."));
            } else {
                self.err(c, format!("Die Spalte fehlt; {what} ist hier Pflicht."));
            }
            return None;
        }
        Some(t)
    }

    /// A decimal with at most 4 places, ≥ 0 and below `limit`.
    fn decimal(&mut self, c: Col, noun: &str, negative: &str, limit: i64) -> Option<Decimal> {
        let Some(v) = self.raw(c) else {
            if self.h.info(c).is_some() {
                self.err(c, format!("Bitte {noun} angeben."));
            } else {
                self.err(
                    c,
                    format!("Die Spalte fehlt; {noun} ist für Leistungen Pflicht."),
                );
            }
            return None;
        };
        match parse_de(v, 4) {
            Ok(d) if d >= Decimal::from(limit) => {
                self.err(
                    c,
                    format!(
                        "Der Wert „{}“ ist zu groß (höchstens {}).",
                        show(v),
                        crate::format::format_de(Decimal::from(limit) - Decimal::new(1, 4), 0)
                    ),
                );
                None
            }
            Ok(d) => Some(d),
            Err(DecimalError::Negative) => {
                self.err(c, format!("{negative} „{}“ ist nicht erlaubt.", show(v)));
                None
            }
            Err(e) => {
                self.err(c, format!("Ungültiger Wert „{}“. {e}", show(v)));
                None
            }
        }
    }

    fn common(&mut self) -> Option<(String, Option<String>, NaiveDate, String, bool)> {
        let project = self.required_text(
            Col::Projekt,
            "ein Projekt (Nummer oder Name)",
            false,
            MAX_FIELD_CHARS,
        );
        let sub = self.text(Col::Unterprojekt, false, MAX_FIELD_CHARS);
        let date = match self.raw(Col::Datum) {
            None => {
                self.err(Col::Datum, "Bitte ein Datum angeben (TT.MM.JJJJ).");
                None
            }
            Some(_) => self.parsed(Col::Datum, parse::parse_date),
        };
        let description = self.text(Col::Beschreibung, true, DESCRIPTION_CHARS);
        let billable = match self.raw(Col::Abrechenbar) {
            None => Some(true),
            Some(_) => self.parsed(Col::Abrechenbar, |v| parse::parse_bool_de(v, true)),
        };
        let subproject = sub?;
        let subproject = if subproject.is_empty() {
            None
        } else {
            Some(subproject)
        };
        Some((project?, subproject, date?, description?, billable?))
    }

    fn time(&mut self) -> Option<TimeRow> {
        let common = self.common();
        let employee = self.text(Col::Mitarbeiter, false, EMPLOYEE_CHARS);
        let n_err = self.errors.len();
        let start = self.parsed(Col::Von, parse::parse_clock);
        let end = self.parsed(Col::Bis, parse::parse_clock);
        let brk_unit = self.h.unit(Col::Pause, PlainUnit::Minutes);
        let brk = self.parsed(Col::Pause, |v| parse::parse_break_in(v, brk_unit));
        let dur_unit = self.h.unit(Col::Dauer, PlainUnit::Hours);
        let dur = self.parsed(Col::Dauer, |v| parse::parse_duration_in(v, dur_unit));
        if self.errors.len() > n_err {
            return None;
        }
        let brk = brk.unwrap_or(0);
        let (von, bis, pause, dauer) = (
            self.h.name(Col::Von),
            self.h.name(Col::Bis),
            self.h.name(Col::Pause),
            self.h.name(Col::Dauer),
        );
        let at = |m: u32| NaiveTime::from_num_seconds_from_midnight_opt(m * 60, 0);
        let clock = |t: NaiveTime| parse::format_clock(t);
        let (start, end, minutes) = match (start, end, dur) {
            (Some(s), Some(e), dur) => {
                let computed = match parse::minutes_between(s, e, brk) {
                    Ok(m) => m,
                    Err(msg) => {
                        if e > s {
                            self.err(Col::Pause, msg);
                        } else {
                            self.errors.push(format!(
                                "Spalten „{}“/„{}“: {msg}",
                                show(&von),
                                show(&bis)
                            ));
                        }
                        return None;
                    }
                };
                if let Some(d) = dur {
                    if computed.abs_diff(d) > 1 {
                        let raw = self.raw(Col::Dauer).unwrap_or_default();
                        let shown = if raw == crate::format::minutes(u64::from(d)) {
                            format!("„{raw}“")
                        } else {
                            format!("„{}“ ({})", show(raw), crate::format::minutes(u64::from(d)))
                        };
                        self.err(
                            Col::Dauer,
                            format!(
                                "{shown} passt nicht zu „{von}“ {} bis „{bis}“ {}{} (= {}).",
                                clock(s),
                                clock(e),
                                if brk > 0 {
                                    format!(" abzüglich „{pause}“ {brk} Min.")
                                } else {
                                    String::new()
                                },
                                crate::format::minutes(u64::from(computed))
                            ),
                        );
                        return None;
                    }
                }
                (Some(s), Some(e), computed)
            }
            (Some(s), None, Some(d)) => {
                let total = parse::minutes_of_day(s) + brk + d;
                match at(total).filter(|_| total < parse::DAY_MINUTES) {
                    Some(e) => (Some(s), Some(e), d),
                    None => {
                        self.err(
                            Col::Dauer,
                            format!(
                                "Beginn {} plus Dauer {}{} endet nach Mitternacht. Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen.",
                                clock(s),
                                crate::format::minutes(u64::from(d)),
                                pause_text(brk)
                            ),
                        );
                        return None;
                    }
                }
            }
            (None, Some(e), Some(d)) => {
                match parse::minutes_of_day(e).checked_sub(brk + d).and_then(at) {
                    Some(s) => (Some(s), Some(e), d),
                    None => {
                        self.err(
                            Col::Dauer,
                            format!(
                                "Ende {} minus Dauer {}{} beginnt vor Mitternacht. Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen.",
                                clock(e),
                                crate::format::minutes(u64::from(d)),
                                pause_text(brk)
                            ),
                        );
                        return None;
                    }
                }
            }
            (None, None, Some(d)) => (None, None, d),
            (Some(s), None, None) => {
                self.err(
                    Col::Bis,
                    format!(
                        "Bitte „{bis}“ oder „{dauer}“ angeben („{von}“ ist {}).",
                        clock(s)
                    ),
                );
                return None;
            }
            (None, Some(e), None) => {
                self.err(
                    Col::Von,
                    format!(
                        "Bitte „{von}“ oder „{dauer}“ angeben („{bis}“ ist {}).",
                        clock(e)
                    ),
                );
                return None;
            }
            (None, None, None) => {
                self.err(
                    Col::Dauer,
                    format!("Bitte „{von}“ und „{bis}“ oder eine „{dauer}“ angeben."),
                );
                return None;
            }
        };
        let (project, subproject, date, description, billable) = common?;
        Some(TimeRow {
            project,
            subproject,
            date,
            employee: employee?,
            start,
            end,
            break_minutes: brk,
            minutes,
            description,
            billable,
        })
    }

    fn service(&mut self) -> Option<ServiceRow> {
        let common = self.common();
        let name = self.required_text(
            Col::Bezeichnung,
            "eine Bezeichnung",
            false,
            SERVICE_NAME_CHARS,
        );
        let quantity = self.decimal(Col::Menge, "eine Menge", "Negative Menge", QUANTITY_LIMIT);
        let quantity = match quantity {
            Some(q) if q.is_zero() => {
                let raw = self.raw(Col::Menge).unwrap_or_default();
                self.err(
                    Col::Menge,
                    format!("Die Menge muss größer als 0 sein („{}“).", show(raw)),
                );
                None
            }
            q => q,
        };
        let unit_price = self.decimal(
            Col::Einzelpreis,
            "einen Einzelpreis",
            "Negativer Einzelpreis",
            UNIT_PRICE_LIMIT,
        );
        let unit = self.text(Col::Einheit, false, UNIT_CHARS);
        let tax_rate = match self.raw(Col::Steuersatz) {
            None => Some(Decimal::from(DEFAULT_TAX_RATE)),
            Some(_) => self.parsed(Col::Steuersatz, parse::parse_tax_rate),
        };
        let (project, subproject, date, description, billable) = common?;
        let unit = unit?;
        Some(ServiceRow {
            project,
            subproject,
            date,
            name: name?,
            description,
            quantity: quantity?.normalize(),
            unit: if unit.is_empty() {
                DEFAULT_UNIT.to_string()
            } else {
                unit
            },
            unit_price: unit_price?.normalize(),
            tax_rate: tax_rate?,
            billable,
        })
    }
}

fn pause_text(brk: u32) -> String {
    if brk > 0 {
        format!(" und Pause {brk} Min.")
    } else {
        String::new()
    }
}

enum Kind {
    Time,
    Service,
}

fn parse_record(h: &Header, rec: &Record, delim: char) -> Result<ParsedRow, String> {
    let mut row = Row {
        h,
        fields: &rec.fields,
        errors: Vec::new(),
    };

    if let Some(idx) = rec.unterminated {
        return Err(format!(
            "Spalte {}: Ein Anführungszeichen (\") wird nicht geschlossen; der Rest der Datei wurde als ein Feld gelesen.",
            h.name_at(idx)
        ));
    }
    // Values beyond the header.
    if let Some((idx, v)) = rec
        .fields
        .iter()
        .enumerate()
        .skip(h.width)
        .find(|(_, f)| !f.trim().is_empty())
    {
        let mut msg = format!(
            "Spalte {}: Zusätzlicher Wert „{}“ – die Zeile hat mehr Felder als die Kopfzeile.",
            h.name_at(idx),
            show(v.trim())
        );
        if delim == ',' {
            msg.push_str(" Bei Komma als Trennzeichen müssen Zahlen mit Komma in Anführungszeichen stehen (\"12,5\").");
        }
        return Err(msg);
    }
    // Field length, for every column we read.
    for c in ALL_COLS {
        if let Some(v) = row.raw(c) {
            let n = v.chars().count();
            if n > MAX_FIELD_CHARS {
                row.err(
                    c,
                    format!(
                        "Der Wert „{}“ ist zu lang ({n} Zeichen, höchstens {MAX_FIELD_CHARS}).",
                        show(v)
                    ),
                );
            }
        }
    }
    if !row.errors.is_empty() {
        return Err(row.errors.join(" "));
    }

    let kind = match row.raw(Col::Typ) {
        Some(v) => match v.to_lowercase().as_str() {
            "zeit" | "zeiten" | "arbeitszeit" | "projektzeit" | "auftragszeit" => Kind::Time,
            "leistung" | "leistungen" | "material" => Kind::Service,
            _ => {
                row.err(
                    Col::Typ,
                    format!(
                        "Unbekannter Typ „{}“. Erlaubt sind „Zeit“ oder „Leistung“.",
                        show(v)
                    ),
                );
                return Err(row.errors.join(" "));
            }
        },
        None => {
            if row.has(Col::Bezeichnung) && row.has(Col::Menge) && row.has(Col::Einzelpreis) {
                Kind::Service
            } else if row.has(Col::Von) || row.has(Col::Bis) || row.has(Col::Dauer) {
                Kind::Time
            } else {
                let lead = if h.info(Col::Typ).is_some() {
                    "ist leer"
                } else {
                    "fehlt"
                };
                row.err(
                    Col::Typ,
                    format!(
                        "Der Typ {lead}, und die Zeile ist weder eine Zeit („Von“/„Bis“ oder „Dauer“) noch eine Leistung („Bezeichnung“, „Menge“ und „Einzelpreis“). Bitte „Zeit“ oder „Leistung“ angeben oder die Werte ergänzen."
                    ),
                );
                return Err(row.errors.join(" "));
            }
        }
    };
    let parsed = match kind {
        Kind::Time => row.time().map(ParsedRow::Time),
        Kind::Service => row.service().map(ParsedRow::Service),
    };
    match parsed {
        Some(p) if row.errors.is_empty() => Ok(p),
        _ if row.errors.is_empty() => {
            // Every None above records an error; keep a fallback anyway.
            Err("Die Zeile konnte nicht gelesen werden.".into())
        }
        _ => Err(row.errors.join(" ")),
    }
}

// ---------------------------------------------------------------------------
// Fingerprint
// ---------------------------------------------------------------------------

/// FNV-1a 64 with length-prefixed fields. Stored in the database: never change it.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn field(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }
    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.bytes(&[1]);
                self.field(s);
            }
            None => self.bytes(&[0]),
        }
    }
}

fn fingerprint_parsed(row: &ParsedRow) -> u64 {
    let mut f = Fnv::new();
    let clock = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
    match row {
        ParsedRow::Time(t) => {
            f.field("time/1");
            f.field(&t.project);
            f.opt(t.subproject.as_deref());
            f.field(&t.date.format("%Y-%m-%d").to_string());
            f.field(&t.employee);
            f.opt(clock(t.start).as_deref());
            f.opt(clock(t.end).as_deref());
            f.field(&t.break_minutes.to_string());
            f.field(&t.minutes.to_string());
            f.field(&t.description);
            f.field(if t.billable { "1" } else { "0" });
        }
        ParsedRow::Service(s) => {
            f.field("service/1");
            f.field(&s.project);
            f.opt(s.subproject.as_deref());
            f.field(&s.date.format("%Y-%m-%d").to_string());
            f.field(&s.name);
            f.field(&s.description);
            f.field(&s.quantity.normalize().to_string());
            f.field(&s.unit);
            f.field(&s.unit_price.normalize().to_string());
            f.field(&s.tax_rate.normalize().to_string());
            f.field(if s.billable { "1" } else { "0" });
        }
    }
    f.0
}

fn fingerprint_raw(h: &Header, rec: &Record) -> u64 {
    let mut f = Fnv::new();
    f.field("invalid/1");
    for c in ALL_COLS {
        let v = h
            .info(c)
            .and_then(|i| rec.fields.get(i.idx))
            .map(|v| v.trim());
        f.opt(v);
    }
    for extra in rec.fields.iter().skip(h.width) {
        f.field(extra.trim());
    }
    f.0
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

/// Reads an import file. A file-level problem (empty, no header, missing required
/// column, ambiguous separator, too many rows, …) is an `Err` in German; problems of
/// single rows are in their [`CsvRow::result`].
pub fn parse_csv(bytes: &[u8]) -> Result<CsvFile, String> {
    let (text, encoding) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err("Die Datei ist leer.".into());
    }
    let (delimiter, header, mut reader) = find_header(&text)?;
    let mut rows = Vec::new();
    while let Some(rec) = reader.next_nonblank() {
        if rows.len() == MAX_ROWS {
            return Err(format!(
                "Die Datei hat mehr als {} Datenzeilen. Bitte in mehrere Dateien aufteilen.",
                crate::format::format_de(Decimal::from(MAX_ROWS as u64), 0)
            ));
        }
        let result = parse_record(&header, &rec, delimiter);
        let fingerprint = match &result {
            Ok(p) => fingerprint_parsed(p),
            Err(_) => fingerprint_raw(&header, &rec),
        };
        rows.push(CsvRow {
            line: rec.line,
            result,
            fingerprint,
        });
    }
    if rows.is_empty() {
        return Err("Die Datei enthält nur die Kopfzeile und keine Datenzeilen.".into());
    }
    Ok(CsvFile {
        rows,
        delimiter,
        encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    const FULL: &str = "Typ;Projekt;Unterprojekt;Datum;Mitarbeiter;Von;Bis;Pause;Dauer;Beschreibung;Bezeichnung;Menge;Einheit;Einzelpreis;Steuersatz;Abrechenbar";

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn date(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// CSV field with `"` quoting when needed.
    fn q(v: &str) -> String {
        if v.contains([';', '"', '\n', '\r']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_string()
        }
    }

    /// One data row under the FULL header, cells given by column name.
    fn full_row(cells: &[(&str, &str)]) -> String {
        let line: Vec<String> = FULL
            .split(';')
            .map(|col| {
                cells
                    .iter()
                    .find(|(c, _)| *c == col)
                    .map(|(_, v)| q(v))
                    .unwrap_or_default()
            })
            .collect();
        format!("{FULL}\n{}\n", line.join(";"))
    }

    fn one(cells: &[(&str, &str)]) -> Result<ParsedRow, String> {
        let file = parse_csv(full_row(cells).as_bytes()).expect("file ok");
        assert_eq!(file.rows.len(), 1);
        file.rows[0].result.clone()
    }

    fn time(r: &Result<ParsedRow, String>) -> &TimeRow {
        match r {
            Ok(ParsedRow::Time(t)) => t,
            other => panic!("expected time row, got {other:?}"),
        }
    }
    fn service(r: &Result<ParsedRow, String>) -> &ServiceRow {
        match r {
            Ok(ParsedRow::Service(s)) => s,
            other => panic!("expected service row, got {other:?}"),
        }
    }

    const T: (&str, &str) = ("Typ", "Zeit");
    const L: (&str, &str) = ("Typ", "Leistung");
    const P: (&str, &str) = ("Projekt", "P-100");
    const DT: (&str, &str) = ("Datum", "03.02.2025");

    #[test]
    fn malformed_rows_name_column_and_value() {
        // (cells, column as it must appear in the message, further text expected)
        let long_text = "x".repeat(MAX_FIELD_CHARS + 1);
        let long_name = "y".repeat(SERVICE_NAME_CHARS + 1);
        // The form's limits (entry_rules), so an imported entry can be saved again.
        let long_employee = "m".repeat(EMPLOYEE_CHARS + 1);
        let long_unit = "u".repeat(UNIT_CHARS + 1);
        type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (
                vec![T, P, ("Datum", "31.02.2025"), ("Dauer", "1")],
                "Spalte „Datum“",
                "Ungültiges Datum „31.02.2025“. Bitte TT.MM.JJJJ verwenden.",
            ),
            (
                vec![T, P, ("Dauer", "1")],
                "Spalte „Datum“",
                "Bitte ein Datum angeben",
            ),
            (
                vec![T, DT, ("Dauer", "1")],
                "Spalte „Projekt“",
                "Bitte ein Projekt",
            ),
            (
                vec![T, P, DT, ("Von", "25:00"), ("Bis", "26:00")],
                "Spalte „Von“",
                "Ungültige Uhrzeit „25:00“",
            ),
            (
                vec![T, P, DT, ("Von", "8:00"), ("Bis", "8:60")],
                "Spalte „Bis“",
                "„8:60“",
            ),
            (
                vec![T, P, DT, ("Von", "24:00"), ("Bis", "8:00")],
                "Spalte „Von“",
                "„24:00“",
            ),
            (
                vec![T, P, DT, ("Von", "9:00"), ("Bis", "8:00")],
                "Spalten „Von“/„Bis“",
                "liegt vor dem Beginn",
            ),
            (
                vec![T, P, DT, ("Von", "8:00"), ("Bis", "9:00"), ("Pause", "60")],
                "Spalte „Pause“",
                "nicht kürzer",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Pause", "-15")],
                "Spalte „Pause“",
                "nicht negativ sein („-15“)",
            ),
            (
                vec![T, P, DT, ("Dauer", "abc")],
                "Spalte „Dauer“",
                "Ungültige Dauer „abc“",
            ),
            (
                vec![T, P, DT, ("Dauer", "1:60")],
                "Spalte „Dauer“",
                "„1:60“",
            ),
            (
                vec![T, P, DT, ("Dauer", "25:00")],
                "Spalte „Dauer“",
                "länger als 24 Stunden",
            ),
            (
                vec![T, P, DT, ("Dauer", "0")],
                "Spalte „Dauer“",
                "größer als 0",
            ),
            (
                vec![T, P, DT, ("Dauer", "-1,5")],
                "Spalte „Dauer“",
                "nicht negativ",
            ),
            (
                vec![T, P, DT, ("Dauer", "90")],
                "Spalte „Dauer“",
                "„90 min“",
            ),
            (
                vec![
                    T,
                    P,
                    DT,
                    ("Von", "8:00"),
                    ("Bis", "9:30"),
                    ("Dauer", "2:00"),
                ],
                "Spalte „Dauer“",
                "passt nicht",
            ),
            (
                vec![T, P, DT, ("Von", "8:00")],
                "Spalte „Bis“",
                "„Von“ ist 8:00",
            ),
            (
                vec![T, P, DT, ("Bis", "17:00")],
                "Spalte „Von“",
                "„Bis“ ist 17:00",
            ),
            (
                vec![T, P, DT],
                "Spalte „Dauer“",
                "„Von“ und „Bis“ oder eine „Dauer“",
            ),
            (
                vec![T, P, DT, ("Von", "23:00"), ("Dauer", "2")],
                "Spalte „Dauer“",
                "nach Mitternacht",
            ),
            (
                vec![T, P, DT, ("Bis", "1:00"), ("Dauer", "2")],
                "Spalte „Dauer“",
                "vor Mitternacht",
            ),
            (
                vec![("Typ", "Reise"), P, DT, ("Dauer", "1")],
                "Spalte „Typ“",
                "Unbekannter Typ „Reise“",
            ),
            (
                vec![P, DT, ("Beschreibung", "nur Text")],
                "Spalte „Typ“",
                "ist leer",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "-2"),
                    ("Einzelpreis", "5"),
                ],
                "Spalte „Menge“",
                "Negative Menge „-2“",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "0"),
                    ("Einzelpreis", "5"),
                ],
                "Spalte „Menge“",
                "größer als 0 sein („0“)",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "1,23456"),
                    ("Einzelpreis", "5"),
                ],
                "Spalte „Menge“",
                "„1,23456“. Höchstens 4 Nachkommastellen",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "viel"),
                    ("Einzelpreis", "5"),
                ],
                "Spalte „Menge“",
                "Ungültiger Wert „viel“",
            ),
            (
                vec![L, P, DT, ("Bezeichnung", "Kabel"), ("Einzelpreis", "5")],
                "Spalte „Menge“",
                "Bitte eine Menge angeben",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "2000000"),
                    ("Einzelpreis", "5"),
                ],
                "Spalte „Menge“",
                "zu groß (höchstens 999.999,9999)",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "1"),
                    ("Einzelpreis", "-5,00"),
                ],
                "Spalte „Einzelpreis“",
                "Negativer Einzelpreis „-5,00“",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "1"),
                    ("Einzelpreis", "12,34567"),
                ],
                "Spalte „Einzelpreis“",
                "Nachkommastellen",
            ),
            (
                vec![L, P, DT, ("Bezeichnung", "Kabel"), ("Menge", "1")],
                "Spalte „Einzelpreis“",
                "Bitte einen Einzelpreis angeben",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "1"),
                    ("Einzelpreis", "5"),
                    ("Steuersatz", "16"),
                ],
                "Spalte „Steuersatz“",
                "Unbekannter Steuersatz „16“. Erlaubt sind 19, 7 und 0 %.",
            ),
            (
                vec![L, P, DT, ("Menge", "1"), ("Einzelpreis", "5")],
                "Spalte „Bezeichnung“",
                "Bitte eine Bezeichnung angeben",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", &long_name),
                    ("Menge", "1"),
                    ("Einzelpreis", "5"),
                ],
                "Spalte „Bezeichnung“",
                "zu lang (256 Zeichen, höchstens 255)",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Abrechenbar", "vielleicht")],
                "Spalte „Abrechenbar“",
                "„vielleicht“",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Beschreibung", "Klingel\u{7}")],
                "Spalte „Beschreibung“",
                "Steuerzeichen (U+0007)",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Beschreibung", "a\tb")],
                "Spalte „Beschreibung“",
                "Steuerzeichen (U+0009)",
            ),
            (
                vec![T, ("Projekt", "P\n100"), DT, ("Dauer", "1")],
                "Spalte „Projekt“",
                "Zeilenumbruch",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Mitarbeiter", "Max\u{1b}")],
                "Spalte „Mitarbeiter“",
                "Steuerzeichen",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "1"),
                    ("Einzelpreis", "5"),
                    ("Einheit", "m\u{1f}"),
                ],
                "Spalte „Einheit“",
                "Steuerzeichen (U+001F)",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Beschreibung", &long_text)],
                "Spalte „Beschreibung“",
                "zu lang (2001 Zeichen, höchstens 2000)",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Unterprojekt", "A\u{85}B")],
                "Spalte „Unterprojekt“",
                "Steuerzeichen (U+0085)",
            ),
            (
                vec![T, P, DT, ("Dauer", "1"), ("Mitarbeiter", &long_employee)],
                "Spalte „Mitarbeiter“",
                "zu lang (101 Zeichen, höchstens 100)",
            ),
            (
                vec![
                    L,
                    P,
                    DT,
                    ("Bezeichnung", "Kabel"),
                    ("Menge", "1"),
                    ("Einzelpreis", "5"),
                    ("Einheit", &long_unit),
                ],
                "Spalte „Einheit“",
                "zu lang (31 Zeichen, höchstens 30)",
            ),
        ];
        assert!(cases.len() >= 25);
        for (cells, column, text) in &cases {
            let err = one(cells).expect_err(&format!("{cells:?} must fail"));
            assert!(err.contains(column), "{cells:?}: {err:?} lacks {column:?}");
            assert!(err.contains(text), "{cells:?}: {err:?} lacks {text:?}");
        }
    }

    #[test]
    fn several_errors_in_one_row_are_all_reported() {
        let err = one(&[T, P, ("Datum", "32.01.2025"), ("Dauer", "abc")]).unwrap_err();
        assert!(
            err.contains("Spalte „Datum“: Ungültiges Datum „32.01.2025“."),
            "{err}"
        );
        assert!(
            err.contains("Spalte „Dauer“: Ungültige Dauer „abc“."),
            "{err}"
        );
    }

    #[test]
    fn errors_use_the_header_as_written() {
        let csv = "Art;Projektnummer;Tag;Beginn;Ende\nZeit;P1;1.2.2025;9:00;8:00\nZeit;P1;30.2.2025;8:00;9:00\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(
            file.rows[0].result.clone().unwrap_err(),
            "Spalten „Beginn“/„Ende“: Das Ende (8:00) liegt vor dem Beginn (9:00). Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen."
        );
        assert_eq!(
            file.rows[1].result.clone().unwrap_err(),
            "Spalte „Tag“: Ungültiges Datum „30.2.2025“. Bitte TT.MM.JJJJ verwenden."
        );
    }

    #[test]
    fn missing_service_columns() {
        let csv = "Typ;Projekt;Datum;Bezeichnung;Einzelpreis\nLeistung;P1;1.2.2025;Kabel;5\n";
        let err = parse_csv(csv.as_bytes()).unwrap().rows[0]
            .result
            .clone()
            .unwrap_err();
        assert_eq!(
            err,
            "Spalte „Menge“: Die Spalte fehlt; eine Menge ist für Leistungen Pflicht."
        );
    }

    #[test]
    fn extra_fields_and_unterminated_quotes() {
        // Unquoted decimal comma with `,` as separator.
        let csv = "Projekt,Datum,Dauer\nP1,01.02.2025,1,5\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(file.delimiter, ',');
        let err = file.rows[0].result.clone().unwrap_err();
        assert!(
            err.starts_with("Spalte 4 (ohne Überschrift): Zusätzlicher Wert „5“"),
            "{err}"
        );
        assert!(err.contains("in Anführungszeichen"), "{err}");

        let csv = "Projekt;Datum;Dauer;Beschreibung\nP1;01.02.2025;1;ok\nP1;02.02.2025;1;\"offen\nP1;03.02.2025;1;weg\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(file.rows.len(), 2);
        assert!(file.rows[0].result.is_ok());
        assert_eq!(file.rows[1].line, 3);
        let err = file.rows[1].result.clone().unwrap_err();
        assert!(
            err.starts_with("Spalte „Beschreibung“: Ein Anführungszeichen"),
            "{err}"
        );
    }

    #[test]
    fn semicolon_with_bom() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(
            "Typ;Projekt;Unterprojekt;Datum;Mitarbeiter;Von;Bis;Pause;Beschreibung;Abrechenbar\n\
             Zeit;P-100;Entwurf;03.02.2025;Anna Müller;8:00;12:30;30;Konzept;ja\n\
             Zeit;P-100;;04.02.2025;Anna Müller;0900;10.15;;Abstimmung;nein\n"
                .as_bytes(),
        );
        let file = parse_csv(&bytes).unwrap();
        assert_eq!(file.encoding, "UTF-8 (BOM)");
        assert_eq!(file.delimiter, ';');
        assert_eq!(file.rows.len(), 2);
        assert_eq!(
            time(&file.rows[0].result),
            &TimeRow {
                project: "P-100".into(),
                subproject: Some("Entwurf".into()),
                date: date(2025, 2, 3),
                employee: "Anna Müller".into(),
                start: Some(hm(8, 0)),
                end: Some(hm(12, 30)),
                break_minutes: 30,
                minutes: 240,
                description: "Konzept".into(),
                billable: true,
            }
        );
        let t = time(&file.rows[1].result);
        assert_eq!(
            (t.subproject.clone(), t.minutes, t.billable),
            (None, 75, false)
        );
        assert_eq!((file.rows[0].line, file.rows[1].line), (2, 3));
    }

    #[test]
    fn comma_with_quoted_decimals() {
        let csv =
            "Typ,Projekt,Datum,Bezeichnung,Menge,Einheit,Einzelpreis,Steuersatz,Beschreibung\n\
                   Leistung,P-7,2025-02-03,Montage,\"1,5\",Std,\"1.250,50\",19 %,\"Aufbau, Test\"\n\
                   Leistung,P-7,03.02.25,Kabel,12.5,m,0.99,7,\n\
                   Leistung,P-7,03.02.2025,Entsorgung,1,,0,0,\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!((file.delimiter, file.encoding), (',', "UTF-8"));
        assert_eq!(
            service(&file.rows[0].result),
            &ServiceRow {
                project: "P-7".into(),
                subproject: None,
                date: date(2025, 2, 3),
                name: "Montage".into(),
                description: "Aufbau, Test".into(),
                quantity: d("1.5"),
                unit: "Std".into(),
                unit_price: d("1250.5"),
                tax_rate: d("19"),
                billable: true,
            }
        );
        let s = service(&file.rows[1].result);
        assert_eq!(
            (s.quantity, s.unit_price, s.tax_rate),
            (d("12.5"), d("0.99"), d("7"))
        );
        let s = service(&file.rows[2].result);
        assert_eq!(
            (s.unit.as_str(), s.unit_price, s.tax_rate),
            ("Stück", d("0"), d("0"))
        );
    }

    #[test]
    fn windows_1252_umlauts() {
        // "Tätigkeit", "Müller", "Prüfung – Büro 5 €" in Windows-1252.
        let mut bytes = b"Projekt;Datum;Mitarbeiter;Dauer;T\xE4tigkeit\r\n".to_vec();
        bytes.extend_from_slice(
            b"B\xFCro;03.02.2025;M\xFCller;1,5;Pr\xFCfung \x96 B\xFCro 5 \x80\r\n",
        );
        let file = parse_csv(&bytes).unwrap();
        assert_eq!(file.encoding, "Windows-1252");
        let t = time(&file.rows[0].result);
        assert_eq!(t.project, "Büro");
        assert_eq!(t.employee, "Müller");
        assert_eq!(t.description, "Prüfung – Büro 5 €");
        assert_eq!(t.minutes, 90);
    }

    #[test]
    fn undefined_cp1252_bytes_are_rejected_in_text() {
        let bytes = b"Projekt;Datum;Dauer;Beschreibung\nP1;03.02.2025;1;a\x81b\n";
        let file = parse_csv(bytes).unwrap();
        assert_eq!(file.encoding, "Windows-1252");
        let err = file.rows[0].result.clone().unwrap_err();
        assert!(
            err.contains("Spalte „Beschreibung“") && err.contains("U+0081"),
            "{err}"
        );
    }

    #[test]
    fn crlf_and_quoted_newlines() {
        let csv = "Projekt;Datum;Dauer;Beschreibung\r\n\
                   P1;01.02.2025;1;\"Zeile eins\r\nZeile \"\"zwei\"\"\"\r\n\
                   \r\n\
                   ;;;\r\n\
                   P1;02.02.2025;2:15;x;;;\r\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(file.rows.len(), 2);
        assert_eq!(file.rows[0].line, 2);
        assert_eq!(
            time(&file.rows[0].result).description,
            "Zeile eins\nZeile \"zwei\""
        );
        assert_eq!(file.rows[1].line, 6);
        assert_eq!(time(&file.rows[1].result).minutes, 135);

        // LF and lone CR (old Mac Excel) count lines the same way.
        for nl in ["\n", "\r"] {
            let csv = format!("Projekt;Datum;Dauer;Beschreibung{nl}P1;01.02.2025;1;\"a{nl}b\"{nl}{nl}P1;02.02.2025;1;c{nl}");
            let file = parse_csv(csv.as_bytes()).unwrap();
            assert_eq!(
                file.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
                vec![2, 5],
                "{nl:?}"
            );
            assert_eq!(time(&file.rows[0].result).description, "a\nb");
        }
    }

    #[test]
    fn header_synonyms_and_units() {
        let csv = " ART ;Projektnummer;Teilprojekt;Tag;Mitarbeiter/in;Beginn;Ende;Pause (h);Stunden;Tätigkeit;Leistung;Anzahl;Einheit;Preis netto;MwSt.;Abrechenbar;Kostenstelle\n\
                   Zeit;12;3;1.2.2025;Eva;8:00;9:00;0,25;0,75;Telefonat;;;;;;x;K1\n\
                   Material;12;;1.2.2025;;;;;;;Dübel;100;Stück;0,05;19%;;K1\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        let t = time(&file.rows[0].result);
        assert_eq!(
            (t.project.as_str(), t.subproject.as_deref()),
            ("12", Some("3"))
        );
        assert_eq!(
            (t.break_minutes, t.minutes, t.employee.as_str()),
            (15, 45, "Eva")
        );
        let s = service(&file.rows[1].result);
        assert_eq!(
            (s.name.as_str(), s.quantity, s.unit_price),
            ("Dübel", d("100"), d("0.05"))
        );

        let csv = "Projekt;Datum;Dauer (min);Pause [Minuten]\nP;1.2.2025;90;30\n";
        let t = time(&parse_csv(csv.as_bytes()).unwrap().rows[0].result).clone();
        assert_eq!((t.minutes, t.break_minutes), (90, 30));
        let csv = "Einzelpreis (€);PROJEKT;datum;Minuten;Bezeichnung;Menge\nP;P;1.2.2025;45;;\n";
        assert_eq!(
            time(&parse_csv(csv.as_bytes()).unwrap().rows[0].result).minutes,
            45
        );
    }

    #[test]
    fn type_inference() {
        let csv = "Projekt;Datum;Von;Bis;Dauer;Bezeichnung;Menge;Einzelpreis\n\
                   P;1.2.2025;8:00;9:00;;;;\n\
                   P;1.2.2025;;;1,5;;;\n\
                   P;1.2.2025;;;;Fahrt;1;30\n\
                   P;1.2.2025;;;;Fahrt;1;\n\
                   P;1.2.2025;;;;;;\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(file.rows.len(), 5);
        assert_eq!(time(&file.rows[0].result).minutes, 60);
        assert_eq!(time(&file.rows[1].result).minutes, 90);
        assert_eq!(service(&file.rows[2].result).name, "Fahrt");
        for row in &file.rows[3..] {
            let err = row.result.clone().unwrap_err();
            assert!(err.starts_with("Spalte „Typ“: Der Typ fehlt"), "{err}");
        }
    }

    #[test]
    fn times_from_start_or_end_plus_duration() {
        let t = time(&one(&[
            T,
            P,
            DT,
            ("Von", "8:00"),
            ("Dauer", "1,5"),
            ("Pause", "15"),
        ]))
        .clone();
        assert_eq!(
            (t.start, t.end, t.minutes),
            (Some(hm(8, 0)), Some(hm(9, 45)), 90)
        );
        let t = time(&one(&[T, P, DT, ("Bis", "17:00"), ("Dauer", "8")])).clone();
        assert_eq!(
            (t.start, t.end, t.minutes),
            (Some(hm(9, 0)), Some(hm(17, 0)), 480)
        );
        // All three given and within one minute: the clock times win.
        let t = time(&one(&[
            T,
            P,
            DT,
            ("Von", "8:00"),
            ("Bis", "9:20"),
            ("Dauer", "1,33"),
        ]))
        .clone();
        assert_eq!(t.minutes, 80);
        let t = time(&one(&[T, P, DT, ("Dauer", "1:30 h"), ("Pause", "30")])).clone();
        assert_eq!(
            (t.start, t.end, t.minutes, t.break_minutes),
            (None, None, 90, 30)
        );
    }

    #[test]
    fn fingerprints() {
        let csv = "Projekt;Datum;Dauer;Beschreibung;Steuersatz;Bezeichnung;Menge;Einzelpreis\n\
                   P1;01.02.2025;1,5;Text;;;;\n\
                   P1;01.02.2025;1,5;Text;;;;\n\
                   P1;1.2.25;1:30; Text ;;;;\n\
                   P1;01.02.2025;1,5;Text!;;;;\n\
                   P1;01.02.2025;1,75;Text;;;;\n\
                   P2;01.02.2025;1,5;Text;;;;\n\
                   P1;01.02.2025;;;19 %;Kabel;1,50;2\n\
                   P1;01.02.2025;;;19;Kabel;1,5;2,00\n\
                   P1;01.02.2025;;;7;Kabel;1,5;2,00\n\
                   P1;31.02.2025;1;;;;;\n\
                   P1;31.02.2025;1;;;;;\n\
                   P1;31.02.2026;1;;;;;\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        let fp: Vec<u64> = file.rows.iter().map(|r| r.fingerprint).collect();
        assert_eq!(fp[0], fp[1], "identical rows");
        assert_eq!(fp[0], fp[2], "same content, other notation");
        assert_ne!(fp[0], fp[3], "changed description");
        assert_ne!(fp[0], fp[4], "changed duration");
        assert_ne!(fp[0], fp[5], "changed project");
        assert_eq!(fp[6], fp[7], "1,50 = 1,5 and 19 % = 19");
        assert_ne!(fp[7], fp[8], "changed tax rate");
        assert_eq!(fp[9], fp[10], "identical invalid rows");
        assert_ne!(fp[9], fp[11], "changed invalid rows");

        // Column order and a re-export in another encoding/separator do not matter.
        let other = "Beschreibung,Dauer,Datum,Projekt\r\nText,\"1,5\",2025-02-01,P1\r\n";
        assert_eq!(
            parse_csv(other.as_bytes()).unwrap().rows[0].fingerprint,
            fp[0]
        );

        // Pinned: fingerprints are stored in the database and must never change.
        assert_eq!(fp[0], GOLDEN_TIME_FP, "time fingerprint algorithm changed");
        assert_eq!(
            fp[6], GOLDEN_SERVICE_FP,
            "service fingerprint algorithm changed"
        );
    }

    #[test]
    fn fnv1a_reference_vectors() {
        for (input, want) in [
            ("", 0xcbf2_9ce4_8422_2325u64),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            let mut f = Fnv::new();
            f.bytes(input.as_bytes());
            assert_eq!(f.0, want, "{input:?}");
        }
    }

    const GOLDEN_TIME_FP: u64 = 11_910_462_765_658_099_418;
    const GOLDEN_SERVICE_FP: u64 = 7_086_415_699_672_444_648;

    #[test]
    fn excel_sep_line_blank_lines_and_trailing_columns() {
        let csv = "sep=,\n\n\nProjekt,Datum,Dauer,,,\nP1,01.02.2025,\"1,5\",,,\n,,,,,\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(file.delimiter, ',');
        assert_eq!(file.rows.len(), 1);
        assert_eq!(file.rows[0].line, 5);
        assert_eq!(time(&file.rows[0].result).minutes, 90);
        // sep=; overrides what the header alone would suggest.
        let csv = "sep=;\r\nProjekt;Datum;Dauer\r\nP1;01.02.2025;1,5\r\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!((file.delimiter, file.rows[0].line), (';', 3));
    }

    #[test]
    fn lenient_quoting() {
        let csv =
            "Projekt, Datum, Dauer, Beschreibung\nP1, 01.02.2025, \"1,5\" , Monitor 27\" prüfen\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        let t = time(&file.rows[0].result);
        assert_eq!(
            (t.minutes, t.description.as_str()),
            (90, "Monitor 27\" prüfen")
        );
    }

    #[test]
    fn file_level_errors() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"".to_vec(), "Die Datei ist leer."),
            (b" \r\n\n".to_vec(), "Die Datei ist leer."),
            (b"\xEF\xBB\xBF\r\n".to_vec(), "Die Datei ist leer."),
            (b"Projekt;Datum;Dauer\n".to_vec(), "keine Datenzeilen"),
            (b"Projekt;Datum;Dauer\n;;\n\n".to_vec(), "keine Datenzeilen"),
            (
                b"Projekt;Dauer\nP;1\n".to_vec(),
                "Pflichtspalte „Datum“ fehlt. Gefundene Spalten: „Projekt“, „Dauer“.",
            ),
            (
                b"Typ;Datum\nZeit;1.1.2025\n".to_vec(),
                "Pflichtspalte „Projekt“ fehlt",
            ),
            (
                b"Typ;Dauer\nZeit;1\n".to_vec(),
                "Pflichtspalten „Projekt“ und „Datum“ fehlen",
            ),
            (b"P1;01.02.2025;1,5\n".to_vec(), "Keine Kopfzeile gefunden"),
            (
                b"Projekt;Datum,Dauer\nP;1.1.2025,1\n".to_vec(),
                "Trennzeichen ist nicht eindeutig",
            ),
            (
                b"Projekt;Datum;Von;Beginn\n".to_vec(),
                "Die Spalten „Von“ und „Beginn“ bedeuten dasselbe",
            ),
            (b"PK\x03\x04rest".to_vec(), "Excel-Arbeitsmappe"),
            (b"\xFF\xFEP\x00".to_vec(), "UTF-16"),
            (b"Projekt;Datum\x00".to_vec(), "Binärdaten"),
            (
                b"\xEF\xBB\xBFProjekt;Datum\n\xFF\n".to_vec(),
                "als UTF-8 gekennzeichnet",
            ),
            (
                b"sep=|\nProjekt|Datum\n".to_vec(),
                "Nicht unterstütztes Trennzeichen",
            ),
            (
                b"Projekt;\"Datum\nP;1\n".to_vec(),
                "Kopfzeile enthält ein nicht geschlossenes Anführungszeichen",
            ),
        ];
        for (bytes, want) in cases {
            let err = parse_csv(&bytes).expect_err(&String::from_utf8_lossy(&bytes));
            assert!(
                err.contains(want),
                "{:?}: {err}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[test]
    fn row_limit() {
        let mut csv = String::from("Projekt;Datum;Dauer\n");
        for _ in 0..MAX_ROWS {
            csv.push_str("P;01.02.2025;1\n");
        }
        let file = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(file.rows.len(), MAX_ROWS);
        csv.push_str("P;01.02.2025;1\n");
        assert_eq!(
            parse_csv(csv.as_bytes()).unwrap_err(),
            "Die Datei hat mehr als 20.000 Datenzeilen. Bitte in mehrere Dateien aufteilen."
        );
    }

    #[test]
    fn serialises_for_the_ui() {
        let r = one(&[
            L,
            P,
            DT,
            ("Bezeichnung", "Kabel"),
            ("Menge", "1,5"),
            ("Einzelpreis", "2"),
            ("Steuersatz", "7"),
        ])
        .unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["type"], "service");
        assert_eq!(json["quantity"], "1.5");
        assert_eq!(json["unitPrice"], "2");
        assert_eq!(json["taxRate"], "7");
        assert_eq!(json["date"], "2025-02-03");
        let r = one(&[T, P, DT, ("Von", "8:00"), ("Bis", "9:00")]).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["type"], "time");
        assert_eq!(json["breakMinutes"], 0);
        assert_eq!(json["start"], "08:00:00");
    }
}
