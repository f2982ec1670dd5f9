//! The commands on Deckhouse Virtualization: VM and disk snapshots, restores and clones
//! through operations with a dry run first.

use super::Ctx;
use crate::cli::Command;
use crate::output::Report;
use crate::provider::deckhouse::Deckhouse;

/// Runs `command` against Deckhouse Virtualization.
pub async fn run(command: &Command, dh: &Deckhouse, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let _ = (dh, &ctx.namespace);
    Err(super::platform::not_offered(command, "Deckhouse Virtualization").into())
}
