//! Restores and deletes on a changing cluster: the source snapshot deleted while the plugin
//! waits (at the confirmation, during the safety snapshot, while stopping the VM), a failed
//! restore that still blocks the VM, a snapshot a running restore or clone reads. Each case
//! runs in-process with a [`Race`] Ui that changes the cluster at a chosen moment.

use kubectl_vmsnap::ui::{NoProgress, Progress, Ui};
use serde_json::{Value, json};
use vmsnap_sim::{Gvr, Store};

use crate::kit::{RESTORES, SNAPSHOTS, assert_no_writes, describe, get, run_with_ui};
use crate::support::{Output, SNAPSHOTS as SNAPSHOT_GVR, TestSim, VMS};

/// What a [`Race`] does to the cluster.
type Action = Box<dyn FnOnce(&Store) + Send>;

/// When the [`Race`] acts.
#[derive(Clone, Copy)]
enum When {
    /// At the first question (yes/no, typed name or a choice).
    Question,
    /// When the plugin starts following something whose progress message contains this.
    Progress(&'static str),
}

/// A Ui that answers yes (typing `typed`) and runs `act` on the simulator's store once, at
/// the moment `when` names: before the answer is given, or when that progress starts.
struct Race {
    store: Store,
    when: When,
    act: Option<Action>,
    typed: String,
}

impl Race {
    fn fire(&mut self) {
        if let Some(act) = self.act.take() {
            act(&self.store);
        }
    }
}

impl Ui for Race {
    fn interactive(&self) -> bool {
        true
    }
    fn confirm(&mut self, _prompt: &str) -> anyhow::Result<bool> {
        if matches!(self.when, When::Question) {
            self.fire();
        }
        Ok(true)
    }
    fn input(&mut self, _prompt: &str) -> anyhow::Result<String> {
        if matches!(self.when, When::Question) {
            self.fire();
        }
        Ok(self.typed.clone())
    }
    fn select(&mut self, _prompt: &str, _items: &[&str]) -> anyhow::Result<usize> {
        if matches!(self.when, When::Question) {
            self.fire();
        }
        Ok(0)
    }
    fn progress(&mut self, msg: &str) -> Box<dyn Progress> {
        if let When::Progress(marker) = self.when
            && msg.contains(marker)
        {
            self.fire();
        }
        Box::new(NoProgress)
    }
    fn note(&mut self, _msg: &str) {}
}

/// Runs the plugin with a [`Race`] that deletes `victim` (a `gvr` object in `ns`) `when`.
async fn run_deleting(
    t: &TestSim,
    (gvr, ns, victim): (Gvr, &'static str, &'static str),
    when: When,
    typed: &str,
    args: &[&str],
) -> Output {
    let ui = Race {
        store: t.sim.store().clone(),
        when,
        act: Some(Box::new(move |store: &Store| {
            store
                .delete(&gvr, Some(ns), victim)
                .expect("the source is deleted");
        })),
        typed: typed.to_owned(),
    };
    run_with_ui(t, Box::new(ui), args).await
}

fn gvr((g, v, r): (&str, &str, &str)) -> Gvr {
    Gvr::new(g, v, r)
}

const SOURCE: &str = "pre-upgrade-snapshot";

fn kubevirt_source() -> (Gvr, &'static str, &'static str) {
    (gvr(SNAPSHOT_GVR), "production", SOURCE)
}

/// database-01 as the test left it: still Running, its run strategy untouched.
#[track_caller]
fn assert_database_untouched(t: &TestSim, before: &Value) {
    let vm = get(t, VMS, "database-01").expect("vm");
    assert_eq!(vm["status"]["printableStatus"], "Running");
    assert_eq!(vm["spec"]["runStrategy"], before["spec"]["runStrategy"]);
    assert_eq!(vm["spec"]["running"], before["spec"]["running"]);
}

// ---- the source snapshot deleted while the restore waits ----

/// `error: snapshot S was deleted after it was checked; the VERB was not started`.
fn deleted_error(snapshot: &str, verb: &str) -> String {
    format!(
        "error: snapshot {snapshot} was deleted after it was checked; the {verb} was not started"
    )
}

/// `restore database-01 --stop` with the source deleted `when`: exit 1, nothing restored.
async fn restore_database_deleting_source(t: &TestSim, when: When) -> Output {
    let args = [
        "restore",
        "database-01",
        "--snapshot",
        SOURCE,
        "--stop",
        "--no-wait",
    ];
    let out = run_deleting(t, kubevirt_source(), when, SOURCE, &args).await;
    out.assert_code(1)
        .assert_stderr_contains(&deleted_error(SOURCE, "restore"))
        .assert_stderr_contains("hint: nothing was restored");
    out
}

#[tokio::test]
async fn a_restore_whose_source_is_deleted_at_the_confirmation_writes_nothing() {
    let t = TestSim::start().await;
    let before = get(&t, VMS, "database-01").expect("vm");
    restore_database_deleting_source(&t, When::Question)
        .await
        .assert_stderr_contains(
            "hint: nothing was restored; VM production/database-01 is unchanged",
        )
        .assert_stderr_contains(
            "hint: list the usable snapshots with: kubectl vmsnap list database-01 -n production",
        );
    assert_no_writes(&t);
    assert_database_untouched(&t, &before);
}

#[tokio::test]
async fn a_restore_whose_source_is_deleted_during_the_safety_snapshot_is_not_created() {
    let t = TestSim::start().await;
    let before = get(&t, VMS, "database-01").expect("vm");
    restore_database_deleting_source(&t, When::Progress("safety snapshot"))
        .await
        .assert_stderr_contains("hint: the safety snapshot database-01-pre-restore-20261126-100000 was taken and is kept")
        .assert_stderr_contains(
            "delete it with: kubectl vmsnap delete database-01-pre-restore-20261126-100000 -n production",
        )
        .assert_stderr_contains(
            "hint: VM production/database-01 was started again (this run had stopped it)",
        );
    // Stopped first, the safety snapshot taken (not mistaken for the source: it is Ready), no
    // VirtualMachineRestore sent, and the VM started again as it was.
    let w = t.writes();
    assert!(
        w.len() == 3
            && w[0].method == "PUT"
            && w[0].path.ends_with("/database-01/stop")
            && w[1].method == "POST"
            && w[1].path.ends_with(SNAPSHOTS)
            && w[2].method == "PUT"
            && w[2].path.ends_with("/database-01/start"),
        "{}",
        describe(&w)
    );
    assert!(
        t.sim
            .store()
            .list(
                &gvr(("snapshot.kubevirt.io", "v1beta1", RESTORES)),
                Some("production")
            )
            .is_empty()
    );
    assert_database_untouched(&t, &before);
}

#[tokio::test]
async fn a_restore_to_a_new_vm_whose_source_is_deleted_at_the_confirmation_writes_nothing() {
    let t = TestSim::start().await;
    let out = run_deleting(
        &t,
        kubevirt_source(),
        When::Question,
        "",
        &[
            "restore",
            "database-01",
            "--snapshot",
            SOURCE,
            "--to",
            "database-copy",
            "--no-wait",
        ],
    )
    .await;
    out.assert_code(1)
        .assert_stderr_contains(&deleted_error(SOURCE, "restore"))
        .assert_stderr_contains(
            "hint: nothing was created: VM production/database-copy does not exist",
        );
    assert_no_writes(&t);
    assert!(get(&t, VMS, "database-copy").is_none());
}

#[tokio::test]
async fn a_clone_whose_source_is_deleted_at_the_confirmation_writes_nothing() {
    let t = TestSim::start().await;
    let out = run_deleting(
        &t,
        kubevirt_source(),
        When::Question,
        "",
        &["clone", SOURCE, "--to", "database-copy", "--no-wait"],
    )
    .await;
    out.assert_code(1)
        .assert_stderr_contains(&deleted_error(SOURCE, "clone"))
        .assert_stderr_contains(
            "hint: nothing was created: VM production/database-copy does not exist",
        );
    assert_no_writes(&t);
    assert!(get(&t, VMS, "database-copy").is_none());
}

// ---- a failed restore still blocks the VM ----

/// A restore of database-01 that KubeVirt's controller fails at once (FailImmediate on a
/// running VM): `status.complete` false and a Failure condition, as upstream leaves it.
async fn failed_restore(t: &TestSim) -> &'static str {
    let name = "restore-database-01-failed";
    let restores = gvr(("snapshot.kubevirt.io", "v1beta1", RESTORES));
    t.sim
        .store()
        .create(
            &restores,
            json!({
                "apiVersion": "snapshot.kubevirt.io/v1beta1",
                "kind": "VirtualMachineRestore",
                "metadata": {"name": name, "namespace": "production"},
                "spec": {
                    "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "database-01"},
                    "virtualMachineSnapshotName": SOURCE,
                    "targetReadinessPolicy": "FailImmediate"
                }
            }),
        )
        .expect("restore created");
    t.wait_until(
        ("snapshot.kubevirt.io", "v1beta1", RESTORES),
        "production",
        name,
        |r| {
            r["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Failure" && c["status"] == "True")
            })
        },
    )
    .await;
    let r = get(t, ("snapshot.kubevirt.io", "v1beta1", RESTORES), name).expect("restore");
    assert_eq!(r["status"]["complete"], false, "{r}");
    name
}

