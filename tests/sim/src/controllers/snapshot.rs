//! The VirtualMachineSnapshot controller, after KubeVirt's `pkg/storage/snapshot`: lock the
//! source VM, freeze, create the content and CSI VolumeSnapshots, complete or fail as scripted,
//! honour failureDeadline, and clean up on deletion.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::vm::{claim_of, set_frozen, volume_snapshot_class_for, volumes};
use super::{
    Ctx, Key, Outcome, add_finalizer, condition, ensure_obj, gvr, has_finalizer, is_deleting,
    name_of, owner_ref, parse_duration, remove_finalizer, set_condition, str_at, uid_of,
};

pub(crate) const FINALIZER: &str = "snapshot.kubevirt.io/vmsnapshot-protection";
pub(crate) const CONTENT_FINALIZER: &str = "snapshot.kubevirt.io/vmsnapshotcontent-protection";
pub(crate) const SOURCE_FINALIZER: &str = "snapshot.kubevirt.io/snapshot-source-protection";
const DEADLINE_EXCEEDED: &str = "snapshot deadline exceeded";
/// What the QEMU guest agent says when Windows VSS cannot hold a freeze.
const VSS_FREEZE_LIMIT: &str = "fsfreeze is limited";
const DEFAULT_FAILURE_DEADLINE: Duration = Duration::from_secs(300);

fn indication_message(indication: &str) -> &'static str {
    match indication {
        "Online" => {
            "Snapshot taken while the VM was running. Consistency depends on guest-agent quiescing."
        }
        "GuestAgent" => {
            "Guest agent was active and attempted to quiesce the filesystem for application consistency."
        }
        "NoGuestAgent" => {
            "Guest agent was not available. Snapshot is crash-consistent and may not be application-consistent."
        }
        "QuiesceTimeout" => {
            "Guest agent quiesced the filesystem, but the freeze window timed out before completion. Snapshot is crash-consistent and may not be application-consistent."
        }
        "Paused" => {
            "Snapshot taken while the VM was paused. Snapshot is crash-consistent and may not be application-consistent."
        }
        "PartialSnapshot" => {
            "Not all snapshotable volumes were included in the snapshot. Check status.snapshotVolumes for excluded volumes and VM VolumeSnapshotStatus for details."
        }
        _ => "Unknown indication",
    }
}

/// The snapshot's failureDeadline (default 5m; `0` = none).
fn failure_deadline(snap: &Value) -> Duration {
    str_at(snap, "/spec/failureDeadline")
        .and_then(parse_duration)
        .unwrap_or(DEFAULT_FAILURE_DEADLINE)
}

pub(crate) fn content_name(snap: &Value) -> String {
    str_at(snap, "/status/virtualMachineSnapshotContentName")
        .map(str::to_string)
        .unwrap_or_else(|| format!("vmsnapshot-content-{}", uid_of(snap)))
}

/// Bytes in a Kubernetes quantity (`30Gi`, `500M`, `1024`); 0 when unreadable.
pub(crate) fn quantity_bytes(q: &str) -> u64 {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let n: f64 = q[..split].parse().unwrap_or(0.0);
    let factor: f64 = match &q[split..] {
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ => 1.0,
    };
    (n * factor) as u64
}

