//! The real binary against the simulator: scripted paths, exit codes, output formats.

use crate::support::TestSim;

#[tokio::test]
async fn list_shows_the_kubectl_style_table_in_the_context_namespace() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0);
    let header = out.stdout.lines().next().unwrap_or_default();
    assert!(header.starts_with("NAME"), "{}", out.transcript());
    for col in [
        "VM",
        "PHASE",
        "READY",
        "CONSISTENCY",
        "VOLUMES",
        "SIZE",
        "AGE",
    ] {
        assert!(header.contains(col), "{col} missing: {header}");
    }
    assert!(
        !out.stdout.lines().any(|l| l.ends_with(' ')),
        "trailing spaces"
    );
    out.assert_stdout_contains("pre-upgrade-snapshot");
}

#[tokio::test]
async fn list_filters_by_vm_and_says_so_when_empty() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "web-02"]).run().await;
    out.assert_code(0).assert_stdout_contains("web-02-nightly");
    assert!(
        !out.stdout.contains("pre-upgrade-snapshot"),
        "{}",
        out.transcript()
    );
    let out = t.cmd().args(&["list", "-n", "staging"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("No snapshots found in staging namespace.");
    assert_eq!(out.stdout, "");
}

#[tokio::test]
async fn list_all_namespaces_puts_namespace_first_and_wide_adds_columns() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-A", "-o", "wide"]).run().await;
    out.assert_code(0);
    let header = out.stdout.lines().next().unwrap_or_default();
    let cols: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(cols[..2], ["NAMESPACE", "NAME"], "{}", out.transcript());
    assert!(header.contains("CONTENT") && header.contains("DEADLINE") && header.contains("ERROR"));
}

#[tokio::test]
async fn bool_flags_take_kubectl_forms_through_the_binary() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-A=true"]).run().await;
    out.assert_code(0);
    let header = out.stdout.lines().next().unwrap_or_default();
    assert!(header.starts_with("NAMESPACE"), "{}", out.transcript());
    let out = t
        .cmd()
        .args(&["list", "--all-namespaces=false", "--no-headers=true"])
        .run()
        .await;
    out.assert_code(0);
    assert!(
        !out.stdout.contains("NAMESPACE") && !out.stdout.contains("NAME "),
        "{}",
        out.transcript()
    );
    // (`-A false`, the operand after a spaced value: faults input.rs, catalogue row 18.)
    // --wait=false returns at once: a snapshot that never becomes ready does not time out.
    let out = t
        .cmd()
        .args(&[
            "create",
            "stuck-01",
            "--yes",
            "--wait=false",
            "--timeout",
            "5s",
            "--name",
            "stuck-snap",
        ])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains("created (");
}

#[tokio::test]
async fn list_json_parses_and_follows_the_documented_schema() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let out = t
        .cmd()
        .args(&["list", "database-01", "-o", "report-json"])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "SnapshotList");
    let item = v["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == "pre-upgrade-snapshot"))
        .expect("snapshot listed");
    assert_eq!(item["vm"], "database-01");
    assert_eq!(item["phase"], "Succeeded");
    assert_eq!(item["readyToUse"], true);
    assert_eq!(item["consistency"], "application");
    assert!(item["includedVolumes"].is_array());
}

#[tokio::test]
async fn list_name_output_uses_resource_dot_group() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "web-02", "-o", "name"]).run().await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "virtualmachinesnapshot.snapshot.kubevirt.io/web-02-nightly\n",
        "{}",
        out.transcript()
    );
}

