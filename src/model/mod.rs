//! Provider-neutral types: VMs, snapshots, phases, consistency, analysis results.
//!
//! These are the documented schema of `-o json` / `-o yaml`: camelCase field names, enums as
//! strings. Providers convert their objects into these; commands and output only see these.

pub mod age;
pub mod event;
pub mod quantity;

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A VM addressed by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmRef {
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for VmRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Coarse run state of a VM, derived from KubeVirt's `status.printableStatus`.
///
/// Serialized as the printable status string (`"Running"`, `"Migrating"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum RunState {
    Running,
    Stopped,
    Starting,
    Stopping,
    Paused,
    /// Any other printable status (Provisioning, Migrating, ErrorUnschedulable, ...).
    Other(String),
}

impl RunState {
    /// Maps a KubeVirt `printableStatus`; an empty status reads as `Other("Unknown")`.
    pub fn from_printable(status: &str) -> Self {
        match status {
            "Running" => Self::Running,
            "Stopped" => Self::Stopped,
            "Starting" => Self::Starting,
            "Stopping" => Self::Stopping,
            "Paused" => Self::Paused,
            "" => Self::Other("Unknown".to_owned()),
            other => Self::Other(other.to_owned()),
        }
    }

    /// The string form, as KubeVirt prints it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Running => "Running",
            Self::Stopped => "Stopped",
            Self::Starting => "Starting",
            Self::Stopping => "Stopping",
            Self::Paused => "Paused",
            Self::Other(s) => s,
        }
    }

    /// True when the guest is (or may be) executing, so a snapshot would be taken online.
    pub fn is_running(&self) -> bool {
        match self {
            Self::Running | Self::Paused | Self::Starting | Self::Stopping => true,
            Self::Stopped => false,
            Self::Other(s) => s == "Migrating",
        }
    }

    /// True when the VM is fully stopped: a snapshot is offline and consistent.
    pub fn is_stopped(&self) -> bool {
        matches!(self, Self::Stopped)
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<RunState> for String {
    fn from(s: RunState) -> Self {
        s.as_str().to_owned()
    }
}

impl From<String> for RunState {
    fn from(s: String) -> Self {
        Self::from_printable(&s)
    }
}

/// What the plugin knows about a VM before acting on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmInfo {
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
    /// KubeVirt's `status.printableStatus` verbatim ("Unknown" when absent).
    pub printable_status: String,
    pub run_state: RunState,
    /// `spec.runStrategy`, or one derived from the deprecated `spec.running`.
    pub run_strategy: Option<String>,
    /// The `AgentConnected` condition is True (on the VMI, else the VM).
    pub agent_connected: bool,
    /// Human name of the guest OS from the VMI's `status.guestOSInfo` (needs the agent).
    pub guest_os: Option<String>,
    /// The guest is Windows (from guestOSInfo, or the VM's `kubevirt.io/os`-style labels).
    pub windows: bool,
    /// `status.snapshotInProgress`: the snapshot currently locking this VM.
    pub snapshot_in_progress: Option<String>,
    /// `status.restoreInProgress`: the restore currently running on this VM.
    pub restore_in_progress: Option<String>,
    /// Names of the volumes in the VM spec, in spec order.
    pub volumes: Vec<String>,
}

impl VmInfo {
    pub fn vm_ref(&self) -> VmRef {
        VmRef {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// Lifecycle phase of a snapshot. An empty KubeVirt phase reads as `Pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SnapshotPhase {
    Pending,
    InProgress,
    Succeeded,
    Failed,
    Deleting,
    Unknown,
}

impl SnapshotPhase {
    /// Maps KubeVirt's `status.phase` ("" or absent → Pending, unrecognised → Unknown).
    pub fn from_status(phase: Option<&str>) -> Self {
        match phase.unwrap_or("") {
            "" => Self::Pending,
            "InProgress" => Self::InProgress,
            "Succeeded" => Self::Succeeded,
            "Failed" => Self::Failed,
            "Deleting" => Self::Deleting,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::InProgress => "InProgress",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Deleting => "Deleting",
            Self::Unknown => "Unknown",
        }
    }

    /// No further progress will happen on its own (Succeeded or Failed).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

impl fmt::Display for SnapshotPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How consistent the data captured by a snapshot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Consistency {
    /// Online, file systems frozen through the guest agent (KubeVirt indication `GuestAgent`).
    Application,
    /// Online without a freeze: like pulling the power cord.
    Crash,
    /// The VM was stopped: disks were quiet, fully consistent.
    Offline,
    /// Not known yet (snapshot pending) or not reported.
    Unknown,
}

impl Consistency {
    /// Table cell: "application", "crash", "offline", "unknown".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Crash => "crash",
            Self::Offline => "offline",
            Self::Unknown => "unknown",
        }
    }

    /// A short phrase for reports: "application-consistent", ...
    pub fn label(self) -> &'static str {
        match self {
            Self::Application => "application-consistent",
            Self::Crash => "crash-consistent",
            Self::Offline => "offline (consistent)",
            Self::Unknown => "unknown",
        }
    }

