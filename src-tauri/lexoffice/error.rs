//! lexoffice errors. The API answers in three body formats (docs/lexoffice.md › Error bodies):
//! the regular format (`timestamp, status, error, path, traceId, message, details[]`),
//! the legacy `IssueList` format (contacts, files, vouchers) and the gateway's
//! plain `{"message": …}`. All are parsed into `ErrorBody`; the German text a
//! user sees depends on the status, never on lexoffice's English message, and
//! never repeats what the gateway echoes of the Authorization header.

use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    /// `field` (regular) or `source` (legacy).
    pub field: Option<String>,
    /// `violation` (regular) or `i18nKey` (legacy).
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorBody {
    Regular {
        status: Option<u16>,
        error: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        trace_id: Option<String>,
        details: Vec<ErrorDetail>,
    },
    Legacy {
        request_id: Option<String>,
        issues: Vec<ErrorDetail>,
    },
    /// Gateway format; the text is dropped when it mentions the Authorization header.
    Message(Option<String>),
    Raw(String),
    Empty,
}

impl ErrorBody {
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ErrorBody::Regular { request_id, .. } | ErrorBody::Legacy { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The regular format's top-level `message` (gateway echoes already dropped).
    pub fn message(&self) -> Option<&str> {
        match self {
            ErrorBody::Regular { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    pub fn details(&self) -> &[ErrorDetail] {
        match self {
            ErrorBody::Regular { details, .. } => details,
            ErrorBody::Legacy { issues, .. } => issues,
            _ => &[],
        }
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn mentions_credentials(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("authorization") || t.contains("bearer")
}

/// Try regular → legacy → `{message}` → raw text (docs/lexoffice.md › Error bodies).
pub fn parse_error_body(bytes: &[u8]) -> ErrorBody {
    let text = String::from_utf8_lossy(bytes);
    if text.trim().is_empty() {
        return ErrorBody::Empty;
    }
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        let mut raw: String = text.chars().take(300).collect();
        if mentions_credentials(&raw) {
            raw = "[entfernt]".into();
        }
        return ErrorBody::Raw(raw);
    };
    let Some(obj) = v.as_object() else {
        return if v.is_null() {
            ErrorBody::Empty
        } else {
            ErrorBody::Raw(v.to_string().chars().take(300).collect())
        };
    };
    if obj.contains_key("status") && (obj.contains_key("error") || obj.contains_key("timestamp")) {
        let details = v
            .get("details")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|d| ErrorDetail {
                        field: s(d, "field"),
                        code: s(d, "violation"),
                        message: s(d, "message"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        return ErrorBody::Regular {
            status: v.get("status").and_then(Value::as_u64).map(|n| n as u16),
            error: s(&v, "error"),
            message: s(&v, "message"),
            request_id: s(&v, "requestId"),
            trace_id: s(&v, "traceId"),
            details,
        };
    }
    if let Some(list) = obj.get("IssueList").and_then(Value::as_array) {
        let issues = list
            .iter()
            .map(|d| ErrorDetail {
                field: s(d, "source"),
                code: s(d, "i18nKey"),
                message: s(d, "type"),
            })
            .collect();
        return ErrorBody::Legacy {
            request_id: s(&v, "requestId"),
            issues,
        };
    }
    if obj.contains_key("message") {
        let m = s(&v, "message").filter(|m| !mentions_credentials(m));
        return ErrorBody::Message(m);
    }
    ErrorBody::Raw(v.to_string().chars().take(300).collect())
}

#[derive(Clone, PartialEq, Eq)]
pub enum LexofficeError {
    /// lexoffice answered with an error status.
    Status { status: u16, body: ErrorBody },
    /// No answer within the client's timeout.
    Timeout,
    /// DNS failure, connection refused, TLS failure: lexoffice not reached at all.
    Connect(String),
    /// The connection broke while the request was under way.
    Network(String),
    /// A success status with a body we cannot read.
    InvalidResponse(String),
}

impl fmt::Debug for LexofficeError {
    // Debug goes to logs: status, request id and detail codes only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexofficeError::Status { status, body } => write!(
                f,
                "lexoffice status {status} (requestId {:?}, details {:?})",
                body.request_id(),
                body.details()
            ),
            LexofficeError::Timeout => f.write_str("lexoffice timeout"),
            LexofficeError::Connect(d) => write!(f, "lexoffice connect: {d}"),
            LexofficeError::Network(d) => write!(f, "lexoffice network: {d}"),
            LexofficeError::InvalidResponse(d) => write!(f, "lexoffice invalid response: {d}"),
        }
    }
}

impl LexofficeError {
    pub fn status(&self) -> Option<u16> {
        match self {
            LexofficeError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// May the request have been carried out although we saw an error?
    /// (504 and broken connections: the draft may exist; docs/lexoffice.md › Status codes. A 2xx
    /// whose body we cannot read was carried out, we just lack its id.)
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            LexofficeError::Timeout
                | LexofficeError::Network(_)
                | LexofficeError::InvalidResponse(_)
        ) || matches!(self.status(), Some(500..=599))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            LexofficeError::Status { status, .. } => match status {
                401 => "unauthorized",
                402 => "paymentRequired",
                403 => "forbidden",
                404 => "notFound",
                406 => "rejected",
                409 => "conflict",
                429 => "rateLimited",
                504 => "timeout",
                500..=599 => "unavailable",
                _ => "badRequest",
            },
            LexofficeError::Timeout => "timeout",
            LexofficeError::Connect(_) => "offline",
            LexofficeError::Network(_) => "offline",
            LexofficeError::InvalidResponse(_) => "invalidResponse",
        }
    }
}

impl fmt::Display for LexofficeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexofficeError::Status { status, body } => match status {
                401 => f.write_str(
                    "lexoffice hat den API-Key abgelehnt: Er ist ungültig, abgelaufen oder wurde widerrufen. \
                     Bitte in lexoffice einen neuen API-Key erzeugen und hier eintragen.",
                ),
                402 => f.write_str(
                    "Ihr lexoffice-Tarif enthält keinen Zugang zur Schnittstelle (Public API). \
                     Bitte den Tarif in lexoffice prüfen oder wechseln.",
                ),
                403 => f.write_str(
                    "Dem API-Key fehlen die nötigen Rechte. Bitte in lexoffice als Administrator einen \
                     API-Key mit Zugriff auf Kontakte und Rechnungen erzeugen.",
                ),
                404 => f.write_str("Der Datensatz wurde in lexoffice nicht gefunden (vielleicht gelöscht)."),
                406 => {
                    let mut text = String::from("lexoffice hat die Daten nicht angenommen");
                    let parts: Vec<String> = body
                        .details()
                        .iter()
                        .map(|d| {
                            let field = d.field.as_deref().unwrap_or("");
                            let msg = d.message.as_deref().or(d.code.as_deref()).unwrap_or("");
                            format!("{field} {msg}").trim().to_string()
                        })
                        .filter(|p| !p.is_empty())
                        .take(5)
                        .collect();
                    if parts.is_empty() {
                        // A 406 may carry its reason only in `message` (docs/lexoffice.md).
                        match body.message().and_then(explain_message) {
                            Some(why) => {
                                text.push_str(": ");
                                text.push_str(&why);
                            }
                            None => text.push('.'),
                        }
                    } else {
                        text.push_str(": ");
                        text.push_str(&parts.join("; "));
                        text.push('.');
                    }
                    f.write_str(&text)
                }
                409 => f.write_str(
                    "Der Datensatz wurde in lexoffice inzwischen geändert. Bitte erneut laden und wiederholen.",
                ),
                429 => f.write_str(
                    "lexoffice meldet zu viele Anfragen in kurzer Zeit. Bitte einen Moment warten und erneut versuchen.",
                ),
                504 => f.write_str(
                    "lexoffice hat nicht rechtzeitig geantwortet (Zeitüberschreitung). Bitte in ein paar Minuten erneut versuchen.",
                ),
                500..=599 => write!(
                    f,
                    "lexoffice ist gerade nicht verfügbar (Fehler {status}). Bitte in ein paar Minuten erneut versuchen."
                ),
                _ => write!(
                    f,
                    "lexoffice hat die Anfrage nicht verstanden (Fehler {status}). Bitte erneut versuchen; \
                     bleibt der Fehler, bitte den Support informieren."
                ),
            },
            LexofficeError::Timeout => f.write_str(
                "lexoffice hat nicht rechtzeitig geantwortet. Bitte die Internetverbindung prüfen und erneut versuchen.",
            ),
            LexofficeError::Connect(_) | LexofficeError::Network(_) => f.write_str(
                "Keine Verbindung zu lexoffice. Bitte die Internetverbindung prüfen und erneut versuchen.",
            ),
            LexofficeError::InvalidResponse(_) => f.write_str(
                "lexoffice hat eine unerwartete Antwort geschickt. Bitte später erneut versuchen.",
            ),
        }
    }
}

