//! KubeVirt's VirtualMachine webhook, storage part (`pkg/storage/admitters/vm-storage-status.go`):
//! a VM held by a snapshot keeps its volumes and running state, one held by a restore keeps its
//! run strategy; and virt-api's start/stop, which change the spec through that webhook.

use serde_json::{Value, json};

use super::admission::Denial;
use super::{is_deleting, str_at};
use crate::error::ApiError;
use crate::schema::Cause;

/// The webhook's name as the apiserver quotes it in a denial.
pub const WEBHOOK: &str = "virtualmachine-validator.kubevirt.io";

fn unsupported(message: String) -> Cause {
    Cause {
        field: "spec".into(),
        reason: "FieldValueNotSupported".into(),
        message,
    }
}

/// `RunStrategy()`: runStrategy, else `running` (true = Always, false = Halted), else Halted.
fn run_strategy(spec: Option<&Value>) -> &str {
    let spec = spec.unwrap_or(&Value::Null);
    if let Some(s) = spec.get("runStrategy").and_then(Value::as_str) {
        return s;
    }
    match spec.get("running").and_then(Value::as_bool) {
        Some(true) => "Always",
        _ => "Halted",
    }
}

/// `compareRunningSpec`: the same `running`, or the same `runStrategy`; a switch between the
/// two fields counts as a change. Neither field on both sides (the VM mutator defaults one
/// upstream, the simulator does not) counts as unchanged.
fn same_running_spec(old: Option<&Value>, new: Option<&Value>) -> bool {
    let field = |spec: Option<&Value>, f: &str| {
        spec.and_then(|s| s.get(f))
            .filter(|v| !v.is_null())
            .cloned()
    };
    match (
        (field(old, "running"), field(new, "running")),
        (field(old, "runStrategy"), field(new, "runStrategy")),
    ) {
        ((Some(a), Some(b)), _) => a == b,
        (_, (Some(a), Some(b))) => a == b,
        ((None, None), (None, None)) => true,
        _ => false,
    }
}

fn volumes(vm: &Value) -> &[Value] {
    vm.pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The causes for an update of `old` into `new` (none when allowed). The status the webhook
/// reads is the stored one: the apiserver keeps it on a main-resource write.
pub fn update_causes(new: &Value, old: &Value) -> Vec<Cause> {
    // A VM being deleted is let through (vms-admitter.go, before any other check).
    if is_deleting(new) {
        return vec![];
    }
    if let Some(snap) = str_at(new, "/status/snapshotInProgress") {
        if volumes(old) != volumes(new) {
            return vec![unsupported(format!(
                "Cannot update vm disks or volumes until snapshot {snap:?} completes"
            ))];
        }
        if !same_running_spec(old.get("spec"), new.get("spec")) {
            return vec![unsupported(format!(
                "Cannot update vm running state until snapshot {snap:?} completes"
            ))];
        }
    }
    if let Some(restore) = str_at(new, "/status/restoreInProgress")
        && old.get("spec") != new.get("spec")
        && run_strategy(old.get("spec")) != run_strategy(new.get("spec"))
    {
        return vec![unsupported(format!(
            "Cannot update VM runStrategy until restore {restore:?} completes"
        ))];
    }
    vec![]
}

/// virt-api's `start` / `stop` (`pkg/virt-api/rest/lifecycle.go`): flip `runStrategy`
/// (Always / Halted) or the deprecated `running`, refusing with 409 when there is nothing to
/// do (a stop of a Halted VM whose VMI is still shutting down wants a shorter grace period).
/// The change is a VM patch through the webhook above; a denial comes back as virt-api's
/// `NewInternalError` (500) around the webhook's message.
pub fn request_run_state(
    vm: &mut Value,
    name: &str,
    start: bool,
    vmi_exists: bool,
) -> Result<(), ApiError> {
    let old = vm.clone();
    let spec = vm
        .get_mut("spec")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| conflict(name, "VM has no spec"))?;
    if let Some(running) = spec.get("running").and_then(Value::as_bool) {
        if running == start {
            return Err(conflict(name, nothing_to_do(start)));
        }
        spec.insert("running".into(), json!(start));
    } else {
        let strategy = spec
            .get("runStrategy")
            .and_then(Value::as_str)
            .unwrap_or("Halted");
        if !start && strategy == "Halted" && vmi_exists {
            return Err(conflict(
                name,
                "Halted only supports manual stop requests with a shorter graceperiod",
            ));
        }
        if (start && strategy == "Always") || (!start && strategy == "Halted") {
            return Err(conflict(name, nothing_to_do(start)));
        }
        spec.insert(
            "runStrategy".into(),
            json!(if start { "Always" } else { "Halted" }),
        );
    }
    let causes = update_causes(vm, &old);
    if causes.is_empty() {
        return Ok(());
    }
    let denial = Denial {
        webhook: WEBHOOK,
        causes,
    };
    let message = format!("Internal error occurred: {}", denial.message());
    let mut e = ApiError::internal(message);
    e.details = Some(json!({"causes": [{"message": denial.message()}]}));
    Err(e)
}

