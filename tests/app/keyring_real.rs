//! Keyring round trip against a real Secret Service (gnome-keyring under
//! dbus-run-session, set up by scripts/test.sh which sets ZEITRECHNUNG_TEST_KEYRING=1).

use crate::support;

use zeitrechnung_lib::secrets::{ApiKey, OsKeyring, SecretStore};

#[test]
fn real_keyring_round_trip() {
    if std::env::var_os("ZEITRECHNUNG_TEST_KEYRING").is_none() {
        support::skip(
            "keyring",
            "ZEITRECHNUNG_TEST_KEYRING not set (scripts/test.sh provides a real Secret Service)",
        );
        return;
    }
    let store = OsKeyring::new(
        "zeitrechnung-test",
        &format!("roundtrip-{}", std::process::id()),
    );
    store
        .check()
        .expect("the Secret Service is usable and persistent");
    assert_eq!(store.load().unwrap(), None);
    store.store(&ApiKey::parse("rt-key-1").unwrap()).unwrap();
    assert_eq!(store.load().unwrap().unwrap().expose(), "rt-key-1");
    // A second handle (as after a restart) sees the same key.
    let again = OsKeyring::new(
        "zeitrechnung-test",
        &format!("roundtrip-{}", std::process::id()),
    );
    assert_eq!(again.load().unwrap().unwrap().expose(), "rt-key-1");
    store.store(&ApiKey::parse("rt-key-2").unwrap()).unwrap();
    assert_eq!(again.load().unwrap().unwrap().expose(), "rt-key-2");
    store.delete().unwrap();
    assert_eq!(again.load().unwrap(), None);
    store.delete().expect("deleting twice is fine");
}
