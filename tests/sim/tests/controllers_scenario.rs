//! The default scenario: every document validates against the real schemas, the controllers
//! bring it to the states its files describe, and what they create validates too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use vmsnap_sim::controllers::{self, ControllerConfig};
use vmsnap_sim::schema::{self, CrdVersion};
use vmsnap_sim::store::{Gvr, Store};
use vmsnap_sim::{Registry, Scenario};

fn reference_schemas() -> Option<Vec<CrdVersion>> {
    let dir = vmsnap_sim::testing::reference_schemas("kubevirt")?;
    let (all, errors) = schema::load_dir(&dir).expect("reference dir readable");
    assert!(errors.is_empty(), "{errors:?}");
    Some(all)
}

/// Schema of (group, version, kind), for the kinds that have one.
fn schema_index(all: &[CrdVersion]) -> BTreeMap<(String, String), Arc<Value>> {
    all.iter()
        .map(|v| {
            (
                (
                    (if v.group.is_empty() {
                        v.version.clone()
                    } else {
                        format!("{}/{}", v.group, v.version)
                    }),
                    v.kind.clone(),
                ),
                v.schema.clone(),
            )
        })
        .collect()
}

fn invalid_objects(
    index: &BTreeMap<(String, String), Arc<Value>>,
    objects: impl IntoIterator<Item = Value>,
) -> Vec<String> {
    let mut bad = Vec::new();
    let mut checked = 0;
    for obj in objects {
        let key = (
            obj["apiVersion"].as_str().unwrap_or("").to_string(),
            obj["kind"].as_str().unwrap_or("").to_string(),
        );
        let Some(s) = index.get(&key) else { continue };
        checked += 1;
        let mut copy = obj.clone();
        let out = schema::validate_and_prune(s, &mut copy);
        let name = format!(
            "{} {}/{}",
            key.1,
            obj["metadata"]["namespace"].as_str().unwrap_or(""),
            obj["metadata"]["name"].as_str().unwrap_or("")
        );
        for c in out.causes {
            bad.push(format!("{name}: {c}"));
        }
        for p in out.pruned {
            bad.push(format!("{name}: unknown field {p:?}"));
        }
    }
    assert!(checked > 10, "only {checked} objects had a schema");
    bad
}

fn load_default() -> (Scenario, Registry) {
    let mut scenario = Scenario::default();
    for (name, text) in vmsnap_sim::default_scenario_files() {
        scenario
            .load_str(name, text)
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    }
    (scenario, Registry::builtin())
}

fn g(group: &str, version: &str, plural: &str) -> Gvr {
    Gvr::new(group, version, plural)
}

fn vm_gvr() -> Gvr {
    g("kubevirt.io", "v1", "virtualmachines")
}

fn vmi_gvr() -> Gvr {
    g("kubevirt.io", "v1", "virtualmachineinstances")
}

fn snap_gvr() -> Gvr {
    g("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots")
}

async fn wait_until(
    store: &Store,
    rx: &mut broadcast::Receiver<vmsnap_sim::store::Event>,
    what: &str,
    pred: impl Fn(&Store) -> bool,
) {
    let fut = async {
        while !pred(store) {
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
}

fn condition<'a>(obj: &'a Value, type_: &str) -> &'a Value {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == type_))
        .unwrap_or(&Value::Null)
}

#[test]
fn default_scenario_documents_validate_against_the_real_schemas() {
    let Some(all) = reference_schemas() else {
        return;
    };
    let index = schema_index(&all);
    let (scenario, registry) = load_default();
    assert!(
        scenario.objects.len() > 50,
        "{} documents",
        scenario.objects.len()
    );
    for (source, doc) in &scenario.objects {
        let (api_version, kind) = (
            doc["apiVersion"].as_str().unwrap_or(""),
            doc["kind"].as_str().unwrap_or(""),
        );
        assert!(
            registry.by_kind(api_version, kind).is_some(),
            "{source}: {kind} is not served"
        );
    }
    let bad = invalid_objects(&index, scenario.objects.iter().map(|(_, d)| d.clone()));
    assert!(bad.is_empty(), "{bad:#?}");
    let config: ControllerConfig =
        serde_json::from_value(scenario.controllers.clone()).expect("controllers config");
    assert!(!config.vms.script("production", "web-01").guest_agent);
    assert_eq!(scenario.default_user, "admin");
    assert_eq!(scenario.namespace, "production");
    assert!(
        ["admin", "viewer", "alice"]
            .iter()
            .all(|u| scenario.users.iter().any(|x| x.name == *u))
    );
}

