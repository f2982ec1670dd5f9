//! Scenario generator: N VMs and M Succeeded snapshots (with contents, CSI VolumeSnapshots and
//! their contents) spread over a few namespaces, written straight into a [`Store`], for
//! benchmarks and scale tests. Objects look like the default scenario's (OpenShift
//! Virtualization on ODF); names and uids are deterministic, so runs are comparable.
//!
//! ```no_run
//! # fn f(store: &vmsnap_sim::Store) -> anyhow::Result<()> {
//! use vmsnap_sim::generate::{Spec, generate};
//! let stats = generate(store, &Spec::new(2_000, 10_000))?;
//! assert_eq!(stats.snapshots, 10_000);
//! # Ok(()) }
//! ```

use anyhow::Context;
use serde_json::{Value, json};

use crate::store::{Gvr, Store};

/// Storage class every generated volume uses (Ceph RBD, with a default VolumeSnapshotClass).
pub const STORAGE_CLASS: &str = "bench-ceph-rbd-virtualization";
/// The VolumeSnapshotClass for [`STORAGE_CLASS`]'s driver.
pub const SNAPSHOT_CLASS: &str = "bench-rbdplugin-snapclass";
/// The CSI driver behind [`STORAGE_CLASS`].
pub const DRIVER: &str = "openshift-storage.rbd.csi.ceph.com";

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Number of VirtualMachines.
    pub vms: usize,
    /// Number of VirtualMachineSnapshots, dealt round-robin over the VMs.
    pub snapshots: usize,
    /// Namespaces the VMs are dealt over (round-robin).
    pub namespaces: Vec<String>,
    /// Disk volumes of VM i: `volume_pattern[i % len]` (rootdisk + data disks; every VM also
    /// has a cloud-init disk, which is not snapshottable).
    pub volume_pattern: Vec<usize>,
    /// Every `stopped_every`-th VM is Halted (0: all run).
    pub stopped_every: usize,
}

impl Spec {
    /// `vms` VMs and `snapshots` snapshots over four namespaces, 1-3 disks per VM (2 on average),
    /// one VM in four stopped.
    pub fn new(vms: usize, snapshots: usize) -> Self {
        Spec {
            vms,
            snapshots,
            namespaces: ["bench-prod", "bench-staging", "bench-dev", "bench-batch"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            volume_pattern: vec![2, 1, 2, 3],
            stopped_every: 4,
        }
    }

    fn volumes_of(&self, i: usize) -> usize {
        if self.volume_pattern.is_empty() {
            1
        } else {
            self.volume_pattern[i % self.volume_pattern.len()].max(1)
        }
    }
}

/// How many objects were written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub vms: usize,
    pub pvcs: usize,
    pub data_volumes: usize,
    pub snapshots: usize,
    pub contents: usize,
    pub volume_snapshots: usize,
    pub volume_snapshot_contents: usize,
}

impl Stats {
    /// Every object written (storage setup and namespaces not counted).
    pub fn total(&self) -> usize {
        self.vms
            + self.pvcs
            + self.data_volumes
            + self.snapshots
            + self.contents
            + self.volume_snapshots
            + self.volume_snapshot_contents
    }
}

mod gvr {
    use crate::store::Gvr;
    pub fn ns() -> Gvr {
        Gvr::new("", "v1", "namespaces")
    }
    pub fn vm() -> Gvr {
        Gvr::new("kubevirt.io", "v1", "virtualmachines")
    }
    pub fn pvc() -> Gvr {
        Gvr::new("", "v1", "persistentvolumeclaims")
    }
    pub fn dv() -> Gvr {
        Gvr::new("cdi.kubevirt.io", "v1beta1", "datavolumes")
    }
    pub fn snapshot() -> Gvr {
        Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots")
    }
    pub fn content() -> Gvr {
        Gvr::new(
            "snapshot.kubevirt.io",
            "v1beta1",
            "virtualmachinesnapshotcontents",
        )
    }
    pub fn vs() -> Gvr {
        Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots")
    }
    pub fn vs_content() -> Gvr {
        Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents")
    }
    pub fn vs_class() -> Gvr {
        Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses")
    }
    pub fn storage_class() -> Gvr {
        Gvr::new("storage.k8s.io", "v1", "storageclasses")
    }
    pub fn csi_driver() -> Gvr {
        Gvr::new("storage.k8s.io", "v1", "csidrivers")
    }
    pub fn storage_profile() -> Gvr {
        Gvr::new("cdi.kubevirt.io", "v1beta1", "storageprofiles")
    }
}

