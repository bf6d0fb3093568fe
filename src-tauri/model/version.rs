//! A record's version as a form carries it: the time of its last change in
//! whole microseconds (every record's `updated_at` is stamped so), as text the
//! window hands back unchanged when it saves. A save whose version is not the
//! stored one is refused (docs/database.md › Never a lost update).

use chrono::{DateTime, Utc};

use crate::error::{AppError, AppResult};

/// The version of a record last changed at `updated_at`.
pub fn version_of(updated_at: DateTime<Utc>) -> String {
    updated_at.timestamp_micros().to_string()
}

/// Whether the record, last changed at `updated_at`, is still the version
/// the form was opened with (`None`: the form sent none; nothing to compare).
pub fn still_version(updated_at: DateTime<Utc>, seen: Option<&str>) -> AppResult<bool> {
    match seen {
        None => Ok(true),
        Some(v) => v
            .parse::<i64>()
            .map(|micros| micros == updated_at.timestamp_micros())
            .map_err(|_| AppError::Internal(format!("Unlesbarer Stand eines Formulars: {v}"))),
    }
}

/// The version of a part of the settings as a form shows it (a record
/// without its own time stamp): a fingerprint of its stored form, the same
/// on every seat of the same data (FNV-1a over its JSON).
pub fn version_of_value<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Whether `value` is still the one a form was opened with (`None`: the
/// form sent no version; nothing to compare).
pub fn still_value<T: serde::Serialize>(value: &T, seen: Option<&str>) -> bool {
    seen.is_none_or(|v| v == version_of_value(value))
}

/// `Ok` while `value` is still the one the form was opened with, else the
/// refusal naming `what` (`changed_meanwhile`): the check every settings
/// form makes inside its writing transaction.
pub fn value_unchanged<T: serde::Serialize>(
    value: &T,
    seen: Option<&str>,
    what: &str,
    elsewhere: bool,
) -> AppResult<()> {
    if still_value(value, seen) {
        Ok(())
    } else {
        Err(changed_meanwhile(what, elsewhere))
    }
}

/// The refusal when it is not: `what` names the record („Der Eintrag“, „Der
/// Kunde „Bäckerei Korn““); `elsewhere`: the data lies on the office's server,
/// so another seat changed it.
pub fn changed_meanwhile(what: &str, elsewhere: bool) -> AppError {
    AppError::Changed(if elsewhere {
        format!("{what} wurde inzwischen an einem anderen Arbeitsplatz geändert. Die Ansicht zeigt jetzt den neuen Stand – bitte die Änderung darin noch einmal eintragen.")
    } else {
        format!("{what} wurde inzwischen geändert. Die Ansicht zeigt jetzt den neuen Stand – bitte die Änderung darin noch einmal eintragen.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_the_same_only_for_the_same_microsecond() {
        let t = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        let v = version_of(t);
        assert_eq!(v, "1764000000123456");
        assert!(still_version(t, Some(&v)).unwrap());
        assert!(!still_version(t + chrono::Duration::microseconds(1), Some(&v)).unwrap());
        assert!(still_version(t, None).unwrap());
        assert!(still_version(t, Some("gestern")).is_err());
    }

    #[test]
    fn a_settings_part_keeps_its_version_until_it_changes() {
        let v = version_of_value(&("Std.", false));
        assert_eq!(v, version_of_value(&("Std.", false)));
        assert_eq!(v.len(), 16);
        assert!(still_value(&("Std.", false), Some(&v)));
        assert!(!still_value(&("h", false), Some(&v)));
        assert!(still_value(&("h", false), None));
    }
}
