//! Checks run while planning, before anything is written: what would make the operation
//! fail or wait, what it will not save, and what consistency the user will get.

use serde::Serialize;
use serde_json::Value;

use super::convert::{
    BlockDevice, DeckhouseConsistency, agent_ready, block_devices, disk_info, in_maintenance,
    vm_disks,
};
use crate::cluster::json::{name, str_at};

/// The reminder shown before every clone: the guest is copied byte for byte.
pub const GUEST_PREPARATION: &str = "a clone is a byte-for-byte copy of the guest: prepare it \
     so two machines do not share an identity (reset /etc/machine-id and the SSH host keys on \
     Linux, generalize Windows with sysprep), or do it on the clone before it joins a network";

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Info,
    Warning,
    /// The operation would fail (or wait forever): the plan refuses.
    Blocker,
}

/// One preflight result; `code` is stable for tests and `-o json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

fn f(severity: Severity, code: &'static str, message: impl Into<String>) -> Finding {
    Finding {
        severity,
        code,
        message: message.into(),
    }
}

/// Whether any finding blocks.
pub fn blocked(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Blocker)
}

/// What consistency a snapshot taken now will have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ExpectedConsistency {
    /// Stopped VM (or unattached disk): consistent.
    Stopped,
    /// Running with the guest agent: frozen, consistent.
    Frozen,
    /// Running without the agent, requiredConsistency false: taken unfrozen.
    NotGuaranteed,
    /// Running without the agent, requiredConsistency true: the controller fails it.
    WillFail,
    /// The VM is in a transitional phase: the snapshot waits for Running or Stopped.
    Waits,
}

impl ExpectedConsistency {
    /// What the snapshot will report once Ready.
    pub fn outcome(self) -> DeckhouseConsistency {
        match self {
            Self::Stopped | Self::Frozen => DeckhouseConsistency::Consistent,
            Self::NotGuaranteed => DeckhouseConsistency::NotGuaranteed,
            Self::WillFail | Self::Waits => DeckhouseConsistency::Unknown,
        }
    }
}

/// Expected consistency of a snapshot of a VM in `phase` with/without its agent.
pub fn expected_consistency(phase: &str, agent: bool, required: bool) -> ExpectedConsistency {
    match phase {
        "Stopped" => ExpectedConsistency::Stopped,
        "Running" if agent => ExpectedConsistency::Frozen,
        "Running" if required => ExpectedConsistency::WillFail,
        "Running" => ExpectedConsistency::NotGuaranteed,
        _ => ExpectedConsistency::Waits,
    }
}

/// The result of the VM snapshot preflight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VmSnapshotPreflight {
    pub expected: ExpectedConsistency,
    /// The VirtualDisks that will be captured.
    pub disks: Vec<String>,
    /// Attached images that will not be captured.
    pub images: Vec<BlockDevice>,
    pub findings: Vec<Finding>,
}

/// The phase of a VirtualDisk whose StorageClass binds on first use and whose VM has not
/// started (`DiskWaitForFirstConsumer`, deckhouse/virtualization `api/core/v1alpha2/virtual_disk.go`).
const WAIT_FOR_FIRST_CONSUMER: &str = "WaitForFirstConsumer";

