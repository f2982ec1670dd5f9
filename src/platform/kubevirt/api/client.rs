//! Thin async calls to the API server for the KubeVirt provider.
//!
//! Every call adds a lowercase "failed to <verb> <Kind> <ns>/<name>" context and keeps the
//! `kube::Error` in the anyhow chain, so the error mapper can find status codes.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use futures::future::try_join_all;
use kube::Error as KubeError;
use kube::api::{Api, ListParams, PostParams};
use serde_json::Value;

use super::convert::{BACKEND_STORAGE_LABEL, needs_backend_storage, referenced_claims};
use super::resources::{Kind, vm_subresource_path};
use super::run_state::{RunSpec, StartAs, run_spec, start_as};
use crate::cluster::json::{name, namespace};
use crate::cluster::objects;
use crate::cluster::{LIST_PAGE_SIZE, Objects, list_all, path_segment, where_};
use crate::model::SnapshotInfo;
use crate::platform::kubevirt::analysis::StorageInputs;

/// The cluster-scoped half of the storage analysis's inputs, shared by every VM.
#[derive(Debug, Clone, Default)]
pub(super) struct ClusterStorage {
    storage_classes: Option<Vec<Value>>,
    volume_snapshot_classes: Option<Vec<Value>>,
    storage_profiles: Option<Vec<Value>>,
    csi_drivers: Option<Vec<Value>>,
    missing_apis: Vec<String>,
}

impl ClusterStorage {
    /// One VM's inputs: its own objects with the cluster lists.
    pub(super) fn inputs(
        &self,
        vm: Value,
        vmi: Option<Value>,
        pvcs: Vec<Value>,
        data_volumes: Vec<Value>,
    ) -> StorageInputs {
        StorageInputs {
            vm,
            vmi,
            pvcs,
            data_volumes,
            storage_classes: self.storage_classes.clone(),
            volume_snapshot_classes: self.volume_snapshot_classes.clone(),
            storage_profiles: self.storage_profiles.clone(),
            csi_drivers: self.csi_drivers.clone(),
            missing_apis: self.missing_apis.clone(),
        }
    }
}

/// The KubeVirt provider bound to a client and the versions discovery found: the shared
/// typed get/list/create/patch/delete of [`Objects`], and KubeVirt's own calls below.
pub type KubeVirt = Objects<Kind>;

fn status_code(e: &KubeError) -> Option<u16> {
    match e {
        KubeError::Api(s) => Some(s.code),
        _ => None,
    }
}

impl KubeVirt {
    async fn list_pages(
        &self,
        kind: Kind,
        ns: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>, KubeError> {
        list_all(&self.api(kind, ns), selector, LIST_PAGE_SIZE).await
    }

    /// A full list in pages of `page` objects, each deserialized as `T` as its page arrives;
    /// 404 (the API is not served) is an empty list when `absent_is_empty`.
    pub(super) async fn list_sized<T: serde::de::DeserializeOwned>(
        &self,
        kind: Kind,
        ns: Option<&str>,
        selector: Option<&str>,
        page: u32,
        absent_is_empty: bool,
    ) -> Result<Vec<T>> {
        let mut params = ListParams::default().limit(page);
        if let Some(s) = selector {
            params = params.labels(s);
        }
        match objects::list_all_as(&self.api(kind, ns), params).await {
            Ok(v) => Ok(v),
            Err(e) if absent_is_empty && status_code(&e) == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e)
                .with_context(|| format!("failed to list {} {}", kind.kind_plural(), where_(ns))),
        }
    }

    /// A cluster-scoped list that a namespace user may not be allowed to read: 403 → None
    /// (the analysis reports "unknown"), 404 (the CRD is not installed) → empty, and the
    /// second value says the API is not served.
    async fn list_cluster_tolerant(&self, kind: Kind) -> Result<(Option<Vec<Value>>, bool)> {
        match self.list_pages(kind, None, None).await {
            Ok(v) => Ok((Some(v), false)),
            Err(e) if status_code(&e) == Some(403) => Ok((None, false)),
            Err(e) if status_code(&e) == Some(404) => Ok((Some(Vec::new()), true)),
            Err(e) => Err(e).with_context(|| format!("failed to list {}", kind.kind_plural())),
        }
    }

