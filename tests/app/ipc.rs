//! Mock-runtime IPC tests: every command of the app through Tauri's invoke
//! path, including the error shape `{kind, message}` the UI relies on.

use crate::support;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct App {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    h: support::Harness,
}

fn app(api_base: &str) -> App {
    let h = support::harness(api_base);
    let app = zeitrechnung_lib::app_builder(mock_builder())
        .manage(h.core.clone())
        // The real config and capabilities, so the ACL is the one the app ships.
        .build(tauri::generate_context!(test = true))
        .expect("mock app builds");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _app: app,
        window,
        h,
    }
}

fn invoke(a: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_from(a, "tauri://localhost", cmd, args)
}

fn invoke_from(a: &App, origin: &str, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &a.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

fn assert_error(v: &Value, kind: &str) {
    let obj = v.as_object().expect("error is an object");
    assert_eq!(obj["kind"], kind, "{v}");
    let msg = obj["message"].as_str().expect("message is text");
    assert!(!msg.is_empty());
}

#[test]
fn app_info_names_the_app() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let v = invoke(&a, "app_info", json!({})).unwrap();
    assert_eq!(v["name"], "Zeitrechnung");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn connect_status_refresh_disconnect_round_trip() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let v = invoke(&a, "connection_status", json!({})).unwrap();
    assert_eq!(v["connected"], false);

    let err = invoke(&a, "connect_lexoffice", json!({"apiKey": "falsch"})).unwrap_err();
    assert_error(&err, "unauthorized");
    assert!(err["message"].as_str().unwrap().contains("API-Key"));

    let v = invoke(&a, "connect_lexoffice", json!({"apiKey": support::KEY})).unwrap();
    assert_eq!(v["connected"], true);
    assert_eq!(v["companyName"], "Muster Handwerk GmbH");
    assert!(
        !v.to_string().contains(support::KEY),
        "the key never comes back"
    );

    let v = invoke(&a, "connection_refresh", json!({})).unwrap();
    assert_eq!(v["connected"], true);
    let v = invoke(&a, "connection_status", json!({})).unwrap();
    assert_eq!(v["companyName"], "Muster Handwerk GmbH");

    let v = invoke(&a, "disconnect_lexoffice", json!({})).unwrap();
    assert_eq!(v["connected"], false);
    assert!(!a.h.secrets.has_key());
}

#[test]
fn validation_errors_carry_kind_message_and_field() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let err = invoke(&a, "connect_lexoffice", json!({"apiKey": ""})).unwrap_err();
    assert_error(&err, "validation");
    assert_eq!(err["field"], "API-Key");
    let err = invoke(&a, "save_rate", json!({"rate": "-3"})).unwrap_err();
    assert_error(&err, "validation");
    assert_eq!(err["field"], "Stundensatz");
    assert_eq!(err["message"], "Der Stundensatz darf nicht negativ sein.");
}

#[test]
fn rate_round_trip() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let v = invoke(&a, "get_rate", json!({})).unwrap();
    assert_eq!(v["hourlyRate"], Value::Null);
    let v = invoke(&a, "save_rate", json!({"rate": "85,50"})).unwrap();
    assert_eq!(v["hourlyRate"], "85.50");
    assert_eq!(v["hourlyRateDisplay"], "85,50");
    let v = invoke(&a, "get_rate", json!({})).unwrap();
    assert_eq!(v["hourlyRateDisplay"], "85,50");
}

#[test]
fn wrong_or_missing_argument_types_are_rejected() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    assert!(invoke(&a, "save_rate", json!({"rate": 85.5})).is_err());
    assert!(invoke(&a, "save_rate", json!({})).is_err());
    assert!(invoke(&a, "connect_lexoffice", json!({"apiKey": null})).is_err());
    assert_eq!(
        invoke(&a, "get_rate", json!({})).unwrap()["hourlyRate"],
        Value::Null
    );
}

#[test]
fn open_key_page_records_the_lexoffice_url() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    invoke(&a, "open_key_page", json!({})).unwrap();
    assert_eq!(
        a.h.opened.lock().unwrap().as_slice(),
        ["https://app.lexware.de/addons/public-api"]
    );
}

