//! Einstellungen › Leistungen against the sandbox: „Artikel aus lexoffice
//! importieren“ pages through the articles and merges them; a service chosen
//! from an imported article goes on the draft as `service`/`material` with the
//! article's id and its values; a typed catalog item and an edited name stay
//! `custom`.

use crate::support;

use std::str::FromStr;

use lexoffice_sandbox::articles::Article;
use lexoffice_sandbox::Sandbox;
use rust_decimal::Decimal;
use zeitrechnung_lib::abrechnung::catalog::{self, CatalogInput};
use zeitrechnung_lib::projekte::{self as p, ProjectInput, ServiceInput};
use zeitrechnung_lib::rechnung::{self as r, InvoiceRequest};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn setup() -> (Sandbox, support::Harness, u64) {
    let (sb, h, customer) = support::connected_to("Hausverwaltung Lenz GmbH").await;
    let project = p::save(
        &h.core,
        ProjectInput {
            name: "Treppenhaus".into(),
            customer_id: Some(customer),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .project
    .id;
    (sb, h, project)
}

#[tokio::test]
async fn imported_articles_go_on_the_draft_with_their_id() {
    let (sb, h, project) = setup().await;
    let travel = sb
        .articles()
        .add(Article::service("Fahrtkosten", "km", d("0.30"), 19).with_article_number("1001"));
    let silicone = sb.articles().add(Article::product(
        "Silikon, Kartusche",
        "Stk.",
        d("8.90"),
        19,
    ));
    // More than one page (250 per page): all are read.
    for i in 0..260 {
        sb.articles().add(Article::service(
            &format!("Wartung Stufe {i:03}"),
            "Stunde",
            d("55"),
            19,
        ));
    }
    let res = catalog::import_articles(&h.core).await.unwrap();
    assert_eq!(
        res.message,
        "262 Artikel übernommen: 262 neu, 0 aktualisiert."
    );
    let pages = sb
        .requests()
        .into_iter()
        .filter(|q| q.path.starts_with("/v1/articles"))
        .count();
    assert_eq!(pages, 2);
    let fahrt = res.rows.iter().find(|r| r.name == "Fahrtkosten").unwrap();
    assert_eq!(
        (
            fahrt.unit.as_str(),
            fahrt.unit_price_display.as_str(),
            fahrt.art.as_str(),
            fahrt.source.as_str()
        ),
        ("km", "0,30 €", "Fahrt", "lexoffice-Artikel 1001")
    );
    let kartusche = res
        .rows
        .iter()
        .find(|r| r.name == "Silikon, Kartusche")
        .unwrap();
    assert_eq!(
        (kartusche.art.as_str(), kartusche.art_set),
        ("Material", true)
    );
    // Again: updated in place, nothing doubled.
    let again = catalog::import_articles(&h.core).await.unwrap();
    assert_eq!(
        again.message,
        "262 Artikel übernommen: 0 neu, 262 aktualisiert."
    );
    assert_eq!(again.rows.len(), 262);

    // An own item besides them.
    let rows = catalog::save(
        &h.core,
        CatalogInput {
            name: "Entsorgung".into(),
            unit: "Pauschal".into(),
            unit_price: "25".into(),
            tax_rate: "19".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let own = rows.iter().find(|r| r.name == "Entsorgung").unwrap().id;

    for (catalog_id, name, qty, unit, price) in [
        (Some(fahrt.id), "Fahrtkosten", "42", "km", "0,30"),
        (
            Some(kartusche.id),
            "Silikon, Kartusche",
            "3",
            "Stk.",
            "8,90",
        ),
        (Some(own), "Entsorgung", "1", "Pauschal", "25"),
        // Picked from the catalog, then renamed: no longer that article.
        (Some(fahrt.id), "Fahrt Baumarkt", "10", "km", "0,30"),
    ] {
        p::save_service(
            &h.core,
            ServiceInput {
                project_id: project,
                date: "12.03.2025".into(),
                name: name.into(),
                quantity: qty.into(),
                unit: unit.into(),
                unit_price: price.into(),
                tax_rate: "19".into(),
                catalog_id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let req = InvoiceRequest {
        project_id: project,
        from: "01.03.2025".into(),
        to: "31.03.2025".into(),
        ..Default::default()
    };
    let pv = r::preview(&h.core, req.clone()).await.unwrap();
    r::create(&h.core, req).await.unwrap();
    let draft = &sb.invoices_json()[0];
    let lines: Vec<(String, String, Option<String>)> = draft["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_string(),
                l["name"].as_str().unwrap().to_string(),
                l["id"].as_str().map(str::to_string),
            )
        })
        .collect();
    let t = |k: &str, n: &str, id: Option<String>| (k.to_string(), n.to_string(), id);
    assert_eq!(
        lines,
        vec![
            t("service", "Fahrtkosten", Some(travel.id.to_string())),
            t(
                "material",
                "Silikon, Kartusche",
                Some(silicone.id.to_string())
            ),
            t("custom", "Entsorgung", None),
            t("custom", "Fahrt Baumarkt", None),
        ]
    );
    // The values are sent as on any line: 42 km × 0,30 € + 3 × 8,90 € + 25 € + 3 €.
    assert_eq!(pv.totals.unwrap().net_display, "67,30 €");
    assert_eq!(draft["totalPrice"]["totalNetAmount"].as_f64(), Some(67.3));
}

#[tokio::test]
async fn the_catalog_refuses_what_the_service_form_refuses() {
    let (_sb, h, _project) = setup().await;
    let e = catalog::save(
        &h.core,
        CatalogInput {
            name: "Anfahrt".into(),
            unit: "km".into(),
            unit_price: "abc".into(),
            tax_rate: "19".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), "validation");
    assert!(format!("{e:?}").contains("Einzelpreis"), "{e:?}");
    let e = catalog::save(
        &h.core,
        CatalogInput {
            name: "  ".into(),
            unit_price: "1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(format!("{e:?}").contains("Bezeichnung"), "{e:?}");
    let rows = catalog::list(&h.core).await.unwrap();
    assert!(rows.is_empty());
}

/// A gross-priced lexoffice article (9,99 € per piece at 19 %) keeps its unit
/// gross exactly: its net goes out with four decimals (8,395 €), which
/// lexoffice shows as 9,99 € again; the preview's totals are the sandbox's.
#[tokio::test]
async fn a_gross_priced_article_keeps_its_unit_gross() {
    let (sb, h, project) = setup().await;
    let ties = sb.articles().add(
        Article::product("Kabelbinder, Beutel", "Stk.", d("8.39"), 19).with_gross_price(d("9.99")),
    );
    let res = catalog::import_articles(&h.core).await.unwrap();
    let row = res
        .rows
        .iter()
        .find(|r| r.name == "Kabelbinder, Beutel")
        .unwrap();
    assert_eq!(
        (row.unit_price.as_str(), row.unit_price_display.as_str()),
        ("8,395", "8,395 €")
    );
    p::save_service(
        &h.core,
        ServiceInput {
            project_id: project,
            date: "12.03.2025".into(),
            name: row.name.clone(),
            quantity: "3".into(),
            unit: row.unit.clone(),
            unit_price: row.unit_price.clone(),
            tax_rate: "19".into(),
            catalog_id: Some(row.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let req = InvoiceRequest {
        project_id: project,
        from: "01.03.2025".into(),
        to: "31.03.2025".into(),
        ..Default::default()
    };
    let pv = r::preview(&h.core, req.clone()).await.unwrap();
    r::create(&h.core, req).await.unwrap();
    let draft = &sb.invoices_json()[0];
    let line = &draft["lineItems"][0];
    assert_eq!(line["id"].as_str(), Some(ties.id.to_string().as_str()));
    assert_eq!(line["unitPrice"]["netAmount"].as_f64(), Some(8.395));
    // The unit gross lexoffice derives is 9,99 € to the cent (its precision
    // beyond the cent is undocumented).
    let unit_gross = d(&line["unitPrice"]["grossAmount"].to_string());
    assert_eq!(unit_gross.round_dp(2), d("9.99"));
    // 3 × 8,395 = 25,185 → 25,19 net (lexoffice's rounding), the same in the preview.
    let t = pv.totals.unwrap();
    assert_eq!(t.net_display, "25,19 €");
    assert_eq!(draft["totalPrice"]["totalNetAmount"].as_f64(), Some(25.19));
    assert_eq!(
        draft["totalPrice"]["totalGrossAmount"].as_f64(),
        Some(t.gross.to_string().parse::<f64>().unwrap())
    );
}

#[tokio::test]
async fn above_ten_thousand_articles_are_read_per_type() {
    let sb = support::fast_sandbox(400);
    let h = support::fast_harness(&sb.base_url, 400);
    zeitrechnung_lib::schnittstellen::connect(&h.core, support::KEY.into())
        .await
        .unwrap();
    for i in 0..6_000 {
        sb.articles().add(Article::service(
            &format!("Wartung {i:05}"),
            "Stunde",
            d("55"),
            19,
        ));
    }
    for i in 0..4_100 {
        sb.articles().add(Article::product(
            &format!("Schraube {i:05}"),
            "Stk.",
            d("0.10"),
            19,
        ));
    }
    let res = catalog::import_articles(&h.core).await.unwrap();
    // All 10,100 read; the catalog takes its 5,000 and says so.
    assert_eq!(
        res.message,
        "5.000 Artikel übernommen: 5.000 neu, 0 aktualisiert. Der Leistungskatalog fasst höchstens 5.000 Einträge; 5.100 Artikel sind nicht übernommen."
    );
    assert_eq!(res.rows.len(), 5_000);
    let lists: Vec<String> = sb
        .requests()
        .into_iter()
        .filter(|q| q.path.starts_with("/v1/articles?"))
        .map(|q| {
            assert_eq!(q.status, 200, "{} went past the window", q.path);
            q.path
        })
        .collect();
    // The whole window once (40 pages), then each type on its own.
    assert_eq!(lists.len(), 40 + 24 + 17);
    assert_eq!(
        lists.iter().filter(|p| p.contains("type=SERVICE")).count(),
        24
    );
    assert_eq!(
        lists.iter().filter(|p| p.contains("type=PRODUCT")).count(),
        17
    );
}
