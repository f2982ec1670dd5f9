//! kubectl's JSONPath templates (`-o jsonpath=…`, `jsonpath-as-json`, custom-columns cells).
//!
//! The template layer is kubectl's (client-go util/jsonpath, parser.go and jsonpath.go at
//! kubernetes/client-go 57e697707f0b): literal text, `{…}` actions, `{range}…{end}`, quoted
//! literals (`{"\n"}`), missing keys printing nothing, several results joined by a space, maps
//! and lists printed as compact JSON. Each path (`.items[*].metadata.name`,
//! `[?(@.x=="y")]`, `..name`) is translated to an RFC 9535 query run by jsonpath-rust against
//! the current value.

use jsonpath_rust::parser::model::JpQuery;
use serde_json::Value;

use super::go_json;

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone)]
enum Node {
    /// Text between actions, or a quoted literal.
    Text(String),
    /// A query relative to the current value.
    Query(Query),
    /// `{range QUERY}` … `{end}`: the body once per result.
    Range { query: Query, body: Vec<Node> },
}

/// An RFC 9535 query parsed by jsonpath-rust; None is the current value itself (`{@}`).
#[derive(Debug, Clone)]
struct Query(Option<JpQuery>);

impl Query {
    /// Parses the translated `rfc` query (`$` is the current value).
    fn parse(rfc: &str) -> Result<Query, String> {
        if rfc == "$" {
            return Ok(Query(None));
        }
        jsonpath_rust::parser::parse_json_path(rfc)
            .map(|q| Query(Some(q)))
            .map_err(|e| format!("unsupported path {rfc}: {e}"))
    }

    fn run(&self, data: &Value) -> Result<Vec<Value>, String> {
        let Some(query) = &self.0 else {
            return Ok(vec![data.clone()]);
        };
        jsonpath_rust::query::js_path_process(query, data)
            .map(|found| found.into_iter().map(|r| r.val().clone()).collect())
            .map_err(|e| e.to_string())
    }
}

/// One element inside `{…}`.
#[derive(Debug)]
enum Elem {
    /// An RFC 9535 segment (`['name']`, `[*]`, `[0:2]`, `[?…]`, `..['x']`).
    Segment(String),
    Str(String),
    Number(String),
    Bool(bool),
    Range,
    End,
}

/// What one action is.
enum Action {
    Query(String),
    Literal(String),
    Range(String),
    End,
}

impl Template {
    /// Parses `text`; the error reads as kubectl's (`error parsing jsonpath T, reason`).
    pub fn parse(text: &str) -> Result<Template, String> {
        parse_nodes(text)
            .map(|nodes| Template { nodes })
            .map_err(|why| format!("error parsing jsonpath {text}, {why}"))
    }

    /// The template with no actions matches nothing (an empty custom-columns spec).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The result groups, one per action (per range iteration), as kubectl's FindResults.
    pub fn results(&self, data: &Value) -> Result<Vec<Vec<Value>>, String> {
        let mut out = Vec::new();
        eval(&self.nodes, data, &mut out)?;
        Ok(out)
    }

    /// `-o jsonpath`: each group's values joined by a space, groups run together.
    pub fn render_text(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        for group in self.results(data)? {
            let parts: Vec<String> = group
                .iter()
                .map(|v| match v {
                    Value::Object(_) | Value::Array(_) => go_json::to_string(v, None),
                    scalar => go_json::print_scalar(scalar),
                })
                .collect();
            out.push_str(&parts.join(" "));
        }
        Ok(out)
    }

    /// `-o jsonpath-as-json`: each group as an indented JSON array.
    pub fn render_json(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        for group in self.results(data)? {
            out.push_str(&go_json::pretty(&Value::Array(group)));
        }
        Ok(out)
    }
}

/// The field path inside kubectl's RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` and
/// `{.a.b}` all give `a.b`, read as `{.a.b}`. None when nothing is left or a brace remains.
pub fn relaxed_path(path: &str) -> Option<&str> {
    let inner = path
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or(path);
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    (!inner.is_empty() && !inner.contains(['{', '}'])).then_some(inner)
}

