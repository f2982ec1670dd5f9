//! The VirtualMachineClone controller, after KubeVirt's `watch/clone`: snapshot the source VM
//! (or use the given snapshot), restore it into the target VM, adjust the new VM's identity
//! (MAC addresses, SMBios serial, filtered labels), then clean up.

use serde_json::{Map, Value, json};

use super::{
    Ctx, Key, condition_true, ensure_obj, gvr, is_deleting, name_of, owner_ref, set_condition,
    str_at, uid_of,
};

fn write_status(ctx: &Ctx, ns: &str, name: &str, f: impl FnOnce(&mut Map<String, Value>)) {
    let _ = ctx.store.mutate(&gvr::clone(), Some(ns), name, |c| {
        f(ensure_obj(c, "status"))
    });
}

/// How a pass ends, as `updateStatus` writes it.
enum Sync {
    /// Progressing True "Still processing"; the phase moves to `next` when given.
    Processing(Option<&'static str>),
    /// Progressing False "Pending", Ready False with the reason; the phase stays.
    Pending(&'static str, String),
    /// Phase Failed, Progressing False "Failed", Ready False with the reason.
    Failing(&'static str, String),
}

fn update_status(
    ctx: &Ctx,
    clone: &Value,
    sync: Sync,
    extra: impl FnOnce(&mut Map<String, Value>),
) {
    let (ns, name) = (super::ns_of(clone), name_of(clone));
    let unset = str_at(clone, "/status/phase").is_none_or(str::is_empty);
    if let Sync::Pending(event, reason) | Sync::Failing(event, reason) = &sync {
        ctx.record_event(clone, event, reason);
    }
    write_status(ctx, ns, name, |st| {
        match &sync {
            Sync::Pending(_, reason) => {
                set_condition(st, "Progressing", false, "Pending", None);
                set_condition(st, "Ready", false, reason, None);
            }
            Sync::Failing(_, reason) => {
                st.insert("phase".into(), json!("Failed"));
                set_condition(st, "Progressing", false, "Failed", None);
                set_condition(st, "Ready", false, reason, None);
            }
            Sync::Processing(next) => {
                if let Some(next) = next {
                    st.insert("phase".into(), json!(next));
                } else if unset {
                    st.insert("phase".into(), json!("SnapshotInProgress"));
                }
                if *next == Some("Succeeded") {
                    set_condition(st, "Progressing", false, "Ready", None);
                    set_condition(st, "Ready", true, "Ready", None);
                } else {
                    set_condition(st, "Progressing", true, "Still processing", None);
                    set_condition(st, "Ready", false, "Still processing", None);
                }
            }
        }
        extra(st);
    });
}

fn snapshot_ready(s: &Value) -> bool {
    s.pointer("/status/readyToUse") == Some(&Value::Bool(true))
}

/// Whether a volume is backed by a PVC or a DataVolume (what a clone must snapshot).
fn has_claim(volume: &Value) -> bool {
    volume.get("persistentVolumeClaim").is_some() || volume.get("dataVolume").is_some()
}

/// `validateVolumeSnapshotStatus`: every PVC or DataVolume volume must be listed as
/// snapshottable in the VM's `status.volumeSnapshotStatuses`; the errors joined by newlines.
fn volume_snapshot_problems(vm: &Value) -> Option<String> {
    let statuses = vm
        .pointer("/status/volumeSnapshotStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let problems: Vec<String> = super::vm::volumes(vm)
        .iter()
        .filter(|v| has_claim(v))
        .filter_map(|v| {
            let vname = str_at(v, "/name").unwrap_or("");
            match statuses.iter().find(|s| str_at(s, "/name") == Some(vname)) {
                None => Some(format!(
                    "Virtual Machine volume {vname} snapshot support unknown"
                )),
                Some(s) if s.get("enabled") != Some(&Value::Bool(true)) => Some(format!(
                    "Virtual Machine volume {vname} does not support snapshots"
                )),
                Some(_) => None,
            }
        })
        .collect();
    (!problems.is_empty()).then(|| problems.join("\n"))
}

const BACKEND_STORAGE: &str = "Clone of source with backendstorage is not supported";

/// `verifySnapshotContent`: the stored VM must not need backend storage and every PVC or
/// DataVolume volume must have been backed up.
fn content_problem(store: &crate::store::Store, snapshot: &Value) -> Option<String> {
    let (ns, snap_name) = (super::ns_of(snapshot), name_of(snapshot));
    let cname = super::snapshot::content_name(snapshot);
    let Some(content) = store.get(&gvr::content(), Some(ns), &cname) else {
        return Some(format!(
            "snapshot content {cname} in namespace {ns} does not exist"
        ));
    };
    let Some(content_snap) = str_at(&content, "/spec/virtualMachineSnapshotName") else {
        return Some(format!("cannot get snapshot name from content {cname}"));
    };
    let vm = content
        .pointer("/spec/source/virtualMachine")
        .cloned()
        .unwrap_or(Value::Null);
    if vm.pointer("/spec/template").is_none_or(Value::is_null) {
        return None;
    }
    if super::snapshot::needs_backend_storage(&vm) {
        return Some(format!("{BACKEND_STORAGE}: snapshot {ns}/{snap_name}"));
    }
    let backed: Vec<&str> = content
        .pointer("/spec/volumeBackups")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|b| str_at(b, "/volumeName")).collect())
        .unwrap_or_default();
    let missing: Vec<String> = super::vm::volumes(&vm)
        .iter()
        .filter(|v| has_claim(v))
        .filter_map(|v| str_at(v, "/name"))
        .filter(|n| !backed.contains(n))
        .map(|n| format!("volume {n} is not backed up in snapshot {content_snap}"))
        .collect();
    (!missing.is_empty()).then(|| missing.join("\n"))
}

/// The target name a clone created without the mutating webhook (straight into the store)
/// falls back to; through the API the webhook has always set one.
fn target_name(clone: &Value) -> String {
    str_at(clone, "/spec/target/name")
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            super::clone_admission::generated_target_name(
                str_at(clone, "/spec/source/name").unwrap_or(""),
                uid_of(clone),
            )
        })
}

