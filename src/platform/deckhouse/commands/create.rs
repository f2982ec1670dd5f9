//! `create VM` and `create --disk DISK` on Deckhouse: preflight in the plan, confirm,
//! VirtualMachineSnapshot / VirtualDiskSnapshot, follow Pending → InProgress → Ready | Failed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::dry_run_create;
use super::{
    Ctx, finding_lines, follow, not_found, power, refuse_blocked, require, require_permission,
};
use crate::cli::{CreateArgs, KeepIpAddressArg};
use crate::cluster::json::{name, str_at};
use crate::cluster::{Step, WaitResult};
use crate::error::UserError;
use crate::flow::safety::generated_name;
use crate::flow::{common, confirm};
use crate::output::key_values;
use crate::platform::deckhouse::api::preflight::{
    self, ExpectedConsistency, Finding, Severity, blocked,
};
use crate::platform::deckhouse::api::{
    Deckhouse, KeepIpAddress, Kind, agent_ready, build_disk_snapshot, build_vm_snapshot, disk_info,
    disk_snapshot_info, phase_message, snapshot_details, snapshot_info,
};
use crate::platform::deckhouse::report::{DiskSnapshotCreate, Report, SnapshotCreate};

/// What the consistency of a snapshot taken now will be, in words.
pub(super) fn expected_text(e: ExpectedConsistency, required: bool) -> String {
    let req = if required {
        "required (requiredConsistency: true)"
    } else {
        "not required (requiredConsistency: false, --allow-inconsistent)"
    };
    let what = match e {
        ExpectedConsistency::Stopped => "consistent: the VM is stopped (or the disk is not in use)",
        ExpectedConsistency::Frozen => {
            "consistent: the guest agent freezes the file systems while the disks are captured"
        }
        ExpectedConsistency::NotGuaranteed => {
            "NOT guaranteed: taken from the running VM without a freeze, like after a power loss \
             (unflushed application data may be missing)"
        }
        ExpectedConsistency::WillFail => {
            "impossible: the guest agent is not ready, so Deckhouse would fail the snapshot"
        }
        ExpectedConsistency::Waits => {
            "none: Deckhouse fails a snapshot of a VM that is not Running or Stopped"
        }
    };
    format!("{req}; {what}")
}

fn keep_ip(arg: Option<KeepIpAddressArg>) -> KeepIpAddress {
    match arg {
        Some(KeepIpAddressArg::Never) => KeepIpAddress::Never,
        _ => KeepIpAddress::Always,
    }
}

fn keep_ip_text(k: KeepIpAddress) -> &'static str {
    match k {
        KeepIpAddress::Always => {
            "Always (the VM's address is made static and saved: a restore brings it back)"
        }
        KeepIpAddress::Never => "Never (a restored VM gets a new address)",
    }
}

/// The snapshot name: `--name`, else `<source>-snapshot-<UTC time>`.
fn snapshot_name(args: &CreateArgs, source: &str, ctx: &Ctx<'_>) -> anyhow::Result<String> {
    match &args.name {
        Some(n) => Ok(n.clone()),
        None => crate::names::parse_dns1123_subdomain(&generated_name(source, ctx.started))
            .map_err(|e| {
                UserError::usage(e)
                    .hint("choose a shorter name with --name")
                    .into()
            }),
    }
}

fn labels(args: &CreateArgs) -> BTreeMap<String, String> {
    args.labels.iter().cloned().collect()
}

/// Refuses when a snapshot of that name exists already.
async fn require_free(dh: &Deckhouse, kind: Kind, ns: &str, snap: &str) -> anyhow::Result<()> {
    if dh.get(kind, ns, snap).await?.is_some() {
        return Err(UserError::failure(format!(
            "a {} named {snap} already exists in namespace {ns}",
            kind.kind()
        ))
        .hint("choose another name with --name")
        .into());
    }
    Ok(())
}

/// A VM snapshot decided by reads.
struct VmPlan {
    ns: String,
    vm_name: String,
    snap: String,
    /// The VM as read, and its disks.
    vm: Value,
    disks: Vec<Value>,
    /// Running and `--stop`: stopped first through a Stop operation.
    stop_first: bool,
    required: bool,
    keep: KeepIpAddress,
    pf: preflight::VmSnapshotPreflight,
}

