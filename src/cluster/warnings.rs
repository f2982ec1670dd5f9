//! Server `Warning:` headers (deprecated APIs, admission warnings) printed on stderr as
//! kubectl prints them: `Warning: TEXT`, once per distinct text in a run (client-go
//! rest/warnings.go, `NewWarningWriter` with `Deduplicate: true`); `--warnings-as-errors`
//! then fails the command.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use tower::BoxError;

use super::transport::Observe;
use crate::env::Sink;

/// The warnings printed so far in this run.
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<BTreeSet<String>>>);

impl Seen {
    /// How many distinct warnings the server sent.
    pub fn count(&self) -> usize {
        self.0.lock().map_or(0, |s| s.len())
    }

    /// True the first time `text` is seen.
    fn first(&self, text: &str) -> bool {
        self.0
            .lock()
            .map_or(true, |mut s| s.insert(text.to_string()))
    }
}

/// Prints each new warning of each response to `sink`; stacked as `Observed(WarningLayer { … })`.
#[derive(Clone)]
pub struct WarningLayer {
    pub seen: Seen,
    pub sink: Sink,
}

impl Observe for WarningLayer {
    type Note = ();

    fn before<B>(&self, _req: &Request<B>) {}

    fn after<B>(&self, _: (), result: &Result<Response<B>, BoxError>) {
        let Ok(res) = result else {
            return;
        };
        for value in res.headers().get_all(http::header::WARNING) {
            let Some(text) = value.to_str().ok().and_then(warning_text) else {
                continue;
            };
            if self.seen.first(&text) {
                (self.sink)(&format!("Warning: {}", printable(&text)));
            }
        }
    }
}

/// The text of an RFC 7234 warning with code 299 (`299 - "text" ["date"]`), the only code
/// the API server sends and client-go prints.
pub fn warning_text(header: &str) -> Option<String> {
    let rest = header.trim().strip_prefix("299")?.trim_start();
    let rest = rest.split_once(char::is_whitespace)?.1.trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut text = String::new();
    loop {
        match chars.next()? {
            '"' => break,
            '\\' => text.push(chars.next()?),
            c => text.push(c),
        }
    }
    (!text.is_empty()).then_some(text)
}

/// Control characters from the server never reach the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_api_servers_warning_format() {
        assert_eq!(
            warning_text(r#"299 - "snapshot.kubevirt.io/v1alpha1 is deprecated""#).as_deref(),
            Some("snapshot.kubevirt.io/v1alpha1 is deprecated")
        );
        assert_eq!(
            warning_text(r#"299 - "say \"hi\"" "Mon, 07 Dec 2026 01:00:00 GMT""#).as_deref(),
            Some(r#"say "hi""#)
        );
        assert_eq!(warning_text(r#"199 - "misc""#), None);
        assert_eq!(warning_text("299 - unquoted"), None);
    }

    #[test]
    fn each_text_is_printed_once() {
        let seen = Seen::default();
        assert!(seen.first("a") && !seen.first("a") && seen.first("b"));
        assert_eq!(seen.count(), 2);
        assert_eq!(printable("a\u{1b}[31mb"), "a?[31mb");
    }
}
