//! The simulated VMware VM Operator: snapshot conditions and the tree, serialised creation,
//! scripted failures, revert through `spec.currentSnapshotName`, deletion re-parenting,
//! Unmanaged nodes, the admission webhooks, and the vmoperator scenario validating against
//! the real CRD schemas. Waits are on store events, with a timeout only as a safety net.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;
use vmsnap_sim::controllers::admission::{self, Operation};
use vmsnap_sim::controllers::vmoperator::{
    self, CREATED, CSI_SYNCED, READY, REVERT_IN_PROGRESS, REVERT_SUCCEEDED, VM_NAME_LABEL,
    snapshot_gvr, vm_gvr,
};
use vmsnap_sim::controllers::{self, ControllerConfig, vmoperator_admission};
use vmsnap_sim::schema;
use vmsnap_sim::store::{Event, Gvr, Store};
use vmsnap_sim::{Registry, Scenario, Sim, SimConfig};

mod protocol_support;
use protocol_support::Client;

const NS: &str = "dev-team";

fn vm(name: &str, power: &str) -> Value {
    json!({"apiVersion": "vmoperator.vmware.com/v1alpha5", "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"className": "best-effort-small", "imageName": "ubuntu-24.04-server",
                 "storageClass": "wcpglobal-storage-profile", "powerState": power},
        "status": {"storage": {"requested": {"disks": "20Gi"}}}})
}

fn snap(name: &str, vm: &str, memory: bool) -> Value {
    json!({"apiVersion": "vmoperator.vmware.com/v1alpha5", "kind": "VirtualMachineSnapshot",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"vmName": vm, "memory": memory, "quiesce": {"timeout": "10m"}}})
}

fn cond<'a>(obj: &'a Value, type_: &str) -> &'a Value {
    obj["status"]["conditions"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["type"] == type_))
        .unwrap_or(&Value::Null)
}

fn is_true(obj: &Value, type_: &str) -> bool {
    cond(obj, type_)["status"] == "True"
}

fn refs(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| json!({"type": "Managed", "name": n}))
            .collect(),
    )
}

struct Cluster {
    store: Store,
    events: broadcast::Receiver<Event>,
    _controllers: Vec<tokio::task::JoinHandle<()>>,
}

