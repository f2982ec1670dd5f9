//! `wait SNAPSHOT`: re-attach to a Deckhouse VM snapshot in progress.

use serde_json::Value;

use crate::cli::WaitArgs;
use crate::cluster::json::str_at;
use crate::error::UserError;
use crate::flow::Ctx;
use crate::flow::follow::{self, Followed, Readiness};
use crate::platform::deckhouse::api::{Kind, phase_message};
use crate::platform::deckhouse::report::Report;
use crate::platform::deckhouse::report::resource_name;

/// Phase Ready; Failed ends the wait.
fn readiness(v: &Value) -> Readiness {
    match str_at(v, "/status/phase") {
        Some("Ready") => Readiness::Ready,
        Some("Failed") => Readiness::Failed(phase_message(v)),
        _ => Readiness::Pending(phase_message(v)),
    }
}

/// Follows the VM snapshot named until `--for` holds.
pub async fn run(args: &WaitArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let dh = &ctx.deckhouse();
    let Some(name) = args.snapshot.as_deref() else {
        return Err(UserError::usage("--restore names a KubeVirt VirtualMachineRestore")
            .hint("a Deckhouse restore is a VirtualMachineOperation; follow it with: kubectl get vmop -w")
            .into());
    };
    let ns = ctx.namespace.clone();
    let resource = resource_name(Kind::VirtualMachineSnapshot, name);
    let resource = resource
        .rsplit_once('/')
        .map(|(r, _)| r)
        .unwrap_or_default()
        .to_owned();
    let api = dh.api(Kind::VirtualMachineSnapshot, Some(&ns));
    let target = Followed::snapshot(api, &resource, &ns, name, "to be ready");
    follow::wait(ctx, target, &args.condition, args.timeout, &readiness)
        .await
        .map(Report::Wait)
}
