//! CSV import of times and services: a preview first (nothing stored), then
//! all valid rows in one transaction. Rows already imported (same content,
//! same occurrence in the file) are recognised and skipped, so importing the
//! same file twice does not double anything.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use super::columns::{self, Mapping, MappingInput, MappingView, Table};
use super::csv::{parse_csv, ParsedRow};
use crate::core::{blocking, Core};
use crate::de::format::format_de;
use crate::de::format::minutes as format_minutes;
use crate::error::{io_de, AppError, AppResult};
use crate::storage::{BillingState, Entry, EntryKind, Project, ProjectStatus, Store};

const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    pub line: usize,
    /// "ok", "error" or "duplicate"
    pub status: &'static str,
    pub reason: Option<String>,
    /// "time" / "service" / ""
    pub kind: &'static str,
    /// Short German description of what would be stored.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CsvPreview {
    pub file_name: String,
    pub rows: Vec<PreviewRow>,
    pub valid: usize,
    pub invalid: usize,
    pub duplicates: usize,
    pub encoding: String,
    pub delimiter: String,
    /// Mitarbeiter names of valid rows not known yet: created on import.
    pub new_employees: Vec<String>,
    /// „Neue Mitarbeiter, die beim Import angelegt werden: …“, or None.
    pub new_employees_display: Option<String>,
    /// The Spaltenzuordnung, when the file's header is not ours.
    pub mapping: Option<MappingView>,
    /// This page (0-based) of `pages`: at most `PREVIEW_PAGE_ROWS` rows are sent
    /// at once (no answer of many MB), faulty ones first.
    pub page: u32,
    pub pages: u32,
    /// „Zeilen 1–500 von 20.000 (fehlerhafte zuerst)“.
    pub shown_display: String,
}

/// Rows of the preview per page.
pub const PREVIEW_PAGE_ROWS: usize = 500;
/// A reason or summary longer than this is cut in the preview (display only).
const PREVIEW_TEXT_CHARS: usize = 300;

fn cut(s: String) -> String {
    if s.chars().count() <= PREVIEW_TEXT_CHARS {
        s
    } else {
        let mut t: String = s.chars().take(PREVIEW_TEXT_CHARS).collect();
        t.push('…');
        t
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CsvImportResult {
    pub imported: usize,
    pub skipped_invalid: usize,
    pub skipped_duplicates: usize,
    pub message: String,
}

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Resolves "Projekt"/"Unterprojekt" references (number first, then name).
struct Resolver {
    projects: Vec<Project>,
}

impl Resolver {
    fn find<'a>(&'a self, reference: &str, parent: Option<u64>) -> Result<&'a Project, String> {
        let r = reference.trim();
        let candidates: Vec<&Project> = self
            .projects
            .iter()
            .filter(|p| p.parent_id == parent)
            .collect();
        if let Some(p) = candidates
            .iter()
            .find(|p| !p.number.is_empty() && p.number == r)
        {
            return Ok(p);
        }
        let by_name: Vec<&&Project> = candidates
            .iter()
            .filter(|p| p.name.trim().to_lowercase() == r.to_lowercase())
            .collect();
        match by_name.len() {
            1 => Ok(by_name[0]),
            0 => Err(match parent {
                None => {
                    format!("Unbekanntes Projekt „{r}“ (weder Projektnummer noch Name passen).")
                }
                Some(_) => format!("Unbekanntes Unterprojekt „{r}“ in diesem Projekt."),
            }),
            _ => Err(format!(
                "Der Projektname „{r}“ ist mehrdeutig. Bitte die Projektnummer verwenden."
            )),
        }
    }

    fn resolve(&self, project: &str, sub: Option<&str>) -> Result<&Project, String> {
        let p = self.find(project, None)?;
        let target = match sub.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => self.find(s, Some(p.id))?,
            None => p,
        };
        if target.status == ProjectStatus::Archiviert {
            return Err(format!("Das Projekt „{}“ ist archiviert.", target.name));
        }
        Ok(target)
    }
}

/// A parsed and resolved file: for each row either an entry to store or why not.
struct Analysed {
    file_name: String,
    encoding: String,
    delimiter: String,
    rows: Vec<(PreviewRow, Option<Entry>)>,
    mapping: Option<MappingView>,
    /// The mapping the rows were read with, to remember: (header key, mapping).
    used: Option<(String, MappingInput)>,
}

