//! PostgreSQL as the office's database: what the connection says when it
//! fails, what the server itself refuses, and a server newer than the app.
//! On the throwaway cluster of `support::pg` (skipped without PostgreSQL,
//! which fails under `CI=true`).

use chrono::Utc;
use serde_json::json;
use zeitrechnung_lib::model::InvoiceRecord;
use zeitrechnung_lib::storage::Store;

use crate::support;

fn cluster() -> Option<&'static support::pg::Cluster> {
    match support::pg::cluster() {
        Ok(c) => Some(c),
        Err(why) => {
            support::skip("postgres", &why);
            None
        }
    }
}

fn message(r: Result<Store, zeitrechnung_lib::error::AppError>) -> String {
    match r {
        Ok(_) => panic!("connected, but should not have"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_failed_connection_says_why_in_german() {
    let Some(c) = cluster() else { return };
    // Nobody listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let m = message(Store::connect(&format!(
        "postgres://zeitrechnung_test@127.0.0.1:{port}/x"
    )));
    assert_eq!(
        m,
        "Keine Verbindung zur Datenbank: Der Server ist nicht erreichbar (Adresse, Port, Firewall?)."
    );
    let m = message(Store::connect(&c.url("gibt_es_nicht")));
    assert_eq!(
        m,
        "Keine Verbindung zur Datenbank: Die Datenbank gibt es auf dem Server nicht."
    );
    // Another PC only encrypted, with its certificate checked (the default
    // there); asking for less is refused before any connection.
    for weak in ["prefer", "require", "disable"] {
        let m = message(Store::connect(&format!(
            "postgres://buero@192.0.2.10:5432/firma?sslmode={weak}"
        )));
        assert!(m.contains("verschlüsselt mit geprüftem Zertifikat"), "{m}");
    }
    let m = message(Store::connect("mysql://buero@localhost/firma"));
    assert!(m.contains("postgres://"), "{m}");
}

#[test]
fn a_server_with_a_newer_schema_is_refused() {
    let Some(c) = cluster() else { return };
    let url = c.fresh_database();
    let store = Store::connect(&url).unwrap();
    drop(store);
    // A newer app migrated this server to schema 99.
    let out = std::process::Command::new("psql")
        .arg(&url)
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c"])
        .arg("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'later', true, '\\x00', 1)")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = message(Store::connect(&url));
    assert!(
        m.contains("stammt von einer neueren Zeitrechnung") && m.contains("aktualisieren"),
        "{m}"
    );
}

#[test]
fn the_database_itself_keeps_an_entry_on_one_live_attempt() {
    let Some(c) = cluster() else { return };
    let store = Store::connect(&c.fresh_database()).unwrap();
    crate::store_contract::project(&store, 1);
    let now = Utc::now();
    let record = |id: u64, state: serde_json::Value| -> InvoiceRecord {
        serde_json::from_value(json!({
            "id": id, "projectId": 1, "contactId": "c", "lexofficeId": null,
            "state": state, "periodFrom": "2026-11-01", "periodTo": "2026-11-30",
            "hourlyRate": "", "listSubprojects": false, "net": "10.00", "gross": "11.90",
            "entryIds": [7, 8], "request": {}, "createdAt": now, "updatedAt": now,
        }))
        .unwrap()
    };
    // Written past the store's own checks: the unique index still refuses.
    store
        .put_invoice_record(&record(100, json!({"state": "pending"})))
        .unwrap();
    let e = store
        .put_invoice_record(&record(101, json!({"state": "created"})))
        .unwrap_err();
    assert_eq!(e.kind(), "validation");
    assert_eq!(
        e.to_string(),
        "Einträge wurden inzwischen abgerechnet oder reserviert"
    );
    assert!(
        store.invoice_record(101).unwrap().is_none(),
        "nothing written"
    );
    // A released attempt holds nothing: the entries may go on a new one.
    store
        .put_invoice_record(&record(100, json!({"state": "released", "reason": "Test"})))
        .unwrap();
    store
        .put_invoice_record(&record(101, json!({"state": "pending"})))
        .unwrap();
    assert_eq!(
        store.invoice_record(101).unwrap().unwrap().entry_ids,
        vec![7, 8]
    );
}

#[test]
fn records_read_back_as_written_with_typed_columns() {
    let Some(c) = cluster() else { return };
    let url = c.fresh_database();
    let store = Store::connect(&url).unwrap();
    let mut customer = support::manual_customer(5, "Bäckerei Korn");
    customer.address.city = "Köln".into();
    customer.hourly_rate = Some("85.50".parse().unwrap());
    store.put_customer(&customer).unwrap();
    let back = store.customer(5).unwrap().unwrap();
    assert_eq!(back.name, "Bäckerei Korn");
    assert_eq!(back.address.city, "Köln");
    assert_eq!(back.hourly_rate.unwrap().to_string(), "85.50");
    // What an office's IT reads with SELECT.
    let out = std::process::Command::new("psql")
        .arg(&url)
        .args([
            "-At",
            "-c",
            "SELECT name, city, hourly_rate FROM customers WHERE id = 5",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Bäckerei Korn|Köln|85.50"
    );
}

/// A backup's data, with the moment it was written left out (each export has
/// its own), as the bytes of the file.
fn backup_bytes(store: &Store) -> String {
    let mut b = store.export().unwrap();
    b.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string_pretty(&b).unwrap()
}

/// Moving the data sled → PostgreSQL → sled changes nothing: the backups of
/// all three are the same bytes (customers with rates, projects, times and
/// services in every billing state, invoice records of every kind).
#[test]
fn a_backup_moved_to_postgresql_and_back_is_byte_for_byte_the_same() {
    let Some(c) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sled = Store::open(&dir.path().join("a")).unwrap();
    support::seed_overview::seed(&sled, 300, 40);
    // As the app keeps them: every time linked to its Mitarbeiter.
    assert_eq!(sled.link_employees().unwrap(), 2850);
    let original = backup_bytes(&sled);
    assert!(
        original.len() > 500_000,
        "a real data set: {} bytes",
        original.len()
    );

    let pg = Store::connect(&c.fresh_database()).unwrap();
    pg.replace_all(&sled.export().unwrap()).unwrap();
    assert_eq!(
        first_difference(&original, &backup_bytes(&pg)),
        None,
        "sled → PostgreSQL"
    );

    let back = Store::open(&dir.path().join("b")).unwrap();
    back.replace_all(&pg.export().unwrap()).unwrap();
    assert_eq!(
        first_difference(&original, &backup_bytes(&back)),
        None,
        "PostgreSQL → sled"
    );
}

/// The first line where two backups differ, with its number (the files are
/// megabytes: the whole of both says nothing).
fn first_difference(a: &str, b: &str) -> Option<String> {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => return Some(format!("line {n}: {x:?} ≠ {y:?}")),
        }
    }
    None
}

