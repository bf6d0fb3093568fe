//! The sled store in a temp dir: schema version, settings round trip across
//! reopen, and the lock a second open meets.

use crate::support;

use rust_decimal::Decimal;
use std::str::FromStr;
use zeitrechnung_lib::storage::{Store, SCHEMA_VERSION};

#[test]
fn fresh_database_gets_schema_version_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn settings_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.settings().unwrap().hourly_rate, None);
        s.update_settings(|st| st.hourly_rate = Some(Decimal::from_str("85.50").unwrap()))
            .unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    let st = s.settings().unwrap();
    assert_eq!(st.hourly_rate, Some(Decimal::from_str("85.50").unwrap()));
    assert_eq!(st.hourly_rate.unwrap().to_string(), "85.50");
    assert_eq!(st.default_tax_rate, Decimal::from(19));
}

#[test]
fn second_open_reports_a_readable_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let err = match Store::open(dir.path()) {
        Err(e) => e,
        Ok(_) => panic!("second open must fail"),
    };
    assert!(
        err.to_string()
            .contains("bereits von einer anderen laufenden Zeitrechnung"),
        "{err}"
    );
}

#[test]
fn data_from_a_newer_version_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert(b"schema_version", &(SCHEMA_VERSION + 1).to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let err = match Store::open(dir.path()) {
        Err(e) => e,
        Ok(_) => panic!("must refuse"),
    };
    assert!(
        err.to_string().contains("neueren Zeitrechnung-Version"),
        "{err}"
    );
}

/// One undecodable value (a disk error, an edit by hand) costs that record only:
/// the list shows the rest, the backup is written without it, and the record is
/// named (tree and id) for Einstellungen › Datensicherung.
#[test]
fn a_damaged_record_is_skipped_and_named_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        for (id, name) in [
            (1, "Bäckerei Korn"),
            (2, "Elektro Funke"),
            (3, "Malerei Pinsel"),
        ] {
            s.put_customer(&support::manual_customer(id, name)).unwrap();
        }
    }
    {
        // The store above has just been dropped; sled may hold its lock a moment longer.
        let db = sled_after_close(dir.path());
        db.open_tree("customers")
            .unwrap()
            .insert(2u64.to_be_bytes(), &b"{\"id\":2,\"name\":"[..])
            .unwrap();
        db.flush().unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    let names: Vec<String> = s.customers().unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, vec!["Bäckerei Korn", "Malerei Pinsel"]);
    let damaged = s.damaged_records();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].label(), "Kunde 2");
    let err = s.customer(2).unwrap_err().to_string();
    assert!(err.contains("Kunde 2 ist beschädigt"), "{err}");
    let mut out = Vec::new();
    let summary = s.export_to(&mut out).unwrap();
    assert_eq!(summary.customers, 2);
    let backup = zeitrechnung_lib::storage::Backup::from_json(&out).unwrap();
    assert_eq!(backup.customers.len(), 2);
    drop(s);
    // Einstellungen › Datensicherung scans for damage before any list is opened.
    let s = Store::open(dir.path()).unwrap();
    let labels: Vec<String> = s
        .scan_for_damage()
        .unwrap()
        .iter()
        .map(|d| d.label())
        .collect();
    assert_eq!(labels, vec!["Kunde 2"]);
}

/// A database whose files are garbage is reported as damaged (no panic escapes,
/// the start-up screen can offer a restore) and the files are left as they were.
#[test]
fn a_damaged_database_file_is_reported_as_damaged_and_left_alone() {
    use zeitrechnung_lib::storage::OpenError;
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        s.put_customer(&support::manual_customer(1, "Bäckerei Korn"))
            .unwrap();
    }
    let conf = dir.path().join("conf");
    let garbage = vec![0xA5u8; 512];
    std::fs::write(&conf, &garbage).unwrap();
    match Store::open_checked(dir.path()) {
        Err(OpenError::Damaged(_)) => {}
        Err(other) => panic!("expected Damaged, got {other:?}"),
        Ok(_) => panic!("a garbage database must not open"),
    }
    assert_eq!(
        std::fs::read(&conf).unwrap(),
        garbage,
        "nothing overwritten"
    );
}

