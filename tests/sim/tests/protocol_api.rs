//! The simulator's REST protocol, black-box over HTTP: discovery, CRUD, status subresource,
//! selectors, pagination, finalizers, dry-run, errors, auth, actions, tables.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod protocol_support;

use protocol_support::Client;
use serde_json::{Value, json};
use vmsnap_sim::{Gvr, Sim, SimConfig};

const VMS: &str = "/apis/kubevirt.io/v1/namespaces/prod/virtualmachines";
const SNAPS: &str = "/apis/snapshot.kubevirt.io/v1beta1/namespaces/prod/virtualmachinesnapshots";

async fn sim() -> (Sim, Client) {
    // Controllers stay out of the way: nothing here is a KubeVirt flow.
    let config = SimConfig {
        controllers: false,
        ..SimConfig::empty()
    };
    let sim = Sim::start(config).await.unwrap();
    sim.store()
        .create(
            &Gvr::new("", "v1", "namespaces"),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
        )
        .unwrap();
    let client = Client::new(sim.addr(), sim.token("admin").as_deref());
    (sim, client)
}

fn vm(name: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name, "labels": labels},
        "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}}}}},
    })
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn discovery_lists_groups_resources_and_subresources() {
    let (_sim, c) = sim().await;
    let v = c.get("/version").await.json();
    assert_eq!(
        (v["major"].as_str(), v["minor"].as_str()),
        (Some("1"), Some("32"))
    );
    assert_eq!(c.get("/api").await.json()["versions"], json!(["v1"]));
    let groups = c.get("/apis").await.json();
    let snap = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "snapshot.kubevirt.io")
        .unwrap();
    assert_eq!(snap["preferredVersion"]["version"], "v1beta1");
    assert_eq!(snap["versions"][1]["version"], "v1alpha1");
    let list = c.get("/apis/snapshot.kubevirt.io/v1beta1").await.json();
    let res = list["resources"].as_array().unwrap();
    let vmsnap = res
        .iter()
        .find(|r| r["name"] == "virtualmachinesnapshots")
        .unwrap();
    assert_eq!(vmsnap["kind"], "VirtualMachineSnapshot");
    assert_eq!(vmsnap["namespaced"], true);
    assert!(
        vmsnap["shortNames"]
            .as_array()
            .unwrap()
            .contains(&json!("vmsnapshot"))
    );
    assert!(
        vmsnap["verbs"]
            .as_array()
            .unwrap()
            .contains(&json!("watch"))
    );
    assert!(
        res.iter()
            .any(|r| r["name"] == "virtualmachinesnapshots/status")
    );
    let sub = c.get("/apis/subresources.kubevirt.io/v1").await.json();
    assert!(
        sub["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "virtualmachines/start")
    );
    assert_eq!(c.get("/apis/nothing.example.com/v1").await.status, 404);
}