impl std::error::Error for LexofficeError {}

/// The German explanation of a regular-format `message` that came without
/// details. Known texts get their own advice; others are quoted (they are the
/// only reason lexoffice gives). The generic "see details" text says nothing.
pub fn explain_message(msg: &str) -> Option<String> {
    let m = msg.trim();
    if m.is_empty() || mentions_credentials(m) || m.starts_with("Validation failed for request") {
        return None;
    }
    if let Some(rest) =
        m.strip_prefix("Referenced contact needs to have exactly one billing address, but ")
    {
        if let Some(n) = rest.split_whitespace().next().and_then(|n| n.parse().ok()) {
            return Some(format!(
                "Der Kunde hat in lexoffice {}, lexoffice verlangt genau eine. Bitte den Kontakt in lexoffice so bearbeiten, dass er genau eine Rechnungsadresse hat, und die Kunden dann erneut importieren.",
                crate::de::format::billing_addresses_de(n)
            ));
        }
    }
    let quoted: String = m.chars().take(300).collect();
    Some(format!(
        "lexoffice nennt als Grund (auf Englisch): „{quoted}“"
    ))
}

/// The app's error for a lexoffice error: its kind and its German text.
impl From<LexofficeError> for crate::error::AppError {
    fn from(e: LexofficeError) -> Self {
        crate::error::AppError::Lexoffice {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_406_without_details_explains_its_message_in_german() {
        let body = br#"{"timestamp":"2026-12-01T10:15:30.123+01:00","status":406,"error":"Not Acceptable",
            "path":"/v1/invoices","traceId":"t","requestId":"r",
            "message":"Referenced contact needs to have exactly one billing address, but 2 addresses were found.",
            "details":[]}"#;
        let e = LexofficeError::Status {
            status: 406,
            body: parse_error_body(body),
        };
        assert_eq!(
            e.to_string(),
            "lexoffice hat die Daten nicht angenommen: Der Kunde hat in lexoffice 2 Rechnungsadressen, lexoffice verlangt genau eine. Bitte den Kontakt in lexoffice so bearbeiten, dass er genau eine Rechnungsadresse hat, und die Kunden dann erneut importieren."
        );
        let other = br#"{"timestamp":"x","status":406,"error":"Not Acceptable","message":"Invoice is locked.","details":[]}"#;
        let e = LexofficeError::Status {
            status: 406,
            body: parse_error_body(other),
        };
        assert_eq!(
            e.to_string(),
            "lexoffice hat die Daten nicht angenommen: lexoffice nennt als Grund (auf Englisch): „Invoice is locked.“"
        );
        let generic = br#"{"timestamp":"x","status":406,"error":"Not Acceptable","message":"Validation failed for request. Please see details list for specific causes.","details":[]}"#;
        let e = LexofficeError::Status {
            status: 406,
            body: parse_error_body(generic),
        };
        assert_eq!(e.to_string(), "lexoffice hat die Daten nicht angenommen.");
    }

    #[test]
    fn parses_regular_format() {
        let body = br#"{"timestamp":"2025-03-14T10:15:30.123+01:00","status":406,"error":"Not Acceptable",
            "path":"/v1/invoices","traceId":"4f2a9c0d1e77","requestId":"8c1d","message":"Validation failed",
            "details":[{"violation":"NOTNULL","field":"lineItems[0].unitPrice.taxRatePercentage","message":"darf nicht leer sein"}]}"#;
        match parse_error_body(body) {
            ErrorBody::Regular {
                status,
                request_id,
                trace_id,
                details,
                ..
            } => {
                assert_eq!(status, Some(406));
                assert_eq!(request_id.as_deref(), Some("8c1d"));
                assert_eq!(trace_id.as_deref(), Some("4f2a9c0d1e77"));
                assert_eq!(details.len(), 1);
                assert_eq!(details[0].code.as_deref(), Some("NOTNULL"));
            }
            other => panic!("{other:?}"),
        }
        let e = LexofficeError::Status {
            status: 406,
            body: parse_error_body(body),
        };
        assert!(e
            .to_string()
            .contains("lineItems[0].unitPrice.taxRatePercentage darf nicht leer sein"));
        assert_eq!(e.kind(), "rejected");
    }

