//! The rooms of `src-tauri/` and the way their imports point
//! (docs/architecture.md › Rooms): read from the source, so the rule cannot
//! drift. A room imports only rooms of a later level; `sled` is named only in
//! `storage/`; every module `lib.rs` declares is a room of the list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// From top to bottom. Rooms on one level do not import each other.
const LEVELS: &[&[&str]] = &[
    &["commands"],
    &["demo"],
    &["startup"],
    &["mehrplatz"],
    &["sicherung"],
    &["journal"],
    &["uebersicht", "stundennachweis"],
    &["rechnung"],
    &["schnittstellen"],
    &["kunden"],
    &["projekte"],
    &["abrechnung"],
    &["core"],
    &["billing", "storage", "lexoffice"],
    &["model"],
    &["de"],
    &["money"],
    &["error"],
    &["paths", "secrets", "failpoint"],
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its unit tests (a
/// `tests.rs`, or what follows `#[cfg(test)] mod …`): tests may reach
/// anything they check.
fn code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|n| n.trim_start().starts_with("mod "))
        {
            break;
        }
        let without = match t.find("//") {
            Some(0) => "",
            _ => line,
        };
        out.push_str(without);
        out.push('\n');
    }
    out
}

/// The rooms a piece of code names: `crate::x`, and `x` in `crate::{x, y::z}`.
fn named_rooms(code: &str) -> BTreeSet<String> {
    let mut rooms = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        rooms.insert(first_segment(&item));
                        item.clear();
                    }
                    _ => item.push(c),
                }
            }
            rooms.insert(first_segment(&item));
        } else {
            rooms.insert(first_segment(rest));
        }
    }
    rooms.remove("");
    rooms
}

fn first_segment(s: &str) -> String {
    s.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn room_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn level(room: &str) -> Option<usize> {
    LEVELS.iter().position(|l| l.contains(&room))
}

#[test]
fn every_room_imports_only_the_rooms_below_it() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let room = room_of(path);
        if ["lib", "main", "build", "assets"].contains(&room.as_str()) {
            continue;
        }
        let here = level(&room).unwrap_or_else(|| {
            panic!("{room} (src-tauri/{room}) is no room of the list: add it to LEVELS and docs/architecture.md")
        });
        for other in named_rooms(&code(path)) {
            if other == room || other == "self" || other == "super" {
                continue;
            }
            let Some(there) = level(&other) else {
                continue; // a macro or a name of lib.rs itself (`crate::run`)
            };
            if there <= here {
                wrong
                    .entry(format!("{room} → {other}"))
                    .or_default()
                    .insert(path.strip_prefix(src()).unwrap().display().to_string());
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the order of the rooms (docs/architecture.md › Rooms): {wrong:#?}"
    );
}

/// Both databases are named in `storage/` only: sled and PostgreSQL's driver.
#[test]
fn the_databases_are_named_only_in_storage() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for db in ["sled::", "sqlx::"] {
        let outside: Vec<String> = files
            .iter()
            .filter(|p| room_of(p) != "storage" && code(p).contains(db))
            .map(|p| p.strip_prefix(src()).unwrap().display().to_string())
            .collect();
        assert_eq!(outside, Vec::<String>::new(), "{db} outside storage/");
    }
}

#[test]
fn every_module_of_lib_rs_is_a_room() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .collect();
    let listed: BTreeSet<&str> = LEVELS.iter().flat_map(|l| l.iter().copied()).collect();
    assert_eq!(declared, listed, "lib.rs and the list of rooms differ");
}

/// The reader itself: a room named in a group import counts, a comment does not.
#[test]
fn the_reader_finds_grouped_imports_and_skips_comments() {
    let rooms =
        named_rooms("use crate::{core::Core, rechnung};\nlet x = crate::de::format::date(d);");
    assert_eq!(
        rooms,
        ["core", "de", "rechnung"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.rs");
    std::fs::write(
        &f,
        "// crate::rechnung in a comment\nuse crate::model::Entry;\n#[cfg(test)]\nmod tests {\n    use crate::commands;\n}\n",
    )
    .unwrap();
    assert_eq!(
        named_rooms(&code(&f)),
        ["model"].into_iter().map(String::from).collect()
    );
}

/// The labels the code gives an error's field: the first string after
/// `validation(`, `clean(`, `clean_text(`, `decimal_field(` or `field:`.
fn error_labels(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for opener in [
        "validation(",
        "clean(",
        "clean_text(",
        "decimal_field(",
        "field:",
    ] {
        for (at, _) in code.match_indices(opener) {
            let rest = code[at + opener.len()..].trim_start();
            if let Some(quoted) = rest.strip_prefix('"') {
                if let Some(end) = quoted.find('"') {
                    out.insert(quoted[..end].to_string());
                }
            }
        }
    }
    out
}

/// Every label an error can carry has its key (docs/conventions.md › Errors):
/// the UI places the message by `fieldKey`, so a label without one would land
/// under the whole form instead of at its field.
#[test]
fn every_field_an_error_names_has_a_key() {
    use zeitrechnung_lib::error::field_key;
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut labels = BTreeSet::new();
    for f in &files {
        labels.extend(error_labels(&code(f)));
    }
    assert!(
        labels.contains("Datum") && labels.contains("Mitarbeiter"),
        "{labels:?}"
    );
    let without: Vec<&String> = labels
        .iter()
        .filter(|l| *l != "Eingabe" && field_key(l) == "input")
        .collect();
    assert!(
        without.is_empty(),
        "labels without a key in error::FIELDS: {without:?}"
    );
    // Shared labels carry the key the forms use.
    assert_eq!(
        [
            field_key("Von"),
            field_key("Stundensatz"),
            field_key("Kunde")
        ],
        ["start", "rate", "customerId"]
    );
}
