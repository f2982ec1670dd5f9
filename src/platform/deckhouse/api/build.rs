//! Builders for the objects this provider creates: VM and disk snapshots, Restore and Clone
//! operations, CreateVirtualMachine snapshot operations, and disks restored from a disk
//! snapshot. Pure: names come from the caller (the plan), nothing is sent.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value, json};

use super::resources::{API_VERSION, Kind, MAX_CLONE_NAME_PART};
use crate::model::quantity::parse_quantity;

/// `as_str`, `FromStr` (the exact variant names; `$invalid` words the error) and `Display`
/// for an enum whose API values are its variant names.
macro_rules! words {
    ($ty:ident { $($v:ident),+ }, $invalid:literal) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$v => stringify!($v),)+
                }
            }
        }

        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($v) => Ok(Self::$v),)+
                    other => Err(format!($invalid, other)),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// `spec.keepIPAddress` of a VM snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepIpAddress {
    /// Default: the VM's Auto address is converted to Static and saved with the snapshot.
    #[default]
    Always,
    /// The address is not saved; a restored VM gets a new one.
    Never,
}

words!(
    KeepIpAddress { Always, Never },
    "invalid keep-ip-address {:?}: expected Always or Never"
);

/// `mode` of Restore, Clone and CreateVirtualMachine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OperationMode {
    /// Validate only: conflicts in `status.resources`, nothing changes.
    DryRun,
    /// Default: any conflict fails the operation; missing images stay referenced.
    #[default]
    Strict,
    /// Ignore a missing image (dropped from the VM) and differing secret data.
    BestEffort,
}

words!(
    OperationMode {
        DryRun,
        Strict,
        BestEffort
    },
    "invalid mode {:?}: expected Strict or BestEffort (DryRun runs first anyway)"
);

/// One `nameReplacement` item: resources named `from` (of `kind`, when given) get `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameReplacement {
    pub kind: Option<String>,
    pub from: String,
    pub to: String,
}

impl FromStr for NameReplacement {
    type Err = String;
    /// `kind/old=new` or `old=new` (the `--name-replacement` flag).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || format!("invalid name replacement {s:?}: expected KIND/OLD=NEW or OLD=NEW");
        let (lhs, to) = s.split_once('=').ok_or_else(usage)?;
        let (kind, from) = match lhs.split_once('/') {
            Some((k, n)) => {
                let kind = Kind::from_kind(k)
                    .map(Kind::kind)
                    .or_else(|| {
                        crate::platform::deckhouse::api::resources::ALL
                            .iter()
                            .find(|x| x.short_names().contains(&k) || x.plural() == k)
                            .map(|x| x.kind())
                    })
                    .ok_or_else(|| format!("invalid name replacement {s:?}: unknown kind {k:?}"))?;
                (Some(kind.to_owned()), n)
            }
            None => (None, lhs),
        };
        if from.is_empty() || to.is_empty() {
            return Err(usage());
        }
        Ok(NameReplacement {
            kind,
            from: from.to_owned(),
            to: to.to_owned(),
        })
    }
}

/// How a clone names what it creates: replacements first, then prefix and suffix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CloneNaming {
    pub replacements: Vec<NameReplacement>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

impl CloneNaming {
    /// The CRD's rules, checked before sending: something must rename, and every part is
    /// 1..=59 characters.
    pub fn validate(&self) -> Result<(), String> {
        let set = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        if self.replacements.is_empty() && !set(&self.prefix) && !set(&self.suffix) {
            return Err(
                "a clone needs new names: give --name-replacement, --prefix or --suffix".into(),
            );
        }
        for (what, v) in [("prefix", &self.prefix), ("suffix", &self.suffix)] {
            if let Some(v) = v
                && (v.is_empty() || v.chars().count() > MAX_CLONE_NAME_PART)
            {
                return Err(format!(
                    "--{what} must be 1 to {MAX_CLONE_NAME_PART} characters"
                ));
            }
        }
        for r in &self.replacements {
            if r.to.chars().count() > MAX_CLONE_NAME_PART {
                return Err(format!(
                    "the new name {:?} is longer than {MAX_CLONE_NAME_PART} characters",
                    r.to
                ));
            }
        }
        Ok(())
    }

    /// The new name of a resource, as the controller computes it.
    pub fn apply(&self, kind: &str, name: &str) -> String {
        let replaced = self
            .replacements
            .iter()
            .find(|r| r.from == name && r.kind.as_deref().is_none_or(|k| k == kind))
            .map(|r| r.to.as_str())
            .unwrap_or(name);
        format!(
            "{}{replaced}{}",
            self.prefix.as_deref().unwrap_or(""),
            self.suffix.as_deref().unwrap_or("")
        )
    }

    /// The `clone` / `createVirtualMachine` block (field `nameReplacement`, singular; `to` a
    /// plain name — the docs' `nameReplacements` / `to.name` are wrong).
    fn params(&self, mode: OperationMode) -> Value {
        let mut p = Map::new();
        p.insert("mode".into(), json!(mode.as_str()));
        if !self.replacements.is_empty() {
            let items: Vec<Value> = self
                .replacements
                .iter()
                .map(|r| {
                    let mut from = json!({"name": r.from});
                    if let Some(k) = &r.kind {
                        from["kind"] = json!(k);
                    }
                    json!({"from": from, "to": r.to})
                })
                .collect();
            p.insert("nameReplacement".into(), Value::Array(items));
        }
        let mut c = Map::new();
        if let Some(s) = &self.prefix {
            c.insert("namePrefix".into(), json!(s));
        }
        if let Some(s) = &self.suffix {
            c.insert("nameSuffix".into(), json!(s));
        }
        if !c.is_empty() {
            p.insert("customization".into(), Value::Object(c));
        }
        Value::Object(p)
    }
}