fn eval(nodes: &[Node], data: &Value, out: &mut Vec<Vec<Value>>) -> Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push(vec![Value::String(t.clone())]),
            Node::Query(q) => out.push(q.run(data)?),
            Node::Range { query, body } => {
                for item in query.run(data)? {
                    eval(body, &item, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Text and actions into a tree; `{range}` opens a body that `{end}` closes.
fn parse_nodes(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    // Open ranges: (query, the nodes before the range).
    let mut stack: Vec<(Query, Vec<Node>)> = Vec::new();
    let mut nodes = Vec::new();
    let mut literal = String::new();
    while let Some(c) = p.peek() {
        if c != '{' {
            literal.push(c);
            p.pos += 1;
            continue;
        }
        if !literal.is_empty() {
            nodes.push(Node::Text(std::mem::take(&mut literal)));
        }
        p.pos += 1;
        match p.action()? {
            Action::Query(q) => nodes.push(Node::Query(Query::parse(&q)?)),
            Action::Literal(s) => nodes.push(Node::Text(s)),
            Action::Range(q) => stack.push((Query::parse(&q)?, std::mem::take(&mut nodes))),
            Action::End => {
                let (query, before) = stack
                    .pop()
                    .ok_or_else(|| "not in range, nothing to end".to_string())?;
                let body = std::mem::replace(&mut nodes, before);
                nodes.push(Node::Range { query, body });
            }
        }
    }
    if !literal.is_empty() {
        nodes.push(Node::Text(literal));
    }
    // kubectl runs an unclosed range to the end of the template.
    while let Some((query, before)) = stack.pop() {
        let body = std::mem::replace(&mut nodes, before);
        nodes.push(Node::Range { query, body });
    }
    Ok(nodes)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        let rest = self.chars.get(self.pos..).unwrap_or_default();
        s.chars().count() <= rest.len() && s.chars().zip(rest).all(|(a, b)| a == *b)
    }

    /// One action after its `{`, up to and including its `}`.
    fn action(&mut self) -> Result<Action, String> {
        let elems = self.elements()?;
        classify(elems)
    }

    /// The elements of an action, consuming the closing `}`.
    fn elements(&mut self) -> Result<Vec<Elem>, String> {
        let mut elems = Vec::new();
        let mut descend = false;
        loop {
            if self.starts_with("}") {
                self.pos += 1;
                if descend {
                    push(&mut elems, "[*]".to_string(), &mut descend);
                }
                return Ok(elems);
            }
            if self.starts_with("[?(") {
                self.pos += 3;
                let seg = self.filter()?;
                push(&mut elems, seg, &mut descend);
                continue;
            }
            if self.starts_with("..") {
                if descend {
                    return Err("invalid multiple recursive descent".to_string());
                }
                self.pos += 2;
                descend = true;
                if self.peek().is_some_and(is_alphanumeric) {
                    let seg = self.field();
                    push(&mut elems, seg, &mut descend);
                }
                continue;
            }
            let Some(c) = self.peek() else {
                return Err("unclosed action".to_string());
            };
            self.pos += 1;
            match c {
                '\r' | '\n' => return Err("unclosed action".to_string()),
                ' ' | '@' | '$' => {}
                '[' => {
                    for seg in self.bracket()? {
                        push(&mut elems, seg, &mut descend);
                    }
                }
                '"' | '\'' => elems.push(Elem::Str(self.quoted(c)?)),
                '.' => {
                    let seg = self.field();
                    push(&mut elems, seg, &mut descend);
                }
                '+' | '-' | '0'..='9' => {
                    let start = self.pos - 1;
                    while self.peek().is_some_and(|c| c == '.' || c.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    let text: String = self.chars[start..self.pos].iter().collect();
                    if text.parse::<f64>().is_err() {
                        return Err(format!("cannot parse number {text}"));
                    }
                    elems.push(Elem::Number(text));
                }
                c if is_alphanumeric(c) => {
                    let start = self.pos - 1;
                    while self.peek().is_some_and(|c| !is_terminator(c)) {
                        self.pos += 1;
                    }
                    let word: String = self.chars[start..self.pos].iter().collect();
                    elems.push(match word.as_str() {
                        "range" => Elem::Range,
                        "end" => Elem::End,
                        "true" => Elem::Bool(true),
                        "false" => Elem::Bool(false),
                        _ => return Err(format!("unrecognized identifier {word}")),
                    });
                }
                c => {
                    return Err(format!(
                        "unrecognized character in action: U+{:04X} '{c}'",
                        c as u32
                    ));
                }
            }
        }
    }

    /// A field name after `.` up to a terminator; `\` escapes the next character.
    fn field(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.pos += 1;
                if let Some(next) = self.peek() {
                    name.push(next);
                    self.pos += 1;
                }
                continue;
            }
            if is_terminator(c) {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        if name == "*" {
            "[*]".to_string()
        } else {
            format!("[{}]", rfc_string(&name))
        }
    }

    /// `[…]` after its `[`: index, slice, `*`, `'key'` or a union of those.
    fn bracket(&mut self) -> Result<Vec<String>, String> {
        let start = self.pos;
        loop {
            match self.peek() {
                None | Some('\n') => return Err("unterminated array".to_string()),
                Some(']') => break,
                Some(_) => self.pos += 1,
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        self.pos += 1;
        if text == "*" {
            return Ok(vec!["[*]".to_string()]);
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let members = parts
                .iter()
                .map(|part| {
                    let part = part.trim_matches(' ');
                    match quoted_key(part) {
                        Some(key) => Ok(rfc_string(key)),
                        None => slice(part),
                    }
                })
                .collect::<Result<Vec<_>, String>>()?;
            return Ok(vec![format!("[{}]", members.join(","))]);
        }
        if let Some(key) = quoted_key(&text) {
            // kubectl reads ['a.b'] as the fields .a.b.
            let mut inner = Parser {
                chars: format!(".{key}}}").chars().collect(),
                pos: 0,
            };
            return inner
                .elements()?
                .into_iter()
                .map(|e| match e {
                    Elem::Segment(s) => Ok(s),
                    _ => Err(format!("invalid array index {text}")),
                })
                .collect();
        }
        Ok(vec![format!("[{}]", slice(&text)?)])
    }

    /// `[?(…)]` after its `[?(`: kubectl's filter, as an RFC 9535 filter selector.
    fn filter(&mut self) -> Result<String, String> {
        let start = self.pos;
        let mut quote: Option<char> = None;
        let mut closed = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("unterminated filter".to_string());
            };
            self.pos += 1;
            match c {
                '\n' => return Err("unterminated filter".to_string()),
                '"' | '\'' => match quote {
                    None => {
                        quote = Some(c);
                        closed = false;
                    }
                    Some(q) if q == c && self.chars.get(self.pos - 2) != Some(&'\\') => {
                        closed = true;
                    }
                    _ => {}
                },
                ')' if closed => break,
                _ => {}
            }
        }
        if self.peek() != Some(']') {
            return Err("unclosed array expect ]".to_string());
        }
        self.pos += 1;
        let text: String = self.chars[start..self.pos - 2].iter().collect();
        let Some((left, op, right)) = split_comparison(&text) else {
            return Ok(format!("[?{}]", operand(&text)?));
        };
        let (left, right) = (operand(left)?, operand(right)?);
        let test = match op {
            "==" | "!=" | "<" | "<=" | ">" | ">=" => format!("{left} {op} {right}"),
            "=~" => format!("search({left}, {right})"),
            other => return Err(format!("unrecognized filter operator {other}")),
        };
        // kubectl skips items the left side is missing from (RFC's `!=` would keep them).
        if left.starts_with('@') {
            Ok(format!("[?{left} && {test}]"))
        } else {
            Ok(format!("[?{test}]"))
        }
    }

    /// A quoted literal after its opening quote, unescaped as Go's strconv.Unquote.
    fn quoted(&mut self, quote: char) -> Result<String, String> {
        let start = self.pos - 1;
        loop {
            match self.peek() {
                None | Some('\n') => return Err("unterminated quoted string".to_string()),
                Some(c) => {
                    self.pos += 1;
                    if c == quote && self.chars.get(self.pos - 2) != Some(&'\\') {
                        break;
                    }
                }
            }
        }
        let raw: String = self.chars[start..self.pos].iter().collect();
        unquote(&raw[1..raw.len() - 1])
            .ok_or_else(|| format!("unquote string {raw} error invalid syntax"))
    }
}

/// The action's meaning from its elements.
fn classify(elems: Vec<Elem>) -> Result<Action, String> {
    let mut iter = elems.into_iter().peekable();
    let range = matches!(iter.peek(), Some(Elem::Range));
    if range {
        iter.next();
    }
    let rest: Vec<Elem> = iter.collect();
    match (range, rest.as_slice()) {
        (false, [Elem::End]) => Ok(Action::End),
        (false, [Elem::Str(s)]) => Ok(Action::Literal(s.clone())),
        (false, [Elem::Number(n)]) => Ok(Action::Literal(n.clone())),
        (false, [Elem::Bool(b)]) => Ok(Action::Literal(b.to_string())),
        (range, segs) => {
            let mut query = String::from("$");
            for e in segs {
                match e {
                    Elem::Segment(s) => query.push_str(s),
                    Elem::Range | Elem::End => {
                        return Err("range and end stand alone in an action".to_string());
                    }
                    _ => return Err("a literal stands alone in an action".to_string()),
                }
            }
            Ok(if range {
                Action::Range(query)
            } else {
                Action::Query(query)
            })
        }
    }
}

/// One side of a filter comparison: a path from `@`, a string, a number or a bool.
fn operand(text: &str) -> Result<String, String> {
    let mut p = Parser {
        chars: format!("{text}}}").chars().collect(),
        pos: 0,
    };
    let elems = p.elements()?;
    match elems.as_slice() {
        [Elem::Str(s)] => Ok(rfc_string(s)),
        [Elem::Number(n)] => Ok(n.trim_start_matches('+').to_string()),
        [Elem::Bool(b)] => Ok(b.to_string()),
        segs => {
            let mut q = String::from("@");
            for e in segs {
                match e {
                    Elem::Segment(s) => q.push_str(s),
                    _ => return Err(format!("invalid filter operand {}", text.trim())),
                }
            }
            Ok(q)
        }
    }
}

/// kubectl's `^([^!<>=]+)([!<>=~]+)(.+?)$` split of a filter.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let left_end = text.find(['!', '<', '>', '='])?;
    if left_end == 0 {
        return None;
    }
    let rest = &text[left_end..];
    let op_len = rest
        .find(|c: char| !matches!(c, '!' | '<' | '>' | '=' | '~'))
        .unwrap_or(rest.len());
    let right = &rest[op_len..];
    if right.is_empty() {
        return None;
    }
    Some((&text[..left_end], &rest[..op_len], right))
}

/// `'key'` of a bracket.
fn quoted_key(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    (!inner.contains('\'')).then_some(inner)
}

/// An index or slice (`-1`, `0:2`, `::2`), checked as kubectl's slice pattern.
fn slice(text: &str) -> Result<String, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let number = |s: &str| {
        let digits = s.strip_prefix('-').unwrap_or(s);
        digits.chars().all(|c| c.is_ascii_digit()) && !(s.starts_with('-') && digits.is_empty())
    };
    if parts.len() > 3 || !parts.iter().all(|p| number(p)) || text.is_empty() {
        return Err(format!("invalid array index {text}"));
    }
    Ok(text.to_string())
}

/// An RFC 9535 single-quoted string literal.
fn rfc_string(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Go's escapes in a quoted literal (`\n`, `\t`, `\"`, `\u00e9`, …).
fn unquote(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| {
            let digits: String = chars.by_ref().take(n).collect();
            (digits.len() == n)
                .then(|| u32::from_str_radix(&digits, 16).ok())
                .flatten()
                .and_then(char::from_u32)
        };
        out.push(match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'v' => '\u{b}',
            '\\' | '\'' | '"' => e,
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            _ => return None,
        });
    }
    Some(out)
}

