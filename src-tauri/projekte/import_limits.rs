//! What an import file may be, checked **before** it is parsed
//! (docs/reliability.md › Hostile files). A file over a limit is refused at once
//! with a German reason; nothing crafted can make the app allocate gigabytes.
//!
//! - Spreadsheets in a zip (`.xlsx`, `.ods`): every part at most 64 MB
//!   unpacked, all together at most 256 MB, and no part packed more than
//!   100:1 (a zip bomb); parts are read through a cap, so a part that unpacks
//!   to more than it declares is cut, not followed.
//! - `.xlsx`: at most 1,000,000 shared strings (`uniqueCount`, which the reader
//!   reserves room for up front); the sheet is read cell by cell and a cell
//!   beyond row 100,000 or column 256 refuses the file (one cell in column XFD
//!   would otherwise need a 16,384-column grid).
//! - `.ods`: rows and repeated cells are counted before the sheet is read;
//!   at most 100,000 rows with values and 256 columns.
//! - `.xls`: the BIFF records of the workbook stream are walked before the
//!   reader sees them. A sheet's declared size (its DIMENSIONS record holds a
//!   32-bit row count the reader reserves room for) and the span of its cells
//!   (the reader builds the whole grid, empty cells included) may cover at
//!   most 100,000 rows, 256 columns and 2,000,000 cells.
//! - Text (CSV, and the text a sheet becomes): at most 256 fields in a record.

use std::io::{Cursor, Read};

/// Rows with values a sheet may have.
pub const MAX_SHEET_ROWS: u32 = 100_000;
/// Columns a sheet or a CSV record may have.
pub const MAX_COLUMNS: u32 = 256;
/// Shared strings an `.xlsx` may declare.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// Largest part of a zip, unpacked.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// All parts of a zip together, unpacked.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// Cells (empty ones included) an `.xls` sheet's grid may span.
pub const MAX_GRID_CELLS: u64 = 2_000_000;
/// Highest packing ratio of a part larger than 1 MB.
pub const MAX_RATIO: u64 = 100;

fn too_big(what: &str) -> String {
    format!("Die Tabelle ist zu groß oder beschädigt ({what}). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.")
}

/// Checks the zip container of `.xlsx`/`.ods` (declared sizes and ratios).
pub fn check_zip(bytes: &[u8]) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "Die Tabelle konnte nicht gelesen werden (kein gültiges .xlsx/.ods). Bitte als .xlsx, .ods oder CSV speichern.".to_string())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|_| "Die Tabelle ist beschädigt (ein Teil der Datei fehlt).".to_string())?;
        let size = part.size();
        if size > MAX_PART_BYTES {
            return Err(too_big("ein Teil ist entpackt größer als 64 MB"));
        }
        if size > 1024 * 1024 && size / part.compressed_size().max(1) > MAX_RATIO {
            return Err(too_big("ungewöhnlich stark gepackt"));
        }
        total = total.saturating_add(size);
        if total > MAX_UNPACKED_BYTES {
            return Err(too_big("entpackt größer als 256 MB"));
        }
    }
    Ok(())
}

/// The start of a zip part, unpacked (at most `limit` bytes); None if absent.
fn part_head(bytes: &[u8], name: &str, limit: u64) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let part = zip.by_name(name).ok()?;
    let mut head = Vec::new();
    part.take(limit).read_to_end(&mut head).ok()?;
    Some(head)
}

/// A whole zip part, unpacked through the part limit (a part that unpacks to
/// more than 64 MB is refused, whatever it declared).
pub fn read_part(bytes: &[u8], name: &str) -> Result<Option<Vec<u8>>, String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(None);
    };
    let Ok(part) = zip.by_name(name) else {
        return Ok(None);
    };
    let mut all = Vec::new();
    part.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut all)
        .map_err(|_| {
            "Die Tabelle ist beschädigt (ein Teil lässt sich nicht entpacken).".to_string()
        })?;
    if all.len() as u64 > MAX_PART_BYTES {
        return Err(too_big("ein Teil ist entpackt größer als 64 MB"));
    }
    Ok(Some(all))
}

