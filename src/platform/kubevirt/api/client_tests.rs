//! The async client against the simulated cluster, seeded with the KubeVirt fixtures.

use serde_json::{Value, json};

use crate::cluster::LIST_PAGE_SIZE;
use crate::cluster::json;
use vmsnap_sim::{Rule, Sim, SimConfig, User};

use super::*;
use crate::flow::common::api_code as status_code;
use crate::platform::fixtures::sim_client;
use crate::platform::kubevirt::analysis::{StorageInputs, analyse};

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubevirt")
}

async fn sim() -> Sim {
    Sim::start(SimConfig {
        scenarios: vec![fixtures_dir()],
        ..SimConfig::empty()
    })
    .await
    .expect("simulator starts")
}

async fn kubevirt(sim: &Sim, user: &str) -> KubeVirt {
    KubeVirt::new(
        sim_client(sim, user, "production").await,
        ServedVersions::default(),
    )
}

/// The simulator and a client acting as its admin.
async fn admin() -> (Sim, KubeVirt) {
    let sim = sim().await;
    let kv = kubevirt(&sim, "admin").await;
    (sim, kv)
}

/// The simulator and a client acting as [`namespace_user`].
async fn as_namespace_user() -> (Sim, KubeVirt) {
    let sim = sim().await;
    let user = namespace_user(&sim);
    let kv = kubevirt(&sim, user).await;
    (sim, kv)
}

/// The object a get found.
fn present(got: anyhow::Result<Option<Value>>) -> Value {
    got.expect("get succeeds").expect("the object exists")
}

/// The get succeeded and found the object.
fn found(got: anyhow::Result<Option<Value>>) -> bool {
    got.expect("get succeeds").is_some()
}

/// The storage inputs of VM `vm` in production, read after an emptied request log.
async fn storage_inputs_of(sim: &Sim, kv: &KubeVirt, vm: &str) -> StorageInputs {
    let vm = present(kv.get_vm("production", vm).await);
    sim.clear_requests();
    kv.storage_inputs("production", &vm).await.unwrap()
}

/// `err` names what failed and keeps the API status `code` in its chain.
fn assert_api_error(err: &anyhow::Error, message: &str, code: u16) {
    assert_eq!(err.to_string(), message);
    assert_eq!(status_code(err), Some(code));
}

/// A `production` restore of `vm` from `snapshot` that stops the VM first.
fn stop_target_restore(name: &str, vm: &str, snapshot: &str) -> Value {
    build_restore("production", name, vm, snapshot, Some("StopTarget"))
}

/// A user with every verb in `production` only: cluster-scoped lists are forbidden.
fn namespace_user(sim: &Sim) -> &'static str {
    sim.add_user(User::new(
        "ns-editor",
        vec![Rule {
            verbs: vec!["*".into()],
            namespaces: Some(vec!["production".into()]),
            ..Rule::default()
        }],
    ));
    "ns-editor"
}

#[tokio::test]
async fn get_returns_the_object_or_none_when_absent() {
    let (_sim, kv) = admin().await;
    let vm = present(kv.get_vm("production", "database-01").await);
    assert_eq!(vm["metadata"]["name"], "database-01");
    assert_eq!(vm["spec"]["runStrategy"], "Always");
    assert!(!found(kv.get_vm("production", "no-such-vm").await));
}

#[tokio::test]
async fn forbidden_get_keeps_the_kube_error_and_names_the_object() {
    let (_sim, kv) = as_namespace_user().await;
    let err = kv.get_vm("staging", "web-01").await.unwrap_err();
    assert_api_error(&err, "failed to get VirtualMachine staging/web-01", 403);
}

#[tokio::test]
async fn storage_inputs_read_everything_the_analysis_needs() {
    let (sim, kv) = admin().await;
    let inputs = storage_inputs_of(&sim, &kv, "database-01").await;
    assert!(inputs.vmi.is_some());
    assert_eq!(inputs.pvcs.len(), 4);
    assert_eq!(inputs.data_volumes.len(), 1);
    assert_eq!(inputs.storage_classes.as_ref().map(Vec::len), Some(5));
    assert_eq!(
        inputs.volume_snapshot_classes.as_ref().map(Vec::len),
        Some(7)
    );
    assert!(inputs.storage_profiles.is_some() && inputs.csi_drivers.is_some());
    // Reads only; one request per object or list.
    assert!(sim.writes().is_empty());
    assert_eq!(sim.requests().len(), 1 + 4 + 1 + 4);
    let a = analyse(&inputs);
    assert_eq!(a.included_volumes(), ["rootdisk", "datadisk", "scratch"]);
}

