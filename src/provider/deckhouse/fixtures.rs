//! Test helpers: load the YAML fixtures under tests/fixtures/deckhouse as JSON values.

use serde_json::Value;

/// One fixture file as a JSON value.
pub(crate) fn load(file: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/deckhouse/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

/// The items of a `kind: List` fixture.
pub(crate) fn items(file: &str) -> Vec<Value> {
    match load(file).get("items") {
        Some(Value::Array(a)) => a.clone(),
        _ => panic!("{file} is not a List"),
    }
}

/// One item of a List fixture by name.
pub(crate) fn item(file: &str, name: &str) -> Value {
    items(file)
        .into_iter()
        .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
        .unwrap_or_else(|| panic!("{name} not in {file}"))
}
