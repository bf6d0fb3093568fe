//! The records of the decoded text, read by the `csv` crate (RFC 4180: `"`
//! quotes, `""`, separators and line breaks inside quotes, CRLF/LF/CR), each with
//! the physical line it starts on and a check for a quote that is never closed.
//!
//! Two things the crate leaves to us:
//! - **Lines.** `Position::line` counts only LF and is taken before the blank lines
//!   the crate skips, so the line is counted here from the record's byte offset
//!   (`Position::byte`): CRLF, LF and a lone CR are one line end each.
//! - **Unterminated quotes.** The crate reads an open quote to the end of the input
//!   without an error (BurntSushi/rust-csv issues 252 and 289). Such a record always
//!   ends at the end of the text; a record that ends before it was closed by a line
//!   end outside quotes. So only a record ending at the end is checked: its text is
//!   read once more with `\n"` appended. A closed record ends at the appended line
//!   end and the `"` is a second record; in an open quote both are part of the
//!   field, and the tail stays one record.

use std::io::Read;

use super::MAX_ROWS;

pub(super) struct Record {
    pub line: usize,
    pub fields: Vec<String>,
    /// Index of a field whose opening quote is never closed.
    pub unterminated: Option<usize>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.unterminated.is_none() && self.fields.iter().all(|f| f.trim().is_empty())
    }
}

pub(super) struct Reader<'a> {
    text: &'a [u8],
    delim: u8,
    csv: ::csv::Reader<&'a [u8]>,
    record: ::csv::ByteRecord,
    /// Byte offset up to which line ends are counted, and the line there.
    counted: usize,
    line: usize,
}

fn builder(delim: u8) -> ::csv::ReaderBuilder {
    let mut b = ::csv::ReaderBuilder::new();
    b.has_headers(false).flexible(true).delimiter(delim);
    b
}

/// A field's text; line breaks inside quotes become `\n`, as the fields expect.
fn field_text(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.into_owned()
    }
}

impl<'a> Reader<'a> {
    /// `line` is the physical line `text` starts on.
    pub fn new(text: &'a str, delim: char, line: usize) -> Self {
        // The crate splits at a byte; a separator outside ASCII (only a foreign
        // `sep=` line can name one) never occurs as a byte, NUL does not occur in
        // decoded text: such a file's lines are read unsplit.
        let delim = u8::try_from(delim).ok().filter(u8::is_ascii).unwrap_or(0);
        let text = text.as_bytes();
        Reader {
            text,
            delim,
            csv: builder(delim).from_reader(text),
            record: ::csv::ByteRecord::new(),
            counted: 0,
            line,
        }
    }

