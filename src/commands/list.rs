//! `list [VM]`: one paginated list, filtered by VM on the client (no server filter exists).

use super::Ctx;
use crate::cli::ListArgs;
use crate::model::SnapshotInfo;
use crate::output::{Report, SnapshotList};
use crate::provider::kubevirt::{self as kv, Kind};

/// Lists snapshots; sizes come from the contents and VolumeSnapshots when readable.
pub async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let (snaps, contents, volume_snapshots) = futures::join!(
        kv.list_snapshots(ns.as_deref(), args.selector.as_deref()),
        kv.list(Kind::VirtualMachineSnapshotContent, ns.as_deref(), None),
        kv.list(Kind::VolumeSnapshot, ns.as_deref(), None),
    );
    // Sizes are a nicety: without read access to contents the column says <unknown>.
    let contents = contents.unwrap_or_default();
    let volume_snapshots = volume_snapshots.unwrap_or_default();
    let mut items: Vec<SnapshotInfo> = snaps?
        .iter()
        .map(|s| {
            let info = kv::snapshot_info(s, None, &[]);
            let content = info.content_name.as_deref().and_then(|c| {
                contents
                    .iter()
                    .find(|o| kv::json::name(o) == c && kv::json::namespace(o) == info.namespace)
            });
            let vs: Vec<serde_json::Value> = volume_snapshots
                .iter()
                .filter(|v| kv::json::namespace(v) == info.namespace)
                .cloned()
                .collect();
            kv::snapshot_info(s, content, &vs)
        })
        .filter(|s| args.vm.as_ref().is_none_or(|vm| &s.vm == vm))
        .collect();
    items.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    if items.is_empty() && !ctx.format().is_machine() {
        let what = match &args.vm {
            Some(vm) => format!("No snapshots of VM {vm} found"),
            None => "No snapshots found".to_string(),
        };
        match &ns {
            Some(ns) => ctx.say(&format!("{what} in {ns} namespace.")),
            None => ctx.say(&format!("{what}.")),
        }
    }
    Ok(Report::List(SnapshotList {
        kind: "SnapshotList",
        namespace: ns,
        vm: args.vm.clone(),
        items,
    }))
}
