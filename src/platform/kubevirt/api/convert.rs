//! Pure conversions from KubeVirt objects (as JSON) to the provider-neutral model.

use serde_json::Value;

use crate::cluster::json::{
    arr_at, bool_at, condition_at, condition_true, conditions, find_named, has_annotation, name,
    namespace, str_at, string_at, string_map, time_at,
};
use crate::model::{
    Consistency, Indication, RestoreInfo, RunState, SnapshotInfo, SnapshotPhase, VmInfo,
    VolumeBackup,
};
use crate::platform::kubevirt::analysis::parse_quantity;

/// Volume source kinds KubeVirt can snapshot (`isVolumeSnapshottable`).
pub const SNAPSHOTTABLE_SOURCES: [&str; 3] = ["persistentVolumeClaim", "dataVolume", "memoryDump"];

/// One entry of a VM's (or VMI's) `spec.template.spec.volumes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmVolume {
    pub name: String,
    /// The volume source key: `persistentVolumeClaim`, `dataVolume`, `containerDisk`, ...
    pub source_kind: String,
    /// The PVC backing it, for snapshottable kinds (a DataVolume's PVC has its name).
    pub claim: Option<String>,
    /// The DataVolume name, for `dataVolume` sources.
    pub data_volume: Option<String>,
    /// Marked `hotpluggable: true` in the spec.
    pub hotpluggable: bool,
}

impl VmVolume {
    pub fn snapshottable_kind(&self) -> bool {
        SNAPSHOTTABLE_SOURCES.contains(&self.source_kind.as_str())
    }
}

fn parse_volume(v: &Value) -> Option<VmVolume> {
    let obj = v.as_object()?;
    let name = obj.get("name")?.as_str()?.to_owned();
    let source_kind = obj
        .keys()
        .find(|k| k.as_str() != "name")
        .cloned()
        .unwrap_or_else(|| "unknown".to_owned());
    let src = obj.get(&source_kind).unwrap_or(&Value::Null);
    let (claim, data_volume) = match source_kind.as_str() {
        "persistentVolumeClaim" | "memoryDump" => (string_at(src, "/claimName"), None),
        "dataVolume" => {
            let dv = string_at(src, "/name");
            (dv.clone(), dv)
        }
        _ => (None, None),
    };
    Some(VmVolume {
        name,
        source_kind,
        claim,
        data_volume,
        hotpluggable: bool_at(src, "/hotpluggable").unwrap_or(false),
    })
}

/// The volumes of a VirtualMachine's template, in spec order.
pub fn vm_volumes(vm: &Value) -> Vec<VmVolume> {
    arr_at(vm, "/spec/template/spec/volumes")
        .iter()
        .filter_map(parse_volume)
        .collect()
}

/// The volumes of a VirtualMachineInstance's spec, in spec order.
pub fn vmi_volumes(vmi: &Value) -> Vec<VmVolume> {
    arr_at(vmi, "/spec/volumes")
        .iter()
        .filter_map(parse_volume)
        .collect()
}

/// PVC names and DataVolume names a VM's volumes refer to (for targeted GETs).
pub fn referenced_claims(vm: &Value) -> (Vec<String>, Vec<String>) {
    let vols = vm_volumes(vm);
    let mut claims: Vec<String> = vols.iter().filter_map(|v| v.claim.clone()).collect();
    claims.sort();
    claims.dedup();
    let mut dvs: Vec<String> = vols.iter().filter_map(|v| v.data_volume.clone()).collect();
    dvs.sort();
    dvs.dedup();
    (claims, dvs)
}

/// Label KubeVirt puts on the backend-storage PVC holding a VM's persistent vTPM / EFI state.
pub const BACKEND_STORAGE_LABEL: &str = "persistent-state-for";

/// The VM keeps vTPM or EFI state on a backend PVC (`tpm.persistent` / `efi.persistent` in its
/// template), which KubeVirt snapshots with the disks. A preference that turns these on is not
/// expanded here.
pub fn needs_backend_storage(vm: &Value) -> bool {
    let dom = "/spec/template/spec/domain";
    bool_at(vm, &format!("{dom}/devices/tpm/persistent")) == Some(true)
        || bool_at(vm, &format!("{dom}/firmware/bootloader/efi/persistent")) == Some(true)
}

