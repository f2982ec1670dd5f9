//! Many objects: a 10,000-object list through HTTP stays complete and paginates.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod protocol_support;

use protocol_support::Client;
use serde_json::json;
use vmsnap_sim::{Gvr, Sim, SimConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_objects_list_whole_and_in_pages() {
    let sim = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::empty()
    })
    .await
    .unwrap();
    let gvr = Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
    let started = std::time::Instant::now();
    for i in 0..10_000 {
        sim.store()
            .create(
                &gvr,
                json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
                       "metadata": {"name": format!("snap-{i:05}"), "namespace": format!("ns-{}", i % 10), "labels": {"vm": format!("vm-{}", i % 100)}},
                       "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": format!("vm-{}", i % 100)}},
                       "status": {"phase": "Succeeded", "readyToUse": true}}),
            )
            .unwrap();
    }
    let created = started.elapsed();
    let c = Client::new(sim.addr(), sim.token("admin").as_deref());
    let started = std::time::Instant::now();
    let all = c
        .get("/apis/snapshot.kubevirt.io/v1beta1/virtualmachinesnapshots")
        .await
        .json();
    let listed = started.elapsed();
    assert_eq!(all["items"].as_array().unwrap().len(), 10_000);
    let started = std::time::Instant::now();
    let page = c.get("/apis/snapshot.kubevirt.io/v1beta1/namespaces/ns-3/virtualmachinesnapshots?limit=500&labelSelector=vm%3Dvm-13").await.json();
    let paged = started.elapsed();
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
    eprintln!("create 10k: {created:?}, list 10k: {listed:?}, selected page: {paged:?}");
}