#[tokio::test]
async fn storage_inputs_for_a_namespace_user_leave_cluster_lists_unknown() {
    let (sim, kv) = as_namespace_user().await;
    let inputs = storage_inputs_of(&sim, &kv, "database-01").await;
    assert!(inputs.storage_classes.is_none());
    assert!(inputs.volume_snapshot_classes.is_none());
    assert!(inputs.storage_profiles.is_none());
    assert!(inputs.csi_drivers.is_none());
    assert_eq!(inputs.pvcs.len(), 4);
    let a = analyse(&inputs);
    assert_eq!(a.included_volumes(), ["rootdisk", "datadisk", "scratch"]);
    assert!(a.warnings.iter().any(|w| w.contains("forbidden")));
}

#[tokio::test]
async fn lists_follow_continue_tokens_past_one_page() {
    let (sim, kv) = admin().await;
    let api = kv.api(Kind::VolumeSnapshotClass, None);
    for i in 0..(LIST_PAGE_SIZE + 20) {
        let obj: kube::api::DynamicObject = serde_json::from_value(json!({
            "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
            "metadata": {"name": format!("bulk-{i:04}")}, "driver": "bulk.csi.example.com",
            "deletionPolicy": "Delete"}))
        .unwrap();
        api.create(&Default::default(), &obj).await.unwrap();
    }
    sim.clear_requests();
    let all = kv
        .list(Kind::VolumeSnapshotClass, None, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 7 + LIST_PAGE_SIZE as usize + 20);
    let lists = sim.requests();
    assert_eq!(lists.len(), 2, "two pages");
    assert!(lists.iter().all(|r| r.query.contains("limit=500")));
    assert!(lists[1].query.contains("continue="));
}

#[tokio::test]
async fn list_snapshots_filters_by_label_selector_in_one_namespace() {
    let (_sim, kv) = admin().await;
    let all = kv.list_snapshots(Some("production"), None).await.unwrap();
    assert!(all.len() >= 5);
    let nightly = kv
        .list_snapshots(Some("production"), Some("schedule=nightly"))
        .await
        .unwrap();
    let names: Vec<&str> = nightly.iter().map(json::name).collect();
    assert_eq!(names, ["win-app-01-nightly"]);
    let everywhere = kv.list_snapshots(None, None).await.unwrap();
    assert!(everywhere.len() >= all.len());
}

#[tokio::test]
async fn dry_run_create_writes_nothing_and_real_create_returns_the_object() {
    let (sim, kv) = admin().await;
    let labels = [("purpose".to_owned(), "test".to_owned())].into();
    let obj = build_snapshot("production", "dry-snap", "web-02", Some("2m"), &labels);
    sim.clear_requests();
    let echoed = kv.create_snapshot(obj.clone(), true).await.unwrap();
    assert_eq!(echoed["metadata"]["name"], "dry-snap");
    assert!(!found(kv.get_snapshot("production", "dry-snap").await));
    let writes = sim.writes();
    assert_eq!(writes.len(), 1);
    assert!(writes[0].dry_run);
    assert!(writes[0].query.contains("fieldManager=kubectl-vmsnap"));

    let created = kv.create_snapshot(obj, false).await.unwrap();
    assert_eq!(created["apiVersion"], "snapshot.kubevirt.io/v1beta1");
    assert_eq!(created["spec"]["failureDeadline"], "2m");
    assert!(found(kv.get_snapshot("production", "dry-snap").await));
}

#[tokio::test]
async fn create_conflict_keeps_status_409_in_the_chain() {
    let (_sim, kv) = admin().await;
    let obj = build_snapshot(
        "production",
        "pre-upgrade-snapshot",
        "database-01",
        None,
        &Default::default(),
    );
    let err = kv.create_snapshot(obj, false).await.unwrap_err();
    assert_api_error(
        &err,
        "failed to create VirtualMachineSnapshot production/pre-upgrade-snapshot",
        409,
    );
}

#[tokio::test]
async fn create_restore_posts_a_restore_for_the_vm() {
    let (sim, kv) = admin().await;
    let r = stop_target_restore("restore-x", "database-01", "pre-upgrade-snapshot");
    let created = kv.create_restore(r, false).await.unwrap();
    assert_eq!(
        created["spec"]["virtualMachineSnapshotName"],
        "pre-upgrade-snapshot"
    );
    let w = sim.writes();
    assert_eq!(w[0].method, "POST");
    assert_eq!(
        w[0].path,
        "/apis/snapshot.kubevirt.io/v1beta1/namespaces/production/virtualmachinerestores"
    );
}

