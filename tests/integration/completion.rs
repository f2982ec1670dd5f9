//! Live completion against the simulator: `__complete` (the protocol kubectl ≥ 1.26 speaks
//! with `kubectl_complete-vmsnap`) offers the cluster's VMs and snapshots for a partial word.

use std::path::Path;

use crate::support::TestSim;

#[tokio::test]
async fn a_partial_vm_name_completes_to_the_matching_vms_with_no_file_completion() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["__complete", "create", "-n", "production", "data"])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(out.stdout, "database-01\n:4\n", "{}", out.transcript());
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn a_restore_snapshot_completes_to_that_vms_snapshots_only() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["__complete", "restore", "web-02", "--snapshot", ""])
        .run()
        .await;
    out.assert_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.last(), Some(&":4"), "{}", out.transcript());
    assert!(lines.contains(&"web-02-nightly"), "{}", out.transcript());
    assert!(
        !lines.contains(&"pre-upgrade-snapshot"),
        "a snapshot of database-01 offered for web-02\n{}",
        out.transcript()
    );
}

#[tokio::test]
async fn vm_and_snapshot_names_complete_on_a_vm_operator_cluster_too() {
    let t = TestSim::vmoperator().await;
    let out = t.cmd().args(&["__complete", "create", "we"]).run().await;
    out.assert_code(0);
    assert_eq!(out.stdout, "web-01\n:4\n", "{}", out.transcript());
    let out = t
        .cmd()
        .args(&["__complete", "restore", "web-01", "--snapshot", "web-01-p"])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "web-01-post-upgrade\nweb-01-pre-upgrade\n:4\n",
        "{}",
        out.transcript()
    );
}

#[tokio::test]
async fn vm_names_complete_on_a_deckhouse_cluster_too() {
    let t = TestSim::deckhouse().await;
    let out = t.cmd().args(&["__complete", "create", "lin"]).run().await;
    out.assert_code(0);
    assert_eq!(out.stdout, "linux-vm\n:4\n", "{}", out.transcript());
}

/// `/usr/bin/kubectl`, or None (with a note) where it is not installed; CI must have it.
fn real_kubectl() -> Option<&'static Path> {
    let kubectl = Path::new("/usr/bin/kubectl");
    if kubectl.is_file() {
        return Some(kubectl);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but /usr/bin/kubectl is missing"
    );
    eprintln!("skipping: /usr/bin/kubectl is not installed");
    None
}

/// A PATH holding the plugin and `helper` saved as an executable `kubectl_complete-vmsnap`.
fn path_with_helper(t: &TestSim, helper: &[u8]) -> String {
    let bin = t.dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-vmsnap"),
        bin.join("kubectl-vmsnap"),
    )
    .expect("symlink the plugin");
    let saved = bin.join("kubectl_complete-vmsnap");
    std::fs::write(&saved, helper).expect("save the helper");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&saved, std::fs::Permissions::from_mode(0o755))
            .expect("make the helper executable");
    }
    format!("{}:/usr/bin:/bin", bin.display())
}

/// What the real kubectl prints for `kubectl __complete WORDS…` with `path` as PATH.
async fn kubectl_complete(
    kubectl: &'static Path,
    t: &TestSim,
    path: &str,
    words: &[&str],
) -> String {
    let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let (path, kubeconfig) = (path.to_owned(), t.kubeconfig.clone());
    let cache = t.dir.path().join("kube-cache");
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(kubectl)
            .arg("__complete")
            .args(words)
            .env_clear()
            .env("PATH", path)
            .env("KUBECONFIG", kubeconfig)
            .env("KUBECACHEDIR", cache)
            .env("HOME", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run kubectl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .expect("kubectl runner")
}

/// The real kubectl finds `kubectl_complete-vmsnap` on PATH and relays its answer.
#[tokio::test]
async fn kubectl_completes_a_partial_vm_name_through_the_plugin_shim() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let t = TestSim::start().await;
    let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl_complete-vmsnap");
    let path = path_with_helper(&t, &std::fs::read(shim).unwrap());
    let stdout = kubectl_complete(
        kubectl,
        &t,
        &path,
        &["vmsnap", "create", "-n", "production", "data"],
    )
    .await;
    assert!(stdout.lines().any(|l| l == "database-01"), "{stdout}");
    assert!(stdout.lines().any(|l| l == ":4"), "{stdout}");
}

/// More VMs than one page holds: names on the later pages complete too (every page is read
/// within the lookup's time limit).
#[tokio::test]
async fn vm_names_past_the_first_page_complete() {
    let t = TestSim::start().await;
    let vms = vmsnap_sim::Gvr::new("kubevirt.io", "v1", "virtualmachines");
    for i in 0..1_100 {
        let vm = serde_json::json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": {"name": format!("vm-{i:04}"), "namespace": "production"},
            "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}}}}}});
        t.sim.store().create(&vms, vm).expect("vm");
    }
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&["__complete", "create", "-n", "production", "vm-109"])
        .run()
        .await;
    out.assert_code(0);
    let expected: String = (1_090..=1_099).map(|i| format!("vm-{i}\n")).collect();
    assert_eq!(
        out.stdout,
        format!("{expected}:4\n"),
        "{}",
        out.transcript()
    );
    let vm_lists = t
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == "/apis/kubevirt.io/v1/namespaces/production/virtualmachines")
        .count();
    assert_eq!(vm_lists, 3, "three pages of 500");
}

