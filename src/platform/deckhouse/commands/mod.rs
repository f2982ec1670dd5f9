//! The commands on Deckhouse Virtualization: VM and disk snapshots, restores and clones
//! through operations with a dry run first.
//!
//! One file per command; this module holds what they share: permission checks worded for
//! Deckhouse, required lookups, following an object with a spinner, power operations, dry-run
//! creation. Each returns its typed report (`deckhouse::report`).

mod check;
mod clone;
mod create;
mod delete;
mod describe;
mod list;

pub(crate) use list::watch as list_watch;
mod prune;
mod restore;
mod restore_disk;
mod wait;

use std::time::Duration;

use serde_json::Value;

use crate::cli::Command;
use crate::cluster::json::{name, str_at};
use crate::cluster::{Step, WaitResult};
use crate::error::UserError;
use crate::flow::{Ctx, common};
use crate::names::go_duration;
use crate::platform::deckhouse::api::operations::{Conflict, DryRunPreview, dry_run_preview};
use crate::platform::deckhouse::api::resources::GROUP;
use crate::platform::deckhouse::api::{Deckhouse, Kind, OperationPhase, phase_message};
use crate::platform::deckhouse::report::Report;

/// Runs `command` against Deckhouse Virtualization.
pub(crate) async fn run(command: &Command, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    match command {
        Command::Create(a) if a.disk.is_some() => create::disk(a, ctx).await,
        Command::Create(a) => create::vm(a, ctx).await,
        Command::List(a) => list::run(a, ctx).await,
        Command::Describe(a) => describe::run(a, ctx).await,
        Command::Wait(a) => wait::run(a, ctx).await,
        Command::Delete(a) => delete::run(a, ctx).await,
        Command::Restore(a) => restore::run(a, ctx).await,
        Command::RestoreDisk(a) => restore_disk::run(a, ctx).await,
        Command::Clone(a) => clone::run(a, ctx).await,
        Command::Check(a) => check::run(a, ctx).await,
        Command::Prune(a) => prune::run(a, ctx).await,
        _ => Err(crate::platform::capability::DECKHOUSE
            .not_offered(command)
            .into()),
    }
}

impl Ctx<'_> {
    /// Deckhouse Virtualization over the command's connection (only Deckhouse's commands call
    /// it: `app` sends each platform to its own commands).
    pub fn deckhouse(&self) -> Deckhouse {
        Deckhouse::new(self.conn.client.clone(), ())
    }
}

/// Refuses (exit 6) before any question when the user may not `verb` `kind` in `ns`.
async fn require_permission(ctx: &Ctx<'_>, verb: &str, kind: Kind, ns: &str) -> anyhow::Result<()> {
    common::require_permission(&ctx.conn.client, verb, GROUP, kind.plural(), ns).await
}

/// The object, or exit 5 with the command that lists that kind.
fn require(kind: Kind, got: Option<Value>, ns: &str, name_: &str) -> anyhow::Result<Value> {
    got.ok_or_else(|| not_found(kind, ns, name_))
}

/// Exit 5: `kind` `name_` does not exist, with the command that lists that kind.
fn not_found(kind: Kind, ns: &str, name_: &str) -> anyhow::Error {
    let list = match kind {
        Kind::VirtualMachineSnapshot => format!("kubectl vmsnap list -n {ns}"),
        Kind::VirtualDiskSnapshot => format!("kubectl vmsnap list --disks -n {ns}"),
        other => format!("kubectl get {} -n {ns}", other.qualified()),
    };
    UserError::not_found(format!(
        "{} \"{name_}\" not found in namespace \"{ns}\"",
        kind.kind()
    ))
    .hint(format!("list them with: {list}"))
    .into()
}

/// An operation's name: `<vm>-<what>-<UTC time>` (as generated snapshot names are), within
/// 63 characters. Deterministic, so transcripts and logs can name it.
fn operation_name(subject: &str, what: &str, now: jiff::Timestamp) -> String {
    let suffix = format!("{what}-{}", crate::flow::safety::timestamp_suffix(now));
    crate::flow::safety::fit_name(subject, &suffix, 63)
}

