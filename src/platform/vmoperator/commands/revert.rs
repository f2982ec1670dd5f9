//! `restore VM --snapshot S` on VM Operator, a revert: check what the API does not (the
//! snapshot belongs to the VM, is Ready, no revert pending or stuck), preview what is lost,
//! typed confirmation, a safety snapshot of the VM as it is now, then `spec.currentSnapshotName`
//! and follow until `status.currentSnapshot` names the snapshot and the field is cleared.

use std::time::Duration;

use serde_json::{Value, json};

use super::{API_GROUP, Ctx, kubectl_get_vm, require_snapshot, require_vm, vm_tree};
use crate::cli::{DryRun, RestoreArgs};
use crate::cluster::json::string_at;
use crate::cluster::{Step, WaitOptions, WaitResult, to_value, wait_for};
use crate::error::UserError;
use crate::flow::safety::{
    no_safety_snapshot_warning, safety_annotations, safety_labels, safety_snapshot_name,
    undo_command,
};
use crate::flow::{common, confirm};
use crate::platform::vmoperator::api::{
    CrossedVolumeSnapshot, Kind, Phase, RevertPreview, RevertState, SnapshotOptions, SnapshotTree,
    VmOperator, annotate_consistency, blocking_snapshot, build_snapshot, check_revert,
    creation_failure, crossed_volume_snapshots, expected_consistency, phase, revert_state,
    snapshot_details, snapshot_info, vm_details,
};
use crate::platform::vmoperator::report::{Report, RevertReport, Reverted, when};

/// The safety snapshot to take before reverting.
struct Safety {
    name: String,
    memory: bool,
    undo: String,
}

struct Plan {
    ns: String,
    vm: String,
    snapshot: String,
    preview: RevertPreview,
    power_now: String,
    safety: Option<Safety>,
    tree: SnapshotTree,
    /// `--stop` on a powered-on VM: powered off after the safety snapshot, before the revert.
    stop_first: bool,
    /// `--start-after`: a VM the revert leaves off is powered on once it is done.
    start_after: bool,
    /// CSI VolumeSnapshots of the VM's disks newer than the target, or why they could not
    /// be read.
    crossed: Result<Vec<CrossedVolumeSnapshot>, String>,
    /// The snapshot's UID when it was checked: one recreated under its name is not reverted to.
    snapshot_uid: Option<String>,
}

