//! The simulated Deckhouse Virtualization controllers on the Deckhouse scenario
//! (tests/sim/scenarios/deckhouse): VM and disk snapshots with requiredConsistency and
//! keepIPAddress, restores (DryRun conflicts, Strict, BestEffort), clones, snapshot
//! operations, one active operation per VM, garbage collection, and every object (scenario
//! and controller-written) valid against the real CRD schemas. Waits are on store events,
//! with a timeout only as a safety net.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use vmsnap_sim::controllers::admission::{Operation, admit};
use vmsnap_sim::controllers::deckhouse::gvr;
use vmsnap_sim::controllers::{self, ControllerConfig};
use vmsnap_sim::schema;
use vmsnap_sim::store::{Event, EventType, Gvr, Store};
use vmsnap_sim::{Registry, Scenario};

const NS: &str = "my-project";

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/deckhouse")
}

fn load() -> Scenario {
    let mut s = Scenario::default();
    s.load_path(&scenario_dir())
        .expect("deckhouse scenario loads");
    s
}

struct Cluster {
    store: Store,
    events: broadcast::Receiver<Event>,
    /// Every event seen while waiting, to assert on states that came and went.
    seen: Vec<Event>,
    _controllers: Vec<tokio::task::JoinHandle<()>>,
}

impl Cluster {
    /// The Deckhouse scenario with its controllers at `time_scale` (0 = every step at once).
    fn start(time_scale: f64) -> Cluster {
        let scenario = load();
        let store = Store::new();
        let events = store.subscribe();
        scenario
            .apply(&store, &Registry::builtin())
            .expect("scenario applies");
        let mut config: ControllerConfig =
            serde_json::from_value(scenario.controllers.clone()).expect("controllers config");
        config.time_scale = time_scale;
        let controllers = controllers::spawn_all(store.clone(), Arc::new(config));
        Cluster {
            store,
            events,
            seen: vec![],
            _controllers: controllers,
        }
    }

    fn get(&self, plural: &str, name: &str) -> Option<Value> {
        self.store.get(&gvr(plural), Some(NS), name)
    }

    fn create(&self, plural: &str, obj: Value) -> Value {
        self.store.create(&gvr(plural), obj).expect("created")
    }

    fn mutate(&self, plural: &str, name: &str, f: impl FnOnce(&mut Value)) {
        self.store
            .mutate(&gvr(plural), Some(NS), name, f)
            .expect("mutated");
    }

    /// Waits until `pred` holds on the store, recording the events seen.
    async fn until(&mut self, what: &str, pred: impl Fn(&Store) -> bool) {
        let fut = async {
            while !pred(&self.store) {
                match self.events.recv().await {
                    Ok(ev) => self.seen.push(ev),
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => panic!("store closed"),
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(20), fut)
            .await
            .is_err()
        {
            panic!("timed out waiting for {what}");
        }
    }

    async fn phase(&mut self, plural: &str, name: &str, phase: &str) -> Value {
        let (p, n, ph) = (plural.to_string(), name.to_string(), phase.to_string());
        self.until(&format!("{plural}/{name} {phase}"), move |s| {
            s.get(&gvr(&p), Some(NS), &n)
                .is_some_and(|o| o["status"]["phase"] == ph.as_str())
        })
        .await;
        self.get(plural, name).expect("present")
    }

    /// Waits until VM snapshot `name` is Failed, checks the reason of its
    /// VirtualMachineSnapshotReady condition and returns it.
    async fn failed_snapshot(&mut self, name: &str, reason: &str) -> Value {
        let s = self.phase("virtualmachinesnapshots", name, "Failed").await;
        assert_eq!(
            condition(&s, "VirtualMachineSnapshotReady")["reason"],
            reason,
            "{s:#}"
        );
        s
    }

    async fn gone(&mut self, plural: &str, name: &str) {
        let (p, n) = (plural.to_string(), name.to_string());
        self.until(&format!("{plural}/{name} gone"), move |s| {
            s.get(&gvr(&p), Some(NS), &n).is_none()
        })
        .await;
    }

    /// Whether any event so far showed `plural` matching `pred`.
    fn saw(&mut self, plural: &str, pred: impl Fn(&Value) -> bool) -> bool {
        while let Ok(ev) = self.events.try_recv() {
            self.seen.push(ev);
        }
        self.seen
            .iter()
            .any(|e| e.gvr.plural == plural && e.gvr.group == gvr(plural).group && pred(&e.object))
    }
}

fn vm_snapshot(name: &str, vm: &str, required: bool, keep_ip: &str) -> Value {
    json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2", "kind": "VirtualMachineSnapshot",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"virtualMachineName": vm, "requiredConsistency": required, "keepIPAddress": keep_ip}})
}

fn disk_snapshot(name: &str, disk: &str, required: bool) -> Value {
    json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2", "kind": "VirtualDiskSnapshot",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"virtualDiskName": disk, "requiredConsistency": required}})
}

fn vmop(name: &str, vm: &str, type_: &str, extra: Value) -> Value {
    let mut spec = json!({"type": type_, "virtualMachineName": vm});
    if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2", "kind": "VirtualMachineOperation",
        "metadata": {"name": name, "namespace": NS}, "spec": spec})
}

fn restore(name: &str, vm: &str, snapshot: &str, mode: &str) -> Value {
    vmop(
        name,
        vm,
        "Restore",
        json!({"restore": {"mode": mode, "virtualMachineSnapshotName": snapshot}}),
    )
}

fn vmsop(name: &str, snapshot: &str, params: Option<Value>) -> Value {
    let mut o = json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2", "kind": "VirtualMachineSnapshotOperation",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"type": "CreateVirtualMachine", "virtualMachineSnapshotName": snapshot}});
    if let Some(p) = params {
        o["spec"]["createVirtualMachine"] = p;
    }
    o
}

fn condition<'a>(obj: &'a Value, type_: &str) -> &'a Value {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == type_))
        .unwrap_or(&Value::Null)
}

fn resource<'a>(op: &'a Value, kind: &str, name: &str) -> &'a Value {
    op["status"]["resources"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["kind"] == kind && r["name"] == name))
        .unwrap_or_else(|| panic!("no {kind}/{name} in {:#}", op["status"]["resources"]))
}

