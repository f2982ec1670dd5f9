//! `restore VM --snapshot S`: verify, preview what is lost, typed confirmation, restore, follow.

use std::time::Duration;

use jiff::Timestamp;

use super::common;
use crate::cli::{DryRun, RestoreArgs, TargetReadinessPolicy};
use crate::cluster::{Step, WaitOptions, WaitResult, wait_json};
use crate::error::UserError;
use crate::flow::safety::no_safety_snapshot_warning;
use crate::flow::{Ctx, confirm};
use crate::model::{Consistency, RestoreInfo, SnapshotInfo, SnapshotPhase, VmInfo};
use crate::names::go_duration;
use crate::output::{age, key_values};
use crate::platform::kubevirt::analysis::config_diff::{ConfigDiff, DiffOptions, config_diff};
use crate::platform::kubevirt::analysis::{self, Analysis};
use crate::platform::kubevirt::api::clone::{
    Finding, NewVmInputs, Severity, blocked, preflight_new_vm,
};
use crate::platform::kubevirt::api::resources::SNAPSHOT_GROUP;
use crate::platform::kubevirt::api::run_state::{RunSpec, run_spec};
use crate::platform::kubevirt::api::safety::{
    SafetySnapshot, build_safety_snapshot, label_restore_with_safety,
};
use crate::platform::kubevirt::api::{self as kv, Kind, usage};
use crate::platform::kubevirt::report::Report;
use crate::platform::kubevirt::report::RestoreReport;
use crate::platform::kubevirt::report::diff as diff_text;

/// Everything `restore` will do, decided by reads only.
#[derive(Debug, Clone)]
pub struct RestorePlan {
    /// Namespace.
    pub namespace: String,
    /// The VM as it is now.
    pub vm: VmInfo,
    /// The snapshot to restore from (verified usable).
    pub snapshot: SnapshotInfo,
    /// Name of the VirtualMachineRestore to create.
    pub restore_name: String,
    /// `spec.targetReadinessPolicy`; StopTarget when the VM must be stopped.
    pub policy: Option<TargetReadinessPolicy>,
    /// The VM runs and nothing decided yet how to stop it: ask, or refuse.
    pub needs_stop_decision: bool,
    /// `--confirm-name`.
    pub confirm_name: Option<String>,
    /// Start the VM after completion.
    pub start_after: bool,
    /// The VM's run request now, put back exactly when it is started after the restore.
    pub run_spec: RunSpec,
    /// Follow until complete.
    pub wait: bool,
    /// How long to follow.
    pub timeout: Duration,
    /// The snapshot of the VM as it is now, taken before the restore (None with
    /// `--no-safety-snapshot`).
    pub safety: Option<SafetySnapshot>,
    /// What the safety snapshot will be: its consistency and the volumes it leaves out.
    pub safety_consistency: Consistency,
    /// Persistent volumes the safety snapshot cannot capture.
    pub safety_excluded: Vec<String>,
    /// What the restore changes in the VM's configuration (None when the snapshot's content
    /// could not be read).
    pub diff: Option<ConfigDiff>,
    /// `--to`: restore into this new VM; the source VM is not touched.
    pub new_vm: Option<String>,
    /// Preflight warnings for the new VM.
    pub findings: Vec<Finding>,
}

impl RestorePlan {
    /// The plugin stops the VM itself before anything else (StopTarget on a running VM): the
    /// safety snapshot is then of the stopped VM, so no write made before the stop is lost, and
    /// KubeVirt's webhook (which refuses run-state changes while a snapshot holds the VM) never
    /// sees a stop during the safety snapshot.
    pub fn stops_first(&self) -> bool {
        self.new_vm.is_none()
            && self.policy == Some(TargetReadinessPolicy::StopTarget)
            && !self.vm.run_state.is_stopped()
    }

    /// What the safety snapshot will be: offline when the VM is stopped first.
    fn safety_consistency(&self) -> Consistency {
        if self.stops_first() {
            Consistency::Offline
        } else {
            self.safety_consistency
        }
    }

    /// When the snapshot restored from was taken, with its age: the loss window.
    fn taken_text(&self, now: Timestamp) -> String {
        match self.snapshot.creation_time.or(self.snapshot.created) {
            Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
            None => "an unknown time".to_string(),
        }
    }
}

/// `restore-<vm>-<YYYYMMDD-HHMMSS>` in UTC.
pub fn restore_name(vm: &str, now: Timestamp) -> String {
    format!("restore-{vm}-{}", now.strftime("%Y%m%d-%H%M%S"))
}

