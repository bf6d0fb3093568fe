//! Spaltenzuordnung: files whose header is not ours (exports of Kimai, Toggl
//! Track, Clockify, Harvest, own spreadsheets) are imported through a mapping
//! of their columns to our fields (docs/architecture.md › Spaltenzuordnung).
//!
//! The mapping is one step before the CSV rules: the file's records are
//! rewritten into our own format — our column names, values of foreign
//! shapes converted (US dates, 12-hour and second-exact times, date-times) —
//! and `csv::parse_csv` then reads them like any file of ours. So there is one
//! set of row rules, and the fingerprints of imported rows are those of the
//! same rows in our format (they hash parsed values, not columns). Physical
//! line numbers are kept.

use serde::{Deserialize, Serialize};

use super::csv;

/// A field a column can be mapped to: (key the UI sends, our column name, label).
pub const TARGETS: &[(&str, &str, &str)] = &[
    ("projekt", "Projekt", "Projekt"),
    ("unterprojekt", "Unterprojekt", "Unterprojekt"),
    ("datum", "Datum", "Datum"),
    ("mitarbeiter", "Mitarbeiter", "Mitarbeiter"),
    ("von", "Von", "Von"),
    ("bis", "Bis", "Bis"),
    ("pause", "Pause", "Pause"),
    ("dauer", "Dauer", "Dauer (Stunden oder h:mm)"),
    ("dauerMin", "Dauer (min)", "Dauer in Minuten"),
    ("beschreibung", "Beschreibung", "Beschreibung"),
    ("typ", "Typ", "Typ (Zeit oder Leistung)"),
    ("bezeichnung", "Bezeichnung", "Bezeichnung (Leistung)"),
    ("menge", "Menge", "Menge"),
    ("einheit", "Einheit", "Einheit"),
    ("einzelpreis", "Einzelpreis", "Einzelpreis"),
    ("steuersatz", "Steuersatz", "Steuersatz"),
    ("abrechenbar", "Abrechenbar", "abrechenbar"),
];

/// Several columns may feed these; their values are joined.
fn joiner(key: &str) -> Option<&'static str> {
    match key {
        "mitarbeiter" => Some(" "),
        "beschreibung" => Some(" – "),
        _ => None,
    }
}

fn target_index(key: &str) -> Option<usize> {
    TARGETS.iter().position(|(k, _, _)| *k == key)
}

/// The file's table: separator, header, data records with their line.
#[derive(Debug, Clone)]
pub struct Table {
    pub delimiter: char,
    pub headers: Vec<String>,
    pub records: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// Reads `text` with the separator its first line is split by most
    /// (`;`, `,` or tab; an Excel `sep=` line decides). None: no header line.
    pub fn read(text: &str) -> Option<Table> {
        let mut body = text;
        let mut first_line = 1;
        let first = text.lines().next().unwrap_or("").trim().to_lowercase();
        let forced = first.strip_prefix("sep=").and_then(|s| s.chars().next());
        if first.starts_with("sep=") {
            body = text.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
            first_line = 2;
        }
        let head_line = body.lines().find(|l| !l.trim().is_empty())?;
        let delimiter = forced.unwrap_or_else(|| {
            [';', ',', '\t']
                .into_iter()
                .max_by_key(|d| (head_line.matches(*d).count(), *d == ';'))
                .unwrap_or(';')
        });
        let mut records = csv::raw_records(body, delimiter, first_line).into_iter();
        let (_, headers) = records.next()?;
        let headers = headers
            .into_iter()
            .map(|h| h.trim().trim_matches('\u{feff}').trim().to_string())
            .collect();
        Some(Table {
            delimiter,
            headers,
            records: records.collect(),
        })
    }

    /// Identifies the header set (remembered mappings): names, case-insensitive.
    pub fn key(&self) -> String {
        self.headers
            .iter()
            .map(|h| h.to_lowercase())
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }
}

