//! `list [VM]`: one paginated list, filtered by VM on the client (no server filter exists),
//! in creation order (newest last) or `--sort-by`'s; `-w` follows it with a watch.
//!
//! Pages are converted as they arrive, so memory holds one raw page plus a small row (and a
//! sort key) per snapshot, not every object's JSON. Sizes come from the CSI VolumeSnapshots,
//! listed beside the snapshots (off the critical path) into a compact (namespace, content) →
//! sizes map.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context as _;
use kube::Resource as _;
use kube::api::{DynamicObject, ListParams};
use serde::Deserialize;
use serde_json::Value;

use crate::cli::ListArgs;
use crate::flow::Ctx;
use crate::flow::watch_rows::{self, RowPrinter, WatchFrom};
use crate::model::SnapshotInfo;
use crate::output::OutputFormat;
use crate::output::RenderOptions;
use crate::output::label_columns::LabelColumns;
use crate::output::sort::{self, FieldPath, SortKey};
use crate::platform::kubevirt::analysis::parse_quantity;
use crate::platform::kubevirt::api::{self as kv, Kind, KubeVirt};
use crate::platform::kubevirt::report::Report;
use crate::platform::kubevirt::report::human::{ListColumns, list_headers, list_row};
use crate::platform::kubevirt::report::{SNAPSHOT_RESOURCE, SnapshotList};

/// Snapshot page size without `--chunk-size`: kubectl's.
const SNAPSHOT_PAGE: u32 = 500;
/// VolumeSnapshot page size: they are small, and fewer pages mean fewer round trips.
const VS_PAGE: u32 = 5000;

/// Lists snapshots; sizes come from the VolumeSnapshots when readable.
pub async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    Ok(Report::List(collect(args, ctx).await?.list))
}

/// `list -w` / `--watch-only`: the list (unless watch-only), then a row per change until
/// Ctrl-C or `--request-timeout`.
pub async fn watch(
    args: &ListArgs,
    ctx: &mut Ctx<'_>,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let format = ctx.format();
    watch_rows::refuse_structured(format)?;
    let kv = ctx.kubevirt();
    let listed = collect(args, ctx).await?;
    let printed_headers = !args.watch_only && !listed.list.items.is_empty();
    if !args.watch_only {
        crate::output::render(
            &Report::List(listed.list.clone()),
            format,
            ctx.clock.now(),
            opts,
            out,
        )?;
    }
    let labels = listed.list.label_columns.clone();
    let columns = ListColumns {
        all_namespaces: listed.list.namespace.is_none(),
        wide: format == OutputFormat::Wide,
        labels: &labels,
    };
    let table = format != OutputFormat::Name;
    let clock = ctx.clock;
    let vm = args.vm.clone();
    let sizes = listed.sizes;
    let mut printer = RowPrinter {
        pending_headers: (table && !printed_headers && !opts.no_headers)
            .then(|| list_headers(columns)),
        row: Box::new(move |obj: &Value| {
            if vm.as_deref().is_some_and(|vm| !is_of_vm(obj, vm)) {
                return None;
            }
            let mut info = kv::snapshot_info(obj, None, &[]);
            if !table {
                return Some(vec![format!("{SNAPSHOT_RESOURCE}/{}", info.name)]);
            }
            apply_size(&mut info, &sizes);
            Some(list_row(&info, columns, clock.now()))
        }),
    };
    let from = WatchFrom {
        url: snapshots_url(&kv, listed.list.namespace.as_deref()),
        resource_version: listed.resource_version,
        label_selector: args.selector.clone(),
        field_selector: args.field_selector.clone(),
        limit: ctx.global.request_timeout.filter(|t| !t.is_zero()),
        what: "VirtualMachineSnapshots".into(),
    };
    watch_rows::follow(kv.client(), &from, &mut printer, out).await
}

/// A list as read: the report, the version to watch from, the sizes found.
struct Listed {
    list: SnapshotList,
    resource_version: String,
    sizes: Sizes,
}

