//! The storage analysis for one VM: what a KubeVirt snapshot would capture, and how consistently.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::snapshot_class::{ClassChoice, choose};
use super::{Analysis, StorageInputs, VolumeFinding, human_bytes, parse_quantity};
use crate::cluster::json::{arr_at, bool_at, condition_true, find_named, keyed_at, name, str_at};
use crate::model::{Consistency, RunState, VmInfo};
use crate::platform::kubevirt::api::{
    BACKEND_STORAGE_LABEL, VmVolume, backend_pvc, backend_volume_name, needs_backend_storage,
    vm_info, vm_volumes, vmi_volumes,
};

/// The VM controller's own verdict for one volume (`status.volumeSnapshotStatuses`).
struct VmVerdict {
    enabled: bool,
    reason: Option<String>,
}

fn vm_verdicts(vm: &Value) -> BTreeMap<String, VmVerdict> {
    keyed_at(vm, "/status/volumeSnapshotStatuses", "/name", |s| {
        VmVerdict {
            enabled: bool_at(s, "/enabled").unwrap_or(false),
            reason: str_at(s, "/reason").map(str::to_owned),
        }
    })
}

/// Names of volumes the VMI reports as hot-plugged (`status.volumeStatus[].hotplugVolume`).
fn vmi_hotplugged(vmi: Option<&Value>) -> BTreeSet<String> {
    vmi.map(|vmi| {
        arr_at(vmi, "/status/volumeStatus")
            .iter()
            .filter(|s| s.get("hotplugVolume").is_some())
            .filter_map(|s| str_at(s, "/name").map(str::to_owned))
            .collect()
    })
    .unwrap_or_default()
}

fn storage_quantity(obj: &Value, ptrs: &[&str]) -> Option<u64> {
    ptrs.iter()
        .find_map(|p| str_at(obj, p))
        .and_then(parse_quantity)
}

/// The StorageClass KubeVirt would see: the PVC's, else the DataVolume's, else the VM's
/// dataVolumeTemplate's (KubeVirt reads the DataVolume first; the bound PVC is the truth).
fn storage_class_of(
    vol: &VmVolume,
    pvc: Option<&Value>,
    dv: Option<&Value>,
    vm: &Value,
) -> Option<String> {
    const DV_PTRS: [&str; 2] = [
        "/spec/pvc/storageClassName",
        "/spec/storage/storageClassName",
    ];
    if let Some(sc) = pvc.and_then(|p| str_at(p, "/spec/storageClassName")) {
        return Some(sc.to_owned());
    }
    if let Some(sc) = dv.and_then(|d| DV_PTRS.iter().find_map(|p| str_at(d, p))) {
        return Some(sc.to_owned());
    }
    let dv_name = vol.data_volume.as_deref()?;
    arr_at(vm, "/spec/dataVolumeTemplates")
        .iter()
        .find(|t| str_at(t, "/metadata/name") == Some(dv_name))
        .and_then(|t| DV_PTRS.iter().find_map(|p| str_at(t, p)))
        .map(str::to_owned)
}

fn snapshot_api_missing(inputs: &StorageInputs) -> bool {
    inputs
        .missing_apis
        .iter()
        .any(|k| k == "VolumeSnapshotClass")
}

fn no_class_reason(sc: &str, volume: &str) -> String {
    format!(
        "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [{sc}] [{volume}]"
    )
}

/// Accumulates sentences while walking the volumes.
#[derive(Default)]
struct Notes {
    warnings: Vec<String>,
    blockers: Vec<String>,
    /// What to ask for when nothing can be snapshotted (deduplicated, ordered).
    advice: BTreeSet<String>,
}