/// Every object of the store with a reference schema validates, with no unknown fields.
/// Skipped without the schemas, except under CI=true.
fn assert_store_valid(store: &Store) {
    let Some(dir) = vmsnap_sim::testing::reference_schemas("deckhouse") else {
        return;
    };
    let mut registry = Registry::builtin();
    registry.load_schemas(&dir).expect("schemas load");
    let mut bad = Vec::new();
    let mut checked = 0;
    for def in &registry.defs {
        let Some(schema) = def.schema(&def.versions[0]) else {
            continue;
        };
        for obj in store.list(&def.storage_gvr(), None) {
            checked += 1;
            let mut copy = obj.clone();
            let out = schema::validate_and_prune(schema, &mut copy);
            let name = format!(
                "{} {}/{}",
                def.kind,
                obj["metadata"]["namespace"].as_str().unwrap_or(""),
                obj["metadata"]["name"].as_str().unwrap_or("")
            );
            bad.extend(out.causes.iter().map(|c| format!("{name}: {c}")));
            bad.extend(
                out.pruned
                    .iter()
                    .map(|p| format!("{name}: unknown field {p}")),
            );
        }
    }
    assert!(checked > 15, "only {checked} objects had a schema");
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn scenario_documents_are_served_and_validate_against_the_real_schemas() {
    let scenario = load();
    let registry = Registry::builtin();
    for (source, doc) in &scenario.objects {
        let (v, k) = (
            doc["apiVersion"].as_str().unwrap_or(""),
            doc["kind"].as_str().unwrap_or(""),
        );
        assert!(
            registry.by_kind(v, k).is_some(),
            "{source}: {k} is not served"
        );
    }
    let store = Store::new();
    scenario.apply(&store, &registry).expect("applies");
    assert_store_valid(&store);
    let d = registry
        .find("virtualization.deckhouse.io", "virtualmachinesnapshots")
        .expect("registered");
    assert_eq!(d.short_names, ["vmsnapshot", "vms"]);
    let d = registry
        .find("virtualization.deckhouse.io", "virtualdisksnapshots")
        .expect("registered");
    assert_eq!(d.short_names, ["vdsnapshot", "vds"]);
    for (plural, short) in [
        ("virtualmachineoperations", "vmop"),
        ("virtualmachinesnapshotoperations", "vmsop"),
        ("virtualmachines", "vm"),
        ("virtualdisks", "vd"),
    ] {
        let d = registry
            .find("virtualization.deckhouse.io", plural)
            .expect("registered");
        assert_eq!(d.short_names, [short], "{plural}");
    }
}

#[tokio::test]
async fn running_vm_with_agent_snapshots_consistently_saving_disks_ip_and_mac() {
    let mut c = Cluster::start(0.0);
    let s = c
        .phase("virtualmachinesnapshots", "linux-vm-snapshot", "Ready")
        .await;
    let uid = s["metadata"]["uid"].as_str().expect("uid").to_string();
    assert_eq!(s["status"]["consistent"], true);
    assert_eq!(
        s["status"]["virtualDiskSnapshotNames"],
        json!([
            format!("linux-vm-root-{uid}"),
            format!("linux-vm-data-{uid}")
        ])
    );
    let kinds: Vec<(&str, &str)> = s["status"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or(""),
                r["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for want in [
        ("VirtualMachine", "linux-vm"),
        ("VirtualMachineIPAddress", "linux-vm"),
        ("VirtualMachineMACAddress", "linux-vm-mac"),
        ("VirtualDisk", "linux-vm-root"),
        ("VirtualDisk", "linux-vm-data"),
    ] {
        assert!(kinds.contains(&want), "{want:?} not in {kinds:?}");
    }
    assert_eq!(
        s["status"]["resources"][0]["apiVersion"],
        "virtualization.deckhouse.io/v1alpha2"
    );
    assert_eq!(
        condition(&s, "VirtualMachineSnapshotReady")["status"],
        "True"
    );
    assert!(
        s["metadata"]["finalizers"]
            .as_array()
            .expect("finalizers")
            .contains(&json!("virtualization.deckhouse.io/vmsnapshot-protection"))
    );
    let secret = c
        .store
        .get(
            &Gvr::new("", "v1", "secrets"),
            Some(NS),
            &format!("d8v-vms-linux-vm-snapshot-{uid}"),
        )
        .expect("snapshot secret");
    assert_eq!(
        secret["type"],
        "virtualmachine.virtualization.deckhouse.io/snapshot"
    );
    // The guest was frozen while the disks were captured, and thawed after.
    assert!(
        c.saw(
            "virtualmachines",
            |vm| condition(vm, "FilesystemFrozen")["status"] == "True"
        ) || condition(
            &c.get("virtualmachines", "linux-vm").expect("vm"),
            "FilesystemFrozen"
        )
        .is_null()
    );
    let vm = c.get("virtualmachines", "linux-vm").expect("vm");
    assert!(condition(&vm, "FilesystemFrozen").is_null(), "thawed");
    assert_eq!(vm["status"]["ipAddress"], "10.66.10.12");
    // keepIPAddress Always: the Auto address became Static.
    let ip = c
        .get("virtualmachineipaddresses", "linux-vm")
        .expect("vmip");
    assert_eq!(
        ip["spec"],
        json!({"type": "Static", "staticIP": "10.66.10.12"})
    );
    let vds = c
        .get("virtualdisksnapshots", &format!("linux-vm-root-{uid}"))
        .expect("vds");
    assert_eq!(vds["status"]["phase"], "Ready");
    assert_eq!(
        vds["metadata"]["ownerReferences"][0]["kind"],
        "VirtualMachineSnapshot"
    );
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn running_vm_without_agent_fails_a_consistent_snapshot_and_allows_an_inconsistent_one() {
    let mut c = Cluster::start(0.0);
    c.until("db-vm running without agent", |s| {
        s.get(&gvr("virtualmachines"), Some(NS), "db-vm")
            .is_some_and(|vm| condition(&vm, "AgentReady")["status"] == "False")
    })
    .await;
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("db-strict", "db-vm", true, "Never"),
    );
    let s = c
        .failed_snapshot("db-strict", "PotentiallyInconsistent")
        .await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    assert_eq!(
        cond["message"],
        "Cannot take a consistent snapshot of virtual machine \"db-vm\": virtual machine agent is not ready and the virtual machine cannot be frozen."
    );
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("db-loose", "db-vm", false, "Never"),
    );
    let s = c
        .phase("virtualmachinesnapshots", "db-loose", "Ready")
        .await;
    assert!(
        s["status"].get("consistent").is_none(),
        "consistent is absent, never false"
    );
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn stopped_vm_snapshot_is_consistent_and_leaves_images_out() {
    let mut c = Cluster::start(0.0);
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("win-snap", "win-vm", true, "Always"),
    );
    let s = c
        .phase("virtualmachinesnapshots", "win-snap", "Ready")
        .await;
    assert_eq!(s["status"]["consistent"], true);
    let kinds: Vec<&str> = s["status"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(
        !kinds.contains(&"VirtualImage") && !kinds.contains(&"ClusterVirtualImage"),
        "{kinds:?}"
    );
    assert_eq!(
        s["status"]["virtualDiskSnapshotNames"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn snapshot_of_a_vm_whose_disk_is_resizing_fails() {
    // Real time: the 30s resize outlasts the test.
    let mut c = Cluster::start(1.0);
    c.phase("virtualdisks", "web-vm-data", "Resizing").await;
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("web-snap", "web-vm", true, "Always"),
    );
    let s = c.failed_snapshot("web-snap", "BlockDevicesNotReady").await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    // ensureBlockDeviceConsistency checks the phase first: a Resizing disk is "not Ready".
    assert_eq!(
        cond["message"],
        "Virtual disk not ready: waiting for the virtual disk \"web-vm-data\" to be Ready."
    );
    let vd = c.get("virtualdisks", "web-vm-data").expect("vd");
    assert_eq!(condition(&vd, "Resized")["reason"], "InProgress");
}

#[tokio::test]
async fn disk_snapshot_with_required_consistency_needs_the_agent_of_a_running_vm() {
    let mut c = Cluster::start(0.0);
    c.until("disks attached", |s| {
        s.get(&gvr("virtualdisks"), Some(NS), "db-vm-root")
            .is_some_and(|vd| vd["status"]["attachedToVirtualMachines"][0]["mounted"] == true)
            && s.get(&gvr("virtualdisks"), Some(NS), "linux-vm-root")
                .is_some_and(|vd| vd["status"]["attachedToVirtualMachines"][0]["mounted"] == true)
    })
    .await;
    c.create(
        "virtualdisksnapshots",
        disk_snapshot("db-root-strict", "db-vm-root", true),
    );
    let s = c
        .phase("virtualdisksnapshots", "db-root-strict", "Failed")
        .await;
    assert_eq!(
        condition(&s, "VirtualDiskSnapshotReady")["reason"],
        "PotentiallyInconsistent"
    );

    c.create(
        "virtualdisksnapshots",
        disk_snapshot("db-root-loose", "db-vm-root", false),
    );
    let s = c
        .phase("virtualdisksnapshots", "db-root-loose", "Ready")
        .await;
    assert!(s["status"].get("consistent").is_none());

    c.create(
        "virtualdisksnapshots",
        disk_snapshot("linux-root", "linux-vm-root", true),
    );
    let s = c.phase("virtualdisksnapshots", "linux-root", "Ready").await;
    assert_eq!(s["status"]["consistent"], true);
    let vs_name = s["status"]["volumeSnapshotName"]
        .as_str()
        .expect("volume snapshot");
    assert!(vs_name.starts_with("d8v-vds-linux-root-"));
    let vs = c
        .store
        .get(
            &Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots"),
            Some(NS),
            vs_name,
        )
        .expect("VolumeSnapshot");
    assert_eq!(vs["status"]["readyToUse"], true);
    assert_eq!(vs["status"]["restoreSize"], "20Gi");
    assert!(
        c.saw("virtualmachines", |vm| vm["metadata"]["name"] == "linux-vm"
            && condition(vm, "FilesystemFrozen")["status"] == "True")
    );
    assert!(
        condition(
            &c.get("virtualmachines", "linux-vm").expect("vm"),
            "FilesystemFrozen"
        )
        .is_null()
    );

    // A disk restored from the snapshot: a new VirtualDisk with the snapshot as its data source.
    c.create("virtualdisks", json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2", "kind": "VirtualDisk",
        "metadata": {"name": "linux-root-copy", "namespace": NS},
        "spec": {"dataSource": {"type": "ObjectRef", "objectRef": {"kind": "VirtualDiskSnapshot", "name": "linux-root"}},
            "persistentVolumeClaim": {"size": "25Gi"}}}));
    let vd = c.phase("virtualdisks", "linux-root-copy", "Ready").await;
    assert_eq!(vd["status"]["capacity"], "25Gi");
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn restore_dry_run_lists_conflicts_from_what_exists_and_changes_nothing() {
    let mut c = Cluster::start(0.0);
    c.phase("virtualmachinesnapshots", "linux-vm-snapshot", "Ready")
        .await;
    c.create(
        "virtualmachineoperations",
        restore("dry-ok", "linux-vm", "linux-vm-snapshot", "DryRun"),
    );
    let op = c
        .phase("virtualmachineoperations", "dry-ok", "Completed")
        .await;
    assert_eq!(
        resource(&op, "VirtualMachine", "linux-vm")["message"],
        "linux-vm is valid for restore"
    );
    assert_eq!(
        resource(&op, "VirtualDisk", "linux-vm-root")["apiVersion"],
        "v1alpha2"
    );

    // Conflicts: the data disk attached to other-vm, the saved IP taken by another claim.
    c.mutate("virtualmachines", "other-vm", |vm| {
        vm["spec"]["blockDeviceRefs"]
            .as_array_mut()
            .expect("refs")
            .push(json!({"kind": "VirtualDisk", "name": "linux-vm-data"}));
    });
    c.until("linux-vm-data attached to other-vm", |s| {
        s.get(&gvr("virtualdisks"), Some(NS), "linux-vm-data")
            .is_some_and(|vd| {
                vd["status"]["attachedToVirtualMachines"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x["name"] == "other-vm"))
            })
    })
    .await;
    c.store
        .delete(&gvr("virtualmachineipaddresses"), Some(NS), "linux-vm")
        .expect("deleted");
    c.create("virtualmachineipaddresses", json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2",
        "kind": "VirtualMachineIPAddress", "metadata": {"name": "intruder", "namespace": NS},
        "spec": {"type": "Static", "staticIP": "10.66.10.12"},
        "status": {"address": "10.66.10.12", "virtualMachineName": "other-vm", "phase": "Attached"}}));
    let vm_before = c.get("virtualmachines", "linux-vm").expect("vm");
    c.create(
        "virtualmachineoperations",
        restore("dry-bad", "linux-vm", "linux-vm-snapshot", "DryRun"),
    );
    let op = c
        .phase("virtualmachineoperations", "dry-bad", "Failed")
        .await;
    let data = resource(&op, "VirtualDisk", "linux-vm-data");
    assert_eq!(data["status"], "Failed");
    assert_eq!(
        data["message"],
        "the virtual disk \"linux-vm-data\" already in use"
    );
    assert_eq!(
        resource(&op, "VirtualDisk", "linux-vm-root")["status"],
        "Completed"
    );
    assert_eq!(
        resource(&op, "VirtualMachineIPAddress", "linux-vm")["message"],
        "the IP Address \"10.66.10.12\" cannot be used for restore: it is taken by VirtualMachineIPAddress/intruder and already in use by the different virtual machine"
    );
    assert_eq!(
        condition(&op, "Completed")["message"],
        "Restore is failed: fail to validate the resources: check the status"
    );
    let vm_after = c.get("virtualmachines", "linux-vm").expect("vm");
    assert_eq!(vm_before["spec"], vm_after["spec"]);
    assert_eq!(vm_after["status"]["phase"], "Running");
    assert!(!c.saw("virtualmachines", |vm| {
        !condition(vm, "Maintenance").is_null()
    }));

    // Strict with the same conflicts fails before touching anything.
    c.create(
        "virtualmachineoperations",
        restore("strict-bad", "linux-vm", "linux-vm-snapshot", "Strict"),
    );
    let op = c
        .phase("virtualmachineoperations", "strict-bad", "Failed")
        .await;
    assert_eq!(condition(&op, "Completed")["reason"], "OperationFailed");
    assert!(
        condition(
            &c.get("virtualmachines", "linux-vm").expect("vm"),
            "Maintenance"
        )
        .is_null()
    );
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn strict_restore_uses_maintenance_recreates_disks_and_restarts_a_running_vm() {
    let mut c = Cluster::start(0.0);
    c.phase("virtualmachinesnapshots", "linux-vm-snapshot", "Ready")
        .await;
    let snap = c
        .get("virtualmachinesnapshots", "linux-vm-snapshot")
        .expect("snap");
    let snap_uid = snap["metadata"]["uid"].as_str().expect("uid").to_string();
    c.mutate("virtualmachines", "linux-vm", |vm| {
        vm["spec"]["cpu"]["cores"] = json!(8);
        vm["metadata"]["labels"]["changed"] = json!("yes");
    });
    c.create(
        "virtualmachineoperations",
        restore("restore-1", "linux-vm", "linux-vm-snapshot", "Strict"),
    );
    let op = c
        .phase("virtualmachineoperations", "restore-1", "Completed")
        .await;
    assert_eq!(
        op["metadata"]["labels"]["virtualization.deckhouse.io/virtual-machine-uid"],
        c.get("virtualmachines", "linux-vm").expect("vm")["metadata"]["uid"]
    );
    assert!(
        c.saw("virtualmachines", |vm| vm["metadata"]["name"] == "linux-vm"
            && condition(vm, "Maintenance")["reason"]
                == "RestoreInProgress"
            && vm["status"]["phase"] == "Stopped")
    );
    assert!(c.saw("virtualmachineoperations", |o| condition(
        o,
        "MaintenanceMode"
    )["reason"]
        == "MaintenanceModeEnabled"));
    assert_eq!(
        condition(&op, "MaintenanceMode")["reason"],
        "MaintenanceModeDisabled"
    );
    assert_eq!(
        resource(&op, "VirtualDisk", "linux-vm-root")["message"],
        "Successfully processed"
    );
    let vd = c.phase("virtualdisks", "linux-vm-root", "Ready").await;
    assert_eq!(
        vd["spec"]["dataSource"]["objectRef"],
        json!({"kind": "VirtualDiskSnapshot", "name": format!("linux-vm-root-{snap_uid}")})
    );
    let vm = c.phase("virtualmachines", "linux-vm", "Running").await;
    assert_eq!(vm["spec"]["cpu"]["cores"], 2);
    assert!(vm["metadata"]["labels"].get("changed").is_none());
    assert!(condition(&vm, "Maintenance").is_null());
    assert!(
        vm["metadata"]["annotations"]
            .get("virtualization.deckhouse.io/restore-power-state")
            .is_none()
    );
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn best_effort_restore_drops_missing_images_that_strict_reports() {
    let mut c = Cluster::start(0.0);
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("win-snap", "win-vm", true, "Always"),
    );
    c.phase("virtualmachinesnapshots", "win-snap", "Ready")
        .await;
    c.store
        .delete(&gvr("virtualimages"), Some(NS), "tools-iso")
        .expect("deleted");
    c.create(
        "virtualmachineoperations",
        restore("win-dry", "win-vm", "win-snap", "DryRun"),
    );
    let op = c
        .phase("virtualmachineoperations", "win-dry", "Failed")
        .await;
    let img = resource(&op, "VirtualImage", "tools-iso");
    assert_eq!(img["status"], "Failed");
    assert!(
        img["message"]
            .as_str()
            .expect("message")
            .starts_with("the virtual image is not found")
    );
    c.create(
        "virtualmachineoperations",
        restore("win-best", "win-vm", "win-snap", "BestEffort"),
    );
    c.phase("virtualmachineoperations", "win-best", "Completed")
        .await;
    let vm = c.phase("virtualmachines", "win-vm", "Stopped").await;
    let refs = vm["spec"]["blockDeviceRefs"].as_array().expect("refs");
    assert!(refs.iter().all(|r| r["name"] != "tools-iso"), "{refs:?}");
    assert!(refs.iter().any(|r| r["name"] == "ubuntu-22-04"));
}

#[tokio::test]
async fn a_snapshot_of_a_missing_vm_fails_at_once_waiting_for_the_virtual_machine() {
    let mut c = Cluster::start(0.0);
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("of-nothing", "no-such-vm", true, "Always"),
    );
    let s = c
        .failed_snapshot("of-nothing", "WaitingForTheVirtualMachine")
        .await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    assert_eq!(
        cond["message"],
        "Cannot take a snapshot: the virtual machine \"no-such-vm\" does not exist."
    );
    assert_eq!(
        condition(&s, "VirtualMachineReady")["message"],
        "The virtual machine \"no-such-vm\" was not found."
    );
}

