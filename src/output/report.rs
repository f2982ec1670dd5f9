//! What commands hand to the output layer: plain, serializable data, no formatting.
//!
//! These structs are the documented `-o json` / `-o yaml` schema (docs/cli.md).

use serde::Serialize;

use crate::flow::readiness::{ReadinessRow, ReadinessSummary};
use crate::flow::retention::Decision;
use crate::model::{Consistency, RestoreInfo, SnapshotInfo, SnapshotPhase, VmInfo, VolumeBackup};
use crate::platform::kubevirt::analysis::Analysis;
use crate::platform::kubevirt::analysis::batch::Refusal;
use crate::platform::kubevirt::analysis::config_diff::ConfigDiff;
use crate::platform::kubevirt::api::clone::{CloneInfo, Finding};

/// The result of one command.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// `list`
    List(SnapshotList),
    /// `describe`
    Describe(Box<SnapshotDetail>),
    /// `create` (also its `--dry-run` plan)
    Create(Box<CreateReport>),
    /// `delete`
    Delete(DeleteReport),
    /// `restore` (also its `--dry-run` plan)
    Restore(Box<RestoreReport>),
    /// `version`
    Version(VersionReport),
    /// `diff`
    Diff(Box<DiffReport>),
    /// `check`
    Check(Box<CheckReport>),
    /// `prune` (also its `--dry-run` plan)
    Prune(Box<PruneReport>),
    /// `clone` (also its `--dry-run` plan)
    Clone(Box<CloneReport>),
    /// `create -l SELECTOR` (also its `--dry-run` plan)
    Batch(Box<BatchReport>),
    /// A command of VM Operator or Deckhouse, rendered by the command itself.
    Platform(Box<PlatformReport>),
}

/// What a platform's own command hands back: the data for `-o json|yaml` (carrying its own
/// `kind`), the text for people (and its `-o wide` form), the `-o name` lines.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct PlatformReport {
    /// The structured form.
    pub data: serde_json::Value,
    /// The text for people (tables as kubectl draws them).
    #[serde(skip)]
    pub text: String,
    /// The `-o wide` text, when it differs.
    #[serde(skip)]
    pub wide: Option<String>,
    /// `-o name` lines (`resource.group/name`).
    #[serde(skip)]
    pub names: Vec<String>,
}

/// `list`: the snapshots found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotList {
    /// Always "SnapshotList".
    pub kind: &'static str,
    /// The namespace listed; absent with `-A`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The VM filter, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// The snapshots, sorted by namespace then name.
    pub items: Vec<SnapshotInfo>,
}

/// `describe`: one snapshot and what hangs off it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDetail {
    /// Always "SnapshotDetail".
    pub kind: &'static str,
    /// The snapshot.
    pub snapshot: SnapshotInfo,
    /// Its content's volume backups joined with their CSI VolumeSnapshots.
    pub volume_backups: Vec<VolumeBackup>,
    /// VirtualMachineRestores that name this snapshot.
    pub restores: Vec<RestoreInfo>,
    /// Whether the source VM still exists (None when it could not be checked).
    pub vm_exists: Option<bool>,
    /// The source VM's current UID, to compare with `snapshot.vmUid`.
    pub vm_current_uid: Option<String>,
    /// For a safety snapshot: the snapshot whose restore it was taken before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_before_restoring: Option<String>,
    /// For a safety snapshot: the command that undoes that restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<String>,
}

/// `create`: the snapshot taken (or, with --dry-run, planned).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReport {
    /// Always "SnapshotCreate".
    pub kind: &'static str,
    /// "client" or "server" for a dry run; absent for a real run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// The storage analysis the plan was built on.
    pub analysis: Analysis,
    /// The snapshot as last seen (as planned, for a client dry run).
    pub snapshot: SnapshotInfo,
    /// VM printable status when the snapshot was taken.
    pub vm_state_at_snapshot: String,
    /// This command stopped the VM first.
    pub stopped_vm: bool,
    /// This command started the VM again afterwards.
    pub started_vm: bool,
    /// Seconds the VM was down because of this command (stop → start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downtime_seconds: Option<u64>,
    /// Waited for the snapshot to finish.
    pub waited: bool,
    /// Commands to run next.
    pub next_steps: Vec<String>,
}

/// `delete`: what was deleted.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReport {
    /// Always "SnapshotDelete".
    pub kind: &'static str,
    /// "client" or "server" for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// One entry per snapshot named.
    pub items: Vec<DeletedSnapshot>,
}

/// One deleted snapshot.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedSnapshot {
    /// Namespace.
    pub namespace: String,
    /// Snapshot name.
    pub name: String,
    /// Source VM.
    pub vm: String,
    /// Confirmed gone (false with --no-wait).
    pub gone: bool,
}

