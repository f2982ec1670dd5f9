//! Line diffs as tagged lines for the renderer: `similar`'s Myers diff, hunks and hunk
//! headers, with the live VM's side removed and the snapshot's added.
//!
//! Inputs are small (a VM's YAML); the search stops after [`DIFF_DEADLINE`] on pathological
//! inputs and shows what is left as removed-then-added.

use std::time::{Duration, Instant};

use serde::Serialize;
use similar::udiff::UnifiedHunkHeader;
use similar::{Algorithm, ChangeTag, DiffTag, capture_diff_slices_deadline, group_diff_ops};

/// What a diff line is, for the renderer's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LineKind {
    /// `--- …` / `+++ …` file headers.
    Header,
    /// `@@ -a,b +c,d @@`.
    Hunk,
    /// Only in the live VM: goes away on restore.
    Removed,
    /// Only in the restored VM: comes with the restore.
    Added,
    /// Unchanged, shown around changes.
    Context,
}

/// One line of the unified diff; `text` has no `+`/`-`/space prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub kind: LineKind,
    pub text: String,
}

impl DiffLine {
    fn new(kind: LineKind, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
        }
    }

    /// The line as `diff -u` prints it.
    pub fn unified(&self) -> String {
        match self.kind {
            LineKind::Header | LineKind::Hunk => self.text.clone(),
            LineKind::Removed => format!("-{}", self.text),
            LineKind::Added => format!("+{}", self.text),
            LineKind::Context => format!(" {}", self.text),
        }
    }
}

/// How long the diff may search for the shortest edit script before settling for a longer
/// one (a VM's YAML takes microseconds).
const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// A unified diff of two line lists with `context` lines around changes, headed by
/// `--- old_label` / `+++ new_label`; empty when the lists are equal.
pub fn unified_diff(
    old: &[String],
    new: &[String],
    old_label: &str,
    new_label: &str,
    context: usize,
) -> Vec<DiffLine> {
    let deadline = Instant::now() + DIFF_DEADLINE;
    let ops = capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline));
    if ops.iter().all(|op| op.tag() == DiffTag::Equal) {
        return Vec::new();
    }
    let mut out = vec![
        DiffLine::new(LineKind::Header, format!("--- {old_label}")),
        DiffLine::new(LineKind::Header, format!("+++ {new_label}")),
    ];
    for hunk in group_diff_ops(ops, context) {
        out.push(DiffLine::new(
            LineKind::Hunk,
            UnifiedHunkHeader::new(&hunk).to_string(),
        ));
        for op in &hunk {
            for change in op.iter_changes(old, new) {
                let kind = match change.tag() {
                    ChangeTag::Equal => LineKind::Context,
                    ChangeTag::Delete => LineKind::Removed,
                    ChangeTag::Insert => LineKind::Added,
                };
                out.push(DiffLine::new(kind, change.value().clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn unified_diff_matches_diff_u() {
        let a = lines(&["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]);
        let b = lines(&["a", "b", "c", "D", "e", "f", "g", "h", "i", "j", "k", "l"]);
        let d: Vec<String> = unified_diff(&a, &b, "old", "new", 3)
            .iter()
            .map(DiffLine::unified)
            .collect();
        // What GNU `diff -u` prints for these inputs.
        assert_eq!(
            d,
            [
                "--- old",
                "+++ new",
                "@@ -1,7 +1,7 @@",
                " a",
                " b",
                " c",
                "-d",
                "+D",
                " e",
                " f",
                " g",
                "@@ -9,3 +9,4 @@",
                " i",
                " j",
                " k",
                "+l",
            ]
        );
        // Changes within 2×context share one hunk.
        let c = lines(&["a", "b", "c", "D", "e", "f", "g", "H", "i", "j", "k"]);
        let d: Vec<String> = unified_diff(&a, &c, "old", "new", 3)
            .iter()
            .map(DiffLine::unified)
            .collect();
        assert_eq!(d[2], "@@ -1,11 +1,11 @@");
        assert_eq!(d.len(), 2 + 1 + 13);
        // Pure insertion into an empty file and pure deletion: zero-length ranges.
        let d: Vec<String> = unified_diff(&[], &lines(&["x"]), "o", "n", 3)
            .iter()
            .map(DiffLine::unified)
            .collect();
        assert_eq!(d, ["--- o", "+++ n", "@@ -0,0 +1 @@", "+x"]);
        let d: Vec<String> = unified_diff(&lines(&["x", "y"]), &lines(&["x"]), "o", "n", 0)
            .iter()
            .map(DiffLine::unified)
            .collect();
        assert_eq!(d, ["--- o", "+++ n", "@@ -2 +1,0 @@", "-y"]);
        assert!(unified_diff(&a, &a, "o", "n", 3).is_empty());
    }

    /// A deterministic generator: small alphabets make many common lines.
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *seed >> 33
    }

    fn lcs_len(a: &[String], b: &[String]) -> usize {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                t[i][j] = if a[i] == b[j] {
                    t[i + 1][j + 1] + 1
                } else {
                    t[i + 1][j].max(t[i][j + 1])
                };
            }
        }
        t[0][0]
    }

    #[test]
    fn edit_scripts_rebuild_the_new_side_with_the_fewest_edits() {
        let mut seed = 7u64;
        for round in 0..300 {
            let make = |seed: &mut u64| -> Vec<String> {
                let n = (lcg(seed) % 25) as usize;
                (0..n)
                    .map(|_| ((b'a' + (lcg(seed) % 4) as u8) as char).to_string())
                    .collect()
            };
            let (a, b) = (make(&mut seed), make(&mut seed));
            // Context wide enough for one hunk holding every line.
            let lines = unified_diff(&a, &b, "o", "n", 100);
            if a == b {
                assert!(lines.is_empty());
                continue;
            }
            let body = &lines[3..];
            let side = |keep: LineKind| -> Vec<String> {
                body.iter()
                    .filter(|l| l.kind == LineKind::Context || l.kind == keep)
                    .map(|l| l.text.clone())
                    .collect()
            };
            assert_eq!(side(LineKind::Added), b, "round {round}");
            assert_eq!(side(LineKind::Removed), a, "round {round}");
            let equal = body.iter().filter(|l| l.kind == LineKind::Context).count();
            assert_eq!(
                equal,
                lcs_len(&a, &b),
                "minimal, round {round}: {a:?} {b:?}"
            );
        }
    }

    #[test]
    fn very_different_inputs_are_removed_then_added_in_one_hunk() {
        let a: Vec<String> = (0..1500).map(|i| format!("old {i}")).collect();
        let b: Vec<String> = (0..1500).map(|i| format!("new {i}")).collect();
        let d = unified_diff(&a, &b, "o", "n", 3);
        assert_eq!(d.len(), 3 + 3000);
        assert_eq!(d[2].text, "@@ -1,1500 +1,1500 @@");
        assert!(d[3..1503].iter().all(|l| l.kind == LineKind::Removed));
        assert!(d[1503..].iter().all(|l| l.kind == LineKind::Added));
    }
}
