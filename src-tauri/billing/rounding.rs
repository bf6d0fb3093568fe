//! Billing rounding (Abrechnungstakt): recorded minutes → billed minutes. The
//! recorded time never changes; only what is billed. One rule for the preview,
//! the draft, the Projekte figures and the entry table („7:20 · abgerechnet 7:30“).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::{Rounding, RoundingMode, RoundingScope};

/// One recorded time as rounding sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub date: NaiveDate,
    /// Employee id, or 0 for a time without employee.
    pub employee: u64,
    pub minutes: u32,
}

/// `minutes` rounded to the step and raised to the minimum (0 stays 0).
pub fn round_minutes(minutes: u32, rule: &Rounding) -> u32 {
    if minutes == 0 {
        return 0;
    }
    let step = rule.step;
    let mut billed = if step <= 1 {
        minutes
    } else {
        match rule.mode {
            RoundingMode::Up => minutes.div_ceil(step).saturating_mul(step),
            // Half a step goes up: 7:30 with a 15-minute step → 7:30, 7 min → 0, 8 min → 15.
            RoundingMode::HalfUp => ((u64::from(minutes) * 2 + u64::from(step))
                / (u64::from(step) * 2)
                * u64::from(step))
            .min(u64::from(u32::MAX)) as u32,
        }
    };
    if let Some(min) = rule.minimum {
        billed = billed.max(min);
    }
    billed
}

/// A time of the same project already on an earlier draft (billed or
/// reserved): with „Summe je Tag und Mitarbeiter“ its day is rounded once, over
/// everything recorded that day, and a later draft bills only the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prior {
    pub date: NaiveDate,
    /// Employee id, or 0.
    pub employee: u64,
    pub minutes: u32,
    /// The minutes its draft billed, as stored with the draft; None = an older
    /// draft that did not store them (then the day's earlier times are rounded
    /// together, as that draft did).
    pub billed: Option<u32>,
}

/// A day whose open times bill less than recorded because earlier drafts
/// already billed the day's rounding (e.g. „Mindestens 60 Min.“ reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    pub date: NaiveDate,
    pub employee: u64,
    /// Indexes into the open items and into the prior times of that day.
    pub items: Vec<usize>,
    pub prior: Vec<usize>,
    /// Open minutes recorded and billed now.
    pub recorded: u32,
    pub billed: u32,
    /// The earlier drafts' billed minutes of that day.
    pub billed_before: u32,
    /// „Mindestens“ decided the day's billed time.
    pub by_minimum: bool,
}

/// Billed minutes for each recorded time, in the same order. With „Summe je Tag
/// und Mitarbeiter“ the day's sum of one employee is rounded and the difference
/// is put on that day's last entries (so the entries still add up to the billed
/// sum and none goes below 0).
pub fn billed_minutes(items: &[Recorded], rule: &Rounding) -> Vec<u32> {
    billed_minutes_after(items, &[], rule).0
}

/// As [`billed_minutes`], with the times of the same days already billed by
/// earlier drafts: a day is rounded once over all its times (billed ones
/// included) and the open ones get what the earlier drafts have not billed yet
/// (never below 0). Per entry, earlier drafts change nothing.
pub fn billed_minutes_after(
    items: &[Recorded],
    prior: &[Prior],
    rule: &Rounding,
) -> (Vec<u32>, Vec<Covered>) {
    match rule.scope {
        RoundingScope::Entry => (
            items
                .iter()
                .map(|i| round_minutes(i.minutes, rule))
                .collect(),
            Vec::new(),
        ),
        RoundingScope::DayAndEmployee => {
            let mut buckets: HashMap<(NaiveDate, u64), Vec<usize>> = HashMap::new();
            for (i, it) in items.iter().enumerate() {
                buckets.entry((it.date, it.employee)).or_default().push(i);
            }
            let mut before: HashMap<(NaiveDate, u64), Vec<usize>> = HashMap::new();
            for (i, p) in prior.iter().enumerate() {
                if buckets.contains_key(&(p.date, p.employee)) {
                    before.entry((p.date, p.employee)).or_default().push(i);
                }
            }
            let mut out: Vec<u32> = items.iter().map(|i| i.minutes).collect();
            let mut covered = Vec::new();
            let mut keys: Vec<&(NaiveDate, u64)> = buckets.keys().collect();
            keys.sort();
            for key in keys {
                let idx = &buckets[key];
                let open: u64 = idx.iter().map(|&i| u64::from(items[i].minutes)).sum();
                let earlier = before.get(key).map(Vec::as_slice).unwrap_or_default();
                let prior_recorded: u64 =
                    earlier.iter().map(|&i| u64::from(prior[i].minutes)).sum();
                let stored: u64 = earlier
                    .iter()
                    .filter_map(|&i| prior[i].billed)
                    .map(u64::from)
                    .sum();
                let unstored: u64 = earlier
                    .iter()
                    .filter(|&&i| prior[i].billed.is_none())
                    .map(|&i| u64::from(prior[i].minutes))
                    .sum();
                let billed_before = stored + u64::from(round_minutes(clamp32(unstored), rule));
                let day = u64::from(round_minutes(clamp32(open + prior_recorded), rule));
                let target = day.saturating_sub(billed_before);
                spread(&mut out, idx, target as i64 - open as i64);
                if !earlier.is_empty() && target < open {
                    let unrounded = Rounding {
                        minimum: None,
                        ..*rule
                    };
                    covered.push(Covered {
                        date: key.0,
                        employee: key.1,
                        items: idx.clone(),
                        prior: earlier.to_vec(),
                        recorded: clamp32(open),
                        billed: clamp32(target),
                        billed_before: clamp32(billed_before),
                        by_minimum: rule.minimum.is_some_and(|m| {
                            u64::from(m) == day
                                && u64::from(round_minutes(
                                    clamp32(open + prior_recorded),
                                    &unrounded,
                                )) < day
                        }),
                    });
                }
            }
            (out, covered)
        }
    }
}

