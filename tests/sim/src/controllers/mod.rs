//! Simulated KubeVirt controllers: VM lifecycle, snapshots, restores and clones, with scripted timing.
//!
//! One task owns all reconciling: it drains store events into a deduplicated work queue and
//! runs level-triggered reconcilers that re-read everything they need, so objects deleted
//! mid-flight are simply skipped. Timed steps schedule a wake-up instead of sleeping, so the
//! store is never blocked; with a time scale of 0 every step happens at once, still one
//! write (and one watch event) at a time in the real order.

pub mod admission;
mod binder;
mod clone;
pub mod clone_admission;
pub mod deckhouse;
mod restore;
mod snapshot;
mod vm;
pub mod vm_admission;
pub mod vmoperator;
pub mod vmoperator_admission;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::store::{Gvr, Store};

/// A scripted duration: `"3s"`, `"500ms"`, `"1m30s"`, `"2h"`, or a number of seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dur(pub Duration);

impl Dur {
    pub const fn secs(s: u64) -> Dur {
        Dur(Duration::from_secs(s))
    }
}

/// Parses a Go-style duration (`5m`, `1m30s`, `250ms`, `0`); a bare number means seconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..end].parse().ok()?;
        rest = &rest[end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += value * factor;
        rest = &rest[unit_end..];
    }
    Duration::try_from_secs_f64(total).ok()
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(d)? {
            Raw::Num(n) => Duration::try_from_secs_f64(n).ok(),
            Raw::Text(t) => parse_duration(&t),
        };
        parsed.map(Dur).ok_or_else(|| {
            serde::de::Error::custom("expected a duration such as 3s, 500ms or 1m30s")
        })
    }
}

/// Scripted behaviour of one VM (by name, or `namespace/name`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct VmScript {
    /// Whether the guest agent connects (the VMI's AgentConnected condition). Default true.
    pub guest_agent: bool,
    /// `linux` (default), `windows`, or a distribution id such as `rhel`, `fedora`, `centos`, `ubuntu`.
    pub os: Option<String>,
    /// Volumes hot-plugged into the running VMI without being in the VM spec.
    pub hotplug_volumes: Vec<HotplugVolume>,
    /// The VMI is paused (Paused condition, printableStatus Paused).
    pub paused: bool,
}

impl Default for VmScript {
    fn default() -> Self {
        VmScript {
            guest_agent: true,
            os: None,
            hotplug_volumes: vec![],
            paused: false,
        }
    }
}

/// A hot-plugged volume: its name and the PVC (or DataVolume) behind it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HotplugVolume {
    pub name: String,
    #[serde(default)]
    pub persistent_volume_claim: Option<String>,
    #[serde(default)]
    pub data_volume: Option<String>,
}

/// How a scripted snapshot or restore ends.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub enum Outcome {
    /// Completes normally.
    #[default]
    Succeeded,
    /// Fails after `after`. A snapshot ends as KubeVirt's do at their deadline: `error.message`
    /// = `message`, phase Failed, Failure condition "snapshot deadline exceeded", its unready
    /// content removed. A restore gets a Failure condition whose reason is `message`.
    Failed,
    /// Snapshots only: the content reports `message` as its error and the snapshot stays
    /// InProgress ("In error state") until its failureDeadline expires, as KubeVirt does when
    /// a freeze keeps failing.
    Error,
    /// Never completes (only a failureDeadline or grace period ends it).
    Stuck,
    /// Snapshots only: succeeds, but Windows VSS could not hold the freeze, so the snapshot
    /// carries the QuiesceTimeout indication.
    QuiesceTimeout,
    /// Snapshots only: the CSI driver cuts every VolumeSnapshot (creationTime) but none turns
    /// readyToUse, so the snapshot is Succeeded but not ready to use, as KubeVirt reports it
    /// while a storage backend is still making its snapshots usable.
    Unready,
}

/// Scripted outcome of one snapshot (key: snapshot name, else the source VM name; either
/// may be prefixed with `namespace/`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Script {
    pub outcome: Outcome,
    pub message: Option<String>,
    /// When the outcome happens; default: the kind's `duration`.
    pub after: Option<Dur>,
}