fn analyse_volume(
    vol: &VmVolume,
    inputs: &StorageInputs,
    verdict: Option<&VmVerdict>,
    hotplugged: bool,
    notes: &mut Notes,
) -> VolumeFinding {
    let mut f = VolumeFinding {
        volume: vol.name.clone(),
        source_kind: vol.source_kind.clone(),
        pvc: vol.claim.clone(),
        // A memory dump is attached through the hotplug machinery (the VMI reports it as a
        // hotplug volume), but it is the VM's memory-dump volume, not a hot-plugged disk.
        hotplugged: (hotplugged || vol.hotpluggable) && vol.source_kind != "memoryDump",
        ..VolumeFinding::default()
    };
    let Some(claim) = vol.claim.as_deref().filter(|_| vol.snapshottable_kind()) else {
        f.reason = Some(format!(
            "Snapshot is not supported for this volumeSource type [{}]",
            vol.name
        ));
        return f;
    };

    let pvc = find_named(&inputs.pvcs, claim);
    let dv = vol
        .data_volume
        .as_deref()
        .and_then(|d| find_named(&inputs.data_volumes, d));
    f.size_bytes = pvc
        .and_then(|p| {
            storage_quantity(
                p,
                &[
                    "/status/capacity/storage",
                    "/spec/resources/requests/storage",
                ],
            )
        })
        .or_else(|| {
            dv.and_then(|d| {
                storage_quantity(
                    d,
                    &[
                        "/spec/storage/resources/requests/storage",
                        "/spec/pvc/resources/requests/storage",
                    ],
                )
            })
        });
    f.storage_class = storage_class_of(vol, pvc, dv, &inputs.vm);

    // KubeVirt locks the VM only when every PVC exists, is Bound, populated and not being
    // deleted; otherwise the snapshot waits until its failure deadline and fails.
    let wait = "KubeVirt will not start a snapshot until it is, and the snapshot would fail at its failure deadline";
    let pvc_problem: Option<(String, String)> = match pvc {
        None => Some((
            "PVC not found".to_owned(),
            format!("PVC {claim} of volume {} does not exist: {wait}", vol.name),
        )),
        Some(p) if str_at(p, "/metadata/deletionTimestamp").is_some() => {
            let why = format!("PVC {claim} is being deleted");
            let full = format!("{why} (volume {}): a snapshot cannot capture it", vol.name);
            Some((why, full))
        }
        Some(p) if str_at(p, "/status/phase") != Some("Bound") => {
            let phase = str_at(p, "/status/phase").unwrap_or("unknown");
            let why = format!("PVC {claim} is not Bound (phase {phase})");
            Some((why.clone(), format!("{why} (volume {}): {wait}", vol.name)))
        }
        Some(_) => dv
            .filter(|d| str_at(d, "/status/phase") != Some("Succeeded"))
            .map(|d| {
                let progress = str_at(d, "/status/progress")
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default();
                let why = format!(
                    "DataVolume {} is not populated yet (phase {}{progress})",
                    vol.data_volume.as_deref().unwrap_or(claim),
                    str_at(d, "/status/phase").unwrap_or("unknown")
                );
                (why.clone(), format!("{why} (volume {}): {wait}", vol.name))
            }),
    };
    if let Some((why, full)) = pvc_problem {
        f.reason = Some(why);
        notes.blockers.push(full);
        return f;
    }

    // Our own reproduction of KubeVirt's choice: Some(true/false) or None when unknowable.
    let computed: Option<bool> = match f.storage_class.clone() {
        None => {
            f.reason = Some(format!(
                "PVC {claim} has no storageClassName, so KubeVirt cannot pick a VolumeSnapshotClass"
            ));
            Some(false)
        }
        Some(sc) => {
            let sc_obj = inputs
                .storage_classes
                .as_deref()
                .and_then(|l| find_named(l, &sc));
            f.driver = sc_obj
                .and_then(|o| str_at(o, "/provisioner"))
                .map(str::to_owned);
            let choice = choose(
                &sc,
                inputs.storage_classes.as_deref(),
                inputs.volume_snapshot_classes.as_deref(),
                inputs.storage_profiles.as_deref(),
            );
            let driver = f.driver.clone().unwrap_or_else(|| "unknown".to_owned());
            match choice {
                ClassChoice::Chosen { class, .. } => {
                    f.deletion_policy = inputs
                        .volume_snapshot_classes
                        .as_deref()
                        .and_then(|l| find_named(l, &class))
                        .and_then(|c| str_at(c, "/deletionPolicy"))
                        .map(str::to_owned);
                    f.snapshot_class = Some(class);
                    Some(true)
                }
                ClassChoice::NoStorageClass => {
                    notes.warnings.push(format!(
                        "StorageClass {sc} of PVC {claim} does not exist, so volume {} cannot be snapshotted",
                        vol.name
                    ));
                    f.reason = Some(no_class_reason(&sc, &vol.name));
                    Some(false)
                }
                ClassChoice::NoMatch if snapshot_api_missing(inputs) => {
                    notes.advice.insert(
                        "ask your cluster admin to install the CSI snapshot CRDs and snapshot controller (snapshot.storage.k8s.io), then a VolumeSnapshotClass for each driver".to_owned(),
                    );
                    f.reason = Some(no_class_reason(&sc, &vol.name));
                    Some(false)
                }
                ClassChoice::NoMatch => {
                    notes.advice.insert(format!(
                        "ask your cluster admin for a VolumeSnapshotClass for driver {driver} (StorageClass {sc})"
                    ));
                    f.reason = Some(no_class_reason(&sc, &vol.name));
                    Some(false)
                }
                ClassChoice::Ambiguous(n) => {
                    notes.advice.insert(format!(
                        "ask your cluster admin to mark one of the {n} VolumeSnapshotClasses for driver {driver} as default (annotation snapshot.storage.kubernetes.io/is-default-class) or to name one in the CDI StorageProfile {sc}"
                    ));
                    f.reason = Some(format!("{n} matching VolumeSnapshotClasses for {sc}"));
                    Some(false)
                }
                ClassChoice::ProfileClassMissing(class) => {
                    notes.warnings.push(format!(
                        "the StorageProfile of {sc} names VolumeSnapshotClass {class}, which does not exist; KubeVirt does not fall back to another class"
                    ));
                    notes.advice.insert(format!(
                        "ask your cluster admin to create VolumeSnapshotClass {class} or fix the StorageProfile {sc}"
                    ));
                    f.reason = Some(no_class_reason(&sc, &vol.name));
                    Some(false)
                }
                ClassChoice::Unknown => None,
            }
        }
    };

    if let (Some(driver), Some(list)) = (f.driver.as_deref(), inputs.csi_drivers.as_deref()) {
        let present = find_named(list, driver).is_some();
        f.csi_driver_present = Some(present);
        if !present && computed == Some(true) {
            notes.warnings.push(format!(
                "no CSIDriver object is registered for {driver} (volume {}): the driver may not be installed, and its VolumeSnapshot may never become ready",
                vol.name
            ));
        }
    }

    f.included = match (computed, verdict) {
        (Some(ours), Some(v)) if ours != v.enabled => {
            notes.warnings.push(format!(
                "the VM reports volume {} as {} ({}), while its storage suggests {}; trusting the VM",
                vol.name,
                if v.enabled { "snapshottable" } else { "not snapshottable" },
                v.reason.as_deref().unwrap_or("no reason given"),
                if ours { "it is" } else { "it is not" },
            ));
            v.enabled
        }
        (Some(ours), _) => ours,
        (None, Some(v)) => v.enabled,
        (None, None) => {
            notes.warnings.push(format!(
                "cannot verify that volume {} can be snapshotted (storage classes not readable, and the VM reports nothing); assuming it is",
                vol.name
            ));
            true
        }
    };
    if f.included {
        f.reason = None;
    } else if let Some(v) = verdict.filter(|v| !v.enabled && v.reason.is_some()) {
        // The VM controller's wording is what `kubectl get vm -o yaml` shows; prefer it.
        if computed != Some(false) || f.reason.is_none() {
            f.reason = v.reason.clone();
        }
    }
    f
}

