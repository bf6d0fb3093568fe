//! The fields of Einstellungen › Mehrplatz, read and checked: a wrong field is
//! named in German before anything is tried.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::storage::pg::ServerAddress;

/// As the window sends it: every field as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MehrplatzForm {
    pub host: String,
    pub port: String,
    pub database: String,
    pub user: String,
    /// Empty: the password kept in the keyring (if any).
    #[serde(default)]
    pub password: String,
    /// The server's CA file; empty: the well-known CAs (or none on loopback).
    #[serde(default)]
    pub certificate: String,
}

pub const DEFAULT_PORT: u16 = 5432;

impl MehrplatzForm {
    /// The address the fields name; `stored` is the keyring's password, used
    /// when the field is left empty.
    pub fn address(&self, stored: Option<String>) -> AppResult<ServerAddress> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err(AppError::validation(
                "Server",
                "Bitte den Server eingeben: den Namen oder die Adresse des PCs mit der Datenbank (z. B. buero-pc oder 192.168.1.20).",
            ));
        }
        if host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/@?#\\".contains(c))
        {
            return Err(AppError::validation(
                "Server",
                "Der Server ist ein Name oder eine Adresse ohne Leerzeichen und Sonderzeichen, z. B. buero-pc oder 192.168.1.20.",
            ));
        }
        let port = match self.port.trim() {
            "" => DEFAULT_PORT,
            p => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                AppError::validation(
                    "Port",
                    "Der Port ist eine Zahl von 1 bis 65535 (üblich ist 5432).",
                )
            })?,
        };
        let database = self.database.trim();
        if database.is_empty() {
            return Err(AppError::validation(
                "Datenbank",
                "Bitte den Namen der Datenbank eingeben (z. B. zeitrechnung).",
            ));
        }
        let user = self.user.trim();
        if user.is_empty() {
            return Err(AppError::validation(
                "Benutzer",
                "Bitte den Benutzer eingeben, mit dem Zeitrechnung sich an der Datenbank anmeldet.",
            ));
        }
        if self.password.contains('\0') {
            return Err(AppError::validation(
                "Passwort",
                "Das Passwort enthält ein unzulässiges Steuerzeichen.",
            ));
        }
        let certificate = match self.certificate.trim() {
            "" => None,
            c => {
                let path = PathBuf::from(c);
                certificate_fingerprint(&path)?;
                Some(path)
            }
        };
        let password = if self.password.is_empty() {
            stored
        } else {
            Some(self.password.clone())
        };
        Ok(ServerAddress {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            database: database.to_string(),
            user: user.to_string(),
            password,
            ssl_mode: None,
            root_cert: certificate,
        })
    }
}

/// The SHA-256 fingerprint of the (first) certificate in a PEM file, as
/// „AB:CD:…“ — what the office's IT compares with the server's.
pub fn certificate_fingerprint(path: &std::path::Path) -> AppResult<String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;
    use sha2::Digest;
    let shown = path.display();
    if !path.is_file() {
        return Err(AppError::validation(
            "Zertifikat",
            format!(
                "Die Datei „{shown}“ gibt es nicht. Bitte die Zertifikatsdatei des Servers wählen."
            ),
        ));
    }
    let cert = CertificateDer::pem_file_iter(path)
        .ok()
        .and_then(|mut certs| certs.next())
        .and_then(Result::ok)
        .ok_or_else(|| {
            AppError::validation(
                "Zertifikat",
                format!("Die Datei „{shown}“ enthält kein Zertifikat. Erwartet wird eine PEM-Datei, die mit „-----BEGIN CERTIFICATE-----“ beginnt."),
            )
        })?;
    let digest = sha2::Sha256::digest(cert.as_ref());
    Ok(digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MehrplatzForm {
        MehrplatzForm {
            host: " buero-pc ".into(),
            port: "".into(),
            database: "zeitrechnung".into(),
            user: "buero".into(),
            ..Default::default()
        }
    }

    fn refused(f: MehrplatzForm) -> (String, String) {
        match f.address(None).unwrap_err() {
            AppError::Validation { field, message, .. } => (field.to_string(), message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_field_is_checked_in_german() {
        let a = form().address(Some("pw".into())).unwrap();
        assert_eq!(a.host, "buero-pc");
        assert_eq!(a.port, 5432);
        assert_eq!(a.password.as_deref(), Some("pw"));
        for port in ["0", "65536", "abc", "-1", "54 32"] {
            let f = MehrplatzForm {
                port: port.into(),
                ..form()
            };
            assert_eq!(
                refused(f),
                (
                    "Port".into(),
                    "Der Port ist eine Zahl von 1 bis 65535 (üblich ist 5432).".into()
                ),
                "{port}"
            );
        }
        let f = MehrplatzForm {
            host: "  ".into(),
            ..form()
        };
        assert_eq!(refused(f).0, "Server");
        let f = MehrplatzForm {
            host: "buero pc".into(),
            ..form()
        };
        assert_eq!(refused(f).0, "Server");
        let f = MehrplatzForm {
            database: "".into(),
            ..form()
        };
        assert_eq!(refused(f).0, "Datenbank");
        let f = MehrplatzForm {
            user: "".into(),
            ..form()
        };
        assert_eq!(refused(f).0, "Benutzer");
    }

    #[test]
    fn a_certificate_must_be_a_pem_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = MehrplatzForm {
            certificate: dir.path().join("fehlt.pem").display().to_string(),
            ..form()
        };
        let (field, m) = refused(f);
        assert_eq!(field, "Zertifikat");
        assert!(m.starts_with("Die Datei „"), "{m}");
        assert!(m.ends_with("gibt es nicht. Bitte die Zertifikatsdatei des Servers wählen."));
        let junk = dir.path().join("kein.pem");
        std::fs::write(&junk, "hallo").unwrap();
        let f = MehrplatzForm {
            certificate: junk.display().to_string(),
            ..form()
        };
        let (field, m) = refused(f);
        assert_eq!(field, "Zertifikat");
        assert!(m.contains("enthält kein Zertifikat"), "{m}");
    }
}
