//! The kubeconfig's exec credential plugin, run by us with a bound.
//!
//! kube-client 5 runs it with a blocking `std::process::Command::output()` and no timeout
//! (kube-client/src/client/auth/mod.rs, `auth_exec`), at start-up and whenever the token
//! expires; on our current-thread runtime a plugin that never ends hung the command for
//! ever. Here it runs as a `tokio::process` child, killed when the request bound
//! (`--request-timeout`, else [`DEFAULT_HEADERS_TIMEOUT`]) passes, with kube's inputs: args,
//! `env`, `KUBERNETES_EXEC_INFO` (`interactive`, the cluster when `provideClusterInfo`),
//! stdin and stderr left to a person only in interactive mode.
//!
//! This is the one file in src/ that starts a process: kubectl and kube-rs run the
//! kubeconfig's exec plugin too (tests/faults/security.rs allows exactly this file).

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use http::{HeaderValue, Request, header::AUTHORIZATION};
use jiff::{SignedDuration, Timestamp};
use kube::config::{Config, ExecConfig, ExecInteractiveMode};
use serde::Deserialize;
use tower::{BoxError, Layer, Service};

use tokio::time::Instant;

use super::bounds::DEFAULT_HEADERS_TIMEOUT;
use super::credentials::{plugin_failed, plugin_hint, plugin_name, plugin_unreadable};
use crate::error::UserError;

/// A token this close to its expiry is fetched again, as kube's RefreshableToken does: it
/// must outlast the request it is sent with.
const EXPIRY_MARGIN: SignedDuration = SignedDuration::from_secs(60);

/// How long one run of the plugin may take, and whether `--request-timeout` said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The time allowed.
    pub after: Duration,
    /// Set by `--request-timeout` (else the default).
    pub flag: bool,
}

impl Bound {
    /// `--request-timeout` when set (and not 0), else the default bound of a request.
    pub fn new(request_timeout: Option<Duration>) -> Self {
        match request_timeout.filter(|t| !t.is_zero()) {
            Some(after) => Bound { after, flag: true },
            None => Bound {
                after: DEFAULT_HEADERS_TIMEOUT,
                flag: false,
            },
        }
    }
}