/// Checks a VM snapshot: VM phase and maintenance, each disk ready and not resizing,
/// images that are not saved, and the guest agent against `required_consistency`.
/// `disks` are the VM's VirtualDisk objects (missing ones are reported).
pub fn vm_snapshot(vm: &Value, disks: &[Value], required_consistency: bool) -> VmSnapshotPreflight {
    let vm_name = name(vm);
    let phase = str_at(vm, "/status/phase").unwrap_or("Pending");
    let agent = agent_ready(vm);
    let mut findings = Vec::new();
    if str_at(vm, "/metadata/deletionTimestamp").is_some() || phase == "Terminating" {
        findings.push(f(
            Severity::Blocker,
            "vm-deleting",
            format!("the virtual machine {vm_name} is being deleted"),
        ));
    }
    if in_maintenance(vm) {
        findings.push(f(
            Severity::Blocker,
            "vm-maintenance",
            format!("the virtual machine {vm_name} is in maintenance: a restore is in progress"),
        ));
    }
    let expected = expected_consistency(phase, agent, required_consistency);
    match expected {
        // life_cycle.go fails the snapshot at once: it never waits for the VM.
        ExpectedConsistency::Waits => findings.push(f(Severity::Blocker, "vm-phase", format!(
            "the virtual machine {vm_name} is {phase}: Deckhouse fails a snapshot of a VM that is not Running or Stopped; take it once the VM is Running or Stopped"))),
        ExpectedConsistency::WillFail => findings.push(f(Severity::Blocker, "agent-not-ready", format!(
            "the guest agent of {vm_name} is not ready, so its file systems cannot be frozen and Deckhouse would fail a consistent snapshot; \
             start the agent, stop the VM, or pass --allow-inconsistent to take it unfrozen"))),
        ExpectedConsistency::NotGuaranteed => findings.push(f(Severity::Warning, "inconsistent", format!(
            "the guest agent of {vm_name} is not ready: the snapshot is taken without a freeze and is not guaranteed consistent \
             (like after a power loss; unflushed application data may be lost)"))),
        ExpectedConsistency::Frozen => findings.push(f(Severity::Info, "freeze",
            "the guest agent will freeze the file systems while the disks are captured (consistent)")),
        ExpectedConsistency::Stopped => findings.push(f(Severity::Info, "stopped",
            "the virtual machine is stopped: the snapshot is consistent")),
    }
    let names = vm_disks(vm);
    for disk in &names {
        match disks.iter().find(|d| name(d) == disk.as_str()).map(disk_info) {
            None => findings.push(f(Severity::Blocker, "disk-missing", format!("the virtual disk {disk} does not exist"))),
            Some(d) if d.resizing => findings.push(f(Severity::Blocker, "disk-resizing", format!(
                "the virtual disk {disk} is being resized: Deckhouse fails snapshots until the resize finishes"))),
            // A stopped VM is no consumer: its disk cannot become Ready before the VM starts.
            Some(d) if d.phase == WAIT_FOR_FIRST_CONSUMER => findings.push(f(Severity::Blocker, "disk-wffc", format!(
                "the virtual disk {disk} is WaitForFirstConsumer: its volume is created only when {vm_name} starts, \
                 so it cannot become Ready while the VM is {phase} and Deckhouse would fail the snapshot; \
                 start the VM once (d8 v start {vm_name}) so the disk is provisioned, then take the snapshot"))),
            // Nor for the disks (ensureBlockDeviceConsistency): a disk not Ready fails it.
            Some(d) if !d.ready() => findings.push(f(Severity::Blocker, "disk-not-ready", format!(
                "the virtual disk {disk} is {}: Deckhouse fails a VM snapshot while a disk is not Ready; take it once the disk is Ready", d.phase))),
            Some(_) => {}
        }
    }
    let images: Vec<BlockDevice> = block_devices(vm)
        .into_iter()
        .filter(BlockDevice::is_image)
        .collect();
    if !images.is_empty() {
        let list: Vec<String> = images
            .iter()
            .map(|i| format!("{} {}", i.kind, i.name))
            .collect();
        findings.push(f(Severity::Warning, "images-not-saved", format!(
            "attached images are not saved with the snapshot ({}): a restore needs them to still exist \
             (Strict keeps the reference, BestEffort removes it from the VM)", list.join(", "))));
    }
    VmSnapshotPreflight {
        expected,
        disks: names,
        images,
        findings,
    }
}

