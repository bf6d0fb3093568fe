//! The lexoffice contact a customer becomes (docs/lexoffice.md › Creating and
//! updating contacts). Pure: no I/O, no Tauri.
//!
//! - `new_contact`: the body of `POST /v1/contacts` — `version` 0, role
//!   customer, company or person, exactly one billing address, at most one
//!   entry per list, the VAT id only when it has a valid shape.
//! - `apply_to`: the body of `PUT /v1/contacts/{id}` — the contact as lexoffice
//!   sent it, with only the fields the app manages replaced.
//! - `differences`: what lexoffice has differently, field by field, in German.

use serde_json::{json, Map, Value};

use crate::lexoffice::Contact;
use crate::storage::{Customer, CustomerKind};

/// The body plus what the user should know about it (e.g. a VAT id left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    pub body: Value,
    pub notes: Vec<String>,
}

/// The VAT id without spaces, upper case.
pub fn normalised_vat_id(v: &str) -> String {
    v.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// Two letters (country) and 2..13 letters or digits, e.g. `DE123456789`.
pub fn vat_id_shape_ok(v: &str) -> bool {
    let v = normalised_vat_id(v);
    let b = v.as_bytes();
    b.len() >= 4
        && b.len() <= 15
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_alphanumeric)
}

/// "Hans Peter Müller" → (Some("Hans Peter"), "Müller"); one word is the last name.
pub fn split_name(full: &str) -> (Option<String>, String) {
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.split_last() {
        None => (None, String::new()),
        Some((last, [])) => (None, (*last).to_string()),
        Some((last, first)) => (Some(first.join(" ")), (*last).to_string()),
    }
}

fn vat_note_invalid(v: &str) -> String {
    format!(
        "Die USt-IdNr. „{}“ wurde nicht an lexoffice übertragen, weil sie nicht die Form einer USt-IdNr. hat (zwei Buchstaben und 2 bis 13 Ziffern oder Buchstaben, z. B. DE123456789).",
        v.trim()
    )
}

const VAT_NOTE_PERSON: &str =
    "Die USt-IdNr. wurde nicht übertragen: lexoffice führt sie nur bei Firmen.";

fn billing(c: &Customer) -> Value {
    let a = &c.address;
    let mut m = Map::new();
    for (k, v) in [
        ("supplement", &a.supplement),
        ("street", &a.street),
        ("zip", &a.zip),
        ("city", &a.city),
    ] {
        if !v.trim().is_empty() {
            m.insert(k.into(), Value::String(v.trim().to_string()));
        }
    }
    let cc = if a.country_code.trim().is_empty() {
        "DE".to_string()
    } else {
        a.country_code.trim().to_uppercase()
    };
    m.insert("countryCode".into(), Value::String(cc));
    Value::Object(m)
}

fn person_json(first: Option<String>, last: String) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(f) = first {
        m.insert("firstName".into(), Value::String(f));
    }
    m.insert("lastName".into(), Value::String(last));
    m
}

/// `POST /v1/contacts` for a customer typed in here.
pub fn new_contact(c: &Customer) -> Built {
    let mut notes = Vec::new();
    let mut body = json!({
        "version": 0,
        "roles": { "customer": {} },
        "addresses": { "billing": [billing(c)] },
    });
    let vat = normalised_vat_id(&c.vat_id);
    match c.kind {
        CustomerKind::Company => {
            let mut co = Map::new();
            co.insert("name".into(), Value::String(c.name.trim().to_string()));
            // A Steuerart other than Standard bills without German VAT: the
            // contact must allow tax-free invoices (docs/lexoffice.md ›
            // Tax-free invoices and the contact).
            if c.tax.case != crate::storage::TaxCase::Standard {
                co.insert("allowTaxFreeInvoices".into(), Value::Bool(true));
            }
            if !vat.is_empty() {
                if vat_id_shape_ok(&vat) {
                    co.insert("vatRegistrationId".into(), Value::String(vat));
                } else {
                    notes.push(vat_note_invalid(&c.vat_id));
                }
            }
            let (first, last) = split_name(&c.contact_person);
            if !last.is_empty() {
                let mut p = person_json(first, last);
                p.insert("primary".into(), Value::Bool(true));
                co.insert(
                    "contactPersons".into(),
                    Value::Array(vec![Value::Object(p)]),
                );
            }
            body["company"] = Value::Object(co);
        }
        CustomerKind::Person => {
            let (first, last) = split_name(&c.name);
            body["person"] = Value::Object(person_json(first, last));
            if !vat.is_empty() {
                notes.push(VAT_NOTE_PERSON.into());
            }
        }
    }
    if !c.email.trim().is_empty() {
        body["emailAddresses"] = json!({ "business": [c.email.trim()] });
    }
    if !c.phone.trim().is_empty() {
        body["phoneNumbers"] = json!({ "business": [c.phone.trim()] });
    }
    Built { body, notes }
}

