//! Stundennachweis: how long writing the PDF (and the CSV) takes, and how big
//! the file gets, for 100, 1,000 and 5,000 time entries (docs/benchmarks.md).
//!
//! `nice -n 10 cargo run --profile perf --example bench -- timesheet`

use std::time::Instant;

use zeitrechnung_lib::stundennachweis::{csv, pdf, Sheet, SheetGroup, SheetRow};

fn sheet(rows: usize) -> Sheet {
    let names = [
        "Jana Kraus",
        "Łukasz Wójcik",
        "Zoë Müller-Straße",
        "Jiří Dvořák",
    ];
    let notes = [
        "Leitungen verlegt",
        "Unterverteilung gesetzt, Sicherungen beschriftet und Prüfprotokoll erstellt",
        "Steckdosen im Verkaufsraum gesetzt; Abdeckungen montiert; Restarbeiten besprochen",
    ];
    let groups = (0..4)
        .map(|g| SheetGroup {
            heading: Some(format!("Unterprojekt {}", g + 1)),
            rows: (0..rows / 4)
                .map(|i| SheetRow {
                    date: format!("{:02}.03.2026", 1 + i % 28),
                    employee: names[(i + g) % 4].into(),
                    from_to: "07:30–16:00".into(),
                    pause: "0:30".into(),
                    duration: "8:00".into(),
                    billed: "8:00".into(),
                    description: notes[i % 3].into(),
                })
                .collect(),
            subtotal_recorded: "200:00".into(),
            subtotal_billed: "200:00".into(),
        })
        .collect();
    Sheet {
        firm: "Elektro Kraus GmbH".into(),
        customer_name: "Bäckerei Korn".into(),
        customer_lines: vec!["Mühlenweg 2".into(), "24937 Flensburg".into()],
        project: "Ladenumbau".into(),
        period: "01.03.2026 – 28.03.2026".into(),
        voucher: "Rechnung RE-1042".into(),
        written: "01.12.2026".into(),
        groups,
        total_recorded: "800:00".into(),
        total_billed: "800:00".into(),
        total_hours: "800,00 Std.".into(),
    }
}

pub fn run() {
    println!("| entries | PDF | pages | PDF size | CSV |");
    println!("|---:|---:|---:|---:|---:|");
    for n in [100usize, 1_000, 5_000] {
        let s = sheet(n);
        let mut best = f64::MAX;
        let mut bytes = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            bytes = pdf::render(&s).expect("renders");
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        // Pages as poppler counts them (poppler-utils, installed by scripts/setup.sh --test).
        let path = std::env::temp_dir().join(format!("bench-stundennachweis-{n}.pdf"));
        std::fs::write(&path, &bytes).expect("temp file");
        let pages = std::process::Command::new("pdfinfo")
            .arg(&path)
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout).lines().find_map(|l| {
                    l.strip_prefix("Pages:")
                        .map(|p| p.trim().parse::<usize>().unwrap_or(0))
                })
            })
            .unwrap_or(0);
        let _ = std::fs::remove_file(&path);
        let t = Instant::now();
        let c = csv::render(&s);
        let csv_ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "| {n} | {best:.0} ms | {} | {} KB | {csv_ms:.1} ms ({} KB) |",
            if pages > 0 {
                pages.to_string()
            } else {
                "–".into()
            },
            bytes.len() / 1024,
            c.len() / 1024
        );
    }
}