impl Cluster {
    /// VMs web-01 (on), db-01 (on, no VMware Tools), off-01 (off), tkc-node (VKS node), then
    /// the controllers (instant unless `yaml` sets a time scale) with `yaml` config.
    fn start(yaml: &str) -> Cluster {
        let store = Store::new();
        let events = store.subscribe();
        store
            .create(
                &Gvr::new("", "v1", "namespaces"),
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
            )
            .expect("namespace");
        let mut node = vm("tkc-node", "PoweredOn");
        node["metadata"]["labels"] = json!({"capv.vmware.com/cluster.role": "node"});
        for v in [
            vm("web-01", "PoweredOn"),
            vm("db-01", "PoweredOn"),
            vm("off-01", "PoweredOff"),
            node,
        ] {
            store.create(&vm_gvr(), v).expect("vm");
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

    fn vm(&self, name: &str) -> Value {
        self.store
            .get(&vm_gvr(), Some(NS), name)
            .expect("vm exists")
    }

    fn snap(&self, name: &str) -> Option<Value> {
        self.store.get(&snapshot_gvr(), Some(NS), name)
    }

    fn create(&self, obj: Value) {
        self.store.create(&snapshot_gvr(), obj).expect("created");
    }

    /// Waits until `pred` holds over the store, on store events.
    async fn until(&mut self, what: &str, pred: impl Fn(&Store) -> bool) {
        let fut = async {
            while !pred(&self.store) {
                match self.events.recv().await {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => panic!("store closed"),
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(20), fut)
            .await
            .is_err()
        {
            panic!(
                "timed out waiting for {what}: {:#}",
                json!(self.store.list(&snapshot_gvr(), Some(NS)))
            );
        }
    }

    async fn ready(&mut self, name: &str) -> Value {
        let n = name.to_string();
        self.until(&format!("{name} Ready"), move |s| {
            s.get(&snapshot_gvr(), Some(NS), &n)
                .is_some_and(|o| is_true(&o, READY))
        })
        .await;
        self.snap(name).expect("present")
    }

    async fn vm_until(&mut self, name: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let n = name.to_string();
        self.until(what, move |s| {
            s.get(&vm_gvr(), Some(NS), &n).is_some_and(|v| pred(&v))
        })
        .await;
        self.vm(name)
    }
}

#[tokio::test]
async fn a_snapshot_passes_created_csi_synced_ready_and_records_what_vsphere_reports() {
    let mut c = Cluster::start("{}");
    c.create(snap("s1", "web-01", true));
    let s = c.ready("s1").await;
    for t in [CREATED, CSI_SYNCED, READY] {
        assert_eq!(cond(&s, t)["reason"], "True", "{t}");
        assert_eq!(cond(&s, t)["message"], "", "{t}");
    }
    let types: Vec<&str> = s["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, [CSI_SYNCED, CREATED, READY], "sorted by type");
    assert_eq!(s["metadata"]["labels"][VM_NAME_LABEL], "web-01");
    assert_eq!(s["metadata"]["finalizers"], json!([vmoperator::FINALIZER]));
    let owner = &s["metadata"]["ownerReferences"][0];
    assert_eq!(owner["kind"], "VirtualMachine");
    assert_eq!(owner["uid"], c.vm("web-01")["metadata"]["uid"]);
    assert_eq!(
        s["metadata"]["annotations"][vmoperator::CSI_SYNC],
        "completed"
    );
    assert_eq!(s["status"]["powerState"], "PoweredOn", "memory included");
    assert_eq!(s["status"]["quiesced"], true);
    assert!(
        s["status"]["uniqueID"]
            .as_str()
            .unwrap()
            .starts_with("snapshot-")
    );
    assert_eq!(
        s["status"]["storage"]["requested"],
        json!([{"storageClass": "wcpglobal-storage-profile", "total": "24Gi"}]),
        "20Gi of disks and 4Gi of memory"
    );
    assert!(
        s["status"]["storage"]["used"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let vm = c.vm("web-01");
    assert_eq!(vm["status"]["rootSnapshots"], refs(&["s1"]));
    assert_eq!(
        vm["status"]["currentSnapshot"],
        json!({"type": "Managed", "name": "s1"})
    );
    assert_eq!(vm["status"]["powerState"], "PoweredOn");
    assert!(
        vm["status"]["uniqueID"]
            .as_str()
            .unwrap()
            .starts_with("vm-")
    );
    assert!(is_true(&vm, vmoperator::TOOLS));
    assert_ne!(vm["status"]["storage"]["usage"]["snapshots"]["vm"], "0");
}

#[tokio::test]
async fn without_memory_a_snapshot_of_a_running_vm_is_powered_off_and_tools_are_reported() {
    let mut c = Cluster::start("vmoperator: { vms: { db-01: { tools: false } } }");
    c.create(snap("s1", "web-01", false));
    let s = c.ready("s1").await;
    assert_eq!(s["status"]["powerState"], "PoweredOff");
    assert_eq!(
        s["status"]["storage"]["requested"][0]["total"], "20Gi",
        "no memory reserved"
    );
    let db = c
        .vm_until("db-01", "tools reported", |v| {
            !cond(v, vmoperator::TOOLS).is_null()
        })
        .await;
    assert_eq!(cond(&db, vmoperator::TOOLS)["status"], "False");
    assert_eq!(
        cond(&db, vmoperator::TOOLS)["message"],
        "VMware Tools is not running"
    );
    let off = c
        .vm_until("off-01", "power reported", |v| {
            v["status"]["powerState"].is_string()
        })
        .await;
    assert_eq!(off["status"]["powerState"], "PoweredOff");
}

#[tokio::test]
async fn new_snapshots_are_children_of_the_current_one_and_a_revert_then_snapshot_branches() {
    let mut c = Cluster::start("{}");
    c.create(snap("a", "web-01", true));
    c.ready("a").await;
    c.create(snap("b", "web-01", false));
    c.ready("b").await;
    c.create(snap("c", "web-01", true));
    c.ready("c").await;
    assert_eq!(c.snap("a").unwrap()["status"]["children"], refs(&["b"]));
    assert_eq!(c.snap("b").unwrap()["status"]["children"], refs(&["c"]));
    assert_eq!(c.vm("web-01")["status"]["rootSnapshots"], refs(&["a"]));

    // What the VM looked like at `a` comes back with the revert.
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["spec"]["className"] = json!("best-effort-large");
            v["metadata"]["labels"] = json!({"tier": "changed-after-a"});
        })
        .unwrap();
    // Revert to a (taken with memory: the VM stays on), then snapshot again: a branch.
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["spec"]["currentSnapshotName"] = json!("a")
        })
        .unwrap();
    let vm = c
        .vm_until("web-01", "reverted to a", |v| {
            v["status"]["currentSnapshot"]["name"] == "a"
                && v["spec"].get("currentSnapshotName").is_none()
        })
        .await;
    assert!(
        cond(&vm, REVERT_SUCCEEDED).is_null(),
        "no condition in the steady state"
    );
    assert!(
        vm["metadata"]["annotations"]
            .get(REVERT_IN_PROGRESS)
            .is_none()
    );
    assert_eq!(vm["spec"]["powerState"], "PoweredOn");
    assert_eq!(
        vm["spec"]["className"], "best-effort-small",
        "spec as saved in a"
    );
    assert!(
        vm["metadata"]["labels"].get("tier").is_none(),
        "labels as saved in a"
    );
    assert_eq!(
        vm["status"]["rootSnapshots"],
        refs(&["a"]),
        "the tree survives"
    );
    c.create(snap("d", "web-01", false));
    c.ready("d").await;
    assert_eq!(
        c.snap("a").unwrap()["status"]["children"],
        refs(&["b", "d"])
    );
    assert_eq!(c.vm("web-01")["status"]["currentSnapshot"]["name"], "d");

    // Reverting to a snapshot taken without memory leaves the VM powered off.
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["spec"]["currentSnapshotName"] = json!("b")
        })
        .unwrap();
    let vm = c
        .vm_until("web-01", "reverted to b", |v| {
            v["status"]["currentSnapshot"]["name"] == "b"
        })
        .await;
    assert_eq!(vm["spec"]["powerState"], "PoweredOff");
    assert_eq!(vm["status"]["powerState"], "PoweredOff");
}

#[tokio::test]
async fn creation_is_one_at_a_time_oldest_first_and_a_failed_snapshot_blocks_newer_ones() {
    let mut c = Cluster::start(
        r#"vmoperator: { snapshots: { first: { outcome: Failed, message: "failed to create snapshot: quiesce failed" } } }"#,
    );
    let mut first = snap("first", "web-01", false);
    first["metadata"]["creationTimestamp"] = json!("2026-11-01T00:00:00Z");
    let mut second = snap("second", "web-01", false);
    second["metadata"]["creationTimestamp"] = json!("2026-11-01T00:00:05Z");
    // The newer one arrives first: it still waits for the older.
    c.create(second);
    c.create(first);
    // Retried for ever (it keeps failing), so the failure is caught as it is written.
    c.until("first failed", |s| {
        s.get(&snapshot_gvr(), Some(NS), "first").is_some_and(|o| {
            cond(&o, CREATED)["reason"] == "VirtualMachineSnapshotCreationFailed"
                && cond(&o, CREATED)["message"]
                    == "failed to create snapshot for VM: failed to create snapshot: quiesce failed"
                && cond(&o, READY)["reason"] == "VirtualMachineSnapshotWaitingForCreation"
        })
    })
    .await;
    // Another VM is not held up by web-01's queue.
    c.create(snap("other", "db-01", false));
    c.ready("other").await;
    let s = c.snap("second").unwrap();
    assert!(cond(&s, CREATED).is_null(), "second waits: {s:#}");
    assert_eq!(
        cond(&s, READY)["message"],
        "Snapshot is not ready because it doesn't have created condition"
    );
    // Deleting the failed one lets the queue move.
    c.store.delete(&snapshot_gvr(), Some(NS), "first").unwrap();
    c.ready("second").await;
    assert!(c.snap("first").is_none());
    assert_eq!(c.vm("web-01")["status"]["rootSnapshots"], refs(&["second"]));
}

#[tokio::test]
async fn a_failed_snapshot_is_retried_oldest_first_and_newer_ones_follow_once_it_succeeds() {
    let mut c =
        Cluster::start("vmoperator: { snapshots: { flaky: { outcome: Failed, failures: 2 } } }");
    let mut flaky = snap("flaky", "web-01", false);
    flaky["metadata"]["creationTimestamp"] = json!("2026-11-01T00:00:00Z");
    let mut later = snap("later", "web-01", false);
    later["metadata"]["creationTimestamp"] = json!("2026-11-01T00:00:05Z");
    c.create(later);
    c.create(flaky);
    // Two failed attempts, then the third succeeds; only then is `later` taken.
    c.ready("flaky").await;
    c.ready("later").await;
    let vm = c.vm("web-01");
    assert_eq!(vm["status"]["rootSnapshots"], refs(&["flaky"]));
    assert_eq!(
        c.snap("flaky").unwrap()["status"]["children"],
        refs(&["later"])
    );
}

#[tokio::test]
async fn a_snapshot_left_creation_failed_is_taken_again() {
    let mut c = Cluster::start("{}");
    let mut s = snap("old-failure", "off-01", false);
    s["status"] = json!({"conditions": [{"type": CREATED, "status": "False",
        "reason": "VirtualMachineSnapshotCreationFailed", "message": "failed to create snapshot for VM: host busy",
        "lastTransitionTime": "2026-11-01T00:00:00Z"}]});
    c.create(s);
    let s = c.ready("old-failure").await;
    assert!(is_true(&s, CREATED), "{s:#}");
}

#[tokio::test]
async fn a_snapshot_of_a_vm_that_does_not_exist_gets_its_finalizer_and_waits_for_creation() {
    let mut c = Cluster::start("{}");
    c.create(snap("early", "not-yet", false));
    c.until("finalizer and WaitingForCreation", |s| {
        s.get(&snapshot_gvr(), Some(NS), "early").is_some_and(|o| {
            o["metadata"]["finalizers"] == json!([vmoperator::FINALIZER])
                && cond(&o, READY)["reason"] == vmoperator::WAITING_FOR_CREATION
        })
    })
    .await;
    let s = c.snap("early").unwrap();
    assert_eq!(s["metadata"]["labels"][VM_NAME_LABEL], "not-yet");
    assert_eq!(
        cond(&s, READY)["message"],
        "Snapshot is not ready because it doesn't have created condition"
    );
    assert!(cond(&s, CREATED).is_null(), "never attempted: {s:#}");
    assert!(s["metadata"].get("ownerReferences").is_none(), "{s:#}");
    // The VM appears: the snapshot is adopted and taken.
    c.store
        .create(&vm_gvr(), vm("not-yet", "PoweredOff"))
        .unwrap();
    let s = c.ready("early").await;
    assert_eq!(s["metadata"]["ownerReferences"][0]["name"], "not-yet");
}

#[tokio::test]
async fn a_revert_to_a_snapshot_without_a_vm_manifest_fails_invalid_vm_manifest_and_blocks_the_vm()
{
    let mut c = Cluster::start("vmoperator: { snapshots: { bare: { withoutExtraConfig: true } } }");
    c.create(snap("bare", "web-01", false));
    c.ready("bare").await;
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["metadata"]["labels"] = json!({"tier": "kept"});
            v["spec"]["currentSnapshotName"] = json!("bare")
        })
        .unwrap();
    let vm = c
        .vm_until("web-01", "InvalidVMManifest", |v| {
            cond(v, REVERT_SUCCEEDED)["reason"] == vmoperator::INVALID_VM_MANIFEST
        })
        .await;
    assert_eq!(
        cond(&vm, REVERT_SUCCEEDED)["message"],
        "failed to restore vm spec and metadata from snapshot: no VM YAML in snapshot config"
    );
    assert_eq!(vm["metadata"]["annotations"][REVERT_IN_PROGRESS], "");
    assert_eq!(vm["metadata"]["labels"]["tier"], "kept", "nothing restored");
    // Blocked like a failed task: a new snapshot waits until the annotation is removed.
    c.create(snap("next", "web-01", false));
    c.create(snap("probe", "db-01", false));
    c.ready("probe").await;
    assert!(cond(&c.snap("next").unwrap(), CREATED).is_null());
}

