//! VMware VM Operator through the real binary, against the simulator's VM Operator scenario
//! (namespace dev-team): create with memory/quiesce/description, the refusals of preflight,
//! list, tree, describe, delete with re-parenting, and revert with its safety checks.

use serde_json::Value;
use vmsnap_sim::Gvr;

use crate::docs_pages::Transcripts;
use crate::support::scripted_ui::text;
use crate::support::{Answer, ScriptedUi, TestSim, run_in_process};

/// (group, version, plural) of VM Operator's snapshots and VMs, as the simulator stores them.
const SNAPS: (&str, &str, &str) = (
    "vmoperator.vmware.com",
    "v1alpha6",
    "virtualmachinesnapshots",
);
const VMS: (&str, &str, &str) = ("vmoperator.vmware.com", "v1alpha6", "virtualmachines");
const NS: &str = "dev-team";

fn get(t: &TestSim, gvr: (&str, &str, &str), name: &str) -> Option<Value> {
    t.sim
        .store()
        .get(&Gvr::new(gvr.0, gvr.1, gvr.2), Some(NS), name)
}

fn tools(v: &Value, status: &str) -> bool {
    v["status"]["conditions"].as_array().is_some_and(|a| {
        a.iter()
            .any(|c| c["type"] == "VirtualMachineTools" && c["status"] == status)
    })
}

/// The scenario once VM Operator has observed web-01 (VMware Tools running).
async fn settled() -> TestSim {
    let t = TestSim::vmoperator().await;
    t.wait_until(VMS, NS, "web-01", |v| tools(v, "True")).await;
    t.wait_until(VMS, NS, "db-01", |v| tools(v, "False")).await;
    t
}

