//! The simulated KubeVirt controllers against a small in-memory cluster: VM lifecycle,
//! snapshots (indications, exclusions, scripted failures, deadlines, deletion), restores
//! (readiness policies, new PVCs, new VMs) and clones. Waits are on store events, with a
//! timeout only as a safety net.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use vmsnap_sim::controllers::{self, ControllerConfig, gvr_of};
use vmsnap_sim::store::{Event, Gvr, Store};

const NS: &str = "production";

fn g(plural: &str) -> Gvr {
    gvr_of(plural).unwrap_or_else(|| match plural {
        "storageclasses" => Gvr::new("storage.k8s.io", "v1", "storageclasses"),
        "volumesnapshotclasses" => {
            Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses")
        }
        "storageprofiles" => Gvr::new("cdi.kubevirt.io", "v1beta1", "storageprofiles"),
        "namespaces" => Gvr::new("", "v1", "namespaces"),
        other => panic!("unknown plural {other}"),
    })
}

fn pvc(name: &str, sc: &str, size: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": NS},
        "spec": {"accessModes": ["ReadWriteMany"], "volumeMode": "Block", "storageClassName": sc,
                 "resources": {"requests": {"storage": size}}, "volumeName": format!("pvc-{name}")},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteMany"], "capacity": {"storage": size}}})
}

/// A VM with a DataVolume root disk, a PVC data disk on `data_sc`, and a cloud-init disk.
fn vm(name: &str, running: bool, data_sc_pvc: &str) -> Value {
    json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
        "spec": {
            "runStrategy": if running { "Always" } else { "Halted" },
            "dataVolumeTemplates": [{"metadata": {"name": format!("{name}-rootdisk")},
                "spec": {"storage": {"resources": {"requests": {"storage": "30Gi"}}}, "sourceRef": {"kind": "DataSource", "name": "rhel9"}}}],
            "template": {"metadata": {"labels": {"kubevirt.io/domain": name}}, "spec": {
                "domain": {"devices": {"disks": [{"name": "rootdisk", "disk": {"bus": "virtio"}}, {"name": "data", "disk": {"bus": "virtio"}},
                    {"name": "cloudinitdisk", "disk": {"bus": "virtio"}}],
                    "interfaces": [{"name": "default", "masquerade": {}, "macAddress": "02:7a:00:00:00:01"}]},
                    "firmware": {"uuid": "5d307ca9-b3ef-428c-8861-06e72d69f223", "serial": "abc"},
                    "memory": {"guest": "4Gi"}},
                "networks": [{"name": "default", "pod": {}}],
                "volumes": [
                    {"name": "rootdisk", "dataVolume": {"name": format!("{name}-rootdisk")}},
                    {"name": "data", "persistentVolumeClaim": {"claimName": data_sc_pvc}},
                    {"name": "cloudinitdisk", "cloudInitNoCloud": {"userData": "#cloud-config\n"}}]}}},
        "status": {"printableStatus": if running { "Running" } else { "Stopped" }}})
}

struct Cluster {
    store: Store,
    events: broadcast::Receiver<Event>,
    _controllers: Vec<tokio::task::JoinHandle<()>>,
}

impl Cluster {
    /// Storage (Ceph RBD with a snapshot class, NFS without), VMs db (agent), web (no
    /// agent), batch (stopped), legacy (data on NFS), then the controllers with `yaml` config.
    fn start(yaml: &str) -> Cluster {
        let store = Store::new();
        let events = store.subscribe();
        let put = |plural: &str, obj: Value| {
            store
                .create(&g(plural), obj)
                .expect("fixture object created");
        };
        put(
            "namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
        );
        put(
            "storageclasses",
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "rbd"}, "provisioner": "openshift-storage.rbd.csi.ceph.com"}),
        );
        put(
            "storageclasses",
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "nfs"}, "provisioner": "nfs.csi.k8s.io"}),
        );
        put(
            "volumesnapshotclasses",
            json!({"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
            "metadata": {"name": "rbd-snap", "annotations": {"snapshot.storage.kubernetes.io/is-default-class": "true"}},
            "driver": "openshift-storage.rbd.csi.ceph.com", "deletionPolicy": "Delete"}),
        );
        for name in ["db", "web", "batch", "legacy"] {
            put(
                "persistentvolumeclaims",
                pvc(&format!("{name}-rootdisk"), "rbd", "30Gi"),
            );
            let sc = if name == "legacy" { "nfs" } else { "rbd" };
            put(
                "persistentvolumeclaims",
                pvc(&format!("{name}-data"), sc, "100Gi"),
            );
            put(
                "virtualmachines",
                vm(name, name != "batch", &format!("{name}-data")),
            );
        }
        let mut config: ControllerConfig = serde_saphyr::from_str(yaml).expect("config parses");
        if config.time_scale == 1.0 {
            config.time_scale = 0.0;
        }
        let controllers = controllers::spawn_all(store.clone(), Arc::new(config));
        Cluster {
            store,
            events,
            _controllers: controllers,
        }
    }

    fn get(&self, plural: &str, name: &str) -> Option<Value> {
        self.store.get(&g(plural), Some(NS), name)
    }

    fn create(&self, plural: &str, obj: Value) -> Value {
        self.store.create(&g(plural), obj).expect("created")
    }

    /// Waits until `name` satisfies `pred` (None = until it is gone), on store events.
    async fn wait(
        &mut self,
        plural: &str,
        name: &str,
        what: &str,
        pred: impl Fn(Option<&Value>) -> bool,
    ) -> Option<Value> {
        let fut = async {
            loop {
                let obj = self.get(plural, name);
                if pred(obj.as_ref()) {
                    return obj;
                }
                match self.events.recv().await {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => panic!("store closed"),
                }
            }
        };
        match tokio::time::timeout(Duration::from_secs(20), fut).await {
            Ok(v) => v,
            Err(_) => panic!(
                "timed out waiting for {plural}/{name} to be {what}: {:#}",
                self.get(plural, name).unwrap_or(Value::Null)
            ),
        }
    }

    async fn wait_phase(&mut self, plural: &str, name: &str, phase: &str) -> Value {
        self.wait(plural, name, phase, |o| {
            o.and_then(|o| o.pointer("/status/phase")) == Some(&json!(phase))
        })
        .await
        .expect("present")
    }

    async fn restore_complete(&mut self, name: &str) -> Value {
        self.wait("virtualmachinerestores", name, "complete", |o| {
            o.is_some_and(|r| r["status"]["complete"] == true)
        })
        .await
        .expect("restore")
    }

    fn events_with_reason(&self, reason: &str) -> Vec<Value> {
        self.store
            .list(&g("events"), Some(NS))
            .into_iter()
            .filter(|e| e["reason"] == reason)
            .collect()
    }
}

fn snapshot(name: &str, vm: &str) -> Value {
    json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}}})
}

fn restore(name: &str, vm: &str, snap: &str, policy: Option<&str>) -> Value {
    let mut r = json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}, "virtualMachineSnapshotName": snap}});
    if let Some(p) = policy {
        r["spec"]["targetReadinessPolicy"] = json!(p);
    }
    r
}

