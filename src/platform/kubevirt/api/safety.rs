//! The safety snapshot KubeVirt takes for `restore` before it writes anything, and the link from the restore back to it.
//!
//! Names, labels and the undo text are provider-neutral (`crate::flow::safety`); this
//! module turns them into a VirtualMachineSnapshot and labels the VirtualMachineRestore.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::build::build_snapshot;
use crate::cluster::json::string_at;
use crate::flow::safety::{
    SAFETY_SNAPSHOT_LABEL, safety_annotations, safety_labels, safety_snapshot_name, undo_command,
};

/// A safety snapshot ready to create.
#[derive(Debug, Clone, PartialEq)]
pub struct SafetySnapshot {
    pub name: String,
    /// The VirtualMachineSnapshot (snapshot.kubevirt.io/v1beta1).
    pub object: Value,
    /// `kubectl vmsnap restore VM --snapshot SAFETY -n NS`.
    pub undo: String,
}

/// The VirtualMachineSnapshot to take of `vm` before restoring it from `restoring`.
pub fn build_safety_snapshot(
    namespace: &str,
    vm: &str,
    restoring: &str,
    now: Timestamp,
    failure_deadline: Option<&str>,
) -> SafetySnapshot {
    let name = safety_snapshot_name(vm, now);
    let mut object = build_snapshot(namespace, &name, vm, failure_deadline, &safety_labels());
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert(
            "annotations".into(),
            json!(safety_annotations(namespace, vm, &name, restoring)),
        );
    }
    SafetySnapshot {
        undo: undo_command(namespace, vm, &name),
        name,
        object,
    }
}

/// Labels a VirtualMachineRestore with the safety snapshot that undoes it.
pub fn label_restore_with_safety(restore: &mut Value, safety: &str) {
    let Some(meta) = restore.as_object_mut().map(|o| {
        o.entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()))
    }) else {
        return;
    };
    let Some(meta) = meta.as_object_mut() else {
        return;
    };
    let labels = meta
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(l) = labels.as_object_mut() {
        l.insert(SAFETY_SNAPSHOT_LABEL.into(), json!(safety));
    }
}

/// The safety snapshot a restore was labelled with, for describe and the undo hint.
pub fn restore_safety_snapshot(restore: &Value) -> Option<String> {
    string_at(
        restore,
        &format!(
            "/metadata/labels/{}",
            SAFETY_SNAPSHOT_LABEL.replace('~', "~0").replace('/', "~1")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::safety::{PURPOSE_LABEL, RESTORING_ANNOTATION, UNDO_ANNOTATION};
    use crate::platform::kubevirt::api::build_restore;

    fn now() -> Timestamp {
        "2026-11-26T09:05:07Z".parse().unwrap()
    }

    #[test]
    fn safety_snapshot_is_labelled_annotated_and_names_its_undo() {
        let s = build_safety_snapshot("prod", "db", "nightly", now(), Some("10m"));
        assert_eq!(s.name, "db-pre-restore-20261126-090507");
        assert_eq!(s.object["metadata"]["name"], s.name.as_str());
        assert_eq!(s.object["metadata"]["labels"][PURPOSE_LABEL], "pre-restore");
        assert_eq!(
            s.object["metadata"]["annotations"][RESTORING_ANNOTATION],
            "nightly"
        );
        assert_eq!(
            s.object["metadata"]["annotations"][UNDO_ANNOTATION],
            "kubectl vmsnap restore db --snapshot db-pre-restore-20261126-090507 -n prod"
        );
        assert_eq!(s.undo, s.object["metadata"]["annotations"][UNDO_ANNOTATION]);
        assert_eq!(s.object["spec"]["source"]["name"], "db");
        assert_eq!(s.object["spec"]["failureDeadline"], "10m");
    }

    #[test]
    fn a_restore_carries_and_returns_its_safety_snapshot() {
        let mut r = build_restore("prod", "restore-db-1", "db", "nightly", None);
        assert_eq!(restore_safety_snapshot(&r), None);
        label_restore_with_safety(&mut r, "db-pre-restore-20261126-090507");
        assert_eq!(
            restore_safety_snapshot(&r).as_deref(),
            Some("db-pre-restore-20261126-090507")
        );
        assert_eq!(r["metadata"]["name"], "restore-db-1", "metadata kept");
    }

    #[test]
    fn safety_snapshot_and_labelled_restore_validate_against_the_real_schemas() {
        let Some(dir) = crate::platform::fixtures::schema_dir("kubevirt") else {
            return;
        };
        let mut restore = build_restore("prod", "restore-db-1", "db", "nightly", None);
        label_restore_with_safety(&mut restore, "db-pre-restore-20261126-090507");
        for (file, mut obj) in [
            (
                "virtualmachinesnapshot",
                build_safety_snapshot("prod", "db", "nightly", now(), None).object,
            ),
            ("virtualmachinerestore", restore),
        ] {
            let crd =
                vmsnap_sim::schema::load_crd(&dir.join(format!("kubevirt/{file}.schema.yaml")))
                    .expect("schema loads");
            let outcome = vmsnap_sim::schema::validate_and_prune(&crd[0].schema, &mut obj);
            assert!(outcome.causes.is_empty(), "{file}: {:?}", outcome.causes);
            assert!(outcome.pruned.is_empty(), "{file}: {:?}", outcome.pruned);
        }
    }
}