/// How a user sends a mapping: one target key (or "") per column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct MappingInput {
    pub columns: Vec<String>,
    /// `dmy` (TT.MM.JJJJ, JJJJ-MM-TT, TT/MM/JJJJ) or `mdy` (MM/TT/JJJJ).
    pub date_order: String,
}

/// A checked mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    targets: Vec<Option<usize>>,
    month_first: bool,
}

impl Mapping {
    pub fn check(input: &MappingInput, width: usize) -> Result<Mapping, String> {
        let mut targets = Vec::with_capacity(width);
        for i in 0..width {
            let key = input.columns.get(i).map(|s| s.trim()).unwrap_or("");
            targets.push(match key {
                "" => None,
                k => Some(target_index(k).ok_or_else(|| format!("Unbekanntes Feld „{k}“."))?),
            });
        }
        for (t, (key, _, label)) in TARGETS.iter().enumerate() {
            let n = targets.iter().filter(|x| **x == Some(t)).count();
            if n > 1 && joiner(key).is_none() {
                return Err(format!(
                    "„{label}“ ist mehreren Spalten zugeordnet. Bitte nur einer Spalte zuordnen."
                ));
            }
        }
        let has = |k: &str| targets.contains(&target_index(k));
        let missing: Vec<&str> = [("projekt", "Projekt"), ("datum", "Datum")]
            .into_iter()
            .filter(|(k, _)| !has(k))
            .map(|(_, l)| l)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "Bitte eine Spalte als „{}“ zuordnen.",
                missing.join("“ und eine als „")
            ));
        }
        Ok(Mapping {
            targets,
            month_first: input.date_order == "mdy",
        })
    }

    pub fn input(&self) -> MappingInput {
        MappingInput {
            columns: self
                .targets
                .iter()
                .map(|t| t.map(|i| TARGETS[i].0.to_string()).unwrap_or_default())
                .collect(),
            date_order: if self.month_first { "mdy" } else { "dmy" }.into(),
        }
    }
}

fn quote(v: &str) -> String {
    if v.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The table in our format: our header, converted values, the same lines.
pub fn rewrite(table: &Table, m: &Mapping) -> String {
    let used: Vec<usize> = (0..TARGETS.len())
        .filter(|t| m.targets.contains(&Some(*t)))
        .collect();
    let mut out = String::new();
    out.push_str(
        &used
            .iter()
            .map(|t| TARGETS[*t].1)
            .collect::<Vec<_>>()
            .join(";"),
    );
    out.push('\n');
    let mut line = 2;
    for (at, fields) in &table.records {
        while line < *at {
            out.push('\n');
            line += 1;
        }
        let cells: Vec<String> = used
            .iter()
            .map(|t| {
                let key = TARGETS[*t].0;
                let parts: Vec<String> = m
                    .targets
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x == Some(*t))
                    .filter_map(|(i, _)| fields.get(i))
                    .map(|v| convert(key, v, m.month_first))
                    .filter(|v| !v.trim().is_empty())
                    .collect();
                quote(&parts.join(joiner(key).unwrap_or("")))
            })
            .collect();
        out.push_str(&cells.join(";"));
        out.push('\n');
        // The lines this record takes in the text written (columns not
        // imported are not written, nor their line breaks).
        line += 1 + cells.iter().map(|c| c.matches('\n').count()).sum::<usize>();
    }
    out
}

/// A value of a foreign shape in ours; anything else stays as it is (the row
/// rules then say what is wrong with it).
fn convert(key: &str, v: &str, month_first: bool) -> String {
    let t = v.trim();
    match key {
        "datum" => date_of(t, month_first),
        "von" | "bis" => clock_of(t),
        "dauer" | "pause" => duration_of(t),
        _ => v.to_string(),
    }
}