#[tokio::test]
async fn describe_shows_sections_and_missing_snapshot_exits_5() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let out = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(0);
    for s in [
        "Name:",
        "Source VM:",
        "Consistency:",
        "Indications:",
        "Volume Snapshots:",
        "Conditions:",
        "Restores:",
    ] {
        out.assert_stdout_contains(s);
    }
    let out = t.cmd().args(&["describe", "nope"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains("error: snapshot \"nope\" not found in namespace \"production\"");
}

#[tokio::test]
async fn describe_shows_the_description_annotation_and_the_events_of_snapshot_content_and_volume_snapshots()
 {
    let t = TestSim::start().await;
    let gvr = vmsnap_sim::Gvr::new(
        crate::support::SNAPSHOTS.0,
        crate::support::SNAPSHOTS.1,
        crate::support::SNAPSHOTS.2,
    );
    t.sim
        .store()
        .mutate(&gvr, Some("production"), "pre-upgrade-snapshot", |s| {
            s["metadata"]["annotations"] =
                serde_json::json!({"description": "before the 2.4 upgrade"});
        })
        .expect("annotated");
    let out = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("Annotations:       description: before the 2.4 upgrade\n");
    let events = out
        .stdout
        .split_once("Events:\n")
        .map(|(_, e)| e)
        .unwrap_or_else(|| panic!("no Events table: {}", out.transcript()));
    let mut lines = events.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(header, ["Type", "Reason", "Age", "From", "Message"]);
    let rows: Vec<&str> = lines.skip(1).collect();
    let has = |reason: &str, text: &str| {
        assert!(
            rows.iter().any(|r| r.contains(reason) && r.contains(text)),
            "{reason} / {text} missing: {}",
            out.transcript()
        )
    };
    // The snapshot's own event, unprefixed; the content's and the VolumeSnapshots' named.
    has(
        "SuccessfulVirtualMachineSnapshotContentCreate",
        "  Successfully created VirtualMachineSnapshotContent vmsnapshot-content-",
    );
    has(
        "SuccessfulVolumeSnapshotCreate",
        "VirtualMachineSnapshotContent/vmsnapshot-content-",
    );
    has("SnapshotReady", "VolumeSnapshot/vmsnapshot-");
    assert!(rows.iter().all(|r| r.contains("snapshot-controller")));
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn describe_of_a_snapshot_without_events_says_none() {
    let t = TestSim::start().await;
    let events = vmsnap_sim::Gvr::new("", "v1", "events");
    for e in t.sim.store().list(&events, Some("production")) {
        let name = e["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        t.sim
            .store()
            .delete(&events, Some("production"), &name)
            .ok();
    }
    let out = t.cmd().args(&["describe", "web-02-nightly"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("\nEvents:  <none>\n")
        .assert_stdout_contains("Annotations:       <none>\n");
}

#[tokio::test]
async fn create_scripted_snapshot_of_a_stopped_vm_is_offline_and_named_from_the_clock() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["create", "batch-03", "--yes"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains(
            "Snapshot batch-03-snapshot-20261126-100000 of VM production/batch-03 is ready",
        )
        .assert_stdout_contains("offline");
}

#[tokio::test]
async fn create_without_yes_and_without_terminal_refuses_at_once() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["create", "batch-03"]).run().await;
    out.assert_code(3).assert_stderr_contains("--yes");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn create_of_running_vm_without_agent_needs_stop_or_online() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["create", "web-02", "--yes"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains("--stop")
        .assert_stderr_contains("--online");
    assert!(t.writes().is_empty());
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--yes",
            "--online",
            "--name",
            "web-02-online",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("crash-consistent");
}

#[tokio::test]
async fn create_with_stop_and_start_after_reports_downtime() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "web-02-offline",
        ])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains("Downtime");
    t.vm_status("web-02", "Running").await;
}

#[tokio::test]
async fn create_of_unknown_vm_exits_5_and_suggests_kubectl_get_vm() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["create", "nope", "--yes"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains("kubectl get vm -n production");
}

#[tokio::test]
async fn create_of_vm_without_snapshottable_volumes_names_the_reason() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["create", "archive-01", "--yes"]).run().await;
    out.assert_code(1).assert_stderr_contains("rootdisk");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn create_invalid_name_is_a_usage_error_before_any_request() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "batch-03", "--name", "Bad_Name", "--yes"])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("not a valid Kubernetes name");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn create_timeout_exits_4_and_says_how_to_follow() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "stuck-01", "--yes", "--timeout", "1s"])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains("the snapshot continues on the cluster")
        .assert_stderr_contains(
            "kubectl vmsnap wait stuck-01-snapshot-20261126-100000 -n production",
        );
}

#[tokio::test]
async fn wait_reattaches_to_a_snapshot_taken_without_waiting_and_prints_condition_met() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&["create", "batch-03", "--yes", "--no-wait", "--name", "w1"])
        .run()
        .await
        .assert_code(0);
    let before = t.writes().len();
    let out = t.cmd().args(&["wait", "w1", "--timeout", "1m"]).run().await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "virtualmachinesnapshot.snapshot.kubevirt.io/w1 condition met\n"
    );
    let out = t
        .cmd()
        .args(&["wait", "w1", "--for=condition=ready", "-o", "name"])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "virtualmachinesnapshot.snapshot.kubevirt.io/w1\n"
    );
    assert_eq!(t.writes().len(), before, "wait writes nothing");
}