/// `create VM`: plan (reads), preview, refusal or question, then execute.
pub(super) async fn vm(args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let plan = plan_vm(args, ctx).await?;
    let text = vm_plan_text(&plan, args);
    ctx.say(text.trim_end());
    let VmPlan {
        ns,
        vm_name,
        pf,
        vm: vm_obj,
        ..
    } = &plan;
    // Deckhouse refuses Stop for some run policies: then stopping is not offered.
    let can_stop = preflight::power_step(vm_obj, false, "--stop").is_none();
    let only_agent = pf
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker)
        .all(|f| f.code == "agent-not-ready");
    if blocked(&pf.findings)
        && only_agent
        && ctx.interactive
        && !ctx.global.yes
        && ctx.dry_run() != crate::cli::DryRun::Client
    {
        // As KubeVirt's create offers: stop it for a consistent snapshot, or take it unfrozen.
        ctx.say(&format!(
            "VM {ns}/{vm_name} runs without a ready guest agent: a consistent snapshot needs it stopped."
        ));
        const STOP: &str = "stop-and-snapshot (consistent; started again afterwards)";
        const UNFROZEN: &str = "snapshot-unfrozen (not guaranteed consistent)";
        let options: &[&str] = if can_stop {
            &[STOP, UNFROZEN, "cancel"]
        } else {
            ctx.say(&format!(
                "It cannot be stopped here: Deckhouse refuses Stop for runPolicy {}.",
                preflight::run_policy(vm_obj)
            ));
            &[UNFROZEN, "cancel"]
        };
        let choice = ctx.ui.select("How do you want to continue?", options)?;
        let mut chosen = args.clone();
        match options.get(choice).copied() {
            Some(STOP) => {
                chosen.stop = true;
                chosen.start_after = true;
            }
            Some(UNFROZEN) => chosen.allow_inconsistent = true,
            _ => {
                return Err(UserError::declined("snapshot cancelled; nothing was changed").into());
            }
        }
        return Box::pin(vm(&chosen, ctx)).await;
    }
    if blocked(&pf.findings) {
        let mut hints = Vec::new();
        let run_policy = pf.findings.iter().any(|f| f.code == "run-policy");
        if run_policy || (!can_stop && pf.findings.iter().any(|f| f.code == "agent-not-ready")) {
            hints.extend(preflight::run_policy_hints(vm_obj, ns, false));
        }
        if run_policy {
            hints.push(format!(
                "or take it without stopping: kubectl vmsnap create {vm_name} -n {ns}"
            ));
        } else if pf.findings.iter().any(|f| f.code == "agent-not-ready") {
            if can_stop {
                hints.push(format!(
                    "stop the VM for a consistent snapshot: kubectl vmsnap create {vm_name} --stop --start-after -n {ns}"
                ));
            }
            hints.push(format!(
                "or accept a snapshot that is not guaranteed consistent: kubectl vmsnap create {vm_name} --allow-inconsistent -n {ns}"
            ));
        }
        return Err(refuse_blocked(
            format!("a snapshot of VM {ns}/{vm_name} would not succeed now"),
            &pf.findings,
            hints,
        ));
    }
    confirm::create_snapshot(ctx, "Proceed? (yes/no)")?;
    execute_vm(plan, args, ctx).await
}

