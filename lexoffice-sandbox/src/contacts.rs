//! `GET /v1/contacts`, `GET /v1/contacts/{id}` (docs/lexoffice.md › Contacts),
//! `POST /v1/contacts` and `PUT /v1/contacts/{id}` (docs/lexoffice.md ›
//! Creating and updating contacts). Legacy error format (docs/lexoffice.md ›
//! Error bodies).
//!
//! Writes ([`read_contact`] validates both):
//! * 400 `bad_request_error` for a body that is not a JSON object or a value
//!   of the wrong JSON type (`source` = the field); otherwise every problem
//!   at once as 406 entries `{i18nKey, source, type: "validation_failure"}`:
//!   `missing_entity` for what is required and absent (or blank),
//!   `invalid_value` for everything else.
//! * `version`: required; 0 on `POST`; on `PUT` the stored one, else 409
//!   (`conflict`, source `version`).
//! * `roles`: `customer` and/or `vendor` as objects, else `missing_entity`
//!   on `roles.customer or roles.vendor`. Numbers sent are **ignored**: a
//!   `POST` gets the next customer (10001…) / vendor (70001…) number; a `PUT`
//!   keeps the stored roles with their numbers (also one the body leaves out)
//!   and numbers a role it adds.
//! * exactly one of `company` (`name`; `contactPersons` with `lastName`,
//!   `salutation` ≤ 25) or `person` (`lastName`, `salutation` ≤ 25): both or
//!   neither → `company or person`.
//! * at most one entry in `addresses.billing`/`shipping` (each with an ISO
//!   `countryCode`), in each `emailAddresses`/`phoneNumbers` bucket and in
//!   `company.contactPersons`; `note` ≤ 1000 and the salutations are counted
//!   in UTF-16 units; `xRechnung` needs both `buyerReference` and
//!   `vendorNumberAtCustomer`. `id`, `organizationId`, `archived` are read-only
//!   and ignored.
//! * `POST` → 201 `{id, resourceUri, createdDate, updatedDate, version: 1}`
//!   with `Location`; the contact is invisible to both reads for the
//!   visibility delay (`SandboxConfig::contact_visibility_delay`). `PUT` → 200
//!   with the same shape, `version + 1`; unknown id → 404; a stored contact
//!   with more than one entry in some list → 406 `invalid_value` on that list
//!   (also when the body has one). A `PUT` sees a contact still within its
//!   delay (the write side knows it).
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
//! * At most 10,000 results per query: `totalElements` stops at 10,000 and a
//!   page reaching past it answers 400 `bad_request_error` with source
//!   „Maximum search window size exceeded“.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::errors::{berlin_timestamp, json_response, legacy_body, Issue};
use crate::invoices::{resource_uri, CreatedWire};
use crate::pricing::country_code_valid;
use crate::state::{Contact, ContactMeta, ContactStore, PutError};
use crate::Shared;

/// Longest `note` (UTF-16 units).
pub const MAX_NOTE_LEN: usize = 1000;
/// Longest `salutation` (UTF-16 units).
pub const MAX_SALUTATION_LEN: usize = 25;
/// Buckets of `emailAddresses`.
pub const EMAIL_BUCKETS: &[&str] = &["business", "office", "private", "other"];
/// Buckets of `phoneNumbers`.
pub const PHONE_BUCKETS: &[&str] = &["business", "office", "mobile", "private", "fax", "other"];

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

/// lexoffice answers at most this many results of one query: `totalElements`
/// stops at it and a page reaching past it (`(page + 1) × size`) is refused
/// (contacts, articles and the voucher list alike).
pub const MAX_WINDOW: usize = 10_000;

/// Does the page reach past the window?
pub fn past_window(page: usize, size: usize) -> bool {
    page.saturating_add(1).saturating_mul(size) > MAX_WINDOW
}

/// The text of the 400 for a page past the window.
pub const WINDOW_EXCEEDED: &str = "Maximum search window size exceeded";