/// The file's rows in our format: as they are when the header is ours, else
/// through the Spaltenzuordnung — the one sent, else one remembered for these
/// headers, else a known tool's. None: the columns must be mapped first.
#[allow(clippy::type_complexity)]
fn read_rows(
    store: &Store,
    text: &str,
    mapping: Option<&MappingInput>,
) -> AppResult<(
    Option<super::csv::CsvFile>,
    Option<MappingView>,
    Option<(String, MappingInput)>,
)> {
    let v = |e: String| AppError::validation("Datei", e);
    let table = Table::read(text);
    let own = table
        .as_ref()
        .is_some_and(|t| super::csv::is_own_header(&t.headers));
    let Some(table) = table.filter(|_| !own || mapping.is_some()) else {
        return Ok((Some(parse_csv(text.as_bytes()).map_err(v)?), None, None));
    };
    let key = table.key();
    let chosen: Option<(Mapping, String)> = match mapping {
        Some(m) => Some((
            Mapping::check(m, table.headers.len())
                .map_err(|e| AppError::validation("Spaltenzuordnung", e))?,
            "Eigene Zuordnung.".to_string(),
        )),
        None => {
            let saved = store
                .settings()?
                .column_mappings
                .into_iter()
                .find(|s| s.key == key);
            match saved.and_then(|s| {
                let input = MappingInput {
                    columns: s.columns,
                    date_order: s.date_order,
                };
                Mapping::check(&input, table.headers.len())
                    .ok()
                    .map(|m| (m, s.saved_at))
            }) {
                Some((m, at)) => Some((
                    m,
                    format!(
                        "Zuordnung vom {} übernommen (gleiche Spalten wie beim letzten Import).",
                        crate::de::format::local_date(at)
                    ),
                )),
                None => columns::preset_for(&table)
                    .map(|(name, m)| (m, format!("Export aus {name} erkannt."))),
            }
        }
    };
    let Some((m, source)) = chosen else {
        let suggestion = columns::suggest(&table);
        let view = columns::view(
            &table,
            &suggestion,
            "Die Spalten dieser Datei sind nicht die von Zeitrechnung. Bitte jeder Spalte ein Feld zuordnen (mindestens Projekt und Datum) und „Vorschau aktualisieren“ wählen.".into(),
            true,
        );
        return Ok((None, Some(view), None));
    };
    let input = m.input();
    let rewritten = columns::rewrite(&table, &m);
    let mut file = parse_csv(rewritten.as_bytes()).map_err(v)?;
    file.delimiter = table.delimiter;
    Ok((
        Some(file),
        Some(columns::view(&table, &input, source, false)),
        Some((key, input)),
    ))
}

