//! The real kubectl finds the plugin on PATH, runs it, and asks it for completions through
//! `kubectl_complete-vmsnap`.
//!
//! Without kubectl these tests fail under CI=true and are skipped with a note otherwise.
//! `oc vmsnap` is the same mechanism (oc embeds kubectl's plugin handler) with the same
//! binary; oc is not installed here, so it is documented rather than tested.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{plugin_binary, root, run_ok};

fn kubectl() -> Option<PathBuf> {
    let candidates = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("kubectl"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let found = std::iter::once(PathBuf::from("/usr/bin/kubectl"))
        .chain(candidates)
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "kubectl is required under CI (.ci/run installs it)"
        );
        eprintln!("note: kubectl not found; skipping the kubectl discovery test");
    }
    found
}

/// A PATH with only the plugin (and, when asked, its completion helper) plus kubectl's own
/// directory and the basics the shim needs (`env`, `sh`).
struct PluginPath {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    path: OsString,
}

impl PluginPath {
    fn new(kubectl: &Path, with_helper: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        #[cfg(unix)]
        std::os::unix::fs::symlink(plugin_binary(), bin.join("kubectl-vmsnap"))
            .expect("symlink plugin");
        if with_helper {
            std::fs::copy(
                root().join("completions/kubectl_complete-vmsnap"),
                bin.join("kubectl_complete-vmsnap"),
            )
            .expect("copy helper");
        }
        let kubectl_dir = kubectl.parent().expect("kubectl dir").to_path_buf();
        let mut dirs = vec![bin.clone(), kubectl_dir];
        dirs.extend(["/usr/bin", "/bin"].map(PathBuf::from));
        let path = std::env::join_paths(dirs).expect("join PATH");
        PluginPath {
            _dir: dir,
            bin,
            path,
        }
    }

    fn kubectl(&self, kubectl: &Path, args: &[&str]) -> Output {
        Command::new(kubectl)
            .args(args)
            .env("PATH", &self.path)
            // Never reach a real cluster from a packaging test.
            .env("KUBECONFIG", self.bin.join("no-such-kubeconfig"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run kubectl")
    }
}

#[test]
fn kubectl_plugin_list_finds_the_plugin_on_path_and_runs_it() {
    let Some(kubectl) = kubectl() else { return };
    let env = PluginPath::new(&kubectl, false);

    let out = env.kubectl(&kubectl, &["plugin", "list"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = env.bin.join("kubectl-vmsnap");
    assert!(
        stdout
            .lines()
            .any(|l| l.trim() == expected.to_string_lossy()),
        "kubectl plugin list did not list {}:\n{stdout}\n{}",
        expected.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    // Other plugins on the runner's PATH may draw warnings; ours must not.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.lines().any(|l| l.contains("kubectl-vmsnap")),
        "kubectl warned about the plugin: {stderr}"
    );

    let out = env.kubectl(&kubectl, &["vmsnap", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "kubectl vmsnap --help failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        help.contains("Usage: kubectl vmsnap"),
        "help should show the kubectl form:\n{help}"
    );

    let out = run_ok(
        Command::new(&kubectl)
            .args(["vmsnap", "--version"])
            .env("PATH", &env.path),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn kubectl_completes_plugin_subcommands_and_flags_through_the_helper() {
    let Some(kubectl) = kubectl() else { return };
    let env = PluginPath::new(&kubectl, true);
    let complete = |words: &[&str]| -> Vec<String> {
        let mut args = vec!["__complete", "vmsnap"];
        args.extend_from_slice(words);
        let out = env.kubectl(&kubectl, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    };

    let lines = complete(&["res"]);
    assert_eq!(
        lines
            .first()
            .map(|l| l.split('\t').next().unwrap_or_default()),
        Some("restore"),
        "{lines:?}"
    );
    assert_eq!(lines.last().map(String::as_str), Some(":4"), "{lines:?}");

    let lines = complete(&["restore", "db", "--snap"]);
    assert!(
        lines.iter().any(|l| l.starts_with("--snapshot")),
        "{lines:?}"
    );

    let lines = complete(&["list", "-o", "ya"]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("yaml"), "{lines:?}");
}
