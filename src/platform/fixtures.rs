//! Test helpers: load the YAML fixtures under tests/fixtures/<platform> as JSON values.

use serde_json::Value;

/// One fixture file of `platform` as a JSON value.
pub(crate) fn load_from(platform: &str, file: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/{platform}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

/// The items of a `kind: List` fixture.
pub(crate) fn items_from(platform: &str, file: &str) -> Vec<Value> {
    match load_from(platform, file).get("items") {
        Some(Value::Array(a)) => a.clone(),
        _ => panic!("{file} is not a List"),
    }
}

/// One item of a List fixture by name.
pub(crate) fn item_from(platform: &str, file: &str, name: &str) -> Value {
    items_from(platform, file)
        .into_iter()
        .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
        .unwrap_or_else(|| panic!("{name} not in {file}"))
}

/// The reference schemas of `platform` beside the repository (`<dir>/<platform>/…`), or None
/// so a test can skip where they are absent; under `CI=true` their absence fails the test.
pub(crate) fn schema_dir(platform: &str) -> Option<std::path::PathBuf> {
    let dir = vmsnap_sim::find_schema_dir(None).filter(|d| d.join(platform).is_dir());
    if dir.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the reference schemas are missing"
        );
        eprintln!("skipping: no reference schemas beside the repository");
    }
    dir
}

/// A client of the simulated cluster acting as `user`, default namespace `namespace`.
pub(crate) async fn sim_client(sim: &vmsnap_sim::Sim, user: &str, namespace: &str) -> kube::Client {
    use kube::config::{Config, KubeConfigOptions, Kubeconfig};
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig(user, namespace)).expect("kubeconfig");
    let cfg = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("config");
    kube::Client::try_from(cfg).expect("client")
}
