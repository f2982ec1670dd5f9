//! The readiness table of `check` on VM Operator and Deckhouse: one row per VM (can it be
//! snapshotted now, with what consistency, what blocks it), a summary with what to do, and
//! the same data for `-o json|yaml|name`. KubeVirt's `check` has its own, richer report.

use serde_json::{Value, json};

use super::Ctx;
use crate::output::{PlatformReport, Report, Table};

/// One VM's readiness.
pub(crate) struct Row {
    pub namespace: String,
    pub vm: String,
    /// The VM's state as the platform says it (Running, PoweredOn, …).
    pub status: String,
    /// `yes`, `no`, or a platform's middle ground (`inconsistent-only`).
    pub snapshottable: &'static str,
    pub consistency: &'static str,
    pub blockers: Vec<String>,
    pub warnings: Vec<String>,
    /// Finding codes, for the summary's fixes.
    pub codes: Vec<&'static str>,
}

/// How a platform's report reads.
pub(crate) struct Platform {
    /// `"vmoperator"`, `"deckhouse"`.
    pub name: &'static str,
    /// `-o name` prefix of a VM, e.g. `virtualmachine.vmoperator.vmware.com`.
    pub vm_resource: &'static str,
    /// A finding code in words and what to do about it.
    pub fix: fn(&str) -> Option<(&'static str, &'static str)>,
}

/// The table (`-o wide` adds the warnings), the summary and the data.
pub(crate) fn report(
    mut rows: Vec<Row>,
    ns: Option<&str>,
    all: bool,
    p: &Platform,
    ctx: &mut Ctx<'_>,
) -> Report {
    rows.sort_by(|a, b| (&a.namespace, &a.vm).cmp(&(&b.namespace, &b.vm)));
    if rows.is_empty() && !ctx.format().is_machine() {
        match ns {
            Some(ns) => ctx.say(&format!("No VirtualMachines found in {ns} namespace.")),
            None => ctx.say("No VirtualMachines found."),
        }
    }
    let mut headers = vec!["vm", "status", "snapshottable", "consistency", "blockers"];
    if all {
        headers.insert(0, "namespace");
    }
    let mut wide_headers = headers.clone();
    wide_headers.push("warnings");
    let (mut t, mut w) = (Table::new(&headers), Table::new(&wide_headers));
    let join = |v: &[String]| {
        if v.is_empty() {
            "<none>".to_owned()
        } else {
            v.join("; ")
        }
    };
    for r in &rows {
        let mut cells = vec![
            r.vm.clone(),
            r.status.clone(),
            r.snapshottable.to_owned(),
            r.consistency.to_owned(),
            join(&r.blockers),
        ];
        if all {
            cells.insert(0, r.namespace.clone());
        }
        let mut wide = cells.clone();
        wide.push(join(&r.warnings));
        t.row(cells);
        w.row(wide);
    }
    let ready = rows.iter().filter(|r| r.snapshottable == "yes").count();
    let mut summary = format!(
        "\n{} VM{}: {ready} snapshottable now, {} not",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        rows.len() - ready
    );
    summary.push('\n');
    let mut fixes: Vec<((&'static str, &'static str), Vec<String>)> = Vec::new();
    for r in &rows {
        for c in &r.codes {
            let Some(f) = (p.fix)(c) else { continue };
            match fixes.iter_mut().find(|(x, _)| *x == f) {
                Some((_, vms)) if !vms.contains(&r.vm) => vms.push(r.vm.clone()),
                Some(_) => {}
                None => fixes.push((f, vec![r.vm.clone()])),
            }
        }
    }
    if !fixes.is_empty() {
        summary.push_str("What to do:\n");
        for ((what, advice), vms) in &fixes {
            summary.push_str(&format!("  {what} ({}): {advice}\n", vms.join(", ")));
        }
    }
    let (text, wide) = if rows.is_empty() {
        (String::new(), None)
    } else {
        (t.render(true) + &summary, Some(w.render(true) + &summary))
    };
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"namespace": r.namespace, "vm": r.vm, "status": r.status,
                "snapshottable": r.snapshottable, "consistency": r.consistency,
                "blockers": r.blockers, "warnings": r.warnings})
        })
        .collect();
    let mut data = json!({"kind": "ReadinessReport", "platform": p.name, "rows": items,
        "summary": {"vms": rows.len(), "snapshottable": ready}});
    if let Some(ns) = ns {
        data["namespace"] = json!(ns);
    }
    let names = rows
        .iter()
        .map(|r| format!("{}/{}", p.vm_resource, r.vm))
        .collect();
    Report::Platform(Box::new(PlatformReport {
        data,
        text,
        wide,
        names,
    }))
}
