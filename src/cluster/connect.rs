//! From kubeconfig and the kubectl flags to a client, as kubectl resolves them.
//!
//! `--kubeconfig` names one file; otherwise `KUBECONFIG` (several files, merged first-wins)
//! or `~/.kube/config`; otherwise in-cluster. `--context` picks the context, `--cluster` and
//! `--user` override its parts, `-n` overrides its namespace (default: "default").

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use kube::client::{ClientBuilder, ConfigExt as _};
use kube::config::{Config, KubeConfigOptions, Kubeconfig};

use super::credentials;
use super::transport::Observed;
use crate::cli::GlobalArgs;
use crate::error::UserError;

/// A client and the namespace commands default to.
#[derive(Clone)]
pub struct Connection {
    /// The client.
    pub client: kube::Client,
    /// `-n`, else the context's namespace, else "default".
    pub namespace: String,
    /// host:port of the API server, for messages.
    pub server: String,
    /// The API server URL.
    pub url: String,
    /// Things the user should know about this connection (printed as `warning:` lines).
    pub warnings: Vec<String>,
    /// The server's `Warning:` headers printed so far (for `--warnings-as-errors`).
    pub server_warnings: super::warnings::Seen,
}

/// Where the kubeconfig comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// These files, merged in order.
    Files(Vec<PathBuf>),
    /// No kubeconfig: try the in-cluster service account.
    InCluster,
}

/// Decides which kubeconfig files to read, as kubectl does. Pure: `exists` is injected.
pub fn kubeconfig_source(
    flag: Option<&Path>,
    vars: &BTreeMap<String, String>,
    exists: impl Fn(&Path) -> bool,
) -> Source {
    if let Some(p) = flag {
        return Source::Files(vec![p.to_path_buf()]);
    }
    if let Some(list) = vars.get("KUBECONFIG").filter(|v| !v.is_empty()) {
        let files: Vec<PathBuf> = std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty() && exists(p))
            .collect();
        if !files.is_empty() {
            return Source::Files(files);
        }
    }
    let home = vars.get("HOME").or_else(|| vars.get("USERPROFILE"));
    if let Some(home) = home {
        let p = Path::new(home).join(".kube").join("config");
        if exists(&p) {
            return Source::Files(vec![p]);
        }
    }
    Source::InCluster
}

/// Loads and merges kubeconfig files (first file to set a value wins).
pub fn load_kubeconfig(files: &[PathBuf]) -> anyhow::Result<Kubeconfig> {
    files
        .iter()
        .try_fold(Kubeconfig::default(), |merged, path| {
            let next = Kubeconfig::read_from(path).map_err(|e| read_error(path, &e))?;
            merged
                .merge(next)
                .with_context(|| format!("failed to merge kubeconfig {}", path.display()))
        })
}

/// Why a kubeconfig could not be read, said once. A parse error never quotes the file: the
/// YAML parser's snippet would print tokens and keys to the terminal, so only the line is
/// given.
fn read_error(path: &Path, err: &(dyn std::error::Error + 'static)) -> anyhow::Error {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return anyhow::anyhow!("failed to read kubeconfig {}: {io}", path.display());
        }
        cur = e.source();
    }
    let text = err.to_string();
    let line = text
        .find("line ")
        .map(|i| &text[i + 5..])
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|n| !n.is_empty());
    let place = line
        .map(|n| format!(" (near line {n})"))
        .unwrap_or_default();
    anyhow::Error::new(
        UserError::failure(format!(
            "failed to read kubeconfig {}: it is not a valid kubeconfig{place}",
            path.display()
        ))
        .hint(format!(
            "check it with: kubectl config view --kubeconfig {}",
            path.display()
        )),
    )
}

/// The cluster the flags and kubeconfig select, for messages.
fn cluster_name(kc: &Kubeconfig, global: &GlobalArgs) -> Option<String> {
    if let Some(c) = &global.cluster {
        return Some(c.clone());
    }
    let ctx = global
        .context
        .clone()
        .or_else(|| kc.current_context.clone())?;
    let named = kc.contexts.iter().find(|c| c.name == ctx)?;
    named.context.as_ref().map(|c| c.cluster.clone())
}

