//! KubeVirt's reports for people: tables for lists, describe-style blocks for single objects.
use jiff::Timestamp;

use super::Report;
use super::{
    BatchReport, CheckReport, CloneReport, CreateReport, DeleteReport, DiffReport, RestoreReport,
    SnapshotDetail, SnapshotList,
};
use crate::flow::retention::PruneReport;
use crate::model::age::age;
use crate::model::{Condition, SnapshotInfo, SnapshotPhase};
use crate::output::describe::{annotation_lines, events_section, table_section};
use crate::output::label_columns::{LabelColumns, format_labels};
use crate::output::long_list::Cells;
use crate::output::{
    RenderOptions, Table, View, deleted_line, join_or_none, key_values, key_values_multi,
    namespace_cells, next_steps, or_none,
};
use crate::platform::kubevirt::analysis::human_bytes;
use crate::platform::kubevirt::analysis::readiness::IssueKind;

/// Renders any report for people.
pub fn render(report: &Report, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
    match report {
        Report::List(l) => list(l, now, wide, opts),
        Report::Describe(d) => describe(d, now),
        Report::Create(c) => create(c, now),
        Report::Delete(d) => delete(d),
        Report::Restore(r) => restore(r, now),
        Report::Diff(d) => diff(d, opts.color),
        Report::Check(c) => check(c, wide, opts),
        Report::Prune(p) => prune(p),
        Report::Clone(c) => clone(c),
        Report::Batch(b) => batch(b),
        Report::Wait(w) => w.human(now, wide, opts),
    }
}

fn batch(b: &BatchReport) -> String {
    let mut t = Table::new(&["vm", "snapshot", "phase", "ready", "consistency", "error"]);
    for i in &b.items {
        t.row(vec![
            i.vm.clone(),
            i.snapshot.clone(),
            i.phase.to_string(),
            i.ready_to_use.to_string(),
            i.consistency.to_string(),
            or_none(i.error.as_deref()),
        ]);
    }
    let mut out = t.render(true);
    for r in &b.refused {
        out.push_str(&format!("refused {}: {}\n", r.vm, r.reason));
    }
    let failed = b.items.iter().filter(|i| i.error.is_some()).count();
    let ready = b.items.iter().filter(|i| i.ready_to_use).count();
    out.push_str(&format!(
        "{} snapshot{} of batch {}{}: {ready} ready, {failed} failed, {} refused\n",
        b.items.len(),
        if b.items.len() == 1 { "" } else { "s" },
        b.batch,
        dry_run_suffix(&b.dry_run),
        b.refused.len()
    ));
    out
}

fn clone(c: &CloneReport) -> String {
    let target = c.clone.target.as_deref().unwrap_or("<unknown>");
    let ns = &c.clone.namespace;
    let from = &c.clone.source_name;
    let headline = if c.dry_run.is_some() {
        format!("VM {ns}/{target} would be created from snapshot {from}")
    } else if c.clone.phase.as_str() == "Succeeded" {
        format!("VM {ns}/{target} created from snapshot {from}")
    } else {
        format!(
            "Clone of snapshot {from} into VM {ns}/{target} started ({})",
            c.clone.phase
        )
    };
    let mut out = format!("{headline}{}\n", dry_run_suffix(&c.dry_run));
    let mut pairs = vec![
        ("Clone", c.clone.name.clone()),
        ("Phase", c.clone.phase.to_string()),
    ];
    if let Some(vm) = &c.vm {
        pairs.push(("VM status", vm.printable_status.clone()));
    }
    out.push_str(&key_values(&pairs, 2));
    for f in &c.findings {
        out.push_str(&format!("  Warning: {}\n", f.message));
    }
    next_steps(&mut out, &c.next_steps);
    out
}

fn prune(p: &PruneReport) -> String {
    let suffix = dry_run_suffix(&p.dry_run);
    let mut out = String::new();
    if p.dry_run.as_deref() == Some("client") {
        for d in &p.delete {
            out.push_str(&format!(
                "{}/{} would be deleted{suffix}\n",
                super::SNAPSHOT_RESOURCE,
                d.snapshot
            ));
        }
    } else {
        for i in &p.deleted {
            let verb = if i.gone || p.dry_run.is_some() {
                "deleted"
            } else {
                "deletion requested"
            };
            out.push_str(&format!(
                "{}/{} {verb}{suffix}\n",
                super::SNAPSHOT_RESOURCE,
                i.name
            ));
        }
    }
    let gone = if p.dry_run.is_some() {
        "to delete"
    } else {
        "deleted"
    };
    out.push_str(&format!(
        "{} {gone}, {} kept\n",
        p.delete.len(),
        p.keep.len()
    ));
    out
}

