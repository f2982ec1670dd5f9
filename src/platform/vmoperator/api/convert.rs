//! VM Operator objects → the provider-neutral model, plus what the model has no room for
//! (power state, memory, quiesce, tree links, Managed/Unmanaged) in this provider's own types.
//! Pure functions over `serde_json::Value`.

use serde::Serialize;
use serde_json::Value;

use super::resources::{
    CAPI_ROLE_LABELS, COND_CREATED, COND_READY, COND_REVERT, COND_TOOLS, CONSISTENCY_ANNOTATION,
    REASON_CREATION_FAILED, REASON_CREATION_IN_PROGRESS, REASON_WAITING_DISK_REGISTRATION,
    REASON_WAITING_FOR_CREATION, REVERT_IN_PROGRESS_ANNOTATION,
};
use crate::cluster::json::{
    arr_at, bool_at, conditions, name, namespace, str_at, string_at, string_map, time_at,
};
use crate::model::quantity::parse_quantity;
use crate::model::{Condition, Consistency, RunState, SnapshotInfo, SnapshotPhase, VmInfo};

/// A snapshot's phase, derived from its conditions (VM Operator has no phase field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// No conditions yet: the controller has not seen it.
    Pending,
    /// Waiting its turn: an older snapshot of the VM is being taken (Ready False /
    /// WaitingForCreation without a Created condition).
    Queued,
    /// Ready False / WaitingForCreation and VM Operator has not adopted it: the snapshot
    /// controller found no VM of that name (no owner reference, no requested storage) and
    /// retries until one exists.
    WaitingForVm,
    /// The vSphere CreateSnapshot task runs.
    InProgress,
    /// Taken in vSphere; the vSphere CSI driver is syncing the volumes.
    Syncing,
    /// Blocked behind unmanaged-disk registration.
    Waiting,
    Ready,
    /// The vSphere task failed (Created False / CreationFailed). Not final: VM Operator takes
    /// it again, and newer snapshots of the VM wait behind it.
    Failed,
    /// Being deleted.
    Terminating,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Queued => "Queued",
            Self::WaitingForVm => "WaitingForCreation",
            Self::InProgress => "InProgress",
            Self::Syncing => "Syncing",
            Self::Waiting => "Waiting",
            Self::Ready => "Ready",
            Self::Failed => "CreationFailed",
            Self::Terminating => "Terminating",
        }
    }

    /// The neutral phase: Ready → Succeeded, Terminating → Deleting, the waits → InProgress.
    pub fn to_model(self) -> SnapshotPhase {
        match self {
            Self::Pending => SnapshotPhase::Pending,
            Self::Queued
            | Self::WaitingForVm
            | Self::InProgress
            | Self::Syncing
            | Self::Waiting => SnapshotPhase::InProgress,
            Self::Ready => SnapshotPhase::Succeeded,
            Self::Failed => SnapshotPhase::Failed,
            Self::Terminating => SnapshotPhase::Deleting,
        }
    }
}

fn reason<'a>(obj: &'a Value, type_: &str) -> Option<&'a str> {
    arr_at(obj, "/status/conditions")
        .iter()
        .find(|c| c["type"] == type_)
        .and_then(|c| c["reason"].as_str())
}

fn is_true(obj: &Value, type_: &str) -> bool {
    arr_at(obj, "/status/conditions")
        .iter()
        .any(|c| c["type"] == type_ && c["status"] == "True")
}

fn message<'a>(obj: &'a Value, type_: &str) -> Option<&'a str> {
    arr_at(obj, "/status/conditions")
        .iter()
        .find(|c| c["type"] == type_)
        .and_then(|c| c["message"].as_str())
        .filter(|m| !m.is_empty())
}

