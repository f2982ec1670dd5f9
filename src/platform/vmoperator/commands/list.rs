//! `list [VM]` on VM Operator: every snapshot in tree order per VM, the current one marked,
//! Unmanaged nodes (vCenter snapshots without a CR) shown as rows of their own.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Ctx, SNAPSHOT_RESOURCE, report};
use crate::cli::ListArgs;
use crate::cluster::json::{name, namespace, str_at, time_at};
use crate::cluster::list_all;
use crate::output::{Report, Table, age};
use crate::platform::kubevirt::analysis::human_bytes;
use crate::platform::vmoperator::api::resources::VM_NAME_LABEL;
use crate::platform::vmoperator::api::{
    Kind, TreeNode, VmOperator, build_tree, consistency, phase,
};

const PAGE: u32 = 500;

/// One row: a Managed snapshot (a CR) or an Unmanaged tree node.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    namespace: String,
    /// None for an Unmanaged node.
    name: Option<String>,
    vm: String,
    #[serde(rename = "type")]
    type_: &'static str,
    /// The VM runs from this snapshot.
    current: bool,
    phase: Option<&'static str>,
    ready_to_use: bool,
    consistency: Option<&'static str>,
    size_bytes: Option<u64>,
    created: Option<Timestamp>,
    /// The parent in the tree: a name, `(unmanaged)`, or None for a root / not in the tree.
    parent: Option<String>,
    in_tree: bool,
    memory: bool,
    quiesced: bool,
    power_state: Option<String>,
    #[serde(rename = "uniqueID")]
    unique_id: Option<String>,
    description: Option<String>,
}

fn row_of(
    ns: &str,
    vm: &str,
    n: &TreeNode,
    snap: Option<&Value>,
    parent: Option<String>,
    in_tree: bool,
) -> Row {
    Row {
        namespace: ns.to_owned(),
        name: n.name.clone(),
        vm: vm.to_owned(),
        type_: n.type_,
        current: n.current,
        phase: n.phase.map(|p| p.as_str()),
        ready_to_use: n.phase.is_some_and(|p| p.as_str() == "Ready"),
        consistency: snap.map(|s| consistency(s).as_str()),
        size_bytes: n.size_bytes,
        created: n.created,
        parent,
        in_tree,
        memory: n.memory,
        quiesced: n.quiesced,
        power_state: n.power_state.clone(),
        unique_id: n.unique_id.clone(),
        description: n.description.clone(),
    }
}

/// Rows of one VM: the tree depth-first, then the snapshots not in it.
fn vm_rows(vm: &Value, snaps: &[&Value], out: &mut Vec<Row>) {
    let owned: Vec<Value> = snaps.iter().map(|s| (*s).clone()).collect();
    let tree = build_tree(vm, &owned);
    let by_name: BTreeMap<&str, &Value> = snaps.iter().map(|s| (name(s), *s)).collect();
    fn walk(
        nodes: &[TreeNode],
        parent: Option<String>,
        ctx: (&str, &str, &BTreeMap<&str, &Value>),
        out: &mut Vec<Row>,
    ) {
        for n in nodes {
            if n.missing {
                continue;
            }
            let snap = n.name.as_deref().and_then(|x| ctx.2.get(x).copied());
            out.push(row_of(ctx.0, ctx.1, n, snap, parent.clone(), true));
            let me = n.name.clone().unwrap_or_else(|| "(unmanaged)".into());
            walk(&n.children, Some(me), ctx, out);
        }
    }
    let (ns, vm_name) = (namespace(vm), name(vm));
    walk(&tree.roots, None, (ns, vm_name, &by_name), out);
    for n in &tree.detached {
        let snap = n.name.as_deref().and_then(|x| by_name.get(x).copied());
        out.push(row_of(ns, vm_name, n, snap, None, false));
    }
}

/// A snapshot whose VM is gone: a row without tree facts.
fn orphan_row(s: &Value) -> Row {
    let vm = str_at(s, "/spec/vmName").unwrap_or("");
    let stand_in = json!({"metadata": {"name": vm, "namespace": namespace(s)}});
    let mut rows = Vec::new();
    vm_rows(&stand_in, &[s], &mut rows);
    rows.into_iter().next().unwrap_or_else(|| Row {
        namespace: namespace(s).to_owned(),
        name: Some(name(s).to_owned()),
        vm: vm.to_owned(),
        type_: "Managed",
        current: false,
        phase: Some(phase(s).as_str()),
        ready_to_use: false,
        consistency: Some(consistency(s).as_str()),
        size_bytes: None,
        created: time_at(s, "/metadata/creationTimestamp"),
        parent: None,
        in_tree: false,
        memory: false,
        quiesced: false,
        power_state: None,
        unique_id: None,
        description: None,
    })
}

