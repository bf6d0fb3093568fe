//! In-memory data of the sandbox: the contact store and the profile.
//!
//! [`ContactStore`] is a cheap-to-clone handle (shared `RwLock`), so in-process
//! tests can mutate contacts while the server runs:
//! `sandbox.contacts().add_contact(Contact::company("Neu GmbH").customer())`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::clock::Clock;

/// First customer number handed out (lexoffice default numbering).
pub const FIRST_CUSTOMER_NUMBER: u32 = 10001;
/// First vendor number handed out (lexoffice default numbering).
pub const FIRST_VENDOR_NUMBER: u32 = 70001;

/// A contact exactly as `GET /v1/contacts/{id}` returns it (docs/lexoffice.md › Contacts).
/// Absent optional parts are omitted from the JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub version: i64,
    #[serde(default)]
    pub roles: Roles,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<Company>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(default, skip_serializing_if = "Addresses::is_empty")]
    pub addresses: Addresses,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_rechnung: Option<XRechnung>,
    #[serde(default, skip_serializing_if = "EmailAddresses::is_empty")]
    pub email_addresses: EmailAddresses,
    #[serde(default, skip_serializing_if = "PhoneNumbers::is_empty")]
    pub phone_numbers: PhoneNumbers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Roles {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Role>,
}

/// A role; `number` is assigned by the store when `None`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Role {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_registration_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_tax_free_invoices: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_persons: Vec<ContactPerson>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPerson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    pub last_name: String,
    #[serde(default)]
    pub primary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    pub last_name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Addresses {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billing: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipping: Vec<Address>,
}

