//! When an API request is sent again: a pure function of method, outcome and attempt.
//!
//! Reads are retried on throttling (429), unavailability (503, 504) and transport errors.
//! Writes are retried only when the server certainly did not act on them: a 429, or a
//! connection that was never made. A 5xx or a broken connection after a write was sent may
//! mean the server acted on it, so it is never sent blindly again.

use std::time::Duration;

/// At most this many attempts per request, the first included.
pub const MAX_ATTEMPTS: u32 = 3;
/// The wait before the second attempt; doubled for each further one.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// The longest Retry-After honoured; a server asking for more is not waited for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this status code.
    Status(u16),
    /// No connection was made: the request never reached the server.
    NotSent,
    /// The transport failed; the request may have reached the server.
    Failed,
    /// The server's certificate was not trusted: no request was sent, and another attempt
    /// would meet the same certificate.
    Untrusted,
    /// No answer within the bound: another attempt would most likely wait as long again.
    TimedOut,
    /// The exec credential plugin failed or did not answer: nothing was sent, and running it
    /// again at once would most likely end the same way.
    NoCredentials,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Hand the outcome to the caller.
    Done,
    /// Wait this long, then send the request again.
    Retry(Duration),
    /// The server asked to be retried after this long, more than [`MAX_RETRY_AFTER`]: hand
    /// the outcome to the caller (and say when the server would take it).
    TooLong(Duration),
}

/// Whether `method` only reads (GET covers get, list and establishing a watch).
pub fn is_read(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

/// Decides after attempt number `attempt` (1 for the first) of `method` ended in `outcome`;
/// `retry_after` is the server's Retry-After, if it sent one.
pub fn decide(
    method: &str,
    outcome: Outcome,
    attempt: u32,
    retry_after: Option<Duration>,
) -> Decision {
    let retryable = match outcome {
        Outcome::Status(429) | Outcome::NotSent => true,
        Outcome::Status(503 | 504) | Outcome::Failed => is_read(method),
        Outcome::Status(_) | Outcome::Untrusted | Outcome::TimedOut | Outcome::NoCredentials => {
            false
        }
    };
    if !retryable || attempt >= MAX_ATTEMPTS {
        return Decision::Done;
    }
    match retry_after {
        Some(wait) if wait > MAX_RETRY_AFTER => Decision::TooLong(wait),
        Some(wait) => Decision::Retry(wait),
        None => Decision::Retry(backoff(attempt)),
    }
}

/// The wait after attempt `attempt` when the server named none: 200 ms, 400 ms, …
pub fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF.saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
}

/// Parses a Retry-After value in seconds (the form the API server sends); an HTTP date or
/// garbage counts as absent.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Whether waiting `wait` more still ends before `budget` runs out, `spent` being used.
pub fn fits(spent: Duration, wait: Duration, budget: Option<Duration>) -> bool {
    budget.is_none_or(|b| spent.saturating_add(wait) < b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn reads_are_retried_on_unavailable_with_growing_backoff() {
        assert_eq!(
            decide("GET", Outcome::Status(503), 1, None),
            Decision::Retry(MS(200))
        );
        assert_eq!(
            decide("GET", Outcome::Status(504), 2, None),
            Decision::Retry(MS(400))
        );
        assert_eq!(
            decide("GET", Outcome::Failed, 1, None),
            Decision::Retry(MS(200))
        );
    }

    #[test]
    fn an_untrusted_certificate_or_a_timeout_is_never_retried() {
        for method in ["GET", "POST"] {
            for outcome in [Outcome::Untrusted, Outcome::TimedOut] {
                assert_eq!(decide(method, outcome, 1, None), Decision::Done);
            }
        }
    }

    #[test]
    fn no_request_is_sent_more_than_three_times() {
        for method in ["GET", "POST"] {
            assert_eq!(
                decide(method, Outcome::Status(429), MAX_ATTEMPTS, None),
                Decision::Done
            );
        }
        assert_eq!(decide("GET", Outcome::Status(503), 3, None), Decision::Done);
    }

    #[test]
    fn writes_are_never_resent_after_a_server_error_or_a_broken_connection() {
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            for outcome in [
                Outcome::Status(500),
                Outcome::Status(502),
                Outcome::Status(503),
                Outcome::Status(504),
                Outcome::Failed,
            ] {
                assert_eq!(
                    decide(method, outcome, 1, None),
                    Decision::Done,
                    "{method} {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn writes_are_retried_when_the_server_did_not_take_them() {
        assert_eq!(
            decide(
                "POST",
                Outcome::Status(429),
                1,
                Some(Duration::from_secs(1))
            ),
            Decision::Retry(Duration::from_secs(1))
        );
        assert_eq!(
            decide("DELETE", Outcome::NotSent, 1, None),
            Decision::Retry(MS(200))
        );
    }

    #[test]
    fn answers_that_retrying_cannot_change_are_returned_at_once() {
        for code in [200, 201, 400, 401, 403, 404, 409, 410, 422, 500] {
            assert_eq!(
                decide("GET", Outcome::Status(code), 1, None),
                Decision::Done,
                "{code}"
            );
        }
    }

    #[test]
    fn a_retry_after_beyond_the_cap_is_not_waited_for() {
        let hour = Duration::from_secs(3600);
        assert_eq!(
            decide("GET", Outcome::Status(429), 1, Some(hour)),
            Decision::TooLong(hour)
        );
        assert_eq!(
            decide("GET", Outcome::Status(429), 1, Some(MAX_RETRY_AFTER)),
            Decision::Retry(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn retry_after_is_read_in_seconds_only() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn waits_stay_inside_the_request_timeout() {
        let s = Duration::from_secs;
        assert!(fits(s(1), s(1), None));
        assert!(fits(s(1), s(1), Some(s(3))));
        assert!(!fits(s(2), s(1), Some(s(3))));
    }

    #[test]
    fn backoff_does_not_overflow() {
        assert_eq!(backoff(1), MS(200));
        assert_eq!(backoff(3), MS(800));
        assert!(backoff(u32::MAX) > Duration::ZERO);
    }
}
