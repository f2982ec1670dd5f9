//! API groups, versions, kinds and plurals this provider touches, and `ApiResource` builders.
//!
//! Kinds collide across providers (three groups call a kind VirtualMachineSnapshot), so every
//! resource is addressed by plural + group + version, never by kind alone.

use std::fmt;
use std::str::FromStr;

use kube::core::ApiResource;

use crate::cluster::ObjectKind;
use crate::cluster::objects::api_resource;

pub const SNAPSHOT_GROUP: &str = "snapshot.kubevirt.io";
pub const SNAPSHOT_V1BETA1: &str = "v1beta1";
pub const SNAPSHOT_V1ALPHA1: &str = "v1alpha1";
pub const KUBEVIRT_GROUP: &str = "kubevirt.io";
pub const KUBEVIRT_VERSION: &str = "v1";
pub const SUBRESOURCES_GROUP: &str = "subresources.kubevirt.io";
pub const SUBRESOURCES_VERSION: &str = "v1";
pub const CLONE_GROUP: &str = "clone.kubevirt.io";
pub const CLONE_VERSION: &str = "v1beta1";
pub const CDI_GROUP: &str = "cdi.kubevirt.io";
pub const CDI_VERSION: &str = "v1beta1";
pub const CSI_SNAPSHOT_GROUP: &str = "snapshot.storage.k8s.io";
pub const CSI_SNAPSHOT_VERSION: &str = "v1";
pub const STORAGE_GROUP: &str = "storage.k8s.io";
pub const STORAGE_VERSION: &str = "v1";

/// Annotation KubeVirt looks for (presence, any value) when several classes match a driver.
pub const DEFAULT_SNAPSHOT_CLASS_ANNOTATION: &str =
    "snapshot.storage.kubernetes.io/is-default-class";
/// Finalizer KubeVirt puts on every VirtualMachineSnapshot.
pub const SNAPSHOT_FINALIZER: &str = "snapshot.kubevirt.io/vmsnapshot-protection";
/// KubeVirt's default `spec.failureDeadline` when none is given.
pub const DEFAULT_FAILURE_DEADLINE: &str = "5m";

/// Which `snapshot.kubevirt.io` version the cluster serves (prefer v1beta1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SnapshotVersion {
    #[default]
    V1beta1,
    V1alpha1,
}

impl SnapshotVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1beta1 => SNAPSHOT_V1BETA1,
            Self::V1alpha1 => SNAPSHOT_V1ALPHA1,
        }
    }

    /// The preferred version among those discovery reports for `snapshot.kubevirt.io`.
    pub fn pick<'a>(served: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let served: Vec<&str> = served.into_iter().collect();
        if served.contains(&SNAPSHOT_V1BETA1) {
            Some(Self::V1beta1)
        } else if served.contains(&SNAPSHOT_V1ALPHA1) {
            Some(Self::V1alpha1)
        } else {
            None
        }
    }
}

impl fmt::Display for SnapshotVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SnapshotVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            SNAPSHOT_V1BETA1 => Ok(Self::V1beta1),
            SNAPSHOT_V1ALPHA1 => Ok(Self::V1alpha1),
            other => Err(format!("unsupported {SNAPSHOT_GROUP} version {other:?}")),
        }
    }
}

/// The versions discovery found; everything else this provider uses has one stable version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ServedVersions {
    pub snapshot: SnapshotVersion,
}

/// Every resource this provider reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    VirtualMachine,
    VirtualMachineInstance,
    VirtualMachineSnapshot,
    VirtualMachineSnapshotContent,
    VirtualMachineRestore,
    VirtualMachineClone,
    DataVolume,
    StorageProfile,
    PersistentVolumeClaim,
    VolumeSnapshot,
    VolumeSnapshotClass,
    StorageClass,
    CsiDriver,
}

impl ObjectKind for Kind {
    type Versions = ServedVersions;

    fn resource(self, versions: &ServedVersions) -> ApiResource {
        self.api_resource(versions)
    }

    fn namespaced(self) -> bool {
        Kind::namespaced(self)
    }
}

