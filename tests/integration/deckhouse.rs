//! Deckhouse Virtualization through the real binary, against the simulator's Deckhouse scenario.

use serde_json::Value;

use crate::docs_pages::Transcripts;
use crate::support::TestSim;

const GROUP: &str = "virtualization.deckhouse.io";
const NS: &str = "my-project";

const VMS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualmachines");
const SNAPS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualmachinesnapshots");
const DISKS: (&str, &str, &str) = (GROUP, "v1alpha2", "virtualdisks");

/// The Deckhouse scenario once its VMs have settled and its snapshot is Ready.
async fn settled() -> TestSim {
    let t = TestSim::deckhouse().await;
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
    t
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
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_vm_snapshot_of_a_running_vm_with_its_agent_is_consistent_and_reports_what_it_saved() {
    let t = settled().await;
    let out = t
        .cmd()
        .args(&["create", "linux-vm", "--name", "before-upgrade", "--yes"])
        .run()
        .await;
    out.assert_code(0)
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
        w[0].starts_with("POST ") && w[0].ends_with("/virtualmachinesnapshots"),
        "{w:?}"
    );
    t.wait_until(SNAPS, NS, "before-upgrade", |v| {
        v["spec"]["requiredConsistency"] == true && v["spec"]["keepIPAddress"] == "Always"
    })
    .await;
}

/// This platform's transcripts for docs/commands (namespace my-project of the docs simulator, which
/// serves all three platforms).
pub(crate) async fn docs(t: &mut Transcripts) {
    let _ = t;
}
