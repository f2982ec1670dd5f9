//! `tree VM`: the VM's snapshot tree drawn like `govc snapshot.tree`; `-o json|yaml` gives it
//! as data (`roots[]` with children, `detached[]` for snapshots not in the tree yet).

use serde_json::json;

use super::{Ctx, SNAPSHOT_RESOURCE, report, require_vm, vm_tree};
use crate::cli::TreeArgs;
use crate::output::Report;
use crate::platform::vmoperator::api::{RenderOptions, TreeNode, VmOperator, render_tree};

pub async fn run(args: &TreeArgs, vmop: &VmOperator, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let ns = ctx.namespace.clone();
    let (vm, _, tree) = vm_tree(vmop, &ns, &args.vm).await?;
    require_vm(vm, &ns, &args.vm)?;
    let text = render_tree(
        &tree,
        RenderOptions {
            ids: args.ids,
            dates: args.dates,
            descriptions: args.descriptions,
        },
    );
    if text.is_empty() && !ctx.format().is_machine() {
        ctx.say(&format!(
            "VM {} has no snapshots in {ns} namespace.",
            args.vm
        ));
    }
    fn names(nodes: &[TreeNode], out: &mut Vec<String>) {
        for n in nodes {
            if let Some(name) = n.name.as_ref().filter(|_| !n.missing) {
                out.push(format!("{SNAPSHOT_RESOURCE}/{name}"));
            }
            names(&n.children, out);
        }
    }
    let mut listed = Vec::new();
    names(&tree.roots, &mut listed);
    names(&tree.detached, &mut listed);
    let mut data = serde_json::to_value(&tree)?;
    if let Some(obj) = data.as_object_mut() {
        obj.insert("kind".into(), json!("SnapshotTree"));
        obj.insert("count".into(), json!(tree.node_count()));
    }
    Ok(report(data, text, None, listed))
}