/// Timings of a kind plus per-object scripts, written flat in sim.yaml:
/// `snapshots: { duration: 3s, db-02: { outcome: Failed, message: "freeze failed", after: 2s } }`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Scripted {
    /// How long the operation takes when nothing else is scripted.
    pub duration: Dur,
    #[serde(flatten)]
    pub by_name: BTreeMap<String, Script>,
}

impl Default for Scripted {
    fn default() -> Self {
        Scripted::with_duration(Dur::secs(3))
    }
}

impl Scripted {
    fn with_duration(d: Dur) -> Self {
        Scripted {
            duration: d,
            by_name: BTreeMap::new(),
        }
    }

    /// The script for the first key found (each tried as `ns/key`, then `key`).
    pub fn find(&self, ns: &str, keys: &[&str]) -> Option<&Script> {
        keys.iter().find_map(|k| {
            self.by_name
                .get(&format!("{ns}/{k}"))
                .or_else(|| self.by_name.get(*k))
        })
    }
}

/// VM timings plus per-VM scripts: `vms: { startDelay: 2s, stopDelay: 2s, web-01: { guestAgent: false } }`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct VmConfig {
    pub start_delay: Dur,
    pub stop_delay: Dur,
    #[serde(flatten)]
    pub by_name: BTreeMap<String, VmScript>,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig {
            start_delay: Dur::secs(2),
            stop_delay: Dur::secs(2),
            by_name: BTreeMap::new(),
        }
    }
}

impl VmConfig {
    pub fn script(&self, ns: &str, name: &str) -> VmScript {
        self.by_name
            .get(&format!("{ns}/{name}"))
            .or_else(|| self.by_name.get(name))
            .cloned()
            .unwrap_or_default()
    }
}

/// The `controllers:` section of sim.yaml.
///
/// ```yaml
/// controllers:
///   vms:
///     startDelay: 2s          # Stopped -> Starting -> Running
///     stopDelay: 2s           # Running -> Stopping -> Stopped
///     web-01: { guestAgent: false }
///     windows-app: { os: windows }
///     hotplug-01: { hotplugVolumes: [{ name: scratch, persistentVolumeClaim: hotplug-01-scratch }] }
///   snapshots:
///     duration: 3s            # lock -> content ready
///     db-02: { outcome: Failed, message: "freeze failed", after: 2s }
///   restores:
///     duration: 3s
///   clones:
///     duration: 1s            # extra time creating the target VM
/// ```
/// Every duration is multiplied by `time_scale` (set by the Sim from its own time scale).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ControllerConfig {
    /// Multiplier for every scripted duration, failureDeadline and grace period
    /// (1 = real time, 0 = instant; with 0, deadlines and grace periods never expire).
    pub time_scale: f64,
    pub vms: VmConfig,
    pub snapshots: Scripted,
    pub restores: Scripted,
    pub clones: Scripted,
    /// VMware VM Operator snapshots and reverts.
    pub vmoperator: vmoperator::Config,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            time_scale: 1.0,
            vms: VmConfig::default(),
            snapshots: Scripted::with_duration(Dur::secs(3)),
            restores: Scripted::with_duration(Dur::secs(3)),
            clones: Scripted::with_duration(Dur::secs(1)),
            vmoperator: vmoperator::Config::default(),
        }
    }
}

impl ControllerConfig {
    /// A scripted duration in real time.
    pub fn scaled(&self, d: Duration) -> Duration {
        if self.time_scale.is_finite() && self.time_scale > 0.0 {
            // Absurd products saturate instead of panicking.
            Duration::try_from_secs_f64(d.as_secs_f64() * self.time_scale).unwrap_or(Duration::MAX)
        } else {
            Duration::ZERO
        }
    }

    /// A deadline in real time; None when it never expires (zero or a zero time scale).
    pub fn deadline(&self, d: Duration) -> Option<Duration> {
        (!d.is_zero() && self.time_scale > 0.0).then(|| self.scaled(d))
    }
}