/// Analyses a VM's storage exactly as KubeVirt would snapshot it. Pure: no I/O.
pub fn analyse(inputs: &StorageInputs) -> Analysis {
    let vm: VmInfo = vm_info(&inputs.vm, inputs.vmi.as_ref());
    let mut notes = Notes::default();
    let verdicts = vm_verdicts(&inputs.vm);
    let hot = vmi_hotplugged(inputs.vmi.as_ref());

    for (what, list, effect) in [
        (
            "StorageClasses",
            inputs.storage_classes.is_none(),
            "volume verdicts come from the VM's status",
        ),
        (
            "VolumeSnapshotClasses",
            inputs.volume_snapshot_classes.is_none(),
            "volume verdicts come from the VM's status",
        ),
        (
            "StorageProfiles",
            inputs.storage_profiles.is_none(),
            "assuming none names a VolumeSnapshotClass",
        ),
        (
            "CSIDrivers",
            inputs.csi_drivers.is_none(),
            "the CSI driver check is skipped",
        ),
    ] {
        if list {
            notes
                .warnings
                .push(format!("you may not list {what} (forbidden): {effect}"));
        }
    }

    if snapshot_api_missing(inputs) {
        notes.warnings.push(
            "the cluster does not serve snapshot.storage.k8s.io (the CSI snapshot CRDs are not installed): KubeVirt can capture no volume".to_owned(),
        );
    }

    let spec_volumes = vm_volumes(&inputs.vm);
    let mut volumes: Vec<VolumeFinding> = spec_volumes
        .iter()
        .map(|v| {
            analyse_volume(
                v,
                inputs,
                verdicts.get(&v.name),
                hot.contains(&v.name),
                &mut notes,
            )
        })
        .collect();

    // KubeVirt snapshots the backend PVC holding persistent vTPM / EFI state with the disks.
    if needs_backend_storage(&inputs.vm) {
        let vol_name = backend_volume_name(&vm.name);
        match backend_pvc(&vm.name, &inputs.pvcs) {
            Some(p) => {
                let v = VmVolume {
                    name: vol_name.clone(),
                    source_kind: "persistentVolumeClaim".to_owned(),
                    claim: Some(name(p).to_owned()),
                    data_volume: None,
                    hotpluggable: false,
                };
                let mut f = analyse_volume(&v, inputs, verdicts.get(&vol_name), false, &mut notes);
                f.source_kind = "backendStorage".to_owned();
                if f.included {
                    notes.warnings.push(format!(
                        "the VM keeps its vTPM/EFI state on PVC {}, which the snapshot captures with the disks",
                        name(p)
                    ));
                }
                volumes.push(f);
            }
            None => {
                notes.blockers.push(format!(
                    "VM {}/{} keeps vTPM/EFI state on a backend PVC (label {BACKEND_STORAGE_LABEL}={}) that does not exist yet (KubeVirt creates it when the VM first starts): KubeVirt will not start a snapshot until it exists",
                    vm.namespace, vm.name, vm.name
                ));
                volumes.push(VolumeFinding {
                    volume: vol_name,
                    source_kind: "backendStorage".to_owned(),
                    reason: Some("backend-storage PVC not found".to_owned()),
                    ..VolumeFinding::default()
                });
            }
        }
    }

    // Hot-plugs present only on the running instance are not part of a snapshot.
    let in_spec: BTreeSet<&str> = spec_volumes.iter().map(|v| v.name.as_str()).collect();
    let vmi_vols = inputs.vmi.as_ref().map(vmi_volumes).unwrap_or_default();
    for name in hot.iter().filter(|n| !in_spec.contains(n.as_str())) {
        let v = vmi_vols.iter().find(|v| &v.name == name);
        notes.warnings.push(format!(
            "hot-plugged volume {name} was added to the running VM only (not to its spec) and will be left out; add it with `virtctl addvolume --persist` to include it"
        ));
        volumes.push(VolumeFinding {
            volume: name.clone(),
            source_kind: v.map_or_else(|| "hotplug".to_owned(), |v| v.source_kind.clone()),
            pvc: v.and_then(|v| v.claim.clone()),
            hotplugged: true,
            reason: Some(
                "hot-plugged to the running VM only (not in the VM spec): not part of a snapshot"
                    .to_owned(),
            ),
            ..VolumeFinding::default()
        });
    }
    for f in volumes
        .iter()
        .filter(|f| f.source_kind == "memoryDump" && f.included)
    {
        notes.warnings.push(format!(
            "volume {} holds a memory dump (virtctl memory-dump): the snapshot captures it, but a \
             restore does not put it back into the VM",
            f.volume
        ));
    }
    for f in volumes.iter().filter(|f| f.hotplugged && f.included) {
        notes.warnings.push(format!(
            "hot-plugged volume {} is in the VM spec (persistent) and is included",
            f.volume
        ));
    }

    let included: Vec<&VolumeFinding> = volumes.iter().filter(|f| f.included).collect();
    let size_estimate_bytes = included.iter().filter_map(|f| f.size_bytes).sum();
    let partial: Vec<String> = volumes
        .iter()
        .filter(|f| {
            !f.included
                && crate::platform::kubevirt::api::SNAPSHOTTABLE_SOURCES
                    .contains(&f.source_kind.as_str())
        })
        .map(|f| f.volume.clone())
        .collect();
    if !included.is_empty() && !partial.is_empty() {
        notes.warnings.push(format!(
            "the snapshot will be partial: {} will not be captured (see the reasons above)",
            partial.join(", ")
        ));
    }

    // Consistency as KubeVirt decides it: online = an instance exists; paused → no freeze.
    let online = !vm.run_state.is_stopped() && (inputs.vmi.is_some() || vm.run_state.is_running());
    let paused = vm.run_state == RunState::Paused
        || inputs
            .vmi
            .as_ref()
            .is_some_and(|i| condition_true(i, "/status/conditions", "Paused"));
    let expected_consistency = if !online {
        Consistency::Offline
    } else if paused {
        Consistency::Crash
    } else if vm.agent_connected {
        Consistency::Application
    } else {
        Consistency::Crash
    };
    if online && paused {
        notes.warnings.push(
            "the VM is paused: KubeVirt snapshots it without freezing the file systems (crash-consistent); unpause it for an application-consistent snapshot".to_owned(),
        );
    } else if online && !vm.agent_connected {
        notes.warnings.push(
            "no guest agent is connected: an online snapshot is crash-consistent (like a power loss); stop the VM for an offline snapshot, or run qemu-guest-agent in the guest".to_owned(),
        );
    }
    if vm.windows && online && vm.agent_connected && !paused {
        notes.warnings.push(
            "Windows guest: the guest agent freezes the file systems through VSS for an application-consistent snapshot; VSS holds a freeze for at most 10 seconds, and a longer one ends as QuiesceTimeout (crash-consistent)".to_owned(),
        );
    } else if vm.windows && online && !vm.agent_connected {
        notes.warnings.push(
            "Windows guest without a connected guest agent: install the QEMU guest agent (virtio-win) so VSS can make snapshots application-consistent".to_owned(),
        );
    }

    if let Some(s) = &vm.snapshot_in_progress {
        notes.warnings.push(format!(
            "snapshot {s} is already in progress on this VM; a new snapshot waits until it finishes"
        ));
    }
    if let Some(r) = &vm.restore_in_progress {
        notes.blockers.push(format!(
            "restore {r} is in progress on VM {}/{}; wait for it to complete before taking a snapshot",
            vm.namespace, vm.name
        ));
    }

    if included.is_empty() {
        let mut msg = format!(
            "no volume of VM {}/{} can be snapshotted",
            vm.namespace, vm.name
        );
        if notes.advice.is_empty() {
            let has_persistent = volumes.iter().any(|f| {
                crate::platform::kubevirt::api::SNAPSHOTTABLE_SOURCES
                    .contains(&f.source_kind.as_str())
            });
            if !has_persistent {
                msg.push_str(
                    ": it has no PersistentVolumeClaim or DataVolume disks (containerDisk, cloud-init and similar volumes are not snapshotted); keep its data on a PVC or DataVolume",
                );
            }
        } else {
            msg.push_str(": ");
            msg.push_str(&notes.advice.iter().cloned().collect::<Vec<_>>().join("; "));
        }
        notes.blockers.insert(0, msg);
    }

    let snapshottable = !included.is_empty();
    Analysis {
        vm,
        volumes,
        expected_consistency,
        size_estimate_bytes,
        warnings: notes.warnings,
        blockers: notes.blockers,
        snapshottable,
    }
}

impl Analysis {
    /// The included volumes' names, in spec order.
    pub fn included_volumes(&self) -> Vec<&str> {
        self.volume_names(true)
    }

    /// The names of the volumes the snapshot captures (`included`) or leaves out, in spec
    /// order.
    pub fn volume_names(&self, included: bool) -> Vec<&str> {
        self.volumes
            .iter()
            .filter(|f| f.included == included)
            .map(|f| f.volume.as_str())
            .collect()
    }

    /// The excluded volumes' names with their reasons.
    pub fn excluded_volumes(&self) -> Vec<(&str, &str)> {
        self.volumes
            .iter()
            .filter(|f| !f.included)
            .map(|f| (f.volume.as_str(), f.reason.as_deref().unwrap_or("")))
            .collect()
    }

    /// "140Gi" for the plan.
    pub fn size_estimate(&self) -> String {
        human_bytes(self.size_estimate_bytes)
    }
}