#[tokio::test]
async fn wait_times_out_with_4_fails_with_1_and_misses_with_5() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&["create", "stuck-01", "--yes", "--no-wait", "--name", "st1"])
        .run()
        .await
        .assert_code(0);
    let out = t
        .cmd()
        .args(&["wait", "st1", "--timeout", "1s"])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains(
            "error: timed out after 1s waiting for snapshot production/st1 to be ready to use",
        )
        .assert_stderr_contains(
            "keep following it with: kubectl vmsnap wait st1 -n production --timeout 2s",
        );
    let out = t
        .cmd()
        .args(&["wait", "st1", "--for=delete", "--timeout", "0"])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains("condition not met for snapshot production/st1");
    let out = t.cmd().args(&["wait", "failed-snapshot"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("error: snapshot production/failed-snapshot failed: ");
    let out = t.cmd().args(&["wait", "nope"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains("error: snapshot production/nope not found");
    let out = t
        .cmd()
        .args(&["wait", "nope", "--for", "delete"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("virtualmachinesnapshot.snapshot.kubevirt.io/nope condition met");
    let out = t
        .cmd()
        .args(&["wait", "st1", "--for=jsonpath={.status.phase}=Succeeded"])
        .run()
        .await;
    out.assert_code(2);
}

#[tokio::test]
async fn wait_for_delete_follows_a_deletion_requested_without_waiting() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&["delete", "web-02-nightly", "--yes", "--no-wait"])
        .run()
        .await
        .assert_code(0);
    let out = t
        .cmd()
        .args(&["wait", "web-02-nightly", "--for=delete", "--timeout", "1m"])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.snapshot.kubevirt.io/web-02-nightly condition met",
    );
    t.cmd()
        .args(&["describe", "web-02-nightly"])
        .run()
        .await
        .assert_code(5);
}

#[tokio::test]
async fn create_forbidden_for_alice_exits_6_with_the_missing_permission() {
    let t = TestSim::start().await;
    let kc = t.kubeconfig_for("alice", "production");
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["create", "batch-03", "--yes"])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains(
            "error: you are not allowed to create virtualmachinesnapshots.snapshot.kubevirt.io in namespace production",
        )
        .assert_stderr_contains("kubectl auth can-i create virtualmachinesnapshots.snapshot.kubevirt.io -n production");
    assert!(
        !out.stderr.contains("Snapshot plan"),
        "refused before the plan\n{}",
        out.transcript()
    );
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn a_403_on_the_write_itself_reads_like_kubectl() {
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        method: Some("POST".into()),
        resource: Some("virtualmachinesnapshots".into()),
        name: None,
        status: 403,
        times: Some(1),
        retry_after: None,
    });
    let out = t.cmd().args(&["create", "batch-03", "--yes"]).run().await;
    out.assert_code(6)
        .assert_stderr_contains("error: failed to create VirtualMachineSnapshot production/")
        .assert_stderr_contains("Error from server (");
}

#[tokio::test]
async fn restore_forbidden_for_the_viewer_exits_6_before_asking() {
    let t = TestSim::start().await;
    let kc = t.kubeconfig_for("viewer", "production");
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&[
            "restore",
            "batch-03",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--yes",
            "--confirm-name",
            "pre-upgrade-snapshot",
        ])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains("not allowed to create virtualmachinerestores");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn namespace_flag_overrides_the_context() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "database-01", "-n", "staging", "--yes"])
        .run()
        .await;
    out.assert_code(5)
        .assert_stderr_contains("namespace \"staging\"");
}

