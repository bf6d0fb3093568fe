//! Token bucket of the rate limiter (docs/lexoffice.md › Rate limit).
//!
//! A pure data structure: it never reads a clock itself. Callers pass the time
//! as a [`Duration`] since an arbitrary fixed origin (the sandbox uses a
//! monotonic [`std::time::Instant`] taken at start-up), so tests drive it with a
//! fake clock.

use std::time::Duration;

/// Tokens below this are treated as "zero" to absorb floating point noise
/// (`0.1 + 0.2` style). One token is `1.0`.
const EPSILON: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    capacity: f64,
    refill_per_sec: f64,
    tokens: f64,
    /// Time of the last refill computation.
    last: Duration,
}

impl TokenBucket {
    /// A full bucket at time `now`.
    pub fn new(capacity: u32, refill_per_sec: f64, now: Duration) -> Self {
        let refill_per_sec = if refill_per_sec.is_finite() && refill_per_sec > 0.0 {
            refill_per_sec
        } else {
            0.0
        };
        TokenBucket {
            capacity: f64::from(capacity),
            refill_per_sec,
            tokens: f64::from(capacity),
            last: now,
        }
    }

    pub fn capacity(&self) -> u32 {
        self.capacity as u32
    }

    pub fn refill_per_sec(&self) -> f64 {
        self.refill_per_sec
    }

    fn refill(&mut self, now: Duration) {
        // A clock that goes backwards (it cannot with Instant, but a fake one
        // might) is treated as "no time passed".
        if now > self.last {
            let secs = (now - self.last).as_secs_f64();
            self.tokens = (self.tokens + secs * self.refill_per_sec).min(self.capacity);
            self.last = now;
        }
    }

    /// Tokens available at `now` (fractional).
    pub fn available(&mut self, now: Duration) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// Takes one token if there is one. `false` means "429, do nothing".
    pub fn try_acquire(&mut self, now: Duration) -> bool {
        self.refill(now);
        if self.tokens + EPSILON >= 1.0 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }

    /// How long until one token is available (zero if one is available now,
    /// `None` if the bucket never refills).
    pub fn time_until_available(&mut self, now: Duration) -> Option<Duration> {
        self.refill(now);
        let missing = 1.0 - self.tokens;
        if missing <= EPSILON {
            return Some(Duration::ZERO);
        }
        if self.refill_per_sec <= 0.0 || self.capacity < 1.0 {
            return None;
        }
        Some(Duration::from_secs_f64(missing / self.refill_per_sec))
    }

    /// Fills the bucket to capacity (test helper).
    pub fn fill(&mut self, now: Duration) {
        self.tokens = self.capacity;
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn starts_full_and_empties() {
        let mut b = TokenBucket::new(2, 2.0, ms(0));
        assert!(b.try_acquire(ms(0)));
        assert!(b.try_acquire(ms(0)));
        assert!(!b.try_acquire(ms(0)));
        assert!(!b.try_acquire(ms(10)));
    }

    #[test]
    fn refills_two_per_second() {
        let mut b = TokenBucket::new(2, 2.0, ms(0));
        assert!(b.try_acquire(ms(0)));
        assert!(b.try_acquire(ms(0)));
        assert!(!b.try_acquire(ms(499)));
        assert!(b.try_acquire(ms(500)));
        assert!(!b.try_acquire(ms(500)));
        assert!(!b.try_acquire(ms(999)));
        assert!(b.try_acquire(ms(1000)));
    }

    #[test]
    fn never_exceeds_capacity() {
        let mut b = TokenBucket::new(2, 2.0, ms(0));
        assert!((b.available(ms(60_000)) - 2.0).abs() < 1e-12);
        assert!(b.try_acquire(ms(60_000)));
        assert!(b.try_acquire(ms(60_000)));
        assert!(!b.try_acquire(ms(60_000)));
    }

    #[test]
    fn failed_attempts_do_not_consume() {
        let mut b = TokenBucket::new(1, 2.0, ms(0));
        assert!(b.try_acquire(ms(0)));
        for t in (0..500).step_by(50) {
            assert!(!b.try_acquire(ms(t)));
        }
        assert!(b.try_acquire(ms(500)));
    }

    #[test]
    fn steady_rate_at_limit_passes() {
        let mut b = TokenBucket::new(1, 2.0, ms(0));
        for i in 0..20 {
            assert!(b.try_acquire(ms(i * 500)), "call {i}");
        }
    }

    #[test]
    fn capacity_five_bursts_five() {
        let mut b = TokenBucket::new(5, 2.0, ms(0));
        for _ in 0..5 {
            assert!(b.try_acquire(ms(0)));
        }
        assert!(!b.try_acquire(ms(0)));
    }

    #[test]
    fn time_until_available() {
        let mut b = TokenBucket::new(2, 2.0, ms(0));
        assert_eq!(b.time_until_available(ms(0)), Some(Duration::ZERO));
        b.try_acquire(ms(0));
        b.try_acquire(ms(0));
        let wait = b.time_until_available(ms(100)).unwrap_or_default();
        assert!((wait.as_secs_f64() - 0.4).abs() < 1e-6, "{wait:?}");
        let mut never = TokenBucket::new(1, 0.0, ms(0));
        never.try_acquire(ms(0));
        assert_eq!(never.time_until_available(ms(10_000)), None);
    }

    #[test]
    fn clock_going_backwards_is_ignored() {
        let mut b = TokenBucket::new(1, 2.0, ms(1000));
        assert!(b.try_acquire(ms(1000)));
        assert!(!b.try_acquire(ms(0)));
        assert!(b.try_acquire(ms(1500)));
    }

    #[test]
    fn zero_capacity_always_limits() {
        let mut b = TokenBucket::new(0, 2.0, ms(0));
        assert!(!b.try_acquire(ms(10_000)));
    }
}
