//! Pure conversions of Deckhouse objects into the provider-neutral model, plus the
//! Deckhouse-specific views the model has no place for yet (disks, disk snapshots,
//! operations with their per-resource results).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::resources::{CLONE_SNAPSHOT_PREFIX, Kind, VMOP_UID_ANNOTATION};
use crate::cluster::json::{
    arr_at, bool_at, condition_at, condition_true, conditions, has_annotation, name, namespace,
    str_at, string_at, string_map, time_at,
};
use crate::model::quantity::parse_quantity;
use crate::model::{Condition, Consistency, RunState, SnapshotInfo, SnapshotPhase, VmInfo};

/// A VM's `status.phase` as a run state (Pause → Paused; Pending, Migrating, Degraded,
/// Terminating stay as they are).
pub fn run_state(phase: &str) -> RunState {
    match phase {
        "Pause" => RunState::Paused,
        other => RunState::from_printable(other),
    }
}

/// A reference in `spec.blockDeviceRefs`: kind VirtualDisk, VirtualImage or ClusterVirtualImage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockDevice {
    pub kind: String,
    pub name: String,
}

impl BlockDevice {
    /// Images are read-only sources: never saved with a snapshot.
    pub fn is_image(&self) -> bool {
        matches!(self.kind.as_str(), "VirtualImage" | "ClusterVirtualImage")
    }
}

/// The block devices of a VM spec, in order.
pub fn block_devices(vm: &Value) -> Vec<BlockDevice> {
    arr_at(vm, "/spec/blockDeviceRefs")
        .iter()
        .filter_map(|r| {
            Some(BlockDevice {
                kind: string_at(r, "/kind")?,
                name: string_at(r, "/name")?,
            })
        })
        .collect()
}

/// The VirtualDisk names of a VM spec.
pub fn vm_disks(vm: &Value) -> Vec<String> {
    block_devices(vm)
        .into_iter()
        .filter(|b| b.kind == Kind::VirtualDisk.kind())
        .map(|b| b.name)
        .collect()
}

/// The model view of a Deckhouse VirtualMachine. `volumes` lists every block device as
/// `kind/name`; the guest agent is the `AgentReady` condition.
pub fn vm_info(vm: &Value) -> VmInfo {
    let phase = str_at(vm, "/status/phase").unwrap_or("Unknown");
    let guest_os = string_at(vm, "/status/guestOSInfo/prettyName")
        .or_else(|| string_at(vm, "/status/guestOSInfo/name"));
    let windows = str_at(vm, "/spec/osType") == Some("Windows")
        || str_at(vm, "/status/guestOSInfo/id").is_some_and(|id| id.contains("mswindows"));
    VmInfo {
        namespace: namespace(vm).to_owned(),
        name: name(vm).to_owned(),
        uid: string_at(vm, "/metadata/uid"),
        printable_status: phase.to_owned(),
        run_state: run_state(phase),
        run_strategy: string_at(vm, "/spec/runPolicy"),
        agent_connected: agent_ready(vm),
        guest_os,
        windows,
        snapshot_in_progress: None,
        restore_in_progress: condition_true(vm, "/status/conditions", "Maintenance")
            .then(|| "maintenance".to_owned()),
        volumes: block_devices(vm)
            .into_iter()
            .map(|b| format!("{}/{}", b.kind, b.name))
            .collect(),
    }
}

/// The guest agent is connected (`AgentReady=True`).
pub fn agent_ready(vm: &Value) -> bool {
    condition_true(vm, "/status/conditions", "AgentReady")
}

/// A restore holds the VM in maintenance (`Maintenance=True`).
pub fn in_maintenance(vm: &Value) -> bool {
    condition_true(vm, "/status/conditions", "Maintenance")
}