/// `2024-03-12T08:30:00+01:00` → `2024-03-12`; `03/12/2024` → `12.03.2024`
/// (month first) or `12/03/2024` → `12.03.2024` (day first).
pub fn date_of(t: &str, month_first: bool) -> String {
    if t.len() > 10 && t.as_bytes()[4] == b'-' && matches!(t.as_bytes()[10], b'T' | b' ') {
        return t[..10].to_string();
    }
    let parts: Vec<&str> = t.split('/').map(str::trim).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        let (d, m) = if month_first {
            (parts[1], parts[0])
        } else {
            (parts[0], parts[1])
        };
        return format!("{d}.{m}.{}", parts[2]);
    }
    t.to_string()
}

/// `08:30:15` → `8:30`, `08:30:45` → `8:31`, `1:26:00 PM` → `13:26`,
/// `2024-03-12 08:30` → `8:30`.
pub fn clock_of(t: &str) -> String {
    let mut s = t.to_string();
    if s.len() > 11 && s.as_bytes().get(4) == Some(&b'-') && matches!(s.as_bytes()[10], b'T' | b' ')
    {
        s = s[11..].to_string();
        // Drop a zone (`Z`, `+01:00`) and fractions of a second.
        if let Some(i) = s.find(['Z', '+']) {
            s.truncate(i);
        }
        if let Some(i) = s.rfind('-').filter(|i| *i > 4) {
            s.truncate(i);
        }
        if let Some(i) = s.find('.') {
            s.truncate(i);
        }
    }
    let lower = s.trim().to_lowercase();
    let (body, pm) = match lower
        .strip_suffix("am")
        .map(|b| (b, Some(false)))
        .or_else(|| lower.strip_suffix("pm").map(|b| (b, Some(true))))
    {
        Some((b, p)) => (b.trim().to_string(), p),
        None => (lower.clone(), None),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let num = |p: &str| p.parse::<u32>().ok();
    let (Some(mut h), Some(mut m)) = (
        parts.first().and_then(|p| num(p)),
        parts.get(1).and_then(|p| num(p)),
    ) else {
        return t.to_string();
    };
    if parts.len() > 3 || parts.get(1).is_some_and(|p| p.len() != 2) {
        return t.to_string();
    }
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    if let Some(sec) = parts.get(2).and_then(|p| num(p)) {
        if sec >= 30 && !(h == 23 && m == 59) {
            m += 1;
            if m == 60 {
                m = 0;
                h += 1;
            }
        }
    }
    if h > 23 || m > 59 {
        return t.to_string();
    }
    format!("{h}:{m:02}")
}

/// `01:23:40` → `1:24` (to the minute); anything else as it is.
pub fn duration_of(t: &str) -> String {
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return t.to_string();
    }
    let (Ok(h), Ok(m), Ok(s)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return t.to_string();
    };
    let total = h * 60 + m + u32::from(s >= 30);
    format!("{}:{:02}", total / 60, total % 60)
}

/// A known export format: its name and the target of each header it has.
struct Preset {
    name: &'static str,
    /// Slashed dates are month first unless the values show otherwise (US
    /// accounts); else day first.
    month_first: bool,
    /// Headers that must all be there (lower case).
    needs: &'static [&'static str],
    /// (header, target key); headers not listed are not imported.
    map: &'static [(&'static str, &'static str)],
}

