//! `describe SNAPSHOT` on Deckhouse: a VM snapshot (what it saved, its consistency, its disk
//! snapshots, conditions), or a disk snapshot of that name when no VM snapshot has it.

use super::Ctx;
use super::list::volume_snapshots;
use crate::cli::DescribeArgs;
use crate::cluster::events::events_about;
use crate::cluster::json::name as name_of;
use crate::platform::deckhouse::api::{Kind, disk_snapshot_size, snapshot_details, snapshot_info};
use crate::platform::deckhouse::report::{DiskSnapshotDetail, Report, SnapshotDetail};

/// `describe`.
pub(super) async fn run(args: &DescribeArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let name = &args.snapshot;
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
        let size = disk_snapshot_size(vds, &vss);
        let detail = DiskSnapshotDetail::new(vds.clone(), size);
        return Ok(Report::DescribeDisk(Box::new(detail)));
    };
    let info = snapshot_info(&snap, &vds_all, &vss);
    let vm_exists = dh.get(Kind::VirtualMachine, &ns, &info.vm).await?.is_some();
    // The snapshot's events and its disk snapshots'; unreadable events leave the section unknown.
    let own = snapshot_details(&snap).disk_snapshots;
    let about: Vec<&serde_json::Value> = std::iter::once(&snap)
        .chain(
            vds_all
                .iter()
                .filter(|v| own.iter().any(|n| n == name_of(v))),
        )
        .collect();
    let events = events_about(dh.client(), &about).await.ok();
    let detail = SnapshotDetail::new(snap, info, vm_exists, vds_all, vss, events);
    Ok(Report::Describe(Box::new(detail)))
}