#[tokio::test]
async fn a_revert_to_an_imported_snapshot_restores_no_labels_or_annotations() {
    let mut c =
        Cluster::start("vmoperator: { snapshots: { imported: { withoutExtraConfig: true } } }");
    let mut s = snap("imported", "web-01", false);
    s["metadata"]["annotations"] = json!({vmoperator::IMPORTED_SNAPSHOT: ""});
    c.create(s);
    c.ready("imported").await;
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["metadata"]["labels"] = json!({"tier": "gone-after-revert"});
            v["spec"]["currentSnapshotName"] = json!("imported")
        })
        .unwrap();
    let vm = c
        .vm_until("web-01", "reverted", |v| {
            v["status"]["currentSnapshot"]["name"] == "imported"
                && v["spec"].get("currentSnapshotName").is_none()
        })
        .await;
    assert_eq!(vm["metadata"]["labels"], json!({}));
    assert!(cond(&vm, REVERT_SUCCEEDED).is_null());
}

#[tokio::test]
async fn scripted_waits_show_in_progress_disk_registration_and_csi_sync() {
    let mut c = Cluster::start(
        "vmoperator: { snapshots: { stuck: { outcome: Stuck }, disks: { outcome: WaitingForDiskRegistration }, csi: { outcome: CsiStuck } } }",
    );
    c.create(snap("stuck", "web-01", false));
    c.create(snap("disks", "db-01", false));
    c.create(snap("csi", "off-01", false));
    c.until("all three waiting", |s| {
        let get = |n: &str| s.get(&snapshot_gvr(), Some(NS), n).unwrap_or(Value::Null);
        cond(&get("stuck"), CREATED)["reason"] == "VirtualMachineSnapshotCreationInProgress"
            && cond(&get("disks"), READY)["reason"]
                == "VirtualMachineSnapshotWaitingForDiskRegistration"
            && cond(&get("csi"), READY)["reason"] == "VirtualMachineSnapshotWaitingForCSISync"
    })
    .await;
    let stuck = c.snap("stuck").unwrap();
    assert_eq!(cond(&stuck, CREATED)["message"], "snapshot in progress");
    let csi = c.snap("csi").unwrap();
    assert_eq!(
        cond(&csi, CSI_SYNCED)["message"],
        "Sync CSI volume requested"
    );
    assert_eq!(
        csi["metadata"]["annotations"][vmoperator::CSI_SYNC],
        "requested"
    );
    assert_eq!(
        cond(&c.snap("disks").unwrap(), CREATED)["message"],
        "Snapshot cannot be created until all unmanaged disk registrations complete"
    );
}

