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

/// The simulator of `platform` without controllers.
fn quiet_sim(rt: &tokio::runtime::Runtime, platform: Platform) -> Sim {
    rt.block_on(Sim::start(SimConfig {
        controllers: false,
        platforms: vec![platform],
        ..SimConfig::empty()
    }))
    .expect("simulator starts")
}

/// A directory holding `kubeconfig`: the admin user with `ns` as its namespace.
fn kubeconfig_in(sim: &Sim, ns: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    sim.write_kubeconfig(&dir.path().join("kubeconfig"), "admin", ns)
        .expect("kubeconfig");
    dir
}

/// N VMs and M snapshots, a kubeconfig, and the simulator without controllers.
fn populated(
    rt: &tokio::runtime::Runtime,
    vms: usize,
    snapshots: usize,
) -> (Sim, tempfile::TempDir) {
    let sim = quiet_sim(rt, Platform::Kubevirt);
    generate::generate(sim.store(), &Spec::new(vms, snapshots)).expect("generated");
    let dir = kubeconfig_in(&sim, "default");
    (sim, dir)
}

/// `list`'s page size without `--chunk-size` (src/cluster/objects.rs SNAPSHOT_LIST_PAGE_SIZE).
const LIST_PAGE: usize = 5000;

#[test]
fn list_all_namespaces_reads_every_snapshot_in_pages_of_5000_and_writes_nothing() {
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
    assert_eq!(
        pages.len(),
        1_200usize.div_ceil(LIST_PAGE),
        "ceil(M/5000) pages"
    );
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
    assert!(
        pages.iter().all(|r| limit(r) == Some(LIST_PAGE as u64)),
        "{pages:#?}"
    );
    for kind in ["virtualmachinesnapshotcontents", "volumesnapshots"] {
        let n = sim.store().count(&generate_gvr(kind));
        assert!(
            lists_of(&reqs, kind).len() <= n.div_ceil(LIST_PAGE).max(1),
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
    assert_eq!(reqs.len(), 1 + 1_200usize.div_ceil(LIST_PAGE), "{reqs:#?}");
}

/// A `--chunk-size` the user gives is always obeyed: ceil(M/N) pages of `limit=N`, every
/// snapshot listed once, in any output.
#[test]
fn list_obeys_the_users_chunk_size_in_every_output() {
    let rt = runtime();
    let (sim, dir) = populated(&rt, 20, 1_200);
    for output in ["name", "json", "wide"] {
        sim.clear_requests();
        let out = plugin(
            &dir.path().join("kubeconfig"),
            &["list", "-A", "--chunk-size", "500", "-o", output],
        );
        assert_ok(&out);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let listed = match output {
            "json" => serde_json::from_str::<serde_json::Value>(&stdout).expect("JSON")["items"]
                .as_array()
                .map_or(0, Vec::len),
            "wide" => stdout.lines().count() - 1,
            _ => stdout.lines().count(),
        };
        assert_eq!(listed, 1_200, "-o {output}: every snapshot once");
        let reqs = sim.requests();
        let pages = lists_of(&reqs, SNAPSHOTS);
        assert_eq!(
            pages.len(),
            1_200usize.div_ceil(500),
            "-o {output}: {pages:#?}"
        );
        assert!(pages.iter().all(|r| limit(r) == Some(500)), "{pages:#?}");
        assert!(sim.writes().is_empty(), "list writes nothing");
    }
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
        // The generated name is decided once: a second ticking between the early read and
        // the plan used to read a second name.
        let name_gets = reqs
            .iter()
            .filter(|r| plural(r) == Some(SNAPSHOTS) && named(r))
            .count();
        assert_eq!(name_gets, 1, "the snapshot name is read once");
        counts.push(pattern(&reqs));
    }
    assert_eq!(
        counts[1].len(),
        counts[0].len() + 7,
        "only the claim reads grow with the volumes: {counts:#?}"
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

/// `n` VMs (all stopped, so each is snapshotted offline) in the one namespace `fleet`, with
/// `snapshots_per_vm` snapshots each; the simulator without controllers unless `controllers`.
fn fleet(
    rt: &tokio::runtime::Runtime,
    n: usize,
    snapshots_per_vm: usize,
    controllers: bool,
) -> (Sim, tempfile::TempDir) {
    let sim = rt
        .block_on(Sim::start(SimConfig {
            controllers,
            time_scale: 0.01,
            platforms: vec![Platform::Kubevirt],
            ..SimConfig::empty()
        }))
        .expect("simulator starts");
    let spec = Spec {
        namespaces: vec!["fleet".to_string()],
        stopped_every: 1,
        ..Spec::new(n, n * snapshots_per_vm)
    };
    generate::generate(sim.store(), &spec).expect("generated");
    let dir = kubeconfig_in(&sim, "fleet");
    (sim, dir)
}

/// Every request as `METHOD plural [named] [watch]`, sorted: the request pattern.
fn pattern(reqs: &[RequestRecord]) -> Vec<String> {
    let mut p: Vec<String> = reqs
        .iter()
        .map(|r| {
            format!(
                "{} {}{}{}",
                r.method,
                plural(r).unwrap_or("discovery"),
                if named(r) { " (named)" } else { "" },
                if is_watch(r) { " (watch)" } else { "" }
            )
        })
        .collect();
    p.sort();
    p
}

/// Runs `args` over 5 and over 50 VMs and returns the two request patterns.
fn patterns_over_5_and_50(args: &[&str], snapshots_per_vm: usize) -> [Vec<String>; 2] {
    let rt = runtime();
    [5, 50].map(|n| {
        let (sim, dir) = fleet(&rt, n, snapshots_per_vm, false);
        sim.clear_requests();
        let out = plugin(&dir.path().join("kubeconfig"), args);
        assert_ok(&out);
        assert!(sim.writes().is_empty(), "{args:?} writes nothing");
        pattern(&sim.requests())
    })
}

const TEMPLATE_LABEL: &str = "vm.kubevirt.io/template=rhel9-server-medium";

#[test]
fn check_over_50_vms_makes_the_same_requests_as_over_5() {
    for args in [&["check"][..], &["check", "-A"][..]] {
        let [five, fifty] = patterns_over_5_and_50(args, 0);
        assert_eq!(five, fifty, "{args:?}: the requests grew with the VMs");
        assert!(
            !five.iter().any(|r| r.contains("(named)")),
            "{args:?}: no request per VM: {five:#?}"
        );
        // Discovery, then one list each of VMs, VMIs, PVCs, DataVolumes, StorageClasses,
        // VolumeSnapshotClasses, StorageProfiles, CSIDrivers.
        assert_eq!(five.len(), 9, "{args:?}: {five:#?}");
    }
}

#[test]
fn create_by_selector_plans_with_the_same_requests_over_50_vms_as_over_5() {
    let args = ["create", "-l", TEMPLATE_LABEL, "--dry-run=client", "--yes"];
    let [five, fifty] = patterns_over_5_and_50(&args, 1);
    assert_eq!(five, fifty, "the plan's requests grew with the VMs");
    assert!(!five.iter().any(|r| r.contains("(named)")), "{five:#?}");
}

#[test]
fn prune_by_selector_plans_with_the_same_requests_over_50_vms_as_over_5() {
    let args = [
        "prune",
        "-l",
        TEMPLATE_LABEL,
        "--keep",
        "1",
        "--dry-run=client",
    ];
    let [five, fifty] = patterns_over_5_and_50(&args, 2);
    assert_eq!(five, fifty, "the plan's requests grew with the VMs");
    assert!(!five.iter().any(|r| r.contains("(named)")), "{five:#?}");
}

#[test]
fn a_batch_waits_with_one_list_and_one_watch_of_its_label() {
    let rt = runtime();
    let (sim, dir) = fleet(&rt, 12, 0, true);
    sim.clear_requests();
    let out = plugin(
        &dir.path().join("kubeconfig"),
        &["create", "-l", TEMPLATE_LABEL, "--yes", "--timeout", "60s"],
    );
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.contains("Succeeded")).count(),
        12,
        "every snapshot is reported ready:\n{stdout}"
    );
    let reqs = sim.requests();
    let last_post = reqs
        .iter()
        .rposition(|r| r.method == "POST" && plural(r) == Some(SNAPSHOTS))
        .expect("snapshots were created");
    let posts = reqs
        .iter()
        .filter(|r| r.method == "POST" && plural(r) == Some(SNAPSHOTS))
        .count();
    assert_eq!(posts, 12, "one POST per VM");
    let wait: Vec<&RequestRecord> = reqs[last_post + 1..]
        .iter()
        .filter(|r| plural(r) == Some(SNAPSHOTS))
        .collect();
    assert_eq!(wait.len(), 2, "one LIST and one WATCH: {wait:#?}");
    assert!(!is_watch(wait[0]) && is_watch(wait[1]), "{wait:#?}");
    for r in &wait {
        assert!(
            r.query.contains("labelSelector=vmsnap.io%2Fbatch%3D"),
            "selected by the batch label: {r:?}"
        );
    }
}

/// `n` VMs of VM Operator or Deckhouse in the namespace `fleet`, each with what its `check`
/// reads besides the VM: VM Operator two snapshots, Deckhouse a disk and a finished operation.
fn other_fleet(
    rt: &tokio::runtime::Runtime,
    platform: Platform,
    n: usize,
) -> (Sim, tempfile::TempDir) {
    use serde_json::json;
    use vmsnap_sim::Gvr;
    let sim = quiet_sim(rt, platform);
    let store = sim.store();
    let ns = "fleet";
    generate::namespace(store, ns).expect("namespace");
    let put = |group: &str, version: &str, plural: &str, obj: serde_json::Value| {
        store
            .create(&Gvr::new(group, version, plural), obj)
            .expect("stored");
    };
    for i in 0..n {
        let vm = format!("vm-{i:03}");
        let meta = |name: &str| json!({"name": name, "namespace": ns});
        if platform == Platform::Vmoperator {
            let (g, v) = ("vmoperator.vmware.com", "v1alpha6");
            put(
                g,
                v,
                "virtualmachines",
                json!({
                "apiVersion": format!("{g}/{v}"), "kind": "VirtualMachine", "metadata": meta(&vm),
                "spec": {"className": "best-effort-small", "imageName": "ubuntu", "powerState": "PoweredOn"},
                "status": {"powerState": "PoweredOn"}}),
            );
            for k in 0..2 {
                put(
                    g,
                    v,
                    "virtualmachinesnapshots",
                    json!({
                    "apiVersion": format!("{g}/{v}"), "kind": "VirtualMachineSnapshot",
                    "metadata": meta(&format!("{vm}-s{k}")), "spec": {"vmName": vm}}),
                );
            }
        } else {
            let (g, v) = ("virtualization.deckhouse.io", "v1alpha2");
            let disk = format!("{vm}-root");
            put(
                g,
                v,
                "virtualdisks",
                json!({
                "apiVersion": format!("{g}/{v}"), "kind": "VirtualDisk", "metadata": meta(&disk),
                "spec": {}, "status": {"phase": "Ready"}}),
            );
            put(
                g,
                v,
                "virtualmachines",
                json!({
                "apiVersion": format!("{g}/{v}"), "kind": "VirtualMachine", "metadata": meta(&vm),
                "spec": {"blockDeviceRefs": [{"kind": "VirtualDisk", "name": disk}]},
                "status": {"phase": "Running"}}),
            );
            put(
                g,
                v,
                "virtualmachineoperations",
                json!({
                "apiVersion": format!("{g}/{v}"), "kind": "VirtualMachineOperation",
                "metadata": meta(&format!("{vm}-restart")),
                "spec": {"type": "Restart", "virtualMachineName": vm},
                "status": {"phase": "Completed"}}),
            );
        }
    }
    let dir = kubeconfig_in(&sim, ns);
    (sim, dir)
}

#[test]
fn check_on_vm_operator_and_deckhouse_over_50_vms_makes_the_same_requests_as_over_5() {
    let rt = runtime();
    // Discovery, then one LIST of the VMs and one of each kind the rows join: VM Operator's
    // snapshots; Deckhouse's disks and operations.
    for (platform, expected) in [(Platform::Vmoperator, 3), (Platform::Deckhouse, 4)] {
        for args in [&["check"][..], &["check", "-A"][..]] {
            let [five, fifty] = [5, 50].map(|n| {
                let (sim, dir) = other_fleet(&rt, platform, n);
                sim.clear_requests();
                let out = plugin(&dir.path().join("kubeconfig"), args);
                assert_ok(&out);
                let stdout = String::from_utf8_lossy(&out.stdout);
                let rows: Vec<&str> = stdout
                    .lines()
                    .filter(|l| l.split_whitespace().take(2).any(|w| w.starts_with("vm-")))
                    .collect();
                assert_eq!(
                    rows.len(),
                    n,
                    "{platform:?} {args:?}: a row per VM\n{stdout}"
                );
                if platform == Platform::Vmoperator {
                    // Each VM's row is joined with its own snapshots: the oldest holds its queue.
                    for (i, row) in rows.iter().enumerate() {
                        let own = format!("snapshot vm-{i:03}-s0 holds the queue");
                        assert!(row.contains(&own), "{row}");
                    }
                }
                assert!(
                    sim.writes().is_empty(),
                    "{platform:?} {args:?} writes nothing"
                );
                pattern(&sim.requests())
            });
            assert_eq!(
                five, fifty,
                "{platform:?} {args:?}: the requests grew with the VMs"
            );
            assert!(
                !five.iter().any(|r| r.contains("(named)")),
                "{platform:?} {args:?}: no request per VM: {five:#?}"
            );
            assert_eq!(five.len(), expected, "{platform:?} {args:?}: {five:#?}");
        }
    }
}
