//! KubeVirt's validating admission webhooks for snapshots and restores (virt-api,
//! `pkg/storage/admitters`): what the apiserver refuses after schema validation passes.
//!
//! The server calls [`admit`] on create and update of custom resources; a [`Denial`] becomes
//! a 422 `Invalid` Status whose message reads
//! `admission webhook "virtualmachinesnapshot-validator.snapshot.kubevirt.io" denied the request: missing apiGroup`.

use serde_json::{Value, json};

use super::{gvr, name_of, str_at};
use crate::schema::Cause;
use crate::store::{Gvr, Store};

/// The admission operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// A webhook's refusal: its name and the causes it gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    pub webhook: &'static str,
    pub causes: Vec<Cause>,
}

impl Denial {
    /// The Status message the apiserver builds from a webhook's answer.
    pub fn message(&self) -> String {
        let joined: Vec<&str> = self.causes.iter().map(|c| c.message.as_str()).collect();
        format!(
            "admission webhook {:?} denied the request: {}",
            self.webhook,
            joined.join(", ")
        )
    }

    /// The whole `metav1.Status` body (422 Invalid with the causes).
    pub fn to_status(&self) -> Value {
        if self.webhook.ends_with(".vmoperator.vmware.com") {
            // VM Operator answers 422 with the joined field errors as the reason and no causes
            // (webhooks/common/response.go); the apiserver passes that on.
            let joined: Vec<&str> = self.causes.iter().map(|c| c.message.as_str()).collect();
            return json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": self.message(),
                "reason": joined.join(", "),
                "code": 422,
            });
        }
        let causes: Vec<Value> = self
            .causes
            .iter()
            .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
            .collect();
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": "Invalid",
            "details": {"causes": causes},
            "code": 422,
        })
    }
}

fn cause(reason: &str, message: impl Into<String>, field: &str) -> Cause {
    Cause {
        field: field.into(),
        reason: reason.into(),
        message: message.into(),
    }
}

/// Runs the KubeVirt webhook matching `gvr` (none for other kinds) on `obj`; `old` is the
/// stored object for an update.
pub fn admit(
    store: &Store,
    gvr: &Gvr,
    op: Operation,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), Denial> {
    if let Some(result) = super::vmoperator_admission::admit(store, gvr, op, obj, old) {
        return result;
    }
    if let Some(result) = super::clone_admission::admit(gvr, obj) {
        return result;
    }
    let (webhook, causes) = match (gvr.group.as_str(), gvr.plural.as_str()) {
        ("snapshot.kubevirt.io", "virtualmachinesnapshots") => (
            "virtualmachinesnapshot-validator.snapshot.kubevirt.io",
            match op {
                Operation::Create => snapshot_create(obj),
                Operation::Update => immutable_spec(obj, old),
            },
        ),
        ("snapshot.kubevirt.io", "virtualmachinerestores") => (
            "virtualmachinerestore-validator.snapshot.kubevirt.io",
            match op {
                Operation::Create => restore_create(store, obj),
                Operation::Update => immutable_spec(obj, old),
            },
        ),
        _ => return super::deckhouse::admission::admit(store, gvr, op, obj, old).unwrap_or(Ok(())),
    };
    if causes.is_empty() {
        Ok(())
    } else {
        Err(Denial { webhook, causes })
    }
}

fn immutable_spec(obj: &Value, old: Option<&Value>) -> Vec<Cause> {
    match old {
        Some(old) if old.get("spec") != obj.get("spec") => {
            vec![cause(
                "FieldValueInvalid",
                "spec in immutable after creation",
                "spec",
            )]
        }
        _ => vec![],
    }
}

/// Source must be a `kubevirt.io` VirtualMachine.
fn snapshot_create(obj: &Value) -> Vec<Cause> {
    match str_at(obj, "/spec/source/apiGroup") {
        None => vec![cause(
            "FieldValueNotFound",
            "missing apiGroup",
            "spec.source.apiGroup",
        )],
        Some("kubevirt.io") if str_at(obj, "/spec/source/kind") != Some("VirtualMachine") => {
            vec![cause(
                "FieldValueInvalid",
                "invalid kind",
                "spec.source.kind",
            )]
        }
        Some("kubevirt.io") => vec![],
        Some(_) => vec![cause(
            "FieldValueInvalid",
            "invalid apiGroup",
            "spec.source.apiGroup",
        )],
    }
}

