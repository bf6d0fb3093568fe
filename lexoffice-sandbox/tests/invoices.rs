//! Invoices, voucher list and the invoice-related faults (docs/lexoffice.md › Creating an invoice, Reading an invoice, the voucher list,
//! and the invoice items of the checklist in lexoffice-sandbox/README.md).

use std::str::FromStr;

use lexoffice_sandbox::{
    price_invoice, Contact, ContactPerson, Fault, Rejection, Sandbox, SandboxConfig,
};
use reqwest::{Client, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

const KEY: &str = "sandbox-key";

fn unlimited() -> SandboxConfig {
    SandboxConfig {
        bucket_capacity: 100_000,
        ..SandboxConfig::default()
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A JSON number as Decimal (exact for what the sandbox sends).
fn num(v: &Value) -> Decimal {
    let n = v.as_number().unwrap_or_else(|| panic!("not a number: {v}"));
    Decimal::from_str(&n.to_string())
        .or_else(|_| Decimal::from_scientific(&n.to_string()))
        .unwrap()
}

/// A typical draft request (docs/lexoffice.md › Creating an invoice), with a one-time address unless a contact id
/// is given.
fn reference_body(contact_id: Option<Uuid>) -> Value {
    let address = match contact_id {
        Some(id) => json!({ "contactId": id.to_string() }),
        None => json!({ "name": "Nordlicht Software GmbH", "street": "Hafenweg 7",
                        "zip": "24103", "city": "Kiel", "countryCode": "DE" }),
    };
    json!({
      "voucherDate": "2025-03-31T00:00:00.000+02:00",
      "address": address,
      "lineItems": [
        { "type": "custom", "name": "Backend-Entwicklung",
          "description": "03.03.–28.03.2025, Ticket ABC-12/ABC-19",
          "quantity": 37.25, "unitName": "Stunde",
          "unitPrice": { "currency": "EUR", "netAmount": 95.0, "taxRatePercentage": 19 } },
        { "type": "custom", "name": "Hosting-Pauschale März",
          "quantity": 1, "unitName": "Pauschal",
          "unitPrice": { "currency": "EUR", "netAmount": 49.9, "taxRatePercentage": 19 },
          "discountPercentage": 10 },
        { "type": "text", "name": "Leistungsnachweis", "description": "Details siehe Anlage." }
      ],
      "totalPrice": { "currency": "EUR" },
      "taxConditions": { "taxType": "net" },
      "shippingConditions": { "shippingType": "serviceperiod",
        "shippingDate": "2025-03-03T00:00:00.000+01:00",
        "shippingEndDate": "2025-03-28T00:00:00.000+01:00" },
      "title": "Rechnung",
      "introduction": "Für die im März erbrachten Leistungen berechnen wir:",
      "remark": "Vielen Dank für die Zusammenarbeit."
    })
}

fn custom_item(qty: Value, net: Value, rate: Value) -> Value {
    json!({ "type": "custom", "name": "Leistung", "quantity": qty, "unitName": "Stunde",
            "unitPrice": { "currency": "EUR", "netAmount": net, "taxRatePercentage": rate } })
}

fn nordlicht(sb: &Sandbox) -> Contact {
    let mut c = Contact::company("Nordlicht Software GmbH")
        .customer()
        .with_billing_address("Hafenweg 7", "24103", "Kiel", "DE");
    if let Some(co) = c.company.as_mut() {
        co.contact_persons.push(ContactPerson {
            first_name: Some("Ole".into()),
            last_name: "Hansen".into(),
            primary: true,
            ..ContactPerson::default()
        });
    }
    sb.contacts().add_contact(c)
}

async fn post(
    c: &Client,
    sb: &Sandbox,
    path: &str,
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let resp = c
        .post(sb.url(path))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
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
    let resp = c
        .get(sb.url(path))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    assert_eq!(resp.headers()["content-type"], "application/json");
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn assert_regular(body: &Value, status: u16, path: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["path"], path, "{body}");
    for k in ["timestamp", "error", "traceId", "requestId", "message"] {
        assert!(body[k].is_string(), "{k}: {body}");
    }
}

fn detail_fields(body: &Value) -> Vec<String> {
    body["details"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn is_berlin_stamp(s: &str) -> bool {
    s.len() == 29
        && &s[10..11] == "T"
        && &s[19..20] == "."
        && (s.ends_with("+01:00") || s.ends_with("+02:00"))
}

// ---------------------------------------------------------------------------
// Pricing (pure)

#[test]
fn pricing_reference_example_section_8() {
    let p = price_invoice(&reference_body(None)).expect("valid");
    let amounts: Vec<Option<Decimal>> = p.line_items.iter().map(|l| l.line_item_amount).collect();
    assert_eq!(amounts, [Some(d("3538.75")), Some(d("44.91")), None]);
    let up0 = p.line_items[0].unit_price.as_ref().unwrap();
    assert_eq!(up0.gross_amount, d("113.05"));
    let up1 = p.line_items[1].unit_price.as_ref().unwrap();
    assert_eq!(up1.gross_amount, d("59.381"));
    assert_eq!(p.line_items[0].discount_percentage, Some(Decimal::ZERO));
    assert_eq!(p.tax_amounts.len(), 1);
    assert_eq!(p.tax_amounts[0].tax_rate_percentage, d("19"));
    assert_eq!(p.tax_amounts[0].net_amount, d("3583.66"));
    assert_eq!(p.tax_amounts[0].tax_amount, d("680.90"));
    assert_eq!(p.total_price.total_net_amount, d("3583.66"));
    assert_eq!(p.total_price.total_tax_amount, d("680.90"));
    assert_eq!(p.total_price.total_gross_amount, d("4264.56"));
}

#[test]
fn pricing_invoice_sample_checks_section_8_1() {
    let mut body = reference_body(None);
    body["lineItems"] = json!([
        { "type": "custom", "name": "A", "quantity": 2, "unitName": "Stück",
          "unitPrice": { "currency": "EUR", "netAmount": 13.4, "taxRatePercentage": 19 },
          "discountPercentage": 50 },
        custom_item(json!(1), json!(8.32), json!(7)),
        custom_item(json!(1), json!(5), json!(0)),
    ]);
    let p = price_invoice(&body).expect("valid");
    let rates: Vec<(Decimal, Decimal, Decimal)> = p
        .tax_amounts
        .iter()
        .map(|t| (t.tax_rate_percentage, t.net_amount, t.tax_amount))
        .collect();
    assert_eq!(
        rates,
        [
            (d("0"), d("5"), d("0")),
            (d("7"), d("8.32"), d("0.58")),
            (d("19"), d("13.40"), d("2.55")),
        ],
        "one entry per rate, ascending"
    );
    assert_eq!(p.total_price.total_net_amount, d("26.72"));
    assert_eq!(p.total_price.total_tax_amount, d("3.13"));
    assert_eq!(p.total_price.total_gross_amount, d("29.85"));
}

#[test]
fn pricing_gross_mode() {
    let mut body = reference_body(None);
    body["taxConditions"] = json!({ "taxType": "gross" });
    body["lineItems"] = json!([
        { "type": "custom", "name": "Buch", "quantity": 1, "unitName": "Stück",
          "unitPrice": { "currency": "EUR", "grossAmount": 23.9, "taxRatePercentage": 19 } }
    ]);
    let p = price_invoice(&body).expect("valid");
    assert_eq!(p.line_items[0].line_item_amount, Some(d("23.90")));
    assert_eq!(
        p.line_items[0].unit_price.as_ref().unwrap().net_amount,
        d("20.0840")
    );
    assert_eq!(p.tax_amounts[0].tax_amount, d("3.82"));
    assert_eq!(p.tax_amounts[0].net_amount, d("20.08"));
    assert_eq!(p.total_price.total_gross_amount, d("23.90"));
    assert_eq!(p.total_price.total_net_amount, d("20.08"));
    assert_eq!(p.total_price.total_tax_amount, d("3.82"));

    // net mode needs netAmount, gross mode grossAmount.
    body["lineItems"][0]["unitPrice"] =
        json!({ "currency": "EUR", "netAmount": 20, "taxRatePercentage": 19 });
    let r = price_invoice(&body).unwrap_err();
    assert_eq!(r.status, 406);
    assert_eq!(r.fields(), ["lineItems[0].unitPrice.grossAmount"]);
}

#[test]
fn pricing_vatfree_and_many_decimals() {
    let mut body = reference_body(None);
    body["taxConditions"] = json!({ "taxType": "vatfree" });
    body["lineItems"] = json!([custom_item(json!(0.3333), json!(0.1), json!(0))]);
    let p = price_invoice(&body).expect("valid");
    assert_eq!(p.line_items[0].line_item_amount, Some(d("0.03")));
    assert_eq!(p.total_price.total_tax_amount, d("0"));
    assert_eq!(p.tax_amounts[0].tax_rate_percentage, d("0"));
}

/// `mutate` breaks a valid body; the 406 must name exactly `field` (among others).
fn expect_406(mutate: impl FnOnce(&mut Value), field: &str) -> Rejection {
    let mut body = reference_body(None);
    mutate(&mut body);
    let r = price_invoice(&body).expect_err(field);
    assert_eq!(r.status, 406, "{field}: {r:?}");
    assert!(r.has_field(field), "{field}: {:?}", r.details);
    r
}

fn expect_400(mutate: impl FnOnce(&mut Value), field: &str) {
    let mut body = reference_body(None);
    mutate(&mut body);
    let r = price_invoice(&body).expect_err(field);
    assert_eq!(r.status, 400, "{field}: {r:?}");
    assert!(r.has_field(field), "{field}: {:?}", r.details);
}

fn obj(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    v.as_object_mut().unwrap()
}

#[test]
fn validation_406_rules() {
    // Required head fields.
    let r = expect_406(|b| drop(obj(b).remove("voucherDate")), "voucherDate");
    assert_eq!(r.details[0].violation, "NOTNULL");
    assert_eq!(r.details[0].message, "darf nicht leer sein");
    expect_406(|b| drop(obj(b).remove("address")), "address");
    expect_406(
        |b| drop(obj(&mut b["address"]).remove("name")),
        "address.name",
    );
    expect_406(
        |b| drop(obj(&mut b["address"]).remove("countryCode")),
        "address.countryCode",
    );
    expect_406(
        |b| b["address"]["countryCode"] = json!("XX"),
        "address.countryCode",
    );
    expect_406(|b| drop(obj(b).remove("lineItems")), "lineItems");
    expect_406(|b| b["lineItems"] = json!([]), "lineItems");
    expect_406(|b| drop(obj(b).remove("totalPrice")), "totalPrice");
    expect_406(|b| b["totalPrice"] = json!({}), "totalPrice.currency");
    expect_406(
        |b| b["totalPrice"]["currency"] = json!("USD"),
        "totalPrice.currency",
    );
    expect_406(|b| drop(obj(b).remove("taxConditions")), "taxConditions");
    expect_406(|b| b["taxConditions"] = json!({}), "taxConditions.taxType");
    expect_406(
        |b| b["taxConditions"]["taxType"] = json!("reduced"),
        "taxConditions.taxType",
    );
    expect_406(
        |b| b["taxConditions"]["taxSubType"] = json!("somethingElse"),
        "taxConditions.taxSubType",
    );
    // Vat-free types other than vatfree need a referenced contact.
    expect_406(
        |b| {
            b["taxConditions"]["taxType"] = json!("intraCommunitySupply");
            for i in 0..2 {
                b["lineItems"][i]["unitPrice"]["taxRatePercentage"] = json!(0);
            }
        },
        "address.contactId",
    );

    // Shipping conditions.
    expect_406(
        |b| drop(obj(b).remove("shippingConditions")),
        "shippingConditions",
    );
    expect_406(
        |b| b["shippingConditions"] = json!({}),
        "shippingConditions.shippingType",
    );
    expect_406(
        |b| b["shippingConditions"]["shippingType"] = json!("pickup"),
        "shippingConditions.shippingType",
    );
    expect_406(
        |b| b["shippingConditions"] = json!({ "shippingType": "service" }),
        "shippingConditions.shippingDate",
    );
    expect_406(
        |b| drop(obj(&mut b["shippingConditions"]).remove("shippingEndDate")),
        "shippingConditions.shippingEndDate",
    );
    expect_406(
        |b| b["shippingConditions"]["shippingEndDate"] = json!("2025-03-02T00:00:00.000+01:00"),
        "shippingConditions.shippingEndDate",
    );
    // `none` needs no date; `delivery` needs shippingDate only.
    let mut ok = reference_body(None);
    ok["shippingConditions"] = json!({ "shippingType": "none" });
    assert!(price_invoice(&ok).is_ok());
    ok["shippingConditions"] =
        json!({ "shippingType": "delivery", "shippingDate": "2025-03-03T00:00:00.000+01:00" });
    assert!(price_invoice(&ok).is_ok());

    // Texts.
    expect_406(|b| b["title"] = json!("x".repeat(26)), "title");
    expect_406(
        |b| b["introduction"] = json!("x".repeat(2001)),
        "introduction",
    );
    expect_406(|b| b["remark"] = json!("x".repeat(2001)), "remark");
    let mut ok = reference_body(None);
    ok["title"] = json!("ü".repeat(25));
    ok["remark"] = json!("x".repeat(2000));
    assert!(price_invoice(&ok).is_ok(), "limits count characters");
    expect_406(|b| b["language"] = json!("fr"), "language");

    // Line items.
    expect_406(
        |b| drop(obj(&mut b["lineItems"][1]).remove("type")),
        "lineItems[1].type",
    );
    expect_406(
        |b| b["lineItems"][1]["type"] = json!("article"),
        "lineItems[1].type",
    );
    expect_406(
        |b| drop(obj(&mut b["lineItems"][2]).remove("name")),
        "lineItems[2].name",
    );
    expect_406(
        |b| b["lineItems"][0]["name"] = json!("  "),
        "lineItems[0].name",
    );
    expect_406(
        |b| b["lineItems"][0]["name"] = json!("n".repeat(256)),
        "lineItems[0].name",
    );
    expect_406(
        |b| b["lineItems"][2]["description"] = json!("d".repeat(2001)),
        "lineItems[2].description",
    );
    expect_406(
        |b| drop(obj(&mut b["lineItems"][0]).remove("quantity")),
        "lineItems[0].quantity",
    );
    expect_406(
        |b| drop(obj(&mut b["lineItems"][0]).remove("unitName")),
        "lineItems[0].unitName",
    );
    expect_406(
        |b| drop(obj(&mut b["lineItems"][0]).remove("unitPrice")),
        "lineItems[0].unitPrice",
    );
    expect_406(
        |b| drop(obj(&mut b["lineItems"][0]["unitPrice"]).remove("currency")),
        "lineItems[0].unitPrice.currency",
    );
    expect_406(
        |b| b["lineItems"][0]["unitPrice"]["currency"] = json!("CHF"),
        "lineItems[0].unitPrice.currency",
    );
    expect_406(
        |b| drop(obj(&mut b["lineItems"][0]["unitPrice"]).remove("netAmount")),
        "lineItems[0].unitPrice.netAmount",
    );
    let r = expect_406(
        |b| drop(obj(&mut b["lineItems"][1]["unitPrice"]).remove("taxRatePercentage")),
        "lineItems[1].unitPrice.taxRatePercentage",
    );
    assert_eq!(r.details[0].violation, "NOTNULL");
    expect_406(
        |b| b["lineItems"][1]["type"] = json!("service"),
        "lineItems[1].id",
    );
    expect_406(
        |b| b["lineItems"][1]["type"] = json!("material"),
        "lineItems[1].id",
    );
    let mut ok = reference_body(None);
    ok["lineItems"][1]["type"] = json!("service");
    ok["lineItems"][1]["id"] = json!(Uuid::new_v4().to_string());
    assert!(price_invoice(&ok).is_ok());

    // Decimal places.
    let r = expect_406(
        |b| b["lineItems"][0]["quantity"] = json!(1.23456),
        "lineItems[0].quantity",
    );
    assert_eq!(r.details[0].violation, "DIGITS");
    expect_406(
        |b| b["lineItems"][0]["unitPrice"]["netAmount"] = json!(95.00001),
        "lineItems[0].unitPrice.netAmount",
    );
    expect_406(
        |b| b["lineItems"][1]["discountPercentage"] = json!(10.125),
        "lineItems[1].discountPercentage",
    );
    expect_406(
        |b| b["lineItems"][1]["discountPercentage"] = json!(101),
        "lineItems[1].discountPercentage",
    );
    expect_406(
        |b| b["totalPrice"]["totalDiscountPercentage"] = json!(2.555),
        "totalPrice.totalDiscountPercentage",
    );
    let mut ok = reference_body(None);
    ok["lineItems"][0]["quantity"] = json!(1.2345);
    ok["lineItems"][0]["unitPrice"]["netAmount"] = json!(95.1234);
    ok["lineItems"][1]["discountPercentage"] = json!(12.5);
    assert!(price_invoice(&ok).is_ok(), "4/4/2 decimals are fine");

    // Tax rates.
    let rate = "lineItems[0].unitPrice.taxRatePercentage";
    expect_406(
        |b| b["lineItems"][0]["unitPrice"]["taxRatePercentage"] = json!(16),
        rate,
    );
    expect_406(
        |b| b["lineItems"][0]["unitPrice"]["taxRatePercentage"] = json!(20),
        rate,
    );
    expect_406(|b| b["taxConditions"]["taxType"] = json!("vatfree"), rate);
    // 16 % in the second half of 2020: the relevant date of `serviceperiod`
    // is the shippingEndDate, not the voucherDate.
    let corona = |b: &mut Value, end: &str| {
        b["voucherDate"] = json!("2021-01-15T00:00:00.000+01:00");
        b["shippingConditions"]["shippingDate"] = json!("2020-12-01T00:00:00.000+01:00");
        b["shippingConditions"]["shippingEndDate"] = json!(end);
        b["lineItems"][0]["unitPrice"]["taxRatePercentage"] = json!(16);
        b["lineItems"][1]["unitPrice"]["taxRatePercentage"] = json!(5);
    };
    let mut ok = reference_body(None);
    corona(&mut ok, "2020-12-31T00:00:00.000+01:00");
    assert!(price_invoice(&ok).is_ok());
    expect_406(|b| corona(b, "2021-01-01T00:00:00.000+01:00"), rate);
    // shippingType none → voucherDate decides.
    let mut ok = reference_body(None);
    ok["voucherDate"] = json!("2020-07-01T00:00:00.000+02:00");
    ok["shippingConditions"] = json!({ "shippingType": "none" });
    ok["lineItems"][0]["unitPrice"]["taxRatePercentage"] = json!(16);
    assert!(price_invoice(&ok).is_ok());
    // 2020-06-30T23:30Z is already July 1st in Berlin.
    ok["voucherDate"] = json!("2020-06-30T23:30:00.000Z");
    assert!(price_invoice(&ok).is_ok());
    ok["voucherDate"] = json!("2020-06-30T21:30:00.000Z");
    assert!(price_invoice(&ok).unwrap_err().has_field(rate));

    // All violations at once.
    let mut bad = reference_body(None);
    obj(&mut bad).remove("voucherDate");
    bad["title"] = json!("x".repeat(30));
    bad["lineItems"][0]["unitPrice"]["taxRatePercentage"] = json!(18);
    let r = price_invoice(&bad).unwrap_err();
    assert_eq!(r.status, 406);
    assert_eq!(r.fields(), ["voucherDate", "title", rate]);
}

#[test]
fn validation_400_rules() {
    expect_400(
        |b| b["voucherDate"] = json!("2021-04-07T09:04:23+00:00"),
        "voucherDate",
    );
    expect_400(|b| b["voucherDate"] = json!("2025-03-31"), "voucherDate");
    expect_400(
        |b| b["voucherDate"] = json!(1743372000000u64),
        "voucherDate",
    );
    expect_400(
        |b| b["shippingConditions"]["shippingDate"] = json!("2025-03-03T00:00:00.000+0100"),
        "shippingConditions.shippingDate",
    );
    expect_400(
        |b| b["shippingConditions"]["shippingType"] = json!("Serviceperiod"),
        "shippingConditions.shippingType",
    );
    expect_400(
        |b| b["taxConditions"]["taxType"] = json!("NET"),
        "taxConditions.taxType",
    );
    expect_400(
        |b| b["lineItems"][0]["type"] = json!("Custom"),
        "lineItems[0].type",
    );
    expect_400(
        |b| b["lineItems"][0]["quantity"] = json!("37.25"),
        "lineItems[0].quantity",
    );
    expect_400(
        |b| b["address"]["contactId"] = json!("not-a-uuid"),
        "address.contactId",
    );
    expect_400(|b| b["lineItems"] = json!({}), "lineItems");
    expect_400(|b| b["lineItems"][0] = json!("custom"), "lineItems[0]");
    let r = price_invoice(&json!([1, 2])).unwrap_err();
    assert_eq!(r.status, 400);
}

#[test]
fn line_item_limit_300() {
    let mut body = reference_body(None);
    let items: Vec<Value> = (0..300)
        .map(|_| custom_item(json!(1), json!(1.5), json!(19)))
        .collect();
    body["lineItems"] = json!(items);
    let p = price_invoice(&body).expect("300 items are fine");
    assert_eq!(p.total_price.total_net_amount, d("450"));
    assert_eq!(p.total_price.total_tax_amount, d("85.50"));
    body["lineItems"]
        .as_array_mut()
        .unwrap()
        .push(custom_item(json!(1), json!(1.5), json!(19)));
    let r = price_invoice(&body).unwrap_err();
    assert_eq!((r.status, r.fields()), (406, vec!["lineItems"]));
}

// ---------------------------------------------------------------------------
// HTTP

#[tokio::test]
async fn create_and_read_back_every_field() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let contact = nordlicht(&sb);
    let (status, headers, created) =
        post(&c, &sb, "/v1/invoices", &reference_body(Some(contact.id))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(headers["content-type"], "application/json");
    let id = created["id"].as_str().unwrap().to_string();
    let uuid = Uuid::parse_str(&id).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
    let uri = format!("{}/v1/invoices/{id}", sb.base_url);
    assert_eq!(created["resourceUri"], uri);
    assert_eq!(headers["location"], uri.as_str());
    assert_eq!(created["version"], 1);
    let created_date = created["createdDate"].as_str().unwrap();
    assert!(is_berlin_stamp(created_date), "{created_date}");
    assert_eq!(created["updatedDate"], created["createdDate"]);
    assert_eq!(created.as_object().unwrap().len(), 5);

    let (status, inv) = get(&c, &sb, &format!("/v1/invoices/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(inv["id"], id.as_str());
    assert_eq!(inv["organizationId"], contact.organization_id.to_string());
    assert_eq!(inv["createdDate"], created["createdDate"]);
    assert_eq!(inv["updatedDate"], created["updatedDate"]);
    assert_eq!(inv["version"], 1);
    assert_eq!(inv["language"], "de");
    assert_eq!(inv["archived"], false);
    assert_eq!(inv["voucherStatus"], "draft");
    assert_eq!(inv["voucherNumber"], Value::Null);
    assert_eq!(inv["voucherDate"], "2025-03-31T00:00:00.000+02:00");
    assert_eq!(inv["dueDate"], Value::Null);
    assert_eq!(
        inv["address"],
        json!({ "contactId": contact.id.to_string(), "name": "Nordlicht Software GmbH",
                "street": "Hafenweg 7", "city": "Kiel", "zip": "24103",
                "countryCode": "DE", "contactPerson": "Ole Hansen" })
    );
    assert_eq!(inv["electronicDocumentProfile"], "NONE");

    let items = inv["lineItems"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let l0 = &items[0];
    assert_eq!(l0["type"], "custom");
    assert_eq!(l0["name"], "Backend-Entwicklung");
    assert_eq!(l0["description"], "03.03.–28.03.2025, Ticket ABC-12/ABC-19");
    assert_eq!(num(&l0["quantity"]), d("37.25"));
    assert_eq!(l0["unitName"], "Stunde");
    assert_eq!(l0["unitPrice"]["currency"], "EUR");
    assert_eq!(num(&l0["unitPrice"]["netAmount"]), d("95"));
    assert_eq!(num(&l0["unitPrice"]["grossAmount"]), d("113.05"));
    assert_eq!(num(&l0["unitPrice"]["taxRatePercentage"]), d("19"));
    assert_eq!(num(&l0["discountPercentage"]), d("0"));
    assert_eq!(num(&l0["lineItemAmount"]), d("3538.75"));
    assert_eq!(num(&items[1]["discountPercentage"]), d("10"));
    assert_eq!(num(&items[1]["unitPrice"]["grossAmount"]), d("59.381"));
    assert_eq!(num(&items[1]["lineItemAmount"]), d("44.91"));
    assert_eq!(
        items[2],
        json!({ "type": "text", "name": "Leistungsnachweis", "description": "Details siehe Anlage." })
    );

    let tp = &inv["totalPrice"];
    assert_eq!(tp["currency"], "EUR");
    assert_eq!(num(&tp["totalNetAmount"]), d("3583.66"));
    assert_eq!(num(&tp["totalGrossAmount"]), d("4264.56"));
    assert_eq!(num(&tp["totalTaxAmount"]), d("680.90"));
    assert!(tp.get("totalDiscountAbsolute").is_none());
    let ta = inv["taxAmounts"].as_array().unwrap();
    assert_eq!(ta.len(), 1);
    assert_eq!(num(&ta[0]["taxRatePercentage"]), d("19"));
    assert_eq!(num(&ta[0]["taxAmount"]), d("680.90"));
    assert_eq!(num(&ta[0]["netAmount"]), d("3583.66"));
    assert_eq!(inv["taxConditions"], json!({ "taxType": "net" }));
    assert_eq!(
        inv["shippingConditions"],
        json!({ "shippingDate": "2025-03-03T00:00:00.000+01:00",
                "shippingEndDate": "2025-03-28T00:00:00.000+01:00",
                "shippingType": "serviceperiod" })
    );
    assert!(inv.get("paymentConditions").is_none());
    assert_eq!(inv["closingInvoice"], false);
    assert_eq!(num(&inv["claimedGrossAmount"]), d("0"));
    assert_eq!(inv["downPaymentDeductions"], json!([]));
    assert_eq!(inv["recurringTemplateId"], Value::Null);
    assert_eq!(inv["relatedVouchers"], json!([]));
    assert_eq!(inv["title"], "Rechnung");
    assert_eq!(
        inv["introduction"],
        "Für die im März erbrachten Leistungen berechnen wir:"
    );
    assert_eq!(inv["remark"], "Vielen Dank für die Zusammenarbeit.");
    assert!(inv.get("files").is_none(), "drafts have no document");

    // The in-process view agrees.
    let stored = sb.invoices();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, uuid);
    assert_eq!(stored[0].total_gross(), d("4264.56"));
    assert_eq!(sb.invoices_json(), vec![inv.clone()]);
    assert_eq!(
        sb.invoice(uuid).map(|i| i.voucher_status),
        Some("draft".into())
    );
}

#[tokio::test]
async fn one_time_address_finalize_payment_conditions_and_defaults() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let mut body = reference_body(None);
    for k in ["title", "introduction", "remark"] {
        obj(&mut body).remove(k);
    }
    body["voucherDate"] = json!("2025-03-30T22:00:00.000Z");
    body["language"] = json!("en");
    body["paymentConditions"] = json!({ "paymentTermLabel": "10 Tage netto",
        "paymentTermDuration": 10,
        "paymentDiscountConditions": { "discountPercentage": 2, "discountRange": 5 } });
    body["taxConditions"]["taxTypeNote"] = json!("Hinweis");
    let (status, _, created) = post(&c, &sb, "/v1/invoices?finalize=true", &body).await;
    assert_eq!(status, 201, "{created}");
    let (_, inv) = get(
        &c,
        &sb,
        &format!("/v1/invoices/{}", created["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(inv["voucherStatus"], "open");
    assert_eq!(inv["voucherNumber"], "RE1001");
    assert_eq!(
        inv["voucherDate"], "2025-03-31T00:00:00.000+02:00",
        "Berlin offset"
    );
    assert_eq!(inv["dueDate"], "2025-04-10T00:00:00.000+02:00");
    assert_eq!(inv["language"], "en");
    assert!(inv["files"]["documentFileId"].is_string());
    assert_eq!(
        inv["address"],
        json!({ "name": "Nordlicht Software GmbH", "street": "Hafenweg 7", "city": "Kiel",
                "zip": "24103", "countryCode": "DE" })
    );
    assert_eq!(
        inv["paymentConditions"]["paymentTermLabelTemplate"],
        "10 Tage netto"
    );
    assert_eq!(inv["paymentConditions"]["paymentTermDuration"], 10);
    assert_eq!(
        num(&inv["paymentConditions"]["paymentDiscountConditions"]["discountPercentage"]),
        d("2")
    );
    assert_eq!(inv["taxConditions"]["taxTypeNote"], "Hinweis");
    assert_eq!(inv["title"], "Rechnung", "organisation default");
    assert!(inv["introduction"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(inv["remark"].as_str().is_some_and(|s| !s.is_empty()));

    // finalize=false is a draft; a non-boolean is a 400.
    let (status, _, _) = post(&c, &sb, "/v1/invoices?finalize=false", &body).await;
    assert_eq!(status, 201);
    let (status, _, err) = post(&c, &sb, "/v1/invoices?finalize=vielleicht", &body).await;
    assert_eq!(status, 400);
    assert_regular(&err, 400, "/v1/invoices");
    let statuses: Vec<String> = sb
        .invoices()
        .into_iter()
        .map(|i| i.voucher_status)
        .collect();
    assert_eq!(statuses, ["open", "draft"]);
}

#[tokio::test]
async fn http_errors_400_406_415() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let path = "/v1/invoices";

    // 400: date without milliseconds, field named.
    let mut body = reference_body(None);
    body["voucherDate"] = json!("2021-04-07T09:04:23+00:00");
    let (status, h, err) = post(&c, &sb, path, &body).await;
    assert_eq!(status, 400);
    assert_eq!(h["content-type"], "application/json");
    assert_regular(&err, 400, path);
    assert_eq!(err["error"], "Bad Request");
    assert_eq!(detail_fields(&err), ["voucherDate"]);

    // 400: upper-case enum.
    let mut body = reference_body(None);
    body["shippingConditions"]["shippingType"] = json!("Serviceperiod");
    let (status, _, err) = post(&c, &sb, path, &body).await;
    assert_eq!(status, 400);
    assert_eq!(detail_fields(&err), ["shippingConditions.shippingType"]);

    // 400: unparseable JSON and empty body.
    for raw in ["{\"voucherDate\": ", ""] {
        let resp = c
            .post(sb.url(path))
            .bearer_auth(KEY)
            .header("Content-Type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{raw:?}");
        let err: Value = resp.json().await.unwrap();
        assert_regular(&err, 400, path);
    }

    // 406 with details.
    let mut body = reference_body(None);
    obj(&mut body["lineItems"][0]["unitPrice"]).remove("taxRatePercentage");
    let (status, _, err) = post(&c, &sb, path, &body).await;
    assert_eq!(status, 406);
    assert_regular(&err, 406, path);
    assert_eq!(err["error"], "Not Acceptable");
    assert_eq!(
        err["message"],
        "Validation failed for request. Please see details list for specific causes."
    );
    assert_eq!(
        err["details"],
        json!([{ "violation": "NOTNULL", "field": "lineItems[0].unitPrice.taxRatePercentage",
                 "message": "darf nicht leer sein" }])
    );

    // 415: no or another content type.
    for ct in [None, Some("text/plain")] {
        let mut req = c
            .post(sb.url(path))
            .bearer_auth(KEY)
            .body(reference_body(None).to_string());
        if let Some(ct) = ct {
            req = req.header("Content-Type", ct);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 415, "{ct:?}");
        let err: Value = resp.json().await.unwrap();
        assert_regular(&err, 415, path);
    }
    // charset parameter is fine.
    let resp = c
        .post(sb.url(path))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(reference_body(None).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // 300 items are stored, 301 are not.
    let mut body = reference_body(None);
    body["lineItems"] = json!(vec![custom_item(json!(2), json!(10), json!(7)); 300]);
    let (status, _, created) = post(&c, &sb, path, &body).await;
    assert_eq!(status, 201);
    let (_, inv) = get(
        &c,
        &sb,
        &format!("/v1/invoices/{}", created["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(inv["lineItems"].as_array().unwrap().len(), 300);
    assert_eq!(num(&inv["totalPrice"]["totalGrossAmount"]), d("6420"));
    body["lineItems"] = json!(vec![custom_item(json!(2), json!(10), json!(7)); 301]);
    let (status, _, err) = post(&c, &sb, path, &body).await;
    assert_eq!(status, 406);
    assert_eq!(detail_fields(&err), ["lineItems"]);

    assert_eq!(
        sb.invoices().len(),
        2,
        "only the two valid ones were stored"
    );
}

#[tokio::test]
async fn contact_must_exist_and_be_customer() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let vendor = sb
        .contacts()
        .add_contact(Contact::company("Lieferant AG").vendor());
    let both = sb.contacts().add_contact(
        Contact::person(Some("Frau"), "Anna", "Alt")
            .customer()
            .vendor(),
    );

    let (status, _, err) = post(
        &c,
        &sb,
        "/v1/invoices",
        &reference_body(Some(Uuid::new_v4())),
    )
    .await;
    assert_eq!(status, 406);
    assert_eq!(detail_fields(&err), ["address.contactId"]);

    let (status, _, err) = post(&c, &sb, "/v1/invoices", &reference_body(Some(vendor.id))).await;
    assert_eq!(status, 406);
    assert_eq!(detail_fields(&err), ["address.contactId"]);

    // Merged with other violations.
    let mut body = reference_body(Some(vendor.id));
    body["title"] = json!("x".repeat(26));
    let (status, _, err) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(status, 406);
    assert_eq!(detail_fields(&err), ["title", "address.contactId"]);
    assert!(sb.invoices().is_empty());

    // Person with customer role, no billing address: refused (see
    // billing_address_must_be_exactly_one); with the address sent in full
    // ("first last") it is accepted.
    let (status, _, _) = post(&c, &sb, "/v1/invoices", &reference_body(Some(both.id))).await;
    assert_eq!(status, 406);
    let mut body = reference_body(Some(both.id));
    body["address"] = json!({ "contactId": both.id.to_string(), "name": "Anna Alt",
                              "countryCode": "DE" });
    let (status, _, created) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(status, 201);
    let (_, inv) = get(
        &c,
        &sb,
        &format!("/v1/invoices/{}", created["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        inv["address"],
        json!({ "contactId": both.id.to_string(), "name": "Anna Alt", "countryCode": "DE" })
    );

    // Reference + override: the sent address is used, the contact unchanged.
    let customer = nordlicht(&sb);
    let mut body = reference_body(Some(customer.id));
    body["address"] = json!({ "contactId": customer.id.to_string(), "name": "Nordlicht Filiale",
                              "city": "Wien", "countryCode": "AT" });
    let (status, _, created) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(status, 201);
    let (_, inv) = get(
        &c,
        &sb,
        &format!("/v1/invoices/{}", created["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(inv["address"]["name"], "Nordlicht Filiale");
    assert_eq!(inv["address"]["countryCode"], "AT");
    assert_eq!(inv["address"]["contactPerson"], "Ole Hansen");
    assert_eq!(sb.contacts().get(customer.id), Some(customer));
}

#[tokio::test]
async fn rate_limit_429_stores_nothing() {
    let sb = Sandbox::start(SandboxConfig {
        bucket_capacity: 1,
        refill_per_sec: 0.0,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = Client::new();
    // Injected 429: nothing stored, no token used.
    sb.inject(Fault::Status(429), 1);
    let (status, _, err) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, 429);
    assert_regular(&err, 429, "/v1/invoices");
    assert!(sb.invoices().is_empty());
    // The one token.
    let (status, _, _) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, 201);
    // Bucket empty: 429, not executed.
    let (status, _, _) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, 429);
    assert_eq!(sb.invoices().len(), 1);
}

#[tokio::test]
async fn status_504_before_and_after_store() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let timed_out = json!({ "message": "Endpoint request timed out" });

    // Plain 504: not executed.
    sb.inject(Fault::Status(504), 1);
    let (status, _, body) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!((status.as_u16(), &body), (504, &timed_out));
    assert!(sb.invoices().is_empty());

    // 504 after store: exactly one invoice exists.
    sb.inject(Fault::StatusAfterStore(504), 1);
    let (status, _, body) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!((status.as_u16(), &body), (504, &timed_out));
    let stored = sb.invoices();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].voucher_status, "draft");
    // The client's recovery: look for the draft in the voucher list.
    let (status, list) = get(
        &c,
        &sb,
        "/v1/voucherlist?voucherType=invoice&voucherStatus=draft",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["content"][0]["id"], stored[0].id.to_string());
    let rec = sb.requests();
    let post_rec = rec.iter().rev().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        (post_rec.status, post_rec.fault.as_deref()),
        (504, Some("504after"))
    );

    // 500 after store: the gateway's 500 body.
    sb.inject(Fault::StatusAfterStore(500), 1);
    let (status, _, body) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(
        (status.as_u16(), body),
        (
            500,
            json!({ "message": "Internal server error or rate limit exceeded" })
        )
    );
    assert_eq!(sb.invoices().len(), 2);

    // After-store on an invalid body stores nothing, still answers the fault.
    sb.inject(Fault::StatusAfterStore(504), 1);
    let mut bad = reference_body(None);
    bad["title"] = json!("x".repeat(30));
    let (status, _, _) = post(&c, &sb, "/v1/invoices", &bad).await;
    assert_eq!(status, 504);
    assert_eq!(sb.invoices().len(), 2);
}

#[tokio::test]
async fn drop_before_and_after_store() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    sb.inject(Fault::DropConnection, 1);
    let r = Client::new()
        .post(sb.url("/v1/invoices"))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body(reference_body(None).to_string())
        .send()
        .await;
    assert!(r.is_err());
    assert!(sb.invoices().is_empty());

    sb.inject(Fault::DropAfterStore, 1);
    let r = Client::new()
        .post(sb.url("/v1/invoices"))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body(reference_body(None).to_string())
        .send()
        .await;
    let err = r.expect_err("connection must be dropped");
    assert!(err.status().is_none(), "{err:?}");
    assert_eq!(sb.invoices().len(), 1);
    let rec = sb.requests().pop().unwrap();
    assert_eq!((rec.status, rec.fault.as_deref()), (0, Some("dropafter")));
}

#[tokio::test]
async fn voucherlist_filters_and_paging() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let a = nordlicht(&sb);
    let b = sb.contacts().add_contact(
        Contact::company("Bäckerei Süd")
            .customer()
            .with_billing_address("Markt 1", "80331", "München", "DE"),
    );
    let mut ids = Vec::new();
    for (contact, date, finalize) in [
        (a.id, "2025-03-01T00:00:00.000+01:00", false),
        (a.id, "2025-03-31T23:30:00.000+02:00", false),
        (b.id, "2025-04-01T00:00:00.000+02:00", false),
        (b.id, "2025-02-15T00:00:00.000+01:00", true),
    ] {
        let mut body = reference_body(Some(contact));
        body["voucherDate"] = json!(date);
        let q = if finalize { "?finalize=true" } else { "" };
        let (status, _, created) = post(&c, &sb, &format!("/v1/invoices{q}"), &body).await;
        assert_eq!(status, 201);
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let list = |q: &str| {
        let c = c.clone();
        let url = format!("/v1/voucherlist?{q}");
        let sb = &sb;
        async move { get(&c, sb, &url).await }
    };
    let id_list = |v: &Value| -> Vec<String> {
        v["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };

    // Both params required.
    for q in [
        "",
        "voucherType=invoice",
        "voucherStatus=draft",
        "voucherType=invoice&voucherStatus=entwurf",
    ] {
        let (status, err) = list(q).await;
        assert_eq!(status, 400, "{q}");
        assert_regular(&err, 400, "/v1/voucherlist");
    }
    let (status, err) =
        list("voucherType=invoice&voucherStatus=any&voucherDateFrom=01.03.2025").await;
    assert_eq!(status, 400);
    assert_eq!(detail_fields(&err), ["voucherDateFrom"]);

    // Drafts, newest voucherDate first; one item's shape.
    let (status, v) = list("voucherType=invoice&voucherStatus=draft").await;
    assert_eq!(status, 200);
    assert_eq!(
        id_list(&v),
        [ids[2].clone(), ids[1].clone(), ids[0].clone()]
    );
    assert_eq!(v["totalElements"], 3);
    assert_eq!(v["sort"][0]["property"], "voucherDate");
    assert_eq!(v["sort"][0]["direction"], "DESC");
    let item = &v["content"][1];
    assert_eq!(item["voucherType"], "invoice");
    assert_eq!(item["voucherStatus"], "draft");
    assert_eq!(item["voucherNumber"], Value::Null);
    assert_eq!(item["voucherDate"], "2025-03-31T23:30:00.000+02:00");
    assert!(is_berlin_stamp(item["createdDate"].as_str().unwrap()));
    assert!(is_berlin_stamp(item["updatedDate"].as_str().unwrap()));
    assert_eq!(item["contactId"], a.id.to_string());
    assert_eq!(item["contactName"], "Nordlicht Software GmbH");
    assert_eq!(num(&item["totalAmount"]), d("4264.56"));
    assert_eq!(
        item["openAmount"],
        Value::Null,
        "drafts have no open amount"
    );
    assert_eq!(item["currency"], "EUR");
    assert_eq!(item["archived"], false);

    // Filters.
    let (_, v) = list(&format!(
        "voucherType=invoice&voucherStatus=draft&contactId={}",
        b.id
    ))
    .await;
    assert_eq!(id_list(&v), [ids[2].clone()]);
    let (_, v) = list(
        "voucherType=invoice&voucherStatus=any&voucherDateFrom=2025-03-01&voucherDateTo=2025-03-31",
    )
    .await;
    assert_eq!(id_list(&v), [ids[1].clone(), ids[0].clone()]);
    // The finalized one (voucher date 2025-02-15, due the same day) is long
    // past due: listed as overdue, no longer as open.
    let (_, v) = list("voucherType=any&voucherStatus=open").await;
    assert_eq!(v["totalElements"], 0);
    let (_, v) = list("voucherType=any&voucherStatus=overdue").await;
    assert_eq!(id_list(&v), [ids[3].clone()]);
    assert_eq!(v["content"][0]["voucherNumber"], "RE1001");
    assert_eq!(v["content"][0]["voucherStatus"], "overdue");
    assert_eq!(num(&v["content"][0]["openAmount"]), d("4264.56"));
    let (_, v) = list("voucherType=invoice&voucherStatus=any&voucherNumber=RE1001").await;
    assert_eq!(id_list(&v), [ids[3].clone()]);
    let (_, v) = list("voucherType=quotation,creditnote&voucherStatus=any").await;
    assert_eq!(v["totalElements"], 0);
    let (_, v) = list("voucherType=invoice&voucherStatus=any&archived=true").await;
    assert_eq!(v["totalElements"], 0);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%Y-%m-%d")
        .to_string();
    let (_, v) = list(&format!(
        "voucherType=invoice&voucherStatus=any&createdDateFrom={today}"
    ))
    .await;
    assert_eq!(v["totalElements"], 4);

    // Paging and sort.
    let (_, v) =
        list("voucherType=invoice&voucherStatus=any&size=3&page=1&sort=voucherDate,ASC").await;
    assert_eq!(id_list(&v), [ids[2].clone()]);
    assert_eq!(
        (v["first"].as_bool(), v["last"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(
        (v["totalPages"].as_u64(), v["number"].as_u64()),
        (Some(2), Some(1))
    );
}

#[tokio::test]
async fn delete_finalize_and_control_plane() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (status, _, created) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
        assert_eq!(status, 201);
        ids.push(Uuid::parse_str(created["id"].as_str().unwrap()).unwrap());
    }

    // In-process delete → 404 regular body.
    assert!(sb.delete_invoice(ids[0]));
    assert!(!sb.delete_invoice(ids[0]));
    let path = format!("/v1/invoices/{}", ids[0]);
    let (status, err) = get(&c, &sb, &path).await;
    assert_eq!(status, 404);
    assert_regular(&err, 404, &path);
    let (status, _) = get(&c, &sb, "/v1/invoices/not-a-uuid").await;
    assert_eq!(status, 404);
    let (status, _) = get(&c, &sb, &format!("/v1/invoices/{}", Uuid::new_v4())).await;
    assert_eq!(status, 404);

    // In-process finalize.
    let before = sb.invoice(ids[1]).unwrap();
    assert!(sb.finalize_invoice(ids[1]));
    assert!(!sb.finalize_invoice(ids[1]), "already open");
    let (_, inv) = get(&c, &sb, &format!("/v1/invoices/{}", ids[1])).await;
    assert_eq!(inv["voucherStatus"], "open");
    assert_eq!(inv["voucherNumber"], "RE1001");
    assert_eq!(inv["version"], before.version + 1);
    assert!(inv["dueDate"].is_string());
    assert!(
        !sb.delete_invoice(ids[1]),
        "finalized invoices cannot be deleted"
    );

    // Control plane.
    let ctl = |p: &str| sb.url(&format!("/__sandbox{p}"));
    let all: Value = c
        .get(ctl("/invoices"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["id"], ids[1].to_string());
    assert_eq!(all[1]["voucherStatus"], "draft");
    let r = c
        .delete(ctl(&format!("/invoices/{}", ids[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = c
        .post(ctl(&format!("/invoices/{}/finalize", ids[2])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let fin: Value = r.json().await.unwrap();
    assert_eq!(fin["voucherNumber"], "RE1002");
    let (status, _, created) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, 201);
    let r = c
        .delete(ctl(&format!(
            "/invoices/{}",
            created["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .delete(ctl(&format!("/invoices/{}", Uuid::new_v4())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(sb.invoices().len(), 2);

    // Control-plane faults with after_store / spec strings.
    for body in [
        r#"{"status":504,"after_store":true}"#,
        r#"{"spec":"dropafterx1"}"#,
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
    assert_eq!(
        listed["faults"],
        json!([{ "fault": "504after", "remaining": 1 }, { "fault": "dropafter", "remaining": 1 }])
    );
    let (status, _, _) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, 504);
    assert_eq!(sb.invoices().len(), 3);
}

#[test]
fn start_in_thread_create_invoice() {
    let sb = Sandbox::start_in_thread(unlimited()).unwrap();
    let c = reqwest::blocking::Client::new();
    let r = c
        .post(sb.url("/v1/invoices"))
        .bearer_auth(KEY)
        .header("Content-Type", "application/json")
        .body(reference_body(None).to_string())
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(sb.invoices().len(), 1);
}

#[test]
fn unknown_tax_type_reports_only_the_tax_type() {
    let mut body = reference_body(None);
    body["taxConditions"] = json!({ "taxType": "brutto" });
    let r = price_invoice(&body).unwrap_err();
    assert_eq!((r.status, r.fields()), (406, vec!["taxConditions.taxType"]));
}

// ---------------------------------------------------------------------------
// docs/lexoffice.md › Contacts, Reading an invoice, the voucher list: billing address, vat-free organisations, status
// changes in the web app and what the voucher list derives from them.

const ONE_BILLING: &str = "Referenced contact needs to have exactly one billing address";

/// POST with only `contactId` → the 406 of docs/lexoffice.md › Contacts.
async fn expect_billing_406(c: &Client, sb: &Sandbox, id: Uuid, query: &str, found: usize) {
    let (status, _, err) = post(
        c,
        sb,
        &format!("/v1/invoices{query}"),
        &reference_body(Some(id)),
    )
    .await;
    assert_eq!(status, 406, "{err}");
    assert_regular(&err, 406, "/v1/invoices");
    assert_eq!(err["error"], "Not Acceptable");
    assert_eq!(
        err["message"],
        format!("{ONE_BILLING}, but {found} addresses were found.")
    );
    assert_eq!(err["details"], json!([]), "reason only in message");
}

#[tokio::test]
async fn billing_address_must_be_exactly_one() {
    let sb = Sandbox::start(SandboxConfig {
        contacts: 1000,
        ..unlimited()
    })
    .await
    .unwrap();
    let c = Client::new();
    let none = sb
        .contacts()
        .add_contact(Contact::company("Ohne Adresse GmbH").customer());
    let mut shipping_only = Contact::person(Some("Herr"), "Max", "Muster").customer();
    shipping_only
        .addresses
        .shipping
        .push(lexoffice_sandbox::Address {
            street: Some("Lagerweg 1".into()),
            zip: Some("24103".into()),
            city: Some("Kiel".into()),
            country_code: "DE".into(),
            ..lexoffice_sandbox::Address::default()
        });
    let shipping_only = sb.contacts().add_contact(shipping_only);
    let two = sb.contacts().add_contact(
        Contact::company("Zwei Adressen AG")
            .customer()
            .with_billing_address("Hafenweg 7", "24103", "Kiel", "DE")
            .with_billing_address("Kai 2", "20095", "Hamburg", "DE"),
    );
    for query in ["", "?finalize=true"] {
        expect_billing_406(&c, &sb, none.id, query, 0).await;
        expect_billing_406(&c, &sb, shipping_only.id, query, 0).await;
        expect_billing_406(&c, &sb, two.id, query, 2).await;
        // contactId plus name only (no countryCode) is still a reference.
        let mut body = reference_body(Some(two.id));
        body["address"]["name"] = json!("Zwei Adressen AG");
        let (status, _, err) = post(&c, &sb, &format!("/v1/invoices{query}"), &body).await;
        assert_eq!(status, 406);
        assert_eq!(
            err["message"],
            format!("{ONE_BILLING}, but 2 addresses were found.")
        );
    }
    assert!(sb.invoices().is_empty(), "nothing stored");

    // Validation errors come first (with their details).
    let mut body = reference_body(Some(none.id));
    body["title"] = json!("x".repeat(26));
    let (status, _, err) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(status, 406);
    assert_eq!(detail_fields(&err), ["title"]);

    // A full one-time address next to contactId is accepted.
    for (contact, query) in [(none.id, ""), (two.id, "?finalize=true")] {
        let mut body = reference_body(Some(contact));
        body["address"] = json!({ "contactId": contact.to_string(), "name": "Filiale Süd",
                                  "city": "München", "countryCode": "DE" });
        let (status, _, created) = post(&c, &sb, &format!("/v1/invoices{query}"), &body).await;
        assert_eq!(status, 201, "{created}");
        let (_, inv) = get(
            &c,
            &sb,
            &format!("/v1/invoices/{}", created["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(
            inv["address"],
            json!({ "contactId": contact.to_string(), "name": "Filiale Süd",
                    "city": "München", "countryCode": "DE" })
        );
    }

    // Seeded customers: those with 0 or 2 billing addresses are refused, the
    // ones with exactly one resolve to it.
    let all = sb.contacts().all();
    let customers = |n: usize| {
        all.iter()
            .filter(|c| c.roles.customer.is_some() && c.addresses.billing.len() == n)
            .collect::<Vec<_>>()
    };
    let (zero, one, two) = (customers(0), customers(1), customers(2));
    assert!(
        !zero.is_empty() && !two.is_empty(),
        "the seed has both kinds"
    );
    expect_billing_406(&c, &sb, zero[0].id, "", 0).await;
    expect_billing_406(&c, &sb, two[0].id, "?finalize=true", 2).await;
    let (status, _, created) =
        post(&c, &sb, "/v1/invoices", &reference_body(Some(one[0].id))).await;
    assert_eq!(status, 201);
    let (_, inv) = get(
        &c,
        &sb,
        &format!("/v1/invoices/{}", created["id"].as_str().unwrap()),
    )
    .await;
    let billing = &one[0].addresses.billing[0];
    assert_eq!(inv["address"]["city"], billing.city.as_deref().unwrap());
    assert_eq!(inv["address"]["countryCode"], billing.country_code.as_str());
    assert_eq!(sb.invoices().len(), 3);
}

#[tokio::test]
async fn vatfree_organisation_creates_only_vatfree_invoices() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let set_profile = |body: Value| {
        let c = c.clone();
        let url = sb.url("/__sandbox/profile");
        async move {
            let r = c.post(url).body(body.to_string()).send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let vatfree_body = || {
        let mut b = reference_body(None);
        b["taxConditions"]["taxType"] = json!("vatfree");
        for item in b["lineItems"].as_array_mut().unwrap() {
            if item["type"] != "text" {
                item["unitPrice"]["taxRatePercentage"] = json!(0);
            }
        }
        b
    };
    let expect_refused = |body: Value, query: &'static str, fields: Vec<&'static str>| {
        let c = c.clone();
        let sb = &sb;
        async move {
            let (status, _, err) = post(&c, sb, &format!("/v1/invoices{query}"), &body).await;
            assert_eq!(status, 406, "{err}");
            assert_regular(&err, 406, "/v1/invoices");
            assert_eq!(detail_fields(&err), fields, "{err}");
            let d = err["details"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["field"] == "taxConditions.taxType")
                .unwrap()
                .clone();
            assert_eq!(
                d,
                json!({ "violation": "INVALID_VALUE", "field": "taxConditions.taxType",
                        "message": "Für diese Organisation sind nur steuerfreie Rechnungen (vatfree) möglich." })
            );
        }
    };

    // A net organisation may create net invoices.
    let (status, _, _) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, 201);

    for profile in [
        json!({ "taxType": "vatfree" }),
        json!({ "taxType": "net", "smallBusiness": true }),
    ] {
        let (status, p) = set_profile(profile.clone()).await;
        assert_eq!(status, 200, "{p}");
        let (_, shown) = get(&c, &sb, "/v1/profile").await;
        assert_eq!(shown["taxType"], profile["taxType"]);
        assert_eq!(
            shown["smallBusiness"],
            profile.get("smallBusiness").is_some()
        );
        for query in ["", "?finalize=true"] {
            expect_refused(reference_body(None), query, vec!["taxConditions.taxType"]).await;
            let mut gross = reference_body(None);
            gross["taxConditions"]["taxType"] = json!("gross");
            for item in gross["lineItems"].as_array_mut().unwrap() {
                if let Some(up) = item.get_mut("unitPrice").and_then(Value::as_object_mut) {
                    let net = up.remove("netAmount").unwrap();
                    up.insert("grossAmount".into(), net);
                }
            }
            expect_refused(gross, query, vec!["taxConditions.taxType"]).await;
            let mut intra = vatfree_body();
            intra["taxConditions"]["taxType"] = json!("intraCommunitySupply");
            intra["address"] = json!({ "contactId": nordlicht(&sb).id.to_string() });
            expect_refused(intra, query, vec!["taxConditions.taxType"]).await;
            let (status, _, created) =
                post(&c, &sb, &format!("/v1/invoices{query}"), &vatfree_body()).await;
            assert_eq!(status, 201, "{created}");
        }
        // Merged with the other violations.
        let mut body = reference_body(None);
        body["title"] = json!("x".repeat(26));
        expect_refused(body, "", vec!["title", "taxConditions.taxType"]).await;
        set_profile(json!({ "taxType": "net", "smallBusiness": false })).await;
    }
    assert_eq!(sb.invoices().len(), 5);

    // Only the documented profile tax types.
    let (status, err) = set_profile(json!({ "taxType": "steuerfrei" })).await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(sb.profile().tax_type, "net");
    // In-process setters work the same way.
    sb.set_tax_type("vatfree");
    expect_refused(reference_body(None), "", vec!["taxConditions.taxType"]).await;
}

#[tokio::test]
async fn web_app_status_changes_and_voucherlist() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let ctl = |p: String| sb.url(&format!("/__sandbox{p}"));
    let control = |p: String, body: Option<Value>| {
        let c = c.clone();
        let url = ctl(p);
        async move {
            let mut r = c.post(url);
            if let Some(b) = body {
                r = r.body(b.to_string());
            }
            let r = r.send().await.unwrap();
            let status = r.status().as_u16();
            assert_eq!(r.headers()["content-type"], "application/json");
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let list = |q: &str| {
        let c = c.clone();
        let url = format!("/v1/voucherlist?voucherType=invoice&{q}");
        let sb = &sb;
        async move { get(&c, sb, &url).await }
    };
    let person = sb.contacts().add_contact(
        Contact::person(Some("Frau"), "Anna", "Alt")
            .customer()
            .with_billing_address("Lindenweg 3", "79098", "Freiburg", "DE"),
    );
    let company = nordlicht(&sb);
    let mut ids = Vec::new();
    for (contact, query) in [
        (person.id, ""),
        (company.id, "?finalize=true"),
        (company.id, "?finalize=true"),
        (company.id, ""),
    ] {
        let (status, _, created) = post(
            &c,
            &sb,
            &format!("/v1/invoices{query}"),
            &reference_body(Some(contact)),
        )
        .await;
        assert_eq!(status, 201);
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let (draft, paid, voided, deleted) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    let berlin_today = sb
        .now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();

    // New due dates: one in the future (open), one in the past (overdue).
    let future = berlin_today + chrono::Duration::days(14);
    let (status, inv) = control(
        format!("/invoices/{paid}/due"),
        Some(json!({ "dueDate": future.to_string() })),
    )
    .await;
    assert_eq!(status, 200, "{inv}");
    assert_eq!(inv["version"], 2);
    assert!(inv["dueDate"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{future}T00:00:00.000+0")));
    let (status, inv) = control(
        format!("/invoices/{voided}/due"),
        Some(json!({ "dueDate": "2025-01-15" })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(inv["dueDate"], "2025-01-15T00:00:00.000+01:00");
    for bad in [
        json!({}),
        json!({ "dueDate": "15.01.2025" }),
        json!({ "dueDate": "2025-1-5" }),
    ] {
        let (status, _) = control(format!("/invoices/{voided}/due"), Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, err) = control(
        format!("/invoices/{draft}/due"),
        Some(json!({ "dueDate": "2025-01-15" })),
    )
    .await;
    assert_eq!(status, 409);
    assert!(err["error"].is_string());

    // Rows: exactly the documented fields; derived status and open amounts.
    let (status, v) = list("voucherStatus=any").await;
    assert_eq!(status, 200);
    // In creation order (creation stamps may tie to the millisecond).
    let listed = v["content"].as_array().unwrap();
    let rows: Vec<Value> = ids
        .iter()
        .map(|id| {
            listed
                .iter()
                .find(|r| r["id"] == id.as_str())
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(listed.len(), 4);
    let mut keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut documented = vec![
        "id",
        "voucherType",
        "voucherStatus",
        "voucherNumber",
        "voucherDate",
        "createdDate",
        "updatedDate",
        "dueDate",
        "contactId",
        "contactName",
        "totalAmount",
        "openAmount",
        "currency",
        "archived",
    ];
    documented.sort_unstable();
    assert_eq!(keys, documented);
    let status_of = |rows: &[Value]| -> Vec<(String, String)> {
        rows.iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["voucherStatus"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        status_of(&rows),
        [
            (draft.clone(), "draft".to_string()),
            (paid.clone(), "open".to_string()),
            (voided.clone(), "overdue".to_string()),
            (deleted.clone(), "draft".to_string()),
        ]
    );
    assert_eq!(rows[0]["contactName"], "Alt, Anna", "persons: Last, First");
    assert_eq!(rows[1]["contactName"], "Nordlicht Software GmbH");
    assert_eq!(rows[0]["openAmount"], Value::Null);
    assert_eq!(num(&rows[1]["openAmount"]), d("4264.56"));
    assert_eq!(num(&rows[2]["openAmount"]), d("4264.56"));
    // GET keeps the stored status (overdue is only derived by the list).
    let (_, inv) = get(&c, &sb, &format!("/v1/invoices/{voided}")).await;
    assert_eq!(inv["voucherStatus"], "open");
    let (_, v) = list("voucherStatus=overdue").await;
    assert_eq!(
        status_of(v["content"].as_array().unwrap()),
        [(voided.clone(), "overdue".to_string())]
    );
    let (_, v) = list("voucherStatus=open").await;
    assert_eq!(
        status_of(v["content"].as_array().unwrap()),
        [(paid.clone(), "open".to_string())]
    );
    for combo in ["overdue,open", "draft,overdue", "any,overdue"] {
        let (status, err) = list(&format!("voucherStatus={combo}")).await;
        assert_eq!(status, 400, "{combo}");
        assert_regular(&err, 400, "/v1/voucherlist");
        assert_eq!(detail_fields(&err), ["voucherStatus"]);
    }

    // Pay: open → paid, open amount 0, version and updatedDate change.
    let before = sb.invoice(Uuid::parse_str(paid).unwrap()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, inv) = control(format!("/invoices/{paid}/pay"), None).await;
    assert_eq!(status, 200);
    assert_eq!(inv["voucherStatus"], "paid");
    assert_eq!(inv["version"], before.version + 1);
    assert_ne!(inv["updatedDate"], before.updated_date.as_str());
    assert_eq!(inv["createdDate"], before.created_date.as_str());
    for id in [paid, draft] {
        let (status, err) = control(format!("/invoices/{id}/pay"), None).await;
        assert_eq!(status, 409, "{id}");
        assert!(err["error"].is_string());
    }
    let (_, v) = list("voucherStatus=paid").await;
    assert_eq!(v["content"][0]["id"], paid.as_str());
    assert_eq!(num(&v["content"][0]["openAmount"]), d("0"));

    // Void: overdue (stored open) and paid → voided; drafts cannot be voided.
    let (status, inv) = control(format!("/invoices/{voided}/void"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (inv["voucherStatus"].as_str(), inv["version"].as_i64()),
        (Some("voided"), Some(3))
    );
    let (status, err) = control(format!("/invoices/{draft}/void"), None).await;
    assert_eq!(status, 409);
    assert!(err["error"].as_str().unwrap().contains("draft"), "{err}");
    let (status, _) = control(format!("/invoices/{voided}/void"), None).await;
    assert_eq!(status, 409, "already voided");
    for unknown in [Uuid::new_v4().to_string(), "not-a-uuid".to_string()] {
        for action in ["void", "pay", "finalize"] {
            let (status, _) = control(format!("/invoices/{unknown}/{action}"), None).await;
            assert_eq!(status, 404, "{action}");
        }
    }
    let (_, inv) = get(&c, &sb, &format!("/v1/invoices/{voided}")).await;
    assert_eq!(inv["voucherStatus"], "voided");
    let (_, v) = list("voucherStatus=voided").await;
    assert_eq!(num(&v["content"][0]["openAmount"]), d("0"));

    // Finalized invoices cannot be deleted, drafts can — and are gone from the list.
    for id in [paid, voided] {
        let r = c
            .delete(ctl(format!("/invoices/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "{id}");
    }
    let r = c
        .delete(ctl(format!("/invoices/{deleted}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, v) = list("voucherStatus=any").await;
    assert_eq!(v["totalElements"], 3);
    assert!(!status_of(v["content"].as_array().unwrap())
        .iter()
        .any(|(id, _)| id == deleted));

    // In-process equivalents.
    let (_, _, created) = post(
        &c,
        &sb,
        "/v1/invoices?finalize=true",
        &reference_body(Some(company.id)),
    )
    .await;
    let id = Uuid::parse_str(created["id"].as_str().unwrap()).unwrap();
    assert!(sb.set_due_date(id, future));
    assert!(sb.pay_invoice(id));
    assert!(!sb.pay_invoice(id));
    assert!(!sb.set_due_date(id, future), "only open invoices");
    assert!(sb.void_invoice(id));
    assert!(!sb.void_invoice(id));
    assert!(!sb.void_invoice(Uuid::parse_str(draft).unwrap()));
    assert!(!sb.delete_invoice(id));
    assert_eq!(sb.invoice(id).unwrap().version, 4);
}

/// Tax types beyond `net` (docs/lexoffice.md › Tax types): each needs a
/// referenced contact and 0 % on every priced line; the reverse-charge types
/// can be made to require the contact's VAT id.
#[tokio::test]
async fn tax_types_beyond_net_need_a_contact_and_zero_rates() {
    let sb = Sandbox::start(unlimited()).await.unwrap();
    let c = Client::new();
    let contact = nordlicht(&sb);
    let zero = |mut b: Value, tax_type: &str| {
        b["taxConditions"] = json!({ "taxType": tax_type, "taxTypeNote": "Steuerschuldnerschaft des Leistungsempfängers" });
        for item in b["lineItems"].as_array_mut().unwrap() {
            if item.get("unitPrice").is_some() {
                item["unitPrice"]["taxRatePercentage"] = json!(0);
            }
        }
        b
    };
    for tax_type in [
        "constructionService13b",
        "externalService13b",
        "thirdPartyCountryService",
        "vatfree",
    ] {
        let (status, _, body) = post(
            &c,
            &sb,
            "/v1/invoices",
            &zero(reference_body(Some(contact.id)), tax_type),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{tax_type}: {body}");
    }
    // A 19 % line under §13b is refused, naming the line.
    let mut body = zero(reference_body(Some(contact.id)), "constructionService13b");
    body["lineItems"][0]["unitPrice"]["taxRatePercentage"] = json!(19);
    let (status, _, answer) = post(&c, &sb, "/v1/invoices", &body).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{answer}");
    assert!(
        detail_fields(&answer).contains(&"lineItems[0].unitPrice.taxRatePercentage".to_string()),
        "{answer}"
    );
    // Without a referenced contact (one-time address) every type but vatfree is refused.
    let (status, _, answer) = post(
        &c,
        &sb,
        "/v1/invoices",
        &zero(reference_body(None), "externalService13b"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{answer}");
    assert!(
        detail_fields(&answer).contains(&"address.contactId".to_string()),
        "{answer}"
    );
    let stored: Vec<Value> = sb.invoices_json();
    assert_eq!(stored.len(), 4);
    assert_eq!(
        stored[0]["taxConditions"]["taxType"],
        "constructionService13b"
    );
    assert_eq!(
        stored[0]["taxConditions"]["taxTypeNote"],
        "Steuerschuldnerschaft des Leistungsempfängers"
    );

    // Switched on: reverse charge needs the contact's VAT id.
    let strict = Sandbox::start(SandboxConfig {
        require_vat_id_for_reverse_charge: true,
        ..unlimited()
    })
    .await
    .unwrap();
    let without = nordlicht(&strict);
    let with = strict.contacts().add_contact(
        Contact::company("Bouw BV")
            .customer()
            .with_vat_id("NL123456789B01")
            .with_billing_address("Kade 1", "1011 AA", "Amsterdam", "NL"),
    );
    for tax_type in ["constructionService13b", "externalService13b"] {
        let (status, _, answer) = post(
            &c,
            &strict,
            "/v1/invoices",
            &zero(reference_body(Some(without.id)), tax_type),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{tax_type}: {answer}");
        assert!(answer.to_string().contains("USt-IdNr."), "{answer}");
        let (status, _, answer) = post(
            &c,
            &strict,
            "/v1/invoices",
            &zero(reference_body(Some(with.id)), tax_type),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{tax_type}: {answer}");
    }
    // Not reverse charge: no VAT id needed.
    let (status, _, _) = post(
        &c,
        &strict,
        "/v1/invoices",
        &zero(reference_body(Some(without.id)), "thirdPartyCountryService"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

/// The read-after-create lag switch (docs/lexoffice.md › Reads lag behind
/// writes): a new invoice answers 404 and is missing from the voucher list
/// until the lag is over, then both show it; without the switch, at once.
#[tokio::test]
async fn a_new_invoice_is_invisible_during_the_read_after_create_lag() {
    let sb = Sandbox::start(SandboxConfig {
        invoice_visibility_delay: std::time::Duration::from_millis(600),
        ..unlimited()
    })
    .await
    .unwrap();
    let c = Client::new();
    let (status, _, created) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/v1/invoices/{id}");
    let list = "/v1/voucherlist?voucherType=invoice&voucherStatus=any";
    let (status, body) = get(&c, &sb, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_regular(&body, 404, &path);
    let (_, listed) = get(&c, &sb, list).await;
    assert_eq!(listed["totalElements"], 0);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let (status, body) = get(&c, &sb, &path).await;
    assert_eq!(
        (status, body["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    let (_, listed) = get(&c, &sb, list).await;
    assert_eq!(listed["content"][0]["id"].as_str(), Some(id.as_str()));
    // Switched off again: the next one is readable at once.
    sb.set_invoice_visibility_delay(std::time::Duration::ZERO);
    let (_, _, next) = post(&c, &sb, "/v1/invoices", &reference_body(None)).await;
    let (status, _) = get(
        &c,
        &sb,
        &format!("/v1/invoices/{}", next["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
