//! Small accessors over `serde_json::Value` objects, tolerant of missing and extra fields.
//!
//! KubeVirt adds fields every release; reading through JSON pointers keeps us forward-compatible
//! without a typed model of every object.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use crate::model::Condition;

/// A non-empty string at a JSON pointer ("/status/phase").
pub fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// An owned non-empty string at a JSON pointer.
pub fn string_at(v: &Value, ptr: &str) -> Option<String> {
    str_at(v, ptr).map(str::to_owned)
}

pub fn bool_at(v: &Value, ptr: &str) -> Option<bool> {
    v.pointer(ptr).and_then(Value::as_bool)
}

/// The array at a JSON pointer, empty when absent or not an array.
pub fn arr_at<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// An RFC 3339 time at a JSON pointer; None when absent or malformed.
pub fn time_at(v: &Value, ptr: &str) -> Option<Timestamp> {
    str_at(v, ptr).and_then(|s| s.parse().ok())
}

/// `metadata.name` ("" when absent).
pub fn name(v: &Value) -> &str {
    str_at(v, "/metadata/name").unwrap_or("")
}

/// `metadata.namespace` ("" when absent or cluster-scoped).
pub fn namespace(v: &Value) -> &str {
    str_at(v, "/metadata/namespace").unwrap_or("")
}

/// A string map (labels, annotations) at a JSON pointer; non-string values are skipped.
pub fn string_map(v: &Value, ptr: &str) -> BTreeMap<String, String> {
    v.pointer(ptr)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// The objects of the array at `ptr` keyed by their string at `key` (an object without one is
/// left out), each as `value` makes it.
pub fn keyed_at<T>(
    v: &Value,
    ptr: &str,
    key: &str,
    value: impl Fn(&Value) -> T,
) -> BTreeMap<String, T> {
    arr_at(v, ptr)
        .iter()
        .filter_map(|o| Some((str_at(o, key)?.to_owned(), value(o))))
        .collect()
}

/// Whether `metadata.annotations` has the key, whatever its value.
pub fn has_annotation(v: &Value, key: &str) -> bool {
    v.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key(key))
}

/// The object named `name` in a list of objects.
pub fn find_named<'a>(list: &'a [Value], name_: &str) -> Option<&'a Value> {
    list.iter().find(|o| name(o) == name_)
}

/// Conditions at a JSON pointer (usually "/status/conditions"), in server order.
pub fn conditions(v: &Value, ptr: &str) -> Vec<Condition> {
    arr_at(v, ptr)
        .iter()
        .filter_map(|c| {
            Some(Condition {
                type_: string_at(c, "/type")?,
                status: string_at(c, "/status").unwrap_or_else(|| "Unknown".to_owned()),
                reason: string_at(c, "/reason"),
                message: string_at(c, "/message"),
                last_transition: time_at(c, "/lastTransitionTime"),
            })
        })
        .collect()
}

/// The condition of this type has status "True".
pub fn condition_true(v: &Value, ptr: &str, type_: &str) -> bool {
    condition_at(v, ptr, type_, Some("True")).is_some()
}

/// The first condition at a JSON pointer (usually "/status/conditions") of this type and,
/// when given, this status, as the server wrote it.
pub fn condition_at<'a>(
    v: &'a Value,
    ptr: &str,
    type_: &str,
    status: Option<&str>,
) -> Option<&'a Value> {
    arr_at(v, ptr).iter().find(|c| {
        str_at(c, "/type") == Some(type_) && status.is_none_or(|s| str_at(c, "/status") == Some(s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accessors_tolerate_missing_empty_and_mistyped_fields() {
        let v = json!({"metadata": {"name": "a", "labels": {"x": "1", "n": 2}},
                       "status": {"phase": "", "ok": true, "t": "2026-11-26T10:00:00Z", "bad": "x"}});
        assert_eq!(name(&v), "a");
        assert_eq!(namespace(&v), "");
        assert_eq!(str_at(&v, "/status/phase"), None);
        assert_eq!(bool_at(&v, "/status/ok"), Some(true));
        assert!(time_at(&v, "/status/t").is_some());
        assert_eq!(time_at(&v, "/status/bad"), None);
        assert!(arr_at(&v, "/status/none").is_empty());
        assert_eq!(string_map(&v, "/metadata/labels").len(), 1);
    }
}
