//! `list` as kubectl users expect it (issue 16, issue 17 item 10): creation order, --sort-by,
//! -L/--show-labels, --field-selector, --chunk-size, -w/--watch-only (on every platform), a
//! missing VM.

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{SNAPSHOTS, TestSim};

fn snapshots_gvr() -> vmsnap_sim::Gvr {
    vmsnap_sim::Gvr::new(SNAPSHOTS.0, SNAPSHOTS.1, SNAPSHOTS.2)
}

/// Three snapshots of VM "ghost" (which does not exist) in `staging`: z-snap oldest, a-snap
/// and b-snap created at the same second; ranks (a label) 10, 100, 9.
fn seed_staging(t: &TestSim) {
    for (name, created, rank) in [
        ("b-snap", "2026-11-25T08:00:00Z", "9"),
        ("z-snap", "2026-11-20T08:00:00Z", "10"),
        ("a-snap", "2026-11-25T08:00:00Z", "100"),
    ] {
        let snap = json!({
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": name, "namespace": "staging", "creationTimestamp": created,
                         "labels": {"example.com/rank": rank, "tier": "db"}},
            "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "ghost"}}
        });
        t.sim
            .store()
            .create(&snapshots_gvr(), snap)
            .expect("snapshot");
    }
}

fn first_column(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

/// The snapshot names `list ARGS -n staging` prints, in order.
async fn order_of(t: &TestSim, args: &[&str]) -> Vec<String> {
    let out = t
        .cmd()
        .args(&["list", "-n", "staging"])
        .args(args)
        .run()
        .await;
    out.assert_code(0);
    first_column(&out.stdout)
        .into_iter()
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn list_is_in_creation_order_newest_last_and_sort_by_reorders() {
    let t = TestSim::start().await;
    seed_staging(&t);
    assert_eq!(order_of(&t, &[]).await, ["z-snap", "a-snap", "b-snap"]);
    assert_eq!(
        order_of(&t, &["--sort-by", ".metadata.name"]).await,
        ["a-snap", "b-snap", "z-snap"]
    );
    // Label values that are numbers compare as quantities (9 < 10 < 100), as kubectl compares
    // them; as plain strings the order would be 10, 100, 9.
    assert_eq!(
        order_of(&t, &[r"--sort-by={.metadata.labels.example\.com/rank}"]).await,
        ["b-snap", "z-snap", "a-snap"]
    );
    let out = t
        .cmd()
        .args(&["list", "-n", "staging", "--sort-by", ".status.nothing"])
        .run()
        .await;
    out.assert_code(2).assert_stderr_contains(
        "error: couldn't find any field with path \"{.status.nothing}\" in the list of objects",
    );
}

// -L, --show-labels, --field-selector and --chunk-size: list_parity.rs, on every platform.

#[tokio::test]
async fn list_of_a_vm_that_does_not_exist_exits_5_unless_its_snapshots_remain() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "nosuchvm"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains(
            "error: VirtualMachine \"nosuchvm\" not found in namespace \"production\"",
        )
        .assert_stderr_contains("hint: list the VMs with: kubectl get vm -n production");
    assert_eq!(out.stdout, "");
    seed_staging(&t);
    let out = t
        .cmd()
        .args(&["list", "ghost", "-n", "staging"])
        .run()
        .await;
    out.assert_code(0).assert_stderr_contains(
        "warning: VirtualMachine \"ghost\" not found in namespace \"staging\"; 3 snapshots of it remain",
    );
    assert_eq!(first_column(&out.stdout), ["z-snap", "a-snap", "b-snap"]);
}

#[tokio::test]
async fn a_failed_snapshot_lists_no_consistency() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0);
    let header: Vec<&str> = out
        .stdout
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let col = header
        .iter()
        .position(|h| *h == "CONSISTENCY")
        .expect("CONSISTENCY column");
    let failed: Vec<&str> = out
        .stdout
        .lines()
        .find(|l| l.starts_with("failed-snapshot"))
        .expect("failed row")
        .split_whitespace()
        .collect();
    assert_eq!(failed[2], "Failed", "{}", out.transcript());
    assert_eq!(failed[col], "<none>", "{}", out.transcript());
}

/// A running `list` whose stdout and stderr lines arrive on channels, with when each arrived.
struct Streaming {
    child: std::process::Child,
    lines: mpsc::Receiver<(Instant, String)>,
    errors: mpsc::Receiver<(Instant, String)>,
    seen: Vec<String>,
}