#[tokio::test]
async fn aggregated_discovery_is_served_to_clients_that_ask_for_it() {
    let (_sim, c) = sim().await;
    let accept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let r = c.get_accept("/apis", accept).await;
    assert_eq!(
        r.header("Content-Type"),
        Some("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    );
    let doc = r.json();
    assert_eq!(doc["kind"], "APIGroupDiscoveryList");
    let kv = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "kubevirt.io")
        .unwrap();
    let vm = &kv["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "virtualmachines")
        .unwrap();
    assert_eq!(vm["responseKind"]["kind"], "VirtualMachine");
    assert_eq!(vm["shortNames"][0], "vm");
    let core = c.get_accept("/api", accept).await.json();
    assert!(
        core["items"][0]["versions"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resource"] == "namespaces")
    );
    let legacy = c.get_accept("/apis", "application/json").await.json();
    assert_eq!(legacy["kind"], "APIGroupList");
}

#[tokio::test]
async fn create_get_update_patch_and_delete_round_trip() {
    let (_sim, c) = sim().await;
    let created = c.post(VMS, &vm("db", json!({"app": "db"}))).await;
    assert_eq!(created.status, 201);
    let created = created.json();
    assert_eq!(created["metadata"]["generation"], 1);
    assert!(created["metadata"]["uid"].is_string());
    let got = c.get(&format!("{VMS}/db")).await.json();
    assert_eq!(
        got["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );

    let dup = c.post(VMS, &vm("db", json!({}))).await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.json()["reason"], "AlreadyExists");

    let mut newer = got.clone();
    newer["spec"]["runStrategy"] = json!("Always");
    let put = c.put(&format!("{VMS}/db"), &newer).await;
    assert_eq!(put.status, 200);
    assert_eq!(put.json()["metadata"]["generation"], 2);
    let stale = c.put(&format!("{VMS}/db"), &got).await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.json()["reason"], "Conflict");

    let merged = c
        .patch(
            &format!("{VMS}/db"),
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"tier": "gold"}}}),
        )
        .await
        .json();
    assert_eq!(
        merged["metadata"]["labels"],
        json!({"app": "db", "tier": "gold"})
    );
    let jp = c
        .patch(
            &format!("{VMS}/db"),
            "application/json-patch+json",
            &json!([{"op": "replace", "path": "/spec/runStrategy", "value": "Halted"}]),
        )
        .await
        .json();
    assert_eq!(jp["spec"]["runStrategy"], "Halted");
    let smp = c
        .patch(
            &format!("{VMS}/db"),
            "application/strategic-merge-patch+json",
            &json!({"spec": {}}),
        )
        .await;
    assert_eq!(
        smp.status, 415,
        "custom resources refuse strategic merge patches"
    );

    let del = c.delete(&format!("{VMS}/db")).await;
    assert_eq!(del.status, 200);
    let gone = c.get(&format!("{VMS}/db")).await;
    assert_eq!(gone.status, 404);
    let status = gone.json();
    assert_eq!(status["kind"], "Status");
    assert_eq!(status["reason"], "NotFound");
    assert_eq!(
        status["message"],
        "virtualmachines.kubevirt.io \"db\" not found"
    );
    assert_eq!(
        status["details"],
        json!({"name": "db", "group": "kubevirt.io", "kind": "virtualmachines"})
    );
}

#[tokio::test]
async fn status_subresource_and_main_resource_do_not_overwrite_each_other() {
    let (_sim, c) = sim().await;
    let mut obj = vm("db", json!({}));
    obj["status"] = json!({"printableStatus": "Running"});
    let created = c.post(VMS, &obj).await.json();
    assert!(
        created.get("status").is_none(),
        "status is dropped on create"
    );

    let st = c
        .patch(
            &format!("{VMS}/db/status"),
            "application/merge-patch+json",
            &json!({"status": {"printableStatus": "Stopped"}, "spec": {"runStrategy": "Always"}}),
        )
        .await
        .json();
    assert_eq!(st["status"]["printableStatus"], "Stopped");
    assert_eq!(
        st["spec"]["runStrategy"], "Halted",
        "a status write ignores spec"
    );

    let main = c
        .patch(
            &format!("{VMS}/db"),
            "application/merge-patch+json",
            &json!({"status": {"printableStatus": "Bogus"}}),
        )
        .await
        .json();
    assert_eq!(
        main["status"]["printableStatus"], "Stopped",
        "a main-resource write ignores status"
    );
}

#[tokio::test]
async fn list_pages_with_limit_and_continue_in_name_order() {
    let (sim, c) = sim().await;
    let gvr = Gvr::new("kubevirt.io", "v1", "virtualmachines");
    for i in 0..25 {
        let mut o = vm(&format!("vm-{i:02}"), json!({}));
        o["metadata"]["namespace"] = json!("prod");
        sim.store().create(&gvr, o).unwrap();
    }
    let first = c.get(&format!("{VMS}?limit=10")).await.json();
    assert_eq!(first["kind"], "VirtualMachineList");
    assert_eq!(names(&first).len(), 10);
    assert_eq!(first["metadata"]["remainingItemCount"], 15);
    let rv = first["metadata"]["resourceVersion"].clone();
    let mut all = names(&first);
    let mut token = first["metadata"]["continue"].as_str().unwrap().to_string();
    loop {
        let page = c
            .get(&format!("{VMS}?limit=10&continue={token}"))
            .await
            .json();
        assert_eq!(
            page["metadata"]["resourceVersion"], rv,
            "pages keep the first page's resourceVersion"
        );
        all.extend(names(&page));
        match page["metadata"]["continue"].as_str() {
            Some(t) if !t.is_empty() => token = t.to_string(),
            _ => break,
        }
    }
    let want: Vec<String> = (0..25).map(|i| format!("vm-{i:02}")).collect();
    assert_eq!(all, want);
    let everything = c.get("/apis/kubevirt.io/v1/virtualmachines").await.json();
    assert_eq!(names(&everything).len(), 25);
}

