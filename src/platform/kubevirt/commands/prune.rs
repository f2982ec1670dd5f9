//! `prune VM | -l SELECTOR`: retention by `--keep N` / `--older-than D`, both lists shown with reasons, confirm, delete.

use std::collections::BTreeSet;

use super::common;
use super::delete::{self, DeletePlan};
use crate::cli::{DryRun, PruneArgs};
use crate::error::UserError;
use crate::flow::Ctx;
use crate::flow::retention::PruneReport;
use crate::flow::retention::{Plan, doomed, plan_retention, policy};
use crate::model::SnapshotInfo;
use crate::platform::kubevirt::api::{self as kv, Kind};
use crate::platform::kubevirt::report::Report;

/// Reads the VMs' snapshots and the restores, and applies the policy.
pub async fn plan(args: &PruneArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Plan> {
    let policy = policy(args)?;
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let client = ctx.conn.client.clone();
    let scope = match (&args.vm, &args.selector) {
        (Some(vm), _) => format!("VM {ns}/{vm}"),
        (None, Some(sel)) => format!("VMs matching {sel} in namespace {ns}"),
        (None, None) => {
            return Err(UserError::usage("name a VM or give -l SELECTOR").into());
        }
    };
    // The selected VMs are listed beside the snapshots and restores: one wave of reads.
    let selected = async {
        match (&args.vm, &args.selector) {
            (Some(vm), _) => Ok(BTreeSet::from([vm.clone()])),
            (None, sel) => {
                kv.names(Kind::VirtualMachine, Some(&ns), sel.as_deref())
                    .await
            }
        }
    };
    let (vms, snapshots, restores, allowed) = futures::join!(
        selected,
        // Each page becomes rows as it arrives: 10,000 snapshots are never JSON at once.
        kv.retention_rows(Some(&ns)),
        kv.list_restores(Some(&ns)),
        common::require_snapshot_permission(&client, "delete", "virtualmachinesnapshots", &ns)
    );
    allowed?;
    let vms = vms?;
    let mut snapshots: Vec<SnapshotInfo> = snapshots?;
    snapshots.retain(|s| vms.contains(&s.vm));
    let restores: Vec<_> = restores?.iter().map(kv::restore_info).collect();
    let retention = plan_retention(&snapshots, &restores, ctx.clock.now(), &policy);
    let doomed = doomed(snapshots, &retention);
    Ok(Plan {
        namespace: ns,
        scope,
        retention,
        doomed,
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
    })
}

fn report(plan: &Plan, dry_run: Option<&str>) -> PruneReport {
    PruneReport {
        kind: "SnapshotPrune",
        dry_run: dry_run.map(str::to_string),
        namespace: plan.namespace.clone(),
        delete: plan.retention.delete.clone(),
        keep: plan.retention.keep.clone(),
        deleted: Vec::new(),
    }
}

/// The report for `--dry-run=client`: the lists only.
pub fn dry_run_report(plan: &Plan) -> Report {
    Report::Prune(Box::new(report(plan, Some("client"))))
}

/// Deletes through `delete`'s path (uid preconditions, waiting until gone).
pub async fn execute(plan: Plan, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let server = ctx.dry_run() == DryRun::Server;
    let mut out = report(&plan, server.then_some("server"));
    if plan.doomed.is_empty() {
        return Ok(Report::Prune(Box::new(out)));
    }
    let delete_plan = DeletePlan {
        namespace: plan.namespace.clone(),
        snapshots: plan.doomed.clone(),
        wait: plan.wait,
        timeout: plan.timeout,
        scope: None,
    };
    if let Report::Delete(d) = delete::execute(delete_plan, ctx).await? {
        out.deleted = d.items;
    }
    Ok(Report::Prune(Box::new(out)))
}

/// Shows both lists and asks (nothing to ask when nothing goes).
pub fn confirm(plan: &Plan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    crate::flow::retention::confirm(plan, ctx, |p| p.to_string())
}
