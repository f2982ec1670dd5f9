//! `describe SNAPSHOT` on VM Operator: memory, quiesce, power state, vSphere id, storage, its
//! place in the tree, and the conditions with their times.

use super::{Ctx, require_snapshot, vm_tree};
use crate::cli::DescribeArgs;
use crate::cluster::events::events_about;
use crate::cluster::json::str_at;
use crate::platform::vmoperator::report::{DescribeReport, Report};

pub async fn run(args: &DescribeArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    let ns = ctx.namespace.clone();
    let snap = require_snapshot(
        vmop.get_snapshot(&ns, &args.snapshot).await?,
        &ns,
        &args.snapshot,
    )?;
    let vm_name = str_at(&snap, "/spec/vmName").unwrap_or("").to_owned();
    let (vm, _, tree) = vm_tree(vmop, &ns, &vm_name).await?;
    let events = events_about(&ctx.conn.client, &[&snap]).await.ok();
    Ok(Report::Describe(Box::new(DescribeReport::new(
        snap, vm, tree, events,
    ))))
}
