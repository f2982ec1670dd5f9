//! The VirtualMachineRestore controller, after KubeVirt's `restore.go`: wait for (or stop, or
//! refuse) a running target per targetReadinessPolicy, then create PVCs from the snapshot's
//! VolumeSnapshots, rewrite or create the VM from the snapshot content, and complete.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::snapshot::content_name;
use super::{
    Ctx, Key, Outcome, add_finalizer, condition_true, ensure_obj, gvr, has_finalizer, is_deleting,
    name_of, owner_ref, remove_finalizer, set_condition, str_at, uid_of,
};

pub(crate) const FINALIZER: &str = "snapshot.kubevirt.io/vmrestore-protection";
const LAST_RESTORE_ANNOTATION: &str = "restore.kubevirt.io/lastRestoreUID";
const RESTORE_NAME_ANNOTATION: &str = "restore.kubevirt.io/name";
const PRE_POPULATED_ANNOTATION: &str = "cdi.kubevirt.io/storage.prePopulated";
const POPULATED_FOR_ANNOTATION: &str = "cdi.kubevirt.io/storage.populatedFor";
/// `firmware.CalculateLegacyUUID`'s namespace (`pkg/virt-controller/watch/vm/firmware.go`).
const FIRMWARE_UUID_NAMESPACE: [u8; 16] = [
    0x6a, 0x1a, 0x24, 0xa1, 0x40, 0x61, 0x46, 0x07, 0x8b, 0xf4, 0xa3, 0x96, 0x3d, 0x0c, 0x58, 0x95,
];
const GRACE_PERIOD: Duration = Duration::from_secs(300);
/// The Warning event of a failure (`restoreFailedEvent`).
const OPERATION_FAILED: &str = "Operation failed";
const TARGET_NOT_READY_EVENT: &str = "RestoreTargetNotReady";
const WAIT_EVENTUALLY: &str = "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore";
const WAIT_GRACE_PERIOD: &str = "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s";
const STOP_TARGET: &str = "Automatically stopping restore target for restore operation";
const VMI_EXISTS_EVENT: &str =
    "Restore target VMI still exists, please stop the restore target to proceed with restore";
const TARGET_NOT_READY_FAILURE: &str =
    "Restore target VMI must be powered off before restore operation";
const GRACE_PERIOD_EXCEEDED: &str = "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore";
/// Annotation prefixes a restored PVC does not inherit.
const DROPPED_ANNOTATIONS: [&str; 6] = [
    "pv.kubernetes.io",
    "volume.beta.kubernetes.io",
    "cdi.kubevirt.io",
    "volume.kubernetes.io",
    "k8s.io/CloneRequest",
    "k8s.io/CloneOf",
];

fn write_status(ctx: &Ctx, ns: &str, name: &str, f: impl FnOnce(&mut Map<String, Value>)) {
    let _ = ctx.store.mutate(&gvr::restore(), Some(ns), name, |r| {
        f(ensure_obj(r, "status"))
    });
}

/// The Ready condition's reason now (where the restore's own texts are kept).
fn ready_reason(ctx: &Ctx, ns: &str, name: &str) -> Option<String> {
    let restore = ctx.store.get(&gvr::restore(), Some(ns), name)?;
    super::condition(&restore, "Ready")
        .and_then(|c| str_at(c, "/reason"))
        .map(str::to_string)
}

/// Sets Progressing and Ready (both False) to `reason`; records the Warning event once per
/// change of reason (the real recorder counts repeats into the same event).
fn not_ready(ctx: &Ctx, ns: &str, name: &str, reason: &str, event: Option<(&str, &str)>) {
    if ready_reason(ctx, ns, name).as_deref() != Some(reason)
        && let Some((event_reason, message)) = event
        && let Some(restore) = ctx.store.get(&gvr::restore(), Some(ns), name)
    {
        ctx.record_warning(&restore, event_reason, message);
    }
    write_status(ctx, ns, name, |st| {
        set_condition(st, "Progressing", false, reason, None);
        set_condition(st, "Ready", false, reason, None);
    });
}

