//! `clone SOURCE` on Deckhouse: a new VM from a Ready VM snapshot
//! (VirtualMachineSnapshotOperation CreateVirtualMachine) or, with `--from-vm`, from a
//! powered-off VM (VirtualMachineOperation Clone). Names come from `--to` (the VM's own
//! name), `--name-replacement`, `--prefix`, `--suffix`; a DryRun operation shows conflicts
//! before the question.

use serde_json::Value;

use super::dry_run_summary;
use super::restore::{conflict_lines, mode_of, mode_text};
use super::{
    Ctx, create_operation, finding_lines, operation_message, operation_name, operation_phase,
    refuse_blocked, require, require_permission, say_plan_not_run, wait_op,
};
use crate::cli::{CloneArgs, DryRun};
use crate::cluster::json::{name, str_at};
use crate::error::UserError;
use crate::flow::{common, confirm};
use crate::output::key_values;
use crate::platform::deckhouse::api::operations::{
    ConflictKind, DryRunPreview, active_operation_message, dry_run_preview,
};
use crate::platform::deckhouse::api::preflight::{self, Finding, blocked};
use crate::platform::deckhouse::api::{
    CloneNaming, Deckhouse, Kind, NameReplacement, OperationMode, OperationPhase, ResourceStatus,
    build_clone, build_create_vm, is_clone_temporary, operation_info, snapshot_details, vm_disks,
};
use crate::platform::deckhouse::report::{Report, SnapshotClone};

/// Where the clone comes from.
enum Source {
    Vm { vm: Value },
    Snapshot { snap: Value },
}

impl Source {
    fn kind(&self) -> Kind {
        match self {
            Source::Vm { .. } => Kind::VirtualMachineOperation,
            Source::Snapshot { .. } => Kind::VirtualMachineSnapshotOperation,
        }
    }

    fn build(
        &self,
        ns: &str,
        op: &str,
        naming: &CloneNaming,
        mode: OperationMode,
    ) -> Result<Value, String> {
        match self {
            Source::Vm { vm } => build_clone(ns, op, name(vm), naming, mode),
            Source::Snapshot { snap } => build_create_vm(ns, op, name(snap), naming, mode),
        }
    }
}

/// A `--name-replacement` suggestion for a disk whose name the clone would keep.
fn disk_rename_hint(source_vm: &str, new_vm: &str, disk: &str) -> String {
    let renamed = match disk.strip_prefix(source_vm) {
        Some(rest) if !rest.is_empty() => format!("{new_vm}{rest}"),
        _ => format!("{new_vm}-{disk}"),
    };
    format!("--name-replacement VirtualDisk/{disk}={renamed}")
}