    /// One sentence for plans and reports saying what the consistency means for the user.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Application => {
                "application-consistent: the guest agent froze the file systems while the disks \
                 were captured, so applications flushed their data first"
            }
            Self::Crash => {
                "crash-consistent: the disks were captured while the VM ran without a freeze, \
                 like after a power loss; journaling file systems and databases recover, \
                 unflushed application data may be lost"
            }
            Self::Offline => {
                "offline: the VM was stopped, so the disks were captured in a fully consistent state"
            }
            Self::Unknown => "unknown: the snapshot did not report how it was taken",
        }
    }

    /// [`Consistency::explain`] before the fact: for plans, dry runs and snapshots not yet
    /// taken, which must not claim a freeze that has not happened.
    pub fn expect(self) -> &'static str {
        match self {
            Self::Application => {
                "application-consistent: the guest agent will freeze the file systems while the \
                 disks are captured, so applications flush their data first"
            }
            Self::Crash => {
                "crash-consistent: the disks will be captured while the VM runs without a freeze, \
                 like after a power loss; journaling file systems and databases recover, \
                 unflushed application data may be lost"
            }
            Self::Offline => {
                "offline: the disks will be captured while the VM is stopped, in a fully \
                 consistent state"
            }
            Self::Unknown => "unknown: how the snapshot will be taken cannot be told yet",
        }
    }
}

impl fmt::Display for Consistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A KubeVirt source indication (`Online`, `GuestAgent`, ...) with its message, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Indication {
    pub name: String,
    pub message: Option<String>,
}

impl Indication {
    /// What this indication means for the user, for describe and the create report.
    /// Falls back to the server's message for indications this version does not know.
    pub fn explain(&self) -> String {
        let fixed = match self.name.as_str() {
            "Online" => "the VM was running when the snapshot was taken",
            "GuestAgent" => {
                "the guest agent froze the file systems during the snapshot (application-consistent)"
            }
            "NoGuestAgent" => {
                "no guest agent was connected, so the file systems were not frozen (crash-consistent)"
            }
            "QuiesceTimeout" => {
                "freezing the file systems timed out, so the snapshot was taken without a freeze \
                 (crash-consistent)"
            }
            "Paused" => {
                "the VM was paused: no guest writes were in flight, but applications were not asked \
                 to flush (crash-consistent at the pause point)"
            }
            "PartialSnapshot" => {
                "some volumes could not be snapshotted and were left out (see the excluded volumes)"
            }
            _ => {
                return self
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("indication {}", self.name));
            }
        };
        fixed.to_owned()
    }
}

/// A Kubernetes-style status condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition: Option<Timestamp>,
}

impl Condition {
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }
}

/// What the plugin knows about one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
    /// Source VM name (`spec.source.name`).
    pub vm: String,
    /// `status.sourceUID`: the VM's UID when the snapshot was taken.
    pub vm_uid: Option<String>,
    pub phase: SnapshotPhase,
    pub ready_to_use: bool,
    /// `metadata.creationTimestamp`.
    pub created: Option<Timestamp>,
    /// `status.creationTime`: when the point in time was captured.
    pub creation_time: Option<Timestamp>,
    pub indications: Vec<Indication>,
    pub consistency: Consistency,
    pub included_volumes: Vec<String>,
    pub excluded_volumes: Vec<String>,
    pub content_name: Option<String>,
    pub failure_deadline: Option<String>,
    pub error: Option<String>,
    pub conditions: Vec<Condition>,
    /// Sum of the VolumeSnapshots' `restoreSize`, when every one is known.
    pub size_bytes: Option<u64>,
    pub labels: BTreeMap<String, String>,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
}

impl SnapshotInfo {
    /// A snapshot of VM `vm` known only by its name and phase (ready to use when Succeeded):
    /// no UID, times, volumes, conditions or labels yet, consistency unknown. What a plan
    /// shows before the object exists; the fields known are set over it.
    pub fn new(namespace: &str, name: &str, vm: &str, phase: SnapshotPhase) -> Self {
        Self {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            uid: None,
            vm: vm.to_owned(),
            vm_uid: None,
            phase,
            ready_to_use: phase == SnapshotPhase::Succeeded,
            created: None,
            creation_time: None,
            indications: Vec::new(),
            consistency: Consistency::Unknown,
            included_volumes: Vec::new(),
            excluded_volumes: Vec::new(),
            content_name: None,
            failure_deadline: None,
            error: None,
            conditions: Vec::new(),
            size_bytes: None,
            labels: BTreeMap::new(),
            deleting: false,
        }
    }

