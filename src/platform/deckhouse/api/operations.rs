//! Deckhouse operations as the preview shows them: conflicts a DryRun found (from
//! `status.resources`), what each means and what to do, and the "one active operation per
//! VM" rule (which operation is running, in words the user can act on).

use serde::Serialize;
use serde_json::Value;

use super::build::OperationMode;
use super::convert::{OperationInfo, OperationResource, ResourceStatus, operation_info};
use crate::cluster::json::str_at;

/// Why a resource cannot be restored or cloned as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConflictKind {
    /// A disk of the snapshot is attached to another VM.
    DiskInUse,
    /// The saved IP address is held by another VM.
    IpInUse,
    /// A saved MAC address is held by another VM.
    MacInUse,
    /// A VirtualImage / ClusterVirtualImage the VM used no longer exists.
    ImageMissing,
    /// A clone's new name is taken.
    NameTaken,
    /// A clone's new name is too long.
    NameTooLong,
    Other,
}

/// One conflict of a DryRun (a `Failed` entry of `status.resources`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub kind: String,
    pub name: String,
    pub conflict: ConflictKind,
    /// The server's message, verbatim.
    pub message: String,
}

/// Classifies a resource message (texts of `ctrl/service/restorer`).
pub fn classify(kind: &str, message: &str) -> ConflictKind {
    let m = message.to_ascii_lowercase();
    if m.contains("already in use") && kind == "VirtualDisk" {
        ConflictKind::DiskInUse
    } else if m.contains("ip address") {
        ConflictKind::IpInUse
    } else if m.contains("mac address") {
        ConflictKind::MacInUse
    } else if m.contains("virtual image is not found") || kind.ends_with("VirtualImage") {
        ConflictKind::ImageMissing
    } else if m.contains("too long") {
        ConflictKind::NameTooLong
    } else if m.contains("already exists") || m.contains(" attached to virtualmachine ") {
        ConflictKind::NameTaken
    } else {
        ConflictKind::Other
    }
}

/// The conflicts an operation reported.
pub fn conflicts(op: &OperationInfo) -> Vec<Conflict> {
    op.resources
        .iter()
        .filter(|r| r.status == ResourceStatus::Failed)
        .map(|r| Conflict {
            kind: r.kind.clone(),
            name: r.name.clone(),
            conflict: classify(&r.kind, &r.message),
            message: r.message.clone(),
        })
        .collect()
}

impl Conflict {
    /// Whether `mode` would go ahead anyway (BestEffort ignores missing images).
    pub fn ignored_by(&self, mode: OperationMode) -> bool {
        mode == OperationMode::BestEffort && self.conflict == ConflictKind::ImageMissing
    }

    /// What the conflict means and what to do, for the preview.
    pub fn explain(&self) -> String {
        let what = match self.conflict {
            ConflictKind::DiskInUse => format!(
                "the disk {} is attached to another VM; detach it there (or delete that VM's reference) before restoring",
                self.name
            ),
            ConflictKind::IpInUse => {
                "the IP address saved in the snapshot is now used by another VM; free it, or restore from a snapshot taken with --keep-ip-address Never".to_owned()
            }
            ConflictKind::MacInUse => {
                "a MAC address saved in the snapshot is now used by another VM; free it first".to_owned()
            }
            ConflictKind::ImageMissing => format!(
                "the image {} {} no longer exists (images are not saved in snapshots): Strict fails; --mode BestEffort removes it from the restored VM",
                self.kind, self.name
            ),
            ConflictKind::NameTaken => format!(
                "the new name {} is taken; choose another with --name-replacement, --prefix or --suffix",
                self.name
            ),
            ConflictKind::NameTooLong => format!(
                "the new name {} is too long; use a shorter --prefix/--suffix or --name-replacement",
                self.name
            ),
            ConflictKind::Other => "see the message".to_owned(),
        };
        format!("{} {}: {} ({what})", self.kind, self.name, self.message)
    }
}

/// The preview of a finished DryRun operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DryRunPreview {
    pub operation: String,
    /// The DryRun completed with no conflict.
    pub clean: bool,
    pub conflicts: Vec<Conflict>,
    /// Resources that validated.
    pub valid: Vec<OperationResource>,
    /// The operation-level message (`Restore is failed: …`, `… can be cloned …`).
    pub message: Option<String>,
}

