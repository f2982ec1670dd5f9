//! Readiness report for `check`: one row per VM (can it be snapshotted, how consistently, what stands in the way) and a summary of the most common problems with what to do.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::Consistency;
use crate::output::join_or_none;
use crate::platform::kubevirt::analysis::{Analysis, VolumeFinding};
use crate::platform::kubevirt::api::SNAPSHOTTABLE_SOURCES;

/// The SNAPSHOTTABLE column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Snapshottable {
    /// Every persistent volume would be captured.
    Yes,
    /// A snapshot would succeed but leave persistent volumes out.
    Partial,
    /// A snapshot would fail or capture nothing.
    No,
    /// The VM's storage could not be read (see the row's details).
    Unknown,
}

impl Snapshottable {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::Partial => "partial",
            Self::No => "no",
            Self::Unknown => "unknown",
        }
    }
}

/// Kinds of problems, so the summary can count them across VMs and say what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IssueKind {
    /// The CSI snapshot API is not installed at all.
    SnapshotApiMissing,
    /// No VolumeSnapshotClass for the volume's storage.
    NoSnapshotClass,
    /// Several classes for the driver and none marked default.
    AmbiguousSnapshotClass,
    /// The PVC has no storageClassName.
    NoStorageClassName,
    PvcMissing,
    PvcNotBound,
    PvcDeleting,
    DataVolumeNotPopulated,
    /// The vTPM/EFI state PVC does not exist yet.
    BackendPvcMissing,
    RestoreInProgress,
    /// Only containerDisk, cloud-init and similar volumes.
    NothingPersistent,
    /// Hot-plugged to the running VM only.
    HotplugNotPersisted,
    /// Online without a guest agent: crash-consistent.
    NoGuestAgent,
    /// The VM's storage could not be read (forbidden, or an API error).
    Unreadable,
    /// Anything the analysis reported that has no kind here.
    Other,
}

impl IssueKind {
    /// What the owner can do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Self::SnapshotApiMissing => {
                "ask your cluster admin to install the CSI snapshot CRDs and snapshot controller (snapshot.storage.k8s.io), then a VolumeSnapshotClass per CSI driver"
            }
            Self::NoSnapshotClass => {
                "ask your cluster admin for a VolumeSnapshotClass for the StorageClass's CSI driver, or move the disk to storage that has one"
            }
            Self::AmbiguousSnapshotClass => {
                "ask your cluster admin to mark one VolumeSnapshotClass per driver as default (annotation snapshot.storage.kubernetes.io/is-default-class) or to name one in the CDI StorageProfile"
            }
            Self::NoStorageClassName => {
                "PVCs without a StorageClass cannot be snapshotted: move the data to a PVC on a StorageClass with snapshot support"
            }
            Self::PvcMissing => "create the missing PVC, or remove the volume from the VM",
            Self::PvcNotBound => "find out why the PVC is not bound: kubectl describe pvc NAME",
            Self::PvcDeleting => {
                "the PVC is being deleted: remove the volume from the VM or replace the PVC"
            }
            Self::DataVolumeNotPopulated => "wait for the DataVolume's import or clone to finish",
            Self::BackendPvcMissing => {
                "start the VM once: KubeVirt creates the PVC holding its vTPM/EFI state on first start"
            }
            Self::RestoreInProgress => "wait for the restore to complete",
            Self::NothingPersistent => {
                "keep the VM's data on a PersistentVolumeClaim or DataVolume: containerDisk and cloud-init volumes are not snapshotted"
            }
            Self::HotplugNotPersisted => {
                "hot-plug volumes persistently (virtctl addvolume --persist) so snapshots include them"
            }
            Self::NoGuestAgent => {
                "run qemu-guest-agent in the guest for application-consistent snapshots, or stop the VM for offline ones"
            }
            Self::Unreadable => {
                "check that you may read the VM's PVCs and DataVolumes in its namespace (kubectl auth can-i list persistentvolumeclaims -n NS)"
            }
            Self::Other => "see the details: kubectl vmsnap create VM --dry-run=client",
        }
    }
}

/// One problem of one VM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub kind: IssueKind,
    /// It makes a snapshot fail (as opposed to leaving a volume out or lowering consistency).
    pub blocking: bool,
    /// Short text for the BLOCKERS cell: "archive: no VolumeSnapshotClass for nfs-csi".
    pub text: String,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessRow {
    pub namespace: String,
    pub vm: String,
    /// KubeVirt's printable status.
    pub status: String,
    pub snapshottable: Snapshottable,
    /// What a snapshot taken now would be.
    pub consistency: Consistency,
    pub issues: Vec<Issue>,
    pub included_volumes: Vec<String>,
    pub size_estimate_bytes: u64,
    /// The analysis's full sentences (blockers first, then warnings), for `-o wide` / json.
    pub details: Vec<String>,
}

