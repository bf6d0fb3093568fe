//! `GET /v1/contacts` and `GET /v1/contacts/{id}` (docs/lexoffice.md › Contacts). Legacy error
//! format (docs/lexoffice.md › Error bodies).
//!
//! Query semantics:
//! * `customer`, `vendor` (`true`/`false`), `name`, `email`, `number` are ANDed;
//!   a repeated parameter counts with its first value; unknown ones are ignored.
//! * `name`/`email` must be 3..=128 characters, else 400 `bad_request_error`.
//!   They are case-insensitive substring matches with SQL-like wildcards (`_`
//!   one char, `%` any run, `\` escapes). As the real API stores names
//!   HTML-encoded, the stored text is matched in its HTML-encoded form: a client
//!   must send `&amp;` (URL-encoded `%26amp%3B`) to find `Müller & Söhne`.
//! * `name` matches the company name, or `"{firstName} {lastName}"` of a person;
//!   `email` matches any address in `emailAddresses` or of a contact person.
//! * `number` matches the customer or vendor number.
//! * `page` (0-based) and `size` (default 25, max 250) behave like Spring's
//!   pageable resolver: unparseable or negative page → 0, unparseable or < 1
//!   size → 25, size > 250 → 250.
//! * Fixed order: name ascending (case-insensitive), then id. Archived contacts
//!   are included. A page past the end has empty `content` and `last: true`.

use axum::body::Body;
use axum::http::Response;
use serde::Serialize;
use uuid::Uuid;

use crate::errors::{json_response, legacy_body, Issue};
use crate::state::{Contact, ContactStore};

pub const DEFAULT_PAGE_SIZE: usize = 25;
pub const MAX_PAGE_SIZE: usize = 250;
pub const MIN_SEARCH_LEN: usize = 3;
pub const MAX_SEARCH_LEN: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    One,
    Any,
}

/// SQL-LIKE-style substring pattern (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LikePattern(Vec<Tok>);

impl LikePattern {
    pub fn new(pattern: &str) -> Self {
        let mut toks = vec![Tok::Any];
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => toks.push(Tok::Any),
                '_' => toks.push(Tok::One),
                '\\' => {
                    let lit = chars.next().unwrap_or('\\');
                    toks.extend(lit.to_lowercase().map(Tok::Lit));
                }
                c => toks.extend(c.to_lowercase().map(Tok::Lit)),
            }
        }
        toks.push(Tok::Any);
        LikePattern(toks)
    }

    pub fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.to_lowercase().chars().collect();
        let p = &self.0;
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() {
                match p[pi] {
                    Tok::Any => {
                        star = Some((pi, ti));
                        pi += 1;
                        continue;
                    }
                    Tok::One => {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                    Tok::Lit(c) if c == t[ti] => {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                    Tok::Lit(_) => {}
                }
            }
            match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            }
        }
        while pi < p.len() && p[pi] == Tok::Any {
            pi += 1;
        }
        pi == p.len()
    }
}

/// `&`, `<`, `>` as the real API stores them.
pub fn html_encode(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The filters of `GET /v1/contacts`.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub customer: Option<bool>,
    pub vendor: Option<bool>,
    pub name: Option<LikePattern>,
    pub email: Option<LikePattern>,
    pub number: Option<i64>,
}

impl ContactFilter {
    pub fn matches(&self, c: &Contact) -> bool {
        if let Some(want) = self.customer {
            if c.roles.customer.is_some() != want {
                return false;
            }
        }
        if let Some(want) = self.vendor {
            if c.roles.vendor.is_some() != want {
                return false;
            }
        }
        if let Some(n) = self.number {
            let hit = c.customer_number().map(i64::from) == Some(n)
                || c.vendor_number().map(i64::from) == Some(n);
            if !hit {
                return false;
            }
        }
        if let Some(p) = &self.name {
            if !p.matches(&html_encode(&c.display_name())) {
                return false;
            }
        }
        if let Some(p) = &self.email {
            let persons = c
                .company
                .iter()
                .flat_map(|co| co.contact_persons.iter())
                .filter_map(|cp| cp.email_address.as_ref());
            let mut all = c.email_addresses.iter().chain(persons);
            if !all.any(|e| p.matches(&html_encode(e))) {
                return false;
            }
        }
        true
    }
}

#[derive(Debug, Clone)]
pub struct ListParams {
    pub filter: ContactFilter,
    pub page: usize,
    pub size: usize,
}

fn bad_request(source: &str) -> Issue {
    Issue::new("bad_request_error", Some(source), "validation_failure")
}

fn parse_bool(name: &str, v: &str) -> Result<bool, Issue> {
    match v.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad_request(name)),
    }
}

fn search(v: &str) -> Result<LikePattern, Issue> {
    let len = v.chars().count();
    if !(MIN_SEARCH_LEN..=MAX_SEARCH_LEN).contains(&len) {
        return Err(bad_request(&format!(
            "size must be between {MIN_SEARCH_LEN} and {MAX_SEARCH_LEN}"
        )));
    }
    Ok(LikePattern::new(v))
}