/// Creates an operation (VirtualMachineOperation or VirtualMachineSnapshotOperation) named
/// `base`, or `base-2`, `base-3`, … when an earlier run in the same second took the name.
async fn create_operation(dh: &Deckhouse, kind: Kind, mut obj: Value) -> anyhow::Result<Value> {
    let base = name(&obj).to_owned();
    for i in 1..=20 {
        if i > 1 {
            obj["metadata"]["name"] = Value::String(format!("{base}-{i}"));
        }
        let got = match kind {
            Kind::VirtualMachineOperation => dh.create_operation(obj.clone(), false).await,
            _ => dh.create(kind, obj.clone(), false).await,
        };
        match got {
            Err(e) if common::api_code(&e) == Some(409) => continue,
            other => return other,
        }
    }
    Err(UserError::failure(format!(
        "could not find a free name for the {} {base}",
        kind.kind()
    ))
    .into())
}

/// The refusal when a dry run found `blocking` conflicts: `WHAT would fail: …`, then a hint
/// naming each (the plan above explains them).
fn conflicts_refusal(what: &str, blocking: &[&Conflict]) -> UserError {
    let err = UserError::failure(format!(
        "{what} would fail: the dry run found {} conflict(s)",
        blocking.len()
    ));
    blocking.iter().fold(err, |err, c| {
        err.hint(format!("{} {}: {}", c.kind, c.name, c.message))
    })
}

/// Follows one object of `kind` with a spinner until `check` says Done; the object comes
/// back as plain JSON.
#[allow(clippy::too_many_arguments)] // each is one fact of the wait; a struct would only rename them
async fn follow(
    ctx: &mut Ctx<'_>,
    kind: Kind,
    ns: &str,
    name_: &str,
    timeout: Duration,
    title: &str,
    check: impl FnMut(Option<&Value>) -> Step,
) -> anyhow::Result<WaitResult<Value>> {
    let dh = &ctx.deckhouse();
    common::follow_json(ctx, dh.api(kind, Some(ns)), name_, timeout, title, check).await
}

/// A step that waits for an operation (VirtualMachineOperation or
/// VirtualMachineSnapshotOperation) to finish, showing its condition message.
fn operation_step(what: &str) -> impl FnMut(Option<&Value>) -> Step + '_ {
    move |obj| match obj {
        None => Step::Continue(format!("{what}: waiting for the operation to appear")),
        Some(v) if operation_phase(v).is_finished() => Step::Done,
        Some(v) => Step::Continue(format!("{what}: {}", phase_message(v))),
    }
}

fn operation_phase(v: &Value) -> OperationPhase {
    OperationPhase::from_status(str_at(v, "/status/phase"))
}

/// Follows an operation until it finishes; timeout exit 4, Ctrl-C exit 130.
async fn wait_op(
    ctx: &mut Ctx<'_>,
    kind: Kind,
    ns: &str,
    op: &str,
    timeout: std::time::Duration,
    title: &str,
) -> anyhow::Result<Value> {
    let result = follow(ctx, kind, ns, op, timeout, title, operation_step(title)).await?;
    let follow_cmd = format!("kubectl get {} {op} -n {ns} -w", kind.qualified());
    match result {
        WaitResult::Done(Some(v)) => Ok(v),
        WaitResult::Done(None) => {
            Err(UserError::failure(format!("operation {op} disappeared before it finished")).into())
        }
        ended => {
            let what = format!("operation {op}");
            let timed_out = ended.timed_out(timeout);
            Err(common::wait_cut_short(timed_out, &what, &what, "it", &follow_cmd).into())
        }
    }
}

/// The Completed condition's message of a finished operation, for errors.
fn operation_message(op: &Value) -> String {
    crate::platform::deckhouse::api::operation_info(op)
        .message
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("phase {}", str_at(op, "/status/phase").unwrap_or("Unknown")))
}

