//! `POST /v1/invoices[?finalize=true]` and `GET /v1/invoices/{id}`
//! (docs/lexoffice.md › Creating an invoice, Reading an invoice, the voucher list). Regular error format (docs/lexoffice.md › Error bodies).
//!
//! * Body checks: see [`crate::pricing`] (400 unreadable, 406 invalid). On top
//!   of those the handler checks `address.contactId`: the contact must exist in
//!   the [`ContactStore`] and have the customer role, else 406 on
//!   `address.contactId` (merged with other 406 violations).
//! * Lines of type `service`/`material` must name an existing article by
//!   `id`, else 406 on `lineItems[i].id` (merged likewise); the article
//!   fills nothing in (`name`, `quantity`, `unitName`, `unitPrice` are still
//!   required).
//! * `finalize`: `true`/`on`/`yes`/`1` → status `open`, `false`/`off`/`no`/`0`
//!   or absent → `draft`, anything else → 400 (Spring's boolean conversion).
//! * Stored with a v4 `id`, `version` 1, Berlin `createdDate`/`updatedDate`.
//!   Drafts have `voucherNumber: null` and `dueDate: null`; an `open` invoice
//!   gets `RE1001`, `RE1002`, … and `dueDate = voucherDate + paymentTermDuration`
//!   days (0 when no payment conditions were sent).
//! * 201 `{id, resourceUri, createdDate, updatedDate, version}` with
//!   `Location: resourceUri`; `resourceUri` is `http://{Host}/v1/invoices/{id}`
//!   (the request's `Host`, else the sandbox's own address).
//! * `address`: only `contactId` (or `contactId` without both `name` and
//!   `countryCode`) → resolved from the contact: name = company name or
//!   `"{firstName} {lastName}"`, supplement/street/zip/city/countryCode from
//!   its billing address; `contactPerson` = the primary contact person's
//!   `"{firstName} {lastName}"` (else the first one). The contact must have
//!   **exactly one** billing address, else 406 with `details: []` and
//!   `message` "Referenced contact needs to have exactly one billing address,
//!   but N addresses were found." (no fallback to a shipping address).
//!   `contactId` + `name` + `countryCode` → the sent address is used as is
//!   (plus `contactPerson`), whatever the contact's addresses.
//! * Organisation tax type: when the profile says `taxType: "vatfree"` or
//!   `smallBusiness: true`, any `taxConditions.taxType` other than `vatfree`
//!   → 406 on `taxConditions.taxType` (merged with the other violations).
//! * Status changes after creation happen only through the control plane
//!   (the web app): finalize (draft → open), pay (open → paid), void
//!   (open/paid → voided), new due date (open); each bumps `version` and
//!   `updatedDate`. Only drafts can be deleted.
//! * All dates produced here come from the sandbox clock ([`crate::clock`]).
//! * Omitted `title`/`introduction`/`remark` get organisation defaults
//!   ([`DEFAULT_TITLE`], …), as lexoffice does (docs/lexoffice.md › Creating an invoice).
//! * `GET` of an unknown, deleted or malformed id → 404.

use std::sync::Arc;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Response};
use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use crate::errors::{berlin_timestamp, json_response, regular_body};
use crate::pricing::{
    decimal_to_json, format_berlin, price_invoice, AddressInput, PricedInvoice, Rejection,
    Violation, TAX_TYPES,
};
use crate::state::{Contact, ContactStore, Profile};
use crate::{lock, Shared};

pub const DEFAULT_TITLE: &str = "Rechnung";
pub const DEFAULT_INTRODUCTION: &str =
    "Unsere Lieferungen/Leistungen stellen wir Ihnen wie folgt in Rechnung.";
pub const DEFAULT_REMARK: &str = "Vielen Dank für die gute Zusammenarbeit.";
/// First voucher number of a finalized invoice (`RE1001`).
pub const FIRST_VOUCHER_NUMBER: u32 = 1001;

/// The recipient as stored and returned (`address` of docs/lexoffice.md › Reading an invoice, the voucher list).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    pub country_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
}

/// One invoice in the sandbox.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredInvoice {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub version: i64,
    /// Stored status: `draft`, `open`, `paid` or `voided` (`overdue` is only
    /// derived by the voucher list).
    pub voucher_status: String,
    /// `None` for drafts.
    pub voucher_number: Option<String>,
    pub created_date: String,
    pub updated_date: String,
    /// `None` for drafts.
    pub due_date: Option<String>,
    /// Resolved recipient.
    pub address: InvoiceAddress,
    /// `contactName` of the voucher list: for a referenced contact its name
    /// at creation (company name, persons `"{lastName}, {firstName}"`), else
    /// the one-time address's name.
    pub contact_name: String,
    /// The validated, priced body.
    pub priced: PricedInvoice,
    /// `files.documentFileId` of an `open` invoice.
    pub document_file_id: Option<Uuid>,
    /// Read-after-create lag (`SandboxConfig::invoice_visibility_delay`):
    /// until then `GET /v1/invoices/{id}` answers 404 and the voucher list
    /// leaves it out. `None` = visible.
    pub visible_from: Option<std::time::Instant>,
}