fn analyse(store: &Store, path: &PathBuf, mapping: Option<&MappingInput>) -> AppResult<Analysed> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if path.is_dir() {
        return Err(AppError::validation(
            "Datei",
            "Bitte eine Datei wählen, keinen Ordner.",
        ));
    }
    let meta = std::fs::metadata(path).map_err(|e| {
        AppError::validation(
            "Datei",
            format!(
                "Die Datei „{file_name}“ kann nicht gelesen werden: {}.",
                io_de(&e)
            ),
        )
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(AppError::validation(
            "Datei",
            "Die Datei ist größer als 20 MB. Bitte in kleinere Dateien aufteilen.",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        AppError::validation(
            "Datei",
            format!(
                "Die Datei „{file_name}“ kann nicht gelesen werden: {}.",
                io_de(&e)
            ),
        )
    })?;
    // A spreadsheet (.xlsx, .ods, .xls) is read as its first sheet's values, then
    // by the same rules as a CSV file (`projekte::spreadsheet`).
    let (text, encoding) = if super::spreadsheet::looks_like_spreadsheet(&bytes) {
        let text = super::spreadsheet::to_csv_text(&bytes)
            .map_err(|e| AppError::validation("Datei", e))?;
        (text, "Tabelle (.xlsx/.ods/.xls)")
    } else {
        super::csv::decode_text(&bytes).map_err(|e| AppError::validation("Datei", e))?
    };
    super::import_limits::check_text(&text).map_err(|e| AppError::validation("Datei", e))?;
    let (file, mapping_view, used) = read_rows(store, &text, mapping)?;
    let Some(mut file) = file else {
        return Ok(Analysed {
            file_name,
            encoding: encoding.to_string(),
            delimiter: String::new(),
            rows: Vec::new(),
            mapping: mapping_view,
            used: None,
        });
    };
    file.encoding = encoding;
    let resolver = Resolver {
        projects: store.projects()?,
    };
    let mut occurrences: HashMap<u64, u32> = HashMap::new();
    let mut seen_in_file: std::collections::HashSet<u64> = Default::default();
    let now = crate::de::clock::now();
    let mut rows = Vec::new();
    for row in file.rows {
        let n = occurrences.entry(row.fingerprint).or_insert(0);
        *n += 1;
        let fp = fnv(row.fingerprint, &n.to_be_bytes());
        let parsed = match row.result {
            Ok(p) => p,
            Err(reason) => {
                rows.push((
                    PreviewRow {
                        line: row.line,
                        status: "error",
                        reason: Some(reason),
                        kind: "",
                        summary: String::new(),
                    },
                    None,
                ));
                continue;
            }
        };
        let (project_ref, sub_ref, kind_label) = match &parsed {
            ParsedRow::Time(t) => (t.project.clone(), t.subproject.clone(), "time"),
            ParsedRow::Service(s) => (s.project.clone(), s.subproject.clone(), "service"),
        };
        let target = match resolver.resolve(&project_ref, sub_ref.as_deref()) {
            Ok(p) => p,
            Err(reason) => {
                rows.push((
                    PreviewRow {
                        line: row.line,
                        status: "error",
                        reason: Some(reason),
                        kind: kind_label,
                        summary: String::new(),
                    },
                    None,
                ));
                continue;
            }
        };
        let (date, description, billable, kind, summary) = match parsed {
            ParsedRow::Time(t) => {
                let summary = format!(
                    "{} · {} · {} h{}{}",
                    crate::de::format::date(t.date),
                    target.name,
                    format_minutes(u64::from(t.minutes)),
                    if t.employee.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", t.employee)
                    },
                    if t.description.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", t.description)
                    },
                );
                (
                    t.date,
                    t.description,
                    t.billable,
                    EntryKind::Time {
                        employee: t.employee,
                        employee_id: None,
                        start: t.start,
                        end: t.end,
                        break_minutes: t.break_minutes,
                        minutes: t.minutes,
                    },
                    summary,
                )
            }
            ParsedRow::Service(s) => {
                let summary = format!(
                    "{} · {} · {} {} {} à {} €",
                    crate::de::format::date(s.date),
                    target.name,
                    format_de(s.quantity, 0),
                    s.unit,
                    s.name,
                    format_de(s.unit_price, 2)
                );
                (
                    s.date,
                    s.description,
                    s.billable,
                    EntryKind::Service {
                        art: None,
                        article: None,
                        name: s.name,
                        quantity: s.quantity,
                        unit: s.unit,
                        unit_price: s.unit_price,
                        tax_rate: s.tax_rate,
                    },
                    summary,
                )
            }
        };
        // The same check as the forms', so every imported entry can be saved again there.
        if let Err((field, why)) = super::entry_rules::check(&kind, &description) {
            rows.push((
                PreviewRow {
                    line: row.line,
                    status: "error",
                    reason: Some(format!("Spalte „{field}“: {why}")),
                    kind: kind_label,
                    summary,
                },
                None,
            ));
            continue;
        }
        if store.csv_row_known(fp)? || !seen_in_file.insert(fp) {
            rows.push((
                PreviewRow {
                    line: row.line,
                    status: "duplicate",
                    reason: Some("Bereits importiert – wird übersprungen.".into()),
                    kind: kind_label,
                    summary,
                },
                None,
            ));
            continue;
        }
        let entry = Entry {
            id: 0,
            project_id: target.id,
            date,
            description,
            billable,
            billing: BillingState::Open,
            kind,
            csv_fingerprint: Some(fp),
            created_at: now,
            updated_at: now,
        };
        rows.push((
            PreviewRow {
                line: row.line,
                status: "ok",
                reason: None,
                kind: kind_label,
                summary,
            },
            Some(entry),
        ));
    }
    Ok(Analysed {
        file_name,
        encoding: file.encoding.to_string(),
        delimiter: match file.delimiter {
            '\t' => "Tabulator".to_string(),
            d => d.to_string(),
        },
        rows,
        mapping: mapping_view,
        used,
    })
}

fn counts(rows: &[PreviewRow]) -> (usize, usize, usize) {
    let ok = rows.iter().filter(|r| r.status == "ok").count();
    let bad = rows.iter().filter(|r| r.status == "error").count();
    let dup = rows.iter().filter(|r| r.status == "duplicate").count();
    (ok, bad, dup)
}