async fn collect(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Listed> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let sort_path = args.sort_by.as_deref().map(FieldPath::parse).transpose()?;
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
    // `list VM` in one namespace also says whether the VM exists (not with -A: a name is
    // then only a filter across namespaces).
    let vm_check = async {
        match (&args.vm, &ns) {
            (Some(vm), Some(ns)) => Some(kv.get_vm(ns, vm).await),
            _ => None,
        }
    };
    let query = Query {
        ns: ns.as_deref(),
        selector: args.selector.as_deref(),
        fields: args.field_selector.as_deref(),
        chunk: args.chunk_size.unwrap_or(SNAPSHOT_PAGE),
        vm: args.vm.as_deref(),
        sort: sort_path.as_ref(),
        keep_objects,
    };
    let (found, sizes, vm_found) = futures::join!(snapshots(&kv, &query), sizes, vm_check);
    let (rows, resource_version) = found?;
    let ordered = order(rows, sort_path.as_ref(), |(info, _)| info)?;
    let (mut items, objects): (Vec<SnapshotInfo>, Vec<Option<Value>>) = ordered.into_iter().unzip();
    let objects = keep_objects.then(|| objects.into_iter().flatten().collect());
    for info in &mut items {
        apply_size(info, &sizes);
    }
    // A VM that does not exist: exit 5, unless snapshots of it remain (they are still
    // listed; the VM's absence is said on stderr). An unreadable VM is not a reason to fail.
    if let (Some(vm), Some(ns), Some(Ok(None))) = (&args.vm, &ns, vm_found) {
        if items.is_empty() {
            // Always the not-found error (exit 5) with the command that lists VMs.
            crate::flow::common::require_vm(None, ns, vm)?;
        }
        let n = items.len();
        let s = if n == 1 { "" } else { "s" };
        ctx.say(&format!(
            "warning: VirtualMachine \"{vm}\" not found in namespace \"{ns}\"; {n} snapshot{s} of it remain{}",
            if n == 1 { "s" } else { "" }
        ));
    }
    if items.is_empty() && !ctx.format().is_machine() && !args.watch_only {
        let what = match &args.vm {
            Some(vm) => format!("No snapshots of VM {vm} found"),
            None => "No snapshots found".to_string(),
        };
        match &ns {
            Some(ns) => ctx.say(&format!("{what} in {ns} namespace.")),
            None => ctx.say(&format!("{what}.")),
        }
    }
    Ok(Listed {
        list: SnapshotList {
            kind: "SnapshotList",
            namespace: ns,
            vm: args.vm.clone(),
            items,
            objects,
            label_columns: LabelColumns::new(&args.label_columns, args.show_labels),
        },
        resource_version,
        sizes,
    })
}

/// Creation time (oldest first, as `kubectl get --sort-by=.metadata.creationTimestamp` and
/// the OpenShift console), then namespace and name; then, stably, `--sort-by`'s order.
fn order<T>(
    mut rows: Vec<(SortKey, T)>,
    sort_path: Option<&FieldPath>,
    info: impl Fn(&T) -> &SnapshotInfo,
) -> anyhow::Result<Vec<T>> {
    rows.sort_by(|(_, a), (_, b)| {
        let (a, b) = (info(a), info(b));
        (a.created, &a.namespace, &a.name).cmp(&(b.created, &b.namespace, &b.name))
    });
    if let Some(path) = sort_path {
        let keys: Vec<SortKey> = rows.iter().map(|(k, _)| k.clone()).collect();
        sort::check_keys(path, &keys)?;
        sort::sort_by_keys(&mut rows);
    }
    Ok(rows.into_iter().map(|(_, info)| info).collect())
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
#[serde(rename_all = "camelCase")]
struct PageMeta {
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
    #[serde(default)]
    resource_version: Option<String>,
}

fn collection_url(kv: &KubeVirt, kind: Kind, ns: Option<&str>) -> String {
    let ns = ns.map(crate::cluster::path_segment);
    DynamicObject::url_path(&kind.api_resource(&kv.versions()), ns.as_deref())
}

fn snapshots_url(kv: &KubeVirt, ns: Option<&str>) -> String {
    collection_url(kv, Kind::VirtualMachineSnapshot, ns)
}

/// Fetches every page of `kind`, handing each to `each` and dropping it; returns the list's
/// resourceVersion.
async fn pages<T: serde::de::DeserializeOwned>(
    kv: &KubeVirt,
    kind: Kind,
    ns: Option<&str>,
    mut params: ListParams,
    mut each: impl FnMut(Vec<T>),
) -> anyhow::Result<String> {
    let url = collection_url(kv, kind, ns);
    loop {
        let req = kube::core::Request::new(&url)
            .list(&params)
            .map_err(kube::Error::BuildRequest)?;
        let page: Page<T> = kv.client().request(req).await?;
        each(page.items);
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => return Ok(page.metadata.resource_version.unwrap_or_default()),
        }
    }
}