/// The envelope of one page; `total` is the number of matches, counted only
/// up to the window.
pub fn envelope<T>(content: Vec<T>, total: usize, page: usize, size: usize) -> Page<T> {
    let total = total.min(MAX_WINDOW);
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
    if past_window(params.page, params.size) {
        return json_response(400, &legacy_body(&[bad_request(WINDOW_EXCEEDED)]));
    }
    let (items, total) =
        store.query_visible(|c| params.filter.matches(c), params.page, params.size);
    json_response(200, &envelope(items, total, params.page, params.size))
}

fn not_found() -> Response<Body> {
    json_response(
        404,
        &legacy_body(&[Issue::new("not_found", Some("contact"), "not_found")]),
    )
}

/// `GET /v1/contacts/{id}` (a contact within its visibility delay → 404).
pub fn get(store: &ContactStore, id: &str) -> Response<Body> {
    match Uuid::parse_str(id)
        .ok()
        .and_then(|id| store.get_visible(id))
    {
        Some(c) => json_response(200, &c),
        None => not_found(),
    }
}

/// Why [`read_contact`] refused: 400 or 406 with the legacy issues.
#[derive(Debug, Clone)]
pub struct ContactRejection {
    pub status: u16,
    pub issues: Vec<Issue>,
}

impl ContactRejection {
    /// The `source` of every issue, in order.
    pub fn sources(&self) -> Vec<&str> {
        self.issues
            .iter()
            .map(|i| i.source.as_deref().unwrap_or(""))
            .collect()
    }
}

#[derive(Default)]
struct LegacyCheck {
    unreadable: Vec<Issue>,
    invalid: Vec<Issue>,
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn get_field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

impl LegacyCheck {
    fn unreadable(&mut self, source: &str) {
        self.unreadable.push(Issue::new(
            "bad_request_error",
            Some(source),
            "validation_failure",
        ));
    }

    fn missing(&mut self, source: &str) {
        self.invalid.push(Issue::new(
            "missing_entity",
            Some(source),
            "validation_failure",
        ));
    }

    fn invalid(&mut self, source: &str) {
        self.invalid.push(Issue::new(
            "invalid_value",
            Some(source),
            "validation_failure",
        ));
    }

    fn object<'a>(&mut self, v: Option<&'a Value>, source: &str) -> Option<&'a Map<String, Value>> {
        match v? {
            Value::Object(m) => Some(m),
            _ => {
                self.unreadable(source);
                None
            }
        }
    }

    fn string<'a>(&mut self, v: Option<&'a Value>, source: &str) -> Option<&'a str> {
        match v? {
            Value::String(s) => Some(s),
            _ => {
                self.unreadable(source);
                None
            }
        }
    }

    fn boolean(&mut self, v: Option<&Value>, source: &str) {
        if v.is_some_and(|v| !v.is_boolean()) {
            self.unreadable(source);
        }
    }

    /// Required, non-blank string.
    fn required(&mut self, v: Option<&Value>, source: &str) {
        match v {
            None => self.missing(source),
            Some(_) => {
                if let Some(s) = self.string(v, source) {
                    if s.trim().is_empty() {
                        self.missing(source);
                    }
                }
            }
        }
    }

    fn max_len(&mut self, v: Option<&Value>, source: &str, max: usize) {
        if let Some(s) = self.string(v, source) {
            if utf16_len(s) > max {
                self.invalid(source);
            }
        }
    }

    /// A list that may hold at most one entry; returns its entries.
    fn single_list<'a>(&mut self, v: Option<&'a Value>, source: &str) -> &'a [Value] {
        match v {
            None => &[],
            Some(Value::Array(a)) => {
                if a.len() > 1 {
                    self.invalid(source);
                }
                a
            }
            Some(_) => {
                self.unreadable(source);
                &[]
            }
        }
    }
}