/// The phase of a VirtualMachineSnapshot (providers.md 1.3).
pub fn phase(snap: &Value) -> Phase {
    if snap
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        return Phase::Terminating;
    }
    if is_true(snap, COND_READY) {
        return Phase::Ready;
    }
    match reason(snap, COND_CREATED) {
        Some(REASON_CREATION_FAILED) => return Phase::Failed,
        Some(REASON_CREATION_IN_PROGRESS) => return Phase::InProgress,
        Some(REASON_WAITING_DISK_REGISTRATION) => return Phase::Waiting,
        _ => {}
    }
    if is_true(snap, COND_CREATED) {
        return Phase::Syncing;
    }
    if reason(snap, COND_READY) == Some(REASON_WAITING_DISK_REGISTRATION) {
        return Phase::Waiting;
    }
    if arr_at(snap, "/status/conditions").is_empty() {
        Phase::Pending
    } else if reason(snap, COND_READY) == Some(REASON_WAITING_FOR_CREATION)
        && !owned_by_vm(snap)
        && snap.pointer("/status/storage/requested").is_none()
    {
        Phase::WaitingForVm
    } else {
        Phase::Queued
    }
}

/// Whether a VirtualMachine owns the snapshot (VM Operator sets it once it found the VM).
fn owned_by_vm(snap: &Value) -> bool {
    arr_at(snap, "/metadata/ownerReferences")
        .iter()
        .any(|r| r["kind"] == "VirtualMachine")
}

/// What the spinner says while following a snapshot (None once Ready).
pub fn phase_message(snap: &Value) -> Option<String> {
    let p = phase(snap);
    Some(match p {
        Phase::Ready => return None,
        Phase::Pending => "waiting for VM Operator to pick up the snapshot".into(),
        Phase::Queued => {
            "waiting for its turn: VM Operator takes one snapshot of a VM at a time, oldest first"
                .into()
        }
        Phase::WaitingForVm => format!(
            "VM Operator has not found its VM {}: it takes the snapshot once that VM exists",
            str_at(snap, "/spec/vmName").unwrap_or("")
        ),
        Phase::InProgress => "vSphere is taking the snapshot".into(),
        Phase::Syncing => "taken; waiting for the vSphere CSI driver to sync the volumes".into(),
        Phase::Waiting => message(snap, COND_CREATED)
            .unwrap_or("waiting for unmanaged disk registrations to complete")
            .into(),
        Phase::Failed => format!(
            "{}; VM Operator takes it again, and newer snapshots of the VM wait behind it",
            message(snap, COND_CREATED)
                .unwrap_or("the vSphere snapshot task failed")
                .trim_end_matches('.')
        ),
        Phase::Terminating => "being deleted".into(),
    })
}

/// A node reference in the tree: `{type: Managed|Unmanaged, name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotRef {
    pub managed: bool,
    /// Empty for Unmanaged nodes (taken in vCenter, no CR).
    pub name: String,
}

impl SnapshotRef {
    pub fn from_value(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        let managed = obj.get("type").and_then(Value::as_str).unwrap_or("Managed") == "Managed";
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        Some(Self { managed, name })
    }

    pub fn refs(v: &Value, ptr: &str) -> Vec<Self> {
        arr_at(v, ptr).iter().filter_map(Self::from_value).collect()
    }

    /// The CR name of a Managed node.
    pub fn managed_name(&self) -> Option<&str> {
        (self.managed && !self.name.is_empty()).then_some(self.name.as_str())
    }
}

/// Storage reserved for a snapshot in one storage class (`status.storage.requested[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageRequest {
    pub storage_class: String,
    /// As written (`25Gi`).
    pub total: String,
    pub total_bytes: Option<u64>,
}

/// VM Operator facts about a snapshot the neutral model cannot carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDetails {
    pub phase: Phase,
    pub description: Option<String>,
    pub memory: bool,
    /// `spec.quiesce.timeout` as written (a Go duration).
    pub quiesce_timeout: Option<String>,
    /// `status.quiesced`: quiesce was requested (VM Operator does not verify it happened).
    pub quiesced: bool,
    /// Power state of the snapshot node (PoweredOff when taken without memory).
    pub power_state: Option<String>,
    /// vSphere snapshot id (`snapshot-226`).
    pub unique_id: Option<String>,
    /// `status.storage.requested`: (storage class, quantity as written).
    pub storage_requested: Vec<StorageRequest>,
    pub storage_used_bytes: Option<u64>,
    pub children: Vec<SnapshotRef>,
    pub csi_sync: Option<String>,
    pub imported: bool,
}

