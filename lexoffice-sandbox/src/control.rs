//! Test-only control plane under `/__sandbox` (see the crate docs). Not
//! authenticated, not rate limited, not recorded. Never expose it beyond
//! loopback — the sandbox only binds 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::errors::json_response;
use crate::faults::Fault;
use crate::invoices::{DeleteError, StatusError, StoredInvoice};
use crate::state::{
    Addresses, Contact, EmailAddresses, PhoneNumbers, XRechnung, PROFILE_TAX_TYPES,
};
use crate::{lock, Shared};

type S = State<Arc<Shared>>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/__sandbox/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route(
            "/__sandbox/requests",
            get(list_requests).delete(clear_requests),
        )
        .route("/__sandbox/profile", post(set_profile).get(get_profile))
        .route("/__sandbox/rate-limit/reset", post(reset_rate_limit))
        .route("/__sandbox/invoices", get(list_invoices))
        .route(
            "/__sandbox/invoices/{id}",
            axum::routing::delete(delete_invoice),
        )
        .route("/__sandbox/invoices/{id}/finalize", post(finalize_invoice))
        .route("/__sandbox/invoices/{id}/void", post(void_invoice))
        .route("/__sandbox/invoices/{id}/pay", post(pay_invoice))
        .route("/__sandbox/invoices/{id}/due", post(set_due_date))
        .route("/__sandbox/clock", post(set_clock).get(get_clock))
        .route("/__sandbox/contacts", get(list_contacts))
        .route("/__sandbox/contacts/{id}", post(patch_contact))
        .route("/__sandbox/articles", get(list_articles).post(add_article))
        .route("/__sandbox", get(not_found))
        .route("/__sandbox/{*rest}", axum::routing::any(not_found))
}

fn bad(msg: &str) -> Response<Body> {
    json_response(400, &json!({ "error": msg }))
}

async fn not_found() -> Response<Body> {
    json_response(404, &json!({ "error": "unknown control endpoint" }))
}

#[derive(Debug, Deserialize)]
struct FaultRequest {
    status: Option<u16>,
    #[serde(alias = "delayMs")]
    delay_ms: Option<u64>,
    kind: Option<String>,
    spec: Option<String>,
    count: Option<u32>,
    /// With `status` or `kind: "drop"`: run the handler first (store), then fail.
    #[serde(default, alias = "afterStore")]
    after_store: bool,
}

fn parse_fault(req: &FaultRequest) -> Result<(Fault, u32), String> {
    if let Some(spec) = &req.spec {
        let (fault, count) = Fault::parse_spec(spec)?;
        return Ok((fault, req.count.unwrap_or(count)));
    }
    let count = req.count.unwrap_or(1);
    let kind = req.kind.as_deref().map(str::to_ascii_lowercase);
    let fault = match (kind.as_deref(), req.status, req.delay_ms) {
        (None | Some("status"), Some(s), _) if req.after_store => {
            Fault::status(s)?;
            Fault::StatusAfterStore(s)
        }
        (None | Some("status"), Some(s), _) => Fault::status(s)?,
        (Some("drop" | "dropconnection"), _, _) if req.after_store => Fault::DropAfterStore,
        (Some("dropafter" | "dropafterstore"), _, _) => Fault::DropAfterStore,
        (None | Some("delay"), None, Some(ms)) | (Some("delay"), _, Some(ms)) => {
            Fault::Delay(Duration::from_millis(ms))
        }
        (Some("drop" | "dropconnection"), _, _) => Fault::DropConnection,
        (Some("malformed" | "malformedjson"), _, _) => Fault::MalformedJson,
        (Some("empty" | "emptybody"), _, _) => Fault::EmptyBody,
        _ => {
            return Err(
                "want {\"status\":N[,\"after_store\":true]} or {\"delay_ms\":N} or {\"kind\":\"drop|dropafter|malformed|empty\"} or {\"spec\":\"503x2\"}, plus optional \"count\""
                    .to_string(),
            )
        }
    };
    Ok((fault, count))
}

fn faults_json(shared: &Shared) -> Value {
    let list: Vec<Value> = lock(&shared.faults)
        .snapshot()
        .into_iter()
        .map(|(f, n)| json!({ "fault": f.to_string(), "remaining": n }))
        .collect();
    json!({ "faults": list })
}

