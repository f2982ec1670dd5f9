//! Readiness rows and summary over the KubeVirt fixtures' VMs, and one change per rule.

use serde_json::{Value, json};

use super::*;
use crate::platform::kubevirt::analysis::{StorageInputs, analyse};
use crate::platform::kubevirt::api::fixtures::{database_vmi_without_agent, load};

fn inputs(vm: Value, vmi: Option<&str>) -> StorageInputs {
    StorageInputs::from_fixtures(vm, vmi.map(load))
}

/// The readiness row of `vm`, not running.
fn row_of(vm: Value) -> ReadinessRow {
    readiness_row(&analyse(&inputs(vm, None)))
}

/// `vm` with its first volume (rootdisk) replaced by `volume`.
fn with_rootdisk(mut vm: Value, volume: Value) -> Value {
    vm["spec"]["template"]["spec"]["volumes"][0] = volume;
    vm
}

fn analysis(vm: &str, vmi: Option<&str>) -> Analysis {
    analyse(&inputs(load(vm), vmi))
}

fn fixture_vms() -> Vec<Analysis> {
    vec![
        analysis("vm-database-01.yaml", Some("vmi-database-01.yaml")),
        analysis("vm-web-02-stopped.yaml", None),
        analysis("vm-win-app-01.yaml", Some("vmi-win-app-01.yaml")),
        analysis("vm-win11-tpm.yaml", None),
        analysis("vm-legacy-app.yaml", None),
    ]
}

fn kinds(row: &ReadinessRow) -> Vec<(IssueKind, bool)> {
    row.issues.iter().map(|i| (i.kind, i.blocking)).collect()
}

