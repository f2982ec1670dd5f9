//! JSON merge patch (RFC 7386) and JSON patch (RFC 6902).

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Apply a JSON merge patch in place: objects merge, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Some(patch_map) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(t) = target.as_object_mut() else {
        return;
    };
    for (k, v) in patch_map {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_path(path: &str) -> Result<Vec<String>, ApiError> {
    if path.is_empty() {
        return Ok(vec![]);
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(ApiError::bad_request(format!(
            "invalid JSON patch path {path:?}"
        )));
    };
    Ok(rest.split('/').map(unescape).collect())
}

fn bad(op: &str, path: &str) -> ApiError {
    ApiError::new(
        422,
        "Invalid",
        format!(
            "the server rejected our request due to an error in our request: {op} operation does not apply: doc is missing path: {path:?}"
        ),
    )
}

fn parent<'a>(
    doc: &'a mut Value,
    tokens: &[String],
    path: &str,
    op: &str,
) -> Result<&'a mut Value, ApiError> {
    let mut cur = doc;
    for t in tokens {
        cur = match cur {
            Value::Object(m) => m.get_mut(t).ok_or_else(|| bad(op, path))?,
            Value::Array(a) => {
                let i: usize = t.parse().map_err(|_| bad(op, path))?;
                a.get_mut(i).ok_or_else(|| bad(op, path))?
            }
            _ => return Err(bad(op, path)),
        };
    }
    Ok(cur)
}

fn get_at(doc: &Value, path: &str) -> Option<Value> {
    doc.pointer(path).cloned()
}

fn remove_at(doc: &mut Value, path: &str, op: &str) -> Result<Value, ApiError> {
    let tokens = split_path(path)?;
    let Some((last, init)) = tokens.split_last() else {
        return Err(bad(op, path));
    };
    match parent(doc, init, path, op)? {
        Value::Object(m) => m.remove(last).ok_or_else(|| bad(op, path)),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| bad(op, path))?;
            if i < a.len() {
                Ok(a.remove(i))
            } else {
                Err(bad(op, path))
            }
        }
        _ => Err(bad(op, path)),
    }
}

fn add_at(
    doc: &mut Value,
    path: &str,
    value: Value,
    replace: bool,
    op: &str,
) -> Result<(), ApiError> {
    let tokens = split_path(path)?;
    let Some((last, init)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent(doc, init, path, op)? {
        Value::Object(m) => {
            if replace && !m.contains_key(last) {
                return Err(bad(op, path));
            }
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" && !replace {
                a.push(value);
                return Ok(());
            }
            let i: usize = last.parse().map_err(|_| bad(op, path))?;
            if replace {
                let slot = a.get_mut(i).ok_or_else(|| bad(op, path))?;
                *slot = value;
            } else if i <= a.len() {
                a.insert(i, value);
            } else {
                return Err(bad(op, path));
            }
            Ok(())
        }
        _ => Err(bad(op, path)),
    }
}

/// Apply a JSON patch (a list of operations) to `doc`.
pub fn json_patch(doc: &mut Value, ops: &Value) -> Result<(), ApiError> {
    let Some(ops) = ops.as_array() else {
        return Err(ApiError::bad_request(
            "a JSON patch must be a list of operations",
        ));
    };
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let value = || op.get("value").cloned().unwrap_or(Value::Null);
        match name {
            "add" => add_at(doc, path, value(), false, name)?,
            "replace" => add_at(doc, path, value(), true, name)?,
            "remove" => {
                remove_at(doc, path, name)?;
            }
            "test" => {
                if get_at(doc, path) != Some(value()) {
                    return Err(ApiError::new(
                        422,
                        "Invalid",
                        format!(
                            "the server rejected our request due to an error in our request: testing value {path} failed"
                        ),
                    ));
                }
            }
            "move" | "copy" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let v = if name == "move" {
                    remove_at(doc, from, name)?
                } else {
                    get_at(doc, from).ok_or_else(|| bad(name, from))?
                };
                add_at(doc, path, v, false, name)?;
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown JSON patch operation {other:?}"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_merges_objects_and_null_removes() {
        let mut v = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge_patch(&mut v, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(v, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn json_patch_adds_replaces_removes_and_tests() {
        let mut v = json!({"metadata": {"finalizers": ["a", "b"]}, "spec": {"x": 1}});
        json_patch(
            &mut v,
            &json!([
                {"op": "test", "path": "/spec/x", "value": 1},
                {"op": "replace", "path": "/spec/x", "value": 2},
                {"op": "remove", "path": "/metadata/finalizers/0"},
                {"op": "add", "path": "/metadata/finalizers/-", "value": "c"},
                {"op": "add", "path": "/metadata/labels", "value": {"k": "v"}}
            ]),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"metadata": {"finalizers": ["b", "c"], "labels": {"k": "v"}}, "spec": {"x": 2}})
        );
        assert_eq!(
            json_patch(
                &mut v,
                &json!([{"op": "test", "path": "/spec/x", "value": 9}])
            )
            .unwrap_err()
            .code,
            422
        );
    }
}