fn put(store: &Store, gvr: &Gvr, obj: Value) -> anyhow::Result<Value> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    store
        .create(gvr, obj)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("failed to generate {gvr} {name}"))
}

fn uid_of(obj: &Value) -> String {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// A deterministic UUID-shaped string for `(what, n)`, for names that embed uids.
fn pseudo_uid(what: &str, n: u64) -> String {
    let mut h = what.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        h = h.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = h;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    };
    let (a, b) = (next(), next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// `2026-11-DDT02:00:00Z`-style timestamps going back `days` from 2026-11-25.
fn day_stamp(days_ago: usize, hh: usize) -> String {
    let base = jiff::civil::date(2026, 11, 25).at(hh as i8 % 24, 0, 0, 0);
    let d = base
        .checked_sub(jiff::Span::new().days(days_ago as i64 % 3000))
        .unwrap_or(base);
    format!("{}Z", d.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// Creates the storage setup generated volumes rely on (StorageClass, CSIDriver,
/// VolumeSnapshotClass, StorageProfile) unless already there.
pub fn storage(store: &Store) -> anyhow::Result<()> {
    let objs = [
        (
            gvr::storage_class(),
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": STORAGE_CLASS, "annotations": {"storageclass.kubevirt.io/is-default-virt-class": "true"}},
                "provisioner": DRIVER,
                "parameters": {"clusterID": "openshift-storage", "pool": "ocs-storagecluster-cephblockpool", "imageFormat": "2", "mounter": "rbd"},
                "reclaimPolicy": "Delete", "allowVolumeExpansion": true, "volumeBindingMode": "Immediate"}),
        ),
        (
            gvr::csi_driver(),
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": DRIVER},
                "spec": {"attachRequired": true, "podInfoOnMount": false, "fsGroupPolicy": "File",
                    "requiresRepublish": false, "storageCapacity": false, "volumeLifecycleModes": ["Persistent"]}}),
        ),
        (
            gvr::vs_class(),
            json!({"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
                "metadata": {"name": SNAPSHOT_CLASS, "annotations": {"snapshot.storage.kubernetes.io/is-default-class": "true"}},
                "driver": DRIVER, "deletionPolicy": "Delete",
                "parameters": {"clusterID": "openshift-storage"}}),
        ),
        (
            gvr::storage_profile(),
            json!({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "StorageProfile", "metadata": {"name": STORAGE_CLASS},
                "spec": {}, "status": {"provisioner": DRIVER, "storageClass": STORAGE_CLASS, "snapshotClass": SNAPSHOT_CLASS,
                    "cloneStrategy": "csi-clone", "claimPropertySets": [{"accessModes": ["ReadWriteMany"], "volumeMode": "Block"}]}}),
        ),
    ];
    for (g, obj) in objs {
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if store.get(&g, None, name).is_none() {
            put(store, &g, obj)?;
        }
    }
    Ok(())
}

/// Creates the namespace unless it exists.
pub fn namespace(store: &Store, ns: &str) -> anyhow::Result<()> {
    if store.get(&gvr::ns(), None, ns).is_none() {
        put(
            store,
            &gvr::ns(),
            json!({"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                "status": {"phase": "Active"}}),
        )?;
    }
    Ok(())
}

/// The claim names of a generated VM's disks: `<vm>-rootdisk`, `<vm>-data-1`, ...
fn claim_names(vm: &str, volumes: usize) -> Vec<(String, String)> {
    (0..volumes.max(1))
        .map(|j| {
            if j == 0 {
                ("rootdisk".to_string(), format!("{vm}-rootdisk"))
            } else {
                (format!("data-{j}"), format!("{vm}-data-{j}"))
            }
        })
        .collect()
}

fn size_of(j: usize) -> &'static str {
    if j == 0 { "30Gi" } else { "100Gi" }
}

fn pvc_object(ns: &str, claim: &str, size: &str, created: &str, from_dv: bool) -> Value {
    let mut pvc = json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim, "namespace": ns, "creationTimestamp": created,
            "annotations": {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": DRIVER, "volume.kubernetes.io/storage-provisioner": DRIVER},
            "finalizers": ["kubernetes.io/pvc-protection"]},
        "spec": {"accessModes": ["ReadWriteMany"], "volumeMode": "Block", "storageClassName": STORAGE_CLASS,
            "resources": {"requests": {"storage": size}},
            "volumeName": format!("pvc-{}", pseudo_uid(claim, 0))},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteMany"], "capacity": {"storage": size}},
    });
    if from_dv {
        pvc["metadata"]["labels"] = json!({"app": "containerized-data-importer",
            "app.kubernetes.io/component": "storage", "app.kubernetes.io/managed-by": "cdi-controller"});
        if let Some(a) = pvc
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
        {
            a.insert(
                "cdi.kubevirt.io/storage.contentType".into(),
                json!("kubevirt"),
            );
            a.insert(
                "cdi.kubevirt.io/storage.pod.phase".into(),
                json!("Succeeded"),
            );
            a.insert("cdi.kubevirt.io/storage.populatedFor".into(), json!(claim));
        }
    }
    pvc
}

