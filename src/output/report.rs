//! The report enum `app` renders while VM Operator and Deckhouse still hand over text built
//! in their commands (`PlatformReport`).

use serde::Serialize;

use crate::flow::retention::PruneReport;
use crate::platform::kubevirt::report::{
    BatchReport, CheckReport, CloneReport, CreateReport, DeleteReport, DiffReport, RestoreReport,
    SnapshotDetail, SnapshotList,
};

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
