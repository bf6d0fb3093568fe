//! Which server, and what is on it: the address of the office's database
//! (from a `postgres://` URL or from Einstellungen › Mehrplatz), the one rule
//! for how it is reached, and a look at the server without changing anything
//! („Verbindung prüfen“). docs/database.md › Verbindung.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgSslMode};

use super::{connect_err, db_err, runtime, wait_on};
use crate::error::{AppError, AppResult};

/// The oldest PostgreSQL this build works with (`server_version_num`).
pub const MIN_SERVER_VERSION: u32 = 130000;

/// The server, the database and who logs in. The password is never printed
/// (`Debug` hides it) and never written anywhere but the keyring.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerAddress {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: Option<String>,
    /// `sslmode` as a URL names it; None: plain to loopback, else verify-full.
    pub ssl_mode: Option<String>,
    /// The server's CA file („Zertifikat“); None: the well-known CAs.
    pub root_cert: Option<PathBuf>,
}

impl std::fmt::Debug for ServerAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerAddress({})", self.display())
    }
}

fn bad(m: &str) -> AppError {
    AppError::Database(format!("Datenbank-Adresse: {m}."))
}

impl ServerAddress {
    /// The address a `postgres://` URL names, and nothing else: `sslmode` and
    /// `sslrootcert` are honoured, any other option is refused.
    pub fn from_url(url: &str) -> AppResult<ServerAddress> {
        let u = url::Url::parse(url).map_err(|_| bad("keine gültige Adresse"))?;
        if u.scheme() != "postgres" && u.scheme() != "postgresql" {
            return Err(bad("sie muss mit postgres:// beginnen"));
        }
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("der Server fehlt"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let database = u.path().trim_start_matches('/').to_string();
        if database.is_empty() {
            return Err(bad("der Name der Datenbank fehlt"));
        }
        let user = url_decode(u.username());
        if user.is_empty() {
            return Err(bad("der Benutzer fehlt"));
        }
        let mut ssl_mode = None;
        let mut root_cert = None;
        for (k, v) in u.query_pairs() {
            match k.as_ref() {
                "sslmode" => ssl_mode = Some(v.into_owned()),
                "sslrootcert" => root_cert = Some(PathBuf::from(v.into_owned())),
                other => return Err(bad(&format!("unbekannte Angabe „{other}“"))),
            }
        }
        Ok(ServerAddress {
            host,
            port: u.port().unwrap_or(5432),
            database,
            user,
            password: u.password().map(url_decode),
            ssl_mode,
            root_cert,
        })
    }

    /// The PC itself: the only place a plain connection may go.
    pub fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "localhost" | "127.0.0.1" | "::1")
    }

    /// „buero@server:5432/firma“ — for the window and the log, never the password.
    pub fn display(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{}@{host}:{}/{}", self.user, self.port, self.database)
    }

    /// The driver's options: what this address names and nothing else (the
    /// `PG*` variables and `.pgpass` are not read); plain only to loopback,
    /// any other host with a verified certificate.
    pub(super) fn options(&self) -> AppResult<PgConnectOptions> {
        let ssl = match self.ssl_mode.as_deref() {
            None if self.is_loopback() => PgSslMode::Disable,
            None => PgSslMode::VerifyFull,
            Some(m) => PgSslMode::from_str(m).map_err(|_| bad("unbekannter sslmode"))?,
        };
        if !self.is_loopback() && !matches!(ssl, PgSslMode::VerifyFull | PgSslMode::VerifyCa) {
            return Err(bad(
                "zu einem anderen PC nur verschlüsselt mit geprüftem Zertifikat (sslmode=verify-full)",
            ));
        }
        let mut o = PgConnectOptions::new_without_pgpass()
            .host(&self.host)
            .port(self.port)
            .username(&self.user)
            .database(&self.database)
            .ssl_mode(ssl)
            .application_name("Zeitrechnung");
        if let Some(p) = &self.password {
            o = o.password(p);
        }
        if let Some(cert) = &self.root_cert {
            o = o.ssl_root_cert(cert.clone());
        }
        Ok(o)
    }
}

/// A user name or password as the URL spells it, percent-decoded.
fn url_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// What „Verbindung prüfen“ found on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerState {
    /// „16.4“
    pub version: String,
    /// Records of a firm on it: customers, projects, entries (all 0 when empty).
    pub customers: u64,
    pub projects: u64,
    pub entries: u64,
    /// The schema migrations applied there (0: a fresh database).
    pub schema: i64,
}

