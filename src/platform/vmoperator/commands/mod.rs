//! The commands on VMware VM Operator: snapshots with memory and quiesce, the snapshot tree,
//! revert through the VM's `spec.currentSnapshotName`. One file per command; the shared
//! lookups and report pieces live here.

mod check;
mod create;
mod delete;
mod describe;
mod list;
mod revert;
mod tree;
mod wait;

use serde_json::Value;

use crate::cli::Command;
use crate::cluster::{Step, WaitOptions, WaitResult, to_value, wait_for};
use crate::error::UserError;
use crate::flow::common::require_snapshot;
use crate::flow::{Ctx, common};
use crate::platform::vmoperator::api::resources::GROUP;
use crate::platform::vmoperator::api::{
    Kind, Phase, SnapshotTree, VmOperator, build_tree, phase, waiting_message,
};
pub use crate::platform::vmoperator::report::{Report, SNAPSHOT_RESOURCE, VM_RESOURCE};
pub use list::watch as list_watch;

/// The platform's name in messages.
pub const PLATFORM: &str = crate::platform::capability::VM_OPERATOR.title;

/// Runs `command` against VM Operator.
pub async fn run(command: &Command, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    match command {
        Command::Create(a) => create::run(a, ctx).await,
        Command::List(a) => list::run(a, ctx).await,
        Command::Tree(a) => tree::run(a, ctx).await,
        Command::Describe(a) => describe::run(a, ctx).await,
        Command::Wait(a) => wait::run(a, ctx).await,
        Command::Delete(a) => delete::run(a, ctx).await,
        Command::Restore(a) => revert::run(a, ctx).await,
        Command::Check(a) => check::run(a, ctx).await,
        _ => Err(crate::platform::capability::VM_OPERATOR
            .not_offered(command)
            .into()),
    }
}

impl Ctx<'_> {
    /// VM Operator at the snapshot API version discovery chose (only VM Operator's commands
    /// call it: `app` sends each platform to its own commands).
    pub fn vmoperator(&self) -> VmOperator {
        let version = self.snapshot_version.parse().unwrap_or_default();
        VmOperator::new(self.conn.client.clone(), version)
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
    common::require_vm_as(got, ns, name, &Kind::VirtualMachine.qualified())
}

/// The command that powers `vm` on by hand.
fn power_on_cmd(ns: &str, vm: &str) -> String {
    format!(
        "kubectl patch {} {vm} -n {ns} --type merge -p '{{\"spec\":{{\"powerState\":\"PoweredOn\"}}}}'",
        Kind::VirtualMachine.qualified()
    )
}

/// After a signal stopped the power-off this command asked for (and nothing irreversible
/// was sent): powers `vm` on again without waiting, and says so in `err`'s hints.
async fn power_back_on(
    vmop: &VmOperator,
    err: anyhow::Error,
    nothing_done: &str,
    ns: &str,
    vm: &str,
) -> anyhow::Error {
    let patch = serde_json::json!({"spec": {"powerState": "PoweredOn"}});
    let start = vmop.patch_vm(ns, vm, &patch, false);
    common::power_back_on_after_signal(
        err,
        nothing_done,
        vm,
        ns,
        async { start.await.map(|_| ()) },
        &power_on_cmd(ns, vm),
    )
    .await
}

/// Sets `spec.powerState` and follows `status.powerState` until it is `want`.
pub(super) async fn set_power(
    ctx: &mut Ctx<'_>,
    ns: &str,
    vm: &str,
    want: &str,
    timeout: std::time::Duration,
) -> anyhow::Result<()> {
    let vmop = &ctx.vmoperator();
    let patch = serde_json::json!({"spec": {"powerState": want}});
    vmop.patch_vm(ns, vm, &patch, false).await?;
    let api = vmop.api(Kind::VirtualMachine, Some(ns));
    let verb = if want == "PoweredOn" { "on" } else { "off" };
    let mut progress = ctx.progress(&format!("Powering {verb} VM {vm}"));
    let result = wait_for(api, vm, WaitOptions::new(timeout), progress.as_mut(), |o| {
        let power = o.and_then(|o| to_value(o.clone()).ok()).and_then(|v| {
            crate::cluster::json::str_at(&v, "/status/powerState").map(str::to_owned)
        });
        match power.as_deref() {
            None => Step::Done,
            Some(p) if p == want => Step::Done,
            Some(p) => Step::Continue(format!("VM {vm}: {p}, waiting for {want}")),
        }
    })
    .await;
    progress.finish();
    common::vm_state_reached(result?, ns, vm, want, timeout, &kubectl_get_vm(ns, vm))
}

/// Follows a snapshot's conditions until Ready or Failed, with a spinner naming what holds
/// a queued snapshot up; `what` names it in the messages ("snapshot", "safety snapshot").
async fn follow_snapshot(
    ctx: &mut Ctx<'_>,
    ns: &str,
    name: &str,
    tree: &SnapshotTree,
    timeout: std::time::Duration,
    what: &str,
) -> anyhow::Result<WaitResult<Value>> {
    let vmop = &ctx.vmoperator();
    let api = vmop.api(Kind::VirtualMachineSnapshot, Some(ns));
    let title = common::titled(what);
    common::follow_json(
        ctx,
        api,
        name,
        timeout,
        &format!("Creating {what} {name}"),
        |o| match o {
            None => Step::Continue(format!("Waiting for {what} {name} to appear")),
            Some(v) => match phase(v) {
                Phase::Ready | Phase::Failed => Step::Done,
                p => Step::Continue(format!(
                    "{title} {name}: {}",
                    waiting_message(v, tree).unwrap_or_else(|| p.as_str().to_owned())
                )),
            },
        },
    )
    .await
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

/// A plan's heading (`Snapshot plan for VM ns/vm (VMware VM Operator)`) and its rows.
fn plan_head(what: &str, ns: &str, vm: &str, rows: &[(&str, String)]) -> String {
    let mut out = format!("{what} plan for VM {ns}/{vm} ({PLATFORM})\n");
    out.push_str(&crate::output::key_values(rows, 2));
    out
}

/// `kubectl get virtualmachines.vmoperator.vmware.com VM -n NS` for hints.
pub(crate) fn kubectl_get_vm(ns: &str, vm: &str) -> String {
    format!(
        "kubectl get {} {vm} -n {ns} -o yaml",
        Kind::VirtualMachine.qualified()
    )
}

/// The API group, for permission checks.
const API_GROUP: &str = GROUP;