/// The server goes away while the app works: every write is refused in
/// German and nothing of it lands; the banner's look says so; once the
/// server is back the app works on by itself (the pool reconnects).
#[test]
fn a_server_that_goes_away_refuses_writes_and_is_used_again_when_back() {
    use zeitrechnung_lib::mehrplatz::health;
    if cluster().is_none() {
        return;
    }
    let own = support::pg::OwnCluster::new("weg").expect("a second cluster");
    let store = Store::connect(&own.cluster.fresh_database()).unwrap();
    store
        .put_customer(&support::manual_customer(1, "Vor dem Ausfall"))
        .unwrap();
    assert!(health(&store).reachable);
    assert!(health(&store).on_server);

    own.stop();
    let down = health(&store);
    assert!(!down.reachable);
    let refused = "Der Datenbank-Server ist nicht erreichbar. Bitte die Verbindung prüfen; die Änderung wurde nicht gespeichert.";
    assert_eq!(down.message.as_deref(), Some(refused));
    let e = store
        .put_customer(&support::manual_customer(2, "Während des Ausfalls"))
        .unwrap_err();
    assert_eq!(e.kind(), "database");
    assert_eq!(e.to_string(), refused);

    own.start();
    assert_eq!(
        health(&store),
        zeitrechnung_lib::mehrplatz::DatabaseHealth {
            on_server: true,
            reachable: true,
            message: None,
            stopped: None,
        }
    );
    store
        .put_customer(&support::manual_customer(3, "Nach dem Ausfall"))
        .unwrap();
    let names: Vec<String> = store
        .customers()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["Vor dem Ausfall", "Nach dem Ausfall"]);
}

/// What the window loads issues a handful of statements, never one per row:
/// counted by the server (pg_stat_statements) with 200 customers (a project
/// each, 2,000 entries, 40 invoice records) and again with twice as many —
/// the same counts (the overview reads 500 project families per statement).
#[test]
fn no_command_asks_the_server_row_by_row() {
    let Some(c) = cluster() else { return };
    let small = statements_per_command(c, 200);
    let large = statements_per_command(c, 400);
    support::report(
        "postgres-statements",
        &format!("statements per command (Kunden, Projekte, Einträge, Vorschau, Abrechnung) with 200 / 400 customers: {small:?} / {large:?}"),
    );
    assert_eq!(small, large, "a statement per row");
    for n in small {
        assert!(n <= 12, "{small:?}");
    }
}

/// Kunden, Projekte, one project's Einträge, its invoice preview and the
/// Abrechnung overview on `customers` customers: the statements of each.
fn statements_per_command(c: &support::pg::Cluster, customers: u64) -> [u64; 5] {
    use zeitrechnung_lib::{kunden, projekte, rechnung, uebersicht};
    let url = c.fresh_database();
    let store = Store::connect(&url).unwrap();
    crate::support::seed_overview::seed(&store, customers, customers / 5);
    let core = zeitrechnung_lib::core::Core::new(
        store,
        std::sync::Arc::new(zeitrechnung_lib::secrets::MemorySecretStore::default()),
        zeitrechnung_lib::paths::LexofficeUrls::new("http://127.0.0.1:9", support::APP_URL),
        |_| {},
        std::sync::Arc::new(|_: &str| Ok(())),
    );
    let project = core.store.projects().unwrap()[150].id;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let n = customers as usize;
    [
        c.statements_during(&url, || {
            assert_eq!(rt.block_on(kunden::list(&core)).unwrap().len(), n)
        }),
        c.statements_during(&url, || {
            assert_eq!(rt.block_on(projekte::list(&core)).unwrap().len(), n)
        }),
        c.statements_during(&url, || {
            let l = rt
                .block_on(projekte::entries_limited(
                    &core,
                    project,
                    None,
                    None,
                    Some(200),
                ))
                .unwrap();
            assert_eq!(l.times.len() + l.services.len(), 10);
        }),
        c.statements_during(&url, || {
            let request = rechnung::InvoiceRequest {
                project_id: project,
                from: "01.01.2026".into(),
                to: "31.12.2026".into(),
                ..Default::default()
            };
            assert!(!rt
                .block_on(rechnung::preview(&core, request))
                .unwrap()
                .lines
                .is_empty());
        }),
        c.statements_during(&url, || {
            assert_eq!(
                rt.block_on(uebersicht::overview(&core)).unwrap().rows.len(),
                n
            )
        }),
    ]
}
