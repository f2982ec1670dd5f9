//! `delete SNAPSHOT...|-l SELECTOR|--all`: confirm, refuse when a restore uses one, delete,
//! follow until gone.

use std::time::Duration;

use super::common;
use crate::cli::{DeleteArgs, DryRun};
use crate::cluster::require_deleted;
use crate::error::UserError;
use crate::flow::deletion::{self, Sent};
use crate::flow::retention::DeletedSnapshot;
use crate::flow::{Ctx, confirm, delete_pick};
use crate::model::SnapshotInfo;
use crate::output::{Table, age};
use crate::platform::kubevirt::api::resources::SNAPSHOT_GROUP;
use crate::platform::kubevirt::api::{self as kv, Kind, usage};
use crate::platform::kubevirt::report::DeleteReport;
use crate::platform::kubevirt::report::Report;

/// What `delete` will do.
#[derive(Debug, Clone)]
pub struct DeletePlan {
    /// Namespace.
    pub namespace: String,
    /// The snapshots, all verified to exist and not in use.
    pub snapshots: Vec<SnapshotInfo>,
    /// Follow until gone.
    pub wait: bool,
    /// How long to follow.
    pub timeout: Duration,
    /// How the snapshots were picked, for the prompt: "matching -l x", "all".
    pub scope: Option<String>,
}

/// Reads every named snapshot and the restores; refuses before anything is deleted.
pub async fn plan(args: &DeleteArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<DeletePlan> {
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let picked = delete_pick::pick(
        args,
        |n| {
            let kv = kv.clone();
            let ns = ns.clone();
            async move { kv.get_snapshot(&ns, &n).await }
        },
        |sel| {
            let kv = kv.clone();
            let ns = ns.clone();
            async move { kv.list_snapshots(Some(&ns), sel.as_deref()).await }
        },
        |n| {
            common::require_snapshot(None, &ns, n)
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("snapshot {n} not found"))
        },
    )
    .await?;
    let snapshots: Vec<SnapshotInfo> = picked
        .iter()
        .map(|v| kv::snapshot_info(v, None, &[]))
        .collect();
    let scope = delete_pick::scope(args);
    if snapshots.is_empty() {
        return Ok(DeletePlan {
            namespace: ns,
            snapshots,
            wait: args.follow.should_wait(),
            timeout: args.follow.timeout,
            scope,
        });
    }
    let client = ctx.conn.client.clone();
    let (restores, clones, allowed) = futures::join!(
        kv.list_restores(Some(&ns)),
        kv.list_clones(&ns),
        common::require_permission(
            &client,
            "delete",
            SNAPSHOT_GROUP,
            "virtualmachinesnapshots",
            &ns
        )
    );
    allowed?;
    let (restores, clones) = (restores?, clones?);
    for s in &snapshots {
        if let Some(holder) = usage::snapshot_holder(&restores, &clones, &s.name) {
            return Err(UserError::failure(format!(
                "snapshot {} is in use by {}",
                s.name,
                holder.describe()
            ))
            .hint(holder.next_step(&ns))
            .hint("nothing was deleted")
            .into());
        }
    }
    Ok(DeletePlan {
        namespace: ns,
        snapshots,
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
        scope,
    })
}

/// Shows what will be deleted and asks; nothing to delete asks nothing.
pub fn confirm(plan: &DeletePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    if plan.snapshots.is_empty() {
        ctx.say(&delete_pick::nothing_found(
            &plan.namespace,
            plan.scope.as_deref(),
        ));
        return Ok(());
    }
    let now = ctx.clock.now();
    let mut t = Table::new(&["name", "vm", "phase", "age"]);
    for s in &plan.snapshots {
        t.row(vec![
            s.name.clone(),
            s.vm.clone(),
            s.phase.to_string(),
            age(s.created, now),
        ]);
    }
    ctx.say(&delete_pick::heading(
        &plan.namespace,
        plan.scope.as_deref(),
    ));
    for line in t.render(true).lines() {
        ctx.say(&format!("  {line}"));
    }
    confirm::delete_command(ctx, plan.snapshots.len())
}

fn report(plan: &DeletePlan, dry_run: Option<&str>, gone: bool) -> DeleteReport {
    DeleteReport {
        kind: "SnapshotDelete",
        dry_run: dry_run.map(str::to_string),
        items: plan
            .snapshots
            .iter()
            .map(|s| DeletedSnapshot {
                namespace: s.namespace.clone(),
                name: s.name.clone(),
                vm: s.vm.clone(),
                gone,
            })
            .collect(),
    }
}

/// The report for `--dry-run=client`.
pub fn dry_run_report(plan: &DeletePlan) -> Report {
    Report::Delete(report(plan, Some("client"), false))
}

/// Deletes and follows each snapshot until it is gone.
pub async fn execute(plan: DeletePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = plan.namespace.clone();
    let server = ctx.dry_run() == DryRun::Server;
    let names: Vec<&str> = plan.snapshots.iter().map(|s| s.name.as_str()).collect();
    deletion::delete_in_turn(ctx, &names, |i| {
        let (kv, ns, s) = (&kv, &ns, &plan.snapshots[i]);
        async move {
            let deleted = kv
                .delete(
                    Kind::VirtualMachineSnapshot,
                    ns,
                    &s.name,
                    s.uid.as_deref(),
                    server,
                )
                .await?;
            Ok(require_deleted(
                deleted,
                &format!("snapshot {ns}/{}", s.name),
            )?)
        }
    })
    .await?;
    if server {
        return Ok(Report::Delete(report(&plan, Some("server"), false)));
    }
    if !plan.wait {
        return Ok(Report::Delete(report(&plan, None, false)));
    }
    let sent = plan.snapshots.iter().map(|s| {
        let api = kv.api(Kind::VirtualMachineSnapshot, Some(&ns));
        Sent::new(api, "virtualmachinesnapshot", &s.name)
    });
    let still = "its content and volume snapshots to be removed";
    deletion::follow_deletions(ctx, &ns, sent.collect(), plan.timeout, still).await?;
    Ok(Report::Delete(report(&plan, None, true)))
}
