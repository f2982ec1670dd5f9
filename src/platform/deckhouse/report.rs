//! What the Deckhouse commands hand to the output layer: one typed report per result, each a
//! [`View`] (the `-o json|yaml` schema, the text for people, `-o name`, the API objects).
//!
//! The schema's keys have always been sorted alphabetically (it was built with `json!`), so
//! every struct declares its fields in the order of their JSON names, and values of other
//! modules' types nested in it are written through [`sorted`].

use jiff::Timestamp;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::cluster::json::{str_at, string_map, time_at};
use crate::flow::follow::WaitReport;
use crate::flow::readiness_table::ReadinessTable;
use crate::flow::retention::{Decision, DeletedSnapshot};
use crate::model::event::EventInfo;
use crate::model::quantity::human_bytes;
use crate::model::{Condition, SnapshotInfo};
use crate::output::describe::{events_section, with_annotations};
use crate::output::label_columns::LabelColumns;
use crate::output::{
    RenderOptions, Table, View, age, api_list, deleted_line, dry_run_words, join_or_none,
    key_values, key_values_multi, namespace_cells, next_steps,
};
use crate::platform::deckhouse::api::operations::{Conflict, OPERATIONS_ARE_NOT_HISTORY};
use crate::platform::deckhouse::api::preflight::{
    Finding, GUEST_PREPARATION, VmSnapshotPreflight, starts_on_creation,
};
use crate::platform::deckhouse::api::resources::GROUP;
use crate::platform::deckhouse::api::{
    BlockDevice, DeckhouseConsistency, DiskSnapshotInfo, Kind, OperationInfo, SnapshotDetails,
    disk_snapshot_info, disk_snapshot_size, snapshot_details,
};

/// The `"platform"` of every report.
const PLATFORM: &str = "deckhouse";

/// The result of one Deckhouse command.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum Report {
    /// `create VM` (also its `--dry-run`)
    Create(Box<SnapshotCreate>),
    /// `create --disk DISK` (also its `--dry-run`)
    CreateDisk(Box<DiskSnapshotCreate>),
    /// `list [VM]`
    List(Box<SnapshotList>),
    /// `list --disks [DISK]`
    ListDisks(Box<DiskSnapshotList>),
    /// `describe` of a VM snapshot
    Describe(Box<SnapshotDetail>),
    /// `describe` of a disk snapshot
    DescribeDisk(Box<DiskSnapshotDetail>),
    /// `delete`
    Delete(Box<SnapshotDelete>),
    /// `restore` (also its `--dry-run`)
    Restore(Box<SnapshotRestore>),
    /// `restore-disk` (also its `--dry-run`)
    RestoreDisk(Box<DiskSnapshotRestore>),
    /// `clone` (also its `--dry-run`)
    Clone(Box<SnapshotClone>),
    /// `check`
    Check(Box<ReadinessTable>),
    /// `prune` (also its `--dry-run`)
    Prune(Box<SnapshotPrune>),
    /// `wait`
    Wait(WaitReport),
}

/// Calls `$call` on whichever report `$r` holds.
macro_rules! each {
    ($r:expr, $v:ident => $call:expr) => {
        match $r {
            Report::Create($v) => $call,
            Report::CreateDisk($v) => $call,
            Report::List($v) => $call,
            Report::ListDisks($v) => $call,
            Report::Describe($v) => $call,
            Report::DescribeDisk($v) => $call,
            Report::Delete($v) => $call,
            Report::Restore($v) => $call,
            Report::RestoreDisk($v) => $call,
            Report::Clone($v) => $call,
            Report::Check($v) => $call,
            Report::Prune($v) => $call,
            Report::Wait($v) => $call,
        }
    };
}

impl View for Report {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        each!(self, r => r.human(now, wide, opts))
    }

    fn names(&self) -> Vec<String> {
        each!(self, r => r.names())
    }

    fn api_objects(&self) -> Option<Value> {
        each!(self, r => r.api_objects())
    }
}

/// Writes `value` with its keys sorted, as the schema always had them (a `json!` object).
fn sorted<T: Serialize, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(value)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

/// `kind.group/name`, as `kubectl get -o name` prints it.
pub(crate) fn resource_name(kind: Kind, name: &str) -> String {
    format!("{}.{GROUP}/{name}", kind.kind().to_lowercase())
}

/// The line of a dry run that would have created `what`.
fn would_be_created(what: &str, mode: &str) -> String {
    format!("{what} would be created ({})\n", dry_run_words(mode))
}

/// A phase as the tables show it (an object without status is Pending).
fn phase(obj: &Value) -> &str {
    str_at(obj, "/status/phase").unwrap_or("Pending")
}

fn size_cell(b: Option<u64>) -> String {
    b.map(human_bytes).unwrap_or_else(|| "-".into())
}

/// A disk snapshot's CONSISTENT cell.
fn consistent_cell(c: DeckhouseConsistency) -> &'static str {
    match c {
        DeckhouseConsistency::Consistent => "true",
        DeckhouseConsistency::NotGuaranteed => "false",
        DeckhouseConsistency::Unknown => "-",
    }
}

/// A disk snapshot's consistency in words.
fn disk_consistency(c: DeckhouseConsistency) -> String {
    match c {
        DeckhouseConsistency::Consistent => "consistent: the disk was not in use, its VM was \
                                             stopped, or the file systems were frozen"
            .to_owned(),
        other => other.explain().to_owned(),
    }
}

/// Lines indented under a heading.
fn indented(out: &mut String, text: &str, indent: &str) {
    for line in text.lines() {
        out.push_str(&format!("{indent}{line}\n"));
    }
}

// ---------------------------------------------------------------------------------------
// create