impl ServerState {
    pub fn is_empty(&self) -> bool {
        self.customers == 0 && self.projects == 0 && self.entries == 0
    }
}

/// Logs in once and looks: the server's version (an older one than
/// `MIN_SERVER_VERSION` is refused), whether Zeitrechnung's tables are there
/// and how many records they hold. Changes nothing.
pub fn probe(address: &ServerAddress) -> AppResult<ServerState> {
    let options = address.options()?;
    let rt = runtime()?;
    let state = wait_on(&rt, async move {
        use sqlx::{ConnectOptions, Connection};
        let mut c = options.connect().await.map_err(connect_err)?;
        let num: String = sqlx::query_scalar("SHOW server_version_num")
            .fetch_one(&mut c)
            .await
            .map_err(db_err)?;
        let num: u32 = num.trim().parse().unwrap_or(0);
        let version = format!("{}.{}", num / 10000, num % 10000);
        if num < MIN_SERVER_VERSION {
            return Err(AppError::Database(format!(
                "Keine Verbindung zur Datenbank: Der Server hat PostgreSQL {version}; Zeitrechnung braucht mindestens Version {}.",
                MIN_SERVER_VERSION / 10000
            )));
        }
        // The tables count only once their first migration is committed: a
        // seat starting at the same moment may have made `_sqlx_migrations`
        // and still be inside migration 1 (its tables not yet visible here).
        let has_schema: bool = sqlx::query_scalar(
            "SELECT to_regclass('public._sqlx_migrations') IS NOT NULL
                AND to_regclass('public.customers') IS NOT NULL
                AND to_regclass('public.projects') IS NOT NULL
                AND to_regclass('public.entries') IS NOT NULL",
        )
        .fetch_one(&mut c)
        .await
        .map_err(db_err)?;
        let mut state = ServerState {
            version,
            customers: 0,
            projects: 0,
            entries: 0,
            schema: 0,
        };
        if has_schema {
            let (schema, customers, projects, entries): (i64, i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success),
                        (SELECT count(*) FROM customers),
                        (SELECT count(*) FROM projects),
                        (SELECT count(*) FROM entries)",
            )
            .fetch_one(&mut c)
            .await
            .map_err(db_err)?;
            if schema >= 4 {
                // A database a seat took back to its PC is not used any more.
                let by: Option<String> = sqlx::query_scalar(
                    "SELECT coalesce(retired_by, '') FROM seats_in_step WHERE retired_at IS NOT NULL",
                )
                .fetch_optional(&mut c)
                .await
                .map_err(db_err)?;
                if let Some(pc) = by {
                    return Err(super::retired(&pc));
                }
            }
            state.schema = schema;
            state.customers = customers as u64;
            state.projects = projects as u64;
            state.entries = entries as u64;
        }
        c.close().await.map_err(connect_err)?;
        Ok(state)
    });
    rt.shutdown_background();
    let state = state?;
    if state.schema > super::KNOWN_MIGRATIONS {
        return Err(super::newer_schema(state.schema));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_every_part_and_the_password_never_shows() {
        let a = ServerAddress::from_url(
            "postgres://b%C3%BCro:ge%2Bheim@server.buero:6543/firma?sslmode=verify-ca&sslrootcert=/etc/ca.pem",
        )
        .unwrap();
        assert_eq!(a.user, "büro");
        assert_eq!(a.password.as_deref(), Some("ge+heim"));
        assert_eq!(a.port, 6543);
        assert_eq!(a.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(a.display(), "büro@server.buero:6543/firma");
        assert!(!format!("{a:?}").contains("heim"));
        assert!(a.options().is_ok());
    }

    #[test]
    fn a_plain_connection_goes_to_loopback_only() {
        let far = ServerAddress::from_url("postgres://b@server/firma?sslmode=disable").unwrap();
        assert_eq!(
            far.options().unwrap_err().to_string(),
            "Datenbank-Adresse: zu einem anderen PC nur verschlüsselt mit geprüftem Zertifikat (sslmode=verify-full)."
        );
        let near = ServerAddress::from_url("postgres://b@[::1]/firma").unwrap();
        assert!(near.is_loopback());
        assert_eq!(near.display(), "b@[::1]:5432/firma");
        assert!(near.options().is_ok());
    }
}
