//! PostgreSQL behind the same verbs as sled (docs/database.md): the office's
//! database on one PC, typed tables a person can read.
//!
//! The store's API stays synchronous like sled's (every caller already runs it
//! through `core::blocking`): `PgStore` owns a small runtime of its own, each
//! call runs there and the caller waits for its answer (`run`). A transaction
//! that needs a decision of the caller (a closure that is not `Send`) is handed
//! back and forth between the steps.

mod backup;
mod customers;
mod entries;
mod holds;
mod invoices;
mod server;
mod settings;
mod table;
mod watch;

pub use backup::NOT_EMPTY;
pub use holds::ServerHold;
pub use server::{probe, ServerAddress, ServerState, MIN_SERVER_VERSION};
pub use watch::Seat;

use std::future::Future;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, SqlStr, Transaction};

use crate::error::{AppError, AppResult};

pub(super) type Tx = Transaction<'static, Postgres>;

/// How long a call waits for a connection before it says the server cannot
/// be reached (the pool retries the connect meanwhile).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(4);

/// How many migrations this build knows (the highest version).
const KNOWN_MIGRATIONS: i64 = 4;

/// The refusal of a server whose schema a newer Zeitrechnung wrote.
fn newer_schema(v: i64) -> AppError {
    AppError::Database(format!(
        "Die Datenbank auf dem Server stammt von einer neueren Zeitrechnung (Stand {v}). Bitte die App aktualisieren."
    ))
}

/// The small runtime a store (or a look at a server) runs its queries on.
fn runtime() -> AppResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("zeitrechnung-db")
        .enable_all()
        .build()
        .map_err(|e| AppError::Storage(format!("Datenbank-Laufzeit: {e}")))
}

/// The migrations this build knows, in order (`0001_schema.sql`, …).
fn migrator() -> Migrator {
    let mut m = Migrator::with_migrations(vec![
        Migration::new(
            1,
            "schema".into(),
            MigrationType::Simple,
            SqlStr::from_static(include_str!("0001_schema.sql")),
            false,
        ),
        Migration::new(
            2,
            "lexoffice pacing".into(),
            MigrationType::Simple,
            SqlStr::from_static(include_str!("0002_lexoffice_pacing.sql")),
            false,
        ),
        Migration::new(
            3,
            "change notices".into(),
            MigrationType::Simple,
            SqlStr::from_static(include_str!("0003_change_notices.sql")),
            false,
        ),
        Migration::new(
            4,
            "seats in step".into(),
            MigrationType::Simple,
            SqlStr::from_static(include_str!("0004_seats_in_step.sql")),
            false,
        ),
    ]);
    // Several seats starting at once: sqlx's advisory lock lets one migrate.
    m.set_locking(true);
    m
}

pub struct PgStore {
    pool: PgPool,
    address: ServerAddress,
    /// This seat among the others (its connections' application_name).
    seat: String,
    rt: Option<tokio::runtime::Runtime>,
    /// A test's control run: attempts in flight are not held (`holds.rs`).
    holds_off: std::sync::atomic::AtomicBool,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropped anywhere, also inside an async test: never block on the runtime.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// The refusal of every write once a seat took the data to its PC
/// („Zurück zu Einzelplatz“ at `pc`).
pub(super) fn retired(pc: &str) -> AppError {
    let at = if pc.is_empty() {
        "An einem anderen Arbeitsplatz".to_string()
    } else {
        format!("Am Arbeitsplatz {pc}")
    };
    AppError::Stopped(format!(
        "{at} wurde „Zurück zu Einzelplatz“ gewählt: Die Daten liegen jetzt auf jenem PC, diese Mehrplatz-Datenbank wird nicht mehr benutzt. Hier wird nichts mehr gespeichert. Für einen neuen Mehrplatz-Betrieb bitte eine neue, leere Datenbank anlegen."
    ))
}

/// The refusal of every write once a newer Zeitrechnung changed the tables.
pub(super) fn outdated() -> AppError {
    AppError::Stopped(
        "Die Datenbank auf dem Server wurde von einer neueren Zeitrechnung umgestellt. Dieser Arbeitsplatz speichert nichts mehr – bitte Zeitrechnung aktualisieren und neu starten.".into(),
    )
}

/// A database error in German (the server's text is English and may name the
/// connection; the SQLSTATE tells what happened).
pub(super) fn db_err(e: sqlx::Error) -> AppError {
    if let sqlx::Error::Database(d) = &e {
        match d.code().as_deref() {
            Some("ZR002") => return retired(d.message()),
            Some("ZR001") => return outdated(),
            // Away, nothing of the statement stored (outside a COMMIT).
            Some(c) if server_gone(c) => return db_err(sqlx::Error::PoolClosed),
            _ => {}
        }
    }
    match &e {
        sqlx::Error::Database(d) => AppError::Storage(format!(
            "Datenbank-Server: {} ({})",
            d.message(),
            d.code().unwrap_or_default()
        )),
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            AppError::Database(
                "Der Datenbank-Server ist nicht erreichbar. Bitte die Verbindung prüfen; die Änderung wurde nicht gespeichert."
                    .into(),
            )
        }
        other => AppError::Storage(format!("Datenbank: {other}")),
    }
}

