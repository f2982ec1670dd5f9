//! Bad input: invalid or too long names, missing objects, unusable snapshots, and the
//! confirmation flags of scripted runs. None of these may write anything.

use crate::kit::{SNAPSHOTS, assert_no_writes, get, requests};
use crate::support::{SNAPSHOTS as SNAPSHOT_GVR, TestSim};

const RESTORE: [&str; 4] = [
    "restore",
    "database-01",
    "--snapshot",
    "pre-upgrade-snapshot",
];

#[tokio::test]
async fn invalid_dns1123_names_are_usage_errors_before_any_request() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    for bad in [
        "Pre_Upgrade",
        "-start",
        "end-",
        "a..b",
        "UPPER",
        "sp ace",
        "ünï",
    ] {
        let out = t
            .cmd()
            .args(&["create", "database-01", "--yes", &format!("--name={bad}")])
            .run()
            .await;
        out.assert_code(2)
            .assert_stderr_contains("is not a valid Kubernetes name");
    }
    assert!(t.sim.requests().is_empty(), "{:?}", t.sim.requests());
}

#[tokio::test]
async fn bool_flags_refuse_values_parsebool_refuses_and_leave_a_spaced_value_to_the_operand() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    for args in [
        &["list", "--no-headers=maybe"][..],
        &["list", "-Atrue"],
        &["delete", "snap", "--yes", "--wait=yes"],
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(2).assert_stderr_contains("error: ");
    }
    let out = t.cmd().args(&["list", "--no-headers=maybe"]).run().await;
    out.assert_stderr_contains("invalid value 'maybe' for '--no-headers[=<BOOL>]'")
        .assert_stderr_contains("[possible values: true, false]");
    assert!(t.sim.requests().is_empty(), "{:?}", t.sim.requests());
    // With a space, the word after the flag is the operand, as with kubectl's pflag.
    let out = t.cmd().args(&["list", "-A", "false"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("No snapshots of VM false found.");
    assert_no_writes(&t);
}

#[tokio::test]
async fn a_name_longer_than_253_characters_is_refused_before_any_request() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    let long = "a".repeat(254);
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--name", &long])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("use at most 253 lowercase letters");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_name_whose_dot_separated_part_starts_with_a_dash_is_refused_before_any_request() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--name", "a.-b"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("is not a valid Kubernetes name");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn an_invalid_label_is_refused_before_any_request() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    for bad in ["a=-x", "/x=y", "a/b/c=d", "-k=v", "k=v-"] {
        let out = t
            .cmd()
            .args(&[
                "create",
                "database-01",
                "--yes",
                "--name",
                "lbl",
                &format!("--label={bad}"),
            ])
            .run()
            .await;
        out.assert_code(2)
            .assert_stderr_contains("is not a valid label");
    }
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn invalid_durations_are_usage_errors_naming_the_form() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    for (flag, bad) in [
        ("--timeout", "soon"),
        ("--timeout", "5w"),
        ("--failure-deadline", "10"),
        ("--request-timeout", "-1s"),
    ] {
        let out = t
            .cmd()
            .args(&["create", "database-01", "--yes", &format!("{flag}={bad}")])
            .run()
            .await;
        out.assert_code(2)
            .assert_stderr_contains("invalid duration");
    }
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_malformed_label_selector_is_the_servers_bad_request_exit_1() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-l", "a in (b"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: failed to list VirtualMachineSnapshots in namespace production",
        )
        .assert_stderr_contains("Error from server (BadRequest): unable to parse requirement");
    assert_eq!(out.stdout, "");
    assert_no_writes(&t);
}

#[tokio::test]
async fn a_missing_vm_exits_5_with_a_hint_and_writes_nothing() {
    let t = TestSim::start().await;
    for args in [
        &["create", "no-such-vm", "--yes"][..],
        &[
            "restore",
            "no-such-vm",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--yes",
            "--confirm-name",
            "pre-upgrade-snapshot",
        ],
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(5)
            .assert_stderr_contains(
                "error: VirtualMachine \"no-such-vm\" not found in namespace \"production\"",
            )
            .assert_stderr_contains("hint: list the VMs with: kubectl get vm -n production");
    }
    assert_no_writes(&t);
}

#[tokio::test]
async fn a_missing_snapshot_exits_5_for_describe_delete_and_restore() {
    let t = TestSim::start().await;
    for args in [
        &["describe", "no-such-snap"][..],
        &["delete", "no-such-snap", "--yes"],
        &[
            "restore",
            "batch-03",
            "--snapshot",
            "no-such-snap",
            "--yes",
            "--confirm-name",
            "no-such-snap",
        ],
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(5)
            .assert_stderr_contains("\"no-such-snap\" not found");
    }
    assert_no_writes(&t);
}

