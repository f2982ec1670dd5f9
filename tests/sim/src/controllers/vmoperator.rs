//! Simulated VMware VM Operator (`vmoperator.vmware.com`): VirtualMachine power state and
//! VMware Tools, and VirtualMachineSnapshots as vSphere builds them: one at a time per VM
//! (oldest first), conditions Created / CSISynced / Ready, the snapshot tree in
//! `status.rootSnapshots` / `status.children` / `status.currentSnapshot`, revert through
//! `spec.currentSnapshotName`, deletion re-parenting children, and Unmanaged nodes.
//!
//! Everything of one VM is reconciled by one key, as VM Operator's VM reconciler takes the
//! snapshots itself. Strings (reasons, messages) are VM Operator's, see
//! `shared/reference/providers.md` section 1.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use super::snapshot::quantity_bytes;
use super::{
    Ctx, Dur, Key, add_finalizer, has_finalizer, is_deleting, name_of, ns_of, remove_finalizer,
    str_at, uid_of,
};
use crate::store::{Gvr, Store};

pub const GROUP: &str = "vmoperator.vmware.com";
/// The storage (hub) version, as on vm-operator main.
pub const VERSION: &str = "v1alpha6";
pub const FINALIZER: &str = "vmoperator.vmware.com/virtualmachinesnapshot";
pub const VM_NAME_LABEL: &str = "snapshot.vmoperator.vmware.com/vm-name";
pub const REVERT_IN_PROGRESS: &str = "vmoperator.vmware.com/snapshot-revert-in-progress";
pub const CSI_SYNC: &str = "csi.vsphere.volume.sync";
/// Simulator-only: annotate a VM with this to take a snapshot "in vCenter" (no CR): it shows
/// as an Unmanaged node under the current snapshot and becomes current. Removed once done.
pub const VCENTER_SNAPSHOT: &str = "vmsnap-sim/vcenter-snapshot";
/// Label keys that mark a VKS / TKG node (`HasCAPILabels`).
pub const CAPI_LABELS: [&str; 2] = [
    "capw.vmware.com/cluster.role",
    "capv.vmware.com/cluster.role",
];

pub const CREATED: &str = "VirtualMachineSnapshotCreated";
pub const CSI_SYNCED: &str = "VirtualMachineSnapshotCSISynced";
pub const READY: &str = "VirtualMachineSnapshotReady";
pub const REVERT_SUCCEEDED: &str = "VirtualMachineSnapshotRevertSucceeded";
pub const TOOLS: &str = "VirtualMachineTools";
pub const WAITING_FOR_CREATION: &str = "VirtualMachineSnapshotWaitingForCreation";
const NOT_CREATED: &str = "Snapshot is not ready because it doesn't have created condition";
pub const CREATION_FAILED: &str = "VirtualMachineSnapshotCreationFailed";
pub const INVALID_VM_MANIFEST: &str = "VirtualMachineSnapshotRevertFailedInvalidVMManifest";
/// Marks a VirtualMachineSnapshot as imported into VM Operator (no manifest in ExtraConfig).
pub const IMPORTED_SNAPSHOT: &str = "vmoperator.vmware.com/imported-snapshot";

pub const CSI_CROSSING: &str = "An error occurred while reverting to a snapshot: The specified snapshot is not revertable. The virtual machine cannot be reverted when crossing a CSI VolumeSnapshot. VolumeSnapshots should be deleted before retrying the revert.";

pub fn vm_gvr() -> Gvr {
    Gvr::new(GROUP, VERSION, "virtualmachines")
}

pub fn snapshot_gvr() -> Gvr {
    Gvr::new(GROUP, VERSION, "virtualmachinesnapshots")
}

/// How a scripted snapshot ends.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum SnapshotOutcome {
    #[default]
    Succeeded,
    /// The vSphere task fails: Created=False/CreationFailed. Not terminal in VM Operator: the
    /// oldest snapshot not Created is taken again (with the controller's backoff), so newer
    /// ones of the VM queue behind it. `failures: N` lets the N+1st attempt succeed.
    Failed,
    /// The task never ends (Created=False/CreationInProgress).
    Stuck,
    /// Blocked behind unmanaged-disk registration.
    WaitingForDiskRegistration,
    /// Created in vSphere, but the CSI driver never completes its sync.
    CsiStuck,
}

/// How a scripted revert ends.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum RevertOutcome {
    #[default]
    Succeeded,
    /// The vSphere RevertToSnapshot task fails: RevertTaskFailed, the annotation stays.
    TaskFailed,
    /// Never ends (RevertInProgress).
    Stuck,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotScript {
    pub outcome: SnapshotOutcome,
    pub message: Option<String>,
    pub after: Option<Dur>,
    /// With `outcome: Failed`: how many attempts fail before one succeeds (default: all).
    pub failures: Option<u32>,
    /// The vSphere snapshot carries no VM manifest in its ExtraConfig (a VM that VM Operator
    /// did not back up): a revert to it fails RevertFailedInvalidVMManifest.
    pub without_extra_config: bool,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RevertScript {
    pub outcome: RevertOutcome,
    pub message: Option<String>,
    pub after: Option<Dur>,
}

/// Per-VM facts the API does not carry in a form the simulator can use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct VmScript {
    /// VMware Tools running in the guest when powered on (default true).
    pub tools: bool,
    /// Memory size, charged to a snapshot taken with memory (default 4Gi).
    pub memory: String,
    /// Disk size when the VM status gives none (default 20Gi).
    pub disks: String,
    /// The guest never finishes shutting down: asked to power off, the VM stays PoweredOn
    /// (default false), so a test can interrupt the wait for PoweredOff.
    pub power_off_hangs: bool,
}

