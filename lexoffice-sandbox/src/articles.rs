//! Articles: `GET /v1/articles`, `GET /v1/articles/{id}`, `POST /v1/articles`
//! (docs/lexoffice.md › Articles). Regular error format.
//!
//! * List filters `type` (`SERVICE` | `PRODUCT`, anything else → 400),
//!   `articleNumber`, `gtin` (exact matches), ANDed; `page`/`size` as for
//!   contacts (default 25, max 250), same envelope. Fixed order: `title`
//!   ascending (case-insensitive), then id. Archived articles are listed.
//!   At most 10,000 per query, as for contacts (a page past it → 400
//!   „Maximum search window size exceeded“).
//! * `POST` body: `title`, `type`, `unitName`, `price.leadingPrice`
//!   (`NET` | `GROSS`), `price.taxRate` (0, 7 or 19) and the leading price
//!   (`netPrice` for `NET`, `grossPrice` for `GROSS`, at most 4 decimals) are
//!   required; optional `articleNumber`, `gtin`, `description`, `note`. The
//!   other price is derived (`round4`, half-up), a sent one is ignored. 406
//!   with `details` for invalid input, 400 for a value of the wrong JSON
//!   type; 201 `{id, resourceUri, createdDate, updatedDate, version}`.
//! * Prices are JSON numbers. `PUT`/`DELETE` are not implemented (gateway 403).
//! * Invoice lines of type `service`/`material` must name an existing
//!   article by `id` ([`line_item_violations`]); the article fills nothing
//!   in.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Response};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::clock::Clock;
use crate::contacts::{
    envelope, past_window, SortOrder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, WINDOW_EXCEEDED,
};
use crate::errors::{berlin_timestamp, json_response, regular_body};
use crate::invoices::{resource_uri, CreatedWire};
use crate::pricing::{decimal_to_json, field_get, round4, Check, Rejection, Violation};
use crate::Shared;

/// `type` values of an article.
pub const ARTICLE_TYPES: &[&str] = &["PRODUCT", "SERVICE"];
/// `price.leadingPrice` values.
pub const LEADING_PRICES: &[&str] = &["NET", "GROSS"];
/// Tax rates an article may have.
pub const ARTICLE_TAX_RATES: [u32; 3] = [0, 7, 19];

fn ser_dec<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    decimal_to_json(*d).serialize(s)
}

/// `price` of an article; amounts are JSON numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticlePrice {
    #[serde(serialize_with = "ser_dec")]
    pub net_price: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub gross_price: Decimal,
    /// `NET` or `GROSS`.
    pub leading_price: String,
    #[serde(serialize_with = "ser_dec")]
    pub tax_rate: Decimal,
}

impl ArticlePrice {
    /// Net leading, gross derived.
    pub fn net(net: Decimal, tax_rate: Decimal) -> ArticlePrice {
        ArticlePrice {
            net_price: net,
            gross_price: round4(net * (Decimal::ONE + tax_rate / Decimal::ONE_HUNDRED)),
            leading_price: "NET".to_string(),
            tax_rate,
        }
    }

    /// Gross leading, net derived.
    pub fn gross(gross: Decimal, tax_rate: Decimal) -> ArticlePrice {
        ArticlePrice {
            net_price: round4(gross / (Decimal::ONE + tax_rate / Decimal::ONE_HUNDRED)),
            gross_price: gross,
            leading_price: "GROSS".to_string(),
            tax_rate,
        }
    }
}

/// An article exactly as `GET /v1/articles/{id}` returns it (fields in that
/// order; absent optional texts are omitted).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_date: String,
    pub updated_date: String,
    pub archived: bool,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `SERVICE` or `PRODUCT`.
    #[serde(rename = "type")]
    pub article_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub unit_name: String,
    pub price: ArticlePrice,
    pub version: i64,
}

impl Article {
    fn new(article_type: &str, title: &str, unit_name: &str, net: Decimal, rate: u32) -> Article {
        Article {
            id: Uuid::nil(),
            organization_id: Uuid::nil(),
            created_date: String::new(),
            updated_date: String::new(),
            archived: false,
            title: title.to_string(),
            description: None,
            article_type: article_type.to_string(),
            article_number: None,
            gtin: None,
            note: None,
            unit_name: unit_name.to_string(),
            price: ArticlePrice::net(net, Decimal::from(rate)),
            version: 1,
        }
    }

