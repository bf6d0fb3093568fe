//! Projekte › Importieren of files whose columns are not ours: the exports of
//! Kimai, Toggl Track, Clockify and Harvest (sample files written from their
//! documented formats, see docs/architecture.md › Spaltenzuordnung) are
//! recognised and imported with one click; an unknown format is mapped once in
//! the Spaltenzuordnung and remembered by its header set; a spreadsheet with
//! foreign headers and serial dates goes the same way; the fingerprints are
//! those of the same rows in our own format.

use crate::support;

use zeitrechnung_lib::projekte::columns::MappingInput;
use zeitrechnung_lib::projekte::{self as p, csv_import, EntryList, ProjectInput};

fn harness() -> support::Harness {
    support::harness("http://127.0.0.1:9")
}

async fn project(h: &support::Harness, name: &str) -> u64 {
    p::save(
        &h.core,
        ProjectInput {
            name: name.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id
}

fn write(h: &support::Harness, name: &str, bytes: &[u8]) -> String {
    let path = h.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// (date, start, end, minutes, employee, description, billable) of each entry.
fn facts(entries: &EntryList) -> Vec<(String, String, String, u32, String, String, bool)> {
    assert!(entries.services.is_empty(), "{:?}", entries.services);
    let mut v: Vec<_> = entries
        .times
        .iter()
        .map(|e| {
            (
                e.date_display.clone(),
                e.start.clone(),
                e.end.clone(),
                e.minutes,
                e.employee.clone(),
                e.description.clone(),
                e.billable,
            )
        })
        .collect();
    v.sort();
    v
}

fn fact(
    d: &str,
    s: &str,
    e: &str,
    m: u32,
    who: &str,
    what: &str,
    b: bool,
) -> (String, String, String, u32, String, String, bool) {
    (d.into(), s.into(), e.into(), m, who.into(), what.into(), b)
}

/// Toggl Track's Detailed report (UTF-8 with BOM, `,`, seconds in the times).
const TOGGL: &str = "\u{feff}User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)\n\
Jana Kraus,jana@example.com,Bäckerei Korn,Ofen Nord,,Brenner gewartet,Yes,2025-03-12,07:30:12,2025-03-12,09:45:40,02:15:28,,\n\
Ole Berg,ole@example.com,Bäckerei Korn,Ofen Nord,,\"Dichtung, Tür\",No,2025-03-13,13:00:00,2025-03-13,14:30:00,01:30:00,\"site, travel\",\n";

/// Clockify's Detailed report of a US account (MM/DD/YYYY, 12-hour times).
const CLOCKIFY: &str = "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)\n\
Ofen Nord,Bäckerei Korn,Brenner gewartet,,Jana Kraus,,jana@example.com,,Yes,03/14/2025,01:26:00 PM,03/14/2025,02:43:00 PM,01:17:00,1.28,0.00,0.00\n";

/// Harvest's Detailed time report (decimal hours, first and last name apart).
const HARVEST: &str = "Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,Invoiced?,Approved?,First Name,Last Name,Employee Id,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,Cost Amount,Currency,External Reference URL\r\n\
2025-03-17,Bäckerei Korn,Ofen Nord,ON-1,Wartung,Brenner gereinigt,1.5,Yes,No,No,Jana,Kraus,,,Yes,80,120,0,0,Euro - EUR,\r\n";

/// Kimai's default CSV template (decimal Duration beside From/To, Billable 1/0).
const KIMAI: &str = "Date,From,To,Duration,Currency,Price,Internal price,Hourly price,Fixed price,Name,User,E-mail,Staff number,Customer,Project,Activity,Description,Billable,Tags,Type\n\
2025-03-18,12:00,12:06,0.1,EUR,0,0,0,84,Jana Kraus,jana,,,Bäckerei Korn,Ofen Nord,Support,\"Fühler getauscht\",1,\"foo, bar\",timesheet\n";

#[tokio::test]
async fn exports_of_four_tools_are_recognised_and_imported() {
    let h = harness();
    let pid = project(&h, "Ofen Nord").await;
    for (file, text, tool, rows) in [
        ("toggl.csv", TOGGL, "Toggl Track", 2),
        ("clockify.csv", CLOCKIFY, "Clockify", 1),
        ("harvest.csv", HARVEST, "Harvest", 1),
        ("kimai.csv", KIMAI, "Kimai", 1),
    ] {
        let path = write(&h, file, text.as_bytes());
        let pv = csv_import::preview(&h.core, path.clone(), None, 0)
            .await
            .unwrap();
        let m = pv.mapping.as_ref().expect("a Spaltenzuordnung");
        assert_eq!(m.source, format!("Export aus {tool} erkannt."), "{file}");
        assert!(!m.required);
        assert_eq!((pv.valid, pv.invalid), (rows, 0), "{file}: {:#?}", pv.rows);
        assert_eq!(pv.delimiter, ",");
        let r = csv_import::import(&h.core, path, None).await.unwrap();
        assert_eq!(r.imported, rows, "{file}");
    }
    let entries = p::entries(&h.core, pid, None, None).await.unwrap();
    assert_eq!(
        facts(&entries),
        vec![
            // Toggl: seconds to the nearest minute (07:30:12 → 7:30, 09:45:40 → 9:46).
            fact(
                "12.03.2025",
                "07:30",
                "09:46",
                136,
                "Jana Kraus",
                "Brenner gewartet",
                true
            ),
            fact(
                "13.03.2025",
                "13:00",
                "14:30",
                90,
                "Ole Berg",
                "Dichtung, Tür",
                false
            ),
            // Clockify: 03/14/2025, 01:26:00 PM.
            fact(
                "14.03.2025",
                "13:26",
                "14:43",
                77,
                "Jana Kraus",
                "Brenner gewartet",
                true
            ),
            // Harvest: 1.5 hours; Task and Notes; first and last name.
            fact(
                "17.03.2025",
                "",
                "",
                90,
                "Jana Kraus",
                "Wartung – Brenner gereinigt",
                true
            ),
            // Kimai: From/To count, its rounded decimal Duration is not read.
            fact(
                "18.03.2025",
                "12:00",
                "12:06",
                6,
                "Jana Kraus",
                "Support – Fühler getauscht",
                true
            ),
        ]
    );
    // The employees were created from the names.
    let names: Vec<String> = h
        .core
        .store
        .employees()
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(names.contains(&"Jana Kraus".to_string()) && names.contains(&"Ole Berg".to_string()));
}

#[tokio::test]
async fn imported_rows_are_the_same_rows_as_in_our_own_format() {
    let h = harness();
    project(&h, "Ofen Nord").await;
    let toggl = write(&h, "toggl.csv", TOGGL.as_bytes());
    assert_eq!(
        csv_import::import(&h.core, toggl.clone(), None)
            .await
            .unwrap()
            .imported,
        2
    );
    // Again: nothing doubled.
    let again = csv_import::import(&h.core, toggl, None).await.unwrap();
    assert_eq!((again.imported, again.skipped_duplicates), (0, 2));
    // The same two rows written in our format are known as well.
    let ours = "Projekt;Datum;Mitarbeiter;Von;Bis;Beschreibung;Abrechenbar\n\
Ofen Nord;12.03.2025;Jana Kraus;7:30;9:46;Brenner gewartet;ja\n\
Ofen Nord;13.03.2025;Ole Berg;13:00;14:30;Dichtung, Tür;nein\n";
    let path = write(&h, "ours.csv", ours.as_bytes());
    let pv = csv_import::preview(&h.core, path, None, 0).await.unwrap();
    assert_eq!(pv.mapping, None, "our own header needs no mapping");
    assert_eq!((pv.valid, pv.duplicates), (0, 2));
}

#[tokio::test]
async fn an_unknown_format_is_mapped_once_and_remembered() {
    let h = harness();
    let pid = project(&h, "Dach Süd").await;
    let first = "Tag;Baustelle;Wer;Stunden;Was\n\
03.03.2025;Dach Süd;Jana Kraus;4,5;Lattung\n\
04.03.2025;Dach Süd;Ole Berg;3;Ziegel\n";
    let path = write(&h, "liste-maerz.csv", first.as_bytes());
    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    let m = pv.mapping.clone().unwrap();
    assert!(m.required);
    assert!(pv.rows.is_empty());
    // The first values are shown, and our own synonyms are suggested.
    let shown: Vec<(&str, &str, &str)> = m
        .columns
        .iter()
        .map(|c| (c.header.as_str(), c.samples.as_str(), c.target.as_str()))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("Tag", "03.03.2025 · 04.03.2025", "datum"),
            ("Baustelle", "Dach Süd · Dach Süd", ""),
            ("Wer", "Jana Kraus · Ole Berg", ""),
            ("Stunden", "4,5 · 3", "dauer"),
            ("Was", "Lattung · Ziegel", ""),
        ]
    );
    let e = csv_import::import(&h.core, path.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "Bitte zuerst die Spalten zuordnen.");
    // Refused mappings name the problem.
    let bad = MappingInput {
        columns: vec![
            "datum".into(),
            "datum".into(),
            "".into(),
            "".into(),
            "".into(),
        ],
        date_order: "dmy".into(),
    };
    let e = csv_import::preview(&h.core, path.clone(), Some(bad), 0)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "validation");
    assert_eq!(
        e.to_string(),
        "„Datum“ ist mehreren Spalten zugeordnet. Bitte nur einer Spalte zuordnen."
    );
    let mapping = MappingInput {
        columns: ["datum", "projekt", "mitarbeiter", "dauer", "beschreibung"]
            .map(String::from)
            .to_vec(),
        date_order: "dmy".into(),
    };
    let pv = csv_import::preview(&h.core, path.clone(), Some(mapping.clone()), 0)
        .await
        .unwrap();
    assert_eq!((pv.valid, pv.invalid), (2, 0), "{:#?}", pv.rows);
    assert_eq!(pv.rows[1].line, 3);
    let r = csv_import::import(&h.core, path, Some(mapping))
        .await
        .unwrap();
    assert_eq!(r.imported, 2);

    // April's list of the same shape: one click.
    let second = "Tag;Baustelle;Wer;Stunden;Was\n01.04.2025;Dach Süd;Jana Kraus;2;Rinne\n";
    let path = write(&h, "liste-april.csv", second.as_bytes());
    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    let m = pv.mapping.unwrap();
    assert!(!m.required);
    assert!(
        m.source.starts_with("Zuordnung vom ")
            && m.source
                .ends_with(" übernommen (gleiche Spalten wie beim letzten Import)."),
        "{}",
        m.source
    );
    assert_eq!(pv.valid, 1);
    csv_import::import(&h.core, path, None).await.unwrap();
    let entries = p::entries(&h.core, pid, None, None).await.unwrap();
    assert_eq!(
        facts(&entries),
        vec![
            fact("01.04.2025", "", "", 120, "Jana Kraus", "Rinne", true),
            fact("03.03.2025", "", "", 270, "Jana Kraus", "Lattung", true),
            fact("04.03.2025", "", "", 180, "Ole Berg", "Ziegel", true),
        ]
    );
}

