//! When to try a request again and how long to wait: exponential backoff with jitter, or what the server's
//! `Retry-After` says.

use std::time::Duration;

/// How often and how patiently a request is retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Tries in all (the first one included).
    pub attempts: u32,
    /// The wait before the second try; each later wait doubles, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed try number `attempt` (0-based): `base * 2^attempt`, capped, times a random factor in
    /// [0.5, 1) so that many clients that failed together do not come back together. The jitter changes only when
    /// a request is sent, never what it returns.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX));
        let capped = exponential.min(self.max_delay);
        capped.mul_f64(0.5 + 0.5 * rand::random::<f64>())
    }

    /// The wait before the next try when the server said `Retry-After: value` (honoured up to ten minutes, even
    /// above `max_delay`: the server knows when it will be back); the backoff when it did not say, or said an HTTP
    /// date, which this client does not parse.
    pub fn wait(&self, attempt: u32, retry_after: Option<&str>) -> Duration {
        match retry_after.and_then(parse_retry_after) {
            Some(asked) => asked.min(Duration::from_secs(600)),
            None => self.backoff(attempt),
        }
    }
}

/// `Retry-After` in seconds (`"3"`, `"1.5"`); None for an HTTP date or garbage.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// Whether an HTTP status is worth another try: too many requests, and server errors.
pub fn retryable_status(status: u16) -> bool {
    status == 429 || status == 408 || (500..600).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_stops_at_the_cap() {
        let policy = RetryPolicy {
            attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
        };
        for attempt in 0..6 {
            let full = Duration::from_millis(100 << attempt).min(Duration::from_millis(700));
            let wait = policy.backoff(attempt);
            assert!(
                wait >= full / 2 && wait < full,
                "attempt {attempt}: {wait:?} vs {full:?}"
            );
        }
        assert!(policy.backoff(60) < Duration::from_millis(700));
    }

    #[test]
    fn retry_after_in_seconds_is_honoured_and_dates_fall_back_to_backoff() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait(0, Some("2")), Duration::from_secs(2));
        assert_eq!(policy.wait(0, Some(" 0.25 ")), Duration::from_millis(250));
        assert!(policy.wait(0, Some("Wed, 21 Oct 2015 07:28:00 GMT")) < Duration::from_millis(500));
        assert_eq!(parse_retry_after("-1"), None);
        assert!(retryable_status(429) && retryable_status(503) && !retryable_status(400));
    }
}