#[tokio::test]
async fn reverts_to_a_missing_unready_or_foreign_snapshot_fail_and_clearing_the_field_clears_the_condition()
 {
    let mut c = Cluster::start("vmoperator: { snapshots: { pending: { outcome: Stuck } } }");
    c.create(snap("theirs", "db-01", false));
    c.ready("theirs").await;
    c.create(snap("pending", "off-01", false));
    let cases = [
        (
            "missing",
            "VirtualMachineSnapshotRevertFailed",
            r#"failed to get snapshot object "missing": virtualmachinesnapshots.vmoperator.vmware.com "missing" not found"#,
        ),
        (
            "theirs",
            "VirtualMachineSnapshotRevertFailed",
            r#"failed to find vSphere snapshot "theirs": %!w(<nil>)"#,
        ),
        (
            "pending",
            "VirtualMachineSnapshotRevertSkipped",
            r#"skipping revert for not-ready snapshot "pending""#,
        ),
    ];
    for (target, reason, message) in cases {
        c.store
            .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
                v["spec"]["currentSnapshotName"] = json!(target)
            })
            .unwrap();
        let vm = c
            .vm_until("web-01", reason, |v| {
                cond(v, REVERT_SUCCEEDED)["reason"] == reason
                    && cond(v, REVERT_SUCCEEDED)["message"] == message
            })
            .await;
        assert!(
            vm["metadata"]["annotations"]
                .get(REVERT_IN_PROGRESS)
                .is_none()
        );
        c.store
            .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
                v["spec"]
                    .as_object_mut()
                    .unwrap()
                    .remove("currentSnapshotName");
            })
            .unwrap();
        c.vm_until("web-01", "condition cleared", |v| {
            cond(v, REVERT_SUCCEEDED).is_null()
        })
        .await;
    }
}

#[tokio::test]
async fn a_failed_revert_task_leaves_the_annotation_which_blocks_the_vm_until_removed() {
    let mut c = Cluster::start("vmoperator: { reverts: { web-01: { outcome: TaskFailed } } }");
    c.create(snap("a", "web-01", false));
    c.ready("a").await;
    c.create(snap("b", "web-01", false));
    c.ready("b").await;
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["spec"]["currentSnapshotName"] = json!("a")
        })
        .unwrap();
    let vm = c
        .vm_until("web-01", "revert task failed", |v| {
            cond(v, REVERT_SUCCEEDED)["reason"] == "VirtualMachineSnapshotRevertTaskFailed"
        })
        .await;
    assert_eq!(
        cond(&vm, REVERT_SUCCEEDED)["message"],
        vmoperator::CSI_CROSSING
    );
    assert_eq!(vm["metadata"]["annotations"][REVERT_IN_PROGRESS], "");
    assert_eq!(vm["status"]["currentSnapshot"]["name"], "b", "not reverted");

    // Clearing only the field is not enough: the VM stays blocked, new snapshots wait.
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["spec"]
                .as_object_mut()
                .unwrap()
                .remove("currentSnapshotName");
        })
        .unwrap();
    c.create(snap("c", "web-01", false));
    c.create(snap("probe", "db-01", false));
    c.ready("probe").await;
    assert!(cond(&c.snap("c").unwrap(), CREATED).is_null(), "blocked");
    assert_eq!(
        cond(&c.vm("web-01"), REVERT_SUCCEEDED)["reason"],
        "VirtualMachineSnapshotRevertTaskFailed"
    );
    // The documented fix: remove the annotation too.
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["metadata"]["annotations"]
                .as_object_mut()
                .unwrap()
                .remove(REVERT_IN_PROGRESS);
        })
        .unwrap();
    c.ready("c").await;
    assert!(cond(&c.vm("web-01"), REVERT_SUCCEEDED).is_null());
}