/// Reads and checks: permissions, the VM and its disks, a free name, the running operation,
/// and the preflight as the snapshot will meet it (stopped first with `--stop`).
async fn plan_vm(args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<VmPlan> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let Some(vm_name) = args.vm.clone() else {
        return Err(UserError::usage("name the VM to snapshot, or a disk with --disk").into());
    };
    let snap = snapshot_name(args, &vm_name, ctx)?;
    require_permission(ctx, "create", Kind::VirtualMachineSnapshot, &ns).await?;
    if args.stop {
        require_permission(ctx, "create", Kind::VirtualMachineOperation, &ns).await?;
    }
    let Some(inputs) = dh.vm_inputs(&ns, &vm_name).await? else {
        return Err(not_found(Kind::VirtualMachine, &ns, &vm_name));
    };
    let (vm, disks) = (inputs.vm, inputs.disks);
    require_free(dh, Kind::VirtualMachineSnapshot, &ns, &snap).await?;
    let phase = str_at(&vm, "/status/phase").unwrap_or("Pending").to_owned();
    let running = phase == "Running";
    let stop_first = args.stop && running;
    // One operation per VM: a restore in progress would be captured half-done; --stop needs
    // an operation of its own.
    if let Some(op) = dh.active_operation(&ns, &vm_name).await?
        && (op.type_ == "Restore" || stop_first)
    {
        return Err(UserError::failure(
            crate::platform::deckhouse::api::operations::active_operation_message(&vm_name, &op),
        )
        .hint("nothing was changed; take the snapshot once it has finished")
        .into());
    }
    let required = !args.allow_inconsistent;
    let keep = keep_ip(args.keep_ip_address);
    // Planned as it will be when the snapshot is taken: stopped first with --stop.
    let mut planned_vm = vm.clone();
    if stop_first {
        planned_vm["status"]["phase"] = json!("Stopped");
    }
    let mut pf = preflight::vm_snapshot(&planned_vm, &disks, required);
    // Refused before any write: the Stop operation would fail for the VM's runPolicy.
    if stop_first && let Some(refusal) = preflight::power_step(&vm, false, "--stop") {
        pf.findings.push(refusal);
    }
    Ok(VmPlan {
        ns,
        vm_name,
        snap,
        vm,
        disks,
        stop_first,
        required,
        keep,
        pf,
    })
}

/// The plan as the user reads it before answering.
fn vm_plan_text(plan: &VmPlan, args: &CreateArgs) -> String {
    let VmPlan {
        ns,
        vm_name,
        snap,
        vm,
        disks,
        stop_first,
        required,
        keep,
        pf,
    } = plan;
    let (stop_first, required, keep) = (*stop_first, *required, *keep);
    let phase = str_at(vm, "/status/phase").unwrap_or("Pending").to_owned();
    let running = phase == "Running";
    let mut status = phase.clone();
    if running {
        status.push_str(if agent_ready(vm) {
            ", guest agent ready"
        } else {
            ", guest agent NOT ready"
        });
    }
    let disk_cells: Vec<String> = pf
        .disks
        .iter()
        .map(|d| match disks.iter().find(|x| name(x) == d.as_str()) {
            Some(x) => {
                let i = disk_info(x);
                let size = i.capacity.clone().unwrap_or_else(|| "-".into());
                let phase = if i.resizing {
                    "Resizing".to_owned()
                } else {
                    i.phase.clone()
                };
                format!("{d} ({phase}, {size})")
            }
            None => format!("{d} (missing)"),
        })
        .collect();
    let mut pairs = vec![
        ("Status", status),
        ("Snapshot", snap.clone()),
        ("Consistency", expected_text(pf.expected, required)),
        ("Keep IP", keep_ip_text(keep).to_owned()),
        ("Disks", disk_cells.join(", ")),
    ];
    if stop_first {
        let after = if args.start_after {
            ", then start it again"
        } else {
            " (it stays stopped; add --start-after to start it again)"
        };
        pairs.insert(
            1,
            (
                "Handling",
                format!("stop the VM (VirtualMachineOperation Stop), snapshot it{after}"),
            ),
        );
    } else if args.stop {
        pairs.insert(
            1,
            ("Handling", "the VM is not running: nothing to stop".into()),
        );
    }
    if !pf.images.is_empty() {
        let imgs: Vec<String> = pf
            .images
            .iter()
            .map(|i| format!("{} {}", i.kind, i.name))
            .collect();
        pairs.push(("Not saved", imgs.join(", ")));
    }
    let mut text = format!("Snapshot plan for VM {ns}/{vm_name}\n");
    text.push_str(&key_values(&pairs, 2));
    text.push_str(&finding_lines(&pf.findings));
    text
}

