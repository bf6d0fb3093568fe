//! Read-only HTML pages standing in for the lexoffice **web app** (not the
//! API). In demo mode Zeitrechnung points its "lexoffice web app" base URL at
//! the sandbox, so a deeplink opened in the user's browser lands here and shows
//! what lexoffice would show:
//!
//! | Request | Page |
//! |---|---|
//! | `GET /permalink/invoices/edit/{id}`, `GET /permalink/invoices/view/{id}` | the stored invoice, printable (404 page when unknown) |
//! | `GET /permalink/contacts/view/{id}` | the contact: name, numbers, billing address, e-mail, its vouchers (404 page when unknown) |
//! | `GET /addons/public-api` | explains that the demo needs no API key (the key is never shown) |
//! | `GET /vouchers` | all stored invoices, linking to their pages |
//! | `GET /permalink/…` (anything else) | 404 page |
//!
//! Like the control plane these routes are matched before the gateway: not
//! authenticated, not rate limited (no token is taken), not recorded in
//! [`crate::Sandbox::requests`], and never under `/v1`.
//!
//! Every page is `text/html; charset=utf-8` with a strict
//! [`CONTENT_SECURITY_POLICY`] (inline `<style>` only, no scripts) and
//! `X-Content-Type-Options: nosniff`. Every value taken from data goes through
//! [`escape_html`]. Amounts are formatted from the stored [`Decimal`]s
//! ([`format_eur`], de-DE: `1.099,71 €`), never via floats.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, FixedOffset};
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use crate::invoices::{
    InvoiceAddress, StoredInvoice, DEFAULT_INTRODUCTION, DEFAULT_REMARK, DEFAULT_TITLE,
};
use crate::pricing::{berlin_date, parse_datetime, VAT_FREE_TAX_TYPES};
use crate::state::{Address, Contact};
use crate::{lock, Shared};

/// The banner on top of every page.
pub const BANNER: &str = "Demo – lexoffice-Sandbox: nichts hiervon ist beim echten lexoffice";

/// `Content-Security-Policy` of every page: inline styles, `data:` images,
/// nothing else (no scripts at all).
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Text of the 404 page for an unknown invoice.
pub const UNKNOWN_VOUCHER: &str = "Diesen Beleg gibt es nicht (mehr).";

/// Text of the 404 page for an unknown contact.
pub const UNKNOWN_CONTACT: &str = "Diesen Kontakt gibt es nicht (mehr).";

type S = State<Arc<Shared>>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/permalink/invoices/edit/{id}", get(invoice))
        .route("/permalink/invoices/view/{id}", get(invoice))
        .route("/permalink/contacts/view/{id}", get(contact))
        .route("/permalink", get(unknown_permalink))
        .route("/permalink/{*rest}", get(unknown_permalink))
        .route("/addons/public-api", get(public_api))
        .route("/vouchers", get(vouchers))
}

// ---------------------------------------------------------------------------
// Handlers

fn parse_id(id: Result<Path<String>, PathRejection>) -> Option<Uuid> {
    id.ok().and_then(|Path(id)| Uuid::parse_str(&id).ok())
}

async fn invoice(State(shared): S, id: Result<Path<String>, PathRejection>) -> Response<Body> {
    let found = parse_id(id).and_then(|id| lock(&shared.invoices).get(id).cloned());
    match found {
        Some(inv) => {
            let sender = lock(&shared.profile).company_name.clone();
            html_response(200, invoice_page(&inv, &sender))
        }
        None => html_response(404, not_found_page(UNKNOWN_VOUCHER)),
    }
}

async fn contact(State(shared): S, id: Result<Path<String>, PathRejection>) -> Response<Body> {
    let Some(c) = parse_id(id).and_then(|id| shared.contacts.get(id)) else {
        return html_response(404, not_found_page(UNKNOWN_CONTACT));
    };
    let invoices: Vec<StoredInvoice> = lock(&shared.invoices)
        .iter()
        .filter(|i| i.contact_id() == Some(c.id))
        .cloned()
        .collect();
    html_response(200, contact_page(&c, &invoices))
}