impl DryRunPreview {
    /// Whether the real run in `mode` would pass these conflicts.
    pub fn passes(&self, mode: OperationMode) -> bool {
        self.conflicts.iter().all(|c| c.ignored_by(mode))
    }

    /// The conflicts that stop the real run in `mode` (BestEffort goes past some).
    pub fn blocking(&self, mode: OperationMode) -> Vec<&Conflict> {
        self.conflicts
            .iter()
            .filter(|c| !c.ignored_by(mode))
            .collect()
    }

    /// The lines the preview prints: one per conflict, explained, or one line saying all is valid.
    pub fn lines(&self) -> Vec<String> {
        if self.conflicts.is_empty() {
            return vec![format!(
                "dry run {}: {} resource(s) valid, no conflicts",
                self.operation,
                self.valid.len()
            )];
        }
        self.conflicts.iter().map(Conflict::explain).collect()
    }
}

/// Reads a finished DryRun operation (VirtualMachineOperation or VirtualMachineSnapshotOperation).
pub fn dry_run_preview(op: &Value) -> DryRunPreview {
    let info = operation_info(op);
    let conflicts = conflicts(&info);
    DryRunPreview {
        operation: info.name.clone(),
        clean: info.phase == super::convert::OperationPhase::Completed && conflicts.is_empty(),
        valid: info
            .resources
            .iter()
            .filter(|r| r.status == ResourceStatus::Completed)
            .cloned()
            .collect(),
        conflicts,
        message: info.message,
    }
}

/// The oldest unfinished VirtualMachineOperation of `vm` among `ops`, if any: the one that
/// blocks a new operation.
pub fn active_operation(ops: &[Value], vm: &str) -> Option<OperationInfo> {
    let mut active: Vec<OperationInfo> = ops
        .iter()
        .filter(|o| str_at(o, "/spec/virtualMachineName") == Some(vm))
        .map(operation_info)
        .filter(|o| !o.phase.is_finished())
        .collect();
    active.sort_by(|a, b| a.created.cmp(&b.created).then(a.name.cmp(&b.name)));
    active.into_iter().next()
}

/// What to tell the user when another operation holds the VM.
pub fn active_operation_message(vm: &str, running: &OperationInfo) -> String {
    format!(
        "the virtual machine {vm} already has an operation in progress: {} {} ({:?}); Deckhouse runs one operation per VM at a time. \
         Follow it with: kubectl get vmop {} -n {} -w",
        running.type_, running.name, running.phase, running.name, running.namespace
    )
}

/// The running operation's name in the webhook's refusal
/// (`VMOP cannot be executed now. Previously created operation "X" should finish first`).
pub fn refused_by_active_operation(message: &str) -> Option<String> {
    let marker = "Previously created operation \"";
    let start = message.find(marker)? + marker.len();
    let rest = &message[start..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Shown with every restore: finished operations vanish after a while, they are no history.
pub const OPERATIONS_ARE_NOT_HISTORY: &str = "finished operations are deleted by Deckhouse after 24h (or beyond the 10 newest per VM): \
     they are not a history of restores";

/// What BestEffort changes compared with Strict, for the mode flag's help and the preview.
pub const BEST_EFFORT_EXPLANATION: &str = "BestEffort goes ahead when an image the VM used (VirtualImage/ClusterVirtualImage) no \
     longer exists, removing it from the restored VM, and when a saved secret's data differs; Strict fails instead";

/// Unfinished operations that read a VM snapshot: Restore VirtualMachineOperations (DryRun
/// ones included) and VirtualMachineSnapshotOperations. Deleting the snapshot under one fails
/// it, and a failed Restore leaves the VM in maintenance.
pub fn snapshot_readers(ops: &[Value]) -> impl Iterator<Item = OperationInfo> + '_ {
    ops.iter()
        .map(operation_info)
        .filter(|o| !o.phase.is_finished() && o.snapshot.is_some())
}

/// The command that follows operation `op` until it finishes.
pub fn follow_operation(op: &OperationInfo) -> String {
    let resource = if op.type_ == "CreateVirtualMachine" {
        super::Kind::VirtualMachineSnapshotOperation.qualified()
    } else {
        "vmop".to_owned()
    };
    format!("kubectl get {resource} {} -n {} -w", op.name, op.namespace)
}
