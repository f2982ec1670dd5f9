//! Deckhouse Virtualization through the real binary, against the simulator's Deckhouse scenario.

use serde_json::{Value, json};

use crate::docs_pages::Transcripts;
use crate::support::scripted_ui::text;
use crate::support::{ScriptedUi, TestSim, run_in_process};

const GROUP: &str = "virtualization.deckhouse.io";
const NS: &str = "my-project";
/// `restore linux-vm` from the scenario's snapshot, confirmed as a script confirms it.
const SCRIPTED_RESTORE: [&str; 7] = [
    "restore",
    "linux-vm",
    "--snapshot",
    "linux-vm-snapshot",
    "--yes",
    "--confirm-name",
    "linux-vm-snapshot",
];

const VMS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualmachines");
const SNAPS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualmachinesnapshots");
const DISKS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualdisks");
const VMOPS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualmachineoperations");

/// The Deckhouse scenario once its VMs have settled and its snapshot is Ready.
async fn settled() -> TestSim {
    let t = TestSim::deckhouse().await;
    settle(&t).await;
    t
}

/// Waits for the scenario's own start-up to finish.
async fn settle(t: &TestSim) {
    for (vm, phase) in [
        ("linux-vm", "Running"),
        ("db-vm", "Running"),
        ("other-vm", "Running"),
        ("win-vm", "Stopped"),
        ("web-vm", "Stopped"),
    ] {
        t.wait_until(VMS, NS, vm, |v| v["status"]["phase"] == phase)
            .await;
    }
    t.wait_until(VMS, NS, "linux-vm", |v| {
        has_condition(v, "AgentReady", "True")
    })
    .await;
    t.wait_until(VMS, NS, "db-vm", |v| {
        has_condition(v, "AgentReady", "False")
    })
    .await;
    t.wait_until(SNAPS, NS, "linux-vm-snapshot", |v| {
        v["status"]["phase"] == "Ready"
    })
    .await;
    t.wait_until(DISKS, NS, "web-vm-data", |v| {
        v["status"]["phase"] == "Resizing"
    })
    .await;
    for d in ["linux-vm-root", "linux-vm-data", "db-vm-root"] {
        t.wait_until(DISKS, NS, d, |v| {
            v["status"]["phase"] == "Ready" && v["status"]["attachedToVirtualMachines"].is_array()
        })
        .await;
    }
    t.wait_until(VMS, NS, "linux-vm", |v| {
        !has_condition(v, "Snapshotting", "True") && !has_condition(v, "FilesystemFrozen", "True")
    })
    .await;
}

fn has_condition(v: &Value, type_: &str, status: &str) -> bool {
    v["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == type_ && c["status"] == status)
    })
}

/// The writes as `METHOD path` lines.
fn writes(t: &TestSim) -> Vec<String> {
    t.writes()
        .iter()
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect()
}

#[tokio::test]
async fn a_vm_snapshot_of_a_running_vm_with_its_agent_is_consistent_and_reports_what_it_saved() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "linux-vm",
            "--name",
            "before-upgrade",
            "--label",
            "purpose=upgrade",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("Size:            70Gi")
        .assert_stderr_contains("Snapshot plan for VM my-project/linux-vm")
        .assert_stderr_contains("the guest agent freezes the file systems")
        .assert_stdout_contains("Snapshot before-upgrade of VM my-project/linux-vm is ready")
        .assert_stdout_contains("VirtualDisk linux-vm-root")
        .assert_stdout_contains("consistent:")
        .assert_stdout_contains(
            "kubectl vmsnap restore linux-vm --snapshot before-upgrade -n my-project",
        );
    let w = writes(&t);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("POST ") && w[0].contains("/virtualmachinesnapshots "),
        "{w:?}"
    );
    t.wait_until(SNAPS, NS, "before-upgrade", |v| {
        v["spec"]["requiredConsistency"] == true
            && v["spec"]["keepIPAddress"] == "Always"
            && v["metadata"]["labels"]["purpose"] == "upgrade"
    })
    .await;
    let out = t
        .cmd()
        .args(&["list", "-l", "purpose=upgrade", "--no-headers"])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.transcript());
    assert!(
        out.stdout.starts_with("before-upgrade "),
        "{}",
        out.transcript()
    );
}

/// The Deckhouse scenario plus an overlay `sim.yaml` (controller scripts), settled.
async fn settled_with(overlay: &str) -> TestSim {
    let t = TestSim::platform_with("deckhouse", NS, Some(overlay)).await;
    settle(&t).await;
    t
}