/// Checks a disk snapshot: the disk ready and not resizing; when it is attached to a
/// running VM, consistency needs the VM's guest agent.
pub fn disk_snapshot(
    disk: &Value,
    attached_vm: Option<&Value>,
    required_consistency: bool,
) -> (ExpectedConsistency, Vec<Finding>) {
    let d = disk_info(disk);
    let mut findings = Vec::new();
    if d.resizing {
        findings.push(f(
            Severity::Blocker,
            "disk-resizing",
            format!("the virtual disk {} is being resized", d.name),
        ));
    } else if d.phase == WAIT_FOR_FIRST_CONSUMER
        && attached_vm.is_none_or(|vm| str_at(vm, "/status/phase") != Some("Running"))
    {
        // Deckhouse's disk snapshot waits for a Ready disk (vdsnapshot virtual_disk_ready.go);
        // with no running consumer this one never becomes Ready: the snapshot would stay Pending.
        let consumer =
            attached_vm.map_or("a VM using it".to_owned(), |vm| format!("VM {}", name(vm)));
        findings.push(f(
            Severity::Blocker,
            "disk-wffc",
            format!(
                "the virtual disk {} is WaitForFirstConsumer: its volume is created only when {consumer} starts, \
                 so it cannot become Ready now and the snapshot would stay Pending; start {consumer} once, then take the snapshot",
                d.name
            ),
        ));
    } else if !d.ready() {
        findings.push(f(
            Severity::Warning,
            "disk-not-ready",
            format!(
                "the virtual disk {} is {}: the snapshot waits for it",
                d.name, d.phase
            ),
        ));
    }
    let expected = match attached_vm {
        None => ExpectedConsistency::Stopped,
        Some(vm) => expected_consistency(
            str_at(vm, "/status/phase").unwrap_or("Pending"),
            agent_ready(vm),
            required_consistency,
        ),
    };
    let vm_name = attached_vm.map(name).unwrap_or("");
    match expected {
        ExpectedConsistency::WillFail => findings.push(f(Severity::Blocker, "agent-not-ready", format!(
            "the disk is attached to the running VM {vm_name} whose guest agent is not ready (AgentReady): a consistent disk snapshot would fail; \
             pass --allow-inconsistent to take it unfrozen, or stop the VM"))),
        ExpectedConsistency::NotGuaranteed => findings.push(f(Severity::Warning, "inconsistent", format!(
            "the disk is attached to the running VM {vm_name} without a guest agent: the snapshot is not guaranteed consistent"))),
        ExpectedConsistency::Frozen => findings.push(f(Severity::Info, "freeze", format!(
            "the guest agent of {vm_name} will freeze the file systems while the disk is captured"))),
        ExpectedConsistency::Waits => findings.push(f(Severity::Warning, "vm-phase", format!(
            "the VM {vm_name} is in a transitional phase: the snapshot waits"))),
        ExpectedConsistency::Stopped => {}
    }
    (expected, findings)
}

/// Deckhouse starts a new VM on creation unless its runPolicy is Manual or AlwaysOff.
pub fn starts_on_creation(policy: &str) -> bool {
    !matches!(policy, "Manual" | "AlwaysOff")
}

/// The VM's runPolicy, with the CRD's default when unset.
pub fn run_policy(vm: &Value) -> &str {
    str_at(vm, "/spec/runPolicy").unwrap_or("AlwaysOnUnlessStoppedManually")
}

/// A Stop (`start` false) or Start operation the plugin would create for `flag`, refused when
/// Deckhouse would fail it for the VM's runPolicy: both apply only to Manual and
/// AlwaysOnUnlessStoppedManually (`IsApplicableForRunPolicy`).
pub fn power_step(vm: &Value, start: bool, flag: &str) -> Option<Finding> {
    let policy = run_policy(vm);
    if matches!(policy, "Manual" | "AlwaysOnUnlessStoppedManually") {
        return None;
    }
    let op = if start { "Start" } else { "Stop" };
    Some(f(
        Severity::Blocker,
        "run-policy",
        format!(
            "{flag} needs a {op} operation, and Deckhouse refuses {op} for {} with runPolicy {policy} (Start and Stop apply to runPolicy Manual or AlwaysOnUnlessStoppedManually only)",
            name(vm)
        ),
    ))
}

/// What the user can change when [`power_step`] refuses: the runPolicy patch that allows the
/// step (never applied by the plugin), or dropping a flag Deckhouse makes moot.
pub fn run_policy_hints(vm: &Value, ns: &str, start: bool) -> Vec<String> {
    let vm_name = name(vm);
    let patch = |policy: &str| {
        format!(
            "kubectl patch virtualmachines.virtualization.deckhouse.io {vm_name} -n {ns} --type merge -p '{{\"spec\":{{\"runPolicy\":\"{policy}\"}}}}'"
        )
    };
    match (run_policy(vm), start) {
        ("AlwaysOn", true) => vec![
            "Deckhouse keeps a VM with runPolicy AlwaysOn running by itself: drop --start-after"
                .into(),
        ],
        ("AlwaysOn", false) => vec![format!(
            "to let it be stopped, change its runPolicy first (it then stays on unless stopped): {}",
            patch("AlwaysOnUnlessStoppedManually")
        )],
        _ => vec![format!(
            "to let it be started and stopped, change its runPolicy first: {}",
            patch("Manual")
        )],
    }
}

