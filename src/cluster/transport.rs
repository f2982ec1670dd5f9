//! Tower layers around kube's HTTP stack: our bounded retries and kubectl-style `-v` logs.
//!
//! The client is stacked as `Retry → auth → Log → kube (base URI, headers, hyper)`, so the
//! log sees every attempt with the Authorization header it carries, and masks it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, Request, Response};
use kube::client::Body;
use tower::{BoxError, Layer, Service};

use super::bounds::{self, BoundedBody, Exceeded};
use super::policy::{self, Decision, Outcome};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

use crate::env::Sink;

/// Sends each request up to [`policy::MAX_ATTEMPTS`] times as [`policy::decide`] says, within
/// the optional `budget` (`--request-timeout`) for all attempts and waits together.
#[derive(Clone)]
pub struct RetryLayer {
    /// Total time per request, attempts and waits included.
    pub budget: Option<Duration>,
    /// The API server URL, for messages.
    pub base: String,
    /// Warnings about writes that may or may not have happened, and give-ups.
    pub sink: Sink,
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;

    fn layer(&self, inner: S) -> Retry<S> {
        Retry {
            inner: Arc::new(tokio::sync::Mutex::new(inner)),
            layer: self.clone(),
        }
    }
}

/// See [`RetryLayer`].
pub struct Retry<S> {
    // kube's stack is not Clone; calls are only held for poll_ready + call.
    inner: Arc<tokio::sync::Mutex<S>>,
    layer: RetryLayer,
}

/// The request ran out of `--request-timeout`.
#[derive(Debug)]
pub struct TimedOut(pub Duration);

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request timed out after {}s (--request-timeout)",
            self.0.as_secs_f64()
        )
    }
}

impl std::error::Error for TimedOut {}

impl<S, B> Service<Request<Body>> for Retry<S>
where
    S: Service<Request<Body>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Send + 'static,
{
    type Response = Response<BoundedBody<B>>;
    type Error = BoxError;
    type Future = BoxFuture<Result<Response<BoundedBody<B>>, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness of the inner service is awaited per attempt.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        let layer = self.layer.clone();
        let start = tokio::time::Instant::now();
        let watch = bounds::is_watch(req.uri());
        let what: Arc<str> = format!("{} {}{}", req.method(), layer.base, req.uri().path()).into();
        Box::pin(async move {
            let budget = layer.budget;
            let res = retry_loop(inner, layer, req, watch, &what).await?;
            // kube reads the body after this returns: the rest of the bound goes with it.
            // Watches are the waits' to bound (their --timeout, kube-runtime's idle reconnect).
            let deadline = match (budget, watch) {
                (_, true) => None,
                (Some(b), false) => Some((
                    start + b,
                    Exceeded::SlowBody {
                        what: what.to_string(),
                        after: b,
                        flag: true,
                    },
                )),
                (None, false) => Some((
                    tokio::time::Instant::now() + bounds::DEFAULT_BODY_TIMEOUT,
                    Exceeded::SlowBody {
                        what: what.to_string(),
                        after: bounds::DEFAULT_BODY_TIMEOUT,
                        flag: false,
                    },
                )),
            };
            Ok(res.map(|body| BoundedBody::new(body, what, deadline, watch)))
        })
    }
}

