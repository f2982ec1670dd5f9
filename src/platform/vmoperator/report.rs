//! What VM Operator's commands hand to the output layer: one typed report per command,
//! each a [`View`]. The serialized forms are the documented `-o json|yaml` schema (keys in
//! alphabetical order, `"platform": "vmoperator"`); `human()` is the text for people.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::cluster::json::{name, namespace, str_at, string_map};
use crate::flow::follow::WaitReport;
use crate::flow::readiness_table::ReadinessTable;
use crate::flow::safety::{RESTORING_ANNOTATION, UNDO_ANNOTATION, is_safety_snapshot};
use crate::model::SnapshotInfo;
use crate::model::event::EventInfo;
use crate::model::quantity::human_bytes;
use crate::output::describe::{events_section, with_annotations};
use crate::output::label_columns::LabelColumns;
use crate::output::{
    RenderOptions, Table, View, age, api_list, deleted_line, dry_run_words, key_values,
    key_values_multi, next_steps,
};
use crate::platform::vmoperator::api::{
    DeleteEffect, Kind, Phase, SnapshotDetails, SnapshotTree, TreeNode, creation_failure,
    describe_rows, go_duration, render_tree, snapshot_details, snapshot_info, vm_details,
};

/// Scripts tell the platforms' documents apart by this field (as on Deckhouse).
const PLATFORM: &str = "vmoperator";
/// The `-o name` prefix of a snapshot.
pub const SNAPSHOT_RESOURCE: &str = "virtualmachinesnapshot.vmoperator.vmware.com";
/// The `-o name` prefix of a VM.
pub const VM_RESOURCE: &str = "virtualmachine.vmoperator.vmware.com";

/// The result of one VM Operator command.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// `create` (also its `--dry-run` plan)
    Create(Box<CreateReport>),
    /// `list`
    List(ListReport),
    /// `tree`
    Tree(TreeReport),
    /// `describe`
    Describe(Box<DescribeReport>),
    /// `delete`
    Delete(DeleteReport),
    /// `restore`, a revert (also its `--dry-run` plan)
    Revert(Box<RevertReport>),
    /// `check`
    Check(ReadinessTable),
    /// `wait`
    Wait(WaitReport),
}

impl View for Report {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        match self {
            Report::Create(r) => r.human(now, wide, opts),
            Report::List(r) => r.human(now, wide, opts),
            Report::Tree(r) => r.human(now, wide, opts),
            Report::Describe(r) => r.human(now, wide, opts),
            Report::Delete(r) => r.human(now, wide, opts),
            Report::Revert(r) => r.human(now, wide, opts),
            Report::Check(r) => r.human(now, wide, opts),
            Report::Wait(r) => r.human(now, wide, opts),
        }
    }

    fn names(&self) -> Vec<String> {
        match self {
            Report::Create(r) => r.names(),
            Report::List(r) => r.names(),
            Report::Tree(r) => r.names(),
            Report::Describe(r) => r.names(),
            Report::Delete(r) => r.names(),
            Report::Revert(r) => r.names(),
            Report::Check(r) => r.names(),
            Report::Wait(r) => r.names(),
        }
    }

    fn api_objects(&self) -> Option<Value> {
        match self {
            Report::List(r) => r.api_objects(),
            Report::Describe(r) => r.api_objects(),
            _ => None,
        }
    }
}

/// Serializes `v` with its object keys sorted, as the reports' nested types have always
/// been printed (they went through `serde_json::Value`, whose maps are sorted).
fn sorted<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(v)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

/// `2026-11-10T02:00:00Z (16d ago)`, or `<unknown>`.
pub(crate) fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "<unknown>".into(),
    }
}

/// `describe_rows` with the snapshot node's power state named as such (the VM's own is
/// another row).
fn snapshot_rows(snap: &Value, tree: &SnapshotTree) -> Vec<(&'static str, String)> {
    describe_rows(snap, tree)
        .into_iter()
        .map(|(k, v)| match k {
            "Power state" => ("Power state at snapshot", v),
            k => (k, v),
        })
        .collect()
}

