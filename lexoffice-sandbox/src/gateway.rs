//! The `/v1` request pipeline. Every request that is not for the control plane
//! goes through these steps, in this order:
//!
//! 1. **Record** the request (method, path + query, arrival time).
//! 2. **Route**: unknown path or method → 403 like the real (AWS-style)
//!    gateway, before any authentication: `{"message":"Missing Authentication
//!    Token"}` without an `Authorization` header, otherwise
//!    `{"message":"'<token>' not a valid key=value pair (missing equal-sign) in
//!    Authorization header: '<header>'."}` (docs/lexoffice.md › Status codes, 403 row). Only what the
//!    client sent is echoed. No token is consumed.
//! 3. **Auth**: `Authorization: Bearer <key>` must carry the configured key;
//!    a missing header, another scheme/format, a wrong or revoked key → 401
//!    `{"message":"Unauthorized"}` (docs/lexoffice.md › Status codes, 401 row: "no token, bad
//!    format, invalid/revoked key"). No token is consumed.
//! 4. **Injected 429**: if the next queued fault is `Status(429)` it is used up
//!    and answered with 429 without touching the bucket (a simulated storm).
//! 5. **Rate limit**: one token from the bucket shared by all endpoints; none
//!    left → 429 (regular body, optional `Retry-After: 1`), nothing executed,
//!    no fault consumed.
//! 6. **Fault**: the next queued fault, if any, is used up:
//!    * `Status(s)`: the documented body for `s`; the handler does **not** run
//!      (nothing is stored — an injected 429 or 504 has no side effect);
//!    * `StatusAfterStore(s)`: steps 7–8 run (e.g. the invoice is stored),
//!      their answer is thrown away and `s` is answered instead — the
//!      documentation's "504 … the request may still have succeeded";
//!    * `Delay(d)`: sleep `d`, then continue normally;
//!    * `DropConnection`: the connection is closed without a response
//!      (handler not run);
//!    * `DropAfterStore`: steps 7–8 run, then the connection is closed without
//!      a response;
//!    * `MalformedJson` / `EmptyBody`: steps 7–8 run, then their status with
//!      the body cut in half / with no body.
//! 7. **Content type**: routes taking a JSON body (`POST /v1/invoices`,
//!    `POST /v1/contacts`, `PUT /v1/contacts/{id}`, `POST /v1/articles`)
//!    require `Content-Type: application/json` → else 415 in the route's
//!    format (regular, or legacy `unsupported_media_type` for contacts).
//! 8. **Handler**.
//!
//! Every response carries `Content-Type: application/json`, and (set in
//! `server.rs` for every response, control plane and pages included) a `Date`
//! header from the sandbox clock ([`crate::clock`]).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response};

use crate::errors::{
    gateway_body, json_response, legacy_body, raw_response, regular_body, status_response,
    ErrorFormat, GatewayError, Issue,
};
use crate::faults::Fault;
use crate::{articles, contacts, invoices, voucherlist};
use crate::{lock, Shared};

/// Largest request body read (larger ones are cut, and so fail to parse).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Per-connection switch that closes the socket without a response.
#[derive(Clone, Debug)]
pub(crate) struct ConnKill(pub Arc<tokio::sync::Notify>);

/// A known API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Profile,
    ContactsList,
    Contact(String),
    /// `POST /v1/contacts`
    CreateContact,
    /// `PUT /v1/contacts/{id}`
    UpdateContact(String),
    /// `GET /v1/articles`
    ArticlesList,
    /// `GET /v1/articles/{id}`
    Article(String),
    /// `POST /v1/articles`
    CreateArticle,
    /// `POST /v1/invoices`
    CreateInvoice,
    /// `GET /v1/invoices/{id}`
    Invoice(String),
    /// `GET /v1/voucherlist`
    VoucherList,
}

