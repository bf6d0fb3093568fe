//! What lexoffice checks of a contact before it takes it (docs/lexoffice.md ›
//! Contact fields lexoffice validates): the USt-IdNr. must be a valid VAT id —
//! a German one is „DE“ and 9 digits; those of the other EU countries follow
//! their published formats (VIES) — and a phone number has at most 30
//! characters. Checked before „In lexoffice anlegen“ and „In lexoffice
//! aktualisieren“, so a refusal is said in German before anything is sent.

use crate::error::{AppError, AppResult};
use crate::storage::{Customer, CustomerKind};

/// The longest phone number lexoffice keeps.
pub const MAX_PHONE_CHARS: usize = 30;

/// Formats per country prefix: `#` a digit, `A` a letter, `X` a letter or digit,
/// anything else itself; an example for the message.
const FORMATS: &[(&str, &[&str], &str)] = &[
    ("AT", &["U########"], "ATU12345678"),
    ("BE", &["0#########", "1#########"], "BE0123456789"),
    ("BG", &["#########", "##########"], "BG123456789"),
    ("CY", &["########A"], "CY12345678X"),
    ("CZ", &["########", "#########", "##########"], "CZ12345678"),
    ("DE", &["#########"], "DE123456789"),
    ("DK", &["########"], "DK12345678"),
    ("EE", &["#########"], "EE123456789"),
    ("EL", &["#########"], "EL123456789"),
    ("ES", &["X#######X"], "ESX1234567X"),
    ("FI", &["########"], "FI12345678"),
    ("FR", &["XX#########"], "FRXX123456789"),
    ("HR", &["###########"], "HR12345678901"),
    ("HU", &["########"], "HU12345678"),
    ("IE", &["#######A", "#######AA", "#A#####A"], "IE1234567X"),
    ("IT", &["###########"], "IT12345678901"),
    ("LT", &["#########", "############"], "LT123456789"),
    ("LU", &["########"], "LU12345678"),
    ("LV", &["###########"], "LV12345678901"),
    ("MT", &["########"], "MT12345678"),
    ("NL", &["#########B##"], "NL123456789B01"),
    ("PL", &["##########"], "PL1234567890"),
    ("PT", &["#########"], "PT123456789"),
    (
        "RO",
        &[
            "##",
            "###",
            "####",
            "#####",
            "######",
            "#######",
            "########",
            "#########",
            "##########",
        ],
        "RO1234567890",
    ),
    ("SE", &["############"], "SE123456789012"),
    ("SI", &["########"], "SI12345678"),
    ("SK", &["##########"], "SK1234567890"),
    ("XI", &["#########", "############"], "XI123456789"),
];

fn fits(rest: &str, pattern: &str) -> bool {
    rest.chars().count() == pattern.chars().count()
        && rest.chars().zip(pattern.chars()).all(|(c, p)| match p {
            '#' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            'X' => c.is_ascii_uppercase() || c.is_ascii_digit(),
            other => c == other,
        })
}

/// Why lexoffice would refuse this USt-IdNr. (None: fine or empty).
pub fn vat_id_problem(v: &str) -> Option<String> {
    let id = super::contact_json::normalised_vat_id(v);
    if id.is_empty() {
        return None;
    }
    let (country, rest) = id.split_at(id.char_indices().nth(2).map_or(id.len(), |(i, _)| i));
    match FORMATS.iter().find(|(c, _, _)| *c == country) {
        Some((c, patterns, example)) => (!patterns.iter().any(|p| fits(rest, p))).then(|| {
            if *c == "DE" {
                format!("Die USt-IdNr. „{}“ ist ungültig: Eine deutsche USt-IdNr. besteht aus „DE“ und 9 Ziffern (z. B. DE123456789). Bitte im Kunden korrigieren oder leeren – lexoffice nimmt den Kontakt sonst nicht an.", v.trim())
            } else {
                format!("Die USt-IdNr. „{}“ hat nicht die Form einer USt-IdNr. aus {c} (z. B. {example}). Bitte im Kunden korrigieren oder leeren – lexoffice nimmt den Kontakt sonst nicht an.", v.trim())
            }
        }),
        // Outside the EU: two letters and 2 to 13 letters or digits.
        None => (!super::contact_json::vat_id_shape_ok(&id)).then(|| {
            format!("Die USt-IdNr. „{}“ hat nicht die Form einer USt-IdNr. (zwei Buchstaben für das Land, dann 2 bis 13 Ziffern oder Buchstaben). Bitte im Kunden korrigieren oder leeren – lexoffice nimmt den Kontakt sonst nicht an.", v.trim())
        }),
    }
}

/// What lexoffice would refuse of `c`, in German, at the field it concerns.
pub fn check_for_lexoffice(c: &Customer) -> AppResult<()> {
    if c.kind == CustomerKind::Company {
        if let Some(problem) = vat_id_problem(&c.vat_id) {
            return Err(AppError::validation("USt-IdNr.", problem));
        }
    }
    let phone = c.phone.trim().chars().count();
    if phone > MAX_PHONE_CHARS {
        return Err(AppError::validation(
            "Telefon",
            format!("Die Telefonnummer hat {phone} Zeichen; lexoffice nimmt höchstens {MAX_PHONE_CHARS}. Bitte im Kunden kürzen."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_vat_ids_are_de_and_nine_digits() {
        assert_eq!(vat_id_problem("DE123456789"), None);
        assert_eq!(vat_id_problem(" de 123 456 789 "), None);
        assert_eq!(vat_id_problem(""), None);
        assert_eq!(
            vat_id_problem("DE12345678").as_deref(),
            Some("Die USt-IdNr. „DE12345678“ ist ungültig: Eine deutsche USt-IdNr. besteht aus „DE“ und 9 Ziffern (z. B. DE123456789). Bitte im Kunden korrigieren oder leeren – lexoffice nimmt den Kontakt sonst nicht an.")
        );
        assert!(vat_id_problem("DE12345678X").is_some());
        assert!(vat_id_problem("DE1234567890").is_some());
    }

    #[test]
    fn other_eu_countries_by_their_formats() {
        for ok in [
            "ATU12345678",
            "FRXX123456789",
            "FR12345678901",
            "NL123456789B01",
            "ESX1234567X",
            "IE1234567WA",
            "BE0123456789",
            "RO1234",
            "SE123456789012",
            "CHE123456789",
        ] {
            assert_eq!(vat_id_problem(ok), None, "{ok}");
        }
        for bad in [
            "AT12345678",
            "NL123456789",
            "IT1234567890",
            "FR123",
            "BE2123456789",
            "X1",
        ] {
            assert!(vat_id_problem(bad).is_some(), "{bad}");
        }
    }
}