/// `create`: the snapshot as created (or as it ended, or as planned).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReport {
    #[serde(serialize_with = "sorted")]
    details: SnapshotDetails,
    /// "client" or "server" for a dry run; null for a real run.
    dry_run: Option<&'static str>,
    kind: &'static str,
    next_steps: Vec<String>,
    platform: &'static str,
    power_state_at_snapshot: Option<String>,
    #[serde(serialize_with = "sorted")]
    snapshot: SnapshotInfo,
    /// The VM's power state when the snapshot was requested.
    vm_power_state: String,
    waited: bool,
    #[serde(skip)]
    memory: bool,
    #[serde(skip)]
    quiesce_timeout: Option<Duration>,
    /// The VM's tree as it is now, for the snapshot's place in it.
    #[serde(skip)]
    tree: SnapshotTree,
    #[serde(skip)]
    raw: Value,
}

/// What `create` asked for, as the report repeats it.
pub(crate) struct Requested {
    pub memory: bool,
    pub quiesce_timeout: Option<Duration>,
    pub power: String,
}

impl CreateReport {
    pub(crate) fn new(
        snap: &Value,
        requested: Requested,
        dry_run: Option<&'static str>,
        waited: bool,
        tree: SnapshotTree,
        next_steps: Vec<String>,
    ) -> CreateReport {
        CreateReport {
            details: snapshot_details(snap),
            dry_run,
            kind: "SnapshotCreate",
            next_steps,
            platform: PLATFORM,
            power_state_at_snapshot: str_at(snap, "/status/powerState").map(str::to_owned),
            snapshot: snapshot_info(snap),
            vm_power_state: requested.power,
            waited,
            memory: requested.memory,
            quiesce_timeout: requested.quiesce_timeout,
            tree,
            raw: snap.clone(),
        }
    }
}

impl View for CreateReport {
    fn human(&self, now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (ns, vm, s) = (
            &self.snapshot.namespace,
            &self.snapshot.vm,
            &self.snapshot.name,
        );
        let headline = match (self.dry_run, self.waited, self.details.phase) {
            (Some(d), _, _) => format!(
                "Snapshot {s} of VM {ns}/{vm} would be created ({})",
                dry_run_words(d)
            ),
            (None, true, Phase::Ready) => format!("Snapshot {s} of VM {ns}/{vm} is ready"),
            (None, _, p) => format!("Snapshot {s} of VM {ns}/{vm} created ({})", p.as_str()),
        };
        let mut text = format!("{headline}\n");
        let mut rows: Vec<(&str, String)> = vec![(
            "VM power state",
            format!("{} when the snapshot was requested", self.vm_power_state),
        )];
        if self.dry_run.is_none() && self.waited {
            rows.extend(snapshot_rows(&self.raw, &self.tree));
            rows.push(("Consistency", self.snapshot.consistency.label().to_owned()));
            let taken = self.snapshot.creation_time.or(self.snapshot.created);
            rows.push(("Taken", when(taken, now)));
        } else {
            let memory = if self.memory {
                "included"
            } else {
                "not included"
            };
            rows.push(("Memory", memory.into()));
            if let Some(t) = self.quiesce_timeout {
                rows.push(("Quiesce", format!("requested, timeout {}", go_duration(t))));
            }
        }
        text.push_str(&key_values(&rows, 2));
        next_steps(&mut text, &self.next_steps);
        text
    }

    fn names(&self) -> Vec<String> {
        vec![format!("{SNAPSHOT_RESOURCE}/{}", self.snapshot.name)]
    }
}

