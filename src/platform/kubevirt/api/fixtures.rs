//! Test helpers: the fixtures under tests/fixtures/kubevirt (see `provider::fixtures`).

use serde_json::Value;

use crate::platform::fixtures::{item_from, items_from, load_from};

/// One fixture file as a JSON value.
pub(crate) fn load(file: &str) -> Value {
    load_from("kubevirt", file)
}

/// The items of a `kind: List` fixture.
pub(crate) fn items(file: &str) -> Vec<Value> {
    items_from("kubevirt", file)
}

/// One item of a List fixture by name.
pub(crate) fn item(file: &str, name: &str) -> Value {
    item_from("kubevirt", file, name)
}
