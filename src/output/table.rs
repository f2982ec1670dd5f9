//! kubectl-style tables: uppercase headers, no borders, 3-space gaps, no trailing spaces.
//!
//! Same layout as cli-runtime's tabwriter (minwidth 6, padding 3): every column but the last
//! is padded to the widest cell plus three spaces.

/// A table being built row by row.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

const PADDING: usize = 3;
const MIN_WIDTH: usize = 6;

impl Table {
    /// A table with these column headers (upper-cased).
    pub fn new<S: AsRef<str>>(headers: &[S]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.as_ref().to_uppercase()).collect(),
            rows: Vec::new(),
        }
    }

    /// A table with these column headers exactly as given (`-o custom-columns`).
    pub fn verbatim<S: AsRef<str>>(headers: &[S]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.as_ref().to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty, extra cells are kept. A cell is one line: control
    /// characters in it (newlines too) are escaped, so server text cannot add a row.
    pub fn row(&mut self, cells: Vec<String>) {
        let one_line = |c: String| match crate::terminal::terminal_safe(&c, false) {
            std::borrow::Cow::Borrowed(_) => c,
            std::borrow::Cow::Owned(safe) => safe,
        };
        self.rows.push(cells.into_iter().map(one_line).collect());
    }

    /// The headers (upper-cased) and the rows' cells, for printing rows one at a time.
    pub fn into_parts(self) -> (Vec<String>, Vec<Vec<String>>) {
        (self.headers, self.rows)
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders with or without the header line; every line ends in '\n'.
    pub fn render(&self, headers: bool) -> String {
        let mut lines: Vec<&[String]> = Vec::new();
        if headers {
            lines.push(&self.headers);
        }
        lines.extend(self.rows.iter().map(Vec::as_slice));
        aligned(&lines, PADDING, MIN_WIDTH)
    }

    /// A `list` as kubectl prints it: [`Table::render`], or nothing at all on stdout when
    /// nothing was found (not even the headers; the notice goes to stderr).
    pub fn render_list(&self, headers: bool) -> String {
        if self.is_empty() {
            return String::new();
        }
        self.render(headers)
    }
}

/// tabwriter's layout: every cell but a line's last padded to its column's widest cell plus
/// `padding` (at least `min_width`), trailing spaces trimmed.
pub(crate) fn aligned(lines: &[&[String]], padding: usize, min_width: usize) -> String {
    let mut widths = Vec::new();
    for line in lines {
        widen(&mut widths, line);
    }
    let mut out = String::new();
    for line in lines {
        push_line(&mut out, line, &widths, padding, min_width);
    }
    out
}

/// Grows `widths` (in characters) to hold `cells`.
fn widen<S: AsRef<str>>(widths: &mut Vec<usize>, cells: &[S]) {
    if widths.len() < cells.len() {
        widths.resize(cells.len(), 0);
    }
    for (i, cell) in cells.iter().enumerate() {
        widths[i] = widths[i].max(cell.as_ref().chars().count());
    }
}

/// One line of [`aligned`]'s layout, with its newline.
fn push_line<S: AsRef<str>>(
    out: &mut String,
    cells: &[S],
    widths: &[usize],
    padding: usize,
    min_width: usize,
) {
    let start = out.len();
    for (i, cell) in cells.iter().enumerate() {
        let cell = cell.as_ref();
        out.push_str(cell);
        if i + 1 < cells.len() {
            let width = (widths[i] + padding).max(min_width);
            let pad = width - cell.chars().count();
            out.extend(std::iter::repeat_n(' ', pad));
        }
    }
    let kept = out[start..].trim_end().len();
    out.truncate(start + kept);
    out.push('\n');
}

/// [`Table::render`]'s text, then the terminal escaping every printed table gets, for `count`
/// rows made on demand by `row` (called twice per row: for the widths, then for its line) and
/// written line by line: a long list is never held as a table or as one text. Cells are
/// escaped as [`Table::row`] escapes them; `headers` are printed as given (None: left out).
pub fn write_rows(
    w: &mut dyn std::io::Write,
    headers: Option<&[String]>,
    count: usize,
    row: impl Fn(usize) -> Vec<String>,
) -> std::io::Result<()> {
    let escaped = |i| -> Vec<String> {
        row(i)
            .into_iter()
            .map(|c| crate::terminal::terminal_safe(&c, false).into_owned())
            .collect()
    };
    let mut widths = Vec::new();
    if let Some(h) = headers {
        widen(&mut widths, h);
    }
    for i in 0..count {
        widen(&mut widths, &escaped(i));
    }
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, w);
    let mut line = String::new();
    let mut print = |line: &mut String, cells: &[String]| {
        line.clear();
        push_line(line, cells, &widths, PADDING, MIN_WIDTH);
        w.write_all(crate::terminal::terminal_safe(line, true).as_bytes())
    };
    if let Some(h) = headers {
        print(&mut line, h)?;
    }
    for i in 0..count {
        print(&mut line, &escaped(i))?;
    }
    w.flush()
}

/// A two-column "Key:  value" block, as kubectl describe prints, indented by `indent` spaces.
pub fn key_values(pairs: &[(&str, String)], indent: usize) -> String {
    let multi: Vec<(&str, Vec<String>)> =
        pairs.iter().map(|(k, v)| (*k, vec![v.clone()])).collect();
    key_values_multi(&multi, indent)
}

