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

/// vmi-database-01.yaml without its AgentConnected condition: running, no guest agent.
pub(crate) fn database_vmi_without_agent() -> Value {
    let mut vmi = load("vmi-database-01.yaml");
    vmi["status"]["conditions"]
        .as_array_mut()
        .expect("the fixture has conditions")
        .retain(|c| c["type"] != "AgentConnected");
    vmi
}
