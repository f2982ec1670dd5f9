//! `list [VM]`: one paginated list, filtered by VM on the client (no server filter exists).
//!
//! Pages are converted as they arrive, so memory holds one raw page plus a small row per
//! snapshot, not every object's JSON. Sizes come from the CSI VolumeSnapshots, listed beside
//! the snapshots (off the critical path) into a compact (namespace, content) → sizes map.

use std::collections::HashMap;

use anyhow::Context as _;
use kube::Resource as _;
use kube::api::{DynamicObject, ListParams};
use serde::Deserialize;
use serde_json::Value;

use crate::cli::{ListArgs, OutputFormat};
use crate::flow::Ctx;
use crate::model::SnapshotInfo;
use crate::output::Report;
use crate::platform::kubevirt::analysis::parse_quantity;
use crate::platform::kubevirt::api::{self as kv, Kind, KubeVirt};
use crate::platform::kubevirt::report::SnapshotList;

/// Snapshot page size: kubectl's chunk size.
const SNAPSHOT_PAGE: u32 = 500;
/// VolumeSnapshot page size: they are small, and fewer pages mean fewer round trips.
const VS_PAGE: u32 = 5000;

/// Lists snapshots; sizes come from the VolumeSnapshots when readable.
pub async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    // Names and kubectl's printers of API objects need no sizes.
    let keep_objects = ctx.format().prints_api_objects();
    let want_sizes = ctx.format() != OutputFormat::Name && !keep_objects;
    let sizes = async {
        if want_sizes {
            // Sizes are a nicety: without read access the column says <unknown>.
            volume_snapshot_sizes(&kv, ns.as_deref())
                .await
                .unwrap_or_default()
        } else {
            Sizes::new()
        }
    };
    let (items, sizes) = futures::join!(
        snapshots(
            &kv,
            ns.as_deref(),
            args.selector.as_deref(),
            args.vm.as_deref(),
            keep_objects
        ),
        sizes
    );
    let (mut items, objects) = items?;
    for info in &mut items {
        apply_size(info, &sizes);
    }
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
        objects,
    }))
}

/// One page of a list response; items stay in the caller's shape.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default)]
    metadata: PageMeta,
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Deserialize, Default)]
struct PageMeta {
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
}

/// Fetches every page of `kind`, handing each to `each` and dropping it.
async fn pages<T: serde::de::DeserializeOwned>(
    kv: &KubeVirt,
    kind: Kind,
    ns: Option<&str>,
    mut params: ListParams,
    mut each: impl FnMut(Vec<T>),
) -> anyhow::Result<()> {
    let ns = ns.map(crate::cluster::path_segment);
    let url = DynamicObject::url_path(&kind.api_resource(&kv.versions()), ns.as_deref());
    loop {
        let req = kube::core::Request::new(&url)
            .list(&params)
            .map_err(kube::Error::BuildRequest)?;
        let page: Page<T> = kv.client().request(req).await?;
        each(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => return Ok(()),
        }
    }
}

fn where_(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace {ns}"),
        None => "in all namespaces".to_string(),
    }
}

/// Every snapshot (of `vm`, if given) as a row, page by page; with `keep_objects`, also the
/// objects as kubectl prints them.
async fn snapshots(
    kv: &KubeVirt,
    ns: Option<&str>,
    selector: Option<&str>,
    vm: Option<&str>,
    keep_objects: bool,
) -> anyhow::Result<(Vec<SnapshotInfo>, Option<Vec<Value>>)> {
    let kind = Kind::VirtualMachineSnapshot;
    let api_version = kind.api_version(&kv.versions());
    let mut objects = keep_objects.then(Vec::new);
    let mut params = ListParams::default().limit(SNAPSHOT_PAGE);
    if let Some(s) = selector {
        params = params.labels(s);
    }
    let mut rows = Vec::new();
    pages::<Value>(kv, kind, ns, params, |items| {
        let of_vm = items.into_iter().filter(|s| {
            vm.is_none_or(|vm| crate::cluster::json::str_at(s, "/spec/source/name") == Some(vm))
        });
        for s in of_vm {
            rows.push(kv::snapshot_info(&s, None, &[]));
            if let Some(objects) = objects.as_mut() {
                objects.push(crate::output::api_object(s, &api_version, kind.kind()));
            }
        }
    })
    .await
    .with_context(|| format!("failed to list VirtualMachineSnapshots {}", where_(ns)))?;
    Ok((rows, objects))
}

/// Restore sizes per (namespace, content name); None entries are unknown sizes.
type Sizes = HashMap<(String, String), Vec<Option<u64>>>;

