//! The seed dialogues, driven in-process with a scripted Ui against the simulator.

use crate::support::scripted_ui::text;
use crate::support::{Answer, SNAPSHOTS, ScriptedUi, TestSim, VMS, run_in_process};

#[tokio::test]
async fn seed_snapshot_of_running_database_with_guest_agent_is_application_consistent() {
    let t = TestSim::start().await;
    t.vm_status("database-01", "Running").await;
    let ui = ScriptedUi::new(vec![text("yes")]);
    let out = run_in_process(
        &t,
        ui.clone(),
        &["create", "database-01", "-n", "production"],
    )
    .await;
    out.assert_code(0);
    assert_eq!(ui.prompts(), vec!["Proceed? (yes/no)"]);
    // The plan came before the question, on stderr.
    out.assert_stderr_contains("Snapshot plan for VM production/database-01")
        .assert_stderr_contains("guest agent connected")
        .assert_stderr_contains("rootdisk")
        .assert_stderr_contains("datadisk");
    out.assert_stdout_contains(
        "Snapshot database-01-snapshot-20261126-100000 of VM production/database-01 is ready",
    )
    .assert_stdout_contains("application-consistent")
    .assert_stdout_contains("kubectl vmsnap restore database-01 --snapshot database-01-snapshot-20261126-100000 -n production");
    let posts: Vec<_> = t
        .writes()
        .into_iter()
        .filter(|w| w.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(
        posts[0]
            .path
            .ends_with("/namespaces/production/virtualmachinesnapshots")
    );
}

#[tokio::test]
async fn seed_restore_of_database_after_stop_and_restore() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    t.vm_status("database-01", "Running").await;
    let ui = ScriptedUi::new(vec![
        Answer::Choice(0),
        text("pre-upgrade-snapshot"),
        text("yes"),
    ]);
    let args = [
        "restore",
        "database-01",
        "--snapshot",
        "pre-upgrade-snapshot",
        "-n",
        "production",
    ];
    let out = run_in_process(&t, ui.clone(), &args).await;
    out.assert_code(0);
    let prompts = ui.prompts();
    assert_eq!(prompts.len(), 3, "{prompts:?}");
    assert!(
        prompts[0].contains("stop-and-restore / cancel"),
        "{prompts:?}"
    );
    assert!(
        prompts[1].starts_with("Type the snapshot name"),
        "{prompts:?}"
    );
    assert!(
        prompts[2].starts_with("All changes since ")
            && prompts[2].ends_with("Proceed with VM restore? (yes/cancel)"),
        "{prompts:?}"
    );
    out.assert_stderr_contains("ALL changes since")
        .assert_stderr_contains("will be lost")
        .assert_stdout_contains(
            "VM production/database-01 restored from snapshot pre-upgrade-snapshot",
        );
    let restore = t
        .writes()
        .into_iter()
        .find(|w| w.method == "POST" && w.path.ends_with("/virtualmachinerestores"))
        .expect("a restore was created");
    let body = restore.body.expect("body");
    assert_eq!(
        body["metadata"]["name"],
        "restore-database-01-20261126-100000"
    );
    assert_eq!(body["spec"]["targetReadinessPolicy"], "StopTarget");
    assert_eq!(
        body["spec"]["virtualMachineSnapshotName"],
        "pre-upgrade-snapshot"
    );
}

#[tokio::test]
async fn running_vm_without_agent_offers_stop_and_snapshot() {
    let t = TestSim::start().await;
    t.vm_status("web-02", "Running").await;
    let ui = ScriptedUi::new(vec![Answer::Choice(0), text("yes"), text("yes")]);
    let out = run_in_process(
        &t,
        ui.clone(),
        &["create", "web-02", "--name", "web-02-consistent"],
    )
    .await;
    out.assert_code(0).assert_stdout_contains("offline");
    let prompts = ui.prompts();
    assert!(prompts[0].contains("stop-and-snapshot"), "{prompts:?}");
    assert!(prompts[1].starts_with("Start the VM again"), "{prompts:?}");
    assert_eq!(prompts[2], "Proceed? (yes/no)");
    assert!(t.writes().iter().any(|w| w.path.ends_with("/web-02/stop")));
    assert!(t.writes().iter().any(|w| w.path.ends_with("/web-02/start")));
}

/// The position of the first write whose method is `method` and whose path ends with `tail`.
fn write_index(writes: &[vmsnap_sim::RequestRecord], method: &str, tail: &str) -> usize {
    writes
        .iter()
        .position(|w| w.method == method && w.path.ends_with(tail))
        .unwrap_or_else(|| panic!("no {method} …{tail} in {writes:?}"))
}