/// The snapshot (after stopping the VM with `--stop`), followed, and the report.
async fn execute_vm(plan: VmPlan, args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let VmPlan {
        ns,
        vm_name,
        snap,
        stop_first,
        required,
        keep,
        pf,
        ..
    } = plan;
    let obj = build_vm_snapshot(&ns, &snap, &vm_name, required, keep, &labels(args));
    let mut report = SnapshotCreate::new(&ns, &vm_name, &snap, pf);
    if let Some((mode, object)) = dry_run_create(ctx, Kind::VirtualMachineSnapshot, &obj).await? {
        report.dry_run = Some(mode);
        report.object = Some(object);
        return Ok(Report::Create(Box::new(report)));
    }
    if stop_first && let Err(e) = power(ctx, &ns, &vm_name, false, args.follow.timeout).await {
        return Err(super::stop_continues_hint(
            e,
            "no snapshot was taken",
            &ns,
            &vm_name,
        ));
    }
    // After a signal the snapshot may still be being taken: the VM stays stopped, and the
    // user is told how to start it (a Start would be one more write the signal forbids).
    let outcome = match create_and_follow(ctx, args, &ns, &snap, &vm_name, obj).await {
        // The snapshot request itself was not sent: the Stop has finished, so a Start is
        // accepted and nothing irreversible happened: put the VM back.
        Err(e)
            if stop_first
                && args.start_after
                && e.chain().any(|c| c.is::<crate::interrupt::Interrupted>()) =>
        {
            let start = super::request_start(dh, &ns, &vm_name, ctx.clock.now());
            return Err(common::power_back_on_after_signal(
                e,
                "no snapshot was taken",
                &vm_name,
                &ns,
                start,
                &format!("d8 v start {vm_name} -n {ns}"),
            )
            .await);
        }
        Err(e) if stop_first && crate::interrupt::received().is_some() => {
            return Err(common::with_hint(
                e,
                format!(
                    "VM {ns}/{vm_name} was stopped for the snapshot and is still stopped; once \
                     the snapshot is Ready, start it with: d8 v start {vm_name} -n {ns}"
                ),
            ));
        }
        other => other,
    };
    // Started again whatever became of the snapshot: the user asked for the VM back.
    if stop_first
        && args.start_after
        && let Err(e) = power(ctx, &ns, &vm_name, true, args.follow.timeout).await
    {
        if outcome.is_ok() {
            ctx.say(&format!(
                "note: snapshot {snap} was taken, but the VM was not started again; start it with: d8 v start {vm_name} -n {ns}"
            ));
        }
        return Err(e);
    }
    let snapshot = outcome?;
    let mut steps = vec![format!("kubectl vmsnap describe {snap} -n {ns}")];
    if stop_first && !args.start_after {
        steps.push(format!(
            "d8 v start {vm_name} -n {ns}   # the VM was stopped for the snapshot"
        ));
    }
    let ready = snapshot
        .as_ref()
        .is_some_and(|s| str_at(s, "/status/phase") == Some("Ready"));
    if ready {
        steps.push(format!(
            "kubectl vmsnap restore {vm_name} --snapshot {snap} -n {ns}   # roll the VM back to it"
        ));
        steps.push(format!(
            "kubectl vmsnap clone {snap} --to {vm_name}-clone -n {ns}   # a new VM from it"
        ));
    }
    // The size is the sum of the disk snapshots' restore sizes (two more reads, once).
    let info = match &snapshot {
        Some(s) if ready => {
            let (vds, vss) = futures::join!(
                dh.list_disk_snapshots(Some(&ns), None),
                super::list::volume_snapshots(dh, Some(&ns)),
            );
            Some(snapshot_info(s, &vds.unwrap_or_default(), &vss))
        }
        Some(s) => Some(snapshot_info(s, &[], &[])),
        None => None,
    };
    report.details = snapshot.as_ref().map(snapshot_details);
    report.snapshot = info;
    report.object_read = snapshot;
    report.stopped = stop_first.then_some(args.start_after);
    report.waited = Some(args.follow.should_wait());
    report.next_steps = Some(steps);
    Ok(Report::Create(Box::new(report)))
}