/// One row of `list`: a Managed snapshot (a CR) or an Unmanaged tree node. Fields in the
/// alphabetical order of their JSON names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListRow {
    pub consistency: Option<&'static str>,
    pub created: Option<Timestamp>,
    /// The VM runs from this snapshot.
    pub current: bool,
    pub description: Option<String>,
    pub in_tree: bool,
    pub memory: bool,
    /// None for an Unmanaged node.
    pub name: Option<String>,
    pub namespace: String,
    /// The parent in the tree: a name, `(unmanaged)`, or None for a root / not in the tree.
    pub parent: Option<String>,
    pub phase: Option<&'static str>,
    pub power_state: Option<String>,
    pub quiesced: bool,
    pub ready_to_use: bool,
    pub size_bytes: Option<u64>,
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(rename = "uniqueID")]
    pub unique_id: Option<String>,
    pub vm: String,
}

/// `list`: every snapshot in creation order (or `--sort-by`'s).
#[derive(Debug, Clone, Serialize)]
pub struct ListReport {
    pub(crate) items: Vec<ListRow>,
    kind: &'static str,
    /// The namespace listed; null with `-A`.
    pub(crate) namespace: Option<String>,
    platform: &'static str,
    /// The VM filter; null without one.
    vm: Option<String>,
    /// The snapshot objects of the Managed rows, as read.
    #[serde(skip)]
    raw: Vec<Value>,
    /// `-L` and `--show-labels` columns.
    #[serde(skip)]
    pub label_columns: LabelColumns,
}

impl ListReport {
    pub(crate) fn new(
        items: Vec<ListRow>,
        namespace: Option<String>,
        vm: Option<String>,
        raw: Vec<Value>,
    ) -> ListReport {
        ListReport {
            items,
            kind: "SnapshotList",
            namespace,
            platform: PLATFORM,
            vm,
            raw,
            label_columns: LabelColumns::default(),
        }
    }
}

impl ListReport {
    /// The table of `list`: its headers, and a row per snapshot (`list -w` prints them one
    /// at a time).
    pub(crate) fn table(&self, now: Timestamp, wide: bool) -> Table {
        let rows = &self.items;
        let all = self.namespace.is_none();
        let mut headers = vec!["CURRENT"];
        if all {
            headers.push("NAMESPACE");
        }
        headers.extend(["NAME", "VM", "PHASE", "READY", "CONSISTENCY", "SIZE", "AGE"]);
        if wide {
            headers.extend(["TYPE", "PARENT", "MEMORY", "QUIESCED", "POWER", "ID"]);
        }
        let label_headers = self.label_columns.headers();
        headers.extend(label_headers.iter().map(String::as_str));
        let mut t = Table::new(&headers);
        let labels: BTreeMap<(&str, &str), BTreeMap<String, String>> = self
            .raw
            .iter()
            .map(|o| ((namespace(o), name(o)), string_map(o, "/metadata/labels")))
            .collect();
        let dash = || "-".to_owned();
        for r in rows {
            let managed = r.name.is_some();
            let mut cells = vec![if r.current { "*" } else { "" }.to_owned()];
            if all {
                cells.push(r.namespace.clone());
            }
            cells.extend([
                r.name.clone().unwrap_or_else(|| "(unmanaged)".into()),
                r.vm.clone(),
                r.phase.map_or_else(dash, str::to_owned),
                if managed {
                    r.ready_to_use.to_string()
                } else {
                    dash()
                },
                r.consistency.map_or_else(dash, str::to_owned),
                match (managed, r.size_bytes) {
                    (false, _) => dash(),
                    (true, Some(b)) => human_bytes(b),
                    (true, None) => "<unknown>".into(),
                },
                if managed { age(r.created, now) } else { dash() },
            ]);
            if wide {
                let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
                cells.extend([
                    r.type_.to_owned(),
                    match (&r.parent, r.in_tree) {
                        (Some(p), _) => p.clone(),
                        (None, true) => "<root>".into(),
                        (None, false) => "<not in tree>".into(),
                    },
                    if managed { yes_no(r.memory) } else { dash() },
                    if managed { yes_no(r.quiesced) } else { dash() },
                    r.power_state.clone().unwrap_or_else(dash),
                    r.unique_id.clone().unwrap_or_else(dash),
                ]);
            }
            if !self.label_columns.is_empty() {
                // An Unmanaged node has no object, so no labels.
                let none = BTreeMap::new();
                let mine = r
                    .name
                    .as_deref()
                    .and_then(|n| labels.get(&(r.namespace.as_str(), n)))
                    .unwrap_or(&none);
                cells.extend(self.label_columns.cells(mine));
            }
            t.row(cells);
        }
        t
    }
}

