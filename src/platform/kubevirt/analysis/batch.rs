//! Batch planning for `create -l SELECTOR`: which matching VMs get a snapshot, which are refused and why, and one generated name per VM from a single timestamp.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;

use super::Analysis;
use crate::flow::safety::{generated_snapshot_name, timestamp_suffix};
use crate::model::Consistency;

/// Label on every snapshot of one batch (value: the batch's `YYYYMMDD-HHMMSS`), so a batch
/// can be listed or pruned together.
pub const BATCH_LABEL: &str = "vmsnap.io/batch";

/// One snapshot the batch will create.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchItem {
    pub namespace: String,
    pub vm: String,
    /// The generated snapshot name, unique in its namespace.
    pub snapshot: String,
    /// What the snapshot will be if taken as the VM is now.
    pub consistency: Consistency,
    /// Running without a guest agent: crash-consistent unless stopped first. Without
    /// `--online` or `--stop` the one confirmation must settle it for these VMs.
    pub crash_without_agent: bool,
    /// Persistent volumes that will be left out (the snapshot is partial).
    pub excluded: Vec<String>,
    pub size_estimate_bytes: u64,
    pub warnings: Vec<String>,
}

/// A matching VM that gets no snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub namespace: String,
    pub vm: String,
    pub reason: String,
}

/// The plan: one confirmation covers all of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchPlan {
    /// `YYYYMMDD-HHMMSS` of the one timestamp all names share.
    pub batch: String,
    /// Labels for every snapshot of the batch.
    pub labels: BTreeMap<String, String>,
    pub create: Vec<BatchItem>,
    pub refused: Vec<Refusal>,
}

impl BatchPlan {
    /// Sum of the estimates of the snapshots to create.
    pub fn size_estimate_bytes(&self) -> u64 {
        self.create.iter().map(|i| i.size_estimate_bytes).sum()
    }

    /// Some VM runs without a guest agent and nothing decided how to treat it.
    pub fn needs_consistency_decision(&self) -> bool {
        self.create.iter().any(|i| i.crash_without_agent)
    }
}

/// Why a VM cannot be snapshotted now, as `create` would say it; None when it can.
fn refusal(a: &Analysis) -> Option<String> {
    let vm = &a.vm;
    if let Some(s) = &vm.snapshot_in_progress {
        return Some(format!("already being snapshotted by {s}"));
    }
    if let Some(r) = &vm.restore_in_progress {
        return Some(format!(
            "being restored by {r}; a snapshot now would capture a half-restored VM"
        ));
    }
    if let Some(b) = a.blockers.first() {
        return Some(b.clone());
    }
    if !a.snapshottable {
        return Some("none of its volumes can be snapshotted".to_owned());
    }
    None
}

