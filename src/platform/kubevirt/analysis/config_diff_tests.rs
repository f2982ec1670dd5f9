//! Config diff: the restore's view of a VM, the diff algorithm and the summary.

use serde_json::{Value, json};

use super::*;
use crate::platform::kubevirt::api::fixtures::load;

/// A VM as the API server returns it: server fields, one DataVolume disk, one PVC disk, a
/// cloud-init disk and a pod network.
fn live_vm() -> Value {
    json!({
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {
            "name": "db", "namespace": "prod", "uid": "u-1", "resourceVersion": "42",
            "generation": 7, "creationTimestamp": "2026-11-01T00:00:00Z",
            "managedFields": [{"manager": "kubectl"}], "finalizers": ["kubevirt.io/virtualMachineControllerFinalize"],
            "labels": {"app": "db"},
            "annotations": {
                "kubevirt.io/latest-observed-api-version": "v1",
                "kubevirt.io/storage-observed-api-version": "v1",
                "restore.kubevirt.io/lastRestoreUID": "restore-x-123",
            },
        },
        "spec": {
            "runStrategy": "Always",
            "instancetype": {"name": "u1.large", "revisionName": "db-u1.large-abc"},
            "dataVolumeTemplates": [{"metadata": {"name": "db-root"}, "spec": {"storage": {"resources": {"requests": {"storage": "30Gi"}}}}}],
            "template": {
                "metadata": {"creationTimestamp": null, "labels": {"kubevirt.io/domain": "db"}},
                "spec": {
                    "domain": {
                        "cpu": {"cores": 4},
                        "memory": {"guest": "16Gi"},
                        "devices": {
                            "disks": [
                                {"name": "root", "bootOrder": 1, "disk": {"bus": "virtio"}},
                                {"name": "data", "disk": {"bus": "virtio"}},
                                {"name": "cloudinit", "disk": {"bus": "virtio"}},
                            ],
                            "interfaces": [{"name": "default", "masquerade": {}}],
                        },
                    },
                    "networks": [{"name": "default", "pod": {}}],
                    "volumes": [
                        {"name": "root", "dataVolume": {"name": "db-root"}},
                        {"name": "data", "persistentVolumeClaim": {"claimName": "db-data"}},
                        {"name": "cloudinit", "cloudInitNoCloud": {"userData": "#cloud-config\npackages: [qemu-guest-agent]\n"}},
                    ],
                },
            },
        },
        "status": {"printableStatus": "Running", "ready": true},
    })
}

/// A content whose VM is `vm` (with its metadata trimmed as KubeVirt stores it), capturing
/// the `root` and `data` volumes.
fn content_of(vm: &Value) -> Value {
    let mut stored = vm.clone();
    stored.as_object_mut().unwrap().remove("status");
    json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshotContent",
        "metadata": {"name": "vmsnapshot-content-1", "namespace": "prod"},
        "spec": {
            "virtualMachineSnapshotName": "nightly",
            "source": {"virtualMachine": stored},
            "volumeBackups": [
                {"volumeName": "root", "persistentVolumeClaim": {"metadata": {"name": "db-root"}}, "volumeSnapshotName": "vs-root"},
                {"volumeName": "data", "persistentVolumeClaim": {"metadata": {"name": "db-data"}}, "volumeSnapshotName": "vs-data"},
            ],
        },
    })
}

fn diff(snapshot_vm: &Value, live: &Value) -> ConfigDiff {
    config_diff(&content_of(snapshot_vm), live, &DiffOptions::default())
}

/// The diff from a snapshot of [`live_vm`] to the live VM after `edit`.
fn diff_after(edit: impl FnOnce(&mut Value)) -> ConfigDiff {
    let mut live = live_vm();
    edit(&mut live);
    diff(&live_vm(), &live)
}

fn change<'a>(d: &'a ConfigDiff, area: Area, item: &str) -> &'a Change {
    d.summary
        .changes
        .iter()
        .find(|c| c.area == area && c.item == item)
        .unwrap_or_else(|| panic!("no {area:?} change {item}: {:#?}", d.summary.changes))
}