/// Resources the controllers read and write (storage versions).
pub(crate) mod gvr {
    use crate::store::Gvr;
    pub fn vm() -> Gvr {
        Gvr::new("kubevirt.io", "v1", "virtualmachines")
    }
    pub fn vmi() -> Gvr {
        Gvr::new("kubevirt.io", "v1", "virtualmachineinstances")
    }
    pub fn snapshot() -> Gvr {
        Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots")
    }
    pub fn content() -> Gvr {
        Gvr::new(
            "snapshot.kubevirt.io",
            "v1beta1",
            "virtualmachinesnapshotcontents",
        )
    }
    pub fn restore() -> Gvr {
        Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores")
    }
    pub fn clone() -> Gvr {
        Gvr::new("clone.kubevirt.io", "v1beta1", "virtualmachineclones")
    }
    pub fn pvc() -> Gvr {
        Gvr::new("", "v1", "persistentvolumeclaims")
    }
    pub fn event() -> Gvr {
        Gvr::new("", "v1", "events")
    }
    pub fn dv() -> Gvr {
        Gvr::new("cdi.kubevirt.io", "v1beta1", "datavolumes")
    }
    pub fn storage_profile() -> Gvr {
        Gvr::new("cdi.kubevirt.io", "v1beta1", "storageprofiles")
    }
    pub fn storage_class() -> Gvr {
        Gvr::new("storage.k8s.io", "v1", "storageclasses")
    }
    pub fn vs() -> Gvr {
        Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots")
    }
    pub fn vs_class() -> Gvr {
        Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses")
    }
    pub fn controller_revision() -> Gvr {
        Gvr::new("apps", "v1", "controllerrevisions")
    }
    pub fn vs_content() -> Gvr {
        Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents")
    }
}

/// What to reconcile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Vm(String, String),
    Snapshot(String, String),
    Restore(String, String),
    Clone(String, String),
    /// Every VM (storage configuration changed).
    AllVms,
    /// A CSI VolumeSnapshotContent whose VolumeSnapshot may be gone.
    VolumeSnapshotContent(String),
    /// The claims of a namespace being deleted (pvc-protection: released once unused).
    DeletingClaims(String),
    /// Every VM of a namespace (its claims changed).
    VmsIn(String),
    /// The unsettled snapshots, restores and clones of a namespace (something they wait on changed).
    Namespace(String),
    /// A VM Operator VirtualMachine (namespace, name) with all its snapshots.
    VmOperator(String, String),
    /// A PersistentVolumeClaim to provision and bind (namespace, name).
    Claim(String, String),
    /// The snapshot of a VirtualMachineSnapshotContent (namespace, content) whose
    /// VolumeSnapshots changed, Succeeded ones included.
    ContentOf(String, String),
    /// Every clone of a namespace, Succeeded ones included (a VM went: its clone goes too).
    Clones(String),
}

/// Controller state: the store, the config, and in-memory clocks of operations in flight.
pub(crate) struct Ctx {
    pub store: Store,
    pub config: Arc<ControllerConfig>,
    wake: mpsc::UnboundedSender<Key>,
    /// uid -> when an operation phase began (VM start/stop, snapshot lock, restore work...),
    /// keyed by "<what>/<uid>".
    since: HashMap<String, Instant>,
    /// Pending wake-ups by key.
    wakes: HashMap<Key, Instant>,
}

impl Ctx {
    /// When `what` began for object `uid` (recorded on first ask).
    pub fn since(&mut self, what: &str, uid: &str) -> Instant {
        *self
            .since
            .entry(format!("{what}/{uid}"))
            .or_insert_with(Instant::now)
    }

    pub fn has_since(&self, what: &str, uid: &str) -> bool {
        self.since.contains_key(&format!("{what}/{uid}"))
    }

    /// Records that `what` began now unless already recorded.
    pub fn mark_since(&mut self, what: &str, uid: &str) {
        self.since(what, uid);
    }

    pub fn forget(&mut self, what: &str, uid: &str) {
        self.since.remove(&format!("{what}/{uid}"));
    }

    /// Whether `wait` (real time) has passed since `what` began; if not, schedule a wake-up.
    pub fn elapsed(&mut self, what: &str, uid: &str, wait: Duration, key: Key) -> bool {
        let started = self.since(what, uid);
        let passed = started.elapsed();
        if passed >= wait {
            return true;
        }
        self.wake_after(wait - passed, key);
        false
    }

    /// Whether `wait` (real time) has passed since `obj`'s creationTimestamp; if not, schedule a
    /// wake-up. KubeVirt counts its deadlines from creation (the restore grace period), not
    /// from when a controller first looked.
    pub fn elapsed_since_creation(&mut self, obj: &Value, wait: Duration, key: Key) -> bool {
        let passed = str_at(obj, "/metadata/creationTimestamp")
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(crate::clock::real_since)
            .unwrap_or_default();
        if passed >= wait {
            return true;
        }
        self.wake_after(wait - passed, key);
        false
    }

