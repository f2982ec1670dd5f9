//! Structural validation, pruning and defaulting of custom resources against CRD OpenAPI v3 schemas, worded like kube-apiserver.
//!
//! Covers what the KubeVirt, CDI and CSI snapshot schemas use: types, properties, required,
//! enum, items, additionalProperties, nullable, formats (int32/int64/date-time), the quantity
//! pattern, bounds, list-type set/map uniqueness, int-or-string, preserve-unknown-fields,
//! embedded resources, defaults, and the handful of CEL rules that are not transition rules.
//! Unknown fields are pruned, not rejected, as a real apiserver does; their paths are
//! reported so the server can implement `fieldValidation=Strict`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde_json::{Map, Value};

/// One field error, as a `metav1.StatusCause`: `message` is the error body without the field
/// (e.g. `Required value`), so the Status message is `"{field}: {message}"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    pub field: String,
    /// FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueTypeInvalid,
    /// FieldValueDuplicate, FieldValueTooLong, FieldValueTooMany.
    pub reason: String,
    pub message: String,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// The result of [`validate_and_prune`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub causes: Vec<Cause>,
    /// Paths of fields the schema does not know, which were removed (`spec.foo`,
    /// `spec.volumes[0].bar`): a Strict field validation answers `unknown field "PATH"`.
    pub pruned: Vec<String>,
}

/// A printer column of a CRD version (`additionalPrinterColumns`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrinterColumn {
    pub name: String,
    /// string, integer, number, boolean, date.
    pub type_: String,
    pub json_path: String,
    pub description: String,
    pub priority: i64,
    pub format: String,
}

/// One served version of a CRD with its schema. Bare `*.schema.yaml` files carry no names;
/// [`load_crd`] then fills `plural` from the file name and leaves `group`/`kind` empty,
/// while [`load_dir`] fills everything from the KubeVirt CRD definitions it knows.
#[derive(Clone, Debug)]
pub struct CrdVersion {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub list_kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub namespaced: bool,
    pub served: bool,
    pub storage: bool,
    pub status_subresource: bool,
    pub printer_columns: Vec<PrinterColumn>,
    /// The version's `openAPIV3Schema`.
    pub schema: Arc<Value>,
}

/// Validates `object` against a CRD version's `openAPIV3Schema`; `[]` when valid.
pub fn validate(schema: &Value, object: &Value) -> Vec<Cause> {
    let mut copy = object.clone();
    validate_and_prune(schema, &mut copy).causes
}

/// Validates `object`, then (like the apiserver before storing) removes unknown fields and
/// applies schema defaults in place. `metadata` at the root is left alone.
pub fn validate_and_prune(schema: &Value, object: &mut Value) -> Outcome {
    let mut walker = Walker::default();
    walker.node(schema, object, "", true);
    Outcome {
        causes: walker.causes,
        pruned: walker.pruned,
    }
}

#[derive(Default)]
struct Walker {
    causes: Vec<Cause>,
    pruned: Vec<String>,
}

