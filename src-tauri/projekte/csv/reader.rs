//! The records of the decoded text, each with the physical line it starts on.

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

#[derive(Clone)]
pub(super) struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    delim: char,
}

#[derive(PartialEq)]
enum St {
    Start,
    Plain,
    Quoted,
    AfterQuote,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str, delim: char, line: usize) -> Self {
        Reader {
            chars: text.chars().peekable(),
            line,
            delim,
        }
    }

    /// Consumes a line end (CRLF, LF or lone CR) starting with `c`.
    fn newline(&mut self, c: char) -> bool {
        match c {
            '\n' => {}
            '\r' => {
                if self.chars.peek() == Some(&'\n') {
                    self.chars.next();
                }
            }
            _ => return false,
        }
        self.line += 1;
        true
    }

    fn next_record(&mut self) -> Option<Record> {
        self.chars.peek()?;
        let line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut st = St::Start;
        loop {
            let Some(c) = self.chars.next() else {
                let unterminated = (st == St::Quoted).then_some(fields.len());
                fields.push(field);
                return Some(Record {
                    line,
                    fields,
                    unterminated,
                });
            };
            if st == St::Quoted {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        self.chars.next();
                        field.push('"');
                    } else {
                        st = St::AfterQuote;
                    }
                } else if self.newline(c) {
                    field.push('\n');
                } else {
                    field.push(c);
                }
                continue;
            }
            if c == self.delim {
                fields.push(std::mem::take(&mut field));
                st = St::Start;
            } else if self.newline(c) {
                fields.push(field);
                return Some(Record {
                    line,
                    fields,
                    unterminated: None,
                });
            } else if c == '"' && st != St::AfterQuote && field.trim().is_empty() {
                // `"…"`, also after blanks (`a, "b,c"`).
                field.clear();
                st = St::Quoted;
            } else if st == St::AfterQuote && c.is_whitespace() {
                // blanks between closing quote and separator
            } else {
                // Excel keeps stray text after a closing quote and quotes inside a
                // plain field (`12" Zoll`) as they are.
                field.push(c);
                if st == St::Start {
                    st = St::Plain;
                }
            }
        }
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
