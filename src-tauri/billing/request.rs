//! The POST /v1/invoices body (docs/lexoffice.md › Creating an invoice): Berlin datetimes and JSON numbers.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::Berlin;
use rust_decimal::Decimal;
use serde_json::{json, Map, Number, Value};

use super::{BillingProblem, LineKind, PreviewLine};

/// `date` at 00:00 Europe/Berlin in lexoffice's format `yyyy-MM-ddTHH:mm:ss.SSSXXX`,
/// e.g. `2025-03-31T00:00:00.000+02:00` (summer) / `2025-01-31T00:00:00.000+01:00`.
pub fn berlin_midnight(date: NaiveDate) -> String {
    let naive = date.and_time(NaiveTime::MIN);
    // Berlin changes clocks at 02:00/03:00, so midnight always exists exactly once;
    // the fallback only keeps this total.
    let at = Berlin
        .from_local_datetime(&naive)
        .earliest()
        .unwrap_or_else(|| Berlin.from_utc_datetime(&naive));
    at.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// A Decimal as a JSON number whose text is exactly the normalised decimal
/// (`7.3333`, `85.5`, `1000`). Without serde_json's `arbitrary_precision` the
/// number is held as f64; the text round-trips for every value with at most 15
/// significant digits (all our quantities/prices: ≤ 4 decimals, bounded size).
/// Anything that would not round-trip is refused instead of being sent altered.
pub fn json_number(value: Decimal, line_name: &str) -> Result<Value, BillingProblem> {
    let text = value.normalize().to_string();
    let too_large = || BillingProblem::ValueTooLarge {
        name: line_name.to_string(),
    };
    let number = Number::from_str(&text).map_err(|_| too_large())?;
    if number.to_string() != text {
        return Err(too_large());
    }
    Ok(Value::Number(number))
}

/// One `lineItems` entry for a preview line.
pub fn line_item(line: &PreviewLine) -> Result<Value, BillingProblem> {
    let mut item = Map::new();
    match line.kind {
        LineKind::Text => {
            item.insert("type".into(), json!("text"));
            item.insert("name".into(), json!(line.name));
            if let Some(d) = &line.description {
                item.insert("description".into(), json!(d));
            }
        }
        LineKind::Custom => {
            let missing = || BillingProblem::ValueTooLarge {
                name: line.name.clone(),
            };
            let quantity = line.quantity.ok_or_else(missing)?;
            let price = line.unit_price.ok_or_else(missing)?;
            let rate = line.tax_rate.ok_or_else(missing)?;
            match &line.article {
                // A service from a lexoffice article: its type and id, the
                // values as for any line (docs/lexoffice.md › Articles).
                Some(a) => {
                    item.insert("type".into(), json!(a.line_type()));
                    item.insert("id".into(), json!(a.id));
                }
                None => {
                    item.insert("type".into(), json!("custom"));
                }
            }
            item.insert("name".into(), json!(line.name));
            if let Some(d) = &line.description {
                item.insert("description".into(), json!(d));
            }
            item.insert("quantity".into(), json_number(quantity, &line.name)?);
            item.insert(
                "unitName".into(),
                json!(line.unit.clone().unwrap_or_default()),
            );
            item.insert(
                "unitPrice".into(),
                json!({
                    "currency": "EUR",
                    "netAmount": json_number(price, &line.name)?,
                    "taxRatePercentage": json_number(rate, &line.name)?,
                }),
            );
        }
    }
    Ok(Value::Object(item))
}

/// `shippingConditions`: a period from the first to the last billed day, or
/// `service` with one date when everything happened on one day.
pub fn shipping_conditions(from: NaiveDate, to: NaiveDate) -> Value {
    if from == to {
        json!({ "shippingType": "service", "shippingDate": berlin_midnight(from) })
    } else {
        json!({
            "shippingType": "serviceperiod",
            "shippingDate": berlin_midnight(from),
            "shippingEndDate": berlin_midnight(to),
        })
    }
}
