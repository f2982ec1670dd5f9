//! Simulated Deckhouse Virtualization (`virtualization.deckhouse.io/v1alpha2`) controllers:
//! VMs, disks, images, VM and disk snapshots, VM operations (Start/Stop/Restore/Clone) and
//! snapshot operations (CreateVirtualMachine), after deckhouse/virtualization's controllers
//! (facts and sources in ../shared/reference/providers.md §2).
//!
//! Like the KubeVirt controllers: one task, level-triggered. Any Deckhouse event queues its
//! namespace, and a pass reconciles every Deckhouse object there, writing only on change
//! (a no-op update makes no event), so passes converge. Timed steps schedule a wake-up of the
//! namespace instead of sleeping. Scripts reuse the `controllers:` section of sim.yaml:
//! `vms.<name>.guestAgent` (AgentReady on start), `vms.startDelay`/`stopDelay`,
//! `snapshots.duration` and `snapshots.<snapshot|vm>` outcomes, `restores.duration` and
//! `restores.<operation|vm>: {outcome: Stuck}` (a restore that stays InProgress), `clones.duration`.
//! A disk annotated `vmsnap-sim/resize: Stuck` stays Resizing (storage that cannot expand yet),
//! so "a disk being resized" holds for as long as a test or a docs transcript needs it.

pub mod admission;
mod ops;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use super::{
    ControllerConfig, Outcome, add_finalizer, condition, condition_true, ensure_obj, has_finalizer,
    is_deleting, name_of, ns_of, remove_finalizer, str_at, uid_of,
};
use crate::registry::{ALL_VERBS, ResourceDef};
use crate::schema::PrinterColumn;
use crate::store::{Gvr, Store};

pub const GROUP: &str = "virtualization.deckhouse.io";
pub const VERSION: &str = "v1alpha2";
pub const API_VERSION: &str = "virtualization.deckhouse.io/v1alpha2";
/// Finalizer on every VirtualMachineSnapshot (`api/core/v1alpha2/finalizers.go`).
pub const VMS_FINALIZER: &str = "virtualization.deckhouse.io/vmsnapshot-protection";
/// Label the VMOP service puts on every operation.
pub const VM_UID_LABEL: &str = "virtualization.deckhouse.io/virtual-machine-uid";
/// Annotation on a clone's temporary snapshot: the VMOP's uid.
pub const VMOP_UID_ANNOTATION: &str = "virtualization.deckhouse.io/vmop-uid";
/// Annotation on a Clone VMOP naming its temporary snapshot.
pub const VMOP_SNAPSHOT_ANNOTATION: &str = "virtualization.deckhouse.io/vmop-snapshot-name";
/// VM annotation holding the power state before a restore.
pub const RESTORE_POWER_STATE_ANNOTATION: &str = "virtualization.deckhouse.io/restore-power-state";
/// Secret type of a VM snapshot's saved manifests.
pub const SNAPSHOT_SECRET_TYPE: &str = "virtualmachine.virtualization.deckhouse.io/snapshot";
/// How long finished operations are kept (`ctrl/vmop/gc.go`: 24h; scaled by the time scale).
pub const OPERATION_TTL: Duration = Duration::from_secs(24 * 3600);
/// How many finished operations are kept per VM (VMOP) or per snapshot (VMSOP).
pub const OPERATIONS_KEPT: usize = 10;
/// How long a disk resize takes before the time scale.
pub const RESIZE_DURATION: Duration = Duration::from_secs(30);
/// How long a disk takes to provision before the time scale.
pub const PROVISION_DURATION: Duration = Duration::from_secs(2);

/// The Deckhouse kinds (storage version) by plural.
pub fn gvr(plural: &str) -> Gvr {
    Gvr::new(GROUP, VERSION, plural)
}

pub(crate) fn secret_gvr() -> Gvr {
    Gvr::new("", "v1", "secrets")
}

pub(crate) fn vs_gvr() -> Gvr {
    Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots")
}

fn col(name: &str, type_: &str, json_path: &str, priority: i64) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        json_path: json_path.into(),
        description: String::new(),
        priority,
        format: String::new(),
    }
}

/// The Deckhouse kinds for the registry. Short names, categories and printer columns are
/// the CRDs' (the reference schemas overwrite them with the same values when found).
pub fn resource_defs() -> Vec<ResourceDef> {
    let age = || col("Age", "date", ".metadata.creationTimestamp", 0);
    let phase = || col("Phase", "string", ".status.phase", 0);
    let d =
        |kind: &str, plural: &str, short: &[&str], namespaced: bool, cols: Vec<PrinterColumn>| {
            ResourceDef {
                group: GROUP.into(),
                versions: vec![VERSION.into()],
                kind: kind.into(),
                list_kind: format!("{kind}List"),
                plural: plural.into(),
                singular: kind.to_lowercase(),
                short_names: short.iter().map(|s| s.to_string()).collect(),
                categories: vec!["virtualization".into()],
                namespaced,
                verbs: ALL_VERBS.to_vec(),
                status_subresource: true,
                printer_columns: cols,
                schemas: BTreeMap::new(),
                custom: true,
            }
        };
    let consistent = || col("Consistent", "boolean", ".status.consistent", 0);
    let mut vm = d(
        "VirtualMachine",
        "virtualmachines",
        &["vm"],
        true,
        vec![
            phase(),
            col("Node", "string", ".status.nodeName", 0),
            col("IPAddress", "string", ".status.ipAddress", 0),
            age(),
        ],
    );
    vm.categories.push("all".into());
    vec![
        vm,
        d(
            "VirtualDisk",
            "virtualdisks",
            &["vd"],
            true,
            vec![
                phase(),
                col("Capacity", "string", ".status.capacity", 0),
                age(),
            ],
        ),
        d(
            "VirtualImage",
            "virtualimages",
            &["vi"],
            true,
            vec![phase(), age()],
        ),
        d(
            "ClusterVirtualImage",
            "clustervirtualimages",
            &["cvi"],
            false,
            vec![phase(), age()],
        ),
        d(
            "VirtualMachineSnapshot",
            "virtualmachinesnapshots",
            &["vmsnapshot", "vms"],
            true,
            vec![phase(), consistent(), age()],
        ),
        d(
            "VirtualDiskSnapshot",
            "virtualdisksnapshots",
            &["vdsnapshot", "vds"],
            true,
            vec![phase(), consistent(), age()],
        ),
        d(
            "VirtualMachineOperation",
            "virtualmachineoperations",
            &["vmop"],
            true,
            vec![
                phase(),
                col("Type", "string", ".spec.type", 0),
                col("VirtualMachine", "string", ".spec.virtualMachineName", 0),
                age(),
            ],
        ),
        d(
            "VirtualMachineSnapshotOperation",
            "virtualmachinesnapshotoperations",
            &["vmsop"],
            true,
            vec![
                phase(),
                col("Type", "string", ".spec.type", 0),
                col(
                    "VirtualMachineSnapshot",
                    "string",
                    ".spec.virtualMachineSnapshotName",
                    0,
                ),
                age(),
            ],
        ),
        d(
            "VirtualMachineIPAddress",
            "virtualmachineipaddresses",
            &["vmip"],
            true,
            vec![col("Address", "string", ".status.address", 0), age()],
        ),
        d(
            "VirtualMachineMACAddress",
            "virtualmachinemacaddresses",
            &["vmmac"],
            true,
            vec![col("Address", "string", ".status.address", 0), age()],
        ),
        d(
            "VirtualMachineBlockDeviceAttachment",
            "virtualmachineblockdeviceattachments",
            &["vmbda"],
            true,
            vec![phase(), age()],
        ),
    ]
}