/// Checks the names given by --context/--cluster/--user exist, with kubectl's wording.
pub fn check_overrides(kc: &Kubeconfig, global: &GlobalArgs) -> Result<(), UserError> {
    if let Some(ctx) = &global.context {
        if !kc.contexts.iter().any(|c| &c.name == ctx) {
            return Err(
                UserError::failure(format!("context \"{ctx}\" does not exist"))
                    .hint("list contexts with: kubectl config get-contexts"),
            );
        }
    } else if kc.current_context.as_deref().unwrap_or("").is_empty()
        && (global.cluster.is_none() || global.user.is_none())
    {
        return Err(
            UserError::failure("current-context is not set in the kubeconfig")
                .hint("pick one with --context NAME, or: kubectl config use-context NAME"),
        );
    }
    if let Some(cluster) = &global.cluster
        && !kc.clusters.iter().any(|c| &c.name == cluster)
    {
        return Err(UserError::failure(format!(
            "cluster \"{cluster}\" does not exist"
        )));
    }
    if let Some(user) = &global.user
        && !kc.auth_infos.iter().any(|c| &c.name == user)
    {
        return Err(UserError::failure(format!(
            "user \"{user}\" does not exist"
        )));
    }
    Ok(())
}

/// Connects as the flags and environment say.
pub async fn connect(
    global: &GlobalArgs,
    vars: &BTreeMap<String, String>,
) -> anyhow::Result<Connection> {
    let source = kubeconfig_source(global.kubeconfig.as_deref(), vars, |p| p.exists());
    let mut warnings = Vec::new();
    let mut kubeconfig_proxy = None;
    let mut config = match super::overrides::kubeconfig(source, global)? {
        Some(kc) => {
            kubeconfig_proxy =
                super::overrides::selected_cluster(&kc, global).and_then(|c| c.proxy_url.clone());
            check_overrides(&kc, global)?;
            let cluster = cluster_name(&kc, global);
            let opts = KubeConfigOptions {
                context: global.context.clone(),
                cluster: global.cluster.clone(),
                user: global.user.clone(),
            };
            let config = Config::from_custom_kubeconfig(kc, &opts)
                .await
                .context("failed to load the kubeconfig")?;
            if config.accept_invalid_certs {
                warnings.push(format!(
                    "TLS certificate verification is disabled for cluster {} by {} \
                     (insecure-skip-tls-verify): the server's identity is not checked",
                    cluster.unwrap_or_else(|| config.cluster_url.to_string()),
                    super::overrides::insecure_source(global)
                ));
            }
            config
        }
        None => Config::incluster().map_err(|_| {
            UserError::failure("no kubeconfig found and not running inside a cluster").hint(
                "point to a kubeconfig with --kubeconfig PATH or KUBECONFIG, or create \
                 ~/.kube/config",
            )
        })?,
    };
    let proxy = super::proxy::choose(&config.cluster_url, kubeconfig_proxy.as_deref(), vars)?;
    config.proxy_url = proxy.as_ref().map(|p| p.url.clone());
    // An exec plugin may prompt only if a person is at stdin (completion runs too).
    credentials::prepare(&mut config, std::io::stdin().is_terminal())?;
    config
        .headers
        .push((http::header::USER_AGENT, super::answers::user_agent()));
    // --request-timeout bounds each whole request in our retry layer (connection, TLS,
    // headers and body); here it also cuts an idle watch, which the wait then resumes. The
    // connection keeps kube's own 30 s bound, the same as our default for a request.
    if let Some(t) = global.request_timeout.filter(|t| !t.is_zero()) {
        config.read_timeout = Some(t);
    }
    let namespace = global
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    crate::names::parse_dns1123_label(&namespace).map_err(|e| {
        UserError::usage(format!("the kubeconfig context's namespace: {e}")).hint(
            "fix it with: kubectl config set-context --current --namespace NAME, or pass -n NAME",
        )
    })?;
    // Printed in messages: any user:password in the URL is masked.
    let url = shown_url(&config.cluster_url);
    let server = match (config.cluster_url.host(), config.cluster_url.port_u16()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => url.clone(),
    };
    // Errors about the connection name the proxy it went through (a dead proxy refuses it).
    let server = match &proxy {
        Some(p) => format!(
            "{server} through the proxy {}",
            crate::terminal::mask_url_credentials(&p.url.to_string())
        ),
        None => server,
    };
    let sink = crate::env::stderr_lines();
    if let Some(p) = proxy.filter(|_| global.verbosity >= 6) {
        sink(&super::proxy::describe(&p));
    }
    let server_warnings = super::warnings::Seen::default();
    // The exec plugin runs here, bounded like a request, rather than inside kube unbounded.
    let bound = super::exec_plugin::Bound::new(global.request_timeout);
    let exec_auth = super::exec_plugin::take_over(&mut config, bound).await?;
    let client = build_client(config, global, sink, server_warnings.clone(), exec_auth)?;
    Ok(Connection {
        client,
        namespace,
        server,
        url,
        warnings,
        server_warnings,
    })
}

