//! Client-side token bucket: lexoffice allows 2 requests/s for all endpoints
//! together (docs/lexoffice.md › Rate limit). We stay under that with a margin (default 1.9/s,
//! no burst), shared by every call of the app.
//!
//! `TokenBucket` is pure (time passed in as a `Duration` since an origin) so it is
//! tested with a fake clock; `RateLimiter` wraps it with tokio's clock.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    last: Duration,
    not_before: Duration,
}

impl TokenBucket {
    pub fn new(capacity: u32, per_sec: f64) -> Self {
        let capacity = f64::from(capacity.max(1));
        Self {
            capacity,
            per_sec,
            tokens: capacity,
            last: Duration::ZERO,
            not_before: Duration::ZERO,
        }
    }

    /// Takes one token at time `now` and returns how long the caller must wait
    /// before sending. Reservations queue up: ten callers at once get 0, 1/r, 2/r, …
    pub fn reserve(&mut self, now: Duration) -> Duration {
        let now_eff = now.max(self.not_before);
        if now_eff > self.last {
            let elapsed = (now_eff - self.last).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
            self.last = now_eff;
        }
        self.tokens -= 1.0;
        let deficit = if self.tokens < 0.0 {
            Duration::from_secs_f64(-self.tokens / self.per_sec)
        } else {
            Duration::ZERO
        };
        (self.last + deficit).saturating_sub(now)
    }

    /// lexoffice said 429: nobody sends before `now + pause`, and the bucket restarts empty.
    pub fn penalise(&mut self, now: Duration, pause: Duration) {
        let until = now + pause;
        if until > self.not_before {
            self.not_before = until;
        }
        if self.last < until {
            self.last = until;
            self.tokens = self.tokens.min(1.0);
        }
    }
}

/// How the client keeps to lexoffice's 2 requests per second: a turn before
/// each request, a pause for everyone after a 429. `core` wires one: today the
/// in-process `RateLimiter`; several seats will share one kept on the database
/// server (docs/architecture.md › Single-process assumptions).
pub trait Pacing: Send + Sync {
    /// Waits for the next turn.
    fn turn(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
    /// lexoffice said 429: nobody sends for `pause`.
    fn penalise(&self, pause: Duration);
}

impl Pacing for RateLimiter {
    fn turn(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(self.acquire())
    }

    fn penalise(&self, pause: Duration) {
        RateLimiter::penalise(self, pause)
    }
}

/// The in-process limiter (one per app).
pub struct RateLimiter {
    origin: Instant,
    bucket: Mutex<TokenBucket>,
}

impl RateLimiter {
    pub fn new(capacity: u32, per_sec: f64) -> Self {
        Self {
            origin: Instant::now(),
            bucket: Mutex::new(TokenBucket::new(capacity, per_sec)),
        }
    }

    /// lexoffice's pace with a margin: 1.9 requests/s (spacing 526 ms; the
    /// server refills one token per 500 ms).
    pub const LEXOFFICE_PER_SEC: f64 = 1.9;

    /// The default for lexoffice: `LEXOFFICE_PER_SEC`, no burst.
    pub fn lexoffice_default() -> Self {
        Self::new(1, Self::LEXOFFICE_PER_SEC)
    }

    fn now(&self) -> Duration {
        Instant::now().duration_since(self.origin)
    }

    pub async fn acquire(&self) {
        let wait = {
            let mut b = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
            b.reserve(self.now())
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    pub fn penalise(&self, pause: Duration) {
        let now = self.now();
        self.bucket
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .penalise(now, pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn close(a: Duration, b: Duration) -> bool {
        (a.as_secs_f64() - b.as_secs_f64()).abs() < 1e-6
    }

    #[test]
    fn no_burst_bucket_spaces_requests_by_one_over_rate() {
        let mut b = TokenBucket::new(1, 2.0);
        assert_eq!(b.reserve(ms(0)), ms(0));
        assert!(close(b.reserve(ms(0)), ms(500)));
        assert!(close(b.reserve(ms(0)), ms(1000)));
        // A caller arriving later waits only for the remaining queue.
        assert!(close(b.reserve(ms(1200)), ms(300)));
    }

    #[test]
    fn idle_time_refills_up_to_capacity_only() {
        let mut b = TokenBucket::new(2, 2.0);
        assert_eq!(b.reserve(ms(0)), ms(0));
        assert_eq!(b.reserve(ms(0)), ms(0));
        assert!(close(b.reserve(ms(0)), ms(500)));
        // Ten seconds idle: only two tokens are back, not twenty.
        assert_eq!(b.reserve(ms(10_500)), ms(0));
        assert_eq!(b.reserve(ms(10_500)), ms(0));
        assert!(close(b.reserve(ms(10_500)), ms(500)));
    }

    #[test]
    fn sustained_rate_never_exceeds_limit_in_any_window() {
        // 1.8/s, no burst: simulate 50 back-to-back callers and check every 1 s window.
        let mut b = TokenBucket::new(1, 1.8);
        let mut sends = Vec::new();
        for _ in 0..50 {
            let w = b.reserve(ms(0));
            sends.push(w.as_secs_f64());
        }
        for (i, t) in sends.iter().enumerate() {
            let in_window = sends[i..].iter().filter(|s| **s < t + 1.0 - 1e-9).count();
            assert!(in_window <= 2, "{in_window} sends within 1 s from {t}");
        }
        assert!((sends[49] - 49.0 / 1.8).abs() < 1e-6);
    }

    #[test]
    fn penalty_after_429_delays_everyone() {
        let mut b = TokenBucket::new(1, 2.0);
        assert_eq!(b.reserve(ms(0)), ms(0));
        b.penalise(ms(100), ms(2000));
        let w = b.reserve(ms(200));
        assert!(w >= ms(1900), "{w:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn limiter_sleeps_on_tokio_clock() {
        let l = RateLimiter::new(1, 2.0);
        let t0 = Instant::now();
        for _ in 0..5 {
            l.acquire().await;
        }
        let elapsed = t0.elapsed();
        assert!(elapsed >= ms(2000) && elapsed < ms(2100), "{elapsed:?}");
    }
}