#[tokio::test]
async fn deleting_a_snapshot_re_parents_its_children_and_moves_current_to_the_parent() {
    let mut c = Cluster::start("{}");
    for n in ["s1", "s2", "s3"] {
        c.create(snap(n, "web-01", false));
        c.ready(n).await;
    }
    c.store.delete(&snapshot_gvr(), Some(NS), "s2").unwrap();
    c.until("s2 gone", |s| {
        s.get(&snapshot_gvr(), Some(NS), "s2").is_none()
    })
    .await;
    assert_eq!(c.snap("s1").unwrap()["status"]["children"], refs(&["s3"]));
    // Deleting the current snapshot makes its parent current.
    c.store.delete(&snapshot_gvr(), Some(NS), "s3").unwrap();
    let vm = c
        .vm_until("web-01", "current moved to s1", |v| {
            v["status"]["currentSnapshot"]["name"] == "s1"
        })
        .await;
    assert_eq!(c.snap("s1").unwrap()["status"]["children"], json!([]));
    // Deleting the root with children makes them roots.
    c.create(snap("s4", "web-01", false));
    c.ready("s4").await;
    c.store.delete(&snapshot_gvr(), Some(NS), "s1").unwrap();
    let vm2 = c
        .vm_until("web-01", "s4 a root", |v| {
            v["status"]["rootSnapshots"] == refs(&["s4"])
        })
        .await;
    assert_eq!(vm2["status"]["currentSnapshot"]["name"], "s4");
    assert_eq!(vm["status"]["rootSnapshots"], refs(&["s1"]));
}

#[tokio::test]
async fn deleting_the_vm_collects_its_snapshots() {
    let mut c = Cluster::start("{}");
    c.create(snap("s1", "off-01", false));
    c.ready("s1").await;
    c.store.delete(&vm_gvr(), Some(NS), "off-01").unwrap();
    c.until("snapshot collected", |s| {
        s.get(&snapshot_gvr(), Some(NS), "s1").is_none()
    })
    .await;
}

#[tokio::test]
async fn a_vcenter_snapshot_shows_as_an_unmanaged_node_under_the_current_one() {
    let mut c = Cluster::start("{}");
    c.create(snap("s1", "web-01", false));
    c.ready("s1").await;
    c.store
        .mutate(&vm_gvr(), Some(NS), "web-01", |v| {
            v["metadata"]["annotations"] = json!({vmoperator::VCENTER_SNAPSHOT: "backup"})
        })
        .unwrap();
    let vm = c
        .vm_until("web-01", "unmanaged current", |v| {
            v["status"]["currentSnapshot"]["type"] == "Unmanaged"
        })
        .await;
    assert_eq!(
        vm["status"]["currentSnapshot"],
        json!({"type": "Unmanaged", "name": ""})
    );
    assert_eq!(
        c.snap("s1").unwrap()["status"]["children"],
        json!([{"type": "Unmanaged", "name": ""}])
    );
}

#[tokio::test]
async fn a_snapshot_of_a_vks_node_that_slipped_past_admission_is_never_taken() {
    let mut c = Cluster::start("{}");
    c.create(snap("node-snap", "tkc-node", false));
    c.create(snap("probe", "tkc-node-other", false));
    c.create(snap("ok", "web-01", false));
    c.ready("ok").await;
    let s = c.snap("node-snap").unwrap();
    assert!(cond(&s, CREATED).is_null());
    assert_eq!(
        cond(&s, READY)["reason"],
        "VirtualMachineSnapshotWaitingForCreation"
    );
}

fn denial(
    store: &Store,
    gvr: &Gvr,
    op: Operation,
    obj: &Value,
    old: Option<&Value>,
) -> Option<String> {
    admission::admit(store, gvr, op, obj, old)
        .err()
        .map(|d| d.message())
}

