//! KubeVirt's side of the command context: the provider at the detected versions, and the
//! first reads of `create` and `restore` made while discovery runs.

use serde_json::Value;

use crate::cli::Command;
use crate::flow::{Ctx, Prefetch};
use crate::platform::kubevirt::api::{KubeVirt, ServedVersions};

/// Starts the reads `command` will need first, as KubeVirt objects at the preferred versions
/// (the VM is kubevirt.io/v1): they need no discovery answer, so they run alongside it. On
/// another platform they answer 404 and are dropped unread; a wrong version guess only
/// costs a read the command repeats.
pub async fn prefetch(
    command: &Command,
    client: &kube::Client,
    ns: &str,
    started: jiff::Timestamp,
) -> Prefetch {
    let (vm, snapshot) = match command {
        Command::Create(a) => match (&a.vm, crate::flow::safety::snapshot_name(a, started)) {
            (Some(vm), Ok(name)) => (vm.clone(), name),
            _ => return Prefetch::default(),
        },
        Command::Restore(a) => (a.vm.clone(), a.snapshot.clone()),
        _ => return Prefetch::default(),
    };
    let versions = ServedVersions::default();
    let kv = KubeVirt::new(client.clone(), versions);
    let (v, s) = futures::join!(kv.get_vm(ns, &vm), kv.get_snapshot(ns, &snapshot));
    Prefetch {
        vm: Some((ns.to_owned(), vm, v)),
        snapshot: Some((ns.to_owned(), snapshot, s)),
        snapshot_version: versions.snapshot.as_str(),
    }
}

impl Ctx<'_> {
    /// The VM, from the prefetch when it read that very VM.
    pub async fn get_vm(&mut self, ns: &str, name: &str) -> anyhow::Result<Option<Value>> {
        match self.prefetch.take_vm(ns, name) {
            Some(got) => got,
            None => self.kubevirt().get_vm(ns, name).await,
        }
    }

    /// The snapshot, from the prefetch when it read that name at the version the cluster
    /// serves.
    pub async fn get_snapshot(&mut self, ns: &str, name: &str) -> anyhow::Result<Option<Value>> {
        let version = self.snapshot_version.clone();
        match self.prefetch.take_snapshot(ns, name, &version) {
            Some(got) => got,
            None => self.kubevirt().get_snapshot(ns, name).await,
        }
    }

    /// The KubeVirt provider at the snapshot version discovery chose (only KubeVirt's
    /// commands call it: `app` sends each platform to its own commands).
    pub fn kubevirt(&self) -> KubeVirt {
        let snapshot = self.snapshot_version.parse().unwrap_or_default();
        KubeVirt::new(self.conn.client.clone(), ServedVersions { snapshot })
    }
}
