//! A fixed start time: every timestamp the simulator writes comes from it (its own test
//! binary, because the start is process-wide).

use std::time::Duration;

use serde_json::json;
use vmsnap_sim::store::Gvr;
use vmsnap_sim::{Sim, SimConfig};

#[tokio::test]
async fn a_fixed_start_with_zero_time_scale_stamps_objects_and_status_at_that_instant() {
    let sim = Sim::start(SimConfig {
        time_scale: 0.0,
        start_time: Some("2026-11-26T10:00:00Z".parse().expect("timestamp")),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let store = sim.store().clone();
    let g = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
    let mut rx = store.subscribe();
    store
        .create(
            &g,
            json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
                "metadata": {"name": "s1", "namespace": "production"},
                "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "batch-01"}}}),
        )
        .expect("created");
    let done = async {
        loop {
            let s = store.get(&g, Some("production"), "s1").expect("snapshot");
            if s["status"]["phase"] == "Succeeded" {
                return s;
            }
            let _ = rx.recv().await;
        }
    };
    let snap = tokio::time::timeout(Duration::from_secs(20), done)
        .await
        .expect("snapshot succeeds");
    assert_eq!(
        snap["metadata"]["creationTimestamp"],
        "2026-11-26T10:00:00Z"
    );
    assert_eq!(snap["status"]["creationTime"], "2026-11-26T10:00:00Z");
    // The scenario's own timestamps are kept.
    let vm = store
        .get(
            &Gvr::new("kubevirt.io", "v1", "virtualmachines"),
            Some("production"),
            "database-01",
        )
        .expect("vm");
    assert_ne!(vm["metadata"]["creationTimestamp"], "2026-11-26T10:00:00Z");
}
