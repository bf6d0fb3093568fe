//! End-to-end tests of the sandbox over HTTP (in-process server).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use lexoffice_sandbox::{Contact, Fault, Sandbox, SandboxConfig};
use reqwest::{Client, StatusCode};
use serde_json::Value;

const KEY: &str = "sandbox-key";

fn unlimited(contacts: usize) -> SandboxConfig {
    SandboxConfig {
        contacts,
        bucket_capacity: 100_000,
        ..SandboxConfig::default()
    }
}

async fn get(
    client: &Client,
    sb: &Sandbox,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let resp = client
        .get(sb.url(path))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.expect("body"))
}

async fn get_json(client: &Client, sb: &Sandbox, path: &str) -> (StatusCode, Value) {
    let (status, headers, body) = get(client, sb, path).await;
    assert_eq!(headers["content-type"], "application/json", "{path}");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn assert_regular(body: &Value, status: u16, path: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["path"], path, "{body}");
    assert!(
        body["error"].is_string() && body["message"].is_string(),
        "{body}"
    );
    assert!(
        body["traceId"].is_string() && body["requestId"].is_string(),
        "{body}"
    );
    let ts = body["timestamp"].as_str().unwrap_or_default();
    // yyyy-MM-ddTHH:mm:ss.SSS+hh:mm, Berlin offsets only.
    assert_eq!(ts.len(), 29, "{ts}");
    assert_eq!(&ts[10..11], "T");
    assert_eq!(&ts[19..20], ".");
    assert!(ts.ends_with("+01:00") || ts.ends_with("+02:00"), "{ts}");
}

fn assert_legacy(body: &Value, key: &str) {
    assert!(body["requestId"].is_string(), "{body}");
    assert_eq!(body["IssueList"][0]["i18nKey"], key, "{body}");
    assert!(body["IssueList"][0]["type"].is_string(), "{body}");
}

#[tokio::test]
async fn profile_shape_and_runtime_changes() {
    let sb = Sandbox::start(unlimited(0)).await.unwrap();
    let c = Client::new();
    let (status, p) = get_json(&c, &sb, "/v1/profile").await;
    assert_eq!(status, 200);
    for k in ["organizationId", "connectionId"] {
        assert!(uuid::Uuid::parse_str(p[k].as_str().unwrap()).is_ok(), "{k}");
    }
    assert_eq!(p["companyName"], "Muster Handwerk GmbH");
    for k in ["userId", "userName", "userEmail", "date"] {
        assert!(p["created"][k].is_string(), "created.{k}");
    }
    assert!(p["features"].is_array());
    assert_eq!(p["businessFeatures"][0], "INVOICING");
    assert_eq!(p["subscriptionStatus"], "active");
    assert_eq!(p["taxType"], "net");
    assert_eq!(p["smallBusiness"], false);

    sb.set_company_name("Nord & Süd UG");
    sb.set_small_business(true);
    let (_, p2) = get_json(&c, &sb, "/v1/profile").await;
    assert_eq!(p2["companyName"], "Nord & Süd UG");
    assert_eq!(p2["smallBusiness"], true);
    assert_eq!(p2["organizationId"], p["organizationId"]);
}

#[tokio::test]
async fn auth_401_and_gateway_403() {
    let sb = Sandbox::start(SandboxConfig {
        revoked_keys: vec!["old-key".into()],
        ..unlimited(0)
    })
    .await
    .unwrap();
    let c = Client::new();
    let url = sb.url("/v1/profile");
    let unauthorized = serde_json::json!({"message": "Unauthorized"});

    let cases: Vec<(&str, Option<&str>)> = vec![
        ("missing", None),
        ("wrong key", Some("Bearer nope")),
        ("revoked", Some("Bearer old-key")),
        ("other scheme", Some("Basic c2FuZGJveC1rZXk=")),
        ("bare key", Some(KEY)),
        ("empty bearer", Some("Bearer ")),
    ];
    for (what, header) in cases {
        let mut req = c.get(&url);
        if let Some(h) = header {
            req = req.header("Authorization", h);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{what}");
        assert_eq!(resp.headers()["content-type"], "application/json");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body, unauthorized, "{what}");
    }

    // Unknown route / wrong method: gateway 403, before authentication.
    let resp = c.get(sb.url("/v1/invoices")).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["message"], "Missing Authentication Token");

    let resp = c
        .post(sb.url("/v1/profile"))
        .header("Authorization", "Bearer client-sent")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["message"],
        "'client-sent' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer client-sent'."
    );

    // The configured key never appears in a response the sandbox makes up.
    for r in ["/v1/profile", "/v1/nope", "/v1/contacts?name=ab"] {
        let text = c
            .get(sb.url(r))
            .header("Authorization", "Bearer wrong")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains(KEY), "{r}: {text}");
    }

    let statuses: Vec<u16> = sb.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses[..6], [401; 6]);
    assert_eq!(statuses[6..8], [403, 403]);
}