#[tokio::test]
async fn continue_token_expires_after_compaction() {
    let (sim, c) = sim().await;
    for n in ["a", "b", "c"] {
        assert_eq!(c.post(VMS, &vm(n, json!({}))).await.status, 201);
    }
    let first = c.get(&format!("{VMS}?limit=1")).await.json();
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    c.post(VMS, &vm("d", json!({}))).await;
    sim.store().compact();
    let expired = c.get(&format!("{VMS}?limit=1&continue={token}")).await;
    assert_eq!(expired.status, 410);
    assert_eq!(expired.json()["reason"], "Expired");
}

#[tokio::test]
async fn label_and_field_selectors_filter_lists() {
    let (_sim, c) = sim().await;
    c.post(VMS, &vm("db-1", json!({"app": "db", "tier": "gold"})))
        .await;
    c.post(VMS, &vm("db-2", json!({"app": "db", "tier": "silver"})))
        .await;
    c.post(VMS, &vm("web", json!({"app": "web"}))).await;
    let q = |sel: &str| {
        format!(
            "{VMS}?labelSelector={}",
            sel.replace(' ', "+")
                .replace('=', "%3D")
                .replace(',', "%2C")
        )
    };
    for (sel, want) in [
        ("app=db", vec!["db-1", "db-2"]),
        ("app==web", vec!["web"]),
        ("app!=db", vec!["web"]),
        ("tier in (gold,bronze)", vec!["db-1"]),
        ("tier notin (gold)", vec!["db-2", "web"]),
        ("tier", vec!["db-1", "db-2"]),
        ("!tier", vec!["web"]),
        ("app=db,tier=silver", vec!["db-2"]),
    ] {
        assert_eq!(names(&c.get(&q(sel)).await.json()), want, "{sel}");
    }
    let by_name = c
        .get(&format!("{VMS}?fieldSelector=metadata.name%3Dweb"))
        .await
        .json();
    assert_eq!(names(&by_name), ["web"]);
    let by_ns = c
        .get("/apis/kubevirt.io/v1/virtualmachines?fieldSelector=metadata.namespace%21%3Dprod")
        .await
        .json();
    assert!(names(&by_ns).is_empty());
    let bad = c
        .get(&format!("{VMS}?fieldSelector=status.phase%3DRunning"))
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn finalizers_keep_a_deleted_object_until_they_are_removed() {
    let (_sim, c) = sim().await;
    let mut obj = vm("db", json!({}));
    obj["metadata"]["finalizers"] = json!(["example.com/protect"]);
    c.post(VMS, &obj).await;
    let del = c.delete(&format!("{VMS}/db")).await;
    assert_eq!(del.status, 200);
    assert!(del.json()["metadata"]["deletionTimestamp"].is_string());
    let still = c.get(&format!("{VMS}/db")).await;
    assert_eq!(still.status, 200);
    let again = c.delete(&format!("{VMS}/db")).await;
    assert_eq!(
        again.status, 200,
        "deleting a terminating object is idempotent"
    );
    let cleared = c
        .patch(
            &format!("{VMS}/db"),
            "application/merge-patch+json",
            &json!({"metadata": {"finalizers": null}}),
        )
        .await;
    assert_eq!(cleared.status, 200);
    assert_eq!(c.get(&format!("{VMS}/db")).await.status, 404);
}

#[tokio::test]
async fn dry_run_writes_are_validated_and_answered_but_not_stored() {
    let (sim, c) = sim().await;
    let r = c
        .post(&format!("{VMS}?dryRun=All"), &vm("db", json!({})))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["metadata"]["name"], "db");
    assert_eq!(c.get(&format!("{VMS}/db")).await.status, 404);
    c.post(VMS, &vm("db", json!({}))).await;
    let d = c
        .request("DELETE", &format!("{VMS}/db?dryRun=All"), &[], None)
        .await;
    assert_eq!(d.status, 200);
    assert_eq!(c.get(&format!("{VMS}/db")).await.status, 200);
    let p = c
        .patch(
            &format!("{VMS}/db?dryRun=All"),
            "application/merge-patch+json",
            &json!({"spec": {"runStrategy": "Always"}}),
        )
        .await;
    assert_eq!(p.json()["spec"]["runStrategy"], "Always");
    assert_eq!(
        c.get(&format!("{VMS}/db")).await.json()["spec"]["runStrategy"],
        "Halted"
    );
    let writes = sim.writes();
    assert_eq!(writes.iter().filter(|w| w.dry_run).count(), 3);
    assert_eq!(writes.iter().filter(|w| !w.dry_run).count(), 1);
}