#[tokio::test]
async fn a_snapshot_of_a_vm_neither_running_nor_stopped_fails_as_not_ready() {
    // Real time: web-vm stays Starting for startDelay (3s).
    let mut c = Cluster::start(1.0);
    c.phase("virtualmachines", "web-vm", "Stopped").await;
    c.create(
        "virtualmachineoperations",
        vmop("start-web", "web-vm", "Start", json!({})),
    );
    c.phase("virtualmachines", "web-vm", "Starting").await;
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("while-starting", "web-vm", false, "Always"),
    );
    let s = c
        .failed_snapshot("while-starting", "WaitingForTheVirtualMachine")
        .await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    assert_eq!(
        cond["message"],
        "Cannot take a snapshot: the virtual machine \"web-vm\" is not ready."
    );
    assert_eq!(
        condition(&s, "VirtualMachineReady")["message"],
        "The virtual machine \"web-vm\" is in the \"Starting\" phase: waiting for it to reach the Running or Stopped phase."
    );
}

#[tokio::test]
async fn a_snapshot_of_a_vm_whose_block_devices_are_not_ready_fails_block_devices_not_ready() {
    // Real time: db-vm's disk provisions for 2s while the VM already runs.
    let mut c = Cluster::start(1.0);
    c.phase("virtualmachines", "db-vm", "Running").await;
    assert_eq!(
        c.get("virtualdisks", "db-vm-root").expect("vd")["status"]["phase"],
        "Provisioning"
    );
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("too-early", "db-vm", false, "Always"),
    );
    let s = c.failed_snapshot("too-early", "BlockDevicesNotReady").await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    assert_eq!(
        cond["message"],
        "Block devices not ready: waiting for the block devices of the virtual machine \"db-vm\" to be ready."
    );
}

