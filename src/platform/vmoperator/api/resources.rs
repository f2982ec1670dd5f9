//! API group, versions, plurals and the names VM Operator writes (labels, annotations,
//! condition types and reasons), and `ApiResource` builders.
//!
//! The kinds collide with KubeVirt's and Deckhouse's (`VirtualMachine`,
//! `VirtualMachineSnapshot`, short name `vmsnapshot`): always plural + group + version.

use std::fmt;
use std::str::FromStr;

use kube::core::ApiResource;

use crate::cluster::ObjectKind;
use crate::cluster::objects::api_resource;

use crate::cluster::ServedGroup;

pub const GROUP: &str = "vmoperator.vmware.com";
pub const V1ALPHA5: &str = "v1alpha5";
pub const V1ALPHA6: &str = "v1alpha6";
/// vSphere 9.0.1's snapshot API (`spec.vmRef`): a different shape this plugin does not speak.
pub const LEGACY_V1ALPHA4: &str = "v1alpha4";

/// Label the mutating webhook puts on every snapshot: select a VM's snapshots server-side.
pub const VM_NAME_LABEL: &str = "snapshot.vmoperator.vmware.com/vm-name";
/// Finalizer the snapshot controller adds.
pub const SNAPSHOT_FINALIZER: &str = "vmoperator.vmware.com/virtualmachinesnapshot";
/// Left on the VM by a failed vSphere revert; the VM is not reconciled while it exists.
pub const REVERT_IN_PROGRESS_ANNOTATION: &str = "vmoperator.vmware.com/snapshot-revert-in-progress";
/// `requested` by VM Operator, `completed` by the vSphere CSI driver.
pub const CSI_SYNC_ANNOTATION: &str = "csi.vsphere.volume.sync";
/// A CR adopting a snapshot that already existed in vCenter.
pub const IMPORTED_SNAPSHOT_ANNOTATION: &str = "vmoperator.vmware.com/imported-snapshot";
/// The consistency this plugin expected when it asked for the snapshot (`offline`, `crash`,
/// `application`): the object cannot tell it later, since `status.quiesced` only echoes
/// `spec.quiesce` and a snapshot without memory reads PoweredOff whatever the VM was.
pub const CONSISTENCY_ANNOTATION: &str = "vmsnap.io/consistency";
/// Label keys of VKS / TKG (Cluster API) nodes, which cannot be snapshotted or reverted.
pub const CAPI_ROLE_LABELS: [&str; 2] = [
    "capw.vmware.com/cluster.role",
    "capv.vmware.com/cluster.role",
];
/// VM Operator's documentation: "Prefer limiting the number of snapshots to less than 32".
pub const SNAPSHOT_ADVICE_LIMIT: usize = 32;

pub const COND_CREATED: &str = "VirtualMachineSnapshotCreated";
pub const COND_CSI_SYNCED: &str = "VirtualMachineSnapshotCSISynced";
pub const COND_READY: &str = "VirtualMachineSnapshotReady";
pub const COND_REVERT: &str = "VirtualMachineSnapshotRevertSucceeded";
pub const COND_TOOLS: &str = "VirtualMachineTools";

pub const REASON_CREATION_IN_PROGRESS: &str = "VirtualMachineSnapshotCreationInProgress";
pub const REASON_CREATION_FAILED: &str = "VirtualMachineSnapshotCreationFailed";
pub const REASON_WAITING_DISK_REGISTRATION: &str =
    "VirtualMachineSnapshotWaitingForDiskRegistration";
pub const REASON_CSI_SYNC_IN_PROGRESS: &str = "VirtualMachineSnapshotCSISyncInProgress";
pub const REASON_WAITING_FOR_CREATION: &str = "VirtualMachineSnapshotWaitingForCreation";
pub const REASON_WAITING_FOR_CSI_SYNC: &str = "VirtualMachineSnapshotWaitingForCSISync";
pub const REASON_REVERT_IN_PROGRESS: &str = "VirtualMachineSnapshotRevertInProgress";
pub const REASON_REVERT_FAILED: &str = "VirtualMachineSnapshotRevertFailed";
pub const REASON_REVERT_SKIPPED: &str = "VirtualMachineSnapshotRevertSkipped";
pub const REASON_REVERT_TASK_FAILED: &str = "VirtualMachineSnapshotRevertTaskFailed";
pub const REASON_REVERT_INVALID_MANIFEST: &str =
    "VirtualMachineSnapshotRevertFailedInvalidVMManifest";