impl Default for VmScript {
    fn default() -> Self {
        VmScript {
            tools: true,
            memory: "4Gi".into(),
            disks: "20Gi".into(),
            power_off_hangs: false,
        }
    }
}

/// The `controllers.vmoperator` section of sim.yaml.
///
/// ```yaml
/// vmoperator:
///   createDuration: 3s        # vSphere CreateSnapshot task
///   csiSyncDuration: 1s       # until the CSI driver marks the sync completed
///   revertDuration: 3s        # vSphere RevertToSnapshot task
///   vms: { legacy-app: { tools: false } }
///   snapshots: { app-pre-upgrade: { outcome: Failed, message: "...", after: 2s } }  # by snapshot, else VM name
///   reverts: { web-01: { outcome: TaskFailed } }                                     # by VM, else snapshot name
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    pub create_duration: Dur,
    pub csi_sync_duration: Dur,
    pub revert_duration: Dur,
    pub vms: BTreeMap<String, VmScript>,
    pub snapshots: BTreeMap<String, SnapshotScript>,
    pub reverts: BTreeMap<String, RevertScript>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            create_duration: Dur::secs(3),
            csi_sync_duration: Dur::secs(1),
            revert_duration: Dur::secs(3),
            vms: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            reverts: BTreeMap::new(),
        }
    }
}

fn lookup<'a, T>(map: &'a BTreeMap<String, T>, ns: &str, keys: &[&str]) -> Option<&'a T> {
    keys.iter()
        .find_map(|k| map.get(&format!("{ns}/{k}")).or_else(|| map.get(*k)))
}

impl Config {
    pub fn vm(&self, ns: &str, name: &str) -> VmScript {
        lookup(&self.vms, ns, &[name]).cloned().unwrap_or_default()
    }
}

/// The keys a store event makes due (None: not a VM Operator kind).
pub(crate) fn keys_for_event(ev: &crate::store::Event) -> Option<Key> {
    if ev.gvr.group != GROUP {
        return None;
    }
    let ns = ns_of(&ev.object).to_string();
    let vm = match ev.gvr.plural.as_str() {
        "virtualmachines" => name_of(&ev.object),
        "virtualmachinesnapshots" => str_at(&ev.object, "/spec/vmName").unwrap_or(""),
        _ => return None,
    };
    (!vm.is_empty()).then(|| Key::VmOperator(ns, vm.to_string()))
}

/// Every VM, and every VM named by a snapshot (its VM may be gone).
pub(crate) fn resync(store: &Store, queue: &mut std::collections::BTreeSet<Key>) {
    store.visit(&vm_gvr(), None, None, |o| {
        queue.insert(Key::VmOperator(ns_of(o).into(), name_of(o).into()));
        true
    });
    store.visit(&snapshot_gvr(), None, None, |o| {
        if let Some(vm) = str_at(o, "/spec/vmName").filter(|v| !v.is_empty()) {
            queue.insert(Key::VmOperator(ns_of(o).into(), vm.into()));
        }
        true
    });
}

pub(crate) fn is_vks_node(vm: &Value) -> bool {
    let labels = vm.pointer("/metadata/labels").and_then(Value::as_object);
    labels.is_some_and(|l| CAPI_LABELS.iter().any(|k| l.contains_key(*k)))
}

fn cond<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
}

fn cond_true(obj: &Value, type_: &str) -> bool {
    cond(obj, type_).is_some_and(|c| c["status"] == "True")
}

fn cond_reason<'a>(obj: &'a Value, type_: &str) -> Option<&'a str> {
    cond(obj, type_).and_then(|c| c["reason"].as_str())
}

fn status_mut(obj: &mut Value) -> &mut Map<String, Value> {
    super::ensure_obj(obj, "status")
}

/// Sets a metav1.Condition as VM Operator's `conditions.Set` does: True ones carry reason
/// "True" and an empty message, the transition time moves only with the status, and the
/// list stays sorted by type.
fn set_cond(obj: &mut Value, type_: &str, status: bool, reason: &str, message: &str) {
    let st = status_mut(obj);
    let list = st.entry("conditions").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let Value::Array(conds) = list else { return };
    let s = if status { "True" } else { "False" };
    let mut c = json!({"type": type_, "status": s, "reason": reason, "message": message,
        "lastTransitionTime": crate::store::now_rfc3339()});
    match conds.iter_mut().find(|c| c["type"] == type_) {
        Some(old) => {
            if old["status"] == s {
                c["lastTransitionTime"] = old["lastTransitionTime"].clone();
            }
            *old = c;
        }
        None => conds.push(c),
    }
    conds.sort_by(|a, b| a["type"].as_str().cmp(&b["type"].as_str()));
}

