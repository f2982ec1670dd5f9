//! `list [VM]`: one paginated list, filtered by VM on the client (no server filter exists).

use std::collections::HashMap;

use anyhow::Context as _;
use kube::api::ListParams;
use serde_json::Value;

use super::Ctx;
use crate::analysis::parse_quantity;
use crate::cli::{ListArgs, OutputFormat};
use crate::model::SnapshotInfo;
use crate::output::{Report, SnapshotList};
use crate::provider::kubevirt::{self as kv, Kind, json};

/// Lists snapshots; sizes come from the contents and VolumeSnapshots when readable.
pub async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    // Sizes come from the CSI VolumeSnapshots (small objects, large pages, listed alongside);
    // names need no sizes.
    let sizes = ctx.format() != OutputFormat::Name;
    let vs_list = async {
        if sizes {
            list_large_pages(&kv, ns.as_deref()).await
        } else {
            Ok(Vec::new())
        }
    };
    let (snaps, volume_snapshots) = futures::join!(
        kv.list_snapshots(ns.as_deref(), args.selector.as_deref()),
        vs_list
    );
    // Sizes are a nicety: without read access to VolumeSnapshots the column says <unknown>.
    let volume_snapshots = volume_snapshots.unwrap_or_default();
    let mut items = join(&snaps?, &volume_snapshots);
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

/// Page size for the VolumeSnapshot list: they are small, and fewer pages mean fewer round
/// trips next to the snapshot list.
const VS_PAGE: u32 = 5000;

async fn list_large_pages(kv: &kv::KubeVirt, ns: Option<&str>) -> anyhow::Result<Vec<Value>> {
    let api = kv.api(Kind::VolumeSnapshot, ns);
    let mut out = Vec::new();
    let mut params = ListParams::default().limit(VS_PAGE);
    loop {
        let page = api
            .list(&params)
            .await
            .context("failed to list VolumeSnapshots")?;
        out.extend(
            page.items
                .iter()
                .map(|o| serde_json::to_value(o).unwrap_or(Value::Null)),
        );
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => return Ok(out),
        }
    }
}

/// The content a KubeVirt VolumeSnapshot belongs to: its owner reference, else derived from
/// its name (`vmsnapshot-<id>-volume-<volume>` belongs to `vmsnapshot-content-<id>`).
fn owning_content(vs: &Value) -> Option<String> {
    let owner = json::arr_at(vs, "/metadata/ownerReferences")
        .iter()
        .find(|o| json::str_at(o, "/kind") == Some("VirtualMachineSnapshotContent"))
        .and_then(|o| json::string_at(o, "/name"));
    owner.or_else(|| {
        let id = json::name(vs)
            .strip_prefix("vmsnapshot-")?
            .split_once("-volume-")?
            .0;
        Some(format!("vmsnapshot-content-{id}"))
    })
}

/// Each snapshot with its size: the sum of the `restoreSize` of its content's VolumeSnapshots,
/// when every included volume has one. One pass over each list, so thousands stay cheap.
fn join(snaps: &[Value], volume_snapshots: &[Value]) -> Vec<SnapshotInfo> {
    let mut by_content: HashMap<(&str, String), Vec<Option<u64>>> = HashMap::new();
    for v in volume_snapshots {
        if let Some(content) = owning_content(v) {
            let size = v.pointer("/status/restoreSize").and_then(|q| match q {
                Value::String(s) => parse_quantity(s),
                Value::Number(n) => n.as_u64(),
                _ => None,
            });
            by_content
                .entry((json::namespace(v), content))
                .or_default()
                .push(size);
        }
    }
    snaps
        .iter()
        .map(|s| {
            let mut info = kv::snapshot_info(s, None, &[]);
            let sizes = info
                .content_name
                .clone()
                .and_then(|c| by_content.get(&(json::namespace(s), c)));
            if let Some(sizes) = sizes
                && sizes.len() >= info.included_volumes.len()
            {
                info.size_bytes = sizes.iter().copied().sum::<Option<u64>>();
            }
            info
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vs(name: &str, owner: Option<&str>, size: &str) -> Value {
        let mut v =
            json!({"metadata": {"name": name, "namespace": "p"}, "status": {"restoreSize": size}});
        if let Some(o) = owner {
            v["metadata"]["ownerReferences"] =
                json!([{"kind": "VirtualMachineSnapshotContent", "name": o}]);
        }
        v
    }

    #[test]
    fn sizes_join_by_owner_or_by_kubevirts_naming() {
        let snap = json!({
            "metadata": {"name": "s1", "namespace": "p", "uid": "u"},
            "spec": {"source": {"name": "vm"}},
            "status": {"virtualMachineSnapshotContentName": "vmsnapshot-content-abc",
                       "snapshotVolumes": {"includedVolumes": ["a", "b"]}}
        });
        let list = [
            vs("vmsnapshot-abc-volume-a", None, "1Gi"),
            vs("whatever", Some("vmsnapshot-content-abc"), "2Gi"),
            vs("vmsnapshot-other-volume-a", None, "5Gi"),
        ];
        let items = join(std::slice::from_ref(&snap), &list);
        assert_eq!(items[0].size_bytes, Some(3 << 30));
        // A volume without a VolumeSnapshot leaves the size unknown rather than too small.
        let items = join(&[snap], &list[..1]);
        assert_eq!(items[0].size_bytes, None);
    }
}