/// The `status.restores` entry of `volume`.
fn restored(r: &Value, volume: &str) -> Value {
    r["status"]["restores"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["volumeName"] == volume))
        .cloned()
        .unwrap_or_else(|| panic!("no restore of volume {volume}: {r:#}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn condition<'a>(obj: &'a Value, type_: &str) -> &'a Value {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == type_))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn running_vm_with_agent_snapshots_application_consistent_and_thaws() {
    let mut c = Cluster::start("{}");
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    let vm_uid = c.get("virtualmachines", "db").expect("vm")["metadata"]["uid"].clone();
    let created = c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let uid = created["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_string();

    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(s["status"]["readyToUse"], true);
    assert_eq!(
        strings(&s["status"]["indications"]),
        ["GuestAgent", "Online"]
    );
    assert_eq!(
        s["status"]["sourceIndications"][0]["indication"],
        "GuestAgent"
    );
    assert_eq!(s["status"]["sourceUID"], vm_uid);
    assert_eq!(
        s["status"]["virtualMachineSnapshotContentName"],
        format!("vmsnapshot-content-{uid}")
    );
    assert_eq!(
        strings(&s["status"]["snapshotVolumes"]["includedVolumes"]),
        ["rootdisk", "data"]
    );
    assert_eq!(
        strings(&s["status"]["snapshotVolumes"]["excludedVolumes"]),
        ["cloudinitdisk"]
    );
    assert_eq!(condition(&s, "Ready")["status"], "True");
    assert_eq!(condition(&s, "Progressing")["reason"], "Operation complete");
    assert!(
        s["metadata"]["finalizers"]
            .as_array()
            .expect("finalizers")
            .contains(&json!("snapshot.kubevirt.io/vmsnapshot-protection"))
    );
    assert!(s["status"]["creationTime"].is_string());

    let content = c
        .get(
            "virtualmachinesnapshotcontents",
            &format!("vmsnapshot-content-{uid}"),
        )
        .expect("content");
    assert_eq!(
        content["spec"]["source"]["virtualMachine"]["spec"]["runStrategy"],
        "Always"
    );
    assert_eq!(
        content["spec"]["volumeBackups"]
            .as_array()
            .expect("backups")
            .len(),
        2
    );
    assert_eq!(content["status"]["readyToUse"], true);
    let vs = c
        .get("volumesnapshots", &format!("vmsnapshot-{uid}-volume-data"))
        .expect("volume snapshot");
    assert_eq!(vs["status"]["readyToUse"], true);
    assert_eq!(vs["status"]["restoreSize"], "100Gi");
    assert_eq!(vs["spec"]["volumeSnapshotClassName"], "rbd-snap");
    let csi = vs["status"]["boundVolumeSnapshotContentName"]
        .as_str()
        .expect("bound");
    assert!(
        c.store
            .get(&g("volumesnapshotcontents"), None, csi)
            .is_some()
    );

    let vm = c
        .wait("virtualmachines", "db", "unlocked", |o| {
            o.is_some_and(|v| v["status"]["snapshotInProgress"].is_null())
        })
        .await
        .expect("vm");
    assert!(
        vm["metadata"]["finalizers"]
            .as_array()
            .is_none_or(|f| f.is_empty())
    );
    assert_eq!(
        c.events_with_reason("FreezeVirtualMachineInstance").len(),
        1,
        "froze once through the agent"
    );
    assert_eq!(
        c.events_with_reason("UnfreezeVirtualMachineInstance").len(),
        1,
        "thawed once"
    );
    let vmi = c.get("virtualmachineinstances", "db").expect("vmi");
    assert!(vmi["status"]["fsFreezeStatus"].is_null(), "not left frozen");
    // The CSI snapshot-controller's events on the VolumeSnapshot, once each, in order, and
    // KubeVirt's snapshot controller reporting as "snapshot-controller".
    let vs_name = format!("vmsnapshot-{uid}-volume-data");
    let on_vs: Vec<String> = c
        .store
        .list(&g("events"), Some(NS))
        .into_iter()
        .filter(|e| e["involvedObject"]["name"] == vs_name.as_str())
        .map(|e| {
            assert_eq!(e["source"]["component"], "snapshot-controller");
            e["reason"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(
        on_vs,
        ["CreatingSnapshot", "SnapshotCreated", "SnapshotReady"]
    );
    let content_created = c.events_with_reason("SuccessfulVirtualMachineSnapshotContentCreate");
    assert_eq!(content_created.len(), 1);
    assert_eq!(
        content_created[0]["source"]["component"],
        "snapshot-controller"
    );
}

#[tokio::test]
async fn snapshot_locks_the_vm_while_in_progress() {
    let mut c = Cluster::start("{timeScale: 0.01, snapshots: {duration: 5s}}");
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    let mut seen = c.store.subscribe();
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let vm = c
        .wait("virtualmachines", "db", "locked", |o| {
            o.is_some_and(|v| v["status"]["snapshotInProgress"] == "s1")
        })
        .await
        .expect("vm");
    assert!(
        strings(&vm["metadata"]["finalizers"])
            .contains(&"snapshot.kubevirt.io/snapshot-source-protection")
    );
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "InProgress")
        .await;
    assert_eq!(condition(&s, "Ready")["status"], "False");
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.wait("virtualmachines", "db", "unlocked", |o| {
        o.is_some_and(|v| v["status"]["snapshotInProgress"].is_null())
    })
    .await;
    let mut steps: Vec<String> = Vec::new();
    while let Ok(ev) = seen.try_recv() {
        if ev.gvr.plural == "virtualmachinesnapshots" {
            let reason = condition(&ev.object, "Progressing")["reason"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if !reason.is_empty() && steps.last() != Some(&reason) {
                steps.push(reason);
            }
        }
    }
    assert_eq!(
        steps,
        [
            "Source not locked",
            "Source locked and operation in progress",
            "Operation complete"
        ]
    );
}

#[tokio::test]
async fn running_vm_without_agent_snapshots_crash_consistent_without_freeze() {
    let mut c = Cluster::start("{vms: {web: {guestAgent: false}}}");
    c.wait("virtualmachineinstances", "web", "running", |o| o.is_some())
        .await;
    c.create("virtualmachinesnapshots", snapshot("s1", "web"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(
        strings(&s["status"]["indications"]),
        ["NoGuestAgent", "Online"]
    );
    assert!(
        c.events_with_reason("FreezeVirtualMachineInstance")
            .is_empty()
    );
}

#[tokio::test]
async fn stopped_vm_snapshot_has_no_online_indication_and_stays_stopped() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert!(s["status"]["indications"].is_null(), "{s:#}");
    assert!(s["status"]["sourceIndications"].is_null());
    assert!(c.get("virtualmachineinstances", "batch").is_none());
    assert_eq!(
        c.get("virtualmachines", "batch").expect("vm")["status"]["printableStatus"],
        "Stopped"
    );
}

#[tokio::test]
async fn nfs_volume_is_excluded_with_kubevirt_reasons_and_partial_indication() {
    let mut c = Cluster::start("{}");
    let vm = c
        .wait("virtualmachines", "legacy", "computed", |o| {
            o.is_some_and(|v| v["status"]["volumeSnapshotStatuses"].is_array())
        })
        .await
        .expect("vm");
    let statuses = &vm["status"]["volumeSnapshotStatuses"];
    assert_eq!(statuses[0], json!({"name": "rootdisk", "enabled": true}));
    assert_eq!(
        statuses[1],
        json!({"name": "data", "enabled": false,
            "reason": "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs] [data]"})
    );
    assert_eq!(
        statuses[2]["reason"],
        "Snapshot is not supported for this volumeSource type [cloudinitdisk]"
    );
    c.create("virtualmachinesnapshots", snapshot("s1", "legacy"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(
        strings(&s["status"]["snapshotVolumes"]["includedVolumes"]),
        ["rootdisk"]
    );
    assert_eq!(
        strings(&s["status"]["snapshotVolumes"]["excludedVolumes"]),
        ["data", "cloudinitdisk"]
    );
    assert!(
        strings(&s["status"]["indications"]).contains(&"PartialSnapshot"),
        "{s:#}"
    );
    let partial = s["status"]["sourceIndications"]
        .as_array()
        .expect("list")
        .iter()
        .any(|i| i["indication"] == "PartialSnapshot");
    assert!(partial);
}

#[tokio::test]
async fn scripted_failure_fails_with_its_message_and_unlocks() {
    let mut c = Cluster::start(r#"{snapshots: {db: {outcome: Failed, message: "freeze failed"}}}"#);
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Failed")
        .await;
    assert_eq!(s["status"]["error"]["message"], "freeze failed");
    assert_eq!(s["status"]["readyToUse"], false);
    assert_eq!(condition(&s, "Failure")["status"], "True");
    assert_eq!(
        condition(&s, "Failure")["reason"],
        "snapshot deadline exceeded",
        "the only way KubeVirt fails a snapshot"
    );
    assert_eq!(condition(&s, "Progressing")["reason"], "Operation failed");
    c.wait("virtualmachines", "db", "unlocked", |o| {
        o.is_some_and(|v| v["status"]["snapshotInProgress"].is_null())
    })
    .await;
    let uid = s["metadata"]["uid"].as_str().expect("uid");
    c.wait(
        "virtualmachinesnapshotcontents",
        &format!("vmsnapshot-content-{uid}"),
        "gone",
        |o| o.is_none(),
    )
    .await;
}

#[tokio::test]
async fn failure_deadline_expiry_fails_a_stuck_snapshot() {
    let mut c = Cluster::start("{timeScale: 0.01, snapshots: {db: {outcome: Stuck}}}");
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    let mut s = snapshot("s1", "db");
    s["spec"]["failureDeadline"] = json!("3s");
    c.create("virtualmachinesnapshots", s);
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Failed")
        .await;
    assert_eq!(
        condition(&s, "Failure")["reason"],
        "snapshot deadline exceeded"
    );
    let vmi = c.get("virtualmachineinstances", "db").expect("vmi");
    assert!(
        vmi["status"]["fsFreezeStatus"].is_null(),
        "thawed after the deadline"
    );
}

#[tokio::test]
async fn snapshot_of_a_missing_vm_waits_for_its_source() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "nope"));
    let s = c
        .wait("virtualmachinesnapshots", "s1", "waiting", |o| {
            o.is_some_and(|s| condition(s, "Progressing")["reason"] == "Source does not exist")
        })
        .await
        .expect("snapshot");
    assert_eq!(s["status"]["phase"], "InProgress");
}

#[tokio::test]
async fn deleting_a_snapshot_cascades_to_content_and_volume_snapshots() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let uid = s["metadata"]["uid"].as_str().expect("uid").to_string();
    let vs = c
        .get("volumesnapshots", &format!("vmsnapshot-{uid}-volume-data"))
        .expect("vs");
    let csi = vs["status"]["boundVolumeSnapshotContentName"]
        .as_str()
        .expect("bound")
        .to_string();
    c.store
        .delete(&g("virtualmachinesnapshots"), Some(NS), "s1")
        .expect("deleted");
    c.wait("virtualmachinesnapshots", "s1", "gone", |o| o.is_none())
        .await;
    c.wait(
        "virtualmachinesnapshotcontents",
        &format!("vmsnapshot-content-{uid}"),
        "gone",
        |o| o.is_none(),
    )
    .await;
    c.wait(
        "volumesnapshots",
        &format!("vmsnapshot-{uid}-volume-data"),
        "gone",
        |o| o.is_none(),
    )
    .await;
    let fut = async {
        let mut rx = c.store.subscribe();
        while c
            .store
            .get(&g("volumesnapshotcontents"), None, &csi)
            .is_some()
        {
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("CSI content deleted");
}

#[tokio::test]
async fn restore_with_fail_immediate_refuses_a_running_vm() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create(
        "virtualmachinerestores",
        restore("r1", "db", "s1", Some("FailImmediate")),
    );
    let r = c
        .wait("virtualmachinerestores", "r1", "failed", |o| {
            o.is_some_and(|r| condition(r, "Failure")["status"] == "True")
        })
        .await
        .expect("restore");
    let refused = "Restore target VMI must be powered off before restore operation";
    for type_ in ["Failure", "Progressing", "Ready"] {
        assert_eq!(condition(&r, type_)["reason"], refused, "{type_}");
    }
    assert_eq!(r["status"]["complete"], false);
    let failed = c.events_with_reason("Operation failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["type"], "Warning");
    assert_eq!(
        failed[0]["message"],
        format!("VirtualMachineRestore failed {refused}")
    );
    assert!(
        c.get("virtualmachineinstances", "db").is_some(),
        "the VM keeps running"
    );
}

#[tokio::test]
async fn restore_with_stop_target_stops_the_vm_then_restores_new_pvcs() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let mut seen = c.store.subscribe();
    let r = c.create(
        "virtualmachinerestores",
        restore("r1", "db", "s1", Some("StopTarget")),
    );
    let ruid = r["metadata"]["uid"].as_str().expect("uid").to_string();
    let r = c.restore_complete("r1").await;
    assert!(r["status"]["restoreTime"].is_string());
    let mut steps: Vec<String> = Vec::new();
    while let Ok(ev) = seen.try_recv() {
        if ev.gvr.plural == "virtualmachinerestores" {
            let reason = condition(&ev.object, "Progressing")["reason"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if !reason.is_empty() && steps.last() != Some(&reason) {
                steps.push(reason);
            }
        }
    }
    // While the VMI shuts down, a repeated stop is refused by virt-api (the restore shows it).
    let still_stopping = "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"db\": Halted only supports manual stop requests with a shorter graceperiod";
    steps.retain(|s| s != still_stopping);
    steps.dedup();
    assert_eq!(
        steps,
        [
            "Initializing VirtualMachineRestore",
            "Automatically stopping restore target for restore operation",
            "Creating new PVCs",
            "Updating target spec",
            "Operation complete"
        ]
    );
    let stopping = c.events_with_reason("RestoreTargetNotReady");
    assert_eq!(stopping[0]["type"], "Warning");
    assert_eq!(
        stopping[0]["message"],
        "Automatically stopping restore target for restore operation"
    );
    assert_eq!(condition(&r, "Ready")["reason"], "Operation complete");
    let restores = r["status"]["restores"].as_array().expect("restores");
    assert_eq!(restores.len(), 2);
    let data = restores
        .iter()
        .find(|x| x["volumeName"] == "data")
        .expect("data restored");
    assert_eq!(
        data["persistentVolumeClaim"],
        format!("restore-{ruid}-data")
    );
    let root = restores
        .iter()
        .find(|x| x["volumeName"] == "rootdisk")
        .expect("root restored");
    assert_eq!(root["dataVolumeName"], format!("restore-{ruid}-rootdisk"));

    let vm = c.get("virtualmachines", "db").expect("vm");
    assert_eq!(
        vm["spec"]["runStrategy"], "Halted",
        "StopTarget leaves the VM stopped"
    );
    assert!(vm["status"]["restoreInProgress"].is_null());
    assert_eq!(
        vm["spec"]["template"]["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"],
        format!("restore-{ruid}-data")
    );
    assert_eq!(
        vm["spec"]["template"]["spec"]["volumes"][0]["dataVolume"]["name"],
        format!("restore-{ruid}-rootdisk")
    );
    assert!(c.get("virtualmachineinstances", "db").is_none());
    assert_eq!(r["status"]["deletedDataVolumes"], json!(["db-rootdisk"]));
    let pvc = c
        .get("persistentvolumeclaims", &format!("restore-{ruid}-data"))
        .expect("restored pvc");
    assert_eq!(pvc["spec"]["dataSource"]["kind"], "VolumeSnapshot");
    assert_eq!(pvc["status"]["phase"], "Bound");
    assert_eq!(pvc["metadata"]["ownerReferences"][0]["name"], "db");
}

#[tokio::test]
async fn restore_waits_while_running_then_proceeds_once_stopped() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create(
        "virtualmachinerestores",
        restore("r1", "db", "s1", Some("WaitEventually")),
    );
    c.wait("virtualmachinerestores", "r1", "waiting", |o| {
        o.is_some_and(|r| condition(r, "Progressing")["reason"] == "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore")
    })
    .await;
    let waiting = c.events_with_reason("RestoreTargetNotReady");
    assert_eq!(waiting.len(), 1, "one event while the reason holds");
    assert_eq!(waiting[0]["type"], "Warning");
    assert_eq!(
        waiting[0]["message"],
        "Restore target VMI still exists, please stop the restore target to proceed with restore"
    );
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "db", |vm| {
            vm["spec"]["runStrategy"] = json!("Halted")
        })
        .expect("stopped");
    c.restore_complete("r1").await;
}

#[tokio::test]
async fn restore_to_a_new_name_creates_the_vm() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "web"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create(
        "virtualmachinerestores",
        restore("r1", "batch-copy", "s1", None),
    );
    c.restore_complete("r1").await;
    let vm = c.get("virtualmachines", "batch-copy").expect("new vm");
    assert_eq!(vm["metadata"]["labels"]["app"], "web");
    assert_eq!(
        vm["spec"]["runStrategy"], "Halted",
        "a restored new VM starts out stopped"
    );
    let claim = vm["spec"]["template"]["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"]
        .as_str()
        .expect("claim");
    assert!(claim.starts_with("restore-"));
    assert!(c.get("persistentvolumeclaims", claim).is_some());
}

#[tokio::test]
async fn restore_to_another_existing_vm_is_refused() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "legacy", |vm| {
            vm["spec"]["runStrategy"] = json!("Halted")
        })
        .expect("stop");
    c.wait("virtualmachineinstances", "legacy", "gone", |o| o.is_none())
        .await;
    c.create(
        "virtualmachinerestores",
        restore("r1", "legacy", "s1", None),
    );
    c.wait("virtualmachinerestores", "r1", "refused", |o| {
        o.is_some_and(|r| condition(r, "Ready")["reason"] == "restore source and restore target are different but restore target already exists")
    })
    .await;
}

#[tokio::test]
async fn clone_of_a_vm_creates_the_target_and_cleans_up() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachineclones", json!({"apiVersion": "clone.kubevirt.io/v1beta1", "kind": "VirtualMachineClone",
        "metadata": {"name": "c1", "namespace": NS},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "batch"},
                 "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "batch-clone"},
                 "newMacAddresses": {"default": "02:7a:00:00:00:99"}}}));
    let cl = c
        .wait_phase("virtualmachineclones", "c1", "Succeeded")
        .await;
    assert_eq!(cl["status"]["targetName"], "batch-clone");
    assert!(cl["status"]["snapshotName"].is_null());
    assert_eq!(condition(&cl, "Ready")["status"], "True");
    let vm = c.get("virtualmachines", "batch-clone").expect("target VM");
    assert_eq!(
        vm["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]["macAddress"],
        "02:7a:00:00:00:99"
    );
    assert!(vm["spec"]["template"]["spec"]["domain"]["firmware"]["uuid"].is_null());
    let uid = cl["metadata"]["uid"].as_str().expect("uid").to_string();
    c.wait(
        "virtualmachinesnapshots",
        &format!("tmp-snapshot-{uid}"),
        "cleaned up",
        |o| o.is_none(),
    )
    .await;
    c.wait(
        "virtualmachinerestores",
        &format!("tmp-restore-{uid}"),
        "cleaned up",
        |o| o.is_none(),
    )
    .await;
}