/// Controller state: the store, the config, and in-memory clocks and marks.
pub(crate) struct D {
    pub store: Store,
    pub config: Arc<ControllerConfig>,
    wake: mpsc::UnboundedSender<String>,
    since: HashMap<String, Instant>,
    /// "<what>/<uid>" marks: snapshots that froze a VM, consistent disk snapshots, ...
    pub marks: HashSet<String>,
    /// Pending wake-ups by namespace.
    wakes: HashMap<String, Instant>,
}

impl D {
    /// Whether `wait` has passed since `what` began for `uid` (recorded on first ask); if not,
    /// wake the namespace when it will have.
    pub fn elapsed(&mut self, what: &str, uid: &str, wait: Duration, ns: &str) -> bool {
        let started = *self
            .since
            .entry(format!("{what}/{uid}"))
            .or_insert_with(Instant::now);
        let passed = started.elapsed();
        if passed >= wait {
            return true;
        }
        let d = wait - passed;
        // One pending wake-up per namespace: an earlier one covers this.
        let now = Instant::now();
        let Some(due) = now.checked_add(d) else {
            return false;
        };
        if let Some(pending) = self.wakes.get(ns)
            && *pending > now
            && *pending <= due
        {
            return false;
        }
        self.wakes.insert(ns.to_string(), due);
        let (tx, ns) = (self.wake.clone(), ns.to_string());
        tokio::spawn(async move {
            tokio::time::sleep(d).await;
            let _ = tx.send(ns);
        });
        false
    }

    pub fn scaled(&self, d: Duration) -> Duration {
        self.config.scaled(d)
    }

    /// Replaces `obj` by `new` when they differ (a stale write is dropped: the event that
    /// made it stale queues another pass).
    pub fn write(&self, g: &Gvr, old: &Value, new: Value) -> Option<Value> {
        if *old == new {
            return Some(new);
        }
        self.store.update(g, new).ok()
    }

    pub fn get(&self, plural: &str, ns: &str, name: &str) -> Option<Value> {
        self.store.get(&gvr(plural), Some(ns), name)
    }

    pub fn list(&self, plural: &str, ns: &str) -> Vec<Value> {
        self.store.list(&gvr(plural), Some(ns))
    }
}

/// Sets a metav1.Condition (message always present, as the CRDs require); the
/// lastTransitionTime moves only when the status changes.
pub(crate) fn set_cond(obj: &mut Value, type_: &str, status: &str, reason: &str, message: &str) {
    let st = ensure_obj(obj, "status");
    let list = st.entry("conditions").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let Value::Array(conds) = list else { return };
    let mut cond = json!({"type": type_, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": crate::store::now_rfc3339()});
    if let Some(existing) = conds
        .iter_mut()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
    {
        if existing.get("status").and_then(Value::as_str) == Some(status) {
            cond["lastTransitionTime"] = existing
                .get("lastTransitionTime")
                .cloned()
                .unwrap_or(Value::Null);
        }
        *existing = cond;
    } else {
        conds.push(cond);
    }
}

pub(crate) fn remove_cond(obj: &mut Value, type_: &str) {
    if let Some(a) = obj
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        a.retain(|c| c.get("type").and_then(Value::as_str) != Some(type_));
    }
}

pub(crate) fn set_phase(obj: &mut Value, phase: &str) {
    ensure_obj(obj, "status").insert("phase".into(), json!(phase));
}

/// Sets a VM's phase, recording the transition in `status.stats` as the real controller does.
pub(crate) fn set_vm_phase(vm: &mut Value, ph: &str) {
    let last = vm
        .pointer("/status/stats/phasesTransitions")
        .and_then(Value::as_array)
        .and_then(|a| a.last())
        .and_then(|t| t.get("phase"))
        .and_then(Value::as_str)
        .map(str::to_string);
    set_phase(vm, ph);
    if last.as_deref() == Some(ph) {
        return;
    }
    let now = crate::store::now_rfc3339();
    let st = ensure_obj(vm, "status");
    let stats = st.entry("stats").or_insert_with(|| json!({}));
    if !stats.is_object() {
        *stats = json!({});
    }
    if let Some(s) = stats.as_object_mut() {
        let list = s.entry("phasesTransitions").or_insert_with(|| json!([]));
        if !list.is_array() {
            *list = json!([]);
        }
        if let Some(a) = list.as_array_mut() {
            a.push(json!({"phase": ph, "timestamp": now}));
        }
        if ph == "Running" {
            s.insert("lastStartTime".into(), json!(now));
        }
    }
}

pub(crate) fn phase(obj: &Value) -> &str {
    str_at(obj, "/status/phase").unwrap_or("")
}

/// A controller owner reference to a Deckhouse object.
pub(crate) fn owner(obj: &Value, kind: &str) -> Value {
    json!({"apiVersion": API_VERSION, "kind": kind, "name": name_of(obj), "uid": uid_of(obj),
        "controller": true, "blockOwnerDeletion": true})
}

/// Bytes of a Kubernetes quantity ("10Gi", "500M", "1073741824").
pub fn quantity_bytes(q: &str) -> Option<u128> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, unit) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor: f64 = match unit {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => return None,
    };
    Some((n * factor) as u128)
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (Secret `data`).
pub(crate) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = B64.iter().position(|x| *x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A JSON value saved in a snapshot Secret under `key`.
pub(crate) fn secret_json(secret: &Value, key: &str) -> Option<Value> {
    let raw = b64_decode(str_at(secret, &format!("/data/{key}"))?)?;
    serde_json::from_slice(&raw).ok()
}

/// Starts the Deckhouse controllers on `store` (objects already there are reconciled first).
pub fn spawn(store: Store, config: Arc<ControllerConfig>) -> JoinHandle<()> {
    let events = store.subscribe();
    let (tx, rx) = mpsc::unbounded_channel();
    let d = D {
        store,
        config,
        wake: tx,
        since: HashMap::new(),
        marks: HashSet::new(),
        wakes: HashMap::new(),
    };
    tokio::spawn(run(d, events, rx))
}

const PLURALS: &[&str] = &[
    "virtualmachines",
    "virtualdisks",
    "virtualimages",
    "clustervirtualimages",
    "virtualmachinesnapshots",
    "virtualdisksnapshots",
    "virtualmachineoperations",
    "virtualmachinesnapshotoperations",
];

async fn run(
    mut d: D,
    mut events: broadcast::Receiver<crate::store::Event>,
    mut wake: mpsc::UnboundedReceiver<String>,
) {
    let mut queue: BTreeSet<String> = BTreeSet::new();
    resync(&d, &mut queue);
    loop {
        while let Some(ns) = queue.pop_first() {
            reconcile_ns(&mut d, &ns);
            loop {
                match events.try_recv() {
                    Ok(ev) => queue_event(&ev, &mut queue),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => resync(&d, &mut queue),
                    Err(_) => break,
                }
            }
            while let Ok(ns) = wake.try_recv() {
                queue.insert(ns);
            }
        }
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(ev) => queue_event(&ev, &mut queue),
                Err(broadcast::error::RecvError::Lagged(_)) => resync(&d, &mut queue),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            Some(ns) = wake.recv() => { queue.insert(ns); }
        }
    }
}