/// `doUpdateError`: not terminal, retried on the next change.
fn update_error(ctx: &Ctx, ns: &str, name: &str, err: &str) {
    let event = format!("VirtualMachineRestore encountered error {err}");
    not_ready(
        ctx,
        ns,
        name,
        err,
        Some(("VirtualMachineRestoreError", &event)),
    );
}

/// `doUpdateErrorWithFailure`: Progressing, Ready and Failure all carry the error.
fn fail(ctx: &Ctx, ns: &str, name: &str, reason: &str) {
    let event = format!("VirtualMachineRestore failed {reason}");
    not_ready(ctx, ns, name, reason, Some((OPERATION_FAILED, &event)));
    write_status(ctx, ns, name, |st| {
        set_condition(st, "Failure", true, reason, None);
    });
}

fn set_restore_in_progress(ctx: &Ctx, ns: &str, vm: &str, restore: Option<&str>) {
    let _ = ctx.store.mutate(&gvr::vm(), Some(ns), vm, |vm| {
        let st = ensure_obj(vm, "status");
        match restore {
            Some(r) => {
                st.insert("restoreInProgress".into(), json!(r));
            }
            None => {
                st.remove("restoreInProgress");
            }
        }
    });
}

/// Reconciles one VirtualMachineRestore.
pub(crate) fn reconcile(ctx: &mut Ctx, ns: &str, name: &str) {
    let store = ctx.store.clone();
    let Some(restore) = store.get(&gvr::restore(), Some(ns), name) else {
        return;
    };
    let uid = uid_of(&restore).to_string();
    let key = Key::Restore(ns.to_string(), name.to_string());
    let target_name = str_at(&restore, "/spec/target/name")
        .unwrap_or("")
        .to_string();
    let target = store.get(&gvr::vm(), Some(ns), &target_name);

    if is_deleting(&restore) {
        if !has_finalizer(&restore, FINALIZER) {
            return;
        }
        if target
            .as_ref()
            .is_some_and(|t| str_at(t, "/status/restoreInProgress") == Some(name))
        {
            set_restore_in_progress(ctx, ns, &target_name, None);
        }
        write_status(ctx, ns, name, |st| {
            set_condition(st, "Progressing", false, "VM restore is deleting", None);
            set_condition(st, "Ready", false, "VM restore is deleting", None);
        });
        let _ = store.mutate(&gvr::restore(), Some(ns), name, |r| {
            remove_finalizer(r, FINALIZER)
        });
        ctx.forget("restore-work", &uid);
        return;
    }
    if restore.get("status").is_none_or(|s| !s.is_object()) {
        write_status(ctx, ns, name, |st| {
            st.insert("complete".into(), json!(false));
            set_condition(
                st,
                "Progressing",
                true,
                "Initializing VirtualMachineRestore",
                None,
            );
            set_condition(
                st,
                "Ready",
                false,
                "Initializing VirtualMachineRestore",
                None,
            );
        });
        return;
    }
    if restore.pointer("/status/complete") == Some(&Value::Bool(true))
        || condition_true(&restore, "Failure")
    {
        return;
    }
    let target_for_owner = target.clone();
    let _ = store.mutate(&gvr::restore(), Some(ns), name, |r| {
        add_finalizer(r, FINALIZER);
        let owned = r
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if !owned && let Some(t) = &target_for_owner {
            let owner = owner_ref(t, "kubevirt.io/v1", "VirtualMachine");
            ensure_obj(r, "metadata").insert("ownerReferences".into(), json!([owner]));
        }
    });

    // Target readiness: a VM whose VMI still exists is not ready (handleVMRestoreTargetNotReady).
    let running = target.is_some() && store.get(&gvr::vmi(), Some(ns), &target_name).is_some();
    if running {
        let vmi_exists = Some((TARGET_NOT_READY_EVENT, VMI_EXISTS_EVENT));
        match str_at(&restore, "/spec/targetReadinessPolicy").unwrap_or("WaitGracePeriod") {
            "WaitEventually" => not_ready(ctx, ns, name, WAIT_EVENTUALLY, vmi_exists),
            "StopTarget" => {
                // target.Stop(): virt-api's stop, through the VM webhook; a refusal (a
                // snapshot holds the VM, or it is still shutting down) is the status written.
                let stopped = store.try_mutate(&gvr::vm(), Some(ns), &target_name, |vm| {
                    super::vm_admission::request_run_state(vm, &target_name, false, true)
                });
                match stopped {
                    Ok(_) => {
                        let stop = Some((TARGET_NOT_READY_EVENT, STOP_TARGET));
                        not_ready(ctx, ns, name, STOP_TARGET, stop);
                    }
                    Err(e) => update_error(ctx, ns, name, &e.message),
                }
            }
            "FailImmediate" => fail(ctx, ns, name, TARGET_NOT_READY_FAILURE),
            _ => {
                // The grace period counts from the restore's creation.
                if let Some(grace) = ctx.config.deadline(GRACE_PERIOD)
                    && ctx.elapsed_since_creation(&restore, grace, key)
                {
                    fail(ctx, ns, name, GRACE_PERIOD_EXCEEDED);
                } else {
                    not_ready(ctx, ns, name, WAIT_GRACE_PERIOD, vmi_exists);
                }
            }
        }
        return;
    }

    let snap_name = str_at(&restore, "/spec/virtualMachineSnapshotName")
        .unwrap_or("")
        .to_string();
    let Some(snapshot) = store.get(&gvr::snapshot(), Some(ns), &snap_name) else {
        update_error(
            ctx,
            ns,
            name,
            &format!("VMSnapshot {ns}/{snap_name} does not exist"),
        );
        return;
    };
    if str_at(&snapshot, "/status/phase") == Some("Failed") {
        let err = format!("VMSnapshot {ns}/{snap_name} failed and is invalid to use");
        update_error(ctx, ns, name, &err);
        return;
    }
    if snapshot.pointer("/status/readyToUse") != Some(&Value::Bool(true)) {
        update_error(
            ctx,
            ns,
            name,
            &format!("VMSnapshot {ns}/{snap_name} not ready"),
        );
        return;
    }
    // getSnapshotContent, in KubeVirt's words.
    let content_key = format!("{ns}/{}", content_name(&snapshot));
    let Some(content) = store.get(&gvr::content(), Some(ns), &content_name(&snapshot)) else {
        update_error(
            ctx,
            ns,
            name,
            &format!("VMSnapshotContent {content_key} does not exist"),
        );
        return;
    };
    if content.pointer("/status/readyToUse") != Some(&Value::Bool(true)) {
        update_error(
            ctx,
            ns,
            name,
            &format!("VMSnapshotContent {content_key} not ready"),
        );
        return;
    }
    // sourceAndTargetAreDifferent: judged by the snapshot's sourceUID, when it has one.
    let source_uid = str_at(&snapshot, "/status/sourceUID");
    let restored_before = target.as_ref().and_then(|t| {
        str_at(
            t,
            &format!(
                "/metadata/annotations/{}",
                LAST_RESTORE_ANNOTATION.replace('/', "~1")
            ),
        )
    }) == Some(&format!("{name}-{uid}"));
    if let Some(t) = &target
        && !restored_before
        && source_uid.is_some_and(|u| u != uid_of(t))
    {
        update_error(
            ctx,
            ns,
            name,
            "restore source and restore target are different but restore target already exists",
        );
        return;
    }
    if let Some(t) = &target {
        if let Some(other) = str_at(t, "/status/restoreInProgress").filter(|o| *o != name) {
            update_error(ctx, ns, name, &format!("vm restore {other} in progress"));
            return;
        }
        set_restore_in_progress(ctx, ns, &target_name, Some(name));
    }

    let script = ctx
        .config
        .restores
        .find(ns, &[name, &target_name])
        .cloned()
        .unwrap_or_default();
    let after = script.after.unwrap_or(ctx.config.restores.duration).0;
    let wait = ctx.config.scaled(after);
    if script.outcome == Outcome::Stuck || !ctx.elapsed("restore-work", &uid, wait, key) {
        write_status(ctx, ns, name, |st| {
            set_condition(st, "Progressing", true, "Creating new PVCs", None);
            set_condition(st, "Ready", false, "Waiting for new PVCs", None);
        });
        return;
    }
    if matches!(script.outcome, Outcome::Failed | Outcome::Error) {
        let message = script
            .message
            .clone()
            .unwrap_or_else(|| "restore failed".into());
        fail(ctx, ns, name, &message);
        if target.is_some() {
            set_restore_in_progress(ctx, ns, &target_name, None);
        }
        return;
    }

    if !claims_cleared(ctx, &restore, &content) {
        write_status(ctx, ns, name, |st| {
            set_condition(st, "Progressing", true, "Creating new PVCs", None);
            set_condition(st, "Ready", false, "Waiting for new PVCs", None);
        });
        return;
    }
    // reconcileVolumeRestores: the claims first, recorded in status.restores.
    let Some(restores) = restore
        .pointer("/status/restores")
        .and_then(Value::as_array)
        .cloned()
    else {
        let restores = restore_volumes(ctx, &restore, &content);
        write_status(ctx, ns, name, |st| {
            st.insert("restores".into(), json!(restores));
            set_condition(st, "Progressing", true, "Creating new PVCs", None);
            set_condition(st, "Ready", false, "Waiting for new PVCs", None);
        });
        return;
    };
    // Then the target's spec (or a new VM), marked with the restore that wrote it.
    let marker = format!("{name}-{uid}");
    let current = store.get(&gvr::vm(), Some(ns), &target_name);
    let written = current.as_ref().and_then(|t| {
        t.pointer("/metadata/annotations")
            .and_then(|a| a.get(LAST_RESTORE_ANNOTATION))
            .and_then(Value::as_str)
    }) == Some(marker.as_str());
    if !written {
        let Some(vm) = restored_vm(&restore, &content, &restores, current.as_ref()) else {
            update_error(ctx, ns, name, "failed to apply the restore patches");
            return;
        };
        // findDatavolumesForDeletion: template DataVolumes the restored spec no longer has.
        let names = |v: &Value| -> Vec<String> {
            v.pointer("/spec/dataVolumeTemplates")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| str_at(t, "/metadata/name").map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let deleted_dvs: Vec<String> = match &current {
            Some(t) => {
                let kept = names(&vm);
                names(t).into_iter().filter(|n| !kept.contains(n)).collect()
            }
            None => vec![],
        };
        let result = match &current {
            Some(_) => store.update(&gvr::vm(), vm),
            None => store.create(&gvr::vm(), vm),
        };
        if let Err(e) = result {
            update_error(ctx, ns, name, &e.message);
            return;
        }
        write_status(ctx, ns, name, |st| {
            if !deleted_dvs.is_empty() {
                st.insert("deletedDataVolumes".into(), json!(deleted_dvs));
            }
            set_condition(st, "Progressing", true, "Updating target spec", None);
            set_condition(st, "Ready", false, "Waiting for target update", None);
        });
        return;
    }
    let Some(vm) = current else {
        return;
    };
    // Volume ownership policy Vm (the default): the VM owns its restored claims.
    if str_at(&restore, "/spec/volumeOwnershipPolicy") != Some("None") {
        for r in restores
            .iter()
            .filter(|r| r.get("dataVolumeName").is_none())
        {
            let owner = owner_ref(&vm, "kubevirt.io/v1", "VirtualMachine");
            let claim = str_at(r, "/persistentVolumeClaim").unwrap_or("");
            let _ = store.mutate(&gvr::pvc(), Some(ns), claim, |pvc| {
                ensure_obj(pvc, "metadata").insert("ownerReferences".into(), json!([owner]));
            });
        }
    }
    // deleteObsoleteVolumes
    for dv in restore
        .pointer("/status/deletedDataVolumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let _ = store.delete(&gvr::dv(), Some(ns), dv);
    }
    set_restore_in_progress(ctx, ns, &target_name, None);
    let now = crate::store::now_rfc3339();
    write_status(ctx, ns, name, |st| {
        st.insert("complete".into(), json!(true));
        st.insert("restoreTime".into(), json!(now));
        set_condition(st, "Progressing", false, "Operation complete", None);
        set_condition(st, "Ready", true, "Operation complete", None);
    });
    ctx.record_event(
        &restore,
        "VirtualMachineRestoreComplete",
        &format!("Successfully completed VirtualMachineRestore {name}"),
    );
    ctx.forget("restore-work", &uid);
}

/// `restoreVolumeName`: an override, the same name (InPlace), or `restore-<uid>-<volume>`.
fn restored_name(restore: &Value, volume: &str, claim: &str) -> String {
    let overrides = restore
        .pointer("/spec/volumeRestoreOverrides")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(o) = overrides
        .iter()
        .find(|o| str_at(o, "/volumeName") == Some(volume))
        && let Some(n) = str_at(o, "/restoreName").filter(|n| !n.is_empty())
    {
        return n.to_string();
    }
    match str_at(restore, "/spec/volumeRestorePolicy") {
        Some("InPlace") => claim.to_string(),
        Some("PrefixTargetName") => format!(
            "{}-{volume}",
            str_at(restore, "/spec/target/name").unwrap_or("")
        ),
        _ => format!("restore-{}-{volume}", uid_of(restore)),
    }
}

/// Whether every claim name the restore will create is free (or already its own). In place
/// (the same names), the old claims are deleted first and this waits for them to go; a claim
/// of a DataVolume leaves its DataVolume, marked pre-populated so CDI does not fill a new
/// claim meanwhile (`prepopulateDataVolume`), to adopt the restored one.
fn claims_cleared(ctx: &Ctx, restore: &Value, content: &Value) -> bool {
    let ns = super::ns_of(restore);
    let mut clear = true;
    let backups = content
        .pointer("/spec/volumeBackups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for b in backups {
        let volume = str_at(&b, "/volumeName").unwrap_or("");
        let claim = str_at(&b, "/persistentVolumeClaim/metadata/name").unwrap_or("");
        let target = restored_name(restore, volume, claim);
        if target != claim {
            continue;
        }
        let Some(pvc) = ctx.store.get(&gvr::pvc(), Some(ns), &target) else {
            continue;
        };
        if str_at(&pvc, "/metadata/annotations/restore.kubevirt.io~1name") == Some(name_of(restore))
        {
            continue;
        }
        clear = false;
        if let Some(dv) = owning_data_volume(&pvc) {
            let _ = ctx.store.mutate(&gvr::dv(), Some(ns), dv, |dv_obj| {
                let annotations = ensure_obj(dv_obj, "metadata")
                    .entry("annotations")
                    .or_insert_with(|| json!({}));
                annotations[RESTORE_NAME_ANNOTATION] = json!(name_of(restore));
                annotations[PRE_POPULATED_ANNOTATION] = json!(dv);
            });
        }
        let _ = ctx.store.delete(&gvr::pvc(), Some(ns), &target);
    }
    clear
}

/// The DataVolume controlling a claim (its owner reference of kind DataVolume).
fn owning_data_volume(pvc: &Value) -> Option<&str> {
    pvc.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|o| str_at(o, "/kind") == Some("DataVolume"))
        .and_then(|o| str_at(o, "/name"))
}

