//! Retention: which of a VM's snapshots `prune` deletes under `--keep N` / `--older-than D`, and why each other one stays.
//!
//! Rules, first match wins for each snapshot:
//! 1. being deleted already → left alone;
//! 2. named by a restore still in progress → kept (deleting it would break the restore);
//! 3. the newest Succeeded snapshot of its VM → kept, whatever the policy (the newest of the
//!    user's own; the newest safety snapshot only when the VM has no other);
//! 4. not finished (Pending, InProgress, Unknown) → kept (deleting would abort it);
//! 5. a safety snapshot ([`super::safety`]) younger than a day → kept unless `include_safety`;
//! 6. no creation time → kept (its age cannot be judged);
//! 7. Failed → deleted (older than `older_than` when given): it never takes a `keep` slot;
//! 8. Succeeded → deleted when it is not among the `keep` newest Succeeded snapshots of its VM
//!    *and* older than `older_than` (each condition only when given).
//!
//! Safety snapshots are the plugin's own: ranked for `keep` apart from the user's snapshots,
//! so a restore's fresh safety snapshot never takes the place of the user's newest.
//!
//! With neither `keep` nor `older_than` nothing is deleted. Pure: the caller fetches.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::safety::{SAFETY_MIN_AGE, is_safety_snapshot};
use crate::model::age::human_duration;
use crate::model::{RestoreInfo, SnapshotInfo, SnapshotPhase};

/// What `prune` was asked to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// `--keep N`: the N newest Succeeded snapshots of each VM stay.
    pub keep: Option<usize>,
    /// `--older-than D`: only snapshots older than D go.
    pub older_than: Option<Duration>,
    /// `--include-safety`: safety snapshots younger than a day may go too.
    pub include_safety: bool,
}

impl RetentionPolicy {
    /// Neither `keep` nor `older_than`: the command should refuse (nothing would be deleted).
    pub fn is_empty(&self) -> bool {
        self.keep.is_none() && self.older_than.is_none()
    }
}

/// The rule that decided a snapshot's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    // Kept.
    AlreadyDeleting,
    InUseByRestore,
    NewestSucceeded,
    NotFinished,
    YoungSafety,
    TimeUnknown,
    WithinKeep,
    YoungerThan,
    NoPolicy,
    // Deleted.
    Failed,
    BeyondKeep,
    OlderThan,
}

impl Rule {
    /// The snapshot is deleted under this rule.
    pub fn deletes(self) -> bool {
        matches!(self, Self::Failed | Self::BeyondKeep | Self::OlderThan)
    }
}

/// One snapshot and why it is kept or deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub namespace: String,
    pub vm: String,
    pub snapshot: String,
    pub phase: SnapshotPhase,
    /// When the point in time was captured (else when the object was created).
    pub created: Option<Timestamp>,
    /// A safety snapshot taken before a restore.
    pub safety: bool,
    pub rule: Rule,
    /// A sentence for the plan: "not among the 3 newest Succeeded snapshots, and 12d old".
    pub reason: String,
}

/// The outcome: what goes and what stays, newest first within each VM.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrunePlan {
    pub delete: Vec<Decision>,
    pub keep: Vec<Decision>,
}

impl PrunePlan {
    /// The decision for a snapshot, by namespace and name.
    pub fn decision(&self, namespace: &str, snapshot: &str) -> Option<&Decision> {
        self.delete
            .iter()
            .chain(&self.keep)
            .find(|d| d.namespace == namespace && d.snapshot == snapshot)
    }
}