/// The VM object (spec and status as KubeVirt writes them) for `volumes` disks.
fn vm_object(ns: &str, name: &str, volumes: usize, running: bool, created: &str) -> Value {
    let claims = claim_names(name, volumes);
    let mut disks = Vec::new();
    let mut vols = Vec::new();
    let mut statuses = Vec::new();
    for (j, (vol, claim)) in claims.iter().enumerate() {
        let mut disk = json!({"name": vol, "disk": {"bus": "virtio"}});
        if j == 0 {
            disk["bootOrder"] = json!(1);
            vols.push(json!({"name": vol, "dataVolume": {"name": claim}}));
        } else {
            vols.push(json!({"name": vol, "persistentVolumeClaim": {"claimName": claim}}));
        }
        disks.push(disk);
        statuses.push(json!({"name": vol, "enabled": true}));
    }
    disks.push(json!({"name": "cloudinitdisk", "disk": {"bus": "virtio"}}));
    vols.push(json!({"name": "cloudinitdisk", "cloudInitNoCloud": {"userData": "#cloud-config\nuser: cloud-user\nchpasswd: { expire: False }\n"}}));
    statuses.push(json!({"name": "cloudinitdisk", "enabled": false,
        "reason": "Snapshot is not supported for this volumeSource type [cloudinitdisk]"}));
    let h = pseudo_uid(name, 7);
    let printable = if running { "Running" } else { "Stopped" };
    let mut status = json!({
        "printableStatus": printable,
        "volumeSnapshotStatuses": statuses,
        "conditions": [
            {"type": "Ready", "status": if running { "True" } else { "False" },
                "reason": if running { "" } else { "VMINotExists" }, "lastProbeTime": null, "lastTransitionTime": created},
        ],
        "desiredGeneration": 1, "observedGeneration": 1,
    });
    if running {
        status["created"] = json!(true);
        status["ready"] = json!(true);
    }
    json!({
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {
            "name": name, "namespace": ns, "creationTimestamp": created,
            "labels": {"app": name, "vm.kubevirt.io/template": "rhel9-server-medium",
                "vm.kubevirt.io/template.namespace": "openshift", "vm.kubevirt.io/template.version": "v0.31.1"},
            "annotations": {"vm.kubevirt.io/os": "rhel9", "vm.kubevirt.io/flavor": "medium", "vm.kubevirt.io/workload": "server",
                "kubevirt.io/latest-observed-api-version": "v1", "kubevirt.io/storage-observed-api-version": "v1"},
            "finalizers": ["kubevirt.io/virtualMachineControllerFinalize"],
        },
        "spec": {
            "runStrategy": if running { "Always" } else { "Halted" },
            "dataVolumeTemplates": [{
                "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
                "metadata": {"name": format!("{name}-rootdisk"), "creationTimestamp": null},
                "spec": {"sourceRef": {"kind": "DataSource", "name": "rhel9", "namespace": "openshift-virtualization-os-images"},
                    "storage": {"resources": {"requests": {"storage": "30Gi"}}, "storageClassName": STORAGE_CLASS}},
            }],
            "template": {
                "metadata": {"labels": {"kubevirt.io/domain": name, "kubevirt.io/size": "medium"},
                    "annotations": {"vm.kubevirt.io/os": "rhel9", "vm.kubevirt.io/flavor": "medium", "vm.kubevirt.io/workload": "server"}},
                "spec": {
                    "architecture": "amd64",
                    "domain": {
                        "cpu": {"cores": 1, "sockets": 2, "threads": 1},
                        "memory": {"guest": "8Gi"},
                        "devices": {"disks": disks,
                            "interfaces": [{"name": "default", "masquerade": {}, "model": "virtio"}], "rng": {}},
                        "features": {"acpi": {}, "smm": {"enabled": true}},
                        "firmware": {"bootloader": {"efi": {"secureBoot": false}}, "serial": h},
                        "machine": {"type": "pc-q35-rhel9.4.0"},
                        "resources": {},
                    },
                    "networks": [{"name": "default", "pod": {}}],
                    "terminationGracePeriodSeconds": 180,
                    "evictionStrategy": "LiveMigrate",
                    "volumes": vols,
                },
            },
        },
        "status": status,
    })
}

