//! `create VM` on VM Operator: preflight (VKS nodes, the 32-snapshot advice, quiesce without
//! VMware Tools, a queue blocked by an older snapshot), plan, confirm, create, follow the
//! conditions, report.

use serde_json::{Value, json};

use super::{API_GROUP, Ctx, refuse_flag, require_vm, vm_tree};
use crate::cli::{CreateArgs, DryRun};
use crate::cluster::WaitResult;
use crate::error::UserError;
use crate::flow::{common, confirm};
use crate::model::Consistency;
use crate::names::go_duration;
use crate::platform::vmoperator::api::{
    SnapshotOptions, SnapshotTree, VmOperator, annotate_consistency, build_snapshot, build_tree,
    creation_failure, expected_consistency, phase, preflight, vm_details, waiting_message,
};
use crate::platform::vmoperator::report::{CreateReport, Report, Requested};

/// What `create` will do, decided by reads only.
struct Plan {
    ns: String,
    vm: String,
    snapshot: String,
    opts: SnapshotOptions,
    labels: Vec<(String, String)>,
    power: String,
    tree: SnapshotTree,
    /// `--stop` on a powered-on VM: powered off first, for a snapshot of a VM at rest.
    stop_first: bool,
}

pub async fn run(args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    if args.stop && args.memory {
        return Err(refuse_flag(
            "--memory",
            "with --stop the VM is powered off first: there is no running state to keep \
             (drop --stop to snapshot it running, with its memory)",
        ));
    }
    let ns = ctx.namespace.clone();
    let Some(vm_name) = args.vm.clone() else {
        return Err(UserError::usage("name the VM to snapshot").into());
    };
    let snapshot = crate::flow::safety::snapshot_name(args, ctx.started)?;
    let client = ctx.conn.client.clone();
    // Permission first (exit 6 before any question), alongside the reads.
    let (allowed, tree, existing) = futures::join!(
        common::require_permission(&client, "create", API_GROUP, "virtualmachinesnapshots", &ns),
        vm_tree(vmop, &ns, &vm_name),
        vmop.get_snapshot(&ns, &snapshot)
    );
    allowed?;
    let (vm, _, tree) = tree?;
    let vm = require_vm(vm, &ns, &vm_name)?;
    if existing?.is_some() {
        return Err(UserError::failure(format!(
            "a snapshot named {snapshot} already exists in namespace {ns}"
        ))
        .hint("choose another name with --name")
        .into());
    }
    let opts = SnapshotOptions {
        description: args.description.clone(),
        memory: args.memory,
        quiesce_timeout: args.quiesce_timeout,
    };
    let pf = preflight(&vm, &tree, &opts);
    if let Some(r) = pf.refusal {
        let mut err = UserError::failure(r.message);
        if let Some(h) = r.hint {
            err = err.hint(h);
        }
        return Err(err.hint("nothing was created").into());
    }
    let d = vm_details(&vm);
    let power = d.power_state.clone().unwrap_or_else(|| "Unknown".into());
    let plan = Plan {
        ns,
        vm: vm_name,
        snapshot,
        opts,
        labels: args.labels.clone(),
        stop_first: args.stop && power == "PoweredOn",
        power,
        tree,
    };
    let text = plan_text(&plan, &vm, &pf.notes, &pf.warnings);
    ctx.say(text.trim_end());
    confirm::create_snapshot(
        ctx,
        &format!(
            "Create snapshot {} of VM {}? (yes/no)",
            plan.snapshot, plan.vm
        ),
    )?;
    let mut obj = build_snapshot(
        vmop.version(),
        &plan.ns,
        &plan.snapshot,
        &plan.vm,
        &plan.opts,
    );
    for (k, v) in &plan.labels {
        obj["metadata"]["labels"][k] = json!(v);
    }
    annotate_consistency(&mut obj, expected(&plan, vm_details(&vm).tools_running));
    match ctx.dry_run() {
        DryRun::Client => {
            return Ok(created_report(&plan, &obj, Some("client"), false, None));
        }
        DryRun::Server => {
            let got = create(vmop, &plan, obj, true).await?;
            return Ok(created_report(&plan, &got, Some("server"), false, None));
        }
        DryRun::None => {}
    }
    let (ns, vm) = (plan.ns.clone(), plan.vm.clone());
    let power_on_cmd = super::power_on_cmd(&ns, &vm);
    if plan.stop_first
        && let Err(e) = super::set_power(ctx, &ns, &vm, "PoweredOff", args.follow.timeout).await
    {
        // A signal before the snapshot was asked for: put back a VM meant to run afterwards.
        if args.start_after && crate::interrupt::received().is_some() {
            return Err(super::power_back_on(vmop, e, "no snapshot was taken", &ns, &vm).await);
        }
        let e = common::with_hint(e, "no snapshot was taken".to_owned());
        return Err(common::with_hint(
            e,
            format!("the VM was asked to power off; power it on again with: {power_on_cmd}"),
        ));
    }
    // A VM this command powered off is powered on again (--start-after) or the user is told.
    let restart = async |ctx: &mut Ctx<'_>| -> anyhow::Result<()> {
        if !plan.stop_first {
            return Ok(());
        }
        if args.start_after && crate::interrupt::received().is_some() {
            // The snapshot was not created (a signal stopped its request): power on, no wait.
            let patch = serde_json::json!({"spec": {"powerState": "PoweredOn"}});
            let on = crate::interrupt::recover(vmop.patch_vm(&ns, &vm, &patch, false)).await;
            if matches!(on, Some(Ok(_))) {
                ctx.say(&format!(
                    "note: VM {ns}/{vm} was powered off for the snapshot and has been powered on again"
                ));
                return Ok(());
            }
        } else if args.start_after {
            return super::set_power(ctx, &ns, &vm, "PoweredOn", args.follow.timeout).await;
        }
        ctx.say(&format!(
            "note: VM {ns}/{vm} was powered off for the snapshot and is still off; power it on with: {power_on_cmd}"
        ));
        Ok(())
    };
    let created = match create(vmop, &plan, obj, false).await {
        Ok(c) => c,
        Err(e) => {
            restart(ctx).await?;
            return Err(e);
        }
    };
    if !args.follow.should_wait() {
        restart(ctx).await?;
        return Ok(created_report(&plan, &created, None, false, None));
    }
    // Not while the snapshot may still be being taken (timed out, Ctrl-C): say it is off.
    let last = match follow(ctx, &plan, args.follow.timeout).await {
        Ok(last) => {
            restart(ctx).await?;
            last
        }
        Err(e) if plan.stop_first => {
            return Err(common::with_hint(
                e,
                format!(
                    "the VM was powered off for the snapshot; power it on with: {power_on_cmd}"
                ),
            ));
        }
        Err(e) => return Err(e),
    };
    if let Some(why) = creation_failure(&last) {
        return Err(UserError::failure(format!(
            "snapshot {} of VM {} failed: {why}",
            plan.snapshot, plan.vm
        ))
        .hint(format!(
            "delete it with: kubectl vmsnap delete {} -n {}",
            plan.snapshot, plan.ns
        ))
        .hint(format!(
            "see: kubectl vmsnap describe {} -n {}",
            plan.snapshot, plan.ns
        ))
        .into());
    }
    // The tree as it is now, for the report's parent line.
    let tree = vm_tree(vmop, &plan.ns, &plan.vm)
        .await
        .map(|(_, _, t)| t)
        .ok();
    Ok(created_report(&plan, &last, None, true, tree))
}

