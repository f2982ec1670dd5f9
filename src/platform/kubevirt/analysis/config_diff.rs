//! Config diff: what a restore changes in a VM's configuration, as a unified diff and a summary.
//!
//! Compares the live VM with the VM KubeVirt will write when restoring the snapshot in place
//! (`generateRestoredVMSpec`): the snapshot's spec, with the VM's own run strategy, labels and
//! annotations kept, memory-dump volumes dropped, and every captured volume pointed at a new
//! PVC restored from the snapshot. Server-managed fields are left out, and the restored
//! volumes' claim names read `<restored from snapshot: VOLUME>` on both sides: they change on
//! every restore and are not a configuration change. Colour belongs to the renderer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::{Map, Value, json};

pub use super::line_diff::{DiffLine, LineKind, unified_diff};
use crate::cluster::json::{arr_at, keyed_at, str_at, string_map};
use crate::platform::kubevirt::api::run_state::{RunSpec, run_spec};

/// A run request in the user's words: `prefix` + the strategy, or the deprecated field as
/// written ("running: true"), never "run strategy true".
fn run_request_text(r: &RunSpec, prefix: &str) -> String {
    match r {
        RunSpec::Strategy(s) => format!("{prefix}{s}"),
        RunSpec::Running(b) => format!("running: {b}"),
        RunSpec::Unset => "none".to_owned(),
    }
}

/// Annotations that change on every reconcile or restore, or repeat the object.
pub const IGNORED_ANNOTATIONS: [&str; 5] = [
    "kubevirt.io/latest-observed-api-version",
    "kubevirt.io/storage-observed-api-version",
    "restore.kubevirt.io/lastRestoreUID",
    "kubectl.kubernetes.io/last-applied-configuration",
    "kubemacpool.io/transaction-timestamp",
];

/// Lines of unified context around each change (as `diff -u`).
pub const DEFAULT_CONTEXT: usize = 3;

/// How to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// Context lines around each change.
    pub context: usize,
    /// Compare the VM's labels and annotations too, as the snapshot holds them. A restore in
    /// place keeps the current ones (so the restore preview leaves this off and lists them
    /// in `notes`); `diff SNAPSHOT --all` could turn it on.
    pub include_metadata: bool,
    /// The snapshot was taken while the VM ran (KubeVirt indication `Online`): its content
    /// holds the spec the VM was started with (the VM's ControllerRevision) plus the volumes
    /// of that moment, not the VM's spec at snapshot time.
    pub taken_online: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            context: DEFAULT_CONTEXT,
            include_metadata: false,
            taken_online: false,
        }
    }
}

/// The note a diff against an online snapshot carries when anything but volumes differs.
pub fn online_note(snapshot: &str) -> String {
    format!(
        "snapshot {snapshot} was taken while the VM ran: KubeVirt stored the configuration the VM was started with (plus the volumes of that moment): a change made since that start and not yet applied by a restart shows here as undone"
    )
}

/// The part of the VM a change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Area {
    Cpu,
    Memory,
    Instancetype,
    Disk,
    Network,
    /// `spec.template.metadata.labels` (restored with the spec).
    TemplateLabel,
    /// `metadata.labels` (only with `include_metadata`).
    Label,
    /// `metadata.annotations` (only with `include_metadata`).
    Annotation,
    /// Any other field, named by its path.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// Comes with the restore.
    Added,
    /// Goes away with the restore.
    Removed,
    Changed,
}

/// One summarised change; `before` is the live VM, `after` the restored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub area: Area,
    /// "cores", a disk or interface name, a label key, a field path.
    pub item: String,
    pub kind: ChangeKind,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Change {
    /// One line for the restore preview: "CPU cores: 8 → 4", "disk archive removed (…)".
    pub fn describe(&self) -> String {
        let what = match self.area {
            Area::Cpu => format!("CPU {}", self.item),
            Area::Memory => format!("memory {}", self.item),
            Area::Instancetype => self.item.clone(),
            Area::Disk => format!("disk {}", self.item),
            Area::Network => format!("interface {}", self.item),
            Area::TemplateLabel => format!("template label {}", self.item),
            Area::Label => format!("label {}", self.item),
            Area::Annotation => format!("annotation {}", self.item),
            Area::Other => self.item.clone(),
        };
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unset)".to_owned());
        match self.kind {
            ChangeKind::Added => format!("{what} added ({})", show(&self.after)),
            ChangeKind::Removed => format!("{what} removed ({})", show(&self.before)),
            ChangeKind::Changed => {
                format!("{what}: {} → {}", show(&self.before), show(&self.after))
            }
        }
    }
}