/// Creates one VM with `volumes` disks (a DataVolume-backed rootdisk plus PVC data disks, all
/// snapshottable) and its claims. `running` only sets spec and status; with controllers on,
/// the VM controller starts it.
pub fn vm_with_volumes(
    store: &Store,
    ns: &str,
    name: &str,
    volumes: usize,
    running: bool,
) -> anyhow::Result<Value> {
    let mut stats = Stats::default();
    storage(store)?;
    namespace(store, ns)?;
    write_vm(
        store,
        ns,
        name,
        volumes,
        running,
        "2026-09-14T08:12:44Z",
        &mut stats,
    )
}

fn write_vm(
    store: &Store,
    ns: &str,
    name: &str,
    volumes: usize,
    running: bool,
    created: &str,
    stats: &mut Stats,
) -> anyhow::Result<Value> {
    for (j, (_, claim)) in claim_names(name, volumes).iter().enumerate() {
        if j == 0 {
            put(
                store,
                &gvr::dv(),
                json!({"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
                    "metadata": {"name": claim, "namespace": ns, "creationTimestamp": created,
                        "annotations": {"cdi.kubevirt.io/storage.usePopulator": "true"}},
                    "spec": {"sourceRef": {"kind": "DataSource", "name": "rhel9", "namespace": "openshift-virtualization-os-images"},
                        "storage": {"resources": {"requests": {"storage": "30Gi"}}, "storageClassName": STORAGE_CLASS}},
                    "status": {"phase": "Succeeded", "progress": "100.0%", "claimName": claim}}),
            )?;
            stats.data_volumes += 1;
        }
        put(
            store,
            &gvr::pvc(),
            pvc_object(ns, claim, size_of(j), created, j == 0),
        )?;
        stats.pvcs += 1;
    }
    let vm = put(
        store,
        &gvr::vm(),
        vm_object(ns, name, volumes, running, created),
    )?;
    stats.vms += 1;
    Ok(vm)
}