impl StoredInvoice {
    /// Past its read-after-create lag.
    pub fn is_visible(&self) -> bool {
        self.visible_from
            .is_none_or(|t| std::time::Instant::now() >= t)
    }

    pub fn contact_id(&self) -> Option<Uuid> {
        self.address.contact_id
    }

    pub fn is_draft(&self) -> bool {
        self.voucher_status == "draft"
    }

    /// The due date's Berlin calendar day (finalized invoices only).
    pub fn due_day(&self) -> Option<NaiveDate> {
        self.due_date
            .as_deref()
            .and_then(crate::pricing::parse_datetime)
            .map(|d| crate::pricing::berlin_date(&d))
    }

    /// The status the voucher list shows on `today` (Berlin): `overdue` for an
    /// `open` invoice whose due day lies before `today`, else the stored one.
    pub fn listed_status(&self, today: NaiveDate) -> &str {
        match self.due_day() {
            Some(due) if self.voucher_status == "open" && due < today => "overdue",
            _ => &self.voucher_status,
        }
    }

    /// Amount still to be paid: `None` for drafts, the gross total while
    /// `open`, 0 once `paid` or `voided`.
    pub fn open_amount(&self) -> Option<Decimal> {
        match self.voucher_status.as_str() {
            "draft" => None,
            "open" => Some(self.total_gross()),
            _ => Some(Decimal::ZERO),
        }
    }

    /// Gross total (`totalPrice.totalGrossAmount`).
    pub fn total_gross(&self) -> Decimal {
        self.priced.total_price.total_gross_amount
    }

    /// `voucherDate` as returned (Berlin offset).
    pub fn voucher_date(&self) -> String {
        format_berlin(&self.priced.voucher_date)
    }

    /// The full object of `GET /v1/invoices/{id}` (docs/lexoffice.md › Reading an invoice, the voucher list).
    pub fn to_wire(&self) -> InvoiceWire {
        let p = &self.priced;
        InvoiceWire {
            id: self.id,
            organization_id: self.organization_id,
            created_date: self.created_date.clone(),
            updated_date: self.updated_date.clone(),
            version: self.version,
            language: p.language.clone(),
            archived: false,
            voucher_status: self.voucher_status.clone(),
            voucher_number: self.voucher_number.clone(),
            voucher_date: self.voucher_date(),
            due_date: self.due_date.clone(),
            address: self.address.clone(),
            x_rechnung: p.x_rechnung.clone(),
            electronic_document_profile: "NONE",
            line_items: p
                .line_items
                .iter()
                .map(|li| LineItemWire {
                    id: li.id,
                    item_type: li.item_type.clone(),
                    name: li.name.clone(),
                    description: li.description.clone(),
                    quantity: li.quantity,
                    unit_name: li.unit_name.clone(),
                    unit_price: li.unit_price.as_ref().map(|up| UnitPriceWire {
                        currency: up.currency.clone(),
                        net_amount: up.net_amount,
                        gross_amount: up.gross_amount,
                        tax_rate_percentage: up.tax_rate_percentage,
                    }),
                    discount_percentage: li.discount_percentage,
                    line_item_amount: li.line_item_amount,
                })
                .collect(),
            total_price: TotalPriceWire {
                currency: p.total_price.currency.clone(),
                total_net_amount: p.total_price.total_net_amount,
                total_gross_amount: p.total_price.total_gross_amount,
                total_tax_amount: p.total_price.total_tax_amount,
                total_discount_absolute: p.total_price.total_discount_absolute,
                total_discount_percentage: p.total_price.total_discount_percentage,
            },
            tax_amounts: p
                .tax_amounts
                .iter()
                .map(|t| TaxAmountWire {
                    tax_rate_percentage: t.tax_rate_percentage,
                    tax_amount: t.tax_amount,
                    net_amount: t.net_amount,
                })
                .collect(),
            tax_conditions: TaxConditionsWire {
                tax_type: p.tax_conditions.tax_type.clone(),
                tax_sub_type: p.tax_conditions.tax_sub_type.clone(),
                tax_type_note: p.tax_conditions.tax_type_note.clone(),
            },
            payment_conditions: p
                .payment_conditions
                .as_ref()
                .map(|pc| PaymentConditionsWire {
                    payment_term_label: pc.payment_term_label.clone(),
                    payment_term_label_template: pc.payment_term_label.clone(),
                    payment_term_duration: pc.payment_term_duration,
                    payment_discount_conditions: pc.payment_discount_conditions.as_ref().map(|d| {
                        PaymentDiscountWire {
                            discount_percentage: d.discount_percentage,
                            discount_range: d.discount_range,
                        }
                    }),
                }),
            shipping_conditions: ShippingConditionsWire {
                shipping_date: p
                    .shipping_conditions
                    .shipping_date
                    .as_ref()
                    .map(format_berlin),
                shipping_end_date: p
                    .shipping_conditions
                    .shipping_end_date
                    .as_ref()
                    .map(format_berlin),
                shipping_type: p.shipping_conditions.shipping_type.clone(),
            },
            closing_invoice: false,
            claimed_gross_amount: Decimal::ZERO,
            down_payment_deductions: Vec::new(),
            recurring_template_id: None,
            related_vouchers: Vec::new(),
            print_layout_id: p.print_layout_id,
            title: p.title.clone().unwrap_or_else(|| DEFAULT_TITLE.to_string()),
            introduction: p
                .introduction
                .clone()
                .unwrap_or_else(|| DEFAULT_INTRODUCTION.to_string()),
            remark: p
                .remark
                .clone()
                .unwrap_or_else(|| DEFAULT_REMARK.to_string()),
            files: self.document_file_id.map(|id| FilesWire {
                document_file_id: id,
            }),
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.to_wire()).unwrap_or(Value::Null)
    }
}

