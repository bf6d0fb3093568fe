//! CSV-Import von Zeiten und Leistungen (Projekte › Importieren) —
//! CSV import of work times and services.
//!
//! [`parse_csv`] turns the bytes of a file into a preview ([`CsvFile`]): one
//! [`CsvRow`] per data record, each either a parsed time/service or a German
//! reason why not. Nothing is stored here; project references are resolved by the
//! caller. One step per file: `decode.rs` (UTF-8, else Windows-1252 by
//! `encoding_rs`), `reader.rs` (the records, read by the `csv` crate, with the
//! physical line each starts on and the check for an unterminated quote),
//! `header.rs` (our column names, synonyms, the separator), `rows.rs` (the row rules
//! → [`ParsedRow`] or a reason) and `fingerprint.rs` (FNV-1a, for the idempotent
//! re-import). The `csv` crate reads an unterminated quote to the end of the file
//! without an error (BurntSushi/rust-csv issues 252 and 289), so one stray quote
//! would swallow the rest of the file into one cell: the reader reads the last
//! record once more with `\n"` appended and reports the row (see
//! `reader.rs`). Spreadsheets reach these rules through `projekte::spreadsheet`, files
//! of other tools through `projekte::columns` (Spaltenzuordnung).
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
//! - **Felder** (RFC 4180, gelesen mit dem `csv`-Crate) dürfen in `"` stehen; `""`
//!   ist ein Anführungszeichen; in Anführungszeichen dürfen Trennzeichen und
//!   Zeilenumbrüche stehen. Ein `"` öffnet nur direkt am Feldanfang (`a; "b;c"` sind
//!   drei Felder), sonst bleibt es Text (`12" Rohr`). Ein nie geschlossenes
//!   Anführungszeichen ist ein Fehler dieser Zeile (oder der Kopfzeile), statt den
//!   Rest der Datei zu verschlucken. Zeilenenden CRLF, LF oder CR; jede Meldung nennt
//!   die Zeile, in der der Datensatz beginnt. Leere Zeilen (auch `;;;;`) werden
//!   übersprungen, überzählige leere Spalten am Zeilenende sind erlaubt.
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
//! - **Fields** (RFC 4180, read by the `csv` crate) may be quoted with `"`, `""`
//!   escapes a quote, quoted fields may hold separators and line breaks. A quote
//!   opens only at the very start of a field (`a; "b;c"` is three fields), elsewhere
//!   it is text (`12" Rohr`). A quote never closed is an error of that row (or of
//!   the header) instead of swallowing the rest of the file: the last record is read
//!   once more with `\n"` appended, and a closed one then ends before the extra `"`.
//!   CRLF, LF or CR line ends; every message names the physical line the record
//!   starts on; blank lines (also `;;;;`) are skipped; trailing empty columns are fine.
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

mod decode;
mod fingerprint;
mod header;
mod reader;
mod rows;
#[cfg(test)]
mod tests;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::Serialize;

pub use decode::decode_text;
pub use header::{column_key, is_own_header};
pub use reader::raw_records;

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

/// Reads an import file. A file-level problem (empty, no header, missing required
/// column, ambiguous separator, too many rows, …) is an `Err` in German; problems of
/// single rows are in their [`CsvRow::result`].
pub fn parse_csv(bytes: &[u8]) -> Result<CsvFile, String> {
    let (text, encoding) = decode_text(bytes)?;
    if text.trim().is_empty() {
        return Err("Die Datei ist leer.".into());
    }
    let (delimiter, header, mut reader) = header::find_header(&text)?;
    let mut rows = Vec::new();
    while let Some(rec) = reader.next_nonblank() {
        if rows.len() == MAX_ROWS {
            return Err(format!(
                "Die Datei hat mehr als {} Datenzeilen. Bitte in mehrere Dateien aufteilen.",
                crate::de::format::format_de(Decimal::from(MAX_ROWS as u64), 0)
            ));
        }
        let result = rows::parse_record(&header, &rec, delimiter);
        let fingerprint = match &result {
            Ok(p) => fingerprint::parsed(p),
            Err(_) => fingerprint::raw(&header, &rec),
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