/// Reconciles one VirtualMachineClone, after `execute`, `sync` and `syncTargetVM`.
pub(crate) fn reconcile(ctx: &mut Ctx, ns: &str, name: &str) {
    let store = ctx.store.clone();
    let Some(clone) = store.get(&gvr::clone(), Some(ns), name) else {
        return;
    };
    let phase = str_at(&clone, "/status/phase").unwrap_or("").to_string();
    if phase == "Succeeded" {
        // A Succeeded clone goes with its target VM.
        let target = str_at(&clone, "/status/targetName").unwrap_or("");
        if !is_deleting(&clone) && store.get(&gvr::vm(), Some(ns), target).is_none() {
            let _ = store.delete(&gvr::clone(), Some(ns), name);
        }
        return;
    }
    if is_deleting(&clone) || phase == "Failed" {
        return;
    }
    let uid = uid_of(&clone).to_string();
    let key = Key::Clone(ns.to_string(), name.to_string());
    let source_kind = str_at(&clone, "/spec/source/kind")
        .unwrap_or("")
        .to_string();
    let source_name = str_at(&clone, "/spec/source/name")
        .unwrap_or("")
        .to_string();
    let owner = owner_ref(&clone, "clone.kubevirt.io/v1beta1", "VirtualMachineClone");

    // retrieveCloneInfo: a missing source leaves the clone Pending until it appears.
    let source_gvr = match source_kind.as_str() {
        "VirtualMachine" => gvr::vm(),
        "VirtualMachineSnapshot" => gvr::snapshot(),
        other => {
            let why = format!("clone {name} is defined with an unknown source type {other}");
            update_status(ctx, &clone, Sync::Failing("CloneFailed", why), |_| {});
            return;
        }
    };
    let Some(source) = store.get(&source_gvr, Some(ns), &source_name) else {
        let why = format!("Source doesnt exist: {source_kind} {ns}/{source_name}");
        update_status(
            ctx,
            &clone,
            Sync::Pending("SourceDoesNotExist", why),
            |_| {},
        );
        return;
    };
    let from_vm = source_kind == "VirtualMachine";
    if from_vm && super::snapshot::needs_backend_storage(&source) {
        let why = format!("{BACKEND_STORAGE}: VM {ns}/{source_name}");
        update_status(
            ctx,
            &clone,
            Sync::Failing("SourceVMWithBackendStorageInvalid", why),
            |_| {},
        );
        return;
    }
    let snap_name = if from_vm {
        str_at(&clone, "/status/snapshotName").map(str::to_string)
    } else {
        Some(source_name.clone())
    };

    match phase.as_str() {
        "" | "SnapshotInProgress" => {
            let Some(snap_name) = snap_name else {
                // createSnapshotFromVm
                if let Some(why) = volume_snapshot_problems(&source) {
                    update_status(
                        ctx,
                        &clone,
                        Sync::Pending("VMVolumeSnapshotsInvalid", why),
                        |_| {},
                    );
                    return;
                }
                let snap_name = format!("tmp-snapshot-{uid}");
                let snap = json!({
                    "apiVersion": "snapshot.kubevirt.io/v1beta1",
                    "kind": "VirtualMachineSnapshot",
                    "metadata": {"name": snap_name, "namespace": ns, "ownerReferences": [owner]},
                    "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": source_name}},
                });
                if store.create(&gvr::snapshot(), snap).is_ok() {
                    ctx.record_event(
                        &clone,
                        "SnapshotCreated",
                        &format!("created snapshot {snap_name} for clone {name}"),
                    );
                }
                update_status(ctx, &clone, Sync::Processing(None), |st| {
                    st.insert("snapshotName".into(), json!(snap_name));
                });
                return;
            };
            // verifySnapshotReady: a snapshot that is not (yet) ready keeps the clone waiting,
            // whatever its phase; a missing one is retried.
            let snapshot = store.get(&gvr::snapshot(), Some(ns), &snap_name);
            let next = match &snapshot {
                Some(s) if snapshot_ready(s) => match content_problem(&store, s) {
                    Some(why) => {
                        update_status(
                            ctx,
                            &clone,
                            Sync::Failing("SnapshotContentInvalid", why),
                            |_| {},
                        );
                        return;
                    }
                    None => Some("RestoreInProgress"),
                },
                _ => None,
            };
            update_status(ctx, &clone, Sync::Processing(next), |_| {});
        }
        "RestoreInProgress" => {
            let snapshot = snap_name
                .as_deref()
                .and_then(|s| store.get(&gvr::snapshot(), Some(ns), s));
            let Some(snapshot) = snapshot else {
                let why = format!(
                    "snapshot {} does not exist anymore",
                    snap_name.as_deref().unwrap_or("")
                );
                update_status(ctx, &clone, Sync::Failing("SnapshotDeleted", why), |_| {});
                return;
            };
            let Some(restore_name) = str_at(&clone, "/status/restoreName").map(str::to_string)
            else {
                let restore_name = format!("tmp-restore-{uid}");
                let restore = json!({
                    "apiVersion": "snapshot.kubevirt.io/v1beta1",
                    "kind": "VirtualMachineRestore",
                    "metadata": {"name": restore_name, "namespace": ns, "ownerReferences": [owner]},
                    "spec": {
                        "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": target_name(&clone)},
                        "virtualMachineSnapshotName": name_of(&snapshot),
                    },
                });
                if store.create(&gvr::restore(), restore).is_ok() {
                    ctx.record_event(
                        &clone,
                        "RestoreCreated",
                        &format!("created restore {restore_name} for clone {name}"),
                    );
                }
                update_status(ctx, &clone, Sync::Processing(None), |st| {
                    st.insert("restoreName".into(), json!(restore_name));
                });
                return;
            };
            let Some(restore) = store.get(&gvr::restore(), Some(ns), &restore_name) else {
                return;
            };
            // VmRestoreProgressing: neither complete nor failed. A failed restore counts as
            // done too, and the clone then waits in CreatingTargetVM for a VM that never comes.
            let done = restore.pointer("/status/complete") == Some(&Value::Bool(true))
                || condition_true(&restore, "Failure");
            if done {
                let target = str_at(&restore, "/spec/target/name")
                    .unwrap_or("")
                    .to_string();
                update_status(
                    ctx,
                    &clone,
                    Sync::Processing(Some("CreatingTargetVM")),
                    |st| {
                        st.insert("targetName".into(), json!(target));
                    },
                );
            }
        }
        "CreatingTargetVM" => {
            let target = str_at(&clone, "/status/targetName")
                .unwrap_or("")
                .to_string();
            if store.get(&gvr::vm(), Some(ns), &target).is_none() {
                return;
            }
            let wait = ctx.config.scaled(
                ctx.config
                    .clones
                    .find(ns, &[name])
                    .and_then(|s| s.after)
                    .unwrap_or(ctx.config.clones.duration)
                    .0,
            );
            if !ctx.elapsed("clone-work", &uid, wait, key) {
                return;
            }
            let spec = clone.get("spec").cloned().unwrap_or(Value::Null);
            let _ = store.mutate(&gvr::vm(), Some(ns), &target, |vm| customize(vm, &spec));
            if let Some(r) = str_at(&clone, "/status/restoreName") {
                let _ = store.delete(&gvr::restore(), Some(ns), r);
            }
            if from_vm && let Some(s) = &snap_name {
                let _ = store.delete(&gvr::snapshot(), Some(ns), s);
            }
            ctx.record_event(
                &clone,
                "TargetVMCreated",
                &format!("created target VM {target} for clone {name}"),
            );
            update_status(ctx, &clone, Sync::Processing(Some("Succeeded")), |st| {
                st.remove("snapshotName");
                st.remove("restoreName");
            });
            ctx.forget("clone-work", &uid);
        }
        _ => {}
    }
}

