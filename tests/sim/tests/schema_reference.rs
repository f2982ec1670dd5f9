//! Schema validation against the real KubeVirt, CSI and CDI schemas in `../shared/reference`.
//! Skipped when the schemas are absent, except under CI=true where that is a failure.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Value, json};
use vmsnap_sim::schema::{self, CrdVersion};

fn reference_dir() -> Option<PathBuf> {
    vmsnap_sim::testing::reference_schemas("kubevirt")
}

fn find<'a>(all: &'a [CrdVersion], group: &str, plural: &str) -> &'a CrdVersion {
    all.iter()
        .find(|v| v.group == group && v.plural == plural && v.storage)
        .unwrap_or_else(|| panic!("{plural}.{group} not loaded"))
}

fn load() -> Option<Vec<CrdVersion>> {
    let dir = reference_dir()?;
    let (all, errors) = schema::load_dir(&dir).expect("reference dir readable");
    assert!(errors.is_empty(), "{errors:?}");
    Some(all)
}

fn messages(schema: &Value, obj: &Value) -> Vec<String> {
    schema::validate(schema, obj)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn every_reference_schema_loads_with_names_and_columns() {
    let Some(dir) = reference_dir() else { return };
    let started = Instant::now();
    let (all, errors) = schema::load_dir(&dir).expect("reference dir readable");
    let elapsed = started.elapsed();
    eprintln!("loaded {} CRD versions in {elapsed:?}", all.len());
    assert!(errors.is_empty(), "{errors:?}");
    let snap = find(&all, "snapshot.kubevirt.io", "virtualmachinesnapshots");
    assert_eq!(snap.kind, "VirtualMachineSnapshot");
    assert_eq!(snap.version, "v1beta1");
    assert!(snap.short_names.contains(&"vmsnapshot".to_string()));
    assert_eq!(snap.printer_columns[2].json_path, ".status.phase");
    assert!(
        all.iter().any(|v| v.plural == "virtualmachinesnapshots"
            && v.version == "v1alpha1"
            && !v.storage)
    );
    let vs = find(&all, "snapshot.storage.k8s.io", "volumesnapshots");
    assert_eq!(vs.short_names, ["vs"]);
    assert!(vs.status_subresource);
    assert!(!find(&all, "cdi.kubevirt.io", "storageprofiles").namespaced);
    find(&all, "cdi.kubevirt.io", "datavolumes");
    find(&all, "kubevirt.io", "virtualmachines");
    find(&all, "kubevirt.io", "virtualmachineinstances");
    find(&all, "clone.kubevirt.io", "virtualmachineclones");
    find(
        &all,
        "snapshot.kubevirt.io",
        "virtualmachinesnapshotcontents",
    );
    find(&all, "snapshot.kubevirt.io", "virtualmachinerestores");
    find(&all, "snapshot.storage.k8s.io", "volumesnapshotclasses");
    find(&all, "snapshot.storage.k8s.io", "volumesnapshotcontents");
}

#[test]
fn snapshot_errors_match_kube_apiserver_wording() {
    let Some(all) = load() else { return };
    let s = &find(&all, "snapshot.kubevirt.io", "virtualmachinesnapshots").schema;
    let ok = json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
        "metadata": {"name": "s1", "namespace": "production"},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "database-01"},
                 "failureDeadline": "5m0s", "deletionPolicy": "Delete"}});
    assert_eq!(messages(s, &ok), Vec::<String>::new());
    let missing = json!({"metadata": {"name": "s1"}, "spec": {}});
    assert_eq!(messages(s, &missing), ["spec.source: Required value"]);
    let wrong = json!({"metadata": {"name": "s1"}, "spec": {"source": {"kind": "VirtualMachine", "name": "a"}, "failureDeadline": 300}});
    assert_eq!(
        messages(s, &wrong),
        [
            r#"spec.failureDeadline: Invalid value: "integer": spec.failureDeadline in body must be of type string: "integer""#
        ]
    );
}

