//! Validation and pricing of a `POST /v1/invoices` body (docs/lexoffice.md › Dates, Creating an invoice,
//! docs/lexoffice.md › Totals and rounding) as a pure function: [`price_invoice`] needs no server and no contact
//! store, so tests can compare totals without HTTP.
//!
//! Two kinds of rejection, as lexoffice answers them (docs/lexoffice.md › Status codes):
//!
//! * **400** (`status: 400`) — input that cannot be *read*: a value of the
//!   wrong JSON type, a datetime not in exactly `yyyy-MM-ddTHH:mm:ss.SSSXXX`
//!   (docs/lexoffice.md › Dates: three millisecond digits, `Z` or `±hh:mm`), a malformed uuid, an
//!   enum value that only differs in letter case from a documented one
//!   (`"Serviceperiod"`, the likely cause of the 400 in [I-S29]).
//! * **406** (`status: 406`) — readable but invalid (docs/lexoffice.md › Creating an invoice): missing
//!   required fields (`NOTNULL`), unknown enum values, lengths (`SIZE`),
//!   decimal places (`DIGITS`), currency, tax rates, shipping dates. All
//!   violations are reported at once, each with a field path such as
//!   `lineItems[3].unitPrice.taxRatePercentage`; messages are German, like the
//!   documentation's sample (`"darf nicht leer sein"`).
//!
//! Pricing (docs/lexoffice.md › Totals and rounding, all in [`Decimal`], never floats; `round2` = half-up, i.e.
//! Java's `HALF_UP`, away from zero at the midpoint):
//!
//! * net mode (every tax type except `gross`):
//!   `lineItemAmount = round2(quantity × netAmount × (1 − discount/100))`;
//!   per rate `netAmount = Σ lineItemAmount`, `taxAmount = round2(net × rate/100)`;
//!   totals are the sums, `totalGross = totalNet + totalTax`;
//!   `unitPrice.grossAmount = round4(netAmount × (1 + rate/100))` (derived).
//! * gross mode: `lineItemAmount = round2(quantity × grossAmount × (1 − discount/100))`
//!   (a gross amount); per rate `taxAmount = round2(grossSum × rate/(100+rate))`,
//!   `netAmount = grossSum − taxAmount`; `unitPrice.netAmount = round4(grossAmount / (1 + rate/100))`.
//! * `taxAmounts`: one entry per rate used by a priced item (incl. 0 %),
//!   ascending. `text` items have no amounts.
//! * `totalPrice.totalDiscountAbsolute` / `totalDiscountPercentage` are
//!   validated (≤ 2 decimals) and echoed but **not applied** (lexoffice's documentation
//!   gives no algorithm).
//!
//! JSON numbers are read from their text (`Number::to_string()`), which is
//! exact for the decimals clients send.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Europe::Berlin;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// Most line items per invoice (docs/lexoffice.md › Creating an invoice).
pub const MAX_LINE_ITEMS: usize = 300;
pub const MAX_TITLE_LEN: usize = 25;
pub const MAX_TEXT_LEN: usize = 2000;
pub const MAX_NAME_LEN: usize = 255;
pub const MAX_DESCRIPTION_LEN: usize = 2000;

pub const TAX_TYPES: &[&str] = &[
    "net",
    "gross",
    "vatfree",
    "intraCommunitySupply",
    "constructionService13b",
    "externalService13b",
    "thirdPartyCountryService",
    "thirdPartyCountryDelivery",
    "photovoltaicEquipment",
];
/// Tax types that require rate 0 (all but `net` and `gross`).
pub const VAT_FREE_TAX_TYPES: &[&str] = &[
    "vatfree",
    "intraCommunitySupply",
    "constructionService13b",
    "externalService13b",
    "thirdPartyCountryService",
    "thirdPartyCountryDelivery",
    "photovoltaicEquipment",
];
pub const TAX_SUB_TYPES: &[&str] = &["distanceSales", "electronicServices"];
pub const SHIPPING_TYPES: &[&str] = &[
    "service",
    "serviceperiod",
    "delivery",
    "deliveryperiod",
    "none",
];
pub const LINE_ITEM_TYPES: &[&str] = &["custom", "material", "service", "text"];
pub const LANGUAGES: &[&str] = &["de", "en"];

/// ISO 3166-1 alpha-2 codes accepted as `address.countryCode`, plus `XI`
/// (Northern Ireland). Extended codes `CC_XX` (e.g. `ES_CN`) are accepted when
/// `CC` is in this list.
#[rustfmt::skip]
pub const COUNTRY_CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XI", "YE", "YT", "ZA", "ZM", "ZW",
];

/// One entry of `details[]` in the regular error format (docs/lexoffice.md › Error bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub violation: String,
    pub field: String,
    pub message: String,
}

