//! Who holds a VM or a snapshot on KubeVirt: the unfinished restores and clones that must end
//! before a new restore of that VM, or a delete of that snapshot, can go ahead.

use serde_json::Value;

use super::clone::{CloneInfo, clone_info};
use super::convert::restore_info;
use super::resources::{KUBEVIRT_GROUP, SNAPSHOT_GROUP};
use crate::cluster::json::str_at;
use crate::model::RestoreInfo;

/// An unfinished object that reads a snapshot or targets a VM.
#[derive(Debug, Clone, PartialEq)]
pub enum Holder {
    Restore(RestoreInfo),
    Clone(CloneInfo),
}

/// The restores KubeVirt's admission webhook counts as "in progress" against a new restore of
/// VM `vm`: the same target and `status.complete` not true, failed ones included (they never
/// complete). Upstream: kubevirt/kubevirt pkg/storage/admitters/vmrestore.go (d923fdb8).
pub fn restores_blocking_vm(restores: &[Value], vm: &str) -> Vec<RestoreInfo> {
    restores
        .iter()
        .filter(|r| refers_to(r, "/spec/target", (KUBEVIRT_GROUP, "VirtualMachine"), vm))
        .map(restore_info)
        .filter(|r| !r.complete)
        .collect()
}

/// The first unfinished restore or clone that reads snapshot `snapshot`: a restore not
/// complete (failed ones included: the webhook still counts them), a clone not Succeeded or
/// Failed.
pub fn snapshot_holder(restores: &[Value], clones: &[Value], snapshot: &str) -> Option<Holder> {
    let restore = restores
        .iter()
        .map(restore_info)
        .find(|r| r.snapshot == snapshot && !r.complete);
    if let Some(r) = restore {
        return Some(Holder::Restore(r));
    }
    clones
        .iter()
        .filter(|c| {
            refers_to(
                c,
                "/spec/source",
                (SNAPSHOT_GROUP, "VirtualMachineSnapshot"),
                snapshot,
            )
        })
        .map(clone_info)
        .find(|c| !c.phase.is_terminal())
        .map(Holder::Clone)
}

/// The typed object reference at `at` (`kind`, `apiGroup` defaulting to the expected group,
/// `name`) names the `(group, kind)` object `name`.
fn refers_to(obj: &Value, at: &str, (group, kind): (&str, &str), name: &str) -> bool {
    let field = |f: &str| str_at(obj, &format!("{at}/{f}"));
    field("kind") == Some(kind)
        && field("apiGroup").unwrap_or(group) == group
        && field("name") == Some(name)
}

impl Holder {
    /// "restore R of VM V (in progress)", "clone C into VM T (RestoreInProgress)".
    pub fn describe(&self) -> String {
        match self {
            Self::Restore(r) => match &r.error {
                Some(e) => format!(
                    "restore {} of VM {}, which failed ({e}) and never completed",
                    r.name, r.vm
                ),
                None => format!(
                    "restore {} of VM {}, which is still in progress",
                    r.name, r.vm
                ),
            },
            Self::Clone(c) => format!(
                "clone {} into VM {}, which is still in progress ({})",
                c.name,
                c.target.as_deref().unwrap_or("?"),
                c.phase.as_str()
            ),
        }
    }

    /// The command that follows it, or (failed) clears it.
    pub fn next_step(&self, ns: &str) -> String {
        match self {
            Self::Restore(r) if r.error.is_some() => format!(
                "delete the failed restore first: kubectl delete virtualmachinerestore {} -n {ns}",
                r.name
            ),
            Self::Restore(r) => format!(
                "wait for it to complete: kubectl get virtualmachinerestore {} -n {ns} -w",
                r.name
            ),
            Self::Clone(c) => format!(
                "wait for it to finish: kubectl get virtualmachineclone {} -n {ns} -w",
                c.name
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn restore(name: &str, vm: &str, snap: &str, status: Value) -> Value {
        json!({"metadata": {"name": name, "namespace": "p"},
            "spec": {"target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm},
                "virtualMachineSnapshotName": snap},
            "status": status})
    }

    fn failed() -> Value {
        json!({"complete": false, "conditions": [
            {"type": "Failure", "status": "True", "reason": "Restore target VMI must be powered off before restore operation"}]})
    }

    #[test]
    fn a_failed_restore_blocks_the_vm_like_the_webhook_says() {
        let rs = [
            restore("done", "db", "s1", json!({"complete": true})),
            restore("failed", "db", "s1", failed()),
            restore("other", "web", "s2", json!({})),
        ];
        let names: Vec<_> = restores_blocking_vm(&rs, "db")
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["failed"]);
        // No status at all is "in progress" too.
        assert_eq!(restores_blocking_vm(&rs, "web").len(), 1);
    }

    #[test]
    fn a_snapshot_is_held_by_an_unfinished_restore_or_clone_only() {
        let rs = [restore("done", "db", "s1", json!({"complete": true}))];
        let clone = |phase: &str| {
            json!({"metadata": {"name": "c1", "namespace": "p"},
                "spec": {"source": {"apiGroup": "snapshot.kubevirt.io",
                    "kind": "VirtualMachineSnapshot", "name": "s1"},
                    "target": {"kind": "VirtualMachine", "name": "new"}},
                "status": {"phase": phase}})
        };
        assert_eq!(snapshot_holder(&rs, &[clone("Succeeded")], "s1"), None);
        let held = snapshot_holder(&rs, &[clone("RestoreInProgress")], "s1").expect("held");
        assert_eq!(
            held.describe(),
            "clone c1 into VM new, which is still in progress (RestoreInProgress)"
        );
        let rs = [restore("bad", "db", "s1", failed())];
        let held = snapshot_holder(&rs, &[], "s1").expect("held");
        assert_eq!(
            held.next_step("p"),
            "delete the failed restore first: kubectl delete virtualmachinerestore bad -n p"
        );
        assert_eq!(snapshot_holder(&rs, &[], "s2"), None);
    }
}