/// A volume whose data the restore replaces from the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoredVolume {
    pub volume: String,
    /// The PVC (or DataVolume) the live VM uses now, if it has that volume.
    pub current: Option<String>,
    /// The PVC captured in the snapshot.
    pub captured: String,
}

/// The structured summary, for the restore preview and `-o json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffSummary {
    pub changes: Vec<Change>,
    pub restored_volumes: Vec<RestoredVolume>,
    /// Differences the restore does not apply (labels, annotations, run strategy).
    pub notes: Vec<String>,
}

impl DiffSummary {
    /// Sentences for the restore preview: each change, then the restored data, then notes.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self.changes.iter().map(Change::describe).collect();
        if out.is_empty() {
            out.push("no configuration changes".to_owned());
        }
        if !self.restored_volumes.is_empty() {
            let vols: Vec<String> = self
                .restored_volumes
                .iter()
                .map(|r| match &r.current {
                    Some(c) => format!("{} (now {c})", r.volume),
                    None => r.volume.clone(),
                })
                .collect();
            out.push(format!(
                "data rolled back to the snapshot, each on a new PVC: {}",
                vols.join(", ")
            ));
        }
        out.extend(self.notes.iter().cloned());
        out
    }
}

/// The result: a unified diff plus its summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigDiff {
    /// The restore changes no configuration (its data is still rolled back).
    pub identical: bool,
    /// Header, hunk and body lines; empty when `identical`.
    pub lines: Vec<DiffLine>,
    pub summary: DiffSummary,
}

impl ConfigDiff {
    /// The diff as `diff -u` prints it, one line per entry, each ending in a newline.
    pub fn unified(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.unified() + "\n")
            .collect::<String>()
    }
}

/// Placeholder for a captured volume's claim: the restore gives it a new PVC.
pub fn restored_placeholder(volume: &str) -> String {
    format!("<restored from snapshot: {volume}>")
}

/// The captured volumes of a content: volume name → the PVC captured.
fn backups(content: &Value) -> BTreeMap<String, String> {
    keyed_at(content, "/spec/volumeBackups", "/volumeName", |b| {
        str_at(b, "/persistentVolumeClaim/metadata/name")
            .unwrap_or("")
            .to_owned()
    })
}

/// Drops nulls (absent and null mean the same to the API server).
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn filtered_map(vm: &Value, ptr: &str, ignore: &[&str]) -> BTreeMap<String, String> {
    let mut m = string_map(vm, ptr);
    m.retain(|k, _| !ignore.contains(&k.as_str()));
    m
}

/// Replaces the claim references of captured volumes (and their DataVolume templates) with
/// the placeholder, so neither side shows names that change on every restore.
fn mask_restored(spec: &mut Value, captured: &BTreeMap<String, String>) {
    let mut dv_names: BTreeMap<String, String> = BTreeMap::new();
    if let Some(vols) = spec
        .pointer_mut("/template/spec/volumes")
        .and_then(Value::as_array_mut)
    {
        for v in vols {
            let Some(name) = v.get("name").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            if !captured.contains_key(&name) {
                continue;
            }
            let placeholder = restored_placeholder(&name);
            if let Some(slot) = v.pointer_mut("/persistentVolumeClaim/claimName") {
                *slot = json!(placeholder);
            }
            if let Some(slot) = v.pointer_mut("/dataVolume/name") {
                if let Some(old) = slot.as_str() {
                    dv_names.insert(old.to_owned(), placeholder.clone());
                }
                *slot = json!(placeholder);
            }
        }
    }
    if let Some(templates) = spec
        .pointer_mut("/dataVolumeTemplates")
        .and_then(Value::as_array_mut)
    {
        for t in templates {
            let new = t
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .and_then(|n| dv_names.get(n))
                .cloned();
            if let (Some(new), Some(slot)) = (new, t.pointer_mut("/metadata/name")) {
                *slot = json!(new);
            }
        }
    }
}