/// `create VM`: the VM snapshot taken (or, with `--dry-run`, the object it would create).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotCreate {
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub details: Option<SnapshotDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    pub kind: &'static str,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<String>>,
    /// The object as it would be created (dry runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
    pub platform: &'static str,
    #[serde(serialize_with = "sorted")]
    pub preflight: VmSnapshotPreflight,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub snapshot: Option<SnapshotInfo>,
    pub vm: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited: Option<bool>,
    /// The snapshot's name.
    #[serde(skip)]
    pub name: String,
    /// The snapshot as last read (None: not waited for).
    #[serde(skip)]
    pub object_read: Option<Value>,
    /// The VM was stopped for the snapshot: Some(started again).
    #[serde(skip)]
    pub stopped: Option<bool>,
}

impl SnapshotCreate {
    /// The report's fixed part; the command fills in the outcome.
    pub fn new(ns: &str, vm: &str, name: &str, preflight: VmSnapshotPreflight) -> Self {
        SnapshotCreate {
            details: None,
            dry_run: None,
            kind: "SnapshotCreate",
            namespace: ns.to_owned(),
            next_steps: None,
            object: None,
            platform: PLATFORM,
            preflight,
            snapshot: None,
            vm: vm.to_owned(),
            waited: None,
            name: name.to_owned(),
            object_read: None,
            stopped: None,
        }
    }
}

impl View for SnapshotCreate {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (snap, ns, vm) = (&self.name, &self.namespace, &self.vm);
        let what = format!("Snapshot {snap} of VM {ns}/{vm}");
        if let Some(mode) = self.dry_run {
            return would_be_created(&what, mode);
        }
        let mut text = match &self.object_read {
            Some(s) if phase(s) == "Ready" => {
                let size = self.snapshot.as_ref().and_then(|i| i.size_bytes);
                format!(
                    "{what} is ready\n{}",
                    snapshot_pairs(s, &self.preflight.images, size)
                )
            }
            _ => format!("{what} created (not waited for)\n"),
        };
        if let Some(started) = self.stopped {
            text.push_str(&format!(
                "  VM: {}\n",
                if started {
                    "stopped for the snapshot and started again"
                } else {
                    "stopped for the snapshot; still stopped"
                }
            ));
        }
        next_steps(&mut text, self.next_steps.as_deref().unwrap_or_default());
        text
    }

    fn names(&self) -> Vec<String> {
        vec![resource_name(Kind::VirtualMachineSnapshot, &self.name)]
    }
}

/// Phase, consistency and what a Ready VM snapshot saved.
fn snapshot_pairs(s: &Value, images: &[BlockDevice], size: Option<u64>) -> String {
    let d = snapshot_details(s);
    let saved: Vec<String> = d
        .resources
        .iter()
        .map(|r| format!("{} {}", r.kind, r.name))
        .collect();
    let mut pairs = vec![
        ("Phase", phase(s).to_owned()),
        ("Consistency", d.consistency.explain().to_owned()),
        (
            "Size",
            size.map(human_bytes).unwrap_or_else(|| "<unknown>".into()),
        ),
        ("Keep IP", d.keep_ip_address.clone()),
        ("Saved", join_or_none(&saved, ", ")),
        ("Disk snapshots", d.disk_snapshots.join(", ")),
    ];
    if !images.is_empty() {
        let imgs: Vec<String> = images
            .iter()
            .map(|i| format!("{} {}", i.kind, i.name))
            .collect();
        pairs.push(("Not saved", imgs.join(", ")));
    }
    key_values(&pairs, 2)
}

/// `create --disk DISK`: the disk snapshot taken (or, with `--dry-run`, the object).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DiskSnapshotCreate {
    pub disk: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    #[serde(serialize_with = "sorted")]
    pub findings: Vec<Finding>,
    pub kind: &'static str,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
    pub platform: &'static str,
    /// The restore size once Ready (null when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Option<String>>,
    /// The disk snapshot once Ready.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub snapshot: Option<DiskSnapshotInfo>,
    /// The disk snapshot's name.
    #[serde(skip)]
    pub name: String,
}

impl DiskSnapshotCreate {
    /// The report's fixed part; the command fills in the outcome.
    pub fn new(ns: &str, disk: &str, name: &str, findings: Vec<Finding>) -> Self {
        DiskSnapshotCreate {
            disk: disk.to_owned(),
            dry_run: None,
            findings,
            kind: "DiskSnapshotCreate",
            namespace: ns.to_owned(),
            next_steps: None,
            object: None,
            platform: PLATFORM,
            size: None,
            snapshot: None,
            name: name.to_owned(),
        }
    }
}

impl View for DiskSnapshotCreate {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let what = format!(
            "Disk snapshot {} of VirtualDisk {}/{}",
            self.name, self.namespace, self.disk
        );
        if let Some(mode) = self.dry_run {
            return would_be_created(&what, mode);
        }
        let mut text = match &self.snapshot {
            None => format!("{what} created (not waited for)\n"),
            Some(i) => {
                let size = self.size.clone().flatten();
                let pairs = [
                    ("Phase", "Ready".to_owned()),
                    ("Consistency", disk_consistency(i.consistency)),
                    ("Size", size.unwrap_or_else(|| "-".into())),
                    (
                        "VolumeSnapshot",
                        i.volume_snapshot.clone().unwrap_or_else(|| "<none>".into()),
                    ),
                ];
                format!("{what} is ready\n{}", key_values(&pairs, 2))
            }
        };
        next_steps(&mut text, self.next_steps.as_deref().unwrap_or_default());
        text
    }

    fn names(&self) -> Vec<String> {
        vec![resource_name(Kind::VirtualDiskSnapshot, &self.name)]
    }
}

// ---------------------------------------------------------------------------------------
// list

/// One row of `list`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListedSnapshot {
    #[serde(serialize_with = "sorted")]
    pub details: SnapshotDetails,
    #[serde(serialize_with = "sorted")]
    pub snapshot: SnapshotInfo,
    /// The VirtualMachineSnapshot as read.
    #[serde(skip)]
    pub object: Value,
}