#[test]
fn commands_are_refused_to_remote_origins() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let err = invoke_from(&a, "https://evil.example", "connection_status", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
    assert!(invoke_from(&a, "https://evil.example", "open_key_page", json!({})).is_err());
    assert!(a.h.opened.lock().unwrap().is_empty());
}

#[test]
fn kunden_commands_save_list_get_and_reject_bad_input() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    assert_eq!(invoke(&a, "customers_list", json!({})).unwrap(), json!([]));
    let saved = invoke(
        &a,
        "customer_save",
        json!({"input": {"kind": "company", "name": "Bäckerei Korn", "zip": "79098", "city": "Freiburg", "countryCode": "de"}}),
    )
    .unwrap();
    assert_eq!(saved["name"], "Bäckerei Korn");
    assert_eq!(
        saved["invoiceable"], false,
        "manual customers cannot be invoiced yet"
    );
    let id = saved["id"].as_u64().unwrap();
    let list = invoke(&a, "customers_list", json!({})).unwrap();
    assert_eq!(list[0]["source"], "manuell");
    assert_eq!(list[0]["city"], "Freiburg");
    let got = invoke(&a, "customer_get", json!({"id": id})).unwrap();
    assert_eq!(got["address"]["countryCode"], "DE");

    let err = invoke(&a, "customer_save", json!({"input": {"name": ""}})).unwrap_err();
    assert_error(&err, "validation");
    assert_eq!(err["field"], "Name");
    let err = invoke(
        &a,
        "customer_save",
        json!({"input": {"name": "X", "zip": "1"}}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "PLZ");
    // Unknown fields and wrong types are refused, nothing stored.
    assert!(invoke(
        &a,
        "customer_save",
        json!({"input": {"name": "X", "admin": true}})
    )
    .is_err());
    assert!(invoke(&a, "customer_save", json!({"input": {"name": 5}})).is_err());
    assert_eq!(
        invoke(&a, "customers_list", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let err = invoke(&a, "customer_get", json!({"id": 999_999})).unwrap_err();
    assert_error(&err, "notFound");
    let err = invoke(&a, "customer_open_lexoffice", json!({"id": id})).unwrap_err();
    assert_error(&err, "validation");
}

#[test]
fn customers_import_needs_a_connection_and_cancel_is_harmless() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    invoke(&a, "customers_import_cancel", json!({})).unwrap();
    let err = invoke(&a, "customers_import", json!({"onEvent": "__CHANNEL__:1"})).unwrap_err();
    assert_error(&err, "notConnected");
}

#[test]
fn projekte_commands_round_trip_with_field_errors() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let p = invoke(
        &a,
        "project_save",
        json!({"input": {"name": "Dachstuhl", "number": "D-1", "hourlyRate": "88"}}),
    )
    .unwrap();
    let pid = p["project"]["id"].as_u64().unwrap();
    assert_eq!(p["rate"]["display"], "88,00 €/h");
    let sub = invoke(
        &a,
        "project_save",
        json!({"input": {"name": "Gauben", "parentId": pid}}),
    )
    .unwrap();
    assert_eq!(sub["rate"]["source"], "vom Hauptprojekt");
    let rows = invoke(&a, "projects_list", json!({})).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[1]["depth"], 1);

    let t = invoke(&a, "time_save", json!({"input": {"projectId": pid, "date": "03.03.2025", "start": "7:00", "end": "9:30", "break": "15", "description": "Abbund"}})).unwrap();
    assert_eq!(t["durationDisplay"], "2:15");
    let s = invoke(&a, "service_save", json!({"input": {"projectId": pid, "date": "03.03.2025", "name": "Schrauben", "quantity": "1.000", "unit": "Stück", "unitPrice": "0,05", "taxRate": "19"}})).unwrap();
    assert_eq!(s["amountDisplay"], "50,00 €");
    let list = invoke(
        &a,
        "entries_list",
        json!({"projectId": pid, "from": "01.03.2025", "to": "31.03.2025"}),
    )
    .unwrap();
    // The two tables of the view, as shown.
    assert_eq!(list["times"].as_array().unwrap().len(), 1);
    assert_eq!(list["times"][0]["durationShown"], "2:15");
    assert_eq!(list["services"].as_array().unwrap().len(), 1);
    assert_eq!(list["services"][0]["amountDisplay"], "50,00 €");
    assert_eq!(list["more"], false);
    // „gestern“ is a date the forms understand; a word that is none is refused.
    assert_eq!(
        invoke(
            &a,
            "entries_list",
            json!({"projectId": pid, "from": "gestern"})
        )
        .unwrap(),
        json!({"times": [], "services": [], "more": false})
    );
    let err = invoke(
        &a,
        "entries_list",
        json!({"projectId": pid, "from": "letzte Woche"}),
    )
    .unwrap_err();
    assert_eq!(err["field"], "Von");
    // The period's „Von“, not a time's: the UI places errors by this key.
    assert_eq!(err["fieldKey"], "from");
    let err = invoke(
        &a,
        "time_save",
        json!({"input": {"projectId": pid, "date": "03.03.2025", "start": "9:00", "end": "8:00"}}),
    )
    .unwrap_err();
    assert_error(&err, "validation");
    assert_eq!(err["field"], "Bis");
    assert_eq!(err["fieldKey"], "end");
    let err = invoke(&a, "service_save", json!({"input": {"projectId": pid, "date": "03.03.2025", "name": "X", "quantity": "-2", "unitPrice": "1"}})).unwrap_err();
    assert_eq!(err["field"], "Menge");
    assert_eq!(err["fieldKey"], "quantity");
    assert!(invoke(&a, "time_save", json!({"input": {"projectId": "eins"}})).is_err());
    assert!(invoke(
        &a,
        "project_save",
        json!({"input": {"name": "X", "evil": 1}})
    )
    .is_err());

    let detail = invoke(&a, "project_get", json!({"id": pid})).unwrap();
    assert_eq!(detail["totals"]["hoursDisplay"], "2:15 h");
    assert_eq!(detail["totals"]["openNetDisplay"], "248,00 €");
    let gone = invoke(&a, "entry_delete", json!({"id": t["id"]})).unwrap();
    assert_eq!(gone["message"], "Zeit gelöscht");
    // „Rückgängig“ brings it back; then it goes again.
    assert_eq!(
        invoke(&a, "undo", json!({"undo": gone["undo"]})).unwrap(),
        "Eintrag wiederhergestellt"
    );
    let err = invoke(&a, "undo", json!({"undo": gone["undo"]})).unwrap_err();
    assert_eq!(err["field"], "Rückgängig");
    invoke(&a, "entry_delete", json!({"id": t["id"]})).unwrap();
    let ask = invoke(&a, "project_delete", json!({"id": pid, "confirmed": false})).unwrap();
    assert!(ask["check"]["question"]
        .as_str()
        .unwrap()
        .contains("Dachstuhl"));
    assert_eq!(ask["deleted"], Value::Null);
    let done = invoke(&a, "project_delete", json!({"id": pid, "confirmed": true})).unwrap();
    assert_eq!(done["check"], Value::Null);
    assert!(done["deleted"]["message"]
        .as_str()
        .unwrap()
        .contains("gelöscht"));
    assert_eq!(invoke(&a, "projects_list", json!({})).unwrap(), json!([]));

    let err = invoke(&a, "csv_preview", json!({"path": "/nicht/vorhanden.csv"})).unwrap_err();
    assert_eq!(err["field"], "Datei");
    let err = invoke(&a, "csv_import", json!({"path": "/nicht/vorhanden.csv"})).unwrap_err();
    assert_error(&err, "validation");
}