#[tokio::test]
async fn restore_scripted_needs_yes_and_the_right_confirm_name() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let base = [
        "restore",
        "database-01",
        "--snapshot",
        "pre-upgrade-snapshot",
        "--stop",
    ];
    let out = t.cmd().args(&base).args(&["--yes"]).run().await;
    out.assert_code(3)
        .assert_stderr_contains("--confirm-name pre-upgrade-snapshot");
    let out = t
        .cmd()
        .args(&base)
        .args(&["--yes", "--confirm-name", "pre-upgrade"])
        .run()
        .await;
    out.assert_code(3).assert_stderr_contains(
        "names do not match, restore cancelled, current VM state preserved",
    );
    assert!(t.writes().is_empty(), "{:?}", t.writes());
    let out = t
        .cmd()
        .args(&base)
        .args(&["--yes", "--confirm-name", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains(
            "VM production/database-01 restored from snapshot pre-upgrade-snapshot",
        )
        .assert_stdout_contains("virtctl start database-01 -n production");
}

#[tokio::test]
async fn restore_of_running_vm_without_stop_is_refused_naming_the_flags() {
    let t = TestSim::start().await;
    t.snapshot_ready("pre-upgrade-snapshot").await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--yes",
            "--confirm-name",
            "pre-upgrade-snapshot",
        ])
        .run()
        .await;
    out.assert_code(3).assert_stderr_contains("--stop");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn restore_refuses_a_snapshot_of_another_vm_and_a_failed_one() {
    let t = TestSim::start().await;
    t.snapshot_ready("web-02-nightly").await;
    t.snapshot_failed("failed-snapshot").await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "web-02-nightly",
            "--stop",
            "--yes",
            "--confirm-name",
            "web-02-nightly",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("was taken of VM web-02, not of VM database-01");
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "failed-snapshot",
            "--stop",
            "--yes",
            "--confirm-name",
            "failed-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1).assert_stderr_contains("failed (");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn delete_scripted_removes_the_snapshot() {
    let t = TestSim::start().await;
    t.snapshot_ready("web-02-nightly").await;
    let out = t
        .cmd()
        .args(&["delete", "web-02-nightly", "--yes"])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.snapshot.kubevirt.io/web-02-nightly deleted",
    );
    let out = t.cmd().args(&["describe", "web-02-nightly"]).run().await;
    out.assert_code(5);
}

#[tokio::test]
async fn version_works_without_a_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n",
    )
    .unwrap();
    let out = crate::support::Run::new(&kc).args(&["version"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("Plugin version")
        .assert_stdout_contains("could not reach it");
}

#[tokio::test]
async fn version_names_the_detected_api() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["version"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("snapshot.kubevirt.io/v1beta1");
}

#[tokio::test]
async fn connection_refused_reads_like_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n",
    )
    .unwrap();
    let out = crate::support::Run::new(&kc).args(&["list"]).run().await;
    out.assert_code(1).assert_stderr_contains(
        "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?",
    );
}

#[tokio::test]
async fn help_shows_the_kubectl_form_and_examples() {
    let out = crate::support::Run::new(std::path::Path::new("/nonexistent"))
        .args(&["restore", "--help"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("Usage: kubectl vmsnap restore")
        .assert_stdout_contains("Examples:");
}

#[tokio::test]
async fn kubevirt_absent_says_what_was_looked_for() {
    let addr = crate::support::bare::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, crate::support::bare::kubeconfig(addr)).unwrap();
    let out = crate::support::Run::new(&kc).args(&["list"]).run().await;
    out.assert_code(5).assert_stderr_contains(
        "error: no supported VM snapshot API found on this cluster (looked for \
         snapshot.kubevirt.io/v1beta1 or v1alpha1 with kubevirt.io/v1, \
         vmoperator.vmware.com/v1alpha6 or v1alpha5, virtualization.deckhouse.io/v1alpha2)",
    );
}

#[tokio::test]
async fn forbidden_watch_falls_back_to_polling() {
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        method: Some("watch".into()),
        resource: Some("virtualmachinesnapshots".into()),
        name: None,
        status: 403,
        times: None,
        retry_after: None,
    });
    let out = t.cmd().args(&["create", "batch-03", "--yes"]).run().await;
    out.assert_code(0).assert_stdout_contains("is ready");
}

#[tokio::test]
async fn dropped_watches_are_resumed() {
    let t = TestSim::start().await;
    t.sim.faults().drop_watch_after(1);
    let out = t.cmd().args(&["create", "batch-03", "--yes"]).run().await;
    out.assert_code(0).assert_stdout_contains("is ready");
}

#[tokio::test]
async fn server_errors_exit_1_with_kubectls_wording() {
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        method: Some("list".into()),
        resource: Some("virtualmachinesnapshots".into()),
        name: None,
        status: 500,
        times: None,
        retry_after: None,
    });
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("Error from server (InternalError)");
}

