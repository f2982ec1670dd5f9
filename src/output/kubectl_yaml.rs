//! `-o yaml` of API objects as kubectl prints them: sigs.k8s.io/yaml over go-yaml v2
//! (encode.go, emitterc.go): keys in go-yaml's natural order, sequences not indented under
//! their key, strings plain when YAML 1.1 would read them back as strings, else single- or
//! double-quoted, multi-line strings as `|` blocks, long plain and single-quoted strings folded
//! after column 80.
//!
//! serde-saphyr (the reports' YAML) chooses double quotes and `>-` blocks where go-yaml chooses
//! single quotes and folded plain lines, and has no option for either, hence this writer.

use std::cmp::Ordering;

use serde_json::Value;

/// go-yaml's `best_width`.
const WIDTH: usize = 80;

/// The YAML kubectl prints for `value` (an object or a `List`).
pub fn to_string(value: &Value) -> String {
    let mut w = Writer {
        out: String::new(),
        column: 0,
    };
    match value {
        Value::Object(map) if !map.is_empty() => w.mapping(map, 0),
        other => {
            w.scalar_or_empty(other, 0, false);
            w.newline();
        }
    }
    w.out
}

/// One item of a `List` printed by [`to_string`], as it stands under `items:` (`- ` and the
/// object at indent 2, ending in a newline): a long list writes its items one at a time.
pub fn list_item(item: &Value) -> String {
    let mut w = Writer {
        out: String::new(),
        column: 0,
    };
    w.sequence_item(item, 0);
    w.out
}

struct Writer {
    out: String,
    column: usize,
}

