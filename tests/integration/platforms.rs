//! Which platform a command runs on: detection, `--provider`, the choice on a cluster serving
//! several platforms, and flags of another platform refused before anything is written.

use std::path::Path;

use vmsnap_sim::Platform;

use crate::support::{TestSim, config};

/// The tests' KubeVirt scenario with the simulator's VM Operator and Deckhouse scenarios
/// beside it: one cluster serving all three platforms (namespaces production, dev-team,
/// my-project).
pub(crate) async fn mixed() -> TestSim {
    let mut cfg = config();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sim/scenarios");
    cfg.scenarios.push(scenarios.join("vmoperator"));
    cfg.scenarios.push(scenarios.join("deckhouse"));
    TestSim::with(cfg).await
}

#[tokio::test]
async fn a_kubevirt_cluster_refuses_another_platforms_provider_and_says_how_to_check() {
    let t = TestSim::with(config()).await;
    let out = t
        .cmd()
        .args(&["list", "--provider", "deckhouse"])
        .run()
        .await;
    out.assert_code(5)
        .assert_stderr_contains(
            "error: the Deckhouse Virtualization API is not served by this cluster (looked for \
             virtualization.deckhouse.io/v1alpha2)",
        )
        .assert_stderr_contains(
            "hint: check what the cluster serves with: kubectl api-resources \
             --api-group=virtualization.deckhouse.io",
        );
}

