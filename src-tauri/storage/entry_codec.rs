//! How a time or service entry is stored in the `entries` tree: a compact binary
//! value (first byte [`BINARY_V1`]). Decoding one is ~10× cheaper than the JSON
//! document it replaces, which is what lets the preview of a project with 100,000
//! entries in the period stay fast (docs/benchmarks.md). Values written by older
//! versions are JSON (first byte `{`) and are still read; backups stay JSON.
//!
//! Layout (integers little-endian; a string is a u32 byte length + UTF-8; an
//! option is a 0/1 byte + the value):
//! id u64 · project id u64 · date i32 (days from 0001-01-01) · billable u8 ·
//! billing u8 (0 open, 1 reserved + attempt string, 2 billed + invoice id string) ·
//! description string · csv fingerprint option u64 · created, updated (i64
//! seconds + u32 nanoseconds each) · kind u8:
//! 0 time: employee string, employee id option u64, start and end option
//! (u32 seconds + u32 nanoseconds from midnight), break minutes u32, minutes u32;
//! 1 service: name string, quantity 16 bytes, unit string, unit price 16 bytes,
//! tax rate 16 bytes (`rust_decimal::Decimal::serialize`); 2 service with an Art:
//! the same, then the Art u8 (0 Arbeit, 1 Material, 2 Fahrt); 3 service from a
//! lexoffice article: as 1, then an Art option u8 (0 none, else Art + 1), the
//! article id string and a product u8 (0 SERVICE, 1 PRODUCT).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use rust_decimal::Decimal;

use super::{BillingState, Entry, EntryKind, ServiceArt};

/// First byte of a binary entry value (never the first byte of JSON).
pub const BINARY_V1: u8 = 0xB1;

// ---------------------------------------------------------------- writing

struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            Some(v) => {
                self.u8(1);
                self.u64(v);
            }
            None => self.u8(0),
        }
    }
    fn time(&mut self, t: DateTime<Utc>) {
        self.i64(t.timestamp());
        self.u32(t.timestamp_subsec_nanos());
    }
    fn clock(&mut self, t: Option<NaiveTime>) {
        match t {
            Some(t) => {
                self.u8(1);
                self.u32(t.num_seconds_from_midnight());
                self.u32(t.nanosecond());
            }
            None => self.u8(0),
        }
    }
    fn dec(&mut self, d: Decimal) {
        self.0.extend_from_slice(&d.serialize());
    }
}

/// The stored value of `e`.
pub fn encode(e: &Entry) -> Vec<u8> {
    let mut o = Out(Vec::with_capacity(96 + e.description.len()));
    o.u8(BINARY_V1);
    o.u64(e.id);
    o.u64(e.project_id);
    o.0.extend_from_slice(&e.date.num_days_from_ce().to_le_bytes());
    o.u8(u8::from(e.billable));
    match &e.billing {
        BillingState::Open => o.u8(0),
        BillingState::Reserved { attempt } => {
            o.u8(1);
            o.str(attempt);
        }
        BillingState::Billed { invoice_id } => {
            o.u8(2);
            o.str(invoice_id);
        }
    }
    o.str(&e.description);
    o.opt_u64(e.csv_fingerprint);
    o.time(e.created_at);
    o.time(e.updated_at);
    match &e.kind {
        EntryKind::Time {
            employee,
            employee_id,
            start,
            end,
            break_minutes,
            minutes,
        } => {
            o.u8(0);
            o.str(employee);
            o.opt_u64(*employee_id);
            o.clock(*start);
            o.clock(*end);
            o.u32(*break_minutes);
            o.u32(*minutes);
        }
        EntryKind::Service {
            name,
            quantity,
            unit,
            unit_price,
            tax_rate,
            art,
            article,
        } => {
            // 1 = without an Art (as written before Steuerfälle), 2 = with one,
            // 3 = from a lexoffice article.
            o.u8(match (art, article) {
                (_, Some(_)) => 3,
                (Some(_), None) => 2,
                (None, None) => 1,
            });
            o.str(name);
            o.dec(*quantity);
            o.str(unit);
            o.dec(*unit_price);
            o.dec(*tax_rate);
            let code = |a: &ServiceArt| match a {
                ServiceArt::Arbeit => 0,
                ServiceArt::Material => 1,
                ServiceArt::Fahrt => 2,
            };
            match article {
                Some(r) => {
                    o.u8(art.as_ref().map_or(0, |a| code(a) + 1));
                    o.str(&r.id);
                    o.u8(u8::from(r.product));
                }
                None => {
                    if let Some(a) = art {
                        o.u8(code(a));
                    }
                }
            }
        }
    }
    o.0
}