/// Import order of the lists (see `import::from_contact`): the entry shown as
/// the customer's e-mail / phone comes from the first non-empty one.
const EMAIL_ORDER: &[&str] = &["business", "office", "private", "other"];
const PHONE_ORDER: &[&str] = &["business", "office", "mobile", "private", "other"];

/// Puts `value` where the import read it from: unchanged when lexoffice
/// already has it in any list, else it replaces the entry the import showed
/// (or goes into `business`); an empty value removes that entry.
fn put_list_value(root: &mut Map<String, Value>, key: &str, order: &[&str], value: &str) {
    let value = value.trim();
    let lists = root
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !lists.is_object() {
        *lists = Value::Object(Map::new());
    }
    let lists = lists.as_object_mut().expect("object");
    let has = |v: &Value| {
        v.as_array()
            .is_some_and(|a| a.iter().any(|e| e.as_str().map(str::trim) == Some(value)))
    };
    if !value.is_empty() && lists.values().any(has) {
        return;
    }
    let source = order
        .iter()
        .chain(lists.keys().map(String::as_str).collect::<Vec<_>>().iter())
        .find_map(|k| {
            let a = lists.get(*k)?.as_array()?;
            let i = a
                .iter()
                .position(|e| e.as_str().is_some_and(|s| !s.trim().is_empty()))?;
            Some((k.to_string(), i))
        });
    match (source, value.is_empty()) {
        (Some((k, i)), true) => {
            if let Some(a) = lists.get_mut(&k).and_then(Value::as_array_mut) {
                a.remove(i);
            }
        }
        (Some((k, i)), false) => {
            if let Some(a) = lists.get_mut(&k).and_then(Value::as_array_mut) {
                a[i] = Value::String(value.to_string());
            }
        }
        (None, true) => {}
        (None, false) => {
            lists.insert("business".into(), json!([value]));
        }
    }
    if lists.is_empty() {
        root.remove(key);
    }
}

/// `PUT /v1/contacts/{id}`: `current` is the contact as lexoffice sent it.
/// Replaced: name, first contact person's name, first billing address, the
/// shown e-mail and phone, the VAT id (when valid); kept: everything else
/// (further contact persons, shipping addresses, other lists, note,
/// xRechnung, roles with their numbers). Sent with `version`.
pub fn apply_to(current: &Value, c: &Customer, version: i64) -> Built {
    let mut notes = Vec::new();
    let mut root = current.as_object().cloned().unwrap_or_default();
    root.insert("version".into(), Value::from(version));
    if !root.get("roles").is_some_and(Value::is_object) {
        root.insert("roles".into(), json!({ "customer": {} }));
    }
    let vat = normalised_vat_id(&c.vat_id);
    if let Some(co) = root.get_mut("company").and_then(Value::as_object_mut) {
        co.insert("name".into(), Value::String(c.name.trim().to_string()));
        if c.tax.case != crate::storage::TaxCase::Standard {
            co.insert("allowTaxFreeInvoices".into(), Value::Bool(true));
        }
        if vat.is_empty() {
            co.remove("vatRegistrationId");
        } else if vat_id_shape_ok(&vat) {
            co.insert("vatRegistrationId".into(), Value::String(vat));
        } else {
            notes.push(vat_note_invalid(&c.vat_id));
        }
        let (first, last) = split_name(&c.contact_person);
        let persons = co
            .entry("contactPersons")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !persons.is_array() {
            *persons = Value::Array(Vec::new());
        }
        let persons = persons.as_array_mut().expect("array");
        // The one the import showed: the primary one, else the first.
        let shown = persons
            .iter()
            .position(|p| p.get("primary").and_then(Value::as_bool) == Some(true))
            .or(if persons.is_empty() { None } else { Some(0) });
        match (shown, last.is_empty()) {
            (Some(i), true) => {
                persons.remove(i);
            }
            (Some(i), false) => {
                if let Some(p) = persons[i].as_object_mut() {
                    match first {
                        Some(f) => p.insert("firstName".into(), Value::String(f)),
                        None => p.remove("firstName"),
                    };
                    p.insert("lastName".into(), Value::String(last));
                }
            }
            (None, true) => {}
            (None, false) => {
                let mut p = person_json(first, last);
                p.insert("primary".into(), Value::Bool(true));
                persons.push(Value::Object(p));
            }
        }
        if persons.is_empty() {
            co.remove("contactPersons");
        }
    } else {
        let (first, last) = split_name(&c.name);
        let p = root
            .entry("person")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(p) = p.as_object_mut() {
            match first {
                Some(f) => p.insert("firstName".into(), Value::String(f)),
                None => p.remove("firstName"),
            };
            p.insert("lastName".into(), Value::String(last));
        }
        if !vat.is_empty() {
            notes.push(VAT_NOTE_PERSON.into());
        }
    }
    let addresses = root
        .entry("addresses")
        .or_insert_with(|| Value::Object(Map::new()));
    if !addresses.is_object() {
        *addresses = Value::Object(Map::new());
    }
    let list = addresses
        .as_object_mut()
        .expect("object")
        .entry("billing")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let list = list.as_array_mut().expect("array");
    if list.is_empty() {
        list.push(billing(c));
    } else {
        list[0] = billing(c);
    }
    put_list_value(&mut root, "emailAddresses", EMAIL_ORDER, &c.email);
    put_list_value(&mut root, "phoneNumbers", PHONE_ORDER, &c.phone);
    Built {
        body: Value::Object(root),
        notes,
    }
}