fn resync(d: &D, queue: &mut BTreeSet<String>) {
    for p in PLURALS {
        d.store.visit(&gvr(p), None, None, |o| {
            queue.insert(ns_of(o).to_string());
            true
        });
    }
}

fn queue_event(ev: &crate::store::Event, queue: &mut BTreeSet<String>) {
    if ev.gvr.group == GROUP {
        queue.insert(ns_of(&ev.object).to_string());
    }
}

/// One pass over a namespace ("" = the cluster-scoped images).
fn reconcile_ns(d: &mut D, ns: &str) {
    if ns.is_empty() {
        for cvi in d.store.list(&gvr("clustervirtualimages"), None) {
            reconcile_image(d, "clustervirtualimages", &cvi);
        }
        return;
    }
    for vi in d.list("virtualimages", ns) {
        reconcile_image(d, "virtualimages", &vi);
    }
    for vd in d.list("virtualdisks", ns) {
        reconcile_disk(d, &vd);
    }
    for vm in d.list("virtualmachines", ns) {
        reconcile_vm(d, &vm);
    }
    for vds in d.list("virtualdisksnapshots", ns) {
        reconcile_disk_snapshot(d, &vds);
    }
    for vms in d.list("virtualmachinesnapshots", ns) {
        reconcile_vm_snapshot(d, &vms);
    }
    ops::reconcile_operations(d, ns);
}

/// Images simply become Ready: they exist, and are never captured by snapshots.
fn reconcile_image(d: &mut D, plural: &str, img: &Value) {
    if !phase(img).is_empty() || is_deleting(img) {
        return;
    }
    let mut new = img.clone();
    set_phase(&mut new, "Ready");
    let st = ensure_obj(&mut new, "status");
    st.insert(
        "size".into(),
        json!({"stored": "1Gi", "storedBytes": "1073741824",
        "unpacked": "10Gi", "unpackedBytes": "10737418240"}),
    );
    set_cond(&mut new, "Ready", "True", "Ready", "");
    let g = if plural == "clustervirtualimages" {
        gvr(plural)
    } else {
        gvr("virtualimages")
    };
    d.write(&g, img, new);
}

/// VMs referencing a block device (kind, name) in their spec.
fn users_of(vms: &[Value], kind: &str, name: &str) -> Vec<String> {
    vms.iter()
        .filter(|vm| {
            vm.pointer("/spec/blockDeviceRefs")
                .and_then(Value::as_array)
                .is_some_and(|a| {
                    a.iter().any(|r| {
                        r.get("kind").and_then(Value::as_str) == Some(kind)
                            && r.get("name").and_then(Value::as_str) == Some(name)
                    })
                })
        })
        .map(|vm| name_of(vm).to_string())
        .collect()
}

/// Annotation of a disk whose resize never finishes.
pub const RESIZE_ANNOTATION: &str = "vmsnap-sim/resize";

fn resize_stuck(vd: &Value) -> bool {
    vd.pointer("/metadata/annotations")
        .and_then(|a| a.get(RESIZE_ANNOTATION))
        .and_then(Value::as_str)
        == Some("Stuck")
}

