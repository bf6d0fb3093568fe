//! Wire types. Unknown fields are ignored everywhere (never `deny_unknown_fields`):
//! lexoffice adds fields such as `requestId` without notice.

use serde::Deserialize;

/// `GET /v1/profile` (docs/lexoffice.md › Profile and taxes).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub organization_id: String,
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub tax_type: Option<String>,
    #[serde(default)]
    pub small_business: bool,
    #[serde(default)]
    pub business_features: Vec<String>,
    #[serde(default)]
    pub connection_id: Option<String>,
}

/// A page of a paged resource (docs/lexoffice.md › Contacts).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub content: Vec<T>,
    #[serde(default)]
    pub first: bool,
    #[serde(default)]
    pub last: bool,
    #[serde(default)]
    pub total_pages: u32,
    #[serde(default)]
    pub total_elements: u64,
    #[serde(default)]
    pub number: u32,
    #[serde(default)]
    pub size: u32,
}

/// A contact (docs/lexoffice.md › Contacts). Any field may be absent.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub roles: Roles,
    #[serde(default)]
    pub company: Option<Company>,
    #[serde(default)]
    pub person: Option<Person>,
    #[serde(default)]
    pub addresses: Addresses,
    #[serde(default)]
    pub email_addresses: ContactLists,
    #[serde(default)]
    pub phone_numbers: ContactLists,
    /// XRechnung details of a public authority (docs/lexoffice.md › XRechnung
    /// contacts).
    #[serde(default, rename = "xRechnung")]
    pub x_rechnung: Option<XRechnungDetails>,
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct XRechnungDetails {
    /// The Leitweg-ID.
    #[serde(default)]
    pub buyer_reference: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Roles {
    #[serde(default)]
    pub customer: Option<Role>,
    #[serde(default)]
    pub vendor: Option<Role>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Role {
    #[serde(default)]
    pub number: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub vat_registration_id: Option<String>,
    /// „Steuerfreie Rechnungen erlauben“ (docs/lexoffice.md › Tax-free invoices
    /// and the contact).
    #[serde(default)]
    pub allow_tax_free_invoices: Option<bool>,
    #[serde(default)]
    pub contact_persons: Vec<ContactPerson>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContactPerson {
    #[serde(default)]
    pub salutation: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(default)]
    pub salutation: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Addresses {
    #[serde(default)]
    pub billing: Vec<Address>,
    #[serde(default)]
    pub shipping: Vec<Address>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default)]
    pub supplement: Option<String>,
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
}

/// `emailAddresses` / `phoneNumbers`: named lists of strings
/// (business, office, private, mobile, fax, other, …).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ContactLists(pub std::collections::BTreeMap<String, Vec<String>>);

impl ContactLists {
    /// The first entry, preferring the given list names in order.
    pub fn first_of(&self, order: &[&str]) -> Option<String> {
        order
            .iter()
            .filter_map(|k| self.0.get(*k))
            .chain(self.0.values())
            .flat_map(|v| v.iter())
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .map(str::to_string)
    }
}

impl Contact {
    /// Company name, or "{firstName} {lastName}" for persons (what invoices use).
    pub fn display_name(&self) -> String {
        if let Some(c) = &self.company {
            return c.name.trim().to_string();
        }
        if let Some(p) = &self.person {
            let parts: Vec<&str> = [p.first_name.as_deref(), p.last_name.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            return parts.join(" ");
        }
        String::new()
    }

    pub fn is_customer(&self) -> bool {
        self.roles.customer.is_some()
    }

    pub fn customer_number(&self) -> Option<i64> {
        self.roles.customer.as_ref().and_then(|r| r.number)
    }

    /// The primary contact person of a company (or the first one).
    pub fn contact_person(&self) -> Option<&ContactPerson> {
        let persons = &self.company.as_ref()?.contact_persons;
        persons
            .iter()
            .find(|p| p.primary)
            .or_else(|| persons.first())
    }
}

/// `POST /v1/invoices` → 201 (docs/lexoffice.md › Creating an invoice), also
/// `POST /v1/contacts` → 201 and `PUT /v1/contacts/{id}` → 200
/// (docs/lexoffice.md › Creating and updating contacts): the id and the new
/// `version`, never the whole record.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub id: String,
    #[serde(default)]
    pub resource_uri: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// The parts of `GET /v1/invoices/{id}` we use (docs/lexoffice.md › Reading an invoice, the voucher list).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceInfo {
    pub id: String,
    #[serde(default)]
    pub voucher_status: Option<String>,
    #[serde(default)]
    pub voucher_number: Option<String>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
}

/// One item of `GET /v1/voucherlist`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VoucherItem {
    pub id: String,
    #[serde(default)]
    pub voucher_status: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub total_amount: Option<serde_json::Number>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub voucher_date: Option<String>,
    #[serde(default)]
    pub voucher_number: Option<String>,
    #[serde(default)]
    pub due_date: Option<String>,
    /// A number in the voucher list; `null` for drafts. Kept as JSON because
    /// lexoffice has been seen to send amounts as strings (docs/lexoffice.md).
    #[serde(default)]
    pub open_amount: Option<serde_json::Value>,
}

/// An amount as lexoffice sends it: a JSON number, sometimes a string
/// (`openAmount`, article prices; docs/lexoffice.md).
pub fn decimal_of(v: &Option<serde_json::Value>) -> Option<rust_decimal::Decimal> {
    use std::str::FromStr;
    match v.as_ref()? {
        serde_json::Value::Number(n) => rust_decimal::Decimal::from_str(&n.to_string()).ok(),
        serde_json::Value::String(s) => rust_decimal::Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

/// One item of `GET /v1/articles` (docs/lexoffice.md › Articles).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub id: String,
    #[serde(default)]
    pub title: String,
    /// `SERVICE` or `PRODUCT`.
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub unit_name: String,
    #[serde(default)]
    pub article_number: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub price: Option<ArticlePrice>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ArticlePrice {
    #[serde(default)]
    pub net_price: Option<serde_json::Value>,
    #[serde(default)]
    pub gross_price: Option<serde_json::Value>,
    #[serde(default)]
    pub leading_price: Option<String>,
    #[serde(default)]
    pub tax_rate: Option<serde_json::Value>,
}
