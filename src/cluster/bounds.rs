//! What one response may cost: time to its headers, time to its last byte, bytes buffered.
//!
//! kube reads a response body after the tower layers have returned, so a bound on the
//! request future alone stops at the headers; [`BoundedBody`] carries the deadline and the
//! size cap into the body itself. Watches are long-lived streams followed by the waits (with
//! their own `--timeout` and kube-runtime's idle reconnect): they get no deadline, and the
//! size cap applies to each event (line), never to the stream.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use tower::BoxError;

/// Without `--request-timeout`: time for a request other than a watch to connect, complete
/// TLS and receive the response headers.
pub const DEFAULT_HEADERS_TIMEOUT: Duration = Duration::from_secs(30);
/// Without `--request-timeout`: time for the body to arrive once the headers have.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response body (or watch event) the plugin reads: far above a page of a list
/// (lists are paginated), far below what would exhaust memory.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Whether a request path's query asks for a watch.
pub fn is_watch(uri: &http::Uri) -> bool {
    uri.query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"))
}

/// A request given up on by a bound; `what` is `METHOD URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    /// No response headers within the default bound.
    NoAnswer {
        /// `METHOD URL`.
        what: String,
        /// The bound.
        after: Duration,
    },
    /// The body did not arrive within the bound.
    SlowBody {
        /// `METHOD URL`.
        what: String,
        /// The bound.
        after: Duration,
        /// Whether the bound was `--request-timeout` (else the default).
        flag: bool,
    },
    /// The body (or one watch event) was larger than [`MAX_RESPONSE_BYTES`].
    TooLarge {
        /// `METHOD URL`.
        what: String,
    },
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::NoAnswer { what, after } => write!(
                f,
                "{what}: no answer within {}s (the default bound of a request; set another with \
                 --request-timeout)",
                after.as_secs()
            ),
            Exceeded::SlowBody {
                what,
                after,
                flag: true,
            } => write!(
                f,
                "{what}: the response was not complete within {}s (--request-timeout)",
                after.as_secs_f64()
            ),
            Exceeded::SlowBody { what, after, .. } => write!(
                f,
                "{what}: the response body was not complete {}s after its headers (the default \
                 bound; set another with --request-timeout)",
                after.as_secs()
            ),
            Exceeded::TooLarge { what } => write!(
                f,
                "the response to {what} is larger than {} MiB, more than the plugin reads; \
                 nothing more was read",
                MAX_RESPONSE_BYTES / 1024 / 1024
            ),
        }
    }
}

impl std::error::Error for Exceeded {}

/// A response body read within a deadline and a size cap.
pub struct BoundedBody<B> {
    inner: B,
    deadline: Option<(Pin<Box<Sleep>>, Exceeded)>,
    what: Arc<str>,
    /// Bytes counted against the cap: the whole body, or the current line of a watch.
    counted: u64,
    per_line: bool,
    failed: bool,
}

impl<B> BoundedBody<B> {
    /// `body` of the response to `what`, to be complete by `deadline` (`SlowBody` then); a
    /// watch counts its cap per line.
    pub fn new(
        body: B,
        what: Arc<str>,
        deadline: Option<(Instant, Exceeded)>,
        watch: bool,
    ) -> Self {
        BoundedBody {
            inner: body,
            deadline: deadline.map(|(at, err)| (Box::pin(tokio::time::sleep_until(at)), err)),
            what,
            counted: 0,
            per_line: watch,
            failed: false,
        }
    }

    /// Counts `data`; false once the cap is passed.
    fn count(&mut self, data: &[u8]) -> bool {
        if !self.per_line {
            self.counted = self.counted.saturating_add(data.len() as u64);
            return self.counted <= MAX_RESPONSE_BYTES;
        }
        // A watch: each newline ends an event, and the count starts again.
        for (i, segment) in data.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                self.counted = 0;
            }
            self.counted = self.counted.saturating_add(segment.len() as u64);
            if self.counted > MAX_RESPONSE_BYTES {
                return false;
            }
        }
        true
    }
}

impl<B> Body for BoundedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        if let Some((sleep, err)) = &mut this.deadline
            && sleep.as_mut().poll(cx).is_ready()
        {
            this.failed = true;
            return Poll::Ready(Some(Err(Box::new(err.clone()))));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref()
                    && !this.count(data)
                {
                    this.failed = true;
                    return Poll::Ready(Some(Err(Box::new(Exceeded::TooLarge {
                        what: this.what.to_string(),
                    }))));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::uri;
    use http_body_util::BodyExt as _;

    #[test]
    fn watches_are_told_by_their_query() {
        assert!(is_watch(&uri(
            "/apis/g/v1/things?watch=true&resourceVersion=1"
        )));
        assert!(is_watch(&uri("/apis/g/v1/things?fieldSelector=x&watch=1")));
        assert!(!is_watch(&uri("/apis/g/v1/things?limit=500")));
        assert!(!is_watch(&uri("/apis/g/v1/things/watch")));
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_an_error_naming_the_request() {
        let big = Bytes::from(vec![b'x'; (MAX_RESPONSE_BYTES + 1) as usize]);
        let body = BoundedBody::new(
            http_body_util::Full::new(big),
            "GET https://h/x".into(),
            None,
            false,
        );
        let err = body.collect().await.expect_err("refused");
        assert_eq!(
            err.to_string(),
            "the response to GET https://h/x is larger than 64 MiB, more than the plugin reads; \
             nothing more was read"
        );
    }

    #[tokio::test]
    async fn a_watch_is_capped_per_event_not_as_a_whole() {
        let mut body = BoundedBody::new(
            http_body_util::Empty::<Bytes>::new(),
            "GET w".into(),
            None,
            true,
        );
        // Many events adding up to more than the cap are fine…
        let event = vec![b'e'; 1024 * 1024];
        let mut chunk = event.clone();
        chunk.push(b'\n');
        for _ in 0..(MAX_RESPONSE_BYTES / (1024 * 1024) + 8) {
            assert!(body.count(&chunk));
        }
        // …one event over the cap is not.
        let mut huge = vec![b'e'; (MAX_RESPONSE_BYTES + 1) as usize];
        huge.push(b'\n');
        assert!(!body.count(&huge));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_past_its_deadline_ends_with_the_bound() {
        let pending = http_body_util::StreamBody::new(futures::stream::pending::<
            Result<Frame<Bytes>, std::io::Error>,
        >());
        let err = Exceeded::SlowBody {
            what: "GET u".into(),
            after: Duration::from_secs(3),
            flag: true,
        };
        let body = BoundedBody::new(
            pending,
            "GET u".into(),
            Some((Instant::now() + Duration::from_secs(3), err)),
            false,
        );
        let got = body.collect().await.expect_err("timed out");
        assert_eq!(
            got.to_string(),
            "GET u: the response was not complete within 3s (--request-timeout)"
        );
    }
}