/// Creates the snapshot and follows it unless --no-wait; None = not waited for.
async fn create_and_follow(
    ctx: &mut Ctx<'_>,
    args: &CreateArgs,
    ns: &str,
    snap: &str,
    vm: &str,
    obj: Value,
) -> anyhow::Result<Option<Value>> {
    let dh = &ctx.deckhouse();
    dh.create(Kind::VirtualMachineSnapshot, obj, false).await?;
    if !args.follow.should_wait() {
        return Ok(None);
    }
    let done = wait_snapshot(
        ctx,
        Kind::VirtualMachineSnapshot,
        ns,
        snap,
        args.follow.timeout,
    )
    .await?;
    if str_at(&done, "/status/phase") == Some("Failed") {
        let d = snapshot_details(&done);
        let why = d.message.unwrap_or_else(|| "no reason given".into());
        let mut err = UserError::failure(format!("snapshot {snap} of VM {ns}/{vm} failed: {why}"));
        if d.reason.as_deref() == Some("PotentiallyInconsistent") {
            err = err
                .hint(format!(
                    "stop the VM first: kubectl vmsnap create {vm} --stop --start-after -n {ns}"
                ))
                .hint(format!(
                    "or accept an unfrozen snapshot: kubectl vmsnap create {vm} --allow-inconsistent -n {ns}"
                ));
        }
        return Err(err
            .hint(format!(
                "a Failed snapshot stays Failed; delete it with: kubectl vmsnap delete {snap} -n {ns}"
            ))
            .into());
    }
    Ok(Some(done))
}

/// Follows a VM or disk snapshot until Ready or Failed (timeout: exit 4, Ctrl-C: 130).
pub(super) async fn wait_snapshot(
    ctx: &mut Ctx<'_>,
    kind: Kind,
    ns: &str,
    snap: &str,
    timeout: std::time::Duration,
) -> anyhow::Result<Value> {
    let title = format!("Creating snapshot {snap}");
    let result = follow(ctx, kind, ns, snap, timeout, &title, |obj| match obj {
        None => Step::Continue(format!("Waiting for snapshot {snap} to appear")),
        Some(v) => match str_at(v, "/status/phase") {
            Some("Ready" | "Failed") => Step::Done,
            _ => Step::Continue(format!("Snapshot {snap}: {}", phase_message(v))),
        },
    })
    .await?;
    // `vmsnap wait` follows VM snapshots; a disk snapshot is followed with kubectl's own wait.
    let describe = match kind {
        Kind::VirtualMachineSnapshot => format!("kubectl vmsnap wait {snap} -n {ns}"),
        _ => format!(
            "kubectl wait {}/{snap} -n {ns} --for=jsonpath='{{.status.phase}}'=Ready",
            kind.qualified()
        ),
    };
    match result {
        WaitResult::Done(Some(v)) => Ok(v),
        WaitResult::Done(None) => Err(UserError::failure(format!(
            "snapshot {snap} disappeared before it was ready"
        ))
        .into()),
        ended => Err(common::wait_cut_short(
            ended.timed_out(timeout),
            &format!("snapshot {snap} to be Ready"),
            &format!("snapshot {snap}"),
            "the snapshot",
            &describe,
        )
        .into()),
    }
}

