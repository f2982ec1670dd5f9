//! VM Operator's admission webhooks for snapshots: the mutating one that labels a new
//! VirtualMachineSnapshot with its VM, and the validating ones of VirtualMachineSnapshot
//! (vmName required and immutable, no VKS/TKG nodes, no shared SCSI controllers) and of
//! VirtualMachine's revert field `spec.currentSnapshotName`.
//!
//! VM Operator answers a denial with code 422 and the joined field errors
//! (`webhooks/common/response.go`); the apiserver prefixes them with the webhook's name.

use serde_json::{Value, json};

use super::admission::{Denial, Operation};
use super::str_at;
use super::vmoperator::{GROUP, VM_NAME_LABEL, is_vks_node, vm_gvr};
use crate::schema::Cause;
use crate::store::{Gvr, Store};

const SNAPSHOT_WEBHOOK: &str =
    "default.validating.virtualmachinesnapshot.v1alpha6.vmoperator.vmware.com";
const VM_WEBHOOK: &str = "default.validating.virtualmachine.v1alpha6.vmoperator.vmware.com";

/// A `field.Error` as Go prints it (`spec.vmName: Forbidden: ...`), as a cause.
fn field_error(field: &str, kind: &str, body: String) -> Cause {
    let reason = match kind {
        "Required value" => "FieldValueRequired",
        "Forbidden" => "FieldValueForbidden",
        "Unsupported value" => "FieldValueNotSupported",
        _ => "FieldValueInvalid",
    };
    Cause {
        field: field.into(),
        reason: reason.into(),
        message: format!("{field}: {kind}: {body}"),
    }
}

/// How `field.Invalid` prints a value: strings quoted, the rest as JSON.
fn shown(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => format!("{s:?}"),
        Some(Value::Bool(b)) => b.to_string(),
        Some(v) => v.to_string(),
        None => "null".into(),
    }
}

/// The mutating webhook: on create, label the snapshot with `spec.vmName` unless labelled.
pub fn mutate(gvr: &Gvr, op: Operation, obj: &mut Value) {
    if gvr.group != GROUP || gvr.plural != "virtualmachinesnapshots" || op != Operation::Create {
        return;
    }
    let Some(vm) = str_at(obj, "/spec/vmName")
        .filter(|v| !v.is_empty())
        .map(str::to_string)
    else {
        return;
    };
    let meta = super::ensure_obj(obj, "metadata");
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    if !labels.is_object() {
        *labels = json!({});
    }
    if labels.get(VM_NAME_LABEL).is_none() {
        labels[VM_NAME_LABEL] = json!(vm);
    }
}

/// The validating webhooks; None for kinds they do not cover.
pub fn admit(
    store: &Store,
    gvr: &Gvr,
    op: Operation,
    obj: &Value,
    old: Option<&Value>,
) -> Option<Result<(), Denial>> {
    if gvr.group != GROUP {
        return None;
    }
    let (webhook, causes) = match gvr.plural.as_str() {
        "virtualmachinesnapshots" => (
            SNAPSHOT_WEBHOOK,
            match op {
                Operation::Create => snapshot_create(store, obj),
                Operation::Update => snapshot_update(obj, old),
            },
        ),
        "virtualmachines" => (VM_WEBHOOK, vm_snapshot_fields(obj, old)),
        _ => return None,
    };
    Some(if causes.is_empty() {
        Ok(())
    } else {
        Err(Denial { webhook, causes })
    })
}

fn label_mismatch(obj: &Value) -> Option<Cause> {
    let label = obj
        .pointer("/metadata/labels")?
        .get(VM_NAME_LABEL)?
        .as_str()?;
    let vm = str_at(obj, "/spec/vmName").unwrap_or("");
    (label != vm).then(|| {
        field_error(
            &format!("metadata.labels[{VM_NAME_LABEL}]"),
            "Invalid value",
            format!("{label:?}: must match spec.vmName {vm:?}"),
        )
    })
}

fn snapshot_create(store: &Store, obj: &Value) -> Vec<Cause> {
    let vm_name = str_at(obj, "/spec/vmName").unwrap_or("");
    if vm_name.is_empty() {
        return vec![field_error(
            "spec.vmName",
            "Required value",
            "vmName must be provided".into(),
        )];
    }
    let mut causes: Vec<Cause> = label_mismatch(obj).into_iter().collect();
    let ns = str_at(obj, "/metadata/namespace").unwrap_or("");
    // A VM that does not exist (yet) is allowed: the controller deals with it.
    let Some(vm) = store.get(&vm_gvr(), Some(ns), vm_name) else {
        return causes;
    };
    if is_vks_node(&vm) {
        causes.push(field_error(
            "spec.vmName",
            "Forbidden",
            "snapshots are not allowed for VKS/TKG nodes".into(),
        ));
    }
    for c in vm
        .pointer("/spec/hardware/scsiControllers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mode = str_at(c, "/sharingMode").unwrap_or("None");
        if mode != "None" {
            let bus = c.get("busNumber").cloned().unwrap_or(json!(0));
            causes.push(field_error(
                "spec.vmName",
                "Unsupported value",
                format!(
                    "{:?}: supported values: \"None\"",
                    format!("controller type SCSIControllers bus {bus} is using unsupported sharingMode for snapshot: {mode}")
                ),
            ));
        }
    }
    causes
}

fn snapshot_update(obj: &Value, old: Option<&Value>) -> Vec<Cause> {
    let Some(old) = old else { return vec![] };
    let mut causes = Vec::new();
    for field in ["memory", "quiesce", "vmName"] {
        let new_v = obj.pointer(&format!("/spec/{field}"));
        let old_v = old.pointer(&format!("/spec/{field}"));
        // Absent and the zero value decode alike in Go.
        let zero = |v: Option<&Value>| match v {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => !b,
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        if new_v != old_v && !(zero(new_v) && zero(old_v)) {
            causes.push(field_error(
                &format!("spec.{field}"),
                "Invalid value",
                format!("{}: field is immutable", shown(new_v)),
            ));
        }
    }
    causes.extend(label_mismatch(obj));
    causes
}

/// `validateSnapshot` of the VirtualMachine webhook (revert requests).
fn vm_snapshot_fields(obj: &Value, old: Option<&Value>) -> Vec<Cause> {
    let path = "spec.currentSnapshotName";
    let name = str_at(obj, "/spec/currentSnapshotName").unwrap_or("");
    if old.is_none() && !name.is_empty() {
        return vec![field_error(
            path,
            "Forbidden",
            "creating VM with current snapshot is not allowed".into(),
        )];
    }
    if name.is_empty() {
        return vec![];
    }
    if name.trim().is_empty() {
        return vec![field_error(
            path,
            "Invalid value",
            format!("{name:?}: currentSnapshotName cannot be empty"),
        )];
    }
    let mut causes = Vec::new();
    let previous = old
        .and_then(|o| str_at(o, "/spec/currentSnapshotName"))
        .unwrap_or("");
    if !previous.is_empty() && previous != name {
        causes.push(field_error(
            path,
            "Forbidden",
            "a snapshot revert is already in progress".into(),
        ));
    }
    if is_vks_node(obj) {
        causes.push(field_error(
            path,
            "Forbidden",
            "snapshot revert is not allowed for VKS nodes".into(),
        ));
    }
    causes
}