/// Reconciles one VirtualMachineSnapshot.
pub(crate) fn reconcile(ctx: &mut Ctx, ns: &str, name: &str) {
    let store = ctx.store.clone();
    let Some(snap) = store.get(&gvr::snapshot(), Some(ns), name) else {
        return;
    };
    let uid = uid_of(&snap).to_string();
    let key = Key::Snapshot(ns.to_string(), name.to_string());
    let vm_name = str_at(&snap, "/spec/source/name").unwrap_or("").to_string();

    if is_deleting(&snap) {
        delete(ctx, &snap, &vm_name);
        return;
    }
    if !has_finalizer(&snap, FINALIZER) {
        let _ = store.mutate(&gvr::snapshot(), Some(ns), name, |s| {
            add_finalizer(s, FINALIZER)
        });
    }
    // KubeVirt locks the source only once the status exists: the first pass just reports.
    let initialized = snap.get("status").is_some_and(Value::is_object);
    let phase = str_at(&snap, "/status/phase").unwrap_or("");
    if matches!(phase, "Succeeded" | "Failed") {
        unlock(ctx, ns, &vm_name, name);
        let vm_uid = store
            .get(&gvr::vm(), Some(ns), &vm_name)
            .map(|vm| uid_of(&vm).to_string());
        if phase == "Failed" {
            // updateSnapshotStatus sets sourceUID from the VM of that name on every pass.
            if let Some(vm_uid) = vm_uid {
                write_status(ctx, ns, name, |st| {
                    st.insert("sourceUID".into(), json!(vm_uid));
                });
            }
            return;
        }
        // The content controller keeps watching its VolumeSnapshots after success: one
        // deleted later (or not yet ready) turns the content, and so the snapshot, unready.
        if let Some(content) = store.get(&gvr::content(), Some(ns), &content_name(&snap)) {
            update_content(ctx, ns, &content);
        }
        mirror_content(ctx, &snap, vm_uid.as_deref(), None);
        return;
    }

    if deadline_exceeded(ctx, &snap, key.clone()) {
        fail(ctx, &snap, &vm_name, DEADLINE_EXCEEDED, None);
        return;
    }
    if str_at(&snap, "/spec/source/kind").is_some_and(|k| k != "VirtualMachine") {
        // KubeVirt only knows VirtualMachine sources (the webhook refuses others).
        return;
    }

    let Some(vm) = store.get(&gvr::vm(), Some(ns), &vm_name) else {
        write_status(ctx, ns, name, |st| {
            st.insert("phase".into(), json!("InProgress"));
            st.entry("readyToUse").or_insert(json!(false));
            set_condition(st, "Progressing", false, "Source does not exist", None);
            set_condition(st, "Ready", false, "Not ready", None);
        });
        return;
    };
    let vmi = store.get(&gvr::vmi(), Some(ns), &vm_name);
    let online = vmi.is_some();
    let paused = vmi
        .as_ref()
        .is_some_and(|v| super::condition_true(v, "Paused"));
    let agent = vmi
        .as_ref()
        .is_some_and(|v| condition(v, "AgentConnected").is_some());
    let locked = str_at(&vm, "/status/snapshotInProgress") == Some(name)
        && has_finalizer(&vm, SOURCE_FINALIZER);

    let mut lock_msg = if locked {
        "Source locked and operation in progress".to_string()
    } else {
        "Source not locked".to_string()
    };
    // KubeVirt reports "Source not locked" on the first pass and locks from the second.
    if !locked {
        if initialized {
            match try_lock(ctx, &vm, name) {
                Ok(()) => {
                    ctx.forget("snapshot-work", &uid);
                    lock_msg = "Source locked and operation in progress".into();
                }
                Err(why) => lock_msg.push_str(&why),
            }
        }
    } else {
        let content = store.get(&gvr::content(), Some(ns), &content_name(&snap));
        match content {
            None => {
                if online && agent && !paused {
                    set_frozen(ctx, ns, &vm_name, true);
                }
                create_content(ctx, &snap, &vm, online);
                ctx.forget("snapshot-work", &uid);
                ctx.mark_since("snapshot-work", &uid);
            }
            Some(content)
                if content
                    .pointer("/status/creationTime")
                    .is_none_or(Value::is_null) =>
            {
                progress_content(ctx, &snap, &content, &vm_name, key.clone());
                if store
                    .get(&gvr::snapshot(), Some(ns), name)
                    .is_none_or(|s| str_at(&s, "/status/phase") == Some("Failed"))
                {
                    return;
                }
            }
            Some(_) => {}
        }
    }

    let vm_uid = uid_of(&vm).to_string();
    let progress = Progress {
        locked: lock_msg.starts_with("Source locked"),
        lock_msg: &lock_msg,
        online,
        paused,
        agent,
    };
    if mirror_content(ctx, &snap, Some(&vm_uid), Some(progress)) {
        unlock(ctx, ns, &vm_name, name);
        ctx.forget("snapshot-deadline", &uid);
        ctx.forget("snapshot-work", &uid);
    }
}

/// What the source looked like on a pass that has not succeeded yet.
struct Progress<'a> {
    locked: bool,
    lock_msg: &'a str,
    online: bool,
    paused: bool,
    agent: bool,
}

/// Mirrors the content into the snapshot's status as `updateSnapshotStatus` does: Succeeded
/// once the content has a creationTime (or the snapshot already succeeded), Ready only while
/// the content is readyToUse, "In error state" while it reports an error. Whether the snapshot
/// is Succeeded now.
fn mirror_content(
    ctx: &Ctx,
    snap: &Value,
    vm_uid: Option<&str>,
    progress: Option<Progress>,
) -> bool {
    let (ns, name) = (super::ns_of(snap), name_of(snap));
    let content = ctx
        .store
        .get(&gvr::content(), Some(ns), &content_name(snap));
    let was_succeeded = str_at(snap, "/status/phase") == Some("Succeeded");
    // Read before the status write: the store is not re-entrant.
    let content_volumes = content
        .as_ref()
        .and_then(|c| c.pointer("/spec/source/virtualMachine"))
        .map(|vm| volumes_with_backend(&ctx.store, vm).0)
        .unwrap_or_default();
    let mut succeeded = false;
    write_status(ctx, ns, name, |st| {
        st.entry("readyToUse").or_insert(json!(false));
        if let Some(vm_uid) = vm_uid {
            st.insert("sourceUID".into(), json!(vm_uid));
        }
        if let Some(c) = &content
            && let Some(cs) = c.get("status").filter(|s| s.is_object())
        {
            st.insert(
                "virtualMachineSnapshotContentName".into(),
                json!(name_of(c)),
            );
            copy_or_remove(st, "creationTime", cs.get("creationTime"));
            st.insert(
                "readyToUse".into(),
                cs.get("readyToUse").cloned().unwrap_or(json!(false)),
            );
            copy_or_remove(st, "error", cs.get("error"));
        }
        let created = st.get("creationTime").is_some_and(|v| !v.is_null());
        if created || was_succeeded {
            succeeded = true;
            st.insert("phase".into(), json!("Succeeded"));
            set_condition(st, "Progressing", false, "Operation complete", None);
            if let Some(c) = &content {
                snapshot_volumes(st, c, &content_volumes);
            }
        } else if let Some(p) = &progress {
            st.insert("phase".into(), json!("InProgress"));
            set_condition(st, "Progressing", p.locked, p.lock_msg, None);
            indications(st, p.online, p.paused, p.agent);
        }
        if st.get("readyToUse") == Some(&Value::Bool(true)) {
            set_condition(st, "Ready", true, "Ready", None);
        } else {
            set_condition(st, "Ready", false, "Not ready", None);
        }
        if st.get("error").is_some_and(|e| !e.is_null()) {
            set_condition(st, "Progressing", false, "In error state", None);
        }
    });
    succeeded
}

