//! The one set of limits for a time or service entry, shared by the forms
//! („Zeit erfassen“, „Leistung erfassen“) and the CSV import, so that every
//! imported entry can be opened and saved again from its form.
//!
//! Text lengths count characters (after trimming). Multi-line text is allowed in
//! Beschreibung only.

use rust_decimal::Decimal;

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

/// Whether a quantity is inside the limits (> 0, below [`QUANTITY_LIMIT`]).
pub fn quantity_ok(q: Decimal) -> bool {
    q > Decimal::ZERO && q < Decimal::from(QUANTITY_LIMIT)
}

/// Whether a unit price is inside the limits (≥ 0, below [`UNIT_PRICE_LIMIT`]).
pub fn unit_price_ok(p: Decimal) -> bool {
    !p.is_sign_negative() && p < Decimal::from(UNIT_PRICE_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projekte::{service_kind, time_kind, ServiceInput, TimeInput};

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
}
