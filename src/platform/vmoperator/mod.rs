//! VMware VM Operator: snapshots with memory and quiesce, reverts through the VM's
//! `spec.currentSnapshotName`.

pub mod api;
pub mod commands;
pub mod report;