/// `timeUntilDeadline`: the failureDeadline counts from the snapshot's creationTimestamp, so
/// one created long before the controller saw it (a scenario's, or across a restart) fails
/// at once. Second-precision timestamps are allowed a tick of slack; in-process the time since
/// the controller first saw the snapshot bounds it from below.
fn deadline_exceeded(ctx: &mut Ctx, snap: &Value, key: Key) -> bool {
    let Some(deadline) = ctx.config.deadline(failure_deadline(snap)) else {
        return false;
    };
    let uid = uid_of(snap).to_string();
    let seen = ctx.since("snapshot-deadline", &uid).elapsed();
    let since_created = str_at(snap, "/metadata/creationTimestamp")
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(crate::clock::real_time_since)
        .unwrap_or_default();
    let age = seen.max(since_created);
    if age >= deadline {
        return true;
    }
    ctx.wake_after(deadline - age, key);
    false
}

fn copy_or_remove(st: &mut Map<String, Value>, key: &str, v: Option<&Value>) {
    match v.filter(|v| !v.is_null()) {
        Some(v) => {
            st.insert(key.into(), v.clone());
        }
        None => {
            st.remove(key);
        }
    }
}

fn write_status(ctx: &Ctx, ns: &str, name: &str, f: impl FnOnce(&mut Map<String, Value>)) {
    let _ = ctx.store.mutate(&gvr::snapshot(), Some(ns), name, |s| {
        f(ensure_obj(s, "status"))
    });
}

/// `updateSnapshotSourceIndications`: a sorted set, mirrored into sourceIndications.
fn indications(st: &mut Map<String, Value>, online: bool, paused: bool, agent: bool) {
    if !online {
        st.remove("indications");
        st.remove("sourceIndications");
        return;
    }
    let mut set: Vec<String> = st
        .get("indications")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut add = |s: &str| {
        if !set.iter().any(|x| x == s) {
            set.push(s.to_string());
        }
    };
    add("Online");
    if paused {
        add("Paused");
    } else if agent {
        add("GuestAgent");
        let frozen_too_long = st
            .get("error")
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .is_some_and(|m| m.contains(VSS_FREEZE_LIMIT));
        if frozen_too_long {
            add("QuiesceTimeout");
        }
    } else {
        add("NoGuestAgent");
    }
    set.sort();
    let sources: Vec<Value> = set
        .iter()
        .map(|i| json!({"indication": i, "message": indication_message(i)}))
        .collect();
    st.insert("indications".into(), json!(set));
    st.insert("sourceIndications".into(), json!(sources));
}

/// `updateSnapshotSnapshotableVolumes`: included = backed up, excluded = the rest of the
/// VM's volumes; PartialSnapshot when an excluded one could have been snapshotted.
fn snapshot_volumes(st: &mut Map<String, Value>, content: &Value, vm_volumes: &[Value]) {
    let backed: Vec<&str> = content
        .pointer("/spec/volumeBackups")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|b| str_at(b, "/volumeName")).collect())
        .unwrap_or_default();
    let (mut included, mut excluded, mut partial) = (vec![], vec![], false);
    for v in vm_volumes {
        let vname = str_at(v, "/name").unwrap_or("").to_string();
        if backed.contains(&vname.as_str()) {
            included.push(vname);
        } else {
            partial |= claim_of(v).is_some();
            excluded.push(vname);
        }
    }
    let mut lists = Map::new();
    if !included.is_empty() {
        lists.insert("includedVolumes".into(), json!(included));
    }
    if !excluded.is_empty() {
        lists.insert("excludedVolumes".into(), json!(excluded));
    }
    st.insert("snapshotVolumes".into(), Value::Object(lists));
    if partial {
        let has = |st: &Map<String, Value>, key: &str, field: Option<&str>| {
            st.get(key).and_then(Value::as_array).is_some_and(|a| {
                a.iter().any(|i| match field {
                    Some(f) => str_at(i, &format!("/{f}")) == Some("PartialSnapshot"),
                    None => i == "PartialSnapshot",
                })
            })
        };
        if !has(st, "sourceIndications", Some("indication")) {
            let list = st.entry("sourceIndications").or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(json!({"indication": "PartialSnapshot", "message": indication_message("PartialSnapshot")}));
            }
        }
        if !has(st, "indications", None) {
            let list = st.entry("indications").or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                a.push(json!("PartialSnapshot"));
            }
        }
    }
}

/// CDI's `IsPopulated`: a PVC controlled by a DataVolume is populated once the DataVolume
/// Succeeded; any other PVC is taken as populated.
fn populated(store: &crate::store::Store, pvc: &Value) -> bool {
    let owner = pvc
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|o| {
            o.iter()
                .find(|r| r.get("controller") == Some(&Value::Bool(true)))
        });
    match owner {
        Some(o) if str_at(o, "/kind") == Some("DataVolume") => store
            .get(
                &gvr::dv(),
                Some(super::ns_of(pvc)),
                str_at(o, "/name").unwrap_or(""),
            )
            .is_some_and(|dv| str_at(&dv, "/status/phase") == Some("Succeeded")),
        _ => true,
    }
}

