//! Tests of the whole import (`parse_csv`): file format, row rules, messages.

use super::*;
use crate::model::entry_rules::{EMPLOYEE_CHARS, SERVICE_NAME_CHARS, UNIT_CHARS};
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
    let csv = "Typ,Projekt,Datum,Bezeichnung,Menge,Einheit,Einzelpreis,Steuersatz,Beschreibung\n\
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
    bytes.extend_from_slice(b"B\xFCro;03.02.2025;M\xFCller;1,5;Pr\xFCfung \x96 B\xFCro 5 \x80\r\n");
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
    // Blanks around fields, blanks after a closing quote, a quote inside a plain field.
    let csv = "Projekt, Datum, Dauer, Beschreibung\nP1, 01.02.2025,\"1,5\" , Monitor 27\" prüfen\n";
    let file = parse_csv(csv.as_bytes()).unwrap();
    let t = time(&file.rows[0].result);
    assert_eq!(
        (t.minutes, t.description.as_str()),
        (90, "Monitor 27\" prüfen")
    );
    // A quote after blanks is text (RFC 4180, the `csv` crate): the field is split.
    let csv = "Projekt, Datum, Dauer\nP1, 01.02.2025, \"1,5\"\n";
    let err = parse_csv(csv.as_bytes()).unwrap().rows[0]
        .result
        .clone()
        .unwrap_err();
    assert!(err.contains("Zusätzlicher Wert „5\"“"), "{err}");
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

/// An imported row dated more than a week ahead is refused naming the date
/// (a typo in the year), like the forms.
#[test]
fn a_row_more_than_a_week_ahead_is_refused() {
    let err = one(&[
        ("Typ", "Zeit"),
        ("Projekt", "P-1"),
        ("Datum", "31.12.2099"),
        ("Dauer", "1:00"),
    ])
    .unwrap_err();
    assert!(
        err.contains(
            "31.12.2099 liegt mehr als eine Woche in der Zukunft. Bitte das Datum prüfen."
        ),
        "{err}"
    );
}
