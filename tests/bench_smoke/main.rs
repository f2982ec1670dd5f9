//! CI-sized companion of `benches/cluster.rs`: the request patterns the benchmark measures,
//! asserted as counts from the simulator's request log (never times).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use vmsnap_sim::generate::{self, Spec};
use vmsnap_sim::{Platform, RequestRecord, Sim, SimConfig};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-vmsnap");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn plugin(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env_remove("KUBERNETES_SERVICE_HOST")
        .stdin(Stdio::null())
        .output()
        .expect("plugin runs")
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The resource plural of a request path (`/apis/g/v/namespaces/ns/PLURAL[/name]`), or None
/// for discovery.
fn plural(r: &RequestRecord) -> Option<&str> {
    let segs: Vec<&str> = r.path.split('/').filter(|s| !s.is_empty()).collect();
    let rest = match segs.as_slice() {
        ["api", _, rest @ ..] if !rest.is_empty() => rest,
        ["apis", _, _, rest @ ..] if !rest.is_empty() => rest,
        _ => return None,
    };
    match rest {
        ["namespaces", _, p, ..] => Some(p),
        [p, ..] => Some(p),
        [] => None,
    }
}

fn named(r: &RequestRecord) -> bool {
    let segs: Vec<&str> = r.path.split('/').filter(|s| !s.is_empty()).collect();
    let rest = match segs.as_slice() {
        ["api", _, rest @ ..] => rest,
        ["apis", _, _, rest @ ..] => rest,
        _ => return false,
    };
    match rest {
        ["namespaces", _, _, name, ..] => !name.is_empty(),
        ["namespaces", ..] => false,
        [_, name, ..] => !name.is_empty(),
        _ => false,
    }
}

fn is_watch(r: &RequestRecord) -> bool {
    r.query
        .split('&')
        .any(|kv| kv == "watch=true" || kv == "watch=1")
}

fn lists_of<'a>(reqs: &'a [RequestRecord], kind: &str) -> Vec<&'a RequestRecord> {
    reqs.iter()
        .filter(|r| r.method == "GET" && plural(r) == Some(kind) && !named(r) && !is_watch(r))
        .collect()
}

/// The `limit` query parameter.
fn limit(r: &RequestRecord) -> Option<u64> {
    r.query
        .split('&')
        .find_map(|kv| kv.strip_prefix("limit="))
        .and_then(|v| v.parse().ok())
}

fn discovery(reqs: &[RequestRecord]) -> usize {
    reqs.iter().filter(|r| plural(r).is_none()).count()
}

const SNAPSHOTS: &str = "virtualmachinesnapshots";

/// N VMs and M snapshots, a kubeconfig, and the simulator without controllers.
fn populated(
    rt: &tokio::runtime::Runtime,
    vms: usize,
    snapshots: usize,
) -> (Sim, tempfile::TempDir) {
    let sim = rt
        .block_on(Sim::start(SimConfig {
            controllers: false,
            platforms: vec![Platform::Kubevirt],
            ..SimConfig::empty()
        }))
        .expect("simulator starts");
    generate::generate(sim.store(), &Spec::new(vms, snapshots)).expect("generated");
    let dir = tempfile::tempdir().expect("tempdir");
    sim.write_kubeconfig(&dir.path().join("kubeconfig"), "admin", "default")
        .expect("kubeconfig");
    (sim, dir)
}

#[test]
fn list_all_namespaces_reads_every_snapshot_in_pages_of_500_and_writes_nothing() {
    let rt = runtime();
    let (sim, dir) = populated(&rt, 20, 1_200);
    sim.clear_requests();
    let out = plugin(
        &dir.path().join("kubeconfig"),
        &["list", "-A", "--no-headers"],
    );
    assert_ok(&out);
    let rows = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(rows, 1_200, "one row per snapshot");
    let reqs = sim.requests();
    assert!(sim.writes().is_empty(), "list writes nothing");
    assert!(discovery(&reqs) <= 1, "one discovery request at most");
    let pages = lists_of(&reqs, SNAPSHOTS);
    assert_eq!(pages.len(), 1_200usize.div_ceil(500), "ceil(M/500) pages");
    // Every list the plugin makes is paginated, and no kind is read twice.
    for r in reqs.iter().filter(|r| plural(r).is_some()) {
        assert!(
            limit(r).is_some_and(|l| l > 0),
            "unpaginated request: {} {}?{}",
            r.method,
            r.path,
            r.query
        );
    }
    assert!(pages.iter().all(|r| limit(r) == Some(500)), "{pages:#?}");
    for kind in ["virtualmachinesnapshotcontents", "volumesnapshots"] {
        let n = sim.store().count(&generate_gvr(kind));
        assert!(
            lists_of(&reqs, kind).len() <= n.div_ceil(500).max(1),
            "{kind} read more than once"
        );
    }
}

