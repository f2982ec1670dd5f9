//! API group, version, kinds and plurals of Deckhouse Virtualization, and `ApiResource`s.
//!
//! Deckhouse's kinds collide with KubeVirt's and VM Operator's (`VirtualMachine`,
//! `VirtualMachineSnapshot`, short name `vmsnapshot`), so every resource is addressed by
//! plural + group + version, never by kind or short name.

use kube::core::ApiResource;

use crate::cluster::ObjectKind;
use crate::cluster::objects::api_resource;

pub const GROUP: &str = "virtualization.deckhouse.io";
/// The only version every kind used here is served in (v1alpha3 exists for VirtualMachineClass only).
pub const VERSION: &str = "v1alpha2";
pub const API_VERSION: &str = "virtualization.deckhouse.io/v1alpha2";

/// Finalizer on every VirtualMachineSnapshot.
pub const SNAPSHOT_FINALIZER: &str = "virtualization.deckhouse.io/vmsnapshot-protection";
/// Annotation on a Clone operation's temporary snapshot: the operation's uid.
pub const VMOP_UID_ANNOTATION: &str = "virtualization.deckhouse.io/vmop-uid";
/// Name prefix of a Clone operation's temporary snapshot.
pub const CLONE_SNAPSHOT_PREFIX: &str = "vmop-clone-";
/// Label the controller puts on every VirtualMachineOperation.
pub const VM_UID_LABEL: &str = "virtualization.deckhouse.io/virtual-machine-uid";
/// VM annotation holding the power state to return to after a restore.
pub const RESTORE_POWER_STATE_ANNOTATION: &str = "virtualization.deckhouse.io/restore-power-state";
/// Longest `to`, `namePrefix` or `nameSuffix` the CRD accepts.
pub const MAX_CLONE_NAME_PART: usize = 59;

/// Every resource this provider reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    VirtualMachine,
    VirtualDisk,
    VirtualImage,
    ClusterVirtualImage,
    VirtualMachineSnapshot,
    VirtualDiskSnapshot,
    VirtualMachineOperation,
    VirtualMachineSnapshotOperation,
    VirtualMachineIpAddress,
    VirtualMachineMacAddress,
    VirtualMachineBlockDeviceAttachment,
}

/// One version of the group is served: nothing to choose.
impl ObjectKind for Kind {
    type Versions = ();

    fn resource(self, _: &()) -> ApiResource {
        self.api_resource()
    }

    fn namespaced(self) -> bool {
        Kind::namespaced(self)
    }
}

impl Kind {
    /// (plural, kind).
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Self::VirtualMachine => ("virtualmachines", "VirtualMachine"),
            Self::VirtualDisk => ("virtualdisks", "VirtualDisk"),
            Self::VirtualImage => ("virtualimages", "VirtualImage"),
            Self::ClusterVirtualImage => ("clustervirtualimages", "ClusterVirtualImage"),
            Self::VirtualMachineSnapshot => ("virtualmachinesnapshots", "VirtualMachineSnapshot"),
            Self::VirtualDiskSnapshot => ("virtualdisksnapshots", "VirtualDiskSnapshot"),
            Self::VirtualMachineOperation => {
                ("virtualmachineoperations", "VirtualMachineOperation")
            }
            Self::VirtualMachineSnapshotOperation => (
                "virtualmachinesnapshotoperations",
                "VirtualMachineSnapshotOperation",
            ),
            Self::VirtualMachineIpAddress => {
                ("virtualmachineipaddresses", "VirtualMachineIPAddress")
            }
            Self::VirtualMachineMacAddress => {
                ("virtualmachinemacaddresses", "VirtualMachineMACAddress")
            }
            Self::VirtualMachineBlockDeviceAttachment => (
                "virtualmachineblockdeviceattachments",
                "VirtualMachineBlockDeviceAttachment",
            ),
        }
    }

    pub fn plural(self) -> &'static str {
        self.parts().0
    }

    /// The Kubernetes kind, also the word used in messages.
    pub fn kind(self) -> &'static str {
        self.parts().1
    }

    /// Short names users type with kubectl (from the CRDs), for docs and hints.
    pub fn short_names(self) -> &'static [&'static str] {
        match self {
            Self::VirtualMachine => &["vm"],
            Self::VirtualDisk => &["vd"],
            Self::VirtualImage => &["vi"],
            Self::ClusterVirtualImage => &["cvi"],
            Self::VirtualMachineSnapshot => &["vmsnapshot", "vms"],
            Self::VirtualDiskSnapshot => &["vdsnapshot", "vds"],
            Self::VirtualMachineOperation => &["vmop"],
            Self::VirtualMachineSnapshotOperation => &["vmsop"],
            Self::VirtualMachineIpAddress => &["vmip"],
            Self::VirtualMachineMacAddress => &["vmmac"],
            Self::VirtualMachineBlockDeviceAttachment => &["vmbda"],
        }
    }

    /// Only ClusterVirtualImage is cluster-scoped.
    pub fn namespaced(self) -> bool {
        self != Self::ClusterVirtualImage
    }

    /// Plural form for messages ("VirtualMachineSnapshots").
    pub fn kind_plural(self) -> String {
        format!("{}s", self.kind())
    }

    /// The resource for kubectl-style messages: `virtualmachinesnapshots.virtualization.deckhouse.io`.
    pub fn qualified(self) -> String {
        format!("{}.{GROUP}", self.plural())
    }

    /// The `ApiResource` (plural + group + version).
    pub fn api_resource(self) -> ApiResource {
        api_resource(GROUP, VERSION, self.kind(), self.plural())
    }

    /// The kind named in a `status.resources[]` entry or a block device reference.
    pub fn from_kind(kind: &str) -> Option<Kind> {
        ALL.iter().copied().find(|k| k.kind() == kind)
    }
}

/// Every kind, for lookups.
pub const ALL: [Kind; 11] = [
    Kind::VirtualMachine,
    Kind::VirtualDisk,
    Kind::VirtualImage,
    Kind::ClusterVirtualImage,
    Kind::VirtualMachineSnapshot,
    Kind::VirtualDiskSnapshot,
    Kind::VirtualMachineOperation,
    Kind::VirtualMachineSnapshotOperation,
    Kind::VirtualMachineIpAddress,
    Kind::VirtualMachineMacAddress,
    Kind::VirtualMachineBlockDeviceAttachment,
];

/// Whether discovery shows Deckhouse Virtualization with what snapshots need: the group at
/// v1alpha2 serving VM snapshots and VM operations (Restore needs module ≥ v1.0).
pub fn served(group_versions: &[(&str, &[&str])]) -> bool {
    group_versions.iter().any(|(gv, resources)| {
        *gv == API_VERSION
            && resources.contains(&Kind::VirtualMachineSnapshot.plural())
            && resources.contains(&Kind::VirtualMachineOperation.plural())
    })
}

/// Whether VirtualMachineSnapshotOperation (clone from a snapshot, module ≥ v1.2) is served.
pub fn snapshot_operations_served(resources: &[&str]) -> bool {
    resources.contains(&Kind::VirtualMachineSnapshotOperation.plural())
}