impl Writer {
    fn push(&mut self, s: &str) {
        self.out.push_str(s);
        match s.rfind('\n') {
            Some(i) => self.column = s[i + 1..].chars().count(),
            None => self.column += s.chars().count(),
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn indent(&mut self, n: usize) {
        self.newline();
        self.push(&" ".repeat(n));
    }

    /// A block mapping whose first key is written at the current position, the others at
    /// `indent`; ends with a newline.
    fn mapping(&mut self, map: &serde_json::Map<String, Value>, indent: usize) {
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by(|a, b| natural(a, b));
        for (i, key) in keys.into_iter().enumerate() {
            if i > 0 {
                self.push(&" ".repeat(indent));
            }
            self.string(key, indent + 2, true);
            self.push(":");
            self.value(&map[key], indent);
        }
    }

    /// What follows `key:` (or `- `) at `indent`.
    fn value(&mut self, v: &Value, indent: usize) {
        match v {
            Value::Object(map) if !map.is_empty() => {
                self.newline();
                self.push(&" ".repeat(indent + 2));
                self.mapping(map, indent + 2);
            }
            // Sequences sit at their key's indentation.
            Value::Array(items) if !items.is_empty() => {
                self.newline();
                self.push(&" ".repeat(indent));
                self.sequence(items, indent);
            }
            other => {
                self.push(" ");
                self.scalar_or_empty(other, indent + 2, false);
                self.newline();
            }
        }
    }

    /// A block sequence whose first `- ` is at the current position, the others at `indent`.
    fn sequence(&mut self, items: &[Value], indent: usize) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(&" ".repeat(indent));
            }
            self.sequence_item(item, indent);
        }
    }

    /// `- ` and one item of a block sequence at `indent`, at the current position.
    fn sequence_item(&mut self, item: &Value, indent: usize) {
        self.push("- ");
        match item {
            Value::Object(map) if !map.is_empty() => self.mapping(map, indent + 2),
            Value::Array(inner) if !inner.is_empty() => self.sequence(inner, indent + 2),
            other => {
                self.scalar_or_empty(other, indent + 2, false);
                self.newline();
            }
        }
    }

    fn scalar_or_empty(&mut self, v: &Value, indent: usize, key: bool) {
        match v {
            Value::Null => self.push("null"),
            Value::Bool(b) => self.push(if *b { "true" } else { "false" }),
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() => self.push(&go_float_g(f)),
                _ => self.push(&n.to_string()),
            },
            Value::String(s) => self.string(s, indent, key),
            Value::Array(_) => self.push("[]"),
            Value::Object(_) => self.push("{}"),
        }
    }

    /// A string scalar in go-yaml's style; continuation lines at `indent`.
    fn string(&mut self, s: &str, indent: usize, key: bool) {
        let a = analyze(s);
        if s.contains('\n') {
            // go-yaml asks for a literal block; a key or a string that cannot be one is quoted.
            if !key && a.block_allowed {
                self.literal(s, indent);
            } else {
                self.double_quoted(s);
            }
        } else if resolves_to_other_type(s) {
            self.double_quoted(s);
        } else if a.block_plain {
            self.folded(s, indent, !key, None);
        } else if a.single_quoted {
            self.folded(&s.replace('\'', "''"), indent, !key, Some('\''));
        } else {
            self.double_quoted(s);
        }
    }

    /// Plain or single-quoted text, a space after column 80 turned into a line break.
    fn folded(&mut self, s: &str, indent: usize, allow_breaks: bool, quote: Option<char>) {
        if let Some(q) = quote {
            self.push(&q.to_string());
        }
        let chars: Vec<char> = s.chars().collect();
        let mut prev_space = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                let inner = quote.is_none() || (i != 0 && i + 1 != chars.len());
                if allow_breaks && !prev_space && self.column > WIDTH && !next_space && inner {
                    self.indent(indent);
                } else {
                    self.push(" ");
                }
                prev_space = true;
            } else {
                let mut buf = [0u8; 4];
                self.push(c.encode_utf8(&mut buf));
                prev_space = false;
            }
        }
        if let Some(q) = quote {
            self.push(&q.to_string());
        }
    }

    /// `|`, `|-` or `|+`, lines at `indent`.
    fn literal(&mut self, s: &str, indent: usize) {
        let chomp = if !s.ends_with('\n') {
            "-"
        } else if s.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        let hint = if s.starts_with(' ') { "2" } else { "" };
        self.push(&format!("|{hint}{chomp}"));
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            self.newline();
            if !line.is_empty() {
                self.push(&" ".repeat(indent));
                self.push(line);
            }
        }
    }

    fn double_quoted(&mut self, s: &str) {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\0' => out.push_str("\\0"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{b}' => out.push_str("\\v"),
                '\u{c}' => out.push_str("\\f"),
                '\u{1b}' => out.push_str("\\e"),
                '\u{85}' => out.push_str("\\N"),
                '\u{a0}' => out.push_str("\\_"),
                '\u{2028}' => out.push_str("\\L"),
                '\u{2029}' => out.push_str("\\P"),
                c if !printable(c) => {
                    let n = c as u32;
                    if n <= 0xff {
                        out.push_str(&format!("\\x{n:02X}"));
                    } else if n <= 0xffff {
                        out.push_str(&format!("\\u{n:04X}"));
                    } else {
                        out.push_str(&format!("\\U{n:08X}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        self.push(&out);
    }
}

/// What go-yaml's `yaml_emitter_analyze_scalar` allows for a string (block context).
struct Analysis {
    block_plain: bool,
    single_quoted: bool,
    block_allowed: bool,
}

fn analyze(s: &str) -> Analysis {
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut line_breaks, mut special) =
        (false, false, false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_ws = next.is_none_or(|n| matches!(n, ' ' | '\t' | '\n' | '\r'));
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                block_indicators = true;
            }
            if (c == '?' || c == ':' || c == '-') && followed_by_ws {
                block_indicators = true;
            }
        } else if (c == ':' && followed_by_ws) || (c == '#' && preceded_by_ws) {
            block_indicators = true;
        }
        if !printable(c) && c != '\n' {
            special = true;
        }
        let last = i + 1 == chars.len();
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if c == '\n' || c == '\r' {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_break = true;
            previous_space = false;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t' | '\n' | '\r');
    }
    let mut a = Analysis {
        block_plain: true,
        single_quoted: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain = false;
        a.single_quoted = false;
    }
    if space_break || special {
        a = Analysis {
            block_plain: false,
            single_quoted: false,
            block_allowed: false,
        };
    }
    if line_breaks || block_indicators {
        a.block_plain = false;
    }
    a
}

/// go-yaml's `is_printable` (with unicode output on): tab and other C0/C1 controls are not.
fn printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

/// Whether YAML 1.1 (go-yaml v2's resolver) reads `s` as something other than a string (the
/// empty string is null): go-yaml double-quotes those.
fn resolves_to_other_type(s: &str) -> bool {
    const WORDS: [&str; 32] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
        ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
    ];
    s.is_empty()
        || WORDS.contains(&s)
        || matches!(
            s,
            "-.inf" | "-.Inf" | "-.INF" | "+.inf" | "+.Inf" | "+.INF" | "<<"
        )
        || is_int(s)
        || is_float(s)
        || is_base60(s)
        || is_timestamp(s)
}

/// YAML 1.1's sexagesimal numbers (`1:20`, `-3:25:45.5`), which go-yaml quotes.
fn is_base60(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int_part, fraction) = body.split_once('.').unwrap_or((body, ""));
    let mut parts = int_part.split(':');
    let head = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    head.starts_with(|c: char| c.is_ascii_digit())
        && head.chars().all(|c| c.is_ascii_digit() || c == '_')
        && !rest.is_empty()
        && rest.iter().all(|p| {
            (1..=2).contains(&p.len())
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || p.starts_with(|c: char| ('0'..='5').contains(&c)))
        })
        && fraction.chars().all(|c| c.is_ascii_digit() || c == '_')
}