/// A short name for a kind of problem, for the summary.
fn issue_label(kind: IssueKind) -> &'static str {
    match kind {
        IssueKind::SnapshotApiMissing => "CSI snapshot API not installed",
        IssueKind::NoSnapshotClass => "no VolumeSnapshotClass for the storage",
        IssueKind::AmbiguousSnapshotClass => "several VolumeSnapshotClasses, none default",
        IssueKind::NoStorageClassName => "PVC without a StorageClass",
        IssueKind::PvcMissing => "PVC missing",
        IssueKind::PvcNotBound => "PVC not bound",
        IssueKind::PvcDeleting => "PVC being deleted",
        IssueKind::DataVolumeNotPopulated => "DataVolume not populated",
        IssueKind::BackendPvcMissing => "vTPM/EFI state PVC not created yet",
        IssueKind::RestoreInProgress => "restore in progress",
        IssueKind::NothingPersistent => "no persistent disks",
        IssueKind::HotplugNotPersisted => "hot-plugged volume not in the VM spec",
        IssueKind::NoGuestAgent => "running without a guest agent (crash-consistent)",
        IssueKind::Unreadable => "storage not readable",
        IssueKind::Other => "other",
    }
}

fn check(c: &CheckReport, wide: bool, opts: RenderOptions) -> String {
    if c.rows.is_empty() {
        return String::new();
    }
    let all = c.namespace.is_none();
    let mut headers: Vec<&str> = Vec::new();
    if all {
        headers.push("NAMESPACE");
    }
    headers.extend(["VM", "STATUS", "SNAPSHOTTABLE", "CONSISTENCY", "BLOCKERS"]);
    if wide {
        headers.extend(["SIZE", "INCLUDED"]);
    }
    let mut t = Table::new(&headers);
    for r in &c.rows {
        let mut row = namespace_cells(all, &r.namespace);
        row.extend([
            r.vm.clone(),
            r.status.clone(),
            r.snapshottable.as_str().to_string(),
            readiness_consistency_cell(r),
            r.blockers_cell(),
        ]);
        if wide {
            row.extend([
                human_bytes(r.size_estimate_bytes),
                join_or_none(&r.included_volumes, ", "),
            ]);
        }
        t.row(row);
    }
    let mut out = t.render(!opts.no_headers);
    out.push('\n');
    out.push_str(&c.summary.headline());
    out.push('\n');
    if !c.summary.top_issues.is_empty() {
        out.push_str("Top issues:\n");
        for i in &c.summary.top_issues {
            let n = i.vms.len();
            out.push_str(&format!(
                "  {} ({n} VM{}: {})\n    {}\n",
                issue_label(i.kind),
                if n == 1 { "" } else { "s" },
                i.vms.join(", "),
                i.advice
            ));
        }
    }
    out
}

fn diff(d: &DiffReport, color: bool) -> String {
    let mut out = format!(
        "Restoring snapshot {} into VM {}/{} would change:\n",
        d.snapshot, d.namespace, d.vm
    );
    out.push_str(&crate::platform::kubevirt::report::diff::summary(
        &d.diff, 2,
    ));
    if !d.diff.identical {
        out.push_str(&crate::platform::kubevirt::report::diff::unified(
            &d.diff, color, 0,
        ));
    }
    out
}

/// The VOLUMES cell: included count, or included/total when some were left out.
/// VOLUMES: the volumes captured. Volumes KubeVirt cannot capture (cloud-init, container
/// disks, ...) are left out of the count; KubeVirt marks a snapshot `PartialSnapshot` only
/// when a volume it could have captured (PVC, DataVolume, memory dump) was left out
/// (pkg/storage/snapshot/snapshot.go, updateSnapshotSnapshotableVolumes), and that is said.
pub fn volumes_cell(s: &SnapshotInfo) -> String {
    let captured = s.included_volumes.len();
    if s.indications.iter().any(|i| i.name == "PartialSnapshot") {
        format!("{captured} (partial)")
    } else {
        captured.to_string()
    }
}

