//! The row rules: one record under the header → a time, a service or a German
//! reason naming the column and the value.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::header::{Col, Header, ALL_COLS};
use super::reader::Record;
use super::{ParsedRow, ServiceRow, TimeRow, MAX_FIELD_CHARS};
use crate::de::parse::{self, show, PlainUnit};
use crate::model::entry_rules::{
    DEFAULT_TAX_RATE, DEFAULT_UNIT, DESCRIPTION_CHARS, EMPLOYEE_CHARS, QUANTITY_LIMIT,
    SERVICE_NAME_CHARS, UNIT_CHARS, UNIT_PRICE_LIMIT,
};
use crate::money::{parse_de, DecimalError};

struct Row<'a> {
    h: &'a Header,
    fields: &'a [String],
    errors: Vec<String>,
}

impl<'a> Row<'a> {
    /// Trimmed, non-empty cell of column `c`.
    fn raw(&self, c: Col) -> Option<&'a str> {
        let info = self.h.info(c)?;
        let fields: &'a [String] = self.fields;
        fields
            .get(info.idx)
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
    }

    fn has(&self, c: Col) -> bool {
        self.raw(c).is_some()
    }

    fn err(&mut self, c: Col, msg: impl AsRef<str>) {
        let name = self.h.name(c);
        self.errors
            .push(format!("Spalte „{}“: {}", show(&name), msg.as_ref()));
    }

    /// Parses a non-empty cell; None when empty or invalid (then an error is recorded).
    fn parsed<T>(&mut self, c: Col, f: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let v = self.raw(c)?;
        match f(v) {
            Ok(x) => Some(x),
            Err(e) => {
                self.err(c, e);
                None
            }
        }
    }

    /// A text cell: no control characters (line breaks only if `multiline`), at most
    /// `max` characters. Empty → `Some("")`; invalid → None plus an error.
    fn text(&mut self, c: Col, multiline: bool, max: usize) -> Option<String> {
        let Some(v) = self.raw(c) else {
            return Some(String::new());
        };
        let count = v.chars().count();
        if count > max {
            self.err(
                c,
                format!(
                    "Der Text „{}“ ist zu lang ({} Zeichen, höchstens {}).",
                    show(v),
                    count,
                    max
                ),
            );
            return None;
        }
        if let Some(bad) = v
            .chars()
            .find(|ch| ch.is_control() && !(multiline && *ch == '\n'))
        {
            let msg = if bad == '\n' {
                format!(
                    "Der Text „{}“ enthält einen Zeilenumbruch; hier ist nur eine Zeile erlaubt.",
                    show(v)
                )
            } else {
                format!(
                    "Der Text „{}“ enthält ein unzulässiges Steuerzeichen (U+{:04X}).",
                    show(v),
                    u32::from(bad)
                )
            };
            self.err(c, msg);
            return None;
        }
        Some(v.to_string())
    }

    /// A required text cell.
    fn required_text(&mut self, c: Col, what: &str, multiline: bool, max: usize) -> Option<String> {
        let t = self.text(c, multiline, max)?;
        if t.is_empty() {
            if self.h.info(c).is_some() {
                self.err(c, format!("Bitte {what} angeben."));
            } else {
                self.err(c, format!("Die Spalte fehlt; {what} ist hier Pflicht."));
            }
            return None;
        }
        Some(t)
    }

    /// A decimal with at most 4 places, ≥ 0 and below `limit`.
    fn decimal(&mut self, c: Col, noun: &str, negative: &str, limit: i64) -> Option<Decimal> {
        let Some(v) = self.raw(c) else {
            if self.h.info(c).is_some() {
                self.err(c, format!("Bitte {noun} angeben."));
            } else {
                self.err(
                    c,
                    format!("Die Spalte fehlt; {noun} ist für Leistungen Pflicht."),
                );
            }
            return None;
        };
        match parse_de(v, 4) {
            Ok(d) if d >= Decimal::from(limit) => {
                self.err(
                    c,
                    format!(
                        "Der Wert „{}“ ist zu groß (höchstens {}).",
                        show(v),
                        crate::de::format::format_de(Decimal::from(limit) - Decimal::new(1, 4), 0)
                    ),
                );
                None
            }
            Ok(d) => Some(d),
            Err(DecimalError::Negative) => {
                self.err(c, format!("{negative} „{}“ ist nicht erlaubt.", show(v)));
                None
            }
            Err(e) => {
                self.err(c, format!("Ungültiger Wert „{}“. {e}", show(v)));
                None
            }
        }
    }

    fn common(&mut self) -> Option<(String, Option<String>, NaiveDate, String, bool)> {
        let project = self.required_text(
            Col::Projekt,
            "ein Projekt (Nummer oder Name)",
            false,
            MAX_FIELD_CHARS,
        );
        let sub = self.text(Col::Unterprojekt, false, MAX_FIELD_CHARS);
        let date = match self.raw(Col::Datum) {
            None => {
                self.err(Col::Datum, "Bitte ein Datum angeben (TT.MM.JJJJ).");
                None
            }
            Some(_) => self.parsed(Col::Datum, |v| {
                parse::parse_date(v).and_then(|d| {
                    crate::model::entry_rules::work_date(d, crate::de::clock::today_berlin())
                })
            }),
        };
        let description = self.text(Col::Beschreibung, true, DESCRIPTION_CHARS);
        let billable = match self.raw(Col::Abrechenbar) {
            None => Some(true),
            Some(_) => self.parsed(Col::Abrechenbar, |v| parse::parse_bool_de(v, true)),
        };
        let subproject = sub?;
        let subproject = if subproject.is_empty() {
            None
        } else {
            Some(subproject)
        };
        Some((project?, subproject, date?, description?, billable?))
    }

    fn time(&mut self) -> Option<TimeRow> {
        let common = self.common();
        let employee = self.text(Col::Mitarbeiter, false, EMPLOYEE_CHARS);
        let n_err = self.errors.len();
        let start = self.parsed(Col::Von, parse::parse_clock);
        let end = self.parsed(Col::Bis, parse::parse_clock);
        let brk_unit = self.h.unit(Col::Pause, PlainUnit::Minutes);
        let brk = self.parsed(Col::Pause, |v| parse::parse_break_in(v, brk_unit));
        let dur_unit = self.h.unit(Col::Dauer, PlainUnit::Hours);
        let dur = self.parsed(Col::Dauer, |v| parse::parse_duration_in(v, dur_unit));
        if self.errors.len() > n_err {
            return None;
        }
        let brk = brk.unwrap_or(0);
        let (von, bis, pause, dauer) = (
            self.h.name(Col::Von),
            self.h.name(Col::Bis),
            self.h.name(Col::Pause),
            self.h.name(Col::Dauer),
        );
        let at = |m: u32| NaiveTime::from_num_seconds_from_midnight_opt(m * 60, 0);
        let clock = |t: NaiveTime| parse::format_clock(t);
        let (start, end, minutes) = match (start, end, dur) {
            (Some(s), Some(e), dur) => {
                let computed = match parse::minutes_between(s, e, brk) {
                    Ok(m) => m,
                    Err(msg) => {
                        if e > s {
                            self.err(Col::Pause, msg);
                        } else {
                            self.errors.push(format!(
                                "Spalten „{}“/„{}“: {msg}",
                                show(&von),
                                show(&bis)
                            ));
                        }
                        return None;
                    }
                };
                if let Some(d) = dur {
                    if computed.abs_diff(d) > 1 {
                        let raw = self.raw(Col::Dauer).unwrap_or_default();
                        let shown = if raw == crate::de::format::minutes(u64::from(d)) {
                            format!("„{raw}“")
                        } else {
                            format!(
                                "„{}“ ({})",
                                show(raw),
                                crate::de::format::minutes(u64::from(d))
                            )
                        };
                        self.err(
                            Col::Dauer,
                            format!(
                                "{shown} passt nicht zu „{von}“ {} bis „{bis}“ {}{} (= {}).",
                                clock(s),
                                clock(e),
                                if brk > 0 {
                                    format!(" abzüglich „{pause}“ {brk} Min.")
                                } else {
                                    String::new()
                                },
                                crate::de::format::minutes(u64::from(computed))
                            ),
                        );
                        return None;
                    }
                }
                (Some(s), Some(e), computed)
            }
            (Some(s), None, Some(d)) => {
                let total = parse::minutes_of_day(s) + brk + d;
                match at(total).filter(|_| total < parse::DAY_MINUTES) {
                    Some(e) => (Some(s), Some(e), d),
                    None => {
                        self.err(
                            Col::Dauer,
                            format!(
                                "Beginn {} plus Dauer {}{} endet nach Mitternacht. Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen.",
                                clock(s),
                                crate::de::format::minutes(u64::from(d)),
                                pause_text(brk)
                            ),
                        );
                        return None;
                    }
                }
            }
            (None, Some(e), Some(d)) => {
                match parse::minutes_of_day(e).checked_sub(brk + d).and_then(at) {
                    Some(s) => (Some(s), Some(e), d),
                    None => {
                        self.err(
                            Col::Dauer,
                            format!(
                                "Ende {} minus Dauer {}{} beginnt vor Mitternacht. Arbeitszeiten über Mitternacht bitte auf zwei Tage aufteilen.",
                                clock(e),
                                crate::de::format::minutes(u64::from(d)),
                                pause_text(brk)
                            ),
                        );
                        return None;
                    }
                }
            }
            (None, None, Some(d)) => (None, None, d),
            (Some(s), None, None) => {
                self.err(
                    Col::Bis,
                    format!(
                        "Bitte „{bis}“ oder „{dauer}“ angeben („{von}“ ist {}).",
                        clock(s)
                    ),
                );
                return None;
            }
            (None, Some(e), None) => {
                self.err(
                    Col::Von,
                    format!(
                        "Bitte „{von}“ oder „{dauer}“ angeben („{bis}“ ist {}).",
                        clock(e)
                    ),
                );
                return None;
            }
            (None, None, None) => {
                self.err(
                    Col::Dauer,
                    format!("Bitte „{von}“ und „{bis}“ oder eine „{dauer}“ angeben."),
                );
                return None;
            }
        };
        let (project, subproject, date, description, billable) = common?;
        Some(TimeRow {
            project,
            subproject,
            date,
            employee: employee?,
            start,
            end,
            break_minutes: brk,
            minutes,
            description,
            billable,
        })
    }

    fn service(&mut self) -> Option<ServiceRow> {
        let common = self.common();
        let name = self.required_text(
            Col::Bezeichnung,
            "eine Bezeichnung",
            false,
            SERVICE_NAME_CHARS,
        );
        let quantity = self.decimal(Col::Menge, "eine Menge", "Negative Menge", QUANTITY_LIMIT);
        let quantity = match quantity {
            Some(q) if q.is_zero() => {
                let raw = self.raw(Col::Menge).unwrap_or_default();
                self.err(
                    Col::Menge,
                    format!("Die Menge muss größer als 0 sein („{}“).", show(raw)),
                );
                None
            }
            q => q,
        };
        let unit_price = self.decimal(
            Col::Einzelpreis,
            "einen Einzelpreis",
            "Negativer Einzelpreis",
            UNIT_PRICE_LIMIT,
        );
        let unit = self.text(Col::Einheit, false, UNIT_CHARS);
        let tax_rate = match self.raw(Col::Steuersatz) {
            None => Some(Decimal::from(DEFAULT_TAX_RATE)),
            Some(_) => self.parsed(Col::Steuersatz, parse::parse_tax_rate),
        };
        let (project, subproject, date, description, billable) = common?;
        let unit = unit?;
        Some(ServiceRow {
            project,
            subproject,
            date,
            name: name?,
            description,
            quantity: quantity?.normalize(),
            unit: if unit.is_empty() {
                DEFAULT_UNIT.to_string()
            } else {
                unit
            },
            unit_price: unit_price?.normalize(),
            tax_rate: tax_rate?,
            billable,
        })
    }
}

