//! Storage analysis: pure functions from fetched objects to findings about what a snapshot will capture.

mod analyse;
pub mod batch;
pub mod config_diff;
mod line_diff;
pub mod readiness;
mod snapshot_class;

use serde::Serialize;
use serde_json::Value;

use crate::model::{Consistency, VmInfo};

pub use crate::model::quantity::{human_bytes, parse_quantity};
pub use analyse::analyse;
pub use snapshot_class::{ClassChoice, choose as choose_snapshot_class};

/// Everything the analysis reads, fetched beforehand (all reads concurrently).
///
/// Cluster-scoped lists are `None` when the user may not read them (403): the analysis then
/// says "unknown" and warns instead of failing.
#[derive(Debug, Clone, Default)]
pub struct StorageInputs {
    /// The VirtualMachine object.
    pub vm: Value,
    /// Its VirtualMachineInstance, when running.
    pub vmi: Option<Value>,
    /// PersistentVolumeClaims in the VM's namespace (those the VM names suffice).
    pub pvcs: Vec<Value>,
    /// CDI DataVolumes in the VM's namespace (empty when CDI is absent).
    pub data_volumes: Vec<Value>,
    pub storage_classes: Option<Vec<Value>>,
    pub volume_snapshot_classes: Option<Vec<Value>>,
    pub storage_profiles: Option<Vec<Value>>,
    pub csi_drivers: Option<Vec<Value>>,
    /// Kinds whose API the cluster does not serve (404), e.g. "VolumeSnapshotClass" when the
    /// CSI snapshot CRDs are not installed, "StorageProfile" without CDI.
    pub missing_apis: Vec<String>,
}

impl StorageInputs {
    /// `vm` (and `vmi`) over the cluster objects of tests/fixtures/kubevirt, all readable.
    #[cfg(test)]
    pub(crate) fn from_fixtures(vm: Value, vmi: Option<Value>) -> Self {
        use crate::platform::kubevirt::api::fixtures::items;
        StorageInputs {
            vm,
            vmi,
            pvcs: items("pvcs.yaml"),
            data_volumes: items("datavolumes.yaml"),
            storage_classes: Some(items("storageclasses.yaml")),
            volume_snapshot_classes: Some(items("volumesnapshotclasses.yaml")),
            storage_profiles: Some(items("storageprofiles.yaml")),
            csi_drivers: Some(items("csidrivers.yaml")),
            missing_apis: Vec::new(),
        }
    }
}

/// The verdict for one volume of the VM (the default: nothing known, left out).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeFinding {
    pub volume: String,
    /// `persistentVolumeClaim`, `dataVolume`, `containerDisk`, `cloudInitNoCloud`, ...
    pub source_kind: String,
    pub pvc: Option<String>,
    pub storage_class: Option<String>,
    /// The StorageClass provisioner (the CSI driver name).
    pub driver: Option<String>,
    /// The VolumeSnapshotClass KubeVirt would pick.
    pub snapshot_class: Option<String>,
    /// That class's deletionPolicy (Delete | Retain).
    pub deletion_policy: Option<String>,
    /// A CSIDriver object for the driver exists; None when it could not be checked.
    pub csi_driver_present: Option<bool>,
    pub hotplugged: bool,
    pub size_bytes: Option<u64>,
    pub included: bool,
    /// Why it is left out (KubeVirt's wording where KubeVirt has one).
    pub reason: Option<String>,
}

/// The result of the storage analysis for one VM.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub vm: VmInfo,
    pub volumes: Vec<VolumeFinding>,
    pub expected_consistency: Consistency,
    /// Sum of the included volumes' sizes (capacity, else request).
    pub size_estimate_bytes: u64,
    /// Things the user should know before proceeding (VSS note, hot-plug note, ...).
    pub warnings: Vec<String>,
    /// Why a snapshot would not succeed now (a PVC missing, unbound or unpopulated, a restore
    /// in progress, no volume to capture), each a sentence saying what to do. Non-empty means
    /// creating a snapshot now would wait until its failure deadline and fail: refuse.
    pub blockers: Vec<String>,
    /// At least one volume will be captured (the contract's meaning; see also `blockers`).
    pub snapshottable: bool,
}

#[cfg(test)]
mod tests;