// ---------------------------------------------------------------- reading

struct In<'a>(&'a [u8]);

const SHORT: &str = "binary entry value ends early";

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err(SHORT.into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| "binary entry value: text is not UTF-8".into())
    }
    fn flag(&mut self) -> Result<bool, String> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(format!("binary entry value: flag {b}")),
        }
    }
    fn opt_u64(&mut self) -> Result<Option<u64>, String> {
        Ok(if self.flag()? {
            Some(self.u64()?)
        } else {
            None
        })
    }
    fn time(&mut self) -> Result<DateTime<Utc>, String> {
        let secs = self.i64()?;
        let nanos = self.u32()?;
        DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| "binary entry value: time out of range".into())
    }
    fn clock(&mut self) -> Result<Option<NaiveTime>, String> {
        if !self.flag()? {
            return Ok(None);
        }
        let secs = self.u32()?;
        let nanos = self.u32()?;
        NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
            .map(Some)
            .ok_or_else(|| "binary entry value: clock time out of range".into())
    }
    fn dec(&mut self) -> Result<Decimal, String> {
        let bytes: [u8; 16] = self.array()?;
        // `Decimal::deserialize` accepts any 16 bytes; a scale above 28 is invalid.
        if bytes[2] > 28 {
            return Err("binary entry value: decimal scale".into());
        }
        Ok(Decimal::deserialize(bytes))
    }
}

/// Decodes a stored entry value: binary, or the JSON of older versions.
pub fn decode(v: &[u8]) -> Result<Entry, String> {
    match v.first() {
        Some(&BINARY_V1) => decode_binary(&v[1..]),
        _ => serde_json::from_slice(v).map_err(|e| e.to_string()),
    }
}