#[tokio::test]
async fn clone_from_a_snapshot_keeps_the_snapshot_and_names_the_target_after_its_source() {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create("virtualmachineclones", json!({"apiVersion": "clone.kubevirt.io/v1beta1", "kind": "VirtualMachineClone",
        "metadata": {"name": "c2", "namespace": NS},
        "spec": {"source": {"apiGroup": "snapshot.kubevirt.io", "kind": "VirtualMachineSnapshot", "name": "s1"}}}));
    let cl = c
        .wait_phase("virtualmachineclones", "c2", "Succeeded")
        .await;
    let target = cl["status"]["targetName"]
        .as_str()
        .expect("target")
        .to_string();
    // Without the mutating webhook (straight into the store) the controller names the target
    // as the webhook would: clone-<source>-<5 chars>.
    assert!(
        target.starts_with("clone-s1-") && target.len() == "clone-s1-".len() + 5,
        "{target}"
    );
    assert!(c.get("virtualmachines", &target).is_some());
    assert!(
        c.get("virtualmachinesnapshots", "s1").is_some(),
        "the user's snapshot stays"
    );
}

#[tokio::test]
async fn vm_start_and_stop_pass_through_starting_and_stopping() {
    let mut c = Cluster::start("{}");
    let mut seen = Vec::new();
    let mut rx = c.store.subscribe();
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "batch", |vm| {
            vm["spec"]["runStrategy"] = json!("Always")
        })
        .expect("start");
    c.wait("virtualmachineinstances", "batch", "running", |o| {
        o.is_some()
    })
    .await;
    c.wait("virtualmachines", "batch", "Running", |o| {
        o.is_some_and(|v| v["status"]["printableStatus"] == "Running")
    })
    .await;
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "batch", |vm| {
            vm["spec"]["runStrategy"] = json!("Halted")
        })
        .expect("stop");
    c.wait("virtualmachines", "batch", "Stopped", |o| {
        o.is_some_and(|v| {
            v["status"]["printableStatus"] == "Stopped" && v["status"]["ready"].is_null()
        })
    })
    .await;
    while let Ok(ev) = rx.try_recv() {
        if ev.gvr.plural == "virtualmachines" && ev.object["metadata"]["name"] == "batch" {
            let p = ev.object["status"]["printableStatus"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if seen.last() != Some(&p) {
                seen.push(p);
            }
        }
    }
    assert_eq!(
        seen,
        ["Stopped", "Starting", "Running", "Stopping", "Stopped"]
    );
    assert!(c.get("virtualmachineinstances", "batch").is_none());
}

