//! Thin async calls to the API server for the Deckhouse provider.
//!
//! Every call adds a lowercase "failed to <verb> <Kind> <ns>/<name>" context and keeps the
//! `kube::Error` in the anyhow chain, so the error mapper can find status codes.

use anyhow::Result;
use kube::Error as KubeError;
use serde_json::Value;

use super::convert::{OperationInfo, vm_disks};
use super::operations::{active_operation, active_operation_message, refused_by_active_operation};
use super::resources::Kind;
use crate::cluster::Objects;
use crate::cluster::json::{name, namespace, str_at};
use crate::cluster::objects;

/// The Deckhouse provider bound to a client (one served version: no versions to carry): the
/// shared typed get/list/create/patch/delete of [`Objects`], and Deckhouse's own calls below.
pub type Deckhouse = Objects<Kind>;

/// A VM's objects the snapshot preflight needs.
#[derive(Debug, Clone)]
pub struct VmInputs {
    pub vm: Value,
    /// The VM's VirtualDisks that exist.
    pub disks: Vec<Value>,
}

impl Deckhouse {
    /// VM snapshots, of one VM when given (Deckhouse has no label for it: filtered on
    /// `spec.virtualMachineName` here).
    pub async fn list_vm_snapshots(
        &self,
        ns: Option<&str>,
        vm: Option<&str>,
    ) -> Result<Vec<Value>> {
        self.list_where(
            Kind::VirtualMachineSnapshot,
            ns,
            "/spec/virtualMachineName",
            vm,
        )
        .await
    }

    /// Disk snapshots, of one disk when given.
    pub async fn list_disk_snapshots(
        &self,
        ns: Option<&str>,
        disk: Option<&str>,
    ) -> Result<Vec<Value>> {
        self.list_where(Kind::VirtualDiskSnapshot, ns, "/spec/virtualDiskName", disk)
            .await
    }

    /// Objects of `kind` whose string at `pointer` is `value`, all when `value` is None.
    async fn list_where(
        &self,
        kind: Kind,
        ns: Option<&str>,
        pointer: &str,
        value: Option<&str>,
    ) -> Result<Vec<Value>> {
        let mut all = self.list(kind, ns, None).await?;
        if let Some(value) = value {
            all.retain(|o| str_at(o, pointer) == Some(value));
        }
        Ok(all)
    }

    /// The VM and its existing VirtualDisks (one list of the namespace's disks).
    pub async fn vm_inputs(&self, ns: &str, vm: &str) -> Result<Option<VmInputs>> {
        let Some(vm) = self.get(Kind::VirtualMachine, ns, vm).await? else {
            return Ok(None);
        };
        let wanted = vm_disks(&vm);
        let disks = if wanted.is_empty() {
            vec![]
        } else {
            self.list(Kind::VirtualDisk, Some(ns), None)
                .await?
                .into_iter()
                .filter(|d| wanted.iter().any(|w| w == name(d)))
                .collect()
        };
        Ok(Some(VmInputs { vm, disks }))
    }

    /// Creates a VirtualMachineOperation. When Deckhouse refuses it because another operation
    /// holds the VM, the error says which one and how to follow it.
    pub async fn create_operation(&self, obj: Value, dry_run: bool) -> Result<Value> {
        let vm = str_at(&obj, "/spec/virtualMachineName")
            .unwrap_or("")
            .to_owned();
        let ns = namespace(&obj).to_owned();
        match self
            .create(Kind::VirtualMachineOperation, obj, dry_run)
            .await
        {
            Ok(v) => Ok(v),
            Err(e) => {
                let refused = e.chain().find_map(|c| match c.downcast_ref::<KubeError>() {
                    Some(KubeError::Api(s)) => refused_by_active_operation(&s.message),
                    _ => None,
                });
                let Some(running) = refused else {
                    return Err(e);
                };
                let ops = self
                    .list(Kind::VirtualMachineOperation, Some(&ns), None)
                    .await
                    .unwrap_or_default();
                let message = match active_operation(&ops, &vm) {
                    Some(op) => active_operation_message(&vm, &op),
                    None => format!(
                        "the virtual machine {vm} already has an operation in progress: {running}; Deckhouse runs one operation per VM at a time"
                    ),
                };
                Err(e.context(message))
            }
        }
    }

    /// The unfinished operation holding `vm`, if any (checked before planning a restore or
    /// clone, so the plan can say which operation to wait for).
    pub async fn active_operation(&self, ns: &str, vm: &str) -> Result<Option<OperationInfo>> {
        let ops = self
            .list(Kind::VirtualMachineOperation, Some(ns), None)
            .await?;
        Ok(active_operation(&ops, vm))
    }

    /// The size a disk restored from disk snapshot `vds` must at least have: its CSI
    /// VolumeSnapshot's `restoreSize`, else the source disk's capacity. None when unknown.
    pub async fn disk_snapshot_size(&self, ns: &str, vds: &str) -> Result<Option<String>> {
        let Some(snap) = self.get(Kind::VirtualDiskSnapshot, ns, vds).await? else {
            return Ok(None);
        };
        if let Some(vs) = str_at(&snap, "/status/volumeSnapshotName") {
            let ar = objects::api_resource(
                "snapshot.storage.k8s.io",
                "v1",
                "VolumeSnapshot",
                "volumesnapshots",
            );
            let got = objects::get(self.client(), &ar, Some(ns), vs).await?;
            if let Some(size) = got.as_ref().and_then(|v| str_at(v, "/status/restoreSize")) {
                return Ok(Some(size.to_owned()));
            }
        }
        let disk = str_at(&snap, "/spec/virtualDiskName")
            .unwrap_or_default()
            .to_owned();
        Ok(self
            .get(Kind::VirtualDisk, ns, &disk)
            .await?
            .and_then(|d| str_at(&d, "/status/capacity").map(str::to_owned)))
    }
}