    /// Reconcile `key` again after `d` (once: an earlier pending wake-up covers it).
    pub fn wake_after(&mut self, d: Duration, key: Key) {
        // Beyond the representable future: it would never fire anyway.
        let Some(due) = Instant::now().checked_add(d) else {
            return;
        };
        if let Some(pending) = self.wakes.get(&key)
            && *pending > Instant::now()
            && *pending <= due
        {
            return;
        }
        self.wakes.insert(key.clone(), due);
        let tx = self.wake.clone();
        tokio::spawn(async move {
            tokio::time::sleep(d).await;
            let _ = tx.send(key);
        });
    }

    /// Records a Kubernetes Event about `obj` (as the real controllers do), e.g. a freeze.
    pub fn record_event(&self, obj: &Value, reason: &str, message: &str) {
        self.record("Normal", obj, reason, message);
    }

    /// Records a Warning Event about `obj`.
    pub fn record_warning(&self, obj: &Value, reason: &str, message: &str) {
        self.record("Warning", obj, reason, message);
    }

    fn record(&self, type_: &str, obj: &Value, reason: &str, message: &str) {
        let (ns, name, uid) = (ns_of(obj), name_of(obj), uid_of(obj));
        let now = crate::store::now_rfc3339();
        let component = reporting_component(obj);
        let event = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": event_name(name), "namespace": ns},
            "involvedObject": {
                "apiVersion": obj.get("apiVersion").cloned().unwrap_or(Value::Null),
                "kind": obj.get("kind").cloned().unwrap_or(Value::Null),
                "name": name, "namespace": ns, "uid": uid,
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "source": {"component": component},
            "reportingComponent": component,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        });
        let _ = self.store.create(&gvr::event(), event);
    }
}

/// client-go's recorder names an Event `<object>.<UnixNano in hex>` (tools/record/event.go
/// `makeEvent`), so an object's events list in the order they happened. The nanoseconds only
/// go forward here, so a clock that stands still still gives distinct, ordered names.
fn event_name(object: &str) -> String {
    static LAST: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let now = i64::try_from(crate::clock::now().as_nanosecond()).unwrap_or(i64::MAX);
    let prev = LAST
        .fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |last| Some(now.max(last + 1)),
        )
        .unwrap_or(now);
    format!("{object}.{:x}", now.max(prev + 1))
}

/// The recorder's component name each upstream controller registers: virt-controller's
/// `newRecorder(…, "snapshot-controller" | "restore-controller" | "clone-controller")`
/// (pkg/virt-controller/watch/application.go) and the CSI snapshot-controller's
/// `EventSource{Component: "snapshot-controller"}` (external-snapshotter
/// pkg/common-controller/snapshot_controller_base.go).
fn reporting_component(obj: &Value) -> &'static str {
    match obj.get("kind").and_then(Value::as_str) {
        Some("VirtualMachineSnapshot" | "VirtualMachineSnapshotContent" | "VolumeSnapshot") => {
            "snapshot-controller"
        }
        Some("VirtualMachineRestore") => "restore-controller",
        Some("VirtualMachineClone") => "clone-controller",
        _ => "virt-controller",
    }
}

pub(crate) fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub(crate) fn ns_of(obj: &Value) -> &str {
    obj.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub(crate) fn uid_of(obj: &Value) -> &str {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub(crate) fn str_at<'a>(obj: &'a Value, pointer: &str) -> Option<&'a str> {
    obj.pointer(pointer).and_then(Value::as_str)
}

pub(crate) fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

pub(crate) fn has_finalizer(obj: &Value, f: &str) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x == f))
}

pub(crate) fn add_finalizer(obj: &mut Value, f: &str) {
    if has_finalizer(obj, f) {
        return;
    }
    let meta = ensure_obj(obj, "metadata");
    let list = meta.entry("finalizers").or_insert_with(|| json!([]));
    if let Some(a) = list.as_array_mut() {
        a.push(json!(f));
    } else {
        *list = json!([f]);
    }
}

pub(crate) fn remove_finalizer(obj: &mut Value, f: &str) {
    if let Some(a) = obj
        .pointer_mut("/metadata/finalizers")
        .and_then(Value::as_array_mut)
    {
        a.retain(|x| x != f);
    }
}

