//! Which VolumeSnapshotClass KubeVirt would use for a StorageClass (`getVolumeSnapshotClassName`).

use serde_json::Value;

use crate::cluster::json::{find_named, name, str_at};
use crate::platform::kubevirt::api::is_default_snapshot_class;

/// The outcome of KubeVirt's choice for one StorageClass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassChoice {
    /// This class; `from_profile` when the CDI StorageProfile named it.
    Chosen { class: String, from_profile: bool },
    /// The StorageClass does not exist: KubeVirt treats it as "no class".
    NoStorageClass,
    /// No VolumeSnapshotClass has `driver` == the provisioner.
    NoMatch,
    /// Several match and none carries the default annotation.
    Ambiguous(usize),
    /// The StorageProfile names a class that does not exist; KubeVirt does not fall back.
    ProfileClassMissing(String),
    /// The lists needed were not readable (forbidden).
    Unknown,
}

/// Reproduces KubeVirt's rule: the StorageProfile's `status.snapshotClass` if set (and only if
/// that class exists), else the classes whose driver is the provisioner: one → it, several →
/// the one annotated `snapshot.storage.kubernetes.io/is-default-class` (presence), else none.
///
/// `None` lists mean "not readable": the choice is then Unknown where it depends on them
/// (unreadable StorageProfiles are treated as naming no class).
pub fn choose(
    storage_class: &str,
    storage_classes: Option<&[Value]>,
    snapshot_classes: Option<&[Value]>,
    profiles: Option<&[Value]>,
) -> ClassChoice {
    let Some(scs) = storage_classes else {
        return ClassChoice::Unknown;
    };
    let Some(sc) = find_named(scs, storage_class) else {
        return ClassChoice::NoStorageClass;
    };
    let Some(vscs) = snapshot_classes else {
        return ClassChoice::Unknown;
    };
    let profile_class = profiles
        .and_then(|p| find_named(p, storage_class))
        .and_then(|p| str_at(p, "/status/snapshotClass"));
    if let Some(pc) = profile_class {
        return match find_named(vscs, pc) {
            Some(_) => ClassChoice::Chosen {
                class: pc.to_owned(),
                from_profile: true,
            },
            None => ClassChoice::ProfileClassMissing(pc.to_owned()),
        };
    }
    let provisioner = str_at(sc, "/provisioner").unwrap_or("");
    let matches: Vec<&Value> = vscs
        .iter()
        .filter(|c| str_at(c, "/driver") == Some(provisioner))
        .collect();
    match matches.as_slice() {
        [] => ClassChoice::NoMatch,
        [one] => ClassChoice::Chosen {
            class: name(one).to_owned(),
            from_profile: false,
        },
        several => match several.iter().find(|c| is_default_snapshot_class(c)) {
            Some(d) => ClassChoice::Chosen {
                class: name(d).to_owned(),
                from_profile: false,
            },
            None => ClassChoice::Ambiguous(several.len()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::kubevirt::api::fixtures::items;
    use serde_json::json;

    fn pick(sc: &str) -> ClassChoice {
        let scs = items("storageclasses.yaml");
        let vscs = items("volumesnapshotclasses.yaml");
        let sps = items("storageprofiles.yaml");
        choose(sc, Some(&scs), Some(&vscs), Some(&sps))
    }

    fn chosen(class: &str, from_profile: bool) -> ClassChoice {
        ClassChoice::Chosen {
            class: class.to_owned(),
            from_profile,
        }
    }

    #[test]
    fn single_class_for_the_driver_is_chosen() {
        assert_eq!(pick("lvm-thin"), chosen("topolvm-snapclass", false));
    }

    #[test]
    fn default_annotated_class_wins_among_several() {
        assert_eq!(pick("ceph-rbd"), chosen("ceph-rbd-snapclass", false));
    }

    #[test]
    fn several_classes_without_default_are_ambiguous() {
        assert_eq!(pick("px-replicated"), ClassChoice::Ambiguous(2));
    }

    #[test]
    fn storage_profile_class_wins_over_the_default_annotation() {
        // hostpath-csi-retain is default-annotated, the profile names hostpath-csi-snapclass.
        assert_eq!(pick("hostpath-csi"), chosen("hostpath-csi-snapclass", true));
    }

    #[test]
    fn storage_profile_naming_a_missing_class_does_not_fall_back() {
        let scs = items("storageclasses.yaml");
        let vscs = items("volumesnapshotclasses.yaml");
        let mut sps = items("storageprofiles.yaml");
        sps[0]["status"]["snapshotClass"] = json!("gone-class"); // ceph-rbd
        assert_eq!(
            choose("ceph-rbd", Some(&scs), Some(&vscs), Some(&sps)),
            ClassChoice::ProfileClassMissing("gone-class".into())
        );
    }

    #[test]
    fn driver_without_classes_and_missing_storage_class() {
        assert_eq!(pick("nfs-csi"), ClassChoice::NoMatch);
        assert_eq!(pick("no-such-class"), ClassChoice::NoStorageClass);
    }

    #[test]
    fn unreadable_lists_make_the_choice_unknown() {
        let scs = items("storageclasses.yaml");
        let vscs = items("volumesnapshotclasses.yaml");
        assert_eq!(
            choose("ceph-rbd", None, Some(&vscs), None),
            ClassChoice::Unknown
        );
        assert_eq!(
            choose("ceph-rbd", Some(&scs), None, None),
            ClassChoice::Unknown
        );
        // Unreadable profiles: decide by driver match alone.
        assert_eq!(
            choose("ceph-rbd", Some(&scs), Some(&vscs), None),
            chosen("ceph-rbd-snapclass", false)
        );
    }
}
