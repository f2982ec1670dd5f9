//! The commands on KubeVirt: one module per subcommand, plan (reads only) then execute
//! (writes and waits).

pub mod batch;
pub mod check;
pub mod clone;
pub mod common;
pub mod context;
pub mod create;
pub mod delete;
pub mod describe;
pub mod diff;
pub mod list;
pub mod prune;
pub mod restore;
pub mod wait;

use crate::cli::{Command, DryRun};
use crate::flow::Ctx;
use crate::platform::kubevirt::report::Report;

/// plan → [`settle`] (confirm → dry run or execute) for the writing commands; a query for the
/// reading ones.
pub async fn run(command: &Command, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    match command {
        Command::List(args) => list::run(args, ctx).await,
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Wait(args) => wait::run(args, ctx).await,
        Command::Create(args) if args.selector.is_some() => {
            let plan = batch::plan(args, ctx).await?;
            settle(
                plan,
                ctx,
                batch::confirm,
                batch::dry_run_report,
                batch::execute,
            )
            .await
        }
        Command::Create(args) => {
            let plan = create::plan(args, ctx).await?;
            settle(
                plan,
                ctx,
                create::confirm,
                create::dry_run_report,
                create::execute,
            )
            .await
        }
        Command::Delete(args) => {
            let plan = delete::plan(args, ctx).await?;
            let confirm = |p: &mut _, c: &mut _| delete::confirm(p, c);
            settle(plan, ctx, confirm, delete::dry_run_report, delete::execute).await
        }
        Command::Restore(args) => {
            let plan = restore::plan(args, ctx).await?;
            settle(
                plan,
                ctx,
                restore::confirm,
                restore::dry_run_report,
                restore::execute,
            )
            .await
        }
        Command::Diff(args) => diff::run(args, ctx).await,
        Command::Check(args) => check::run(args, ctx).await,
        Command::Prune(args) => {
            let plan = prune::plan(args, ctx).await?;
            let confirm = |p: &mut _, c: &mut _| prune::confirm(p, c);
            settle(plan, ctx, confirm, prune::dry_run_report, prune::execute).await
        }
        Command::Clone(args) => {
            let plan = clone::plan(args, ctx).await?;
            let confirm = |p: &mut _, c: &mut _| clone::confirm(p, c);
            settle(plan, ctx, confirm, clone::dry_run_report, clone::execute).await
        }
        Command::Tree(_) | Command::RestoreDisk(_) => Err(crate::platform::capability::KUBEVIRT
            .not_offered(command)
            .into()),
        Command::Version | Command::Completion(_) | Command::Options => {
            Err(anyhow::anyhow!("internal: handled before connecting"))
        }
    }
}

/// The writing commands' one course after the plan (reads only): ask, then show what would be
/// done (`--dry-run=client`) or do it.
async fn settle<'c, P>(
    mut plan: P,
    ctx: &mut Ctx<'c>,
    confirm: impl FnOnce(&mut P, &mut Ctx<'c>) -> anyhow::Result<()>,
    dry_run_report: impl FnOnce(&P) -> Report,
    execute: impl AsyncFnOnce(P, &mut Ctx<'c>) -> anyhow::Result<Report>,
) -> anyhow::Result<Report> {
    confirm(&mut plan, ctx)?;
    if ctx.dry_run() == DryRun::Client {
        return Ok(dry_run_report(&plan));
    }
    execute(plan, ctx).await
}
