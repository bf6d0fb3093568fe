//! The header: our column names and their synonyms, the separator, and the
//! header record found in the text.

use super::reader::Reader;
use crate::de::parse::{show, PlainUnit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    Typ,
    Projekt,
    Unterprojekt,
    Datum,
    Mitarbeiter,
    Von,
    Bis,
    Pause,
    Dauer,
    Beschreibung,
    Bezeichnung,
    Menge,
    Einheit,
    Einzelpreis,
    Steuersatz,
    Abrechenbar,
}

pub(super) const ALL_COLS: [Col; 16] = [
    Col::Typ,
    Col::Projekt,
    Col::Unterprojekt,
    Col::Datum,
    Col::Mitarbeiter,
    Col::Von,
    Col::Bis,
    Col::Pause,
    Col::Dauer,
    Col::Beschreibung,
    Col::Bezeichnung,
    Col::Menge,
    Col::Einheit,
    Col::Einzelpreis,
    Col::Steuersatz,
    Col::Abrechenbar,
];

impl Col {
    /// The documented name, used in messages when the file lacks the column.
    pub fn canonical(self) -> &'static str {
        match self {
            Col::Typ => "Typ",
            Col::Projekt => "Projekt",
            Col::Unterprojekt => "Unterprojekt",
            Col::Datum => "Datum",
            Col::Mitarbeiter => "Mitarbeiter",
            Col::Von => "Von",
            Col::Bis => "Bis",
            Col::Pause => "Pause",
            Col::Dauer => "Dauer",
            Col::Beschreibung => "Beschreibung",
            Col::Bezeichnung => "Bezeichnung",
            Col::Menge => "Menge",
            Col::Einheit => "Einheit",
            Col::Einzelpreis => "Einzelpreis",
            Col::Steuersatz => "Steuersatz",
            Col::Abrechenbar => "Abrechenbar",
        }
    }
}

/// Header text → column (and the unit of bare numbers it implies).
fn header_column(raw: &str) -> Option<(Col, Option<PlainUnit>)> {
    let t = raw.trim().trim_matches('\u{feff}').trim().to_lowercase();
    // "Dauer (min)", "Einzelpreis [€]": a bracketed suffix may name a unit.
    let (base, bracket) = match t.rfind(['(', '[']) {
        Some(i) if t.ends_with([')', ']']) && i > 0 => (&t[..i], Some(&t[i + 1..t.len() - 1])),
        _ => (t.as_str(), None),
    };
    let compact = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let key = compact(base);
    let bracket_unit = bracket.and_then(|b| match compact(b).as_str() {
        "h" | "std" | "stunde" | "stunden" => Some(PlainUnit::Hours),
        "m" | "min" | "minute" | "minuten" => Some(PlainUnit::Minutes),
        _ => None,
    });
    use PlainUnit::{Hours, Minutes};
    let (col, unit) = match key.as_str() {
        "typ" | "art" | "eintragsart" => (Col::Typ, None),
        "projekt" | "projektnummer" | "projektnr" | "projektname" => (Col::Projekt, None),
        "unterprojekt" | "unterprojektnummer" | "unterprojektnr" | "teilprojekt" => {
            (Col::Unterprojekt, None)
        }
        "datum" | "tag" => (Col::Datum, None),
        "mitarbeiter" | "mitarbeiterin" | "mitarbeitende" => (Col::Mitarbeiter, None),
        "von" | "beginn" | "start" | "startzeit" | "anfang" => (Col::Von, None),
        "bis" | "ende" | "endzeit" => (Col::Bis, None),
        "pause" | "pausen" => (Col::Pause, None),
        "pauseinminuten" | "pausemin" => (Col::Pause, Some(Minutes)),
        "dauer" => (Col::Dauer, None),
        "stunden" | "std" | "dauerinstunden" | "dauerh" => (Col::Dauer, Some(Hours)),
        "minuten" | "dauerinminuten" | "dauermin" => (Col::Dauer, Some(Minutes)),
        "beschreibung" | "tätigkeit" | "taetigkeit" => (Col::Beschreibung, None),
        "bezeichnung" | "leistung" | "artikel" | "leistungsbezeichnung" | "artikelbezeichnung" => {
            (Col::Bezeichnung, None)
        }
        "menge" | "anzahl" => (Col::Menge, None),
        "einheit" => (Col::Einheit, None),
        "einzelpreis" | "preis" | "preisnetto" | "einzelpreisnetto" | "nettopreis"
        | "nettoeinzelpreis" => (Col::Einzelpreis, None),
        "steuersatz" | "mwst" | "ust" | "mwstsatz" | "ustsatz" | "mehrwertsteuer"
        | "umsatzsteuer" | "steuer" => (Col::Steuersatz, None),
        "abrechenbar" | "abrechnen" | "fakturierbar" | "verrechenbar" => (Col::Abrechenbar, None),
        _ => return None,
    };
    Some((col, bracket_unit.or(unit)))
}