fn del_cond(obj: &mut Value, type_: &str) {
    if let Some(a) = obj
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        a.retain(|c| c["type"] != type_);
    }
}

fn set_true(obj: &mut Value, type_: &str) {
    set_cond(obj, type_, true, "True", "");
}

fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.pointer("/metadata/annotations")?.get(key)?.as_str()
}

fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    let meta = super::ensure_obj(obj, "metadata");
    let ann = meta.entry("annotations").or_insert_with(|| json!({}));
    if !ann.is_object() {
        *ann = json!({});
    }
    ann[key] = json!(value);
}

fn remove_annotation(obj: &mut Value, key: &str) {
    if let Some(m) = obj
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        m.remove(key);
    }
}

fn managed(name: &str) -> Value {
    json!({"type": "Managed", "name": name})
}

fn unmanaged() -> Value {
    json!({"type": "Unmanaged", "name": ""})
}

fn is_ref_to(r: &Value, name: &str) -> bool {
    r["type"] == "Managed" && r["name"] == name
}

/// Quantity text for bytes: whole GiB as `NGi`, else plain bytes.
fn quantity(bytes: u64) -> String {
    const GI: u64 = 1 << 30;
    if bytes.is_multiple_of(GI) {
        format!("{}Gi", bytes / GI)
    } else {
        bytes.to_string()
    }
}

/// `creationTimestamp`, then name: the order VM Operator processes a VM's snapshots in.
fn by_age(a: &Value, b: &Value) -> std::cmp::Ordering {
    let ts = |o: &Value| {
        str_at(o, "/metadata/creationTimestamp")
            .unwrap_or("")
            .to_string()
    };
    ts(a).cmp(&ts(b)).then_with(|| name_of(a).cmp(name_of(b)))
}

/// Reconciles one VM Operator VirtualMachine and all its snapshots.
pub(crate) fn reconcile(ctx: &mut Ctx, ns: &str, vm_name: &str) {
    let store = ctx.store.clone();
    let mut snaps: Vec<Value> = Vec::new();
    store.visit(&snapshot_gvr(), Some(ns), None, |o| {
        if str_at(o, "/spec/vmName") == Some(vm_name) {
            snaps.push(o.clone());
        }
        true
    });
    snaps.sort_by(by_age);
    let Some(vm) = store.get(&vm_gvr(), Some(ns), vm_name) else {
        for s in &snaps {
            if is_deleting(s) {
                // No VM to remove snapshots from: the finalizer just goes.
                let _ = store.mutate(&snapshot_gvr(), Some(ns), name_of(s), |o| {
                    remove_finalizer(o, FINALIZER)
                });
            } else {
                wait_for_vm(&store, ns, s);
            }
        }
        return;
    };
    if is_deleting(&vm) {
        return;
    }
    let script = ctx.config.vmoperator.vm(ns, vm_name);
    let Some(vm) = observe_vm(&store, ns, vm_name, &vm, &script) else {
        return;
    };
    // Deletion goes through the snapshot controller, whatever the VM reconciler is doing.
    for s in snaps.iter().filter(|s| is_deleting(s)) {
        delete_snapshot(ctx, ns, vm_name, s);
    }
    snaps.retain(|s| !is_deleting(s));
    if annotation(&vm, VCENTER_SNAPSHOT).is_some() {
        take_unmanaged(&store, ns, vm_name);
        return;
    }
    for s in &snaps {
        adopt(&store, ns, &vm, s, &script);
        // Taken before the simulator started (a scenario): its ExtraConfig holds the VM as
        // first seen, unless scripted without one.
        let bare = lookup(&ctx.config.vmoperator.snapshots, ns, &[name_of(s), vm_name])
            .is_some_and(|sc| sc.without_extra_config);
        if cond_true(s, CREATED) && !bare && saved_manifest(s).is_none() {
            save_manifest(&vm, s);
        }
    }
    if !revert(ctx, ns, vm_name) {
        return;
    }
    create_next(ctx, ns, vm_name);
    sync_csi(ctx, ns, vm_name);
}

/// A snapshot whose VM does not exist (yet): the snapshot controller adds its finalizer and
/// the VM name label, fails to get the VM (and retries), and its deferred Ready condition says
/// WaitingForCreation. No owner reference and no requested storage without a VM.
fn wait_for_vm(store: &Store, ns: &str, snap: &Value) {
    let vm_name = str_at(snap, "/spec/vmName").unwrap_or("").to_string();
    let apply = move |o: &mut Value| {
        add_finalizer(o, FINALIZER);
        set_vm_name_label(o, &vm_name);
        if cond_reason(o, READY) != Some(WAITING_FOR_CREATION) {
            set_cond(o, READY, false, WAITING_FOR_CREATION, NOT_CREATED);
        }
    };
    let mut want = snap.clone();
    apply.clone()(&mut want);
    if want != *snap {
        let _ = store.mutate(&snapshot_gvr(), Some(ns), name_of(snap), apply);
    }
}

