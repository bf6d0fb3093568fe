//! Einstellungen › Leistungen: the Leistungskatalog (docs/architecture.md ›
//! Leistungskatalog). An item is checked by the service form's own rule
//! (`model::entry_rules::service_kind`), so nothing the form would refuse gets in.
//! „Artikel aus lexoffice importieren“ reads `GET /v1/articles` page by page
//! and merges by article id; a service chosen from an imported item goes on
//! the draft as `service`/`material` with the article's id.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::core::{blocking, Core};
use crate::de::format::{count_de, format_de};
use crate::error::{AppError, AppResult};
use crate::lexoffice::types::decimal_of;
use crate::lexoffice::Article;
use crate::model::entry_rules::{service_kind, ServiceInput};
use crate::storage::{ArticleRef, CatalogItem, EntryKind, ServiceArt, Store};

/// Items the catalog holds at most (a small firm has dozens; lexoffice accounts
/// with more articles are cut with a note).
pub const MAX_ITEMS: usize = 5_000;

/// One item as the list and the type-ahead show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CatalogRow {
    pub id: u64,
    pub name: String,
    pub unit: String,
    /// As the form shows it: „12,40“.
    pub unit_price: String,
    /// „12,40 €“
    pub unit_price_display: String,
    /// „19“
    pub tax_rate: String,
    /// „19 %“
    pub tax_rate_display: String,
    /// „Arbeit“, „Material“, „Fahrt“ (as stored or by the unit).
    pub art: String,
    /// The Art was chosen (not derived from the unit).
    pub art_set: bool,
    /// „lexoffice-Artikel 1001“, „lexoffice-Artikel“, or empty.
    pub source: String,
}

/// The form „Leistung“ of Einstellungen › Leistungen, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogInput {
    pub id: Option<u64>,
    pub name: String,
    pub unit: String,
    pub unit_price: String,
    pub tax_rate: String,
    pub art: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArticleImport {
    pub rows: Vec<CatalogRow>,
    /// „12 Artikel übernommen: 9 neu, 3 aktualisiert.“
    pub message: String,
}

fn row(i: &CatalogItem) -> CatalogRow {
    CatalogRow {
        id: i.id,
        name: i.name.clone(),
        unit: i.unit.clone(),
        unit_price: format_de(i.unit_price, 2),
        unit_price_display: format!("{} €", format_de(i.unit_price, 2)),
        tax_rate: i.tax_rate.normalize().to_string(),
        tax_rate_display: format!("{} %", format_de(i.tax_rate, 0)),
        art: i
            .art
            .unwrap_or_else(|| ServiceArt::default_for(&i.unit))
            .label()
            .to_string(),
        art_set: i.art.is_some(),
        source: match (&i.article, i.article_number.as_str()) {
            (Some(_), "") => "lexoffice-Artikel".into(),
            (Some(_), n) => format!("lexoffice-Artikel {n}"),
            (None, _) => String::new(),
        },
    }
}

fn rows(items: &[CatalogItem]) -> Vec<CatalogRow> {
    let mut out: Vec<CatalogRow> = items.iter().map(row).collect();
    out.sort_by_key(|r| r.name.to_lowercase());
    out
}

pub async fn list(core: &Core) -> AppResult<Vec<CatalogRow>> {
    let store = core.store.clone();
    blocking(move || Ok(rows(&store.settings()?.catalog))).await
}

/// Checks the typed values with the service form's rule.
fn checked(
    input: &CatalogInput,
) -> AppResult<(String, String, Decimal, Decimal, Option<ServiceArt>)> {
    let probe = ServiceInput {
        date: "01.01.2026".into(),
        name: input.name.clone(),
        quantity: "1".into(),
        unit: input.unit.clone(),
        unit_price: input.unit_price.clone(),
        tax_rate: input.tax_rate.clone(),
        art: input.art.clone(),
        ..Default::default()
    };
    match service_kind(&probe, crate::de::clock::today_berlin())?.1 {
        EntryKind::Service {
            name,
            unit,
            unit_price,
            tax_rate,
            art,
            ..
        } => Ok((name, unit, unit_price, tax_rate, art)),
        EntryKind::Time { .. } => Err(AppError::Internal("Leistung erwartet".into())),
    }
}