    pub async fn get_vm(&self, ns: &str, name_: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachine, ns, name_).await
    }

    pub async fn get_vmi(&self, ns: &str, name_: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineInstance, ns, name_).await
    }

    pub async fn get_snapshot(&self, ns: &str, name_: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineSnapshot, ns, name_).await
    }

    pub async fn get_content(&self, ns: &str, name_: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineSnapshotContent, ns, name_)
            .await
    }

    pub async fn get_restore(&self, ns: &str, name_: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineRestore, ns, name_).await
    }

    /// VirtualMachineSnapshots in `ns` (None: all namespaces), optionally label-filtered.
    /// There is no server-side filter by VM; filter the result by `spec.source.name`.
    pub async fn list_snapshots(
        &self,
        ns: Option<&str>,
        selector: Option<&str>,
    ) -> Result<Vec<Value>> {
        self.list(Kind::VirtualMachineSnapshot, ns, selector).await
    }

    /// Every VirtualMachineSnapshot in `ns` (None: all namespaces) as `prune` holds it
    /// ([`crate::flow::retention::retention_row`]), converted page by page
    /// ([`objects::list_rows`]).
    pub async fn retention_rows(&self, ns: Option<&str>) -> Result<Vec<SnapshotInfo>> {
        self.list_rows(Kind::VirtualMachineSnapshot, ns, |s| {
            Some(crate::flow::retention::retention_row(
                super::convert::snapshot_info(s, None, &[]),
            ))
        })
        .await
    }

    /// The names of the VirtualMachineSnapshots in `ns` (the names taken), page by page.
    pub async fn snapshot_names(&self, ns: &str) -> Result<BTreeSet<String>> {
        self.names(Kind::VirtualMachineSnapshot, Some(ns), None)
            .await
    }

    pub async fn list_restores(&self, ns: Option<&str>) -> Result<Vec<Value>> {
        self.list(Kind::VirtualMachineRestore, ns, None).await
    }

    /// VirtualMachineClones in `ns`; empty when clone.kubevirt.io is not installed (404).
    pub async fn list_clones(&self, ns: &str) -> Result<Vec<Value>> {
        match self
            .list_pages(Kind::VirtualMachineClone, Some(ns), None)
            .await
        {
            Ok(v) => Ok(v),
            Err(e) if status_code(&e) == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e)
                .with_context(|| format!("failed to list VirtualMachineClones in namespace {ns}")),
        }
    }

    /// CSI VolumeSnapshots in `ns`; empty when the snapshot CRDs are not installed (404).
    pub async fn list_volume_snapshots(&self, ns: &str) -> Result<Vec<Value>> {
        match self.list_pages(Kind::VolumeSnapshot, Some(ns), None).await {
            Ok(v) => Ok(v),
            Err(e) if status_code(&e) == Some(404) => Ok(Vec::new()),
            Err(e) => {
                Err(e).with_context(|| format!("failed to list VolumeSnapshots in namespace {ns}"))
            }
        }
    }

    /// Everything the storage analysis reads, fetched concurrently: the VMI, each PVC and
    /// DataVolume the VM names, and the StorageClass, VolumeSnapshotClass, StorageProfile and
    /// CSIDriver lists.
    pub async fn storage_inputs(&self, ns: &str, vm: &Value) -> Result<StorageInputs> {
        let vm_name = name(vm);
        let ns = if namespace(vm).is_empty() {
            ns
        } else {
            namespace(vm)
        };
        let (claims, dvs) = referenced_claims(vm);
        let pvcs = try_join_all(
            claims
                .iter()
                .map(|c| self.get(Kind::PersistentVolumeClaim, ns, c)),
        );
        // The vTPM/EFI state PVC is found by label, as KubeVirt does.
        let backend = async {
            if !needs_backend_storage(vm) {
                return Ok(Vec::new());
            }
            let selector = format!("{BACKEND_STORAGE_LABEL}={vm_name}");
            self.list(Kind::PersistentVolumeClaim, Some(ns), Some(&selector))
                .await
        };
        // A 404 here also covers "CDI is not installed": the DataVolume is then simply absent.
        let data_volumes = try_join_all(dvs.iter().map(|d| self.get(Kind::DataVolume, ns, d)));
        let (vmi, pvcs, backend, data_volumes, cluster) = futures::try_join!(
            self.get_vmi(ns, vm_name),
            pvcs,
            backend,
            data_volumes,
            self.cluster_storage(),
        )?;
        Ok(cluster.inputs(
            vm.clone(),
            vmi,
            pvcs.into_iter().flatten().chain(backend).collect(),
            data_volumes.into_iter().flatten().collect(),
        ))
    }

    /// The cluster-scoped lists the storage analysis reads (StorageClasses,
    /// VolumeSnapshotClasses, StorageProfiles, CSIDrivers), fetched concurrently.
    pub(super) async fn cluster_storage(&self) -> Result<ClusterStorage> {
        let (storage_classes, vscs, profiles, csi_drivers) = futures::try_join!(
            self.list_cluster_tolerant(Kind::StorageClass),
            self.list_cluster_tolerant(Kind::VolumeSnapshotClass),
            self.list_cluster_tolerant(Kind::StorageProfile),
            self.list_cluster_tolerant(Kind::CsiDriver),
        )?;
        let missing_apis = [
            (Kind::StorageClass, storage_classes.1),
            (Kind::VolumeSnapshotClass, vscs.1),
            (Kind::StorageProfile, profiles.1),
            (Kind::CsiDriver, csi_drivers.1),
        ]
        .into_iter()
        .filter(|(_, missing)| *missing)
        .map(|(k, _)| k.kind().to_owned())
        .collect();
        Ok(ClusterStorage {
            storage_classes: storage_classes.0,
            volume_snapshot_classes: vscs.0,
            storage_profiles: profiles.0,
            csi_drivers: csi_drivers.0,
            missing_apis,
        })
    }

    /// Creates a VirtualMachineSnapshot (see `build_snapshot`); `dry_run` asks the server to
    /// validate without persisting (`dryRun=All`).
    pub async fn create_snapshot(&self, obj: Value, dry_run: bool) -> Result<Value> {
        self.create(Kind::VirtualMachineSnapshot, obj, dry_run)
            .await
    }

    /// Creates a VirtualMachineRestore (see `build_restore`).
    pub async fn create_restore(&self, obj: Value, dry_run: bool) -> Result<Value> {
        self.create(Kind::VirtualMachineRestore, obj, dry_run).await
    }

    async fn vm_action(&self, ns: &str, name_: &str, action: &str) -> Result<()> {
        let res = async {
            let req = kube::core::Request::new(vm_subresource_path(&path_segment(ns)))
                .replace_subresource(
                    action,
                    &path_segment(name_),
                    &PostParams::default(),
                    b"{}".to_vec(),
                )
                .map_err(KubeError::BuildRequest)?;
            self.client().request_text(req).await
        }
        .await;
        res.map(drop)
            .with_context(|| format!("failed to {action} VirtualMachine {ns}/{name_}"))
    }

    /// Creates a VirtualMachineClone (see `clone::build_clone`).
    pub async fn create_clone(&self, obj: Value, dry_run: bool) -> Result<Value> {
        self.create(Kind::VirtualMachineClone, obj, dry_run).await
    }

    pub async fn get_clone(&self, ns: &str, name_: &str) -> Result<Option<Value>> {
        self.get(Kind::VirtualMachineClone, ns, name_).await
    }

    /// ResourceQuotas of `ns`, for the new-VM preflight: None when the user may not read them
    /// (403: the check says so and is skipped), empty when the API is not served (404).
    pub async fn list_resource_quotas(&self, ns: &str) -> Result<Option<Vec<Value>>> {
        use k8s_openapi::api::core::v1::ResourceQuota;
        let api: Api<ResourceQuota> = Api::namespaced(self.client().clone(), ns);
        match api.list(&ListParams::default()).await {
            Ok(list) => Ok(Some(
                list.items
                    .into_iter()
                    .filter_map(|q| serde_json::to_value(q).ok())
                    .collect(),
            )),
            Err(e) if status_code(&e) == Some(403) => Ok(None),
            Err(e) if status_code(&e) == Some(404) => Ok(Some(Vec::new())),
            Err(e) => {
                Err(e).with_context(|| format!("failed to list ResourceQuotas in namespace {ns}"))
            }
        }
    }

    /// PUT subresources.kubevirt.io/v1 .../virtualmachines/NAME/stop. Returns once accepted;
    /// follow the VM until printableStatus is Stopped.
    pub async fn stop_vm(&self, ns: &str, name_: &str) -> Result<()> {
        self.vm_action(ns, name_, "stop").await
    }

    /// PUT subresources.kubevirt.io/v1 .../virtualmachines/NAME/start.
    pub async fn start_vm(&self, ns: &str, name_: &str) -> Result<()> {
        self.vm_action(ns, name_, "start").await
    }

    /// Starts a VM this plugin stopped so that it runs with the request it had `before` the
    /// stop (see `run_state`): the `start` subresource, or a merge patch of the old request.
    pub async fn start_vm_as_before(&self, ns: &str, name_: &str, before: &RunSpec) -> Result<()> {
        let now = self
            .get_vm(ns, name_)
            .await?
            .map(|vm| run_spec(&vm))
            .unwrap_or(RunSpec::Unset);
        match start_as(before, &now) {
            StartAs::Subresource => self.start_vm(ns, name_).await,
            StartAs::Patch(patch) => self
                .patch_merge(Kind::VirtualMachine, ns, name_, &patch, false)
                .await
                .map(drop)
                .with_context(|| format!("failed to start VirtualMachine {ns}/{name_}")),
        }
    }
}