impl Violation {
    pub fn new(violation: &str, field: &str, message: impl Into<String>) -> Self {
        Violation {
            violation: violation.to_string(),
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Why a body was refused: 400 (unreadable) or 406 (invalid), with details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub message: String,
    pub details: Vec<Violation>,
}

pub const MSG_400: &str = "Malformed request: the body could not be read. See details.";
pub const MSG_406: &str =
    "Validation failed for request. Please see details list for specific causes.";

impl Rejection {
    pub fn malformed(details: Vec<Violation>) -> Self {
        Rejection {
            status: 400,
            message: MSG_400.to_string(),
            details,
        }
    }

    pub fn invalid(details: Vec<Violation>) -> Self {
        Rejection {
            status: 406,
            message: MSG_406.to_string(),
            details,
        }
    }

    /// The `field` of every violation, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.details.iter().map(|v| v.field.as_str()).collect()
    }

    /// `true` if some violation names exactly `field`.
    pub fn has_field(&self, field: &str) -> bool {
        self.details.iter().any(|v| v.field == field)
    }
}

/// `round2` of docs/lexoffice.md › Totals and rounding: half-up (away from zero at .5).
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

pub(crate) fn round4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// Number of decimal places that carry information (`95.0` → 0, `0.125` → 3).
pub fn decimal_places(d: Decimal) -> u32 {
    d.normalize().scale()
}

/// A JSON number as an exact [`Decimal`] (via its text).
pub fn number_to_decimal(n: &serde_json::Number) -> Option<Decimal> {
    let s = n.to_string();
    Decimal::from_str(&s)
        .ok()
        .or_else(|| Decimal::from_scientific(&s).ok())
}

/// A [`Decimal`] as a JSON number (normalized: `95.00` → `95`). Response only.
pub fn decimal_to_json(d: Decimal) -> Value {
    serde_json::Number::from_str(&d.normalize().to_string())
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Parses exactly `yyyy-MM-ddTHH:mm:ss.SSSXXX` (docs/lexoffice.md › Dates): literal `T`, three
/// millisecond digits, `Z` or `±hh:mm`. Anything else is `None`.
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() < 24 {
        return None;
    }
    let shape_ok = digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'.'
        && digits(20..23);
    if !shape_ok {
        return None;
    }
    let zone = &s[23..];
    let normalized = if zone == "Z" {
        format!("{}+00:00", &s[..23])
    } else {
        let z = zone.as_bytes();
        let zone_ok = z.len() == 6
            && (z[0] == b'+' || z[0] == b'-')
            && z[1..3].iter().all(u8::is_ascii_digit)
            && z[3] == b':'
            && z[4..6].iter().all(u8::is_ascii_digit);
        if !zone_ok {
            return None;
        }
        s.to_string()
    };
    DateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M:%S%.3f%:z").ok()
}

/// `yyyy-MM-ddTHH:mm:ss.SSSXXX` in Europe/Berlin, as responses carry it.
pub fn format_berlin(dt: &DateTime<FixedOffset>) -> String {
    dt.with_timezone(&Berlin)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// The calendar day of an instant in Berlin.
pub fn berlin_date(dt: &DateTime<FixedOffset>) -> NaiveDate {
    dt.with_timezone(&Berlin).date_naive()
}

/// `address` as sent: a reference (`contactId`), a one-time address
/// (`name` + `countryCode`), or a reference with an override (both).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AddressInput {
    pub contact_id: Option<Uuid>,
    pub name: Option<String>,
    pub supplement: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    pub country_code: Option<String>,
}

impl AddressInput {
    /// Whether the sent fields form a complete address (`name` + `countryCode`),
    /// i.e. they are used instead of the contact's.
    pub fn is_complete(&self) -> bool {
        self.name.is_some() && self.country_code.is_some()
    }
}

/// `unitPrice` with both amounts (one sent, one derived).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitPrice {
    pub currency: String,
    pub net_amount: Decimal,
    pub gross_amount: Decimal,
    pub tax_rate_percentage: Decimal,
}