#[tokio::test]
async fn rate_limit_burst_and_recovery() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let c = Client::new();
    // Failed auth does not consume tokens.
    for _ in 0..3 {
        let r = c.get(sb.url("/v1/profile")).send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    let mut statuses = Vec::new();
    let mut last_body = String::new();
    for _ in 0..5 {
        let (s, h, body) = get(&c, &sb, "/v1/profile").await;
        assert_eq!(h["content-type"], "application/json");
        assert!(h.get("retry-after").is_none());
        statuses.push(s.as_u16());
        last_body = body;
    }
    assert_eq!(statuses, [200, 200, 429, 429, 429]);
    let body: Value = serde_json::from_str(&last_body).unwrap();
    assert_regular(&body, 429, "/v1/profile");
    assert_eq!(body["error"], "Too Many Requests");

    tokio::time::sleep(Duration::from_millis(550)).await;
    let (s1, _, _) = get(&c, &sb, "/v1/contacts").await;
    let (s2, _, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(
        (s1.as_u16(), s2.as_u16()),
        (200, 429),
        "one token per 0.5 s, shared by all endpoints"
    );

    // A paced client at ~1.8 req/s never sees a 429.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for _ in 0..4 {
        let (s, _, _) = get(&c, &sb, "/v1/profile").await;
        assert_eq!(s, 200);
        tokio::time::sleep(Duration::from_millis(560)).await;
    }
}