impl ReadinessRow {
    /// The BLOCKERS cell: what makes the row "no" or "partial"; `<none>` when nothing does.
    pub fn blockers_cell(&self) -> String {
        let cells: Vec<&str> = self
            .issues
            .iter()
            .filter(|i| i.kind != IssueKind::NoGuestAgent)
            .map(|i| i.text.as_str())
            .collect();
        join_or_none(&cells, "; ")
    }
}

/// How often a kind of problem occurs, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueCount {
    pub kind: IssueKind,
    /// VMs affected.
    pub vms: Vec<String>,
    pub blocking: bool,
    pub advice: String,
}

/// Counts over all rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessSummary {
    pub total: usize,
    pub yes: usize,
    pub partial: usize,
    pub no: usize,
    /// Rows whose storage could not be read.
    pub unknown: usize,
    /// Rows per expected consistency ("application", "crash", "offline", "unknown").
    pub consistency: BTreeMap<String, usize>,
    /// Most VMs affected first.
    pub top_issues: Vec<IssueCount>,
}

impl ReadinessSummary {
    /// "5 VMs: 2 snapshottable, 1 partial, 2 not snapshottable" (", 1 unknown" when some
    /// could not be read).
    pub fn headline(&self) -> String {
        let unknown = if self.unknown > 0 {
            format!(", {} unknown", self.unknown)
        } else {
            String::new()
        };
        format!(
            "{} VM{}: {} snapshottable, {} partial, {} not snapshottable{unknown}",
            self.total,
            if self.total == 1 { "" } else { "s" },
            self.yes,
            self.partial,
            self.no
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessReport {
    pub rows: Vec<ReadinessRow>,
    pub summary: ReadinessSummary,
}

/// `[sc]` out of KubeVirt's "… for this StorageClass [sc] [volume]".
fn bracketed_class(reason: &str) -> Option<&str> {
    let rest = reason.split("StorageClass [").nth(1)?;
    rest.split(']').next()
}

fn persistent_kind(f: &VolumeFinding) -> bool {
    SNAPSHOTTABLE_SOURCES.contains(&f.source_kind.as_str()) || f.source_kind == "backendStorage"
}

/// Classifies a left-out volume by the analysis's reason (worded after KubeVirt's).
fn volume_issue(f: &VolumeFinding, api_missing: bool, any_included: bool) -> Option<Issue> {
    if f.included || (!persistent_kind(f) && !f.hotplugged) {
        return None;
    }
    let reason = f.reason.as_deref().unwrap_or("");
    let v = &f.volume;
    let (kind, blocking, text) = if f.hotplugged && reason.contains("hot-plugged") {
        (
            IssueKind::HotplugNotPersisted,
            false,
            format!("{v}: hot-plugged, not in the VM spec"),
        )
    } else if f.source_kind == "backendStorage" && f.pvc.is_none() {
        (
            IssueKind::BackendPvcMissing,
            true,
            format!("{v}: vTPM/EFI state PVC not created yet"),
        )
    } else if reason.starts_with("No VolumeSnapshotClass") {
        let sc = bracketed_class(reason)
            .or(f.storage_class.as_deref())
            .unwrap_or("its StorageClass");
        let kind = if api_missing {
            IssueKind::SnapshotApiMissing
        } else {
            IssueKind::NoSnapshotClass
        };
        (
            kind,
            !any_included,
            format!("{v}: no VolumeSnapshotClass for {sc}"),
        )
    } else if reason.contains("matching VolumeSnapshotClasses") {
        (
            IssueKind::AmbiguousSnapshotClass,
            !any_included,
            format!("{v}: {reason}, none default"),
        )
    } else if reason.contains("no storageClassName") {
        (
            IssueKind::NoStorageClassName,
            !any_included,
            format!("{v}: PVC has no StorageClass"),
        )
    } else if reason == "PVC not found" {
        (
            IssueKind::PvcMissing,
            true,
            format!(
                "{v}: PVC {} missing",
                f.pvc.as_deref().unwrap_or("(unnamed)")
            ),
        )
    } else if reason.contains("is being deleted") {
        (IssueKind::PvcDeleting, true, format!("{v}: {reason}"))
    } else if reason.contains("is not Bound") {
        (IssueKind::PvcNotBound, true, format!("{v}: {reason}"))
    } else if reason.starts_with("DataVolume ") && reason.contains("not populated") {
        (
            IssueKind::DataVolumeNotPopulated,
            true,
            format!("{v}: {reason}"),
        )
    } else {
        (IssueKind::Other, !any_included, format!("{v}: {reason}"))
    };
    Some(Issue {
        kind,
        blocking,
        text,
    })
}

/// One VM's row.
pub fn readiness_row(a: &Analysis) -> ReadinessRow {
    let api_missing = a
        .warnings
        .iter()
        .any(|w| w.contains("does not serve snapshot.storage.k8s.io"));
    let any_included = a.volumes.iter().any(|f| f.included);
    let mut issues: Vec<Issue> = a
        .volumes
        .iter()
        .filter_map(|f| volume_issue(f, api_missing, any_included))
        .collect();
    if let Some(r) = &a.vm.restore_in_progress {
        issues.push(Issue {
            kind: IssueKind::RestoreInProgress,
            blocking: true,
            text: format!("restore {r} in progress"),
        });
    }
    if !a.snapshottable && !a.volumes.iter().any(persistent_kind) {
        issues.push(Issue {
            kind: IssueKind::NothingPersistent,
            blocking: true,
            text: "no PVC or DataVolume disks".to_owned(),
        });
    }
    // A blocker the classification above did not explain still makes the row "no".
    if !a.blockers.is_empty() && !issues.iter().any(|i| i.blocking) {
        issues.push(Issue {
            kind: IssueKind::Other,
            blocking: true,
            text: a.blockers[0].clone(),
        });
    }
    if a.expected_consistency == Consistency::Crash && !a.vm.agent_connected {
        issues.push(Issue {
            kind: IssueKind::NoGuestAgent,
            blocking: false,
            text: "no guest agent: crash-consistent".to_owned(),
        });
    }
    let snapshottable = if !a.snapshottable || !a.blockers.is_empty() {
        Snapshottable::No
    } else if a.volumes.iter().any(|f| !f.included && persistent_kind(f)) {
        Snapshottable::Partial
    } else {
        Snapshottable::Yes
    };
    ReadinessRow {
        namespace: a.vm.namespace.clone(),
        vm: a.vm.name.clone(),
        status: a.vm.printable_status.clone(),
        // A VM that cannot be snapshotted now has no consistency to promise.
        consistency: if snapshottable == Snapshottable::No {
            Consistency::Unknown
        } else {
            a.expected_consistency
        },
        snapshottable,
        issues,
        included_volumes: a
            .included_volumes()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        size_estimate_bytes: a.size_estimate_bytes,
        details: a.blockers.iter().chain(&a.warnings).cloned().collect(),
    }
}

/// A row for a VM whose storage could not be read: `check` still lists it.
pub fn unreadable_row(namespace: &str, vm: &str, status: &str, error: &str) -> ReadinessRow {
    ReadinessRow {
        namespace: namespace.to_owned(),
        vm: vm.to_owned(),
        status: status.to_owned(),
        snapshottable: Snapshottable::Unknown,
        consistency: Consistency::Unknown,
        issues: vec![Issue {
            kind: IssueKind::Unreadable,
            blocking: false,
            text: format!("storage not readable: {error}"),
        }],
        included_volumes: Vec::new(),
        size_estimate_bytes: 0,
        details: vec![error.to_owned()],
    }
}

/// The report over many VMs: rows in the given order, and the summary.
pub fn readiness_report(analyses: &[Analysis]) -> ReadinessReport {
    report_from_rows(analyses.iter().map(readiness_row).collect())
}

/// The report over rows already made (analysed ones and [`unreadable_row`]s, in the order to
/// show).
pub fn report_from_rows(rows: Vec<ReadinessRow>) -> ReadinessReport {
    let mut summary = ReadinessSummary {
        total: rows.len(),
        ..ReadinessSummary::default()
    };
    let mut by_kind: BTreeMap<IssueKind, (BTreeSet<String>, bool)> = BTreeMap::new();
    let qualified = rows
        .iter()
        .map(|r| &r.namespace)
        .collect::<BTreeSet<_>>()
        .len()
        > 1;
    for r in &rows {
        match r.snapshottable {
            Snapshottable::Yes => summary.yes += 1,
            Snapshottable::Partial => summary.partial += 1,
            Snapshottable::No => summary.no += 1,
            Snapshottable::Unknown => summary.unknown += 1,
        }
        *summary
            .consistency
            .entry(r.consistency.as_str().to_owned())
            .or_default() += 1;
        let vm = if qualified {
            format!("{}/{}", r.namespace, r.vm)
        } else {
            r.vm.clone()
        };
        for i in &r.issues {
            let e = by_kind.entry(i.kind).or_default();
            e.0.insert(vm.clone());
            e.1 |= i.blocking;
        }
    }
    let mut top: Vec<IssueCount> = by_kind
        .into_iter()
        .map(|(kind, (vms, blocking))| IssueCount {
            kind,
            vms: vms.into_iter().collect(),
            blocking,
            advice: kind.advice().to_owned(),
        })
        .collect();
    // Most VMs first; blocking before not; then the kind's order.
    top.sort_by(|a, b| {
        b.vms
            .len()
            .cmp(&a.vms.len())
            .then(b.blocking.cmp(&a.blocking))
            .then(a.kind.cmp(&b.kind))
    });
    summary.top_issues = top;
    ReadinessReport { rows, summary }
}

#[cfg(test)]
#[path = "readiness_tests.rs"]
mod tests;
