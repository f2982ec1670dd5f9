//! Storage analysis against the KubeVirt fixtures: one test per rule.

use serde_json::{Value, json};

use super::*;
use crate::platform::kubevirt::api::fixtures::load;

const GI: u64 = 1 << 30;

fn inputs(vm: &str, vmi: Option<&str>) -> StorageInputs {
    StorageInputs::from_fixtures(load(vm), vmi.map(load))
}

/// The analysis of `vm` (not running) with the last volume of its spec dropped.
fn analyse_without_last_volume(vm: &str) -> Analysis {
    let mut i = inputs(vm, None);
    i.vm["spec"]["template"]["spec"]["volumes"]
        .as_array_mut()
        .unwrap()
        .pop();
    analyse(&i)
}

fn db() -> StorageInputs {
    inputs("vm-database-01.yaml", Some("vmi-database-01.yaml"))
}

fn finding<'a>(a: &'a Analysis, volume: &str) -> &'a VolumeFinding {
    a.volumes
        .iter()
        .find(|f| f.volume == volume)
        .unwrap_or_else(|| panic!("no finding for {volume}"))
}

fn warned(a: &Analysis, needle: &str) -> bool {
    a.warnings.iter().any(|w| w.contains(needle))
}

/// Sets a VM volume's source (by index) to a PVC claim.
fn set_claim(vm: &mut Value, index: usize, claim: &str) {
    vm["spec"]["template"]["spec"]["volumes"][index] = json!({"name": vm["spec"]["template"]["spec"]["volumes"][index]["name"], "persistentVolumeClaim": {"claimName": claim}});
}

#[test]
fn running_vm_with_agent_expects_application_consistency_and_lists_volumes_in_and_out() {
    let a = analyse(&db());
    assert_eq!(a.expected_consistency, Consistency::Application);
    assert!(a.snapshottable);
    assert!(a.blockers.is_empty(), "{:?}", a.blockers);
    assert_eq!(a.included_volumes(), ["rootdisk", "datadisk", "scratch"]);
    assert_eq!(a.size_estimate_bytes, 140 * GI);
    assert_eq!(a.size_estimate(), "140Gi");

    let root = finding(&a, "rootdisk");
    assert_eq!(root.source_kind, "dataVolume");
    assert_eq!(root.pvc.as_deref(), Some("database-01-rootdisk"));
    assert_eq!(root.storage_class.as_deref(), Some("ceph-rbd"));
    assert_eq!(root.driver.as_deref(), Some("rbd.csi.ceph.com"));
    assert_eq!(root.snapshot_class.as_deref(), Some("ceph-rbd-snapclass"));
    assert_eq!(root.deletion_policy.as_deref(), Some("Delete"));
    assert_eq!(root.csi_driver_present, Some(true));
    assert_eq!(root.size_bytes, Some(30 * GI));
    assert!(!root.hotplugged);

    assert_eq!(
        finding(&a, "tools").reason.as_deref(),
        Some("Snapshot is not supported for this volumeSource type [tools]")
    );
    assert_eq!(finding(&a, "cloudinitdisk").source_kind, "cloudInitNoCloud");
    let archive = finding(&a, "archive");
    assert!(!archive.included);
    assert_eq!(
        archive.reason.as_deref(),
        Some(
            "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [archive]"
        )
    );
    assert_eq!(archive.driver.as_deref(), Some("nfs.csi.k8s.io"));
    assert_eq!(archive.csi_driver_present, Some(false));
    // Excluded volumes do not count towards the estimate.
    assert_eq!(archive.size_bytes, Some(500 * GI));
    assert!(warned(&a, "the snapshot will be partial: archive"));
    // No CSIDriver warning for a volume that is left out anyway.
    assert!(!warned(&a, "nfs.csi.k8s.io"));
}

#[test]
fn persistent_hotplug_is_included_and_transient_hotplug_is_left_out() {
    let a = analyse(&db());
    let scratch = finding(&a, "scratch");
    assert!(scratch.hotplugged && scratch.included);
    assert!(warned(
        &a,
        "hot-plugged volume scratch is in the VM spec (persistent) and is included"
    ));

    let logs = finding(&a, "debug-logs");
    assert!(logs.hotplugged && !logs.included);
    assert_eq!(logs.source_kind, "persistentVolumeClaim");
    assert_eq!(logs.pvc.as_deref(), Some("debug-logs"));
    assert!(
        logs.reason
            .as_deref()
            .unwrap()
            .contains("not in the VM spec")
    );
    assert!(warned(&a, "virtctl addvolume --persist"));
    assert_eq!(a.volumes.last().unwrap().volume, "debug-logs");
}

