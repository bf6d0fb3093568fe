//! The shiftable sandbox clock: `SandboxConfig::clock_offset_secs`,
//! `POST/GET /__sandbox/clock`, `Sandbox::set_clock_offset`, and the `Date`
//! header on every response.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use chrono_tz::Europe::Berlin;
use lexoffice_sandbox::{Fault, Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::Client;
use serde_json::{json, Value};
use uuid::Uuid;

const KEY: &str = "sandbox-key";

fn config(offset: i64) -> SandboxConfig {
    SandboxConfig {
        bucket_capacity: 100_000,
        clock_offset_secs: offset,
        ..SandboxConfig::default()
    }
}

fn invoice_body() -> Value {
    json!({
      "voucherDate": "2025-03-31T00:00:00.000+02:00",
      "address": { "name": "Nordlicht Software GmbH", "countryCode": "DE" },
      "lineItems": [{ "type": "custom", "name": "Leistung", "quantity": 1, "unitName": "Stunde",
        "unitPrice": { "currency": "EUR", "netAmount": 100, "taxRatePercentage": 19 } }],
      "totalPrice": { "currency": "EUR" },
      "taxConditions": { "taxType": "net" },
      "shippingConditions": { "shippingType": "none" }
    })
}

/// `GET path` with the sandbox key.
async fn authed_get(c: &Client, sb: &Sandbox, path: &str) -> reqwest::Response {
    c.get(sb.url(path)).bearer_auth(KEY).send().await.unwrap()
}

/// The one `Date` header, parsed (RFC 7231 IMF-fixdate).
fn date_header(h: &HeaderMap) -> DateTime<Utc> {
    let all: Vec<_> = h.get_all("date").iter().collect();
    assert_eq!(all.len(), 1, "exactly one Date header: {all:?}");
    let text = all[0].to_str().unwrap();
    assert!(text.ends_with(" GMT") && text.len() == 29, "{text}");
    DateTime::parse_from_rfc2822(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

fn stamp(s: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s.as_str().unwrap_or_else(|| panic!("not a string: {s}"))).unwrap()
}

/// `t - real now` is `expected` seconds, allowing a few seconds.
fn assert_ahead(t: DateTime<Utc>, expected: i64, what: &str) {
    let d = (t - Utc::now()).num_seconds();
    assert!(
        (expected - 5..=expected + 2).contains(&d),
        "{what}: {d} s instead of {expected} s"
    );
}

async fn post_invoice(c: &Client, sb: &Sandbox, query: &str) -> (HeaderMap, Value) {
    let r = c
        .post(sb.url(&format!("/v1/invoices{query}")))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body(invoice_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let h = r.headers().clone();
    (h, r.json().await.unwrap())
}

#[tokio::test]
async fn offset_shifts_dates_and_the_date_header() {
    let sb = Sandbox::start(config(1800)).await.unwrap();
    let c = Client::new();
    assert_eq!(sb.clock_offset(), 1800);
    assert_ahead(sb.now(), 1800, "Sandbox::now");

    // 200: Date header and createdDate/updatedDate 30 minutes ahead.
    let (h, created) = post_invoice(&c, &sb, "").await;
    assert_ahead(date_header(&h), 1800, "Date of the 201");
    assert_ahead(stamp(&created["createdDate"]).to_utc(), 1800, "createdDate");
    assert_eq!(created["updatedDate"], created["createdDate"]);
    let id = created["id"].as_str().unwrap();
    let r = authed_get(&c, &sb, &format!("/v1/invoices/{id}")).await;
    assert_ahead(date_header(r.headers()), 1800, "Date of the GET");
    let inv: Value = r.json().await.unwrap();
    assert_eq!(inv["createdDate"], created["createdDate"]);

    // Regular error body: timestamp from the shifted clock too.
    let r = authed_get(&c, &sb, &format!("/v1/invoices/{}", Uuid::new_v4())).await;
    assert_eq!(r.status(), 404);
    assert_ahead(date_header(r.headers()), 1800, "Date of the 404");
    let err: Value = r.json().await.unwrap();
    assert_ahead(stamp(&err["timestamp"]).to_utc(), 1800, "error timestamp");

    // Gateway 403/401, an injected fault, an injected 429, the control plane
    // and a web-app page: all carry the shifted Date.
    let r = c.get(sb.url("/v1/nothing")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_ahead(date_header(r.headers()), 1800, "403");
    let r = c.get(sb.url("/v1/profile")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_ahead(date_header(r.headers()), 1800, "401");
    sb.inject(Fault::Status(503), 1);
    let r = authed_get(&c, &sb, "/v1/profile").await;
    assert_eq!(r.status(), 503);
    assert_ahead(date_header(r.headers()), 1800, "503 fault");
    sb.inject(Fault::Status(429), 1);
    let r = authed_get(&c, &sb, "/v1/profile").await;
    assert_eq!(r.status(), 429);
    assert_ahead(date_header(r.headers()), 1800, "429");
    let err: Value = r.json().await.unwrap();
    assert_ahead(stamp(&err["timestamp"]).to_utc(), 1800, "429 timestamp");
    let r = c.get(sb.url("/__sandbox/clock")).send().await.unwrap();
    assert_ahead(date_header(r.headers()), 1800, "control plane");
    let clock: Value = r.json().await.unwrap();
    assert_eq!(clock["offsetSeconds"], 1800);
    assert_ahead(stamp(&clock["now"]).to_utc(), 1800, "clock now");
    let r = c.get(sb.url("/vouchers")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_ahead(date_header(r.headers()), 1800, "web-app page");
}

#[tokio::test]
async fn clock_control_plane_and_overdue_today() {
    let sb = Sandbox::start(config(0)).await.unwrap();
    let c = Client::new();
    let ctl = |p: &str| sb.url(&format!("/__sandbox{p}"));
    let r = c.get(ctl("/clock")).send().await.unwrap();
    assert_ahead(date_header(r.headers()), 0, "no offset");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["offsetSeconds"], 0);

    // Shift one day back: new invoices are created "yesterday".
    let r = c
        .post(ctl("/clock"))
        .body(r#"{"offsetSeconds":-86400}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ahead(date_header(r.headers()), -86_400, "Date after POST clock");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["offsetSeconds"], -86_400);
    assert_eq!(sb.clock_offset(), -86_400);
    let (h, created) = post_invoice(&c, &sb, "?finalize=true").await;
    assert_ahead(date_header(&h), -86_400, "Date of the 201");
    assert_ahead(
        stamp(&created["createdDate"]).to_utc(),
        -86_400,
        "createdDate",
    );
    let id = created["id"].as_str().unwrap().to_string();
    let yesterday = (Utc::now() - Duration::days(1))
        .with_timezone(&Berlin)
        .date_naive();
    let list = |q: String| {
        let c = c.clone();
        let url = sb.url(&format!(
            "/v1/voucherlist?voucherType=invoice&voucherStatus={q}"
        ));
        async move {
            let v: Value = c
                .get(url)
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        }
    };
    let v = list(format!(
        "any&createdDateFrom={yesterday}&createdDateTo={yesterday}"
    ))
    .await;
    assert_eq!(v["totalElements"], 1, "{v}");

    // Due on the sandbox's today (Berlin): open, not overdue; two days later
    // by the clock it is overdue.
    let today = sb.now().with_timezone(&Berlin).date_naive();
    let r = c
        .post(ctl(&format!("/invoices/{id}/due")))
        .body(json!({ "dueDate": today.to_string() }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v = list("open".into()).await;
    assert_eq!(v["content"][0]["id"], id.as_str(), "{v}");
    assert_eq!(v["content"][0]["voucherStatus"], "open");
    sb.set_clock_offset(86_400);
    let v = list("overdue".into()).await;
    assert_eq!(v["content"][0]["id"], id.as_str(), "{v}");
    assert_eq!(v["content"][0]["voucherStatus"], "overdue");
    assert_eq!(list("open".into()).await["totalElements"], 0);

    // Bad requests.
    for body in [
        "",
        "{}",
        r#"{"offsetSeconds":"1800"}"#,
        r#"{"offsetSeconds":1.5}"#,
    ] {
        let r = c.post(ctl("/clock")).body(body).send().await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
    }
    assert_eq!(sb.clock_offset(), 86_400);
}

#[test]
fn start_in_thread_uses_the_configured_offset() {
    let sb = Sandbox::start_in_thread(config(-3600)).unwrap();
    let r = reqwest::blocking::Client::new()
        .get(sb.url("/v1/profile"))
        .bearer_auth(KEY)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ahead(date_header(r.headers()), -3600, "Date");
}
