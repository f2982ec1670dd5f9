//! Snapshot providers: a closed enum over the three platforms.
//!
//! Their flows differ in kind, not only in field names (KubeVirt restores through a restore
//! object, VM Operator reverts a field of the VM, Deckhouse runs operations with a dry run), so
//! each platform has its own command flows (`kubevirt::commands`, `vmoperator::commands`,
//! `deckhouse::commands`) built on shared confirmation, waiting and output. Which platform
//! offers which command and flag, and where its APIs live, is stated once, in [`capability`].

pub mod all;
pub mod capability;
pub mod deckhouse;
pub mod detect;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod kubevirt;
pub mod pick;
pub mod version;
pub mod vmoperator;

pub use capability::{Capability, ProviderKind, Verb};
pub use detect::{Choice, Detected, ambiguous, choose};

/// The provider in use, built from what discovery found.
#[derive(Clone)]
pub enum Provider {
    /// KubeVirt / OpenShift Virtualization.
    KubeVirt(kubevirt::api::KubeVirt),
    /// VMware VM Operator (vSphere Supervisor).
    VmOperator(vmoperator::api::VmOperator),
    /// Deckhouse Virtualization.
    Deckhouse(deckhouse::api::Deckhouse),
}

impl Provider {
    /// Binds the detected provider to `client` at the detected API versions.
    pub fn new(client: kube::Client, detected: &Detected) -> Provider {
        match detected.kind {
            ProviderKind::KubeVirt => {
                let snapshot = detected.snapshot_version.parse().unwrap_or_default();
                Provider::KubeVirt(kubevirt::api::KubeVirt::new(
                    client,
                    kubevirt::api::ServedVersions { snapshot },
                ))
            }
            ProviderKind::VmOperator => {
                let version = detected.snapshot_version.parse().unwrap_or_default();
                Provider::VmOperator(vmoperator::api::VmOperator::new(client, version))
            }
            ProviderKind::Deckhouse => {
                Provider::Deckhouse(deckhouse::api::Deckhouse::new(client, ()))
            }
        }
    }

    /// Which platform.
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::KubeVirt(_) => ProviderKind::KubeVirt,
            Provider::VmOperator(_) => ProviderKind::VmOperator,
            Provider::Deckhouse(_) => ProviderKind::Deckhouse,
        }
    }

    /// The KubeVirt implementation, when that is the platform.
    pub fn kubevirt(&self) -> Option<&kubevirt::api::KubeVirt> {
        match self {
            Provider::KubeVirt(k) => Some(k),
            _ => None,
        }
    }

    /// Whether the VM `name` exists in `ns` on this platform (None: could not tell).
    pub async fn has_vm(&self, ns: &str, name: &str) -> Option<bool> {
        let got = match self {
            Provider::KubeVirt(k) => k.get_vm(ns, name).await,
            Provider::VmOperator(v) => v.get_vm(ns, name).await,
            Provider::Deckhouse(d) => d.get(deckhouse::api::Kind::VirtualMachine, ns, name).await,
        };
        got.ok().map(|vm| vm.is_some())
    }

    /// Whether the snapshot `name` exists in `ns` on this platform (None: could not tell).
    pub async fn has_snapshot(&self, ns: &str, name: &str) -> Option<bool> {
        let got = match self {
            Provider::KubeVirt(k) => k.get_snapshot(ns, name).await,
            Provider::VmOperator(v) => v.get_snapshot(ns, name).await,
            Provider::Deckhouse(d) => {
                d.get(deckhouse::api::Kind::VirtualMachineSnapshot, ns, name)
                    .await
            }
        };
        got.ok().map(|s| s.is_some())
    }

    /// Whether `ns` (None: any namespace) holds a VM of this platform (None: could not tell).
    pub async fn has_any_vm(&self, ns: Option<&str>) -> Option<bool> {
        use kube::api::ListParams;
        let api = match self {
            Provider::KubeVirt(k) => k.api(kubevirt::api::Kind::VirtualMachine, ns),
            Provider::VmOperator(v) => v.api(vmoperator::api::Kind::VirtualMachine, ns),
            Provider::Deckhouse(d) => d.api(deckhouse::api::Kind::VirtualMachine, ns),
        };
        api.list_metadata(&ListParams::default().limit(1))
            .await
            .ok()
            .map(|l| !l.items.is_empty())
    }
}