#[tokio::test]
async fn verbose_scripted_runs_log_progress_lines() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "batch-03", "--yes", "-v", "1", "--name", "v1"])
        .run()
        .await;
    out.assert_code(0).assert_stderr_contains("Snapshot v1:");
}

#[tokio::test]
async fn yaml_output_parses() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot", "-o", "report-yaml"])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_saphyr::from_str(&out.stdout).expect("YAML");
    assert_eq!(v["kind"], "SnapshotDetail");
    assert_eq!(v["snapshot"]["name"], "pre-upgrade-snapshot");
    assert_eq!(v["volumeBackups"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn failure_deadline_and_labels_pass_through() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "batch-03",
            "--yes",
            "--name",
            "fd",
            "--failure-deadline",
            "10m",
            "--label",
            "team=db",
        ])
        .run()
        .await;
    out.assert_code(0);
    let post = t
        .writes()
        .into_iter()
        .find(|w| w.method == "POST")
        .expect("created");
    let body = post.body.expect("body");
    assert_eq!(body["spec"]["failureDeadline"], "10m");
    assert_eq!(body["metadata"]["labels"]["team"], "db");
}

#[tokio::test]
async fn restore_from_a_snapshot_still_in_progress_is_refused() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "stuck-01",
            "--yes",
            "--no-wait",
            "--name",
            "stuck-snap",
        ])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains("created (");
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&[
            "restore",
            "stuck-01",
            "--snapshot",
            "stuck-snap",
            "--yes",
            "--confirm-name",
            "stuck-snap",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("snapshot stuck-snap is not ready: phase InProgress");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn restore_timeout_exits_4_and_warns_not_to_start_the_vm_and_delete_refuses_while_it_runs() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&["create", "legacy-04", "--yes", "--name", "legacy-snap"])
        .run()
        .await
        .assert_code(0);
    let out = t
        .cmd()
        .args(&[
            "restore",
            "legacy-04",
            "--snapshot",
            "legacy-snap",
            "--yes",
            "--confirm-name",
            "legacy-snap",
            "--timeout",
            "1s",
        ])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains("do not start the VM until the restore completes")
        .assert_stderr_contains(
            "kubectl get virtualmachinerestore restore-legacy-04-20261126-100000 -n production -w",
        );
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&["delete", "legacy-snap", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("in use by restore restore-legacy-04-20261126-100000");
    assert!(t.writes().is_empty());
    let out = t.cmd().args(&["describe", "legacy-snap"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("restore-legacy-04-20261126-100000");
}

#[tokio::test]
async fn server_dry_run_sends_a_dry_run_create_only() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "batch-03",
            "--yes",
            "--dry-run=server",
            "--name",
            "dr",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("(server dry run)");
    let writes = t.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0].dry_run);
    t.cmd().args(&["describe", "dr"]).run().await.assert_code(5);
}

#[tokio::test]
async fn client_dry_run_of_an_undecided_running_vm_shows_the_plan() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["create", "web-02", "--dry-run"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("would be created (dry run)")
        .assert_stderr_contains("to be decided");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn unknown_token_exits_6_saying_log_in() {
    let t = TestSim::start().await;
    let text = std::fs::read_to_string(&t.kubeconfig).unwrap();
    let token = t.sim.token("admin").expect("admin token");
    let bad = t.dir.path().join("bad");
    std::fs::write(&bad, text.replace(&token, "not-a-token")).unwrap();
    let out = t.cmd().kubeconfig(&bad).args(&["list"]).run().await;
    out.assert_code(6)
        .assert_stderr_contains("You must be logged in to the server");
}

#[tokio::test]
async fn namespace_comes_from_the_kubeconfig_context() {
    let t = TestSim::start().await;
    let kc = t.kubeconfig_for("admin", "staging");
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["create", "batch-03", "--yes"])
        .run()
        .await;
    out.assert_code(5)
        .assert_stderr_contains("not found in namespace \"staging\"");
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("No snapshots found in staging namespace.");
}

#[tokio::test]
async fn delete_with_one_missing_name_deletes_nothing() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["delete", "web-02-nightly", "nope", "--yes"])
        .run()
        .await;
    out.assert_code(5)
        .assert_stderr_contains("snapshot \"nope\" not found");
    assert!(t.writes().is_empty());
}