/// `restore database-01 --snapshot pre-upgrade-snapshot --stop`, asking.
const STOP_AND_RESTORE: [&str; 5] = [
    "restore",
    "database-01",
    "--snapshot",
    "pre-upgrade-snapshot",
    "--stop",
];

/// [`STOP_AND_RESTORE`] scripted, with `extra` flags.
fn scripted_stop_and_restore<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = STOP_AND_RESTORE.to_vec();
    args.extend(["--yes", "--confirm-name", "pre-upgrade-snapshot"]);
    args.extend(extra);
    args
}

/// Changes a VM of the production namespace in the store.
fn mutate_vm(t: &TestSim, vm: &str, change: impl FnOnce(&mut serde_json::Value)) {
    t.sim
        .store()
        .mutate(
            &vmsnap_sim::Gvr::new(VMS.0, VMS.1, VMS.2),
            Some("production"),
            vm,
            change,
        )
        .expect("VM updated");
}

/// A VM of the production namespace as the store holds it.
fn stored_vm(t: &TestSim, vm: &str) -> serde_json::Value {
    t.sim
        .store()
        .get(
            &vmsnap_sim::Gvr::new(VMS.0, VMS.1, VMS.2),
            Some("production"),
            vm,
        )
        .expect("VM exists")
}

/// Sets a VM's `spec.runStrategy` in the store.
fn set_run_strategy(t: &TestSim, vm: &str, strategy: &str) {
    mutate_vm(t, vm, |v| {
        v["spec"]["runStrategy"] = serde_json::json!(strategy)
    });
}

#[tokio::test]
async fn stop_and_restore_stops_the_vm_before_its_safety_snapshot_so_no_write_is_lost() {
    let t = TestSim::start().await;
    let out = run_in_process(&t, ScriptedUi::new(vec![]), &scripted_stop_and_restore(&[])).await;
    out.assert_code(0)
        .assert_stderr_contains("Stopping VM production/database-01 …")
        .assert_stderr_contains(
            "of the VM once stopped (offline (consistent)), taken after the stop",
        );
    let writes = t.writes();
    let stop = write_index(&writes, "PUT", "/database-01/stop");
    let safety = write_index(&writes, "POST", "/virtualmachinesnapshots");
    let restore = write_index(&writes, "POST", "/virtualmachinerestores");
    assert!(stop < safety && safety < restore, "{writes:?}");
    // Taken of the stopped VM: KubeVirt records no Online indication, so no write the guest
    // made before the stop is missing from it (nothing ran after the stop to write).
    let name = "database-01-pre-restore-20261126-100000";
    let snap = t
        .sim
        .store()
        .get(
            &vmsnap_sim::Gvr::new(SNAPSHOTS.0, SNAPSHOTS.1, SNAPSHOTS.2),
            Some("production"),
            name,
        )
        .expect("safety snapshot");
    let indications = snap["status"]["indications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !indications.iter().any(|i| i == "Online"),
        "{indications:?}"
    );
    assert_eq!(snap["status"]["phase"], "Succeeded");
}

#[tokio::test]
async fn create_stop_start_after_puts_back_the_run_strategy_the_vm_had() {
    let t = TestSim::start().await;
    set_run_strategy(&t, "web-02", "RerunOnFailure");
    let out = t
        .cmd()
        .args(&["create", "web-02", "--stop", "--start-after", "--yes"])
        .run()
        .await;
    out.assert_code(0);
    t.vm_status("web-02", "Running").await;
    let vm = stored_vm(&t, "web-02");
    assert_eq!(vm["spec"]["runStrategy"], "RerunOnFailure", "{vm}");
}

#[tokio::test]
async fn restore_start_after_puts_back_the_run_strategy_the_vm_had() {
    let t = TestSim::start().await;
    set_run_strategy(&t, "database-01", "RerunOnFailure");
    let out = t
        .cmd()
        .args(&scripted_stop_and_restore(&["--start-after"]))
        .run()
        .await;
    out.assert_code(0);
    let vm = stored_vm(&t, "database-01");
    assert_eq!(vm["spec"]["runStrategy"], "RerunOnFailure", "{vm}");
    assert_eq!(vm["status"]["printableStatus"], "Running", "{vm}");
}