#[tokio::test]
async fn a_ready_snapshot_turns_reason_virtual_machine_ready_into_virtual_machine_snapshot_ready() {
    let mut c = Cluster::start(0.0);
    c.until("linux-vm-snapshot VirtualMachineSnapshotReady", |s| {
        s.get(
            &gvr("virtualmachinesnapshots"),
            Some(NS),
            "linux-vm-snapshot",
        )
        .is_some_and(|o| {
            condition(&o, "VirtualMachineSnapshotReady")["reason"] == "VirtualMachineSnapshotReady"
        })
    })
    .await;
    // The first Ready transition carried reason VirtualMachineReady.
    assert!(c.saw("virtualmachinesnapshots", |o| {
        o["status"]["phase"] == "Ready"
            && condition(o, "VirtualMachineSnapshotReady")["reason"] == "VirtualMachineReady"
    }));
}

#[tokio::test]
async fn stop_and_start_fail_for_a_run_policy_that_does_not_allow_them() {
    let mut c = Cluster::start(0.0);
    c.phase("virtualmachines", "other-vm", "Running").await;
    c.phase("virtualmachines", "win-vm", "Stopped").await;
    c.create(
        "virtualmachineoperations",
        vmop("stop-always-on", "other-vm", "Stop", json!({})),
    );
    c.create(
        "virtualmachineoperations",
        vmop("start-always-off", "win-vm", "Start", json!({})),
    );
    for (op, message) in [
        (
            "stop-always-on",
            "Operation type Stop is not applicable for VirtualMachine with runPolicy AlwaysOn",
        ),
        (
            "start-always-off",
            "Operation type Start is not applicable for VirtualMachine with runPolicy AlwaysOff",
        ),
    ] {
        let got = c.phase("virtualmachineoperations", op, "Failed").await;
        let cond = condition(&got, "Completed");
        assert_eq!(cond["reason"], "NotApplicableForVirtualMachineRunPolicy");
        assert_eq!(cond["message"], message);
    }
    assert_eq!(
        c.get("virtualmachines", "other-vm").expect("vm")["status"]["phase"],
        "Running"
    );
}

