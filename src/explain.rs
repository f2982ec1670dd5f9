//! A failed command in kubectl's words: the lines for stderr and the exit code, from a
//! [`UserError`] anywhere in the chain, an API status, a refused connection, an HTML page
//! where the API should answer, or a wait stopped by a signal.
//!
//! Apart from `error` so that the error kinds stay a leaf every module may use, while this
//! reads the cluster's error types.

use std::io::Write;

use crate::error::{EXIT_FAILURE, EXIT_FORBIDDEN, EXIT_NOT_FOUND, Kind, ResultCode, UserError};

/// An error turned into the lines and exit code the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Exit code.
    pub code: i32,
    /// Lines for stderr, already prefixed (`error: `, `Error from server …`, `hint: `).
    pub lines: Vec<String>,
}

/// Explains `err` in kubectl's words. `server` is the API server's host:port, for the
/// "connection refused" message.
pub fn render(err: &anyhow::Error, server: Option<&str>) -> Rendered {
    if let Some(ResultCode(code)) = err.chain().find_map(|e| e.downcast_ref::<ResultCode>()) {
        return Rendered {
            code: *code,
            lines: Vec::new(),
        };
    }
    if let Some(user) = err.chain().find_map(|e| e.downcast_ref::<UserError>()) {
        let mut lines = vec![format!("error: {}", user.message)];
        let mut code = user.exit_code();
        if user.kind == Kind::Interrupted
            && crate::interrupt::received().is_none()
            && crate::cluster::wait::ended_unauthorized()
        {
            // Not a signal: the token expired (or was revoked) in the middle of the wait.
            lines.push("error: You must be logged in to the server (Unauthorized)".to_string());
            code = EXIT_FORBIDDEN;
        }
        lines.extend(user.hints.iter().map(|h| format!("hint: {h}")));
        if code == EXIT_FORBIDDEN && user.kind == Kind::Interrupted {
            lines.push(
                "hint: your credentials were no longer accepted; log in again (check the user \
                 with: kubectl config view --minify), then follow it with the command above"
                    .to_string(),
            );
        }
        return Rendered { code, lines };
    }
    if let Some(crate::interrupt::Interrupted(sig)) = err
        .chain()
        .find_map(|e| e.downcast_ref::<crate::interrupt::Interrupted>())
    {
        let what = err.chain().next().map(ToString::to_string);
        let mut lines: Vec<String> = what.map(|w| format!("error: {w}")).into_iter().collect();
        lines.push(format!(
            "error: stopped by {}; this request was not sent (again)",
            sig.cause()
        ));
        return Rendered {
            code: sig.exit_code(),
            lines,
        };
    }
    // The contexts above the kube error say what we were doing; the kube error says why.
    let contexts: Vec<String> = err
        .chain()
        .take_while(|e| e.downcast_ref::<kube::Error>().is_none())
        .map(ToString::to_string)
        .collect();
    if let Some(html) = err
        .chain()
        .find_map(|e| e.downcast_ref::<crate::cluster::answers::HtmlAnswer>())
    {
        return html_answer(html, contexts.first().map(String::as_str), server);
    }
    if let Some(kerr) = err.chain().find_map(|e| e.downcast_ref::<kube::Error>()) {
        let what = contexts.first().cloned();
        return kube_error(kerr, what.as_deref(), server);
    }
    if let Some(io) = err.chain().find_map(|e| e.downcast_ref::<std::io::Error>())
        && io.kind() == std::io::ErrorKind::ConnectionRefused
    {
        return connection_refused(contexts.first().map(String::as_str), server);
    }
    Rendered {
        code: EXIT_FAILURE,
        lines: vec![format!("error: {err:#}")],
    }
}

/// Writes the rendered error to `w` and returns the exit code.
pub fn report(err: &anyhow::Error, server: Option<&str>, w: &mut dyn Write) -> i32 {
    let rendered = render(err, server);
    for line in &rendered.lines {
        // Server text and URLs reach this line: escaped and masked here, once for all errors
        // (a hint may span lines of our own; the server's messages were kept to one above).
        let line = crate::terminal::stderr_block(line);
        // Nothing useful can be done if stderr itself is gone.
        let _ = writeln!(w, "{line}");
    }
    rendered.code
}

fn connection_refused(what: Option<&str>, server: Option<&str>) -> Rendered {
    let mut lines = Vec::new();
    if let Some(what) = what {
        lines.push(format!("error: {what}"));
    }
    lines.push(format!(
        "The connection to the server {} was refused - did you specify the right host or port?",
        server.unwrap_or("localhost:8080")
    ));
    Rendered {
        code: EXIT_FAILURE,
        lines,
    }
}

