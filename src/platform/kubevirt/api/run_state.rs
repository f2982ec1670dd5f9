//! A VM's run request as its owner wrote it (`runStrategy`, or the deprecated `running`), read
//! before this plugin stops the VM so that starting it again puts back exactly that.
//!
//! virt-api's `start` (pkg/virt-api/rest/lifecycle.go, StartVMRequestHandler) turns a Halted
//! VM into `runStrategy: Always` (or `running: true`); a stop of a RerunOnFailure or Once VM
//! that left it Halted (older releases, and `stop` of Once: StopVMRequestHandler) would then
//! come back as Always. Those are put back with a patch of the field instead.

use serde_json::{Value, json};

/// What the VM's spec asks for: a run strategy, the deprecated `running`, or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunSpec {
    /// `spec.runStrategy`.
    Strategy(String),
    /// The deprecated `spec.running`.
    Running(bool),
    /// Neither field set.
    Unset,
}

/// How to start a stopped VM so that it ends up with the run request it had.
#[derive(Debug, Clone, PartialEq)]
pub enum StartAs {
    /// virt-api's `start` subresource gives back exactly the old request.
    Subresource,
    /// A JSON merge patch of the VM that writes the old request back (and starts it).
    Patch(Value),
}

/// The run request in `vm`'s spec.
pub fn run_spec(vm: &Value) -> RunSpec {
    let spec = vm.get("spec").unwrap_or(&Value::Null);
    if let Some(s) = spec.get("runStrategy").and_then(Value::as_str) {
        return RunSpec::Strategy(s.to_string());
    }
    match spec.get("running").and_then(Value::as_bool) {
        Some(r) => RunSpec::Running(r),
        None => RunSpec::Unset,
    }
}

/// What virt-api's `start` leaves in the spec of a VM whose request is now `now`.
fn after_start_subresource(now: &RunSpec) -> RunSpec {
    match now {
        RunSpec::Running(_) => RunSpec::Running(true),
        RunSpec::Strategy(s) if s == "Halted" => RunSpec::Strategy("Always".into()),
        // Manual and RerunOnFailure keep their strategy: start is a state change request.
        other => other.clone(),
    }
}

/// How to start the VM, whose request is `now`, so it runs with the request it had `before`
/// this plugin stopped it.
pub fn start_as(before: &RunSpec, now: &RunSpec) -> StartAs {
    // A VM that was not meant to run before has nothing to put back: a plain start.
    let stopped_before = matches!(before, RunSpec::Unset | RunSpec::Running(false))
        || *before == RunSpec::Strategy("Halted".into());
    if stopped_before || after_start_subresource(now) == *before {
        return StartAs::Subresource;
    }
    let spec = match before {
        RunSpec::Strategy(s) => json!({"runStrategy": s, "running": null}),
        RunSpec::Running(r) => json!({"running": r, "runStrategy": null}),
        RunSpec::Unset => return StartAs::Subresource,
    };
    StartAs::Patch(json!({ "spec": spec }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy(s: &str) -> RunSpec {
        RunSpec::Strategy(s.into())
    }

    #[test]
    fn reads_run_strategy_before_running() {
        assert_eq!(
            run_spec(&json!({"spec": {"runStrategy": "RerunOnFailure"}})),
            strategy("RerunOnFailure")
        );
        assert_eq!(
            run_spec(&json!({"spec": {"running": true}})),
            RunSpec::Running(true)
        );
        assert_eq!(run_spec(&json!({"spec": {}})), RunSpec::Unset);
    }

    #[test]
    fn start_goes_through_the_subresource_unless_the_stop_turned_a_strategy_into_halted() {
        let to_start = [
            // Always and running: true come back through the start subresource.
            (strategy("Always"), strategy("Halted")),
            (RunSpec::Running(true), RunSpec::Running(false)),
            // A stop that kept the strategy (Manual, RerunOnFailure upstream): start asks for a start.
            (strategy("RerunOnFailure"), strategy("RerunOnFailure")),
            // A VM stopped before is simply started.
            (strategy("Halted"), strategy("Halted")),
            (RunSpec::Running(false), RunSpec::Running(false)),
        ];
        for (before, after) in to_start {
            let got = start_as(&before, &after);
            assert_eq!(got, StartAs::Subresource, "{before:?} → {after:?}");
        }
        // Patched back, not turned into Always.
        for s in ["RerunOnFailure", "Once"] {
            assert_eq!(
                start_as(&strategy(s), &strategy("Halted")),
                StartAs::Patch(json!({"spec": {"runStrategy": s, "running": null}})),
                "{s} → Halted"
            );
        }
    }
}