/// `restore --snapshot` offers only snapshots a restore can start from: KubeVirt's
/// failed-snapshot (of database-01) is left out, its ready one is offered; `describe`
/// still offers both.
#[tokio::test]
async fn restore_snapshot_offers_only_restorable_snapshots() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["__complete", "restore", "database-01", "--snapshot", ""])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "pre-upgrade-snapshot\n:4\n",
        "{}",
        out.transcript()
    );
    let out = t.cmd().args(&["__complete", "describe", ""]).run().await;
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines.contains(&"failed-snapshot"), "{}", out.transcript());
    assert!(t.writes().is_empty());
}

/// `--context`, `--cluster` and `--user` complete from the kubeconfig, as kubectl's do.
#[tokio::test]
async fn context_cluster_and_user_complete_from_the_kubeconfig() {
    let t = TestSim::start().await;
    let kc = t.kubeconfig.display().to_string();
    let text = std::fs::read_to_string(&t.kubeconfig).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let names = |key: &str| -> String {
        let mut n: Vec<&str> = doc[key]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["name"].as_str())
            .collect();
        n.sort();
        n.iter().map(|n| format!("{n}\n")).collect()
    };
    t.sim.clear_requests();
    for (flag, key) in [
        ("--context", "contexts"),
        ("--cluster", "clusters"),
        ("--user", "users"),
    ] {
        let out = t
            .cmd()
            .args(&["__complete", "--kubeconfig", &kc, "list", flag, ""])
            .run()
            .await;
        out.assert_code(0);
        assert!(!names(key).is_empty(), "{key} in\n{text}");
        assert_eq!(out.stdout, format!("{}:4\n", names(key)), "{flag}");
    }
    assert!(
        t.sim.requests().is_empty(),
        "completion of kubeconfig names connected"
    );
}

/// The helper `completion kubectl-plugin` prints, saved as `kubectl_complete-vmsnap` on PATH,
/// is what the real kubectl runs for `kubectl vmsnap cr<TAB>` and `… data<TAB>`.
#[tokio::test]
async fn the_printed_kubectl_plugin_helper_completes_through_the_real_kubectl() {
    let Some(kubectl) = real_kubectl() else {
        return;
    };
    let t = TestSim::start().await;
    let helper = t.cmd().args(&["completion", "kubectl-plugin"]).run().await;
    helper.assert_code(0);
    let path = path_with_helper(&t, helper.stdout.as_bytes());
    let subcommands = kubectl_complete(kubectl, &t, &path, &["vmsnap", "cr"]).await;
    assert!(
        subcommands.lines().any(|l| l.starts_with("create")),
        "{subcommands}"
    );
    assert!(subcommands.lines().any(|l| l == ":4"), "{subcommands}");
    let vms = kubectl_complete(
        kubectl,
        &t,
        &path,
        &["vmsnap", "create", "-n", "production", "data"],
    )
    .await;
    assert!(vms.lines().any(|l| l == "database-01"), "{vms}");
}

/// Deckhouse's rule: a snapshot that failed (db-vm has no guest agent, so a consistent one
/// fails) is not offered after `restore --snapshot`; a Ready one is.
#[tokio::test]
async fn restore_snapshot_on_deckhouse_leaves_out_a_failed_snapshot() {
    let t = TestSim::deckhouse().await;
    let snaps = (
        "virtualization.deckhouse.io",
        "v1alpha2",
        "virtualmachinesnapshots",
    );
    let failing = serde_json::json!({
        "apiVersion": "virtualization.deckhouse.io/v1alpha2",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": "db-vm-consistent", "namespace": "my-project"},
        "spec": {"virtualMachineName": "db-vm", "requiredConsistency": true,
                 "keepIPAddress": "Always"}});
    t.sim
        .store()
        .create(&vmsnap_sim::Gvr::new(snaps.0, snaps.1, snaps.2), failing)
        .expect("snapshot");
    t.wait_until(snaps, "my-project", "db-vm-consistent", |v| {
        v["status"]["phase"] == "Failed"
    })
    .await;
    t.wait_until(snaps, "my-project", "linux-vm-snapshot", |v| {
        v["status"]["phase"] == "Ready"
    })
    .await;
    t.sim.clear_requests();
    let ask = |vm: &'static str| {
        t.cmd()
            .args(&["__complete", "restore", vm, "--snapshot", ""])
            .run()
    };
    let out = ask("db-vm").await;
    assert_eq!(out.stdout, ":4\n", "{}", out.transcript());
    let out = ask("linux-vm").await;
    assert_eq!(
        out.stdout,
        "linux-vm-snapshot\n:4\n",
        "{}",
        out.transcript()
    );
    let out = t.cmd().args(&["__complete", "describe", "db-"]).run().await;
    assert_eq!(out.stdout, "db-vm-consistent\n:4\n", "{}", out.transcript());
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}
