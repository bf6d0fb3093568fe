//! A build whose only keyring is the crate's in-memory mock must refuse to
//! "store" the API key: it would be gone after a restart. (Own test binary:
//! it switches the keyring crate's process-wide default store.)

use zeitrechnung_lib::secrets::{OsKeyring, SecretStore};

#[test]
fn in_memory_keyring_is_refused_at_start_up() {
    keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
    let store = OsKeyring::default_entry();
    let err = store
        .check()
        .expect_err("a keyring that forgets must be refused");
    assert!(err.to_string().contains("Schlüsselbund"), "{err}");
}