#[test]
fn realistic_virtual_machine_validates_and_prunes_unknown_fields() {
    let Some(all) = load() else { return };
    let s = &find(&all, "kubevirt.io", "virtualmachines").schema;
    let mut vm = json!({
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
        "metadata": {"name": "database-01", "namespace": "production", "labels": {"app": "db"}},
        "spec": {
            "runStrategy": "Always",
            "dataVolumeTemplates": [{"metadata": {"name": "database-01-rootdisk"},
                "spec": {"storage": {"resources": {"requests": {"storage": "30Gi"}}, "storageClassName": "ocs-storagecluster-ceph-rbd"},
                         "sourceRef": {"kind": "DataSource", "name": "rhel9", "namespace": "openshift-virtualization-os-images"}}}],
            "template": {
                "metadata": {"labels": {"kubevirt.io/domain": "database-01"}},
                "spec": {
                    "domain": {"cpu": {"cores": 2}, "memory": {"guest": "8Gi"},
                        "devices": {"disks": [{"name": "rootdisk", "disk": {"bus": "virtio"}}, {"name": "data", "disk": {"bus": "virtio"}}],
                                    "interfaces": [{"name": "default", "masquerade": {}}]},
                        "resources": {"requests": {"memory": "8Gi", "cpu": 2}}},
                    "networks": [{"name": "default", "pod": {}}],
                    "volumes": [{"name": "rootdisk", "dataVolume": {"name": "database-01-rootdisk"}},
                                {"name": "data", "persistentVolumeClaim": {"claimName": "database-01-data"}}],
                    "madeUp": 1
                }
            }
        },
        "status": {"printableStatus": "Running", "ready": true,
            "volumeSnapshotStatuses": [{"name": "rootdisk", "enabled": true}]}
    });
    let out = schema::validate_and_prune(s, &mut vm);
    assert!(out.causes.is_empty(), "{:?}", out.causes);
    assert_eq!(out.pruned, ["spec.template.spec.madeUp"]);
    assert_eq!(
        vm["spec"]["template"]["metadata"]["labels"]["kubevirt.io/domain"],
        "database-01"
    );

    let mut bad = vm.clone();
    bad["spec"]["template"]["spec"]["domain"]["resources"]["requests"]["memory"] = json!("8 GB");
    bad["spec"]["template"]["spec"]["volumes"][1]["name"] = json!("rootdisk");
    let got = messages(s, &bad);
    assert!(
        got.iter().any(|m| m.starts_with(r#"spec.template.spec.domain.resources.requests.memory: Invalid value: "8 GB": spec.template.spec.domain.resources.requests.memory in body should match"#)),
        "{got:?}"
    );
}

#[test]
fn volume_snapshot_cel_rule_rejects_empty_class_name() {
    let Some(all) = load() else { return };
    let s = &find(&all, "snapshot.storage.k8s.io", "volumesnapshots").schema;
    let vs = |class: &str| {
        json!({"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot", "metadata": {"name": "v"},
               "spec": {"source": {"persistentVolumeClaimName": "pvc"}, "volumeSnapshotClassName": class}})
    };
    assert!(messages(s, &vs("ocs-storagecluster-rbdplugin-snapclass")).is_empty());
    assert_eq!(
        messages(s, &vs("")),
        [
            r#"spec.volumeSnapshotClassName: Invalid value: "string": volumeSnapshotClassName must not be the empty string when set"#
        ]
    );
}

#[test]
fn loading_the_largest_schema_is_fast() {
    let Some(dir) = reference_dir() else { return };
    let path = dir.join("kubevirt/virtualmachinesnapshotcontent.schema.yaml");
    let started = Instant::now();
    let v = schema::load_crd(&path).expect("loads");
    let elapsed = started.elapsed();
    eprintln!("{} loaded in {elapsed:?}", path.display());
    assert_eq!(v.len(), 1);
    // Generous: debug builds on a loaded shared machine; the measured time is printed above.
    assert!(elapsed.as_secs() < 5, "{elapsed:?}");
}

#[test]
fn a_reference_directory_is_parsed_once_per_process() {
    let Some(dir) = reference_dir() else { return };
    let (first, _) = schema::load_dir(&dir).expect("loads");
    let started = Instant::now();
    let (second, _) = schema::load_dir(&dir).expect("loads");
    eprintln!("second load in {:?}", started.elapsed());
    let a = find(&first, "kubevirt.io", "virtualmachines");
    let b = find(&second, "kubevirt.io", "virtualmachines");
    assert!(
        std::sync::Arc::ptr_eq(&a.schema, &b.schema),
        "the parsed schema is shared"
    );
}
