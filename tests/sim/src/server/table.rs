//! `meta.k8s.io/v1` Table responses (what `kubectl get` asks for), built from printer columns
//! the way the apiserver's CRD table convertor does, and PartialObjectMetadata.

use serde_json::{Value, json};

use crate::registry::ResourceDef;

/// How a client wants objects back, from its Accept header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Object,
    Table,
    Metadata,
}

impl Shape {
    pub fn from_accept(accept: &str) -> Shape {
        // The first acceptable media type wins; plain JSON is always acceptable.
        for part in accept.split(',') {
            let part = part.trim();
            if part.contains("as=Table") && part.contains("g=meta.k8s.io") {
                return Shape::Table;
            }
            if part.contains("as=PartialObjectMetadata") && part.contains("g=meta.k8s.io") {
                return Shape::Metadata;
            }
            if part.starts_with("application/json") || part.starts_with("*/*") {
                return Shape::Object;
            }
        }
        Shape::Object
    }
}

/// Evaluate the JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*].b`,
/// `.a[?(@.type=='Ready')].status`. Returns the first result.
pub fn json_path<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_start_matches('$');
    let mut cur = vec![obj];
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            rest = &r[end..];
            if key.is_empty() {
                continue;
            }
            cur = cur.into_iter().filter_map(|v| v.get(key)).collect();
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            // A filter may contain ']' only inside quotes, which printer columns do not use.
            let inner = &r[..end];
            rest = &r[end + 1..];
            if inner == "*" {
                cur = cur
                    .into_iter()
                    .filter_map(Value::as_array)
                    .flatten()
                    .collect();
            } else if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')'))
            {
                let (lhs, rhs) = filter.split_once("==")?;
                let field = lhs.trim().strip_prefix("@.")?;
                let want = rhs.trim().trim_matches('\'').trim_matches('"');
                cur =
                    cur.into_iter()
                        .filter_map(Value::as_array)
                        .flatten()
                        .filter(|item| {
                            item.pointer(&format!("/{}", field.replace('.', "/")))
                                .is_some_and(|v| match v {
                                    Value::String(s) => s == want,
                                    other => serde_json::from_str::<Value>(want)
                                        .is_ok_and(|w| w == *other),
                                })
                        })
                        .collect();
            } else {
                let i: usize = inner.parse().ok()?;
                cur = cur.into_iter().filter_map(|v| v.get(i)).collect();
            }
        } else {
            return None;
        }
    }
    cur.into_iter().next()
}

/// k8s.io/apimachinery duration.HumanDuration.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    let (m, h) = (s / 60, s / 3600);
    if s < 120 {
        return format!("{s}s");
    }
    if m < 10 {
        let rem = s % 60;
        return if rem == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{rem}s")
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    if h < 8 {
        let rem = m % 60;
        return if rem == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{rem}m")
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        let rem = h % 24;
        return if rem == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{rem}h", h / 24)
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let days = (h / 24) % 365;
        return if days == 0 {
            format!("{}y", h / 24 / 365)
        } else {
            format!("{}y{days}d", h / 24 / 365)
        };
    }
    format!("{}y", h / 24 / 365)
}

fn age_of(ts: &str) -> Option<String> {
    let t: jiff::Timestamp = ts.parse().ok()?;
    Some(human_duration(
        jiff::Timestamp::now().as_second() - t.as_second(),
    ))
}

/// Go's %v of a JSON value: arrays as `[a b]`, maps as `map[k:v]`.
fn go_format(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(go_format).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_format(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Access modes the way kubectl's built-in printers abbreviate them.
fn access_modes(v: &Value) -> Option<String> {
    let modes = v.as_array()?;
    let short: Vec<&str> = modes
        .iter()
        .filter_map(Value::as_str)
        .map(|m| match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    Some(short.join(","))
}

fn cell(obj: &Value, type_: &str, path: &str) -> Value {
    let Some(v) = json_path(obj, path) else {
        return Value::Null;
    };
    if path.ends_with(".accessModes")
        && let Some(s) = access_modes(v)
    {
        return Value::String(s);
    }
    match type_ {
        "date" => v
            .as_str()
            .and_then(age_of)
            .map(Value::String)
            .unwrap_or(Value::Null),
        "integer" => v
            .as_i64()
            .map(Value::from)
            .unwrap_or_else(|| Value::String(go_format(v))),
        "number" => v
            .as_f64()
            .map(Value::from)
            .unwrap_or_else(|| Value::String(go_format(v))),
        "boolean" => v
            .as_bool()
            .map(Value::Bool)
            .unwrap_or_else(|| Value::String(go_format(v))),
        _ => Value::String(go_format(v)),
    }
}

/// The object's metadata as a PartialObjectMetadata.
pub fn partial_metadata(obj: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or(json!({})),
    })
}

fn columns(def: &ResourceDef) -> Vec<Value> {
    let mut cols = vec![json!({
        "name": "Name",
        "type": "string",
        "format": "name",
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "priority": 0,
    })];
    for c in &def.printer_columns {
        cols.push(json!({
            "name": c.name,
            "type": c.type_,
            "format": c.format,
            "description": c.description,
            "priority": c.priority,
        }));
    }
    cols
}

/// A Table of `objs`. `include_object`: `None`, `Metadata` (default) or `Object`.
pub fn table(def: &ResourceDef, objs: &[Value], include_object: &str, list_meta: Value) -> Value {
    let rows: Vec<Value> = objs
        .iter()
        .map(|o| {
            let mut cells = vec![o.pointer("/metadata/name").cloned().unwrap_or(Value::Null)];
            for c in &def.printer_columns {
                cells.push(cell(o, &c.type_, &c.json_path));
            }
            let mut row = json!({ "cells": cells });
            match include_object {
                "None" => {}
                "Object" => row["object"] = o.clone(),
                _ => row["object"] = partial_metadata(o),
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": columns(def),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_path_handles_filters_indexes_and_missing_fields() {
        let o = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Paused", "status": "False"}], "interfaces": [{"ipAddress": "10.0.0.1"}]}});
        assert_eq!(
            json_path(&o, ".status.conditions[?(@.type=='Paused')].status"),
            Some(&json!("False"))
        );
        assert_eq!(
            json_path(&o, ".status.interfaces[0].ipAddress"),
            Some(&json!("10.0.0.1"))
        );
        assert_eq!(
            json_path(&o, ".status.conditions[*].type"),
            Some(&json!("Ready"))
        );
        assert_eq!(json_path(&o, ".spec.nothing"), None);
    }

    #[test]
    fn human_durations_match_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(3600 * 5 + 60 * 3), "5h3m");
        assert_eq!(human_duration(3600 * 24 * 3), "3d");
        assert_eq!(human_duration(3600 * 24 * 400), "400d");
    }

    #[test]
    fn accept_header_picks_table_or_plain_json() {
        assert_eq!(
            Shape::from_accept(
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
            ),
            Shape::Table
        );
        assert_eq!(Shape::from_accept("application/json, */*"), Shape::Object);
        assert_eq!(Shape::from_accept(""), Shape::Object);
    }
}