#[tokio::test]
async fn running_vmi_reports_agent_os_and_hotplugged_volumes() {
    let mut c = Cluster::start(
        "{vms: {db: {os: windows, hotplugVolumes: [{name: scratch, persistentVolumeClaim: web-data}]}, web: {guestAgent: false}}}",
    );
    let vmi = c
        .wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await
        .expect("vmi");
    assert_eq!(vmi["status"]["guestOSInfo"]["id"], "mswindows");
    assert_eq!(condition(&vmi, "AgentConnected")["status"], "True");
    let hot = vmi["status"]["volumeStatus"]
        .as_array()
        .expect("volumes")
        .iter()
        .find(|v| v["name"] == "scratch")
        .expect("hotplug")
        .clone();
    assert!(hot["hotplugVolume"]["attachPodName"].is_string());
    let vm = c
        .wait("virtualmachines", "db", "agent", |o| {
            o.is_some_and(|v| condition(v, "AgentConnected")["status"] == "True")
        })
        .await
        .expect("vm");
    assert_eq!(vm["status"]["ready"], true);
    let web = c
        .wait("virtualmachineinstances", "web", "running", |o| o.is_some())
        .await
        .expect("vmi");
    assert!(condition(&web, "AgentConnected").is_null());
    assert_eq!(web["status"]["guestOSInfo"], json!({}));
}

#[tokio::test]
async fn deleting_a_snapshot_in_progress_unlocks_and_thaws_the_vm() {
    let mut c = Cluster::start("{timeScale: 0.01, snapshots: {db: {outcome: Stuck}}}");
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    let s = c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let uid = s["metadata"]["uid"].as_str().expect("uid").to_string();
    c.wait(
        "virtualmachinesnapshotcontents",
        &format!("vmsnapshot-content-{uid}"),
        "created",
        |o| o.is_some(),
    )
    .await;
    c.wait("virtualmachineinstances", "db", "frozen", |o| {
        o.is_some_and(|v| v["status"]["fsFreezeStatus"] == "frozen")
    })
    .await;
    c.store
        .delete(&g("virtualmachinesnapshots"), Some(NS), "s1")
        .expect("deleted");
    c.wait("virtualmachinesnapshots", "s1", "gone", |o| o.is_none())
        .await;
    c.wait(
        "virtualmachinesnapshotcontents",
        &format!("vmsnapshot-content-{uid}"),
        "gone",
        |o| o.is_none(),
    )
    .await;
    c.wait(
        "volumesnapshots",
        &format!("vmsnapshot-{uid}-volume-data"),
        "gone",
        |o| o.is_none(),
    )
    .await;
    let vm = c
        .wait("virtualmachines", "db", "unlocked", |o| {
            o.is_some_and(|v| v["status"]["snapshotInProgress"].is_null())
        })
        .await
        .expect("vm");
    assert!(
        !strings(&vm["metadata"]["finalizers"])
            .contains(&"snapshot.kubevirt.io/snapshot-source-protection")
    );
    c.wait("virtualmachineinstances", "db", "thawed", |o| {
        o.is_some_and(|v| v["status"]["fsFreezeStatus"].is_null())
    })
    .await;
}

#[tokio::test]
async fn retained_content_outlives_its_snapshot() {
    let mut c = Cluster::start("{}");
    let mut s = snapshot("s1", "batch");
    s["spec"]["deletionPolicy"] = json!("Retain");
    c.create("virtualmachinesnapshots", s);
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let content = s["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content")
        .to_string();
    c.store
        .delete(&g("virtualmachinesnapshots"), Some(NS), "s1")
        .expect("deleted");
    c.wait("virtualmachinesnapshots", "s1", "gone", |o| o.is_none())
        .await;
    let kept = c
        .get("virtualmachinesnapshotcontents", &content)
        .expect("content retained");
    assert!(strings(&kept["metadata"]["finalizers"]).is_empty());
}

#[tokio::test]
async fn deleting_a_running_vm_terminates_it_and_releases_its_finalizer() {
    let mut c = Cluster::start("{}");
    c.wait("virtualmachineinstances", "web", "running", |o| o.is_some())
        .await;
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "web", |vm| {
            vm["metadata"]["finalizers"] = json!(["kubevirt.io/virtualMachineControllerFinalize"]);
        })
        .expect("finalizer");
    c.store
        .delete(&g("virtualmachines"), Some(NS), "web")
        .expect("deleted");
    c.wait("virtualmachines", "web", "gone", |o| o.is_none())
        .await;
    assert!(c.get("virtualmachineinstances", "web").is_none());
}