#[test]
fn a_vm_unchanged_since_the_snapshot_restores_no_configuration() {
    let live = live_vm();
    let d = diff(&live, &live);
    assert!(d.identical, "{}", d.unified());
    assert!(d.lines.is_empty());
    assert!(d.summary.changes.is_empty());
    assert!(d.summary.notes.is_empty(), "{:?}", d.summary.notes);
    assert_eq!(d.summary.restored_volumes.len(), 2);
}

#[test]
fn server_managed_fields_and_reconcile_annotations_are_not_changes() {
    let d = diff_after(|live| {
        live["metadata"]["resourceVersion"] = json!("999");
        live["metadata"]["generation"] = json!(9);
        live["metadata"]["uid"] = json!("u-1");
        live["metadata"]["annotations"]["kubevirt.io/latest-observed-api-version"] = json!("v2");
        live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
            json!("{}");
        live["spec"]["instancetype"]["revisionName"] = json!("db-u1.large-def");
        live["spec"]["template"]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("creationTimestamp");
        live["status"] = json!({"printableStatus": "Stopped", "volumeSnapshotStatuses": []});
    });
    assert!(d.identical, "{}", d.unified());
}

#[test]
fn claim_names_renamed_by_an_earlier_restore_are_not_changes() {
    let d = diff_after(|live| {
        // After a restore KubeVirt points the volumes at restore-<uid>-<volume>.
        live["spec"]["template"]["spec"]["volumes"][0]["dataVolume"]["name"] =
            json!("restore-abc-root");
        live["spec"]["dataVolumeTemplates"][0]["metadata"]["name"] = json!("restore-abc-root");
        live["spec"]["template"]["spec"]["volumes"][1]["persistentVolumeClaim"]["claimName"] =
            json!("restore-abc-data");
    });
    assert!(d.identical, "{}", d.unified());
    let data = d
        .summary
        .restored_volumes
        .iter()
        .find(|r| r.volume == "data")
        .unwrap();
    assert_eq!(data.current.as_deref(), Some("restore-abc-data"));
    assert_eq!(data.captured, "db-data");
}

#[test]
fn cpu_and_memory_changes_show_as_lines_and_in_the_summary() {
    let d = diff_after(|live| {
        live["spec"]["template"]["spec"]["domain"]["cpu"] = json!({"cores": 8, "sockets": 2});
        live["spec"]["template"]["spec"]["domain"]["memory"]["guest"] = json!("32Gi");
    });
    assert!(!d.identical);
    let cores = change(&d, Area::Cpu, "cores");
    assert_eq!(
        (cores.before.as_deref(), cores.after.as_deref()),
        (Some("8"), Some("4"))
    );
    assert_eq!(cores.describe(), "CPU cores: 8 → 4");
    let sockets = change(&d, Area::Cpu, "sockets");
    assert_eq!(sockets.kind, ChangeKind::Removed);
    assert_eq!(sockets.describe(), "CPU sockets removed (2)");
    assert_eq!(
        change(&d, Area::Memory, "guest").describe(),
        "memory guest: 32Gi → 16Gi"
    );
    assert_eq!(d.summary.changes.len(), 3, "{:#?}", d.summary.changes);

    let text = d.unified();
    assert!(
        text.starts_with("--- VM prod/db (now)\n+++ VM prod/db (after restoring nightly)\n@@ -"),
        "{text}"
    );
    for hunk in [
        "\n-          cores: 8\n-          sockets: 2\n+          cores: 4\n",
        "\n@@ -38,7 +37,7 @@\n",
        "\n-          guest: 32Gi\n+          guest: 16Gi\n",
    ] {
        assert!(text.contains(hunk), "{hunk:?} missing:\n{text}");
    }
    assert!(d.lines.iter().any(|l| l.kind == LineKind::Hunk));
    assert!(
        d.lines
            .iter()
            .filter(|l| l.kind == LineKind::Header)
            .count()
            == 2
    );
}