/// Just the VolumeSnapshot fields the size needs; serde skips the rest without allocating.
#[derive(Deserialize)]
struct VolumeSnapshotLite {
    metadata: VsMeta,
    #[serde(default)]
    status: Option<VsStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VsMeta {
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    owner_references: Vec<OwnerRef>,
}

#[derive(Deserialize)]
struct OwnerRef {
    kind: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VsStatus {
    #[serde(default)]
    restore_size: Option<Value>,
}

/// The content a KubeVirt VolumeSnapshot belongs to: its owner reference, else derived from
/// its name (`vmsnapshot-<id>-volume-<volume>` belongs to `vmsnapshot-content-<id>`).
fn owning_content(meta: &VsMeta) -> Option<String> {
    let owner = meta
        .owner_references
        .iter()
        .find(|o| o.kind == "VirtualMachineSnapshotContent")
        .map(|o| o.name.clone());
    owner.or_else(|| {
        let id = meta
            .name
            .strip_prefix("vmsnapshot-")?
            .split_once("-volume-")?
            .0;
        Some(format!("vmsnapshot-content-{id}"))
    })
}

fn quantity(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => parse_quantity(s),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn add_sizes(sizes: &mut Sizes, items: Vec<VolumeSnapshotLite>) {
    for v in items {
        if let Some(content) = owning_content(&v.metadata) {
            let size = v
                .status
                .as_ref()
                .and_then(|s| s.restore_size.as_ref())
                .and_then(quantity);
            sizes
                .entry((v.metadata.namespace, content))
                .or_default()
                .push(size);
        }
    }
}

async fn volume_snapshot_sizes(kv: &KubeVirt, ns: Option<&str>) -> anyhow::Result<Sizes> {
    let mut sizes = Sizes::new();
    let params = ListParams::default().limit(VS_PAGE);
    pages(kv, Kind::VolumeSnapshot, ns, params, |items| {
        add_sizes(&mut sizes, items)
    })
    .await?;
    Ok(sizes)
}

/// The sum of a snapshot's VolumeSnapshot sizes, when every included volume has one.
fn apply_size(info: &mut SnapshotInfo, sizes: &Sizes) {
    let Some(content) = &info.content_name else {
        return;
    };
    if let Some(s) = sizes.get(&(info.namespace.clone(), content.clone()))
        && s.len() >= info.included_volumes.len()
    {
        info.size_bytes = s.iter().copied().sum::<Option<u64>>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vs(name: &str, owner: Option<&str>, size: &str) -> VolumeSnapshotLite {
        let mut v =
            json!({"metadata": {"name": name, "namespace": "p"}, "status": {"restoreSize": size}});
        if let Some(o) = owner {
            v["metadata"]["ownerReferences"] =
                json!([{"kind": "VirtualMachineSnapshotContent", "name": o, "uid": "x"}]);
        }
        serde_json::from_value(v).unwrap()
    }

    fn row() -> SnapshotInfo {
        let snap = json!({
            "metadata": {"name": "s1", "namespace": "p", "uid": "u"},
            "spec": {"source": {"name": "vm"}},
            "status": {"virtualMachineSnapshotContentName": "vmsnapshot-content-abc",
                       "snapshotVolumes": {"includedVolumes": ["a", "b"]}}
        });
        kv::snapshot_info(&snap, None, &[])
    }

    #[test]
    fn sizes_join_by_owner_or_by_kubevirts_naming() {
        let mut sizes = Sizes::new();
        add_sizes(
            &mut sizes,
            vec![
                vs("vmsnapshot-abc-volume-a", None, "1Gi"),
                vs("whatever", Some("vmsnapshot-content-abc"), "2Gi"),
                vs("vmsnapshot-other-volume-a", None, "5Gi"),
            ],
        );
        let mut info = row();
        apply_size(&mut info, &sizes);
        assert_eq!(info.size_bytes, Some(3 << 30));
    }

    #[test]
    fn a_volume_without_its_volume_snapshot_leaves_the_size_unknown() {
        let mut sizes = Sizes::new();
        add_sizes(&mut sizes, vec![vs("vmsnapshot-abc-volume-a", None, "1Gi")]);
        let mut info = row();
        apply_size(&mut info, &sizes);
        assert_eq!(info.size_bytes, None);
    }

    #[test]
    fn list_pages_parse_with_or_without_continue() {
        let p: Page<Value> =
            serde_json::from_value(json!({"metadata": {"continue": "t"}, "items": [{}]})).unwrap();
        assert_eq!(p.metadata.continue_.as_deref(), Some("t"));
        let p: Page<Value> = serde_json::from_value(json!({"metadata": {}, "items": null}))
            .unwrap_or(Page {
                metadata: PageMeta::default(),
                items: vec![],
            });
        assert!(p.items.is_empty());
    }
}
