//! `wait`: re-attach to an object in progress and follow it until a condition holds, with
//! kubectl wait's conventions: `--for=delete|create|condition=NAME[=VALUE]` (plus `ready`, the
//! platform's own meaning), `--timeout` (0 checks once), `<resource>/<name> condition met` on
//! stdout. Exit codes are the plugin's: 4 timed out, 5 not there, 1 failed, 130 interrupted.

use std::time::Duration;

use kube::Api;
use kube::api::DynamicObject;
use serde_json::Value;

use super::Ctx;
use super::common::follow_json;
use crate::cli::WaitFor;
use crate::cluster::json::arr_at;
use crate::cluster::{Step, WaitResult, to_value};
use crate::error::UserError;
use crate::names::go_duration;
use crate::output::{RenderOptions, View};

/// What a platform says about its object for `--for=ready`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Done: ready to use, complete.
    Ready,
    /// It will not get there; why.
    Failed(String),
    /// Still working; a progress line.
    Pending(String),
}

/// The object `wait` follows.
pub struct Followed<'a> {
    /// An API handle on its kind and namespace.
    pub api: Api<DynamicObject>,
    /// kubectl's `resource.group` (the `-o name` prefix).
    pub resource: &'a str,
    /// How people call it: "snapshot", "restore".
    pub what: &'a str,
    /// Namespace.
    pub ns: &'a str,
    /// Name.
    pub name: &'a str,
    /// The command that re-attaches to it, for hints.
    pub again: String,
    /// What `--for=ready` waits for, in words: "to be ready to use", "to complete".
    pub ready_text: &'a str,
}

impl<'a> Followed<'a> {
    /// A snapshot, re-attached to with `kubectl vmsnap wait NAME -n NS`.
    pub fn snapshot(
        api: Api<DynamicObject>,
        resource: &'a str,
        ns: &'a str,
        name: &'a str,
        ready_text: &'a str,
    ) -> Self {
        Followed {
            api,
            resource,
            what: "snapshot",
            ns,
            name,
            again: format!("kubectl vmsnap wait {name} -n {ns}"),
            ready_text,
        }
    }
}

enum State {
    Met,
    Failed(String),
    Pending(String),
    Missing,
}

/// kubectl wait's condition check: a condition of that type (any case) whose status equals
/// `status` (any case), not older than the object's generation.
pub fn condition_met(obj: &Value, name: &str, status: &str) -> bool {
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    arr_at(obj, "/status/conditions")
        .iter()
        .find(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(name))
                && c.get("status").and_then(Value::as_str).is_some()
        })
        .is_some_and(|c| {
            let observed = c
                .get("observedGeneration")
                .or_else(|| obj.pointer("/status/observedGeneration"))
                .and_then(Value::as_i64);
            let stale = matches!((generation, observed), (Some(g), Some(o)) if o < g);
            !stale
                && c.get("status")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.to_lowercase() == status.to_lowercase())
        })
}

fn state(obj: Option<&Value>, wanted: &WaitFor, ready: &dyn Fn(&Value) -> Readiness) -> State {
    match (wanted, obj) {
        (WaitFor::Delete, None) | (WaitFor::Create, Some(_)) => State::Met,
        (WaitFor::Delete, Some(_)) => State::Pending("waiting for it to be deleted".into()),
        (WaitFor::Create, None) => State::Pending("waiting for it to be created".into()),
        (_, None) => State::Missing,
        (WaitFor::Ready, Some(v)) => match ready(v) {
            Readiness::Ready => State::Met,
            Readiness::Failed(why) => State::Failed(why),
            Readiness::Pending(msg) => State::Pending(msg),
        },
        (WaitFor::Condition { name, status }, Some(v)) => {
            if condition_met(v, name, status) {
                State::Met
            } else {
                State::Pending(format!("waiting for condition {name}={status}"))
            }
        }
    }
}

fn wanted_text(wanted: &WaitFor, ready_text: &str) -> String {
    match wanted {
        WaitFor::Ready => ready_text.into(),
        WaitFor::Delete => "to be deleted".into(),
        WaitFor::Create => "to be created".into(),
        WaitFor::Condition { name, status } => format!("for condition {name}={status}"),
    }
}