/// Label KubeVirt puts on the PVC holding a VM's persistent TPM / EFI state.
const BACKEND_STORAGE_LABEL: &str = "persistent-state-for";

/// `backendstorage.IsBackendStorageNeeded` for a VM: a persistent TPM or persistent EFI
/// (changed block tracking, the third reason upstream, is not simulated).
pub(crate) fn needs_backend_storage(vm: &Value) -> bool {
    let domain = vm.pointer("/spec/template/spec/domain");
    let persistent = |p: &str| domain.and_then(|d| d.pointer(p)) == Some(&Value::Bool(true));
    persistent("/devices/tpm/persistent") || persistent("/firmware/bootloader/efi/persistent")
}

/// `getBackendPVCName`: the PVC labelled `persistent-state-for=<vm>`; of several, the newest
/// not being deleted.
fn backend_pvc(store: &crate::store::Store, ns: &str, vm_name: &str) -> Option<String> {
    let mut pvcs: Vec<Value> = store
        .list(&gvr::pvc(), Some(ns))
        .into_iter()
        .filter(|p| {
            str_at(p, &format!("/metadata/labels/{BACKEND_STORAGE_LABEL}")) == Some(vm_name)
        })
        .collect();
    if pvcs.len() > 1 {
        pvcs.retain(|p| !is_deleting(p));
        pvcs.sort_by(|a, b| {
            str_at(a, "/metadata/creationTimestamp").cmp(&str_at(b, "/metadata/creationTimestamp"))
        });
    }
    pvcs.last().map(|p| name_of(p).to_string())
}

