//! How a typed name finds its Mitarbeiter.

use super::Employee;

/// A name as it is kept: trimmed, runs of blanks made one („Jana  Kraus“ →
/// „Jana Kraus“).
pub fn clean_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key a name is matched by, everywhere a name is typed (Zeit erfassen,
/// Stundenzettel, CSV/xlsx import, Spaltenzuordnung): case and repeated blanks
/// ignored, so „jana kraus“ and „Jana  Kraus“ are the Geselle „Jana Kraus“.
pub fn name_key(name: &str) -> String {
    clean_name(name).to_lowercase()
}

/// The employee a typed name means, if any.
pub fn employee_named<'a>(employees: &'a [Employee], name: &str) -> Option<&'a Employee> {
    let k = name_key(name);
    (!k.is_empty())
        .then(|| employees.iter().find(|e| name_key(&e.name) == k))
        .flatten()
}