/// One field where lexoffice and the app disagree.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub field: &'static str,
    pub lexoffice: String,
    pub here: String,
    /// „Straße: in lexoffice „Hafenweg 9“, hier „Hafenweg 7““
    pub text: String,
}

fn shown(v: &str) -> String {
    if v.trim().is_empty() {
        "(leer)".into()
    } else {
        format!("„{}“", v.trim())
    }
}

/// The managed fields where `lex` (a customer read from the contact) and `here` differ.
pub fn differences(lex: &Customer, here: &Customer) -> Vec<Difference> {
    let pairs: [(&'static str, &str, &str); 10] = [
        ("Name", &lex.name, &here.name),
        ("Ansprechpartner", &lex.contact_person, &here.contact_person),
        (
            "Adresszusatz",
            &lex.address.supplement,
            &here.address.supplement,
        ),
        ("Straße", &lex.address.street, &here.address.street),
        ("PLZ", &lex.address.zip, &here.address.zip),
        ("Ort", &lex.address.city, &here.address.city),
        (
            "Land",
            &lex.address.country_code,
            &here.address.country_code,
        ),
        ("E-Mail", &lex.email, &here.email),
        ("Telefon", &lex.phone, &here.phone),
        ("USt-IdNr.", &lex.vat_id, &here.vat_id),
    ];
    pairs
        .into_iter()
        .filter(|(f, a, b)| {
            if *f == "USt-IdNr." {
                normalised_vat_id(a) != normalised_vat_id(b)
            } else {
                a.trim() != b.trim()
            }
        })
        .map(|(field, a, b)| Difference {
            field,
            lexoffice: a.trim().to_string(),
            here: b.trim().to_string(),
            text: format!("{field}: in lexoffice {}, hier {}", shown(a), shown(b)),
        })
        .collect()
}

/// The first list lexoffice refused because it holds more than one entry,
/// in German („E-Mail-Adressen (geschäftlich)“).
pub fn list_label(source: &str) -> Option<&'static str> {
    let base = source.split('[').next().unwrap_or(source);
    Some(match base {
        "addresses.billing" => "Rechnungsadressen",
        "addresses.shipping" => "Lieferadressen",
        "company.contactPersons" => "Ansprechpartner",
        "emailAddresses.business" => "E-Mail-Adressen (geschäftlich)",
        "emailAddresses.office" => "E-Mail-Adressen (Büro)",
        "emailAddresses.private" => "E-Mail-Adressen (privat)",
        "emailAddresses.other" => "E-Mail-Adressen (weitere)",
        "phoneNumbers.business" => "Telefonnummern (geschäftlich)",
        "phoneNumbers.office" => "Telefonnummern (Büro)",
        "phoneNumbers.mobile" => "Telefonnummern (mobil)",
        "phoneNumbers.private" => "Telefonnummern (privat)",
        "phoneNumbers.fax" => "Faxnummern",
        "phoneNumbers.other" => "Telefonnummern (weitere)",
        _ => return None,
    })
}