/// Labels the scenario's snapshots `tier=<tier>`.
fn label_snapshots(t: &TestSim, tiers: &[(&str, &str)]) {
    let gvr = vmsnap_sim::Gvr::new(
        crate::support::SNAPSHOTS.0,
        crate::support::SNAPSHOTS.1,
        crate::support::SNAPSHOTS.2,
    );
    for (name, tier) in tiers {
        t.sim
            .store()
            .mutate(&gvr, Some("production"), name, |s| {
                s["metadata"]["labels"] = serde_json::json!({ "tier": tier });
            })
            .expect("labelled");
    }
}

fn deleted_names(t: &TestSim) -> Vec<String> {
    t.writes()
        .into_iter()
        .map(|w| {
            assert_eq!(w.method, "DELETE", "only deletes: {w:?}");
            w.path.rsplit('/').next().unwrap_or_default().to_string()
        })
        .collect()
}

#[tokio::test]
async fn delete_by_selector_deletes_exactly_the_matching_snapshots() {
    let t = TestSim::start().await;
    label_snapshots(
        &t,
        &[
            ("web-02-nightly", "web"),
            ("failed-snapshot", "web"),
            ("pre-upgrade-snapshot", "db"),
        ],
    );
    let out = t
        .cmd()
        .args(&["delete", "-l", "tier=web", "--yes"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stderr_contains(
            "Snapshots to delete in namespace production (matching -l tier=web):",
        )
        .assert_stdout_contains(
            "virtualmachinesnapshot.snapshot.kubevirt.io/failed-snapshot deleted",
        )
        .assert_stdout_contains(
            "virtualmachinesnapshot.snapshot.kubevirt.io/web-02-nightly deleted",
        );
    assert!(
        !out.stderr.contains("pre-upgrade-snapshot"),
        "{}",
        out.transcript()
    );
    assert_eq!(deleted_names(&t), ["failed-snapshot", "web-02-nightly"]);
    t.cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await
        .assert_code(0);
}

#[tokio::test]
async fn delete_by_a_selector_that_matches_nothing_says_so_and_exits_0() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["delete", "-l", "tier=none"]).run().await;
    out.assert_code(0).assert_stderr_contains(
        "No snapshots found in production namespace matching -l tier=none.",
    );
    assert_eq!(out.stdout, "");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn delete_all_deletes_every_snapshot_of_the_namespace() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["delete", "--all", "--yes"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("Snapshots to delete in namespace production (all of them):");
    assert_eq!(
        deleted_names(&t),
        ["failed-snapshot", "pre-upgrade-snapshot", "web-02-nightly"]
    );
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("No snapshots found in production namespace.");
}

#[tokio::test]
async fn delete_ignore_not_found_skips_missing_names_and_deletes_the_rest() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["delete", "nope", "--ignore-not-found", "--yes"])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(out.stdout, "");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
    let out = t
        .cmd()
        .args(&[
            "delete",
            "nope",
            "web-02-nightly",
            "--ignore-not-found",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(0).assert_stdout_contains(
        "virtualmachinesnapshot.snapshot.kubevirt.io/web-02-nightly deleted",
    );
    assert_eq!(deleted_names(&t), ["web-02-nightly"]);
}

#[tokio::test]
async fn delete_takes_names_or_a_selector_or_all_and_never_an_empty_selector() {
    let t = TestSim::start().await;
    for args in [
        &["delete"][..],
        &["delete", "web-02-nightly", "-l", "tier=web"],
        &["delete", "web-02-nightly", "--all"],
        &["delete", "--all", "-l", "tier=web"],
        &["delete", "-l", "", "--yes"],
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(2);
    }
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn restore_with_start_after_starts_the_vm() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&["create", "batch-03", "--yes", "--name", "b3"])
        .run()
        .await
        .assert_code(0);
    let out = t
        .cmd()
        .args(&[
            "restore",
            "batch-03",
            "--snapshot",
            "b3",
            "--yes",
            "--confirm-name",
            "b3",
            "--start-after",
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("VM status:        Running");
    assert!(
        !out.stdout.contains("virtctl start"),
        "{}",
        out.transcript()
    );
}

#[tokio::test]
async fn ctrl_c_while_following_exits_130_and_says_what_continues() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "stuck-01", "--yes", "-v", "1"])
        .interrupt_after("Snapshot stuck-01-snapshot-20261126-100000: ")
        .await;
    out.assert_code(130)
        .assert_stderr_contains(
            "error: stopped following snapshot stuck-01-snapshot-20261126-100000",
        )
        .assert_stderr_contains("the snapshot continues on the cluster");
}

