//! The fingerprint of a row, for the idempotent re-import: FNV-1a 64 over the
//! normalised content. Stored in the database: the algorithm must never change
//! (pinned by the tests below).

use chrono::NaiveTime;

use super::header::{Header, ALL_COLS};
use super::reader::Record;
use super::ParsedRow;

/// FNV-1a 64 with length-prefixed fields. Stored in the database: never change it.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn field(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }
    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.bytes(&[1]);
                self.field(s);
            }
            None => self.bytes(&[0]),
        }
    }
}

pub(super) fn parsed(row: &ParsedRow) -> u64 {
    let mut f = Fnv::new();
    let clock = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
    match row {
        ParsedRow::Time(t) => {
            f.field("time/1");
            f.field(&t.project);
            f.opt(t.subproject.as_deref());
            f.field(&t.date.format("%Y-%m-%d").to_string());
            f.field(&t.employee);
            f.opt(clock(t.start).as_deref());
            f.opt(clock(t.end).as_deref());
            f.field(&t.break_minutes.to_string());
            f.field(&t.minutes.to_string());
            f.field(&t.description);
            f.field(if t.billable { "1" } else { "0" });
        }
        ParsedRow::Service(s) => {
            f.field("service/1");
            f.field(&s.project);
            f.opt(s.subproject.as_deref());
            f.field(&s.date.format("%Y-%m-%d").to_string());
            f.field(&s.name);
            f.field(&s.description);
            f.field(&s.quantity.normalize().to_string());
            f.field(&s.unit);
            f.field(&s.unit_price.normalize().to_string());
            f.field(&s.tax_rate.normalize().to_string());
            f.field(if s.billable { "1" } else { "0" });
        }
    }
    f.0
}

pub(super) fn raw(h: &Header, rec: &Record) -> u64 {
    let mut f = Fnv::new();
    f.field("invalid/1");
    for c in ALL_COLS {
        let v = h
            .info(c)
            .and_then(|i| rec.fields.get(i.idx))
            .map(|v| v.trim());
        f.opt(v);
    }
    for extra in rec.fields.iter().skip(h.width) {
        f.field(extra.trim());
    }
    f.0
}

#[cfg(test)]
mod tests {
    use super::super::parse_csv;
    use super::*;

    #[test]
    fn fingerprints() {
        let csv = "Projekt;Datum;Dauer;Beschreibung;Steuersatz;Bezeichnung;Menge;Einzelpreis\n\
                   P1;01.02.2025;1,5;Text;;;;\n\
                   P1;01.02.2025;1,5;Text;;;;\n\
                   P1;1.2.25;1:30; Text ;;;;\n\
                   P1;01.02.2025;1,5;Text!;;;;\n\
                   P1;01.02.2025;1,75;Text;;;;\n\
                   P2;01.02.2025;1,5;Text;;;;\n\
                   P1;01.02.2025;;;19 %;Kabel;1,50;2\n\
                   P1;01.02.2025;;;19;Kabel;1,5;2,00\n\
                   P1;01.02.2025;;;7;Kabel;1,5;2,00\n\
                   P1;31.02.2025;1;;;;;\n\
                   P1;31.02.2025;1;;;;;\n\
                   P1;31.02.2026;1;;;;;\n";
        let file = parse_csv(csv.as_bytes()).unwrap();
        let fp: Vec<u64> = file.rows.iter().map(|r| r.fingerprint).collect();
        assert_eq!(fp[0], fp[1], "identical rows");
        assert_eq!(fp[0], fp[2], "same content, other notation");
        assert_ne!(fp[0], fp[3], "changed description");
        assert_ne!(fp[0], fp[4], "changed duration");
        assert_ne!(fp[0], fp[5], "changed project");
        assert_eq!(fp[6], fp[7], "1,50 = 1,5 and 19 % = 19");
        assert_ne!(fp[7], fp[8], "changed tax rate");
        assert_eq!(fp[9], fp[10], "identical invalid rows");
        assert_ne!(fp[9], fp[11], "changed invalid rows");

        // Column order and a re-export in another encoding/separator do not matter.
        let other = "Beschreibung,Dauer,Datum,Projekt\r\nText,\"1,5\",2025-02-01,P1\r\n";
        assert_eq!(
            parse_csv(other.as_bytes()).unwrap().rows[0].fingerprint,
            fp[0]
        );

        // Pinned: fingerprints are stored in the database and must never change.
        assert_eq!(fp[0], GOLDEN_TIME_FP, "time fingerprint algorithm changed");
        assert_eq!(
            fp[6], GOLDEN_SERVICE_FP,
            "service fingerprint algorithm changed"
        );
    }

    #[test]
    fn fnv1a_reference_vectors() {
        for (input, want) in [
            ("", 0xcbf2_9ce4_8422_2325u64),
            ("a", 0xaf63_dc4c_8601_ec8c),
            ("foobar", 0x8594_4171_f739_67e8),
        ] {
            let mut f = Fnv::new();
            f.bytes(input.as_bytes());
            assert_eq!(f.0, want, "{input:?}");
        }
    }

    const GOLDEN_TIME_FP: u64 = 11_910_462_765_658_099_418;
    const GOLDEN_SERVICE_FP: u64 = 7_086_415_699_672_444_648;
}
