//! Unit tests of the KubeVirt conversions and builders against the fixtures.

use std::collections::BTreeMap;

use serde_json::json;

use super::fixtures::{item, items, load};
use super::*;
use crate::model::{Consistency, RunState, SnapshotPhase};

/// `metadata.uid` of vm-database-01.yaml, which its snapshots record as their source.
const DATABASE_01_UID: &str = "6f1c2d3e-8a4b-4c5d-9e6f-0a1b2c3d4e5f";

#[test]
fn running_vm_with_agent_reports_agent_guest_os_and_volumes() {
    let vm = load("vm-database-01.yaml");
    let vmi = load("vmi-database-01.yaml");
    let info = vm_info(&vm, Some(&vmi));
    assert_eq!(info.namespace, "production");
    assert_eq!(info.name, "database-01");
    assert_eq!(info.uid.as_deref(), Some(DATABASE_01_UID));
    assert_eq!(info.run_state, RunState::Running);
    assert_eq!(info.run_strategy.as_deref(), Some("Always"));
    assert!(info.agent_connected);
    assert_eq!(
        info.guest_os.as_deref(),
        Some("Red Hat Enterprise Linux 9.4 (Plow)")
    );
    assert!(!info.windows);
    assert_eq!(
        info.volumes,
        [
            "rootdisk",
            "datadisk",
            "tools",
            "cloudinitdisk",
            "archive",
            "scratch"
        ]
    );
}

#[test]
fn stopped_vm_derives_run_strategy_from_deprecated_running_field() {
    let info = vm_info(&load("vm-web-02-stopped.yaml"), None);
    assert_eq!(info.run_state, RunState::Stopped);
    assert_eq!(info.printable_status, "Stopped");
    assert_eq!(info.run_strategy.as_deref(), Some("Halted"));
    assert!(!info.agent_connected);
    assert_eq!(info.guest_os, None);
}

#[test]
fn windows_is_detected_from_guest_os_info_and_from_template_hints() {
    let vm = load("vm-win-app-01.yaml");
    let vmi = load("vmi-win-app-01.yaml");
    let info = vm_info(&vm, Some(&vmi));
    assert!(info.windows);
    assert_eq!(
        info.guest_os.as_deref(),
        Some("Windows Server 2022 Datacenter")
    );
    // Stopped: no guestOSInfo, the vm.kubevirt.io/os annotation still says Windows.
    assert!(vm_info(&vm, None).windows);
    // The agent's report wins over hints.
    let mut linux_vmi = vmi.clone();
    linux_vmi["status"]["guestOSInfo"] = json!({"id": "fedora", "name": "Fedora Linux"});
    assert!(!vm_info(&vm, Some(&linux_vmi)).windows);
}

#[test]
fn agent_comes_from_the_vmi_when_present_else_the_vm() {
    let vm = load("vm-database-01.yaml");
    let mut vmi = load("vmi-database-01.yaml");
    vmi["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
    assert!(!vm_info(&vm, Some(&vmi)).agent_connected);
    assert!(vm_info(&vm, None).agent_connected);
}

#[test]
fn vm_volumes_name_source_kind_claim_and_hotplug() {
    let vols = vm_volumes(&load("vm-database-01.yaml"));
    let root = &vols[0];
    assert_eq!(root.source_kind, "dataVolume");
    assert_eq!(root.claim.as_deref(), Some("database-01-rootdisk"));
    assert_eq!(root.data_volume.as_deref(), Some("database-01-rootdisk"));
    assert_eq!(vols[2].source_kind, "containerDisk");
    assert!(!vols[2].snapshottable_kind());
    assert_eq!(vols[2].claim, None);
    assert_eq!(vols[3].source_kind, "cloudInitNoCloud");
    assert!(vols[5].hotpluggable);
    let (claims, dvs) = referenced_claims(&load("vm-database-01.yaml"));
    assert_eq!(
        claims,
        [
            "database-01-archive",
            "database-01-data",
            "database-01-rootdisk",
            "database-01-scratch"
        ]
    );
    assert_eq!(dvs, ["database-01-rootdisk"]);
}

#[test]
fn succeeded_snapshot_with_guest_agent_is_application_consistent() {
    let snap = load("snapshot-succeeded.yaml");
    let content = load("content-pre-upgrade.yaml");
    let vss = items("volumesnapshots.yaml");
    let info = snapshot_info(&snap, Some(&content), &vss);
    assert_eq!(info.name, "pre-upgrade-snapshot");
    assert_eq!(info.vm, "database-01");
    assert_eq!(info.vm_uid.as_deref(), Some(DATABASE_01_UID));
    assert_eq!(info.phase, SnapshotPhase::Succeeded);
    assert!(info.ready_to_use && info.is_ready());
    assert_eq!(info.consistency, Consistency::Application);
    let names: Vec<_> = info.indications.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["GuestAgent", "Online", "PartialSnapshot"]);
    assert!(
        info.indications[0]
            .message
            .as_deref()
            .unwrap()
            .contains("quiesce")
    );
    assert_eq!(info.included_volumes, ["rootdisk", "datadisk", "scratch"]);
    assert_eq!(info.excluded_volumes, ["tools", "cloudinitdisk", "archive"]);
    assert_eq!(info.failure_deadline.as_deref(), Some("5m0s"));
    assert_eq!(
        info.content_name.as_deref(),
        Some("vmsnapshot-content-4b0e3c1a-9f2d-4e8b-a7c6-5d4e3f2a1b0c")
    );
    // 30Gi + 100Gi + 10Gi (the last written as plain bytes).
    assert_eq!(info.size_bytes, Some(140 * (1 << 30)));
    assert_eq!(info.created.unwrap().to_string(), "2026-11-26T09:12:03Z");
    assert_eq!(
        info.creation_time.unwrap().to_string(),
        "2026-11-26T09:12:31Z"
    );
    assert_eq!(info.labels["purpose"], "pre-upgrade");
    assert_eq!(info.error, None);
    assert!(!info.deleting);
    assert_eq!(info.condition("Ready").unwrap().status, "True");
}