/// The name KubeVirt gives the backend-storage volume when it lists a VM's volumes (and in a
/// snapshot's volumeBackups): `persistent-state-for-<vm>`, shortened with a hash past 63
/// characters as openshift/library-go's `naming.GetName` does (kubevirt/kubevirt
/// pkg/storage/utils/volumes.go `BackendPVCVolumeName`).
pub fn backend_volume_name(vm_name: &str) -> String {
    const MAX: usize = 63;
    let base = BACKEND_STORAGE_LABEL;
    let name = format!("{base}-{vm_name}");
    if name.len() <= MAX {
        return name;
    }
    match (MAX - 10).checked_sub(vm_name.len()).filter(|n| *n > 0) {
        // Room for a shortened base: base prefix, the base's hash, the VM name.
        Some(keep) => format!("{}-{}-{vm_name}", &base[..keep], fnv32a_hex(base)),
        // The VM name alone is too long: base and the hash of the whole name.
        None => {
            let short = format!("{}-{}", &base[..base.len().min(MAX - 9)], fnv32a_hex(&name));
            short.chars().take(MAX).collect()
        }
    }
}

/// FNV-1a, 32 bits, as 8 hex digits (Go's `hash/fnv` New32a).
fn fnv32a_hex(s: &str) -> String {
    let h = s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{h:08x}")
}

/// The backend-storage PVC among `pvcs`: the newest one labelled for this VM and not being
/// deleted (KubeVirt's choice when several exist).
pub fn backend_pvc<'a>(vm_name: &str, pvcs: &'a [Value]) -> Option<&'a Value> {
    pvcs.iter()
        .filter(|p| {
            str_at(p, &format!("/metadata/labels/{BACKEND_STORAGE_LABEL}")) == Some(vm_name)
                && str_at(p, "/metadata/deletionTimestamp").is_none()
        })
        .max_by_key(|p| time_at(p, "/metadata/creationTimestamp"))
}

fn guest_os(vmi: &Value) -> Option<String> {
    if let Some(p) = str_at(vmi, "/status/guestOSInfo/prettyName") {
        return Some(p.to_owned());
    }
    let n = str_at(vmi, "/status/guestOSInfo/name")?;
    Some(match str_at(vmi, "/status/guestOSInfo/version") {
        Some(ver) => format!("{n} {ver}"),
        None => n.to_owned(),
    })
}

fn looks_windows(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.starts_with("win") || s.contains("windows") || s == "mswindows"
}

/// Windows from the guest agent's report, else from the usual template hints.
fn is_windows(vm: &Value, vmi: Option<&Value>) -> bool {
    if let Some(vmi) = vmi {
        let id = str_at(vmi, "/status/guestOSInfo/id");
        let name = str_at(vmi, "/status/guestOSInfo/name");
        if id.is_some() || name.is_some() {
            return id.is_some_and(looks_windows) || name.is_some_and(looks_windows);
        }
    }
    let os_annotation = str_at(vm, "/metadata/annotations/vm.kubevirt.io~1os");
    let template_label = ["/metadata/labels", "/spec/template/metadata/labels"]
        .iter()
        .flat_map(|p| string_map(vm, p).into_keys())
        .any(|k| k.starts_with("os.template.kubevirt.io/win"));
    let preference = str_at(vm, "/spec/preference/name");
    os_annotation.is_some_and(looks_windows)
        || template_label
        || preference.is_some_and(|p| p.to_ascii_lowercase().starts_with("windows"))
}

fn run_strategy(vm: &Value) -> Option<String> {
    string_at(vm, "/spec/runStrategy")
        .or_else(|| {
            bool_at(vm, "/spec/running").map(|r| if r { "Always" } else { "Halted" }.to_owned())
        })
        .or_else(|| string_at(vm, "/status/runStrategy"))
}

/// The model view of a VirtualMachine and, when running, its instance.
pub fn vm_info(vm: &Value, vmi: Option<&Value>) -> VmInfo {
    let printable = str_at(vm, "/status/printableStatus").unwrap_or("Unknown");
    // The VM mirrors the VMI's conditions, but the VMI is fresher when we have it.
    let agent_connected = match vmi {
        Some(vmi) => condition_true(vmi, "/status/conditions", "AgentConnected"),
        None => condition_true(vm, "/status/conditions", "AgentConnected"),
    };
    VmInfo {
        namespace: namespace(vm).to_owned(),
        name: name(vm).to_owned(),
        uid: string_at(vm, "/metadata/uid"),
        printable_status: printable.to_owned(),
        run_state: RunState::from_printable(printable),
        run_strategy: run_strategy(vm),
        agent_connected,
        guest_os: vmi.and_then(guest_os),
        windows: is_windows(vm, vmi),
        snapshot_in_progress: string_at(vm, "/status/snapshotInProgress"),
        restore_in_progress: string_at(vm, "/status/restoreInProgress"),
        volumes: vm_volumes(vm).into_iter().map(|v| v.name).collect(),
    }
}

