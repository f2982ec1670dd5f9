//! Where completion's live names come from: the cluster (VMs and snapshots of every platform
//! in the capability table) and the kubeconfig (contexts, clusters, users).

use std::collections::BTreeMap;
use std::future::Future;

use super::protocol::{Lookup, NameSource, SnapshotName, ValueKind};
use crate::platform::capability::{Capability, Resource, TABLE};

/// Live names from a cluster through kube: namespaces, KubeVirt VMs and VM snapshots.
pub struct KubeNames {
    client: kube::Client,
    /// No page is asked for after this.
    deadline: tokio::time::Instant,
    stopped: std::sync::atomic::AtomicBool,
}

impl KubeNames {
    /// Lists read every page until `deadline`.
    pub fn new(client: kube::Client, deadline: tokio::time::Instant) -> Self {
        KubeNames {
            client,
            deadline,
            stopped: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Every page of a list (`continue` tokens) until the deadline; a list cut short by it
    /// keeps what it read and marks the lookup as stopped early.
    async fn pages<T, F, Fut>(&self, list: F) -> Result<Vec<T>, kube::Error>
    where
        T: Clone,
        F: Fn(kube::api::ListParams) -> Fut,
        Fut: Future<Output = Result<kube::core::ObjectList<T>, kube::Error>>,
    {
        let mut items = Vec::new();
        let mut params = list_params();
        loop {
            let Ok(page) = tokio::time::timeout_at(self.deadline, list(params.clone())).await
            else {
                self.stopped
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                return Ok(items);
            };
            let page = page?;
            items.extend(page.items);
            match page.metadata.continue_ {
                Some(token) if !token.is_empty() => params = params.continue_token(&token),
                _ => return Ok(items),
            }
        }
    }

    fn api(
        &self,
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        ns: Option<&str>,
    ) -> kube::Api<kube::api::DynamicObject> {
        let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
        let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, plural);
        match ns {
            Some(ns) => crate::cluster::dynamic_api(&self.client, &ar, Some(ns)),
            None => kube::Api::default_namespaced_with(self.client.clone(), &ar),
        }
    }
}

/// Pages of kubectl's default size; every page is read (see `KubeNames::pages`).
fn list_params() -> kube::api::ListParams {
    kube::api::ListParams::default().limit(500)
}

impl NameSource for KubeNames {
    async fn namespaces(&self) -> anyhow::Result<Vec<String>> {
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(self.client.clone());
        let api = &api;
        let items = self
            .pages(|lp| async move { api.list_metadata(&lp).await })
            .await?;
        Ok(items.into_iter().filter_map(|o| o.metadata.name).collect())
    }

