//! When and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

/// Retry settings of a client.
///
/// Requests with an idempotent method (GET, PUT, PATCH, DELETE) are retried when the PBX
/// answers 429, 502, 503 or 504, or when the connection fails, waiting with exponential backoff
/// and jitter or for as long as `Retry-After` asks. POST requests (OData actions) are retried
/// only with [`RetryPolicy::retry_post`], because an action may have run before the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts including the first one (1 disables retries).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further attempt.
    pub initial_backoff: Duration,
    /// Maximum wait between attempts, also the cap on `Retry-After`.
    pub max_backoff: Duration,
    /// Whether POST requests are retried too.
    pub retry_post: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            retry_post: false,
        }
    }
}

impl RetryPolicy {
    /// Returns a policy that sends each request once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the total number of attempts.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff and the cap on every wait.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Also retries POST requests.
    pub fn with_retry_post(mut self, retry_post: bool) -> Self {
        self.retry_post = retry_post;
        self
    }

    /// Tells whether a request with this method may be sent again.
    pub(crate) fn allows_method(&self, method: &reqwest::Method) -> bool {
        match *method {
            reqwest::Method::GET
            | reqwest::Method::HEAD
            | reqwest::Method::PUT
            | reqwest::Method::PATCH
            | reqwest::Method::DELETE
            | reqwest::Method::OPTIONS => true,
            reqwest::Method::POST => self.retry_post,
            _ => false,
        }
    }

    /// Returns the wait before attempt `attempt + 1` (attempts count from 1): `Retry-After` when the
    /// server sent it, otherwise full-jitter exponential backoff.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        // Full jitter spreads retries of concurrent requests over [ceiling/2, ceiling].
        let jitter = jitter_fraction();
        ceiling.mul_f64(0.5 + jitter / 2.0)
    }
}

/// Tells whether a reply status is worth retrying.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let target = SystemTime::from(date);
    Some(
        target
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Returns a number in [0, 1) from the clock's low bits, enough to spread retries apart.
fn jitter_fraction() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    // Mix the bits so that consecutive calls do not give nearly equal values.
    let mixed = nanos.wrapping_mul(2_654_435_761) >> 8;
    f64::from(mixed % 1_000_000) / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(500));
        let first = policy.delay(1, None);
        assert!(
            first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
            "{first:?}"
        );
        let third = policy.delay(3, None);
        assert!(
            third >= Duration::from_millis(200) && third <= Duration::from_millis(400),
            "{third:?}"
        );
        assert!(policy.delay(10, None) <= Duration::from_millis(500));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(9))),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn post_needs_opt_in() {
        let policy = RetryPolicy::default();
        assert!(policy.allows_method(&reqwest::Method::GET));
        assert!(policy.allows_method(&reqwest::Method::PATCH));
        assert!(!policy.allows_method(&reqwest::Method::POST));
        assert!(policy
            .with_retry_post(true)
            .allows_method(&reqwest::Method::POST));
    }
}