    /// Succeeded and readyToUse: safe to restore from.
    pub fn is_ready(&self) -> bool {
        self.phase == SnapshotPhase::Succeeded && self.ready_to_use
    }

    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }

    /// KubeVirt's "VolumeSnapshots (a,b) missing": volume snapshots deleted after the snapshot
    /// succeeded. It stays Succeeded but can never be restored again.
    pub fn volume_snapshots_missing(&self) -> bool {
        self.error
            .as_deref()
            .is_some_and(|e| e.starts_with("VolumeSnapshots (") && e.ends_with(") missing"))
    }

    /// Why a Succeeded snapshot is not ready to use, and what to do about it: (reason, hint).
    pub fn unready_reason(&self) -> (String, String) {
        let (ns, name) = (&self.namespace, &self.name);
        if self.volume_snapshots_missing() {
            return (
                self.error.clone().unwrap_or_default(),
                format!(
                    "its volume snapshots were deleted, so it can no longer be restored or cloned: delete it (kubectl vmsnap delete {name} -n {ns}) and take a new one"
                ),
            );
        }
        let reason = match &self.error {
            Some(e) => format!("its volume snapshots are not ready ({e})"),
            None => "its volume snapshots are not ready yet".to_string(),
        };
        (
            reason,
            format!(
                "the storage is still making them usable; wait for it with: kubectl vmsnap wait {name} -n {ns}"
            ),
        )
    }
}

/// What the plugin knows about one restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreInfo {
    pub namespace: String,
    pub name: String,
    /// Target VM name (`spec.target.name`).
    pub vm: String,
    /// `spec.virtualMachineSnapshotName`.
    pub snapshot: String,
    pub complete: bool,
    pub restore_time: Option<Timestamp>,
    pub conditions: Vec<Condition>,
    pub error: Option<String>,
    pub created: Option<Timestamp>,
    /// The safety snapshot taken of the VM just before this restore (label
    /// `vmsnap.io/safety-snapshot`): restoring it undoes this restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_snapshot: Option<String>,
}

impl RestoreInfo {
    /// Not complete and not failed: still working on the VM.
    pub fn in_progress(&self) -> bool {
        !self.complete && self.error.is_none()
    }
}

/// One volume captured in a snapshot's content, joined with its CSI VolumeSnapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeBackup {
    pub volume: String,
    pub pvc: String,
    pub volume_snapshot: Option<String>,
    pub ready: Option<bool>,
    pub restore_size: Option<u64>,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistency_cells_are_lowercase_words() {
        assert_eq!(Consistency::Application.to_string(), "application");
        assert_eq!(Consistency::Crash.to_string(), "crash");
        assert_eq!(Consistency::Offline.to_string(), "offline");
        assert_eq!(Consistency::Unknown.to_string(), "unknown");
        assert_eq!(serde_json::to_value(Consistency::Crash).unwrap(), "crash");
    }

    #[test]
    fn run_state_round_trips_printable_status() {
        for s in [
            "Running",
            "Stopped",
            "Starting",
            "Stopping",
            "Paused",
            "Migrating",
        ] {
            let rs = RunState::from_printable(s);
            assert_eq!(rs.to_string(), s);
            assert_eq!(serde_json::to_value(&rs).unwrap(), s);
        }
        assert_eq!(
            RunState::from_printable(""),
            RunState::Other("Unknown".into())
        );
        assert!(RunState::from_printable("Migrating").is_running());
        assert!(!RunState::from_printable("ErrorUnschedulable").is_running());
    }

    #[test]
    fn empty_phase_is_pending_and_unknown_strings_are_unknown() {
        assert_eq!(SnapshotPhase::from_status(None), SnapshotPhase::Pending);
        assert_eq!(SnapshotPhase::from_status(Some("")), SnapshotPhase::Pending);
        assert_eq!(
            SnapshotPhase::from_status(Some("Weird")),
            SnapshotPhase::Unknown
        );
        assert_eq!(
            SnapshotPhase::from_status(Some("Succeeded")).to_string(),
            "Succeeded"
        );
        assert!(SnapshotPhase::Failed.is_terminal());
    }

    #[test]
    fn condition_serializes_type_field() {
        let c = Condition {
            type_: "Ready".into(),
            status: "True".into(),
            reason: None,
            message: None,
            last_transition: Some("2026-11-26T10:00:00Z".parse().unwrap()),
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["type"], "Ready");
        assert_eq!(v["lastTransition"], "2026-11-26T10:00:00Z");
    }
}
