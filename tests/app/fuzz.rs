//! Every parser of outside data, fed mutated real files on stable Rust: the
//! spreadsheet reader (`.xlsx` bytes and parts, `.xls` records), the CSV rules, the Spaltenzuordnung, a backup, the
//! binary entry codec and lexoffice's contact JSON. Each runs 10,000 cases in
//! a child process (this binary again) under a 2 GB address-space limit, so
//! a case that allocates without bound fails the suite instead of the machine;
//! nothing may panic. A failure names the target, seed and case, which replay
//! alone (`ZR_FUZZ_TARGET=csv ZR_FUZZ_FROM=1234 cargo test --test app fuzz::fuzz_child
//! -- --ignored --nocapture`).

use crate::support;

use std::io::{Read, Write};
use std::process::Command;

use support::Rng;

/// Cases per parser (`support::cases`: 10,000, or 2,000 in a quick run).
fn cases() -> u64 {
    support::cases(10_000)
}

const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\"",
    b";",
    b"\n",
    b"\r",
    b",",
    b"\t",
    b"-",
    b"=",
    b"%",
    b"\\",
    b"99999999999999999999",
    b"-1",
    b"0",
    b"1e308",
    b"NaN",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\xc3",
    b"\xe2\x80\x9e",
    b"</c>",
    b"<c r=\"XFD1048576\">",
    b"count=\"4294967295\"",
    b"null",
    b"true",
    b"24:00",
    b"31.02.2025",
    b"0,0000001",
];

/// One mutation of `base`: flips, inserts, deletions, duplicated chunks,
/// interesting tokens, truncation; several stacked.
fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.index(4) {
        let at = rng.index(v.len() + 1);
        match rng.index(6) {
            0 if !v.is_empty() => {
                let i = rng.index(v.len());
                v[i] ^= 1 << rng.index(8);
            }
            1 => {
                let token = INTERESTING[rng.index(INTERESTING.len())];
                v.splice(at..at, token.iter().copied());
            }
            2 if !v.is_empty() => {
                let len = 1 + rng.index(16.min(v.len() - at.min(v.len() - 1)));
                let end = (at + len).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 if !v.is_empty() => {
                let from = rng.index(v.len());
                let len = 1 + rng.index(64.min(v.len() - from));
                let chunk: Vec<u8> = v[from..from + len].to_vec();
                v.splice(at..at, chunk);
            }
            4 => v.truncate(at),
            _ => {
                let b = (rng.next() & 0xff) as u8;
                v.insert(at, b);
            }
        }
    }
    v
}

fn real_csv() -> Vec<u8> {
    "\u{feff}Typ;Projekt;Unterprojekt;Datum;Mitarbeiter;Von;Bis;Pause;Dauer;Beschreibung;Bezeichnung;Menge;Einheit;Einzelpreis;Steuersatz\n\
Zeit;K-7;;03.03.2025;Jana;08:00;12:00;0:30;;Aufmaß;;;;;\n\
Zeit;K-7;Elektrik;2025-03-04;Ole;;;;1,5;\"Leitungen; neu\";;;;;\n\
Leistung;Kita;Elektrik;04.03.2025;;;;;;;Kabel NYM 3x1,5;25;m;1,20;19\n"
        .as_bytes()
        .to_vec()
}

fn real_toggl() -> Vec<u8> {
    b"User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (EUR)\n\
Jana Kraus,jana@example.com,B\xc3\xa4ckerei Korn,Ofen Nord,,Reparatur,Yes,2025-03-18,08:00:00,2025-03-18,10:30:00,02:30:00,,\n"
        .to_vec()
}

