//! The `/v1` request pipeline. Every request that is not for the control plane
//! goes through these steps, in this order:
//!
//! 1. **Record** the request (method, path + query, arrival time).
//! 2. **Route**: unknown path or method → 403 like the real (AWS-style)
//!    gateway, before any authentication: `{"message":"Missing Authentication
//!    Token"}` without an `Authorization` header, otherwise
//!    `{"message":"'<token>' not a valid key=value pair (missing equal-sign) in
//!    Authorization header: '<header>'."}` (reference §3, 403 row). Only what the
//!    client sent is echoed. No token is consumed.
//! 3. **Auth**: `Authorization: Bearer <key>` must carry the configured key;
//!    a missing header, another scheme/format, a wrong or revoked key → 401
//!    `{"message":"Unauthorized"}` (reference §3, 401 row: "no token, bad
//!    format, invalid/revoked key"). No token is consumed.
//! 4. **Injected 429**: if the next queued fault is `Status(429)` it is used up
//!    and answered with 429 without touching the bucket (a simulated storm).
//! 5. **Rate limit**: one token from the bucket shared by all endpoints; none
//!    left → 429 (regular body, optional `Retry-After: 1`), nothing executed,
//!    no fault consumed.
//! 6. **Fault**: the next queued fault, if any, is used up:
//!    * `Status(500 | 504)`: the handler runs first and its answer is thrown
//!      away — the call may have succeeded, as the reference warns for 504;
//!    * any other `Status(s)`: the documented body for `s`, handler not run;
//!    * `Delay(d)`: sleep `d`, then continue normally;
//!    * `DropConnection`: the connection is closed without a response
//!      (handler not run);
//!    * `MalformedJson` / `EmptyBody`: the handler runs, then 200 with its body
//!      cut in half / with no body.
//! 7. **Content type**: routes taking a JSON body (none yet) require
//!    `Content-Type: application/json` → else 415 in the regular format.
//! 8. **Handler**.
//!
//! Every response carries `Content-Type: application/json`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response};

use crate::contacts;
use crate::errors::{
    gateway_body, json_response, raw_response, regular_body, status_response, ErrorFormat,
    GatewayError,
};
use crate::faults::Fault;
use crate::{lock, Shared};

/// Per-connection switch that closes the socket without a response.
#[derive(Clone, Debug)]
pub(crate) struct ConnKill(pub Arc<tokio::sync::Notify>);

/// A known API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Profile,
    ContactsList,
    Contact(String),
}

impl Route {
    /// Resolves method + path; `None` → the gateway's 403.
    pub fn resolve(method: &Method, path: &str) -> Option<Route> {
        if method != Method::GET {
            return None;
        }
        match path {
            "/v1/profile" => Some(Route::Profile),
            "/v1/contacts" => Some(Route::ContactsList),
            _ => {
                let id = path.strip_prefix("/v1/contacts/")?;
                if id.is_empty() || id.contains('/') {
                    None
                } else {
                    Some(Route::Contact(id.to_string()))
                }
            }
        }
    }

    /// Error body format of the endpoint (reference §4).
    pub fn error_format(&self) -> ErrorFormat {
        match self {
            Route::Profile => ErrorFormat::Regular,
            Route::ContactsList | Route::Contact(_) => ErrorFormat::Legacy,
        }
    }

    /// Whether the route takes a JSON request body (POST/PUT).
    pub fn takes_json_body(&self) -> bool {
        false
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
    let mut resp = json_response(429, &regular_body(429, path, "Too Many Requests", None));
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
    let kill = req.extensions().get::<ConnKill>().cloned();
    // No implemented route reads a request body yet.
    let (parts, _body) = req.into_parts();
    match pipeline(&shared, &parts, seq, kill.is_some()).await {
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

async fn pipeline(shared: &Shared, req: &Parts, seq: u64, can_drop: bool) -> Outcome {
    let path = req.uri.path();
    let headers = &req.headers;

    let Some(route) = Route::resolve(&req.method, path) else {
        let auth = headers
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes);
        return Outcome::Respond(json_response(403, &unknown_route_body(auth)));
    };

    if !authorized(shared, headers) {
        return Outcome::Respond(status_response(401, path, route.error_format()));
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
            if s == 500 || s == 504 {
                let _ = run(shared, req, &route);
            }
            return Outcome::Respond(status_response(s, path, route.error_format()));
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::DropConnection) if can_drop => return Outcome::Drop,
        // No connection handle (router used outside `server.rs`): answer normally.
        Some(Fault::DropConnection) => {}
        Some(Fault::MalformedJson) => {
            let body = axum::body::to_bytes(run(shared, req, &route).into_body(), usize::MAX)
                .await
                .unwrap_or_default();
            let cut = if body.len() >= 4 {
                body.slice(..body.len() / 2)
            } else {
                axum::body::Bytes::from_static(b"{\"content\":[")
            };
            return Outcome::Respond(raw_response(200, Body::from(cut)));
        }
        Some(Fault::EmptyBody) => {
            let _ = run(shared, req, &route);
            return Outcome::Respond(raw_response(200, Body::empty()));
        }
    }

    if route.takes_json_body() && !is_json_content_type(headers) {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        return Outcome::Respond(json_response(
            415,
            &regular_body(
                415,
                path,
                &format!("Content type '{ct}' not supported"),
                None,
            ),
        ));
    }

    Outcome::Respond(run(shared, req, &route))
}

/// The endpoint handlers proper.
fn run(shared: &Shared, req: &Parts, route: &Route) -> Response<Body> {
    match route {
        Route::Profile => json_response(200, &lock(&shared.profile).to_wire()),
        Route::ContactsList => contacts::list(&shared.contacts, req.uri.query()),
        Route::Contact(id) => contacts::get(&shared.contacts, id),
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
        assert_eq!(Route::resolve(&Method::GET, "/v1/invoices"), None);
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