#[tokio::test]
async fn a_stop_supersedes_a_start_and_a_forced_stop_supersedes_a_stop() {
    // Real time: the operations stay in progress for startDelay / stopDelay.
    let mut c = Cluster::start(1.0);
    c.phase("virtualmachines", "web-vm", "Stopped").await;
    c.create(
        "virtualmachineoperations",
        vmop("start-web", "web-vm", "Start", json!({})),
    );
    c.phase("virtualmachineoperations", "start-web", "InProgress")
        .await;
    let stop = vmop("stop-web", "web-vm", "Stop", json!({}));
    let admit_op = |c: &Cluster, op: &Value| {
        admit(
            &c.store,
            &gvr("virtualmachineoperations"),
            Operation::Create,
            op,
            None,
        )
    };
    admit_op(&c, &stop).expect("Stop supersedes Start");
    c.create("virtualmachineoperations", stop);
    let start = c
        .phase("virtualmachineoperations", "start-web", "Superseded")
        .await;
    let cond = condition(&start, "Completed");
    assert_eq!(cond["reason"], "Superseded");
    assert_eq!(cond["status"], "True");
    assert_eq!(cond["message"], "Superseded by stop-web with type Stop");
    c.phase("virtualmachineoperations", "stop-web", "Completed")
        .await;
    c.phase("virtualmachines", "web-vm", "Stopped").await;

    c.phase("virtualmachines", "linux-vm", "Running").await;
    c.create(
        "virtualmachineoperations",
        vmop("stop-linux", "linux-vm", "Stop", json!({})),
    );
    c.phase("virtualmachineoperations", "stop-linux", "InProgress")
        .await;
    let again = vmop("stop-again", "linux-vm", "Stop", json!({}));
    let denial = admit_op(&c, &again).expect_err("an unforced Stop waits");
    assert!(
        denial
            .message()
            .contains("Previously created operation \"stop-linux\" should finish first"),
        "{}",
        denial.message()
    );
    let forced = vmop("stop-now", "linux-vm", "Stop", json!({"force": true}));
    admit_op(&c, &forced).expect("a forced Stop supersedes a Stop");
    c.create("virtualmachineoperations", forced);
    c.phase("virtualmachineoperations", "stop-linux", "Superseded")
        .await;
    c.phase("virtualmachineoperations", "stop-now", "Completed")
        .await;
}

#[tokio::test]
async fn restore_from_a_snapshot_that_is_not_ready_or_missing_fails_with_the_controllers_words() {
    let mut c = Cluster::start(0.0);
    c.phase("virtualmachinesnapshots", "linux-vm-snapshot", "Ready")
        .await;
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("broken", "no-such-vm", true, "Always"),
    );
    c.phase("virtualmachinesnapshots", "broken", "Failed").await;
    c.create(
        "virtualmachineoperations",
        restore("from-broken", "linux-vm", "broken", "Strict"),
    );
    let op = c
        .phase("virtualmachineoperations", "from-broken", "Failed")
        .await;
    assert_eq!(
        condition(&op, "Completed")["message"],
        "Restore is failed: virtual machine snapshot \"broken\" is not ready to use"
    );
    c.create(
        "virtualmachineoperations",
        restore("from-nothing", "win-vm", "nothing", "Strict"),
    );
    let op = c
        .phase("virtualmachineoperations", "from-nothing", "Failed")
        .await;
    assert_eq!(
        condition(&op, "Completed")["message"],
        "Restore is failed: virtual machine snapshot \"nothing\" is not found"
    );
    assert_eq!(condition(&op, "Completed")["reason"], "OperationFailed");
}

#[tokio::test]
async fn a_ready_snapshot_whose_disk_snapshots_are_gone_fails_naming_every_lost_one() {
    let mut c = Cluster::start(0.0);
    c.phase("virtualmachinesnapshots", "linux-vm-snapshot", "Ready")
        .await;
    c.mutate("virtualmachinesnapshots", "linux-vm-snapshot", |s| {
        s["status"]["virtualDiskSnapshotNames"] = json!(["gone-1", "gone-2"]);
    });
    let s = c
        .failed_snapshot("linux-vm-snapshot", "VirtualDiskSnapshotLost")
        .await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    assert_eq!(
        cond["message"],
        "The underlying virtual disk snapshots (gone-1, gone-2) are lost."
    );
}

