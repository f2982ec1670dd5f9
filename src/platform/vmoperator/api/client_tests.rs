//! The async client against the simulated cluster, seeded with the VM Operator fixtures.

use std::time::Duration;

use serde_json::Value;
use vmsnap_sim::store::Gvr;
use vmsnap_sim::{Sim, SimConfig};

use super::*;
use crate::flow::common::api_code as status_code;
use crate::platform::fixtures::sim_client;

const NS: &str = "dev-team";

async fn sim() -> Sim {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vmoperator");
    Sim::start(SimConfig {
        scenarios: vec![dir],
        ..SimConfig::empty()
    })
    .await
    .expect("simulator starts")
}

async fn vmop(sim: &Sim, version: Version) -> VmOperator {
    VmOperator::new(sim_client(sim, "admin", NS).await, version)
}

fn vm_gvr() -> Gvr {
    Gvr::new(resources::GROUP, "v1alpha6", "virtualmachines")
}

/// Waits on the simulator's store events until the VM satisfies `pred`.
async fn vm_until(sim: &Sim, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let mut rx = sim.store().subscribe();
    let fut = async {
        loop {
            if let Some(v) = sim.store().get(&vm_gvr(), Some(NS), name)
                && pred(&v)
            {
                return v;
            }
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("in time")
}

#[tokio::test]
async fn gets_lists_by_vm_label_and_builds_the_tree_from_what_it_read() {
    let sim = sim().await;
    let c = vmop(&sim, Version::V1alpha5).await;
    let vm = c.get_vm(NS, "web-01").await.unwrap().unwrap();
    assert_eq!(vm["apiVersion"], "vmoperator.vmware.com/v1alpha5");
    assert!(c.get_vm(NS, "nope").await.unwrap().is_none());
    let snaps = c.list_snapshots(Some(NS), Some("web-01")).await.unwrap();
    assert_eq!(snaps.len(), 6, "server-side selection by the vm-name label");
    assert!(snaps.iter().all(|s| s["spec"]["vmName"] == "web-01"));
    let tree = build_tree(&vm, &snaps);
    assert_eq!(tree.roots[0].name.as_deref(), Some("web-01-base"));
    assert_eq!(c.list_vms(Some(NS)).await.unwrap().len(), 6);
    assert!(c.list_snapshots(None, None).await.unwrap().len() >= 12);
}

#[tokio::test]
async fn creates_a_snapshot_and_surfaces_the_webhooks_refusal() {
    let sim = sim().await;
    let c = vmop(&sim, Version::V1alpha6).await;
    let opts = SnapshotOptions {
        description: Some("from the client test".into()),
        memory: true,
        quiesce_timeout: Some(Duration::from_secs(600)),
    };
    let obj = build_snapshot(c.version(), NS, "build-01-client", "build-01", &opts);
    let dry = c.create_snapshot(obj.clone(), true).await.unwrap();
    assert_eq!(dry["metadata"]["name"], "build-01-client");
    assert!(
        c.get_snapshot(NS, "build-01-client")
            .await
            .unwrap()
            .is_none(),
        "dry run"
    );
    let made = c.create_snapshot(obj, false).await.unwrap();
    assert_eq!(made["spec"]["quiesce"]["timeout"], "10m");
    assert_eq!(
        made["metadata"]["labels"][resources::VM_NAME_LABEL],
        "build-01"
    );

    let node = build_snapshot(
        c.version(),
        NS,
        "node",
        "tkc-1-np-7x2kq",
        &SnapshotOptions::default(),
    );
    let err = c.create_snapshot(node, false).await.unwrap_err();
    assert_eq!(status_code(&err), Some(422));
    let text = format!("{err:#}");
    assert!(
        text.starts_with("failed to create VirtualMachineSnapshot dev-team/node"),
        "{text}"
    );
    assert!(
        text.contains("snapshots are not allowed for VKS/TKG nodes"),
        "{text}"
    );
}

#[tokio::test]
async fn a_requested_revert_is_followed_to_success_and_a_stuck_one_can_be_cleared() {
    let sim = sim().await;
    let c = vmop(&sim, Version::V1alpha5).await;
    let vm = c.get_vm(NS, "web-01").await.unwrap().unwrap();
    let target = c.get_snapshot(NS, "web-01-hotfix").await.unwrap().unwrap();
    let preview = check_revert(&vm, &target).unwrap();
    assert_eq!(preview.power_after, "PoweredOff");
    c.request_revert(NS, "web-01", "web-01-hotfix", true)
        .await
        .unwrap();
    assert!(
        c.get_vm(NS, "web-01").await.unwrap().unwrap()["spec"]["currentSnapshotName"].is_null()
    );
    c.request_revert(NS, "web-01", "web-01-hotfix", false)
        .await
        .unwrap();
    let done = vm_until(&sim, "web-01", |v| {
        revert_state(v, "web-01-hotfix") == RevertState::Succeeded
    })
    .await;
    assert_eq!(done["status"]["powerState"], "PoweredOff");

    let stuck = c.get_vm(NS, "app-02").await.unwrap().unwrap();
    assert!(stuck_revert(&stuck).is_some());
    c.patch_vm(NS, "app-02", &abort_revert_patch(true), false)
        .await
        .unwrap();
    let cleared = vm_until(&sim, "app-02", |v| {
        v["status"]["conditions"]
            .as_array()
            .is_none_or(|a| a.iter().all(|c| c["type"] != resources::COND_REVERT))
    })
    .await;
    assert!(stuck_revert(&cleared).is_none());
    assert!(vm_details(&cleared).revert_requested.is_none());
}

#[tokio::test]
async fn deletes_once_and_reports_an_absent_snapshot() {
    let sim = sim().await;
    let c = vmop(&sim, Version::V1alpha5).await;
    assert!(
        c.delete_snapshot(NS, "web-01-hotfix", None, true)
            .await
            .unwrap()
    );
    assert!(
        c.get_snapshot(NS, "web-01-hotfix").await.unwrap().is_some(),
        "dry run"
    );
    assert!(
        c.delete_snapshot(NS, "web-01-hotfix", None, false)
            .await
            .unwrap()
    );
    assert!(!c.delete_snapshot(NS, "no-such", None, false).await.unwrap());
}
