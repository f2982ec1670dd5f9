//! `--sort-by=JSONPATH` as kubectl sorts (kubernetes/kubectl pkg/cmd/get/sorter.go, isLess, at
//! dee3483a3): a simple field path over each API object; numbers by value, strings as
//! quantities when both parse as one, else bytewise (RFC 3339 timestamps sort in time order);
//! a missing or null field sorts first.

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::UserError;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed `--sort-by` path: `{.a.b}`, `.a.b`, `a.b`, with `[N]` and `['key']` steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    /// As kubectl shows it in messages: `{.a.b}`.
    shown: String,
    steps: Vec<Step>,
}

impl FieldPath {
    /// Parses kubectl's relaxed form (`RelaxedJSONPathExpression`): optional braces, optional
    /// leading dot. As client-go's jsonpath reads it, `\.` is a dot inside a key
    /// (`.metadata.labels.app\.kubernetes\.io/name`) and `['k']` is the path `.k` (so a dot
    /// in it still separates keys). Filters, wildcards and ranges are refused: a sort key is
    /// one field.
    pub fn parse(input: &str) -> Result<FieldPath, UserError> {
        let bad = |why: &str| {
            UserError::usage(format!("--sort-by {input:?}: {why}"))
                .hint("give a field path such as '{.metadata.name}' or .status.creationTime")
        };
        let Some(inner) = super::jsonpath::relaxed_path(input) else {
            return Err(bad("not a field path"));
        };
        let steps = steps_of(inner).map_err(bad)?;
        Ok(FieldPath {
            shown: format!("{{.{inner}}}"),
            steps,
        })
    }

    /// The field in `obj`, if present (a JSON null is present: kubectl sorts it first too).
    pub fn find<'v>(&self, obj: &'v Value) -> Option<&'v Value> {
        self.steps.iter().try_fold(obj, |v, step| match step {
            Step::Key(k) => v.get(k.as_str()),
            Step::Index(i) => v.get(*i),
        })
    }

    /// The path as kubectl prints it (`{.a.b}`).
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

/// The steps of a path without its braces and leading dot.
fn steps_of(path: &str) -> Result<Vec<Step>, &'static str> {
    let mut steps = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars().peekable();
    let end_key = |key: &mut String, steps: &mut Vec<Step>| -> Result<(), &'static str> {
        if key.is_empty() {
            return Err("an empty field name");
        }
        if key.contains(['*', '?', '@', '(', ')', ' ']) {
            return Err("one field is needed, not a filter or a wildcard");
        }
        steps.push(Step::Key(std::mem::take(key)));
        Ok(())
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.push(chars.next().ok_or("a '\\' at the end")?),
            '.' => end_key(&mut key, &mut steps)?,
            '[' => {
                if !key.is_empty() {
                    end_key(&mut key, &mut steps)?;
                }
                let inside: String = chars.by_ref().take_while(|c| *c != ']').collect();
                match inside.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
                    Some(dict_key) => steps.extend(steps_of(dict_key)?),
                    None => steps.push(Step::Index(
                        inside
                            .parse()
                            .map_err(|_| "only [N] and ['key'] are allowed in brackets")?,
                    )),
                }
                if chars.peek() == Some(&'.') {
                    chars.next();
                }
            }
            c => key.push(c),
        }
    }
    if !key.is_empty() || steps.is_empty() {
        end_key(&mut key, &mut steps)?;
    }
    Ok(steps)
}

/// A sort key taken from one object: what kubectl compares.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    /// The field is absent or null: first.
    Missing,
    /// A JSON number.
    Number(f64),
    /// A JSON string.
    Text(String),
    /// Something kubectl cannot sort (a boolean, an object, a list); its JSON type.
    Unsortable(&'static str),
}

impl SortKey {
    /// The key of `obj` at `path`.
    pub fn of(path: &FieldPath, obj: &Value) -> SortKey {
        match path.find(obj) {
            None | Some(Value::Null) => SortKey::Missing,
            Some(Value::Number(n)) => SortKey::Number(n.as_f64().unwrap_or(f64::NAN)),
            Some(Value::String(s)) => SortKey::Text(s.clone()),
            Some(Value::Bool(_)) => SortKey::Unsortable("boolean"),
            Some(Value::Object(_)) => SortKey::Unsortable("object"),
            Some(Value::Array(_)) => SortKey::Unsortable("list"),
        }
    }

