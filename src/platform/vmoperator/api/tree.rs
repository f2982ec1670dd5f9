//! The snapshot tree of one VM, built top-down from the VM's `status.rootSnapshots` and each
//! snapshot's `status.children` (VM Operator has no parent pointer), a `govc snapshot.tree`
//! style text rendering, and the same tree as data for `-o json`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::convert::{Phase, SnapshotRef, phase, snapshot_details};
use crate::cluster::json::{name, namespace, str_at, time_at};

/// One node: a snapshot CR (Managed) or a vCenter snapshot without one (Unmanaged).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TreeNode {
    /// None for an Unmanaged node.
    pub name: Option<String>,
    /// `Managed` or `Unmanaged`.
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// The VM runs from this snapshot (`status.currentSnapshot`).
    pub current: bool,
    /// A Managed node whose CR was not found (deleted meanwhile, or not readable).
    pub missing: bool,
    pub phase: Option<Phase>,
    pub description: Option<String>,
    pub unique_id: Option<String>,
    pub created: Option<Timestamp>,
    pub power_state: Option<String>,
    pub memory: bool,
    pub quiesced: bool,
    pub size_bytes: Option<u64>,
    pub children: Vec<TreeNode>,
}

/// A VM's snapshots as vSphere arranges them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotTree {
    pub namespace: String,
    pub vm: String,
    pub current: Option<SnapshotRef>,
    pub roots: Vec<TreeNode>,
    /// Snapshots of the VM not reachable from the roots: not taken yet, queued, failed, or
    /// below an Unmanaged node (VM Operator does not walk those), oldest first.
    pub detached: Vec<TreeNode>,
}

impl SnapshotTree {
    /// Managed snapshot CRs of the VM, in the tree or not.
    pub fn managed_count(&self) -> usize {
        fn count(n: &[TreeNode]) -> usize {
            n.iter()
                .map(|x| usize::from(x.name.is_some() && !x.missing) + count(&x.children))
                .sum()
        }
        count(&self.roots) + self.detached.len()
    }

    /// Every node in the tree, Unmanaged ones included (what counts against vSphere's advice).
    pub fn node_count(&self) -> usize {
        fn count(n: &[TreeNode]) -> usize {
            n.iter().map(|x| 1 + count(&x.children)).sum()
        }
        count(&self.roots) + self.detached.len()
    }

    /// The parent of the Managed node `name`: Some(None) for a root, None if not in the tree.
    pub fn parent_of(&self, target: &str) -> Option<Option<&TreeNode>> {
        fn walk<'a>(
            nodes: &'a [TreeNode],
            parent: Option<&'a TreeNode>,
            target: &str,
        ) -> Option<Option<&'a TreeNode>> {
            for n in nodes {
                if n.name.as_deref() == Some(target) {
                    return Some(parent);
                }
                if let Some(found) = walk(&n.children, Some(n), target) {
                    return Some(found);
                }
            }
            None
        }
        walk(&self.roots, None, target)
    }

    /// The node of the Managed snapshot `name`, in the tree or detached.
    pub fn find(&self, target: &str) -> Option<&TreeNode> {
        fn walk<'a>(nodes: &'a [TreeNode], target: &str) -> Option<&'a TreeNode> {
            nodes.iter().find_map(|n| {
                if n.name.as_deref() == Some(target) {
                    Some(n)
                } else {
                    walk(&n.children, target)
                }
            })
        }
        walk(&self.roots, target).or_else(|| {
            self.detached
                .iter()
                .find(|n| n.name.as_deref() == Some(target))
        })
    }
}

fn node_of(r: &SnapshotRef, snap: Option<&Value>, current: Option<&SnapshotRef>) -> TreeNode {
    let is_current = current.is_some_and(|c| c == r);
    let mut node = TreeNode {
        name: r.managed_name().map(str::to_owned),
        type_: if r.managed { "Managed" } else { "Unmanaged" },
        current: is_current,
        missing: r.managed && snap.is_none(),
        phase: None,
        description: None,
        unique_id: None,
        created: None,
        power_state: None,
        memory: false,
        quiesced: false,
        size_bytes: None,
        children: vec![],
    };
    if let Some(s) = snap {
        let d = snapshot_details(s);
        node.phase = Some(phase(s));
        node.description = d.description;
        node.unique_id = d.unique_id;
        node.created = time_at(s, "/metadata/creationTimestamp");
        node.power_state = d.power_state;
        node.memory = d.memory;
        node.quiesced = d.quiesced;
        node.size_bytes = d.storage_used_bytes;
    }
    node
}

