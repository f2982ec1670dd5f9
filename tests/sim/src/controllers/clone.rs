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

fn set_phase(
    ctx: &Ctx,
    ns: &str,
    name: &str,
    phase: &str,
    extra: impl FnOnce(&mut Map<String, Value>),
) {
    write_status(ctx, ns, name, |st| {
        st.insert("phase".into(), json!(phase));
        extra(st);
        match phase {
            "Succeeded" => {
                set_condition(st, "Progressing", false, "Ready", None);
                set_condition(st, "Ready", true, "Ready", None);
            }
            "Failed" => {
                set_condition(st, "Progressing", false, "Failed", None);
                set_condition(st, "Ready", false, "Failed", None);
            }
            _ => {
                set_condition(st, "Progressing", true, "Still processing", None);
                set_condition(st, "Ready", false, "Still processing", None);
            }
        }
    });
}

fn fail(ctx: &Ctx, ns: &str, name: &str, why: &str) {
    set_phase(ctx, ns, name, "Failed", |_| {});
    let _ = ctx
        .store
        .get(&gvr::clone(), Some(ns), name)
        .map(|c| ctx.record_event(&c, "CloneFailed", why));
}

fn snapshot_ready(s: &Value) -> bool {
    s.pointer("/status/readyToUse") == Some(&Value::Bool(true))
}

/// Five lowercase letters/digits from a uid, like Kubernetes' random name suffixes.
fn suffix(uid: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = uid.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (0..5)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// Reconciles one VirtualMachineClone.
pub(crate) fn reconcile(ctx: &mut Ctx, ns: &str, name: &str) {
    let store = ctx.store.clone();
    let Some(clone) = store.get(&gvr::clone(), Some(ns), name) else {
        return;
    };
    if is_deleting(&clone) {
        return;
    }
    let uid = uid_of(&clone).to_string();
    let key = Key::Clone(ns.to_string(), name.to_string());
    let phase = str_at(&clone, "/status/phase").unwrap_or("").to_string();
    if matches!(phase.as_str(), "Succeeded" | "Failed") {
        return;
    }
    if phase.is_empty() || phase == "Unknown" {
        set_phase(ctx, ns, name, "SnapshotInProgress", |_| {});
        return;
    }
    let source_kind = str_at(&clone, "/spec/source/kind")
        .unwrap_or("VirtualMachine")
        .to_string();
    let source_name = str_at(&clone, "/spec/source/name")
        .unwrap_or("")
        .to_string();
    let owner = owner_ref(&clone, "clone.kubevirt.io/v1beta1", "VirtualMachineClone");

    // The snapshot to restore from, and the VM it was taken of.
    let (snapshot, source_vm_name) = match source_kind.as_str() {
        "VirtualMachine" => {
            if store.get(&gvr::vm(), Some(ns), &source_name).is_none()
                && phase == "SnapshotInProgress"
            {
                fail(
                    ctx,
                    ns,
                    name,
                    &format!("VirtualMachine {source_name} does not exist in namespace {ns}"),
                );
                return;
            }
            let Some(snap_name) = str_at(&clone, "/status/snapshotName").map(str::to_string) else {
                let snap_name = format!("tmp-snapshot-{uid}");
                let snap = json!({
                    "apiVersion": "snapshot.kubevirt.io/v1beta1",
                    "kind": "VirtualMachineSnapshot",
                    "metadata": {"name": snap_name, "namespace": ns, "ownerReferences": [owner]},
                    "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": source_name}},
                });
                if store.create(&gvr::snapshot(), snap).is_ok()
                    || store.get(&gvr::snapshot(), Some(ns), &snap_name).is_some()
                {
                    write_status(ctx, ns, name, |st| {
                        st.insert("snapshotName".into(), json!(snap_name));
                    });
                }
                return;
            };
            (
                store.get(&gvr::snapshot(), Some(ns), &snap_name),
                source_name.clone(),
            )
        }
        "VirtualMachineSnapshot" => {
            let snap = store.get(&gvr::snapshot(), Some(ns), &source_name);
            let vm_name = snap
                .as_ref()
                .and_then(|s| str_at(s, "/spec/source/name"))
                .unwrap_or("")
                .to_string();
            (snap, vm_name)
        }
        other => {
            fail(
                ctx,
                ns,
                name,
                &format!("clone {name} is defined with an unknown source type {other}"),
            );
            return;
        }
    };
    let Some(snapshot) = snapshot else {
        if phase != "SnapshotInProgress" || source_kind == "VirtualMachineSnapshot" {
            fail(ctx, ns, name, "snapshot does not exist anymore");
        }
        return;
    };
    if str_at(&snapshot, "/status/phase") == Some("Failed") {
        fail(
            ctx,
            ns,
            name,
            &format!("snapshot {} failed", name_of(&snapshot)),
        );
        return;
    }

    match phase.as_str() {
        "SnapshotInProgress" if snapshot_ready(&snapshot) => {
            set_phase(ctx, ns, name, "RestoreInProgress", |_| {});
        }
        "RestoreInProgress" => {
            let Some(restore_name) = str_at(&clone, "/status/restoreName").map(str::to_string)
            else {
                let target = str_at(&clone, "/spec/target/name")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{source_vm_name}-clone-{}", suffix(&uid)));
                let restore_name = format!("tmp-restore-{uid}");
                let restore = json!({
                    "apiVersion": "snapshot.kubevirt.io/v1beta1",
                    "kind": "VirtualMachineRestore",
                    "metadata": {"name": restore_name, "namespace": ns, "ownerReferences": [owner]},
                    "spec": {
                        "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": target},
                        "virtualMachineSnapshotName": name_of(&snapshot),
                    },
                });
                if store.create(&gvr::restore(), restore).is_ok()
                    || store
                        .get(&gvr::restore(), Some(ns), &restore_name)
                        .is_some()
                {
                    write_status(ctx, ns, name, |st| {
                        st.insert("restoreName".into(), json!(restore_name));
                    });
                }
                return;
            };
            let Some(restore) = store.get(&gvr::restore(), Some(ns), &restore_name) else {
                return;
            };
            if condition_true(&restore, "Failure") {
                fail(ctx, ns, name, &format!("restore {restore_name} failed"));
            } else if restore.pointer("/status/complete") == Some(&Value::Bool(true)) {
                let target = str_at(&restore, "/spec/target/name")
                    .unwrap_or("")
                    .to_string();
                set_phase(ctx, ns, name, "CreatingTargetVM", |st| {
                    st.insert("targetName".into(), json!(target));
                });
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
            if source_kind == "VirtualMachine" {
                let _ = store.delete(&gvr::snapshot(), Some(ns), name_of(&snapshot));
            }
            if let Some(r) = str_at(&clone, "/status/restoreName") {
                let _ = store.delete(&gvr::restore(), Some(ns), r);
            }
            set_phase(ctx, ns, name, "Succeeded", |st| {
                st.remove("snapshotName");
                st.remove("restoreName");
            });
            ctx.forget("clone-work", &uid);
            if let Some(c) = store.get(&gvr::clone(), Some(ns), name) {
                ctx.record_event(
                    &c,
                    "TargetVMCreated",
                    &format!("created target VM {target} for clone {name}"),
                );
            }
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