fn set_vm_name_label(o: &mut Value, vm_name: &str) {
    let meta = super::ensure_obj(o, "metadata");
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if !labels.is_object() {
        *labels = json!({});
    }
    labels[VM_NAME_LABEL] = json!(vm_name);
}

/// VM status as vSphere reports it: uniqueID, power state following the spec, VMware Tools.
fn observe_vm(store: &Store, ns: &str, name: &str, vm: &Value, script: &VmScript) -> Option<Value> {
    let unique = format!("vm-{}", 1000 + store.resource_version() % 9000);
    let tools = script.tools;
    let power_off_hangs = script.power_off_hangs;
    // Applied to the stored object under the lock, so a client's concurrent write survives.
    let apply = move |o: &mut Value| {
        let mut power = str_at(o, "/spec/powerState")
            .unwrap_or("PoweredOn")
            .to_string();
        if power_off_hangs && power == "PoweredOff" {
            power = "PoweredOn".to_string();
        }
        let st = status_mut(o);
        if st
            .get("uniqueID")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            st.insert("uniqueID".into(), json!(unique));
        }
        st.insert("powerState".into(), json!(power));
        if power == "PoweredOn" && tools {
            set_true(o, TOOLS);
        } else {
            set_cond(
                o,
                TOOLS,
                false,
                "VirtualMachineToolsNotRunning",
                "VMware Tools is not running",
            );
        }
    };
    let mut want = vm.clone();
    apply.clone()(&mut want);
    if want == *vm {
        return Some(vm.clone());
    }
    store.mutate(&vm_gvr(), Some(ns), name, apply).ok()
}

/// What VM Operator adds to a snapshot before taking it: the label (also set by the mutating
/// webhook), finalizer, owner reference, requested storage and a first Ready condition.
fn adopt(store: &Store, ns: &str, vm: &Value, snap: &Value, script: &VmScript) {
    let vm_name = name_of(vm).to_string();
    let vm_uid = uid_of(vm).to_string();
    let disks = str_at(vm, "/status/storage/requested/disks")
        .map(quantity_bytes)
        .filter(|b| *b > 0)
        .unwrap_or_else(|| quantity_bytes(&script.disks));
    let memory = quantity_bytes(&script.memory);
    let class = str_at(vm, "/spec/storageClass")
        .unwrap_or("wcpglobal-storage-profile")
        .to_string();
    let apply = move |o: &mut Value| {
        set_vm_name_label(o, &vm_name);
        add_finalizer(o, FINALIZER);
        let owned = o
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|r| r["uid"] == vm_uid.as_str()));
        if !owned {
            let r = json!({"apiVersion": format!("{GROUP}/{VERSION}"), "kind": "VirtualMachine",
                "name": vm_name, "uid": vm_uid, "controller": true, "blockOwnerDeletion": true});
            let meta = super::ensure_obj(o, "metadata");
            match meta
                .get_mut("ownerReferences")
                .and_then(Value::as_array_mut)
            {
                Some(a) => a.push(r),
                None => {
                    meta.insert("ownerReferences".into(), json!([r]));
                }
            }
        }
        if o.pointer("/status/storage/requested").is_none() {
            let with_memory = o.pointer("/spec/memory") == Some(&json!(true));
            let total = disks + if with_memory { memory } else { 0 };
            let st = status_mut(o);
            let storage = st.entry("storage").or_insert_with(|| json!({}));
            if !storage.is_object() {
                *storage = json!({});
            }
            storage["requested"] = json!([{"storageClass": class, "total": quantity(total)}]);
        }
        if cond(o, READY).is_none() {
            set_cond(o, READY, false, WAITING_FOR_CREATION, NOT_CREATED);
        }
    };
    let mut want = snap.clone();
    apply.clone()(&mut want);
    if want != *snap {
        let _ = store.mutate(&snapshot_gvr(), Some(ns), name_of(snap), apply);
    }
}

fn current_snapshots(store: &Store, ns: &str, vm_name: &str) -> Vec<Value> {
    let mut snaps = Vec::new();
    store.visit(&snapshot_gvr(), Some(ns), None, |o| {
        if str_at(o, "/spec/vmName") == Some(vm_name) && !is_deleting(o) {
            snaps.push(o.clone());
        }
        true
    });
    snaps.sort_by(by_age);
    snaps
}