#[tokio::test]
async fn restore_dialogue_shows_a_mismatched_name_and_writes_nothing() {
    let t = TestSim::start().await;
    let ui = ScriptedUi::new(vec![text("pre-upgrade-snapshop")]);
    let out = run_in_process(&t, ui.clone(), &STOP_AND_RESTORE).await;
    out.assert_code(3)
        .assert_stderr_contains("You typed: pre-upgrade-snapshop\nExpected:  pre-upgrade-snapshot")
        .assert_stderr_contains("names do not match");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn restore_dialogue_confirms_the_name_and_repeats_the_loss_window() {
    let t = TestSim::start().await;
    let ui = ScriptedUi::new(vec![text("pre-upgrade-snapshot"), text("no")]);
    let out = run_in_process(&t, ui.clone(), &STOP_AND_RESTORE).await;
    out.assert_code(3)
        .assert_stderr_contains("Name confirmed: pre-upgrade-snapshot");
    let prompts = ui.prompts();
    assert!(
        prompts[1].starts_with("All changes since 20")
            && prompts[1].contains("will be lost from the VM (the safety snapshot keeps them)")
            && prompts[1].ends_with("Proceed with VM restore? (yes/cancel)"),
        "{prompts:?}"
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn no_input_at_a_terminal_says_no_input_was_given_not_that_there_is_no_terminal() {
    let t = TestSim::start().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![]),
        &["create", "batch-03", "--no-input"],
    )
    .await;
    out.assert_code(3)
        .assert_stderr_contains("error: confirmation required: --no-input was given");
    assert!(!out.stderr.contains("no terminal"), "{}", out.stderr);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn plans_and_dry_runs_say_the_guest_agent_will_freeze_not_that_it_froze() {
    let t = TestSim::start().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![]),
        &["create", "database-01", "--dry-run=client"],
    )
    .await;
    out.assert_code(0)
        .assert_stderr_contains("the guest agent will freeze the file systems")
        .assert_stdout_contains("the guest agent will freeze the file systems");
    assert!(
        !out.stderr.contains("froze") && !out.stdout.contains("froze"),
        "{}\n{}",
        out.stderr,
        out.stdout
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn batch_question_about_one_vm_without_agent_is_in_the_singular() {
    let t = TestSim::start().await;
    for vm in ["web-02", "batch-03"] {
        mutate_vm(&t, vm, |v| {
            v["metadata"]["labels"]["tier"] = serde_json::json!("test")
        });
    }
    let ui = ScriptedUi::new(vec![Answer::Choice(1)]);
    let out = run_in_process(&t, ui.clone(), &["create", "-l", "tier=test"]).await;
    out.assert_code(3);
    assert_eq!(
        ui.prompts()[0],
        "web-02 runs without a guest agent. How should it be snapshotted? \
         [online (crash-consistent; it keeps running) / cancel]"
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn prune_keep_1_right_after_a_restore_counts_the_safety_snapshot_apart() {
    let t = TestSim::start().await;
    run_in_process(&t, ScriptedUi::new(vec![]), &scripted_stop_and_restore(&[]))
        .await
        .assert_code(0);
    t.sim.clear_requests();
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![]),
        &["prune", "database-01", "--keep", "1", "--yes"],
    )
    .await;
    out.assert_code(0).assert_stderr_contains(
        "Safety snapshots (label vmsnap.io/purpose=pre-restore) are the plugin's own",
    );
    let deleted: Vec<String> = t
        .writes()
        .into_iter()
        .filter(|w| w.method == "DELETE")
        .map(|w| w.path)
        .collect();
    // Only the failed snapshot goes: the user's newest and the fresh safety snapshot stay.
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert!(deleted[0].ends_with("/failed-snapshot"), "{deleted:?}");
}

#[tokio::test]
async fn two_snapshot_classes_without_a_default_get_the_same_advice_from_create_and_check() {
    let t = TestSim::start().await;
    let classes = vmsnap_sim::Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses");
    t.sim
        .store()
        .create(
            &classes,
            serde_json::json!({"apiVersion": "snapshot.storage.k8s.io/v1",
                "kind": "VolumeSnapshotClass", "metadata": {"name": "ceph-rbd-retain"},
                "driver": "rbd.csi.ceph.com", "deletionPolicy": "Retain"}),
        )
        .expect("second class");
    t.wait_until(VMS, "production", "batch-03", |v| {
        v["status"]["volumeSnapshotStatuses"]
            .as_array()
            .is_some_and(|a| a.iter().all(|s| s["enabled"] == false))
    })
    .await;
    let advice = "mark one VolumeSnapshotClass per driver as default (annotation \
                  snapshot.storage.kubernetes.io/is-default-class) or to name one in the CDI \
                  StorageProfile";
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![]),
        &["create", "batch-03", "--yes"],
    )
    .await;
    out.assert_code(1).assert_stderr_contains(advice);
    assert!(
        !out.stderr
            .contains("for a VolumeSnapshotClass for the CSI driver"),
        "{}",
        out.stderr
    );
    let check = run_in_process(&t, ScriptedUi::new(vec![]), &["check", "batch-03"]).await;
    check.assert_code(0).assert_stdout_contains(advice);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}
