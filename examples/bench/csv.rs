//! Benchmark (not a test): Projekte › Importieren's reading of a CSV file at the
//! row limit (20,000 rows: 95 % times, 5 % services, every 10th Beschreibung
//! quoted with a `;` and a line break inside), through `csv::parse_csv` (decode,
//! the `csv` crate's records, header, row rules, fingerprints). Also the same
//! file with one stray quote in its last row (the tail read again to find it),
//! and as Windows-1252. Median of 7 after one warm-up.
//!
//!   nice -n 10 cargo run --profile perf --example bench -- csv
//!
//! See docs/benchmarks.md › CSV-Import.

use std::time::Instant;

use zeitrechnung_lib::projekte::csv::{parse_csv, MAX_ROWS};

fn file(rows: usize) -> String {
    let mut s = String::from("Typ;Projekt;Datum;Mitarbeiter;Von;Bis;Pause;Beschreibung;Bezeichnung;Menge;Einheit;Einzelpreis\n");
    for i in 0..rows {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        if i % 20 == 19 {
            s.push_str(&format!(
                "Leistung;Ladenumbau;{day:02}.{month:02}.2025;;;;;;Kabel NYM-J {i};{}.5;m;1,{:02}\n",
                1 + i % 9,
                i % 100
            ));
        } else if i % 10 == 9 {
            s.push_str(&format!(
                "Zeit;Ladenumbau;{day:02}.{month:02}.2025;Jana Kraus;07:30;16:00;30;\"Aufmaß; Gespräch\nmit Bauherr Nr. {i}\";;;;\n"
            ));
        } else {
            s.push_str(&format!(
                "Zeit;Ladenumbau;{day:02}.{month:02}.2025;Jürgen Öztürk;7:30;12:00;0;Fliesen verlegen {i};;;;\n"
            ));
        }
    }
    s
}

fn median_ms(bytes: &[u8]) -> (f64, usize, usize) {
    let run = || {
        let t = Instant::now();
        let f = parse_csv(bytes).expect("the file reads");
        let ok = f.rows.iter().filter(|r| r.result.is_ok()).count();
        (t.elapsed().as_secs_f64() * 1000.0, f.rows.len(), ok)
    };
    run();
    let mut times: Vec<(f64, usize, usize)> = (0..7).map(|_| run()).collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    times[3]
}

pub fn run() {
    let text = file(MAX_ROWS);
    let (ms, rows, ok) = median_ms(text.as_bytes());
    println!(
        "UTF-8, {:.1} MB: {rows} rows ({ok} valid) in {ms:.1} ms",
        text.len() as f64 / 1e6
    );

    let mut stray = text.clone();
    stray.truncate(stray.len() - 1);
    stray.push_str(";\"offen\n");
    let (ms, rows, ok) = median_ms(stray.as_bytes());
    println!("stray quote in the last row: {rows} rows ({ok} valid) in {ms:.1} ms");

    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let (ms, rows, ok) = median_ms(&cp1252);
    println!("Windows-1252: {rows} rows ({ok} valid) in {ms:.1} ms");
}
