//! Kunden: the customer list, details, manual customers. Tauri-free.

pub mod contact_json;
pub mod countries;
pub mod delete;
pub mod import;
pub mod push;
mod tax;
pub mod vat_id;

pub use tax::*;

use serde::{Deserialize, Serialize};

use crate::core::{blocking, Core};
use crate::error::{AppError, AppResult};
use crate::storage::{Address, Customer, CustomerKind, Source};

/// One row of the Kunden list.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRow {
    pub id: u64,
    pub number: String,
    pub name: String,
    pub contact_person: String,
    pub city: String,
    pub email: String,
    /// "lexoffice" or "manuell"
    pub source: &'static str,
    pub archived: bool,
    pub missing_in_lexoffice: bool,
}

fn source_label(s: Source) -> &'static str {
    match s {
        Source::Lexoffice => "lexoffice",
        Source::Manual => "manuell",
    }
}

impl From<&Customer> for CustomerRow {
    fn from(c: &Customer) -> Self {
        CustomerRow {
            id: c.id,
            number: c.number.clone(),
            name: c.name.clone(),
            contact_person: c.contact_person.clone(),
            city: c.address.city.clone(),
            email: c.email.clone(),
            source: source_label(c.source),
            archived: c.archived,
            missing_in_lexoffice: c.missing_in_lexoffice,
        }
    }
}

/// Numbers sort numerically when they are numbers, then by name.
fn sort_rows(rows: &mut [CustomerRow]) {
    rows.sort_by(|a, b| {
        let na = a.number.parse::<u64>().ok();
        let nb = b.number.parse::<u64>().ok();
        match (na, nb) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.number.cmp(&b.number),
        }
        .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        .then(a.id.cmp(&b.id))
    });
}

/// All customers for the list (archived ones included: the UI's switch filters).
pub async fn list(core: &Core) -> AppResult<Vec<CustomerRow>> {
    let store = core.store.clone();
    blocking(move || {
        let mut rows: Vec<CustomerRow> = store.customers()?.iter().map(CustomerRow::from).collect();
        sort_rows(&mut rows);
        Ok(rows)
    })
    .await
}

/// The detail view of one customer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub customer: Customer,
    /// de-DE for the input field, e.g. "85,50".
    pub hourly_rate_display: Option<String>,
    pub source_label: &'static str,
    /// "26.11.2026 14:03" (Europe/Berlin)
    pub last_imported: Option<String>,
    /// Can a draft invoice be sent for this customer?
    pub invoiceable: bool,
    /// Why not, in one German sentence.
    pub notice: Option<String>,
    /// „Steuerart“: the choices and the current one (`TaxCase::key`).
    pub tax_cases: Vec<TaxCaseChoice>,
    pub tax_case_key: &'static str,
    /// What the contact's country and VAT id suggest, when it differs: shown
    /// with „Übernehmen“, never applied by itself.
    pub tax_suggestion: Option<TaxSuggestion>,
    /// „USt-IdNr. FR12345678901“ or „keine USt-IdNr. in lexoffice“.
    pub vat_id_display: String,
    /// „In lexoffice anlegen“ is offered (a customer typed in here).
    pub can_create_in_lexoffice: bool,
    /// „In lexoffice aktualisieren“ is offered (linked, edited here since).
    pub can_update_in_lexoffice: bool,
    /// Why the update is offered, in one sentence.
    pub changed_hint: Option<String>,
    /// Sent back with „Speichern“: refused if the customer changed meanwhile.
    pub version: String,
}