#[test]
fn listing_without_content_leaves_size_unknown() {
    let info = snapshot_info(&load("snapshot-succeeded.yaml"), None, &[]);
    assert_eq!(info.size_bytes, None);
    assert_eq!(info.included_volumes, ["rootdisk", "datadisk", "scratch"]);
}

#[test]
fn deprecated_indications_are_read_when_source_indications_are_absent() {
    let info = snapshot_info(&load("snapshot-inprogress.yaml"), None, &[]);
    assert_eq!(info.phase, SnapshotPhase::InProgress);
    let names: Vec<_> = info.indications.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["NoGuestAgent", "Online"]);
    assert!(info.indications.iter().all(|i| i.message.is_none()));
    assert_eq!(info.consistency, Consistency::Crash);
    assert!(!info.ready_to_use);
}

#[test]
fn failed_snapshot_reports_error_and_quiesce_timeout_as_crash_consistent() {
    let info = snapshot_info(
        &load("snapshot-failed.yaml"),
        Some(&load("content-win-app-01-nightly.yaml")),
        &items("volumesnapshots.yaml"),
    );
    assert_eq!(info.phase, SnapshotPhase::Failed);
    assert_eq!(info.consistency, Consistency::Crash);
    assert!(info.error.as_deref().unwrap().contains("DeadlineExceeded"));
    assert_eq!(info.failure_deadline.as_deref(), Some("3m"));
    assert_eq!(
        info.condition("Failure").unwrap().reason.as_deref(),
        Some("snapshot deadline exceeded")
    );
    // Included volumes fall back to the content's backups when the status has no list.
    assert_eq!(info.included_volumes, ["data"]);
    // The VolumeSnapshot is gone, so its size is unknown.
    assert_eq!(info.size_bytes, None);
}

#[test]
fn failure_condition_is_the_error_when_status_error_is_absent() {
    let mut snap = load("snapshot-failed.yaml");
    snap["status"].as_object_mut().unwrap().remove("error");
    let info = snapshot_info(&snap, None, &[]);
    assert_eq!(info.error.as_deref(), Some("snapshot deadline exceeded"));
}

#[test]
fn offline_snapshot_being_deleted() {
    let info = snapshot_info(&load("snapshot-offline.yaml"), None, &[]);
    assert_eq!(info.consistency, Consistency::Offline);
    assert!(info.indications.is_empty());
    assert!(info.deleting);
    assert_eq!(info.phase, SnapshotPhase::Succeeded);
}

#[test]
fn snapshot_without_status_is_pending_with_unknown_consistency() {
    let info = snapshot_info(&load("snapshot-pending.yaml"), None, &[]);
    assert_eq!(info.phase, SnapshotPhase::Pending);
    assert_eq!(info.consistency, Consistency::Unknown);
    assert!(info.conditions.is_empty());
}