/// Follows `target` until `wanted` holds (`ready` decides what ready means for its kind).
pub async fn wait(
    ctx: &mut Ctx<'_>,
    target: Followed<'_>,
    wanted: &WaitFor,
    timeout: Duration,
    ready: &dyn Fn(&Value) -> Readiness,
) -> anyhow::Result<WaitReport> {
    let Followed {
        api,
        resource,
        what,
        ns,
        name,
        again,
        ready_text,
    } = target;
    let full = format!("{what} {ns}/{name}");
    let first = api
        .get_opt(name)
        .await
        .map_err(|e| anyhow::Error::new(e).context(format!("failed to get {full}")))?
        .map(to_value)
        .transpose()?;
    let met = |obj: Option<Value>| WaitReport {
        object: obj.unwrap_or(Value::Null),
        resource: format!("{resource}/{name}"),
    };
    let failed = |why: String| -> anyhow::Error {
        UserError::failure(format!("{full} failed: {why}")).into()
    };
    let missing = || -> anyhow::Error {
        UserError::not_found(format!("{full} not found"))
            .hint(format!(
                "it may be gone already; wait for something to appear with: {again} --for=create"
            ))
            .into()
    };
    match state(first.as_ref(), wanted, ready) {
        State::Met => return Ok(met(first)),
        State::Failed(why) => return Err(failed(why)),
        State::Missing => return Err(missing()),
        State::Pending(_) if timeout.is_zero() => {
            return Err(UserError::timed_out(format!(
                "condition not met for {full}: waiting {}",
                wanted_text(wanted, ready_text)
            ))
            .hint(format!("wait for it with: {again}"))
            .into());
        }
        State::Pending(_) => {}
    }
    let title = format!(
        "Waiting for {what} {name} {}",
        wanted_text(wanted, ready_text)
    );
    let result = follow_json(ctx, api, name, timeout, &title, |obj| {
        match state(obj, wanted, ready) {
            State::Pending(msg) => {
                Step::Continue(format!("{} {name}: {msg}", super::common::titled(what)))
            }
            _ => Step::Done,
        }
    })
    .await?;
    let keep_waiting = format!(
        "it continues on the cluster; keep following it with: {again} --timeout {}",
        go_duration(timeout * 2)
    );
    match result {
        WaitResult::Done(obj) => match state(obj.as_ref(), wanted, ready) {
            State::Met => Ok(met(obj)),
            State::Failed(why) => Err(failed(why)),
            State::Missing => Err(UserError::failure(format!(
                "{full} was deleted while waiting {}",
                wanted_text(wanted, ready_text)
            ))
            .into()),
            State::Pending(_) => Err(
                UserError::timed_out(format!("condition not met for {full}"))
                    .hint(keep_waiting)
                    .into(),
            ),
        },
        WaitResult::TimedOut(_) => Err(UserError::timed_out(format!(
            "timed out after {} waiting for {full} {}",
            go_duration(timeout),
            wanted_text(wanted, ready_text)
        ))
        .hint(keep_waiting)
        .into()),
        WaitResult::Interrupted(_) => Err(UserError::interrupted(format!(
            "stopped waiting for {full}"
        ))
        .hint(keep_waiting)
        .into()),
    }
}

/// `wait`: the condition was met. `-o json|yaml` print the object as last seen (as `kubectl
/// wait -o json` does); people read `<resource>/<name> condition met`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(transparent)]
pub struct WaitReport {
    object: Value,
    #[serde(skip)]
    resource: String,
}

impl View for WaitReport {
    fn human(&self, _now: jiff::Timestamp, _wide: bool, _opts: RenderOptions) -> String {
        format!("{} condition met\n", self.resource)
    }

    fn names(&self) -> Vec<String> {
        vec![self.resource.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_condition_is_met_as_kubectl_wait_decides_it() {
        let obj = json!({"metadata": {"generation": 2}, "status": {"conditions": [
            {"type": "Ready", "status": "True", "observedGeneration": 2},
            {"type": "Progressing", "status": "False", "observedGeneration": 1},
        ]}});
        assert!(condition_met(&obj, "ready", "true"));
        assert!(!condition_met(&obj, "Ready", "false"));
        // Observed for an older generation: not yet.
        assert!(!condition_met(&obj, "Progressing", "False"));
        assert!(!condition_met(&obj, "Failure", "true"));
    }

    #[test]
    fn for_parses_kubectls_forms() {
        use crate::cli::parse_wait_for;
        assert_eq!(parse_wait_for("DELETE"), Ok(WaitFor::Delete));
        assert_eq!(parse_wait_for("create"), Ok(WaitFor::Create));
        assert_eq!(
            parse_wait_for("condition=Ready"),
            Ok(WaitFor::Condition {
                name: "Ready".into(),
                status: "true".into()
            })
        );
        assert_eq!(
            parse_wait_for("condition=Ready=False"),
            Ok(WaitFor::Condition {
                name: "Ready".into(),
                status: "False".into()
            })
        );
        assert!(parse_wait_for("condition=").is_err());
        assert!(parse_wait_for("jsonpath={.status.phase}=Succeeded").is_err());
    }
}