/// `obj[key]` as an object, created (or replaced when not an object) if needed.
pub(crate) fn ensure_obj<'a>(
    obj: &'a mut Value,
    key: &str,
) -> &'a mut serde_json::Map<String, Value> {
    if !obj.is_object() {
        *obj = json!({});
    }
    let Value::Object(map) = obj else {
        unreachable!("made an object above")
    };
    let entry = map.entry(key).or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    match entry {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

/// Sets a condition KubeVirt-style: the lastTransitionTime moves only when the status changes.
pub(crate) fn set_condition(
    status: &mut serde_json::Map<String, Value>,
    type_: &str,
    cond_status: bool,
    reason: &str,
    message: Option<&str>,
) {
    let list = status.entry("conditions").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let Value::Array(conds) = list else {
        return;
    };
    let st = if cond_status { "True" } else { "False" };
    let mut cond = json!({"type": type_, "status": st, "reason": reason, "lastProbeTime": null,
        "lastTransitionTime": crate::store::now_rfc3339()});
    if let Some(m) = message {
        cond["message"] = json!(m);
    }
    if let Some(existing) = conds
        .iter_mut()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
    {
        if existing.get("status").and_then(Value::as_str) == Some(st) {
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

pub(crate) fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

pub(crate) fn condition_true(obj: &Value, type_: &str) -> bool {
    condition(obj, type_).is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
}

/// An owner reference to `obj` (controller, blocking deletion), as KubeVirt sets them.
pub(crate) fn owner_ref(obj: &Value, api_version: &str, kind: &str) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "name": name_of(obj), "uid": uid_of(obj),
        "controller": true, "blockOwnerDeletion": true})
}

/// Starts the controllers on `store`. They run until the runtime shuts down; the handles
/// may be aborted. Objects already in the store (the scenario) are reconciled first.
pub fn spawn_all(store: Store, config: Arc<ControllerConfig>) -> Vec<JoinHandle<()>> {
    let events = store.subscribe();
    let (tx, rx) = mpsc::unbounded_channel();
    let ctx = Ctx {
        store,
        config,
        wake: tx,
        since: HashMap::new(),
        wakes: HashMap::new(),
    };
    let deckhouse = deckhouse::spawn(ctx.store.clone(), ctx.config.clone());
    vec![tokio::spawn(run(ctx, events, rx)), deckhouse]
}

async fn run(
    mut ctx: Ctx,
    mut events: broadcast::Receiver<crate::store::Event>,
    mut wake: mpsc::UnboundedReceiver<Key>,
) {
    let mut queue: BTreeSet<Key> = BTreeSet::new();
    resync(&ctx, &mut queue);
    loop {
        while let Some(key) = queue.pop_first() {
            reconcile(&mut ctx, key, &mut queue);
            // Fold in what our own writes caused before the next key, so each reconcile
            // sees the latest state and a storm of events collapses into one pass.
            drain(&ctx, &mut events, &mut wake, &mut queue);
        }
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(ev) => keys_for_event(&ev, &mut queue),
                Err(broadcast::error::RecvError::Lagged(_)) => resync(&ctx, &mut queue),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            Some(key) = wake.recv() => { queue.insert(key); }
        }
    }
}

fn drain(
    ctx: &Ctx,
    events: &mut broadcast::Receiver<crate::store::Event>,
    wake: &mut mpsc::UnboundedReceiver<Key>,
    queue: &mut BTreeSet<Key>,
) {
    loop {
        match events.try_recv() {
            Ok(ev) => keys_for_event(&ev, queue),
            Err(broadcast::error::TryRecvError::Lagged(_)) => resync(ctx, queue),
            Err(_) => break,
        }
    }
    while let Ok(key) = wake.try_recv() {
        queue.insert(key);
    }
}

fn resync(ctx: &Ctx, queue: &mut BTreeSet<Key>) {
    queue.insert(Key::AllVms);
    scan(ctx, &gvr::snapshot(), None, false, Key::Snapshot, queue);
    scan(ctx, &gvr::restore(), None, false, Key::Restore, queue);
    scan(ctx, &gvr::clone(), None, false, Key::Clone, queue);
    vmoperator::resync(&ctx.store, queue);
}

