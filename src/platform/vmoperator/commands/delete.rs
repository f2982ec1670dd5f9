//! `delete SNAPSHOT...|-l SELECTOR|--all` on VM Operator: explain what happens to the tree (children are
//! re-parented, not deleted; the current snapshot may move), confirm, delete each exactly
//! (UID precondition), follow until vSphere has removed them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{API_GROUP, Ctx, require_snapshot, vm_tree};
use crate::cli::{DeleteArgs, DryRun};
use crate::cluster::json::{name, str_at, string_at, time_at};
use crate::cluster::require_deleted;
use crate::error::UserError;
use crate::flow::deletion::{self, Sent};
use crate::flow::{common, confirm, delete_pick};
use crate::output::{Table, age};
use crate::platform::vmoperator::api::{
    DeleteEffect, Kind, SnapshotTree, delete_effect, phase, stuck_revert, vm_details,
};
use crate::platform::vmoperator::report::{DeleteReport, DeletedItem, Report};

struct Target {
    snap: Value,
    effect: DeleteEffect,
}

pub async fn run(args: &DeleteArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    let ns = ctx.namespace.clone();
    let client = ctx.conn.client.clone();
    let picked = delete_pick::pick(
        args,
        |n| {
            let (vmop, ns) = (vmop.clone(), ns.clone());
            async move { vmop.get_snapshot(&ns, &n).await }
        },
        |sel| {
            let (vmop, ns) = (vmop.clone(), ns.clone());
            async move {
                vmop.list(Kind::VirtualMachineSnapshot, Some(&ns), sel.as_deref())
                    .await
            }
        },
        |n| {
            require_snapshot(None, &ns, n)
                .err()
                .unwrap_or_else(|| anyhow::anyhow!("snapshot {n} not found"))
        },
    );
    let (picked, allowed) = futures::join!(
        picked,
        common::require_permission(&client, "delete", API_GROUP, "virtualmachinesnapshots", &ns)
    );
    let snaps = picked?;
    allowed?;
    let scope = delete_pick::scope(args);
    if snaps.is_empty() {
        ctx.say(&delete_pick::nothing_found(&ns, scope.as_deref()));
        return Ok(deleted_report(&[], None, false));
    }
    // One tree per VM, read once.
    let vms: std::collections::BTreeSet<String> = snaps
        .iter()
        .map(|s| str_at(s, "/spec/vmName").unwrap_or("").to_owned())
        .collect();
    let mut trees: BTreeMap<String, (Option<Value>, SnapshotTree)> = BTreeMap::new();
    for vm in vms {
        let (v, _, t) = vm_tree(vmop, &ns, &vm).await?;
        trees.insert(vm, (v, t));
    }
    let mut targets = Vec::new();
    for s in snaps {
        let vm = str_at(&s, "/spec/vmName").unwrap_or("").to_owned();
        let (vm_obj, tree) = &trees[&vm];
        if let Some(v) = vm_obj
            && vm_details(v).revert_requested.as_deref() == Some(name(&s))
        {
            let mut err = UserError::failure(format!(
                "snapshot {} is the target of a revert of VM {vm} that has not finished",
                name(&s)
            ));
            err = match stuck_revert(v) {
                // The revert failed and stays requested: clear it first.
                Some(stuck) => err.hint(stuck.message).hint(stuck.hint.unwrap_or_default()),
                None => err.hint(format!(
                    "follow the VM with: {}",
                    super::kubectl_get_vm(&ns, &vm)
                )),
            };
            return Err(err.hint("nothing was deleted").into());
        }
        let mut effect = delete_effect(tree, name(&s));
        if vm_obj.is_none() {
            // No VM, no vSphere tree: VM Operator only removes its finalizer.
            effect.lines = vec![format!(
                "VM {vm} no longer exists: only the snapshot object is removed"
            )];
        }
        targets.push(Target { snap: s, effect });
    }
    preview(ctx, &ns, scope.as_deref(), &targets);
    confirm::delete_command(ctx, targets.len())?;
    let dry_run = match ctx.dry_run() {
        DryRun::Client => return Ok(deleted_report(&targets, Some("client"), false)),
        DryRun::Server => true,
        DryRun::None => false,
    };
    let names: Vec<&str> = targets.iter().map(|t| name(&t.snap)).collect();
    deletion::delete_in_turn(ctx, &names, |i| {
        let (vmop, ns, snap) = (&vmop, &ns, &targets[i].snap);
        async move {
            let uid = string_at(snap, "/metadata/uid");
            let deleted = vmop
                .delete_snapshot(ns, name(snap), uid.as_deref(), dry_run)
                .await?;
            Ok(require_deleted(
                deleted,
                &format!("snapshot {ns}/{}", name(snap)),
            )?)
        }
    })
    .await?;
    if dry_run {
        return Ok(deleted_report(&targets, Some("server"), false));
    }
    if !args.follow.should_wait() {
        return Ok(deleted_report(&targets, None, false));
    }
    let kind = Kind::VirtualMachineSnapshot;
    let sent = targets
        .iter()
        .map(|t| Sent::new(vmop.api(kind, Some(&ns)), kind.qualified(), name(&t.snap)));
    let still = "vSphere to remove it and consolidate the disks";
    deletion::follow_deletions(ctx, &ns, sent.collect(), args.follow.timeout, still).await?;
    Ok(deleted_report(&targets, None, true))
}

fn preview(ctx: &mut Ctx<'_>, ns: &str, scope: Option<&str>, targets: &[Target]) {
    let now = ctx.clock.now();
    let mut t = Table::new(&["name", "vm", "phase", "age"]);
    for x in targets {
        t.row(vec![
            name(&x.snap).to_owned(),
            str_at(&x.snap, "/spec/vmName").unwrap_or("").to_owned(),
            phase(&x.snap).as_str().to_owned(),
            age(time_at(&x.snap, "/metadata/creationTimestamp"), now),
        ]);
    }
    ctx.say(&delete_pick::heading(ns, scope));
    for line in t.render(true).lines() {
        ctx.say(&format!("  {line}"));
    }
    for x in targets {
        for line in &x.effect.lines {
            if line.starts_with(&x.effect.snapshot) {
                ctx.say(&format!("  {line}"));
            } else {
                ctx.say(&format!("  {}: {line}", x.effect.snapshot));
            }
        }
    }
}

fn deleted_report(targets: &[Target], dry_run: Option<&'static str>, gone: bool) -> Report {
    let items = targets
        .iter()
        .map(|t| DeletedItem::new(&t.snap, t.effect.clone(), gone))
        .collect();
    Report::Delete(DeleteReport::new(items, dry_run))
}
