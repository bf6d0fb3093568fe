use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{parse_error_body, LexofficeError};
use super::ratelimit::{Pacing, RateLimiter};
use super::types::{Contact, Created, InvoiceInfo, Page, Profile, VoucherItem};
use crate::secrets::ApiKey;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base, e.g. `https://api.lexware.io` (validated by `paths::parse_base_url`).
    pub base: Url,
    /// Whole-request timeout. lexoffice's gateway gives up after 30 s with 504.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt (GET on 429/503, POST on 429 only).
    pub max_retries: u32,
    /// Backoff: base · 2^n plus up to 20 % jitter, capped.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// The app's pace: lexoffice allows 2 requests/s; 1.9 keeps a margin
    /// (docs/lexoffice.md › Rate limit). Tests against a sandbox with a
    /// faster bucket raise both.
    pub requests_per_sec: f64,
}

impl ClientConfig {
    pub fn new(base: Url) -> Self {
        Self {
            base,
            timeout: Duration::from_secs(35),
            connect_timeout: Duration::from_secs(10),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(8),
            requests_per_sec: RateLimiter::LEXOFFICE_PER_SEC,
        }
    }
}

/// Is the request safe to send again after a 503? Only reads are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotency {
    Read,
    Write,
}

pub struct LexofficeClient {
    http: reqwest::Client,
    cfg: ClientConfig,
    limiter: Arc<dyn Pacing>,
    /// lexoffice's `Date` header of the latest answer and when it arrived.
    server_date: std::sync::Mutex<Option<(chrono::DateTime<chrono::Utc>, std::time::Instant)>>,
}

impl LexofficeClient {
    pub fn new(cfg: ClientConfig, limiter: Arc<dyn Pacing>) -> Result<Self, LexofficeError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(cfg.base.scheme() == "https")
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .user_agent(concat!("Zeitrechnung/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LexofficeError::Connect(e.to_string()))?;
        Ok(Self {
            http,
            cfg,
            limiter,
            server_date: std::sync::Mutex::new(None),
        })
    }

    pub fn base(&self) -> &Url {
        &self.cfg.base
    }

    /// lexoffice's clock now, from the `Date` header of its latest answer plus
    /// the time elapsed since (a monotonic clock): independent of the PC's clock,
    /// which may be off by minutes or hours. None before the first answer.
    pub fn server_now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let seen = *self.server_date.lock().unwrap_or_else(|p| p.into_inner());
        seen.map(|(server, at)| {
            server + chrono::Duration::from_std(at.elapsed()).unwrap_or_default()
        })
    }

    fn note_server_date(&self, headers: &reqwest::header::HeaderMap) {
        let Some(date) = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        else {
            return;
        };
        let date = date.with_timezone(&chrono::Utc);
        let now = std::time::Instant::now();
        let mut seen = self.server_date.lock().unwrap_or_else(|p| p.into_inner());
        // The header has whole seconds, so the estimate from the anchor is at most
        // one second behind lexoffice's clock. Re-anchor only when the header is
        // ahead of the estimate (more precise) or far behind it (lexoffice's clock
        // was set back): lexoffice's time as seen here never runs backwards
        // between two looks because of the truncation.
        let estimate = seen
            .map(|(server, at)| server + chrono::Duration::from_std(now - at).unwrap_or_default());
        let re_anchor = match estimate {
            None => true,
            Some(e) => date > e || date + chrono::Duration::seconds(2) < e,
        };
        if re_anchor {
            *seen = Some((date, now));
        }
    }

    /// `GET /v1/profile`: checks a key and tells who it belongs to.
    pub async fn profile(&self, key: &ApiKey) -> Result<Profile, LexofficeError> {
        self.get_json(key, "/v1/profile").await
    }

    /// One page of customer contacts (`customer=true`; the sort is fixed by lexoffice).
    pub async fn customer_contacts(
        &self,
        key: &ApiKey,
        page: u32,
        size: u32,
    ) -> Result<Page<Contact>, LexofficeError> {
        self.get_json(
            key,
            &format!("/v1/contacts?customer=true&page={page}&size={size}"),
        )
        .await
    }