/// Fields the controllers fill in; they differ between a snapshot and the live VM without
/// anyone changing the configuration.
fn drop_server_fields(spec: &mut Value) {
    if let Some(m) = spec
        .pointer_mut("/template/metadata")
        .and_then(Value::as_object_mut)
    {
        m.remove("creationTimestamp");
    }
    for p in ["/instancetype", "/preference"] {
        if let Some(m) = spec.pointer_mut(p).and_then(Value::as_object_mut) {
            m.remove("revisionName");
        }
    }
}

fn spec_of(vm: &Value) -> Value {
    let mut spec = vm.get("spec").cloned().unwrap_or_else(|| json!({}));
    if !spec.is_object() {
        spec = json!({});
    }
    spec
}

/// The VM KubeVirt writes when restoring `snapshot_vm` into the existing `live` VM.
fn restored_spec(snapshot_vm: &Value, live: &Value, captured: &BTreeMap<String, String>) -> Value {
    let mut spec = spec_of(snapshot_vm);
    // Memory dumps are not restored.
    if let Some(vols) = spec
        .pointer_mut("/template/spec/volumes")
        .and_then(Value::as_array_mut)
    {
        vols.retain(|v| v.get("memoryDump").is_none());
    }
    // A captured DataVolume without a template becomes a plain PVC volume.
    let templates: BTreeSet<String> = arr_at(&spec, "/dataVolumeTemplates")
        .iter()
        .filter_map(|t| str_at(t, "/metadata/name").map(str::to_owned))
        .collect();
    if let Some(vols) = spec
        .pointer_mut("/template/spec/volumes")
        .and_then(Value::as_array_mut)
    {
        for v in vols.iter_mut() {
            let name = v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let dv = v.pointer("/dataVolume/name").and_then(Value::as_str);
            if captured.contains_key(&name) && dv.is_some_and(|d| !templates.contains(d)) {
                *v = json!({"name": name, "persistentVolumeClaim": {"claimName": dv}});
            }
        }
    }
    // An existing VM keeps its run strategy (`running: false` if it uses `running`).
    if let Some(s) = spec.as_object_mut() {
        s.remove("running");
        s.remove("runStrategy");
        if live.pointer("/spec/running").is_some_and(|r| !r.is_null()) {
            s.insert("running".into(), json!(false));
        } else if let Some(rs) = live.pointer("/spec/runStrategy") {
            s.insert("runStrategy".into(), rs.clone());
        }
    }
    spec
}

/// The document that is diffed: labels, annotations (filtered) and spec.
fn document(
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    mut spec: Value,
    captured: &BTreeMap<String, String>,
) -> Value {
    drop_server_fields(&mut spec);
    mask_restored(&mut spec, captured);
    drop_nulls(&mut spec);
    let mut meta = Map::new();
    if !labels.is_empty() {
        meta.insert("labels".into(), json!(labels));
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), json!(annotations));
    }
    let mut doc = Map::new();
    if !meta.is_empty() {
        doc.insert("metadata".into(), Value::Object(meta));
    }
    doc.insert("spec".into(), spec);
    Value::Object(doc)
}

/// Serialises maps with `name` first, then the other keys in order: stable whatever
/// serde_json's map ordering, and readable (list items start with their name).
struct Ordered<'a>(&'a Value);

impl Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort_by(|a, b| (a.as_str() != "name", a).cmp(&(b.as_str() != "name", b)));
                let mut map = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    map.serialize_entry(k, &Ordered(&m[k]))?;
                }
                map.end()
            }
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&Ordered(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// The document as YAML lines (serde-saphyr; a value it cannot write falls back to JSON).
pub fn yaml_lines(doc: &Value) -> Vec<String> {
    let text = serde_saphyr::to_string(&Ordered(doc))
        .unwrap_or_else(|_| serde_json::to_string_pretty(doc).unwrap_or_default());
    text.lines().map(str::to_owned).collect()
}

// ---- summary -------------------------------------------------------------------------------

/// A scalar as the user reads it.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn push_field(
    out: &mut Vec<Change>,
    area: Area,
    item: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) {
    let before = before.filter(|v| !v.is_null());
    let after = after.filter(|v| !v.is_null());
    if before == after {
        return;
    }
    let kind = match (before, after) {
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        _ => ChangeKind::Changed,
    };
    out.push(Change {
        area,
        item: item.to_owned(),
        kind,
        before: before.map(scalar),
        after: after.map(scalar),
    });
}