/// Takes the oldest snapshot not yet Created, one at a time; newer ones wait behind it.
fn create_next(ctx: &mut Ctx, ns: &str, vm_name: &str) {
    let store = ctx.store.clone();
    let Some(vm) = store.get(&vm_gvr(), Some(ns), vm_name) else {
        return;
    };
    if is_vks_node(&vm) {
        // "Skipping snapshot for VKS node": it stays WaitingForCreation.
        return;
    }
    let snaps = current_snapshots(&store, ns, vm_name);
    let Some(snap) = snaps.iter().find(|s| !cond_true(s, CREATED)) else {
        return;
    };
    let name = name_of(snap).to_string();
    let uid = uid_of(snap).to_string();
    let cfg = &ctx.config.vmoperator;
    let script = lookup(&cfg.snapshots, ns, &[&name, vm_name])
        .cloned()
        .unwrap_or_default();
    let key = Key::VmOperator(ns.to_string(), vm_name.to_string());
    match cond_reason(snap, CREATED) {
        // Unmanaged disk registrations never complete here.
        Some("VirtualMachineSnapshotWaitingForDiskRegistration") => return,
        // A failed task is not terminal: the VM reconcile returned its error and is requeued
        // with controller-runtime's backoff, then takes the oldest snapshot again.
        Some(CREATION_FAILED) => {
            let attempts = failed_attempts(&uid, false);
            if !ctx.elapsed("vmop-retry", &uid, retry_backoff(attempts), key.clone()) {
                return;
            }
            ctx.forget("vmop-retry", &uid);
        }
        _ => {}
    }
    if matches!(cond_reason(snap, CREATED), None | Some(CREATION_FAILED)) {
        ctx.mark_since("vmop-create", &uid);
        let _ = store.mutate(&snapshot_gvr(), Some(ns), &name, |o| {
            set_cond(
                o,
                CREATED,
                false,
                "VirtualMachineSnapshotCreationInProgress",
                "snapshot in progress",
            );
        });
    }
    let wait = ctx.config.scaled(
        script
            .after
            .unwrap_or(ctx.config.vmoperator.create_duration)
            .0,
    );
    if !ctx.elapsed("vmop-create", &uid, wait, key) {
        return;
    }
    let fails = script.outcome == SnapshotOutcome::Failed
        && script
            .failures
            .is_none_or(|n| failed_attempts(&uid, false) < n);
    match script.outcome {
        SnapshotOutcome::Stuck => {}
        SnapshotOutcome::Failed if fails => {
            failed_attempts(&uid, true);
            ctx.forget("vmop-create", &uid);
            ctx.mark_since("vmop-retry", &uid);
            let msg = format!(
                "failed to create snapshot for VM: {}",
                script.message.as_deref().unwrap_or(
                    "failed to create snapshot: An error occurred while taking a snapshot"
                )
            );
            let _ = store.mutate(&snapshot_gvr(), Some(ns), &name, |o| {
                set_cond(
                    o,
                    CREATED,
                    false,
                    "VirtualMachineSnapshotCreationFailed",
                    &msg,
                );
            });
        }
        SnapshotOutcome::WaitingForDiskRegistration => {
            let _ = store.mutate(&snapshot_gvr(), Some(ns), &name, |o| {
                set_cond(
                    o,
                    CREATED,
                    false,
                    "VirtualMachineSnapshotWaitingForDiskRegistration",
                    "Snapshot cannot be created until all unmanaged disk registrations complete",
                );
                set_cond(
                    o,
                    READY,
                    false,
                    "VirtualMachineSnapshotWaitingForDiskRegistration",
                    "Snapshot is not ready because disk registration hasn't been completed",
                );
            });
        }
        SnapshotOutcome::Succeeded | SnapshotOutcome::CsiStuck | SnapshotOutcome::Failed => {
            ctx.forget("vmop-create", &uid);
            ctx.mark_since("vmop-csi", &uid);
            created(&store, ns, &vm, snap, !script.without_extra_config);
        }
    }
}

/// How many times the creation of the snapshot with this uid has failed; `add` counts one
/// more. Process-wide, like [`saved_manifests`].
fn failed_attempts(uid: &str, add: bool) -> u32 {
    static FAILED: OnceLock<Mutex<HashMap<String, u32>>> = OnceLock::new();
    let mut map = FAILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let n = map.entry(uid.to_string()).or_insert(0);
    if add {
        *n += 1;
    }
    *n
}

/// controller-runtime's default per-item backoff after the `n`th failure: 5ms doubling, at
/// most 1000s. Real time, not scaled: it is the controller's rate limiter, not vSphere's
/// timing, and it keeps an instant (time scale 0) simulator from spinning on a failure.
fn retry_backoff(n: u32) -> std::time::Duration {
    let ms = 5u64.saturating_mul(1u64 << n.saturating_sub(1).min(30));
    std::time::Duration::from_millis(ms.min(1_000_000))
}

/// The vSphere snapshot exists: record it on the CR and hang it under the current snapshot.
/// The VM's spec, labels and annotations as each snapshot saved them (VM Operator keeps them
/// in the vSphere snapshot's ExtraConfig), by snapshot uid. Process-wide: uids are unique.
fn saved_manifests() -> &'static Mutex<HashMap<String, Value>> {
    static SAVED: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();
    SAVED.get_or_init(Default::default)
}

