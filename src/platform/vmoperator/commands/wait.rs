//! `wait SNAPSHOT`: re-attach to a VM Operator snapshot in progress.

use serde_json::Value;

use super::{PLATFORM, SNAPSHOT_RESOURCE, refuse_flag};
use crate::cli::WaitArgs;
use crate::flow::Ctx;
use crate::flow::follow::{self, Followed, Readiness};
use crate::platform::vmoperator::api::{Kind, Phase, phase, phase_message};
use crate::platform::vmoperator::report::Report;

/// Ready; Failed (the vSphere task failed) ends the wait.
fn readiness(v: &Value) -> Readiness {
    let message = || phase_message(v).unwrap_or_else(|| phase(v).as_str().to_owned());
    match phase(v) {
        Phase::Ready => Readiness::Ready,
        Phase::Failed => Readiness::Failed(message()),
        _ => Readiness::Pending(message()),
    }
}

/// Follows the snapshot named until `--for` holds.
pub async fn run(args: &WaitArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let vmop = &ctx.vmoperator();
    let Some(name) = args.snapshot.as_deref() else {
        return Err(refuse_flag(
            "--restore",
            &format!(
                "a revert on {PLATFORM} is the VM's spec.currentSnapshotName; follow the VM with kubectl get vm -w"
            ),
        ));
    };
    let ns = ctx.namespace.clone();
    let api = vmop.api(Kind::VirtualMachineSnapshot, Some(&ns));
    let target = Followed::snapshot(api, SNAPSHOT_RESOURCE, &ns, name, "to be ready");
    follow::wait(ctx, target, &args.condition, args.timeout, &readiness)
        .await
        .map(Report::Wait)
}