pub fn detail_of(c: Customer) -> CustomerDetail {
    let notice = if c.lexoffice_id.is_none() {
        Some("Manuell angelegt: Für diesen Kunden kann noch keine lexoffice-Rechnung erstellt werden. Mit „In lexoffice anlegen“ wird er in lexoffice angelegt und verknüpft.".to_string())
    } else if c.missing_in_lexoffice {
        Some("Dieser Kunde kam beim letzten Import nicht mehr aus lexoffice (gelöscht oder keine Kundenrolle mehr). Rechnungen an ihn sind nicht möglich.".to_string())
    } else if c.archived {
        Some("Dieser Kunde ist in lexoffice archiviert. Für Rechnungen bitte erst in lexoffice wiederherstellen und neu importieren.".to_string())
    } else {
        None
    };
    let linked = c.lexoffice_id.is_some();
    let can_update = linked && c.changed_in_app && !c.missing_in_lexoffice;
    CustomerDetail {
        can_create_in_lexoffice: !linked,
        can_update_in_lexoffice: can_update,
        changed_hint: can_update.then(|| {
            "Hier geändert: Name, Adresse oder Kontaktdaten weichen vom letzten Stand aus lexoffice ab. Mit „In lexoffice aktualisieren“ werden sie übertragen.".to_string()
        }),
        tax_cases: tax_case_choices(),
        tax_case_key: c.tax.case.key(),
        tax_suggestion: suggestion(&c),
        vat_id_display: if c.vat_id.trim().is_empty() {
            "keine USt-IdNr. in lexoffice".to_string()
        } else {
            format!("USt-IdNr. {}", c.vat_id.trim())
        },
        hourly_rate_display: c.hourly_rate.map(|r| crate::de::format::format_de(r, 2)),
        source_label: source_label(c.source),
        last_imported: c.last_imported_at.map(crate::de::format::date_time),
        invoiceable: notice.is_none(),
        notice,
        version: crate::model::version_of(c.updated_at),
        customer: c,
    }
}

pub async fn get(core: &Core, id: u64) -> AppResult<CustomerDetail> {
    let store = core.store.clone();
    let c = blocking(move || store.customer(id)).await?;
    c.map(detail_of).ok_or_else(|| {
        AppError::NotFound("Dieser Kunde existiert nicht mehr. Bitte die Liste neu laden.".into())
    })
}

/// The "Neuer Kunde" / edit form as sent by the UI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerInput {
    pub id: Option<u64>,
    /// "company" or "person"
    pub kind: String,
    pub number: String,
    pub name: String,
    pub contact_person: String,
    pub supplement: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub country_code: String,
    pub email: String,
    pub phone: String,
    /// „USt-IdNr.“; None keeps the stored one.
    pub vat_id: Option<String>,
    /// The customer's version when the form was opened (`model::version_of`).
    pub version: Option<String>,
}

fn clean(field: &'static str, text: &str, max: usize) -> AppResult<String> {
    let t = text.trim();
    if t.chars().any(|c| c.is_control()) {
        return Err(AppError::validation(
            field,
            format!("{field}: Bitte keine Steuerzeichen oder Zeilenumbrüche verwenden."),
        ));
    }
    if t.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("{field}: höchstens {max} Zeichen."),
        ));
    }
    Ok(t.to_string())
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
}

/// Checks the form and returns the cleaned values (or the first problem, at its field).
pub fn validate(input: &CustomerInput) -> AppResult<(CustomerKind, Customer)> {
    let kind = match input.kind.as_str() {
        "" | "company" => CustomerKind::Company,
        "person" => CustomerKind::Person,
        _ => {
            return Err(AppError::validation(
                "Art",
                "Bitte Firma oder Person wählen.",
            ))
        }
    };
    let name = clean("Name", &input.name, 255)?;
    if name.is_empty() {
        return Err(AppError::validation("Name", "Bitte einen Namen eingeben."));
    }
    let number = clean("Kundennummer", &input.number, 20)?;
    let contact_person = clean("Ansprechpartner", &input.contact_person, 120)?;
    let supplement = clean("Adresszusatz", &input.supplement, 100)?;
    let street = clean("Straße", &input.street, 100)?;
    let zip = clean("PLZ", &input.zip, 10)?;
    let city = clean("Ort", &input.city, 100)?;
    let mut country = clean("Land", &input.country_code, 6)?.to_uppercase();
    if country.is_empty() {
        country = "DE".into();
    }
    if !countries::is_known(&country) {
        return Err(AppError::validation(
            "Land",
            format!("„{country}“ ist kein Ländercode. Bitte den zweistelligen ISO-Code verwenden, z. B. DE, AT oder CH."),
        ));
    }
    if !zip.is_empty() {
        let ok = match country.as_str() {
            "DE" => zip.len() == 5 && zip.chars().all(|c| c.is_ascii_digit()),
            "AT" | "CH" | "LI" | "LU" | "BE" | "DK" => {
                zip.len() == 4 && zip.chars().all(|c| c.is_ascii_digit())
            }
            _ => zip
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'),
        };
        if !ok {
            return Err(AppError::validation(
                "PLZ",
                match country.as_str() {
                    "DE" => "Eine deutsche PLZ hat genau 5 Ziffern.".to_string(),
                    "AT" | "CH" | "LI" | "LU" | "BE" | "DK" => {
                        format!("Eine PLZ in {country} hat genau 4 Ziffern.")
                    }
                    _ => "Die PLZ enthält ungültige Zeichen.".to_string(),
                },
            ));
        }
    }
    let email = clean("E-Mail", &input.email, 254)?;
    if !email.is_empty() && !valid_email(&email) {
        return Err(AppError::validation(
            "E-Mail",
            "Bitte eine gültige E-Mail-Adresse eingeben, z. B. buero@beispiel.de.",
        ));
    }
    let phone = clean("Telefon", &input.phone, vat_id::MAX_PHONE_CHARS)?;
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
    {
        return Err(AppError::validation(
            "Telefon",
            "Die Telefonnummer darf nur Ziffern, Leerzeichen und + - / ( ) enthalten.",
        ));
    }
    let vat_id = match &input.vat_id {
        Some(v) => contact_json::normalised_vat_id(&clean("USt-IdNr.", v, 20)?),
        None => String::new(),
    };
    let now = crate::de::clock::now();
    Ok((
        kind,
        Customer {
            id: input.id.unwrap_or(0),
            lexoffice_id: None,
            lexoffice_version: None,
            number,
            kind,
            name,
            contact_person,
            address: Address {
                supplement,
                street,
                zip,
                city,
                country_code: country,
            },
            email,
            phone,
            archived: false,
            source: Source::Manual,
            missing_in_lexoffice: false,
            billing_addresses: None,
            last_imported_at: None,
            hourly_rate: None,
            rules: Default::default(),
            invoice_style: None,
            tax: Default::default(),
            vat_id,
            buyer_reference: String::new(),
            changed_in_app: false,
            push_unclear_since: None,
            lexoffice_base: None,
            created_at: now,
            updated_at: now,
        },
    ))
}