/// The names of the snapshotted VM's `dataVolumeTemplates`.
fn template_names(vm: &Value) -> Vec<&str> {
    vm.pointer("/spec/dataVolumeTemplates")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| str_at(t, "/metadata/name"))
                .collect()
        })
        .unwrap_or_default()
}

/// Creates one PVC per volume backup from its VolumeSnapshot (memory dumps are not restored);
/// a volume of a DataVolume template gets its DataVolume (a new one adopting the claim, or in
/// place the old one); returns `status.restores`.
fn restore_volumes(ctx: &Ctx, restore: &Value, content: &Value) -> Vec<Value> {
    let ns = super::ns_of(restore);
    let vm = content
        .pointer("/spec/source/virtualMachine")
        .cloned()
        .unwrap_or(Value::Null);
    let source_name = str_at(&vm, "/metadata/name").unwrap_or("");
    let templates = template_names(&vm);
    let source_volumes = super::vm::volumes(&vm);
    let volume_named = |name: &str| {
        source_volumes
            .iter()
            .find(|v| str_at(v, "/name") == Some(name))
    };
    let in_place = str_at(restore, "/spec/volumeRestorePolicy") == Some("InPlace");
    let mut out = Vec::new();
    for b in content
        .pointer("/spec/volumeBackups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let volume = str_at(&b, "/volumeName").unwrap_or("");
        let Some(vs_name) = str_at(&b, "/volumeSnapshotName") else {
            continue;
        };
        let source = volume_named(volume);
        if source.is_some_and(|v| v.get("memoryDump").is_some()) {
            continue;
        }
        let from_template = source
            .and_then(|v| str_at(v, "/dataVolume/name"))
            .is_some_and(|dv| templates.contains(&dv));
        let claim = str_at(&b, "/persistentVolumeClaim/metadata/name").unwrap_or("");
        let new_name = restored_name(restore, volume, claim);
        let size = ctx
            .store
            .get(&gvr::vs(), Some(ns), vs_name)
            .and_then(|vs| str_at(&vs, "/status/restoreSize").map(str::to_string))
            .or_else(|| {
                str_at(&b, "/persistentVolumeClaim/spec/resources/requests/storage")
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "1Gi".into());
        let mut spec = b
            .pointer("/persistentVolumeClaim/spec")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(s) = spec.as_object_mut() {
            s.remove("volumeName");
            let source = json!({"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": vs_name});
            s.insert("dataSource".into(), source.clone());
            s.insert("dataSourceRef".into(), source);
        }
        let mut labels = b
            .pointer("/persistentVolumeClaim/metadata/labels")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(l) = labels.as_object_mut() {
            l.insert(
                "restore.kubevirt.io/source-vm-name".into(),
                json!(source_name),
            );
            l.insert("restore.kubevirt.io/source-vm-namespace".into(), json!(ns));
        }
        let mut annotations: Map<String, Value> = b
            .pointer("/persistentVolumeClaim/metadata/annotations")
            .and_then(Value::as_object)
            .map(|a| {
                a.iter()
                    .filter(|(k, _)| !DROPPED_ANNOTATIONS.iter().any(|p| k.starts_with(p)))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        annotations.insert(RESTORE_NAME_ANNOTATION.into(), json!(name_of(restore)));
        // In place, a DataVolume that owned the old claim adopts the new one.
        let kept_dv = in_place && ctx.store.get(&gvr::dv(), Some(ns), &new_name).is_some();
        let dv_name = (from_template || kept_dv).then(|| new_name.clone());
        if let Some(dv) = &dv_name {
            annotations.insert(POPULATED_FOR_ANNOTATION.into(), json!(dv));
        }
        let pvc = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": new_name, "namespace": ns, "labels": labels, "annotations": annotations},
            "spec": spec,
            "status": {
                "phase": "Bound",
                "accessModes": b.pointer("/persistentVolumeClaim/spec/accessModes").cloned().unwrap_or(json!(["ReadWriteMany"])),
                "capacity": {"storage": size},
            },
        });
        if ctx.store.get(&gvr::pvc(), Some(ns), &new_name).is_none() {
            let _ = ctx.store.create(&gvr::pvc(), pvc);
        }
        let mut entry = json!({"volumeName": volume, "persistentVolumeClaim": new_name, "volumeSnapshotName": vs_name});
        if let Some(dv_name) = dv_name {
            entry["dataVolumeName"] = json!(dv_name);
            if ctx.store.get(&gvr::dv(), Some(ns), &dv_name).is_none() {
                let dv = json!({
                    "apiVersion": "cdi.kubevirt.io/v1beta1",
                    "kind": "DataVolume",
                    "metadata": {"name": dv_name, "namespace": ns,
                        "annotations": {PRE_POPULATED_ANNOTATION: "true", RESTORE_NAME_ANNOTATION: name_of(restore)}},
                    "spec": {"source": {"snapshot": {"namespace": ns, "name": vs_name}},
                        "storage": {"resources": {"requests": {"storage": size}},
                            "storageClassName": b.pointer("/persistentVolumeClaim/spec/storageClassName").cloned().unwrap_or(Value::Null)}},
                    "status": {"phase": "Succeeded", "progress": "100.0%", "claimName": dv_name},
                });
                let _ = ctx.store.create(&gvr::dv(), dv);
            }
        }
        out.push(entry);
    }
    out
}

/// The VM as restored: the snapshot's spec with volumes pointing at the restored claims,
/// the target's identity and run strategy (when it exists), and the restore's patches.
fn restored_vm(
    restore: &Value,
    content: &Value,
    restores: &[Value],
    target: Option<&Value>,
) -> Option<Value> {
    let source = content
        .pointer("/spec/source/virtualMachine")
        .cloned()
        .unwrap_or(Value::Null);
    let mut spec = source.get("spec").cloned().unwrap_or_else(|| json!({}));
    let templates: Vec<String> = template_names(&source)
        .into_iter()
        .map(str::to_string)
        .collect();
    let restore_of = |volume: &str| {
        restores
            .iter()
            .find(|r| str_at(r, "/volumeName") == Some(volume))
    };
    // generateRestoredVMSpec: claims renamed to the restored ones, template DataVolumes to
    // theirs, other DataVolume volumes turned into claims, memory dumps dropped.
    let mut renamed_templates: Vec<(String, String)> = Vec::new();
    if let Some(vols) = spec
        .pointer_mut("/template/spec/volumes")
        .and_then(Value::as_array_mut)
    {
        vols.retain(|v| v.get("memoryDump").is_none());
        for v in vols.iter_mut() {
            let Some(r) = str_at(v, "/name").and_then(restore_of) else {
                continue;
            };
            let claim = str_at(r, "/persistentVolumeClaim")
                .unwrap_or("")
                .to_string();
            if let Some(slot) = v.pointer_mut("/persistentVolumeClaim/claimName") {
                *slot = json!(claim);
                continue;
            }
            let Some(dv) = str_at(v, "/dataVolume/name").map(str::to_string) else {
                continue;
            };
            if templates.contains(&dv) {
                let new = str_at(r, "/dataVolumeName")?.to_string();
                v["dataVolume"]["name"] = json!(new);
                renamed_templates.push((dv, new));
            } else {
                let name = v.get("name").cloned().unwrap_or(Value::Null);
                *v = json!({"name": name, "persistentVolumeClaim": {"claimName": claim}});
            }
        }
    }
    if let Some(list) = spec
        .pointer_mut("/dataVolumeTemplates")
        .and_then(Value::as_array_mut)
    {
        for t in list {
            if let Some((_, new)) = renamed_templates
                .iter()
                .find(|(old, _)| str_at(t, "/metadata/name") == Some(old.as_str()))
            {
                t["metadata"]["name"] = json!(new);
            }
        }
    }
    let ns = super::ns_of(restore);
    let target_name = str_at(restore, "/spec/target/name").unwrap_or("");
    let marker = format!("{}-{}", name_of(restore), uid_of(restore));
    let mut vm = match target {
        Some(t) => {
            let mut vm = t.clone();
            // generateRestoredVMSpec: an existing VM keeps its run strategy (one using the
            // deprecated `running` gets `running: false`).
            if let Some(s) = spec.as_object_mut() {
                s.remove("running");
                s.remove("runStrategy");
                if t.pointer("/spec/running").is_some_and(|r| !r.is_null()) {
                    s.insert("running".into(), json!(false));
                } else {
                    let strategy = t
                        .pointer("/spec/runStrategy")
                        .cloned()
                        .unwrap_or(json!("Halted"));
                    s.insert("runStrategy".into(), strategy);
                }
            }
            vm["spec"] = spec;
            if let Some(m) = vm.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("resourceVersion");
            }
            vm
        }
        None => {
            // A new VM starts out stopped.
            if let Some(s) = spec.as_object_mut() {
                if s.get("running").is_some_and(|r| !r.is_null()) {
                    s.insert("running".into(), json!(false));
                } else {
                    s.insert("runStrategy".into(), json!("Halted"));
                }
            }
            json!({
                "apiVersion": "kubevirt.io/v1",
                "kind": "VirtualMachine",
                "metadata": {
                    "name": target_name, "namespace": ns,
                    "labels": source.pointer("/metadata/labels").cloned().unwrap_or_else(|| json!({})),
                    "annotations": source.pointer("/metadata/annotations").cloned().unwrap_or_else(|| json!({})),
                },
                "spec": spec,
            })
        }
    };
    // setLegacyFirmwareUUID: restored onto a VM of the snapshotted VM's name, the VM keeps
    // the firmware UUID KubeVirt would have derived from that name.
    if str_at(&source, "/metadata/name") == Some(target_name)
        && str_at(&vm, "/spec/template/spec/domain/firmware/uuid").is_none_or(str::is_empty)
        && let Some(domain) = vm
            .pointer_mut("/spec/template/spec/domain")
            .and_then(Value::as_object_mut)
    {
        let firmware = domain.entry("firmware").or_insert_with(|| json!({}));
        firmware["uuid"] = json!(legacy_firmware_uuid(target_name));
    }
    let meta = ensure_obj(&mut vm, "metadata");
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    if !annotations.is_object() {
        *annotations = json!({});
    }
    if let Some(a) = annotations.as_object_mut() {
        a.insert(LAST_RESTORE_ANNOTATION.into(), json!(marker));
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    // reconcileSpec patches only a VM it creates.
    let patches = if target.is_none() {
        restore.pointer("/spec/patches")
    } else {
        None
    };
    for p in patches
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let op: Value = serde_json::from_str(p.as_str().unwrap_or("null")).ok()?;
        apply_patch_op(&mut vm, &op)?;
    }
    Some(vm)
}

