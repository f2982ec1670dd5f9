//! `create VM`: storage analysis, running-state decision, plan, confirm, snapshot, follow.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::common;
use crate::cli::{CreateArgs, DryRun};
use crate::cluster::WaitResult;
use crate::error::UserError;
use crate::flow::Ctx;
use crate::model::{Consistency, SnapshotInfo, SnapshotPhase};
use crate::output::Table;
use crate::platform::kubevirt::analysis::{self, Analysis, human_bytes};
use crate::platform::kubevirt::api::resources::SUBRESOURCES_GROUP;
use crate::platform::kubevirt::api::run_state::{RunSpec, run_spec};
use crate::platform::kubevirt::api::{self as kv, Kind};
use crate::platform::kubevirt::report::CreateReport;
use crate::platform::kubevirt::report::Report;

/// How the VM's running state is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The VM is stopped: offline snapshot.
    Offline,
    /// Snapshot while running (with or without a freeze).
    Online,
    /// Stop the VM first, then snapshot offline.
    StopFirst,
    /// Running without guest agent and no flag chose: ask, or refuse when no one can answer.
    Undecided,
}

/// Everything `create` will do, decided by reads only.
#[derive(Debug, Clone)]
pub struct CreatePlan {
    /// Namespace.
    pub namespace: String,
    /// VM name.
    pub vm: String,
    /// The snapshot's name (given or generated).
    pub snapshot: String,
    /// The storage analysis.
    pub analysis: Analysis,
    /// Running-state handling.
    pub mode: Mode,
    /// Start the VM again after stopping it.
    pub start_after: bool,
    /// The VM's run request before the stop, put back exactly by the start after it.
    pub run_spec: RunSpec,
    /// `spec.failureDeadline`.
    pub failure_deadline: Option<String>,
    /// Labels for the snapshot.
    pub labels: BTreeMap<String, String>,
    /// Follow until ready.
    pub wait: bool,
    /// How long to follow.
    pub timeout: Duration,
}

impl CreatePlan {
    /// The consistency this plan will produce.
    pub fn expected_consistency(&self) -> Consistency {
        match self.mode {
            Mode::Offline | Mode::StopFirst => Consistency::Offline,
            Mode::Online if self.analysis.vm.agent_connected => Consistency::Application,
            Mode::Online | Mode::Undecided => Consistency::Crash,
        }
    }
}