/// One Succeeded snapshot of `vm` with its content, VolumeSnapshots and their contents.
fn write_snapshot(
    store: &Store,
    vm: &Value,
    volumes: usize,
    snap_name: &str,
    seq: u64,
    created: &str,
    stats: &mut Stats,
) -> anyhow::Result<()> {
    let ns = vm
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let vm_name = vm
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let running = vm
        .pointer("/status/printableStatus")
        .and_then(Value::as_str)
        == Some("Running");
    let key = pseudo_uid("snapshot", seq);
    let content_name = format!("vmsnapshot-content-{key}");
    let claims = claim_names(vm_name, volumes);
    let vs_name = |vol: &str| format!("vmsnapshot-{key}-volume-{vol}");
    let ready_at = created.replacen(":00:00Z", ":00:41Z", 1);
    let volume_names: Vec<&str> = claims.iter().map(|(v, _)| v.as_str()).collect();
    let (indications, source_indications) = if running {
        (
            json!(["GuestAgent", "Online"]),
            json!([
                {"indication": "GuestAgent", "message": "Guest agent was active and attempted to quiesce the filesystem for application consistency."},
                {"indication": "Online", "message": "Snapshot taken while the VM was running. Consistency depends on guest-agent quiescing."},
            ]),
        )
    } else {
        (Value::Null, Value::Null)
    };
    let mut snap_status = json!({
        "sourceUID": uid_of(vm),
        "virtualMachineSnapshotContentName": content_name,
        "creationTime": ready_at,
        "phase": "Succeeded",
        "readyToUse": true,
        "conditions": [
            {"type": "Progressing", "status": "False", "reason": "Operation complete", "lastProbeTime": null, "lastTransitionTime": ready_at},
            {"type": "Ready", "status": "True", "reason": "Ready", "lastProbeTime": null, "lastTransitionTime": ready_at},
        ],
        "snapshotVolumes": {"includedVolumes": volume_names, "excludedVolumes": ["cloudinitdisk"]},
    });
    if running {
        snap_status["indications"] = indications;
        snap_status["sourceIndications"] = source_indications;
    }
    put(
        store,
        &gvr::snapshot(),
        json!({
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": snap_name, "namespace": ns, "creationTimestamp": created,
                "finalizers": ["snapshot.kubevirt.io/vmsnapshot-protection"],
                "labels": {"schedule": if seq.is_multiple_of(7) { "weekly" } else { "nightly" }}},
            "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm_name},
                "deletionPolicy": "Delete"},
            "status": snap_status,
        }),
    )?;
    stats.snapshots += 1;

    let mut vm_copy_meta = vm.get("metadata").cloned().unwrap_or_else(|| json!({}));
    if let Some(m) = vm_copy_meta.as_object_mut() {
        for k in [
            "resourceVersion",
            "generation",
            "finalizers",
            "managedFields",
        ] {
            m.remove(k);
        }
    }
    let backups: Vec<Value> = claims
        .iter()
        .enumerate()
        .map(|(j, (vol, claim))| {
            let mut pvc = pvc_object(ns, claim, size_of(j), created, j == 0);
            if let Some(m) = pvc.as_object_mut() {
                m.remove("status");
                m.remove("apiVersion");
                m.remove("kind");
            }
            json!({"volumeName": vol, "persistentVolumeClaim": pvc, "volumeSnapshotName": vs_name(vol)})
        })
        .collect();
    let vs_statuses: Vec<Value> = claims
        .iter()
        .map(|(vol, _)| json!({"volumeSnapshotName": vs_name(vol), "creationTime": ready_at, "readyToUse": true}))
        .collect();
    let content = put(
        store,
        &gvr::content(),
        json!({
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshotContent",
            "metadata": {"name": content_name, "namespace": ns, "creationTimestamp": created,
                "finalizers": ["snapshot.kubevirt.io/vmsnapshotcontent-protection"]},
            "spec": {
                "virtualMachineSnapshotName": snap_name,
                "source": {"virtualMachine": {"metadata": vm_copy_meta,
                    "spec": vm.get("spec").cloned().unwrap_or_else(|| json!({})), "status": {}}},
                "volumeBackups": backups,
            },
            "status": {"creationTime": ready_at, "readyToUse": true, "volumeSnapshotStatus": vs_statuses},
        }),
    )?;
    stats.contents += 1;

    for (j, (vol, claim)) in claims.iter().enumerate() {
        let name = vs_name(vol);
        let csi_name = format!("snapcontent-{}", pseudo_uid(&name, seq));
        let vs = put(
            store,
            &gvr::vs(),
            json!({
                "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
                "metadata": {"name": name, "namespace": ns, "creationTimestamp": created,
                    "labels": {"snapshot.kubevirt.io/source-vm-name": vm_name, "snapshot.kubevirt.io/source-vm-namespace": ns},
                    "ownerReferences": [{"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshotContent",
                        "name": content_name, "uid": uid_of(&content), "controller": true, "blockOwnerDeletion": true}]},
                "spec": {"source": {"persistentVolumeClaimName": claim}, "volumeSnapshotClassName": SNAPSHOT_CLASS},
                "status": {"boundVolumeSnapshotContentName": csi_name, "creationTime": ready_at,
                    "readyToUse": true, "restoreSize": size_of(j)},
            }),
        )?;
        stats.volume_snapshots += 1;
        let bytes: u64 = if j == 0 { 30 << 30 } else { 100 << 30 };
        put(
            store,
            &gvr::vs_content(),
            json!({
                "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotContent",
                "metadata": {"name": csi_name, "creationTimestamp": created,
                    "finalizers": ["snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection"]},
                "spec": {"deletionPolicy": "Delete", "driver": DRIVER,
                    "source": {"volumeHandle": format!("0001-0011-openshift-storage-0000000000000001-{}", pseudo_uid(claim, 1))},
                    "sourceVolumeMode": "Block", "volumeSnapshotClassName": SNAPSHOT_CLASS,
                    "volumeSnapshotRef": {"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
                        "name": name, "namespace": ns, "uid": uid_of(&vs)}},
                "status": {"creationTime": 1_764_000_000_000_000_000i64, "readyToUse": true,
                    "restoreSize": bytes, "snapshotHandle": format!("0001-0011-openshift-storage-0000000000000001-{}", pseudo_uid(&csi_name, 2))},
            }),
        )?;
        stats.volume_snapshot_contents += 1;
    }
    Ok(())
}