    fn kind(&self) -> Option<&'static str> {
        match self {
            SortKey::Missing => None,
            SortKey::Number(_) => Some("number"),
            SortKey::Text(_) => Some("string"),
            SortKey::Unsortable(t) => Some(t),
        }
    }
}

/// Checks the keys as kubectl does before sorting more than one row: the field must be
/// found at least once, and every value found must be of one sortable type.
pub fn check_keys(path: &FieldPath, keys: &[SortKey]) -> Result<(), UserError> {
    if keys.len() < 2 {
        return Ok(());
    }
    let kinds: Vec<&'static str> = keys.iter().filter_map(SortKey::kind).collect();
    let Some(first) = kinds.first() else {
        return Err(UserError::usage(format!(
            "couldn't find any field with path {:?} in the list of objects",
            path.shown()
        ))
        .hint("the path starts at the API object, e.g. '{.metadata.creationTimestamp}' or '{.status.phase}'"));
    };
    if let Some(bad) = kinds.iter().find(|k| !matches!(**k, "number" | "string")) {
        return Err(UserError::usage(format!(
            "cannot sort by {}: its value is a {bad}",
            path.shown()
        ))
        .hint("sort by a field that holds a number, a string, a timestamp or a quantity"));
    }
    if let Some(other) = kinds.iter().find(|k| *k != first) {
        return Err(UserError::usage(format!(
            "cannot sort by {}: its values are both {first}s and {other}s",
            path.shown()
        ))
        .hint("sort by a field that holds values of one type"));
    }
    Ok(())
}