/// `list [VM]`: VM snapshots (clone temporaries left out).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SnapshotList {
    pub items: Vec<ListedSnapshot>,
    pub kind: &'static str,
    /// The namespace listed; absent with `-A`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub platform: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// `-L` and `--show-labels` columns.
    #[serde(skip)]
    pub label_columns: LabelColumns,
}

impl SnapshotList {
    pub fn new(namespace: Option<&str>, vm: Option<&str>, items: Vec<ListedSnapshot>) -> Self {
        SnapshotList {
            items,
            kind: "SnapshotList",
            namespace: namespace.map(str::to_owned),
            platform: PLATFORM,
            vm: vm.map(str::to_owned),
            label_columns: LabelColumns::default(),
        }
    }
}

/// The headers of a list table: a NAMESPACE column first with `-A`, `extra` with `-o wide`,
/// then the label columns.
fn list_table(
    columns: &[&str],
    extra: &[&str],
    all: bool,
    wide: bool,
    labels: &LabelColumns,
) -> Table {
    let mut headers = Vec::new();
    if all {
        headers.push("namespace");
    }
    headers.extend(columns);
    if wide {
        headers.extend(extra);
    }
    let label_headers = labels.headers();
    headers.extend(label_headers.iter().map(String::as_str));
    Table::new(&headers)
}

impl SnapshotList {
    /// The table of `list`: its headers, and a row per snapshot (`list -w` prints them one
    /// at a time).
    pub(crate) fn table(&self, now: Timestamp, wide: bool) -> Table {
        let all = self.namespace.is_none();
        let mut t = list_table(
            &["name", "vm", "phase", "consistency", "size", "age"],
            &["required", "keep-ip", "disk-snapshots"],
            all,
            wide,
            &self.label_columns,
        );
        for ListedSnapshot {
            details: d,
            snapshot: info,
            object: s,
        } in &self.items
        {
            let mut row = namespace_cells(all, &info.namespace);
            row.extend([
                info.name.clone(),
                info.vm.clone(),
                phase(s).to_owned(),
                match d.consistency {
                    DeckhouseConsistency::Consistent => "consistent",
                    DeckhouseConsistency::NotGuaranteed => "not-guaranteed",
                    DeckhouseConsistency::Unknown => "-",
                }
                .to_owned(),
                size_cell(info.size_bytes),
                age(time_at(s, "/metadata/creationTimestamp"), now),
            ]);
            if wide {
                row.extend([
                    d.required_consistency.to_string(),
                    d.keep_ip_address.clone(),
                    join_or_none(&d.disk_snapshots, ","),
                ]);
            }
            row.extend(self.label_columns.cells(&string_map(s, "/metadata/labels")));
            t.row(row);
        }
        t
    }
}

impl View for SnapshotList {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        self.table(now, wide).render_list(!opts.no_headers)
    }

    fn names(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| resource_name(Kind::VirtualMachineSnapshot, &i.snapshot.name))
            .collect()
    }

    fn api_objects(&self) -> Option<Value> {
        Some(api_list(
            self.items.iter().map(|i| i.object.clone()).collect(),
        ))
    }
}

/// One row of `list --disks`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListedDiskSnapshot {
    #[serde(serialize_with = "sorted")]
    pub disk_snapshot: DiskSnapshotInfo,
    pub size_bytes: Option<u64>,
    /// The VirtualDiskSnapshot as read.
    #[serde(skip)]
    pub object: Value,
}

/// `list --disks [DISK]`: disk snapshots.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DiskSnapshotList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    pub items: Vec<ListedDiskSnapshot>,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub platform: &'static str,
    /// `-L` and `--show-labels` columns.
    #[serde(skip)]
    pub label_columns: LabelColumns,
}

impl DiskSnapshotList {
    pub fn new(
        namespace: Option<&str>,
        disk: Option<&str>,
        items: Vec<ListedDiskSnapshot>,
    ) -> Self {
        DiskSnapshotList {
            disk: disk.map(str::to_owned),
            items,
            kind: "DiskSnapshotList",
            namespace: namespace.map(str::to_owned),
            platform: PLATFORM,
            label_columns: LabelColumns::default(),
        }
    }
}

impl View for DiskSnapshotList {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        let all = self.namespace.is_none();
        let mut t = list_table(
            &["name", "disk", "phase", "consistent", "size", "age"],
            &["vm-snapshot", "volumesnapshot"],
            all,
            wide,
            &self.label_columns,
        );
        for ListedDiskSnapshot {
            disk_snapshot: i,
            size_bytes,
            object,
        } in &self.items
        {
            let mut row = namespace_cells(all, &i.namespace);
            row.extend([
                i.name.clone(),
                i.disk.clone(),
                phase(object).to_owned(),
                consistent_cell(i.consistency).to_owned(),
                size_cell(*size_bytes),
                age(i.created, now),
            ]);
            if wide {
                row.extend([
                    i.vm_snapshot.clone().unwrap_or_else(|| "<none>".into()),
                    i.volume_snapshot.clone().unwrap_or_else(|| "<none>".into()),
                ]);
            }
            row.extend(
                self.label_columns
                    .cells(&string_map(object, "/metadata/labels")),
            );
            t.row(row);
        }
        t.render_list(!opts.no_headers)
    }

    fn names(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| resource_name(Kind::VirtualDiskSnapshot, &i.disk_snapshot.name))
            .collect()
    }

    fn api_objects(&self) -> Option<Value> {
        Some(api_list(
            self.items.iter().map(|i| i.object.clone()).collect(),
        ))
    }
}

// ---------------------------------------------------------------------------------------
// describe

fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!("{t} ({} ago)", age(Some(t), now)),
        None => "<unknown>".into(),
    }
}