/// `CalculateLegacyUUID`: the name-based (SHA-1, version 5) UUID of `name` in KubeVirt's
/// firmware namespace.
fn legacy_firmware_uuid(name: &str) -> String {
    let mut input = FIRMWARE_UUID_NAMESPACE.to_vec();
    input.extend_from_slice(name.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest.as_ref()[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// One RFC 6902 operation (add, replace, remove, test) on a JSON pointer.
pub(crate) fn apply_patch_op(doc: &mut Value, op: &Value) -> Option<()> {
    let path = str_at(op, "/path")?;
    let (parent_path, last) = path.rsplit_once('/')?;
    let last = last.replace("~1", "/").replace("~0", "~");
    match str_at(op, "/op")? {
        "test" => (doc.pointer(path)? == op.get("value")?).then_some(()),
        "remove" => {
            let parent = doc.pointer_mut(parent_path)?;
            match parent {
                Value::Object(m) => m.remove(&last).map(|_| ()),
                Value::Array(a) => {
                    let i: usize = last.parse().ok()?;
                    (i < a.len()).then(|| {
                        a.remove(i);
                    })
                }
                _ => None,
            }
        }
        kind @ ("add" | "replace") => {
            let value = op.get("value")?.clone();
            let parent = doc.pointer_mut(parent_path)?;
            match parent {
                Value::Object(m) => {
                    if kind == "replace" && !m.contains_key(&last) {
                        return None;
                    }
                    m.insert(last, value);
                    Some(())
                }
                Value::Array(a) if last == "-" => {
                    a.push(value);
                    Some(())
                }
                Value::Array(a) => {
                    let i: usize = last.parse().ok()?;
                    if kind == "replace" {
                        *a.get_mut(i)? = value;
                    } else if i <= a.len() {
                        a.insert(i, value);
                    } else {
                        return None;
                    }
                    Some(())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legacy_firmware_uuid_is_kubevirts_name_based_uuid() {
        // uuid.NewSHA1(6a1a24a1-4061-4607-8bf4-a3963d0c5895, name), as Python's uuid5 agrees.
        assert_eq!(
            legacy_firmware_uuid("db"),
            "afbfbee4-e771-559c-b6d5-41f26cb027a0"
        );
        assert_eq!(
            legacy_firmware_uuid("web"),
            "d32ff544-f682-571b-8677-3762f07ab8a4"
        );
    }
}
