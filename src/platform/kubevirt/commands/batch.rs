//! `create -l SELECTOR`: one snapshot per matching VM, analysed together, one confirmation, created concurrently, a summary table.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;

use super::common;
use crate::cli::{CreateArgs, DryRun};
use crate::cluster::{Ended, ManyResult, Step, WaitOptions, wait_for_many};
use crate::error::UserError;
use crate::flow::Ctx;
use crate::model::SnapshotPhase;
use crate::names::go_duration;
use crate::output::{Table, join_or_none};
use crate::platform::kubevirt::analysis::batch::{
    BATCH_LABEL, BatchItem, BatchPlan, Refusal, plan_batch,
};
use crate::platform::kubevirt::analysis::{Analysis, analyse, human_bytes};
use crate::platform::kubevirt::api::{self as kv, Fleet, Kind, KubeVirt};
use crate::platform::kubevirt::report::Report;
use crate::platform::kubevirt::report::{BatchReport, BatchResult};
use crate::ui::Progress;

/// Snapshots created at the same time (each a POST of its own; the wait is one watch).
const CREATE_CONCURRENCY: usize = 16;

/// Everything the batch will do.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Namespace.
    pub namespace: String,
    /// The VM selector.
    pub selector: String,
    /// Names, consistency and refusals.
    pub plan: BatchPlan,
    /// Running VMs without a guest agent may be snapshotted online (crash-consistent).
    pub online: bool,
    /// `spec.failureDeadline`.
    pub failure_deadline: Option<String>,
    /// The batch label plus `--label`s.
    pub labels: BTreeMap<String, String>,
    /// Follow until ready.
    pub wait: bool,
    /// How long to follow.
    pub timeout: Duration,
}