#[tokio::test]
async fn data_volume_templates_get_data_volumes_and_claims_that_snapshot() {
    let mut c = Cluster::start("{}");
    let mut v = vm("fresh", false, "fresh-data");
    v["spec"]["dataVolumeTemplates"][0]["spec"]["storage"]["storageClassName"] = json!("rbd");
    v["spec"]["template"]["spec"]["volumes"]
        .as_array_mut()
        .expect("volumes")
        .remove(1);
    c.create("virtualmachines", v);
    let dv = c
        .wait("datavolumes", "fresh-rootdisk", "created", |o| o.is_some())
        .await
        .expect("dv");
    assert_eq!(dv["status"]["phase"], "Succeeded");
    assert_eq!(dv["metadata"]["ownerReferences"][0]["name"], "fresh");
    let pvc = c
        .wait("persistentvolumeclaims", "fresh-rootdisk", "created", |o| {
            o.is_some()
        })
        .await
        .expect("pvc");
    assert_eq!(pvc["status"]["capacity"]["storage"], "30Gi");
    c.create("virtualmachinesnapshots", snapshot("s1", "fresh"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(
        strings(&s["status"]["snapshotVolumes"]["includedVolumes"]),
        ["rootdisk"]
    );
}

#[tokio::test]
async fn restore_grace_period_expires_while_the_vm_keeps_running() {
    let mut c = Cluster::start("{timeScale: 0.001}");
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create("virtualmachinerestores", restore("r1", "db", "s1", None));
    let r = c
        .wait("virtualmachinerestores", "r1", "failed", |o| {
            o.is_some_and(|r| condition(r, "Failure")["status"] == "True")
        })
        .await
        .expect("restore");
    assert_eq!(
        condition(&r, "Failure")["reason"],
        "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore"
    );
}

#[tokio::test]
async fn restore_grace_period_counts_from_the_restore_creation() {
    // Near real time: a restore created six minutes ago is past its 5m grace at once,
    // though the controller sees it for the first time now.
    let mut c = Cluster::start("{timeScale: 0.999}");
    let mut r = restore("r-old", "db", "s-none", None);
    let six_minutes_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(6);
    r["metadata"]["creationTimestamp"] =
        json!(six_minutes_ago.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
    c.create("virtualmachinerestores", r);
    let r = c
        .wait("virtualmachinerestores", "r-old", "failed", |o| {
            o.is_some_and(|r| condition(r, "Failure")["status"] == "True")
        })
        .await
        .expect("restore");
    assert!(
        condition(&r, "Failure")["reason"]
            .as_str()
            .is_some_and(|m| m.starts_with("Restore target failed to be ready within 5m0s"))
    );
    // A fresh one waits with the grace-period text.
    c.create(
        "virtualmachinerestores",
        restore("r-new", "db", "s-none", None),
    );
    c.wait("virtualmachinerestores", "r-new", "waiting", |o| {
        o.is_some_and(|r| condition(r, "Ready")["reason"] == "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s")
    })
    .await;
}

#[tokio::test]
async fn paused_vm_snapshot_is_marked_paused_and_not_frozen() {
    let mut c = Cluster::start("{vms: {db: {paused: true}}}");
    c.wait("virtualmachines", "db", "Paused", |o| {
        o.is_some_and(|v| v["status"]["printableStatus"] == "Paused")
    })
    .await;
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(strings(&s["status"]["indications"]), ["Online", "Paused"]);
    assert!(
        c.events_with_reason("FreezeVirtualMachineInstance")
            .is_empty()
    );
}

#[tokio::test]
async fn quiesce_timeout_succeeds_with_the_quiesce_timeout_indication() {
    let mut c = Cluster::start("{snapshots: {db: {outcome: QuiesceTimeout}}}");
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(
        strings(&s["status"]["indications"]),
        ["GuestAgent", "Online", "QuiesceTimeout"]
    );
    assert!(
        s["status"]["error"].is_null(),
        "the error clears once the content is ready"
    );
}

#[tokio::test]
async fn clone_of_a_missing_vm_stays_pending_until_the_source_exists() {
    let mut c = Cluster::start("{}");
    c.create(
        "virtualmachineclones",
        json!({"apiVersion": "clone.kubevirt.io/v1beta1", "kind": "VirtualMachineClone",
        "metadata": {"name": "c1", "namespace": NS},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "nope"},
                 "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "nope-copy"}}}),
    );
    let cl = c
        .wait("virtualmachineclones", "c1", "pending", |o| {
            o.is_some_and(|o| condition(o, "Progressing")["reason"] == "Pending")
        })
        .await
        .expect("clone");
    assert_eq!(
        condition(&cl, "Ready")["reason"],
        format!("Source doesnt exist: VirtualMachine {NS}/nope")
    );
    assert!(
        cl["status"]["phase"].is_null(),
        "the phase stays unset: {cl:#}"
    );
    assert!(!c.events_with_reason("SourceDoesNotExist").is_empty());
    // The source appearing later lets the clone go on.
    let mut source = vm("nope", false, "batch-data");
    source["spec"]["dataVolumeTemplates"] = json!([]);
    source["spec"]["template"]["spec"]["volumes"] =
        json!([{"name": "data", "persistentVolumeClaim": {"claimName": "batch-data"}}]);
    source["spec"]["template"]["spec"]["domain"]["devices"]["disks"] =
        json!([{"name": "data", "disk": {"bus": "virtio"}}]);
    c.create("virtualmachines", source);
    c.wait_phase("virtualmachineclones", "c1", "Succeeded")
        .await;
}

#[tokio::test]
async fn many_concurrent_snapshots_all_complete_and_serialize_per_vm() {
    let mut c = Cluster::start("{}");
    let started = std::time::Instant::now();
    for i in 0..60 {
        c.create(
            "virtualmachinesnapshots",
            snapshot(&format!("s{i}"), ["db", "web", "batch", "legacy"][i % 4]),
        );
    }
    for i in 0..60 {
        c.wait_phase("virtualmachinesnapshots", &format!("s{i}"), "Succeeded")
            .await;
    }
    eprintln!("60 snapshots of 4 VMs in {:?}", started.elapsed());
    for vm in ["db", "web", "batch", "legacy"] {
        let v = c.get("virtualmachines", vm).expect("vm");
        assert!(v["status"]["snapshotInProgress"].is_null(), "{vm} unlocked");
    }
}

#[tokio::test]
async fn in_place_restore_replaces_the_claims_under_their_own_names() {
    let mut c = Cluster::start("{}");
    c.store
        .mutate(&g("persistentvolumeclaims"), Some(NS), "batch-data", |p| {
            p["metadata"]["finalizers"] = json!(["kubernetes.io/pvc-protection"]);
        })
        .expect("finalizer");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let old_uid =
        c.get("persistentvolumeclaims", "batch-data").expect("pvc")["metadata"]["uid"].clone();
    let mut r = restore("r1", "batch", "s1", None);
    r["spec"]["volumeRestorePolicy"] = json!("InPlace");
    c.create("virtualmachinerestores", r);
    let r = c.restore_complete("r1").await;
    let data = restored(&r, "data");
    assert_eq!(data["persistentVolumeClaim"], "batch-data");
    let pvc = c
        .get("persistentvolumeclaims", "batch-data")
        .expect("recreated");
    assert_ne!(pvc["metadata"]["uid"], old_uid, "a new claim");
    assert_eq!(
        pvc["spec"]["dataSource"]["name"],
        data["volumeSnapshotName"]
    );
    let vm = c.get("virtualmachines", "batch").expect("vm");
    assert_eq!(
        vm["spec"]["template"]["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"],
        "batch-data"
    );
}

#[tokio::test]
async fn a_claim_in_use_by_a_running_vm_lingers_until_the_vm_stops() {
    let mut c = Cluster::start("{}");
    c.wait("virtualmachineinstances", "web", "running", |o| o.is_some())
        .await;
    c.store
        .mutate(&g("persistentvolumeclaims"), Some(NS), "web-data", |p| {
            p["metadata"]["finalizers"] = json!(["kubernetes.io/pvc-protection"]);
        })
        .expect("finalizer");
    c.store
        .delete(&g("persistentvolumeclaims"), Some(NS), "web-data")
        .expect("deleting");
    let pvc = c
        .get("persistentvolumeclaims", "web-data")
        .expect("still there");
    assert!(pvc["metadata"]["deletionTimestamp"].is_string());
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "web", |vm| {
            vm["spec"]["runStrategy"] = json!("Halted")
        })
        .expect("stop");
    c.wait("persistentvolumeclaims", "web-data", "gone", |o| {
        o.is_none()
    })
    .await;
}

#[tokio::test]
async fn deleting_a_restore_in_progress_releases_the_vm() {
    let mut c = Cluster::start("{restores: {r1: {outcome: Stuck}}}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create("virtualmachinerestores", restore("r1", "batch", "s1", None));
    c.wait("virtualmachines", "batch", "restoring", |o| {
        o.is_some_and(|v| v["status"]["restoreInProgress"] == "r1")
    })
    .await;
    let r = c.get("virtualmachinerestores", "r1").expect("restore");
    assert!(
        strings(&r["metadata"]["finalizers"])
            .contains(&"snapshot.kubevirt.io/vmrestore-protection")
    );
    assert_eq!(r["metadata"]["ownerReferences"][0]["name"], "batch");
    c.store
        .delete(&g("virtualmachinerestores"), Some(NS), "r1")
        .expect("deleted");
    c.wait("virtualmachinerestores", "r1", "gone", |o| o.is_none())
        .await;
    c.wait("virtualmachines", "batch", "released", |o| {
        o.is_some_and(|v| v["status"]["restoreInProgress"].is_null())
    })
    .await;
}

#[tokio::test]
async fn a_vm_being_restored_does_not_start() {
    let mut c = Cluster::start("{restores: {r1: {outcome: Stuck}}}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create("virtualmachinerestores", restore("r1", "batch", "s1", None));
    c.wait("virtualmachines", "batch", "restoring", |o| {
        o.is_some_and(|v| v["status"]["restoreInProgress"] == "r1")
    })
    .await;
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "batch", |vm| {
            vm["spec"]["runStrategy"] = json!("Always")
        })
        .expect("start");
    let vm = c
        .wait("virtualmachines", "batch", "reconciled", |o| {
            o.is_some_and(|v| v["status"]["runStrategy"] == "Always")
        })
        .await
        .expect("vm");
    assert_eq!(vm["status"]["printableStatus"], "Stopped");
    assert!(c.get("virtualmachineinstances", "batch").is_none());
}

#[tokio::test]
async fn a_persistent_error_keeps_the_snapshot_in_progress_until_its_deadline() {
    let mut c = Cluster::start(
        r#"{timeScale: 0.01, snapshots: {db: {outcome: Error, message: "freeze failed", after: 1s}}}"#,
    );
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    let mut s = snapshot("s1", "db");
    s["spec"]["failureDeadline"] = json!("30s");
    c.create("virtualmachinesnapshots", s);
    let s = c
        .wait("virtualmachinesnapshots", "s1", "in error", |o| {
            o.is_some_and(|s| condition(s, "Progressing")["reason"] == "In error state")
        })
        .await
        .expect("snapshot");
    assert_eq!(s["status"]["phase"], "InProgress");
    assert_eq!(s["status"]["error"]["message"], "freeze failed");
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Failed")
        .await;
    assert_eq!(
        condition(&s, "Failure")["reason"],
        "snapshot deadline exceeded"
    );
    assert_eq!(s["status"]["error"]["message"], "freeze failed");
}

fn data_volume(name: &str) -> Value {
    json!({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"storage": {"resources": {"requests": {"storage": "30Gi"}}}},
        "status": {"phase": "Succeeded", "progress": "100.0%", "claimName": name}})
}

#[tokio::test]
async fn in_place_restore_keeps_the_data_volume_pre_populated_and_replaces_only_its_claim() {
    let mut c = Cluster::start("{}");
    let dv = c.create("datavolumes", data_volume("batch-rootdisk"));
    c.store
        .mutate(&g("persistentvolumeclaims"), Some(NS), "batch-rootdisk", |p| {
            p["metadata"]["ownerReferences"] = json!([{"apiVersion": "cdi.kubevirt.io/v1beta1",
                "kind": "DataVolume", "name": "batch-rootdisk", "uid": dv["metadata"]["uid"], "controller": true}]);
        })
        .expect("owned by its DataVolume");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let old_claim = c
        .get("persistentvolumeclaims", "batch-rootdisk")
        .expect("pvc");
    let mut r = restore("r1", "batch", "s1", None);
    r["spec"]["volumeRestorePolicy"] = json!("InPlace");
    c.create("virtualmachinerestores", r);
    let r = c.restore_complete("r1").await;
    let root = restored(&r, "rootdisk");
    assert_eq!(root["persistentVolumeClaim"], "batch-rootdisk");
    assert_eq!(root["dataVolumeName"], "batch-rootdisk");
    let kept = c
        .get("datavolumes", "batch-rootdisk")
        .expect("DataVolume kept");
    assert_eq!(
        kept["metadata"]["uid"], dv["metadata"]["uid"],
        "not deleted"
    );
    let annotations = &kept["metadata"]["annotations"];
    assert_eq!(
        annotations["cdi.kubevirt.io/storage.prePopulated"],
        "batch-rootdisk"
    );
    assert_eq!(annotations["restore.kubevirt.io/name"], "r1");
    let claim = c
        .get("persistentvolumeclaims", "batch-rootdisk")
        .expect("recreated");
    assert_ne!(claim["metadata"]["uid"], old_claim["metadata"]["uid"]);
    assert_eq!(
        claim["metadata"]["annotations"]["cdi.kubevirt.io/storage.populatedFor"],
        "batch-rootdisk"
    );
    assert!(r["status"].get("deletedDataVolumes").is_none());
    let vm = c.get("virtualmachines", "batch").expect("vm");
    assert_eq!(
        vm["spec"]["template"]["spec"]["volumes"][0]["dataVolume"]["name"],
        "batch-rootdisk"
    );
}

#[tokio::test]
async fn restored_vm_turns_plain_data_volumes_into_claims_drops_memory_dumps_and_gets_the_legacy_uuid()
 {
    let mut c = Cluster::start("{}");
    c.create("datavolumes", data_volume("plain-disk"));
    c.create("persistentvolumeclaims", pvc("plain-disk", "rbd", "30Gi"));
    c.create("persistentvolumeclaims", pvc("plain-dump", "rbd", "8Gi"));
    c.create(
        "virtualmachines",
        json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": "plain", "namespace": NS},
        "spec": {"runStrategy": "Halted", "template": {"spec": {
            "domain": {"devices": {"disks": [{"name": "disk", "disk": {}}]}},
            "volumes": [{"name": "disk", "dataVolume": {"name": "plain-disk"}},
                        {"name": "dump", "memoryDump": {"claimName": "plain-dump"}}]}}}}),
    );
    c.create("virtualmachinesnapshots", snapshot("s1", "plain"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let r = c.create("virtualmachinerestores", restore("r1", "plain", "s1", None));
    let ruid = r["metadata"]["uid"].as_str().expect("uid").to_string();
    let r = c.restore_complete("r1").await;
    let restored: Vec<&str> = r["status"]["restores"]
        .as_array()
        .expect("restores")
        .iter()
        .filter_map(|x| x["volumeName"].as_str())
        .collect();
    assert_eq!(restored, ["disk"], "memory dumps are not restored");
    assert!(r["status"]["restores"][0].get("dataVolumeName").is_none());
    let vm = c.get("virtualmachines", "plain").expect("vm");
    let spec = &vm["spec"]["template"]["spec"];
    assert_eq!(
        spec["volumes"],
        json!([{"name": "disk", "persistentVolumeClaim": {"claimName": format!("restore-{ruid}-disk")}}])
    );
    // uuid.NewSHA1(KubeVirt's firmware namespace, "plain").
    assert_eq!(
        spec["domain"]["firmware"]["uuid"],
        "be733339-b0c7-5de4-9d00-186ccdb09ce9"
    );
    assert!(
        c.get("datavolumes", &format!("restore-{ruid}-disk"))
            .is_none(),
        "no DataVolume for a volume without a template"
    );
    // Into a VM of another name, no UUID is made up.
    c.create(
        "virtualmachinerestores",
        restore("r2", "plain-copy", "s1", None),
    );
    c.restore_complete("r2").await;
    let copy = c.get("virtualmachines", "plain-copy").expect("new vm");
    assert!(
        copy["spec"]["template"]["spec"]["domain"]
            .get("firmware")
            .is_none()
    );
}

fn user_pvc(name: &str, class: Option<&str>) -> Value {
    let mut p = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": NS},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}});
    if let Some(c) = class {
        p["spec"]["storageClassName"] = json!(c);
    }
    p
}

#[tokio::test]
async fn a_user_claim_on_an_immediate_class_is_provisioned_and_bound() {
    let mut c = Cluster::start("{}");
    let claim = c.create(
        "persistentvolumeclaims",
        user_pvc("disk-alpine", Some("rbd")),
    );
    let bound = c
        .wait("persistentvolumeclaims", "disk-alpine", "Bound", |o| {
            o.is_some_and(|p| p["status"]["phase"] == "Bound")
        })
        .await
        .expect("claim");
    let pv_name = format!("pvc-{}", claim["metadata"]["uid"].as_str().expect("uid"));
    assert_eq!(bound["spec"]["volumeName"], pv_name);
    assert_eq!(bound["status"]["capacity"]["storage"], "2Gi");
    assert_eq!(bound["status"]["accessModes"], json!(["ReadWriteOnce"]));
    assert_eq!(
        bound["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"],
        "yes"
    );
    let pv = c
        .store
        .get(&Gvr::new("", "v1", "persistentvolumes"), None, &pv_name)
        .expect("a PV appears");
    assert_eq!(pv["status"]["phase"], "Bound");
    assert_eq!(pv["spec"]["claimRef"]["name"], "disk-alpine");
    assert_eq!(pv["spec"]["claimRef"]["uid"], claim["metadata"]["uid"]);
    assert_eq!(
        pv["spec"]["csi"]["driver"],
        "openshift-storage.rbd.csi.ceph.com"
    );
    // An empty class asks for a static PV only: it waits.
    c.create("persistentvolumeclaims", user_pvc("static", Some("")));
    c.wait("persistentvolumeclaims", "static", "Pending", |o| {
        o.is_some_and(|p| p["status"]["phase"] == "Pending")
    })
    .await;
}

#[tokio::test]
async fn a_wait_for_first_consumer_claim_stays_pending_until_a_vmi_uses_it() {
    let mut c = Cluster::start("{}");
    c.create("storageclasses", json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "local"}, "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"}));
    c.create(
        "persistentvolumeclaims",
        user_pvc("disk-custom", Some("local")),
    );
    c.wait("persistentvolumeclaims", "disk-custom", "Pending", |o| {
        o.is_some_and(|p| p["status"]["phase"] == "Pending")
    })
    .await;
    assert!(
        c.get("persistentvolumeclaims", "disk-custom").expect("pvc")["spec"]
            .get("volumeName")
            .is_none()
    );
    // A stopped VM is no consumer; a running one (its VMI) is.
    c.create("virtualmachines", json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": "alpine", "namespace": NS},
        "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}},
            "volumes": [{"name": "pvcdisk2", "persistentVolumeClaim": {"claimName": "disk-custom"}}]}}}}));
    c.wait("virtualmachines", "alpine", "Stopped", |o| {
        o.is_some_and(|v| v["status"]["printableStatus"] == "Stopped")
    })
    .await;
    assert_eq!(
        c.get("persistentvolumeclaims", "disk-custom").expect("pvc")["status"]["phase"],
        "Pending"
    );
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "alpine", |vm| {
            vm["spec"]["runStrategy"] = json!("Always")
        })
        .expect("started");
    let bound = c
        .wait("persistentvolumeclaims", "disk-custom", "Bound", |o| {
            o.is_some_and(|p| p["status"]["phase"] == "Bound")
        })
        .await
        .expect("claim");
    assert!(
        bound["metadata"]["annotations"]["volume.kubernetes.io/selected-node"].is_string(),
        "the consumer's node is recorded as the scheduler does"
    );
}