    fn stopped_early(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn vms(&self, namespace: Option<&str>) -> anyhow::Result<Vec<String>> {
        let lists = self
            .every_platform(
                |p| &p.vm,
                namespace,
                |api, lp| async move { api.list_metadata(&lp).await },
            )
            .await?;
        Ok(lists
            .into_iter()
            .flat_map(|(_, items)| items)
            .filter_map(|o| o.metadata.name)
            .collect())
    }

    async fn snapshots(&self, namespace: Option<&str>) -> anyhow::Result<Vec<SnapshotName>> {
        let lists = self
            .every_platform(
                |p| &p.snapshot,
                namespace,
                |api, lp| async move { api.list(&lp).await },
            )
            .await?;
        let mut names = Vec::new();
        for (p, items) in lists {
            names.extend(items.into_iter().filter_map(|o| {
                let data = serde_json::to_value(&o).ok()?;
                let vm = data
                    .pointer(p.snapshot_vm)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                Some(SnapshotName {
                    name: o.metadata.name?,
                    vm,
                    restorable: (p.restorable)(&data),
                })
            }));
        }
        Ok(names)
    }
}

impl KubeNames {
    /// `resource` of every platform of the capability table, listed at once
    /// ([`Self::first_served`]): the items of each platform the cluster serves, in the table's
    /// order; an error only when none answered.
    async fn every_platform<T, F, Fut>(
        &self,
        resource: fn(&Capability) -> &Resource,
        namespace: Option<&str>,
        list: F,
    ) -> anyhow::Result<Vec<(&'static Capability, Vec<T>)>>
    where
        T: Clone,
        F: Fn(kube::Api<kube::api::DynamicObject>, kube::api::ListParams) -> Fut,
        Fut: Future<Output = Result<kube::core::ObjectList<T>, kube::Error>>,
    {
        let list = &list;
        let lists = TABLE.iter().map(|p| async move {
            let items = self.first_served(resource(p), namespace, list).await?;
            anyhow::Ok((*p, items))
        });
        served(futures::future::join_all(lists).await)
    }

    /// Every page of `resource` at the first of its versions (preferred first) the cluster
    /// answers; the error of the last one when none does (the platform is not served).
    /// Completion asks every platform of the capability table at once rather than spend a
    /// discovery round trip of its short time budget.
    async fn first_served<T, F, Fut>(
        &self,
        resource: &Resource,
        namespace: Option<&str>,
        list: F,
    ) -> anyhow::Result<Vec<T>>
    where
        T: Clone,
        F: Fn(kube::Api<kube::api::DynamicObject>, kube::api::ListParams) -> Fut,
        Fut: Future<Output = Result<kube::core::ObjectList<T>, kube::Error>>,
    {
        let mut last = anyhow::anyhow!("no version of {}", resource.group);
        for version in resource.versions {
            let api = self.api(
                resource.group,
                version,
                resource.kind,
                resource.plural,
                namespace,
            );
            let api = &api;
            let list = &list;
            match self
                .pages(|lp| async move { list(api.clone(), lp).await })
                .await
            {
                Ok(items) => return Ok(items),
                Err(e) => last = e.into(),
            }
        }
        Err(last)
    }
}

/// The answers of the platforms the cluster serves; an error only when none answered.
fn served<T, E: Into<anyhow::Error>>(answers: Vec<Result<T, E>>) -> anyhow::Result<Vec<T>> {
    let mut ok = Vec::new();
    let mut first_err = None;
    for a in answers {
        match a {
            Ok(v) => ok.push(v),
            Err(e) => {
                first_err.get_or_insert(e.into());
            }
        }
    }
    match (ok.is_empty(), first_err) {
        (true, Some(e)) => Err(e),
        _ => Ok(ok),
    }
}

/// The contexts, clusters or users of the kubeconfig the command would read (`--kubeconfig`
/// on the line, else `KUBECONFIG`, else ~/.kube/config), as kubectl's own completion lists
/// them (kubernetes/kubectl pkg/util/completion: `ListContextsInConfig` and its siblings).
/// None when `lookup` wants no kubeconfig names; empty when none can be read.
pub fn kubeconfig_names(lookup: &Lookup, vars: &BTreeMap<String, String>) -> Option<Vec<String>> {
    use crate::cluster::connect::{Source, kubeconfig_source, load_kubeconfig};
    let pick: fn(kube::config::Kubeconfig) -> Vec<String> = match lookup.kind {
        ValueKind::Context => |kc| kc.contexts.into_iter().map(|c| c.name).collect(),
        ValueKind::Cluster => |kc| kc.clusters.into_iter().map(|c| c.name).collect(),
        ValueKind::User => |kc| kc.auth_infos.into_iter().map(|u| u.name).collect(),
        ValueKind::Namespace | ValueKind::Vm | ValueKind::Snapshot => return None,
    };
    let flag = lookup.options.get("kubeconfig").map(std::path::Path::new);
    let names = match kubeconfig_source(flag, vars, |p| p.exists()) {
        Source::Files(files) => load_kubeconfig(&files).map(pick).unwrap_or_default(),
        Source::InCluster => Vec::new(),
    };
    Some(names)
}
