//! Runs the binary on a pseudo-terminal (util-linux `script`), so TerminalUi's prompts run.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{NOW, Output};

/// Whether `script` is available; under CI=true its absence is a failure, not a skip.
pub fn available() -> bool {
    let ok = Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var("CI").is_err(),
        "CI=true but `script` (util-linux) is missing"
    );
    ok
}

/// Runs `kubectl-vmsnap ARGS` on a terminal and types `keys` (use `\r` for Enter).
/// The terminal's output (stdout and stderr together) lands in `stdout`.
pub async fn run(kubeconfig: &Path, args: &[&str], keys: &str) -> Output {
    run_with(kubeconfig, args, keys, &[("NO_COLOR", "1")]).await
}

/// [`run`] with these environment variables instead of `NO_COLOR=1`.
pub async fn run_with(
    kubeconfig: &Path,
    args: &[&str],
    keys: &str,
    vars: &[(&str, &str)],
) -> Output {
    let cmd = std::iter::once(env!("CARGO_BIN_EXE_kubectl-vmsnap"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let kubeconfig = kubeconfig.to_path_buf();
    let keys = keys.to_string();
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SHELL", "/bin/sh")
            .env("TERM", "xterm")
            .env("KUBECONFIG", &kubeconfig)
            .env("VMSNAP_NOW", NOW)
            .envs(vars)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(keys.as_bytes())
            .expect("keys");
        let out = child.wait_with_output().expect("script ends");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).replace('\r', ""),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("runner thread")
}