#[test]
fn disks_and_interfaces_added_or_removed_since_the_snapshot_are_named() {
    let snap = live_vm();
    let mut live = live_vm();
    let tspec = &mut live["spec"]["template"]["spec"];
    tspec["domain"]["devices"]["disks"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "scratch", "disk": {"bus": "scsi"}}));
    tspec["volumes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "scratch", "persistentVolumeClaim": {"claimName": "db-scratch"}}));
    tspec["domain"]["devices"]["interfaces"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "vlan", "bridge": {}, "macAddress": "02:00:00:00:00:01"}));
    tspec["networks"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "vlan", "multus": {"networkName": "prod/vlan10"}}));
    tspec["domain"]["devices"]["disks"][2]["disk"]["bus"] = json!("sata");
    let d = diff(&snap, &live);
    let scratch = change(&d, Area::Disk, "scratch");
    assert_eq!(scratch.kind, ChangeKind::Removed);
    assert_eq!(
        scratch.describe(),
        "disk scratch removed (scsi disk, persistentVolumeClaim db-scratch)"
    );
    let vlan = change(&d, Area::Network, "vlan");
    assert_eq!(
        vlan.describe(),
        "interface vlan removed (bridge, MAC 02:00:00:00:00:01, network prod/vlan10)"
    );
    let ci = change(&d, Area::Disk, "cloudinit");
    assert_eq!(ci.kind, ChangeKind::Changed);
    assert_eq!(ci.before.as_deref(), Some("sata disk, cloudInitNoCloud"));
    assert_eq!(ci.after.as_deref(), Some("virtio disk, cloudInitNoCloud"));
    // Captured volumes read as restored on both sides; the root disk is unchanged.
    assert!(!d.summary.changes.iter().any(|c| c.item == "root"));

    // The other way round: the restore brings them back.
    let d = diff(&live, &live_vm());
    assert_eq!(change(&d, Area::Disk, "scratch").kind, ChangeKind::Added);
    assert_eq!(change(&d, Area::Network, "vlan").kind, ChangeKind::Added);
}

#[test]
fn labels_and_annotations_are_kept_by_an_in_place_restore_and_said_so() {
    let snap = live_vm();
    let mut live = live_vm();
    live["metadata"]["labels"]["tier"] = json!("gold");
    live["metadata"]["annotations"]["owner"] = json!("team-a");
    let d = diff(&snap, &live);
    assert!(d.identical, "{}", d.unified());
    assert_eq!(d.summary.notes.len(), 1, "{:?}", d.summary.notes);
    assert!(
        d.summary.notes[0].contains("label tier, annotation owner"),
        "{}",
        d.summary.notes[0]
    );
    assert!(d.summary.notes[0].contains("keeps the current ones"));

    let all = config_diff(
        &content_of(&snap),
        &live,
        &DiffOptions {
            include_metadata: true,
            ..DiffOptions::default()
        },
    );
    assert!(!all.identical);
    assert_eq!(
        change(&all, Area::Label, "tier").describe(),
        "label tier removed (gold)"
    );
    assert_eq!(
        change(&all, Area::Annotation, "owner").kind,
        ChangeKind::Removed
    );
    assert!(
        all.unified().contains("\n-    tier: gold\n"),
        "{}",
        all.unified()
    );
    // The reconcile annotations stay out even then.
    assert!(
        !all.unified().contains("latest-observed"),
        "{}",
        all.unified()
    );
}

#[test]
fn template_labels_are_restored_with_the_spec() {
    let d = diff_after(|live| {
        live["spec"]["template"]["metadata"]["labels"]["flavor"] = json!("big");
    });
    assert_eq!(
        change(&d, Area::TemplateLabel, "flavor").describe(),
        "template label flavor removed (big)"
    );
}

#[test]
fn a_snapshot_on_the_deprecated_running_field_is_named_as_written() {
    let mut snap = live_vm();
    let spec = snap["spec"].as_object_mut().unwrap();
    spec.remove("runStrategy");
    spec.insert("running".into(), json!(true));
    let mut live = live_vm();
    live["spec"]["runStrategy"] = json!("Halted");
    let d = diff(&snap, &live);
    assert_eq!(
        d.summary.notes,
        ["the snapshot was taken with running: true; a restore keeps the VM's own (Halted)"]
    );
}

