//! `delete SNAPSHOT...|-l SELECTOR|--all` on Deckhouse: VM snapshots (their disk snapshots and Secret go with
//! them) or disk snapshots; every name resolved before the question, deleted by UID, followed
//! until the finalizer lets go.

use serde_json::Value;

use super::Ctx;
use crate::cli::{DeleteArgs, DryRun};
use crate::cluster::json::{name, str_at, string_at, time_at};
use crate::cluster::{delete_exact, require_deleted};
use crate::error::UserError;
use crate::flow::deletion::{self, Sent};
use crate::flow::{confirm, delete_pick};
use crate::output::{Table, age};
use crate::platform::deckhouse::api::operations::{follow_operation, snapshot_readers};
use crate::platform::deckhouse::api::{Deckhouse, Kind, disk_snapshot_info, is_clone_temporary};
use crate::platform::deckhouse::report::{DeletedItem, Report, SnapshotDelete};

struct Target {
    kind: Kind,
    name: String,
    uid: Option<String>,
    source: String,
    phase: String,
    obj: Value,
}

/// `delete`.
pub(super) async fn run(args: &DeleteArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let scope = delete_pick::scope(args);
    let picked = delete_pick::pick(
        args,
        |n| {
            let ns = ns.clone();
            async move { snapshot_or_disk_snapshot(dh, &ns, &n).await }
        },
        |selector| {
            let ns = ns.clone();
            async move {
                // kubectl's and d8's `-l`/`--all` pick VM snapshots (disk snapshots go with them).
                let kind = Kind::VirtualMachineSnapshot;
                let found = dh.list(kind, Some(&ns), selector.as_deref()).await?;
                Ok(found.into_iter().map(|o| tagged(kind, o)).collect())
            }
        },
        |n| {
            UserError::not_found(format!(
                "no VM snapshot or disk snapshot \"{n}\" in namespace \"{ns}\""
            ))
            .hint(format!(
                "list them with: kubectl vmsnap list -n {ns}   (disk snapshots: kubectl vmsnap list --disks -n {ns})"
            ))
            .hint("nothing was deleted")
            .into()
        },
    )
    .await?;
    if picked.is_empty() {
        ctx.say(&delete_pick::nothing_found(&ns, scope.as_deref()));
        return Ok(Report::Delete(Box::new(SnapshotDelete::new(
            super::dry_run_mode(ctx),
            Vec::new(),
        ))));
    }
    let mut targets = Vec::new();
    for obj in picked {
        let kind = if str_at(&obj, "/kind") == Some(Kind::VirtualDiskSnapshot.kind()) {
            Kind::VirtualDiskSnapshot
        } else {
            Kind::VirtualMachineSnapshot
        };
        let n = name(&obj).to_owned();
        let source = match kind {
            Kind::VirtualDiskSnapshot => format!(
                "disk/{}",
                str_at(&obj, "/spec/virtualDiskName").unwrap_or_default()
            ),
            _ => format!(
                "vm/{}",
                str_at(&obj, "/spec/virtualMachineName").unwrap_or_default()
            ),
        };
        if kind == Kind::VirtualMachineSnapshot && is_clone_temporary(&obj) {
            return Err(UserError::failure(format!(
                "{n} is the temporary snapshot of a running clone operation"
            ))
            .hint("Deckhouse deletes it when the clone finishes; deleting it now fails the clone")
            .hint("nothing was deleted")
            .into());
        }
        targets.push(Target {
            kind,
            name: n,
            uid: string_at(&obj, "/metadata/uid"),
            source,
            phase: str_at(&obj, "/status/phase")
                .unwrap_or("Pending")
                .to_owned(),
            obj,
        });
    }
    // A VM snapshot's own disk snapshot: deleting it alone breaks the VM snapshot.
    let mut covered = Vec::new();
    for x in targets
        .iter()
        .filter(|x| x.kind == Kind::VirtualDiskSnapshot)
    {
        let Some(owner) = disk_snapshot_info(&x.obj).vm_snapshot else {
            continue;
        };
        if targets
            .iter()
            .any(|t| t.kind == Kind::VirtualMachineSnapshot && t.name == owner)
        {
            covered.push(x.name.clone());
            continue;
        }
        return Err(UserError::failure(format!(
            "disk snapshot {} belongs to VM snapshot {owner}: deleting it alone would leave {owner} Failed (a lost disk snapshot)",
            x.name
        ))
        .hint(format!(
            "delete the VM snapshot instead (its disk snapshots go with it): kubectl vmsnap delete {owner} -n {ns}"
        ))
        .hint("nothing was deleted")
        .into());
    }
    // Deleted with their VM snapshot: not deleted on their own.
    targets.retain(|x| !covered.contains(&x.name));
    refuse_snapshots_in_use(dh, &ns, &targets).await?;
    for kind in [Kind::VirtualMachineSnapshot, Kind::VirtualDiskSnapshot] {
        if targets.iter().any(|t| t.kind == kind) {
            super::require_permission(ctx, "delete", kind, &ns).await?;
        }
    }
    let now = ctx.clock.now();
    let mut t = Table::new(&["name", "kind", "source", "phase", "age"]);
    for x in &targets {
        t.row(vec![
            x.name.clone(),
            x.kind.kind().to_owned(),
            x.source.clone(),
            x.phase.clone(),
            age(time_at(&x.obj, "/metadata/creationTimestamp"), now),
        ]);
    }
    ctx.say(&delete_pick::heading(&ns, scope.as_deref()));
    for line in t.render(true).lines() {
        ctx.say(&format!("  {line}"));
    }
    if targets
        .iter()
        .any(|x| x.kind == Kind::VirtualMachineSnapshot)
    {
        ctx.say(
            "  A VM snapshot's disk snapshots and saved manifests (Secret) are deleted with it.",
        );
    }
    confirm::delete_command(ctx, targets.len())?;
    let dry = ctx.dry_run();
    let mode = super::dry_run_mode(ctx);
    let report = |gone: bool| {
        let items = targets
            .iter()
            .map(|x| DeletedItem {
                gone,
                kind: x.kind.kind(),
                name: x.name.clone(),
                namespace: ns.clone(),
                source: x.source.clone(),
            })
            .collect();
        Report::Delete(Box::new(SnapshotDelete::new(mode, items)))
    };
    if dry == DryRun::Client {
        return Ok(report(false));
    }
    let server = dry == DryRun::Server;
    let doomed: Vec<Doomed> = targets
        .iter()
        .map(|x| Doomed {
            kind: x.kind,
            name: x.name.clone(),
            uid: x.uid.clone(),
        })
        .collect();
    remove(
        ctx,
        &ns,
        &doomed,
        server,
        args.follow.should_wait(),
        args.follow.timeout,
    )
    .await?;
    Ok(report(!server && args.follow.should_wait()))
}