impl Route {
    /// Resolves method + path; `None` → the gateway's 403.
    pub fn resolve(method: &Method, path: &str) -> Option<Route> {
        fn single_segment(path: &str, prefix: &str) -> Option<String> {
            let id = path.strip_prefix(prefix)?;
            if id.is_empty() || id.contains('/') {
                None
            } else {
                Some(id.to_string())
            }
        }
        if method == Method::POST {
            return match path {
                "/v1/invoices" => Some(Route::CreateInvoice),
                "/v1/contacts" => Some(Route::CreateContact),
                "/v1/articles" => Some(Route::CreateArticle),
                _ => None,
            };
        }
        if method == Method::PUT {
            return single_segment(path, "/v1/contacts/").map(Route::UpdateContact);
        }
        if method != Method::GET {
            return None;
        }
        match path {
            "/v1/profile" => Some(Route::Profile),
            "/v1/contacts" => Some(Route::ContactsList),
            "/v1/articles" => Some(Route::ArticlesList),
            "/v1/voucherlist" => Some(Route::VoucherList),
            _ => single_segment(path, "/v1/contacts/")
                .map(Route::Contact)
                .or_else(|| single_segment(path, "/v1/invoices/").map(Route::Invoice))
                .or_else(|| single_segment(path, "/v1/articles/").map(Route::Article)),
        }
    }

    /// Error body format of the endpoint (docs/lexoffice.md › Error bodies).
    pub fn error_format(&self) -> ErrorFormat {
        match self {
            Route::Profile
            | Route::CreateInvoice
            | Route::Invoice(_)
            | Route::VoucherList
            | Route::ArticlesList
            | Route::Article(_)
            | Route::CreateArticle => ErrorFormat::Regular,
            Route::ContactsList
            | Route::Contact(_)
            | Route::CreateContact
            | Route::UpdateContact(_) => ErrorFormat::Legacy,
        }
    }

    /// Whether the route takes a JSON request body (POST/PUT).
    pub fn takes_json_body(&self) -> bool {
        matches!(
            self,
            Route::CreateInvoice
                | Route::CreateContact
                | Route::UpdateContact(_)
                | Route::CreateArticle
        )
    }
}

/// `true` for `application/json` with optional parameters (`; charset=utf-8`).
pub fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}

/// What the gateway says to a request for an unknown route.
pub fn unknown_route_body(authorization: Option<&[u8]>) -> GatewayError {
    match authorization {
        None => gateway_body(Some("Missing Authentication Token")),
        Some(raw) => {
            let value = String::from_utf8_lossy(raw);
            let value = value.trim();
            // SigV4 parsing: "<algorithm> <k=v, k=v, ...>": the first pair
            // lacking '=' is reported.
            let rest = value.split_once(' ').map(|(_, r)| r).unwrap_or(value);
            let pair = rest
                .split(',')
                .map(str::trim)
                .find(|p| !p.contains('='))
                .unwrap_or(rest);
            gateway_body(Some(&format!(
                "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
            )))
        }
    }
}

/// `true` if the header is exactly `Bearer <configured key>` and not revoked.
fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return false;
    };
    !token.is_empty() && token == shared.api_key && !shared.revoked_keys.iter().any(|k| k == token)
}

