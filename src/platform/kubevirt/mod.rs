//! KubeVirt / OpenShift Virtualization: snapshots, restores and clones through their own
//! objects (snapshot.kubevirt.io, clone.kubevirt.io).

pub mod analysis;
pub mod api;
pub mod commands;
pub mod report;