/// Builds the tree of `vm` from its snapshots (objects of other VMs are ignored).
pub fn build_tree(vm: &Value, snapshots: &[Value]) -> SnapshotTree {
    let vm_name = name(vm);
    let by_name: BTreeMap<&str, &Value> = snapshots
        .iter()
        .filter(|s| str_at(s, "/spec/vmName") == Some(vm_name))
        .map(|s| (name(s), s))
        .collect();
    let current = vm
        .pointer("/status/currentSnapshot")
        .and_then(SnapshotRef::from_value);
    let mut seen: BTreeSet<String> = BTreeSet::new();

    fn grow(
        r: &SnapshotRef,
        by_name: &BTreeMap<&str, &Value>,
        current: Option<&SnapshotRef>,
        seen: &mut BTreeSet<String>,
    ) -> TreeNode {
        let snap = r.managed_name().and_then(|n| by_name.get(n).copied());
        let mut node = node_of(r, snap, current);
        if let (Some(n), Some(s)) = (r.managed_name(), snap)
            // A cycle in a corrupt status must not hang us.
            && seen.insert(n.to_owned())
        {
            node.children = SnapshotRef::refs(s, "/status/children")
                .iter()
                .map(|c| grow(c, by_name, current, seen))
                .collect();
        }
        node
    }

    let roots: Vec<TreeNode> = SnapshotRef::refs(vm, "/status/rootSnapshots")
        .iter()
        .map(|r| grow(r, &by_name, current.as_ref(), &mut seen))
        .collect();
    let mut detached: Vec<&Value> = by_name
        .iter()
        .filter(|(n, _)| !seen.contains(**n))
        .map(|(_, s)| *s)
        .collect();
    detached.sort_by_key(|s| {
        (
            time_at(s, "/metadata/creationTimestamp"),
            name(s).to_owned(),
        )
    });
    let detached = detached
        .into_iter()
        .map(|s| {
            let r = SnapshotRef {
                managed: true,
                name: name(s).to_owned(),
            };
            node_of(&r, Some(s), current.as_ref())
        })
        .collect();
    SnapshotTree {
        namespace: namespace(vm).to_owned(),
        vm: vm_name.to_owned(),
        current,
        roots,
        detached,
    }
}

/// What the text rendering shows besides names (govc's `-i`, `-D`, `-d`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// The vSphere snapshot id (`snapshot-226`).
    pub ids: bool,
    /// The creation date, as govc writes it (`Nov 10 02:00`).
    pub dates: bool,
    pub descriptions: bool,
}

/// The tree as `govc snapshot.tree` draws it (govmomi cli/vm/snapshot/tree.go): two spaces
/// per level, `[attrs]  ` before the name, dates in RFC 3339, the current snapshot followed
/// by a `.` line that repeats its attributes and description. Unmanaged nodes read
/// `(unmanaged)`; a phase other than Ready follows the name in parentheses.
///
/// Detached snapshots come last, except those vSphere has taken while the tree holds an
/// Unmanaged node: VM Operator does not walk an Unmanaged node's children (vm-operator
/// pkg/providers/vsphere/vmlifecycle/update_status.go, updateSnapshotChildrenStatus), so
/// they sit below it — drawn as its children when there is one such node, else marked.
/// Empty when the VM has no snapshots (govc prints nothing either).
pub fn render_tree(tree: &SnapshotTree, opts: RenderOptions) -> String {
    fn meta(n: &TreeNode, opts: RenderOptions) -> String {
        let mut attrs: Vec<String> = Vec::new();
        if opts.ids {
            attrs.push(n.unique_id.clone().unwrap_or_else(|| "-".into()));
        }
        if opts.dates {
            attrs.push(
                n.created
                    .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_else(|| "-".into()),
            );
        }
        if attrs.is_empty() {
            String::new()
        } else {
            format!("[{}]  ", attrs.join(" "))
        }
    }
    fn described(mut s: String, n: &TreeNode, opts: RenderOptions) -> String {
        if opts.descriptions
            && let Some(d) = n.description.as_deref().filter(|d| !d.is_empty())
        {
            s.push_str(&format!(" - {d}"));
        }
        s
    }
    fn label(n: &TreeNode, opts: RenderOptions) -> String {
        let mut s = n.name.clone().unwrap_or_else(|| "(unmanaged)".into());
        if n.missing {
            s.push_str(" (not found)");
        } else if let Some(p) = n.phase.filter(|p| *p != Phase::Ready) {
            s.push_str(&format!(" ({})", p.as_str()));
        }
        described(s, n, opts)
    }
    struct Drawing<'a> {
        opts: RenderOptions,
        /// Drawn as the children of the one Unmanaged node.
        below_unmanaged: &'a [&'a TreeNode],
        out: String,
    }
    fn write<'a>(d: &mut Drawing<'_>, nodes: impl IntoIterator<Item = &'a TreeNode>, level: usize) {
        for n in nodes {
            let pad = " ".repeat(level);
            let m = meta(n, d.opts);
            d.out.push_str(&format!("{pad}{m}{}\n", label(n, d.opts)));
            if n.current {
                let dot = described(".".into(), n, d.opts);
                d.out.push_str(&format!("{pad}{m}{dot}\n"));
            }
            write(d, &n.children, level + 2);
            if n.type_ == "Unmanaged" {
                let below = d.below_unmanaged;
                write(d, below.iter().copied(), level + 2);
            }
        }
    }
    fn unmanaged(nodes: &[TreeNode]) -> usize {
        nodes
            .iter()
            .map(|n| usize::from(n.type_ == "Unmanaged") + unmanaged(&n.children))
            .sum()
    }
    let has_unmanaged = unmanaged(&tree.roots);
    let (taken, queued): (Vec<&TreeNode>, Vec<&TreeNode>) = tree
        .detached
        .iter()
        .partition(|n| has_unmanaged > 0 && n.phase == Some(Phase::Ready));
    let one = has_unmanaged == 1;
    let mut d = Drawing {
        opts,
        below_unmanaged: if one { &taken } else { &[] },
        out: String::new(),
    };
    write(&mut d, &tree.roots, 0);
    if !one {
        // Below one of several Unmanaged nodes: which one, VM Operator does not say.
        for n in &taken {
            let m = meta(n, opts);
            let name = n.name.clone().unwrap_or_default();
            let s = described(format!("{name} (below an unmanaged snapshot)"), n, opts);
            d.out.push_str(&format!("{m}{s}\n"));
            if n.current {
                d.out
                    .push_str(&format!("{m}{}\n", described(".".into(), n, opts)));
            }
        }
    }
    write(&mut d, queued, 0);
    d.out
}