async fn create(
    vmop: &VmOperator,
    plan: &Plan,
    obj: Value,
    dry_run: bool,
) -> anyhow::Result<Value> {
    match vmop.create_snapshot(obj, dry_run).await {
        Ok(v) => Ok(v),
        Err(e) if common::api_code(&e) == Some(409) => Err(UserError::failure(format!(
            "a snapshot named {} already exists in namespace {}",
            plan.snapshot, plan.ns
        ))
        .hint("choose another name with --name")
        .into()),
        Err(e) => Err(e),
    }
}

/// Follows the snapshot's conditions until Ready or Failed.
async fn follow(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    timeout: std::time::Duration,
) -> anyhow::Result<Value> {
    let name = plan.snapshot.clone();
    let result =
        super::follow_snapshot(ctx, &plan.ns, &name, &plan.tree, timeout, "snapshot").await;
    let follow = format!("kubectl vmsnap wait {name} -n {}", plan.ns);
    match result? {
        WaitResult::Done(Some(v)) => Ok(v),
        WaitResult::Done(None) => Err(UserError::failure(format!(
            "snapshot {name} disappeared while it was being taken"
        ))
        .into()),
        WaitResult::TimedOut(last) => {
            let state = last.as_ref().map_or("not seen yet", |v| phase(v).as_str());
            let mut err = UserError::timed_out(format!(
                "timed out after {} waiting for snapshot {name} to become ready (phase {state})",
                go_duration(timeout)
            ));
            if let Some(why) = last.as_ref().and_then(|v| waiting_message(v, &plan.tree)) {
                err = err.hint(why);
            }
            if let Some(ready) = last.as_ref().and_then(ready_condition) {
                err = err.hint(format!("VM Operator says: {ready}"));
            }
            Err(err
                .hint(format!(
                    "the snapshot continues on the cluster; follow it with: {follow}"
                ))
                .into())
        }
        WaitResult::Interrupted(_) => {
            Err(common::wait_stopped(&format!("snapshot {name}"), "the snapshot", &follow).into())
        }
    }
}

/// The Ready condition as VM Operator wrote it (`False VirtualMachineSnapshotWaitingForCreation:
/// …`), for a wait that ends without it becoming True.
fn ready_condition(snap: &Value) -> Option<String> {
    let c = crate::cluster::json::arr_at(snap, "/status/conditions")
        .iter()
        .find(|c| c["type"] == crate::platform::vmoperator::api::resources::COND_READY)?;
    let mut text = format!(
        "{} {} {}",
        crate::platform::vmoperator::api::resources::COND_READY,
        c["status"].as_str().unwrap_or("Unknown"),
        c["reason"].as_str().unwrap_or("")
    );
    if let Some(m) = c["message"].as_str().filter(|m| !m.is_empty()) {
        text.push_str(": ");
        text.push_str(m);
    }
    Some(text)
}

