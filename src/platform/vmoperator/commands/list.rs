//! `list [VM]` on VM Operator: every snapshot by creation time (newest last), the current one
//! marked, its tree parent named, Unmanaged nodes (vCenter snapshots without a CR) shown as
//! rows of their own.

use std::collections::{BTreeMap, BTreeSet};

use std::io::Write;

use serde_json::{Value, json};

use super::Ctx;
use crate::cli::ListArgs;
use crate::cluster::json::{name, namespace, str_at, time_at};
use crate::cluster::{SNAPSHOT_LIST_PAGE_SIZE, list_all_versioned, list_all_with, list_params};
use crate::flow::watch_rows::{self, ListThenWatch, RowOf};
use crate::output::OutputFormat;
use crate::output::RenderOptions;
use crate::output::label_columns::LabelColumns;
use crate::output::sort::{FieldPath, SortKey, sort_by_path};
use crate::platform::vmoperator::api::resources::VM_NAME_LABEL;
use crate::platform::vmoperator::api::{
    Kind, TreeNode, build_tree, consistency, phase, snapshot_count_advice,
};
use crate::platform::vmoperator::report::{ListReport, ListRow, Report, SNAPSHOT_RESOURCE};

fn row_of(
    ns: &str,
    vm: &str,
    n: &TreeNode,
    snap: Option<&Value>,
    parent: Option<String>,
    in_tree: bool,
) -> ListRow {
    ListRow {
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

/// Rows of one VM: the tree depth-first, then the snapshots not in it. Returns the count of
/// the tree's nodes.
fn vm_rows(vm: &Value, snaps: &[&Value], out: &mut Vec<ListRow>) -> usize {
    let owned: Vec<Value> = snaps.iter().map(|s| (*s).clone()).collect();
    let tree = build_tree(vm, &owned);
    let by_name: BTreeMap<&str, &Value> = snaps.iter().map(|s| (name(s), *s)).collect();
    fn walk(
        nodes: &[TreeNode],
        parent: Option<String>,
        ctx: (&str, &str, &BTreeMap<&str, &Value>),
        out: &mut Vec<ListRow>,
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
    tree.node_count()
}

/// A snapshot whose VM is gone: a row without tree facts.
fn orphan_row(s: &Value) -> ListRow {
    let vm = str_at(s, "/spec/vmName").unwrap_or("");
    let stand_in = json!({"metadata": {"name": vm, "namespace": namespace(s)}});
    let mut rows = Vec::new();
    vm_rows(&stand_in, &[s], &mut rows);
    rows.into_iter().next().unwrap_or_else(|| ListRow {
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

pub async fn run(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    Ok(collect(args, ctx).await?.0)
}

/// `list -w` / `--watch-only`: the list (unless watch-only), then a row per change of a
/// snapshot the list's selectors pick, until Ctrl-C or `--request-timeout`. A change carries
/// the snapshot alone, so its row has the snapshot's own facts; CURRENT and the tree's PARENT
/// are the VM's and show in `list` and `tree`.
pub async fn watch(
    args: &ListArgs,
    ctx: &mut Ctx<'_>,
    opts: RenderOptions,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let vmop = &ctx.vmoperator();
    let format = ctx.format();
    watch_rows::refuse_structured(format)?;
    let (report, resource_version) = collect(args, ctx).await?;
    let Report::List(listed) = &report else {
        return Ok(());
    };
    let wide = format == OutputFormat::Wide;
    let names_only = format == OutputFormat::Name;
    let ns = listed.namespace.clone();
    let report_of = |rows, raw| {
        let mut one = ListReport::new(rows, ns.clone(), args.vm.clone(), raw);
        one.label_columns = listed.label_columns.clone();
        one
    };
    let clock = ctx.clock;
    let row: RowOf<'_> = Box::new(|s: &Value| {
        if names_only {
            return Some(vec![format!("{SNAPSHOT_RESOURCE}/{}", name(s))]);
        }
        let table = report_of(vec![orphan_row(s)], vec![s.clone()]).table(clock.now(), wide);
        table.into_parts().1.into_iter().next()
    });
    let listed = ListThenWatch {
        list: &report,
        has_rows: !listed.items.is_empty(),
        headers: report_of(Vec::new(), Vec::new())
            .table(clock.now(), wide)
            .into_parts()
            .0,
        api: vmop.api(Kind::VirtualMachineSnapshot, ns.as_deref()),
        resource_version,
        label_selector: picked_selector(args),
        what: "VirtualMachineSnapshots".into(),
    };
    watch_rows::list_then_follow(listed, row, args, ctx, opts, out).await
}

/// The VM's snapshots (`list VM`), as the server selects them.
fn vm_selector(args: &ListArgs) -> Option<String> {
    args.vm.as_ref().map(|v| format!("{VM_NAME_LABEL}={v}"))
}

/// The snapshots the rows show: the VM's and `-l`'s.
fn picked_selector(args: &ListArgs) -> Option<String> {
    match (vm_selector(args), &args.selector) {
        (Some(v), Some(s)) => Some(format!("{v},{s}")),
        (Some(v), None) => Some(v),
        (None, s) => s.clone(),
    }
}

/// The list report and the version the VM's snapshots were listed at.
async fn collect(args: &ListArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<(Report, String)> {
    let vmop = &ctx.vmoperator();
    let ns = (!args.all_namespaces).then(|| ctx.namespace.clone());
    let vm_selector = vm_selector(args);
    // The tree needs every snapshot of the VMs; -l and --field-selector then pick the rows
    // shown.
    let picked_selector = picked_selector(args);
    let snap_api = vmop.api(Kind::VirtualMachineSnapshot, ns.as_deref());
    let where_ = crate::cluster::where_(ns.as_deref());
    let vms = async {
        match (&args.vm, &ns) {
            (Some(vm), Some(n)) => vmop.get_vm(n, vm).await.map(|v| v.into_iter().collect()),
            _ => vmop.list_vms(ns.as_deref()).await,
        }
    };
    let chunk = args.chunk_size.unwrap_or(SNAPSHOT_LIST_PAGE_SIZE);
    let sort_path = args.sort_by.as_deref().map(FieldPath::parse).transpose()?;
    let picked = async {
        if args.selector.is_none() && args.field_selector.is_none() {
            return Ok(None);
        }
        let fields = args.field_selector.as_deref();
        let params = list_params(picked_selector.as_deref(), fields, chunk);
        list_all_with(&snap_api, params).await.map(Some)
    };
    let every = list_params(vm_selector.as_deref(), None, chunk);
    let (vms, snaps, picked) = futures::join!(vms, list_all_versioned(&snap_api, every), picked);
    let (snaps, version) = anyhow::Context::with_context(snaps, || {
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
    let mut advice = Vec::new();
    for vm in &vms {
        let key = (namespace(vm).to_owned(), name(vm).to_owned());
        let mine = by_vm.remove(&key).unwrap_or_default();
        let count = vm_rows(vm, &mine, &mut rows);
        if let Some(a) = snapshot_count_advice(name(vm), count, false) {
            advice.push((key, a));
        }
    }
    let mut orphans: Vec<&Value> = by_vm.into_values().flatten().collect();
    orphans.sort_by(|a, b| (namespace(a), name(a)).cmp(&(namespace(b), name(b))));
    rows.extend(orphans.into_iter().map(orphan_row));
    // Creation time, newest last (kubectl's `--sort-by=.metadata.creationTimestamp`, govc's
    // snapshot.tree); namespace and name break ties. PARENT keeps the tree readable.
    rows.sort_by(|a, b| {
        (a.created, &a.namespace, &a.name).cmp(&(b.created, &b.namespace, &b.name))
    });
    if let Some(p) = &picked {
        rows.retain(|r| {
            r.name
                .as_ref()
                .is_some_and(|n| p.contains(&(r.namespace.clone(), n.clone())))
        });
    }
    // The objects behind the Managed rows, as read, for kubectl's forms and --sort-by.
    let by_key: BTreeMap<(&str, &str), &Value> =
        snaps.iter().map(|s| ((namespace(s), name(s)), s)).collect();
    let object_of = |r: &ListRow| {
        let n = r.name.as_deref()?;
        by_key.get(&(r.namespace.as_str(), n)).copied()
    };
    if let Some(path) = &sort_path {
        sort_by_path(&mut rows, path, |r| {
            object_of(r).map_or(SortKey::Missing, |o| SortKey::of(path, o))
        })?;
    }
    // Said of the VMs the list shows: a `-l` that leaves out every snapshot of a VM leaves
    // its advice out too.
    let shown =
        |(ns, vm): &(String, String)| rows.iter().any(|r| &r.namespace == ns && &r.vm == vm);
    for (_, w) in advice.iter().filter(|(vm, _)| shown(vm)) {
        ctx.say(&format!("Warning: {w}"));
    }
    if !args.watch_only {
        crate::flow::common::say_none_listed(ctx, rows.len(), args.vm.as_deref(), ns.as_deref());
    }
    let raw = rows.iter().filter_map(|r| object_of(r).cloned()).collect();
    let mut list = ListReport::new(rows, ns, args.vm.clone(), raw);
    list.label_columns = LabelColumns::new(&args.label_columns, args.show_labels);
    Ok((Report::List(list), version))
}
