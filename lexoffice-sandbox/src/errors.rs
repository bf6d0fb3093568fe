//! The three error body formats of lexoffice (docs/lexoffice.md › Error bodies) and JSON response helpers.
//!
//! * gateway: `{"message": ...}` — 401, 403 (unknown route/method), 500
//!   (`{"message":"Internal server error or rate limit exceeded"}`), 504
//!   (`{"message":"Endpoint request timed out"}`);
//! * legacy `IssueList` (docs/lexoffice.md › Error bodies) — contacts;
//! * regular (docs/lexoffice.md › Error bodies) — profile and everything else, and the 429 body.
//!
//! Every legacy/regular body carries a fresh `requestId`; regular bodies also a
//! `traceId` and a `timestamp` taken from the sandbox's (possibly shifted)
//! clock, passed in as `now`. Nothing here ever includes the configured API key.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;
use serde::Serialize;
use serde_json::Value;

/// Which error format an endpoint uses (docs/lexoffice.md › Error bodies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    Regular,
    Legacy,
}

/// `yyyy-MM-ddTHH:mm:ss.SSSXXX` in Europe/Berlin (docs/lexoffice.md › Dates).
pub fn berlin_timestamp(now: DateTime<Utc>) -> String {
    now.with_timezone(&Berlin)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn new_trace_id() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    id[..16].to_string()
}

/// HTTP reason phrase ("Too Many Requests").
pub fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

/// Regular error body (docs/lexoffice.md › Error bodies); fields in the documented order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegularError {
    pub timestamp: String,
    pub status: u16,
    pub error: String,
    pub path: String,
    pub trace_id: String,
    pub request_id: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// Regular error body (docs/lexoffice.md › Error bodies) with fresh ids; `timestamp` is `now` in Berlin.
pub fn regular_body(
    now: DateTime<Utc>,
    status: u16,
    path: &str,
    message: &str,
    details: Option<Value>,
) -> RegularError {
    RegularError {
        timestamp: berlin_timestamp(now),
        status,
        error: reason(status).to_string(),
        path: path.to_string(),
        trace_id: new_trace_id(),
        request_id: new_request_id(),
        message: message.to_string(),
        details,
    }
}

/// One entry of a legacy `IssueList`.
#[derive(Debug, Clone)]
pub struct Issue {
    pub i18n_key: String,
    pub source: Option<String>,
    pub issue_type: String,
}