/// Records the VM's spec, labels and annotations as the snapshot's ExtraConfig (VM Operator's
/// backup writes them into the VM's ExtraConfig, which vSphere snapshots with the VM).
fn save_manifest(vm: &Value, snap: &Value) {
    let manifest = json!({
        "spec": vm.get("spec").cloned().unwrap_or(json!({})),
        "labels": vm.pointer("/metadata/labels").cloned().unwrap_or(json!({})),
        "annotations": vm.pointer("/metadata/annotations").cloned().unwrap_or(json!({})),
    });
    saved_manifests()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(uid_of(snap).to_string(), manifest);
}

fn saved_manifest(snap: &Value) -> Option<Value> {
    saved_manifests()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(uid_of(snap))
        .cloned()
}

fn created(store: &Store, ns: &str, vm: &Value, snap: &Value, extra_config: bool) {
    let name = name_of(snap).to_string();
    if extra_config {
        save_manifest(vm, snap);
    }
    let vm_power = str_at(vm, "/status/powerState").unwrap_or("PoweredOn");
    let memory = snap.pointer("/spec/memory") == Some(&json!(true));
    // Without memory the snapshot node is powered off; a suspended VM always includes memory.
    let power = match vm_power {
        "Suspended" => "Suspended",
        "PoweredOn" if memory => "PoweredOn",
        _ => "PoweredOff",
    };
    let requested = snap
        .pointer("/status/storage/requested/0/total")
        .and_then(Value::as_str)
        .map(quantity_bytes)
        .unwrap_or(0);
    // Delta disks and the memory file: a share of what was reserved. Id and share come from
    // the snapshot's name, not from the store's write count, which depends on how far other
    // reconciles got: the same run then gives the same output (docs transcripts).
    let seq = stable_number(ns, &name);
    let used = requested / 5 * 2 + 1_048_576 * (seq % 97);
    let unique = format!("snapshot-{}", 500 + seq % 9500);
    let quiesced = snap.pointer("/spec/quiesce").is_some_and(|q| !q.is_null());
    let _ = store.mutate(&snapshot_gvr(), Some(ns), &name, |o| {
        set_annotation(o, CSI_SYNC, "requested");
        set_true(o, CREATED);
        set_cond(
            o,
            CSI_SYNCED,
            false,
            "VirtualMachineSnapshotCSISyncInProgress",
            "Sync CSI volume requested",
        );
        set_cond(
            o,
            READY,
            false,
            "VirtualMachineSnapshotWaitingForCSISync",
            "Snapshot is not ready because CSI volume sync hasn't been completed",
        );
        let st = status_mut(o);
        st.insert("powerState".into(), json!(power));
        st.insert("quiesced".into(), json!(quiesced));
        st.insert("uniqueID".into(), json!(unique));
        let storage = st.entry("storage").or_insert_with(|| json!({}));
        storage["used"] = json!(used.to_string());
    });
    // New snapshots become children of the current one (a root when there is none).
    let current = vm.pointer("/status/currentSnapshot").cloned();
    let parent = current
        .as_ref()
        .filter(|c| c["type"] == "Managed")
        .and_then(|c| c["name"].as_str())
        .filter(|p| store.get(&snapshot_gvr(), Some(ns), p).is_some());
    match (&current, parent) {
        (_, Some(p)) => {
            let _ = store.mutate(&snapshot_gvr(), Some(ns), p, |o| {
                push_ref(status_mut(o), "children", managed(&name));
            });
        }
        // Below an Unmanaged node: vSphere has it there, but VM Operator does not walk it.
        (Some(c), None) if c["type"] == "Unmanaged" => {}
        _ => {
            let _ = store.mutate(&vm_gvr(), Some(ns), name_of(vm), |o| {
                push_ref(status_mut(o), "rootSnapshots", managed(&name));
            });
        }
    }
    let _ = store.mutate(&vm_gvr(), Some(ns), name_of(vm), |o| {
        status_mut(o).insert("currentSnapshot".into(), managed(&name));
    });
    update_vm_usage(store, ns, name_of(vm));
}

/// FNV-1a of `ns/name`: a number that is the same in every run.
fn stable_number(ns: &str, name: &str) -> u64 {
    format!("{ns}/{name}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

fn push_ref(st: &mut Map<String, Value>, key: &str, r: Value) {
    let list = st.entry(key).or_insert_with(|| json!([]));
    match list.as_array_mut() {
        Some(a) => a.push(r),
        None => *list = json!([r]),
    }
}

/// VM `status.storage.usage.snapshots.vm`: what its snapshots use.
fn update_vm_usage(store: &Store, ns: &str, vm_name: &str) {
    let total: u64 = current_snapshots(store, ns, vm_name)
        .iter()
        .filter_map(|s| str_at(s, "/status/storage/used"))
        .map(quantity_bytes)
        .sum();
    let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
        let st = status_mut(o);
        let storage = st.entry("storage").or_insert_with(|| json!({}));
        if !storage.is_object() {
            *storage = json!({});
        }
        storage["usage"]["snapshots"]["vm"] = json!(total.to_string());
    });
}