#[test]
fn consistency_rules_cover_every_indication() {
    let ind = |names: &[&str]| -> Vec<crate::model::Indication> {
        names
            .iter()
            .map(|n| crate::model::Indication {
                name: (*n).to_owned(),
                message: None,
            })
            .collect()
    };
    let s = SnapshotPhase::Succeeded;
    assert_eq!(
        consistency(&ind(&["Online", "GuestAgent"]), s),
        Consistency::Application
    );
    assert_eq!(consistency(&ind(&["Online"]), s), Consistency::Crash);
    assert_eq!(
        consistency(&ind(&["Online", "NoGuestAgent"]), s),
        Consistency::Crash
    );
    assert_eq!(
        consistency(&ind(&["Online", "GuestAgent", "QuiesceTimeout"]), s),
        Consistency::Crash
    );
    assert_eq!(
        consistency(&ind(&["Online", "Paused"]), s),
        Consistency::Crash
    );
    assert_eq!(
        consistency(&ind(&["PartialSnapshot"]), s),
        Consistency::Offline
    );
    assert_eq!(
        consistency(&ind(&[]), SnapshotPhase::InProgress),
        Consistency::Offline
    );
    assert_eq!(
        consistency(&ind(&[]), SnapshotPhase::Pending),
        Consistency::Unknown
    );
}

#[test]
fn indication_explanations_name_the_consistency() {
    let i = |n: &str| crate::model::Indication {
        name: n.to_owned(),
        message: Some("server text".into()),
    };
    assert!(i("Paused").explain().contains("crash-consistent"));
    assert!(i("PartialSnapshot").explain().contains("left out"));
    assert!(i("GuestAgent").explain().contains("application-consistent"));
    assert_eq!(i("SomethingNew").explain(), "server text");
}

#[test]
fn volume_backups_join_volume_snapshots_and_fall_back_to_content_status() {
    let b = volume_backups(
        &load("content-pre-upgrade.yaml"),
        &items("volumesnapshots.yaml"),
    );
    assert_eq!(b.len(), 3);
    assert_eq!(b[0].volume, "rootdisk");
    assert_eq!(b[0].pvc, "database-01-rootdisk");
    assert_eq!(
        b[0].volume_snapshot.as_deref(),
        Some("vmsnapshot-4b0e3c1a-9f2d-4e8b-a7c6-5d4e3f2a1b0c-volume-rootdisk")
    );
    assert_eq!(b[0].ready, Some(true));
    assert_eq!(b[0].restore_size, Some(30 * (1 << 30)));
    assert_eq!(b[2].restore_size, Some(10 * (1 << 30)));

    let failed = volume_backups(&load("content-win-app-01-nightly.yaml"), &[]);
    assert_eq!(failed[0].ready, Some(false));
    assert!(
        failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("context deadline exceeded")
    );
    assert_eq!(failed[0].restore_size, None);
}

#[test]
fn restore_info_reads_complete_time_and_failure() {
    let done = restore_info(&load("restore-complete.yaml"));
    assert_eq!(done.vm, "database-01");
    assert_eq!(done.snapshot, "pre-upgrade-snapshot");
    assert!(done.complete && !done.in_progress());
    assert_eq!(
        done.restore_time.unwrap().to_string(),
        "2026-11-26T10:15:48Z"
    );
    assert_eq!(done.created.unwrap().to_string(), "2026-11-26T10:15:00Z");

    let running = restore_info(&load("restore-inprogress.yaml"));
    assert!(!running.complete && running.in_progress());
    assert_eq!(running.error, None);

    let failed = restore_info(&load("restore-failed.yaml"));
    assert_eq!(
        failed.error.as_deref(),
        Some("VirtualMachineSnapshot win-app-01-nightly not ready")
    );
    assert!(!failed.in_progress());
}

#[test]
fn phase_message_shows_progress_reason_error_and_readiness() {
    assert_eq!(
        snapshot_phase_message(&load("snapshot-inprogress.yaml")),
        "InProgress: Progressing (Source locked and operation in progress)"
    );
    assert_eq!(
        snapshot_phase_message(&load("snapshot-succeeded.yaml")),
        "Succeeded: ready to use"
    );
    assert!(
        snapshot_phase_message(&load("snapshot-failed.yaml")).starts_with("Failed: VolumeSnapshot")
    );
    assert_eq!(
        snapshot_phase_message(&load("snapshot-pending.yaml")),
        "Pending: waiting for the snapshot controller"
    );
    let mut s = load("snapshot-inprogress.yaml");
    s["status"]["error"] = json!({"message": "failed to freeze"});
    assert!(snapshot_phase_message(&s).ends_with("; error: failed to freeze"));
    let mut s = load("snapshot-succeeded.yaml");
    s["status"]["readyToUse"] = json!(false);
    assert_eq!(
        snapshot_phase_message(&s),
        "Succeeded: waiting for the volume snapshots to become ready"
    );
}