/// Deckhouse's snapshot phases in the model: Ready → Succeeded, Terminating → Deleting.
pub fn snapshot_phase(phase: Option<&str>) -> SnapshotPhase {
    match phase.unwrap_or("") {
        "" | "Pending" => SnapshotPhase::Pending,
        "InProgress" => SnapshotPhase::InProgress,
        "Ready" => SnapshotPhase::Succeeded,
        "Failed" => SnapshotPhase::Failed,
        "Terminating" => SnapshotPhase::Deleting,
        _ => SnapshotPhase::Unknown,
    }
}

/// What Deckhouse says about a snapshot's consistency. `status.consistent` is only ever
/// `true` or absent, so a Ready snapshot without it is "not guaranteed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeckhouseConsistency {
    /// Taken with the VM stopped, the disk unattached, or the file systems frozen.
    Consistent,
    /// Ready, but `requiredConsistency: false` let it be taken from a running, unfrozen VM.
    NotGuaranteed,
    /// Not Ready (yet).
    Unknown,
}

impl DeckhouseConsistency {
    pub fn of(obj: &Value) -> Self {
        match (
            str_at(obj, "/status/phase"),
            bool_at(obj, "/status/consistent"),
        ) {
            (Some("Ready"), Some(true)) => Self::Consistent,
            (Some("Ready"), _) => Self::NotGuaranteed,
            _ => Self::Unknown,
        }
    }

    /// The closest model value. Deckhouse does not say whether "consistent" came from a
    /// stopped VM or a freeze, so Consistent maps to Application (see the report's
    /// recommended `Consistency::Consistent`).
    pub fn to_model(self) -> Consistency {
        match self {
            Self::Consistent => Consistency::Application,
            Self::NotGuaranteed => Consistency::Crash,
            Self::Unknown => Consistency::Unknown,
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Self::Consistent => {
                "consistent: the VM was stopped or its file systems were frozen by the guest \
                 agent while the disks were captured"
            }
            Self::NotGuaranteed => {
                "not guaranteed consistent: taken from a running VM without a freeze \
                 (requiredConsistency: false), like after a power loss"
            }
            Self::Unknown => "unknown until the snapshot is Ready",
        }
    }
}

/// The message of the condition that explains a phase, if any.
fn condition_message(obj: &Value, type_: &str) -> Option<String> {
    condition_at(obj, "/status/conditions", type_, None).and_then(|c| string_at(c, "/message"))
}

/// When a condition of this type turned True.
fn true_since(obj: &Value, type_: &str) -> Option<Timestamp> {
    condition_at(obj, "/status/conditions", type_, Some("True"))
        .and_then(|c| time_at(c, "/lastTransitionTime"))
}

/// A clone operation's temporary snapshot (`vmop-clone-*` owned by the operation): listings
/// hide or mark it, the user never asked for it.
pub fn is_clone_temporary(snap: &Value) -> bool {
    has_annotation(snap, VMOP_UID_ANNOTATION) || name(snap).starts_with(CLONE_SNAPSHOT_PREFIX)
}

/// The model view of a VirtualMachineSnapshot. `volume_snapshots` are the CSI
/// VolumeSnapshots behind its disk snapshots (for the size), may be empty.
pub fn snapshot_info(
    snap: &Value,
    disk_snapshots: &[Value],
    volume_snapshots: &[Value],
) -> SnapshotInfo {
    let phase = snapshot_phase(str_at(snap, "/status/phase"));
    let included: Vec<String> = resources(snap)
        .into_iter()
        .filter(|r| r.kind == Kind::VirtualDisk.kind())
        .map(|r| r.name)
        .collect();
    let size_bytes = snapshot_size(snap, disk_snapshots, volume_snapshots);
    let error = (phase == SnapshotPhase::Failed)
        .then(|| condition_message(snap, "VirtualMachineSnapshotReady"))
        .flatten();
    SnapshotInfo {
        namespace: namespace(snap).to_owned(),
        name: name(snap).to_owned(),
        uid: string_at(snap, "/metadata/uid"),
        vm: string_at(snap, "/spec/virtualMachineName").unwrap_or_default(),
        vm_uid: None,
        phase,
        ready_to_use: phase == SnapshotPhase::Succeeded,
        created: time_at(snap, "/metadata/creationTimestamp"),
        creation_time: true_since(snap, "VirtualMachineSnapshotReady"),
        indications: vec![],
        consistency: DeckhouseConsistency::of(snap).to_model(),
        included_volumes: included,
        excluded_volumes: vec![],
        content_name: string_at(snap, "/status/virtualMachineSnapshotSecretName"),
        failure_deadline: None,
        error,
        conditions: conditions(snap, "/status/conditions"),
        size_bytes,
        labels: string_map(snap, "/metadata/labels"),
        deleting: str_at(snap, "/metadata/deletionTimestamp").is_some(),
    }
}