/// Writes the storage setup, the namespaces, `spec.vms` VMs (`vm-00001`...) with their claims,
/// and `spec.snapshots` Succeeded snapshots (`<vm>-nightly-<k>`) with everything KubeVirt and
/// the CSI snapshotter leave behind. Takes well under a minute for 2,000 VMs and 10,000
/// snapshots in a release build.
pub fn generate(store: &Store, spec: &Spec) -> anyhow::Result<Stats> {
    let mut stats = Stats::default();
    storage(store)?;
    let namespaces: Vec<String> = if spec.namespaces.is_empty() {
        vec!["default".to_string()]
    } else {
        spec.namespaces.clone()
    };
    for ns in &namespaces {
        namespace(store, ns)?;
    }
    if spec.vms == 0 {
        return Ok(stats);
    }
    let mut vms = Vec::with_capacity(spec.vms);
    for i in 0..spec.vms {
        let ns = &namespaces[i % namespaces.len()];
        let name = format!("vm-{:05}", i + 1);
        let running = spec.stopped_every == 0 || i % spec.stopped_every != spec.stopped_every - 1;
        let created = day_stamp(60 + i % 200, 8 + i % 10);
        let vm = write_vm(
            store,
            ns,
            &name,
            spec.volumes_of(i),
            running,
            &created,
            &mut stats,
        )?;
        vms.push(vm);
    }
    for s in 0..spec.snapshots {
        let i = s % spec.vms;
        let k = s / spec.vms;
        let vm = &vms[i];
        let vm_name = vm
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let snap_name = format!("{vm_name}-nightly-{:03}", k + 1);
        let created = day_stamp(k + 1, 2);
        write_snapshot(
            store,
            vm,
            spec.volumes_of(i),
            &snap_name,
            s as u64,
            &created,
            &mut stats,
        )?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_asked_counts_with_one_volume_snapshot_per_disk() {
        let store = Store::new();
        let stats = generate(&store, &Spec::new(8, 20)).unwrap();
        assert_eq!(stats.vms, 8);
        assert_eq!(stats.snapshots, 20);
        assert_eq!(stats.contents, 20);
        // Pattern 2,1,2,3 over 8 VMs; snapshots dealt round-robin: VMs 0-3 get 3, 4-7 get 2.
        assert_eq!(stats.volume_snapshots, 3 * 8 + 2 * 8);
        assert_eq!(store.count(&gvr::snapshot()), 20);
        assert_eq!(
            store.count(&gvr::vs_content()),
            stats.volume_snapshot_contents
        );
        assert_eq!(store.count(&gvr::pvc()), 16);
    }

    #[test]
    fn snapshots_are_succeeded_and_point_at_their_content_and_volume_snapshots() {
        let store = Store::new();
        generate(&store, &Spec::new(4, 4)).unwrap();
        let snap = store
            .get(&gvr::snapshot(), Some("bench-prod"), "vm-00001-nightly-001")
            .unwrap();
        assert_eq!(snap["status"]["phase"], "Succeeded");
        assert_eq!(snap["status"]["readyToUse"], true);
        let content_name = snap["status"]["virtualMachineSnapshotContentName"]
            .as_str()
            .unwrap();
        let content = store
            .get(&gvr::content(), Some("bench-prod"), content_name)
            .unwrap();
        assert_eq!(
            content["spec"]["virtualMachineSnapshotName"],
            "vm-00001-nightly-001"
        );
        for b in content["spec"]["volumeBackups"].as_array().unwrap() {
            let vs = store
                .get(
                    &gvr::vs(),
                    Some("bench-prod"),
                    b["volumeSnapshotName"].as_str().unwrap(),
                )
                .unwrap();
            assert_eq!(vs["status"]["readyToUse"], true);
        }
    }

    #[test]
    fn names_do_not_depend_on_the_run() {
        let a = Store::new();
        let b = Store::new();
        generate(&a, &Spec::new(3, 6)).unwrap();
        generate(&b, &Spec::new(3, 6)).unwrap();
        let names = |s: &Store| -> Vec<String> {
            s.list(&gvr::vs(), None)
                .iter()
                .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&a), names(&b));
    }

    #[test]
    fn a_vm_with_eight_volumes_has_eight_snapshottable_claims() {
        let store = Store::new();
        let vm = vm_with_volumes(&store, "bench", "wide", 8, false).unwrap();
        let vols = vm["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap();
        assert_eq!(vols.len(), 9, "8 disks and the cloud-init disk");
        assert_eq!(store.list(&gvr::pvc(), Some("bench")).len(), 8);
        assert_eq!(vm["status"]["printableStatus"], "Stopped");
    }
}