#[test]
fn the_vm_keeps_its_run_strategy_through_a_restore() {
    let d = diff_after(|live| {
        live["spec"]["runStrategy"] = json!("Halted");
    });
    assert!(d.identical, "{}", d.unified());
    assert_eq!(
        d.summary.notes,
        ["the snapshot was taken with run strategy Always; a restore keeps the VM's own (Halted)"]
    );
    // A VM on the deprecated `running` field ends up `running: false`.
    let mut legacy = live_vm();
    legacy["spec"]
        .as_object_mut()
        .unwrap()
        .remove("runStrategy");
    legacy["spec"]["running"] = json!(true);
    let d = diff(&legacy, &legacy);
    assert!(
        d.unified()
            .contains("-  running: true\n+  running: false\n"),
        "{}",
        d.unified()
    );
}

/// A memory-dump volume on the live VM is not in the restored VM (KubeVirt drops them): the
/// change says so, rather than reading as a disk the snapshot lacks.
#[test]
fn a_live_memory_dump_volume_is_removed_and_says_kubevirt_never_restores_it() {
    let d = diff_after(|live| {
        live["spec"]["template"]["spec"]["volumes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "dump", "memoryDump": {"claimName": "db-dump"}}));
    });
    let dump = change(&d, Area::Disk, "dump");
    assert_eq!(dump.kind, ChangeKind::Removed);
    assert_eq!(
        dump.before.as_deref(),
        Some(
            "no disk device, memoryDump db-dump, never restored: KubeVirt drops memory-dump volumes"
        )
    );
}

#[test]
fn memory_dumps_are_dropped_and_template_less_datavolumes_become_pvcs() {
    let mut snap = live_vm();
    snap["spec"]["template"]["spec"]["volumes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "dump", "memoryDump": {"claimName": "db-dump"}}));
    snap["spec"]
        .as_object_mut()
        .unwrap()
        .remove("dataVolumeTemplates");
    let mut live = live_vm();
    live["spec"]
        .as_object_mut()
        .unwrap()
        .remove("dataVolumeTemplates");
    let d = diff(&snap, &live);
    assert!(!d.unified().contains("dump"), "{}", d.unified());
    let root = change(&d, Area::Disk, "root");
    assert_eq!(
        root.before.as_deref(),
        Some("virtio disk, boot order 1, dataVolume <restored from snapshot: root>")
    );
    assert_eq!(
        root.after.as_deref(),
        Some("virtio disk, boot order 1, persistentVolumeClaim <restored from snapshot: root>")
    );
}

#[test]
fn other_fields_are_reported_by_path() {
    let d = diff_after(|live| {
        live["spec"]["template"]["spec"]["evictionStrategy"] = json!("LiveMigrate");
        live["spec"]["instancetype"]["name"] = json!("u1.xlarge");
    });
    let ev = change(&d, Area::Other, "spec.template.spec.evictionStrategy");
    assert_eq!(
        ev.describe(),
        "spec.template.spec.evictionStrategy removed (LiveMigrate)"
    );
    assert_eq!(
        change(&d, Area::Instancetype, "instancetype").describe(),
        "instancetype: u1.xlarge → u1.large"
    );
    assert_eq!(d.summary.changes.len(), 2, "{:#?}", d.summary.changes);
}

#[test]
fn fixture_content_against_the_live_database_vm() {
    let content = load("content-pre-upgrade.yaml");
    let live = load("vm-database-01.yaml");
    let d = config_diff(&content, &live, &DiffOptions::default());
    assert!(!d.identical);
    // The stored VM lists three disks; the live one has three more and a network.
    for disk in ["tools", "cloudinitdisk", "archive"] {
        assert_eq!(
            change(&d, Area::Disk, disk).kind,
            ChangeKind::Removed,
            "{disk}"
        );
    }
    assert_eq!(
        change(&d, Area::Network, "default").kind,
        ChangeKind::Removed
    );
    assert_eq!(
        change(&d, Area::Other, "spec.dataVolumeTemplates").describe(),
        "spec.dataVolumeTemplates removed (1 item)"
    );
    assert_eq!(
        change(&d, Area::Disk, "rootdisk").describe(),
        "disk rootdisk: virtio disk, boot order 1, dataVolume <restored from snapshot: rootdisk> → virtio disk, persistentVolumeClaim <restored from snapshot: rootdisk>"
    );
    assert!(
        !d.summary
            .changes
            .iter()
            .any(|c| c.item == "datadisk" || c.item == "scratch")
    );
    // The trimmed stored VM has no dataVolumeTemplates: KubeVirt restores the DataVolume disk
    // as a plain PVC volume, and the diff says so.
    assert!(d.unified().contains("+        persistentVolumeClaim:\n+          claimName: \"<restored from snapshot: rootdisk>\"\n"), "{}", d.unified());
    assert!(d.summary.notes.is_empty(), "{:?}", d.summary.notes);
    let restored: Vec<(&str, Option<&str>)> = d
        .summary
        .restored_volumes
        .iter()
        .map(|r| (r.volume.as_str(), r.current.as_deref()))
        .collect();
    assert_eq!(
        restored,
        [
            ("datadisk", Some("database-01-data")),
            ("rootdisk", Some("database-01-rootdisk")),
            ("scratch", Some("database-01-scratch"))
        ]
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["summary"]["changes"][0]["area"], "disk");
    assert_eq!(json["lines"][0]["kind"], "header");
}

#[test]
fn yaml_puts_names_first_and_keeps_multiline_strings_as_blocks() {
    let doc = json!({"spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "x"}, "name": "data"}],
                              "userData": "#cloud-config\nruncmd: [x]\n"}});
    let y = yaml_lines(&doc);
    let text = y.join("\n");
    assert!(
        text.contains("- name: data\n    persistentVolumeClaim:"),
        "{text}"
    );
    assert!(text.contains("userData: |"), "{text}");
    assert_eq!(yaml_lines(&doc), y, "stable");
}

#[test]
fn summary_sentences_for_the_restore_preview() {
    let snap = live_vm();
    let d = diff(&snap, &live_vm());
    assert_eq!(
        d.summary.describe(),
        [
            "no configuration changes",
            "data rolled back to the snapshot, each on a new PVC: data (now db-data), root (now db-root)",
        ]
    );
    let mut live = live_vm();
    live["spec"]["template"]["spec"]["domain"]["cpu"]["cores"] = json!(8);
    live["spec"]["runStrategy"] = json!("Manual");
    let d = diff(&snap, &live);
    assert_eq!(
        d.summary.describe(),
        [
            "CPU cores: 8 → 4",
            "data rolled back to the snapshot, each on a new PVC: data (now db-data), root (now db-root)",
            "the snapshot was taken with run strategy Always; a restore keeps the VM's own (Manual)",
        ]
    );
}

#[test]
fn an_online_snapshot_diff_says_the_content_holds_the_spec_the_vm_started_with() {
    // The content of a snapshot of a running VM holds the spec from the VM's start revision;
    // the VM was given more memory since, not yet applied by a restart.
    let started_with = live_vm();
    let mut live = live_vm();
    live["spec"]["template"]["spec"]["domain"]["memory"]["guest"] = json!("32Gi");
    let content = content_of(&started_with);
    let online = DiffOptions {
        taken_online: true,
        ..DiffOptions::default()
    };
    let d = config_diff(&content, &live, &online);
    change(&d, Area::Memory, "guest");
    assert!(
        d.summary.notes.iter().any(|n| n == &online_note("nightly")),
        "{:?}",
        d.summary.notes
    );
    // Offline, or nothing changed: no such note.
    let offline = config_diff(&content, &live, &DiffOptions::default());
    assert!(
        offline.summary.notes.is_empty(),
        "{:?}",
        offline.summary.notes
    );
    let same = config_diff(&content, &started_with, &online);
    assert!(same.summary.notes.is_empty(), "{:?}", same.summary.notes);
}