#[test]
fn fixture_vms_as_rows() {
    let r = readiness_report(&fixture_vms());
    let cells: Vec<(&str, &str, &str, &str, String)> = r
        .rows
        .iter()
        .map(|row| {
            (
                row.vm.as_str(),
                row.status.as_str(),
                row.snapshottable.as_str(),
                row.consistency.as_str(),
                row.blockers_cell(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            (
                "database-01",
                "Running",
                "partial",
                "application",
                "archive: no VolumeSnapshotClass for nfs-csi; debug-logs: hot-plugged, not in the VM spec".to_owned()
            ),
            ("web-02", "Stopped", "yes", "offline", "<none>".to_owned()),
            (
                "win-app-01",
                "Running",
                "partial",
                "application",
                "rootdisk: 2 matching VolumeSnapshotClasses for px-replicated, none default".to_owned()
            ),
            ("win11-desk", "Stopped", "yes", "offline", "<none>".to_owned()),
            (
                "legacy-app",
                "Stopped",
                "no",
                // Nothing can be snapshotted: no consistency to promise.
                "unknown",
                "data: no VolumeSnapshotClass for nfs-csi".to_owned()
            ),
        ]
    );
    // A left-out volume blocks only when nothing else would be captured.
    assert_eq!(
        kinds(&r.rows[0]),
        [
            (IssueKind::NoSnapshotClass, false),
            (IssueKind::HotplugNotPersisted, false)
        ]
    );
    assert_eq!(kinds(&r.rows[4]), [(IssueKind::NoSnapshotClass, true)]);
    assert_eq!(
        r.rows[0].included_volumes,
        ["rootdisk", "datadisk", "scratch"]
    );
    assert!(!r.rows[4].details.is_empty());
}

#[test]
fn summary_counts_rows_and_ranks_problems_by_vms_affected() {
    let s = readiness_report(&fixture_vms()).summary;
    assert_eq!((s.total, s.yes, s.partial, s.no), (5, 2, 2, 1));
    assert_eq!(
        s.headline(),
        "5 VMs: 2 snapshottable, 2 partial, 1 not snapshottable"
    );
    assert_eq!(s.consistency["application"], 2);
    assert_eq!(s.consistency["offline"], 2);
    assert_eq!(s.consistency["unknown"], 1);
    let top: Vec<(IssueKind, Vec<&str>, bool)> = s
        .top_issues
        .iter()
        .map(|t| {
            (
                t.kind,
                t.vms.iter().map(String::as_str).collect(),
                t.blocking,
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            (
                IssueKind::NoSnapshotClass,
                vec!["database-01", "legacy-app"],
                true
            ),
            (IssueKind::AmbiguousSnapshotClass, vec!["win-app-01"], false),
            (IssueKind::HotplugNotPersisted, vec!["database-01"], false),
        ]
    );
    assert!(s.top_issues[0].advice.contains("VolumeSnapshotClass"));
}

#[test]
fn each_blocking_problem_makes_the_row_no_and_is_named() {
    // web-02 is snapshottable as is; break it one way at a time.
    let web = || load("vm-web-02-stopped.yaml");

    let mut restoring = web();
    restoring["status"]["restoreInProgress"] = json!("restore-web-02-1");
    let rootdisk = |volume: Value| with_rootdisk(web(), volume);
    let cases = [
        (
            restoring,
            IssueKind::RestoreInProgress,
            "restore restore-web-02-1 in progress",
        ),
        (
            rootdisk(json!({"name": "rootdisk", "persistentVolumeClaim": {"claimName": "gone"}})),
            IssueKind::PvcMissing,
            "rootdisk: PVC gone missing",
        ),
        (
            rootdisk(
                json!({"name": "rootdisk", "persistentVolumeClaim": {"claimName": "report-builder-data"}}),
            ),
            IssueKind::PvcNotBound,
            "rootdisk: PVC report-builder-data is not Bound (phase Pending)",
        ),
        (
            rootdisk(json!({"name": "rootdisk", "containerDisk": {"image": "quay.io/x"}})),
            IssueKind::NothingPersistent,
            "no PVC or DataVolume disks",
        ),
    ];
    for (vm, kind, blockers) in cases {
        let row = row_of(vm);
        assert_eq!(row.snapshottable, Snapshottable::No, "{kind:?}");
        assert_eq!(kinds(&row), [(kind, true)], "{kind:?}");
        assert_eq!(row.blockers_cell(), blockers, "{kind:?}");
    }

    // Without its backend PVC the vTPM VM cannot be snapshotted.
    let mut i = inputs(load("vm-win11-tpm.yaml"), None);
    i.pvcs.retain(|p| {
        !p["metadata"]["name"]
            .as_str()
            .unwrap_or("")
            .starts_with("persistent-state-for-")
    });
    let row = readiness_row(&analyse(&i));
    assert_eq!(row.snapshottable, Snapshottable::No);
    assert!(
        kinds(&row).contains(&(IssueKind::BackendPvcMissing, true)),
        "{:?}",
        row.issues
    );
}

#[test]
fn a_missing_snapshot_api_is_reported_as_such() {
    let mut vm = load("vm-web-02-stopped.yaml");
    // Without the VM's own verdicts, which the analysis would trust.
    vm["status"]
        .as_object_mut()
        .unwrap()
        .remove("volumeSnapshotStatuses");
    let mut i = inputs(vm, None);
    i.volume_snapshot_classes = Some(Vec::new());
    i.missing_apis = vec!["VolumeSnapshotClass".to_owned()];
    let row = readiness_row(&analyse(&i));
    assert_eq!(row.snapshottable, Snapshottable::No);
    assert_eq!(kinds(&row)[0], (IssueKind::SnapshotApiMissing, true));
    let s = readiness_report(&[analyse(&i)]).summary;
    assert!(s.top_issues[0].advice.contains("CSI snapshot CRDs"));
}

#[test]
fn no_guest_agent_lowers_consistency_without_blocking() {
    let vmi = database_vmi_without_agent();
    let mut i = inputs(load("vm-database-01.yaml"), None);
    i.vmi = Some(vmi);
    let row = readiness_row(&analyse(&i));
    assert_eq!(row.consistency, Consistency::Crash);
    assert_eq!(row.snapshottable, Snapshottable::Partial);
    assert!(kinds(&row).contains(&(IssueKind::NoGuestAgent, false)));
    assert!(
        !row.blockers_cell().contains("agent"),
        "the CONSISTENCY column says it"
    );
}

#[test]
fn vms_of_several_namespaces_are_qualified_in_the_summary() {
    let a = analysis("vm-legacy-app.yaml", None);
    let mut b = a.clone();
    b.vm.namespace = "staging".to_owned();
    let s = readiness_report(&[a, b]).summary;
    assert_eq!(
        s.top_issues[0].vms,
        ["production/legacy-app", "staging/legacy-app"]
    );
}

#[test]
fn report_serialises_in_camel_case() {
    let r = readiness_report(&fixture_vms());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["rows"][0]["snapshottable"], "partial");
    assert_eq!(v["rows"][0]["consistency"], "application");
    assert_eq!(v["rows"][0]["issues"][0]["kind"], "noSnapshotClass");
    assert_eq!(v["summary"]["topIssues"][0]["kind"], "noSnapshotClass");
    assert_eq!(v["summary"]["partial"], 2);
    assert!(readiness_report(&[]).rows.is_empty());
}

#[test]
fn unreadable_vms_are_listed_as_unknown_and_counted() {
    let mut rows: Vec<ReadinessRow> = fixture_vms().iter().map(readiness_row).collect();
    rows.push(unreadable_row(
        "production",
        "secret-vm",
        "Running",
        "persistentvolumeclaims is forbidden",
    ));
    let r = report_from_rows(rows);
    let last = r.rows.last().unwrap();
    assert_eq!(last.snapshottable.as_str(), "unknown");
    assert_eq!(last.consistency, Consistency::Unknown);
    assert_eq!(
        last.blockers_cell(),
        "storage not readable: persistentvolumeclaims is forbidden"
    );
    assert_eq!(r.summary.unknown, 1);
    assert_eq!(
        r.summary.headline(),
        "6 VMs: 2 snapshottable, 2 partial, 1 not snapshottable, 1 unknown"
    );
    assert!(
        r.summary
            .top_issues
            .iter()
            .any(|t| t.kind == IssueKind::Unreadable && t.vms == ["secret-vm"])
    );
}