/// A clone decided by reads: where from, the names, what the preflight found.
struct ClonePlan {
    ns: String,
    source: Source,
    /// The snapshot's (or VM's) name as given.
    source_name: String,
    /// The VM the clone copies.
    source_vm: String,
    disks: Vec<String>,
    findings: Vec<Finding>,
    naming: CloneNaming,
    new_vm: String,
    mode: OperationMode,
    /// The preview's lines known before the dry run.
    pairs: Vec<(&'static str, String)>,
    /// The runPolicy the new VM gets (copied from the source), when it could be read.
    run_policy: Option<String>,
}

/// `clone`: plan (reads), DryRun operation and preview, question, then the operation.
pub(super) async fn run(args: &CloneArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let plan = plan(args, ctx).await?;
    let ClonePlan {
        ns,
        source,
        source_name,
        source_vm,
        disks,
        findings,
        naming,
        new_vm,
        mode,
        pairs,
        run_policy,
    } = &plan;
    let (mode, mut pairs) = (*mode, pairs.clone());
    if blocked(findings) {
        let mut text = format!("Clone plan in namespace {ns}\n");
        text.push_str(&key_values(&pairs, 2));
        text.push_str(&finding_lines(findings));
        ctx.say(text.trim_end());
        return Err(refuse_blocked(
            format!("a new VM cannot be created from {source_name} now"),
            findings,
            vec![format!(
                "check it with: kubectl vmsnap describe {source_name} -n {ns}"
            )],
        ));
    }
    let mut report = SnapshotClone {
        created: None,
        dry_run: None,
        dry_run_operation: None,
        from_vm: args.from_vm,
        kind: "SnapshotClone",
        mode: mode.as_str(),
        namespace: ns.clone(),
        next_steps: None,
        operation: None,
        platform: "deckhouse",
        result: None,
        source: source_name.clone(),
        vm: new_vm.clone(),
        origin: match source {
            Source::Vm { .. } => format!("cloned from VM {source_vm}"),
            Source::Snapshot { .. } => {
                format!("created from snapshot {source_name} of VM {source_vm}")
            }
        },
        operation_kind: source.kind(),
        run_policy: None,
    };
    let heading = format!("Clone plan in namespace {ns}");
    if ctx.dry_run() == DryRun::Client {
        let why = "--dry-run=client writes nothing (use --dry-run=server to run Deckhouse's DryRun operation)";
        say_plan_not_run(ctx, &heading, &pairs, why, findings);
        report.dry_run = Some("client");
        return Ok(Report::Clone(Box::new(report)));
    }
    // Without a terminal (and without --yes) the answer is no before any write: refuse
    // before the DryRun operation rather than after it.
    let yes_hint = "pass --yes to create the VM without asking";
    if let Some(Err(e)) = confirm::yes_no_without_asking(ctx, yes_hint) {
        let why = "the clone cannot be confirmed, so nothing is written";
        say_plan_not_run(ctx, &heading, &pairs, why, findings);
        return Err(common::with_hint(e, "nothing was created".into()));
    }
    let now = ctx.clock.now();
    let op_kind = source.kind();
    let dry_name = operation_name(new_vm, "clone-dryrun", now);
    let dry_obj = source
        .build(ns, &dry_name, naming, OperationMode::DryRun)
        .map_err(UserError::usage)?;
    let created = create_operation(dh, op_kind, dry_obj).await?;
    let dry_name = name(&created).to_owned();
    let dry = wait_op(
        ctx,
        op_kind,
        ns,
        &dry_name,
        args.follow.timeout,
        "Checking the clone (dry run)",
    )
    .await?;
    let preview = dry_run_preview(&dry);
    if operation_phase(&dry) == OperationPhase::Failed && preview.conflicts.is_empty() {
        return Err(UserError::failure(format!(
            "the dry run of the clone failed: {}",
            operation_message(&dry)
        ))
        .hint(format!(
            "see: kubectl describe {} {dry_name} -n {ns}",
            op_kind.qualified()
        ))
        .hint("nothing was created")
        .into());
    }
    pairs.push(("Dry run", dry_run_summary(&dry_name, &preview)));
    let mut text = format!("{heading}\n");
    text.push_str(&key_values(&pairs, 2));
    text.push_str(&conflict_lines(&preview, mode));
    text.push_str(&finding_lines(findings));
    ctx.say(text.trim_end());
    let kept = format!(
        "nothing was created: the only object made is the DryRun operation {dry_name} (Deckhouse deletes finished operations after 24h)"
    );
    if !preview.passes(mode) {
        return Err(refuse_conflicts(
            &preview, mode, source_vm, new_vm, disks, naming, kept,
        ));
    }
    if let Err(e) = confirm::yes_no(
        ctx,
        &create_question(new_vm, run_policy.as_deref()),
        yes_hint,
        "clone cancelled; nothing was created",
    ) {
        return Err(common::with_hint(e, kept));
    }
    report.dry_run_operation = Some(operation_info(&dry));
    if ctx.dry_run() == DryRun::Server {
        report.dry_run = Some("server");
        return Ok(Report::Clone(Box::new(report)));
    }
    execute(&plan, args, report, now, ctx).await
}

/// Reads and checks: the source (a Ready snapshot, or a powered-off VM with no operation
/// running), permissions, and the new names.
async fn plan(args: &CloneArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<ClonePlan> {
    let dh = &ctx.deckhouse();
    let ns = ctx.namespace.clone();
    let mut replacements = Vec::new();
    for r in &args.name_replacements {
        replacements.push(r.parse::<NameReplacement>().map_err(|e| {
            UserError::usage(e).hint("e.g. --name-replacement vd/web-root=web2-root")
        })?);
    }
    let mode = mode_of(args.mode);
    let source_name = args.snapshot.clone();
    let (source, source_vm, disks, findings) = if args.from_vm {
        let vm = require(
            Kind::VirtualMachine,
            dh.get(Kind::VirtualMachine, &ns, &source_name).await?,
            &ns,
            &source_name,
        )?;
        let phase = str_at(&vm, "/status/phase").unwrap_or("Pending").to_owned();
        if phase != "Stopped" {
            return Err(UserError::failure(format!(
                "VM {ns}/{source_name} is {phase}: --from-vm clones a powered-off VM only"
            ))
            .hint(format!(
                "stop it first (d8 v stop {source_name} -n {ns}), then run the clone again"
            ))
            .hint(format!(
                "or clone it without stopping it, from a snapshot: kubectl vmsnap create {source_name} -n {ns}, then kubectl vmsnap clone SNAPSHOT --to NEW_VM -n {ns}"
            ))
            .hint("nothing was changed")
            .into());
        }
        if let Some(op) = dh.active_operation(&ns, &source_name).await? {
            return Err(
                UserError::failure(active_operation_message(&source_name, &op))
                    .hint("nothing was changed; clone once it has finished")
                    .into(),
            );
        }
        require_permission(ctx, "create", Kind::VirtualMachineOperation, &ns).await?;
        let findings = preflight::clone_vm(&vm);
        let disks = vm_disks(&vm);
        (Source::Vm { vm }, source_name.clone(), disks, findings)
    } else {
        let snap = require(
            Kind::VirtualMachineSnapshot,
            dh.get(Kind::VirtualMachineSnapshot, &ns, &source_name)
                .await?,
            &ns,
            &source_name,
        )?;
        if is_clone_temporary(&snap) {
            return Err(UserError::failure(format!(
                "{source_name} is the temporary snapshot of a clone operation, deleted when that clone finishes"
            ))
            .hint("clone from a snapshot of your own: kubectl vmsnap create VM, then kubectl vmsnap clone SNAPSHOT --to NEW_VM")
            .into());
        }
        require_permission(ctx, "create", Kind::VirtualMachineSnapshotOperation, &ns).await?;
        let findings = preflight::create_vm(&snap);
        let vm = str_at(&snap, "/spec/virtualMachineName")
            .unwrap_or("")
            .to_owned();
        let disks = snapshot_details(&snap)
            .resources
            .into_iter()
            .filter(|r| r.kind == "VirtualDisk")
            .map(|r| r.name)
            .collect();
        (Source::Snapshot { snap }, vm, disks, findings)
    };
    if let Some(to) = &args.to {
        replacements.push(NameReplacement {
            kind: Some("VirtualMachine".into()),
            from: source_vm.clone(),
            to: to.clone(),
        });
    }
    let naming = CloneNaming {
        replacements,
        prefix: args.prefix.clone(),
        suffix: args.suffix.clone(),
    };
    naming.validate().map_err(UserError::usage)?;
    let new_vm = naming.apply("VirtualMachine", &source_vm);
    let renames: Vec<String> = disks
        .iter()
        .map(|d| {
            let n = naming.apply("VirtualDisk", d);
            if &n == d {
                format!("{d} (unchanged)")
            } else {
                format!("{d} → {n}")
            }
        })
        .collect();
    let source_text = match &source {
        Source::Vm { .. } => format!("VM {source_vm} (Stopped)"),
        Source::Snapshot { snap } => format!(
            "snapshot {source_name} of VM {source_vm} ({})",
            str_at(snap, "/status/phase").unwrap_or("Pending")
        ),
    };
    let policy = match &source {
        Source::Vm { vm } => Some(preflight::run_policy(vm).to_owned()),
        Source::Snapshot { snap } => saved_run_policy(dh, &ns, snap).await,
    };
    let pairs = vec![
        ("Source", source_text),
        ("New VM", new_vm.clone()),
        (
            "Disks",
            if renames.is_empty() {
                "<none>".into()
            } else {
                renames.join(", ")
            },
        ),
        ("Mode", mode_text(mode)),
        (
            "Not copied",
            "the IP and MAC addresses (the clone gets new ones) and the VM's labels; its runPolicy is copied".into(),
        ),
        ("Starts", starts_text(policy.as_deref(), &source_vm)),
    ];
    Ok(ClonePlan {
        ns,
        source,
        source_name,
        source_vm,
        disks,
        findings,
        naming,
        new_vm,
        mode,
        pairs,
        run_policy: policy,
    })
}

/// The real operation, followed, and the report.
async fn execute(
    plan: &ClonePlan,
    args: &CloneArgs,
    mut report: SnapshotClone,
    now: jiff::Timestamp,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let ClonePlan {
        ns,
        source,
        source_name,
        naming,
        new_vm,
        mode,
        ..
    } = plan;
    let (ns, new_vm, mode) = (ns.as_str(), new_vm.as_str(), *mode);
    let op_kind = source.kind();
    let op_name = operation_name(new_vm, "clone", now);
    let obj = source
        .build(ns, &op_name, naming, mode)
        .map_err(UserError::usage)?;
    let created = create_operation(dh, op_kind, obj).await?;
    let op_name = name(&created).to_owned();
    report.operation = Some(op_name.clone());
    let follow_cmd = format!("kubectl get {} {op_name} -n {ns} -w", op_kind.qualified());
    if !args.follow.should_wait() {
        report.next_steps = Some(vec![follow_cmd]);
        return Ok(Report::Clone(Box::new(report)));
    }
    let op = wait_op(
        ctx,
        op_kind,
        ns,
        &op_name,
        args.follow.timeout,
        &format!("Cloning {source_name} into {new_vm}"),
    )
    .await?;
    let info = operation_info(&op);
    if info.phase != OperationPhase::Completed {
        return Err(super::operation_failed(&op, &format!("clone {op_name}"))
            .hint(format!(
                "see: kubectl describe {} {op_name} -n {ns}",
                op_kind.qualified()
            ))
            .into());
    }
    let made: Vec<String> = info
        .resources
        .iter()
        .filter(|r| r.status == ResourceStatus::Completed)
        .map(|r| format!("{} {}", r.kind, r.name))
        .collect();
    // What the new VM does now follows from the runPolicy it was given (copied).
    let policy = dh
        .get(Kind::VirtualMachine, ns, new_vm)
        .await?
        .map(|vm| preflight::run_policy(&vm).to_owned());
    let started = policy.as_deref().is_some_and(preflight::starts_on_creation);
    let steps = vec![
        format!("kubectl get vm {new_vm} -n {ns}"),
        if started {
            format!(
                "d8 v stop {new_vm} -n {ns}   # it started at once: stop it until the guest is prepared"
            )
        } else {
            format!("d8 v start {new_vm} -n {ns}   # once the guest is prepared")
        },
    ];
    report.run_policy = policy;
    report.result = Some(info);
    report.created = Some(made);
    report.next_steps = Some(steps);
    Ok(Report::Clone(Box::new(report)))
}

/// The question, which repeats that an always-on clone runs as soon as it is created.
fn create_question(new_vm: &str, policy: Option<&str>) -> String {
    match policy {
        Some(p) if preflight::starts_on_creation(p) => {
            format!("Create VM {new_vm}? It starts at once (runPolicy {p}). (yes/no)")
        }
        _ => format!("Create VM {new_vm}? (yes/no)"),
    }
}

/// The plan's word on whether the clone starts as soon as it exists: the clone and
/// CreateVirtualMachine operations copy the runPolicy and take none of their own
/// (`VirtualMachineOperationCloneSpec`, `VMSOPCreateVirtualMachineSpec` in deckhouse/virtualization
/// `api/core/v1alpha2`), so only the source's runPolicy can keep it stopped.
fn starts_text(policy: Option<&str>, source_vm: &str) -> String {
    match policy {
        Some(p) if preflight::starts_on_creation(p) => format!(
            "at once: runPolicy {p} is copied, so a byte-for-byte copy of {source_vm} is live on the \
             network as soon as it exists (same machine identity, new IP and MAC); to have it \
             stopped, clone a source whose runPolicy is Manual or AlwaysOff"
        ),
        Some(p) => format!("no: runPolicy {p} is copied; start it once the guest is prepared"),
        None => format!(
            "as the runPolicy saved with {source_vm} says (it could not be read): at once unless \
             it is Manual or AlwaysOff"
        ),
    }
}

/// The runPolicy of the VM saved in a snapshot (its Secret's `vm` manifest, deckhouse/
/// virtualization `pkg/controller/service/restorer/keys.go`); None when it cannot be read.
async fn saved_run_policy(dh: &Deckhouse, ns: &str, snap: &Value) -> Option<String> {
    let secret = snapshot_details(snap).secret?;
    let api: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(dh.client().clone(), &crate::cluster::path_segment(ns));
    let secret = api
        .get_opt(&crate::cluster::path_segment(&secret))
        .await
        .ok()??;
    let vm: Value = serde_json::from_slice(&secret.data?.get("vm")?.0).ok()?;
    Some(preflight::run_policy(&vm).to_owned())
}

/// The refusal when the dry run found conflicts `mode` does not go past.
fn refuse_conflicts(
    preview: &DryRunPreview,
    mode: OperationMode,
    source_vm: &str,
    new_vm: &str,
    disks: &[String],
    naming: &CloneNaming,
    kept: String,
) -> anyhow::Error {
    let blocking = preview.blocking(mode);
    let mut err = super::conflicts_refusal("the clone", &blocking);
    // Disks that keep their names collide with the source's own disks.
    let kept_names: Vec<String> = disks
        .iter()
        .filter(|d| {
            naming.apply("VirtualDisk", d) == **d
                && blocking
                    .iter()
                    .any(|c| c.conflict == ConflictKind::NameTaken && &c.name == *d)
        })
        .map(|d| disk_rename_hint(source_vm, new_vm, d))
        .collect();
    if !kept_names.is_empty() {
        err = err.hint(format!(
            "the clone keeps the disks' names unless told otherwise: add {} (or give --prefix/--suffix)",
            kept_names.join(" ")
        ));
    }
    err.hint(kept).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_disk_name_gets_a_rename_suggestion_after_the_new_vm() {
        assert_eq!(
            disk_rename_hint("linux-vm", "linux-vm-2", "linux-vm-root"),
            "--name-replacement VirtualDisk/linux-vm-root=linux-vm-2-root"
        );
        assert_eq!(
            disk_rename_hint("db", "db2", "data"),
            "--name-replacement VirtualDisk/data=db2-data"
        );
    }
}