    /// Customer contacts whose name contains `text` (case-insensitive), one page
    /// of 250: the import's way past the 10,000-result window. `text` is sent
    /// literally (wildcards escaped, `& < >` HTML-encoded); shorter than the
    /// three characters lexoffice requires, it is padded with `%` (any run), so
    /// „ä“ asks for every name containing „ä“.
    pub async fn customer_contacts_containing(
        &self,
        key: &ApiKey,
        text: &str,
        page: u32,
    ) -> Result<Page<Contact>, LexofficeError> {
        self.get_json(
            key,
            &format!(
                "/v1/contacts?customer=true&name={}&page={page}&size={}",
                contains_filter(text),
                super::PAGE_SIZE
            ),
        )
        .await
    }

    /// One contact (`GET /v1/contacts/{id}`): confirms one that an import missed.
    pub async fn contact(&self, key: &ApiKey, id: &str) -> Result<Contact, LexofficeError> {
        self.get_json(key, &format!("/v1/contacts/{}", urlencode(id)))
            .await
    }

    /// Customer contacts whose name contains `name` (case-insensitive; the
    /// first page of 25 is enough for a duplicate check). The name is sent
    /// literally: SQL wildcards escaped, `& < >` HTML-encoded, then
    /// URL-encoded (docs/lexoffice.md › Contacts). `name` must have at least
    /// three characters, or lexoffice answers 400.
    pub async fn contacts_by_name(
        &self,
        key: &ApiKey,
        name: &str,
    ) -> Result<Page<Contact>, LexofficeError> {
        self.get_json(
            key,
            &format!(
                "/v1/contacts?customer=true&name={}&page=0&size=25",
                name_filter(name)
            ),
        )
        .await
    }

    /// `POST /v1/contacts` (`version` 0 in the body): the new id and version.
    /// Like every write it is retried only on 429; after a timeout or 5xx the
    /// contact may exist (`LexofficeError::outcome_unknown`).
    pub async fn create_contact(
        &self,
        key: &ApiKey,
        body: &serde_json::Value,
    ) -> Result<Created, LexofficeError> {
        self.post_json(key, "/v1/contacts", body).await
    }

    /// `PUT /v1/contacts/{id}`: the whole contact with the current `version`
    /// (409 when it is stale). Retried only on 429.
    pub async fn update_contact(
        &self,
        key: &ApiKey,
        id: &str,
        body: &serde_json::Value,
    ) -> Result<Created, LexofficeError> {
        self.write_json(
            key,
            Method::PUT,
            &format!("/v1/contacts/{}", urlencode(id)),
            body,
        )
        .await
    }

    /// One contact as lexoffice sent it, every field kept (the base of a `PUT`,
    /// which must send back what the app does not manage).
    pub async fn contact_raw(
        &self,
        key: &ApiKey,
        id: &str,
    ) -> Result<serde_json::Value, LexofficeError> {
        self.get_json(key, &format!("/v1/contacts/{}", urlencode(id)))
            .await
    }

    /// `POST /v1/invoices` (a draft: never `finalize`).
    pub async fn create_invoice(
        &self,
        key: &ApiKey,
        body: &serde_json::Value,
    ) -> Result<Created, LexofficeError> {
        self.post_json(key, "/v1/invoices", body).await
    }

    pub async fn invoice(&self, key: &ApiKey, id: &str) -> Result<InvoiceInfo, LexofficeError> {
        self.get_json(key, &format!("/v1/invoices/{}", urlencode(id)))
            .await
    }

    /// Invoices of one contact (any status) created from `from` on (reconciliation).
    pub async fn invoices_created_since(
        &self,
        key: &ApiKey,
        contact_id: &str,
        from: chrono::NaiveDate,
        page: u32,
    ) -> Result<Page<VoucherItem>, LexofficeError> {
        self.get_json(
            key,
            &format!(
                "/v1/voucherlist?voucherType=invoice&voucherStatus=any&contactId={}&createdDateFrom={}&page={page}&size=250",
                urlencode(contact_id),
                from.format("%Y-%m-%d")
            ),
        )
        .await
    }

