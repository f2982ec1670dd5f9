//! `prune VM | -l SELECTOR` on Deckhouse: the same retention rules as on KubeVirt
//! (`--keep N`, `--older-than D`, safety snapshots kept a day, the newest usable one always
//! kept), applied to VirtualMachineSnapshots; a snapshot an unfinished Restore or
//! CreateVirtualMachine operation uses is kept.

use std::collections::BTreeSet;

use serde_json::Value;

use super::delete::{Doomed, remove};
use super::{Ctx, require_permission};
use crate::cli::{DryRun, PruneArgs};
use crate::cluster::json::str_at;
use crate::cluster::objects::{list_names, list_rows};
use crate::error::UserError;
use crate::flow::retention::DeletedSnapshot;
use crate::flow::retention::{Plan, doomed, plan_retention, policy, retention_row};
use crate::model::RestoreInfo;
use crate::model::SnapshotPhase;
use crate::platform::deckhouse::api::operations::snapshot_readers;
use crate::platform::deckhouse::api::{Kind, is_clone_temporary, snapshot_info};
use crate::platform::deckhouse::report::{Report, SnapshotPrune};

/// Unfinished operations that read a snapshot, as the retention rules know restores: the
/// snapshot they use is protected.
fn in_use(ops: &[Value]) -> Vec<RestoreInfo> {
    snapshot_readers(ops)
        .filter_map(|o| {
            Some(RestoreInfo {
                snapshot: o.snapshot.clone()?,
                namespace: o.namespace,
                name: o.name,
                vm: o.vm,
                complete: false,
                restore_time: None,
                conditions: o.conditions,
                error: None,
                created: o.created,
                safety_snapshot: None,
            })
        })
        .collect()
}

/// `prune`.
pub(super) async fn run(args: &PruneArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let policy = policy(args)?;
    let ns = ctx.namespace.clone();
    require_permission(ctx, "delete", Kind::VirtualMachineSnapshot, &ns).await?;
    let (vms, scope): (BTreeSet<String>, String) = match (&args.vm, &args.selector) {
        (Some(vm), _) => (BTreeSet::from([vm.clone()]), format!("VM {ns}/{vm}")),
        (None, Some(sel)) => {
            let ar = Kind::VirtualMachine.api_resource();
            (
                list_names(dh.client(), &ar, Some(&ns), Some(sel)).await?,
                format!("VMs matching {sel} in namespace {ns}"),
            )
        }
        (None, None) => return Err(UserError::usage("name a VM or give -l SELECTOR").into()),
    };
    // The VMs' snapshots become rows page by page: the list is never held as JSON at once.
    let of_the_vms = |s: &Value| {
        let ours = !is_clone_temporary(s)
            && str_at(s, "/spec/virtualMachineName").is_some_and(|vm| vms.contains(vm));
        ours.then(|| retention_row(snapshot_info(s, &[], &[])))
    };
    let snapshot_resource = Kind::VirtualMachineSnapshot.api_resource();
    let (infos, vmops, vmsops) = futures::join!(
        list_rows(dh.client(), &snapshot_resource, Some(&ns), None, of_the_vms),
        dh.list(Kind::VirtualMachineOperation, Some(&ns), None),
        dh.list(Kind::VirtualMachineSnapshotOperation, Some(&ns), None),
    );
    let infos = infos?;
    let mut ops = vmops?;
    ops.extend(vmsops?);
    let mut retention = plan_retention(&infos, &in_use(&ops), ctx.clock.now(), &policy);
    // Deckhouse calls a usable snapshot Ready.
    for d in retention.delete.iter_mut().chain(retention.keep.iter_mut()) {
        d.reason = d.reason.replace("Succeeded", "Ready");
    }
    let doomed = doomed(infos, &retention);
    let plan = Plan {
        namespace: ns.clone(),
        scope,
        retention,
        doomed,
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
    };
    confirm(&plan, ctx)?;
    let dry = ctx.dry_run();
    let mut out = SnapshotPrune::new(
        &ns,
        super::dry_run_mode(ctx),
        plan.retention.delete.clone(),
        plan.retention.keep.clone(),
        plan.wait,
    );
    if dry != DryRun::Client && !plan.doomed.is_empty() {
        let targets: Vec<Doomed> = plan
            .doomed
            .iter()
            .map(|s| Doomed {
                kind: Kind::VirtualMachineSnapshot,
                name: s.name.clone(),
                uid: s.uid.clone(),
            })
            .collect();
        let server = dry == DryRun::Server;
        remove(ctx, &ns, &targets, server, plan.wait, plan.timeout).await?;
        out.deleted = plan
            .doomed
            .iter()
            .map(|s| DeletedSnapshot {
                namespace: s.namespace.clone(),
                name: s.name.clone(),
                vm: s.vm.clone(),
                gone: plan.wait && !server,
            })
            .collect();
    }
    Ok(Report::Prune(Box::new(out)))
}

/// Shows both lists and asks; Deckhouse calls a finished snapshot Ready.
fn confirm(plan: &Plan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    crate::flow::retention::confirm(plan, ctx, |p| match p {
        SnapshotPhase::Succeeded => "Ready".to_owned(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(kind: &str, name_: &str, phase: &str, spec: Value) -> Value {
        json!({"kind": kind, "metadata": {"name": name_, "namespace": "p"}, "spec": spec,
            "status": {"phase": phase}})
    }

    /// A Strict restore of VM `vm` from `snapshot`.
    fn restore_op(name_: &str, phase: &str, snapshot: &str) -> Value {
        op(
            "VirtualMachineOperation",
            name_,
            phase,
            json!({"type": "Restore", "virtualMachineName": "vm",
                "restore": {"mode": "Strict", "virtualMachineSnapshotName": snapshot}}),
        )
    }

    #[test]
    fn only_unfinished_operations_that_read_a_snapshot_protect_it() {
        let ops = [
            restore_op("r1", "InProgress", "s1"),
            restore_op("r2", "Completed", "s2"),
            op(
                "VirtualMachineSnapshotOperation",
                "c1",
                "Pending",
                json!({"type": "CreateVirtualMachine", "virtualMachineSnapshotName": "s3"}),
            ),
            op(
                "VirtualMachineOperation",
                "stop",
                "InProgress",
                json!({"type": "Stop", "virtualMachineName": "vm"}),
            ),
        ];
        let used: Vec<String> = in_use(&ops).into_iter().map(|r| r.snapshot).collect();
        assert_eq!(used, vec!["s1", "s3"]);
    }
}