async fn add_fault(State(shared): S, body: Bytes) -> Response<Body> {
    let req: FaultRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(&format!("invalid JSON: {e}")),
    };
    match parse_fault(&req) {
        Ok((fault, count)) => {
            lock(&shared.faults).push(fault, count);
            json_response(200, &faults_json(&shared))
        }
        Err(e) => bad(&e),
    }
}

async fn list_faults(State(shared): S) -> Response<Body> {
    json_response(200, &faults_json(&shared))
}

async fn clear_faults(State(shared): S) -> Response<Body> {
    lock(&shared.faults).clear();
    json_response(200, &faults_json(&shared))
}

async fn list_requests(State(shared): S) -> Response<Body> {
    let list: Vec<Value> = lock(&shared.records)
        .iter()
        .map(|r| {
            json!({
                "seq": r.seq,
                "method": r.method,
                "path": r.path,
                "elapsedMs": r.elapsed.as_secs_f64() * 1000.0,
                "status": r.status,
                "fault": r.fault,
            })
        })
        .collect();
    json_response(200, &Value::Array(list))
}

async fn clear_requests(State(shared): S) -> Response<Body> {
    lock(&shared.records).clear();
    json_response(200, &json!([]))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileRequest {
    company_name: Option<String>,
    small_business: Option<bool>,
    tax_type: Option<String>,
}

async fn set_profile(State(shared): S, body: Bytes) -> Response<Body> {
    let req: ProfileRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(&format!("invalid JSON: {e}")),
    };
    if let Some(tt) = &req.tax_type {
        if !PROFILE_TAX_TYPES.contains(&tt.as_str()) {
            return bad(&format!(
                "taxType must be one of {}, got {tt:?}",
                PROFILE_TAX_TYPES.join(", ")
            ));
        }
    }
    let mut profile = lock(&shared.profile);
    if let Some(name) = req.company_name {
        profile.company_name = name;
    }
    if let Some(sb) = req.small_business {
        profile.small_business = sb;
    }
    if let Some(tt) = req.tax_type {
        profile.tax_type = tt;
    }
    json_response(200, &profile.to_wire())
}

async fn get_profile(State(shared): S) -> Response<Body> {
    let profile = lock(&shared.profile).to_wire();
    json_response(200, &profile)
}

async fn reset_rate_limit(State(shared): S) -> Response<Body> {
    let now = shared.now();
    lock(&shared.bucket).fill(now);
    json_response(200, &json!({ "ok": true }))
}

async fn list_invoices(State(shared): S) -> Response<Body> {
    let list: Vec<_> = lock(&shared.invoices)
        .iter()
        .map(StoredInvoice::to_wire)
        .collect();
    json_response(200, &list)
}

fn parse_id(id: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(id).ok()
}

async fn delete_invoice(State(shared): S, Path(id): Path<String>) -> Response<Body> {
    let Some(uuid) = parse_id(&id) else {
        return json_response(404, &json!({ "error": "unknown invoice" }));
    };
    match lock(&shared.invoices).delete(uuid) {
        Ok(inv) => json_response(200, &json!({ "deleted": inv.id })),
        Err(DeleteError::NotFound) => json_response(404, &json!({ "error": "unknown invoice" })),
        Err(DeleteError::NotDraft) => json_response(
            409,
            &json!({ "error": "only drafts can be deleted (finalized invoices can only be voided)" }),
        ),
    }
}

fn unknown_invoice() -> Response<Body> {
    json_response(404, &json!({ "error": "unknown invoice" }))
}

/// 200 with the invoice, 404 unknown, 409 with what was expected.
fn status_change(result: Result<StoredInvoice, StatusError>, expected: &str) -> Response<Body> {
    match result {
        Ok(inv) => json_response(200, &inv.to_wire()),
        Err(StatusError::NotFound) => unknown_invoice(),
        Err(StatusError::WrongStatus(status)) => json_response(
            409,
            &json!({ "error": format!("{expected}, this invoice is {status}") }),
        ),
    }
}

async fn finalize_invoice(State(shared): S, Path(id): Path<String>) -> Response<Body> {
    let Some(uuid) = parse_id(&id) else {
        return unknown_invoice();
    };
    let now = shared.wall_now();
    let result = lock(&shared.invoices).finalize(uuid, now);
    status_change(result, "only drafts can be finalized")
}

