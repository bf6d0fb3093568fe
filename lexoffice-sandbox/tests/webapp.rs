//! The read-only web-app pages (`/permalink/…`, `/vouchers`,
//! `/addons/public-api`) over HTTP.

use lexoffice_sandbox::webapp::{
    BANNER, CONTENT_SECURITY_POLICY, UNKNOWN_CONTACT, UNKNOWN_VOUCHER,
};
use lexoffice_sandbox::{Contact, Sandbox, SandboxConfig};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const KEY: &str = "geheimer-demo-schluessel-4711";

fn config() -> SandboxConfig {
    SandboxConfig {
        api_key: KEY.to_string(),
        bucket_capacity: 100_000,
        ..SandboxConfig::default()
    }
}

/// Net 850.00 + 74.13 = 924.13, USt 19 % 175.58, gross 1,099.71.
fn invoice_body(contact_id: Uuid) -> Value {
    json!({
      "voucherDate": "2025-03-31T00:00:00.000+02:00",
      "address": { "contactId": contact_id.to_string() },
      "lineItems": [
        { "type": "text", "name": "Projekt <Nordlicht> & Co", "description": "März 2025" },
        { "type": "custom", "name": "Backend-Entwicklung",
          "description": "Ticket ABC-12\nTicket ABC-19",
          "quantity": 10, "unitName": "Stunde",
          "unitPrice": { "currency": "EUR", "netAmount": 85, "taxRatePercentage": 19 } },
        { "type": "custom", "name": "Hosting-Pauschale März",
          "quantity": 1, "unitName": "Pauschal",
          "unitPrice": { "currency": "EUR", "netAmount": 74.13, "taxRatePercentage": 19 } }
      ],
      "totalPrice": { "currency": "EUR" },
      "taxConditions": { "taxType": "net" },
      "shippingConditions": { "shippingType": "serviceperiod",
        "shippingDate": "2025-03-03T00:00:00.000+01:00",
        "shippingEndDate": "2025-03-28T00:00:00.000+01:00" }
    })
}

async fn create_invoice(c: &Client, sb: &Sandbox, body: &Value) -> Uuid {
    let resp = c
        .post(sb.url("/v1/invoices"))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    Uuid::parse_str(v["id"].as_str().unwrap()).unwrap()
}