fn labels(v: &Value) -> String {
    let l = string_map(v, "/metadata/labels");
    if l.is_empty() {
        return "<none>".into();
    }
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn conditions(out: &mut String, conds: &[Condition]) {
    let rows = conds.iter().map(|c| {
        vec![
            c.type_.clone(),
            c.status.clone(),
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default(),
        ]
    });
    out.push_str(&crate::output::describe::table_section(
        "Conditions",
        &["type", "status", "reason", "message"],
        rows.collect(),
    ));
}

/// `describe` of a VM snapshot.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotDetail {
    /// The snapshot's annotations (the console's `description` among them).
    pub annotations: std::collections::BTreeMap<String, String>,
    #[serde(serialize_with = "sorted")]
    pub details: SnapshotDetails,
    /// Events about the snapshot and its disk snapshots, oldest first; null when they could
    /// not be read.
    #[serde(serialize_with = "sorted")]
    pub events: Option<Vec<EventInfo>>,
    pub kind: &'static str,
    pub platform: &'static str,
    #[serde(serialize_with = "sorted")]
    pub snapshot: SnapshotInfo,
    pub vm_exists: bool,
    /// The VirtualMachineSnapshot as read.
    #[serde(skip)]
    pub object: Value,
    /// The namespace's VirtualDiskSnapshots (its own are looked up by name).
    #[serde(skip)]
    pub disk_snapshots: Vec<Value>,
    /// The namespace's CSI VolumeSnapshots (for sizes).
    #[serde(skip)]
    pub volume_snapshots: Vec<Value>,
}

impl SnapshotDetail {
    pub fn new(
        object: Value,
        snapshot: SnapshotInfo,
        vm_exists: bool,
        disk_snapshots: Vec<Value>,
        volume_snapshots: Vec<Value>,
        events: Option<Vec<EventInfo>>,
    ) -> Self {
        SnapshotDetail {
            annotations: string_map(&object, "/metadata/annotations"),
            details: snapshot_details(&object),
            events,
            kind: "SnapshotDetail",
            platform: PLATFORM,
            snapshot,
            vm_exists,
            object,
            disk_snapshots,
            volume_snapshots,
        }
    }

    /// The table of the snapshot's disk snapshots.
    fn disk_snapshot_rows(&self, out: &mut String) {
        out.push_str("Disk Snapshots:\n");
        if self.details.disk_snapshots.is_empty() {
            out.push_str("  <none>\n");
            return;
        }
        let mut t = Table::new(&["name", "disk", "phase", "consistent", "size"]);
        for n in &self.details.disk_snapshots {
            let found = self
                .disk_snapshots
                .iter()
                .find(|v| crate::cluster::json::name(v) == n.as_str());
            t.row(match found {
                Some(v) => {
                    let i = disk_snapshot_info(v);
                    vec![
                        n.clone(),
                        i.disk.clone(),
                        phase(v).to_owned(),
                        consistent_cell(i.consistency).to_owned(),
                        size_cell(disk_snapshot_size(v, &self.volume_snapshots)),
                    ]
                }
                None => vec![
                    n.clone(),
                    "-".into(),
                    "<missing>".into(),
                    "-".into(),
                    "-".into(),
                ],
            });
        }
        indented(out, &t.render(true), "  ");
    }
}

impl View for SnapshotDetail {
    fn human(&self, now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (info, d, snap) = (&self.snapshot, &self.details, &self.object);
        let mut pairs = vec![
            ("Name", info.name.clone()),
            ("Namespace", info.namespace.clone()),
            ("Labels", labels(snap)),
            (
                "Source VM",
                if self.vm_exists {
                    info.vm.clone()
                } else {
                    format!("{} (no longer exists)", info.vm)
                },
            ),
            ("Phase", phase(snap).to_owned()),
        ];
        if let Some(m) = d.message.as_ref().filter(|m| !m.is_empty()) {
            pairs.push(("Message", m.clone()));
        }
        pairs.extend([
            ("Created", when(info.created, now)),
            ("Ready Since", when(info.creation_time, now)),
            ("Required Consistency", d.required_consistency.to_string()),
            ("Consistency", d.consistency.explain().to_owned()),
            ("Keep IP Address", d.keep_ip_address.clone()),
            (
                "Size",
                info.size_bytes
                    .map(human_bytes)
                    .unwrap_or_else(|| "<unknown>".into()),
            ),
            (
                "Secret",
                d.secret.clone().unwrap_or_else(|| "<none>".into()),
            ),
        ]);
        // A safety snapshot says which restore it preceded and how to undo that restore.
        if crate::flow::safety::is_safety_snapshot(&string_map(snap, "/metadata/labels")) {
            let ann = string_map(snap, "/metadata/annotations");
            let restoring = ann
                .get(crate::flow::safety::RESTORING_ANNOTATION)
                .cloned()
                .unwrap_or_else(|| "<unknown>".into());
            pairs.push((
                "Safety Snapshot",
                format!("taken by kubectl vmsnap before restoring the VM from {restoring}"),
            ));
            if let Some(undo) = ann.get(crate::flow::safety::UNDO_ANNOTATION) {
                pairs.push(("Undo", undo.clone()));
            }
        }
        if d.clone_temporary {
            pairs.push((
                "Made by",
                "a Clone operation (temporary: deleted when the clone finishes)".into(),
            ));
        }
        let mut out = key_values_multi(&with_annotations(pairs, &self.annotations), 0);
        out.push_str("Saved Resources:\n");
        if d.resources.is_empty() {
            out.push_str("  <none> (filled in once the snapshot is Ready)\n");
        } else {
            let mut t = Table::new(&["kind", "name", "apiversion"]);
            for r in &d.resources {
                t.row(vec![r.kind.clone(), r.name.clone(), r.api_version.clone()]);
            }
            indented(&mut out, &t.render(true), "  ");
        }
        self.disk_snapshot_rows(&mut out);
        out.push_str(
            "Not saved: attached VirtualImages and ClusterVirtualImages (a restore needs them to still exist)\n",
        );
        conditions(&mut out, &info.conditions);
        // Like kubectl describe: events that cannot be read leave the section unknown.
        out.push_str(&events_section(
            self.events.as_deref(),
            &format!("VirtualMachineSnapshot/{}", info.name),
            now,
        ));
        out
    }

