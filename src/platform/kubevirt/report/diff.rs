//! Config diffs for people: the summary sentences, then the unified diff, coloured on request.

use crate::platform::kubevirt::analysis::config_diff::{ConfigDiff, LineKind};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// The unified diff, one line each, `indent` spaces in; ANSI colours only when `color` (red
/// removed, green added, cyan hunks, bold headers), as `git diff` colours them.
pub fn unified(diff: &ConfigDiff, color: bool, indent: usize) -> String {
    let mut out = String::new();
    for line in &diff.lines {
        // Server text, escaped before our own colour codes go around it.
        let text = crate::terminal::terminal_safe(&line.unified(), false).into_owned();
        let style = match line.kind {
            LineKind::Header => BOLD,
            LineKind::Hunk => CYAN,
            LineKind::Removed => RED,
            LineKind::Added => GREEN,
            LineKind::Context => "",
        };
        out.push_str(&" ".repeat(indent));
        if color && !style.is_empty() {
            out.push_str(&format!("{style}{text}{RESET}"));
        } else {
            out.push_str(&text);
        }
        out.push('\n');
    }
    out
}

/// The summary as bullet lines, `indent` spaces in.
pub fn summary(diff: &ConfigDiff, indent: usize) -> String {
    diff.summary
        .describe()
        .iter()
        .map(|l| format!("{:indent$}- {l}\n", ""))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::kubevirt::analysis::config_diff::{DiffLine, DiffSummary};

    fn diff() -> ConfigDiff {
        let line = |kind, text: &str| DiffLine {
            kind,
            text: text.to_string(),
        };
        ConfigDiff {
            identical: false,
            lines: vec![
                line(LineKind::Header, "--- live"),
                line(LineKind::Hunk, "@@ -1 +1 @@"),
                line(LineKind::Removed, "cores: 8"),
                line(LineKind::Added, "cores: 4"),
                line(LineKind::Context, "sockets: 1"),
            ],
            summary: DiffSummary::default(),
        }
    }

    #[test]
    fn plain_unless_colour_is_asked_for() {
        assert_eq!(
            unified(&diff(), false, 2),
            "  --- live\n  @@ -1 +1 @@\n  -cores: 8\n  +cores: 4\n   sockets: 1\n"
        );
        let c = unified(&diff(), true, 0);
        assert!(c.contains("\x1b[31m-cores: 8\x1b[0m"), "{c:?}");
        assert!(c.contains("\x1b[32m+cores: 4\x1b[0m"), "{c:?}");
        assert!(c.contains("\x1b[36m@@ -1 +1 @@\x1b[0m"), "{c:?}");
        assert!(c.contains("\x1b[1m--- live\x1b[0m"), "{c:?}");
        assert!(c.ends_with(" sockets: 1\n"), "context lines stay plain");
    }

    #[test]
    fn an_empty_summary_says_no_changes() {
        assert_eq!(summary(&diff(), 2), "  - no configuration changes\n");
    }
}