fn keys_for_event(ev: &crate::store::Event, queue: &mut BTreeSet<Key>) {
    if let Some(key) = vmoperator::keys_for_event(ev) {
        queue.insert(key);
        return;
    }
    let ns = ns_of(&ev.object).to_string();
    let name = name_of(&ev.object).to_string();
    match (ev.gvr.group.as_str(), ev.gvr.plural.as_str()) {
        ("kubevirt.io", "virtualmachines" | "virtualmachineinstances") => {
            if ev.kind == crate::store::EventType::Deleted {
                queue.insert(Key::DeletingClaims(ns.clone()));
                queue.insert(Key::Clones(ns.clone()));
            } else if ev.gvr.plural == "virtualmachineinstances" {
                // A VMI is the first consumer of its claims.
                for claim in binder::claims_of_vmi(&ev.object) {
                    queue.insert(Key::Claim(ns.clone(), claim.to_string()));
                }
            }
            queue.insert(Key::Vm(ns.clone(), name));
            queue.insert(Key::Namespace(ns));
        }
        ("snapshot.kubevirt.io", "virtualmachinesnapshots") => {
            queue.insert(Key::Snapshot(ns.clone(), name));
            queue.insert(Key::Namespace(ns));
        }
        ("snapshot.kubevirt.io", "virtualmachinesnapshotcontents") => {
            if let Some(s) = str_at(&ev.object, "/spec/virtualMachineSnapshotName") {
                queue.insert(Key::Snapshot(ns, s.to_string()));
            }
        }
        ("snapshot.kubevirt.io", "virtualmachinerestores") => {
            queue.insert(Key::Restore(ns.clone(), name));
            queue.insert(Key::Namespace(ns));
        }
        ("clone.kubevirt.io", "virtualmachineclones") => {
            queue.insert(Key::Clone(ns, name));
        }
        ("snapshot.storage.k8s.io", "volumesnapshots") => {
            let owner = ev
                .object
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .and_then(|o| {
                    o.iter()
                        .find(|r| str_at(r, "/kind") == Some("VirtualMachineSnapshotContent"))
                })
                .and_then(|r| str_at(r, "/name"));
            if let Some(content) = owner {
                queue.insert(Key::ContentOf(ns.clone(), content.to_string()));
            }
            if ev.kind == crate::store::EventType::Deleted {
                queue.insert(Key::Namespace(ns));
                if let Some(c) = str_at(&ev.object, "/status/boundVolumeSnapshotContentName") {
                    queue.insert(Key::VolumeSnapshotContent(c.to_string()));
                }
            }
        }
        ("", "persistentvolumeclaims") | ("cdi.kubevirt.io", "datavolumes") => {
            if is_deleting(&ev.object) {
                queue.insert(Key::DeletingClaims(ns.clone()));
            } else if ev.gvr.plural == "persistentvolumeclaims"
                && ev.kind != crate::store::EventType::Deleted
                && str_at(&ev.object, "/status/phase").is_none_or(|p| p == "Pending")
            {
                queue.insert(Key::Claim(ns.clone(), name.clone()));
            }
            queue.insert(Key::VmsIn(ns.clone()));
            queue.insert(Key::Namespace(ns));
        }
        ("storage.k8s.io", "storageclasses")
        | ("cdi.kubevirt.io", "storageprofiles")
        | ("snapshot.storage.k8s.io", "volumesnapshotclasses") => {
            queue.insert(Key::AllVms);
        }
        _ => {}
    }
}

fn reconcile(ctx: &mut Ctx, key: Key, queue: &mut BTreeSet<Key>) {
    match key {
        Key::Vm(ns, name) => vm::reconcile(ctx, &ns, &name),
        Key::Snapshot(ns, name) => snapshot::reconcile(ctx, &ns, &name),
        Key::Restore(ns, name) => restore::reconcile(ctx, &ns, &name),
        Key::Clone(ns, name) => clone::reconcile(ctx, &ns, &name),
        Key::VmOperator(ns, name) => vmoperator::reconcile(ctx, &ns, &name),
        Key::VolumeSnapshotContent(name) => snapshot::collect_csi_content(ctx, &name),
        Key::DeletingClaims(ns) => vm::release_unused_claims(ctx, &ns),
        Key::Claim(ns, name) => binder::reconcile_claim(ctx, &ns, &name),
        Key::ContentOf(ns, content) => {
            let snap = ctx
                .store
                .get(&gvr::content(), Some(&ns), &content)
                .and_then(|c| str_at(&c, "/spec/virtualMachineSnapshotName").map(str::to_string));
            if let Some(snap) = snap {
                snapshot::reconcile(ctx, &ns, &snap);
            }
        }
        Key::Clones(ns) => scan(ctx, &gvr::clone(), Some(&ns), false, Key::Clone, queue),
        Key::AllVms => scan(ctx, &gvr::vm(), None, false, Key::Vm, queue),
        Key::VmsIn(ns) => scan(ctx, &gvr::vm(), Some(&ns), false, Key::Vm, queue),
        Key::Namespace(ns) => {
            scan(ctx, &gvr::snapshot(), Some(&ns), true, Key::Snapshot, queue);
            scan(ctx, &gvr::restore(), Some(&ns), true, Key::Restore, queue);
            scan(ctx, &gvr::clone(), Some(&ns), true, Key::Clone, queue);
        }
    }
}

