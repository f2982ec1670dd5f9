//! Test helpers: the fixtures under tests/fixtures/deckhouse (see `provider::fixtures`).

use serde_json::Value;

use crate::platform::fixtures::{item_from, items_from};

/// The items of a `kind: List` fixture.
pub(crate) fn items(file: &str) -> Vec<Value> {
    items_from("deckhouse", file)
}

/// One item of a List fixture by name.
pub(crate) fn item(file: &str, name: &str) -> Value {
    item_from("deckhouse", file, name)
}