    /// The physical line of the record starting at byte `start` (which may point
    /// at the line ends of blank lines the crate skipped).
    fn line_at(&mut self, start: usize) -> usize {
        let text = self.text;
        let mut start = start.max(self.counted).min(text.len());
        while matches!(text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let seen = &text[self.counted..start];
        for (i, &b) in seen.iter().enumerate() {
            // CRLF counts once: at its LF. `start` never splits a CRLF, it stands
            // on neither byte.
            if b == b'\n' || (b == b'\r' && seen.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.counted = start;
        self.line
    }

    /// Whether the record starting at byte `start` and ending at the end of the
    /// text ends inside an open quote (see the module doc).
    fn ends_in_open_quote(&self, start: usize) -> bool {
        let tail = self.text.get(start..).unwrap_or_default();
        let mut again = builder(self.delim).from_reader(tail.chain(&b"\n\""[..]));
        let mut record = ::csv::ByteRecord::new();
        let mut records = 0;
        while records < 2 && again.read_byte_record(&mut record).unwrap_or(false) {
            records += 1;
        }
        records == 1
    }

    fn next_record(&mut self) -> Option<Record> {
        // Reading from a byte slice cannot fail (no I/O, bytes not checked as UTF-8).
        if !self.csv.read_byte_record(&mut self.record).unwrap_or(false) {
            return None;
        }
        let start = self
            .record
            .position()
            .map_or(self.counted, |p| p.byte() as usize);
        let line = self.line_at(start);
        let fields: Vec<String> = self.record.iter().map(field_text).collect();
        let at_end = self.csv.position().byte() as usize >= self.text.len();
        let unterminated =
            (at_end && self.ends_in_open_quote(start)).then(|| fields.len().saturating_sub(1));
        Some(Record {
            line,
            fields,
            unterminated,
        })
    }

    pub fn next_nonblank(&mut self) -> Option<Record> {
        loop {
            let rec = self.next_record()?;
            if !rec.is_blank() {
                return Some(rec);
            }
        }
    }
}

/// Every non-blank record of `text` split at `delim`, with the physical line it
/// starts on (the first line of `text` is `first_line`). For the Spaltenzuordnung.
pub fn raw_records(text: &str, delim: char, first_line: usize) -> Vec<(usize, Vec<String>)> {
    let mut r = Reader::new(text, delim, first_line);
    let mut out = Vec::new();
    while let Some(rec) = r.next_nonblank() {
        out.push((rec.line, rec.fields));
        if out.len() > MAX_ROWS + 1 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(usize, Vec<String>, Option<usize>)> {
        let mut r = Reader::new(text, ';', 1);
        std::iter::from_fn(|| r.next_nonblank())
            .map(|rec| (rec.line, rec.fields, rec.unterminated))
            .collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn unterminated_quote_in_the_last_row() {
        for end in ["", "\n", "\r\n", "\n\n"] {
            let text = format!("Projekt;Beschreibung\nP1;ok\nP2;\"offen{end}");
            let recs = records(&text);
            assert_eq!(recs.len(), 3, "{end:?}");
            assert_eq!((recs[0].2, recs[1].2), (None, None));
            assert_eq!((recs[2].0, recs[2].2), (3, Some(1)), "{end:?}");
        }
        // An open quote after an escaped one, and one right at the end.
        for last in ["P2;\"a \"\"b\"\"", "P2;\"", "P2;\"a\"\"\n"] {
            let recs = records(&format!("Projekt;Beschreibung\n{last}"));
            assert_eq!(recs[1].2, Some(1), "{last:?}");
        }
    }

    #[test]
    fn unterminated_quote_in_the_header() {
        let recs = records("Projekt;\"Datum\nP;1\n");
        assert_eq!(recs.len(), 1);
        assert_eq!(
            (recs[0].0, recs[0].2, recs[0].1[1].as_str()),
            (1, Some(1), "Datum\nP;1\n")
        );
    }

    #[test]
    fn closed_quotes_are_not_flagged() {
        for end in ["", "\n", "\r\n", "\r"] {
            // A multi-line Beschreibung in the last row, closed, also quoted last.
            let text =
                format!("Projekt;Beschreibung\r\nP1;\"Zeile eins\r\nZeile \"\"zwei\"\"\"{end}");
            let recs = records(&text);
            assert_eq!(recs.len(), 2, "{end:?}");
            assert_eq!(recs[1].1, strings(&["P1", "Zeile eins\nZeile \"zwei\""]));
            assert_eq!((recs[1].0, recs[1].2), (2, None), "{end:?}");
            // A plain last row, and one whose last field is empty.
            for last in ["P2;x", "P2;", "P2;\"\""] {
                let recs = records(&format!("Projekt;Beschreibung\n{last}{end}"));
                assert_eq!(recs[1].2, None, "{last:?} {end:?}");
            }
        }
    }

    #[test]
    fn physical_lines_with_quoted_line_breaks_and_blank_lines() {
        for nl in ["\n", "\r\n", "\r"] {
            let text =
                format!("{nl}A;B{nl}\"1{nl}{nl}2\";x{nl}{nl};;;{nl}  {nl}c;\"d{nl}e\"{nl}f;g");
            let recs = records(&text);
            let lines: Vec<usize> = recs.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![2, 3, 9, 11], "{nl:?}");
            assert_eq!(recs[1].1, strings(&["1\n\n2", "x"]));
            assert_eq!(recs[2].1, strings(&["c", "d\ne"]));
        }
    }

    #[test]
    fn quotes_inside_plain_fields_stay_and_a_quote_after_blanks_is_text() {
        let recs = records("a;12\" Rohr;b\"c\"\nx; \"y;z\"\n");
        assert_eq!(recs[0].1, strings(&["a", "12\" Rohr", "b\"c\""]));
        assert_eq!(recs[1].1, strings(&["x", " \"y", "z\""]));
        assert!(recs.iter().all(|r| r.2.is_none()));
    }

    #[test]
    fn other_separators() {
        let recs = raw_records("sep=x\na\tb\n", '\t', 1);
        assert_eq!(recs[1], (2, strings(&["a", "b"])));
        // A separator outside ASCII leaves the lines whole.
        let recs = raw_records("a€b\n", '€', 1);
        assert_eq!(recs, vec![(1, strings(&["a€b"]))]);
    }
}
