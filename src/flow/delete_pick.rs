//! Which snapshots `delete` names: by name (`--ignore-not-found` skips missing ones), by label
//! selector (`-l`) or all of them (`--all`), as `kubectl delete` picks them. Every platform's
//! delete passes its own get and list.

use std::future::Future;

use serde_json::Value;

use crate::cli::DeleteArgs;
use crate::cluster::json::name;
use crate::error::UserError;

/// The snapshots `args` pick, sorted by name for a selector; a missing name is the error
/// `missing` makes, unless `--ignore-not-found`.
pub async fn pick<G, GF, L, LF>(
    args: &DeleteArgs,
    get: G,
    list: L,
    missing: impl Fn(&str) -> anyhow::Error,
) -> anyhow::Result<Vec<Value>>
where
    G: Fn(String) -> GF,
    GF: Future<Output = anyhow::Result<Option<Value>>>,
    L: FnOnce(Option<String>) -> LF,
    LF: Future<Output = anyhow::Result<Vec<Value>>>,
{
    if args.selector.is_some() || args.all {
        if args
            .selector
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            return Err(
                UserError::usage("an empty selector would pick every snapshot")
                    .hint("to delete every snapshot in the namespace, say so with --all")
                    .into(),
            );
        }
        let mut found = list(args.selector.clone()).await?;
        found.sort_by(|a, b| name(a).cmp(name(b)));
        return Ok(found);
    }
    let mut picked: Vec<Value> = Vec::new();
    for wanted in &args.snapshots {
        if picked.iter().any(|v| name(v) == wanted) {
            continue;
        }
        match get(wanted.clone()).await? {
            Some(v) => picked.push(v),
            None if args.ignore_not_found => {}
            None => return Err(missing(wanted)),
        }
    }
    Ok(picked)
}

/// How the snapshots were picked, for the prompt: "matching -l x", "all"; None for names.
pub fn scope(args: &DeleteArgs) -> Option<String> {
    match (&args.selector, args.all) {
        (Some(sel), _) => Some(format!("matching -l {sel}")),
        (None, true) => Some("all".to_string()),
        (None, false) => None,
    }
}

/// The prompt's heading: `Snapshots to delete in namespace NS (matching -l x):`.
pub fn heading(ns: &str, scope: Option<&str>) -> String {
    let scope = match scope {
        Some("all") => " (all of them)".to_string(),
        Some(s) => format!(" ({s})"),
        None => String::new(),
    };
    format!("Snapshots to delete in namespace {ns}{scope}:")
}

/// kubectl's "No resources found" (stderr, exit 0) when nothing was picked.
pub fn nothing_found(ns: &str, scope: Option<&str>) -> String {
    let what = scope
        .filter(|s| *s != "all")
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    format!("No snapshots found in {ns} namespace{what}.")
}
