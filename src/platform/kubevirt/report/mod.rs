//! What KubeVirt's commands hand to the output layer: plain, serializable data, no
//! formatting. These structs are the documented `-o json` / `-o yaml` schema (docs/cli.md).

pub mod diff;
pub mod human;
pub mod listed;

/// The `-o name` prefix of a snapshot (kubectl's `resource.group/name`).
pub const SNAPSHOT_RESOURCE: &str = "virtualmachinesnapshot.snapshot.kubevirt.io";
/// The `-o name` prefix of a restore.
pub const RESTORE_RESOURCE: &str = "virtualmachinerestore.snapshot.kubevirt.io";

use std::collections::BTreeMap;

use serde::Serialize;

use crate::flow::retention::DeletedSnapshot;
use crate::flow::retention::PruneReport;
use crate::output::{RenderOptions, View};

use crate::model::event::EventInfo;
use crate::model::{Consistency, RestoreInfo, SnapshotInfo, SnapshotPhase, VmInfo, VolumeBackup};
use crate::platform::kubevirt::analysis::Analysis;
use crate::platform::kubevirt::analysis::batch::Refusal;
use crate::platform::kubevirt::analysis::config_diff::ConfigDiff;
use crate::platform::kubevirt::analysis::readiness::{ReadinessRow, ReadinessSummary};
use crate::platform::kubevirt::api::clone::{CloneInfo, Finding};

/// `list`: the snapshots found.
/// The result of one of KubeVirt's commands.
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
    /// `wait`
    Wait(crate::flow::follow::WaitReport),
}

impl SnapshotList {
    /// The number of snapshots listed.
    pub fn len(&self) -> usize {
        match (&self.rows, &self.objects) {
            (Some(rows), _) => rows.rows.len(),
            (None, Some(objects)) => objects.len(),
            (None, None) => self.items.len(),
        }
    }

    /// Nothing listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl View for Report {
    fn human(&self, now: jiff::Timestamp, wide: bool, opts: RenderOptions) -> String {
        human::render(self, now, wide, opts)
    }

    fn names(&self) -> Vec<String> {
        names(self)
    }

    fn api_objects(&self) -> Option<serde_json::Value> {
        api_objects(self)
    }

    fn write_streamed(
        &self,
        _spec: &crate::output::OutputSpec,
        now: jiff::Timestamp,
        opts: RenderOptions,
        w: &mut dyn std::io::Write,
    ) -> anyhow::Result<bool> {
        let Report::List(l) = self else {
            return Ok(false);
        };
        let Some(rows) = &l.rows else {
            return Ok(false);
        };
        rows.write(l, now, opts, w)?;
        Ok(true)
    }

    fn styled(&self, opts: RenderOptions) -> bool {
        // A coloured diff escaped its lines before painting them (diff::unified).
        matches!(self, Report::Diff(_)) && opts.color
    }

    fn failure(&self) -> Option<anyhow::Error> {
        // As `kubectl diff`: printed, then exit 1 when there are differences.
        if let Report::Diff(d) = self {
            return (!d.diff.identical)
                .then(|| crate::error::ResultCode(crate::error::EXIT_DIFFERENCES).into());
        }
        let Report::Batch(b) = self else { return None };
        let failed = crate::platform::kubevirt::commands::batch::failures(b);
        (failed > 0).then(|| {
            crate::error::UserError::failure(format!(
                "{failed} of {} snapshots of batch {} failed",
                b.items.len(),
                b.batch
            ))
            .hint(format!(
                "see them with: kubectl vmsnap list -l vmsnap.io/batch={} -n {}",
                b.batch, b.namespace
            ))
            .into()
        })
    }
}

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
    /// The snapshots: by creation time (oldest first), then namespace and name, unless
    /// `--sort-by` named another order.
    pub items: Vec<SnapshotInfo>,
    /// The VirtualMachineSnapshots as read, in the list's order, for `-o jsonpath`.
    #[serde(skip)]
    pub objects: Option<Vec<serde_json::Value>>,
    /// The rows in a compact form, for the outputs that print no more than a row per
    /// snapshot (table, wide, name, json, yaml, custom-columns); `items` is then empty.
    #[serde(skip)]
    pub rows: Option<std::sync::Arc<listed::ListRows>>,
    /// `-L` / `--show-labels` columns of the table (not part of the JSON schema).
    #[serde(skip)]
    pub label_columns: crate::output::label_columns::LabelColumns,
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
    /// The VirtualMachineSnapshot as read.
    #[serde(skip)]
    pub object: serde_json::Value,
    /// The snapshot's annotations (the console's `description` among them).
    pub annotations: BTreeMap<String, String>,
    /// Events about the snapshot, its content and its VolumeSnapshots, oldest first; absent
    /// when they could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventInfo>>,
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

/// `-o name` lines of a KubeVirt report.
/// The API objects of `list` (a `List`, in the rows' order) and `describe` (the snapshot).
pub fn api_objects(report: &Report) -> Option<serde_json::Value> {
    match report {
        Report::List(l) => l.objects.clone().map(crate::output::api_list),
        Report::Describe(d) => Some(d.object.clone()),
        _ => None,
    }
}

pub fn names(report: &Report) -> Vec<String> {
    match report {
        Report::List(l) => l
            .items
            .iter()
            .map(|s| format!("{SNAPSHOT_RESOURCE}/{}", s.name))
            .collect(),
        Report::Describe(d) => vec![format!("{SNAPSHOT_RESOURCE}/{}", d.snapshot.name)],
        Report::Create(c) => vec![format!("{SNAPSHOT_RESOURCE}/{}", c.snapshot.name)],
        Report::Delete(d) => d
            .items
            .iter()
            .map(|s| format!("{SNAPSHOT_RESOURCE}/{}", s.name))
            .collect(),
        Report::Restore(r) => vec![format!("{RESTORE_RESOURCE}/{}", r.restore.name)],
        Report::Diff(d) => vec![format!("{SNAPSHOT_RESOURCE}/{}", d.snapshot)],
        Report::Check(c) => c
            .rows
            .iter()
            .map(|r| format!("virtualmachine.kubevirt.io/{}", r.vm))
            .collect(),
        Report::Wait(w) => w.names(),
        Report::Batch(b) => b
            .items
            .iter()
            .map(|i| format!("{SNAPSHOT_RESOURCE}/{}", i.snapshot))
            .collect(),
        Report::Clone(c) => vec![format!(
            "virtualmachine.kubevirt.io/{}",
            c.clone.target.as_deref().unwrap_or_default()
        )],
        Report::Prune(p) => p
            .delete
            .iter()
            .map(|d| format!("{SNAPSHOT_RESOURCE}/{}", d.snapshot))
            .collect(),
    }
}
