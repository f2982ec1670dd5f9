//! Kubeconfig files pointing at a running simulator.

use std::path::Path;

use anyhow::Context;

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A kubeconfig whose cluster, context and user are all named `vmsnap-sim`. `server` is the
/// https URL: kubectl sends tokens only over TLS; the simulator's CA is embedded.
pub fn render(server: &str, user: &str, token: &str, namespace: &str) -> String {
    let _ = user;
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: vmsnap-sim\n  cluster:\n    server: {}\n    certificate-authority-data: {}\ncontexts:\n- name: vmsnap-sim\n  context:\n    cluster: vmsnap-sim\n    user: vmsnap-sim\n    namespace: {}\ncurrent-context: vmsnap-sim\nusers:\n- name: vmsnap-sim\n  user:\n    token: {}\npreferences: {{}}\n",
        quote(server),
        crate::server::tls::ca_data(),
        quote(namespace),
        quote(token)
    )
}

/// Write through a temporary file and a rename, so a reader never sees half a file.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("kubeconfig");
    let tmp = path.with_file_name(format!(".{file_name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, text).with_context(|| format!("failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("failed to write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_parses_as_yaml_with_token_and_namespace() {
        let text = render("https://127.0.0.1:1234", "alice", "alice-token", "prod");
        let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(v["current-context"], "vmsnap-sim");
        assert_eq!(v["users"][0]["user"]["token"], "alice-token");
        assert_eq!(v["contexts"][0]["context"]["namespace"], "prod");
        assert_eq!(
            v["clusters"][0]["cluster"]["server"],
            "https://127.0.0.1:1234"
        );
        assert!(v["clusters"][0]["cluster"]["certificate-authority-data"].is_string());
    }
}