fn ser_dec<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    decimal_to_json(*d).serialize(s)
}

fn ser_opt_dec<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    d.map(decimal_to_json).serialize(s)
}

/// `GET /v1/invoices/{id}` body, fields in the docs' order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceWire {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub created_date: String,
    pub updated_date: String,
    pub version: i64,
    pub language: String,
    pub archived: bool,
    pub voucher_status: String,
    pub voucher_number: Option<String>,
    pub voucher_date: String,
    pub due_date: Option<String>,
    pub address: InvoiceAddress,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_rechnung: Option<Value>,
    pub electronic_document_profile: &'static str,
    pub line_items: Vec<LineItemWire>,
    pub total_price: TotalPriceWire,
    pub tax_amounts: Vec<TaxAmountWire>,
    pub tax_conditions: TaxConditionsWire,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_conditions: Option<PaymentConditionsWire>,
    pub shipping_conditions: ShippingConditionsWire,
    pub closing_invoice: bool,
    #[serde(serialize_with = "ser_dec")]
    pub claimed_gross_amount: Decimal,
    pub down_payment_deductions: Vec<Value>,
    pub recurring_template_id: Option<Uuid>,
    pub related_vouchers: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub print_layout_id: Option<Uuid>,
    pub title: String,
    pub introduction: String,
    pub remark: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<FilesWire>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(rename = "type")]
    pub item_type: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dec"
    )]
    pub quantity: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<UnitPriceWire>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dec"
    )]
    pub discount_percentage: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dec"
    )]
    pub line_item_amount: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitPriceWire {
    pub currency: String,
    #[serde(serialize_with = "ser_dec")]
    pub net_amount: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub gross_amount: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub tax_rate_percentage: Decimal,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalPriceWire {
    pub currency: String,
    #[serde(serialize_with = "ser_dec")]
    pub total_net_amount: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub total_gross_amount: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub total_tax_amount: Decimal,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dec"
    )]
    pub total_discount_absolute: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dec"
    )]
    pub total_discount_percentage: Option<Decimal>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxAmountWire {
    #[serde(serialize_with = "ser_dec")]
    pub tax_rate_percentage: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub tax_amount: Decimal,
    #[serde(serialize_with = "ser_dec")]
    pub net_amount: Decimal,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxConditionsWire {
    pub tax_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_sub_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_type_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDiscountWire {
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_opt_dec"
    )]
    pub discount_percentage: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_range: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentConditionsWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_term_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_term_label_template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_term_duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_discount_conditions: Option<PaymentDiscountWire>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShippingConditionsWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_end_date: Option<String>,
    pub shipping_type: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilesWire {
    pub document_file_id: Uuid,
}

/// Why [`InvoiceStore::delete`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteError {
    NotFound,
    /// Only drafts can be deleted (as in the web app); finalized invoices
    /// can only be voided.
    NotDraft,
}

/// Why a status change (finalize, pay, void, new due date) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusError {
    NotFound,
    /// The change is not possible from the stored status (given).
    WrongStatus(String),
}

/// All invoices, in creation order.
#[derive(Debug)]
pub(crate) struct InvoiceStore {
    items: Vec<StoredInvoice>,
    next_number: u32,
}

impl Default for InvoiceStore {
    fn default() -> Self {
        InvoiceStore {
            items: Vec::new(),
            next_number: FIRST_VOUCHER_NUMBER,
        }
    }
}

impl InvoiceStore {
    pub fn all(&self) -> Vec<StoredInvoice> {
        self.items.clone()
    }

    pub fn iter(&self) -> impl Iterator<Item = &StoredInvoice> {
        self.items.iter()
    }

    pub fn get(&self, id: Uuid) -> Option<&StoredInvoice> {
        self.items.iter().find(|i| i.id == id)
    }

    /// As the API's reads see it: not during its read-after-create lag.
    pub fn get_visible(&self, id: Uuid) -> Option<&StoredInvoice> {
        self.get(id).filter(|i| i.is_visible())
    }

    fn number(&mut self) -> String {
        let n = self.next_number;
        self.next_number += 1;
        format!("RE{n}")
    }

    /// Stores a new invoice; `open` ones get a voucher number and due date.
    pub fn insert(&mut self, mut inv: StoredInvoice) -> StoredInvoice {
        if inv.voucher_status == "open" {
            open_invoice(&mut inv, self.number());
        }
        self.items.push(inv.clone());
        inv
    }

