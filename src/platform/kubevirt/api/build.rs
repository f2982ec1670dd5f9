//! Builders for the objects this provider creates: VirtualMachineSnapshot and VirtualMachineRestore.
//!
//! They are written as `snapshot.kubevirt.io/v1beta1`; `KubeVirt::create_*` rewrites the
//! apiVersion when the cluster only serves v1alpha1 (same spec shape).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::resources::{KUBEVIRT_GROUP, SNAPSHOT_GROUP, SNAPSHOT_V1BETA1};

fn metadata(ns: &str, name: &str, labels: &BTreeMap<String, String>) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    meta.insert("namespace".into(), json!(ns));
    if !labels.is_empty() {
        meta.insert("labels".into(), json!(labels));
    }
    Value::Object(meta)
}

fn vm_ref(vm: &str) -> Value {
    json!({"apiGroup": KUBEVIRT_GROUP, "kind": "VirtualMachine", "name": vm})
}

/// A VirtualMachineSnapshot of `vm`. `failure_deadline` passes through verbatim ("5m", "0").
pub fn build_snapshot(
    ns: &str,
    name: &str,
    vm: &str,
    failure_deadline: Option<&str>,
    labels: &BTreeMap<String, String>,
) -> Value {
    let mut spec = Map::new();
    spec.insert("source".into(), vm_ref(vm));
    if let Some(d) = failure_deadline {
        spec.insert("failureDeadline".into(), json!(d));
    }
    json!({
        "apiVersion": format!("{SNAPSHOT_GROUP}/{SNAPSHOT_V1BETA1}"),
        "kind": "VirtualMachineSnapshot",
        "metadata": metadata(ns, name, labels),
        "spec": spec,
    })
}

/// A VirtualMachineRestore of `vm` from `snapshot`; `target_readiness_policy` is one of
/// StopTarget, WaitGracePeriod (KubeVirt's default), FailImmediate, WaitEventually.
pub fn build_restore(
    ns: &str,
    name: &str,
    vm: &str,
    snapshot: &str,
    target_readiness_policy: Option<&str>,
) -> Value {
    let mut spec = Map::new();
    spec.insert("target".into(), vm_ref(vm));
    spec.insert("virtualMachineSnapshotName".into(), json!(snapshot));
    if let Some(p) = target_readiness_policy {
        spec.insert("targetReadinessPolicy".into(), json!(p));
    }
    json!({
        "apiVersion": format!("{SNAPSHOT_GROUP}/{SNAPSHOT_V1BETA1}"),
        "kind": "VirtualMachineRestore",
        "metadata": metadata(ns, name, &BTreeMap::new()),
        "spec": spec,
    })
}