/// `status.sourceIndications`, falling back to the deprecated `status.indications`.
pub fn indications(snap: &Value) -> Vec<Indication> {
    let source = arr_at(snap, "/status/sourceIndications");
    if !source.is_empty() {
        return source
            .iter()
            .filter_map(|i| {
                Some(Indication {
                    name: string_at(i, "/indication")?,
                    message: string_at(i, "/message"),
                })
            })
            .collect();
    }
    arr_at(snap, "/status/indications")
        .iter()
        .filter_map(|i| i.as_str())
        .map(|n| Indication {
            name: n.to_owned(),
            message: None,
        })
        .collect()
}

/// Consistency from KubeVirt's indications: GuestAgent → application; Online without it,
/// NoGuestAgent, QuiesceTimeout or Paused → crash; no Online → offline; no status yet → unknown.
pub fn consistency(indications: &[Indication], phase: SnapshotPhase) -> Consistency {
    let has = |n: &str| indications.iter().any(|i| i.name == n);
    if has("QuiesceTimeout") || has("Paused") || has("NoGuestAgent") {
        Consistency::Crash
    } else if has("GuestAgent") {
        Consistency::Application
    } else if has("Online") {
        Consistency::Crash
    } else if phase == SnapshotPhase::Pending {
        Consistency::Unknown
    } else {
        Consistency::Offline
    }
}

fn failure_text(obj: &Value) -> Option<String> {
    condition_at(obj, "/status/conditions", "Failure", Some("True"))
        .and_then(|c| string_at(c, "/message").or_else(|| string_at(c, "/reason")))
}

/// The model view of a VirtualMachineSnapshot, joined with its content and VolumeSnapshots
/// when the caller fetched them (describe does; list passes None and `&[]`).
pub fn snapshot_info(
    snap: &Value,
    content: Option<&Value>,
    volume_snapshots: &[Value],
) -> SnapshotInfo {
    let phase = SnapshotPhase::from_status(str_at(snap, "/status/phase"));
    let inds = indications(snap);
    let backups = content.map(|c| volume_backups(c, volume_snapshots));
    let mut included: Vec<String> = arr_at(snap, "/status/snapshotVolumes/includedVolumes")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    if included.is_empty()
        && let Some(b) = &backups
    {
        included = b.iter().map(|b| b.volume.clone()).collect();
    }
    let size_bytes = backups.as_ref().and_then(|b| {
        if b.is_empty() {
            return None;
        }
        b.iter().map(|b| b.restore_size).sum::<Option<u64>>()
    });
    SnapshotInfo {
        namespace: namespace(snap).to_owned(),
        name: name(snap).to_owned(),
        uid: string_at(snap, "/metadata/uid"),
        vm: string_at(snap, "/spec/source/name").unwrap_or_default(),
        vm_uid: string_at(snap, "/status/sourceUID"),
        phase,
        ready_to_use: bool_at(snap, "/status/readyToUse").unwrap_or(false),
        created: time_at(snap, "/metadata/creationTimestamp"),
        creation_time: time_at(snap, "/status/creationTime"),
        consistency: consistency(&inds, phase),
        indications: inds,
        included_volumes: included,
        excluded_volumes: arr_at(snap, "/status/snapshotVolumes/excludedVolumes")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        content_name: string_at(snap, "/status/virtualMachineSnapshotContentName"),
        failure_deadline: string_at(snap, "/spec/failureDeadline"),
        error: string_at(snap, "/status/error/message").or_else(|| failure_text(snap)),
        conditions: conditions(snap, "/status/conditions"),
        size_bytes,
        labels: string_map(snap, "/metadata/labels"),
        deleting: str_at(snap, "/metadata/deletionTimestamp").is_some(),
    }
}

