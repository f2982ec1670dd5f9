//! Which provider the cluster serves, from API discovery. `choose` is pure.

use crate::cli::ProviderArg;
use crate::cluster::ServedGroup;
use crate::error::UserError;

/// KubeVirt's snapshot API group.
pub const KUBEVIRT_SNAPSHOT_GROUP: &str = "snapshot.kubevirt.io";
/// KubeVirt's core API group.
pub const KUBEVIRT_GROUP: &str = "kubevirt.io";
/// Snapshot API versions we speak, preferred first.
pub const KUBEVIRT_SNAPSHOT_VERSIONS: [&str; 2] = ["v1beta1", "v1alpha1"];

/// A supported platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// KubeVirt / OpenShift Virtualization.
    KubeVirt,
}

impl ProviderKind {
    /// The `--provider` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::KubeVirt => "kubevirt",
        }
    }
}

/// The chosen provider and the API versions to use with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// Which platform.
    pub kind: ProviderKind,
    /// Version of the snapshot group to use (v1beta1 preferred).
    pub snapshot_version: String,
    /// Version of the VM group to use.
    pub vm_version: String,
}

/// Picks the provider from the served groups. `requested` narrows the choice; with one
/// provider today, auto and kubevirt differ only in the error's wording.
pub fn choose(served: &[ServedGroup], requested: ProviderArg) -> Result<Detected, UserError> {
    let find = |name: &str| served.iter().find(|g| g.name == name);
    let snap = find(KUBEVIRT_SNAPSHOT_GROUP);
    let core = find(KUBEVIRT_GROUP);
    let snapshot_version = snap.and_then(|g| {
        KUBEVIRT_SNAPSHOT_VERSIONS
            .iter()
            .find(|v| g.serves(v))
            .map(|v| v.to_string())
    });
    let vm_version = core.and_then(|g| {
        if g.serves("v1") {
            Some("v1".to_string())
        } else {
            g.preferred.clone()
        }
    });
    match (snapshot_version, vm_version) {
        (Some(snapshot_version), Some(vm_version)) => Ok(Detected {
            kind: ProviderKind::KubeVirt,
            snapshot_version,
            vm_version,
        }),
        (snap_v, vm_v) => {
            let looked = "looked for snapshot.kubevirt.io/v1beta1 or v1alpha1 with kubevirt.io/v1";
            let mut err = match requested {
                ProviderArg::KubeVirt => UserError::not_found(format!(
                    "the KubeVirt snapshot API is not served by this cluster ({looked})"
                )),
                ProviderArg::Auto => UserError::not_found(format!(
                    "no supported VM snapshot API found on this cluster ({looked})"
                )),
            };
            err = if vm_v.is_some() && snap_v.is_none() {
                match snap {
                    Some(g) => err.hint(format!(
                        "snapshot.kubevirt.io is served only as {}, which this plugin does not \
                         speak",
                        g.versions.join(", ")
                    )),
                    None => err.hint(
                        "KubeVirt is installed but its snapshot API is not served; check that \
                         the Snapshot feature gate is enabled in the KubeVirt CR",
                    ),
                }
            } else {
                err.hint(
                    "is KubeVirt (or OpenShift Virtualization) installed? Check with: kubectl \
                     api-resources --api-group=snapshot.kubevirt.io",
                )
            };
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(name: &str, versions: &[&str]) -> ServedGroup {
        ServedGroup::new(name, versions)
    }

    #[test]
    fn kubevirt_prefers_v1beta1() {
        let served = [
            g("kubevirt.io", &["v1"]),
            g("snapshot.kubevirt.io", &["v1beta1", "v1alpha1"]),
        ];
        let d = choose(&served, ProviderArg::Auto).unwrap();
        assert_eq!(d.kind, ProviderKind::KubeVirt);
        assert_eq!(d.snapshot_version, "v1beta1");
        assert_eq!(d.vm_version, "v1");
    }

    #[test]
    fn kubevirt_accepts_v1alpha1_alone() {
        let served = [
            g("snapshot.kubevirt.io", &["v1alpha1"]),
            g("kubevirt.io", &["v1"]),
        ];
        assert_eq!(
            choose(&served, ProviderArg::KubeVirt)
                .unwrap()
                .snapshot_version,
            "v1alpha1"
        );
    }

    #[test]
    fn nothing_served_names_what_was_looked_for() {
        let served = [g("apps", &["v1"])];
        let e = choose(&served, ProviderArg::Auto).unwrap_err();
        assert_eq!(e.exit_code(), 5);
        assert_eq!(
            e.message,
            "no supported VM snapshot API found on this cluster (looked for \
             snapshot.kubevirt.io/v1beta1 or v1alpha1 with kubevirt.io/v1)"
        );
        assert!(e.hints[0].contains("kubectl api-resources"));
    }

    #[test]
    fn kubevirt_without_snapshot_group_points_at_the_feature_gate() {
        let e = choose(&[g("kubevirt.io", &["v1"])], ProviderArg::Auto).unwrap_err();
        assert!(
            e.hints[0].contains("Snapshot feature gate"),
            "{:?}",
            e.hints
        );
    }

    #[test]
    fn snapshot_group_without_kubevirt_is_not_enough() {
        assert!(
            choose(
                &[g("snapshot.kubevirt.io", &["v1beta1"])],
                ProviderArg::Auto
            )
            .is_err()
        );
    }

    #[test]
    fn unknown_snapshot_versions_are_named() {
        let served = [
            g("kubevirt.io", &["v1"]),
            g("snapshot.kubevirt.io", &["v2"]),
        ];
        let e = choose(&served, ProviderArg::KubeVirt).unwrap_err();
        assert!(
            e.message
                .starts_with("the KubeVirt snapshot API is not served")
        );
        assert!(e.hints[0].contains("only as v2"));
    }
}