pub fn snapshot_details(snap: &Value) -> SnapshotDetails {
    SnapshotDetails {
        phase: phase(snap),
        description: string_at(snap, "/spec/description"),
        memory: bool_at(snap, "/spec/memory").unwrap_or(false),
        quiesce_timeout: string_at(snap, "/spec/quiesce/timeout"),
        quiesced: bool_at(snap, "/status/quiesced").unwrap_or(false),
        power_state: string_at(snap, "/status/powerState"),
        unique_id: string_at(snap, "/status/uniqueID"),
        storage_requested: arr_at(snap, "/status/storage/requested")
            .iter()
            .filter_map(|r| {
                let class = str_at(r, "/storageClass")?;
                let total = match r.get("total")? {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some(StorageRequest {
                    storage_class: class.to_owned(),
                    total_bytes: parse_quantity(&total),
                    total,
                })
            })
            .collect(),
        storage_used_bytes: used_bytes(snap),
        children: SnapshotRef::refs(snap, "/status/children"),
        csi_sync: string_map(snap, "/metadata/annotations")
            .remove(super::resources::CSI_SYNC_ANNOTATION),
        imported: string_map(snap, "/metadata/annotations")
            .contains_key(super::resources::IMPORTED_SNAPSHOT_ANNOTATION),
    }
}

fn used_bytes(snap: &Value) -> Option<u64> {
    match snap.pointer("/status/storage/used")? {
        Value::String(s) => parse_quantity(s),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// The consistency of a created snapshot: as this plugin expected it when it asked (its
/// annotation), else as far as the object tells: quiesce requested → application (VM
/// Operator sets `status.quiesced` from `spec.quiesce` without checking VMware Tools:
/// pkg/util/kube/vmsnapshot.go, PatchSnapshotSuccessStatus), otherwise crash.
pub fn consistency(snap: &Value) -> Consistency {
    let annotations = string_map(snap, "/metadata/annotations");
    let recorded = annotations.get(CONSISTENCY_ANNOTATION).map(String::as_str);
    if !is_true(snap, COND_CREATED) {
        return Consistency::Unknown;
    }
    match recorded {
        Some("offline") => Consistency::Offline,
        Some("crash") => Consistency::Crash,
        Some("application") => Consistency::Application,
        _ if bool_at(snap, "/status/quiesced") == Some(true) => Consistency::Application,
        _ => Consistency::Crash,
    }
}

/// The consistency a snapshot of a VM in `power` state gets: offline when it is off,
/// application when quiesced through running VMware Tools, crash otherwise.
pub fn expected_consistency(power: &str, quiesce: bool, tools_running: bool) -> Consistency {
    match power {
        "PoweredOff" => Consistency::Offline,
        "PoweredOn" if quiesce && tools_running => Consistency::Application,
        _ => Consistency::Crash,
    }
}

/// The neutral view of a VirtualMachineSnapshot.
pub fn snapshot_info(snap: &Value) -> SnapshotInfo {
    let p = phase(snap);
    SnapshotInfo {
        namespace: namespace(snap).to_owned(),
        name: name(snap).to_owned(),
        uid: string_at(snap, "/metadata/uid"),
        vm: str_at(snap, "/spec/vmName").unwrap_or("").to_owned(),
        vm_uid: arr_at(snap, "/metadata/ownerReferences")
            .iter()
            .find(|r| r["kind"] == "VirtualMachine")
            .and_then(|r| r["uid"].as_str())
            .map(str::to_owned),
        phase: p.to_model(),
        ready_to_use: p == Phase::Ready,
        created: time_at(snap, "/metadata/creationTimestamp"),
        creation_time: arr_at(snap, "/status/conditions")
            .iter()
            .find(|c| c["type"] == COND_CREATED && c["status"] == "True")
            .and_then(|c| c["lastTransitionTime"].as_str())
            .and_then(|t| t.parse().ok()),
        indications: vec![],
        consistency: consistency(snap),
        included_volumes: vec![],
        excluded_volumes: vec![],
        content_name: None,
        failure_deadline: None,
        error: (p == Phase::Failed)
            .then(|| message(snap, COND_CREATED).map(str::to_owned))
            .flatten(),
        conditions: conditions(snap, "/status/conditions"),
        size_bytes: used_bytes(snap),
        labels: string_map(snap, "/metadata/labels"),
        deleting: p == Phase::Terminating,
    }
}

/// VM Operator facts about a VM the neutral model cannot carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VmDetails {
    /// `status.powerState` (else `spec.powerState`): PoweredOn, PoweredOff, Suspended.
    pub power_state: Option<String>,
    /// The VirtualMachineTools condition is True.
    pub tools_running: bool,
    /// A VKS / TKG node (Cluster API role label): no snapshots, no reverts.
    pub vks_node: bool,
    pub current_snapshot: Option<SnapshotRef>,
    pub root_snapshots: Vec<SnapshotRef>,
    /// `spec.currentSnapshotName`: a revert asked for and not finished.
    pub revert_requested: Option<String>,
    /// The annotation a failed vSphere revert leaves behind.
    pub revert_annotation: bool,
    pub revert_condition: Option<Condition>,
    pub unique_id: Option<String>,
}

pub fn is_vks_node(vm: &Value) -> bool {
    let labels = string_map(vm, "/metadata/labels");
    CAPI_ROLE_LABELS.iter().any(|k| labels.contains_key(*k))
}

fn power_state(vm: &Value) -> Option<String> {
    string_at(vm, "/status/powerState").or_else(|| string_at(vm, "/spec/powerState"))
}

pub fn vm_details(vm: &Value) -> VmDetails {
    VmDetails {
        power_state: power_state(vm),
        tools_running: is_true(vm, COND_TOOLS),
        vks_node: is_vks_node(vm),
        current_snapshot: vm
            .pointer("/status/currentSnapshot")
            .and_then(SnapshotRef::from_value),
        root_snapshots: SnapshotRef::refs(vm, "/status/rootSnapshots"),
        revert_requested: string_at(vm, "/spec/currentSnapshotName")
            .filter(|s| !s.trim().is_empty()),
        revert_annotation: string_map(vm, "/metadata/annotations")
            .contains_key(REVERT_IN_PROGRESS_ANNOTATION),
        revert_condition: conditions(vm, "/status/conditions")
            .into_iter()
            .find(|c| c.type_ == COND_REVERT),
        unique_id: string_at(vm, "/status/uniqueID"),
    }
}

/// The neutral view of a VM Operator VirtualMachine. `printable_status` is the power state;
/// "agent connected" means VMware Tools is running.
pub fn vm_info(vm: &Value) -> VmInfo {
    let power = power_state(vm).unwrap_or_else(|| "Unknown".to_owned());
    let run_state = match power.as_str() {
        "PoweredOn" => RunState::Running,
        "PoweredOff" => RunState::Stopped,
        "Suspended" => RunState::Paused,
        other => RunState::Other(other.to_owned()),
    };
    let guest_id = str_at(vm, "/status/guest/guestID")
        .or_else(|| str_at(vm, "/spec/guestID"))
        .unwrap_or("");
    VmInfo {
        namespace: namespace(vm).to_owned(),
        name: name(vm).to_owned(),
        uid: string_at(vm, "/metadata/uid"),
        printable_status: power,
        run_state,
        run_strategy: None,
        agent_connected: is_true(vm, COND_TOOLS),
        guest_os: string_at(vm, "/status/guest/guestFullName"),
        windows: guest_id.to_ascii_lowercase().starts_with("win"),
        snapshot_in_progress: None,
        restore_in_progress: string_at(vm, "/spec/currentSnapshotName"),
        volumes: arr_at(vm, "/spec/volumes")
            .iter()
            .filter_map(|v| v["name"].as_str().map(str::to_owned))
            .collect(),
    }
}

/// Whether a revert can start from `snap`: its Ready condition is True and it is not being
/// deleted (the revert's own check, `check_revert`, refuses every other phase).
pub fn restorable(snap: &Value) -> bool {
    phase(snap) == Phase::Ready
}