async fn retry_loop<S, B>(
    inner: Arc<tokio::sync::Mutex<S>>,
    layer: RetryLayer,
    mut req: Request<Body>,
    watch: bool,
    what: &str,
) -> Result<Response<B>, BoxError>
where
    S: Service<Request<Body>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let posted = (req.method() == http::Method::POST)
        .then(|| req.body().try_clone())
        .flatten();
    let target = Target::parse(req.uri().path(), body_name(posted).await);
    let url = format!("{}{}", layer.base, req.uri().path());
    let mut attempt = 1;
    loop {
        if !policy::is_read(&method) {
            // From the first write on, a signal must not kill the process between a write
            // and the wait that follows it: the command says what it left behind instead.
            crate::interrupt::arm();
            // A signal noticed by no wait (received during a read between two waits) still
            // stops the next write before it is sent.
            if let Some(sig) = crate::interrupt::stopping() {
                return Err(Box::new(crate::interrupt::Interrupted(sig)));
            }
        }
        let spare = clone_request(&req);
        let budget_left = layer.budget.map(|b| b.saturating_sub(start.elapsed()));
        let bound = match (budget_left, layer.budget) {
            (Some(left), Some(budget)) => Some((left, Box::new(TimedOut(budget)) as BoxError)),
            // Without --request-timeout a watch may wait for its headers as the server likes
            // (its wait has a timeout); anything else gets the default bound.
            _ if watch => None,
            _ => Some((
                bounds::DEFAULT_HEADERS_TIMEOUT,
                Box::new(Exceeded::NoAnswer {
                    what: what.to_string(),
                    after: bounds::DEFAULT_HEADERS_TIMEOUT,
                }) as BoxError,
            )),
        };
        if let Some((left, _)) = &bound {
            // The exec credential plugin, run inside this attempt, ends by the same time, so
            // its own error (not this one) says why the attempt stopped.
            req.extensions_mut()
                .insert(AttemptDeadline(tokio::time::Instant::now() + *left));
        }
        let result = attempt_once(&inner, req, bound).await;
        let (outcome, retry_after) = classify(&result);
        let decision = match spare {
            Some(_) => policy::decide(&method, outcome, attempt, retry_after),
            // A streamed body cannot be sent twice.
            None => Decision::Done,
        };
        match (decision, spare) {
            (Decision::Retry(wait), Some(next))
                if policy::fits(start.elapsed(), wait, layer.budget) =>
            {
                drop(result);
                // After a write or wait took over the signals, one received during the pause
                // must stop the retry: nothing else would notice it.
                match crate::interrupt::armed().filter(|_| !crate::interrupt::recovering()) {
                    Some(flag) => tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        sig = crate::interrupt::pressed(flag) => {
                            return Err(Box::new(crate::interrupt::Interrupted(sig)));
                        }
                    },
                    None => tokio::time::sleep(wait).await,
                }
                req = next;
                attempt += 1;
            }
            (Decision::Retry(_), _)
                if !policy::fits(start.elapsed(), Duration::ZERO, layer.budget) =>
            {
                // The timeout itself ended this attempt; the error says so.
                return result;
            }
            (Decision::Retry(wait), _) => {
                (layer.sink)(&format!(
                    "warning: not retrying {method} {url} ({}): waiting {}s more would pass \
                     the request timeout",
                    outcome_text(outcome),
                    wait.as_secs_f64()
                ));
                return result;
            }
            (Decision::TooLong(wait), _) => {
                (layer.sink)(&too_long_note(&method, &url, wait, jiff::Timestamp::now()));
                return result;
            }
            (Decision::Done, _) => {
                if !policy::is_read(&method) && maybe_acted(outcome) {
                    for line in unsure_write_note(&method, &url, &target, outcome) {
                        (layer.sink)(&line);
                    }
                }
                return result;
            }
        }
    }
}

/// When the current attempt of a request is given up on (a request extension).
#[derive(Debug, Clone, Copy)]
pub struct AttemptDeadline(pub tokio::time::Instant);

