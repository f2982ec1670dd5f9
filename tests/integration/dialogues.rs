//! The seed dialogues, driven in-process with a scripted Ui against the simulator.

use crate::support::scripted_ui::text;
use crate::support::{Answer, ScriptedUi, TestSim, run_in_process};

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
    assert_eq!(prompts[2], "Proceed with VM restore? (yes/cancel)");
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