pub async fn save(core: &Core, input: CatalogInput) -> AppResult<Vec<CatalogRow>> {
    let (name, unit, unit_price, tax_rate, art) = checked(&input)?;
    let store = core.store.clone();
    blocking(move || {
        let id = match input.id {
            Some(id) => id,
            None => store.next_id()?,
        };
        let mut missing = false;
        let mut full = false;
        let s = store.update_settings(|s| {
            let count = s.catalog.len();
            match s.catalog.iter_mut().find(|i| i.id == id) {
                Some(item) => {
                    item.name = name.clone();
                    item.unit = unit.clone();
                    item.unit_price = unit_price;
                    item.tax_rate = tax_rate;
                    item.art = art;
                }
                None if input.id.is_some() => missing = true,
                None if count >= MAX_ITEMS => full = true,
                None => s.catalog.push(CatalogItem {
                    id,
                    name: name.clone(),
                    unit: unit.clone(),
                    unit_price,
                    tax_rate,
                    art,
                    article: None,
                    article_number: String::new(),
                }),
            }
        })?;
        if missing {
            return Err(AppError::NotFound(
                "Diese Leistung gibt es im Katalog nicht mehr.".into(),
            ));
        }
        if full {
            return Err(AppError::validation(
                "Bezeichnung",
                format!("Der Leistungskatalog ist voll ({MAX_ITEMS} Einträge)."),
            ));
        }
        Ok(rows(&s.catalog))
    })
    .await
}

pub async fn delete(core: &Core, id: u64) -> AppResult<Vec<CatalogRow>> {
    let store = core.store.clone();
    blocking(move || {
        let s = store.update_settings(|s| s.catalog.retain(|i| i.id != id))?;
        Ok(rows(&s.catalog))
    })
    .await
}