#[tokio::test]
async fn a_failed_restore_of_the_vm_is_refused_before_any_write() {
    let t = TestSim::start().await;
    let failed = failed_restore(&t).await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            SOURCE,
            "--stop",
            "--yes",
            "--confirm-name",
            SOURCE,
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(&format!(
            "error: VM production/database-01 has a failed restore {failed} (Restore target VMI must be powered off before restore operation) that never completed; KubeVirt refuses a new restore of the VM while it exists"
        ))
        .assert_stderr_contains(&format!(
            "hint: delete the failed restore first: kubectl delete virtualmachinerestore {failed} -n production"
        ))
        .assert_stderr_contains("hint: nothing was changed");
    assert_no_writes(&t);
}

#[tokio::test]
async fn fail_immediate_on_a_running_vm_is_a_usage_error_with_no_write() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            SOURCE,
            "--target-readiness-policy",
            "FailImmediate",
            "--yes",
            "--confirm-name",
            SOURCE,
        ])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains(
            "error: --target-readiness-policy FailImmediate cannot restore VM production/database-01: it is Running, and KubeVirt would fail the restore at once (its VMI must be powered off first)",
        )
        .assert_stderr_contains(
            "hint: add --stop to stop it as part of the restore, or stop it first: virtctl stop database-01 -n production",
        );
    assert_no_writes(&t);
}