const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";
const RATIO_PATTERN: &str = r"^(0(?:\.\d{1,3})?|1)$";

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The JSON type name kube-openapi reports for a value.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A bad value as Go's field.Error prints it: strings quoted, scalars plain.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn str_of<'a>(schema: &'a Value, key: &str) -> Option<&'a str> {
    schema.get(key).and_then(Value::as_str)
}

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

impl Walker {
    fn cause(&mut self, field: &str, reason: &str, message: String) {
        self.causes.push(Cause {
            field: field.to_string(),
            reason: reason.to_string(),
            message,
        });
    }

    fn invalid(&mut self, path: &str, value: &Value, detail: String) {
        self.cause(
            path,
            "FieldValueInvalid",
            format!("Invalid value: {}: {detail}", show(value)),
        );
    }

    fn type_invalid(&mut self, path: &str, expected: &str, actual: &Value) {
        let actual = type_name(actual);
        let name = if path.is_empty() { "body" } else { path };
        self.cause(
            path,
            "FieldValueTypeInvalid",
            format!("Invalid value: \"{actual}\": {name} in body must be of type {expected}: \"{actual}\""),
        );
    }

    /// Validates one value; `root` marks the top-level object whose metadata is not checked.
    fn node(&mut self, schema: &Value, value: &mut Value, path: &str, root: bool) {
        if value.is_null() {
            if flag(schema, "nullable") {
                return;
            }
            if let Some(default) = schema.get("default") {
                *value = default.clone();
            } else if schema.get("type").is_some() {
                let expected = str_of(schema, "type").unwrap_or("object").to_string();
                self.type_invalid(path, &expected, &Value::Null);
                return;
            } else {
                return;
            }
        }

        if flag(schema, "x-kubernetes-int-or-string") {
            match value {
                Value::String(_) => self.string_checks(schema, value, path),
                Value::Number(_) if type_name(value) == "integer" => {
                    self.number_checks(schema, value, path)
                }
                other => {
                    let other = other.clone();
                    self.type_invalid(path, "integer,string", &other);
                }
            }
            return;
        }

        let declared = str_of(schema, "type");
        match declared {
            Some("object") => {
                if !value.is_object() {
                    let v = value.clone();
                    self.type_invalid(path, "object", &v);
                    return;
                }
                self.object(schema, value, path, root);
            }
            Some("array") => {
                if !value.is_array() {
                    let v = value.clone();
                    self.type_invalid(path, "array", &v);
                    return;
                }
                self.array(schema, value, path);
            }
            Some("string") => {
                if !value.is_string() {
                    let v = value.clone();
                    self.type_invalid(path, "string", &v);
                    return;
                }
                self.string_checks(schema, value, path);
            }
            Some("integer") => {
                if type_name(value) != "integer" {
                    let v = value.clone();
                    self.type_invalid(path, "integer", &v);
                    return;
                }
                self.number_checks(schema, value, path);
            }
            Some("number") => {
                if !value.is_number() {
                    let v = value.clone();
                    self.type_invalid(path, "number", &v);
                    return;
                }
                self.number_checks(schema, value, path);
            }
            Some("boolean") => {
                if !value.is_boolean() {
                    let v = value.clone();
                    self.type_invalid(path, "boolean", &v);
                    return;
                }
            }
            _ => {
                // Untyped: only preserve-unknown-fields or anyOf schemas; walk objects that
                // declare properties so their known fields are still checked.
                if value.is_object() && schema.get("properties").is_some() {
                    self.object(schema, value, path, root);
                }
            }
        }

        self.enum_check(schema, value, path);
        self.any_of(schema, value, path);
        self.cel(schema, value, path);
    }

    fn object(&mut self, schema: &Value, value: &mut Value, path: &str, root: bool) {
        let Some(map) = value.as_object_mut() else {
            return;
        };
        let props = schema.get("properties").and_then(Value::as_object);
        let preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
        let embedded = flag(schema, "x-kubernetes-embedded-resource");
        let additional = schema.get("additionalProperties");

        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    self.cause(
                        &child(path, name),
                        "FieldValueRequired",
                        "Required value".into(),
                    );
                }
            }
        }

        // Defaults apply to absent properties of objects that exist.
        if let Some(props) = props {
            for (name, sub) in props {
                if !map.contains_key(name)
                    && let Some(default) = sub.get("default")
                {
                    map.insert(name.clone(), default.clone());
                }
            }
        }

        let keys: Vec<String> = map.keys().cloned().collect();
        for key in keys {
            let sub_path = child(path, &key);
            if (root || embedded) && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                let keep_meta = key == "metadata";
                if let Some(v) = map.get_mut(&key) {
                    if keep_meta {
                        if !v.is_object() && !v.is_null() {
                            let v = v.clone();
                            self.type_invalid(&sub_path, "object", &v);
                        }
                    } else if !v.is_string() {
                        let v = v.clone();
                        self.type_invalid(&sub_path, "string", &v);
                    }
                }
                continue;
            }
            if let Some(sub) = props.and_then(|p| p.get(&key)) {
                if let Some(v) = map.get_mut(&key) {
                    self.node(sub, v, &sub_path, false);
                }
                continue;
            }
            match additional {
                Some(Value::Object(_)) => {
                    let sub = additional.cloned().unwrap_or(Value::Null);
                    if let Some(v) = map.get_mut(&key) {
                        self.node(&sub, v, &sub_path, false);
                    }
                }
                Some(Value::Bool(true)) => {}
                _ if preserve => {}
                _ => {
                    map.remove(&key);
                    self.pruned.push(sub_path);
                }
            }
        }
    }

    fn array(&mut self, schema: &Value, value: &mut Value, path: &str) {
        let Some(items) = value.as_array_mut() else {
            return;
        };
        let len = items.len() as i64;
        if let Some(max) = schema.get("maxItems").and_then(Value::as_i64)
            && len > max
        {
            self.cause(
                path,
                "FieldValueTooMany",
                format!("Too many: {len}: must have at most {max} items"),
            );
        }
        if let Some(min) = schema.get("minItems").and_then(Value::as_i64)
            && len < min
        {
            let v = Value::Array(items.clone());
            self.invalid(
                path,
                &v,
                format!("{path} in body should have at least {min} items"),
            );
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter_mut().enumerate() {
                self.node(item_schema, item, &format!("{path}[{i}]"), false);
            }
        }
        match str_of(schema, "x-kubernetes-list-type") {
            Some("set") => {
                for i in 1..items.len() {
                    if items[..i].contains(&items[i]) {
                        let v = items[i].clone();
                        self.cause(
                            &format!("{path}[{i}]"),
                            "FieldValueDuplicate",
                            format!("Duplicate value: {}", show(&v)),
                        );
                    }
                }
            }
            Some("map") => {
                let keys: Vec<&str> = schema
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|k| k.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let key_of = |item: &Value| -> Vec<Value> {
                    keys.iter()
                        .map(|k| item.get(*k).cloned().unwrap_or(Value::Null))
                        .collect()
                };
                for i in 1..items.len() {
                    let mine = key_of(&items[i]);
                    if items[..i].iter().any(|o| key_of(o) == mine) {
                        let shown: Map<String, Value> = keys
                            .iter()
                            .zip(mine.iter())
                            .map(|(k, v)| (k.to_string(), v.clone()))
                            .collect();
                        self.cause(
                            &format!("{path}[{i}]"),
                            "FieldValueDuplicate",
                            format!("Duplicate value: {}", Value::Object(shown)),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn string_checks(&mut self, schema: &Value, value: &Value, path: &str) {
        let Some(s) = value.as_str() else {
            return;
        };
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && s.len() as u64 > max
        {
            let unit = if max == 1 { "byte" } else { "bytes" };
            self.cause(
                path,
                "FieldValueTooLong",
                format!("Too long: may not be more than {max} {unit}"),
            );
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && (s.chars().count() as u64) < min
        {
            self.invalid(
                path,
                value,
                format!("{path} in body should be at least {min} chars long"),
            );
        }
        if let Some(pattern) = str_of(schema, "pattern") {
            let ok = match pattern {
                QUANTITY_PATTERN => is_quantity(s),
                RATIO_PATTERN => is_ratio(s),
                _ => true, // patterns no schema here uses are not checked
            };
            if !ok {
                self.invalid(
                    path,
                    value,
                    format!("{path} in body should match '{pattern}'"),
                );
            }
        }
        if str_of(schema, "format") == Some("date-time") && s.parse::<jiff::Timestamp>().is_err() {
            self.cause(
                path,
                "FieldValueTypeInvalid",
                format!(
                    "Invalid value: {}: {path} in body must be of type date-time: {}",
                    show(value),
                    show(value)
                ),
            );
        }
    }

    fn number_checks(&mut self, schema: &Value, value: &Value, path: &str) {
        let Some(n) = value.as_f64() else {
            return;
        };
        let exclusive_min = flag(schema, "exclusiveMinimum");
        let exclusive_max = flag(schema, "exclusiveMaximum");
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && (n < min || (exclusive_min && n == min))
        {
            let word = if exclusive_min {
                "greater than"
            } else {
                "greater than or equal to"
            };
            self.invalid(
                path,
                value,
                format!("{path} in body should be {word} {}", fmt_num(min)),
            );
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && (n > max || (exclusive_max && n == max))
        {
            let word = if exclusive_max {
                "less than"
            } else {
                "less than or equal to"
            };
            self.invalid(
                path,
                value,
                format!("{path} in body should be {word} {}", fmt_num(max)),
            );
        }
        let (lo, hi) = match str_of(schema, "format") {
            Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
            _ => (f64::MIN, f64::MAX),
        };
        if n < lo || n > hi {
            self.invalid(
                path,
                value,
                format!("{path} in body must be of type int32: {}", show(value)),
            );
        }
    }

    fn enum_check(&mut self, schema: &Value, value: &Value, path: &str) {
        let Some(allowed) = schema.get("enum").and_then(Value::as_array) else {
            return;
        };
        if allowed.contains(value) {
            return;
        }
        let list: Vec<String> = allowed
            .iter()
            .map(|a| match a {
                Value::String(s) => format!("{s:?}"),
                other => format!("{:?}", other.to_string()),
            })
            .collect();
        self.cause(
            path,
            "FieldValueNotSupported",
            format!(
                "Unsupported value: {}: supported values: {}",
                show(value),
                list.join(", ")
            ),
        );
    }

    /// anyOf other than int-or-string: valid when any branch is (branches do not prune).
    fn any_of(&mut self, schema: &Value, value: &Value, path: &str) {
        let Some(branches) = schema.get("anyOf").and_then(Value::as_array) else {
            return;
        };
        let ok = branches.iter().any(|b| {
            let mut probe = Walker::default();
            let mut v = value.clone();
            probe.node(b, &mut v, path, false);
            probe.causes.is_empty()
        });
        if !ok {
            self.invalid(
                path,
                value,
                format!("{path} in body must validate at least one schema (anyOf)"),
            );
        }
    }

    /// The few CEL rules the schemas use that need no old object; others are skipped.
    fn cel(&mut self, schema: &Value, value: &Value, path: &str) {
        let Some(rules) = schema
            .get("x-kubernetes-validations")
            .and_then(Value::as_array)
        else {
            return;
        };
        for rule in rules {
            let expr = str_of(rule, "rule").unwrap_or("");
            let verdict = match expr {
                "size(self) > 0" => match value {
                    Value::String(s) => Some(!s.is_empty()),
                    Value::Array(a) => Some(!a.is_empty()),
                    Value::Object(m) => Some(!m.is_empty()),
                    _ => None,
                },
                "self == true" => Some(value == &Value::Bool(true)),
                "self.startsWith('/')" => value.as_str().map(|s| s.starts_with('/')),
                "!self.contains('..')" => value.as_str().map(|s| !s.contains("..")),
                _ if expr.starts_with("self.all(") && expr.contains(" in [") => cel_all_in(expr)
                    .and_then(|allowed| {
                        value.as_array().map(|items| {
                            items
                                .iter()
                                .all(|i| i.as_str().is_some_and(|s| allowed.iter().any(|a| a == s)))
                        })
                    }),
                _ => None,
            };
            if verdict == Some(false) {
                let message = str_of(rule, "message")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("failed rule: {expr}"));
                let ty = str_of(schema, "type").unwrap_or("object");
                self.cause(
                    path,
                    "FieldValueInvalid",
                    format!("Invalid value: \"{ty}\": {message}"),
                );
            }
        }
    }
}

/// `self.all(x, x in ['A', 'B'])` → [A, B].
fn cel_all_in(expr: &str) -> Option<Vec<String>> {
    let start = expr.find('[')?;
    let end = expr.rfind(']')?;
    Some(
        expr[start + 1..end]
            .split(',')
            .map(|s| s.trim().trim_matches('\'').trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A Kubernetes resource.Quantity string (the schemas' quantity pattern).
pub fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    // number: digits[.digits*] | .digits+
    let num = |i: &mut usize| -> bool {
        let int = digits(i);
        if *i < b.len() && b[*i] == b'.' {
            *i += 1;
            let frac = digits(i);
            int > 0 || frac > 0
        } else {
            int > 0
        }
    };
    if !num(&mut i) {
        return false;
    }
    let rest = &s[i..];
    match rest {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        _ if rest.starts_with('e') || rest.starts_with('E') => {
            let mut j = i + 1;
            if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                j += 1;
            }
            let before = j;
            let ok = num(&mut j);
            ok && j == b.len() && j > before
        }
        _ => false,
    }
}

fn is_ratio(s: &str) -> bool {
    if s == "1" || s == "0" {
        return true;
    }
    s.strip_prefix("0.")
        .is_some_and(|f| (1..=3).contains(&f.len()) && f.bytes().all(|c| c.is_ascii_digit()))
}

/// Reads a CRD YAML (apiextensions.k8s.io/v1, several documents allowed) or a bare
/// `*.schema.yaml` whose top key is `openAPIV3Schema`.
pub fn load_crd(path: &Path) -> anyhow::Result<Vec<CrdVersion>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
        .with_context(|| format!("failed to parse YAML in {}", path.display()))?;
    let mut out = Vec::new();
    for doc in docs {
        if let Some(schema) = doc.get("openAPIV3Schema") {
            let stem = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| n.split('.').next().unwrap_or(n).to_string())
                .unwrap_or_default();
            out.push(CrdVersion {
                group: String::new(),
                version: String::new(),
                kind: String::new(),
                list_kind: String::new(),
                plural: format!("{stem}s"),
                singular: stem,
                short_names: vec![],
                categories: vec![],
                namespaced: true,
                served: true,
                storage: true,
                status_subresource: true,
                printer_columns: vec![],
                schema: Arc::new(schema.clone()),
            });
        } else if doc.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition") {
            out.extend(crd_versions(&doc).with_context(|| format!("in {}", path.display()))?);
        }
    }
    if out.is_empty() {
        bail!(
            "{} holds no CustomResourceDefinition or openAPIV3Schema",
            path.display()
        );
    }
    Ok(out)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn crd_versions(doc: &Value) -> anyhow::Result<Vec<CrdVersion>> {
    let spec = doc.get("spec").context("CRD without spec")?;
    let names = spec.get("names").context("CRD without spec.names")?;
    let s = |v: &Value, k: &str| str_of(v, k).unwrap_or("").to_string();
    let plural = s(names, "plural");
    let kind = s(names, "kind");
    let mut out = Vec::new();
    for version in spec
        .get("versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let columns = version
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| PrinterColumn {
                name: s(c, "name"),
                type_: s(c, "type"),
                json_path: s(c, "jsonPath"),
                description: s(c, "description"),
                priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                format: s(c, "format"),
            })
            .collect();
        out.push(CrdVersion {
            group: s(spec, "group"),
            version: s(version, "name"),
            kind: kind.clone(),
            list_kind: str_of(names, "listKind").map(str::to_string).unwrap_or_else(|| format!("{kind}List")),
            plural: plural.clone(),
            singular: str_of(names, "singular").map(str::to_string).unwrap_or_else(|| kind.to_lowercase()),
            short_names: strings(names.get("shortNames")),
            categories: strings(names.get("categories")),
            namespaced: str_of(spec, "scope") != Some("Cluster"),
            served: version.get("served").and_then(Value::as_bool).unwrap_or(true),
            storage: flag(version, "storage"),
            status_subresource: version.get("subresources").and_then(|s| s.get("status")).is_some(),
            printer_columns: columns,
            schema: Arc::new(
                version
                    .get("schema")
                    .and_then(|s| s.get("openAPIV3Schema"))
                    .cloned()
                    .unwrap_or_else(|| serde_json::json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})),
            ),
        });
    }
    Ok(out)
}

fn col(name: &str, type_: &str, json_path: &str, priority: i64) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        json_path: json_path.into(),
        description: String::new(),
        priority,
        format: String::new(),
    }
}

/// group, versions (storage first), kind, short names, printer columns.
type KubevirtNames = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
    Vec<PrinterColumn>,
);