pub async fn run(args: &ListArgs, vmop: &VmOperator, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let vm_selector = args.vm.as_ref().map(|v| format!("{VM_NAME_LABEL}={v}"));
    // The tree needs every snapshot of the VMs; -l then picks the rows shown.
    let picked_selector = match (&vm_selector, &args.selector) {
        (Some(v), Some(s)) => Some(format!("{v},{s}")),
        (None, Some(s)) => Some(s.clone()),
        _ => None,
    };
    let snap_api = vmop.api(Kind::VirtualMachineSnapshot, ns.as_deref());
    let where_ = ns.as_deref().map_or("in all namespaces".to_owned(), |n| {
        format!("in namespace {n}")
    });
    let vms = async {
        match (&args.vm, &ns) {
            (Some(vm), Some(n)) => vmop.get_vm(n, vm).await.map(|v| v.into_iter().collect()),
            _ => vmop.list_vms(ns.as_deref()).await,
        }
    };
    let picked = async {
        match &picked_selector {
            Some(s) if args.selector.is_some() => {
                list_all(&snap_api, Some(s), PAGE).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let (vms, snaps, picked) = futures::join!(
        vms,
        list_all(&snap_api, vm_selector.as_deref(), PAGE),
        picked
    );
    let snaps = anyhow::Context::with_context(snaps, || {
        format!("failed to list VirtualMachineSnapshots {where_}")
    })?;
    let picked: Option<BTreeSet<(String, String)>> = anyhow::Context::with_context(picked, || {
        format!("failed to list VirtualMachineSnapshots {where_}")
    })?
    .map(|p| {
        p.iter()
            .map(|s| (namespace(s).to_owned(), name(s).to_owned()))
            .collect()
    });
    let mut vms: Vec<Value> = vms?;
    if let Some(vm) = &args.vm {
        vms.retain(|v| name(v) == vm);
    }
    vms.sort_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    let mut by_vm: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for s in &snaps {
        let vm = str_at(s, "/spec/vmName").unwrap_or("").to_owned();
        by_vm
            .entry((namespace(s).to_owned(), vm))
            .or_default()
            .push(s);
    }
    let mut rows = Vec::new();
    for vm in &vms {
        let key = (namespace(vm).to_owned(), name(vm).to_owned());
        let mine = by_vm.remove(&key).unwrap_or_default();
        vm_rows(vm, &mine, &mut rows);
    }
    let mut orphans: Vec<&Value> = by_vm.into_values().flatten().collect();
    orphans.sort_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    rows.extend(orphans.into_iter().map(orphan_row));
    if let Some(p) = &picked {
        rows.retain(|r| {
            r.name
                .as_ref()
                .is_some_and(|n| p.contains(&(r.namespace.clone(), n.clone())))
        });
    }
    if rows.is_empty() && !ctx.format().is_machine() {
        let what = match &args.vm {
            Some(vm) => format!("No snapshots of VM {vm} found"),
            None => "No snapshots found".to_owned(),
        };
        match &ns {
            Some(ns) => ctx.say(&format!("{what} in {ns} namespace.")),
            None => ctx.say(&format!("{what}.")),
        }
    }
    let now = ctx.clock.now();
    let all = ns.is_none();
    let text = table(&rows, now, all, false, args.no_headers);
    let wide = table(&rows, now, all, true, args.no_headers);
    let names = rows
        .iter()
        .filter_map(|r| r.name.as_ref())
        .map(|n| format!("{SNAPSHOT_RESOURCE}/{n}"))
        .collect();
    let data = json!({
        "kind": "SnapshotList",
        "namespace": ns,
        "vm": args.vm,
        "items": rows,
    });
    Ok(report(data, text, Some(wide), names))
}

fn table(rows: &[Row], now: Timestamp, all: bool, wide: bool, no_headers: bool) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut headers = vec!["CURRENT"];
    if all {
        headers.push("NAMESPACE");
    }
    headers.extend(["NAME", "VM", "PHASE", "READY", "CONSISTENCY", "SIZE", "AGE"]);
    if wide {
        headers.extend(["TYPE", "PARENT", "MEMORY", "QUIESCED", "POWER", "ID"]);
    }
    let mut t = Table::new(&headers);
    let dash = || "-".to_owned();
    for r in rows {
        let managed = r.name.is_some();
        let mut cells = vec![if r.current {
            "*".to_owned()
        } else {
            String::new()
        }];
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
        t.row(cells);
    }
    t.render(!no_headers)
}