fn real_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    for (c, head) in ["Typ", "Projekt", "Datum", "Dauer", "Beschreibung"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *head).unwrap();
    }
    for r in 1..6u32 {
        sheet.write_string(r, 0, "Zeit").unwrap();
        sheet.write_string(r, 1, "K-7").unwrap();
        sheet
            .write_number_with_format(r, 2, 45719.0 + f64::from(r), &date)
            .unwrap();
        sheet.write_number(r, 3, 1.5).unwrap();
        sheet.write_string(r, 4, "Fliesen & Fugen").unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The `.xlsx` with one inner part mutated and zipped again (structure-aware:
/// most raw mutations of a zip end at its checksum).
fn mutate_inner(xlsx: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let target = rng.index(zin.len());
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if i == target {
            bytes = mutate(&bytes, rng);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn real_backup() -> Vec<u8> {
    let h = support::harness("http://127.0.0.1:9");
    let mut c = support::manual_customer(1, "Müller & Söhne");
    c.hourly_rate = Some(rust_decimal::Decimal::new(7250, 2));
    h.core.store.put_customer(&c).unwrap();
    let mut out = Vec::new();
    h.core.store.export_to(&mut out).unwrap();
    out
}

fn real_entry() -> Vec<u8> {
    use zeitrechnung_lib::storage::{BillingState, Entry, EntryKind};
    let now = chrono::Utc::now();
    let e = Entry {
        id: 7,
        project_id: 3,
        date: chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
        description: "Leitungen verlegt".into(),
        billable: true,
        billing: BillingState::Billed {
            invoice_id: "d2af7e1c".into(),
        },
        kind: EntryKind::Time {
            employee: "Jana Kraus".into(),
            employee_id: Some(5),
            start: chrono::NaiveTime::from_hms_opt(8, 0, 0),
            end: chrono::NaiveTime::from_hms_opt(12, 0, 0),
            break_minutes: 30,
            minutes: 210,
        },
        csv_fingerprint: Some(42),
        created_at: now,
        updated_at: now,
    };
    zeitrechnung_lib::storage::entry_codec::encode(&e)
}

fn real_contact() -> Vec<u8> {
    r#"{"id":"be9475f4-ef80-442b-8ab9-3ab8b1a2aeb9","organizationId":"aa93e8a8-2aa3-470b-b914-caad8a255dd8","version":3,
"roles":{"customer":{"number":10307}},"company":{"name":"Baumarkt &amp; Co","taxNumber":"12345/12345","vatRegistrationId":"DE123456789",
"allowTaxFreeInvoices":true,"contactPersons":[{"salutation":"Frau","firstName":"Inge","lastName":"Müller","primary":true,
"emailAddress":"inge@example.com","phoneNumber":"08000/11111"}]},"addresses":{"billing":[{"supplement":"Gebäude 10",
"street":"Musterstraße 42","zip":"79112","city":"Freiburg","countryCode":"DE"}]},"xRechnung":{"buyerReference":"04011000-1234512345-35"},
"emailAddresses":{"business":["info@example.com"]},"phoneNumbers":{"business":["08000/1231"]},"note":"Notizen","archived":false}"#
        .as_bytes()
        .to_vec()
}

/// One parser on one input; it may refuse, never panic.
fn run_target(target: &str, bytes: &[u8]) {
    match target {
        "spreadsheet" | "spreadsheet-inner" | "xls" => {
            let _ = zeitrechnung_lib::projekte::spreadsheet::to_csv_text(bytes);
        }
        "csv" => {
            let _ = zeitrechnung_lib::projekte::csv::parse_csv(bytes);
        }
        "columns" => {
            let text = String::from_utf8_lossy(bytes);
            if let Some(table) = zeitrechnung_lib::projekte::columns::Table::read(&text) {
                let input = zeitrechnung_lib::projekte::columns::suggest(&table);
                let _ =
                    zeitrechnung_lib::projekte::columns::view(&table, &input, "Datei".into(), true);
            }
        }
        "backup" => {
            let _ = zeitrechnung_lib::storage::Backup::from_json(bytes);
        }
        "entry" => {
            let _ = zeitrechnung_lib::storage::entry_codec::decode(bytes);
        }
        "contact" => {
            if let Ok(c) = serde_json::from_slice::<zeitrechnung_lib::lexoffice::Contact>(bytes) {
                let customer = zeitrechnung_lib::kunden::contact_json::as_customer(&c);
                let _ = zeitrechnung_lib::kunden::contact_json::new_contact(&customer);
            }
        }
        other => panic!("unknown fuzz target {other}"),
    }
}

fn base_of(target: &str) -> Vec<u8> {
    match target {
        "spreadsheet" | "spreadsheet-inner" => real_xlsx(),
        // The BIFF records of an `.xls`, mutated inside an intact container.
        "xls" => support::xls::workbook_stream(
            3,
            &[
                (0, 0, "Typ"),
                (0, 1, "Projekt"),
                (0, 2, "Datum"),
                (0, 3, "Dauer"),
                (1, 0, "Zeit"),
                (1, 1, "K-7"),
                (1, 2, "03.03.2025"),
                (1, 3, "1:30"),
                (2, 3, "2:00"),
            ],
        ),
        "csv" => real_csv(),
        "columns" => real_toggl(),
        "backup" => real_backup(),
        "entry" => real_entry(),
        "contact" => real_contact(),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// The child: runs the cases of `ZR_FUZZ_TARGET` from `ZR_FUZZ_FROM`, printing
/// each case number before it runs (the parent names the one that failed).
#[test]
#[ignore = "child process of the fuzz suite"]
fn fuzz_child() {
    let Ok(target) = std::env::var("ZR_FUZZ_TARGET") else {
        return;
    };
    let from: u64 = std::env::var("ZR_FUZZ_FROM").map_or(0, |v| v.parse().unwrap());
    let to: u64 = std::env::var("ZR_FUZZ_TO").map_or(cases(), |v| v.parse().unwrap());
    let base = base_of(&target);
    let mut out = std::io::stdout();
    for case in from..to {
        let mut rng = Rng(case.wrapping_mul(7919).wrapping_add(target.len() as u64));
        let input = if target == "spreadsheet-inner" {
            mutate_inner(&base, &mut rng)
        } else if target == "xls" {
            support::xls::ole(&mutate(&base, &mut rng))
        } else {
            mutate(&base, &mut rng)
        };
        writeln!(out, "case {case}").unwrap();
        run_target(&target, &input);
    }
    writeln!(out, "fuzz done {}", to - from).unwrap();
}

/// Runs one target's cases in a child under a 2 GB address-space limit.
fn fuzz(target: &str) {
    let cases = cases();
    let exe = std::env::current_exe().unwrap();
    let started = std::time::Instant::now();
    let out = Command::new("sh")
        .args([
            "-c",
            "ulimit -v 2097152 && exec \"$0\" --exact fuzz::fuzz_child --ignored --nocapture --test-threads=1",
        ])
        .arg(&exe)
        .env("ZR_FUZZ_TARGET", target)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last_case = stdout
        .lines()
        .rev()
        .find_map(|l| l.rsplit_once("case ").map(|(_, n)| n.to_string()))
        .unwrap_or_default();
    assert!(
        out.status.success() && stdout.contains(&format!("fuzz done {cases}")),
        "fuzz {target}: failed at case {last_case} (replay: ZR_FUZZ_TARGET={target} ZR_FUZZ_FROM={last_case} ZR_FUZZ_TO={}): {}",
        last_case.parse::<u64>().map_or(0, |c| c + 1),
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .join("\n")
    );
    support::report(
        &format!("fuzz-{target}"),
        &format!(
            "fuzz {target}: {cases} cases, no panic escaped, under 2 GB ({:.1} s)",
            started.elapsed().as_secs_f64()
        ),
    );
}

#[test]
fn fuzz_spreadsheet_bytes() {
    fuzz("spreadsheet");
}

#[test]
fn fuzz_spreadsheet_parts() {
    fuzz("spreadsheet-inner");
}

#[test]
fn fuzz_xls_records() {
    fuzz("xls");
}

#[test]
fn fuzz_csv() {
    fuzz("csv");
}

#[test]
fn fuzz_column_mapping() {
    fuzz("columns");
}

#[test]
fn fuzz_backup_json() {
    fuzz("backup");
}

#[test]
fn fuzz_entry_codec() {
    fuzz("entry");
}

#[test]
fn fuzz_lexoffice_contact_json() {
    fuzz("contact");
}
