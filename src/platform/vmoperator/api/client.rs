//! Thin async calls to the API server for the VM Operator provider, each with a lowercase
//! "failed to ..." context that keeps the `kube::Error` in the chain for the error mapper.

use anyhow::{Context, Result};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::{Client, Error as KubeError};
use serde_json::Value;

use super::build::revert_patch;
use super::resources::{Kind, VM_NAME_LABEL, Version};
use crate::cluster::{delete_exact, dynamic_api, get_exact, list_all, path_segment, to_value};

/// Field manager recorded on objects this plugin writes.
pub const FIELD_MANAGER: &str = "kubectl-vmsnap";
const PAGE: u32 = 500;

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
        get_exact(
            &self.client,
            &kind.api_resource(self.version),
            Some(ns),
            name,
        )
        .await
        .with_context(|| format!("failed to get {} {ns}/{name}", kind.kind()))
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
        let res = list_all(&self.api(kind, ns), selector, PAGE).await;
        let where_ = ns.map_or("across all namespaces".to_owned(), |n| {
            format!("in namespace {n}")
        });
        res.with_context(|| format!("failed to list {}s {where_}", kind.kind()))
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
        let ns = obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_owned();
        let res: Result<Value, KubeError> = async {
            let dynamic: DynamicObject =
                serde_json::from_value(obj).map_err(KubeError::SerdeError)?;
            let pp = PostParams {
                dry_run,
                field_manager: Some(FIELD_MANAGER.to_owned()),
            };
            to_value(
                self.api(Kind::VirtualMachineSnapshot, Some(&ns))
                    .create(&pp, &dynamic)
                    .await?,
            )
        }
        .await;
        res.with_context(|| format!("failed to create VirtualMachineSnapshot {ns}/{name}"))
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
        let mut pp = PatchParams {
            field_manager: Some(FIELD_MANAGER.to_owned()),
            ..PatchParams::default()
        };
        if dry_run {
            pp = pp.dry_run();
        }
        self.api(Kind::VirtualMachine, Some(ns))
            .patch(&path_segment(vm), &pp, &Patch::Merge(patch))
            .await
            .and_then(to_value)
            .with_context(|| format!("failed to patch VirtualMachine {ns}/{vm}"))
    }

    /// Deletes a snapshot (only the object with `uid`, when given); false when already gone.
    pub async fn delete_snapshot(
        &self,
        ns: &str,
        name: &str,
        uid: Option<&str>,
        dry_run: bool,
    ) -> Result<bool> {
        delete_exact(
            &self.api(Kind::VirtualMachineSnapshot, Some(ns)),
            name,
            uid,
            dry_run,
        )
        .await
        .with_context(|| format!("failed to delete VirtualMachineSnapshot {ns}/{name}"))
    }
}