#[tokio::test]
async fn a_failed_disk_snapshot_fails_the_vm_snapshot_in_the_controllers_words() {
    // Real time: the disk snapshots take snapshots.duration (4s), long enough to fail one.
    let mut c = Cluster::start(1.0);
    c.phase("virtualmachines", "linux-vm", "Running").await;
    c.phase("virtualmachinesnapshots", "linux-vm-snapshot", "Ready")
        .await;
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("second", "linux-vm", true, "Always"),
    );
    let s = c
        .phase("virtualmachinesnapshots", "second", "InProgress")
        .await;
    let vds = s["status"]["virtualDiskSnapshotNames"][0]
        .as_str()
        .expect("a disk snapshot")
        .to_string();
    c.mutate("virtualdisksnapshots", &vds, |v| {
        v["status"]["phase"] = json!("Failed");
        v["status"]["conditions"] = json!([{"type": "VirtualDiskSnapshotReady", "status": "False",
            "reason": "VirtualDiskSnapshotFailed", "message": "The snapshot of the volume failed.",
            "lastTransitionTime": "2026-11-26T10:00:00Z"}]);
    });
    let s = c.phase("virtualmachinesnapshots", "second", "Failed").await;
    let cond = condition(&s, "VirtualMachineSnapshotReady");
    assert_eq!(cond["reason"], "VirtualMachineSnapshotFailed");
    assert_eq!(
        cond["message"],
        format!(
            "The virtual disk snapshot \"{vds}\" is failed: cannot take snapshot. The snapshot of the volume failed."
        )
    );
}

#[tokio::test]
async fn an_operation_on_a_vm_that_does_not_exist_fails_virtual_machine_not_found() {
    let mut c = Cluster::start(0.0);
    c.create(
        "virtualmachineoperations",
        vmop("stop-nothing", "no-such-vm", "Stop", json!({})),
    );
    let op = c
        .phase("virtualmachineoperations", "stop-nothing", "Failed")
        .await;
    let cond = condition(&op, "Completed");
    assert_eq!(cond["reason"], "VirtualMachineNotFound");
    assert_eq!(cond["message"], "VirtualMachine not found");
}

#[tokio::test]
async fn a_second_operation_on_a_vm_is_refused_at_creation_naming_the_running_one() {
    // Real time, so the Stop stays in progress (stopDelay 2s) while we try a second one.
    let mut c = Cluster::start(1.0);
    c.phase("virtualmachines", "linux-vm", "Running").await;
    c.create(
        "virtualmachineoperations",
        vmop("stop-linux", "linux-vm", "Stop", json!({})),
    );
    c.phase("virtualmachineoperations", "stop-linux", "InProgress")
        .await;
    let second = restore("restore-now", "linux-vm", "linux-vm-snapshot", "Strict");
    let denial = admit(
        &c.store,
        &gvr("virtualmachineoperations"),
        Operation::Create,
        &second,
        None,
    )
    .expect_err("refused");
    assert!(
        denial.message().contains(
            "VMOP cannot be executed now. Previously created operation \"stop-linux\" should finish first"
        ),
        "{}",
        denial.message()
    );
    // Another VM is not affected.
    let other = vmop("stop-other", "other-vm", "Stop", json!({}));
    admit(
        &c.store,
        &gvr("virtualmachineoperations"),
        Operation::Create,
        &other,
        None,
    )
    .expect("allowed");
    // Past the webhook (created directly), the controller fails the late-comer.
    c.create("virtualmachineoperations", second);
    let op = c
        .phase("virtualmachineoperations", "restore-now", "Failed")
        .await;
    assert_eq!(
        condition(&op, "Completed")["reason"],
        "NotReadyToBeExecuted"
    );
    c.phase("virtualmachineoperations", "stop-linux", "Completed")
        .await;
    c.phase("virtualmachines", "linux-vm", "Stopped").await;
    let next = vmop("start-linux", "linux-vm", "Start", json!({}));
    admit(
        &c.store,
        &gvr("virtualmachineoperations"),
        Operation::Create,
        &next,
        None,
    )
    .expect("allowed once the first finished");
}

