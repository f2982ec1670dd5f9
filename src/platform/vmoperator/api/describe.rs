//! What `describe` and `list -o wide` will show for a VM Operator snapshot beyond the neutral
//! model: memory, quiesce, power state, vSphere id, storage, and its place in the tree. Pure.

use serde_json::Value;

use super::convert::{Phase, snapshot_details};
use super::tree::SnapshotTree;
use crate::cluster::json::name;
use crate::model::quantity::human_bytes;

/// Label/value rows, in display order; absent facts are left out.
pub fn describe_rows(snap: &Value, tree: &SnapshotTree) -> Vec<(&'static str, String)> {
    let d = snapshot_details(snap);
    let this = name(snap);
    let mut rows: Vec<(&'static str, String)> = vec![("Phase", d.phase.as_str().to_owned())];
    // The two states that do not end by themselves: say why, in VM Operator's words.
    if matches!(d.phase, Phase::Failed | Phase::WaitingForVm)
        && let Some(why) = super::convert::phase_message(snap)
    {
        rows.push(("Why", why));
    }
    if let Some(desc) = d.description.clone() {
        rows.push(("Description", desc));
    }
    rows.push((
        "Memory",
        if d.memory {
            "included (a revert resumes the running VM)".into()
        } else {
            "not included (a revert leaves the VM powered off)".into()
        },
    ));
    rows.push((
        "Quiesce",
        match (&d.quiesce_timeout, d.quiesced) {
            (Some(t), true) => {
                format!("requested, timeout {t} (VM Operator does not report whether it happened)")
            }
            (Some(t), false) => format!("requested, timeout {t}"),
            (None, _) => "no".into(),
        },
    ));
    if let Some(p) = d.power_state.clone() {
        rows.push(("Power state", p));
    }
    if let Some(id) = d.unique_id.clone() {
        rows.push(("vSphere ID", id));
    }
    if !d.storage_requested.is_empty() {
        let parts: Vec<String> = d
            .storage_requested
            .iter()
            .map(|r| format!("{} on {}", r.total, r.storage_class))
            .collect();
        rows.push(("Storage requested", parts.join(", ")));
    }
    if let Some(b) = d.storage_used_bytes {
        rows.push(("Storage used", human_bytes(b)));
    }
    match tree.parent_of(this) {
        Some(Some(p)) => rows.push((
            "Parent",
            p.name.clone().unwrap_or_else(|| "(unmanaged)".into()),
        )),
        Some(None) => rows.push(("Parent", "none (a root snapshot)".into())),
        None if d.phase != Phase::Ready => {
            rows.push(("Parent", "not in the tree yet".into()));
        }
        None => {}
    }
    if !d.children.is_empty() {
        let names: Vec<String> = d
            .children
            .iter()
            .map(|c| c.managed_name().unwrap_or("(unmanaged)").to_owned())
            .collect();
        rows.push(("Children", names.join(", ")));
    }
    if tree.find(this).is_some_and(|n| n.current) {
        rows.push((
            "Current",
            format!("yes: {} runs from this snapshot", tree.vm),
        ));
    }
    if d.imported {
        rows.push((
            "Imported",
            "adopted from an existing vCenter snapshot".into(),
        ));
    }
    rows
}
