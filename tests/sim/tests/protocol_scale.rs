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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_that_falls_behind_catches_up_from_the_history() {
    let sim = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::empty()
    })
    .await
    .unwrap();
    let gvr = Gvr::new("", "v1", "secrets");
    let c = Client::new(sim.addr(), sim.token("admin").as_deref());
    let rv = sim.store().resource_version();
    let mut w = c
        .watch(&format!("/api/v1/secrets?watch=true&resourceVersion={rv}"))
        .await;
    // More events than the live feed buffers, while the client reads nothing.
    let n = 20_000;
    for i in 0..n {
        sim.store()
            .create(&gvr, json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": format!("s-{i:05}"), "namespace": "default"}}))
            .unwrap();
    }
    for i in 0..n {
        let ev = w.next().await.unwrap();
        assert_eq!(ev["type"], "ADDED", "{ev}");
        assert_eq!(ev["object"]["metadata"]["name"], format!("s-{i:05}"));
    }
}