/// One attempt, up to its response headers, bounded by `bound` (the time left, and the
/// error when it runs out).
async fn attempt_once<S, B>(
    inner: &tokio::sync::Mutex<S>,
    req: Request<Body>,
    bound: Option<(Duration, BoxError)>,
) -> Result<Response<B>, BoxError>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: Into<BoxError>,
{
    let send = async {
        let fut = {
            let mut svc = inner.lock().await;
            std::future::poll_fn(|cx| svc.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            svc.call(req)
        };
        fut.await.map_err(Into::into)
    };
    match bound {
        Some((left, err)) => tokio::time::timeout(left, send)
            .await
            .unwrap_or_else(|_| Err(err)),
        None => send.await,
    }
}

fn classify<B>(result: &Result<Response<B>, BoxError>) -> (Outcome, Option<Duration>) {
    match result {
        Ok(res) => (
            Outcome::Status(res.status().as_u16()),
            res.headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(policy::parse_retry_after),
        ),
        Err(e) if e.is::<crate::error::UserError>() => (Outcome::NoCredentials, None),
        Err(e) if never_connected(e.as_ref()) => (Outcome::NotSent, None),
        Err(e) if untrusted_certificate(e.as_ref()) => (Outcome::Untrusted, None),
        Err(e) if e.is::<TimedOut>() || e.is::<Exceeded>() => (Outcome::TimedOut, None),
        Err(_) => (Outcome::Failed, None),
    }
}

/// A refused connection is the one transport error that proves nothing was sent.
fn never_connected(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// A TLS handshake that failed on the server's certificate (rustls says "invalid peer
/// certificate"): no request was sent, and another attempt would meet the same certificate.
fn untrusted_certificate(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.to_string().contains("invalid peer certificate") {
            return true;
        }
        cur = e.source();
    }
    false
}

/// Whether the server may have acted on a write that ended so.
fn maybe_acted(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Failed | Outcome::TimedOut)
        || matches!(outcome, Outcome::Status(c) if c >= 500)
}

fn outcome_text(outcome: Outcome) -> String {
    match outcome {
        Outcome::Status(code) => status_text(code),
        Outcome::NotSent => "connection refused".to_string(),
        Outcome::Failed => "connection failed".to_string(),
        Outcome::Untrusted => "certificate not trusted".to_string(),
        Outcome::TimedOut => "no answer in time".to_string(),
        Outcome::NoCredentials => "no credentials".to_string(),
    }
}

fn status_text(code: u16) -> String {
    let reason = http::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{code} {reason}").trim_end().to_string()
}

fn clone_request(req: &Request<Body>) -> Option<Request<Body>> {
    let body = req.body().try_clone()?;
    let mut copy = Request::new(body);
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.version_mut() = req.version();
    *copy.headers_mut() = req.headers().clone();
    *copy.extensions_mut() = req.extensions().clone();
    Some(copy)
}

/// `metadata.name` of a POSTed object, for the "check with" hint.
async fn body_name(body: Option<Body>) -> Option<String> {
    let bytes = body?.collect_bytes().await.ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v["metadata"]["name"].as_str().map(str::to_owned)
}

/// What a request path names: `/apis/G/V/namespaces/NS/PLURAL[/NAME[/SUB]]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// `plural.group`, or the plural alone for the core group.
    pub resource: String,
    /// The namespace, if namespaced.
    pub namespace: Option<String>,
    /// The object's name (from the path, or the POSTed body).
    pub name: Option<String>,
    /// A subresource (`status`, `stop`, …).
    pub subresource: Option<String>,
}

impl Target {
    /// Reads a path; `posted` is the name in a POST body.
    pub fn parse(path: &str, posted: Option<String>) -> Option<Target> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (group, rest) = match parts.as_slice() {
            ["api", _v, rest @ ..] => ("", rest),
            ["apis", g, _v, rest @ ..] => (*g, rest),
            _ => return None,
        };
        let (namespace, rest) = match rest {
            ["namespaces", ns, r, tail @ ..] => {
                (Some((*ns).to_string()), [&[*r][..], tail].concat())
            }
            _ => (None, rest.to_vec()),
        };
        let plural = rest.first()?;
        let resource = if group.is_empty() {
            (*plural).to_string()
        } else {
            format!("{plural}.{group}")
        };
        Some(Target {
            resource,
            namespace,
            name: rest.get(1).map(|s| (*s).to_string()).or(posted),
            subresource: rest.get(2).map(|s| (*s).to_string()),
        })
    }
}

/// The warning after a write the server may or may not have acted on, and how to check.
pub fn unsure_write_note(
    method: &str,
    url: &str,
    target: &Option<Target>,
    outcome: Outcome,
) -> Vec<String> {
    let answer = match outcome {
        Outcome::Status(code) => format!("was answered {}", status_text(code)),
        _ => "lost its connection".to_string(),
    };
    let mut lines = vec![format!(
        "warning: {method} {url} {answer} and was not sent again: the server may have acted \
         on it"
    )];
    if let Some(Target {
        resource,
        namespace,
        name: Some(name),
        subresource: None,
    }) = target
    {
        let state = match method {
            "POST" => "may or may not exist",
            "DELETE" => "may or may not be deleted",
            _ => "may or may not have been changed",
        };
        let ns = namespace
            .as_ref()
            .map(|n| format!(" -n {n}"))
            .unwrap_or_default();
        lines[0].push_str(&format!(", so {resource} {name} {state}"));
        lines.push(format!(
            "hint: check with: kubectl get {resource} {name}{ns}"
        ));
    }
    lines
}