/// The exports of common time-tracking tools, from their documentation and
/// real exports (docs/architecture.md › Spaltenzuordnung). Durations are left
/// out where start and end are given: the tools round them differently from
/// the clock times, and ours must agree within a minute.
const PRESETS: &[Preset] = &[
    Preset {
        name: "Kimai",
        month_first: false,
        needs: &["date", "from", "to", "duration", "project", "activity"],
        map: &[
            ("date", "datum"),
            ("from", "von"),
            ("to", "bis"),
            ("name", "mitarbeiter"),
            ("project", "projekt"),
            ("activity", "beschreibung"),
            ("description", "beschreibung"),
            ("billable", "abrechenbar"),
        ],
    },
    Preset {
        name: "Toggl Track",
        month_first: false,
        needs: &[
            "user",
            "project",
            "start date",
            "start time",
            "end time",
            "duration",
        ],
        map: &[
            ("user", "mitarbeiter"),
            ("project", "projekt"),
            ("task", "beschreibung"),
            ("description", "beschreibung"),
            ("billable", "abrechenbar"),
            ("start date", "datum"),
            ("start time", "von"),
            ("end time", "bis"),
        ],
    },
    Preset {
        name: "Clockify",
        month_first: true,
        needs: &[
            "project",
            "user",
            "start date",
            "start time",
            "end time",
            "duration (decimal)",
        ],
        map: &[
            ("project", "projekt"),
            ("task", "beschreibung"),
            ("description", "beschreibung"),
            ("user", "mitarbeiter"),
            ("billable", "abrechenbar"),
            ("start date", "datum"),
            ("start time", "von"),
            ("end time", "bis"),
        ],
    },
    Preset {
        name: "Clockify",
        month_first: false,
        needs: &["projekt", "benutzer", "startdatum", "startzeit", "endzeit"],
        map: &[
            ("projekt", "projekt"),
            ("aufgabe", "beschreibung"),
            ("beschreibung", "beschreibung"),
            ("benutzer", "mitarbeiter"),
            ("abrechenbar", "abrechenbar"),
            ("startdatum", "datum"),
            ("startzeit", "von"),
            ("endzeit", "bis"),
        ],
    },
    Preset {
        name: "Harvest",
        month_first: false,
        needs: &[
            "date",
            "client",
            "project",
            "task",
            "notes",
            "hours",
            "first name",
            "last name",
        ],
        map: &[
            ("date", "datum"),
            ("project", "projekt"),
            ("task", "beschreibung"),
            ("notes", "beschreibung"),
            ("hours", "dauer"),
            ("billable?", "abrechenbar"),
            ("first name", "mitarbeiter"),
            ("last name", "mitarbeiter"),
        ],
    },
];

/// Which order the slashed dates of a column are in: day first unless a
/// value's first part is a month and its second part cannot be (> 12), or
/// the tool writes US dates (Clockify, Toggl in US accounts: month first).
fn guess_month_first(table: &Table, date_col: Option<usize>, default: bool) -> bool {
    let Some(c) = date_col else { return default };
    let (mut day_first, mut month_first) = (false, false);
    for (_, f) in table.records.iter().take(500) {
        let parts: Vec<u32> = f
            .get(c)
            .map(|v| v.trim().split('/').filter_map(|p| p.parse().ok()).collect())
            .unwrap_or_default();
        if parts.len() == 3 {
            day_first |= parts[0] > 12;
            month_first |= parts[1] > 12;
        }
    }
    match (day_first, month_first) {
        (true, false) => false,
        (false, true) => true,
        _ => default,
    }
}

/// A preset whose headers the table has.
pub fn preset_for(table: &Table) -> Option<(&'static str, Mapping)> {
    let lower: Vec<String> = table.headers.iter().map(|h| h.to_lowercase()).collect();
    let p = PRESETS
        .iter()
        .find(|p| p.needs.iter().all(|n| lower.iter().any(|h| h == n)))?;
    let targets: Vec<Option<usize>> = lower
        .iter()
        .map(|h| {
            p.map
                .iter()
                .find(|(name, _)| name == h)
                .and_then(|(_, k)| target_index(k))
        })
        .collect();
    let date_col = targets.iter().position(|t| *t == target_index("datum"));
    let month_first = guess_month_first(table, date_col, p.month_first);
    Some((
        p.name,
        Mapping {
            targets,
            month_first,
        },
    ))
}

/// A first guess for an unknown header: our own names and their synonyms,
/// then common English ones.
pub fn suggest(table: &Table) -> MappingInput {
    let mut taken = std::collections::HashSet::new();
    let columns = table
        .headers
        .iter()
        .map(|h| {
            let key = csv::column_key(h).or_else(|| english(h)).unwrap_or("");
            if key.is_empty() || (joiner(key).is_none() && !taken.insert(key)) {
                String::new()
            } else {
                key.to_string()
            }
        })
        .collect();
    let date_col = table
        .headers
        .iter()
        .position(|h| csv::column_key(h).or_else(|| english(h)) == Some("datum"));
    MappingInput {
        columns,
        date_order: if guess_month_first(table, date_col, false) {
            "mdy"
        } else {
            "dmy"
        }
        .into(),
    }
}

