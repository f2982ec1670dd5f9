//! `tree VM`: the VM's snapshot tree drawn like `govc snapshot.tree`; `-o json|yaml` gives it
//! as data (`roots[]` with children, `detached[]` for snapshots not in the tree yet).

use super::{Ctx, require_vm, vm_tree};
use crate::cli::TreeArgs;
use crate::platform::vmoperator::api::RenderOptions;
use crate::platform::vmoperator::report::{Report, TreeReport};

pub async fn run(args: &TreeArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    let ns = ctx.namespace.clone();
    let (vm, _, tree) = vm_tree(vmop, &ns, &args.vm).await?;
    require_vm(vm, &ns, &args.vm)?;
    if tree.node_count() == 0 && !ctx.format().is_machine() {
        ctx.say(&format!(
            "VM {} has no snapshots in {ns} namespace.",
            args.vm
        ));
    }
    let draw = RenderOptions {
        ids: args.ids,
        dates: args.dates,
        descriptions: args.descriptions,
    };
    Ok(Report::Tree(TreeReport::new(tree, draw)))
}
