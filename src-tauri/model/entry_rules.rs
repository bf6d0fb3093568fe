//! The one set of limits for a time or service entry, and the one check of
//! the forms' input (`time_kind`, `service_kind`), shared by the forms
//! („Zeit erfassen“, „Leistung erfassen“) and the CSV import, so that every
//! imported entry can be opened and saved again from its form.
//!
//! Text lengths count characters (after trimming). Multi-line text is allowed in
//! Beschreibung only.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::de::format::minutes as format_minutes;
use crate::de::parse;
use crate::error::{AppError, AppResult};
use crate::model::EntryKind;
use crate::money::{parse_de, DecimalError};

/// Mitarbeiter (a name).
pub const EMPLOYEE_CHARS: usize = 100;
/// Bezeichnung of a service: lexoffice takes line names up to 255 characters.
pub const SERVICE_NAME_CHARS: usize = 255;
/// Einheit: lexoffice's `unitName`.
pub const UNIT_CHARS: usize = 30;
/// Beschreibung.
pub const DESCRIPTION_CHARS: usize = 2000;
/// Menge must stay below this.
pub const QUANTITY_LIMIT: i64 = 1_000_000;
/// Einzelpreis (€) must stay below this.
pub const UNIT_PRICE_LIMIT: i64 = 100_000_000;
/// Einheit when none is given.
pub const DEFAULT_UNIT: &str = "Stück";
/// Steuersatz when none is given.
pub const DEFAULT_TAX_RATE: u32 = 19;

/// How many days ahead a work date may lie (a time or service is recorded
/// afterwards; a week leaves room for planned jobs, not for a wrong year).
pub const MAX_DAYS_AHEAD: i64 = 7;

