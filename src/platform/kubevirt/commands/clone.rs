//! `clone SNAPSHOT --to NEW_VM`: preflight (name free, quota, vTPM), confirm, create the VirtualMachineClone, follow it, report the new VM.

use std::time::Duration;

use super::common;
use crate::cli::{CloneArgs, DryRun};
use crate::cluster::{Step, WaitOptions, WaitResult, wait_json};
use crate::error::UserError;
use crate::flow::Ctx;
use crate::model::SnapshotInfo;
use crate::output::key_values;
use crate::platform::kubevirt::api::clone::{
    CloneInfo, ClonePhase, CloneSpec, Finding, NewVmInputs, Severity, blocked, build_clone,
    clone_info, clone_name, clone_phase_message, preflight_new_vm,
};
use crate::platform::kubevirt::api::resources::CLONE_GROUP;
use crate::platform::kubevirt::api::{self as kv, Kind};
use crate::platform::kubevirt::report::CloneReport;
use crate::platform::kubevirt::report::Report;

/// Everything `clone` will do, decided by reads only.
#[derive(Debug, Clone)]
pub struct ClonePlan {
    /// What to create.
    pub spec: CloneSpec,
    /// The source snapshot (verified ready).
    pub snapshot: SnapshotInfo,
    /// Preflight warnings (blockers refuse in `plan`).
    pub findings: Vec<Finding>,
    /// Follow until the new VM exists.
    pub wait: bool,
    /// How long to follow.
    pub timeout: Duration,
}