    /// One page of every invoice (any status) changed from `from` on, by
    /// lexoffice's `updatedDate` (the status sync).
    pub async fn invoices_updated_since(
        &self,
        key: &ApiKey,
        from: chrono::NaiveDate,
        page: u32,
    ) -> Result<Page<VoucherItem>, LexofficeError> {
        self.get_json(
            key,
            &format!(
                "/v1/voucherlist?voucherType=invoice&voucherStatus=any&updatedDateFrom={}&page={page}&size=250",
                from.format("%Y-%m-%d")
            ),
        )
        .await
    }

    /// One page of the organisation's articles (Leistungskatalog import).
    /// One page of 250 articles, all or of one `type` (`SERVICE`, `PRODUCT`):
    /// the type is how the article import narrows past the 10,000 window.
    pub async fn articles(
        &self,
        key: &ApiKey,
        article_type: Option<&str>,
        page: u32,
    ) -> Result<Page<super::Article>, LexofficeError> {
        let filter = article_type
            .map(|t| format!("type={}&", urlencode(t)))
            .unwrap_or_default();
        self.get_json(
            key,
            &format!("/v1/articles?{filter}page={page}&size={}", super::PAGE_SIZE),
        )
        .await
    }

    /// GET with retries on 429/503 (reads are safe to repeat).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        key: &ApiKey,
        path_and_query: &str,
    ) -> Result<T, LexofficeError> {
        let (_, bytes) = self
            .send(key, Method::GET, path_and_query, None, Idempotency::Read)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| LexofficeError::InvalidResponse(e.to_string()))
    }

    /// POST: retried only on 429 (lexoffice did not execute the call). Any other
    /// failure is returned at once; after a 5xx/timeout the caller must reconcile.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        key: &ApiKey,
        path_and_query: &str,
        body: &serde_json::Value,
    ) -> Result<T, LexofficeError> {
        self.write_json(key, Method::POST, path_and_query, body)
            .await
    }

    /// A write (POST or PUT): retried only on 429, like `post_json`.
    async fn write_json<T: DeserializeOwned>(
        &self,
        key: &ApiKey,
        method: Method,
        path_and_query: &str,
        body: &serde_json::Value,
    ) -> Result<T, LexofficeError> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| LexofficeError::InvalidResponse(e.to_string()))?;
        let (_, resp) = self
            .send(key, method, path_and_query, Some(bytes), Idempotency::Write)
            .await?;
        serde_json::from_slice(&resp).map_err(|e| LexofficeError::InvalidResponse(e.to_string()))
    }

    fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}{}",
            self.cfg.base.as_str().trim_end_matches('/'),
            path_and_query
        )
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(Duration::from_secs(60));
        }
        let exp = self
            .cfg
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cfg.backoff_cap);
        // Jitter without a RNG dependency: the clock's sub-microsecond noise.
        let noise = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = exp.mul_f64(f64::from(noise % 200) / 1000.0);
        exp + jitter
    }

    async fn send(
        &self,
        key: &ApiKey,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idem: Idempotency,
    ) -> Result<(StatusCode, Vec<u8>), LexofficeError> {
        let url = self.url(path_and_query);
        let mut attempt = 0u32;
        loop {
            self.limiter.turn().await;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header(
                    reqwest::header::AUTHORIZATION,
                    format!("Bearer {}", key.expose()),
                )
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(b) = &body {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => return Err(map_transport(e)),
            };
            let status = resp.status();
            self.note_server_date(resp.headers());
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let bytes = match resp.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => return Err(map_transport(e)),
            };
            if status.is_success() {
                return Ok((status, bytes));
            }
            // A read is safe to repeat on 503 and on 500, which lexoffice's gateway
            // also sends for "rate limit exceeded" (docs/lexoffice.md). A write is
            // retried on 429 only: lexoffice did not run it.
            let retryable = status == StatusCode::TOO_MANY_REQUESTS
                || (matches!(
                    status,
                    StatusCode::SERVICE_UNAVAILABLE | StatusCode::INTERNAL_SERVER_ERROR
                ) && idem == Idempotency::Read);
            if retryable && attempt < self.cfg.max_retries {
                let pause = self.backoff(attempt, retry_after);
                log::warn!(
                    "lexoffice {} {} → {}; retry {} in {:?}",
                    method,
                    path_only(path_and_query),
                    status.as_u16(),
                    attempt + 1,
                    pause
                );
                if status == StatusCode::TOO_MANY_REQUESTS {
                    // Everyone waits, not just this call.
                    self.limiter.penalise(pause);
                } else {
                    tokio::time::sleep(pause).await;
                }
                attempt += 1;
                continue;
            }
            // Never let the gateway's echo of the Authorization header reach a message.
            let scrubbed = scrub(&bytes, key);
            let err = LexofficeError::Status {
                status: status.as_u16(),
                body: parse_error_body(&scrubbed),
            };
            log::warn!(
                "lexoffice {} {} failed: {:?}",
                method,
                path_only(path_and_query),
                err
            );
            return Err(err);
        }
    }
}

