//! `list [VM]` and `list --disks [DISK]` on Deckhouse: kubectl-style tables of VM snapshots
//! (clone temporaries hidden) or disk snapshots, with consistency and size.

use jiff::Timestamp;
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use super::{Ctx, report, resource_name};
use crate::cli::ListArgs;
use crate::cluster::LIST_PAGE_SIZE;
use crate::cluster::json::{name, namespace, str_at, time_at};
use crate::cluster::list_all;
use crate::output::{Report, Table, age};
use crate::platform::deckhouse::api::{
    Deckhouse, DeckhouseConsistency, Kind, disk_snapshot_info, is_clone_temporary,
    snapshot_details, snapshot_info,
};
use crate::platform::kubevirt::analysis::{human_bytes, parse_quantity};

/// Reads every object of `kind` (with the label selector), in one namespace or all.
async fn list(
    dh: &Deckhouse,
    kind: Kind,
    ns: Option<&str>,
    selector: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    use anyhow::Context as _;
    let where_ = ns.map_or("across all namespaces".to_owned(), |n| {
        format!("in namespace {n}")
    });
    list_all(&dh.api(kind, ns), selector, LIST_PAGE_SIZE)
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

/// The restore size of a disk snapshot, from its VolumeSnapshot.
pub(super) fn disk_snapshot_size(vds: &Value, vss: &[Value]) -> Option<u64> {
    let vs = str_at(vds, "/status/volumeSnapshotName")?;
    let vs = vss
        .iter()
        .find(|v| name(v) == vs && namespace(v) == namespace(vds))?;
    parse_quantity(str_at(vs, "/status/restoreSize")?)
}

fn consistency_cell(c: DeckhouseConsistency) -> &'static str {
    match c {
        DeckhouseConsistency::Consistent => "consistent",
        DeckhouseConsistency::NotGuaranteed => "not-guaranteed",
        DeckhouseConsistency::Unknown => "-",
    }
}

fn size_cell(b: Option<u64>) -> String {
    b.map(human_bytes).unwrap_or_else(|| "-".into())
}

/// `list`.
pub(super) async fn run(
    args: &ListArgs,
    dh: &Deckhouse,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let selector = args.selector.as_deref();
    let now = ctx.clock.now();
    if args.disks {
        return disks(args, dh, ctx, ns.as_deref(), selector, now).await;
    }
    let (snaps, vds, vss) = futures::join!(
        list(dh, Kind::VirtualMachineSnapshot, ns.as_deref(), selector),
        list(dh, Kind::VirtualDiskSnapshot, ns.as_deref(), None),
        volume_snapshots(dh, ns.as_deref()),
    );
    let mut snaps: Vec<Value> = snaps?
        .into_iter()
        // A clone's temporary snapshot is the clone's business, not the user's.
        .filter(|s| !is_clone_temporary(s))
        .filter(|s| {
            args.vm
                .as_deref()
                .is_none_or(|vm| str_at(s, "/spec/virtualMachineName") == Some(vm))
        })
        .collect();
    snaps.sort_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    let vds = vds.unwrap_or_default();
    let all = args.all_namespaces;
    let mut headers = vec!["name", "vm", "phase", "consistency", "size", "age"];
    let mut wide_headers = headers.clone();
    wide_headers.extend(["required", "keep-ip", "disk-snapshots"]);
    if all {
        headers.insert(0, "namespace");
        wide_headers.insert(0, "namespace");
    }
    let (mut t, mut w) = (Table::new(&headers), Table::new(&wide_headers));
    let mut items = Vec::new();
    for s in &snaps {
        let ns_vds: Vec<Value> = vds
            .iter()
            .filter(|d| namespace(d) == namespace(s))
            .cloned()
            .collect();
        let info = snapshot_info(s, &ns_vds, &vss);
        let d = snapshot_details(s);
        let mut row = vec![
            name(s).to_owned(),
            info.vm.clone(),
            str_at(s, "/status/phase").unwrap_or("Pending").to_owned(),
            consistency_cell(d.consistency).to_owned(),
            size_cell(info.size_bytes),
            age(time_at(s, "/metadata/creationTimestamp"), now),
        ];
        if all {
            row.insert(0, namespace(s).to_owned());
        }
        let mut wide = row.clone();
        wide.extend([
            d.required_consistency.to_string(),
            d.keep_ip_address.clone(),
            if d.disk_snapshots.is_empty() {
                "<none>".into()
            } else {
                d.disk_snapshots.join(",")
            },
        ]);
        t.row(row);
        w.row(wide);
        items.push(json!({"snapshot": info, "details": d}));
    }
    let names = snaps
        .iter()
        .map(|s| resource_name(Kind::VirtualMachineSnapshot, name(s)))
        .collect();
    finish(args, ctx, ns.as_deref(), items, t, w, names, "SnapshotList")
}

