//! The VM controller: runStrategy → VMI, printableStatus transitions, conditions, and
//! `status.volumeSnapshotStatuses` computed the way KubeVirt's snapshot controller does.

use serde_json::{Map, Value, json};

use super::{
    Ctx, Key, VmScript, condition, condition_true, ensure_obj, gvr, is_deleting, name_of,
    owner_ref, remove_finalizer, set_condition, str_at, uid_of,
};
use crate::store::Store;

/// The finalizer virt-controller puts on every VM.
const VM_FINALIZER: &str = "kubevirt.io/virtualMachineControllerFinalize";

/// The VM's wish: Some(true) run, Some(false) stop, None leave as is (Manual).
pub(crate) fn desired_running(vm: &Value) -> Option<bool> {
    match str_at(vm, "/spec/runStrategy") {
        Some("Always" | "RerunOnFailure" | "Once") => Some(true),
        Some("Halted") => Some(false),
        Some(_) => None,
        None => Some(
            vm.pointer("/spec/running")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
    }
}

pub(crate) fn volumes(vm: &Value) -> Vec<Value> {
    vm.pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The claim behind a volume KubeVirt can snapshot: PVC, DataVolume or memory dump.
pub(crate) fn claim_of(volume: &Value) -> Option<&str> {
    str_at(volume, "/persistentVolumeClaim/claimName")
        .or_else(|| str_at(volume, "/dataVolume/name"))
        .or_else(|| str_at(volume, "/memoryDump/claimName"))
}

fn snapshottable(volume: &Value) -> bool {
    ["persistentVolumeClaim", "dataVolume", "memoryDump"]
        .iter()
        .any(|k| volume.get(*k).is_some_and(|v| !v.is_null()))
}

fn storage_class_of_pvc(store: &Store, ns: &str, claim: &str) -> Result<String, String> {
    let pvc = store
        .get(&gvr::pvc(), Some(ns), claim)
        .ok_or("PVC not found")?;
    Ok(str_at(&pvc, "/spec/storageClassName")
        .unwrap_or("")
        .to_string())
}

/// `getVolumeStorageClass`: PVC → its class; DataVolume → DV spec.pvc, the owning VM's
/// dataVolumeTemplate, then the PVC of the same name.
pub(crate) fn volume_storage_class(
    store: &Store,
    ns: &str,
    volume: &Value,
) -> Result<String, String> {
    if let Some(claim) = str_at(volume, "/persistentVolumeClaim/claimName")
        .or_else(|| str_at(volume, "/memoryDump/claimName"))
    {
        return storage_class_of_pvc(store, ns, claim);
    }
    if let Some(dv_name) = str_at(volume, "/dataVolume/name") {
        let Some(dv) = store.get(&gvr::dv(), Some(ns), dv_name) else {
            return storage_class_of_pvc(store, ns, dv_name);
        };
        if let Some(sc) = str_at(&dv, "/spec/pvc/storageClassName").filter(|s| !s.is_empty()) {
            return Ok(sc.to_string());
        }
        let owners = dv
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for owner in owners
            .iter()
            .filter(|o| str_at(o, "/kind") == Some("VirtualMachine"))
        {
            let Some(vm) = store.get(&gvr::vm(), Some(ns), str_at(owner, "/name").unwrap_or(""))
            else {
                continue;
            };
            let templates = vm
                .pointer("/spec/dataVolumeTemplates")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(sc) = templates
                .iter()
                .find(|t| str_at(t, "/metadata/name") == Some(dv_name))
                .and_then(|t| str_at(t, "/spec/pvc/storageClassName"))
            {
                return Ok(sc.to_string());
            }
        }
        return storage_class_of_pvc(store, ns, dv_name);
    }
    Err("volume type has no StorageClass defined".into())
}

/// `getVolumeSnapshotClassName`: the StorageProfile's snapshotClass (if it exists), else the
/// one VolumeSnapshotClass of the provisioner, else the default-annotated one among several.
pub(crate) fn volume_snapshot_class_for(
    store: &Store,
    storage_class: &str,
) -> Result<Option<String>, String> {
    let Some(sc) = store.get(&gvr::storage_class(), None, storage_class) else {
        return Ok(None);
    };
    if let Some(profile) = store.get(&gvr::storage_profile(), None, storage_class)
        && let Some(class) = str_at(&profile, "/status/snapshotClass").filter(|s| !s.is_empty())
    {
        return Ok(store
            .get(&gvr::vs_class(), None, class)
            .map(|_| class.to_string()));
    }
    let provisioner = str_at(&sc, "/provisioner").unwrap_or("");
    let matches: Vec<Value> = store
        .list(&gvr::vs_class(), None)
        .into_iter()
        .filter(|c| str_at(c, "/driver") == Some(provisioner))
        .collect();
    match matches.len() {
        0 => Ok(None),
        1 => Ok(Some(name_of(&matches[0]).to_string())),
        n => matches
            .iter()
            .find(|c| {
                c.pointer("/metadata/annotations")
                    .and_then(Value::as_object)
                    .is_some_and(|a| {
                        a.contains_key("snapshot.storage.kubernetes.io/is-default-class")
                    })
            })
            .map(|c| Some(name_of(c).to_string()))
            .ok_or_else(|| format!("{n} matching VolumeSnapshotClasses for {storage_class}")),
    }
}

/// One `status.volumeSnapshotStatuses[]` entry, with KubeVirt's reasons.
pub(crate) fn volume_snapshot_status(store: &Store, ns: &str, volume: &Value) -> Value {
    let name = str_at(volume, "/name").unwrap_or("");
    let disabled = |reason: String| json!({"name": name, "enabled": false, "reason": reason});
    if !snapshottable(volume) {
        return disabled(format!(
            "Snapshot is not supported for this volumeSource type [{name}]"
        ));
    }
    let sc = match volume_storage_class(store, ns, volume) {
        Ok(sc) => sc,
        Err(e) => return disabled(e),
    };
    match volume_snapshot_class_for(store, &sc) {
        Err(e) => disabled(e),
        Ok(None) => disabled(format!(
            "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [{sc}] [{name}]"
        )),
        Ok(Some(_)) => json!({"name": name, "enabled": true}),
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// What the guest agent reports, from the script's `os`, else the VM's `vm.kubevirt.io/os`
/// annotation (set by OpenShift templates), else Fedora.
fn guest_os_info(vm: &Value, script: &VmScript) -> Value {
    let os = script
        .os
        .clone()
        .or_else(|| str_at(vm, "/metadata/annotations/vm.kubevirt.io~1os").map(str::to_string))
        .or_else(|| {
            str_at(vm, "/spec/template/metadata/annotations/vm.kubevirt.io~1os").map(str::to_string)
        })
        .unwrap_or_else(|| "linux".into())
        .to_lowercase();
    let (id, name, pretty, version, kernel) = if os.starts_with("win") {
        (
            "mswindows",
            "Microsoft Windows",
            "Windows Server 2022 Standard",
            "2022",
            "20348",
        )
    } else if os.starts_with("rhel") {
        (
            "rhel",
            "Red Hat Enterprise Linux",
            "Red Hat Enterprise Linux 9.4 (Plow)",
            "9.4",
            "5.14.0-427.13.1.el9_4.x86_64",
        )
    } else if os.starts_with("centos") {
        (
            "centos",
            "CentOS Stream",
            "CentOS Stream 9",
            "9",
            "5.14.0-452.el9.x86_64",
        )
    } else if os.starts_with("ubuntu") {
        (
            "ubuntu",
            "Ubuntu",
            "Ubuntu 22.04.4 LTS",
            "22.04",
            "5.15.0-105-generic",
        )
    } else {
        (
            "fedora",
            "Fedora Linux",
            "Fedora Linux 40 (Cloud Edition)",
            "40",
            "6.8.5-301.fc40.x86_64",
        )
    };
    let mut info = json!({"id": id, "name": name, "prettyName": pretty, "version": version, "versionId": version,
        "kernelRelease": kernel, "machine": "x86_64"});
    if id == "mswindows" {
        // What qemu-ga reports on Windows.
        info["version"] = json!("Microsoft Windows Server 2022");
        info["kernelVersion"] = json!("10.0");
    }
    info
}

/// When a VM the scenario declares running was started: a few hours to days ago (stable per
/// VM), never before the VM was created.
fn started_a_while_ago(vm: &Value) -> String {
    let now = jiff::Timestamp::now();
    let ago = jiff::SignedDuration::from_secs(
        3600 + (hash(&format!("{}/{}", super::ns_of(vm), name_of(vm))) % (5 * 24 * 3600)) as i64,
    );
    let mut started = now.checked_sub(ago).unwrap_or(now);
    if let Some(created) =
        str_at(vm, "/metadata/creationTimestamp").and_then(|t| t.parse::<jiff::Timestamp>().ok())
        && created > started
    {
        started = created;
    }
    jiff::Timestamp::from_second(started.as_second())
        .unwrap_or(started)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn is_hotpluggable(volume: &Value) -> bool {
    volume.pointer("/persistentVolumeClaim/hotpluggable") == Some(&Value::Bool(true))
        || volume.pointer("/dataVolume/hotpluggable") == Some(&Value::Bool(true))
}

/// The VMI a running VM has: the template spec plus hot-plugged volumes, with the status
/// virt-handler and the guest agent would report.
fn build_vmi(store: &Store, vm: &Value, script: &VmScript) -> Value {
    let (ns, name) = (super::ns_of(vm), name_of(vm));
    let h = hash(&format!("{ns}/{name}"));
    let node = format!("worker-{}", h % 3);
    let mut spec = vm
        .pointer("/spec/template/spec")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut hotplugged: Vec<String> = volumes(vm)
        .iter()
        .filter(|v| is_hotpluggable(v))
        .filter_map(|v| str_at(v, "/name").map(str::to_string))
        .collect();
    for hp in &script.hotplug_volumes {
        let source = match (&hp.persistent_volume_claim, &hp.data_volume) {
            (_, Some(dv)) => {
                json!({"name": hp.name, "dataVolume": {"name": dv, "hotpluggable": true}})
            }
            (Some(pvc), _) => {
                json!({"name": hp.name, "persistentVolumeClaim": {"claimName": pvc, "hotpluggable": true}})
            }
            (None, None) => {
                json!({"name": hp.name, "persistentVolumeClaim": {"claimName": hp.name, "hotpluggable": true}})
            }
        };
        if let Some(vols) = spec.pointer_mut("/volumes").and_then(Value::as_array_mut) {
            vols.push(source);
        }
        if let Some(disks) = spec
            .pointer_mut("/domain/devices/disks")
            .and_then(Value::as_array_mut)
        {
            disks.push(json!({"name": hp.name, "disk": {"bus": "scsi"}}));
        }
        hotplugged.push(hp.name.clone());
    }
    let mut volume_status = Vec::new();
    let vols = spec
        .pointer("/volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, v) in vols.iter().enumerate() {
        let vname = str_at(v, "/name").unwrap_or("");
        let hot = hotplugged.iter().any(|h| h == vname);
        let target = if hot {
            format!("sd{}", (b'a' + (i as u8 % 26)) as char)
        } else {
            format!("vd{}", (b'a' + (i as u8 % 26)) as char)
        };
        let mut st = json!({"name": vname, "target": target});
        if let Some(claim) = claim_of(v)
            && let Some(pvc) = store.get(&gvr::pvc(), Some(ns), claim)
        {
            st["persistentVolumeClaimInfo"] = json!({
                "claimName": claim,
                "accessModes": pvc.pointer("/spec/accessModes").cloned().unwrap_or(json!(["ReadWriteMany"])),
                "capacity": pvc.pointer("/status/capacity").cloned().unwrap_or(json!({})),
                "requests": pvc.pointer("/spec/resources/requests").cloned().unwrap_or(json!({})),
                "volumeMode": pvc.pointer("/spec/volumeMode").cloned().unwrap_or(json!("Filesystem")),
            });
        }
        if hot {
            st["phase"] = json!("Ready");
            st["reason"] = json!("VolumeReady");
            st["message"] = json!(format!(
                "Successfully attach hotplugged volume {vname} to VM"
            ));
            st["hotplugVolume"] = json!({"attachPodName": format!("hp-volume-{:05x}", (h >> 8) & 0xfffff),
                "attachPodUID": format!("{:08x}-0000-4000-8000-{:012x}", h >> 32, h & 0xffff_ffff_ffff)});
        }
        volume_status.push(st);
    }
    let now = crate::store::now_rfc3339();
    let mut conditions = vec![
        json!({"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}),
        json!({"type": "LiveMigratable", "status": "True", "lastProbeTime": null, "lastTransitionTime": null}),
    ];
    if script.guest_agent {
        conditions.push(json!({"type": "AgentConnected", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}));
    }
    if script.paused {
        conditions.push(
            json!({"type": "Paused", "status": "True", "reason": "PausedByUser",
            "message": "VMI was paused by user", "lastProbeTime": null, "lastTransitionTime": now}),
        );
    }
    let mut labels = vm
        .pointer("/spec/template/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(l) = labels.as_object_mut() {
        l.insert("kubevirt.io/nodeName".into(), json!(node));
    }
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstance",
        "metadata": {
            "name": name, "namespace": ns, "labels": labels,
            "annotations": vm.pointer("/spec/template/metadata/annotations").cloned().unwrap_or_else(|| json!({})),
            "ownerReferences": [owner_ref(vm, "kubevirt.io/v1", "VirtualMachine")],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "nodeName": node,
            "qosClass": "Burstable",
            "migrationMethod": "BlockMigration",
            "launcherContainerImageVersion": "registry.redhat.io/container-native-virtualization/virt-launcher-rhel9:v4.16.0",
            "guestOSInfo": if script.guest_agent { guest_os_info(vm, script) } else { json!({}) },
            "interfaces": [{"name": "default", "interfaceName": "eth0", "ipAddress": format!("10.128.{}.{}", 2 + h % 3, 10 + (h >> 8) % 200),
                "ipAddresses": [format!("10.128.{}.{}", 2 + h % 3, 10 + (h >> 8) % 200)], "infoSource": "domain, guest-agent",
                "mac": format!("02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", (h >> 8) & 0xff, (h >> 16) & 0xff, (h >> 24) & 0xff, (h >> 32) & 0xff, (h >> 40) & 0xff),
                "queueCount": 1}],
            "conditions": conditions,
            "volumeStatus": volume_status,
            "virtualMachineRevisionName": format!("revision-start-vm-{}-{}", uid_of(vm), vm.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1)),
            "phaseTransitionTimestamps": [
                {"phase": "Pending", "phaseTransitionTimestamp": now},
                {"phase": "Scheduling", "phaseTransitionTimestamp": now},
                {"phase": "Scheduled", "phaseTransitionTimestamp": now},
                {"phase": "Running", "phaseTransitionTimestamp": now},
            ],
        },
    })
}

/// `createVMRevision`: the VM's spec when its VMI starts, as ControllerRevision
/// `revision-start-vm-<uid>-<generation>` (the name the VMI's status points at).
fn create_start_revision(store: &Store, vm: &Value) {
    let generation = vm
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let name = format!("revision-start-vm-{}-{generation}", uid_of(vm));
    let revision = json!({
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": super::ns_of(vm),
            "ownerReferences": [owner_ref(vm, "kubevirt.io/v1", "VirtualMachine")]},
        "data": {"spec": vm.get("spec").cloned().unwrap_or_else(|| json!({}))},
        "revision": generation,
    });
    let _ = store.create(&gvr::controller_revision(), revision);
}

/// Reconciles one VM: starts/stops its VMI after the scripted delays and keeps its status
/// (printableStatus, ready, created, conditions, volumeSnapshotStatuses) up to date.
pub(crate) fn reconcile(ctx: &mut Ctx, ns: &str, name: &str) {
    let store = ctx.store.clone();
    let Some(vm) = store.get(&gvr::vm(), Some(ns), name) else {
        return;
    };
    let uid = uid_of(&vm).to_string();
    let key = Key::Vm(ns.to_string(), name.to_string());
    let script = ctx.config.vms.script(ns, name);
    let mut vmi = store.get(&gvr::vmi(), Some(ns), name);
    let printable = str_at(&vm, "/status/printableStatus")
        .unwrap_or("")
        .to_string();
    let restoring = vm
        .pointer("/status/restoreInProgress")
        .is_some_and(Value::is_string);
    let deleting = is_deleting(&vm);
    let desired = if deleting {
        Some(false)
    } else {
        desired_running(&vm)
    };

    let phase: String = match (desired, vmi.is_some()) {
        (Some(true), false) if !restoring => {
            let declared_running = printable == "Running" && !ctx.has_since("start", &uid);
            if declared_running {
                // A scenario VM that says it runs: its VMI appears at once.
                let mut new = build_vmi(&store, &vm, &script);
                if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.insert("creationTimestamp".into(), json!(started_a_while_ago(&vm)));
                }
                vmi = store.create(&gvr::vmi(), new).ok();
                create_start_revision(&store, &vm);
                "Running".into()
            } else if printable != "Starting" {
                ctx.forget("start", &uid);
                ctx.since("start", &uid);
                "Starting".into()
            } else if ctx.elapsed(
                "start",
                &uid,
                ctx.config.scaled(ctx.config.vms.start_delay.0),
                key.clone(),
            ) {
                vmi = store
                    .create(&gvr::vmi(), build_vmi(&store, &vm, &script))
                    .ok();
                create_start_revision(&store, &vm);
                "Running".into()
            } else {
                "Starting".into()
            }
        }
        (Some(false), true) => {
            let stopping = if deleting { "Terminating" } else { "Stopping" };
            if printable != stopping {
                ctx.forget("stop", &uid);
                ctx.since("stop", &uid);
                stopping.into()
            } else if ctx.elapsed(
                "stop",
                &uid,
                ctx.config.scaled(ctx.config.vms.stop_delay.0),
                key.clone(),
            ) {
                let _ = store.delete(&gvr::vmi(), Some(ns), name);
                vmi = None;
                ctx.forget("stop", &uid);
                "Stopped".into()
            } else {
                stopping.into()
            }
        }
        (_, true) => {
            ctx.forget("start", &uid);
            let paused = vmi.as_ref().is_some_and(|v| condition_true(v, "Paused"));
            if paused {
                "Paused".into()
            } else {
                "Running".into()
            }
        }
        (_, false) => {
            ctx.forget("start", &uid);
            "Stopped".into()
        }
    };
    if phase == "Running" {
        ctx.mark_since("start", &uid);
    }
    if deleting {
        if vmi.is_none() {
            // virt-controller lets the VM go once its VMI is gone.
            let _ = store.mutate(&gvr::vm(), Some(ns), name, |vm| {
                remove_finalizer(vm, VM_FINALIZER)
            });
            return;
        }
    } else if !restoring {
        ensure_data_volumes(&store, &vm);
    }

    let statuses: Vec<Value> = super::snapshot::volumes_with_backend(&store, &vm)
        .0
        .iter()
        .map(|v| volume_snapshot_status(&store, ns, v))
        .collect();
    let _ = store.mutate(&gvr::vm(), Some(ns), name, |vm| {
        let generation = vm
            .pointer("/metadata/generation")
            .cloned()
            .unwrap_or(json!(1));
        let run_strategy = str_at(vm, "/spec/runStrategy")
            .map(str::to_string)
            .unwrap_or_else(|| {
                if vm.pointer("/spec/running") == Some(&Value::Bool(true)) {
                    "Always".into()
                } else {
                    "Halted".into()
                }
            });
        let status = ensure_obj(vm, "status");
        status.insert("printableStatus".into(), json!(phase));
        status.insert("runStrategy".into(), json!(run_strategy));
        status.insert("desiredGeneration".into(), generation.clone());
        status.insert("observedGeneration".into(), generation);
        status.insert("volumeSnapshotStatuses".into(), json!(statuses));
        match &vmi {
            Some(vmi) => {
                status.insert("created".into(), json!(true));
                status.insert("ready".into(), json!(phase == "Running"));
                set_condition(status, "Ready", true, "", None);
                strip_empty_reason(status, "Ready");
                copy_vmi_condition(status, vmi, "AgentConnected");
                copy_vmi_condition(status, vmi, "Paused");
                copy_vmi_condition(status, vmi, "LiveMigratable");
            }
            None => {
                status.remove("created");
                status.remove("ready");
                set_condition(
                    status,
                    "Ready",
                    false,
                    "VMINotExists",
                    Some("VMI does not exist"),
                );
                remove_condition(status, "AgentConnected");
                remove_condition(status, "Paused");
                remove_condition(status, "LiveMigratable");
            }
        }
    });
}

fn copy_vmi_condition(status: &mut Map<String, Value>, vmi: &Value, type_: &str) {
    match condition(vmi, type_) {
        Some(c) => {
            let c = c.clone();
            let list = status.entry("conditions").or_insert_with(|| json!([]));
            if let Some(a) = list.as_array_mut() {
                match a.iter_mut().find(|x| str_at(x, "/type") == Some(type_)) {
                    Some(existing) => *existing = c,
                    None => a.push(c),
                }
            }
        }
        None => remove_condition(status, type_),
    }
}

fn remove_condition(status: &mut Map<String, Value>, type_: &str) {
    if let Some(a) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        a.retain(|c| str_at(c, "/type") != Some(type_));
    }
}

/// KubeVirt's Ready=True condition carries no reason or message.
fn strip_empty_reason(status: &mut Map<String, Value>, type_: &str) {
    if let Some(a) = status.get_mut("conditions").and_then(Value::as_array_mut)
        && let Some(c) = a
            .iter_mut()
            .find(|c| str_at(c, "/type") == Some(type_))
            .and_then(Value::as_object_mut)
    {
        if c.get("reason").and_then(Value::as_str) == Some("") {
            c.remove("reason");
        }
        c.remove("message");
    }
}

/// Freezes or thaws the guest file systems: the VMI's `status.fsFreezeStatus`, and an Event.
pub(crate) fn set_frozen(ctx: &Ctx, ns: &str, name: &str, frozen: bool) {
    let Ok(vmi) = ctx.store.mutate(&gvr::vmi(), Some(ns), name, |vmi| {
        let status = ensure_obj(vmi, "status");
        if frozen {
            status.insert("fsFreezeStatus".into(), json!("frozen"));
        } else {
            status.remove("fsFreezeStatus");
        }
    }) else {
        return;
    };
    let (reason, message) = if frozen {
        (
            "FreezeVirtualMachineInstance",
            format!("Froze the file systems of {name} through the guest agent"),
        )
    } else {
        (
            "UnfreezeVirtualMachineInstance",
            format!("Thawed the file systems of {name} through the guest agent"),
        )
    };
    ctx.record_event(&vmi, reason, &message);
}

/// The StorageClass a new claim gets: the default virtualization class, else the default class.
fn default_storage_class(store: &Store) -> Option<String> {
    let classes = store.list(&gvr::storage_class(), None);
    [
        "storageclass.kubevirt.io/is-default-virt-class",
        "storageclass.kubernetes.io/is-default-class",
    ]
    .iter()
    .find_map(|a| {
        classes.iter().find(|c| {
            c.pointer("/metadata/annotations")
                .and_then(|m| m.get(*a))
                .and_then(Value::as_str)
                == Some("true")
        })
    })
    .map(|c| name_of(c).to_string())
}

/// What CDI does for a VM's dataVolumeTemplates: a DataVolume (owned by the VM) and its
/// bound PVC for each template that has neither; a DataVolume without an owner is adopted.
fn ensure_data_volumes(store: &Store, vm: &Value) {
    let ns = super::ns_of(vm);
    let owner = owner_ref(vm, "kubevirt.io/v1", "VirtualMachine");
    let templates = vm
        .pointer("/spec/dataVolumeTemplates")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for t in templates {
        let Some(name) = str_at(&t, "/metadata/name") else {
            continue;
        };
        if let Some(dv) = store.get(&gvr::dv(), Some(ns), name) {
            let owned = dv
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            if !owned {
                let _ = store.mutate(&gvr::dv(), Some(ns), name, |dv| {
                    ensure_obj(dv, "metadata")
                        .insert("ownerReferences".into(), json!([owner.clone()]));
                });
            }
            // Its claim belongs to it, so deleting the VM takes the disk along, as in CDI.
            let pvc_owned = store.get(&gvr::pvc(), Some(ns), name).map(|p| {
                p.pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
            });
            if pvc_owned == Some(false) {
                let dv_owner = owner_ref(&dv, "cdi.kubevirt.io/v1beta1", "DataVolume");
                let _ = store.mutate(&gvr::pvc(), Some(ns), name, |pvc| {
                    ensure_obj(pvc, "metadata").insert("ownerReferences".into(), json!([dv_owner]));
                });
            }
            continue;
        }
        if store.get(&gvr::pvc(), Some(ns), name).is_some() {
            continue;
        }
        let spec = t.get("spec").cloned().unwrap_or_else(|| json!({}));
        let claim = spec
            .get("storage")
            .or_else(|| spec.get("pvc"))
            .cloned()
            .unwrap_or_else(|| json!({}));
        let Some(sc) = str_at(&claim, "/storageClassName")
            .map(str::to_string)
            .or_else(|| default_storage_class(store))
        else {
            continue;
        };
        let size = str_at(&claim, "/resources/requests/storage")
            .unwrap_or("10Gi")
            .to_string();
        let profile = store.get(&gvr::storage_profile(), None, &sc);
        let access = claim
            .get("accessModes")
            .cloned()
            .or_else(|| {
                profile.as_ref().and_then(|p| {
                    p.pointer("/status/claimPropertySets/0/accessModes")
                        .cloned()
                })
            })
            .unwrap_or(json!(["ReadWriteOnce"]));
        let mode = claim
            .get("volumeMode")
            .cloned()
            .or_else(|| {
                profile
                    .as_ref()
                    .and_then(|p| p.pointer("/status/claimPropertySets/0/volumeMode").cloned())
            })
            .unwrap_or(json!("Filesystem"));
        let mut labels = t
            .pointer("/metadata/labels")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(l) = labels.as_object_mut() {
            l.insert("kubevirt.io/created-by".into(), json!(uid_of(vm)));
        }
        let dv = json!({
            "apiVersion": "cdi.kubevirt.io/v1beta1",
            "kind": "DataVolume",
            "metadata": {"name": name, "namespace": ns, "labels": labels,
                "annotations": t.pointer("/metadata/annotations").cloned().unwrap_or_else(|| json!({})),
                "ownerReferences": [owner.clone()]},
            "spec": spec,
            "status": {"phase": "Succeeded", "progress": "100.0%", "claimName": name},
        });
        let Ok(dv) = store.create(&gvr::dv(), dv) else {
            continue;
        };
        let pvc = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": ns,
                "labels": {"app": "containerized-data-importer", "app.kubernetes.io/component": "storage"},
                "annotations": {"cdi.kubevirt.io/storage.populatedFor": name, "cdi.kubevirt.io/storage.contentType": "kubevirt"},
                "ownerReferences": [owner_ref(&dv, "cdi.kubevirt.io/v1beta1", "DataVolume")]},
            "spec": {"accessModes": access, "volumeMode": mode, "storageClassName": sc,
                "resources": {"requests": {"storage": size}}, "volumeName": format!("pvc-{}", uid_of(&dv))},
            "status": {"phase": "Bound", "accessModes": access, "capacity": {"storage": size}},
        });
        let _ = store.create(&gvr::pvc(), pvc);
    }
}

const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";

/// The pvc-protection controller: a claim being deleted keeps its finalizer while a running
/// VMI uses it, and loses it (so it goes) once none does.
pub(crate) fn release_unused_claims(ctx: &Ctx, ns: &str) {
    let mut deleting = Vec::new();
    ctx.store.visit(&gvr::pvc(), Some(ns), None, |pvc| {
        if is_deleting(pvc) && super::has_finalizer(pvc, PVC_PROTECTION) {
            deleting.push(name_of(pvc).to_string());
        }
        true
    });
    if deleting.is_empty() {
        return;
    }
    let mut used = Vec::new();
    ctx.store.visit(&gvr::vmi(), Some(ns), None, |vmi| {
        for v in volumes_of_vmi(vmi) {
            if let Some(c) = claim_of(&v) {
                used.push(c.to_string());
            }
        }
        true
    });
    for name in deleting.iter().filter(|n| !used.contains(n)) {
        let _ = ctx.store.mutate(&gvr::pvc(), Some(ns), name, |pvc| {
            remove_finalizer(pvc, PVC_PROTECTION)
        });
    }
}

fn volumes_of_vmi(vmi: &Value) -> Vec<Value> {
    vmi.pointer("/spec/volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
