//! New VM from a snapshot: the VirtualMachineClone we create, its status in model terms, and the preflight checks before creating it.
//!
//! The preflight also serves `restore VM --snapshot S --to NEW_VM` (a VirtualMachineRestore
//! whose target does not exist yet): both create a VM and PVCs from a snapshot.

pub use crate::names::{parse_new_mac_addresses, valid_mac};
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::resources::{CLONE_GROUP, CLONE_VERSION, KUBEVIRT_GROUP, SNAPSHOT_GROUP};
use crate::cluster::json::{
    arr_at, bool_at, conditions, name, namespace, str_at, string_at, time_at,
};
use crate::flow::safety::{DNS1123_SUBDOMAIN_MAX, fit_name, timestamp_suffix};
use crate::model::{Condition, SnapshotInfo, SnapshotPhase};
use crate::platform::kubevirt::analysis::parse_quantity;

/// What the user asked the clone to be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloneSpec {
    pub namespace: String,
    /// The VirtualMachineClone object's name (see [`clone_name`]).
    pub name: String,
    /// The source VirtualMachineSnapshot.
    pub snapshot: String,
    /// The new VM.
    pub target: String,
    /// `--new-mac-addresses`: interface → MAC; others get fresh MACs from KubeVirt.
    pub new_mac_addresses: BTreeMap<String, String>,
    /// `--label-filter`: KubeVirt's syntax (`*`, `!key`, `prefix/*`).
    pub label_filters: Vec<String>,
    /// `--annotation-filter`.
    pub annotation_filters: Vec<String>,
    /// Filters for the VM template's labels and annotations (`spec.template.*Filters`).
    pub template_label_filters: Vec<String>,
    pub template_annotation_filters: Vec<String>,
    /// `newSMBiosSerial`; KubeVirt generates one when unset.
    pub new_smbios_serial: Option<String>,
}

/// `clone-<target>-<YYYYMMDD-HHMMSS>` in UTC (like restore names), within 253 characters.
pub fn clone_name(target: &str, now: Timestamp) -> String {
    fit_name(
        &format!("clone-{target}"),
        &timestamp_suffix(now),
        DNS1123_SUBDOMAIN_MAX,
    )
}

/// A `clone.kubevirt.io/v1beta1` VirtualMachineClone of a snapshot into a new VM.
pub fn build_clone(spec: &CloneSpec) -> Value {
    let mut s = Map::new();
    s.insert(
        "source".into(),
        json!({"apiGroup": SNAPSHOT_GROUP, "kind": "VirtualMachineSnapshot", "name": spec.snapshot}),
    );
    s.insert(
        "target".into(),
        json!({"apiGroup": KUBEVIRT_GROUP, "kind": "VirtualMachine", "name": spec.target}),
    );
    if !spec.new_mac_addresses.is_empty() {
        s.insert("newMacAddresses".into(), json!(spec.new_mac_addresses));
    }
    if !spec.label_filters.is_empty() {
        s.insert("labelFilters".into(), json!(spec.label_filters));
    }
    if !spec.annotation_filters.is_empty() {
        s.insert("annotationFilters".into(), json!(spec.annotation_filters));
    }
    let mut template = Map::new();
    if !spec.template_label_filters.is_empty() {
        template.insert("labelFilters".into(), json!(spec.template_label_filters));
    }
    if !spec.template_annotation_filters.is_empty() {
        template.insert(
            "annotationFilters".into(),
            json!(spec.template_annotation_filters),
        );
    }
    if !template.is_empty() {
        s.insert("template".into(), Value::Object(template));
    }
    if let Some(serial) = &spec.new_smbios_serial {
        s.insert("newSMBiosSerial".into(), json!(serial));
    }
    json!({
        "apiVersion": format!("{CLONE_GROUP}/{CLONE_VERSION}"),
        "kind": "VirtualMachineClone",
        "metadata": {"name": spec.name, "namespace": spec.namespace},
        "spec": s,
    })
}

/// Phase of a VirtualMachineClone; an empty phase reads as Pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ClonePhase {
    Pending,
    SnapshotInProgress,
    CreatingTargetVM,
    RestoreInProgress,
    Succeeded,
    Failed,
    Unknown,
}