/// `create --disk DISK`.
pub(super) async fn disk(args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let disk_name = args.disk.clone().unwrap_or_default();
    if args.keep_ip_address.is_some() {
        return Err(UserError::usage(
            "--keep-ip-address applies to VM snapshots: a disk snapshot saves no IP address",
        )
        .hint(format!(
            "snapshot the whole VM to keep its address: kubectl vmsnap create VM --keep-ip-address Always -n {ns}"
        ))
        .into());
    }
    let snap = snapshot_name(args, &disk_name, ctx)?;
    require_permission(ctx, "create", Kind::VirtualDiskSnapshot, &ns).await?;
    let disk = require(
        Kind::VirtualDisk,
        dh.get(Kind::VirtualDisk, &ns, &disk_name).await?,
        &ns,
        &disk_name,
    )?;
    require_free(dh, Kind::VirtualDiskSnapshot, &ns, &snap).await?;
    let info = disk_info(&disk);
    let vm = match info.attached_to.first() {
        Some(v) => dh.get(Kind::VirtualMachine, &ns, v).await?,
        None => None,
    };
    let required = !args.allow_inconsistent;
    let (expected, findings) = preflight::disk_snapshot(&disk, vm.as_ref(), required);
    let attached = match &vm {
        Some(v) => {
            let phase = str_at(v, "/status/phase").unwrap_or("Pending");
            let agent = if phase != "Running" {
                ""
            } else if agent_ready(v) {
                ", guest agent ready (AgentReady)"
            } else {
                ", guest agent NOT ready"
            };
            format!("VM {} ({phase}{agent})", name(v))
        }
        None => "no VM".to_owned(),
    };
    let mut pairs = vec![
        (
            "Disk",
            format!(
                "{} ({}, {})",
                disk_name,
                if info.resizing {
                    "Resizing"
                } else {
                    &info.phase
                },
                info.capacity.clone().unwrap_or_else(|| "-".into())
            ),
        ),
        ("Attached to", attached),
        ("Snapshot", snap.clone()),
        ("Consistency", expected_text(expected, required)),
    ];
    if vm
        .as_ref()
        .is_some_and(|v| str_at(v, "/status/phase") == Some("Running"))
        && required
    {
        pairs.push((
            "Note",
            "a consistent snapshot of a running VM's disk needs its guest agent (AgentReady) to freeze the file systems".into(),
        ));
    }
    let mut text = format!("Disk snapshot plan for VirtualDisk {ns}/{disk_name}\n");
    text.push_str(&key_values(&pairs, 2));
    text.push_str(&finding_lines(&findings));
    ctx.say(text.trim_end());
    if blocked(&findings) {
        let mut hints = Vec::new();
        if findings
            .iter()
            .any(|f: &Finding| f.code == "agent-not-ready")
        {
            hints.push(format!(
                "accept a snapshot that is not guaranteed consistent: kubectl vmsnap create --disk {disk_name} --allow-inconsistent -n {ns}"
            ));
            if let Some(v) = &vm {
                hints.push(format!(
                    "or snapshot the stopped VM: kubectl vmsnap create {} --stop --start-after -n {ns}",
                    name(v)
                ));
            }
        }
        return Err(refuse_blocked(
            format!("a snapshot of VirtualDisk {ns}/{disk_name} would not succeed now"),
            &findings,
            hints,
        ));
    }
    confirm::create_snapshot(ctx, "Proceed? (yes/no)")?;
    let obj = build_disk_snapshot(&ns, &snap, &disk_name, required, &labels(args));
    let mut report = DiskSnapshotCreate::new(&ns, &disk_name, &snap, findings);
    if let Some((mode, object)) = dry_run_create(ctx, Kind::VirtualDiskSnapshot, &obj).await? {
        report.dry_run = Some(mode);
        report.object = Some(object);
        return Ok(Report::CreateDisk(Box::new(report)));
    }
    dh.create(Kind::VirtualDiskSnapshot, obj, false).await?;
    let mut steps = vec![format!("kubectl vmsnap describe {snap} -n {ns}")];
    if !args.follow.should_wait() {
        report.next_steps = Some(steps);
        return Ok(Report::CreateDisk(Box::new(report)));
    }
    let done = wait_snapshot(
        ctx,
        Kind::VirtualDiskSnapshot,
        &ns,
        &snap,
        args.follow.timeout,
    )
    .await?;
    let i = disk_snapshot_info(&done);
    if str_at(&done, "/status/phase") == Some("Failed") {
        return Err(UserError::failure(format!(
            "disk snapshot {snap} of VirtualDisk {ns}/{disk_name} failed: {}",
            i.message
                .clone()
                .unwrap_or_else(|| "no reason given".into())
        ))
        .hint(format!(
            "a Failed snapshot stays Failed; delete it with: kubectl vmsnap delete {snap} -n {ns}"
        ))
        .into());
    }
    steps.push(format!(
        "kubectl vmsnap restore-disk {snap} --to {disk_name}-restored -n {ns}   # a new disk from it"
    ));
    report.size = Some(dh.disk_snapshot_size(&ns, &snap).await.ok().flatten());
    report.snapshot = Some(i);
    report.next_steps = Some(steps);
    Ok(Report::CreateDisk(Box::new(report)))
}