fn check_company(c: &mut LegacyCheck, co: &Map<String, Value>) {
    c.required(get_field(co, "name"), "company.name");
    c.string(get_field(co, "taxNumber"), "company.taxNumber");
    // lexoffice validates the VAT id: a German one is „DE“ and 9 digits, any
    // other two letters and 2 to 13 letters or digits (docs/lexoffice.md ›
    // Contact fields lexoffice validates).
    if let Some(vat) = c.string(
        get_field(co, "vatRegistrationId"),
        "company.vatRegistrationId",
    ) {
        if !vat.is_empty() && !vat_id_valid(vat) {
            c.invalid("company.vatRegistrationId");
        }
    }
    c.boolean(
        get_field(co, "allowTaxFreeInvoices"),
        "company.allowTaxFreeInvoices",
    );
    let persons = c.single_list(get_field(co, "contactPersons"), "company.contactPersons");
    for (i, p) in persons.iter().enumerate() {
        let path = format!("company.contactPersons[{i}]");
        let Some(p) = c.object(Some(p), &path) else {
            continue;
        };
        c.required(get_field(p, "lastName"), &format!("{path}.lastName"));
        c.max_len(
            get_field(p, "salutation"),
            &format!("{path}.salutation"),
            MAX_SALUTATION_LEN,
        );
        for key in ["firstName", "emailAddress", "phoneNumber"] {
            c.string(get_field(p, key), &format!("{path}.{key}"));
        }
        c.boolean(get_field(p, "primary"), &format!("{path}.primary"));
    }
}

fn check_person(c: &mut LegacyCheck, p: &Map<String, Value>) {
    c.required(get_field(p, "lastName"), "person.lastName");
    c.max_len(
        get_field(p, "salutation"),
        "person.salutation",
        MAX_SALUTATION_LEN,
    );
    c.string(get_field(p, "firstName"), "person.firstName");
}

fn check_addresses(c: &mut LegacyCheck, a: &Map<String, Value>) {
    for kind in ["billing", "shipping"] {
        let list_path = format!("addresses.{kind}");
        let list = c.single_list(get_field(a, kind), &list_path);
        for (i, addr) in list.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            let Some(addr) = c.object(Some(addr), &path) else {
                continue;
            };
            for key in ["supplement", "street", "zip", "city"] {
                c.string(get_field(addr, key), &format!("{path}.{key}"));
            }
            let cc_path = format!("{path}.countryCode");
            match get_field(addr, "countryCode") {
                None => c.missing(&cc_path),
                v => {
                    if let Some(cc) = c.string(v, &cc_path) {
                        if cc.trim().is_empty() {
                            c.missing(&cc_path);
                        } else if !country_code_valid(cc) {
                            c.invalid(&cc_path);
                        }
                    }
                }
            }
        }
    }
}

fn check_buckets(c: &mut LegacyCheck, m: &Map<String, Value>, name: &str, buckets: &[&str]) {
    for b in buckets {
        let path = format!("{name}.{b}");
        let list = c.single_list(get_field(m, b), &path);
        for (i, v) in list.iter().enumerate() {
            if name == "phoneNumbers" {
                // Phone numbers of more than 30 characters are refused.
                c.max_len(Some(v), &format!("{path}[{i}]"), MAX_PHONE_LEN);
            } else {
                c.string(Some(v), &format!("{path}[{i}]"));
            }
        }
    }
}

/// The longest phone number a contact takes.
pub const MAX_PHONE_LEN: usize = 30;

/// A VAT id lexoffice takes: `DE` and 9 digits for Germany; otherwise two
/// letters and 2 to 13 letters or digits.
pub fn vat_id_valid(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 4 || !b[..2].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    if &b[..2] == b"DE" {
        return b.len() == 11 && b[2..].iter().all(u8::is_ascii_digit);
    }
    b.len() <= 15 && b[2..].iter().all(u8::is_ascii_alphanumeric)
}

