//! Packaging checks: the krew manifest, the release workflow, generated completions and man
//! pages, and discovery of the plugin by the real kubectl.
//!
//! These are file-level and process-level checks; they never start the simulator.
//! Generated files are compared with freshly generated ones; to refresh them run
//! `VMSNAP_UPDATE_GENERATED=1 cargo test -p kubectl-vmsnap --test packaging`.

mod generated;
mod krew;
mod kubectl;
mod layers;
mod sha256;
mod workflow;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (this package's manifest directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The plugin binary cargo built for this test run.
pub fn plugin_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kubectl-vmsnap"))
}

/// `v` + the package version, as tags, archive names and the krew manifest spell it.
pub fn version_tag() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn yaml(path: impl AsRef<Path>) -> serde_json::Value {
    let path = path.as_ref();
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Run a command, panicking with its stderr when it cannot start or fails.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Compare a checked-in generated file with its fresh content, or rewrite it when
/// VMSNAP_UPDATE_GENERATED=1. Returns a drift message instead of panicking so a test can
/// report every stale file at once.
pub fn check_generated(path: &Path, fresh: &[u8]) -> Option<String> {
    if std::env::var_os("VMSNAP_UPDATE_GENERATED").is_some_and(|v| v == "1") {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create generated dir");
        }
        std::fs::write(path, fresh).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return None;
    }
    match std::fs::read(path) {
        Ok(current) if current == fresh => None,
        Ok(_) => Some(format!("{} is stale", path.display())),
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

/// Fail with one message listing every drifted file and how to regenerate them.
pub fn assert_no_drift(drift: Vec<String>) {
    assert!(
        drift.is_empty(),
        "{}\nregenerate with: VMSNAP_UPDATE_GENERATED=1 cargo test -p kubectl-vmsnap --test packaging",
        drift.join("\n")
    );
}