#[tokio::test]
async fn another_platforms_flag_is_a_usage_error_before_any_write() {
    let t = TestSim::with(config()).await;
    let out = t
        .cmd()
        .args(&["create", "database-01", "--memory", "--yes"])
        .run()
        .await;
    out.assert_code(2).assert_stderr_contains(
        "error: --memory is a VMware VM Operator option, but this command runs on KubeVirt",
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_command_another_platform_has_is_refused_by_name() {
    let t = TestSim::with(config()).await;
    let out = t.cmd().args(&["tree", "database-01"]).run().await;
    out.assert_code(2)
        .assert_stderr_contains("error: `kubectl vmsnap tree` is not available on KubeVirt");
}

/// Issue #17 item 14: `tree` of a Deckhouse VM on a cluster serving VM Operator too said the
/// VM was not found.
#[tokio::test]
async fn on_a_mixed_cluster_tree_of_another_platforms_vm_says_tree_is_vm_operators() {
    let t = mixed().await;
    let out = t
        .cmd()
        .args(&["tree", "linux-vm", "-n", "my-project"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains(
            "error: `kubectl vmsnap tree` is not available on Deckhouse Virtualization",
        )
        .assert_stderr_contains(
            "hint: VM linux-vm in namespace my-project is a Deckhouse Virtualization VM; `kubectl vmsnap tree` is VMware VM Operator's",
        );
    assert!(!out.stderr.contains("not found"), "{}", out.transcript());
    // A VM no platform has is still not found (exit 5).
    let out = t
        .cmd()
        .args(&["tree", "nosuchvm", "-n", "my-project"])
        .run()
        .await;
    out.assert_code(5);
}

#[tokio::test]
async fn on_a_mixed_cluster_the_named_vm_decides_the_platform() {
    let t = mixed().await;
    // database-01 is a KubeVirt VM in production: KubeVirt's list answers.
    let out = t
        .cmd()
        .args(&["list", "database-01", "-o", "name"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("virtualmachinesnapshot.snapshot.kubevirt.io/pre-upgrade-snapshot");
    // --provider overrides the choice: VM Operator has no database-01 snapshots here.
    let out = t
        .cmd()
        .args(&[
            "list",
            "--provider",
            "kubevirt",
            "-n",
            "dev-team",
            "-o",
            "name",
        ])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(out.stdout, "", "{}", out.transcript());
}

#[tokio::test]
async fn on_a_mixed_cluster_a_platform_only_command_or_flag_decides() {
    let t = mixed().await;
    // `tree` exists on VM Operator only, whatever the namespace.
    let tree = t
        .cmd()
        .args(&["tree", "web-01", "-n", "dev-team"])
        .run()
        .await;
    assert!(
        !tree.stderr.contains("several VM platforms"),
        "{}",
        tree.transcript()
    );
    // A flag only KubeVirt knows, in a namespace without VMs, picks KubeVirt.
    let out = t
        .cmd()
        .args(&[
            "create",
            "nothing-here",
            "-n",
            "default",
            "--online",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(5).assert_stderr_contains(
        "error: VirtualMachine \"nothing-here\" not found in namespace \"default\"",
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn on_a_mixed_cluster_nothing_to_tell_platforms_apart_asks_for_provider() {
    let t = mixed().await;
    let out = t
        .cmd()
        .args(&["create", "ghost", "-n", "default", "--yes"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains(
            "error: this cluster serves several VM platforms (kubevirt, vmoperator, deckhouse) \
             and VM ghost is found on none of them; namespace default holds VMs of none of them",
        )
        .assert_stderr_contains(
            "hint: name the platform with --provider kubevirt|vmoperator|deckhouse",
        );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// Issue #15 (day-one test): a user who may read only KubeVirt's kinds was told namespace
/// my-project "holds VMs of none of them", though it holds Deckhouse VMs the user cannot read;
/// the refusal now names the platforms it could not read.
#[tokio::test]
async fn on_a_mixed_cluster_platforms_that_could_not_be_read_are_not_said_to_hold_nothing() {
    let t = mixed().await;
    // alice (built-in) reads KubeVirt's, CDI's and the core kinds, nothing of the others.
    let alice = t.kubeconfig_for("alice", "my-project");
    let unread = "none of them that could be read (vmoperator, deckhouse could not be)";
    let cases: [(&[&str], String); 2] = [
        (
            &["list"],
            format!("namespace my-project holds VMs of {unread}"),
        ),
        (
            &["create", "linux-vm", "--yes"],
            format!("VM linux-vm is found on {unread}; namespace my-project holds VMs of {unread}"),
        ),
    ];
    for (args, reason) in cases {
        let out = t.cmd().kubeconfig(&alice).args(args).run().await;
        out.assert_code(2)
            .assert_stderr_contains(&format!(
                "error: this cluster serves several VM platforms (kubevirt, vmoperator, \
                 deckhouse) and {reason}\n"
            ))
            .assert_stderr_contains(
                "hint: name the platform with --provider kubevirt|vmoperator|deckhouse",
            );
    }
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn the_simulators_platform_list_limits_what_discovery_shows() {
    // A scenario that declares no platform serves all three; `platforms` narrows it.
    let mut cfg = vmsnap_sim::SimConfig::empty();
    cfg.platforms = vec![Platform::Vmoperator];
    let t = TestSim::with(cfg).await;
    let out = t.cmd().args(&["version"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("Provider:             vmoperator\n");
}

/// A platform scenario with a read-only user `viewer` beside `admin`.
async fn with_viewer(scenario: &str, ns: &str) -> (TestSim, tempfile::TempDir) {
    let overlay = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        overlay.path().join("sim.yaml"),
        "users:\n\
         - { name: admin, token: admin-token, rules: [{ verbs: [\"*\"] }] }\n\
         - { name: viewer, token: viewer-token, rules: [{ verbs: [get, list, watch] }] }\n",
    )
    .expect("overlay");
    let mut cfg = vmsnap_sim::SimConfig::empty();
    cfg.time_scale = 0.01;
    cfg.scenarios = vec![
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/sim/scenarios")
            .join(scenario),
        overlay.path().to_path_buf(),
    ];
    let t = TestSim::with(cfg).await;
    t.sim
        .write_kubeconfig(&t.kubeconfig, "viewer", ns)
        .expect("kubeconfig");
    (t, overlay)
}

#[tokio::test]
async fn a_read_only_user_is_refused_before_any_question_on_vm_operator() {
    let (t, _overlay) = with_viewer("vmoperator", "dev-team").await;
    let out = t.cmd().args(&["create", "web-01", "--yes"]).run().await;
    out.assert_code(6)
        .assert_stderr_contains(
            "error: you are not allowed to create virtualmachinesnapshots.vmoperator.vmware.com \
             in namespace dev-team",
        )
        .assert_stderr_contains(
            "hint: ask your cluster administrator for access; check with: kubectl auth can-i \
             create virtualmachinesnapshots.vmoperator.vmware.com -n dev-team",
        );
    // KubeVirt's role means nothing on a Supervisor.
    assert!(!out.stderr.contains("kubevirt"), "{}", out.stderr);
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-base",
            "--yes",
            "--confirm-name",
            "web-01-base",
        ])
        .run()
        .await;
    out.assert_code(6);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_read_only_user_is_refused_before_any_question_on_deckhouse() {
    let (t, _overlay) = with_viewer("deckhouse", "my-project").await;
    let out = t.cmd().args(&["create", "linux-vm", "--yes"]).run().await;
    out.assert_code(6).assert_stderr_contains(
        "error: you are not allowed to create virtualmachinesnapshots.virtualization.deckhouse.io \
         in namespace my-project",
    );
    let out = t
        .cmd()
        .args(&[
            "restore",
            "linux-vm",
            "--snapshot",
            "linux-vm-snapshot",
            "--yes",
            "--confirm-name",
            "linux-vm-snapshot",
        ])
        .run()
        .await;
    out.assert_code(6);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// `list -A` on a cluster serving several platforms lists every platform's snapshots with a
/// PLATFORM column, oldest first, instead of asking for `--provider`; `-o name` and `-o json`
/// name each object by its own platform's resource. Reads only.
#[tokio::test]
async fn list_all_namespaces_on_a_mixed_cluster_lists_every_platform_with_a_platform_column() {
    let t = mixed().await;
    let out = t.cmd().args(&["list", "-A"]).run().await;
    out.assert_code(0);
    let header = out.stdout.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("PLATFORM") && header.contains("NAMESPACE") && header.contains("AGE"),
        "{}",
        out.stdout
    );
    for (platform, ns, name) in [
        ("KubeVirt", "production", "pre-upgrade-snapshot"),
        ("VM Operator", "dev-team", "web-01-base"),
        ("Deckhouse", "my-project", "linux-vm-snapshot"),
    ] {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(platform)
                && l.contains(ns)
                && l.split_whitespace().any(|w| w == name)),
            "no {platform} row for {ns}/{name}:\n{}",
            out.stdout
        );
    }
    let names = t.cmd().args(&["list", "-A", "-o", "name"]).run().await;
    names.assert_code(0);
    for line in [
        "virtualmachinesnapshot.snapshot.kubevirt.io/pre-upgrade-snapshot",
        "virtualmachinesnapshot.vmoperator.vmware.com/web-01-base",
        "virtualmachinesnapshot.virtualization.deckhouse.io/linux-vm-snapshot",
    ] {
        assert!(
            names.stdout.lines().any(|l| l == line),
            "{line}:\n{}",
            names.stdout
        );
    }
    let json = t.cmd().args(&["list", "-A", "-o", "json"]).run().await;
    json.assert_code(0);
    let list: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(list["kind"], "List");
    let groups: std::collections::BTreeSet<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["apiVersion"].as_str())
        .map(|v| v.split('/').next().unwrap_or_default().to_owned())
        .collect();
    for g in [
        "snapshot.kubevirt.io",
        "vmoperator.vmware.com",
        "virtualization.deckhouse.io",
    ] {
        assert!(groups.contains(g), "{g} missing from {groups:?}");
    }
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}