/// A backup exactly as the version before billing rules wrote it: schema 1,
/// settings without employees, time entries naming the employee only as text.
const BACKUP_SCHEMA_1: &str = r#"{
  "format": "zeitrechnung-sicherung",
  "version": 1,
  "schemaVersion": 1,
  "appVersion": "0.1.0",
  "createdAt": "2026-11-28T16:05:12.345678Z",
  "settings": {
    "hourlyRate": "85",
    "defaultTaxRate": "19",
    "profile": null,
    "customersImportedAt": null
  },
  "customers": [
    {
      "id": 3,
      "lexofficeId": null,
      "lexofficeVersion": null,
      "number": "",
      "kind": "company",
      "name": "Bäckerei Korn",
      "contactPerson": "",
      "address": { "supplement": "", "street": "Mühlenweg 4", "zip": "10115", "city": "Berlin", "countryCode": "DE" },
      "email": "",
      "phone": "",
      "archived": false,
      "source": "manual",
      "missingInLexoffice": false,
      "billingAddresses": null,
      "lastImportedAt": null,
      "hourlyRate": "80",
      "createdAt": "2026-10-01T08:00:00Z",
      "updatedAt": "2026-10-01T08:00:00Z"
    }
  ],
  "projects": [
    { "id": 7, "name": "Ladenumbau", "number": "P-7", "customerId": 3, "parentId": null, "hourlyRate": null,
      "status": "aktiv", "createdAt": "2026-10-01T08:00:00Z", "updatedAt": "2026-10-01T08:00:00Z" },
    { "id": 8, "name": "Backstube", "number": "", "customerId": 3, "parentId": 7, "hourlyRate": null,
      "status": "aktiv", "createdAt": "2026-10-01T08:00:00Z", "updatedAt": "2026-10-01T08:00:00Z" }
  ],
  "entries": [
    { "id": 101, "projectId": 7, "date": "2026-11-02", "description": "Aufmaß", "billable": true,
      "billing": { "state": "open" }, "type": "time", "employee": "Anna Schmidt",
      "start": "08:00:00", "end": "12:00:00", "breakMinutes": 0, "minutes": 240,
      "csvFingerprint": null, "createdAt": "2026-11-02T12:00:00Z", "updatedAt": "2026-11-02T12:00:00Z" },
    { "id": 102, "projectId": 7, "date": "2026-11-02", "description": "Aufmaß", "billable": true,
      "billing": { "state": "open" }, "type": "time", "employee": "anna schmidt",
      "start": null, "end": null, "breakMinutes": 0, "minutes": 30,
      "csvFingerprint": null, "createdAt": "2026-11-02T12:00:00Z", "updatedAt": "2026-11-02T12:00:00Z" },
    { "id": 103, "projectId": 8, "date": "2026-11-03", "description": "Ofen anschließen", "billable": true,
      "billing": { "state": "open" }, "type": "time", "employee": "Anna Schmidt",
      "start": "22:00:00", "end": "02:00:00", "breakMinutes": 0, "minutes": 240,
      "csvFingerprint": null, "createdAt": "2026-11-04T07:00:00Z", "updatedAt": "2026-11-04T07:00:00Z" },
    { "id": 104, "projectId": 7, "date": "2026-11-04", "description": "ohne Namen", "billable": true,
      "billing": { "state": "open" }, "type": "time", "employee": "",
      "start": null, "end": null, "breakMinutes": 0, "minutes": 15,
      "csvFingerprint": null, "createdAt": "2026-11-04T07:00:00Z", "updatedAt": "2026-11-04T07:00:00Z" },
    { "id": 105, "projectId": 7, "date": "2026-11-04", "description": "nur Leerzeichen", "billable": false,
      "billing": { "state": "open" }, "type": "time", "employee": "   ",
      "start": null, "end": null, "breakMinutes": 0, "minutes": 15,
      "csvFingerprint": null, "createdAt": "2026-11-04T07:00:00Z", "updatedAt": "2026-11-04T07:00:00Z" },
    { "id": 106, "projectId": 8, "date": "2026-11-05", "description": "Leerzeichen um den Namen", "billable": true,
      "billing": { "state": "open" }, "type": "time", "employee": " Anna Schmidt ",
      "start": null, "end": null, "breakMinutes": 0, "minutes": 45,
      "csvFingerprint": 9001, "createdAt": "2026-11-05T07:00:00Z", "updatedAt": "2026-11-05T07:00:00Z" },
    { "id": 107, "projectId": 7, "date": "2026-11-05", "description": "", "billable": true,
      "billing": { "state": "open" }, "type": "service", "name": "Kabel NYM 3x1,5",
      "quantity": "25", "unit": "m", "unitPrice": "1.20", "taxRate": "19",
      "csvFingerprint": null, "createdAt": "2026-11-05T07:00:00Z", "updatedAt": "2026-11-05T07:00:00Z" },
    { "id": 108, "projectId": 8, "date": "2026-11-06", "description": "Abnahme", "billable": true,
      "billing": { "state": "open" }, "type": "time", "employee": "Jonas Weber",
      "start": "09:00:00", "end": "10:00:00", "breakMinutes": 0, "minutes": 60,
      "csvFingerprint": null, "createdAt": "2026-11-06T10:00:00Z", "updatedAt": "2026-11-06T10:00:00Z" }
  ],
  "invoices": []
}"#;