/// What the plugin printed in `status` (JSON, or YAML as client-go also accepts).
#[derive(Deserialize)]
struct ExecCredential {
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    expiration_timestamp: Option<String>,
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

/// A bearer token and when it stops being valid.
struct Token {
    value: String,
    expires: Option<Timestamp>,
}

impl Token {
    fn is_fresh(&self, now: Timestamp) -> bool {
        self.expires.is_none_or(|at| now + EXPIRY_MARGIN < at)
    }
}

/// One answer of the plugin.
enum Credential {
    Token(Token),
    /// PEM certificate and key.
    Certificate(String, String),
    /// A status with neither: kube then sends no credentials, and so do we.
    Nothing,
}

/// Runs the kubeconfig's exec plugin when kube would use it (no auth provider, basic auth,
/// token or token file comes first) and takes it out of `config` so kube never runs it. A
/// token comes back as the layer that sends (and renews) it; a client certificate is put
/// into `config` as kubeconfig data, used for the TLS connection as kube would (and, like
/// kube, not renewed).
pub async fn take_over(config: &mut Config, bound: Bound) -> anyhow::Result<Option<ExecAuthLayer>> {
    let auth = &config.auth_info;
    let earlier = auth.auth_provider.is_some()
        || (auth.username.is_some() && auth.password.is_some())
        || auth.token.is_some()
        || auth.token_file.is_some();
    if earlier {
        return Ok(None);
    }
    let Some(exec) = config.auth_info.exec.take() else {
        return Ok(None);
    };
    let name = plugin_name(&exec);
    let plugin = Arc::new(Plugin { exec, name, bound });
    Ok(match plugin.run(None).await? {
        Credential::Token(token) => Some(ExecAuthLayer {
            plugin,
            token: Arc::new(tokio::sync::Mutex::new(token)),
        }),
        Credential::Certificate(cert, key) => {
            use base64::Engine as _;
            let b64 = base64::engine::general_purpose::STANDARD;
            let auth = &mut config.auth_info;
            auth.client_certificate_data = Some(b64.encode(cert));
            auth.client_key_data = Some(b64.encode(key).into());
            None
        }
        Credential::Nothing => None,
    })
}

/// The plugin as the kubeconfig names it.
struct Plugin {
    exec: ExecConfig,
    /// Its file name, for messages.
    name: String,
    bound: Bound,
}

impl Plugin {
    /// Runs the plugin once, within the bound (and by `deadline`, the end of the request
    /// attempt it is run for); the child is killed when the bound passes.
    async fn run(&self, deadline: Option<Instant>) -> Result<Credential, UserError> {
        let name = &self.name;
        let hint = plugin_hint(name);
        let mut cmd = self.command()?;
        let not_run = |e: std::io::Error| {
            UserError::failure(format!("failed to run the credential plugin {name}: {e}"))
                .hint(hint.clone())
        };
        let child = cmd.spawn().map_err(not_run)?;
        // Dropping the unfinished future drops the child, which kill_on_drop kills.
        let own = Instant::now() + self.bound.after;
        let until = deadline.map_or(own, |d| d.min(own));
        let out = tokio::time::timeout_at(until, child.wait_with_output())
            .await
            .map_err(|_| self.timed_out())?
            .map_err(not_run)?;
        if !out.status.success() {
            return Err(UserError::failure(plugin_failed(name, &out)).hint(hint));
        }
        let unreadable = || UserError::failure(plugin_unreadable(name)).hint(hint.clone());
        let answer: ExecCredential =
            serde_saphyr::from_slice(&out.stdout).map_err(|_| unreadable())?;
        let status = answer.status.ok_or_else(unreadable)?;
        let expires = match status.expiration_timestamp.as_deref() {
            Some(text) => Some(text.parse::<Timestamp>().map_err(|_| {
                UserError::failure(format!(
                    "the credential plugin {name} printed an expirationTimestamp that is not an \
                     RFC 3339 time"
                ))
                .hint(hint.clone())
            })?),
            None => None,
        };
        Ok(
            match (status.client_certificate_data, status.client_key_data) {
                (Some(cert), Some(key)) => Credential::Certificate(cert, key),
                _ => match status.token {
                    Some(value) => Credential::Token(Token { value, expires }),
                    None => Credential::Nothing,
                },
            },
        )
    }

    /// The command as kube builds it (kube-client/src/client/auth/mod.rs, `auth_exec`).
    fn command(&self) -> Result<tokio::process::Command, UserError> {
        let exec = &self.exec;
        let Some(program) = exec.command.as_deref() else {
            return Err(UserError::failure(
                "the kubeconfig's exec credential plugin has no command",
            )
            .hint("set users[].user.exec.command in your kubeconfig"));
        };
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(exec.args.iter().flatten());
        for pair in exec.env.iter().flatten() {
            if let (Some(key), Some(value)) = (pair.get("name"), pair.get("value")) {
                cmd.env(key, value);
            }
        }
        let interactive = exec.interactive_mode != Some(ExecInteractiveMode::Never);
        let mut spec = serde_json::json!({ "interactive": interactive });
        if exec.provide_cluster_info {
            let cluster = exec.cluster.as_ref().ok_or_else(|| {
                UserError::failure(format!(
                    "the credential plugin {} wants the cluster's details \
                     (provideClusterInfo) but the kubeconfig gave none",
                    self.name
                ))
            })?;
            spec["cluster"] = serde_json::to_value(cluster).unwrap_or_default();
        }
        let info = serde_json::json!({
            "apiVersion": exec.api_version,
            "kind": "ExecCredential",
            "spec": spec,
        });
        cmd.env("KUBERNETES_EXEC_INFO", info.to_string());
        for key in exec.drop_env.iter().flatten() {
            cmd.env_remove(key);
        }
        // A person may answer a prompt only in interactive mode; otherwise stdin is closed
        // and stderr is kept for the error message.
        let (stdin, stderr) = if interactive {
            (
                std::process::Stdio::inherit(),
                std::process::Stdio::inherit(),
            )
        } else {
            (std::process::Stdio::null(), std::process::Stdio::piped())
        };
        cmd.stdin(stdin)
            .stderr(stderr)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        Ok(cmd)
    }

