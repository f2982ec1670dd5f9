//! Objects and patches this provider sends, pure: the VirtualMachineSnapshot of `create` and
//! the merge patch of `restore` (a revert), plus the quiesce timeout as a Go duration.

use std::time::Duration;

use serde_json::{Value, json};

use super::resources::{Kind, Version};

/// VM Operator's documented bounds for `spec.quiesce.timeout`.
pub const QUIESCE_MIN: Duration = Duration::from_secs(5 * 60);
pub const QUIESCE_MAX: Duration = Duration::from_secs(240 * 60);

/// What `create` asks for beyond the names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotOptions {
    pub description: Option<String>,
    /// Include the guest memory: reverting resumes the running VM; without it the VM is
    /// powered off after a revert.
    pub memory: bool,
    /// Quiesce the guest file systems through VMware Tools, for at most this long.
    pub quiesce_timeout: Option<Duration>,
}

/// A duration as Go's `time.Duration.String()` writes whole seconds: `10m0s` is written `10m`,
/// `1h30m`, `90s` → `1m30s`. VM Operator parses it with `time.ParseDuration`.
pub fn go_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// Parses `--quiesce-timeout` (`10m`, `1h`, `1h30m`, `300s`) and checks VM Operator's bounds.
/// `10min` (the docs' spelling) is refused: Go does not read it.
pub fn parse_quiesce_timeout(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let mut total = 0u64;
    let mut rest = t;
    if rest.is_empty() {
        return Err("the quiesce timeout is empty".into());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{t:?} is not a duration such as 10m, 1h or 1h30m"))?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit] {
            "h" => 3600,
            "m" => 60,
            "s" => 1,
            "min" | "mins" => {
                return Err(format!(
                    "{t:?} is not a Go duration: write minutes as \"m\" (e.g. {}m)",
                    n
                ));
            }
            _ => return Err(format!("{t:?} is not a duration such as 10m, 1h or 1h30m")),
        };
        total = total.saturating_add(n.saturating_mul(factor));
        rest = &rest[unit..];
    }
    let d = Duration::from_secs(total);
    if d < QUIESCE_MIN || d > QUIESCE_MAX {
        return Err(format!(
            "the quiesce timeout must be between 5m and 240m (VM Operator's limits), not {}",
            go_duration(d)
        ));
    }
    Ok(d)
}

/// The VirtualMachineSnapshot to create. The label is what VM Operator's webhook would set
/// anyway; sending it lets `--dry-run=client` show the object as it will be.
pub fn build_snapshot(
    version: Version,
    namespace: &str,
    name: &str,
    vm: &str,
    opts: &SnapshotOptions,
) -> Value {
    let mut spec = json!({ "vmName": vm });
    if let Some(d) = opts.description.as_deref().filter(|d| !d.is_empty()) {
        spec["description"] = json!(d);
    }
    if opts.memory {
        spec["memory"] = json!(true);
    }
    if let Some(t) = opts.quiesce_timeout {
        // Always with a timeout: `quiesce: {}` crashes VM Operator's CreateSnapshot.
        spec["quiesce"] = json!({ "timeout": go_duration(t) });
    }
    json!({
        "apiVersion": Kind::api_version(version),
        "kind": "VirtualMachineSnapshot",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": { super::resources::VM_NAME_LABEL: vm },
        },
        "spec": spec,
    })
}

/// Records on `snapshot` the consistency expected of it when it is asked for
/// ([`super::resources::CONSISTENCY_ANNOTATION`]).
pub fn annotate_consistency(snapshot: &mut Value, expected: crate::model::Consistency) {
    snapshot["metadata"]["annotations"][super::resources::CONSISTENCY_ANNOTATION] =
        json!(expected.as_str());
}

/// The merge patch that asks VM Operator to revert the VM to `snapshot`.
pub fn revert_patch(snapshot: &str) -> Value {
    json!({ "spec": { "currentSnapshotName": snapshot } })
}

/// The merge patch that withdraws a revert request (with the annotation, when a failed
/// vSphere revert left it: both are needed before the VM is reconciled again).
pub fn abort_revert_patch(remove_annotation: bool) -> Value {
    let mut p = json!({ "spec": { "currentSnapshotName": null } });
    if remove_annotation {
        p["metadata"] =
            json!({ "annotations": { super::resources::REVERT_IN_PROGRESS_ANNOTATION: null } });
    }
    p
}
