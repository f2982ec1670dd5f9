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
