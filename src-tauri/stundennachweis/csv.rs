//! The Stundennachweis as CSV for Excel: UTF-8 with BOM, `;`-separated,
//! German numbers and dates as shown on the PDF.

use super::Sheet;

/// One cell. A text a spreadsheet would run as a formula (leading `=`, `+`,
/// `-`, `@`, tab or CR: „=HYPERLINK(…)“ typed into a description) gets a
/// leading `'`, which Excel and LibreOffice show as text.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn render(sheet: &Sheet) -> String {
    let mut out = String::from("\u{feff}");
    let head = [
        "Gruppe",
        "Datum",
        "Mitarbeiter",
        "Von–Bis",
        "Pause",
        "Dauer",
        "abgerechnet",
        "Beschreibung",
    ];
    out.push_str(&head.join(";"));
    out.push_str("\r\n");
    for g in &sheet.groups {
        for r in &g.rows {
            let cells = [
                g.heading.as_deref().unwrap_or(""),
                &r.date,
                &r.employee,
                &r.from_to,
                &r.pause,
                &r.duration,
                &r.billed,
                &r.description,
            ];
            out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(";"));
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!(
        "Gesamt;;;;;{};{};Abgerechnete Stunden: {}\r\n",
        sheet.total_recorded, sheet.total_billed, sheet.total_hours
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn formulas_become_text_and_separators_are_quoted() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\";\"klick\")"),
            "\"'=HYPERLINK(\"\"http://x\"\";\"\"klick\"\")\""
        );
        assert_eq!(field("+49 431 1234"), "'+49 431 1234");
        assert_eq!(field("-5"), "'-5");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field("Fliesen; Bad"), "\"Fliesen; Bad\"");
        assert_eq!(field("7:30"), "7:30");
        assert_eq!(field("Jana Kraus"), "Jana Kraus");
    }
}