impl View for ListReport {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        self.table(now, wide).render_list(!opts.no_headers)
    }

    fn names(&self) -> Vec<String> {
        self.items
            .iter()
            .filter_map(|r| r.name.as_ref())
            .map(|n| format!("{SNAPSHOT_RESOURCE}/{n}"))
            .collect()
    }

    fn api_objects(&self) -> Option<Value> {
        Some(api_list(self.raw.clone()))
    }
}

/// `tree VM`: the tree drawn like `govc snapshot.tree`; as data, the tree's own fields with
/// `count`, `kind` and `platform`.
#[derive(Debug, Clone)]
pub struct TreeReport {
    tree: SnapshotTree,
    /// What the drawing shows besides names (`-i`, `-D`, `-d`).
    draw: crate::platform::vmoperator::api::RenderOptions,
}

impl TreeReport {
    pub(crate) fn new(
        tree: SnapshotTree,
        draw: crate::platform::vmoperator::api::RenderOptions,
    ) -> TreeReport {
        TreeReport { tree, draw }
    }
}

impl Serialize for TreeReport {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The tree's fields and the report's, in one sorted object.
        let mut data = serde_json::to_value(&self.tree).map_err(serde::ser::Error::custom)?;
        if let Some(obj) = data.as_object_mut() {
            obj.insert("kind".into(), "SnapshotTree".into());
            obj.insert("count".into(), self.tree.node_count().into());
            obj.insert("platform".into(), PLATFORM.into());
        }
        data.serialize(s)
    }
}

impl View for TreeReport {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        render_tree(&self.tree, self.draw)
    }

    fn names(&self) -> Vec<String> {
        fn walk(nodes: &[TreeNode], out: &mut Vec<String>) {
            for n in nodes {
                if let Some(name) = n.name.as_ref().filter(|_| !n.missing) {
                    out.push(format!("{SNAPSHOT_RESOURCE}/{name}"));
                }
                walk(&n.children, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.tree.roots, &mut out);
        walk(&self.tree.detached, &mut out);
        out
    }
}

/// `describe SNAPSHOT`: the snapshot, its VM Operator details and its place in the tree.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeReport {
    /// The snapshot's annotations (the console's `description` among them).
    annotations: std::collections::BTreeMap<String, String>,
    /// The VM runs from this snapshot.
    current: bool,
    #[serde(serialize_with = "sorted")]
    details: SnapshotDetails,
    /// Events about the snapshot, oldest first; null when they could not be read.
    #[serde(serialize_with = "sorted")]
    events: Option<Vec<EventInfo>>,
    in_tree: bool,
    kind: &'static str,
    /// The parent in the tree: a name, `(unmanaged)`, or null.
    parent: Option<String>,
    platform: &'static str,
    #[serde(serialize_with = "sorted")]
    snapshot: SnapshotInfo,
    /// For a safety snapshot: the snapshot whose revert it was taken before.
    taken_before_reverting: Option<String>,
    /// For a safety snapshot: the command that undoes that revert.
    undo: Option<String>,
    vm_exists: bool,
    #[serde(skip)]
    vm: Option<Value>,
    #[serde(skip)]
    tree: SnapshotTree,
    #[serde(skip)]
    raw: Value,
}

