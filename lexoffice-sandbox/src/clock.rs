//! The sandbox's wall clock: the real clock shifted by a settable number of
//! seconds (`--clock-offset-secs`, [`crate::SandboxConfig::clock_offset_secs`],
//! `POST /__sandbox/clock`, [`crate::Sandbox::set_clock_offset`]).
//!
//! Everything the sandbox stamps with "now" reads this clock: `createdDate`,
//! `updatedDate`, the `timestamp` of regular error bodies, the voucher list's
//! notion of "today" (derived `overdue`) and the HTTP `Date` header of every
//! response. The token bucket and request records keep using the monotonic
//! clock (a shifted wall clock must not refill or drain the bucket).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;

/// Real time plus an offset in seconds (may be negative).
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn new(offset_secs: i64) -> Clock {
        Clock {
            offset_secs: AtomicI64::new(offset_secs),
        }
    }

    pub fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn set_offset_secs(&self, secs: i64) {
        self.offset_secs.store(secs, Ordering::Relaxed);
    }

    /// The shifted "now".
    pub fn now(&self) -> DateTime<Utc> {
        shifted(Utc::now(), self.offset_secs())
    }

    /// Today's calendar day in Berlin, by the shifted clock.
    pub fn today_berlin(&self) -> NaiveDate {
        self.now().with_timezone(&Berlin).date_naive()
    }
}

/// `t + secs` seconds, saturating at chrono's range instead of panicking.
pub fn shifted(t: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    Duration::try_seconds(secs)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(if secs < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form of the
/// HTTP `Date` header.
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn imf_fixdate() {
        let t = Utc.with_ymd_and_hms(1994, 11, 6, 8, 49, 37).unwrap();
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        let t = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 5).unwrap();
        assert_eq!(http_date(t), "Sat, 01 Mar 2025 00:00:05 GMT");
    }

    #[test]
    fn offsets_shift_now_both_ways() {
        let c = Clock::new(1800);
        let d = (c.now() - Utc::now()).num_seconds();
        assert!((1798..=1801).contains(&d), "{d}");
        c.set_offset_secs(-86_400);
        assert_eq!(c.offset_secs(), -86_400);
        let d = (Utc::now() - c.now()).num_seconds();
        assert!((86_398..=86_401).contains(&d), "{d}");
        let t = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(shifted(t, i64::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(shifted(t, i64::MIN), DateTime::<Utc>::MIN_UTC);
    }
}
