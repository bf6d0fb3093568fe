//! A customer: a lexoffice contact or one kept here only, with its address,
//! rates and tax details.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CustomerKind {
    Company,
    Person,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    Lexoffice,
    Manual,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Address {
    pub supplement: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 (lexoffice also knows extended codes such as `ES_CN`).
    pub country_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: u64,
    pub lexoffice_id: Option<String>,
    pub lexoffice_version: Option<i64>,
    /// Kundennummer (lexoffice's customer number, or typed for manual customers).
    pub number: String,
    pub kind: CustomerKind,
    pub name: String,
    pub contact_person: String,
    pub address: Address,
    pub email: String,
    pub phone: String,
    pub archived: bool,
    pub source: Source,
    /// A lexoffice customer that the last complete import did not return.
    #[serde(default)]
    pub missing_in_lexoffice: bool,
    /// How many billing addresses the lexoffice contact had at the last import
    /// (lexoffice bills a contact only with exactly one); None for manual
    /// customers and imports from before this was kept.
    #[serde(default)]
    pub billing_addresses: Option<u32>,
    pub last_imported_at: Option<DateTime<Utc>>,
    /// Customer-specific hourly rate (prefills the invoice dialog).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub hourly_rate: Option<Decimal>,
    /// Rate changes, role rates, rounding (kept across imports).
    #[serde(default)]
    pub rules: super::RateRules,
    /// „Für diesen Kunden merken“ in the invoice dialog (kept across imports).
    #[serde(default)]
    pub invoice_style: Option<super::InvoiceStyle>,
    /// „Steuerart“ and „Privatkunde (§35a)“ (kept across imports).
    #[serde(default)]
    pub tax: CustomerTax,
    /// The lexoffice contact's USt-IdNr. (`company.vatRegistrationId`), from the import.
    #[serde(default)]
    pub vat_id: String,
    /// The lexoffice contact's XRechnung Leitweg-ID (`xRechnung.buyerReference`,
    /// public authorities); empty = none. Kept from the import.
    #[serde(default)]
    pub buyer_reference: String,
    /// A linked customer whose lexoffice fields (name, address, e-mail, …) were
    /// edited here after its last import or push: „In lexoffice aktualisieren“.
    #[serde(default)]
    pub changed_in_app: bool,
    /// When a „In lexoffice anlegen“ ended without a clear answer (timeout,
    /// 5xx): the contact may exist, so the next create looks for it first.
    #[serde(default)]
    pub push_unclear_since: Option<DateTime<Utc>>,
    /// The lexoffice fields as last imported or sent, kept from the first edit
    /// here on (`changed_in_app`): a 409 then lists only what was changed in
    /// lexoffice, not the edits made here.
    #[serde(default)]
    pub lexoffice_base: Option<LexofficeFields>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The customer fields that go to lexoffice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LexofficeFields {
    pub name: String,
    pub contact_person: String,
    pub address: Address,
    pub email: String,
    pub phone: String,
    pub vat_id: String,
}

impl LexofficeFields {
    pub fn of(c: &Customer) -> LexofficeFields {
        LexofficeFields {
            name: c.name.clone(),
            contact_person: c.contact_person.clone(),
            address: c.address.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            vat_id: c.vat_id.clone(),
        }
    }

    /// `c` with these fields.
    pub fn applied_to(&self, mut c: Customer) -> Customer {
        c.name = self.name.clone();
        c.contact_person = self.contact_person.clone();
        c.address = self.address.clone();
        c.email = self.email.clone();
        c.phone = self.phone.clone();
        c.vat_id = self.vat_id.clone();
        c
    }
}

/// How a customer is taxed on the invoice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CustomerTax {
    pub case: super::TaxCase,
    /// „Privatkunde (§35a)“: the draft shows Arbeitskosten and Materialkosten apart.
    pub private_35a: bool,
    /// The lexoffice contact's `company.allowTaxFreeInvoices` as last imported
    /// or sent (None: not known — a person, or never imported).
    pub tax_free_allowed: Option<bool>,
}

impl Customer {
    /// How many billing addresses the lexoffice contact has, when that is not
    /// exactly the one lexoffice needs to bill it (None: fine, or not known).
    pub fn wrong_billing_addresses(&self) -> Option<u32> {
        self.billing_addresses.filter(|n| *n != 1)
    }
}

/// A customer's address as printed under the name: contact person, supplement,
/// street, `PLZ Ort`, and the country code when it is not Germany.
pub fn address_lines(c: &Customer) -> Vec<String> {
    [
        c.contact_person.clone(),
        c.address.supplement.clone(),
        c.address.street.clone(),
        format!("{} {}", c.address.zip, c.address.city)
            .trim()
            .to_string(),
        if c.address.country_code.is_empty() || c.address.country_code == "DE" {
            String::new()
        } else {
            c.address.country_code.clone()
        },
    ]
    .into_iter()
    .filter(|l| !l.trim().is_empty())
    .collect()
}