/// Plans one snapshot per VM. `existing` holds (namespace, name) of snapshots that exist:
/// a generated name that is taken gets `-2`, `-3`, … (names are generated, so the user
/// never has to pick). Rows are ordered by namespace and VM.
pub fn plan_batch(
    analyses: &[Analysis],
    existing: &BTreeSet<(String, String)>,
    now: Timestamp,
) -> BatchPlan {
    let batch = timestamp_suffix(now);
    let mut sorted: Vec<&Analysis> = analyses.iter().collect();
    sorted.sort_by(|a, b| (&a.vm.namespace, &a.vm.name).cmp(&(&b.vm.namespace, &b.vm.name)));
    let mut taken = existing.clone();
    let mut plan = BatchPlan {
        labels: BTreeMap::from([(BATCH_LABEL.to_owned(), batch.clone())]),
        batch,
        create: Vec::new(),
        refused: Vec::new(),
    };
    for a in sorted {
        let (ns, name) = (a.vm.namespace.clone(), a.vm.name.clone());
        if let Some(reason) = refusal(a) {
            plan.refused.push(Refusal {
                namespace: ns,
                vm: name,
                reason,
            });
            continue;
        }
        let base = generated_snapshot_name(&name, now);
        let mut snapshot = base.clone();
        let mut n = 2;
        while taken.contains(&(ns.clone(), snapshot.clone())) {
            snapshot = format!("{base}-{n}");
            n += 1;
        }
        taken.insert((ns.clone(), snapshot.clone()));
        let excluded = a
            .volumes
            .iter()
            .filter(|f| {
                !f.included
                    && (crate::platform::kubevirt::api::SNAPSHOTTABLE_SOURCES
                        .contains(&f.source_kind.as_str())
                        || f.source_kind == "backendStorage")
            })
            .map(|f| f.volume.clone())
            .collect();
        plan.create.push(BatchItem {
            namespace: ns,
            vm: name,
            snapshot,
            consistency: a.expected_consistency,
            crash_without_agent: a.expected_consistency == Consistency::Crash
                && !a.vm.agent_connected,
            excluded,
            size_estimate_bytes: a.size_estimate_bytes,
            warnings: a.warnings.clone(),
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::platform::kubevirt::analysis::{StorageInputs, analyse};
    use crate::platform::kubevirt::api::fixtures::{database_vmi_without_agent, load};

    fn analysis(vm: serde_json::Value, vmi: Option<&str>) -> Analysis {
        analysis_with(vm, vmi.map(load))
    }

    fn analysis_with(vm: serde_json::Value, vmi: Option<serde_json::Value>) -> Analysis {
        analyse(&StorageInputs::from_fixtures(vm, vmi))
    }

    fn now() -> Timestamp {
        "2026-11-26T09:05:07Z".parse().unwrap()
    }

    /// Each planned snapshot as (namespace, VM, snapshot name).
    fn planned(plan: &BatchPlan) -> Vec<(&str, &str, &str)> {
        plan.create
            .iter()
            .map(|i| (i.namespace.as_str(), i.vm.as_str(), i.snapshot.as_str()))
            .collect()
    }

    fn fixtures() -> Vec<Analysis> {
        vec![
            analysis(load("vm-web-02-stopped.yaml"), None),
            analysis(load("vm-database-01.yaml"), Some("vmi-database-01.yaml")),
            analysis(load("vm-legacy-app.yaml"), None),
            analysis(load("vm-win11-tpm.yaml"), None),
        ]
    }

    #[test]
    fn snapshottable_vms_get_one_name_each_from_one_timestamp() {
        let plan = plan_batch(&fixtures(), &BTreeSet::new(), now());
        assert_eq!(plan.batch, "20261126-090507");
        assert_eq!(plan.labels[BATCH_LABEL], "20261126-090507");
        assert_eq!(
            planned(&plan),
            [
                (
                    "production",
                    "database-01",
                    "database-01-snapshot-20261126-090507"
                ),
                ("production", "web-02", "web-02-snapshot-20261126-090507"),
                (
                    "production",
                    "win11-desk",
                    "win11-desk-snapshot-20261126-090507"
                ),
            ]
        );
        let db = &plan.create[0];
        assert_eq!(db.consistency, Consistency::Application);
        assert!(!db.crash_without_agent);
        assert_eq!(db.excluded, ["archive", "debug-logs"]);
        assert!(!plan.needs_consistency_decision());
        assert_eq!(
            plan.size_estimate_bytes(),
            plan.create
                .iter()
                .map(|i| i.size_estimate_bytes)
                .sum::<u64>()
        );
        assert!(plan.size_estimate_bytes() > 0);
    }

    #[test]
    fn vms_that_cannot_be_snapshotted_are_refused_with_the_reason() {
        let mut busy = load("vm-web-02-stopped.yaml");
        busy["metadata"]["name"] = json!("busy");
        busy["status"]["snapshotInProgress"] = json!("busy-snap");
        let mut restoring = load("vm-web-02-stopped.yaml");
        restoring["metadata"]["name"] = json!("restoring");
        restoring["status"]["restoreInProgress"] = json!("restore-1");
        let mut list = fixtures();
        list.push(analysis(busy, None));
        list.push(analysis(restoring, None));
        let plan = plan_batch(&list, &BTreeSet::new(), now());
        let refused: Vec<(&str, &str)> = plan
            .refused
            .iter()
            .map(|r| (r.vm.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(refused.len(), 3, "{refused:#?}");
        assert_eq!(
            refused[0],
            ("busy", "already being snapshotted by busy-snap")
        );
        assert!(
            refused[1].0 == "legacy-app"
                && refused[1]
                    .1
                    .starts_with("no volume of VM production/legacy-app can be snapshotted"),
            "{:?}",
            refused[1]
        );
        assert_eq!(refused[2].0, "restoring");
        assert!(refused[2].1.starts_with("being restored by restore-1"));
        assert_eq!(plan.create.len(), 3);
    }

    #[test]
    fn taken_names_get_a_counter_and_namespaces_do_not_collide() {
        let mut other_ns = load("vm-web-02-stopped.yaml");
        other_ns["metadata"]["namespace"] = json!("staging");
        let list = vec![
            analysis(load("vm-web-02-stopped.yaml"), None),
            analysis(other_ns, None),
        ];
        let existing = BTreeSet::from([
            (
                "production".to_owned(),
                "web-02-snapshot-20261126-090507".to_owned(),
            ),
            (
                "production".to_owned(),
                "web-02-snapshot-20261126-090507-2".to_owned(),
            ),
        ]);
        let plan = plan_batch(&list, &existing, now());
        assert_eq!(
            planned(&plan),
            [
                ("production", "web-02", "web-02-snapshot-20261126-090507-3"),
                ("staging", "web-02", "web-02-snapshot-20261126-090507"),
            ]
        );
    }

    #[test]
    fn running_vms_without_an_agent_need_a_decision() {
        let vmi = database_vmi_without_agent();
        let a = analysis_with(load("vm-database-01.yaml"), Some(vmi));
        let plan = plan_batch(&[a], &BTreeSet::new(), now());
        assert!(plan.create[0].crash_without_agent);
        assert_eq!(plan.create[0].consistency, Consistency::Crash);
        assert!(plan.needs_consistency_decision());
    }

    #[test]
    fn no_matching_vms_plans_nothing() {
        let plan = plan_batch(&[], &BTreeSet::new(), now());
        assert!(plan.create.is_empty() && plan.refused.is_empty());
        let v = serde_json::to_value(&plan).unwrap();
        assert_eq!(v["batch"], "20261126-090507");
        assert_eq!(v["labels"]["vmsnap.io/batch"], "20261126-090507");
    }
}
