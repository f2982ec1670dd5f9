//! The controllers on a large generated cluster: they settle it and still serve new work.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use vmsnap_sim::controllers::{self, ControllerConfig};
use vmsnap_sim::generate::{Spec, generate};
use vmsnap_sim::store::{Gvr, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_vms_and_thousands_of_snapshots_do_not_hold_up_new_work() {
    let store = Store::new();
    let stats = generate(&store, &Spec::new(400, 2_000)).expect("generated");
    assert_eq!(stats.snapshots, 2_000);
    let started = Instant::now();
    let config = ControllerConfig {
        time_scale: 0.0,
        ..ControllerConfig::default()
    };
    let _controllers = controllers::spawn_all(store.clone(), Arc::new(config));
    let snap = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
    let vm = store.list(
        &Gvr::new("kubevirt.io", "v1", "virtualmachines"),
        Some("bench-prod"),
    )[1]
    .clone();
    let vm_name = vm["metadata"]["name"].as_str().expect("name").to_string();
    store
        .create(&snap, json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": "fresh", "namespace": "bench-prod"},
            "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm_name}}}))
        .expect("created");
    let mut rx = store.subscribe();
    let done = async {
        loop {
            let phase = store
                .get(&snap, Some("bench-prod"), "fresh")
                .and_then(|s| s["status"]["phase"].as_str().map(str::to_string));
            if phase.as_deref() == Some("Succeeded") {
                return;
            }
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), done)
        .await
        .expect("the new snapshot completes");
    eprintln!(
        "new snapshot done {:?} after the controllers started on {stats:?}",
        started.elapsed()
    );
}
