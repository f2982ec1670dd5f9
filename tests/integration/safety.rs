//! Every refusal writes nothing: proved through the simulator's request log.

use crate::support::scripted_ui::text;
use crate::support::{Answer, ScriptedUi, TestSim, run_in_process};

const RESTORE: [&str; 4] = [
    "restore",
    "database-01",
    "--snapshot",
    "pre-upgrade-snapshot",
];

#[tokio::test]
async fn declining_the_snapshot_prompt_writes_nothing() {
    let t = TestSim::start().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("no")]),
        &["create", "database-01"],
    )
    .await;
    out.assert_code(3)
        .assert_stderr_contains("snapshot cancelled");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn anything_but_yes_declines() {
    let t = TestSim::start().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("sure")]),
        &["create", "batch-03"],
    )
    .await;
    out.assert_code(3);
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn cancel_in_the_running_state_choice_writes_nothing() {
    let t = TestSim::start().await;
    t.vm_status("web-02", "Running").await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![Answer::Choice(2)]),
        &["create", "web-02"],
    )
    .await;
    out.assert_code(3);
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn mistyped_snapshot_name_cancels_the_restore_and_writes_nothing() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let ui = ScriptedUi::new(vec![Answer::Choice(0), text("Pre-Upgrade-Snapshot")]);
    let out = run_in_process(&t, ui, &RESTORE).await;
    out.assert_code(3).assert_stderr_contains(
        "names do not match, restore cancelled, current VM state preserved",
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn cancel_at_the_final_restore_question_writes_nothing() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let ui = ScriptedUi::new(vec![
        Answer::Choice(0),
        text("pre-upgrade-snapshot"),
        text("cancel"),
    ]);
    let out = run_in_process(&t, ui, &RESTORE).await;
    out.assert_code(3)
        .assert_stderr_contains("restore cancelled");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn stop_and_restore_declined_writes_nothing() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    t.vm_status("database-01", "Running").await;
    let out = run_in_process(&t, ScriptedUi::new(vec![Answer::Choice(1)]), &RESTORE).await;
    out.assert_code(3);
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn wrong_confirm_name_with_yes_writes_nothing_even_on_a_terminal() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let ui = ScriptedUi::new(vec![]);
    let mut args = RESTORE.to_vec();
    args.extend(["--stop", "--yes", "--confirm-name", "other"]);
    let out = run_in_process(&t, ui.clone(), &args).await;
    out.assert_code(3)
        .assert_stderr_contains("names do not match");
    assert!(ui.prompts().is_empty());
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn no_input_refuses_instead_of_prompting() {
    let t = TestSim::start().await;
    let ui = ScriptedUi::new(vec![]);
    let out = run_in_process(&t, ui.clone(), &["create", "batch-03", "--no-input"]).await;
    out.assert_code(3).assert_stderr_contains("--yes");
    assert!(ui.prompts().is_empty());
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn declining_delete_writes_nothing() {
    let t = TestSim::start().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("no")]),
        &["delete", "web-02-nightly"],
    )
    .await;
    out.assert_code(3);
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn declining_delete_by_selector_asks_once_listing_what_goes_and_writes_nothing() {
    let t = TestSim::start().await;
    let ui = ScriptedUi::new(vec![text("no")]);
    let out = run_in_process(&t, ui.clone(), &["delete", "--all"]).await;
    out.assert_code(3);
    assert_eq!(ui.prompts(), ["Delete these 3 snapshots? (yes/no)"]);
    for name in ["failed-snapshot", "pre-upgrade-snapshot", "web-02-nightly"] {
        out.assert_stderr_contains(name);
    }
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn client_dry_run_writes_nothing() {
    let t = TestSim::start().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![]),
        &["create", "batch-03", "--dry-run", "-o", "json"],
    )
    .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["dryRun"], "client");
    assert!(t.writes().is_empty());
}