/// Reads the VM and its storage; decides the name and the running-state handling.
pub async fn plan(args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<CreatePlan> {
    let ns = ctx.namespace.clone();
    let Some(vm_name) = args.vm.clone() else {
        return Err(UserError::usage("name the VM to snapshot, or select VMs with -l").into());
    };
    let snapshot = crate::flow::safety::snapshot_name(args, ctx.started)?;
    let vm = ctx.get_vm(&ns, &vm_name).await;
    let existing = ctx.get_snapshot(&ns, &snapshot).await;
    let vm = common::require_vm(vm?, &ns, &vm_name)?;
    if existing?.is_some() {
        return Err(UserError::failure(format!(
            "a snapshot named {snapshot} already exists in namespace {ns}"
        ))
        .hint("choose another name with --name")
        .into());
    }
    let kv = ctx.kubevirt();
    // The storage reads and the permission checks do not depend on each other.
    let client = ctx.conn.client.clone();
    let checks = async {
        common::require_snapshot_permission(&client, "create", "virtualmachinesnapshots", &ns)
            .await?;
        if args.stop {
            common::require_permission(
                &client,
                "update",
                SUBRESOURCES_GROUP,
                "virtualmachines/stop",
                &ns,
            )
            .await?;
        }
        Ok::<_, anyhow::Error>(())
    };
    let (inputs, checks) = futures::join!(kv.storage_inputs(&ns, &vm), checks);
    checks?;
    let inputs = inputs?;
    let analysis = analysis::analyse(&inputs);
    let info = &analysis.vm;
    if let Some(s) = &info.snapshot_in_progress {
        return Err(UserError::failure(format!(
            "VM {ns}/{} is already being snapshotted by {s}",
            vm_name
        ))
        .hint(format!("wait for it: kubectl vmsnap wait {s} -n {ns}"))
        .into());
    }
    if let Some(r) = &info.restore_in_progress {
        return Err(UserError::failure(format!(
            "VM {ns}/{} is being restored by {r}; a snapshot now would capture a half-restored VM",
            vm_name
        ))
        .hint(format!(
            "wait for the restore: kubectl get virtualmachinerestore {r} -n {ns} -w"
        ))
        .into());
    }
    if !analysis.snapshottable {
        let mut err = UserError::failure(format!(
            "none of VM {ns}/{}'s volumes can be snapshotted, so there is nothing to snapshot",
            vm_name
        ));
        for v in &analysis.volumes {
            err = err.hint(format!(
                "volume {}: {}",
                v.volume,
                v.reason.as_deref().unwrap_or("cannot be snapshotted")
            ));
        }
        // What to do, in the words `check` uses for the same problem.
        let mut kinds = Vec::new();
        for issue in crate::platform::kubevirt::analysis::readiness::readiness_row(&analysis).issues
        {
            if issue.blocking && !kinds.contains(&issue.kind) {
                err = err.hint(issue.kind.advice());
                kinds.push(issue.kind);
            }
        }
        return Err(err.into());
    }
    if !analysis.blockers.is_empty() {
        let mut err = UserError::failure(format!(
            "a snapshot of VM {ns}/{} would not succeed now",
            vm_name
        ));
        for b in &analysis.blockers {
            err = err.hint(b.clone());
        }
        return Err(err.into());
    }
    let running = info.run_state.is_running();
    let mode = if !running {
        Mode::Offline
    } else if args.stop {
        Mode::StopFirst
    } else if args.online || info.agent_connected {
        Mode::Online
    } else {
        Mode::Undecided
    };
    Ok(CreatePlan {
        namespace: ns,
        vm: vm_name.clone(),
        snapshot,
        analysis,
        mode,
        start_after: args.start_after,
        run_spec: run_spec(&vm),
        failure_deadline: args.failure_deadline.clone(),
        labels: args.labels.iter().cloned().collect(),
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
    })
}

/// The plan as the user reads it before answering.
pub fn describe_plan(plan: &CreatePlan) -> String {
    let a = &plan.analysis;
    let vm = &a.vm;
    let mut status = vm.printable_status.clone();
    if vm.run_state.is_running() {
        status.push_str(if vm.agent_connected {
            ", guest agent connected"
        } else {
            ", no guest agent"
        });
    }
    if let Some(os) = &vm.guest_os {
        status.push_str(&format!(", {os}"));
    }
    let mut out = format!("Snapshot plan for VM {}/{}\n", plan.namespace, plan.vm);
    let handling = match plan.mode {
        Mode::Offline => "the VM is stopped: offline snapshot".to_string(),
        Mode::Online => "snapshot while the VM keeps running".to_string(),
        Mode::StopFirst => {
            let after = if plan.start_after {
                ", then start it again"
            } else {
                ""
            };
            format!("stop the VM, snapshot it offline{after}")
        }
        Mode::Undecided => "to be decided: stop it first, or snapshot it online".to_string(),
    };
    let mut pairs = vec![
        ("Status", status),
        ("Snapshot", plan.snapshot.clone()),
        ("Handling", handling),
        (
            "Consistency",
            plan.expected_consistency().expect().to_string(),
        ),
        ("Estimate", human_bytes(a.size_estimate_bytes)),
    ];
    let storage = storage_lines(a);
    if !storage.is_empty() {
        pairs.push(("CSI storage", storage.join("; ")));
    }
    if matches!(plan.mode, Mode::Online | Mode::Undecided) {
        pairs.push((
            "Online",
            "online snapshots supported: KubeVirt snapshots the VM while it runs".to_string(),
        ));
    }
    out.push_str(&crate::output::key_values(&pairs, 2));
    out.push_str("  Volumes:\n");
    let mut t = Table::new(&[
        "volume",
        "source",
        "storageclass",
        "snapshotclass",
        "size",
        "included",
    ]);
    for v in &a.volumes {
        let source = match (v.source_kind.as_str(), &v.pvc) {
            ("persistentVolumeClaim", Some(p)) => format!("pvc/{p}"),
            ("dataVolume", Some(p)) => format!("dv/{p}"),
            (kind, Some(p)) => format!("{kind}/{p}"),
            (kind, None) => kind.to_string(),
        };
        let included = if v.included {
            "yes".to_string()
        } else {
            format!("no: {}", v.reason.as_deref().unwrap_or("not snapshottable"))
        };
        t.row(vec![
            v.volume.clone(),
            source,
            v.storage_class.clone().unwrap_or_else(|| "-".into()),
            v.snapshot_class.clone().unwrap_or_else(|| "-".into()),
            v.size_bytes.map(human_bytes).unwrap_or_else(|| "-".into()),
            included,
        ]);
    }
    for line in t.render(true).lines() {
        out.push_str(&format!("    {line}\n"));
    }
    for class in retained_classes(a) {
        out.push_str(&format!(
            "  Note: VolumeSnapshotClass {class} has deletionPolicy Retain: deleting the snapshot \
             keeps its volume snapshots' storage on the backend (remove it there too)\n"
        ));
    }
    // The no-agent warning is about online snapshots; moot once the VM is (to be) stopped.
    let online = matches!(plan.mode, Mode::Online | Mode::Undecided);
    for w in a
        .warnings
        .iter()
        .filter(|w| online || !w.starts_with("no guest agent"))
    {
        out.push_str(&format!("  Warning: {w}\n"));
    }
    out
}

/// One entry per CSI driver and VolumeSnapshotClass of the included volumes:
/// "rbd.csi.ceph.com, class ceph-rbd-snapclass (deletionPolicy Delete)".
fn storage_lines(a: &Analysis) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for v in a.volumes.iter().filter(|v| v.included) {
        let (Some(driver), Some(class)) = (&v.driver, &v.snapshot_class) else {
            continue;
        };
        let policy = v.deletion_policy.as_deref().unwrap_or("unknown");
        let line = format!("{driver}, class {class} (deletionPolicy {policy})");
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

/// The VolumeSnapshotClasses of the included volumes whose deletionPolicy is Retain.
fn retained_classes(a: &Analysis) -> Vec<&str> {
    let mut classes: Vec<&str> = Vec::new();
    for v in a.volumes.iter().filter(|v| v.included) {
        if v.deletion_policy.as_deref() == Some("Retain")
            && let Some(c) = v.snapshot_class.as_deref()
            && !classes.contains(&c)
        {
            classes.push(c);
        }
    }
    classes
}

/// Resolves an undecided running state (ask, or refuse), shows the plan, asks to proceed.
pub fn confirm(plan: &mut CreatePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let client_dry_run = ctx.dry_run() == DryRun::Client;
    if plan.mode == Mode::Undecided && (!client_dry_run || ctx.interactive) {
        if !ctx.interactive {
            return Err(UserError::declined(format!(
                "VM {}/{} is running without a guest agent: an online snapshot would only be \
                 crash-consistent",
                plan.namespace, plan.vm
            ))
            .hint("pass --stop to stop it first for a consistent snapshot (add --start-after to start it again)")
            .hint("or --online to accept a crash-consistent snapshot while it runs")
            .into());
        }
        ctx.say(&format!(
            "VM {}/{} is running without a guest agent, so its file systems cannot be frozen.",
            plan.namespace, plan.vm
        ));
        let choice = ctx.ui.select(
            "How should the snapshot be taken?",
            &[
                "stop-and-snapshot (consistent; the VM is down meanwhile)",
                "online (crash-consistent; the VM keeps running)",
                "cancel",
            ],
        )?;
        plan.mode = match choice {
            0 => Mode::StopFirst,
            1 => Mode::Online,
            _ => return Err(UserError::declined("snapshot cancelled; nothing was changed").into()),
        };
        if plan.mode == Mode::StopFirst && !plan.start_after {
            plan.start_after = ctx
                .ui
                .confirm("Start the VM again after the snapshot? (yes/no)")?;
        }
    }
    let text = describe_plan(plan);
    ctx.say(text.trim_end());
    crate::flow::confirm::create_snapshot(ctx, "Proceed? (yes/no)")
}

/// The report for `--dry-run=client`: the planned snapshot.
pub fn dry_run_report(plan: &CreatePlan) -> Report {
    let snapshot = planned_info(plan);
    Report::Create(Box::new(CreateReport {
        kind: "SnapshotCreate",
        dry_run: Some("client".into()),
        analysis: plan.analysis.clone(),
        snapshot,
        vm_state_at_snapshot: plan.analysis.vm.printable_status.clone(),
        stopped_vm: false,
        started_vm: false,
        downtime_seconds: None,
        waited: false,
        next_steps: Vec::new(),
    }))
}

fn planned_info(plan: &CreatePlan) -> SnapshotInfo {
    SnapshotInfo {
        vm_uid: plan.analysis.vm.uid.clone(),
        consistency: plan.expected_consistency(),
        failure_deadline: plan.failure_deadline.clone(),
        labels: plan.labels.clone(),
        ..SnapshotInfo::new(
            &plan.namespace,
            &plan.snapshot,
            &plan.vm,
            SnapshotPhase::Pending,
        )
    }
}

/// Stops if planned, creates the snapshot, follows it, starts the VM again if asked.
pub async fn execute(plan: CreatePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = plan.namespace.clone();
    let server_dry_run = ctx.dry_run() == DryRun::Server;
    // Downtime is measured on the monotonic clock: the injected clock may be fixed.
    let mut stopped_at: Option<Instant> = None;
    let mut vm_state = plan.analysis.vm.printable_status.clone();
    if plan.mode == Mode::StopFirst && !server_dry_run {
        kv.stop_vm(&ns, &plan.vm).await?;
        stopped_at = Some(Instant::now());
        if let Err(e) = common::wait_vm_status(ctx, &ns, &plan.vm, "Stopped", plan.timeout).await {
            let start_cmd = format!("virtctl start {} -n {ns}", plan.vm);
            // A signal before anything irreversible was sent: a VM the user wanted started
            // afterwards is put back as it was.
            if plan.start_after && crate::interrupt::received().is_some() {
                let start = kv.start_vm_as_before(&ns, &plan.vm, &plan.run_spec);
                return Err(common::power_back_on_after_signal(
                    e,
                    "no snapshot was taken",
                    &plan.vm,
                    &ns,
                    start,
                    &start_cmd,
                )
                .await);
            }
            return Err(common::with_hint(
                e,
                format!(
                    "no snapshot was taken; the VM was asked to stop, start it again with: {start_cmd}"
                ),
            ));
        }
        vm_state = "Stopped".to_string();
    }
    let mut obj = kv::build_snapshot(
        &ns,
        &plan.snapshot,
        &plan.vm,
        plan.failure_deadline.as_deref(),
        &plan.labels,
    );
    common::served_api_version(&mut obj, &kv, Kind::VirtualMachineSnapshot);
    let created = match kv.create_snapshot(obj, server_dry_run).await {
        Ok(created) => created,
        Err(e) => {
            // Do not leave the VM down because of a snapshot that was never created.
            if stopped_at.is_some() {
                // After a signal too: the snapshot was not created, nothing is lost by it.
                let started = plan.start_after
                    && crate::interrupt::recover(kv.start_vm_as_before(
                        &ns,
                        &plan.vm,
                        &plan.run_spec,
                    ))
                    .await
                    .is_some_and(|r| r.is_ok());
                ctx.say(&if started {
                    format!("note: VM {ns}/{} was stopped for the snapshot and has been started again", plan.vm)
                } else {
                    format!(
                        "note: VM {ns}/{} was stopped for the snapshot and is still stopped; start it with: virtctl start {} -n {ns}",
                        plan.vm, plan.vm
                    )
                });
            }
            if common::api_code(&e) == Some(409) {
                return Err(UserError::failure(format!(
                    "a snapshot named {} already exists in namespace {ns}",
                    plan.snapshot
                ))
                .hint("choose another name with --name")
                .into());
            }
            return Err(e);
        }
    };
    let mut report = CreateReport {
        kind: "SnapshotCreate",
        dry_run: server_dry_run.then(|| "server".to_string()),
        analysis: plan.analysis.clone(),
        snapshot: kv::snapshot_info(&created, None, &[]),
        vm_state_at_snapshot: vm_state,
        stopped_vm: stopped_at.is_some(),
        started_vm: false,
        downtime_seconds: None,
        waited: false,
        next_steps: next_steps(&plan),
    };
    if server_dry_run {
        report.next_steps.clear();
        return Ok(Report::Create(Box::new(report)));
    }
    if !plan.wait {
        report.next_steps.insert(
            0,
            format!(
                "kubectl vmsnap wait {} -n {ns}   # follow it until ready",
                plan.snapshot
            ),
        );
        return Ok(Report::Create(Box::new(report)));
    }
    let result = common::wait_snapshot(ctx, &ns, &plan.snapshot, plan.timeout, "snapshot").await;
    let follow = format!("kubectl vmsnap wait {} -n {ns}", plan.snapshot);
    let stopped_note = stopped_at.map(|_| {
        format!("the VM was stopped by this command and is still stopped; start it with: virtctl start {} -n {ns}", plan.vm)
    });
    let last = match result? {
        WaitResult::Done(Some(obj)) => obj,
        WaitResult::Done(None) => {
            return Err(UserError::failure(format!(
                "snapshot {} disappeared while it was being taken",
                plan.snapshot
            ))
            .into());
        }
        ended => {
            let phase = match &ended {
                WaitResult::TimedOut(Some(o)) => kv::snapshot_phase_message(o),
                _ => "not seen yet".into(),
            };
            let mut err = common::wait_cut_short(
                ended.timed_out(plan.timeout),
                &format!("snapshot {} to become ready ({phase})", plan.snapshot),
                &format!("snapshot {}", plan.snapshot),
                "the snapshot",
                &follow,
            );
            if let Some(n) = stopped_note {
                err = err.hint(n);
            }
            return Err(err.into());
        }
    };
    report.waited = true;
    let (content, volume_snapshots) = common::content_and_volume_snapshots(&kv, &ns, &last).await;
    report.snapshot = kv::snapshot_info(&last, content.as_ref(), &volume_snapshots);
    if plan.start_after && stopped_at.is_some() {
        let still_stopped = format!(
            "snapshot {} is taken; the VM is still stopped; start it with: virtctl start {} -n {ns}",
            plan.snapshot, plan.vm
        );
        // KubeVirt refuses to start a VM a snapshot still holds, and its controller lets go
        // only after the snapshot has succeeded (another snapshot may take it next).
        common::wait_vm_released(ctx, &ns, &plan.vm, plan.timeout)
            .await
            .map_err(|e| common::with_hint(e, still_stopped.clone()))?;
        if let Err(e) = kv.start_vm_as_before(&ns, &plan.vm, &plan.run_spec).await {
            let why = common::api_message(&e).unwrap_or_else(|| format!("{e:#}"));
            return Err(UserError::failure(format!(
                "failed to start VM {ns}/{} after the snapshot: {why}",
                plan.vm
            ))
            .hint(still_stopped)
            .into());
        }
        common::wait_vm_status(ctx, &ns, &plan.vm, "Running", plan.timeout).await?;
        report.started_vm = true;
        report.downtime_seconds = stopped_at.map(|t| t.elapsed().as_secs());
    } else if stopped_at.is_some() {
        report.next_steps.insert(
            0,
            format!(
                "virtctl start {} -n {ns}   # the VM is still stopped",
                plan.vm
            ),
        );
    }
    if report.snapshot.phase == SnapshotPhase::Failed {
        let msg = report
            .snapshot
            .error
            .clone()
            .unwrap_or_else(|| "no reason given".into());
        let mut err = UserError::failure(format!("snapshot {} failed: {msg}", plan.snapshot));
        for c in report
            .snapshot
            .conditions
            .iter()
            .filter(|c| c.message.is_some())
        {
            err = err.hint(format!(
                "condition {}={}: {}",
                c.type_,
                c.status,
                c.message.as_deref().unwrap_or_default()
            ));
        }
        err = err.hint(format!(
            "see: kubectl vmsnap describe {} -n {ns}",
            plan.snapshot
        ));
        if report.stopped_vm && !report.started_vm {
            err = err.hint(format!(
                "the VM is still stopped; start it with: virtctl start {} -n {ns}",
                plan.vm
            ));
        }
        return Err(err.into());
    }
    Ok(Report::Create(Box::new(report)))
}

fn next_steps(plan: &CreatePlan) -> Vec<String> {
    let ns = &plan.namespace;
    vec![
        format!("kubectl vmsnap list {} -n {ns}", plan.vm),
        format!(
            "kubectl vmsnap restore {} --snapshot {} -n {ns}",
            plan.vm, plan.snapshot
        ),
        format!("kubectl vmsnap delete {} -n {ns}", plan.snapshot),
    ]
}