/// The vSphere CSI driver completes the sync of created snapshots (in parallel).
fn sync_csi(ctx: &mut Ctx, ns: &str, vm_name: &str) {
    let store = ctx.store.clone();
    let wait = ctx.config.scaled(ctx.config.vmoperator.csi_sync_duration.0);
    for snap in current_snapshots(&store, ns, vm_name) {
        if !cond_true(&snap, CREATED) || cond_true(&snap, CSI_SYNCED) {
            continue;
        }
        let name = name_of(&snap).to_string();
        let script = lookup(&ctx.config.vmoperator.snapshots, ns, &[&name, vm_name]);
        if script.is_some_and(|s| s.outcome == SnapshotOutcome::CsiStuck) {
            continue;
        }
        let uid = uid_of(&snap).to_string();
        let key = Key::VmOperator(ns.to_string(), vm_name.to_string());
        if !ctx.elapsed("vmop-csi", &uid, wait, key) {
            continue;
        }
        ctx.forget("vmop-csi", &uid);
        let _ = store.mutate(&snapshot_gvr(), Some(ns), &name, |o| {
            set_annotation(o, CSI_SYNC, "completed");
            set_true(o, CSI_SYNCED);
            set_true(o, READY);
        });
    }
}

/// Handles `spec.currentSnapshotName`. Returns whether the VM reconciler goes on (false
/// while a revert runs or its annotation is left behind).
fn revert(ctx: &mut Ctx, ns: &str, vm_name: &str) -> bool {
    let store = ctx.store.clone();
    let Some(vm) = store.get(&vm_gvr(), Some(ns), vm_name) else {
        return false;
    };
    let uid = uid_of(&vm).to_string();
    let stuck = annotation(&vm, REVERT_IN_PROGRESS).is_some();
    let target = str_at(&vm, "/spec/currentSnapshotName")
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string);
    let Some(target) = target else {
        if stuck {
            // "snapshot revert in progress": nothing moves until someone removes it.
            return false;
        }
        if cond(&vm, REVERT_SUCCEEDED).is_some() {
            // The user gave up on the revert: the condition goes.
            let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
                del_cond(o, REVERT_SUCCEEDED)
            });
        }
        return true;
    };
    let fail = |reason: &str, message: &str| {
        let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
            set_cond(o, REVERT_SUCCEEDED, false, reason, message)
        });
    };
    if !stuck {
        if is_vks_node(&vm) {
            fail(
                "VirtualMachineSnapshotRevertSkipped",
                "Skipping snapshot revert for VKS node",
            );
            return false;
        }
        let Some(snap) = store.get(&snapshot_gvr(), Some(ns), &target) else {
            fail(
                "VirtualMachineSnapshotRevertFailed",
                &format!(
                    "failed to get snapshot object {target:?}: virtualmachinesnapshots.{GROUP} {target:?} not found"
                ),
            );
            return false;
        };
        if !cond_true(&snap, READY) {
            fail(
                "VirtualMachineSnapshotRevertSkipped",
                &format!("skipping revert for not-ready snapshot {target:?}"),
            );
            return false;
        }
        if str_at(&snap, "/spec/vmName") != Some(vm_name) {
            // Not in this VM's vSphere tree (FindSnapshot finds nothing, and no error).
            fail(
                "VirtualMachineSnapshotRevertFailed",
                &format!("failed to find vSphere snapshot {target:?}: %!w(<nil>)"),
            );
            return false;
        }
        ctx.mark_since("vmop-revert", &uid);
        let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
            set_annotation(o, REVERT_IN_PROGRESS, "");
            set_cond(
                o,
                REVERT_SUCCEEDED,
                false,
                "VirtualMachineSnapshotRevertInProgress",
                "snapshot revert in progress",
            );
        });
    }
    if matches!(
        cond_reason(&vm, REVERT_SUCCEEDED),
        Some("VirtualMachineSnapshotRevertTaskFailed" | INVALID_VM_MANIFEST)
    ) {
        return false;
    }
    if !ctx.has_since("vmop-revert", &uid) {
        // A revert left over from before the simulator started: begin its clock now.
        ctx.mark_since("vmop-revert", &uid);
    }
    let cfg = &ctx.config.vmoperator;
    let script = lookup(&cfg.reverts, ns, &[vm_name, &target])
        .cloned()
        .unwrap_or_default();
    let wait = ctx.config.scaled(
        script
            .after
            .unwrap_or(ctx.config.vmoperator.revert_duration)
            .0,
    );
    let key = Key::VmOperator(ns.to_string(), vm_name.to_string());
    if !ctx.elapsed("vmop-revert", &uid, wait, key) {
        return false;
    }
    match script.outcome {
        RevertOutcome::Stuck => {}
        RevertOutcome::TaskFailed => {
            ctx.forget("vmop-revert", &uid);
            let msg = script.message.unwrap_or_else(|| CSI_CROSSING.to_string());
            fail("VirtualMachineSnapshotRevertTaskFailed", &msg);
        }
        RevertOutcome::Succeeded => {
            ctx.forget("vmop-revert", &uid);
            let snap = store.get(&snapshot_gvr(), Some(ns), &target);
            let power = snap
                .as_ref()
                .and_then(|s| str_at(s, "/status/powerState").map(str::to_string))
                .unwrap_or_else(|| "PoweredOff".into());
            let imported = snap
                .as_ref()
                .is_some_and(|s| annotation(s, IMPORTED_SNAPSHOT).is_some());
            let saved = match snap.as_ref().and_then(saved_manifest) {
                Some(m) => Some(m),
                // An imported snapshot: VM Operator approximates the spec from the vSphere
                // config and restores no labels or annotations.
                None if imported => Some(json!({
                    "spec": vm.get("spec").cloned().unwrap_or(json!({})),
                    "labels": {}, "annotations": {},
                })),
                None => None,
            };
            let Some(saved) = saved else {
                // vSphere has reverted, but there is no manifest to restore: the condition
                // says so and the annotation stays, blocking the VM until someone removes it.
                fail(
                    INVALID_VM_MANIFEST,
                    "failed to restore vm spec and metadata from snapshot: no VM YAML in snapshot config",
                );
                return false;
            };
            let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
                // The VM's spec, labels and annotations become the snapshot's, and its status
                // is rebuilt from vSphere.
                o["spec"] = saved["spec"].clone();
                let meta = super::ensure_obj(o, "metadata");
                meta.insert("labels".into(), saved["labels"].clone());
                meta.insert("annotations".into(), saved["annotations"].clone());
                if let Some(st) = o.get_mut("status").and_then(Value::as_object_mut) {
                    st.retain(|k, _| {
                        matches!(k.as_str(), "uniqueID" | "rootSnapshots" | "storage")
                    });
                }
                remove_annotation(o, REVERT_IN_PROGRESS);
                if let Some(spec) = o.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.remove("currentSnapshotName");
                    spec.insert("powerState".into(), json!(power));
                }
                del_cond(o, REVERT_SUCCEEDED);
                let st = status_mut(o);
                st.insert("currentSnapshot".into(), managed(&target));
                st.insert("powerState".into(), json!(power));
            });
        }
    }
    false
}

