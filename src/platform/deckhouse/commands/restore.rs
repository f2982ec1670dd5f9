//! `restore VM --snapshot S` on Deckhouse: checks, a DryRun VirtualMachineOperation whose
//! conflicts the preview shows, the typed confirmation, a safety snapshot, then the Restore
//! operation followed to Completed or Failed. An in-progress restore is never cancelled.
//!
//! The DryRun operation is the one write made before the question. It is left in place:
//! it changed nothing, it records what was checked, and Deckhouse deletes finished operations
//! itself (after 24h, or beyond the 10 newest per VM).

use std::time::Duration;

use serde_json::{Value, json};

use super::create::wait_snapshot;
use super::dry_run_summary;
use super::{
    Ctx, create_operation, finding_lines, follow, operation_message, operation_name,
    operation_phase, operation_step, power, refuse_blocked, require, require_permission,
    say_plan_not_run, wait_op,
};
use crate::cli::{DryRun, OperationModeArg, RestoreArgs};
use crate::cluster::WaitResult;
use crate::cluster::json::{name, str_at};
use crate::error::UserError;
use crate::flow::safety::{safety_annotations, safety_labels, safety_snapshot_name, undo_command};
use crate::flow::{common, confirm};
use crate::names::go_duration;
use crate::output::{age, key_values};
use crate::platform::deckhouse::api::operations::{
    BEST_EFFORT_EXPLANATION, ConflictKind, DryRunPreview, active_operation_message, dry_run_preview,
};
use crate::platform::deckhouse::api::preflight::{self, ExpectedConsistency, Finding, blocked};
use crate::platform::deckhouse::api::resources::GROUP;
use crate::platform::deckhouse::api::{
    Deckhouse, KeepIpAddress, Kind, OperationMode, OperationPhase, agent_ready, build_restore,
    build_vm_snapshot, operation_info, snapshot_details, snapshot_info,
};
use crate::platform::deckhouse::report::{Report, SnapshotRestore};

/// `--mode` as the API spells it (Strict when not given).
pub(super) fn mode_of(arg: Option<OperationModeArg>) -> OperationMode {
    match arg {
        Some(OperationModeArg::BestEffort) => OperationMode::BestEffort,
        _ => OperationMode::Strict,
    }
}

pub(super) fn mode_text(mode: OperationMode) -> String {
    match mode {
        OperationMode::BestEffort => format!("BestEffort: {BEST_EFFORT_EXPLANATION}"),
        _ => "Strict (the default): any conflict stops the operation; a missing image stays \
              referenced (--mode BestEffort removes it instead)"
            .to_owned(),
    }
}

/// Conflict lines for a preview, each marked when `mode` goes past it.
pub(super) fn conflict_lines(p: &DryRunPreview, mode: OperationMode) -> String {
    let mut out = String::new();
    if p.conflicts.is_empty() {
        return out;
    }
    out.push_str("  Conflicts found by the dry run:\n");
    for c in &p.conflicts {
        let mark = if c.ignored_by(mode) {
            " [BestEffort goes ahead: removed from the VM]"
        } else {
            ""
        };
        out.push_str(&format!("    - {}{mark}\n", c.explain()));
    }
    out
}

/// The safety snapshot to take first.
struct Safety {
    name: String,
    object: Value,
    undo: String,
    expected: ExpectedConsistency,
    /// `requiredConsistency` of the safety snapshot: off when the VM cannot be frozen.
    required: bool,
}

fn plan_safety(ns: &str, vm: &Value, restoring: &str, now: jiff::Timestamp) -> Safety {
    let vm_name = name(vm);
    let name_ = safety_snapshot_name(vm_name, now);
    let phase = str_at(vm, "/status/phase").unwrap_or("Pending");
    // Better an unfrozen safety snapshot than none: without the agent it cannot be frozen.
    let required = phase != "Running" || agent_ready(vm);
    let expected = preflight::expected_consistency(phase, agent_ready(vm), required);
    let mut object = build_vm_snapshot(
        ns,
        &name_,
        vm_name,
        required,
        KeepIpAddress::Always,
        &safety_labels(),
    );
    object["metadata"]["annotations"] = json!(safety_annotations(ns, vm_name, &name_, restoring));
    Safety {
        undo: undo_command(ns, vm_name, &name_),
        name: name_,
        object,
        expected,
        required,
    }
}

