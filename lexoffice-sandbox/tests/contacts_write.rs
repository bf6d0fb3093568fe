//! Writing contacts (`POST /v1/contacts`, `PUT /v1/contacts/{id}`), articles
//! (`GET/POST /v1/articles`) and article references on invoice lines, over
//! HTTP (docs/lexoffice.md › Creating and updating contacts, Articles).

use std::str::FromStr;
use std::time::Duration;

use lexoffice_sandbox::{Article, Contact, Sandbox, SandboxConfig};
use reqwest::{Client, Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

const KEY: &str = "sandbox-key";

fn cfg(delay_ms: u64) -> SandboxConfig {
    SandboxConfig {
        bucket_capacity: 100_000,
        contact_visibility_delay: Duration::from_millis(delay_ms),
        ..SandboxConfig::default()
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn send(
    c: &Client,
    sb: &Sandbox,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = c.request(method, sb.url(path)).bearer_auth(KEY);
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn get(c: &Client, sb: &Sandbox, path: &str) -> (StatusCode, Value) {
    let (s, _, b) = send(c, sb, Method::GET, path, None).await;
    (s, b)
}

async fn post(c: &Client, sb: &Sandbox, path: &str, body: &Value) -> (StatusCode, Value) {
    let (s, _, b) = send(c, sb, Method::POST, path, Some(body)).await;
    (s, b)
}

async fn put(c: &Client, sb: &Sandbox, path: &str, body: &Value) -> (StatusCode, Value) {
    let (s, _, b) = send(c, sb, Method::PUT, path, Some(body)).await;
    (s, b)
}

fn company_body() -> Value {
    json!({
        "version": 0,
        "roles": { "customer": {} },
        "company": {
            "name": "Nordlicht Software GmbH",
            "vatRegistrationId": "DE811111111",
            "taxNumber": "12/345/67890",
            "allowTaxFreeInvoices": false,
            "contactPersons": [ { "salutation": "Herr", "firstName": "Ole",
                "lastName": "Hansen", "primary": true,
                "emailAddress": "ole@nordlicht.example" } ]
        },
        "addresses": {
            "billing": [ { "street": "Hafenweg 7", "zip": "24103", "city": "Kiel",
                           "countryCode": "DE" } ],
            "shipping": [ { "street": "Kai 1", "zip": "24103", "city": "Kiel",
                            "countryCode": "DE" } ]
        },
        "xRechnung": { "buyerReference": "04011000-1234512345-06",
                       "vendorNumberAtCustomer": "L-77" },
        "emailAddresses": { "business": ["rechnung@nordlicht.example"] },
        "phoneNumbers": { "business": ["+49 431 123456"], "mobile": ["+49 170 1"] },
        "note": "Rechnung bitte als PDF"
    })
}

fn person_body() -> Value {
    json!({
        "version": 0,
        "roles": { "customer": {} },
        "person": { "salutation": "Frau", "firstName": "Inge", "lastName": "Müller" },
        "addresses": { "billing": [ { "street": "Lindenstr. 3", "zip": "10115",
                                      "city": "Berlin", "countryCode": "DE" } ] }
    })
}

fn is_berlin_stamp(s: &str) -> bool {
    s.len() == 29 && &s[10..11] == "T" && (s.ends_with("+01:00") || s.ends_with("+02:00"))
}

fn sources(body: &Value) -> Vec<String> {
    body["IssueList"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|i| i["source"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Exactly `{id, resourceUri, createdDate, updatedDate, version}`.
fn assert_created_shape(body: &Value) {
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["createdDate", "id", "resourceUri", "updatedDate", "version"],
        "{body}"
    );
}

fn created_id(body: &Value) -> Uuid {
    Uuid::parse_str(body["id"].as_str().expect("id")).expect("uuid")
}

#[tokio::test]
async fn create_company_and_person_visible_after_delay() {
    let sb = Sandbox::start(cfg(400)).await.unwrap();
    sb.contacts()
        .add_contact(Contact::company("Bestand GmbH").customer());
    let c = Client::new();

    let (status, headers, body) =
        send(&c, &sb, Method::POST, "/v1/contacts", Some(&company_body())).await;
    assert_eq!(status, 201, "{body}");
    assert_created_shape(&body);
    let id = created_id(&body);
    assert_eq!(body["version"], 1);
    assert!(is_berlin_stamp(body["createdDate"].as_str().unwrap()));
    assert_eq!(body["createdDate"], body["updatedDate"]);
    let uri = body["resourceUri"].as_str().unwrap();
    assert!(uri.ends_with(&format!("/v1/contacts/{id}")), "{uri}");
    assert_eq!(headers["location"], uri);

    // Not yet visible: 404 by id, absent from the list; the store has it.
    let (s, b) = get(&c, &sb, &format!("/v1/contacts/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(b["IssueList"][0]["i18nKey"], "not_found");
    let (_, list) = get(&c, &sb, "/v1/contacts?customer=true").await;
    assert_eq!(list["totalElements"], 1);
    assert!(!sb.contacts().is_visible(id));
    assert_eq!(
        sb.contacts().get(id).unwrap().customer_number(),
        Some(10002)
    );

    let (s, b) = post(&c, &sb, "/v1/contacts", &person_body()).await;
    assert_eq!(s, 201, "{b}");
    let person_id = created_id(&b);

    tokio::time::sleep(Duration::from_millis(450)).await;
    let (s, got) = get(&c, &sb, &format!("/v1/contacts/{id}")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["roles"]["customer"]["number"], 10002);
    assert_eq!(got["version"], 1);
    assert_eq!(got["company"]["name"], "Nordlicht Software GmbH");
    assert_eq!(got["company"]["contactPersons"][0]["lastName"], "Hansen");
    assert_eq!(got["addresses"]["shipping"][0]["street"], "Kai 1");
    assert_eq!(got["xRechnung"]["vendorNumberAtCustomer"], "L-77");
    assert_eq!(got["phoneNumbers"]["mobile"][0], "+49 170 1");
    assert_eq!(got["archived"], false);
    let (_, p) = get(&c, &sb, &format!("/v1/contacts/{person_id}")).await;
    assert_eq!(p["roles"]["customer"]["number"], 10003);
    assert_eq!(p["person"]["lastName"], "Müller");
    assert!(p.get("company").is_none());
    let (_, list) = get(&c, &sb, "/v1/contacts?customer=true").await;
    assert_eq!(list["totalElements"], 3);
    let (_, list) = get(&c, &sb, "/v1/contacts?number=10002").await;
    assert_eq!(list["content"][0]["id"], id.to_string());
}

#[tokio::test]
async fn visibility_delay_zero_settable_and_numbers_ignored() {
    let sb = Sandbox::start(cfg(0)).await.unwrap();
    let c = Client::new();
    let mut body = company_body();
    body["roles"] = json!({ "customer": { "number": 4711 }, "vendor": {} });
    body["archived"] = json!(true);
    body["id"] = json!(Uuid::new_v4());
    let (s, b) = post(&c, &sb, "/v1/contacts", &body).await;
    assert_eq!(s, 201, "{b}");
    let id = created_id(&b);
    let (s, got) = get(&c, &sb, &format!("/v1/contacts/{id}")).await;
    assert_eq!(s, 200, "visible at once with delay 0");
    assert_eq!(
        got["roles"]["customer"]["number"], 10001,
        "sent number ignored"
    );
    assert_eq!(got["roles"]["vendor"]["number"], 70001);
    assert_eq!(got["archived"], false, "archived is read-only");

    sb.set_contact_visibility_delay(Duration::from_secs(60));
    assert_eq!(sb.contact_visibility_delay(), Duration::from_secs(60));
    let (_, b) = post(&c, &sb, "/v1/contacts", &person_body()).await;
    let hidden = created_id(&b);
    assert_eq!(get(&c, &sb, &format!("/v1/contacts/{hidden}")).await.0, 404);
    // The control plane lists it, marked invisible.
    let all: Value = c
        .get(sb.url("/__sandbox/contacts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == hidden.to_string())
        .expect("listed");
    assert_eq!(row["visible"], false);
    assert!(is_berlin_stamp(row["createdDate"].as_str().unwrap()));
    assert!(sb.contacts().reveal(hidden));
    assert_eq!(get(&c, &sb, &format!("/v1/contacts/{hidden}")).await.0, 200);
}

#[tokio::test]
async fn create_validation_refusals() {
    let sb = Sandbox::start(cfg(0)).await.unwrap();
    let c = Client::new();
    type Mutate = fn(&mut Value);
    let cases: Vec<(&str, Mutate, u16, &str, &str)> = vec![
        (
            "version 1",
            |b| b["version"] = json!(1),
            406,
            "invalid_value",
            "version",
        ),
        (
            "no version",
            |b| {
                b.as_object_mut().unwrap().remove("version");
            },
            406,
            "missing_entity",
            "version",
        ),
        (
            "no roles",
            |b| {
                b.as_object_mut().unwrap().remove("roles");
            },
            406,
            "missing_entity",
            "roles.customer or roles.vendor",
        ),
        (
            "empty roles",
            |b| b["roles"] = json!({}),
            406,
            "missing_entity",
            "roles.customer or roles.vendor",
        ),
        (
            "role not an object",
            |b| b["roles"] = json!({"customer": true}),
            400,
            "bad_request_error",
            "roles.customer",
        ),
        (
            "company and person",
            |b| b["person"] = json!({"lastName": "X"}),
            406,
            "invalid_value",
            "company or person",
        ),
        (
            "neither",
            |b| {
                b.as_object_mut().unwrap().remove("company");
            },
            406,
            "missing_entity",
            "company or person",
        ),
        (
            "blank company name",
            |b| b["company"]["name"] = json!("  "),
            406,
            "missing_entity",
            "company.name",
        ),
        (
            "two contact persons",
            |b| b["company"]["contactPersons"] = json!([{"lastName":"A"},{"lastName":"B"}]),
            406,
            "invalid_value",
            "company.contactPersons",
        ),
        (
            "contact person without last name",
            |b| b["company"]["contactPersons"] = json!([{"firstName":"A"}]),
            406,
            "missing_entity",
            "company.contactPersons[0].lastName",
        ),
        (
            "two billing addresses",
            |b| b["addresses"]["billing"] = json!([{"countryCode":"DE"},{"countryCode":"AT"}]),
            406,
            "invalid_value",
            "addresses.billing",
        ),
        (
            "shipping without country",
            |b| b["addresses"]["shipping"] = json!([{"city":"Kiel"}]),
            406,
            "missing_entity",
            "addresses.shipping[0].countryCode",
        ),
        (
            "country not ISO",
            |b| b["addresses"]["billing"][0]["countryCode"] = json!("Germany"),
            406,
            "invalid_value",
            "addresses.billing[0].countryCode",
        ),
        (
            "two business emails",
            |b| b["emailAddresses"]["business"] = json!(["a@x.de", "b@x.de"]),
            406,
            "invalid_value",
            "emailAddresses.business",
        ),
        (
            "two fax numbers",
            |b| b["phoneNumbers"]["fax"] = json!(["1", "2"]),
            406,
            "invalid_value",
            "phoneNumbers.fax",
        ),
        (
            "note 1001 UTF-16 units",
            |b| b["note"] = json!(format!("{}😀", "x".repeat(999))),
            406,
            "invalid_value",
            "note",
        ),
        (
            "xRechnung half",
            |b| b["xRechnung"] = json!({"buyerReference": "04011000"}),
            406,
            "missing_entity",
            "xRechnung.vendorNumberAtCustomer",
        ),
        (
            "name not a string",
            |b| b["company"]["name"] = json!(42),
            400,
            "bad_request_error",
            "company.name",
        ),
    ];
    for (what, mutate, status, key, source) in cases {
        let mut body = company_body();
        mutate(&mut body);
        let (s, b) = post(&c, &sb, "/v1/contacts", &body).await;
        assert_eq!(s.as_u16(), status, "{what}: {b}");
        assert!(b["requestId"].is_string(), "{what}: {b}");
        assert_eq!(b["IssueList"][0]["i18nKey"], key, "{what}: {b}");
        assert_eq!(b["IssueList"][0]["source"], source, "{what}: {b}");
        assert_eq!(b["IssueList"][0]["type"], "validation_failure", "{what}");
    }

    // Person rules; a note of exactly 1000 units and a 25-character
    // salutation are fine.
    let mut body = person_body();
    body["person"]["lastName"] = json!("");
    body["person"]["salutation"] = json!("x".repeat(26));
    let (s, b) = post(&c, &sb, "/v1/contacts", &body).await;
    assert_eq!(s, 406);
    assert_eq!(sources(&b), ["person.lastName", "person.salutation"]);
    let mut body = person_body();
    body["person"]["salutation"] = json!("x".repeat(25));
    body["note"] = json!(format!("{}😀", "x".repeat(998)));
    assert_eq!(post(&c, &sb, "/v1/contacts", &body).await.0, 201);
    assert_eq!(sb.contacts().len(), 1, "refused bodies stored nothing");

    // Not JSON at all → 400; no JSON content type → 415 (legacy), nothing stored.
    let resp = c
        .post(sb.url("/v1/contacts"))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = c
        .post(sb.url("/v1/contacts"))
        .bearer_auth(KEY)
        .header("Content-Type", "text/plain")
        .body(company_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let b: Value = resp.json().await.unwrap();
    assert!(b["requestId"].is_string());
    assert_eq!(b["IssueList"][0]["i18nKey"], "unsupported_media_type");
    assert_eq!(sb.contacts().len(), 1);
}

#[tokio::test]
async fn put_updates_conflicts_and_multi_entry_contacts() {
    let sb = Sandbox::start(cfg(0)).await.unwrap();
    let c = Client::new();
    let (_, b) = post(&c, &sb, "/v1/contacts", &company_body()).await;
    let id = created_id(&b);
    let path = format!("/v1/contacts/{id}");
    let (_, mut contact) = get(&c, &sb, &path).await;
    let created = b["createdDate"].clone();

    // PUT the whole contact back with a change: 200, version + 1, number kept.
    tokio::time::sleep(Duration::from_millis(5)).await;
    contact["company"]["name"] = json!("Nordlicht Software AG");
    contact["roles"]["customer"]["number"] = json!(1);
    let (s, headers, b) = send(&c, &sb, Method::PUT, &path, Some(&contact)).await;
    assert_eq!(s, 200, "{b}");
    assert!(headers.get("location").is_none());
    assert_eq!(b["id"], id.to_string());
    assert_eq!(b["version"], 2);
    assert_eq!(b["createdDate"], created);
    assert_ne!(b["updatedDate"], b["createdDate"]);
    let (_, got) = get(&c, &sb, &path).await;
    assert_eq!(got["company"]["name"], "Nordlicht Software AG");
    assert_eq!(got["roles"]["customer"]["number"], 10001);
    assert_eq!(got["version"], 2);

    // The same body again is stale now → 409.
    let (s, b) = put(&c, &sb, &path, &contact).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["IssueList"][0]["i18nKey"], "conflict");
    assert!(b["requestId"].is_string());

    // A web-app edit bumps the version: the client's fresh copy goes stale.
    let mut fresh = got.clone();
    let r = c
        .post(sb.url(&format!("/__sandbox/contacts/{id}")))
        .json(&json!({"name": "Nordlicht im Web"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["version"], 3);
    assert_eq!(edited["company"]["name"], "Nordlicht im Web");
    fresh["note"] = json!("neu");
    assert_eq!(put(&c, &sb, &path, &fresh).await.0, 409);
    fresh["version"] = json!(3);
    let (s, b) = put(&c, &sb, &path, &fresh).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["version"], 4);

    // Same validation as POST (version is the stored one, not 0).
    let mut bad = fresh.clone();
    bad["version"] = json!(4);
    bad["roles"] = json!({});
    let (s, b) = put(&c, &sb, &path, &bad).await;
    assert_eq!(s, 406);
    assert_eq!(sources(&b), ["roles.customer or roles.vendor"]);
    // Leaving a role out keeps it (numbers are read-only); adding one numbers it.
    let mut roles = fresh.clone();
    roles["version"] = json!(4);
    roles["roles"] = json!({"vendor": {}});
    assert_eq!(put(&c, &sb, &path, &roles).await.0, 200);
    let stored = sb.contacts().get(id).unwrap();
    assert_eq!(stored.customer_number(), Some(10001));
    assert_eq!(stored.vendor_number(), Some(70001));

    // Unknown id → 404, malformed id → 404, no JSON → 415, DELETE → gateway 403.
    let (s, b) = put(&c, &sb, &format!("/v1/contacts/{}", Uuid::new_v4()), &fresh).await;
    assert_eq!(s, 404);
    assert_eq!(b["IssueList"][0]["i18nKey"], "not_found");
    assert_eq!(put(&c, &sb, "/v1/contacts/nope", &fresh).await.0, 404);
    let r = c
        .put(sb.url(&path))
        .bearer_auth(KEY)
        .body(fresh.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let (s, _, _) = send(&c, &sb, Method::DELETE, &path, None).await;
    assert_eq!(s, 403);

    // A contact with two billing addresses (web-app edit) cannot be PUT,
    // even when the body carries only one.
    let two = sb.contacts().add_contact(
        Contact::company("Doppelt GmbH")
            .customer()
            .with_billing_address("A 1", "10115", "Berlin", "DE")
            .with_billing_address("B 2", "20095", "Hamburg", "DE"),
    );
    let (_, mut body) = get(&c, &sb, &format!("/v1/contacts/{}", two.id)).await;
    body["addresses"]["billing"] = json!([{"countryCode": "DE"}]);
    let (s, b) = put(&c, &sb, &format!("/v1/contacts/{}", two.id), &body).await;
    assert_eq!(s, 406, "{b}");
    assert_eq!(b["IssueList"][0]["i18nKey"], "invalid_value");
    assert_eq!(sources(&b), ["addresses.billing"]);
    let emails = sb.contacts().add_contact(
        Contact::person(None, "Eva", "Zwei")
            .customer()
            .with_email("a@x.de")
            .with_email("b@x.de"),
    );
    let (_, body) = get(&c, &sb, &format!("/v1/contacts/{}", emails.id)).await;
    let (s, b) = put(&c, &sb, &format!("/v1/contacts/{}", emails.id), &body).await;
    assert_eq!(s, 406);
    assert_eq!(sources(&b), ["emailAddresses.business"]);

    // The control plane can also make one: then PUT answers 406.
    let r = c
        .post(sb.url(&format!("/__sandbox/contacts/{id}")))
        .json(&json!({"phoneNumbers": {"mobile": ["1", "2"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, now) = get(&c, &sb, &path).await;
    let (s, b) = put(&c, &sb, &path, &now).await;
    assert_eq!(s, 406);
    assert_eq!(sources(&b), ["phoneNumbers.mobile"]);
    let r = c
        .post(sb.url(&format!("/__sandbox/contacts/{}", Uuid::new_v4())))
        .json(&json!({"note": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

fn article_body() -> Value {
    json!({ "title": "Fahrtkosten", "type": "SERVICE", "unitName": "km",
            "articleNumber": "L-100",
            "price": { "leadingPrice": "NET", "netPrice": 0.30, "taxRate": 19 } })
}

#[tokio::test]
async fn articles_list_filters_paging_create_and_404() {
    let sb = Sandbox::start(cfg(0)).await.unwrap();
    let c = Client::new();
    let (s, empty) = get(&c, &sb, "/v1/articles").await;
    assert_eq!(s, 200);
    assert_eq!(empty["totalElements"], 0);
    assert_eq!(empty["content"], json!([]));

    for i in 0..30 {
        sb.articles().add(
            Article::product(&format!("Material {i:02}"), "Stk.", d("1.50"), 19)
                .with_article_number(&format!("M-{i}")),
        );
    }
    let silikon = sb.articles().add(
        Article::product("Silikon, Kartusche", "Stk.", d("8.90"), 19).with_gtin("4006209123454"),
    );
    let (s, b) = post(&c, &sb, "/v1/articles", &article_body()).await;
    assert_eq!(s, 201, "{b}");
    assert_created_shape(&b);
    let fk = created_id(&b);
    assert!(b["resourceUri"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/v1/articles/{fk}")));

    let (s, a) = get(&c, &sb, &format!("/v1/articles/{fk}")).await;
    assert_eq!(s, 200);
    assert_eq!(a["title"], "Fahrtkosten");
    assert_eq!(a["type"], "SERVICE");
    assert_eq!(a["unitName"], "km");
    assert_eq!(a["archived"], false);
    assert_eq!(
        a["organizationId"],
        get(&c, &sb, "/v1/profile").await.1["organizationId"]
    );
    assert_eq!(
        a["price"],
        json!({"netPrice": 0.3, "grossPrice": 0.357,
                                  "leadingPrice": "NET", "taxRate": 19})
    );
    assert!(is_berlin_stamp(a["createdDate"].as_str().unwrap()));

    // Paging: 32 articles, default size 25, title order.
    let (_, p0) = get(&c, &sb, "/v1/articles").await;
    assert_eq!(p0["totalElements"], 32);
    assert_eq!(p0["numberOfElements"], 25);
    assert_eq!(p0["size"], 25);
    assert_eq!(
        (p0["first"].clone(), p0["last"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(p0["totalPages"], 2);
    assert_eq!(p0["content"][0]["title"], "Fahrtkosten");
    assert_eq!(p0["sort"][0]["property"], "title");
    let (_, p1) = get(&c, &sb, "/v1/articles?page=1&size=25").await;
    assert_eq!(p1["numberOfElements"], 7);
    assert_eq!(p1["last"], true);
    assert_eq!(p1["content"][6]["title"], "Silikon, Kartusche");
    let (_, big) = get(&c, &sb, "/v1/articles?size=1000").await;
    assert_eq!(big["size"], 250);

    // Filters.
    let (_, f) = get(&c, &sb, "/v1/articles?type=SERVICE").await;
    assert_eq!(f["totalElements"], 1);
    let (_, f) = get(&c, &sb, "/v1/articles?type=PRODUCT&size=5").await;
    assert_eq!(f["totalElements"], 31);
    let (_, f) = get(&c, &sb, "/v1/articles?articleNumber=M-7").await;
    assert_eq!(f["content"][0]["title"], "Material 07");
    assert_eq!(f["totalElements"], 1);
    let (_, f) = get(&c, &sb, "/v1/articles?gtin=4006209123454").await;
    assert_eq!(f["content"][0]["id"], silikon.id.to_string());
    let (_, f) = get(&c, &sb, "/v1/articles?gtin=4006209123454&type=SERVICE").await;
    assert_eq!(f["totalElements"], 0);
    let (s, f) = get(&c, &sb, "/v1/articles?type=WARE").await;
    assert_eq!(s, 400);
    assert_eq!(f["status"], 400);

    // 404 in the regular format.
    let (s, b) = get(&c, &sb, &format!("/v1/articles/{}", Uuid::new_v4())).await;
    assert_eq!(s, 404);
    assert_eq!(b["status"], 404);
    assert!(b["traceId"].is_string());
    assert_eq!(get(&c, &sb, "/v1/articles/x").await.0, 404);

    // Create: validation (406 regular), gross leading.
    let mut bad = article_body();
    bad["price"] = json!({"leadingPrice": "GROSS", "netPrice": 1, "taxRate": 16});
    bad.as_object_mut().unwrap().remove("unitName");
    let (s, b) = post(&c, &sb, "/v1/articles", &bad).await;
    assert_eq!(s, 406, "{b}");
    let fields: Vec<&str> = b["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["unitName", "price.taxRate", "price.grossPrice"]);
    let mut gross = article_body();
    gross["price"] = json!({"leadingPrice": "GROSS", "grossPrice": 11.9, "taxRate": 19});
    let (_, b) = post(&c, &sb, "/v1/articles", &gross).await;
    let a = sb.articles().get(created_id(&b)).unwrap();
    assert_eq!(a.price.net_price, d("10"));
    let r = c
        .post(sb.url("/v1/articles"))
        .bearer_auth(KEY)
        .body(article_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(sb.articles().len(), 33);

    // Control plane: add and list.
    let r = c
        .post(sb.url("/__sandbox/articles"))
        .json(
            &json!({"title": "Kleinmaterial", "type": "PRODUCT", "unitName": "pauschal",
                      "price": {"leadingPrice": "NET", "netPrice": 15, "taxRate": 19}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["title"], "Kleinmaterial");
    let r = c
        .post(sb.url("/__sandbox/articles"))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let all: Value = c
        .get(sb.url("/__sandbox/articles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 34);
}

#[tokio::test]
async fn demo_articles_seeded_on_request() {
    let sb = Sandbox::start(SandboxConfig {
        demo_articles: true,
        ..cfg(0)
    })
    .await
    .unwrap();
    let c = Client::new();
    let (_, list) = get(&c, &sb, "/v1/articles?size=250").await;
    let titles: Vec<&str> = list["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    for t in ["Fahrtkosten", "Kleinmaterial", "Silikon, Kartusche"] {
        assert!(titles.contains(&t), "{t} in {titles:?}");
    }
    assert!(Sandbox::start(cfg(0)).await.unwrap().articles().is_empty());
}

fn invoice_with_line(line: Value) -> Value {
    json!({
        "voucherDate": "2025-03-31T00:00:00.000+02:00",
        "address": { "name": "Nordlicht Software GmbH", "countryCode": "DE" },
        "lineItems": [ line ],
        "totalPrice": { "currency": "EUR" },
        "taxConditions": { "taxType": "net" },
        "shippingConditions": { "shippingType": "service",
                                "shippingDate": "2025-03-31T00:00:00.000+02:00" }
    })
}

#[tokio::test]
async fn invoice_lines_reference_known_articles_only() {
    let sb = Sandbox::start(cfg(0)).await.unwrap();
    let c = Client::new();
    let km = sb
        .articles()
        .add(Article::service("Fahrtkosten", "km", d("0.30"), 19));
    let silikon = sb.articles().add(Article::product(
        "Silikon, Kartusche",
        "Stk.",
        d("8.90"),
        19,
    ));
    let line = |t: &str, id: Uuid, name: &str, qty: f64, unit: &str, net: f64| {
        json!({ "type": t, "id": id.to_string(), "name": name, "quantity": qty,
                "unitName": unit,
                "unitPrice": { "currency": "EUR", "netAmount": net, "taxRatePercentage": 19 } })
    };

    // Known service and material articles: accepted, the line is what was sent.
    let mut body = invoice_with_line(line("service", km.id, "Anfahrt", 42.0, "km", 0.3));
    body["lineItems"].as_array_mut().unwrap().push(line(
        "material",
        silikon.id,
        "Silikon weiß",
        2.0,
        "Stk.",
        8.9,
    ));
    let (s, b) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(s, 201, "{b}");
    let (_, inv) = get(&c, &sb, &format!("/v1/invoices/{}", created_id(&b))).await;
    assert_eq!(inv["lineItems"][0]["id"], km.id.to_string());
    assert_eq!(inv["lineItems"][0]["type"], "service");
    assert_eq!(inv["lineItems"][0]["name"], "Anfahrt");
    assert_eq!(inv["lineItems"][1]["lineItemAmount"], json!(17.8));
    assert_eq!(inv["totalPrice"]["totalNetAmount"], json!(30.4));

    // Unknown article: 406 on lineItems[i].id, nothing stored.
    let unknown = Uuid::new_v4();
    let mut body = invoice_with_line(line("service", km.id, "Anfahrt", 1.0, "km", 0.3));
    body["lineItems"].as_array_mut().unwrap().push(line(
        "material",
        unknown,
        "Irgendwas",
        1.0,
        "Stk.",
        1.0,
    ));
    let (s, b) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(s, 406, "{b}");
    assert_eq!(b["details"][0]["field"], "lineItems[1].id");
    assert_eq!(b["details"].as_array().unwrap().len(), 1);
    assert_eq!(sb.invoices().len(), 1);

    // The article fills nothing in: unitPrice etc. are still required.
    let mut body = invoice_with_line(line("service", km.id, "Anfahrt", 1.0, "km", 0.3));
    body["lineItems"][0]
        .as_object_mut()
        .unwrap()
        .remove("unitPrice");
    let (s, b) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(s, 406);
    assert_eq!(b["details"][0]["field"], "lineItems[0].unitPrice");
    // Merged with other violations.
    let mut body = invoice_with_line(line("service", unknown, "Anfahrt", 1.0, "km", 0.3));
    body["lineItems"][0]
        .as_object_mut()
        .unwrap()
        .remove("unitName");
    let (s, b) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(s, 406);
    let fields: Vec<&str> = b["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"lineItems[0].id") && fields.contains(&"lineItems[0].unitName"),
        "{fields:?}"
    );
}