#[tokio::test]
async fn missing_namespace_and_unknown_paths_are_not_found() {
    let (_sim, c) = sim().await;
    let r = c
        .post(
            "/apis/kubevirt.io/v1/namespaces/nowhere/virtualmachines",
            &vm("db", json!({})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "namespaces \"nowhere\" not found");
    assert_eq!(
        c.get("/apis/kubevirt.io/v1/namespaces/prod/nothings")
            .await
            .status,
        404
    );
    let post_named = c.post(&format!("{VMS}/db"), &vm("db", json!({}))).await;
    assert_eq!(post_named.status, 405);
    assert_eq!(post_named.json()["reason"], "MethodNotAllowed");
    assert_eq!(c.put(VMS, &vm("db", json!({}))).await.status, 405);
    let mismatch = {
        let mut o = vm("db", json!({}));
        o["metadata"]["namespace"] = json!("other");
        c.post(VMS, &o).await
    };
    assert_eq!(mismatch.status, 400);
}

#[tokio::test]
async fn unauthenticated_and_unknown_tokens_get_401() {
    let (sim, _c) = sim().await;
    let anon = Client::new(sim.addr(), None);
    let r = anon.get("/api").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["reason"], "Unauthorized");
    assert_eq!(
        Client::new(sim.addr(), Some("nope")).get(VMS).await.status,
        401
    );
    assert_eq!(sim.requests().last().unwrap().user, "");
}

#[tokio::test]
async fn users_without_rights_get_403_worded_like_rbac() {
    let (sim, c) = sim().await;
    c.post(VMS, &vm("db", json!({}))).await;
    let viewer = Client::new(sim.addr(), sim.token("viewer").as_deref());
    assert_eq!(viewer.get(VMS).await.status, 200);
    let r = viewer.post(SNAPS, &json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot", "metadata": {"name": "s"}, "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "db"}}})).await;
    assert_eq!(r.status, 403);
    let s = r.json();
    assert_eq!(s["reason"], "Forbidden");
    assert_eq!(
        s["message"],
        "virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User \"viewer\" cannot create resource \"virtualmachinesnapshots\" in API group \"snapshot.kubevirt.io\" in the namespace \"prod\""
    );
    let named = viewer.delete(&format!("{VMS}/db")).await.json();
    assert_eq!(
        named["message"],
        "virtualmachines.kubevirt.io \"db\" is forbidden: User \"viewer\" cannot delete resource \"virtualmachines\" in API group \"kubevirt.io\" in the namespace \"prod\""
    );
    let start = viewer
        .put(
            "/apis/subresources.kubevirt.io/v1/namespaces/prod/virtualmachines/db/start",
            &json!({}),
        )
        .await
        .json();
    assert_eq!(
        start["message"],
        "virtualmachines.subresources.kubevirt.io \"db\" is forbidden: User \"viewer\" cannot update resource \"virtualmachines/start\" in API group \"subresources.kubevirt.io\" in the namespace \"prod\""
    );
}

#[tokio::test]
async fn self_subject_access_reviews_answer_from_the_same_rules() {
    let (sim, _c) = sim().await;
    let alice = Client::new(sim.addr(), sim.token("alice").as_deref());
    let ask = |verb: &str| json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"namespace": "prod", "verb": verb, "group": "snapshot.kubevirt.io", "resource": "virtualmachinesnapshots"}}});
    let r = alice
        .post(
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            &ask("list"),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["status"]["allowed"], true);
    let r = alice
        .post(
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            &ask("create"),
        )
        .await;
    assert_eq!(r.json()["status"]["allowed"], false);
    // Asking is not writing: the request log's writes leave reviews out.
    assert_eq!(sim.requests().len(), 2);
    assert!(sim.requests().iter().all(|r| r.is_access_review()));
    assert!(sim.writes().is_empty());
}