/// The error for operation `op` that ended without completing: `what` failed with
/// Deckhouse's message, and a hint per conflict it reported.
fn operation_failed(op: &Value, what: &str) -> UserError {
    let err = UserError::failure(format!("{what} failed: {}", operation_message(op)));
    dry_run_preview(op)
        .conflicts
        .iter()
        .fold(err, |err, c| err.hint(c.explain()))
}

/// The hint after a signal stopped the wait for a Stop operation this command asked for.
/// The VM is not put back: Deckhouse refuses a Start while the Stop is unfinished (a Start
/// never supersedes a Stop: deckhouse/virtualization `pkg/controller/vmop/supersede/supersede.go`),
/// so the plugin says what continues and how to start it afterwards.
fn stop_continues_hint(
    err: anyhow::Error,
    nothing_done: &str,
    ns: &str,
    vm: &str,
) -> anyhow::Error {
    if crate::interrupt::received().is_none() {
        return err;
    }
    common::with_hint(
        err,
        format!(
            "{nothing_done}; the Stop operation continues on the cluster and a Start is refused \
             until it finishes: once VM {ns}/{vm} is Stopped, start it with: d8 v start {vm} -n {ns}"
        ),
    )
}

/// Asks for a Start operation of `vm` without following it.
async fn request_start(
    dh: &Deckhouse,
    ns: &str,
    vm: &str,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    let op = operation_name(vm, "start", now);
    let obj = crate::platform::deckhouse::api::build_power(ns, &op, vm, true);
    create_operation(dh, Kind::VirtualMachineOperation, obj)
        .await
        .map(|_| ())
}

/// Starts or stops `vm` through a VirtualMachineOperation and waits until it completes.
async fn power(
    ctx: &mut Ctx<'_>,
    ns: &str,
    vm: &str,
    start: bool,
    timeout: Duration,
) -> anyhow::Result<()> {
    let dh = &ctx.deckhouse();
    let verb = if start { "start" } else { "stop" };
    let op = operation_name(vm, verb, ctx.clock.now());
    let obj = crate::platform::deckhouse::api::build_power(ns, &op, vm, start);
    let created = create_operation(dh, Kind::VirtualMachineOperation, obj).await?;
    let op = name(&created).to_owned();
    let title = format!("{} VM {vm}", if start { "Starting" } else { "Stopping" });
    let result = follow(
        ctx,
        Kind::VirtualMachineOperation,
        ns,
        &op,
        timeout,
        &title,
        operation_step(&title),
    )
    .await?;
    let follow_cmd = format!("kubectl get vmop {op} -n {ns} -w");
    match result {
        WaitResult::Done(Some(v)) if operation_phase(&v) == OperationPhase::Completed => Ok(()),
        WaitResult::Done(Some(v)) => Err(UserError::failure(format!(
            "could not {verb} VM {ns}/{vm}: operation {op} {}",
            operation_message(&v)
        ))
        .hint(format!("see: kubectl describe vmop {op} -n {ns}"))
        .into()),
        WaitResult::Done(None) => Err(UserError::failure(format!(
            "operation {op} ({verb} VM {ns}/{vm}) disappeared before it finished"
        ))
        .into()),
        WaitResult::TimedOut(_) => Err(UserError::timed_out(format!(
            "timed out after {} waiting for VM {ns}/{vm} to {verb}",
            go_duration(timeout)
        ))
        .hint(format!("follow it with: {follow_cmd}"))
        .into()),
        WaitResult::Interrupted(_) => Err(UserError::interrupted(format!(
            "stopped waiting for VM {ns}/{vm} to {verb}"
        ))
        .hint(format!(
            "the operation continues on the cluster; follow it with: {follow_cmd}"
        ))
        .into()),
    }
}

/// `--dry-run`: the object as it would be created (the API server validates it with
/// `=server`) and the dry run's mode; None for a real run.
async fn dry_run_create(
    ctx: &Ctx<'_>,
    kind: Kind,
    obj: &Value,
) -> anyhow::Result<Option<(&'static str, Value)>> {
    let dh = &ctx.deckhouse();
    let Some(mode) = dry_run_mode(ctx) else {
        return Ok(None);
    };
    let object = if mode == "server" {
        dh.create(kind, obj.clone(), true).await?
    } else {
        obj.clone()
    };
    Ok(Some((mode, object)))
}

