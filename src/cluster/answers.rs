//! Answers that are not the Kubernetes API's, told for what they are.
//!
//! kube-client parses an error body as a `metav1.Status` (kube-client/src/client/mod.rs,
//! `handle_api_errors`): a JSON error of another shape (`{"error": "…"}` from a gateway)
//! then parses as an empty Status and its text is lost, and an HTML page (a login page of an
//! authenticating proxy, answered 200, 401 or 403) ends up as "Unable to connect" or a parse
//! error. This layer sits outermost, so it sees each request's final answer once:
//! - an HTML answer, whatever its status, becomes an [`HtmlAnswer`] error;
//! - a JSON error that is not a Status is rewritten into one carrying the body's text, so
//!   the status code still drives everything (404 = absent, 403 = forbidden) and the
//!   message keeps what the server said.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt as _, Either, Full, Limited};
use tower::{BoxError, Layer, Service};

/// The most of an error body read to rewrite it (error bodies are small).
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// The most of a non-Status error's text kept in the message.
const MESSAGE_LIMIT: usize = 500;

/// `User-Agent: kubectl-vmsnap/vVERSION (OS/ARCH)`, as kubectl sends `kubectl/vX (linux/amd64)
/// kubernetes/hash`, so audit logs name the tool.
pub fn user_agent() -> HeaderValue {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    let text = format!(
        "kubectl-vmsnap/v{} ({}/{arch})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("kubectl-vmsnap"))
}

/// The server answered with an HTML page instead of the API: a login page or a proxy is in
/// the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlAnswer {
    /// The HTTP status it came with.
    pub status: u16,
    /// The page's `<title>`, if it has one.
    pub title: Option<String>,
}

impl std::fmt::Display for HtmlAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reason = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        write!(
            f,
            "the server answered with an HTML page (HTTP {} {reason}",
            self.status
        )?;
        if let Some(t) = &self.title {
            write!(f, ", titled {t:?}")?;
        }
        write!(
            f,
            ") instead of the Kubernetes API: a login page or a proxy is in the way"
        )
    }
}

impl std::error::Error for HtmlAnswer {}

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnswersLayer;

impl<S> Layer<S> for AnswersLayer {
    type Service = Answers<S>;
    fn layer(&self, inner: S) -> Answers<S> {
        Answers { inner }
    }
}

/// See [`AnswersLayer`].
#[derive(Clone)]
pub struct Answers<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqB, B> Service<Request<ReqB>> for Answers<S>
where
    S: Service<Request<ReqB>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<Either<B, Full<Bytes>>>;
    type Error = BoxError;
    type Future = BoxFuture<Result<Self::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move {
            let res = fut.await.map_err(Into::into)?;
            let status = res.status();
            let content_type = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            let html = content_type.starts_with("text/html");
            let json = content_type.contains("json");
            if !html && !(json && (status.is_client_error() || status.is_server_error())) {
                return Ok(res.map(Either::Left));
            }
            let (parts, body) = res.into_parts();
            let bytes = Limited::new(body, ERROR_BODY_LIMIT)
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            if html {
                return Err(Box::new(HtmlAnswer {
                    status: status.as_u16(),
                    title: html_title(&String::from_utf8_lossy(&bytes)),
                }) as BoxError);
            }
            let body = as_status(status.as_u16(), &bytes).unwrap_or(bytes);
            Ok(Response::from_parts(parts, Either::Right(Full::new(body))))
        })
    }
}

/// A JSON error body that is not a `Status`, rewritten as one that keeps its text; None
/// when it already is a Status (or is not JSON: kube keeps plain text as it is).
fn as_status(code: u16, body: &[u8]) -> Option<Bytes> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if value["kind"] == "Status" {
        return None;
    }
    // The usual shapes first ({"message": …}, {"error": …}), else the whole body compact.
    let said = ["message", "error", "error_description", "detail"]
        .iter()
        .find_map(|k| value[k].as_str().map(str::to_owned))
        .unwrap_or_else(|| value.to_string());
    let mut message: String = said.chars().take(MESSAGE_LIMIT).collect();
    if message.len() < said.len() {
        message.push('…');
    }
    let status = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "code": code,
        "message": message,
    });
    Some(Bytes::from(status.to_string()))
}

/// The text of an HTML page's `<title>`, trimmed.
fn html_title(page: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let title: String = page[open_end..close]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!title.is_empty()).then(|| title.chars().take(100).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_error_of_another_shape_keeps_its_text_as_a_status() {
        let body = as_status(429, br#"{"error":"quota exceeded for tenant a"}"#).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["kind"], "Status");
        assert_eq!(v["code"], 429);
        assert_eq!(v["message"], "quota exceeded for tenant a");
        let body = as_status(500, br#"{"errors":[1,2]}"#).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["message"], r#"{"errors":[1,2]}"#);
        assert_eq!(as_status(404, br#"{"kind":"Status","code":404}"#), None);
        assert_eq!(as_status(502, b"Bad Gateway"), None);
    }

    #[test]
    fn an_html_page_is_named_by_its_title() {
        let page = "<!DOCTYPE html><html><head><TITLE>\n  Sign in - Corp SSO </TITLE></head>";
        assert_eq!(html_title(page).as_deref(), Some("Sign in - Corp SSO"));
        assert_eq!(html_title("<html><body>hi</body></html>"), None);
        let e = HtmlAnswer {
            status: 200,
            title: Some("Sign in".into()),
        };
        assert_eq!(
            e.to_string(),
            "the server answered with an HTML page (HTTP 200 OK, titled \"Sign in\") instead \
             of the Kubernetes API: a login page or a proxy is in the way"
        );
    }

    #[test]
    fn the_user_agent_names_the_tool_version_and_platform() {
        let ua = user_agent();
        let ua = ua.to_str().unwrap();
        assert!(
            ua.starts_with(&format!("kubectl-vmsnap/v{} (", env!("CARGO_PKG_VERSION"))),
            "{ua}"
        );
        assert!(ua.ends_with(')') && ua.contains('/'), "{ua}");
    }
}