/// `power state: PoweredOn` → ("Power state", "PoweredOn").
fn note_row(note: &str) -> (String, String) {
    match note.split_once(": ") {
        Some((k, v)) => {
            let mut key = k.to_owned();
            if let Some(first) = key.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            (key, v.to_owned())
        }
        None => ("Note".into(), note.to_owned()),
    }
}

fn plan_text(plan: &Plan, vm: &Value, notes: &[String], warnings: &[String]) -> String {
    let d = vm_details(vm);
    let mut rows: Vec<(String, String)> = vec![("Snapshot".into(), plan.snapshot.clone())];
    for n in notes {
        let (k, mut v) = note_row(n);
        if k == "Power state" && v == "PoweredOn" {
            v.push_str(if d.tools_running {
                ", VMware Tools running"
            } else {
                ", VMware Tools not running"
            });
            if plan.stop_first {
                v.push_str("; --stop: powered off first, then the snapshot");
            }
        }
        rows.push((k, v));
    }
    if plan.opts.quiesce_timeout.is_none() {
        rows.push((
            "Quiesce".into(),
            "no (add --quiesce-timeout 10m to freeze the guest file systems through VMware Tools)"
                .into(),
        ));
    }
    if let Some(desc) = plan.opts.description.as_deref().filter(|d| !d.is_empty()) {
        rows.push(("Description".into(), desc.to_owned()));
    }
    let running = plan.power == "PoweredOn";
    let revert = if plan.opts.memory && running {
        "brings the VM back running, with its memory as it is now"
    } else {
        "leaves the VM powered off"
    };
    rows.push(("A revert to it".into(), revert.into()));
    rows.push((
        "Consistency".into(),
        consistency_text(expected(plan, d.tools_running)).into(),
    ));
    let parent = match plan.tree.current.as_ref() {
        Some(c) if c.managed => format!("a child of {} (the VM's current snapshot)", c.name),
        Some(_) => "a child of the VM's current snapshot, an Unmanaged one taken in vCenter".into(),
        None => "a root snapshot (the VM has no current snapshot)".into(),
    };
    rows.push(("In the tree".into(), parent));
    let pairs: Vec<(&str, String)> = rows.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut out = super::plan_head("Snapshot", &plan.ns, &plan.vm, &pairs);
    for w in warnings {
        out.push_str(&format!("  Warning: {w}\n"));
    }
    out
}

/// What the snapshot will be: the VM is at rest when it is off or `--stop` powers it off.
fn expected(plan: &Plan, tools: bool) -> Consistency {
    let power = if plan.stop_first {
        "PoweredOff"
    } else {
        plan.power.as_str()
    };
    expected_consistency(power, plan.opts.quiesce_timeout.is_some(), tools)
}

fn consistency_text(c: Consistency) -> &'static str {
    match c {
        Consistency::Offline => "offline: the VM is powered off, its disks are quiet",
        Consistency::Application => {
            "application-consistent: VMware Tools freezes the guest file systems while vSphere takes the snapshot"
        }
        _ => {
            "crash-consistent: the disks are captured while the guest runs, like after a power loss"
        }
    }
}

fn next_steps(plan: &Plan) -> Vec<String> {
    let (ns, vm, s) = (&plan.ns, &plan.vm, &plan.snapshot);
    vec![
        format!("kubectl vmsnap tree {vm} -n {ns}"),
        format!("kubectl vmsnap restore {vm} --snapshot {s} -n {ns}   # revert to it"),
        format!("kubectl vmsnap delete {s} -n {ns}"),
    ]
}

/// The report: the snapshot as created (or as it ended); `tree` is the VM's as it is now.
fn created_report(
    plan: &Plan,
    snap: &Value,
    dry_run: Option<&'static str>,
    waited: bool,
    tree: Option<SnapshotTree>,
) -> Report {
    let tree = tree.unwrap_or_else(|| {
        build_tree(
            &json!({"metadata": {"name": plan.vm, "namespace": plan.ns}}),
            &[],
        )
    });
    let mut steps = if dry_run.is_some() {
        vec![]
    } else {
        next_steps(plan)
    };
    if dry_run.is_none() && !waited {
        steps.insert(
            0,
            format!(
                "kubectl vmsnap describe {} -n {}   # follow its progress",
                plan.snapshot, plan.ns
            ),
        );
    }
    let requested = Requested {
        memory: plan.opts.memory,
        quiesce_timeout: plan.opts.quiesce_timeout,
        power: plan.power.clone(),
    };
    Report::Create(Box::new(CreateReport::new(
        snap, requested, dry_run, waited, tree, steps,
    )))
}
