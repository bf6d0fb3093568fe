//! The lexoffice API key: a redacting type and the OS keyring behind a trait.
//!
//! The key lives only in the OS keyring (service `zeitrechnung`, user
//! `lexoffice-api-key`). It never goes back to the webview, into sled, logs or
//! error texts: `ApiKey` prints as `ApiKey(***)` and refuses to serialise.

use std::fmt;
use std::sync::Mutex;

pub const KEYRING_SERVICE: &str = "zeitrechnung";
pub const KEYRING_USER: &str = "lexoffice-api-key";
/// The password of the office's database (Einstellungen › Mehrplatz).
pub const KEYRING_DB_USER: &str = "mehrplatz-passwort";

/// A secret that can be used (`expose`) but never printed or serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Trims surrounding whitespace (pasted keys often carry a newline).
    /// Returns None for an empty key or one with inner whitespace/control characters.
    pub fn parse(text: &str) -> Option<ApiKey> {
        let t = text.trim();
        if t.is_empty() || t.len() > 512 || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        Some(ApiKey(t.to_string()))
    }

    /// The only way to the plain text: for the `Authorization` header and the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl serde::Serialize for ApiKey {
    fn serialize<S: serde::Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "ApiKey darf nicht serialisiert werden",
        ))
    }
}

impl Drop for ApiKey {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes before the allocation is freed.
        // SAFETY: writing ASCII zeros keeps the String valid UTF-8.
        unsafe {
            for b in self.0.as_bytes_mut() {
                std::ptr::write_volatile(b, 0);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The store cannot be reached or refuses access. The text is the platform's
    /// own description (never contains the secret).
    #[error("{0}")]
    Unavailable(String),
}

/// Where the key is kept. Every method blocks (D-Bus, Keychain): call from a
/// blocking thread, never the UI thread.
pub trait SecretStore: Send + Sync {
    fn load(&self) -> Result<Option<ApiKey>, SecretError>;
    fn store(&self, key: &ApiKey) -> Result<(), SecretError>;
    /// Removes the key; succeeds when there was none.
    fn delete(&self) -> Result<(), SecretError>;
    /// Start-up check that the store persists beyond this process.
    fn check(&self) -> Result<(), SecretError>;
}

/// Where the database password is kept (Einstellungen › Mehrplatz): the same
/// keyring, its own entry. Any text is a password (spaces too); it is never
/// logged, shown or written anywhere else.
pub trait PasswordStore: Send + Sync {
    fn load_password(&self) -> Result<Option<String>, SecretError>;
    fn store_password(&self, password: &str) -> Result<(), SecretError>;
    /// Removes it; succeeds when there was none.
    fn delete_password(&self) -> Result<(), SecretError>;
}

/// The OS keyring through the `keyring` crate with explicit platform features
/// (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
pub struct OsKeyring {
    service: String,
    user: String,
}

impl OsKeyring {
    pub fn new(service: &str, user: &str) -> Self {
        Self {
            service: service.into(),
            user: user.into(),
        }
    }

    pub fn default_entry() -> Self {
        Self::new(KEYRING_SERVICE, KEYRING_USER)
    }

    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &self.user).map_err(map_keyring_err)
    }
}

fn map_keyring_err(e: keyring::Error) -> SecretError {
    let detail = match &e {
        keyring::Error::PlatformFailure(inner) => format!("Systemfehler: {inner}"),
        keyring::Error::NoStorageAccess(inner) => format!("Kein Zugriff: {inner}"),
        other => other.to_string(),
    };
    SecretError::Unavailable(detail)
}

impl SecretStore for OsKeyring {
    fn load(&self) -> Result<Option<ApiKey>, SecretError> {
        match self.entry()?.get_password() {
            Ok(p) => Ok(ApiKey::parse(&p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_err(e)),
        }
    }

    fn store(&self, key: &ApiKey) -> Result<(), SecretError> {
        self.entry()?
            .set_password(key.expose())
            .map_err(map_keyring_err)
    }

    fn delete(&self) -> Result<(), SecretError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_err(e)),
        }
    }

    fn check(&self) -> Result<(), SecretError> {
        use keyring::credential::CredentialPersistence;
        let forgetful = || {
            SecretError::Unavailable(
                "Dieses Programm hat keine Anbindung an den Schlüsselbund des Systems; ein API-Key wäre nach dem Beenden verloren.".into(),
            )
        };
        // The compiled-in store must persist …
        let persistence = keyring::default::default_credential_builder().persistence();
        if matches!(
            persistence,
            CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly
        ) {
            return Err(forgetful());
        }
        // … and so must the one entries are actually built with (it can be swapped
        // for the crate's in-memory mock).
        if self
            .entry()?
            .get_credential()
            .downcast_ref::<keyring::mock::MockCredential>()
            .is_some()
        {
            return Err(forgetful());
        }
        // Reading reaches the store (D-Bus / Keychain) without writing anything.
        self.load().map(|_| ())
    }
}