impl ClonePhase {
    pub fn from_status(phase: Option<&str>) -> Self {
        match phase.unwrap_or("") {
            "" => Self::Pending,
            "SnapshotInProgress" => Self::SnapshotInProgress,
            "CreatingTargetVM" => Self::CreatingTargetVM,
            "RestoreInProgress" => Self::RestoreInProgress,
            "Succeeded" => Self::Succeeded,
            "Failed" => Self::Failed,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::SnapshotInProgress => "SnapshotInProgress",
            Self::CreatingTargetVM => "CreatingTargetVM",
            Self::RestoreInProgress => "RestoreInProgress",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Unknown => "Unknown",
        }
    }

    /// Succeeded or Failed: waiting can stop.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }

    /// What the phase means, for a spinner.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Pending => "waiting for the clone controller",
            Self::SnapshotInProgress => "waiting for the source snapshot",
            Self::RestoreInProgress => "restoring the snapshot's volumes into new PVCs",
            Self::CreatingTargetVM => "creating the new VM",
            Self::Succeeded => "the new VM exists",
            Self::Failed => "failed",
            Self::Unknown => "state unknown",
        }
    }
}

impl fmt::Display for ClonePhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the plugin knows about one VirtualMachineClone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloneInfo {
    pub namespace: String,
    pub name: String,
    /// `VirtualMachineSnapshot` or `VirtualMachine`.
    pub source_kind: String,
    pub source_name: String,
    /// `status.targetName`, else `spec.target.name`.
    pub target: Option<String>,
    pub phase: ClonePhase,
    /// The intermediate snapshot and restore KubeVirt created (while it works).
    pub snapshot_name: Option<String>,
    pub restore_name: Option<String>,
    pub creation_time: Option<Timestamp>,
    pub conditions: Vec<Condition>,
    /// Why it failed, from its conditions.
    pub error: Option<String>,
}

/// The model view of a VirtualMachineClone.
pub fn clone_info(obj: &Value) -> CloneInfo {
    let phase = ClonePhase::from_status(str_at(obj, "/status/phase"));
    let conds = conditions(obj, "/status/conditions");
    let error = conds
        .iter()
        .find(|c| (c.type_ == "Failure" && c.is_true()) || (c.type_ == "Ready" && !c.is_true()))
        .filter(|_| phase == ClonePhase::Failed)
        .and_then(|c| c.message.clone().or_else(|| c.reason.clone()));
    CloneInfo {
        namespace: namespace(obj).to_owned(),
        name: name(obj).to_owned(),
        source_kind: string_at(obj, "/spec/source/kind").unwrap_or_default(),
        source_name: string_at(obj, "/spec/source/name").unwrap_or_default(),
        target: string_at(obj, "/status/targetName")
            .or_else(|| string_at(obj, "/spec/target/name")),
        phase,
        snapshot_name: string_at(obj, "/status/snapshotName"),
        restore_name: string_at(obj, "/status/restoreName"),
        creation_time: time_at(obj, "/status/creationTime"),
        conditions: conds,
        error,
    }
}

/// One line for a spinner: "RestoreInProgress: restoring the snapshot's volumes into new PVCs".
/// A clone KubeVirt holds Pending (Progressing False "Pending") says why in its Ready reason:
/// "Pending: Source doesnt exist: VirtualMachineSnapshot ns/x".
pub fn clone_phase_message(info: &CloneInfo) -> String {
    if let (Some(e), ClonePhase::Failed) = (&info.error, info.phase) {
        return format!("Failed: {e}");
    }
    match pending_reason(info) {
        Some(why) if info.phase == ClonePhase::Pending => format!("Pending: {why}"),
        Some(why) => format!("{} (pending: {why})", info.phase),
        None => format!("{}: {}", info.phase, info.phase.explain()),
    }
}

/// Why KubeVirt holds the clone, when it does: the Ready condition's reason (or message)
/// while Progressing is False with reason "Pending".
pub fn pending_reason(info: &CloneInfo) -> Option<String> {
    let held = info.conditions.iter().any(|c| {
        c.type_ == "Progressing" && !c.is_true() && c.reason.as_deref() == Some("Pending")
    });
    if !held {
        return None;
    }
    info.conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .and_then(|c| c.reason.clone().or_else(|| c.message.clone()))
        .filter(|r| !r.is_empty())
}

// ---- preflight -----------------------------------------------------------------------------

