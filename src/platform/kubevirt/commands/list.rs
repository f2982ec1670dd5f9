//! `list [VM]`: one paginated list, filtered by VM on the client (no server filter exists),
//! in creation order (newest last) or `--sort-by`'s; `-w` follows it with a watch.
//!
//! Pages are read as text and each object converted on its own as it arrives, so memory
//! holds one page plus a compact row per snapshot: its printed cells, or for `-o json|yaml`
//! where its rendered text lies in a spool file (output/long_list.rs). Sizes come from the
//! CSI VolumeSnapshots, listed beside the snapshots (off the critical path) into a compact
//! content → sizes map.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::sync::Arc;

use anyhow::Context as _;
use kube::Resource as _;
use kube::api::DynamicObject;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::cli::ListArgs;
use crate::flow::Ctx;
use crate::flow::watch_rows::{self, RowPrinter, WatchFrom};
use crate::model::SnapshotInfo;
use crate::output::RenderOptions;
use crate::output::custom_columns::Columns;
use crate::output::label_columns::LabelColumns;
use crate::output::long_list::{Cells, ObjectFormat, Spool};
use crate::output::sort::{self, FieldPath, SortKey};
use crate::output::{OutputFormat, OutputTemplate};
use crate::platform::kubevirt::analysis::parse_quantity;
use crate::platform::kubevirt::api::{self as kv, Kind, KubeVirt};
use crate::platform::kubevirt::report::Report;
use crate::platform::kubevirt::report::human::{
    ListColumns, compact_list_row, list_headers, list_row,
};
use crate::platform::kubevirt::report::listed::{ListRows, Printed, Row};
use crate::platform::kubevirt::report::{SNAPSHOT_RESOURCE, SnapshotList};

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
    let printed_headers = !args.watch_only && !listed.list.is_empty();
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
            info.size_bytes = sizes.of(&info);
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

/// What the output keeps of each snapshot.
enum Keep {
    /// `-o report-json|report-yaml`: the documented schema, every field.
    Info,
    /// `-o jsonpath…`: the objects (a template may read any part of them, as kubectl's does).
    Objects,
    /// Every other output: a compact row.
    Row(RowShape),
}

/// What a compact row holds.
enum RowShape {
    Table { wide: bool },
    Names,
    Objects(ObjectFormat, Spool),
    Columns(Arc<OutputTemplate>),
}

impl Keep {
    fn of(ctx: &Ctx<'_>) -> anyhow::Result<Keep> {
        let spec = ctx.global.output_spec();
        Ok(match spec.format {
            OutputFormat::ReportJson | OutputFormat::ReportYaml => Keep::Info,
            OutputFormat::JsonPath | OutputFormat::JsonPathAsJson => Keep::Objects,
            OutputFormat::Table => Keep::Row(RowShape::Table { wide: false }),
            OutputFormat::Wide => Keep::Row(RowShape::Table { wide: true }),
            OutputFormat::Name => Keep::Row(RowShape::Names),
            OutputFormat::Json | OutputFormat::Yaml => {
                let format = if spec.format == OutputFormat::Json {
                    ObjectFormat::Json
                } else {
                    ObjectFormat::Yaml
                };
                Keep::Row(RowShape::Objects(format, Spool::create()))
            }
            OutputFormat::CustomColumns => match spec.template {
                Some(t) => Keep::Row(RowShape::Columns(t)),
                None => Keep::Objects,
            },
        })
    }

    /// Whether the rows show SIZE (read from the VolumeSnapshots).
    fn wants_sizes(&self) -> bool {
        matches!(self, Keep::Info | Keep::Row(RowShape::Table { .. }))
    }
}

/// One snapshot as kept until the list is ordered.
struct Entry {
    row: Row,
    /// Which sizes are its own.
    volumes: VolumesOf,
    info: Option<Box<SnapshotInfo>>,
    object: Option<Box<Value>>,
}

