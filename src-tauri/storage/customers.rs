//! Customers: tree `customers`, key = local id (u64 big-endian), value = JSON.
//! 10,000 customers are a few MB: listing reads the whole tree, which is what
//! the Kunden list needs anyway.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{AppError, AppResult};

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

pub(super) fn key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

impl Store {
    pub fn next_id(&self) -> AppResult<u64> {
        // sled's generate_id is monotonic across restarts; +1 keeps 0 free; the
        // floor keeps new ids above those of a restored backup.
        let floor = self.id_floor.load(std::sync::atomic::Ordering::SeqCst);
        Ok(self.db.generate_id()? + 1 + floor)
    }

    /// After a restore: every id handed out from now on is above `max`.
    pub fn raise_id_floor(&self, max: u64) -> AppResult<()> {
        let floor = self.id_floor.load(std::sync::atomic::Ordering::SeqCst);
        if max > floor {
            self.meta.insert(b"id_floor", &max.to_be_bytes())?;
            self.id_floor
                .store(max, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    pub fn customers(&self) -> AppResult<Vec<Customer>> {
        self.customers
            .iter()
            .filter_map(|row| self.decode_row("customers", row))
            .collect()
    }

    pub fn customer(&self, id: u64) -> AppResult<Option<Customer>> {
        self.decode_one("customers", &key(id), self.customers.get(key(id))?)
    }

    /// Inserts or replaces one customer, flushed.
    pub fn put_customer(&self, c: &Customer) -> AppResult<()> {
        let _w = self.writing();
        self.customers.insert(key(c.id), serde_json::to_vec(c)?)?;
        self.flush()
    }

    /// Removes one customer, flushed (`kunden::delete`; its undo puts it back).
    pub fn delete_customer(&self, id: u64) -> AppResult<()> {
        let _w = self.writing();
        self.customers.remove(key(id))?;
        self.flush()
    }

    /// Applies a set of changes atomically: `change` sees each current record
    /// (None for new ids) and returns the record to store. All or nothing.
    pub fn update_customers_atomically(
        &self,
        ids: &[u64],
        change: impl Fn(u64, Option<Customer>) -> Option<Customer>,
    ) -> AppResult<()> {
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let _w = self.writing();
        let result = self.customers.transaction(|tx| {
            for id in ids {
                let current = match tx.get(key(*id))? {
                    Some(v) => Some(
                        serde_json::from_slice::<Customer>(&v)
                            .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?,
                    ),
                    None => None,
                };
                if let Some(next) = change(*id, current) {
                    let bytes = serde_json::to_vec(&next)
                        .map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
                    tx.insert(&key(*id), bytes)?;
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => self.flush(),
            Err(TransactionError::Abort(e)) => Err(AppError::Storage(e)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }
}