    pub fn delete(&mut self, id: Uuid) -> Result<StoredInvoice, DeleteError> {
        let pos = self
            .items
            .iter()
            .position(|i| i.id == id)
            .ok_or(DeleteError::NotFound)?;
        if !self.items[pos].is_draft() {
            return Err(DeleteError::NotDraft);
        }
        Ok(self.items.remove(pos))
    }

    /// Applies `change` to the invoice if its stored status is one of
    /// `from`, then bumps `version` and sets `updatedDate` to `now`.
    fn change_status(
        &mut self,
        id: Uuid,
        from: &[&str],
        now: DateTime<Utc>,
        change: impl FnOnce(&mut StoredInvoice),
    ) -> Result<StoredInvoice, StatusError> {
        let inv = self
            .items
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or(StatusError::NotFound)?;
        if !from.contains(&inv.voucher_status.as_str()) {
            return Err(StatusError::WrongStatus(inv.voucher_status.clone()));
        }
        change(inv);
        inv.version += 1;
        inv.updated_date = berlin_timestamp(now);
        Ok(inv.clone())
    }

    /// Draft → open (voucher number, due date, `version + 1`, new `updatedDate`).
    pub fn finalize(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<StoredInvoice, StatusError> {
        match self.get(id) {
            None => return Err(StatusError::NotFound),
            Some(i) if !i.is_draft() => {
                return Err(StatusError::WrongStatus(i.voucher_status.clone()))
            }
            Some(_) => {}
        }
        let number = self.number();
        self.change_status(id, &["draft"], now, |inv| {
            inv.voucher_status = "open".to_string();
            open_invoice(inv, number);
        })
    }

    /// Open → paid (fully; the open amount becomes 0).
    pub fn pay(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<StoredInvoice, StatusError> {
        self.change_status(id, &["open"], now, |inv| {
            inv.voucher_status = "paid".to_string();
        })
    }

    /// Open or paid (an overdue invoice is stored as open) → voided.
    pub fn void(&mut self, id: Uuid, now: DateTime<Utc>) -> Result<StoredInvoice, StatusError> {
        self.change_status(id, &["open", "paid"], now, |inv| {
            inv.voucher_status = "voided".to_string();
        })
    }

    /// New due date (Berlin midnight of `due`) of an open invoice.
    pub fn set_due(
        &mut self,
        id: Uuid,
        due: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<StoredInvoice, StatusError> {
        self.change_status(id, &["open"], now, |inv| {
            inv.due_date = Some(berlin_midnight(due));
        })
    }
}

/// `yyyy-MM-ddT00:00:00.000+01:00|+02:00` for a Berlin calendar day.
pub fn berlin_midnight(day: NaiveDate) -> String {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match chrono_tz::Europe::Berlin
        .from_local_datetime(&midnight)
        .earliest()
    {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        None => format!("{day}T00:00:00.000+01:00"),
    }
}

fn open_invoice(inv: &mut StoredInvoice, number: String) {
    inv.voucher_number = Some(number);
    let days = inv
        .priced
        .payment_conditions
        .as_ref()
        .and_then(|pc| pc.payment_term_duration)
        .unwrap_or(0);
    let due = inv.priced.voucher_date + ChronoDuration::days(days);
    inv.due_date = Some(format_berlin(&due));
    inv.document_file_id = Some(Uuid::new_v4());
}

/// `"{firstName} {lastName}"` (or just the last name).
fn full_name(first: Option<&str>, last: &str) -> String {
    match first {
        Some(f) if !f.is_empty() => format!("{f} {last}"),
        _ => last.to_string(),
    }
}

/// The 406 for a referenced contact without exactly one billing address
/// (docs/lexoffice.md › Contacts): reason only in `message`, `details` empty.
pub fn billing_address_rejection(found: usize) -> Rejection {
    Rejection {
        status: 406,
        message: format!(
            "Referenced contact needs to have exactly one billing address, but {found} addresses were found."
        ),
        details: Vec::new(),
    }
}

/// `contactName` of the voucher list (see [`StoredInvoice::contact_name`]).
pub fn list_contact_name(contact: Option<&Contact>, address: &InvoiceAddress) -> String {
    match contact {
        Some(c) => match (&c.company, &c.person) {
            (Some(co), _) => co.name.clone(),
            (None, Some(p)) => match p.first_name.as_deref() {
                Some(f) if !f.is_empty() => format!("{}, {f}", p.last_name),
                _ => p.last_name.clone(),
            },
            (None, None) => address.name.clone(),
        },
        None => address.name.clone(),
    }
}

/// The recipient for an invoice (docs/lexoffice.md › Creating an invoice). A reference without a complete
/// override address needs a contact with exactly one billing address.
pub fn resolve_address(
    input: &AddressInput,
    contact: Option<&Contact>,
) -> Result<InvoiceAddress, Rejection> {
    let contact_person = contact
        .and_then(|c| c.company.as_ref())
        .and_then(|co| {
            co.contact_persons
                .iter()
                .find(|p| p.primary)
                .or_else(|| co.contact_persons.first())
        })
        .map(|p| full_name(p.first_name.as_deref(), &p.last_name));
    match contact {
        Some(c) if !input.is_complete() => {
            let [addr] = c.addresses.billing.as_slice() else {
                return Err(billing_address_rejection(c.addresses.billing.len()));
            };
            Ok(InvoiceAddress {
                contact_id: Some(c.id),
                name: c.display_name(),
                supplement: addr.supplement.clone(),
                street: addr.street.clone(),
                city: addr.city.clone(),
                zip: addr.zip.clone(),
                country_code: addr.country_code.clone(),
                contact_person,
            })
        }
        _ => Ok(InvoiceAddress {
            contact_id: input.contact_id,
            name: input.name.clone().unwrap_or_default(),
            supplement: input.supplement.clone(),
            street: input.street.clone(),
            city: input.city.clone(),
            zip: input.zip.clone(),
            country_code: input.country_code.clone().unwrap_or_default(),
            contact_person,
        }),
    }
}

/// The tax types where the customer owes the VAT (reverse charge).
pub const REVERSE_CHARGE_TAX_TYPES: [&str; 2] = ["constructionService13b", "externalService13b"];

/// The message of [`reverse_charge_violations`].
pub const VAT_ID_REQUIRED: &str =
    "Für Steuerschuldnerschaft des Leistungsempfängers braucht der Kontakt eine USt-IdNr. (vatRegistrationId).";

/// With `require_vat_id_for_reverse_charge`: a reverse-charge invoice for a
/// contact without a VAT id (e-invoice rule BR-AE-02) is refused with 406.
pub fn reverse_charge_violations(
    body: &Value,
    contacts: &crate::state::ContactStore,
) -> Vec<Violation> {
    let tax_type = body
        .get("taxConditions")
        .and_then(|t| t.get("taxType"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !REVERSE_CHARGE_TAX_TYPES.contains(&tax_type) {
        return Vec::new();
    }
    let Some(contact) = body
        .get("address")
        .and_then(|a| a.get("contactId"))
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .and_then(|id| contacts.get(id))
    else {
        return Vec::new(); // a missing reference is reported on its own
    };
    let has_vat_id = contact
        .company
        .as_ref()
        .and_then(|c| c.vat_registration_id.as_deref())
        .is_some_and(|v| !v.trim().is_empty());
    if has_vat_id {
        Vec::new()
    } else {
        vec![Violation::new(
            "NOTNULL",
            "taxConditions.taxType",
            VAT_ID_REQUIRED,
        )]
    }
}

/// The message of [`org_tax_violations`].
pub const VATFREE_ONLY: &str =
    "Für diese Organisation sind nur steuerfreie Rechnungen (vatfree) möglich.";

/// An organisation with `taxType: "vatfree"` or `smallBusiness: true` may
/// only create `vatfree` invoices (docs/lexoffice.md › Profile and taxes). Only a documented tax
/// type is reported here (an unknown one is already a violation of its own).
pub fn org_tax_violations(body: &Value, profile: &Profile) -> Vec<Violation> {
    if profile.tax_type != "vatfree" && !profile.small_business {
        return Vec::new();
    }
    match body
        .get("taxConditions")
        .and_then(|t| t.get("taxType"))
        .and_then(Value::as_str)
    {
        Some(t) if t != "vatfree" && TAX_TYPES.contains(&t) => vec![Violation::new(
            "INVALID_VALUE",
            "taxConditions.taxType",
            VATFREE_ONLY,
        )],
        _ => Vec::new(),
    }
}

/// Violations of `address.contactId` against the contact store: unknown
/// contact or contact without the customer role.
pub fn contact_violations(body: &Value, contacts: &ContactStore) -> Vec<Violation> {
    let Some(id) = body
        .get("address")
        .and_then(|a| a.get("contactId"))
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
    else {
        return Vec::new();
    };
    match contacts.get(id) {
        None => vec![Violation::new(
            "INVALID_REFERENCE",
            "address.contactId",
            format!("Kontakt {id} existiert nicht"),
        )],
        Some(c) if c.roles.customer.is_none() => vec![Violation::new(
            "INVALID_REFERENCE",
            "address.contactId",
            format!("Kontakt {id} hat nicht die Rolle Kunde"),
        )],
        Some(_) => Vec::new(),
    }
}

/// A contact with an XRechnung Leitweg-ID (`xRechnung.buyerReference`) makes
/// lexoffice validate the invoice as an XRechnung — tax type `net`, a contact
/// with a complete address, a description on every non-text line — unless the
/// invoice opts out with `"xRechnung": {"buyerReference": ""}` (docs/lexoffice.md ›
/// XRechnung contacts).
pub fn xrechnung_violations(body: &Value, contacts: &ContactStore) -> Vec<Violation> {
    let Some(contact) = body
        .get("address")
        .and_then(|a| a.get("contactId"))
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .and_then(|id| contacts.get(id))
    else {
        return Vec::new();
    };
    let reference = contact
        .x_rechnung
        .as_ref()
        .and_then(|x| x.buyer_reference.as_deref())
        .unwrap_or("");
    let opted_out = body
        .get("xRechnung")
        .and_then(|x| x.get("buyerReference"))
        .and_then(Value::as_str)
        == Some("");
    if reference.trim().is_empty() || opted_out {
        return Vec::new();
    }
    let mut v = Vec::new();
    let tax_type = body
        .get("taxConditions")
        .and_then(|t| t.get("taxType"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if tax_type != "net" {
        v.push(Violation::new(
            "NOTALLOWED",
            "taxConditions.taxType",
            "XRechnung erfordert taxType net",
        ));
    }
    let complete = contact.addresses.billing.first().is_some_and(|a| {
        [&a.street, &a.zip, &a.city]
            .iter()
            .all(|f| f.as_deref().is_some_and(|s| !s.trim().is_empty()))
            && !a.country_code.trim().is_empty()
    });
    if !complete {
        v.push(Violation::new(
            "NOTNULL",
            "address",
            "XRechnung erfordert eine vollständige Adresse",
        ));
    }
    if let Some(items) = body.get("lineItems").and_then(Value::as_array) {
        for (i, item) in items.iter().enumerate() {
            let is_text = item.get("type").and_then(Value::as_str) == Some("text");
            let described = item
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.trim().is_empty());
            if !is_text && !described {
                v.push(Violation::new(
                    "NOTNULL",
                    &format!("lineItems[{i}].description"),
                    "XRechnung erfordert eine Beschreibung",
                ));
            }
        }
    }
    v
}

fn rejection_response(now: DateTime<Utc>, path: &str, r: &Rejection) -> Response<Body> {
    let details = serde_json::to_value(&r.details).ok();
    json_response(
        r.status,
        &regular_body(now, r.status, path, &r.message, details),
    )
}

fn bad_request(
    now: DateTime<Utc>,
    path: &str,
    message: &str,
    details: Option<Vec<Violation>>,
) -> Response<Body> {
    let details = details.and_then(|d| serde_json::to_value(d).ok());
    json_response(400, &regular_body(now, 400, path, message, details))
}

/// `finalize` query parameter (Spring boolean conversion).
fn parse_finalize(query: Option<&str>) -> Result<bool, String> {
    let Some(q) = query else { return Ok(false) };
    for (k, v) in form_urlencoded::parse(q.as_bytes()) {
        if k == "finalize" {
            return match v.trim().to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" | "" => Ok(false),
                _ => Err(v.into_owned()),
            };
        }
    }
    Ok(false)
}

/// `http://{Host}/v1/{collection}/{id}` (the request's `Host`, else the
/// sandbox's own address).
pub(crate) fn resource_uri(shared: &Shared, parts: &Parts, collection: &str, id: Uuid) -> String {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    match host {
        Some(h) => format!("http://{h}/v1/{collection}/{id}"),
        None => format!("{}/v1/{collection}/{id}", shared.base_url),
    }
}

/// `POST /v1/invoices[?finalize=true]` (content type already checked).
pub(crate) fn create(shared: &Arc<Shared>, parts: &Parts, body: &[u8]) -> Response<Body> {
    let path = parts.uri.path();
    let now = shared.wall_now();
    let finalize = match parse_finalize(parts.uri.query()) {
        Ok(f) => f,
        Err(v) => {
            return bad_request(
                now,
                path,
                &format!("Failed to convert value '{v}' of parameter 'finalize' to boolean"),
                Some(vec![Violation::new(
                    "INVALID_FORMAT",
                    "finalize",
                    "true oder false erwartet",
                )]),
            )
        }
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let msg = if body.iter().all(u8::is_ascii_whitespace) {
                "Required request body is missing".to_string()
            } else {
                format!("JSON parse error: {e}")
            };
            return bad_request(now, path, &msg, None);
        }
    };
    let mut problems = contact_violations(&value, &shared.contacts);
    problems.extend(crate::articles::line_item_violations(
        &value,
        &shared.articles,
    ));
    problems.extend(org_tax_violations(&value, &lock(&shared.profile)));
    problems.extend(xrechnung_violations(&value, &shared.contacts));
    if shared.require_vat_id {
        problems.extend(reverse_charge_violations(&value, &shared.contacts));
    }
    let priced = match price_invoice(&value) {
        Ok(p) if problems.is_empty() => p,
        Ok(_) => return rejection_response(now, path, &Rejection::invalid(problems)),
        Err(mut r) => {
            if r.status == 406 {
                r.details.extend(problems);
            }
            return rejection_response(now, path, &r);
        }
    };
    let contact = priced
        .address
        .contact_id
        .and_then(|id| shared.contacts.get(id));
    let address = match resolve_address(&priced.address, contact.as_ref()) {
        Ok(a) => a,
        Err(r) => return rejection_response(now, path, &r),
    };
    let contact_name = list_contact_name(contact.as_ref(), &address);
    let now = berlin_timestamp(now);
    let inv = StoredInvoice {
        id: Uuid::new_v4(),
        organization_id: shared.contacts.organization_id(),
        version: 1,
        voucher_status: if finalize { "open" } else { "draft" }.to_string(),
        voucher_number: None,
        created_date: now.clone(),
        updated_date: now,
        due_date: None,
        address,
        contact_name,
        priced,
        document_file_id: None,
        visible_from: {
            let lag = shared.invoice_delay();
            (!lag.is_zero()).then(|| std::time::Instant::now() + lag)
        },
    };
    let inv = lock(&shared.invoices).insert(inv);
    let uri = resource_uri(shared, parts, "invoices", inv.id);
    let mut resp = json_response(
        201,
        &CreatedWire {
            id: inv.id,
            resource_uri: uri.clone(),
            created_date: inv.created_date.clone(),
            updated_date: inv.updated_date.clone(),
            version: inv.version,
        },
    );
    if let Ok(v) = HeaderValue::from_str(&uri) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The 201 body of docs/lexoffice.md › Creating an invoice.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWire {
    pub id: Uuid,
    pub resource_uri: String,
    pub created_date: String,
    pub updated_date: String,
    pub version: i64,
}

/// `GET /v1/invoices/{id}`
pub(crate) fn get(shared: &Shared, path: &str, id: &str) -> Response<Body> {
    let found = Uuid::parse_str(id).ok().and_then(|id| {
        lock(&shared.invoices)
            .get_visible(id)
            .map(StoredInvoice::to_wire)
    });
    match found {
        Some(inv) => json_response(200, &inv),
        None => json_response(
            404,
            &regular_body(shared.wall_now(), 404, path, "Resource not found.", None),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ContactPerson;

    #[test]
    fn finalize_values() {
        assert_eq!(parse_finalize(None), Ok(false));
        assert_eq!(parse_finalize(Some("finalize=true")), Ok(true));
        assert_eq!(parse_finalize(Some("x=1&finalize=1")), Ok(true));
        assert_eq!(parse_finalize(Some("finalize=false")), Ok(false));
        assert_eq!(parse_finalize(Some("finalized=true")), Ok(false));
        assert!(parse_finalize(Some("finalize=maybe")).is_err());
    }

    #[test]
    fn address_resolution() {
        let mut c = Contact::company("Nordlicht Software GmbH")
            .customer()
            .with_billing_address("Hafenweg 7", "24103", "Kiel", "DE");
        c.id = Uuid::new_v4();
        if let Some(co) = c.company.as_mut() {
            co.contact_persons = vec![
                ContactPerson {
                    first_name: Some("Erika".into()),
                    last_name: "Neben".into(),
                    ..ContactPerson::default()
                },
                ContactPerson {
                    first_name: Some("Ole".into()),
                    last_name: "Hansen".into(),
                    primary: true,
                    ..ContactPerson::default()
                },
            ];
        }
        let only_ref = AddressInput {
            contact_id: Some(c.id),
            ..AddressInput::default()
        };
        let a = resolve_address(&only_ref, Some(&c)).unwrap();
        assert_eq!(a.name, "Nordlicht Software GmbH");
        assert_eq!(a.street.as_deref(), Some("Hafenweg 7"));
        assert_eq!(a.zip.as_deref(), Some("24103"));
        assert_eq!(a.city.as_deref(), Some("Kiel"));
        assert_eq!(a.country_code, "DE");
        assert_eq!(a.contact_person.as_deref(), Some("Ole Hansen"));
        assert_eq!(a.contact_id, Some(c.id));
        assert_eq!(list_contact_name(Some(&c), &a), "Nordlicht Software GmbH");

        let overridden = AddressInput {
            contact_id: Some(c.id),
            name: Some("Nordlicht Filiale".into()),
            country_code: Some("AT".into()),
            city: Some("Wien".into()),
            ..AddressInput::default()
        };
        let a = resolve_address(&overridden, Some(&c)).unwrap();
        assert_eq!(a.name, "Nordlicht Filiale");
        assert_eq!(a.country_code, "AT");
        assert_eq!(a.street, None);
        assert_eq!(a.contact_id, Some(c.id));

        // Person without billing address: refused (no fallback), unless the
        // address is sent in full.
        let mut p = Contact::person(Some("Herr"), "Max", "Muster").customer();
        p.id = Uuid::new_v4();
        p.addresses.shipping.push(crate::state::Address {
            country_code: "DE".into(),
            city: Some("Kiel".into()),
            ..crate::state::Address::default()
        });
        let ref_p = AddressInput {
            contact_id: Some(p.id),
            ..AddressInput::default()
        };
        let r = resolve_address(&ref_p, Some(&p)).unwrap_err();
        assert_eq!(r.status, 406);
        assert_eq!(
            r.message,
            "Referenced contact needs to have exactly one billing address, but 0 addresses were found."
        );
        assert!(r.details.is_empty());
        let full = AddressInput {
            contact_id: Some(p.id),
            name: Some("Max Muster".into()),
            country_code: Some("DE".into()),
            ..AddressInput::default()
        };
        let a = resolve_address(&full, Some(&p)).unwrap();
        assert_eq!(
            (a.name.as_str(), a.country_code.as_str()),
            ("Max Muster", "DE")
        );
        assert_eq!(list_contact_name(Some(&p), &a), "Muster, Max");

        // Two billing addresses: refused with the count.
        let two = c.with_billing_address("Kai 1", "20095", "Hamburg", "DE");
        let r = resolve_address(&only_ref, Some(&two)).unwrap_err();
        assert_eq!(
            r.message,
            "Referenced contact needs to have exactly one billing address, but 2 addresses were found."
        );
        assert!(resolve_address(&overridden, Some(&two)).is_ok());
    }

    fn stored(status: &str) -> StoredInvoice {
        let body = serde_json::json!({
          "voucherDate": "2025-03-31T00:00:00.000+02:00",
          "address": { "name": "X", "countryCode": "DE" },
          "lineItems": [{ "type": "custom", "name": "L", "quantity": 1, "unitName": "h",
            "unitPrice": { "currency": "EUR", "netAmount": 100, "taxRatePercentage": 19 } }],
          "totalPrice": { "currency": "EUR" },
          "taxConditions": { "taxType": "net" },
          "shippingConditions": { "shippingType": "none" }
        });
        let priced = price_invoice(&body).unwrap();
        StoredInvoice {
            id: Uuid::new_v4(),
            organization_id: Uuid::nil(),
            version: 1,
            voucher_status: status.to_string(),
            voucher_number: None,
            created_date: "2025-03-31T10:00:00.000+02:00".into(),
            updated_date: "2025-03-31T10:00:00.000+02:00".into(),
            due_date: None,
            address: InvoiceAddress::default(),
            contact_name: "X".into(),
            priced,
            document_file_id: None,
            visible_from: None,
        }
    }

    #[test]
    fn status_changes_bump_version_and_updated_date() {
        use chrono::TimeZone;
        let t = Utc.with_ymd_and_hms(2025, 4, 2, 8, 0, 0).unwrap();
        let mut store = InvoiceStore::default();
        let draft = store.insert(stored("draft"));
        let open = store.insert(stored("open"));
        assert_eq!(open.voucher_number.as_deref(), Some("RE1001"));
        assert_eq!(
            open.due_date.as_deref(),
            Some("2025-03-31T00:00:00.000+02:00")
        );
        assert_eq!(draft.open_amount(), None);
        assert_eq!(open.open_amount(), Some(Decimal::new(119, 0)));

        // Only open invoices can be paid or get a new due date; drafts not voided.
        let wrong = |s: &str| Err(StatusError::WrongStatus(s.to_string()));
        assert_eq!(store.pay(draft.id, t), wrong("draft"));
        assert_eq!(store.void(draft.id, t), wrong("draft"));
        let day = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
        assert_eq!(store.set_due(draft.id, day, t), wrong("draft"));
        assert_eq!(store.pay(Uuid::new_v4(), t), Err(StatusError::NotFound));

        let due = store.set_due(open.id, day, t).unwrap();
        assert_eq!(
            due.due_date.as_deref(),
            Some("2025-01-15T00:00:00.000+01:00")
        );
        assert_eq!(due.version, 2);
        assert_eq!(due.updated_date, "2025-04-02T10:00:00.000+02:00");
        let today = NaiveDate::from_ymd_opt(2025, 4, 2).unwrap();
        assert_eq!(due.listed_status(today), "overdue");
        assert_eq!(due.listed_status(day), "open", "due today is not overdue");
        assert_eq!(due.voucher_status, "open", "stored status unchanged");

        let paid = store.pay(open.id, t).unwrap();
        assert_eq!((paid.voucher_status.as_str(), paid.version), ("paid", 3));
        assert_eq!(paid.open_amount(), Some(Decimal::ZERO));
        assert_eq!(paid.listed_status(today), "paid");
        assert_eq!(store.pay(open.id, t), wrong("paid"));
        let voided = store.void(open.id, t).unwrap();
        assert_eq!(
            (voided.voucher_status.as_str(), voided.version),
            ("voided", 4)
        );
        assert_eq!(voided.open_amount(), Some(Decimal::ZERO));
        assert_eq!(store.void(open.id, t), wrong("voided"));
        assert_eq!(store.finalize(open.id, t), wrong("voided"));
        assert_eq!(store.delete(open.id), Err(DeleteError::NotDraft));

        let fin = store.finalize(draft.id, t).unwrap();
        assert_eq!(fin.voucher_number.as_deref(), Some("RE1002"));
        assert_eq!((fin.voucher_status.as_str(), fin.version), ("open", 2));
        assert_eq!(berlin_midnight(day), "2025-01-15T00:00:00.000+01:00");
        assert_eq!(
            berlin_midnight(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
            "2025-07-01T00:00:00.000+02:00"
        );
    }

    #[test]
    fn vatfree_organisations() {
        let mut profile = crate::seed::profile(1, "X", "net", false);
        let body = |t: &str| serde_json::json!({ "taxConditions": { "taxType": t } });
        assert!(org_tax_violations(&body("net"), &profile).is_empty());
        for (tax_type, small_business) in [("vatfree", false), ("net", true)] {
            profile.tax_type = tax_type.into();
            profile.small_business = small_business;
            for t in ["net", "gross", "intraCommunitySupply"] {
                let v = org_tax_violations(&body(t), &profile);
                assert_eq!(v.len(), 1, "{t}");
                assert_eq!(v[0].field, "taxConditions.taxType");
                assert_eq!(v[0].message, VATFREE_ONLY);
            }
            assert!(org_tax_violations(&body("vatfree"), &profile).is_empty());
            assert!(
                org_tax_violations(&body("bogus"), &profile).is_empty(),
                "reported by pricing"
            );
        }
    }
}