/// Checks a snapshot can restore `vm`; each problem has its own message.
pub fn check_snapshot(snap: &SnapshotInfo, vm: &VmInfo) -> Result<(), UserError> {
    let (ns, name) = (&snap.namespace, &snap.name);
    let list = format!(
        "list the usable snapshots with: kubectl vmsnap list {} -n {ns}",
        vm.name
    );
    if snap.vm != vm.name {
        return Err(UserError::failure(format!(
            "snapshot {name} was taken of VM {}, not of VM {}",
            snap.vm, vm.name
        ))
        .hint(list));
    }
    if let (Some(then), Some(now)) = (&snap.vm_uid, &vm.uid)
        && then != now
    {
        return Err(UserError::failure(format!(
            "snapshot {name} was taken of an earlier VM named {} (uid {then}); the VM now has \
             uid {now}",
            vm.name
        ))
        .hint("the VM was deleted and recreated since; restoring would mix two different VMs")
        .hint(list));
    }
    if snap.deleting {
        return Err(UserError::failure(format!("snapshot {name} is being deleted")).hint(list));
    }
    match snap.phase {
        SnapshotPhase::Succeeded => {}
        SnapshotPhase::Failed => {
            let why = snap.error.as_deref().unwrap_or("no reason given");
            return Err(UserError::failure(format!(
                "snapshot {name} failed ({why}) and cannot be restored"
            ))
            .hint(list));
        }
        phase => {
            return Err(
                UserError::failure(format!("snapshot {name} is not ready: phase {phase}")).hint(
                    format!("wait for it with: kubectl vmsnap wait {name} -n {ns}"),
                ),
            );
        }
    }
    if !snap.ready_to_use {
        let (reason, hint) = snap.unready_reason();
        return Err(UserError::failure(format!(
            "snapshot {name} succeeded but is not ready to use: {reason}"
        ))
        .hint(hint));
    }
    Ok(())
}

