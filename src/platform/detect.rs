//! Which provider the cluster serves, from API discovery. `choose` is pure.

use crate::cli::ProviderArg;
use crate::cluster::ServedGroup;
use crate::error::UserError;

pub use crate::platform::capability::ProviderKind;
use crate::platform::capability::{Capability, DECKHOUSE, KUBEVIRT};

/// KubeVirt's snapshot API group.
pub const KUBEVIRT_SNAPSHOT_GROUP: &str = KUBEVIRT.snapshot.group;
/// KubeVirt's core API group.
pub const KUBEVIRT_GROUP: &str = KUBEVIRT.vm.group;

impl ProviderKind {
    fn of(arg: ProviderArg) -> Option<ProviderKind> {
        match arg {
            ProviderArg::Auto => None,
            ProviderArg::KubeVirt => Some(ProviderKind::KubeVirt),
            ProviderArg::VmOperator => Some(ProviderKind::VmOperator),
            ProviderArg::Deckhouse => Some(ProviderKind::Deckhouse),
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

/// What discovery allows: one provider, or several to choose from by the objects in the
/// namespace (a cluster may run two platforms side by side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Exactly one usable provider (or the one `--provider` named).
    One(Detected),
    /// Several usable providers, in the order kubevirt, vmoperator, deckhouse.
    Several(Vec<Detected>),
}

/// What discovery found of each platform: usable, or present but unusable and why.
struct Found {
    usable: Vec<Detected>,
    unusable: Vec<(ProviderKind, UserError)>,
}

fn found(served: &[ServedGroup]) -> Found {
    let mut usable = Vec::new();
    let mut unusable = Vec::new();
    match kubevirt(served) {
        Ok(d) => usable.push(d),
        Err(Some(e)) => unusable.push((ProviderKind::KubeVirt, e)),
        Err(None) => {}
    }
    match crate::platform::vmoperator::api::detect(served) {
        Some(Ok(v)) => usable.push(Detected {
            kind: ProviderKind::VmOperator,
            snapshot_version: v.as_str().to_string(),
            vm_version: v.as_str().to_string(),
        }),
        Some(Err(why)) => unusable.push((
            ProviderKind::VmOperator,
            UserError::not_found(why.explain()),
        )),
        None => {}
    }
    let deckhouse = served.iter().find(|g| g.name == DECKHOUSE.snapshot.group);
    match deckhouse.and_then(|g| first_served(g, DECKHOUSE.snapshot.versions)) {
        Some(v) => usable.push(Detected {
            kind: ProviderKind::Deckhouse,
            snapshot_version: v.to_string(),
            vm_version: v.to_string(),
        }),
        None => {
            if let Some(g) = deckhouse {
                unusable.push((
                    ProviderKind::Deckhouse,
                    UserError::not_found(format!(
                        "{} is served only as {}: snapshots need {}",
                        g.name,
                        g.versions.join(", "),
                        DECKHOUSE.snapshot.versions.join(" or ")
                    )),
                ));
            }
        }
    }
    Found { usable, unusable }
}

/// Picks the provider from the served groups. `--provider` names one; auto takes the only
/// usable one, or leaves the choice among several to the caller (which looks at the VM).
pub fn choose(served: &[ServedGroup], requested: ProviderArg) -> Result<Choice, UserError> {
    let Found {
        mut usable,
        unusable,
    } = found(served);
    if let Some(kind) = ProviderKind::of(requested) {
        if let Some(i) = usable.iter().position(|d| d.kind == kind) {
            return Ok(Choice::One(usable.swap_remove(i)));
        }
        if let Some((_, e)) = unusable.into_iter().find(|(k, _)| *k == kind) {
            return Err(e);
        }
        return Err(not_served(kind));
    }
    match usable.len() {
        1 => Ok(Choice::One(usable.remove(0))),
        0 => Err(match unusable.into_iter().next() {
            Some((_, e)) => e,
            None => {
                let all: Vec<String> = ProviderKind::ALL
                    .iter()
                    .map(|k| looked_for(k.capability()))
                    .collect();
                UserError::not_found(format!(
                    "no supported VM snapshot API found on this cluster (looked for {})",
                    all.join(", ")
                ))
                .hint(
                    "is KubeVirt (or OpenShift Virtualization), VM Operator or Deckhouse \
                     Virtualization installed? Check with: kubectl api-resources | grep -i snapshot",
                )
            }
        }),
        _ => Ok(Choice::Several(usable)),
    }
}

/// `--provider KIND` on a cluster that does not serve it.
fn not_served(kind: ProviderKind) -> UserError {
    let cap = kind.capability();
    let what = match kind {
        ProviderKind::KubeVirt => "the KubeVirt snapshot API",
        ProviderKind::VmOperator => "the VM Operator snapshot API",
        ProviderKind::Deckhouse => "the Deckhouse Virtualization API",
    };
    UserError::not_found(format!(
        "{what} is not served by this cluster (looked for {})",
        looked_for(cap)
    ))
    .hint(format!(
        "check what the cluster serves with: kubectl api-resources --api-group={}",
        cap.snapshot.group
    ))
}

/// `snapshot.kubevirt.io/v1beta1 or v1alpha1 with kubevirt.io/v1`: what detection needs of
/// a platform, from the capability table.
fn looked_for(cap: &Capability) -> String {
    let snapshot = format!(
        "{}/{}",
        cap.snapshot.group,
        cap.snapshot.versions.join(" or ")
    );
    if cap.vm.group == cap.snapshot.group {
        snapshot
    } else {
        format!(
            "{snapshot} with {}/{}",
            cap.vm.group,
            cap.vm.versions.join(" or ")
        )
    }
}

/// The first of `versions` (preferred first) that `group` serves.
fn first_served(group: &ServedGroup, versions: &[&'static str]) -> Option<&'static str> {
    versions.iter().copied().find(|v| group.serves(v))
}

/// Several providers served and nothing in the namespace tells them apart.
pub fn ambiguous(candidates: &[Detected], why: &str) -> UserError {
    let names: Vec<&str> = candidates.iter().map(|d| d.kind.as_str()).collect();
    UserError::usage(format!(
        "this cluster serves several VM platforms ({}) and {why}",
        names.join(", ")
    ))
    .hint(format!(
        "name the platform with --provider {}",
        names.join("|")
    ))
}

/// KubeVirt: usable, absent (None), or present but unusable (with the reason).
fn kubevirt(served: &[ServedGroup]) -> Result<Detected, Option<UserError>> {
    let find = |name: &str| served.iter().find(|g| g.name == name);
    let snap = find(KUBEVIRT.snapshot.group);
    let core = find(KUBEVIRT.vm.group);
    let snapshot_version =
        snap.and_then(|g| first_served(g, KUBEVIRT.snapshot.versions).map(str::to_string));
    let vm_version = core.and_then(|g| {
        first_served(g, KUBEVIRT.vm.versions)
            .map(str::to_string)
            .or_else(|| g.preferred.clone())
    });
    match (snapshot_version, vm_version) {
        (Some(snapshot_version), Some(vm_version)) => Ok(Detected {
            kind: ProviderKind::KubeVirt,
            snapshot_version,
            vm_version,
        }),
        (None, Some(_)) => {
            let err = not_served(ProviderKind::KubeVirt);
            let err = UserError::not_found(err.message);
            Err(Some(match snap {
                Some(g) => err.hint(format!(
                    "snapshot.kubevirt.io is served only as {}, which this plugin does not \
                     speak",
                    g.versions.join(", ")
                )),
                None => err.hint(
                    "KubeVirt is installed but its snapshot API is not served; check that \
                     the Snapshot feature gate is enabled in the KubeVirt CR",
                ),
            }))
        }
        _ => Err(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(name: &str, versions: &[&str]) -> ServedGroup {
        ServedGroup::new(name, versions)
    }

    fn one(served: &[ServedGroup], arg: ProviderArg) -> Detected {
        match choose(served, arg).unwrap() {
            Choice::One(d) => d,
            other => panic!("expected one provider, got {other:?}"),
        }
    }

    /// Why a cluster serving only `group` at `versions` has no usable platform.
    fn refusal(group: &str, versions: &[&str]) -> UserError {
        choose(&[g(group, versions)], ProviderArg::Auto).unwrap_err()
    }

    fn kubevirt_groups() -> Vec<ServedGroup> {
        vec![
            g("kubevirt.io", &["v1"]),
            g("snapshot.kubevirt.io", &["v1beta1", "v1alpha1"]),
        ]
    }

    #[test]
    fn kubevirt_prefers_v1beta1() {
        let d = one(&kubevirt_groups(), ProviderArg::Auto);
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
            one(&served, ProviderArg::KubeVirt).snapshot_version,
            "v1alpha1"
        );
    }

    #[test]
    fn nothing_served_names_what_was_looked_for() {
        let e = refusal("apps", &["v1"]);
        assert_eq!(e.exit_code(), 5);
        assert!(
            e.message
                .starts_with("no supported VM snapshot API found on this cluster"),
            "{}",
            e.message
        );
        for group in [
            "snapshot.kubevirt.io",
            "vmoperator.vmware.com",
            "virtualization.deckhouse.io",
        ] {
            assert!(e.message.contains(group), "{}", e.message);
        }
        assert!(e.hints[0].contains("kubectl api-resources"));
    }

    #[test]
    fn kubevirt_without_snapshot_group_points_at_the_feature_gate() {
        let e = refusal("kubevirt.io", &["v1"]);
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

    #[test]
    fn vmoperator_is_detected_at_its_preferred_snapshot_version() {
        let mut vmop = g("vmoperator.vmware.com", &["v1alpha6", "v1alpha5"]);
        vmop.preferred = Some("v1alpha5".into());
        let d = one(&[vmop], ProviderArg::Auto);
        assert_eq!(d.kind, ProviderKind::VmOperator);
        assert_eq!(d.snapshot_version, "v1alpha5");
    }

    #[test]
    fn vmoperator_v1alpha4_only_is_refused_with_the_reason() {
        let e = refusal("vmoperator.vmware.com", &["v1alpha4"]);
        assert!(e.message.contains("v1alpha4"), "{}", e.message);
        assert!(e.message.contains("v1alpha5 or newer"), "{}", e.message);
    }

    #[test]
    fn deckhouse_is_detected() {
        let d = one(
            &[g("virtualization.deckhouse.io", &["v1alpha2", "v1alpha3"])],
            ProviderArg::Auto,
        );
        assert_eq!(d.kind, ProviderKind::Deckhouse);
        assert_eq!(d.snapshot_version, "v1alpha2");
    }

    #[test]
    fn deckhouse_without_v1alpha2_is_unusable_and_says_which_versions_it_serves() {
        let e = refusal("virtualization.deckhouse.io", &["v1alpha3"]);
        assert_eq!(
            e.message,
            "virtualization.deckhouse.io is served only as v1alpha3: snapshots need v1alpha2"
        );
    }

    #[test]
    fn several_platforms_are_left_to_the_objects_in_the_namespace() {
        let mut served = kubevirt_groups();
        served.push(g("vmoperator.vmware.com", &["v1alpha5"]));
        match choose(&served, ProviderArg::Auto).unwrap() {
            Choice::Several(c) => {
                let kinds: Vec<_> = c.iter().map(|d| d.kind).collect();
                assert_eq!(kinds, [ProviderKind::KubeVirt, ProviderKind::VmOperator]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            one(&served, ProviderArg::VmOperator).kind,
            ProviderKind::VmOperator
        );
    }

    #[test]
    fn a_requested_provider_that_is_not_served_says_how_to_check() {
        let e = choose(&kubevirt_groups(), ProviderArg::Deckhouse).unwrap_err();
        assert_eq!(e.exit_code(), 5);
        assert!(e.message.contains("Deckhouse"), "{}", e.message);
        assert!(e.hints[0].contains("--api-group=virtualization.deckhouse.io"));
    }
}