async fn void_invoice(State(shared): S, Path(id): Path<String>) -> Response<Body> {
    let Some(uuid) = parse_id(&id) else {
        return unknown_invoice();
    };
    let now = shared.wall_now();
    let result = lock(&shared.invoices).void(uuid, now);
    status_change(
        result,
        "only finalized invoices (open, overdue, paid) can be voided",
    )
}

async fn pay_invoice(State(shared): S, Path(id): Path<String>) -> Response<Body> {
    let Some(uuid) = parse_id(&id) else {
        return unknown_invoice();
    };
    let now = shared.wall_now();
    let result = lock(&shared.invoices).pay(uuid, now);
    status_change(result, "only open invoices can be paid")
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DueRequest {
    due_date: String,
}

async fn set_due_date(State(shared): S, Path(id): Path<String>, body: Bytes) -> Response<Body> {
    let Some(uuid) = parse_id(&id) else {
        return unknown_invoice();
    };
    let due = match serde_json::from_slice::<DueRequest>(&body) {
        Ok(r) => match chrono::NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d") {
            Ok(d) if r.due_date.len() == 10 => d,
            _ => return bad(&format!("dueDate must be yyyy-MM-dd, got {:?}", r.due_date)),
        },
        Err(e) => return bad(&format!("want {{\"dueDate\":\"yyyy-MM-dd\"}}: {e}")),
    };
    let now = shared.wall_now();
    let result = lock(&shared.invoices).set_due(uuid, due, now);
    status_change(result, "only open invoices get a new due date")
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    offset_seconds: i64,
}

fn clock_json(shared: &Shared) -> Value {
    json!({
        "offsetSeconds": shared.clock.offset_secs(),
        "now": crate::errors::berlin_timestamp(shared.wall_now()),
    })
}

async fn set_clock(State(shared): S, body: Bytes) -> Response<Body> {
    match serde_json::from_slice::<ClockRequest>(&body) {
        Ok(r) => {
            shared.clock.set_offset_secs(r.offset_seconds);
            json_response(200, &clock_json(&shared))
        }
        Err(e) => bad(&format!("want {{\"offsetSeconds\":N}}: {e}")),
    }
}

async fn get_clock(State(shared): S) -> Response<Body> {
    json_response(200, &clock_json(&shared))
}

/// Every contact (also those within their visibility delay), API order:
/// the `GET /v1/contacts/{id}` JSON plus `visible`, `createdDate`,
/// `updatedDate`.
async fn list_contacts(State(shared): S) -> Response<Body> {
    let list: Vec<Value> = shared
        .contacts
        .all()
        .into_iter()
        .map(|c| {
            let mut j = c.to_json();
            let meta = shared.contacts.meta(c.id);
            if let Value::Object(m) = &mut j {
                m.insert("visible".into(), json!(shared.contacts.is_visible(c.id)));
                if let Some(meta) = meta {
                    m.insert(
                        "createdDate".into(),
                        json!(crate::errors::berlin_timestamp(meta.created)),
                    );
                    m.insert(
                        "updatedDate".into(),
                        json!(crate::errors::berlin_timestamp(meta.updated)),
                    );
                }
            }
            j
        })
        .collect();
    json_response(200, &Value::Array(list))
}

/// A web-app user's edit of a contact. Every field optional; `contact`
/// replaces the whole contact (its `id`, `organizationId`, `version` are
/// ignored; roles without a number get one).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContactPatch {
    /// Company name (company contacts only).
    name: Option<String>,
    salutation: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    vat_registration_id: Option<String>,
    note: Option<String>,
    archived: Option<bool>,
    addresses: Option<Addresses>,
    email_addresses: Option<EmailAddresses>,
    phone_numbers: Option<PhoneNumbers>,
    x_rechnung: Option<XRechnung>,
    contact: Option<Value>,
}

