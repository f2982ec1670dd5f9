//! The async client against the simulated cluster with the Deckhouse scenario.

use std::time::Duration;

use serde_json::Value;
use vmsnap_sim::{Sim, SimConfig};

use super::operations::dry_run_preview;
use super::*;
use crate::platform::fixtures::sim_client;

const NS: &str = "my-project";

async fn sim(time_scale: f64) -> Sim {
    Sim::start(SimConfig {
        scenarios: vec![
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sim/scenarios/deckhouse"),
        ],
        time_scale,
        ..SimConfig::empty()
    })
    .await
    .expect("simulator starts")
}

async fn deckhouse(sim: &Sim) -> Deckhouse {
    Deckhouse::new(sim_client(sim, "admin", NS).await, ())
}

/// Waits on the simulator's store events until `kind`/`name` has `status.phase == phase`.
async fn until_phase(sim: &Sim, d: &Deckhouse, kind: Kind, name: &str, phase: &str) -> Value {
    let mut rx = sim.store().subscribe();
    let fut = async {
        loop {
            if let Some(o) = d.get(kind, NS, name).await.expect("get")
                && o.pointer("/status/phase").and_then(Value::as_str) == Some(phase)
            {
                return o;
            }
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {} {name} {phase}", kind.kind()))
}

#[tokio::test]
async fn snapshot_preflight_created_and_listed_by_vm() {
    let sim = sim(0.0).await;
    let d = deckhouse(&sim).await;
    until_phase(&sim, &d, Kind::VirtualMachine, "linux-vm", "Running").await;
    until_phase(&sim, &d, Kind::VirtualDisk, "linux-vm-data", "Ready").await;
    let inputs = d
        .vm_inputs(NS, "linux-vm")
        .await
        .expect("read")
        .expect("vm exists");
    assert_eq!(inputs.disks.len(), 2);
    let p = preflight::vm_snapshot(&inputs.vm, &inputs.disks, true);
    assert!(!preflight::blocked(&p.findings), "{:?}", p.findings);
    assert!(d.vm_inputs(NS, "nope").await.expect("read").is_none());

    let obj = build_vm_snapshot(
        NS,
        "s1",
        "linux-vm",
        true,
        KeepIpAddress::Never,
        &Default::default(),
    );
    d.create(Kind::VirtualMachineSnapshot, obj.clone(), true)
        .await
        .expect("server dry run");
    assert!(
        d.get(Kind::VirtualMachineSnapshot, NS, "s1")
            .await
            .expect("get")
            .is_none()
    );
    d.create(Kind::VirtualMachineSnapshot, obj, false)
        .await
        .expect("created");
    let s = until_phase(&sim, &d, Kind::VirtualMachineSnapshot, "s1", "Ready").await;
    assert_eq!(
        snapshot_details(&s).consistency,
        DeckhouseConsistency::Consistent
    );
    let of_linux = d
        .list_vm_snapshots(Some(NS), Some("linux-vm"))
        .await
        .expect("list");
    assert!(of_linux.iter().any(|s| s["metadata"]["name"] == "s1"));
    assert!(
        d.list_vm_snapshots(None, Some("db-vm"))
            .await
            .expect("list")
            .is_empty()
    );
    let vds = d
        .list_disk_snapshots(Some(NS), Some("linux-vm-root"))
        .await
        .expect("list");
    assert!(!vds.is_empty());
    let uid = s["metadata"]["uid"].as_str().expect("uid").to_owned();
    let root = format!("linux-vm-root-{uid}");
    let size = d.disk_snapshot_size(NS, &root).await.expect("read");
    assert_eq!(size.as_deref(), Some("20Gi"));
    assert_eq!(d.disk_snapshot_size(NS, "nope").await.expect("read"), None);
    assert!(
        d.active_operation(NS, "linux-vm")
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        d.delete(Kind::VirtualMachineSnapshot, NS, "s1", None, false)
            .await
            .expect("deleted")
    );
}

#[tokio::test]
async fn restore_dry_run_through_the_client_previews_clean() {
    let sim = sim(0.0).await;
    let d = deckhouse(&sim).await;
    until_phase(
        &sim,
        &d,
        Kind::VirtualMachineSnapshot,
        "linux-vm-snapshot",
        "Ready",
    )
    .await;
    let op = build_restore(
        NS,
        "dry-1",
        "linux-vm",
        "linux-vm-snapshot",
        OperationMode::DryRun,
    );
    d.create_operation(op, false).await.expect("created");
    let done = until_phase(
        &sim,
        &d,
        Kind::VirtualMachineOperation,
        "dry-1",
        "Completed",
    )
    .await;
    let preview = dry_run_preview(&done);
    assert!(preview.clean, "{preview:?}");
    assert!(preview.passes(OperationMode::Strict));
}

#[tokio::test]
async fn a_refused_second_operation_names_the_one_in_progress() {
    // Real time: the Stop takes the scenario's stopDelay (2s), long enough to collide. db-vm:
    // its runPolicy lets Deckhouse stop it (other-vm's AlwaysOn would fail the Stop at once).
    let sim = sim(1.0).await;
    let d = deckhouse(&sim).await;
    until_phase(&sim, &d, Kind::VirtualMachine, "db-vm", "Running").await;
    let stop = serde_json::json!({"apiVersion": resources::API_VERSION, "kind": "VirtualMachineOperation",
        "metadata": {"name": "stop-1", "namespace": NS},
        "spec": {"type": "Stop", "virtualMachineName": "db-vm"}});
    d.create_operation(stop, false)
        .await
        .expect("first accepted");
    let err = d
        .create_operation(
            build_restore(
                NS,
                "r-1",
                "db-vm",
                "linux-vm-snapshot",
                OperationMode::DryRun,
            ),
            false,
        )
        .await
        .expect_err("second refused");
    let text = format!("{err:#}");
    assert!(
        text.contains(
            "the virtual machine db-vm already has an operation in progress: Stop stop-1"
        ),
        "{text}"
    );
    assert!(
        text.contains("kubectl get vmop stop-1 -n my-project -w"),
        "{text}"
    );
}