/// Deletes the vSphere snapshot: its children move up to its parent (or become roots), the
/// parent becomes current if it was; then the finalizer goes.
fn delete_snapshot(ctx: &mut Ctx, ns: &str, vm_name: &str, snap: &Value) {
    let store = ctx.store.clone();
    let name = name_of(snap).to_string();
    if !has_finalizer(snap, FINALIZER) {
        return;
    }
    ctx.forget("vmop-create", uid_of(snap));
    ctx.forget("vmop-csi", uid_of(snap));
    let children: Vec<Value> = snap
        .pointer("/status/children")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let splice = |list: &mut Vec<Value>| -> bool {
        let Some(i) = list.iter().position(|r| is_ref_to(r, &name)) else {
            return false;
        };
        list.splice(i..=i, children.iter().cloned());
        true
    };
    let mut parent: Option<String> = None;
    for other in current_snapshots(&store, ns, vm_name) {
        let has = other
            .pointer("/status/children")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|r| is_ref_to(r, &name)));
        if has {
            parent = Some(name_of(&other).to_string());
            let _ = store.mutate(&snapshot_gvr(), Some(ns), name_of(&other), |o| {
                if let Some(a) = o
                    .pointer_mut("/status/children")
                    .and_then(Value::as_array_mut)
                {
                    splice(a);
                }
            });
            break;
        }
    }
    let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
        if let Some(a) = o
            .pointer_mut("/status/rootSnapshots")
            .and_then(Value::as_array_mut)
        {
            splice(a);
        }
        let was_current = o
            .pointer("/status/currentSnapshot")
            .is_some_and(|c| is_ref_to(c, &name));
        if was_current {
            let st = status_mut(o);
            match &parent {
                Some(p) => {
                    st.insert("currentSnapshot".into(), managed(p));
                }
                None => {
                    st.remove("currentSnapshot");
                }
            }
        }
    });
    let _ = store.mutate(&snapshot_gvr(), Some(ns), &name, |o| {
        remove_finalizer(o, FINALIZER)
    });
    update_vm_usage(&store, ns, vm_name);
}

/// A snapshot taken in vCenter: an Unmanaged node under the current one, now current.
fn take_unmanaged(store: &Store, ns: &str, vm_name: &str) {
    let Some(vm) = store.get(&vm_gvr(), Some(ns), vm_name) else {
        return;
    };
    let current = vm.pointer("/status/currentSnapshot").cloned();
    let parent = current
        .as_ref()
        .filter(|c| c["type"] == "Managed")
        .and_then(|c| c["name"].as_str());
    match (&current, parent) {
        (_, Some(p)) => {
            let _ = store.mutate(&snapshot_gvr(), Some(ns), p, |o| {
                push_ref(status_mut(o), "children", unmanaged())
            });
        }
        (Some(_), None) => {}
        (None, None) => {
            let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
                push_ref(status_mut(o), "rootSnapshots", unmanaged())
            });
        }
    }
    let _ = store.mutate(&vm_gvr(), Some(ns), vm_name, |o| {
        remove_annotation(o, VCENTER_SNAPSHOT);
        status_mut(o).insert("currentSnapshot".into(), unmanaged());
    });
}