#[test]
fn stopped_vm_expects_offline_consistency_and_single_driver_class() {
    let a = analyse(&inputs("vm-web-02-stopped.yaml", None));
    assert_eq!(a.expected_consistency, Consistency::Offline);
    assert!(a.snapshottable);
    let root = finding(&a, "rootdisk");
    assert_eq!(root.snapshot_class.as_deref(), Some("topolvm-snapclass"));
    // Capacity written as plain bytes.
    assert_eq!(root.size_bytes, Some(20 * GI));
    assert!(!warned(&a, "guest agent"), "{:?}", a.warnings);
}

#[test]
fn windows_vm_gets_the_vss_note_and_ambiguous_classes_exclude_a_volume() {
    let a = analyse(&inputs("vm-win-app-01.yaml", Some("vmi-win-app-01.yaml")));
    assert!(a.vm.windows);
    assert_eq!(a.expected_consistency, Consistency::Application);
    assert!(warned(&a, "VSS"));
    let root = finding(&a, "rootdisk");
    assert!(!root.included);
    assert_eq!(
        root.reason.as_deref(),
        Some("2 matching VolumeSnapshotClasses for px-replicated")
    );
    let data = finding(&a, "data");
    assert!(data.included);
    assert_eq!(
        data.snapshot_class.as_deref(),
        Some("hostpath-csi-snapclass")
    );
    assert_eq!(a.size_estimate_bytes, 200 * GI);
}

