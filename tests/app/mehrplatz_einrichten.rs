//! Einstellungen › Mehrplatz on a real throwaway cluster: „Verbindung prüfen“
//! says what is wrong in German, „Mehrplatz einrichten“ moves a PC's data
//! verified and keeps them, „Mit Mehrplatz-Datenbank verbinden“ joins a
//! filled server, „Zurück zu Einzelplatz“ copies it back; TLS to another PC
//! with the office's certificate (docs/database.md › Verbindung).

use std::path::Path;
use std::sync::Arc;

use zeitrechnung_lib::core::Core;
use zeitrechnung_lib::error::AppError;
use zeitrechnung_lib::mehrplatz::{self, MehrplatzForm};
use zeitrechnung_lib::paths::LexofficeUrls;
use zeitrechnung_lib::projekte::{self as p, ProjectInput, ServiceInput, TimeInput};
use zeitrechnung_lib::secrets::{MemorySecretStore, PasswordStore};
use zeitrechnung_lib::storage::pg::ServerAddress;
use zeitrechnung_lib::storage::Store;

use crate::support::{self, pg};

fn cluster() -> Option<&'static pg::Cluster> {
    match pg::cluster() {
        Ok(c) => Some(c),
        Err(why) => {
            support::skip("mehrplatz_einrichten", &why);
            None
        }
    }
}

/// A PC's app on `store`, its data dir `dir`, the database password in memory.
fn core_on(dir: &Path, store: Store) -> Core {
    let mut core = Core::new(
        store,
        Arc::new(MemorySecretStore::default()),
        LexofficeUrls::new("http://127.0.0.1:9", support::APP_URL),
        |_| {},
        Arc::new(|_: &str| Ok(())),
    );
    core.db_password = Arc::new(MemorySecretStore::default());
    core.data_dir = Some(dir.to_path_buf());
    core
}

fn form(c: &pg::Cluster, database: &str) -> MehrplatzForm {
    MehrplatzForm {
        host: "127.0.0.1".into(),
        port: c.port().to_string(),
        database: database.into(),
        user: pg::PASSWORD_USER.into(),
        password: pg::PASSWORD.into(),
        certificate: String::new(),
    }
}

/// „Verbindung prüfen“ with the fields as typed (no password kept yet).
fn check(f: &MehrplatzForm) -> Result<mehrplatz::CheckView, AppError> {
    mehrplatz::check(&f.address(None)?)
}

fn message<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    r.expect_err("must be refused").to_string()
}

