//! Start-up failures in the real window: a data dir that cannot be written, data
//! from a newer version, a damaged database and an unreachable database server
//! each open the window with
//! „Zeitrechnung konnte nicht starten“, the cause and what to do, instead of the
//! old panic in Tauri's setup (no window, exit code 101). The process stays alive
//! until „Beenden“; nothing is deleted or overwritten.
// The real-window suites need Xvfb and WebKitWebDriver: Linux (unix) only, so
// `cargo test` still compiles on the Windows and macOS runners.

use crate::support;
use crate::support::webdriver;

use std::path::{Path, PathBuf};
use std::time::Duration;

use webdriver::{missing_prerequisite, Driver, RecordingOpener, Session};
use zeitrechnung_lib::storage::Store;

fn begin() -> Option<std::sync::MutexGuard<'static, ()>> {
    if let Some(why) = missing_prerequisite() {
        support::skip("e2e-startup", &why);
        return None;
    }
    Some(webdriver::serial())
}

fn screens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screens")
}

fn app_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_zeitrechnung"))
}

/// A temp home with a recording `xdg-open`; each test picks its data dir.
struct World {
    dir: tempfile::TempDir,
    opener: RecordingOpener,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let opener = RecordingOpener::new(dir.path());
        World { dir, opener }
    }

    fn driver(&self, data_dir: &Path) -> Driver {
        Driver::start(&[
            ("ZEITRECHNUNG_DATA_DIR", data_dir.display().to_string()),
            ("ZEITRECHNUNG_LEXOFFICE_URL", "http://127.0.0.1:9".into()),
            ("PATH", self.opener.path_env()),
        ])
    }

    fn opened(&self) -> String {
        self.opener.opened()
    }
}

/// The heading, and the process still answering a moment later.
fn assert_failure_screen(s: &Session, cause: &str) {
    s.wait_xpath("//h1[normalize-space()='Zeitrechnung konnte nicht starten']");
    s.wait_text(cause);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        s.execute("return document.title"),
        "Zeitrechnung – Start fehlgeschlagen",
        "the app is still alive and shows the failure screen"
    );
    // The app itself is hidden: no navigation into a half-started app.
    assert!(s
        .find_xpath("//button[normalize-space()='Kunden' and not(ancestor::*[@hidden])]")
        .is_err());
}

fn has_button(s: &Session, text: &str) -> bool {
    s.find_xpath(&format!("//button[normalize-space()='{text}']"))
        .is_ok()
}

#[test]
fn unwritable_data_dir_shows_why_and_keeps_running() {
    let Some(_serial) = begin() else { return };
    let w = World::new();
    // A data dir below a regular file cannot be created, even by root (chmod would not stop root).
    let blocker = w.dir.path().join("kein-ordner");
    std::fs::write(&blocker, b"eine Datei").unwrap();
    let data = blocker.join("daten");
    let driver = w.driver(&data);
    let s = driver.session(&app_path());
    assert_failure_screen(&s, "kann nicht angelegt oder beschrieben werden");
    s.wait_text(&data.display().to_string());
    s.wait_text("Schreibrechte");
    assert!(has_button(&s, "Datenordner öffnen") && has_button(&s, "Beenden"));
    assert!(
        !has_button(&s, "Sicherung wiederherstellen"),
        "a restore cannot help here"
    );
    s.screenshot(&screens().join("70-start-nicht-beschreibbar.png"));
    // „Datenordner öffnen“ shows the nearest folder that exists.
    s.click_button("Datenordner öffnen");
    let opened = s.wait("xdg-open called", || {
        let t = w.opened();
        (!t.is_empty()).then_some(t)
    });
    assert_eq!(opened.trim(), w.dir.path().display().to_string());
    assert_eq!(
        std::fs::read(&blocker).unwrap(),
        b"eine Datei",
        "nothing overwritten"
    );
    s.click_xpath_closing_app("//button[normalize-space()='Beenden']");
}

/// The office's database server cannot be reached: the window says so with
/// „Erneut versuchen“, and never opens the local data instead (no local
/// database is created).
#[test]
fn an_unreachable_database_server_says_so_and_offers_a_retry() {
    let Some(_serial) = begin() else { return };
    let w = World::new();
    let data = w.dir.path().join("daten");
    // Nobody listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver::start(&[
        ("ZEITRECHNUNG_DATA_DIR", data.display().to_string()),
        ("ZEITRECHNUNG_LEXOFFICE_URL", "http://127.0.0.1:9".into()),
        (
            "ZEITRECHNUNG_DATABASE_URL",
            format!("postgres://buero:geheim@127.0.0.1:{port}/firma"),
        ),
        ("PATH", w.opener.path_env()),
    ]);
    let s = driver.session(&app_path());
    assert_failure_screen(
        &s,
        "Keine Verbindung zur Datenbank: Der Server ist nicht erreichbar (Adresse, Port, Firewall?).",
    );
    s.wait_text("Bitte prüfen, ob der PC mit der Datenbank eingeschaltet");
    assert!(has_button(&s, "Erneut versuchen") && has_button(&s, "Beenden"));
    assert!(!has_button(&s, "Sicherung wiederherstellen"));
    assert!(
        !s.execute("return document.body.innerText")
            .as_str()
            .unwrap()
            .contains("geheim"),
        "the password is never shown"
    );
    s.screenshot(&screens().join("74-start-datenbank-nicht-erreichbar.png"));
    assert!(!data.join("db").exists(), "never the local data instead");
    let log = log_text(&data.join("logs"));
    assert!(
        log.contains("start-up failed: Keine Verbindung zur Datenbank"),
        "{log}"
    );
    assert!(!log.contains("geheim"), "the password is never logged");
    s.click_xpath_closing_app("//button[normalize-space()='Beenden']");
}