/// A work date (time, service, Stundenzettel row, imported row) as understood,
/// refused when it lies more than [`MAX_DAYS_AHEAD`] days after `today`.
pub fn work_date(
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, String> {
    if (date - today).num_days() > MAX_DAYS_AHEAD {
        return Err(format!(
            "{} liegt mehr als eine Woche in der Zukunft. Bitte das Datum prüfen.",
            crate::de::format::date(date)
        ));
    }
    Ok(date)
}

/// Whether a quantity is inside the limits (> 0, below [`QUANTITY_LIMIT`]).
pub fn quantity_ok(q: Decimal) -> bool {
    q > Decimal::ZERO && q < Decimal::from(QUANTITY_LIMIT)
}

/// Whether a unit price is inside the limits (≥ 0, below [`UNIT_PRICE_LIMIT`]).
pub fn unit_price_ok(p: Decimal) -> bool {
    !p.is_sign_negative() && p < Decimal::from(UNIT_PRICE_LIMIT)
}

/// A text field as typed: trimmed, no control characters (a line break only
/// where `multiline`), at most `max` characters. The one text rule of the forms.
pub fn clean_text(
    field: &'static str,
    value: &str,
    max: usize,
    multiline: bool,
) -> Result<String, (&'static str, String)> {
    let t = value.trim();
    if t.chars()
        .any(|c| c.is_control() && !(multiline && c == '\n'))
    {
        return Err((
            field,
            format!("{field}: Bitte keine Steuerzeichen verwenden."),
        ));
    }
    if t.chars().count() > max {
        return Err((field, format!("{field}: höchstens {max} Zeichen.")));
    }
    Ok(t.to_string())
}

fn text(
    field: &'static str,
    value: &str,
    max: usize,
    multiline: bool,
) -> Result<(), (&'static str, String)> {
    clean_text(field, value, max, multiline).map(drop)
}

/// The one check of a time or service entry as it is about to be stored, from
/// the forms or the CSV import: Err names the field (its German label) and why.
pub fn check(kind: &EntryKind, description: &str) -> Result<(), (&'static str, String)> {
    text("Beschreibung", description, DESCRIPTION_CHARS, true)?;
    match kind {
        EntryKind::Time {
            employee, minutes, ..
        } => {
            text("Mitarbeiter", employee, EMPLOYEE_CHARS, false)?;
            if *minutes == 0 {
                return Err(("Dauer", "Die Dauer muss größer als 0 sein.".into()));
            }
        }
        EntryKind::Service {
            name,
            quantity,
            unit,
            unit_price,
            tax_rate,
            ..
        } => {
            text("Bezeichnung", name, SERVICE_NAME_CHARS, false)?;
            if name.trim().is_empty() {
                return Err(("Bezeichnung", "Bitte eine Bezeichnung eingeben.".into()));
            }
            text("Einheit", unit, UNIT_CHARS, false)?;
            if !quantity_ok(*quantity) {
                return Err((
                    "Menge",
                    "Die Menge muss größer als 0 und kleiner als 1.000.000 sein.".into(),
                ));
            }
            if !unit_price_ok(*unit_price) {
                return Err((
                    "Einzelpreis",
                    "Der Einzelpreis darf nicht negativ und muss kleiner als 100.000.000 € sein."
                        .into(),
                ));
            }
            if crate::money::allowed_tax_rate(*tax_rate).is_none() {
                return Err(("Steuersatz", "Bitte 19, 7 oder 0 % wählen.".into()));
            }
        }
    }
    Ok(())
}

pub fn clean(field: &'static str, text: &str, max: usize) -> AppResult<String> {
    clean_text(field, text, max, true).map_err(|(f, m)| AppError::validation(f, m))
}

pub fn decimal_field(field: &'static str, text: &str, max_decimals: u32) -> AppResult<Decimal> {
    parse_de(text, max_decimals).map_err(|e| {
        AppError::validation(
            field,
            match e {
                DecimalError::Empty => format!("Bitte {field} eingeben."),
                DecimalError::NotANumber => {
                    format!("{field}: Bitte eine Zahl eingeben, z. B. 12,5.")
                }
                DecimalError::Negative => format!("{field} darf nicht negativ sein."),
                DecimalError::TooManyDecimals(n) => {
                    format!("{field}: höchstens {n} Nachkommastellen.")
                }
                DecimalError::TooLarge => format!("{field} ist zu groß."),
            },
        )
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeInput {
    pub id: Option<u64>,
    pub project_id: u64,
    pub date: String,
    pub employee: String,
    pub start: String,
    pub end: String,
    /// Pause as typed ("0:30", "30 min", empty = none).
    #[serde(rename = "break")]
    pub break_time: String,
    /// Dauer as typed, used when Von/Bis are empty.
    pub duration: String,
    pub description: String,
    pub billable: Option<bool>,
    /// „Neuen Mitarbeiter „…“ anlegen?“ answered yes: a name that matches no
    /// employee creates one. Without it such a name is asked about, never
    /// created silently.
    pub new_employee: bool,
    /// The entry's version when the form was opened (`model::version_of`).
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceInput {
    pub id: Option<u64>,
    pub project_id: u64,
    pub date: String,
    pub name: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub tax_rate: String,
    /// „Art“: Arbeit, Material or Fahrt; blank = by the unit.
    pub art: String,
    pub billable: Option<bool>,
    /// Chosen from the Leistungskatalog (its lexoffice article goes on the draft).
    pub catalog_id: Option<u64>,
    /// The entry's version when the form was opened (`model::version_of`).
    pub version: Option<String>,
}

fn field_err(field: &'static str) -> impl Fn(String) -> AppError {
    move |m| AppError::validation(field, m)
}

/// Validates the Zeit erfassen form into an entry kind.
/// `today` is the Berlin day (a work date may lie at most a week ahead).
pub fn time_kind(input: &TimeInput, today: NaiveDate) -> AppResult<(NaiveDate, EntryKind)> {
    let date = parse::parse_date_typed(&input.date, today)
        .and_then(|d| work_date(d, today))
        .map_err(field_err("Datum"))?;
    let employee = clean("Mitarbeiter", &input.employee, EMPLOYEE_CHARS)?;
    let has_span = !input.start.trim().is_empty() || !input.end.trim().is_empty();
    let break_minutes = if input.break_time.trim().is_empty() {
        0
    } else {
        parse::parse_break(&input.break_time).map_err(field_err("Pause"))?
    };
    let (start, end, minutes) = if has_span {
        let start = parse::parse_clock(&input.start).map_err(field_err("Von"))?;
        let end = parse::parse_clock(&input.end).map_err(field_err("Bis"))?;
        let minutes =
            parse::minutes_between(start, end, break_minutes).map_err(field_err("Bis"))?;
        if !input.duration.trim().is_empty() {
            let typed = parse::parse_duration(&input.duration).map_err(field_err("Dauer"))?;
            if typed.abs_diff(minutes) > 1 {
                return Err(AppError::validation(
                    "Dauer",
                    format!(
                        "Die Dauer {} passt nicht zu Von–Bis minus Pause ({}). Bitte eines von beiden leeren.",
                        format_minutes(u64::from(typed)),
                        format_minutes(u64::from(minutes))
                    ),
                ));
            }
        }
        (Some(start), Some(end), minutes)
    } else {
        if input.duration.trim().is_empty() {
            return Err(AppError::validation(
                "Dauer",
                "Bitte Von und Bis oder eine Dauer eingeben, z. B. 1:30 oder 1,5.",
            ));
        }
        let minutes = parse::parse_duration(&input.duration).map_err(field_err("Dauer"))?;
        if break_minutes > 0 {
            return Err(AppError::validation(
                "Pause",
                "Eine Pause gibt es nur mit Von und Bis; bei einer direkt eingegebenen Dauer bitte leer lassen.",
            ));
        }
        (None, None, minutes)
    };
    if minutes == 0 {
        return Err(AppError::validation(
            "Dauer",
            "Die Dauer muss größer als 0 sein.",
        ));
    }
    Ok((
        date,
        EntryKind::Time {
            employee,
            employee_id: None,
            start,
            end,
            break_minutes,
            minutes,
        },
    ))
}

/// Validates the Leistung erfassen form.
/// `today` as for `time_kind`.
pub fn service_kind(input: &ServiceInput, today: NaiveDate) -> AppResult<(NaiveDate, EntryKind)> {
    let date = parse::parse_date_typed(&input.date, today)
        .and_then(|d| work_date(d, today))
        .map_err(field_err("Datum"))?;
    let name = clean("Bezeichnung", &input.name, SERVICE_NAME_CHARS)?;
    if name.is_empty() {
        return Err(AppError::validation(
            "Bezeichnung",
            "Bitte eine Bezeichnung eingeben.",
        ));
    }
    let quantity = decimal_field("Menge", &input.quantity, 4)?;
    if quantity.is_zero() {
        return Err(AppError::validation(
            "Menge",
            "Die Menge muss größer als 0 sein.",
        ));
    }
    if quantity >= Decimal::from(QUANTITY_LIMIT) {
        return Err(AppError::validation(
            "Menge",
            "Die Menge muss kleiner als 1.000.000 sein.",
        ));
    }
    let mut unit = clean("Einheit", &input.unit, UNIT_CHARS)?;
    if unit.is_empty() {
        unit = DEFAULT_UNIT.into();
    }
    let unit_price = decimal_field("Einzelpreis", &input.unit_price, 4)?;
    if unit_price >= Decimal::from(UNIT_PRICE_LIMIT) {
        return Err(AppError::validation(
            "Einzelpreis",
            "Der Einzelpreis muss kleiner als 100.000.000 € sein.",
        ));
    }
    let tax_rate = if input.tax_rate.trim().is_empty() {
        Decimal::from(DEFAULT_TAX_RATE)
    } else {
        parse::parse_tax_rate(&input.tax_rate).map_err(field_err("Steuersatz"))?
    };
    // „Art“: blank = by the unit (stored as none, so it follows the unit).
    let art = match input.art.trim() {
        "" => None,
        a => Some(crate::model::ServiceArt::from_label(a).ok_or_else(|| {
            AppError::validation("Art", "Bitte Arbeit, Material oder Fahrt wählen.").at("art")
        })?),
    };
    Ok((
        date,
        EntryKind::Service {
            name,
            quantity,
            unit,
            unit_price,
            tax_rate,
            art,
            article: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_work_date_more_than_a_week_ahead_is_refused_naming_it() {
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let dec20 = d(2026, 12, 20);
        assert_eq!(work_date(d(2026, 12, 27), dec20), Ok(d(2026, 12, 27)));
        assert_eq!(work_date(d(2026, 12, 1), dec20), Ok(d(2026, 12, 1)));
        assert_eq!(
            work_date(d(2027, 12, 31), dec20),
            Err(
                "31.12.2027 liegt mehr als eine Woche in der Zukunft. Bitte das Datum prüfen."
                    .into()
            )
        );
        assert!(work_date(d(2026, 12, 28), dec20).is_err());
    }

    use super::*;

    fn time_kind(i: &TimeInput) -> AppResult<(NaiveDate, EntryKind)> {
        super::time_kind(i, crate::de::clock::today_berlin())
    }

    fn service_kind(i: &ServiceInput) -> AppResult<(NaiveDate, EntryKind)> {
        super::service_kind(i, crate::de::clock::today_berlin())
    }

    /// A value at each limit passes the form; one character more does not.
    #[test]
    fn forms_take_exactly_the_limits() {
        let time = |employee: &str| TimeInput {
            project_id: 1,
            date: "03.02.2025".into(),
            employee: employee.into(),
            duration: "1:00".into(),
            ..Default::default()
        };
        assert!(time_kind(&time(&"m".repeat(EMPLOYEE_CHARS))).is_ok());
        assert!(time_kind(&time(&"m".repeat(EMPLOYEE_CHARS + 1))).is_err());
        let service = |name: &str, unit: &str| ServiceInput {
            project_id: 1,
            date: "03.02.2025".into(),
            name: name.into(),
            quantity: "1".into(),
            unit: unit.into(),
            unit_price: "1".into(),
            ..Default::default()
        };
        assert!(service_kind(&service(
            &"n".repeat(SERVICE_NAME_CHARS),
            &"u".repeat(UNIT_CHARS)
        ))
        .is_ok());
        assert!(service_kind(&service(&"n".repeat(SERVICE_NAME_CHARS + 1), "Std.")).is_err());
        assert!(service_kind(&service("Fliesen", &"u".repeat(UNIT_CHARS + 1))).is_err());
    }

    /// What the form accepts, `check` accepts; one character more is refused by
    /// both, with the same field.
    #[test]
    fn check_agrees_with_the_forms() {
        let time = |employee: &str| TimeInput {
            project_id: 1,
            date: "03.02.2025".into(),
            employee: employee.into(),
            duration: "1:00".into(),
            ..Default::default()
        };
        let (_, kind) = time_kind(&time(&"m".repeat(EMPLOYEE_CHARS))).unwrap();
        assert_eq!(check(&kind, &"d".repeat(DESCRIPTION_CHARS)), Ok(()));
        assert_eq!(
            check(&kind, &"d".repeat(DESCRIPTION_CHARS + 1))
                .unwrap_err()
                .0,
            "Beschreibung"
        );
        assert_eq!(check(&kind, "zwei\nZeilen"), Ok(()));
        if let EntryKind::Time { employee, .. } = &mut kind.clone() {
            employee.push('m');
            let long = EntryKind::Time {
                employee: employee.clone(),
                employee_id: None,
                start: None,
                end: None,
                break_minutes: 0,
                minutes: 60,
            };
            assert_eq!(check(&long, "").unwrap_err().0, "Mitarbeiter");
            assert!(time_kind(&time(employee)).is_err());
        }
        let service = EntryKind::Service {
            name: "Fliesen".into(),
            quantity: Decimal::from(QUANTITY_LIMIT),
            unit: "m²".into(),
            unit_price: Decimal::ONE,
            tax_rate: Decimal::from(19),
            art: None,
            article: None,
        };
        assert_eq!(check(&service, "").unwrap_err().0, "Menge");
        let service = EntryKind::Service {
            name: "Fliesen".into(),
            quantity: Decimal::ONE,
            unit: "m²".into(),
            unit_price: Decimal::ONE,
            tax_rate: Decimal::from(16),
            art: None,
            article: None,
        };
        assert_eq!(check(&service, "").unwrap_err().0, "Steuersatz");
    }
}
