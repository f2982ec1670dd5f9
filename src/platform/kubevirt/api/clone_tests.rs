//! Clone builder, status conversion and preflight.

use serde_json::json;

use super::*;
use crate::platform::kubevirt::api::fixtures::load;
use crate::platform::kubevirt::api::snapshot_info;

fn full_spec() -> CloneSpec {
    CloneSpec {
        namespace: "production".into(),
        name: "clone-db-copy-20261126-090000".into(),
        snapshot: "pre-upgrade-snapshot".into(),
        target: "db-copy".into(),
        new_mac_addresses: BTreeMap::from([("default".into(), "02:00:00:aa:bb:cc".into())]),
        label_filters: vec!["*".into(), "!app".into()],
        annotation_filters: vec!["!kubevirt.io/*".into()],
        template_label_filters: vec!["*".into()],
        template_annotation_filters: vec![],
        new_smbios_serial: Some("serial-1".into()),
    }
}

#[test]
fn clone_of_a_snapshot_names_source_target_and_options() {
    let c = build_clone(&full_spec());
    assert_eq!(c["apiVersion"], "clone.kubevirt.io/v1beta1");
    assert_eq!(c["kind"], "VirtualMachineClone");
    assert_eq!(c["metadata"]["namespace"], "production");
    assert_eq!(
        c["spec"]["source"],
        json!({"apiGroup": "snapshot.kubevirt.io", "kind": "VirtualMachineSnapshot", "name": "pre-upgrade-snapshot"})
    );
    assert_eq!(
        c["spec"]["target"],
        json!({"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "db-copy"})
    );
    assert_eq!(c["spec"]["newMacAddresses"]["default"], "02:00:00:aa:bb:cc");
    assert_eq!(c["spec"]["labelFilters"], json!(["*", "!app"]));
    assert_eq!(c["spec"]["annotationFilters"], json!(["!kubevirt.io/*"]));
    assert_eq!(c["spec"]["template"], json!({"labelFilters": ["*"]}));
    assert_eq!(c["spec"]["newSMBiosSerial"], "serial-1");

    // Nothing optional is written when nothing was asked.
    let bare = build_clone(&CloneSpec {
        namespace: "p".into(),
        name: "c".into(),
        snapshot: "s".into(),
        target: "t".into(),
        ..CloneSpec::default()
    });
    let keys: Vec<&String> = bare["spec"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["source", "target"]);
}

#[test]
fn built_clones_validate_against_the_real_schema() {
    let Some(dir) = crate::platform::fixtures::schema_dir("kubevirt") else {
        return;
    };
    let crd = vmsnap_sim::schema::load_crd(&dir.join("kubevirt/virtualmachineclone.schema.yaml"))
        .expect("clone schema loads");
    let schema = &crd[0].schema;
    for spec in [
        full_spec(),
        CloneSpec {
            target: "t".into(),
            snapshot: "s".into(),
            ..CloneSpec::default()
        },
    ] {
        let mut obj = build_clone(&spec);
        let outcome = vmsnap_sim::schema::validate_and_prune(schema, &mut obj);
        assert!(outcome.causes.is_empty(), "{:?}", outcome.causes);
        assert!(
            outcome.pruned.is_empty(),
            "unknown fields {:?}",
            outcome.pruned
        );
    }
    // The check has teeth: a misspelt field is reported.
    let mut wrong = build_clone(&full_spec());
    wrong["spec"]["newMacAddress"] = json!({});
    let outcome = vmsnap_sim::schema::validate_and_prune(schema, &mut wrong);
    assert_eq!(outcome.pruned, ["spec.newMacAddress"]);
}

#[test]
fn clone_names_carry_the_target_and_utc_time() {
    let now = "2026-11-26T09:00:00Z".parse().unwrap();
    assert_eq!(clone_name("db-copy", now), "clone-db-copy-20261126-090000");
    assert!(clone_name(&"x".repeat(300), now).len() <= 253);
}

#[test]
fn clone_phases_map_from_status() {
    for (s, p) in [
        (None, ClonePhase::Pending),
        (Some(""), ClonePhase::Pending),
        (Some("SnapshotInProgress"), ClonePhase::SnapshotInProgress),
        (Some("CreatingTargetVM"), ClonePhase::CreatingTargetVM),
        (Some("RestoreInProgress"), ClonePhase::RestoreInProgress),
        (Some("Succeeded"), ClonePhase::Succeeded),
        (Some("Failed"), ClonePhase::Failed),
        (Some("Unknown"), ClonePhase::Unknown),
        (Some("Bogus"), ClonePhase::Unknown),
    ] {
        assert_eq!(ClonePhase::from_status(s), p, "{s:?}");
        if let Some(text) = s.filter(|t| !t.is_empty() && *t != "Bogus") {
            assert_eq!(p.to_string(), text);
        }
    }
    assert!(ClonePhase::Failed.is_terminal() && ClonePhase::Succeeded.is_terminal());
    assert!(!ClonePhase::CreatingTargetVM.is_terminal());
}

#[test]
fn clone_status_converts_to_the_model() {
    let mut c = build_clone(&full_spec());
    c["status"] = json!({
        "phase": "RestoreInProgress",
        "snapshotName": "pre-upgrade-snapshot",
        "restoreName": "tmp-restore-1",
        "creationTime": "2026-11-26T09:00:05Z",
        "conditions": [
            {"type": "Progressing", "status": "True", "reason": "Still processing"},
            {"type": "Ready", "status": "False", "reason": "Still processing"},
        ],
    });
    let info = clone_info(&c);
    assert_eq!(info.phase, ClonePhase::RestoreInProgress);
    assert_eq!(info.source_kind, "VirtualMachineSnapshot");
    assert_eq!(info.source_name, "pre-upgrade-snapshot");
    assert_eq!(info.target.as_deref(), Some("db-copy"));
    assert_eq!(info.restore_name.as_deref(), Some("tmp-restore-1"));
    assert!(info.creation_time.is_some());
    assert_eq!(info.error, None, "not failed, so no error");
    assert_eq!(
        clone_phase_message(&info),
        "RestoreInProgress: restoring the snapshot's volumes into new PVCs"
    );

    c["status"] = json!({
        "phase": "Failed",
        "targetName": "db-copy",
        "conditions": [{"type": "Ready", "status": "False", "reason": "Failed", "message": "restore tmp-restore-1 failed"}],
    });
    let info = clone_info(&c);
    assert_eq!(info.error.as_deref(), Some("restore tmp-restore-1 failed"));
    assert_eq!(
        clone_phase_message(&info),
        "Failed: restore tmp-restore-1 failed"
    );
    let v = serde_json::to_value(&info).unwrap();
    assert_eq!(v["phase"], "Failed");
    assert_eq!(v["sourceKind"], "VirtualMachineSnapshot");
}

fn ready_snapshot() -> SnapshotInfo {
    snapshot_info(&load("snapshot-succeeded.yaml"), None, &[])
}

fn run(
    target_exists: bool,
    snap: &SnapshotInfo,
    content: Option<&Value>,
    quotas: Option<&[Value]>,
    macs: &BTreeMap<String, String>,
) -> Vec<Finding> {
    preflight_new_vm(&NewVmInputs {
        namespace: "production",
        target: "db-copy",
        target_exists,
        snapshot: snap,
        content,
        quotas,
        new_mac_addresses: macs,
    })
}

fn messages(f: &[Finding], severity: Severity) -> Vec<String> {
    f.iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn a_ready_snapshot_into_a_free_name_passes() {
    let content = load("content-pre-upgrade.yaml");
    let f = run(
        false,
        &ready_snapshot(),
        Some(&content),
        Some(&[]),
        &BTreeMap::new(),
    );
    assert!(f.is_empty(), "{f:#?}");
    assert!(!blocked(&f));
}

#[test]
fn a_taken_name_an_invalid_name_and_an_unready_snapshot_block() {
    let content = load("content-pre-upgrade.yaml");
    let none = BTreeMap::new();
    let f = run(true, &ready_snapshot(), Some(&content), Some(&[]), &none);
    assert_eq!(
        messages(&f, Severity::Blocker),
        ["a VM named db-copy already exists in namespace production"]
    );
    assert!(
        f[0].hint.as_deref().unwrap().contains(
            "kubectl vmsnap restore db-copy --snapshot pre-upgrade-snapshot -n production"
        )
    );

    let bad = preflight_new_vm(&NewVmInputs {
        namespace: "production",
        target: "DB_Copy",
        target_exists: false,
        snapshot: &ready_snapshot(),
        content: Some(&content),
        quotas: Some(&[]),
        new_mac_addresses: &none,
    });
    assert!(blocked(&bad));
    assert!(
        bad[0].message.contains("not a valid Kubernetes name"),
        "{bad:?}"
    );

    let failed = snapshot_info(&load("snapshot-failed.yaml"), None, &[]);
    let f = run(false, &failed, Some(&content), Some(&[]), &none);
    let b = messages(&f, Severity::Blocker);
    assert_eq!(b.len(), 1, "{f:#?}");
    assert!(
        b[0].starts_with(&format!("snapshot {} is Failed (", failed.name)),
        "{}",
        b[0]
    );

    let mut deleting = ready_snapshot();
    deleting.deleting = true;
    let f = run(false, &deleting, Some(&content), Some(&[]), &none);
    assert_eq!(
        messages(&f, Severity::Blocker),
        ["snapshot pre-upgrade-snapshot is being deleted"]
    );
}

/// The content with the stored VM's devices replaced.
fn content_with_devices(devices: Value) -> Value {
    let mut c = load("content-pre-upgrade.yaml");
    c["spec"]["source"]["virtualMachine"]["spec"]["template"]["spec"]["domain"]["devices"] =
        devices;
    c
}

#[test]
fn a_persistent_vtpm_blocks_and_a_stateless_one_warns() {
    let none = BTreeMap::new();
    let persistent = content_with_devices(json!({"tpm": {"persistent": true}, "disks": []}));
    assert!(stored_vm_has_persistent_tpm(&persistent));
    let f = run(
        false,
        &ready_snapshot(),
        Some(&persistent),
        Some(&[]),
        &none,
    );
    let b = messages(&f, Severity::Blocker);
    assert_eq!(b.len(), 1, "{f:#?}");
    assert!(
        b[0].contains("persistent vTPM") && b[0].contains("OpenShift"),
        "{}",
        b[0]
    );
    assert!(
        f[0].hint
            .as_deref()
            .unwrap()
            .contains("restore the snapshot into VM database-01 itself")
    );

    let stateless = content_with_devices(json!({"tpm": {}, "disks": []}));
    assert!(!stored_vm_has_persistent_tpm(&stateless) && stored_vm_has_tpm(&stateless));
    let f = run(false, &ready_snapshot(), Some(&stateless), Some(&[]), &none);
    assert!(!blocked(&f), "{f:#?}");
    assert_eq!(messages(&f, Severity::Warning).len(), 1);

    // The Windows 11 fixture VM, as a content would store it.
    let mut win = load("content-pre-upgrade.yaml");
    win["spec"]["source"]["virtualMachine"] = load("vm-win11-tpm.yaml");
    assert!(stored_vm_has_persistent_tpm(&win));
}

#[test]
fn new_macs_must_name_interfaces_the_snapshot_has() {
    let content = content_with_devices(
        json!({"interfaces": [{"name": "default", "masquerade": {}}, {"name": "vlan", "bridge": {}}]}),
    );
    assert_eq!(stored_interfaces(&content), ["default", "vlan"]);
    let ok = BTreeMap::from([("vlan".to_owned(), "02:00:00:00:00:01".to_owned())]);
    assert!(run(false, &ready_snapshot(), Some(&content), Some(&[]), &ok).is_empty());
    let wrong = BTreeMap::from([("eth9".to_owned(), "02:00:00:00:00:01".to_owned())]);
    let f = run(false, &ready_snapshot(), Some(&content), Some(&[]), &wrong);
    assert_eq!(
        messages(&f, Severity::Blocker),
        [
            "--new-mac-addresses names interface eth9, which VM database-01 did not have when snapshot pre-upgrade-snapshot was taken"
        ]
    );
    assert_eq!(f[0].hint.as_deref(), Some("its interfaces: default, vlan"));
}

fn quota(name: &str, hard: Value, used: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": "production"},
           "spec": {"hard": hard}, "status": {"hard": hard, "used": used}})
}

#[test]
fn quotas_that_cannot_fit_the_new_pvcs_block() {
    // The content's three PVCs request 30Gi + 100Gi + 10Gi on ceph-rbd.
    let content = load("content-pre-upgrade.yaml");
    let none = BTreeMap::new();
    let preflight = |quotas: &[Value]| {
        run(
            false,
            &ready_snapshot(),
            Some(&content),
            Some(quotas),
            &none,
        )
    };
    let roomy = [quota(
        "roomy",
        json!({"requests.storage": "1Ti", "persistentvolumeclaims": "20", "requests.cpu": "4"}),
        json!({"requests.storage": "200Gi", "persistentvolumeclaims": "5"}),
    )];
    assert!(preflight(&roomy).is_empty());

    // Each tight quota limits one resource: (quota, resource, hard, used).
    let tight = [
        ("storage", "requests.storage", "200Gi", Some("100Gi")),
        ("claims", "persistentvolumeclaims", "10", Some("8")),
        (
            "ceph",
            "ceph-rbd.storageclass.storage.k8s.io/requests.storage",
            "100Gi",
            None,
        ),
        ("vms", "count/virtualmachines.kubevirt.io", "3", Some("3")),
        (
            "other-class",
            "nfs.storageclass.storage.k8s.io/requests.storage",
            "1Gi",
            None,
        ),
    ]
    .map(|(name, resource, hard, used)| {
        let used = used.map_or_else(|| json!({}), |u| json!({ resource: u }));
        quota(name, json!({ resource: hard }), used)
    });
    let f = preflight(&tight);
    assert_eq!(
        messages(&f, Severity::Blocker),
        [
            "ResourceQuota storage in namespace production allows 100Gi more requests.storage, and the new VM needs 140Gi",
            "ResourceQuota claims in namespace production allows 2 more persistentvolumeclaims, and the new VM needs 3",
            "ResourceQuota ceph in namespace production allows 100Gi more ceph-rbd.storageclass.storage.k8s.io/requests.storage, and the new VM needs 140Gi",
            "ResourceQuota vms in namespace production allows 0 more count/virtualmachines.kubevirt.io, and the new VM needs 1",
        ]
    );
    assert!(
        f[0].hint
            .as_deref()
            .unwrap()
            .contains("kubectl describe resourcequota storage -n production")
    );
}

#[test]
fn unreadable_content_or_quotas_skip_checks_with_a_warning() {
    let none = BTreeMap::new();
    let f = run(false, &ready_snapshot(), None, None, &none);
    assert!(!blocked(&f));
    assert_eq!(messages(&f, Severity::Warning).len(), 1, "{f:#?}");
    let content = load("content-pre-upgrade.yaml");
    let f = run(false, &ready_snapshot(), Some(&content), None, &none);
    assert_eq!(
        messages(&f, Severity::Warning),
        [
            "you may not read ResourceQuotas in namespace production (forbidden): the quota check was skipped"
        ]
    );
}

#[test]
fn new_mac_address_flags_parse_as_interface_mac_pairs() {
    let m = parse_new_mac_addresses([
        "default=02:00:00:aa:bb:cc,vlan=02-00-00-AA-BB-CD",
        "ext=02:00:00:00:00:01",
    ])
    .unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(m["vlan"], "02-00-00-AA-BB-CD");
    for bad in [
        "default",
        "=02:00:00:aa:bb:cc",
        "a=02:00:00:aa:bb",
        "a=02:00:00:aa:bb:zz",
        "a=02:00-00:aa:bb:cc",
        "a=02:00:00:aa:bb:cc,a=02:00:00:aa:bb:cd",
    ] {
        assert!(parse_new_mac_addresses([bad]).is_err(), "{bad}");
    }
    assert!(parse_new_mac_addresses(["", " "]).unwrap().is_empty());
}
