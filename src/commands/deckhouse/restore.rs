//! `restore` on Deckhouse (being written).

use super::Ctx;
use crate::cli::RestoreArgs;
use crate::output::Report;
use crate::provider::deckhouse::Deckhouse;

pub(super) async fn run(
    args: &RestoreArgs,
    dh: &Deckhouse,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let _ = (args, dh, ctx);
    Err(crate::error::UserError::usage("not yet").into())
}