#[test]
fn the_webhooks_refuse_vks_nodes_missing_or_changed_vm_names_and_a_second_revert() {
    let store = Store::new();
    let mut node = vm("tkc-node", "PoweredOn");
    node["metadata"]["labels"] = json!({"capw.vmware.com/cluster.role": "controlplane"});
    store.create(&vm_gvr(), node.clone()).unwrap();
    store.create(&vm_gvr(), vm("web-01", "PoweredOn")).unwrap();
    let mut shared = vm("shared", "PoweredOn");
    shared["spec"]["hardware"] =
        json!({"scsiControllers": [{"busNumber": 1, "sharingMode": "Physical"}]});
    store.create(&vm_gvr(), shared).unwrap();
    let sg = snapshot_gvr();
    let create = |o: &Value| denial(&store, &sg, Operation::Create, o, None);
    let hook = "admission webhook \"default.validating.virtualmachinesnapshot.v1alpha6.vmoperator.vmware.com\" denied the request: ";
    assert_eq!(
        create(&snap("s", "tkc-node", false)).unwrap(),
        format!("{hook}spec.vmName: Forbidden: snapshots are not allowed for VKS/TKG nodes")
    );
    assert_eq!(
        create(&snap("s", "", false)).unwrap(),
        format!("{hook}spec.vmName: Required value: vmName must be provided")
    );
    assert_eq!(
        create(&snap("s", "shared", false)).unwrap(),
        format!(
            "{hook}spec.vmName: Unsupported value: \"controller type SCSIControllers bus 1 is using unsupported sharingMode for snapshot: Physical\": supported values: \"None\""
        )
    );
    let mut mislabelled = snap("s", "web-01", false);
    mislabelled["metadata"]["labels"] = json!({VM_NAME_LABEL: "db-01"});
    assert_eq!(
        create(&mislabelled).unwrap(),
        format!(
            "{hook}metadata.labels[{VM_NAME_LABEL}]: Invalid value: \"db-01\": must match spec.vmName \"web-01\""
        )
    );
    assert_eq!(create(&snap("s", "web-01", true)), None);
    assert_eq!(create(&snap("s", "not-yet-created", true)), None);

    let old = snap("s", "web-01", false);
    let mut changed = old.clone();
    changed["spec"]["memory"] = json!(true);
    changed["spec"]["description"] = json!("new words");
    assert_eq!(
        denial(&store, &sg, Operation::Update, &changed, Some(&old)).unwrap(),
        format!("{hook}spec.memory: Invalid value: true: field is immutable")
    );
    // The VM name label is checked on update too: it may not name another VM.
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"] = json!({VM_NAME_LABEL: "db-01"});
    assert_eq!(
        denial(&store, &sg, Operation::Update, &relabelled, Some(&old)).unwrap(),
        format!(
            "{hook}metadata.labels[{VM_NAME_LABEL}]: Invalid value: \"db-01\": must match spec.vmName \"web-01\""
        )
    );
    let mut described = old.clone();
    described["spec"]["description"] = json!("only the description");
    assert_eq!(
        denial(&store, &sg, Operation::Update, &described, Some(&old)),
        None
    );

    let vg = vm_gvr();
    let vm_hook = "admission webhook \"default.validating.virtualmachine.v1alpha6.vmoperator.vmware.com\" denied the request: ";
    let mut reverting = vm("web-01", "PoweredOn");
    reverting["spec"]["currentSnapshotName"] = json!("a");
    assert_eq!(
        denial(&store, &vg, Operation::Create, &reverting, None).unwrap(),
        format!(
            "{vm_hook}spec.currentSnapshotName: Forbidden: creating VM with current snapshot is not allowed"
        )
    );
    let base = vm("web-01", "PoweredOn");
    assert_eq!(
        denial(&store, &vg, Operation::Update, &reverting, Some(&base)),
        None
    );
    let mut other = reverting.clone();
    other["spec"]["currentSnapshotName"] = json!("b");
    assert_eq!(
        denial(&store, &vg, Operation::Update, &other, Some(&reverting)).unwrap(),
        format!(
            "{vm_hook}spec.currentSnapshotName: Forbidden: a snapshot revert is already in progress"
        )
    );
    let mut blank = base.clone();
    blank["spec"]["currentSnapshotName"] = json!("  ");
    assert_eq!(
        denial(&store, &vg, Operation::Update, &blank, Some(&base)).unwrap(),
        format!(
            "{vm_hook}spec.currentSnapshotName: Invalid value: \"  \": currentSnapshotName cannot be empty"
        )
    );
    let mut node_revert = node.clone();
    node_revert["spec"]["currentSnapshotName"] = json!("a");
    assert_eq!(
        denial(&store, &vg, Operation::Update, &node_revert, Some(&node)).unwrap(),
        format!(
            "{vm_hook}spec.currentSnapshotName: Forbidden: snapshot revert is not allowed for VKS nodes"
        )
    );
}

#[test]
fn the_mutating_webhook_labels_a_new_snapshot_with_its_vm() {
    let mut s = snap("s", "web-01", false);
    vmoperator_admission::mutate(&snapshot_gvr(), Operation::Create, &mut s);
    assert_eq!(s["metadata"]["labels"][VM_NAME_LABEL], "web-01");
    let mut kubevirt = s.clone();
    kubevirt["metadata"]["labels"] = json!({});
    vmoperator_admission::mutate(
        &Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
        Operation::Create,
        &mut kubevirt,
    );
    assert_eq!(
        kubevirt["metadata"]["labels"],
        json!({}),
        "other groups untouched"
    );
}

fn schema_dir() -> Option<PathBuf> {
    vmsnap_sim::testing::reference_schemas("vm-operator")
}

/// Schema problems of every VM Operator object in `objects`, checked against the version
/// its apiVersion names.
fn invalid(schemas: &BTreeMap<(String, String), Arc<Value>>, objects: &[Value]) -> Vec<String> {
    let mut bad = Vec::new();
    for obj in objects {
        let key = (
            obj["apiVersion"].as_str().unwrap_or("").to_string(),
            obj["kind"].as_str().unwrap_or("").to_string(),
        );
        let s = schemas
            .get(&key)
            .unwrap_or_else(|| panic!("no schema for {key:?}"));
        let mut copy = obj.clone();
        let out = schema::validate_and_prune(s, &mut copy);
        let name = format!("{} {}", key.1, obj["metadata"]["name"]);
        bad.extend(out.causes.iter().map(|c| format!("{name}: {c}")));
        bad.extend(
            out.pruned
                .iter()
                .map(|p| format!("{name}: unknown field {p:?}")),
        );
    }
    bad
}

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/vmoperator")
}

