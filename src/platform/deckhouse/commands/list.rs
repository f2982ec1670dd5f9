//! `list [VM]` and `list --disks [DISK]` on Deckhouse: kubectl-style tables of VM snapshots
//! (clone temporaries hidden) or disk snapshots, with consistency and size.

use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::Ctx;
use crate::cli::ListArgs;
use kube::api::ListParams;
use std::io::Write;

use crate::error::UserError;
use crate::flow::common::say_none_listed;
use crate::flow::watch_rows::{self, ListThenWatch, RowOf};
use crate::output::OutputFormat;
use crate::output::RenderOptions;

use crate::cluster::json::{name, namespace, str_at, time_at};
use crate::cluster::{
    LIST_PAGE_SIZE, SNAPSHOT_LIST_PAGE_SIZE, list_all, list_all_versioned, list_params,
};
use crate::output::label_columns::LabelColumns;
use crate::output::sort::{FieldPath, SortKey, sort_by_path};
use crate::platform::deckhouse::api::{
    Deckhouse, Kind, disk_snapshot_info, disk_snapshot_size, is_clone_temporary, snapshot_details,
    snapshot_info,
};
use crate::platform::deckhouse::report::{
    DiskSnapshotList, ListedDiskSnapshot, ListedSnapshot, Report, SnapshotList, resource_name,
};

/// Reads every object of `kind` (with `params`' selectors and page size), in one namespace
/// or all.
async fn list(
    dh: &Deckhouse,
    kind: Kind,
    ns: Option<&str>,
    params: ListParams,
) -> anyhow::Result<Vec<Value>> {
    Ok(list_versioned(dh, kind, ns, params).await?.0)
}

/// [`list`], and the list's resourceVersion.
async fn list_versioned(
    dh: &Deckhouse,
    kind: Kind,
    ns: Option<&str>,
    params: ListParams,
) -> anyhow::Result<(Vec<Value>, String)> {
    use anyhow::Context as _;
    let where_ = ns.map_or("across all namespaces".to_owned(), |n| {
        format!("in namespace {n}")
    });
    list_all_versioned(&dh.api(kind, ns), params)
        .await
        .with_context(|| format!("failed to list {} {where_}", kind.kind_plural()))
}

/// The CSI VolumeSnapshots behind disk snapshots (their restore sizes); empty when unreadable.
pub(super) async fn volume_snapshots(dh: &Deckhouse, ns: Option<&str>) -> Vec<Value> {
    let gvk = GroupVersionKind::gvk("snapshot.storage.k8s.io", "v1", "VolumeSnapshot");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "volumesnapshots");
    let api = crate::cluster::dynamic_api(dh.client(), &ar, ns);
    list_all(&api, None, LIST_PAGE_SIZE)
        .await
        .unwrap_or_default()
}

/// `list`.
pub(super) async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    Ok(collect(args, ctx).await?.0)
}

/// `list -w` / `--watch-only` (VM snapshots): the list (unless watch-only), then a row per
/// change of a VM snapshot the list would show, until Ctrl-C or `--request-timeout`.
pub(crate) async fn watch(
    args: &ListArgs,
    ctx: &mut Ctx<'_>,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let dh = &ctx.deckhouse();
    let format = ctx.format();
    watch_rows::refuse_structured(format)?;
    if args.disks {
        return Err(
            UserError::usage("--watch follows VM snapshots, not --disks")
                .hint("list disk snapshots once with list --disks")
                .into(),
        );
    }
    let (report, resource_version) = collect(args, ctx).await?;
    let Report::List(listed) = &report else {
        return Ok(());
    };
    let wide = format == OutputFormat::Wide;
    let names_only = format == OutputFormat::Name;
    let ns = listed.namespace.clone();
    let empty = |items| {
        let mut one = SnapshotList::new(ns.as_deref(), args.vm.as_deref(), items);
        one.label_columns = listed.label_columns.clone();
        one
    };
    let clock = ctx.clock;
    let row: RowOf<'_> = Box::new(|s: &Value| {
        if !shown(args, s) {
            return None;
        }
        let name = resource_name(Kind::VirtualMachineSnapshot, name(s));
        if names_only {
            return Some(vec![name]);
        }
        // A change carries the snapshot alone: SIZE comes from its own status.
        let item = ListedSnapshot {
            details: snapshot_details(s),
            snapshot: snapshot_info(s, &[], &[]),
            object: s.clone(),
        };
        let table = empty(vec![item]).table(clock.now(), wide);
        table.into_parts().1.into_iter().next()
    });
    let listed = ListThenWatch {
        list: &report,
        has_rows: !listed.items.is_empty(),
        headers: empty(Vec::new()).table(clock.now(), wide).into_parts().0,
        api: dh.api(Kind::VirtualMachineSnapshot, ns.as_deref()),
        resource_version,
        label_selector: args.selector.clone(),
        what: Kind::VirtualMachineSnapshot.kind_plural(),
    };
    watch_rows::list_then_follow(listed, row, args, ctx, opts, out).await
}