/// Whether `key` passes filters like `["*", "!secret/*"]` (the last matching rule wins).
fn passes(key: &str, filters: Option<&Value>) -> bool {
    let Some(filters) = filters.and_then(Value::as_array) else {
        return true;
    };
    let mut keep = false;
    for f in filters.iter().filter_map(Value::as_str) {
        let (negated, pattern) = match f.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, f),
        };
        let matches = match pattern.strip_suffix('*') {
            Some(prefix) => key.starts_with(prefix),
            None => key == pattern,
        };
        if matches {
            keep = !negated;
        }
    }
    keep
}

fn filter_map(obj: &mut Value, pointer: &str, filters: Option<&Value>) {
    if let Some(m) = obj.pointer_mut(pointer).and_then(Value::as_object_mut) {
        m.retain(|k, _| passes(k, filters));
    }
}

/// What the clone's patches do to the new VM: new or no MAC addresses, new or no SMBios
/// serial, no firmware UUID, and only the labels/annotations the filters let through.
fn customize(vm: &mut Value, spec: &Value) {
    let macs = spec
        .get("newMacAddresses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(ifaces) = vm
        .pointer_mut("/spec/template/spec/domain/devices/interfaces")
        .and_then(Value::as_array_mut)
    {
        for iface in ifaces.iter_mut().filter_map(Value::as_object_mut) {
            let name = iface
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            match macs.get(&name) {
                Some(mac) => {
                    iface.insert("macAddress".into(), mac.clone());
                }
                None => {
                    iface.remove("macAddress");
                }
            }
        }
    }
    if let Some(fw) = vm
        .pointer_mut("/spec/template/spec/domain/firmware")
        .and_then(Value::as_object_mut)
    {
        fw.remove("uuid");
        match spec.get("newSMBiosSerial").and_then(Value::as_str) {
            Some(s) => {
                fw.insert("serial".into(), json!(s));
            }
            None => {
                fw.remove("serial");
            }
        }
    }
    filter_map(vm, "/metadata/labels", spec.get("labelFilters"));
    filter_map(vm, "/metadata/annotations", spec.get("annotationFilters"));
    filter_map(
        vm,
        "/spec/template/metadata/labels",
        spec.pointer("/template/labelFilters"),
    );
    filter_map(
        vm,
        "/spec/template/metadata/annotations",
        spec.pointer("/template/annotationFilters"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_filters_keep_and_drop_like_kubevirt() {
        let f = json!(["*", "!secret/*"]);
        assert!(passes("app", Some(&f)));
        assert!(!passes("secret/key", Some(&f)));
        assert!(passes("anything", None));
        assert!(!passes("x", Some(&json!([]))));
    }

    #[test]
    fn customize_drops_mac_and_serial_unless_given() {
        let mut vm = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"template": {"spec": {"domain": {
            "devices": {"interfaces": [{"name": "default", "macAddress": "02:00:00:00:00:01"}]},
            "firmware": {"uuid": "u", "serial": "s"}}}}}});
        customize(
            &mut vm,
            &json!({"newMacAddresses": {"default": "02:00:00:00:00:99"}}),
        );
        assert_eq!(
            vm.pointer("/spec/template/spec/domain/devices/interfaces/0/macAddress"),
            Some(&json!("02:00:00:00:00:99"))
        );
        assert_eq!(
            vm.pointer("/spec/template/spec/domain/firmware"),
            Some(&json!({}))
        );
        assert_eq!(vm.pointer("/metadata/labels/a"), Some(&json!("1")));
    }
}