fn nothing_to_do(start: bool) -> &'static str {
    if start {
        "VM is already running"
    } else {
        "VM is not running"
    }
}

/// virt-api's 409 for a start/stop/restart with nothing to do.
pub(crate) fn conflict(name: &str, why: &str) -> ApiError {
    ApiError::new(
        409,
        "Conflict",
        format!("Operation cannot be fulfilled on virtualmachine.kubevirt.io \"{name}\": {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(strategy: &str, snap: Option<&str>, restore: Option<&str>) -> Value {
        let mut v = json!({"metadata": {"name": "db"}, "spec": {"runStrategy": strategy,
            "template": {"spec": {"volumes": [{"name": "root", "persistentVolumeClaim": {"claimName": "root"}}]}}},
            "status": {}});
        if let Some(s) = snap {
            v["status"]["snapshotInProgress"] = json!(s);
        }
        if let Some(r) = restore {
            v["status"]["restoreInProgress"] = json!(r);
        }
        v
    }

    #[test]
    fn a_vm_held_by_a_snapshot_keeps_its_running_state_and_volumes() {
        let old = vm("Always", Some("s1"), None);
        let mut new = old.clone();
        new["spec"]["runStrategy"] = json!("Halted");
        assert_eq!(
            update_causes(&new, &old)[0].message,
            "Cannot update vm running state until snapshot \"s1\" completes"
        );
        let mut new = old.clone();
        new["spec"]["template"]["spec"]["volumes"] = json!([]);
        assert_eq!(
            update_causes(&new, &old)[0].message,
            "Cannot update vm disks or volumes until snapshot \"s1\" completes"
        );
        // Switching from runStrategy to the deprecated running is a change too.
        let mut new = old.clone();
        new["spec"]["runStrategy"] = Value::Null;
        new["spec"]["running"] = json!(true);
        assert_eq!(update_causes(&new, &old).len(), 1);
        let mut labelled = old.clone();
        labelled["metadata"]["labels"] = json!({"tier": "gold"});
        labelled["spec"]["template"]["spec"]["domain"] = json!({"cpu": {"cores": 2}});
        assert!(update_causes(&labelled, &old).is_empty());
        let free = vm("Always", None, None);
        let mut stopped = free.clone();
        stopped["spec"]["runStrategy"] = json!("Halted");
        assert!(update_causes(&stopped, &free).is_empty());
        let mut deleting = new.clone();
        deleting["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        assert!(update_causes(&deleting, &old).is_empty());
    }

    #[test]
    fn a_vm_held_by_a_restore_keeps_its_run_strategy_only() {
        let old = vm("Halted", None, Some("r1"));
        let mut new = old.clone();
        new["spec"]["runStrategy"] = json!("Always");
        assert_eq!(
            update_causes(&new, &old)[0].message,
            "Cannot update VM runStrategy until restore \"r1\" completes"
        );
        // running: false is the same strategy as Halted.
        let mut same = old.clone();
        same["spec"]["runStrategy"] = Value::Null;
        same["spec"]["running"] = json!(false);
        assert!(update_causes(&same, &old).is_empty());
        let mut volumes = old.clone();
        volumes["spec"]["template"]["spec"]["volumes"] = json!([]);
        assert!(update_causes(&volumes, &old).is_empty());
    }

    #[test]
    fn stop_during_a_snapshot_is_an_internal_error_around_the_denial() {
        let mut v = vm("Always", Some("s1"), None);
        let e = request_run_state(&mut v, "db", false, true).expect_err("refused");
        assert_eq!(e.code, 500);
        assert_eq!(
            e.message,
            "Internal error occurred: admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: Cannot update vm running state until snapshot \"s1\" completes"
        );
        let mut v = vm("Always", None, None);
        request_run_state(&mut v, "db", false, true).expect("stopped");
        assert_eq!(v["spec"]["runStrategy"], "Halted");
        let e = request_run_state(&mut v, "db", false, false).expect_err("nothing to do");
        assert_eq!(e.code, 409);
        assert!(e.message.ends_with("VM is not running"), "{}", e.message);
        let e = request_run_state(&mut v, "db", false, true).expect_err("still stopping");
        assert!(
            e.message
                .ends_with("Halted only supports manual stop requests with a shorter graceperiod")
        );
    }
}