/// What to list.
struct Query<'a> {
    ns: Option<&'a str>,
    selector: Option<&'a str>,
    fields: Option<&'a str>,
    /// Objects per request; 0 asks for all at once.
    chunk: u32,
    vm: Option<&'a str>,
    sort: Option<&'a FieldPath>,
    /// Keep each object as kubectl prints it (the output prints API objects).
    keep_objects: bool,
}

fn is_of_vm(snapshot: &Value, vm: &str) -> bool {
    crate::cluster::json::str_at(snapshot, "/spec/source/name") == Some(vm)
}

/// Every snapshot (of `vm`, if given) as a row with its sort key and (when asked) the object
/// as kubectl prints it, page by page, and the list's resourceVersion.
async fn snapshots(
    kv: &KubeVirt,
    q: &Query<'_>,
) -> anyhow::Result<(Vec<(SortKey, (SnapshotInfo, Option<Value>))>, String)> {
    let mut params = ListParams::default();
    if q.chunk > 0 {
        params = params.limit(q.chunk);
    }
    if let Some(s) = q.selector {
        params = params.labels(s);
    }
    if let Some(f) = q.fields {
        params = params.fields(f);
    }
    let mut rows = Vec::new();
    let kind = Kind::VirtualMachineSnapshot;
    let api_version = kind.api_version(&kv.versions());
    let rv = pages::<Value>(kv, kind, q.ns, params, |items| {
        let of_vm = items
            .into_iter()
            .filter(|s| q.vm.is_none_or(|vm| is_of_vm(s, vm)));
        for s in of_vm {
            let key = q.sort.map_or(SortKey::Missing, |p| SortKey::of(p, &s));
            let info = kv::snapshot_info(&s, None, &[]);
            let object = q
                .keep_objects
                .then(|| crate::output::api_object(s, &api_version, kind.kind()));
            rows.push((key, (info, object)));
        }
    })
    .await
    .with_context(|| {
        format!(
            "failed to list VirtualMachineSnapshots {}",
            crate::cluster::where_(q.ns)
        )
    })?;
    Ok((rows, rv))
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

    fn created(name: &str, ts: &str, size: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "p", "creationTimestamp": ts},
               "spec": {"source": {"name": "vm"}},
               "status": {"restoreSize": size}})
    }

    #[test]
    fn newest_last_with_name_as_the_tie_break_then_sort_by_reorders() {
        let objs = [
            created("b", "2026-11-26T10:00:00Z", "2Gi"),
            created("c", "2026-11-25T10:00:00Z", "1500Mi"),
            created("a", "2026-11-26T10:00:00Z", "10Gi"),
        ];
        let rows = |path: Option<&FieldPath>| {
            objs.iter()
                .map(|o| {
                    let key = path.map_or(SortKey::Missing, |p| SortKey::of(p, o));
                    (key, kv::snapshot_info(o, None, &[]))
                })
                .collect::<Vec<_>>()
        };
        let names =
            |items: Vec<SnapshotInfo>| items.into_iter().map(|i| i.name).collect::<Vec<_>>();
        assert_eq!(
            names(order(rows(None), None, |i| i).unwrap()),
            ["c", "a", "b"]
        );
        let by_size = FieldPath::parse("{.status.restoreSize}").unwrap();
        assert_eq!(
            names(order(rows(Some(&by_size)), Some(&by_size), |i| i).unwrap()),
            ["c", "b", "a"]
        );
        let nowhere = FieldPath::parse(".status.nothing").unwrap();
        assert!(order(rows(Some(&nowhere)), Some(&nowhere), |i| i).is_err());
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