/// The SQLSTATEs of a server going away: shutting down or restarting
/// (57P01–57P03) and a broken connection (class 08).
fn server_gone(code: &str) -> bool {
    code.starts_with("57P") || code.starts_with("08")
}

/// What a seat hears when the connection broke during COMMIT: the server may
/// have stored the change or not — the list shows which once it is back.
pub const COMMIT_UNCLEAR: &str = "Die Verbindung zum Datenbank-Server brach beim Speichern ab. Ob die Änderung gespeichert wurde, ist unklar: Sobald die Verbindung wieder steht, zeigt die Liste den Stand des Servers – bitte dort nachsehen.";

/// Commits `tx`; a refusal by the server is told by `refused`, a connection
/// lost during the COMMIT as `COMMIT_UNCLEAR` (never as „nicht gespeichert“).
/// A commit on the server's disk whose answer never came (the server stopped
/// while the COMMIT waited for a standby) ends as a lost connection. A server
/// going away (57P0x, class 08) as the answer to COMMIT is „unklar“ as well:
/// PostgreSQL itself sends 57P01 there only before the commit is written, but
/// a pooler in between (PgBouncer: 08P01) says so when the server died during
/// the COMMIT — only a refusal proves that nothing was stored.
pub(super) async fn commit(tx: Tx, refused: impl FnOnce(sqlx::Error) -> AppError) -> AppResult<()> {
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(sqlx::Error::Database(d)) if d.code().is_some_and(|c| server_gone(&c)) => {
            Err(AppError::Database(COMMIT_UNCLEAR.into()))
        }
        Err(e @ sqlx::Error::Database(_)) => Err(refused(e)),
        Err(
            sqlx::Error::Io(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed,
        ) => Err(AppError::Database(COMMIT_UNCLEAR.into())),
        Err(e) => Err(refused(e)),
    }
}

/// The SQLSTATE of a refused statement (`23505` unique, `23503` reference).
pub(super) fn sql_state(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.code().map(|c| c.to_string()),
        _ => None,
    }
}

/// Removes the `PG*` variables from the process's environment: the driver
/// would take them as defaults for what a URL leaves out (a password, a
/// client certificate, a host address). Called once at start, before any
/// thread runs; `.pgpass` is never read (`new_without_pgpass`).
pub fn forget_pg_environment() {
    let names: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("PG"))
        .collect();
    for k in names {
        std::env::remove_var(k);
    }
}