    /// A `SERVICE` article with a net leading price (gross derived). Id,
    /// organisation and dates are filled in by [`ArticleStore::add`].
    pub fn service(title: &str, unit_name: &str, net_price: Decimal, tax_rate: u32) -> Article {
        Article::new("SERVICE", title, unit_name, net_price, tax_rate)
    }

    /// A `PRODUCT` article with a net leading price (gross derived).
    pub fn product(title: &str, unit_name: &str, net_price: Decimal, tax_rate: u32) -> Article {
        Article::new("PRODUCT", title, unit_name, net_price, tax_rate)
    }

    /// Makes the gross price the leading one (net derived), same tax rate.
    pub fn with_gross_price(mut self, gross: Decimal) -> Article {
        self.price = ArticlePrice::gross(gross, self.price.tax_rate);
        self
    }

    pub fn with_article_number(mut self, number: &str) -> Article {
        self.article_number = Some(number.to_string());
        self
    }

    pub fn with_gtin(mut self, gtin: &str) -> Article {
        self.gtin = Some(gtin.to_string());
        self
    }

    pub fn with_description(mut self, text: &str) -> Article {
        self.description = Some(text.to_string());
        self
    }

    pub fn with_note(mut self, text: &str) -> Article {
        self.note = Some(text.to_string());
        self
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[derive(Debug)]
struct Inner {
    organization_id: Uuid,
    items: Vec<Article>,
    clock: Option<Arc<Clock>>,
}

/// Shared, thread-safe article store (cheap to clone, like the contact store).
#[derive(Debug, Clone)]
pub struct ArticleStore {
    inner: Arc<RwLock<Inner>>,
}

impl ArticleStore {
    pub fn new(organization_id: Uuid) -> Self {
        ArticleStore {
            inner: Arc::new(RwLock::new(Inner {
                organization_id,
                items: Vec::new(),
                clock: None,
            })),
        }
    }

    /// Dates from this clock instead of the real one.
    pub fn with_clock(self, clock: Arc<Clock>) -> Self {
        self.write().clock = Some(clock);
        self
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores an article and returns it as stored: a nil id gets a fresh one,
    /// `organizationId` is the store's, empty dates become "now", a
    /// `version` below 1 becomes 1. An article with the same id is replaced.
    pub fn add(&self, mut article: Article) -> Article {
        let mut inner = self.write();
        if article.id.is_nil() {
            article.id = Uuid::new_v4();
        }
        article.organization_id = inner.organization_id;
        let now = berlin_timestamp(
            inner
                .clock
                .as_ref()
                .map(|c| c.now())
                .unwrap_or_else(Utc::now),
        );
        if article.created_date.is_empty() {
            article.created_date = now.clone();
        }
        if article.updated_date.is_empty() {
            article.updated_date = now;
        }
        article.version = article.version.max(1);
        inner.items.retain(|a| a.id != article.id);
        inner.items.push(article.clone());
        article
    }

    pub fn get(&self, id: Uuid) -> Option<Article> {
        self.read().items.iter().find(|a| a.id == id).cloned()
    }

    pub fn contains(&self, id: Uuid) -> bool {
        self.read().items.iter().any(|a| a.id == id)
    }

    pub fn remove(&self, id: Uuid) -> Option<Article> {
        let mut inner = self.write();
        let pos = inner.items.iter().position(|a| a.id == id)?;
        Some(inner.items.remove(pos))
    }

    pub fn len(&self) -> usize {
        self.read().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All articles in API order (title case-insensitive, then id).
    pub fn all(&self) -> Vec<Article> {
        self.query(|_| true, 0, usize::MAX).0
    }

    /// Filters, sorts and returns one page plus the number of matches.
    pub fn query(
        &self,
        keep: impl Fn(&Article) -> bool,
        page: usize,
        size: usize,
    ) -> (Vec<Article>, usize) {
        let inner = self.read();
        let mut hits: Vec<&Article> = inner.items.iter().filter(|a| keep(a)).collect();
        hits.sort_by(|a, b| {
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then_with(|| a.id.cmp(&b.id))
        });
        let total = hits.len();
        let items = hits
            .into_iter()
            .skip(page.saturating_mul(size))
            .take(size)
            .cloned()
            .collect();
        (items, total)
    }
}

/// The filters and paging of `GET /v1/articles`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleQuery {
    pub article_type: Option<String>,
    pub article_number: Option<String>,
    pub gtin: Option<String>,
    pub page: usize,
    pub size: usize,
}

impl ArticleQuery {
    pub fn matches(&self, a: &Article) -> bool {
        self.article_type
            .as_ref()
            .is_none_or(|t| *t == a.article_type)
            && self
                .article_number
                .as_ref()
                .is_none_or(|n| a.article_number.as_ref() == Some(n))
            && self
                .gtin
                .as_ref()
                .is_none_or(|g| a.gtin.as_ref() == Some(g))
    }
}

/// Parses the query string; `Err` = the message of a 400.
pub fn parse_query(query: Option<&str>) -> Result<ArticleQuery, String> {
    let mut q = ArticleQuery {
        size: DEFAULT_PAGE_SIZE,
        ..ArticleQuery::default()
    };
    let mut seen: Vec<String> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if seen.iter().any(|s| *s == k) {
            continue;
        }
        seen.push(k.to_string());
        match k.as_ref() {
            "type" => {
                if !ARTICLE_TYPES.contains(&v.as_ref()) {
                    return Err(format!(
                        "Failed to convert value '{v}' of parameter 'type' (allowed: SERVICE, PRODUCT)"
                    ));
                }
                q.article_type = Some(v.into_owned());
            }
            "articleNumber" => q.article_number = Some(v.into_owned()),
            "gtin" => q.gtin = Some(v.into_owned()),
            "page" => q.page = v.trim().parse::<usize>().unwrap_or(0),
            "size" => {
                q.size = match v.trim().parse::<usize>() {
                    Ok(0) | Err(_) => DEFAULT_PAGE_SIZE,
                    Ok(n) => n.min(MAX_PAGE_SIZE),
                }
            }
            _ => {}
        }
    }
    Ok(q)
}

/// `GET /v1/articles?...`
pub(crate) fn list(shared: &Shared, path: &str, query: Option<&str>) -> Response<Body> {
    let q = match parse_query(query) {
        Ok(q) => q,
        Err(msg) => {
            return json_response(400, &regular_body(shared.wall_now(), 400, path, &msg, None))
        }
    };
    if past_window(q.page, q.size) {
        return json_response(
            400,
            &regular_body(shared.wall_now(), 400, path, WINDOW_EXCEEDED, None),
        );
    }
    let (items, total) = shared.articles.query(|a| q.matches(a), q.page, q.size);
    let mut page = envelope(items, total, q.page, q.size);
    page.sort = vec![SortOrder {
        direction: "ASC",
        property: "title",
        ignore_case: false,
        null_handling: "NATIVE",
        ascending: true,
    }];
    json_response(200, &page)
}

/// `GET /v1/articles/{id}`
pub(crate) fn get(shared: &Shared, path: &str, id: &str) -> Response<Body> {
    match Uuid::parse_str(id)
        .ok()
        .and_then(|id| shared.articles.get(id))
    {
        Some(a) => json_response(200, &a),
        None => json_response(
            404,
            &regular_body(shared.wall_now(), 404, path, "Resource not found.", None),
        ),
    }
}

/// Validates a `POST /v1/articles` body into an article (without id, dates).
pub fn read_article(body: &Value) -> Result<Article, Rejection> {
    let mut c = Check::default();
    let Value::Object(root) = body else {
        return Err(Rejection::malformed(vec![Violation::new(
            "INVALID_FORMAT",
            "",
            "JSON-Objekt erwartet",
        )]));
    };
    let root = Some(root);
    let title = c.required_string(field_get(root, "title"), "title");
    let article_type = match field_get(root, "type") {
        None => {
            c.missing("type");
            None
        }
        t => c.enumeration(t, "type", ARTICLE_TYPES),
    };
    let unit_name = c.required_string(field_get(root, "unitName"), "unitName");
    let article_number = c.text(field_get(root, "articleNumber"), "articleNumber", 255);
    let gtin = c.text(field_get(root, "gtin"), "gtin", 14);
    let description = c.text(field_get(root, "description"), "description", 2000);
    let note = c.text(field_get(root, "note"), "note", 1000);
    let price = match field_get(root, "price") {
        None => {
            c.missing("price");
            None
        }
        p => c.object(p, "price"),
    };
    let mut priced = None;
    if let Some(p) = price {
        let p = Some(p);
        let leading = match field_get(p, "leadingPrice") {
            None => {
                c.missing("price.leadingPrice");
                None
            }
            l => c.enumeration(l, "price.leadingPrice", LEADING_PRICES),
        };
        let rate = match field_get(p, "taxRate") {
            None => {
                c.missing("price.taxRate");
                None
            }
            r => c.decimal(r, "price.taxRate"),
        };
        let rate = rate.filter(|r| {
            let ok = ARTICLE_TAX_RATES.iter().any(|a| Decimal::from(*a) == *r);
            if !ok {
                c.invalid(
                    "INVALID_VALUE",
                    "price.taxRate",
                    format!("Steuersatz {r} ist nicht erlaubt (0, 7, 19)"),
                );
            }
            ok
        });
        let key = match leading {
            Some("GROSS") => Some("grossPrice"),
            Some(_) => Some("netPrice"),
            None => None,
        };
        let amount = key.and_then(|key| {
            let field = format!("price.{key}");
            match field_get(p, key) {
                None => {
                    c.missing(&field);
                    None
                }
                v => {
                    let d = c.decimal(v, &field)?;
                    c.digits(d, &field, 4);
                    if d < Decimal::ZERO {
                        c.invalid("RANGE", &field, "darf nicht negativ sein");
                    }
                    Some(d)
                }
            }
        });
        if let (Some(l), Some(r), Some(a)) = (leading, rate, amount) {
            priced = Some(if l == "GROSS" {
                ArticlePrice::gross(a, r)
            } else {
                ArticlePrice::net(a, r)
            });
        }
    }
    if !c.malformed.is_empty() {
        return Err(Rejection::malformed(c.malformed));
    }
    if !c.invalid.is_empty() {
        return Err(Rejection::invalid(c.invalid));
    }
    let (Some(title), Some(article_type), Some(unit_name), Some(price)) =
        (title, article_type, unit_name, priced)
    else {
        return Err(Rejection::invalid(Vec::new()));
    };
    Ok(Article {
        id: Uuid::nil(),
        organization_id: Uuid::nil(),
        created_date: String::new(),
        updated_date: String::new(),
        archived: false,
        title,
        description,
        article_type: article_type.to_string(),
        article_number,
        gtin,
        note,
        unit_name,
        price,
        version: 1,
    })
}

fn rejection_response(shared: &Shared, path: &str, r: &Rejection) -> Response<Body> {
    let details = (!r.details.is_empty())
        .then(|| serde_json::to_value(&r.details).ok())
        .flatten();
    json_response(
        r.status,
        &regular_body(shared.wall_now(), r.status, path, &r.message, details),
    )
}

/// `POST /v1/articles` (content type already checked).
pub(crate) fn create(shared: &Shared, parts: &Parts, body: &[u8]) -> Response<Body> {
    let path = parts.uri.path();
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let msg = if body.iter().all(u8::is_ascii_whitespace) {
                "Required request body is missing".to_string()
            } else {
                format!("JSON parse error: {e}")
            };
            return json_response(400, &regular_body(shared.wall_now(), 400, path, &msg, None));
        }
    };
    let article = match read_article(&value) {
        Ok(a) => shared.articles.add(a),
        Err(r) => return rejection_response(shared, path, &r),
    };
    let uri = resource_uri(shared, parts, "articles", article.id);
    let mut resp = json_response(
        201,
        &CreatedWire {
            id: article.id,
            resource_uri: uri.clone(),
            created_date: article.created_date.clone(),
            updated_date: article.updated_date.clone(),
            version: article.version,
        },
    );
    if let Ok(v) = HeaderValue::from_str(&uri) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Invoice lines of type `service`/`material` whose (well-formed) `id` names
/// no stored article → 406 on `lineItems[i].id`. A missing or malformed id is
/// reported by [`crate::price_invoice`] itself.
pub fn line_item_violations(body: &Value, articles: &ArticleStore) -> Vec<Violation> {
    let Some(items) = body.get("lineItems").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let t = item.get("type").and_then(Value::as_str)?;
            if t != "service" && t != "material" {
                return None;
            }
            let raw = item.get("id").and_then(Value::as_str)?;
            let id = Uuid::parse_str(raw).ok().filter(|_| raw.len() == 36)?;
            (!articles.contains(id)).then(|| {
                Violation::new(
                    "INVALID_REFERENCE",
                    &format!("lineItems[{i}].id"),
                    format!("Artikel {id} existiert nicht"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn derived_prices() {
        let p = ArticlePrice::net(d("0.30"), d("19"));
        assert_eq!(p.gross_price, d("0.357"));
        let p = ArticlePrice::gross(d("11.90"), d("19"));
        assert_eq!(p.net_price, d("10"));
        let p = ArticlePrice::gross(d("10"), d("7"));
        assert_eq!(p.net_price, d("9.3458"));
    }

    #[test]
    fn json_shape_numbers_and_order() {
        let store = ArticleStore::new(Uuid::nil());
        let a = store.add(Article::service("Fahrtkosten", "km", d("0.30"), 19));
        let j = a.to_json();
        assert_eq!(j["price"]["netPrice"], json!(0.3));
        assert_eq!(j["price"]["grossPrice"], json!(0.357));
        assert_eq!(j["price"]["taxRate"], json!(19));
        assert_eq!(j["price"]["leadingPrice"], "NET");
        assert_eq!(j["type"], "SERVICE");
        assert_eq!(j["archived"], false);
        assert_eq!(j["version"], 1);
        assert!(j.get("gtin").is_none());
        let text = serde_json::to_string(&a).unwrap();
        let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(pos("id") < pos("organizationId") && pos("title") < pos("type"));
        assert!(pos("unitName") < pos("price") && pos("price") < pos("version"));
    }

    #[test]
    fn read_article_rules() {
        let ok = json!({"title":"Silikon","type":"PRODUCT","unitName":"Stk.",
            "price":{"leadingPrice":"GROSS","grossPrice":11.9,"netPrice":1,"taxRate":19}});
        let a = read_article(&ok).unwrap();
        assert_eq!(a.price.net_price, d("10"), "sent netPrice ignored");
        let fields = |v: Value| {
            read_article(&v)
                .unwrap_err()
                .fields()
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(json!({})), ["title", "type", "unitName", "price"]);
        assert_eq!(
            fields(json!({"title":"x","type":"WARE","unitName":"h",
                "price":{"leadingPrice":"NET","taxRate":16}})),
            ["type", "price.taxRate", "price.netPrice"]
        );
        assert_eq!(
            fields(json!({"title":"x","type":"SERVICE","unitName":"h","price":{"taxRate":7}})),
            ["price.leadingPrice"]
        );
        let r = read_article(&json!({"title":5,"type":"SERVICE","unitName":"h",
            "price":{"leadingPrice":"NET","netPrice":"1","taxRate":7}}))
        .unwrap_err();
        assert_eq!(r.status, 400);
        assert_eq!(r.fields(), ["title", "price.netPrice"]);
    }

    #[test]
    fn query_filters() {
        let q = parse_query(Some("type=PRODUCT&gtin=123&page=1&size=999")).unwrap();
        assert_eq!(q.article_type.as_deref(), Some("PRODUCT"));
        assert_eq!((q.page, q.size), (1, 250));
        assert!(parse_query(Some("type=service")).is_err());
        let a = Article::product("A", "Stk.", d("1"), 19).with_gtin("123");
        assert!(q.matches(&a));
        assert!(!q.matches(&Article::service("A", "h", d("1"), 19)));
    }
}
