//! `check [VM]` on Deckhouse: the snapshot preflight of every VM as a readiness table: can
//! it be snapshotted now, with what consistency, what blocks it, what a snapshot leaves out.

use serde_json::{Value, json};

use super::{Ctx, not_found, report};
use crate::cli::CheckArgs;
use crate::cluster::list_all;
use crate::output::{Report, Table};
use crate::provider::deckhouse::operations::active_operation;
use crate::provider::deckhouse::preflight::{self, ExpectedConsistency, Finding, Severity};
use crate::provider::deckhouse::{Deckhouse, Kind, vm_disks};
use crate::provider::kubevirt::LIST_PAGE_SIZE;
use crate::provider::kubevirt::json::{name, namespace, str_at};

/// One VM's readiness.
struct Row {
    namespace: String,
    vm: String,
    status: String,
    snapshottable: &'static str,
    consistency: &'static str,
    blockers: Vec<String>,
    warnings: Vec<String>,
    /// Finding codes, for the summary's fixes.
    codes: Vec<&'static str>,
}

/// A table cell for a finding: its first clause.
fn short(f: &Finding) -> String {
    match f.code {
        "agent-not-ready" => "guest agent not ready: a consistent snapshot would fail".to_owned(),
        "images-not-saved" => "attached images are not saved".to_owned(),
        _ => f
            .message
            .split([':', ';'])
            .next()
            .unwrap_or(&f.message)
            .trim()
            .to_owned(),
    }
}

fn row(vm: &Value, disks: &[Value], ops: &[Value]) -> Row {
    let pf = preflight::vm_snapshot(vm, disks, true);
    let mut blockers: Vec<String> = pf
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker)
        .map(short)
        .collect();
    let mut codes: Vec<&'static str> = pf
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.code)
        .collect();
    if let Some(op) = active_operation(ops, name(vm))
        && op.type_ == "Restore"
    {
        blockers.push(format!("restore {} in progress", op.name));
        codes.push("restoring");
    }
    let warnings = pf
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(short)
        .collect();
    let only_agent = pf
        .findings
        .iter()
        .all(|f| f.severity != Severity::Blocker || f.code == "agent-not-ready")
        && blockers.len() == 1
        && pf.expected == ExpectedConsistency::WillFail;
    Row {
        namespace: namespace(vm).to_owned(),
        vm: name(vm).to_owned(),
        status: str_at(vm, "/status/phase").unwrap_or("Pending").to_owned(),
        snapshottable: if blockers.is_empty() {
            "yes"
        } else if only_agent {
            "inconsistent-only"
        } else {
            "no"
        },
        consistency: match pf.expected {
            ExpectedConsistency::Stopped | ExpectedConsistency::Frozen => "consistent",
            ExpectedConsistency::WillFail => "not-guaranteed",
            ExpectedConsistency::NotGuaranteed => "not-guaranteed",
            ExpectedConsistency::Waits => "waits",
        },
        blockers,
        warnings,
        codes,
    }
}

/// Each kind of finding in words, and what to do about it, for the summary.
fn fix(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "agent-not-ready" => (
            "no guest agent",
            "stop the VM for a consistent snapshot (create --stop --start-after), or accept one that is not guaranteed consistent (--allow-inconsistent)",
        ),
        "disk-resizing" => (
            "disk being resized",
            "snapshot once the resize has finished",
        ),
        "disk-missing" => ("a disk does not exist", "fix the VM's blockDeviceRefs"),
        "disk-not-ready" => ("a disk is not Ready", "the snapshot waits for it"),
        "images-not-saved" => (
            "images attached",
            "they are not saved with a snapshot: a restore needs them to still exist (--mode BestEffort removes missing ones)",
        ),
        "restoring" | "vm-maintenance" => ("restore in progress", "snapshot once it has finished"),
        "vm-phase" => (
            "starting, stopping or migrating",
            "the snapshot waits for Running or Stopped",
        ),
        _ => return None,
    })
}

/// `check`.
pub(super) async fn run(
    args: &CheckArgs,
    dh: &Deckhouse,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let vms = match &args.vm {
        Some(v) => {
            let here = ctx.namespace.clone();
            match dh.get(Kind::VirtualMachine, &here, v).await? {
                Some(vm) => vec![vm],
                None => return Err(not_found(Kind::VirtualMachine, &here, v)),
            }
        }
        None => {
            list_all(
                &dh.api(Kind::VirtualMachine, ns.as_deref()),
                args.selector.as_deref(),
                LIST_PAGE_SIZE,
            )
            .await?
        }
    };
    let (disks, ops) = futures::join!(
        dh.list(Kind::VirtualDisk, ns.as_deref()),
        dh.list(Kind::VirtualMachineOperation, ns.as_deref()),
    );
    let (disks, ops) = (disks?, ops?);
    let mut rows: Vec<Row> = vms
        .iter()
        .map(|vm| {
            let wanted = vm_disks(vm);
            let mine: Vec<Value> = disks
                .iter()
                .filter(|d| namespace(d) == namespace(vm) && wanted.iter().any(|w| w == name(d)))
                .cloned()
                .collect();
            let ops: Vec<Value> = ops
                .iter()
                .filter(|o| namespace(o) == namespace(vm))
                .cloned()
                .collect();
            row(vm, &mine, &ops)
        })
        .collect();
    rows.sort_by(|a, b| (&a.namespace, &a.vm).cmp(&(&b.namespace, &b.vm)));
    if rows.is_empty() && !ctx.format().is_machine() {
        match &ns {
            Some(ns) => ctx.say(&format!("No VirtualMachines found in {ns} namespace.")),
            None => ctx.say("No VirtualMachines found."),
        }
    }
    let all = args.all_namespaces;
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
            let Some(f) = fix(c) else { continue };
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
    let mut data = json!({"kind": "ReadinessReport", "platform": "deckhouse", "rows": items,
        "summary": {"vms": rows.len(), "snapshottable": ready}});
    if let Some(ns) = &ns {
        data["namespace"] = json!(ns);
    }
    let names = rows
        .iter()
        .map(|r| super::resource_name(Kind::VirtualMachine, &r.vm))
        .collect();
    Ok(report(data, text, wide, names))
}
