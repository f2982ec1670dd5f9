//! Kubeconfig credentials made ready as kubectl would use them, and their failures told
//! without their secrets.
//!
//! - A `tokenFile` is read and trimmed as client-go does (transport/token_source.go trims
//!   surrounding white space); kube-client 5 uses the file's bytes as they are, so a token
//!   ending in a newline made every request fail.
//! - An exec credential plugin is told `interactive: false` when stdin is not a terminal:
//!   kube-client derives it from `interactiveMode` alone (kube-client/src/client/auth/mod.rs,
//!   `auth_exec`), so the mode is set to Never here.
//! - A failing plugin's error from kube-client prints the whole `Command` (every exec.env
//!   value and KUBERNETES_EXEC_INFO) and its raw stdout; only the command's name and the
//!   plugin's own stderr message are shown instead. The plugin itself is run by
//!   `exec_plugin.rs`, with a bound; these messages serve both.

use std::path::Path;

use kube::client::AuthError;
use kube::config::{Config, ExecConfig, ExecInteractiveMode};

use crate::error::UserError;

/// The most of a plugin's stderr shown: its message, not a debug dump.
const PLUGIN_MESSAGE_LIMIT: usize = 400;

/// Prepares `config`'s credentials: the token file read and trimmed, exec plugins told
/// whether anyone can answer them.
pub fn prepare(config: &mut Config, stdin_is_terminal: bool) -> anyhow::Result<()> {
    let auth = &mut config.auth_info;
    if auth.token.is_none()
        && let Some(path) = auth.token_file.take()
    {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            UserError::failure(format!("failed to read the token file {path}: {e}")).hint(
                "check users[].user.tokenFile in your kubeconfig (kubectl config view --minify)",
            )
        })?;
        auth.token = Some(text.trim().to_owned().into());
    }
    if let Some(exec) = auth.exec.as_mut()
        && !stdin_is_terminal
    {
        exec.interactive_mode = Some(ExecInteractiveMode::Never);
    }
    Ok(())
}

/// The name of the exec plugin's command (its file name, not its arguments), for messages.
pub fn plugin_name(exec: &ExecConfig) -> String {
    let command = exec.command.as_deref().unwrap_or("(no command)");
    Path::new(command)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| command.to_owned())
}

/// Explains a credential failure from kube-client without what it carries: for an exec
/// plugin, the command name, its exit status and its own stderr message, never its
/// environment, arguments or stdout. Other errors pass through unchanged.
pub fn explain(err: kube::Error, plugin: Option<&str>) -> anyhow::Error {
    let kube::Error::Auth(auth) = &err else {
        return err.into();
    };
    let plugin = plugin.unwrap_or("the exec plugin");
    let message = match auth {
        AuthError::AuthExecRun { out, .. } => plugin_failed(plugin, out),
        AuthError::AuthExecParse(_) | AuthError::ExecPluginFailed => plugin_unreadable(plugin),
        AuthError::AuthExecStart(e) => {
            format!("failed to run the credential plugin {plugin}: {e}")
        }
        AuthError::AuthExec(_) => format!("the credential plugin {plugin} failed"),
        _ => return err.into(),
    };
    let hint = plugin_hint(plugin);
    UserError::failure(message).hint(hint).into()
}

/// What to do when the exec plugin `plugin` failed.
pub fn plugin_hint(plugin: &str) -> String {
    format!(
        "run {plugin} yourself to see why, or log in again; it is users[].user.exec in your \
         kubeconfig (kubectl config view --minify)"
    )
}

/// A plugin that exited unsuccessfully: its exit status and its own stderr message only.
pub fn plugin_failed(plugin: &str, out: &std::process::Output) -> String {
    let status = match out.status.code() {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".to_owned(),
    };
    match plugin_message(&out.stderr) {
        Some(said) => format!("the credential plugin {plugin} failed ({status}): {said}"),
        None => format!("the credential plugin {plugin} failed ({status})"),
    }
}

/// A plugin whose output was not an ExecCredential with a status; never quoted.
pub fn plugin_unreadable(plugin: &str) -> String {
    format!(
        "the credential plugin {plugin} did not print an ExecCredential with a status (its \
         output is not shown: it may hold credentials)"
    )
}

/// The plugin's stderr as one short line, or None when it said nothing.
fn plugin_message(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ");
    if joined.is_empty() {
        return None;
    }
    let mut short: String = joined.chars().take(PLUGIN_MESSAGE_LIMIT).collect();
    if short.len() < joined.len() {
        short.push('…');
    }
    Some(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plugins_message_is_one_short_line() {
        assert_eq!(
            plugin_message(b"\nerror: token expired\n  run login\n").as_deref(),
            Some("error: token expired / run login")
        );
        assert_eq!(plugin_message(b" \n"), None);
        let long = "x".repeat(2000);
        let said = plugin_message(long.as_bytes()).unwrap();
        assert_eq!(said.chars().count(), PLUGIN_MESSAGE_LIMIT + 1);
    }
}
