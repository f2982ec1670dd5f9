//! Helpers of the fault catalogue: request-log queries, users with chosen rules, fault rules,
//! and a binary run with a safety limit for cases where a hang is the failure.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use vmsnap_sim::{FaultRule, Gvr, RequestRecord, Rule, User};

use kubectl_vmsnap::env::{Clock, Env};
use kubectl_vmsnap::ui::Ui;

use crate::support::{Buf, NOW, Output, TestSim};

/// Snapshots' plural, as fault rules and paths name them.
pub const SNAPSHOTS: &str = "virtualmachinesnapshots";
/// Restores' plural.
pub const RESTORES: &str = "virtualmachinerestores";

/// A fault rule for `method` (HTTP method or verb) on `resource`, `times` times (None = always).
pub fn rule(method: &str, resource: &str, status: u16, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: Some(method.to_string()),
        resource: Some(resource.to_string()),
        status,
        times,
        ..FaultRule::default()
    }
}

/// Client requests whose method is `method` and whose path contains `path_part`.
pub fn requests(t: &TestSim, method: &str, path_part: &str) -> Vec<RequestRecord> {
    t.sim
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path.contains(path_part))
        .collect()
}

/// Watch requests on `resource`.
pub fn watches(t: &TestSim, resource: &str) -> usize {
    t.sim
        .requests()
        .into_iter()
        .filter(|r| {
            r.method == "GET"
                && r.path.contains(resource)
                && (r.query.contains("watch=true") || r.query.contains("watch=1"))
        })
        .count()
}

/// One line per write, for failure messages.
pub fn describe(writes: &[RequestRecord]) -> String {
    writes
        .iter()
        .map(|w| format!("{} {} -> {}", w.method, w.path, w.status))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes other than snapshot creations: a restore may first take a safety snapshot of the
/// VM as it is (the plugin's undo point), which is intended and checked elsewhere.
pub fn writes_besides_snapshots(t: &TestSim) -> Vec<RequestRecord> {
    let w: Vec<RequestRecord> = t.writes();
    let snapshots = w
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(SNAPSHOTS))
        .count();
    assert!(
        snapshots <= 1,
        "more than one snapshot created:\n{}",
        describe(&w)
    );
    w.into_iter()
        .filter(|r| !(r.method == "POST" && r.path.ends_with(SNAPSHOTS)))
        .collect()
}

/// Fails unless the plugin made no write at all.
#[track_caller]
pub fn assert_no_writes(t: &TestSim) {
    let w = t.writes();
    assert!(w.is_empty(), "unexpected writes:\n{}", describe(&w));
}

/// Fails unless the writes are exactly `expected` (method, path suffix, status), in order.
#[track_caller]
pub fn assert_writes(t: &TestSim, expected: &[(&str, &str, u16)]) {
    let w = t.writes();
    let ok = w.len() == expected.len()
        && w.iter()
            .zip(expected)
            .all(|(r, (m, p, s))| r.method == *m && r.path.ends_with(p) && r.status == *s);
    assert!(
        ok,
        "writes differ\nexpected: {expected:?}\nactual:\n{}",
        describe(&w)
    );
}

/// A user with `rules`, and a kubeconfig for it in namespace production.
pub fn user(t: &TestSim, name: &str, rules: Vec<Rule>) -> PathBuf {
    t.sim.add_user(User::new(name, rules));
    t.kubeconfig_for(name, "production")
}

/// `verbs` on every group and resource.
pub fn allow(verbs: &[&str]) -> Rule {
    Rule {
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        ..Rule::default()
    }
}

/// `verbs` on `resources` of `group`.
pub fn allow_on(verbs: &[&str], group: &str, resources: &[&str]) -> Rule {
    Rule {
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        api_groups: vec![group.to_string()],
        resources: resources.iter().map(|r| r.to_string()).collect(),
        ..Rule::default()
    }
}

/// The object at (group, version, plural) production/`name`, if it exists.
pub fn get(t: &TestSim, gvr: (&str, &str, &str), name: &str) -> Option<serde_json::Value> {
    t.sim
        .store()
        .get(&Gvr::new(gvr.0, gvr.1, gvr.2), Some("production"), name)
}

/// Runs the binary like the harness does (null stdin, fixed clock, no HOME) but kills it
/// after `limit`: `None` means it was still running then (a hang is the failure here).
pub async fn run_bounded(kubeconfig: &Path, args: &[&str], limit: Duration) -> Option<Output> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-vmsnap"));
    cmd.args(args)
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("VMSNAP_NOW", NOW)
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("binary starts");
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut o = String::new();
            let mut e = String::new();
            let _ = out.read_to_string(&mut o);
            let _ = err.read_to_string(&mut e);
            let _ = tx.send((o, e));
        });
        match rx.recv_timeout(limit) {
            Ok((stdout, stderr)) => {
                let status = child.wait().expect("exit");
                Some(Output {
                    code: status.code().unwrap_or(-1),
                    stdout,
                    stderr,
                })
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                None
            }
        }
    })
    .await
    .expect("runner thread")
}

/// Writes `text` to a file in the test's directory and returns its path.
pub fn file(t: &TestSim, name: &str, text: &str) -> PathBuf {
    let p = t.dir.path().join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

/// Runs the plugin in-process with `ui` (a Ui that acts on the cluster at a chosen moment),
/// the fixed clock and the test's kubeconfig.
pub async fn run_with_ui(t: &TestSim, ui: Box<dyn Ui>, args: &[&str]) -> Output {
    let (out, err) = (Buf::default(), Buf::default());
    let mut env = Env::new(
        Box::new(out.clone()),
        Box::new(err.clone()),
        ui,
        Clock::Fixed(NOW.parse().expect("timestamp")),
    );
    let argv: Vec<OsString> = std::iter::once("kubectl-vmsnap")
        .chain(args.iter().copied())
        .chain(std::iter::once("--kubeconfig"))
        .map(OsString::from)
        .chain(std::iter::once(t.kubeconfig.clone().into_os_string()))
        .collect();
    let code = kubectl_vmsnap::run(argv, &mut env).await;
    Output {
        code,
        stdout: out.text(),
        stderr: err.text(),
    }
}

/// Creates snapshot `name` of `vm` in production, waits until it is ready and the VM no longer
/// shows it in progress, then clears the request log: a restore can start from there.
pub async fn ready_snapshot(t: &TestSim, name: &str, vm: &str) {
    let snap = serde_json::json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": name, "namespace": "production"},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}}
    });
    let g = crate::support::SNAPSHOTS;
    t.sim
        .store()
        .create(&Gvr::new(g.0, g.1, g.2), snap)
        .expect("snapshot created");
    t.snapshot_ready(name).await;
    t.wait_until(crate::support::VMS, "production", vm, |v| {
        v["status"]["snapshotInProgress"].is_null()
    })
    .await;
    t.sim.clear_requests();
}

/// The tests' scenario with the overlay in `dir` (relative to the crate) layered over it.
pub async fn with_overlay(dir: &str) -> TestSim {
    let mut cfg = crate::support::config();
    cfg.scenarios
        .push(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir));
    TestSim::with(cfg).await
}