/// `BackendPVCVolumeName`: library-go's `naming.GetName("persistent-state-for", vm, 63)`,
/// which shortens past 63 characters with an FNV-32a hash.
fn backend_volume_name(vm_name: &str) -> String {
    const MAX: usize = 63;
    let fnv = |s: &str| {
        let h = s.bytes().fold(0x811c_9dc5u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        format!("{h:08x}")
    };
    let base = BACKEND_STORAGE_LABEL;
    let name = format!("{base}-{vm_name}");
    if name.len() <= MAX {
        return name;
    }
    match (MAX - 10).checked_sub(vm_name.len()).filter(|n| *n > 0) {
        Some(keep) => format!("{}-{}-{vm_name}", &base[..keep], fnv(base)),
        None => format!("{base}-{}", fnv(&name)).chars().take(MAX).collect(),
    }
}

/// `GetVolumes(WithAllVolumes)`: the VM's volumes plus, when it needs backend storage, the
/// backend PVC as volume `persistent-state-for-<vm>`; and whether that PVC is missing.
pub(crate) fn volumes_with_backend(store: &crate::store::Store, vm: &Value) -> (Vec<Value>, bool) {
    let mut vols = volumes(vm);
    if !needs_backend_storage(vm) {
        return (vols, false);
    }
    let vm_name = name_of(vm);
    match backend_pvc(store, super::ns_of(vm), vm_name) {
        Some(claim) => {
            vols.push(json!({"name": backend_volume_name(vm_name),
                "persistentVolumeClaim": {"claimName": claim}}));
            (vols, false)
        }
        None => (vols, true),
    }
}

/// `Lock`: the backend-storage PVC found when the VM needs one (else wait silently), every
/// PVC present, bound, populated and not deleting, and no other snapshot in progress; then the
/// VM gets `status.snapshotInProgress` and the source finalizer. An offline VM whose claims
/// pods still use also waits upstream; the simulator has no pods, so that never happens here.
fn try_lock(ctx: &Ctx, vm: &Value, snap_name: &str) -> Result<(), String> {
    let (ns, vm_name) = (super::ns_of(vm), name_of(vm));
    let (vols, backend_missing) = volumes_with_backend(&ctx.store, vm);
    if backend_missing {
        return Err(String::new());
    }
    for v in vols {
        let Some(claim) = claim_of(&v) else { continue };
        let pvc = ctx.store.get(&gvr::pvc(), Some(ns), claim);
        let problem = match &pvc {
            None => Some("volume doesnt exist"),
            Some(p) if is_deleting(p) => Some("volume is being deleted"),
            Some(p) if str_at(p, "/status/phase") != Some("Bound") => Some("volume not bound"),
            Some(p) if !populated(&ctx.store, p) => Some("volume not populated"),
            Some(_) => None,
        };
        if let Some(p) = problem {
            return Err(format!(" source {ns}/{vm_name} {p}: {claim}"));
        }
    }
    if let Some(other) = str_at(vm, "/status/snapshotInProgress").filter(|o| *o != snap_name) {
        return Err(format!(" snapshot {other:?} in progress"));
    }
    ctx.store
        .mutate(&gvr::vm(), Some(ns), vm_name, |vm| {
            ensure_obj(vm, "status").insert("snapshotInProgress".into(), json!(snap_name));
            add_finalizer(vm, SOURCE_FINALIZER);
        })
        .map(|_| ())
        .map_err(|e| format!(" {}", e.message))
}

fn unlock(ctx: &Ctx, ns: &str, vm_name: &str, snap_name: &str) {
    let Some(vm) = ctx.store.get(&gvr::vm(), Some(ns), vm_name) else {
        return;
    };
    if str_at(&vm, "/status/snapshotInProgress") != Some(snap_name) {
        return;
    }
    if let Some(vmi) = ctx.store.get(&gvr::vmi(), Some(ns), vm_name)
        && str_at(&vmi, "/status/fsFreezeStatus") == Some("frozen")
    {
        set_frozen(ctx, ns, vm_name, false);
    }
    let _ = ctx.store.mutate(&gvr::vm(), Some(ns), vm_name, |vm| {
        remove_finalizer(vm, SOURCE_FINALIZER);
        if let Some(st) = vm.get_mut("status").and_then(Value::as_object_mut) {
            st.remove("snapshotInProgress");
        }
    });
}

/// `vmSnapshotSource.Spec`: the VM the content stores, never with a status. Offline, the
/// current spec; online, the spec in the ControllerRevision the VMI started from
/// (`vmi.status.virtualMachineRevisionName`) with the current volumes, disks and
/// dataVolumeTemplates. None while that revision cannot be read.
fn source_spec(store: &crate::store::Store, vm: &Value, online: bool) -> Option<Value> {
    let mut meta = vm.get("metadata").cloned().unwrap_or_else(|| json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
    }
    let current = vm.get("spec").cloned().unwrap_or_else(|| json!({}));
    let spec = if online {
        let ns = super::ns_of(vm);
        let vmi = store.get(&gvr::vmi(), Some(ns), name_of(vm))?;
        let revision = str_at(&vmi, "/status/virtualMachineRevisionName")?;
        let cr = store.get(&gvr::controller_revision(), Some(ns), revision)?;
        let mut spec = cr.pointer("/data/spec").cloned()?;
        for ptr in [
            "/template/spec/volumes",
            "/template/spec/domain/devices/disks",
            "/dataVolumeTemplates",
        ] {
            set_pointer(&mut spec, ptr, current.pointer(ptr).cloned());
        }
        spec
    } else {
        current
    };
    Some(json!({"metadata": meta, "spec": spec, "status": {}}))
}

/// Sets (or, with None, removes) the value at a JSON pointer, creating objects on the way.
fn set_pointer(root: &mut Value, ptr: &str, value: Option<Value>) {
    let mut parts: Vec<&str> = ptr.split('/').skip(1).collect();
    let Some(last) = parts.pop() else { return };
    let mut cur = root;
    for p in parts {
        if !cur.get(p).is_some_and(Value::is_object) {
            if value.is_none() {
                return;
            }
            if let Some(m) = cur.as_object_mut() {
                m.insert(p.to_string(), json!({}));
            }
        }
        match cur.get_mut(p) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(m) = cur.as_object_mut() {
        match value {
            Some(v) => {
                m.insert(last.to_string(), v);
            }
            None => {
                m.remove(last);
            }
        }
    }
}

/// `createContent` plus the content controller's VolumeSnapshot creation.
fn create_content(ctx: &Ctx, snap: &Value, vm: &Value, online: bool) {
    let (ns, name, uid) = (super::ns_of(snap), name_of(snap), uid_of(snap));
    let mut backups = Vec::new();
    let mut to_create = Vec::new();
    for v in volumes_with_backend(&ctx.store, vm).0 {
        let Some(claim) = claim_of(&v) else { continue };
        let vname = str_at(&v, "/name").unwrap_or("");
        let Some(pvc) = ctx.store.get(&gvr::pvc(), Some(ns), claim) else {
            continue;
        };
        if str_at(&pvc, "/status/phase") != Some("Bound") {
            continue;
        }
        let Some(sc) = str_at(&pvc, "/spec/storageClassName") else {
            continue;
        };
        let Ok(Some(class)) = volume_snapshot_class_for(&ctx.store, sc) else {
            continue;
        };
        let vs_name = format!("vmsnapshot-{uid}-volume-{vname}");
        let mut meta = pvc.get("metadata").cloned().unwrap_or_else(|| json!({}));
        if let Some(m) = meta.as_object_mut() {
            m.remove("managedFields");
        }
        backups.push(json!({
            "volumeName": vname,
            "persistentVolumeClaim": {"metadata": meta, "spec": pvc.get("spec").cloned().unwrap_or_else(|| json!({}))},
            "volumeSnapshotName": vs_name,
        }));
        to_create.push((vs_name, claim.to_string(), class));
    }
    let Some(source_vm) = source_spec(&ctx.store, vm, online) else {
        // The VM revision the VMI started from is not there (yet): upstream errors and retries.
        return;
    };
    let content = json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshotContent",
        "metadata": {"name": content_name(snap), "namespace": ns, "finalizers": [CONTENT_FINALIZER]},
        "spec": {
            "virtualMachineSnapshotName": name,
            "source": {"virtualMachine": source_vm},
            "volumeBackups": backups,
        },
    });
    let Ok(content) = ctx.store.create(&gvr::content(), content) else {
        return;
    };
    ctx.record_event(
        snap,
        "SuccessfulVirtualMachineSnapshotContentCreate",
        &format!(
            "Successfully created VirtualMachineSnapshotContent {}",
            name_of(&content)
        ),
    );
    for (vs_name, claim, class) in to_create {
        let vs = json!({
            "apiVersion": "snapshot.storage.k8s.io/v1",
            "kind": "VolumeSnapshot",
            "metadata": {
                "name": vs_name, "namespace": ns,
                "labels": {"snapshot.kubevirt.io/source-vm-name": name_of(vm), "snapshot.kubevirt.io/source-vm-namespace": ns},
                "ownerReferences": [owner_ref(&content, "snapshot.kubevirt.io/v1beta1", "VirtualMachineSnapshotContent")],
            },
            "spec": {"source": {"persistentVolumeClaimName": claim}, "volumeSnapshotClassName": class},
            "status": {"readyToUse": false},
        });
        if let Ok(vs) = ctx.store.create(&gvr::vs(), vs) {
            ctx.record_event(
                &content,
                "SuccessfulVolumeSnapshotCreate",
                &format!("Successfully created VolumeSnapshot {vs_name}"),
            );
            // The CSI snapshot-controller, once it made the VolumeSnapshotContent.
            ctx.record_event(
                &vs,
                "CreatingSnapshot",
                &format!("Waiting for a snapshot {ns}/{vs_name} to be created by the CSI driver."),
            );
        }
    }
}