/// A validated line item; amounts only for priced types.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedLineItem {
    /// `custom` | `material` | `service` | `text`
    pub item_type: String,
    /// Article id (`service`/`material`).
    pub id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_name: Option<String>,
    pub unit_price: Option<UnitPrice>,
    /// `0` when not sent (priced items only).
    pub discount_percentage: Option<Decimal>,
    /// Read-only `lineItemAmount`: net in net mode, gross in gross mode.
    pub line_item_amount: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaxAmount {
    pub tax_rate_percentage: Decimal,
    pub tax_amount: Decimal,
    pub net_amount: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TotalPrice {
    pub currency: String,
    pub total_net_amount: Decimal,
    pub total_gross_amount: Decimal,
    pub total_tax_amount: Decimal,
    pub total_discount_absolute: Option<Decimal>,
    pub total_discount_percentage: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaxConditions {
    pub tax_type: String,
    pub tax_sub_type: Option<String>,
    pub tax_type_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShippingConditions {
    pub shipping_type: String,
    /// `None` for `none`.
    pub shipping_date: Option<DateTime<FixedOffset>>,
    /// Only for `serviceperiod` / `deliveryperiod`.
    pub shipping_end_date: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentDiscountConditions {
    pub discount_percentage: Option<Decimal>,
    pub discount_range: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentConditions {
    pub payment_term_label: Option<String>,
    pub payment_term_duration: Option<i64>,
    pub payment_discount_conditions: Option<PaymentDiscountConditions>,
}

/// A valid, priced invoice body (everything the sandbox stores from it).
#[derive(Debug, Clone, PartialEq)]
pub struct PricedInvoice {
    pub voucher_date: DateTime<FixedOffset>,
    pub address: AddressInput,
    pub line_items: Vec<PricedLineItem>,
    pub total_price: TotalPrice,
    /// One entry per rate, ascending.
    pub tax_amounts: Vec<TaxAmount>,
    pub tax_conditions: TaxConditions,
    pub shipping_conditions: ShippingConditions,
    pub payment_conditions: Option<PaymentConditions>,
    pub title: Option<String>,
    pub introduction: Option<String>,
    pub remark: Option<String>,
    /// `de` when not sent.
    pub language: String,
    pub print_layout_id: Option<Uuid>,
    /// Echoed as sent (only for XRechnung contacts).
    pub x_rechnung: Option<Value>,
}

impl PricedInvoice {
    /// The date that decides which tax rates are valid (docs/lexoffice.md › Creating an invoice): `voucherDate`
    /// for `none`, `shippingDate` for `service`/`delivery`, `shippingEndDate`
    /// for the period types.
    pub fn relevant_date(&self) -> NaiveDate {
        relevant_date(
            &self.shipping_conditions.shipping_type,
            Some(&self.voucher_date),
            self.shipping_conditions.shipping_date.as_ref(),
            self.shipping_conditions.shipping_end_date.as_ref(),
        )
        .unwrap_or_else(|| berlin_date(&self.voucher_date))
    }
}

fn relevant_date(
    shipping_type: &str,
    voucher: Option<&DateTime<FixedOffset>>,
    start: Option<&DateTime<FixedOffset>>,
    end: Option<&DateTime<FixedOffset>>,
) -> Option<NaiveDate> {
    let dt = match shipping_type {
        "none" => voucher,
        "service" | "delivery" => start,
        "serviceperiod" | "deliveryperiod" => end,
        _ => None,
    }?;
    Some(berlin_date(dt))
}

/// Whether `rate` is allowed for `tax_type` on `relevant` (docs/lexoffice.md › Creating an invoice): vat-free
/// types only 0; otherwise 0, 7, 19, and 5/16 for 2020-07-01..=2020-12-31.
pub fn tax_rate_allowed(rate: Decimal, tax_type: &str, relevant: Option<NaiveDate>) -> bool {
    if VAT_FREE_TAX_TYPES.contains(&tax_type) {
        return rate.is_zero();
    }
    let is = |n: i64| rate == Decimal::from(n);
    if is(0) || is(7) || is(19) {
        return true;
    }
    let corona = match relevant {
        Some(d) => {
            NaiveDate::from_ymd_opt(2020, 7, 1).is_some_and(|from| d >= from)
                && NaiveDate::from_ymd_opt(2020, 12, 31).is_some_and(|to| d <= to)
        }
        None => false,
    };
    corona && (is(5) || is(16))
}

// ---------------------------------------------------------------------------
// Reading the body

#[derive(Default)]
pub(crate) struct Check {
    pub(crate) malformed: Vec<Violation>,
    pub(crate) invalid: Vec<Violation>,
}

pub(crate) fn field_get<'a>(obj: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a Value> {
    obj?.get(key).filter(|v| !v.is_null())
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Check {
    pub(crate) fn bad_format(&mut self, field: &str, message: impl Into<String>) {
        self.malformed
            .push(Violation::new("INVALID_FORMAT", field, message));
    }

    pub(crate) fn invalid(&mut self, violation: &str, field: &str, message: impl Into<String>) {
        self.invalid.push(Violation::new(violation, field, message));
    }

    pub(crate) fn missing(&mut self, field: &str) {
        self.invalid("NOTNULL", field, "darf nicht leer sein");
    }

    pub(crate) fn object<'a>(
        &mut self,
        v: Option<&'a Value>,
        field: &str,
    ) -> Option<&'a Map<String, Value>> {
        match v? {
            Value::Object(m) => Some(m),
            _ => {
                self.bad_format(field, "JSON-Objekt erwartet");
                None
            }
        }
    }

    pub(crate) fn string<'a>(&mut self, v: Option<&'a Value>, field: &str) -> Option<&'a str> {
        match v? {
            Value::String(s) => Some(s),
            _ => {
                self.bad_format(field, "Zeichenkette erwartet");
                None
            }
        }
    }

    /// A string that must not be blank (blank counts as missing).
    pub(crate) fn required_string(&mut self, v: Option<&Value>, field: &str) -> Option<String> {
        match self.string(v, field) {
            Some(s) if !s.trim().is_empty() => Some(s.to_string()),
            Some(_) => {
                self.missing(field);
                None
            }
            None => {
                if v.is_none() {
                    self.missing(field);
                }
                None
            }
        }
    }

    pub(crate) fn text(&mut self, v: Option<&Value>, field: &str, max: usize) -> Option<String> {
        let s = self.string(v, field)?;
        if s.chars().count() > max {
            self.invalid(
                "SIZE",
                field,
                format!("Größe muss zwischen 0 und {max} sein"),
            );
        }
        Some(s.to_string())
    }

    pub(crate) fn decimal(&mut self, v: Option<&Value>, field: &str) -> Option<Decimal> {
        match v? {
            Value::Number(n) => match number_to_decimal(n) {
                Some(d) => Some(d),
                None => {
                    self.bad_format(field, "Zahl außerhalb des darstellbaren Bereichs");
                    None
                }
            },
            _ => {
                self.bad_format(field, "Zahl erwartet");
                None
            }
        }
    }

    pub(crate) fn digits(&mut self, d: Decimal, field: &str, max: u32) {
        if decimal_places(d) > max {
            self.invalid(
                "DIGITS",
                field,
                format!("numerischer Wert außerhalb des gültigen Bereichs (höchstens {max} Nachkommastellen erwartet)"),
            );
        }
    }

    pub(crate) fn integer(&mut self, v: Option<&Value>, field: &str) -> Option<i64> {
        match v? {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Some(i),
                None => {
                    self.bad_format(field, "Ganzzahl erwartet");
                    None
                }
            },
            _ => {
                self.bad_format(field, "Ganzzahl erwartet");
                None
            }
        }
    }

    pub(crate) fn datetime(
        &mut self,
        v: Option<&Value>,
        field: &str,
    ) -> Option<DateTime<FixedOffset>> {
        let s = self.string(v, field)?;
        match parse_datetime(s) {
            Some(dt) => Some(dt),
            None => {
                self.bad_format(
                    field,
                    format!("'{s}' ist kein Datum im Format yyyy-MM-ddTHH:mm:ss.SSSXXX"),
                );
                None
            }
        }
    }

    pub(crate) fn uuid(&mut self, v: Option<&Value>, field: &str) -> Option<Uuid> {
        let s = self.string(v, field)?;
        match Uuid::parse_str(s) {
            Ok(u) if s.len() == 36 => Some(u),
            _ => {
                self.bad_format(field, format!("'{s}' ist keine UUID"));
                None
            }
        }
    }

    /// Enum value: exact match → it; same letters in another case → 400
    /// (unreadable, like Jackson's enum mapping); anything else → 406.
    pub(crate) fn enumeration(
        &mut self,
        v: Option<&Value>,
        field: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let s = self.string(v, field)?;
        if let Some(hit) = allowed.iter().find(|a| **a == s) {
            return Some(hit);
        }
        let expected = allowed.join(", ");
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) {
            self.bad_format(
                field,
                format!("'{s}' kann nicht gelesen werden; Groß-/Kleinschreibung beachten (erlaubt: {expected})"),
            );
        } else {
            self.invalid(
                "INVALID_VALUE",
                field,
                format!("'{s}' ist kein gültiger Wert (erlaubt: {expected})"),
            );
        }
        None
    }

    pub(crate) fn array<'a>(
        &mut self,
        v: Option<&'a Value>,
        field: &str,
    ) -> Option<&'a Vec<Value>> {
        match v? {
            Value::Array(a) => Some(a),
            _ => {
                self.bad_format(field, "JSON-Array erwartet");
                None
            }
        }
    }
}