/// Named entries of a list joined with a second list by name (disks + volumes, interfaces +
/// networks), as (name → (first, second)).
fn joined<'a>(
    spec: &'a Value,
    first: &str,
    second: &str,
) -> BTreeMap<String, (Option<&'a Value>, Option<&'a Value>)> {
    let mut out: BTreeMap<String, (Option<&Value>, Option<&Value>)> = BTreeMap::new();
    for v in arr_at(spec, first) {
        if let Some(n) = str_at(v, "/name") {
            out.entry(n.to_owned()).or_default().0 = Some(v);
        }
    }
    for v in arr_at(spec, second) {
        if let Some(n) = str_at(v, "/name") {
            out.entry(n.to_owned()).or_default().1 = Some(v);
        }
    }
    out
}

/// The first key of an object other than the listed ones (a disk's `disk`/`cdrom`, a
/// volume's source kind, an interface's binding).
fn variant<'a>(v: &'a Value, skip: &[&str]) -> Option<(&'a str, &'a Value)> {
    v.as_object()?
        .iter()
        .find(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v))
}

fn describe_disk(disk: Option<&Value>, volume: Option<&Value>) -> String {
    let mut parts = Vec::new();
    if let Some(d) = disk {
        let (kind, dev) = variant(
            d,
            &[
                "name",
                "bootOrder",
                "serial",
                "cache",
                "io",
                "tag",
                "dedicatedIOThread",
                "errorPolicy",
                "blockSize",
                "shareable",
            ],
        )
        .unwrap_or(("disk", &Value::Null));
        let bus = str_at(dev, "/bus")
            .map(|b| format!("{b} "))
            .unwrap_or_default();
        let mut s = format!("{bus}{kind}");
        if let Some(o) = d.get("bootOrder") {
            s.push_str(&format!(", boot order {}", scalar(o)));
        }
        parts.push(s);
    } else {
        parts.push("no disk device".to_owned());
    }
    match volume.and_then(|v| variant(v, &["name"])) {
        Some((kind, src)) => {
            let target = ["/claimName", "/name", "/image"]
                .iter()
                .find_map(|p| str_at(src, p));
            parts.push(match target {
                Some(t) => format!("{kind} {t}"),
                None => kind.to_owned(),
            });
            // Why the restored VM has no such volume (kubevirt pkg/storage/snapshot/restore.go
            // leaves memory-dump volumes out of the restored spec).
            if kind == "memoryDump" {
                parts.push("never restored: KubeVirt drops memory-dump volumes".to_owned());
            }
        }
        None => parts.push("no volume".to_owned()),
    }
    parts.join(", ")
}

fn describe_interface(iface: Option<&Value>, network: Option<&Value>) -> String {
    let mut parts = Vec::new();
    match iface {
        Some(i) => {
            let binding = variant(
                i,
                &[
                    "name",
                    "macAddress",
                    "model",
                    "bootOrder",
                    "pciAddress",
                    "ports",
                    "tag",
                    "acpiIndex",
                    "dhcpOptions",
                    "state",
                ],
            )
            .map(|(k, v)| match k {
                "binding" => str_at(v, "/name").unwrap_or("binding").to_owned(),
                other => other.to_owned(),
            })
            .unwrap_or_else(|| "interface".to_owned());
            parts.push(binding);
            if let Some(m) = str_at(i, "/model") {
                parts.push(format!("model {m}"));
            }
            if let Some(mac) = str_at(i, "/macAddress") {
                parts.push(format!("MAC {mac}"));
            }
        }
        None => parts.push("no interface".to_owned()),
    }
    match network {
        Some(n) if n.get("pod").is_some() => parts.push("pod network".to_owned()),
        Some(n) => match str_at(n, "/multus/networkName") {
            Some(net) => parts.push(format!("network {net}")),
            None => parts.push(
                variant(n, &["name"])
                    .map_or("network", |(k, _)| k)
                    .to_owned(),
            ),
        },
        None => parts.push("no network".to_owned()),
    }
    parts.join(", ")
}