/// `restore`: the restore run (or planned).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    /// Always "SnapshotRestore".
    pub kind: &'static str,
    /// "client" or "server" for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// The VirtualMachineRestore as last seen.
    pub restore: RestoreInfo,
    /// The snapshot restored from.
    pub snapshot: SnapshotInfo,
    /// The VM's printable status after the restore.
    pub vm_status: String,
    /// The VM was stopped for the restore (by this command or by StopTarget).
    pub stopped_vm: bool,
    /// This command started the VM afterwards (`--start-after`).
    pub started_vm: bool,
    /// Waited for completion.
    pub waited: bool,
    /// The snapshot of the VM taken just before the restore (absent with
    /// `--no-safety-snapshot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_snapshot: Option<String>,
    /// The command that undoes the restore (restores the safety snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<String>,
    /// What the restore changes in the VM's configuration (absent when the snapshot's content
    /// could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_diff: Option<ConfigDiff>,
    /// Commands to run next.
    pub next_steps: Vec<String>,
}

/// `diff SNAPSHOT`: the snapshot's VM against the live one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffReport {
    /// Always "ConfigDiff".
    pub kind: &'static str,
    /// Namespace.
    pub namespace: String,
    /// The snapshot compared.
    pub snapshot: String,
    /// Its VM (the live one compared with).
    pub vm: String,
    /// Labels and annotations compared too (`--all`).
    pub include_metadata: bool,
    /// The diff: `identical`, the unified `lines`, the `summary`.
    pub diff: ConfigDiff,
}

/// `check`: one row per VM and the summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// Always "ReadinessReport".
    pub kind: &'static str,
    /// The namespace checked; absent with `-A`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// One row per VM, by namespace then name.
    pub rows: Vec<ReadinessRow>,
    /// Counts and the most common problems with advice.
    pub summary: ReadinessSummary,
}

/// `prune`: what the policy deleted and kept, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PruneReport {
    /// Always "SnapshotPrune".
    pub kind: &'static str,
    /// "client" or "server" for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// Namespace.
    pub namespace: String,
    /// Snapshots the policy deletes, each with the rule and reason.
    pub delete: Vec<Decision>,
    /// Snapshots it keeps, each with the rule and reason.
    pub keep: Vec<Decision>,
    /// What was deleted (empty for a client dry run).
    pub deleted: Vec<DeletedSnapshot>,
}

/// `clone`: the VirtualMachineClone and the new VM.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloneReport {
    /// Always "SnapshotClone".
    pub kind: &'static str,
    /// "client" or "server" for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// The VirtualMachineClone as last seen (as planned, for a client dry run).
    pub clone: CloneInfo,
    /// The new VM, once it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm: Option<VmInfo>,
    /// Preflight warnings.
    pub findings: Vec<Finding>,
    /// Waited for the clone to finish.
    pub waited: bool,
    /// Commands to run next.
    pub next_steps: Vec<String>,
}

/// `create -l SELECTOR`: one snapshot per matching VM.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    /// Always "SnapshotBatch".
    pub kind: &'static str,
    /// "client" or "server" for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// Namespace.
    pub namespace: String,
    /// The VM selector.
    pub selector: String,
    /// The batch's `YYYYMMDD-HHMMSS`, also the value of the `vmsnap.io/batch` label.
    pub batch: String,
    /// One per snapshot attempted.
    pub items: Vec<BatchResult>,
    /// Matching VMs that got no snapshot, and why.
    pub refused: Vec<Refusal>,
}

/// One snapshot of a batch.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    /// Namespace.
    pub namespace: String,
    /// The VM.
    pub vm: String,
    /// The snapshot's name.
    pub snapshot: String,
    /// Phase as last seen.
    pub phase: SnapshotPhase,
    /// Ready to restore from.
    pub ready_to_use: bool,
    /// Consistency (as planned until ready).
    pub consistency: Consistency,
    /// Why it failed or did not become ready in time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `version`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionReport {
    /// Always "Version".
    pub kind: &'static str,
    /// The plugin's version.
    pub version: String,
    /// The git commit it was built from, when known.
    pub commit: Option<String>,
    /// The cluster, when it could be reached.
    pub cluster: Option<ClusterVersion>,
    /// Why the cluster could not be reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_error: Option<String>,
}

/// What `version` learns from the cluster.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterVersion {
    /// API server URL.
    pub server: String,
    /// Kubernetes `gitVersion`.
    pub kubernetes_version: Option<String>,
    /// Detected provider ("kubevirt"), if any.
    pub provider: Option<String>,
    /// Served versions of the snapshot API group, preferred first.
    pub snapshot_api_versions: Vec<String>,
    /// The version this plugin uses.
    pub snapshot_api_version: Option<String>,
    /// Served versions of kubevirt.io.
    pub kubevirt_api_versions: Vec<String>,
}
