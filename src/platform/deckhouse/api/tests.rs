//! Unit tests of the pure Deckhouse functions against the fixtures.

use std::collections::BTreeMap;

use serde_json::json;

use super::fixtures::{item, items};
use super::operations::{
    ConflictKind, active_operation, active_operation_message, conflicts, dry_run_preview,
    refused_by_active_operation,
};
use super::preflight::{self, ExpectedConsistency, Severity, blocked};
use super::*;
use crate::model::{Consistency, RunState, SnapshotPhase};

fn codes(findings: &[preflight::Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

/// One VirtualMachineSnapshot of snapshots.yaml by name.
fn snapshot(name: &str) -> serde_json::Value {
    item("snapshots.yaml", name)
}

#[test]
fn kinds_are_addressed_by_plural_group_and_version() {
    let ar = Kind::VirtualMachineSnapshot.api_resource();
    assert_eq!(ar.api_version, "virtualization.deckhouse.io/v1alpha2");
    assert_eq!(ar.plural, "virtualmachinesnapshots");
    assert_eq!(ar.group, "virtualization.deckhouse.io");
    assert_eq!(
        Kind::VirtualMachineIpAddress.kind(),
        "VirtualMachineIPAddress"
    );
    assert!(!Kind::ClusterVirtualImage.namespaced());
    assert_eq!(
        Kind::VirtualMachineSnapshot.short_names(),
        ["vmsnapshot", "vms"]
    );
    assert_eq!(
        Kind::VirtualDiskSnapshot.short_names(),
        ["vdsnapshot", "vds"]
    );
    assert_eq!(
        Kind::VirtualMachineOperation.qualified(),
        "virtualmachineoperations.virtualization.deckhouse.io"
    );
    assert_eq!(Kind::from_kind("VirtualDisk"), Some(Kind::VirtualDisk));
    assert_eq!(Kind::from_kind("DataVolume"), None);
}

#[test]
fn discovery_needs_snapshots_and_operations_in_v1alpha2() {
    let full: &[&str] = &[
        "virtualmachinesnapshots",
        "virtualmachineoperations",
        "virtualmachines",
    ];
    assert!(resources::served(&[(
        "virtualization.deckhouse.io/v1alpha2",
        full
    )]));
    let old: &[&str] = &["virtualmachinesnapshots", "virtualmachinerestores"];
    assert!(!resources::served(&[(
        "virtualization.deckhouse.io/v1alpha2",
        old
    )]));
    assert!(!resources::served(&[(
        "snapshot.kubevirt.io/v1beta1",
        full
    )]));
    assert!(resources::snapshot_operations_served(&[
        "virtualmachinesnapshotoperations"
    ]));
}

#[test]
fn vm_info_reads_phase_agent_devices_and_maintenance() {
    let vm = vm_info(&item("vms.yaml", "linux-vm"));
    assert_eq!(vm.run_state, RunState::Running);
    assert!(vm.agent_connected);
    assert_eq!(vm.guest_os.as_deref(), Some("Ubuntu 22.04.4 LTS"));
    assert_eq!(
        vm.run_strategy.as_deref(),
        Some("AlwaysOnUnlessStoppedManually")
    );
    assert_eq!(
        vm.volumes,
        [
            "VirtualDisk/linux-vm-root",
            "VirtualDisk/linux-vm-data",
            "ClusterVirtualImage/ubuntu-22-04"
        ]
    );
    assert!(vm.restore_in_progress.is_none());
    let db = vm_info(&item("vms.yaml", "db-vm"));
    assert!(!db.agent_connected);
    let win = vm_info(&item("vms.yaml", "win-vm"));
    assert!(win.windows);
    assert_eq!(win.run_state, RunState::Stopped);
    let web = vm_info(&item("vms.yaml", "web-vm"));
    assert!(web.restore_in_progress.is_some());
    assert_eq!(run_state("Pause"), RunState::Paused);
    assert_eq!(run_state("Migrating"), RunState::Other("Migrating".into()));
    assert_eq!(
        vm_disks(&item("vms.yaml", "linux-vm")),
        ["linux-vm-root", "linux-vm-data"]
    );
}

#[test]
fn snapshot_phases_map_ready_to_succeeded() {
    assert_eq!(snapshot_phase(None), SnapshotPhase::Pending);
    assert_eq!(snapshot_phase(Some("Ready")), SnapshotPhase::Succeeded);
    assert_eq!(snapshot_phase(Some("Terminating")), SnapshotPhase::Deleting);
    assert_eq!(snapshot_phase(Some("Failed")), SnapshotPhase::Failed);
    assert_eq!(snapshot_phase(Some("Odd")), SnapshotPhase::Unknown);
}

#[test]
fn ready_snapshot_converts_with_disks_consistency_and_size() {
    let snap = snapshot("linux-vm-snapshot");
    let all = items("disk-snapshots.yaml");
    let info = snapshot_info(&snap, &all, &all);
    assert_eq!(info.vm, "linux-vm");
    assert_eq!(info.phase, SnapshotPhase::Succeeded);
    assert!(info.is_ready());
    assert_eq!(info.consistency, Consistency::Application);
    assert_eq!(info.included_volumes, ["linux-vm-root", "linux-vm-data"]);
    assert_eq!(info.size_bytes, Some(70 * 1024 * 1024 * 1024));
    assert_eq!(
        info.creation_time.map(|t| t.to_string()).as_deref(),
        Some("2026-08-20T10:00:41Z")
    );
    assert!(
        info.content_name
            .as_deref()
            .is_some_and(|s| s.starts_with("d8v-vms-"))
    );
    assert!(info.error.is_none());
    let d = snapshot_details(&snap);
    assert!(d.required_consistency);
    assert_eq!(d.keep_ip_address, "Always");
    assert_eq!(d.consistency, DeckhouseConsistency::Consistent);
    assert_eq!(d.disk_snapshots.len(), 2);
    assert_eq!(d.resources[1].kind, "VirtualMachineIPAddress");
    assert!(!d.clone_temporary);
}

#[test]
fn failed_and_unconsistent_snapshots_say_why() {
    let failed = snapshot("db-vm-snapshot");
    let info = snapshot_info(&failed, &[], &[]);
    assert_eq!(info.phase, SnapshotPhase::Failed);
    assert!(
        info.error
            .as_deref()
            .is_some_and(|e| e.contains("agent is not ready"))
    );
    assert_eq!(info.consistency, Consistency::Unknown);
    assert_eq!(
        snapshot_details(&failed).reason.as_deref(),
        Some("PotentiallyInconsistent")
    );
    let loose = snapshot("db-vm-loose");
    assert_eq!(
        DeckhouseConsistency::of(&loose),
        DeckhouseConsistency::NotGuaranteed
    );
    assert_eq!(
        snapshot_info(&loose, &[], &[]).consistency,
        Consistency::Crash
    );
    assert_eq!(
        snapshot_info(&loose, &[], &[]).size_bytes,
        None,
        "sizes unknown"
    );
    let progress = snapshot("linux-vm-snapshot-2");
    assert_eq!(
        phase_message(&progress),
        "InProgress: Waiting for the virtual disk snapshots to be taken for the block devices of the virtual machine \"linux-vm\" (1/2)."
    );
    assert!(
        DeckhouseConsistency::NotGuaranteed
            .explain()
            .contains("requiredConsistency")
    );
}

#[test]
fn clone_temporary_snapshots_are_recognised() {
    assert!(is_clone_temporary(&snapshot("vmop-clone-x7k2p")));
    assert!(!is_clone_temporary(&snapshot("linux-vm-snapshot")));
}

#[test]
fn disks_report_capacity_resizing_and_attachment() {
    let d = disk_info(&item("disks.yaml", "linux-vm-root"));
    assert!(d.ready() && !d.resizing);
    assert_eq!(d.capacity_bytes, Some(20 * 1024 * 1024 * 1024));
    assert_eq!(d.attached_to, ["linux-vm"]);
    assert_eq!(d.storage_class.as_deref(), Some("linstor-thin-r2"));
    let r = disk_info(&item("disks.yaml", "web-vm-data"));
    assert!(r.resizing);
    assert_eq!(r.requested.as_deref(), Some("200Gi"));
}

#[test]
fn disk_snapshots_know_their_vm_snapshot_and_consistency() {
    let owned = disk_snapshot_info(&item(
        "disk-snapshots.yaml",
        "linux-vm-root-7d3c9a52-8d59-4a0e-9d0b-2b1b5f0c6a11",
    ));
    assert_eq!(owned.disk, "linux-vm-root");
    assert_eq!(owned.vm_snapshot.as_deref(), Some("linux-vm-snapshot"));
    assert_eq!(owned.consistency, DeckhouseConsistency::Consistent);
    assert!(owned.volume_snapshot.is_some());
    let failed = disk_snapshot_info(&item("disk-snapshots.yaml", "db-root-now"));
    assert_eq!(failed.phase, SnapshotPhase::Failed);
    assert!(failed.vm_snapshot.is_none());
    assert!(failed.message.is_some_and(|m| m.contains("not ready")));
}

#[test]
fn vm_snapshot_builder_writes_every_required_field() {
    let labels = BTreeMap::from([("team".to_owned(), "db".to_owned())]);
    let s = build_vm_snapshot("p", "s1", "linux-vm", true, KeepIpAddress::Never, &labels);
    assert_eq!(
        s,
        json!({"apiVersion": "virtualization.deckhouse.io/v1alpha2", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": "s1", "namespace": "p", "labels": {"team": "db"}},
            "spec": {"virtualMachineName": "linux-vm", "requiredConsistency": true, "keepIPAddress": "Never"}})
    );
    let d = build_disk_snapshot("p", "d1", "linux-vm-root", false, &BTreeMap::new());
    assert_eq!(
        d["spec"],
        json!({"virtualDiskName": "linux-vm-root", "requiredConsistency": false})
    );
    assert!(d["metadata"].get("labels").is_none());
    assert_eq!("Never".parse::<KeepIpAddress>(), Ok(KeepIpAddress::Never));
    assert!("never".parse::<KeepIpAddress>().is_err());
    assert_eq!(KeepIpAddress::default(), KeepIpAddress::Always);
}

#[test]
fn restore_builder_names_snapshot_and_mode() {
    let r = build_restore("p", "r1", "linux-vm", "s1", OperationMode::DryRun);
    assert_eq!(
        r["spec"],
        json!({"type": "Restore", "virtualMachineName": "linux-vm",
            "restore": {"mode": "DryRun", "virtualMachineSnapshotName": "s1"}})
    );
    assert_eq!(r["kind"], "VirtualMachineOperation");
    assert_eq!(
        "BestEffort".parse::<OperationMode>(),
        Ok(OperationMode::BestEffort)
    );
    assert!("besteffort".parse::<OperationMode>().is_err());
    assert_eq!(OperationMode::default(), OperationMode::Strict);
}

#[test]
fn name_replacements_parse_kind_slash_old_equals_new() {
    let r: NameReplacement = "vd/db-root=copy-root".parse().expect("short name");
    assert_eq!(r.kind.as_deref(), Some("VirtualDisk"));
    assert_eq!((r.from.as_str(), r.to.as_str()), ("db-root", "copy-root"));
    let r: NameReplacement = "VirtualMachine/db=copy".parse().expect("kind");
    assert_eq!(r.kind.as_deref(), Some("VirtualMachine"));
    let r: NameReplacement = "db=copy".parse().expect("any kind");
    assert_eq!(r.kind, None);
    assert!("db".parse::<NameReplacement>().is_err());
    assert!("pod/db=x".parse::<NameReplacement>().is_err());
    assert!("=x".parse::<NameReplacement>().is_err());
}

#[test]
fn clone_builders_use_singular_name_replacement_with_plain_to() {
    let naming = CloneNaming {
        replacements: vec![
            "VirtualMachine/database=database-clone"
                .parse()
                .expect("ok"),
        ],
        prefix: None,
        suffix: Some("-2".into()),
    };
    let c = build_clone("p", "c1", "database", &naming, OperationMode::Strict).expect("valid");
    assert_eq!(
        c["spec"]["clone"],
        json!({"mode": "Strict",
            "nameReplacement": [{"from": {"kind": "VirtualMachine", "name": "database"}, "to": "database-clone"}],
            "customization": {"nameSuffix": "-2"}})
    );
    assert!(c["spec"]["clone"].get("nameReplacements").is_none());
    assert_eq!(
        naming.apply("VirtualMachine", "database"),
        "database-clone-2"
    );
    assert_eq!(
        naming.apply("VirtualDisk", "database"),
        "database-2",
        "kind must match"
    );
    let v = build_create_vm("p", "v1", "snap", &naming, OperationMode::DryRun).expect("valid");
    assert_eq!(v["kind"], "VirtualMachineSnapshotOperation");
    assert_eq!(v["spec"]["type"], "CreateVirtualMachine");
    assert_eq!(v["spec"]["createVirtualMachine"]["mode"], "DryRun");
    assert!(
        build_clone(
            "p",
            "c",
            "vm",
            &CloneNaming::default(),
            OperationMode::Strict
        )
        .is_err()
    );
    let long = CloneNaming {
        prefix: Some("x".repeat(60)),
        ..CloneNaming::default()
    };
    assert!(long.validate().is_err());
}

#[test]
fn disk_from_snapshot_is_at_least_the_original_size() {
    let d = build_disk_from_snapshot("p", "copy", "snap", None, Some("20Gi"), Some("fast"))
        .expect("defaults to the original");
    assert_eq!(
        d["spec"],
        json!({"dataSource": {"type": "ObjectRef", "objectRef": {"kind": "VirtualDiskSnapshot", "name": "snap"}},
            "persistentVolumeClaim": {"size": "20Gi", "storageClassName": "fast"}})
    );
    let bigger =
        build_disk_from_snapshot("p", "c", "s", Some("25Gi"), Some("20Gi"), None).expect("ok");
    assert_eq!(bigger["spec"]["persistentVolumeClaim"]["size"], "25Gi");
    let err = build_disk_from_snapshot("p", "c", "s", Some("10Gi"), Some("20Gi"), None)
        .expect_err("smaller");
    assert!(err.contains("at least as large"), "{err}");
    assert!(build_disk_from_snapshot("p", "c", "s", Some("lots"), None, None).is_err());
    let bare = build_disk_from_snapshot("p", "c", "s", None, None, None).expect("ok");
    assert!(bare["spec"].get("persistentVolumeClaim").is_none());
}

#[test]
fn preflight_of_a_running_vm_with_agent_freezes_and_warns_about_images() {
    let p = preflight::vm_snapshot(&item("vms.yaml", "linux-vm"), &items("disks.yaml"), true);
    assert_eq!(p.expected, ExpectedConsistency::Frozen);
    assert_eq!(p.expected.outcome(), DeckhouseConsistency::Consistent);
    assert_eq!(p.disks, ["linux-vm-root", "linux-vm-data"]);
    assert_eq!(p.images.len(), 1);
    assert_eq!(codes(&p.findings), ["freeze", "images-not-saved"]);
    assert!(!blocked(&p.findings));
}

#[test]
fn preflight_blocks_a_consistent_snapshot_without_agent_unless_allowed() {
    let vm = item("vms.yaml", "db-vm");
    let disks = items("disks.yaml");
    let strict = preflight::vm_snapshot(&vm, &disks, true);
    assert_eq!(strict.expected, ExpectedConsistency::WillFail);
    assert!(blocked(&strict.findings));
    assert!(strict.findings[0].message.contains("--allow-inconsistent"));
    let loose = preflight::vm_snapshot(&vm, &disks, false);
    assert_eq!(loose.expected, ExpectedConsistency::NotGuaranteed);
    assert!(!blocked(&loose.findings));
    assert_eq!(loose.findings[0].severity, Severity::Warning);
}

#[test]
fn preflight_blocks_resizing_and_missing_disks_and_maintenance() {
    let p = preflight::vm_snapshot(&item("vms.yaml", "web-vm"), &items("disks.yaml"), true);
    let c = codes(&p.findings);
    assert!(c.contains(&"vm-maintenance"), "{c:?}");
    assert!(c.contains(&"disk-resizing"), "{c:?}");
    assert!(c.contains(&"disk-not-ready"), "{c:?}");
    assert!(c.contains(&"vm-phase"), "{c:?}");
    assert_eq!(p.expected, ExpectedConsistency::Waits);
    let win = preflight::vm_snapshot(&item("vms.yaml", "win-vm"), &[], true);
    assert!(codes(&win.findings).contains(&"disk-missing"));
    assert_eq!(win.expected, ExpectedConsistency::Stopped);
}

#[test]
fn a_disk_waiting_for_its_first_consumer_blocks_snapshots_until_its_vm_starts() {
    let mut disk = item("disks.yaml", "db-vm-root");
    disk["status"]["phase"] = "WaitForFirstConsumer".into();
    let mut vm = item("vms.yaml", "db-vm");
    vm["status"]["phase"] = "Stopped".into();
    let p = preflight::vm_snapshot(&vm, std::slice::from_ref(&disk), true);
    let wffc = p.findings.iter().find(|f| f.code == "disk-wffc").unwrap();
    assert_eq!(wffc.severity, Severity::Blocker);
    assert!(
        wffc.message.contains("d8 v start db-vm"),
        "{}",
        wffc.message
    );
    assert!(!codes(&p.findings).contains(&"disk-not-ready"));
    // A disk snapshot of it would wait for a Ready disk for ever: blocked too, with or
    // without a stopped VM; a running consumer makes it a mere wait.
    for attached in [None, Some(&vm)] {
        let (_, f) = preflight::disk_snapshot(&disk, attached, false);
        assert_eq!(codes(&f), ["disk-wffc"], "{attached:?}");
        assert!(blocked(&f));
    }
    vm["status"]["phase"] = "Running".into();
    let (_, f) = preflight::disk_snapshot(&disk, Some(&vm), false);
    assert!(!codes(&f).contains(&"disk-wffc"), "{f:?}");
}

#[test]
fn disk_preflight_needs_the_agent_of_a_running_vm() {
    let disk = item("disks.yaml", "db-vm-root");
    let vm = item("vms.yaml", "db-vm");
    let (e, f) = preflight::disk_snapshot(&disk, Some(&vm), true);
    assert_eq!(e, ExpectedConsistency::WillFail);
    assert!(blocked(&f));
    let (e, f) = preflight::disk_snapshot(&disk, Some(&vm), false);
    assert_eq!(e, ExpectedConsistency::NotGuaranteed);
    assert!(!blocked(&f));
    let (e, _) = preflight::disk_snapshot(&disk, None, true);
    assert_eq!(e, ExpectedConsistency::Stopped);
    let (_, f) = preflight::disk_snapshot(&item("disks.yaml", "web-vm-data"), None, true);
    assert!(blocked(&f));
}

#[test]
fn restore_preflight_checks_snapshot_vm_and_warns_about_cancelling() {
    let vm = item("vms.yaml", "linux-vm");
    let f = preflight::restore(&vm, &snapshot("linux-vm-snapshot"));
    assert_eq!(codes(&f), ["vm-restart", "do-not-cancel"]);
    assert!(!blocked(&f));
    let f = preflight::restore(&vm, &snapshot("linux-vm-snapshot-2"));
    assert!(codes(&f).contains(&"snapshot-not-ready"));
    let f = preflight::restore(&vm, &snapshot("db-vm-loose"));
    assert!(codes(&f).contains(&"other-vm"));
}

#[test]
fn clone_and_create_vm_preflights_remind_guest_preparation() {
    let f = preflight::clone_vm(&item("vms.yaml", "win-vm"));
    assert_eq!(codes(&f), ["guest-preparation"]);
    assert!(f[0].message.contains("sysprep") && f[0].message.contains("machine-id"));
    assert!(blocked(&preflight::clone_vm(&item("vms.yaml", "db-vm"))));
    assert!(!blocked(&preflight::clone_vm(&item(
        "vms.yaml", "linux-vm"
    ))));
    assert!(blocked(&preflight::create_vm(&snapshot(
        "linux-vm-snapshot-2"
    ))));
    assert!(!blocked(&preflight::create_vm(&snapshot(
        "linux-vm-snapshot"
    ))));
}

#[test]
fn operations_convert_with_per_resource_results() {
    let op = operation_info(&item("operations.yaml", "restore-linux-vm-dryrun"));
    assert_eq!(op.type_, "Restore");
    assert_eq!(op.vm, "linux-vm");
    assert_eq!(op.snapshot.as_deref(), Some("linux-vm-snapshot"));
    assert!(op.is_dry_run());
    assert_eq!(op.phase, OperationPhase::Failed);
    assert!(op.phase.is_finished());
    assert_eq!(op.resources.len(), 5);
    assert_eq!(op.resources[0].api_version, "v1alpha2");
    assert_eq!(op.reason.as_deref(), Some("OperationFailed"));
    let vmsop = operation_info(&item("operations.yaml", "clone-from-snapshot"));
    assert_eq!(vmsop.type_, "CreateVirtualMachine");
    assert_eq!(vmsop.snapshot.as_deref(), Some("linux-vm-snapshot"));
    assert_eq!(vmsop.mode.as_deref(), Some("Strict"));
    assert_eq!(vmsop.vm, "");
    assert_eq!(
        phase_message(&item("operations.yaml", "clone-from-pending-snapshot")),
        "Failed: The VirtualMachineSnapshot \"linux-vm-snapshot-2\" is not ready yet."
    );
}

#[test]
fn dry_run_conflicts_are_classified_and_explained() {
    let op = operation_info(&item("operations.yaml", "restore-linux-vm-dryrun"));
    let c = conflicts(&op);
    let kinds: Vec<ConflictKind> = c.iter().map(|c| c.conflict).collect();
    assert_eq!(
        kinds,
        [
            ConflictKind::DiskInUse,
            ConflictKind::IpInUse,
            ConflictKind::ImageMissing
        ]
    );
    assert!(c[0].explain().contains("attached to another VM"));
    assert!(c[2].explain().contains("BestEffort"));
    assert!(c[2].ignored_by(OperationMode::BestEffort));
    assert!(!c[0].ignored_by(OperationMode::BestEffort));
    let preview = dry_run_preview(&item("operations.yaml", "restore-linux-vm-dryrun"));
    assert!(!preview.clean);
    assert!(!preview.passes(OperationMode::BestEffort));
    assert_eq!(preview.valid.len(), 2);
    assert_eq!(preview.lines().len(), 3);
    let clone = conflicts(&operation_info(&item(
        "operations.yaml",
        "clone-linux-vm-dryrun",
    )));
    assert!(clone.iter().all(|c| c.conflict == ConflictKind::NameTaken));
    let ok = dry_run_preview(&item("operations.yaml", "restore-win-vm-dryrun"));
    assert!(ok.clean && ok.passes(OperationMode::Strict));
    assert_eq!(
        ok.lines(),
        ["dry run restore-win-vm-dryrun: 2 resource(s) valid, no conflicts"]
    );
}

#[test]
fn the_active_operation_of_a_vm_is_named_for_the_user() {
    let ops = items("operations.yaml");
    let running = active_operation(&ops, "linux-vm").expect("the Strict restore holds it");
    assert_eq!(running.name, "restore-linux-vm");
    assert!(active_operation(&ops, "win-vm").is_none());
    let msg = active_operation_message("linux-vm", &running);
    assert!(msg.contains("Restore restore-linux-vm"), "{msg}");
    assert!(
        msg.contains("kubectl get vmop restore-linux-vm -n my-project -w"),
        "{msg}"
    );
    assert_eq!(
        refused_by_active_operation(
            "admission webhook \"x\" denied the request: VMOP cannot be executed now. Previously created operation \"stop-1\" should finish first"
        )
        .as_deref(),
        Some("stop-1")
    );
    assert_eq!(refused_by_active_operation("something else"), None);
}