// ---- delete refuses a snapshot that a restore or clone reads ----

#[tokio::test]
async fn delete_refuses_a_snapshot_a_failed_restore_still_names_even_in_a_dry_run() {
    let t = TestSim::start().await;
    let failed = failed_restore(&t).await;
    for dry_run in [None, Some("--dry-run=client"), Some("--dry-run=server")] {
        let mut args = vec!["delete", SOURCE, "--yes"];
        args.extend(dry_run);
        let out = t.cmd().args(&args).run().await;
        out.assert_code(1)
            .assert_stderr_contains(&format!(
                "error: snapshot {SOURCE} is in use by restore {failed} of VM database-01, which failed (Restore target VMI must be powered off before restore operation) and never completed"
            ))
            .assert_stderr_contains(&format!(
                "hint: delete the failed restore first: kubectl delete virtualmachinerestore {failed} -n production"
            ))
            .assert_stderr_contains("hint: nothing was deleted");
    }
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, SOURCE).is_some());
}

#[tokio::test]
async fn delete_refuses_a_snapshot_a_clone_in_progress_reads() {
    // No controllers: the clone stays in RestoreInProgress exactly as put.
    let t = TestSim::with(vmsnap_sim::SimConfig {
        controllers: false,
        ..crate::support::config()
    })
    .await;
    t.sim
        .store()
        .create(
            &gvr(("clone.kubevirt.io", "v1beta1", "virtualmachineclones")),
            json!({
                "apiVersion": "clone.kubevirt.io/v1beta1",
                "kind": "VirtualMachineClone",
                "metadata": {"name": "clone-copy", "namespace": "production"},
                "spec": {
                    "source": {"apiGroup": "snapshot.kubevirt.io", "kind": "VirtualMachineSnapshot", "name": SOURCE},
                    "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "database-copy"}
                },
                "status": {"phase": "RestoreInProgress"}
            }),
        )
        .expect("clone");
    for dry_run in [None, Some("--dry-run=client")] {
        let mut args = vec!["delete", SOURCE, "--yes"];
        args.extend(dry_run);
        let out = t.cmd().args(&args).run().await;
        out.assert_code(1)
            .assert_stderr_contains(&format!(
                "error: snapshot {SOURCE} is in use by clone clone-copy into VM database-copy, which is still in progress (RestoreInProgress)"
            ))
            .assert_stderr_contains(
                "hint: wait for it to finish: kubectl get virtualmachineclone clone-copy -n production -w",
            );
    }
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, SOURCE).is_some());
}

// ---- Deckhouse ----

const DH_NS: &str = "my-project";
const DH: &str = "virtualization.deckhouse.io";
const DH_VMS: (&str, &str, &str) = (DH, "v1alpha2", "virtualmachines");
const DH_SNAPS: (&str, &str, &str) = (DH, "v1alpha2", "virtualmachinesnapshots");
const DH_VMOPS: (&str, &str, &str) = (DH, "v1alpha2", "virtualmachineoperations");