impl DescribeReport {
    pub(crate) fn new(
        snap: Value,
        vm: Option<Value>,
        tree: SnapshotTree,
        events: Option<Vec<EventInfo>>,
    ) -> DescribeReport {
        let info = snapshot_info(&snap);
        let parent = tree
            .parent_of(&info.name)
            .map(|p| p.map(|n| n.name.clone().unwrap_or_else(|| "(unmanaged)".into())));
        let labels = string_map(&snap, "/metadata/labels");
        let annotations = string_map(&snap, "/metadata/annotations");
        let restoring = annotations
            .get(RESTORING_ANNOTATION)
            .filter(|_| is_safety_snapshot(&labels))
            .cloned();
        DescribeReport {
            current: tree.find(&info.name).is_some_and(|n| n.current),
            details: snapshot_details(&snap),
            events,
            in_tree: parent.is_some(),
            kind: "SnapshotDetail",
            parent: parent.flatten(),
            platform: PLATFORM,
            undo: restoring
                .as_ref()
                .and(annotations.get(UNDO_ANNOTATION).cloned()),
            taken_before_reverting: restoring,
            annotations,
            snapshot: info,
            vm_exists: vm.is_some(),
            vm,
            tree,
            raw: snap,
        }
    }
}

impl View for DescribeReport {
    fn human(&self, now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let info = &self.snapshot;
        let vm_name = &info.vm;
        let vm_line = match &self.vm {
            Some(v) => format!(
                "{vm_name} ({} now)",
                vm_details(v)
                    .power_state
                    .unwrap_or_else(|| "power state unknown".into())
            ),
            None => format!("{vm_name} (no longer exists)"),
        };
        let labels = string_map(&self.raw, "/metadata/labels");
        let labels_text = if labels.is_empty() {
            "<none>".to_owned()
        } else {
            let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            pairs.join(", ")
        };
        let mut rows: Vec<(&str, String)> = vec![
            ("Name", info.name.clone()),
            ("Namespace", info.namespace.clone()),
            ("Labels", labels_text),
            ("VM", vm_line),
        ];
        rows.extend(snapshot_rows(&self.raw, &self.tree));
        rows.push(("Consistency", info.consistency.label().to_owned()));
        rows.push(("Created", when(info.created, now)));
        rows.push(("Taken", when(info.creation_time, now)));
        if let Some(why) = creation_failure(&self.raw) {
            rows.push(("Error", why));
        }
        if let Some(r) = &self.taken_before_reverting {
            rows.push(("Safety snapshot", format!("taken before the revert to {r}")));
            if let Some(undo) = &self.undo {
                rows.push(("Undo with", undo.clone()));
            }
        }
        let mut text = key_values_multi(&with_annotations(rows, &self.annotations), 0);
        let conditions = info.conditions.iter().map(|c| {
            vec![
                c.type_.clone(),
                c.status.clone(),
                c.reason.clone().unwrap_or_default(),
                age(c.last_transition, now),
                c.message.clone().unwrap_or_default(),
            ]
        });
        text.push_str(&crate::output::describe::table_section(
            "Conditions",
            &["type", "status", "reason", "age", "message"],
            conditions.collect(),
        ));
        // Like kubectl describe: events that cannot be read leave the section unknown.
        text.push_str(&events_section(
            self.events.as_deref(),
            &format!("VirtualMachineSnapshot/{}", info.name),
            now,
        ));
        text
    }

    fn names(&self) -> Vec<String> {
        vec![format!("{SNAPSHOT_RESOURCE}/{}", self.snapshot.name)]
    }

    fn api_objects(&self) -> Option<Value> {
        Some(self.raw.clone())
    }
}

/// `delete`: what was deleted, and what it did to the tree.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteReport {
    /// "client" or "server" for a dry run; null for a real run.
    dry_run: Option<&'static str>,
    items: Vec<DeletedItem>,
    kind: &'static str,
    platform: &'static str,
}

/// One snapshot deleted.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeletedItem {
    #[serde(serialize_with = "sorted")]
    effect: DeleteEffect,
    /// Confirmed gone (false with `--no-wait` and for dry runs).
    gone: bool,
    name: String,
    namespace: String,
    vm: Option<String>,
}

impl DeletedItem {
    pub(crate) fn new(snap: &Value, effect: DeleteEffect, gone: bool) -> DeletedItem {
        DeletedItem {
            effect,
            gone,
            name: name(snap).to_owned(),
            namespace: crate::cluster::json::namespace(snap).to_owned(),
            vm: str_at(snap, "/spec/vmName").map(str::to_owned),
        }
    }
}