#[tokio::test]
async fn existing_name_is_refused_before_anything_is_stopped() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--yes",
            "--name",
            "web-02-nightly",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("a snapshot named web-02-nightly already exists")
        .assert_stderr_contains("hint: choose another name with --name");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

#[tokio::test]
async fn a_vm_stopped_for_a_snapshot_that_cannot_be_created_is_started_again() {
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        method: Some("POST".into()),
        resource: Some("virtualmachinesnapshots".into()),
        name: None,
        status: 500,
        times: Some(1),
        retry_after: None,
    });
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "w2",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("has been started again");
    t.vm_status("web-02", "Running").await;
}

/// The field names of docs/cli.md's table for `heading`, from the backticked first cells.
fn documented_fields(heading: &str) -> std::collections::BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md"))
        .expect("docs/cli.md");
    let section = doc.split(heading).nth(1).expect("section present");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| l.split('|').nth(1))
        .flat_map(|cell| {
            cell.split(',')
                .map(|f| f.trim().trim_matches('`').to_string())
        })
        .collect()
}

#[tokio::test]
async fn json_snapshot_fields_are_exactly_the_documented_ones() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-o", "report-json"]).run().await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let item = v["items"][0].as_object().expect("an item");
    let keys: std::collections::BTreeSet<String> = item.keys().cloned().collect();
    assert_eq!(keys, documented_fields("### Snapshot (`SnapshotInfo`)"));
}

#[tokio::test]
async fn list_selects_by_label() {
    let t = TestSim::start().await;
    t.cmd()
        .args(&[
            "create", "batch-03", "--yes", "--name", "lab", "--label", "team=db",
        ])
        .run()
        .await
        .assert_code(0);
    let out = t
        .cmd()
        .args(&["list", "-l", "team=db", "-o", "name"])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(
        out.stdout,
        "virtualmachinesnapshot.snapshot.kubevirt.io/lab\n",
        "{}",
        out.transcript()
    );
}

#[tokio::test]
async fn delete_forbidden_for_the_viewer_exits_6_before_asking() {
    let t = TestSim::start().await;
    let kc = t.kubeconfig_for("viewer", "production");
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["delete", "web-02-nightly", "--yes"])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains("not allowed to delete virtualmachinesnapshots");
    assert!(
        !out.stderr.contains("Snapshots to delete"),
        "{}",
        out.transcript()
    );
    assert!(t.writes().is_empty());
}

/// Restores database-01 (running) from pre-upgrade-snapshot without a safety snapshot.
fn restore_running(policy: &str, timeout: &str) -> Vec<String> {
    [
        "restore",
        "database-01",
        "--snapshot",
        "pre-upgrade-snapshot",
        "--target-readiness-policy",
        policy,
        "--no-safety-snapshot",
        "--timeout",
        timeout,
        "--yes",
        "--confirm-name",
        "pre-upgrade-snapshot",
    ]
    .map(String::from)
    .to_vec()
}

#[tokio::test]
async fn a_restore_waiting_for_a_running_vm_times_out_with_kubevirts_reason_and_what_to_do() {
    let t = TestSim::start().await;
    let args = restore_running("WaitEventually", "2s");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = t.cmd().args(&args).run().await;
    out.assert_code(4)
        .assert_stderr_contains(
            "(Waiting for target VM to be powered off. Please stop the restore target to proceed with restore)",
        )
        .assert_stderr_contains(
            "hint: the VM is still running: stop it (virtctl stop database-01 -n production), or restore with --stop to let KubeVirt stop it",
        );
}

#[tokio::test]
async fn a_restore_failed_for_a_running_vm_says_why_in_kubevirts_words() {
    // FailImmediate on a running VM is refused before any write (races.rs), so the failure
    // that reaches the plugin is the grace period's expiry (5m, scaled by the time scale).
    let t = TestSim::start().await;
    let args = restore_running("WaitGracePeriod", "30s");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = t.cmd().args(&args).run().await;
    out.assert_code(1)
        .assert_stderr_contains("Restore target failed to be ready within 5m0s")
        .assert_stderr_contains("hint: the VM is still running: stop it (virtctl stop database-01");
}
