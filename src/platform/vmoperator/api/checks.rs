//! Safety checks VM Operator leaves to its clients, pure: preflight of a new snapshot (VKS
//! nodes, vSphere's 32-snapshot advice, quiesce without VMware Tools), what a revert would do
//! and whether it may start (the API does not check that the snapshot belongs to the VM),
//! how a revert is going, a stuck revert's fix, and what deleting a snapshot does to the tree.

use serde::Serialize;
use serde_json::Value;

use super::build::SnapshotOptions;
use super::convert::{Phase, phase, snapshot_details, vm_details};
use super::resources::{
    COND_CREATED, Kind, REASON_CREATION_FAILED, REASON_REVERT_FAILED, REASON_REVERT_IN_PROGRESS,
    REASON_REVERT_INVALID_MANIFEST, REASON_REVERT_SKIPPED, REASON_REVERT_TASK_FAILED,
    REVERT_IN_PROGRESS_ANNOTATION, SNAPSHOT_ADVICE_LIMIT,
};
use super::tree::SnapshotTree;
use crate::cluster::json::{arr_at, name, namespace, str_at};

/// Why the plugin will not go ahead, with what the user can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub message: String,
    pub hint: Option<String>,
}

impl Refusal {
    fn new(message: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            message: message.into(),
            hint,
        }
    }
}

/// What preflight found for a new snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preflight {
    pub refusal: Option<Refusal>,
    pub warnings: Vec<String>,
    /// Lines for the plan: power state, memory, quiesce, what a revert will do.
    pub notes: Vec<String>,
}

/// Checks a snapshot of `vm` with `opts`, given its existing snapshots as a tree.
pub fn preflight(vm: &Value, tree: &SnapshotTree, opts: &SnapshotOptions) -> Preflight {
    let d = vm_details(vm);
    let vm_name = name(vm);
    let mut out = Preflight::default();
    if d.vks_node {
        out.refusal = Some(Refusal::new(
            format!("{vm_name} is a VKS (Kubernetes cluster) node: VM Operator does not allow snapshots of VKS/TKG nodes"),
            Some("protect the workload inside the cluster instead (e.g. Velero), or snapshot the cluster's persistent volumes".into()),
        ));
        return out;
    }
    // VM Operator does not reconcile the VM while the annotation is there: the snapshot
    // would never be taken.
    if let Some(stuck) = stuck_revert(vm) {
        out.refusal = Some(stuck);
        return out;
    }
    if let Some(target) = d.revert_requested.as_deref() {
        out.warnings.push(format!(
            "a revert of {vm_name} to {target} is in progress: VM Operator takes the new snapshot after it, of the reverted VM"
        ));
    }
    let power = d.power_state.as_deref().unwrap_or("Unknown");
    out.notes.push(format!("power state: {power}"));
    if let Some(w) = snapshot_count_advice(vm_name, tree.node_count(), true) {
        out.warnings.push(w);
    }
    match (opts.memory, power) {
        (true, "PoweredOff") => out.notes.push(
            "memory: requested, but the VM is powered off: there is no memory to include".into(),
        ),
        (true, _) => out
            .notes
            .push("memory: included; reverting resumes the VM as it was running".into()),
        (false, "PoweredOn") => out.notes.push(
            "memory: not included; after a revert to this snapshot the VM is powered off (use --memory to keep it running)".into(),
        ),
        (false, _) => out.notes.push("memory: not included".into()),
    }
    if let Some(t) = opts.quiesce_timeout {
        let t = super::build::go_duration(t);
        if power != "PoweredOn" {
            out.warnings.push(format!(
                "quiesce ({t}) is ignored: the VM is {power}, nothing runs in the guest"
            ));
        } else if !d.tools_running {
            out.warnings.push(format!(
                "quiesce ({t}) needs VMware Tools, which {vm_name} reports as not running: VM Operator will ignore it and the snapshot will be crash-consistent"
            ));
        } else {
            out.notes.push(format!(
                "quiesce: guest file systems frozen through VMware Tools, for at most {t}"
            ));
        }
    }
    if let Some(b) = blocking_snapshot(tree, None) {
        let failed = tree.find(b).and_then(|n| n.phase) == Some(Phase::Failed);
        out.warnings.push(if failed {
            format!(
                "an older snapshot of {vm_name}, {b}, failed and VM Operator keeps retrying it: the new one will wait behind it until it is deleted (kubectl vmsnap delete {b} -n {})",
                namespace(vm)
            )
        } else {
            format!(
                "an older snapshot of {vm_name}, {b}, is not taken yet: VM Operator takes one at a time, so the new one will wait behind it"
            )
        });
    }
    out
}

