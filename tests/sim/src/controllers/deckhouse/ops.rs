//! Deckhouse operations: VirtualMachineOperation (Start, Stop, Restore, Clone; DryRun,
//! Strict, BestEffort), VirtualMachineSnapshotOperation (CreateVirtualMachine), and the
//! garbage collection of finished operations (TTL, and the newest ten per VM or snapshot).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{
    API_VERSION, D, OPERATION_TTL, OPERATIONS_KEPT, RESTORE_POWER_STATE_ANNOTATION, VM_UID_LABEL,
    VMOP_SNAPSHOT_ANNOTATION, VMOP_UID_ANNOTATION, gvr, owner, phase, remove_cond, secret_gvr,
    secret_json, set_cond, set_phase, set_vm_phase,
};
use crate::controllers::{Outcome, ensure_obj, is_deleting, name_of, ns_of, str_at, uid_of};

/// A finished operation: nothing will change it any more.
pub fn is_finished(op: &Value) -> bool {
    matches!(phase(op), "Completed" | "Failed" | "Superseded")
}

/// Longest name a cloned resource may get.
pub const MAX_NAME: usize = 63;

/// One `status.resources[]` entry (apiVersion holds only the version, as the real controller writes).
fn res(kind: &str, name: &str, status: &str, message: &str) -> Value {
    let version = if kind == "Secret" { "v1" } else { "v1alpha2" };
    json!({"apiVersion": version, "kind": kind, "name": name, "status": status, "message": message})
}

fn failed(resources: &[Value]) -> bool {
    resources.iter().any(|r| r["status"] == "Failed")
}

pub(super) fn reconcile_operations(d: &mut D, ns: &str) {
    let mut vmops = d.list("virtualmachineoperations", ns);
    sort_by_age(&mut vmops);
    for op in &vmops {
        reconcile_vmop(d, op, &vmops);
    }
    let mut vmsops = d.list("virtualmachinesnapshotoperations", ns);
    sort_by_age(&mut vmsops);
    for op in &vmsops {
        reconcile_vmsop(d, op, &vmsops);
    }
    collect(
        d,
        "virtualmachineoperations",
        ns,
        "/spec/virtualMachineName",
    );
    collect(
        d,
        "virtualmachinesnapshotoperations",
        ns,
        "/spec/virtualMachineSnapshotName",
    );
}