impl Entry {
    /// The snapshot's order keys and size join; what its output prints is added after.
    fn new(info: &SnapshotInfo) -> Entry {
        Entry {
            row: Row {
                created: info.created,
                key: Cells::new([&info.namespace, &info.name]),
                cells: Cells::default(),
                span: None,
                size_bytes: None,
            },
            volumes: VolumesOf::new(info),
            info: None,
            object: None,
        }
    }
}

async fn collect(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Listed> {
    let kv = ctx.kubevirt();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let sort_path = args.sort_by.as_deref().map(FieldPath::parse).transpose()?;
    let mut keep = Keep::of(ctx)?;
    let want_sizes = keep.wants_sizes();
    let sizes = async {
        if want_sizes {
            // Sizes are a nicety: without read access the column says <unknown>.
            volume_snapshot_sizes(&kv, ns.as_deref())
                .await
                .unwrap_or_default()
        } else {
            Sizes::default()
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
    let labels = LabelColumns::new(&args.label_columns, args.show_labels);
    let query = Query {
        ns: ns.as_deref(),
        params: crate::cluster::list_params(
            args.selector.as_deref(),
            args.field_selector.as_deref(),
            args.chunk_size
                .unwrap_or(crate::cluster::SNAPSHOT_LIST_PAGE_SIZE),
        ),
        vm: args.vm.as_deref(),
        sort: sort_path.as_ref(),
        labels: &labels,
    };
    let (found, sizes, vm_found) =
        futures::join!(snapshots(&kv, &query, &mut keep), sizes, vm_check);
    let (entries, keys, resource_version) = found?;
    let mut entries = order(entries, keys, sort_path.as_ref())?;
    for e in &mut entries {
        e.row.size_bytes = sizes.sum(&e.volumes);
        if let Some(info) = &mut e.info {
            info.size_bytes = e.row.size_bytes;
        }
    }
    let count = entries.len();
    // A VM that does not exist: exit 5, unless snapshots of it remain (they are still
    // listed; the VM's absence is said on stderr). An unreadable VM is not a reason to fail.
    if let (Some(vm), Some(ns), Some(Ok(None))) = (&args.vm, &ns, vm_found) {
        if count == 0 {
            // Always the not-found error (exit 5) with the command that lists VMs.
            crate::flow::common::require_vm(None, ns, vm)?;
        }
        let s = if count == 1 { "" } else { "s" };
        ctx.say(&format!(
            "warning: VirtualMachine \"{vm}\" not found in namespace \"{ns}\"; {count} snapshot{s} of it remain{}",
            if count == 1 { "s" } else { "" }
        ));
    }
    if !args.watch_only {
        crate::flow::common::say_none_listed(ctx, count, args.vm.as_deref(), ns.as_deref());
    }
    let mut list = SnapshotList {
        kind: "SnapshotList",
        namespace: ns,
        vm: args.vm.clone(),
        items: Vec::new(),
        objects: None,
        rows: None,
        label_columns: labels,
    };
    match keep {
        Keep::Info => {
            list.items = entries
                .into_iter()
                .filter_map(|e| e.info)
                .map(|i| *i)
                .collect();
        }
        Keep::Objects => {
            list.objects = Some(
                entries
                    .into_iter()
                    .filter_map(|e| e.object)
                    .map(|o| *o)
                    .collect(),
            );
        }
        Keep::Row(shape) => {
            let printed = match shape {
                RowShape::Table { wide } => Printed::Table { wide },
                RowShape::Names => Printed::Names,
                RowShape::Objects(format, spool) => Printed::Objects {
                    format,
                    spooled: spool.finish().context("failed to write a temporary file")?,
                },
                RowShape::Columns(template) => Printed::Columns {
                    headers: match &*template {
                        OutputTemplate::Columns(c) => c.headers(),
                        OutputTemplate::JsonPath(_) => Vec::new(),
                    },
                },
            };
            let rows = entries.into_iter().map(|e| e.row).collect();
            list.rows = Some(Arc::new(ListRows { rows, printed }));
        }
    }
    Ok(Listed {
        list,
        resource_version,
        sizes,
    })
}

/// Creation time (oldest first, as `kubectl get --sort-by=.metadata.creationTimestamp` and
/// the OpenShift console), then namespace and name; then, stably, `--sort-by`'s order by
/// `keys` (one per entry, given only with `sort_path`). Without `--sort-by` the entries are
/// sorted where they are.
fn order(
    mut entries: Vec<Entry>,
    keys: Vec<SortKey>,
    sort_path: Option<&FieldPath>,
) -> anyhow::Result<Vec<Entry>> {
    let by_creation = |a: &Entry, b: &Entry| {
        (a.row.created, a.row.namespace(), a.row.name()).cmp(&(
            b.row.created,
            b.row.namespace(),
            b.row.name(),
        ))
    };
    let Some(path) = sort_path else {
        entries.sort_by(by_creation);
        return Ok(entries);
    };
    let mut keyed: Vec<(SortKey, Entry)> = keys.into_iter().zip(entries).collect();
    keyed.sort_by(|(_, a), (_, b)| by_creation(a, b));
    let keys: Vec<SortKey> = keyed.iter().map(|(k, _)| k.clone()).collect();
    sort::check_keys(path, &keys)?;
    sort::sort_by_keys(&mut keyed);
    Ok(keyed.into_iter().map(|(_, e)| e).collect())
}

fn snapshots_url(kv: &KubeVirt, ns: Option<&str>) -> String {
    collection_url(kv, Kind::VirtualMachineSnapshot, ns)
}

fn collection_url(kv: &KubeVirt, kind: Kind, ns: Option<&str>) -> String {
    let ns = ns.map(crate::cluster::path_segment);
    DynamicObject::url_path(&kind.api_resource(&kv.versions()), ns.as_deref())
}

/// What to list.
struct Query<'a> {
    ns: Option<&'a str>,
    /// Selectors and page size.
    params: kube::api::ListParams,
    vm: Option<&'a str>,
    sort: Option<&'a FieldPath>,
    labels: &'a LabelColumns,
}

fn is_of_vm(snapshot: &Value, vm: &str) -> bool {
    crate::cluster::json::str_at(snapshot, "/spec/source/name") == Some(vm)
}

/// The most rows reserved ahead on a server's `remainingItemCount` (a hint it could inflate);
/// a longer list grows past it as usual.
const MAX_RESERVED_ROWS: u64 = 1_000_000;

/// Every snapshot (of `vm`, if given) with its sort key, kept as `keep` says, page by page
/// (each page's objects stay JSON text until each is read on its own); and the list's
/// resourceVersion.
async fn snapshots(
    kv: &KubeVirt,
    q: &Query<'_>,
    keep: &mut Keep,
) -> anyhow::Result<(Vec<Entry>, Vec<SortKey>, String)> {
    let mut entries = Vec::new();
    // `--sort-by`'s key of each entry, read while its object is at hand.
    let mut keys = Vec::new();
    let kind = Kind::VirtualMachineSnapshot;
    let api_version = kind.api_version(&kv.versions());
    let columns = |wide| ListColumns {
        all_namespaces: q.ns.is_none(),
        wide,
        labels: q.labels,
    };
    let url = collection_url(kv, kind, q.ns);
    let mut one = |entries: &mut Vec<Entry>, s: Value| -> anyhow::Result<()> {
        if q.vm.is_some_and(|vm| !is_of_vm(&s, vm)) {
            return Ok(());
        }
        if let Some(path) = q.sort {
            keys.push(SortKey::of(path, &s));
        }
        let info = kv::snapshot_info(&s, None, &[]);
        let mut entry = Entry::new(&info);
        match keep {
            Keep::Info => entry.info = Some(Box::new(info)),
            Keep::Objects => {
                entry.object = Some(Box::new(crate::output::api_object(
                    s,
                    &api_version,
                    kind.kind(),
                )))
            }
            Keep::Row(RowShape::Table { wide }) => {
                entry.row.cells = compact_list_row(&info, columns(*wide))
            }
            Keep::Row(RowShape::Names) => {}
            Keep::Row(RowShape::Objects(format, spool)) => {
                let object = crate::output::api_object(s, &api_version, kind.kind());
                let text = format.item(&object);
                let span = spool.push(text.as_bytes());
                entry.row.span = Some(span.context("failed to write a temporary file")?);
            }
            Keep::Row(RowShape::Columns(template)) => {
                if let OutputTemplate::Columns(c) = &**template {
                    let object = crate::output::api_object(s, &api_version, kind.kind());
                    entry.row.cells = column_cells(c, &object)?;
                }
            }
        }
        entries.push(entry);
        Ok(())
    };
    let each_page = |page: Vec<&RawValue>, remaining: Option<u64>| {
        if q.vm.is_none() {
            // Rows sized once for the whole list, not doubled as pages come; a server's
            // count is a hint, bounded, and a failed reservation only means growing as usual.
            let more = remaining.map_or(0, |r| r.min(MAX_RESERVED_ROWS) as usize);
            let _ = entries.try_reserve_exact(page.len() + more);
        }
        for raw in page {
            let s: Value = serde_json::from_str(raw.get()).map_err(kube::Error::SerdeError)?;
            one(&mut entries, s).map_err(Stop::Keeping)?;
        }
        Ok(())
    };
    match crate::cluster::walk_raw_pages(kv.client(), &url, q.params.clone(), each_page).await {
        Ok(rv) => Ok((entries, keys, rv)),
        Err(Stop::Keeping(e)) => Err(e),
        Err(Stop::Listing(e)) => Err(anyhow::Error::new(e).context(format!(
            "failed to list VirtualMachineSnapshots {}",
            crate::cluster::where_(q.ns)
        ))),
    }
}

/// Why the page walk stopped: the list failed, or keeping a snapshot did (a custom-columns
/// template that fails on it, the spool file).
enum Stop {
    Listing(kube::Error),
    Keeping(anyhow::Error),
}

impl From<kube::Error> for Stop {
    fn from(e: kube::Error) -> Self {
        Stop::Listing(e)
    }
}

/// A custom-columns row of one object; a template that fails fails the command.
fn column_cells(columns: &Columns, object: &Value) -> anyhow::Result<Cells> {
    let cells = columns
        .cells(object)
        .map_err(crate::output::template_failed)?;
    Ok(Cells::new(cells))
}

/// Restore sizes per snapshot content, summed as their VolumeSnapshots are read. A content
/// is keyed by a hash of (namespace, content name): 8 bytes instead of two strings per
/// snapshot, at 100,000 snapshots. The hasher is seeded at random per run (std's
/// RandomState), so two contents sharing a key is a 2^-64 accident no name can arrange.
#[derive(Default)]
struct Sizes {
    by_content: HashMap<u64, VolumeSizes>,
}

/// The VolumeSnapshots found for one content: how many, and the sum of their sizes (None
/// when one has no size).
#[derive(Clone, Copy)]
struct VolumeSizes {
    count: u32,
    bytes: Option<u64>,
}

/// Which VolumeSnapshots a snapshot's size sums: its content's key and how many volumes it
/// captured.
struct VolumesOf {
    content: Option<u64>,
    volumes: usize,
}

impl VolumesOf {
    fn new(info: &SnapshotInfo) -> VolumesOf {
        VolumesOf {
            content: info
                .content_name
                .as_deref()
                .map(|c| content_key(&info.namespace, c)),
            volumes: info.included_volumes.len(),
        }
    }
}

/// The hasher of the content keys, one per run.
static SIZE_KEYS: std::sync::LazyLock<RandomState> = std::sync::LazyLock::new(RandomState::new);

fn content_key(ns: &str, content: &str) -> u64 {
    SIZE_KEYS.hash_one((ns, content))
}

impl Sizes {
    fn add(&mut self, ns: &str, content: &str, size: Option<u64>) {
        let key = content_key(ns, content);
        let sum = self.by_content.entry(key).or_insert(VolumeSizes {
            count: 0,
            bytes: Some(0),
        });
        sum.count += 1;
        sum.bytes = sum.bytes.zip(size).map(|(a, b)| a.saturating_add(b));
    }

    /// The sum of a snapshot's VolumeSnapshot sizes, when every captured volume has one.
    fn sum(&self, of: &VolumesOf) -> Option<u64> {
        let found = self.by_content.get(&of.content?)?;
        (found.count as usize >= of.volumes)
            .then_some(found.bytes)
            .flatten()
    }

    /// [`Sizes::sum`] of one snapshot.
    fn of(&self, info: &SnapshotInfo) -> Option<u64> {
        self.sum(&VolumesOf::new(info))
    }
}

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
            sizes.add(&v.metadata.namespace, &content, size);
        }
    }
}