impl PgStore {
    /// Connects to the server `url` names and brings its schema to this
    /// build's (a server with a newer schema is refused).
    pub fn connect(address: &ServerAddress) -> AppResult<PgStore> {
        // The look first: a refused login, a missing database, an old server
        // or a newer schema answer at once, in German (the pool would retry).
        probe(address)?;
        let seat = watch::new_seat();
        // Every statement of this seat says which schema it knows: the
        // server refuses its writes once it is out of step (migration 4).
        let options = address
            .options()?
            .application_name(&format!("Zeitrechnung {seat}"))
            .options([("zeitrechnung.schema", KNOWN_MIGRATIONS.to_string())]);
        let rt = runtime()?;
        let pool = wait_on(&rt, async move {
            PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(connect_err)
        })?;
        let store = PgStore {
            pool,
            address: address.clone(),
            seat,
            rt: Some(rt),
            holds_off: Default::default(),
        };
        let pool = store.pool.clone();
        store.run(async move {
            migrator().run(&pool).await.map_err(|e| match e {
                MigrateError::VersionMissing(v) => newer_schema(v),
                other => AppError::Storage(format!("Datenbank einrichten: {other}")),
            })
        })?;
        Ok(store)
    }

    /// Runs `work` on the store's runtime and waits for it (`wait_on`).
    pub(super) fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = AppResult<T>> + Send + 'static,
    ) -> AppResult<T> {
        wait_on(self.rt.as_ref().expect("runtime until drop"), work)
    }

    /// The server this store works on.
    pub fn address(&self) -> &ServerAddress {
        &self.address
    }

    pub(super) fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    /// Starts a transaction (handed back to the caller between steps).
    pub(super) fn begin(&self) -> AppResult<Tx> {
        let pool = self.pool();
        self.run(async move { pool.begin().await.map_err(db_err) })
    }

    /// Rolls back a transaction the caller decided against (on the store's
    /// runtime: a connection is never given back outside it).
    pub(super) fn abandon(&self, tx: Tx) {
        let _ = self.run(async move { tx.rollback().await.map_err(db_err) });
    }

    pub fn next_id(&self) -> AppResult<u64> {
        let pool = self.pool();
        self.run(async move {
            let id: i64 = sqlx::query_scalar("SELECT nextval('record_ids')")
                .fetch_one(&pool)
                .await
                .map_err(db_err)?;
            Ok(id as u64)
        })
    }

    /// After a restore: every id handed out from now on is above `max`.
    pub fn raise_id_floor(&self, max: u64) -> AppResult<()> {
        let pool = self.pool();
        self.run(async move { raise_floor(&pool, max).await })
    }

    pub fn schema_version(&self) -> AppResult<u32> {
        Ok(super::SCHEMA_VERSION)
    }

    /// Every answered write is committed, so durable already.
    pub fn flush(&self) -> AppResult<()> {
        Ok(())
    }

    /// Rows of typed tables cannot be half-written: nothing is ever damaged.
    pub fn damaged_records(&self) -> Vec<super::DamagedRecord> {
        Vec::new()
    }

    pub fn scan_for_damage(&self) -> AppResult<Vec<super::DamagedRecord>> {
        Ok(Vec::new())
    }

    /// Whether the server answers now (within a few seconds).
    pub fn ping(&self) -> AppResult<()> {
        let pool = self.pool();
        self.run(async move {
            tokio::time::timeout(ACQUIRE_TIMEOUT + Duration::from_secs(1), async {
                sqlx::query("SELECT 1").execute(&pool).await.map_err(db_err)
            })
            .await
            .map_err(|_| db_err(sqlx::Error::PoolTimedOut))?
            .map(|_| ())
        })
    }

    /// lexoffice's budget shared by every seat: reserves the next turn by
    /// the server's clock (`spacing` after the one before) and answers how
    /// long to wait for it.
    pub fn lexoffice_turn(&self, spacing: Duration) -> AppResult<Duration> {
        let pool = self.pool();
        self.run(async move {
            let micros: i64 = sqlx::query_scalar(
                "UPDATE lexoffice_pacing
                    SET next_at = greatest(next_at, clock_timestamp()) + make_interval(secs => $1)
                  WHERE id = 1
              RETURNING greatest(0, (extract(epoch FROM next_at - make_interval(secs => $1) - clock_timestamp()) * 1000000)::bigint)",
            )
            .bind(spacing.as_secs_f64())
            .fetch_one(&pool)
            .await
            .map_err(db_err)?;
            Ok(Duration::from_micros(micros.max(0) as u64))
        })
    }

    /// lexoffice answered 429: no seat sends before `pause` has passed.
    pub fn lexoffice_pause(&self, pause: Duration) -> AppResult<()> {
        let pool = self.pool();
        self.run(async move {
            sqlx::query(
                "UPDATE lexoffice_pacing SET next_at = greatest(next_at, clock_timestamp() + make_interval(secs => $1)) WHERE id = 1",
            )
            .bind(pause.as_secs_f64())
            .execute(&pool)
            .await
            .map_err(db_err)?;
            Ok(())
        })
    }

    /// „Zurück zu Einzelplatz“ at `pc`: from now on no seat writes here
    /// (`undo`: the copy failed, the seats may write again).
    pub fn retire(&self, pc: Option<String>) -> AppResult<()> {
        let pool = self.pool();
        self.run(async move {
            sqlx::query("UPDATE seats_in_step SET retired_at = CASE WHEN $1::text IS NULL THEN NULL ELSE now() END, retired_by = $1 WHERE id = 1")
                .bind(pc)
                .execute(&pool)
                .await
                .map_err(db_err)?;
            Ok(())
        })
    }

    /// Why this seat may no longer write here (retired, or out of step), if so.
    pub fn stopped(&self) -> AppResult<Option<String>> {
        let pool = self.pool();
        self.run(async move {
            let (min_schema, retired_at, by): (
                i32,
                Option<chrono::DateTime<chrono::Utc>>,
                Option<String>,
            ) = sqlx::query_as(
                "SELECT min_schema, retired_at, retired_by FROM seats_in_step WHERE id = 1",
            )
            .fetch_one(&pool)
            .await
            .map_err(db_err)?;
            Ok(if retired_at.is_some() {
                Some(retired(by.as_deref().unwrap_or_default()).to_string())
            } else if i64::from(min_schema) > KNOWN_MIGRATIONS {
                Some(outdated().to_string())
            } else {
                None
            })
        })
    }

    /// Size of the database on the server, in bytes.
    pub fn size_on_disk(&self) -> AppResult<u64> {
        let pool = self.pool();
        self.run(async move {
            let n: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&pool)
                .await
                .map_err(db_err)?;
            Ok(n as u64)
        })
    }
}