#[test]
fn rechnung_commands_report_problems_before_sending() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let p = invoke(
        &a,
        "project_save",
        json!({"input": {"name": "Ohne Kunde", "hourlyRate": "70"}}),
    )
    .unwrap();
    let pid = p["project"]["id"].as_u64().unwrap();
    invoke(
        &a,
        "time_save",
        json!({"input": {"projectId": pid, "date": "03.03.2025", "duration": "2"}}),
    )
    .unwrap();
    let d = invoke(&a, "invoice_defaults", json!({"projectId": pid})).unwrap();
    assert_eq!(d["allOpen"], json!(["03.03.2025", "03.03.2025"]));
    // Without „Stundensatz“ every entry keeps its own rate: here the project's 70.
    let own = json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "rate": "", "listSubprojects": false}});
    let pv = invoke(&a, "invoice_preview", own).unwrap();
    assert_eq!(pv["uniformRate"], "70,00");
    assert_eq!(pv["rates"][0]["sources"], "Projekt");
    assert_eq!(pv["lines"][0]["quantity"], "2");
    assert_eq!(pv["lines"][0]["unit"], "Std.");
    let req = json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "rate": "70", "listSubprojects": false}});
    let pv = invoke(&a, "invoice_preview", req.clone()).unwrap();
    assert_eq!(pv["ok"], false);
    let problems = pv["problems"].to_string();
    assert!(
        problems.contains("Keine Verbindung zu lexoffice") && problems.contains("kein Kunde"),
        "{problems}"
    );
    assert_eq!(pv["totals"]["grossDisplay"], "166,60 €");
    let err = invoke(&a, "invoice_create", req).unwrap_err();
    assert_error(&err, "notConnected");
    let err = invoke(&a, "invoice_preview", json!({"request": {"projectId": pid, "from": "31.03.2025", "to": "01.03.2025", "rate": "70"}})).unwrap_err();
    assert_eq!(err["field"], "Bis");
    assert_eq!(
        invoke(&a, "invoice_history", json!({"projectId": pid})).unwrap(),
        json!([])
    );
    for cmd in ["invoice_release", "invoice_reconcile", "invoice_open"] {
        let err = invoke(&a, cmd, json!({"id": 4242})).unwrap_err();
        assert_error(&err, "notFound");
    }
    assert!(sb.requests().is_empty(), "nothing reached lexoffice");
}