async fn volume_snapshot_sizes(kv: &KubeVirt, ns: Option<&str>) -> anyhow::Result<Sizes> {
    let mut sizes = Sizes::default();
    let params = kube::api::ListParams::default().limit(VS_PAGE);
    let url = collection_url(kv, Kind::VolumeSnapshot, ns);
    crate::cluster::walk_pages(kv.client(), &url, params, |items| {
        add_sizes(&mut sizes, items);
        Ok::<_, kube::Error>(())
    })
    .await?;
    Ok(sizes)
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
        let mut sizes = Sizes::default();
        add_sizes(
            &mut sizes,
            vec![
                vs("vmsnapshot-abc-volume-a", None, "1Gi"),
                vs("whatever", Some("vmsnapshot-content-abc"), "2Gi"),
                vs("vmsnapshot-other-volume-a", None, "5Gi"),
            ],
        );
        let mut info = row();
        info.size_bytes = sizes.of(&info);
        assert_eq!(info.size_bytes, Some(3 << 30));
    }

    #[test]
    fn a_volume_without_its_volume_snapshot_leaves_the_size_unknown() {
        let mut sizes = Sizes::default();
        add_sizes(&mut sizes, vec![vs("vmsnapshot-abc-volume-a", None, "1Gi")]);
        let mut info = row();
        info.size_bytes = sizes.of(&info);
        assert_eq!(info.size_bytes, None);
    }

    fn created(name: &str, ts: &str, size: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "p", "creationTimestamp": ts},
               "spec": {"source": {"name": "vm"}},
               "status": {"restoreSize": size}})
    }

    fn entry(o: &Value) -> Entry {
        Entry::new(&kv::snapshot_info(o, None, &[]))
    }

    #[test]
    fn newest_last_with_name_as_the_tie_break_then_sort_by_reorders() {
        let objs = [
            created("b", "2026-11-26T10:00:00Z", "2Gi"),
            created("c", "2026-11-25T10:00:00Z", "1500Mi"),
            created("a", "2026-11-26T10:00:00Z", "10Gi"),
        ];
        let entries = || objs.iter().map(entry).collect::<Vec<_>>();
        let keys = |path: &FieldPath| objs.iter().map(|o| SortKey::of(path, o)).collect();
        let names = |entries: Vec<Entry>| {
            entries
                .iter()
                .map(|e| e.row.name().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(order(entries(), Vec::new(), None).unwrap()),
            ["c", "a", "b"]
        );
        let by_size = FieldPath::parse("{.status.restoreSize}").unwrap();
        assert_eq!(
            names(order(entries(), keys(&by_size), Some(&by_size)).unwrap()),
            ["c", "b", "a"]
        );
        let nowhere = FieldPath::parse(".status.nothing").unwrap();
        assert!(order(entries(), keys(&nowhere), Some(&nowhere)).is_err());
    }
}