/// Which version of `vmoperator.vmware.com` to speak. The snapshot schemas of v1alpha5 and
/// v1alpha6 are identical, and both VM schemas carry the snapshot fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Version {
    /// vSphere 9.1 (`release/vc-9.1.0`) and served on newer releases too.
    #[default]
    V1alpha5,
    /// Newer releases (storage version on vm-operator main).
    V1alpha6,
}

/// Why the group is there but not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    /// Only v1alpha4 or older: vSphere 9.0.1's `spec.vmRef` snapshot shape, or no snapshots.
    Legacy { served: Vec<String> },
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1alpha5 => V1ALPHA5,
            Self::V1alpha6 => V1ALPHA6,
        }
    }

    /// The server's preferred version when it is one we speak, else v1alpha6, else v1alpha5.
    pub fn pick(group: &ServedGroup) -> Result<Self, Unsupported> {
        let preferred = group.preferred.as_deref().and_then(|p| p.parse().ok());
        if let Some(v) = preferred.filter(|v: &Version| group.serves(v.as_str())) {
            return Ok(v);
        }
        // The capability table lists the versions this plugin speaks, preferred first.
        crate::platform::capability::VM_OPERATOR
            .snapshot
            .versions
            .iter()
            .filter_map(|v| v.parse::<Version>().ok())
            .find(|v| group.serves(v.as_str()))
            .ok_or_else(|| Unsupported::Legacy {
                served: group.versions.clone(),
            })
    }
}

impl Unsupported {
    /// A sentence for the user, with what to do.
    pub fn explain(&self) -> String {
        match self {
            Self::Legacy { served } => format!(
                "{GROUP} is served only as {}: VM snapshots need v1alpha5 or newer (vSphere 9.1); \
                 vSphere 9.0.1's v1alpha4 snapshot API has another shape and is not supported",
                served.join(", ")
            ),
        }
    }
}

/// The VM Operator group among the served ones, and the version to speak: None when the
/// cluster does not serve VM Operator at all.
pub fn detect(groups: &[ServedGroup]) -> Option<Result<Version, Unsupported>> {
    groups.iter().find(|g| g.name == GROUP).map(Version::pick)
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            V1ALPHA5 => Ok(Self::V1alpha5),
            V1ALPHA6 => Ok(Self::V1alpha6),
            other => Err(format!("unsupported {GROUP} version {other:?}")),
        }
    }
}

/// The resources this provider reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    VirtualMachine,
    VirtualMachineSnapshot,
}

/// Both kinds are namespaced.
impl ObjectKind for Kind {
    type Versions = Version;

    fn resource(self, version: &Version) -> ApiResource {
        self.api_resource(*version)
    }

    fn namespaced(self) -> bool {
        true
    }
}

impl Kind {
    pub fn kind(self) -> &'static str {
        match self {
            Self::VirtualMachine => "VirtualMachine",
            Self::VirtualMachineSnapshot => "VirtualMachineSnapshot",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Self::VirtualMachine => "virtualmachines",
            Self::VirtualMachineSnapshot => "virtualmachinesnapshots",
        }
    }

    /// `plural.group`, the unambiguous name for kubectl (`kubectl get virtualmachines.vmoperator.vmware.com`).
    pub fn qualified(self) -> String {
        format!("{}.{GROUP}", self.plural())
    }

    pub fn api_resource(self, version: Version) -> ApiResource {
        api_resource(GROUP, version.as_str(), self.kind(), self.plural())
    }

    pub fn api_version(version: Version) -> String {
        format!("{GROUP}/{version}")
    }
}