/// Sum of the restore sizes of the snapshot's disks, when every one is known.
pub fn snapshot_size(
    snap: &Value,
    disk_snapshots: &[Value],
    volume_snapshots: &[Value],
) -> Option<u64> {
    let names: Vec<&str> = arr_at(snap, "/status/virtualDiskSnapshotNames")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if names.is_empty() {
        return None;
    }
    names
        .iter()
        .map(|n| {
            let vds = disk_snapshots.iter().find(|d| name(d) == *n)?;
            let vs_name = str_at(vds, "/status/volumeSnapshotName")?;
            let vs = volume_snapshots.iter().find(|v| name(v) == vs_name)?;
            parse_quantity(str_at(vs, "/status/restoreSize")?)
        })
        .sum()
}

/// The restore size of one disk snapshot, from its CSI VolumeSnapshot (same namespace).
pub fn disk_snapshot_size(vds: &Value, volume_snapshots: &[Value]) -> Option<u64> {
    let vs = str_at(vds, "/status/volumeSnapshotName")?;
    let vs = volume_snapshots
        .iter()
        .find(|v| name(v) == vs && namespace(v) == namespace(vds))?;
    parse_quantity(str_at(vs, "/status/restoreSize")?)
}

/// One entry of a snapshot's `status.resources[]` (apiVersion is `group/version` there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// What a Ready snapshot saved.
pub fn resources(snap: &Value) -> Vec<ResourceRef> {
    arr_at(snap, "/status/resources")
        .iter()
        .filter_map(|r| {
            Some(ResourceRef {
                api_version: string_at(r, "/apiVersion").unwrap_or_default(),
                kind: string_at(r, "/kind")?,
                name: string_at(r, "/name")?,
            })
        })
        .collect()
}

/// The Deckhouse-only facts of a VM snapshot, for describe and the create report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDetails {
    pub required_consistency: bool,
    /// `Always` or `Never`.
    pub keep_ip_address: String,
    pub consistency: DeckhouseConsistency,
    pub resources: Vec<ResourceRef>,
    pub disk_snapshots: Vec<String>,
    pub secret: Option<String>,
    /// Made by a Clone operation, not by the user.
    pub clone_temporary: bool,
    /// The phase's explanation (the VirtualMachineSnapshotReady condition message).
    pub message: Option<String>,
    pub reason: Option<String>,
}

pub fn snapshot_details(snap: &Value) -> SnapshotDetails {
    let ready = condition_at(
        snap,
        "/status/conditions",
        "VirtualMachineSnapshotReady",
        None,
    );
    SnapshotDetails {
        required_consistency: bool_at(snap, "/spec/requiredConsistency").unwrap_or(true),
        keep_ip_address: string_at(snap, "/spec/keepIPAddress")
            .unwrap_or_else(|| "Always".to_owned()),
        consistency: DeckhouseConsistency::of(snap),
        resources: resources(snap),
        disk_snapshots: arr_at(snap, "/status/virtualDiskSnapshotNames")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        secret: string_at(snap, "/status/virtualMachineSnapshotSecretName"),
        clone_temporary: is_clone_temporary(snap),
        message: ready.and_then(|c| string_at(c, "/message")),
        reason: ready.and_then(|c| string_at(c, "/reason")),
    }
}

