//! Billing rounding (Abrechnungstakt): recorded minutes → billed minutes. The
//! recorded time never changes; only what is billed. One rule for the preview,
//! the draft, the Projekte figures and the entry table („7:20 · abgerechnet 7:30“).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::storage::{Rounding, RoundingMode, RoundingScope};

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

/// Billed minutes for each recorded time, in the same order. With „Summe je Tag
/// und Mitarbeiter“ the day's sum of one employee is rounded and the difference
/// is put on that day's last entries (so the entries still add up to the billed
/// sum and none goes below 0).
pub fn billed_minutes(items: &[Recorded], rule: &Rounding) -> Vec<u32> {
    match rule.scope {
        RoundingScope::Entry => items
            .iter()
            .map(|i| round_minutes(i.minutes, rule))
            .collect(),
        RoundingScope::DayAndEmployee => {
            let mut buckets: HashMap<(NaiveDate, u64), Vec<usize>> = HashMap::new();
            for (i, it) in items.iter().enumerate() {
                buckets.entry((it.date, it.employee)).or_default().push(i);
            }
            let mut out: Vec<u32> = items.iter().map(|i| i.minutes).collect();
            for idx in buckets.values() {
                let recorded: u64 = idx.iter().map(|&i| u64::from(items[i].minutes)).sum();
                let recorded32 = recorded.min(u64::from(u32::MAX)) as u32;
                let billed = i64::from(round_minutes(recorded32, rule));
                let mut delta = billed - i64::from(recorded32);
                if delta > 0 {
                    let last = *idx.last().expect("bucket has items");
                    out[last] = out[last].saturating_add(delta as u32);
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
            out
        }
    }
}