fn push_joined(
    out: &mut Vec<Change>,
    area: Area,
    before: &Value,
    after: &Value,
    first: &str,
    second: &str,
    describe: fn(Option<&Value>, Option<&Value>) -> String,
) {
    let b = joined(before, first, second);
    let a = joined(after, first, second);
    let names: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    for name in names {
        let (bb, aa) = (b.get(name), a.get(name));
        let change = match (bb, aa) {
            (None, Some(x)) => Some((ChangeKind::Added, None, Some(describe(x.0, x.1)))),
            (Some(x), None) => Some((ChangeKind::Removed, Some(describe(x.0, x.1)), None)),
            (Some(x), Some(y)) if x != y => {
                let (db, da) = (describe(x.0, x.1), describe(y.0, y.1));
                let (db, da) = if db == da {
                    (
                        format!("{db}; settings differ"),
                        format!("{da}; settings differ"),
                    )
                } else {
                    (db, da)
                };
                Some((ChangeKind::Changed, Some(db), Some(da)))
            }
            _ => None,
        };
        if let Some((kind, before, after)) = change {
            out.push(Change {
                area,
                item: name.clone(),
                kind,
                before,
                after,
            });
        }
    }
}

fn push_map(
    out: &mut Vec<Change>,
    area: Area,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for k in keys {
        let (b, a) = (
            before.get(k).map(|s| json!(s)),
            after.get(k).map(|s| json!(s)),
        );
        push_field(out, area, k, b.as_ref(), a.as_ref());
    }
}

const DOMAIN: &str = "/template/spec/domain";

/// Paths (in the spec) the named areas cover; everything else is reported as Other.
const COVERED: [&str; 11] = [
    "template.spec.domain.cpu",
    "template.spec.domain.memory",
    "template.spec.domain.resources",
    "template.spec.domain.devices.disks",
    "template.spec.domain.devices.interfaces",
    "template.spec.volumes",
    "template.spec.networks",
    "template.metadata.labels",
    "instancetype",
    "preference",
    "runStrategy",
];

/// Differing leaves outside the covered areas as (dotted path, before, after); lists
/// compare whole.
fn other_paths<'a>(
    before: Option<&'a Value>,
    after: Option<&'a Value>,
    path: &str,
    out: &mut Vec<(String, Option<&'a Value>, Option<&'a Value>)>,
) {
    if COVERED.contains(&path) || before == after {
        return;
    }
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                other_paths(b.get(k), a.get(k), &p, out);
            }
        }
        _ => out.push((path.to_owned(), before, after)),
    }
}

fn summarise(before: &Value, after: &Value, include_metadata: bool) -> Vec<Change> {
    let (bs, as_) = (&before["spec"], &after["spec"]);
    let mut out = Vec::new();
    for (item, p) in [
        ("sockets", "/cpu/sockets"),
        ("cores", "/cpu/cores"),
        ("threads", "/cpu/threads"),
        ("model", "/cpu/model"),
        ("dedicated placement", "/cpu/dedicatedCpuPlacement"),
        ("request", "/resources/requests/cpu"),
        ("limit", "/resources/limits/cpu"),
    ] {
        let p = format!("{DOMAIN}{p}");
        push_field(&mut out, Area::Cpu, item, bs.pointer(&p), as_.pointer(&p));
    }
    for (item, p) in [
        ("guest", "/memory/guest"),
        ("hugepages", "/memory/hugepages/pageSize"),
        ("request", "/resources/requests/memory"),
        ("limit", "/resources/limits/memory"),
    ] {
        let p = format!("{DOMAIN}{p}");
        push_field(
            &mut out,
            Area::Memory,
            item,
            bs.pointer(&p),
            as_.pointer(&p),
        );
    }
    for (item, p) in [
        ("instancetype", "/instancetype/name"),
        ("preference", "/preference/name"),
    ] {
        push_field(
            &mut out,
            Area::Instancetype,
            item,
            bs.pointer(p),
            as_.pointer(p),
        );
    }
    push_joined(
        &mut out,
        Area::Disk,
        bs,
        as_,
        &format!("{DOMAIN}/devices/disks"),
        "/template/spec/volumes",
        describe_disk,
    );
    push_joined(
        &mut out,
        Area::Network,
        bs,
        as_,
        &format!("{DOMAIN}/devices/interfaces"),
        "/template/spec/networks",
        describe_interface,
    );
    push_map(
        &mut out,
        Area::TemplateLabel,
        &string_map(bs, "/template/metadata/labels"),
        &string_map(as_, "/template/metadata/labels"),
    );
    if include_metadata {
        push_map(
            &mut out,
            Area::Label,
            &string_map(before, "/metadata/labels"),
            &string_map(after, "/metadata/labels"),
        );
        push_map(
            &mut out,
            Area::Annotation,
            &string_map(before, "/metadata/annotations"),
            &string_map(after, "/metadata/annotations"),
        );
    }
    let mut others = Vec::new();
    other_paths(Some(bs), Some(as_), "", &mut others);
    for (path, b, a) in others {
        let show = |v: Option<&Value>| {
            v.map(|v| match v {
                Value::Array(a) => {
                    format!("{} item{}", a.len(), if a.len() == 1 { "" } else { "s" })
                }
                Value::Object(_) => "set".to_owned(),
                other => scalar(other),
            })
        };
        let kind = match (b, a) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        out.push(Change {
            area: Area::Other,
            item: format!("spec.{path}"),
            kind,
            before: show(b),
            after: show(a),
        });
    }
    out
}

