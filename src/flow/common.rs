//! Small helpers the commands share: required lookups, VM state waits, error codes.

use std::time::Duration;

use serde_json::Value;

use super::Ctx;
use crate::cluster::{Step, WaitOptions, WaitResult, wait_json};
use crate::error::UserError;
use crate::names::go_duration;

/// The HTTP status of the API error inside `err`, if any.
pub fn api_code(err: &anyhow::Error) -> Option<u16> {
    err.chain()
        .find_map(|e| match e.downcast_ref::<kube::Error>() {
            Some(kube::Error::Api(s)) => Some(s.code),
            _ => None,
        })
}

/// `list`'s notice on stderr when it found nothing (stdout stays empty, as kubectl's): "No
/// snapshots [of VM vm] found [in ns namespace]." Machine-readable outputs say nothing.
pub fn say_none_listed(ctx: &mut Ctx<'_>, count: usize, vm: Option<&str>, ns: Option<&str>) {
    if count > 0 || ctx.format().is_machine() {
        return;
    }
    let what = match vm {
        Some(vm) => format!("No snapshots of VM {vm} found"),
        None => "No snapshots found".to_owned(),
    };
    match ns {
        Some(ns) => ctx.say(&format!("{what} in {ns} namespace.")),
        None => ctx.say(&format!("{what}.")),
    }
}

/// Adds a hint to a user-facing error; other errors pass unchanged.
pub fn with_hint(err: anyhow::Error, hint: String) -> anyhow::Error {
    match err.downcast::<UserError>() {
        Ok(user) => user.hint(hint).into(),
        Err(other) => other,
    }
}

/// After a signal stopped a command that had powered `vm` off, before anything irreversible
/// was sent: runs `start` (the writes that put it back as it was, bounded by
/// [`crate::interrupt::RECOVERY_BOUND`]) and adds to `err` the hint that says so, or, when the VM
/// could not be put back, how to start it by hand. Other errors pass unchanged.
pub async fn power_back_on_after_signal<E: std::fmt::Display>(
    err: anyhow::Error,
    nothing_done: &str,
    vm: &str,
    ns: &str,
    start: impl std::future::Future<Output = Result<(), E>>,
    start_cmd: &str,
) -> anyhow::Error {
    if crate::interrupt::received().is_none() {
        return err;
    }
    let hint = match crate::interrupt::recover(start).await {
        Some(Ok(())) => format!(
            "{nothing_done}; VM {ns}/{vm} was stopped by this command and has been started again \
             (as it was before)"
        ),
        Some(Err(e)) => format!(
            "{nothing_done}; VM {ns}/{vm} was stopped by this command and could not be started \
             again ({e}); start it with: {start_cmd}"
        ),
        None => format!(
            "{nothing_done}; VM {ns}/{vm} was stopped by this command and could not be started \
             again within {}s; start it with: {start_cmd}",
            crate::interrupt::RECOVERY_BOUND.as_secs()
        ),
    };
    match err.downcast::<UserError>() {
        Ok(user) => user.hint(hint).into(),
        // A request the signal stopped, say: keep its words, and still say what became of
        // the VM.
        Err(other) => UserError::interrupted(format!("{other:#}"))
            .hint(hint)
            .into(),
    }
}

/// The VM, or exit 5 with the command that lists VMs.
pub fn require_vm(got: Option<Value>, ns: &str, name: &str) -> anyhow::Result<Value> {
    require_vm_as(got, ns, name, "vm")
}

/// The VM, or exit 5 with `kubectl get RESOURCE` as the command that lists VMs (another
/// platform's VMs need their qualified resource name).
pub fn require_vm_as(
    got: Option<Value>,
    ns: &str,
    name: &str,
    resource: &str,
) -> anyhow::Result<Value> {
    got.ok_or_else(|| {
        UserError::not_found(format!(
            "VirtualMachine \"{name}\" not found in namespace \"{ns}\""
        ))
        .hint(format!("list the VMs with: kubectl get {resource} -n {ns}"))
        .into()
    })
}