impl DeleteReport {
    pub(crate) fn new(items: Vec<DeletedItem>, dry_run: Option<&'static str>) -> DeleteReport {
        DeleteReport {
            dry_run,
            items,
            kind: "SnapshotDelete",
            platform: PLATFORM,
        }
    }
}

impl View for DeleteReport {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let note = self.dry_run.map(|d| format!(" ({})", dry_run_words(d)));
        self.names()
            .iter()
            .zip(&self.items)
            .map(|(n, i)| deleted_line(n, i.gone, note.as_deref()))
            .collect()
    }

    fn names(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| format!("{SNAPSHOT_RESOURCE}/{}", i.name))
            .collect()
    }
}

/// `restore VM --snapshot S`: the revert run (or planned).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevertReport {
    /// "client" or "server" for a dry run; null for a real run.
    dry_run: Option<&'static str>,
    kind: &'static str,
    namespace: String,
    next_steps: Vec<String>,
    notes: Vec<String>,
    platform: &'static str,
    /// The VM's power state after the revert (as expected, until waited for).
    power_state: String,
    safety_snapshot: Option<String>,
    snapshot: String,
    undo: Option<String>,
    vm: String,
    waited: bool,
}

/// What a revert did or will do, for its report.
pub(crate) struct Reverted {
    pub namespace: String,
    pub vm: String,
    pub snapshot: String,
    pub power_state: String,
    /// The safety snapshot and the command that undoes the revert.
    pub safety: Option<(String, String)>,
    pub notes: Vec<String>,
}

impl RevertReport {
    pub(crate) fn new(r: Reverted, dry_run: Option<&'static str>, waited: bool) -> RevertReport {
        let (ns, vm) = (&r.namespace, &r.vm);
        let mut steps = Vec::new();
        if dry_run.is_none() {
            if !waited {
                steps.push(format!(
                    "{}   # follow the revert (spec.currentSnapshotName clears when done)",
                    super::commands::kubectl_get_vm(ns, vm)
                ));
            }
            steps.push(format!("kubectl vmsnap tree {vm} -n {ns}"));
            if waited && r.power_state != "PoweredOn" {
                steps.push(format!(
                    "kubectl patch {} {vm} -n {ns} --type merge -p '{{\"spec\":{{\"powerState\":\"PoweredOn\"}}}}'   # power it on",
                    Kind::VirtualMachine.qualified()
                ));
            }
        }
        let (safety_snapshot, undo) = r.safety.unzip();
        RevertReport {
            dry_run,
            kind: "SnapshotRevert",
            namespace: r.namespace,
            next_steps: steps,
            notes: r.notes,
            platform: PLATFORM,
            power_state: r.power_state,
            safety_snapshot,
            snapshot: r.snapshot,
            undo,
            vm: r.vm,
            waited,
        }
    }
}