/// A `name`/`email` filter value: `\`, `%`, `_` escaped (lexoffice reads them
/// as SQL-like wildcards), then `& < >` HTML-encoded, then everything but
/// unreserved characters percent-encoded (`Müller & Söhne` →
/// `M%C3%BCller%20%26amp%3B%20S%C3%B6hne`).
pub(crate) fn name_filter(name: &str) -> String {
    percent_encode(&name_literal(name))
}

/// `text` as a contains-filter of at least three characters: the literal,
/// padded with `%` (which matches any run, also an empty one).
pub(crate) fn contains_filter(text: &str) -> String {
    let mut literal = name_literal(text);
    while literal.chars().count() < 3 {
        literal.push('%');
    }
    percent_encode(&literal)
}

/// `& < >` as lexoffice stores and compares names (HTML-encoded).
pub(crate) fn html_encode(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The name as lexoffice compares it: wildcards escaped, `& < >` HTML-encoded.
fn name_literal(name: &str) -> String {
    let mut literal = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '\\' | '%' | '_' => {
                literal.push('\\');
                literal.push(c);
            }
            c => literal.push(c),
        }
    }
    html_encode(&literal)
}

fn percent_encode(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len() * 3);
    for b in literal.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn path_only(path_and_query: &str) -> &str {
    path_and_query.split('?').next().unwrap_or(path_and_query)
}

fn scrub(bytes: &[u8], key: &ApiKey) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    if key.expose().is_empty() || !text.contains(key.expose()) {
        return bytes.to_vec();
    }
    text.replace(key.expose(), "***").into_bytes()
}

fn map_transport(e: reqwest::Error) -> LexofficeError {
    // reqwest's text carries the URL (never the key, which is only in a header).
    let (timeout, connect) = (e.is_timeout(), e.is_connect());
    let detail = e.without_url().to_string();
    if timeout {
        LexofficeError::Timeout
    } else if connect {
        LexofficeError::Connect(detail)
    } else {
        LexofficeError::Network(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::name_filter;

    #[test]
    fn name_filter_html_encodes_then_url_encodes() {
        assert_eq!(
            name_filter("johnson & partner"),
            "johnson%20%26amp%3B%20partner"
        );
        assert_eq!(name_filter("<b>"), "%26lt%3Bb%26gt%3B");
        assert_eq!(name_filter("Müller"), "M%C3%BCller");
        assert_eq!(name_filter("100% a_b"), "100%5C%25%20a%5C_b");
    }

    #[test]
    fn contains_filter_pads_short_texts_with_any_run() {
        use super::contains_filter;
        assert_eq!(contains_filter("ä"), "%C3%A4%25%25");
        assert_eq!(contains_filter("er"), "er%25");
        assert_eq!(contains_filter("bau"), "bau");
        // An escaped wildcard counts as what is sent: „\_“ is two characters.
        assert_eq!(contains_filter("_"), "%5C_%25");
        assert_eq!(contains_filter("&"), "%26amp%3B");
    }
}
