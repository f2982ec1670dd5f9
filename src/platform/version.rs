//! `version`: the plugin's version and commit, and what the current cluster serves.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cli::GlobalArgs;
use crate::cluster::{connect, served_groups};
use crate::explain;
use serde::Serialize;

use crate::output::{RenderOptions, View, join_or_none, key_values, or_none};
use crate::platform::detect::{self, Choice, KUBEVIRT_GROUP, KUBEVIRT_SNAPSHOT_GROUP};

/// Builds the version report; never fails because of the cluster.
pub async fn run(global: &GlobalArgs, vars: &BTreeMap<String, String>) -> VersionReport {
    let mut report = VersionReport {
        kind: "Version",
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: option_env!("VMSNAP_GIT_COMMIT").map(str::to_string),
        cluster: None,
        cluster_error: None,
    };
    let mut global = global.clone();
    // Reporting a version should not hang on an unreachable cluster.
    global.request_timeout = Some(global.request_timeout.unwrap_or(Duration::from_secs(5)));
    let result = async {
        let conn = connect(&global, vars).await?;
        let (version, groups) =
            futures::join!(conn.client.apiserver_version(), served_groups(&conn.client));
        let groups = groups?;
        let versions_of = |name: &str| {
            groups
                .iter()
                .find(|g| g.name == name)
                .map(|g| g.versions.clone())
                .unwrap_or_default()
        };
        let detected = match detect::choose(&groups, global.provider) {
            Ok(Choice::One(d)) => vec![d],
            Ok(Choice::Several(all)) => all,
            Err(_) => Vec::new(),
        };
        let first = detected.first();
        let group = first.map_or(KUBEVIRT_SNAPSHOT_GROUP, |d| d.kind.snapshot_group());
        let snapshot_api_versions =
            serving_snapshots(&conn.client, group, versions_of(group)).await;
        Ok::<_, anyhow::Error>(ClusterVersion {
            server: conn.url.clone(),
            kubernetes_version: version.ok().map(|v| v.git_version),
            provider: (!detected.is_empty()).then(|| {
                let kinds: Vec<&str> = detected.iter().map(|d| d.kind.as_str()).collect();
                kinds.join(", ")
            }),
            snapshot_api_versions,
            snapshot_api_version: first.map(|d| format!("{group}/{}", d.snapshot_version)),
            kubevirt_api_versions: versions_of(KUBEVIRT_GROUP),
        })
    }
    .await;
    match result {
        Ok(c) => report.cluster = Some(c),
        Err(e) => {
            let rendered = explain::render(&e, None);
            let text = rendered
                .lines
                .iter()
                .map(|l| l.trim_start_matches("error: ").to_string())
                .collect::<Vec<_>>()
                .join(": ");
            report.cluster_error = Some(text);
        }
    }
    report
}
/// `version`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionReport {
    /// Always "Version".
    pub kind: &'static str,
    /// The plugin's version.
    pub version: String,
    /// The git commit it was built from, when known.
    pub commit: Option<String>,
    /// The cluster, when it could be reached.
    pub cluster: Option<ClusterVersion>,
    /// Why the cluster could not be reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_error: Option<String>,
}

/// What `version` learns from the cluster.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterVersion {
    /// API server URL.
    pub server: String,
    /// Kubernetes `gitVersion`.
    pub kubernetes_version: Option<String>,
    /// Detected provider ("kubevirt"), if any.
    pub provider: Option<String>,
    /// Served versions of the snapshot API group, preferred first.
    pub snapshot_api_versions: Vec<String>,
    /// The version this plugin uses.
    pub snapshot_api_version: Option<String>,
    /// Served versions of kubevirt.io.
    pub kubevirt_api_versions: Vec<String>,
}

impl View for VersionReport {
    fn human(&self, _now: jiff::Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        version(self)
    }

    fn names(&self) -> Vec<String> {
        vec![format!("kubectl-vmsnap/{}", self.version)]
    }
}

fn version(v: &VersionReport) -> String {
    let mut pairs = vec![("Plugin version", v.version.clone())];
    pairs.push(("Commit", or_none(v.commit.as_deref())));
    match (&v.cluster, &v.cluster_error) {
        (Some(c), _) => {
            pairs.push(("Server", c.server.clone()));
            pairs.push(("Kubernetes", or_none(c.kubernetes_version.as_deref())));
            pairs.push((
                "Provider",
                c.provider.clone().unwrap_or_else(|| "none detected".into()),
            ));
            pairs.push(("Snapshot API", or_none(c.snapshot_api_version.as_deref())));
            pairs.push((
                "Snapshot API served",
                join_or_none(&c.snapshot_api_versions, ", "),
            ));
            // KubeVirt's VM group matters only where KubeVirt is (or could be) the platform.
            let kubevirt = c.provider.as_deref().is_none_or(|p| p.contains("kubevirt"));
            if kubevirt || !c.kubevirt_api_versions.is_empty() {
                pairs.push((
                    "kubevirt.io served",
                    join_or_none(&c.kubevirt_api_versions, ", "),
                ));
            }
        }
        (None, Some(e)) => pairs.push(("Cluster", format!("could not reach it ({e})"))),
        (None, None) => pairs.push(("Cluster", "not contacted".to_string())),
    }
    key_values(&pairs, 0)
}

/// The `versions` of `group` whose discovery lists VirtualMachineSnapshots: VM Operator's
/// group serves v1alpha1–v1alpha6, its snapshots only v1alpha5 on (the CRD's served
/// versions). A version whose discovery cannot be read is kept.
async fn serving_snapshots(
    client: &kube::Client,
    group: &str,
    versions: Vec<String>,
) -> Vec<String> {
    let asks = versions.iter().map(|v| async move {
        match client
            .list_api_group_resources(&format!("{group}/{v}"))
            .await
        {
            Ok(list) => list
                .resources
                .iter()
                .any(|r| r.name == "virtualmachinesnapshots"),
            Err(_) => true,
        }
    });
    let serves = futures::future::join_all(asks).await;
    versions
        .into_iter()
        .zip(serves)
        .filter_map(|(v, yes)| yes.then_some(v))
        .collect()
}