    #[test]
    fn parses_legacy_issue_list_with_missing_optional_fields() {
        let body = br#"{"requestId":"0b6f","IssueList":[{"i18nKey":"missing_entity","source":"roles.customer or roles.vendor","type":"validation_failure"}]}"#;
        match parse_error_body(body) {
            ErrorBody::Legacy { request_id, issues } => {
                assert_eq!(request_id.as_deref(), Some("0b6f"));
                assert_eq!(
                    issues[0].field.as_deref(),
                    Some("roles.customer or roles.vendor")
                );
                assert_eq!(issues[0].code.as_deref(), Some("missing_entity"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_gateway_message_format_and_drops_echoed_credentials() {
        assert_eq!(
            parse_error_body(br#"{"message":"Unauthorized"}"#),
            ErrorBody::Message(Some("Unauthorized".into()))
        );
        assert_eq!(
            parse_error_body(br#"{"message":null}"#),
            ErrorBody::Message(None)
        );
        let echoed = br#"{"message":"'geheim' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer geheim'."}"#;
        let body = parse_error_body(echoed);
        assert_eq!(body, ErrorBody::Message(None));
        let e = LexofficeError::Status { status: 403, body };
        assert!(!format!("{e} {e:?}").contains("geheim"));
    }

    #[test]
    fn parses_empty_null_and_raw_bodies() {
        assert_eq!(parse_error_body(b""), ErrorBody::Empty);
        assert_eq!(parse_error_body(b"  \n"), ErrorBody::Empty);
        assert_eq!(parse_error_body(b"null"), ErrorBody::Empty);
        assert_eq!(
            parse_error_body(b"<html>Bad Gateway</html>"),
            ErrorBody::Raw("<html>Bad Gateway</html>".into())
        );
    }

    #[test]
    fn each_status_has_its_own_german_message_and_kind() {
        let cases = [
            (401, "unauthorized", "abgelehnt"),
            (402, "paymentRequired", "Tarif"),
            (403, "forbidden", "Rechte"),
            (429, "rateLimited", "zu viele Anfragen"),
            (500, "unavailable", "nicht verfügbar"),
            (503, "unavailable", "nicht verfügbar"),
            (504, "timeout", "nicht rechtzeitig"),
            (415, "badRequest", "nicht verstanden"),
        ];
        for (status, kind, text) in cases {
            let e = LexofficeError::Status {
                status,
                body: ErrorBody::Empty,
            };
            assert_eq!(e.kind(), kind, "{status}");
            assert!(e.to_string().contains(text), "{status}: {e}");
        }
        assert_eq!(LexofficeError::Connect("refused".into()).kind(), "offline");
        assert!(LexofficeError::Timeout.outcome_unknown());
        assert!(!LexofficeError::Status {
            status: 401,
            body: ErrorBody::Empty
        }
        .outcome_unknown());
    }
}