/// Whether `list` shows this VM snapshot: not a clone's temporary, of the VM asked for.
fn shown(args: &ListArgs, s: &Value) -> bool {
    // A clone's temporary snapshot is the clone's business, not the user's.
    !is_clone_temporary(s)
        && args
            .vm
            .as_deref()
            .is_none_or(|vm| str_at(s, "/spec/virtualMachineName") == Some(vm))
}

/// The list report and the version the VM snapshots were listed at.
async fn collect(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<(Report, String)> {
    let dh = &ctx.deckhouse();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let sort_path = args.sort_by.as_deref().map(FieldPath::parse).transpose()?;
    let picked = list_params(
        args.selector.as_deref(),
        args.field_selector.as_deref(),
        args.chunk_size.unwrap_or(SNAPSHOT_LIST_PAGE_SIZE),
    );
    if args.disks {
        let report = disks(args, ctx, ns.as_deref(), picked, sort_path.as_ref()).await?;
        return Ok((report, String::new()));
    }
    let every = list_params(None, None, LIST_PAGE_SIZE);
    let (snaps, vds, vss) = futures::join!(
        list_versioned(dh, Kind::VirtualMachineSnapshot, ns.as_deref(), picked),
        list(dh, Kind::VirtualDiskSnapshot, ns.as_deref(), every),
        volume_snapshots(dh, ns.as_deref()),
    );
    let (snaps, version) = snaps?;
    let mut snaps: Vec<Value> = snaps.into_iter().filter(|s| shown(args, s)).collect();
    // Creation time, newest last, as `kubectl get --sort-by=.metadata.creationTimestamp`;
    // namespace and name break ties.
    snaps.sort_by_cached_key(|s| {
        let created = time_at(s, "/metadata/creationTimestamp");
        (created, namespace(s).to_owned(), name(s).to_owned())
    });
    if let Some(path) = &sort_path {
        sort_by_path(&mut snaps, path, |s| SortKey::of(path, s))?;
    }
    let vds = vds.unwrap_or_default();
    let items: Vec<ListedSnapshot> = snaps
        .into_iter()
        .map(|s| {
            let ns_vds: Vec<Value> = vds
                .iter()
                .filter(|d| namespace(d) == namespace(&s))
                .cloned()
                .collect();
            ListedSnapshot {
                details: snapshot_details(&s),
                snapshot: snapshot_info(&s, &ns_vds, &vss),
                object: s,
            }
        })
        .collect();
    if !args.watch_only {
        say_none_listed(ctx, items.len(), args.vm.as_deref(), ns.as_deref());
    }
    let mut list = SnapshotList::new(ns.as_deref(), args.vm.as_deref(), items);
    list.label_columns = LabelColumns::new(&args.label_columns, args.show_labels);
    Ok((Report::List(Box::new(list)), version))
}

/// `list --disks [DISK]`.
async fn disks(
    args: &ListArgs,
    ctx: &mut Ctx<'_>,
    ns: Option<&str>,
    picked: ListParams,
    sort_path: Option<&FieldPath>,
) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let (vds, vss) = futures::join!(
        list(dh, Kind::VirtualDiskSnapshot, ns, picked),
        volume_snapshots(dh, ns),
    );
    let mut vds: Vec<Value> = vds?
        .into_iter()
        .filter(|d| {
            args.vm
                .as_deref()
                .is_none_or(|disk| str_at(d, "/spec/virtualDiskName") == Some(disk))
        })
        .collect();
    // By disk, then by the VM snapshot that made it (own ones first): names of a VM
    // snapshot's disk snapshots end in its random uid, which must not decide the order.
    let key = |d: &Value| {
        let i = disk_snapshot_info(d);
        (
            i.namespace,
            i.disk,
            i.vm_snapshot.unwrap_or_default(),
            i.name,
        )
    };
    vds.sort_by_key(key);
    if let Some(path) = sort_path {
        sort_by_path(&mut vds, path, |d| SortKey::of(path, d))?;
    }
    let items: Vec<ListedDiskSnapshot> = vds
        .into_iter()
        .map(|d| ListedDiskSnapshot {
            disk_snapshot: disk_snapshot_info(&d),
            size_bytes: disk_snapshot_size(&d, &vss),
            object: d,
        })
        .collect();
    // The operand here is a disk, not a VM.
    say_none_listed(ctx, items.len(), None, ns);
    let mut list = DiskSnapshotList::new(ns, args.vm.as_deref(), items);
    list.label_columns = LabelColumns::new(&args.label_columns, args.show_labels);
    Ok(Report::ListDisks(Box::new(list)))
}