    fn timed_out(&self) -> UserError {
        let name = &self.name;
        let after = self.bound.after.as_secs_f64();
        let bound = if self.bound.flag {
            format!("{after}s (--request-timeout)")
        } else {
            format!("{after}s")
        };
        UserError::failure(format!(
            "the credential plugin {name} did not answer within {bound}"
        ))
        .hint(format!(
            "run {name} yourself to see what it waits for (a login, the network); give it \
             longer with --request-timeout; it is users[].user.exec in your kubeconfig \
             (kubectl config view --minify)"
        ))
    }
}

/// Adds the plugin's token as the Authorization header, running the plugin again (within
/// its bound) when the token is about to expire.
#[derive(Clone)]
pub struct ExecAuthLayer {
    plugin: Arc<Plugin>,
    token: Arc<tokio::sync::Mutex<Token>>,
}

impl ExecAuthLayer {
    async fn header(&self, deadline: Option<Instant>) -> Result<HeaderValue, UserError> {
        let mut token = self.token.lock().await;
        if !token.is_fresh(Timestamp::now()) {
            match self.plugin.run(deadline).await? {
                Credential::Token(fresh) => *token = fresh,
                Credential::Certificate(..) | Credential::Nothing => {
                    return Err(UserError::failure(format!(
                        "the credential plugin {} gave a token before and none now",
                        self.plugin.name
                    )));
                }
            }
        }
        let mut value = HeaderValue::try_from(format!("Bearer {}", token.value)).map_err(|_| {
            UserError::failure(format!(
                "the credential plugin {} printed a token that is not a valid header value",
                self.plugin.name
            ))
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl<S> Layer<S> for ExecAuthLayer {
    type Service = ExecAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ExecAuth {
            inner,
            auth: self.clone(),
        }
    }
}

/// The service [`ExecAuthLayer`] makes.
#[derive(Clone)]
pub struct ExecAuth<S> {
    inner: S,
    auth: ExecAuthLayer,
}

impl<S, B> Service<Request<B>> for ExecAuth<S>
where
    S: Service<Request<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<S::Response, BoxError>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // The ready service is the one to call; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = self.auth.clone();
        let deadline = req
            .extensions()
            .get::<super::transport::AttemptDeadline>()
            .map(|d| d.0);
        Box::pin(async move {
            let header = auth.header(deadline).await?;
            req.headers_mut().insert(AUTHORIZATION, header);
            inner.call(req).await.map_err(Into::into)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bound_is_a_requests() {
        assert_eq!(
            Bound::new(None),
            Bound {
                after: DEFAULT_HEADERS_TIMEOUT,
                flag: false
            }
        );
        assert_eq!(Bound::new(Some(Duration::ZERO)), Bound::new(None));
        let two = Duration::from_secs(2);
        assert_eq!(
            Bound::new(Some(two)),
            Bound {
                after: two,
                flag: true
            }
        );
    }

    #[test]
    fn a_token_is_renewed_a_minute_before_it_expires() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let token = |expires: Option<&str>| Token {
            value: "t".into(),
            expires: expires.map(|e| e.parse().unwrap()),
        };
        assert!(token(None).is_fresh(now));
        assert!(token(Some("2026-01-01T00:01:01Z")).is_fresh(now));
        assert!(!token(Some("2026-01-01T00:00:59Z")).is_fresh(now));
        assert!(!token(Some("2025-12-31T00:00:00Z")).is_fresh(now));
    }

    /// A plugin that never ends is given up on after the default 30 s (a paused clock: no
    /// real wait). That it is killed is shown by tests/faults/hostile.rs with a real clock.
    #[tokio::test(start_paused = true)]
    async fn a_plugin_that_never_answers_is_given_up_on_after_the_default_bound() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("stuck-auth");
        std::fs::write(&script, "#!/bin/sh\nexec sleep 1000\n").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let plugin = Plugin {
            exec: ExecConfig {
                command: Some(script.display().to_string()),
                interactive_mode: Some(ExecInteractiveMode::Never),
                ..ExecConfig::default()
            },
            name: "stuck-auth".into(),
            bound: Bound::new(None),
        };
        let started = tokio::time::Instant::now();
        let err = plugin.run(None).await.err().unwrap();
        assert_eq!(started.elapsed(), DEFAULT_HEADERS_TIMEOUT);
        assert_eq!(
            err.message,
            "the credential plugin stuck-auth did not answer within 30s"
        );
        assert!(
            err.hints[0].contains("--request-timeout"),
            "{:?}",
            err.hints
        );
    }
}