fn object(
    kind: Kind,
    ns: &str,
    name: &str,
    labels: &BTreeMap<String, String>,
    spec: Value,
) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    meta.insert("namespace".into(), json!(ns));
    if !labels.is_empty() {
        meta.insert("labels".into(), json!(labels));
    }
    json!({"apiVersion": API_VERSION, "kind": kind.kind(), "metadata": meta, "spec": spec})
}

/// A VirtualMachineSnapshot. Every spec field is written (all three are required by the CRD).
pub fn build_vm_snapshot(
    ns: &str,
    name: &str,
    vm: &str,
    required_consistency: bool,
    keep_ip: KeepIpAddress,
    labels: &BTreeMap<String, String>,
) -> Value {
    object(
        Kind::VirtualMachineSnapshot,
        ns,
        name,
        labels,
        json!({"virtualMachineName": vm, "requiredConsistency": required_consistency,
            "keepIPAddress": keep_ip.as_str()}),
    )
}

/// A VirtualDiskSnapshot (no storage or snapshot class field exists any more: the CSI
/// default VolumeSnapshotClass is used).
pub fn build_disk_snapshot(
    ns: &str,
    name: &str,
    disk: &str,
    required_consistency: bool,
    labels: &BTreeMap<String, String>,
) -> Value {
    object(
        Kind::VirtualDiskSnapshot,
        ns,
        name,
        labels,
        json!({"virtualDiskName": disk, "requiredConsistency": required_consistency}),
    )
}

/// A Restore VirtualMachineOperation of `vm` from `snapshot`.
pub fn build_restore(ns: &str, name: &str, vm: &str, snapshot: &str, mode: OperationMode) -> Value {
    object(
        Kind::VirtualMachineOperation,
        ns,
        name,
        &BTreeMap::new(),
        json!({"type": "Restore", "virtualMachineName": vm,
            "restore": {"mode": mode.as_str(), "virtualMachineSnapshotName": snapshot}}),
    )
}

/// A Clone VirtualMachineOperation of `vm` (the controller takes a temporary snapshot).
pub fn build_clone(
    ns: &str,
    name: &str,
    vm: &str,
    naming: &CloneNaming,
    mode: OperationMode,
) -> Result<Value, String> {
    naming.validate()?;
    Ok(object(
        Kind::VirtualMachineOperation,
        ns,
        name,
        &BTreeMap::new(),
        json!({"type": "Clone", "virtualMachineName": vm, "clone": naming.params(mode)}),
    ))
}

/// A CreateVirtualMachine VirtualMachineSnapshotOperation (a new VM from a Ready snapshot).
pub fn build_create_vm(
    ns: &str,
    name: &str,
    snapshot: &str,
    naming: &CloneNaming,
    mode: OperationMode,
) -> Result<Value, String> {
    naming.validate()?;
    Ok(object(
        Kind::VirtualMachineSnapshotOperation,
        ns,
        name,
        &BTreeMap::new(),
        json!({"type": "CreateVirtualMachine", "virtualMachineSnapshotName": snapshot,
            "createVirtualMachine": naming.params(mode)}),
    ))
}

/// A new VirtualDisk with the disk snapshot as its data source. `size` defaults to the
/// original's and may not be smaller; `original` is the snapshot's restore size (or the
/// source disk's capacity) when known.
pub fn build_disk_from_snapshot(
    ns: &str,
    name: &str,
    snapshot: &str,
    size: Option<&str>,
    original: Option<&str>,
    storage_class: Option<&str>,
) -> Result<Value, String> {
    let size = match (size, original) {
        (Some(s), Some(o)) => {
            let (sb, ob) = (parse_quantity(s), parse_quantity(o));
            match (sb, ob) {
                (None, _) => return Err(format!("invalid size {s:?}")),
                (Some(sb), Some(ob)) if sb < ob => {
                    return Err(format!(
                        "--size {s} is smaller than the snapshot's {o}: a disk restored from a snapshot must be at least as large as the original"
                    ));
                }
                _ => Some(s),
            }
        }
        (Some(s), None) => {
            parse_quantity(s).ok_or_else(|| format!("invalid size {s:?}"))?;
            Some(s)
        }
        (None, o) => o,
    };
    let mut pvc = Map::new();
    if let Some(s) = size {
        pvc.insert("size".into(), json!(s));
    }
    if let Some(sc) = storage_class {
        pvc.insert("storageClassName".into(), json!(sc));
    }
    let mut spec = json!({"dataSource": {"type": "ObjectRef",
        "objectRef": {"kind": Kind::VirtualDiskSnapshot.kind(), "name": snapshot}}});
    if !pvc.is_empty() {
        spec["persistentVolumeClaim"] = Value::Object(pvc);
    }
    Ok(object(Kind::VirtualDisk, ns, name, &BTreeMap::new(), spec))
}

/// A Start or Stop VirtualMachineOperation (Deckhouse has no power field on the VM).
pub fn build_power(ns: &str, name: &str, vm: &str, start: bool) -> Value {
    object(
        Kind::VirtualMachineOperation,
        ns,
        name,
        &BTreeMap::new(),
        json!({"type": if start { "Start" } else { "Stop" }, "virtualMachineName": vm}),
    )
}