/// Do two records differ in what is sent to lexoffice?
fn lexoffice_fields_differ(a: &Customer, b: &Customer) -> bool {
    a.name != b.name
        || a.contact_person != b.contact_person
        || a.address != b.address
        || a.email != b.email
        || a.phone != b.phone
        || contact_json::normalised_vat_id(&a.vat_id) != contact_json::normalised_vat_id(&b.vat_id)
}

/// Neuer Kunde / Bearbeiten. A customer linked to lexoffice keeps its
/// lexoffice link, Kundennummer and Art; a change of its other fields marks it
/// „hier geändert“ for „In lexoffice aktualisieren“.
pub async fn save(core: &Core, input: CustomerInput) -> AppResult<CustomerDetail> {
    let (_, mut candidate) = validate(&input)?;
    let store = core.store.clone();
    blocking(move || {
        let all = store.customers()?;
        let existing =
            match input.id {
                Some(id) => Some(all.iter().find(|c| c.id == id).cloned().ok_or_else(|| {
                    AppError::NotFound("Dieser Kunde existiert nicht mehr.".into())
                })?),
                None => None,
            };
        if let Some(e) = &existing {
            if !crate::model::still_version(e.updated_at, input.version.as_deref())? {
                return Err(crate::model::changed_meanwhile(
                    &format!("Der Kunde „{}“", e.name),
                    store.is_server(),
                ));
            }
        }
        let linked = existing.as_ref().filter(|e| e.lexoffice_id.is_some());
        if let Some(e) = linked {
            // lexoffice assigns the number; the Art cannot change in lexoffice.
            candidate.number = e.number.clone();
            candidate.kind = e.kind;
        }
        if !candidate.number.is_empty() && linked.is_none() {
            if let Some(other) = all
                .iter()
                .find(|c| c.number == candidate.number && Some(c.id) != input.id)
            {
                return Err(AppError::validation(
                    "Kundennummer",
                    format!(
                        "Die Kundennummer {} ist bereits an „{}“ vergeben.",
                        candidate.number, other.name
                    ),
                ));
            }
        }
        let seen = existing.as_ref().map(|e| e.updated_at);
        match existing {
            Some(existing) => {
                if input.vat_id.is_none() {
                    candidate.vat_id = existing.vat_id.clone();
                }
                if existing.lexoffice_id.is_some() {
                    candidate.changed_in_app =
                        existing.changed_in_app || lexoffice_fields_differ(&existing, &candidate);
                    candidate.lexoffice_base = if existing.changed_in_app {
                        existing.lexoffice_base.clone()
                    } else if candidate.changed_in_app {
                        Some(crate::storage::LexofficeFields::of(&existing))
                    } else {
                        None
                    };
                    candidate.lexoffice_id = existing.lexoffice_id.clone();
                    candidate.lexoffice_version = existing.lexoffice_version;
                    candidate.source = existing.source;
                    candidate.archived = existing.archived;
                    candidate.missing_in_lexoffice = existing.missing_in_lexoffice;
                    candidate.billing_addresses = existing.billing_addresses;
                    candidate.last_imported_at = existing.last_imported_at;
                } else {
                    candidate.push_unclear_since = existing.push_unclear_since;
                }
                candidate.created_at = existing.created_at;
                candidate.hourly_rate = existing.hourly_rate;
                candidate.rules = existing.rules;
                candidate.invoice_style = existing.invoice_style;
                candidate.tax = existing.tax;
            }
            None => candidate.id = store.next_id()?,
        }
        // Written only over the state read above (another seat's save in
        // between is refused, never overwritten).
        match seen {
            Some(seen) => store.save_customer_unchanged_since(&candidate, seen)?,
            None => store.put_customer(&candidate)?,
        }
        Ok(detail_of(candidate))
    })
    .await
}