/// (entry id, employee id) of every time entry, by entry id.
fn time_links(s: &Store) -> Vec<(u64, String, Option<u64>)> {
    use zeitrechnung_lib::storage::EntryKind;
    let mut out = Vec::new();
    for p in s.projects().unwrap() {
        for e in s.entries_of(p.id).unwrap() {
            if let EntryKind::Time {
                employee,
                employee_id,
                ..
            } = e.kind
            {
                out.push((e.id, employee, employee_id));
            }
        }
    }
    out.sort();
    out
}

fn employee_names(s: &Store) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = s
        .employees()
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.id))
        .collect();
    v.sort();
    v
}

/// Restoring a backup of the format before billing rules: each distinct name
/// (case and repeated blanks ignored) becomes one employee, every time entry points to it, blank
/// names stay without employee, and new ids stay above the restored ones.
#[test]
fn a_backup_of_schema_1_gets_employees_from_the_recorded_names() {
    use zeitrechnung_lib::storage::{Backup, EntryKind};
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let backup = Backup::from_json(BACKUP_SCHEMA_1.as_bytes()).unwrap();
    assert_eq!(backup.schema_version, 1);
    assert!(backup.settings.employees.is_empty());
    s.replace_all(&backup).unwrap();

    let employees = s.employees().unwrap();
    let names = employee_names(&s);
    assert_eq!(
        names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        // „anna schmidt“ is Anna Schmidt: names match ignoring case (storage::name_key).
        vec!["Anna Schmidt", "Jonas Weber"]
    );
    for e in &employees {
        assert!(
            e.id > 108,
            "employee id {} not above the restored ids",
            e.id
        );
        assert!(e.active);
        assert_eq!((e.role_id, e.hourly_rate), (None, None));
        assert!(e.rate_changes.is_empty());
    }
    let id_of = |name: &str| names.iter().find(|(n, _)| n == name).unwrap().1;
    let (anna, jonas) = (id_of("Anna Schmidt"), id_of("Jonas Weber"));
    assert_eq!(
        time_links(&s),
        vec![
            (101, "Anna Schmidt".to_string(), Some(anna)),
            (102, "anna schmidt".to_string(), Some(anna)),
            (103, "Anna Schmidt".to_string(), Some(anna)),
            (104, "".to_string(), None),
            (105, "   ".to_string(), None),
            (106, " Anna Schmidt ".to_string(), Some(anna)),
            (108, "Jonas Weber".to_string(), Some(jonas)),
        ]
    );
    // Everything else as it was in the file.
    assert_eq!(s.settings().unwrap().hourly_rate, Some(Decimal::from(85)));
    let service = s.entry(107).unwrap().unwrap();
    assert!(matches!(service.kind, EntryKind::Service { .. }));
    assert_eq!(
        s.entry(103).unwrap().unwrap().date.to_string(),
        "2026-11-03"
    );

    // Linking again finds nothing to do and creates nobody.
    assert_eq!(s.link_employees().unwrap(), 0);
    assert_eq!(s.employees().unwrap(), employees);

    // New ids stay above the restored ones and the employees created.
    let highest = employees.iter().map(|e| e.id).max().unwrap();
    let next = s.next_id().unwrap();
    assert!(next > highest, "next id {next} ≤ {highest}");

    // And all of it survives a restart.
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.employees().unwrap(), employees);
    assert_eq!(
        time_links(&s)[0],
        (101, "Anna Schmidt".to_string(), Some(anna))
    );
    assert_eq!(s.link_employees().unwrap(), 0);
}