/// Removes `null` members (the stored contact omits absent parts).
fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Validates a `POST` (`create`) or `PUT` body and returns the contact it
/// describes (nil id, numbers cleared) plus the `version` sent.
pub fn read_contact(body: &Value, create: bool) -> Result<(Contact, i64), ContactRejection> {
    let mut c = LegacyCheck::default();
    let Value::Object(root) = body else {
        return Err(ContactRejection {
            status: 400,
            issues: vec![Issue::new("bad_request_error", None, "validation_failure")],
        });
    };
    let version = match get_field(root, "version") {
        None => {
            c.missing("version");
            None
        }
        Some(v) => match v.as_i64() {
            Some(n) => Some(n),
            None => {
                c.unreadable("version");
                None
            }
        },
    };
    if create && version.is_some_and(|v| v != 0) {
        c.invalid("version");
    }

    let roles = c.object(get_field(root, "roles"), "roles");
    let mut has_role = false;
    if let Some(roles) = roles {
        for key in ["customer", "vendor"] {
            if let Some(v) = get_field(roles, key) {
                if c.object(Some(v), &format!("roles.{key}")).is_some() {
                    has_role = true;
                }
            }
        }
    }
    if !has_role {
        c.missing("roles.customer or roles.vendor");
    }

    let company = c.object(get_field(root, "company"), "company");
    let person = c.object(get_field(root, "person"), "person");
    match (company, person) {
        (Some(_), Some(_)) => c.invalid("company or person"),
        (None, None)
            if get_field(root, "company").is_none() && get_field(root, "person").is_none() =>
        {
            c.missing("company or person")
        }
        _ => {}
    }
    if let Some(co) = company {
        check_company(&mut c, co);
    }
    if let Some(p) = person {
        check_person(&mut c, p);
    }
    if let Some(a) = c.object(get_field(root, "addresses"), "addresses") {
        check_addresses(&mut c, a);
    }
    if let Some(m) = c.object(get_field(root, "emailAddresses"), "emailAddresses") {
        check_buckets(&mut c, m, "emailAddresses", EMAIL_BUCKETS);
    }
    if let Some(m) = c.object(get_field(root, "phoneNumbers"), "phoneNumbers") {
        check_buckets(&mut c, m, "phoneNumbers", PHONE_BUCKETS);
    }
    c.max_len(get_field(root, "note"), "note", MAX_NOTE_LEN);
    if let Some(x) = c.object(get_field(root, "xRechnung"), "xRechnung") {
        for key in ["buyerReference", "vendorNumberAtCustomer"] {
            c.required(get_field(x, key), &format!("xRechnung.{key}"));
        }
    }

    if !c.unreadable.is_empty() {
        return Err(ContactRejection {
            status: 400,
            issues: c.unreadable,
        });
    }
    if !c.invalid.is_empty() {
        return Err(ContactRejection {
            status: 406,
            issues: c.invalid,
        });
    }
    let mut clean = Value::Object(root.clone());
    strip_nulls(&mut clean);
    if let Value::Object(m) = &mut clean {
        m.insert("id".into(), Value::String(Uuid::nil().to_string()));
        m.insert(
            "organizationId".into(),
            Value::String(Uuid::nil().to_string()),
        );
        m.insert("version".into(), Value::from(0));
        m.insert("archived".into(), Value::Bool(false));
        if let Some(Value::Object(roles)) = m.get_mut("roles") {
            roles.retain(|k, _| k == "customer" || k == "vendor");
            for role in roles.values_mut() {
                *role = Value::Object(Map::new());
            }
        }
    }
    match serde_json::from_value::<Contact>(clean) {
        Ok(contact) => Ok((contact, version.unwrap_or_default())),
        Err(_) => Err(ContactRejection {
            status: 400,
            issues: vec![Issue::new("bad_request_error", None, "validation_failure")],
        }),
    }
}

fn written(
    shared: &Shared,
    parts: &Parts,
    status: u16,
    c: &Contact,
    m: &ContactMeta,
) -> Response<Body> {
    let uri = resource_uri(shared, parts, "contacts", c.id);
    let mut resp = json_response(
        status,
        &CreatedWire {
            id: c.id,
            resource_uri: uri.clone(),
            created_date: berlin_timestamp(m.created),
            updated_date: berlin_timestamp(m.updated),
            version: c.version,
        },
    );
    if status == 201 {
        if let Ok(v) = HeaderValue::from_str(&uri) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
    }
    resp
}