/// [`key_values`] whose values may span lines: each further line starts at the value
/// column (kubectl's Annotations). Every line is escaped on its own.
pub fn key_values_multi(pairs: &[(&str, Vec<String>)], indent: usize) -> String {
    let width = pairs
        .iter()
        .map(|(k, _)| k.chars().count() + 1)
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (k, lines) in pairs {
        let key = format!("{k}:");
        for (i, v) in lines.iter().enumerate() {
            let v = crate::terminal::terminal_safe(v, false);
            let key = if i == 0 { key.as_str() } else { "" };
            let line = format!("{:indent$}{key:<width$}  {v}", "");
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// "Next steps:" and one indented command per line; nothing when there are none.
pub fn next_steps(out: &mut String, steps: &[String]) {
    if steps.is_empty() {
        return;
    }
    out.push_str("Next steps:\n");
    for s in steps {
        out.push_str(&format!("  {s}\n"));
    }
}

/// What a dry run's line ends with, as kubectl words it: "(dry run)" for `--dry-run=client`,
/// "(server dry run)" for `--dry-run=server` (`mode`: "client" or "server").
pub fn dry_run_words(mode: &str) -> &'static str {
    if mode == "server" {
        "server dry run"
    } else {
        "dry run"
    }
}

/// One line of `delete`: `NAME deleted` once the object is gone (and in a dry run, with its
/// `dry_run_note` after it), `NAME deletion requested` while the server still finalises it.
pub fn deleted_line(name: &str, gone: bool, dry_run_note: Option<&str>) -> String {
    let verb = if gone || dry_run_note.is_some() {
        "deleted"
    } else {
        "deletion requested"
    };
    format!("{name} {verb}{}\n", dry_run_note.unwrap_or_default())
}

/// The first cells of a list's row: the object's NAMESPACE in a list across namespaces
/// (`-A`), none in a list of one namespace.
pub fn namespace_cells(all: bool, namespace: &str) -> Vec<String> {
    if all {
        vec![namespace.to_owned()]
    } else {
        Vec::new()
    }
}

/// The value, or `<none>` as kubectl prints an empty cell.
pub fn or_none(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("<none>").to_string()
}

/// The values joined with `sep`, or `<none>` as kubectl prints an empty list.
pub fn join_or_none<S: AsRef<str>>(v: &[S], sep: &str) -> String {
    if v.is_empty() {
        "<none>".to_string()
    } else {
        v.iter().map(AsRef::as_ref).collect::<Vec<&str>>().join(sep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_object_is_deleted_once_gone_or_in_a_dry_run_else_its_deletion_requested() {
        assert_eq!(
            deleted_line("vmsnapshot/a", true, None),
            "vmsnapshot/a deleted\n"
        );
        assert_eq!(
            deleted_line("vmsnapshot/a", false, None),
            "vmsnapshot/a deletion requested\n"
        );
        assert_eq!(
            deleted_line("vmsnapshot/a", false, Some(" (server dry run)")),
            "vmsnapshot/a deleted (server dry run)\n"
        );
    }

    #[test]
    fn an_empty_list_is_none_and_values_are_joined_with_the_separator_given() {
        assert_eq!(join_or_none::<&str>(&[], "; "), "<none>");
        assert_eq!(join_or_none(&["a", "b"], "; "), "a; b");
        assert_eq!(join_or_none(&["a".to_owned(), "b".to_owned()], ","), "a,b");
    }

    #[test]
    fn an_empty_list_prints_nothing_not_even_its_headers() {
        let mut t = Table::new(&["name", "age"]);
        assert_eq!(t.render_list(true), "");
        assert_eq!(t.render(true), "NAME   AGE\n");
        t.row(vec!["s1".into(), "5m".into()]);
        assert_eq!(t.render_list(true), t.render(true));
        assert_eq!(t.render_list(false), "s1    5m\n");
    }

    #[test]
    fn columns_are_padded_by_three_with_uppercase_headers_and_no_trailing_spaces() {
        let mut t = Table::new(&["name", "phase", "age"]);
        t.row(vec![
            "pre-upgrade-snapshot".into(),
            "Succeeded".into(),
            "2d".into(),
        ]);
        t.row(vec!["a".into(), "".into(), "5m30s".into()]);
        let want = "\
NAME                   PHASE       AGE
pre-upgrade-snapshot   Succeeded   2d
a                                  5m30s
";
        assert_eq!(t.render(true), want);
    }

    #[test]
    fn short_columns_have_the_tabwriter_minimum_width() {
        let mut t = Table::new(&["a", "b"]);
        t.row(vec!["x".into(), "y".into()]);
        assert_eq!(t.render(true), "A     B\nx     y\n");
    }

    #[test]
    fn rows_written_on_demand_print_as_the_table_does() {
        let rows = [
            vec!["pre-upgrade".to_string(), "Succeeded".into(), "2d".into()],
            vec!["a\x1b[2J".into(), "".into(), "5m30s   ".into()],
            vec!["short".into()],
        ];
        let mut t = Table::new(&["name", "phase", "age"]);
        for r in &rows {
            t.row(r.clone());
        }
        let (headers, _) = t.clone().into_parts();
        for with_headers in [true, false] {
            let mut out = Vec::new();
            let h = with_headers.then_some(headers.as_slice());
            write_rows(&mut out, h, rows.len(), |i| rows[i].clone()).unwrap();
            let want = crate::terminal::terminal_safe(&t.render(with_headers), true).into_owned();
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    #[test]
    fn headers_can_be_left_out() {
        let mut t = Table::new(&["name"]);
        t.row(vec!["s1".into()]);
        assert_eq!(t.render(false), "s1\n");
    }

    #[test]
    fn key_values_align_like_describe() {
        let s = key_values(&[("Name", "s1".into()), ("Namespace", "prod".into())], 0);
        assert_eq!(s, "Name:       s1\nNamespace:  prod\n");
    }
}
