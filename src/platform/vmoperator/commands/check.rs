//! `check [VM]` on VM Operator: the create preflight of every VM as a readiness table: can it
//! be snapshotted now, how consistently (VMware Tools, power state), what blocks it (a VKS
//! node, a stuck revert, an older snapshot holding the queue), how many snapshots it has.

use std::time::Duration;

use serde_json::Value;

use super::{Ctx, VM_RESOURCE, require_vm};
use crate::cli::CheckArgs;
use crate::cluster::json::{name, namespace, str_at};
use crate::flow::readiness_table::{self, Row};
use crate::platform::vmoperator::api::{
    Kind, SnapshotOptions, blocking_snapshot, build_tree, expected_consistency, preflight,
    vm_details,
};
use crate::platform::vmoperator::report::Report;

/// vSphere's advice: fewer snapshots than this per VM.
const SNAPSHOT_ADVICE: usize = crate::platform::vmoperator::api::resources::SNAPSHOT_ADVICE_LIMIT;

/// `mine`: the VM's own snapshots.
fn row(vm: &Value, mine: &[Value]) -> Row {
    let tree = build_tree(vm, mine);
    let d = vm_details(vm);
    let power = d.power_state.clone().unwrap_or_else(|| "Unknown".into());
    // As `create --quiesce-timeout` would meet it: the best consistency on offer.
    let opts = SnapshotOptions {
        quiesce_timeout: Some(Duration::from_secs(10 * 60)),
        ..SnapshotOptions::default()
    };
    let pf = preflight(vm, &tree, &opts);
    let mut blockers = Vec::new();
    let mut warnings = Vec::new();
    let mut codes = Vec::new();
    if let Some(r) = &pf.refusal {
        blockers.push(r.message.split(':').next().unwrap_or(&r.message).to_owned());
        codes.push(if d.vks_node {
            "vks-node"
        } else {
            "stuck-revert"
        });
    }
    if let Some(b) = blocking_snapshot(&tree, None) {
        blockers.push(format!("snapshot {b} holds the queue"));
        codes.push("queue-blocked");
    }
    if power == "PoweredOn" && !d.tools_running {
        warnings.push("VMware Tools not running: no quiesce".to_owned());
        codes.push("no-tools");
    }
    let count = tree.node_count();
    if count >= SNAPSHOT_ADVICE {
        warnings.push(format!(
            "{count} snapshots (vSphere advises fewer than {SNAPSHOT_ADVICE})"
        ));
        codes.push("many-snapshots");
    } else if count + 1 == SNAPSHOT_ADVICE {
        // As create warns: the next snapshot is the one past the advice.
        warnings.push(format!(
            "{count} snapshots: the next makes {SNAPSHOT_ADVICE} (vSphere advises fewer)"
        ));
        codes.push("near-snapshot-advice");
    }
    let consistency = expected_consistency(&power, true, d.tools_running).as_str();
    Row {
        namespace: namespace(vm).to_owned(),
        vm: name(vm).to_owned(),
        status: power,
        snapshottable: if blockers.is_empty() { "yes" } else { "no" },
        consistency,
        blockers,
        warnings,
        codes,
    }
}

/// Each kind of finding in words, and what to do about it, for the summary.
fn fix(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "vks-node" => (
            "VKS nodes",
            "VM Operator refuses snapshots of Kubernetes nodes: protect the workload inside the cluster (e.g. Velero)",
        ),
        "stuck-revert" => (
            "stuck after a failed revert",
            "VM Operator ignores the VM until the revert is cleared; `kubectl vmsnap create VM --dry-run` prints the two kubectl commands that clear it",
        ),
        "queue-blocked" => (
            "queue held by an older snapshot",
            "delete the failed or stuck snapshot named in BLOCKERS; VM Operator takes one snapshot per VM at a time",
        ),
        "no-tools" => (
            "VMware Tools not running",
            "snapshots are crash-consistent; start VMware Tools for --quiesce-timeout, or create --stop for an offline one",
        ),
        "many-snapshots" => (
            "32 or more snapshots",
            "delete old ones: long chains slow the VM and its storage",
        ),
        "near-snapshot-advice" => (
            "31 snapshots",
            "the next snapshot makes 32: delete old ones first, long chains slow the VM and its storage",
        ),
        _ => return None,
    })
}

/// `check`.
pub(super) async fn run(args: &CheckArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    // The VMs and their snapshots in one wave of reads.
    let here = ctx.namespace.clone();
    let named = args
        .vm
        .as_deref()
        .map(|v| async move { require_vm(vmop.get_vm(&here, v).await?, &here, v) });
    let vms = readiness_table::vms(
        named,
        vmop.api(Kind::VirtualMachine, ns.as_deref()),
        args.selector.as_deref(),
    );
    let (vms, snapshots) = futures::join!(vms, vmop.list_snapshots(ns.as_deref(), None));
    let (vms, snapshots) = (vms?, snapshots?);
    // Each VM's snapshots by (namespace, VM), indexed once rather than filtered per VM.
    let by_vm = readiness_table::group_by(snapshots, |s| {
        str_at(s, "/spec/vmName").map(|vm| (namespace(s).to_owned(), vm.to_owned()))
    });
    let rows = vms
        .iter()
        .map(|vm| {
            let key = (namespace(vm).to_owned(), name(vm).to_owned());
            row(vm, by_vm.get(&key).map_or(&[][..], Vec::as_slice))
        })
        .collect();
    let platform = readiness_table::Platform {
        name: "vmoperator",
        vm_resource: VM_RESOURCE,
        fix,
    };
    Ok(Report::Check(readiness_table::report(
        rows,
        ns.as_deref(),
        args.all_namespaces,
        &platform,
        ctx,
    )))
}