/// A one-line progress text for spinners: `InProgress: Waiting for … (1/2).`
pub fn phase_message(obj: &Value) -> String {
    let phase = str_at(obj, "/status/phase").unwrap_or("Pending");
    let cond = match str_at(obj, "/kind") {
        Some("VirtualDiskSnapshot") => "VirtualDiskSnapshotReady",
        Some("VirtualMachineOperation" | "VirtualMachineSnapshotOperation") => "Completed",
        _ => "VirtualMachineSnapshotReady",
    };
    match condition_message(obj, cond) {
        Some(m) => format!("{phase}: {m}"),
        None => phase.to_owned(),
    }
}

/// A VirtualDisk, as snapshots and restores need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskInfo {
    pub namespace: String,
    pub name: String,
    pub phase: String,
    /// `status.capacity` (what a snapshot restores to).
    pub capacity: Option<String>,
    pub capacity_bytes: Option<u64>,
    /// `spec.persistentVolumeClaim.size` (what was asked for).
    pub requested: Option<String>,
    pub storage_class: Option<String>,
    /// Phase Resizing, or a `Resized=False` condition.
    pub resizing: bool,
    pub attached_to: Vec<String>,
}

impl DiskInfo {
    pub fn ready(&self) -> bool {
        self.phase == "Ready"
    }
}

pub fn disk_info(vd: &Value) -> DiskInfo {
    let resized_false = arr_at(vd, "/status/conditions").iter().any(|c| {
        c.get("type").and_then(Value::as_str) == Some("Resized")
            && c.get("status").and_then(Value::as_str) == Some("False")
            && c.get("reason").and_then(Value::as_str) == Some("InProgress")
    });
    let phase = string_at(vd, "/status/phase").unwrap_or_else(|| "Pending".to_owned());
    let capacity = string_at(vd, "/status/capacity");
    DiskInfo {
        namespace: namespace(vd).to_owned(),
        name: name(vd).to_owned(),
        resizing: phase == "Resizing" || resized_false,
        phase,
        capacity_bytes: capacity.as_deref().and_then(parse_quantity),
        capacity,
        requested: string_at(vd, "/spec/persistentVolumeClaim/size"),
        storage_class: string_at(vd, "/status/storageClassName")
            .or_else(|| string_at(vd, "/spec/persistentVolumeClaim/storageClassName")),
        attached_to: arr_at(vd, "/status/attachedToVirtualMachines")
            .iter()
            .filter_map(|a| string_at(a, "/name"))
            .collect(),
    }
}

/// A VirtualDiskSnapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskSnapshotInfo {
    pub namespace: String,
    pub name: String,
    pub disk: String,
    pub phase: SnapshotPhase,
    pub required_consistency: bool,
    pub consistency: DeckhouseConsistency,
    pub volume_snapshot: Option<String>,
    /// The VM snapshot that made it (its controller owner), if any.
    pub vm_snapshot: Option<String>,
    pub created: Option<Timestamp>,
    pub message: Option<String>,
    pub conditions: Vec<Condition>,
}

pub fn disk_snapshot_info(vds: &Value) -> DiskSnapshotInfo {
    let owner = arr_at(vds, "/metadata/ownerReferences")
        .iter()
        .find(|o| o.get("kind").and_then(Value::as_str) == Some("VirtualMachineSnapshot"))
        .and_then(|o| string_at(o, "/name"));
    DiskSnapshotInfo {
        namespace: namespace(vds).to_owned(),
        name: name(vds).to_owned(),
        disk: string_at(vds, "/spec/virtualDiskName").unwrap_or_default(),
        phase: snapshot_phase(str_at(vds, "/status/phase")),
        required_consistency: bool_at(vds, "/spec/requiredConsistency").unwrap_or(true),
        consistency: DeckhouseConsistency::of(vds),
        volume_snapshot: string_at(vds, "/status/volumeSnapshotName"),
        vm_snapshot: owner,
        created: time_at(vds, "/metadata/creationTimestamp"),
        message: condition_message(vds, "VirtualDiskSnapshotReady"),
        conditions: conditions(vds, "/status/conditions"),
    }
}