/// An HTML page where the API should answer: said as such, with what to check.
fn html_answer(
    html: &crate::cluster::answers::HtmlAnswer,
    what: Option<&str>,
    server: Option<&str>,
) -> Rendered {
    let mut lines: Vec<String> = what.map(|w| format!("error: {w}")).into_iter().collect();
    lines.push(format!("error: {html}"));
    lines.push(format!(
        "hint: check that the kubeconfig's server URL ({}) is the API server itself; if an \
         authenticating proxy fronts the cluster, log in through it first and try again",
        server.unwrap_or("unknown")
    ));
    let code = match html.status {
        401 | 403 => EXIT_FORBIDDEN,
        _ => EXIT_FAILURE,
    };
    Rendered { code, lines }
}

fn kube_error(err: &kube::Error, what: Option<&str>, server: Option<&str>) -> Rendered {
    let mut lines: Vec<String> = what.map(|w| format!("error: {w}")).into_iter().collect();
    let status = match err {
        kube::Error::Api(status) => status,
        other => {
            if source_is_refused(other) {
                return connection_refused(what, server);
            }
            // An answer that was too large is not a connection problem.
            if let Some(e @ crate::cluster::bounds::Exceeded::TooLarge { .. }) =
                find_in_chain::<crate::cluster::bounds::Exceeded>(other)
            {
                lines.push(format!("error: {e}"));
                lines.push(
                    "hint: is this really the Kubernetes API server? A proxy or a broken server \
                     may be answering instead"
                        .to_string(),
                );
                return Rendered {
                    code: EXIT_FAILURE,
                    lines,
                };
            }
            lines.push(format!(
                "Unable to connect to the server: {}",
                chain_text(other)
            ));
            return Rendered {
                code: EXIT_FAILURE,
                lines,
            };
        }
    };
    let reason = one_line(reason_of(status));
    // The server's words stay on their line: a newline in them is shown, not obeyed.
    let message = one_line(&status.message);
    let code = match status.code {
        401 | 403 => EXIT_FORBIDDEN,
        404 => EXIT_NOT_FOUND,
        _ => EXIT_FAILURE,
    };
    match status.code {
        401 => {
            lines.push(format!(
                "error: You must be logged in to the server ({})",
                reason
            ));
            lines.push(
                "hint: your credentials were not accepted; check the user in your kubeconfig \
                 (kubectl config view --minify)"
                    .to_string(),
            );
        }
        422 => {
            lines.push(format!("Error from server ({reason}): {message}"));
            if let Some(details) = &status.details {
                for cause in &details.causes {
                    lines.push(format!(
                        "* {}: {}",
                        one_line(&cause.field),
                        one_line(&cause.message)
                    ));
                }
            }
        }
        _ => {
            lines.push(format!("Error from server ({reason}): {message}"));
            if status.code == 403 {
                if let Some(hint) = forbidden_hint(&status.message) {
                    lines.push(format!("hint: {hint}"));
                }
            } else if status.code == 429 {
                lines.push(
                    "hint: the API server is rate limiting requests; try again in a moment"
                        .to_string(),
                );
            } else if status.code >= 500 {
                lines.push(
                    "hint: the API server failed; nothing more was attempted. Try again, and \
                     check the cluster's health if it persists"
                        .to_string(),
                );
            }
        }
    }
    Rendered { code, lines }
}

fn one_line(text: &str) -> String {
    crate::terminal::terminal_safe(text, false).into_owned()
}

/// The server's reason, unless it is missing or belongs to another code (some servers and
/// proxies send a generic reason with a specific code): then the code's own reason.
fn reason_of(status: &kube::core::Status) -> &str {
    let canonical = reason_for(status.code);
    let known_elsewhere =
        canonical != "Unknown" && code_of(&status.reason).is_some_and(|c| c != status.code);
    if status.reason.is_empty() || known_elsewhere {
        canonical
    } else {
        &status.reason
    }
}

fn code_of(reason: &str) -> Option<u16> {
    Some(match reason {
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" => 404,
        "MethodNotAllowed" => 405,
        "AlreadyExists" | "Conflict" => 409,
        "Gone" | "Expired" => 410,
        "Invalid" => 422,
        "TooManyRequests" => 429,
        "InternalError" => 500,
        "ServiceUnavailable" => 503,
        "Timeout" => 504,
        _ => return None,
    })
}

fn reason_for(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}