#[tokio::test]
async fn start_and_stop_operations_drive_the_vm_phase_and_agent() {
    let mut c = Cluster::start(0.0);
    c.phase("virtualmachines", "linux-vm", "Running").await;
    c.create(
        "virtualmachineoperations",
        vmop("stop-1", "linux-vm", "Stop", json!({})),
    );
    c.phase("virtualmachineoperations", "stop-1", "Completed")
        .await;
    let vm = c.phase("virtualmachines", "linux-vm", "Stopped").await;
    assert!(condition(&vm, "AgentReady").is_null());
    c.create(
        "virtualmachineoperations",
        vmop("stop-2", "linux-vm", "Stop", json!({})),
    );
    let op = c
        .phase("virtualmachineoperations", "stop-2", "Failed")
        .await;
    assert_eq!(
        condition(&op, "Completed")["reason"],
        "NotApplicableForVirtualMachinePhase"
    );
    c.create(
        "virtualmachineoperations",
        vmop("start-1", "linux-vm", "Start", json!({})),
    );
    c.phase("virtualmachineoperations", "start-1", "Completed")
        .await;
    let vm = c.phase("virtualmachines", "linux-vm", "Running").await;
    assert_eq!(condition(&vm, "AgentReady")["status"], "True");
    let phases: Vec<&str> = vm["status"]["stats"]["phasesTransitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .filter_map(|t| t["phase"].as_str())
        .collect();
    assert!(
        phases.ends_with(&["Stopping", "Stopped", "Starting", "Running"]),
        "{phases:?}"
    );
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn clone_of_a_vm_goes_through_a_hidden_snapshot_and_renames_with_name_replacement() {
    let mut c = Cluster::start(0.0);
    c.create(
        "virtualmachineoperations",
        vmop(
            "clone-win",
            "win-vm",
            "Clone",
            json!({"clone": {
        "mode": "Strict",
        "nameReplacement": [
            {"from": {"kind": "VirtualMachine", "name": "win-vm"}, "to": "win-clone"},
            {"from": {"kind": "VirtualDisk", "name": "win-vm-root"}, "to": "win-clone-root"}]}}),
        ),
    );
    let op = c
        .phase("virtualmachineoperations", "clone-win", "Completed")
        .await;
    assert_eq!(
        resource(&op, "VirtualMachine", "win-clone")["status"],
        "Completed"
    );
    assert_eq!(
        condition(&op, "SnapshotReady")["reason"],
        "SnapshotCleanedUp"
    );
    let temp = op["metadata"]["annotations"]["virtualization.deckhouse.io/vmop-snapshot-name"]
        .as_str()
        .expect("temporary snapshot named")
        .to_string();
    assert!(temp.starts_with("vmop-clone-"));
    assert!(c.saw("virtualmachinesnapshots", |s| s["metadata"]["name"]
        == temp.as_str()
        && s["metadata"]["annotations"]["virtualization.deckhouse.io/vmop-uid"]
            == op["metadata"]["uid"]
        && s["spec"]["keepIPAddress"] == "Never"));
    c.gone("virtualmachinesnapshots", &temp).await;
    let vm = c.get("virtualmachines", "win-clone").expect("clone VM");
    let refs = vm["spec"]["blockDeviceRefs"].as_array().expect("refs");
    assert!(refs.iter().any(|r| r["name"] == "win-clone-root"));
    assert!(
        vm["metadata"].get("labels").is_none(),
        "labels are not copied"
    );
    let vd = c.phase("virtualdisks", "win-clone-root", "Ready").await;
    assert_eq!(
        vd["spec"]["dataSource"]["objectRef"]["kind"],
        "VirtualDiskSnapshot"
    );
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn clone_dry_run_reports_existing_attached_and_too_long_names() {
    let mut c = Cluster::start(0.0);
    c.until("other-vm-root attached", |s| {
        s.get(&gvr("virtualdisks"), Some(NS), "other-vm-root")
            .is_some_and(|vd| vd["status"]["attachedToVirtualMachines"].is_array())
    })
    .await;
    c.create(
        "virtualmachineoperations",
        vmop(
            "clone-dry",
            "linux-vm",
            "Clone",
            json!({"clone": {
        "mode": "DryRun",
        "nameReplacement": [
            {"from": {"kind": "VirtualMachine", "name": "linux-vm"}, "to": "other-vm"},
            {"from": {"kind": "VirtualDisk", "name": "linux-vm-root"}, "to": "other-vm-root"},
            {"from": {"kind": "VirtualDisk", "name": "linux-vm-data"}, "to": "d".repeat(59)}],
        "customization": {"nameSuffix": "-0123456789"}}}),
        ),
    );
    // With the suffix the names no longer collide; without it they would. Check both.
    let op = c
        .phase("virtualmachineoperations", "clone-dry", "Failed")
        .await;
    let long = format!("{}-0123456789", "d".repeat(59));
    assert_eq!(
        resource(&op, "VirtualDisk", &long)["message"],
        format!("name {long:?} too long (70 > 63): resource name exceeds maximum allowed length")
    );
    c.create(
        "virtualmachineoperations",
        vmop(
            "clone-dry-2",
            "linux-vm",
            "Clone",
            json!({"clone": {
        "mode": "DryRun",
        "nameReplacement": [
            {"from": {"kind": "VirtualMachine", "name": "linux-vm"}, "to": "other-vm"},
            {"from": {"kind": "VirtualDisk", "name": "linux-vm-root"}, "to": "other-vm-root"}]}}),
        ),
    );
    let op = c
        .phase("virtualmachineoperations", "clone-dry-2", "Failed")
        .await;
    assert_eq!(
        resource(&op, "VirtualMachine", "other-vm")["message"],
        "VirtualMachine with name other-vm already exists"
    );
    assert_eq!(
        resource(&op, "VirtualDisk", "other-vm-root")["message"],
        "VirtualDisk with name other-vm-root attached to VirtualMachine other-vm"
    );
    // A disk not renamed collides with the source's own disk.
    assert_eq!(
        resource(&op, "VirtualDisk", "linux-vm-data")["message"],
        "VirtualDisk with name linux-vm-data attached to VirtualMachine linux-vm"
    );
    assert!(c.get("virtualmachines", "linux-vm-data").is_none());
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn create_virtual_machine_from_a_snapshot_fails_at_once_unless_it_is_ready() {
    // Real time: a new snapshot stays InProgress for snapshots.duration (4s).
    let mut c = Cluster::start(1.0);
    // Deckhouse fails a snapshot of a VM whose disks are not Ready yet.
    c.phase("virtualdisks", "win-vm-root", "Ready").await;
    c.until("win-vm block devices ready", |s| {
        s.get(&gvr("virtualmachines"), Some(NS), "win-vm")
            .is_some_and(|v| condition(&v, "BlockDevicesReady")["status"] == "True")
    })
    .await;
    c.create(
        "virtualmachinesnapshots",
        vm_snapshot("fresh", "win-vm", true, "Never"),
    );
    c.create(
        "virtualmachinesnapshotoperations",
        vmsop(
            "from-fresh",
            "fresh",
            Some(json!({"mode": "Strict", "customization": {"nameSuffix": "-copy"}})),
        ),
    );
    let op = c
        .phase("virtualmachinesnapshotoperations", "from-fresh", "Failed")
        .await;
    let cond = condition(&op, "Completed");
    assert_eq!(cond["reason"], "NotReadyToBeExecuted");
    assert_eq!(
        cond["message"],
        "The VirtualMachineSnapshot \"fresh\" is not ready yet."
    );

    c.phase("virtualmachinesnapshots", "fresh", "Ready").await;
    c.create(
        "virtualmachinesnapshotoperations",
        vmsop("no-params", "fresh", None),
    );
    let op = c
        .phase("virtualmachinesnapshotoperations", "no-params", "Failed")
        .await;
    assert_eq!(
        condition(&op, "Completed")["message"],
        "Cannot start the clone: no parameters for the new virtual machine are specified."
    );

    c.create(
        "virtualmachinesnapshotoperations",
        vmsop(
            "dry",
            "fresh",
            Some(json!({"mode": "DryRun", "customization": {"nameSuffix": "-copy"}})),
        ),
    );
    let op = c
        .phase("virtualmachinesnapshotoperations", "dry", "Completed")
        .await;
    assert_eq!(
        condition(&op, "Completed")["message"],
        "VirtualMachineSnapshotOperation completed. The virtual machine can be cloned from the snapshot"
    );
    assert!(c.get("virtualmachines", "win-vm-copy").is_none());

    c.create(
        "virtualmachinesnapshotoperations",
        vmsop(
            "copy",
            "fresh",
            Some(json!({"mode": "Strict", "customization": {"nameSuffix": "-copy"}})),
        ),
    );
    let op = c
        .phase("virtualmachinesnapshotoperations", "copy", "Completed")
        .await;
    assert_eq!(
        resource(&op, "VirtualMachine", "win-vm-copy")["status"],
        "Completed"
    );
    assert!(c.get("virtualmachines", "win-vm-copy").is_some());
    c.phase("virtualdisks", "win-vm-root-copy", "Ready").await;
    assert_store_valid(&c.store);
}

#[tokio::test]
async fn finished_operations_beyond_ten_per_vm_are_deleted_oldest_first() {
    let mut c = Cluster::start(0.0);
    for i in 0..12 {
        c.create("virtualmachineoperations", json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2",
            "kind": "VirtualMachineOperation",
            "metadata": {"name": format!("old-{i:02}"), "namespace": NS, "creationTimestamp": format!("2026-08-20T10:00:{i:02}Z")},
            "spec": {"type": "Start", "virtualMachineName": "other-vm"},
            "status": {"phase": "Completed"}}));
    }
    c.gone("virtualmachineoperations", "old-00").await;
    c.gone("virtualmachineoperations", "old-01").await;
    let left = c.store.list(&gvr("virtualmachineoperations"), Some(NS));
    assert_eq!(left.len(), 10);
}

#[tokio::test]
async fn finished_operations_are_deleted_after_their_time_to_live() {
    // 24h scaled by 1e-5 is under a second; every other step is near-instant too.
    let mut c = Cluster::start(1e-5);
    c.phase("virtualmachines", "linux-vm", "Running").await;
    c.create(
        "virtualmachineoperations",
        vmop("stop-linux", "linux-vm", "Stop", json!({})),
    );
    c.phase("virtualmachineoperations", "stop-linux", "Completed")
        .await;
    c.gone("virtualmachineoperations", "stop-linux").await;
}

#[tokio::test]
async fn admission_keeps_specs_immutable_and_checks_operation_rules() {
    let c = Cluster::start(0.0);
    let old = c
        .get("virtualmachinesnapshots", "linux-vm-snapshot")
        .expect("snap");
    let mut changed = old.clone();
    changed["spec"]["keepIPAddress"] = json!("Never");
    let d = admit(
        &c.store,
        &gvr("virtualmachinesnapshots"),
        Operation::Update,
        &changed,
        Some(&old),
    )
    .expect_err("immutable");
    assert!(d.message().contains(
        "VirtualMachineSnapshot is an idempotent resource: specification changes are not available"
    ));
    let mut status_only = old.clone();
    status_only["status"]["phase"] = json!("Ready");
    admit(
        &c.store,
        &gvr("virtualmachinesnapshots"),
        Operation::Update,
        &status_only,
        Some(&old),
    )
    .expect("status changes are fine");

    let bad = vmop("r", "linux-vm", "Restore", json!({}));
    let d = admit(
        &c.store,
        &gvr("virtualmachineoperations"),
        Operation::Create,
        &bad,
        None,
    )
    .expect_err("no restore block");
    assert!(d.message().contains("Restore requires restore field."));
    // The docs' plural `nameReplacements` is pruned as unknown, leaving no naming at all.
    let bad = vmop(
        "c",
        "linux-vm",
        "Clone",
        json!({"clone": {"mode": "Strict"}}),
    );
    let d = admit(
        &c.store,
        &gvr("virtualmachineoperations"),
        Operation::Create,
        &bad,
        None,
    )
    .expect_err("no naming");
    assert!(d.message().contains("At least one of customization.namePrefix, customization.nameSuffix, or nameReplacement must be set"));
    let ok = vmop(
        "c",
        "linux-vm",
        "Clone",
        json!({"clone": {"mode": "Strict", "customization": {"namePrefix": "x-"}}}),
    );
    admit(
        &c.store,
        &gvr("virtualmachineoperations"),
        Operation::Create,
        &ok,
        None,
    )
    .expect("valid");
    // Other groups are not Deckhouse's business.
    let kv = json!({"metadata": {"name": "x", "namespace": NS}, "spec": {}});
    admit(
        &c.store,
        &Gvr::new("storage.k8s.io", "v1", "storageclasses"),
        Operation::Create,
        &kv,
        None,
    )
    .expect("not ours");
    let _ = EventType::Added;
}

/// The real kubectl, when installed (skipped otherwise, except under CI=true).
fn kubectl() -> Option<PathBuf> {
    vmsnap_sim::testing::kubectl()
}

async fn run_kubectl(
    bin: &std::path::Path,
    kubeconfig: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(bin);
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(kubeconfig.with_extension("cache"))
        .args(args)
        .env_remove("KUBECONFIG")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("kubectl runs");
        if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).expect("stdin written");
        }
        child.wait_with_output().expect("kubectl finishes")
    })
    .await
    .expect("joined")
}