fn is_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let plain = body.replace('_', "");
    if let Some(hex) = plain.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = plain.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    !plain.is_empty() && plain.chars().all(|c| c.is_ascii_digit()) && !body.starts_with('_')
}

fn is_float(s: &str) -> bool {
    // YAML 1.1's float pattern is broad; Go's ParseFloat on the underscore-free text decides.
    let t = s.replace('_', "");
    let t = t.as_str();
    let first_ok = t
        .trim_start_matches(['+', '-'])
        .starts_with(|c: char| c.is_ascii_digit() || c == '.');
    first_ok
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && t.parse::<f64>().is_ok()
}

/// go-yaml v2's timestamp forms: `2006-1-2`, with `T`/`t`/space and a time of day.
fn is_timestamp(s: &str) -> bool {
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let date: Vec<&str> = s[..date_end].split('-').collect();
    let date_ok = date.len() == 3
        && date[0].len() == 4
        && date
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()));
    if !date_ok {
        return false;
    }
    if date_end == s.len() {
        return true;
    }
    // A time follows: h:m:s with optional fraction and zone; trust the shape.
    let time = &s[date_end + 1..];
    let mut parts = time.splitn(3, ':');
    let (h, m, rest) = (parts.next(), parts.next(), parts.next());
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    digits(h) && digits(m) && rest.is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` as go-yaml v2 writes floats.
fn go_float_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    super::go_json::go_float(f, -4, 6)
}

/// go-yaml v2's key order: letters after other characters, digit runs by value.
fn natural(a: &str, b: &str) -> Ordering {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let run = |r: &[char]| {
            let mut end = i;
            let mut n: i64 = 0;
            while end < r.len() && r[end].is_ascii_digit() {
                n = n
                    .saturating_mul(10)
                    .saturating_add(i64::from(r[end] as u8 - b'0'));
                end += 1;
            }
            (n, end)
        };
        let ((mut an, ai), (mut bn, bi)) = (run(&ar), run(&br));
        if ar[i] == '0' || br[i] == '0' {
            // A zero inside a number ("10" vs "1a") compares as digits, not as a new run.
            if ar[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .any(|c| *c != '0')
            {
                an = 1;
                bn = 1;
            }
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_take_go_yamls_styles() {
        let long = "This is a long message that goes on and on past the eighty character limit of the emitter for sure yes";
        let v = json!({"data": {
            "ts": "2026-11-26T10:00:00Z", "n": "12", "t": "true", "e": "", "c": "a: b",
            "h": "x #y", "d": "- a", "m": "multi\nline", "m2": "multi\nline\n", "long": long,
            "nu": "null", "st": "*a", "q": "'quoted'", "y": "yes", "f": "1.5", "hx": "0x10",
            "u": "é", "sp": " lead", "col": "a:b", "dq": "say \"hi\"", "date": "2026-11-26",
            "tab": "a\tb", "qc": "{\"a\":1}"}});
        // The real kubectl's output for the same ConfigMap data (v1.32, create --dry-run).
        let expected = r#"data:
  c: 'a: b'
  col: a:b
  d: '- a'
  date: "2026-11-26"
  dq: say "hi"
  e: ""
  f: "1.5"
  h: 'x #y'
  hx: "0x10"
  long: This is a long message that goes on and on past the eighty character limit
    of the emitter for sure yes
  m: |-
    multi
    line
  m2: |
    multi
    line
  "n": "12"
  nu: "null"
  q: '''quoted'''
  qc: '{"a":1}'
  sp: ' lead'
  st: '*a'
  t: "true"
  tab: "a\tb"
  ts: "2026-11-26T10:00:00Z"
  u: é
  "y": "yes"
"#;
        assert_eq!(to_string(&v), expected);
    }

    #[test]
    fn sequences_sit_under_their_key_and_empties_are_flow() {
        let v =
            json!({"items": [{"b": [1, 2], "a": 1.5}, {"c": {}}], "e": [], "k": null, "f": 1e6});
        assert_eq!(
            to_string(&v),
            "e: []\nf: 1e+06\nitems:\n- a: 1.5\n  b:\n  - 1\n  - 2\n- c: {}\nk: null\n"
        );
    }

    #[test]
    fn keys_sort_as_go_yaml_sorts_them() {
        let mut keys = vec!["a10", "a9", "a_b", "aB", "ab", "a.b"];
        keys.sort_by(|a, b| natural(a, b));
        assert_eq!(keys, ["a.b", "a_b", "a9", "a10", "aB", "ab"]);
    }
}