#[tokio::test]
async fn rate_limit_retry_after_and_capacity() {
    let sb = Sandbox::start(SandboxConfig {
        bucket_capacity: 5,
        retry_after: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new();
    let mut ok = 0;
    for _ in 0..5 {
        let (s, _, _) = get(&c, &sb, "/v1/profile").await;
        ok += (s == 200) as u32;
    }
    assert_eq!(ok, 5);
    let (s, h, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 429);
    assert_eq!(h["retry-after"], "1");
    sb.reset_rate_limit();
    let (s, _, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn rate_limited_requests_have_no_side_effects() {
    let sb = Sandbox::start(SandboxConfig {
        bucket_capacity: 1,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new();
    let (s, _, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 200);
    sb.inject(Fault::Status(503), 1);
    let (s, _, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 429);
    assert_eq!(
        sb.pending_faults(),
        vec![(Fault::Status(503), 1)],
        "429 consumed no fault"
    );
    tokio::time::sleep(Duration::from_millis(550)).await;
    let (s, _, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 503);
    assert!(sb.pending_faults().is_empty());

    // An injected 429 does not take a token.
    tokio::time::sleep(Duration::from_millis(550)).await;
    sb.inject(Fault::Status(429), 2);
    for _ in 0..2 {
        let (s, _, body) = get(&c, &sb, "/v1/profile").await;
        assert_eq!(s, 429);
        assert_regular(&serde_json::from_str(&body).unwrap(), 429, "/v1/profile");
    }
    let (s, _, _) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn contacts_paging_612() {
    let sb = Sandbox::start(unlimited(612)).await.unwrap();
    let c = Client::new();
    let mut ids = HashSet::new();
    let mut names = Vec::new();
    let expected = [(250, true, false), (250, false, false), (112, false, true)];
    for (page, (n, first, last)) in expected.iter().enumerate() {
        let (s, body) = get_json(&c, &sb, &format!("/v1/contacts?page={page}&size=250")).await;
        assert_eq!(s, 200);
        assert_eq!(body["numberOfElements"], *n);
        assert_eq!(body["content"].as_array().unwrap().len(), *n);
        assert_eq!(body["first"], *first);
        assert_eq!(body["last"], *last);
        assert_eq!(body["totalPages"], 3);
        assert_eq!(body["totalElements"], 612);
        assert_eq!(body["size"], 250);
        assert_eq!(body["number"], page);
        assert_eq!(body["sort"][0]["property"], "name");
        assert_eq!(body["sort"][0]["direction"], "ASC");
        assert_eq!(body["sort"][0]["ascending"], true);
        for contact in body["content"].as_array().unwrap() {
            assert!(ids.insert(contact["id"].as_str().unwrap().to_string()));
            let name = contact["company"]["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!(
                        "{} {}",
                        contact["person"]["firstName"].as_str().unwrap_or_default(),
                        contact["person"]["lastName"].as_str().unwrap_or_default()
                    )
                });
            names.push(name.to_lowercase());
        }
    }
    assert_eq!(ids.len(), 612);
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "sorted by name");

    // Default size, size cap, page past the end.
    let (_, body) = get_json(&c, &sb, "/v1/contacts").await;
    assert_eq!(
        (body["size"].as_u64(), body["numberOfElements"].as_u64()),
        (Some(25), Some(25))
    );
    assert_eq!(body["totalPages"], 25);
    let (_, body) = get_json(&c, &sb, "/v1/contacts?size=1000").await;
    assert_eq!(body["size"], 250);
    assert_eq!(body["numberOfElements"], 250);
    let (s, body) = get_json(&c, &sb, "/v1/contacts?page=7&size=250").await;
    assert_eq!(s, 200);
    assert_eq!(body["content"], serde_json::json!([]));
    assert_eq!(body["last"], true);
    assert_eq!(body["first"], false);
    assert_eq!(body["number"], 7);
    assert_eq!(body["numberOfElements"], 0);
    assert_eq!(body["totalElements"], 612);
}

#[tokio::test]
async fn contacts_filters() {
    let sb = Sandbox::start(unlimited(300)).await.unwrap();
    let c = Client::new();
    let all = sb.contacts().all();
    let count = |q: &str| {
        let c = c.clone();
        let url = format!("/v1/contacts?size=250&{q}");
        let sb = &sb;
        async move {
            let (s, body) = get_json(&c, sb, &url).await;
            assert_eq!(s, 200, "{url}: {body}");
            body["totalElements"].as_u64().unwrap() as usize
        }
    };

    let customers = all.iter().filter(|c| c.roles.customer.is_some()).count();
    assert_eq!(count("customer=true").await, customers);
    assert_eq!(count("customer=false").await, all.len() - customers);
    let vendor_only = all
        .iter()
        .filter(|c| c.roles.customer.is_none() && c.roles.vendor.is_some())
        .count();
    assert!(vendor_only > 0);
    assert_eq!(count("customer=false&vendor=true").await, vendor_only);
    let archived = all.iter().filter(|c| c.archived).count();
    assert!(archived > 0);
    assert_eq!(count("").await, all.len(), "archived contacts are included");

    assert_eq!(count("number=10001").await, 1);
    assert_eq!(count("number=70001").await, 1);
    assert_eq!(count("number=99999").await, 0);

    // Name: case-insensitive substring; wildcards; HTML-encoded '&'.
    let amp = all
        .iter()
        .filter(|c| c.display_name().contains('&'))
        .count();
    assert!(amp > 0);
    assert_eq!(count("name=%26amp%3B").await, amp);
    let gmbh = all
        .iter()
        .filter(|c| c.display_name().to_lowercase().contains("gmbh"))
        .count();
    assert_eq!(count("name=GMBH").await, gmbh);
    assert_eq!(count("name=g_bh").await, gmbh);
    let mueller = all
        .iter()
        .filter(|c| c.display_name().to_lowercase().contains("müller"))
        .count();
    assert_eq!(count("name=m%C3%BCller").await, mueller);
    assert!(count("name=m_ller").await >= mueller);

    // Email: any address incl. contact persons.
    let person_mail = all
        .iter()
        .find_map(|c| {
            c.company
                .as_ref()?
                .contact_persons
                .first()?
                .email_address
                .clone()
        })
        .unwrap();
    assert!(count(&format!("email={}", person_mail)).await >= 1);
    let with_mail = all
        .iter()
        .filter(|c| {
            c.email_addresses.iter().next().is_some()
                || c.company
                    .as_ref()
                    .is_some_and(|co| co.contact_persons.iter().any(|p| p.email_address.is_some()))
        })
        .count();
    assert_eq!(count("email=.example").await, with_mail);

    // AND of filters.
    let both = all
        .iter()
        .filter(|c| c.roles.customer.is_some() && c.display_name().to_lowercase().contains("gmbh"))
        .count();
    assert_eq!(count("customer=true&name=gmbh").await, both);

    // Legacy 400 for too short / too long search strings and bad booleans.
    for q in [
        "name=ab".to_string(),
        "email=x".to_string(),
        format!("name={}", "a".repeat(129)),
        "customer=yes".to_string(),
        "number=abc".to_string(),
    ] {
        let (s, body) = get_json(&c, &sb, &format!("/v1/contacts?{q}")).await;
        assert_eq!(s, 400, "{q}");
        assert_legacy(&body, "bad_request_error");
    }
    let (_, body) = get_json(&c, &sb, "/v1/contacts?name=ab").await;
    assert_eq!(
        body["IssueList"][0]["source"],
        "size must be between 3 and 128"
    );
}

#[tokio::test]
async fn contact_by_id_and_store_mutation() {
    let sb = Sandbox::start(unlimited(20)).await.unwrap();
    let c = Client::new();
    let first = sb.contacts().all().remove(0);
    let (s, body) = get_json(&c, &sb, &format!("/v1/contacts/{}", first.id)).await;
    assert_eq!(s, 200);
    assert_eq!(body, first.to_json());
    assert_eq!(
        body["organizationId"],
        sb.profile().organization_id.to_string()
    );

    for bad in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".to_string()] {
        let (s, body) = get_json(&c, &sb, &format!("/v1/contacts/{bad}")).await;
        assert_eq!(s, 404);
        assert_legacy(&body, "not_found");
    }

    let added = sb.contacts().add_contact(
        Contact::company("Aaa Testbau GmbH")
            .customer()
            .with_billing_address("Hafenweg 7", "24103", "Kiel", "DE")
            .with_email("rechnung@aaa.example"),
    );
    let highest_seeded = sb
        .contacts()
        .all()
        .iter()
        .filter(|c| c.id != added.id)
        .filter_map(Contact::customer_number)
        .max();
    assert_eq!(added.customer_number(), highest_seeded.map(|n| n + 1));
    let (_, body) = get_json(&c, &sb, "/v1/contacts?size=1").await;
    assert_eq!(body["content"][0]["id"], added.id.to_string());
    assert_eq!(body["totalElements"], 21);

    let updated = sb
        .contacts()
        .update_contact(added.id, |c| c.note = Some("geändert".into()))
        .unwrap();
    assert_eq!(updated.version, added.version + 1);
    sb.contacts().archive(added.id);
    let (_, body) = get_json(&c, &sb, &format!("/v1/contacts/{}", added.id)).await;
    assert_eq!(body["archived"], true);
    assert_eq!(body["version"], added.version + 2);
    assert_eq!(body["note"], "geändert");

    sb.contacts().remove(added.id);
    let (s, _) = get_json(&c, &sb, &format!("/v1/contacts/{}", added.id)).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn status_faults_have_documented_bodies() {
    let sb = Sandbox::start(unlimited(3)).await.unwrap();
    let c = Client::new();
    for status in [401u16, 402, 403, 404, 406, 409, 415, 429, 500, 503, 504] {
        for path in ["/v1/profile", "/v1/contacts"] {
            sb.inject(Fault::Status(status), 1);
            let (s, h, text) = get(&c, &sb, path).await;
            assert_eq!(s.as_u16(), status, "{path}");
            assert_eq!(h["content-type"], "application/json");
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            match status {
                401 => assert_eq!(body, serde_json::json!({"message": "Unauthorized"})),
                500 => assert_eq!(
                    body,
                    serde_json::json!({"message": "Internal server error or rate limit exceeded"})
                ),
                503 => assert!(text.is_empty()),
                504 => assert_eq!(
                    body,
                    serde_json::json!({"message": "Endpoint request timed out"})
                ),
                402 | 403 | 429 => assert_regular(&body, status, path),
                _ if path == "/v1/profile" => assert_regular(&body, status, path),
                _ => assert!(
                    body["requestId"].is_string() && body["IssueList"].is_array(),
                    "{body}"
                ),
            }
        }
    }
    // Count: the next N requests, then normal again.
    sb.inject(Fault::Status(503), 2);
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(get(&c, &sb, "/v1/profile").await.0.as_u16());
    }
    assert_eq!(seen, [503, 503, 200]);
    sb.inject(Fault::Status(500), 5);
    sb.clear_faults();
    assert_eq!(get(&c, &sb, "/v1/profile").await.0, 200);

    let recs = sb.requests();
    let faulted = recs.iter().filter(|r| r.fault.is_some()).count();
    assert_eq!(faulted, 22 + 2);
    assert_eq!(recs.last().map(|r| r.status), Some(200));
}

#[tokio::test]
async fn delay_drop_malformed_empty_faults() {
    let sb = Sandbox::start(unlimited(5)).await.unwrap();
    let c = Client::new();

    sb.inject(Fault::Delay(Duration::from_millis(400)), 1);
    let t = Instant::now();
    let (s, body) = get_json(&c, &sb, "/v1/profile").await;
    assert!(t.elapsed() >= Duration::from_millis(400));
    assert_eq!(s, 200);
    assert_eq!(body["companyName"], "Muster Handwerk GmbH");
    // Timeouts on the client side work against it.
    sb.inject(Fault::Delay(Duration::from_millis(2000)), 1);
    let r = c
        .get(sb.url("/v1/profile"))
        .bearer_auth(KEY)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()));

    sb.inject(Fault::DropConnection, 1);
    let fresh = Client::new();
    let r = fresh
        .get(sb.url("/v1/contacts"))
        .bearer_auth(KEY)
        .send()
        .await;
    let err = r.expect_err("connection must be dropped");
    assert!(!err.is_timeout() && err.status().is_none(), "{err:?}");
    let rec = sb.requests().pop().unwrap();
    assert_eq!((rec.status, rec.fault.as_deref()), (0, Some("drop")));
    // The server keeps serving.
    assert_eq!(get(&fresh, &sb, "/v1/profile").await.0, 200);

    sb.inject(Fault::MalformedJson, 1);
    let (s, h, text) = get(&c, &sb, "/v1/contacts").await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "application/json");
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    sb.inject(Fault::EmptyBody, 1);
    let (s, h, text) = get(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "application/json");
    assert!(text.is_empty());
}