pub(crate) fn country_code_valid(code: &str) -> bool {
    match code.split_once('_') {
        None => COUNTRY_CODES.contains(&code),
        Some((country, region)) => {
            COUNTRY_CODES.contains(&country)
                && (2..=3).contains(&region.len())
                && region
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
    }
}

fn read_address(c: &mut Check, root: &Map<String, Value>) -> AddressInput {
    let mut out = AddressInput::default();
    let Some(a) = c.object(field_get(Some(root), "address"), "address") else {
        if field_get(Some(root), "address").is_none() {
            c.missing("address");
        }
        return out;
    };
    let a = Some(a);
    out.contact_id = c.uuid(field_get(a, "contactId"), "address.contactId");
    let str_field = |c: &mut Check, key: &str| {
        c.string(field_get(a, key), &format!("address.{key}"))
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    out.name = str_field(c, "name");
    out.supplement = str_field(c, "supplement");
    out.street = str_field(c, "street");
    out.city = str_field(c, "city");
    out.zip = str_field(c, "zip");
    out.country_code = str_field(c, "countryCode");
    let contact_id_sent = field_get(a, "contactId").is_some();
    if !contact_id_sent {
        if out.name.is_none() && field_get(a, "name").is_none_or(Value::is_string) {
            c.missing("address.name");
        }
        if out.country_code.is_none() && field_get(a, "countryCode").is_none_or(Value::is_string) {
            c.missing("address.countryCode");
        }
    }
    if let Some(code) = &out.country_code {
        if !country_code_valid(code) {
            c.invalid(
                "INVALID_VALUE",
                "address.countryCode",
                format!(
                    "'{code}' ist kein unterstützter Ländercode. Unterstützt: {}",
                    COUNTRY_CODES.join(", ")
                ),
            );
        }
    }
    out
}

/// What a line item needs from the invoice head.
struct HeadInfo<'a> {
    tax_type: Option<&'a str>,
    relevant: Option<NaiveDate>,
}

fn read_line_item(c: &mut Check, v: &Value, i: usize, head: &HeadInfo) -> Option<PricedLineItem> {
    let path = format!("lineItems[{i}]");
    let Value::Object(m) = v else {
        c.bad_format(&path, "JSON-Objekt erwartet");
        return None;
    };
    let m = Some(m);
    let f = |key: &str| join(&path, key);

    let item_type = match field_get(m, "type") {
        None => {
            c.missing(&f("type"));
            None
        }
        Some(t) => c.enumeration(Some(t), &f("type"), LINE_ITEM_TYPES),
    };
    let name = c.required_string(field_get(m, "name"), &f("name"));
    if let Some(n) = &name {
        if n.chars().count() > MAX_NAME_LEN {
            c.invalid(
                "SIZE",
                &f("name"),
                format!("Größe muss zwischen 1 und {MAX_NAME_LEN} sein"),
            );
        }
    }
    let description = c.text(
        field_get(m, "description"),
        &f("description"),
        MAX_DESCRIPTION_LEN,
    );

    let mut item = PricedLineItem {
        item_type: item_type.unwrap_or_default().to_string(),
        id: None,
        name: name.unwrap_or_default(),
        description,
        quantity: None,
        unit_name: None,
        unit_price: None,
        discount_percentage: None,
        line_item_amount: None,
    };
    let item_type = item_type?;
    if item_type == "text" {
        // Text items carry no price; price fields are ignored.
        return Some(item);
    }

    if matches!(item_type, "service" | "material") {
        match field_get(m, "id") {
            None => c.missing(&f("id")),
            Some(id) => item.id = c.uuid(Some(id), &f("id")),
        }
    }
    let quantity = match field_get(m, "quantity") {
        None => {
            c.missing(&f("quantity"));
            None
        }
        Some(q) => c.decimal(Some(q), &f("quantity")),
    };
    if let Some(q) = quantity {
        c.digits(q, &f("quantity"), 4);
    }
    item.unit_name = c.required_string(field_get(m, "unitName"), &f("unitName"));
    let discount = c.decimal(field_get(m, "discountPercentage"), &f("discountPercentage"));
    if let Some(d) = discount {
        c.digits(d, &f("discountPercentage"), 2);
        if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
            c.invalid(
                "RANGE",
                &f("discountPercentage"),
                "muss zwischen 0 und 100 liegen",
            );
        }
    }

    let up_path = f("unitPrice");
    let up = match field_get(m, "unitPrice") {
        None => {
            c.missing(&up_path);
            None
        }
        Some(v) => c.object(Some(v), &up_path),
    };
    let mut price: Option<(Decimal, Decimal)> = None; // (sent amount, rate)
    if let Some(up) = up {
        let up = Some(up);
        let g = |key: &str| join(&up_path, key);
        match c.string(field_get(up, "currency"), &g("currency")) {
            None if field_get(up, "currency").is_none() => c.missing(&g("currency")),
            None => {}
            Some("EUR") => {}
            Some(other) => c.invalid(
                "INVALID_VALUE",
                &g("currency"),
                format!("'{other}' wird nicht unterstützt, nur EUR"),
            ),
        }
        let gross_mode = head.tax_type == Some("gross");
        let amount_key = if gross_mode {
            "grossAmount"
        } else {
            "netAmount"
        };
        let amount = match field_get(up, amount_key) {
            // Without a readable taxType the mode is unknown (already reported).
            None if head.tax_type.is_none() => None,
            None => {
                c.missing(&g(amount_key));
                None
            }
            Some(a) => c.decimal(Some(a), &g(amount_key)),
        };
        if let Some(a) = amount {
            c.digits(a, &g(amount_key), 4);
        }
        let rate = match field_get(up, "taxRatePercentage") {
            None => {
                c.missing(&g("taxRatePercentage"));
                None
            }
            Some(r) => c.decimal(Some(r), &g("taxRatePercentage")),
        };
        if let (Some(r), Some(tax_type)) = (rate, head.tax_type) {
            if !tax_rate_allowed(r, tax_type, head.relevant) {
                let msg = if VAT_FREE_TAX_TYPES.contains(&tax_type) {
                    format!("Steuersatz {r} ist für taxType {tax_type} nicht erlaubt, nur 0")
                } else {
                    format!(
                        "Steuersatz {r} ist nicht erlaubt (0, 7, 19; 5 und 16 nur für den Leistungszeitraum 01.07.–31.12.2020)"
                    )
                };
                c.invalid("INVALID_VALUE", &g("taxRatePercentage"), msg);
            }
        }
        if let (Some(a), Some(r)) = (amount, rate) {
            price = Some((a, r));
        }
    }

    if let (Some(q), Some((amount, rate)), Some(tax_type)) = (quantity, price, head.tax_type) {
        let discount = discount.unwrap_or(Decimal::ZERO);
        let factor = Decimal::ONE + rate / Decimal::ONE_HUNDRED;
        let (net, gross) = if tax_type == "gross" {
            (round4(amount / factor), amount)
        } else {
            (amount, round4(amount * factor))
        };
        let line = q
            .checked_mul(amount)
            .and_then(|x| x.checked_mul(Decimal::ONE - discount / Decimal::ONE_HUNDRED));
        match line {
            Some(line) => item.line_item_amount = Some(round2(line)),
            None => c.invalid(
                "RANGE",
                &f("quantity"),
                "Betrag außerhalb des gültigen Bereichs",
            ),
        }
        item.quantity = Some(q);
        item.discount_percentage = Some(discount);
        item.unit_price = Some(UnitPrice {
            currency: "EUR".to_string(),
            net_amount: net,
            gross_amount: gross,
            tax_rate_percentage: rate,
        });
    }
    Some(item)
}

