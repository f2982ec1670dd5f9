//! Line diffs: Myers' shortest edit script and unified-diff hunks, as tagged lines for the renderer.
//!
//! Inputs here are small (a VM's YAML), so plain `Vec`s do; beyond a few thousand
//! differences the middle is shown as removed-then-added rather than searched.

use serde::Serialize;

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

/// One step of an edit script: indices into the old and new line lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// Beyond this many differences the middle is shown as removed-then-added (no search).
const MAX_EDIT_DISTANCE: usize = 2000;

/// Myers' O((N+M)D) shortest edit script, after trimming the common prefix and suffix.
fn edit_script(a: &[String], b: &[String]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    ops.extend(myers(am, bm).into_iter().map(|op| match op {
        Op::Equal(i, j) => Op::Equal(i + prefix, j + prefix),
        Op::Delete(i) => Op::Delete(i + prefix),
        Op::Insert(j) => Op::Insert(j + prefix),
    }));
    ops.extend((0..suffix).map(|k| Op::Equal(a.len() - suffix + k, b.len() - suffix + k)));
    ops
}

fn myers(a: &[String], b: &[String]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let fallback = || -> Vec<Op> {
        (0..a.len())
            .map(Op::Delete)
            .chain((0..b.len()).map(Op::Insert))
            .collect()
    };
    if n == 0 || m == 0 {
        return fallback();
    }
    let max = (n + m) as usize;
    let limit = max.min(MAX_EDIT_DISTANCE) as isize;
    let off = max as isize;
    let mut v = vec![0isize; 2 * max + 2];
    // trace[d] holds V before round d, only for diagonals -d..=d (memory O(D²)).
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let idx = |k: isize| (k + off) as usize;
    let mut found = None;
    'rounds: for d in 0..=limit {
        trace.push(v[idx(-d)..=idx(d)].to_vec());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
                v[idx(k + 1)]
            } else {
                v[idx(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'rounds;
            }
            k += 2;
        }
    }
    let Some(dist) = found else {
        return fallback();
    };
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=dist).rev() {
        let vd = &trace[d as usize];
        let at = |k: isize| vd[(k + d) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let (prev_x, prev_y) = if d == 0 {
            (0, 0)
        } else {
            let px = at(prev_k);
            (px, px - prev_k)
        };
        while x > prev_x && y > prev_y {
            ops.push(Op::Equal((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                ops.push(Op::Insert((y - 1) as usize));
            } else {
                ops.push(Op::Delete((x - 1) as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

/// A unified diff of two line lists with `context` lines around changes, headed by
/// `--- old_label` / `+++ new_label`; empty when the lists are equal.
pub fn unified_diff(
    old: &[String],
    new: &[String],
    old_label: &str,
    new_label: &str,
    context: usize,
) -> Vec<DiffLine> {
    let ops = edit_script(old, new);
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Equal(..)))
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        DiffLine::new(LineKind::Header, format!("--- {old_label}")),
        DiffLine::new(LineKind::Header, format!("+++ {new_label}")),
    ];
    // Group changes whose gap is at most 2×context into one hunk.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        match groups.last_mut() {
            Some((_, end)) if i <= *end + 2 * context + 1 => *end = i,
            _ => groups.push((i, i)),
        }
    }
    // Old/new line numbers before each op.
    let mut pos = Vec::with_capacity(ops.len() + 1);
    let (mut oi, mut ni) = (0usize, 0usize);
    for op in &ops {
        pos.push((oi, ni));
        match op {
            Op::Equal(..) => {
                oi += 1;
                ni += 1;
            }
            Op::Delete(_) => oi += 1,
            Op::Insert(_) => ni += 1,
        }
    }
    pos.push((oi, ni));
    for (first, last) in groups {
        let start = first.saturating_sub(context);
        let end = (last + context + 1).min(ops.len());
        let slice = &ops[start..end];
        let old_len = slice.iter().filter(|o| !matches!(o, Op::Insert(_))).count();
        let new_len = slice.iter().filter(|o| !matches!(o, Op::Delete(_))).count();
        let (o0, n0) = pos[start];
        // Unified format: a range of zero lines names the line before it.
        let range = |s: usize, len: usize| {
            if len == 0 {
                format!("{s},0")
            } else if len == 1 {
                format!("{}", s + 1)
            } else {
                format!("{},{len}", s + 1)
            }
        };
        out.push(DiffLine::new(
            LineKind::Hunk,
            format!("@@ -{} +{} @@", range(o0, old_len), range(n0, new_len)),
        ));
        for op in slice {
            out.push(match *op {
                Op::Equal(i, _) => DiffLine::new(LineKind::Context, old[i].clone()),
                Op::Delete(i) => DiffLine::new(LineKind::Removed, old[i].clone()),
                Op::Insert(j) => DiffLine::new(LineKind::Added, new[j].clone()),
            });
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
            let ops = edit_script(&a, &b);
            let rebuilt: Vec<String> = ops
                .iter()
                .filter_map(|op| match *op {
                    Op::Equal(i, j) => {
                        assert_eq!(a[i], b[j]);
                        Some(a[i].clone())
                    }
                    Op::Insert(j) => Some(b[j].clone()),
                    Op::Delete(_) => None,
                })
                .collect();
            assert_eq!(rebuilt, b, "round {round}");
            let kept: Vec<usize> = ops
                .iter()
                .filter_map(|op| match *op {
                    Op::Equal(i, _) | Op::Delete(i) => Some(i),
                    Op::Insert(_) => None,
                })
                .collect();
            assert_eq!(
                kept,
                (0..a.len()).collect::<Vec<_>>(),
                "every old line once, in order"
            );
            let equal = ops.iter().filter(|op| matches!(op, Op::Equal(..))).count();
            assert_eq!(
                equal,
                lcs_len(&a, &b),
                "minimal, round {round}: {a:?} {b:?}"
            );
        }
    }

    #[test]
    fn very_different_inputs_fall_back_to_remove_then_add() {
        let a: Vec<String> = (0..1500).map(|i| format!("old {i}")).collect();
        let b: Vec<String> = (0..1500).map(|i| format!("new {i}")).collect();
        let ops = edit_script(&a, &b);
        assert_eq!(ops.len(), 3000);
        assert!(ops[..1500].iter().all(|o| matches!(o, Op::Delete(_))));
        assert!(ops[1500..].iter().all(|o| matches!(o, Op::Insert(_))));
        let d = unified_diff(&a, &b, "o", "n", 3);
        assert_eq!(d[2].text, "@@ -1,1500 +1,1500 @@");
    }
}