/// Parses the raw query string (without `?`).
pub fn parse_list_query(query: Option<&str>) -> Result<ListParams, Issue> {
    let mut seen: Vec<String> = Vec::new();
    let mut params = ListParams {
        filter: ContactFilter::default(),
        page: 0,
        size: DEFAULT_PAGE_SIZE,
    };
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if seen.iter().any(|s| *s == k) {
            continue;
        }
        seen.push(k.to_string());
        let v = v.as_ref();
        match k.as_ref() {
            "customer" => params.filter.customer = Some(parse_bool("customer", v)?),
            "vendor" => params.filter.vendor = Some(parse_bool("vendor", v)?),
            "name" => params.filter.name = Some(search(v)?),
            "email" => params.filter.email = Some(search(v)?),
            "number" => {
                params.filter.number = Some(v.trim().parse().map_err(|_| bad_request("number"))?)
            }
            "page" => params.page = v.trim().parse::<usize>().unwrap_or(0),
            "size" => {
                params.size = match v.trim().parse::<usize>() {
                    Ok(0) | Err(_) => DEFAULT_PAGE_SIZE,
                    Ok(n) => n.min(MAX_PAGE_SIZE),
                }
            }
            _ => {}
        }
    }
    Ok(params)
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SortOrder {
    pub direction: &'static str,
    pub property: &'static str,
    pub ignore_case: bool,
    pub null_handling: &'static str,
    pub ascending: bool,
}

/// The page envelope of docs/lexoffice.md › Contacts, fields in the documented order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub content: Vec<T>,
    pub first: bool,
    pub last: bool,
    pub total_pages: usize,
    pub total_elements: usize,
    pub number_of_elements: usize,
    pub size: usize,
    pub number: usize,
    pub sort: Vec<SortOrder>,
}

pub fn envelope<T>(content: Vec<T>, total: usize, page: usize, size: usize) -> Page<T> {
    let total_pages = if total == 0 { 0 } else { total.div_ceil(size) };
    Page {
        number_of_elements: content.len(),
        content,
        first: page == 0,
        last: page.saturating_add(1) >= total_pages,
        total_pages,
        total_elements: total,
        size,
        number: page,
        sort: vec![SortOrder {
            direction: "ASC",
            property: "name",
            ignore_case: false,
            null_handling: "NATIVE",
            ascending: true,
        }],
    }
}

/// `GET /v1/contacts?...`
pub fn list(store: &ContactStore, query: Option<&str>) -> Response<Body> {
    let params = match parse_list_query(query) {
        Ok(p) => p,
        Err(issue) => return json_response(400, &legacy_body(&[issue])),
    };
    let (items, total) = store.query(|c| params.filter.matches(c), params.page, params.size);
    json_response(200, &envelope(items, total, params.page, params.size))
}

/// `GET /v1/contacts/{id}`
pub fn get(store: &ContactStore, id: &str) -> Response<Body> {
    match Uuid::parse_str(id).ok().and_then(|id| store.get(id)) {
        Some(c) => json_response(200, &c),
        None => json_response(
            404,
            &legacy_body(&[Issue::new("not_found", Some("contact"), "not_found")]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let p = LikePattern::new("müller");
        assert!(p.matches("Hans MÜLLER GmbH"));
        assert!(!p.matches("Mueller"));
        assert!(LikePattern::new("m_ller").matches("Möller KG"));
        assert!(LikePattern::new("bau%gmbh").matches("Schulz Bauunternehmung GmbH"));
        assert!(!LikePattern::new("gmbh%bau").matches("Schulz Bauunternehmung GmbH"));
        assert!(LikePattern::new("a\\_b").matches("x a_b y"));
        assert!(!LikePattern::new("a\\_b").matches("x acb y"));
        assert!(LikePattern::new("100\\%").matches("100% Bio"));
        assert!(!LikePattern::new("100\\%").matches("1000 Bio"));
        assert!(LikePattern::new("%%%").matches(""));
        assert!(LikePattern::new("aab").matches("aaab"));
    }

    #[test]
    fn html_encoded_matching() {
        let c = Contact::company("Müller & Söhne Bau");
        let f = |n: &str| ContactFilter {
            name: Some(LikePattern::new(n)),
            ..ContactFilter::default()
        };
        assert!(f("müller &amp; söhne").matches(&c));
        assert!(!f("müller & söhne").matches(&c));
    }

    #[test]
    fn query_parsing() {
        let p = parse_list_query(Some("customer=true&name=abc&page=2&size=999&name=x")).unwrap();
        assert_eq!(p.filter.customer, Some(true));
        assert!(p.filter.name.is_some());
        assert_eq!((p.page, p.size), (2, 250));
        let p = parse_list_query(Some("page=-1&size=0")).unwrap();
        assert_eq!((p.page, p.size), (0, 25));
        let p = parse_list_query(None).unwrap();
        assert_eq!((p.page, p.size), (0, 25));
        assert_eq!(
            parse_list_query(Some("name=ab")).unwrap_err().i18n_key,
            "bad_request_error"
        );
        assert!(parse_list_query(Some(&format!("email={}", "x".repeat(129)))).is_err());
        assert!(parse_list_query(Some(&format!("email={}", "x".repeat(128)))).is_ok());
        assert!(parse_list_query(Some("customer=yes")).is_err());
        assert!(parse_list_query(Some("number=abc")).is_err());
        // Three characters counted after URL decoding: "äöü".
        assert!(parse_list_query(Some("name=%C3%A4%C3%B6%C3%BC")).is_ok());
    }

    #[test]
    fn envelope_values() {
        let e = envelope(Vec::<()>::new(), 612, 2, 250);
        assert_eq!((e.total_pages, e.last, e.first), (3, true, false));
        let e = envelope(Vec::<()>::new(), 0, 0, 25);
        assert_eq!((e.total_pages, e.last, e.first), (0, true, true));
        let e = envelope(Vec::<()>::new(), 500, 0, 250);
        assert!(!e.last);
    }
}
