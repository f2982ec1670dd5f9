//! VMware VM Operator (vSphere Supervisor, `vmoperator.vmware.com` v1alpha5/v1alpha6):
//! VirtualMachineSnapshots with memory, quiesce and description, vSphere's snapshot tree,
//! and revert through the VM's `spec.currentSnapshotName`. There is no clone API.
//!
//! Layout as for KubeVirt: `resources` (group, versions, names), `convert` (objects → model
//! and this provider's details, pure), `tree` (the snapshot tree, its text and data forms),
//! `checks` (preflight, revert and delete reasoning, pure), `build` (what we send, pure),
//! `client` (thin async calls).

mod build;
mod checks;
mod client;
mod convert;
mod describe;
pub mod resources;
mod tree;

pub use build::{
    QUIESCE_MAX, QUIESCE_MIN, SnapshotOptions, abort_revert_patch, annotate_consistency,
    build_snapshot, go_duration, parse_quiesce_timeout, revert_patch,
};
pub use checks::{
    CrossedVolumeSnapshot, DeleteEffect, Preflight, Refusal, RevertPreview, RevertState,
    blocking_snapshot, check_revert, creation_failure, crossed_volume_snapshots, delete_effect,
    preflight, revert_fix_commands, revert_state, snapshot_count_advice, stuck_revert,
    waiting_message,
};
pub use client::VmOperator;
pub use convert::{
    Phase, SnapshotDetails, SnapshotRef, StorageRequest, VmDetails, consistency,
    expected_consistency, is_vks_node, phase, phase_message, restorable, snapshot_details,
    snapshot_info, vm_details, vm_info,
};
pub use describe::describe_rows;
pub use resources::{Kind, Unsupported, Version, detect};
pub use tree::{RenderOptions, SnapshotTree, TreeNode, build_tree, render_tree};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod tests;
