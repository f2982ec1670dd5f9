//! kubectl's global connection and identity flags (`kubectl options`), with kubectl's names,
//! short forms and help texts. They are hidden from each command's help, as kubectl hides
//! them; `kubectl vmsnap options` lists them.

use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The flags of k8s.io/cli-runtime's ConfigFlags that override the kubeconfig
/// (client-go tools/clientcmd overrides.go), applied by `cluster::overrides`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectionFlags {
    /// Username to impersonate for the operation. User could be a regular user or a service
    /// account in a namespace.
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to impersonate for the operation, this flag can be repeated to specify multiple
    /// groups.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_groups: Vec<String>,
    /// UID to impersonate for the operation.
    #[arg(long = "as-uid", value_name = "UID")]
    pub as_uid: Option<String>,
    /// Default cache directory (accepted for kubectl compatibility: the plugin keeps no
    /// discovery cache)
    #[arg(long, value_name = "PATH")]
    pub cache_dir: Option<PathBuf>,
    /// Path to a cert file for the certificate authority
    #[arg(long, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,
    /// Path to a client certificate file for TLS
    #[arg(long, value_name = "PATH")]
    pub client_certificate: Option<PathBuf>,
    /// Path to a client key file for TLS
    #[arg(long, value_name = "PATH")]
    pub client_key: Option<PathBuf>,
    /// If true, opt-out of response compression for all requests to the server (the plugin
    /// never asks for compressed responses)
    #[arg(long)]
    pub disable_compression: bool,
    /// If true, the server's certificate will not be checked for validity. This will make your
    /// HTTPS connections insecure
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// Require server version to match client version
    #[arg(long)]
    pub match_server_version: bool,
    /// Password for basic authentication to the API server
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// The address and port of the Kubernetes API server
    #[arg(short = 's', long, value_name = "URL", value_parser = parse_server)]
    pub server: Option<String>,
    /// Server name to use for server certificate validation. If it is not provided, the
    /// hostname used to contact the server is used
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Bearer token for authentication to the API server
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Username for basic authentication to the API server
    #[arg(long, value_name = "USER")]
    pub username: Option<String>,
    /// Treat warnings received from the server as errors and exit with a non-zero exit code
    #[arg(long)]
    pub warnings_as_errors: bool,
}

impl ConnectionFlags {
    /// The flags a completion request's line gave (long name → value), parsed as on a
    /// command line; anything unparsable is left out, as completion never fails loudly.
    pub fn from_options(options: &BTreeMap<String, String>) -> Self {
        use clap::FromArgMatches as _;
        let cmd =
            Self::augment_args(clap::Command::new("options")).mut_args(super::flag::kubectl_bool);
        let known: Vec<&str> = cmd
            .get_arguments()
            .filter_map(clap::Arg::get_long)
            .collect();
        let args: Vec<String> = options
            .iter()
            .filter(|(k, _)| known.contains(&k.as_str()))
            .map(|(k, v)| format!("--{k}={v}"))
            .collect();
        cmd.clone()
            .try_get_matches_from(std::iter::once("options".to_string()).chain(args))
            .ok()
            .and_then(|m| Self::from_arg_matches(&m).ok())
            .unwrap_or_default()
    }
}

/// The flags `kubectl options` lists that the plugin has, by clap id.
const KUBECTL_OPTIONS: &[&str] = &[
    "as_user",
    "as_groups",
    "as_uid",
    "cache_dir",
    "certificate_authority",
    "client_certificate",
    "client_key",
    "cluster",
    "context",
    "disable_compression",
    "insecure_skip_tls_verify",
    "kubeconfig",
    "match_server_version",
    "namespace",
    "password",
    "request_timeout",
    "server",
    "tls_server_name",
    "token",
    "user",
    "username",
    "verbosity",
    "warnings_as_errors",
];

/// The kubectl options each command's help shows, as kubectl's own help does.
const SHOWN_IN_HELP: &[&str] = &["namespace", "verbosity"];

/// What every flag of the root command is: global, so it works after the subcommand; and
/// hidden from each command's help when it is one of `kubectl options`' list (except `-n`
/// and `-v`), which `kubectl vmsnap options` prints instead. Hidden from help only, so
/// completion still offers them.
pub fn root_flag(arg: clap::Arg) -> clap::Arg {
    let id = arg.get_id().as_str();
    let hidden = KUBECTL_OPTIONS.contains(&id) && !SHOWN_IN_HELP.contains(&id);
    arg.global(true)
        .hide_short_help(hidden)
        .hide_long_help(hidden)
}