#[tokio::test]
async fn a_vm_without_guest_agent_is_refused_a_consistent_snapshot_before_anything_is_written() {
    let t = settled().await;
    let out = t.cmd().args(&["create", "db-vm", "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("guest agent NOT ready")
        .assert_stderr_contains("error: a snapshot of VM my-project/db-vm would not succeed now")
        .assert_stderr_contains("--allow-inconsistent")
        .assert_stderr_contains("--stop --start-after");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));

    let out = t
        .cmd()
        .args(&[
            "create",
            "db-vm",
            "--allow-inconsistent",
            "--name",
            "db-unfrozen",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("NOT guaranteed: taken from the running VM without a freeze")
        .assert_stdout_contains("Snapshot db-unfrozen of VM my-project/db-vm is ready")
        .assert_stdout_contains("not guaranteed consistent");
    t.wait_until(SNAPS, NS, "db-unfrozen", |v| {
        v["spec"]["requiredConsistency"] == false && v["status"]["consistent"].is_null()
    })
    .await;
}

#[tokio::test]
async fn at_a_terminal_a_vm_without_agent_is_offered_the_stop_or_an_unfrozen_snapshot() {
    let t = settled().await;
    // Cancel: nothing is written.
    let ui = ScriptedUi::new(vec![crate::support::Answer::Choice(2)]);
    let out = run_in_process(&t, ui.clone(), &["create", "db-vm", "--name", "c1"]).await;
    out.assert_code(3)
        .assert_stderr_contains("runs without a ready guest agent");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    // Stop-and-snapshot: Stop, the snapshot, Start, after the plan is shown again.
    let ui = ScriptedUi::new(vec![crate::support::Answer::Choice(0), text("yes")]);
    let out = run_in_process(&t, ui.clone(), &["create", "db-vm", "--name", "c2"]).await;
    out.assert_code(0);
    let prompts = ui.prompts();
    assert_eq!(prompts.len(), 2, "{prompts:?}");
    assert!(
        prompts[0].starts_with("How do you want to continue?"),
        "{prompts:?}"
    );
    let ops: Vec<String> = t
        .writes()
        .into_iter()
        .filter_map(|r| r.body)
        .map(|b| {
            format!(
                "{} {}",
                b["kind"].as_str().unwrap_or(""),
                b["spec"]["type"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            "VirtualMachineOperation Stop",
            "VirtualMachineSnapshot ",
            "VirtualMachineOperation Start"
        ],
        "{ops:?}"
    );
}

#[tokio::test]
async fn stop_stops_a_vm_without_agent_for_a_consistent_snapshot_and_start_after_starts_it() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "db-vm",
            "--stop",
            "--start-after",
            "--name",
            "db-offline",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains(
            "stop the VM (VirtualMachineOperation Stop), snapshot it, then start it again",
        )
        .assert_stderr_contains("consistent: the VM is stopped")
        .assert_stdout_contains("Snapshot db-offline of VM my-project/db-vm is ready")
        .assert_stdout_contains("stopped for the snapshot and started again");
    let w = writes(&t);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].contains("/virtualmachineoperations "), "{w:?}");
    assert!(w[1].contains("/virtualmachinesnapshots "), "{w:?}");
    assert!(w[2].contains("/virtualmachineoperations "), "{w:?}");
    t.wait_until(SNAPS, NS, "db-offline", |v| {
        v["status"]["consistent"] == true
    })
    .await;
    t.wait_until(VMS, NS, "db-vm", |v| v["status"]["phase"] == "Running")
        .await;
}

#[tokio::test]
async fn stop_of_an_always_on_vm_is_refused_before_any_write_with_the_run_policy_to_change() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["create", "other-vm", "--stop", "--start-after", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: a snapshot of VM my-project/other-vm would not succeed now")
        .assert_stderr_contains(
            "--stop needs a Stop operation, and Deckhouse refuses Stop for other-vm with runPolicy AlwaysOn",
        )
        .assert_stderr_contains(
            "kubectl patch virtualmachines.virtualization.deckhouse.io other-vm -n my-project --type merge -p '{\"spec\":{\"runPolicy\":\"AlwaysOnUnlessStoppedManually\"}}'",
        )
        .assert_stderr_contains("or take it without stopping: kubectl vmsnap create other-vm -n my-project")
        .assert_stderr_contains("nothing was changed");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn at_a_terminal_an_always_on_vm_without_agent_is_not_offered_the_stop() {
    let t = settled_with("controllers:\n  vms:\n    other-vm: { guestAgent: false }\n").await;
    t.wait_until(VMS, NS, "other-vm", |v| {
        has_condition(v, "AgentReady", "False")
    })
    .await;
    let ui = ScriptedUi::new(vec![crate::support::Answer::Choice(1)]);
    let out = run_in_process(&t, ui.clone(), &["create", "other-vm", "--name", "o1"]).await;
    out.assert_code(3).assert_stderr_contains(
        "It cannot be stopped here: Deckhouse refuses Stop for runPolicy AlwaysOn.",
    );
    let prompts = ui.prompts();
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    assert!(!prompts[0].contains("stop-and-snapshot"), "{prompts:?}");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn restore_start_after_and_stop_are_refused_for_a_run_policy_that_forbids_them() {
    let t = settled().await;
    t.cmd()
        .args(&["create", "win-vm", "--name", "win-1", "--yes"])
        .run()
        .await
        .assert_code(0);
    t.cmd()
        .args(&["create", "other-vm", "--name", "other-1", "--yes"])
        .run()
        .await
        .assert_code(0);
    t.sim.clear_requests();
    // AlwaysOff: Deckhouse would refuse the Start of --start-after after the restore.
    let out = t
        .cmd()
        .args(&[
            "restore",
            "win-vm",
            "--snapshot",
            "win-1",
            "--start-after",
            "--yes",
            "--confirm-name",
            "win-1",
            "--no-safety-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: VM my-project/win-vm cannot be restored from win-1 now")
        .assert_stderr_contains(
            "--start-after needs a Start operation, and Deckhouse refuses Start for win-vm with runPolicy AlwaysOff",
        )
        .assert_stderr_contains("-p '{\"spec\":{\"runPolicy\":\"Manual\"}}'");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    // AlwaysOn: --stop is refused, and --start-after is moot.
    let out = t
        .cmd()
        .args(&[
            "restore",
            "other-vm",
            "--snapshot",
            "other-1",
            "--stop",
            "--start-after",
            "--yes",
            "--confirm-name",
            "other-1",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("Deckhouse refuses Stop for other-vm with runPolicy AlwaysOn")
        .assert_stderr_contains("Deckhouse refuses Start for other-vm with runPolicy AlwaysOn")
        .assert_stderr_contains(
            "Deckhouse keeps a VM with runPolicy AlwaysOn running by itself: drop --start-after",
        );
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn wait_follows_a_deckhouse_snapshot_taken_without_waiting_and_stops_on_failure() {
    let t = settled_with(
        "controllers:\n  snapshots:\n    broken: { outcome: Failed, message: \"the disk snapshot failed\" }\n",
    )
    .await;
    for name in ["fine", "broken"] {
        t.cmd()
            .args(&["create", "linux-vm", "--name", name, "--yes", "--no-wait"])
            .run()
            .await
            .assert_code(0);
    }
    let out = t
        .cmd()
        .args(&["wait", "fine", "--timeout", "1m"])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.virtualization.deckhouse.io/fine condition met",
    );
    let out = t
        .cmd()
        .args(&["wait", "broken", "--timeout", "1m"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(&format!("error: snapshot {NS}/broken failed: Failed"));
}

/// Puts a VM snapshot of a VM that no longer exists, with `metadata` (name, labels, …) in NS.
fn put_gone_vm_snapshot(t: &TestSim, mut metadata: Value) {
    metadata["namespace"] = json!(NS);
    let snap = json!({
        "apiVersion": format!("{GROUP}/v1alpha2"), "kind": "VirtualMachineSnapshot",
        "metadata": metadata,
        "spec": {"virtualMachineName": "gone-vm", "requiredConsistency": false,
                 "keepIPAddress": "Never"}
    });
    let gvr = vmsnap_sim::Gvr::new(SNAPS.0, SNAPS.1, SNAPS.2);
    t.sim.store().create(&gvr, snap).expect("snapshot");
}

/// VM snapshots with one label each, beside the scenario's linux-vm-snapshot.
fn labelled_snapshots(t: &TestSim, labelled: &[(&str, &str)]) {
    for (name, label) in labelled {
        let (key, value) = label.split_once('=').expect("key=value");
        put_gone_vm_snapshot(t, json!({"name": name, "labels": {key: value}}));
    }
}

fn snapshot_exists(t: &TestSim, name: &str) -> bool {
    let gvr = vmsnap_sim::Gvr::new(SNAPS.0, SNAPS.1, SNAPS.2);
    t.sim.store().get(&gvr, Some(NS), name).is_some()
}

#[tokio::test]
async fn delete_by_selector_on_deckhouse_asks_once_then_deletes_exactly_the_matching_snapshots() {
    let t = settled().await;
    labelled_snapshots(
        &t,
        &[
            ("drop-1", "purge=yes"),
            ("drop-2", "purge=yes"),
            ("keep-a", "purge=no"),
        ],
    );
    // Declined (no terminal): the list of what goes, and nothing written.
    let out = t.cmd().args(&["delete", "-l", "purge=yes"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains(&format!(
            "Snapshots to delete in namespace {NS} (matching -l purge=yes):"
        ))
        .assert_stderr_contains("drop-1")
        .assert_stderr_contains("drop-2");
    assert!(!out.stderr.contains("keep-a"), "{}", out.transcript());
    assert!(
        !out.stderr.contains("linux-vm-snapshot"),
        "{}",
        out.transcript()
    );
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    let out = t
        .cmd()
        .args(&["delete", "-l", "purge=yes", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("virtualmachinesnapshot.virtualization.deckhouse.io/drop-1 deleted")
        .assert_stdout_contains(
            "virtualmachinesnapshot.virtualization.deckhouse.io/drop-2 deleted",
        );
    let w = writes(&t);
    assert_eq!(w.len(), 2, "{w:?}");
    for (write, name) in w.iter().zip(["drop-1", "drop-2"]) {
        assert!(
            write.starts_with("DELETE ")
                && write.contains(&format!("/virtualmachinesnapshots/{name} ")),
            "{w:?}"
        );
    }
    assert!(!snapshot_exists(&t, "drop-1") && !snapshot_exists(&t, "drop-2"));
    assert!(snapshot_exists(&t, "keep-a") && snapshot_exists(&t, "linux-vm-snapshot"));
}

#[tokio::test]
async fn delete_all_nothing_matched_and_ignore_not_found_on_deckhouse() {
    let t = settled().await;
    labelled_snapshots(&t, &[("other", "purge=no")]);
    // --all: every VM snapshot in the namespace, in one question.
    let out = t.cmd().args(&["delete", "--all"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains(&format!(
            "Snapshots to delete in namespace {NS} (all of them):"
        ))
        .assert_stderr_contains("linux-vm-snapshot")
        .assert_stderr_contains("other");
    // A selector that matches nothing: kubectl's message, exit 0.
    let out = t
        .cmd()
        .args(&["delete", "-l", "nothing=here", "--yes"])
        .run()
        .await;
    out.assert_code(0).assert_stderr_contains(&format!(
        "No snapshots found in {NS} namespace matching -l nothing=here."
    ));
    // A missing name is an error (exit 5) unless --ignore-not-found.
    let out = t.cmd().args(&["delete", "nope", "--yes"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains("no VM snapshot or disk snapshot \"nope\"");
    let out = t
        .cmd()
        .args(&["delete", "nope", "--ignore-not-found", "--yes"])
        .run()
        .await;
    out.assert_code(0);
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    let out = t
        .cmd()
        .args(&["delete", "nope", "other", "--ignore-not-found", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("virtualmachinesnapshot.virtualization.deckhouse.io/other deleted");
    let w = writes(&t);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("DELETE ") && w[0].contains("/virtualmachinesnapshots/other "),
        "{w:?}"
    );
    assert!(snapshot_exists(&t, "linux-vm-snapshot"));
}

#[tokio::test]
async fn a_restore_from_a_failed_snapshot_is_refused_up_front_with_deckhouses_reason() {
    let t = settled_with(
        "controllers:\n  snapshots:\n    broken: { outcome: Failed, message: \"the disk snapshot failed\" }\n",
    )
    .await;
    t.cmd()
        .args(&["create", "linux-vm", "--name", "broken", "--yes"])
        .run()
        .await
        .assert_code(1);
    t.wait_until(SNAPS, NS, "broken", |v| v["status"]["phase"] == "Failed")
        .await;
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&[
            "restore",
            "linux-vm",
            "--snapshot",
            "broken",
            "--yes",
            "--confirm-name",
            "broken",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: VM my-project/linux-vm cannot be restored from broken now")
        .assert_stderr_contains(
            "the snapshot broken is Failed, not Ready (VirtualMachineSnapshotFailed: the disk snapshot failed.): Deckhouse would fail the restore (virtual machine snapshot \"broken\" is not ready to use)",
        )
        .assert_stderr_contains("kubectl vmsnap describe broken -n my-project")
        .assert_stderr_contains("nothing was changed");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn a_vm_whose_disk_is_being_resized_is_refused_with_nothing_written() {
    let t = settled().await;
    let out = t.cmd().args(&["create", "web-vm", "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("web-vm-data (Resizing")
        .assert_stderr_contains("the virtual disk web-vm-data is being resized")
        .assert_stderr_contains("nothing was changed");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn attached_images_are_named_as_not_saved_before_the_question() {
    let t = settled().await;
    let out = t.cmd().args(&["create", "win-vm"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains(
            "Not saved:    ClusterVirtualImage ubuntu-22-04, VirtualImage tools-iso",
        )
        .assert_stderr_contains("Warning: attached images are not saved with the snapshot")
        .assert_stderr_contains("confirmation required: no terminal to ask on");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    let out = t
        .cmd()
        .args(&["create", "win-vm", "--name", "win-1", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("Not saved:")
        .assert_stdout_contains("consistent: the VM was stopped");
}

#[tokio::test]
async fn a_disk_snapshot_is_taken_frozen_and_listed_with_list_disks() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "--disk",
            "linux-vm-data",
            "--name",
            "data-1",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Disk snapshot plan for VirtualDisk my-project/linux-vm-data")
        .assert_stderr_contains("needs its guest agent (AgentReady)")
        .assert_stdout_contains(
            "Disk snapshot data-1 of VirtualDisk my-project/linux-vm-data is ready",
        )
        .assert_stdout_contains("kubectl vmsnap restore-disk data-1");
    let out = t.cmd().args(&["list", "--disks"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("NAME")
        .assert_stdout_contains("CONSISTENT");
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("data-1 "))
        .unwrap_or_else(|| panic!("{}", out.transcript()));
    assert!(
        line.contains("linux-vm-data") && line.contains("Ready") && line.contains("true"),
        "{line}"
    );
    assert!(
        line.contains("50Gi") || line.contains("50.0Gi") || line.contains("GiB"),
        "{line}"
    );
    // A running VM's disk without an agent is refused before writing.
    let before = t.writes().len();
    let out = t
        .cmd()
        .args(&["create", "--disk", "db-vm-root", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("guest agent is not ready (AgentReady)")
        .assert_stderr_contains("--allow-inconsistent");
    assert_eq!(t.writes().len(), before, "{:?}", writes(&t));
}

/// Issue #15 (day-one test): an empty list on Deckhouse said kubectl's generic "No resources
/// found in NS namespace." (and "No resources found" without a stop under -A) where KubeVirt,
/// VM Operator and docs/cli.md say "No snapshots [of VM V] found [in NS namespace]."
#[tokio::test]
async fn an_empty_list_says_no_snapshots_found_as_on_the_other_platforms() {
    let t = settled().await;
    let cases: [(&[&str], &str); 3] = [
        (
            &["list", "win-vm"],
            "No snapshots of VM win-vm found in my-project namespace.\n",
        ),
        (
            &["list", "-l", "nothing=here"],
            "No snapshots found in my-project namespace.\n",
        ),
        (
            &["list", "-A", "-l", "nothing=here"],
            "No snapshots found.\n",
        ),
    ];
    for (args, said) in cases {
        let out = t.cmd().args(args).run().await;
        out.assert_code(0);
        assert_eq!(out.stderr, said, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
    }
}

#[tokio::test]
async fn list_is_in_creation_order_newest_last_in_tables_and_api_objects() {
    let t = settled().await;
    // Three older than the scenario's linux-vm-snapshot (taken at start-up), whose names sort
    // otherwise.
    for (name, created) in [
        ("a-last", "2026-08-20T12:00:00Z"),
        ("z-first", "2026-08-20T09:00:00Z"),
        ("m-middle", "2026-08-20T11:00:00Z"),
    ] {
        put_gone_vm_snapshot(&t, json!({"name": name, "creationTimestamp": created}));
    }
    let created = ["z-first", "m-middle", "a-last", "linux-vm-snapshot"];
    let out = t.cmd().args(&["list", "--no-headers"]).run().await;
    out.assert_code(0);
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(rows, created, "{}", out.transcript());
    let out = t.cmd().args(&["list", "-o", "json"]).run().await;
    out.assert_code(0);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    let items: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["metadata"]["name"].as_str())
        .collect();
    assert_eq!(items, created, "{}", out.stdout);
}

#[tokio::test]
async fn list_shows_vm_snapshots_with_consistency_and_describe_what_they_saved() {
    let t = settled().await;
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("NAME                VM         PHASE   CONSISTENCY   SIZE")
        .assert_stdout_contains("linux-vm-snapshot   linux-vm   Ready   consistent");
    let out = t.cmd().args(&["list", "-o", "name"]).run().await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.virtualization.deckhouse.io/linux-vm-snapshot",
    );
    crate::support::plant_event(&t, SNAPS, NS, "linux-vm-snapshot", "SnapshotSlow");
    let out = t.cmd().args(&["describe", "linux-vm-snapshot"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("Annotations:")
        .assert_stdout_contains(
            "  Warning  SnapshotSlow  60s   test-controller  planted by the test\n",
        )
        .assert_stdout_contains("Source VM:")
        .assert_stdout_contains("Saved Resources:")
        .assert_stdout_contains("VirtualDisk")
        .assert_stdout_contains("Disk Snapshots:")
        .assert_stdout_contains("Conditions:");
    let out = t
        .cmd()
        .args(&["list", "linux-vm", "-o", "report-json"])
        .run()
        .await;
    out.assert_code(0);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["kind"], "SnapshotList");
    assert_eq!(v["items"][0]["details"]["consistency"], "consistent");
    let out = t.cmd().args(&["list", "--no-headers"]).run().await;
    assert!(!out.stdout.contains("NAME"), "{}", out.transcript());
    let disk_snapshot = t
        .sim
        .store()
        .list(
            &vmsnap_sim::Gvr::new(GROUP, "v1alpha2", "virtualdisksnapshots"),
            Some(NS),
        )
        .into_iter()
        .next()
        .expect("a disk snapshot of linux-vm-snapshot");
    let vds = disk_snapshot["metadata"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    let out = t.cmd().args(&["describe", &vds]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("Kind:                  VirtualDiskSnapshot")
        .assert_stdout_contains("Part of:               VM snapshot linux-vm-snapshot");
    let out = t.cmd().args(&["describe", "nope"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains("no VM snapshot or disk snapshot \"nope\"");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn delete_asks_then_removes_the_snapshot_by_uid_and_waits_until_it_is_gone() {
    let t = settled().await;
    let out = t.cmd().args(&["delete", "linux-vm-snapshot"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains("Snapshots to delete in namespace my-project:")
        .assert_stderr_contains("VirtualMachineSnapshot");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    let out = t
        .cmd()
        .args(&["delete", "linux-vm-snapshot", "--yes"])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.virtualization.deckhouse.io/linux-vm-snapshot deleted",
    );
    assert!(
        t.sim
            .store()
            .get(
                &vmsnap_sim::Gvr::new(SNAPS.0, SNAPS.1, SNAPS.2),
                Some(NS),
                "linux-vm-snapshot"
            )
            .is_none()
    );
    let w = writes(&t);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("DELETE "), "{w:?}");
}

#[tokio::test]
async fn a_disk_snapshot_of_a_vm_snapshot_is_not_deleted_alone() {
    let t = settled().await;
    let vds = t
        .sim
        .store()
        .list(
            &vmsnap_sim::Gvr::new(GROUP, "v1alpha2", "virtualdisksnapshots"),
            Some(NS),
        )
        .into_iter()
        .next()
        .expect("a disk snapshot of linux-vm-snapshot");
    let vds = vds["metadata"]["name"].as_str().expect("name").to_owned();
    let out = t.cmd().args(&["delete", &vds, "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("belongs to VM snapshot linux-vm-snapshot")
        .assert_stderr_contains("kubectl vmsnap delete linux-vm-snapshot -n my-project");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    // Named with its VM snapshot, it simply goes with it.
    let out = t
        .cmd()
        .args(&["delete", &vds, "linux-vm-snapshot", "--yes"])
        .run()
        .await;
    out.assert_code(0);
    let w = writes(&t);
    assert_eq!(w.len(), 1, "{w:?}");
}

/// The writes of a run that stopped after the DryRun: exactly one POST of an operation.
#[track_caller]
fn only_the_dry_run(t: &TestSim, before: usize) {
    let w = writes(t);
    // A name taken by an earlier run in the same second is answered 409 and changes nothing.
    let new: Vec<&String> = w[before..]
        .iter()
        .filter(|w| !w.ends_with("-> 409"))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(
        new[0].starts_with("POST ") && new[0].contains("/virtualmachineoperations "),
        "{new:?}"
    );
}

/// Attaches linux-vm-root to other-vm too: a restore of linux-vm then meets a disk in use.
async fn share_linux_root_with_other_vm(t: &TestSim) {
    let g = vmsnap_sim::Gvr::new(VMS.0, VMS.1, VMS.2);
    let mut vm = t
        .sim
        .store()
        .get(&g, Some(NS), "other-vm")
        .expect("other-vm");
    vm["spec"]["blockDeviceRefs"]
        .as_array_mut()
        .expect("refs")
        .push(serde_json::json!({"kind": "VirtualDisk", "name": "linux-vm-root"}));
    t.sim.store().update(&g, vm).expect("update");
    t.wait_until(DISKS, NS, "linux-vm-root", |v| {
        v["status"]["attachedToVirtualMachines"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["name"] == "other-vm"))
    })
    .await;
}

#[tokio::test]
async fn restore_conflicts_from_the_dry_run_refuse_with_only_the_dry_run_written() {
    let t = settled().await;
    share_linux_root_with_other_vm(&t).await;
    let out = t.cmd().args(&SCRIPTED_RESTORE).run().await;
    out.assert_code(1)
        .assert_stderr_contains("Conflicts found by the dry run:")
        .assert_stderr_contains("the virtual disk \"linux-vm-root\" already in use")
        .assert_stderr_contains("would fail: the dry run found 1 conflict(s)")
        .assert_stderr_contains("the only object created is the DryRun operation linux-vm-restore-dryrun-20261126-100000");
    only_the_dry_run(&t, 0);
}

#[tokio::test]
async fn a_declined_restore_writes_nothing_but_the_dry_run() {
    let t = settled().await;
    let args = ["restore", "linux-vm", "--snapshot", "linux-vm-snapshot"];
    // The user reads the preview and says no.
    let ui = ScriptedUi::new(vec![text("linux-vm-snapshot"), text("no")]);
    let out = run_in_process(&t, ui.clone(), &args).await;
    out.assert_code(3)
        .assert_stderr_contains("Dry run:")
        .assert_stderr_contains("no conflicts")
        .assert_stderr_contains("do not cancel the restore once it runs")
        .assert_stderr_contains("restore cancelled, current VM state preserved");
    assert_eq!(ui.prompts().len(), 2, "{:?}", ui.prompts());
    only_the_dry_run(&t, 0);
    // A wrong typed name.
    let ui = ScriptedUi::new(vec![text("linux-vm")]);
    let out = run_in_process(&t, ui, &args).await;
    out.assert_code(3)
        .assert_stderr_contains("names do not match");
    only_the_dry_run(&t, 1);
    let n = t.writes().len();
    // Scripted refusals are decided by the flags before any write: not even the DryRun.
    // A wrong --confirm-name.
    let out = t
        .cmd()
        .args(&args)
        .args(&["--yes", "--confirm-name", "other"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("not run: the restore cannot be confirmed, so nothing is written")
        .assert_stderr_contains("names do not match");
    // No terminal.
    let out = t.cmd().args(&args).run().await;
    out.assert_code(3)
        .assert_stderr_contains("confirmation required: no terminal to ask on");
    // --yes alone.
    let out = t.cmd().args(&args).args(&["--yes"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains("--yes alone is not enough for a restore")
        .assert_stderr_contains("--confirm-name linux-vm-snapshot");
    assert_eq!(t.writes().len(), n, "{:?}", writes(&t));
    let ops = t
        .sim
        .store()
        .list(&vmsnap_sim::Gvr::new(VMOPS.0, VMOPS.1, VMOPS.2), Some(NS));
    assert!(
        ops.iter().all(|o| o["spec"]["restore"]["mode"] == "DryRun"),
        "{ops:?}"
    );
}

#[tokio::test]
async fn restore_takes_a_safety_snapshot_then_restores_and_says_how_to_undo() {
    let t = settled().await;
    let out = t.cmd().args(&SCRIPTED_RESTORE).run().await;
    out.assert_code(0)
        .assert_stderr_contains("Restore plan for VM my-project/linux-vm")
        .assert_stderr_contains("Safety snapshot:")
        .assert_stderr_contains("Safety snapshot linux-vm-pre-restore-20261126-100000 is ready")
        .assert_stdout_contains("VM my-project/linux-vm restored from snapshot linux-vm-snapshot")
        .assert_stdout_contains("Operation:        linux-vm-restore-20261126-100000 (Completed)")
        .assert_stdout_contains("kubectl vmsnap restore linux-vm --snapshot linux-vm-pre-restore-20261126-100000 -n my-project");
    let w = writes(&t);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].contains("/virtualmachineoperations "), "{w:?}");
    assert!(w[1].contains("/virtualmachinesnapshots "), "{w:?}");
    assert!(w[2].contains("/virtualmachineoperations "), "{w:?}");
    t.wait_until(VMOPS, NS, "linux-vm-restore-20261126-100000", |v| {
        v["spec"]["restore"]["mode"] == "Strict" && v["status"]["phase"] == "Completed"
    })
    .await;
    let out = t
        .cmd()
        .args(&["describe", "linux-vm-pre-restore-20261126-100000"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("before restoring the VM from linux-vm-snapshot")
        .assert_stdout_contains(
            "Undo:                  kubectl vmsnap restore linux-vm --snapshot linux-vm-pre-restore-20261126-100000 -n my-project",
        );
}

#[tokio::test]
async fn restore_with_stop_stops_the_vm_after_the_safety_snapshot_and_leaves_it_stopped() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "linux-vm",
            "--snapshot",
            "linux-vm-snapshot",
            "--stop",
            "--yes",
            "--confirm-name",
            "linux-vm-snapshot",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("--stop: stopped before the restore, left stopped after it")
        .assert_stdout_contains("VM my-project/linux-vm restored from snapshot linux-vm-snapshot");
    // DryRun, safety snapshot, Stop, then the Restore.
    let w = writes(&t);
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(w[1].contains("/virtualmachinesnapshots "), "{w:?}");
    let ops: Vec<Value> = t
        .writes()
        .into_iter()
        .filter(|r| r.path.ends_with("/virtualmachineoperations"))
        .filter_map(|r| r.body)
        .collect();
    let types: Vec<&str> = ops
        .iter()
        .map(|o| o["spec"]["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, ["Restore", "Stop", "Restore"], "{ops:?}");
    assert_eq!(ops[0]["spec"]["restore"]["mode"], "DryRun");
    t.wait_until(VMS, NS, "linux-vm", |v| v["status"]["phase"] == "Stopped")
        .await;
}

#[tokio::test]
async fn a_missing_image_fails_strict_and_best_effort_is_explained_and_goes_ahead() {
    let t = settled().await;
    t.cmd()
        .args(&["create", "win-vm", "--name", "win-1", "--yes"])
        .run()
        .await
        .assert_code(0);
    let vi = vmsnap_sim::Gvr::new(GROUP, "v1alpha2", "virtualimages");
    t.sim
        .store()
        .delete(&vi, Some(NS), "tools-iso")
        .expect("delete image");
    let before = t.writes().len();
    let args = [
        "restore",
        "win-vm",
        "--snapshot",
        "win-1",
        "--yes",
        "--confirm-name",
        "win-1",
        "--no-safety-snapshot",
    ];
    let out = t.cmd().args(&args).run().await;
    out.assert_code(1)
        .assert_stderr_contains("VirtualImage tools-iso")
        .assert_stderr_contains("--mode BestEffort goes ahead and removes the missing images");
    only_the_dry_run(&t, before);
    // No --start-after: win-vm's runPolicy AlwaysOff makes Deckhouse refuse a Start (see
    // restore_start_after_and_stop_are_refused_for_a_run_policy_that_forbids_them).
    let out = t
        .cmd()
        .args(&args)
        .args(&["--mode", "BestEffort"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("BestEffort goes ahead when an image the VM used")
        .assert_stderr_contains("[BestEffort goes ahead: removed from the VM]")
        .assert_stderr_contains("nothing can undo the restore")
        .assert_stdout_contains("VM my-project/win-vm restored from snapshot win-1");
    t.wait_until(VMS, NS, "win-vm", |v| {
        v["spec"]["blockDeviceRefs"]
            .as_array()
            .is_some_and(|r| r.iter().all(|b| b["name"] != "tools-iso"))
    })
    .await;
}

#[tokio::test]
async fn a_second_operation_on_a_vm_is_refused_naming_the_one_running() {
    let t = settled_with("controllers:\n  restores:\n    linux-vm: { outcome: Stuck }\n").await;
    let out = t
        .cmd()
        .args(&SCRIPTED_RESTORE)
        .args(&["--no-safety-snapshot", "--no-wait"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("started (operation linux-vm-restore-20261126-100000)")
        .assert_stdout_contains("cancelling an in-progress restore leaves the VM inconsistent");
    t.wait_until(VMOPS, NS, "linux-vm-restore-20261126-100000", |v| {
        v["status"]["phase"] == "InProgress"
    })
    .await;
    let before = t.writes().len();
    let out = t.cmd().args(&SCRIPTED_RESTORE).run().await;
    out.assert_code(1)
        .assert_stderr_contains("already has an operation in progress: Restore linux-vm-restore-20261126-100000 (InProgress)")
        .assert_stderr_contains("kubectl get vmop linux-vm-restore-20261126-100000 -n my-project -w");
    assert_eq!(t.writes().len(), before, "{:?}", writes(&t));
    // A snapshot now would capture a half-restored VM.
    let out = t.cmd().args(&["create", "linux-vm", "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("Restore linux-vm-restore-20261126-100000");
    assert_eq!(t.writes().len(), before, "{:?}", writes(&t));
}

#[tokio::test]
async fn ctrl_c_while_a_restore_runs_says_it_continues_and_deletes_nothing() {
    let t = settled_with("controllers:\n  restores:\n    linux-vm: { outcome: Stuck }\n").await;
    let out = t
        .cmd()
        .args(&SCRIPTED_RESTORE)
        .args(&["--no-safety-snapshot", "-v", "1"])
        .interrupt_after("Restoring VM linux-vm from linux-vm-snapshot")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("the restore continues on the cluster")
        .assert_stderr_contains("cancelling an in-progress restore leaves the VM inconsistent");
    assert!(
        writes(&t).iter().all(|w| !w.starts_with("DELETE")),
        "{:?}",
        writes(&t)
    );
}

/// Takes disk snapshot root-1 of linux-vm-root (20Gi), for the restore-disk tests.
async fn disk_snapshot_root_1(t: &TestSim) {
    t.cmd()
        .args(&[
            "create",
            "--disk",
            "linux-vm-root",
            "--name",
            "root-1",
            "--yes",
        ])
        .run()
        .await
        .assert_code(0);
}

#[tokio::test]
async fn restore_disk_makes_a_new_disk_and_refuses_a_size_below_the_original() {
    let t = settled().await;
    disk_snapshot_root_1(&t).await;
    let before = t.writes().len();
    let out = t
        .cmd()
        .args(&[
            "restore-disk",
            "root-1",
            "--to",
            "root-copy",
            "--size",
            "10Gi",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("--size 10Gi is smaller than the snapshot's 20Gi");
    assert_eq!(t.writes().len(), before, "{:?}", writes(&t));
    let out = t
        .cmd()
        .args(&["restore-disk", "root-1", "--to", "root-copy", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Size:           20Gi (the snapshot's)")
        .assert_stdout_contains(
            "VirtualDisk my-project/root-copy is ready, restored from disk snapshot root-1",
        );
    t.wait_until(DISKS, NS, "root-copy", |v| {
        v["spec"]["dataSource"]["objectRef"]["kind"] == "VirtualDiskSnapshot"
            && v["spec"]["dataSource"]["objectRef"]["name"] == "root-1"
            && v["status"]["capacity"] == "20Gi"
    })
    .await;
    let out = t
        .cmd()
        .args(&[
            "restore-disk",
            "root-1",
            "--to",
            "root-big",
            "--size",
            "30Gi",
            "--storage-class",
            "linstor-fast",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Size:           30Gi (the snapshot's: 20Gi)")
        .assert_stdout_contains("Storage class:  linstor-fast");
    let out = t
        .cmd()
        .args(&["restore-disk", "root-1", "--to", "root-big", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("a VirtualDisk named root-big already exists");
}

#[tokio::test]
async fn clone_from_a_snapshot_renames_with_name_replacements() {
    let t = settled().await;
    // Only the VM renamed: its disks keep their names and collide.
    let out = t
        .cmd()
        .args(&["clone", "linux-vm-snapshot", "--to", "linux-vm-2", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("Conflicts found by the dry run:")
        .assert_stderr_contains("--name-replacement VirtualDisk/linux-vm-root=linux-vm-2-root");
    only_vmsop(&t, 0);
    let out = t
        .cmd()
        .args(&[
            "clone",
            "linux-vm-snapshot",
            "--to",
            "linux-vm-2",
            "--name-replacement",
            "vd/linux-vm-root=linux-vm-2-root",
            "--name-replacement",
            "VirtualDisk/linux-vm-data=linux-vm-2-data",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("linux-vm-root → linux-vm-2-root")
        .assert_stderr_contains("no conflicts")
        .assert_stderr_contains("machine-id")
        .assert_stdout_contains(
            "VM my-project/linux-vm-2 created from snapshot linux-vm-snapshot of VM linux-vm",
        )
        .assert_stdout_contains("VirtualDisk linux-vm-2-root");
    t.wait_until(VMS, NS, "linux-vm-2", |v| {
        v["metadata"]["name"] == "linux-vm-2"
    })
    .await;
    t.wait_until(DISKS, NS, "linux-vm-2-data", |v| {
        v["status"]["phase"] == "Ready"
    })
    .await;
}

#[track_caller]
fn only_vmsop(t: &TestSim, before: usize) {
    let w = writes(t);
    let new = &w[before..];
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(
        new[0].contains("/virtualmachinesnapshotoperations "),
        "{new:?}"
    );
}

#[tokio::test]
async fn a_clone_without_a_terminal_or_yes_writes_nothing_not_even_the_dry_run() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["clone", "linux-vm-snapshot", "--to", "linux-vm-2"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("not run: the clone cannot be confirmed, so nothing is written")
        .assert_stderr_contains("confirmation required: no terminal to ask on");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn clone_from_a_powered_off_vm_with_a_suffix_and_a_running_one_is_refused() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["clone", "linux-vm", "--from-vm", "--suffix=-copy", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "VM my-project/linux-vm is Running: --from-vm clones a powered-off VM only",
        )
        .assert_stderr_contains("d8 v stop linux-vm -n my-project");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
    let out = t
        .cmd()
        .args(&["clone", "win-vm", "--from-vm", "--suffix=-copy", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("win-vm-root → win-vm-root-copy")
        .assert_stdout_contains("VM my-project/win-vm-copy cloned from VM win-vm");
    t.wait_until(VMS, NS, "win-vm-copy", |v| {
        v["metadata"]["name"] == "win-vm-copy"
    })
    .await;
    // The clone's temporary snapshot is gone, and never listed.
    let out = t.cmd().args(&["list"]).run().await;
    assert!(!out.stdout.contains("vmop-clone-"), "{}", out.transcript());
}

#[tokio::test]
async fn a_flag_of_another_platform_is_a_usage_error() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["create", "linux-vm", "--memory", "--yes"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("--memory is a VMware VM Operator option");
    let out = t.cmd().args(&["tree", "linux-vm"]).run().await;
    out.assert_code(2)
        .assert_stderr_contains("is not available on Deckhouse Virtualization");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

/// This platform's transcripts for docs/commands (the docs' Deckhouse cluster, namespace
/// my-project, instant controllers). Order matters: later runs see what earlier ones made.
pub(crate) async fn docs(t: &mut Transcripts) {
    const N: [&str; 2] = ["-n", "my-project"];
    let run = |t: &mut Transcripts, id: &'static str, args: &[&str]| {
        let mut v = args.to_vec();
        v.extend(N);
        t.run(id, &v);
    };
    run(t, "dh-check", &["check"]);
    run(
        t,
        "dh-create-vm",
        &["create", "linux-vm", "--name", "before-upgrade", "--yes"],
    );
    run(t, "dh-create-no-agent", &["create", "db-vm", "--yes"]);
    t.dialogue(
        "dh-create-no-agent-terminal",
        &["stop-and-snapshot", "yes"],
        &[
            "create",
            "db-vm",
            "--name",
            "db-vm-cold",
            "-n",
            "my-project",
        ],
    )
    .await;
    run(t, "dh-create-resizing", &["create", "web-vm", "--yes"]);
    run(
        t,
        "dh-create-images",
        &["create", "win-vm", "--name", "win-vm-base", "--yes"],
    );
    run(
        t,
        "dh-create-disk",
        &[
            "create",
            "--disk",
            "linux-vm-data",
            "--name",
            "data-before-upgrade",
            "--yes",
        ],
    );
    run(t, "dh-list", &["list"]);
    run(t, "dh-list-disks", &["list", "--disks"]);
    run(t, "dh-describe", &["describe", "before-upgrade"]);
    t.dialogue(
        "dh-restore-declined",
        &["before-upgrade", "no"],
        &[
            "restore",
            "linux-vm",
            "--snapshot",
            "before-upgrade",
            "-n",
            "my-project",
        ],
    )
    .await;
    run(
        t,
        "dh-restore",
        &[
            "restore",
            "linux-vm",
            "--snapshot",
            "before-upgrade",
            "--yes",
            "--confirm-name",
            "before-upgrade",
        ],
    );
    run(
        t,
        "dh-restore-disk-small",
        &[
            "restore-disk",
            "data-before-upgrade",
            "--to",
            "linux-vm-data-copy",
            "--size",
            "10Gi",
            "--yes",
        ],
    );
    run(
        t,
        "dh-restore-disk",
        &[
            "restore-disk",
            "data-before-upgrade",
            "--to",
            "linux-vm-data-copy",
            "--yes",
        ],
    );
    run(
        t,
        "dh-clone-conflict",
        &["clone", "before-upgrade", "--to", "linux-vm-2", "--yes"],
    );
    run(
        t,
        "dh-clone",
        &[
            "clone",
            "before-upgrade",
            "--to",
            "linux-vm-2",
            "--name-replacement",
            "vd/linux-vm-root=linux-vm-2-root",
            "--name-replacement",
            "vd/linux-vm-data=linux-vm-2-data",
            "--yes",
        ],
    );
    run(
        t,
        "dh-clone-running",
        &["clone", "linux-vm", "--from-vm", "--suffix=-copy", "--yes"],
    );
    run(
        t,
        "dh-clone-stopped",
        &["clone", "win-vm", "--from-vm", "--prefix", "test-", "--yes"],
    );
    run(
        t,
        "dh-prune",
        &["prune", "linux-vm", "--keep", "1", "--dry-run"],
    );
    run(t, "dh-delete", &["delete", "win-vm-base", "--yes"]);
}

#[tokio::test]
async fn a_viewer_is_refused_every_write_before_any_question() {
    let t = settled().await;
    let viewer = t.kubeconfig_for("viewer", NS);
    for args in [
        &["create", "linux-vm", "--yes"][..],
        &["create", "--disk", "linux-vm-root", "--yes"],
        &[
            "restore",
            "linux-vm",
            "--snapshot",
            "linux-vm-snapshot",
            "--yes",
            "--confirm-name",
            "linux-vm-snapshot",
        ],
        &["clone", "linux-vm-snapshot", "--prefix", "x-", "--yes"],
        &["delete", "linux-vm-snapshot", "--yes"],
    ] {
        let out = t.cmd().kubeconfig(&viewer).args(args).run().await;
        out.assert_code(6)
            .assert_stderr_contains("you are not allowed to")
            .assert_stderr_contains(".virtualization.deckhouse.io in namespace my-project");
    }
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn client_dry_runs_print_the_plan_and_write_nothing() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["create", "linux-vm", "--dry-run"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Snapshot plan for VM my-project/linux-vm")
        .assert_stdout_contains("would be created (dry run)");
    let out = t
        .cmd()
        .args(&[
            "restore",
            "linux-vm",
            "--snapshot",
            "linux-vm-snapshot",
            "--dry-run",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("not run: --dry-run=client writes nothing")
        .assert_stdout_contains("would be restored from snapshot linux-vm-snapshot (dry run)");
    let out = t
        .cmd()
        .args(&["clone", "linux-vm-snapshot", "--prefix", "x-", "--dry-run"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("VM my-project/x-linux-vm would be created");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn a_snapshot_of_another_vm_is_not_restored_onto_this_one() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "other-vm",
            "--snapshot",
            "linux-vm-snapshot",
            "--yes",
            "--confirm-name",
            "linux-vm-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("was taken of linux-vm, not other-vm")
        .assert_stderr_contains("clone it into a new VM");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn a_restore_whose_safety_snapshot_would_fail_is_refused_before_the_dry_run() {
    let t = settled().await;
    // linux-vm-data grows, and its resize stays in progress.
    let g = vmsnap_sim::Gvr::new(DISKS.0, DISKS.1, DISKS.2);
    let mut vd = t
        .sim
        .store()
        .get(&g, Some(NS), "linux-vm-data")
        .expect("disk");
    vd["metadata"]["annotations"] = serde_json::json!({"vmsnap-sim/resize": "Stuck"});
    vd["spec"]["persistentVolumeClaim"]["size"] = serde_json::json!("80Gi");
    t.sim.store().update(&g, vd).expect("update");
    t.wait_until(DISKS, NS, "linux-vm-data", |v| {
        v["status"]["phase"] == "Resizing"
    })
    .await;
    let args = [
        "restore",
        "linux-vm",
        "--snapshot",
        "linux-vm-snapshot",
        "--yes",
        "--confirm-name",
        "linux-vm-snapshot",
    ];
    let out = t.cmd().args(&args).run().await;
    out.assert_code(1)
        .assert_stderr_contains("the safety snapshot of VM my-project/linux-vm taken before restoring would not succeed")
        .assert_stderr_contains("linux-vm-data is being resized")
        .assert_stderr_contains("--no-safety-snapshot");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn a_failed_snapshot_exits_1_with_deckhouses_reason() {
    let t = settled_with(
        "controllers:\n  snapshots:\n    broken: { outcome: Failed, message: \"the CSI driver refused\" }\n",
    )
    .await;
    let out = t
        .cmd()
        .args(&["create", "win-vm", "--name", "broken", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: snapshot broken of VM my-project/win-vm failed:")
        .assert_stderr_contains("the CSI driver refused")
        .assert_stderr_contains("kubectl vmsnap delete broken -n my-project");
}

#[tokio::test]
async fn a_restore_that_outlasts_the_timeout_exits_4_and_is_left_running() {
    let t = settled_with("controllers:\n  restores:\n    linux-vm: { outcome: Stuck }\n").await;
    let out = t
        .cmd()
        .args(&SCRIPTED_RESTORE)
        .args(&["--no-safety-snapshot", "--timeout", "1s"])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains(
            "timed out after 1s waiting for restore linux-vm-restore-20261126-100000",
        )
        .assert_stderr_contains("do not delete the operation")
        .assert_stderr_contains(
            "kubectl get vmop linux-vm-restore-20261126-100000 -n my-project -w",
        );
    assert!(
        writes(&t).iter().all(|w| !w.starts_with("DELETE")),
        "{:?}",
        writes(&t)
    );
}

#[tokio::test]
async fn check_shows_which_vms_can_be_snapshotted_and_why_not() {
    let t = settled().await;
    let out = t.cmd().args(&["check"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("VM         STATUS    SNAPSHOTTABLE       CONSISTENCY")
        .assert_stdout_contains("5 VMs: 3 snapshottable now, 2 not")
        .assert_stdout_contains(
            "disk being resized (web-vm): snapshot once the resize has finished",
        );
    let line = |vm: &str| {
        out.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{vm} ")))
            .unwrap_or_else(|| panic!("{}", out.transcript()))
            .to_owned()
    };
    assert!(line("linux-vm").contains("yes") && line("linux-vm").contains("consistent"));
    assert!(
        line("db-vm").contains("inconsistent-only"),
        "{}",
        line("db-vm")
    );
    assert!(
        line("web-vm").contains("the virtual disk web-vm-data is being resized"),
        "{}",
        line("web-vm")
    );
    let out = t.cmd().args(&["check", "win-vm", "-o", "wide"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("attached images are not saved");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn prune_keeps_the_newest_and_the_snapshot_a_running_restore_uses() {
    let t = settled_with("controllers:\n  restores:\n    linux-vm: { outcome: Stuck }\n").await;
    for n in ["nightly-1", "nightly-2"] {
        t.cmd()
            .args(&["create", "linux-vm", "--name", n, "--yes"])
            .run()
            .await
            .assert_code(0);
    }
    let out = t
        .cmd()
        .args(&["prune", "linux-vm", "--keep", "1"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("Prune plan for VM my-project/linux-vm")
        .assert_stderr_contains("To delete (2):");
    // A restore from nightly-2 starts and stays in progress: nightly-2 is kept, whatever
    // the policy says (the snapshots' times may tie, so which one is newest is not fixed).
    t.cmd()
        .args(&[
            "restore",
            "linux-vm",
            "--snapshot",
            "nightly-2",
            "--yes",
            "--confirm-name",
            "nightly-2",
            "--no-safety-snapshot",
            "--no-wait",
        ])
        .run()
        .await
        .assert_code(0);
    let before = t.writes().len();
    let out = t
        .cmd()
        .args(&["prune", "linux-vm", "--keep", "1", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("snapshot(s) deleted");
    let keep = &out.stderr[out.stderr.find("To keep").expect("keep list")..];
    assert!(keep.contains("nightly-2"), "{}", out.transcript());
    let deleted: Vec<String> = writes(&t)[before..]
        .iter()
        .filter(|w| w.starts_with("DELETE"))
        .cloned()
        .collect();
    assert!(!deleted.is_empty(), "{}", out.transcript());
    assert!(
        deleted.iter().all(|d| !d.contains("/nightly-2 ")),
        "{deleted:?}"
    );
}

/// Puts win-vm-root (of the stopped win-vm) in WaitForFirstConsumer, as on a StorageClass that
/// binds on first use before the VM ever ran.
async fn win_vm_root_waits_for_first_consumer(t: &TestSim) {
    let g = vmsnap_sim::Gvr::new(DISKS.0, DISKS.1, DISKS.2);
    let mut vd = t
        .sim
        .store()
        .get(&g, Some(NS), "win-vm-root")
        .expect("win-vm-root");
    vd["status"] = serde_json::json!({"phase": "WaitForFirstConsumer"});
    t.sim.store().update(&g, vd).expect("update");
    t.wait_until(VMS, NS, "win-vm", |v| {
        has_condition(v, "BlockDevicesReady", "False")
    })
    .await;
}

#[tokio::test]
async fn a_stopped_vm_whose_disk_waits_for_its_first_consumer_is_refused_before_any_write() {
    let t = settled().await;
    win_vm_root_waits_for_first_consumer(&t).await;
    let out = t.cmd().args(&["check", "win-vm"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("a disk waits for its first consumer")
        .assert_stdout_contains("start the VM once, then snapshot");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("win-vm") && l.contains(" no ")),
        "{}",
        out.stdout
    );
    let out = t.cmd().args(&["create", "win-vm", "--yes"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("the virtual disk win-vm-root is WaitForFirstConsumer")
        .assert_stderr_contains("d8 v start win-vm")
        .assert_stderr_contains("nothing was changed");
    // A disk snapshot would wait for a Ready disk that never comes: refused too.
    let out = t
        .cmd()
        .args(&["create", "--disk", "win-vm-root", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("cannot become Ready now and the snapshot would stay Pending")
        .assert_stderr_contains("nothing was changed");
    assert!(t.writes().is_empty(), "{:?}", writes(&t));
}

#[tokio::test]
async fn restore_disk_keeps_the_source_disks_storage_class_and_refuses_one_that_cannot_hold_it() {
    let t = settled().await;
    disk_snapshot_root_1(&t).await;
    let before = t.writes().len();
    // A class that does not exist, and one of another CSI driver: refused, nothing written.
    let out = t
        .cmd()
        .args(&[
            "restore-disk",
            "root-1",
            "--to",
            "root-copy",
            "--storage-class",
            "nosuch",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(5)
        .assert_stderr_contains("error: StorageClass \"nosuch\" not found")
        .assert_stderr_contains(
            "leave --storage-class out to use the source disk's class (linstor-thin-r2)",
        );
    let out = t
        .cmd()
        .args(&[
            "restore-disk",
            "root-1",
            "--to",
            "root-copy",
            "--storage-class",
            "local-lvm",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("StorageClass local-lvm (CSI driver local.csi.storage.deckhouse.io) cannot hold a disk restored from root-1")
        .assert_stderr_contains("leave --storage-class out to restore onto linstor-thin-r2");
    assert_eq!(t.writes().len(), before, "{:?}", writes(&t));
    // Without the flag the new disk is asked for on the source disk's class.
    let out = t
        .cmd()
        .args(&["restore-disk", "root-1", "--to", "root-copy", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Storage class:  linstor-thin-r2 (the source disk's)");
    t.wait_until(DISKS, NS, "root-copy", |v| {
        v["spec"]["persistentVolumeClaim"]["storageClassName"] == "linstor-thin-r2"
    })
    .await;
}

#[tokio::test]
async fn a_clone_says_before_the_question_whether_it_starts_at_once_and_never_says_start_it_when_it_runs()
 {
    let t = settled().await;
    // linux-vm's runPolicy AlwaysOnUnlessStoppedManually is saved in its snapshot and copied:
    // the clone runs as soon as it exists.
    let out = t
        .cmd()
        .args(&["clone", "linux-vm-snapshot", "--suffix=-2", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains(
            "Starts:      at once: runPolicy AlwaysOnUnlessStoppedManually is copied, so a byte-for-byte copy of linux-vm is live on the network",
        )
        .assert_stdout_contains("Power:      started at once (runPolicy AlwaysOnUnlessStoppedManually, copied)")
        .assert_stdout_contains("d8 v stop linux-vm-2 -n my-project   # it started at once");
    assert!(!out.stdout.contains("d8 v start"), "{}", out.stdout);
    // Said in the plan, which is printed before the DryRun operation and the question.
    let plan = out.stderr.find("Starts:").expect("plan");
    assert!(
        plan < out.stderr.find("Dry run:").expect("dry run"),
        "{}",
        out.stderr
    );
    // win-vm's AlwaysOff is copied: the clone stays stopped until started.
    let out = t
        .cmd()
        .args(&["clone", "win-vm", "--from-vm", "--prefix", "test-", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Starts:      no: runPolicy AlwaysOff is copied")
        .assert_stdout_contains("Power:      stopped (runPolicy AlwaysOff)")
        .assert_stdout_contains(
            "d8 v start test-win-vm -n my-project   # once the guest is prepared",
        );
}

#[tokio::test]
async fn the_clone_question_repeats_that_the_clone_starts_at_once_and_no_creates_nothing() {
    let t = settled().await;
    let ui = ScriptedUi::new(vec![text("no")]);
    let args = ["clone", "linux-vm-snapshot", "--suffix=-2", "-n", NS];
    let out = run_in_process(&t, ui.clone(), &args).await;
    out.assert_code(3).assert_stderr_contains(
        "Starts:      at once: runPolicy AlwaysOnUnlessStoppedManually is copied",
    );
    assert_eq!(
        ui.prompts(),
        [
            "Create VM linux-vm-2? It starts at once (runPolicy AlwaysOnUnlessStoppedManually). (yes/no)"
        ]
    );
    only_vmsop(&t, 0);
}