/// The `dryRun` of a report: "client", "server", or None for a real run.
fn dry_run_mode(ctx: &Ctx<'_>) -> Option<&'static str> {
    match ctx.dry_run() {
        crate::cli::DryRun::None => None,
        crate::cli::DryRun::Client => Some("client"),
        crate::cli::DryRun::Server => Some("server"),
    }
}

/// The dry run's verdict for the preview: how many resources are valid, how many conflict.
fn dry_run_summary(dry_name: &str, preview: &DryRunPreview) -> String {
    if preview.conflicts.is_empty() {
        format!(
            "{dry_name}: {} resource(s) valid, no conflicts",
            preview.valid.len()
        )
    } else {
        format!(
            "{dry_name}: {} conflict(s), {} resource(s) valid",
            preview.conflicts.len(),
            preview.valid.len()
        )
    }
}

/// A plan shown without its DryRun operation (`--dry-run=client`, or no way to confirm):
/// `heading`, the plan's rows with `Dry run: not run: WHY`, and the preflight's warnings.
fn say_plan_not_run(
    ctx: &mut Ctx<'_>,
    heading: &str,
    pairs: &[(&str, String)],
    why: &str,
    findings: &[crate::platform::deckhouse::api::preflight::Finding],
) {
    let mut pairs = pairs.to_vec();
    pairs.push(("Dry run", format!("not run: {why}")));
    let mut text = format!("{heading}\n");
    text.push_str(&crate::output::key_values(&pairs, 2));
    text.push_str(&finding_lines(findings));
    ctx.say(text.trim_end());
}

/// The warning lines of a preflight for the plan (blockers are the refusal's hints).
fn finding_lines(findings: &[crate::platform::deckhouse::api::preflight::Finding]) -> String {
    use crate::platform::deckhouse::api::preflight::Severity;
    findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| format!("  Warning: {}\n", f.message))
        .collect()
}

/// The blockers of a preflight as one refusal (exit 1); `what` says what would not succeed.
fn refuse_blocked(
    what: String,
    findings: &[crate::platform::deckhouse::api::preflight::Finding],
    extra_hints: Vec<String>,
) -> anyhow::Error {
    use crate::platform::deckhouse::api::preflight::Severity;
    let mut err = UserError::failure(what);
    for f in findings.iter().filter(|f| f.severity == Severity::Blocker) {
        err = err.hint(f.message.clone());
    }
    for h in extra_hints {
        err = err.hint(h);
    }
    err.hint("nothing was changed").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_read_like_generated_snapshot_names_and_fit_63_characters() {
        let now: jiff::Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
        assert_eq!(
            operation_name("linux-vm", "restore-dryrun", now),
            "linux-vm-restore-dryrun-20261126-100000"
        );
        let long = operation_name(&"v".repeat(80), "restore-dryrun", now);
        assert!(long.len() <= 63, "{long}");
        assert!(long.ends_with("-restore-dryrun-20261126-100000"), "{long}");
    }

    #[test]
    fn plans_show_warnings_and_leave_blockers_to_the_refusal() {
        use crate::platform::deckhouse::api::preflight::{Finding, Severity};
        let f = |severity, message: &str| Finding {
            severity,
            code: "x",
            message: message.into(),
        };
        let findings = [
            f(Severity::Info, "info"),
            f(Severity::Warning, "careful"),
            f(Severity::Blocker, "stop"),
        ];
        assert_eq!(finding_lines(&findings), "  Warning: careful\n");
        let err = refuse_blocked("no".into(), &findings, vec!["try this".into()]);
        let user = err.downcast_ref::<UserError>().unwrap();
        assert_eq!(user.exit_code(), 1);
        assert_eq!(user.hints, vec!["stop", "try this", "nothing was changed"]);
    }
}