fn read_payment_conditions(c: &mut Check, root: &Map<String, Value>) -> Option<PaymentConditions> {
    let pc = c.object(
        field_get(Some(root), "paymentConditions"),
        "paymentConditions",
    )?;
    let pc = Some(pc);
    let label = c
        .string(
            field_get(pc, "paymentTermLabel"),
            "paymentConditions.paymentTermLabel",
        )
        .map(str::to_string);
    let duration = c.integer(
        field_get(pc, "paymentTermDuration"),
        "paymentConditions.paymentTermDuration",
    );
    if duration.is_some_and(|d| d < 0) {
        c.invalid(
            "RANGE",
            "paymentConditions.paymentTermDuration",
            "muss größer oder gleich 0 sein",
        );
    }
    let pdc_path = "paymentConditions.paymentDiscountConditions";
    let pdc = c
        .object(field_get(pc, "paymentDiscountConditions"), pdc_path)
        .map(|m| {
            let m = Some(m);
            let pct_path = format!("{pdc_path}.discountPercentage");
            let pct = c.decimal(field_get(m, "discountPercentage"), &pct_path);
            if let Some(p) = pct {
                c.digits(p, &pct_path, 2);
            }
            let range = c.integer(
                field_get(m, "discountRange"),
                &format!("{pdc_path}.discountRange"),
            );
            PaymentDiscountConditions {
                discount_percentage: pct,
                discount_range: range,
            }
        });
    Some(PaymentConditions {
        payment_term_label: label,
        payment_term_duration: duration,
        payment_discount_conditions: pdc,
    })
}

