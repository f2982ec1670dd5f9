//! What KubeVirt's commands share beyond what every platform shares (`flow::common`, which
//! this module re-exports so the commands name one `common`).

use std::time::Duration;

use serde_json::Value;

use crate::cluster::{Step, WaitOptions, WaitResult, wait_json};
use crate::flow::Ctx;
pub use crate::flow::common::*;
use crate::model::SnapshotPhase;
use crate::platform::kubevirt::api::resources::SNAPSHOT_GROUP;
use crate::platform::kubevirt::api::{self as kv, Kind, KubeVirt};

/// Reads snapshot `ns/name`, or exits 5 with the command that lists snapshots.
pub async fn get_snapshot(kv: &KubeVirt, ns: &str, name: &str) -> anyhow::Result<Value> {
    require_snapshot(kv.get_snapshot(ns, name).await?, ns, name)
}

/// [`require_permission`] on a resource of KubeVirt's snapshot API group in `ns`.
pub async fn require_snapshot_permission(
    client: &kube::Client,
    verb: &str,
    resource: &str,
    ns: &str,
) -> anyhow::Result<()> {
    require_permission(client, verb, SNAPSHOT_GROUP, resource, ns).await
}

/// Sets `apiVersion` to the version the cluster serves (the builders write v1beta1; a
/// cluster serving only v1alpha1 would refuse the mismatch).
pub fn served_api_version(obj: &mut Value, kv: &KubeVirt, kind: Kind) {
    obj["apiVersion"] = Value::String(kind.api_version(&kv.versions()));
}

/// The API server's own message in `err`, when it came from a Status.
pub fn api_message(err: &anyhow::Error) -> Option<String> {
    err.chain()
        .find_map(|e| match e.downcast_ref::<kube::Error>() {
            Some(kube::Error::Api(s)) => Some(s.message.clone()),
            _ => None,
        })
}

/// A snapshot's content and the CSI VolumeSnapshots it names. KubeVirt names them
/// `vmsnapshot-<id>-volume-<volume>` for content `vmsnapshot-content-<id>`, so they are read
/// together with the content (one round trip); any the content names otherwise are read
/// after it. Unreadable parts are left out: they only feed sizes and readiness details.
pub async fn content_and_volume_snapshots(
    kv: &KubeVirt,
    ns: &str,
    snap: &Value,
) -> (Option<Value>, Vec<Value>) {
    let Some(name) =
        crate::cluster::json::str_at(snap, "/status/virtualMachineSnapshotContentName")
    else {
        return (None, Vec::new());
    };
    let guessed: Vec<String> = match name.strip_prefix("vmsnapshot-content-") {
        Some(id) => crate::cluster::json::arr_at(snap, "/status/snapshotVolumes/includedVolumes")
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("vmsnapshot-{id}-volume-{v}"))
            .collect(),
        None => Vec::new(),
    };
    let get_all = |names: Vec<String>| async move {
        let gets = names.iter().map(|n| kv.get(Kind::VolumeSnapshot, ns, n));
        futures::future::join_all(gets)
            .await
            .into_iter()
            .filter_map(|r| r.ok().flatten())
            .collect::<Vec<Value>>()
    };
    let (content, mut found) = futures::join!(kv.get_content(ns, name), get_all(guessed));
    let Ok(Some(content)) = content else {
        return (None, found);
    };
    let missing: Vec<String> = crate::cluster::json::arr_at(&content, "/spec/volumeBackups")
        .iter()
        .filter_map(|b| crate::cluster::json::string_at(b, "/volumeSnapshotName"))
        .filter(|n| !found.iter().any(|v| crate::cluster::json::name(v) == n))
        .collect();
    if !missing.is_empty() {
        found.extend(get_all(missing).await);
    }
    (Some(content), found)
}

/// Follows a snapshot until it is ready to use or Failed, with a spinner; `what` names it in
/// the messages ("snapshot", "safety snapshot"). The object comes back as plain JSON.
pub async fn wait_snapshot(
    ctx: &mut Ctx<'_>,
    ns: &str,
    name: &str,
    timeout: Duration,
    what: &str,
) -> anyhow::Result<WaitResult<Value>> {
    let api = ctx.kubevirt().api(Kind::VirtualMachineSnapshot, Some(ns));
    let title = titled(what);
    follow_json(
        ctx,
        api,
        name,
        timeout,
        &format!("Creating {what} {name}"),
        |obj| match obj {
            None => Step::Continue(format!("Waiting for {what} {name} to appear")),
            Some(v) => {
                let info = kv::snapshot_info(v, None, &[]);
                if info.is_ready() || info.phase == SnapshotPhase::Failed {
                    Step::Done
                } else {
                    Step::Continue(format!("{title} {name}: {}", kv::snapshot_phase_message(v)))
                }
            }
        },
    )
    .await
}

/// Follows a VM until its printableStatus is `want`, with a spinner.
pub async fn wait_vm_status(
    ctx: &mut Ctx<'_>,
    ns: &str,
    vm: &str,
    want: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let check = format!("kubectl get vm {vm} -n {ns}");
    wait_vm(ctx, ns, vm, want, &check, timeout, |info| {
        let status = info
            .map(|i| i.printable_status)
            .unwrap_or_else(|| "gone".to_string());
        if status == want {
            Step::Done
        } else {
            Step::Continue(format!("VM {vm}: {status}, waiting for {want}"))
        }
    })
    .await
}

/// Waits until no snapshot or restore holds the VM (`status.snapshotInProgress`,
/// `status.restoreInProgress`). KubeVirt's VM webhook refuses run-state changes meanwhile, and
/// its snapshot controller lets the VM go only after the snapshot has succeeded.
pub async fn wait_vm_released(
    ctx: &mut Ctx<'_>,
    ns: &str,
    vm: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let check = format!("kubectl get vm {vm} -n {ns} -o jsonpath='{{.status}}'");
    let want = "released by its snapshot or restore";
    wait_vm(ctx, ns, vm, want, &check, timeout, |info| {
        let Some(info) = info else {
            return Step::Done;
        };
        match (&info.snapshot_in_progress, &info.restore_in_progress) {
            (None, None) => Step::Done,
            (Some(s), _) => Step::Continue(format!(
                "VM {vm}: held by snapshot {s}, waiting for it to let go"
            )),
            (None, Some(r)) => Step::Continue(format!(
                "VM {vm}: held by restore {r}, waiting for it to let go"
            )),
        }
    })
    .await
}

/// Follows a VM with a spinner until `step` says done; `want` names the goal in messages and
/// `check` is the command to look at the VM.
async fn wait_vm(
    ctx: &mut Ctx<'_>,
    ns: &str,
    vm: &str,
    want: &str,
    check: &str,
    timeout: Duration,
    step: impl Fn(Option<crate::model::VmInfo>) -> Step,
) -> anyhow::Result<()> {
    let api = ctx.kubevirt().api(Kind::VirtualMachine, Some(ns));
    let mut progress = ctx.progress(&format!("Waiting for VM {vm} to be {want}"));
    let result = wait_json(
        api,
        vm,
        WaitOptions::new(timeout),
        progress.as_mut(),
        |obj| step(obj.map(|o| kv::vm_info(o, None))),
    )
    .await;
    progress.finish();
    vm_state_reached(result?, ns, vm, want, timeout, check)
}