fn clamp32(v: u64) -> u32 {
    v.min(u64::from(u32::MAX)) as u32
}

/// Puts `delta` minutes on the bucket `idx` of `out`: more on its last entry,
/// less taken from its last entries first, none below 0.
fn spread(out: &mut [u32], idx: &[usize], mut delta: i64) {
    if delta > 0 {
        let last = *idx.last().expect("bucket has items");
        out[last] = out[last].saturating_add(clamp32(delta as u64));
    } else {
        for &i in idx.iter().rev() {
            if delta == 0 {
                break;
            }
            let take = i64::from(out[i]).min(-delta);
            out[i] -= take as u32;
            delta += take;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(step: u32, mode: RoundingMode) -> Rounding {
        Rounding {
            step,
            mode,
            scope: RoundingScope::Entry,
            minimum: None,
        }
    }

    fn up(step: u32) -> Rounding {
        rule(step, RoundingMode::Up)
    }

    fn half_up(step: u32) -> Rounding {
        rule(step, RoundingMode::HalfUp)
    }

    fn per_day(mut r: Rounding) -> Rounding {
        r.scope = RoundingScope::DayAndEmployee;
        r
    }

    fn day(dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, dd).unwrap()
    }

    fn rec(date: NaiveDate, employee: u64, minutes: u32) -> Recorded {
        Recorded {
            date,
            employee,
            minutes,
        }
    }

    /// `(recorded, billed)` pairs under `r`.
    fn check(r: &Rounding, cases: &[(u32, u32)]) {
        for &(recorded, billed) in cases {
            assert_eq!(
                round_minutes(recorded, r),
                billed,
                "{recorded} min with {r:?}"
            );
        }
    }

    #[test]
    fn step_0_keiner_and_step_1_leave_the_minutes() {
        for r in [up(0), up(1), half_up(0), half_up(1)] {
            check(&r, &[(0, 0), (1, 1), (7, 7), (440, 440), (1439, 1439)]);
        }
    }

    #[test]
    fn up_to_15_minutes() {
        check(
            &up(15),
            &[
                (0, 0),
                (1, 15),
                (14, 15),
                (15, 15),
                (16, 30),
                (440, 450),
                (450, 450),
            ],
        );
    }

    #[test]
    fn half_up_to_15_minutes_a_half_step_goes_up() {
        // Half of 15 is 7.5: 7 down, 8 up.
        check(
            &half_up(15),
            &[
                (1, 0),
                (7, 0),
                (8, 15),
                (15, 15),
                (22, 15),
                (23, 30),
                (440, 435),
                (450, 450),
            ],
        );
    }

    #[test]
    fn half_up_to_6_minutes_exact_half_goes_up() {
        check(&half_up(6), &[(2, 0), (3, 6), (8, 6), (9, 12), (12, 12)]);
    }

    #[test]
    fn up_to_60_30_10_5_and_6_minutes() {
        check(&up(60), &[(1, 60), (60, 60), (61, 120), (440, 480)]);
        check(&up(30), &[(1, 30), (30, 30), (31, 60), (440, 450)]);
        check(&up(10), &[(1, 10), (10, 10), (441, 450), (440, 440)]);
        check(&up(5), &[(1, 5), (5, 5), (441, 445), (440, 440)]);
        check(&up(6), &[(1, 6), (6, 6), (7, 12), (440, 444)]);
    }

    #[test]
    fn half_up_to_60_30_10_and_5_minutes() {
        check(
            &half_up(60),
            &[(29, 0), (30, 60), (89, 60), (90, 120), (440, 420)],
        );
        check(
            &half_up(30),
            &[(14, 0), (15, 30), (44, 30), (45, 60), (440, 450)],
        );
        check(&half_up(10), &[(4, 0), (5, 10), (444, 440), (445, 450)]);
        check(&half_up(5), &[(2, 0), (3, 5), (442, 440), (443, 445)]);
    }

    #[test]
    fn minimum_raises_after_rounding() {
        let mut r = up(15);
        r.minimum = Some(30);
        check(&r, &[(10, 30), (16, 30), (30, 30), (31, 45)]);
    }

    #[test]
    fn minimum_without_step() {
        let r = Rounding {
            minimum: Some(15),
            ..up(0)
        };
        check(&r, &[(5, 15), (14, 15), (15, 15), (16, 16), (440, 440)]);
    }

    #[test]
    fn minimum_also_when_half_up_rounds_to_nothing() {
        let mut r = half_up(15);
        r.minimum = Some(15);
        check(&r, &[(5, 15), (22, 15), (23, 30)]);
    }

    #[test]
    fn zero_minutes_stay_zero_even_with_a_minimum() {
        for step in [0, 15] {
            for mode in [RoundingMode::Up, RoundingMode::HalfUp] {
                let mut r = rule(step, mode);
                r.minimum = Some(30);
                assert_eq!(round_minutes(0, &r), 0, "{r:?}");
                assert_eq!(billed_minutes(&[rec(day(2), 1, 0)], &per_day(r)), vec![0]);
            }
        }
    }

    #[test]
    fn per_entry_each_entry_is_rounded_on_its_own() {
        let items = [rec(day(2), 1, 20), rec(day(2), 1, 25)];
        assert_eq!(billed_minutes(&items, &up(15)), vec![30, 30]);
    }

    #[test]
    fn per_day_and_employee_a_bucket_on_the_step_stays() {
        let items = [rec(day(2), 1, 20), rec(day(2), 1, 25)];
        assert_eq!(billed_minutes(&items, &per_day(up(15))), vec![20, 25]);
    }

    #[test]
    fn per_day_and_employee_rounding_up_goes_on_the_last_entry() {
        let items = [rec(day(2), 1, 20), rec(day(2), 1, 20)];
        assert_eq!(billed_minutes(&items, &per_day(up(15))), vec![20, 25]);
        // "Last" = the last of that bucket in the given order, other buckets between.
        let items = [
            rec(day(2), 1, 20),
            rec(day(2), 2, 10),
            rec(day(2), 1, 20),
            rec(day(3), 1, 5),
        ];
        assert_eq!(
            billed_minutes(&items, &per_day(up(15))),
            vec![20, 15, 25, 15]
        );
    }

    #[test]
    fn per_day_and_employee_buckets_are_separate_per_employee_and_day() {
        // Employee 0 = a time without employee: a bucket of its own.
        let items = [
            rec(day(2), 1, 10),
            rec(day(2), 2, 10),
            rec(day(3), 1, 10),
            rec(day(2), 0, 10),
        ];
        assert_eq!(
            billed_minutes(&items, &per_day(up(15))),
            vec![15, 15, 15, 15]
        );
    }

    #[test]
    fn per_day_and_employee_the_minimum_is_per_bucket() {
        let mut r = per_day(up(15));
        r.minimum = Some(30);
        let items = [rec(day(2), 1, 10), rec(day(2), 1, 5), rec(day(3), 1, 40)];
        assert_eq!(billed_minutes(&items, &r), vec![10, 20, 45]);
    }

    #[test]
    fn per_day_and_employee_half_up_down_takes_from_the_last_entries_never_below_0() {
        let r = per_day(half_up(15));
        // 7 min → 0: both entries go to 0.
        assert_eq!(
            billed_minutes(&[rec(day(2), 1, 5), rec(day(2), 1, 2)], &r),
            vec![0, 0]
        );
        // 22 min → 15: the last entry (2) gives all it has, the one before the rest.
        assert_eq!(
            billed_minutes(
                &[rec(day(2), 1, 10), rec(day(2), 1, 10), rec(day(2), 1, 2)],
                &r
            ),
            vec![10, 5, 0]
        );
        // 23 min → 30: up, on the last entry.
        assert_eq!(
            billed_minutes(&[rec(day(2), 1, 20), rec(day(2), 1, 3)], &r),
            vec![20, 10]
        );
    }

    #[test]
    fn per_day_and_employee_billed_entries_add_up_to_the_rounded_day() {
        let r = per_day(half_up(15));
        let items = [
            rec(day(2), 1, 7),
            rec(day(2), 1, 52),
            rec(day(2), 1, 1),
            rec(day(2), 1, 11),
        ];
        let billed = billed_minutes(&items, &r);
        // 71 min → 75 (4 on the last entry).
        assert_eq!(billed, vec![7, 52, 1, 15]);
        assert_eq!(billed.iter().sum::<u32>(), 75);
    }

    /// A shift 22:00–02:00 belongs wholly to the day it started on: rounding
    /// sees only the entry's date, so it shares that day's bucket with an
    /// evening entry and not the next day's.
    #[test]
    fn across_midnight_an_entry_counts_on_its_start_date() {
        let night = rec(day(2), 1, 240); // 22:00–02:00, dated the 2nd
        let evening = rec(day(2), 1, 20); // 18:00–18:20 the same day
        let next_morning = rec(day(3), 1, 10); // 08:00–08:10 on the 3rd
        assert_eq!(
            billed_minutes(&[night, evening, next_morning], &per_day(up(15))),
            // 260 → 270 on the 2nd (+10 on its last entry), 10 → 15 on the 3rd.
            vec![240, 30, 15]
        );
    }

    fn prior(date: NaiveDate, employee: u64, minutes: u32, billed: Option<u32>) -> Prior {
        Prior {
            date,
            employee,
            minutes,
            billed,
        }
    }

    /// The case: Mindestens 60; 30 min billed as 60 on the 3rd, 15 min
    /// added later → nothing more for that day, and it says why.
    #[test]
    fn a_day_is_rounded_once_a_later_entry_bills_only_the_difference() {
        let mut r = per_day(up(0));
        r.minimum = Some(60);
        let (billed, covered) =
            billed_minutes_after(&[rec(day(3), 1, 15)], &[prior(day(3), 1, 30, Some(60))], &r);
        assert_eq!(billed, vec![0]);
        assert_eq!(
            covered,
            vec![Covered {
                date: day(3),
                employee: 1,
                items: vec![0],
                prior: vec![0],
                recorded: 15,
                billed: 0,
                billed_before: 60,
                by_minimum: true,
            }]
        );
        // 45 more minutes: the day is 75 min, 60 billed, 15 now.
        let (billed, covered) =
            billed_minutes_after(&[rec(day(3), 1, 45)], &[prior(day(3), 1, 30, Some(60))], &r);
        assert_eq!(billed, vec![15]);
        assert_eq!(covered[0].billed, 15);
        assert!(!covered[0].by_minimum);
    }

    #[test]
    fn per_entry_earlier_drafts_change_nothing() {
        let mut r = up(15);
        r.minimum = Some(60);
        let (billed, covered) =
            billed_minutes_after(&[rec(day(3), 1, 15)], &[prior(day(3), 1, 30, Some(60))], &r);
        assert_eq!(billed, vec![60]);
        assert!(covered.is_empty());
    }

    #[test]
    fn earlier_drafts_of_other_days_or_employees_do_not_count() {
        let mut r = per_day(up(15));
        r.minimum = Some(60);
        let (billed, covered) = billed_minutes_after(
            &[rec(day(3), 1, 15)],
            &[
                prior(day(4), 1, 30, Some(60)),
                prior(day(3), 2, 30, Some(60)),
            ],
            &r,
        );
        assert_eq!(billed, vec![60]);
        assert!(covered.is_empty());
    }

    #[test]
    fn an_older_draft_without_stored_minutes_counts_as_its_day_rounded() {
        // 20 min billed before (rounded up to 30 then), 5 min now: the day is
        // 25 → 30, all of it billed already.
        let r = per_day(up(15));
        let (billed, covered) =
            billed_minutes_after(&[rec(day(3), 1, 5)], &[prior(day(3), 1, 20, None)], &r);
        assert_eq!(billed, vec![0]);
        assert_eq!(covered[0].billed_before, 30);
        // 20 min now: the day is 40 → 45, 15 more.
        let (billed, _) =
            billed_minutes_after(&[rec(day(3), 1, 20)], &[prior(day(3), 1, 20, None)], &r);
        assert_eq!(billed, vec![15]);
    }
}