fn reconcile_disk(d: &mut D, vd: &Value) {
    if is_deleting(vd) {
        return;
    }
    let (ns, name, uid) = (ns_of(vd), name_of(vd), uid_of(vd).to_string());
    let mut new = vd.clone();
    let spec_size = str_at(vd, "/spec/persistentVolumeClaim/size").map(str::to_string);
    match phase(vd) {
        "" | "Pending" | "Provisioning" => {
            let mut size = spec_size.clone();
            if str_at(vd, "/spec/dataSource/objectRef/kind") == Some("VirtualDiskSnapshot") {
                let snap = str_at(vd, "/spec/dataSource/objectRef/name").unwrap_or("");
                let vds = d.get("virtualdisksnapshots", ns, snap);
                let Some(vds) = vds.filter(|v| phase(v) == "Ready") else {
                    set_phase(&mut new, "Pending");
                    set_cond(
                        &mut new,
                        "DatasourceReady",
                        "False",
                        "VirtualDiskSnapshotNotReady",
                        &format!("The VirtualDiskSnapshot {snap:?} is not ready yet."),
                    );
                    d.write(&gvr("virtualdisks"), vd, new);
                    return;
                };
                let restore = str_at(
                    &vds,
                    "/metadata/annotations/virtualization.deckhouse.io~1restore-size",
                )
                .map(str::to_string)
                .or_else(|| {
                    let vs = str_at(&vds, "/status/volumeSnapshotName")?;
                    let vs = d.store.get(&vs_gvr(), Some(ns), vs)?;
                    str_at(&vs, "/status/restoreSize").map(str::to_string)
                });
                if size.is_none() {
                    size = restore;
                }
            }
            if !d.elapsed("provision", &uid, d.scaled(PROVISION_DURATION), ns) {
                set_phase(&mut new, "Provisioning");
                set_cond(&mut new, "Ready", "False", "Provisioning", "");
                d.write(&gvr("virtualdisks"), vd, new);
                return;
            }
            set_phase(&mut new, "Ready");
            let sc = str_at(vd, "/spec/persistentVolumeClaim/storageClassName")
                .unwrap_or("linstor-thin-r2")
                .to_string();
            let st = ensure_obj(&mut new, "status");
            st.insert(
                "capacity".into(),
                json!(size.unwrap_or_else(|| "10Gi".into())),
            );
            st.insert("storageClassName".into(), json!(sc));
            st.insert(
                "target".into(),
                json!({"persistentVolumeClaimName": format!("vd-{name}-{uid}")}),
            );
            set_cond(&mut new, "DatasourceReady", "True", "DatasourceReady", "");
            set_cond(&mut new, "Ready", "True", "Ready", "");
        }
        "Ready" => {
            // A disk loaded as Ready (a scenario) gets the condition the controller keeps.
            if condition(vd, "Ready").is_none() {
                set_cond(&mut new, "Ready", "True", "Ready", "");
            }
            let cap = str_at(vd, "/status/capacity").and_then(quantity_bytes);
            let want = spec_size.as_deref().and_then(quantity_bytes);
            if let (Some(c), Some(w)) = (cap, want)
                && w > c
            {
                d.since.remove(&format!("resize/{uid}"));
                d.elapsed("resize", &uid, d.scaled(RESIZE_DURATION), ns);
                set_phase(&mut new, "Resizing");
                set_cond(
                    &mut new,
                    "Resized",
                    "False",
                    "InProgress",
                    "The virtual disk is being resized.",
                );
            }
        }
        "Resizing"
            if !resize_stuck(vd) && d.elapsed("resize", &uid, d.scaled(RESIZE_DURATION), ns) =>
        {
            set_phase(&mut new, "Ready");
            if let Some(s) = spec_size {
                ensure_obj(&mut new, "status").insert("capacity".into(), json!(s));
            }
            set_cond(&mut new, "Resized", "True", "Resized", "");
        }
        _ => {}
    }
    let vms = d.list("virtualmachines", ns);
    let attached: Vec<Value> = users_of(&vms, "VirtualDisk", name)
        .into_iter()
        .map(|vm| {
            let running = d
                .get("virtualmachines", ns, &vm)
                .is_some_and(|v| phase(&v) == "Running");
            json!({"name": vm, "mounted": running})
        })
        .collect();
    let st = ensure_obj(&mut new, "status");
    if attached.is_empty() {
        st.remove("attachedToVirtualMachines");
    } else {
        st.insert("attachedToVirtualMachines".into(), json!(attached));
    }
    d.write(&gvr("virtualdisks"), vd, new);
}

fn reconcile_vm(d: &mut D, vm: &Value) {
    if is_deleting(vm) {
        return;
    }
    let (ns, name, uid) = (ns_of(vm), name_of(vm), uid_of(vm).to_string());
    let mut new = vm.clone();
    let old_phase = phase(vm).to_string();
    let mut ph = old_phase.clone();
    if ph.is_empty() {
        ph = match str_at(vm, "/spec/runPolicy") {
            Some("AlwaysOff" | "Manual") => "Stopped".into(),
            _ => "Running".into(),
        };
    }
    if condition_true(vm, "Maintenance")
        && matches!(ph.as_str(), "Running" | "Starting" | "Stopping")
    {
        ph = "Stopped".into();
    }
    if ph == "Starting" {
        let wait = d.scaled(d.config.vms.start_delay.0);
        if d.elapsed("start", &uid, wait, ns) {
            ph = "Running".into();
        }
    } else {
        d.since.remove(&format!("start/{uid}"));
    }
    if ph == "Stopping" {
        let wait = d.scaled(d.config.vms.stop_delay.0);
        if d.elapsed("stop", &uid, wait, ns) {
            ph = "Stopped".into();
        }
    } else {
        d.since.remove(&format!("stop/{uid}"));
    }
    set_vm_phase(&mut new, &ph);
    let running = ph == "Running";
    let ip_name = str_at(vm, "/status/virtualMachineIPAddressName")
        .or_else(|| str_at(vm, "/spec/virtualMachineIPAddressName"))
        .map(str::to_string);
    let address = ip_name
        .as_deref()
        .and_then(|n| d.get("virtualmachineipaddresses", ns, n))
        .and_then(|ip| str_at(&ip, "/status/address").map(str::to_string));
    {
        let st = ensure_obj(&mut new, "status");
        if running {
            st.entry("nodeName")
                .or_insert_with(|| json!("virtlab-worker-1"));
            if let Some(a) = address {
                st.insert("ipAddress".into(), json!(a));
            }
        } else {
            st.remove("nodeName");
            st.remove("ipAddress");
        }
        if let Some(n) = ip_name {
            st.insert("virtualMachineIPAddressName".into(), json!(n));
        }
    }
    if running {
        if condition(vm, "AgentReady").is_none() {
            if d.config.vms.script(ns, name).guest_agent {
                set_cond(&mut new, "AgentReady", "True", "AgentReady", "");
            } else {
                set_cond(
                    &mut new,
                    "AgentReady",
                    "False",
                    "AgentNotReady",
                    "Failed to connect to VM Agent.",
                );
            }
        }
    } else {
        remove_cond(&mut new, "AgentReady");
        remove_cond(&mut new, "FilesystemFrozen");
    }
    // Block devices as the status reports them, and whether they are all ready.
    let mut refs = Vec::new();
    let mut not_ready: Option<String> = None;
    for r in vm
        .pointer("/spec/blockDeviceRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
        let bname = r.get("name").and_then(Value::as_str).unwrap_or("");
        let obj = match kind {
            "VirtualDisk" => d.get("virtualdisks", ns, bname),
            "VirtualImage" => d.get("virtualimages", ns, bname),
            "ClusterVirtualImage" => d.store.get(&gvr("clustervirtualimages"), None, bname),
            _ => None,
        };
        let ready = obj
            .as_ref()
            .is_some_and(|o| matches!(phase(o), "Ready" | "Resizing"));
        if !ready && not_ready.is_none() {
            not_ready = Some(format!("{kind} {bname:?}"));
        }
        let size = obj
            .as_ref()
            .and_then(|o| {
                str_at(o, "/status/capacity").or_else(|| str_at(o, "/status/size/unpacked"))
            })
            .unwrap_or("")
            .to_string();
        let mut entry =
            json!({"kind": kind, "name": bname, "size": size, "attached": running && ready});
        if running && ready {
            entry["target"] = json!(format!("sd{}", (b'a' + (refs.len() as u8 % 26)) as char));
        }
        refs.push(entry);
    }
    ensure_obj(&mut new, "status").insert("blockDeviceRefs".into(), json!(refs));
    match not_ready {
        None => set_cond(
            &mut new,
            "BlockDevicesReady",
            "True",
            "BlockDevicesReady",
            "",
        ),
        Some(what) => set_cond(
            &mut new,
            "BlockDevicesReady",
            "False",
            "BlockDevicesNotReady",
            &format!("Waiting for the block device {what} to be ready."),
        ),
    }
    // Snapshotting in flight: any unsettled snapshot of this VM.
    let snapshotting = d
        .list("virtualmachinesnapshots", ns)
        .iter()
        .any(|s| str_at(s, "/spec/virtualMachineName") == Some(name) && phase(s) == "InProgress");
    if snapshotting {
        set_cond(
            &mut new,
            "Snapshotting",
            "True",
            "SnapshottingInProgress",
            "",
        );
    } else {
        remove_cond(&mut new, "Snapshotting");
    }
    d.write(&gvr("virtualmachines"), vm, new);
}

