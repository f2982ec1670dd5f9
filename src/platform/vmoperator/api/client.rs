//! Thin async calls to the API server for the VM Operator provider, each with a lowercase
//! "failed to ..." context that keeps the `kube::Error` in the chain for the error mapper.

use anyhow::{Context, Result};
use kube::Client;
use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::build::revert_patch;
use super::resources::{Kind, VM_NAME_LABEL, Version};
use crate::cluster::objects;
use crate::cluster::{LIST_PAGE_SIZE, dynamic_api};

/// The VM Operator provider bound to a client and the version discovery chose.
#[derive(Clone)]
pub struct VmOperator {
    client: Client,
    version: Version,
}

impl VmOperator {
    pub fn new(client: Client, version: Version) -> Self {
        Self { client, version }
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn api(&self, kind: Kind, ns: Option<&str>) -> Api<DynamicObject> {
        dynamic_api(&self.client, &kind.api_resource(self.version), ns)
    }

    /// GET one object; None on 404; refused when the answer is another object.
    pub async fn get(&self, kind: Kind, ns: &str, name: &str) -> Result<Option<Value>> {
        objects::get(
            &self.client,
            &kind.api_resource(self.version),
            Some(ns),
            name,
        )
        .await
    }

    pub async fn get_vm(&self, ns: &str, name: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachine, ns, name).await
    }

    pub async fn get_snapshot(&self, ns: &str, name: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineSnapshot, ns, name).await
    }

    pub async fn list(
        &self,
        kind: Kind,
        ns: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>> {
        let ar = kind.api_resource(self.version);
        objects::list(&self.client, &ar, ns, selector, LIST_PAGE_SIZE).await
    }

    /// CSI VolumeSnapshots (`snapshot.storage.k8s.io/v1`) in a namespace: a revert cannot
    /// cross one taken of the VM's disks.
    pub async fn list_volume_snapshots(&self, ns: &str) -> Result<Vec<Value>> {
        let gvk =
            kube::core::GroupVersionKind::gvk("snapshot.storage.k8s.io", "v1", "VolumeSnapshot");
        let res = kube::core::ApiResource::from_gvk_with_plural(&gvk, "volumesnapshots");
        objects::list(&self.client, &res, Some(ns), None, LIST_PAGE_SIZE).await
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
        let ar = Kind::VirtualMachineSnapshot.api_resource(self.version);
        objects::create(&self.client, &ar, obj, dry_run).await
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
        let ar = Kind::VirtualMachine.api_resource(self.version);
        objects::patch_merge(&self.client, &ar, Some(ns), vm, patch, dry_run).await
    }

    /// Deletes a snapshot (only the object with `uid`, when given); false when already gone.
    pub async fn delete_snapshot(
        &self,
        ns: &str,
        name: &str,
        uid: Option<&str>,
        dry_run: bool,
    ) -> Result<bool> {
        let ar = Kind::VirtualMachineSnapshot.api_resource(self.version);
        objects::delete(&self.client, &ar, Some(ns), name, uid, dry_run).await
    }
}