/// The Deckhouse scenario once linux-vm runs with its agent and its snapshot is Ready.
async fn deckhouse_settled() -> TestSim {
    let t = TestSim::deckhouse().await;
    t.wait_until(DH_VMS, DH_NS, "linux-vm", |v| {
        v["status"]["phase"] == "Running"
            && v["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "AgentReady" && c["status"] == "True")
            })
    })
    .await;
    t.wait_until(DH_SNAPS, DH_NS, "linux-vm-snapshot", |v| {
        v["status"]["phase"] == "Ready"
    })
    .await;
    t
}

/// The operations the plugin created, in the order it sent them, as "type mode".
fn deckhouse_ops(t: &TestSim) -> Vec<String> {
    t.writes()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/virtualmachineoperations"))
        .map(|r| {
            let spec = &r.body.as_ref().expect("body")["spec"];
            format!(
                "{} {}",
                spec["type"].as_str().unwrap_or(""),
                spec["restore"]["mode"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

/// `restore linux-vm --stop` with the source deleted `when`: exit 1, nothing restored.
async fn deckhouse_restore_deleting_source(t: &TestSim, when: When) -> Output {
    let source = "linux-vm-snapshot";
    let args = [
        "restore",
        "linux-vm",
        "--snapshot",
        source,
        "--stop",
        "--no-wait",
    ];
    let out = run_deleting(t, (gvr(DH_SNAPS), DH_NS, source), when, source, &args).await;
    out.assert_code(1)
        .assert_stderr_contains(&deleted_error(source, "restore"))
        .assert_stderr_contains("hint: nothing was restored");
    out
}

#[tokio::test]
async fn a_deckhouse_restore_whose_source_is_deleted_at_the_confirmation_writes_only_the_dry_run() {
    let t = deckhouse_settled().await;
    deckhouse_restore_deleting_source(&t, When::Question)
        .await
        .assert_stderr_contains("hint: VM my-project/linux-vm was left as it was");
    let w = t.writes();
    assert!(
        w.len() == 1 && w[0].method == "POST" && w[0].path.ends_with("/virtualmachineoperations"),
        "{}",
        describe(&w)
    );
    assert_eq!(deckhouse_ops(&t), ["Restore DryRun"]);
    assert_eq!(
        get_in(&t, DH_VMS, DH_NS, "linux-vm")["status"]["phase"],
        "Running"
    );
}

#[tokio::test]
async fn a_deckhouse_restore_whose_source_is_deleted_while_the_vm_stops_starts_it_again() {
    let t = deckhouse_settled().await;
    deckhouse_restore_deleting_source(&t, When::Progress("Stopping VM linux-vm"))
        .await
        .assert_stderr_contains(
            "hint: the safety snapshot linux-vm-pre-restore-20261126-100000 was taken and is kept",
        )
        .assert_stderr_contains(
            "hint: VM my-project/linux-vm was started again (this run had stopped it)",
        );
    // The DryRun, the safety snapshot, the stop, the start: never a Restore that would run.
    let w = t.writes();
    assert_eq!(w.len(), 4, "{}", describe(&w));
    assert_eq!(deckhouse_ops(&t), ["Restore DryRun", "Stop -", "Start -"]);
    t.wait_until(DH_VMS, DH_NS, "linux-vm", |v| {
        v["status"]["phase"] == "Running"
    })
    .await;
}

/// A simulator with one of the simulator's platform scenarios and no controllers: objects
/// stay exactly as the test puts them (an operation stays InProgress, a revert requested).
async fn frozen(scenario: &str, ns: &str) -> TestSim {
    let config = vmsnap_sim::SimConfig {
        default_scenario: false,
        scenarios: vec![
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/sim/scenarios")
                .join(scenario),
        ],
        controllers: false,
        ..vmsnap_sim::SimConfig::default()
    };
    let t = TestSim::with(config).await;
    t.sim
        .write_kubeconfig(&t.kubeconfig, "admin", ns)
        .expect("kubeconfig");
    t
}

#[tokio::test]
async fn deckhouse_delete_refuses_a_snapshot_a_running_restore_operation_reads_even_in_a_dry_run() {
    let t = frozen("deckhouse", DH_NS).await;
    t.sim
        .store()
        .create(
            &gvr(DH_VMOPS),
            json!({
                "apiVersion": format!("{DH}/v1alpha2"),
                "kind": "VirtualMachineOperation",
                "metadata": {"name": "restore-linux-vm", "namespace": DH_NS},
                "spec": {"type": "Restore", "virtualMachineName": "linux-vm",
                    "restore": {"mode": "Strict", "virtualMachineSnapshotName": "linux-vm-snapshot"}},
                "status": {"phase": "InProgress"}
            }),
        )
        .expect("operation");
    // Named or picked by --all: each selected snapshot is checked.
    for (pick, dry_run) in [
        ("linux-vm-snapshot", None),
        ("linux-vm-snapshot", Some("--dry-run=client")),
        ("linux-vm-snapshot", Some("--dry-run=server")),
        ("--all", None),
    ] {
        let mut args = vec!["delete", pick, "--yes"];
        args.extend(dry_run);
        let out = t.cmd().args(&args).run().await;
        out.assert_code(1)
            .assert_stderr_contains(
                "error: snapshot linux-vm-snapshot is in use by Restore operation restore-linux-vm of VM linux-vm, which has not finished (InProgress)",
            )
            .assert_stderr_contains(
                "hint: deleting it now fails the operation (a Restore then leaves the VM in maintenance)",
            )
            .assert_stderr_contains(
                "hint: wait for it to finish: kubectl get vmop restore-linux-vm -n my-project -w",
            )
            .assert_stderr_contains("hint: nothing was deleted");
    }
    assert_no_writes(&t);
    assert!(
        t.sim
            .store()
            .get(&gvr(DH_SNAPS), Some(DH_NS), "linux-vm-snapshot")
            .is_some()
    );
}

fn get_in(t: &TestSim, g: (&str, &str, &str), ns: &str, name: &str) -> Value {
    t.sim.store().get(&gvr(g), Some(ns), name).expect("object")
}

// ---- VM Operator ----

const VMOP_NS: &str = "dev-team";
const VMOP_VMS: (&str, &str, &str) = ("vmoperator.vmware.com", "v1alpha6", "virtualmachines");
const VMOP_SNAPS: (&str, &str, &str) = (
    "vmoperator.vmware.com",
    "v1alpha6",
    "virtualmachinesnapshots",
);

#[tokio::test]
async fn a_revert_whose_source_is_deleted_while_the_vm_powers_off_powers_it_on_again() {
    let t = TestSim::vmoperator().await;
    t.wait_until(VMOP_VMS, VMOP_NS, "web-01", |v| {
        v["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "VirtualMachineTools" && c["status"] == "True")
        })
    })
    .await;
    let out = run_deleting(
        &t,
        (gvr(VMOP_SNAPS), VMOP_NS, "web-01-pre-upgrade"),
        When::Progress("Powering off VM web-01"),
        "web-01-pre-upgrade",
        &[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-pre-upgrade",
            "--stop",
            "--no-wait",
        ],
    )
    .await;
    out.assert_code(1)
        .assert_stderr_contains(&deleted_error("web-01-pre-upgrade", "revert"))
        .assert_stderr_contains("hint: nothing was reverted")
        .assert_stderr_contains(
            "hint: VM dev-team/web-01 was started again (this run had stopped it)",
        );
    // The safety snapshot, the power-off, the power-on: never spec.currentSnapshotName.
    let w = t.writes();
    let patches: Vec<_> = w
        .iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.body.as_ref().expect("body")["spec"].clone())
        .collect();
    assert_eq!(
        patches,
        [
            json!({"powerState": "PoweredOff"}),
            json!({"powerState": "PoweredOn"})
        ],
        "{}",
        describe(&w)
    );
    assert_eq!(w.len(), 3, "{}", describe(&w));
    assert_eq!(
        get_in(&t, VMOP_VMS, VMOP_NS, "web-01")["spec"]["powerState"],
        "PoweredOn"
    );
}

#[tokio::test]
async fn a_revert_while_another_revert_is_in_flight_is_refused_before_any_write() {
    let t = frozen("vmoperator", VMOP_NS).await;
    t.sim
        .store()
        .mutate(&gvr(VMOP_VMS), Some(VMOP_NS), "web-01", |vm| {
            vm["spec"]["currentSnapshotName"] = json!("web-01-hotfix");
        })
        .expect("revert requested");
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-pre-upgrade",
            "--yes",
            "--confirm-name",
            "web-01-pre-upgrade",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: a revert of web-01 to web-01-hotfix is already in progress")
        .assert_stderr_contains("hint: nothing was changed");
    assert_no_writes(&t);
}
