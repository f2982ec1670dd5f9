//! The capability table (`platform::capability`) against what the program does: every
//! platform × command is refused by the platform's router exactly where the table says it is
//! not offered, with the table's hint; a mixed cluster never picks a platform that refuses;
//! completion asks each platform at the versions the table lists.

use kubectl_vmsnap::platform::capability::{TABLE, Verb};

use crate::platforms::mixed;
use crate::support::{ScriptedUi, TestSim, run_in_process};

/// A command line for `verb` that parses, naming objects no platform has.
fn args(verb: Verb) -> Vec<&'static str> {
    let mut a = vec![verb.name()];
    a.extend(match verb {
        Verb::List | Verb::Check => vec![],
        Verb::Restore => vec!["ghost", "--snapshot", "ghost-snap"],
        Verb::Clone | Verb::RestoreDisk => vec!["ghost", "--to", "ghost-new"],
        Verb::Create
        | Verb::Describe
        | Verb::Wait
        | Verb::Delete
        | Verb::Diff
        | Verb::Prune
        | Verb::Tree => {
            vec!["ghost"]
        }
    });
    a
}

#[tokio::test]
async fn each_router_refuses_exactly_the_commands_its_table_row_does_not_offer() {
    let t = mixed().await;
    for cap in TABLE {
        for verb in Verb::ALL {
            let mut argv = args(verb);
            argv.extend(["--provider", cap.provider, "--no-input", "-n", "production"]);
            let out = run_in_process(&t, ScriptedUi::new(vec![]), &argv).await;
            let refusal = format!(
                "error: `kubectl vmsnap {}` is not available on {}",
                verb.name(),
                cap.title
            );
            if cap.offers_verb(verb) {
                assert!(
                    !out.stderr.contains("is not available on"),
                    "{} refused {argv:?}:\n{}",
                    cap.title,
                    out.stderr
                );
            } else {
                assert_eq!(out.code, 2, "{argv:?}:\n{}", out.stderr);
                assert!(out.stderr.contains(&refusal), "{argv:?}:\n{}", out.stderr);
                for (_, hint) in cap.instead.iter().filter(|(v, _)| *v == verb) {
                    assert!(
                        out.stderr.contains(&format!("hint: {hint}")),
                        "{argv:?}:\n{}",
                        out.stderr
                    );
                }
                let offered_on: Vec<&str> = TABLE
                    .iter()
                    .filter(|c| c.offers_verb(verb))
                    .map(|c| c.title)
                    .collect();
                assert!(
                    out.stderr.contains(&format!(
                        "hint: `{}` is offered on {}",
                        verb.name(),
                        offered_on.join(" and ")
                    )),
                    "{argv:?}:\n{}",
                    out.stderr
                );
            }
        }
    }
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// `diff` exists on KubeVirt only: a mixed cluster runs it there, even in a namespace whose
/// snapshot of that name is VM Operator's (the old `offered()` let the snapshot pick VM
/// Operator, which then refused the command).
#[tokio::test]
async fn a_mixed_cluster_runs_a_command_on_the_only_platform_that_offers_it() {
    let t = mixed().await;
    let out = run_in_process(
        &t,
        ScriptedUi::new(vec![]),
        &["diff", "web-01-base", "-n", "dev-team"],
    )
    .await;
    assert!(
        !out.stderr.contains("is not available on"),
        "{}",
        out.stderr
    );
    out.assert_code(5);
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// A Supervisor serving VM Operator at v1alpha6 only (objects written at v1alpha6):
/// web-01 with a Ready snapshot and one whose creation failed.
const V1ALPHA6_ONLY: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: dev-team}
---
apiVersion: vmoperator.vmware.com/v1alpha6
kind: VirtualMachine
metadata: {name: web-01, namespace: dev-team}
spec:
  className: best-effort-small
  imageName: ubuntu-24.04-server
  storageClass: wcpglobal-storage-profile
  powerState: PoweredOn
status: {powerState: PoweredOn}
---
apiVersion: vmoperator.vmware.com/v1alpha6
kind: VirtualMachineSnapshot
metadata:
  name: web-01-base
  namespace: dev-team
  labels: {snapshot.vmoperator.vmware.com/vm-name: web-01}
spec: {vmName: web-01}
status:
  conditions:
  - {type: VirtualMachineSnapshotCreated, status: "True", reason: "True", message: "", lastTransitionTime: '2026-11-03T10:00:35Z'}
  - {type: VirtualMachineSnapshotReady, status: "True", reason: "True", message: "", lastTransitionTime: '2026-11-03T10:00:41Z'}
---
apiVersion: vmoperator.vmware.com/v1alpha6
kind: VirtualMachineSnapshot
metadata:
  name: web-01-broken
  namespace: dev-team
  labels: {snapshot.vmoperator.vmware.com/vm-name: web-01}
spec: {vmName: web-01}
status:
  conditions:
  - {type: VirtualMachineSnapshotCreated, status: "False", reason: VirtualMachineSnapshotCreationFailed, message: "quiesce failed", lastTransitionTime: '2026-11-03T10:00:35Z'}
  - {type: VirtualMachineSnapshotReady, status: "False", reason: VirtualMachineSnapshotCreationFailed, message: "quiesce failed", lastTransitionTime: '2026-11-03T10:00:35Z'}
"#;

/// Completion lists VMs and snapshots at the version the capability table lists first
/// (VM names were asked at v1alpha5 only before, so this Supervisor completed none), and
/// `restore --snapshot` leaves out the snapshot VM Operator's readiness rule calls Failed.
#[tokio::test]
async fn a_v1alpha6_only_supervisor_completes_vm_and_restorable_snapshot_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("sim.yaml"),
        "platforms: [vmoperator]\nnamespace: dev-team\n\
         servedVersions:\n  vmoperator.vmware.com: [v1alpha6]\n\
         controllers:\n  vmoperator:\n    snapshots:\n      \
         web-01-broken: {outcome: Failed, message: quiesce failed}\n",
    )
    .expect("sim.yaml");
    std::fs::write(dir.path().join("objects.yaml"), V1ALPHA6_ONLY).expect("objects");
    let t = TestSim::with(vmsnap_sim::SimConfig {
        default_scenario: false,
        scenarios: vec![dir.path().to_path_buf()],
        time_scale: 0.01,
        ..vmsnap_sim::SimConfig::default()
    })
    .await;
    t.sim
        .write_kubeconfig(&t.kubeconfig, "admin", "dev-team")
        .expect("kubeconfig");
    let out = t.cmd().args(&["__complete", "create", "we"]).run().await;
    out.assert_code(0);
    assert_eq!(out.stdout, "web-01\n:4\n", "{}", out.transcript());
    let out = t
        .cmd()
        .args(&["__complete", "describe", "web-01-"])
        .run()
        .await;
    assert_eq!(
        out.stdout,
        "web-01-base\nweb-01-broken\n:4\n",
        "{}",
        out.transcript()
    );
    let out = t
        .cmd()
        .args(&["__complete", "restore", "web-01", "--snapshot", ""])
        .run()
        .await;
    assert_eq!(out.stdout, "web-01-base\n:4\n", "{}", out.transcript());
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}