/// Why a VM snapshot cannot be restored, or None when it is Ready: Deckhouse's restore needs
/// the VirtualMachineSnapshotReady condition True (`vmsnapshot_ready_step.go`) and fails
/// "Restore is failed: virtual machine snapshot "x" is not ready to use" otherwise.
pub fn snapshot_not_ready(snapshot: &Value) -> Option<String> {
    let phase = str_at(snapshot, "/status/phase").unwrap_or("Pending");
    let ready = snapshot
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "VirtualMachineSnapshotReady");
    let condition_true = ready.is_some_and(|c| c["status"] == "True");
    if phase == "Ready" && (condition_true || ready.is_none()) {
        return None;
    }
    let why = ready
        .and_then(|c| {
            let reason = c["reason"].as_str().filter(|r| !r.is_empty())?;
            Some(match c["message"].as_str().filter(|m| !m.is_empty()) {
                Some(m) => format!(" ({reason}: {m})"),
                None => format!(" ({reason})"),
            })
        })
        .unwrap_or_default();
    let snap = name(snapshot);
    Some(format!(
        "the snapshot {snap} is {phase}, not Ready{why}: Deckhouse would fail the restore (virtual machine snapshot \"{snap}\" is not ready to use)"
    ))
}

/// Checks a restore of `vm` from `snapshot` before the DryRun.
pub fn restore(vm: &Value, snapshot: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let vm_name = name(vm);
    let snap_name = name(snapshot);
    if let Some(why) = snapshot_not_ready(snapshot) {
        findings.push(f(Severity::Blocker, "snapshot-not-ready", why));
    }
    // The docs require the same VM; no server check was found, so the plugin checks.
    if let Some(source) = str_at(snapshot, "/spec/virtualMachineName")
        && source != vm_name
    {
        findings.push(f(Severity::Blocker, "other-vm", format!(
            "the snapshot {snap_name} was taken of {source}, not {vm_name}: restore it onto {source}, or clone it into a new VM")));
    }
    if in_maintenance(vm) {
        findings.push(f(
            Severity::Blocker,
            "vm-maintenance",
            format!("{vm_name} is already in maintenance: another restore is in progress"),
        ));
    }
    match str_at(vm, "/status/phase").unwrap_or("Pending") {
        "Running" => findings.push(f(Severity::Warning, "vm-restart", format!(
            "{vm_name} is running: Deckhouse stops it for the restore (maintenance mode) and starts it again afterwards"))),
        "Stopped" | "Pending" => {}
        other => findings.push(f(Severity::Blocker, "vm-phase", format!(
            "{vm_name} is {other}: a restore needs the VM Running, Stopped or Pending"))),
    }
    findings.push(f(Severity::Warning, "do-not-cancel",
        "do not cancel the restore once it runs: deleting an in-progress restore leaves the VM inconsistent"));
    findings
}

/// Checks a clone of a VM (VirtualMachineOperation Clone).
pub fn clone_vm(vm: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let vm_name = name(vm);
    match str_at(vm, "/status/phase").unwrap_or("Pending") {
        "Stopped" => {}
        "Running" if agent_ready(vm) => findings.push(f(Severity::Info, "freeze", format!(
            "{vm_name} is running: a temporary consistent snapshot (frozen by the guest agent) is taken and removed afterwards"))),
        "Running" => findings.push(f(Severity::Blocker, "agent-not-ready", format!(
            "{vm_name} is running without a ready guest agent: the clone's temporary snapshot requires consistency and would fail; stop the VM first"))),
        other => findings.push(f(Severity::Blocker, "vm-phase", format!("{vm_name} is {other}: a clone needs the VM Stopped or Running"))),
    }
    findings.push(f(Severity::Warning, "guest-preparation", GUEST_PREPARATION));
    findings
}

/// Checks a new VM from a snapshot (VirtualMachineSnapshotOperation CreateVirtualMachine):
/// it fails at once unless the snapshot is Ready.
pub fn create_vm(snapshot: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    if str_at(snapshot, "/status/phase") != Some("Ready") {
        findings.push(f(Severity::Blocker, "snapshot-not-ready", format!(
            "the snapshot {} is {}: Deckhouse fails the operation at once unless the snapshot is Ready (wait for it first)",
            name(snapshot), str_at(snapshot, "/status/phase").unwrap_or("Pending"))));
    }
    findings.push(f(Severity::Warning, "guest-preparation", GUEST_PREPARATION));
    findings
}

/// Whether a restore can start from `snapshot`: Ready by [`snapshot_not_ready`]'s rule and
/// not being deleted.
pub fn restorable(snapshot: &Value) -> bool {
    snapshot_not_ready(snapshot).is_none()
        && snapshot
            .pointer("/metadata/deletionTimestamp")
            .is_none_or(Value::is_null)
}