/// kube's stack without its own retry layer (unbounded for our purposes, and it resends
/// writes answered 503), wrapped as `Retry → auth → Log → kube`: the log then sees each
/// attempt with its Authorization header, which it masks. The auth layer is kube's, or
/// `exec_auth` when the exec plugin gave a token.
fn build_client(
    mut config: Config,
    global: &GlobalArgs,
    sink: crate::env::Sink,
    seen: super::warnings::Seen,
    exec_auth: Option<super::exec_plugin::ExecAuthLayer>,
) -> anyhow::Result<kube::Client> {
    config.default_retry = false;
    let base = shown_url(&config.cluster_url);
    let plugin = config.auth_info.exec.as_ref().map(credentials::plugin_name);
    let auth = config
        .auth_layer()
        .map_err(|e| credentials::explain(e, plugin.as_deref()))
        .context("failed to set up the credentials from the kubeconfig")?;
    if auth.is_some() {
        // The token is added outside the log layer instead; client certificates stay.
        let a = &mut config.auth_info;
        (a.token, a.token_file, a.username, a.password) = (None, None, None, None);
        (a.auth_provider, a.exec) = (None, None);
    }
    // kube's stack is not Clone; the token-refreshing auth layer needs a Clone service.
    let builder = ClientBuilder::try_from(config)
        .context("failed to create the API client")?
        .with_layer(&tower::buffer::BufferLayer::new(64));
    let log = Observed(super::transport::LogLayer {
        level: global.verbosity,
        base: base.clone(),
        sink: sink.clone(),
    });
    let builder = builder.with_layer(&Observed(super::warnings::WarningLayer {
        seen,
        sink: sink.clone(),
    }));
    let retry = super::transport::RetryLayer {
        budget: global.request_timeout.filter(|t| !t.is_zero()),
        base,
        sink,
    };
    let answers = super::answers::AnswersLayer;
    Ok(match (auth, exec_auth) {
        (_, Some(exec_auth)) => builder
            .with_layer(&log)
            .with_layer(&exec_auth)
            .with_layer(&retry)
            .with_layer(&answers)
            .build(),
        (Some(auth), None) => builder
            .with_layer(&log)
            .with_layer(&auth)
            .with_layer(&retry)
            .with_layer(&answers)
            .build(),
        (None, None) => builder
            .with_layer(&log)
            .with_layer(&retry)
            .with_layer(&answers)
            .build(),
    })
}

