//! `restore-disk DISK_SNAPSHOT --to NEW_DISK`: a new VirtualDisk with the disk snapshot as
//! its data source, at least as large as the original, followed until Ready.

use super::dry_run_create;
use super::{Ctx, follow, require, require_permission};
use crate::cli::RestoreDiskArgs;
use crate::cluster::json::str_at;
use crate::cluster::{Step, WaitResult};
use crate::error::UserError;
use crate::flow::{common, confirm};
use crate::names::go_duration;
use crate::output::key_values;
use crate::platform::deckhouse::api::{
    Deckhouse, Kind, build_disk_from_snapshot, disk_info, disk_snapshot_info,
};
use crate::platform::deckhouse::report::{DiskSnapshotRestore, Report};

/// `restore-disk`.
pub(super) async fn run(args: &RestoreDiskArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let snap = &args.snapshot;
    let to = &args.to;
    require_permission(ctx, "create", Kind::VirtualDisk, &ns).await?;
    let (vds, existing) = futures::join!(
        dh.get(Kind::VirtualDiskSnapshot, &ns, snap),
        dh.get(Kind::VirtualDisk, &ns, to),
    );
    let vds = require(Kind::VirtualDiskSnapshot, vds?, &ns, snap)?;
    if existing?.is_some() {
        return Err(UserError::failure(format!(
            "a VirtualDisk named {to} already exists in namespace {ns}"
        ))
        .hint("choose another name with --to (a disk snapshot is restored into a new disk)")
        .into());
    }
    let info = disk_snapshot_info(&vds);
    let phase = str_at(&vds, "/status/phase").unwrap_or("Pending");
    if phase != "Ready" {
        return Err(UserError::failure(format!(
            "disk snapshot {snap} is {phase}, not Ready: it cannot be restored"
        ))
        .hint(format!(
            "check it with: kubectl vmsnap describe {snap} -n {ns}"
        ))
        .into());
    }
    let original = dh.disk_snapshot_size(&ns, snap).await?;
    // A snapshot is restored onto its own CSI driver: the new disk takes the source disk's
    // class unless told otherwise, and a class given is checked before anything is written.
    let source_class = dh
        .get(Kind::VirtualDisk, &ns, &info.disk)
        .await?
        .and_then(|d| disk_info(&d).storage_class);
    if let Some(given) = &args.storage_class {
        check_storage_class(dh, given, source_class.as_deref(), &info.disk, snap).await?;
    }
    let class = args.storage_class.clone().or_else(|| source_class.clone());
    let obj = build_disk_from_snapshot(
        &ns,
        to,
        snap,
        args.size.as_deref(),
        original.as_deref(),
        class.as_deref(),
    )
    .map_err(|e| {
        UserError::usage(e).hint(match &original {
            Some(o) => format!("give --size {o} or more, or leave --size out to get {o}"),
            None => "give a size like 20Gi".to_owned(),
        })
    })?;
    let size = str_at(&obj, "/spec/persistentVolumeClaim/size")
        .unwrap_or("the original's")
        .to_owned();
    let size_text = match (&args.size, &original) {
        (Some(s), Some(o)) if s != o => format!("{s} (the snapshot's: {o})"),
        (None, Some(_)) => format!("{size} (the snapshot's)"),
        _ => size.clone(),
    };
    let pairs = vec![
        (
            "From",
            format!(
                "disk snapshot {snap} of VirtualDisk {} ({}consistent)",
                info.disk,
                if matches!(
                    info.consistency,
                    crate::platform::deckhouse::api::DeckhouseConsistency::Consistent
                ) {
                    ""
                } else {
                    "not guaranteed "
                }
            ),
        ),
        (
            "New disk",
            format!("{to} (VirtualDisk, not attached to any VM)"),
        ),
        ("Size", size_text),
        (
            "Storage class",
            match (&args.storage_class, &source_class) {
                (Some(given), _) => given.clone(),
                (None, Some(source)) => format!("{source} (the source disk's)"),
                (None, None) => format!(
                    "the cluster's default (the source disk {} no longer exists to name its class)",
                    info.disk
                ),
            },
        ),
        ("Source disk", format!("{} is left as it is", info.disk)),
    ];
    let mut text = format!("Disk restore plan in namespace {ns}\n");
    text.push_str(&key_values(&pairs, 2));
    ctx.say(text.trim_end());
    confirm::yes_no(
        ctx,
        &format!("Create VirtualDisk {to}? (yes/no)"),
        "pass --yes to create the disk without asking",
        "disk restore cancelled; nothing was changed",
    )?;
    let mut report = DiskSnapshotRestore::new(&ns, snap, to, &size);
    if let Some((mode, object)) = dry_run_create(ctx, Kind::VirtualDisk, &obj).await? {
        report.dry_run = Some(mode);
        report.object = Some(object);
        return Ok(Report::RestoreDisk(Box::new(report)));
    }
    dh.create(Kind::VirtualDisk, obj, false).await?;
    let attach = format!(
        "attach it to a stopped VM: add {{kind: VirtualDisk, name: {to}}} to the VM's spec.blockDeviceRefs (kubectl edit vm VM -n {ns}), or live with a VirtualMachineBlockDeviceAttachment"
    );
    if !args.follow.should_wait() {
        report.next_steps = Some(vec![format!("kubectl get vd {to} -n {ns} -w"), attach]);
        return Ok(Report::RestoreDisk(Box::new(report)));
    }
    let title = format!("Restoring disk {to} from {snap}");
    let result = follow(
        ctx,
        Kind::VirtualDisk,
        &ns,
        to,
        args.follow.timeout,
        &title,
        |o| match o {
            None => Step::Continue(format!("Waiting for VirtualDisk {to} to appear")),
            Some(v) => match str_at(v, "/status/phase") {
                Some("Ready" | "Failed" | "PVCLost") => Step::Done,
                p => Step::Continue(format!("VirtualDisk {to}: {}", p.unwrap_or("Pending"))),
            },
        },
    )
    .await?;
    let follow_cmd = format!("kubectl get vd {to} -n {ns} -w");
    let disk = match result {
        WaitResult::Done(Some(v)) => v,
        WaitResult::Done(None) => {
            return Err(UserError::failure(format!(
                "VirtualDisk {ns}/{to} disappeared before it was Ready"
            ))
            .into());
        }
        WaitResult::TimedOut(_) => {
            return Err(UserError::timed_out(format!(
                "timed out after {} waiting for VirtualDisk {ns}/{to} to be Ready",
                go_duration(args.follow.timeout)
            ))
            .hint(format!(
                "the disk keeps provisioning; follow it with: {follow_cmd}"
            ))
            .into());
        }
        WaitResult::Interrupted(_) => {
            return Err(
                UserError::interrupted(format!("stopped following VirtualDisk {ns}/{to}"))
                    .hint(format!(
                        "the disk keeps provisioning; follow it with: {follow_cmd}"
                    ))
                    .into(),
            );
        }
    };
    let phase = str_at(&disk, "/status/phase").unwrap_or("Pending");
    if phase != "Ready" {
        return Err(UserError::failure(format!(
            "VirtualDisk {ns}/{to} ended {phase} instead of Ready"
        ))
        .hint(format!("see: kubectl describe vd {to} -n {ns}"))
        .into());
    }
    report.capacity = Some(str_at(&disk, "/status/capacity").unwrap_or("-").to_owned());
    report.storage_class = Some(
        str_at(&disk, "/status/storageClassName")
            .unwrap_or("-")
            .to_owned(),
    );
    report.next_steps = Some(vec![attach]);
    Ok(Report::RestoreDisk(Box::new(report)))
}

