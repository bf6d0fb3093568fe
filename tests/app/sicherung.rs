//! Datensicherung: backup, restore with validation before anything is replaced,
//! the automatic copy before a restore, and the 7 daily automatic backups.

use crate::support;

use zeitrechnung_lib::kunden::{self, CustomerInput};
use zeitrechnung_lib::projekte::{self as p, ProjectInput, ServiceInput, TimeInput};
use zeitrechnung_lib::sicherung;
use zeitrechnung_lib::storage::Backup;

async fn seeded() -> support::Harness {
    let mut h = support::harness("http://127.0.0.1:9");
    // backups of the harness go into its temp dir
    let dir = h.dir.path().join("backups");
    std::sync::Arc::get_mut(&mut h.core).unwrap().backup_dir = Some(dir);
    zeitrechnung_lib::schnittstellen::save_rate(&h.core, "85,50".into())
        .await
        .unwrap();
    let c = kunden::save(
        &h.core,
        CustomerInput {
            name: "Müller & Söhne <GmbH>".into(),
            number: "K-1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let pid = p::save(
        &h.core,
        ProjectInput {
            name: "Umbau".into(),
            customer_id: Some(c.customer.id),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    let sub = p::save(
        &h.core,
        ProjectInput {
            name: "Elektrik".into(),
            parent_id: Some(pid),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    p::save_time(
        &h.core,
        TimeInput {
            project_id: sub,
            date: "03.03.2025".into(),
            duration: "1:30".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    p::save_service(
        &h.core,
        ServiceInput {
            project_id: pid,
            date: "04.03.2025".into(),
            name: "Kabel".into(),
            quantity: "2,5".into(),
            unit_price: "1,2345".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    h
}

/// Everything but the export's own timestamp.
fn snapshot(h: &support::Harness) -> String {
    let mut b = h.core.store.export().unwrap();
    b.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&b).unwrap()
}

#[tokio::test]
async fn backup_and_restore_round_trip_with_a_copy_first() {
    let h = seeded().await;
    let file = h.dir.path().join("sicherung.json");
    let r = sicherung::create(&h.core, file.display().to_string())
        .await
        .unwrap();
    assert_eq!(
        (r.summary.customers, r.summary.projects, r.summary.entries),
        (1, 2, 2)
    );
    assert_eq!(
        r.message,
        "Sicherung erstellt: 1 Kunde, 2 Projekte, 2 Einträge, 0 Rechnungsentwürfe."
    );
    let before = snapshot(&h);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"format\": \"zeitrechnung-sicherung\""));
    assert!(!text.contains(support::KEY));

    // Change things, then restore.
    kunden::save(
        &h.core,
        CustomerInput {
            name: "Neu".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    zeitrechnung_lib::schnittstellen::save_rate(&h.core, "99".into())
        .await
        .unwrap();
    let changed = snapshot(&h);
    sicherung::restore(&h.core, file.display().to_string(), false)
        .await
        .unwrap();
    assert_eq!(snapshot(&h), before);
    // The automatic copy holds the state just before the restore.
    let copies: Vec<_> = std::fs::read_dir(h.dir.path().join("backups"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(copies.len(), 1);
    let copy = Backup::from_json(&std::fs::read(copies[0].path()).unwrap()).unwrap();
    let mut copy = copy;
    copy.created_at = chrono::DateTime::UNIX_EPOCH;
    assert_eq!(serde_json::to_string(&copy).unwrap(), changed);
    // New records after a restore get fresh ids (no collision with restored ones).
    let n = kunden::save(
        &h.core,
        CustomerInput {
            name: "Danach".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(h.core.store.customers().unwrap().len(), 2);
    assert!(h.core.store.customer(n.customer.id).unwrap().is_some());
    // Range queries work on restored entries.
    assert_eq!(
        p::entries(
            &h.core,
            h.core
                .store
                .projects()
                .unwrap()
                .iter()
                .find(|p| p.parent_id.is_none())
                .unwrap()
                .id,
            None,
            None
        )
        .await
        .unwrap()
        .len(),
        2
    );
}

#[tokio::test]
async fn invalid_files_are_refused_and_nothing_changes() {
    let h = seeded().await;
    let file = h.dir.path().join("ok.json");
    sicherung::create(&h.core, file.display().to_string())
        .await
        .unwrap();
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let before = snapshot(&h);
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("kein JSON".into(), b"das ist keine Sicherung".to_vec()),
        ("leer".into(), Vec::new()),
        (
            "abgeschnitten".into(),
            std::fs::read(&file).unwrap()[..200].to_vec(),
        ),
        ("fremdes JSON".into(), br#"{"hello": 1}"#.to_vec()),
    ];
    let mut variant = |name: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        cases.push((name.into(), serde_json::to_vec(&v).unwrap()));
    };
    variant("neueres Format", &|v| v["version"] = 99.into());
    variant("neueres Schema", &|v| v["schemaVersion"] = 99.into());
    variant("Eintrag ohne Projekt", &|v| {
        v["entries"][0]["projectId"] = 424242.into()
    });
    variant("Projekt ohne Kunde", &|v| {
        v["projects"][0]["customerId"] = 424242.into()
    });
    variant("doppelte Nummer", &|v| {
        v["projects"][1]["id"] = v["projects"][0]["id"].clone()
    });
    variant("fehlende Liste", &|v| {
        v.as_object_mut().unwrap().remove("customers");
    });
    variant("falscher Typ", &|v| {
        v["entries"][0]["date"] = "gestern".into()
    });
    variant("unbekanntes Feld", &|v| v["apiKey"] = "geheim".into());
    variant("leerer Name", &|v| v["customers"][0]["name"] = "  ".into());
    for (name, bytes) in cases {
        let path = h.dir.path().join("bad.json");
        std::fs::write(&path, &bytes).unwrap();
        let e = sicherung::restore(&h.core, path.display().to_string(), false)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "validation", "{name}");
        assert!(!e.to_string().is_empty());
        assert_eq!(snapshot(&h), before, "{name}: data changed");
    }
    let e = sicherung::restore(&h.core, "/gibt/es/nicht.json".into(), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "validation");
}

#[tokio::test]
async fn automatic_backups_rotate_and_keep_manual_copies() {
    let h = seeded().await;
    let dir = h.dir.path().join("auto");
    std::fs::create_dir_all(&dir).unwrap();
    for day in 1..=9 {
        std::fs::write(dir.join(format!("auto-2020-01-0{day}.json")), b"{}").unwrap();
    }
    std::fs::write(dir.join("vor-wiederherstellung-x.json"), b"{}").unwrap();
    let written = sicherung::daily_backup(&h.core.store, &dir).unwrap();
    assert!(written.is_some());
    assert!(
        sicherung::daily_backup(&h.core.store, &dir)
            .unwrap()
            .is_none(),
        "once a day"
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let autos: Vec<&String> = names.iter().filter(|n| n.starts_with("auto-")).collect();
    assert_eq!(autos.len(), 7);
    assert!(!names.contains(&"auto-2020-01-01.json".to_string()));
    assert!(
        names.contains(&"vor-wiederherstellung-x.json".to_string()),
        "manual copies are kept"
    );
    let today = written.unwrap();
    assert!(Backup::from_json(&std::fs::read(today).unwrap()).is_ok());
}

#[tokio::test]
async fn restoring_an_older_backup_keeps_newer_drafts_billed_and_released_history_is_fine() {
    use zeitrechnung_lib::storage::{BillingState, InvoiceRecord, InvoiceState};
    let h = seeded().await;
    let file = h.dir.path().join("alt.json");
    sicherung::create(&h.core, file.display().to_string())
        .await
        .unwrap();
    // After the backup: a draft bills the project's entries.
    let pid = h
        .core
        .store
        .projects()
        .unwrap()
        .into_iter()
        .find(|p| p.parent_id.is_none())
        .unwrap()
        .id;
    let entries = h.core.store.entries_of(pid).unwrap();
    let now = chrono::Utc::now();
    let rec = InvoiceRecord {
        id: h.core.store.next_id().unwrap(),
        project_id: pid,
        contact_id: "c".into(),
        lexoffice_id: Some("draft-1".into()),
        state: InvoiceState::Created,
        period_from: now.date_naive(),
        period_to: now.date_naive(),
        hourly_rate: "85".into(),
        list_subprojects: false,
        layout: Default::default(),
        net: "1".into(),
        gross: "1.19".into(),
        entry_ids: entries.iter().map(|e| e.id).collect(),
        goodwill_entry_ids: Vec::new(),
        billed_minutes: Vec::new(),
        request: serde_json::json!({}),
        organization_id: None,
        outcome_unknown_since: None,
        started_server_at: None,
        empty_looks: Vec::new(),
        missing_looks: Vec::new(),
        vatfree: None,
        lexoffice_status: None,
        voucher_number: None,
        seen: Default::default(),
        created_at: now,
        updated_at: now,
    };
    h.core
        .store
        .transition_invoice(
            &rec,
            BillingState::Billed {
                invoice_id: "draft-1".into(),
            },
            |_| true,
            true,
        )
        .unwrap();
    let r = sicherung::restore(&h.core, file.display().to_string(), false)
        .await
        .unwrap();
    assert!(
        r.message.ends_with(&format!(
            " Der Rechnungsentwurf „Umbau“ vom {}, 1,19 € wurde nach der Sicherung erstellt; seine Einträge bleiben abgerechnet.",
            zeitrechnung_lib::de::format::local_date(now)
        )),
        "{}",
        r.message
    );
    for e in h.core.store.entries_of(pid).unwrap() {
        assert_eq!(
            e.billing,
            BillingState::Billed {
                invoice_id: "draft-1".into()
            },
            "a newer draft's entry reopened"
        );
    }
    // A released attempt whose entries were deleted later does not block backups.
    let mut released = rec.clone();
    released.id = h.core.store.next_id().unwrap();
    released.state = InvoiceState::Released { reason: "x".into() };
    released.entry_ids = vec![987_654];
    h.core.store.put_invoice_record(&released).unwrap();
    let file2 = h.dir.path().join("neu.json");
    sicherung::create(&h.core, file2.display().to_string())
        .await
        .unwrap();
    sicherung::restore(&h.core, file2.display().to_string(), false)
        .await
        .unwrap();
}

/// The backup file is exactly the document `export()` describes, formatted the
/// way backups always were.
#[tokio::test]
async fn the_backup_file_is_the_exported_document() {
    let h = seeded().await;
    let mut bytes = Vec::new();
    let summary = h.core.store.export_to(&mut bytes).unwrap();
    let parsed = Backup::from_json(&bytes).unwrap();
    let mut expected = h.core.store.export().unwrap();
    expected.created_at = parsed.created_at;
    assert_eq!(parsed, expected);
    assert_eq!(serde_json::to_vec_pretty(&expected).unwrap(), bytes);
    assert_eq!(
        (summary.customers, summary.projects, summary.entries),
        (1, 2, 2)
    );
}

/// The app keeps working during a backup. What changed while the entries were
/// streamed (here: an entry whose project the backup did not read, a draft that
/// points at it) is left out, so the file still restores; the rest is complete.
/// On PostgreSQL the export reads one snapshot and the database refuses an
/// entry without its project: that state cannot arise there.
#[tokio::test]
async fn backup_leaves_out_what_changed_during_it_and_still_restores() {
    let h = seeded().await;
    let store = &h.core.store;
    let before = store.export().unwrap();
    let mut late = before.entries[0].clone();
    late.id = store.next_id().unwrap();
    late.project_id = 999_999;
    if let zeitrechnung_lib::storage::Store::Pg(_) = store.as_ref() {
        let e = store.put_entries(std::slice::from_ref(&late)).unwrap_err();
        assert_eq!(e.to_string(), "Dieses Projekt existiert nicht mehr.");
        assert!(store.entry(late.id).unwrap().is_none());
        return;
    }
    store.put_entries(std::slice::from_ref(&late)).unwrap();
    let late_project = before.projects[0].id;
    let draft = zeitrechnung_lib::storage::InvoiceRecord {
        id: store.next_id().unwrap(),
        project_id: late_project,
        contact_id: "c".into(),
        lexoffice_id: Some("draft-1".into()),
        state: zeitrechnung_lib::storage::InvoiceState::Created,
        period_from: late.date,
        period_to: late.date,
        hourly_rate: "85".into(),
        list_subprojects: false,
        layout: Default::default(),
        net: "1".into(),
        gross: "1.19".into(),
        entry_ids: vec![late.id],
        goodwill_entry_ids: Vec::new(),
        billed_minutes: Vec::new(),
        request: serde_json::json!({}),
        organization_id: None,
        outcome_unknown_since: None,
        started_server_at: None,
        empty_looks: Vec::new(),
        missing_looks: Vec::new(),
        vatfree: None,
        lexoffice_status: None,
        voucher_number: None,
        seen: Default::default(),
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    };
    store.put_invoice_record(&draft).unwrap();

    let file = h.dir.path().join("waehrenddessen.json");
    let r = sicherung::create(&h.core, file.display().to_string())
        .await
        .unwrap();
    assert_eq!((r.summary.entries, r.summary.invoices), (2, 0));
    let b = Backup::from_json(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(b.entries, before.entries);
    assert!(b.invoices.is_empty());
    // No temp file is left next to it.
    let names: Vec<String> = std::fs::read_dir(h.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("waehrenddessen"))
        .collect();
    assert_eq!(names, vec!["waehrenddessen.json".to_string()]);
}

/// A backup is one consistent state: it waits while an invoice is being
/// reserved, sent or settled (the invoice lock), and is written right after.
#[tokio::test]
async fn a_backup_waits_for_a_running_invoice_step() {
    let h = seeded().await;
    let path = h.dir.path().join("waehrend-rechnung.json");
    let guard = h.core.invoice_lock.lock().await;
    let core = h.core.clone();
    let p = path.display().to_string();
    let task = tokio::spawn(async move { sicherung::create(&core, p).await });
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        !task.is_finished(),
        "the backup must wait for the invoice step"
    );
    assert!(!path.exists());
    drop(guard);
    let r = task.await.unwrap().unwrap();
    assert!(r.message.starts_with("Sicherung erstellt"), "{}", r.message);
    assert!(path.exists());
}

/// Restore and customer import exclude each other: while one runs, the other is
/// refused with a German message and changes nothing.
#[tokio::test]
async fn restore_and_customer_import_exclude_each_other() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    zeitrechnung_lib::schnittstellen::connect(&h.core, support::KEY.into())
        .await
        .unwrap();
    let file = h.dir.path().join("sicherung.json");
    sicherung::create(&h.core, file.display().to_string())
        .await
        .unwrap();
    // A slow first page keeps the import running.
    sb.inject(
        lexoffice_sandbox::Fault::Delay(std::time::Duration::from_millis(1500)),
        1,
    );
    let core = h.core.clone();
    let import = tokio::spawn(async move {
        zeitrechnung_lib::kunden::import::run(
            &core,
            |_| {},
            &std::sync::atomic::AtomicBool::new(false),
        )
        .await
    });
    // Until the import has started (its single-flight flag is up).
    let started = std::time::Instant::now();
    while !h.core.import.is_running() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the import never started"
        );
        tokio::task::yield_now().await;
    }
    let e = sicherung::restore(&h.core, file.display().to_string(), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "busy");
    assert_eq!(
        e.to_string(),
        "Gerade läuft ein Kunden-Import. Bitte warten, bis er fertig ist, und dann wiederherstellen."
    );
    assert!(import.await.unwrap().unwrap().completed);
    // Afterwards the restore goes through.
    sicherung::restore(&h.core, file.display().to_string(), false)
        .await
        .unwrap();
}

/// „Sicherung erstellen“ while someone keeps working: another thread moves
/// entries between days (which moves them in the database) and edits them,
/// 1,000 times. Every backup taken meanwhile restores and holds every entry
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_entries_move_holds_each_entry_exactly_once() {
    let h = seeded().await;
    let store = h.core.store.clone();
    let pid = store.projects().unwrap()[0].id;
    let template = store.entries_of(pid).unwrap()[0].clone();
    let mut all: Vec<zeitrechnung_lib::storage::Entry> = (0..300)
        .map(|i| {
            let mut e = template.clone();
            e.id = store.next_id().unwrap();
            e.csv_fingerprint = None;
            e.date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + chrono::Duration::days(i % 200);
            e
        })
        .collect();
    store.put_entries(&all).unwrap();
    let expected: std::collections::BTreeSet<u64> = store
        .projects()
        .unwrap()
        .iter()
        .flat_map(|p| store.entries_of(p.id).unwrap())
        .map(|e| e.id)
        .collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mover = {
        let store = store.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            for round in 0..1_000usize {
                // Alternately far forward and far back: each moves across the
                // whole key range while a backup reads it.
                let e = &mut all[round % 300];
                e.date = if round % 2 == 0 {
                    chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
                } else {
                    chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                };
                if let zeitrechnung_lib::storage::EntryKind::Service { name, .. } = &mut e.kind {
                    *name = format!("Kabel {round}");
                }
                store.put_entries(std::slice::from_ref(e)).unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut backups = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) || backups == 0 {
        let file = h.dir.path().join(format!("waehrenddessen-{backups}.json"));
        sicherung::create(&h.core, file.display().to_string())
            .await
            .unwrap();
        let backup = Backup::from_json(&std::fs::read(&file).unwrap()).unwrap();
        let ids: Vec<u64> = backup.entries.iter().map(|e| e.id).collect();
        let unique: std::collections::BTreeSet<u64> = ids.iter().copied().collect();
        assert_eq!(
            ids.len(),
            unique.len(),
            "an entry twice in backup {backups}"
        );
        assert_eq!(unique, expected, "an entry missing in backup {backups}");
        backups += 1;
    }
    mover.join().unwrap();
    assert!(
        backups >= 2,
        "backups taken while the entries moved: {backups}"
    );
    // The last one restores.
    let last = h
        .dir
        .path()
        .join(format!("waehrenddessen-{}.json", backups - 1));
    sicherung::restore(&h.core, last.display().to_string(), false)
        .await
        .unwrap();
    assert_eq!(
        store
            .projects()
            .unwrap()
            .iter()
            .map(|p| store.entries_of(p.id).unwrap().len())
            .sum::<usize>(),
        expected.len()
    );
}

/// A backup whose billing does not add up (an entry billed by a draft the
/// file does not know; a draft whose entry is open) is refused with the
/// reasons before anything is replaced. „Reparieren und wiederherstellen“
/// restores it without reopening billed work and lists what it changed.
#[tokio::test]
async fn a_backup_whose_billing_does_not_add_up_is_refused_and_can_be_repaired() {
    use zeitrechnung_lib::storage::{BillingState, InvoiceState};
    let h = seeded().await;
    let mut b = h.core.store.export().unwrap();
    let (first, second) = (b.entries[0].id, b.entries[1].id);
    b.entries[0].billing = BillingState::Billed {
        invoice_id: "unbekannt-1".into(),
    };
    let mut draft = serde_json::from_value::<zeitrechnung_lib::storage::InvoiceRecord>(
        serde_json::json!({
            "id": 9000, "projectId": b.entries[1].project_id, "contactId": "",
            "lexofficeId": "entwurf-2", "state": {"state": "created"},
            "periodFrom": "2025-03-01", "periodTo": "2025-03-31", "hourlyRate": "",
            "listSubprojects": false, "net": "1", "gross": "1.19", "entryIds": [],
            "request": null, "createdAt": "2025-04-01T08:00:00Z", "updatedAt": "2025-04-01T08:00:00Z"
        }),
    )
    .unwrap();
    draft.entry_ids = vec![second];
    b.invoices.push(draft);
    let file = h.dir.path().join("schief.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&b).unwrap()).unwrap();
    let before = h.core.store.export().unwrap();

    let refused = sicherung::restore(&h.core, file.display().to_string(), false)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), "confirm");
    assert_eq!(
        refused.to_string(),
        "Die Abrechnung in dieser Sicherung geht nicht auf: Eintrag vom 04.03.2025 in „Umbau“: abgerechnet mit einem Entwurf, den die Sicherung nicht kennt; Eintrag vom 03.03.2025 in „Elektrik“: gehört zu einem Entwurf, ist aber offen. „Reparieren und wiederherstellen“ trägt fehlende Entwürfe nach und öffnet keine abgerechnete Arbeit wieder."
    );
    let mut after = h.core.store.export().unwrap();
    after.created_at = before.created_at;
    assert_eq!(after, before, "nothing replaced");

    let r = sicherung::restore(&h.core, file.display().to_string(), true)
        .await
        .unwrap();
    assert_eq!(
        r.message,
        "Sicherung wiederhergestellt: 1 Kunde, 2 Projekte, 2 Einträge, 2 Rechnungsentwürfe. Repariert: Eintrag vom 04.03.2025 in „Umbau“: abgerechnet mit einem Entwurf, den die Sicherung nicht kennt – bleibt abgerechnet, der Entwurf wird nachgetragen; Eintrag vom 03.03.2025 in „Elektrik“: gehört zu einem Entwurf, ist aber offen – wird als abgerechnet eingetragen."
    );
    let store = &h.core.store;
    assert_eq!(
        store.entry(first).unwrap().unwrap().billing,
        BillingState::Billed {
            invoice_id: "unbekannt-1".into()
        }
    );
    assert_eq!(
        store.entry(second).unwrap().unwrap().billing,
        BillingState::Billed {
            invoice_id: "entwurf-2".into()
        }
    );
    let added = store
        .invoice_records()
        .unwrap()
        .into_iter()
        .find(|r| r.lexoffice_id.as_deref() == Some("unbekannt-1"))
        .expect("the unknown draft is added");
    assert_eq!(
        (added.state, added.entry_ids),
        (InvoiceState::Created, vec![first])
    );
    // The repaired data backs up and restores without a question.
    let again = h.dir.path().join("repariert.json");
    sicherung::create(&h.core, again.display().to_string())
        .await
        .unwrap();
    sicherung::restore(&h.core, again.display().to_string(), false)
        .await
        .unwrap();
}
