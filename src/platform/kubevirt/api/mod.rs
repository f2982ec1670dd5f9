//! KubeVirt / OpenShift Virtualization: snapshot.kubevirt.io, kubevirt.io and clone.kubevirt.io.
//!
//! Layout: `resources` (groups, versions, plurals, `ApiResource`s), `json` (tolerant accessors),
//! `convert` (objects → model, pure), `build` (objects we create, pure), `client` (thin async
//! calls). The storage analysis over these objects lives in `crate::platform::kubevirt::analysis`.

mod build;
mod client;
pub mod clone;
mod convert;
mod fleet;
pub mod resources;
pub mod run_state;
pub mod safety;
pub mod usage;

pub use build::{build_restore, build_snapshot};
pub use client::KubeVirt;
pub use convert::{
    BACKEND_STORAGE_LABEL, SNAPSHOTTABLE_SOURCES, VmVolume, backend_pvc, backend_volume_name,
    consistency, indications, is_default_snapshot_class, needs_backend_storage, referenced_claims,
    restorable, restore_info, snapshot_info, snapshot_phase_message, vm_info, vm_volumes,
    vmi_volumes, volume_backups,
};
pub use fleet::{FLEET_PAGE_SIZE, Fleet, FleetStorage};
pub use resources::{Kind, ServedVersions, SnapshotVersion};

#[cfg(test)]
mod client_tests;
#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
