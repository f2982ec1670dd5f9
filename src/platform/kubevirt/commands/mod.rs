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

/// plan → confirm → execute for the writing commands; a query for the reading ones.
pub async fn run(command: &Command, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let client_dry_run = ctx.dry_run() == DryRun::Client;
    match command {
        Command::List(args) => list::run(args, ctx).await,
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Wait(args) => wait::run(args, ctx).await,
        Command::Create(args) if args.selector.is_some() => {
            let mut plan = batch::plan(args, ctx).await?;
            batch::confirm(&mut plan, ctx)?;
            if client_dry_run {
                return Ok(batch::dry_run_report(&plan));
            }
            batch::execute(plan, ctx).await
        }
        Command::Create(args) => {
            let mut plan = create::plan(args, ctx).await?;
            create::confirm(&mut plan, ctx)?;
            if client_dry_run {
                return Ok(create::dry_run_report(&plan));
            }
            create::execute(plan, ctx).await
        }
        Command::Delete(args) => {
            let plan = delete::plan(args, ctx).await?;
            delete::confirm(&plan, ctx)?;
            if client_dry_run {
                return Ok(delete::dry_run_report(&plan));
            }
            delete::execute(plan, ctx).await
        }
        Command::Restore(args) => {
            let mut plan = restore::plan(args, ctx).await?;
            restore::confirm(&mut plan, ctx)?;
            if client_dry_run {
                return Ok(restore::dry_run_report(&plan));
            }
            restore::execute(plan, ctx).await
        }
        Command::Diff(args) => diff::run(args, ctx).await,
        Command::Check(args) => check::run(args, ctx).await,
        Command::Prune(args) => {
            let plan = prune::plan(args, ctx).await?;
            prune::confirm(&plan, ctx)?;
            if client_dry_run {
                return Ok(prune::dry_run_report(&plan));
            }
            prune::execute(plan, ctx).await
        }
        Command::Clone(args) => {
            let plan = clone::plan(args, ctx).await?;
            clone::confirm(&plan, ctx)?;
            if client_dry_run {
                return Ok(clone::dry_run_report(&plan));
            }
            clone::execute(plan, ctx).await
        }
        Command::Tree(_) | Command::RestoreDisk(_) => Err(crate::platform::capability::KUBEVIRT
            .not_offered(command)
            .into()),
        Command::Version | Command::Completion(_) | Command::Options => {
            Err(anyhow::anyhow!("internal: handled before connecting"))
        }
    }
}