impl Kind {
    /// (group, plural, kind); the version comes from `version()`.
    fn parts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::VirtualMachine => (KUBEVIRT_GROUP, "virtualmachines", "VirtualMachine"),
            Self::VirtualMachineInstance => (
                KUBEVIRT_GROUP,
                "virtualmachineinstances",
                "VirtualMachineInstance",
            ),
            Self::VirtualMachineSnapshot => (
                SNAPSHOT_GROUP,
                "virtualmachinesnapshots",
                "VirtualMachineSnapshot",
            ),
            Self::VirtualMachineSnapshotContent => (
                SNAPSHOT_GROUP,
                "virtualmachinesnapshotcontents",
                "VirtualMachineSnapshotContent",
            ),
            Self::VirtualMachineRestore => (
                SNAPSHOT_GROUP,
                "virtualmachinerestores",
                "VirtualMachineRestore",
            ),
            Self::VirtualMachineClone => {
                (CLONE_GROUP, "virtualmachineclones", "VirtualMachineClone")
            }
            Self::DataVolume => (CDI_GROUP, "datavolumes", "DataVolume"),
            Self::StorageProfile => (CDI_GROUP, "storageprofiles", "StorageProfile"),
            Self::PersistentVolumeClaim => ("", "persistentvolumeclaims", "PersistentVolumeClaim"),
            Self::VolumeSnapshot => (CSI_SNAPSHOT_GROUP, "volumesnapshots", "VolumeSnapshot"),
            Self::VolumeSnapshotClass => (
                CSI_SNAPSHOT_GROUP,
                "volumesnapshotclasses",
                "VolumeSnapshotClass",
            ),
            Self::StorageClass => (STORAGE_GROUP, "storageclasses", "StorageClass"),
            Self::CsiDriver => (STORAGE_GROUP, "csidrivers", "CSIDriver"),
        }
    }

    pub fn group(self) -> &'static str {
        self.parts().0
    }

    pub fn plural(self) -> &'static str {
        self.parts().1
    }

    /// The Kubernetes kind, also the word used in error messages ("failed to get VirtualMachine ...").
    pub fn kind(self) -> &'static str {
        self.parts().2
    }

    pub fn version(self, versions: &ServedVersions) -> &'static str {
        match self.group() {
            SNAPSHOT_GROUP => versions.snapshot.as_str(),
            KUBEVIRT_GROUP => KUBEVIRT_VERSION,
            CLONE_GROUP => CLONE_VERSION,
            CDI_GROUP => CDI_VERSION,
            CSI_SNAPSHOT_GROUP => CSI_SNAPSHOT_VERSION,
            STORAGE_GROUP => STORAGE_VERSION,
            _ => "v1",
        }
    }

    /// Cluster-scoped kinds: StorageClass, VolumeSnapshotClass, StorageProfile, CSIDriver.
    pub fn namespaced(self) -> bool {
        !matches!(
            self,
            Self::StorageClass | Self::VolumeSnapshotClass | Self::StorageProfile | Self::CsiDriver
        )
    }

    /// Plural form for messages ("VirtualMachineSnapshots").
    pub fn kind_plural(self) -> String {
        match self {
            Self::VolumeSnapshotClass => "VolumeSnapshotClasses".to_owned(),
            k => format!("{}s", k.kind()),
        }
    }

    /// The `ApiResource` for this kind at the served version.
    pub fn api_resource(self, versions: &ServedVersions) -> ApiResource {
        api_resource(
            self.group(),
            self.version(versions),
            self.kind(),
            self.plural(),
        )
    }

    /// `apiVersion` as written in objects: "group/version", or "v1" for the core group.
    pub fn api_version(self, versions: &ServedVersions) -> String {
        match self.group() {
            "" => self.version(versions).to_owned(),
            g => format!("{g}/{}", self.version(versions)),
        }
    }
}

/// URL path of the VM subresource collection: PUT `{this}/NAME/start` or `/stop`.
pub fn vm_subresource_path(namespace: &str) -> String {
    format!(
        "/apis/{SUBRESOURCES_GROUP}/{SUBRESOURCES_VERSION}/namespaces/{namespace}/virtualmachines"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_kinds_follow_the_served_version() {
        let beta = ServedVersions::default();
        let alpha = ServedVersions {
            snapshot: SnapshotVersion::V1alpha1,
        };
        let ar = Kind::VirtualMachineSnapshot.api_resource(&beta);
        assert_eq!(ar.api_version, "snapshot.kubevirt.io/v1beta1");
        assert_eq!(ar.plural, "virtualmachinesnapshots");
        let ar = Kind::VirtualMachineRestore.api_resource(&alpha);
        assert_eq!(ar.api_version, "snapshot.kubevirt.io/v1alpha1");
        assert_eq!(Kind::VirtualMachine.api_version(&alpha), "kubevirt.io/v1");
    }

    #[test]
    fn core_and_storage_kinds_have_their_fixed_versions() {
        let v = ServedVersions::default();
        assert_eq!(
            Kind::PersistentVolumeClaim.api_resource(&v).api_version,
            "v1"
        );
        assert_eq!(Kind::PersistentVolumeClaim.api_resource(&v).group, "");
        assert_eq!(
            Kind::CsiDriver.api_resource(&v).api_version,
            "storage.k8s.io/v1"
        );
        assert_eq!(Kind::CsiDriver.kind(), "CSIDriver");
        assert_eq!(
            Kind::VolumeSnapshotClass.api_resource(&v).api_version,
            "snapshot.storage.k8s.io/v1"
        );
        assert_eq!(Kind::DataVolume.api_version(&v), "cdi.kubevirt.io/v1beta1");
        assert_eq!(
            Kind::VirtualMachineClone.api_version(&v),
            "clone.kubevirt.io/v1beta1"
        );
        assert!(!Kind::StorageProfile.namespaced());
        assert!(Kind::VolumeSnapshot.namespaced());
        assert_eq!(
            Kind::VolumeSnapshotClass.kind_plural(),
            "VolumeSnapshotClasses"
        );
    }

    #[test]
    fn picks_v1beta1_over_v1alpha1() {
        assert_eq!(
            SnapshotVersion::pick(["v1alpha1", "v1beta1"]),
            Some(SnapshotVersion::V1beta1)
        );
        assert_eq!(
            SnapshotVersion::pick(["v1alpha1"]),
            Some(SnapshotVersion::V1alpha1)
        );
        assert_eq!(SnapshotVersion::pick(["v2"]), None);
        assert_eq!(
            "v1alpha1".parse::<SnapshotVersion>(),
            Ok(SnapshotVersion::V1alpha1)
        );
    }

    #[test]
    fn subresource_path_addresses_the_subresources_group() {
        assert_eq!(
            vm_subresource_path("prod"),
            "/apis/subresources.kubevirt.io/v1/namespaces/prod/virtualmachines"
        );
    }
}