/// The 400 for a body that is not JSON.
fn unreadable_body() -> Response<Body> {
    json_response(
        400,
        &legacy_body(&[Issue::new("bad_request_error", None, "validation_failure")]),
    )
}

fn rejected(r: &ContactRejection) -> Response<Body> {
    json_response(r.status, &legacy_body(&r.issues))
}

/// `POST /v1/contacts` (content type already checked).
pub(crate) fn create(shared: &Arc<Shared>, parts: &Parts, body: &[u8]) -> Response<Body> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return unreadable_body();
    };
    let contact = match read_contact(&value, true) {
        Ok((c, _)) => c,
        Err(r) => return rejected(&r),
    };
    let delay = shared.contact_delay();
    let visible_from = (!delay.is_zero()).then(|| Instant::now() + delay);
    let (contact, meta) = shared.contacts.create_contact(contact, visible_from);
    written(shared, parts, 201, &contact, &meta)
}

/// `PUT /v1/contacts/{id}` (content type already checked).
pub(crate) fn update(shared: &Arc<Shared>, parts: &Parts, body: &[u8], id: &str) -> Response<Body> {
    let Some(id) = Uuid::parse_str(id)
        .ok()
        .filter(|id| shared.contacts.get(*id).is_some())
    else {
        return not_found();
    };
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return unreadable_body();
    };
    let (contact, version) = match read_contact(&value, false) {
        Ok(x) => x,
        Err(r) => return rejected(&r),
    };
    match shared.contacts.put_contact(id, contact, version) {
        Ok((c, m)) => written(shared, parts, 200, &c, &m),
        Err(PutError::NotFound) => not_found(),
        Err(PutError::Conflict(_)) => json_response(
            409,
            &legacy_body(&[Issue::new("conflict", Some("version"), "conflict")]),
        ),
        Err(PutError::MultipleEntries(list)) => json_response(
            406,
            &legacy_body(&[Issue::new(
                "invalid_value",
                Some(list),
                "validation_failure",
            )]),
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
    fn read_contact_collects_all_issues() {
        use serde_json::json;
        let r = read_contact(&json!({"version": 3, "person": {}, "note": 5}), true).unwrap_err();
        assert_eq!(r.status, 400, "wrong type wins");
        assert_eq!(r.sources(), ["note"]);
        let r = read_contact(
            &json!({"version": 3, "person": {}, "addresses": {"billing": [{}]}}),
            true,
        )
        .unwrap_err();
        assert_eq!(r.status, 406);
        assert_eq!(
            r.sources(),
            [
                "version",
                "roles.customer or roles.vendor",
                "person.lastName",
                "addresses.billing[0].countryCode"
            ]
        );
        assert!(read_contact(&json!([]), true).is_err());
        let (c, v) = read_contact(
            &json!({"version": 7, "roles": {"vendor": {"number": 70009}, "x": {}},
                    "person": {"lastName": "Muster", "firstName": null},
                    "addresses": {"billing": [{"countryCode": "ES_CN"}]}}),
            false,
        )
        .unwrap();
        assert_eq!(v, 7);
        assert_eq!(c.vendor_number(), None, "numbers are cleared");
        assert!(c.roles.customer.is_none());
        assert_eq!(c.display_name(), "Muster");
        assert_eq!(c.addresses.billing[0].country_code, "ES_CN");
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

    #[test]
    fn results_stop_at_the_window_of_ten_thousand() {
        let e = envelope(Vec::<()>::new(), 12_000, 39, 250);
        assert_eq!(
            (e.total_elements, e.total_pages, e.last),
            (10_000, 40, true)
        );
        assert!(!past_window(39, 250));
        assert!(past_window(40, 250));
        assert!(past_window(100, 100));
        let store = ContactStore::new(Uuid::new_v4());
        for i in 0..3 {
            store.add_contact(Contact::company(&format!("Firma {i}")).customer());
        }
        let r = list(&store, Some("customer=true&page=40&size=250"));
        assert_eq!(r.status(), 400);
    }
}