#[test]
fn customer_rate_feeds_the_project_rate_chain() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let c = invoke(
        &a,
        "customer_save",
        json!({"input": {"name": "Kanzlei Roth"}}),
    )
    .unwrap();
    let cid = c["id"].as_u64().unwrap();
    let saved = invoke(&a, "customer_set_rate", json!({"id": cid, "rate": "110,5"})).unwrap();
    assert_eq!(saved["hourlyRateDisplay"], "110,50");
    let err = invoke(&a, "customer_set_rate", json!({"id": cid, "rate": "-1"})).unwrap_err();
    assert_eq!(err["field"], "Stundensatz");
    invoke(&a, "save_rate", json!({"rate": "80"})).unwrap();
    let p = invoke(
        &a,
        "project_save",
        json!({"input": {"name": "Mandat", "customerId": cid}}),
    )
    .unwrap();
    assert_eq!(p["rate"]["display"], "110,50 €/h");
    assert_eq!(p["rate"]["source"], "vom Kunden");
    invoke(&a, "customer_set_rate", json!({"id": cid, "rate": ""})).unwrap();
    let p = invoke(&a, "project_get", json!({"id": p["project"]["id"]})).unwrap();
    assert_eq!(p["rate"]["source"], "aus Einstellungen › Schnittstellen");
}

#[test]
fn no_ipc_response_ever_contains_the_key() {
    let sb = lexoffice_sandbox::Sandbox::start_in_thread(lexoffice_sandbox::SandboxConfig {
        api_key: support::KEY.into(),
        contacts: 30,
        ..Default::default()
    })
    .unwrap();
    let a = app(&sb.base_url);
    let mut responses: Vec<String> = Vec::new();
    let mut call = |cmd: &str, args: Value| {
        let r = invoke(&a, cmd, args);
        responses.push(format!("{cmd}: {r:?}"));
        r
    };
    call(
        "connect_lexoffice",
        json!({"apiKey": format!("{}x", support::KEY)}),
    )
    .unwrap_err();
    call(
        "connect_lexoffice",
        json!({"apiKey": format!(" {} ", support::KEY)}),
    )
    .unwrap();
    call("connection_status", json!({})).unwrap();
    call("connection_refresh", json!({})).unwrap();
    sb.inject(lexoffice_sandbox::Fault::Status(403), 1);
    call("connection_refresh", json!({})).unwrap();
    let c = call("customer_save", json!({"input": {"name": "K"}})).unwrap();
    let p = call(
        "project_save",
        json!({"input": {"name": "P", "customerId": c["id"], "hourlyRate": "80"}}),
    )
    .unwrap();
    let pid = p["project"]["id"].clone();
    call(
        "time_save",
        json!({"input": {"projectId": pid, "date": "03.03.2025", "duration": "1"}}),
    )
    .unwrap();
    call("invoice_preview", json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "rate": "80", "listSubprojects": false}})).unwrap();
    call("invoice_create", json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "rate": "80", "listSubprojects": false}})).unwrap_err();
    call("app_info", json!({})).unwrap();
    call("disconnect_lexoffice", json!({})).unwrap();
    call("connection_status", json!({})).unwrap();
    for r in &responses {
        assert!(!r.contains(support::KEY), "key in an IPC response: {r}");
    }
    assert_eq!(responses.len(), 13);
}