impl Issue {
    pub fn new(i18n_key: &str, source: Option<&str>, issue_type: &str) -> Self {
        Issue {
            i18n_key: i18n_key.to_string(),
            source: source.map(str::to_string),
            issue_type: issue_type.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueJson {
    pub i18n_key: String,
    pub source: Option<String>,
    #[serde(rename = "type")]
    pub issue_type: String,
}

/// Legacy error body (docs/lexoffice.md › Error bodies) as real responses look: top-level `requestId`,
/// no `additionalData`/`args`.
#[derive(Debug, Clone, Serialize)]
pub struct LegacyError {
    #[serde(rename = "requestId")]
    pub request_id: String,
    #[serde(rename = "IssueList")]
    pub issue_list: Vec<IssueJson>,
}

pub fn legacy_body(issues: &[Issue]) -> LegacyError {
    LegacyError {
        request_id: new_request_id(),
        issue_list: issues
            .iter()
            .map(|i| IssueJson {
                i18n_key: i.i18n_key.clone(),
                source: i.source.clone(),
                issue_type: i.issue_type.clone(),
            })
            .collect(),
    }
}

/// The gateway's 500 message (current docs; a 500 may also mean "rate limit").
pub const INTERNAL_ERROR_MESSAGE: &str = "Internal server error or rate limit exceeded";

/// Gateway body `{"message": ...}` (docs/lexoffice.md › Error bodies).
#[derive(Debug, Clone, Serialize)]
pub struct GatewayError {
    pub message: Option<String>,
}

pub fn gateway_body(message: Option<&str>) -> GatewayError {
    GatewayError {
        message: message.map(str::to_string),
    }
}

/// A response with `Content-Type: application/json` and the given JSON body.
/// Serialisation keeps struct field order (the real API's order).
pub fn json_response<T: Serialize + ?Sized>(status: u16, body: &T) -> Response<Body> {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw_response(status, Body::from(bytes)),
        Err(_) => raw_response(
            500,
            Body::from(format!("{{\"message\":\"{INTERNAL_ERROR_MESSAGE}\"}}")),
        ),
    }
}

/// A response with `Content-Type: application/json` and an arbitrary body.
pub fn raw_response(status: u16, body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Legacy i18n key for a status (used for injected faults on contacts).
fn legacy_key(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("bad_request_error", "validation_failure"),
        402 => ("payment_required", "payment_required"),
        403 => ("forbidden", "forbidden"),
        404 => ("not_found", "not_found"),
        406 => ("missing_entity", "validation_failure"),
        409 => ("conflict", "conflict"),
        415 => ("unsupported_media_type", "unsupported_media_type"),
        _ => ("technical_error", "technical_error"),
    }
}

/// The documented response for an error status on an endpoint of the given
/// format (used by status faults and by real error paths alike).
///
/// * 401 → gateway `{"message":"Unauthorized"}`
/// * 402, 403, 429 → regular format (access layer / rate limiter)
/// * 500 → gateway `{"message":"Internal server error or rate limit exceeded"}`
/// * 503 → empty body ("body may be null")
/// * 504 → gateway `{"message":"Endpoint request timed out"}`
/// * anything else (400, 404, 406, 409, 415, …) → the endpoint's own format
pub fn status_response(
    now: DateTime<Utc>,
    status: u16,
    path: &str,
    format: ErrorFormat,
) -> Response<Body> {
    match status {
        401 => json_response(401, &gateway_body(Some("Unauthorized"))),
        500 => json_response(500, &gateway_body(Some(INTERNAL_ERROR_MESSAGE))),
        503 => raw_response(503, Body::empty()),
        504 => json_response(504, &gateway_body(Some("Endpoint request timed out"))),
        402 | 403 | 429 => json_response(
            status,
            &regular_body(now, status, path, default_message(status), None),
        ),
        _ => match format {
            ErrorFormat::Regular => json_response(
                status,
                &regular_body(now, status, path, default_message(status), None),
            ),
            ErrorFormat::Legacy => {
                let (key, kind) = legacy_key(status);
                json_response(status, &legacy_body(&[Issue::new(key, None, kind)]))
            }
        },
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        402 => "Payment required: the contract of this organization does not include this feature.",
        403 => "Access denied: the API key lacks the scope for this resource.",
        404 => "Resource not found.",
        406 => "Validation failed for request. Please see details list for specific causes.",
        409 => "The resource was changed in the meantime (outdated version).",
        415 => "Content type not supported.",
        429 => "Too Many Requests",
        s => reason(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamp_winter_and_summer() {
        let winter = Utc.with_ymd_and_hms(2025, 3, 14, 9, 15, 30).unwrap()
            + chrono::Duration::milliseconds(123);
        assert_eq!(berlin_timestamp(winter), "2025-03-14T10:15:30.123+01:00");
        let summer = Utc.with_ymd_and_hms(2025, 7, 1, 22, 0, 0).unwrap();
        assert_eq!(berlin_timestamp(summer), "2025-07-02T00:00:00.000+02:00");
    }

    #[test]
    fn regular_shape() {
        let b = serde_json::to_value(regular_body(
            Utc::now(),
            429,
            "/v1/profile",
            "Too Many Requests",
            None,
        ))
        .unwrap();
        assert_eq!(b["status"], 429);
        assert_eq!(b["error"], "Too Many Requests");
        assert_eq!(b["path"], "/v1/profile");
        for k in ["timestamp", "traceId", "requestId", "message"] {
            assert!(b[k].is_string(), "{k}");
        }
        assert!(b.get("details").is_none());
    }

    #[test]
    fn field_order_is_documented_order() {
        let text =
            serde_json::to_string(&regular_body(Utc::now(), 404, "/v1/x", "m", None)).unwrap();
        let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(pos("timestamp") < pos("status") && pos("status") < pos("error"));
        assert!(pos("traceId") < pos("requestId") && pos("requestId") < pos("message"));
    }

    #[test]
    fn gateway_500_body() {
        let t = Utc.with_ymd_and_hms(2025, 3, 14, 9, 15, 30).unwrap();
        let resp = status_response(t, 500, "/v1/profile", ErrorFormat::Regular);
        assert_eq!(resp.status(), 500);
        let b = serde_json::to_value(gateway_body(Some(INTERNAL_ERROR_MESSAGE))).unwrap();
        assert_eq!(
            b,
            serde_json::json!({"message": "Internal server error or rate limit exceeded"})
        );
        let r = regular_body(t, 406, "/v1/invoices", "m", None);
        assert_eq!(r.timestamp, "2025-03-14T10:15:30.000+01:00", "given clock");
    }

    #[test]
    fn legacy_shape() {
        let b = serde_json::to_value(legacy_body(&[Issue::new(
            "bad_request_error",
            Some("x"),
            "validation_failure",
        )]))
        .unwrap();
        assert!(b["requestId"].is_string());
        assert_eq!(b["IssueList"][0]["i18nKey"], "bad_request_error");
        assert_eq!(b["IssueList"][0]["source"], "x");
    }
}