/// The give-up line when the server asks to be retried later than we wait.
pub fn too_long_note(method: &str, url: &str, wait: Duration, now: jiff::Timestamp) -> String {
    let when = jiff::SignedDuration::try_from(wait)
        .ok()
        .and_then(|d| now.checked_add(d).ok())
        .map(|t| format!(" (at {} UTC)", t.strftime("%Y-%m-%d %H:%M:%S")))
        .unwrap_or_default();
    format!(
        "warning: the API server asked to retry {method} {url} after {}s{when}; not waiting \
         (at most {}s is waited), so the request failed",
        wait.as_secs(),
        policy::MAX_RETRY_AFTER.as_secs()
    )
}

/// What a pass-through layer does around each request: `before` sees the request, `after`
/// its result; both pass on unchanged. [`LogLayer`] and the warnings layer are two of these.
pub trait Observe: Clone + Send + 'static {
    /// What `before` hands to `after`.
    type Note: Send + 'static;
    fn before<B>(&self, req: &Request<B>) -> Self::Note;
    fn after<B>(&self, note: Self::Note, result: &Result<Response<B>, BoxError>);
}

/// The tower layer running an [`Observe`] around each request.
#[derive(Clone)]
pub struct Observed<O>(pub O);

impl<S, O: Observe> Layer<S> for Observed<O> {
    type Service = Observing<S, O>;

    fn layer(&self, inner: S) -> Observing<S, O> {
        Observing {
            inner,
            observer: self.0.clone(),
        }
    }
}

/// See [`Observed`].
#[derive(Clone)]
pub struct Observing<S, O> {
    inner: S,
    observer: O,
}

impl<S, O, ReqB, B> Service<Request<ReqB>> for Observing<S, O>
where
    S: Service<Request<ReqB>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    O: Observe,
    B: Send + 'static,
{
    type Response = Response<B>;
    type Error = BoxError;
    type Future = BoxFuture<Result<Response<B>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        let note = self.observer.before(&req);
        let observer = self.observer.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let result = fut.await.map_err(Into::into);
            observer.after(note, &result);
            result
        })
    }
}

/// Logs each request like kubectl: from `-v 6` a line per request with status and time,
/// from `-v 8` the request and response headers too, secrets masked. Never bodies.
/// Stacked as `Observed(LogLayer { … })`.
#[derive(Clone)]
pub struct LogLayer {
    /// The `-v` level.
    pub level: u8,
    /// The API server URL, prefixed to request paths.
    pub base: String,
    /// Where lines go.
    pub sink: Sink,
}

/// One request as [`LogLayer`] saw it go out.
pub struct Sent {
    line: String,
    /// The request headers, from `-v 8`.
    headers: Option<Vec<String>>,
    start: Instant,
}

impl Observe for LogLayer {
    /// None below `-v 6`.
    type Note = Option<Sent>;

    fn before<B>(&self, req: &Request<B>) -> Option<Sent> {
        if self.level < 6 {
            return None;
        }
        let pq = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        // Headers are taken now; the block is written at once when the answer comes, so
        // concurrent requests do not interleave.
        Some(Sent {
            line: format!("{} {}{}", req.method(), self.base, pq),
            headers: (self.level >= 8).then(|| header_lines(req.headers())),
            start: Instant::now(),
        })
    }