/// Rechnungsbild through the real IPC path: the dialog's request with an
/// Aufstellung, edits, goodwill and an added line; the POST body lexoffice gets
/// is exactly the lines the preview showed; blank texts are not sent; the
/// removed line's entry stays open; „Für diesen Kunden merken“ comes back as
/// the next dialog's default; the Stundennachweis is a PDF with the entries.
#[test]
fn edited_preview_is_exactly_the_draft_sent() {
    let sb = support::sandbox();
    sb.contacts().add_contact(
        lexoffice_sandbox::Contact::company("Bäckerei Korn")
            .customer()
            .with_billing_address("Mühlenweg 2", "24937", "Flensburg", "DE"),
    );
    let a = app(&sb.base_url);
    invoke(&a, "connect_lexoffice", json!({"apiKey": support::KEY})).unwrap();
    tauri::async_runtime::block_on(zeitrechnung_lib::kunden::import::run(
        &a.h.core,
        |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    ))
    .unwrap();
    invoke(&a, "save_rate", json!({"rate": "60"})).unwrap();
    let cid = a.h.core.store.customers().unwrap()[0].id;
    let p = invoke(
        &a,
        "project_save",
        json!({"input": {"name": "Ladenumbau", "customerId": cid}}),
    )
    .unwrap();
    let pid = p["project"]["id"].as_u64().unwrap();
    for (date, who, dur, note, billable) in [
        ("10.03.2025", "Jana Kraus", "4", "Leitungen verlegt", true),
        (
            "10.03.2025",
            "Tom Berger",
            "2",
            "Fliesen abgeschlagen",
            true,
        ),
        ("11.03.2025", "Jana Kraus", "3", "Armaturen montiert", true),
        ("12.03.2025", "Tom Berger", "1", "Nacharbeit", false),
    ] {
        invoke(&a, "time_save", json!({"input": {"projectId": pid, "date": date, "employee": who, "duration": dur, "description": note, "billable": billable, "newEmployee": true}})).unwrap();
    }
    let base = json!({"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "rate": "", "listSubprojects": false,
        "layout": "entry", "title": "", "introduction": "", "remark": "", "goodwillUnbillable": true});
    let pv = invoke(&a, "invoice_preview", json!({"request": base})).unwrap();
    let names: Vec<&str> = pv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "10.03.2025 · Jana Kraus",
            "10.03.2025 · Tom Berger",
            "11.03.2025 · Jana Kraus",
            "12.03.2025 · Tom Berger (Kulanz)"
        ]
    );
    let key = |i: usize| pv["lines"][i]["key"].clone();
    let mut req = base.clone();
    req["edits"] = json!([
        {"key": key(0), "action": "set", "values": {"name": "Elektroinstallation", "description": "Leitungen im Verkaufsraum", "quantity": "4,5", "unit": "", "unitPrice": "65", "taxRate": "19"}},
        {"key": key(1), "action": "goodwill"},
        {"key": key(2), "action": "remove"},
    ]);
    req["extraLines"] = json!([{"name": "Anfahrtspauschale", "description": "", "quantity": "1", "unit": "", "unitPrice": "35,00", "taxRate": "19 %"}]);
    req["remember"] = json!(true);
    // A typed value the form cannot take names its field.
    let mut bad = req.clone();
    bad["extraLines"][0]["quantity"] = json!("eins");
    let err = invoke(&a, "invoice_preview", json!({"request": bad})).unwrap_err();
    assert_eq!(err["field"], "Menge");
    let pv = invoke(&a, "invoice_preview", json!({"request": req.clone()})).unwrap();
    assert_eq!(pv["ok"], true, "{}", pv["problems"]);
    assert_eq!(pv["removed"][0]["name"], "11.03.2025 · Jana Kraus");
    assert_eq!(pv["totals"]["netDisplay"], "327,50 €"); // 4,5 × 65 + 35
    invoke(&a, "invoice_create", json!({"request": req})).unwrap();
    // The exact body sent (kept with the attempt) and what lexoffice made of it.
    let records = a.h.core.store.invoice_records().unwrap();
    assert_eq!(records.len(), 1);
    let body = &records[0].request;
    let drafts = sb.invoices_json();
    assert_eq!(drafts.len(), 1);
    for field in ["title", "introduction", "remark"] {
        assert!(body.get(field).is_none(), "{field} sent although blank");
        // lexoffice then uses the organisation's own text.
        assert!(!drafts[0][field].as_str().unwrap().is_empty(), "{field}");
    }
    assert_eq!(
        &drafts[0]["lineItems"].as_array().unwrap().len(),
        &body["lineItems"].as_array().unwrap().len()
    );
    let sent = body["lineItems"].as_array().unwrap();
    let shown = pv["lines"].as_array().unwrap();
    assert_eq!(sent.len(), shown.len());
    for (s, l) in sent.iter().zip(shown) {
        assert_eq!(s["name"], l["name"]);
        assert_eq!(s["description"].as_str(), l["description"].as_str());
        assert_eq!(s["quantity"].to_string(), l["quantity"].as_str().unwrap());
        assert_eq!(
            s["unitPrice"]["netAmount"].to_string(),
            l["unitPrice"].as_str().unwrap()
        );
        assert_eq!(
            s["unitPrice"]["taxRatePercentage"].to_string(),
            l["taxRate"].as_str().unwrap()
        );
    }
    assert_eq!(sent[0]["name"], "Elektroinstallation");
    assert_eq!(sent[1]["name"], "10.03.2025 · Tom Berger (Kulanz)");
    assert_eq!(sent[3]["name"], "Anfahrtspauschale");
    // The removed entry stays open: the next preview has just it.
    let pv = invoke(
        &a,
        "invoice_preview",
        json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025"}}),
    )
    .unwrap();
    let names: Vec<&str> = pv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["11.03.2025 · Jana Kraus"],
        "remembered: je Eintrag"
    );
    let d = invoke(&a, "invoice_defaults", json!({"projectId": pid})).unwrap();
    assert_eq!(d["style"]["layout"], "entry");
    assert_eq!(d["styleSource"], "Für diesen Kunden gemerkt");
    // Stundennachweis of the draft.
    let hist = invoke(&a, "invoice_history", json!({"projectId": pid})).unwrap();
    assert_eq!(hist[0]["canTimesheet"], true);
    let rid = hist[0]["id"].as_u64().unwrap();
    let path = a.h.dir.path().join("nachweis");
    // A path the window names itself is never written to …
    let made_up = invoke(
        &a,
        "timesheet_save",
        json!({"request": {"recordId": rid, "path": path.display().to_string(), "csv": true}}),
    )
    .unwrap_err();
    assert_eq!(
        made_up["message"],
        "Bitte den Speicherort mit „Durchsuchen …“ wählen."
    );
    assert!(!path.with_extension("pdf").exists());
    // … only a file Rust chose (its „Speichern unter“ dialog), by token.
    let token = a.h.core.chosen.choose(path.clone()).token;
    let saved = invoke(
        &a,
        "timesheet_save",
        json!({"request": {"recordId": rid, "path": token, "csv": true}}),
    )
    .unwrap();
    let pdf = std::fs::read(path.with_extension("pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let csv = std::fs::read_to_string(path.with_extension("csv")).unwrap();
    assert!(
        csv.contains("10.03.2025;Tom Berger;;;2:00;Kulanz;Fliesen abgeschlagen"),
        "{csv}"
    );
    assert!(
        csv.contains("Gesamt;;;;;7:00;4:00;Abgerechnete Stunden: 4,50 Std."),
        "{csv}"
    );
    assert_eq!(saved["opened"], false, "the test core opens no files");
    // Saving again never replaces the files without asking.
    let again = invoke(
        &a,
        "timesheet_save",
        json!({"request": {"recordId": rid, "path": token, "csv": true}}),
    )
    .unwrap_err();
    assert_eq!(again["kind"], "confirm");
    assert_eq!(
        again["message"],
        "Die Dateien „nachweis.pdf“ und „nachweis.csv“ gibt es schon. Sollen sie ersetzt werden?"
    );
    std::fs::write(path.with_extension("csv"), "meine Notizen").unwrap();
    assert_eq!(
        std::fs::read_to_string(path.with_extension("csv")).unwrap(),
        "meine Notizen"
    );
    invoke(
        &a,
        "timesheet_save",
        json!({"request": {"recordId": rid, "path": token, "csv": true, "replace": true}}),
    )
    .unwrap();
    assert!(std::fs::read_to_string(path.with_extension("csv"))
        .unwrap()
        .contains("Abgerechnete Stunden"));
}

/// Einstellungen › Abrechnung › Rechnungstexte is the firm's default: a new
/// invoice dialog starts with it, and a text that comes out too long names its
/// field in the preview.
#[test]
fn rechnungstexte_are_the_dialogs_default() {
    let sb = support::sandbox();
    let a = app(&sb.base_url);
    let v = invoke(&a, "invoice_style_get", json!({})).unwrap();
    assert_eq!(v["style"]["layout"], "project");
    assert_eq!(v["style"]["title"], "");
    assert_eq!(v["style"]["introduction"], "");
    let labels: Vec<&str> = v["layouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        vec![
            "eine Zeile je Projekt",
            "je Mitarbeiter",
            "je Rolle",
            "je Tag",
            "je Eintrag"
        ]
    );
    let day_text = v["layouts"][3]["defaultText"].clone();
    let v = invoke(
        &a,
        "invoice_style_save",
        json!({"input": {"layout": "day", "lineText": day_text, "title": "Rechnung {Projektnummer}", "introduction": "Für {Kunde}:", "remark": ""}}),
    )
    .unwrap();
    assert_eq!(v["style"]["layout"], "day");
    assert_eq!(
        v["style"]["lineText"], day_text,
        "the default text of „je Tag“"
    );
    let p = invoke(
        &a,
        "project_save",
        json!({"input": {"name": "Umbau", "number": "P-2026-0001234-AB", "hourlyRate": "70"}}),
    )
    .unwrap();
    let pid = p["project"]["id"].as_u64().unwrap();
    invoke(&a, "time_save", json!({"input": {"projectId": pid, "date": "03.03.2025", "duration": "2", "employee": "Jana Kraus", "newEmployee": true}})).unwrap();
    let d = invoke(&a, "invoice_defaults", json!({"projectId": pid})).unwrap();
    assert_eq!(d["style"]["layout"], "day");
    assert_eq!(d["style"]["title"], "Rechnung {Projektnummer}");
    assert_eq!(d["style"]["introduction"], "Für {Kunde}:");
    assert_eq!(d["styleSource"], "Standard aus Einstellungen › Abrechnung");
    // Without texts in the request the firm's apply: „Rechnung P-2026-0001234-AB“ is 26 characters.
    let pv = invoke(
        &a,
        "invoice_preview",
        json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025"}}),
    )
    .unwrap();
    assert_eq!(pv["ok"], false);
    assert_eq!(pv["problemField"], "Titel");
    assert!(
        pv["problems"]
            .to_string()
            .contains("höchstens 25 Zeichen lang sein (jetzt 26)"),
        "{}",
        pv["problems"]
    );
    // The dialog's own (blank) title for this invoice: the preview is built, per day.
    let pv = invoke(&a, "invoice_preview", json!({"request": {"projectId": pid, "from": "01.03.2025", "to": "31.03.2025", "title": ""}})).unwrap();
    assert_eq!(pv["problemField"], Value::Null);
    assert_eq!(pv["lines"][0]["name"], "Arbeitszeit am 03.03.2025");
}