/// Reads the snapshot, its content, the target name and the quotas; refuses on any blocker.
pub async fn plan(args: &CloneArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<ClonePlan> {
    let Some(to) = args.to.clone() else {
        return Err(UserError::usage("--to NEW_VM is required: name the new VM").into());
    };
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let client = ctx.conn.client.clone();
    let (snap, target, quotas, allowed) = futures::join!(
        kv.get_snapshot(&ns, &args.snapshot),
        kv.get_vm(&ns, &to),
        kv.list_resource_quotas(&ns),
        common::require_permission(&client, "create", CLONE_GROUP, "virtualmachineclones", &ns)
    );
    let snap = common::require_snapshot(snap?, &ns, &args.snapshot)?;
    allowed?;
    let target_exists = target?.is_some();
    let quotas = quotas?;
    let content = match kv::snapshot_info(&snap, None, &[]).content_name {
        Some(c) => kv.get_content(&ns, &c).await.ok().flatten(),
        None => None,
    };
    let snapshot = kv::snapshot_info(&snap, content.as_ref(), &[]);
    let spec = CloneSpec {
        namespace: ns.clone(),
        name: clone_name(&to, ctx.clock.now()),
        snapshot: snapshot.name.clone(),
        target: to.clone(),
        new_mac_addresses: args.new_mac_addresses.iter().cloned().collect(),
        label_filters: args.label_filters.clone(),
        annotation_filters: args.annotation_filters.clone(),
        ..CloneSpec::default()
    };
    let findings = preflight_new_vm(&NewVmInputs {
        namespace: &ns,
        target: &to,
        target_exists,
        snapshot: &snapshot,
        content: content.as_ref(),
        quotas: quotas.as_deref(),
        new_mac_addresses: &spec.new_mac_addresses,
    });
    if blocked(&findings) {
        let mut blockers = findings.iter().filter(|f| f.severity == Severity::Blocker);
        let first = blockers
            .next()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        let mut err = UserError::failure(format!(
            "cannot create VM {ns}/{} from snapshot {}: {first}",
            to, snapshot.name
        ));
        for f in findings.iter().filter(|f| f.severity == Severity::Blocker) {
            if f.message != first {
                err = err.hint(f.message.clone());
            }
            if let Some(h) = &f.hint {
                err = err.hint(h.clone());
            }
        }
        return Err(err.hint("nothing was created").into());
    }
    Ok(ClonePlan {
        spec,
        snapshot,
        findings,
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
    })
}

/// The plan as the user reads it before answering.
pub fn describe_plan(plan: &ClonePlan, now: jiff::Timestamp) -> String {
    let s = &plan.snapshot;
    let spec = &plan.spec;
    let taken = match s.creation_time.or(s.created) {
        Some(t) => format!("{t} ({} ago)", crate::model::age::age(Some(t), now)),
        None => "an unknown time".to_string(),
    };
    let list = |v: &[String]| {
        if v.is_empty() {
            "all (KubeVirt's default)".to_string()
        } else {
            v.join(" ")
        }
    };
    let macs = if spec.new_mac_addresses.is_empty() {
        "new ones for every interface".to_string()
    } else {
        let given: Vec<String> = spec
            .new_mac_addresses
            .iter()
            .map(|(i, m)| format!("{i}={m}"))
            .collect();
        format!("{}; new ones for the others", given.join(", "))
    };
    let mut out = format!("Clone plan: new VM {}/{}\n", spec.namespace, spec.target);
    out.push_str(&key_values(
        &[
            (
                "From snapshot",
                format!("{} of VM {}, taken {taken}", s.name, s.vm),
            ),
            ("Consistency", s.consistency.label().to_string()),
            (
                "Disks",
                if s.included_volumes.is_empty() {
                    "restored from the snapshot into new PVCs".to_string()
                } else {
                    format!("{} restored into new PVCs", s.included_volumes.join(", "))
                },
            ),
            ("MAC addresses", macs),
            ("Labels copied", list(&spec.label_filters)),
            ("Annotations copied", list(&spec.annotation_filters)),
            ("VirtualMachineClone", spec.name.clone()),
        ],
        2,
    ));
    for f in &plan.findings {
        out.push_str(&format!("  Warning: {}\n", f.message));
    }
    out
}

/// Shows the plan and asks.
pub fn confirm(plan: &ClonePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let text = describe_plan(plan, ctx.clock.now());
    ctx.say(text.trim_end());
    crate::flow::confirm::yes_no(
        ctx,
        &format!("Create VM {}? (yes/no)", plan.spec.target),
        "pass --yes to create the VM without asking",
        "clone cancelled; nothing was created",
    )
}

fn planned_info(plan: &ClonePlan) -> CloneInfo {
    CloneInfo {
        namespace: plan.spec.namespace.clone(),
        name: plan.spec.name.clone(),
        source_kind: "VirtualMachineSnapshot".to_string(),
        source_name: plan.spec.snapshot.clone(),
        target: Some(plan.spec.target.clone()),
        phase: ClonePhase::Pending,
        snapshot_name: None,
        restore_name: None,
        creation_time: None,
        conditions: Vec::new(),
        error: None,
    }
}

fn report(plan: &ClonePlan, clone: CloneInfo, dry_run: Option<&str>) -> CloneReport {
    CloneReport {
        kind: "SnapshotClone",
        dry_run: dry_run.map(str::to_string),
        clone,
        vm: None,
        findings: plan.findings.clone(),
        waited: false,
        next_steps: Vec::new(),
    }
}

/// The report for `--dry-run=client`.
pub fn dry_run_report(plan: &ClonePlan) -> Report {
    Report::Clone(Box::new(report(plan, planned_info(plan), Some("client"))))
}

/// Creates the VirtualMachineClone and follows its phases until the new VM exists.
pub async fn execute(plan: ClonePlan, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = plan.spec.namespace.clone();
    let target = plan.spec.target.clone();
    let server = ctx.dry_run() == DryRun::Server;
    if let Err(e) = super::restore::recheck_source(&kv, &plan.snapshot, "clone").await {
        return Err(common::with_hint(
            e,
            format!("nothing was created: VM {ns}/{target} does not exist"),
        ));
    }
    let created = match kv.create_clone(build_clone(&plan.spec), server).await {
        Ok(c) => c,
        Err(e) if common::api_code(&e) == Some(409) => {
            return Err(UserError::failure(format!(
                "a VirtualMachineClone named {} already exists in namespace {ns}",
                plan.spec.name
            ))
            .hint("wait a second and run the command again (the name carries the time)")
            .into());
        }
        Err(e) => return Err(e),
    };
    let mut out = report(&plan, clone_info(&created), server.then_some("server"));
    let follow = format!(
        "kubectl get virtualmachineclone {} -n {ns} -w",
        plan.spec.name
    );
    if server {
        return Ok(Report::Clone(Box::new(out)));
    }
    if !plan.wait {
        out.next_steps
            .push(format!("{follow}   # follow the clone"));
        return Ok(Report::Clone(Box::new(out)));
    }
    let api = kv.api(Kind::VirtualMachineClone, Some(&ns));
    let mut progress = ctx.progress(&format!("Creating VM {target} from {}", plan.snapshot.name));
    let result = wait_json(
        api,
        &plan.spec.name,
        WaitOptions::new(plan.timeout),
        progress.as_mut(),
        |obj| match obj {
            None => Step::Continue(format!("Waiting for clone {}", plan.spec.name)),
            Some(v) => {
                let info = clone_info(v);
                if info.phase.is_terminal() {
                    Step::Done
                } else {
                    Step::Continue(format!("VM {target}: {}", clone_phase_message(&info)))
                }
            }
        },
    )
    .await;
    progress.finish();
    let info = match result? {
        WaitResult::Done(Some(obj)) => clone_info(&obj),
        WaitResult::Done(None) => {
            return Err(UserError::failure(format!(
                "clone {} disappeared before it finished",
                plan.spec.name
            ))
            .hint(format!(
                "check for the VM with: kubectl get vm {target} -n {ns}"
            ))
            .into());
        }
        WaitResult::TimedOut(last) => {
            let phase = last
                .map(|o| clone_phase_message(&clone_info(&o)))
                .unwrap_or_else(|| "not seen yet".to_string());
            let waiting_for = format!("clone {} ({phase})", plan.spec.name);
            return Err(
                common::wait_timed_out(plan.timeout, &waiting_for, "the clone", &follow).into(),
            );
        }
        WaitResult::Interrupted(_) => {
            let following = format!("clone {}", plan.spec.name);
            return Err(common::wait_stopped(&following, "the clone", &follow).into());
        }
    };
    out.waited = true;
    out.clone = info.clone();
    if info.phase == ClonePhase::Failed {
        return Err(UserError::failure(format!(
            "clone {} failed: {}",
            plan.spec.name,
            info.error.as_deref().unwrap_or("no reason given")
        ))
        .hint(format!(
            "see: kubectl describe virtualmachineclone {} -n {ns}",
            plan.spec.name
        ))
        .into());
    }
    let vm_name = info.target.clone().unwrap_or_else(|| target.clone());
    if let Ok(Some(v)) = kv.get_vm(&ns, &vm_name).await {
        let vm = kv::vm_info(&v, None);
        if vm.run_state.is_stopped() {
            out.next_steps.push(format!(
                "virtctl start {vm_name} -n {ns}   # start the new VM"
            ));
        }
        out.vm = Some(vm);
    }
    out.next_steps
        .push(format!("kubectl vmsnap check {vm_name} -n {ns}"));
    Ok(Report::Clone(Box::new(out)))
}
