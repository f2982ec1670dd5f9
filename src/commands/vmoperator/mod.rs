//! The commands on VMware VM Operator: snapshots with memory and quiesce, the snapshot tree,
//! revert through the VM's `spec.currentSnapshotName`. One file per command; the shared
//! lookups and report pieces live here.

mod create;
mod delete;
mod describe;
mod list;
mod revert;
mod tree;

use jiff::Timestamp;
use serde_json::Value;

use super::Ctx;
use crate::cli::Command;
use crate::error::UserError;
use crate::output::{PlatformReport, Report, age};
use crate::provider::vmoperator::resources::GROUP;
use crate::provider::vmoperator::{Kind, SnapshotTree, VmOperator, build_tree};

/// The platform's name in messages.
pub const PLATFORM: &str = "VMware VM Operator";
/// The `-o name` prefix of a snapshot.
pub const SNAPSHOT_RESOURCE: &str = "virtualmachinesnapshot.vmoperator.vmware.com";
/// The `-o name` prefix of a VM.
pub const VM_RESOURCE: &str = "virtualmachine.vmoperator.vmware.com";

/// Runs `command` against VM Operator.
pub async fn run(
    command: &Command,
    vmop: &VmOperator,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    match command {
        Command::Create(a) => create::run(a, vmop, ctx).await,
        Command::List(a) => list::run(a, vmop, ctx).await,
        Command::Tree(a) => tree::run(a, vmop, ctx).await,
        Command::Describe(a) => describe::run(a, vmop, ctx).await,
        Command::Delete(a) => delete::run(a, vmop, ctx).await,
        Command::Restore(a) => revert::run(a, vmop, ctx).await,
        Command::Clone(_) => Err(super::platform::not_offered(command, PLATFORM)
            .hint(
                "VM Operator has no clone API: a VirtualMachineSnapshot can only revert the VM it \
                 was taken of (kubectl vmsnap restore VM --snapshot SNAPSHOT)",
            )
            .into()),
        _ => Err(super::platform::not_offered(command, PLATFORM).into()),
    }
}

/// A usage error for a shared flag that has no meaning on VM Operator.
fn refuse_flag(flag: &str, why: &str) -> anyhow::Error {
    UserError::usage(format!("{flag} does not apply to {PLATFORM}: {why}"))
        .hint("see docs/commands/vmoperator.md for how VM Operator snapshots and reverts")
        .into()
}

/// The VM, or exit 5 with the command that lists VM Operator's VMs.
fn require_vm(got: Option<Value>, ns: &str, name: &str) -> anyhow::Result<Value> {
    got.ok_or_else(|| {
        UserError::not_found(format!(
            "VirtualMachine \"{name}\" not found in namespace \"{ns}\""
        ))
        .hint(format!(
            "list the VMs with: kubectl get {} -n {ns}",
            Kind::VirtualMachine.qualified()
        ))
        .into()
    })
}

/// The snapshot, or exit 5 with the command that lists snapshots.
fn require_snapshot(got: Option<Value>, ns: &str, name: &str) -> anyhow::Result<Value> {
    got.ok_or_else(|| {
        UserError::not_found(format!(
            "snapshot \"{name}\" not found in namespace \"{ns}\""
        ))
        .hint(format!(
            "list the snapshots with: kubectl vmsnap list -n {ns}"
        ))
        .into()
    })
}

/// A VM (when it exists), its snapshots (server-side by label) and their tree.
async fn vm_tree(
    vmop: &VmOperator,
    ns: &str,
    vm: &str,
) -> anyhow::Result<(Option<Value>, Vec<Value>, SnapshotTree)> {
    let (got, snaps) = futures::join!(vmop.get_vm(ns, vm), vmop.list_snapshots(Some(ns), Some(vm)));
    let (got, snaps) = (got?, snaps?);
    let stand_in = serde_json::json!({"metadata": {"name": vm, "namespace": ns}});
    let tree = build_tree(got.as_ref().unwrap_or(&stand_in), &snaps);
    Ok((got, snaps, tree))
}

/// `2026-11-10T02:00:00Z (16d ago)`, or `<unknown>`.
fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "<unknown>".into(),
    }
}

/// The report of a VM Operator command.
fn report(data: Value, text: String, wide: Option<String>, names: Vec<String>) -> Report {
    Report::Platform(Box::new(PlatformReport {
        data,
        text,
        wide,
        names,
    }))
}

/// `kubectl get virtualmachines.vmoperator.vmware.com VM -n NS` for hints.
fn kubectl_get_vm(ns: &str, vm: &str) -> String {
    format!(
        "kubectl get {} {vm} -n {ns} -o yaml",
        Kind::VirtualMachine.qualified()
    )
}

/// The API group, for permission checks.
const API_GROUP: &str = GROUP;