fn lines_of(r: impl std::io::Read + Send + 'static) -> mpsc::Receiver<(Instant, String)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { return };
            if tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (10 s at most: a safety limit, not a pause) for a line of `rx` that `matches`.
fn wait_line(
    rx: &mpsc::Receiver<(Instant, String)>,
    seen: &mut Vec<String>,
    matches: impl Fn(&str) -> bool,
) -> (Instant, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((at, line)) => {
                seen.push(line.clone());
                if matches(&line) {
                    return (at, line);
                }
            }
            Err(_) => panic!("no matching line; so far:\n{}", seen.join("\n")),
        }
    }
}

impl Streaming {
    fn start(t: &TestSim, args: &[&str]) -> Streaming {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-vmsnap"))
            .args(args)
            .env_clear()
            .env("KUBECONFIG", &t.kubeconfig)
            .env("HOME", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("binary starts");
        let lines = lines_of(child.stdout.take().expect("stdout"));
        let errors = lines_of(child.stderr.take().expect("stderr"));
        Streaming {
            child,
            lines,
            errors,
            seen: Vec::new(),
        }
    }

    /// The next stdout line that `matches`, and when it arrived.
    async fn line(&mut self, matches: impl Fn(&str) -> bool) -> (Instant, String) {
        tokio::task::block_in_place(|| wait_line(&self.lines, &mut self.seen, matches))
    }

    /// Waits for a stderr line that `matches` (a -v 6 request log line).
    async fn stderr_line(&mut self, matches: impl Fn(&str) -> bool) {
        let mut seen = Vec::new();
        tokio::task::block_in_place(|| wait_line(&self.errors, &mut seen, matches));
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn new_snapshot(name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
        "metadata": {"name": name, "namespace": "production"},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "database-01"}}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_a_row_for_a_new_snapshot_and_for_its_phase_change_within_a_second() {
    let t = TestSim::start().await;
    let mut list = Streaming::start(&t, &["list", "-w"]);
    // The list comes first, with its header.
    list.line(|l| l.starts_with("NAME")).await;
    list.line(|l| l.starts_with("pre-upgrade-snapshot")).await;
    let created = Instant::now();
    t.sim
        .store()
        .create(&snapshots_gvr(), new_snapshot("watched-1"))
        .expect("snapshot");
    let (at, row) = list.line(|l| l.starts_with("watched-1 ")).await;
    let first_delay = at.saturating_duration_since(created);
    assert!(
        first_delay < Duration::from_secs(1),
        "row after {first_delay:?}"
    );
    assert!(row.contains("database-01"), "{row}");
    // The controller moves it to Succeeded; that change prints another row.
    t.snapshot_ready("watched-1").await;
    let succeeded = Instant::now();
    let (at, _) = list
        .line(|l| l.starts_with("watched-1 ") && l.contains("Succeeded"))
        .await;
    let change_delay = at.saturating_duration_since(succeeded);
    assert!(
        change_delay < Duration::from_secs(1),
        "row after {change_delay:?}"
    );
    eprintln!("watch latency: new row {first_delay:?}, phase-change row {change_delay:?}");
    // Each change is one line aligned by itself, never a second header.
    assert_eq!(
        list.seen.iter().filter(|l| l.starts_with("NAME")).count(),
        1,
        "{:?}",
        list.seen
    );
    assert!(t.writes().is_empty(), "list -w wrote: {:?}", t.writes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_only_prints_the_header_with_the_first_change_and_not_the_list() {
    let t = TestSim::start().await;
    let mut list = Streaming::start(&t, &["list", "--watch-only", "database-01", "-v", "6"]);
    // Nothing is printed before a change: create one once the watch is open (the -v 6 log
    // line of the watch request says so).
    list.stderr_line(|l| l.contains("watch=true") && l.contains(" 200 OK"))
        .await;
    t.sim
        .store()
        .create(&snapshots_gvr(), new_snapshot("watched-2"))
        .expect("snapshot");
    let (_, header) = list.line(|_| true).await;
    assert!(header.starts_with("NAME "), "{header}");
    let (_, row) = list.line(|_| true).await;
    assert!(row.starts_with("watched-2 "), "{row} after {:?}", list.seen);
}

#[tokio::test]
async fn request_timeout_ends_the_watch_with_exit_0() {
    for t in [
        TestSim::start().await,
        TestSim::vmoperator().await,
        TestSim::deckhouse().await,
    ] {
        let out = t
            .cmd()
            .args(&["list", "--watch-only", "--request-timeout=1s"])
            .run()
            .await;
        out.assert_code(0);
        assert_eq!(out.stdout, "", "{}", out.transcript());
    }
}

#[tokio::test]
async fn watch_refuses_json_and_yaml_on_every_platform_and_deckhouse_disks() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&["list", "-w", "-o", "json"])
        .run()
        .await
        .assert_code(2)
        .assert_stderr_contains("--watch prints table rows or names");
    for t in [TestSim::vmoperator().await, TestSim::deckhouse().await] {
        t.cmd()
            .args(&["list", "-w", "-o", "yaml"])
            .run()
            .await
            .assert_code(2)
            .assert_stderr_contains("--watch prints table rows or names, not -o yaml");
        assert!(t.writes().is_empty(), "{:?}", t.writes());
    }
    let t = TestSim::deckhouse().await;
    t.cmd()
        .args(&["list", "--disks", "--watch-only"])
        .run()
        .await
        .assert_code(2)
        .assert_stderr_contains("--watch follows VM snapshots, not --disks");
}

/// A platform's VM snapshot kind in the simulator, the spec naming VM "ghost", and the status
/// that makes a snapshot ready.
struct WatchPlatform {
    sim: fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = TestSim>>>,
    gvr: (&'static str, &'static str, &'static str),
    spec: fn() -> serde_json::Value,
    ready: fn() -> serde_json::Value,
    ready_phase: &'static str,
}

const VMOP_WATCH: WatchPlatform = WatchPlatform {
    sim: || Box::pin(TestSim::vmoperator()),
    gvr: (
        "vmoperator.vmware.com",
        "v1alpha6",
        "virtualmachinesnapshots",
    ),
    spec: || json!({"vmName": "ghost"}),
    ready: || {
        json!({"conditions": [{"type": "VirtualMachineSnapshotReady", "status": "True",
            "reason": "Ready", "lastTransitionTime": "2026-11-25T08:00:00Z"}]})
    },
    ready_phase: "Ready",
};

const DECKHOUSE_WATCH: WatchPlatform = WatchPlatform {
    sim: || Box::pin(TestSim::deckhouse()),
    gvr: (
        "virtualization.deckhouse.io",
        "v1alpha2",
        "virtualmachinesnapshots",
    ),
    spec: || {
        json!({"virtualMachineName": "ghost", "requiredConsistency": false,
               "keepIPAddress": "Never"})
    },
    ready: || json!({"phase": "Ready"}),
    ready_phase: "Ready",
};

/// `list -w -n staging` on `p`: the list, a row for a snapshot created after the watch
/// opened, another for its phase change; no second header, no write.
async fn watch_rows_of(p: &WatchPlatform) {
    let t = (p.sim)().await;
    let gvr = vmsnap_sim::Gvr::new(p.gvr.0, p.gvr.1, p.gvr.2);
    let snap = |name: &str| {
        json!({
            "apiVersion": format!("{}/{}", p.gvr.0, p.gvr.1), "kind": "VirtualMachineSnapshot",
            "metadata": {"name": name, "namespace": "staging"},
            "spec": (p.spec)(),
        })
    };
    t.sim
        .store()
        .create(&gvr, snap("listed"))
        .expect("snapshot");
    let mut list = Streaming::start(&t, &["list", "-w", "-n", "staging", "-v", "6"]);
    let has = |l: &str, name: &str| l.split_whitespace().any(|w| w == name);
    list.line(|l| l.contains("NAME")).await;
    list.line(|l| has(l, "listed")).await;
    list.stderr_line(|l| l.contains("watch=true") && l.contains(" 200 OK"))
        .await;
    t.sim
        .store()
        .create(&gvr, snap("watched-1"))
        .expect("snapshot");
    let (_, row) = list.line(|l| has(l, "watched-1")).await;
    assert!(has(&row, "ghost"), "{row}");
    assert!(!has(&row, p.ready_phase), "{row}");
    t.sim
        .store()
        .mutate(&gvr, Some("staging"), "watched-1", |o| {
            o["status"] = (p.ready)();
        })
        .expect("status");
    let (_, row) = list
        .line(|l| has(l, "watched-1") && has(l, p.ready_phase))
        .await;
    assert!(has(&row, "ghost"), "{row}");
    let headers = list.seen.iter().filter(|l| l.contains("NAME")).count();
    assert_eq!(headers, 1, "{:?}", list.seen);
    assert!(t.writes().is_empty(), "list -w wrote: {:?}", t.writes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vmoperator_watch_prints_a_row_for_a_new_snapshot_and_for_its_phase_change() {
    watch_rows_of(&VMOP_WATCH).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deckhouse_watch_prints_a_row_for_a_new_snapshot_and_for_its_phase_change() {
    watch_rows_of(&DECKHOUSE_WATCH).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_only_on_vmoperator_and_deckhouse_prints_the_header_with_the_first_change() {
    for p in [&VMOP_WATCH, &DECKHOUSE_WATCH] {
        let t = (p.sim)().await;
        let gvr = vmsnap_sim::Gvr::new(p.gvr.0, p.gvr.1, p.gvr.2);
        let mut list = Streaming::start(
            &t,
            &[
                "list",
                "--watch-only",
                "-n",
                "staging",
                "-l",
                "pick=yes",
                "-v",
                "6",
            ],
        );
        list.stderr_line(|l| l.contains("watch=true") && l.contains(" 200 OK"))
            .await;
        for (name, pick) in [("not-picked", "no"), ("picked", "yes")] {
            let obj = json!({
                "apiVersion": format!("{}/{}", p.gvr.0, p.gvr.1), "kind": "VirtualMachineSnapshot",
                "metadata": {"name": name, "namespace": "staging", "labels": {"pick": pick}},
                "spec": (p.spec)(),
            });
            t.sim.store().create(&gvr, obj).expect("snapshot");
        }
        // -l reaches the watch: the first line is the header, the second the picked row.
        let (_, header) = list.line(|_| true).await;
        assert!(header.contains("NAME"), "{header}");
        let (_, row) = list.line(|_| true).await;
        assert!(row.split_whitespace().any(|w| w == "picked"), "{row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_watch_resumes_from_the_last_version_and_misses_nothing() {
    let t = TestSim::start().await;
    // The first watch stream closes before any event.
    t.sim.faults().drop_watch_after(0);
    let mut list = Streaming::start(&t, &["list", "--watch-only", "-v", "6"]);
    list.stderr_line(|l| l.contains("watch=true") && l.contains(" 200 OK"))
        .await;
    t.sim
        .store()
        .create(&snapshots_gvr(), new_snapshot("after-drop"))
        .expect("snapshot");
    list.line(|l| l.starts_with("after-drop ")).await;
    let watches = t
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/virtualmachinesnapshots") && r.query.contains("watch=true"))
        .count();
    assert_eq!(watches, 2, "one watch, resumed once");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn a_watch_that_fell_behind_410_ends_with_exit_1_and_says_to_run_again() {
    let t = TestSim::start().await;
    t.sim.faults().expire_watch_rv();
    let out = t
        .cmd()
        .args(&["list", "-w", "--request-timeout=20s"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stdout_contains("pre-upgrade-snapshot")
        .assert_stderr_contains("error: the watch of VirtualMachineSnapshots fell behind the server's history (410 Gone)")
        .assert_stderr_contains("hint: run the command again");
    assert!(t.writes().is_empty());
}

/// `kubectl get … --sort-by PATH -o name` on the same objects: the order kubectl prints.
async fn kubectl_order(t: &TestSim, kubectl: &std::path::Path, path: &str) -> String {
    let resource = "virtualmachinesnapshots.snapshot.kubevirt.io";
    crate::list_parity::kubectl_order(t, kubectl, resource, path).await
}

/// The same --sort-by paths through the real kubectl and the plugin give the same order:
/// names, numeric label values (quantities), UIDs (bytewise: kubectl does not sort digit runs
/// by value), resourceVersions (digit strings, so quantities).
#[tokio::test]
async fn sort_by_orders_as_the_real_kubectl() {
    let Some(kubectl) = vmsnap_sim::testing::kubectl() else {
        return;
    };
    let t = TestSim::start().await;
    seed_staging(&t);
    for path in [
        ".metadata.name",
        r"{.metadata.labels.example\.com/rank}",
        "{.metadata['name']}",
        ".metadata.uid",
        "{.metadata.resourceVersion}",
    ] {
        let ours = t
            .cmd()
            .args(&["list", "-n", "staging", "-o", "name", "--sort-by", path])
            .run()
            .await;
        ours.assert_code(0);
        assert_eq!(
            ours.stdout,
            kubectl_order(&t, &kubectl, path).await,
            "--sort-by {path}"
        );
    }
}