/// A contact field lexoffice refused, in German („USt-IdNr.“, „PLZ“).
pub fn field_label(source: &str) -> Option<&'static str> {
    let last = source.rsplit('.').next().unwrap_or(source);
    let base = source.split('[').next().unwrap_or(source);
    Some(match (base, last) {
        ("company.vatRegistrationId", _) => "USt-IdNr.",
        ("company.taxNumber", _) => "Steuernummer",
        ("company.name", _) => "Name",
        ("person.lastName", _) | (_, "lastName") => "Nachname",
        ("person.firstName", _) | (_, "firstName") => "Vorname",
        ("person.salutation", _) | (_, "salutation") => "Anrede",
        (b, _) if b.starts_with("phoneNumbers") => "Telefon",
        (b, _) if b.starts_with("emailAddresses") => "E-Mail",
        (_, "zip") => "PLZ",
        (_, "city") => "Ort",
        (_, "street") => "Straße",
        (_, "countryCode") => "Land",
        (_, "supplement") => "Adresszusatz",
        _ => return None,
    })
}

/// The shape the import gives a contact, for comparing (see `import::from_contact`).
pub fn as_customer(contact: &Contact) -> Customer {
    super::import::from_contact(contact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Address, Source};

    fn customer(kind: CustomerKind, name: &str) -> Customer {
        let now = crate::de::clock::now();
        Customer {
            id: 1,
            lexoffice_id: None,
            lexoffice_version: None,
            number: "K-1".into(),
            kind,
            name: name.into(),
            contact_person: String::new(),
            address: Address {
                supplement: String::new(),
                street: "Hafenweg 7".into(),
                zip: "24103".into(),
                city: "Kiel".into(),
                country_code: "DE".into(),
            },
            email: "rechnung@nordlicht.example".into(),
            phone: "0431 12345".into(),
            archived: false,
            source: Source::Manual,
            missing_in_lexoffice: false,
            billing_addresses: None,
            last_imported_at: None,
            hourly_rate: None,
            rules: Default::default(),
            invoice_style: None,
            tax: Default::default(),
            vat_id: String::new(),
            buyer_reference: String::new(),
            changed_in_app: false,
            push_unclear_since: None,
            lexoffice_base: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn vat_id_shapes() {
        for ok in [
            "DE123456789",
            "de 123 456 789",
            "ATU12345678",
            "FR12345678901",
            "NL123456789B01",
            "XI12",
        ] {
            assert!(vat_id_shape_ok(ok), "{ok}");
        }
        for bad in [
            "",
            "DE",
            "DE1",
            "123456789",
            "D1234",
            "DE12345678901234",
            "DE-123456",
            "ÄÖ1234",
        ] {
            assert!(!vat_id_shape_ok(bad), "{bad}");
        }
        assert_eq!(normalised_vat_id(" de 123 "), "DE123");
    }

    #[test]
    fn company_json_as_the_reference_says() {
        let mut c = customer(CustomerKind::Company, "Nordlicht Software GmbH");
        c.contact_person = "Ole Hansen".into();
        c.vat_id = "de811111111".into();
        let b = new_contact(&c);
        assert!(b.notes.is_empty());
        assert_eq!(
            b.body,
            json!({
                "version": 0,
                "roles": {"customer": {}},
                "company": {
                    "name": "Nordlicht Software GmbH",
                    "vatRegistrationId": "DE811111111",
                    "contactPersons": [{"firstName": "Ole", "lastName": "Hansen", "primary": true}]
                },
                "addresses": {"billing": [{"street": "Hafenweg 7", "zip": "24103", "city": "Kiel", "countryCode": "DE"}]},
                "emailAddresses": {"business": ["rechnung@nordlicht.example"]},
                "phoneNumbers": {"business": ["0431 12345"]}
            })
        );
        // A tax-free Steuerart: the contact allows tax-free invoices.
        c.tax.case = crate::storage::TaxCase::EuService;
        let b = new_contact(&c);
        assert_eq!(b.body["company"]["allowTaxFreeInvoices"], json!(true));
        c.tax.case = crate::storage::TaxCase::Standard;
        assert!(new_contact(&c).body["company"]
            .get("allowTaxFreeInvoices")
            .is_none());
    }

    #[test]
    fn person_json_and_invalid_vat_left_out() {
        let mut c = customer(CustomerKind::Person, "Hans Peter Müller");
        c.email.clear();
        c.phone.clear();
        c.address = Address::default();
        let b = new_contact(&c);
        assert_eq!(
            b.body,
            json!({
                "version": 0,
                "roles": {"customer": {}},
                "person": {"firstName": "Hans Peter", "lastName": "Müller"},
                "addresses": {"billing": [{"countryCode": "DE"}]}
            })
        );
        let mut co = customer(CustomerKind::Company, "Firma");
        co.vat_id = "123-456".into();
        let b = new_contact(&co);
        assert!(b.body["company"].get("vatRegistrationId").is_none());
        assert_eq!(b.notes.len(), 1);
        assert!(b.notes[0].contains("„123-456“"), "{:?}", b.notes);
    }

    #[test]
    fn put_body_keeps_what_the_app_does_not_manage() {
        let current = json!({
            "id": "x", "version": 4, "roles": {"customer": {"number": 10042}},
            "company": {"name": "Alt GmbH", "vatRegistrationId": "DE811111111", "taxNumber": "12/345",
                        "contactPersons": [{"salutation": "Herr", "firstName": "Ole", "lastName": "Hansen", "primary": true, "emailAddress": "ole@x.example"}]},
            "addresses": {"billing": [{"street": "Alt 1", "zip": "24103", "city": "Kiel", "countryCode": "DE"}],
                          "shipping": [{"street": "Lager 2", "countryCode": "DE"}]},
            "emailAddresses": {"office": ["alt@x.example"], "other": ["noch@x.example"]},
            "phoneNumbers": {"fax": ["0431 9"]},
            "note": "wichtig", "xRechnung": {"buyerReference": "04011000-1234512345-06", "vendorNumberAtCustomer": "7"},
            "archived": false
        });
        let mut c = customer(CustomerKind::Company, "Neu GmbH");
        c.contact_person = "Ole Jensen".into();
        c.vat_id = "DE811111111".into();
        c.phone = "0431 9".into();
        let b = apply_to(&current, &c, 4);
        let v = &b.body;
        assert_eq!(v["version"], 4);
        assert_eq!(v["roles"]["customer"]["number"], 10042);
        assert_eq!(v["company"]["name"], "Neu GmbH");
        assert_eq!(v["company"]["taxNumber"], "12/345");
        assert_eq!(v["company"]["contactPersons"][0]["lastName"], "Jensen");
        assert_eq!(v["company"]["contactPersons"][0]["salutation"], "Herr");
        assert_eq!(
            v["company"]["contactPersons"][0]["emailAddress"],
            "ole@x.example"
        );
        assert_eq!(v["addresses"]["billing"][0]["street"], "Hafenweg 7");
        assert_eq!(v["addresses"]["shipping"][0]["street"], "Lager 2");
        // The e-mail the import showed (office) is replaced; the other stays.
        assert_eq!(
            v["emailAddresses"]["office"],
            json!(["rechnung@nordlicht.example"])
        );
        assert_eq!(v["emailAddresses"]["other"], json!(["noch@x.example"]));
        assert!(v["emailAddresses"].get("business").is_none());
        // The phone shown is the fax (the import's fallback), unchanged here.
        assert_eq!(v["phoneNumbers"]["fax"], json!(["0431 9"]));
        assert_eq!(v["note"], "wichtig");
        assert_eq!(v["xRechnung"]["vendorNumberAtCustomer"], "7");
    }

    #[test]
    fn differences_in_german() {
        let a = customer(CustomerKind::Company, "A");
        let mut b = a.clone();
        b.address.street = "Hafenweg 9".into();
        b.email.clear();
        let d = differences(&b, &a);
        assert_eq!(
            d.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(),
            [
                "Straße: in lexoffice „Hafenweg 9“, hier „Hafenweg 7“",
                "E-Mail: in lexoffice (leer), hier „rechnung@nordlicht.example“"
            ]
        );
        assert_eq!(
            list_label("emailAddresses.business"),
            Some("E-Mail-Adressen (geschäftlich)")
        );
        assert_eq!(list_label("company.name"), None);
    }
}
