//! Objects and patches this provider sends, pure: the VirtualMachineSnapshot of `create` and
//! the merge patch of `restore` (a revert), plus the quiesce timeout as a Go duration.

use std::time::Duration;

use serde_json::{Value, json};

use super::resources::{Kind, Version};

pub use crate::names::{QUIESCE_MAX, QUIESCE_MIN, go_duration, parse_quiesce_timeout};

/// What `create` asks for beyond the names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotOptions {
    pub description: Option<String>,
    /// Include the guest memory: reverting resumes the running VM; without it the VM is
    /// powered off after a revert.
    pub memory: bool,
    /// Quiesce the guest file systems through VMware Tools, for at most this long.
    pub quiesce_timeout: Option<Duration>,
}

/// The VirtualMachineSnapshot to create. The label is what VM Operator's webhook would set
/// anyway; sending it lets `--dry-run=client` show the object as it will be.
pub fn build_snapshot(
    version: Version,
    namespace: &str,
    name: &str,
    vm: &str,
    opts: &SnapshotOptions,
) -> Value {
    let mut spec = json!({ "vmName": vm });
    if let Some(d) = opts.description.as_deref().filter(|d| !d.is_empty()) {
        spec["description"] = json!(d);
    }
    if opts.memory {
        spec["memory"] = json!(true);
    }
    if let Some(t) = opts.quiesce_timeout {
        // Always with a timeout: `quiesce: {}` crashes VM Operator's CreateSnapshot.
        spec["quiesce"] = json!({ "timeout": go_duration(t) });
    }
    json!({
        "apiVersion": Kind::api_version(version),
        "kind": "VirtualMachineSnapshot",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": { super::resources::VM_NAME_LABEL: vm },
        },
        "spec": spec,
    })
}

/// Records on `snapshot` the consistency expected of it when it is asked for
/// ([`super::resources::CONSISTENCY_ANNOTATION`]).
pub fn annotate_consistency(snapshot: &mut Value, expected: crate::model::Consistency) {
    snapshot["metadata"]["annotations"][super::resources::CONSISTENCY_ANNOTATION] =
        json!(expected.as_str());
}

/// The merge patch that asks VM Operator to revert the VM to `snapshot`.
pub fn revert_patch(snapshot: &str) -> Value {
    json!({ "spec": { "currentSnapshotName": snapshot } })
}

/// The merge patch that withdraws a revert request (with the annotation, when a failed
/// vSphere revert left it: both are needed before the VM is reconciled again).
pub fn abort_revert_patch(remove_annotation: bool) -> Value {
    let mut p = json!({ "spec": { "currentSnapshotName": null } });
    if remove_annotation {
        p["metadata"] =
            json!({ "annotations": { super::resources::REVERT_IN_PROGRESS_ANNOTATION: null } });
    }
    p
}