/// What `kubectl vmsnap options` prints, laid out as `kubectl options` lays out its list.
pub fn options_text(cmd: &clap::Command) -> String {
    let mut args: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| KUBECTL_OPTIONS.contains(&a.get_id().as_str()))
        .collect();
    args.sort_by_key(|a| a.get_long().unwrap_or_default());
    let mut out = String::from("The following options can be passed to any command:\n\n");
    for arg in args {
        let long = arg.get_long().unwrap_or_default();
        let short = arg
            .get_short()
            .map(|c| format!("-{c}, "))
            .unwrap_or_default();
        let default = if matches!(arg.get_action(), clap::ArgAction::Append) {
            "[]".to_string()
        } else {
            match arg.get_default_values() {
                [] => "''".to_string(),
                [v, ..] if v == "false" || v.to_str().is_some_and(|s| s.parse::<u8>().is_ok()) => {
                    v.to_string_lossy().into_owned()
                }
                [v, ..] => format!("'{}'", v.to_string_lossy()),
            }
        };
        let help = arg
            .get_long_help()
            .or(arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_default();
        out.push_str(&format!("    {short}--{long}={default}:\n\t{help}\n\n"));
    }
    out
}

/// `-s/--server` takes a URL. Before it meant `--server`, `restore -s` named the snapshot:
/// a bare name here is that old habit, so say what `-s` is now.
pub fn parse_server(value: &str) -> Result<String, String> {
    let lower = value.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && value.parse::<http::Uri>().is_ok_and(|u| u.host().is_some())
    {
        return Ok(value.to_string());
    }
    Err(format!(
        "{value:?} is not a server URL: -s is --server (https://HOST:PORT), as in kubectl; \
         the snapshot to restore is --snapshot NAME"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_lists_every_kubectl_connection_flag_like_kubectl_options() {
        let text = options_text(&crate::cli::command());
        assert!(text.starts_with("The following options can be passed to any command:\n\n"));
        for id in KUBECTL_OPTIONS {
            let long = id.replace('_', "-");
            let long = match long.as_str() {
                "as-user" => "as",
                "as-groups" => "as-group",
                other => other,
            };
            assert!(
                text.contains(&format!("--{long}=")),
                "{long} missing:\n{text}"
            );
        }
        for entry in [
            "    --as-group=[]:\n\tGroup to impersonate",
            "    -s, --server='':\n\tThe address and port",
            "    --warnings-as-errors=false:\n",
        ] {
            assert!(text.contains(entry), "{entry:?} missing:\n{text}");
        }
    }

    #[test]
    fn root_flags_are_global_and_kubectl_options_hidden_from_help() {
        let mut cmd = crate::cli::command();
        cmd.build();
        let list_help = cmd
            .find_subcommand_mut("list")
            .expect("list")
            .render_long_help()
            .to_string();
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.is_global_set(), "--{id} is not global");
            let hidden = KUBECTL_OPTIONS.contains(&id) && !SHOWN_IN_HELP.contains(&id);
            assert_eq!(arg.is_hide_long_help_set(), hidden, "--{id}");
            assert_eq!(arg.is_hide_short_help_set(), hidden, "--{id}");
            let long = format!("--{}", arg.get_long().expect("long"));
            let listed = list_help.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with(&long) || l.get(4..).is_some_and(|rest| rest.starts_with(&long))
            });
            assert_eq!(listed, !hidden, "{long}:\n{list_help}");
        }
    }

    #[test]
    fn completion_reads_connection_flags_in_kubectl_forms() {
        let options: BTreeMap<String, String> = [
            ("insecure-skip-tls-verify", "True"),
            ("server", "https://api.example.com:6443"),
            ("as", "jane"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let flags = ConnectionFlags::from_options(&options);
        assert!(flags.insecure_skip_tls_verify);
        assert_eq!(
            flags.server.as_deref(),
            Some("https://api.example.com:6443")
        );
        assert_eq!(flags.as_user.as_deref(), Some("jane"));
    }

    #[test]
    fn server_takes_a_url_and_explains_a_bare_name() {
        assert!(parse_server("https://api.example.com:6443").is_ok());
        assert!(parse_server("http://127.0.0.1:8080/prefix").is_ok());
        let e = parse_server("pre-upgrade").unwrap_err();
        assert!(
            e.contains("-s is --server") && e.contains("--snapshot NAME"),
            "{e}"
        );
        assert!(parse_server("https://").is_err());
    }
}