async fn patch_contact(State(shared): S, Path(id): Path<String>, body: Bytes) -> Response<Body> {
    let Some(uuid) = parse_id(&id).filter(|id| shared.contacts.get(*id).is_some()) else {
        return json_response(404, &json!({ "error": "unknown contact" }));
    };
    let patch: ContactPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return bad(&format!("invalid contact patch: {e}")),
    };
    let replacement = match &patch.contact {
        None => None,
        Some(v) => {
            let mut v = v.clone();
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), json!(uuid));
                m.insert("organizationId".into(), json!(uuid::Uuid::nil()));
                m.entry("version").or_insert(json!(0));
            }
            match serde_json::from_value::<Contact>(v) {
                Ok(c) => Some(c),
                Err(e) => return bad(&format!("contact: {e}")),
            }
        }
    };
    if patch.name.is_some() && replacement.is_none() {
        let is_company = shared
            .contacts
            .get(uuid)
            .is_some_and(|c| c.company.is_some());
        if !is_company {
            return bad("name is the company name; this contact is a person");
        }
    }
    let changed = shared.contacts.update_contact(uuid, |c| {
        if let Some(r) = replacement {
            *c = r;
        }
        if let Some(co) = c.company.as_mut() {
            if let Some(n) = patch.name {
                co.name = n;
            }
            if let Some(v) = patch.vat_registration_id {
                co.vat_registration_id = Some(v);
            }
        }
        if let Some(p) = c.person.as_mut() {
            if let Some(v) = patch.salutation {
                p.salutation = Some(v);
            }
            if let Some(v) = patch.first_name {
                p.first_name = Some(v);
            }
            if let Some(v) = patch.last_name {
                p.last_name = v;
            }
        }
        if let Some(v) = patch.note {
            c.note = Some(v);
        }
        if let Some(v) = patch.archived {
            c.archived = v;
        }
        if let Some(v) = patch.addresses {
            c.addresses = v;
        }
        if let Some(v) = patch.email_addresses {
            c.email_addresses = v;
        }
        if let Some(v) = patch.phone_numbers {
            c.phone_numbers = v;
        }
        if let Some(v) = patch.x_rechnung {
            c.x_rechnung = Some(v);
        }
    });
    match changed {
        Some(c) => json_response(200, &c),
        None => json_response(404, &json!({ "error": "unknown contact" })),
    }
}

async fn list_articles(State(shared): S) -> Response<Body> {
    json_response(200, &shared.articles.all())
}

/// Same body and checks as `POST /v1/articles`; answers 201 with the whole
/// article, 400 `{error, details}` when invalid.
async fn add_article(State(shared): S, body: Bytes) -> Response<Body> {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad(&format!("invalid JSON: {e}")),
    };
    match crate::articles::read_article(&value) {
        Ok(a) => json_response(201, &shared.articles.add(a)),
        Err(r) => json_response(
            400,
            &json!({ "error": "invalid article", "details": r.details }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: Value) -> FaultRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn fault_requests() {
        assert_eq!(
            parse_fault(&req(json!({"status":503,"count":2}))),
            Ok((Fault::Status(503), 2))
        );
        assert_eq!(
            parse_fault(&req(json!({"delay_ms":3000,"count":1}))),
            Ok((Fault::Delay(Duration::from_millis(3000)), 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"kind":"malformed","count":1}))),
            Ok((Fault::MalformedJson, 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"kind":"drop"}))),
            Ok((Fault::DropConnection, 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"kind":"empty"}))),
            Ok((Fault::EmptyBody, 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"spec":"504x3"}))),
            Ok((Fault::Status(504), 3))
        );
        assert_eq!(
            parse_fault(&req(json!({"status":504,"after_store":true}))),
            Ok((Fault::StatusAfterStore(504), 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"status":500,"afterStore":true,"count":2}))),
            Ok((Fault::StatusAfterStore(500), 2))
        );
        assert_eq!(
            parse_fault(&req(json!({"kind":"drop","after_store":true}))),
            Ok((Fault::DropAfterStore, 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"kind":"dropafter"}))),
            Ok((Fault::DropAfterStore, 1))
        );
        assert_eq!(
            parse_fault(&req(json!({"spec":"504afterx1"}))),
            Ok((Fault::StatusAfterStore(504), 1))
        );
        assert!(parse_fault(&req(json!({"status":200,"after_store":true}))).is_err());
        assert!(parse_fault(&req(json!({"status":200}))).is_err());
        assert!(parse_fault(&req(json!({"count":2}))).is_err());
        assert!(parse_fault(&req(json!({"kind":"bogus"}))).is_err());
    }
}
