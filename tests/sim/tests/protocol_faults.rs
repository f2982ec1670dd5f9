//! Fault injection, the request log and the `/sim/*` controls, plus schema validation (422).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod protocol_support;

use std::time::{Duration, Instant};

use protocol_support::Client;
use serde_json::{Value, json};
use vmsnap_sim::{FaultRule, Gvr, Sim, SimConfig};

const VMS: &str = "/apis/kubevirt.io/v1/namespaces/prod/virtualmachines";
const SNAPS: &str = "/apis/snapshot.kubevirt.io/v1beta1/namespaces/prod/virtualmachinesnapshots";

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

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

#[tokio::test]
async fn too_many_requests_carries_retry_after_then_clears() {
    let (sim, c) = sim().await;
    sim.faults().fail(FaultRule {
        method: Some("list".into()),
        resource: Some("virtualmachines".into()),
        status: 429,
        times: Some(1),
        retry_after: Some(2),
        ..Default::default()
    });
    let r = c.get(VMS).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("Retry-After"), Some("2"));
    let s = r.json();
    assert_eq!(s["reason"], "TooManyRequests");
    assert_eq!(s["details"]["retryAfterSeconds"], 2);
    assert_eq!(c.get(VMS).await.status, 200);
}

#[tokio::test]
async fn server_errors_fail_the_matching_requests_a_set_number_of_times() {
    let (sim, c) = sim().await;
    sim.faults().fail(FaultRule {
        method: Some("POST".into()),
        status: 503,
        times: Some(2),
        ..Default::default()
    });
    sim.faults().fail(FaultRule {
        method: Some("get".into()),
        name: Some("special".into()),
        status: 500,
        ..Default::default()
    });
    assert_eq!(c.post(VMS, &vm("a")).await.status, 503);
    assert_eq!(c.post(VMS, &vm("a")).await.status, 503);
    assert_eq!(c.post(VMS, &vm("a")).await.status, 201);
    assert_eq!(c.get(&format!("{VMS}/a")).await.status, 200);
    let r = c.get(&format!("{VMS}/special")).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["reason"], "InternalError");
    let failed = sim.requests().iter().filter(|r| r.status >= 500).count();
    assert_eq!(failed, 3);
    sim.faults().clear();
    assert_eq!(c.get(&format!("{VMS}/special")).await.status, 404);
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let (sim, c) = sim().await;
    sim.faults().set_rtt(Duration::from_millis(150));
    let start = Instant::now();
    c.get(VMS).await;
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn the_request_log_records_method_path_user_status_body_and_dry_run() {
    let (sim, c) = sim().await;
    c.post(&format!("{VMS}?dryRun=All"), &vm("a")).await;
    c.get(VMS).await;
    let log = sim.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (
            log[0].method.as_str(),
            log[0].path.as_str(),
            log[0].query.as_str()
        ),
        ("POST", VMS, "dryRun=All")
    );
    assert_eq!(
        (log[0].user.as_str(), log[0].status, log[0].dry_run),
        ("admin", 201, true)
    );
    assert_eq!(log[0].body.as_ref().unwrap()["metadata"]["name"], "a");
    assert_eq!(sim.writes().len(), 1);
    // Controller-side writes through the store are not requests.
    sim.store()
        .create(&Gvr::new("kubevirt.io", "v1", "virtualmachines"), {
            let mut o = vm("b");
            o["metadata"]["namespace"] = json!("prod");
            o
        })
        .unwrap();
    assert_eq!(sim.requests().len(), 2);
    sim.clear_requests();
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn sim_endpoints_control_a_running_binary() {
    let (_sim, c) = sim().await;
    let anon = Client::new(c.addr, None);
    let rule = json!({"method": "GET", "resource": "virtualmachines", "status": 503, "times": 1});
    assert_eq!(anon.post("/sim/faults", &rule).await.status, 200);
    assert_eq!(c.get(VMS).await.status, 503);
    assert_eq!(c.get(VMS).await.status, 200);
    let log = anon.get("/sim/requests").await.json();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["status"], 503);
    assert_eq!(log[0]["user"], "admin");
    assert_eq!(anon.delete("/sim/requests").await.status, 200);
    assert_eq!(anon.get("/sim/requests").await.json(), json!([]));
    let yaml = "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: from-sim, namespace: prod}\nspec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}\nstatus: {printableStatus: Stopped}\n";
    let r = anon
        .request(
            "POST",
            "/sim/objects",
            &[("Content-Type", "application/yaml")],
            Some(yaml.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 200);
    let got = c.get(&format!("{VMS}/from-sim")).await.json();
    assert_eq!(
        got["status"]["printableStatus"], "Stopped",
        "objects put through /sim keep their status"
    );
    assert_eq!(
        anon.request("POST", "/sim/faults/drop-watch?after=0", &[], None)
            .await
            .status,
        200
    );
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion=1"))
        .await;
    assert!(w.next().await.is_none());
    assert_eq!(anon.delete("/sim/faults").await.status, 200);
}