fn too_many_requests(shared: &Shared, path: &str) -> Response<Body> {
    let mut resp = json_response(
        429,
        &regular_body(shared.wall_now(), 429, path, "Too Many Requests", None),
    );
    if shared.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

enum Outcome {
    Respond(Response<Body>),
    Drop,
}

/// Counts a request as being handled until its handler ends or is dropped.
struct Busy(Arc<Shared>);

impl Busy {
    fn new(shared: &Arc<Shared>) -> Busy {
        shared
            .in_flight
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Busy(shared.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Axum fallback handler: everything that is not `/__sandbox/*`.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    req: Request<Body>,
) -> Response<Body> {
    let path_q = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let seq = shared.record_start(req.method().as_str(), &path_q);
    let _busy = Busy::new(&shared);
    let kill = req.extensions().get::<ConnKill>().cloned();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    match pipeline(&shared, &parts, &body, seq, kill.is_some()).await {
        Outcome::Respond(resp) => {
            shared.record_status(seq, resp.status().as_u16());
            resp
        }
        Outcome::Drop => {
            shared.record_status(seq, 0);
            if let Some(kill) = kill {
                kill.0.notify_one();
            }
            // The connection task drops this future together with the socket.
            std::future::pending::<Response<Body>>().await
        }
    }
}

async fn pipeline(
    shared: &Arc<Shared>,
    req: &Parts,
    body: &[u8],
    seq: u64,
    can_drop: bool,
) -> Outcome {
    let path = req.uri.path();
    let headers = &req.headers;

    let Some(route) = Route::resolve(&req.method, path) else {
        let auth = headers
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        return Outcome::Respond(json_response(403, &unknown_route_body(auth)));
    };

    if !authorized(shared, headers) {
        return Outcome::Respond(status_response(
            shared.wall_now(),
            401,
            path,
            route.error_format(),
        ));
    }

    {
        let mut faults = lock(&shared.faults);
        if faults.peek() == Some(&Fault::Status(429)) {
            if let Some(f) = faults.take() {
                shared.record_fault(seq, &f);
            }
            return Outcome::Respond(too_many_requests(shared, path));
        }
    }

    let now = shared.now();
    if !lock(&shared.bucket).try_acquire(now) {
        return Outcome::Respond(too_many_requests(shared, path));
    }

    let fault = lock(&shared.faults).take();
    if let Some(f) = &fault {
        shared.record_fault(seq, f);
    }
    match fault {
        None => {}
        Some(Fault::Status(s)) => {
            return Outcome::Respond(status_response(
                shared.wall_now(),
                s,
                path,
                route.error_format(),
            ))
        }
        Some(Fault::StatusAfterStore(s)) => {
            let _ = execute(shared, req, body, &route);
            return Outcome::Respond(status_response(
                shared.wall_now(),
                s,
                path,
                route.error_format(),
            ));
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::DropConnection) if can_drop => return Outcome::Drop,
        // No connection handle (router used outside `server.rs`): answer normally.
        Some(Fault::DropConnection) => {}
        Some(Fault::DropAfterStore) => {
            let resp = execute(shared, req, body, &route);
            return if can_drop {
                Outcome::Drop
            } else {
                Outcome::Respond(resp)
            };
        }
        Some(Fault::MalformedJson) => {
            let resp = execute(shared, req, body, &route);
            let status = resp.status().as_u16();
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap_or_default();
            let cut = if bytes.len() >= 4 {
                bytes.slice(..bytes.len() / 2)
            } else {
                axum::body::Bytes::from_static(b"{\"content\":[")
            };
            return Outcome::Respond(raw_response(status, Body::from(cut)));
        }
        Some(Fault::EmptyBody) => {
            let status = execute(shared, req, body, &route).status().as_u16();
            return Outcome::Respond(raw_response(status, Body::empty()));
        }
    }

    Outcome::Respond(execute(shared, req, body, &route))
}

/// Steps 7 (content type) and 8 (handler).
fn execute(shared: &Arc<Shared>, req: &Parts, body: &[u8], route: &Route) -> Response<Body> {
    let path = req.uri.path();
    if route.takes_json_body() && !is_json_content_type(&req.headers) {
        let ct = req
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        return match route.error_format() {
            ErrorFormat::Regular => json_response(
                415,
                &regular_body(
                    shared.wall_now(),
                    415,
                    path,
                    &format!("Content type '{ct}' not supported"),
                    None,
                ),
            ),
            ErrorFormat::Legacy => json_response(
                415,
                &legacy_body(&[Issue::new(
                    "unsupported_media_type",
                    Some("Content-Type"),
                    "unsupported_media_type",
                )]),
            ),
        };
    }
    run(shared, req, body, route)
}

/// The endpoint handlers proper.
fn run(shared: &Arc<Shared>, req: &Parts, body: &[u8], route: &Route) -> Response<Body> {
    let path = req.uri.path();
    match route {
        Route::Profile => json_response(200, &lock(&shared.profile).to_wire()),
        Route::ContactsList => contacts::list(&shared.contacts, req.uri.query()),
        Route::Contact(id) => contacts::get(&shared.contacts, id),
        Route::CreateContact => contacts::create(shared, req, body),
        Route::UpdateContact(id) => contacts::update(shared, req, body, id),
        Route::ArticlesList => articles::list(shared, path, req.uri.query()),
        Route::Article(id) => articles::get(shared, path, id),
        Route::CreateArticle => articles::create(shared, req, body),
        Route::CreateInvoice => invoices::create(shared, req, body),
        Route::Invoice(id) => invoices::get(shared, path, id),
        Route::VoucherList => voucherlist::list(shared, path, req.uri.query()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/profile"),
            Some(Route::Profile)
        );
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/contacts"),
            Some(Route::ContactsList)
        );
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/contacts/abc"),
            Some(Route::Contact("abc".into()))
        );
        assert_eq!(Route::resolve(&Method::GET, "/v1/contacts/"), None);
        assert_eq!(Route::resolve(&Method::GET, "/v1/contacts/a/b"), None);
        assert_eq!(Route::resolve(&Method::POST, "/v1/profile"), None);
        assert_eq!(
            Route::resolve(&Method::POST, "/v1/contacts"),
            Some(Route::CreateContact)
        );
        assert_eq!(
            Route::resolve(&Method::PUT, "/v1/contacts/abc"),
            Some(Route::UpdateContact("abc".into()))
        );
        assert_eq!(Route::resolve(&Method::PUT, "/v1/contacts"), None);
        assert_eq!(Route::resolve(&Method::DELETE, "/v1/contacts/abc"), None);
        assert_eq!(Route::resolve(&Method::PUT, "/v1/invoices/abc"), None);
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/articles"),
            Some(Route::ArticlesList)
        );
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/articles/x"),
            Some(Route::Article("x".into()))
        );
        assert_eq!(
            Route::resolve(&Method::POST, "/v1/articles"),
            Some(Route::CreateArticle)
        );
        assert_eq!(Route::resolve(&Method::DELETE, "/v1/articles/x"), None);
        assert_eq!(Route::CreateContact.error_format(), ErrorFormat::Legacy);
        assert!(Route::UpdateContact("a".into()).takes_json_body());
        assert_eq!(Route::ArticlesList.error_format(), ErrorFormat::Regular);
        assert_eq!(Route::resolve(&Method::GET, "/v1/invoices"), None);
        assert_eq!(
            Route::resolve(&Method::POST, "/v1/invoices"),
            Some(Route::CreateInvoice)
        );
        assert_eq!(Route::resolve(&Method::POST, "/v1/invoices/x"), None);
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/invoices/abc"),
            Some(Route::Invoice("abc".into()))
        );
        assert_eq!(Route::resolve(&Method::DELETE, "/v1/invoices/abc"), None);
        assert_eq!(
            Route::resolve(&Method::GET, "/v1/voucherlist"),
            Some(Route::VoucherList)
        );
        assert!(Route::CreateInvoice.takes_json_body());
        assert_eq!(
            Route::Invoice("a".into()).error_format(),
            ErrorFormat::Regular
        );
        assert_eq!(Route::resolve(&Method::GET, "/v2/profile"), None);
    }

    #[test]
    fn unknown_route_messages() {
        assert_eq!(
            unknown_route_body(None).message.as_deref(),
            Some("Missing Authentication Token")
        );
        assert_eq!(
            unknown_route_body(Some(b"Bearer abc")).message.as_deref(),
            Some("'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.")
        );
    }

    #[test]
    fn json_content_type() {
        let mut h = HeaderMap::new();
        assert!(!is_json_content_type(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json_content_type(&h));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json_content_type(&h));
    }
}