/// Reads the VM and the snapshot and verifies both.
pub async fn plan(args: &RestoreArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<RestorePlan> {
    if let Some(to) = &args.to {
        return plan_new_vm(args, to, ctx).await;
    }
    let ns = ctx.namespace.clone();
    let vm = ctx.get_vm(&ns, &args.vm).await;
    let snap = ctx.get_snapshot(&ns, &args.snapshot).await;
    let kv = ctx.kubevirt();
    let vm = common::require_vm(vm?, &ns, &args.vm);
    let snap = common::require_snapshot(snap?, &ns, &args.snapshot);
    let vm_obj = vm?;
    let vm = kv::vm_info(&vm_obj, None);
    let snap = snap?;
    refuse_fail_immediate_on_running(args, &vm)?;
    let content_name = kv::snapshot_info(&snap, None, &[]).content_name;
    let client = ctx.conn.client.clone();
    let safety_wanted = !args.no_safety_snapshot;
    // The content, the permission checks and (for the safety snapshot) the storage analysis
    // do not depend on each other.
    let checks = async {
        common::require_snapshot_permission(&client, "create", "virtualmachinerestores", &ns)
            .await?;
        if safety_wanted {
            let snapshots = "virtualmachinesnapshots";
            common::require_safety_snapshot_permission(
                &client,
                SNAPSHOT_GROUP,
                snapshots,
                &ns,
                "restore",
            )
            .await?;
        }
        Ok::<_, anyhow::Error>(())
    };
    let storage = async {
        if safety_wanted {
            Some(kv.storage_inputs(&ns, &vm_obj).await)
        } else {
            None
        }
    };
    let (content, allowed, storage, restores) = futures::join!(
        async {
            match content_name {
                Some(c) => kv.get_content(&ns, &c).await.ok().flatten(),
                None => None,
            }
        },
        checks,
        storage,
        kv.list_restores(Some(&ns))
    );
    allowed?;
    let snapshot = kv::snapshot_info(&snap, content.as_ref(), &[]);
    check_snapshot(&snapshot, &vm)?;
    if let Some(r) = usage::restores_blocking_vm(&restores?, &vm.name).first() {
        return Err(unfinished_restore(r, &ns).into());
    }
    if let Some(r) = &vm.restore_in_progress {
        return Err(UserError::failure(format!(
            "VM {ns}/{} is already being restored by {r}",
            vm.name
        ))
        .hint(format!(
            "follow it with: kubectl get virtualmachinerestore {r} -n {ns} -w"
        ))
        .into());
    }
    if let Some(s) = &vm.snapshot_in_progress {
        return Err(UserError::failure(format!(
            "VM {ns}/{} is being snapshotted by {s}; restore after it finishes",
            vm.name
        ))
        .hint(format!("follow it with: kubectl vmsnap wait {s} -n {ns}"))
        .into());
    }
    let running = !vm.run_state.is_stopped();
    let mut policy = args.target_readiness_policy;
    if args.stop {
        policy = Some(TargetReadinessPolicy::StopTarget);
    }
    let needs_stop_decision = running && policy.is_none();
    let safety_analysis = match storage {
        Some(inputs) => Some(analysis::analyse(&inputs?)),
        None => None,
    };
    if let Some(a) = &safety_analysis {
        refuse_unsafe(a, &ns, &vm.name)?;
    }
    let now = ctx.clock.now();
    let safety = safety_analysis
        .as_ref()
        .map(|_| build_safety_snapshot(&ns, &vm.name, &snapshot.name, now, None));
    let safety_excluded = safety_analysis
        .as_ref()
        .map(|a| {
            a.volumes
                .iter()
                .filter(|v| {
                    !v.included
                        && (kv::SNAPSHOTTABLE_SOURCES.contains(&v.source_kind.as_str())
                            || v.source_kind == "backendStorage")
                })
                .map(|v| v.volume.clone())
                .collect()
        })
        .unwrap_or_default();
    let diff = content.as_ref().map(|c| {
        let opts = DiffOptions {
            taken_online: snapshot.indications.iter().any(|i| i.name == "Online"),
            ..DiffOptions::default()
        };
        config_diff(c, &vm_obj, &opts)
    });
    Ok(RestorePlan {
        namespace: ns,
        restore_name: restore_name(&vm.name, ctx.clock.now()),
        vm,
        snapshot,
        policy,
        needs_stop_decision,
        confirm_name: args.confirm_name.clone(),
        start_after: args.start_after,
        run_spec: run_spec(&vm_obj),
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
        safety_consistency: safety_analysis
            .as_ref()
            .map(|a| a.expected_consistency)
            .unwrap_or(Consistency::Unknown),
        safety,
        safety_excluded,
        diff,
        new_vm: None,
        findings: Vec::new(),
    })
}

/// `--target-readiness-policy FailImmediate` on a running VM: KubeVirt fails the restore at
/// once (its target VMI must be powered off) and the failed restore then blocks every later one.
fn refuse_fail_immediate_on_running(args: &RestoreArgs, vm: &VmInfo) -> Result<(), UserError> {
    if args.stop
        || args.target_readiness_policy != Some(TargetReadinessPolicy::FailImmediate)
        || vm.run_state.is_stopped()
    {
        return Ok(());
    }
    Err(UserError::usage(format!(
        "--target-readiness-policy FailImmediate cannot restore VM {}/{}: it is {}, and KubeVirt \
         would fail the restore at once (its VMI must be powered off first)",
        vm.namespace, vm.name, vm.printable_status
    ))
    .hint(format!(
        "add --stop to stop it as part of the restore, or stop it first: virtctl stop {} -n {}",
        vm.name, vm.namespace
    ))
    .hint("nothing was changed"))
}

/// A restore of the VM that never completed: KubeVirt's webhook refuses another one until it
/// completes or is deleted.
fn unfinished_restore(r: &RestoreInfo, ns: &str) -> UserError {
    let err = match &r.error {
        Some(why) => UserError::failure(format!(
            "VM {ns}/{} has a failed restore {} ({why}) that never completed; KubeVirt \
             refuses a new restore of the VM while it exists",
            r.vm, r.name
        )),
        None => UserError::failure(format!(
            "VM {ns}/{} is already being restored by {}",
            r.vm, r.name
        )),
    };
    err.hint(usage::Holder::Restore(r.clone()).next_step(ns))
        .hint("nothing was changed")
}

/// `--to NEW_VM`: the snapshot restored into a VM that does not exist yet. The source VM may
/// be gone; nothing of it is touched, so there is no stop decision and no safety snapshot.
async fn plan_new_vm(
    args: &RestoreArgs,
    to: &str,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<RestorePlan> {
    let ns = ctx.namespace.clone();
    let kv = ctx.kubevirt();
    let client = ctx.conn.client.clone();
    let (source, target, snap, quotas, allowed) = futures::join!(
        ctx.get_vm(&ns, &args.vm),
        kv.get_vm(&ns, to),
        kv.get_snapshot(&ns, &args.snapshot),
        kv.list_resource_quotas(&ns),
        common::require_snapshot_permission(&client, "create", "virtualmachinerestores", &ns)
    );
    let snap = common::require_snapshot(snap?, &ns, &args.snapshot)?;
    allowed?;
    let content = match kv::snapshot_info(&snap, None, &[]).content_name {
        Some(c) => kv.get_content(&ns, &c).await.ok().flatten(),
        None => None,
    };
    let snapshot = kv::snapshot_info(&snap, content.as_ref(), &[]);
    // The source VM only vouches for the snapshot when it still exists.
    let vm = match source? {
        Some(v) => kv::vm_info(&v, None),
        None => kv::vm_info(
            &serde_json::json!({"metadata": {"name": args.vm, "namespace": ns}}),
            None,
        ),
    };
    check_snapshot(&snapshot, &vm)?;
    let macs = std::collections::BTreeMap::new();
    let quotas = quotas?;
    let findings = preflight_new_vm(&NewVmInputs {
        namespace: &ns,
        target: to,
        target_exists: target?.is_some(),
        snapshot: &snapshot,
        content: content.as_ref(),
        quotas: quotas.as_deref(),
        new_mac_addresses: &macs,
    });
    if blocked(&findings) {
        let mut err = UserError::failure(format!(
            "cannot restore snapshot {} into a new VM {ns}/{to}",
            snapshot.name
        ));
        for f in findings.iter().filter(|f| f.severity == Severity::Blocker) {
            err = err.hint(f.message.clone());
            if let Some(h) = &f.hint {
                err = err.hint(h.clone());
            }
        }
        return Err(err.hint("nothing was created").into());
    }
    Ok(RestorePlan {
        namespace: ns,
        restore_name: restore_name(to, ctx.clock.now()),
        vm,
        snapshot,
        policy: None,
        needs_stop_decision: false,
        confirm_name: args.confirm_name.clone(),
        start_after: args.start_after,
        run_spec: RunSpec::Unset,
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
        safety: None,
        safety_consistency: Consistency::Unknown,
        safety_excluded: Vec::new(),
        diff: None,
        new_vm: Some(to.to_string()),
        findings: findings
            .into_iter()
            .filter(|f| f.severity == Severity::Warning)
            .collect(),
    })
}

/// The preview of a restore into a new VM.
fn describe_new_vm_plan(plan: &RestorePlan, new_vm: &str, now: Timestamp) -> String {
    let s = &plan.snapshot;
    let taken = match s.creation_time.or(s.created) {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "an unknown time".to_string(),
    };
    let mut out = format!("Restore plan: new VM {}/{new_vm}\n", plan.namespace);
    out.push_str(&key_values(
        &[
            (
                "From snapshot",
                format!(
                    "{} of VM {} ({}), taken {taken}",
                    s.name,
                    s.vm,
                    s.consistency.label()
                ),
            ),
            (
                "Creates",
                format!(
                    "VM {new_vm} with the snapshot's configuration and disks {} on new PVCs",
                    s.included_volumes.join(", ")
                ),
            ),
            ("Leaves", format!("VM {} as it is", s.vm)),
        ],
        2,
    ));
    for f in &plan.findings {
        out.push_str(&format!("  Warning: {}\n", f.message));
    }
    out
}

/// A restore into a new VM loses nothing: one question, or `--yes`.
fn confirm_new_vm(plan: &RestorePlan, new_vm: &str, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let text = describe_new_vm_plan(plan, new_vm, ctx.clock.now());
    ctx.say(text.trim_end());
    confirm::yes_no(
        ctx,
        &format!("Create VM {new_vm}? (yes/no)"),
        "pass --yes to create the VM without asking",
        "restore cancelled; nothing was created",
    )
}

/// Refuses when the safety snapshot could not be taken: better now than after a wait.
fn refuse_unsafe(a: &Analysis, ns: &str, vm: &str) -> Result<(), UserError> {
    let why = if !a.snapshottable {
        Some(format!("none of VM {ns}/{vm}'s volumes can be snapshotted"))
    } else {
        a.blockers.first().cloned()
    };
    match why {
        None => Ok(()),
        Some(why) => Err(UserError::failure(format!(
            "the safety snapshot of VM {ns}/{vm} taken before restoring would not succeed: {why}"
        ))
        .hint("nothing was changed")
        .hint("to restore without a safety snapshot (nothing can undo it then), add --no-safety-snapshot")),
    }
}

/// The preview the user reads before confirming; `color` colours the config diff.
pub fn describe_plan(plan: &RestorePlan, now: Timestamp, color: bool) -> String {
    let s = &plan.snapshot;
    let taken_text = plan.taken_text(now);
    let vm_status = match plan.policy {
        Some(TargetReadinessPolicy::StopTarget) if !plan.vm.run_state.is_stopped() => {
            format!("{} (will be stopped first)", plan.vm.printable_status)
        }
        _ => plan.vm.printable_status.clone(),
    };
    let volumes = if s.included_volumes.is_empty() {
        "the VM configuration and its disks".to_string()
    } else {
        format!(
            "the VM configuration and disks {}",
            s.included_volumes.join(", ")
        )
    };
    let mut out = format!("Restore plan for VM {}/{}\n", plan.namespace, plan.vm.name);
    let mut pairs = vec![
        ("VM status", vm_status),
        (
            "Snapshot",
            format!("{} ({}, ready to use)", s.name, s.consistency.label()),
        ),
        ("Taken", taken_text.clone()),
        ("Restores", volumes),
    ];
    if let Some(safety) = &plan.safety {
        let mut how = if plan.stops_first() {
            format!(
                "{}, of the VM once stopped ({}), taken after the stop; the restore starts once \
                 it is ready",
                safety.name,
                plan.safety_consistency().label()
            )
        } else {
            format!(
                "{}, of the VM as it is now ({}), taken first; the restore starts once it is ready",
                safety.name,
                plan.safety_consistency().label()
            )
        };
        if !plan.safety_excluded.is_empty() {
            how.push_str(&format!(
                "; it cannot capture {}",
                plan.safety_excluded.join(", ")
            ));
        }
        pairs.push(("Safety snapshot", how));
    }
    out.push_str(&key_values(&pairs, 2));
    if !s.excluded_volumes.is_empty() {
        out.push_str(&format!(
            "  Not captured by the snapshot: {}\n",
            s.excluded_volumes.join(", ")
        ));
    }
    match &plan.safety {
        Some(safety) => out.push_str(&format!(
            "  WARNING: ALL changes since {taken_text} will be lost from the VM; the safety snapshot keeps them (undo with: {}).\n",
            safety.undo
        )),
        None => {
            out.push_str(&format!(
                "  WARNING: ALL changes since {taken_text} will be lost.\n"
            ));
            out.push_str(&format!(
                "  WARNING: {}\n",
                no_safety_snapshot_warning(&plan.namespace, &plan.vm.name)
            ));
        }
    }
    match &plan.diff {
        Some(d) => {
            out.push_str("  Configuration changes:\n");
            out.push_str(&diff_text::summary(d, 4));
            if !d.identical {
                out.push_str(&diff_text::unified(d, color, 4));
            }
        }
        None => out.push_str(
            "  Configuration changes: unknown (the snapshot's content could not be read)\n",
        ),
    }
    out
}

/// Decides the running VM question, previews, and takes the typed confirmation.
pub fn confirm(plan: &mut RestorePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    if let Some(new_vm) = plan.new_vm.clone() {
        return confirm_new_vm(plan, &new_vm, ctx);
    }
    let ns = plan.namespace.clone();
    if plan.needs_stop_decision {
        if !ctx.interactive || ctx.global.yes {
            return Err(UserError::declined(format!(
                "VM {ns}/{} is {}; it must be stopped to be restored",
                plan.vm.name, plan.vm.printable_status
            ))
            .hint("pass --stop (or --target-readiness-policy StopTarget) to stop it as part of the restore")
            .into());
        }
        ctx.say(&format!(
            "VM {ns}/{} is {}; it must be stopped to be restored.",
            plan.vm.name, plan.vm.printable_status
        ));
        let choice = ctx.ui.select(
            "How do you want to continue?",
            &["stop-and-restore", "cancel"],
        )?;
        if choice != 0 {
            return Err(
                UserError::declined("restore cancelled, current VM state preserved").into(),
            );
        }
        plan.policy = Some(TargetReadinessPolicy::StopTarget);
        plan.needs_stop_decision = false;
    }
    let text = describe_plan(plan, ctx.clock.now(), ctx.color);
    ctx.say_styled(text.trim_end());
    let taken = plan.taken_text(ctx.clock.now());
    let question = if plan.safety.is_some() {
        format!(
            "All changes since {taken} will be lost from the VM (the safety snapshot keeps \
             them). Proceed with VM restore? (yes/cancel)"
        )
    } else {
        format!(
            "All changes since {taken} will be lost, and this cannot be undone. Proceed with VM \
             restore? (yes/cancel)"
        )
    };
    let want = plan.snapshot.name.clone();
    confirm::typed_name(
        ctx,
        confirm::Typed {
            want: &want,
            confirm_name: plan.confirm_name.as_deref(),
            verb: "restore",
            question: &question,
        },
    )
}

fn base_report(plan: &RestorePlan, restore: RestoreInfo, dry_run: Option<&str>) -> RestoreReport {
    RestoreReport {
        kind: "SnapshotRestore",
        dry_run: dry_run.map(str::to_string),
        restore,
        snapshot: plan.snapshot.clone(),
        vm_status: if plan.new_vm.is_some() {
            "not created yet".to_string()
        } else {
            plan.vm.printable_status.clone()
        },
        stopped_vm: matches!(plan.policy, Some(TargetReadinessPolicy::StopTarget))
            && !plan.vm.run_state.is_stopped(),
        started_vm: false,
        waited: false,
        safety_snapshot: plan.safety.as_ref().map(|s| s.name.clone()),
        undo: plan.safety.as_ref().map(|s| s.undo.clone()),
        config_diff: plan.diff.clone(),
        next_steps: Vec::new(),
    }
}

/// The report for `--dry-run=client`.
pub fn dry_run_report(plan: &RestorePlan) -> Report {
    let restore = RestoreInfo {
        namespace: plan.namespace.clone(),
        name: plan.restore_name.clone(),
        vm: plan.new_vm.clone().unwrap_or_else(|| plan.vm.name.clone()),
        snapshot: plan.snapshot.name.clone(),
        complete: false,
        restore_time: None,
        conditions: Vec::new(),
        error: None,
        created: None,
        safety_snapshot: plan.safety.as_ref().map(|s| s.name.clone()),
    };
    Report::Restore(Box::new(base_report(plan, restore, Some("client"))))
}

/// Creates the VirtualMachineRestore and follows it.
pub async fn execute(plan: RestorePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = plan.namespace.clone();
    let vm = plan.new_vm.clone().unwrap_or_else(|| plan.vm.name.clone());
    let server_dry_run = ctx.dry_run() == DryRun::Server;
    let stops_first = plan.stops_first() && !server_dry_run;
    if plan.safety.is_some() {
        // No undo point for a restore that can no longer happen.
        if let Err(e) = recheck_source(&kv, &plan.snapshot, "restore").await {
            return Err(source_changed(e, &plan, None, false));
        }
    }
    if stops_first {
        // Stopped before the safety snapshot, so the snapshot holds every write up to the stop.
        stop_before_restore(&plan, ctx).await?;
    }
    if let Some(safety) = &plan.safety {
        let taken = take_safety_snapshot(safety, &plan, ctx, server_dry_run).await;
        if let Err(e) = taken {
            return Err(if stops_first {
                still_stopped(e, &plan, ctx).await
            } else {
                e
            });
        }
    }
    let mut obj = kv::build_restore(
        &ns,
        &plan.restore_name,
        &vm,
        &plan.snapshot.name,
        plan.policy.map(TargetReadinessPolicy::as_str),
    );
    if let Some(safety) = &plan.safety {
        label_restore_with_safety(&mut obj, &safety.name);
    }
    common::served_api_version(&mut obj, &kv, Kind::VirtualMachineRestore);
    if let Err(e) = recheck_source(&kv, &plan.snapshot, "restore").await {
        let safety = plan.safety.as_ref().filter(|_| !server_dry_run);
        let e = source_changed(e, &plan, safety, stops_first);
        return Err(if stops_first {
            still_stopped(e, &plan, ctx).await
        } else {
            e
        });
    }
    let created = match kv.create_restore(obj, server_dry_run).await {
        Ok(c) => c,
        Err(e) => {
            if let Some(s) = plan.safety.as_ref().filter(|_| !server_dry_run) {
                ctx.say(&format!(
                    "note: the VM was not restored; the safety snapshot {} was taken and can be deleted with: kubectl vmsnap delete {} -n {ns}",
                    s.name, s.name
                ));
            }
            return Err(if stops_first {
                still_stopped(e, &plan, ctx).await
            } else {
                e
            });
        }
    };
    let mut report = base_report(
        &plan,
        kv::restore_info(&created),
        server_dry_run.then_some("server"),
    );
    let follow = format!(
        "kubectl get virtualmachinerestore {} -n {ns} -w",
        plan.restore_name
    );
    if server_dry_run {
        return Ok(Report::Restore(Box::new(report)));
    }
    if !plan.wait {
        report.next_steps = vec![format!(
            "{follow}   # do not start the VM until COMPLETE is true"
        )];
        return Ok(Report::Restore(Box::new(report)));
    }
    let api = kv.api(Kind::VirtualMachineRestore, Some(&ns));
    let mut progress = ctx.progress(&format!("Restoring VM {vm} from {}", plan.snapshot.name));
    let result = wait_json(
        api,
        &plan.restore_name,
        WaitOptions::new(plan.timeout),
        progress.as_mut(),
        |obj| match obj {
            None => Step::Continue(format!("Waiting for restore {}", plan.restore_name)),
            Some(v) => {
                let info = kv::restore_info(v);
                if info.complete || info.error.is_some() {
                    Step::Done
                } else {
                    let detail = info
                        .conditions
                        .iter()
                        .find(|c| c.type_ == "Progressing" || c.type_ == "Ready")
                        .and_then(|c| c.message.clone().or(c.reason.clone()))
                        .unwrap_or_else(|| "in progress".to_string());
                    Step::Continue(format!("Restoring VM {vm}: {detail}"))
                }
            }
        },
    )
    .await;
    progress.finish();
    let dont_start = "do not start the VM until the restore completes";
    let info = match result? {
        WaitResult::Done(Some(obj)) => kv::restore_info(&obj),
        WaitResult::Done(None) => {
            return Err(UserError::failure(format!(
                "restore {} disappeared before it completed (was the VM deleted?)",
                plan.restore_name
            ))
            .hint(format!("check the VM with: kubectl get vm {vm} -n {ns}"))
            .into());
        }
        WaitResult::TimedOut(last) => {
            let reason = last.and_then(|o| restore_reason(&kv::restore_info(&o)));
            let mut err = UserError::timed_out(format!(
                "timed out after {} waiting for restore {} to complete{}",
                go_duration(plan.timeout),
                plan.restore_name,
                reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
            if let Some(h) = reason
                .as_deref()
                .and_then(|r| target_running_hint(r, &vm, &ns))
            {
                err = err.hint(h);
            }
            return Err(err
                .hint(format!(
                    "the restore continues on the cluster; {dont_start}"
                ))
                .hint(format!("follow it with: {follow}"))
                .into());
        }
        WaitResult::Interrupted(_) => {
            let mut err =
                UserError::interrupted(format!("stopped following restore {}", plan.restore_name))
                    .hint(format!(
                        "the restore continues on the cluster; {dont_start}"
                    ))
                    .hint(format!("follow it with: {follow}"));
            if plan.start_after {
                // The restore is not undone; the start the user asked for is theirs to do.
                err = err.hint(format!(
                    "the VM was not started; once the restore is complete, start it with: \
                     virtctl start {vm} -n {ns}"
                ));
            }
            return Err(err.into());
        }
    };
    report.waited = true;
    report.restore = info.clone();
    if let Some(e) = &info.error {
        let mut err = UserError::failure(format!("restore {} failed: {e}", plan.restore_name));
        if let Some(h) = target_running_hint(e, &vm, &ns) {
            err = err.hint(h);
        }
        return Err(err
            .hint(format!(
                "see: kubectl describe virtualmachinerestore {} -n {ns}",
                plan.restore_name
            ))
            .into());
    }
    if plan.start_after {
        let started = match kv.start_vm_as_before(&ns, &vm, &plan.run_spec).await {
            Ok(()) => common::wait_vm_status(ctx, &ns, &vm, "Running", plan.timeout).await,
            Err(e) => Err(e),
        };
        if let Err(e) = started {
            // The restore itself is done: say so, or the user may think the data is not back.
            ctx.say(&format!(
                "note: restore {} completed, but the VM was not started; start it with: \
                 virtctl start {vm} -n {ns}",
                plan.restore_name
            ));
            return Err(e);
        }
        report.started_vm = true;
    } else {
        report.next_steps.push(format!(
            "virtctl start {vm} -n {ns}   # start the restored VM"
        ));
    }
    if let Ok(Some(v)) = kv.get_vm(&ns, &vm).await {
        report.vm_status = kv::vm_info(&v, None).printable_status;
    }
    Ok(Report::Restore(Box::new(report)))
}

/// Stops the running VM and waits until it is Stopped ("Stopping VM …" first). On failure
/// nothing was restored; after a signal the VM is started again as it was.
async fn stop_before_restore(plan: &RestorePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let kv = ctx.kubevirt();
    let (ns, vm) = (&plan.namespace, &plan.vm.name);
    ctx.say(&format!("Stopping VM {ns}/{vm} …"));
    kv.stop_vm(ns, vm).await.map_err(|e| {
        common::with_hint(e, "nothing was restored; the VM is unchanged".to_string())
    })?;
    if let Err(e) = common::wait_vm_status(ctx, ns, vm, "Stopped", plan.timeout).await {
        return Err(still_stopped(e, plan, ctx).await);
    }
    Ok(())
}

/// A failure after this command stopped the VM and before the restore was created: nothing
/// was restored, so the VM is started again with its old run request (after a signal within
/// the recovery bound), and the hint says so, or how to start it by hand.
async fn still_stopped(e: anyhow::Error, plan: &RestorePlan, ctx: &mut Ctx<'_>) -> anyhow::Error {
    let kv = ctx.kubevirt();
    let (ns, vm) = (&plan.namespace, &plan.vm.name);
    let start_cmd = format!("virtctl start {vm} -n {ns}");
    if crate::interrupt::received().is_some() {
        let start = kv.start_vm_as_before(ns, vm, &plan.run_spec);
        return common::power_back_on_after_signal(
            e,
            "nothing was restored",
            vm,
            ns,
            start,
            &start_cmd,
        )
        .await;
    }
    let restarted = match kv.start_vm_as_before(ns, vm, &plan.run_spec).await {
        Ok(()) => common::wait_vm_status(ctx, ns, vm, "Running", plan.timeout).await,
        Err(e) => Err(e),
    };
    let what_became = common::left_as_it_was(ns, vm, Some(&restarted), &start_cmd);
    if e.downcast_ref::<UserError>().is_some() {
        return common::with_hint(e, what_became);
    }
    // An API error carries no hints: say it beside it.
    ctx.say(&format!("note: {what_became}"));
    e
}

/// The error when the source changed before the restore was created: what was (not) done.
fn source_changed(
    e: anyhow::Error,
    plan: &RestorePlan,
    safety_taken: Option<&SafetySnapshot>,
    vm_stopped: bool,
) -> anyhow::Error {
    let ns = &plan.namespace;
    let unchanged = match &plan.new_vm {
        Some(to) => format!("nothing was created: VM {ns}/{to} does not exist"),
        // still_stopped says what became of it.
        None if vm_stopped => "nothing was restored".to_string(),
        None => format!(
            "nothing was restored; VM {ns}/{} is unchanged",
            plan.vm.name
        ),
    };
    common::source_changed(
        e,
        unchanged,
        safety_taken.map(|s| s.name.as_str()),
        ns,
        &plan.snapshot.vm,
    )
}

/// Reads the source snapshot again right before the write that reads it (see
/// [`common::recheck_source`]).
pub async fn recheck_source(
    kv: &kv::KubeVirt,
    planned: &SnapshotInfo,
    verb: &str,
) -> anyhow::Result<()> {
    let now = kv.get_snapshot(&planned.namespace, &planned.name).await?;
    common::recheck_source(
        &planned.name,
        planned.uid.as_deref(),
        now.as_ref(),
        |v| {
            let info = kv::snapshot_info(v, None, &[]);
            (!info.is_ready()).then(|| format!("phase {}", info.phase))
        },
        verb,
    )?;
    Ok(())
}

/// What the restore waits on now, in KubeVirt's words: its Ready condition's reason.
fn restore_reason(info: &RestoreInfo) -> Option<String> {
    info.conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .and_then(|c| c.message.clone().or(c.reason.clone()))
        .filter(|r| !r.is_empty())
}

/// For KubeVirt's target-readiness texts ("Waiting for target VM to be powered off…", "Restore
/// target VMI must be powered off…", "…failed to be ready within 5m0s…"): what to do.
fn target_running_hint(reason: &str, vm: &str, ns: &str) -> Option<String> {
    (reason.contains("powered off") || reason.contains("Restore target failed to be ready")).then(
        || {
            format!(
                "the VM is still running: stop it (virtctl stop {vm} -n {ns}), or restore with \
                 --stop to let KubeVirt stop it"
            )
        },
    )
}

/// Creates the safety snapshot and waits until it is ready; any other ending is an error
/// that says nothing was restored.
async fn take_safety_snapshot(
    safety: &SafetySnapshot,
    plan: &RestorePlan,
    ctx: &mut Ctx<'_>,
    server_dry_run: bool,
) -> anyhow::Result<()> {
    let kv = ctx.kubevirt();
    let ns = plan.namespace.clone();
    let name = safety.name.clone();
    let nothing = if plan.stops_first() {
        "nothing was restored"
    } else {
        "nothing was restored; the VM is unchanged"
    };
    let without = format!(
        "to restore without a safety snapshot (nothing can undo it then): kubectl vmsnap restore {} --snapshot {} -n {ns} --no-safety-snapshot",
        plan.vm.name, plan.snapshot.name
    );
    let sc = common::SafetyContext {
        name: &name,
        ns: &ns,
        verb: "restore",
        nothing,
        without: &without,
    };
    let mut obj = safety.object.clone();
    common::served_api_version(&mut obj, &kv, Kind::VirtualMachineSnapshot);
    if let Err(e) = kv.create_snapshot(obj, server_dry_run).await {
        return Err(sc.create_failed(e));
    }
    if server_dry_run {
        return Ok(());
    }
    let follow = format!("kubectl vmsnap describe {name} -n {ns}");
    let result = common::wait_snapshot(ctx, &ns, &name, plan.timeout, "safety snapshot").await?;
    let last = sc.waited(result, plan.timeout)?;
    let info = kv::snapshot_info(&last, None, &[]);
    if !info.is_ready() {
        let why = info
            .error
            .unwrap_or_else(|| format!("phase {}", info.phase));
        return Err(
            UserError::failure(format!("the safety snapshot {name} failed ({why})"))
                .hint(nothing)
                .hint(format!("see: {follow}"))
                .hint(without)
                .into(),
        );
    }
    ctx.say(&format!(
        "Safety snapshot {name} is ready; restoring VM {ns}/{}",
        plan.vm.name
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Consistency, RunState};

    fn vm(uid: Option<&str>) -> VmInfo {
        VmInfo {
            namespace: "prod".into(),
            name: "db".into(),
            uid: uid.map(Into::into),
            printable_status: "Stopped".into(),
            run_state: RunState::Stopped,
            run_strategy: None,
            agent_connected: false,
            guest_os: None,
            windows: false,
            snapshot_in_progress: None,
            restore_in_progress: None,
            volumes: vec![],
        }
    }

    fn snap() -> SnapshotInfo {
        SnapshotInfo {
            vm_uid: Some("u1".into()),
            consistency: Consistency::Offline,
            ..SnapshotInfo::new("prod", "s1", "db", SnapshotPhase::Succeeded)
        }
    }

    #[test]
    fn a_ready_snapshot_of_the_same_vm_passes() {
        assert!(check_snapshot(&snap(), &vm(Some("u1"))).is_ok());
        assert!(check_snapshot(&snap(), &vm(None)).is_ok());
    }

    #[test]
    fn snapshot_of_another_vm_is_refused() {
        let mut s = snap();
        s.vm = "web".into();
        let e = check_snapshot(&s, &vm(None)).unwrap_err();
        assert_eq!(e.message, "snapshot s1 was taken of VM web, not of VM db");
    }

    #[test]
    fn snapshot_of_a_recreated_vm_is_refused() {
        let e = check_snapshot(&snap(), &vm(Some("u2"))).unwrap_err();
        assert!(e.message.contains("earlier VM named db"), "{}", e.message);
    }

    #[test]
    fn unfinished_failed_and_unready_snapshots_are_refused_each_in_its_words() {
        let mut s = snap();
        s.phase = SnapshotPhase::InProgress;
        assert_eq!(
            check_snapshot(&s, &vm(None)).unwrap_err().message,
            "snapshot s1 is not ready: phase InProgress"
        );
        s.phase = SnapshotPhase::Failed;
        s.error = Some("freeze failed".into());
        assert_eq!(
            check_snapshot(&s, &vm(None)).unwrap_err().message,
            "snapshot s1 failed (freeze failed) and cannot be restored"
        );
        let mut s = snap();
        s.ready_to_use = false;
        assert!(
            check_snapshot(&s, &vm(None))
                .unwrap_err()
                .message
                .contains("not ready to use")
        );
    }

    #[test]
    fn restore_names_use_utc_clock_time() {
        let now: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        assert_eq!(
            restore_name("database-01", now),
            "restore-database-01-20261126-100000"
        );
    }
}