/// What KubeVirt's virt-operator puts in the CRDs the bare schema files were cut from
/// (`pkg/virt-operator/resource/generate/components/crds.go`).
fn kubevirt_names(stem: &str) -> Option<KubevirtNames> {
    let age = col("Age", "date", ".metadata.creationTimestamp", 0);
    Some(match stem {
        "virtualmachine" => (
            "kubevirt.io",
            &["v1", "v1alpha3"],
            "VirtualMachine",
            &["vm", "vms"],
            vec![
                age,
                col("Status", "string", ".status.printableStatus", 0),
                col(
                    "Ready",
                    "string",
                    ".status.conditions[?(@.type=='Ready')].status",
                    0,
                ),
            ],
        ),
        "virtualmachineinstance" => (
            "kubevirt.io",
            &["v1", "v1alpha3"],
            "VirtualMachineInstance",
            &["vmi", "vmis"],
            vec![
                age,
                col("Phase", "string", ".status.phase", 0),
                col("IP", "string", ".status.interfaces[0].ipAddress", 0),
                col("NodeName", "string", ".status.nodeName", 0),
                col(
                    "Ready",
                    "string",
                    ".status.conditions[?(@.type=='Ready')].status",
                    0,
                ),
                col(
                    "Live-Migratable",
                    "string",
                    ".status.conditions[?(@.type=='LiveMigratable')].status",
                    1,
                ),
                col(
                    "Paused",
                    "string",
                    ".status.conditions[?(@.type=='Paused')].status",
                    1,
                ),
            ],
        ),
        "virtualmachinesnapshot" => (
            "snapshot.kubevirt.io",
            &["v1beta1", "v1alpha1"],
            "VirtualMachineSnapshot",
            &["vmsnapshot", "vmsnapshots"],
            vec![
                col("SourceKind", "string", ".spec.source.kind", 0),
                col("SourceName", "string", ".spec.source.name", 0),
                col("Phase", "string", ".status.phase", 0),
                col("ReadyToUse", "boolean", ".status.readyToUse", 0),
                col("CreationTime", "date", ".status.creationTime", 0),
                col("Error", "string", ".status.error.message", 0),
            ],
        ),
        "virtualmachinesnapshotcontent" => (
            "snapshot.kubevirt.io",
            &["v1beta1", "v1alpha1"],
            "VirtualMachineSnapshotContent",
            &["vmsnapshotcontent", "vmsnapshotcontents"],
            vec![
                col("ReadyToUse", "boolean", ".status.readyToUse", 0),
                col("CreationTime", "date", ".status.creationTime", 0),
                col("Error", "string", ".status.error.message", 0),
            ],
        ),
        "virtualmachinerestore" => (
            "snapshot.kubevirt.io",
            &["v1beta1", "v1alpha1"],
            "VirtualMachineRestore",
            &["vmrestore", "vmrestores"],
            vec![
                col("TargetKind", "string", ".spec.target.kind", 0),
                col("TargetName", "string", ".spec.target.name", 0),
                col("Complete", "boolean", ".status.complete", 0),
                col("RestoreTime", "date", ".status.restoreTime", 0),
                col("Error", "string", ".status.error.message", 0),
            ],
        ),
        "virtualmachineclone" => (
            "clone.kubevirt.io",
            &["v1beta1", "v1alpha1"],
            "VirtualMachineClone",
            &["vmclone", "vmclones"],
            vec![
                col("Phase", "string", ".status.phase", 0),
                col("SourceVirtualMachine", "string", ".spec.source.name", 0),
                col("TargetVirtualMachine", "string", ".spec.target.name", 0),
            ],
        ),
        "virtualmachineexport" => (
            "export.kubevirt.io",
            &["v1beta1", "v1alpha1"],
            "VirtualMachineExport",
            &["vmexport", "vmexports"],
            vec![
                col("SourceKind", "string", ".spec.source.kind", 0),
                col("SourceName", "string", ".spec.source.name", 0),
                col("Phase", "string", ".status.phase", 0),
            ],
        ),
        _ => return None,
    })
}

