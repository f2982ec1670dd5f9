//! `describe SNAPSHOT`: the snapshot, its content's volume snapshots, its restores, its VM,
//! and the Events about the snapshot, its content and its VolumeSnapshots.

use super::common;
use crate::cli::DescribeArgs;
use crate::cluster::events::events_about;
use crate::cluster::json::string_map;
use crate::flow::Ctx;
use crate::flow::safety::{RESTORING_ANNOTATION, UNDO_ANNOTATION};
use crate::platform::kubevirt::api::{self as kv, Kind};
use crate::platform::kubevirt::report::Report;
use crate::platform::kubevirt::report::SnapshotDetail;

/// Gathers everything about one snapshot (reads fired together).
pub async fn run(args: &DescribeArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let snap = common::get_snapshot(&kv, &ns, &args.snapshot).await?;
    let first = kv::snapshot_info(&snap, None, &[]);
    let ((content, volume_snapshots), restores, vm) = futures::join!(
        common::content_and_volume_snapshots(&kv, &ns, &snap),
        kv.list_restores(Some(&ns)),
        kv.get_vm(&ns, &first.vm),
    );
    let about: Vec<&serde_json::Value> = std::iter::once(&snap)
        .chain(content.as_ref())
        .chain(&volume_snapshots)
        .collect();
    // Like kubectl describe: events that cannot be read leave the section unknown, not an error.
    let events = events_about(kv.client(), &about).await.ok();
    let snapshot = kv::snapshot_info(&snap, content.as_ref(), &volume_snapshots);
    let volume_backups = content
        .as_ref()
        .map(|c| kv::volume_backups(c, &volume_snapshots))
        .unwrap_or_default();
    let restores = restores
        .unwrap_or_default()
        .iter()
        .map(kv::restore_info)
        .filter(|r| r.snapshot == snapshot.name)
        .collect();
    let (vm_exists, vm_current_uid) = match vm {
        Ok(Some(v)) => (Some(true), kv::vm_info(&v, None).uid),
        Ok(None) => (Some(false), None),
        Err(_) => (None, None),
    };
    let annotation = |key: &str| {
        snap.pointer(&format!("/metadata/annotations/{}", key.replace('/', "~1")))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    Ok(Report::Describe(Box::new(SnapshotDetail {
        kind: "SnapshotDetail",
        snapshot,
        volume_backups,
        restores,
        vm_exists,
        vm_current_uid,
        taken_before_restoring: annotation(RESTORING_ANNOTATION),
        undo: annotation(UNDO_ANNOTATION),
        object: crate::output::api_object(
            snap.clone(),
            &Kind::VirtualMachineSnapshot.api_version(&kv.versions()),
            Kind::VirtualMachineSnapshot.kind(),
        ),
        annotations: string_map(&snap, "/metadata/annotations"),
        events,
    })))
}