pub async fn run(args: &RestoreArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    let ns = ctx.namespace.clone();
    let client = ctx.conn.client.clone();
    let safety_wanted = !args.no_safety_snapshot;
    let checks = async {
        common::require_permission(&client, "patch", API_GROUP, "virtualmachines", &ns).await?;
        if safety_wanted {
            let snapshots = "virtualmachinesnapshots";
            common::require_safety_snapshot_permission(
                &client, API_GROUP, snapshots, &ns, "revert",
            )
            .await?;
        }
        Ok::<_, anyhow::Error>(())
    };
    let (allowed, tree, snap) = futures::join!(
        checks,
        vm_tree(vmop, &ns, &args.vm),
        vmop.get_snapshot(&ns, &args.snapshot)
    );
    allowed?;
    let (vm, _, tree) = tree?;
    let vm = require_vm(vm, &ns, &args.vm)?;
    let snap = require_snapshot(snap?, &ns, &args.snapshot)?;
    let preview = check_revert(&vm, &snap).map_err(|r| {
        let mut err = UserError::failure(r.message);
        if let Some(h) = r.hint {
            err = err.hint(h);
        }
        err.hint("nothing was changed")
    })?;
    let d = vm_details(&vm);
    let power_now = d.power_state.clone().unwrap_or_else(|| "Unknown".into());
    let safety = if safety_wanted {
        // The safety snapshot queues behind an older one not taken yet: it would never start.
        if let Some(b) = blocking_snapshot(&tree, None) {
            return Err(UserError::failure(format!(
                "the safety snapshot of VM {ns}/{} would wait behind {b}, an older snapshot VM Operator has not taken yet",
                args.vm
            ))
            .hint(format!("see it with: kubectl vmsnap describe {b} -n {ns} (delete it if it failed)"))
            .hint("or revert without a safety snapshot (nothing can undo it then): --no-safety-snapshot")
            .hint("nothing was changed")
            .into());
        }
        let name = safety_snapshot_name(&args.vm, ctx.clock.now());
        Some(Safety {
            undo: undo_command(&ns, &args.vm, &name),
            name,
            memory: power_now == "PoweredOn",
        })
    } else {
        None
    };
    let stop_first = args.stop && power_now == "PoweredOn";
    let crossed = crossed_of(vmop, &ns, &vm, &snap).await;
    let plan = Plan {
        snapshot_uid: string_at(&snap, "/metadata/uid"),
        ns,
        vm: args.vm.clone(),
        snapshot: args.snapshot.clone(),
        preview,
        power_now,
        safety,
        tree,
        stop_first,
        start_after: args.start_after,
        crossed,
    };
    let text = preview_text(&plan, &vm, &snap, ctx.clock.now());
    ctx.say(text.trim_end());
    let question = if plan.safety.is_some() {
        "Proceed with VM revert? (yes/cancel)"
    } else {
        "Proceed with VM revert? This cannot be undone (yes/cancel)"
    };
    confirm::typed_name(
        ctx,
        confirm::Typed {
            want: &plan.snapshot,
            confirm_name: args.confirm_name.as_deref(),
            verb: "revert",
            question,
        },
    )?;
    let server_dry_run = match ctx.dry_run() {
        DryRun::Client => return Ok(reverted_report(&plan, None, Some("client"), false)),
        DryRun::Server => true,
        DryRun::None => false,
    };
    if let Some(s) = &plan.safety {
        if let Err(e) = recheck_source(vmop, &plan, None).await {
            return Err(put_back(ctx, &plan, e, false, args.follow.timeout).await);
        }
        take_safety_snapshot(ctx, &plan, s, args.follow.timeout, server_dry_run).await?;
    }
    let safety_taken = plan.safety.as_ref().filter(|_| !server_dry_run);
    let stop_first = plan.stop_first && !server_dry_run;
    if stop_first {
        if let Err(e) = recheck_source(vmop, &plan, safety_taken).await {
            return Err(put_back(ctx, &plan, e, false, args.follow.timeout).await);
        }
        if let Err(e) = power_off(ctx, &plan, args.follow.timeout, args.start_after).await {
            // A signal before the revert was asked for: put back a VM meant to run afterwards.
            if args.start_after && crate::interrupt::received().is_some() {
                return Err(super::power_back_on(
                    vmop,
                    e,
                    "nothing was reverted",
                    &plan.ns,
                    &plan.vm,
                )
                .await);
            }
            return Err(e);
        }
    }
    if let Err(e) = recheck_source(vmop, &plan, safety_taken).await {
        return Err(put_back(ctx, &plan, e, stop_first, args.follow.timeout).await);
    }
    if let Err(e) = vmop
        .request_revert(&plan.ns, &plan.vm, &plan.snapshot, server_dry_run)
        .await
    {
        if let Some(s) = plan.safety.as_ref().filter(|_| !server_dry_run) {
            ctx.say(&format!(
                "note: the VM was not reverted; the safety snapshot {} was taken and can be deleted with: kubectl vmsnap delete {} -n {}",
                s.name, s.name, plan.ns
            ));
        }
        return Err(e);
    }
    if server_dry_run {
        return Ok(reverted_report(&plan, None, Some("server"), false));
    }
    if !args.follow.should_wait() {
        return Ok(reverted_report(&plan, None, None, false));
    }
    let after = follow_revert(ctx, &plan, args.follow.timeout).await?;
    let mut after_power = vm_details(&after)
        .power_state
        .unwrap_or_else(|| plan.preview.power_after.clone());
    if args.start_after && after_power != "PoweredOn" {
        after_power = power_on(ctx, &plan, args.follow.timeout).await?;
    }
    Ok(reverted_report(&plan, Some(after_power), None, true))
}