fn when(s: &SnapshotInfo) -> Option<Timestamp> {
    s.creation_time.or(s.created)
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

/// Decides, per VM, which snapshots `prune` deletes. `restores` may span VMs and namespaces;
/// only those still in progress protect a snapshot.
pub fn plan_retention(
    snapshots: &[SnapshotInfo],
    restores: &[RestoreInfo],
    now: Timestamp,
    policy: &RetentionPolicy,
) -> PrunePlan {
    let mut by_vm: BTreeMap<(&str, &str), Vec<&SnapshotInfo>> = BTreeMap::new();
    for s in snapshots {
        by_vm
            .entry((s.namespace.as_str(), s.vm.as_str()))
            .or_default()
            .push(s);
    }
    let mut plan = PrunePlan::default();
    for ((ns, _), mut snaps) in by_vm {
        // Newest first; no time sorts last; names break ties for a stable plan.
        snaps.sort_by(|a, b| when(b).cmp(&when(a)).then_with(|| a.name.cmp(&b.name)));
        let usable = |s: &SnapshotInfo| s.phase == SnapshotPhase::Succeeded && !s.deleting;
        let newest = snaps
            .iter()
            .find(|s| usable(s) && !is_safety_snapshot(&s.labels))
            .or_else(|| snaps.iter().find(|s| usable(s)))
            .map(|s| s.name.clone());
        // Keep ranks: the user's snapshots and the safety snapshots each count their own.
        let (mut user_rank, mut safety_rank) = (0usize, 0usize);
        for s in snaps {
            let age = when(s).map(|t| now.duration_since(t));
            let age_text = age.map(human_duration).unwrap_or_default();
            let older = |limit: Duration| age.is_some_and(|a| a > signed(limit));
            let safety = is_safety_snapshot(&s.labels);
            let restore = restores
                .iter()
                .find(|r| r.namespace == ns && r.snapshot == s.name && r.in_progress());
            let rank = if safety {
                &mut safety_rank
            } else {
                &mut user_rank
            };
            let this_rank = if usable(s) {
                *rank += 1;
                Some(*rank - 1)
            } else {
                None
            };
            let kind = if safety {
                "safety snapshots"
            } else {
                "snapshots"
            };
            let (rule, reason) = if s.deleting {
                (Rule::AlreadyDeleting, "already being deleted".to_owned())
            } else if let Some(r) = restore {
                (
                    Rule::InUseByRestore,
                    format!("restore {} is using it and has not finished", r.name),
                )
            } else if newest.as_deref() == Some(s.name.as_str()) {
                (
                    Rule::NewestSucceeded,
                    format!("the newest Succeeded snapshot of VM {}, always kept", s.vm),
                )
            } else if !s.phase.is_terminal() {
                (
                    Rule::NotFinished,
                    format!("still {}: deleting it would abort it", s.phase),
                )
            } else if safety
                && !policy.include_safety
                && age.is_none_or(|a| a < signed(SAFETY_MIN_AGE))
            {
                (
                    Rule::YoungSafety,
                    format!(
                        "safety snapshot taken before a restore{}, kept for a day (--include-safety to prune it)",
                        if age_text.is_empty() {
                            String::new()
                        } else {
                            format!(" {age_text} ago")
                        }
                    ),
                )
            } else if age.is_none() {
                (
                    Rule::TimeUnknown,
                    "its creation time is unknown, so its age cannot be judged".to_owned(),
                )
            } else if policy.is_empty() {
                (Rule::NoPolicy, "no --keep or --older-than given".to_owned())
            } else if s.phase == SnapshotPhase::Failed {
                match policy.older_than {
                    Some(limit) if !older(limit) => (
                        Rule::YoungerThan,
                        format!(
                            "Failed, but only {age_text} old (younger than {})",
                            human_duration(signed(limit))
                        ),
                    ),
                    _ => (
                        Rule::Failed,
                        format!("Failed ({age_text} old): it cannot be restored"),
                    ),
                }
            } else {
                let beyond = match (policy.keep, this_rank) {
                    (Some(k), Some(r)) => r >= k,
                    _ => true,
                };
                let old_enough = policy.older_than.is_none_or(older);
                match (beyond, old_enough) {
                    (true, true) => match policy.keep {
                        Some(k) => (
                            Rule::BeyondKeep,
                            format!(
                                "not among the {k} newest Succeeded {kind} of VM {}, and {age_text} old",
                                s.vm
                            ),
                        ),
                        None => (
                            Rule::OlderThan,
                            format!(
                                "{age_text} old, older than {}",
                                human_duration(signed(policy.older_than.unwrap_or_default()))
                            ),
                        ),
                    },
                    (false, _) => (
                        Rule::WithinKeep,
                        format!(
                            "one of the {} newest Succeeded {kind} of VM {} (#{})",
                            policy.keep.unwrap_or_default(),
                            s.vm,
                            this_rank.unwrap_or_default() + 1
                        ),
                    ),
                    (true, false) => (
                        Rule::YoungerThan,
                        format!(
                            "only {age_text} old (younger than {})",
                            human_duration(signed(policy.older_than.unwrap_or_default()))
                        ),
                    ),
                }
            };
            let d = Decision {
                namespace: s.namespace.clone(),
                vm: s.vm.clone(),
                snapshot: s.name.clone(),
                phase: s.phase,
                created: when(s),
                safety,
                rule,
                reason,
            };
            if rule.deletes() {
                plan.delete.push(d);
            } else {
                plan.keep.push(d);
            }
        }
    }
    plan
}

/// The plan's note when safety snapshots are among the VMs' snapshots: they are counted and
/// aged apart from the user's.
pub fn safety_note(plan: &PrunePlan) -> Option<String> {
    plan.delete
        .iter()
        .chain(&plan.keep)
        .any(|d| d.safety)
        .then(|| {
            format!(
                "Safety snapshots (label {}={}) are the plugin's own: --keep counts them apart \
                 from the VM's other snapshots, and they stay for a day unless --include-safety.",
                super::safety::PURPOSE_LABEL,
                super::safety::PURPOSE_PRE_RESTORE
            )
        })
}

/// `prune`: what the policy deleted and kept, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PruneReport {
    /// Always "SnapshotPrune".
    pub kind: &'static str,
    /// "client" or "server" for a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<String>,
    /// Namespace.
    pub namespace: String,
    /// Snapshots the policy deletes, each with the rule and reason.
    pub delete: Vec<Decision>,
    /// Snapshots it keeps, each with the rule and reason.
    pub keep: Vec<Decision>,
    /// What was deleted (empty for a client dry run).
    pub deleted: Vec<DeletedSnapshot>,
}

