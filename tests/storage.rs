//! The sled store in a temp dir: schema version, settings round trip across
//! reopen, and the lock a second open meets.

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