// ---- Held to upstream (issue 14): snapshots and clones ----------------------------------------

/// A stopped VM `name` with one PVC data volume and a persistent TPM (backend storage).
fn tpm_vm(name: &str) -> Value {
    let mut v = vm(name, false, &format!("{name}-data"));
    v["spec"]["dataVolumeTemplates"] = json!([]);
    v["spec"]["template"]["spec"]["volumes"] =
        json!([{"name": "data", "persistentVolumeClaim": {"claimName": format!("{name}-data")}}]);
    v["spec"]["template"]["spec"]["domain"]["devices"]["disks"] =
        json!([{"name": "data", "disk": {"bus": "virtio"}}]);
    v["spec"]["template"]["spec"]["domain"]["devices"]["tpm"] = json!({"persistent": true});
    v
}

/// The VirtualMachineSnapshotContent of snapshot object `s`.
fn content_of(c: &Cluster, s: &Value) -> Value {
    let name = s["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content name");
    c.get("virtualmachinesnapshotcontents", name)
        .expect("content")
}

/// The PVC KubeVirt's backend storage makes for `vm` (label `persistent-state-for=<vm>`).
fn backend_pvc(vm: &str) -> Value {
    let mut p = pvc(&format!("persistent-state-for-{vm}-x7k2q"), "rbd", "10Mi");
    p["metadata"]["labels"] = json!({"persistent-state-for": vm});
    p
}