    fn after<B>(&self, sent: Option<Sent>, result: &Result<Response<B>, BoxError>) {
        let Some(Sent {
            line,
            headers,
            start,
        }) = sent
        else {
            return;
        };
        let ms = start.elapsed().as_millis();
        let status = match result {
            Ok(res) => format!(
                "{} in {ms} milliseconds",
                status_text(res.status().as_u16())
            ),
            Err(e) => format!(" in {ms} milliseconds: {e}"),
        };
        let block = match headers {
            None => format!("{line} {status}"),
            Some(sent) => {
                let mut block = vec![line, "Request Headers:".to_string()];
                block.extend(sent);
                block.push(format!("Response Status: {status}"));
                if let Ok(res) = result {
                    block.push("Response Headers:".to_string());
                    block.extend(header_lines(res.headers()));
                }
                block.join("\n")
            }
        };
        (self.sink)(&block);
    }
}

fn header_lines(headers: &HeaderMap) -> Vec<String> {
    headers
        .iter()
        .map(|(name, value)| {
            format!(
                "    {}: {}",
                title_case(name.as_str()),
                redact(name.as_str(), value)
            )
        })
        .collect()
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A header value fit for a log: credentials masked, the auth scheme kept as kubectl does.
pub fn redact(name: &str, value: &HeaderValue) -> String {
    let name = name.to_ascii_lowercase();
    let text = value.to_str().unwrap_or("<binary>");
    if name == "authorization" || name == "proxy-authorization" {
        return match text.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} <masked>"),
            None => "<masked>".to_string(),
        };
    }
    let secret_name = ["cookie", "token", "secret", "key", "cert", "password"]
        .iter()
        .any(|w| name.contains(w));
    if secret_name || value.is_sensitive() {
        return "<masked>".to_string();
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that accepts every request and never answers it.
    struct Silent;

    impl Service<Request<Body>> for Silent {
        type Response = Response<http_body_util::Empty<bytes::Bytes>>;
        type Error = BoxError;
        type Future = BoxFuture<Result<Self::Response, BoxError>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _req: Request<Body>) -> Self::Future {
            Box::pin(std::future::pending())
        }
    }

    /// The retry layer against `https://h` with `--request-timeout` `budget`, messages dropped.
    fn retry_layer(budget: Option<Duration>) -> RetryLayer {
        RetryLayer {
            budget,
            base: "https://h".into(),
            sink: Arc::new(|_: &str| {}),
        }
    }

    fn silent_client(budget: Option<Duration>) -> Retry<Silent> {
        retry_layer(budget).layer(Silent)
    }

    /// The error a GET of `path` from a silent server ends with, and the time it took.
    async fn given_up(budget: Option<Duration>, path: &str) -> (String, Duration) {
        let started = tokio::time::Instant::now();
        let err = silent_client(budget)
            .call(get(path))
            .await
            .err()
            .expect("given up");
        (err.to_string(), started.elapsed())
    }

    fn get(path: &str) -> Request<Body> {
        Request::get(path).body(Body::empty()).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn without_request_timeout_a_silent_server_is_given_up_at_the_default_bound_once() {
        let (err, took) = given_up(None, "/api/v1/namespaces/p/pods").await;
        assert_eq!(
            err,
            "GET https://h/api/v1/namespaces/p/pods: no answer within 30s (the default bound of \
             a request; set another with --request-timeout)"
        );
        // One attempt: a silent server is not asked again.
        assert_eq!(took, bounds::DEFAULT_HEADERS_TIMEOUT);
    }

    /// A server that answers at once and then sends its body a byte a second, forever.
    struct Trickle;

    type TrickleBody = http_body_util::StreamBody<
        futures::stream::BoxStream<'static, Result<http_body::Frame<bytes::Bytes>, BoxError>>,
    >;

    impl Service<Request<Body>> for Trickle {
        type Response = Response<TrickleBody>;
        type Error = BoxError;
        type Future = BoxFuture<Result<Self::Response, BoxError>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _req: Request<Body>) -> Self::Future {
            use futures::StreamExt as _;
            let bytes = futures::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Some((
                    Ok(http_body::Frame::data(bytes::Bytes::from_static(b" "))),
                    (),
                ))
            })
            .boxed();
            Box::pin(async move { Ok(Response::new(http_body_util::StreamBody::new(bytes))) })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn without_request_timeout_a_trickled_body_is_cut_at_the_default_bound() {
        use http_body_util::BodyExt as _;
        let mut client = retry_layer(None).layer(Trickle);
        let res = client.call(get("/api/v1/pods")).await.expect("headers");
        let started = tokio::time::Instant::now();
        let err = res.into_body().collect().await.expect_err("cut");
        assert_eq!(
            err.to_string(),
            "GET https://h/api/v1/pods: the response body was not complete 30s after its \
             headers (the default bound; set another with --request-timeout)"
        );
        assert_eq!(started.elapsed(), bounds::DEFAULT_BODY_TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_watch_has_no_default_bound_its_wait_has_one() {
        let watch = silent_client(None).call(get("/apis/g/v1/things?watch=true"));
        let waited = tokio::time::timeout(Duration::from_secs(3600), watch).await;
        assert!(waited.is_err(), "a watch was cut by the request bound");
    }

    #[tokio::test(start_paused = true)]
    async fn request_timeout_replaces_the_default_bound() {
        let (err, took) = given_up(Some(Duration::from_secs(2)), "/api/v1/pods").await;
        assert_eq!(err, "the request timed out after 2s (--request-timeout)");
        assert_eq!(took, Duration::from_secs(2));
    }

    #[test]
    fn credentials_are_masked_keeping_the_scheme() {
        let v = HeaderValue::from_static("Bearer abc.def");
        assert_eq!(redact("Authorization", &v), "Bearer <masked>");
        assert_eq!(
            redact("authorization", &HeaderValue::from_static("abc")),
            "<masked>"
        );
        assert_eq!(
            redact("X-Auth-Token", &HeaderValue::from_static("s")),
            "<masked>"
        );
        let mut s = HeaderValue::from_static("s");
        s.set_sensitive(true);
        assert_eq!(redact("x-anything", &s), "<masked>");
        assert_eq!(
            redact("accept", &HeaderValue::from_static("application/json")),
            "application/json"
        );
    }

    #[test]
    fn header_names_print_as_kubectl_prints_them() {
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(
            title_case("x-kubernetes-pf-flowschema-uid"),
            "X-Kubernetes-Pf-Flowschema-Uid"
        );
    }

    #[test]
    fn a_path_names_resource_namespace_and_object() {
        let t = Target::parse(
            "/apis/snapshot.kubevirt.io/v1beta1/namespaces/prod/virtualmachinesnapshots",
            Some("s1".into()),
        )
        .unwrap();
        assert_eq!(t.resource, "virtualmachinesnapshots.snapshot.kubevirt.io");
        assert_eq!(t.namespace.as_deref(), Some("prod"));
        assert_eq!(t.name.as_deref(), Some("s1"));
        let t = Target::parse("/api/v1/namespaces/prod/pods/p/log", None).unwrap();
        assert_eq!(
            (t.resource.as_str(), t.subresource.as_deref()),
            ("pods", Some("log"))
        );
        let t = Target::parse("/apis/g/v1/things/x", None).unwrap();
        assert_eq!((t.namespace, t.name.as_deref()), (None, Some("x")));
        assert_eq!(Target::parse("/version", None), None);
    }

    #[test]
    fn an_unsure_create_says_the_object_may_exist_and_how_to_check() {
        let t = Target::parse(
            "/apis/snapshot.kubevirt.io/v1beta1/namespaces/prod/virtualmachinesnapshots",
            Some("s1".into()),
        );
        let lines = unsure_write_note("POST", "https://h/apis/…", &t, Outcome::Status(503));
        assert!(lines[0].contains("was answered 503 Service Unavailable and was not sent again"));
        assert!(
            lines[0]
                .ends_with("virtualmachinesnapshots.snapshot.kubevirt.io s1 may or may not exist")
        );
        assert_eq!(
            lines[1],
            "hint: check with: kubectl get virtualmachinesnapshots.snapshot.kubevirt.io s1 -n prod"
        );
    }

    #[test]
    fn a_long_retry_after_says_when_the_server_would_take_it() {
        let now: jiff::Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        let line = too_long_note("GET", "https://h/x", Duration::from_secs(3600), now);
        assert!(
            line.contains("after 3600s (at 2026-11-26 11:00:00 UTC)"),
            "{line}"
        );
    }
}