pub(super) struct ColInfo {
    pub idx: usize,
    pub name: String,
    pub unit: Option<PlainUnit>,
}

pub(super) struct Header {
    cols: Vec<Option<ColInfo>>,
    pub width: usize,
    names: Vec<String>,
}

impl Header {
    pub fn info(&self, c: Col) -> Option<&ColInfo> {
        self.cols[c as usize].as_ref()
    }

    /// The column's name as written in the file, or the documented one.
    pub fn name(&self, c: Col) -> String {
        self.info(c)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| c.canonical().to_string())
    }

    pub fn unit(&self, c: Col, default: PlainUnit) -> PlainUnit {
        self.info(c).and_then(|i| i.unit).unwrap_or(default)
    }

    /// Name of the column at `idx` for messages.
    pub fn name_at(&self, idx: usize) -> String {
        match self
            .names
            .get(idx)
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
        {
            Some(n) => format!("„{}“", show(n)),
            None => format!("{} (ohne Überschrift)", idx + 1),
        }
    }
}

fn known_columns(fields: &[String]) -> usize {
    fields.iter().filter(|f| header_column(f).is_some()).count()
}

fn build_header(fields: &[String]) -> Result<Header, String> {
    let mut cols: Vec<Option<ColInfo>> = ALL_COLS.iter().map(|_| None).collect();
    for (idx, raw) in fields.iter().enumerate() {
        let Some((col, unit)) = header_column(raw) else {
            continue;
        };
        let name = raw.trim().trim_matches('\u{feff}').trim().to_string();
        if let Some(prev) = &cols[col as usize] {
            return Err(format!(
                "Die Spalten „{}“ und „{}“ bedeuten dasselbe ({}). Bitte nur eine davon verwenden.",
                show(&prev.name),
                show(&name),
                col.canonical()
            ));
        }
        cols[col as usize] = Some(ColInfo { idx, name, unit });
    }
    let missing: Vec<&str> = [Col::Projekt, Col::Datum]
        .into_iter()
        .filter(|c| cols[*c as usize].is_none())
        .map(Col::canonical)
        .collect();
    if !missing.is_empty() {
        let found: Vec<String> = fields
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
            .map(|f| format!("„{}“", show(f)))
            .collect();
        let what = if missing.len() == 1 {
            format!("Pflichtspalte „{}“ fehlt", missing[0])
        } else {
            format!(
                "Pflichtspalten „{}“ und „{}“ fehlen",
                missing[0], missing[1]
            )
        };
        return Err(format!("{what}. Gefundene Spalten: {}.", found.join(", ")));
    }
    Ok(Header {
        cols,
        width: fields.len(),
        names: fields.to_vec(),
    })
}

/// Whether these header fields are ours (Projekt and Datum found, no column twice).
pub fn is_own_header(fields: &[String]) -> bool {
    build_header(fields).is_ok()
}