#[tokio::test]
async fn kubectl_sees_deckhouse_kinds_refuses_the_docs_plural_and_a_second_operation() {
    let Some(bin) = kubectl() else { return };
    let sim = vmsnap_sim::Sim::start(vmsnap_sim::SimConfig {
        scenarios: vec![scenario_dir()],
        time_scale: 1.0,
        ..vmsnap_sim::SimConfig::empty()
    })
    .await
    .expect("simulator starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = dir.path().join("admin.kubeconfig");
    sim.write_kubeconfig(&kc, "admin", NS).expect("kubeconfig");

    let out = run_kubectl(
        &bin,
        &kc,
        &["get", "virtualmachinesnapshots.virtualization.deckhouse.io"],
        None,
    )
    .await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        table.contains("CONSISTENT") && table.contains("linux-vm-snapshot"),
        "{table}"
    );

    // Deckhouse alone on the cluster: its short names resolve (`vms` is VM snapshots here).
    let out = run_kubectl(&bin, &kc, &["get", "vms,vd,vmip", "-o", "name"], None).await;
    let names = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        names.contains("virtualmachinesnapshot.virtualization.deckhouse.io/linux-vm-snapshot")
            && names.contains("virtualdisk.virtualization.deckhouse.io/linux-vm-root"),
        "{names}"
    );

    // The docs' `nameReplacements` (plural) is an unknown field for strict validation, which
    // needs the reference schema (a user's clone has none).
    let docs_clone = "apiVersion: virtualization.deckhouse.io/v1alpha2\nkind: VirtualMachineOperation\n\
        metadata: {name: clone-docs, namespace: my-project}\n\
        spec:\n  type: Clone\n  virtualMachineName: win-vm\n  clone:\n    mode: Strict\n    nameReplacements:\n    - from: {kind: VirtualMachine, name: win-vm}\n      to: win-2\n";
    if vmsnap_sim::testing::reference_schemas("deckhouse").is_some() {
        let out = run_kubectl(&bin, &kc, &["create", "-f", "-"], Some(docs_clone)).await;
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("unknown field \"spec.clone.nameReplacements\""),
            "{err}"
        );
    }

    // One operation per VM: the second is refused naming the first.
    let mut events = sim.store().subscribe();
    let stop = "apiVersion: virtualization.deckhouse.io/v1alpha2\nkind: VirtualMachineOperation\n\
        metadata: {name: stop-linux, namespace: my-project}\nspec: {type: Stop, virtualMachineName: linux-vm}\n";
    let started = async {
        while !sim
            .store()
            .get(&gvr("virtualmachines"), Some(NS), "linux-vm")
            .is_some_and(|vm| vm["status"]["phase"] == "Running")
        {
            let _ = events.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), started)
        .await
        .expect("linux-vm running");
    let out = run_kubectl(&bin, &kc, &["create", "-f", "-"], Some(stop)).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restore = "apiVersion: virtualization.deckhouse.io/v1alpha2\nkind: VirtualMachineOperation\n\
        metadata: {name: restore-linux, namespace: my-project}\n\
        spec:\n  type: Restore\n  virtualMachineName: linux-vm\n  restore: {mode: DryRun, virtualMachineSnapshotName: linux-vm-snapshot}\n";
    let out = run_kubectl(&bin, &kc, &["create", "-f", "-"], Some(restore)).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Previously created operation \"stop-linux\" should finish first"),
        "{err}"
    );
    let out = run_kubectl(
        &bin,
        &kc,
        &[
            "get",
            "virtualmachineoperations.virtualization.deckhouse.io",
        ],
        None,
    )
    .await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("stop-linux") && table.contains("Stop") && !table.contains("restore-linux"),
        "{table}"
    );
}
