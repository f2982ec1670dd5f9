//! The readiness table of `check` on VM Operator and Deckhouse: one row per VM (can it be
//! snapshotted now, with what consistency, what blocks it), a summary with what to do, and
//! the same data for `-o json|yaml|name`. KubeVirt's `check` has its own, richer report.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;

use kube::api::{Api, DynamicObject};
use serde::Serialize;
use serde_json::Value;

use super::Ctx;
use crate::cluster::{LIST_PAGE_SIZE, list_all};
use crate::output::{RenderOptions, Table, View, join_or_none};

/// The VMs `check` reads: the one `named` (a read that fails when it is absent), or every VM
/// of `api`'s scope matching `selector`, in pages.
pub(crate) async fn vms(
    named: Option<impl Future<Output = anyhow::Result<Value>>>,
    api: Api<DynamicObject>,
    selector: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    match named {
        Some(one) => Ok(vec![one.await?]),
        None => list_all(&api, selector, LIST_PAGE_SIZE)
            .await
            .map_err(anyhow::Error::from),
    }
}

/// `items` grouped by `key` (None: left out), each group in list order: one pass, so a
/// VM's objects are looked up, not searched for among the whole scope's.
pub(crate) fn group_by<K: Hash + Eq>(
    items: Vec<Value>,
    key: impl Fn(&Value) -> Option<K>,
) -> HashMap<K, Vec<Value>> {
    let mut groups: HashMap<K, Vec<Value>> = HashMap::new();
    for item in items {
        if let Some(k) = key(&item) {
            groups.entry(k).or_default().push(item);
        }
    }
    groups
}

/// One VM's readiness.
pub(crate) struct Row {
    pub namespace: String,
    pub vm: String,
    /// The VM's state as the platform says it (Running, PoweredOn, …).
    pub status: String,
    /// `yes`, `no`, or a platform's middle ground (`inconsistent-only`).
    pub snapshottable: &'static str,
    pub consistency: &'static str,
    pub blockers: Vec<String>,
    pub warnings: Vec<String>,
    /// Finding codes, for the summary's fixes.
    pub codes: Vec<&'static str>,
}

/// How a platform's report reads.
pub(crate) struct Platform {
    /// `"vmoperator"`, `"deckhouse"`.
    pub name: &'static str,
    /// `-o name` prefix of a VM, e.g. `virtualmachine.vmoperator.vmware.com`.
    pub vm_resource: &'static str,
    /// A finding code in words and what to do about it.
    pub fix: fn(&str) -> Option<(&'static str, &'static str)>,
}

/// The table (`-o wide` adds the warnings), the summary and the data.
pub(crate) fn report(
    mut rows: Vec<Row>,
    ns: Option<&str>,
    all: bool,
    p: &Platform,
    ctx: &mut Ctx<'_>,
) -> ReadinessTable {
    rows.sort_by(|a, b| (&a.namespace, &a.vm).cmp(&(&b.namespace, &b.vm)));
    if rows.is_empty() && !ctx.format().is_machine() {
        match ns {
            Some(ns) => ctx.say(&format!("No VirtualMachines found in {ns} namespace.")),
            None => ctx.say("No VirtualMachines found."),
        }
    }
    let mut fixes: Vec<Fix> = Vec::new();
    for r in &rows {
        for c in &r.codes {
            let Some((what, advice)) = (p.fix)(c) else {
                continue;
            };
            match fixes
                .iter_mut()
                .find(|f| f.what == what && f.advice == advice)
            {
                Some(f) if !f.vms.contains(&r.vm) => f.vms.push(r.vm.clone()),
                Some(_) => {}
                None => fixes.push(Fix {
                    what,
                    advice,
                    vms: vec![r.vm.clone()],
                }),
            }
        }
    }
    let snapshottable = rows.iter().filter(|r| r.snapshottable == "yes").count();
    ReadinessTable {
        kind: "ReadinessReport",
        namespace: ns.map(str::to_owned),
        platform: p.name,
        summary: Summary {
            snapshottable,
            vms: rows.len(),
        },
        rows: rows
            .into_iter()
            .map(|r| RowOut {
                blockers: r.blockers,
                consistency: r.consistency,
                namespace: r.namespace,
                snapshottable: r.snapshottable,
                status: r.status,
                vm: r.vm,
                warnings: r.warnings,
            })
            .collect(),
        all,
        vm_resource: p.vm_resource,
        fixes,
    }
}

/// `check` on a platform: one row per VM, a summary and what to do. Fields are in the
/// order of their JSON names (the schema's keys are sorted).
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessTable {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    platform: &'static str,
    rows: Vec<RowOut>,
    summary: Summary,
    #[serde(skip)]
    all: bool,
    #[serde(skip)]
    vm_resource: &'static str,
    #[serde(skip)]
    fixes: Vec<Fix>,
}

#[derive(Debug, Clone, Serialize)]
struct RowOut {
    blockers: Vec<String>,
    consistency: &'static str,
    namespace: String,
    snapshottable: &'static str,
    status: String,
    vm: String,
    warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Summary {
    snapshottable: usize,
    vms: usize,
}

/// A finding in words, what to do about it, and the VMs it concerns.
#[derive(Debug, Clone)]
struct Fix {
    what: &'static str,
    advice: &'static str,
    vms: Vec<String>,
}

impl View for ReadinessTable {
    fn human(&self, _now: jiff::Timestamp, wide: bool, _opts: RenderOptions) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let mut headers = vec!["vm", "status", "snapshottable", "consistency", "blockers"];
        if self.all {
            headers.insert(0, "namespace");
        }
        if wide {
            headers.push("warnings");
        }
        let mut t = Table::new(&headers);
        let join = |v: &[String]| join_or_none(v, "; ");
        for r in &self.rows {
            let mut cells = vec![
                r.vm.clone(),
                r.status.clone(),
                r.snapshottable.to_owned(),
                r.consistency.to_owned(),
                join(&r.blockers),
            ];
            if self.all {
                cells.insert(0, r.namespace.clone());
            }
            if wide {
                cells.push(join(&r.warnings));
            }
            t.row(cells);
        }
        let n = self.summary.vms;
        let ready = self.summary.snapshottable;
        let mut summary = format!(
            "\n{n} VM{}: {ready} snapshottable now, {} not\n",
            if n == 1 { "" } else { "s" },
            n - ready
        );
        if !self.fixes.is_empty() {
            summary.push_str("What to do:\n");
            for f in &self.fixes {
                summary.push_str(&format!(
                    "  {} ({}): {}\n",
                    f.what,
                    f.vms.join(", "),
                    f.advice
                ));
            }
        }
        t.render(true) + &summary
    }

    fn names(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| format!("{}/{}", self.vm_resource, r.vm))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn group_by_keeps_list_order_within_a_group_and_leaves_out_what_has_no_key() {
        let items = vec![
            json!({"vm": "a", "n": 1}),
            json!({"vm": "b", "n": 2}),
            json!({"n": 3}),
            json!({"vm": "a", "n": 4}),
        ];
        let groups = group_by(items, |i| i["vm"].as_str().map(str::to_owned));
        let ns =
            |k: &str| -> Vec<i64> { groups[k].iter().filter_map(|i| i["n"].as_i64()).collect() };
        assert_eq!(ns("a"), [1, 4]);
        assert_eq!(ns("b"), [2]);
        assert_eq!(groups.len(), 2);
    }
}