fn decode_binary(v: &[u8]) -> Result<Entry, String> {
    let mut i = In(v);
    let id = i.u64()?;
    let project_id = i.u64()?;
    let days = i32::from_le_bytes(i.array()?);
    let date = NaiveDate::from_num_days_from_ce_opt(days)
        .ok_or_else(|| "binary entry value: date out of range".to_string())?;
    let billable = i.flag()?;
    let billing = match i.u8()? {
        0 => BillingState::Open,
        1 => BillingState::Reserved { attempt: i.str()? },
        2 => BillingState::Billed {
            invoice_id: i.str()?,
        },
        b => return Err(format!("binary entry value: billing state {b}")),
    };
    let description = i.str()?;
    let csv_fingerprint = i.opt_u64()?;
    let created_at = i.time()?;
    let updated_at = i.time()?;
    let kind = match i.u8()? {
        0 => EntryKind::Time {
            employee: i.str()?,
            employee_id: i.opt_u64()?,
            start: i.clock()?,
            end: i.clock()?,
            break_minutes: i.u32()?,
            minutes: i.u32()?,
        },
        k @ (1..=3) => {
            let (name, quantity, unit, unit_price, tax_rate) =
                (i.str()?, i.dec()?, i.str()?, i.dec()?, i.dec()?);
            let art_of = |b: u8| match b {
                0 => Ok(ServiceArt::Arbeit),
                1 => Ok(ServiceArt::Material),
                2 => Ok(ServiceArt::Fahrt),
                b => Err(format!("binary entry value: Art {b}")),
            };
            let (art, article) = match k {
                2 => (Some(art_of(i.u8()?)?), None),
                3 => {
                    let art = match i.u8()? {
                        0 => None,
                        b => Some(art_of(b - 1)?),
                    };
                    let id = i.str()?;
                    let product = match i.u8()? {
                        0 => false,
                        1 => true,
                        b => return Err(format!("binary entry value: article kind {b}")),
                    };
                    (art, Some(super::ArticleRef { id, product }))
                }
                _ => (None, None),
            };
            EntryKind::Service {
                name,
                quantity,
                unit,
                unit_price,
                tax_rate,
                art,
                article,
            }
        }
        b => return Err(format!("binary entry value: kind {b}")),
    };
    if !i.0.is_empty() {
        return Err("binary entry value: bytes after the end".into());
    }
    Ok(Entry {
        id,
        project_id,
        date,
        description,
        billable,
        billing,
        kind,
        csv_fingerprint,
        created_at,
        updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn entries() -> Vec<Entry> {
        let t = DateTime::from_timestamp(1_764_590_400, 123_456_789).unwrap();
        let base = Entry {
            id: 7,
            project_id: 3,
            date: NaiveDate::from_ymd_opt(2025, 3, 10).unwrap(),
            description: "Leitungen verlegt\nzweite Zeile – ÄÖÜ ß 🎉".into(),
            billable: true,
            billing: BillingState::Open,
            kind: EntryKind::Time {
                employee: "Jonas Brandt".into(),
                employee_id: Some(42),
                start: NaiveTime::from_hms_opt(7, 30, 0),
                end: NaiveTime::from_hms_opt(16, 15, 0),
                break_minutes: 30,
                minutes: 495,
            },
            csv_fingerprint: Some(u64::MAX),
            created_at: t,
            updated_at: t + chrono::Duration::nanoseconds(1),
        };
        let mut out = vec![base.clone()];
        let mut e = base.clone();
        e.billing = BillingState::Reserved {
            attempt: "123".into(),
        };
        e.kind = EntryKind::Time {
            employee: String::new(),
            employee_id: None,
            start: None,
            end: None,
            break_minutes: 0,
            minutes: 1,
        };
        e.csv_fingerprint = None;
        out.push(e);
        let mut e = base;
        e.billable = false;
        e.description = String::new();
        e.billing = BillingState::Billed {
            invoice_id: "5a1d6f3e-2b4c-4d8e-9f00-1234567890ab".into(),
        };
        e.kind = EntryKind::Service {
            name: "Kabel NYM-J 3x1,5".into(),
            quantity: Decimal::from_str("12.3456").unwrap(),
            unit: "m".into(),
            unit_price: Decimal::from_str("0.0001").unwrap(),
            tax_rate: Decimal::from(19),
            art: None,
            article: None,
        };
        out.push(e.clone());
        // With an Art (kind 2).
        e.id += 1;
        if let EntryKind::Service { art, .. } = &mut e.kind {
            *art = Some(ServiceArt::Fahrt);
        }
        out.push(e.clone());
        // From a lexoffice article (kind 3), with and without an Art.
        for (art, product) in [(Some(ServiceArt::Material), true), (None, false)] {
            e.id += 1;
            if let EntryKind::Service {
                art: a, article, ..
            } = &mut e.kind
            {
                *a = art;
                *article = Some(crate::storage::ArticleRef {
                    id: "0f3c2a10-4b5e-4c7d-8e9f-a0b1c2d3e4f5".into(),
                    product,
                });
            }
            out.push(e.clone());
        }
        out
    }

    #[test]
    fn every_field_comes_back_exactly() {
        for e in entries() {
            let v = encode(&e);
            assert_eq!(v[0], BINARY_V1);
            assert_eq!(decode(&v), Ok(e.clone()));
            // Older versions wrote JSON; it is still read.
            assert_eq!(decode(&serde_json::to_vec(&e).unwrap()), Ok(e));
        }
    }

    #[test]
    fn a_cut_or_garbled_value_is_an_error_not_a_panic() {
        let v = encode(&entries()[0]);
        for n in 1..v.len() {
            assert!(decode(&v[..n]).is_err(), "cut at {n}");
        }
        let mut longer = v.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let mut bad_state = v.clone();
        bad_state[1 + 8 + 8 + 4 + 1] = 9;
        assert!(decode(&bad_state).is_err());
        assert!(decode(b"{\"id\":2,").is_err());
        assert!(decode(b"").is_err());
    }

    #[test]
    fn the_binary_value_is_much_smaller_than_the_json() {
        let e = &entries()[0];
        assert!(encode(e).len() * 2 < serde_json::to_vec(e).unwrap().len());
    }
}
