//! Watch streams: initial state, resume from a resourceVersion, 410 Gone, bookmarks,
//! sendInitialEvents, single-object watches, timeouts, and a watch dropped by a fault.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod protocol_support;

use protocol_support::Client;
use serde_json::{Value, json};
use vmsnap_sim::{Gvr, Sim, SimConfig};

const VMS: &str = "/apis/kubevirt.io/v1/namespaces/prod/virtualmachines";

async fn sim() -> (Sim, Client) {
    let sim = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::empty()
    })
    .await
    .unwrap();
    sim.store()
        .create(
            &Gvr::new("", "v1", "namespaces"),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
        )
        .unwrap();
    let client = Client::new(sim.addr(), sim.token("admin").as_deref());
    (sim, client)
}

fn vm(name: &str) -> Value {
    json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name}, "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}}}}}})
}

fn summary(ev: &Value) -> (String, String) {
    (
        ev["type"].as_str().unwrap().to_string(),
        ev["object"]["metadata"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[tokio::test]
async fn watch_from_a_list_resource_version_sees_later_changes_in_order() {
    let (_sim, c) = sim().await;
    c.post(VMS, &vm("before")).await;
    let rv = c.get(VMS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    assert_eq!(w.status, 200);
    c.post(VMS, &vm("a")).await;
    c.patch(
        &format!("{VMS}/a"),
        "application/merge-patch+json",
        &json!({"metadata": {"labels": {"x": "y"}}}),
    )
    .await;
    c.delete(&format!("{VMS}/a")).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(summary(&w.next().await.unwrap()));
    }
    assert_eq!(
        got,
        [
            ("ADDED".into(), "a".into()),
            ("MODIFIED".into(), "a".into()),
            ("DELETED".into(), "a".to_string())
        ]
    );
}

#[tokio::test]
async fn watch_without_resource_version_starts_with_the_current_state() {
    let (_sim, c) = sim().await;
    c.post(VMS, &vm("a")).await;
    c.post(VMS, &vm("b")).await;
    let mut w = c.watch(&format!("{VMS}?watch=1")).await;
    assert_eq!(
        summary(&w.next().await.unwrap()),
        ("ADDED".into(), "a".into())
    );
    assert_eq!(
        summary(&w.next().await.unwrap()),
        ("ADDED".into(), "b".into())
    );
    c.post(VMS, &vm("c")).await;
    assert_eq!(
        summary(&w.next().await.unwrap()),
        ("ADDED".into(), "c".into())
    );
}

#[tokio::test]
async fn a_resumed_watch_replays_only_what_came_after_its_resource_version() {
    let (_sim, c) = sim().await;
    let a = c.post(VMS, &vm("a")).await.json();
    c.post(VMS, &vm("b")).await;
    c.post(VMS, &vm("c")).await;
    let rv = a["metadata"]["resourceVersion"].as_str().unwrap();
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    assert_eq!(summary(&w.next().await.unwrap()).1, "b");
    assert_eq!(summary(&w.next().await.unwrap()).1, "c");
}

#[tokio::test]
async fn an_expired_resource_version_gets_410_gone() {
    let (sim, c) = sim().await;
    let a = c.post(VMS, &vm("a")).await.json();
    c.post(VMS, &vm("b")).await;
    sim.store().compact();
    let rv = a["metadata"]["resourceVersion"].as_str().unwrap();
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    let ev = w.next().await.unwrap();
    assert_eq!(ev["type"], "ERROR");
    assert_eq!(ev["object"]["code"], 410);
    assert_eq!(ev["object"]["reason"], "Expired");
    assert!(w.next().await.is_none(), "the stream ends after the error");
}

#[tokio::test]
async fn the_expire_fault_forces_410_on_the_next_watch_only() {
    let (sim, c) = sim().await;
    let rv = c.get(VMS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    sim.faults().expire_watch_rv();
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    assert_eq!(w.next().await.unwrap()["object"]["code"], 410);
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    c.post(VMS, &vm("a")).await;
    assert_eq!(
        summary(&w.next().await.unwrap()),
        ("ADDED".into(), "a".into())
    );
}

#[tokio::test]
async fn a_dropped_watch_ends_after_the_given_number_of_events() {
    let (sim, c) = sim().await;
    let rv = c.get(VMS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    sim.faults().drop_watch_after(2);
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    for n in ["a", "b", "c"] {
        c.post(VMS, &vm(n)).await;
    }
    assert_eq!(summary(&w.next().await.unwrap()).1, "a");
    assert_eq!(summary(&w.next().await.unwrap()).1, "b");
    assert!(w.next().await.is_none());
    // The client resumes from the last event it saw and misses nothing.
    let mut w = c
        .watch(&format!(
            "{VMS}?watch=true&resourceVersion={}",
            rv.parse::<u64>().unwrap() + 2
        ))
        .await;
    assert_eq!(summary(&w.next().await.unwrap()).1, "c");
}

#[tokio::test]
async fn send_initial_events_ends_with_an_initial_events_end_bookmark() {
    let (_sim, c) = sim().await;
    c.post(VMS, &vm("a")).await;
    let mut w = c.watch(&format!("{VMS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")).await;
    assert_eq!(
        summary(&w.next().await.unwrap()),
        ("ADDED".into(), "a".into())
    );
    let bm = w.next().await.unwrap();
    assert_eq!(bm["type"], "BOOKMARK");
    assert_eq!(
        bm["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert!(
        bm["object"]["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
}

#[tokio::test]
async fn a_single_object_watch_filters_by_name_and_labels() {
    let (_sim, c) = sim().await;
    let rv = c.get(VMS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let mut w = c
        .watch(&format!(
            "{VMS}?watch=true&resourceVersion={rv}&fieldSelector=metadata.name%3Db"
        ))
        .await;
    let mut l = c
        .watch(&format!(
            "{VMS}?watch=true&resourceVersion={rv}&labelSelector=app%3Ddb"
        ))
        .await;
    c.post(VMS, &vm("a")).await;
    let mut labelled = vm("c");
    labelled["metadata"]["labels"] = json!({"app": "db"});
    c.post(VMS, &labelled).await;
    c.post(VMS, &vm("b")).await;
    assert_eq!(summary(&w.next().await.unwrap()).1, "b");
    assert_eq!(summary(&l.next().await.unwrap()).1, "c");
}

#[tokio::test]
async fn timeout_seconds_ends_the_stream() {
    let (_sim, c) = sim().await;
    let rv = c.get(VMS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let mut w = c
        .watch(&format!(
            "{VMS}?watch=true&resourceVersion={rv}&timeoutSeconds=1"
        ))
        .await;
    assert!(w.next().await.is_none());
}

#[tokio::test]
async fn watch_events_can_be_tables_for_kubectl() {
    let (_sim, c) = sim().await;
    let rv = c.get(VMS).await.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let req = c.clone();
    let path = format!("{VMS}?watch=true&resourceVersion={rv}");
    let handle = tokio::spawn(async move {
        req.request(
            "GET",
            &format!("{path}&timeoutSeconds=1"),
            &[("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")],
            None,
        )
        .await
    });
    // Whether the watch opens before or after this create, it starts from `rv` and sees it.
    c.post(VMS, &vm("a")).await;
    let body = handle.await.unwrap().body;
    let first: Value = serde_json::from_slice(body.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["object"]["kind"], "Table");
    assert_eq!(first["object"]["rows"][0]["cells"][0], "a");
}

#[tokio::test]
async fn objects_entering_and_leaving_a_label_selector_are_added_and_deleted() {
    let (_sim, c) = sim().await;
    c.post(VMS, &vm("a")).await;
    let mut w = c
        .watch(&format!("{VMS}?watch=true&labelSelector=tier%3Dgold"))
        .await;
    let label = |v: Value| json!({"metadata": {"labels": {"tier": v}}});
    c.patch(
        &format!("{VMS}/a"),
        "application/merge-patch+json",
        &label(json!("gold")),
    )
    .await;
    c.patch(
        &format!("{VMS}/a"),
        "application/merge-patch+json",
        &json!({"spec": {"runStrategy": "Always"}}),
    )
    .await;
    c.patch(
        &format!("{VMS}/a"),
        "application/merge-patch+json",
        &label(Value::Null),
    )
    .await;
    let got: Vec<_> = [w.next().await, w.next().await, w.next().await]
        .into_iter()
        .map(|e| summary(&e.unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("ADDED".into(), "a".into()),
            ("MODIFIED".into(), "a".into()),
            ("DELETED".into(), "a".to_string())
        ]
    );
}
