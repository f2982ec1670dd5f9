//! The controllers as `Sim::start` runs them: on the default scenario, with its sim.yaml
//! scripts, under the simulator's time scale.

use std::time::Duration;

use serde_json::{Value, json};
use vmsnap_sim::store::{Gvr, Store};
use vmsnap_sim::{Sim, SimConfig};

async fn wait(store: &Store, what: &str, pred: impl Fn(&Store) -> bool) {
    let mut rx = store.subscribe();
    let fut = async {
        while !pred(store) {
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
}

fn phase(store: &Store, ns: &str, name: &str) -> Option<String> {
    let g = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
    store
        .get(&g, Some(ns), name)
        .and_then(|s| s["status"]["phase"].as_str().map(str::to_string))
}

#[tokio::test]
async fn sim_runs_the_default_scenario_controllers_with_its_scripts() {
    let sim = Sim::start(SimConfig {
        time_scale: 0.0,
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let store = sim.store().clone();
    let vmi = Gvr::new("kubevirt.io", "v1", "virtualmachineinstances");
    wait(&store, "database-01 running", |s| {
        s.get(&vmi, Some("production"), "database-01").is_some()
    })
    .await;
    let g = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
    for (ns, vm) in [("production", "database-01"), ("staging", "db-02")] {
        store
            .create(
                &g,
                json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
                    "metadata": {"name": "s1", "namespace": ns},
                    "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}}}),
            )
            .expect("created");
    }
    wait(&store, "both snapshots settled", |s| {
        phase(s, "production", "s1").as_deref() == Some("Succeeded")
            && phase(s, "staging", "s1").as_deref() == Some("Failed")
    })
    .await;
    let failed = store.get(&g, Some("staging"), "s1").expect("snapshot");
    let message = failed["status"]["error"]["message"].as_str().unwrap_or("");
    assert!(message.starts_with("freeze failed"), "{message}");
    let events = store.list(&Gvr::new("", "v1", "events"), Some("production"));
    assert!(
        events
            .iter()
            .any(|e| e["reason"] == "FreezeVirtualMachineInstance"),
        "{:?}",
        events
            .iter()
            .map(|e| e["reason"].clone())
            .collect::<Vec<Value>>()
    );
    sim.shutdown().await;
}
