//! `describe SNAPSHOT` on VM Operator: memory, quiesce, power state, vSphere id, storage, its
//! place in the tree, and the conditions with their times.

use serde_json::json;

use super::{Ctx, SNAPSHOT_RESOURCE, report, require_snapshot, vm_tree, when};
use crate::cli::DescribeArgs;
use crate::cluster::events::events_about;
use crate::cluster::json::{str_at, string_map};
use crate::flow::safety::{RESTORING_ANNOTATION, UNDO_ANNOTATION, is_safety_snapshot};
use crate::output::describe::{events_section, with_annotations};
use crate::output::{Report, Table, age, key_values_multi};
use crate::platform::vmoperator::api::{
    VmOperator, creation_failure, describe_rows, snapshot_details, snapshot_info, vm_details,
};

pub async fn run(
    args: &DescribeArgs,
    vmop: &VmOperator,
    ctx: &mut Ctx<'_>,
) -> anyhow::Result<Report> {
    let ns = ctx.namespace.clone();
    let snap = require_snapshot(
        vmop.get_snapshot(&ns, &args.snapshot).await?,
        &ns,
        &args.snapshot,
    )?;
    let vm_name = str_at(&snap, "/spec/vmName").unwrap_or("").to_owned();
    let (vm, _, tree) = vm_tree(vmop, &ns, &vm_name).await?;
    let now = ctx.clock.now();
    let info = snapshot_info(&snap);
    let details = snapshot_details(&snap);
    let vm_line = match &vm {
        Some(v) => {
            let d = vm_details(v);
            format!(
                "{vm_name} ({} now)",
                d.power_state
                    .unwrap_or_else(|| "power state unknown".into())
            )
        }
        None => format!("{vm_name} (no longer exists)"),
    };
    let labels = string_map(&snap, "/metadata/labels");
    let labels_text = if labels.is_empty() {
        "<none>".to_owned()
    } else {
        labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows: Vec<(&str, String)> = vec![
        ("Name", info.name.clone()),
        ("Namespace", info.namespace.clone()),
        ("Labels", labels_text),
        ("VM", vm_line),
    ];
    for (k, v) in describe_rows(&snap, &tree) {
        // The snapshot node's state, not the VM's (shown above).
        let k = if k == "Power state" {
            "Power state at snapshot"
        } else {
            k
        };
        rows.push((k, v));
    }
    rows.push(("Consistency", info.consistency.label().to_owned()));
    rows.push(("Created", when(info.created, now)));
    rows.push(("Taken", when(info.creation_time, now)));
    if let Some(why) = creation_failure(&snap) {
        rows.push(("Error", why));
    }
    let annotations = string_map(&snap, "/metadata/annotations");
    let restoring = annotations
        .get(RESTORING_ANNOTATION)
        .filter(|_| is_safety_snapshot(&labels));
    if let Some(r) = restoring {
        rows.push(("Safety snapshot", format!("taken before the revert to {r}")));
        if let Some(undo) = annotations.get(UNDO_ANNOTATION) {
            rows.push(("Undo with", undo.clone()));
        }
    }
    let mut text = key_values_multi(&with_annotations(rows, &annotations), 0);
    text.push_str("Conditions:\n");
    if info.conditions.is_empty() {
        text.push_str("  <none>\n");
    } else {
        let mut t = Table::new(&["type", "status", "reason", "age", "message"]);
        for c in &info.conditions {
            t.row(vec![
                c.type_.clone(),
                c.status.clone(),
                c.reason.clone().unwrap_or_default(),
                age(c.last_transition, now),
                c.message.clone().unwrap_or_default(),
            ]);
        }
        for line in t.render(true).lines() {
            text.push_str(&format!("  {line}\n"));
        }
    }
    // Like kubectl describe: events that cannot be read leave the section unknown.
    let events = events_about(&ctx.conn.client, &[&snap]).await.ok();
    text.push_str(&events_section(
        events.as_deref(),
        &format!("VirtualMachineSnapshot/{}", info.name),
        now,
    ));
    let node = tree.find(&info.name);
    let parent = tree
        .parent_of(&info.name)
        .map(|p| p.map(|n| n.name.clone().unwrap_or_else(|| "(unmanaged)".into())));
    let data = json!({
        "kind": "SnapshotDetail",
        "snapshot": info,
        "details": details,
        "vmExists": vm.is_some(),
        "inTree": parent.is_some(),
        "parent": parent.flatten(),
        "current": node.is_some_and(|n| n.current),
        "takenBeforeReverting": restoring,
        "undo": restoring.and(annotations.get(UNDO_ANNOTATION)),
        "annotations": annotations,
        "events": events,
    });
    Ok(report(
        data,
        text,
        None,
        vec![format!("{SNAPSHOT_RESOURCE}/{}", args.snapshot)],
    ))
}