/// Moves an uncreated content on as scripted: completes its VolumeSnapshots, or reports the
/// scripted error, or fails the snapshot.
fn progress_content(ctx: &mut Ctx, snap: &Value, content: &Value, vm_name: &str, key: Key) {
    let (ns, name, uid) = (
        super::ns_of(snap).to_string(),
        name_of(snap).to_string(),
        uid_of(snap).to_string(),
    );
    let script = ctx
        .config
        .snapshots
        .find(&ns, &[&name, vm_name])
        .cloned()
        .unwrap_or_default();
    if script.outcome == Outcome::Stuck {
        return;
    }
    let after = script.after.unwrap_or(ctx.config.snapshots.duration).0;
    let wait = ctx.config.scaled(after);
    if !ctx.elapsed("snapshot-work", &uid, wait, key) {
        return;
    }
    let now = crate::store::now_rfc3339();
    let cname = name_of(content).to_string();
    match script.outcome {
        Outcome::Failed | Outcome::Error => {
            let message = script
                .message
                .clone()
                .unwrap_or_else(|| "snapshot failed".into());
            // Like shouldUpdateError: the same error is not rewritten (its time would churn).
            if str_at(content, "/status/error/message") != Some(message.as_str()) {
                let _ = ctx.store.mutate(&gvr::content(), Some(&ns), &cname, |c| {
                    let st = ensure_obj(c, "status");
                    st.insert("readyToUse".into(), json!(false));
                    st.insert("error".into(), json!({"message": message, "time": now}));
                });
            }
            if script.outcome == Outcome::Failed {
                fail(ctx, snap, vm_name, DEADLINE_EXCEEDED, Some(&message));
            }
        }
        Outcome::QuiesceTimeout if content.pointer("/status/error").is_none_or(Value::is_null) => {
            let message = format!(
                "virError(Code=1, Domain=10, Message='internal error: unable to execute QEMU agent command 'guest-fsfreeze-freeze': {VSS_FREEZE_LIMIT} up to 10 seconds')"
            );
            let _ = ctx.store.mutate(&gvr::content(), Some(&ns), &cname, |c| {
                let st = ensure_obj(c, "status");
                st.insert("readyToUse".into(), json!(false));
                st.insert("error".into(), json!({"message": message, "time": now}));
            });
        }
        Outcome::Unready => {
            cut_volume_snapshots(ctx, &ns, content, false);
            update_content(ctx, &ns, content);
        }
        _ => {
            cut_volume_snapshots(ctx, &ns, content, true);
            update_content(ctx, &ns, content);
        }
    }
}