/// The snapshot, or exit 5 with the command that lists snapshots.
pub fn require_snapshot(got: Option<Value>, ns: &str, name: &str) -> anyhow::Result<Value> {
    got.ok_or_else(|| {
        UserError::not_found(format!(
            "snapshot \"{name}\" not found in namespace \"{ns}\""
        ))
        .hint(format!(
            "list the snapshots with: kubectl vmsnap list -n {ns}"
        ))
        .into()
    })
}

/// Asks the API server whether the user may `verb` `resource` (plural, with optional
/// `/subresource`) of `group` in `ns`. None when it cannot tell (the review API refused or
/// failed): the write itself will then say.
pub async fn can_i(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    ns: &str,
) -> Option<bool> {
    use k8s_openapi::api::authorization::v1::{
        ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    };
    let (resource, subresource) = match resource.split_once('/') {
        Some((r, s)) => (r, Some(s.to_string())),
        None => (resource, None),
    };
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.to_string()),
                group: Some(group.to_string()),
                resource: Some(resource.to_string()),
                subresource,
                namespace: Some(ns.to_string()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: kube::Api<SelfSubjectAccessReview> = kube::Api::all(client.clone());
    let answer = api
        .create(&kube::api::PostParams::default(), &review)
        .await
        .ok()?;
    answer.status.map(|s| s.allowed)
}

/// Refuses (exit 6) before any question when the user may not `verb` `resource` of `group`
/// (any platform's: the hint names the role that grants it where the platform has one).
pub async fn require_permission(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    ns: &str,
) -> anyhow::Result<()> {
    if can_i(client, verb, group, resource, ns).await == Some(false) {
        let target = format!("{resource}.{group}");
        return Err(UserError::forbidden(format!(
            "you are not allowed to {verb} {target} in namespace {ns}"
        ))
        .hint(format!(
            "ask your cluster administrator{}; check with: kubectl auth can-i {verb} {target} -n {ns}",
            granted_by(group)
        ))
        .into());
    }
    Ok(())
}

/// [`require_permission`] to create the safety snapshot a restore (`verb`: "restore",
/// "revert") takes first: the refusal also names the way around it.
pub async fn require_safety_snapshot_permission(
    client: &kube::Client,
    group: &str,
    resource: &str,
    ns: &str,
    verb: &str,
) -> anyhow::Result<()> {
    require_permission(client, "create", group, resource, ns)
        .await
        .map_err(|e| {
            with_hint(
                e,
                format!("or {verb} without a safety snapshot: --no-safety-snapshot"),
            )
        })
}

/// The aggregated role that grants a platform's users its verbs, where the platform ships one.
fn granted_by(group: &str) -> &'static str {
    // KubeVirt aggregates its groups' verbs into the kubevirt.io:edit ClusterRole
    // (kubevirt/kubevirt pkg/virt-operator/resource/generate/rbac/cluster.go).
    if group == "kubevirt.io" || group.ends_with(".kubevirt.io") {
        " (KubeVirt's kubevirt.io:edit role grants it)"
    } else {
        " for access"
    }
}

/// What the messages about a safety snapshot say: its name, the operation it precedes
/// ("restore", "revert"), and the two hints every failure carries.
pub struct SafetyContext<'a> {
    pub name: &'a str,
    pub ns: &'a str,
    /// "restore" or "revert".
    pub verb: &'a str,
    /// "nothing was restored; the VM is unchanged".
    pub nothing: &'a str,
    /// The command that goes on without a safety snapshot.
    pub without: &'a str,
}

