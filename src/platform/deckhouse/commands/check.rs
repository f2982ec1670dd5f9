//! `check [VM]` on Deckhouse: the snapshot preflight of every VM as a readiness table: can
//! it be snapshotted now, with what consistency, what blocks it, what a snapshot leaves out.

use std::collections::HashMap;

use serde_json::Value;

use super::{Ctx, not_found};
use crate::cli::CheckArgs;
use crate::cluster::json::{name, namespace, str_at};
use crate::flow::readiness_table::{self, Row};
use crate::platform::deckhouse::api::operations::active_operation;
use crate::platform::deckhouse::api::preflight::{self, ExpectedConsistency, Finding, Severity};
use crate::platform::deckhouse::api::{Kind, vm_disks};
use crate::platform::deckhouse::report::Report;

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
            ExpectedConsistency::Waits => "fails",
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
        "disk-wffc" => (
            "a disk waits for its first consumer",
            "its volume is created when the VM starts: start the VM once, then snapshot",
        ),
        "disk-not-ready" => (
            "a disk is not Ready",
            "Deckhouse fails the snapshot: take it once the disk is Ready",
        ),
        "images-not-saved" => (
            "images attached",
            "they are not saved with a snapshot: a restore needs them to still exist (--mode BestEffort removes missing ones)",
        ),
        "restoring" | "vm-maintenance" => ("restore in progress", "snapshot once it has finished"),
        "vm-phase" => (
            "starting, stopping or migrating",
            "Deckhouse fails the snapshot: take it once the VM is Running or Stopped",
        ),
        _ => return None,
    })
}

/// `check`.
pub(super) async fn run(args: &CheckArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    // The VMs, their disks and the operations in one wave of reads.
    let here = ctx.namespace.clone();
    let named = args.vm.as_deref().map(|v| async move {
        dh.get(Kind::VirtualMachine, &here, v)
            .await?
            .ok_or_else(|| not_found(Kind::VirtualMachine, &here, v))
    });
    let vms = readiness_table::vms(
        named,
        dh.api(Kind::VirtualMachine, ns.as_deref()),
        args.selector.as_deref(),
    );
    let (vms, disks, ops) = futures::join!(
        vms,
        dh.list(Kind::VirtualDisk, ns.as_deref(), None),
        dh.list(Kind::VirtualMachineOperation, ns.as_deref(), None),
    );
    let (vms, disks, ops) = (vms?, disks?, ops?);
    // Disks by (namespace, name) and operations by namespace, indexed once rather than
    // filtered per VM; a VM's disks keep the list's order.
    let disk_at: HashMap<(String, String), usize> = disks
        .iter()
        .enumerate()
        .map(|(i, d)| ((namespace(d).to_owned(), name(d).to_owned()), i))
        .collect();
    let ops = readiness_table::group_by(ops, |o| Some(namespace(o).to_owned()));
    let rows: Vec<Row> = vms
        .iter()
        .map(|vm| {
            let ns = namespace(vm).to_owned();
            let mut at: Vec<usize> = vm_disks(vm)
                .into_iter()
                .filter_map(|d| disk_at.get(&(ns.clone(), d)).copied())
                .collect();
            at.sort_unstable();
            at.dedup();
            let mine: Vec<Value> = at.into_iter().map(|i| disks[i].clone()).collect();
            row(vm, &mine, ops.get(&ns).map_or(&[][..], Vec::as_slice))
        })
        .collect();
    let platform = readiness_table::Platform {
        name: "deckhouse",
        vm_resource: "virtualmachine.virtualization.deckhouse.io",
        fix,
    };
    let table = readiness_table::report(rows, ns.as_deref(), args.all_namespaces, &platform, ctx);
    Ok(Report::Check(Box::new(table)))
}