/// Loads every schema under a reference directory laid out like `../shared/reference`:
/// `kubevirt/*.schema.yaml` (named from KubeVirt's CRD definitions; the first version listed
/// is the storage version) and full CRDs in `csi/`, `cdi/` and any other subdirectory.
/// Files that fail to parse are skipped with their error returned beside the result.
///
/// The reference data is read-only, so a directory is parsed once per process: every later
/// simulator a test suite starts gets the same (shared) schemas at once.
pub fn load_dir(dir: &Path) -> anyhow::Result<(Vec<CrdVersion>, Vec<anyhow::Error>)> {
    type Loaded = (Vec<CrdVersion>, Vec<String>);
    static CACHE: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Loaded>>,
    > = std::sync::OnceLock::new();
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let cache = CACHE.get_or_init(Default::default);
    // Holding the lock while parsing makes concurrent first callers wait instead of all parsing.
    let mut cached = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((versions, errors)) = cached.get(&key) {
        return Ok((
            versions.clone(),
            errors.iter().map(|e| anyhow::anyhow!("{e}")).collect(),
        ));
    }
    let (versions, errors) = load_dir_uncached(dir)?;
    let messages: Vec<String> = errors.iter().map(|e| format!("{e:#}")).collect();
    cached.insert(key, (versions.clone(), messages));
    Ok((versions, errors))
}

