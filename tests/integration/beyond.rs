//! Issue 6 against the simulator: safety snapshot before restore, config diff, readiness
//! report, retention, new VM from a snapshot. The safety rules are proved through the
//! simulator's request log.

use crate::support::scripted_ui::text;
use crate::support::{Answer, ScriptedUi, TestSim, VMS, config, run_in_process};

/// The safety snapshot `restore database-01` takes at the tests' fixed clock.
const SAFETY: &str = "database-01-pre-restore-20261126-100000";

const SCRIPTED_RESTORE: [&str; 8] = [
    "restore",
    "database-01",
    "--snapshot",
    "pre-upgrade-snapshot",
    "--stop",
    "--yes",
    "--confirm-name",
    "pre-upgrade-snapshot",
];

/// The tests' scenario with `overlay` (a sim.yaml text) layered over it.
async fn sim_with(overlay: &str) -> (TestSim, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("sim.yaml"), overlay).expect("overlay");
    let mut cfg = config();
    cfg.scenarios.push(dir.path().to_path_buf());
    let t = TestSim::with(cfg).await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    t.snapshot_ready("web-02-nightly").await;
    t.vm_status("database-01", "Running").await;
    t.wait_until(VMS, "production", "database-01", |v| {
        v["status"]["snapshotInProgress"].is_null()
    })
    .await;
    (t, dir)
}

fn posts_to(t: &TestSim, plural: &str) -> Vec<vmsnap_sim::RequestRecord> {
    t.writes()
        .into_iter()
        .filter(|w| w.method == "POST" && w.path.ends_with(&format!("/{plural}")))
        .collect()
}

fn position(t: &TestSim, plural: &str) -> Option<usize> {
    t.writes()
        .iter()
        .position(|w| w.method == "POST" && w.path.ends_with(&format!("/{plural}")))
}

// ---- 1. safety snapshot before restore ---------------------------------------------------

#[tokio::test]
async fn scripted_restore_takes_a_ready_safety_snapshot_first_and_prints_the_undo() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&SCRIPTED_RESTORE).run().await;
    out.assert_code(0)
        .assert_stdout_contains(&format!("Safety snapshot:  {SAFETY}"))
        .assert_stdout_contains(&format!(
            "kubectl vmsnap restore database-01 --snapshot {SAFETY} -n production"
        ))
        .assert_stderr_contains(&format!("Safety snapshot {SAFETY} is ready"));
    let snaps = posts_to(&t, "virtualmachinesnapshots");
    assert_eq!(snaps.len(), 1, "{snaps:?}");
    let body = snaps[0].body.clone().expect("body");
    assert_eq!(body["metadata"]["name"], SAFETY);
    assert_eq!(
        body["metadata"]["labels"]["vmsnap.io/purpose"],
        "pre-restore"
    );
    // The restore comes after the snapshot and names it.
    let (s, r) = (
        position(&t, "virtualmachinesnapshots").expect("snapshot"),
        position(&t, "virtualmachinerestores").expect("restore"),
    );
    assert!(s < r, "safety snapshot first: {:?}", t.writes());
    let restore = posts_to(&t, "virtualmachinerestores")[0]
        .body
        .clone()
        .expect("body");
    assert_eq!(
        restore["metadata"]["labels"]["vmsnap.io/safety-snapshot"],
        SAFETY
    );
    t.snapshot_ready(SAFETY).await;
}