/// This PC's server (Einstellungen › Mehrplatz) refuses the password in the
/// keyring: the failure screen says so and „Einstellungen öffnen“ shows the
/// fields as stored; the new password, „Verbindung prüfen“ and „Speichern und
/// neu starten“ bring the app up on the server.
#[cfg(target_os = "linux")]
#[test]
fn a_changed_database_password_is_corrected_on_the_failure_screen() {
    use zeitrechnung_lib::secrets::{OsKeyring, PasswordStore, KEYRING_DB_USER, KEYRING_SERVICE};
    let Some(_serial) = begin() else { return };
    let cluster = match support::pg::cluster() {
        Ok(c) => c,
        Err(why) => return support::skip("e2e-postgres", &why),
    };
    let database = cluster.fresh_database_for_password_user();
    {
        let store = Store::connect(&format!(
            "postgres://{}:{}@127.0.0.1:{}/{database}",
            support::pg::PASSWORD_USER,
            support::pg::PASSWORD.replace(' ', "%20"),
            cluster.port()
        ))
        .unwrap();
        let id = store.next_id().unwrap();
        store
            .put_customer(&support::manual_customer(id, "Dachdeckerei Ziegel"))
            .unwrap();
    }
    let w = World::new();
    let data = w.dir.path().join("daten");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("mehrplatz.json"),
        serde_json::json!({
            "host": "127.0.0.1", "port": cluster.port(), "database": database,
            "user": support::pg::PASSWORD_USER, "certificate": null,
            "since": "2026-12-01T08:00:00Z",
        })
        .to_string(),
    )
    .unwrap();
    let passwords = OsKeyring::new(KEYRING_SERVICE, KEYRING_DB_USER);
    passwords.store_password("das alte Passwort").unwrap();
    let driver = w.driver(&data);
    let s = driver.session(&app_path());
    assert_failure_screen(
        &s,
        "Keine Verbindung zur Datenbank: Benutzer oder Passwort stimmen nicht.",
    );
    s.click_button("Einstellungen öffnen");
    let host = s.input("Server");
    assert_eq!(s.property(&host, "value"), "127.0.0.1");
    assert_eq!(
        s.property(&s.input("Datenbank"), "value"),
        database.as_str()
    );
    assert_eq!(
        s.property(&s.input("Passwort"), "value"),
        "",
        "a password is never shown"
    );
    s.type_text(&s.input("Passwort"), support::pg::PASSWORD);
    s.click_button("Verbindung prüfen");
    s.wait_text("Verbindung in Ordnung: PostgreSQL");
    s.wait_text("Die Datenbank enthält die Daten einer Firma (1 Kunde, 0 Projekte, 0 Einträge).");
    s.screenshot(&screens().join("75-start-mehrplatz-passwort.png"));
    let logs = data.join("logs");
    s.click_xpath_closing_app("//button[normalize-space()='Speichern und neu starten']");
    // The restarted app is not under WebDriver: its log tells. It has started
    // once its window asked how it started (a second „interactive after“).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let log = loop {
        let t = log_text(&logs);
        if t.matches("interactive after").count() >= 2 {
            break t;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the restarted app did not show its window within 60 s; its log:\n{t}\nthe window before it: {}",
            s.page_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let last = log
        .lines()
        .rfind(|l| l.contains("interactive after"))
        .unwrap_or_default();
    assert!(
        !last.contains("failure screen"),
        "the restarted app failed again; its log:\n{log}"
    );
    assert!(
        log.contains(&format!(
            "database server buero@127.0.0.1:{}/{database}",
            cluster.port()
        )),
        "{log}"
    );
    drop(driver);
    assert_eq!(
        passwords.load_password().unwrap().as_deref(),
        Some(support::pg::PASSWORD)
    );
    passwords.delete_password().unwrap();
    assert!(!data.join("db").exists(), "never the local data instead");
}