#[tokio::test]
async fn the_vmoperator_scenario_validates_and_settles_and_what_the_controller_writes_validates() {
    let mut scenario = Scenario::default();
    scenario.load_path(&scenario_dir()).expect("scenario loads");
    let mut registry = Registry::builtin();
    let schemas = schema_dir().map(|dir| {
        registry.load_schemas(&dir).expect("schemas load");
        let (all, _) = schema::load_dir(&dir).expect("reference dir readable");
        all.into_iter()
            .filter(|v| v.group == vmoperator::GROUP)
            .map(|v| {
                (
                    (format!("{}/{}", v.group, v.version), v.kind.clone()),
                    v.schema,
                )
            })
            .collect::<BTreeMap<_, _>>()
    });
    let store = Store::new();
    let mut rx = store.subscribe();
    scenario.apply(&store, &registry).expect("applied");
    let mut config: ControllerConfig =
        serde_json::from_value(scenario.controllers.clone()).expect("controllers config");
    assert!(!config.vmoperator.vm(NS, "db-01").tools);
    config.time_scale = 0.0;
    let _controllers = controllers::spawn_all(store.clone(), Arc::new(config));
    if let Some(schemas) = &schemas {
        let docs: Vec<Value> = scenario.objects.iter().map(|(_, d)| d.clone()).collect();
        let docs: Vec<Value> = docs
            .into_iter()
            .filter(|d| {
                d["apiVersion"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("vmoperator")
            })
            .collect();
        assert!(docs.len() >= 11, "{} documents", docs.len());
        let bad = invalid(schemas, &docs);
        assert!(bad.is_empty(), "{bad:#?}");
    }

    // A new snapshot of web-01 becomes a child of the current one; db-01's quiesced one fails.
    store
        .create(&snapshot_gvr(), snap("web-01-new", "web-01", true))
        .unwrap();
    store
        .create(&snapshot_gvr(), snap("db-01-quiesced", "db-01", false))
        .unwrap();
    let fut = async {
        loop {
            let get = |n: &str| {
                store
                    .get(&snapshot_gvr(), Some(NS), n)
                    .unwrap_or(Value::Null)
            };
            if is_true(&get("web-01-new"), READY)
                && cond(&get("db-01-quiesced"), CREATED)["reason"]
                    == "VirtualMachineSnapshotCreationFailed"
                && store
                    .list(&vm_gvr(), Some(NS))
                    .iter()
                    .all(|v| v["status"]["conditions"].is_array())
            {
                break;
            }
            let _ = rx.recv().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("scenario settles");
    let post = store
        .get(&snapshot_gvr(), Some(NS), "web-01-post-upgrade")
        .unwrap();
    assert_eq!(post["status"]["children"], refs(&["web-01-new"]));
    let pre = store
        .get(&snapshot_gvr(), Some(NS), "web-01-pre-upgrade")
        .unwrap();
    assert_eq!(pre["status"]["children"][1]["type"], "Unmanaged", "kept");
    let app = store.get(&vm_gvr(), Some(NS), "app-02").unwrap();
    assert_eq!(
        cond(&app, REVERT_SUCCEEDED)["reason"],
        "VirtualMachineSnapshotRevertTaskFailed",
        "the stuck revert stays stuck"
    );
    assert_eq!(app["status"]["currentSnapshot"]["name"], "app-02-v2");
    let ci: Vec<Value> = store
        .list(&snapshot_gvr(), Some(NS))
        .into_iter()
        .filter(|s| s["spec"]["vmName"] == "ci-runner")
        .collect();
    assert_eq!(
        ci.len(),
        32,
        "vSphere's advice limit, for the plugin's warning"
    );
    assert!(ci.iter().all(|s| is_true(s, READY)));
    if let Some(schemas) = &schemas {
        let mut all = store.list(&vm_gvr(), Some(NS));
        all.extend(store.list(&snapshot_gvr(), Some(NS)));
        let bad = invalid(schemas, &all);
        assert!(bad.is_empty(), "{bad:#?}");
        // Also as v1alpha5 (what the 9.1 release line serves).
        let v5: Vec<Value> = all
            .into_iter()
            .map(|mut o| {
                o["apiVersion"] = json!("vmoperator.vmware.com/v1alpha5");
                o
            })
            .collect();
        let bad = invalid(schemas, &v5);
        assert!(bad.is_empty(), "{bad:#?}");
    }
}

#[test]
fn the_plugin_fixtures_validate_against_the_real_schemas() {
    let Some(dir) = schema_dir() else { return };
    let (all, _) = schema::load_dir(&dir).expect("reference dir readable");
    let schemas: BTreeMap<_, _> = all
        .into_iter()
        .filter(|v| v.group == vmoperator::GROUP)
        .map(|v| {
            (
                (format!("{}/{}", v.group, v.version), v.kind.clone()),
                v.schema,
            )
        })
        .collect();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/vmoperator");
    let mut scenario = Scenario::default();
    scenario.load_path(&fixtures).expect("fixtures load");
    let docs: Vec<Value> = scenario.objects.into_iter().map(|(_, d)| d).collect();
    assert!(docs.len() >= 18, "{} fixtures", docs.len());
    let bad = invalid(&schemas, &docs);
    assert!(bad.is_empty(), "{bad:#?}");
}

/// The scenario served over HTTP with instant controllers.
async fn served() -> (Sim, Client) {
    let config = SimConfig {
        scenarios: vec![scenario_dir()],
        ..SimConfig::empty()
    };
    let sim = Sim::start(config).await.expect("simulator starts");
    let client = Client::new(sim.addr(), sim.token("admin").as_deref());
    (sim, client)
}

const SNAPS: &str =
    "/apis/vmoperator.vmware.com/v1alpha5/namespaces/dev-team/virtualmachinesnapshots";
const VMS: &str = "/apis/vmoperator.vmware.com/v1alpha5/namespaces/dev-team/virtualmachines";

#[tokio::test]
async fn over_http_a_new_snapshot_is_labelled_by_the_webhook_and_selectable_by_its_vm() {
    let (sim, c) = served().await;
    assert_eq!(sim.default_namespace(), NS);
    let group = c.get("/apis/vmoperator.vmware.com").await.json();
    assert_eq!(group["preferredVersion"]["version"], "v1alpha6");
    assert!(
        group["versions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["version"] == "v1alpha5")
    );
    let mut w = c
        .watch(&format!(
            "{SNAPS}?watch=true&labelSelector={VM_NAME_LABEL}%3Dbuild-01"
        ))
        .await;
    let created = c
        .post(SNAPS, &snap("build-01-first", "build-01", false))
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let obj = created.json();
    assert_eq!(
        obj["metadata"]["labels"][VM_NAME_LABEL], "build-01",
        "set at admission"
    );
    assert_eq!(obj["apiVersion"], "vmoperator.vmware.com/v1alpha5");
    let ready = tokio::time::timeout(
        Duration::from_secs(20),
        w.until(|ev| {
            ev["object"]["metadata"]["name"] == "build-01-first" && is_true(&ev["object"], READY)
        }),
    )
    .await
    .expect("ready in time");
    assert_eq!(ready["object"]["status"]["powerState"], "PoweredOff");
    let listed = c
        .get(&format!("{SNAPS}?labelSelector={VM_NAME_LABEL}%3Dweb-01"))
        .await
        .json();
    let mut names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "web-01-base",
            "web-01-hotfix",
            "web-01-post-upgrade",
            "web-01-pre-upgrade"
        ]
    );
}

#[tokio::test]
async fn over_http_vks_nodes_and_a_second_revert_are_refused_with_the_webhooks_words() {
    let (sim, c) = served().await;
    let refused = c
        .post(SNAPS, &snap("node-snap", "tkc-1-np-7x2kq", false))
        .await;
    assert_eq!(refused.status, 422);
    let status = refused.json();
    // VM Operator's shape: the field errors are the reason, no causes (kubectl prints
    // "Error from server (spec.vmName: Forbidden: ...): ... denied the request: ...").
    assert_eq!(
        status["reason"],
        "spec.vmName: Forbidden: snapshots are not allowed for VKS/TKG nodes"
    );
    assert!(status.get("details").is_none());
    assert_eq!(
        status["message"],
        "admission webhook \"default.validating.virtualmachinesnapshot.v1alpha6.vmoperator.vmware.com\" denied the request: spec.vmName: Forbidden: snapshots are not allowed for VKS/TKG nodes"
    );
    let revert = json!({"spec": {"currentSnapshotName": "app-02-v2"}});
    let busy = c
        .patch(
            &format!("{VMS}/app-02"),
            "application/merge-patch+json",
            &revert,
        )
        .await;
    assert_eq!(busy.status, 422);
    assert!(busy.json()["message"].as_str().unwrap().ends_with(
        "spec.currentSnapshotName: Forbidden: a snapshot revert is already in progress"
    ));
    let node = c
        .patch(
            &format!("{VMS}/tkc-1-np-7x2kq"),
            "application/merge-patch+json",
            &revert,
        )
        .await;
    assert!(
        node.json()["message"]
            .as_str()
            .unwrap()
            .ends_with("snapshot revert is not allowed for VKS nodes")
    );
    assert!(
        sim.store()
            .get(&snapshot_gvr(), Some(NS), "node-snap")
            .is_none(),
        "nothing written"
    );
}

fn kubectl() -> Option<PathBuf> {
    vmsnap_sim::testing::kubectl()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reads_the_supervisor_namespace_by_short_names_and_shows_the_webhooks_refusal() {
    let Some(bin) = kubectl() else { return };
    let (sim, _) = served().await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    sim.write_kubeconfig(&kc, "admin", NS).unwrap();
    let run = |args: &'static [&'static str], stdin: Option<&'static str>| {
        let (bin, kc) = (bin.clone(), kc.clone());
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            use std::process::{Command, Stdio};
            let mut child = Command::new(bin)
                .arg("--kubeconfig")
                .arg(&kc)
                .arg("--cache-dir")
                .arg(kc.with_extension("cache"))
                .args(args)
                .env_remove("KUBECONFIG")
                .stdin(if stdin.is_some() {
                    Stdio::piped()
                } else {
                    Stdio::null()
                })
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("kubectl runs");
            if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
                pipe.write_all(text.as_bytes()).unwrap();
            }
            child.wait_with_output().unwrap()
        })
    };
    let out = run(&["get", "vm,vmsnapshot", "-o", "name"], None)
        .await
        .unwrap();
    let names = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "no short-name ambiguity: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        names.contains("virtualmachine.vmoperator.vmware.com/web-01"),
        "{names}"
    );
    assert!(
        names.contains("virtualmachinesnapshot.vmoperator.vmware.com/web-01-pre-upgrade"),
        "{names}"
    );
    // The printer columns come from the reference CRD (a user's clone has none).
    if vmsnap_sim::testing::reference_schemas("vm-operator").is_some() {
        let table = run(&["get", "vm"], None).await.unwrap();
        let table = String::from_utf8_lossy(&table.stdout);
        assert!(
            table.starts_with("NAME") && table.contains("POWER-STATE"),
            "{table}"
        );
    }
    let refused = run(
        &["create", "-f", "-"],
        Some("apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineSnapshot\nmetadata: {name: node-snap}\nspec: {vmName: tkc-1-np-7x2kq}\n"),
    )
    .await
    .unwrap();
    assert!(!refused.status.success());
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr).trim(),
        "Error from server (spec.vmName: Forbidden: snapshots are not allowed for VKS/TKG nodes): error when creating \"STDIN\": admission webhook \"default.validating.virtualmachinesnapshot.v1alpha6.vmoperator.vmware.com\" denied the request: spec.vmName: Forbidden: snapshots are not allowed for VKS/TKG nodes"
    );
}
