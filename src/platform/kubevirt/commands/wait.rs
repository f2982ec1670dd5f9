//! `wait SNAPSHOT | --restore NAME`: re-attach to a snapshot or restore in progress.

use serde_json::Value;

use crate::cli::WaitArgs;
use crate::flow::Ctx;
use crate::flow::follow::{self, Followed, Readiness};
use crate::model::SnapshotPhase;
use crate::platform::kubevirt::api::{self as kv, Kind};
use crate::platform::kubevirt::report::Report;
use crate::platform::kubevirt::report::{RESTORE_RESOURCE, SNAPSHOT_RESOURCE};

/// Ready to use; Failed ends the wait.
fn snapshot_readiness(v: &Value) -> Readiness {
    let info = kv::snapshot_info(v, None, &[]);
    if info.is_ready() {
        Readiness::Ready
    } else if info.phase == SnapshotPhase::Failed {
        Readiness::Failed(kv::snapshot_phase_message(v))
    } else {
        Readiness::Pending(kv::snapshot_phase_message(v))
    }
}

/// Complete; a Failure condition ends the wait.
fn restore_readiness(v: &Value) -> Readiness {
    let info = kv::restore_info(v);
    match (info.complete, info.error) {
        (true, _) => Readiness::Ready,
        (false, Some(why)) => Readiness::Failed(why),
        (false, None) => Readiness::Pending(format!("restoring VM {}", info.vm)),
    }
}

/// Follows the snapshot or restore named until `--for` holds.
pub async fn run(args: &WaitArgs, ctx: &mut Ctx<'_>) -> anyhow::Result<Report> {
    let kv = ctx.kubevirt();
    let ns = ctx.namespace.clone();
    let (kind, resource, what, name, ready_text, ready): (_, _, _, _, _, fn(&Value) -> Readiness) =
        match (&args.restore, &args.snapshot) {
            (Some(r), _) => (
                Kind::VirtualMachineRestore,
                RESTORE_RESOURCE,
                "restore",
                r.as_str(),
                "to complete",
                restore_readiness,
            ),
            (None, s) => (
                Kind::VirtualMachineSnapshot,
                SNAPSHOT_RESOURCE,
                "snapshot",
                s.as_deref().unwrap_or_default(),
                "to be ready to use",
                snapshot_readiness,
            ),
        };
    let again = match &args.restore {
        Some(r) => format!("kubectl vmsnap wait --restore {r} -n {ns}"),
        None => format!("kubectl vmsnap wait {name} -n {ns}"),
    };
    let target = Followed {
        api: kv.api(kind, Some(&ns)),
        resource,
        what,
        ns: &ns,
        name,
        again,
        ready_text,
    };
    follow::wait(ctx, target, &args.condition, args.timeout, &ready)
        .await
        .map(Report::Wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_snapshot_is_ready_when_ready_to_use_and_done_for_when_failed() {
        let ready = json!({"status": {"phase": "Succeeded", "readyToUse": true}});
        assert_eq!(snapshot_readiness(&ready), Readiness::Ready);
        let failed = json!({"status": {"phase": "Failed", "error": {"message": "disk gone"}}});
        assert!(
            matches!(snapshot_readiness(&failed), Readiness::Failed(m) if m.contains("disk gone"))
        );
        let working = json!({"status": {"phase": "InProgress"}});
        assert!(matches!(
            snapshot_readiness(&working),
            Readiness::Pending(_)
        ));
    }

    #[test]
    fn a_restore_is_ready_when_complete_and_done_for_on_a_failure() {
        let done = json!({"spec": {"target": {"name": "vm"}}, "status": {"complete": true}});
        assert_eq!(restore_readiness(&done), Readiness::Ready);
        let failed = json!({"spec": {"target": {"name": "vm"}}, "status": {"complete": false,
            "conditions": [{"type": "Failure", "status": "True", "reason": "boom"}]}});
        assert!(
            matches!(restore_readiness(&failed), Readiness::Failed(_)),
            "{:?}",
            restore_readiness(&failed)
        );
        let working = json!({"spec": {"target": {"name": "vm"}}, "status": {"complete": false}});
        assert_eq!(
            restore_readiness(&working),
            Readiness::Pending("restoring VM vm".into())
        );
    }
}
