//! The plugin against KubeVirt behaviours the simulator now holds to upstream (issue 14):
//! snapshots Succeeded but not ready, VolumeSnapshots deleted later, clones held Pending.

use vmsnap_sim::{Gvr, SimConfig};

use crate::support::{SNAPSHOTS, TestSim, config};

const NS: &str = "production";

fn vs_gvr() -> Gvr {
    Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots")
}

/// The names of the VolumeSnapshots behind a snapshot (through its content).
fn volume_snapshots(t: &TestSim, snapshot: &str) -> Vec<String> {
    let store = t.sim.store();
    let snap = store
        .get(
            &Gvr::new(SNAPSHOTS.0, SNAPSHOTS.1, SNAPSHOTS.2),
            Some(NS),
            snapshot,
        )
        .expect("snapshot");
    let content = snap["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content name");
    let content = store
        .get(
            &Gvr::new(
                "snapshot.kubevirt.io",
                "v1beta1",
                "virtualmachinesnapshotcontents",
            ),
            Some(NS),
            content,
        )
        .expect("content");
    content["spec"]["volumeBackups"]
        .as_array()
        .expect("backups")
        .iter()
        .filter_map(|b| b["volumeSnapshotName"].as_str().map(str::to_string))
        .collect()
}

/// Deletes one of the snapshot's VolumeSnapshots and waits until KubeVirt's content
/// controller reports it: "VolumeSnapshots (x) missing", readyToUse false. Returns x.
async fn lose_a_volume_snapshot(t: &TestSim, snapshot: &str) -> String {
    let vs = volume_snapshots(t, snapshot)
        .into_iter()
        .next()
        .expect("a volume snapshot");
    t.sim
        .store()
        .delete(&vs_gvr(), Some(NS), &vs)
        .expect("deleted");
    t.wait_until(SNAPSHOTS, NS, snapshot, |v| {
        v["status"]["readyToUse"] == false && v["status"]["error"]["message"].is_string()
    })
    .await;
    vs
}

/// `restore database-01 --snapshot pre-upgrade-snapshot`, scripted.
async fn restore_database_01(t: &TestSim) -> crate::support::Output {
    t.cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--yes",
            "--confirm-name",
            "database-01",
        ])
        .run()
        .await
}

#[tokio::test]
async fn a_snapshot_whose_volume_snapshots_were_deleted_is_shown_and_refused_for_restore_and_clone()
{
    let t = TestSim::start().await;
    let vs = lose_a_volume_snapshot(&t, "pre-upgrade-snapshot").await;
    let missing = format!("VolumeSnapshots ({vs}) missing");

    let list = t.cmd().args(&["list", "database-01"]).run().await;
    list.assert_code(0);
    let row = list
        .stdout
        .lines()
        .find(|l| l.starts_with("pre-upgrade-snapshot "))
        .expect("listed");
    assert!(
        row.contains("Succeeded") && row.contains("false"),
        "Succeeded but not ready: {row}"
    );
    t.cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await
        .assert_code(0)
        .assert_stdout_contains(&missing);

    t.sim.clear_requests();
    let out = restore_database_01(&t).await;
    out.assert_code(1)
        .assert_stderr_contains(&format!(
            "error: snapshot pre-upgrade-snapshot succeeded but is not ready to use: {missing}"
        ))
        .assert_stderr_contains("hint: its volume snapshots were deleted");
    assert!(t.writes().is_empty(), "{:?}", t.writes());

    let out = t
        .cmd()
        .args(&["clone", "pre-upgrade-snapshot", "--to", "db-copy", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(&format!(
            "snapshot pre-upgrade-snapshot succeeded but is not ready to use: {missing}"
        ))
        .assert_stderr_contains("nothing was created");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_succeeded_snapshot_whose_volume_snapshots_are_not_ready_is_refused_until_ready() {
    let t = TestSim::start().await;
    let names = volume_snapshots(&t, "pre-upgrade-snapshot");
    for vs in &names {
        t.sim
            .store()
            .mutate(&vs_gvr(), Some(NS), vs, |v| {
                v["status"]["readyToUse"] = serde_json::json!(false)
            })
            .expect("unready");
    }
    t.wait_until(SNAPSHOTS, NS, "pre-upgrade-snapshot", |v| {
        v["status"]["readyToUse"] == false && v["status"]["phase"] == "Succeeded"
    })
    .await;
    t.sim.clear_requests();
    let out = restore_database_01(&t).await;
    out.assert_code(1)
        .assert_stderr_contains(
            "snapshot pre-upgrade-snapshot succeeded but is not ready to use: its volume snapshots are not ready yet",
        )
        .assert_stderr_contains("hint: the storage is still making them usable");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_clone_kubevirt_holds_pending_ends_at_the_timeout_with_the_pending_reason() {
    // Real-time-ish controllers, so the clone cannot finish before its source is gone.
    let t = TestSim::with(SimConfig {
        time_scale: 0.5,
        ..config()
    })
    .await;
    t.snapshot_ready("web-02-nightly").await;
    // The moment the clone is created, its source snapshot goes: KubeVirt's clone controller
    // then holds the clone Pending ("Source doesnt exist: ...") for as long as it is missing.
    let store = t.sim.store().clone();
    let mut events = store.subscribe();
    let remover = tokio::spawn(async move {
        while let Ok(ev) = events.recv().await {
            if ev.gvr.plural == "virtualmachineclones" {
                let _ = store.delete(
                    &Gvr::new(SNAPSHOTS.0, SNAPSHOTS.1, SNAPSHOTS.2),
                    Some(NS),
                    "web-02-nightly",
                );
                return;
            }
        }
    });
    let out = t
        .cmd()
        .args(&[
            "clone",
            "web-02-nightly",
            "--to",
            "web-copy",
            "--yes",
            "--timeout",
            "3s",
        ])
        .run()
        .await;
    remover.abort();
    // "(Pending: …)" when it was held from the start, "(SnapshotInProgress (pending: …))"
    // when the controller had moved it on first.
    out.assert_code(4)
        .assert_stderr_contains("timed out after 3s waiting for clone")
        .assert_stderr_contains(&format!(
            "ending: Source doesnt exist: VirtualMachineSnapshot {NS}/web-02-nightly)"
        ));
}

#[tokio::test]
async fn diff_of_an_online_snapshot_compares_with_the_spec_the_vm_was_started_with() {
    let t = TestSim::start().await;
    // More memory for the running VM, not applied until a restart: the VMI keeps running
    // from the VM's start revision, and so does what KubeVirt stores in a snapshot.
    t.sim
        .store()
        .mutate(
            &Gvr::new("kubevirt.io", "v1", "virtualmachines"),
            Some(NS),
            "database-01",
            |vm| {
                vm["spec"]["template"]["spec"]["domain"]["memory"]["guest"] =
                    serde_json::json!("8Gi")
            },
        )
        .expect("patched");
    t.cmd()
        .args(&["create", "database-01", "--yes", "--name", "after-resize"])
        .run()
        .await
        .assert_code(0);
    t.snapshot_ready("after-resize").await;
    let out = t.cmd().args(&["diff", "after-resize"]).run().await;
    out.assert_code(1)
        .assert_stdout_contains("  - memory guest: 8Gi → 4Gi")
        .assert_stdout_contains("-          guest: 8Gi\n+          guest: 4Gi")
        .assert_stdout_contains(
            "snapshot after-resize was taken while the VM ran: KubeVirt stored the configuration the VM was started with",
        );
}