    fn names(&self) -> Vec<String> {
        vec![resource_name(
            Kind::VirtualMachineSnapshot,
            &self.snapshot.name,
        )]
    }

    fn api_objects(&self) -> Option<Value> {
        Some(self.object.clone())
    }
}

/// `describe` of a disk snapshot.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DiskSnapshotDetail {
    #[serde(serialize_with = "sorted")]
    pub disk_snapshot: DiskSnapshotInfo,
    pub kind: &'static str,
    pub platform: &'static str,
    pub size_bytes: Option<u64>,
    /// The VirtualDiskSnapshot as read.
    #[serde(skip)]
    pub object: Value,
}

impl DiskSnapshotDetail {
    pub fn new(object: Value, size_bytes: Option<u64>) -> Self {
        DiskSnapshotDetail {
            disk_snapshot: disk_snapshot_info(&object),
            kind: "DiskSnapshotDetail",
            platform: PLATFORM,
            size_bytes,
            object,
        }
    }
}

impl View for DiskSnapshotDetail {
    fn human(&self, now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let i = &self.disk_snapshot;
        let mut pairs = vec![
            ("Name", i.name.clone()),
            ("Namespace", i.namespace.clone()),
            ("Kind", "VirtualDiskSnapshot".to_owned()),
            ("Labels", labels(&self.object)),
            ("Source Disk", i.disk.clone()),
            ("Phase", phase(&self.object).to_owned()),
        ];
        if let Some(m) = i.message.as_ref().filter(|m| !m.is_empty()) {
            pairs.push(("Message", m.clone()));
        }
        pairs.extend([
            ("Created", when(i.created, now)),
            ("Required Consistency", i.required_consistency.to_string()),
            ("Consistency", disk_consistency(i.consistency)),
            (
                "Size",
                self.size_bytes
                    .map(human_bytes)
                    .unwrap_or_else(|| "<unknown>".into()),
            ),
            (
                "VolumeSnapshot",
                i.volume_snapshot.clone().unwrap_or_else(|| "<none>".into()),
            ),
            (
                "Part of",
                i.vm_snapshot
                    .as_ref()
                    .map(|s| format!("VM snapshot {s}"))
                    .unwrap_or_else(|| "<none> (a disk snapshot of its own)".into()),
            ),
        ]);
        let mut out = key_values(&pairs, 0);
        conditions(&mut out, &i.conditions);
        out.push_str(&format!(
            "Restore it into a new disk with: kubectl vmsnap restore-disk {} --to {}-restored -n {}\n",
            i.name, i.disk, i.namespace
        ));
        out
    }

    fn names(&self) -> Vec<String> {
        vec![resource_name(
            Kind::VirtualDiskSnapshot,
            &self.disk_snapshot.name,
        )]
    }

    fn api_objects(&self) -> Option<Value> {
        Some(self.object.clone())
    }
}

// ---------------------------------------------------------------------------------------
// delete

/// One snapshot named to `delete`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DeletedItem {
    /// Confirmed gone (false with `--no-wait` and dry runs).
    pub gone: bool,
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
    /// `vm/NAME` or `disk/NAME`.
    pub source: String,
}

/// `delete`: the snapshots deleted.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotDelete {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    pub items: Vec<DeletedItem>,
    pub kind: &'static str,
    pub platform: &'static str,
}

impl SnapshotDelete {
    pub fn new(dry_run: Option<&'static str>, items: Vec<DeletedItem>) -> Self {
        SnapshotDelete {
            dry_run,
            items,
            kind: "SnapshotDelete",
            platform: PLATFORM,
        }
    }
}

impl View for SnapshotDelete {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let note = self
            .dry_run
            .map(|mode| format!(" ({})", dry_run_words(mode)));
        self.names()
            .iter()
            .zip(&self.items)
            .map(|(n, i)| deleted_line(n, i.gone, note.as_deref()))
            .collect()
    }

    fn names(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| format!("{}.{GROUP}/{}", i.kind.to_lowercase(), i.name))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// restore

/// `restore`: the Restore operation run (or checked by a DryRun operation, or planned).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotRestore {
    /// What the DryRun operation found in the way.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub conflicts: Option<Vec<Conflict>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub dry_run_operation: Option<OperationInfo>,
    pub kind: &'static str,
    pub mode: &'static str,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<String>>,
    /// The Restore operation's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    pub platform: &'static str,
    /// The Restore operation once finished.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub result: Option<OperationInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_snapshot: Option<String>,
    pub snapshot: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<String>,
    pub vm: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vm_status: Option<String>,
    /// This command started the VM after the restore (`--start-after`).
    #[serde(skip)]
    pub started: bool,
}

impl SnapshotRestore {
    pub fn new(ns: &str, vm: &str, snapshot: &str, mode: &'static str) -> Self {
        SnapshotRestore {
            conflicts: None,
            dry_run: None,
            dry_run_operation: None,
            kind: "SnapshotRestore",
            mode,
            namespace: ns.to_owned(),
            next_steps: None,
            operation: None,
            platform: PLATFORM,
            result: None,
            safety_snapshot: None,
            snapshot: snapshot.to_owned(),
            undo: None,
            vm: vm.to_owned(),
            vm_status: None,
            started: false,
        }
    }
}

/// "(dry run)", or "(server dry run: checked by the DryRun operation OP)".
fn dry_run_checked(mode: &str, dry_operation: Option<&OperationInfo>) -> String {
    match dry_operation {
        Some(op) if mode == "server" => format!(
            "(server dry run: checked by the DryRun operation {})",
            op.name
        ),
        _ => format!("({})", dry_run_words(mode)),
    }
}