/// From `User "alice" cannot create resource "x" in API group "g" in the namespace "ns"`
/// builds the `kubectl auth can-i` line that checks the missing permission.
fn forbidden_hint(message: &str) -> Option<String> {
    let after = message.split(" cannot ").nth(1)?;
    let verb = after.split_whitespace().next()?;
    let quoted: Vec<&str> = after.split('"').skip(1).step_by(2).collect();
    let resource = quoted.first()?;
    let group = quoted.get(1).filter(|g| !g.is_empty());
    let namespace = quoted.get(2);
    let target = match group {
        Some(g) => format!("{resource}.{g}"),
        None => (*resource).to_string(),
    };
    let ns = namespace.map(|n| format!(" -n {n}")).unwrap_or_default();
    Some(format!(
        "you lack permission to {verb} {target}; ask your cluster administrator, or check with: \
         kubectl auth can-i {verb} {target}{ns}"
    ))
}

fn source_is_refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        if e.to_string().contains("Connection refused") {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The first error of type `T` in `err`'s chain.
fn find_in_chain<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        cur = e.source();
    }
    None
}

fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    fn api_error(code: u16, reason: &str, message: &str) -> anyhow::Error {
        let status = Status {
            code,
            reason: reason.to_string(),
            message: message.to_string(),
            ..Status::failure(message, reason)
        };
        anyhow::Error::new(kube::Error::Api(Box::new(status)))
            .context("failed to create snapshot s1 of VM prod/db")
    }

    #[test]
    fn user_error_prints_message_and_hints_with_its_code() {
        let err = anyhow::Error::new(UserError::declined("restore cancelled").hint("use --yes"));
        let r = render(&err, None);
        assert_eq!(r.code, 3);
        assert_eq!(r.lines, vec!["error: restore cancelled", "hint: use --yes"]);
    }

    #[test]
    fn user_error_is_found_under_context() {
        let err = anyhow::Error::new(UserError::timed_out("gave up")).context("waiting");
        assert_eq!(render(&err, None).code, 4);
    }

    #[test]
    fn forbidden_reads_like_kubectl_and_names_the_missing_permission() {
        let msg = "virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User \"alice\" \
                   cannot create resource \"virtualmachinesnapshots\" in API group \
                   \"snapshot.kubevirt.io\" in the namespace \"prod\"";
        let r = render(&api_error(403, "Forbidden", msg), None);
        assert_eq!(r.code, 6);
        assert_eq!(
            r.lines[0],
            "error: failed to create snapshot s1 of VM prod/db"
        );
        assert_eq!(r.lines[1], format!("Error from server (Forbidden): {msg}"));
        assert!(
            r.lines[2].ends_with(
                "kubectl auth can-i create virtualmachinesnapshots.snapshot.kubevirt.io -n prod"
            ),
            "{}",
            r.lines[2]
        );
    }

    #[test]
    fn a_generic_reason_with_a_specific_code_reads_as_the_code() {
        let r = render(&api_error(403, "InternalError", "denied"), None);
        assert_eq!(r.lines[1], "Error from server (Forbidden): denied");
        let r = render(&api_error(409, "AlreadyExists", "exists"), None);
        assert_eq!(r.lines[1], "Error from server (AlreadyExists): exists");
        let r = render(&api_error(403, "SomethingNew", "x"), None);
        assert_eq!(r.lines[1], "Error from server (SomethingNew): x");
    }

    #[test]
    fn not_found_exits_5() {
        let r = render(&api_error(404, "NotFound", "x not found"), None);
        assert_eq!(r.code, 5);
        assert_eq!(r.lines[1], "Error from server (NotFound): x not found");
    }

    #[test]
    fn unauthorized_says_log_in() {
        let r = render(&api_error(401, "Unauthorized", "Unauthorized"), None);
        assert_eq!(r.code, 6);
        assert_eq!(
            r.lines[1],
            "error: You must be logged in to the server (Unauthorized)"
        );
    }

    #[test]
    fn conflict_and_server_errors_exit_1() {
        assert_eq!(
            render(&api_error(409, "AlreadyExists", "exists"), None).code,
            1
        );
        let r = render(&api_error(500, "", "boom"), None);
        assert_eq!(r.code, 1);
        assert_eq!(r.lines[1], "Error from server (InternalError): boom");
        assert!(r.lines[2].starts_with("hint: "));
    }

    #[test]
    fn connection_refused_uses_kubectls_sentence() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = anyhow::Error::new(io).context("failed to list snapshots");
        let r = render(&err, Some("127.0.0.1:1"));
        assert_eq!(r.code, 1);
        assert_eq!(
            r.lines[1],
            "The connection to the server 127.0.0.1:1 was refused - did you specify the right \
             host or port?"
        );
    }

    #[test]
    fn plain_errors_print_the_whole_chain() {
        let err = anyhow::anyhow!("root cause").context("failed to read kubeconfig");
        let r = render(&err, None);
        assert_eq!(
            r.lines,
            vec!["error: failed to read kubeconfig: root cause"]
        );
        assert_eq!(r.code, 1);
    }
}