/// GET without any credentials; checks the page headers.
async fn page(c: &Client, sb: &Sandbox, path: &str) -> (StatusCode, String) {
    let resp = c.get(sb.url(path)).send().await.expect("request");
    let status = resp.status();
    let h = resp.headers();
    assert_eq!(h["content-type"], "text/html; charset=utf-8", "{path}");
    assert_eq!(
        h["content-security-policy"], CONTENT_SECURITY_POLICY,
        "{path}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
    let body = resp.text().await.unwrap();
    assert!(body.contains(BANNER), "{path}: banner missing");
    assert!(!body.contains("<script"), "{path}");
    assert!(!body.contains(KEY), "{path}: API key leaked");
    (status, body)
}

fn customer(sb: &Sandbox, name: &str) -> Contact {
    sb.contacts().add_contact(
        Contact::company(name)
            .customer()
            .with_billing_address("Hafenweg 7", "24103", "Kiel", "DE")
            .with_email("rechnung@nordlicht.example"),
    )
}

#[tokio::test]
async fn invoice_page_shows_the_stored_invoice() {
    let sb = Sandbox::start(config()).await.unwrap();
    let c = Client::new();
    let contact = customer(&sb, "Nordlicht Software GmbH");
    let id = create_invoice(&c, &sb, &invoice_body(contact.id)).await;

    let (status, html) = page(&c, &sb, &format!("/permalink/invoices/edit/{id}")).await;
    assert_eq!(status, 200);
    for needle in [
        "<h1>Rechnungsentwurf</h1>",
        "Entwurf",
        "31.03.2025",
        "Leistungszeitraum</dt><dd>03.03.2025 – 28.03.2025",
        "Nordlicht Software GmbH",
        "Hafenweg 7",
        "24103 Kiel",
        "Muster Handwerk GmbH",
        "Projekt &lt;Nordlicht&gt; &amp; Co",
        "Backend-Entwicklung",
        "Ticket ABC-12<br>Ticket ABC-19",
        "Hosting-Pauschale März",
        "Stunde",
        "85,00 €",
        "850,00 €",
        "74,13 €",
        "19 %",
        "Summe netto",
        "924,13 €",
        "Umsatzsteuer 19 %",
        "175,58 €",
        "Gesamtbetrag",
        "1.099,71 €",
        "Pos.",
        "Einzelpreis",
        &format!("/permalink/contacts/view/{}", contact.id),
    ] {
        assert!(html.contains(needle), "missing {needle:?} in\n{html}");
    }
    // The text item is a heading without a position number.
    assert!(html.contains("<tr class=\"heading\"><td></td>"));

    // view/ shows the same invoice; after finalizing it is "Rechnung RE1001".
    assert!(sb.finalize_invoice(id));
    let (status, html) = page(&c, &sb, &format!("/permalink/invoices/view/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Rechnung RE1001</h1>"), "{html}");
    assert!(html.contains("Offen"));
    assert!(html.contains("Fällig am"));
    assert!(html.contains("1.099,71 €"));
    let (status, html) = page(&c, &sb, &format!("/permalink/invoices/edit/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Rechnung RE1001"));
}

#[tokio::test]
async fn hostile_names_are_escaped() {
    let sb = Sandbox::start(config()).await.unwrap();
    let c = Client::new();
    let evil = "<img src=x onerror=alert(1)>";
    let contact = customer(&sb, evil);
    sb.contacts().update_contact(contact.id, |c| {
        c.email_addresses.business = vec!["\"x'@<b>.example".to_string()];
    });
    let mut body = invoice_body(contact.id);
    body["lineItems"][1]["name"] = json!("<script>alert('x')</script>");
    let id = create_invoice(&c, &sb, &body).await;

    let escaped = "&lt;img src=x onerror=alert(1)&gt;";
    for path in [
        format!("/permalink/invoices/edit/{id}"),
        format!("/permalink/contacts/view/{}", contact.id),
        "/vouchers".to_string(),
    ] {
        let (status, html) = page(&c, &sb, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(escaped), "{path}: {html}");
        assert!(!html.contains("<img"), "{path}");
    }
    let (_, html) = page(&c, &sb, &format!("/permalink/invoices/edit/{id}")).await;
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    let (_, html) = page(&c, &sb, &format!("/permalink/contacts/view/{}", contact.id)).await;
    assert!(html.contains("&quot;x&#39;@&lt;b&gt;.example"), "{html}");
}

#[tokio::test]
async fn contact_page_and_unknown_ids() {
    let sb = Sandbox::start(config()).await.unwrap();
    let c = Client::new();
    let contact = customer(&sb, "Nordlicht Software GmbH");
    let id = create_invoice(&c, &sb, &invoice_body(contact.id)).await;

    let (status, html) = page(&c, &sb, &format!("/permalink/contacts/view/{}", contact.id)).await;
    assert_eq!(status, 200);
    for needle in [
        "<h1>Nordlicht Software GmbH</h1>",
        "Kundennummer</dt><dd>10001",
        "Hafenweg 7",
        "24103 Kiel",
        "rechnung@nordlicht.example",
        &format!("/permalink/invoices/view/{id}"),
        "1.099,71 €",
    ] {
        assert!(html.contains(needle), "missing {needle:?} in\n{html}");
    }

    for path in [
        format!("/permalink/invoices/edit/{}", Uuid::new_v4()),
        format!("/permalink/invoices/view/{}", Uuid::new_v4()),
        "/permalink/invoices/edit/not-a-uuid".to_string(),
        "/permalink/invoices/edit/%3Cb%3E".to_string(),
        "/permalink/somewhere/else".to_string(),
    ] {
        let (status, html) = page(&c, &sb, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains(UNKNOWN_VOUCHER), "{path}");
        assert!(html.contains("href=\"/vouchers\""), "{path}");
    }
    let (status, html) = page(
        &c,
        &sb,
        &format!("/permalink/contacts/view/{}", Uuid::new_v4()),
    )
    .await;
    assert_eq!(status, 404);
    assert!(html.contains(UNKNOWN_CONTACT));

    // A deleted draft is gone from its page too.
    assert!(sb.delete_invoice(id));
    let (status, _) = page(&c, &sb, &format!("/permalink/invoices/edit/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn voucher_list_and_public_api_page() {
    let sb = Sandbox::start(config()).await.unwrap();
    let c = Client::new();
    let (status, html) = page(&c, &sb, "/vouchers").await;
    assert_eq!(status, 200);
    assert!(html.contains("Noch keine Belege"));

    let contact = customer(&sb, "Nordlicht Software GmbH");
    let first = create_invoice(&c, &sb, &invoice_body(contact.id)).await;
    let second = create_invoice(&c, &sb, &invoice_body(contact.id)).await;
    assert!(sb.finalize_invoice(second));
    let (status, html) = page(&c, &sb, "/vouchers").await;
    assert_eq!(status, 200);
    for needle in [
        format!("/permalink/invoices/view/{first}"),
        format!("/permalink/invoices/view/{second}"),
        "Nordlicht Software GmbH".to_string(),
        "31.03.2025".to_string(),
        "Entwurf".to_string(),
        "RE1001".to_string(),
        "Offen".to_string(),
        "1.099,71 €".to_string(),
    ] {
        assert!(html.contains(&needle), "missing {needle:?} in\n{html}");
    }

    let (status, html) = page(&c, &sb, "/addons/public-api").await;
    assert_eq!(status, 200);
    assert!(html.contains("kein Schlüssel nötig"), "{html}");
    assert!(!html.contains("sandbox-key"));
}

#[tokio::test]
async fn pages_take_no_tokens_and_are_not_recorded() {
    // Two tokens, no refill: one for the POST, one left for the final GET.
    let sb = Sandbox::start(SandboxConfig {
        api_key: KEY.to_string(),
        bucket_capacity: 2,
        refill_per_sec: 0.0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new();
    let contact = customer(&sb, "Nordlicht Software GmbH");
    let id = create_invoice(&c, &sb, &invoice_body(contact.id)).await;
    assert_eq!(sb.requests().len(), 1);

    for _ in 0..5 {
        for path in [
            format!("/permalink/invoices/edit/{id}"),
            format!("/permalink/invoices/view/{id}"),
            format!("/permalink/contacts/view/{}", contact.id),
            format!("/permalink/invoices/edit/{}", Uuid::new_v4()),
            "/addons/public-api".to_string(),
            "/vouchers".to_string(),
        ] {
            let (status, _) = page(&c, &sb, &path).await;
            assert!(status == 200 || status == 404, "{path}: {status}");
        }
    }
    let recorded: Vec<String> = sb.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(recorded, ["/v1/invoices"]);

    // The second token is still there.
    let resp = c
        .get(sb.url(&format!("/v1/invoices/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = c
        .get(sb.url(&format!("/v1/invoices/{id}")))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(sb.requests().len(), 3);

    // The API itself is unchanged: /v1 paths never reach the pages.
    let resp = c
        .get(sb.url("/v1/permalink/invoices/edit/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["content-type"], "application/json");
}