fn sort_by_age(ops: &mut [Value]) {
    ops.sort_by(|a, b| {
        let key = |o: &Value| {
            (
                str_at(o, "/metadata/creationTimestamp")
                    .unwrap_or("")
                    .to_string(),
                str_at(o, "/metadata/resourceVersion")
                    .and_then(|r| r.parse::<u64>().ok())
                    .unwrap_or(0),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// Deletes finished operations past the TTL, and all but the newest ten per VM / snapshot.
fn collect(d: &mut D, plural: &str, ns: &str, by: &str) {
    let mut ops = d.list(plural, ns);
    sort_by_age(&mut ops);
    let mut per: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for op in ops.iter().filter(|o| is_finished(o) && !is_deleting(o)) {
        per.entry(str_at(op, by).unwrap_or("").to_string())
            .or_default()
            .push(op);
    }
    for list in per.values() {
        let extra = list.len().saturating_sub(OPERATIONS_KEPT);
        for (i, op) in list.iter().enumerate() {
            let expired = match d.config.deadline(OPERATION_TTL) {
                Some(ttl) => d.elapsed("finished", uid_of(op), ttl, ns),
                None => false,
            };
            if i < extra || expired {
                let _ = d.store.delete(&gvr(plural), Some(ns), name_of(op));
            }
        }
    }
}

fn finish(new: &mut Value, ok: bool, reason: &str, message: &str) {
    set_phase(new, if ok { "Completed" } else { "Failed" });
    set_cond(
        new,
        "Completed",
        if ok { "True" } else { "False" },
        reason,
        message,
    );
}

fn reconcile_vmop(d: &mut D, op: &Value, all: &[Value]) {
    if is_deleting(op) || is_finished(op) {
        return;
    }
    let ns = ns_of(op);
    let g = gvr("virtualmachineoperations");
    let vm_name = str_at(op, "/spec/virtualMachineName")
        .unwrap_or("")
        .to_string();
    let mut new = op.clone();
    if phase(op).is_empty() {
        set_phase(&mut new, "Pending");
    }
    let Some(vm) = d.get("virtualmachines", ns, &vm_name) else {
        finish(
            &mut new,
            false,
            "VirtualMachineNotFound",
            "VirtualMachine not found",
        );
        d.write(&g, op, new);
        return;
    };
    if phase(op) != "InProgress" && !supersede_older(d, op, all) {
        // The controller path of "one active operation per VM" (the webhook refuses first).
        finish(
            &mut new,
            false,
            "NotReadyToBeExecuted",
            "VMOP cannot be executed now. Previously created operation should finish first.",
        );
        d.write(&g, op, new);
        return;
    }
    new["metadata"]["labels"][VM_UID_LABEL] = json!(uid_of(&vm));
    match str_at(op, "/spec/type").unwrap_or("") {
        "Start" => power(d, op, &vm, &mut new, true),
        "Stop" => power(d, op, &vm, &mut new, false),
        "Restore" => restore(d, op, &vm, &mut new),
        "Clone" => clone_vm(d, op, &vm, &mut new),
        other => finish(
            &mut new,
            true,
            "OperationCompleted",
            &format!("The {other} operation is not simulated: completed without effect."),
        ),
    }
    d.write(&g, op, new);
}

/// Whether `new_op` may supersede the active `old` (`vmop/supersede/supersede.go`): Stop
/// supersedes Start; a forced Stop or Restart supersedes an unforced Stop or Restart;
/// Stop and Restart supersede Migrate and Evict. Nothing supersedes Restore or Clone.
pub(super) fn can_supersede(old: &Value, new_op: &Value) -> bool {
    let vm = |o: &Value| str_at(o, "/spec/virtualMachineName").map(str::to_string);
    if vm(old) != vm(new_op) {
        return false;
    }
    let forced = |o: &Value| o.pointer("/spec/force") == Some(&Value::Bool(true));
    let new_type = str_at(new_op, "/spec/type").unwrap_or("");
    match str_at(old, "/spec/type").unwrap_or("") {
        "Start" => new_type == "Stop",
        "Stop" | "Restart" => {
            !forced(old) && matches!(new_type, "Stop" | "Restart") && forced(new_op)
        }
        "Migrate" | "Evict" => matches!(new_type, "Stop" | "Restart"),
        _ => false,
    }
}

/// The older active operations of `op`'s VM (`findOlderActiveVMOPs`): none, or all of them
/// superseded by `op` (marked Superseded) → true; one it cannot supersede → false.
fn supersede_older(d: &D, op: &Value, all: &[Value]) -> bool {
    let g = gvr("virtualmachineoperations");
    let vm = str_at(op, "/spec/virtualMachineName");
    // Re-read: this pass may already have finished some of them.
    let older: Vec<Value> = all
        .iter()
        .take_while(|o| uid_of(o) != uid_of(op))
        .filter(|o| str_at(o, "/spec/virtualMachineName") == vm)
        .filter_map(|o| d.get("virtualmachineoperations", ns_of(o), name_of(o)))
        .filter(|o| !is_finished(o) && !is_deleting(o))
        .collect();
    if !older.iter().all(|o| can_supersede(o, op)) {
        return false;
    }
    let by = format!(
        "Superseded by {} with type {}",
        name_of(op),
        str_at(op, "/spec/type").unwrap_or("")
    );
    for old in &older {
        let mut superseded = old.clone();
        set_phase(&mut superseded, "Superseded");
        set_cond(&mut superseded, "Completed", "True", "Superseded", &by);
        d.write(&g, old, superseded);
    }
    true
}

/// The VM's runPolicy, with the CRD's default when unset.
pub(crate) fn run_policy(vm: &Value) -> &str {
    str_at(vm, "/spec/runPolicy").unwrap_or("AlwaysOnUnlessStoppedManually")
}

fn power(d: &mut D, op: &Value, vm: &Value, new: &mut Value, start: bool) {
    let (via, to, reason) = if start {
        ("Starting", "Running", "StartInProgress")
    } else {
        ("Stopping", "Stopped", "StopInProgress")
    };
    let vm_phase = phase(vm);
    let type_ = str_at(op, "/spec/type").unwrap_or("");
    if phase(op) != "InProgress" {
        // IsApplicableOrSetFailedPhase: the run policy first, then the phase
        // (powerstate/internal/service/{start,stop}.go).
        let policy = run_policy(vm);
        if !matches!(policy, "Manual" | "AlwaysOnUnlessStoppedManually") {
            finish(
                new,
                false,
                "NotApplicableForVirtualMachineRunPolicy",
                &format!(
                    "Operation type {type_} is not applicable for VirtualMachine with runPolicy {policy}"
                ),
            );
            return;
        }
        let forced = op.pointer("/spec/force") == Some(&Value::Bool(true));
        let applicable = if start {
            matches!(vm_phase, "Stopped" | "Stopping")
        } else {
            matches!(
                vm_phase,
                "Running" | "Degraded" | "Starting" | "Pause" | "Pending"
            ) || (vm_phase == "Stopping" && forced)
        };
        if !applicable {
            finish(
                new,
                false,
                "NotApplicableForVirtualMachinePhase",
                &format!(
                    "Operation type {type_} is not applicable for VirtualMachine in phase {vm_phase}"
                ),
            );
            return;
        }
        let mut nvm = vm.clone();
        set_vm_phase(&mut nvm, via);
        d.write(&gvr("virtualmachines"), vm, nvm);
        set_phase(new, "InProgress");
        set_cond(
            new,
            "Completed",
            "False",
            reason,
            "Waiting for the operation to complete.",
        );
        set_cond(new, "SignalSent", "True", "SignalSentSuccess", "");
        return;
    }
    if vm_phase == to {
        finish(new, true, "OperationCompleted", "");
    }
}

/// What a snapshot saved: the VM manifest, its IP and MACs, its disks.
struct Saved {
    snapshot: Value,
    vm: Value,
    vmip: Option<Value>,
    vmmacs: Vec<Value>,
    disks: Vec<Value>,
}

fn saved(d: &D, ns: &str, snapshot: &str) -> Option<Saved> {
    let snap = d.get("virtualmachinesnapshots", ns, snapshot)?;
    if !super::condition_true(&snap, "VirtualMachineSnapshotReady") {
        return None;
    }
    let secret = d.store.get(
        &secret_gvr(),
        Some(ns),
        str_at(&snap, "/status/virtualMachineSnapshotSecretName")?,
    )?;
    Some(Saved {
        vm: secret_json(&secret, "vm")?,
        vmip: secret_json(&secret, "vmip"),
        vmmacs: secret_json(&secret, "vmmacs")
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default(),
        disks: secret_json(&secret, "vds")
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default(),
        snapshot: snap,
    })
}

/// Images the saved VM references that no longer exist: (kind, name).
fn missing_images(d: &D, ns: &str, vm: &Value) -> Vec<(String, String)> {
    vm.pointer("/spec/blockDeviceRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let kind = r.get("kind")?.as_str()?;
            let name = r.get("name")?.as_str()?;
            let exists = match kind {
                "VirtualImage" => d.get("virtualimages", ns, name).is_some(),
                "ClusterVirtualImage" => d
                    .store
                    .get(&gvr("clustervirtualimages"), None, name)
                    .is_some(),
                _ => return None,
            };
            (!exists).then(|| (kind.to_string(), name.to_string()))
        })
        .collect()
}

/// The restore validation (`ctrl/service/restorer`): one entry per resource, Failed for conflicts.
fn validate_restore(d: &D, ns: &str, vm_name: &str, s: &Saved, mode: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for disk in &s.disks {
        let name = name_of(disk);
        let users: Vec<String> = d
            .get("virtualdisks", ns, name)
            .and_then(|vd| vd.pointer("/status/attachedToVirtualMachines").cloned())
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.get("name").and_then(Value::as_str).map(str::to_string))
            .collect();
        if users.iter().any(|u| u != vm_name) {
            out.push(res(
                "VirtualDisk",
                name,
                "Failed",
                &format!("the virtual disk {name:?} already in use"),
            ));
        } else {
            out.push(res(
                "VirtualDisk",
                name,
                "Completed",
                &format!("{name} is valid for restore"),
            ));
        }
    }
    if let Some(ip) = &s.vmip {
        let ip_name = name_of(ip);
        let addr = str_at(ip, "/status/address").unwrap_or("");
        let ips = d.list("virtualmachineipaddresses", ns);
        let taken = ips.iter().find(|o| {
            name_of(o) != ip_name
                && !addr.is_empty()
                && str_at(o, "/status/address") == Some(addr)
                && str_at(o, "/status/virtualMachineName").is_some_and(|v| v != vm_name)
        });
        let same_elsewhere = ips.iter().any(|o| {
            name_of(o) == ip_name
                && str_at(o, "/status/virtualMachineName").is_some_and(|v| v != vm_name)
        });
        if let Some(t) = taken {
            out.push(res("VirtualMachineIPAddress", ip_name, "Failed", &format!(
                "the IP Address {addr:?} cannot be used for restore: it is taken by VirtualMachineIPAddress/{} and already in use by the different virtual machine", name_of(t))));
        } else if same_elsewhere {
            out.push(res("VirtualMachineIPAddress", ip_name, "Failed", &format!(
                "the virtual machine ip address {ip_name:?} is already in use and cannot be used for the restored virtual machine")));
        } else {
            out.push(res(
                "VirtualMachineIPAddress",
                ip_name,
                "Completed",
                &format!("{ip_name} is valid for restore"),
            ));
        }
    }
    let macs = d.list("virtualmachinemacaddresses", ns);
    for mac in &s.vmmacs {
        let mac_name = name_of(mac);
        let addr = str_at(mac, "/status/address").unwrap_or("");
        let taken = macs.iter().find(|o| {
            name_of(o) != mac_name
                && !addr.is_empty()
                && str_at(o, "/status/address") == Some(addr)
                && str_at(o, "/status/virtualMachineName").is_some_and(|v| v != vm_name)
        });
        let same_elsewhere = macs.iter().any(|o| {
            name_of(o) == mac_name
                && str_at(o, "/status/virtualMachineName").is_some_and(|v| v != vm_name)
        });
        if let Some(t) = taken {
            out.push(res("VirtualMachineMACAddress", mac_name, "Failed", &format!(
                "the MAC address {addr:?} cannot be used for restore: it is taken by VirtualMachineMACAddress/{} and already in use by the different virtual machine", name_of(t))));
        } else if same_elsewhere {
            out.push(res("VirtualMachineMACAddress", mac_name, "Failed", &format!(
                "the virtual machine mac address {mac_name:?} is already in use and cannot be used for the restored virtual machine")));
        } else {
            out.push(res(
                "VirtualMachineMACAddress",
                mac_name,
                "Completed",
                &format!("{mac_name} is valid for restore"),
            ));
        }
    }
    for (kind, name) in missing_images(d, ns, &s.vm) {
        // BestEffort ignores it (and drops the image); Strict keeps the reference and fails here.
        let status = if mode == "BestEffort" {
            "Completed"
        } else {
            "Failed"
        };
        out.push(res(
            &kind,
            &name,
            status,
            &format!("the virtual image is not found: {kind} {name:?}"),
        ));
    }
    out.push(res(
        "VirtualMachine",
        vm_name,
        "Completed",
        &format!("{vm_name} is valid for restore"),
    ));
    out
}

fn restore(d: &mut D, op: &Value, vm: &Value, new: &mut Value) {
    let ns = ns_of(op);
    let uid = uid_of(op).to_string();
    let vm_name = name_of(vm).to_string();
    let mode = str_at(op, "/spec/restore/mode")
        .unwrap_or("Strict")
        .to_string();
    let snap_name = str_at(op, "/spec/restore/virtualMachineSnapshotName")
        .unwrap_or("")
        .to_string();
    // Applicability comes first (the life cycle handler), then the steps: the snapshot must
    // exist and be Ready (vmsnapshot_ready_step.go), failing "Restore is failed: …".
    if phase(op) != "InProgress" && !matches!(phase(vm), "Stopped" | "Running" | "Pending") {
        finish(
            new,
            false,
            "NotApplicableForVirtualMachinePhase",
            &format!(
                "Operation type Restore is not applicable for VirtualMachine in phase {}",
                phase(vm)
            ),
        );
        return;
    }
    let Some(s) = saved(d, ns, &snap_name) else {
        let why = if d.get("virtualmachinesnapshots", ns, &snap_name).is_none() {
            "is not found"
        } else {
            "is not ready to use"
        };
        finish(
            new,
            false,
            "OperationFailed",
            &format!("Restore is failed: virtual machine snapshot {snap_name:?} {why}"),
        );
        return;
    };
    let snap_uid = uid_of(&s.snapshot).to_string();
    if phase(op) != "InProgress" {
        let resources = validate_restore(d, ns, &vm_name, &s, &mode);
        let bad = failed(&resources);
        ensure_obj(new, "status").insert("resources".into(), json!(resources));
        if mode == "DryRun" || bad {
            if bad {
                finish(
                    new,
                    false,
                    "OperationFailed",
                    "Restore is failed: fail to validate the resources: check the status",
                );
            } else {
                finish(new, true, "OperationCompleted", "");
            }
            return;
        }
        // Maintenance: stop the VM, remembering its power state.
        let mut nvm = vm.clone();
        let was = if matches!(phase(vm), "Running" | "Starting") {
            "Running"
        } else {
            "Stopped"
        };
        nvm["metadata"]["annotations"][RESTORE_POWER_STATE_ANNOTATION] = json!(was);
        set_cond(
            &mut nvm,
            "Maintenance",
            "True",
            "RestoreInProgress",
            "The virtual machine is being restored from a snapshot.",
        );
        d.write(&gvr("virtualmachines"), vm, nvm);
        set_phase(new, "InProgress");
        set_cond(
            new,
            "Completed",
            "False",
            "RestoreInProgress",
            "Waiting for the operation to complete.",
        );
        set_cond(
            new,
            "MaintenanceMode",
            "True",
            "MaintenanceModeEnabled",
            "VMOP has enabled maintenance mode on VM for restore operation.",
        );
        d.marks.insert(format!("restore-started/{uid}"));
        return;
    }
    // A scripted Stuck restore holds the VM in maintenance (an operation to wait for).
    let stuck = d
        .config
        .restores
        .find(ns, &[name_of(op), &vm_name])
        .is_some_and(|s| s.outcome == Outcome::Stuck);
    if stuck {
        return;
    }
    // In progress: recreate every saved disk from its disk snapshot, then the VM spec.
    let mut resources = Vec::new();
    let mut waiting = false;
    for disk in &s.disks {
        let name = name_of(disk).to_string();
        let vds_name = format!("{name}-{snap_uid}");
        let mark = format!("restored/{uid}/{name}");
        let current = d.get("virtualdisks", ns, &name);
        match current {
            Some(vd) if !d.marks.contains(&mark) => {
                let _ = d.store.delete(&gvr("virtualdisks"), Some(ns), name_of(&vd));
                waiting = true;
                resources.push(res("VirtualDisk", &name, "InProgress",
                    &format!("waiting for deletion of VirtualDisk {name} waiting for deletion to complete")));
            }
            None => {
                let mut vd = json!({"apiVersion": API_VERSION, "kind": "VirtualDisk",
                    "metadata": {"name": name, "namespace": ns},
                    "spec": {"dataSource": {"type": "ObjectRef",
                        "objectRef": {"kind": "VirtualDiskSnapshot", "name": vds_name}},
                        "persistentVolumeClaim": {}}});
                if let Some(sc) = str_at(disk, "/status/storageClassName") {
                    vd["spec"]["persistentVolumeClaim"]["storageClassName"] = json!(sc);
                }
                if let Some(sz) = str_at(disk, "/status/capacity") {
                    vd["spec"]["persistentVolumeClaim"]["size"] = json!(sz);
                }
                if let Some(l) = disk.pointer("/metadata/labels") {
                    vd["metadata"]["labels"] = l.clone();
                }
                let _ = d.store.create(&gvr("virtualdisks"), vd);
                d.marks.insert(mark);
                waiting = true;
                resources.push(res(
                    "VirtualDisk",
                    &name,
                    "InProgress",
                    &format!("{name} will be restored"),
                ));
            }
            Some(vd) => {
                let ready = phase(&vd) == "Ready";
                waiting |= !ready;
                resources.push(if ready {
                    res("VirtualDisk", &name, "Completed", "Successfully processed")
                } else {
                    res(
                        "VirtualDisk",
                        &name,
                        "InProgress",
                        &format!("{name} will be restored"),
                    )
                });
            }
        }
    }
    if let Some(ip) = &s.vmip {
        resources.push(res(
            "VirtualMachineIPAddress",
            name_of(ip),
            "Completed",
            "Successfully processed",
        ));
    }
    for mac in &s.vmmacs {
        resources.push(res(
            "VirtualMachineMACAddress",
            name_of(mac),
            "Completed",
            "Successfully processed",
        ));
    }
    let wait = d.config.restores.duration.0;
    let done_waiting = !waiting && d.elapsed("restore", &uid, d.scaled(wait), ns);
    if !done_waiting {
        resources.push(res(
            "VirtualMachine",
            &vm_name,
            "InProgress",
            &format!("{vm_name} will be updated"),
        ));
        ensure_obj(new, "status").insert("resources".into(), json!(resources));
        return;
    }
    // The VM spec, labels and annotations of the snapshot; BestEffort drops missing images.
    let mut nvm = vm.clone();
    let mut spec = s.vm.get("spec").cloned().unwrap_or(json!({}));
    if str_at(op, "/spec/restore/mode") == Some("BestEffort") {
        let missing = missing_images(d, ns, &s.vm);
        if let Some(refs) = spec
            .get_mut("blockDeviceRefs")
            .and_then(Value::as_array_mut)
        {
            refs.retain(|r| {
                !missing
                    .iter()
                    .any(|(k, n)| r["kind"] == k.as_str() && r["name"] == n.as_str())
            });
        }
    }
    nvm["spec"] = spec;
    if let Some(l) = s.vm.pointer("/metadata/labels") {
        nvm["metadata"]["labels"] = l.clone();
    }
    let power_state = str_at(
        vm,
        &format!(
            "/metadata/annotations/{}",
            RESTORE_POWER_STATE_ANNOTATION.replace('/', "~1")
        ),
    )
    .unwrap_or("Stopped")
    .to_string();
    let mut annotations =
        s.vm.pointer("/metadata/annotations")
            .cloned()
            .unwrap_or(json!({}));
    if let Some(a) = annotations.as_object_mut() {
        a.remove(RESTORE_POWER_STATE_ANNOTATION);
    }
    nvm["metadata"]["annotations"] = annotations;
    remove_cond(&mut nvm, "Maintenance");
    if power_state == "Running" {
        set_vm_phase(&mut nvm, "Starting");
    }
    d.write(&gvr("virtualmachines"), vm, nvm);
    resources.push(res(
        "VirtualMachine",
        &vm_name,
        "Completed",
        "Successfully processed",
    ));
    ensure_obj(new, "status").insert("resources".into(), json!(resources));
    set_cond(
        new,
        "MaintenanceMode",
        "False",
        "MaintenanceModeDisabled",
        "VMOP has disabled maintenance mode on VM.",
    );
    finish(new, true, "OperationCompleted", "");
}

/// The name a clone gives a resource: nameReplacement first, then prefix and suffix.
pub fn clone_name(params: &Value, kind: &str, name: &str) -> String {
    let replaced = params
        .get("nameReplacement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| {
            r.pointer("/from/name").and_then(Value::as_str) == Some(name)
                && r.pointer("/from/kind")
                    .and_then(Value::as_str)
                    .is_none_or(|k| k == kind)
        })
        .and_then(|r| r.get("to").and_then(Value::as_str))
        .unwrap_or(name);
    format!(
        "{}{replaced}{}",
        str_at(params, "/customization/namePrefix").unwrap_or(""),
        str_at(params, "/customization/nameSuffix").unwrap_or("")
    )
}

/// The objects a clone creates from a snapshot, and its per-resource validation.
fn clone_plan(
    d: &D,
    ns: &str,
    s: &Saved,
    params: &Value,
    dry_run: bool,
) -> (Vec<Value>, Vec<(String, Value)>) {
    let snap_uid = uid_of(&s.snapshot);
    let mut resources = Vec::new();
    let mut objects = Vec::new();
    let ok = |name: &str| {
        if dry_run {
            format!("{name} is valid for clone")
        } else {
            "Successfully processed".into()
        }
    };
    let too_long = |n: &str| {
        (n.len() > MAX_NAME).then(|| format!(
        "name {n:?} too long ({} > {MAX_NAME}): resource name exceeds maximum allowed length", n.len()))
    };
    let mut disk_names = BTreeMap::new();
    for disk in &s.disks {
        let old = name_of(disk);
        let new_name = clone_name(params, "VirtualDisk", old);
        disk_names.insert(old.to_string(), new_name.clone());
        let problem = too_long(&new_name).or_else(|| {
            let vd = d.get("virtualdisks", ns, &new_name)?;
            Some(
                match vd
                    .pointer("/status/attachedToVirtualMachines/0/name")
                    .and_then(Value::as_str)
                {
                    Some(vm) => {
                        format!("VirtualDisk with name {new_name} attached to VirtualMachine {vm}")
                    }
                    None => format!("VirtualDisk with name {new_name} already exists"),
                },
            )
        });
        match problem {
            Some(p) => resources.push(res("VirtualDisk", &new_name, "Failed", &p)),
            None => resources.push(res("VirtualDisk", &new_name, "Completed", &ok(&new_name))),
        }
        let mut vd = json!({"apiVersion": API_VERSION, "kind": "VirtualDisk",
            "metadata": {"name": new_name, "namespace": ns},
            "spec": {"dataSource": {"type": "ObjectRef",
                "objectRef": {"kind": "VirtualDiskSnapshot", "name": format!("{old}-{snap_uid}")}},
                "persistentVolumeClaim": {}}});
        if let Some(sc) = str_at(disk, "/status/storageClassName") {
            vd["spec"]["persistentVolumeClaim"]["storageClassName"] = json!(sc);
        }
        if let Some(sz) = str_at(disk, "/status/capacity") {
            vd["spec"]["persistentVolumeClaim"]["size"] = json!(sz);
        }
        objects.push(("virtualdisks".to_string(), vd));
    }
    let old_vm = name_of(&s.vm);
    let vm_name = clone_name(params, "VirtualMachine", old_vm);
    let problem = too_long(&vm_name).or_else(|| {
        d.get("virtualmachines", ns, &vm_name)
            .map(|_| format!("VirtualMachine with name {vm_name} already exists"))
    });
    match problem {
        Some(p) => resources.push(res("VirtualMachine", &vm_name, "Failed", &p)),
        None => resources.push(res("VirtualMachine", &vm_name, "Completed", &ok(&vm_name))),
    }
    // The clone gets new addresses: no IP or MAC claims are copied; labels are not copied.
    let mut spec = s.vm.get("spec").cloned().unwrap_or(json!({}));
    if let Some(m) = spec.as_object_mut() {
        m.remove("virtualMachineIPAddressName");
    }
    if let Some(nets) = spec.get_mut("networks").and_then(Value::as_array_mut) {
        for n in nets {
            if let Some(m) = n.as_object_mut() {
                m.remove("virtualMachineMACAddressName");
            }
        }
    }
    if let Some(refs) = spec
        .get_mut("blockDeviceRefs")
        .and_then(Value::as_array_mut)
    {
        for r in refs {
            if r["kind"] == "VirtualDisk"
                && let Some(n) = r["name"].as_str().and_then(|n| disk_names.get(n))
            {
                r["name"] = json!(n);
            }
        }
    }
    objects.push((
        "virtualmachines".to_string(),
        json!({"apiVersion": API_VERSION, "kind": "VirtualMachine",
            "metadata": {"name": vm_name, "namespace": ns}, "spec": spec}),
    ));
    (resources, objects)
}

fn create_all(d: &D, objects: Vec<(String, Value)>) {
    for (plural, obj) in objects {
        let _ = d.store.create(&gvr(&plural), obj);
    }
}

fn clone_vm(d: &mut D, op: &Value, vm: &Value, new: &mut Value) {
    let ns = ns_of(op);
    let params = op.pointer("/spec/clone").cloned().unwrap_or(json!({}));
    let mode = str_at(&params, "/mode").unwrap_or("Strict").to_string();
    let snap_name = str_at(
        op,
        &format!(
            "/metadata/annotations/{}",
            VMOP_SNAPSHOT_ANNOTATION.replace('/', "~1")
        ),
    )
    .map(str::to_string);
    let Some(snap_name) = snap_name else {
        if !matches!(phase(vm), "Stopped" | "Running") {
            finish(
                new,
                false,
                "NotApplicableForVirtualMachinePhase",
                &format!(
                    "The Clone operation cannot be applied to a virtual machine in the {:?} phase.",
                    phase(vm)
                ),
            );
            return;
        }
        // A temporary snapshot the user does not ask for (`vmop-clone-*`), owned by the operation.
        let snap = json!({"apiVersion": API_VERSION, "kind": "VirtualMachineSnapshot",
            "metadata": {"generateName": "vmop-clone-", "namespace": ns,
                "annotations": {VMOP_UID_ANNOTATION: uid_of(op)},
                "ownerReferences": [owner(op, "VirtualMachineOperation")]},
            "spec": {"virtualMachineName": name_of(vm), "requiredConsistency": true, "keepIPAddress": "Never"}});
        let Ok(created) = d.store.create(&gvr("virtualmachinesnapshots"), snap) else {
            return;
        };
        new["metadata"]["annotations"][VMOP_SNAPSHOT_ANNOTATION] = json!(name_of(&created));
        set_phase(new, "InProgress");
        set_cond(
            new,
            "Completed",
            "False",
            "CloneInProgress",
            "Waiting for the operation to complete.",
        );
        set_cond(
            new,
            "SnapshotReady",
            "False",
            "SnapshotInProgress",
            "Snapshot creation is in progress.",
        );
        return;
    };
    let snap = d.get("virtualmachinesnapshots", ns, &snap_name);
    let cleanup = |d: &D, new: &mut Value| {
        let _ = d
            .store
            .delete(&gvr("virtualmachinesnapshots"), Some(ns), &snap_name);
        set_cond(
            new,
            "SnapshotReady",
            "False",
            "SnapshotCleanedUp",
            "Snapshot cleanup completed.",
        );
    };
    match snap.as_ref().map(phase) {
        Some("Failed") => {
            let why = snap
                .as_ref()
                .and_then(|s| super::condition(s, "VirtualMachineSnapshotReady"))
                .and_then(|c| c.get("message"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            set_cond(new, "SnapshotReady", "False", "SnapshotFailed", &why);
            finish(
                new,
                false,
                "OperationFailed",
                &format!(
                    "virtual machine snapshot {snap_name:?} is in failed phase: {why} Try again with new VMOP Clone operation"
                ),
            );
            return;
        }
        Some("Ready") => {}
        None => {
            finish(
                new,
                false,
                "OperationFailed",
                &format!(
                    "virtual machine snapshot {snap_name:?} was deleted before the clone finished. Try again with new VMOP Clone operation"
                ),
            );
            return;
        }
        _ => return,
    }
    set_cond(new, "SnapshotReady", "True", "SnapshotReady", "");
    let Some(s) = saved(d, ns, &snap_name) else {
        return;
    };
    let (resources, objects) = clone_plan(d, ns, &s, &params, mode == "DryRun");
    let bad = failed(&resources);
    let created = d.marks.contains(&format!("cloned/{}", uid_of(op)));
    if !created {
        ensure_obj(new, "status").insert("resources".into(), json!(resources));
        if mode == "DryRun" || bad {
            cleanup(d, new);
            if bad {
                finish(
                    new,
                    false,
                    "OperationFailed",
                    "Clone is failed: fail to validate the resources: check the status",
                );
            } else {
                finish(new, true, "OperationCompleted", "");
            }
            return;
        }
        create_all(d, objects);
        d.marks.insert(format!("cloned/{}", uid_of(op)));
        return;
    }
    // Wait for the new disks, then drop the temporary snapshot.
    let disks_ready = new
        .pointer("/status/resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r["kind"] == "VirtualDisk")
        .all(|r| {
            d.get("virtualdisks", ns, r["name"].as_str().unwrap_or(""))
                .is_some_and(|vd| phase(&vd) == "Ready")
        });
    let wait = d.config.clones.duration.0;
    if disks_ready && d.elapsed("clone", uid_of(op), d.scaled(wait), ns) {
        cleanup(d, new);
        finish(new, true, "OperationCompleted", "");
    }
}

fn reconcile_vmsop(d: &mut D, op: &Value, all: &[Value]) {
    if is_deleting(op) || is_finished(op) {
        return;
    }
    let ns = ns_of(op);
    let g = gvr("virtualmachinesnapshotoperations");
    let mut new = op.clone();
    if phase(op).is_empty() {
        set_phase(&mut new, "Pending");
    }
    let snap_name = str_at(op, "/spec/virtualMachineSnapshotName")
        .unwrap_or("")
        .to_string();
    let earlier_active = all.iter().take_while(|o| uid_of(o) != uid_of(op)).any(|o| {
        str_at(o, "/spec/virtualMachineSnapshotName") == Some(snap_name.as_str()) && !is_finished(o)
    });
    let outcome: (bool, &str, String) = 'o: {
        let Some(snap) = d.get("virtualmachinesnapshots", ns, &snap_name) else {
            break 'o (
                false,
                "VirtualMachineSnapshotNotFound",
                format!("The VirtualMachineSnapshot {snap_name:?} is not found."),
            );
        };
        if earlier_active {
            break 'o (
                false,
                "NotReadyToBeExecuted",
                "The operation cannot start yet: another operation must finish first.".into(),
            );
        }
        if phase(&snap) != "Ready" {
            break 'o (
                false,
                "NotReadyToBeExecuted",
                format!("The VirtualMachineSnapshot {snap_name:?} is not ready yet."),
            );
        }
        let Some(params) = op.pointer("/spec/createVirtualMachine").cloned() else {
            break 'o (
                false,
                "OperationFailed",
                "Cannot start the clone: no parameters for the new virtual machine are specified."
                    .into(),
            );
        };
        let Some(s) = saved(d, ns, &snap_name) else {
            break 'o (
                false,
                "OperationFailed",
                format!("The VirtualMachineSnapshot {snap_name:?} is not ready yet."),
            );
        };
        let dry = str_at(&params, "/mode") == Some("DryRun");
        let (resources, objects) = clone_plan(d, ns, &s, &params, dry);
        let bad = failed(&resources);
        ensure_obj(&mut new, "status").insert("resources".into(), json!(resources));
        if bad {
            break 'o (
                false,
                "OperationFailed",
                "Clone is failed: fail to validate the resources: check the status".into(),
            );
        }
        if dry {
            break 'o (true, "OperationCompleted",
                "VirtualMachineSnapshotOperation completed. The virtual machine can be cloned from the snapshot".into());
        }
        create_all(d, objects);
        (
            true,
            "OperationCompleted",
            "VirtualMachineSnapshotOperation completed".into(),
        )
    };
    finish(&mut new, outcome.0, outcome.1, &outcome.2);
    d.write(&g, op, new);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_names_replace_then_add_prefix_and_suffix() {
        let p = json!({"nameReplacement": [{"from": {"kind": "VirtualDisk", "name": "db-root"}, "to": "copy-root"},
            {"from": {"name": "db"}, "to": "copy"}], "customization": {"namePrefix": "x-", "nameSuffix": "-y"}});
        assert_eq!(clone_name(&p, "VirtualDisk", "db-root"), "x-copy-root-y");
        assert_eq!(clone_name(&p, "VirtualMachine", "db"), "x-copy-y");
        assert_eq!(
            clone_name(&p, "VirtualMachine", "db-root"),
            "x-db-root-y",
            "kind must match when given"
        );
        assert_eq!(clone_name(&json!({}), "VirtualMachine", "a"), "a");
    }
}