#[tokio::test]
async fn start_and_stop_flip_the_run_strategy_and_refuse_no_ops() {
    let (_sim, c) = sim().await;
    c.post(VMS, &vm("db", json!({}))).await;
    let base = "/apis/subresources.kubevirt.io/v1/namespaces/prod/virtualmachines/db";
    assert_eq!(
        c.put(&format!("{base}/start"), &json!({})).await.status,
        202
    );
    assert_eq!(
        c.get(&format!("{VMS}/db")).await.json()["spec"]["runStrategy"],
        "Always"
    );
    let again = c.put(&format!("{base}/start"), &json!({})).await;
    assert_eq!(again.status, 409);
    assert!(
        again.json()["message"]
            .as_str()
            .unwrap()
            .ends_with("VM is already running")
    );
    assert_eq!(c.put(&format!("{base}/stop"), &json!({})).await.status, 202);
    assert_eq!(
        c.get(&format!("{VMS}/db")).await.json()["spec"]["runStrategy"],
        "Halted"
    );
    assert_eq!(
        c.put(
            "/apis/subresources.kubevirt.io/v1/namespaces/prod/virtualmachines/nope/start",
            &json!({})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn tables_follow_the_printer_columns() {
    let (_sim, c) = sim().await;
    let mut o = vm("db", json!({}));
    o["metadata"]["creationTimestamp"] = json!("2020-01-01T00:00:00Z");
    c.post(VMS, &o).await;
    let t = c
        .get_accept(
            VMS,
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .await
        .json();
    assert_eq!(t["kind"], "Table");
    let cols: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols[0], "Name");
    assert!(cols.contains(&"Age"));
    assert_eq!(t["rows"][0]["cells"][0], "db");
    assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    let one = c
        .get_accept(
            &format!("{VMS}/db"),
            "application/json;as=Table;v=v1;g=meta.k8s.io",
        )
        .await
        .json();
    assert_eq!(one["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn generate_name_and_deletecollection_work() {
    let (_sim, c) = sim().await;
    let mut o = vm("", json!({"batch": "x"}));
    o["metadata"] = json!({"generateName": "tmp-", "labels": {"batch": "x"}});
    let a = c.post(VMS, &o).await.json();
    let b = c.post(VMS, &o).await.json();
    assert_ne!(a["metadata"]["name"], b["metadata"]["name"]);
    assert!(a["metadata"]["name"].as_str().unwrap().starts_with("tmp-"));
    c.post(VMS, &vm("keep", json!({}))).await;
    let r = c.delete(&format!("{VMS}?labelSelector=batch%3Dx")).await;
    assert_eq!(r.status, 200);
    assert_eq!(names(&c.get(VMS).await.json()), ["keep"]);
}

#[tokio::test]
async fn without_schemas_every_kind_is_still_served_unvalidated() {
    let empty = tempfile::tempdir().unwrap();
    let sim = Sim::start(SimConfig {
        controllers: false,
        schemas: Some(empty.path().to_path_buf()),
        ..SimConfig::empty()
    })
    .await
    .unwrap();
    assert!(!sim.schema_validation());
    let c = Client::new(sim.addr(), sim.token("admin").as_deref());
    let list = c.get("/apis/snapshot.kubevirt.io/v1beta1").await.json();
    assert!(
        list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "virtualmachinesnapshots")
    );
    let vms = c.get("/apis/kubevirt.io/v1/virtualmachines").await;
    assert_eq!(vms.status, 200);
}

#[tokio::test]
async fn the_default_scenario_loads_with_its_users_and_namespace() {
    let sim = Sim::start(SimConfig {
        controllers: false,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    assert!(!vmsnap_sim::default_scenario_files().is_empty());
    assert_eq!(sim.default_user(), "admin");
    assert_eq!(sim.default_namespace(), "production");
    let c = Client::new(sim.addr(), sim.token("admin").as_deref());
    let vms = c
        .get("/apis/kubevirt.io/v1/namespaces/production/virtualmachines")
        .await
        .json();
    assert!(!names(&vms).is_empty());
    let snaps = c
        .get("/apis/snapshot.kubevirt.io/v1beta1/virtualmachinesnapshots")
        .await
        .json();
    let phases: Vec<&str> = snaps["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["status"]["phase"].as_str())
        .collect();
    assert!(phases.contains(&"Failed"), "{phases:?}");
}

#[tokio::test]
async fn a_terminating_namespace_refuses_new_content_until_it_is_gone() {
    let (_sim, c) = sim().await;
    let mut held = vm("held", json!({}));
    held["metadata"]["finalizers"] = json!(["example.com/hold"]);
    c.post(VMS, &held).await;
    c.post(VMS, &vm("free", json!({}))).await;
    let del = c.delete("/api/v1/namespaces/prod").await.json();
    assert_eq!(del["status"]["phase"], "Terminating");
    assert_eq!(c.get(&format!("{VMS}/free")).await.status, 404);
    let refused = c.post(VMS, &vm("late", json!({}))).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json()["message"],
        "virtualmachines.kubevirt.io \"late\" is forbidden: unable to create new content in namespace prod because it is being terminated"
    );
    c.patch(
        &format!("{VMS}/held"),
        "application/merge-patch+json",
        &json!({"metadata": {"finalizers": null}}),
    )
    .await;
    assert_eq!(c.get("/api/v1/namespaces/prod").await.status, 404);
}

#[tokio::test]
async fn freeze_unfreeze_and_restart_act_on_the_vmi() {
    let (sim, c) = sim().await;
    c.post(VMS, &vm("db", json!({}))).await;
    let vmi = Gvr::new("kubevirt.io", "v1", "virtualmachineinstances");
    sim.store()
        .create(&vmi, json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": {"name": "db", "namespace": "prod"}, "spec": {"domain": {"devices": {}}}, "status": {"phase": "Running"}}))
        .unwrap();
    let base = "/apis/subresources.kubevirt.io/v1/namespaces/prod";
    assert_eq!(
        c.put(
            &format!("{base}/virtualmachineinstances/db/freeze"),
            &json!({})
        )
        .await
        .status,
        200
    );
    let frozen = sim.store().get(&vmi, Some("prod"), "db").unwrap();
    assert_eq!(frozen["status"]["fsFreezeStatus"], "frozen");
    assert_eq!(
        c.put(
            &format!("{base}/virtualmachineinstances/db/unfreeze"),
            &json!({})
        )
        .await
        .status,
        200
    );
    assert!(
        sim.store().get(&vmi, Some("prod"), "db").unwrap()["status"]
            .get("fsFreezeStatus")
            .is_none()
    );
    assert_eq!(
        c.put(
            &format!("{base}/virtualmachineinstances/nope/freeze"),
            &json!({})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        c.put(&format!("{base}/virtualmachines/db/restart"), &json!({}))
            .await
            .status,
        202
    );
    assert!(
        sim.store().get(&vmi, Some("prod"), "db").is_none(),
        "restart replaces the VMI"
    );
    assert_eq!(
        c.put(&format!("{base}/virtualmachines/db/restart"), &json!({}))
            .await
            .status,
        409
    );
    let writes: Vec<String> = sim
        .writes()
        .iter()
        .map(|w| w.path.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        writes,
        [
            "virtualmachines",
            "freeze",
            "unfreeze",
            "freeze",
            "restart",
            "restart"
        ]
    );
}

#[tokio::test]
async fn sim_controls_set_latency_and_compact_the_history() {
    let (sim, c) = sim().await;
    let anon = Client::new(sim.addr(), None);
    assert_eq!(
        anon.request("PUT", "/sim/rtt?ms=40", &[], None)
            .await
            .status,
        200
    );
    assert_eq!(sim.faults().rtt(), std::time::Duration::from_millis(40));
    assert_eq!(
        anon.request("PUT", "/sim/rtt?ms=0", &[], None).await.status,
        200
    );
    let a = c.post(VMS, &vm("a", json!({}))).await.json();
    c.post(VMS, &vm("b", json!({}))).await;
    assert_eq!(
        anon.request("POST", "/sim/compact", &[], None).await.status,
        200
    );
    let rv = a["metadata"]["resourceVersion"].as_str().unwrap();
    let mut w = c
        .watch(&format!("{VMS}?watch=true&resourceVersion={rv}"))
        .await;
    assert_eq!(w.next().await.unwrap()["object"]["code"], 410);
    assert_eq!(anon.get("/sim/nothing").await.status, 404);
}