/// Queues the objects of a kind (only the unsettled ones when asked), without copying them.
fn scan(
    ctx: &Ctx,
    g: &Gvr,
    ns: Option<&str>,
    unsettled_only: bool,
    make: fn(String, String) -> Key,
    queue: &mut BTreeSet<Key>,
) {
    ctx.store.visit(g, ns, None, |obj| {
        if !unsettled_only || !is_settled(obj) {
            queue.insert(make(ns_of(obj).to_string(), name_of(obj).to_string()));
        }
        true
    });
}

/// Whether an operation object has reached its end (and is not being deleted): nothing
/// in its namespace can change it any more.
pub(crate) fn is_settled(obj: &Value) -> bool {
    if is_deleting(obj) {
        return false;
    }
    matches!(str_at(obj, "/status/phase"), Some("Succeeded" | "Failed"))
        || obj.pointer("/status/complete") == Some(&Value::Bool(true))
        || condition_true(obj, "Failure")
}

/// The storage-version Gvr of a kind the controllers create objects of, for tests.
pub fn gvr_of(plural: &str) -> Option<Gvr> {
    Some(match plural {
        "virtualmachines" => gvr::vm(),
        "virtualmachineinstances" => gvr::vmi(),
        "virtualmachinesnapshots" => gvr::snapshot(),
        "virtualmachinesnapshotcontents" => gvr::content(),
        "virtualmachinerestores" => gvr::restore(),
        "virtualmachineclones" => gvr::clone(),
        "volumesnapshots" => gvr::vs(),
        "volumesnapshotcontents" => gvr::vs_content(),
        "persistentvolumeclaims" => gvr::pvc(),
        "datavolumes" => gvr::dv(),
        "events" => gvr::event(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration("3s"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(
            parse_duration("1e300h"),
            None,
            "overflow is refused, not a panic"
        );
        let c = ControllerConfig {
            time_scale: 1e300,
            ..ControllerConfig::default()
        };
        assert_eq!(c.scaled(Duration::from_secs(60)), Duration::MAX);
    }

    #[test]
    fn config_reads_flat_timings_and_scripts() {
        let yaml = r#"
timeScale: 0.5
vms:
  startDelay: 1s
  web-01: { guestAgent: false }
  windows-app: { os: windows }
snapshots:
  duration: 4s
  db-02: { outcome: Failed, message: "freeze failed", after: 2s }
restores: { duration: 3s }
"#;
        let c: ControllerConfig = serde_saphyr::from_str(yaml).expect("parses");
        assert_eq!(c.time_scale, 0.5);
        assert_eq!(c.vms.start_delay, Dur::secs(1));
        assert_eq!(c.vms.stop_delay, Dur::secs(2), "defaults kept");
        assert!(!c.vms.script("production", "web-01").guest_agent);
        assert!(c.vms.script("production", "other").guest_agent);
        assert_eq!(c.snapshots.duration, Dur::secs(4));
        let s = c
            .snapshots
            .find("production", &["snap-x", "db-02"])
            .expect("scripted");
        assert_eq!(s.outcome, Outcome::Failed);
        assert_eq!(s.after, Some(Dur::secs(2)));
        assert_eq!(c.restores.duration, Dur::secs(3));
        assert_eq!(c.clones.duration, Dur::secs(1));
        assert_eq!(c.scaled(Duration::from_secs(4)), Duration::from_secs(2));
    }
}