fn size_cell(s: &SnapshotInfo) -> String {
    size_text(s.size_bytes)
}

fn size_text(bytes: Option<u64>) -> String {
    bytes
        .map(human_bytes)
        .unwrap_or_else(|| "<unknown>".to_string())
}

fn phase_cell(s: &SnapshotInfo) -> String {
    if s.deleting {
        "Deleting".to_string()
    } else {
        s.phase.to_string()
    }
}

/// CONSISTENCY: a Failed snapshot captured nothing, so it has none.
fn consistency_cell(s: &SnapshotInfo) -> String {
    if s.phase == SnapshotPhase::Failed {
        "<none>".to_string()
    } else {
        s.consistency.to_string()
    }
}

/// The list table's shape: which optional columns it has.
#[derive(Debug, Clone, Copy)]
pub struct ListColumns<'a> {
    /// A NAMESPACE column first (`-A`).
    pub all_namespaces: bool,
    /// `-o wide`.
    pub wide: bool,
    /// `-L` / `--show-labels`.
    pub labels: &'a LabelColumns,
}

/// The list table's headers.
pub fn list_headers(c: ListColumns<'_>) -> Vec<String> {
    let mut headers: Vec<String> = Vec::new();
    if c.all_namespaces {
        headers.push("NAMESPACE".into());
    }
    headers.extend(
        [
            "NAME",
            "VM",
            "PHASE",
            "READY",
            "CONSISTENCY",
            "VOLUMES",
            "SIZE",
            "AGE",
        ]
        .map(String::from),
    );
    if c.wide {
        headers.extend(["CONTENT", "DEADLINE", "ERROR"].map(String::from));
    }
    headers.extend(c.labels.headers());
    headers
}

/// One snapshot's row of the list table, as of `now`.
pub fn list_row(s: &SnapshotInfo, c: ListColumns<'_>, now: Timestamp) -> Vec<String> {
    let mut row = namespace_cells(c.all_namespaces, &s.namespace);
    row.extend([
        s.name.clone(),
        s.vm.clone(),
        phase_cell(s),
        s.ready_to_use.to_string(),
        consistency_cell(s),
        volumes_cell(s),
        size_cell(s),
        age(s.created, now),
    ]);
    if c.wide {
        row.extend([
            or_none(s.content_name.as_deref()),
            or_none(s.failure_deadline.as_deref()),
            or_none(s.error.as_deref()),
        ]);
    }
    row.extend(c.labels.cells(&s.labels));
    row
}

/// Where SIZE stands in a row (AGE follows it): the two cells a compact row leaves out, as
/// the size is joined later and the age depends on when the table prints.
fn size_column(c: ListColumns<'_>) -> usize {
    6 + usize::from(c.all_namespaces)
}

/// [`list_row`] without SIZE and AGE, in one allocation: what a long list keeps per row.
pub fn compact_list_row(s: &SnapshotInfo, c: ListColumns<'_>) -> Cells {
    let mut cells = list_row(s, c, Timestamp::UNIX_EPOCH);
    let at = size_column(c);
    cells.drain(at..at + 2);
    Cells::new(cells)
}

/// A [`compact_list_row`] with its SIZE and AGE back: [`list_row`] of the snapshot.
pub fn expand_list_row(
    cells: &Cells,
    size_bytes: Option<u64>,
    created: Option<Timestamp>,
    c: ListColumns<'_>,
    now: Timestamp,
) -> Vec<String> {
    let mut row = cells.to_vec();
    let at = size_column(c).min(row.len());
    row.splice(at..at, [size_text(size_bytes), age(created, now)]);
    row
}

fn list(l: &SnapshotList, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
    let columns = ListColumns {
        all_namespaces: l.namespace.is_none(),
        wide,
        labels: &l.label_columns,
    };
    let mut t = Table::new(&list_headers(columns));
    for s in &l.items {
        t.row(list_row(s, columns, now));
    }
    t.render_list(!opts.no_headers)
}

fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "<unknown>".to_string(),
    }
}

fn labels(s: &SnapshotInfo) -> String {
    format_labels(&s.labels)
}