pub(super) async fn raise_floor<'e, E: sqlx::PgExecutor<'e>>(db: E, max: u64) -> AppResult<()> {
    sqlx::query("SELECT setval('record_ids', GREATEST($1, (SELECT last_value FROM record_ids)))")
        .bind(max as i64)
        .execute(db)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Runs `work` on `rt` and waits for its answer: callable from any thread, also
/// from inside another runtime (it never enters one). The one way the store
/// waits for the database.
fn wait_on<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    work: impl Future<Output = AppResult<T>> + Send + 'static,
) -> AppResult<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let _ = tx.send(work.await);
    });
    rx.recv()
        .map_err(|_| AppError::Storage("Die Verbindung zur Datenbank wurde unterbrochen.".into()))?
}

/// Why a connection failed, in words an office can act on.
pub(super) fn connect_err(e: sqlx::Error) -> AppError {
    let code = sql_state(&e).unwrap_or_default();
    let text = e.to_string();
    let why = match code.as_str() {
        "28P01" | "28000" => "Benutzer oder Passwort stimmen nicht.".to_string(),
        "3D000" => "Die Datenbank gibt es auf dem Server nicht.".to_string(),
        _ if matches!(e, sqlx::Error::Tls(_)) || text.contains("certificate") => {
            "Das Zertifikat des Servers wurde nicht anerkannt.".to_string()
        }
        _ if matches!(e, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut) => {
            "Der Server ist nicht erreichbar (Adresse, Port, Firewall?).".to_string()
        }
        _ => text,
    };
    AppError::Database(format!("Keine Verbindung zur Datenbank: {why}"))
}
