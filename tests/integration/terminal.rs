//! The real binary on a pseudo-terminal: dialoguer prompts answered by typed keys.

use crate::support::{TestSim, tty};

#[tokio::test]
async fn terminal_create_asks_and_proceeds_on_yes() {
    if !tty::available() {
        return;
    }
    let t = TestSim::start().await;
    let out = tty::run(
        &t.kubeconfig,
        &["create", "batch-03", "--name", "tty-1"],
        "yes\r",
    )
    .await;
    out.assert_code(0)
        .assert_stdout_contains("Proceed? (yes/no)")
        .assert_stdout_contains("Snapshot tty-1 of VM production/batch-03 is ready");
}

#[tokio::test]
async fn terminal_create_declined_writes_nothing() {
    if !tty::available() {
        return;
    }
    let t = TestSim::start().await;
    let out = tty::run(&t.kubeconfig, &["create", "batch-03"], "no\r").await;
    out.assert_code(3)
        .assert_stdout_contains("snapshot cancelled");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn terminal_restore_dialogue_stop_type_name_confirm() {
    if !tty::available() {
        return;
    }
    let t = TestSim::start().await;
    let args = [
        "restore",
        "database-01",
        "--snapshot",
        "pre-upgrade-snapshot",
    ];
    let out = tty::run(&t.kubeconfig, &args, "\rpre-upgrade-snapshot\ryes\r").await;
    out.assert_code(0)
        .assert_stdout_contains("stop-and-restore")
        .assert_stdout_contains("ALL changes since")
        .assert_stdout_contains("Proceed with VM restore? (yes/cancel)")
        .assert_stdout_contains(
            "VM production/database-01 restored from snapshot pre-upgrade-snapshot",
        );
}

#[tokio::test]
async fn terminal_with_stdin_from_dev_null_refuses_at_once() {
    if !tty::available() {
        return;
    }
    let t = TestSim::start().await;
    let out = tty::run(&t.kubeconfig, &["create", "batch-03", "<", "/dev/null"], "").await;
    out.assert_code(3).assert_stdout_contains("pass --yes");
    assert!(t.writes().is_empty());
}

/// Colour is decided per stream: a diff redirected to a file carries no escape codes even
/// though stderr is a terminal; on a terminal stdout it is coloured.
#[tokio::test]
async fn terminal_diff_colours_stdout_only_when_stdout_is_a_terminal() {
    if !tty::available() {
        return;
    }
    let t = TestSim::start().await;
    crate::beyond::grow_database(&t);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("diff.txt");
    let redirect = format!("> {}", file.display());
    let out = tty::run_with(
        &t.kubeconfig,
        &["diff", "pre-upgrade-snapshot", &redirect],
        "",
        &[],
    )
    .await;
    let piped = std::fs::read_to_string(&file).expect("diff written");
    assert!(
        piped.contains("CPU cores: 8 → 2"),
        "{piped}\n{}",
        out.stdout
    );
    assert!(
        !piped.contains('\x1b'),
        "escape codes in a redirected diff: {piped:?}"
    );
    let out = tty::run_with(&t.kubeconfig, &["diff", "pre-upgrade-snapshot"], "", &[]).await;
    assert!(
        out.stdout.contains("\x1b["),
        "no colour on a terminal: {:?}",
        out.stdout
    );
}

#[tokio::test]
async fn terminal_keeps_each_question_and_its_answer_on_screen() {
    if !tty::available() {
        return;
    }
    let t = TestSim::start().await;
    let out = tty::run(&t.kubeconfig, &["create", "batch-03"], "no\r").await;
    out.assert_code(3);
    // Enter leaves "question: answer" and a new line; the line is not erased (ESC[2K).
    assert!(
        out.stdout.contains("Proceed? (yes/no): no\n"),
        "{:?}",
        out.stdout
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}
