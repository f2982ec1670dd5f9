//! `describe SNAPSHOT` on Deckhouse: a VM snapshot (what it saved, its consistency, its disk
//! snapshots, conditions), or a disk snapshot of that name when no VM snapshot has it.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::list::{disk_snapshot_size, volume_snapshots};
use super::{Ctx, report, resource_name};
use crate::cli::DescribeArgs;
use crate::cluster::events::events_about;
use crate::cluster::json::{str_at, string_map};
use crate::model::Condition;
use crate::output::describe::{events_section, with_annotations};
use crate::output::{Report, Table, age, key_values, key_values_multi};
use crate::platform::deckhouse::api::{
    Deckhouse, DeckhouseConsistency, Kind, disk_snapshot_info, snapshot_details, snapshot_info,
};
use crate::platform::kubevirt::analysis::human_bytes;

fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "<unknown>".into(),
    }
}

fn labels(v: &Value) -> String {
    let l = string_map(v, "/metadata/labels");
    if l.is_empty() {
        return "<none>".into();
    }
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn conditions(out: &mut String, conds: &[Condition]) {
    out.push_str("Conditions:\n");
    if conds.is_empty() {
        out.push_str("  <none>\n");
        return;
    }
    let mut t = Table::new(&["type", "status", "reason", "message"]);
    for c in conds {
        t.row(vec![
            c.type_.clone(),
            c.status.clone(),
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default(),
        ]);
    }
    for line in t.render(true).lines() {
        out.push_str(&format!("  {line}\n"));
    }
}

/// `describe`.
pub(super) async fn run(
    args: &DescribeArgs,
    dh: &Deckhouse,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let ns = ctx.namespace.clone();
    let name = &args.snapshot;
    let now = ctx.clock.now();
    let (vms, vds_all, vss) = futures::join!(
        dh.get(Kind::VirtualMachineSnapshot, &ns, name),
        dh.list_disk_snapshots(Some(&ns), None),
        volume_snapshots(dh, Some(&ns)),
    );
    let vds_all = vds_all.unwrap_or_default();
    let Some(snap) = vms? else {
        let Some(vds) = vds_all
            .iter()
            .find(|d| crate::cluster::json::name(d) == name.as_str())
        else {
            return Err(crate::error::UserError::not_found(format!(
                "no VM snapshot or disk snapshot \"{name}\" in namespace \"{ns}\""
            ))
            .hint(format!(
                "list them with: kubectl vmsnap list -n {ns}   (disk snapshots: kubectl vmsnap list --disks -n {ns})"
            ))
            .into());
        };
        return Ok(describe_disk(vds, &vss, now));
    };
    let info = snapshot_info(&snap, &vds_all, &vss);
    let d = snapshot_details(&snap);
    let vm_exists = dh.get(Kind::VirtualMachine, &ns, &info.vm).await?.is_some();
    let mut pairs = vec![
        ("Name", info.name.clone()),
        ("Namespace", info.namespace.clone()),
        ("Labels", labels(&snap)),
        (
            "Source VM",
            if vm_exists {
                info.vm.clone()
            } else {
                format!("{} (no longer exists)", info.vm)
            },
        ),
        (
            "Phase",
            str_at(&snap, "/status/phase")
                .unwrap_or("Pending")
                .to_owned(),
        ),
    ];
    if let Some(m) = d.message.as_ref().filter(|m| !m.is_empty()) {
        pairs.push(("Message", m.clone()));
    }
    pairs.extend([
        ("Created", when(info.created, now)),
        ("Ready Since", when(info.creation_time, now)),
        ("Required Consistency", d.required_consistency.to_string()),
        ("Consistency", d.consistency.explain().to_owned()),
        ("Keep IP Address", d.keep_ip_address.clone()),
        (
            "Size",
            info.size_bytes
                .map(human_bytes)
                .unwrap_or_else(|| "<unknown>".into()),
        ),
        (
            "Secret",
            d.secret.clone().unwrap_or_else(|| "<none>".into()),
        ),
    ]);
    // A safety snapshot says which restore it preceded and how to undo that restore.
    if crate::flow::safety::is_safety_snapshot(&string_map(&snap, "/metadata/labels")) {
        let ann = string_map(&snap, "/metadata/annotations");
        let restoring = ann
            .get(crate::flow::safety::RESTORING_ANNOTATION)
            .cloned()
            .unwrap_or_else(|| "<unknown>".into());
        pairs.push((
            "Safety Snapshot",
            format!("taken by kubectl vmsnap before restoring the VM from {restoring}"),
        ));
        if let Some(undo) = ann.get(crate::flow::safety::UNDO_ANNOTATION) {
            pairs.push(("Undo", undo.clone()));
        }
    }
    if d.clone_temporary {
        pairs.push((
            "Made by",
            "a Clone operation (temporary: deleted when the clone finishes)".into(),
        ));
    }
    let annotations = crate::cluster::json::string_map(&snap, "/metadata/annotations");
    let mut out = key_values_multi(&with_annotations(pairs, &annotations), 0);
    out.push_str("Saved Resources:\n");
    if d.resources.is_empty() {
        out.push_str("  <none> (filled in once the snapshot is Ready)\n");
    } else {
        let mut t = Table::new(&["kind", "name", "apiversion"]);
        for r in &d.resources {
            t.row(vec![r.kind.clone(), r.name.clone(), r.api_version.clone()]);
        }
        for line in t.render(true).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("Disk Snapshots:\n");
    if d.disk_snapshots.is_empty() {
        out.push_str("  <none>\n");
    } else {
        let mut t = Table::new(&["name", "disk", "phase", "consistent", "size"]);
        for n in &d.disk_snapshots {
            let found = vds_all
                .iter()
                .find(|v| crate::cluster::json::name(v) == n.as_str());
            match found {
                Some(v) => {
                    let i = disk_snapshot_info(v);
                    t.row(vec![
                        n.clone(),
                        i.disk.clone(),
                        str_at(v, "/status/phase").unwrap_or("Pending").to_owned(),
                        consistent_cell(i.consistency).to_owned(),
                        disk_snapshot_size(v, &vss)
                            .map(human_bytes)
                            .unwrap_or_else(|| "-".into()),
                    ]);
                }
                None => t.row(vec![
                    n.clone(),
                    "-".into(),
                    "<missing>".into(),
                    "-".into(),
                    "-".into(),
                ]),
            }
        }
        for line in t.render(true).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str(
        "Not saved: attached VirtualImages and ClusterVirtualImages (a restore needs them to still exist)\n",
    );
    conditions(&mut out, &info.conditions);
    // The snapshot's events and its disk snapshots'; unreadable events leave the section unknown.
    let about: Vec<&Value> = std::iter::once(&snap)
        .chain(vds_all.iter().filter(|v| {
            d.disk_snapshots
                .iter()
                .any(|n| n == crate::cluster::json::name(v))
        }))
        .collect();
    let events = events_about(dh.client(), &about).await.ok();
    out.push_str(&events_section(
        events.as_deref(),
        &format!("VirtualMachineSnapshot/{}", info.name),
        now,
    ));
    let data = json!({"kind": "SnapshotDetail", "platform": "deckhouse", "snapshot": info,
        "details": d, "vmExists": vm_exists, "annotations": annotations, "events": events});
    Ok(report(
        data,
        out,
        None,
        vec![resource_name(Kind::VirtualMachineSnapshot, name)],
    ))
}

fn consistent_cell(c: DeckhouseConsistency) -> &'static str {
    match c {
        DeckhouseConsistency::Consistent => "true",
        DeckhouseConsistency::NotGuaranteed => "false",
        DeckhouseConsistency::Unknown => "-",
    }
}

fn describe_disk(vds: &Value, vss: &[Value], now: Timestamp) -> Report {
    let i = disk_snapshot_info(vds);
    let size = disk_snapshot_size(vds, vss);
    let mut pairs = vec![
        ("Name", i.name.clone()),
        ("Namespace", i.namespace.clone()),
        ("Kind", "VirtualDiskSnapshot".to_owned()),
        ("Labels", labels(vds)),
        ("Source Disk", i.disk.clone()),
        (
            "Phase",
            str_at(vds, "/status/phase").unwrap_or("Pending").to_owned(),
        ),
    ];
    if let Some(m) = i.message.as_ref().filter(|m| !m.is_empty()) {
        pairs.push(("Message", m.clone()));
    }
    pairs.extend([
        ("Created", when(i.created, now)),
        ("Required Consistency", i.required_consistency.to_string()),
        (
            "Consistency",
            match i.consistency {
                DeckhouseConsistency::Consistent => {
                    "consistent: the disk was not in use, its VM was stopped, or the file systems were frozen".to_owned()
                }
                other => other.explain().to_owned(),
            },
        ),
        (
            "Size",
            size.map(human_bytes).unwrap_or_else(|| "<unknown>".into()),
        ),
        (
            "VolumeSnapshot",
            i.volume_snapshot.clone().unwrap_or_else(|| "<none>".into()),
        ),
        (
            "Part of",
            i.vm_snapshot
                .as_ref()
                .map(|s| format!("VM snapshot {s}"))
                .unwrap_or_else(|| "<none> (a disk snapshot of its own)".into()),
        ),
    ]);
    let mut out = key_values(&pairs, 0);
    conditions(&mut out, &i.conditions);
    out.push_str(&format!(
        "Restore it into a new disk with: kubectl vmsnap restore-disk {} --to {}-restored -n {}\n",
        i.name, i.disk, i.namespace
    ));
    let names = vec![resource_name(Kind::VirtualDiskSnapshot, &i.name)];
    let data = json!({"kind": "DiskSnapshotDetail", "platform": "deckhouse",
        "diskSnapshot": i, "sizeBytes": size});
    report(data, out, None, names)
}