impl View for RevertReport {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (ns, vm, s) = (&self.namespace, &self.vm, &self.snapshot);
        let headline = match (self.dry_run, self.waited) {
            (Some(d), _) => format!(
                "VM {ns}/{vm} would be reverted to {s} ({})",
                dry_run_words(d)
            ),
            (None, true) => format!("VM {ns}/{vm} reverted to {s}"),
            (None, false) => format!("Revert of VM {ns}/{vm} to {s} requested"),
        };
        let mut text = format!("{headline}\n");
        let mut rows: Vec<(&str, String)> = vec![("Power state", self.power_state.clone())];
        if let (Some(safety), Some(undo)) = (&self.safety_snapshot, &self.undo) {
            rows.push(("Safety snapshot", safety.clone()));
            rows.push(("Undo", undo.clone()));
        }
        text.push_str(&key_values(&rows, 2));
        next_steps(&mut text, &self.next_steps);
        text
    }

    fn names(&self) -> Vec<String> {
        vec![format!("{VM_RESOURCE}/{}", self.vm)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::vmoperator::api::build_tree;
    use serde_json::json;

    /// Every object's keys in `v` are in byte order, as the schema has always printed them.
    fn assert_sorted(v: &Value, at: &str) {
        match v {
            Value::Object(m) => {
                let keys: Vec<&String> = m.keys().collect();
                let mut want = keys.clone();
                want.sort();
                assert_eq!(keys, want, "keys out of order at {at}");
                for (k, x) in m {
                    assert_sorted(x, &format!("{at}/{k}"));
                }
            }
            Value::Array(a) => a.iter().for_each(|x| assert_sorted(x, at)),
            _ => {}
        }
    }

    /// The printed JSON, parsed back with its key order kept (`to_value` would sort it).
    fn printed(report: &Report) -> Vec<(String, Value)> {
        let text = serde_json::to_string(report).expect("json");
        // serde_json's Map is sorted; read the top-level order from the text instead.
        let v: Value = serde_json::from_str(&text).expect("parse");
        let mut keys: Vec<(usize, String)> = v
            .as_object()
            .expect("object")
            .keys()
            .map(|k| (text.find(&format!("\"{k}\":")).expect("key"), k.clone()))
            .collect();
        keys.sort();
        keys.into_iter()
            .map(|(_, k)| (k.clone(), v[&k].clone()))
            .collect()
    }

    fn snap() -> Value {
        json!({
            "metadata": {"name": "s1", "namespace": "ns", "uid": "u1",
                         "labels": {"b": "2", "a": "1"}},
            "spec": {"vmName": "vm1", "memory": true},
            "status": {"powerState": "PoweredOn"},
        })
    }

    fn tree() -> SnapshotTree {
        build_tree(
            &json!({"metadata": {"name": "vm1", "namespace": "ns"}}),
            &[snap()],
        )
    }

    #[test]
    fn every_report_prints_its_keys_in_alphabetical_order_with_the_platform() {
        let requested = Requested {
            memory: true,
            quiesce_timeout: None,
            power: "PoweredOn".into(),
        };
        let reports = [
            Report::Create(Box::new(CreateReport::new(
                &snap(),
                requested,
                None,
                false,
                tree(),
                vec![],
            ))),
            Report::Describe(Box::new(DescribeReport::new(
                snap(),
                None,
                tree(),
                Some(Vec::new()),
            ))),
            Report::Delete(DeleteReport::new(
                vec![DeletedItem::new(
                    &snap(),
                    crate::platform::vmoperator::api::delete_effect(&tree(), "s1"),
                    true,
                )],
                Some("client"),
            )),
            Report::Revert(Box::new(RevertReport::new(
                Reverted {
                    namespace: "ns".into(),
                    vm: "vm1".into(),
                    snapshot: "s1".into(),
                    power_state: "PoweredOff".into(),
                    safety: None,
                    notes: vec![],
                },
                None,
                true,
            ))),
            Report::Tree(TreeReport::new(tree(), Default::default())),
            Report::List(ListReport::new(vec![], Some("ns".into()), None, vec![])),
        ];
        for r in &reports {
            let pairs = printed(r);
            let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            assert_eq!(keys, want, "top-level keys of {r:?}");
            assert!(pairs.contains(&("platform".into(), json!("vmoperator"))));
            for (k, v) in &pairs {
                assert_sorted(v, k);
            }
        }
    }

    #[test]
    fn list_and_describe_hand_over_the_objects_as_read_and_actions_do_not() {
        let describe = Report::Describe(Box::new(DescribeReport::new(
            snap(),
            None,
            tree(),
            Some(Vec::new()),
        )));
        assert_eq!(describe.api_objects(), Some(snap()));
        let list = Report::List(ListReport::new(vec![], None, None, vec![snap()]));
        assert_eq!(list.api_objects(), Some(api_list(vec![snap()])));
        let delete = Report::Delete(DeleteReport::new(vec![], None));
        assert_eq!(delete.api_objects(), None);
    }
}