/// Validates an invoice body and computes its totals (docs/lexoffice.md › Creating an invoice, docs/lexoffice.md › Totals and rounding). Does not
/// look at contacts: whether `address.contactId` exists and is a customer is
/// checked by the HTTP handler.
pub fn price_invoice(body: &Value) -> Result<PricedInvoice, Rejection> {
    let mut c = Check::default();
    let Value::Object(root) = body else {
        return Err(Rejection::malformed(vec![Violation::new(
            "INVALID_FORMAT",
            "",
            "JSON-Objekt erwartet",
        )]));
    };
    let r = Some(root);

    // voucherDate
    let voucher_date = match field_get(r, "voucherDate") {
        None => {
            c.missing("voucherDate");
            None
        }
        Some(v) => c.datetime(Some(v), "voucherDate"),
    };

    let address = read_address(&mut c, root);

    // taxConditions
    let mut tax_type: Option<&'static str> = None;
    let mut tax_sub_type = None;
    let mut tax_type_note = None;
    match field_get(r, "taxConditions") {
        None => c.missing("taxConditions"),
        Some(v) => {
            if let Some(tc) = c.object(Some(v), "taxConditions") {
                let tc = Some(tc);
                match field_get(tc, "taxType") {
                    None => c.missing("taxConditions.taxType"),
                    Some(t) => {
                        tax_type = c.enumeration(Some(t), "taxConditions.taxType", TAX_TYPES)
                    }
                }
                tax_sub_type = c
                    .enumeration(
                        field_get(tc, "taxSubType"),
                        "taxConditions.taxSubType",
                        TAX_SUB_TYPES,
                    )
                    .map(str::to_string);
                tax_type_note = c
                    .string(field_get(tc, "taxTypeNote"), "taxConditions.taxTypeNote")
                    .map(str::to_string);
            }
        }
    }
    if let Some(t) = tax_type {
        if t != "vatfree" && VAT_FREE_TAX_TYPES.contains(&t) && address.contact_id.is_none() {
            c.invalid(
                "NOTNULL",
                "address.contactId",
                format!("taxType {t} erfordert einen referenzierten Kontakt (contactId)"),
            );
        }
    }

    // shippingConditions
    let mut shipping_type: Option<&'static str> = None;
    let mut shipping_date = None;
    let mut shipping_end_date = None;
    match field_get(r, "shippingConditions") {
        None => c.missing("shippingConditions"),
        Some(v) => {
            if let Some(sc) = c.object(Some(v), "shippingConditions") {
                let sc = Some(sc);
                match field_get(sc, "shippingType") {
                    None => c.missing("shippingConditions.shippingType"),
                    Some(t) => {
                        shipping_type = c.enumeration(
                            Some(t),
                            "shippingConditions.shippingType",
                            SHIPPING_TYPES,
                        )
                    }
                }
                let start = c.datetime(
                    field_get(sc, "shippingDate"),
                    "shippingConditions.shippingDate",
                );
                let end = c.datetime(
                    field_get(sc, "shippingEndDate"),
                    "shippingConditions.shippingEndDate",
                );
                let start_sent = field_get(sc, "shippingDate").is_some();
                let end_sent = field_get(sc, "shippingEndDate").is_some();
                match shipping_type {
                    Some("none") | None => {}
                    Some(t) => {
                        if !start_sent {
                            c.missing("shippingConditions.shippingDate");
                        }
                        shipping_date = start;
                        if t == "serviceperiod" || t == "deliveryperiod" {
                            if !end_sent {
                                c.missing("shippingConditions.shippingEndDate");
                            }
                            if let (Some(s), Some(e)) = (start, end) {
                                if e < s {
                                    c.invalid(
                                        "INVALID_VALUE",
                                        "shippingConditions.shippingEndDate",
                                        "shippingEndDate darf nicht vor shippingDate liegen",
                                    );
                                }
                            }
                            shipping_end_date = end;
                        }
                    }
                }
            }
        }
    }

    // totalPrice
    let mut total_discount_absolute = None;
    let mut total_discount_percentage = None;
    match field_get(r, "totalPrice") {
        None => c.missing("totalPrice"),
        Some(v) => {
            if let Some(tp) = c.object(Some(v), "totalPrice") {
                let tp = Some(tp);
                match c.string(field_get(tp, "currency"), "totalPrice.currency") {
                    None if field_get(tp, "currency").is_none() => c.missing("totalPrice.currency"),
                    None | Some("EUR") => {}
                    Some(other) => c.invalid(
                        "INVALID_VALUE",
                        "totalPrice.currency",
                        format!("'{other}' wird nicht unterstützt, nur EUR"),
                    ),
                }
                for (key, slot) in [
                    ("totalDiscountAbsolute", &mut total_discount_absolute),
                    ("totalDiscountPercentage", &mut total_discount_percentage),
                ] {
                    let path = format!("totalPrice.{key}");
                    *slot = c.decimal(field_get(tp, key), &path);
                    if let Some(d) = *slot {
                        c.digits(d, &path, 2);
                    }
                }
            }
        }
    }

    // Texts and the rest of the head.
    let title = c.text(field_get(r, "title"), "title", MAX_TITLE_LEN);
    let introduction = c.text(field_get(r, "introduction"), "introduction", MAX_TEXT_LEN);
    let remark = c.text(field_get(r, "remark"), "remark", MAX_TEXT_LEN);
    let language = c
        .enumeration(field_get(r, "language"), "language", LANGUAGES)
        .unwrap_or("de")
        .to_string();
    let print_layout_id = c.uuid(field_get(r, "printLayoutId"), "printLayoutId");
    let payment_conditions = read_payment_conditions(&mut c, root);
    let x_rechnung = c
        .object(field_get(r, "xRechnung"), "xRechnung")
        .map(|m| Value::Object(m.clone()));

    // lineItems
    let head = HeadInfo {
        tax_type,
        relevant: shipping_type.and_then(|t| {
            relevant_date(
                t,
                voucher_date.as_ref(),
                shipping_date.as_ref(),
                shipping_end_date.as_ref(),
            )
        }),
    };
    let mut line_items = Vec::new();
    match field_get(r, "lineItems") {
        None => c.missing("lineItems"),
        Some(v) => {
            if let Some(items) = c.array(Some(v), "lineItems") {
                if items.is_empty() || items.len() > MAX_LINE_ITEMS {
                    c.invalid(
                        "SIZE",
                        "lineItems",
                        format!(
                            "Größe muss zwischen 1 und {MAX_LINE_ITEMS} sein (gesendet: {})",
                            items.len()
                        ),
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    if let Some(li) = read_line_item(&mut c, item, i, &head) {
                        line_items.push(li);
                    }
                }
            }
        }
    }

    if !c.malformed.is_empty() {
        return Err(Rejection::malformed(c.malformed));
    }
    if !c.invalid.is_empty() {
        return Err(Rejection::invalid(c.invalid));
    }
    // All required parts are present once there are no violations.
    let (Some(voucher_date), Some(tax_type), Some(shipping_type)) =
        (voucher_date, tax_type, shipping_type)
    else {
        return Err(Rejection::invalid(vec![Violation::new(
            "NOTNULL",
            "",
            "darf nicht leer sein",
        )]));
    };

    let (tax_amounts, total_net, total_tax, total_gross) = totals(&line_items, tax_type == "gross");
    Ok(PricedInvoice {
        voucher_date,
        address,
        line_items,
        total_price: TotalPrice {
            currency: "EUR".to_string(),
            total_net_amount: total_net,
            total_gross_amount: total_gross,
            total_tax_amount: total_tax,
            total_discount_absolute,
            total_discount_percentage,
        },
        tax_amounts,
        tax_conditions: TaxConditions {
            tax_type: tax_type.to_string(),
            tax_sub_type,
            tax_type_note,
        },
        shipping_conditions: ShippingConditions {
            shipping_type: shipping_type.to_string(),
            shipping_date,
            shipping_end_date,
        },
        payment_conditions,
        title,
        introduction,
        remark,
        language,
        print_layout_id,
        x_rechnung,
    })
}

/// Per-rate groups and totals (docs/lexoffice.md › Totals and rounding): `(taxAmounts, net, tax, gross)`.
fn totals(
    items: &[PricedLineItem],
    gross_mode: bool,
) -> (Vec<TaxAmount>, Decimal, Decimal, Decimal) {
    let mut groups: Vec<(Decimal, Decimal)> = Vec::new(); // (rate, Σ lineItemAmount)
    for item in items {
        let (Some(up), Some(amount)) = (&item.unit_price, item.line_item_amount) else {
            continue;
        };
        let rate = up.tax_rate_percentage.normalize();
        match groups.iter_mut().find(|(r, _)| *r == rate) {
            Some((_, sum)) => *sum += amount,
            None => groups.push((rate, amount)),
        }
    }
    groups.sort_by_key(|g| g.0);
    let mut out = Vec::new();
    let (mut net, mut tax) = (Decimal::ZERO, Decimal::ZERO);
    for (rate, sum) in groups {
        let (group_net, group_tax) = if gross_mode {
            let t = round2(sum * rate / (Decimal::ONE_HUNDRED + rate));
            (sum - t, t)
        } else {
            (sum, round2(sum * rate / Decimal::ONE_HUNDRED))
        };
        net += group_net;
        tax += group_tax;
        out.push(TaxAmount {
            tax_rate_percentage: rate,
            tax_amount: group_tax,
            net_amount: group_net,
        });
    }
    (out, net, tax, net + tax)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn datetime_format_is_strict() {
        for ok in [
            "2025-03-14T00:00:00.000+01:00",
            "2025-03-14T00:00:00.000Z",
            "2025-07-01T23:59:59.999-05:00",
        ] {
            assert!(parse_datetime(ok).is_some(), "{ok}");
        }
        for bad in [
            "2021-04-07T09:04:23+00:00",
            "2025-03-14T00:00:00.00+01:00",
            "2025-03-14T00:00:00.0000+01:00",
            "2025-03-14T00:00:00.000+0100",
            "2025-03-14 00:00:00.000+01:00",
            "2025-03-14T00:00:00.000",
            "2025-03-14",
            "2025-13-14T00:00:00.000+01:00",
            "2025-03-14T00:00:00.000z",
            "2025-03-14T00:00:00.000+01:00 ",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad}");
        }
        let dt = parse_datetime("2025-03-31T22:30:00.000Z").unwrap();
        assert_eq!(format_berlin(&dt), "2025-04-01T00:30:00.000+02:00");
        assert_eq!(
            berlin_date(&dt),
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
        );
    }

    #[test]
    fn numbers_are_read_exactly() {
        let v: Value = serde_json::from_str("[37.25, 95.0, 49.9, 0.1, 19, 1e-5, 13.4]").unwrap();
        let got: Vec<Decimal> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|n| number_to_decimal(n.as_number().unwrap()).unwrap())
            .collect();
        assert_eq!(
            got,
            [
                d("37.25"),
                d("95"),
                d("49.9"),
                d("0.1"),
                d("19"),
                d("0.00001"),
                d("13.4")
            ]
        );
        assert_eq!(decimal_places(d("95.0")), 0);
        assert_eq!(decimal_places(d("0.12345")), 5);
        assert_eq!(decimal_to_json(d("680.90")), json!(680.9));
        assert_eq!(decimal_to_json(d("19")), json!(19));
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(round2(d("2.545")), d("2.55"));
        assert_eq!(round2(d("2.535")), d("2.54"));
        assert_eq!(round2(d("-2.545")), d("-2.55"));
        assert_eq!(round2(d("680.8954")), d("680.90"));
    }

    #[test]
    fn tax_rates() {
        let day = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        for r in ["0", "7", "19", "19.0"] {
            assert!(tax_rate_allowed(d(r), "net", day(2025, 1, 1)), "{r}");
        }
        assert!(!tax_rate_allowed(d("16"), "net", day(2025, 1, 1)));
        assert!(tax_rate_allowed(d("16"), "net", day(2020, 7, 1)));
        assert!(tax_rate_allowed(d("5"), "gross", day(2020, 12, 31)));
        assert!(!tax_rate_allowed(d("5"), "gross", day(2021, 1, 1)));
        assert!(!tax_rate_allowed(d("16"), "net", day(2020, 6, 30)));
        assert!(!tax_rate_allowed(d("20"), "net", day(2020, 8, 1)));
        assert!(tax_rate_allowed(d("0"), "vatfree", None));
        assert!(!tax_rate_allowed(d("19"), "vatfree", None));
        assert!(!tax_rate_allowed(d("7"), "intraCommunitySupply", None));
    }

    #[test]
    fn country_codes() {
        assert!(country_code_valid("DE"));
        assert!(country_code_valid("ES_CN"));
        assert!(!country_code_valid("XX"));
        assert!(!country_code_valid("de"));
        assert!(!country_code_valid("DEU"));
    }
}