impl PasswordStore for OsKeyring {
    fn load_password(&self) -> Result<Option<String>, SecretError> {
        match self.entry()?.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_err(e)),
        }
    }

    fn store_password(&self, password: &str) -> Result<(), SecretError> {
        self.entry()?
            .set_password(password)
            .map_err(map_keyring_err)
    }

    fn delete_password(&self) -> Result<(), SecretError> {
        SecretStore::delete(self)
    }
}

/// In-memory store for tests of the command layer. `run()` never uses it.
#[derive(Default)]
pub struct MemorySecretStore {
    value: Mutex<Option<String>>,
    failing: Mutex<Option<String>>,
}

impl MemorySecretStore {
    /// Makes every call fail as an unavailable keyring would.
    pub fn fail_with(&self, reason: Option<&str>) {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = reason.map(str::to_string);
    }

    fn failing(&self) -> Result<(), SecretError> {
        match &*self.failing.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(r) => Err(SecretError::Unavailable(r.clone())),
            None => Ok(()),
        }
    }

    pub fn has_key(&self) -> bool {
        self.value
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl PasswordStore for MemorySecretStore {
    fn load_password(&self) -> Result<Option<String>, SecretError> {
        self.failing()?;
        Ok(self.value.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    fn store_password(&self, password: &str) -> Result<(), SecretError> {
        self.failing()?;
        *self.value.lock().unwrap_or_else(|p| p.into_inner()) = Some(password.to_string());
        Ok(())
    }
    fn delete_password(&self) -> Result<(), SecretError> {
        SecretStore::delete(self)
    }
}

impl SecretStore for MemorySecretStore {
    fn load(&self) -> Result<Option<ApiKey>, SecretError> {
        self.failing()?;
        Ok(self
            .value
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_deref()
            .and_then(ApiKey::parse))
    }
    fn store(&self, key: &ApiKey) -> Result<(), SecretError> {
        self.failing()?;
        *self.value.lock().unwrap_or_else(|p| p.into_inner()) = Some(key.expose().to_string());
        Ok(())
    }
    fn delete(&self) -> Result<(), SecretError> {
        self.failing()?;
        *self.value.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
    fn check(&self) -> Result<(), SecretError> {
        self.failing()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_never_shows_itself() {
        let k = ApiKey::parse("  geheim-123\n").unwrap();
        assert_eq!(k.expose(), "geheim-123");
        assert_eq!(format!("{k:?}"), "ApiKey(***)");
        assert_eq!(format!("{k}"), "***");
        assert!(!format!("{:?}", Some(&k)).contains("geheim"));
        assert!(serde_json::to_string(&k).is_err());
        assert!(serde_json::to_value(vec![k.clone()]).is_err());
    }

    #[test]
    fn api_key_parse_rejects_junk() {
        assert!(ApiKey::parse("").is_none());
        assert!(ApiKey::parse("   ").is_none());
        assert!(ApiKey::parse("ab cd").is_none());
        assert!(ApiKey::parse("ab\u{7}cd").is_none());
        assert!(ApiKey::parse(&"x".repeat(600)).is_none());
    }

    #[test]
    fn memory_store_round_trip_and_failure() {
        let s = MemorySecretStore::default();
        assert_eq!(s.load().unwrap(), None);
        s.store(&ApiKey::parse("k1").unwrap()).unwrap();
        assert_eq!(s.load().unwrap().unwrap().expose(), "k1");
        s.delete().unwrap();
        s.delete().unwrap();
        assert_eq!(s.load().unwrap(), None);
        s.fail_with(Some("kaputt"));
        assert!(s.store(&ApiKey::parse("k").unwrap()).is_err());
    }
}