/// kubectl's order of two keys (checked by [`check_keys`] first).
pub fn compare(a: &SortKey, b: &SortKey) -> Ordering {
    match (a, b) {
        (SortKey::Missing, SortKey::Missing) => Ordering::Equal,
        (SortKey::Missing, _) => Ordering::Less,
        (_, SortKey::Missing) => Ordering::Greater,
        (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
        (SortKey::Text(x), SortKey::Text(y)) => match (quantity_value(x), quantity_value(y)) {
            (Some(qx), Some(qy)) => qx.total_cmp(&qy),
            _ => x.cmp(y),
        },
        _ => Ordering::Equal,
    }
}

/// Sorts `(key, item)` pairs stably in kubectl's order of their keys.
pub fn sort_by_keys<T>(items: &mut [(SortKey, T)]) {
    items.sort_by(|(a, _), (b, _)| compare(a, b));
}

/// Sorts `items` stably by their keys at `path` (`key` takes it from each one's API object,
/// [`SortKey::of`]; `Missing` for a row that stands for no object), as kubectl's `--sort-by`,
/// after checking the keys as kubectl does.
pub fn sort_by_path<T>(
    items: &mut Vec<T>,
    path: &FieldPath,
    key: impl Fn(&T) -> SortKey,
) -> Result<(), UserError> {
    let mut keyed: Vec<(SortKey, T)> = items.drain(..).map(|i| (key(&i), i)).collect();
    let keys: Vec<SortKey> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let checked = check_keys(path, &keys);
    sort_by_keys(&mut keyed);
    items.extend(keyed.into_iter().map(|(_, i)| i));
    checked
}

/// The value of a Kubernetes quantity (resource.ParseQuantity's grammar), or None when the
/// string is not one: `1Gi`, `500m`, `1.5e3`, `10`.
pub fn quantity_value(s: &str) -> Option<f64> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let unsigned = number.strip_prefix(['+', '-']).unwrap_or(number);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        e if e.starts_with(['e', 'E']) => {
            let exp = &e[1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits_ok(digits) {
                return None;
            }
            10f64.powi(exp.parse().ok()?)
        }
        _ => return None,
    };
    Some(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> FieldPath {
        FieldPath::parse(p).expect("path parses")
    }

    #[test]
    fn relaxed_paths_are_read_as_kubectl_reads_them() {
        for p in [
            "{.metadata.name}",
            ".metadata.name",
            "metadata.name",
            "{metadata.name}",
        ] {
            assert_eq!(path(p).shown(), "{.metadata.name}", "{p}");
        }
        let obj = json!({"metadata": {"labels": {"app.kubernetes.io/name": "db"}},
                         "status": {"conditions": [{"type": "Ready"}]}});
        assert_eq!(
            path(r"{.metadata.labels.app\.kubernetes\.io/name}").find(&obj),
            Some(&json!("db"))
        );
        // client-go reads ['k'] as the path .k: its dots still separate keys.
        assert_eq!(
            path("{.metadata['labels']}").find(&obj),
            path(".metadata.labels").find(&obj)
        );
        assert_eq!(
            path("{.metadata.labels['app.kubernetes.io/name']}").find(&obj),
            None
        );
        assert_eq!(
            path(".status.conditions[0].type").find(&obj),
            Some(&json!("Ready"))
        );
        assert_eq!(path(".status.nothing").find(&obj), None);
        for bad in [
            "",
            "{}",
            "{.items[*].x}",
            ".a[?(@.x)]",
            "{.a}{.b}",
            ".a..b",
            "a\\",
        ] {
            assert!(FieldPath::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn strings_sort_bytewise_and_quantities_by_value() {
        let t = |s: &str| SortKey::Text(s.into());
        assert_eq!(compare(&t("2Gi"), &t("1500Mi")), Ordering::Greater);
        assert_eq!(compare(&t("100m"), &t("1")), Ordering::Less);
        assert_eq!(compare(&t("1e3"), &t("2k")), Ordering::Less);
        // Timestamps are not quantities: bytewise order is time order for RFC 3339.
        assert_eq!(
            compare(&t("2026-11-26T09:00:00Z"), &t("2026-11-26T10:00:00Z")),
            Ordering::Less
        );
        // Not natural order: kubectl compares the bytes ("snap-10" < "snap-2").
        assert_eq!(compare(&t("snap-10"), &t("snap-2")), Ordering::Less);
        assert_eq!(compare(&t("4310811d"), &t("80de391a")), Ordering::Less);
        assert_eq!(quantity_value("s1"), None);
        assert_eq!(quantity_value("1Gi"), Some(1073741824.0));
        assert_eq!(quantity_value("-1.5k"), Some(-1500.0));
    }

    #[test]
    fn numbers_by_value_and_missing_fields_first() {
        let p = path(".n");
        let mut rows: Vec<(SortKey, &str)> = [
            json!({"n": 10}),
            json!({}),
            json!({"n": 9.5}),
            json!({"n": null}),
        ]
        .iter()
        .zip(["ten", "none", "nine", "null"])
        .map(|(o, name)| (SortKey::of(&p, o), name))
        .collect();
        let keys: Vec<SortKey> = rows.iter().map(|(k, _)| k.clone()).collect();
        check_keys(&p, &keys).expect("sortable");
        sort_by_keys(&mut rows);
        let order: Vec<&str> = rows.iter().map(|(_, n)| *n).collect();
        assert_eq!(order, ["none", "null", "nine", "ten"]);
    }

    #[test]
    fn a_field_found_nowhere_or_of_mixed_or_unsortable_types_is_refused() {
        let p = path(".x");
        let key = |v: Value| SortKey::of(&p, &json!({ "x": v }));
        let missing = SortKey::of(&p, &json!({}));
        let e = check_keys(&p, &[missing.clone(), missing.clone()]).unwrap_err();
        assert!(
            e.to_string()
                .contains("couldn't find any field with path \"{.x}\"")
        );
        assert!(check_keys(&p, &[key(json!(true)), key(json!(false))]).is_err());
        assert!(check_keys(&p, &[key(json!(1)), key(json!("a"))]).is_err());
        assert!(check_keys(&p, &[key(json!({"a": 1})), missing.clone()]).is_err());
        // One row is printed as it is, as kubectl does.
        assert!(check_keys(&p, &[missing]).is_ok());
    }
}