/// Refuses a `--storage-class` that does not exist (exit 5) or whose CSI driver is not the
/// source disk's (exit 1): Deckhouse's webhook refuses a disk from a snapshot on another
/// driver (deckhouse/virtualization `images/virtualization-artifact/pkg/controller/vd/internal/
/// validator/vdsnapshot_storage_class_provisioner_compatibility_validator.go`). A class that
/// may not be read is left to the server.
async fn check_storage_class(
    dh: &Deckhouse,
    given: &str,
    source: Option<&str>,
    source_disk: &str,
    snap: &str,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let gvk = kube::core::GroupVersionKind::gvk("storage.k8s.io", "v1", "StorageClass");
    let ar = kube::core::ApiResource::from_gvk_with_plural(&gvk, "storageclasses");
    let read = |n: &str| {
        let n = n.to_owned();
        let ar = ar.clone();
        async move { crate::cluster::get_exact(dh.client(), &ar, None, &n).await }
    };
    let sc = match read(given).await {
        Ok(Some(sc)) => sc,
        Ok(None) => {
            return Err(
                UserError::not_found(format!("StorageClass \"{given}\" not found"))
                    .hint("list them with: kubectl get storageclass")
                    .hint(format!(
                        "or leave --storage-class out to use the source disk's class{}",
                        source.map(|s| format!(" ({s})")).unwrap_or_default()
                    ))
                    .hint("nothing was changed")
                    .into(),
            );
        }
        Err(e) if common::api_code(&e) == Some(403) => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("failed to read StorageClass {given}")),
    };
    let Some(source) = source.filter(|s| *s != given) else {
        return Ok(());
    };
    let Ok(Some(source_sc)) = read(source).await else {
        return Ok(());
    };
    match (
        str_at(&sc, "/provisioner"),
        str_at(&source_sc, "/provisioner"),
    ) {
        (Some(to), Some(from)) if to != from => Err(UserError::failure(format!(
            "StorageClass {given} (CSI driver {to}) cannot hold a disk restored from {snap}: \
             its source disk {source_disk} is on {source} (CSI driver {from}), and Deckhouse does \
             not create a disk from a snapshot on another CSI driver"
        ))
        .hint(format!(
            "leave --storage-class out to restore onto {source}, or name a class of {from}"
        ))
        .hint("nothing was changed")
        .into()),
        _ => Ok(()),
    }
}