/// The "Conditions:" section of describe.
fn conditions_section(conds: &[Condition], now: Timestamp) -> String {
    let rows = conds.iter().map(|c| {
        vec![
            c.type_.clone(),
            c.status.clone(),
            or_none(c.reason.as_deref()),
            age(c.last_transition, now),
            or_none(c.message.as_deref()),
        ]
    });
    table_section(
        "Conditions",
        &["type", "status", "reason", "age", "message"],
        rows.collect(),
    )
}

fn describe(d: &SnapshotDetail, now: Timestamp) -> String {
    let s = &d.snapshot;
    let vm = match (&s.vm_uid, d.vm_exists, &d.vm_current_uid) {
        (_, Some(false), _) => format!("{} (no longer exists)", s.vm),
        (Some(then), _, Some(cur)) if then != cur => {
            format!(
                "{} (uid {then}; the VM was recreated since, now uid {cur})",
                s.vm
            )
        }
        (Some(uid), _, _) => format!("{} (uid {uid})", s.vm),
        (None, _, _) => s.vm.clone(),
    };
    let mut out = key_values_multi(
        &[
            ("Name", vec![s.name.clone()]),
            ("Namespace", vec![s.namespace.clone()]),
            ("Labels", vec![labels(s)]),
            ("Annotations", annotation_lines(&d.annotations)),
            ("Source VM", vec![vm]),
            ("Phase", vec![phase_cell(s)]),
            ("Ready To Use", vec![s.ready_to_use.to_string()]),
            ("Created", vec![when(s.created, now)]),
            ("Snapshot Time", vec![when(s.creation_time, now)]),
            ("Consistency", vec![s.consistency.label().to_string()]),
            ("Size", vec![size_cell(s)]),
            ("Content", vec![or_none(s.content_name.as_deref())]),
            (
                "Failure Deadline",
                vec![or_none(s.failure_deadline.as_deref())],
            ),
            ("Error", vec![or_none(s.error.as_deref())]),
        ],
        0,
    );
    out.push_str("Indications:\n");
    if s.indications.is_empty() {
        out.push_str("  <none>\n");
    }
    for i in &s.indications {
        out.push_str(&format!("  {}: {}\n", i.name, i.explain()));
    }
    out.push_str("Volumes:\n");
    out.push_str(&key_values(
        &[
            ("Included", join_or_none(&s.included_volumes, ", ")),
            ("Excluded", join_or_none(&s.excluded_volumes, ", ")),
        ],
        2,
    ));
    out.push_str(&table_section(
        "Volume Snapshots",
        &[
            "volume",
            "pvc",
            "volumesnapshot",
            "ready",
            "restore size",
            "error",
        ],
        d.volume_backups
            .iter()
            .map(|b| {
                vec![
                    b.volume.clone(),
                    b.pvc.clone(),
                    or_none(b.volume_snapshot.as_deref()),
                    b.ready
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "<unknown>".to_string()),
                    b.restore_size
                        .map(human_bytes)
                        .unwrap_or_else(|| "<unknown>".to_string()),
                    or_none(b.error.as_deref()),
                ]
            })
            .collect(),
    ));
    out.push_str(&conditions_section(&s.conditions, now));
    out.push_str(&table_section(
        "Restores",
        &[
            "name",
            "vm",
            "complete",
            "restore time",
            "safety snapshot",
            "age",
        ],
        d.restores
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.vm.clone(),
                    r.complete.to_string(),
                    r.restore_time
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "<none>".to_string()),
                    r.safety_snapshot
                        .clone()
                        .unwrap_or_else(|| "<none>".to_string()),
                    age(r.created, now),
                ]
            })
            .collect(),
    ));
    if let Some(restoring) = &d.taken_before_restoring {
        out.push_str(&format!(
            "Safety Snapshot:   taken before restoring {restoring}\n"
        ));
        if let Some(undo) = &d.undo {
            out.push_str(&format!("Undo With:         {undo}\n"));
        }
    }
    out.push_str(&events_section(
        d.events.as_deref(),
        &format!("VirtualMachineSnapshot/{}", s.name),
        now,
    ));
    out
}

fn dry_run_suffix(d: &Option<String>) -> &'static str {
    match d.as_deref() {
        Some("server") => " (server dry run)",
        Some(_) => " (dry run)",
        None => "",
    }
}