impl View for SnapshotRestore {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (ns, vm, snap) = (&self.namespace, &self.vm, &self.snapshot);
        if let Some(mode) = self.dry_run {
            return format!(
                "VM {ns}/{vm} would be restored from snapshot {snap} {}\n",
                dry_run_checked(mode, self.dry_run_operation.as_ref())
            );
        }
        let op = self.operation.as_deref().unwrap_or_default();
        let steps = self.next_steps.as_deref().unwrap_or_default();
        let Some(result) = &self.result else {
            let mut text =
                format!("Restore of VM {ns}/{vm} from snapshot {snap} started (operation {op})\n");
            next_steps(&mut text, steps);
            return text;
        };
        let vm_now = self.vm_status.clone().unwrap_or_default();
        let mut out = format!("VM {ns}/{vm} restored from snapshot {snap}\n");
        let mut rp = vec![
            ("Operation", format!("{op} (Completed)")),
            ("Mode", self.mode.to_owned()),
            (
                "VM status",
                if self.started {
                    format!("{vm_now} (started after the restore)")
                } else {
                    vm_now
                },
            ),
        ];
        if let (Some(s), Some(undo)) = (&self.safety_snapshot, &self.undo) {
            rp.push(("Safety snapshot", s.clone()));
            rp.push(("Undo", undo.clone()));
        }
        out.push_str(&key_values(&rp, 2));
        if !result.resources.is_empty() {
            out.push_str("  Resources:\n");
            let mut t = Table::new(&["kind", "name", "status", "message"]);
            for r in &result.resources {
                t.row(vec![
                    r.kind.clone(),
                    r.name.clone(),
                    format!("{:?}", r.status),
                    r.message.clone(),
                ]);
            }
            indented(&mut out, &t.render(true), "    ");
        }
        next_steps(&mut out, steps);
        out.push_str(&format!("Note: {OPERATIONS_ARE_NOT_HISTORY}.\n"));
        out
    }

    fn names(&self) -> Vec<String> {
        self.operation
            .iter()
            .map(|op| resource_name(Kind::VirtualMachineOperation, op))
            .collect()
    }
}

/// `restore-disk`: the new VirtualDisk (or, with `--dry-run`, the object).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DiskSnapshotRestore {
    /// The new disk's capacity once Ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// The new disk.
    pub disk: String,
    pub disk_snapshot: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    pub kind: &'static str,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
    pub platform: &'static str,
    /// The size asked for.
    pub size: String,
    /// The new disk's StorageClass once Ready.
    #[serde(skip)]
    pub storage_class: Option<String>,
}

impl DiskSnapshotRestore {
    pub fn new(ns: &str, disk_snapshot: &str, disk: &str, size: &str) -> Self {
        DiskSnapshotRestore {
            capacity: None,
            disk: disk.to_owned(),
            disk_snapshot: disk_snapshot.to_owned(),
            dry_run: None,
            kind: "DiskSnapshotRestore",
            namespace: ns.to_owned(),
            next_steps: None,
            object: None,
            platform: PLATFORM,
            size: size.to_owned(),
            storage_class: None,
        }
    }
}

impl View for DiskSnapshotRestore {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (ns, to, snap) = (&self.namespace, &self.disk, &self.disk_snapshot);
        if let Some(mode) = self.dry_run {
            return would_be_created(
                &format!("VirtualDisk {ns}/{to} from disk snapshot {snap}"),
                mode,
            );
        }
        let mut text = match &self.capacity {
            None => {
                format!(
                    "VirtualDisk {ns}/{to} created from disk snapshot {snap} (not waited for)\n"
                )
            }
            Some(capacity) => {
                let pairs = [
                    ("Capacity", capacity.clone()),
                    (
                        "Storage class",
                        self.storage_class.clone().unwrap_or_else(|| "-".into()),
                    ),
                ];
                format!(
                    "VirtualDisk {ns}/{to} is ready, restored from disk snapshot {snap}\n{}",
                    key_values(&pairs, 2)
                )
            }
        };
        next_steps(&mut text, self.next_steps.as_deref().unwrap_or_default());
        text
    }

    fn names(&self) -> Vec<String> {
        vec![resource_name(Kind::VirtualDisk, &self.disk)]
    }
}

// ---------------------------------------------------------------------------------------
// clone

/// `clone`: the new VM (or the DryRun operation's verdict, or the plan).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotClone {
    /// What the operation created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub dry_run_operation: Option<OperationInfo>,
    /// The source is a VM, not a snapshot (`--from-vm`).
    pub from_vm: bool,
    pub kind: &'static str,
    pub mode: &'static str,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    pub platform: &'static str,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "sorted")]
    pub result: Option<OperationInfo>,
    /// The snapshot (or VM) cloned.
    pub source: String,
    /// The new VM.
    pub vm: String,
    /// Where the new VM came from, in words ("cloned from VM a").
    #[serde(skip)]
    pub origin: String,
    /// The operation's kind (VirtualMachineOperation or VirtualMachineSnapshotOperation).
    #[serde(skip)]
    pub operation_kind: Kind,
    /// The new VM's runPolicy once created (copied from the source).
    #[serde(skip)]
    pub run_policy: Option<String>,
}

