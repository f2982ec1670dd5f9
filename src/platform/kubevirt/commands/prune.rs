//! `prune VM | -l SELECTOR`: retention by `--keep N` / `--older-than D`, both lists shown with reasons, confirm, delete.

use std::collections::BTreeSet;

use super::common;
use super::delete::{self, DeletePlan};
use crate::cli::{DryRun, PruneArgs};
use crate::error::UserError;
use crate::flow::retention::PruneReport;
use crate::flow::retention::{Decision, PrunePlan, RetentionPolicy, plan_retention, safety_note};
use crate::flow::{Ctx, confirm};
use crate::model::SnapshotInfo;
use crate::model::SnapshotPhase;
use crate::output::{Table, age};
use crate::platform::kubevirt::api::resources::SNAPSHOT_GROUP;
use crate::platform::kubevirt::api::{self as kv, Kind};
use crate::platform::kubevirt::report::Report;

/// What `prune` will do, decided by reads only.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Namespace.
    pub namespace: String,
    /// What to say the command prunes: "VM db", "VMs matching app=db".
    pub scope: String,
    /// Which snapshots go and which stay, with reasons.
    pub retention: PrunePlan,
    /// The snapshots to delete, as read (uids guard the deletion).
    pub doomed: Vec<SnapshotInfo>,
    /// Follow until gone.
    pub wait: bool,
    /// How long to follow.
    pub timeout: std::time::Duration,
}

/// Refuses an empty policy before anything is read.
pub fn policy(args: &PruneArgs) -> Result<RetentionPolicy, UserError> {
    let p = RetentionPolicy {
        keep: args.keep,
        older_than: args.older_than,
        include_safety: args.include_safety,
    };
    if p.is_empty() {
        return Err(UserError::usage(
            "prune needs a policy: --keep N, --older-than DURATION, or both",
        )
        .hint("e.g. kubectl vmsnap prune VM --keep 3, or --older-than 7d"));
    }
    Ok(p)
}

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
            (None, sel) => kv
                .list(Kind::VirtualMachine, Some(&ns), sel.as_deref())
                .await
                .map(|found| {
                    found
                        .iter()
                        .map(|v| crate::cluster::json::name(v).to_string())
                        .collect::<BTreeSet<String>>()
                }),
        }
    };
    let (vms, snapshots, restores, allowed) = futures::join!(
        selected,
        kv.list_snapshots(Some(&ns), None),
        kv.list_restores(Some(&ns)),
        common::require_permission(
            &client,
            "delete",
            SNAPSHOT_GROUP,
            "virtualmachinesnapshots",
            &ns
        )
    );
    allowed?;
    let vms = vms?;
    let snapshots: Vec<SnapshotInfo> = snapshots?
        .iter()
        .map(|s| kv::snapshot_info(s, None, &[]))
        .filter(|s| vms.contains(&s.vm))
        .collect();
    let restores: Vec<_> = restores?.iter().map(kv::restore_info).collect();
    let retention = plan_retention(&snapshots, &restores, ctx.clock.now(), &policy);
    let doomed = retention
        .delete
        .iter()
        .filter_map(|d| snapshots.iter().find(|s| s.name == d.snapshot).cloned())
        .collect();
    Ok(Plan {
        namespace: ns,
        scope,
        retention,
        doomed,
        wait: args.should_wait(),
        timeout: args.timeout,
    })
}

/// One table of retention decisions; `phase` names a phase as the platform does.
fn decisions_table(
    list: &[Decision],
    now: jiff::Timestamp,
    phase: fn(SnapshotPhase) -> String,
) -> String {
    let mut t = Table::new(&["name", "vm", "phase", "age", "why"]);
    for d in list {
        t.row(vec![
            d.snapshot.clone(),
            d.vm.clone(),
            phase(d.phase),
            age(d.created, now),
            d.reason.clone(),
        ]);
    }
    t.render(true).lines().map(|l| format!("  {l}\n")).collect()
}

/// "Prune plan for SCOPE", then what goes and what stays, each with the reason.
pub(crate) fn lists_text(
    scope: &str,
    r: &PrunePlan,
    now: jiff::Timestamp,
    phase: fn(SnapshotPhase) -> String,
) -> String {
    let mut out = format!("Prune plan for {scope}\n");
    if r.delete.is_empty() {
        out.push_str("Nothing to delete.\n");
    } else {
        out.push_str(&format!("To delete ({}):\n", r.delete.len()));
        out.push_str(&decisions_table(&r.delete, now, phase));
    }
    if r.keep.is_empty() {
        out.push_str("To keep: none\n");
    } else {
        out.push_str(&format!("To keep ({}):\n", r.keep.len()));
        out.push_str(&decisions_table(&r.keep, now, phase));
    }
    if let Some(note) = safety_note(r) {
        out.push_str(&format!("{note}\n"));
    }
    out
}

/// The two lists as the user reads them before answering.
pub fn describe_plan(plan: &Plan, now: jiff::Timestamp) -> String {
    lists_text(&plan.scope, &plan.retention, now, |p| p.to_string())
}

/// Shows both lists and asks (nothing to ask when nothing goes).
pub fn confirm(plan: &Plan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let text = describe_plan(plan, ctx.clock.now());
    ctx.say(text.trim_end());
    if plan.doomed.is_empty() {
        return Ok(());
    }
    confirm::delete_snapshots(
        ctx,
        plan.doomed.len(),
        "pass --yes to prune without asking, or --dry-run to only list",
        "prune cancelled; nothing was deleted",
    )
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
