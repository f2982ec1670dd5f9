//! JSON and plain values written as kubectl (Go) writes them: sorted keys, `<>&` escaped as
//! `\u003c…`, four-space indents (`json.MarshalIndent(obj, "", "    ")`), Go's number and
//! `fmt.Print` forms.

use serde_json::Value;

/// `json.Marshal` (indent None) or `json.MarshalIndent(v, "", indent)`.
pub fn to_string(v: &Value, indent: Option<&str>) -> String {
    let mut out = String::new();
    write(&mut out, v, indent, 0);
    out
}

/// kubectl's `-o json`: four-space indents and a final newline.
pub fn pretty(v: &Value) -> String {
    let mut s = to_string(v, Some("    "));
    s.push('\n');
    s
}

/// One item of a `List` printed by [`pretty`], as it stands there: at depth 2, without the
/// line break and indent before it (a long list writes its items one at a time).
pub fn list_item(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, Some("    "), 2);
    out
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(step) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(step);
        }
    }
}

fn write(out: &mut String, v: &Value, indent: Option<&str>, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            // Go marshals maps with sorted keys, whatever order the map was built in.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                string(out, k);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, &map[k], indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

/// A JSON string as Go's encoder writes it (HTML-safe).
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `encoding/json` float form: plain decimals, exponent only below 1e-6 or from 1e21.
fn json_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => go_float(f, -6, 21),
        _ => n.to_string(),
    }
}

/// Shortest form of `f`, with an exponent (`1e+21`, `1e-07`) when the decimal exponent is
/// below `min_exp` or from `max_exp` on, as Go prints it: `json` (-6, 21), `fmt` `%v`
/// (-4, 21), `strconv` `'g'` (-4, 6).
pub(super) fn go_float(f: f64, min_exp: i32, max_exp: i32) -> String {
    if f == 0.0 || !f.is_finite() {
        return format!("{f}");
    }
    let exp = f.abs().log10().floor() as i32;
    if exp < min_exp || exp >= max_exp {
        // Rust writes 1e-7 / 1e21; Go writes 1e-07 / 1e+21.
        let s = format!("{f:e}");
        let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match e.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', e),
        };
        format!("{mantissa}e{sign}{digits:0>2}")
    } else {
        format!("{f}")
    }
}

/// A scalar as Go's `fmt.Fprint` prints it after kubectl decoded the JSON (jsonpath text).
pub fn print_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => go_float(n.as_f64().unwrap_or_default(), -4, 21),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        other => to_string(other, None),
    }
}

/// A value as Go's `fmt.Sprint` prints a decoded JSON value (custom-columns cells):
/// `map[k:v]` with sorted keys, `[a b]`, `<nil>`.
pub fn sprint(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(sprint).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", sprint(&map[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        scalar => print_scalar(scalar),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indents_by_four_sorts_keys_and_escapes_html_as_go_does() {
        let v = json!({"b": [1, {"z": "<a&b>"}], "a": {}, "c": []});
        assert_eq!(
            pretty(&v),
            "{\n    \"a\": {},\n    \"b\": [\n        1,\n        {\n            \"z\": \"\\u003ca\\u0026b\\u003e\"\n        }\n    ],\n    \"c\": []\n}\n"
        );
        assert_eq!(
            to_string(&v, None),
            r#"{"a":{},"b":[1,{"z":"\u003ca\u0026b\u003e"}],"c":[]}"#
        );
    }

    #[test]
    fn numbers_and_plain_values_print_in_gos_forms() {
        assert_eq!(to_string(&json!(1.5), None), "1.5");
        assert_eq!(to_string(&json!(1e21), None), "1e+21");
        assert_eq!(to_string(&json!(0.0000001), None), "1e-07");
        assert_eq!(print_scalar(&json!(0.00001)), "1e-05");
        assert_eq!(print_scalar(&json!(12)), "12");
        assert_eq!(print_scalar(&json!(null)), "null");
        assert_eq!(
            sprint(&json!({"b": [1, "x"], "a": null})),
            "map[a:<nil> b:[1 x]]"
        );
        assert_eq!(to_string(&json!("a\u{1}\n"), None), r#""a\u0001\n""#);
    }
}
