//! Which API groups and versions the cluster serves (one request to /apis).

use anyhow::Context as _;

/// One served API group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedGroup {
    /// e.g. "snapshot.kubevirt.io".
    pub name: String,
    /// Served versions, as listed by the server.
    pub versions: Vec<String>,
    /// The server's preferred version.
    pub preferred: Option<String>,
}

impl ServedGroup {
    /// A group from literals (tests, fixtures).
    pub fn new(name: &str, versions: &[&str]) -> Self {
        ServedGroup {
            name: name.to_string(),
            versions: versions.iter().map(|v| v.to_string()).collect(),
            preferred: versions.first().map(|v| v.to_string()),
        }
    }

    /// Whether `version` is served.
    pub fn serves(&self, version: &str) -> bool {
        self.versions.iter().any(|v| v == version)
    }
}

/// Lists the served API groups (not the core group).
pub async fn served_groups(client: &kube::Client) -> anyhow::Result<Vec<ServedGroup>> {
    let list = client
        .list_api_groups()
        .await
        .context("failed to discover the served APIs")?;
    Ok(list
        .groups
        .into_iter()
        .map(|g| ServedGroup {
            name: g.name,
            versions: g.versions.into_iter().map(|v| v.version).collect(),
            preferred: g.preferred_version.map(|v| v.version),
        })
        .collect())
}