#[tokio::test]
async fn controllers_bring_the_default_scenario_to_its_described_state() {
    let (scenario, registry) = load_default();
    let store = Store::new();
    let mut rx = store.subscribe();
    scenario.apply(&store, &registry).expect("applied");
    let mut config: ControllerConfig =
        serde_json::from_value(scenario.controllers.clone()).expect("controllers config");
    config.time_scale = 0.0;
    let _controllers = controllers::spawn_all(store.clone(), Arc::new(config));

    let running = [
        "database-01",
        "web-01",
        "windows-app",
        "legacy-nfs",
        "hotplug-01",
    ];
    wait_until(&store, &mut rx, "running VMIs and computed statuses", |s| {
        running
            .iter()
            .all(|n| s.get(&vmi_gvr(), Some("production"), n).is_some())
            && s.list(&vm_gvr(), None)
                .iter()
                .all(|vm| vm["status"]["volumeSnapshotStatuses"].is_array())
    })
    .await;
    let vm = |n: &str| store.get(&vm_gvr(), Some("production"), n).expect("vm");
    let vmi = |n: &str| store.get(&vmi_gvr(), Some("production"), n).expect("vmi");
    assert_eq!(vm("database-01")["status"]["printableStatus"], "Running");
    assert_eq!(
        condition(&vm("database-01"), "AgentConnected")["status"],
        "True"
    );
    assert_eq!(vmi("database-01")["status"]["guestOSInfo"]["id"], "rhel");
    assert!(condition(&vm("web-01"), "AgentConnected").is_null());
    assert_eq!(
        vmi("windows-app")["status"]["guestOSInfo"]["id"],
        "mswindows"
    );
    assert_eq!(vm("batch-01")["status"]["printableStatus"], "Stopped");
    assert!(
        store
            .get(&vmi_gvr(), Some("production"), "batch-01")
            .is_none()
    );
    assert_eq!(
        vm("legacy-nfs")["status"]["volumeSnapshotStatuses"][1]["reason"],
        "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [standard-nfs] [data]"
    );
    assert_eq!(
        vm("database-01")["status"]["volumeSnapshotStatuses"][0],
        json!({"name": "rootdisk", "enabled": true})
    );
    let hot: Vec<String> = vmi("hotplug-01")["status"]["volumeStatus"]
        .as_array()
        .expect("volume status")
        .iter()
        .filter(|v| v["hotplugVolume"].is_object())
        .map(|v| v["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(hot, ["logs", "scratch"]);
    let phase = |n: &str| {
        store
            .get(&snap_gvr(), Some("production"), n)
            .expect("snapshot")["status"]["phase"]
            .clone()
    };
    assert_eq!(phase("pre-upgrade-snapshot"), "Succeeded");
    assert_eq!(phase("web-01-before-patch"), "Failed");

    // Snapshot every VM; db-02's is scripted to fail.
    let targets = [
        ("production", "database-01"),
        ("production", "web-01"),
        ("production", "windows-app"),
        ("production", "batch-01"),
        ("production", "legacy-nfs"),
        ("production", "hotplug-01"),
        ("staging", "db-02"),
    ];
    for (ns, vm) in targets {
        store
            .create(&snap_gvr(), json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
                "metadata": {"name": format!("{vm}-test"), "namespace": ns},
                "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}}}))
            .expect("snapshot created");
    }
    wait_until(&store, &mut rx, "every snapshot settled", |s| {
        targets.iter().all(|(ns, vm)| {
            s.get(&snap_gvr(), Some(ns), &format!("{vm}-test"))
                .is_some_and(|o| {
                    matches!(o["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
                })
        })
    })
    .await;
    let snap = |ns: &str, n: &str| {
        store
            .get(&snap_gvr(), Some(ns), &format!("{n}-test"))
            .expect("snapshot")
    };
    assert_eq!(snap("staging", "db-02")["status"]["phase"], "Failed");
    assert_eq!(
        snap("staging", "db-02")["status"]["error"]["message"],
        "freeze failed: guest agent command 'guest-fsfreeze-freeze' timed out"
    );
    let hp = snap("production", "hotplug-01");
    assert_eq!(hp["status"]["phase"], "Succeeded");
    let included = hp["status"]["snapshotVolumes"]["includedVolumes"]
        .as_array()
        .expect("included")
        .clone();
    assert_eq!(
        included,
        [json!("rootdisk"), json!("logs")],
        "the VMI-only hot-plug is not in the snapshot"
    );
    let partial = snap("production", "legacy-nfs")["status"]["indications"]
        .as_array()
        .expect("indications")
        .contains(&json!("PartialSnapshot"));
    assert!(partial);

    // The existing snapshot restores onto its VM (its sourceUID follows the VM, as KubeVirt's).
    let restore_gvr = g("snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores");
    store
        .create(&restore_gvr, json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
            "metadata": {"name": "back-to-pre-upgrade", "namespace": "production"},
            "spec": {"target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "database-01"},
                     "virtualMachineSnapshotName": "pre-upgrade-snapshot", "targetReadinessPolicy": "StopTarget"}}))
        .expect("restore created");
    wait_until(&store, &mut rx, "the restore complete", |s| {
        s.get(&restore_gvr, Some("production"), "back-to-pre-upgrade")
            .is_some_and(|r| r["status"]["complete"] == true)
    })
    .await;

    // Deleting a scenario snapshot takes its content, VolumeSnapshots and CSI contents along.
    let pre = store
        .get(&snap_gvr(), Some("production"), "pre-upgrade-snapshot")
        .expect("snapshot");
    let content = pre["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content")
        .to_string();
    let content_gvr = g(
        "snapshot.kubevirt.io",
        "v1beta1",
        "virtualmachinesnapshotcontents",
    );
    let vs_gvr = g("snapshot.storage.k8s.io", "v1", "volumesnapshots");
    let csi_gvr = g("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents");
    let vs_names: Vec<String> = store
        .get(&content_gvr, Some("production"), &content)
        .expect("content")["spec"]["volumeBackups"]
        .as_array()
        .expect("backups")
        .iter()
        .map(|b| b["volumeSnapshotName"].as_str().unwrap_or("").to_string())
        .collect();
    let csi_names: Vec<String> = vs_names
        .iter()
        .map(|n| store.get(&vs_gvr, Some("production"), n).expect("vs")["status"]["boundVolumeSnapshotContentName"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(csi_names.len(), 2);
    store
        .delete(&snap_gvr(), Some("production"), "pre-upgrade-snapshot")
        .expect("deleted");
    wait_until(
        &store,
        &mut rx,
        "the snapshot and everything under it gone",
        |s| {
            s.get(&snap_gvr(), Some("production"), "pre-upgrade-snapshot")
                .is_none()
                && s.get(&content_gvr, Some("production"), &content).is_none()
                && vs_names
                    .iter()
                    .all(|n| s.get(&vs_gvr, Some("production"), n).is_none())
                && csi_names.iter().all(|n| s.get(&csi_gvr, None, n).is_none())
        },
    )
    .await;

    // Whatever the controllers wrote validates against the real schemas.
    let Some(all) = reference_schemas() else {
        return;
    };
    let index = schema_index(&all);
    let kinds = [
        vm_gvr(),
        vmi_gvr(),
        snap_gvr(),
        g(
            "snapshot.kubevirt.io",
            "v1beta1",
            "virtualmachinesnapshotcontents",
        ),
        g("snapshot.storage.k8s.io", "v1", "volumesnapshots"),
        g("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents"),
        g("cdi.kubevirt.io", "v1beta1", "datavolumes"),
    ];
    let objects: Vec<Value> = kinds.iter().flat_map(|k| store.list(k, None)).collect();
    let bad = invalid_objects(&index, objects);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[tokio::test]
async fn deleting_a_scenario_vm_takes_its_vmi_and_data_volumes_along() {
    let (scenario, registry) = load_default();
    let store = Store::new();
    let mut rx = store.subscribe();
    scenario.apply(&store, &registry).expect("applied");
    let mut config: ControllerConfig =
        serde_json::from_value(scenario.controllers.clone()).expect("controllers config");
    config.time_scale = 0.0;
    let _controllers = controllers::spawn_all(store.clone(), Arc::new(config));
    let dv = g("cdi.kubevirt.io", "v1beta1", "datavolumes");
    let pvc = g("", "v1", "persistentvolumeclaims");
    wait_until(
        &store,
        &mut rx,
        "web-01 running and its disk adopted",
        |s| {
            s.get(&vmi_gvr(), Some("production"), "web-01").is_some()
                && s.get(&pvc, Some("production"), "web-01-rootdisk")
                    .is_some_and(|p| p["metadata"]["ownerReferences"].is_array())
        },
    )
    .await;
    store
        .delete(&vm_gvr(), Some("production"), "web-01")
        .expect("deleting");
    wait_until(&store, &mut rx, "web-01 and its disk gone", |s| {
        s.get(&vm_gvr(), Some("production"), "web-01").is_none()
            && s.get(&vmi_gvr(), Some("production"), "web-01").is_none()
            && s.get(&dv, Some("production"), "web-01-rootdisk").is_none()
    })
    .await;
    // The claim carries pvc-protection: it goes once nothing runs on it.
    wait_until(&store, &mut rx, "the claim released", |s| {
        s.get(&pvc, Some("production"), "web-01-rootdisk").is_none()
    })
    .await;
    assert!(
        store
            .get(&snap_gvr(), Some("production"), "web-01-before-patch")
            .is_some(),
        "snapshots outlive their VM"
    );
}