/// The number in `name="123"` inside `tag` (the first occurrence), if any.
fn attr_number(text: &str, name: &str) -> Option<u64> {
    let at = text.find(&format!(" {name}=\""))? + name.len() + 3;
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // More digits than a u64 holds is more than any limit.
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// `.xlsx`: the shared strings it declares, before the reader reserves them.
pub fn check_xlsx(bytes: &[u8]) -> Result<(), String> {
    if let Some(head) = part_head(bytes, "xl/sharedStrings.xml", 4096) {
        let text = String::from_utf8_lossy(&head);
        if let Some(sst) = text.find("<sst").map(|at| &text[at..]) {
            let sst = &sst[..sst.find('>').unwrap_or(sst.len())];
            for attr in ["uniqueCount", "count"] {
                if attr_number(sst, attr).is_some_and(|n| n > MAX_SHARED_STRINGS) {
                    return Err(too_big("mehr als 1.000.000 verschiedene Texte"));
                }
            }
        }
    }
    Ok(())
}

/// The rows and columns a sheet of an `.xls` spans, checked when the sheet ends.
#[derive(Default)]
struct Span {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        let widen =
            |r: Option<(u32, u32)>, v: u32| Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
        self.rows = widen(self.rows, row);
        self.cols = widen(self.cols, col);
    }

    fn check(&self) -> Result<(), String> {
        let (Some((top, bottom)), Some((left, right))) = (self.rows, self.cols) else {
            return Ok(());
        };
        grid(u64::from(bottom - top) + 1, u64::from(right - left) + 1)
    }
}

/// A grid of `rows` × `cols` against the limits.
fn grid(rows: u64, cols: u64) -> Result<(), String> {
    if rows > u64::from(MAX_SHEET_ROWS) {
        return Err(too_big("mehr als 100.000 Zeilen"));
    }
    if cols > u64::from(MAX_COLUMNS) {
        return Err(too_big("mehr als 256 Spalten"));
    }
    if rows * cols > MAX_GRID_CELLS {
        return Err(too_big("mehr als 2.000.000 Zellen"));
    }
    Ok(())
}

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        data.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The rows × columns a DIMENSIONS record declares, read the way the reader
/// reads it (row counts past the last row are exclusive; a first row after
/// the last one would make the reader's count wrap round to billions).
fn declared(data: &[u8]) -> Option<(u64, u64)> {
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (
            u16_at(data, 0)?,
            u16_at(data, 2)?,
            u16_at(data, 4)?,
            u16_at(data, 6)?,
        ),
        14 | 16 => (
            u32_at(data, 0)?,
            u32_at(data, 4)?,
            u16_at(data, 8)?,
            u16_at(data, 10)?,
        ),
        _ => return None,
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    if last_row == 0 || last_col == 0 {
        return Some((1, 1));
    }
    let rows = if first_row > last_row - 1 {
        u64::MAX / 2
    } else {
        u64::from(last_row - first_row)
    };
    Some((rows, u64::from(last_col - first_col)))
}

/// `.xls`: every sheet's declared size and the span of its cells, from the
/// BIFF records of the workbook stream, before the reader reserves or builds
/// a grid. A file that is no readable `.xls` is left to the reader's own
/// message.
pub fn check_xls(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut file) = cfb::CompoundFile::open(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Some(name) = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| file.is_stream(n))
    else {
        return Ok(());
    };
    let mut stream = Vec::new();
    let Ok(reader) = file.open_stream(name) else {
        return Ok(());
    };
    if reader
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut stream)
        .is_err()
    {
        return Ok(());
    }
    if stream.len() as u64 > MAX_PART_BYTES {
        return Err(too_big("größer als 64 MB"));
    }
    // One span per open BOF … EOF substream (a chart inside a sheet nests).
    let mut open: Vec<Span> = Vec::new();
    let mut at = 0;
    while let (Some(kind), Some(len)) = (u16_at(&stream, at), u16_at(&stream, at + 2)) {
        let Some(data) = stream.get(at + 4..at + 4 + len as usize) else {
            break;
        };
        at += 4 + len as usize;
        match kind {
            0x0809 => open.push(Span::default()),
            0x000A => {
                if let Some(span) = open.pop() {
                    span.check()?;
                }
            }
            0x0200 => {
                if let Some((rows, cols)) = declared(data) {
                    grid(rows, cols)?;
                }
            }
            // Number, Label, RString, BoolErr, Rk, LabelSst, Formula: one cell.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(row), Some(col), Some(span)) =
                    (u16_at(data, 0), u16_at(data, 2), open.last_mut())
                {
                    span.add(row, col);
                }
            }
            // MulRk: a row of cells from its first to its last column.
            0x00BD if data.len() >= 6 => {
                if let (Some(row), Some(first), Some(last), Some(span)) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    u16_at(data, data.len() - 2),
                    open.last_mut(),
                ) {
                    span.add(row, first);
                    span.add(row, last);
                }
            }
            _ => {}
        }
    }
    for span in open {
        span.check()?;
    }
    Ok(())
}