/// The net unit price of a gross one, to four decimals (lexoffice's limit).
pub fn net_of_gross(gross: Decimal, rate: Decimal) -> Decimal {
    (gross * Decimal::from(100) / (Decimal::from(100) + rate))
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// An article as a catalog item; None: archived or without a usable price.
fn from_article(a: &Article) -> Option<(String, String, Decimal, Decimal, bool)> {
    if a.archived || a.title.trim().is_empty() {
        return None;
    }
    let price = a.price.as_ref()?;
    let rate = decimal_of(&price.tax_rate)?;
    // A gross-priced article (or one with only a gross price) keeps its unit
    // gross exactly: its net with four decimals, as lexoffice takes them
    // (9,99 € at 19 % → 8,3950 €, which is 9,99 € again; 8,39 € would be
    // 9,98 €; docs/lexoffice.md › Prices with more than two decimals).
    let gross_led = price.leading_price.as_deref() == Some("GROSS");
    let net = match (decimal_of(&price.net_price), decimal_of(&price.gross_price)) {
        (Some(n), _) if !gross_led => n,
        (_, Some(gross)) => net_of_gross(gross, rate),
        (Some(n), None) => n,
        (None, None) => return None,
    };
    let unit = if a.unit_name.trim().is_empty() {
        "Stück".to_string()
    } else {
        a.unit_name.trim().to_string()
    };
    Some((
        a.title.trim().to_string(),
        unit,
        net,
        rate,
        a.kind.eq_ignore_ascii_case("PRODUCT"),
    ))
}

/// Merges lexoffice's articles into the catalog: an item imported before is
/// updated (its own Art kept), a new one added. Returns (added, updated).
pub fn merge_articles(
    items: &mut Vec<CatalogItem>,
    articles: &[Article],
    mut next_id: impl FnMut() -> AppResult<u64>,
    complete: bool,
) -> AppResult<(usize, usize)> {
    let (mut added, mut updated) = (0, 0);
    // An item linked to an article lexoffice no longer lists (archived or
    // deleted) keeps its values but not the link: a draft line must not name it.
    let listed: std::collections::HashSet<&str> = articles
        .iter()
        .filter(|a| !a.archived)
        .map(|a| a.id.as_str())
        .collect();
    for item in items.iter_mut() {
        if complete
            && item
                .article
                .as_ref()
                .is_some_and(|r| !listed.contains(r.id.as_str()))
        {
            item.article = None;
            item.article_number.clear();
        }
    }
    for a in articles {
        let Some((name, unit, net, rate, product)) = from_article(a) else {
            continue;
        };
        let article = ArticleRef {
            id: a.id.clone(),
            product,
        };
        let number = a.article_number.clone().unwrap_or_default();
        let count = items.len();
        match items
            .iter_mut()
            .find(|i| i.article.as_ref().is_some_and(|r| r.id == a.id))
        {
            Some(item) => {
                item.name = name;
                item.unit = unit;
                item.unit_price = net;
                item.tax_rate = rate;
                item.article = Some(article);
                item.article_number = number;
                updated += 1;
            }
            None if count < MAX_ITEMS => {
                items.push(CatalogItem {
                    id: next_id()?,
                    name,
                    unit,
                    unit_price: net,
                    tax_rate: rate,
                    art: product.then_some(ServiceArt::Material),
                    article: Some(article),
                    article_number: number,
                });
                added += 1;
            }
            None => {}
        }
    }
    Ok((added, updated))
}

/// One query's articles, page by page within the result window; `true` when
/// the window was full (more may lie beyond it).
async fn read_articles(
    client: &crate::lexoffice::LexofficeClient,
    key: &crate::secrets::ApiKey,
    kind: Option<&str>,
) -> AppResult<(Vec<crate::lexoffice::Article>, bool)> {
    let mut articles = Vec::new();
    let mut page = 0;
    loop {
        let p = client.articles(key, kind, page).await?;
        let full = crate::lexoffice::window_full(p.total_elements);
        let end = p.last || p.content.is_empty();
        articles.extend(p.content);
        if end || !crate::lexoffice::within_window(page + 1) {
            return Ok((articles, full));
        }
        page += 1;
    }
}

/// „Artikel aus lexoffice importieren“.
pub async fn import_articles(core: &Core) -> AppResult<ArticleImport> {
    let key = core.api_key().await?;
    let client = core.client()?;
    // All articles in one window; more than 10,000 are read per type (the one
    // filter lexoffice offers besides exact numbers). Complete: every article
    // read (links to articles not listed are dropped only then).
    let (mut articles, full) = read_articles(client, &key, None).await?;
    let mut unreached: Vec<&str> = Vec::new();
    if full {
        articles.clear();
        for (kind, label) in [("SERVICE", "Dienstleistungen"), ("PRODUCT", "Produkte")] {
            let (some, full) = read_articles(client, &key, Some(kind)).await?;
            articles.extend(some);
            if full {
                unreached.push(label);
            }
        }
    }
    let complete = unreached.is_empty();
    let beyond = match unreached.as_slice() {
        [] => String::new(),
        kinds => format!(
            " Von den {} zeigt lexoffice nur die ersten 10.000; die übrigen sind nicht übernommen.",
            kinds.join(" und ")
        ),
    };
    let store = core.store.clone();
    blocking(move || {
        // Merged into the catalog as stored in the same transaction: an item
        // another seat saves meanwhile is never overwritten.
        let (mut added, mut updated) = (0, 0);
        let s = store.try_update_settings(|s| {
            (added, updated) =
                merge_articles(&mut s.catalog, &articles, || store.next_id(), complete)?;
            Ok(())
        })?;
        let items = &s.catalog;
        // Priced articles the full catalog had no room for.
        let taken: std::collections::HashSet<&str> = items
            .iter()
            .filter_map(|i| i.article.as_ref().map(|a| a.id.as_str()))
            .collect();
        let cut = articles
            .iter()
            .filter(|a| from_article(a).is_some() && !taken.contains(a.id.as_str()))
            .count();
        let n = |v: usize| format_de(Decimal::from(v), 0);
        let mut message = match added + updated {
            0 => "In lexoffice gibt es keine Artikel mit Preis.".to_string(),
            total => format!(
                "{} Artikel übernommen: {} neu, {} aktualisiert.",
                n(total),
                n(added),
                n(updated)
            ),
        };
        if cut > 0 {
            message += &format!(
                " Der Leistungskatalog fasst höchstens {} Einträge; {} nicht übernommen.",
                n(MAX_ITEMS),
                count_de(cut, "Artikel ist", "Artikel sind")
            );
        }
        message += &beyond;
        Ok(ArticleImport {
            rows: rows(&s.catalog),
            message,
        })
    })
    .await
}

/// The lexoffice article of a service being saved, with the name it was
/// chosen under: from the catalog item picked in the form, else the one the
/// entry already had (an edit keeps it while the Bezeichnung stays).
pub fn article_for(
    store: &Store,
    catalog_id: Option<u64>,
    entry_id: Option<u64>,
) -> AppResult<Option<(ArticleRef, String)>> {
    if let Some(cid) = catalog_id {
        return Ok(store
            .settings()?
            .catalog
            .into_iter()
            .find(|i| i.id == cid)
            .and_then(|i| i.article.map(|a| (a, i.name))));
    }
    let Some(id) = entry_id else { return Ok(None) };
    Ok(match store.entry(id)?.map(|e| e.kind) {
        Some(EntryKind::Service {
            article: Some(a),
            name,
            ..
        }) => Some((a, name)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::str::FromStr;

    fn article(v: serde_json::Value) -> Article {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn articles_become_items_and_merge_by_id() {
        let a = article(
            json!({"id": "a1", "title": "Fahrtkosten", "type": "SERVICE", "unitName": "km",
            "articleNumber": "1001", "price": {"netPrice": 0.3, "grossPrice": 0.357, "leadingPrice": "NET", "taxRate": 19}}),
        );
        let b = article(
            json!({"id": "b2", "title": "Silikon, Kartusche", "type": "PRODUCT", "unitName": "Stk.",
            "price": {"grossPrice": 11.9, "leadingPrice": "GROSS", "taxRate": 19}}),
        );
        let gone = article(
            json!({"id": "c3", "title": "Alt", "type": "PRODUCT", "archived": true,
            "price": {"netPrice": 1, "taxRate": 19}}),
        );
        let mut items = Vec::new();
        let mut n = 0;
        let (added, updated) = merge_articles(
            &mut items,
            &[a.clone(), b, gone],
            || {
                n += 1;
                Ok(n)
            },
            true,
        )
        .unwrap();
        assert_eq!((added, updated), (2, 0));
        assert_eq!(items[0].unit_price, Decimal::from_str("0.3").unwrap());
        assert_eq!(
            items[0].article,
            Some(ArticleRef {
                id: "a1".into(),
                product: false
            })
        );
        assert_eq!(items[0].art, None);
        // Gross only: the net to four decimals (11,90 € gross = 10 € net); goods are Material.
        assert_eq!(items[1].unit_price, Decimal::from_str("10").unwrap());
        assert_eq!(items[1].art, Some(ServiceArt::Material));
        assert_eq!(row(&items[0]).source, "lexoffice-Artikel 1001");
        assert_eq!(row(&items[0]).art, "Fahrt");
        // Again, with a new price: updated in place, the own Art kept.
        items[0].art = Some(ServiceArt::Arbeit);
        let a2 = article(
            json!({"id": "a1", "title": "Fahrtkosten", "type": "SERVICE", "unitName": "km",
            "price": {"netPrice": 0.35, "leadingPrice": "NET", "taxRate": 19}}),
        );
        let (added, updated) = merge_articles(&mut items, &[a2], || Ok(99), true).unwrap();
        assert_eq!((added, updated), (0, 1));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].unit_price, Decimal::from_str("0.35").unwrap());
        assert_eq!(items[0].art, Some(ServiceArt::Arbeit));
        // The cartridge is gone from lexoffice: kept as an own item, unlinked.
        assert_eq!(items[1].article, None);
        assert_eq!(row(&items[1]).source, "");
    }

    /// 9,99 € gross per piece stays 9,99 €: the net is sent with four decimals.
    #[test]
    fn a_gross_priced_article_keeps_its_unit_gross_exactly() {
        let a = article(
            json!({"id": "g1", "title": "Kabelbinder", "type": "PRODUCT", "unitName": "Stk.",
            "price": {"netPrice": 8.39, "grossPrice": 9.99, "leadingPrice": "GROSS", "taxRate": 19}}),
        );
        let mut items = Vec::new();
        merge_articles(&mut items, &[a], || Ok(7), true).unwrap();
        let net = items[0].unit_price;
        assert_eq!(net, Decimal::from_str("8.395").unwrap());
        let gross = (net * Decimal::from_str("1.19").unwrap()).round_dp(2);
        assert_eq!(gross, Decimal::from_str("9.99").unwrap());
        // Rounded to the cent it would be 9,98 €.
        assert_eq!(
            (Decimal::from_str("8.39").unwrap() * Decimal::from_str("1.19").unwrap()).round_dp(2),
            Decimal::from_str("9.98").unwrap()
        );
        for (gross, rate, net) in [
            ("11.9", "19", "10"),
            ("1.07", "7", "1"),
            ("0.99", "19", "0.8319"),
        ] {
            assert_eq!(
                net_of_gross(
                    Decimal::from_str(gross).unwrap(),
                    Decimal::from_str(rate).unwrap()
                ),
                Decimal::from_str(net).unwrap()
            );
        }
    }
}