/// Lists the matching VMs, analyses each, and plans one snapshot per VM. Reads only.
pub async fn plan(args: &CreateArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Batch> {
    let selector = args.selector.clone().unwrap_or_default();
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let client = ctx.conn.client.clone();
    // Each kind read once for all the VMs, beside the names taken and the permission.
    let (fleet, snapshots, allowed) = futures::join!(
        kv.fleet(Some(&ns), Some(&selector)),
        kv.snapshot_names(&ns),
        common::require_snapshot_permission(&client, "create", "virtualmachinesnapshots", &ns)
    );
    allowed?;
    let Fleet { vms, storage } = fleet?;
    if vms.is_empty() {
        return Err(UserError::not_found(format!(
            "no VirtualMachines match {selector} in namespace {ns}"
        ))
        .hint(format!(
            "list them with: kubectl get vm -l {selector} -n {ns}"
        ))
        .into());
    }
    let existing: BTreeSet<(String, String)> = snapshots?
        .into_iter()
        .map(|name| (ns.clone(), name))
        .collect();
    let analysed: Vec<Result<Analysis, Refusal>> = vms
        .iter()
        .map(|vm| match &storage {
            Ok(s) => Ok(analyse(&s.inputs(&vm.value()))),
            Err(e) => Err(Refusal {
                namespace: ns.clone(),
                vm: vm.name().to_string(),
                reason: format!("its storage could not be read: {e:#}"),
            }),
        })
        .collect();
    let (ok, unreadable): (Vec<_>, Vec<_>) = analysed.into_iter().partition(Result::is_ok);
    let analyses: Vec<Analysis> = ok.into_iter().filter_map(Result::ok).collect();
    let mut plan = plan_batch(&analyses, &existing, ctx.clock.now());
    plan.refused
        .extend(unreadable.into_iter().filter_map(Result::err));
    plan.refused.sort_by(|a, b| a.vm.cmp(&b.vm));
    let mut labels = plan.labels.clone();
    labels.extend(args.labels.iter().cloned());
    Ok(Batch {
        namespace: ns,
        selector,
        plan,
        online: args.online,
        failure_deadline: args.failure_deadline.clone(),
        labels,
        wait: args.follow.should_wait(),
        timeout: args.follow.timeout,
    })
}

/// The plan as the user reads it before the one confirmation.
pub fn describe_plan(b: &Batch) -> String {
    let p = &b.plan;
    let mut out = format!(
        "Batch snapshot plan for VMs matching {} in namespace {} (batch {})\n",
        b.selector, b.namespace, p.batch
    );
    if !p.create.is_empty() {
        let mut t = Table::new(&["vm", "snapshot", "consistency", "left out", "estimate"]);
        for i in &p.create {
            t.row(vec![
                i.vm.clone(),
                i.snapshot.clone(),
                i.consistency.to_string(),
                join_or_none(&i.excluded, ", "),
                human_bytes(i.size_estimate_bytes),
            ]);
        }
        out.push_str(&format!("To snapshot ({}):\n", p.create.len()));
        out.extend(t.render(true).lines().map(|l| format!("  {l}\n")));
        out.push_str(&format!(
            "  Estimate: {} in total\n",
            human_bytes(p.size_estimate_bytes())
        ));
    }
    if !p.refused.is_empty() {
        out.push_str(&format!("Refused ({}):\n", p.refused.len()));
        for r in &p.refused {
            out.push_str(&format!("  {}: {}\n", r.vm, r.reason));
        }
    }
    out
}

/// Settles the consistency of VMs without a guest agent, shows the plan, asks once.
pub fn confirm(b: &mut Batch, ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let text = describe_plan(b);
    ctx.say(text.trim_end());
    if b.plan.create.is_empty() {
        return Err(UserError::failure(format!(
            "none of the VMs matching {} can be snapshotted now",
            b.selector
        ))
        .hint("see the reasons above; nothing was created")
        .into());
    }
    let client_dry_run = ctx.dry_run() == DryRun::Client;
    let crash: Vec<&str> = b
        .plan
        .create
        .iter()
        .filter(|i| i.crash_without_agent)
        .map(|i| i.vm.as_str())
        .collect();
    if !crash.is_empty() && !b.online && !client_dry_run {
        let g = NoAgentGrammar::of(&crash);
        if !ctx.interactive {
            return Err(UserError::declined(format!(
                "{} without a guest agent: {} would only be crash-consistent",
                g.subject, g.online_snapshots
            ))
            .hint(format!(
                "pass --online to accept that, or snapshot {} one by one with --stop",
                g.them
            ))
            .into());
        }
        let choice = ctx.ui.select(
            &format!(
                "{} without a guest agent. How should {} be snapshotted?",
                g.subject, g.they
            ),
            &[
                &format!("online (crash-consistent; {} running)", g.keeps),
                "cancel",
            ],
        )?;
        if choice != 0 {
            return Err(UserError::declined("batch cancelled; nothing was created").into());
        }
        b.online = true;
    }
    let n = b.plan.create.len();
    crate::flow::confirm::yes_no(
        ctx,
        &format!(
            "Create {n} snapshot{}? (yes/no)",
            if n == 1 { "" } else { "s" }
        ),
        "pass --yes to create the snapshots without asking",
        "batch cancelled; nothing was created",
    )
}

fn result(item: &BatchItem, phase: SnapshotPhase, error: Option<String>) -> BatchResult {
    BatchResult {
        namespace: item.namespace.clone(),
        vm: item.vm.clone(),
        snapshot: item.snapshot.clone(),
        phase,
        ready_to_use: false,
        consistency: item.consistency,
        error,
    }
}

fn report(b: &Batch, items: Vec<BatchResult>, dry_run: Option<&str>) -> BatchReport {
    BatchReport {
        kind: "SnapshotBatch",
        dry_run: dry_run.map(str::to_string),
        namespace: b.namespace.clone(),
        selector: b.selector.clone(),
        batch: b.plan.batch.clone(),
        items,
        refused: b.plan.refused.clone(),
    }
}

/// The report for `--dry-run=client`.
pub fn dry_run_report(b: &Batch) -> Report {
    let items = b
        .plan
        .create
        .iter()
        .map(|i| result(i, SnapshotPhase::Pending, None))
        .collect();
    Report::Batch(Box::new(report(b, items, Some("client"))))
}

/// Creates every snapshot (a bounded number at a time), then follows them all with one
/// label-selected watch: one LIST and one WATCH however many VMs.
pub async fn execute(b: Batch, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let server = ctx.dry_run() == DryRun::Server;
    // One progress line per VM (indicatif's MultiProgress on a terminal).
    let lines: Vec<String> = b
        .plan
        .create
        .iter()
        .map(|i| format!("{}: creating {}", i.vm, i.snapshot))
        .collect();
    let bars: RefCell<BTreeMap<String, Box<dyn Progress>>> = RefCell::new(
        b.plan
            .create
            .iter()
            .map(|i| i.vm.clone())
            .zip(ctx.progress_group(&lines))
            .collect(),
    );
    let show = |vm: &str, state: String| {
        if let Some(bar) = bars.borrow_mut().get_mut(vm) {
            bar.set_message(&format!("{vm}: {state}"));
        }
    };
    let created: Vec<Option<String>> = futures::stream::iter(
        b.plan
            .create
            .iter()
            .map(|item| create_one(&kv, &b, item, server, &show)),
    )
    .buffered(CREATE_CONCURRENCY)
    .collect()
    .await;
    let followed: Vec<String> = b
        .plan
        .create
        .iter()
        .zip(&created)
        .filter(|(_, failed)| failed.is_none())
        .map(|(i, _)| i.snapshot.clone())
        .collect();
    let waited = if server || !b.wait {
        None
    } else {
        Some(follow(&kv, &b, &followed, &show).await)
    };
    let items = b
        .plan
        .create
        .iter()
        .zip(created)
        .map(|(item, failed)| match (failed, &waited) {
            (Some(e), _) => result(item, SnapshotPhase::Failed, Some(e)),
            (None, None) => result(item, SnapshotPhase::Pending, None),
            (None, Some(Err(e))) => {
                show(&item.vm, "failed".into());
                result(item, SnapshotPhase::Unknown, Some(e.clone()))
            }
            (None, Some(Ok(w))) => {
                let last = w.last.get(&item.snapshot).cloned().flatten();
                let timed_out = w.ended != Ended::AllDone && !w.done.contains(&item.snapshot);
                finished(item, last, timed_out, &b, &show)
            }
        })
        .collect();
    for bar in bars.borrow_mut().values_mut() {
        bar.finish();
    }
    Ok(Report::Batch(Box::new(report(
        &b,
        items,
        server.then_some("server"),
    ))))
}

/// Creates one snapshot of the batch; the error, if it failed (never fails the batch).
async fn create_one(
    kv: &KubeVirt,
    b: &Batch,
    item: &BatchItem,
    server: bool,
    show: &dyn Fn(&str, String),
) -> Option<String> {
    let mut obj = kv::build_snapshot(
        &item.namespace,
        &item.snapshot,
        &item.vm,
        b.failure_deadline.as_deref(),
        &b.labels,
    );
    common::served_api_version(&mut obj, kv, Kind::VirtualMachineSnapshot);
    match kv.create_snapshot(obj, server).await {
        Ok(_) => {
            show(&item.vm, "created".into());
            None
        }
        Err(e) => {
            show(&item.vm, "failed".into());
            Some(format!("{e:#}"))
        }
    }
}

/// Follows the created snapshots of the batch through the batch label until each is ready
/// or failed, or the timeout passes.
async fn follow(
    kv: &KubeVirt,
    b: &Batch,
    snapshots: &[String],
    show: &dyn Fn(&str, String),
) -> Result<ManyResult<Value>, String> {
    let vm_of: BTreeMap<&str, &str> = b
        .plan
        .create
        .iter()
        .map(|i| (i.snapshot.as_str(), i.vm.as_str()))
        .collect();
    let selector = format!("{BATCH_LABEL}={}", b.plan.batch);
    let api = kv.api(Kind::VirtualMachineSnapshot, Some(&b.namespace));
    let mut unreadable = None;
    let waited = wait_for_many(
        api,
        &selector,
        snapshots,
        WaitOptions::new(b.timeout),
        |name, obj| match obj.map(serde_json::to_value).transpose() {
            Err(e) => {
                unreadable = Some(e);
                Step::Done
            }
            Ok(None) => Step::Continue(String::new()),
            Ok(Some(v)) => {
                let info = kv::snapshot_info(&v, None, &[]);
                if info.is_ready() || info.phase == SnapshotPhase::Failed {
                    Step::Done
                } else {
                    if let Some(vm) = vm_of.get(name) {
                        show(vm, info.phase.to_string());
                    }
                    Step::Continue(String::new())
                }
            }
        },
    )
    .await
    .map_err(|e| format!("{e:#}"))?;
    if let Some(e) = unreadable {
        return Err(format!(
            "failed to read a snapshot of the batch as JSON: {e}"
        ));
    }
    Ok(ManyResult {
        ended: waited.ended,
        done: waited.done,
        last: waited
            .last
            .into_iter()
            .map(|(k, o)| Ok((k, o.map(serde_json::to_value).transpose()?)))
            .collect::<Result<_, serde_json::Error>>()
            .map_err(|e| format!("failed to read a snapshot of the batch as JSON: {e}"))?,
    })
}

/// One snapshot's result from the object as last seen.
fn finished(
    item: &BatchItem,
    last: Option<Value>,
    timed_out: bool,
    b: &Batch,
    show: &dyn Fn(&str, String),
) -> BatchResult {
    let Some(v) = last else {
        show(&item.vm, "failed".into());
        return result(item, SnapshotPhase::Unknown, Some("disappeared".into()));
    };
    let info = kv::snapshot_info(&v, None, &[]);
    let mut r = result(item, info.phase, info.error.clone());
    r.ready_to_use = info.ready_to_use;
    if info.is_ready() {
        r.consistency = info.consistency;
        show(&item.vm, "ready".into());
    } else if timed_out {
        r.error = Some(format!(
            "not ready after {} (still {})",
            go_duration(b.timeout),
            info.phase
        ));
        show(&item.vm, "timed out".into());
    } else {
        if r.error.is_none() {
            r.error = Some("failed".into());
        }
        show(&item.vm, "failed".into());
    }
    r
}

/// How many snapshots of a finished batch did not become ready (with `--wait`) or could
/// not be created.
pub fn failures(r: &BatchReport) -> usize {
    r.items.iter().filter(|i| i.error.is_some()).count()
}

/// The words for "these VMs run without a guest agent", singular or plural.
struct NoAgentGrammar {
    /// "web-01 runs" / "web-01, web-02 run".
    subject: String,
    they: &'static str,
    them: &'static str,
    keeps: &'static str,
    online_snapshots: &'static str,
}

impl NoAgentGrammar {
    fn of(vms: &[&str]) -> Self {
        let which = vms.join(", ");
        if vms.len() == 1 {
            NoAgentGrammar {
                subject: format!("{which} runs"),
                they: "it",
                them: "it",
                keeps: "it keeps",
                online_snapshots: "an online snapshot of it",
            }
        } else {
            NoAgentGrammar {
                subject: format!("{which} run"),
                they: "they",
                them: "them",
                keeps: "they keep",
                online_snapshots: "online snapshots of them",
            }
        }
    }
}