/// Everything decided by reads, before any write.
struct Plan {
    ns: String,
    vm: String,
    snapshot: String,
    mode: OperationMode,
    safety: Option<Safety>,
    /// The restore preflight (warnings for the preview).
    findings: Vec<Finding>,
    /// The preview's lines known before the dry run.
    pairs: Vec<(&'static str, String)>,
    /// When the snapshot was taken, in words.
    taken: String,
    /// `--stop` on a running VM: stopped (after the safety snapshot) before the restore, and
    /// left stopped afterwards unless `--start-after`.
    stop_first: bool,
    /// The snapshot's UID when it was checked: one recreated under its name is not restored.
    snapshot_uid: Option<String>,
}

impl Plan {
    /// `Restore plan for VM ns/vm`.
    fn heading(&self) -> String {
        format!("Restore plan for VM {}/{}", self.ns, self.vm)
    }

    /// The report's fixed part; the steps taken fill in the rest.
    fn report(&self) -> SnapshotRestore {
        SnapshotRestore::new(&self.ns, &self.vm, &self.snapshot, self.mode.as_str())
    }
}

/// `restore`: plan (reads), DryRun operation, preview and confirmation, then execute.
pub(super) async fn run(args: &RestoreArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let plan = plan(args, ctx).await?;
    if ctx.dry_run() == DryRun::Client {
        let why = "--dry-run=client writes nothing, and Deckhouse's check is a DryRun operation (use --dry-run=server to run it)";
        say_plan_not_run(ctx, &plan.heading(), &plan.pairs, why, &plan.findings);
        let mut report = plan.report();
        report.dry_run = Some("client");
        return Ok(Report::Restore(Box::new(report)));
    }
    // The flags, or a missing terminal, decide the answer before any write: refuse before
    // the DryRun operation rather than after it.
    let typed = confirm::Typed {
        want: &plan.snapshot,
        confirm_name: args.confirm_name.as_deref(),
        verb: "restore",
        question: "",
    };
    if let Some(Err(e)) = confirm::typed_name_without_asking(ctx, &typed) {
        let why = "the restore cannot be confirmed, so nothing is written";
        say_plan_not_run(ctx, &plan.heading(), &plan.pairs, why, &plan.findings);
        return Err(common::with_hint(e, "nothing was changed".into()));
    }
    let dry = dry_run(&plan, ctx, args.follow.timeout).await?;
    confirm(&plan, &dry, args.confirm_name.as_deref(), ctx)?;
    let mut report = plan.report();
    report.dry_run_operation = Some(operation_info(&dry));
    report.conflicts = Some(dry_run_preview(&dry).conflicts);
    if ctx.dry_run() == DryRun::Server {
        report.dry_run = Some("server");
        return Ok(Report::Restore(Box::new(report)));
    }
    execute(&plan, args, report, ctx).await
}

/// Reads and checks, refusing before any write: permissions, the VM and snapshot, the
/// running operation, the preflight, and whether the safety snapshot could be taken.
async fn plan(args: &RestoreArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Plan> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let vm_name = args.vm.clone();
    let snap_name = args.snapshot.clone();
    require_permission(ctx, "create", Kind::VirtualMachineOperation, &ns).await?;
    if !args.no_safety_snapshot {
        let (client, snapshots) = (&ctx.conn.client, Kind::VirtualMachineSnapshot.plural());
        common::require_safety_snapshot_permission(client, GROUP, snapshots, &ns, "restore")
            .await?;
    }
    let (vm, snap) = futures::join!(
        dh.get(Kind::VirtualMachine, &ns, &vm_name),
        dh.get(Kind::VirtualMachineSnapshot, &ns, &snap_name),
    );
    let vm = require(Kind::VirtualMachine, vm?, &ns, &vm_name)?;
    let snap = require(Kind::VirtualMachineSnapshot, snap?, &ns, &snap_name)?;
    // One operation per VM: say which one runs before anything else.
    if let Some(op) = dh.active_operation(&ns, &vm_name).await? {
        return Err(UserError::failure(active_operation_message(&vm_name, &op))
            .hint("nothing was changed; restore once it has finished")
            .into());
    }
    let mut findings = preflight::restore(&vm, &snap);
    // The Stop and Start operations of --stop / --start-after, refused before any write when
    // the VM's runPolicy makes Deckhouse fail them.
    let running = str_at(&vm, "/status/phase") == Some("Running");
    let power: Vec<(bool, preflight::Finding)> = [
        (false, "--stop", args.stop && running),
        (true, "--start-after", args.start_after),
    ]
    .into_iter()
    .filter(|(_, _, wanted)| *wanted)
    .filter_map(|(start, flag, _)| preflight::power_step(&vm, start, flag).map(|f| (start, f)))
    .collect();
    if blocked(&findings) || !power.is_empty() {
        let mut hints = Vec::new();
        if findings.iter().any(|f| f.code == "snapshot-not-ready") {
            hints.push(format!(
                "check the snapshot: kubectl vmsnap describe {snap_name} -n {ns}"
            ));
        }
        for (start, refusal) in power {
            hints.extend(preflight::run_policy_hints(&vm, &ns, start));
            findings.push(refusal);
        }
        return Err(refuse_blocked(
            format!("VM {ns}/{vm_name} cannot be restored from {snap_name} now"),
            &findings,
            hints,
        ));
    }
    let now = ctx.clock.now();
    let safety = (!args.no_safety_snapshot).then(|| plan_safety(&ns, &vm, &snap_name, now));
    if let Some(s) = &safety {
        // Better refused now than after the question, with a Failed snapshot left behind.
        let disks = dh
            .vm_inputs(&ns, &vm_name)
            .await?
            .map(|i| i.disks)
            .unwrap_or_default();
        let pf = preflight::vm_snapshot(&vm, &disks, s.required);
        if blocked(&pf.findings) {
            return Err(refuse_blocked(
                format!(
                    "the safety snapshot of VM {ns}/{vm_name} taken before restoring would not succeed"
                ),
                &pf.findings,
                vec![format!(
                    "to restore without a safety snapshot (nothing can undo it then): kubectl vmsnap restore {vm_name} --snapshot {snap_name} -n {ns} --no-safety-snapshot"
                )],
            ));
        }
    }
    let mode = mode_of(args.mode);
    let info = snapshot_info(&snap, &[], &[]);
    let details = snapshot_details(&snap);
    let taken = match info.creation_time.or(info.created) {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "an unknown time".to_owned(),
    };
    let disks: Vec<String> = details
        .resources
        .iter()
        .filter(|r| r.kind == "VirtualDisk")
        .map(|r| r.name.clone())
        .collect();
    let vm_phase = str_at(&vm, "/status/phase").unwrap_or("Pending").to_owned();
    let stop_first = args.stop && vm_phase == "Running";
    let vm_status = if stop_first {
        "Running (--stop: stopped before the restore, left stopped after it unless --start-after)"
            .to_owned()
    } else if vm_phase == "Running" {
        "Running (Deckhouse stops it for the restore and starts it again afterwards)".to_owned()
    } else {
        format!("{vm_phase} (stays {vm_phase} unless --start-after)")
    };
    let consistency = match details.consistency {
        crate::platform::deckhouse::api::DeckhouseConsistency::Consistent => "consistent",
        _ => "not guaranteed consistent",
    };
    let restores = if disks.is_empty() {
        "the VM configuration (CPU, memory, labels, annotations) and its disks".to_owned()
    } else {
        format!(
            "the VM configuration (CPU, memory, labels, annotations) and disks {}",
            disks.join(", ")
        )
    };
    let pairs = vec![
        ("VM status", vm_status),
        ("Snapshot", format!("{snap_name} (Ready, {consistency})")),
        ("Taken", taken.clone()),
        ("Restores", restores),
        ("Mode", mode_text(mode)),
    ];
    Ok(Plan {
        ns,
        vm: vm_name,
        snapshot: snap_name,
        mode,
        safety,
        findings,
        pairs,
        taken,
        stop_first,
        snapshot_uid: str_at(&snap, "/metadata/uid").map(str::to_owned),
    })
}

/// Creates the DryRun operation (Deckhouse's own check of what the restore would meet) and
/// follows it until it finishes. It is the only write before the question.
async fn dry_run(plan: &Plan, ctx: &mut Ctx<'_>, timeout: Duration) -> anyhow::Result<Value> {
    let dh = &ctx.deckhouse();
    let (ns, vm) = (&plan.ns, &plan.vm);
    let dry_name = operation_name(vm, "restore-dryrun", ctx.clock.now());
    let obj = build_restore(ns, &dry_name, vm, &plan.snapshot, OperationMode::DryRun);
    let created = create_operation(dh, Kind::VirtualMachineOperation, obj).await?;
    let dry_name = name(&created).to_owned();
    let title = format!("Checking the restore of VM {vm} (dry run {dry_name})");
    let dry = match wait_op(
        ctx,
        Kind::VirtualMachineOperation,
        ns,
        &dry_name,
        timeout,
        &title,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => {
            return Err(common::with_hint(
                e,
                "nothing was restored (a dry run changes nothing)".into(),
            ));
        }
    };
    if operation_phase(&dry) == OperationPhase::Failed && dry_run_preview(&dry).conflicts.is_empty()
    {
        return Err(UserError::failure(format!(
            "the dry run of restoring VM {ns}/{vm} from {} failed: {}",
            plan.snapshot,
            operation_message(&dry)
        ))
        .hint(format!("see: kubectl describe vmop {dry_name} -n {ns}"))
        .hint("nothing was restored")
        .into());
    }
    Ok(dry)
}

/// Prints the preview with the DryRun's findings; refuses what the mode would not get past;
/// takes the typed confirmation.
fn confirm(
    plan: &Plan,
    dry: &Value,
    confirm_name: Option<&str>,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<()> {
    let (ns, vm, snap, mode) = (&plan.ns, &plan.vm, &plan.snapshot, plan.mode);
    let dry_name = name(dry);
    let preview = dry_run_preview(dry);
    let mut pairs = plan.pairs.clone();
    pairs.push(("Dry run", dry_run_summary(dry_name, &preview)));
    if let Some(s) = &plan.safety {
        let how = match s.expected {
            ExpectedConsistency::NotGuaranteed => {
                "not guaranteed consistent: the guest agent is not ready"
            }
            _ => "consistent",
        };
        pairs.push((
            "Safety snapshot",
            format!(
                "{}, of the VM as it is now ({how}), taken first; the restore starts once it is Ready",
                s.name
            ),
        ));
    }
    let mut text = format!("{}\n", plan.heading());
    text.push_str(&key_values(&pairs, 2));
    text.push_str(&conflict_lines(&preview, mode));
    text.push_str(&finding_lines(&plan.findings));
    let taken = &plan.taken;
    match &plan.safety {
        Some(s) => text.push_str(&format!(
            "  WARNING: ALL changes since {taken} will be lost from the VM; the safety snapshot keeps them (undo with: {}).\n",
            s.undo
        )),
        None => {
            text.push_str(&format!("  WARNING: ALL changes since {taken} will be lost.\n"));
            text.push_str(&format!(
                "  WARNING: {}\n",
                crate::flow::safety::no_safety_snapshot_warning(ns, vm)
            ));
        }
    }
    ctx.say(text.trim_end());
    let kept = format!(
        "nothing was changed: the only object created is the DryRun operation {dry_name} (it changes nothing; Deckhouse deletes finished operations after 24h)"
    );
    if !preview.passes(mode) {
        let what = format!(
            "restoring VM {ns}/{vm} from {snap} in {} mode",
            mode.as_str()
        );
        let mut err = super::conflicts_refusal(&what, &preview.blocking(mode));
        let only_images = preview
            .conflicts
            .iter()
            .all(|c| c.conflict == ConflictKind::ImageMissing);
        if only_images && mode == OperationMode::Strict {
            err = err.hint(format!(
                "--mode BestEffort goes ahead and removes the missing images from the restored VM: kubectl vmsnap restore {vm} --snapshot {snap} --mode BestEffort -n {ns}"
            ));
        }
        return Err(err.hint(kept).into());
    }
    let question = if plan.safety.is_some() {
        "Proceed with VM restore? (yes/cancel)"
    } else {
        "Proceed with VM restore? This cannot be undone (yes/cancel)"
    };
    confirm::typed_name(
        ctx,
        confirm::Typed {
            want: snap,
            confirm_name,
            verb: "restore",
            question,
        },
    )
    .map_err(|e| common::with_hint(e, kept))
}

/// The safety snapshot, the Restore operation, following it (never cancelling it), and
/// `--start-after`.
async fn execute(
    plan: &Plan,
    args: &RestoreArgs,
    mut report: SnapshotRestore,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let (ns, vm_name, snap_name, mode) = (&plan.ns, &plan.vm, &plan.snapshot, plan.mode);
    let safety = &plan.safety;
    if let Some(s) = safety {
        if let Err(e) = recheck_source(dh, plan, None).await {
            return Err(put_back(ctx, plan, e, false, args.follow.timeout).await);
        }
        take_safety(ctx, ns, vm_name, snap_name, s, args.follow.timeout).await?;
        report.safety_snapshot = Some(s.name.clone());
        report.undo = Some(s.undo.clone());
    }
    if plan.stop_first
        && let Err(e) = recheck_source(dh, plan, safety.as_ref()).await
    {
        return Err(put_back(ctx, plan, e, false, args.follow.timeout).await);
    }
    if plan.stop_first
        && let Err(e) = super::power(ctx, ns, vm_name, false, args.follow.timeout).await
    {
        if crate::interrupt::received().is_some() {
            return Err(super::stop_continues_hint(
                e,
                "nothing was restored",
                ns,
                vm_name,
            ));
        }
        let e = common::with_hint(e, "nothing was restored".to_owned());
        return Err(common::with_hint(
            e,
            format!("the VM was asked to stop; start it again with: d8 v start {vm_name} -n {ns}"),
        ));
    }
    if let Err(e) = recheck_source(dh, plan, safety.as_ref()).await {
        return Err(put_back(ctx, plan, e, plan.stop_first, args.follow.timeout).await);
    }
    let op_name = operation_name(vm_name, "restore", ctx.clock.now());
    let obj = build_restore(ns, &op_name, vm_name, snap_name, mode);
    let created = match create_operation(dh, Kind::VirtualMachineOperation, obj).await {
        Ok(c) => c,
        Err(e) => {
            if let Some(s) = safety {
                ctx.say(&format!(
                    "note: the VM was not restored; the safety snapshot {} was taken and can be deleted with: kubectl vmsnap delete {} -n {ns}",
                    s.name, s.name
                ));
            }
            return Err(e);
        }
    };
    let op_name = name(&created).to_owned();
    report.operation = Some(op_name.clone());
    let follow_cmd = format!("kubectl get vmop {op_name} -n {ns} -w");
    let dont_cancel =
        "do not delete the operation: cancelling an in-progress restore leaves the VM inconsistent";
    if !args.follow.should_wait() {
        report.next_steps = Some(vec![format!("{follow_cmd}   # {dont_cancel}")]);
        return Ok(Report::Restore(Box::new(report)));
    }
    let title = format!("Restoring VM {vm_name} from {snap_name}");
    let result = follow(
        ctx,
        Kind::VirtualMachineOperation,
        ns,
        &op_name,
        args.follow.timeout,
        &title,
        operation_step(&title),
    )
    .await?;
    let op = match result {
        WaitResult::Done(Some(v)) => v,
        WaitResult::Done(None) => {
            return Err(UserError::failure(format!(
                "restore operation {op_name} disappeared before it finished"
            ))
            .hint(format!(
                "check the VM with: kubectl get vm {vm_name} -n {ns}"
            ))
            .into());
        }
        WaitResult::TimedOut(_) => {
            return Err(UserError::timed_out(format!(
                "timed out after {} waiting for restore {op_name} to finish",
                go_duration(args.follow.timeout)
            ))
            .hint(format!(
                "the restore continues on the cluster; {dont_cancel}"
            ))
            .hint(format!("follow it with: {follow_cmd}"))
            .into());
        }
        WaitResult::Interrupted(_) => {
            let mut err = UserError::interrupted(format!(
                "stopped following restore {op_name}; the restore continues on the cluster"
            ))
            .hint(format!("{dont_cancel}; nothing was deleted"))
            .hint(format!("follow it with: {follow_cmd}"));
            if plan.stop_first && args.start_after {
                err = err.hint(format!(
                    "the VM was stopped by this command and was not started; once the restore \
                     has finished, start it with: d8 v start {vm_name} -n {ns}"
                ));
            }
            return Err(err.into());
        }
    };
    let op_info = operation_info(&op);
    if op_info.phase != OperationPhase::Completed {
        let mut err =
            super::operation_failed(&op, &format!("restore {op_name} of VM {ns}/{vm_name}"));
        if let Some(s) = safety {
            err = err.hint(format!(
                "the safety snapshot {} holds the VM as it was before: {}",
                s.name, s.undo
            ));
        }
        return Err(err
            .hint(format!("see: kubectl describe vmop {op_name} -n {ns}"))
            .into());
    }
    let vm_phase =
        |v: Option<Value>| v.and_then(|v| str_at(&v, "/status/phase").map(str::to_owned));
    let mut started = false;
    if args.start_after {
        let phase = vm_phase(dh.get(Kind::VirtualMachine, ns, vm_name).await?).unwrap_or_default();
        if !matches!(phase.as_str(), "Running" | "Starting") {
            if let Err(e) = power(ctx, ns, vm_name, true, args.follow.timeout).await {
                ctx.say(&format!(
                    "note: restore {op_name} completed, but the VM was not started; start it with: d8 v start {vm_name} -n {ns}"
                ));
                return Err(e);
            }
            started = true;
        }
    }
    let vm_now = vm_phase(dh.get(Kind::VirtualMachine, ns, vm_name).await?)
        .unwrap_or_else(|| "<unknown>".into());
    let mut steps = vec![format!("kubectl get vm {vm_name} -n {ns}")];
    if vm_now != "Running" && !started {
        steps.push(format!(
            "d8 v start {vm_name} -n {ns}   # start the restored VM"
        ));
    }
    report.result = Some(op_info);
    report.vm_status = Some(vm_now);
    report.started = started;
    report.next_steps = Some(steps);
    Ok(Report::Restore(Box::new(report)))
}

/// Reads the source snapshot again right before a write that depends on it (see
/// [`common::recheck_source`]); the error says what was done and what to do.
async fn recheck_source(
    dh: &Deckhouse,
    plan: &Plan,
    safety_taken: Option<&Safety>,
) -> anyhow::Result<()> {
    let (ns, vm) = (&plan.ns, &plan.vm);
    let now = dh
        .get(Kind::VirtualMachineSnapshot, ns, &plan.snapshot)
        .await?;
    let checked = common::recheck_source(
        &plan.snapshot,
        plan.snapshot_uid.as_deref(),
        now.as_ref(),
        |v| {
            let phase = str_at(v, "/status/phase").unwrap_or("Pending");
            (phase != "Ready").then(|| format!("phase {phase}"))
        },
        "restore",
    );
    let Err(err) = checked else {
        return Ok(());
    };
    Err(common::source_changed(
        err.into(),
        "nothing was restored".to_owned(),
        safety_taken.map(|s| s.name.as_str()),
        ns,
        vm,
    ))
}

/// The restore cannot go on: the VM is left as it was, started again when this run stopped
/// it (`stopped`), and the error says so (or how to start it when that fails).
async fn put_back(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    err: anyhow::Error,
    stopped: bool,
    timeout: Duration,
) -> anyhow::Error {
    let (ns, vm) = (&plan.ns, &plan.vm);
    let restarted = match stopped {
        true => Some(super::power(ctx, ns, vm, true, timeout).await),
        false => None,
    };
    let start = format!("d8 v start {vm} -n {ns}");
    common::with_hint(
        err,
        common::left_as_it_was(ns, vm, restarted.as_ref(), &start),
    )
}

/// Takes the safety snapshot and waits until it is Ready; any other ending says nothing was
/// restored.
async fn take_safety(
    ctx: &mut Ctx<'_>,
    ns: &str,
    vm: &str,
    snap: &str,
    s: &Safety,
    timeout: Duration,
) -> anyhow::Result<()> {
    let dh = &ctx.deckhouse();
    let nothing = "nothing was restored; the VM is unchanged";
    let without = format!(
        "to restore without a safety snapshot (nothing can undo it then): kubectl vmsnap restore {vm} --snapshot {snap} -n {ns} --no-safety-snapshot"
    );
    if let Err(e) = dh
        .create(Kind::VirtualMachineSnapshot, s.object.clone(), false)
        .await
    {
        let sc = common::SafetyContext {
            name: &s.name,
            ns,
            verb: "restore",
            nothing,
            without: &without,
        };
        return Err(sc.create_failed(e));
    }
    let done = match wait_snapshot(ctx, Kind::VirtualMachineSnapshot, ns, &s.name, timeout).await {
        Ok(v) => v,
        Err(e) => {
            return Err(common::with_hint(
                common::with_hint(e, nothing.into()),
                without,
            ));
        }
    };
    if str_at(&done, "/status/phase") != Some("Ready") {
        let why = snapshot_details(&done)
            .message
            .unwrap_or_else(|| "no reason given".into());
        return Err(
            UserError::failure(format!("the safety snapshot {} failed: {why}", s.name))
                .hint(nothing)
                .hint(without)
                .into(),
        );
    }
    ctx.say(&format!(
        "Safety snapshot {} is ready; restoring VM {ns}/{vm}",
        s.name
    ));
    Ok(())
}