/// The CSI driver cuts every VolumeSnapshot of the content (its creationTime), and marks it
/// readyToUse when `ready` (a backend still uploading leaves it unready).
fn cut_volume_snapshots(ctx: &Ctx, ns: &str, content: &Value, ready: bool) {
    let now = crate::store::now_rfc3339();
    for b in content
        .pointer("/spec/volumeBackups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let Some(vs_name) = str_at(&b, "/volumeSnapshotName") else {
            continue;
        };
        let Some(vs) = ctx.store.get(&gvr::vs(), Some(ns), vs_name) else {
            continue;
        };
        let size = b
            .pointer("/persistentVolumeClaim/metadata/name")
            .and_then(Value::as_str)
            .and_then(|claim| ctx.store.get(&gvr::pvc(), Some(ns), claim))
            .and_then(|pvc| {
                str_at(&pvc, "/status/capacity/storage")
                    .or_else(|| str_at(&pvc, "/spec/resources/requests/storage"))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "1Gi".into());
        let class_name = str_at(&vs, "/spec/volumeSnapshotClassName")
            .unwrap_or("")
            .to_string();
        let class = ctx.store.get(&gvr::vs_class(), None, &class_name);
        let csi_name = format!("snapcontent-{}", uid_of(&vs));
        let handle = format!(
            "0001-0011-openshift-storage-0000000000000001-{}",
            uid_of(&vs)
        );
        let csi = json!({
            "apiVersion": "snapshot.storage.k8s.io/v1",
            "kind": "VolumeSnapshotContent",
            "metadata": {"name": csi_name, "finalizers": ["snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection"]},
            "spec": {
                "deletionPolicy": class.as_ref().and_then(|c| str_at(c, "/deletionPolicy")).unwrap_or("Delete"),
                "driver": class.as_ref().and_then(|c| str_at(c, "/driver")).unwrap_or("unknown.csi.k8s.io"),
                "source": {"volumeHandle": format!("0001-0011-openshift-storage-0000000000000001-{}", uid_of(&b["persistentVolumeClaim"]))},
                "sourceVolumeMode": b.pointer("/persistentVolumeClaim/spec/volumeMode").cloned().unwrap_or(json!("Filesystem")),
                "volumeSnapshotClassName": class_name,
                "volumeSnapshotRef": {"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
                    "name": vs_name, "namespace": ns, "uid": uid_of(&vs)},
            },
            "status": {
                "creationTime": jiff::Timestamp::now().as_nanosecond() as i64,
                "readyToUse": ready,
                "restoreSize": quantity_bytes(&size),
                "snapshotHandle": handle,
            },
        });
        let _ = ctx.store.create(&gvr::vs_content(), csi);
        let was_created = vs
            .pointer("/status/creationTime")
            .is_some_and(|t| !t.is_null());
        let was_ready = vs.pointer("/status/readyToUse") == Some(&json!(true));
        let _ = ctx.store.mutate(&gvr::vs(), Some(ns), vs_name, |vs| {
            let st = ensure_obj(vs, "status");
            st.insert("boundVolumeSnapshotContentName".into(), json!(csi_name));
            st.insert("creationTime".into(), json!(now));
            st.insert("readyToUse".into(), json!(ready));
            st.insert("restoreSize".into(), json!(size));
        });
        // The CSI snapshot-controller's events on the transitions (`updateSnapshotStatus`).
        if !was_created {
            ctx.record_event(
                &vs,
                "SnapshotCreated",
                &format!("Snapshot {ns}/{vs_name} was successfully created by the CSI driver."),
            );
        }
        if ready && !was_ready {
            ctx.record_event(
                &vs,
                "SnapshotReady",
                &format!("Snapshot {ns}/{vs_name} is ready to use."),
            );
        }
    }
}

/// `updateVMSnapshotContent` after the VolumeSnapshots exist: created once every one has a
/// creationTime (then the guest is thawed), ready once every one is readyToUse; a
/// VolumeSnapshot deleted after creation makes the content "VolumeSnapshots (x) missing" and
/// unready for good.
fn update_content(ctx: &Ctx, ns: &str, content: &Value) {
    let created_before = content
        .pointer("/status/creationTime")
        .is_some_and(|t| !t.is_null());
    let (mut statuses, mut missing) = (Vec::new(), Vec::new());
    for b in content
        .pointer("/spec/volumeBackups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(vs_name) = str_at(b, "/volumeSnapshotName") else {
            continue;
        };
        let Some(vs) = ctx.store.get(&gvr::vs(), Some(ns), vs_name) else {
            if created_before {
                missing.push(vs_name.to_string());
                ctx.record_event(
                    content,
                    "VolumeSnapshotMissing",
                    &format!("VolumeSnapshot {vs_name} no longer exists"),
                );
            }
            continue;
        };
        let mut st = json!({"volumeSnapshotName": vs_name});
        for (from, to) in [
            ("/status/readyToUse", "readyToUse"),
            ("/status/creationTime", "creationTime"),
        ] {
            if let Some(v) = vs.pointer(from).filter(|v| !v.is_null()) {
                st[to] = v.clone();
            }
        }
        if let Some(m) = vs.pointer("/status/error/message").and_then(Value::as_str) {
            st["error"] = json!({"message": m});
        }
        statuses.push(st);
    }
    let (mut created, mut ready, mut error) = (true, true, String::new());
    if !missing.is_empty() {
        (created, ready) = (false, false);
        error = format!("VolumeSnapshots ({}) missing", missing.join(","));
    } else {
        for st in &statuses {
            created &= st.get("creationTime").is_some();
            ready &= st.get("readyToUse") == Some(&Value::Bool(true));
            if let Some(m) = str_at(st, "/error/message") {
                error = format!(
                    "VolumeSnapshot {} error: {m}",
                    str_at(st, "/volumeSnapshotName").unwrap_or("")
                );
                break;
            }
        }
    }
    if created && !created_before {
        let vm_name = str_at(content, "/spec/source/virtualMachine/metadata/name").unwrap_or("");
        if let Some(vmi) = ctx.store.get(&gvr::vmi(), Some(ns), vm_name)
            && str_at(&vmi, "/status/fsFreezeStatus") == Some("frozen")
        {
            set_frozen(ctx, ns, vm_name, false);
        }
    }
    let now = crate::store::now_rfc3339();
    let _ = ctx
        .store
        .mutate(&gvr::content(), Some(ns), name_of(content), |c| {
            let st = ensure_obj(c, "status");
            if created && !created_before {
                st.insert("creationTime".into(), json!(now));
            }
            if !error.is_empty() && !ready {
                // shouldUpdateError: the same error is not rewritten (its time would churn).
                if str_at(&Value::Object(st.clone()), "/error/message") != Some(error.as_str()) {
                    st.insert("error".into(), json!({"message": error, "time": now}));
                }
            } else if error.is_empty() {
                st.remove("error");
            }
            st.insert("readyToUse".into(), json!(ready));
            if statuses.is_empty() {
                st.remove("volumeSnapshotStatus");
            } else {
                st.insert("volumeSnapshotStatus".into(), json!(statuses));
            }
        });
}