impl SafetyContext<'_> {
    /// The safety snapshot could not be created: an error that says nothing was done.
    pub fn create_failed(&self, err: anyhow::Error) -> anyhow::Error {
        let (name, ns) = (self.name, self.ns);
        let msg = if api_code(&err) == Some(409) {
            format!("a snapshot named {name} already exists in namespace {ns}")
        } else {
            format!("failed to create the safety snapshot {name}: {err:#}")
        };
        UserError::failure(msg)
            .hint(self.nothing)
            .hint(self.without)
            .into()
    }

    /// The last state a wait for the safety snapshot saw, or the error for a snapshot that
    /// disappeared, a timeout or Ctrl-C (the snapshot goes on; nothing else was done).
    pub fn waited(&self, result: WaitResult<Value>, timeout: Duration) -> anyhow::Result<Value> {
        let (name, ns) = (self.name, self.ns);
        let follow = format!("kubectl vmsnap wait {name} -n {ns}");
        match result {
            WaitResult::Done(Some(v)) => Ok(v),
            WaitResult::Done(None) => Err(UserError::failure(format!(
                "the safety snapshot {name} disappeared before it was ready"
            ))
            .hint(self.nothing)
            .hint(self.without)
            .into()),
            WaitResult::TimedOut(_) => Err(UserError::timed_out(format!(
                "timed out after {} waiting for the safety snapshot {name}",
                go_duration(timeout)
            ))
            .hint(self.nothing)
            .hint(format!(
                "the snapshot continues on the cluster; follow it with: {follow}, then run the {} again",
                self.verb
            ))
            .into()),
            WaitResult::Interrupted(_) => Err(UserError::interrupted(format!(
                "stopped waiting for the safety snapshot {name}"
            ))
            .hint(self.nothing)
            .hint(format!(
                "the snapshot continues on the cluster; follow it with: {follow}"
            ))
            .into()),
        }
    }
}

/// Follows one object with a spinner titled `title` until `check` (given the object as plain
/// JSON, None while it does not exist) says Done; the object comes back as JSON.
pub async fn follow_json(
    ctx: &mut Ctx<'_>,
    api: kube::Api<kube::api::DynamicObject>,
    name: &str,
    timeout: Duration,
    title: &str,
    check: impl FnMut(Option<&Value>) -> Step,
) -> anyhow::Result<WaitResult<Value>> {
    let mut progress = ctx.progress(title);
    let result = wait_json(
        api,
        name,
        WaitOptions::new(timeout),
        progress.as_mut(),
        check,
    )
    .await;
    progress.finish();
    result
}

