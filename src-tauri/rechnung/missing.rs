//! A followed draft lexoffice answers 404 for: deleted, or not visible yet?
//! lexoffice's reads may lag behind a create (docs/lexoffice.md › Reads lag
//! behind writes), so one 404 never frees billed work. A draft counts as
//! deleted only after two 404s at least [`APART`] apart **and** at least
//! [`YOUNG`] after its creation, both by lexoffice's clock (its `Date` header,
//! `LexofficeClient::server_now`); two looks within one run of the app must
//! also lie [`APART`] apart on the local monotonic clock. The looks are kept
//! with the record (`InvoiceRecord::missing_looks`), so they count across a
//! restart; a look that finds the draft clears them.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use super::*;

/// Two 404s at least this far apart.
pub const APART: Duration = Duration::minutes(2);
/// The first look that may free entries comes this long after the creation.
pub const YOUNG: Duration = Duration::minutes(10);

/// The rule. `created`: the draft's creation by lexoffice's clock (None: not
/// known, then the first 404 stands in for it); `looks`: the earlier 404s by
/// lexoffice's clock; `now`: this 404's; `local`: how long ago, on this run's
/// monotonic clock, the first of `looks` was made (None: in an earlier run).
pub fn deletion_confirmed(
    created: Option<DateTime<Utc>>,
    looks: &[DateTime<Utc>],
    now: DateTime<Utc>,
    local: Option<std::time::Duration>,
) -> bool {
    let Some(first) = looks.iter().min().copied() else {
        return false;
    };
    let created = created.unwrap_or(first);
    now - first >= APART
        && now - created >= YOUNG
        && local.is_none_or(|e| e >= APART.to_std().unwrap_or_default())
}

/// A 404 for `rec` at `now` (lexoffice's clock): frees its entries when the
/// rule says it is gone (true), else notes the look (false). Under the
/// invoice lock.
pub(super) async fn missing_in_lexoffice(
    core: &Core,
    rec: &mut InvoiceRecord,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    // This run saw a 404 of it: the looks must also lie apart on our clock
    // (also when lexoffice's clock jumped and another look is the earliest).
    let local = super::sync::tracker(core)
        .first_missing(rec.id)
        .map(|(_, at)| at.elapsed());
    let created = rec.seen.created_at.or(rec.started_server_at);
    if deletion_confirmed(created, &rec.missing_looks, now, local) {
        super::sync::tracker(core).forget_missing(rec.id);
        deleted_in_lexoffice(core, rec).await?;
        return Ok(true);
    }
    super::sync::tracker(core).note_missing(rec.id, now, Instant::now());
    rec.missing_looks.push(now);
    // The first and the latest are all the rule needs.
    if rec.missing_looks.len() > 2 {
        rec.missing_looks.sort();
        let last = rec.missing_looks.pop();
        rec.missing_looks.truncate(1);
        rec.missing_looks.extend(last);
    }
    log::info!(
        "invoice record {}: lexoffice answered 404, look {} kept (not freed yet)",
        rec.id,
        rec.missing_looks.len()
    );
    super::sync::put_if_still_created(core, rec).await?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64, sec: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(min)
            + Duration::seconds(sec)
    }

    #[test]
    fn one_404_never_frees() {
        assert!(!deletion_confirmed(Some(at(0, 0)), &[], at(60, 0), None));
    }

    #[test]
    fn two_404s_two_minutes_apart_and_ten_minutes_after_creation() {
        let created = Some(at(0, 0));
        // Right after „Erstellen“: 404 at 0:10, again at 2:10 — too young.
        assert!(!deletion_confirmed(created, &[at(0, 10)], at(2, 10), None));
        // 10 minutes after creation, but the looks only 1:59 apart.
        assert!(!deletion_confirmed(created, &[at(8, 1)], at(10, 0), None));
        // Both rules met.
        assert!(deletion_confirmed(created, &[at(8, 0)], at(10, 0), None));
        // Within one run the local clock must agree (lexoffice's clock jumped).
        let ran = std::time::Duration::from_secs(119);
        assert!(!deletion_confirmed(
            created,
            &[at(8, 0)],
            at(10, 0),
            Some(ran)
        ));
        let ran = std::time::Duration::from_secs(120);
        assert!(deletion_confirmed(
            created,
            &[at(8, 0)],
            at(10, 0),
            Some(ran)
        ));
    }

    #[test]
    fn without_a_known_creation_the_first_404_stands_in_for_it() {
        assert!(!deletion_confirmed(None, &[at(0, 0)], at(5, 0), None));
        assert!(deletion_confirmed(None, &[at(0, 0)], at(10, 0), None));
    }
}