/// The VM a disk is attached to (from the disk's status), if any.
fn disk_user(d: &D, vd: &Value) -> Option<Value> {
    let vm = vd
        .pointer("/status/attachedToVirtualMachines/0/name")
        .and_then(Value::as_str)?;
    d.get("virtualmachines", ns_of(vd), vm)
}

pub(crate) fn freeze(d: &D, vm: &Value, frozen: bool) {
    let mut new = vm.clone();
    if frozen {
        set_cond(&mut new, "FilesystemFrozen", "True", "Frozen", "");
    } else {
        remove_cond(&mut new, "FilesystemFrozen");
    }
    d.write(&gvr("virtualmachines"), vm, new);
}

fn reconcile_disk_snapshot(d: &mut D, vds: &Value) {
    let (ns, name, uid) = (ns_of(vds), name_of(vds), uid_of(vds).to_string());
    if is_deleting(vds) {
        return;
    }
    let mut new = vds.clone();
    let vd_name = str_at(vds, "/spec/virtualDiskName")
        .unwrap_or("")
        .to_string();
    let required = vds
        .pointer("/spec/requiredConsistency")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    match phase(vds) {
        "Ready" => {
            // The VolumeSnapshot behind it vanished: Lost.
            let vs = str_at(vds, "/status/volumeSnapshotName").unwrap_or("");
            if d.store.get(&vs_gvr(), Some(ns), vs).is_none() {
                set_phase(&mut new, "Failed");
                set_cond(
                    &mut new,
                    "VirtualDiskSnapshotReady",
                    "False",
                    "Lost",
                    &format!("The underlying VolumeSnapshot {vs:?} is no longer available."),
                );
            }
        }
        "Failed" | "Terminating" => {}
        "" | "Pending" => {
            set_phase(&mut new, "Pending");
            let vd = d.get("virtualdisks", ns, &vd_name);
            let Some(vd) = vd.filter(|v| phase(v) == "Ready") else {
                set_cond(
                    &mut new,
                    "VirtualDiskReady",
                    "False",
                    "VirtualDiskNotReadyForSnapshotting",
                    &format!(
                        "Waiting for the virtual disk {vd_name:?} to be ready for snapshotting."
                    ),
                );
                d.write(&gvr("virtualdisksnapshots"), vds, new);
                return;
            };
            set_cond(&mut new, "VirtualDiskReady", "True", "VirtualDiskReady", "");
            let user = disk_user(d, &vd);
            let running = user.as_ref().is_some_and(|vm| phase(vm) == "Running");
            let frozen = user
                .as_ref()
                .is_some_and(|vm| condition_true(vm, "FilesystemFrozen"));
            let agent = user
                .as_ref()
                .is_some_and(|vm| condition_true(vm, "AgentReady"));
            let mut consistent = !running || frozen;
            if !consistent && agent {
                // Freeze the guest ourselves (a standalone disk snapshot of a running VM).
                if let Some(vm) = &user {
                    freeze(d, vm, true);
                    d.marks.insert(format!("froze/{uid}"));
                    consistent = true;
                }
            }
            if required && !consistent {
                let vm = user.as_ref().map(name_of).unwrap_or("");
                set_phase(&mut new, "Failed");
                set_cond(
                    &mut new,
                    "VirtualDiskSnapshotReady",
                    "False",
                    "PotentiallyInconsistent",
                    &format!(
                        "Cannot take a consistent snapshot of the virtual disk {vd_name:?}: it is attached to the running virtual machine {vm:?} whose agent is not ready, so the file system cannot be frozen."
                    ),
                );
                d.write(&gvr("virtualdisksnapshots"), vds, new);
                return;
            }
            if consistent {
                d.marks.insert(format!("consistent/{uid}"));
            }
            let vs_name = format!("d8v-vds-{name}-{uid}");
            if d.store.get(&vs_gvr(), Some(ns), &vs_name).is_none() {
                let pvc = str_at(&vd, "/status/target/persistentVolumeClaimName").unwrap_or("");
                let vs = json!({"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
                    "metadata": {"name": vs_name, "namespace": ns,
                        "ownerReferences": [owner(vds, "VirtualDiskSnapshot")]},
                    "spec": {"source": {"persistentVolumeClaimName": pvc}},
                    "status": {"readyToUse": false}});
                let _ = d.store.create(&vs_gvr(), vs);
            }
            set_phase(&mut new, "InProgress");
            ensure_obj(&mut new, "status").insert("volumeSnapshotName".into(), json!(vs_name));
            set_cond(
                &mut new,
                "VirtualDiskSnapshotReady",
                "False",
                "Snapshotting",
                &format!(
                    "Waiting for the snapshot of virtual disk {vd_name:?} to be ready to use."
                ),
            );
        }
        "InProgress" => {
            let owner_snap = vds
                .pointer("/metadata/ownerReferences/0/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let script = d
                .config
                .snapshots
                .find(ns, &[owner_snap, name, &vd_name])
                .cloned();
            let wait = script
                .as_ref()
                .and_then(|s| s.after)
                .unwrap_or(d.config.snapshots.duration)
                .0;
            if script.as_ref().map(|s| s.outcome) == Some(Outcome::Stuck)
                || !d.elapsed("vds", &uid, d.scaled(wait), ns)
            {
                return;
            }
            if d.marks.remove(&format!("froze/{uid}"))
                && let Some(vd) = d.get("virtualdisks", ns, &vd_name)
                && let Some(vm) = disk_user(d, &vd)
            {
                freeze(d, &vm, false);
            }
            if script.as_ref().map(|s| s.outcome) == Some(Outcome::Failed) {
                let msg = script
                    .and_then(|s| s.message)
                    .unwrap_or_else(|| "the CSI driver failed to take the snapshot".into());
                let vs = str_at(vds, "/status/volumeSnapshotName").unwrap_or("");
                set_phase(&mut new, "Failed");
                set_cond(
                    &mut new,
                    "VirtualDiskSnapshotReady",
                    "False",
                    "VirtualDiskSnapshotFailed",
                    &format!("VolumeSnapshot {vs:?} has an error: {msg}."),
                );
                d.write(&gvr("virtualdisksnapshots"), vds, new);
                return;
            }
            let size = d
                .get("virtualdisks", ns, &vd_name)
                .and_then(|vd| str_at(&vd, "/status/capacity").map(str::to_string))
                .unwrap_or_else(|| "10Gi".into());
            let vs_name = str_at(vds, "/status/volumeSnapshotName")
                .unwrap_or("")
                .to_string();
            if let Some(vs) = d.store.get(&vs_gvr(), Some(ns), &vs_name) {
                let mut nvs = vs.clone();
                let st = ensure_obj(&mut nvs, "status");
                st.insert("readyToUse".into(), json!(true));
                st.insert("restoreSize".into(), json!(size));
                st.insert("creationTime".into(), json!(crate::store::now_rfc3339()));
                st.insert(
                    "boundVolumeSnapshotContentName".into(),
                    json!(format!("snapcontent-{}", uid_of(&vs))),
                );
                d.write(&vs_gvr(), &vs, nvs);
            }
            set_phase(&mut new, "Ready");
            if d.marks.contains(&format!("consistent/{uid}")) {
                ensure_obj(&mut new, "status").insert("consistent".into(), json!(true));
            }
            set_cond(
                &mut new,
                "VirtualDiskSnapshotReady",
                "True",
                "VirtualDiskSnapshotReady",
                "",
            );
        }
        _ => {}
    }
    d.write(&gvr("virtualdisksnapshots"), vds, new);
}

/// The VirtualDisks of a VM spec, in order.
pub(crate) fn vm_disks(vm: &Value) -> Vec<String> {
    vm.pointer("/spec/blockDeviceRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("kind").and_then(Value::as_str) == Some("VirtualDisk"))
        .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Strips server-set metadata, keeping name, labels and annotations (a saved manifest).
pub(crate) fn manifest(obj: &Value) -> Value {
    let mut m = json!({"apiVersion": obj.get("apiVersion").cloned().unwrap_or(Value::Null),
        "kind": obj.get("kind").cloned().unwrap_or(Value::Null),
        "metadata": {"name": name_of(obj)},
        "spec": obj.get("spec").cloned().unwrap_or(json!({}))});
    for k in ["labels", "annotations"] {
        if let Some(v) = obj.pointer(&format!("/metadata/{k}")) {
            m["metadata"][k] = v.clone();
        }
    }
    m
}

/// `ensureBlockDeviceConsistency` of the snapshot's life cycle: the VM's BlockDevicesReady,
/// then each disk Ready (phase, then condition) and not being resized. The message is the
/// error as the controller words it.
fn block_devices_not_ready(d: &D, ns: &str, vm: &Value, disks: &[String]) -> Option<String> {
    let vm_name = name_of(vm);
    if !condition_true(vm, "BlockDevicesReady") {
        return Some(format!(
            "Block devices not ready: waiting for the block devices of the virtual machine {vm_name:?} to be ready."
        ));
    }
    for disk in disks {
        let Some(vd) = d.get("virtualdisks", ns, disk) else {
            continue;
        };
        if phase(&vd) != "Ready" {
            return Some(format!(
                "Virtual disk not ready: waiting for the virtual disk {disk:?} to be Ready."
            ));
        }
        if !condition_true(&vd, "Ready") {
            return Some(format!(
                "Virtual disk not ready: waiting for the Ready condition of the virtual disk {disk:?} to be True."
            ));
        }
        if condition_true(&vd, "Resizing") {
            return Some(format!(
                "Virtual disk is in the process of resizing: waiting for the virtual disk {disk:?} to be resized."
            ));
        }
    }
    None
}

fn fail_vms(d: &D, vms: &Value, new: &mut Value, reason: &str, message: &str) {
    set_phase(new, "Failed");
    set_cond(new, "VirtualMachineSnapshotReady", "False", reason, message);
    if d.marks.contains(&format!("froze/{}", uid_of(vms)))
        && let Some(vm) = d.get(
            "virtualmachines",
            ns_of(vms),
            str_at(vms, "/spec/virtualMachineName").unwrap_or(""),
        )
    {
        freeze(d, &vm, false);
    }
}

fn reconcile_vm_snapshot(d: &mut D, vms: &Value) {
    let (ns, name, uid) = (
        ns_of(vms),
        name_of(vms).to_string(),
        uid_of(vms).to_string(),
    );
    let g = gvr("virtualmachinesnapshots");
    let vm_name = str_at(vms, "/spec/virtualMachineName")
        .unwrap_or("")
        .to_string();
    if is_deleting(vms) {
        if d.marks.remove(&format!("froze/{uid}"))
            && let Some(vm) = d.get("virtualmachines", ns, &vm_name)
        {
            freeze(d, &vm, false);
        }
        if has_finalizer(vms, VMS_FINALIZER) {
            let mut new = vms.clone();
            remove_finalizer(&mut new, VMS_FINALIZER);
            d.write(&g, vms, new);
        }
        return;
    }
    let mut new = vms.clone();
    add_finalizer(&mut new, VMS_FINALIZER);
    let required = vms
        .pointer("/spec/requiredConsistency")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let keep_ip = str_at(vms, "/spec/keepIPAddress").unwrap_or("Always") == "Always";
    match phase(vms) {
        "Failed" | "Terminating" => {}
        "Ready" => {
            let lost: Vec<String> = str_array(vms, "/status/virtualDiskSnapshotNames")
                .into_iter()
                .filter(|n| d.get("virtualdisksnapshots", ns, n).is_none())
                .collect();
            if lost.is_empty() {
                // Every reconcile after the first Ready one says VirtualMachineSnapshotReady.
                set_cond(
                    &mut new,
                    "VirtualMachineSnapshotReady",
                    "True",
                    "VirtualMachineSnapshotReady",
                    "",
                );
            } else {
                set_phase(&mut new, "Failed");
                let message = match lost.as_slice() {
                    [one] => format!("The underlying virtual disk snapshot ({one}) is lost."),
                    many => format!(
                        "The underlying virtual disk snapshots ({}) are lost.",
                        many.join(", ")
                    ),
                };
                set_cond(
                    &mut new,
                    "VirtualMachineSnapshotReady",
                    "False",
                    "VirtualDiskSnapshotLost",
                    &message,
                );
            }
        }
        "" | "Pending" => {
            set_phase(&mut new, "Pending");
            // The VirtualMachineReady handler, then the life cycle's checks: each failure is
            // final (life_cycle.go fails the snapshot, it never waits for the VM or disks).
            let Some(vm) = d.get("virtualmachines", ns, &vm_name) else {
                set_cond(
                    &mut new,
                    "VirtualMachineReady",
                    "False",
                    "VirtualMachineNotReadyForSnapshotting",
                    &format!("The virtual machine {vm_name:?} was not found."),
                );
                fail_vms(
                    d,
                    vms,
                    &mut new,
                    "WaitingForTheVirtualMachine",
                    &format!(
                        "Cannot take a snapshot: the virtual machine {vm_name:?} does not exist."
                    ),
                );
                d.write(&g, vms, new);
                return;
            };
            let vm_phase = phase(&vm).to_string();
            let not_ready = if is_deleting(&vm) {
                Some(format!(
                    "The virtual machine {vm_name:?} is in the process of deletion."
                ))
            } else if !matches!(vm_phase.as_str(), "Running" | "Stopped") {
                Some(format!(
                    "The virtual machine {vm_name:?} is in the {vm_phase:?} phase: waiting for it to reach the Running or Stopped phase."
                ))
            } else {
                None
            };
            if let Some(why) = not_ready {
                set_cond(
                    &mut new,
                    "VirtualMachineReady",
                    "False",
                    "VirtualMachineNotReadyForSnapshotting",
                    &why,
                );
                fail_vms(
                    d,
                    vms,
                    &mut new,
                    "WaitingForTheVirtualMachine",
                    &format!(
                        "Cannot take a snapshot: the virtual machine {vm_name:?} is not ready."
                    ),
                );
                d.write(&g, vms, new);
                return;
            }
            set_cond(
                &mut new,
                "VirtualMachineReady",
                "True",
                "VirtualMachineReady",
                "",
            );
            let disks = vm_disks(&vm);
            if let Some(why) = block_devices_not_ready(d, ns, &vm, &disks) {
                fail_vms(d, vms, &mut new, "BlockDevicesNotReady", &why);
                d.write(&g, vms, new);
                return;
            }
            let running = vm_phase == "Running";
            let agent = condition_true(&vm, "AgentReady");
            if running && required && !agent {
                fail_vms(
                    d,
                    vms,
                    &mut new,
                    "PotentiallyInconsistent",
                    &format!(
                        "Cannot take a consistent snapshot of virtual machine {vm_name:?}: virtual machine agent is not ready and the virtual machine cannot be frozen."
                    ),
                );
                d.write(&g, vms, new);
                return;
            }
            if running && agent {
                freeze(d, &vm, true);
                d.marks.insert(format!("froze/{uid}"));
            }
            // The Secret with the saved manifests (VM, IP, MACs, disks), owned by the snapshot.
            let secret_name = format!("d8v-vms-{name}-{uid}");
            let mut data = serde_json::Map::new();
            data.insert(
                "vm".into(),
                json!(b64_encode(manifest(&vm).to_string().as_bytes())),
            );
            let ip_name = str_at(&vm, "/status/virtualMachineIPAddressName")
                .or_else(|| str_at(&vm, "/spec/virtualMachineIPAddressName"))
                .map(str::to_string);
            if keep_ip
                && let Some(ip_name) = &ip_name
                && let Some(ip) = d.get("virtualmachineipaddresses", ns, ip_name)
            {
                // Keeping the address: an Auto address becomes Static.
                let mut nip = ip.clone();
                if let Some(addr) = str_at(&ip, "/status/address").map(str::to_string) {
                    nip["spec"]["type"] = json!("Static");
                    nip["spec"]["staticIP"] = json!(addr);
                }
                let saved = d
                    .write(&gvr("virtualmachineipaddresses"), &ip, nip)
                    .unwrap_or(ip);
                let mut m = manifest(&saved);
                m["status"] = json!({"address": str_at(&saved, "/status/address")});
                data.insert("vmip".into(), json!(b64_encode(m.to_string().as_bytes())));
            }
            let macs: Vec<Value> = d
                .list("virtualmachinemacaddresses", ns)
                .iter()
                .filter(|m| str_at(m, "/status/virtualMachineName") == Some(vm_name.as_str()))
                .map(|m| {
                    let mut s = manifest(m);
                    s["status"] = json!({"address": str_at(m, "/status/address")});
                    s
                })
                .collect();
            if !macs.is_empty() {
                data.insert(
                    "vmmacs".into(),
                    json!(b64_encode(Value::Array(macs).to_string().as_bytes())),
                );
            }
            let vds_saved: Vec<Value> = disks
                .iter()
                .filter_map(|n| d.get("virtualdisks", ns, n))
                .map(|vd| {
                    let mut m = manifest(&vd);
                    m["status"] = json!({"capacity": str_at(&vd, "/status/capacity"),
                        "storageClassName": str_at(&vd, "/status/storageClassName")});
                    m
                })
                .collect();
            data.insert(
                "vds".into(),
                json!(b64_encode(Value::Array(vds_saved).to_string().as_bytes())),
            );
            if d.store.get(&secret_gvr(), Some(ns), &secret_name).is_none() {
                let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": SNAPSHOT_SECRET_TYPE,
                    "metadata": {"name": secret_name, "namespace": ns,
                        "ownerReferences": [owner(vms, "VirtualMachineSnapshot")]},
                    "data": data});
                let _ = d.store.create(&secret_gvr(), secret);
            }
            let mut names = Vec::new();
            for disk in &disks {
                let vds_name = format!("{disk}-{uid}");
                if d.get("virtualdisksnapshots", ns, &vds_name).is_none() {
                    let vds = json!({"apiVersion": API_VERSION, "kind": "VirtualDiskSnapshot",
                        "metadata": {"name": vds_name, "namespace": ns,
                            "ownerReferences": [owner(vms, "VirtualMachineSnapshot")]},
                        "spec": {"virtualDiskName": disk, "requiredConsistency": required}});
                    let _ = d.store.create(&gvr("virtualdisksnapshots"), vds);
                }
                names.push(vds_name);
            }
            set_phase(&mut new, "InProgress");
            let st = ensure_obj(&mut new, "status");
            st.insert(
                "virtualMachineSnapshotSecretName".into(),
                json!(secret_name),
            );
            st.insert("virtualDiskSnapshotNames".into(), json!(names));
            let message = if running && agent {
                format!(
                    "The virtual machine {vm_name:?} is in the process of being frozen for taking a snapshot."
                )
            } else {
                format!(
                    "Waiting for the virtual disk snapshots to be taken for the block devices of the virtual machine {vm_name:?} (0/{}).",
                    names.len()
                )
            };
            let reason = if running && agent {
                "FileSystemFreezing"
            } else {
                "Snapshotting"
            };
            set_cond(
                &mut new,
                "VirtualMachineSnapshotReady",
                "False",
                reason,
                &message,
            );
        }
        "InProgress" => {
            let names = str_array(vms, "/status/virtualDiskSnapshotNames");
            let all: Vec<Option<Value>> = names
                .iter()
                .map(|n| d.get("virtualdisksnapshots", ns, n))
                .collect();
            let script = d.config.snapshots.find(ns, &[&name, &vm_name]).cloned();
            if let Some(s) = &script
                && s.outcome == Outcome::Failed
            {
                let wait = s.after.unwrap_or(d.config.snapshots.duration).0;
                if d.elapsed("vms-fail", &uid, d.scaled(wait), ns) {
                    let msg = s
                        .message
                        .clone()
                        .unwrap_or_else(|| "the snapshot failed".into());
                    fail_vms(
                        d,
                        vms,
                        &mut new,
                        "VirtualMachineSnapshotFailed",
                        &format!("{msg}."),
                    );
                    d.marks.remove(&format!("froze/{uid}"));
                }
                d.write(&g, vms, new);
                return;
            }
            if let Some(failed) = all.iter().flatten().find(|v| phase(v) == "Failed") {
                let why = condition(failed, "VirtualDiskSnapshotReady")
                    .and_then(|c| c.get("message"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                fail_vms(
                    d,
                    vms,
                    &mut new,
                    "VirtualMachineSnapshotFailed",
                    // ensureVirtualDiskSnapshots: "the virtual disk snapshot %q is failed: %w. %s",
                    // capitalised, with a final period.
                    &format!(
                        "The virtual disk snapshot {:?} is failed: cannot take snapshot. {}.",
                        name_of(failed),
                        why.trim_end_matches('.')
                    ),
                );
                d.marks.remove(&format!("froze/{uid}"));
                d.write(&g, vms, new);
                return;
            }
            let ready = all.iter().flatten().filter(|v| phase(v) == "Ready").count();
            if ready < names.len() {
                set_cond(
                    &mut new,
                    "VirtualMachineSnapshotReady",
                    "False",
                    "Snapshotting",
                    &format!(
                        "Waiting for the virtual disk snapshots to be taken for the block devices of the virtual machine {vm_name:?} ({ready}/{}).",
                        names.len()
                    ),
                );
                d.write(&g, vms, new);
                return;
            }
            if d.marks.remove(&format!("froze/{uid}"))
                && let Some(vm) = d.get("virtualmachines", ns, &vm_name)
            {
                freeze(d, &vm, false);
            }
            let consistent = all
                .iter()
                .flatten()
                .all(|v| v.pointer("/status/consistent") == Some(&Value::Bool(true)));
            let secret = str_at(vms, "/status/virtualMachineSnapshotSecretName")
                .and_then(|s| d.store.get(&secret_gvr(), Some(ns), s));
            let mut resources =
                vec![json!({"apiVersion": API_VERSION, "kind": "VirtualMachine", "name": vm_name})];
            if let Some(secret) = &secret {
                if let Some(ip) = secret_json(secret, "vmip") {
                    resources.push(json!({"apiVersion": API_VERSION, "kind": "VirtualMachineIPAddress", "name": name_of(&ip)}));
                }
                for mac in secret_json(secret, "vmmacs")
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                {
                    resources.push(json!({"apiVersion": API_VERSION, "kind": "VirtualMachineMACAddress", "name": name_of(&mac)}));
                }
                if let Some(vm) = secret_json(secret, "vm")
                    && let Some(p) = str_at(&vm, "/spec/provisioning/userDataRef/name")
                {
                    resources.push(json!({"apiVersion": "v1", "kind": "Secret", "name": p}));
                }
            }
            for v in all.iter().flatten() {
                resources.push(json!({"apiVersion": API_VERSION, "kind": "VirtualDisk",
                    "name": str_at(v, "/spec/virtualDiskName")}));
            }
            set_phase(&mut new, "Ready");
            let st = ensure_obj(&mut new, "status");
            st.insert("resources".into(), json!(resources));
            if consistent {
                st.insert("consistent".into(), json!(true));
            }
            // The first Ready transition carries reason VirtualMachineReady (life_cycle_test.go).
            set_cond(
                &mut new,
                "VirtualMachineSnapshotReady",
                "True",
                "VirtualMachineReady",
                "",
            );
        }
        _ => {}
    }
    d.write(&g, vms, new);
}

pub(crate) fn str_array(obj: &Value, ptr: &str) -> Vec<String> {
    obj.pointer(ptr)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "{\"kind\":\"VirtualMachine\"}",
        ] {
            let e = b64_encode(s.as_bytes());
            assert_eq!(b64_decode(&e).unwrap(), s.as_bytes(), "{s} -> {e}");
        }
        assert_eq!(b64_encode(b"ab"), "YWI=");
    }

    #[test]
    fn quantities_parse_binary_and_decimal_suffixes() {
        assert_eq!(quantity_bytes("10Gi"), Some(10 * 1024 * 1024 * 1024));
        assert_eq!(quantity_bytes("1G"), Some(1_000_000_000));
        assert_eq!(quantity_bytes("512"), Some(512));
        assert_eq!(quantity_bytes("1x"), None);
    }
}