#[tokio::test]
async fn invalid_custom_resources_get_422_with_field_causes() {
    let (sim, c) = sim().await;
    if !sim.schema_validation() {
        assert!(!in_ci(), "CI must have the reference CRD schemas");
        eprintln!("note: reference CRD schemas not found; schema validation test skipped");
        return;
    }
    let bad = json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot", "metadata": {"name": "s1"}, "spec": {"deletionPolicy": "Delete"}});
    let r = c.post(SNAPS, &bad).await;
    assert_eq!(r.status, 422);
    let s = r.json();
    assert_eq!(s["reason"], "Invalid");
    assert_eq!(
        s["message"],
        "VirtualMachineSnapshot.snapshot.kubevirt.io \"s1\" is invalid: spec.source: Required value"
    );
    assert_eq!(s["details"]["causes"][0]["field"], "spec.source");
    assert_eq!(s["details"]["causes"][0]["reason"], "FieldValueRequired");
    assert_eq!(s["details"]["kind"], "VirtualMachineSnapshot");

    let unknown = json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot", "metadata": {"name": "s2"}, "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "db"}, "bogus": 1}});
    let strict = c
        .post(&format!("{SNAPS}?fieldValidation=Strict"), &unknown)
        .await;
    assert_eq!(strict.status, 400);
    assert_eq!(
        strict.json()["message"],
        "VirtualMachineSnapshot in version \"v1beta1\" cannot be handled as a VirtualMachineSnapshot: strict decoding error: unknown field \"spec.bogus\""
    );
    let warned = c.post(SNAPS, &unknown).await;
    assert_eq!(warned.status, 201);
    assert!(warned.header("Warning").unwrap().contains("unknown field"));
    assert!(
        warned.json()["spec"].get("bogus").is_none(),
        "unknown fields are pruned"
    );
}

#[tokio::test]
async fn updates_of_custom_resources_need_a_resource_version() {
    let (_sim, c) = sim().await;
    let created = c.post(VMS, &vm("a")).await.json();
    let mut body = created.clone();
    body["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("resourceVersion");
    let r = c.put(&format!("{VMS}/a"), &body).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["details"]["causes"][0]["field"],
        "metadata.resourceVersion"
    );
}

#[tokio::test]
async fn kubevirt_webhooks_refuse_what_the_schema_lets_through() {
    let (sim, c) = sim().await;
    if !sim.schema_validation() {
        assert!(!in_ci(), "CI must have the reference CRD schemas");
        return;
    }
    let no_group = json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot", "metadata": {"name": "s"}, "spec": {"source": {"kind": "VirtualMachine", "name": "db"}}});
    let r = c.post(SNAPS, &no_group).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["message"],
        "admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: missing apiGroup"
    );
    let ok = json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot", "metadata": {"name": "s"}, "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "db"}}});
    assert_eq!(c.post(SNAPS, &ok).await.status, 201);
    let change = c
        .patch(
            &format!("{SNAPS}/s"),
            "application/merge-patch+json",
            &json!({"spec": {"source": {"name": "other"}}}),
        )
        .await;
    assert_eq!(change.status, 422);
    let labels = c
        .patch(
            &format!("{SNAPS}/s"),
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"a": "b"}}}),
        )
        .await;
    assert_eq!(labels.status, 200, "metadata stays mutable");
}