/// `Snapshot s1`, `Safety snapshot s1`: `what` capitalised for a progress line.
pub fn titled(what: &str) -> String {
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The end of a wait for a VM to reach `want`: Ok when it did, else the error for a VM that
/// disappeared, a timeout or Ctrl-C, with `check` as the command to look at it.
pub fn vm_state_reached<K>(
    result: WaitResult<K>,
    ns: &str,
    vm: &str,
    want: &str,
    timeout: Duration,
    check: &str,
) -> anyhow::Result<()> {
    match result {
        WaitResult::Done(Some(_)) => Ok(()),
        WaitResult::Done(None) => {
            Err(UserError::failure(format!("VM {ns}/{vm} disappeared")).into())
        }
        WaitResult::TimedOut(_) => Err(UserError::timed_out(format!(
            "timed out after {} waiting for VM {ns}/{vm} to be {want}",
            go_duration(timeout)
        ))
        .hint(format!("check it with: {check}"))
        .into()),
        WaitResult::Interrupted(_) => Err(UserError::interrupted(format!(
            "stopped waiting for VM {ns}/{vm} to be {want}"
        ))
        .hint(format!("check it with: {check}"))
        .into()),
    }
}

/// A wait that ended before its object got there: timed out (`Some(timeout)`) or stopped
/// by a signal. `waiting_for` and `following` name it for each ending; what `continues` on
/// the cluster is followed with `follow`.
pub fn wait_cut_short(
    timed_out: Option<Duration>,
    waiting_for: &str,
    following: &str,
    continues: &str,
    follow: &str,
) -> UserError {
    match timed_out {
        Some(t) => wait_timed_out(t, waiting_for, continues, follow),
        None => wait_stopped(following, continues, follow),
    }
}

/// A wait that timed out (exit 4): `timed out after T waiting for WAITING_FOR`; what
/// `continues` on the cluster is followed with `follow`.
pub fn wait_timed_out(
    timeout: Duration,
    waiting_for: &str,
    continues: &str,
    follow: &str,
) -> UserError {
    UserError::timed_out(format!(
        "timed out after {} waiting for {waiting_for}",
        go_duration(timeout)
    ))
    .hint(goes_on(continues, follow))
}

/// A wait a signal stopped (exit 130): `stopped following FOLLOWING`, with the hint of
/// [`wait_timed_out`].
pub fn wait_stopped(following: &str, continues: &str, follow: &str) -> UserError {
    UserError::interrupted(format!("stopped following {following}"))
        .hint(goes_on(continues, follow))
}

fn goes_on(continues: &str, follow: &str) -> String {
    format!("{continues} continues on the cluster; follow it with: {follow}")
}

/// Checks the source snapshot of a restore, revert or clone, read again by name right before
/// the write that depends on it: it may have been deleted, or deleted and created again, while
/// the safety snapshot was taken or the confirmation was pending. A create (and a patch of the
/// VM) carries no precondition on another object, so the UID and readiness are compared here.
/// `not_ready` says why a snapshot read back is unusable (None when it is ready).
pub fn recheck_source(
    snapshot: &str,
    planned_uid: Option<&str>,
    now: Option<&Value>,
    not_ready: impl Fn(&Value) -> Option<String>,
    verb: &str,
) -> Result<(), UserError> {
    let changed = match now {
        None => Some("was deleted".to_owned()),
        Some(v) => {
            let uid = v.pointer("/metadata/uid").and_then(Value::as_str);
            if planned_uid.is_some() && uid != planned_uid {
                Some("was deleted and created again (it has another UID)".to_owned())
            } else if v.pointer("/metadata/deletionTimestamp").is_some() {
                Some("is being deleted".to_owned())
            } else {
                not_ready(v).map(|why| format!("is no longer ready ({why})"))
            }
        }
    };
    match changed {
        None => Ok(()),
        Some(what) => Err(UserError::failure(format!(
            "snapshot {snapshot} {what} after it was checked; the {verb} was not started"
        ))),
    }
}

/// The hints of a failed [`recheck_source`]: what was not done (`nothing`), the safety
/// snapshot taken before it (kept), and where to find a usable snapshot of VM `ns/vm`.
pub fn source_changed(
    err: anyhow::Error,
    nothing: String,
    safety_taken: Option<&str>,
    ns: &str,
    vm: &str,
) -> anyhow::Error {
    let mut err = with_hint(err, nothing);
    if let Some(s) = safety_taken {
        err = with_hint(
            err,
            format!(
                "the safety snapshot {s} was taken and is kept; delete it with: kubectl vmsnap delete {s} -n {ns}"
            ),
        );
    }
    with_hint(
        err,
        format!("list the usable snapshots with: kubectl vmsnap list {vm} -n {ns}"),
    )
}

/// The hint after a restore that could not go on: VM `ns/vm` as it was, or started again
/// when this run had stopped it (`restarted`: the result of starting it; None when this run
/// did not stop it). `start` is the command that starts it by hand.
pub fn left_as_it_was(
    ns: &str,
    vm: &str,
    restarted: Option<&anyhow::Result<()>>,
    start: &str,
) -> String {
    match restarted {
        None => format!("VM {ns}/{vm} was left as it was"),
        Some(Ok(())) => format!("VM {ns}/{vm} was started again (this run had stopped it)"),
        Some(Err(e)) => format!(
            "this run stopped VM {ns}/{vm} and could not start it again ({e:#}); start it with: {start}"
        ),
    }
}