impl View for SnapshotClone {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let (ns, vm, source) = (&self.namespace, &self.vm, &self.source);
        if let Some(mode) = self.dry_run {
            return format!(
                "VM {ns}/{vm} would be created from {source} {}\n",
                dry_run_checked(mode, self.dry_run_operation.as_ref())
            );
        }
        let op = self.operation.as_deref().unwrap_or_default();
        let steps = self.next_steps.as_deref().unwrap_or_default();
        let reminder = format!("Reminder: {GUEST_PREPARATION}.\n");
        let Some(created) = self.created.as_ref().filter(|_| self.result.is_some()) else {
            let mut text =
                format!("Clone of {source} into VM {ns}/{vm} started (operation {op})\n");
            next_steps(&mut text, steps);
            text.push_str(&reminder);
            return text;
        };
        let mut out = format!("VM {ns}/{vm} {}\n", self.origin);
        out.push_str(&key_values(
            &[
                ("Operation", format!("{op} (Completed)")),
                (
                    "Created",
                    if created.is_empty() {
                        vm.clone()
                    } else {
                        created.join(", ")
                    },
                ),
                ("Addresses", "new IP and MAC addresses".into()),
                (
                    "Power",
                    match self.run_policy.as_deref() {
                        Some(p) if starts_on_creation(p) => {
                            format!("started at once (runPolicy {p}, copied)")
                        }
                        Some(p) => format!("stopped (runPolicy {p})"),
                        None => "<unknown>".into(),
                    },
                ),
            ],
            2,
        ));
        out.push_str(&reminder);
        next_steps(&mut out, steps);
        out
    }

    fn names(&self) -> Vec<String> {
        match (&self.result, &self.operation) {
            (Some(_), _) => vec![resource_name(Kind::VirtualMachine, &self.vm)],
            (None, Some(op)) => vec![resource_name(self.operation_kind, op)],
            (None, None) => vec![],
        }
    }
}

// ---------------------------------------------------------------------------------------
// prune

/// `prune`: what the policy deletes and keeps, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SnapshotPrune {
    #[serde(serialize_with = "sorted")]
    pub delete: Vec<Decision>,
    /// What was deleted (empty for a client dry run).
    #[serde(serialize_with = "sorted")]
    pub deleted: Vec<DeletedSnapshot>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<&'static str>,
    #[serde(serialize_with = "sorted")]
    pub keep: Vec<Decision>,
    pub kind: &'static str,
    pub namespace: String,
    pub platform: &'static str,
    /// Waited until the deleted snapshots were gone.
    #[serde(skip)]
    pub waited: bool,
}

impl SnapshotPrune {
    pub fn new(
        ns: &str,
        dry_run: Option<&'static str>,
        delete: Vec<Decision>,
        keep: Vec<Decision>,
        waited: bool,
    ) -> Self {
        SnapshotPrune {
            delete,
            deleted: Vec::new(),
            dry_run,
            keep,
            kind: "SnapshotPrune",
            namespace: ns.to_owned(),
            platform: PLATFORM,
            waited,
        }
    }
}

impl View for SnapshotPrune {
    fn human(&self, _now: Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        let verb = match self.dry_run {
            Some("client") => "would be deleted",
            _ if self.waited => "deleted",
            _ => "deletion requested",
        };
        let suffix = self
            .dry_run
            .map(|m| format!(" ({})", dry_run_words(m)))
            .unwrap_or_default();
        let mut text: String = self
            .names()
            .iter()
            .map(|n| format!("{n} {verb}{suffix}\n"))
            .collect();
        text.push_str(&format!(
            "{} snapshot(s) {}, {} kept\n",
            self.delete.len(),
            if self.dry_run.is_none() {
                "deleted"
            } else {
                "to delete"
            },
            self.keep.len()
        ));
        text
    }