/// The customer's own Stundensatz (empty = none); used before the one in Schnittstellen.
pub async fn set_rate(core: &Core, id: u64, rate: String) -> AppResult<CustomerDetail> {
    let rate = crate::money::parse_optional_rate(&rate)?;
    let store = core.store.clone();
    blocking(move || {
        let c = store.update_customer(id, |c| {
            c.hourly_rate = rate;
            Ok(())
        })?;
        Ok(detail_of(c))
    })
    .await
}

/// "In lexoffice öffnen" for an imported customer.
pub async fn open_in_lexoffice(core: &Core, id: u64) -> AppResult<()> {
    let d = get(core, id).await?;
    let lex_id = d.customer.lexoffice_id.ok_or_else(|| {
        AppError::validation("Kunde", "Dieser Kunde ist nicht mit lexoffice verknüpft.")
    })?;
    let url = core.urls()?.contact_view(&lex_id);
    core.open_lexoffice_page(url).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> CustomerInput {
        CustomerInput {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation_names_the_field() {
        let cases: Vec<(CustomerInput, &str)> = vec![
            (input(""), "Name"),
            (input("   "), "Name"),
            (input(&"x".repeat(256)), "Name"),
            (input("A\u{0}B"), "Name"),
            (
                CustomerInput {
                    zip: "1234".into(),
                    ..input("A")
                },
                "PLZ",
            ),
            (
                CustomerInput {
                    zip: "12a45".into(),
                    ..input("A")
                },
                "PLZ",
            ),
            (
                CustomerInput {
                    zip: "12345".into(),
                    country_code: "AT".into(),
                    ..input("A")
                },
                "PLZ",
            ),
            (
                CustomerInput {
                    country_code: "XX".into(),
                    ..input("A")
                },
                "Land",
            ),
            (
                CustomerInput {
                    country_code: "Deutschland".into(),
                    ..input("A")
                },
                "Land",
            ),
            (
                CustomerInput {
                    email: "keine-mail".into(),
                    ..input("A")
                },
                "E-Mail",
            ),
            (
                CustomerInput {
                    email: "a@b".into(),
                    ..input("A")
                },
                "E-Mail",
            ),
            (
                CustomerInput {
                    email: "a b@c.de".into(),
                    ..input("A")
                },
                "E-Mail",
            ),
            (
                CustomerInput {
                    phone: "0761-abc".into(),
                    ..input("A")
                },
                "Telefon",
            ),
            (
                CustomerInput {
                    kind: "verein".into(),
                    ..input("A")
                },
                "Art",
            ),
            (
                CustomerInput {
                    number: "x".repeat(21),
                    ..input("A")
                },
                "Kundennummer",
            ),
        ];
        for (inp, field) in cases {
            match validate(&inp) {
                Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field, "{inp:?}"),
                other => panic!("{inp:?} → {other:?}"),
            }
        }
    }

    #[test]
    fn valid_input_is_cleaned() {
        let (_, c) = validate(&CustomerInput {
            name: "  Müller & Söhne <GmbH>  ".into(),
            zip: "79098".into(),
            country_code: "de".into(),
            email: "info@mueller.example".into(),
            phone: "+49 (761) 123-45".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.name, "Müller & Söhne <GmbH>");
        assert_eq!(c.address.country_code, "DE");
        let (_, c) = validate(&input("Hallo")).unwrap();
        assert_eq!(c.address.country_code, "DE", "Germany is the default");
    }
}