fn preview_text(plan: &Plan, vm: &Value, snap: &Value, now: jiff::Timestamp) -> String {
    let d = vm_details(vm);
    let sd = snapshot_details(snap);
    let info = snapshot_info(snap);
    let current = match d.current_snapshot.as_ref() {
        Some(c) if c.managed => format!(", runs from snapshot {}", c.name),
        Some(_) => ", runs from an Unmanaged snapshot taken in vCenter".into(),
        None => String::new(),
    };
    let taken = when(info.creation_time.or(info.created), now);
    let with_memory = if sd.memory {
        "with memory"
    } else {
        "without memory"
    };
    let mut rows: Vec<(&str, String)> = vec![
        ("VM now", format!("{}{current}", plan.power_now)),
        (
            "Revert to",
            format!(
                "{} ({}, {with_memory}), taken {taken}",
                plan.snapshot,
                info.consistency.label()
            ),
        ),
        (
            "After the revert",
            match (plan.preview.power_after.as_str(), plan.start_after) {
                ("PoweredOn", _) => {
                    "PoweredOn: the VM resumes from the snapshot's memory".to_owned()
                }
                (after, true) => format!(
                    "{after}, then powered on (--start-after): the guest boots from the snapshot's disks"
                ),
                (after, false) => format!("{after}: the VM stays powered off until started"),
            },
        ),
    ];
    if let Some(desc) = sd.description.filter(|d| !d.is_empty()) {
        rows.push(("Description", desc));
    }
    if let Some(s) = &plan.safety {
        let mem = if s.memory {
            "with memory"
        } else {
            "without memory"
        };
        rows.push((
            "Safety snapshot",
            format!(
                "{}, of the VM as it is now ({mem}), taken first; the revert starts once it is ready",
                s.name
            ),
        ));
    }
    let mut out = super::plan_head("Revert", &plan.ns, &plan.vm, &rows);
    for n in &plan.preview.notes {
        out.push_str(&format!("  Note: {n}\n"));
    }
    if plan.stop_first {
        out.push_str("  Note: --stop: the VM is powered off (after the safety snapshot) before the revert; its running state is discarded\n");
    } else if plan.power_now == "PoweredOn" {
        out.push_str("  Note: the VM is running: vSphere reverts it in place, its running state (memory, open sessions) is discarded (--stop powers it off first)\n");
    }
    match &plan.crossed {
        Ok(crossed) if !crossed.is_empty() => {
            let names: Vec<String> = crossed
                .iter()
                .map(|c| format!("{} (of {})", c.name, c.claim))
                .collect();
            out.push_str(&format!(
                "  Warning: CSI VolumeSnapshots of the VM's disks are newer than {}: {}. vSphere cannot revert across a CSI VolumeSnapshot: the revert would fail and leave the VM stuck; delete them first (kubectl delete volumesnapshots.snapshot.storage.k8s.io {} -n {})\n",
                plan.snapshot,
                names.join(", "),
                crossed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" "),
                plan.ns
            ));
        }
        Ok(_) => {}
        Err(why) => out.push_str(&format!(
            "  Note: could not check for CSI VolumeSnapshots newer than {} ({why}); a revert crossing one fails\n",
            plan.snapshot
        )),
    }
    match &plan.safety {
        Some(s) => out.push_str(&format!(
            "  WARNING: ALL changes since {taken} will be lost from the VM; the safety snapshot keeps them (undo with: {}).\n",
            s.undo
        )),
        None => {
            out.push_str(&format!("  WARNING: ALL changes since {taken} will be lost.\n"));
            out.push_str(&format!(
                "  WARNING: {}\n",
                no_safety_snapshot_warning(&plan.ns, &plan.vm)
            ));
        }
    }
    out
}

/// The VolumeSnapshots of the VM's claims newer than `target`; none asked for when the VM
/// has no claims.
async fn crossed_of(
    vmop: &VmOperator,
    ns: &str,
    vm: &Value,
    target: &Value,
) -> Result<Vec<CrossedVolumeSnapshot>, String> {
    let has_claims = crate::cluster::json::arr_at(vm, "/spec/volumes")
        .iter()
        .any(|v| v.pointer("/persistentVolumeClaim/claimName").is_some());
    if !has_claims {
        return Ok(Vec::new());
    }
    match vmop.list_volume_snapshots(ns).await {
        Ok(all) => Ok(crossed_volume_snapshots(vm, target, &all)),
        Err(e) => Err(crate::explain::render(&e, None).lines.join(": ")),
    }
}