fn clone_of(name: &str, kind: &str, source: &str, target: &str) -> Value {
    let group = if kind == "VirtualMachine" {
        "kubevirt.io"
    } else {
        "snapshot.kubevirt.io"
    };
    json!({"apiVersion": "clone.kubevirt.io/v1beta1", "kind": "VirtualMachineClone",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"source": {"apiGroup": group, "kind": kind, "name": source},
                 "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": target}}})
}

#[tokio::test]
async fn snapshot_is_succeeded_but_not_ready_while_its_volume_snapshots_are_not_ready() {
    let mut c = Cluster::start("{snapshots: {batch: {outcome: Unready}}}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(s["status"]["readyToUse"], false, "{s:#}");
    assert!(s["status"]["creationTime"].is_string());
    assert_eq!(condition(&s, "Ready")["reason"], "Not ready");
    assert_eq!(condition(&s, "Progressing")["reason"], "Operation complete");
    let vm = c.get("virtualmachines", "batch").expect("vm");
    assert!(
        vm["status"]["snapshotInProgress"].is_null(),
        "a Succeeded snapshot unlocks its VM even while unready"
    );
    // The CSI driver finishing makes the content, and so the snapshot, ready.
    let content = s["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content")
        .to_string();
    let vs_names: Vec<String> = c
        .get("virtualmachinesnapshotcontents", &content)
        .expect("content")["spec"]["volumeBackups"]
        .as_array()
        .expect("backups")
        .iter()
        .map(|b| b["volumeSnapshotName"].as_str().expect("vs").to_string())
        .collect();
    assert!(!vs_names.is_empty());
    for vs in &vs_names {
        c.store
            .mutate(&g("volumesnapshots"), Some(NS), vs, |v| {
                v["status"]["readyToUse"] = json!(true)
            })
            .expect("vs ready");
    }
    let s = c
        .wait("virtualmachinesnapshots", "s1", "ready", |o| {
            o.is_some_and(|s| s["status"]["readyToUse"] == true)
        })
        .await
        .expect("snapshot");
    assert_eq!(condition(&s, "Ready")["status"], "True");
}

#[tokio::test]
async fn a_volume_snapshot_deleted_later_leaves_the_snapshot_succeeded_but_unready_with_the_missing_error()
 {
    let mut c = Cluster::start("{}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    c.wait("virtualmachinesnapshots", "s1", "ready", |o| {
        o.is_some_and(|s| s["status"]["readyToUse"] == true)
    })
    .await;
    let s = c.get("virtualmachinesnapshots", "s1").expect("snapshot");
    let content = s["status"]["virtualMachineSnapshotContentName"]
        .as_str()
        .expect("content")
        .to_string();
    let vs = c
        .get("virtualmachinesnapshotcontents", &content)
        .expect("content")["spec"]["volumeBackups"][0]["volumeSnapshotName"]
        .as_str()
        .expect("vs")
        .to_string();
    c.store
        .delete(&g("volumesnapshots"), Some(NS), &vs)
        .expect("deleted");
    let s = c
        .wait("virtualmachinesnapshots", "s1", "unready", |o| {
            o.is_some_and(|s| s["status"]["readyToUse"] == false)
        })
        .await
        .expect("snapshot");
    assert_eq!(s["status"]["phase"], "Succeeded", "the phase stays");
    assert_eq!(
        s["status"]["error"]["message"],
        format!("VolumeSnapshots ({vs}) missing")
    );
    assert_eq!(condition(&s, "Ready")["reason"], "Not ready");
    assert_eq!(condition(&s, "Progressing")["reason"], "In error state");
    let content = c
        .get("virtualmachinesnapshotcontents", &content)
        .expect("content");
    assert_eq!(content["status"]["readyToUse"], false);
    assert!(content["status"]["creationTime"].is_string(), "kept");
    assert!(!c.events_with_reason("VolumeSnapshotMissing").is_empty());
}

#[tokio::test]
async fn online_snapshot_content_stores_the_spec_the_vmi_started_with_and_no_status() {
    let mut c = Cluster::start("{}");
    c.wait("virtualmachineinstances", "db", "running", |o| o.is_some())
        .await;
    let vmi = c.get("virtualmachineinstances", "db").expect("vmi");
    let revision = vmi["status"]["virtualMachineRevisionName"]
        .as_str()
        .expect("revision name")
        .to_string();
    let cr = c
        .store
        .get(
            &Gvr::new("apps", "v1", "controllerrevisions"),
            Some(NS),
            &revision,
        )
        .expect("the VM revision written at start");
    assert_eq!(
        cr["data"]["spec"]["template"]["spec"]["domain"]["memory"]["guest"],
        "4Gi"
    );
    // Changed while running (not applied until a restart): memory and a new disk.
    c.store
        .mutate(&g("virtualmachines"), Some(NS), "db", |vm| {
            let spec = &mut vm["spec"]["template"]["spec"];
            spec["domain"]["memory"]["guest"] = json!("8Gi");
            spec["volumes"]
                .as_array_mut()
                .expect("volumes")
                .push(json!({"name": "extra", "persistentVolumeClaim": {"claimName": "web-data"}}));
            spec["domain"]["devices"]["disks"]
                .as_array_mut()
                .expect("disks")
                .push(json!({"name": "extra", "disk": {"bus": "virtio"}}));
        })
        .expect("patched");
    c.create("virtualmachinesnapshots", snapshot("s1", "db"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    let content = content_of(&c, &s);
    let stored = &content["spec"]["source"]["virtualMachine"];
    assert_eq!(
        stored["spec"]["template"]["spec"]["domain"]["memory"]["guest"], "4Gi",
        "the spec the VMI started with"
    );
    let volumes: Vec<&str> = stored["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert!(volumes.contains(&"extra"), "current volumes: {volumes:?}");
    assert_eq!(stored["status"], json!({}), "no status");
    // Offline: the current spec, no status either.
    c.create("virtualmachinesnapshots", snapshot("s2", "batch"));
    let s2 = c
        .wait_phase("virtualmachinesnapshots", "s2", "Succeeded")
        .await;
    let content = content_of(&c, &s2);
    let batch = c.get("virtualmachines", "batch").expect("vm");
    assert_eq!(
        content["spec"]["source"]["virtualMachine"]["spec"],
        batch["spec"]
    );
    assert_eq!(
        content["spec"]["source"]["virtualMachine"]["status"],
        json!({})
    );
}

#[tokio::test]
async fn failure_deadline_counts_from_the_creation_timestamp() {
    // Real time (the scale just under 1 keeps Cluster::start from zeroing it): a 5m deadline
    // counted from first sight would not end within the test; from creation it is long past.
    let mut c = Cluster::start("{timeScale: 0.999, snapshots: {batch: {outcome: Stuck}}}");
    let mut s = snapshot("old", "batch");
    s["metadata"]["creationTimestamp"] = json!("2020-01-01T00:00:00Z");
    c.create("virtualmachinesnapshots", s);
    let s = c
        .wait_phase("virtualmachinesnapshots", "old", "Failed")
        .await;
    assert_eq!(
        condition(&s, "Failure")["reason"],
        "snapshot deadline exceeded"
    );
}

#[tokio::test]
async fn backend_storage_pvc_is_snapshotted_as_the_persistent_state_volume() {
    let mut c = Cluster::start("{}");
    c.create("persistentvolumeclaims", pvc("vault-data", "rbd", "10Gi"));
    c.create("persistentvolumeclaims", backend_pvc("vault"));
    c.create("virtualmachines", tpm_vm("vault"));
    let vm = c
        .wait("virtualmachines", "vault", "with snapshot statuses", |o| {
            o.is_some_and(|v| {
                v["status"]["volumeSnapshotStatuses"]
                    .as_array()
                    .is_some_and(|a| a.len() == 2)
            })
        })
        .await
        .expect("vm");
    assert_eq!(
        vm["status"]["volumeSnapshotStatuses"][1]["name"],
        "persistent-state-for-vault"
    );
    c.create("virtualmachinesnapshots", snapshot("s1", "vault"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    assert_eq!(
        strings(&s["status"]["snapshotVolumes"]["includedVolumes"]),
        ["data", "persistent-state-for-vault"]
    );
    let content = content_of(&c, &s);
    let backup = &content["spec"]["volumeBackups"][1];
    assert_eq!(backup["volumeName"], "persistent-state-for-vault");
    assert_eq!(
        backup["persistentVolumeClaim"]["metadata"]["name"],
        "persistent-state-for-vault-x7k2q"
    );
    assert_eq!(
        content["status"]["volumeSnapshotStatus"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn snapshot_lock_waits_for_a_missing_backend_storage_pvc() {
    let mut c = Cluster::start("{}");
    c.create("persistentvolumeclaims", pvc("vault-data", "rbd", "10Gi"));
    c.create("virtualmachines", tpm_vm("vault"));
    c.create("virtualmachinesnapshots", snapshot("s1", "vault"));
    let s = c
        .wait("virtualmachinesnapshots", "s1", "reported", |o| {
            o.is_some_and(|s| condition(s, "Progressing")["reason"] == "Source not locked")
        })
        .await
        .expect("snapshot");
    assert_eq!(s["status"]["phase"], "InProgress");
    assert!(
        c.get("virtualmachines", "vault").expect("vm")["status"]["snapshotInProgress"].is_null()
    );
    c.create("persistentvolumeclaims", backend_pvc("vault"));
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
}

#[tokio::test]
async fn snapshot_lock_waits_until_data_volume_claims_are_populated() {
    let mut c = Cluster::start("{}");
    // batch's root disk claim is controlled by a DataVolume still importing.
    let dv = c.create(
        "datavolumes",
        json!({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
            "metadata": {"name": "batch-rootdisk", "namespace": NS},
            "spec": {"storage": {"resources": {"requests": {"storage": "30Gi"}}}},
            "status": {"phase": "ImportInProgress", "progress": "42.0%"}}),
    );
    c.store
        .mutate(
            &g("persistentvolumeclaims"),
            Some(NS),
            "batch-rootdisk",
            |p| {
                p["metadata"]["ownerReferences"] = json!([{"apiVersion": "cdi.kubevirt.io/v1beta1",
                "kind": "DataVolume", "name": "batch-rootdisk", "uid": dv["metadata"]["uid"],
                "controller": true, "blockOwnerDeletion": true}]);
            },
        )
        .expect("owned");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    let s = c
        .wait("virtualmachinesnapshots", "s1", "waiting", |o| {
            o.is_some_and(|s| {
                condition(s, "Progressing")["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("volume not populated"))
            })
        })
        .await
        .expect("snapshot");
    assert_eq!(
        condition(&s, "Progressing")["reason"],
        format!("Source not locked source {NS}/batch volume not populated: batch-rootdisk")
    );
    c.store
        .mutate(&g("datavolumes"), Some(NS), "batch-rootdisk", |dv| {
            dv["status"]["phase"] = json!("Succeeded")
        })
        .expect("imported");
    c.wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
}

#[tokio::test]
async fn clone_of_a_vm_with_a_volume_that_cannot_be_snapshotted_stays_pending() {
    let mut c = Cluster::start("{}");
    c.wait("virtualmachines", "legacy", "with snapshot statuses", |o| {
        o.is_some_and(|v| v["status"]["volumeSnapshotStatuses"].is_array())
    })
    .await;
    c.create(
        "virtualmachineclones",
        clone_of("c1", "VirtualMachine", "legacy", "legacy-copy"),
    );
    let cl = c
        .wait("virtualmachineclones", "c1", "pending", |o| {
            o.is_some_and(|o| condition(o, "Progressing")["reason"] == "Pending")
        })
        .await
        .expect("clone");
    assert_eq!(
        condition(&cl, "Ready")["reason"],
        "Virtual Machine volume data does not support snapshots"
    );
    assert!(cl["status"]["phase"].is_null());
    assert!(cl["status"]["snapshotName"].is_null(), "no snapshot taken");
    assert!(!c.events_with_reason("VMVolumeSnapshotsInvalid").is_empty());
}

#[tokio::test]
async fn clone_of_a_vm_with_backend_storage_fails_with_the_reason_in_ready() {
    let mut c = Cluster::start("{}");
    c.create("persistentvolumeclaims", pvc("vault-data", "rbd", "10Gi"));
    c.create("virtualmachines", tpm_vm("vault"));
    c.create(
        "virtualmachineclones",
        clone_of("c1", "VirtualMachine", "vault", "vault-copy"),
    );
    let cl = c.wait_phase("virtualmachineclones", "c1", "Failed").await;
    assert_eq!(
        condition(&cl, "Ready")["reason"],
        format!("Clone of source with backendstorage is not supported: VM {NS}/vault")
    );
    assert_eq!(condition(&cl, "Progressing")["reason"], "Failed");
}

#[tokio::test]
async fn clone_of_a_snapshot_that_is_not_ready_stays_in_snapshot_in_progress() {
    let mut c = Cluster::start("{snapshots: {batch: {outcome: Unready}}}");
    c.create("virtualmachinesnapshots", snapshot("s1", "batch"));
    let s = c
        .wait_phase("virtualmachinesnapshots", "s1", "Succeeded")
        .await;
    c.create(
        "virtualmachineclones",
        clone_of("c1", "VirtualMachineSnapshot", "s1", "batch-copy"),
    );
    let cl = c
        .wait_phase("virtualmachineclones", "c1", "SnapshotInProgress")
        .await;
    assert_eq!(condition(&cl, "Ready")["reason"], "Still processing");
    // Ready later: the clone goes on (it never failed meanwhile).
    let content = content_of(&c, &s);
    for b in content["spec"]["volumeBackups"]
        .as_array()
        .expect("backups")
    {
        let vs = b["volumeSnapshotName"].as_str().expect("vs");
        c.store
            .mutate(&g("volumesnapshots"), Some(NS), vs, |v| {
                v["status"]["readyToUse"] = json!(true)
            })
            .expect("ready");
    }
    c.wait_phase("virtualmachineclones", "c1", "Succeeded")
        .await;
}

#[tokio::test]
async fn deleting_a_succeeded_clones_target_deletes_the_clone() {
    let mut c = Cluster::start("{}");
    c.create(
        "virtualmachineclones",
        clone_of("c1", "VirtualMachine", "batch", "batch-copy"),
    );
    c.wait_phase("virtualmachineclones", "c1", "Succeeded")
        .await;
    c.store
        .delete(&g("virtualmachines"), Some(NS), "batch-copy")
        .expect("deleted");
    c.wait("virtualmachineclones", "c1", "deleted", |o| o.is_none())
        .await;
}