/// How serious a preflight finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The clone would fail or is unsupported: refuse.
    Blocker,
    /// Worth saying before proceeding.
    Warning,
}

/// One preflight finding, worded for the user, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    fn blocker(message: String, hint: Option<String>) -> Self {
        Self {
            severity: Severity::Blocker,
            message,
            hint,
        }
    }

    fn warning(message: String) -> Self {
        Self {
            severity: Severity::Warning,
            message,
            hint: None,
        }
    }
}

/// Everything the preflight reads, fetched beforehand.
#[derive(Debug, Clone, Copy)]
pub struct NewVmInputs<'a> {
    pub namespace: &'a str,
    /// The new VM's name.
    pub target: &'a str,
    /// A VM of that name exists already.
    pub target_exists: bool,
    pub snapshot: &'a SnapshotInfo,
    /// The snapshot's VirtualMachineSnapshotContent (the stored VM and volume backups).
    pub content: Option<&'a Value>,
    /// ResourceQuotas of the namespace; None when they could not be read.
    pub quotas: Option<&'a [Value]>,
    /// `--new-mac-addresses`.
    pub new_mac_addresses: &'a BTreeMap<String, String>,
}

/// The VM stored in a content has a persistent vTPM (state on a backend PVC).
pub fn stored_vm_has_persistent_tpm(content: &Value) -> bool {
    bool_at(
        content,
        "/spec/source/virtualMachine/spec/template/spec/domain/devices/tpm/persistent",
    ) == Some(true)
}

/// The VM stored in a content has a vTPM at all.
pub fn stored_vm_has_tpm(content: &Value) -> bool {
    content
        .pointer("/spec/source/virtualMachine/spec/template/spec/domain/devices/tpm")
        .is_some_and(|t| !t.is_null())
}

/// The interface names of the VM stored in a content.
pub fn stored_interfaces(content: &Value) -> Vec<String> {
    arr_at(
        content,
        "/spec/source/virtualMachine/spec/template/spec/domain/devices/interfaces",
    )
    .iter()
    .filter_map(|i| string_at(i, "/name"))
    .collect()
}

/// Storage the new PVCs request, in total and per StorageClass, and their count.
fn needed_storage(content: &Value) -> (u64, BTreeMap<String, u64>, u64) {
    let mut total = 0;
    let mut per_class: BTreeMap<String, u64> = BTreeMap::new();
    let mut count = 0;
    for b in arr_at(content, "/spec/volumeBackups") {
        count += 1;
        let size = str_at(b, "/persistentVolumeClaim/spec/resources/requests/storage")
            .and_then(parse_quantity)
            .unwrap_or(0);
        total += size;
        if let Some(sc) = str_at(b, "/persistentVolumeClaim/spec/storageClassName") {
            *per_class.entry(sc.to_owned()).or_default() += size;
        }
    }
    (total, per_class, count)
}

/// What a quota still allows for `key`: None when it does not limit it.
fn remaining(quota: &Value, key: &str) -> Option<u64> {
    let hard = quota
        .pointer("/spec/hard")?
        .get(key)?
        .as_str()
        .and_then(parse_quantity)?;
    let used = quota
        .pointer("/status/used")
        .and_then(|u| u.get(key))
        .and_then(Value::as_str)
        .and_then(parse_quantity)
        .unwrap_or(0);
    Some(hard.saturating_sub(used))
}

fn quota_findings(ns: &str, content: &Value, quotas: &[Value]) -> Vec<Finding> {
    let (total, per_class, count) = needed_storage(content);
    let mut checks: Vec<(String, u64, bool)> = vec![
        ("requests.storage".to_owned(), total, true),
        ("persistentvolumeclaims".to_owned(), count, false),
        ("count/persistentvolumeclaims".to_owned(), count, false),
        ("count/virtualmachines.kubevirt.io".to_owned(), 1, false),
    ];
    for (sc, bytes) in &per_class {
        checks.push((
            format!("{sc}.storageclass.storage.k8s.io/requests.storage"),
            *bytes,
            true,
        ));
    }
    let mut out = Vec::new();
    for q in quotas {
        for (key, need, bytes) in &checks {
            let Some(left) = remaining(q, key) else {
                continue;
            };
            if *need > left {
                let show = |n: u64| {
                    if *bytes {
                        crate::platform::kubevirt::analysis::human_bytes(n)
                    } else {
                        n.to_string()
                    }
                };
                out.push(Finding::blocker(
                    format!(
                        "ResourceQuota {} in namespace {ns} allows {} more {key}, and the new VM needs {}",
                        name(q),
                        show(left),
                        show(*need)
                    ),
                    Some(format!(
                        "free some of it, or ask your cluster admin to raise the quota: kubectl describe resourcequota {} -n {ns}",
                        name(q)
                    )),
                ));
            }
        }
    }
    out
}