#[allow(clippy::too_many_arguments)]
fn finish(
    args: &ListArgs,
    ctx: &mut Ctx<'_>,
    ns: Option<&str>,
    items: Vec<Value>,
    t: Table,
    w: Table,
    names: Vec<String>,
    kind: &str,
) -> anyhow::Result<Report> {
    if items.is_empty() && !ctx.format().is_machine() {
        // kubectl says so on stderr and prints nothing on stdout.
        match ns {
            Some(ns) => ctx.say(&format!("No resources found in {ns} namespace.")),
            None => ctx.say("No resources found"),
        }
    }
    let headers = !args.no_headers;
    let (text, wide) = if items.is_empty() {
        (String::new(), None)
    } else {
        (t.render(headers), Some(w.render(headers)))
    };
    let mut data = json!({"kind": kind, "platform": "deckhouse", "items": items});
    if let Some(ns) = ns {
        data["namespace"] = json!(ns);
    }
    if let Some(vm) = &args.vm {
        data[if kind == "SnapshotList" { "vm" } else { "disk" }] = json!(vm);
    }
    Ok(report(data, text, wide, names))
}

/// `list --disks [DISK]`.
async fn disks(
    args: &ListArgs,
    dh: &Deckhouse,
    ctx: &mut Ctx<'_>,
    ns: Option<&str>,
    selector: Option<&str>,
    now: Timestamp,
) -> anyhow::Result<Report> {
    let (vds, vss) = futures::join!(
        list(dh, Kind::VirtualDiskSnapshot, ns, selector),
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
    let all = args.all_namespaces;
    let mut headers = vec!["name", "disk", "phase", "consistent", "size", "age"];
    let mut wide_headers = headers.clone();
    wide_headers.extend(["vm-snapshot", "volumesnapshot"]);
    if all {
        headers.insert(0, "namespace");
        wide_headers.insert(0, "namespace");
    }
    let (mut t, mut w) = (Table::new(&headers), Table::new(&wide_headers));
    let mut items = Vec::new();
    for d in &vds {
        let i = disk_snapshot_info(d);
        let size = disk_snapshot_size(d, &vss);
        let consistent = match i.consistency {
            DeckhouseConsistency::Consistent => "true",
            DeckhouseConsistency::NotGuaranteed => "false",
            DeckhouseConsistency::Unknown => "-",
        };
        let mut row = vec![
            i.name.clone(),
            i.disk.clone(),
            str_at(d, "/status/phase").unwrap_or("Pending").to_owned(),
            consistent.to_owned(),
            size_cell(size),
            age(i.created, now),
        ];
        if all {
            row.insert(0, i.namespace.clone());
        }
        let mut wide = row.clone();
        wide.extend([
            i.vm_snapshot.clone().unwrap_or_else(|| "<none>".into()),
            i.volume_snapshot.clone().unwrap_or_else(|| "<none>".into()),
        ]);
        t.row(row);
        w.row(wide);
        items.push(json!({"diskSnapshot": i, "sizeBytes": size}));
    }
    let names = vds
        .iter()
        .map(|d| resource_name(Kind::VirtualDiskSnapshot, name(d)))
        .collect();
    finish(args, ctx, ns, items, t, w, names, "DiskSnapshotList")
}
