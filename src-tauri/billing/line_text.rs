//! Placeholders: the „Positionstext“ of time lines and the Rechnungstexte
//! (docs/architecture.md › Rechnungsbild).
//!
//! A Positionstext's first line is the line's Bezeichnung, the rest its
//! Beschreibung. A template line is cut into parts at "; "; a part whose
//! placeholders are all empty is left out, so „Einsatztage: {Datum}; Dauer
//! {Dauer} Std.“ never shows a dangling „Einsatztage:“. Empty lines go, and a
//! line never ends in a separator („·“, „–“, „,“, „:“, „;“).

use super::text::{text_len, truncate};
use super::{BillingProblem, MAX_LINE_DESCRIPTION_LEN, MAX_LINE_NAME_LEN};

/// The placeholders of a Positionstext.
pub const LINE_PLACEHOLDERS: [&str; 8] = [
    "Datum",
    "Mitarbeiter",
    "Rolle",
    "Beschreibung",
    "Unterprojekt",
    "Projekt",
    "Zeitraum",
    "Dauer",
];

/// The placeholders of Titel, Einleitung and Schlusstext.
pub const TEXT_PLACEHOLDERS: [&str; 4] = ["Zeitraum", "Projekt", "Projektnummer", "Kunde"];

/// `{Datum}, {Mitarbeiter}, …` (for the hints under the fields).
pub fn listed(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names between `{` and `}` in `text`, in order (`{Datum}` → `Datum`).
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let (name, _) = rest.split_once('}')?;
        (!name.is_empty() && name.chars().all(char::is_alphabetic)).then_some(name)
    })
}

/// Refuses a placeholder that is not in `allowed` (a typo would reach the customer).
pub fn check(field: &'static str, text: &str, allowed: &[&str]) -> Result<(), BillingProblem> {
    match placeholders(text).find(|p| !allowed.contains(p)) {
        Some(unknown) => Err(BillingProblem::UnknownPlaceholder {
            field,
            name: unknown.to_string(),
            allowed: listed(allowed),
        }),
        None => Ok(()),
    }
}

/// `text` with each `{name}` replaced by `value(name)` (None = left as typed).
pub fn fill<'a>(text: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after
            .split_once('}')
            .and_then(|(name, tail)| value(name).map(|v| (v, tail)))
        {
            Some((v, tail)) => {
                out.push_str(v);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

const SEPARATORS: &[char] = &[' ', '·', '–', '-', ',', ':', ';'];

/// One template line filled; None when nothing is left of it.
fn fill_line<'a>(line: &str, value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let parts: Vec<String> = line
        .split("; ")
        .filter(|part| {
            let mut names = placeholders(part).peekable();
            names.peek().is_none() || names.any(|n| value(n).is_some_and(|v| !v.trim().is_empty()))
        })
        .map(|part| fill(part, value))
        .collect();
    let joined = parts.join("; ");
    let trimmed = joined
        .trim_start_matches(SEPARATORS)
        .trim_end_matches(SEPARATORS);
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// Bezeichnung and Beschreibung of a time line from its Positionstext.
/// `fallback` names the line when the first template line comes out empty.
pub fn render<'a>(
    template: &str,
    value: impl Fn(&str) -> Option<&'a str>,
    fallback: &str,
) -> (String, Option<String>) {
    let mut lines = template.lines();
    let name = lines
        .next()
        .and_then(|l| fill_line(l, &value))
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| fallback.to_string());
    let description: Vec<String> = lines.filter_map(|l| fill_line(l, &value)).collect();
    let description = description.join("\n");
    (
        truncate(&name, MAX_LINE_NAME_LEN),
        (text_len(description.trim()) > 0)
            .then(|| truncate(description.trim(), MAX_LINE_DESCRIPTION_LEN)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> + 'a {
        move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
    }

    #[test]
    fn parts_without_values_are_left_out() {
        let t =
            "Arbeitszeit {Mitarbeiter}\nEinsatztage: {Datum}; Dauer {Dauer} Std.\n{Beschreibung}";
        let all = [
            ("Mitarbeiter", "Jana Kraus"),
            ("Datum", "03.03., 04.03.2026"),
            ("Dauer", "7:30"),
            ("Beschreibung", "Kabel verlegt; Dosen gesetzt"),
        ];
        assert_eq!(
            render(t, v(&all), "Arbeitszeit"),
            (
                "Arbeitszeit Jana Kraus".to_string(),
                Some("Einsatztage: 03.03., 04.03.2026; Dauer 7:30 Std.\nKabel verlegt; Dosen gesetzt".into())
            )
        );
        let few = [
            ("Mitarbeiter", ""),
            ("Datum", ""),
            ("Dauer", "7:30"),
            ("Beschreibung", ""),
        ];
        assert_eq!(
            render(t, v(&few), "Arbeitszeit"),
            ("Arbeitszeit".to_string(), Some("Dauer 7:30 Std.".into()))
        );
        assert_eq!(
            render(
                "{Datum} · {Mitarbeiter}\n{Beschreibung}",
                v(&[
                    ("Datum", "03.03.2026"),
                    ("Mitarbeiter", ""),
                    ("Beschreibung", "")
                ]),
                "x"
            ),
            ("03.03.2026".to_string(), None)
        );
        assert_eq!(
            render("{Mitarbeiter}", v(&[("Mitarbeiter", "")]), "Arbeitszeit").0,
            "Arbeitszeit"
        );
    }

    #[test]
    fn unknown_placeholders_are_refused_and_braces_kept() {
        assert!(check("Positionstext", "{Datum} {Dauer}", &LINE_PLACEHOLDERS).is_ok());
        let e = check("Positionstext", "{Datum} {Dauerr}", &LINE_PLACEHOLDERS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Im Feld „Positionstext“ steht der unbekannte Platzhalter {Dauerr}. Möglich sind: {Datum}, {Mitarbeiter}, {Rolle}, {Beschreibung}, {Unterprojekt}, {Projekt}, {Zeitraum}, {Dauer}."
        );
        // Not placeholders: empty, with spaces or digits.
        assert!(check(
            "Einleitung",
            "Preis {} je {1 Std} {a b}",
            &TEXT_PLACEHOLDERS
        )
        .is_ok());
        assert_eq!(
            fill("a {} {X} {Kunde}", |n| (n == "Kunde").then_some("Weber")),
            "a {} {X} Weber"
        );
    }

    #[test]
    fn long_notes_are_cut_with_an_ellipsis() {
        let long = "Wand geschlitzt ".repeat(200);
        let (_, d) = render(
            "x\n{Beschreibung}",
            v(&[("Beschreibung", long.as_str())]),
            "x",
        );
        let d = d.unwrap();
        assert!(text_len(&d) <= MAX_LINE_DESCRIPTION_LEN);
        assert!(text_len(&d) > MAX_LINE_DESCRIPTION_LEN - 20);
        // Cut between words, never inside one.
        assert!(
            d.ends_with("geschlitzt…") || d.ends_with("Wand…"),
            "{}",
            &d[d.len() - 30..]
        );
    }
}