/// Phase of a VirtualMachineOperation or VirtualMachineSnapshotOperation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OperationPhase {
    Pending,
    InProgress,
    Completed,
    Failed,
    Terminating,
    Superseded,
    Unknown,
}

impl OperationPhase {
    pub fn from_status(phase: Option<&str>) -> Self {
        match phase.unwrap_or("") {
            "" | "Pending" => Self::Pending,
            "InProgress" => Self::InProgress,
            "Completed" => Self::Completed,
            "Failed" => Self::Failed,
            "Terminating" => Self::Terminating,
            "Superseded" => Self::Superseded,
            _ => Self::Unknown,
        }
    }

    /// Nothing will change it any more (and the controller will delete it after a while).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Superseded)
    }
}

/// Status of one resource in an operation's `status.resources[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResourceStatus {
    InProgress,
    Completed,
    Failed,
    Unknown,
}

/// One resource an operation validated or processed. `api_version` holds only the version
/// (`v1alpha2`, `v1`) in operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationResource {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub status: ResourceStatus,
    pub message: String,
}

/// A VirtualMachineOperation or VirtualMachineSnapshotOperation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationInfo {
    pub namespace: String,
    pub name: String,
    /// `Start`, `Stop`, `Restore`, `Clone`, … or `CreateVirtualMachine`.
    pub type_: String,
    /// The VM (VMOP) — empty for a VMSOP.
    pub vm: String,
    /// The snapshot (Restore, VMSOP).
    pub snapshot: Option<String>,
    /// `DryRun`, `Strict`, `BestEffort` (Restore, Clone, CreateVirtualMachine).
    pub mode: Option<String>,
    pub phase: OperationPhase,
    pub resources: Vec<OperationResource>,
    /// The `Completed` condition's reason and message.
    pub reason: Option<String>,
    pub message: Option<String>,
    pub conditions: Vec<Condition>,
    pub created: Option<Timestamp>,
}

impl OperationInfo {
    pub fn is_dry_run(&self) -> bool {
        self.mode.as_deref() == Some("DryRun")
    }
}

pub fn operation_info(op: &Value) -> OperationInfo {
    let type_ = string_at(op, "/spec/type").unwrap_or_default();
    let mode = string_at(op, "/spec/restore/mode")
        .or_else(|| string_at(op, "/spec/clone/mode"))
        .or_else(|| string_at(op, "/spec/createVirtualMachine/mode"));
    let snapshot = string_at(op, "/spec/restore/virtualMachineSnapshotName")
        .or_else(|| string_at(op, "/spec/virtualMachineSnapshotName"));
    let completed = condition_at(op, "/status/conditions", "Completed", None);
    OperationInfo {
        namespace: namespace(op).to_owned(),
        name: name(op).to_owned(),
        type_,
        vm: string_at(op, "/spec/virtualMachineName").unwrap_or_default(),
        snapshot,
        mode,
        phase: OperationPhase::from_status(str_at(op, "/status/phase")),
        resources: arr_at(op, "/status/resources")
            .iter()
            .filter_map(|r| {
                Some(OperationResource {
                    api_version: string_at(r, "/apiVersion").unwrap_or_default(),
                    kind: string_at(r, "/kind")?,
                    name: string_at(r, "/name")?,
                    status: match str_at(r, "/status") {
                        Some("InProgress") => ResourceStatus::InProgress,
                        Some("Completed") => ResourceStatus::Completed,
                        Some("Failed") => ResourceStatus::Failed,
                        _ => ResourceStatus::Unknown,
                    },
                    message: string_at(r, "/message").unwrap_or_default(),
                })
            })
            .collect(),
        reason: completed.and_then(|c| string_at(c, "/reason")),
        message: completed.and_then(|c| string_at(c, "/message")),
        conditions: conditions(op, "/status/conditions"),
        created: time_at(op, "/metadata/creationTimestamp"),
    }
}