/// sled opened directly right after a `Store` was dropped: its flusher can hold
/// the file lock for a moment (as `Store::open` knows), so retry briefly.
fn sled_after_close(dir: &std::path::Path) -> sled::Db {
    for _ in 0..50 {
        match sled::open(dir) {
            Ok(db) => return db,
            Err(e) if e.to_string().contains("lock") => {
                std::thread::sleep(std::time::Duration::from_millis(100))
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("the store's lock was not released within 5 s")
}

/// A database written by the version before billing rules (schema 1) is
/// migrated on open: the recorded names become employees, entries point to them.
#[test]
fn opening_a_database_of_schema_1_links_the_names() {
    use chrono::{NaiveDate, Utc};
    use zeitrechnung_lib::storage::{Entry, Project, ProjectStatus};
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<u64>;
    {
        let s = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let project = s.next_id().unwrap();
        s.put_project(&Project {
            id: project,
            name: "Ladenumbau".into(),
            number: String::new(),
            customer_id: None,
            parent_id: None,
            hourly_rate: None,
            rules: Default::default(),
            tax_case: None,
            status: ProjectStatus::Aktiv,
            created_at: now,
            updated_at: now,
        })
        .unwrap();
        let entries: Vec<Entry> = ["Anna Schmidt", "anna schmidt", "", "Anna Schmidt"]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let day = NaiveDate::from_ymd_opt(2026, 11, 2 + i as u32).unwrap();
                support::open_hour(s.next_id().unwrap(), project, day, name, None)
            })
            .collect();
        ids = entries.iter().map(|e| e.id).collect();
        s.put_entries(&entries).unwrap();
        assert!(s.employees().unwrap().is_empty());
    }
    {
        // As the older version left it: schema 1, settings without employees.
        let db = sled_after_close(dir.path());
        db.open_tree("meta")
            .unwrap()
            .insert(b"schema_version", &1u32.to_be_bytes())
            .unwrap();
        db.open_tree("settings")
            .unwrap()
            .insert(
                b"settings",
                &br#"{"hourlyRate":"85","defaultTaxRate":"19","profile":null,"customersImportedAt":null}"#[..],
            )
            .unwrap();
        db.flush().unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    // Migrated through schema 2 (employees linked) to the current one.
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 5);
    let names = employee_names(&s);
    assert_eq!(
        names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        // One employee: „anna schmidt“ is Anna Schmidt (case ignored).
        vec!["Anna Schmidt"]
    );
    let anna = names[0].1;
    assert!(ids.iter().all(|id| anna > *id));
    assert_eq!(
        time_links(&s),
        vec![
            (ids[0], "Anna Schmidt".to_string(), Some(anna)),
            (ids[1], "anna schmidt".to_string(), Some(anna)),
            (ids[2], "".to_string(), None),
            (ids[3], "Anna Schmidt".to_string(), Some(anna)),
        ]
    );
    assert_eq!(s.settings().unwrap().hourly_rate, Some(Decimal::from(85)));
    assert_eq!(s.link_employees().unwrap(), 0);
    drop(s);
    // Schema 2 now: opening again changes nothing.
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(employee_names(&s), names);
}

/// A restore that stopped after writing its data but before linking the names
/// (a crash in `replace_all`) is finished at the next start: the mark it set
/// first makes the open link the entries.
#[test]
fn a_restore_cut_short_before_linking_is_finished_at_the_next_start() {
    use chrono::{NaiveDate, Utc};
    use zeitrechnung_lib::storage::{Project, ProjectStatus};
    let dir = tempfile::tempdir().unwrap();
    let id;
    {
        let s = Store::open(dir.path()).unwrap();
        let now = Utc::now();
        let project = s.next_id().unwrap();
        s.put_project(&Project {
            id: project,
            name: "Ladenumbau".into(),
            number: String::new(),
            customer_id: None,
            parent_id: None,
            hourly_rate: None,
            rules: Default::default(),
            tax_case: None,
            status: ProjectStatus::Aktiv,
            created_at: now,
            updated_at: now,
        })
        .unwrap();
        id = s.next_id().unwrap();
        // Written as a schema-1 backup has it: a name, no employee.
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        s.put_entries(&[support::open_hour(id, project, day, "Olaf Berg", None)])
            .unwrap();
    }
    // Without the mark an open leaves schema-2 data alone …
    let s = Store::open(dir.path()).unwrap();
    assert!(s.employees().unwrap().is_empty());
    drop(s);
    // … with it (set by the restore before writing) the names are linked.
    {
        let db = sled_after_close(dir.path());
        db.open_tree("meta")
            .unwrap()
            .insert(b"link_employees_pending", &[1u8])
            .unwrap();
        db.flush().unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    let names = employee_names(&s);
    assert_eq!(
        names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        vec!["Olaf Berg"]
    );
    assert_eq!(
        time_links(&s),
        vec![(id, "Olaf Berg".to_string(), Some(names[0].1))]
    );
    drop(s);
    // Done once: the mark is gone.
    let db = sled_after_close(dir.path());
    assert!(!db
        .open_tree("meta")
        .unwrap()
        .contains_key(b"link_employees_pending")
        .unwrap());
}

/// Entries are stored in a compact binary form (storage::entry_codec); one an older
/// version wrote as JSON is still read, listed and rewritten on its next change, and a
/// garbled binary value is skipped and named like any damaged record.
#[test]
fn json_entries_of_older_versions_are_read_and_garbled_binary_ones_skipped() {
    use chrono::{NaiveDate, Utc};
    use zeitrechnung_lib::storage::{
        entry_codec, entry_key, BillingState, Entry, EntryKind, Project, ProjectStatus,
    };
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    let project = 1u64;
    let entry = |id: u64, minutes: u32| Entry {
        id,
        project_id: project,
        date: NaiveDate::from_ymd_opt(2026, 11, id as u32).unwrap(),
        description: format!("Eintrag {id}"),
        billable: true,
        billing: BillingState::Open,
        kind: EntryKind::Time {
            employee: String::new(),
            employee_id: None,
            start: None,
            end: None,
            break_minutes: 0,
            minutes,
        },
        csv_fingerprint: None,
        created_at: now,
        updated_at: now,
    };
    {
        let s = Store::open(dir.path()).unwrap();
        s.put_project(&Project {
            id: project,
            name: "Ladenumbau".into(),
            number: String::new(),
            customer_id: None,
            parent_id: None,
            hourly_rate: None,
            rules: Default::default(),
            tax_case: None,
            status: ProjectStatus::Aktiv,
            created_at: now,
            updated_at: now,
        })
        .unwrap();
        s.put_entries(&[entry(2, 60), entry(3, 90)]).unwrap();
    }
    {
        let db = sled_after_close(dir.path());
        let entries = db.open_tree("entries").unwrap();
        let keys = db.open_tree("entry_keys").unwrap();
        // Entry 4 as an older version wrote it: JSON.
        let old = entry(4, 30);
        let key = entry_key(project, old.date, old.id);
        entries
            .insert(key, serde_json::to_vec(&old).unwrap())
            .unwrap();
        keys.insert(old.id.to_be_bytes(), &key[..]).unwrap();
        // Entry 3 garbled: its binary value cut short.
        let k3 = entry_key(project, entry(3, 90).date, 3);
        let v = entries.get(k3).unwrap().unwrap();
        assert_eq!(v[0], entry_codec::BINARY_V1);
        entries.insert(k3, &v[..v.len() - 3]).unwrap();
        db.flush().unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    let listed: Vec<(u64, String)> = s
        .entries_of(project)
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.description))
        .collect();
    assert_eq!(
        listed,
        vec![(2, "Eintrag 2".to_string()), (4, "Eintrag 4".to_string())]
    );
    let damaged = s.damaged_records();
    assert_eq!(damaged.len(), 1, "{damaged:?}");
    assert_eq!(damaged[0].label(), "Eintrag 3");
    // The JSON entry, changed once, is stored in the binary form.
    let mut e4 = s.entry(4).unwrap().unwrap();
    e4.description = "geändert".into();
    s.put_entries(&[e4.clone()]).unwrap();
    assert_eq!(s.entry(4).unwrap(), Some(e4));
}

/// Settings changes are one transaction each: two threads changing different
/// parts of the settings document at the same time (a rate saved while
/// „Entwürfe erstellen“ refreshes the lexoffice profile) lose nothing.
#[test]
fn concurrent_settings_changes_lose_nothing() {
    use std::sync::Arc;
    use zeitrechnung_lib::storage::{Employee, Role};
    let dir = tempfile::tempdir().unwrap();
    let s = Arc::new(Store::open(dir.path()).unwrap());
    let n = 150u64;
    let roles = {
        let s = s.clone();
        std::thread::spawn(move || {
            for i in 0..n {
                s.update_settings(|st| {
                    st.roles.push(Role {
                        id: 1_000 + i,
                        name: format!("Rolle {i}"),
                        hourly_rate: None,
                        rate_changes: Vec::new(),
                    })
                })
                .unwrap();
            }
        })
    };
    for i in 0..n {
        s.update_settings(|st| {
            st.employees.push(Employee {
                id: 5_000 + i,
                name: format!("Person {i}"),
                role_id: None,
                hourly_rate: None,
                rate_changes: Vec::new(),
                active: true,
                role_changes: Vec::new(),
            })
        })
        .unwrap();
    }
    roles.join().unwrap();
    let st = s.settings().unwrap();
    assert_eq!(
        (st.roles.len(), st.employees.len()),
        (n as usize, n as usize)
    );
}

/// A journal line carries a whole customer (a rate included) and reads back
/// exactly (an internally tagged line once lost it silently).
#[test]
fn a_journal_line_with_a_customer_reads_back_whole() {
    use zeitrechnung_lib::storage::journal::Line;
    let dir = tempfile::tempdir().unwrap();
    let j = zeitrechnung_lib::storage::Journal::open(dir.path()).unwrap();
    let mut c = support::manual_customer(7, "Glaserei Licht");
    c.hourly_rate = Some(rust_decimal::Decimal::new(8550, 2));
    let line = Line::ContactAttempt {
        at: chrono::Utc::now(),
        customer: Box::new(c),
    };
    j.append(&line).unwrap();
    assert_eq!(j.lines().unwrap(), vec![line]);
}

/// Where the data dir of a schema lies (written once by `write_data_fixture`).
fn fixture_dir(schema: u32) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/data-schema-{schema}"))
}

