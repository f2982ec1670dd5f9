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
    /// A webhook that answers with an error instead of causes (`ToAdmissionResponseError`):
    /// the apiserver passes on 400 with the message and no reason or causes. Kept as one cause
    /// without a reason.
    pub fn error(webhook: &'static str, message: impl Into<String>) -> Denial {
        Denial {
            webhook,
            causes: vec![cause("", message, "")],
        }
    }

    fn is_error(&self) -> bool {
        matches!(self.causes.as_slice(), [only] if only.reason.is_empty())
    }

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
        if self.is_error() {
            return json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": self.message(),
                "reason": "",
                "code": 400,
            });
        }
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
    const RESTORE_WEBHOOK: &str = "virtualmachinerestore-validator.snapshot.kubevirt.io";
    let (webhook, causes) = match (gvr.group.as_str(), gvr.plural.as_str()) {
        ("snapshot.kubevirt.io", "virtualmachinesnapshots") => (
            "virtualmachinesnapshot-validator.snapshot.kubevirt.io",
            match op {
                Operation::Create => snapshot_create(obj),
                Operation::Update => immutable_spec(obj, old),
            },
        ),
        ("snapshot.kubevirt.io", "virtualmachinerestores") => (
            RESTORE_WEBHOOK,
            match op {
                Operation::Create => restore_create(store, obj)
                    .map_err(|message| Denial::error(RESTORE_WEBHOOK, message))?,
                Operation::Update => immutable_spec(obj, old),
            },
        ),
        ("kubevirt.io", "virtualmachines") => (
            super::vm_admission::WEBHOOK,
            match (op, old) {
                (Operation::Update, Some(old)) => super::vm_admission::update_causes(obj, old),
                _ => vec![],
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

/// `pkg/storage/admitters/vmrestore.go` on create: the target must be a `kubevirt.io`
/// VirtualMachine; patches only touch spec, labels and annotations; overrides and policies must
/// make sense; a restore into another VM needs the snapshot's content; no other restore of the
/// same target may be incomplete (a failed one too, as in KubeVirt: delete it first). Err is
/// the webhook's own error (400), not a list of causes.
fn restore_create(store: &Store, obj: &Value) -> Result<Vec<Cause>, String> {
    let mut causes = Vec::new();
    match str_at(obj, "/spec/target/apiGroup") {
        None => causes.push(cause(
            "FieldValueNotFound",
            "missing apiGroup",
            "spec.target.apiGroup",
        )),
        Some("kubevirt.io") if str_at(obj, "/spec/target/kind") == Some("VirtualMachine") => {
            causes.extend(validate_target_vm(store, obj)?);
            causes.extend(volume_overrides(obj));
            if let Some(p) = str_at(obj, "/spec/volumeRestorePolicy")
                && !matches!(p, "InPlace" | "RandomizeNames" | "PrefixTargetName")
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
    Ok(causes)
}

/// `validatePatches`: each `"path"` of a JSON patch under /spec/, or a label or annotation.
fn patch_causes(obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
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
    causes
}

/// `validateTargetVM`: the patches; then, when the snapshot exists and the target is another
/// (or a new) VM, the snapshot's content must be there, and a snapshot of a VM with a
/// persistent TPM or EFI (backend storage) is refused. A missing snapshot lets everything
/// through, the patch causes too (upstream returns nil for both).
fn validate_target_vm(store: &Store, obj: &Value) -> Result<Vec<Cause>, String> {
    let mut causes = patch_causes(obj);
    let ns = super::ns_of(obj);
    let snap_name = str_at(obj, "/spec/virtualMachineSnapshotName").unwrap_or("");
    let Some(snapshot) = store.get(&gvr::snapshot(), Some(ns), snap_name) else {
        return Ok(vec![]);
    };
    let target = store.get(
        &gvr::vm(),
        Some(ns),
        str_at(obj, "/spec/target/name").unwrap_or(""),
    );
    let different = match &target {
        None => true,
        Some(t) => str_at(&snapshot, "/status/sourceUID").is_some_and(|u| u != super::uid_of(t)),
    };
    if !different {
        return Ok(causes);
    }
    let content_name = str_at(&snapshot, "/status/virtualMachineSnapshotContentName")
        .ok_or("snapshot content name is nil in vmSnapshot status")?;
    let content = store
        .get(&gvr::content(), Some(ns), content_name)
        .ok_or_else(|| {
            format!(
                "virtualmachinesnapshotcontents.snapshot.kubevirt.io {content_name:?} not found"
            )
        })?;
    let domain = content
        .pointer("/spec/source/virtualMachine")
        .ok_or("unexpected snapshot source")?
        .pointer("/spec/template/spec/domain");
    let persistent = |p: &str| domain.and_then(|d| d.pointer(p)) == Some(&Value::Bool(true));
    if persistent("/devices/tpm/persistent") || persistent("/firmware/bootloader/efi/persistent") {
        causes.push(cause(
            "FieldValueInvalid",
            "Restore to a different VM is not supported when snapshotted VM has backend storage (persistent TPM or EFI)",
            "spec",
        ));
    }
    Ok(causes)
}

/// `validateVolumeOverrides`: each override names a volume and overrides something.
fn volume_overrides(obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
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
    causes
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

    #[test]
    fn restore_policies_are_in_place_randomize_names_and_prefix_target_name() {
        let store = Store::new();
        let r = |policy: &str| {
            json!({"metadata": {"name": "r", "namespace": "p"}, "spec": {"target": {"apiGroup": "kubevirt.io",
                "kind": "VirtualMachine", "name": "vm"}, "virtualMachineSnapshotName": "s", "volumeRestorePolicy": policy}})
        };
        for ok in ["InPlace", "RandomizeNames", "PrefixTargetName"] {
            assert!(
                admit(&store, &gvr::restore(), Operation::Create, &r(ok), None).is_ok(),
                "{ok} is a policy"
            );
        }
        let d = admit(
            &store,
            &gvr::restore(),
            Operation::Create,
            &r("inplace"),
            None,
        )
        .expect_err("denied");
        assert_eq!(
            d.causes[0].message,
            "volume restore policy \"inplace\" doesn't exist"
        );
    }

    #[test]
    fn a_restore_into_another_vm_needs_the_snapshot_content() {
        let store = Store::new();
        store
            .create(
                &gvr::snapshot(),
                json!({"metadata": {"name": "s", "namespace": "p"}, "status": {"sourceUID": "u1"}}),
            )
            .expect("snapshot");
        let r = json!({"metadata": {"name": "r", "namespace": "p"}, "spec": {"target": {"apiGroup": "kubevirt.io",
            "kind": "VirtualMachine", "name": "new-vm"}, "virtualMachineSnapshotName": "s"}});
        let d = admit(&store, &gvr::restore(), Operation::Create, &r, None).expect_err("denied");
        assert_eq!(
            d.message(),
            "admission webhook \"virtualmachinerestore-validator.snapshot.kubevirt.io\" denied the request: snapshot content name is nil in vmSnapshot status"
        );
        let status = d.to_status();
        assert_eq!(status["code"], 400);
        assert!(status.get("details").is_none());
        store
            .mutate(&gvr::snapshot(), Some("p"), "s", |s| {
                s["status"]["virtualMachineSnapshotContentName"] = json!("c1")
            })
            .expect("named");
        let d = admit(&store, &gvr::restore(), Operation::Create, &r, None).expect_err("denied");
        assert_eq!(
            d.causes[0].message,
            "virtualmachinesnapshotcontents.snapshot.kubevirt.io \"c1\" not found"
        );
        // A missing snapshot lets the restore in (the controller reports it), patches unchecked.
        let mut unknown = r.clone();
        unknown["spec"]["virtualMachineSnapshotName"] = json!("nope");
        unknown["spec"]["patches"] =
            json!([r#"{"op": "replace", "path": "/metadata/name", "value": "x"}"#]);
        assert!(admit(&store, &gvr::restore(), Operation::Create, &unknown, None).is_ok());
    }
}