#[tokio::test]
async fn a_second_restore_of_a_vm_with_one_in_progress_is_refused() {
    let (_sim, kv) = admin().await;
    // restore-inprogress.yaml holds an unfinished restore of web-02.
    let r = stop_target_restore("restore-y", "web-02", "web-02-before-patch");
    let err = kv.create_restore(r, false).await.unwrap_err();
    assert_eq!(status_code(&err), Some(422), "{err:#}");
    assert!(
        format!("{err:#}").contains("restore-web-02-20261126-095500"),
        "{err:#}"
    );
}

#[tokio::test]
async fn delete_reports_gone_objects_and_honours_the_uid_precondition() {
    let (_sim, kv) = admin().await;
    let err = kv
        .delete(
            Kind::VirtualMachineSnapshot,
            "production",
            "pre-upgrade-snapshot",
            Some("not-its-uid"),
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(status_code(&err), Some(409));
    // The server assigns its own uid on creation, so read it back.
    let snap = present(kv.get_snapshot("production", "pre-upgrade-snapshot").await);
    let uid = snap["metadata"]["uid"].as_str().unwrap();
    assert!(
        kv.delete(
            Kind::VirtualMachineSnapshot,
            "production",
            "pre-upgrade-snapshot",
            Some(uid),
            false
        )
        .await
        .unwrap()
    );
    assert!(
        !kv.delete(
            Kind::VirtualMachineSnapshot,
            "production",
            "never-existed",
            None,
            false
        )
        .await
        .unwrap()
    );
}

#[tokio::test]
async fn stop_and_start_put_the_subresources() {
    let (sim, kv) = admin().await;
    sim.clear_requests();
    // legacy-app has no snapshot: KubeVirt's VM webhook refuses run-state changes while one
    // is in progress (the fixtures' database-01 and web-02 have some).
    kv.start_vm("production", "legacy-app").await.unwrap();
    kv.stop_vm("production", "legacy-app").await.unwrap();
    let w: Vec<(String, String)> = sim
        .writes()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        w,
        [
            (
                "PUT".to_owned(),
                "/apis/subresources.kubevirt.io/v1/namespaces/production/virtualmachines/legacy-app/start".to_owned()
            ),
            (
                "PUT".to_owned(),
                "/apis/subresources.kubevirt.io/v1/namespaces/production/virtualmachines/legacy-app/stop".to_owned()
            ),
        ]
    );
    let err = kv.start_vm("production", "no-such-vm").await.unwrap_err();
    assert_api_error(
        &err,
        "failed to start VirtualMachine production/no-such-vm",
        404,
    );
}

#[tokio::test]
async fn volume_snapshots_and_contents_are_readable_for_describe() {
    let (_sim, kv) = admin().await;
    let snap = present(kv.get_snapshot("production", "pre-upgrade-snapshot").await);
    let content_name = snap["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .unwrap();
    let content = kv
        .get_content("production", content_name)
        .await
        .unwrap()
        .unwrap();
    let vss = kv.list_volume_snapshots("production").await.unwrap();
    let info = snapshot_info(&snap, Some(&content), &vss);
    assert_eq!(info.size_bytes, Some(140 * (1 << 30)));
    let restores: Vec<Value> = kv.list_restores(Some("production")).await.unwrap();
    assert!(
        restores
            .iter()
            .any(|r| restore_info(r).snapshot == "pre-upgrade-snapshot")
    );
}

#[tokio::test]
async fn storage_inputs_find_the_vtpm_state_pvc_by_label() {
    let (sim, kv) = admin().await;
    let inputs = storage_inputs_of(&sim, &kv, "win11-desk").await;
    let names: Vec<&str> = inputs.pvcs.iter().map(json::name).collect();
    assert_eq!(
        names,
        [
            "win11-desk-rootdisk",
            "persistent-state-for-win11-desk-7hq2x"
        ]
    );
    assert!(sim.requests().iter().any(|r| {
        r.query
            .contains("labelSelector=persistent-state-for%3Dwin11-desk")
    }));
}

#[tokio::test]
async fn v1alpha1_clusters_get_objects_written_at_v1alpha1() {
    let sim = sim().await;
    let kv = KubeVirt::new(
        sim_client(&sim, "admin", "production").await,
        ServedVersions {
            snapshot: SnapshotVersion::V1alpha1,
        },
    );
    let obj = build_snapshot(
        "production",
        "alpha-snap",
        "web-02",
        None,
        &Default::default(),
    );
    sim.clear_requests();
    let created = kv.create_snapshot(obj, false).await.unwrap();
    assert_eq!(created["apiVersion"], "snapshot.kubevirt.io/v1alpha1");
    assert_eq!(
        sim.writes()[0].path,
        "/apis/snapshot.kubevirt.io/v1alpha1/namespaces/production/virtualmachinesnapshots"
    );
    assert!(found(kv.get_snapshot("production", "alpha-snap").await));
}