/// Writes the fixture of this build's schema: `cargo test --test app
/// storage::write_data_fixture -- --ignored`. Run once when the schema version is
/// bumped; the fixtures of older versions stay.
#[tokio::test]
#[ignore = "writes tests/fixtures/data-schema-<SCHEMA_VERSION> (run by hand, once per version)"]
async fn write_data_fixture() {
    use zeitrechnung_lib::kunden::{self, CustomerInput};
    use zeitrechnung_lib::projekte::{self as p, ProjectInput, ServiceInput, TimeInput};
    use zeitrechnung_lib::storage::{BillingState, InvoiceState};
    let h = support::harness("http://127.0.0.1:9");
    let c = kunden::save(
        &h.core,
        CustomerInput {
            name: "Müller & Söhne GmbH".into(),
            number: "K-1".into(),
            street: "Hafenstraße 3".into(),
            zip: "24103".into(),
            city: "Kiel".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .customer
    .id;
    // The customer's own rate (the Kunden form keeps it apart).
    let mut with_rate = h.core.store.customer(c).unwrap().unwrap();
    with_rate.hourly_rate = Some(Decimal::from_str("72.50").unwrap());
    h.core.store.put_customer(&with_rate).unwrap();
    let main = p::save(
        &h.core,
        ProjectInput {
            name: "Umbau Laden".into(),
            number: "P-7".into(),
            customer_id: Some(c),
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
            parent_id: Some(main),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    let mut times = Vec::new();
    for (day, dur) in [("03.03.2025", "7:30"), ("04.03.2025", "0:15")] {
        times.push(
            p::save_time(
                &h.core,
                TimeInput {
                    project_id: sub,
                    date: day.into(),
                    duration: dur.into(),
                    employee: "Jana Kraus".into(),
                    new_employee: true,
                    description: "Leitungen verlegt".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id,
        );
    }
    p::save_service(
        &h.core,
        ServiceInput {
            project_id: main,
            date: "05.03.2025".into(),
            name: "Kabel NYM 3x1,5".into(),
            quantity: "25".into(),
            unit: "m".into(),
            unit_price: "1,2345".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // The first time billed by a draft (schema 3: its billed minutes).
    let store = &h.core.store;
    let now = chrono::Utc::now();
    let record = zeitrechnung_lib::storage::InvoiceRecord {
        id: store.next_id().unwrap(),
        project_id: main,
        contact_id: "c0ffee00-0000-4000-8000-000000000001".into(),
        lexoffice_id: Some("d2af7e1c-0000-4000-8000-000000000002".into()),
        state: InvoiceState::Created,
        period_from: chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        period_to: chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap(),
        hourly_rate: String::new(),
        list_subprojects: true,
        layout: Default::default(),
        net: "543.75".into(),
        gross: "647.06".into(),
        entry_ids: vec![times[0]],
        goodwill_entry_ids: Vec::new(),
        billed_minutes: vec![(times[0], 450u32)],
        request: serde_json::json!({"voucherDate": "2025-03-31T00:00:00.000+02:00"}),
        organization_id: None,
        outcome_unknown_since: None,
        started_server_at: None,
        empty_looks: Vec::new(),
        missing_looks: Vec::new(),
        vatfree: Some(false),
        lexoffice_status: Some("draft".into()),
        voucher_number: None,
        seen: Default::default(),
        created_at: now,
        updated_at: now,
    };
    store
        .transition_invoice_from(
            &record,
            |s| s.is_none(),
            BillingState::Billed {
                invoice_id: record.lexoffice_id.clone().unwrap(),
            },
            |b| *b == BillingState::Open,
            true,
        )
        .unwrap();
    // Schema 4: a second backup folder.
    store
        .update_settings(|s| s.backup_copy_dir = Some("/mnt/nas/zeitrechnung".into()))
        .unwrap();
    store.flush().unwrap();
    let from = h.dir.path().join("db");
    drop(h.core);
    let to = fixture_dir(SCHEMA_VERSION).join("db");
    let _ = std::fs::remove_dir_all(&to);
    support::copy_tree(&from, &to);
}

/// A data dir written by schema 3 opens in this version with everything in
/// it: every later version must keep passing this (docs/conventions.md ›
/// Data version).
#[test]
fn the_data_of_schema_3_still_opens_whole() {
    let s = opens_whole(3);
    assert_eq!(s.settings().unwrap().backup_copy_dir, None);
}

/// The same for schema 4 (a second backup folder in the settings); its
/// settings document is split into records on the way (schema 5): the
/// employees are read as a record of their own.
#[test]
fn the_data_of_schema_4_still_opens_whole() {
    let s = opens_whole(4);
    assert_eq!(
        s.settings().unwrap().backup_copy_dir.as_deref(),
        Some("/mnt/nas/zeitrechnung")
    );
    let names: Vec<String> = s.employees().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, vec!["Jana Kraus"]);
}

/// The same for schema 5 (the settings as four records).
#[test]
fn the_data_of_schema_5_still_opens_whole() {
    let s = opens_whole(5);
    assert_eq!(
        s.settings().unwrap().backup_copy_dir.as_deref(),
        Some("/mnt/nas/zeitrechnung")
    );
    let names: Vec<String> = s.employees().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, vec!["Jana Kraus"]);
}

fn opens_whole(schema: u32) -> Store {
    use zeitrechnung_lib::storage::{BillingState, EntryKind, InvoiceState};
    let dir = tempfile::tempdir().unwrap();
    support::copy_tree(&fixture_dir(schema), dir.path());
    let s = Store::open(&dir.path().join("db")).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    let customers = s.customers().unwrap();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].name, "Müller & Söhne GmbH");
    assert_eq!(
        customers[0].hourly_rate,
        Some(Decimal::from_str("72.50").unwrap())
    );
    let mut projects = s.projects().unwrap();
    projects.sort_by_key(|p| p.id);
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["Umbau Laden", "Elektrik"]);
    assert_eq!(projects[1].parent_id, Some(projects[0].id));
    let times = s.entries_of(projects[1].id).unwrap();
    let minutes: Vec<(String, u32, &BillingState)> = times
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Time {
                minutes, employee, ..
            } => (employee.clone(), *minutes, &e.billing),
            EntryKind::Service { .. } => panic!("a service among the times"),
        })
        .collect();
    let billed = BillingState::Billed {
        invoice_id: "d2af7e1c-0000-4000-8000-000000000002".into(),
    };
    assert_eq!(
        minutes,
        vec![
            ("Jana Kraus".to_string(), 450, &billed),
            ("Jana Kraus".to_string(), 15, &BillingState::Open)
        ]
    );
    let services = s.entries_of(projects[0].id).unwrap();
    match &services[..] {
        [e] => match &e.kind {
            EntryKind::Service {
                name,
                quantity,
                unit_price,
                ..
            } => {
                assert_eq!(name, "Kabel NYM 3x1,5");
                assert_eq!(*quantity, Decimal::from(25));
                assert_eq!(*unit_price, Decimal::from_str("1.2345").unwrap());
            }
            EntryKind::Time { .. } => panic!("a time among the services"),
        },
        other => panic!("expected one service, found {}", other.len()),
    }
    let records = s.invoice_records().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].state, InvoiceState::Created);
    assert_eq!(records[0].billed_minutes, vec![(times[0].id, 450)]);
    let employees = s.settings().unwrap().employees;
    assert_eq!(
        employees
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Jana Kraus"]
    );
    s
}