/// The URL alone names the connection: a password in `PGPASSWORD` or in a
/// `PGPASSFILE` (or anything else of libpq's environment) is not taken, so a
/// URL without the password is refused by the server.
#[cfg(target_os = "linux")]
#[test]
fn the_pg_environment_is_ignored() {
    let Some(_serial) = begin() else { return };
    let cluster = match support::pg::cluster() {
        Ok(c) => c,
        Err(why) => return support::skip("e2e-postgres", &why),
    };
    let database = cluster.fresh_database_for_password_user();
    let w = World::new();
    let data = w.dir.path().join("daten");
    let passfile = w.dir.path().join("pgpass");
    std::fs::write(
        &passfile,
        format!(
            "*:*:*:{}:{}\n",
            support::pg::PASSWORD_USER,
            support::pg::PASSWORD
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let driver = Driver::start(&[
        ("ZEITRECHNUNG_DATA_DIR", data.display().to_string()),
        ("ZEITRECHNUNG_LEXOFFICE_URL", "http://127.0.0.1:9".into()),
        (
            "ZEITRECHNUNG_DATABASE_URL",
            format!(
                "postgres://{}@127.0.0.1:{}/{database}",
                support::pg::PASSWORD_USER,
                cluster.port()
            ),
        ),
        ("PGPASSWORD", support::pg::PASSWORD.into()),
        ("PGPASSFILE", passfile.display().to_string()),
        ("PGUSER", "zeitrechnung_test".into()),
        ("PATH", w.opener.path_env()),
    ]);
    let s = driver.session(&app_path());
    assert_failure_screen(
        &s,
        "Keine Verbindung zur Datenbank: Benutzer oder Passwort stimmen nicht.",
    );
    assert!(
        !has_button(&s, "Einstellungen öffnen"),
        "the URL is not the window's to change"
    );
    s.click_xpath_closing_app("//button[normalize-space()='Beenden']");
}

#[test]
fn data_from_a_newer_version_asks_for_the_update() {
    let Some(_serial) = begin() else { return };
    let w = World::new();
    let data = w.dir.path().join("daten");
    {
        let db = sled::open(data.join("db")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert(b"schema_version", &99u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let driver = w.driver(&data);
    let s = driver.session(&app_path());
    assert_failure_screen(&s, "von einer neueren Zeitrechnung-Version geschrieben");
    s.wait_text("Bitte die neuere Zeitrechnung-Version installieren");
    assert!(!has_button(&s, "Sicherung wiederherstellen"));
    s.screenshot(&screens().join("71-start-neuere-version.png"));
    s.click_xpath_closing_app("//button[normalize-space()='Beenden']");
    drop(driver);
    // Untouched: still schema 99.
    let db = sled::open(data.join("db")).unwrap();
    let v = db
        .open_tree("meta")
        .unwrap()
        .get(b"schema_version")
        .unwrap()
        .unwrap();
    assert_eq!(v.as_ref(), 99u32.to_be_bytes());
}

#[test]
fn damaged_database_offers_the_backup_and_restores_it_without_deleting() {
    let Some(_serial) = begin() else { return };
    let w = World::new();
    let data = w.dir.path().join("daten");
    let db_dir = data.join("db");
    // Yesterday's state: one customer, in the automatic backup.
    {
        let store = Store::open(&db_dir).unwrap();
        store
            .put_customer(&support::manual_customer(1, "Dachdeckerei Ziegel"))
            .unwrap();
        zeitrechnung_lib::sicherung::daily_backup(&store, &data.join("backups")).unwrap();
    }
    // Then the disk garbles the database.
    let garbage = vec![0xA5u8; 512];
    std::fs::write(db_dir.join("conf"), &garbage).unwrap();
    let driver = w.driver(&data);
    let s = driver.session(&app_path());
    assert_failure_screen(&s, "ist beschädigt und kann nicht gelesen werden");
    s.screenshot(&screens().join("72-start-beschaedigt.png"));
    s.click_button("Sicherung wiederherstellen");
    let field = s.input("Sicherungsdatei");
    let suggested = s.property(&field, "value");
    assert!(
        suggested.as_str().unwrap().contains("backups/auto-"),
        "the newest automatic backup is suggested: {suggested}"
    );
    s.screenshot(&screens().join("73-start-sicherung-waehlen.png"));
    let logs = data.join("logs");
    s.click_xpath_closing_app("//button[normalize-space()='Wiederherstellen und neu starten']");
    // The relaunched app is not under WebDriver: its log says it started normally.
    s.wait_up_to(60, "the restarted app", || {
        let t = log_text(&logs);
        t.lines()
            .any(|l| l.contains("interactive after") && !l.contains("failure screen"))
            .then_some(())
    });
    drop(driver);
    // The damaged database was moved aside, byte for byte, not deleted.
    let aside: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("db-beschaedigt-"))
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(aside[0].join("conf")).unwrap(), garbage);
    let store = wait_for_store(&db_dir);
    let names: Vec<String> = store
        .customers()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["Dachdeckerei Ziegel"]);
}

fn log_text(dir: &Path) -> String {
    let mut all = String::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    all
}

fn wait_for_store(db: &Path) -> Store {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match Store::open(db) {
            Ok(s) => return s,
            Err(e) if std::time::Instant::now() > deadline => panic!("{e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
