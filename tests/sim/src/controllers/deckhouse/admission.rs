//! Deckhouse's validating webhooks and the CEL rules of its CRDs that the generic schema
//! validator skips: immutable snapshot and operation specs, "one active operation per VM",
//! and the operation CEL rules (Restore/Clone blocks, clone naming).
//!
//! CEL refusals come from the apiserver itself in a real cluster; here they travel through
//! the same [`Denial`] as the webhooks, so their message carries the webhook prefix.

use serde_json::Value;

use super::super::admission::{Denial, Operation};
use super::ops::{can_supersede, is_finished};
use super::{GROUP, gvr};
use crate::controllers::{name_of, ns_of, str_at};
use crate::schema::Cause;
use crate::store::{Gvr, Store};

/// Webhook names as registered by the virtualization module (inferred from its naming).
pub const VMOP_WEBHOOK: &str = "vmop.virtualization-controller.validate.d8-virtualization";
pub const VMS_WEBHOOK: &str = "vms.virtualization-controller.validate.d8-virtualization";
pub const VDS_WEBHOOK: &str = "vds.virtualization-controller.validate.d8-virtualization";
pub const VMSOP_WEBHOOK: &str = "vmsop.virtualization-controller.validate.d8-virtualization";

fn cause(message: impl Into<String>, field: &str) -> Cause {
    Cause {
        field: field.into(),
        reason: "FieldValueInvalid".into(),
        message: message.into(),
    }
}

/// Runs the Deckhouse admission for `gvr`; None for kinds of other groups.
pub fn admit(
    store: &Store,
    gvr_: &Gvr,
    op: Operation,
    obj: &Value,
    old: Option<&Value>,
) -> Option<Result<(), Denial>> {
    if gvr_.group != GROUP {
        return None;
    }
    let spec_changed = || old.is_some_and(|o| o.get("spec") != obj.get("spec"));
    let (webhook, causes) = match (gvr_.plural.as_str(), op) {
        ("virtualmachinesnapshots", Operation::Update) if spec_changed() => (
            VMS_WEBHOOK,
            vec![cause(
                "VirtualMachineSnapshot is an idempotent resource: specification changes are not available",
                "spec",
            )],
        ),
        ("virtualdisksnapshots", Operation::Update) if spec_changed() => (
            VDS_WEBHOOK,
            vec![cause(
                "VirtualDiskSnapshot is an idempotent resource: specification changes are not available",
                "spec",
            )],
        ),
        ("virtualmachineoperations", Operation::Update) if spec_changed() => {
            (VMOP_WEBHOOK, vec![cause(".spec is immutable", "spec")])
        }
        ("virtualmachinesnapshotoperations", Operation::Update) if spec_changed() => {
            (VMSOP_WEBHOOK, vec![cause(".spec is immutable", "spec")])
        }
        ("virtualmachineoperations", Operation::Create) => (VMOP_WEBHOOK, vmop_create(store, obj)),
        ("virtualmachinesnapshotoperations", Operation::Create) => (
            VMSOP_WEBHOOK,
            obj.pointer("/spec/createVirtualMachine")
                .map(|p| clone_params(p, "spec.createVirtualMachine"))
                .unwrap_or_default(),
        ),
        _ => return Some(Ok(())),
    };
    Some(if causes.is_empty() {
        Ok(())
    } else {
        Err(Denial { webhook, causes })
    })
}

/// The clone naming CEL rules of `spec.clone` / `spec.createVirtualMachine`.
fn clone_params(p: &Value, field: &str) -> Vec<Cause> {
    let mut out = Vec::new();
    let set = |k: &str| str_at(p, &format!("/customization/{k}")).is_some_and(|s| !s.is_empty());
    let replacements = p
        .get("nameReplacement")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if !(set("namePrefix") || set("nameSuffix") || replacements) {
        out.push(cause(
            "At least one of customization.namePrefix, customization.nameSuffix, or nameReplacement must be set",
            field,
        ));
    }
    for k in ["namePrefix", "nameSuffix"] {
        if let Some(s) = str_at(p, &format!("/customization/{k}"))
            && (s.is_empty() || s.len() > 59)
        {
            out.push(cause(
                format!("{k} must be between 1 and 59 characters"),
                &format!("{field}.customization.{k}"),
            ));
        }
    }
    for r in p
        .get("nameReplacement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let to = r.get("to").and_then(Value::as_str).unwrap_or("");
        if to.is_empty() || to.len() > 59 {
            out.push(cause(
                "nameReplacement.to must be between 1 and 59 characters",
                &format!("{field}.nameReplacement"),
            ));
        }
    }
    out
}

fn vmop_create(store: &Store, obj: &Value) -> Vec<Cause> {
    let type_ = str_at(obj, "/spec/type").unwrap_or("");
    let mut out = Vec::new();
    if type_ == "Start" && obj.pointer("/spec/force") == Some(&Value::Bool(true)) {
        out.push(cause(
            "The `Start` operation cannot be performed forcibly.",
            "spec",
        ));
    }
    if type_ == "Restore" && obj.pointer("/spec/restore").is_none() {
        out.push(cause("Restore requires restore field.", "spec"));
    }
    if type_ == "Clone" {
        match obj.pointer("/spec/clone") {
            None => out.push(cause("Clone requires clone field.", "spec")),
            Some(p) => out.extend(clone_params(p, "spec.clone")),
        }
    }
    if obj.pointer("/spec/migrate").is_some() && type_ != "Migrate" {
        out.push(cause(
            "spec.migrate can only be set when spec.type is 'Migrate'",
            "spec",
        ));
    }
    if !out.is_empty() {
        return out;
    }
    // One active operation per VM, unless the new one supersedes it (activeVMOPValidator in
    // vmop/vmop_webhook.go with vmop/supersede/supersede.go).
    let vm = str_at(obj, "/spec/virtualMachineName").unwrap_or("");
    let ns = ns_of(obj);
    let mut active: Vec<Value> = store
        .list(&gvr("virtualmachineoperations"), Some(ns))
        .into_iter()
        .filter(|o| str_at(o, "/spec/virtualMachineName") == Some(vm) && !is_finished(o))
        .collect();
    active.sort_by(|a, b| {
        str_at(a, "/metadata/creationTimestamp").cmp(&str_at(b, "/metadata/creationTimestamp"))
    });
    if let Some(running) = active.iter().find(|o| !can_supersede(o, obj)) {
        out.push(cause(
            format!(
                "VMOP cannot be executed now. Previously created operation {:?} should finish first",
                name_of(running)
            ),
            "",
        ));
    }
    out
}
