//! German decimal input, rounding and the allowed tax rates (formatting: `crate::de::format`). Amounts are `rust_decimal::Decimal`
//! everywhere; no float ever touches them.
//!
//! Accepted input (forgiving, as a clerk types it): `85`, `85,5`, `85,50`,
//! `1.250,00`, `1250,00`, ` 85,50 € `, and `85.50` (a dot followed by anything
//! other than exactly three digits can only be a decimal point). `1.250` is read
//! the German way, as one thousand two hundred fifty.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("Bitte einen Wert eingeben.")]
    Empty,
    #[error("Bitte eine Zahl eingeben, z. B. 85,50.")]
    NotANumber,
    #[error("Der Wert darf nicht negativ sein.")]
    Negative,
    #[error("Höchstens {0} Nachkommastellen sind möglich.")]
    TooManyDecimals(u32),
    #[error("Der Wert ist zu groß.")]
    TooLarge,
}

/// Parses a non-negative German decimal with at most `max_decimals` places.
pub fn parse_de(input: &str, max_decimals: u32) -> Result<Decimal, DecimalError> {
    let mut s: String = input
        .trim()
        .trim_end_matches('€')
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if s.is_empty() {
        return Err(DecimalError::Empty);
    }
    if s.starts_with('-') || s.starts_with('\u{2212}') {
        let rest = s
            .strip_prefix('-')
            .or_else(|| s.strip_prefix('\u{2212}'))
            .unwrap_or(&s);
        // "-0" is still a minus sign typed on purpose: reject as negative when numeric.
        return if normalise(rest).is_some() {
            Err(DecimalError::Negative)
        } else {
            Err(DecimalError::NotANumber)
        };
    }
    if let Some(rest) = s.strip_prefix('+') {
        s = rest.to_string();
    }
    let plain = normalise(&s).ok_or(DecimalError::NotANumber)?;
    let decimals = plain
        .split_once('.')
        .map(|(_, f)| f.len() as u32)
        .unwrap_or(0);
    if decimals > max_decimals {
        return Err(DecimalError::TooManyDecimals(max_decimals));
    }
    let int_len = plain.split('.').next().map(str::len).unwrap_or(0);
    if int_len > 15 {
        return Err(DecimalError::TooLarge);
    }
    Decimal::from_str(&plain).map_err(|_| DecimalError::NotANumber)
}

/// Turns German notation into `123.45` (or `123`), or None when it is not a number.
fn normalise(s: &str) -> Option<String> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let commas = s.matches(',').count();
    let (int_part, frac_part) = match commas {
        0 => {
            // Only dots: thousands separators (1.250 / 1.250.000) or one decimal point (85.5).
            let parts: Vec<&str> = s.split('.').collect();
            if parts.len() == 1 {
                (s.to_string(), None)
            } else if valid_grouping(&parts) {
                (parts.concat(), None)
            } else if parts.len() == 2 {
                (parts[0].to_string(), Some(parts[1].to_string()))
            } else {
                return None;
            }
        }
        1 => {
            let (i, f) = s.split_once(',')?;
            if f.contains('.') {
                return None;
            }
            let int = if i.contains('.') {
                let parts: Vec<&str> = i.split('.').collect();
                if !valid_grouping(&parts) {
                    return None;
                }
                parts.concat()
            } else {
                i.to_string()
            };
            (int, Some(f.to_string()))
        }
        _ => return None,
    };
    let int_part = if int_part.is_empty() {
        // ",5" means 0,5
        if frac_part.as_deref().map(str::is_empty).unwrap_or(true) {
            return None;
        }
        "0".to_string()
    } else {
        int_part
    };
    match frac_part {
        Some(f) if f.is_empty() => None, // "85," is incomplete
        Some(f) => Some(format!("{int_part}.{f}")),
        None => Some(int_part),
    }
}

/// `1`, `250` / `1`, `250`, `000`: first group 1–3 digits, the rest exactly 3.
fn valid_grouping(parts: &[&str]) -> bool {
    parts.len() >= 2 && (1..=3).contains(&parts[0].len()) && parts[1..].iter().all(|p| p.len() == 3)
}

/// The VAT rates lexoffice accepts for German invoices today (docs/lexoffice.md):
/// 19, 7 and 0 %. 5 and 16 % were valid only in the second half of 2020.
pub const TAX_RATES: [u32; 3] = [19, 7, 0];

/// One of `TAX_RATES`, normalised (scale 0), or None. The one check behind the
/// forms, the CSV import, backups being restored and the invoice preview.
pub fn allowed_tax_rate(rate: Decimal) -> Option<Decimal> {
    TAX_RATES
        .iter()
        .map(|r| Decimal::from(*r))
        .find(|r| *r == rate)
}