fn generate_gvr(kind: &str) -> vmsnap_sim::Gvr {
    vmsnap_sim::controllers::gvr_of(kind).expect("known kind")
}

/// Issue 8's strict target, met where no size is shown: `list -A -o name` costs discovery plus
/// the snapshot pages only. The table's SIZE column also reads the VolumeSnapshots (in pages
/// of their own, alongside), which the test above bounds.
#[test]
fn list_names_costs_discovery_plus_the_snapshot_pages_only() {
    let rt = runtime();
    let (sim, dir) = populated(&rt, 20, 1_200);
    sim.clear_requests();
    let out = plugin(
        &dir.path().join("kubeconfig"),
        &["list", "-A", "-o", "name"],
    );
    assert_ok(&out);
    let names = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(names, 1_200, "one name per snapshot");
    let reqs = sim.requests();
    assert_eq!(reqs.len(), 1 + 1_200usize.div_ceil(500), "{reqs:#?}");
}

#[test]
fn create_preflight_makes_one_more_read_per_volume_and_no_writes() {
    let rt = runtime();
    let sim = rt
        .block_on(Sim::start(SimConfig {
            controllers: false,
            platforms: vec![Platform::Kubevirt],
            ..SimConfig::empty()
        }))
        .expect("simulator starts");
    generate::vm_with_volumes(sim.store(), "bench", "one", 1, false).expect("vm");
    generate::vm_with_volumes(sim.store(), "bench", "eight", 8, false).expect("vm");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "admin", "bench")
        .expect("kubeconfig");
    let mut counts = Vec::new();
    for vm in ["one", "eight"] {
        sim.clear_requests();
        let out = plugin(&kc, &["create", vm, "--dry-run=client", "--yes"]);
        assert_ok(&out);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("Snapshot plan for VM bench/"),
            "the plan is shown"
        );
        let reqs = sim.requests();
        assert!(sim.writes().is_empty(), "--dry-run=client writes nothing");
        assert!(discovery(&reqs) <= 1, "one discovery request at most");
        let pvc_gets = reqs
            .iter()
            .filter(|r| plural(r) == Some("persistentvolumeclaims") && named(r))
            .count();
        assert_eq!(
            pvc_gets,
            if vm == "one" { 1 } else { 8 },
            "one GET per claim"
        );
        counts.push(reqs.len());
    }
    assert_eq!(
        counts[1],
        counts[0] + 7,
        "only the claim reads grow with the volumes"
    );
}

#[test]
fn waiting_for_ready_watches_the_snapshot_instead_of_polling_it() {
    let rt = runtime();
    let sim = rt
        .block_on(Sim::start(SimConfig {
            time_scale: 0.01,
            platforms: vec![Platform::Kubevirt],
            ..SimConfig::empty()
        }))
        .expect("simulator starts");
    generate::vm_with_volumes(sim.store(), "bench", "one", 1, false).expect("vm");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "admin", "bench")
        .expect("kubeconfig");
    sim.clear_requests();
    let out = plugin(
        &kc,
        &[
            "create",
            "one",
            "--name",
            "smoke",
            "--yes",
            "--timeout",
            "60s",
        ],
    );
    assert_ok(&out);
    let reqs = sim.requests();
    let snapshot_reqs: Vec<&RequestRecord> = reqs
        .iter()
        .filter(|r| plural(r) == Some(SNAPSHOTS))
        .collect();
    assert!(
        snapshot_reqs.iter().any(|r| is_watch(r)),
        "a watch follows the snapshot: {snapshot_reqs:#?}"
    );
    // Reads before the POST (a name check) are preflight; after it, only list + watch.
    let posted = snapshot_reqs
        .iter()
        .position(|r| r.method == "POST")
        .expect("the snapshot was created");
    let polls = snapshot_reqs[posted..]
        .iter()
        .filter(|r| r.method == "GET" && named(r) && !is_watch(r))
        .count();
    assert_eq!(
        polls, 0,
        "no polling GETs of the snapshot: {snapshot_reqs:#?}"
    );
    assert_eq!(
        sim.writes().len(),
        1,
        "the snapshot's POST is the only write"
    );
}