fn load_dir_uncached(dir: &Path) -> anyhow::Result<(Vec<CrdVersion>, Vec<anyhow::Error>)> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut subdirs: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("failed to read {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(stem) = name.strip_suffix(".schema.yaml") {
                let Some((group, versions, kind, short, columns)) = kubevirt_names(stem) else {
                    continue;
                };
                match load_crd(&file) {
                    Ok(found) => {
                        let Some(base) = found.into_iter().next() else {
                            continue;
                        };
                        for (i, version) in versions.iter().enumerate() {
                            out.push(CrdVersion {
                                group: group.into(),
                                version: (*version).into(),
                                kind: kind.into(),
                                list_kind: format!("{kind}List"),
                                plural: format!("{stem}s"),
                                singular: stem.into(),
                                short_names: short.iter().map(|s| s.to_string()).collect(),
                                categories: vec!["all".into()],
                                namespaced: true,
                                served: true,
                                storage: i == 0,
                                status_subresource: true,
                                printer_columns: columns.clone(),
                                schema: base.schema.clone(),
                            });
                        }
                    }
                    Err(e) => errors.push(e),
                }
                continue;
            }
            // Other YAML files (examples, CRDs of other providers) may not be CRDs: skip quietly.
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e.into());
                    continue;
                }
            };
            if !text.contains("kind: CustomResourceDefinition") {
                continue;
            }
            match load_crd(&file) {
                Ok(found) => out.extend(found),
                Err(e) => errors.push(e),
            }
        }
    }
    Ok((out, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot_schema() -> Value {
        json!({
            "type": "object",
            "required": ["spec"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": {"type": "object"},
                "spec": {
                    "type": "object",
                    "required": ["source"],
                    "properties": {
                        "deletionPolicy": {"type": "string", "enum": ["Delete", "Retain"]},
                        "failureDeadline": {"type": "string"},
                        "source": {"type": "object", "required": ["kind", "name"], "properties": {
                            "apiGroup": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"}}},
                        "size": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}],
                            "pattern": QUANTITY_PATTERN},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set", "maxItems": 3},
                        "count": {"type": "integer", "format": "int32", "minimum": 1},
                        "when": {"type": "string", "format": "date-time", "nullable": true},
                        "mode": {"type": "string", "default": "Auto"},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                    }
                }
            }
        })
    }

    fn render(causes: &[Cause]) -> Vec<String> {
        causes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn missing_required_field_is_required_value() {
        let causes = validate(
            &snapshot_schema(),
            &json!({"metadata": {"name": "s1"}, "spec": {}}),
        );
        assert_eq!(render(&causes), ["spec.source: Required value"]);
        assert_eq!(causes[0].reason, "FieldValueRequired");
    }

    #[test]
    fn enum_violation_lists_supported_values() {
        let causes = validate(
            &snapshot_schema(),
            &json!({"spec": {"source": {"kind": "VirtualMachine", "name": "a"}, "deletionPolicy": "Foo"}}),
        );
        assert_eq!(
            render(&causes),
            [
                r#"spec.deletionPolicy: Unsupported value: "Foo": supported values: "Delete", "Retain""#
            ]
        );
        assert_eq!(causes[0].reason, "FieldValueNotSupported");
    }

    #[test]
    fn wrong_type_is_worded_like_kube_openapi() {
        let causes = validate(
            &snapshot_schema(),
            &json!({"spec": {"source": {"kind": "VirtualMachine", "name": "a"}, "failureDeadline": 5}}),
        );
        assert_eq!(
            render(&causes),
            [
                r#"spec.failureDeadline: Invalid value: "integer": spec.failureDeadline in body must be of type string: "integer""#
            ]
        );
        assert_eq!(causes[0].reason, "FieldValueTypeInvalid");
    }

    #[test]
    fn unknown_fields_are_pruned_and_reported_not_rejected() {
        let mut obj = json!({"metadata": {"name": "s", "labels": {"a": "b"}}, "spec": {
            "source": {"kind": "VirtualMachine", "name": "a", "extra": 1}, "bogus": true,
            "free": {"anything": {"goes": 1}}}});
        let out = validate_and_prune(&snapshot_schema(), &mut obj);
        assert!(out.causes.is_empty(), "{:?}", out.causes);
        assert_eq!(out.pruned, ["spec.bogus", "spec.source.extra"]);
        assert_eq!(obj["metadata"]["labels"]["a"], "b");
        assert_eq!(obj["spec"]["free"]["anything"]["goes"], 1);
        assert_eq!(obj["spec"]["mode"], "Auto", "defaults are applied");
    }

    #[test]
    fn int_or_string_quantities_are_checked() {
        let schema = snapshot_schema();
        let base =
            |size: Value| json!({"spec": {"source": {"kind": "K", "name": "n"}, "size": size}});
        assert!(validate(&schema, &base(json!("10Gi"))).is_empty());
        assert!(validate(&schema, &base(json!(1024))).is_empty());
        assert!(validate(&schema, &base(json!("1.5e3"))).is_empty());
        let bad = validate(&schema, &base(json!("10 GB")));
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0]
                .message
                .starts_with("Invalid value: \"10 GB\": spec.size in body should match '^(\\+|-)?")
        );
        assert_eq!(
            validate(&schema, &base(json!(true)))[0].reason,
            "FieldValueTypeInvalid"
        );
    }

    #[test]
    fn bounds_sets_maps_and_formats() {
        let schema = snapshot_schema();
        let obj = json!({"spec": {"source": {"kind": "K", "name": "n"}, "count": 0,
            "tags": ["a", "a", "b", "c"], "labels": {"x": 1}, "when": "yesterday"}});
        let got = render(&validate(&schema, &obj));
        assert!(got.contains(&"spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1".to_string()), "{got:?}");
        assert!(
            got.contains(&"spec.tags: Too many: 4: must have at most 3 items".to_string()),
            "{got:?}"
        );
        assert!(
            got.contains(&r#"spec.tags[1]: Duplicate value: "a""#.to_string()),
            "{got:?}"
        );
        assert!(got.contains(&r#"spec.labels.x: Invalid value: "integer": spec.labels.x in body must be of type string: "integer""#.to_string()), "{got:?}");
        assert!(
            got.iter()
                .any(|c| c.starts_with("spec.when: Invalid value: \"yesterday\"")),
            "{got:?}"
        );
        let ok = json!({"spec": {"source": {"kind": "K", "name": "n"}, "when": null}});
        assert!(validate(&schema, &ok).is_empty());
        let ok =
            json!({"spec": {"source": {"kind": "K", "name": "n"}, "when": "2026-01-02T03:04:05Z"}});
        assert!(validate(&schema, &ok).is_empty());
    }

    #[test]
    fn null_for_a_non_nullable_field_is_a_type_error() {
        let got = render(&validate(
            &snapshot_schema(),
            &json!({"spec": {"source": null}}),
        ));
        assert_eq!(
            got,
            [
                r#"spec.source: Invalid value: "null": spec.source in body must be of type object: "null""#
            ]
        );
    }

    #[test]
    fn simple_cel_rules_are_enforced() {
        let schema = json!({"type": "object", "properties": {"cls": {"type": "string",
            "x-kubernetes-validations": [{"rule": "size(self) > 0", "message": "must not be empty"}]},
            "modes": {"type": "array", "items": {"type": "string"}, "x-kubernetes-validations": [
                {"rule": "self.all(am, am in ['ReadWriteOnce', 'ReadOnlyMany'])", "message": "Illegal AccessMode"}]},
            "fixed": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "immutable"}]}}});
        let got = render(&validate(
            &schema,
            &json!({"cls": "", "modes": ["ReadWriteOnce", "Bogus"], "fixed": "x"}),
        ));
        assert_eq!(
            got,
            [
                r#"cls: Invalid value: "string": must not be empty"#,
                r#"modes: Invalid value: "array": Illegal AccessMode"#
            ]
        );
    }

    #[test]
    fn quantities() {
        for ok in ["1", "10Gi", "500m", "+1.5", ".5", "1e3", "2E-2", "3k", "1."] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "Gi", "1 Gi", "1GB", "1e", "--1", "1.2.3", "1ki"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn embedded_resources_keep_their_type_and_metadata() {
        let schema = json!({"type": "object", "properties": {"template": {"type": "object",
            "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object",
                "properties": {"size": {"type": "integer", "format": "int32"}}}}},
            "extra": {"type": "object", "additionalProperties": true},
            "either": {"anyOf": [{"type": "string"}, {"type": "boolean"}]}}});
        let mut obj = json!({"template": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"size": 3, "junk": 1}},
            "extra": {"anything": [1, 2]}, "either": true});
        let out = validate_and_prune(&schema, &mut obj);
        assert!(out.causes.is_empty(), "{:?}", out.causes);
        assert_eq!(out.pruned, ["template.spec.junk"]);
        assert_eq!(obj["template"]["metadata"]["labels"]["a"], "b");
        assert_eq!(obj["extra"]["anything"], json!([1, 2]));
        let bad = json!({"template": {"spec": {"size": 3_000_000_000i64}}, "either": 5});
        let got = render(&validate(&schema, &bad));
        assert!(
            got.iter()
                .any(|c| c.starts_with("template.spec.size: Invalid value: 3000000000")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|c| c.ends_with("must validate at least one schema (anyOf)")),
            "{got:?}"
        );
    }
}