/// The Spaltenzuordnung's key (`columns::TARGETS`) of one of our column names
/// or their synonyms.
pub fn column_key(header: &str) -> Option<&'static str> {
    let (col, unit) = header_column(header)?;
    Some(match col {
        Col::Typ => "typ",
        Col::Projekt => "projekt",
        Col::Unterprojekt => "unterprojekt",
        Col::Datum => "datum",
        Col::Mitarbeiter => "mitarbeiter",
        Col::Von => "von",
        Col::Bis => "bis",
        Col::Pause => "pause",
        Col::Dauer if unit == Some(PlainUnit::Minutes) => "dauerMin",
        Col::Dauer => "dauer",
        Col::Beschreibung => "beschreibung",
        Col::Bezeichnung => "bezeichnung",
        Col::Menge => "menge",
        Col::Einheit => "einheit",
        Col::Einzelpreis => "einzelpreis",
        Col::Steuersatz => "steuersatz",
        Col::Abrechenbar => "abrechenbar",
    })
}

/// Finds the separator and the header; returns a reader positioned after it.
pub(super) fn find_header(text: &str) -> Result<(char, Header, Reader<'_>), String> {
    // Excel's `sep=;` line fixes the separator.
    let first_line_end = text.find(['\r', '\n']).unwrap_or(text.len());
    let first = text[..first_line_end].trim().to_lowercase();
    let forced = match first.strip_prefix("sep=") {
        Some(";") => Some(';'),
        Some(",") => Some(','),
        Some("") => None,
        Some(other) => {
            return Err(format!(
            "Nicht unterstütztes Trennzeichen „{}“ in der Zeile „sep=…“. Erlaubt sind „;“ und „,“.",
            show(other)
        ))
        }
        None => None,
    };
    let (rest, start_line) = if first.starts_with("sep=") {
        // Skip exactly the first physical line.
        let mut pos = first_line_end;
        if text[pos..].starts_with("\r\n") {
            pos += 2;
        } else if pos < text.len() {
            pos += 1;
        }
        (&text[pos..], 2)
    } else {
        (text, 1)
    };

    let try_delim = |d: char| {
        let mut r = Reader::new(rest, d, start_line);
        let header = r.next_nonblank();
        (r, header)
    };

    let no_header = |fields: Option<&[String]>| {
        let first = fields
            .map(|f| f.iter().map(|s| s.trim()).collect::<Vec<_>>().join(";"))
            .unwrap_or_default();
        format!(
            "Keine Kopfzeile gefunden: Die erste Zeile muss die Spaltennamen enthalten, mindestens „Projekt“ und „Datum“ (gefunden: „{}“).",
            show(&first)
        )
    };

    let (delim, reader, header) = if let Some(d) = forced {
        let (r, h) = try_delim(d);
        (d, r, h)
    } else {
        let (rs, hs) = try_delim(';');
        let (rc, hc) = try_delim(',');
        let ks = hs.as_ref().map(|h| known_columns(&h.fields)).unwrap_or(0);
        let kc = hc.as_ref().map(|h| known_columns(&h.fields)).unwrap_or(0);
        if ks == 0 && kc == 0 {
            return Err(no_header(hs.as_ref().map(|h| h.fields.as_slice())));
        }
        if ks > kc {
            (';', rs, hs)
        } else if kc > ks {
            (',', rc, hc)
        } else {
            // Same number of known columns: fine if only one of them splits at all.
            let has_semi = hs.as_ref().is_some_and(|h| h.fields.len() > 1);
            let has_comma = hc.as_ref().is_some_and(|h| h.fields.len() > 1);
            match (has_semi, has_comma) {
                (true, true) => {
                    return Err("Das Trennzeichen ist nicht eindeutig: Die Kopfzeile lässt sich mit „;“ und mit „,“ in bekannte Spalten zerlegen. Bitte nur eines von beiden verwenden.".into())
                }
                (false, true) => (',', rc, hc),
                _ => (';', rs, hs),
            }
        }
    };
    let Some(header) = header else {
        return Err("Die Datei ist leer.".into());
    };
    if header.unterminated.is_some() {
        return Err("Die Kopfzeile enthält ein nicht geschlossenes Anführungszeichen.".into());
    }
    let header = build_header(&header.fields)?;
    // `reader` already stands after the header.
    Ok((delim, header, reader))
}