#[tokio::test]
async fn describe_links_a_restore_and_its_safety_snapshot_both_ways() {
    let t = TestSim::start().await;
    t.cmd().args(&SCRIPTED_RESTORE).run().await.assert_code(0);
    // The restored snapshot lists the restore with the safety snapshot that undoes it.
    let out = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot", "-o", "report-json"])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let restores = v["restores"].as_array().expect("restores");
    assert!(
        restores.iter().any(|r| r["safetySnapshot"] == SAFETY),
        "{restores:?}"
    );
    let text = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await;
    text.assert_code(0)
        .assert_stdout_contains("SAFETY SNAPSHOT");
    text.assert_stdout_contains(SAFETY);
    // The safety snapshot says which restore it was taken before and how to undo it.
    let out = t.cmd().args(&["describe", SAFETY]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("Safety Snapshot:   taken before restoring pre-upgrade-snapshot\n")
        .assert_stdout_contains(&format!(
            "Undo With:         kubectl vmsnap restore database-01 --snapshot {SAFETY} -n production\n"
        ));
}

#[tokio::test]
async fn a_failed_safety_snapshot_means_no_restore_is_created() {
    let overlay = format!(
        "controllers:\n  snapshots:\n    {SAFETY}: {{ outcome: Failed, message: \"freeze failed\", after: 1s }}\n"
    );
    let (t, _dir) = sim_with(&overlay).await;
    let out = t.cmd().args(&SCRIPTED_RESTORE).run().await;
    out.assert_code(1)
        .assert_stderr_contains(&format!("the safety snapshot {SAFETY} failed"))
        .assert_stderr_contains("hint: nothing was restored")
        .assert_stderr_contains(
            "hint: VM production/database-01 was started again (this run had stopped it)",
        )
        .assert_stderr_contains("--no-safety-snapshot");
    assert_eq!(posts_to(&t, "virtualmachinesnapshots").len(), 1);
    assert!(
        posts_to(&t, "virtualmachinerestores").is_empty(),
        "{:?}",
        t.writes()
    );
}

#[tokio::test]
async fn a_safety_snapshot_that_times_out_means_no_restore_is_created() {
    let overlay = format!("controllers:\n  snapshots:\n    {SAFETY}: {{ outcome: Stuck }}\n");
    let (t, _dir) = sim_with(&overlay).await;
    let mut args = SCRIPTED_RESTORE.to_vec();
    args.extend(["--timeout", "1s"]);
    let out = t.cmd().args(&args).run().await;
    out.assert_code(4)
        .assert_stderr_contains("waiting for the safety snapshot")
        .assert_stderr_contains("nothing was restored");
    assert!(posts_to(&t, "virtualmachinerestores").is_empty());
}

#[tokio::test]
async fn interactive_restore_previews_the_safety_snapshot_and_asks_without_cannot_be_undone() {
    let t = TestSim::start().await;
    let ui = ScriptedUi::new(vec![
        Answer::Choice(0),
        text("pre-upgrade-snapshot"),
        text("yes"),
    ]);
    let out = run_in_process(
        &t,
        ui.clone(),
        &[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
        ],
    )
    .await;
    out.assert_code(0)
        .assert_stderr_contains(&format!(
            "Safety snapshot:  {SAFETY}, of the VM once stopped"
        ))
        .assert_stdout_contains("Undo:");
    let last = ui.prompts().last().cloned().unwrap_or_default();
    assert!(
        last.ends_with("Proceed with VM restore? (yes/cancel)")
            && !last.contains("cannot be undone"),
        "{last}"
    );
    assert!(position(&t, "virtualmachinesnapshots") < position(&t, "virtualmachinerestores"));
}

#[tokio::test]
async fn no_safety_snapshot_says_what_is_lost_and_takes_none() {
    let t = TestSim::start().await;
    let mut args = SCRIPTED_RESTORE.to_vec();
    args.push("--no-safety-snapshot");
    let out = t.cmd().args(&args).run().await;
    out.assert_code(0)
        .assert_stderr_contains("no safety snapshot: VM production/database-01's current disks")
        .assert_stderr_contains("nothing can undo the restore");
    assert!(posts_to(&t, "virtualmachinesnapshots").is_empty());
    assert_eq!(posts_to(&t, "virtualmachinerestores").len(), 1);
    assert!(!out.stdout.contains("Undo:"), "{}", out.stdout);
}

#[tokio::test]
async fn declining_a_restore_takes_no_safety_snapshot_either() {
    let t = TestSim::start().await;
    let ui = ScriptedUi::new(vec![
        Answer::Choice(0),
        text("pre-upgrade-snapshot"),
        text("cancel"),
    ]);
    let out = run_in_process(
        &t,
        ui,
        &[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
        ],
    )
    .await;
    out.assert_code(3);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn restore_dry_run_json_names_the_safety_snapshot_and_writes_nothing() {
    let t = TestSim::start().await;
    let mut args = SCRIPTED_RESTORE.to_vec();
    args.extend(["--dry-run", "-o", "json"]);
    let out = t.cmd().args(&args).run().await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["safetySnapshot"], SAFETY);
    assert_eq!(
        v["undo"],
        format!("kubectl vmsnap restore database-01 --snapshot {SAFETY} -n production")
    );
    assert!(v["configDiff"]["summary"].is_object(), "{v}");
    assert!(t.writes().is_empty());
}

// ---- 2. config diff ----------------------------------------------------------------------

/// Gives the live database-01 8 cores, so a restore of pre-upgrade-snapshot (2 cores) changes them.
pub(crate) fn grow_database(t: &TestSim) {
    let gvr = vmsnap_sim::Gvr::new(VMS.0, VMS.1, VMS.2);
    t.sim
        .store()
        .mutate(&gvr, Some("production"), "database-01", |vm| {
            vm["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] = serde_json::json!(8);
        })
        .expect("VM updated");
}

#[tokio::test]
async fn restore_preview_shows_the_config_diff() {
    let t = TestSim::start().await;
    grow_database(&t);
    let mut args = SCRIPTED_RESTORE.to_vec();
    args.push("--dry-run");
    let out = t.cmd().args(&args).run().await;
    out.assert_code(0)
        .assert_stderr_contains("Configuration changes:")
        .assert_stderr_contains("- CPU cores: 8 → 2")
        .assert_stderr_contains("-          cores: 8")
        .assert_stderr_contains("+          cores: 2");
    assert!(!out.stderr.contains('\x1b'), "no colour without a terminal");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn diff_command_prints_summary_and_unified_diff_and_json() {
    let t = TestSim::start().await;
    grow_database(&t);
    let out = t.cmd().args(&["diff", "pre-upgrade-snapshot"]).run().await;
    // As `kubectl diff`: differences exit 1, and no error line follows the diff.
    out.assert_code(1)
        .assert_stdout_contains(
            "Restoring snapshot pre-upgrade-snapshot into VM production/database-01 would change:",
        )
        .assert_stdout_contains("  - CPU cores: 8 → 2")
        .assert_stdout_contains("@@ ");
    let out = t
        .cmd()
        .args(&["diff", "pre-upgrade-snapshot", "-o", "json"])
        .run()
        .await;
    out.assert_code(1);
    assert_eq!(out.stderr, "", "differences are the result, not an error");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["kind"], "ConfigDiff");
    assert_eq!(v["diff"]["identical"], false);
    assert_eq!(v["diff"]["summary"]["changes"][0]["area"], "cpu");
    assert_eq!(v["diff"]["summary"]["changes"][0]["before"], "8");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn diff_of_an_unchanged_vm_says_so_and_a_missing_snapshot_exits_5() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["diff", "web-02-nightly"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("- no configuration changes");
    let out = t.cmd().args(&["diff", "nope"]).run().await;
    out.assert_code(5);
}

#[tokio::test]
async fn diff_exit_code_is_0_without_differences_and_1_with_them() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["diff", "web-02-nightly"]).run().await;
    out.assert_code(0);
    assert_eq!(out.stderr, "");
    grow_database(&t);
    let out = t.cmd().args(&["diff", "pre-upgrade-snapshot"]).run().await;
    out.assert_code(1).assert_stdout_contains("@@ ");
    assert_eq!(out.stderr, "");
    assert!(t.writes().is_empty());
}

// ---- 3. readiness report -----------------------------------------------------------------

#[tokio::test]
async fn check_lists_every_vm_with_a_summary_and_advice() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["check"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("VM            STATUS    SNAPSHOTTABLE   CONSISTENCY   BLOCKERS")
        .assert_stdout_contains(
            "archive-01    Stopped   no              -             rootdisk: no VolumeSnapshotClass for local-path",
        )
        .assert_stdout_contains("web-02        Running   yes             crash         <none>")
        .assert_stdout_contains("6 VMs: 5 snapshottable, 0 partial, 1 not snapshottable")
        .assert_stdout_contains("no VolumeSnapshotClass for the storage (1 VM: archive-01)")
        .assert_stdout_contains("ask your cluster admin for a VolumeSnapshotClass");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn check_all_namespaces_json_and_one_vm() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["check", "-A", "-o", "json"]).run().await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["kind"], "ReadinessReport");
    assert!(v.get("namespace").is_none(), "{v}");
    assert_eq!(v["summary"]["total"], 6);
    assert_eq!(v["summary"]["no"], 1);
    assert_eq!(v["summary"]["topIssues"][0]["kind"], "noSnapshotClass");
    let out = t.cmd().args(&["check", "-A"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("NAMESPACE    VM ");
    let out = t.cmd().args(&["check", "database-01"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("database-01   Running   yes             application   <none>")
        .assert_stdout_contains("1 VM: 1 snapshottable");
    t.cmd().args(&["check", "nope"]).run().await.assert_code(5);
}

// ---- 4. retention ------------------------------------------------------------------------

fn deletes(t: &TestSim) -> Vec<String> {
    t.writes()
        .into_iter()
        .filter(|w| w.method == "DELETE")
        .map(|w| w.path.rsplit('/').next().unwrap_or_default().to_string())
        .collect()
}

fn rule_of(v: &serde_json::Value, name: &str) -> String {
    v["delete"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(v["keep"].as_array().into_iter().flatten())
        .find(|d| d["snapshot"] == name)
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no decision for {name}: {v}"))
}

#[tokio::test]
async fn prune_keeps_the_newest_and_a_young_safety_snapshot_and_deletes_the_rest() {
    let t = TestSim::start().await;
    t.cmd().args(&SCRIPTED_RESTORE).run().await.assert_code(0);
    t.cmd()
        .args(&["create", "database-01", "--name", "after", "--yes"])
        .run()
        .await
        .assert_code(0);
    let out = t
        .cmd()
        .args(&["prune", "database-01", "--keep", "0", "--yes", "-o", "json"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Prune plan for VM production/database-01")
        .assert_stderr_contains("kept for a day (--include-safety to prune it)");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(rule_of(&v, "after"), "newestSucceeded");
    assert_eq!(rule_of(&v, SAFETY), "youngSafety");
    assert_eq!(rule_of(&v, "pre-upgrade-snapshot"), "beyondKeep");
    assert_eq!(rule_of(&v, "failed-snapshot"), "failed");
    let mut gone = deletes(&t);
    gone.sort();
    assert_eq!(gone, ["failed-snapshot", "pre-upgrade-snapshot"]);
}

#[tokio::test]
async fn prune_never_deletes_a_snapshot_a_restore_is_using() {
    let t = TestSim::start().await;
    for name in ["l-a", "l-b", "l-c"] {
        t.cmd()
            .args(&["create", "legacy-04", "--name", name, "--yes"])
            .run()
            .await
            .assert_code(0);
    }
    // legacy-04's restores never finish in the scenario.
    t.cmd()
        .args(&[
            "restore",
            "legacy-04",
            "--snapshot",
            "l-b",
            "--yes",
            "--confirm-name",
            "l-b",
            "--no-safety-snapshot",
            "--no-wait",
        ])
        .run()
        .await
        .assert_code(0);
    let before = t.writes().len();
    let out = t
        .cmd()
        .args(&["prune", "legacy-04", "--keep", "0", "--yes", "-o", "json"])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(rule_of(&v, "l-b"), "inUseByRestore");
    let gone: Vec<String> = deletes(&t);
    assert!(!gone.contains(&"l-b".to_string()), "{gone:?}");
    // Nothing the plan keeps was deleted, and the newest good snapshot is among those kept.
    let kept: Vec<&str> = v["keep"]
        .as_array()
        .expect("keep")
        .iter()
        .filter_map(|d| d["snapshot"].as_str())
        .collect();
    assert!(
        gone.iter().all(|g| !kept.contains(&g.as_str())),
        "{gone:?} {kept:?}"
    );
    let mut all: Vec<(String, String)> = ["delete", "keep"]
        .iter()
        .flat_map(|k| v[k].as_array().cloned().unwrap_or_default())
        .filter(|d| d["phase"] == "Succeeded")
        .map(|d| {
            (
                d["created"].as_str().unwrap_or_default().to_string(),
                d["snapshot"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // Newest first, names breaking ties (as retention orders them).
    all.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    assert!(kept.contains(&all[0].1.as_str()), "{all:?} {kept:?}");
    assert_eq!(t.writes().len() - before, gone.len());
}

#[tokio::test]
async fn prune_refusals_and_dry_run_write_nothing() {
    let t = TestSim::start().await;
    // No policy: a usage error before anything is read.
    let out = t.cmd().args(&["prune", "database-01", "--yes"]).run().await;
    out.assert_code(2)
        .assert_stderr_contains("prune needs a policy");
    // No terminal and no --yes.
    let out = t
        .cmd()
        .args(&["prune", "database-01", "--keep", "0"])
        .run()
        .await;
    out.assert_code(3)
        .assert_stderr_contains("To delete (1):")
        .assert_stderr_contains("pass --yes");
    // --dry-run lists only.
    let out = t
        .cmd()
        .args(&["prune", "database-01", "--keep", "0", "--dry-run"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("failed-snapshot would be deleted (dry run)");
    // Declined at the prompt. (A count policy: the in-process clock is fixed at NOW while
    // the simulator stamps objects with the wall clock, so an age policy would depend on the
    // time of day the test runs.)
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("no")]),
        &["prune", "-l", "app=database-01", "--keep", "0"],
    )
    .await;
    out.assert_code(3).assert_stderr_contains("prune cancelled");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

// ---- 5. new VM from a snapshot -----------------------------------------------------------

#[tokio::test]
async fn clone_creates_a_virtualmachineclone_follows_it_and_reports_the_new_vm() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "clone",
            "pre-upgrade-snapshot",
            "--to",
            "db-copy",
            "--label-filter",
            "*",
            "--label-filter",
            "!app",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Clone plan: new VM production/db-copy")
        .assert_stdout_contains("VM production/db-copy created from snapshot pre-upgrade-snapshot")
        .assert_stdout_contains("Phase:      Succeeded")
        .assert_stdout_contains("virtctl start db-copy -n production");
    let posts = posts_to(&t, "virtualmachineclones");
    assert_eq!(posts.len(), 1, "{:?}", t.writes());
    let body = posts[0].body.clone().expect("body");
    assert_eq!(body["metadata"]["name"], "clone-db-copy-20261126-100000");
    assert_eq!(body["spec"]["source"]["kind"], "VirtualMachineSnapshot");
    assert_eq!(body["spec"]["source"]["name"], "pre-upgrade-snapshot");
    assert_eq!(body["spec"]["target"]["name"], "db-copy");
    assert_eq!(
        body["spec"]["labelFilters"],
        serde_json::json!(["*", "!app"])
    );
    t.wait_until(VMS, "production", "db-copy", |_| true).await;
}

#[tokio::test]
async fn clone_refusals_write_nothing() {
    let t = TestSim::start().await;
    // The name is taken.
    let out = t
        .cmd()
        .args(&["clone", "pre-upgrade-snapshot", "--to", "web-02", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("a VM named web-02 already exists in namespace production")
        .assert_stderr_contains("nothing was created");
    // A MAC for an interface the snapshot's VM did not have.
    let out = t
        .cmd()
        .args(&[
            "clone",
            "pre-upgrade-snapshot",
            "--to",
            "db-copy",
            "--new-mac-address",
            "eth1=02:00:00:aa:bb:cc",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("names interface eth1");
    // A failed snapshot.
    let out = t
        .cmd()
        .args(&["clone", "failed-snapshot", "--to", "db-copy", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("snapshot failed-snapshot is Failed");
    // No terminal, no --yes.
    let out = t
        .cmd()
        .args(&["clone", "pre-upgrade-snapshot", "--to", "db-copy"])
        .run()
        .await;
    out.assert_code(3).assert_stderr_contains("pass --yes");
    // Declined.
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("no")]),
        &["clone", "pre-upgrade-snapshot", "--to", "db-copy"],
    )
    .await;
    out.assert_code(3).assert_stderr_contains("clone cancelled");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn clone_of_a_vm_with_a_persistent_vtpm_is_refused_as_openshift_documents() {
    let t = TestSim::start().await;
    let snap = t
        .sim
        .store()
        .get(
            &vmsnap_sim::Gvr::new(
                crate::support::SNAPSHOTS.0,
                crate::support::SNAPSHOTS.1,
                crate::support::SNAPSHOTS.2,
            ),
            Some("production"),
            "pre-upgrade-snapshot",
        )
        .expect("snapshot");
    let content = snap["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content name")
        .to_string();
    t.sim
        .store()
        .mutate(
            &vmsnap_sim::Gvr::new(
                "snapshot.kubevirt.io",
                "v1beta1",
                "virtualmachinesnapshotcontents",
            ),
            Some("production"),
            &content,
            |c| {
                c["spec"]["source"]["virtualMachine"]["spec"]["template"]["spec"]["domain"]
                    ["devices"]["tpm"] = serde_json::json!({"persistent": true});
            },
        )
        .expect("content updated");
    let out = t
        .cmd()
        .args(&["clone", "pre-upgrade-snapshot", "--to", "db-copy", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("had a persistent vTPM")
        .assert_stderr_contains(
            "kubectl vmsnap restore database-01 --snapshot pre-upgrade-snapshot",
        );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

// ---- 6. batch and downtime ---------------------------------------------------------------

/// Labels VMs of the scenario `tier=test` in the store.
fn label_tier(t: &TestSim, vms: &[&str]) {
    let gvr = vmsnap_sim::Gvr::new(VMS.0, VMS.1, VMS.2);
    for vm in vms {
        t.sim
            .store()
            .mutate(&gvr, Some("production"), vm, |v| {
                v["metadata"]["labels"]["tier"] = serde_json::json!("test");
            })
            .expect("VM labelled");
    }
}

#[tokio::test]
async fn batch_create_snapshots_every_matching_vm_concurrently_with_one_confirmation() {
    let t = TestSim::start().await;
    label_tier(&t, &["web-02", "batch-03", "archive-01"]);
    let ui = ScriptedUi::new(vec![text("yes")]);
    let out = run_in_process(&t, ui.clone(), &["create", "-l", "tier=test", "--online"]).await;
    out.assert_code(0)
        .assert_stderr_contains("Batch snapshot plan for VMs matching tier=test")
        .assert_stderr_contains("archive-01: no volume of VM production/archive-01")
        .assert_stdout_contains("batch-03   batch-03-snapshot-20261126-100000   Succeeded   true")
        .assert_stdout_contains(
            "web-02     web-02-snapshot-20261126-100000     Succeeded   true    crash",
        )
        .assert_stdout_contains(
            "2 snapshots of batch 20261126-100000: 2 ready, 0 failed, 1 refused",
        );
    assert_eq!(ui.prompts(), ["Create 2 snapshots? (yes/no)"]);
    let posts = posts_to(&t, "virtualmachinesnapshots");
    assert_eq!(posts.len(), 2);
    for p in posts {
        let body = p.body.expect("body");
        assert_eq!(
            body["metadata"]["labels"]["vmsnap.io/batch"],
            "20261126-100000"
        );
    }
}

#[tokio::test]
async fn a_failed_snapshot_in_a_batch_exits_1_after_the_summary_table() {
    let (t, _dir) = sim_with(
        "controllers:\n  snapshots:\n    batch-03: { outcome: Failed, message: \"disk busy\", after: 1s }\n",
    )
    .await;
    label_tier(&t, &["batch-03", "database-01"]);
    let out = t
        .cmd()
        .args(&["create", "-l", "tier=test", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stdout_contains(
            "database-01   database-01-snapshot-20261126-100000   Succeeded   true",
        )
        .assert_stdout_contains(
            "batch-03      batch-03-snapshot-20261126-100000      Failed      false",
        )
        .assert_stdout_contains("1 failed")
        .assert_stderr_contains("1 of 2 snapshots of batch 20261126-100000 failed");
}

#[tokio::test]
async fn batch_refusals_write_nothing() {
    let t = TestSim::start().await;
    label_tier(&t, &["web-02", "batch-03"]);
    // web-02 has no guest agent: scripted runs must say --online.
    let out = t
        .cmd()
        .args(&["create", "-l", "tier=test", "--yes"])
        .run()
        .await;
    out.assert_code(3).assert_stderr_contains("pass --online");
    // Declined at the one confirmation.
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("no")]),
        &["create", "-l", "tier=test", "--online"],
    )
    .await;
    out.assert_code(3).assert_stderr_contains("batch cancelled");
    // Cancelled at the consistency question.
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![Answer::Choice(1)]),
        &["create", "-l", "tier=test"],
    )
    .await;
    out.assert_code(3);
    // Nothing matches.
    let out = t
        .cmd()
        .args(&["create", "-l", "tier=none", "--yes"])
        .run()
        .await;
    out.assert_code(5);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn stop_snapshot_start_reports_the_measured_downtime() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--start-after",
            "--yes",
            "-o",
            "json",
        ])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["stoppedVm"], true);
    assert_eq!(v["startedVm"], true);
    assert!(v["downtimeSeconds"].is_u64(), "{v}");
    t.vm_status("web-02", "Running").await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "again",
        ])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains("  Downtime:");
}

#[tokio::test]
async fn restore_to_a_new_vm_leaves_the_source_alone() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--to",
            "db-new",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains("Leaves:         VM database-01 as it is")
        .assert_stdout_contains(
            "VM production/db-new created from snapshot pre-upgrade-snapshot of VM database-01",
        );
    let writes = t.writes();
    assert_eq!(writes.len(), 1, "only the restore: {writes:?}");
    let body = writes[0].body.clone().expect("body");
    assert_eq!(body["spec"]["target"]["name"], "db-new");
    assert!(body["spec"].get("targetReadinessPolicy").is_none());
    t.wait_until(VMS, "production", "db-new", |_| true).await;
    t.vm_status("database-01", "Running").await;
}

#[tokio::test]
async fn restore_to_an_existing_vm_name_or_declined_writes_nothing() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--to",
            "web-02",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("a VM named web-02 already exists");
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![text("no")]),
        &[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--to",
            "db-new",
        ],
    )
    .await;
    out.assert_code(3)
        .assert_stderr_contains("nothing was created");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_viewer_is_refused_before_any_question_and_nothing_is_written() {
    let t = TestSim::start().await;
    label_tier(&t, &["batch-03"]);
    let viewer = t.kubeconfig_for("viewer", "production");
    for args in [
        &["prune", "database-01", "--keep", "1", "--yes"][..],
        &["clone", "pre-upgrade-snapshot", "--to", "db-copy", "--yes"][..],
        &["create", "-l", "tier=test", "--yes"][..],
        &[
            "restore",
            "batch-03",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--to",
            "b",
            "--yes",
        ][..],
    ] {
        let out = t.cmd().kubeconfig(&viewer).args(args).run().await;
        out.assert_code(6)
            .assert_stderr_contains("you are not allowed to");
    }
    // Reading is allowed: check and diff work for a viewer.
    t.cmd()
        .kubeconfig(&viewer)
        .args(&["check"])
        .run()
        .await
        .assert_code(0);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}