/// Adds a segment, as a descendant segment right after `..`.
fn push(elems: &mut Vec<Elem>, seg: String, descend: &mut bool) {
    let seg = if std::mem::take(descend) {
        format!("..{seg}")
    } else {
        seg
    };
    elems.push(Elem::Segment(seg));
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn is_terminator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list() -> Value {
        json!({"apiVersion": "v1", "kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "db"}},
             "status": {"phase": "Succeeded", "readyToUse": true, "n": 2}},
            {"metadata": {"name": "b"}, "status": {"phase": "Failed", "n": 1.5}},
        ]})
    }

    fn text(t: &str) -> String {
        Template::parse(t).unwrap().render_text(&list()).unwrap()
    }

    /// Each template renders `list()` as the text beside it.
    fn assert_renders(cases: &[(&str, &str)]) {
        for (template, want) in cases {
            assert_eq!(text(template), *want, "{template}");
        }
    }

    #[test]
    fn fields_wildcards_and_literals_print_as_kubectl() {
        assert_renders(&[
            ("{.items[*].metadata.name}", "a b"),
            ("x{.kind}y{\"\\n\"}", "xListy\n"),
            (
                "{.items[0].status}",
                r#"{"n":2,"phase":"Succeeded","readyToUse":true}"#,
            ),
            ("{.items[-1].status.n}", "1.5"),
            ("{.nope}{.items[*].nope}", ""),
            ("{$.kind}{@.apiVersion}", "Listv1"),
            (
                r"{.items[0].metadata.labels.app\.kubernetes\.io/name}",
                "db",
            ),
        ]);
    }

    #[test]
    fn range_and_filters_follow_kubectl() {
        assert_renders(&[
            (
                "{range .items[*]}{.metadata.name}:{.status.phase}{\"\\n\"}{end}",
                "a:Succeeded\nb:Failed\n",
            ),
            (
                r#"{.items[?(@.status.phase=="Failed")].metadata.name}"#,
                "b",
            ),
            ("{.items[?(@.status.readyToUse)].metadata.name}", "a"),
            ("{.items[?(@.status.readyToUse!=false)].metadata.name}", "a"),
            ("{.items[?(@.status.n > 1.6)].metadata.name}", "a"),
            ("{..phase}", "Succeeded Failed"),
            ("{.items[?(@.metadata.name=~'^b')].metadata.name}", "b"),
            ("{.items[0,1].metadata.name}", "a b"),
            ("{.items[0:1].metadata.name}", "a"),
        ]);
    }

    #[test]
    fn jsonpath_as_json_prints_each_group_as_an_array() {
        let t = Template::parse("{.items[*].metadata.name}{.nope}").unwrap();
        assert_eq!(
            t.render_json(&list()).unwrap(),
            "[\n    \"a\",\n    \"b\"\n]\n[]\n"
        );
    }

    #[test]
    fn bad_templates_are_refused_with_kubectls_reasons() {
        let err = |t: &str| Template::parse(t).unwrap_err();
        assert_eq!(err("{.a"), "error parsing jsonpath {.a, unclosed action");
        assert_eq!(
            err("{.a[x]}"),
            "error parsing jsonpath {.a[x]}, invalid array index x"
        );
        assert_eq!(
            err("{end}"),
            "error parsing jsonpath {end}, not in range, nothing to end"
        );
        assert!(err("{.a[?(@.b)}").contains("unclosed array expect ]"));
        assert!(err("{#}").contains("unrecognized character in action: U+0023 '#'"));
        assert!(err("{\"a}").contains("unterminated quoted string"));
        assert!(err("{bogus}").contains("unrecognized identifier bogus"));
    }
}