/// Target must be a `kubevirt.io` VirtualMachine; patches only touch spec, labels and
/// annotations; overrides and policies must make sense; no other restore of the same target
/// may be incomplete (a failed one too, as in KubeVirt: delete it first).
fn restore_create(store: &Store, obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    match str_at(obj, "/spec/target/apiGroup") {
        None => causes.push(cause(
            "FieldValueNotFound",
            "missing apiGroup",
            "spec.target.apiGroup",
        )),
        Some("kubevirt.io") if str_at(obj, "/spec/target/kind") == Some("VirtualMachine") => {
            if restores_backend_storage_elsewhere(store, obj) {
                causes.push(cause(
                    "FieldValueInvalid",
                    "Restore to a different VM is not supported when snapshotted VM has backend storage (persistent TPM or EFI)",
                    "spec",
                ));
            }
            for patch in obj
                .pointer("/spec/patches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let patch = patch.as_str().unwrap_or("");
                for kv in patch.trim_matches(|c| c == '{' || c == '}').split(',') {
                    let parts: Vec<&str> = kv.split(':').collect();
                    if parts.len() != 2 {
                        causes.push(cause(
                            "FieldValueInvalid",
                            format!("patch format is not valid - one \":\" expected in a single key-value json patch: {kv}"),
                            "spec.patches",
                        ));
                        continue;
                    }
                    let (key, value) = (parts[0].trim(), parts[1].trim());
                    if key == "\"path\""
                        && !value.starts_with("\"/metadata/labels/")
                        && !value.starts_with("\"/metadata/annotations/")
                        && !value.starts_with("\"/spec/")
                    {
                        causes.push(cause(
                            "FieldValueInvalid",
                            format!("patching is valid only for elements under /spec/ only: {kv}"),
                            "spec.patches",
                        ));
                    }
                }
            }
            let overrides = obj
                .pointer("/spec/volumeRestoreOverrides")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (i, o) in overrides.iter().enumerate() {
                if str_at(o, "/volumeName").is_none_or(str::is_empty) {
                    causes.push(cause(
                        "FieldValueRequired",
                        "must provide a volume name",
                        &format!("spec.volumeRestoreOverrides[{i}].volumeName"),
                    ));
                }
                if str_at(o, "/restoreName").is_none_or(str::is_empty)
                    && o.get("labels").is_none()
                    && o.get("annotations").is_none()
                {
                    causes.push(cause(
                        "FieldValueRequired",
                        "must provide at least one overriden field",
                        &format!("spec.volumeRestoreOverrides[{i}]"),
                    ));
                }
            }
            if let Some(p) = str_at(obj, "/spec/volumeRestorePolicy")
                && !matches!(p, "InPlace" | "RandomizeNames")
            {
                causes.push(cause(
                    "FieldValueInvalid",
                    format!("volume restore policy \"{p}\" doesn't exist"),
                    "spec.volumeRestorePolicy",
                ));
            }
            if let Some(p) = str_at(obj, "/spec/volumeOwnershipPolicy")
                && !matches!(p, "Vm" | "None")
            {
                causes.push(cause(
                    "FieldValueInvalid",
                    format!("volume ownership policy \"{p}\" doesn't exist"),
                    "spec.volumeOwnershipPolicy",
                ));
            }
        }
        Some("kubevirt.io") => causes.push(cause(
            "FieldValueInvalid",
            "invalid kind",
            "spec.target.kind",
        )),
        Some(_) => causes.push(cause(
            "FieldValueInvalid",
            "invalid apiGroup",
            "spec.target.apiGroup",
        )),
    }
    let ns = super::ns_of(obj);
    let target = obj.pointer("/spec/target");
    for other in store.list(&gvr::restore(), Some(ns)) {
        if other.pointer("/spec/target") == target
            && other.pointer("/status/complete") != Some(&Value::Bool(true))
        {
            causes.push(cause(
                "FieldValueInvalid",
                format!("VirtualMachineRestore {:?} in progress", name_of(&other)),
                "spec.target",
            ));
        }
    }
    causes
}

