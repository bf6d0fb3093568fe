//! The sled store in a temp dir: schema version, settings round trip across
//! reopen, and the lock a second open meets.

mod common;

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
            s.put_customer(&common::manual_customer(id, name)).unwrap();
        }
    }
    {
        let db = sled::open(dir.path()).unwrap();
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
        s.put_customer(&common::manual_customer(1, "Bäckerei Korn"))
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