impl Addresses {
    pub fn is_empty(&self) -> bool {
        self.billing.is_empty() && self.shipping.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    pub country_code: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XRechnung {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_number_at_customer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EmailAddresses {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub business: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub office: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

impl EmailAddresses {
    pub fn is_empty(&self) -> bool {
        self.business.is_empty()
            && self.office.is_empty()
            && self.private.is_empty()
            && self.other.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.business
            .iter()
            .chain(&self.office)
            .chain(&self.private)
            .chain(&self.other)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PhoneNumbers {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub business: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub office: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mobile: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fax: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

impl PhoneNumbers {
    pub fn is_empty(&self) -> bool {
        self.business.is_empty()
            && self.office.is_empty()
            && self.mobile.is_empty()
            && self.private.is_empty()
            && self.fax.is_empty()
            && self.other.is_empty()
    }
}

impl Contact {
    /// A company contact with no roles yet (chain `.customer()` / `.vendor()`).
    pub fn company(name: &str) -> Contact {
        Contact {
            company: Some(Company {
                name: name.to_string(),
                allow_tax_free_invoices: Some(false),
                ..Company::default()
            }),
            ..Contact::default()
        }
    }

    /// A person contact with no roles yet.
    pub fn person(salutation: Option<&str>, first_name: &str, last_name: &str) -> Contact {
        Contact {
            person: Some(Person {
                salutation: salutation.map(str::to_string),
                first_name: Some(first_name.to_string()),
                last_name: last_name.to_string(),
            }),
            ..Contact::default()
        }
    }

    /// Adds the customer role (number assigned by the store).
    pub fn customer(mut self) -> Contact {
        self.roles.customer.get_or_insert_with(Role::default);
        self
    }

    /// Adds the vendor role (number assigned by the store).
    pub fn vendor(mut self) -> Contact {
        self.roles.vendor.get_or_insert_with(Role::default);
        self
    }

    /// Adds a billing address.
    /// A company's USt-IdNr. (`company.vatRegistrationId`).
    /// A public authority's XRechnung details (Leitweg-ID).
    pub fn with_buyer_reference(mut self, reference: &str) -> Contact {
        self.x_rechnung = Some(XRechnung {
            buyer_reference: Some(reference.to_string()),
            vendor_number_at_customer: Some("K-4711".into()),
        });
        self
    }

    pub fn with_vat_id(mut self, vat_id: &str) -> Contact {
        if let Some(co) = self.company.as_mut() {
            co.vat_registration_id = Some(vat_id.to_string());
        }
        self
    }

    pub fn with_billing_address(
        mut self,
        street: &str,
        zip: &str,
        city: &str,
        country_code: &str,
    ) -> Contact {
        self.addresses.billing.push(Address {
            supplement: None,
            street: Some(street.to_string()),
            zip: Some(zip.to_string()),
            city: Some(city.to_string()),
            country_code: country_code.to_string(),
        });
        self
    }

    /// Adds a shipping address.
    pub fn with_shipping_address(
        mut self,
        street: &str,
        zip: &str,
        city: &str,
        country_code: &str,
    ) -> Contact {
        self.addresses.shipping.push(Address {
            supplement: None,
            street: Some(street.to_string()),
            zip: Some(zip.to_string()),
            city: Some(city.to_string()),
            country_code: country_code.to_string(),
        });
        self
    }

    /// Adds a business e-mail address (call twice for a contact with two, as
    /// after editing in the web app: such a contact cannot be updated by PUT).
    pub fn with_email(mut self, email: &str) -> Contact {
        self.email_addresses.business.push(email.to_string());
        self
    }

    /// Adds a business phone number.
    pub fn with_phone(mut self, phone: &str) -> Contact {
        self.phone_numbers.business.push(phone.to_string());
        self
    }

    /// Sets the note.
    pub fn with_note(mut self, note: &str) -> Contact {
        self.note = Some(note.to_string());
        self
    }

    /// The first list (JSON path) that holds more than one entry, if any:
    /// such a contact can be read but not written through the API
    /// (docs/lexoffice.md › Creating and updating contacts).
    pub fn multi_entry_list(&self) -> Option<&'static str> {
        let persons = self
            .company
            .as_ref()
            .map(|c| c.contact_persons.len())
            .unwrap_or(0);
        let e = &self.email_addresses;
        let p = &self.phone_numbers;
        [
            ("addresses.billing", self.addresses.billing.len()),
            ("addresses.shipping", self.addresses.shipping.len()),
            ("company.contactPersons", persons),
            ("emailAddresses.business", e.business.len()),
            ("emailAddresses.office", e.office.len()),
            ("emailAddresses.private", e.private.len()),
            ("emailAddresses.other", e.other.len()),
            ("phoneNumbers.business", p.business.len()),
            ("phoneNumbers.office", p.office.len()),
            ("phoneNumbers.mobile", p.mobile.len()),
            ("phoneNumbers.private", p.private.len()),
            ("phoneNumbers.fax", p.fax.len()),
            ("phoneNumbers.other", p.other.len()),
        ]
        .into_iter()
        .find(|(_, n)| *n > 1)
        .map(|(k, _)| k)
    }

    /// The name used for sorting and the `name` filter: the company name, or
    /// `"{firstName} {lastName}"` for persons (the form invoices use).
    pub fn display_name(&self) -> String {
        if let Some(c) = &self.company {
            return c.name.clone();
        }
        if let Some(p) = &self.person {
            return match &p.first_name {
                Some(f) if !f.is_empty() => format!("{} {}", f, p.last_name),
                _ => p.last_name.clone(),
            };
        }
        String::new()
    }

    pub fn customer_number(&self) -> Option<u32> {
        self.roles.customer.as_ref().and_then(|r| r.number)
    }

    pub fn vendor_number(&self) -> Option<u32> {
        self.roles.vendor.as_ref().and_then(|r| r.number)
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// What the store keeps about a contact besides its JSON: the dates of the
/// create/update answers (a contact read by `GET` carries none) and, for a
/// contact created through `POST /v1/contacts`, when reads start to see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactMeta {
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// `None` = visible; else `GET /v1/contacts[/{id}]` do not see the
    /// contact before this instant (monotonic clock).
    pub visible_from: Option<Instant>,
}

impl ContactMeta {
    pub fn is_visible(&self, now: Instant) -> bool {
        self.visible_from.is_none_or(|t| now >= t)
    }
}

/// Why [`ContactStore::put_contact`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutError {
    NotFound,
    /// The sent `version` is not the stored one (given).
    Conflict(i64),
    /// The stored contact has more than one entry in this list.
    MultipleEntries(&'static str),
}

#[derive(Debug)]
struct StoreInner {
    organization_id: Uuid,
    contacts: HashMap<Uuid, Contact>,
    meta: HashMap<Uuid, ContactMeta>,
    next_customer: u32,
    next_vendor: u32,
    clock: Option<Arc<Clock>>,
}

impl StoreInner {
    fn now(&self) -> DateTime<Utc> {
        self.clock
            .as_ref()
            .map(|c| c.now())
            .unwrap_or_else(Utc::now)
    }

    fn visible(&self, id: Uuid, now: Instant) -> bool {
        self.meta.get(&id).is_none_or(|m| m.is_visible(now))
    }

    fn assign_numbers(&mut self, c: &mut Contact) {
        if let Some(r) = c.roles.customer.as_mut() {
            match r.number {
                None => {
                    r.number = Some(self.next_customer);
                    self.next_customer += 1;
                }
                Some(n) if n >= self.next_customer => self.next_customer = n + 1,
                Some(_) => {}
            }
        }
        if let Some(r) = c.roles.vendor.as_mut() {
            match r.number {
                None => {
                    r.number = Some(self.next_vendor);
                    self.next_vendor += 1;
                }
                Some(n) if n >= self.next_vendor => self.next_vendor = n + 1,
                Some(_) => {}
            }
        }
    }
}

/// Shared, thread-safe contact store.
#[derive(Debug, Clone)]
pub struct ContactStore {
    inner: Arc<RwLock<StoreInner>>,
}

impl ContactStore {
    pub fn new(organization_id: Uuid) -> Self {
        ContactStore {
            inner: Arc::new(RwLock::new(StoreInner {
                organization_id,
                contacts: HashMap::new(),
                meta: HashMap::new(),
                next_customer: FIRST_CUSTOMER_NUMBER,
                next_vendor: FIRST_VENDOR_NUMBER,
                clock: None,
            })),
        }
    }

    /// Dates (`createdDate`/`updatedDate`) from this clock instead of the
    /// real one (the sandbox passes its shiftable clock).
    pub fn with_clock(self, clock: Arc<Clock>) -> Self {
        self.write().clock = Some(clock);
        self
    }

    fn read(&self) -> RwLockReadGuard<'_, StoreInner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, StoreInner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn organization_id(&self) -> Uuid {
        self.read().organization_id
    }

    /// Stores a contact and returns it as stored. A nil `id` gets a fresh one,
    /// `organizationId` is always the store's, roles without a number get the
    /// next customer (10001…) / vendor (70001…) number. An existing contact with
    /// the same id is replaced.
    pub fn add_contact(&self, mut contact: Contact) -> Contact {
        let mut inner = self.write();
        if contact.id.is_nil() {
            contact.id = Uuid::new_v4();
        }
        contact.organization_id = inner.organization_id;
        inner.assign_numbers(&mut contact);
        let now = inner.now();
        inner.meta.insert(
            contact.id,
            ContactMeta {
                created: now,
                updated: now,
                visible_from: None,
            },
        );
        inner.contacts.insert(contact.id, contact.clone());
        contact
    }

    /// Stores a contact as `POST /v1/contacts` does: fresh id, numbers sent
    /// are ignored (every role gets the next number), `version` 1, archived
    /// false, and reads do not see it before `visible_from` (`None` = at once).
    pub fn create_contact(
        &self,
        mut contact: Contact,
        visible_from: Option<Instant>,
    ) -> (Contact, ContactMeta) {
        let mut inner = self.write();
        contact.id = Uuid::new_v4();
        contact.organization_id = inner.organization_id;
        contact.version = 1;
        contact.archived = false;
        for role in [&mut contact.roles.customer, &mut contact.roles.vendor]
            .into_iter()
            .flatten()
        {
            role.number = None;
        }
        inner.assign_numbers(&mut contact);
        let now = inner.now();
        let meta = ContactMeta {
            created: now,
            updated: now,
            visible_from,
        };
        inner.meta.insert(contact.id, meta.clone());
        inner.contacts.insert(contact.id, contact.clone());
        (contact, meta)
    }

    /// Replaces a contact as `PUT /v1/contacts/{id}` does (the body already
    /// validated): `version` must be the stored one, the stored contact must
    /// have at most one entry per list. Kept from the stored contact: id,
    /// organisation, `archived`, every role it has (with its number, even
    /// when the body leaves the role out); a role new in the body gets the
    /// next number. `version + 1`, new `updatedDate`.
    pub fn put_contact(
        &self,
        id: Uuid,
        mut contact: Contact,
        version: i64,
    ) -> Result<(Contact, ContactMeta), PutError> {
        let mut inner = self.write();
        let stored = inner.contacts.get(&id).ok_or(PutError::NotFound)?.clone();
        if stored.version != version {
            return Err(PutError::Conflict(stored.version));
        }
        if let Some(list) = stored.multi_entry_list() {
            return Err(PutError::MultipleEntries(list));
        }
        contact.id = id;
        contact.organization_id = inner.organization_id;
        contact.archived = stored.archived;
        contact.version = stored.version + 1;
        contact.roles.customer = match (stored.roles.customer, contact.roles.customer) {
            (Some(kept), _) => Some(kept),
            (None, Some(_)) => Some(Role::default()),
            (None, None) => None,
        };
        contact.roles.vendor = match (stored.roles.vendor, contact.roles.vendor) {
            (Some(kept), _) => Some(kept),
            (None, Some(_)) => Some(Role::default()),
            (None, None) => None,
        };
        inner.assign_numbers(&mut contact);
        let now = inner.now();
        let meta = inner.meta.entry(id).or_insert(ContactMeta {
            created: now,
            updated: now,
            visible_from: None,
        });
        meta.updated = now;
        let meta = meta.clone();
        inner.contacts.insert(id, contact.clone());
        Ok((contact, meta))
    }

    /// Dates and visibility of a stored contact.
    pub fn meta(&self, id: Uuid) -> Option<ContactMeta> {
        self.read().meta.get(&id).cloned()
    }

    /// Whether `GET /v1/contacts[/{id}]` see the contact now (`false` for an
    /// unknown id).
    pub fn is_visible(&self, id: Uuid) -> bool {
        let inner = self.read();
        inner.contacts.contains_key(&id) && inner.visible(id, Instant::now())
    }

    /// Ends the visibility delay of one contact at once. `false` if unknown.
    pub fn reveal(&self, id: Uuid) -> bool {
        match self.write().meta.get_mut(&id) {
            Some(m) => {
                m.visible_from = None;
                true
            }
            None => false,
        }
    }

    /// Like [`ContactStore::get`], but `None` for a contact still within its
    /// visibility delay (what `GET /v1/contacts/{id}` sees).
    pub fn get_visible(&self, id: Uuid) -> Option<Contact> {
        let inner = self.read();
        if !inner.visible(id, Instant::now()) {
            return None;
        }
        inner.contacts.get(&id).cloned()
    }

    /// Changes a contact in place and bumps its `version` (optimistic locking).
    /// `id` and `organizationId` cannot be changed; newly added roles get numbers.
    pub fn update_contact(&self, id: Uuid, change: impl FnOnce(&mut Contact)) -> Option<Contact> {
        let mut inner = self.write();
        let mut contact = inner.contacts.get(&id)?.clone();
        let version = contact.version;
        change(&mut contact);
        contact.id = id;
        contact.organization_id = inner.organization_id;
        contact.version = version + 1;
        inner.assign_numbers(&mut contact);
        let now = inner.now();
        let meta = inner.meta.entry(id).or_insert(ContactMeta {
            created: now,
            updated: now,
            visible_from: None,
        });
        meta.updated = now;
        inner.contacts.insert(id, contact.clone());
        Some(contact)
    }

    /// Marks a contact archived (bumps `version`). Archived contacts are still
    /// listed, as in the real API.
    pub fn archive(&self, id: Uuid) -> Option<Contact> {
        self.update_contact(id, |c| c.archived = true)
    }

    /// Deletes a contact (the real API cannot; this simulates one vanishing).
    pub fn remove(&self, id: Uuid) -> Option<Contact> {
        let mut inner = self.write();
        inner.meta.remove(&id);
        inner.contacts.remove(&id)
    }

    pub fn get(&self, id: Uuid) -> Option<Contact> {
        self.read().contacts.get(&id).cloned()
    }

    pub fn len(&self) -> usize {
        self.read().contacts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All contacts in API order (name, case-insensitive, then id), also
    /// those still within their visibility delay.
    pub fn all(&self) -> Vec<Contact> {
        let (items, _) = self.query(|_| true, 0, usize::MAX);
        items
    }

    /// Like [`ContactStore::query`] over the contacts reads see now (what
    /// `GET /v1/contacts` lists).
    pub fn query_visible(
        &self,
        keep: impl Fn(&Contact) -> bool,
        page: usize,
        size: usize,
    ) -> (Vec<Contact>, usize) {
        let now = Instant::now();
        let hidden: Vec<Uuid> = {
            let inner = self.read();
            inner
                .meta
                .iter()
                .filter(|(_, m)| !m.is_visible(now))
                .map(|(id, _)| *id)
                .collect()
        };
        self.query(|c| !hidden.contains(&c.id) && keep(c), page, size)
    }

    /// Filters, sorts (name case-insensitive ascending, then id) and returns the
    /// requested page plus the total number of matches.
    pub fn query(
        &self,
        keep: impl Fn(&Contact) -> bool,
        page: usize,
        size: usize,
    ) -> (Vec<Contact>, usize) {
        let inner = self.read();
        let mut matched: Vec<(String, &Contact)> = inner
            .contacts
            .values()
            .filter(|c| keep(c))
            .map(|c| (c.display_name().to_lowercase(), c))
            .collect();
        matched.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let total = matched.len();
        let start = page.saturating_mul(size);
        let items = if start >= total {
            Vec::new()
        } else {
            matched[start..]
                .iter()
                .take(size)
                .map(|(_, c)| (*c).clone())
                .collect()
        };
        (items, total)
    }
}

/// `taxType` values of a profile (docs/lexoffice.md › Profile and taxes).
pub const PROFILE_TAX_TYPES: &[&str] = &["net", "gross", "vatfree"];

/// The organisation behind the API key (`GET /v1/profile`, docs/lexoffice.md › Profile and taxes).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub organization_id: Uuid,
    pub company_name: String,
    pub user_id: Uuid,
    pub user_name: String,
    pub user_email: String,
    /// Already formatted as `yyyy-MM-ddTHH:mm:ss.SSSXXX`.
    pub created_date: String,
    pub connection_id: Uuid,
    pub features: Vec<String>,
    pub business_features: Vec<String>,
    pub subscription_status: String,
    pub tax_type: String,
    pub small_business: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileCreated {
    pub user_id: Uuid,
    pub user_name: String,
    pub user_email: String,
    pub date: String,
}

/// `GET /v1/profile` body, fields in the order of the docs' sample.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileWire {
    pub organization_id: Uuid,
    pub company_name: String,
    pub created: ProfileCreated,
    pub connection_id: Uuid,
    pub features: Vec<String>,
    pub business_features: Vec<String>,
    pub subscription_status: String,
    pub tax_type: String,
    pub small_business: bool,
}

impl Profile {
    pub fn to_wire(&self) -> ProfileWire {
        ProfileWire {
            organization_id: self.organization_id,
            company_name: self.company_name.clone(),
            created: ProfileCreated {
                user_id: self.user_id,
                user_name: self.user_name.clone(),
                user_email: self.user_email.clone(),
                date: self.created_date.clone(),
            },
            connection_id: self.connection_id,
            features: self.features.clone(),
            business_features: self.business_features.clone(),
            subscription_status: self.subscription_status.clone(),
            tax_type: self.tax_type.clone(),
            small_business: self.small_business,
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.to_wire()).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_versions_archive_remove() {
        let store = ContactStore::new(Uuid::nil());
        let a = store.add_contact(Contact::company("Beta GmbH").customer());
        let b = store.add_contact(
            Contact::person(Some("Frau"), "Anna", "Alt")
                .customer()
                .vendor(),
        );
        let v = store.add_contact(Contact::company("Lieferant AG").vendor());
        assert_eq!(a.customer_number(), Some(10001));
        assert_eq!(b.customer_number(), Some(10002));
        assert_eq!(b.vendor_number(), Some(70001));
        assert_eq!(v.vendor_number(), Some(70002));
        assert_eq!(v.customer_number(), None);

        let a2 = store
            .update_contact(a.id, |c| {
                if let Some(co) = c.company.as_mut() {
                    co.name = "Beta Neu GmbH".into();
                }
                c.version = 99; // ignored
            })
            .unwrap();
        assert_eq!(a2.version, a.version + 1);
        assert_eq!(a2.display_name(), "Beta Neu GmbH");
        let a3 = store.archive(a.id).unwrap();
        assert!(a3.archived);
        assert_eq!(a3.version, a.version + 2);
        assert!(store.update_contact(Uuid::new_v4(), |_| {}).is_none());

        let names: Vec<String> = store.all().iter().map(Contact::display_name).collect();
        assert_eq!(names, ["Anna Alt", "Beta Neu GmbH", "Lieferant AG"]);
        assert!(store.remove(b.id).is_some());
        assert_eq!(store.len(), 2);
        assert!(store.get(b.id).is_none());
    }

    #[test]
    fn create_hidden_then_put() {
        let store = ContactStore::new(Uuid::nil());
        let mut sent = Contact::company("Neu GmbH").customer();
        sent.roles.customer = Some(Role { number: Some(5) });
        let later = Instant::now() + std::time::Duration::from_secs(60);
        let (c, meta) = store.create_contact(sent, Some(later));
        assert_eq!((c.version, c.customer_number()), (1, Some(10001)));
        assert!(!store.is_visible(c.id) && store.get_visible(c.id).is_none());
        assert_eq!(store.query_visible(|_| true, 0, 25).1, 0);
        assert_eq!(store.all().len(), 1);
        assert_eq!(meta.created, meta.updated);

        let mut body = Contact::company("Neu AG").vendor();
        assert_eq!(
            store.put_contact(c.id, body.clone(), 0),
            Err(PutError::Conflict(1))
        );
        body.archived = true;
        let (p, m2) = store.put_contact(c.id, body, 1).unwrap();
        assert_eq!(p.version, 2);
        assert_eq!(p.customer_number(), Some(10001), "kept although left out");
        assert_eq!(p.vendor_number(), Some(70001));
        assert!(!p.archived, "archived is read-only");
        assert_eq!(m2.created, meta.created);
        assert!(store.reveal(c.id) && store.is_visible(c.id));
        assert_eq!(
            store.put_contact(Uuid::new_v4(), Contact::company("X"), 0),
            Err(PutError::NotFound)
        );

        let two = store.add_contact(
            Contact::company("Zwei")
                .customer()
                .with_phone("1")
                .with_phone("2"),
        );
        assert_eq!(two.multi_entry_list(), Some("phoneNumbers.business"));
        assert_eq!(
            store.put_contact(two.id, Contact::company("Zwei").customer(), 0),
            Err(PutError::MultipleEntries("phoneNumbers.business"))
        );
    }

    #[test]
    fn explicit_numbers_advance_counter() {
        let store = ContactStore::new(Uuid::nil());
        let mut c = Contact::company("X").customer();
        c.roles.customer = Some(Role {
            number: Some(10500),
        });
        store.add_contact(c);
        let next = store.add_contact(Contact::company("Y").customer());
        assert_eq!(next.customer_number(), Some(10501));
    }

    #[test]
    fn json_shape_omits_absent_parts() {
        let store = ContactStore::new(Uuid::nil());
        let c = store.add_contact(Contact::person(None, "Max", "Muster").customer());
        let j = c.to_json();
        assert_eq!(j["roles"]["customer"]["number"], 10001);
        assert!(j.get("company").is_none());
        assert!(j.get("addresses").is_none());
        assert_eq!(j["person"]["lastName"], "Muster");
        assert_eq!(j["archived"], false);
        assert_eq!(j["version"], 0);
        let back: Contact = serde_json::from_value(j).unwrap();
        assert_eq!(back, c);
    }
}