/// The API server URL for messages and logs, without a trailing slash and with any
/// user:password masked.
fn shown_url(url: &http::Uri) -> String {
    let text = url.to_string();
    crate::terminal::mask_url_credentials(text.trim_end_matches('/')).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::env_vars as vars;

    #[test]
    fn flag_wins_over_environment() {
        let v = vars(&[("KUBECONFIG", "/a"), ("HOME", "/h")]);
        let s = kubeconfig_source(Some(Path::new("/flag")), &v, |_| true);
        assert_eq!(s, Source::Files(vec![PathBuf::from("/flag")]));
    }

    #[test]
    fn kubeconfig_lists_several_files_and_skips_missing_ones() {
        let v = vars(&[("KUBECONFIG", "/a:/missing:/b")]);
        let s = kubeconfig_source(None, &v, |p| p != Path::new("/missing"));
        assert_eq!(
            s,
            Source::Files(vec![PathBuf::from("/a"), PathBuf::from("/b")])
        );
    }

    #[test]
    fn falls_back_to_home_then_in_cluster() {
        let v = vars(&[("HOME", "/h")]);
        let s = kubeconfig_source(None, &v, |_| true);
        assert_eq!(s, Source::Files(vec![PathBuf::from("/h/.kube/config")]));
        assert_eq!(kubeconfig_source(None, &v, |_| false), Source::InCluster);
    }

    const A: &str = "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: a\n  cluster: {server: 'http://127.0.0.1:1'}\nusers:\n- name: a\n  user: {token: t}\ncontexts:\n- name: a\n  context: {cluster: a, user: a, namespace: prod}\n";
    const B: &str = "apiVersion: v1\nkind: Config\ncurrent-context: b\nclusters:\n- name: b\n  cluster: {server: 'http://127.0.0.1:2'}\nusers:\n- name: b\n  user: {token: t}\ncontexts:\n- name: b\n  context: {cluster: b, user: b}\n";

    #[test]
    fn merged_files_keep_the_first_current_context_and_all_contexts() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, A).unwrap();
        std::fs::write(&b, B).unwrap();
        let kc = load_kubeconfig(&[a, b]).unwrap();
        assert_eq!(kc.current_context.as_deref(), Some("a"));
        assert_eq!(kc.contexts.len(), 2);
    }

    #[test]
    fn a_missing_file_says_why_once() {
        let e = load_kubeconfig(&[PathBuf::from("/nonexistent/kc")]).unwrap_err();
        let text = format!("{e:#}");
        assert_eq!(text.matches("No such file").count(), 1, "{text}");
        assert!(
            text.starts_with("failed to read kubeconfig /nonexistent/kc: "),
            "{text}"
        );
    }

    #[test]
    fn a_malformed_file_is_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("kc");
        let text = "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: s3cr3t\n  broken: [\n";
        std::fs::write(&p, text).unwrap();
        let e = load_kubeconfig(std::slice::from_ref(&p)).unwrap_err();
        let msg = format!("{e:#}");
        assert!(!msg.contains("s3cr3t"), "{msg}");
        assert!(msg.contains("not a valid kubeconfig"), "{msg}");
    }

    #[test]
    fn unknown_context_is_refused_like_kubectl() {
        let kc = Kubeconfig::from_yaml(A).unwrap();
        let g = GlobalArgs {
            context: Some("nope".into()),
            ..GlobalArgs::default()
        };
        let e = check_overrides(&kc, &g).unwrap_err();
        assert_eq!(e.message, "context \"nope\" does not exist");
        assert!(check_overrides(&kc, &GlobalArgs::default()).is_ok());
    }

    #[tokio::test]
    async fn namespace_comes_from_flag_else_context_else_default() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, A).unwrap();
        std::fs::write(&b, B).unwrap();
        let v = vars(&[("KUBECONFIG", &format!("{}:{}", a.display(), b.display()))]);
        let conn = connect(&GlobalArgs::default(), &v).await.unwrap();
        assert_eq!(conn.namespace, "prod");
        assert_eq!(conn.server, "127.0.0.1:1");
        let g = GlobalArgs {
            context: Some("b".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(connect(&g, &v).await.unwrap().namespace, "default");
        let g = GlobalArgs {
            namespace: Some("x".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(connect(&g, &v).await.unwrap().namespace, "x");
    }
}
