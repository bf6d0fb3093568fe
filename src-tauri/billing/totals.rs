//! Totals exactly as lexoffice computes them for `taxType` net (docs/lexoffice.md › Totals and rounding):
//! `lineItemAmount = round2(quantity × netAmount)`; per tax rate
//! `net = Σ lineItemAmount`, `tax = round2(net × rate / 100)`; totals are the sums,
//! `gross = net + tax`. round2 is half-up (away from zero). One tax line per rate
//! used (0 % included), ascending; `text` items have no amounts.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{LineKind, PreviewLine, TaxLine, Totals};
use crate::de::format::{format_de, format_eur};
pub use crate::money::{round2, round_half_up};

/// `round2(quantity × unit price)`, or None when the product does not fit a Decimal.
pub fn line_amount(quantity: Decimal, unit_price: Decimal) -> Option<Decimal> {
    quantity.checked_mul(unit_price).map(round2)
}

/// `19 %`
pub fn rate_display(rate: Decimal) -> String {
    format!("{} %", format_de(rate, 0))
}

/// Totals of the `custom` lines of a preview, the way lexoffice will show them.
/// A line's amount is recomputed from quantity × unit price when both are set
/// (as lexoffice does), otherwise its `amount` is used. Lines without tax rate or
/// amount (text items) are ignored. Inputs built by [`super::build`] are bounded,
/// so the sums cannot overflow.
pub fn totals_of(lines: &[PreviewLine]) -> Totals {
    let mut per_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.kind == LineKind::Custom) {
        let amount = match (line.quantity, line.unit_price) {
            (Some(q), Some(p)) => line_amount(q, p).or(line.amount),
            _ => line.amount,
        };
        if let (Some(rate), Some(amount)) = (line.tax_rate, amount) {
            *per_rate.entry(rate.normalize()).or_insert(Decimal::ZERO) += amount;
        }
    }
    let taxes: Vec<TaxLine> = per_rate
        .into_iter()
        .map(|(rate, net)| {
            let net = round2(net);
            let tax = round2(net * rate / Decimal::ONE_HUNDRED);
            TaxLine {
                rate,
                net,
                tax,
                rate_display: rate_display(rate),
                net_display: format_eur(net),
                tax_display: format_eur(tax),
            }
        })
        .collect();
    let net = round2(taxes.iter().map(|t| t.net).sum());
    let tax = round2(taxes.iter().map(|t| t.tax).sum());
    let gross = round2(net + tax);
    Totals {
        net,
        taxes,
        tax,
        gross,
        net_display: format_eur(net),
        tax_display: format_eur(tax),
        gross_display: format_eur(gross),
    }
}