/// The VM snapshot named `n`, else the disk snapshot, tagged with its kind; None when neither
/// exists.
async fn snapshot_or_disk_snapshot(
    dh: &Deckhouse,
    ns: &str,
    n: &str,
) -> anyhow::Result<Option<Value>> {
    let (vms, vds) = futures::join!(
        dh.get(Kind::VirtualMachineSnapshot, ns, n),
        dh.get(Kind::VirtualDiskSnapshot, ns, n),
    );
    Ok(match (vms?, vds?) {
        (Some(o), _) => Some(tagged(Kind::VirtualMachineSnapshot, o)),
        (None, Some(o)) => Some(tagged(Kind::VirtualDiskSnapshot, o)),
        (None, None) => None,
    })
}

/// `obj` with its `kind` set (list items may come without one).
fn tagged(kind: Kind, mut obj: Value) -> Value {
    if let Some(map) = obj.as_object_mut() {
        map.insert("kind".to_owned(), Value::from(kind.kind()));
    }
    obj
}

/// Refuses when an unfinished operation reads one of the VM snapshots: deleting it under a
/// Restore fails the restore and leaves the VM in maintenance.
async fn refuse_snapshots_in_use(
    dh: &Deckhouse,
    ns: &str,
    targets: &[Target],
) -> anyhow::Result<()> {
    if !targets
        .iter()
        .any(|t| t.kind == Kind::VirtualMachineSnapshot)
    {
        return Ok(());
    }
    let (vmops, vmsops) = futures::join!(
        dh.list(Kind::VirtualMachineOperation, Some(ns), None),
        dh.list(Kind::VirtualMachineSnapshotOperation, Some(ns), None),
    );
    let mut ops = vmops?;
    ops.extend(vmsops?);
    for t in targets
        .iter()
        .filter(|t| t.kind == Kind::VirtualMachineSnapshot)
    {
        if let Some(op) = snapshot_readers(&ops).find(|o| o.snapshot.as_deref() == Some(&t.name)) {
            let what = if op.vm.is_empty() {
                format!("{} operation {}", op.type_, op.name)
            } else {
                format!("{} operation {} of VM {}", op.type_, op.name, op.vm)
            };
            return Err(UserError::failure(format!(
                "snapshot {} is in use by {what}, which has not finished ({:?})",
                t.name, op.phase
            ))
            .hint(
                "deleting it now fails the operation (a Restore then leaves the VM in maintenance)",
            )
            .hint(format!("wait for it to finish: {}", follow_operation(&op)))
            .hint("nothing was deleted")
            .into());
        }
    }
    Ok(())
}

/// A snapshot to delete: its kind, name and the uid it had when the user confirmed.
pub(super) struct Doomed {
    pub kind: Kind,
    pub name: String,
    pub uid: Option<String>,
}

/// Deletes each snapshot by uid (one recreated under the same name is left alone), saying
/// what went and what was not tried when one fails, then follows each until it is gone.
pub(super) async fn remove(
    ctx: &mut Ctx<'_>,
    ns: &str,
    doomed: &[Doomed],
    server: bool,
    wait: bool,
    timeout: std::time::Duration,
) -> anyhow::Result<()> {
    let dh = &ctx.deckhouse();
    let names: Vec<&str> = doomed.iter().map(|x| x.name.as_str()).collect();
    deletion::delete_in_turn(ctx, &names, |i| {
        let x = &doomed[i];
        async move {
            let what = format!("{} {ns}/{}", x.kind.kind(), x.name);
            let deleted =
                delete_exact(&dh.api(x.kind, Some(ns)), &x.name, x.uid.as_deref(), server)
                    .await
                    .map_err(|e| {
                        anyhow::Error::new(e).context(format!("failed to delete {what}"))
                    })?;
            Ok(require_deleted(
                deleted,
                &format!("snapshot {ns}/{}", x.name),
            )?)
        }
    })
    .await?;
    if server || !wait {
        return Ok(());
    }
    let sent = doomed
        .iter()
        .map(|x| Sent::new(dh.api(x.kind, Some(ns)), x.kind.qualified(), &x.name));
    let still = "its disk snapshots and volume snapshots to be removed";
    deletion::follow_deletions(ctx, ns, sent.collect(), timeout, still).await?;
    Ok(())
}
