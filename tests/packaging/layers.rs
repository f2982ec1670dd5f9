//! The module map of docs/architecture.md, checked on the source: the crate's top-level
//! modules form layers with no import cycle, no platform slice imports another's, and
//! nothing below `platform` names it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b…` path in `text` outside comments, as its segments.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            let segments: Vec<String> = tail
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty())
                .collect();
            if !segments.is_empty() {
                paths.push(segments);
            }
            rest = tail;
        }
    }
    paths
}

/// (file relative to src/, the crate paths it names) for every source file.
fn sources() -> Vec<(String, Vec<Vec<String>>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .map(|f| {
            let rel = f
                .strip_prefix(&src)
                .expect("under src/")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(f).expect("a source file is readable");
            (rel, crate_paths(&text))
        })
        .collect()
}

fn top_module(rel: &str) -> String {
    let first = rel.split('/').next().unwrap_or(rel);
    first.trim_end_matches(".rs").to_string()
}

/// Top-level module → the top-level modules it imports.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, paths) in sources() {
        let from = top_module(&rel);
        let to = graph.entry(from.clone()).or_default();
        for p in paths {
            if p[0] != from {
                to.insert(p[0].clone());
            }
        }
    }
    graph
}

/// The modules on a cycle through `start`, if any (depth-first search back to it).
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_top_level_modules_import_one_another_without_a_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("platform") && graph.contains_key("cluster"));
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_through(&graph, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

#[test]
fn the_leaves_import_nothing_of_the_crate_but_each_other() {
    let graph = module_graph();
    let leaves = ["names", "model", "terminal", "interrupt", "error"];
    for leaf in leaves {
        let above: Vec<&String> = graph[leaf]
            .iter()
            .filter(|m| !leaves.contains(&m.as_str()))
            .collect();
        assert!(above.is_empty(), "{leaf} imports {above:?}");
    }
}

#[test]
fn no_platform_imports_another_and_nothing_below_platform_names_one() {
    let platforms = ["kubevirt", "vmoperator", "deckhouse"];
    let above_platform = ["platform", "app", "completion"];
    for (rel, paths) in sources() {
        let own = rel
            .strip_prefix("platform/")
            .and_then(|r| r.split('/').next())
            .filter(|p| platforms.contains(p));
        for p in paths.iter().filter(|p| p[0] == "platform") {
            assert!(
                above_platform.contains(&top_module(&rel).as_str()),
                "{rel} names crate::{}",
                p.join("::")
            );
            if let (Some(own), Some(other)) = (own, p.get(1)) {
                assert!(
                    !platforms.contains(&other.as_str()) || other == own,
                    "{rel} (the {own} slice) imports crate::{}",
                    p.join("::")
                );
            }
        }
    }
}

#[test]
fn the_path_reader_finds_paths_and_skips_comments() {
    let text = "use crate::flow::Ctx;\n// crate::platform::kubevirt\nlet x = crate::names::parse(a); // crate::app\n";
    assert_eq!(
        crate_paths(text),
        vec![
            vec!["flow".to_string(), "Ctx".to_string()],
            vec!["names".to_string(), "parse".to_string()],
        ]
    );
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        cycle_through(&graph, "a"),
        Some(vec!["a".to_string(), "b".to_string()])
    );
}
