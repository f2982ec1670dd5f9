//! `list [VM]`: one paginated list, filtered by VM on the client (no server filter exists).

use std::collections::HashMap;

use serde_json::Value;

use super::Ctx;
use crate::cli::{ListArgs, OutputFormat};
use crate::model::SnapshotInfo;
use crate::output::{Report, SnapshotList};
use crate::provider::kubevirt::{self as kv, Kind, json};

/// Lists snapshots; sizes come from the contents and VolumeSnapshots when readable.
pub async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    // Names need no sizes: skip the two extra lists.
    let sizes = ctx.format() != OutputFormat::Name;
    let extra = |kind| {
        let kv = kv.clone();
        let ns = ns.clone();
        async move {
            if sizes {
                kv.list(kind, ns.as_deref(), None).await
            } else {
                Ok(Vec::new())
            }
        }
    };
    let (snaps, contents, volume_snapshots) = futures::join!(
        kv.list_snapshots(ns.as_deref(), args.selector.as_deref()),
        extra(Kind::VirtualMachineSnapshotContent),
        extra(Kind::VolumeSnapshot),
    );
    // Sizes are a nicety: without read access to contents the column says <unknown>.
    let contents = contents.unwrap_or_default();
    let volume_snapshots = volume_snapshots.unwrap_or_default();
    let mut items = join(&snaps?, &contents, &volume_snapshots);
    items.retain(|s| args.vm.as_ref().is_none_or(|vm| &s.vm == vm));
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

/// Joins each snapshot with its content and that content's VolumeSnapshots, by index, so a
/// list of thousands stays linear.
fn join(snaps: &[Value], contents: &[Value], volume_snapshots: &[Value]) -> Vec<SnapshotInfo> {
    let key = |v: &Value| (json::namespace(v).to_string(), json::name(v).to_string());
    let contents: HashMap<_, &Value> = contents.iter().map(|c| (key(c), c)).collect();
    let vss: HashMap<_, &Value> = volume_snapshots.iter().map(|v| (key(v), v)).collect();
    snaps
        .iter()
        .map(|s| {
            let ns = json::namespace(s).to_string();
            let content = json::str_at(s, "/status/virtualMachineSnapshotContentName")
                .and_then(|c| contents.get(&(ns.clone(), c.to_string())).copied());
            let vs: Vec<Value> = content
                .map(|c| json::arr_at(c, "/spec/volumeBackups"))
                .unwrap_or_default()
                .iter()
                .filter_map(|b| json::str_at(b, "/volumeSnapshotName"))
                .filter_map(|n| vss.get(&(ns.clone(), n.to_string())).map(|v| (*v).clone()))
                .collect();
            kv::snapshot_info(s, content, &vs)
        })
        .collect()
}
