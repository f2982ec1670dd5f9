//! Thin async calls to the API server for the VM Operator provider, each with a lowercase
//! "failed to ..." context that keeps the `kube::Error` in the chain for the error mapper.

use anyhow::{Context, Result};
use serde_json::Value;

use super::build::revert_patch;
use super::resources::{Kind, VM_NAME_LABEL, Version};
use crate::cluster::objects;
use crate::cluster::{LIST_PAGE_SIZE, Objects};

/// The VM Operator provider bound to a client and the version discovery chose: the shared
/// typed get/list/create/patch/delete of [`Objects`], and VM Operator's own calls below.
pub type VmOperator = Objects<Kind>;

impl VmOperator {
    pub fn version(&self) -> Version {
        self.versions()
    }

    pub async fn get_vm(&self, ns: &str, name: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachine, ns, name).await
    }

    pub async fn get_snapshot(&self, ns: &str, name: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineSnapshot, ns, name).await
    }

    /// CSI VolumeSnapshots (`snapshot.storage.k8s.io/v1`) in a namespace: a revert cannot
    /// cross one taken of the VM's disks.
    pub async fn list_volume_snapshots(&self, ns: &str) -> Result<Vec<Value>> {
        let gvk =
            kube::core::GroupVersionKind::gvk("snapshot.storage.k8s.io", "v1", "VolumeSnapshot");
        let res = kube::core::ApiResource::from_gvk_with_plural(&gvk, "volumesnapshots");
        objects::list(self.client(), &res, Some(ns), None, LIST_PAGE_SIZE).await
    }

    pub async fn list_vms(&self, ns: Option<&str>) -> Result<Vec<Value>> {
        self.list(Kind::VirtualMachine, ns, None).await
    }

    /// Snapshots in a namespace (or all); of one VM through the label VM Operator's webhook
    /// sets, so the server does the filtering.
    pub async fn list_snapshots(&self, ns: Option<&str>, vm: Option<&str>) -> Result<Vec<Value>> {
        let selector = vm.map(|v| format!("{VM_NAME_LABEL}={v}"));
        self.list(Kind::VirtualMachineSnapshot, ns, selector.as_deref())
            .await
    }

    /// Creates a snapshot built by `build_snapshot`; `dry_run` = `dryRun=All`.
    pub async fn create_snapshot(&self, obj: Value, dry_run: bool) -> Result<Value> {
        self.create(Kind::VirtualMachineSnapshot, obj, dry_run)
            .await
    }

    /// Asks VM Operator to revert `vm` to `snapshot` (merge patch of
    /// `spec.currentSnapshotName`). Check with `check_revert` first: the API does not.
    pub async fn request_revert(
        &self,
        ns: &str,
        vm: &str,
        snapshot: &str,
        dry_run: bool,
    ) -> Result<Value> {
        self.patch_vm(ns, vm, &revert_patch(snapshot), dry_run)
            .await
            .with_context(|| {
                format!("failed to request the revert of VirtualMachine {ns}/{vm} to {snapshot}")
            })
    }

    /// A JSON merge patch of a VM (withdrawing a revert: see `abort_revert_patch`).
    pub async fn patch_vm(
        &self,
        ns: &str,
        vm: &str,
        patch: &Value,
        dry_run: bool,
    ) -> Result<Value> {
        self.patch_merge(Kind::VirtualMachine, ns, vm, patch, dry_run)
            .await
    }

    /// Deletes a snapshot (only the object with `uid`, when given); false when already gone.
    pub async fn delete_snapshot(
        &self,
        ns: &str,
        name: &str,
        uid: Option<&str>,
        dry_run: bool,
    ) -> Result<bool> {
        self.delete(Kind::VirtualMachineSnapshot, ns, name, uid, dry_run)
            .await
    }
}