fn english(h: &str) -> Option<&'static str> {
    let k: String = h
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    Some(match k.as_str() {
        "date" | "day" | "startdate" => "datum",
        "project" | "projectname" | "job" => "projekt",
        "subproject" => "unterprojekt",
        "user" | "employee" | "member" | "staff" | "worker" | "username" | "firstname"
        | "lastname" => "mitarbeiter",
        "from" | "starttime" | "begin" => "von",
        "to" | "endtime" | "end" => "bis",
        "break" => "pause",
        "duration" | "hours" | "time" => "dauer",
        "description" | "notes" | "note" | "comment" | "task" | "activity" => "beschreibung",
        "billable" | "billable?" => "abrechenbar",
        "quantity" | "qty" => "menge",
        "unit" => "einheit",
        "unitprice" => "einzelpreis",
        "vat" | "taxrate" => "steuersatz",
        _ => return None,
    })
}

/// One column as the Spaltenzuordnung shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ColumnView {
    pub header: String,
    /// The first non-empty values, at most three.
    pub samples: String,
    /// The target key, or "".
    pub target: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TargetChoice {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MappingView {
    pub columns: Vec<ColumnView>,
    pub targets: Vec<TargetChoice>,
    pub date_order: String,
    /// „Export aus Toggl Track erkannt.“ / „Zuordnung vom 01.12.2026 übernommen.“ / …
    pub source: String,
    /// Nothing can be imported until the columns are mapped.
    pub required: bool,
}

pub fn view(table: &Table, input: &MappingInput, source: String, required: bool) -> MappingView {
    let columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let samples: Vec<String> = table
                .records
                .iter()
                .filter_map(|(_, f)| f.get(i))
                .map(|v| v.trim().replace('\n', " "))
                .filter(|v| !v.is_empty())
                .take(3)
                .map(|v| {
                    if v.chars().count() > 40 {
                        format!("{}…", v.chars().take(40).collect::<String>())
                    } else {
                        v
                    }
                })
                .collect();
            ColumnView {
                header: if h.is_empty() {
                    format!("Spalte {}", i + 1)
                } else {
                    h.clone()
                },
                samples: samples.join(" · "),
                target: input.columns.get(i).cloned().unwrap_or_default(),
            }
        })
        .collect();
    MappingView {
        columns,
        targets: TARGETS
            .iter()
            .map(|(key, _, label)| TargetChoice { key, label })
            .collect(),
        date_order: if input.date_order == "mdy" {
            "mdy"
        } else {
            "dmy"
        }
        .into(),
        source,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_values_in_our_shapes() {
        assert_eq!(date_of("2024-03-12T08:30:00+01:00", false), "2024-03-12");
        assert_eq!(date_of("03/12/2024", true), "12.03.2024");
        assert_eq!(date_of("12/03/2024", false), "12.03.2024");
        assert_eq!(date_of("12.03.2024", true), "12.03.2024");
        assert_eq!(clock_of("13:40:15"), "13:40");
        assert_eq!(clock_of("13:45:30"), "13:46");
        assert_eq!(clock_of("23:59:45"), "23:59");
        assert_eq!(clock_of("01:26:00 PM"), "13:26");
        assert_eq!(clock_of("12:05 AM"), "0:05");
        assert_eq!(clock_of("12:30 pm"), "12:30");
        assert_eq!(clock_of("2024-03-12 08:30"), "8:30");
        assert_eq!(clock_of("2024-03-12T08:30:00.000+01:00"), "8:30");
        assert_eq!(clock_of("8:30"), "8:30");
        assert_eq!(clock_of("später"), "später");
        assert_eq!(duration_of("01:23:40"), "1:24");
        assert_eq!(duration_of("00:05:13"), "0:05");
        assert_eq!(duration_of("1.5"), "1.5");
    }

    fn table(text: &str) -> Table {
        Table::read(text).unwrap()
    }

    #[test]
    fn presets_are_recognised_by_their_headers() {
        let toggl = table("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)\nAnna,a@x.de,,Umbau,,Fliesen,Yes,2024-03-12,08:00:00,2024-03-12,09:30:00,01:30:00,,\n");
        let (name, m) = preset_for(&toggl).unwrap();
        assert_eq!(name, "Toggl Track");
        assert_eq!(
            m.input().columns,
            vec![
                "mitarbeiter",
                "",
                "",
                "projekt",
                "beschreibung",
                "beschreibung",
                "abrechenbar",
                "datum",
                "von",
                "",
                "bis",
                "",
                "",
                ""
            ]
        );
        let clockify = table("Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)\nUmbau,,x,,Anna,,,,Yes,03/14/2024,01:26:00 PM,03/14/2024,02:43:00 PM,01:17:00,1.28,0.00,0.00\n");
        let (name, m) = preset_for(&clockify).unwrap();
        assert_eq!(name, "Clockify");
        assert!(m.month_first, "14 cannot be a month");
        let harvest = table("Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,Invoiced?,Approved?,First Name,Last Name,Employee Id,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,External Reference URL\n");
        assert_eq!(preset_for(&harvest).unwrap().0, "Harvest");
        let kimai = table("Date,From,To,Duration,Currency,Price,Internal price,Hourly price,Fixed price,Name,User,E-mail,Staff number,Customer,Project,Activity,Description,Billable,Tags,Type\n");
        assert_eq!(preset_for(&kimai).unwrap().0, "Kimai");
        assert!(preset_for(&table("Foo;Bar\n1;2\n")).is_none());
    }

    #[test]
    fn a_mapping_needs_projekt_and_datum_and_one_column_per_field() {
        let ok = MappingInput {
            columns: vec![
                "projekt".into(),
                "datum".into(),
                "mitarbeiter".into(),
                "mitarbeiter".into(),
            ],
            date_order: "dmy".into(),
        };
        assert!(Mapping::check(&ok, 4).is_ok());
        let twice = MappingInput {
            columns: vec!["projekt".into(), "datum".into(), "datum".into()],
            ..Default::default()
        };
        assert_eq!(
            Mapping::check(&twice, 3).unwrap_err(),
            "„Datum“ ist mehreren Spalten zugeordnet. Bitte nur einer Spalte zuordnen."
        );
        let none = MappingInput::default();
        assert_eq!(
            Mapping::check(&none, 2).unwrap_err(),
            "Bitte eine Spalte als „Projekt“ und eine als „Datum“ zuordnen."
        );
        let bad = MappingInput {
            columns: vec!["projekt".into(), "datum".into(), "foo".into()],
            ..Default::default()
        };
        assert_eq!(
            Mapping::check(&bad, 3).unwrap_err(),
            "Unbekanntes Feld „foo“."
        );
    }

    #[test]
    fn the_rewrite_keeps_lines_and_joins_names() {
        let t = table("Date,Project,First Name,Last Name,Hours,Notes\n2024-03-12,Umbau,Jana,Kraus,1.5,\"Fliesen;\nverfugt\"\n\n2024-03-13,Umbau,Ole,Berg,2,Silikon\n");
        let m = preset_for(&t)
            .map(|(_, m)| m)
            .unwrap_or_else(|| Mapping::check(&suggest(&t), 6).unwrap());
        let out = rewrite(&t, &m);
        assert_eq!(
            out,
            "Projekt;Datum;Mitarbeiter;Dauer;Beschreibung\nUmbau;2024-03-12;Jana Kraus;1.5;\"Fliesen;\nverfugt\"\n\nUmbau;2024-03-13;Ole Berg;2;Silikon\n"
        );
        let parsed = csv::parse_csv(out.as_bytes()).unwrap();
        assert_eq!(
            parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 5]
        );
    }
}
