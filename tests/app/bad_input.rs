//! Bad input, sent straight to the commands through Tauri's IPC (mock runtime
//! with the shipped ACL): every form field, wrong types, missing and unknown
//! fields. Each case must be refused as `validation` with a German message and
//! the field it concerns, and the store must be byte-for-byte unchanged.

use crate::support;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn invoke(w: &tauri::WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

fn snapshot(h: &support::Harness) -> String {
    let mut b = h.core.store.export().unwrap();
    b.created_at = chrono::DateTime::UNIX_EPOCH;
    serde_json::to_string(&b).unwrap()
}

#[test]
fn more_than_a_hundred_bad_inputs_are_refused_in_german_and_change_nothing() {
    let sb = support::sandbox();
    let h = support::harness(&sb.base_url);
    let app = zeitrechnung_lib::app_builder(mock_builder())
        .manage(h.core.clone())
        .build(tauri::generate_context!(test = true))
        .unwrap();
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    // A baseline: a customer, a project with a subproject, entries, a rate.
    let c = invoke(
        &w,
        "customer_save",
        json!({"input": {"name": "Kunde A", "number": "K-1"}}),
    )
    .unwrap();
    let cid = c["id"].as_u64().unwrap();
    let p = invoke(
        &w,
        "project_save",
        json!({"input": {"name": "Projekt A", "number": "P-1", "customerId": cid}}),
    )
    .unwrap();
    let pid = p["project"]["id"].as_u64().unwrap();
    let sub = invoke(
        &w,
        "project_save",
        json!({"input": {"name": "Teil", "parentId": pid}}),
    )
    .unwrap()["project"]["id"]
        .as_u64()
        .unwrap();
    invoke(
        &w,
        "time_save",
        json!({"input": {"projectId": pid, "date": "03.03.2025", "duration": "1"}}),
    )
    .unwrap();
    invoke(&w, "save_rate", json!({"rate": "85"})).unwrap();
    let dir = h.dir.path();
    std::fs::write(dir.join("binary.csv"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(dir.join("empty.csv"), b"").unwrap();
    std::fs::write(dir.join("noheader.csv"), b"a;b;c\n1;2;3\n").unwrap();
    std::fs::write(dir.join("workbook.xlsx"), b"PK\x03\x04xxxx").unwrap();
    std::fs::write(
        dir.join("bad-backup.json"),
        b"{\"format\":\"zeitrechnung-sicherung\",\"version\":1}",
    )
    .unwrap();
    let path = |n: &str| dir.join(n).display().to_string();
    let long = |n: usize| "x".repeat(n);
    let time = |extra: Value| {
        let mut base = json!({"projectId": pid, "date": "03.03.2025", "duration": "1:00"});
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        json!({ "input": base })
    };
    let service = |extra: Value| {
        let mut base = json!({"projectId": pid, "date": "03.03.2025", "name": "Kabel", "quantity": "1", "unitPrice": "2"});
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        json!({ "input": base })
    };
    let customer = |extra: Value| {
        let mut base = json!({"name": "Neu"});
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        json!({ "input": base })
    };
    let project = |extra: Value| {
        let mut base = json!({"name": "Neu"});
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        json!({ "input": base })
    };
    let inv = |extra: Value| {
        let mut base = json!({"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "rate": "85", "listSubprojects": false});
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        json!({ "request": base })
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        // Schnittstellen
        ("connect_lexoffice", json!({"apiKey": ""}), "API-Key"),
        ("connect_lexoffice", json!({"apiKey": "   "}), "API-Key"),
        ("connect_lexoffice", json!({"apiKey": "ab cd"}), "API-Key"),
        (
            "connect_lexoffice",
            json!({"apiKey": "ab\u{7}cd"}),
            "API-Key",
        ),
        ("connect_lexoffice", json!({"apiKey": long(600)}), "API-Key"),
        ("connect_lexoffice", json!({"apiKey": 12345}), "API-Key"),
        ("connect_lexoffice", json!({"apiKey": null}), "API-Key"),
        ("connect_lexoffice", json!({}), "API-Key"),
        (
            "connect_lexoffice",
            json!({"apiKey": "k", "admin": true}),
            "Eingabe",
        ),
        ("save_rate", json!({"rate": ""}), "Stundensatz"),
        ("save_rate", json!({"rate": "-1"}), "Stundensatz"),
        ("save_rate", json!({"rate": "abc"}), "Stundensatz"),
        ("save_rate", json!({"rate": "1,23456"}), "Stundensatz"),
        ("save_rate", json!({"rate": "0"}), "Stundensatz"),
        ("save_rate", json!({"rate": "1.25,00"}), "Stundensatz"),
        ("save_rate", json!({"rate": "85,"}), "Stundensatz"),
        ("save_rate", json!({"rate": "1e3"}), "Stundensatz"),
        ("save_rate", json!({"rate": "200.000"}), "Stundensatz"),
        ("save_rate", json!({"rate": 85.5}), "Stundensatz"),
        ("save_rate", json!({"rate": ["85"]}), "Stundensatz"),
        ("save_rate", json!({}), "Stundensatz"),
        ("save_rate", json!({"rate": "85", "extra": 1}), "Eingabe"),
        // Kunden
        ("customer_save", customer(json!({"name": ""})), "Name"),
        ("customer_save", customer(json!({"name": "   "})), "Name"),
        (
            "customer_save",
            customer(json!({"name": long(256)})),
            "Name",
        ),
        (
            "customer_save",
            customer(json!({"name": "A\u{0}B"})),
            "Name",
        ),
        ("customer_save", customer(json!({"name": 5})), "Name"),
        ("customer_save", customer(json!({"zip": "1234"})), "PLZ"),
        ("customer_save", customer(json!({"zip": "12a45"})), "PLZ"),
        (
            "customer_save",
            customer(json!({"zip": "12345", "countryCode": "AT"})),
            "PLZ",
        ),
        (
            "customer_save",
            customer(json!({"countryCode": "XX"})),
            "Land",
        ),
        (
            "customer_save",
            customer(json!({"countryCode": "Deutschland"})),
            "Land",
        ),
        (
            "customer_save",
            customer(json!({"email": "keine-mail"})),
            "E-Mail",
        ),
        ("customer_save", customer(json!({"email": "a@b"})), "E-Mail"),
        (
            "customer_save",
            customer(json!({"email": "a b@c.de"})),
            "E-Mail",
        ),
        (
            "customer_save",
            customer(json!({"email": "a@b.de;c@d.de"})),
            "E-Mail",
        ),
        (
            "customer_save",
            customer(json!({"phone": "0761-abc"})),
            "Telefon",
        ),
        ("customer_save", customer(json!({"kind": "verein"})), "Art"),
        (
            "customer_save",
            customer(json!({"number": long(21)})),
            "Kundennummer",
        ),
        (
            "customer_save",
            customer(json!({"number": "K-1"})),
            "Kundennummer",
        ),
        (
            "customer_save",
            customer(json!({"street": long(101)})),
            "Straße",
        ),
        (
            "customer_save",
            customer(json!({"city": "Frei\nburg"})),
            "Ort",
        ),
        (
            "customer_save",
            customer(json!({"contactPerson": long(121)})),
            "Ansprechpartner",
        ),
        (
            "customer_save",
            customer(json!({"isAdmin": true})),
            "Eingabe",
        ),
        ("customer_save", json!({"input": "Kunde"}), "Eingabe"),
        ("customer_save", json!({}), "Eingabe"),
        (
            "customer_save",
            customer(json!({"id": "eins"})),
            "Datensatz",
        ),
        (
            "customer_set_rate",
            json!({"id": cid, "rate": "-1"}),
            "Stundensatz",
        ),
        (
            "customer_set_rate",
            json!({"id": cid, "rate": "viel"}),
            "Stundensatz",
        ),
        (
            "customer_set_rate",
            json!({"id": "eins", "rate": "1"}),
            "Datensatz",
        ),
        ("customer_set_rate", json!({"id": cid}), "Stundensatz"),
        // In lexoffice anlegen / aktualisieren
        ("customer_push", json!({"id": cid}), "Übertragung"),
        (
            "customer_push",
            json!({"id": cid, "pushMode": "löschen"}),
            "Übertragung",
        ),
        (
            "customer_push",
            json!({"id": "x", "pushMode": "create"}),
            "Datensatz",
        ),
        (
            "customer_push",
            json!({"id": cid, "pushMode": "updateAnyway", "version": "zwei"}),
            "Version",
        ),
        (
            "customer_push",
            json!({"id": cid, "pushMode": "create", "extra": 1}),
            "Eingabe",
        ),
        ("customer_link", json!({"id": cid}), "lexoffice-Kontakt"),
        (
            "customer_link",
            json!({"id": cid, "contactId": 5}),
            "lexoffice-Kontakt",
        ),
        ("customer_take_lexoffice", json!({}), "Datensatz"),
        ("customer_get", json!({"id": -1}), "Datensatz"),
        ("customer_get", json!({"id": "1"}), "Datensatz"),
        // Projekte
        ("project_save", project(json!({"name": ""})), "Name"),
        ("project_save", project(json!({"name": long(201)})), "Name"),
        (
            "project_save",
            project(json!({"number": "P-1"})),
            "Projektnummer",
        ),
        (
            "project_save",
            project(json!({"number": long(41)})),
            "Projektnummer",
        ),
        (
            "project_save",
            project(json!({"parentId": sub})),
            "Hauptprojekt",
        ),
        (
            "project_save",
            project(json!({"parentId": 987654})),
            "Hauptprojekt",
        ),
        (
            "project_save",
            project(json!({"hourlyRate": "-5"})),
            "Stundensatz",
        ),
        (
            "project_save",
            project(json!({"hourlyRate": "fünf"})),
            "Stundensatz",
        ),
        (
            "project_save",
            project(json!({"hourlyRate": 85})),
            "Stundensatz",
        ),
        (
            "project_save",
            project(json!({"customerId": 424242})),
            "Kunde",
        ),
        (
            "project_save",
            project(json!({"customerId": "K-1"})),
            "Kunde",
        ),
        (
            "project_save",
            project(json!({"status": "pausiert"})),
            "Status",
        ),
        ("project_save", project(json!({"status": true})), "Status"),
        ("project_save", project(json!({"owner": "x"})), "Eingabe"),
        (
            "project_delete",
            json!({"id": pid, "confirmed": "ja"}),
            "Bestätigung",
        ),
        ("project_delete", json!({"id": pid}), "Bestätigung"),
        ("time_save", time(json!({"date": "32.01.2025"})), "Datum"),
        ("time_save", time(json!({"date": ""})), "Datum"),
        ("time_save", time(json!({"date": "2025-13-01"})), "Datum"),
        ("time_save", time(json!({"date": "morgen"})), "Datum"),
        ("time_save", time(json!({"duration": ""})), "Dauer"),
        ("time_save", time(json!({"duration": "-1"})), "Dauer"),
        ("time_save", time(json!({"duration": "25:00"})), "Dauer"),
        ("time_save", time(json!({"duration": "abc"})), "Dauer"),
        ("time_save", time(json!({"duration": "1:60"})), "Dauer"),
        ("time_save", time(json!({"duration": "0"})), "Dauer"),
        ("time_save", time(json!({"duration": 1.5})), "Dauer"),
        (
            "time_save",
            time(json!({"start": "10:00", "end": "09:00", "duration": ""})),
            "Bis",
        ),
        (
            "time_save",
            time(json!({"start": "25:00", "end": "26:00", "duration": ""})),
            "Von",
        ),
        (
            "time_save",
            time(json!({"start": "08:00", "end": "", "duration": ""})),
            "Bis",
        ),
        (
            "time_save",
            time(json!({"start": "08:00", "end": "09:00", "duration": "3:00"})),
            "Dauer",
        ),
        (
            "time_save",
            time(json!({"start": "08:00", "end": "09:00", "break": "2:00", "duration": ""})),
            "Bis",
        ),
        ("time_save", time(json!({"break": "0:30"})), "Pause"),
        ("time_save", time(json!({"break": "viel"})), "Pause"),
        (
            "time_save",
            time(json!({"employee": long(101)})),
            "Mitarbeiter",
        ),
        (
            "time_save",
            time(json!({"description": long(2001)})),
            "Beschreibung",
        ),
        ("time_save", time(json!({"projectId": 987654})), "Projekt"),
        ("time_save", time(json!({"projectId": "eins"})), "Projekt"),
        ("time_save", time(json!({"billable": "ja"})), "abrechenbar"),
        ("time_save", time(json!({"stunden": 1})), "Eingabe"),
        ("service_save", service(json!({"name": ""})), "Bezeichnung"),
        (
            "service_save",
            service(json!({"name": long(256)})),
            "Bezeichnung",
        ),
        ("service_save", service(json!({"quantity": "-1"})), "Menge"),
        ("service_save", service(json!({"quantity": "0"})), "Menge"),
        ("service_save", service(json!({"quantity": "abc"})), "Menge"),
        (
            "service_save",
            service(json!({"quantity": "1,12345"})),
            "Menge",
        ),
        ("service_save", service(json!({"quantity": ""})), "Menge"),
        ("service_save", service(json!({"quantity": 2})), "Menge"),
        (
            "service_save",
            service(json!({"unitPrice": "abc"})),
            "Einzelpreis",
        ),
        (
            "service_save",
            service(json!({"unitPrice": "-3"})),
            "Einzelpreis",
        ),
        (
            "service_save",
            service(json!({"unitPrice": "1,23456"})),
            "Einzelpreis",
        ),
        (
            "service_save",
            service(json!({"taxRate": "16"})),
            "Steuersatz",
        ),
        (
            "service_save",
            service(json!({"taxRate": "neunzehn"})),
            "Steuersatz",
        ),
        (
            "service_save",
            service(json!({"unit": long(31)})),
            "Einheit",
        ),
        (
            "service_save",
            service(json!({"date": "31.02.2025"})),
            "Datum",
        ),
        (
            "service_save",
            service(json!({"description": long(2001)})),
            "Beschreibung",
        ),
        ("service_save", service(json!({"netto": "1"})), "Eingabe"),
        (
            "entries_list",
            json!({"projectId": pid, "from": "letzte Woche"}),
            "Von",
        ),
        (
            "entries_list",
            json!({"projectId": pid, "to": "32.13.2025"}),
            "Bis",
        ),
        ("entries_list", json!({"projectId": "P-1"}), "Projekt"),
        ("entries_list", json!({}), "Projekt"),
        ("csv_preview", json!({"path": 5}), "Datei"),
        ("csv_preview", json!({}), "Datei"),
        (
            "csv_preview",
            json!({"path": "/gibt/es/nicht.csv"}),
            "Datei",
        ),
        ("csv_preview", json!({"path": path("")}), "Datei"),
        ("csv_preview", json!({"path": path("empty.csv")}), "Datei"),
        // Foreign columns: the Spaltenzuordnung must name Projekt and Datum,
        // each field once, only known fields.
        (
            "csv_preview",
            json!({"path": path("noheader.csv"), "mapping": {"columns": ["", "", ""], "dateOrder": "dmy"}}),
            "Spaltenzuordnung",
        ),
        (
            "csv_preview",
            json!({"path": path("noheader.csv"), "mapping": {"columns": ["projekt", "datum", "datum"], "dateOrder": "dmy"}}),
            "Spaltenzuordnung",
        ),
        (
            "csv_preview",
            json!({"path": path("noheader.csv"), "mapping": {"columns": ["projekt", "datum", "kunde"], "dateOrder": "dmy"}}),
            "Spaltenzuordnung",
        ),
        (
            "csv_preview",
            json!({"path": path("noheader.csv"), "mapping": {"columns": 5}}),
            "Spaltenzuordnung",
        ),
        (
            "csv_preview",
            json!({"path": path("noheader.csv"), "mapping": {"columns": [], "order": "dmy"}}),
            "Eingabe",
        ),
        (
            "csv_preview",
            json!({"path": path("workbook.xlsx")}),
            "Datei",
        ),
        ("csv_import", json!({"path": path("binary.csv")}), "Datei"),
        (
            "csv_import",
            json!({"path": path("noheader.csv")}),
            "Spaltenzuordnung",
        ),
        // lexoffice Rechnung
        ("invoice_preview", inv(json!({"from": "x"})), "Von"),
        ("invoice_preview", inv(json!({"to": "x"})), "Bis"),
        (
            "invoice_preview",
            inv(json!({"from": "31.03.2025", "to": "01.03.2025"})),
            "Bis",
        ),
        ("invoice_preview", inv(json!({"rate": "-1"})), "Stundensatz"),
        (
            "invoice_preview",
            inv(json!({"rate": "abc"})),
            "Stundensatz",
        ),
        (
            "invoice_preview",
            inv(json!({"rate": "1,123456"})),
            "Stundensatz",
        ),
        ("invoice_preview", inv(json!({"projectId": "x"})), "Projekt"),
        (
            "invoice_preview",
            inv(json!({"listSubprojects": "ja"})),
            "Unterprojekte einzeln auflisten",
        ),
        ("invoice_preview", inv(json!({"finalize": true})), "Eingabe"),
        ("invoice_create", inv(json!({"from": ""})), "Von"),
        ("invoice_create", inv(json!({"rate": "-85"})), "Stundensatz"),
        ("invoice_create", json!({}), "Eingabe"),
        ("invoice_defaults", json!({"projectId": "P-1"}), "Projekt"),
        ("invoice_history", json!({}), "Projekt"),
        ("invoice_release", json!({"id": "x"}), "Datensatz"),
        // Datensicherung
        (
            "backup_restore",
            json!({"path": "/gibt/es/nicht.json"}),
            "Datei",
        ),
        (
            "backup_restore",
            json!({"path": path("empty.csv")}),
            "Sicherung",
        ),
        (
            "backup_restore",
            json!({"path": path("bad-backup.json")}),
            "Sicherung",
        ),
        ("backup_restore", json!({"path": 1}), "Datei"),
        (
            "backup_inspect",
            json!({"path": path("binary.csv")}),
            "Sicherung",
        ),
        ("backup_create", json!({"path": ""}), "Datei"),
        // Abrechnungsregeln
        ("employee_save", json!({"input": {"name": ""}}), "Name"),
        (
            "employee_save",
            json!({"input": {"name": long(101)}}),
            "Name",
        ),
        (
            "employee_save",
            json!({"input": {"name": "A\u{1}B"}}),
            "Name",
        ),
        (
            "employee_save",
            json!({"input": {"name": "Ann", "rate": "abc"}}),
            "Stundensatz",
        ),
        (
            "employee_save",
            json!({"input": {"name": "Ann", "validFrom": "31.02.2025"}}),
            "gültig ab",
        ),
        (
            "employee_save",
            json!({"input": {"name": "Ann", "roleId": 999_999}}),
            "Rolle",
        ),
        (
            "employee_save",
            json!({"input": {"name": "Ann", "roleId": "Geselle"}}),
            "Rolle",
        ),
        (
            "employee_save",
            json!({"input": {"name": "Ann", "active": "ja"}}),
            "aktiv",
        ),
        ("role_save", json!({"input": {"name": " "}}), "Name"),
        (
            "role_save",
            json!({"input": {"name": "Geselle", "rate": "-5"}}),
            "Stundensatz",
        ),
        ("role_delete", json!({"id": "eins"}), "Datensatz"),
        (
            "billing_settings_save",
            json!({"input": {"rounding": {"step": "7"}}}),
            "Abrechnungstakt",
        ),
        (
            "billing_settings_save",
            json!({"input": {"rounding": {"step": "15", "mode": "abrunden"}}}),
            "Runden",
        ),
        (
            "billing_settings_save",
            json!({"input": {"rounding": {"step": "15", "scope": "je Woche"}}}),
            "Anwenden auf",
        ),
        (
            "billing_settings_save",
            json!({"input": {"rounding": {"step": "15", "minimum": "viel"}}}),
            "Mindestens",
        ),
        (
            "billing_settings_save",
            json!({"input": {"rounding": {"step": "15"}, "hourUnit": long(31)}}),
            "Einheit",
        ),
        (
            "billing_settings_save",
            json!({"input": {"rounding": {"step": "15"}, "exactHours": "ja"}}),
            "Stunden exakt (4 Nachkommastellen)",
        ),
        (
            "rate_rules_save",
            json!({"target": {"projectId": pid}, "input": {"roleRates": [{"roleId": null, "rate": "50", "validFrom": ""}]}}),
            "Rolle",
        ),
        (
            "rate_rules_save",
            json!({"target": {"projectId": pid}, "input": {"rateChanges": [{"rate": "50", "validFrom": ""}]}}),
            "gültig ab",
        ),
        (
            "rate_rules_save",
            json!({"target": {"projectId": pid}, "input": {"rateChanges": [{"rate": "50", "validFrom": "32.01.2025"}]}}),
            "gültig ab",
        ),
        (
            "rate_rules_save",
            json!({"target": {"projectId": pid}, "input": {"rateChanges": [{"rate": "fünfzig", "validFrom": "01.01.2026"}]}}),
            "Stundensatz",
        ),
        (
            "rate_rules_save",
            json!({"target": {"projectId": pid}, "input": {"rounding": {"step": "45"}}}),
            "Abrechnungstakt",
        ),
        (
            "invoice_preview",
            inv(json!({"rates": [{"listed": "abc", "rate": "5"}]})),
            "Stundensatz",
        ),
        (
            "invoice_preview",
            inv(json!({"rates": [{"listed": "85", "rate": "-5"}]})),
            "Stundensatz",
        ),
        (
            "backup_create",
            json!({"path": "/proc/kein/ordner/sicherung.json"}),
            "Datei",
        ),
        // A path the window made up is never written to (only a token of a
        // file Rust chose).
        (
            "backup_create",
            json!({"path": "/tmp/zeitrechnung-untergeschoben.json"}),
            "Datei",
        ),
        // Rechnungsbild: Aufstellung, Positionstext, texts, corrections.
        (
            "invoice_preview",
            inv(json!({"layout": "je Woche"})),
            "Aufstellung",
        ),
        ("invoice_preview", inv(json!({"layout": 3})), "Aufstellung"),
        (
            "invoice_preview",
            inv(json!({"remember": "ja"})),
            "Für diesen Kunden merken",
        ),
        (
            "invoice_preview",
            inv(json!({"goodwillUnbillable": 1})),
            "Nicht abrechenbare Zeiten als Kulanz zeigen",
        ),
        (
            "invoice_preview",
            inv(json!({"title": ["Rechnung"]})),
            "Titel",
        ),
        (
            "invoice_preview",
            inv(json!({"introduction": "a\u{0007}b"})),
            "Einleitung",
        ),
        (
            "invoice_preview",
            inv(json!({"remark": "x".repeat(2001)})),
            "Schlusstext",
        ),
        (
            "invoice_preview",
            inv(json!({"lineText": "\u{0000}"})),
            "Positionstext",
        ),
        (
            "invoice_preview",
            inv(json!({"edits": [{"key": "t:p", "action": "verdoppeln"}]})),
            "Rechnung",
        ),
        (
            "invoice_preview",
            inv(json!({"edits": [{"key": "t:p", "action": "set"}]})),
            "Rechnung",
        ),
        ("invoice_preview", inv(json!({"edits": "alle"})), "Position"),
        (
            "invoice_preview",
            inv(
                json!({"edits": [{"key": "t:p", "action": "set", "values": {"name": "A", "quantity": "-1", "unitPrice": "1", "taxRate": "19"}}]}),
            ),
            "Menge",
        ),
        (
            "invoice_preview",
            inv(
                json!({"extraLines": [{"name": "", "quantity": "1", "unitPrice": "1", "taxRate": "19"}]}),
            ),
            "Bezeichnung",
        ),
        (
            "invoice_preview",
            inv(
                json!({"extraLines": [{"name": "Anfahrt", "quantity": "1", "unitPrice": "1,12345", "taxRate": "19"}]}),
            ),
            "Einzelpreis",
        ),
        (
            "invoice_preview",
            inv(
                json!({"extraLines": [{"name": "Anfahrt", "quantity": "1", "unitPrice": "1", "taxRate": "20"}]}),
            ),
            "Steuersatz",
        ),
        (
            "invoice_preview",
            inv(
                json!({"extraLines": [{"name": "Anfahrt", "quantity": "1", "unit": "x".repeat(31), "unitPrice": "1", "taxRate": "19"}]}),
            ),
            "Einheit",
        ),
        (
            "invoice_style_save",
            json!({"input": {"layout": "je Woche"}}),
            "Aufstellung",
        ),
        (
            "invoice_style_save",
            json!({"input": {"layout": "entry", "lineText": "{Datum} {Kollege}"}}),
            "Positionstext",
        ),
        (
            "invoice_style_save",
            json!({"input": {"layout": "entry", "title": "Rechnung für unsere Leistungen im März"}}),
            "Titel",
        ),
        (
            "invoice_style_save",
            json!({"input": {"layout": "entry", "remark": "Danke, {kunde}!"}}),
            "Schlusstext",
        ),
        (
            "invoice_style_save",
            json!({"input": {"layout": "day", "farbe": "rot"}}),
            "Eingabe",
        ),
        (
            "timesheet_save",
            json!({"request": {"recordId": 1, "path": ""}}),
            "Datei",
        ),
        (
            "timesheet_save",
            json!({"request": {"recordId": 1, "path": "nachweis.pdf"}}),
            "Datei",
        ),
        (
            "timesheet_save",
            json!({"request": {"recordId": "eins", "path": "/tmp/x.pdf"}}),
            "Datensatz",
        ),
        (
            "timesheet_save",
            json!({"request": {"recordId": 1, "path": "/tmp/zeitrechnung-untergeschoben.pdf"}}),
            "Datei",
        ),
        (
            "timesheet_save",
            json!({"request": {"recordId": 1, "path": "/tmp/x.pdf", "csv": "ja"}}),
            "zusätzlich als CSV (für Excel)",
        ),
        ("timesheet_suggest", json!({"id": "x"}), "Datensatz"),
        // Steuerfälle
        (
            "customer_set_tax",
            json!({"id": cid, "taxCase": "Reverse Charge", "private35a": false}),
            "Steuerart",
        ),
        (
            "customer_set_tax",
            json!({"id": cid, "taxCase": "standard", "private35a": "ja"}),
            "Privatkunde (§35a)",
        ),
        (
            "customer_set_tax",
            json!({"id": cid, "taxCase": 13}),
            "Steuerart",
        ),
        (
            "project_save",
            json!({"input": {"name": "P", "taxCase": "13b"}}),
            "Steuerart",
        ),
        ("service_save", service(json!({"art": "Werkzeug"})), "Art"),
        ("service_save", service(json!({"art": 2})), "Art"),
        (
            "tax_notes_save",
            json!({"input": {"construction13b": "x".repeat(501)}}),
            "Hinweis zur Steuerart",
        ),
        (
            "tax_notes_save",
            json!({"input": {"euService": "a\u{0007}"}}),
            "Hinweis zur Steuerart",
        ),
        (
            "tax_notes_save",
            json!({"input": {"exempt": ["steuerfrei"]}}),
            "Hinweis zur Steuerart",
        ),
    ];
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let english = [
        "invalid type",
        "expected",
        "missing field",
        "unknown field",
        "invalid value",
        "error",
    ];
    let before = snapshot(&h);
    for (cmd, args, field) in &cases {
        let err = match invoke(&w, cmd, args.clone()) {
            Err(e) => e,
            Ok(v) => panic!("{cmd} {args}: accepted: {v}"),
        };
        assert_eq!(err["kind"], "validation", "{cmd} {args}: {err}");
        assert_eq!(err["field"], *field, "{cmd} {args}: {err}");
        let msg = err["message"].as_str().unwrap();
        assert!(!msg.is_empty());
        for word in english {
            assert!(
                !msg.to_lowercase().contains(word),
                "{cmd} {args}: not German: {msg}"
            );
        }
        assert_eq!(snapshot(&h), before, "{cmd} {args}: the store changed");
    }
    support::report(
        "bad-input",
        &format!(
            "bad input: {} cases refused in German naming the field, store unchanged",
            cases.len()
        ),
    );
}