/// vSphere's advice of fewer than 32 snapshots per VM, for a VM with `count` of them (every
/// node, Unmanaged ones too) that gets one more (`adding`, as `create`) or not (`list`).
/// None while the VM stays within it.
pub fn snapshot_count_advice(vm: &str, count: usize, adding: bool) -> Option<String> {
    let limit = SNAPSHOT_ADVICE_LIMIT;
    let why = "long chains slow the VM and its storage";
    if adding && count >= limit {
        Some(format!(
            "{vm} already has {count} snapshots; vSphere advises fewer than {limit} per VM ({why}). Consider deleting old ones."
        ))
    } else if adding && count + 1 == limit {
        Some(format!(
            "{vm} already has {count} snapshots; this one makes {limit}, and vSphere advises fewer than {limit} per VM ({why}). Consider deleting old ones."
        ))
    } else if !adding && count >= limit {
        Some(format!(
            "VM {vm} has {count} snapshots; vSphere advises fewer than {limit} per VM ({why}). Consider deleting old ones."
        ))
    } else {
        None
    }
}

/// A CSI VolumeSnapshot of one of the VM's disks taken after the revert's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossedVolumeSnapshot {
    pub name: String,
    pub claim: String,
}

/// The VolumeSnapshots of `vm`'s PersistentVolumeClaims (`spec.volumes[].persistentVolumeClaim`)
/// newer than `target`: vSphere refuses a revert crossing one ("The virtual machine cannot
/// be reverted when crossing a CSI VolumeSnapshot"), and the failed revert leaves the VM stuck.
pub fn crossed_volume_snapshots(
    vm: &Value,
    target: &Value,
    volume_snapshots: &[Value],
) -> Vec<CrossedVolumeSnapshot> {
    let claims: Vec<&str> = arr_at(vm, "/spec/volumes")
        .iter()
        .filter_map(|v| str_at(v, "/persistentVolumeClaim/claimName"))
        .collect();
    let taken = crate::cluster::json::time_at(target, "/metadata/creationTimestamp");
    let Some(taken) = taken else {
        return Vec::new();
    };
    let mut out: Vec<CrossedVolumeSnapshot> = volume_snapshots
        .iter()
        .filter(|s| {
            crate::cluster::json::time_at(s, "/metadata/creationTimestamp")
                .is_some_and(|t| t > taken)
        })
        .filter_map(|s| {
            let claim = str_at(s, "/spec/source/persistentVolumeClaimName")?;
            claims.contains(&claim).then(|| CrossedVolumeSnapshot {
                name: name(s).to_owned(),
                claim: claim.to_owned(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The oldest snapshot of the tree not yet taken (other than `except`): VM Operator works
/// on it before any newer one. A failed one blocks too, since it is retried.
pub fn blocking_snapshot<'a>(tree: &'a SnapshotTree, except: Option<&str>) -> Option<&'a str> {
    tree.detached
        .iter()
        .filter(|n| n.name.as_deref() != except)
        .find(|n| {
            matches!(
                n.phase,
                Some(
                    Phase::Pending
                        | Phase::Queued
                        | Phase::WaitingForVm
                        | Phase::InProgress
                        | Phase::Waiting
                        | Phase::Failed
                )
            )
        })
        .and_then(|n| n.name.as_deref())
}

/// What the spinner says while `snap` waits: names the older snapshot holding it up.
pub fn waiting_message(snap: &Value, tree: &SnapshotTree) -> Option<String> {
    let base = super::convert::phase_message(snap)?;
    if phase(snap) == Phase::Queued
        && let Some(b) = blocking_snapshot(tree, Some(name(snap)))
    {
        let failed = tree.find(b).and_then(|n| n.phase) == Some(Phase::Failed);
        let why = if failed {
            format!(
                "{b} failed and VM Operator keeps retrying it; delete it to let this one go ahead"
            )
        } else {
            format!("{b} is being taken first")
        };
        return Some(format!("{base} ({why})"));
    }
    Some(base)
}

/// The kubectl commands that clear a revert left stuck by a failed vSphere task.
pub fn revert_fix_commands(vm: &Value) -> Vec<String> {
    let (ns, vm_name) = (namespace(vm), name(vm));
    let kind = Kind::VirtualMachine.qualified();
    vec![
        format!("kubectl annotate {kind} {vm_name} -n {ns} {REVERT_IN_PROGRESS_ANNOTATION}-"),
        format!(
            "kubectl patch {kind} {vm_name} -n {ns} --type merge -p '{{\"spec\":{{\"currentSnapshotName\":null}}}}'"
        ),
    ]
}

/// A revert that failed in vSphere and left the annotation: VM Operator skips the VM until
/// someone removes it. None when the VM is not stuck.
pub fn stuck_revert(vm: &Value) -> Option<Refusal> {
    let d = vm_details(vm);
    if !d.revert_annotation {
        return None;
    }
    let reason = d.revert_condition.as_ref().and_then(|c| c.reason.clone());
    if reason.as_deref() == Some(REASON_REVERT_IN_PROGRESS) {
        return None;
    }
    let why = d
        .revert_condition
        .and_then(|c| c.message)
        .map(|m| format!(": {}", m.trim_end_matches('.')))
        .unwrap_or_default();
    Some(Refusal::new(
        format!(
            "{} is blocked by a failed revert (annotation {REVERT_IN_PROGRESS_ANNOTATION}){why}; VM Operator does not reconcile the VM until it is removed",
            name(vm)
        ),
        Some(format!(
            "fix the cause, then clear the revert by hand:\n  {}",
            revert_fix_commands(vm).join("\n  ")
        )),
    ))
}

/// What a revert of `vm` to `snap` would do, or why it may not start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevertPreview {
    pub vm: String,
    pub snapshot: String,
    /// The VM's power state after the revert.
    pub power_after: String,
    pub notes: Vec<String>,
}

/// Checks a revert. VM Operator's webhook only checks the field's shape: the snapshot's VM,
/// readiness and a stuck earlier revert are the CLI's job.
pub fn check_revert(vm: &Value, snap: &Value) -> Result<RevertPreview, Refusal> {
    let d = vm_details(vm);
    let vm_name = name(vm);
    let snap_name = name(snap);
    let owner = str_at(snap, "/spec/vmName").unwrap_or("");
    if owner != vm_name {
        return Err(Refusal::new(
            format!("snapshot {snap_name} belongs to VM {owner}, not {vm_name}"),
            Some(format!(
                "list {vm_name}'s snapshots with: kubectl vmsnap list {vm_name} -n {} (VM Operator would accept the request and fail later)",
                namespace(vm)
            )),
        ));
    }
    if d.vks_node {
        return Err(Refusal::new(
            format!(
                "{vm_name} is a VKS (Kubernetes cluster) node: VM Operator does not allow reverting VKS/TKG nodes"
            ),
            None,
        ));
    }
    if let Some(stuck) = stuck_revert(vm) {
        return Err(stuck);
    }
    if let Some(other) = d.revert_requested.as_deref() {
        return Err(Refusal::new(
            format!("a revert of {vm_name} to {other} is already in progress"),
            Some(format!(
                "wait for it, or withdraw it with: kubectl patch {} {vm_name} -n {} --type merge -p '{{\"spec\":{{\"currentSnapshotName\":null}}}}'",
                Kind::VirtualMachine.qualified(),
                namespace(vm)
            )),
        ));
    }
    let p = phase(snap);
    if p != Phase::Ready {
        return Err(Refusal::new(
            format!(
                "snapshot {snap_name} is not ready ({}): VM Operator skips reverts to it",
                p.as_str()
            ),
            None,
        ));
    }
    let details = snapshot_details(snap);
    let power_after = details
        .power_state
        .clone()
        .unwrap_or_else(|| "PoweredOff".into());
    let mut notes = vec![format!(
        "the VM's spec, labels and annotations are replaced by those saved in {snap_name}"
    )];
    if !details.memory {
        notes.push(format!(
            "{snap_name} was taken without memory: the VM will be powered off after the revert"
        ));
    }
    if d.current_snapshot.as_ref().and_then(|c| c.managed_name()) == Some(snap_name) {
        notes.push(format!(
            "{vm_name} already runs from {snap_name}: changes since then are discarded"
        ));
    }
    Ok(RevertPreview {
        vm: vm_name.to_owned(),
        snapshot: snap_name.to_owned(),
        power_after,
        notes,
    })
}

/// Where a revert stands, read from the VM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum RevertState {
    /// Asked for, not started or running.
    InProgress,
    /// `spec.currentSnapshotName` cleared, `status.currentSnapshot` names the target and no
    /// revert condition is left.
    Succeeded,
    Failed {
        reason: String,
        message: String,
        hint: Option<String>,
    },
}

/// Follows a revert of `vm` to `target`.
pub fn revert_state(vm: &Value, target: &str) -> RevertState {
    let d = vm_details(vm);
    if let Some(c) = &d.revert_condition {
        let reason = c.reason.clone().unwrap_or_default();
        let message = c.message.clone().unwrap_or_default();
        let failed = matches!(
            reason.as_str(),
            REASON_REVERT_FAILED
                | REASON_REVERT_SKIPPED
                | REASON_REVERT_TASK_FAILED
                | REASON_REVERT_INVALID_MANIFEST
        );
        if failed {
            let mut hints: Vec<String> = Vec::new();
            if message.contains("CSI VolumeSnapshot") {
                hints.push("a CSI VolumeSnapshot of this VM's volumes was taken after the target snapshot: delete those VolumeSnapshots, then retry".into());
            }
            if d.revert_annotation {
                hints.push(format!(
                    "the failed revert left the VM blocked; clear it with:\n  {}",
                    revert_fix_commands(vm).join("\n  ")
                ));
            } else if d.revert_requested.is_some() {
                hints.push(format!(
                    "withdraw the request with: kubectl patch {} {} -n {} --type merge -p '{{\"spec\":{{\"currentSnapshotName\":null}}}}'",
                    Kind::VirtualMachine.qualified(),
                    name(vm),
                    namespace(vm)
                ));
            }
            return RevertState::Failed {
                reason,
                message,
                hint: (!hints.is_empty()).then(|| hints.join("\n")),
            };
        }
        return RevertState::InProgress;
    }
    let current = d.current_snapshot.as_ref().and_then(|c| c.managed_name());
    if d.revert_requested.is_none() && current == Some(target) {
        RevertState::Succeeded
    } else {
        RevertState::InProgress
    }
}

/// What deleting a snapshot does to the tree: its children move up, not away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteEffect {
    pub snapshot: String,
    /// The node the children move to; None when it is a root (they become roots).
    pub new_parent: Option<String>,
    /// Names of its children (Unmanaged ones as "(unmanaged)").
    pub children: Vec<String>,
    pub was_current: bool,
    pub lines: Vec<String>,
}

pub fn delete_effect(tree: &SnapshotTree, snapshot: &str) -> DeleteEffect {
    let node = tree.find(snapshot);
    let children: Vec<String> = node
        .map(|n| {
            n.children
                .iter()
                .map(|c| c.name.clone().unwrap_or_else(|| "(unmanaged)".into()))
                .collect()
        })
        .unwrap_or_default();
    let parent = tree.parent_of(snapshot);
    let new_parent = parent
        .flatten()
        .map(|p| p.name.clone().unwrap_or_else(|| "(unmanaged)".into()));
    let was_current = node.is_some_and(|n| n.current);
    let mut lines = Vec::new();
    match (parent, children.is_empty()) {
        (None, _) => lines.push(format!(
            "{snapshot} is not in the VM's snapshot tree (not taken yet): only the request is removed"
        )),
        (Some(_), true) => {}
        (Some(_), false) => {
            let dest = match &new_parent {
                Some(p) => format!("become children of {p}"),
                None => "become root snapshots".into(),
            };
            lines.push(format!(
                "its children ({}) are not deleted: they {dest} (vSphere consolidates the disks)",
                children.join(", ")
            ));
        }
    }
    if was_current {
        lines.push(match &new_parent {
            Some(p) => format!("the VM's current snapshot becomes {p}"),
            None => "the VM will have no current snapshot".into(),
        });
    }
    DeleteEffect {
        snapshot: snapshot.to_owned(),
        new_parent,
        children,
        was_current,
        lines,
    }
}

/// A failed create, as a message for the user (VM Operator retries it forever).
pub fn creation_failure(snap: &Value) -> Option<String> {
    arr_at(snap, "/status/conditions")
        .iter()
        .find(|c| c["type"] == COND_CREATED && c["reason"] == REASON_CREATION_FAILED)
        .map(|c| {
            format!(
                "{}; VM Operator retries it and newer snapshots of the VM wait behind it: delete it to stop",
                c["message"]
                    .as_str()
                    .unwrap_or("the vSphere snapshot task failed")
                    .trim_end_matches('.')
            )
        })
}