/// Creates the safety snapshot and waits until it is Ready; any other ending is an error
/// saying nothing was reverted.
async fn take_safety_snapshot(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    s: &Safety,
    timeout: Duration,
    dry_run: bool,
) -> anyhow::Result<()> {
    let vmop = &ctx.vmoperator();
    let ns = &plan.ns;
    let nothing = "nothing was reverted; the VM is unchanged";
    let without = format!(
        "to revert without a safety snapshot (nothing can undo it then): kubectl vmsnap restore {} --snapshot {} -n {ns} --no-safety-snapshot",
        plan.vm, plan.snapshot
    );
    let opts = SnapshotOptions {
        description: Some(format!(
            "vmsnap: the VM before its revert to {}",
            plan.snapshot
        )),
        memory: s.memory,
        quiesce_timeout: None,
    };
    let mut obj = build_snapshot(vmop.version(), ns, &s.name, &plan.vm, &opts);
    for (k, v) in safety_labels() {
        obj["metadata"]["labels"][k] = json!(v);
    }
    obj["metadata"]["annotations"] =
        json!(safety_annotations(ns, &plan.vm, &s.name, &plan.snapshot));
    // Taken without quiesce: at rest when the VM is off, else as after a power loss.
    annotate_consistency(
        &mut obj,
        expected_consistency(&plan.power_now, false, false),
    );
    let name = s.name.clone();
    let sc = common::SafetyContext {
        name: &name,
        ns,
        verb: "revert",
        nothing,
        without: &without,
    };
    if let Err(e) = vmop.create_snapshot(obj, dry_run).await {
        return Err(sc.create_failed(e));
    }
    if dry_run {
        return Ok(());
    }
    let result =
        super::follow_snapshot(ctx, ns, &name, &plan.tree, timeout, "safety snapshot").await;
    let last = sc.waited(result?, timeout)?;
    if let Some(why) = creation_failure(&last) {
        return Err(
            UserError::failure(format!("the safety snapshot {name} failed: {why}"))
                .hint(nothing)
                .hint(format!(
                    "delete it with: kubectl vmsnap delete {name} -n {ns}"
                ))
                .hint(without)
                .into(),
        );
    }
    ctx.say(&format!(
        "Safety snapshot {name} is ready; reverting VM {ns}/{}",
        plan.vm
    ));
    Ok(())
}

/// Follows the VM until the revert succeeded or failed.
async fn follow_revert(ctx: &mut Ctx<'_>, plan: &Plan, timeout: Duration) -> anyhow::Result<Value> {
    let vmop = &ctx.vmoperator();
    let api = vmop.api(Kind::VirtualMachine, Some(&plan.ns));
    let (vm, target) = (plan.vm.clone(), plan.snapshot.clone());
    let mut progress = ctx.progress(&format!("Reverting VM {vm} to {target}"));
    let result = wait_for(
        api,
        &vm,
        WaitOptions::new(timeout),
        progress.as_mut(),
        |o| match o.map(|o| to_value(o.clone())) {
            None | Some(Err(_)) => Step::Done,
            Some(Ok(v)) => match revert_state(&v, &target) {
                RevertState::InProgress => {
                    let detail = vm_details(&v)
                        .revert_condition
                        .and_then(|c| c.message)
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| "waiting for VM Operator".into());
                    Step::Continue(format!("Reverting VM {vm} to {target}: {detail}"))
                }
                _ => Step::Done,
            },
        },
    )
    .await;
    progress.finish();
    let follow = kubectl_get_vm(&plan.ns, &vm);
    let undo = plan.safety.as_ref().map(|s| {
        format!(
            "the safety snapshot {} holds the VM as it was before; to go back: {}",
            s.name, s.undo
        )
    });
    let last = match result? {
        WaitResult::Done(Some(o)) => to_value(o)?,
        WaitResult::Done(None) => {
            return Err(UserError::failure(format!(
                "VM {}/{vm} disappeared during the revert",
                plan.ns
            ))
            .into());
        }
        ended @ (WaitResult::TimedOut(_) | WaitResult::Interrupted(_)) => {
            let timed_out = ended.timed_out(timeout);
            let what = format!("the revert of VM {vm} to {target}");
            let mut err = common::wait_cut_short(timed_out, &what, &what, "the revert", &follow);
            if let Some(u) = undo.filter(|_| timed_out.is_some()) {
                err = err.hint(u);
            }
            return Err(err.into());
        }
    };
    if let RevertState::Failed {
        reason,
        message,
        hint,
    } = revert_state(&last, &target)
    {
        let mut err = UserError::failure(format!(
            "the revert of VM {vm} to {target} failed ({reason}): {message}"
        ));
        if let Some(h) = hint {
            err = err.hint(h);
        }
        err = err.hint(format!("see the VM's conditions with: {follow}"));
        if let Some(s) = &plan.safety {
            err = err.hint(format!(
                "the safety snapshot {} was taken before the revert; delete it when no longer needed: kubectl vmsnap delete {} -n {}",
                s.name, s.name, plan.ns
            ));
        }
        return Err(err.into());
    }
    Ok(last)
}

