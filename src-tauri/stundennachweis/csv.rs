//! The Stundennachweis as CSV for Excel: UTF-8 with BOM, `;`-separated,
//! German numbers and dates as shown on the PDF.

use super::Sheet;

fn field(s: &str) -> String {
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