#[test]
fn windows_without_agent_is_crash_consistent_and_told_to_install_the_agent() {
    let mut i = inputs("vm-win-app-01.yaml", Some("vmi-win-app-01.yaml"));
    i.vmi.as_mut().unwrap()["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
    let a = analyse(&i);
    assert_eq!(a.expected_consistency, Consistency::Crash);
    assert!(warned(&a, "virtio-win"));
    assert!(warned(&a, "no guest agent is connected"));
}

#[test]
fn running_without_agent_expects_crash_consistency() {
    let mut i = db();
    i.vmi.as_mut().unwrap()["status"]["conditions"] = json!([]);
    let a = analyse(&i);
    assert!(!a.vm.agent_connected);
    assert_eq!(a.expected_consistency, Consistency::Crash);
    assert!(warned(&a, "crash-consistent"));
}

#[test]
fn paused_vm_expects_crash_consistency_even_with_agent() {
    let mut i = db();
    i.vm["status"]["printableStatus"] = json!("Paused");
    i.vmi.as_mut().unwrap()["status"]["conditions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "Paused", "status": "True", "reason": "PausedByUser"}));
    let a = analyse(&i);
    assert_eq!(a.expected_consistency, Consistency::Crash);
    assert!(warned(&a, "paused"));
}

#[test]
fn nothing_snapshottable_blocks_with_what_to_ask_for() {
    let a = analyse(&inputs("vm-legacy-app.yaml", None));
    assert!(!a.snapshottable);
    assert!(a.included_volumes().is_empty());
    assert_eq!(
        a.blockers[0],
        "no volume of VM production/legacy-app can be snapshotted: ask your cluster admin for a VolumeSnapshotClass for driver nfs.csi.k8s.io (StorageClass nfs-csi)"
    );
    assert_eq!(
        finding(&a, "cloudinitdisk").source_kind,
        "cloudInitConfigDrive"
    );
}

#[test]
fn ephemeral_only_vm_is_told_to_keep_data_on_a_pvc() {
    let a = analyse_without_last_volume("vm-legacy-app.yaml");
    assert!(!a.snapshottable);
    assert!(a.blockers[0].contains("no PersistentVolumeClaim or DataVolume disks"));
}

#[test]
fn ambiguous_classes_only_advise_marking_a_default() {
    let a = analyse_without_last_volume("vm-win-app-01.yaml");
    assert!(!a.snapshottable);
    assert!(a.blockers[0].contains(
        "mark one of the 2 VolumeSnapshotClasses for driver pxd.portworx.com as default"
    ));
}

#[test]
fn unbound_pvc_blocks_the_snapshot_and_request_is_the_size() {
    let mut i = db();
    set_claim(&mut i.vm, 1, "report-builder-data");
    let a = analyse(&i);
    assert!(a.snapshottable, "rootdisk and scratch are still included");
    let d = finding(&a, "datadisk");
    assert!(!d.included);
    assert_eq!(
        d.reason.as_deref(),
        Some("PVC report-builder-data is not Bound (phase Pending)")
    );
    assert_eq!(d.size_bytes, Some(3 * GI / 2));
    assert!(a.blockers.iter().any(|b| b.contains("failure deadline")));
}

#[test]
fn missing_pvc_blocks_and_storage_class_comes_from_the_dv_template() {
    let mut i = db();
    i.pvcs
        .retain(|p| p["metadata"]["name"] != "database-01-rootdisk");
    i.data_volumes.clear();
    let a = analyse(&i);
    assert!(!a.blockers.is_empty());
    let root = finding(&a, "rootdisk");
    assert_eq!(root.reason.as_deref(), Some("PVC not found"));
    assert_eq!(root.storage_class.as_deref(), Some("ceph-rbd"));
    assert_eq!(root.size_bytes, None);
    assert!(
        a.blockers[0].starts_with("PVC database-01-rootdisk of volume rootdisk does not exist")
    );
}

#[test]
fn unpopulated_data_volume_blocks_the_snapshot() {
    let mut i = db();
    i.data_volumes[0]["status"]["phase"] = json!("ImportInProgress");
    i.data_volumes[0]["status"]["progress"] = json!("45.00%");
    let a = analyse(&i);
    assert!(a.snapshottable, "datadisk and scratch are still included");
    assert!(a.blockers[0].contains(
        "DataVolume database-01-rootdisk is not populated yet (phase ImportInProgress, 45.00%)"
    ));
}

#[test]
fn forbidden_cluster_lists_fall_back_to_the_vm_verdict_with_warnings() {
    let mut i = db();
    i.storage_classes = None;
    i.volume_snapshot_classes = None;
    i.storage_profiles = None;
    i.csi_drivers = None;
    let a = analyse(&i);
    assert!(a.snapshottable);
    assert_eq!(a.included_volumes(), ["rootdisk", "datadisk", "scratch"]);
    let root = finding(&a, "rootdisk");
    assert_eq!(root.snapshot_class, None);
    assert_eq!(root.csi_driver_present, None);
    assert!(
        finding(&a, "archive")
            .reason
            .as_deref()
            .unwrap()
            .starts_with("No VolumeSnapshotClass")
    );
    assert!(warned(&a, "you may not list StorageClasses (forbidden)"));
    assert!(warned(&a, "you may not list CSIDrivers (forbidden)"));
}

#[test]
fn forbidden_lists_without_vm_verdict_assume_included_and_say_so() {
    let mut i = db();
    i.storage_classes = None;
    i.vm["status"]
        .as_object_mut()
        .unwrap()
        .remove("volumeSnapshotStatuses");
    let a = analyse(&i);
    assert!(finding(&a, "datadisk").included);
    assert!(warned(
        &a,
        "cannot verify that volume datadisk can be snapshotted"
    ));
}

#[test]
fn disagreement_with_the_vm_trusts_the_vm_and_warns() {
    let mut i = db();
    i.vm["status"]["volumeSnapshotStatuses"][1] =
        json!({"name": "datadisk", "enabled": false, "reason": "PVC not found"});
    let a = analyse(&i);
    let d = finding(&a, "datadisk");
    assert!(!d.included);
    assert_eq!(d.reason.as_deref(), Some("PVC not found"));
    assert!(warned(
        &a,
        "the VM reports volume datadisk as not snapshottable (PVC not found)"
    ));
    assert!(warned(&a, "trusting the VM"));
}

#[test]
fn missing_csi_driver_for_an_included_volume_is_warned() {
    let mut i = db();
    i.csi_drivers
        .as_mut()
        .unwrap()
        .retain(|d| d["metadata"]["name"] != "rbd.csi.ceph.com");
    let a = analyse(&i);
    assert_eq!(finding(&a, "rootdisk").csi_driver_present, Some(false));
    assert!(warned(
        &a,
        "no CSIDriver object is registered for rbd.csi.ceph.com"
    ));
    assert!(a.snapshottable);
}

#[test]
fn storage_profile_naming_a_missing_class_excludes_and_explains() {
    let mut i = inputs("vm-win-app-01.yaml", Some("vmi-win-app-01.yaml"));
    i.storage_profiles.as_mut().unwrap()[2]["status"]["snapshotClass"] = json!("gone");
    i.vm["status"]
        .as_object_mut()
        .unwrap()
        .remove("volumeSnapshotStatuses");
    let a = analyse(&i);
    assert!(!finding(&a, "data").included);
    assert!(warned(
        &a,
        "names VolumeSnapshotClass gone, which does not exist"
    ));
    assert!(a.blockers[0].contains("create VolumeSnapshotClass gone"));
}

#[test]
fn restore_in_progress_blocks_and_snapshot_in_progress_warns() {
    let mut i = db();
    i.vm["status"]["restoreInProgress"] = json!("restore-database-01-20261126-101500");
    i.vm["status"]["snapshotInProgress"] = json!("database-01-snapshot-20261126-094500");
    let a = analyse(&i);
    assert!(a.snapshottable);
    assert!(
        a.blockers
            .iter()
            .any(|b| b.contains("restore restore-database-01-20261126-101500 is in progress"))
    );
    assert!(warned(
        &a,
        "snapshot database-01-snapshot-20261126-094500 is already in progress"
    ));
}

#[test]
fn analysis_serializes_as_camel_case_json() {
    let v = serde_json::to_value(analyse(&db())).unwrap();
    assert_eq!(v["expectedConsistency"], "application");
    assert_eq!(v["sizeEstimateBytes"], 140 * GI);
    assert_eq!(v["snapshottable"], true);
    assert_eq!(v["vm"]["runState"], "Running");
    assert_eq!(v["vm"]["agentConnected"], true);
    assert_eq!(v["volumes"][0]["snapshotClass"], "ceph-rbd-snapclass");
    assert_eq!(v["volumes"][0]["csiDriverPresent"], true);
    assert!(v["blockers"].as_array().unwrap().is_empty());
}

#[test]
fn missing_snapshot_api_asks_for_the_csi_snapshot_crds() {
    let mut i = inputs("vm-web-02-stopped.yaml", None);
    i.volume_snapshot_classes = Some(Vec::new());
    i.missing_apis = vec!["VolumeSnapshotClass".into()];
    i.vm["status"]
        .as_object_mut()
        .unwrap()
        .remove("volumeSnapshotStatuses");
    let a = analyse(&i);
    assert!(!a.snapshottable);
    assert!(warned(&a, "does not serve snapshot.storage.k8s.io"));
    assert!(a.blockers[0].contains("install the CSI snapshot CRDs"));
}

#[test]
fn persistent_vtpm_and_efi_state_pvc_is_captured_with_the_disks() {
    let a = analyse(&inputs("vm-win11-tpm.yaml", None));
    assert!(a.vm.windows);
    assert_eq!(a.expected_consistency, Consistency::Offline);
    assert_eq!(
        a.included_volumes(),
        ["rootdisk", "persistent-state-for-win11-desk"]
    );
    let state = finding(&a, "persistent-state-for-win11-desk");
    assert_eq!(state.source_kind, "backendStorage");
    assert_eq!(
        state.pvc.as_deref(),
        Some("persistent-state-for-win11-desk-7hq2x")
    );
    assert_eq!(state.snapshot_class.as_deref(), Some("ceph-rbd-snapclass"));
    assert_eq!(state.size_bytes, Some(10 << 20));
    assert_eq!(a.size_estimate_bytes, 80 * GI + (10 << 20));
    assert!(warned(
        &a,
        "vTPM/EFI state on PVC persistent-state-for-win11-desk-7hq2x"
    ));
    assert!(a.blockers.is_empty());
}

#[test]
fn missing_backend_state_pvc_blocks_until_the_vm_first_starts() {
    let mut i = inputs("vm-win11-tpm.yaml", None);
    i.pvcs
        .retain(|p| p["metadata"]["labels"]["persistent-state-for"] != "win11-desk");
    let a = analyse(&i);
    assert!(a.snapshottable, "the root disk is still included");
    let state = finding(&a, "persistent-state-for-win11-desk");
    assert!(!state.included);
    assert!(a.blockers[0].contains("label persistent-state-for=win11-desk"));
}