/// `validateTargetVM`: restoring into another (or a new) VM a snapshot of a VM with a
/// persistent TPM or EFI (backend storage) is refused.
fn restores_backend_storage_elsewhere(store: &Store, obj: &Value) -> bool {
    let ns = super::ns_of(obj);
    let snap_name = str_at(obj, "/spec/virtualMachineSnapshotName").unwrap_or("");
    let Some(snapshot) = store.get(&gvr::snapshot(), Some(ns), snap_name) else {
        return false;
    };
    let target = store.get(
        &gvr::vm(),
        Some(ns),
        str_at(obj, "/spec/target/name").unwrap_or(""),
    );
    let source_uid = str_at(&snapshot, "/status/sourceUID");
    let different = match &target {
        None => true,
        Some(t) => source_uid.is_some_and(|u| u != super::uid_of(t)),
    };
    if !different {
        return false;
    }
    let Some(content) = str_at(&snapshot, "/status/virtualMachineSnapshotContentName")
        .and_then(|c| store.get(&gvr::content(), Some(ns), c))
    else {
        return false;
    };
    let domain = content.pointer("/spec/source/virtualMachine/spec/template/spec/domain");
    let persistent = |p: &str| domain.and_then(|d| d.pointer(p)) == Some(&Value::Bool(true));
    persistent("/devices/tpm/persistent") || persistent("/firmware/bootloader/efi/persistent")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap_gvr() -> Gvr {
        gvr::snapshot()
    }

    #[test]
    fn snapshot_source_must_be_a_kubevirt_vm() {
        let store = Store::new();
        let s = |source: Value| json!({"metadata": {"name": "s", "namespace": "p"}, "spec": {"source": source}});
        assert!(
            admit(
                &store,
                &snap_gvr(),
                Operation::Create,
                &s(json!({"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "v"})),
                None
            )
            .is_ok()
        );
        let d = admit(
            &store,
            &snap_gvr(),
            Operation::Create,
            &s(json!({"kind": "VirtualMachine", "name": "v"})),
            None,
        )
        .expect_err("denied");
        assert_eq!(
            d.message(),
            "admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: missing apiGroup"
        );
        assert_eq!(
            d.to_status()["details"]["causes"][0]["field"],
            "spec.source.apiGroup"
        );
        let d = admit(
            &store,
            &snap_gvr(),
            Operation::Create,
            &s(json!({"apiGroup": "kubevirt.io", "kind": "Pod", "name": "v"})),
            None,
        )
        .expect_err("denied");
        assert_eq!(d.causes[0].message, "invalid kind");
        let old = s(json!({"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "v"}));
        let new = s(json!({"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "w"}));
        let d =
            admit(&store, &snap_gvr(), Operation::Update, &new, Some(&old)).expect_err("denied");
        assert_eq!(d.causes[0].message, "spec in immutable after creation");
    }

    #[test]
    fn a_second_restore_of_the_same_target_is_refused_while_one_runs() {
        let store = Store::new();
        let r = |name: &str| {
            json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
                "metadata": {"name": name, "namespace": "p"},
                "spec": {"target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "vm"}, "virtualMachineSnapshotName": "s"}})
        };
        assert!(admit(&store, &gvr::restore(), Operation::Create, &r("r1"), None).is_ok());
        store.create(&gvr::restore(), r("r1")).expect("created");
        let d =
            admit(&store, &gvr::restore(), Operation::Create, &r("r2"), None).expect_err("denied");
        assert_eq!(
            d.causes[0].message,
            "VirtualMachineRestore \"r1\" in progress"
        );
        let mut bad = r("r3");
        bad["spec"]["volumeRestorePolicy"] = json!("Nope");
        bad["spec"]["target"]["name"] = json!("other");
        let d = admit(&store, &gvr::restore(), Operation::Create, &bad, None).expect_err("denied");
        assert_eq!(
            d.causes[0].message,
            "volume restore policy \"Nope\" doesn't exist"
        );
    }

    #[test]
    fn a_vm_with_a_persistent_tpm_restores_only_onto_itself() {
        let store = Store::new();
        let vm = store
            .create(
                &gvr::vm(),
                json!({"metadata": {"name": "win", "namespace": "p"}, "spec": {}}),
            )
            .expect("vm");
        store
            .create(&gvr::content(), json!({"metadata": {"name": "c1", "namespace": "p"}, "spec": {"source": {"virtualMachine":
                {"spec": {"template": {"spec": {"domain": {"devices": {"tpm": {"persistent": true}}}}}}}}}}))
            .expect("content");
        store
            .create(&gvr::snapshot(), json!({"metadata": {"name": "s", "namespace": "p"},
                "status": {"sourceUID": vm["metadata"]["uid"], "virtualMachineSnapshotContentName": "c1"}}))
            .expect("snapshot");
        let r = |target: &str| {
            json!({"metadata": {"name": "r", "namespace": "p"}, "spec": {"target": {"apiGroup": "kubevirt.io",
                "kind": "VirtualMachine", "name": target}, "virtualMachineSnapshotName": "s"}})
        };
        assert!(admit(&store, &gvr::restore(), Operation::Create, &r("win"), None).is_ok());
        let d = admit(
            &store,
            &gvr::restore(),
            Operation::Create,
            &r("win-copy"),
            None,
        )
        .expect_err("denied");
        assert!(
            d.causes[0]
                .message
                .starts_with("Restore to a different VM is not supported")
        );
    }
}