#[tokio::test]
async fn a_spreadsheet_with_foreign_headers_and_serial_dates() {
    use rust_xlsxwriter::{Format, Workbook};
    let h = harness();
    let pid = project(&h, "Kita").await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let time = Format::new().set_num_format("hh:mm");
    for (c, head) in ["Datum", "Auftrag", "Monteur", "Beginn", "Ende"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *head).unwrap();
    }
    // 45728 = 12.03.2025; 0.3125 = 07:30; 0.5 = 12:00.
    sheet
        .write_number_with_format(1, 0, 45728.0, &date)
        .unwrap();
    sheet.write_string(1, 1, "Kita").unwrap();
    sheet.write_string(1, 2, "Łukasz Wójcik").unwrap();
    sheet.write_number_with_format(1, 3, 0.3125, &time).unwrap();
    sheet.write_number_with_format(1, 4, 0.5, &time).unwrap();
    let path = write(&h, "monteure.xlsx", &book.save_to_buffer().unwrap());
    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    let m = pv.mapping.unwrap();
    assert!(m.required);
    assert_eq!(m.columns[0].samples, "12.03.2025");
    assert_eq!(m.columns[3].samples, "7:30");
    let mapping = MappingInput {
        columns: ["datum", "projekt", "mitarbeiter", "von", "bis"]
            .map(String::from)
            .to_vec(),
        date_order: "dmy".into(),
    };
    let r = csv_import::import(&h.core, path, Some(mapping))
        .await
        .unwrap();
    assert_eq!(r.imported, 1);
    let entries = p::entries(&h.core, pid, None, None).await.unwrap();
    assert_eq!(
        facts(&entries),
        vec![fact(
            "12.03.2025",
            "07:30",
            "12:00",
            270,
            "Łukasz Wójcik",
            "",
            true
        )]
    );
}
