//! Projekte through the domain module: projects and subprojects, rates,
//! times and services, range queries, billed-entry locks, totals, deletion,
//! and the CSV import (preview, bad rows, idempotent re-import).

use crate::support;

use support::Rng;

use chrono::NaiveDate;
use zeitrechnung_lib::abrechnung as ab;
use zeitrechnung_lib::error::AppError;
use zeitrechnung_lib::projekte::{self as p, csv_import, ProjectInput, ServiceInput, TimeInput};
use zeitrechnung_lib::storage::{BillingState, Entry};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn harness() -> support::Harness {
    support::harness("http://127.0.0.1:9")
}

async fn project(
    h: &support::Harness,
    name: &str,
    number: &str,
    parent: Option<u64>,
    rate: &str,
) -> u64 {
    p::save(
        &h.core,
        ProjectInput {
            name: name.into(),
            number: number.into(),
            parent_id: parent,
            hourly_rate: rate.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id
}

async fn time(h: &support::Harness, project_id: u64, date: &str, duration: &str) -> u64 {
    p::save_time(
        &h.core,
        TimeInput {
            project_id,
            date: date.into(),
            duration: duration.into(),
            employee: "Jana".into(),
            new_employee: true,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn range_queries_cover_project_and_subproject_across_month_boundaries() {
    let h = harness();
    let main = project(&h, "Umbau Kita", "P-1", None, "").await;
    let sub = project(&h, "Elektrik", "", Some(main), "").await;
    let other = project(&h, "Anderes", "P-2", None, "").await;
    for (pid, date) in [
        (main, "31.01.2025"),
        (main, "01.02.2025"),
        (sub, "15.02.2025"),
        (sub, "28.02.2025"),
        (main, "01.03.2025"),
        (other, "10.02.2025"),
    ] {
        time(&h, pid, date, "1:00").await;
    }
    let feb = p::entries(&h.core, main, Some(d("2025-02-01")), Some(d("2025-02-28")))
        .await
        .unwrap();
    // Newest first, as the table shows them.
    let dates: Vec<String> = feb.times.iter().map(|e| e.date_display.clone()).collect();
    assert_eq!(dates, ["28.02.2025", "15.02.2025", "01.02.2025"]);
    assert_eq!(feb.times[1].subproject, "Elektrik");
    assert_eq!(feb.times[2].subproject, "");
    // Store level: a month of one project is one range.
    let only_sub = h
        .core
        .store
        .entries_in(sub, d("2025-02-01"), d("2025-02-28"))
        .unwrap();
    assert_eq!(only_sub.len(), 2);
    assert_eq!(
        h.core
            .store
            .entries_in(main, d("2025-01-31"), d("2025-01-31"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        p::entries(&h.core, main, None, None).await.unwrap().len(),
        5
    );
}

#[tokio::test]
async fn durations_from_span_or_typed_and_field_errors() {
    let h = harness();
    let pid = project(&h, "Dach", "", None, "").await;
    let e = p::save_time(
        &h.core,
        TimeInput {
            project_id: pid,
            date: "03.03.2025".into(),
            start: "08:00".into(),
            end: "16:30".into(),
            break_time: "0:30".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(e.minutes, 480);
    assert_eq!(e.duration_display, "8:00");
    for (dur, minutes) in [("1:30", 90), ("1,5", 90), ("0,25", 15)] {
        let e = p::save_time(
            &h.core,
            TimeInput {
                project_id: pid,
                date: "2025-03-04".into(),
                duration: dur.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(e.minutes, minutes, "{dur}");
    }
    let bad: Vec<(TimeInput, &str)> = vec![
        (
            TimeInput {
                project_id: pid,
                date: "32.01.2025".into(),
                duration: "1".into(),
                ..Default::default()
            },
            "Datum",
        ),
        (
            TimeInput {
                project_id: pid,
                date: "01.01.2025".into(),
                ..Default::default()
            },
            "Dauer",
        ),
        (
            TimeInput {
                project_id: pid,
                date: "01.01.2025".into(),
                start: "10:00".into(),
                end: "09:00".into(),
                ..Default::default()
            },
            "Bis",
        ),
        (
            TimeInput {
                project_id: pid,
                date: "01.01.2025".into(),
                start: "25:00".into(),
                end: "26:00".into(),
                ..Default::default()
            },
            "Von",
        ),
        (
            TimeInput {
                project_id: pid,
                date: "01.01.2025".into(),
                duration: "-1".into(),
                ..Default::default()
            },
            "Dauer",
        ),
        (
            TimeInput {
                project_id: pid,
                date: "01.01.2025".into(),
                start: "08:00".into(),
                end: "09:00".into(),
                duration: "3:00".into(),
                ..Default::default()
            },
            "Dauer",
        ),
    ];
    for (input, field) in bad {
        match p::save_time(&h.core, input).await {
            Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn services_validate_and_total_in_decimal() {
    let h = harness();
    let pid = project(&h, "Garten", "", None, "").await;
    let s = p::save_service(
        &h.core,
        ServiceInput {
            project_id: pid,
            date: "05.03.2025".into(),
            name: "Rindenmulch".into(),
            quantity: "2,5".into(),
            unit: "m²".into(),
            unit_price: "13,40".into(),
            tax_rate: "7".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(s.amount_display, "33,50 €");
    // „Bearbeiten“ shows the price as typed in German, the list with €.
    assert_eq!(
        (s.unit_price_input.as_str(), s.unit_price_display.as_str()),
        ("13,40", "13,40 €")
    );
    for (input, field) in [
        (
            ServiceInput {
                project_id: pid,
                date: "05.03.2025".into(),
                name: "".into(),
                quantity: "1".into(),
                unit_price: "1".into(),
                ..Default::default()
            },
            "Bezeichnung",
        ),
        (
            ServiceInput {
                project_id: pid,
                date: "05.03.2025".into(),
                name: "X".into(),
                quantity: "-1".into(),
                unit_price: "1".into(),
                ..Default::default()
            },
            "Menge",
        ),
        (
            ServiceInput {
                project_id: pid,
                date: "05.03.2025".into(),
                name: "X".into(),
                quantity: "1".into(),
                unit_price: "abc".into(),
                ..Default::default()
            },
            "Einzelpreis",
        ),
        (
            ServiceInput {
                project_id: pid,
                date: "05.03.2025".into(),
                name: "X".into(),
                quantity: "1".into(),
                unit_price: "1".into(),
                tax_rate: "16".into(),
                ..Default::default()
            },
            "Steuersatz",
        ),
        (
            ServiceInput {
                project_id: pid,
                date: "05.03.2025".into(),
                name: "X".into(),
                quantity: "1,12345".into(),
                unit_price: "1".into(),
                ..Default::default()
            },
            "Menge",
        ),
    ] {
        match p::save_service(&h.core, input).await {
            Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn rates_inherit_and_totals_use_them() {
    let h = harness();
    zeitrechnung_lib::schnittstellen::save_rate(&h.core, "80".into())
        .await
        .unwrap();
    let main = project(&h, "Haus", "", None, "").await;
    let sub = project(&h, "Keller", "", Some(main), "100").await;
    let sub2 = project(&h, "Dach", "", Some(main), "").await;
    time(&h, main, "01.03.2025", "1:00").await; // 80
    time(&h, sub, "02.03.2025", "1:30").await; // 150
    time(&h, sub2, "03.03.2025", "0:20").await; // 0,33 Std. × 80 = 26.40 (the line's hours × rate)
    let d = p::get(&h.core, main).await.unwrap();
    assert_eq!(
        d.rate.source.as_deref(),
        Some("aus Einstellungen › Schnittstellen")
    );
    assert_eq!(d.totals.hours_display, "2:50 h");
    assert_eq!(d.totals.open_net_display, "256,40 €");
    let ds = p::get(&h.core, sub2).await.unwrap();
    assert_eq!(ds.rate.display.as_deref(), Some("80,00 €/h"));
}

#[tokio::test]
async fn billed_entries_are_locked_and_block_deletion() {
    let h = harness();
    let pid = project(&h, "Bad", "", None, "90").await;
    let id = time(&h, pid, "10.03.2025", "2:00").await;
    let mut e: Entry = h.core.store.entry(id).unwrap().unwrap();
    e.billing = BillingState::Billed {
        invoice_id: "inv-1".into(),
    };
    h.core.store.put_entries(&[e]).unwrap();
    let view = &p::entries(&h.core, pid, None, None).await.unwrap().times[0];
    assert_eq!(view.state, "abgerechnet");
    assert!(view
        .locked_reason
        .as_deref()
        .unwrap()
        .contains("abgerechnet"));
    let err = p::save_time(
        &h.core,
        TimeInput {
            id: Some(id),
            project_id: pid,
            date: "10.03.2025".into(),
            duration: "3".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("abgerechnet"));
    assert!(p::delete_entry(&h.core, id).await.is_err());
    let err = p::delete(&h.core, pid, true).await.unwrap_err();
    assert!(err.to_string().contains("archiviert"));
    // Totals: billed time is not open any more.
    assert_eq!(
        p::get(&h.core, pid).await.unwrap().totals.open_net_display,
        "0,00 €"
    );
}

#[tokio::test]
async fn deleting_asks_first_when_there_are_entries() {
    let h = harness();
    let pid = project(&h, "Zaun", "", None, "").await;
    let sub = project(&h, "Tor", "", Some(pid), "").await;
    time(&h, sub, "10.03.2025", "1:00").await;
    let asked = p::delete(&h.core, pid, false).await.unwrap();
    let check = asked.check.expect("asks first");
    assert!(asked.deleted.is_none());
    assert_eq!((check.entries, check.subprojects), (1, 1));
    assert!(h.core.store.project(pid).unwrap().is_some());
    let before_entries = h.core.store.entries_of(sub).unwrap();
    let before_projects = h.core.store.projects().unwrap();
    let done = p::delete(&h.core, pid, true).await.unwrap();
    assert!(done.check.is_none());
    let deleted = done.deleted.expect("deleted, with Rückgängig");
    assert_eq!(deleted.message, "Projekt „Zaun“ gelöscht");
    assert!(h.core.store.projects().unwrap().is_empty());
    assert!(h.core.store.entries_of(sub).unwrap().is_empty());
    // „Rückgängig“: the project, its subproject and the entry come back exactly.
    assert_eq!(
        p::undo::undo(&h.core, deleted.undo).await.unwrap(),
        "Projekt „Zaun“ wiederhergestellt"
    );
    let mut after = h.core.store.projects().unwrap();
    let mut before = before_projects;
    after.sort_by_key(|p| p.id);
    before.sort_by_key(|p| p.id);
    assert_eq!(after, before);
    assert_eq!(h.core.store.entries_of(sub).unwrap(), before_entries);
    // Once only.
    let err = p::undo::undo(&h.core, deleted.undo).await.unwrap_err();
    assert!(err.to_string().contains("nicht mehr rückgängig"), "{err}");
}

#[tokio::test]
async fn a_deleted_or_edited_entry_comes_back_with_rueckgaengig() {
    let h = harness();
    let pid = project(&h, "Zaun", "", None, "").await;
    let id = time(&h, pid, "10.03.2025", "1:00").await;
    let before = h.core.store.entry(id).unwrap().unwrap();
    // Edit, then undo: the old version is back.
    let edited = p::save_time(
        &h.core,
        TimeInput {
            id: Some(id),
            project_id: pid,
            date: "gestern".into(),
            duration: "3:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.minutes, 180);
    assert_eq!(
        edited.date,
        zeitrechnung_lib::de::clock::today_berlin() - chrono::Duration::days(1)
    );
    p::undo::undo(&h.core, edited.undo.expect("an edit can be undone"))
        .await
        .unwrap();
    assert_eq!(h.core.store.entry(id).unwrap().unwrap(), before);
    // Delete, then undo.
    let deleted = p::delete_entry(&h.core, id).await.unwrap();
    assert_eq!(deleted.message, "Zeit gelöscht");
    assert!(h.core.store.entry(id).unwrap().is_none());
    assert_eq!(
        p::undo::undo(&h.core, deleted.undo).await.unwrap(),
        "Eintrag wiederhergestellt"
    );
    assert_eq!(h.core.store.entry(id).unwrap().unwrap(), before);
}

#[tokio::test]
async fn a_customer_without_projects_is_deleted_and_comes_back_with_rueckgaengig() {
    use zeitrechnung_lib::kunden::{self, CustomerInput};
    let h = harness();
    let input = |name: &str, number: &str| CustomerInput {
        kind: "company".into(),
        name: name.into(),
        number: number.into(),
        city: "Kiel".into(),
        ..Default::default()
    };
    let kiel = kunden::save(&h.core, input("Nordlicht GmbH", "K-7"))
        .await
        .unwrap()
        .customer;
    kunden::set_rate(&h.core, kiel.id, "72,50".into())
        .await
        .unwrap();
    let before = h.core.store.customer(kiel.id).unwrap().unwrap();

    let deleted = kunden::delete::delete(&h.core, kiel.id).await.unwrap();
    assert_eq!(deleted.message, "Kunde „Nordlicht GmbH“ gelöscht");
    assert!(h.core.store.customer(kiel.id).unwrap().is_none());
    assert!(kunden::list(&h.core).await.unwrap().is_empty());
    // „Rückgängig“: the same record, id, number and rate included.
    assert_eq!(
        p::undo::undo(&h.core, deleted.undo).await.unwrap(),
        "Kunde „Nordlicht GmbH“ wiederhergestellt"
    );
    assert_eq!(h.core.store.customer(kiel.id).unwrap().unwrap(), before);
    assert_eq!(kunden::list(&h.core).await.unwrap().len(), 1);

    // A customer with projects (a main project and its subproject) stays.
    let bau = kunden::save(&h.core, input("Bau Meyer", "K-8"))
        .await
        .unwrap()
        .customer;
    let main = p::save(
        &h.core,
        ProjectInput {
            name: "Dach".into(),
            customer_id: Some(bau.id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    project(&h, "Gauben", "", Some(main), "").await;
    let err = kunden::delete::delete(&h.core, bau.id).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "„Bau Meyer“ hat noch ein Projekt und kann nicht gelöscht werden. Ordnen Sie es zuerst einem anderen Kunden zu oder löschen Sie es."
    );
    assert!(h.core.store.customer(bau.id).unwrap().is_some());

    // The project deleted, then its customer; „Rückgängig“ of the project brings
    // it back with its entries but without the customer that is gone.
    time(&h, main, "10.03.2025", "2:00").await;
    let project_gone = p::delete(&h.core, main, true)
        .await
        .unwrap()
        .deleted
        .unwrap();
    let customer_gone = kunden::delete::delete(&h.core, bau.id).await.unwrap();
    assert_eq!(
        p::undo::undo(&h.core, project_gone.undo).await.unwrap(),
        "Projekt „Dach“ wiederhergestellt – ohne Kunden, denn sein Kunde wurde inzwischen gelöscht. Bitte unter „Bearbeiten“ einen Kunden wählen."
    );
    let back = h.core.store.project(main).unwrap().unwrap();
    assert_eq!(back.customer_id, None);
    assert_eq!(h.core.store.entries_of(main).unwrap().len(), 1);
    // Its Kundennummer given to a new customer meanwhile: the old one stays gone.
    kunden::save(&h.core, input("Meyer Bau neu", "K-8"))
        .await
        .unwrap();
    let err = p::undo::undo(&h.core, customer_gone.undo)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "„Bau Meyer“ lässt sich nicht wiederherstellen: Die Kundennummer K-8 ist inzwischen an „Meyer Bau neu“ vergeben."
    );

    // Not beside a customer import.
    let spare = kunden::save(&h.core, input("Ersatz", "K-9"))
        .await
        .unwrap()
        .customer;
    let importing = h.core.replace_lock.try_lock().unwrap();
    let err = kunden::delete::delete(&h.core, spare.id).await.unwrap_err();
    assert_eq!(err.kind(), "busy");
    drop(importing);
    kunden::delete::delete(&h.core, spare.id).await.unwrap();
}

#[tokio::test]
async fn project_validation_and_subproject_rules() {
    let h = harness();
    let main = project(&h, "Alpha", "A-1", None, "").await;
    let sub = project(&h, "Beta", "", Some(main), "").await;
    for (input, field) in [
        (
            ProjectInput {
                name: " ".into(),
                ..Default::default()
            },
            "Name",
        ),
        (
            ProjectInput {
                name: "X".into(),
                number: "A-1".into(),
                ..Default::default()
            },
            "Projektnummer",
        ),
        (
            ProjectInput {
                name: "X".into(),
                parent_id: Some(sub),
                ..Default::default()
            },
            "Hauptprojekt",
        ),
        (
            ProjectInput {
                name: "X".into(),
                hourly_rate: "-5".into(),
                ..Default::default()
            },
            "Stundensatz",
        ),
        (
            ProjectInput {
                name: "X".into(),
                customer_id: Some(424242),
                ..Default::default()
            },
            "Kunde",
        ),
        (
            ProjectInput {
                name: "X".into(),
                status: "pausiert".into(),
                ..Default::default()
            },
            "Status",
        ),
    ] {
        match p::save(&h.core, input).await {
            Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected {field}: {other:?}"),
        }
    }
    // Subprojects take the parent's customer.
    let cust = zeitrechnung_lib::kunden::save(
        &h.core,
        zeitrechnung_lib::kunden::CustomerInput {
            name: "Kundin".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    p::save(
        &h.core,
        ProjectInput {
            id: Some(main),
            name: "Alpha".into(),
            number: "A-1".into(),
            customer_id: Some(cust.customer.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        h.core.store.project(sub).unwrap().unwrap().customer_id,
        Some(cust.customer.id)
    );
}

const CSV: &str = "\u{feff}Typ;Projekt;Unterprojekt;Datum;Mitarbeiter;Von;Bis;Pause;Dauer;Beschreibung;Bezeichnung;Menge;Einheit;Einzelpreis;Steuersatz\n\
Zeit;K-7;;03.03.2025;Jana;08:00;12:00;0:30;;Aufmaß;;;;;\n\
Zeit;K-7;Elektrik;2025-03-04;Ole;;;;1,5;Leitungen;;;;;\n\
Leistung;Kita;Elektrik;04.03.2025;;;;;;;Kabel NYM 3x1,5;25;m;1,20;19\n\
Zeit;Unbekannt;;05.03.2025;Jana;;;;2:00;;;;;;\n\
Zeit;K-7;;06.03.2025;Jana;10:00;09:00;;;;;;;;\n";

#[tokio::test]
async fn csv_preview_reports_bad_rows_and_reimport_is_idempotent() {
    let h = harness();
    let main = project(&h, "Kita", "K-7", None, "").await;
    let sub = project(&h, "Elektrik", "", Some(main), "").await;
    let path = h.dir.path().join("zeiten.csv");
    std::fs::write(&path, CSV).unwrap();
    let path = path.display().to_string();

    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    assert_eq!((pv.valid, pv.invalid, pv.duplicates), (3, 2, 0), "{pv:#?}");
    let bad: Vec<_> = pv.rows.iter().filter(|r| r.status == "error").collect();
    assert_eq!(bad[0].line, 5);
    assert!(bad[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("Unbekanntes Projekt"));
    assert_eq!(bad[1].line, 6);
    assert!(
        p::entries(&h.core, main, None, None)
            .await
            .unwrap()
            .is_empty(),
        "preview stores nothing"
    );

    let r = csv_import::import(&h.core, path.clone(), None)
        .await
        .unwrap();
    assert_eq!((r.imported, r.skipped_invalid), (3, 2));
    let all = p::entries(&h.core, main, None, None).await.unwrap();
    assert_eq!(all.len(), 3);
    // The oldest time (03.03.2025, 8–12 with 0:30 Pause) is last in its table.
    assert_eq!(all.times.last().unwrap().minutes, 210);
    assert_eq!(h.core.store.entries_of(sub).unwrap().len(), 2);
    let cable = &all.services[0];
    assert_eq!(cable.amount_display, "30,00 €");

    let again = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    assert_eq!((again.valid, again.duplicates), (0, 3));
    let r2 = csv_import::import(&h.core, path, None).await.unwrap();
    assert_eq!((r2.imported, r2.skipped_duplicates), (0, 3));
    assert_eq!(
        p::entries(&h.core, main, None, None).await.unwrap().len(),
        3
    );
}

#[test]
fn entry_keys_sort_by_project_then_date_then_id() {
    use zeitrechnung_lib::storage::entry_key;
    let a = entry_key(1, d("2025-12-31"), 99);
    let b = entry_key(1, d("2026-01-01"), 1);
    let c = entry_key(2, d("2000-01-01"), 1);
    assert!(a < b && b < c);
}

#[tokio::test]
async fn a_stale_edit_never_reopens_a_reserved_entry() {
    let h = harness();
    let pid = project(&h, "Race", "", None, "90").await;
    let id = time(&h, pid, "10.03.2025", "2:00").await;
    let stale = h.core.store.entry(id).unwrap().unwrap();
    // An invoice reserves the entry after the form was opened …
    let mut reserved = stale.clone();
    reserved.billing = BillingState::Reserved {
        attempt: "7".into(),
    };
    h.core.store.put_entries(&[reserved]).unwrap();
    // … so saving the form's stale copy (billing: open) is refused inside the write.
    let mut edited = stale;
    edited.description = "geändert".into();
    let e = h.core.store.put_entries_if_open(&[edited]).unwrap_err();
    assert_eq!(e.kind(), "validation");
    assert_eq!(
        h.core.store.entry(id).unwrap().unwrap().billing,
        BillingState::Reserved {
            attempt: "7".into()
        }
    );
    assert!(
        h.core.store.delete_entries(&[id]).is_err(),
        "a reserved entry cannot be deleted"
    );
    assert!(h.core.store.entry(id).unwrap().is_some());
}

#[tokio::test]
async fn the_project_view_gets_the_newest_entries_only() {
    let h = harness();
    let main = project(&h, "Groß", "", None, "").await;
    let sub = project(&h, "Teil", "", Some(main), "").await;
    for (pid, date) in [
        (main, "01.01.2025"),
        (sub, "02.01.2025"),
        (main, "03.01.2025"),
        (sub, "04.01.2025"),
    ] {
        time(&h, pid, date, "1").await;
    }
    let newest = p::entries_limited(&h.core, main, None, None, Some(2))
        .await
        .unwrap();
    let dates: Vec<&str> = newest
        .times
        .iter()
        .map(|e| e.date_display.as_str())
        .collect();
    assert_eq!(dates, ["04.01.2025", "03.01.2025"]);
    assert!(newest.more, "two older entries exist");
    let in_range = p::entries_limited(
        &h.core,
        main,
        Some(d("2025-01-01")),
        Some(d("2025-01-02")),
        Some(10),
    )
    .await
    .unwrap();
    assert_eq!(in_range.len(), 2);
}

async fn set_status(h: &support::Harness, pid: u64, status: &str) -> p::ProjectDetail {
    p::save(
        &h.core,
        ProjectInput {
            id: Some(pid),
            name: "Dachsanierung".into(),
            number: "P-9".into(),
            status: status.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Project status means something: „abgeschlossen“ takes no new times or services
/// (it can still be invoiced), „archiviert“ is read-only; the refusal says why and
/// how to reopen, and reopening brings recording back.
#[tokio::test]
async fn closed_and_archived_projects_take_no_entries_and_say_why() {
    let h = harness();
    let pid = project(&h, "Dachsanierung", "P-9", None, "").await;
    let entry = time(&h, pid, "03.03.2025", "1:00").await;
    for (status, words) in [
        ("abgeschlossen", "ist abgeschlossen"),
        ("archiviert", "ist archiviert"),
    ] {
        let detail = set_status(&h, pid, status).await;
        assert!(detail.closed_reason.as_deref().unwrap().contains(words));
        let e = p::save_time(
            &h.core,
            TimeInput {
                project_id: pid,
                date: "04.03.2025".into(),
                duration: "2:00".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains(words), "{e}");
        assert!(e.to_string().contains("wieder auf „aktiv“ setzen"), "{e}");
        let e = p::delete_entry(&h.core, entry).await.unwrap_err();
        assert!(e.to_string().contains(words), "{e}");
    }
    // „Wieder öffnen“: one call, only the status changes.
    let detail = p::set_status(&h.core, pid, "aktiv").await.unwrap();
    assert_eq!(detail.status_label, "aktiv");
    assert_eq!(detail.project.number, "P-9");
    assert_eq!(detail.closed_reason, None);
    time(&h, pid, "04.03.2025", "2:00").await;
}

fn employee_of(h: &support::Harness, entry: u64) -> Option<u64> {
    match h.core.store.entry(entry).unwrap().unwrap().kind {
        zeitrechnung_lib::storage::EntryKind::Time { employee_id, .. } => employee_id,
        zeitrechnung_lib::storage::EntryKind::Service { .. } => {
            panic!("entry {entry} is a service")
        }
    }
}

/// „Mitarbeiter“ in the time form: a known name links its employee, a new name
/// creates one, and editing an entry after its employee was renamed keeps the link.
#[tokio::test]
async fn time_form_names_become_employees_and_keep_them() {
    use zeitrechnung_lib::abrechnung::{self as ab, EmployeeInput};
    let h = harness();
    let pid = project(&h, "Dachstuhl", "", None, "70").await;
    let first = time(&h, pid, "03.03.2025", "1:00").await; // „Jana“, new
    let second = time(&h, pid, "04.03.2025", "2:00").await;
    let staff = ab::employees(&h.core).await.unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].name, "Jana");
    assert_eq!(employee_of(&h, first), Some(staff[0].id));
    assert_eq!(employee_of(&h, second), Some(staff[0].id));
    // Renamed in Einstellungen › Mitarbeiter.
    ab::save_employee(
        &h.core,
        EmployeeInput {
            id: Some(staff[0].id),
            name: "Jana Krüger".into(),
            active: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // The old entry, edited with its recorded name, stays with Jana Krüger.
    p::save_time(
        &h.core,
        TimeInput {
            id: Some(first),
            project_id: pid,
            date: "03.03.2025".into(),
            employee: "Jana".into(),
            new_employee: true,
            duration: "1:30".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(employee_of(&h, first), Some(staff[0].id));
    // The new name links; another new name is a second employee.
    let third = p::save_time(
        &h.core,
        TimeInput {
            project_id: pid,
            date: "05.03.2025".into(),
            employee: " Jana Krüger ".into(),
            new_employee: true,
            duration: "1:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(third.employee, "Jana Krüger");
    assert_eq!(employee_of(&h, third.id), Some(staff[0].id));
    let fourth = time_as(&h, pid, "Olaf").await;
    let staff = ab::employees(&h.core).await.unwrap();
    assert_eq!(
        staff.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["Jana Krüger", "Olaf"]
    );
    assert_eq!(employee_of(&h, fourth), Some(staff[1].id));
}

async fn time_as(h: &support::Harness, project_id: u64, who: &str) -> u64 {
    p::save_time(
        &h.core,
        TimeInput {
            project_id,
            date: "06.03.2025".into(),
            employee: who.into(),
            new_employee: true,
            duration: "1:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

/// The default Stundensatz raised „gültig ab“ 01.01.2026: December stays at the
/// old rate, January takes the new one (Projekte figure = what the invoice bills).
#[tokio::test]
async fn a_raise_of_the_default_rate_leaves_earlier_work_alone() {
    let h = harness();
    let s = zeitrechnung_lib::schnittstellen::save_rate(&h.core, "85".into())
        .await
        .unwrap();
    assert_eq!(s.message, "Stundensatz 85,00 €/h gespeichert");
    assert_eq!(s.changes_display, None);
    let s = zeitrechnung_lib::schnittstellen::save_rate_from(
        &h.core,
        "92".into(),
        "01.01.2026".into(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(s.message, "Stundensatz 92,00 €/h ab 01.01.2026 gespeichert");
    assert_eq!(s.hourly_rate_display.as_deref(), Some("85,00"));
    assert_eq!(
        s.changes_display.as_deref(),
        Some("Stundensatz: 85,00 €/h; ab 01.01.2026: 92,00 €/h")
    );
    let pid = project(&h, "Wartung", "", None, "").await;
    time(&h, pid, "31.12.2025", "1:00").await;
    time(&h, pid, "01.01.2026", "1:00").await;
    let d = p::get(&h.core, pid).await.unwrap();
    assert_eq!(d.totals.open_net_display, "177,00 €");
}

/// „Summe je Tag und Mitarbeiter“: the table shows the rounding difference on the
/// day's last entry, where the invoice bills it — also in the paged list.
#[tokio::test]
async fn the_day_difference_shows_on_the_days_last_entry() {
    use zeitrechnung_lib::abrechnung::{self as ab, RoundingForm, RulesInput, RulesTarget};
    let h = harness();
    let pid = project(&h, "Dachstuhl", "", None, "70").await;
    ab::save_rules(
        &h.core,
        RulesTarget {
            customer_id: None,
            project_id: Some(pid),
        },
        RulesInput {
            rounding: Some(RoundingForm {
                step: "15".into(),
                mode: "aufrunden".into(),
                scope: "Summe je Tag und Mitarbeiter".into(),
                minimum: String::new(),
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let first = time(&h, pid, "02.03.2025", "1:10").await;
    let second = time(&h, pid, "02.03.2025", "2:00").await;
    for limit in [None, Some(100)] {
        let shown: Vec<(u64, String)> = p::entries_limited(&h.core, pid, None, None, limit)
            .await
            .unwrap()
            .times
            .into_iter()
            .map(|e| (e.id, e.duration_shown))
            .collect();
        // Newest first: the second time of the day, then the first.
        assert_eq!(
            shown,
            vec![
                (second, "2:00 · abgerechnet 2:05".to_string()),
                (first, "1:10".to_string())
            ],
            "limit {limit:?}"
        );
    }
}

/// Projekte › Importieren reads an .xlsx whose dates, times and durations are
/// spreadsheet values (serial days, fractions of a day), not text; the same rows
/// as from a CSV, and a second import of the same file adds nothing.
#[tokio::test]
async fn xlsx_import_reads_serial_dates_times_and_numbers() {
    use rust_xlsxwriter::{Format, Workbook};
    let h = harness();
    let main = project(&h, "Kita", "K-7", None, "").await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let time = Format::new().set_num_format("hh:mm");
    let duration = Format::new().set_num_format("[h]:mm");
    for (c, head) in [
        "Typ",
        "Projekt",
        "Datum",
        "Mitarbeiter",
        "Von",
        "Bis",
        "Dauer",
        "Beschreibung",
        "Bezeichnung",
        "Menge",
        "Einheit",
        "Einzelpreis",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *head).unwrap();
    }
    // 45728 = 12.03.2025; 0.3125 = 07:30; 0.5 = 12:00; 0.0625 = 1:30.
    sheet.write_string(1, 0, "Zeit").unwrap();
    sheet.write_string(1, 1, "K-7").unwrap();
    sheet
        .write_number_with_format(1, 2, 45728.0, &date)
        .unwrap();
    sheet.write_string(1, 3, "Łukasz Wójcik").unwrap();
    sheet.write_number_with_format(1, 4, 0.3125, &time).unwrap();
    sheet.write_number_with_format(1, 5, 0.5, &time).unwrap();
    sheet
        .write_string(1, 7, "Unterverteilung; Zählerschrank")
        .unwrap();
    sheet.write_string(2, 0, "Zeit").unwrap();
    sheet.write_string(2, 1, "Kita").unwrap();
    sheet
        .write_number_with_format(2, 2, 45729.0, &date)
        .unwrap();
    sheet
        .write_number_with_format(2, 6, 0.0625, &duration)
        .unwrap();
    sheet.write_string(3, 0, "Leistung").unwrap();
    sheet.write_string(3, 1, "K-7").unwrap();
    sheet
        .write_number_with_format(3, 2, 45730.0, &date)
        .unwrap();
    sheet.write_string(3, 8, "Kabel NYM 3x1,5").unwrap();
    sheet.write_number(3, 9, 2.5).unwrap();
    sheet.write_string(3, 10, "m").unwrap();
    sheet.write_number(3, 11, 49.9).unwrap();
    let path = h.dir.path().join("zeiten.xlsx");
    std::fs::write(&path, book.save_to_buffer().unwrap()).unwrap();
    let path = path.display().to_string();

    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    assert_eq!((pv.valid, pv.invalid, pv.duplicates), (3, 0, 0), "{pv:#?}");
    assert_eq!(pv.encoding, "Tabelle (.xlsx/.ods/.xls)");
    let r = csv_import::import(&h.core, path.clone(), None)
        .await
        .unwrap();
    assert_eq!(r.imported, 3);
    let all = p::entries(&h.core, main, None, None).await.unwrap();
    let by_date = |d: &str| all.times.iter().find(|e| e.date_display == d).unwrap();
    let a = by_date("12.03.2025");
    assert_eq!(
        (a.start.as_str(), a.end.as_str(), a.minutes),
        ("07:30", "12:00", 270)
    );
    assert_eq!(a.employee, "Łukasz Wójcik");
    assert_eq!(a.description, "Unterverteilung; Zählerschrank");
    assert_eq!(by_date("13.03.2025").minutes, 90);
    let cable = all
        .services
        .iter()
        .find(|e| e.date_display == "14.03.2025")
        .unwrap();
    assert_eq!(
        (
            cable.quantity_display.as_str(),
            cable.amount_display.as_str()
        ),
        ("2,5", "124,75 €")
    );
    // The same file again: every row is known.
    let r2 = csv_import::import(&h.core, path, None).await.unwrap();
    assert_eq!((r2.imported, r2.skipped_duplicates), (0, 3));
}

/// Stundenzettel „Bereits erfasst“: one employee's times of a week or a month,
/// across projects, in day order, with the week's sum; others' are not listed.
/// A project's sheet lists everybody's times on it and its subprojects.
#[tokio::test]
async fn the_sheet_lists_an_employees_week_and_month_across_projects() {
    use zeitrechnung_lib::projekte::sheet;
    let h = harness();
    let a = project(&h, "Dach", "", None, "").await;
    let b = project(&h, "Keller", "", None, "").await;
    for (pid, date, who, start, end, what) in [
        (b, "12.03.2025", "Jana Kraus", "13:00", "16:30", "Estrich"),
        (a, "12.03.2025", "Jana Kraus", "7:00", "10:00", "Lattung"),
        (a, "13.03.2025", "Ole Berg", "7:00", "9:00", "Ziegel"),
        (a, "17.03.2025", "Jana Kraus", "8:00", "9:00", "Rinne"),
    ] {
        p::save_time(
            &h.core,
            TimeInput {
                project_id: pid,
                date: date.into(),
                employee: who.into(),
                new_employee: true,
                start: start.into(),
                end: end.into(),
                description: what.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let week = sheet::sheet_period(
        &h.core,
        sheet::SheetFor::Employee("jana kraus".into()),
        "12.03.2025".into(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(week.title, "KW 11 · 10.03.2025 – 16.03.2025");
    let rows: Vec<(&str, &str, &str, &str)> = week
        .entries
        .iter()
        .map(|e| {
            (
                e.date_display.as_str(),
                e.project_name.as_str(),
                e.start.as_str(),
                e.description.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("12.03.2025", "Dach", "07:00", "Lattung"),
            ("12.03.2025", "Keller", "13:00", "Estrich"),
        ]
    );
    assert_eq!(week.summary, "2 Einträge · 6:30 h");
    assert_eq!(
        (week.previous.as_str(), week.next.as_str()),
        ("09.03.2025", "17.03.2025")
    );
    let month = sheet::sheet_period(
        &h.core,
        sheet::SheetFor::Employee("Jana Kraus".into()),
        "12.03.2025".into(),
        true,
    )
    .await
    .unwrap();
    assert_eq!(month.title, "März 2025");
    assert_eq!(month.summary, "3 Einträge · 7:30 h");
    let nobody = sheet::sheet_period(
        &h.core,
        sheet::SheetFor::Employee("".into()),
        "".into(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(nobody.summary, "Noch nichts erfasst.");
    let e = sheet::sheet_period(
        &h.core,
        sheet::SheetFor::Employee("Jana Kraus".into()),
        "31.02.2025".into(),
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), "validation");
    // The project's sheet: every employee on „Dach“ and its subproject, not „Keller“.
    let giebel = project(&h, "Giebel", "", Some(a), "").await;
    p::save_time(
        &h.core,
        TimeInput {
            project_id: giebel,
            date: "14.03.2025".into(),
            employee: "Ole Berg".into(),
            new_employee: true,
            duration: "1:15".into(),
            description: "Ortgang".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let dach = sheet::sheet_period(
        &h.core,
        sheet::SheetFor::Project(a),
        "12.03.2025".into(),
        false,
    )
    .await
    .unwrap();
    let rows: Vec<(&str, &str, &str, &str)> = dach
        .entries
        .iter()
        .map(|e| {
            (
                e.date_display.as_str(),
                e.employee.as_str(),
                e.project_name.as_str(),
                e.description.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("12.03.2025", "Jana Kraus", "Dach", "Lattung"),
            ("13.03.2025", "Ole Berg", "Dach", "Ziegel"),
            ("14.03.2025", "Ole Berg", "Dach › Giebel", "Ortgang"),
        ]
    );
    assert_eq!(dach.summary, "3 Einträge · 6:15 h");
}

// ---------------------------------------------------------------- Right in the corners (2/3)

/// „jana kraus“ and „Jana  Kraus“ are the Geselle „Jana Kraus“ (no second
/// employee without a Rolle); a name that matches nobody is asked about.
#[tokio::test]
async fn a_name_in_another_spelling_is_the_same_person_and_a_new_one_is_asked_about() {
    let h = harness();
    let pid = project(&h, "Praxis", "P-1", None, "80").await;
    let jana = p::save_time(
        &h.core,
        TimeInput {
            project_id: pid,
            date: "03.03.2025".into(),
            employee: "Jana Kraus".into(),
            new_employee: true,
            duration: "1:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let staff = ab::employees(&h.core).await.unwrap();
    assert_eq!(staff.len(), 1);
    for typed in ["jana kraus", "Jana  Kraus", " JANA KRAUS "] {
        let saved = p::save_time(
            &h.core,
            TimeInput {
                project_id: pid,
                date: "04.03.2025".into(),
                employee: typed.into(),
                duration: "1:00".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(saved.employee, "Jana Kraus", "{typed:?}");
        assert_eq!(employee_of(&h, saved.id), employee_of(&h, jana.id));
    }
    // Matching nobody: asked, nothing stored.
    let err = p::save_time(
        &h.core,
        TimeInput {
            project_id: pid,
            date: "04.03.2025".into(),
            employee: "Jana  Krause".into(),
            duration: "1:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), "confirm");
    assert_eq!(err.to_string(), "Neuen Mitarbeiter „Jana Krause“ anlegen?");
    assert_eq!(ab::employees(&h.core).await.unwrap().len(), 1);
    assert_eq!(h.core.store.entries_of(pid).unwrap().len(), 4);
    // The field left: the employee's own spelling, or „neu“.
    let m = ab::employee_match(&h.core, "jana  KRAUS".into())
        .await
        .unwrap();
    assert_eq!((m.name.as_str(), m.known), ("Jana Kraus", true));
    let m = ab::employee_match(&h.core, " Ole  Berg ".into())
        .await
        .unwrap();
    assert_eq!((m.name.as_str(), m.known), ("Ole Berg", false));
    // The CSV import links „jana kraus“ too and lists only really new names.
    let path = h.dir.path().join("namen.csv");
    std::fs::write(
        &path,
        "Typ;Projekt;Datum;Mitarbeiter;Dauer\nZeit;P-1;05.03.2025;jana kraus;1:00\nZeit;P-1;05.03.2025;Ole  Berg;2:00\nZeit;P-1;06.03.2025;ole berg;2:00\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    assert_eq!(pv.new_employees, vec!["Ole Berg".to_string()]);
    csv_import::import(&h.core, path, None).await.unwrap();
    let staff = ab::employees(&h.core).await.unwrap();
    assert_eq!(
        staff.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["Jana Kraus", "Ole Berg"]
    );
    // A second record under another spelling cannot be made by hand either.
    let err = ab::save_employee(
        &h.core,
        ab::EmployeeInput {
            name: "JANA kraus".into(),
            active: true,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Es gibt schon einen Mitarbeiter „Jana Kraus“."
    );
}

/// Employees duplicated before names matched regardless of case are merged:
/// every entry moves (open ones to the survivor's name and so his Rolle;
/// billed ones keep what was billed), the duplicate goes, „Rückgängig“
/// puts everything back.
#[tokio::test]
async fn zusammenfuehren_moves_every_entry_and_can_be_undone() {
    use zeitrechnung_lib::storage::{Employee, EntryKind};
    let h = harness();
    let pid = project(&h, "Praxis", "P-1", None, "80").await;
    let open = time_as(&h, pid, "Jana Kraus").await;
    // The duplicate as the old bug made it: another record, its own entries.
    let dup_id = h.core.store.next_id().unwrap();
    h.core
        .store
        .update_settings(|s| {
            s.employees.push(Employee {
                id: dup_id,
                name: "jana kraus".into(),
                role_id: None,
                hourly_rate: None,
                rate_changes: Vec::new(),
                active: true,
                role_changes: Vec::new(),
            })
        })
        .unwrap();
    let keep_id = employee_of(&h, open).unwrap();
    let mut dup_entries = Vec::new();
    for (day, billing) in [
        ("2025-03-07", BillingState::Open),
        (
            "2025-03-08",
            BillingState::Billed {
                invoice_id: "inv-1".into(),
            },
        ),
    ] {
        dup_entries.push(Entry {
            billing,
            ..support::open_hour(
                h.core.store.next_id().unwrap(),
                pid,
                d(day),
                "jana kraus",
                Some(dup_id),
            )
        });
    }
    h.core.store.put_entries(&dup_entries).unwrap();
    let merged = ab::merge_employees(
        &h.core,
        ab::MergeInput {
            from: dup_id,
            into: keep_id,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        merged.message,
        "„jana kraus“ mit „Jana Kraus“ zusammengeführt: 2 Einträge übernommen."
    );
    assert_eq!(
        merged
            .employees
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Jana Kraus"]
    );
    let now_of = |id: u64| h.core.store.entry(id).unwrap().unwrap();
    let names = |e: &Entry| match &e.kind {
        EntryKind::Time {
            employee,
            employee_id,
            ..
        } => (employee.clone(), *employee_id),
        EntryKind::Service { .. } => panic!("a time"),
    };
    assert_eq!(
        names(&now_of(dup_entries[0].id)),
        ("Jana Kraus".to_string(), Some(keep_id))
    );
    let billed = now_of(dup_entries[1].id);
    assert_eq!(names(&billed), ("jana kraus".to_string(), Some(keep_id)));
    assert_eq!(billed.billing, dup_entries[1].billing);
    // „Rückgängig“: the duplicate and its entries exactly as before.
    assert_eq!(
        p::undo::undo(&h.core, merged.undo).await.unwrap(),
        "Mitarbeiter „jana kraus“ wiederhergestellt"
    );
    assert_eq!(ab::employees(&h.core).await.unwrap().len(), 2);
    for e in &dup_entries {
        assert_eq!(
            names(&now_of(e.id)),
            ("jana kraus".to_string(), Some(dup_id))
        );
    }
}

/// A work date more than a week ahead is refused, naming the date understood.
#[tokio::test]
async fn a_work_date_more_than_a_week_ahead_is_refused() {
    let h = harness();
    let pid = project(&h, "Praxis", "P-1", None, "80").await;
    let today = zeitrechnung_lib::de::clock::today_berlin();
    let save = |date: chrono::NaiveDate| {
        p::save_time(
            &h.core,
            TimeInput {
                project_id: pid,
                date: date.format("%d.%m.%Y").to_string(),
                duration: "1:00".into(),
                ..Default::default()
            },
        )
    };
    save(today + chrono::Duration::days(7)).await.unwrap();
    let late = today + chrono::Duration::days(8);
    let err = save(late).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} liegt mehr als eine Woche in der Zukunft. Bitte das Datum prüfen.",
            late.format("%d.%m.%Y")
        )
    );
    let err = p::save_service(
        &h.core,
        ServiceInput {
            project_id: pid,
            date: late.format("%d.%m.%Y").to_string(),
            name: "Kabel".into(),
            quantity: "1".into(),
            unit: "m".into(),
            unit_price: "1".into(),
            tax_rate: "19".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Validation { field: "Datum", .. }));
}

/// Delete a subproject, then its main project, then „Rückgängig“ on the first
/// toast: the subproject does not come back without its parent (it would be
/// in no list and make every backup unrestorable). Once the main project is
/// back, the same „Rückgängig“ works.
#[tokio::test]
async fn undo_never_brings_back_a_subproject_without_its_main_project() {
    let h = harness();
    let main = project(&h, "Kita", "K-7", None, "").await;
    let sub = project(&h, "Elektrik", "", Some(main), "").await;
    let entry = time(&h, sub, "10.03.2025", "1:00").await;
    let sub_gone = p::delete(&h.core, sub, true)
        .await
        .unwrap()
        .deleted
        .unwrap();
    let main_gone = p::delete(&h.core, main, true)
        .await
        .unwrap()
        .deleted
        .unwrap();
    let err = p::undo::undo(&h.core, sub_gone.undo).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "„Elektrik“ lässt sich nicht wiederherstellen: Sein Hauptprojekt wurde inzwischen gelöscht. Bitte zuerst das Löschen des Hauptprojekts rückgängig machen."
    );
    assert!(
        h.core.store.projects().unwrap().is_empty(),
        "nothing came back"
    );
    assert!(h.core.store.entry(entry).unwrap().is_none());
    // Every backup still restores.
    let file = h.dir.path().join("danach.json");
    zeitrechnung_lib::sicherung::create(&h.core, file.display().to_string())
        .await
        .unwrap();
    zeitrechnung_lib::storage::Backup::from_json(&std::fs::read(&file).unwrap()).unwrap();
    // The main project first, then the subproject: both with the entry.
    p::undo::undo(&h.core, main_gone.undo).await.unwrap();
    assert_eq!(
        p::undo::undo(&h.core, sub_gone.undo).await.unwrap(),
        "Projekt „Elektrik“ wiederhergestellt"
    );
    let sub_back = h.core.store.project(sub).unwrap().unwrap();
    assert_eq!(sub_back.parent_id, Some(main));
    assert_eq!(h.core.store.entry(entry).unwrap().unwrap().project_id, sub);
}

/// An entry deleted, then its project deleted: the entry's „Rückgängig“ is
/// refused instead of leaving an entry of no project.
#[tokio::test]
async fn undo_never_brings_back_an_entry_without_its_project() {
    let h = harness();
    let pid = project(&h, "Zaun", "", None, "").await;
    let id = time(&h, pid, "10.03.2025", "1:00").await;
    let entry_gone = p::delete_entry(&h.core, id).await.unwrap();
    p::delete(&h.core, pid, true)
        .await
        .unwrap()
        .deleted
        .unwrap();
    let err = p::undo::undo(&h.core, entry_gone.undo).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Der Eintrag vom 10.03.2025 lässt sich nicht wiederherstellen: Sein Projekt wurde inzwischen gelöscht."
    );
    assert!(h.core.store.entry(id).unwrap().is_none());
}

/// A CSV row deleted, imported again, then „Rückgängig“ on the deletion: the
/// row is not there twice.
#[tokio::test]
async fn undo_does_not_restore_a_csv_row_imported_again() {
    let h = harness();
    let main = project(&h, "Kita", "K-7", None, "").await;
    project(&h, "Elektrik", "", Some(main), "").await;
    let path = h.dir.path().join("zeiten.csv");
    std::fs::write(&path, CSV).unwrap();
    let path = path.display().to_string();
    csv_import::import(&h.core, path.clone(), None)
        .await
        .unwrap();
    // The oldest entry (the first row of the file).
    let first = p::entries(&h.core, main, None, None)
        .await
        .unwrap()
        .times
        .last()
        .unwrap()
        .id;
    let gone = p::delete_entry(&h.core, first).await.unwrap();
    let again = csv_import::import(&h.core, path, None).await.unwrap();
    assert_eq!(again.imported, 1, "the deleted row is imported anew");
    assert_eq!(
        p::undo::undo(&h.core, gone.undo).await.unwrap(),
        "Der Eintrag ist schon wieder da: Seine CSV-Zeile wurde inzwischen erneut importiert."
    );
    assert_eq!(
        p::entries(&h.core, main, None, None).await.unwrap().len(),
        3
    );
}

/// The invariants of the data: no subproject without its main project, no
/// entry outside a project, no CSV row twice, and a backup that restores.
fn assert_whole(h: &support::Harness, seed: u64, step: usize) {
    let store = &h.core.store;
    let projects = store.projects().unwrap();
    let ids: std::collections::HashSet<u64> = projects.iter().map(|p| p.id).collect();
    for p in &projects {
        if let Some(parent) = p.parent_id {
            assert!(
                ids.contains(&parent),
                "seed {seed} step {step}: „{}“ without its main project",
                p.name
            );
        }
    }
    let entries: Vec<_> = projects
        .iter()
        .flat_map(|p| store.entries_of(p.id).unwrap())
        .collect();
    assert_eq!(
        entries.len(),
        store.entry_count(),
        "seed {seed} step {step}: an entry outside every project"
    );
    let fps: Vec<u64> = entries.iter().filter_map(|e| e.csv_fingerprint).collect();
    let distinct: std::collections::HashSet<u64> = fps.iter().copied().collect();
    assert_eq!(
        fps.len(),
        distinct.len(),
        "seed {seed} step {step}: a CSV row twice"
    );
    let mut bytes = Vec::new();
    store.export_to(&mut bytes).unwrap();
    let backup = zeitrechnung_lib::storage::Backup::from_json(&bytes)
        .unwrap_or_else(|e| panic!("seed {seed} step {step}: backup does not restore: {e}"));
    assert_eq!(
        backup.entries.len(),
        entries.len(),
        "seed {seed} step {step}"
    );
}

/// Random sequences of creating, deleting, editing, „Rückgängig“ (in any
/// order), CSV import and backup + restore keep the data whole.
#[tokio::test]
async fn random_deletes_undos_edits_imports_and_restores_keep_the_data_whole() {
    for seed in 1..=6u64 {
        let mut h = harness();
        let backups = h.dir.path().join("backups");
        std::sync::Arc::get_mut(&mut h.core).unwrap().backup_dir = Some(backups);
        let csv = h.dir.path().join("zeiten.csv");
        std::fs::write(&csv, CSV).unwrap();
        let csv = csv.display().to_string();
        let mut rng = Rng(seed);
        let mut tokens: Vec<u64> = Vec::new();
        let main = project(&h, "Kita", "K-7", None, "").await;
        project(&h, "Elektrik", "", Some(main), "").await;
        for step in 0..120usize {
            let projects: Vec<(u64, Option<u64>)> = h
                .core
                .store
                .projects()
                .unwrap()
                .iter()
                .map(|p| (p.id, p.parent_id))
                .collect();
            let entries: Vec<u64> = projects
                .iter()
                .flat_map(|(id, _)| h.core.store.entries_of(*id).unwrap())
                .map(|e| e.id)
                .collect();
            match rng.next() % 9 {
                0 => {
                    let parent = rng
                        .pick(&projects)
                        .filter(|(_, parent)| parent.is_none())
                        .map(|(id, _)| id);
                    let name = format!("P{step}");
                    project(&h, &name, "", parent, "").await;
                }
                1 | 2 => {
                    if let Some((pid, _)) = rng.pick(&projects) {
                        time(&h, pid, "10.03.2025", "1:00").await;
                    }
                }
                3 => {
                    if let Some((pid, _)) = rng.pick(&projects) {
                        let done = p::delete(&h.core, pid, true).await.unwrap();
                        tokens.extend(done.deleted.map(|d| d.undo));
                    }
                }
                4 => {
                    if let Some(id) = rng.pick(&entries) {
                        tokens.push(p::delete_entry(&h.core, id).await.unwrap().undo);
                    }
                }
                5 => {
                    if let Some(id) = rng.pick(&entries) {
                        let e = h.core.store.entry(id).unwrap().unwrap();
                        if matches!(e.kind, zeitrechnung_lib::storage::EntryKind::Time { .. }) {
                            let edited = p::save_time(
                                &h.core,
                                TimeInput {
                                    id: Some(id),
                                    project_id: e.project_id,
                                    date: "11.03.2025".into(),
                                    duration: "2:00".into(),
                                    employee: "Jana".into(),
                                    ..Default::default()
                                },
                            )
                            .await
                            .unwrap();
                            tokens.extend(edited.undo);
                        }
                    }
                }
                6 => {
                    if let Some(t) = rng.pick(&tokens) {
                        if let Err(e) = p::undo::undo(&h.core, t).await {
                            assert_eq!(e.kind(), "validation", "seed {seed} step {step}: {e}");
                        }
                    }
                }
                7 => {
                    csv_import::import(&h.core, csv.clone(), None)
                        .await
                        .unwrap();
                }
                _ => {
                    let file = h.dir.path().join(format!("s{step}.json"));
                    zeitrechnung_lib::sicherung::create(&h.core, file.display().to_string())
                        .await
                        .unwrap();
                    zeitrechnung_lib::sicherung::restore(
                        &h.core,
                        file.display().to_string(),
                        false,
                    )
                    .await
                    .unwrap();
                }
            }
            assert_whole(&h, seed, step);
        }
    }
}

/// An `.xlsx` written by a spreadsheet program, with one part replaced.
fn xlsx_with(part: &str, replace: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, head) in ["Typ", "Projekt", "Datum", "Dauer"].iter().enumerate() {
        sheet.write_string(0, c as u16, *head).unwrap();
    }
    sheet.write_string(1, 0, "Zeit").unwrap();
    sheet.write_string(1, 1, "K-7").unwrap();
    let original = book.save_to_buffer().unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = Vec::new();
        f.read_to_end(&mut text).unwrap();
        if name == part {
            text = replace(String::from_utf8(text).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Each file is refused by the import's preview with exactly its German
/// reason (the time to refuse is printed for docs/reliability.md).
async fn refused_at_once(h: &support::Harness, cases: Vec<(&str, Vec<u8>, &str)>) {
    for (name, bytes, expected) in cases {
        let path = h.dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let started = std::time::Instant::now();
        let err = csv_import::preview(&h.core, path.display().to_string(), None, 0)
            .await
            .unwrap_err();
        eprintln!(
            "{name} ({} bytes) refused in {:?}",
            bytes.len(),
            started.elapsed()
        );
        assert_eq!(err.kind(), "validation", "{name}");
        assert_eq!(err.to_string(), expected, "{name}");
    }
}

/// An `.xls` from Excel 97–2003 imports like any other spreadsheet; one that
/// declares four billion rows (the reader reserved them and the process
/// aborted) or spans a grid of 13 million cells is refused in German before
/// it is parsed, and the app goes on.
#[tokio::test]
async fn an_xls_imports_and_a_crafted_one_is_refused_before_it_is_parsed() {
    let h = harness();
    let main = project(&h, "Kita", "K-7", None, "").await;
    let header = [
        (0, 0, "Typ"),
        (0, 1, "Projekt"),
        (0, 2, "Datum"),
        (0, 3, "Dauer"),
    ];
    let row = [
        (1, 0, "Zeit"),
        (1, 1, "K-7"),
        (1, 2, "03.03.2025"),
        (1, 3, "1:30"),
    ];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "zeilen.xls",
            support::xls::xls_with(4_000_000_000, &[header.as_slice(), row.as_slice()].concat()),
            "Die Tabelle ist zu groß oder beschädigt (mehr als 100.000 Zeilen). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.",
        ),
        (
            "gitter.xls",
            support::xls::xls_with(2, &[header.as_slice(), row.as_slice(), &[(65_535, 200, "x")]].concat()),
            "Die Tabelle ist zu groß oder beschädigt (mehr als 2.000.000 Zellen). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.",
        ),
    ];
    refused_at_once(&h, cases).await;
    let path = h.dir.path().join("gut.xls");
    std::fs::write(
        &path,
        support::xls::xls_with(2, &[header.as_slice(), row.as_slice()].concat()),
    )
    .unwrap();
    let r = csv_import::import(&h.core, path.display().to_string(), None)
        .await
        .unwrap();
    assert_eq!(r.imported, 1);
    let entries = p::entries(&h.core, main, None, None).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries.times[0].duration_display, "1:30");
}

/// Hostile and huge files are refused in German before they are parsed, and
/// the app goes on: a tiny `.xlsx` declaring 10¹¹ shared strings (aborted the
/// process), one cell in column XFD (a 16,384-column grid), a zip bomb, and a
/// CSV of one line of 19 MB of `;` (killed the webview).
#[tokio::test]
async fn hostile_and_huge_files_are_refused_at_once_and_the_app_goes_on() {
    let h = harness();
    let main = project(&h, "Kita", "K-7", None, "").await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "strings.xlsx",
            xlsx_with("xl/sharedStrings.xml", |t| {
                t.replace("uniqueCount=\"", "uniqueCount=\"100000000000")
            }),
            "Die Tabelle ist zu groß oder beschädigt (mehr als 1.000.000 verschiedene Texte). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.",
        ),
        (
            "xfd.xlsx",
            xlsx_with("xl/worksheets/sheet1.xml", |t| {
                t.replace("</sheetData>", "<row r=\"3\"><c r=\"XFD3\"><v>1</v></c></row></sheetData>")
            }),
            "Die Tabelle ist zu groß oder beschädigt (mehr als 256 Spalten). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.",
        ),
        (
            "zeilen.xlsx",
            xlsx_with("xl/worksheets/sheet1.xml", |t| {
                t.replace("</sheetData>", "<row r=\"1048576\"><c r=\"A1048576\"><v>1</v></c></row></sheetData>")
            }),
            "Die Tabelle ist zu groß oder beschädigt (mehr als 100.000 Zeilen). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.",
        ),
        (
            "bombe.xlsx",
            xlsx_with("xl/worksheets/sheet1.xml", |t| {
                t.replace("</worksheet>", &format!("{}</worksheet>", " ".repeat(20 * 1024 * 1024)))
            }),
            "Die Tabelle ist zu groß oder beschädigt (ungewöhnlich stark gepackt). Bitte nur die benötigten Zeilen und Spalten als .xlsx oder CSV speichern.",
        ),
        (
            "semikolons.csv",
            ";".repeat(19 * 1024 * 1024).into_bytes(),
            "Die Datei hat eine Zeile mit mehr als 256 Spalten. Bitte nur die benötigten Spalten speichern (oder die Datei ist keine Zeiten-Tabelle).",
        ),
    ];
    refused_at_once(&h, cases).await;
    // The app goes on: a good file still imports.
    let path = h.dir.path().join("gut.csv");
    std::fs::write(&path, "Typ;Projekt;Datum;Dauer\nZeit;K-7;03.03.2025;1:00\n").unwrap();
    let r = csv_import::import(&h.core, path.display().to_string(), None)
        .await
        .unwrap();
    assert_eq!(r.imported, 1);
    assert_eq!(
        p::entries(&h.core, main, None, None).await.unwrap().len(),
        1
    );
}

/// The largest CSV the import takes (20,000 rows, descriptions of 900
/// characters: 19 MB, some rows faulty) previews in pages of 500 rows, faulty
/// ones first: no answer to the window is larger than a few hundred KB.
#[tokio::test]
async fn a_huge_csv_previews_in_pages_faulty_rows_first() {
    let h = harness();
    project(&h, "Kita", "K-7", None, "").await;
    let long = "x".repeat(900);
    let mut csv = String::from("Typ;Projekt;Datum;Dauer;Beschreibung\n");
    for i in 0..20_000 {
        let project = if i % 1000 == 999 { "Unbekannt" } else { "K-7" };
        csv.push_str(&format!("Zeit;{project};03.03.2025;1:00;{long}{i}\n"));
    }
    let path = h.dir.path().join("gross.csv");
    std::fs::write(&path, csv).unwrap();
    let path = path.display().to_string();
    let pv = csv_import::preview(&h.core, path.clone(), None, 0)
        .await
        .unwrap();
    assert_eq!((pv.valid, pv.invalid, pv.duplicates), (19_980, 20, 0));
    assert_eq!((pv.page, pv.pages, pv.rows.len()), (0, 40, 500));
    assert_eq!(
        pv.shown_display,
        "Zeilen 1–500 von 20.000 (fehlerhafte zuerst)"
    );
    assert!(pv.rows[..20].iter().all(|r| r.status == "error"));
    assert_eq!(pv.rows[0].line, 1001);
    assert_eq!(pv.rows[20].status, "ok");
    let size = serde_json::to_vec(&pv).unwrap().len();
    assert!(size < 400_000, "the first page is {size} bytes");
    let last = csv_import::preview(&h.core, path, None, 39).await.unwrap();
    assert_eq!(
        last.shown_display,
        "Zeilen 19.501–20.000 von 20.000 (fehlerhafte zuerst)"
    );
    // Line 20,001 is faulty (on the first page): the last good one ends it.
    assert_eq!(last.rows.last().unwrap().line, 20_000);
}
