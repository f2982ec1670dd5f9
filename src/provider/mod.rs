//! Snapshot providers: a closed enum forwarding to each platform's implementation.
//!
//! One variant today. Commands reach KubeVirt through [`Provider::kubevirt`]; when a second
//! platform arrives, the operations commands share move behind forwarding methods here.

pub mod deckhouse;
pub mod detect;
pub mod kubevirt;
pub mod vmoperator;

pub use detect::{Detected, ProviderKind, choose};

/// The provider in use, built from what discovery found.
#[derive(Clone)]
pub enum Provider {
    /// KubeVirt / OpenShift Virtualization.
    KubeVirt(kubevirt::KubeVirt),
}

impl Provider {
    /// Binds the detected provider to `client` at the detected API versions.
    pub fn new(client: kube::Client, detected: &Detected) -> Provider {
        match detected.kind {
            ProviderKind::KubeVirt => {
                let snapshot = detected.snapshot_version.parse().unwrap_or_default();
                Provider::KubeVirt(kubevirt::KubeVirt::new(
                    client,
                    kubevirt::ServedVersions { snapshot },
                ))
            }
        }
    }

    /// Which platform.
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::KubeVirt(_) => ProviderKind::KubeVirt,
        }
    }

    /// The KubeVirt implementation.
    pub fn kubevirt(&self) -> &kubevirt::KubeVirt {
        match self {
            Provider::KubeVirt(k) => k,
        }
    }
}