pub async fn preview(
    core: &Core,
    path: String,
    mapping: Option<MappingInput>,
    page: u32,
) -> AppResult<CsvPreview> {
    let store = core.store.clone();
    blocking(move || {
        let a = analyse(&store, &PathBuf::from(path), mapping.as_ref())?;
        // Names match as everywhere (`storage::name_key`): „jana kraus“ is Jana Kraus.
        let known = store.employees()?;
        let mut new_employees: Vec<String> = a
            .rows
            .iter()
            .filter_map(|(_, e)| match e.as_ref().map(|e| &e.kind) {
                Some(EntryKind::Time { employee, .. }) => {
                    Some(crate::storage::clean_name(employee))
                }
                _ => None,
            })
            .filter(|n| !n.is_empty() && crate::storage::employee_named(&known, n).is_none())
            .collect();
        let mut seen = std::collections::HashSet::new();
        new_employees.retain(|n| seen.insert(crate::storage::name_key(n)));
        new_employees.sort();
        let new_employees_display = (!new_employees.is_empty()).then(|| {
            format!(
                "{} beim Import angelegt: {}.",
                crate::de::format::count_de(
                    new_employees.len(),
                    "neuer Mitarbeiter wird",
                    "neue Mitarbeiter werden"
                ),
                new_employees.join(", ")
            )
        });
        let mut rows: Vec<PreviewRow> = a.rows.into_iter().map(|(r, _)| r).collect();
        let (valid, invalid, duplicates) = counts(&rows);
        // Faulty rows first, then those already imported, then the good ones.
        rows.sort_by_key(|r| {
            (
                match r.status {
                    "error" => 0,
                    "duplicate" => 1,
                    _ => 2,
                },
                r.line,
            )
        });
        let total = rows.len();
        let pages = total.div_ceil(PREVIEW_PAGE_ROWS).max(1) as u32;
        let page = page.min(pages - 1);
        let from = page as usize * PREVIEW_PAGE_ROWS;
        let rows: Vec<PreviewRow> = rows
            .into_iter()
            .skip(from)
            .take(PREVIEW_PAGE_ROWS)
            .map(|mut r| {
                r.summary = cut(r.summary);
                r.reason = r.reason.map(cut);
                r
            })
            .collect();
        let n = |v: usize| crate::de::format::format_de(rust_decimal::Decimal::from(v as u64), 0);
        let shown_display = if rows.is_empty() {
            String::new()
        } else {
            format!(
                "Zeilen {}–{} von {}{}",
                n(from + 1),
                n(from + rows.len()),
                n(total),
                if invalid > 0 {
                    " (fehlerhafte zuerst)"
                } else {
                    ""
                }
            )
        };
        Ok(CsvPreview {
            file_name: a.file_name,
            page,
            pages,
            shown_display,
            rows,
            valid,
            invalid,
            duplicates,
            encoding: a.encoding,
            delimiter: a.delimiter,
            new_employees,
            new_employees_display,
            mapping: a.mapping,
        })
    })
    .await
}

/// Imports every valid row (one transaction); invalid and known rows are skipped.
pub async fn import(
    core: &Core,
    path: String,
    mapping: Option<MappingInput>,
) -> AppResult<CsvImportResult> {
    let store = core.store.clone();
    blocking(move || {
        let a = analyse(&store, &PathBuf::from(path), mapping.as_ref())?;
        if a.mapping.as_ref().is_some_and(|m| m.required) {
            return Err(AppError::validation(
                "Spaltenzuordnung",
                "Bitte zuerst die Spalten zuordnen.",
            ));
        }
        // The next file with these columns imports with one click.
        if let Some((key, input)) = &a.used {
            store.update_settings(|s| {
                s.column_mappings.retain(|m| m.key != *key);
                s.column_mappings.insert(
                    0,
                    crate::storage::SavedMapping {
                        key: key.clone(),
                        columns: input.columns.clone(),
                        date_order: input.date_order.clone(),
                        saved_at: crate::de::clock::now(),
                    },
                );
                s.column_mappings
                    .truncate(crate::storage::MAX_SAVED_MAPPINGS);
            })?;
        }
        let previews: Vec<PreviewRow> = a.rows.iter().map(|(r, _)| r.clone()).collect();
        let (_, invalid, duplicates) = counts(&previews);
        let mut entries: Vec<Entry> = a.rows.into_iter().filter_map(|(_, e)| e).collect();
        for e in &mut entries {
            e.id = store.next_id()?;
        }
        store.assign_employees(&mut entries)?;
        store.put_entries(&entries)?;
        use crate::de::format::count_de;
        let message = format!(
            "{} importiert{}{}.",
            count_de(entries.len(), "Eintrag", "Einträge"),
            if invalid > 0 {
                format!(
                    ", {} übersprungen",
                    count_de(invalid, "fehlerhafte Zeile", "fehlerhafte Zeilen")
                )
            } else {
                String::new()
            },
            if duplicates > 0 {
                format!(
                    ", {} übersprungen",
                    count_de(
                        duplicates,
                        "bereits importierte Zeile",
                        "bereits importierte Zeilen"
                    )
                )
            } else {
                String::new()
            },
        );
        log::info!("csv import: {message}");
        Ok(CsvImportResult {
            imported: entries.len(),
            skipped_invalid: invalid,
            skipped_duplicates: duplicates,
            message,
        })
    })
    .await
}