/// Reads the snapshot again right before a write that depends on it (see
/// [`common::recheck_source`]); the error says what was done and what to do.
async fn recheck_source(
    vmop: &VmOperator,
    plan: &Plan,
    safety_taken: Option<&Safety>,
) -> anyhow::Result<()> {
    let (ns, vm) = (&plan.ns, &plan.vm);
    let now = vmop.get_snapshot(ns, &plan.snapshot).await?;
    let checked = common::recheck_source(
        &plan.snapshot,
        plan.snapshot_uid.as_deref(),
        now.as_ref(),
        |v| {
            let p = phase(v);
            (p != Phase::Ready).then(|| format!("phase {}", p.as_str()))
        },
        "revert",
    );
    let Err(err) = checked else {
        return Ok(());
    };
    Err(common::source_changed(
        err.into(),
        "nothing was reverted".to_owned(),
        safety_taken.map(|s| s.name.as_str()),
        ns,
        vm,
    ))
}

/// The revert cannot go on: the VM is left as it was, powered on again when this run powered
/// it off (`stopped`).
async fn put_back(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    err: anyhow::Error,
    stopped: bool,
    timeout: Duration,
) -> anyhow::Error {
    let (ns, vm) = (&plan.ns, &plan.vm);
    let restarted = match stopped {
        true => Some(super::set_power(ctx, ns, vm, "PoweredOn", timeout).await),
        false => None,
    };
    common::with_hint(
        err,
        common::left_as_it_was(ns, vm, restarted.as_ref(), &super::power_on_cmd(ns, vm)),
    )
}

/// Powers the VM on after a revert that left it off (`--start-after`).
async fn power_on(ctx: &mut Ctx<'_>, plan: &Plan, timeout: Duration) -> anyhow::Result<String> {
    let (ns, vm) = (&plan.ns, &plan.vm);
    let done = format!("VM {ns}/{vm} was reverted to {}", plan.snapshot);
    super::set_power(ctx, ns, vm, "PoweredOn", timeout)
        .await
        .map_err(|e| common::with_hint(e, format!("{done}; it was not powered on")))?;
    Ok("PoweredOn".into())
}

/// Powers the VM off before the revert (`--stop`), after the safety snapshot.
async fn power_off(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    timeout: Duration,
    start_after: bool,
) -> anyhow::Result<()> {
    let (ns, vm) = (&plan.ns, &plan.vm);
    super::set_power(ctx, ns, vm, "PoweredOff", timeout)
        .await
        .map_err(|e| {
            if crate::interrupt::received().is_some() && start_after {
                // The caller puts it back and says so.
                return e;
            }
            let e = common::with_hint(e, "nothing was reverted".to_owned());
            common::with_hint(
                e,
                format!(
                    "the VM was asked to power off; power it on again with: {}",
                    super::power_on_cmd(ns, vm)
                ),
            )
        })
}

fn reverted_report(
    plan: &Plan,
    power_after: Option<String>,
    dry_run: Option<&'static str>,
    waited: bool,
) -> Report {
    let reverted = Reverted {
        namespace: plan.ns.clone(),
        vm: plan.vm.clone(),
        snapshot: plan.snapshot.clone(),
        power_state: power_after.unwrap_or_else(|| plan.preview.power_after.clone()),
        safety: plan
            .safety
            .as_ref()
            .map(|s| (s.name.clone(), s.undo.clone())),
        notes: plan.preview.notes.clone(),
    };
    Report::Revert(Box::new(RevertReport::new(reverted, dry_run, waited)))
}