fn create(c: &CreateReport, now: Timestamp) -> String {
    let s = &c.snapshot;
    let mut out = String::new();
    let headline = if c.dry_run.is_some() {
        format!(
            "Snapshot {} of VM {}/{} would be created",
            s.name, s.namespace, s.vm
        )
    } else if s.is_ready() {
        format!(
            "Snapshot {} of VM {}/{} is ready",
            s.name, s.namespace, s.vm
        )
    } else if c.waited {
        format!(
            "Snapshot {} of VM {}/{} ended {}",
            s.name, s.namespace, s.vm, s.phase
        )
    } else {
        format!(
            "Snapshot {} of VM {}/{} created ({})",
            s.name, s.namespace, s.vm, s.phase
        )
    };
    out.push_str(&format!("{headline}{}\n", dry_run_suffix(&c.dry_run)));
    let mut pairs = vec![
        ("VM state", c.vm_state_at_snapshot.clone()),
        (
            "Phase",
            format!("{} (ready to use: {})", phase_cell(s), s.ready_to_use),
        ),
    ];
    if c.dry_run.is_none() {
        pairs.push(("Created", when(s.creation_time.or(s.created), now)));
    }
    // Before the snapshot is ready (a dry run, --no-wait) the plan's expectation, in the future.
    let consistency = if c.dry_run.is_some() || !s.is_ready() {
        c.analysis.expected_consistency.expect()
    } else {
        s.consistency.explain()
    };
    pairs.push(("Consistency", consistency.to_string()));
    let (inc, exc) = if s.included_volumes.is_empty() && s.excluded_volumes.is_empty() {
        let planned = |included| join_or_none(&c.analysis.volume_names(included), ", ");
        (planned(true), planned(false))
    } else {
        (
            join_or_none(&s.included_volumes, ", "),
            join_or_none(&s.excluded_volumes, ", "),
        )
    };
    pairs.push(("Included", inc));
    pairs.push(("Excluded", exc));
    if let Some(differs) = differs_from_plan(c) {
        pairs.push(("Not as planned", differs));
    }
    let size = s.size_bytes.unwrap_or(c.analysis.size_estimate_bytes);
    pairs.push(("Size", human_bytes(size)));
    if let Some(e) = &s.error {
        pairs.push(("Error", e.clone()));
    }
    if let Some(d) = c.downtime_seconds {
        pairs.push((
            "Downtime",
            crate::model::age::human_duration(jiff::SignedDuration::from_secs(d as i64)),
        ));
    }
    out.push_str(&key_values(&pairs, 2));
    if !s.indications.is_empty() {
        out.push_str("Indications:\n");
        for i in &s.indications {
            out.push_str(&format!("  {}: {}\n", i.name, i.explain()));
        }
    }
    next_steps(&mut out, &c.next_steps);
    out
}

fn delete(d: &DeleteReport) -> String {
    let note = d.dry_run.is_some().then(|| dry_run_suffix(&d.dry_run));
    d.items
        .iter()
        .map(|i| {
            let name = format!("{}/{}", super::SNAPSHOT_RESOURCE, i.name);
            deleted_line(&name, i.gone, note)
        })
        .collect()
}

fn restore(r: &RestoreReport, now: Timestamp) -> String {
    let mut out = String::new();
    let s = &r.snapshot;
    let headline = if r.dry_run.is_some() {
        format!(
            "VM {}/{} would be restored from snapshot {}",
            s.namespace, r.restore.vm, s.name
        )
    } else if r.restore.complete && r.restore.vm != s.vm {
        format!(
            "VM {}/{} created from snapshot {} of VM {}",
            s.namespace, r.restore.vm, s.name, s.vm
        )
    } else if r.restore.complete {
        format!(
            "VM {}/{} restored from snapshot {}",
            s.namespace, r.restore.vm, s.name
        )
    } else if let Some(e) = &r.restore.error {
        format!("Restore of VM {}/{} failed: {e}", s.namespace, r.restore.vm)
    } else {
        format!(
            "Restore of VM {}/{} from snapshot {} started",
            s.namespace, r.restore.vm, s.name
        )
    };
    out.push_str(&format!("{headline}{}\n", dry_run_suffix(&r.dry_run)));
    let mut pairs = vec![
        ("Restore", r.restore.name.clone()),
        ("Snapshot taken", when(s.creation_time.or(s.created), now)),
    ];
    if r.dry_run.is_none() {
        pairs.push((
            "Completed",
            if r.restore.complete {
                when(r.restore.restore_time, now)
            } else {
                "no".to_string()
            },
        ));
    }
    pairs.push(("VM status", r.vm_status.clone()));
    if let Some(safety) = &r.safety_snapshot {
        pairs.push(("Safety snapshot", safety.clone()));
    }
    if let Some(undo) = &r.undo {
        pairs.push(("Undo", undo.clone()));
    }
    out.push_str(&key_values(&pairs, 2));
    next_steps(&mut out, &r.next_steps);
    out
}