/// Checks before creating a VM from a snapshot (clone, or restore to a new VM). Pure.
pub fn preflight_new_vm(inputs: &NewVmInputs<'_>) -> Vec<Finding> {
    let ns = inputs.namespace;
    let snap = inputs.snapshot;
    let mut out = Vec::new();
    if let Err(e) = crate::names::parse_dns1123_subdomain(inputs.target) {
        out.push(Finding::blocker(e, None));
    }
    if inputs.target_exists {
        out.push(Finding::blocker(
            format!(
                "a VM named {} already exists in namespace {ns}",
                inputs.target
            ),
            Some(format!(
                "choose another name, or restore into that VM instead: kubectl vmsnap restore {} --snapshot {} -n {ns}",
                inputs.target, snap.name
            )),
        ));
    }
    if snap.deleting {
        out.push(Finding::blocker(
            format!("snapshot {} is being deleted", snap.name),
            None,
        ));
    } else if snap.phase == SnapshotPhase::Succeeded && !snap.ready_to_use {
        let (reason, hint) = snap.unready_reason();
        out.push(Finding::blocker(
            format!(
                "snapshot {} succeeded but is not ready to use: {reason}",
                snap.name
            ),
            Some(hint),
        ));
    } else if !snap.is_ready() {
        out.push(Finding::blocker(
            format!(
                "snapshot {} is {}{}, not ready to use",
                snap.name,
                snap.phase,
                snap.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ),
            Some(format!(
                "wait for it: kubectl vmsnap wait {} -n {ns}",
                snap.name
            )),
        ));
    }
    match inputs.content {
        None => out.push(Finding::warning(format!(
            "the content of snapshot {} could not be read, so the vTPM, MAC address and quota checks were skipped",
            snap.name
        ))),
        Some(content) => {
            if stored_vm_has_persistent_tpm(content) {
                out.push(Finding::blocker(
                    format!(
                        "VM {} had a persistent vTPM when snapshot {} was taken: OpenShift does not support cloning such a VM or creating a VM from its snapshot (the vTPM state cannot be copied to a new VM)",
                        snap.vm, snap.name
                    ),
                    Some(format!(
                        "restore the snapshot into VM {} itself instead: kubectl vmsnap restore {} --snapshot {} -n {ns}",
                        snap.vm, snap.vm, snap.name
                    )),
                ));
            } else if stored_vm_has_tpm(content) {
                out.push(Finding::warning(format!(
                    "VM {} has a vTPM without persistent state: the new VM gets a fresh, empty vTPM (OpenShift documents VMs with a vTPM as not supported for cloning)",
                    snap.vm
                )));
            }
            let ifaces = stored_interfaces(content);
            for iface in inputs.new_mac_addresses.keys() {
                if !ifaces.contains(iface) {
                    out.push(Finding::blocker(
                        format!(
                            "--new-mac-addresses names interface {iface}, which VM {} did not have when snapshot {} was taken",
                            snap.vm, snap.name
                        ),
                        Some(if ifaces.is_empty() {
                            "the snapshot's VM has no interfaces".to_owned()
                        } else {
                            format!("its interfaces: {}", ifaces.join(", "))
                        }),
                    ));
                }
            }
            if let Some(quotas) = inputs.quotas {
                out.extend(quota_findings(ns, content, quotas));
            }
        }
    }
    if inputs.content.is_some() && inputs.quotas.is_none() {
        out.push(Finding::warning(format!(
            "you may not read ResourceQuotas in namespace {ns} (forbidden): the quota check was skipped"
        )));
    }
    out
}

/// Any blocker among the findings.
pub fn blocked(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Blocker)
}

#[cfg(test)]
#[path = "clone_tests.rs"]
mod tests;
