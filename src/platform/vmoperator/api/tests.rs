//! Unit tests of the pure VM Operator functions against tests/fixtures/vmoperator.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::cluster::ServedGroup;
use crate::model::{Consistency, RunState, SnapshotPhase};

fn items(file: &str) -> Vec<Value> {
    crate::platform::fixtures::items_from("vmoperator", file)
}

fn vm(name: &str) -> Value {
    items("vms.yaml")
        .into_iter()
        .find(|o| o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no VM {name}"))
}

fn snaps() -> Vec<Value> {
    items("snapshots.yaml")
}

fn snap(name: &str) -> Value {
    snaps()
        .into_iter()
        .find(|o| o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no snapshot {name}"))
}

fn tree_of(vm_name: &str) -> SnapshotTree {
    build_tree(&vm(vm_name), &snaps())
}

/// A message that must be there.
fn said(message: Option<String>) -> String {
    message.expect("a message")
}

#[test]
fn version_follows_discovery_and_refuses_the_legacy_shape() {
    let main = ServedGroup {
        name: resources::GROUP.into(),
        versions: ["v1alpha6", "v1alpha5", "v1alpha4", "v1alpha3"]
            .map(String::from)
            .to_vec(),
        preferred: Some("v1alpha6".into()),
    };
    assert_eq!(Version::pick(&main), Ok(Version::V1alpha6));
    let vc91 = ServedGroup::new(resources::GROUP, &["v1alpha5", "v1alpha4", "v1alpha3"]);
    assert_eq!(Version::pick(&vc91), Ok(Version::V1alpha5));
    let odd = ServedGroup {
        preferred: Some("v1alpha4".into()),
        ..main.clone()
    };
    assert_eq!(
        Version::pick(&odd),
        Ok(Version::V1alpha6),
        "a preferred version we do not speak is skipped"
    );
    let legacy = ServedGroup::new(resources::GROUP, &["v1alpha4", "v1alpha3"]);
    let err = Version::pick(&legacy).unwrap_err();
    assert!(err.explain().contains("v1alpha4"), "{}", err.explain());
    let ar = Kind::VirtualMachineSnapshot.api_resource(Version::V1alpha5);
    assert_eq!(ar.api_version, "vmoperator.vmware.com/v1alpha5");
    assert_eq!(ar.plural, "virtualmachinesnapshots");
    assert_eq!(
        Kind::VirtualMachine.qualified(),
        "virtualmachines.vmoperator.vmware.com"
    );
}

#[test]
fn phases_derive_from_the_conditions() {
    let cases = [
        ("web-01-base", Phase::Ready, SnapshotPhase::Succeeded),
        ("web-01-nightly", Phase::Syncing, SnapshotPhase::InProgress),
        ("web-01-adhoc", Phase::Queued, SnapshotPhase::InProgress),
        ("db-01-quiesced", Phase::Failed, SnapshotPhase::Failed),
        ("build-01-disks", Phase::Waiting, SnapshotPhase::InProgress),
    ];
    for (name, want, model) in cases {
        let s = snap(name);
        assert_eq!(phase(&s), want, "{name}");
        assert_eq!(phase(&s).to_model(), model, "{name}");
    }
    let mut fresh = snap("web-01-adhoc");
    fresh["status"] = json!({});
    assert_eq!(phase(&fresh), Phase::Pending);
    let mut running = fresh.clone();
    running["status"]["conditions"] = json!([{"type": "VirtualMachineSnapshotCreated", "status": "False",
        "reason": "VirtualMachineSnapshotCreationInProgress", "message": "snapshot in progress"}]);
    assert_eq!(phase(&running), Phase::InProgress);
    let mut going = snap("web-01-base");
    going["metadata"]["deletionTimestamp"] = json!("2026-11-26T08:00:00Z");
    assert_eq!(phase(&going), Phase::Terminating);
    assert_eq!(phase(&going).to_model(), SnapshotPhase::Deleting);
    assert_eq!(phase_message(&snap("web-01-base")), None);
    assert!(said(phase_message(&snap("web-01-nightly"))).contains("CSI driver"));
    assert!(said(phase_message(&snap("db-01-quiesced"))).contains("Failed to quiesce"));
    // Not final, and said in VM Operator's word for it.
    assert_eq!(Phase::Failed.as_str(), "CreationFailed");
    // Ready WaitingForCreation and never adopted (no owner, no requested storage): no VM.
    let mut orphan = snap("web-01-adhoc");
    orphan["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("ownerReferences");
    orphan["spec"]["vmName"] = json!("gone");
    orphan["status"].as_object_mut().unwrap().remove("storage");
    assert_eq!(phase(&orphan), Phase::WaitingForVm);
    assert_eq!(phase(&orphan).as_str(), "WaitingForCreation");
    assert_eq!(phase(&orphan).to_model(), SnapshotPhase::InProgress);
    assert!(
        phase_message(&orphan)
            .unwrap()
            .contains("has not found its VM gone")
    );
}

#[test]
fn describe_says_why_a_failed_snapshot_is_not_ready() {
    let tree = crate::platform::vmoperator::api::build_tree(
        &json!({"metadata": {"name": "db-01", "namespace": "dev-team"}}),
        &[snap("db-01-quiesced")],
    );
    let rows = crate::platform::vmoperator::api::describe_rows(&snap("db-01-quiesced"), &tree);
    assert_eq!(rows[0], ("Phase", "CreationFailed".to_owned()));
    assert_eq!(rows[1].0, "Why");
    assert!(
        rows[1]
            .1
            .contains("VM Operator takes it again, and newer snapshots of the VM wait behind it"),
        "{rows:?}"
    );
}

#[test]
fn snapshot_info_carries_what_the_model_can_and_details_the_rest() {
    let s = snap("web-01-pre-upgrade");
    let info = snapshot_info(&s);
    assert_eq!(info.vm, "web-01");
    assert!(info.is_ready());
    assert_eq!(info.size_bytes, Some(12_226_581_330));
    assert_eq!(info.consistency, Consistency::Application, "quiesced");
    assert_eq!(
        info.creation_time.unwrap().to_string(),
        "2026-11-10T02:01:12Z"
    );
    assert_eq!(info.conditions.len(), 3);
    let d = snapshot_details(&s);
    assert!(d.memory);
    assert_eq!(d.quiesce_timeout.as_deref(), Some("10m"));
    assert_eq!(d.power_state.as_deref(), Some("PoweredOn"));
    assert_eq!(d.unique_id.as_deref(), Some("snapshot-226"));
    assert_eq!(
        d.storage_requested,
        vec![StorageRequest {
            storage_class: "wcpglobal-storage-profile".into(),
            total: "24Gi".into(),
            total_bytes: Some(24 << 30),
        }]
    );
    assert_eq!(d.children.len(), 2);
    assert!(!d.children[1].managed);
    assert_eq!(consistency(&snap("web-01-base")), Consistency::Crash);
    assert_eq!(consistency(&snap("web-01-adhoc")), Consistency::Unknown);
    let failed = snapshot_info(&snap("db-01-quiesced"));
    assert!(
        failed
            .error
            .unwrap()
            .starts_with("failed to create snapshot for VM: ")
    );
    assert!(said(creation_failure(&snap("db-01-quiesced"))).contains("retries"));
}

#[test]
fn vm_info_maps_power_state_and_tools() {
    let web = vm_info(&vm("web-01"));
    assert_eq!(web.run_state, RunState::Running);
    assert!(web.agent_connected);
    assert_eq!(web.guest_os.as_deref(), Some("Ubuntu Linux (64-bit)"));
    assert_eq!(web.volumes, ["web-01-data"]);
    assert_eq!(vm_info(&vm("build-01")).run_state, RunState::Stopped);
    assert!(!vm_info(&vm("db-01")).agent_connected);
    let d = vm_details(&vm("app-02"));
    assert!(d.revert_annotation);
    assert_eq!(d.revert_requested.as_deref(), Some("app-02-v1"));
    assert!(vm_details(&vm("tkc-1-np-7x2kq")).vks_node);
    assert!(is_vks_node(&vm("tkc-1-np-7x2kq")));
}

#[test]
fn the_tree_is_built_from_roots_and_children_with_branches_unmanaged_nodes_and_the_current_mark() {
    let t = tree_of("web-01");
    assert_eq!(t.roots.len(), 1);
    let base = &t.roots[0];
    assert_eq!(base.name.as_deref(), Some("web-01-base"));
    let names: Vec<_> = base.children.iter().map(|c| c.name.clone()).collect();
    assert_eq!(
        names,
        [
            Some("web-01-pre-upgrade".into()),
            Some("web-01-hotfix".into())
        ]
    );
    let pre = &base.children[0];
    assert_eq!(pre.children[1].type_, "Unmanaged");
    let nightly = &pre.children[0].children[0];
    assert!(nightly.current);
    assert_eq!(nightly.phase, Some(Phase::Syncing));
    let detached: Vec<_> = t.detached.iter().map(|n| n.name.clone().unwrap()).collect();
    assert_eq!(detached, ["web-01-adhoc"]);
    assert_eq!(t.managed_count(), 6);
    assert_eq!(t.node_count(), 7);
    assert_eq!(
        t.parent_of("web-01-hotfix")
            .unwrap()
            .unwrap()
            .name
            .as_deref(),
        Some("web-01-base")
    );
    assert!(t.parent_of("web-01-base").unwrap().is_none(), "a root");
    assert!(t.parent_of("web-01-adhoc").is_none(), "not in the tree");
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(
        json["roots"][0]["children"][0]["children"][1]["type"],
        "Unmanaged"
    );
    assert_eq!(
        json["roots"][0]["children"][0]["name"],
        "web-01-pre-upgrade"
    );
    assert_eq!(
        json["current"],
        json!({"managed": true, "name": "web-01-nightly"})
    );
}

#[test]
fn a_cycle_in_a_corrupt_status_does_not_hang_the_tree() {
    let mut s = snaps();
    for o in &mut s {
        if o["metadata"]["name"] == "web-01-post-upgrade" {
            o["status"]["children"] = json!([{"type": "Managed", "name": "web-01-base"}]);
        }
    }
    let t = build_tree(&vm("web-01"), &s);
    assert_eq!(t.roots.len(), 1);
}

#[test]
fn the_text_tree_reads_like_govc_snapshot_tree() {
    let t = tree_of("web-01");
    let plain = render_tree(&t, RenderOptions::default());
    assert_eq!(
        plain,
        "web-01-base\n  web-01-pre-upgrade\n    web-01-post-upgrade\n      web-01-nightly (Syncing)\n      .\n    (unmanaged)\n  web-01-hotfix\nweb-01-adhoc (Queued)\n"
    );
    let rich = render_tree(
        &t,
        RenderOptions {
            ids: true,
            dates: true,
            descriptions: true,
        },
    );
    // govc prints RFC 3339 dates since 2024 (govmomi cli/vm/snapshot/tree.go).
    assert!(
        rich.starts_with("[snapshot-201 2026-11-03T10:00:00Z]  web-01-base - Fresh install\n"),
        "{rich}"
    );
    let current = rich
        .lines()
        .find(|l| l.contains("web-01-nightly"))
        .expect("current line");
    let dot = current.replacen("web-01-nightly (Syncing)", ".", 1);
    assert!(
        rich.contains(&format!("{dot}\n")),
        "the . line repeats the current snapshot's attributes and description: {rich}"
    );
    assert_eq!(
        render_tree(&tree_of("tkc-1-np-7x2kq"), RenderOptions::default()),
        "",
        "as govc: no output"
    );
}

/// Issue #17 item 14: VM Operator does not list an Unmanaged node's children, so a snapshot
/// vSphere took below one is detached; it was drawn as a root.
#[test]
fn a_taken_snapshot_below_an_unmanaged_node_is_drawn_below_it() {
    let mut all = snaps();
    let mut below = snap("web-01-hotfix");
    below["metadata"]["name"] = json!("web-01-below");
    below["spec"]["description"] = json!("after the backup tool's");
    all.push(below);
    let t = build_tree(&vm("web-01"), &all);
    assert!(
        t.detached
            .iter()
            .any(|n| n.name.as_deref() == Some("web-01-below"))
    );
    let text = render_tree(&t, RenderOptions::default());
    assert!(
        text.contains("    (unmanaged)\n      web-01-below\n  web-01-hotfix\n"),
        "{text}"
    );
    assert!(text.ends_with("web-01-adhoc (Queued)\n"), "{text}");
    // With two Unmanaged nodes, which one is unknown: it is marked, not drawn as a root.
    let mut vm2 = vm("web-01");
    vm2["status"]["rootSnapshots"]
        .as_array_mut()
        .expect("roots")
        .push(json!({"type": "Unmanaged", "name": ""}));
    let text = render_tree(&build_tree(&vm2, &all), RenderOptions::default());
    assert!(
        text.contains("web-01-below (below an unmanaged snapshot)\n"),
        "{text}"
    );
}

#[test]
fn preflight_refuses_vks_nodes_and_warns_about_tools_count_and_the_queue() {
    let opts = SnapshotOptions {
        quiesce_timeout: Some(Duration::from_secs(600)),
        ..SnapshotOptions::default()
    };
    let node = preflight(&vm("tkc-1-np-7x2kq"), &tree_of("tkc-1-np-7x2kq"), &opts);
    assert!(node.refusal.unwrap().message.contains("VKS"));
    // A failed revert left the annotation: VM Operator ignores the VM, nothing would be taken.
    let stuck = preflight(&vm("app-02"), &tree_of("app-02"), &opts);
    let refusal = stuck.refusal.expect("refused");
    assert!(
        refusal.message.contains("blocked by a failed revert"),
        "{refusal:?}"
    );
    assert!(
        refusal
            .hint
            .unwrap()
            .contains("snapshot-revert-in-progress-")
    );
    let mut reverting = vm("web-01");
    reverting["spec"]["currentSnapshotName"] = json!("web-01-base");
    let busy = preflight(&reverting, &tree_of("web-01"), &SnapshotOptions::default());
    assert!(busy.refusal.is_none());
    assert!(
        busy.warnings
            .iter()
            .any(|w| w.contains("revert of web-01 to web-01-base is in progress")),
        "{:?}",
        busy.warnings
    );
    let db = preflight(&vm("db-01"), &tree_of("db-01"), &opts);
    assert!(db.refusal.is_none());
    assert!(
        db.warnings.iter().any(|w| w.contains("VMware Tools")),
        "{:?}",
        db.warnings
    );
    assert!(
        db.warnings.iter().any(|w| w.contains("db-01-quiesced")),
        "the failed one blocks: {:?}",
        db.warnings
    );
    assert!(
        db.notes.iter().any(|n| n.contains("powered off")),
        "{:?}",
        db.notes
    );
    let web = preflight(
        &vm("web-01"),
        &tree_of("web-01"),
        &SnapshotOptions {
            memory: true,
            ..opts.clone()
        },
    );
    assert!(!web.warnings.iter().any(|w| w.contains("Tools")));
    assert!(web.notes.iter().any(|n| n.contains("quiesce")));
    let off = preflight(&vm("build-01"), &tree_of("build-01"), &opts);
    assert!(
        off.warnings.iter().any(|w| w.contains("ignored")),
        "{:?}",
        off.warnings
    );

    // 32 snapshots: vSphere's advice.
    let mut many: Vec<Value> = Vec::new();
    let mut roots = Vec::new();
    for i in 0..32 {
        let mut s = snap("web-01-base");
        s["metadata"]["name"] = json!(format!("s{i}"));
        s["status"]["children"] = json!([]);
        roots.push(json!({"type": "Managed", "name": format!("s{i}")}));
        many.push(s);
    }
    let mut v = vm("web-01");
    v["status"]["rootSnapshots"] = json!(roots);
    let crowded = preflight(&v, &build_tree(&v, &many), &SnapshotOptions::default());
    assert!(
        crowded
            .warnings
            .iter()
            .any(|w| w.contains("already has 32 snapshots")),
        "{:?}",
        crowded.warnings
    );
}

#[test]
fn the_waiting_message_names_the_snapshot_holding_the_queue() {
    let t = tree_of("db-01");
    assert_eq!(
        blocking_snapshot(&t, Some("db-01-later")),
        Some("db-01-quiesced")
    );
    let m = waiting_message(&snap("db-01-later"), &t).unwrap();
    assert!(m.contains("db-01-quiesced failed"), "{m}");
    assert!(m.contains("one snapshot of a VM at a time"), "{m}");
}

#[test]
fn revert_checks_ownership_readiness_vks_and_a_stuck_revert() {
    let web = vm("web-01");
    let refused = check_revert(&web, &snap("app-02-v1")).unwrap_err();
    assert_eq!(
        refused.message,
        "snapshot app-02-v1 belongs to VM app-02, not web-01"
    );
    assert!(
        check_revert(&web, &snap("web-01-nightly"))
            .unwrap_err()
            .message
            .contains("not ready (Syncing)")
    );
    let ok = check_revert(&web, &snap("web-01-base")).unwrap();
    assert_eq!(ok.power_after, "PoweredOff");
    assert!(ok.notes.iter().any(|n| n.contains("without memory")));
    let on = check_revert(&web, &snap("web-01-pre-upgrade")).unwrap();
    assert_eq!(on.power_after, "PoweredOn");
    let stuck = check_revert(&vm("app-02"), &snap("app-02-v1")).unwrap_err();
    assert!(
        stuck.message.contains("blocked by a failed revert"),
        "{}",
        stuck.message
    );
    let hint = stuck.hint.unwrap();
    assert!(hint.contains("kubectl annotate virtualmachines.vmoperator.vmware.com app-02 -n dev-team vmoperator.vmware.com/snapshot-revert-in-progress-"), "{hint}");
    assert!(
        hint.contains(r#"{"spec":{"currentSnapshotName":null}}"#),
        "{hint}"
    );
    let busy = check_revert(&vm("web-02"), &snap("web-02-base")).unwrap_err();
    assert!(
        busy.message.contains("already in progress"),
        "{}",
        busy.message
    );
    assert!(stuck_revert(&vm("web-02")).is_none(), "running, not stuck");
    let mut node = vm("tkc-1-np-7x2kq");
    node["metadata"]["name"] = json!("web-01");
    assert!(
        check_revert(&node, &snap("web-01-base"))
            .unwrap_err()
            .message
            .contains("VKS")
    );
}

#[test]
fn revert_state_reads_success_progress_and_failure_with_hints() {
    assert_eq!(
        revert_state(&vm("web-02"), "web-02-base"),
        RevertState::InProgress
    );
    let mut done = vm("web-02");
    done["spec"] = json!({"powerState": "PoweredOn"});
    done["status"]["conditions"] = json!([]);
    assert_eq!(revert_state(&done, "web-02-base"), RevertState::Succeeded);
    assert_eq!(revert_state(&done, "other"), RevertState::InProgress);
    match revert_state(&vm("app-02"), "app-02-v1") {
        RevertState::Failed { reason, hint, .. } => {
            assert_eq!(reason, "VirtualMachineSnapshotRevertTaskFailed");
            let hint = hint.unwrap();
            assert!(hint.contains("VolumeSnapshots"), "{hint}");
            assert!(hint.contains("kubectl annotate"), "{hint}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn delete_explains_that_children_move_up() {
    let t = tree_of("web-01");
    let e = delete_effect(&t, "web-01-pre-upgrade");
    assert_eq!(e.new_parent.as_deref(), Some("web-01-base"));
    assert_eq!(e.children, ["web-01-post-upgrade", "(unmanaged)"]);
    assert!(
        e.lines[0].contains("are not deleted: they become children of web-01-base"),
        "{:?}",
        e.lines
    );
    let root = delete_effect(&t, "web-01-base");
    assert!(root.lines[0].contains("become root snapshots"));
    let cur = delete_effect(&t, "web-01-nightly");
    assert!(cur.was_current);
    assert_eq!(
        cur.lines,
        ["the VM's current snapshot becomes web-01-post-upgrade"]
    );
    let queued = delete_effect(&t, "web-01-adhoc");
    assert!(queued.lines[0].contains("not in the VM's snapshot tree"));
}

#[test]
fn create_builds_vm_name_description_memory_and_a_go_duration_quiesce() {
    let opts = SnapshotOptions {
        description: Some("before upgrade".into()),
        memory: true,
        quiesce_timeout: Some(parse_quiesce_timeout("10m").unwrap()),
    };
    let obj = build_snapshot(Version::V1alpha5, "dev-team", "s1", "web-01", &opts);
    assert_eq!(
        obj,
        json!({"apiVersion": "vmoperator.vmware.com/v1alpha5", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": "s1", "namespace": "dev-team",
                         "labels": {"snapshot.vmoperator.vmware.com/vm-name": "web-01"}},
            "spec": {"vmName": "web-01", "description": "before upgrade", "memory": true,
                     "quiesce": {"timeout": "10m"}}})
    );
    let bare = build_snapshot(
        Version::V1alpha6,
        "ns",
        "s2",
        "vm",
        &SnapshotOptions::default(),
    );
    assert_eq!(bare["spec"], json!({"vmName": "vm"}));
    assert_eq!(bare["apiVersion"], "vmoperator.vmware.com/v1alpha6");
    assert_eq!(
        revert_patch("s1"),
        json!({"spec": {"currentSnapshotName": "s1"}})
    );
    assert_eq!(
        abort_revert_patch(true),
        json!({"spec": {"currentSnapshotName": null},
               "metadata": {"annotations": {"vmoperator.vmware.com/snapshot-revert-in-progress": null}}})
    );
}

#[test]
fn quiesce_timeouts_are_go_durations_within_vm_operators_bounds() {
    assert_eq!(parse_quiesce_timeout("10m"), Ok(Duration::from_secs(600)));
    assert_eq!(
        parse_quiesce_timeout("1h30m"),
        Ok(Duration::from_secs(5400))
    );
    assert_eq!(parse_quiesce_timeout("300s"), Ok(Duration::from_secs(300)));
    assert!(
        parse_quiesce_timeout("10min")
            .unwrap_err()
            .contains("write minutes as \"m\"")
    );
    assert!(
        parse_quiesce_timeout("4m")
            .unwrap_err()
            .contains("between 5m and 240m")
    );
    assert!(parse_quiesce_timeout("5h").is_err());
    assert!(parse_quiesce_timeout("ten").is_err());
    assert!(parse_quiesce_timeout("").is_err());
    // Sent as Go writes it (`time.ParseDuration` reads it back), a zero minute kept.
    for (typed, sent) in [("600s", "10m"), ("1h30m", "1h30m"), ("3630s", "1h0m30s")] {
        let opts = SnapshotOptions {
            quiesce_timeout: Some(parse_quiesce_timeout(typed).unwrap()),
            ..SnapshotOptions::default()
        };
        let obj = build_snapshot(Version::V1alpha6, "ns", "s", "vm", &opts);
        assert_eq!(
            obj["spec"]["quiesce"],
            json!({ "timeout": sent }),
            "{typed}"
        );
    }
}

#[test]
fn detection_finds_the_group_or_nothing() {
    let groups = vec![
        ServedGroup::new("snapshot.kubevirt.io", &["v1beta1"]),
        ServedGroup::new(resources::GROUP, &["v1alpha5"]),
    ];
    assert_eq!(detect(&groups), Some(Ok(Version::V1alpha5)));
    assert_eq!(detect(&groups[..1]), None);
}

#[test]
fn describe_rows_show_memory_quiesce_storage_and_the_place_in_the_tree() {
    let t = tree_of("web-01");
    let rows = describe_rows(&snap("web-01-pre-upgrade"), &t);
    let get = |k: &str| {
        rows.iter()
            .find(|(l, _)| *l == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {k} in {rows:?}"))
    };
    assert_eq!(get("Phase"), "Ready");
    assert!(get("Memory").starts_with("included"));
    assert!(get("Quiesce").starts_with("requested, timeout 10m"));
    assert_eq!(get("vSphere ID"), "snapshot-226");
    assert_eq!(
        get("Storage requested"),
        "24Gi on wcpglobal-storage-profile"
    );
    assert_eq!(get("Parent"), "web-01-base");
    assert_eq!(get("Children"), "web-01-post-upgrade, (unmanaged)");
    let nightly = describe_rows(&snap("web-01-nightly"), &t);
    assert!(
        nightly
            .iter()
            .any(|(l, v)| *l == "Current" && v.contains("web-01 runs"))
    );
    let base = describe_rows(&snap("web-01-base"), &t);
    assert!(base.contains(&("Parent", "none (a root snapshot)".to_owned())));
    let queued = describe_rows(&snap("web-01-adhoc"), &t);
    assert!(queued.contains(&("Parent", "not in the tree yet".to_owned())));
}