/// Where the snapshot KubeVirt reports differs from the plan's volumes, once it has reported
/// them: "planned but not captured: a; captured though not planned: b".
fn differs_from_plan(c: &CreateReport) -> Option<String> {
    let s = &c.snapshot;
    if c.dry_run.is_some() || (s.included_volumes.is_empty() && s.excluded_volumes.is_empty()) {
        return None;
    }
    let planned = c.analysis.included_volumes();
    let missing: Vec<String> = planned
        .iter()
        .filter(|p| !s.included_volumes.iter().any(|i| i == *p))
        .map(|p| p.to_string())
        .collect();
    let extra: Vec<String> = s
        .included_volumes
        .iter()
        .filter(|i| !planned.contains(&i.as_str()))
        .cloned()
        .collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("planned but not captured: {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("captured though not planned: {}", extra.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `check`'s CONSISTENCY cell: "-" for a VM that cannot be snapshotted now (no snapshot, so
/// no consistency), else what a snapshot taken now would be.
fn readiness_consistency_cell(
    r: &crate::platform::kubevirt::analysis::readiness::ReadinessRow,
) -> String {
    if r.snapshottable == crate::platform::kubevirt::analysis::readiness::Snapshottable::No {
        "-".to_string()
    } else {
        r.consistency.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Consistency, SnapshotPhase};

    fn snap(ns: &str, name: &str) -> SnapshotInfo {
        SnapshotInfo {
            created: Some("2026-11-24T05:00:00Z".parse().unwrap()),
            consistency: Consistency::Application,
            included_volumes: vec!["rootdisk".into(), "datadisk".into()],
            excluded_volumes: vec!["scratch".into()],
            content_name: Some("content-1".into()),
            failure_deadline: Some("5m0s".into()),
            size_bytes: Some(70 * 1024 * 1024 * 1024),
            ..SnapshotInfo::new(ns, name, "database-01", SnapshotPhase::Succeeded)
        }
    }

    fn now() -> Timestamp {
        "2026-11-26T10:00:00Z".parse().unwrap()
    }

    fn list_of(items: Vec<SnapshotInfo>, namespace: Option<&str>) -> SnapshotList {
        SnapshotList {
            kind: "SnapshotList",
            namespace: namespace.map(Into::into),
            vm: None,
            items,
            objects: None,
            rows: None,
            label_columns: LabelColumns::default(),
        }
    }

    #[test]
    fn list_table_matches_kubectl_layout() {
        let l = list_of(
            vec![snap("production", "pre-upgrade-snapshot")],
            Some("production"),
        );
        let text = list(&l, now(), false, RenderOptions::default());
        assert_eq!(
            text,
            "NAME                   VM            PHASE       READY   CONSISTENCY   VOLUMES   SIZE   AGE\n\
             pre-upgrade-snapshot   database-01   Succeeded   true    application   2         70Gi   2d5h\n"
        );
    }

    #[test]
    fn a_compact_row_expands_to_the_full_row_in_every_shape() {
        let mut s = snap("p", "s1");
        s.labels.insert("tier".into(), "db\x1b".into());
        s.error = Some("bad\nthing".into());
        let labels = LabelColumns::new(&["tier".into()], true);
        for all_namespaces in [false, true] {
            for wide in [false, true] {
                for labels in [&LabelColumns::default(), &labels] {
                    let c = ListColumns {
                        all_namespaces,
                        wide,
                        labels,
                    };
                    let compact = compact_list_row(&s, c);
                    let expanded = expand_list_row(&compact, s.size_bytes, s.created, c, now());
                    let escape = |v: Vec<String>| -> Vec<String> {
                        v.iter()
                            .map(|c| crate::terminal::terminal_safe(c, false).into_owned())
                            .collect()
                    };
                    assert_eq!(expanded, escape(list_row(&s, c, now())));
                }
            }
        }
    }

    #[test]
    fn volumes_count_only_what_was_captured_and_say_partial() {
        // "scratch" (say, cloud-init) is excluded but KubeVirt cannot capture it: not counted.
        let mut s = snap("p", "s");
        assert_eq!(volumes_cell(&s), "2");
        s.indications.push(crate::model::Indication {
            name: "PartialSnapshot".into(),
            message: None,
        });
        assert_eq!(volumes_cell(&s), "2 (partial)");
    }

    #[test]
    fn a_failed_snapshot_has_no_consistency() {
        let mut s = snap("p", "s");
        s.phase = SnapshotPhase::Failed;
        s.consistency = Consistency::Crash;
        let cols = ListColumns {
            all_namespaces: false,
            wide: false,
            labels: &LabelColumns::default(),
        };
        assert_eq!(list_row(&s, cols, now())[4], "<none>");
    }

    #[test]
    fn label_columns_come_after_the_wide_columns() {
        let mut s = snap("p", "s1");
        s.labels.insert("tier".into(), "db".into());
        let mut l = list_of(vec![s], Some("p"));
        l.label_columns = LabelColumns::new(&["tier".into(), "app".into()], true);
        let text = list(&l, now(), true, RenderOptions::default());
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
        assert_eq!(
            header[header.len() - 4..],
            ["ERROR", "TIER", "APP", "LABELS"]
        );
        assert!(
            lines
                .next()
                .unwrap()
                .ends_with("<none>   db           tier=db"),
            "{text}"
        );
    }

    #[test]
    fn all_namespaces_and_wide_add_columns_and_no_headers_drops_the_header() {
        let l = list_of(vec![snap("production", "s1")], None);
        let text = list(&l, now(), true, RenderOptions::default());
        let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(header[0], "NAMESPACE");
        assert_eq!(header[header.len() - 3..], ["CONTENT", "DEADLINE", "ERROR"]);
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .ends_with("content-1   5m0s       <none>")
        );
        let bare = list(
            &l,
            now(),
            false,
            RenderOptions {
                no_headers: true,
                ..RenderOptions::default()
            },
        );
        assert!(bare.starts_with("production   s1"), "{bare}");
    }

    #[test]
    fn empty_list_prints_nothing() {
        assert_eq!(
            list(
                &list_of(vec![], Some("x")),
                now(),
                false,
                RenderOptions::default()
            ),
            ""
        );
    }

    #[test]
    fn the_create_report_says_where_the_snapshot_differs_from_the_plan() {
        use crate::platform::kubevirt::analysis::{StorageInputs, VolumeFinding, analyse};
        let mut analysis = analyse(&StorageInputs::default());
        for name in ["rootdisk", "persistent-state-for-database-01"] {
            analysis.volumes.push(VolumeFinding {
                volume: name.into(),
                source_kind: "persistentVolumeClaim".into(),
                included: true,
                ..VolumeFinding::default()
            });
        }
        let mut report = CreateReport {
            kind: "SnapshotCreate",
            dry_run: None,
            analysis,
            snapshot: snap("production", "s1"),
            vm_state_at_snapshot: "Running".into(),
            stopped_vm: false,
            started_vm: false,
            downtime_seconds: None,
            waited: true,
            next_steps: vec![],
        };
        let text = create(&report, now());
        assert!(
            text.contains(
                "Not as planned:  planned but not captured: persistent-state-for-database-01; \
                 captured though not planned: datadisk"
            ),
            "{text}"
        );
        report.snapshot.included_volumes =
            vec!["rootdisk".into(), "persistent-state-for-database-01".into()];
        assert!(!create(&report, now()).contains("Not as planned"));
    }

    #[test]
    fn deleting_snapshots_read_as_deleting() {
        let mut s = snap("p", "s");
        s.deleting = true;
        assert_eq!(phase_cell(&s), "Deleting");
    }
}