    fn names(&self) -> Vec<String> {
        self.delete
            .iter()
            .map(|d| resource_name(Kind::VirtualMachineSnapshot, &d.snapshot))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::retention::Rule;
    use crate::model::SnapshotPhase;
    use crate::platform::deckhouse::api::fixtures::{item, items};
    use crate::platform::deckhouse::api::operations::ConflictKind;
    use crate::platform::deckhouse::api::preflight::{ExpectedConsistency, Severity};
    use crate::platform::deckhouse::api::{operation_info, snapshot_info};

    fn now() -> Timestamp {
        "2026-08-21T10:00:00Z".parse().unwrap()
    }

    fn snapshot() -> Value {
        item("snapshots.yaml", "linux-vm-snapshot")
    }

    fn disk_snapshot() -> Value {
        items("disk-snapshots.yaml").remove(0)
    }

    fn operation() -> OperationInfo {
        operation_info(&items("operations.yaml").remove(0))
    }

    fn decision() -> Decision {
        Decision {
            namespace: "my-project".into(),
            vm: "linux-vm".into(),
            snapshot: "linux-vm-snapshot".into(),
            phase: SnapshotPhase::Succeeded,
            created: None,
            safety: false,
            rule: Rule::NewestSucceeded,
            reason: "the newest".into(),
        }
    }

    /// One report of every kind, every optional key present.
    fn every_report() -> Vec<Report> {
        let snap = snapshot();
        let info = snapshot_info(&snap, &[], &[]);
        let finding = Finding {
            severity: Severity::Warning,
            code: "x",
            message: "careful".into(),
        };
        let mut create = SnapshotCreate::new(
            "my-project",
            "linux-vm",
            "s1",
            VmSnapshotPreflight {
                expected: ExpectedConsistency::Frozen,
                disks: vec!["linux-vm-root".into()],
                images: vec![BlockDevice {
                    kind: "VirtualImage".into(),
                    name: "iso".into(),
                }],
                findings: vec![finding.clone()],
            },
        );
        create.details = Some(snapshot_details(&snap));
        create.dry_run = Some("server");
        create.next_steps = Some(vec!["x".into()]);
        create.object = Some(snap.clone());
        create.snapshot = Some(info.clone());
        create.waited = Some(true);
        let mut disk = DiskSnapshotCreate::new("my-project", "d", "ds", vec![finding]);
        disk.dry_run = Some("client");
        disk.next_steps = Some(vec![]);
        disk.object = Some(disk_snapshot());
        disk.size = Some(Some("10Gi".into()));
        disk.snapshot = Some(disk_snapshot_info(&disk_snapshot()));
        let listed = ListedSnapshot {
            details: snapshot_details(&snap),
            snapshot: info.clone(),
            object: snap.clone(),
        };
        let listed_disk = ListedDiskSnapshot {
            disk_snapshot: disk_snapshot_info(&disk_snapshot()),
            size_bytes: Some(1),
            object: disk_snapshot(),
        };
        let mut restore = SnapshotRestore::new("my-project", "linux-vm", "s1", "Strict");
        restore.conflicts = Some(vec![Conflict {
            kind: "VirtualDisk".into(),
            name: "d".into(),
            conflict: ConflictKind::Other,
            message: "m".into(),
        }]);
        restore.dry_run = Some("server");
        restore.dry_run_operation = Some(operation());
        restore.next_steps = Some(vec![]);
        restore.operation = Some("op".into());
        restore.result = Some(operation());
        restore.safety_snapshot = Some("safe".into());
        restore.undo = Some("undo".into());
        restore.vm_status = Some("Running".into());
        let mut restore_disk = DiskSnapshotRestore::new("my-project", "ds", "d2", "10Gi");
        restore_disk.capacity = Some("10Gi".into());
        restore_disk.dry_run = Some("client");
        restore_disk.next_steps = Some(vec![]);
        restore_disk.object = Some(disk_snapshot());
        let clone = SnapshotClone {
            created: Some(vec!["VirtualMachine b".into()]),
            dry_run: Some("server"),
            dry_run_operation: Some(operation()),
            from_vm: false,
            kind: "SnapshotClone",
            mode: "Strict",
            namespace: "my-project".into(),
            next_steps: Some(vec![]),
            operation: Some("op".into()),
            platform: PLATFORM,
            result: Some(operation()),
            source: "s1".into(),
            vm: "b".into(),
            origin: "cloned from VM a".into(),
            operation_kind: Kind::VirtualMachineOperation,
            run_policy: None,
        };
        let mut prune = SnapshotPrune::new(
            "my-project",
            Some("server"),
            vec![decision()],
            vec![decision()],
            true,
        );
        prune.deleted = vec![DeletedSnapshot {
            namespace: "my-project".into(),
            name: "s".into(),
            vm: "v".into(),
            gone: true,
        }];
        vec![
            Report::Create(Box::new(create)),
            Report::CreateDisk(Box::new(disk)),
            Report::List(Box::new(SnapshotList::new(
                Some("my-project"),
                Some("linux-vm"),
                vec![listed],
            ))),
            Report::ListDisks(Box::new(DiskSnapshotList::new(
                Some("my-project"),
                Some("d"),
                vec![listed_disk],
            ))),
            Report::Describe(Box::new(SnapshotDetail::new(
                snap.clone(),
                info,
                true,
                vec![],
                vec![],
                Some(vec![]),
            ))),
            Report::DescribeDisk(Box::new(DiskSnapshotDetail::new(disk_snapshot(), Some(1)))),
            Report::Delete(Box::new(SnapshotDelete::new(
                Some("client"),
                vec![DeletedItem {
                    gone: false,
                    kind: "VirtualMachineSnapshot",
                    name: "s".into(),
                    namespace: "my-project".into(),
                    source: "vm/v".into(),
                }],
            ))),
            Report::Restore(Box::new(restore)),
            Report::RestoreDisk(Box::new(restore_disk)),
            Report::Clone(Box::new(clone)),
            Report::Prune(Box::new(prune)),
        ]
    }

    #[test]
    fn every_report_writes_its_json_keys_sorted_as_the_json_objects_before_it_did() {
        for r in every_report() {
            let typed = serde_json::to_string_pretty(&r).unwrap();
            // A serde_json::Value's object keys are sorted (no preserve_order): the old form.
            let value = serde_json::to_value(&r).unwrap();
            assert_eq!(typed, serde_json::to_string_pretty(&value).unwrap());
            assert_eq!(value["platform"], "deckhouse", "{typed}");
        }
    }

    #[test]
    fn resources_print_as_kubectl_names_them() {
        assert_eq!(
            resource_name(Kind::VirtualDiskSnapshot, "d1"),
            "virtualdisksnapshot.virtualization.deckhouse.io/d1"
        );
    }

    #[test]
    fn list_and_describe_hand_over_the_objects_as_read_and_actions_none() {
        let reports = every_report();
        let objects: Vec<Option<Value>> = reports.iter().map(View::api_objects).collect();
        let Report::List(list) = &reports[2] else {
            panic!("not a list")
        };
        assert_eq!(
            objects[2],
            Some(api_list(vec![list.items[0].object.clone()]))
        );
        assert_eq!(objects[4], Some(snapshot()));
        assert_eq!(objects[5], Some(disk_snapshot()));
        for (i, o) in objects.iter().enumerate() {
            if ![2, 3, 4, 5].contains(&i) {
                assert_eq!(*o, None, "report {i}");
            }
        }
    }

    #[test]
    fn dry_runs_say_what_would_happen_and_name_nothing_they_did_not_make() {
        let r = every_report();
        let human = |i: usize| r[i].human(now(), false, RenderOptions::default());
        assert_eq!(
            human(0),
            "Snapshot s1 of VM my-project/linux-vm would be created (server dry run)\n"
        );
        assert_eq!(
            human(8),
            "VirtualDisk my-project/d2 from disk snapshot ds would be created (dry run)\n"
        );
        assert_eq!(
            human(6),
            format!("virtualmachinesnapshot.{GROUP}/s deleted (dry run)\n")
        );
        assert!(human(9).starts_with("VM my-project/b would be created from s1 (server dry run: checked by the DryRun operation "), "{}", human(9));
        assert!(human(10).ends_with("1 snapshot(s) to delete, 1 kept\n"));
    }

    #[test]
    fn a_list_draws_wide_columns_only_when_asked_and_headers_unless_told_not_to() {
        let r = &every_report()[2];
        let narrow = r.human(now(), false, RenderOptions::default());
        assert!(narrow.starts_with("NAME"), "{narrow}");
        assert!(!narrow.contains("KEEP-IP"), "{narrow}");
        let wide = r.human(now(), true, RenderOptions::default());
        assert!(wide.contains("KEEP-IP"), "{wide}");
        let bare = RenderOptions {
            no_headers: true,
            ..RenderOptions::default()
        };
        assert!(
            r.human(now(), false, bare)
                .starts_with("linux-vm-snapshot ")
        );
    }
}