fn pause_text(brk: u32) -> String {
    if brk > 0 {
        format!(" und Pause {brk} Min.")
    } else {
        String::new()
    }
}

enum Kind {
    Time,
    Service,
}

pub(super) fn parse_record(h: &Header, rec: &Record, delim: char) -> Result<ParsedRow, String> {
    let mut row = Row {
        h,
        fields: &rec.fields,
        errors: Vec::new(),
    };

    if let Some(idx) = rec.unterminated {
        return Err(format!(
            "Spalte {}: Ein Anführungszeichen (\") wird nicht geschlossen; der Rest der Datei wurde als ein Feld gelesen.",
            h.name_at(idx)
        ));
    }
    // Values beyond the header.
    if let Some((idx, v)) = rec
        .fields
        .iter()
        .enumerate()
        .skip(h.width)
        .find(|(_, f)| !f.trim().is_empty())
    {
        let mut msg = format!(
            "Spalte {}: Zusätzlicher Wert „{}“ – die Zeile hat mehr Felder als die Kopfzeile.",
            h.name_at(idx),
            show(v.trim())
        );
        if delim == ',' {
            msg.push_str(" Bei Komma als Trennzeichen müssen Zahlen mit Komma in Anführungszeichen stehen (\"12,5\").");
        }
        return Err(msg);
    }
    // Field length, for every column we read.
    for c in ALL_COLS {
        if let Some(v) = row.raw(c) {
            let n = v.chars().count();
            if n > MAX_FIELD_CHARS {
                row.err(
                    c,
                    format!(
                        "Der Wert „{}“ ist zu lang ({n} Zeichen, höchstens {MAX_FIELD_CHARS}).",
                        show(v)
                    ),
                );
            }
        }
    }
    if !row.errors.is_empty() {
        return Err(row.errors.join(" "));
    }

    let kind = match row.raw(Col::Typ) {
        Some(v) => match v.to_lowercase().as_str() {
            "zeit" | "zeiten" | "arbeitszeit" | "projektzeit" | "auftragszeit" => Kind::Time,
            "leistung" | "leistungen" | "material" => Kind::Service,
            _ => {
                row.err(
                    Col::Typ,
                    format!(
                        "Unbekannter Typ „{}“. Erlaubt sind „Zeit“ oder „Leistung“.",
                        show(v)
                    ),
                );
                return Err(row.errors.join(" "));
            }
        },
        None => {
            if row.has(Col::Bezeichnung) && row.has(Col::Menge) && row.has(Col::Einzelpreis) {
                Kind::Service
            } else if row.has(Col::Von) || row.has(Col::Bis) || row.has(Col::Dauer) {
                Kind::Time
            } else {
                let lead = if h.info(Col::Typ).is_some() {
                    "ist leer"
                } else {
                    "fehlt"
                };
                row.err(
                    Col::Typ,
                    format!(
                        "Der Typ {lead}, und die Zeile ist weder eine Zeit („Von“/„Bis“ oder „Dauer“) noch eine Leistung („Bezeichnung“, „Menge“ und „Einzelpreis“). Bitte „Zeit“ oder „Leistung“ angeben oder die Werte ergänzen."
                    ),
                );
                return Err(row.errors.join(" "));
            }
        }
    };
    let parsed = match kind {
        Kind::Time => row.time().map(ParsedRow::Time),
        Kind::Service => row.service().map(ParsedRow::Service),
    };
    match parsed {
        Some(p) if row.errors.is_empty() => Ok(p),
        _ if row.errors.is_empty() => {
            // Every None above records an error; keep a fallback anyway.
            Err("Die Zeile konnte nicht gelesen werden.".into())
        }
        _ => Err(row.errors.join(" ")),
    }
}
