//! The plugin's unit-test fixtures (`tests/fixtures/<provider>`) are objects a real API server
//! would accept: each validates against the real CRD schemas with no unknown fields.
//! Skipped when the schemas are absent, except under CI=true where that is a failure.

use std::path::Path;

use vmsnap_sim::{Registry, Scenario, schema};

/// Validates every document of `tests/fixtures/<provider>`; returns how many had a schema.
fn check_fixtures(provider: &str) -> Option<usize> {
    let dir = vmsnap_sim::testing::reference_schemas(provider)?;
    let mut registry = Registry::builtin();
    let errors = registry.load_schemas(&dir).expect("reference schemas load");
    assert!(errors.is_empty(), "{errors:?}");

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(provider);
    let mut scenario = Scenario::default();
    scenario.load_path(&fixtures).expect("fixtures load");

    let mut checked = 0;
    let mut bad = Vec::new();
    for (source, doc) in &scenario.objects {
        let api_version = doc["apiVersion"].as_str().unwrap_or_default();
        let kind = doc["kind"].as_str().unwrap_or_default();
        let (def, _) = registry
            .by_kind(api_version, kind)
            .unwrap_or_else(|| panic!("{source}: {api_version} {kind} is not served"));
        let version = api_version.rsplit('/').next().unwrap_or_default();
        let Some(schema) = def.schema(version) else {
            continue;
        };
        checked += 1;
        let mut copy = doc.clone();
        let outcome = schema::validate_and_prune(schema, &mut copy);
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        bad.extend(
            outcome
                .causes
                .iter()
                .map(|c| format!("{source}: {kind} {name}: {c}")),
        );
        bad.extend(
            outcome
                .pruned
                .iter()
                .map(|p| format!("{source}: {kind} {name}: unknown field {p}")),
        );
    }
    assert!(bad.is_empty(), "{bad:#?}");
    Some(checked)
}

#[test]
fn kubevirt_fixtures_validate_against_the_real_schemas() {
    if let Some(checked) = check_fixtures("kubevirt") {
        assert!(checked >= 20, "only {checked} fixtures had a schema");
    }
}

#[test]
fn deckhouse_fixtures_validate_against_the_real_schemas() {
    if let Some(checked) = check_fixtures("deckhouse") {
        assert!(checked >= 25, "only {checked} fixtures had a schema");
    }
}