/// The model view of a VirtualMachineRestore. Its status has no error field: a failure shows
/// as a `Failure` condition.
pub fn restore_info(r: &Value) -> RestoreInfo {
    RestoreInfo {
        namespace: namespace(r).to_owned(),
        name: name(r).to_owned(),
        vm: string_at(r, "/spec/target/name").unwrap_or_default(),
        snapshot: string_at(r, "/spec/virtualMachineSnapshotName").unwrap_or_default(),
        complete: bool_at(r, "/status/complete").unwrap_or(false),
        restore_time: time_at(r, "/status/restoreTime"),
        conditions: conditions(r, "/status/conditions"),
        error: failure_text(r),
        created: time_at(r, "/metadata/creationTimestamp"),
        safety_snapshot: super::safety::restore_safety_snapshot(r),
    }
}

/// The content's volume backups joined with their CSI VolumeSnapshots (readiness, restoreSize,
/// error); the content's own `volumeSnapshotStatus` fills in when a VolumeSnapshot is missing.
pub fn volume_backups(content: &Value, volume_snapshots: &[Value]) -> Vec<VolumeBackup> {
    let statuses = arr_at(content, "/status/volumeSnapshotStatus");
    arr_at(content, "/spec/volumeBackups")
        .iter()
        .map(|b| {
            let vs_name = string_at(b, "/volumeSnapshotName");
            let vs = vs_name
                .as_deref()
                .and_then(|n| find_named(volume_snapshots, n));
            let status = vs_name.as_deref().and_then(|n| {
                statuses
                    .iter()
                    .find(|s| str_at(s, "/volumeSnapshotName") == Some(n))
            });
            let ready = vs
                .and_then(|v| bool_at(v, "/status/readyToUse"))
                .or_else(|| status.and_then(|s| bool_at(s, "/readyToUse")));
            let error = vs
                .and_then(|v| string_at(v, "/status/error/message"))
                .or_else(|| status.and_then(|s| string_at(s, "/error/message")));
            VolumeBackup {
                volume: string_at(b, "/volumeName").unwrap_or_default(),
                pvc: string_at(b, "/persistentVolumeClaim/metadata/name").unwrap_or_default(),
                volume_snapshot: vs_name.clone(),
                ready,
                restore_size: vs
                    .and_then(|v| str_at(v, "/status/restoreSize"))
                    .and_then(parse_quantity),
                error,
            }
        })
        .collect()
}

/// One line for a spinner following a snapshot:
/// "InProgress: Progressing (Source locked and operation in progress)".
pub fn snapshot_phase_message(snap: &Value) -> String {
    let phase = SnapshotPhase::from_status(str_at(snap, "/status/phase"));
    let ready = bool_at(snap, "/status/readyToUse").unwrap_or(false);
    let error = string_at(snap, "/status/error/message");
    let progressing = condition_at(snap, "/status/conditions", "Progressing", None);
    let progress_text = progressing.map(|c| {
        let why = str_at(c, "/reason").or_else(|| str_at(c, "/message"));
        let state = if str_at(c, "/status") == Some("True") {
            "Progressing"
        } else {
            "not progressing"
        };
        match why {
            Some(w) => format!("{state} ({w})"),
            None => state.to_owned(),
        }
    });
    let detail = match phase {
        SnapshotPhase::Pending => "waiting for the snapshot controller".to_owned(),
        SnapshotPhase::Failed => error
            .clone()
            .or_else(|| failure_text(snap))
            .unwrap_or_else(|| "failed".to_owned()),
        SnapshotPhase::Succeeded if ready => "ready to use".to_owned(),
        SnapshotPhase::Succeeded => "waiting for the volume snapshots to become ready".to_owned(),
        _ => progress_text.unwrap_or_else(|| "working".to_owned()),
    };
    match (&error, phase) {
        (Some(e), SnapshotPhase::InProgress | SnapshotPhase::Unknown) => {
            format!("{phase}: {detail}; error: {e}")
        }
        _ => format!("{phase}: {detail}"),
    }
}

/// Whether a VolumeSnapshotClass carries the default-class annotation (any value).
pub fn is_default_snapshot_class(vsc: &Value) -> bool {
    has_annotation(vsc, super::resources::DEFAULT_SNAPSHOT_CLASS_ANNOTATION)
}

/// Whether a restore can start from `snap`: Succeeded, ready to use and not being deleted,
/// as the restore's own check requires (`commands::restore::check_snapshot`).
pub fn restorable(snap: &Value) -> bool {
    let info = snapshot_info(snap, None, &[]);
    info.is_ready() && !info.deleting
}