/// A cell position of a streamed `.xlsx` sheet, checked against the limits.
pub fn check_cell(row: u32, col: u32) -> Result<(), String> {
    if row >= MAX_SHEET_ROWS {
        return Err(too_big("mehr als 100.000 Zeilen"));
    }
    if col >= MAX_COLUMNS {
        return Err(too_big("mehr als 256 Spalten"));
    }
    Ok(())
}

/// `.ods`: counts the rows that hold a value and the columns up to a row's
/// last value (repeats included) in `content.xml`, before the reader expands
/// them. Empty rows and trailing empty cells, which office programs write
/// with huge repeat counts, count nothing.
pub fn check_ods(bytes: &[u8]) -> Result<(), String> {
    let Some(content) = read_part(bytes, "content.xml")? else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&content);
    let mut rows: u64 = 0;
    let mut rest: &str = &text;
    while let Some(at) = rest.find("<table:table-row") {
        rest = &rest[at + 16..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let repeats = attr_number(&rest[..tag_end], "table:number-rows-repeated").unwrap_or(1);
        let row_end = rest.find("</table:table-row>").unwrap_or(rest.len());
        let row = &rest[..row_end];
        let (mut cols, mut width) = (0u64, 0u64);
        let mut cells = row;
        while let Some(c) = cells
            .find("<table:table-cell")
            .or_else(|| cells.find("<table:covered-table-cell"))
        {
            cells = &cells[c + 1..];
            let end = cells.find('>').unwrap_or(cells.len());
            let tag = &cells[..end];
            let n = attr_number(tag, "table:number-columns-repeated").unwrap_or(1);
            cols = cols.saturating_add(n);
            let empty = !tag.contains("office:value-type")
                && (tag.ends_with('/') || cells[end..].starts_with("></table:table-cell"));
            if !empty {
                width = cols;
            }
        }
        if width > u64::from(MAX_COLUMNS) {
            return Err(too_big("mehr als 256 Spalten"));
        }
        if width > 0 {
            rows = rows.saturating_add(repeats);
            if rows > u64::from(MAX_SHEET_ROWS) {
                return Err(too_big("mehr als 100.000 Zeilen"));
            }
        }
        rest = &rest[row_end..];
    }
    Ok(())
}

/// Text (a CSV file, or what a sheet became): no record with more than 256
/// fields for any usual separator. Quotes are followed, so a separator inside
/// a quoted field does not count.
pub fn check_text(text: &str) -> Result<(), String> {
    for delim in [b';', b',', b'\t'] {
        let (mut fields, mut quoted) = (1u32, false);
        for &b in text.as_bytes() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' | b'\r' if !quoted => fields = 1,
                b if b == delim && !quoted => {
                    fields += 1;
                    if fields > MAX_COLUMNS {
                        return Err(format!(
                            "Die Datei hat eine Zeile mit mehr als {MAX_COLUMNS} Spalten. Bitte nur die benötigten Spalten speichern (oder die Datei ist keine Zeiten-Tabelle)."
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_separators_is_refused_quoted_ones_are_not() {
        assert!(check_text(&";".repeat(300)).is_err());
        assert!(check_text(&format!("a;\"{}\";b", ";".repeat(300))).is_ok());
        assert!(check_text(&format!("{}\n{}", ";".repeat(200), ";".repeat(200))).is_ok());
        assert!(check_text(&",".repeat(256)).is_err());
        assert!(check_text(&",".repeat(255)).is_ok());
    }

    #[test]
    fn attribute_numbers_are_read_and_huge_ones_are_huge() {
        assert_eq!(
            attr_number(
                r#"<sst xmlns="x" count="12" uniqueCount="7""#,
                "uniqueCount"
            ),
            Some(7)
        );
        assert_eq!(attr_number(r#"<sst count="12""#, "count"), Some(12));
        assert_eq!(
            attr_number(
                r#"<sst uniqueCount="99999999999999999999999""#,
                "uniqueCount"
            ),
            Some(u64::MAX)
        );
        assert_eq!(attr_number("<sst>", "count"), None);
    }

    #[test]
    fn cells_beyond_the_grid_are_refused() {
        assert!(check_cell(99_999, 255).is_ok());
        assert!(check_cell(100_000, 0).is_err());
        assert!(check_cell(0, 16_383).is_err());
    }
}