/// Terminal failure: phase Failed, the Failure condition, and (like a terminating snapshot)
/// the unready content and its VolumeSnapshots removed, the source thawed and unlocked.
fn fail(ctx: &mut Ctx, snap: &Value, vm_name: &str, reason: &str, error: Option<&str>) {
    let (ns, name) = (super::ns_of(snap).to_string(), name_of(snap).to_string());
    let now = crate::store::now_rfc3339();
    write_status(ctx, &ns, &name, |st| {
        st.insert("phase".into(), json!("Failed"));
        st.insert("readyToUse".into(), json!(false));
        if let Some(e) = error {
            st.insert("error".into(), json!({"message": e, "time": now}));
        }
        set_condition(st, "Failure", true, reason, None);
        set_condition(st, "Progressing", false, "Operation failed", None);
        set_condition(st, "Ready", false, "Not ready", None);
    });
    remove_content(ctx, &ns, &content_name(snap), true);
    unlock(ctx, &ns, vm_name, &name);
    ctx.forget("snapshot-deadline", uid_of(snap));
    ctx.forget("snapshot-work", uid_of(snap));
}

/// Drops the content's finalizer and, when asked, deletes it (its VolumeSnapshots go with
/// it through their owner references).
fn remove_content(ctx: &Ctx, ns: &str, content: &str, delete: bool) {
    if ctx.store.get(&gvr::content(), Some(ns), content).is_none() {
        return;
    }
    let updated = ctx.store.mutate(&gvr::content(), Some(ns), content, |c| {
        remove_finalizer(c, CONTENT_FINALIZER)
    });
    if delete {
        let _ = ctx.store.delete(&gvr::content(), Some(ns), content);
        // Owner references take the VolumeSnapshots along; scenario-made ones may have none.
        let backups = updated
            .ok()
            .and_then(|c| c.pointer("/spec/volumeBackups").cloned())
            .unwrap_or(Value::Null);
        for b in backups.as_array().into_iter().flatten() {
            if let Some(vs) = str_at(b, "/volumeSnapshotName") {
                let _ = ctx.store.delete(&gvr::vs(), Some(ns), vs);
            }
        }
    }
}

/// A snapshot being deleted: unlock and thaw the source, delete the content unless it is
/// ready and retained, then let the snapshot go.
fn delete(ctx: &mut Ctx, snap: &Value, vm_name: &str) {
    let (ns, name) = (super::ns_of(snap).to_string(), name_of(snap).to_string());
    unlock(ctx, &ns, vm_name, &name);
    let cname = content_name(snap);
    if let Some(content) = ctx.store.get(&gvr::content(), Some(&ns), &cname) {
        let retain = str_at(snap, "/spec/deletionPolicy") == Some("Retain")
            && content.pointer("/status/readyToUse") == Some(&Value::Bool(true));
        remove_content(ctx, &ns, &cname, !retain);
    }
    if !matches!(str_at(snap, "/status/phase"), Some("Succeeded" | "Failed")) {
        write_status(ctx, &ns, &name, |st| {
            st.insert("phase".into(), json!("Deleting"));
            set_condition(st, "Progressing", false, "VM snapshot is deleting", None);
        });
    }
    let _ = ctx.store.mutate(&gvr::snapshot(), Some(&ns), &name, |s| {
        remove_finalizer(s, FINALIZER)
    });
    ctx.forget("snapshot-deadline", uid_of(snap));
    ctx.forget("snapshot-work", uid_of(snap));
}

/// The CSI snapshotter's side: a VolumeSnapshotContent whose VolumeSnapshot is gone is
/// deleted when its deletionPolicy is Delete (and released when Retain).
pub(crate) fn collect_csi_content(ctx: &mut Ctx, name: &str) {
    let Some(csi) = ctx.store.get(&gvr::vs_content(), None, name) else {
        return;
    };
    let vs_ns = str_at(&csi, "/spec/volumeSnapshotRef/namespace").unwrap_or("");
    let vs_name = str_at(&csi, "/spec/volumeSnapshotRef/name").unwrap_or("");
    let vs_uid = str_at(&csi, "/spec/volumeSnapshotRef/uid").unwrap_or("");
    let alive = ctx
        .store
        .get(&gvr::vs(), Some(vs_ns), vs_name)
        .is_some_and(|vs| vs_uid.is_empty() || uid_of(&vs) == vs_uid);
    if alive {
        return;
    }
    let _ = ctx.store.mutate(&gvr::vs_content(), None, name, |c| {
        if let Some(a) = c
            .pointer_mut("/metadata/finalizers")
            .and_then(Value::as_array_mut)
        {
            a.clear();
        }
    });
    if str_at(&csi, "/spec/deletionPolicy") != Some("Retain") {
        let _ = ctx.store.delete(&gvr::vs_content(), None, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_volume_name_shortens_past_63_characters_like_library_go() {
        assert_eq!(backend_volume_name("vault"), "persistent-state-for-vault");
        let long = "a".repeat(45);
        assert_eq!(
            backend_volume_name(&long),
            format!("persiste-e807c95a-{long}")
        );
        assert_eq!(
            backend_volume_name(&"b".repeat(60)),
            "persistent-state-for-ae93f555"
        );
    }
}
