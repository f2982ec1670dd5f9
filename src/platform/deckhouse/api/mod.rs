//! Deckhouse Virtualization (`virtualization.deckhouse.io/v1alpha2`): VM and disk snapshots,
//! restores and clones through VirtualMachineOperation, new VMs from snapshots through
//! VirtualMachineSnapshotOperation.
//!
//! Layout as for KubeVirt: `resources` (group, version, plurals, `ApiResource`s), `convert`
//! (objects → model and Deckhouse views, pure), `build` (objects we create, pure),
//! `preflight` (plan-time checks, pure), `operations` (DryRun conflicts and the
//! one-operation-per-VM rule, pure), `client` (thin async calls). The commands using them
//! are in `commands::deckhouse`.

mod build;
mod client;
mod convert;
pub mod operations;
pub mod preflight;
pub mod resources;

pub use build::{
    CloneNaming, KeepIpAddress, NameReplacement, OperationMode, build_clone, build_create_vm,
    build_disk_from_snapshot, build_disk_snapshot, build_power, build_restore, build_vm_snapshot,
};
pub use client::{Deckhouse, VmInputs};
pub use convert::{
    BlockDevice, DeckhouseConsistency, DiskInfo, DiskSnapshotInfo, OperationInfo, OperationPhase,
    OperationResource, ResourceRef, ResourceStatus, SnapshotDetails, agent_ready, block_devices,
    disk_info, disk_snapshot_info, disk_snapshot_size, in_maintenance, is_clone_temporary,
    operation_info, phase_message, resources, run_state, snapshot_details, snapshot_info,
    snapshot_phase, snapshot_size, vm_disks, vm_info,
};
pub use preflight::restorable;
pub use resources::Kind;

#[cfg(test)]
mod client_tests;
#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