async fn unknown_permalink() -> Response<Body> {
    html_response(404, not_found_page(UNKNOWN_VOUCHER))
}

async fn public_api() -> Response<Body> {
    html_response(200, public_api_page())
}

async fn vouchers(State(shared): S) -> Response<Body> {
    let all = lock(&shared.invoices).all();
    html_response(200, vouchers_page(&all))
}

/// An HTML response with the page headers (content type, CSP, nosniff, no
/// caching, no referrer).
pub fn html_response(status: u16, html: String) -> Response<Body> {
    let mut resp = Response::new(Body::from(html));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

// ---------------------------------------------------------------------------
// Formatting

/// Escapes `& < > " '` for HTML text and (quoted) attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// [`escape_html`], then line breaks (`\n`, `\r\n`, `\r`) as `<br>`.
pub fn escape_multiline(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(escape_html)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// A decimal in de-DE notation: `.` groups thousands, `,` separates decimals;
/// at least `min_dp` and at most `max_dp` decimals (rounded half-up).
/// `format_decimal_de(1099.71, 2, 2)` → `1.099,71`, `(37.25, 0, 4)` → `37,25`.
pub fn format_decimal_de(d: Decimal, min_dp: u32, max_dp: u32) -> String {
    let mut v = d
        .round_dp_with_strategy(max_dp, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    if v.scale() < min_dp {
        v.rescale(min_dp);
    }
    let text = v.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if v.is_sign_negative() && !v.is_zero() {
        out.push('-');
    }
    let len = int.len();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// An amount in euros, two decimals: `1.099,71 €`.
pub fn format_eur(d: Decimal) -> String {
    format!("{} €", format_decimal_de(d, 2, 2))
}

/// A unit price: two to four decimals (`59,381 €`).
fn format_unit_price(d: Decimal) -> String {
    format!("{} €", format_decimal_de(d, 2, 4))
}

fn format_percent(d: Decimal) -> String {
    format!("{} %", format_decimal_de(d, 0, 2))
}

/// The Berlin calendar day, `31.03.2025`.
fn format_date(dt: &DateTime<FixedOffset>) -> String {
    berlin_date(dt).format("%d.%m.%Y").to_string()
}

/// A stored `yyyy-MM-ddTHH:mm:ss.SSSXXX` string as `31.03.2025`.
fn format_date_str(s: &str) -> String {
    parse_datetime(s).map_or_else(|| s.to_string(), |dt| format_date(&dt))
}

/// (label, CSS class) of a voucher status.
fn status_label(status: &str) -> (String, &'static str) {
    let (label, class) = match status {
        "draft" => ("Entwurf", "status status-draft"),
        "open" => ("Offen", "status status-open"),
        "overdue" => ("Überfällig", "status status-overdue"),
        "paid" | "paidoff" => ("Bezahlt", "status status-paid"),
        "voided" => ("Storniert", "status"),
        other => return (other.to_string(), "status"),
    };
    (label.to_string(), class)
}

fn status_badge(status: &str) -> String {
    let (label, class) = status_label(status);
    format!("<span class=\"{class}\">{}</span>", escape_html(&label))
}

/// The page heading of an invoice: `Rechnungsentwurf` / `Rechnung RE1001`.
pub fn invoice_heading(inv: &StoredInvoice) -> String {
    match (&inv.voucher_number, inv.is_draft()) {
        (Some(n), false) => format!("Rechnung {n}"),
        (None, false) => "Rechnung".to_string(),
        _ => "Rechnungsentwurf".to_string(),
    }
}

fn tax_type_label(tax_type: &str) -> &str {
    match tax_type {
        "net" => "Netto (zzgl. USt)",
        "gross" => "Brutto (inkl. USt)",
        "vatfree" => "Steuerfrei",
        "intraCommunitySupply" => "Innergemeinschaftliche Lieferung",
        "constructionService13b" => "Bauleistung nach § 13b UStG",
        "externalService13b" => "Fremdleistung nach § 13b UStG",
        "thirdPartyCountryService" => "Dienstleistung im Drittland",
        "thirdPartyCountryDelivery" => "Ausfuhrlieferung ins Drittland",
        "photovoltaicEquipment" => "Photovoltaikanlage (0 % USt)",
        other => other,
    }
}

fn country_name(code: &str) -> &str {
    match code {
        "DE" => "Deutschland",
        "AT" => "Österreich",
        "CH" => "Schweiz",
        "NL" => "Niederlande",
        "FR" => "Frankreich",
        "BE" => "Belgien",
        "LU" => "Luxemburg",
        "DK" => "Dänemark",
        "PL" => "Polen",
        "CZ" => "Tschechien",
        "IT" => "Italien",
        "ES" => "Spanien",
        other => other,
    }
}

/// Address lines (already escaped), skipping empty parts; the country only
/// when it is not Germany.
fn address_lines(
    name: Option<&str>,
    extra: &[Option<&str>],
    street: Option<&str>,
    zip: Option<&str>,
    city: Option<&str>,
    country_code: &str,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut push = |s: Option<&str>| {
        if let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) {
            lines.push(escape_html(s));
        }
    };
    push(name);
    for e in extra {
        push(*e);
    }
    push(street);
    let place = [zip, city]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    push(Some(&place));
    if !country_code.is_empty() && country_code != "DE" {
        push(Some(country_name(country_code)));
    }
    lines
}

fn invoice_address(a: &InvoiceAddress) -> String {
    let lines = address_lines(
        Some(&a.name),
        &[a.contact_person.as_deref(), a.supplement.as_deref()],
        a.street.as_deref(),
        a.zip.as_deref(),
        a.city.as_deref(),
        &a.country_code,
    );
    format!("<address>{}</address>", lines.join("<br>"))
}

fn contact_address(a: &Address) -> String {
    let lines = address_lines(
        None,
        &[a.supplement.as_deref()],
        a.street.as_deref(),
        a.zip.as_deref(),
        a.city.as_deref(),
        &a.country_code,
    );
    format!("<address>{}</address>", lines.join("<br>"))
}

// ---------------------------------------------------------------------------
// Pages

const STYLE: &str = "\
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2933;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}
.banner{background:#fff4d6;border-bottom:1px solid #f0d68a;color:#6b4e00;padding:.6rem 1rem;text-align:center;font-weight:600}
nav{max-width:960px;margin:1rem auto 0;padding:0 1rem;font-size:.9rem}
nav a{margin-right:1.25rem}
a{color:#1d4ed8;text-decoration:none}
a:hover{text-decoration:underline}
main{max-width:960px;margin:.75rem auto 2rem;background:#fff;border:1px solid #e5e7eb;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.06);padding:1.5rem 2rem}
h1{font-size:1.5rem;margin:0 0 .75rem}
h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
.hint{color:#52606d;font-size:.9rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.5rem;margin:0 0 1.5rem}
dl.meta dt{color:#52606d}
dl.meta dd{margin:0}
address{font-style:normal;margin:.25rem 0 1rem}
.sender{font-size:.8rem;color:#52606d;text-decoration:underline;margin:1.5rem 0 0}
.doc{border-top:1px solid #e5e7eb;margin-top:1rem}
table{width:100%;border-collapse:collapse;margin:1rem 0}
th,td{padding:.45rem .5rem;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
thead th{font-size:.78rem;text-transform:uppercase;letter-spacing:.03em;color:#52606d;border-bottom:2px solid #d2d6dc}
.num{text-align:right;white-space:nowrap}
.desc{color:#52606d;font-size:.9rem}
tr.heading td{background:#f9fafb;font-weight:600}
table.totals{width:auto;min-width:340px;margin-left:auto}
table.totals th{font-weight:normal}
table.totals tr.grand th,table.totals tr.grand td{font-weight:700;border-top:2px solid #1f2933;border-bottom:none}
.status{display:inline-block;padding:0 .55rem;border-radius:999px;background:#e5e7eb;font-size:.85rem}
.status-draft{background:#f3f4f6;color:#374151;border:1px solid #d1d5db}
.status-open{background:#dbeafe;color:#1e40af}
.status-overdue{background:#fee2e2;color:#991b1b}
.status-paid{background:#dcfce7;color:#166534}
@media print{body{background:#fff}nav{display:none}main{border:none;box-shadow:none;margin:0;max-width:none;padding:0 1rem}}
";

/// The page frame; `title` is plain text (escaped here), `content` is HTML.
fn page(title: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{} – lexoffice-Sandbox</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <div class=\"banner\" role=\"note\">{}</div>\n\
         <nav><a href=\"/vouchers\">Belege</a><a href=\"/addons/public-api\">Public API</a></nav>\n\
         <main>\n{content}</main>\n</body>\n</html>\n",
        escape_html(title),
        escape_html(BANNER),
    )
}

/// The invoice as a printable page. `sender` is the organisation's name
/// (profile `companyName`).
pub fn invoice_page(inv: &StoredInvoice, sender: &str) -> String {
    let p = &inv.priced;
    let gross_mode = p.tax_conditions.tax_type == "gross";
    let heading = invoice_heading(inv);
    let mut h = String::new();
    let _ = writeln!(h, "<h1>{}</h1>", escape_html(&heading));
    if inv.is_draft() {
        h.push_str(
            "<p class=\"hint\">Schreibgeschützte Ansicht. Im echten lexoffice würden Sie den \
             Entwurf hier prüfen, bearbeiten und abschließen.</p>\n",
        );
    }

    // Key facts.
    h.push_str("<dl class=\"meta\">\n");
    let mut meta = |label: &str, value_html: String| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{value_html}</dd>", escape_html(label));
    };
    meta("Status", status_badge(&inv.voucher_status));
    if let Some(n) = &inv.voucher_number {
        meta("Rechnungsnummer", escape_html(n));
    }
    meta("Rechnungsdatum", escape_html(&format_date(&p.voucher_date)));
    let sc = &p.shipping_conditions;
    let day = |d: Option<&DateTime<FixedOffset>>| d.map(format_date).unwrap_or_default();
    let (label, value) = match sc.shipping_type.as_str() {
        "service" => ("Leistungsdatum", day(sc.shipping_date.as_ref())),
        "delivery" => ("Lieferdatum", day(sc.shipping_date.as_ref())),
        "serviceperiod" => (
            "Leistungszeitraum",
            format!(
                "{} – {}",
                day(sc.shipping_date.as_ref()),
                day(sc.shipping_end_date.as_ref())
            ),
        ),
        "deliveryperiod" => (
            "Lieferzeitraum",
            format!(
                "{} – {}",
                day(sc.shipping_date.as_ref()),
                day(sc.shipping_end_date.as_ref())
            ),
        ),
        _ => (
            "Liefer-/Leistungsdatum",
            "entspricht dem Rechnungsdatum".to_string(),
        ),
    };
    meta(label, escape_html(&value));
    if let Some(due) = &inv.due_date {
        meta("Fällig am", escape_html(&format_date_str(due)));
    }
    if let Some(label) = p
        .payment_conditions
        .as_ref()
        .and_then(|pc| pc.payment_term_label.as_deref())
    {
        meta("Zahlungsbedingungen", escape_multiline(label));
    }
    meta(
        "Besteuerung",
        escape_html(tax_type_label(&p.tax_conditions.tax_type)),
    );
    if let Some(id) = inv.contact_id() {
        meta(
            "Kontakt",
            format!("<a href=\"/permalink/contacts/view/{id}\">Kontakt ansehen</a>"),
        );
    }
    h.push_str("</dl>\n");

    // The document.
    h.push_str("<div class=\"doc\">\n");
    if !sender.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"sender\">{}</p>", escape_html(sender));
    }
    h.push_str(&invoice_address(&inv.address));
    h.push('\n');
    let title = p.title.as_deref().unwrap_or(DEFAULT_TITLE);
    let _ = writeln!(h, "<h2>{}</h2>", escape_html(title));
    let intro = p.introduction.as_deref().unwrap_or(DEFAULT_INTRODUCTION);
    if !intro.trim().is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape_multiline(intro));
    }

    h.push_str(
        "<table class=\"items\">\n<thead><tr><th>Pos.</th><th>Bezeichnung</th>\
         <th class=\"num\">Menge</th><th>Einheit</th><th class=\"num\">Einzelpreis</th>\
         <th class=\"num\">USt %</th><th class=\"num\">Betrag</th></tr></thead>\n<tbody>\n",
    );
    let mut pos = 0;
    for li in &p.line_items {
        let desc = li
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| format!("<div class=\"desc\">{}</div>", escape_multiline(d)))
            .unwrap_or_default();
        if li.item_type == "text" {
            let _ = writeln!(
                h,
                "<tr class=\"heading\"><td></td><td colspan=\"6\">{}{desc}</td></tr>",
                escape_html(&li.name)
            );
            continue;
        }
        pos += 1;
        let discount = li
            .discount_percentage
            .filter(|d| !d.is_zero())
            .map(|d| {
                format!(
                    "<div class=\"desc\">abzgl. {} Rabatt</div>",
                    escape_html(&format_percent(d))
                )
            })
            .unwrap_or_default();
        let up = li.unit_price.as_ref();
        let unit_price = up
            .map(|u| {
                format_unit_price(if gross_mode {
                    u.gross_amount
                } else {
                    u.net_amount
                })
            })
            .unwrap_or_default();
        let rate = up
            .map(|u| format_percent(u.tax_rate_percentage))
            .unwrap_or_default();
        let qty = li
            .quantity
            .map(|q| format_decimal_de(q, 0, 4))
            .unwrap_or_default();
        let amount = li.line_item_amount.map(format_eur).unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{pos}</td><td><strong>{}</strong>{desc}{discount}</td>\
             <td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape_html(&li.name),
            escape_html(&qty),
            escape_html(li.unit_name.as_deref().unwrap_or("")),
            escape_html(&unit_price),
            escape_html(&rate),
            escape_html(&amount),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    if gross_mode {
        h.push_str("<p class=\"hint\">Einzelpreise und Beträge inkl. USt.</p>\n");
    }

    // Totals.
    let tp = &p.total_price;
    h.push_str("<table class=\"totals\">\n");
    let _ = writeln!(
        h,
        "<tr><th>Summe netto</th><td class=\"num\">{}</td></tr>",
        escape_html(&format_eur(tp.total_net_amount))
    );
    let vat_free = VAT_FREE_TAX_TYPES.contains(&p.tax_conditions.tax_type.as_str());
    for ta in p.tax_amounts.iter().filter(|_| !vat_free) {
        let _ = writeln!(
            h,
            "<tr><th>Umsatzsteuer {}</th><td class=\"num\">{}</td></tr>",
            escape_html(&format_percent(ta.tax_rate_percentage)),
            escape_html(&format_eur(ta.tax_amount))
        );
    }
    let _ = writeln!(
        h,
        "<tr class=\"grand\"><th>Gesamtbetrag</th><td class=\"num\">{}</td></tr>",
        escape_html(&format_eur(tp.total_gross_amount))
    );
    h.push_str("</table>\n");
    if let Some(note) = p
        .tax_conditions
        .tax_type_note
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let _ = writeln!(h, "<p>{}</p>", escape_multiline(note));
    }
    let remark = p.remark.as_deref().unwrap_or(DEFAULT_REMARK);
    if !remark.trim().is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape_multiline(remark));
    }
    h.push_str("</div>\n");
    page(&heading, &h)
}

/// The contact page: name, numbers, billing address(es), e-mail, vouchers.
pub fn contact_page(c: &Contact, invoices: &[StoredInvoice]) -> String {
    let name = c.display_name();
    let mut h = String::new();
    let _ = writeln!(h, "<h1>{}</h1>", escape_html(&name));
    h.push_str("<dl class=\"meta\">\n");
    let mut meta = |label: &str, value_html: String| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{value_html}</dd>", escape_html(label));
    };
    meta(
        "Art",
        if c.company.is_some() {
            "Unternehmen"
        } else {
            "Person"
        }
        .to_string(),
    );
    if let Some(s) = c
        .person
        .as_ref()
        .and_then(|p| p.salutation.as_deref())
        .filter(|s| !s.is_empty())
    {
        meta("Anrede", escape_html(s));
    }
    meta(
        "Kundennummer",
        c.customer_number()
            .map_or_else(|| "–".to_string(), |n| n.to_string()),
    );
    if let Some(n) = c.vendor_number() {
        meta("Lieferantennummer", n.to_string());
    }
    let billing = if c.addresses.billing.is_empty() {
        "<span class=\"hint\">keine</span>".to_string()
    } else {
        c.addresses
            .billing
            .iter()
            .map(contact_address)
            .collect::<String>()
    };
    meta("Rechnungsadresse", billing);
    let emails: Vec<String> = c.email_addresses.iter().map(|e| escape_html(e)).collect();
    meta(
        "E-Mail",
        if emails.is_empty() {
            "<span class=\"hint\">keine</span>".to_string()
        } else {
            emails.join("<br>")
        },
    );
    if let Some(co) = c
        .company
        .as_ref()
        .filter(|co| !co.contact_persons.is_empty())
    {
        let persons: Vec<String> = co
            .contact_persons
            .iter()
            .map(|p| {
                let full = match p.first_name.as_deref().filter(|f| !f.is_empty()) {
                    Some(f) => format!("{f} {}", p.last_name),
                    None => p.last_name.clone(),
                };
                let mut s = escape_html(&full);
                if p.primary {
                    s.push_str(" <span class=\"hint\">(Hauptansprechpartner)</span>");
                }
                s
            })
            .collect();
        meta("Ansprechpartner", persons.join("<br>"));
    }
    if c.archived {
        meta("Archiviert", "ja".to_string());
    }
    h.push_str("</dl>\n");
    h.push_str("<h2>Belege</h2>\n");
    h.push_str(&voucher_table(invoices, false));
    page(&name, &h)
}

/// Invoices newest first (voucher date, then creation order).
fn newest_first(invoices: &[StoredInvoice]) -> Vec<&StoredInvoice> {
    let mut list: Vec<(usize, &StoredInvoice)> = invoices.iter().enumerate().collect();
    list.sort_by(|(ia, a), (ib, b)| {
        b.priced
            .voucher_date
            .cmp(&a.priced.voucher_date)
            .then(ib.cmp(ia))
    });
    list.into_iter().map(|(_, i)| i).collect()
}

fn voucher_table(invoices: &[StoredInvoice], with_recipient: bool) -> String {
    if invoices.is_empty() {
        return "<p class=\"hint\">Noch keine Belege. In Zeitrechnung übertragene \
                Rechnungsentwürfe erscheinen hier.</p>\n"
            .to_string();
    }
    let mut h = String::from("<table>\n<thead><tr><th>Datum</th><th>Beleg</th>");
    if with_recipient {
        h.push_str("<th>Empfänger</th>");
    }
    h.push_str("<th>Status</th><th class=\"num\">Betrag (brutto)</th></tr></thead>\n<tbody>\n");
    for inv in newest_first(invoices) {
        let label = inv
            .voucher_number
            .clone()
            .filter(|_| !inv.is_draft())
            .unwrap_or_else(|| invoice_heading(inv));
        let _ = write!(
            h,
            "<tr><td>{}</td><td><a href=\"/permalink/invoices/view/{}\">{}</a></td>",
            escape_html(&format_date(&inv.priced.voucher_date)),
            inv.id,
            escape_html(&label),
        );
        if with_recipient {
            let name = escape_html(&inv.address.name);
            match inv.contact_id() {
                Some(cid) => {
                    let _ = write!(
                        h,
                        "<td><a href=\"/permalink/contacts/view/{cid}\">{name}</a></td>"
                    );
                }
                None => {
                    let _ = write!(h, "<td>{name}</td>");
                }
            }
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td class=\"num\">{}</td></tr>",
            status_badge(&inv.voucher_status),
            escape_html(&format_eur(inv.total_gross())),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// The voucher list (`/vouchers`).
pub fn vouchers_page(invoices: &[StoredInvoice]) -> String {
    let mut h = String::from("<h1>Belege</h1>\n");
    h.push_str(&voucher_table(invoices, true));
    page("Belege", &h)
}

/// `/addons/public-api`: in the demo no key is needed. Never shows a key.
pub fn public_api_page() -> String {
    let h = "<h1>Public API</h1>\n\
        <p>Im echten lexoffice erzeugen Sie auf dieser Seite einen API-Schlüssel, den Sie \
        anschließend in Zeitrechnung einfügen.</p>\n\
        <p><strong>Im Demo-Modus ist kein Schlüssel nötig:</strong> Zeitrechnung verbindet \
        sich von selbst mit dieser lokalen Sandbox. Sie müssen nichts kopieren oder \
        eintragen.</p>\n\
        <p class=\"hint\">Für den echten Betrieb verlassen Sie den Demo-Modus, erzeugen in \
        lexoffice unter Erweiterungen → Public API einen Schlüssel und hinterlegen ihn in \
        Zeitrechnung.</p>\n";
    page("Public API", h)
}

/// A 404 page with `message` and a link to the voucher list.
pub fn not_found_page(message: &str) -> String {
    let h = format!(
        "<h1>{}</h1>\n<p>Im echten lexoffice landen Sie in diesem Fall in der Belegliste.</p>\n\
         <p><a href=\"/vouchers\">Zur Belegliste</a></p>\n",
        escape_html(message)
    );
    page("Nicht gefunden", &h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::price_invoice;
    use serde_json::json;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape_html(r#"<img src=x onerror=alert(1)> & "a" 'b'"#),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;a&quot; &#39;b&#39;"
        );
        assert_eq!(escape_multiline("a<b\r\nc\rd\ne"), "a&lt;b<br>c<br>d<br>e");
    }

    #[test]
    fn german_numbers() {
        assert_eq!(format_eur(d("1099.71")), "1.099,71 €");
        assert_eq!(format_eur(d("4264.56")), "4.264,56 €");
        assert_eq!(format_eur(d("680.9")), "680,90 €");
        assert_eq!(format_eur(d("0")), "0,00 €");
        assert_eq!(format_eur(d("-0.004")), "0,00 €");
        assert_eq!(format_eur(d("-1234.5")), "-1.234,50 €");
        assert_eq!(format_eur(d("1234567.891")), "1.234.567,89 €");
        assert_eq!(format_eur(d("100")), "100,00 €");
        assert_eq!(format_eur(d("999999.995")), "1.000.000,00 €");
        assert_eq!(format_decimal_de(d("37.25"), 0, 4), "37,25");
        assert_eq!(format_decimal_de(d("1.0000"), 0, 4), "1");
        assert_eq!(format_decimal_de(d("1000"), 0, 4), "1.000");
        assert_eq!(format_unit_price(d("59.381")), "59,381 €");
        assert_eq!(format_unit_price(d("95.0")), "95,00 €");
        assert_eq!(format_percent(d("19")), "19 %");
        assert_eq!(format_percent(d("7.00")), "7 %");
    }

    fn stored(body: serde_json::Value, status: &str) -> StoredInvoice {
        let priced = price_invoice(&body).expect("valid");
        StoredInvoice {
            id: Uuid::new_v4(),
            organization_id: Uuid::nil(),
            version: 1,
            voucher_status: status.to_string(),
            voucher_number: (status == "open").then(|| "RE1001".to_string()),
            created_date: "2025-03-31T10:00:00.000+02:00".to_string(),
            updated_date: "2025-03-31T10:00:00.000+02:00".to_string(),
            due_date: (status == "open").then(|| "2025-04-14T00:00:00.000+02:00".to_string()),
            address: InvoiceAddress {
                name: priced.address.name.clone().unwrap_or_default(),
                country_code: "AT".to_string(),
                city: Some("Wien".to_string()),
                zip: Some("1010".to_string()),
                ..InvoiceAddress::default()
            },
            contact_name: priced.address.name.clone().unwrap_or_default(),
            priced,
            document_file_id: None,
            visible_from: None,
        }
    }

    #[test]
    fn two_rates_gross_mode_and_open_invoice() {
        let body = json!({
            "voucherDate": "2025-03-31T00:00:00.000+02:00",
            "address": { "name": "A & B <GmbH>", "countryCode": "AT" },
            "lineItems": [
                { "type": "custom", "name": "Buch", "quantity": 2, "unitName": "Stück",
                  "unitPrice": { "currency": "EUR", "grossAmount": 10.7, "taxRatePercentage": 7 } },
                { "type": "custom", "name": "Beratung", "quantity": 1.5, "unitName": "Stunde",
                  "unitPrice": { "currency": "EUR", "grossAmount": 119, "taxRatePercentage": 19 },
                  "discountPercentage": 10 }
            ],
            "totalPrice": { "currency": "EUR" },
            "taxConditions": { "taxType": "gross" },
            "shippingConditions": { "shippingType": "service",
                "shippingDate": "2025-03-20T00:00:00.000+01:00" },
            "paymentConditions": { "paymentTermLabel": "Zahlbar in 14 Tagen", "paymentTermDuration": 14 }
        });
        let inv = stored(body, "open");
        let html = invoice_page(&inv, "Muster & Co");
        assert!(html.contains("<h1>Rechnung RE1001</h1>"), "{html}");
        assert!(html.contains("Offen"));
        assert!(html.contains("Fällig am</dt><dd>14.04.2025"));
        assert!(html.contains("Leistungsdatum</dt><dd>20.03.2025"), "{html}");
        assert!(html.contains("A &amp; B &lt;GmbH&gt;"));
        assert!(html.contains("Muster &amp; Co"));
        assert!(html.contains("Österreich"));
        assert!(html.contains("1010 Wien"));
        assert!(html.contains("Umsatzsteuer 7 %"));
        assert!(html.contains("Umsatzsteuer 19 %"));
        assert!(html.contains("abzgl. 10 % Rabatt"));
        assert!(html.contains("Zahlbar in 14 Tagen"));
        assert!(html.contains("inkl. USt"));
        // Gross 21.40 + 160.65 = 182.05; taxes 1.40 and 25.65.
        let tp = &inv.priced.total_price;
        assert!(html.contains(&format_eur(tp.total_gross_amount)));
        assert_eq!(format_eur(tp.total_gross_amount), "182,05 €");
        assert!(html.contains(&format_eur(tp.total_net_amount)));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn vatfree_has_no_tax_lines() {
        let body = json!({
            "voucherDate": "2025-03-31T00:00:00.000+02:00",
            "address": { "name": "Kunde", "countryCode": "DE" },
            "lineItems": [
                { "type": "custom", "name": "Leistung", "quantity": 1, "unitName": "Stück",
                  "unitPrice": { "currency": "EUR", "netAmount": 100, "taxRatePercentage": 0 } }
            ],
            "totalPrice": { "currency": "EUR" },
            "taxConditions": { "taxType": "vatfree", "taxTypeNote": "Gemäß § 19 UStG" },
            "shippingConditions": { "shippingType": "none" }
        });
        let html = invoice_page(&stored(body, "draft"), "");
        assert!(!html.contains("Umsatzsteuer 0"));
        assert!(html.contains("Gemäß § 19 UStG"));
        assert!(html.contains("entspricht dem Rechnungsdatum"));
        assert!(html.contains("<h1>Rechnungsentwurf</h1>"));
        assert!(!html.contains("class=\"sender\""));
        // Omitted texts get the organisation defaults, as in GET.
        assert!(html.contains(&escape_html(DEFAULT_INTRODUCTION)));
        assert!(html.contains(&escape_html(DEFAULT_REMARK)));
    }
}