/// A PC with two customers, a project, three times and a service.
async fn filled_pc(dir: &Path) -> Core {
    let core = core_on(dir, Store::open(&dir.join("db")).unwrap());
    core.store
        .put_customer(&support::manual_customer(1, "Dachdeckerei Ziegel"))
        .unwrap();
    core.store
        .put_customer(&support::manual_customer(2, "Malerbetrieb Farbe"))
        .unwrap();
    core.store.raise_id_floor(10).unwrap();
    let pid = p::save(
        &core,
        ProjectInput {
            name: "Dach Kiel".into(),
            customer_id: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    for (day, duration) in [
        ("02.03.2026", "1:30"),
        ("03.03.2026", "2:15"),
        ("04.03.2026", "0:45"),
    ] {
        p::save_time(
            &core,
            TimeInput {
                project_id: pid,
                date: day.into(),
                duration: duration.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    p::save_service(
        &core,
        ServiceInput {
            project_id: pid,
            date: "04.03.2026".into(),
            name: "Dachlatten".into(),
            quantity: "12,5".into(),
            unit: "m".into(),
            unit_price: "3,20".into(),
            tax_rate: "19".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    core
}

#[tokio::test]
async fn the_first_seat_moves_its_data_verified_and_keeps_its_own() {
    let Some(c) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = filled_pc(dir.path()).await;
    let before = core.store.export().unwrap();
    let db = c.fresh_database_for_password_user();

    let check = check(&form(c, &db)).unwrap();
    assert!(
        check
            .message
            .starts_with("Verbindung in Ordnung: PostgreSQL "),
        "{}",
        check.message
    );
    assert!(
        check.message.ends_with(" auf 127.0.0.1."),
        "{}",
        check.message
    );
    assert!(check.empty);
    assert!(
        check.detail.starts_with("Die Datenbank ist leer."),
        "{}",
        check.detail
    );

    let done = mehrplatz::setup(&core, form(c, &db)).await.unwrap();
    assert_eq!(
        done.message,
        "Mehrplatz eingerichtet. Übertragen und auf dem Server nachgezählt: 2 Kunden, 1 Projekt, 3 Zeiten (4:30 h), 1 Leistung (40,00 € netto), 0 Entwürfe. Zeitrechnung startet jetzt neu und arbeitet dann mit der Datenbank auf 127.0.0.1."
    );
    // The choice is kept on this PC, the password in the keyring only.
    let file = std::fs::read_to_string(dir.path().join("mehrplatz.json")).unwrap();
    assert!(file.contains("\"host\": \"127.0.0.1\""), "{file}");
    assert!(
        !file.contains("geheim"),
        "never the password in a file: {file}"
    );
    assert_eq!(
        core.db_password.load_password().unwrap().as_deref(),
        Some(pg::PASSWORD)
    );
    // The local data are untouched.
    let mut local = core.store.export().unwrap();
    local.created_at = before.created_at;
    assert_eq!(local, before);
    // The server holds the same, read back by the app as its next start would.
    let address = mehrplatz::server_to_open(dir.path(), core.db_password.as_ref())
        .unwrap()
        .expect("the server is chosen");
    let server = Store::connect_to(&address).unwrap();
    let mut moved = server.export().unwrap();
    moved.created_at = before.created_at;
    assert_eq!(moved, before);
    assert_eq!(server.totals().unwrap(), before.totals());
    assert_eq!(
        c.psql(
            &db,
            "SELECT count(*) || ' ' || sum(minutes) FROM entries WHERE type = 'time'"
        ),
        "3 270"
    );

    // The page says so afterwards.
    // The seats connected now: this one among them, once.
    let seats = server.seats().unwrap();
    assert_eq!(seats.iter().filter(|s| s.this_one).count(), 1, "{seats:?}");
    let view = mehrplatz::status(dir.path(), server.server_display(), true, &seats).unwrap();
    let this_pc: Vec<&String> = view
        .seats
        .iter()
        .filter(|l| l.contains(" (dieser PC) – seit "))
        .collect();
    assert_eq!(this_pc.len(), 1, "{:?}", view.seats);
    assert_eq!(view.mode, "mehrplatz");
    assert!(
        view.mode_display.starts_with(&format!(
            "Mehrplatz: Zeitrechnung arbeitet mit der Datenbank buero@127.0.0.1:{}/{db} (seit ",
            c.port()
        )),
        "{}",
        view.mode_display
    );
    assert_eq!(view.moved.as_deref(), Some("Übertragen und auf dem Server nachgezählt: 2 Kunden, 1 Projekt, 3 Zeiten (4:30 h), 1 Leistung (40,00 € netto), 0 Entwürfe."));

    // A second „einrichten“ into the now filled database is refused, nothing changed.
    let other = tempfile::tempdir().unwrap();
    let second = filled_pc(other.path()).await;
    let m = message(mehrplatz::setup(&second, form(c, &db)).await);
    assert!(
        m.starts_with("Die Datenbank auf dem Server enthält schon Daten."),
        "{m}"
    );
    assert_eq!(server.totals().unwrap(), before.totals());
    assert!(!other.path().join("mehrplatz.json").exists());

    // A further seat joins; its own data stay as they were.
    let seat = tempfile::tempdir().unwrap();
    let seat_core = core_on(seat.path(), Store::open(&seat.path().join("db")).unwrap());
    let joined = mehrplatz::join(&seat_core, form(c, &db)).await.unwrap();
    assert_eq!(
        joined.message,
        "Verbunden. 2 Kunden, 1 Projekt und 4 Einträge sind auf dem Server. Zeitrechnung startet jetzt neu und arbeitet dann mit der Datenbank auf 127.0.0.1."
    );
    assert!(seat.path().join("mehrplatz.json").exists());
    assert_eq!(seat_core.store.customers().unwrap().len(), 0);
}

#[tokio::test]
async fn back_to_a_single_desk_copies_the_server_and_keeps_the_old_data_aside() {
    let Some(c) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = c.fresh_database_for_password_user();
    let expected = {
        let pc = filled_pc(dir.path()).await;
        mehrplatz::setup(&pc, form(c, &db)).await.unwrap();
        pc.store.totals().unwrap()
    };
    // The next start: on the server; a time recorded there.
    let address = {
        let pw = MemorySecretStore::default();
        pw.store_password(pg::PASSWORD).unwrap();
        mehrplatz::server_to_open(dir.path(), &pw).unwrap().unwrap()
    };
    let core = core_on(dir.path(), Store::connect_to(&address).unwrap());
    core.db_password.store_password(pg::PASSWORD).unwrap();
    let pid = core.store.projects().unwrap()[0].id;
    p::save_time(
        &core,
        TimeInput {
            project_id: pid,
            date: "05.03.2026".into(),
            duration: "1:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let on_server = core.store.export().unwrap();
    assert_eq!(on_server.totals().times, expected.times + 1);

    // Another seat works on the server too.
    let other = Store::connect_to(&address).unwrap();
    let pc = core.store.this_pc().unwrap();
    let done = mehrplatz::leave(&core).await.unwrap();
    assert_eq!(
        done.message,
        "Die Daten des Servers wurden auf diesen PC kopiert und nachgezählt: 2 Kunden, 1 Projekt, 4 Zeiten (5:30 h), 1 Leistung (40,00 € netto), 0 Entwürfe. Zeitrechnung startet jetzt neu und arbeitet dann als Einzelplatz. Die anderen Arbeitsplätze können auf dem Server nichts mehr speichern und sagen das."
    );
    assert!(!dir.path().join("mehrplatz.json").exists());
    assert_eq!(core.db_password.load_password().unwrap(), None);
    drop(core);
    // The new local database holds the server's data; the one from before
    // Mehrplatz lies beside it, unchanged.
    let local = Store::open(&dir.path().join("db")).unwrap();
    let mut copy = local.export().unwrap();
    copy.created_at = on_server.created_at;
    assert_eq!(copy, on_server);
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("db-vor-mehrplatz-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    let old = Store::open(&aside[0].path()).unwrap();
    assert_eq!(old.totals().unwrap(), expected);
    // The server keeps its data, but no seat writes there any more: the
    // other seat is told why, in its banner and on each write, and a seat
    // starting anew is turned away with the same words.
    let stopped = format!("Am Arbeitsplatz {pc} wurde „Zurück zu Einzelplatz“ gewählt: Die Daten liegen jetzt auf jenem PC, diese Mehrplatz-Datenbank wird nicht mehr benutzt. Hier wird nichts mehr gespeichert. Für einen neuen Mehrplatz-Betrieb bitte eine neue, leere Datenbank anlegen.");
    assert_eq!(other.totals().unwrap().times, expected.times + 1);
    assert_eq!(
        mehrplatz::health(&other).stopped.as_deref(),
        Some(stopped.as_str())
    );
    let refused = other
        .put_customer(&support::manual_customer(
            other.next_id().unwrap(),
            "Zu spät GmbH",
        ))
        .unwrap_err();
    assert_eq!(refused.kind(), "stopped");
    assert_eq!(refused.to_string(), stopped);
    assert_eq!(
        Store::connect_to(&address).err().map(|e| e.to_string()),
        Some(stopped)
    );
}

#[tokio::test]
async fn what_a_server_would_refuse_is_named_and_nothing_moves() {
    let Some(c) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = filled_pc(dir.path()).await;
    let mut broken = support::manual_customer(3, "Schreinerei\0Holz");
    broken.lexoffice_id = Some("kontakt-1".into());
    core.store.put_customer(&broken).unwrap();
    let mut twin = support::manual_customer(4, "Schreinerei Holz GmbH");
    twin.lexoffice_id = Some("kontakt-1".into());
    core.store.put_customer(&twin).unwrap();
    let db = c.fresh_database_for_password_user();
    let m = message(mehrplatz::setup(&core, form(c, &db)).await);
    assert_eq!(
        m,
        "Die Daten dieses PCs können so nicht übertragen werden; es wurde nichts verändert. Bitte zuerst klären: Der Kunde „SchreinereiHolz“ enthält ein unzulässiges Steuerzeichen (NUL). Die Kunden „SchreinereiHolz“ und „Schreinerei Holz GmbH“ sind mit demselben lexoffice-Kontakt verknüpft."
    );
    assert_eq!(
        c.psql(&db, "SELECT to_regclass('public.customers') IS NULL"),
        "t"
    );
    assert!(!dir.path().join("mehrplatz.json").exists());
}

#[tokio::test]
async fn a_wrong_field_or_server_is_told_in_german_and_nothing_switches() {
    let Some(c) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = filled_pc(dir.path()).await;
    let db = c.fresh_database_for_password_user();
    let cases: Vec<(MehrplatzForm, &str)> = vec![
        (
            MehrplatzForm {
                password: "falsch".into(),
                ..form(c, &db)
            },
            "Keine Verbindung zur Datenbank: Benutzer oder Passwort stimmen nicht.",
        ),
        (
            form(c, "gibt_es_nicht"),
            "Keine Verbindung zur Datenbank: Die Datenbank gibt es auf dem Server nicht.",
        ),
        (
            MehrplatzForm {
                port: pg::free_port().to_string(),
                ..form(c, &db)
            },
            "Keine Verbindung zur Datenbank: Der Server ist nicht erreichbar (Adresse, Port, Firewall?).",
        ),
        (
            MehrplatzForm {
                port: "70000".into(),
                ..form(c, &db)
            },
            "Der Port ist eine Zahl von 1 bis 65535 (üblich ist 5432).",
        ),
        (
            MehrplatzForm {
                host: " ".into(),
                ..form(c, &db)
            },
            "Bitte den Server eingeben: den Namen oder die Adresse des PCs mit der Datenbank (z. B. buero-pc oder 192.168.1.20).",
        ),
    ];
    for (f, expected) in cases {
        assert_eq!(message(check(&f)), expected);
        assert_eq!(message(mehrplatz::setup(&core, f.clone()).await), expected);
        assert_eq!(message(mehrplatz::join(&core, f).await), expected);
    }
    // The validation names its field for the form.
    match check(&MehrplatzForm {
        port: "0".into(),
        ..form(c, &db)
    }) {
        Err(AppError::Validation { key, .. }) => assert_eq!(key, "port"),
        other => panic!("{other:?}"),
    }
    // Joining an empty database is refused: nothing to join.
    assert_eq!(
        message(mehrplatz::join(&core, form(c, &db)).await),
        "Die Datenbank auf dem Server ist noch leer. Bitte zuerst am PC mit den bisherigen Daten „Mehrplatz einrichten“ wählen (er überträgt sie), dann hier verbinden. Es wurde nichts verändert."
    );
    assert!(!dir.path().join("mehrplatz.json").exists());
    assert_eq!(core.db_password.load_password().unwrap(), None);
    assert_eq!(
        c.psql(&db, "SELECT to_regclass('public.customers') IS NULL"),
        "t"
    );
}

/// 127.0.0.2 counts as another PC: only TLS with a verified certificate.
#[test]
fn another_pc_is_reached_encrypted_with_the_offices_certificate_only() {
    let Some(c) = cluster() else { return };
    let db = c.fresh_database_for_password_user();
    let far = |certificate: &Path| MehrplatzForm {
        host: pg::FAR_HOST.into(),
        certificate: certificate.display().to_string(),
        ..form(c, &db)
    };
    let ok = check(&far(&c.ca_file)).unwrap();
    assert!(ok.message.ends_with(" auf 127.0.0.2."), "{}", ok.message);
    let fp = ok
        .fingerprint
        .expect("the certificate's fingerprint is shown");
    assert_eq!(fp.len(), 32 * 3 - 1, "{fp}");
    assert_eq!(fp, mehrplatz::certificate_fingerprint(&c.ca_file).unwrap());
    // The connection is encrypted: every connection of the app's pool is TLS.
    let store = Store::connect_to(&ServerAddress {
        password: Some(pg::PASSWORD.into()),
        ..far(&c.ca_file).address(None).unwrap()
    })
    .unwrap();
    assert_eq!(
        c.psql(
            "postgres",
            &format!("SELECT count(*) > 0 AND bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = '{}' AND a.datname = '{db}'", pg::PASSWORD_USER)
        ),
        "t"
    );
    drop(store);
    // A CA that did not sign the server's certificate, or none at all: refused.
    for refused in [
        message(check(&far(&c.other_ca_file))),
        message(check(&MehrplatzForm {
            certificate: String::new(),
            ..far(&c.ca_file)
        })),
    ] {
        assert_eq!(
            refused,
            "Keine Verbindung zur Datenbank: Das Zertifikat des Servers wurde nicht anerkannt."
        );
    }
}