#[tokio::test]
async fn control_plane_over_http() {
    let sb = Sandbox::start(SandboxConfig {
        bucket_capacity: 1,
        refill_per_sec: 0.0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new();
    let ctl = |p: &str| sb.url(&format!("/__sandbox{p}"));

    // Unauthenticated and not rate limited (bucket of 1 that never refills).
    for body in [
        r#"{"status":503,"count":2}"#,
        r#"{"delay_ms":10,"count":1}"#,
        r#"{"kind":"malformed","count":1}"#,
    ] {
        let r = c.post(ctl("/faults")).body(body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{body}");
    }
    let listed: Value = c
        .get(ctl("/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["faults"].as_array().unwrap().len(), 3);
    assert_eq!(
        listed["faults"][0],
        serde_json::json!({"fault": "503", "remaining": 2})
    );
    let r = c
        .post(ctl("/faults"))
        .body(r#"{"status":200}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = c.delete(ctl("/faults")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(sb.pending_faults().is_empty());

    let r = c
        .post(ctl("/profile"))
        .json(&serde_json::json!({"companyName": "Kleinbetrieb Ost", "smallBusiness": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, p) = get_json(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 200);
    assert_eq!(p["companyName"], "Kleinbetrieb Ost");
    assert_eq!(p["smallBusiness"], true);
    let (s, _) = get_json(&c, &sb, "/v1/profile").await;
    assert_eq!(s, 429);

    let reqs: Value = c
        .get(ctl("/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reqs = reqs.as_array().unwrap();
    assert_eq!(reqs.len(), 2, "control-plane calls are not recorded");
    assert_eq!(reqs[0]["method"], "GET");
    assert_eq!(reqs[0]["path"], "/v1/profile");
    assert_eq!(reqs[0]["status"], 200);
    assert_eq!(reqs[1]["status"], 429);
    assert!(reqs[1]["elapsedMs"].as_f64().unwrap() >= reqs[0]["elapsedMs"].as_f64().unwrap());

    let r = c.post(ctl("/rate-limit/reset")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(get_json(&c, &sb, "/v1/profile").await.0, 200);
    let r = c.get(ctl("/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[test]
fn start_in_thread_for_sync_tests() {
    let sb = Sandbox::start_in_thread(SandboxConfig {
        contacts: 10,
        ..SandboxConfig::default()
    })
    .unwrap();
    assert!(sb.base_url.starts_with("http://127.0.0.1:"));
    let c = reqwest::blocking::Client::new();
    let r = c
        .get(sb.url("/v1/contacts"))
        .bearer_auth(KEY)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().unwrap();
    assert_eq!(body["totalElements"], 10);
    let addr = sb.addr;
    sb.shutdown();
    assert!(c
        .get(format!("http://{addr}/v1/profile"))
        .timeout(Duration::from_secs(2))
        .send()
        .is_err());
}