/// Compares the VM stored in a VirtualMachineSnapshotContent with the live VM: what a restore
/// of that snapshot into this VM changes. Pure.
pub fn config_diff(content: &Value, live: &Value, opts: &DiffOptions) -> ConfigDiff {
    let snapshot_vm = content
        .pointer("/spec/source/virtualMachine")
        .unwrap_or(&Value::Null);
    let snapshot_name =
        str_at(content, "/spec/virtualMachineSnapshotName").unwrap_or("the snapshot");
    let captured = backups(content);
    let live_labels = filtered_map(live, "/metadata/labels", &[]);
    let live_annotations = filtered_map(live, "/metadata/annotations", &IGNORED_ANNOTATIONS);
    let snap_labels = filtered_map(snapshot_vm, "/metadata/labels", &[]);
    let snap_annotations = filtered_map(snapshot_vm, "/metadata/annotations", &IGNORED_ANNOTATIONS);

    let mut notes = Vec::new();
    let (after_labels, after_annotations) = if opts.include_metadata {
        (snap_labels.clone(), snap_annotations.clone())
    } else {
        let mut kept = Vec::new();
        push_map(&mut kept, Area::Label, &snap_labels, &live_labels);
        push_map(
            &mut kept,
            Area::Annotation,
            &snap_annotations,
            &live_annotations,
        );
        if !kept.is_empty() {
            notes.push(format!(
                "the VM's labels and annotations differ from the snapshot's ({}); a restore keeps the current ones",
                kept.iter().map(|c| match c.area {
                    Area::Label => format!("label {}", c.item),
                    _ => format!("annotation {}", c.item),
                }).collect::<Vec<_>>().join(", ")
            ));
        }
        (live_labels.clone(), live_annotations.clone())
    };
    let snap_request = run_spec(snapshot_vm);
    let live_request = run_spec(live);
    if snap_request != RunSpec::Unset && snap_request != live_request {
        notes.push(format!(
            "the snapshot was taken with {}; a restore keeps the VM's own ({})",
            run_request_text(&snap_request, "run strategy "),
            run_request_text(&live_request, ""),
        ));
    }

    let before = document(live_labels, live_annotations, spec_of(live), &captured);
    let after = document(
        after_labels,
        after_annotations,
        restored_spec(snapshot_vm, live, &captured),
        &captured,
    );

    let live_volumes: BTreeMap<String, String> = arr_at(live, "/spec/template/spec/volumes")
        .iter()
        .filter_map(|v| {
            let name = str_at(v, "/name")?;
            let claim = str_at(v, "/persistentVolumeClaim/claimName")
                .or_else(|| str_at(v, "/dataVolume/name"))?;
            Some((name.to_owned(), claim.to_owned()))
        })
        .collect();
    let restored_volumes = captured
        .iter()
        .map(|(volume, pvc)| RestoredVolume {
            volume: volume.clone(),
            current: live_volumes.get(volume).cloned(),
            captured: pvc.clone(),
        })
        .collect();

    let vm_name = str_at(live, "/metadata/name").unwrap_or("");
    let ns = str_at(live, "/metadata/namespace").unwrap_or("");
    let lines = unified_diff(
        &yaml_lines(&before),
        &yaml_lines(&after),
        &format!("VM {ns}/{vm_name} (now)"),
        &format!("VM {ns}/{vm_name} (after restoring {snapshot_name})"),
        opts.context,
    );
    let changes = summarise(&before, &after, opts.include_metadata);
    if opts.taken_online && !changes.is_empty() {
        notes.push(online_note(snapshot_name));
    }
    ConfigDiff {
        identical: lines.is_empty(),
        lines,
        summary: DiffSummary {
            changes,
            restored_volumes,
            notes,
        },
    }
}

#[cfg(test)]
#[path = "config_diff_tests.rs"]
mod tests;