#[test]
fn build_snapshot_references_the_vm_and_passes_deadline_and_labels() {
    let labels = BTreeMap::from([("purpose".to_owned(), "pre-upgrade".to_owned())]);
    let s = build_snapshot("production", "snap-1", "database-01", Some("10m"), &labels);
    assert_eq!(s["apiVersion"], "snapshot.kubevirt.io/v1beta1");
    assert_eq!(s["kind"], "VirtualMachineSnapshot");
    assert_eq!(s["metadata"]["namespace"], "production");
    assert_eq!(s["metadata"]["labels"]["purpose"], "pre-upgrade");
    assert_eq!(
        s["spec"]["source"],
        json!({"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "database-01"})
    );
    assert_eq!(s["spec"]["failureDeadline"], "10m");

    let bare = build_snapshot("ns", "s", "vm", None, &BTreeMap::new());
    assert!(bare["metadata"].get("labels").is_none());
    assert!(bare["spec"].get("failureDeadline").is_none());
}

#[test]
fn build_restore_targets_the_vm_and_names_the_snapshot() {
    let r = build_restore(
        "production",
        "restore-1",
        "database-01",
        "pre-upgrade-snapshot",
        Some("StopTarget"),
    );
    assert_eq!(r["kind"], "VirtualMachineRestore");
    assert_eq!(r["spec"]["target"]["kind"], "VirtualMachine");
    assert_eq!(r["spec"]["target"]["apiGroup"], "kubevirt.io");
    assert_eq!(r["spec"]["target"]["name"], "database-01");
    assert_eq!(
        r["spec"]["virtualMachineSnapshotName"],
        "pre-upgrade-snapshot"
    );
    assert_eq!(r["spec"]["targetReadinessPolicy"], "StopTarget");
    let plain = build_restore("ns", "r", "vm", "s", None);
    assert!(plain["spec"].get("targetReadinessPolicy").is_none());
}

#[test]
fn builtin_fixtures_parse_as_kubernetes_types() {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use k8s_openapi::api::storage::v1::{CSIDriver, StorageClass};
    for o in items("pvcs.yaml") {
        serde_json::from_value::<PersistentVolumeClaim>(o).unwrap();
    }
    for o in items("storageclasses.yaml") {
        serde_json::from_value::<StorageClass>(o).unwrap();
    }
    for o in items("csidrivers.yaml") {
        serde_json::from_value::<CSIDriver>(o).unwrap();
    }
    let pending = item("pvcs.yaml", "report-builder-data");
    assert_eq!(pending["status"]["phase"], "Pending");
}

#[test]
fn default_snapshot_class_annotation_is_detected_by_presence() {
    assert!(is_default_snapshot_class(&item(
        "volumesnapshotclasses.yaml",
        "ceph-rbd-snapclass"
    )));
    assert!(!is_default_snapshot_class(&item(
        "volumesnapshotclasses.yaml",
        "ceph-rbd-retain"
    )));
    let mut v = item("volumesnapshotclasses.yaml", "ceph-rbd-retain");
    v["metadata"]["annotations"] =
        json!({"snapshot.storage.kubernetes.io/is-default-class": "false"});
    assert!(is_default_snapshot_class(&v));
}

#[test]
fn backend_storage_volume_is_named_like_kubevirt_past_63_characters() {
    assert_eq!(backend_volume_name("win11"), "persistent-state-for-win11");
    // 21 + 42 = 63: still the plain name.
    let at_limit = "v".repeat(42);
    assert_eq!(
        backend_volume_name(&at_limit),
        format!("persistent-state-for-{at_limit}")
    );
    // library-go naming.GetName: shortened base, fnv32a of the base, the VM name.
    let long = "a".repeat(45);
    assert_eq!(
        backend_volume_name(&long),
        format!("persiste-e807c95a-{long}")
    );
    assert!(backend_volume_name(&long).len() <= 63);
    // A VM name with no room left: base and the hash of the whole name.
    assert_eq!(
        backend_volume_name(&"b".repeat(60)),
        "persistent-state-for-ae93f555"
    );
}