/// One deleted snapshot.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedSnapshot {
    /// Namespace.
    pub namespace: String,
    /// Snapshot name.
    pub name: String,
    /// Source VM.
    pub vm: String,
    /// Confirmed gone (false with --no-wait).
    pub gone: bool,
}

/// What `prune` will do on any platform, decided by reads only.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Namespace.
    pub namespace: String,
    /// What to say the command prunes: "VM db", "VMs matching app=db".
    pub scope: String,
    /// Which snapshots go and which stay, with reasons.
    pub retention: PrunePlan,
    /// The snapshots to delete, as read (uids guard the deletion).
    pub doomed: Vec<SnapshotInfo>,
    /// Follow until gone.
    pub wait: bool,
    /// How long to follow.
    pub timeout: std::time::Duration,
}

/// The snapshots the plan deletes, in the plan's order, taken out of `snapshots` in place
/// (the rest are dropped): one pass over an index of the plan, no copy of a name.
pub fn doomed(mut snapshots: Vec<SnapshotInfo>, retention: &PrunePlan) -> Vec<SnapshotInfo> {
    let order: std::collections::HashMap<(&str, &str), usize> = retention
        .delete
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.namespace.as_str(), d.snapshot.as_str()), i))
        .collect();
    let place = |s: &SnapshotInfo| order.get(&(s.namespace.as_str(), s.name.as_str())).copied();
    snapshots.retain(|s| place(s).is_some());
    snapshots.sort_by_cached_key(|s| place(s));
    snapshots
}

/// A snapshot as `prune` holds it, for thousands at once: what retention and deletion read
/// (names, VM, uid, phase, times, the safety label), without its conditions, indications,
/// volumes or other labels.
pub fn retention_row(mut s: SnapshotInfo) -> SnapshotInfo {
    s.conditions = Vec::new();
    s.indications = Vec::new();
    s.included_volumes = Vec::new();
    s.excluded_volumes = Vec::new();
    s.content_name = None;
    s.failure_deadline = None;
    s.error = None;
    s.labels.retain(|k, _| k == super::safety::PURPOSE_LABEL);
    s
}

/// Refuses an empty policy before anything is read.
pub fn policy(args: &crate::cli::PruneArgs) -> Result<RetentionPolicy, crate::error::UserError> {
    let p = RetentionPolicy {
        keep: args.keep,
        older_than: args.older_than,
        include_safety: args.include_safety,
    };
    if p.is_empty() {
        return Err(crate::error::UserError::usage(
            "prune needs a policy: --keep N, --older-than DURATION, or both",
        )
        .hint("e.g. kubectl vmsnap prune VM --keep 3, or --older-than 7d"));
    }
    Ok(p)
}

/// One table of retention decisions; `phase` names a phase as the platform does.
fn decisions_table(
    list: &[Decision],
    now: jiff::Timestamp,
    phase: fn(SnapshotPhase) -> String,
) -> String {
    let mut t = crate::output::Table::new(&["name", "vm", "phase", "age", "why"]);
    for d in list {
        t.row(vec![
            d.snapshot.clone(),
            d.vm.clone(),
            phase(d.phase),
            crate::model::age::age(d.created, now),
            d.reason.clone(),
        ]);
    }
    t.render(true).lines().map(|l| format!("  {l}\n")).collect()
}

/// "Prune plan for SCOPE", then what goes and what stays, each with the reason.
pub fn lists_text(
    scope: &str,
    r: &PrunePlan,
    now: jiff::Timestamp,
    phase: fn(SnapshotPhase) -> String,
) -> String {
    let mut out = format!("Prune plan for {scope}\n");
    if r.delete.is_empty() {
        out.push_str("Nothing to delete.\n");
    } else {
        out.push_str(&format!("To delete ({}):\n", r.delete.len()));
        out.push_str(&decisions_table(&r.delete, now, phase));
    }
    if r.keep.is_empty() {
        out.push_str("To keep: none\n");
    } else {
        out.push_str(&format!("To keep ({}):\n", r.keep.len()));
        out.push_str(&decisions_table(&r.keep, now, phase));
    }
    if let Some(note) = safety_note(r) {
        out.push_str(&format!("{note}\n"));
    }
    out
}

/// Shows both lists and asks (nothing to ask when nothing goes); `phase` names a phase as the
/// platform does.
pub fn confirm(
    plan: &Plan,
    ctx: &mut crate::flow::Ctx<'_>,
    phase: fn(SnapshotPhase) -> String,
) -> anyhow::Result<()> {
    let text = lists_text(&plan.scope, &plan.retention, ctx.clock.now(), phase);
    ctx.say(text.trim_end());
    if plan.doomed.is_empty() {
        return Ok(());
    }
    crate::flow::confirm::delete_snapshots(
        ctx,
        plan.doomed.len(),
        "pass --yes to prune without asking, or --dry-run to only list",
        "prune cancelled; nothing was deleted",
    )
}

#[cfg(test)]
#[path = "retention_tests.rs"]
mod tests;