/// Commercial rounding to `dp` places, half away from zero.
pub fn round_half_up(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// A money amount: rounded half-up to cents, always written with 2 decimals.
pub fn round2(value: Decimal) -> Decimal {
    let mut v = round_half_up(value, 2);
    v.rescale(2);
    v
}

/// Parses a Stundensatz as typed (German notation, > 0, ≤ 4 decimals).
pub fn parse_rate(text: &str) -> AppResult<Decimal> {
    const FIELD: &str = "Stundensatz";
    let rate = parse_de(text, 4).map_err(|e| {
        let msg = match e {
            DecimalError::Empty => "Bitte einen Stundensatz eingeben, z. B. 85,50.".to_string(),
            DecimalError::NotANumber => {
                "Bitte den Stundensatz als Zahl eingeben, z. B. 85,50.".to_string()
            }
            DecimalError::Negative => "Der Stundensatz darf nicht negativ sein.".to_string(),
            DecimalError::TooManyDecimals(n) => {
                format!("Der Stundensatz darf höchstens {n} Nachkommastellen haben.")
            }
            DecimalError::TooLarge => "Der Stundensatz ist unrealistisch hoch.".to_string(),
        };
        AppError::validation(FIELD, msg)
    })?;
    if rate.is_zero() {
        return Err(AppError::validation(
            FIELD,
            "Der Stundensatz muss größer als 0 sein.",
        ));
    }
    if rate > Decimal::from(100_000) {
        return Err(AppError::validation(
            FIELD,
            "Der Stundensatz ist unrealistisch hoch (mehr als 100.000 € pro Stunde).",
        ));
    }
    Ok(rate)
}

/// A Stundensatz that may be left empty (= none, the next level's rate applies).
pub fn parse_optional_rate(text: &str) -> AppResult<Option<Decimal>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_rate(text).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::de::format::*;

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(count_de(0, "Kunde", "Kunden"), "0 Kunden");
        assert_eq!(count_de(1, "Kunde", "Kunden"), "1 Kunde");
        assert_eq!(count_de(2, "Eintrag", "Einträge"), "2 Einträge");
        assert_eq!(count_de(10_000, "Kunde", "Kunden"), "10.000 Kunden");
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn accepts_german_notation() {
        let good = [
            ("85", "85"),
            ("85,5", "85.5"),
            ("85,50", "85.50"),
            ("1.250,00", "1250.00"),
            ("1250,00", "1250.00"),
            ("1.250", "1250"),
            ("1.250.000,5", "1250000.5"),
            (" 85,50 € ", "85.50"),
            ("85,50€", "85.50"),
            ("85.50", "85.50"),
            ("85.5", "85.5"),
            ("0,5", "0.5"),
            (",5", "0.5"),
            ("0", "0"),
            ("12,3456", "12.3456"),
            ("+85", "85"),
            ("1 250,00", "1250.00"),
            ("007", "7"),
        ];
        for (input, want) in good {
            assert_eq!(parse_de(input, 4), Ok(d(want)), "input {input:?}");
        }
    }

    #[test]
    fn rejects_bad_input_with_reason() {
        use DecimalError::*;
        let bad = [
            ("", Empty),
            ("   ", Empty),
            ("€", Empty),
            ("-5", Negative),
            ("-85,50", Negative),
            ("\u{2212}3", Negative),
            ("abc", NotANumber),
            ("85 Euro", NotANumber),
            ("12,34567", TooManyDecimals(4)),
            ("1,2,3", NotANumber),
            ("1.25,00", NotANumber),
            ("1.2345,00", NotANumber),
            ("85,", NotANumber),
            ("85,5.0", NotANumber),
            ("1.2.3", NotANumber),
            ("--5", NotANumber),
            ("5e3", NotANumber),
            ("0x10", NotANumber),
            ("NaN", NotANumber),
            ("1234567890123456", TooLarge),
            (",", NotANumber),
        ];
        for (input, want) in bad {
            assert_eq!(parse_de(input, 4), Err(want.clone()), "input {input:?}");
        }
    }

    #[test]
    fn decimals_limit_is_a_parameter() {
        assert_eq!(parse_de("1,234", 2), Err(DecimalError::TooManyDecimals(2)));
        assert_eq!(parse_de("1,23", 2), Ok(d("1.23")));
    }

    #[test]
    fn formats_de_de() {
        assert_eq!(format_de(d("85.5"), 2), "85,50");
        assert_eq!(format_de(d("1250"), 2), "1.250,00");
        assert_eq!(format_de(d("1234567.891"), 2), "1.234.567,891");
        assert_eq!(format_de(d("0"), 2), "0,00");
        assert_eq!(format_de(d("-1000.5"), 2), "-1.000,50");
        assert_eq!(format_de(d("1234"), 0), "1.234");
        assert_eq!(format_eur(d("85.50")), "85,50 €");
    }
}