#[tokio::test]
async fn a_missing_namespace_finds_nothing_like_kubectl_and_writes_nothing() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-n", "no-such-ns"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("No snapshots found in no-such-ns namespace.");
    let out = t
        .cmd()
        .args(&["create", "database-01", "-n", "no-such-ns", "--yes"])
        .run()
        .await;
    out.assert_code(5).assert_stderr_contains(
        "error: VirtualMachine \"database-01\" not found in namespace \"no-such-ns\"",
    );
    assert_no_writes(&t);
}

#[tokio::test]
async fn restoring_a_snapshot_of_another_vm_is_refused_and_writes_nothing() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "web-02-nightly",
            "--stop",
            "--yes",
            "--confirm-name",
            "web-02-nightly",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: snapshot web-02-nightly was taken of VM web-02, not of VM database-01",
        )
        .assert_stderr_contains(
            "hint: list the usable snapshots with: kubectl vmsnap list database-01 -n production",
        );
    assert_no_writes(&t);
}

#[tokio::test]
async fn restoring_a_snapshot_that_is_not_ready_is_refused_and_writes_nothing() {
    let t = TestSim::start().await;
    let snap = serde_json::json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": "stuck-snap", "namespace": "production"},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "stuck-01"}}
    });
    let gvr = vmsnap_sim::Gvr::new(SNAPSHOT_GVR.0, SNAPSHOT_GVR.1, SNAPSHOT_GVR.2);
    t.sim.store().create(&gvr, snap).expect("snapshot created");
    t.wait_until(SNAPSHOT_GVR, "production", "stuck-snap", |v| {
        v["status"]["phase"] == "InProgress"
    })
    .await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "stuck-01",
            "--snapshot",
            "stuck-snap",
            "--yes",
            "--confirm-name",
            "stuck-snap",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: snapshot stuck-snap is not ready: phase InProgress")
        .assert_stderr_contains(
            "hint: wait for it with: kubectl vmsnap wait stuck-snap -n production",
        );
    assert_no_writes(&t);
}

#[tokio::test]
async fn restoring_a_failed_snapshot_is_refused_with_its_reason() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "failed-snapshot",
            "--stop",
            "--yes",
            "--confirm-name",
            "failed-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1).assert_stderr_contains(
        "error: snapshot failed-snapshot failed (freeze failed) and cannot be restored",
    );
    assert_no_writes(&t);
}

#[tokio::test]
async fn no_terminal_without_yes_refuses_with_exit_3_for_each_writing_command() {
    let t = TestSim::start().await;
    for (args, hint) in [
        (
            &["create", "database-01"][..],
            "hint: pass --yes to create the snapshot without asking",
        ),
        (
            &["delete", "pre-upgrade-snapshot"],
            "hint: pass --yes to delete without asking",
        ),
        (
            &[
                "restore",
                "database-01",
                "--snapshot",
                "pre-upgrade-snapshot",
                "--stop",
            ],
            "hint: pass --yes --confirm-name pre-upgrade-snapshot to restore without asking",
        ),
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(3)
            .assert_stderr_contains("error: confirmation required: no terminal to ask on")
            .assert_stderr_contains(hint);
    }
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, "pre-upgrade-snapshot").is_some());
}

#[tokio::test]
async fn a_wrong_confirm_name_cancels_the_restore_and_writes_nothing() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&RESTORE)
        .args(&["--stop", "--yes", "--confirm-name", "web-02-nightly"])
        .run()
        .await;
    out.assert_code(3).assert_stderr_contains(
        "error: names do not match, restore cancelled, current VM state preserved",
    );
    assert_no_writes(&t);
}

#[tokio::test]
async fn confirm_name_without_yes_still_asks_for_yes() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&RESTORE)
        .args(&["--stop", "--confirm-name", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("error: confirmation required: no terminal to ask on")
        .assert_stderr_contains("pass --yes --confirm-name pre-upgrade-snapshot");
    assert_no_writes(&t);
}

#[tokio::test]
async fn yes_without_confirm_name_is_not_enough_for_a_restore() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&RESTORE)
        .args(&["--stop", "--yes"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("error: --yes alone is not enough for a restore")
        .assert_stderr_contains("also pass --confirm-name pre-upgrade-snapshot");
    assert_no_writes(&t);
}

#[tokio::test]
async fn an_existing_snapshot_name_is_refused_by_the_plan_before_any_write() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--name", "web-02-nightly"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: a snapshot named web-02-nightly already exists in namespace production",
        )
        .assert_stderr_contains("hint: choose another name with --name");
    assert_no_writes(&t);
    assert!(requests(&t, "POST", SNAPSHOTS).is_empty());
}
