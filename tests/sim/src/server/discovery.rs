//! `/version` and the OpenAPI v3 documents kubectl probes to decide on server-side field
//! validation (`kubectl create --validate=strict`).

use serde_json::{Map, Value, json};

use crate::registry::Registry;

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0+vmsnap-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.4",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: the group-versions, each with a URL to its document.
pub fn root(registry: &Registry) -> Value {
    let mut paths = Map::new();
    let mut add = |g: &str, v: &str| {
        let p = gv_path(g, v);
        paths.insert(
            p.clone(),
            json!({ "serverRelativeURL": format!("/openapi/v3/{p}?hash=SIM{}", p.len()) }),
        );
    };
    add("", "v1");
    for d in &registry.defs {
        for v in &d.versions {
            add(&d.group, v);
        }
    }
    json!({ "paths": paths })
}

/// The component name kube-openapi gives a kind: reversed group + version + kind.
fn component_name(group: &str, version: &str, kind: &str) -> String {
    let g = if group.is_empty() {
        "io.k8s.api.core".to_string()
    } else {
        group.split('.').rev().collect::<Vec<_>>().join(".")
    };
    format!("{g}.{version}.{kind}")
}

/// `/openapi/v3/apis/G/V`: per kind, the item path with its operations (PATCH carries the
/// `fieldValidation` parameter kubectl looks for) and the schema when known.
pub fn group_version(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let defs: Vec<_> = registry
        .defs
        .iter()
        .filter(|d| d.group == group && d.versions.iter().any(|v| v == version))
        .collect();
    if defs.is_empty() {
        return None;
    }
    let params = json!([
        { "name": "dryRun", "in": "query", "schema": { "type": "string", "uniqueItems": true } },
        { "name": "fieldManager", "in": "query", "schema": { "type": "string", "uniqueItems": true } },
        { "name": "fieldValidation", "in": "query", "schema": { "type": "string", "uniqueItems": true } },
    ]);
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for d in defs {
        let gvk = json!({ "group": group, "version": version, "kind": d.kind });
        let base = if d.namespaced {
            format!(
                "/{}/namespaces/{{namespace}}/{}",
                gv_path(group, version),
                d.plural
            )
        } else {
            format!("/{}/{}", gv_path(group, version), d.plural)
        };
        let op = |id: &str| {
            json!({
                "operationId": format!("{id}{}", d.kind),
                "parameters": params,
                "responses": { "200": { "description": "OK" } },
                "x-kubernetes-action": id,
                "x-kubernetes-group-version-kind": gvk,
            })
        };
        paths.insert(
            base.clone(),
            json!({ "post": op("post"), "get": op("list") }),
        );
        paths.insert(format!("{base}/{{name}}"), json!({ "get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete") }));
        if let Some(schema) = d.schema(version) {
            let mut s = (**schema).clone();
            s["x-kubernetes-group-version-kind"] = json!([gvk]);
            schemas.insert(component_name(group, version, &d.kind), s);
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": { "title": "Kubernetes", "version": "v1.32.0+vmsnap-sim" },
        "paths": paths,
        "components": { "schemas": schemas },
    }))
}