fn children(t: &TestSim, snap: &str) -> Vec<String> {
    get(t, SNAPS, snap).expect("snapshot")["status"]["children"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    c["name"]
                        .as_str()
                        .filter(|n| !n.is_empty())
                        .unwrap_or("(unmanaged)")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn create_with_memory_quiesce_and_description_sends_them_and_reports_the_snapshot() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-01",
            "--name",
            "web-01-before-kernel",
            "--memory",
            "--quiesce-timeout",
            "10m",
            "--description",
            "Before the kernel update",
            "--label",
            "team=web",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Snapshot plan for VM dev-team/web-01 (VMware VM Operator)")
        .assert_stderr_contains("PoweredOn, VMware Tools running")
        .assert_stderr_contains("reverting resumes the VM as it was running")
        .assert_stderr_contains("frozen through VMware Tools, for at most 10m")
        .assert_stderr_contains("a child of web-01-post-upgrade (the VM's current snapshot)")
        .assert_stdout_contains("Snapshot web-01-before-kernel of VM dev-team/web-01 is ready")
        .assert_stdout_contains("Power state at snapshot:  PoweredOn")
        .assert_stdout_contains("Parent:                   web-01-post-upgrade")
        .assert_stdout_contains("vSphere ID:")
        .assert_stdout_contains("Storage requested:        24Gi on wcpglobal-storage-profile")
        .assert_stdout_contains("Consistency:              application-consistent")
        .assert_stdout_contains(
            "kubectl vmsnap restore web-01 --snapshot web-01-before-kernel -n dev-team",
        );
    assert!(!out.stderr.contains("Warning"), "{}", out.transcript());
    let snap = get(&t, SNAPS, "web-01-before-kernel").expect("created");
    assert_eq!(snap["spec"]["vmName"], "web-01");
    assert_eq!(snap["spec"]["memory"], true);
    assert_eq!(snap["spec"]["quiesce"]["timeout"], "10m");
    assert_eq!(snap["spec"]["description"], "Before the kernel update");
    assert_eq!(
        snap["metadata"]["labels"]["snapshot.vmoperator.vmware.com/vm-name"],
        "web-01"
    );
    assert_eq!(snap["metadata"]["labels"]["team"], "web");
    // vSphere hangs it under the current snapshot, and the VM now runs from it.
    assert!(children(&t, "web-01-post-upgrade").contains(&"web-01-before-kernel".to_string()));
    let vm = get(&t, VMS, "web-01").expect("vm");
    assert_eq!(
        vm["status"]["currentSnapshot"]["name"],
        "web-01-before-kernel"
    );
}

#[tokio::test]
async fn create_on_a_vks_node_is_refused_with_the_reason_and_writes_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["create", "tkc-1-np-7x2kq", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: tkc-1-np-7x2kq is a VKS (Kubernetes cluster) node: VM Operator does not allow snapshots of VKS/TKG nodes",
        )
        .assert_stderr_contains("hint: nothing was created");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn create_warns_at_32_snapshots_with_the_count_and_without_a_terminal_writes_nothing() {
    let t = settled().await;
    let out = t.cmd().args(&["create", "ci-runner"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains(
            "Warning: ci-runner already has 32 snapshots; vSphere advises fewer than 32 per VM",
        )
        .assert_stderr_contains("error: confirmation required: no terminal to ask on")
        .assert_stderr_contains("hint: pass --yes to create the snapshot without asking");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// Issue #17 item 11: with 31 snapshots, the 32nd went without the advice (fewer than 32).
#[tokio::test]
async fn create_warns_when_the_new_snapshot_is_the_32nd_and_check_says_so_too() {
    let t = settled().await;
    t.cmd()
        .args(&["delete", "ci-runner-run-032", "--yes"])
        .run()
        .await
        .assert_code(0);
    let before = t.writes().len();
    let out = t.cmd().args(&["create", "ci-runner"]).run().await;
    out.assert_code(3).assert_stderr_contains(
        "Warning: ci-runner already has 31 snapshots; this one makes 32, and vSphere advises fewer than 32 per VM",
    );
    let out = t
        .cmd()
        .args(&["check", "ci-runner", "-o", "wide"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("31 snapshots: the next makes 32 (vSphere advises fewer)")
        .assert_stdout_contains("31 snapshots (ci-runner): the next snapshot makes 32");
    assert_eq!(t.writes().len(), before, "{:?}", t.writes());
}

/// Issue #17 item 11: `list` never said a VM was past vSphere's advice.
#[tokio::test]
async fn list_warns_about_a_vm_with_32_snapshots_and_not_about_the_others() {
    let t = settled().await;
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0).assert_stderr_contains(
        "Warning: VM ci-runner has 32 snapshots; vSphere advises fewer than 32 per VM",
    );
    assert_eq!(out.stderr.matches("Warning:").count(), 1, "{}", out.stderr);
    let out = t.cmd().args(&["list", "web-01"]).run().await;
    out.assert_code(0);
    assert!(!out.stderr.contains("Warning"), "{}", out.stderr);
    // A label selector that leaves out every snapshot of ci-runner leaves its advice out too.
    let web_01 = "snapshot.vmoperator.vmware.com/vm-name=web-01";
    let out = t.cmd().args(&["list", "-l", web_01]).run().await;
    out.assert_code(0).assert_stdout_contains("web-01-base");
    assert!(!out.stdout.contains("ci-runner"), "{}", out.stdout);
    assert!(!out.stderr.contains("Warning"), "{}", out.stderr);
    let out = t
        .cmd()
        .args(&[
            "list",
            "-l",
            "snapshot.vmoperator.vmware.com/vm-name=ci-runner",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Warning: VM ci-runner has 32 snapshots");
}

/// Issue #17 item 12: the plan said crash-consistent (no VMware Tools) or offline (powered
/// off); the report, `list` and `describe` said application- and crash-consistent.
#[tokio::test]
async fn the_report_list_and_describe_keep_the_consistency_the_plan_promised() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "db-01",
            "--name",
            "db-01-q2",
            "--quiesce-timeout",
            "10m",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Consistency:     crash-consistent")
        .assert_stdout_contains("Consistency:              crash-consistent");
    let out = t
        .cmd()
        .args(&["create", "build-01", "--name", "b1", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Consistency:     offline")
        .assert_stdout_contains("Consistency:              offline");
    let snap = get(&t, SNAPS, "b1").expect("b1");
    assert_eq!(
        snap["metadata"]["annotations"]["vmsnap.io/consistency"],
        "offline"
    );
    let out = t.cmd().args(&["list", "-o", "report-json"]).run().await;
    out.assert_code(0);
    let list: Value = serde_json::from_str(&out.stdout).expect("json");
    let of = |n: &str| {
        list["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["name"] == n))
            .map(|i| i["consistency"].clone())
    };
    assert_eq!(of("db-01-q2"), Some("crash".into()));
    assert_eq!(of("b1"), Some("offline".into()));
    t.cmd()
        .args(&["describe", "db-01-q2"])
        .run()
        .await
        .assert_code(0)
        .assert_stdout_contains("Consistency:              crash-consistent");
}

#[tokio::test]
async fn create_with_quiesce_warns_when_vmware_tools_is_not_running() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "db-01",
            "--quiesce-timeout",
            "10m",
            "--dry-run=client",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("PoweredOn, VMware Tools not running")
        .assert_stderr_contains(
            "Warning: quiesce (10m) needs VMware Tools, which db-01 reports as not running",
        )
        .assert_stderr_contains("Consistency:     crash-consistent")
        .assert_stdout_contains("would be created (dry run)");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn create_stop_powers_off_first_and_start_after_powers_on_again() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-01",
            "--stop",
            "--start-after",
            "--name",
            "off-1",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("--stop: powered off first, then the snapshot")
        .assert_stderr_contains("Consistency:     offline");
    let w: Vec<(String, Option<Value>)> = t
        .writes()
        .into_iter()
        .map(|w| (format!("{} {}", w.method, w.path), w.body))
        .collect();
    assert_eq!(w.len(), 3, "{w:?}");
    assert_eq!(
        w[0].1.as_ref().expect("body")["spec"]["powerState"],
        "PoweredOff"
    );
    assert!(w[1].0.starts_with("POST "), "{w:?}");
    assert_eq!(
        w[2].1.as_ref().expect("body")["spec"]["powerState"],
        "PoweredOn"
    );
    let snap = get(&t, SNAPS, "off-1").expect("snapshot");
    assert_eq!(snap["status"]["powerState"], "PoweredOff", "{snap}");
    let vm = get(&t, VMS, "web-01").expect("vm");
    assert_eq!(vm["status"]["powerState"], "PoweredOn");
}

#[tokio::test]
async fn create_stop_with_memory_is_a_usage_error_and_writes_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["create", "web-01", "--stop", "--memory", "--yes"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("with --stop the VM is powered off first");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_failed_snapshot_fails_the_create_and_blocks_the_next_one_which_names_it() {
    let t = settled().await;
    // Scripted in the scenario: quiescing db-01 fails in the guest.
    let out = t
        .cmd()
        .args(&[
            "create",
            "db-01",
            "--name",
            "db-01-quiesced",
            "--quiesce-timeout",
            "5m",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: snapshot db-01-quiesced of VM db-01 failed: failed to create snapshot for VM",
        )
        .assert_stderr_contains("Failed to quiesce the virtual machine")
        .assert_stderr_contains(
            "hint: delete it with: kubectl vmsnap delete db-01-quiesced -n dev-team",
        );
    // Same second as the failed one: VM Operator's order is then the name's, and the
    // generated name sorts after db-01-quiesced.
    let out = t
        .cmd()
        .args(&["create", "db-01", "--yes", "--timeout", "1s"])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains("timed out after 1s waiting for snapshot db-01-snapshot-20261126-100000 to become ready (phase Queued)")
        .assert_stderr_contains("VM Operator says: VirtualMachineSnapshotReady False VirtualMachineSnapshotWaitingForCreation: Snapshot is not ready because it doesn't have created condition");
    // VM Operator retries the failed snapshot (markSnapshotInProgress on every attempt), so
    // each reading finds it failed or in a new attempt; either way it is named as the one
    // the new snapshot waits behind.
    let either = |failed: &str, retrying: &str| {
        assert!(
            out.stderr.contains(failed) || out.stderr.contains(retrying),
            "stderr has neither {failed:?} nor {retrying:?}:\n{}",
            out.stderr
        );
    };
    either(
        "Warning: an older snapshot of db-01, db-01-quiesced, failed and VM Operator keeps retrying it",
        "Warning: an older snapshot of db-01, db-01-quiesced, is not taken yet",
    );
    either(
        "db-01-quiesced failed and VM Operator keeps retrying it; delete it to let this one go ahead",
        "(db-01-quiesced is being taken first)",
    );
}

#[tokio::test]
async fn list_and_describe_show_a_snapshot_whose_vm_does_not_exist_as_waiting_for_creation() {
    let t = settled().await;
    let snap = serde_json::json!({"apiVersion": "vmoperator.vmware.com/v1alpha5",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": "early", "namespace": NS},
        "spec": {"vmName": "not-created-yet"}});
    t.sim
        .store()
        .create(&Gvr::new(SNAPS.0, SNAPS.1, SNAPS.2), snap)
        .expect("snapshot");
    t.wait_until(SNAPS, NS, "early", |v| {
        v["status"]["conditions"].as_array().is_some_and(|a| {
            a.iter()
                .any(|c| c["reason"] == "VirtualMachineSnapshotWaitingForCreation")
        })
    })
    .await;
    t.sim.clear_requests();
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0);
    let line = out
        .stdout
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == "early"))
        .unwrap_or_default()
        .to_owned();
    assert!(line.contains("WaitingForCreation"), "{}", out.transcript());
    let out = t.cmd().args(&["describe", "early"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("WaitingForCreation")
        .assert_stdout_contains(
            "VM Operator has not found its VM not-created-yet: it takes the snapshot once that VM exists",
        );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn list_of_a_vm_marks_the_current_snapshot_and_shows_unmanaged_nodes() {
    let t = settled().await;
    let out = t.cmd().args(&["list", "web-01"]).run().await;
    out.assert_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "CURRENT   NAME                  VM       PHASE   READY   CONSISTENCY   SIZE     AGE"
    );
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().find(|w| *w != "*").unwrap_or(""))
        .collect();
    // Creation order, newest last (the fixture's 11-03, 11-06, 11-10 02:00, 11-10 03:30); the
    // Unmanaged node has no creation time, so it comes first as kubectl puts missing keys.
    assert_eq!(
        names,
        [
            "(unmanaged)",
            "web-01-base",
            "web-01-hotfix",
            "web-01-pre-upgrade",
            "web-01-post-upgrade",
        ]
    );
    assert!(
        lines[5].starts_with("*         web-01-post-upgrade"),
        "{}",
        out.stdout
    );
    assert!(lines[4].contains("application"), "{}", out.stdout);
    let wide = t.cmd().args(&["list", "web-01", "-o", "wide"]).run().await;
    wide.assert_code(0)
        .assert_stdout_contains("TYPE        PARENT")
        .assert_stdout_contains("Unmanaged   web-01-pre-upgrade")
        .assert_stdout_contains("snapshot-226");
    let names = t
        .cmd()
        .args(&["list", "web-01", "-o", "name", "--no-headers"])
        .run()
        .await;
    names.assert_code(0);
    assert_eq!(
        names.stdout,
        "virtualmachinesnapshot.vmoperator.vmware.com/web-01-base\n\
         virtualmachinesnapshot.vmoperator.vmware.com/web-01-hotfix\n\
         virtualmachinesnapshot.vmoperator.vmware.com/web-01-pre-upgrade\n\
         virtualmachinesnapshot.vmoperator.vmware.com/web-01-post-upgrade\n"
    );
    let every = t.cmd().args(&["list", "-A"]).run().await;
    every
        .assert_code(0)
        .assert_stdout_contains("CURRENT   NAMESPACE   NAME")
        .assert_stdout_contains("dev-team    web-01-hotfix");
    let all = t.cmd().args(&["list", "--no-headers"]).run().await;
    all.assert_code(0);
    assert!(!all.stdout.contains("CURRENT"), "{}", all.stdout);
    assert_eq!(all.stdout.lines().count(), 2 + 32 + 5, "{}", all.stdout);
}

#[tokio::test]
async fn tree_draws_the_vm_like_govc_and_gives_it_as_data() {
    let t = settled().await;
    let out = t.cmd().args(&["tree", "web-01"]).run().await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "web-01-base\n  web-01-pre-upgrade\n    web-01-post-upgrade\n    .\n    (unmanaged)\n  web-01-hotfix\n"
    );
    let out = t
        .cmd()
        .args(&["tree", "web-01", "-i", "-D", "-d"])
        .run()
        .await;
    // As govc prints it since 2024: RFC 3339 dates, the description on the '.' line too.
    out.assert_code(0).assert_stdout_contains(
        "[snapshot-226 2026-11-10T02:00:00Z]  web-01-pre-upgrade - Before the nginx 1.27 upgrade",
    );
    let current = out
        .stdout
        .lines()
        .find(|l| l.contains("web-01-post-upgrade"))
        .expect("current snapshot's line");
    let dot = current.replacen("web-01-post-upgrade", ".", 1);
    assert!(dot.contains(" - "), "{dot}");
    assert!(out.stdout.contains(&format!("{dot}\n")), "{}", out.stdout);
    let out = t.cmd().args(&["tree", "web-01", "-o", "json"]).run().await;
    out.assert_code(0);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["kind"], "SnapshotTree");
    assert_eq!(v["vm"], "web-01");
    assert_eq!(v["roots"][0]["name"], "web-01-base");
    let pre = &v["roots"][0]["children"][0];
    assert_eq!(pre["name"], "web-01-pre-upgrade");
    assert_eq!(pre["children"][0]["current"], true);
    assert_eq!(pre["children"][1]["type"], "Unmanaged");
    assert_eq!(v["detached"], serde_json::json!([]));
}

#[tokio::test]
async fn describe_shows_settings_storage_tree_place_and_conditions() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["describe", "web-01-pre-upgrade"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains(
            "Memory:                   included (a revert resumes the running VM)",
        )
        .assert_stdout_contains("Quiesce:                  requested, timeout 10m")
        .assert_stdout_contains("Power state at snapshot:  PoweredOn")
        .assert_stdout_contains("Storage requested:        24Gi on wcpglobal-storage-profile")
        .assert_stdout_contains("Parent:                   web-01-base")
        .assert_stdout_contains("Children:                 web-01-post-upgrade, (unmanaged)")
        .assert_stdout_contains("VirtualMachineSnapshotReady       True     True     16d")
        .assert_stdout_contains("Annotations:  ")
        .assert_stdout_contains("\nEvents:  <none>\n");
    crate::support::plant_event(&t, SNAPS, NS, "web-01-pre-upgrade", "SnapshotStuck");
    let out = t
        .cmd()
        .args(&["describe", "web-01-pre-upgrade"])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "  Warning  SnapshotStuck  60s   test-controller  planted by the test\n",
    );
}

#[tokio::test]
async fn delete_explains_and_does_the_reparenting_of_the_children() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["delete", "web-01-pre-upgrade", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains(
            "web-01-pre-upgrade: its children (web-01-post-upgrade, (unmanaged)) are not deleted: they become children of web-01-base",
        )
        .assert_stdout_contains(
            "virtualmachinesnapshot.vmoperator.vmware.com/web-01-pre-upgrade deleted",
        );
    assert!(get(&t, SNAPS, "web-01-pre-upgrade").is_none());
    assert_eq!(
        children(&t, "web-01-base"),
        ["web-01-post-upgrade", "(unmanaged)", "web-01-hotfix"]
    );
}

#[tokio::test]
async fn delete_without_a_terminal_writes_nothing() {
    let t = settled().await;
    let out = t.cmd().args(&["delete", "web-01-post-upgrade"]).run().await;
    out.assert_code(3).assert_stderr_contains(
        "web-01-post-upgrade: the VM's current snapshot becomes web-01-pre-upgrade",
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// Issue #15 (day-one test): VM Operator's dry runs end their line as kubectl's and the other
/// platforms' do, `(dry run)` for a client and `(server dry run)` for a server one; create said
/// `(dry run)` under `--dry-run=server`, delete and restore `(client dry run)`.
#[tokio::test]
async fn dry_runs_end_their_line_as_kubectl_does_and_a_client_one_writes_nothing() {
    let t = settled().await;
    let restore = [
        "restore",
        "web-01",
        "--snapshot",
        "web-01-hotfix",
        "--confirm-name",
        "web-01-hotfix",
    ];
    let cases: [(&[&str], &str); 3] = [
        (
            &["create", "web-01", "--name", "dry-1"],
            "Snapshot dry-1 of VM dev-team/web-01 would be created",
        ),
        (
            &["delete", "web-01-post-upgrade"],
            "virtualmachinesnapshot.vmoperator.vmware.com/web-01-post-upgrade deleted",
        ),
        (
            &restore,
            "VM dev-team/web-01 would be reverted to web-01-hotfix",
        ),
    ];
    for (args, line) in cases {
        for (mode, suffix) in [("client", "(dry run)"), ("server", "(server dry run)")] {
            let before = t.writes().len();
            let dry_run = format!("--dry-run={mode}");
            let mut argv = args.to_vec();
            argv.extend(["--yes", dry_run.as_str()]);
            let out = t.cmd().args(&argv).run().await;
            out.assert_code(0)
                .assert_stdout_contains(&format!("{line} {suffix}\n"));
            let writes = t.writes().split_off(before);
            if mode == "client" {
                assert!(writes.is_empty(), "{argv:?}: {writes:?}");
            } else {
                assert!(writes.iter().all(|w| w.dry_run), "{argv:?}: {writes:?}");
            }
        }
    }
}

#[tokio::test]
async fn wait_on_vm_operator_says_a_ready_snapshot_is_met_and_refuses_restore() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["wait", "web-01-pre-upgrade", "--timeout", "0"])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.vmoperator.vmware.com/web-01-pre-upgrade condition met",
    );
    let out = t.cmd().args(&["wait", "--restore", "r1"]).run().await;
    out.assert_code(2)
        .assert_stderr_contains("--restore is a KubeVirt option");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn delete_by_selector_on_vm_operator_lists_what_goes_and_writes_nothing_unconfirmed() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "delete",
            "-l",
            "snapshot.vmoperator.vmware.com/vm-name=web-01",
        ])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains(&format!(
            "Snapshots to delete in namespace {NS} (matching -l snapshot.vmoperator.vmware.com/vm-name=web-01):"
        ))
        .assert_stderr_contains("web-01-pre-upgrade")
        .assert_stderr_contains("web-01-post-upgrade");
    let out = t
        .cmd()
        .args(&["delete", "-l", "nothing=here", "--yes"])
        .run()
        .await;
    out.assert_code(0).assert_stderr_contains(&format!(
        "No snapshots found in {NS} namespace matching -l nothing=here."
    ));
    let out = t
        .cmd()
        .args(&["delete", "nope", "--ignore-not-found", "--yes"])
        .run()
        .await;
    out.assert_code(0);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn revert_takes_a_safety_snapshot_then_follows_until_the_vm_runs_from_the_snapshot() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-hotfix",
            "--yes",
            "--confirm-name",
            "web-01-hotfix",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Revert plan for VM dev-team/web-01 (VMware VM Operator)")
        .assert_stderr_contains("web-01-hotfix was taken without memory: the VM will be powered off after the revert")
        .assert_stderr_contains("Safety snapshot:   web-01-pre-restore-20261126-100000")
        .assert_stderr_contains("Safety snapshot web-01-pre-restore-20261126-100000 is ready")
        .assert_stdout_contains("VM dev-team/web-01 reverted to web-01-hotfix")
        .assert_stdout_contains("Power state:      PoweredOff")
        .assert_stdout_contains(
            "Undo:             kubectl vmsnap restore web-01 --snapshot web-01-pre-restore-20261126-100000 -n dev-team",
        );
    let vm = get(&t, VMS, "web-01").expect("vm");
    assert_eq!(vm["status"]["currentSnapshot"]["name"], "web-01-hotfix");
    assert!(vm["spec"]["currentSnapshotName"].is_null(), "{vm}");
    let safety = get(&t, SNAPS, "web-01-pre-restore-20261126-100000").expect("safety");
    assert_eq!(safety["spec"]["memory"], true);
    assert_eq!(
        safety["metadata"]["labels"]["vmsnap.io/purpose"],
        "pre-restore"
    );
    let out = t
        .cmd()
        .args(&["describe", "web-01-pre-restore-20261126-100000"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("Safety snapshot:          taken before the revert to web-01-hotfix")
        .assert_stdout_contains(
            "Undo with:                kubectl vmsnap restore web-01 --snapshot web-01-pre-restore-20261126-100000 -n dev-team",
        );
}

#[tokio::test]
async fn revert_with_stop_powers_the_vm_off_after_the_safety_snapshot_and_before_the_revert() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-pre-upgrade",
            "--stop",
            "--yes",
            "--confirm-name",
            "web-01-pre-upgrade",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains(
            "Note: --stop: the VM is powered off (after the safety snapshot) before the revert",
        )
        .assert_stdout_contains("VM dev-team/web-01 reverted to web-01-pre-upgrade");
    // Safety snapshot first (with the running state), then the power-off, then the revert.
    let w: Vec<(String, Option<Value>)> = t
        .writes()
        .into_iter()
        .map(|w| (format!("{} {}", w.method, w.path), w.body))
        .collect();
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(
        w[0].0.starts_with("POST ") && w[0].0.ends_with("/virtualmachinesnapshots"),
        "{w:?}"
    );
    assert_eq!(w[0].1.as_ref().expect("body")["spec"]["memory"], true);
    assert!(
        w[1].0.starts_with("PATCH ") && w[1].0.ends_with("/virtualmachines/web-01"),
        "{w:?}"
    );
    assert_eq!(
        w[1].1.as_ref().expect("body")["spec"]["powerState"],
        "PoweredOff"
    );
    assert!(w[2].0.starts_with("PATCH "), "{w:?}");
    assert_eq!(
        w[2].1.as_ref().expect("body")["spec"]["currentSnapshotName"],
        "web-01-pre-upgrade"
    );
    // The snapshot has memory: vSphere brings the VM back running.
    let vm = get(&t, VMS, "web-01").expect("vm");
    assert_eq!(
        vm["status"]["currentSnapshot"]["name"],
        "web-01-pre-upgrade"
    );
    assert_eq!(vm["status"]["powerState"], "PoweredOn");
}

#[tokio::test]
async fn revert_to_a_snapshot_of_another_vm_is_refused_and_writes_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "app-02-v1",
            "--yes",
            "--confirm-name",
            "app-02-v1",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: snapshot app-02-v1 belongs to VM app-02, not web-01")
        .assert_stderr_contains("kubectl vmsnap list web-01 -n dev-team");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn revert_with_a_wrong_confirm_name_writes_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-base",
            "--yes",
            "--confirm-name",
            "web-01-hotfix",
        ])
        .run()
        .await;
    out.assert_code(3).assert_stderr_contains(
        "error: names do not match, revert cancelled, current VM state preserved",
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn revert_without_a_terminal_or_flags_writes_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["restore", "web-01", "--snapshot", "web-01-base"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("WARNING: ALL changes since")
        .assert_stderr_contains("error: confirmation required: no terminal to ask on")
        .assert_stderr_contains(
            "hint: pass --yes --confirm-name web-01-base to revert without asking",
        );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn revert_with_yes_alone_is_refused_and_writes_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["restore", "web-01", "--snapshot", "web-01-base", "--yes"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("error: --yes alone is not enough for a revert")
        .assert_stderr_contains("hint: also pass --confirm-name web-01-base");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn revert_declined_at_the_final_question_writes_nothing() {
    let t = settled().await;
    let ui = ScriptedUi::new(vec![text("web-01-base"), Answer::Text("no".into())]);
    let prompts = ui.clone();
    let out = run_in_process(&t, ui, &["restore", "web-01", "--snapshot", "web-01-base"]).await;
    out.assert_code(3)
        .assert_stderr_contains("revert cancelled, current VM state preserved");
    assert_eq!(
        prompts.prompts(),
        [
            "Type the snapshot name (web-01-base) to confirm",
            "Proceed with VM revert? (yes/cancel)"
        ]
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_vm_stuck_after_a_failed_revert_is_explained_with_the_fix_commands() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "app-02",
            "--snapshot",
            "app-02-v1",
            "--yes",
            "--confirm-name",
            "app-02-v1",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: app-02 is blocked by a failed revert (annotation vmoperator.vmware.com/snapshot-revert-in-progress)",
        )
        .assert_stderr_contains("crossing a CSI VolumeSnapshot")
        .assert_stderr_contains(
            "kubectl annotate virtualmachines.vmoperator.vmware.com app-02 -n dev-team vmoperator.vmware.com/snapshot-revert-in-progress-",
        )
        .assert_stderr_contains(
            "kubectl patch virtualmachines.vmoperator.vmware.com app-02 -n dev-team --type merge -p '{\"spec\":{\"currentSnapshotName\":null}}'",
        );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// The scenario with `overlay` (a sim.yaml text) layered over it, web-01's Tools running.
async fn with_overlay(overlay: &str) -> TestSim {
    let t = TestSim::platform_with("vmoperator", NS, Some(overlay)).await;
    t.wait_until(VMS, NS, "web-01", |v| tools(v, "True")).await;
    t
}

/// The scenario plus a revert of web-01 to web-01-base that vSphere fails (CSI crossing).
async fn with_failing_revert() -> TestSim {
    with_overlay(
        "controllers:\n  vmoperator:\n    reverts:\n      web-01-base: { outcome: TaskFailed }\n",
    )
    .await
}

#[tokio::test]
async fn ctrl_c_while_following_a_snapshot_leaves_it_and_says_how_to_follow_it() {
    let t = with_overlay(
        "controllers:\n  vmoperator:\n    snapshots:\n      int-1: { outcome: Stuck }\n",
    )
    .await;
    let out = t
        .cmd()
        .args(&["create", "web-01", "--yes", "--name", "int-1", "-v", "1"])
        .interrupt_after("Snapshot int-1: ")
        .await;
    out.assert_code(130).assert_stderr_contains(&format!(
        "follow it with: kubectl vmsnap wait int-1 -n {NS}"
    ));
    // One write, the snapshot; nothing deleted on the way out.
    let writes: Vec<String> = t
        .writes()
        .iter()
        .map(|w| format!("{} {}", w.method, w.path))
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0].starts_with("POST "), "{writes:?}");
    assert!(get(&t, SNAPS, "int-1").is_some(), "the snapshot stays");
}

#[tokio::test]
async fn a_supervisor_serving_only_v1alpha5_is_spoken_to_at_v1alpha5() {
    // vSphere 9.1 serves the snapshot API as v1alpha5 only.
    let t = with_overlay("servedVersions:\n  vmoperator.vmware.com: [v1alpha5]\n").await;
    t.cmd()
        .args(&["version"])
        .run()
        .await
        .assert_code(0)
        .assert_stdout_contains("Snapshot API:         vmoperator.vmware.com/v1alpha5\n");
    let out = t
        .cmd()
        .args(&["create", "web-01", "--name", "v5", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("Snapshot v5 of VM dev-team/web-01 is ready");
    t.cmd().args(&["tree", "web-01"]).run().await.assert_code(0);
    let paths: Vec<String> = t
        .sim
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/apis/vmoperator.vmware.com/"))
        .collect();
    assert!(!paths.is_empty());
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with("/apis/vmoperator.vmware.com/v1alpha5")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn check_says_which_vms_can_be_snapshotted_how_and_what_blocks_the_others() {
    let t = settled().await;
    let out = t.cmd().args(&["check"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("6 VMs: 4 snapshottable now, 2 not")
        .assert_stdout_contains("VKS nodes (tkc-1-np-7x2kq)")
        .assert_stdout_contains("stuck after a failed revert (app-02)")
        .assert_stdout_contains("32 or more snapshots (ci-runner)")
        .assert_stdout_contains("VMware Tools not running (db-01)");
    let out = t.cmd().args(&["check", "-o", "json"]).run().await;
    out.assert_code(0);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["kind"], "ReadinessReport");
    assert_eq!(v["platform"], "vmoperator");
    let row = |vm: &str| {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["vm"] == vm)
            .cloned()
            .expect("row")
    };
    assert_eq!(row("web-01")["snapshottable"], "yes");
    assert_eq!(row("web-01")["consistency"], "application");
    assert_eq!(row("build-01")["consistency"], "offline");
    assert_eq!(row("db-01")["consistency"], "crash");
    assert_eq!(row("tkc-1-np-7x2kq")["snapshottable"], "no");
    assert_eq!(row("app-02")["snapshottable"], "no");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_failed_revert_shows_the_condition_reason_and_the_fix() {
    let t = with_failing_revert().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-base",
            "--no-safety-snapshot",
            "--yes",
            "--confirm-name",
            "web-01-base",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("nothing can undo the restore")
        .assert_stderr_contains(
            "error: the revert of VM web-01 to web-01-base failed (VirtualMachineSnapshotRevertTaskFailed)",
        )
        .assert_stderr_contains("delete those VolumeSnapshots, then retry")
        .assert_stderr_contains("vmoperator.vmware.com/snapshot-revert-in-progress-");
}

#[tokio::test]
async fn a_flag_of_another_platform_is_refused() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-base",
            "--mode",
            "BestEffort",
        ])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("--mode is a Deckhouse Virtualization option");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn clone_is_not_offered_and_says_why() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["clone", "web-01-base", "--to", "web-02"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("`kubectl vmsnap clone` is not available on VMware VM Operator")
        .assert_stderr_contains("VM Operator has no clone API");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn revert_with_start_after_powers_on_a_vm_the_snapshot_left_off() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-hotfix",
            "--no-safety-snapshot",
            "--start-after",
            "--yes",
            "--confirm-name",
            "web-01-hotfix",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("nothing can undo the restore")
        .assert_stdout_contains("VM dev-team/web-01 reverted to web-01-hotfix")
        .assert_stdout_contains("Power state:  PoweredOn");
    let vm = get(&t, VMS, "web-01").expect("vm");
    assert_eq!(vm["status"]["currentSnapshot"]["name"], "web-01-hotfix");
    assert_eq!(vm["spec"]["powerState"], "PoweredOn");
    assert!(get(&t, SNAPS, "web-01-pre-restore-20261126-100000").is_none());
}

/// `restore web-01 --snapshot web-01-hotfix` as a client dry run, confirmed, with `extra`.
async fn plan_revert_to_hotfix(t: &TestSim, extra: &[&str]) -> crate::support::Output {
    let mut args = vec![
        "restore",
        "web-01",
        "--snapshot",
        "web-01-hotfix",
        "--yes",
        "--confirm-name",
        "web-01-hotfix",
        "--dry-run=client",
    ];
    args.extend_from_slice(extra);
    t.cmd().args(&args).run().await
}

/// Issue #17 item 13: a revert crossing a CSI VolumeSnapshot of the VM's disks fails in
/// vSphere and leaves the VM stuck; the plan now says so before asking.
#[tokio::test]
async fn revert_plan_warns_about_volume_snapshots_newer_than_the_target() {
    let t = settled().await;
    let store = t.sim.store();
    let vms = Gvr::new(VMS.0, VMS.1, VMS.2);
    let mut vm = get(&t, VMS, "web-01").expect("vm");
    vm["spec"]["volumes"] = serde_json::json!([
        {"name": "data", "persistentVolumeClaim": {"claimName": "web-01-data"}}
    ]);
    store.update(&vms, vm).expect("vm with a claim");
    let volume_snapshot = |name: &str, claim: &str| {
        serde_json::json!({
            "apiVersion": "snapshot.storage.k8s.io/v1",
            "kind": "VolumeSnapshot",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"source": {"persistentVolumeClaimName": claim}},
        })
    };
    let vs = Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots");
    store
        .create(&vs, volume_snapshot("web-01-data-backup", "web-01-data"))
        .expect("volume snapshot");
    store
        .create(&vs, volume_snapshot("other-backup", "other-claim"))
        .expect("volume snapshot of another claim");
    let before = t.writes().len();
    let out = plan_revert_to_hotfix(&t, &[]).await;
    out.assert_code(0).assert_stderr_contains(
        "Warning: CSI VolumeSnapshots of the VM's disks are newer than web-01-hotfix: web-01-data-backup (of web-01-data). vSphere cannot revert across a CSI VolumeSnapshot",
    );
    assert!(!out.stderr.contains("other-backup"), "{}", out.stderr);
    assert_eq!(t.writes().len(), before, "{:?}", t.writes());
}

/// Issue #17 item 15: the plan said "stays powered off until started" under --start-after.
#[tokio::test]
async fn revert_plan_with_start_after_says_the_vm_is_powered_on_afterwards() {
    let t = settled().await;
    let out = plan_revert_to_hotfix(&t, &["--start-after"]).await;
    out.assert_code(0).assert_stderr_contains(
        "After the revert:  PoweredOff, then powered on (--start-after): the guest boots from the snapshot's disks",
    );
    assert!(!out.stderr.contains("stays powered off"), "{}", out.stderr);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// Issue #17 item 15: `version` listed v1alpha1–4 as serving snapshots; VM Operator's
/// snapshot CRD is served from v1alpha5 on.
#[tokio::test]
async fn version_lists_only_the_versions_that_serve_snapshots() {
    let t = settled().await;
    let out = t.cmd().args(&["version", "-o", "json"]).run().await;
    out.assert_code(0);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    let served: Vec<&str> = v["cluster"]["snapshotApiVersions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut sorted = served.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["v1alpha5", "v1alpha6"], "{}", out.stdout);
}

#[tokio::test]
async fn create_on_a_vm_blocked_by_a_failed_revert_is_refused_and_writes_nothing() {
    let t = settled().await;
    let out = t.cmd().args(&["create", "app-02", "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("error: app-02 is blocked by a failed revert")
        .assert_stderr_contains("vmoperator.vmware.com/snapshot-revert-in-progress-")
        .assert_stderr_contains("hint: nothing was created");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn deleting_the_target_of_a_stuck_revert_is_refused_with_the_fix() {
    let t = settled().await;
    let out = t.cmd().args(&["delete", "app-02-v1", "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: snapshot app-02-v1 is the target of a revert of VM app-02 that has not finished",
        )
        .assert_stderr_contains("kubectl annotate virtualmachines.vmoperator.vmware.com app-02")
        .assert_stderr_contains("hint: nothing was deleted");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn create_declined_at_the_prompt_writes_nothing() {
    let t = settled().await;
    let ui = ScriptedUi::new(vec![text("no")]);
    let prompts = ui.clone();
    let out = run_in_process(&t, ui, &["create", "web-01", "--memory"]).await;
    out.assert_code(3)
        .assert_stderr_contains("snapshot cancelled; nothing was changed");
    assert_eq!(
        prompts.prompts(),
        ["Create snapshot web-01-snapshot-20261126-100000 of VM web-01? (yes/no)"]
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn unknown_vm_and_snapshot_exit_5_with_the_listing_command() {
    let t = settled().await;
    t.cmd()
        .args(&["create", "nope", "--yes"])
        .run()
        .await
        .assert_code(5)
        .assert_stderr_contains(
            "error: VirtualMachine \"nope\" not found in namespace \"dev-team\"",
        )
        .assert_stderr_contains("kubectl get virtualmachines.vmoperator.vmware.com -n dev-team");
    t.cmd()
        .args(&["describe", "nope"])
        .run()
        .await
        .assert_code(5)
        .assert_stderr_contains("kubectl vmsnap list -n dev-team");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn deleting_a_snapshot_whose_vm_is_gone_says_only_the_object_goes() {
    let t = settled().await;
    let orphan = serde_json::json!({
        "apiVersion": "vmoperator.vmware.com/v1alpha6",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": "old-vm-snap", "namespace": NS},
        "spec": {"vmName": "old-vm"},
    });
    t.sim
        .store()
        .create(&Gvr::new(SNAPS.0, SNAPS.1, SNAPS.2), orphan)
        .expect("created");
    let out = t
        .cmd()
        .args(&["delete", "old-vm-snap", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains(
            "old-vm-snap: VM old-vm no longer exists: only the snapshot object is removed",
        )
        .assert_stdout_contains("virtualmachinesnapshot.vmoperator.vmware.com/old-vm-snap deleted");
    assert!(get(&t, SNAPS, "old-vm-snap").is_none());
}

/// This platform's transcripts for docs/commands (namespace dev-team of the docs simulator, which
/// serves all three platforms).
pub(crate) async fn docs(t: &mut Transcripts) {
    t.run("vmop-tree", &["tree", "web-01", "-n", "dev-team"]);
    t.run(
        "vmop-tree-details",
        &["tree", "web-01", "-i", "-D", "-d", "-n", "dev-team"],
    );
    t.run("vmop-check", &["check", "-n", "dev-team"]);
    t.run("vmop-list", &["list", "web-01", "-n", "dev-team"]);
    t.run(
        "vmop-list-advice",
        &["list", "-n", "dev-team", "-o", "name"],
    );
    t.run(
        "vmop-describe",
        &["describe", "web-01-pre-upgrade", "-n", "dev-team"],
    );
    t.run(
        "vmop-create",
        &[
            "create",
            "web-01",
            "--memory",
            "--quiesce-timeout",
            "10m",
            "--description",
            "Before the kernel update",
            "--yes",
            "-n",
            "dev-team",
        ],
    );
    t.run(
        "vmop-create-vks",
        &["create", "tkc-1-np-7x2kq", "--yes", "-n", "dev-team"],
    );
    t.run(
        "vmop-create-ci",
        &["create", "ci-runner", "--dry-run=client", "-n", "dev-team"],
    );
    // Scripted in the scenario: quiescing db-01 fails; it then blocks db-01's queue.
    t.run(
        "vmop-create-failed",
        &[
            "create",
            "db-01",
            "--name",
            "db-01-quiesced",
            "--quiesce-timeout",
            "10m",
            "--yes",
            "-n",
            "dev-team",
        ],
    );
    t.run(
        "vmop-create-blocked",
        &["create", "db-01", "--dry-run=client", "-n", "dev-team"],
    );
    t.dialogue(
        "vmop-delete",
        &["yes"],
        &["delete", "web-01-pre-upgrade", "-n", "dev-team"],
    )
    .await;
    t.run(
        "vmop-revert-start-after",
        &[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-hotfix",
            "--start-after",
            "--yes",
            "--confirm-name",
            "web-01-hotfix",
            "--dry-run=client",
            "-n",
            "dev-team",
        ],
    );
    t.dialogue(
        "vmop-revert",
        &["web-01-hotfix", "yes"],
        &[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-hotfix",
            "-n",
            "dev-team",
        ],
    )
    .await;
    t.run(
        "vmop-revert-other",
        &[
            "restore",
            "web-01",
            "--snapshot",
            "app-02-v1",
            "-n",
            "dev-team",
        ],
    );
    t.run(
        "vmop-revert-stuck",
        &[
            "restore",
            "app-02",
            "--snapshot",
            "app-02-v1",
            "-n",
            "dev-team",
        ],
    );
}
