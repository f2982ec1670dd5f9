//! Error answers of the API server, real (RBAC, validation, existing names) and injected
//! (409, 429, 5xx): the message, the exit code, and exactly which writes were attempted.

use std::time::{Duration, Instant};

use kubectl_vmsnap::ui::{NoProgress, Progress, Ui};
use vmsnap_sim::{FaultRule, Gvr, Store};

use crate::kit::{
    RESTORES, SNAPSHOTS, allow_on, assert_no_writes, assert_writes, get, requests, rule,
    run_bounded, user,
};
use crate::support::{Output, SNAPSHOTS as SNAPSHOT_GVR, TestSim, VMS};

const SNAPSHOT_PATH: &str = "/namespaces/production/virtualmachinesnapshots";

// ---- 401 ----

#[tokio::test]
async fn an_unknown_or_expired_token_exits_6_saying_log_in_and_writes_nothing() {
    let t = TestSim::start().await;
    let kc = t.kubeconfig_for("expired", "production");
    for args in [&["list"][..], &["create", "database-01", "--yes"]] {
        let out = t.cmd().kubeconfig(&kc).args(args).run().await;
        out.assert_code(6)
            .assert_stderr_contains("error: You must be logged in to the server (Unauthorized)")
            .assert_stderr_contains("hint: your credentials were not accepted");
    }
    assert_no_writes(&t);
}

// ---- 403, one verb at a time ----

/// Every verb on every group except `verb` on snapshot.kubevirt.io.
fn all_but(verb: &str) -> Vec<vmsnap_sim::Rule> {
    let verbs = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    let others: Vec<&str> = verbs.iter().copied().filter(|v| *v != verb).collect();
    let mut rules = vec![allow_on(&others, "snapshot.kubevirt.io", &["*"])];
    for g in [
        "",
        "kubevirt.io",
        "subresources.kubevirt.io",
        "cdi.kubevirt.io",
        "storage.k8s.io",
        "snapshot.storage.k8s.io",
        "authorization.k8s.io",
    ] {
        rules.push(allow_on(&verbs, g, &["*"]));
    }
    rules
}

#[tokio::test]
async fn forbidden_get_of_a_snapshot_exits_6_naming_the_permission() {
    let t = TestSim::start().await;
    let kc = user(&t, "no-get", all_but("get"));
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains("Error from server (Forbidden)")
        .assert_stderr_contains("cannot get resource \"virtualmachinesnapshots\"")
        .assert_stderr_contains(
            "kubectl auth can-i get virtualmachinesnapshots.snapshot.kubevirt.io -n production",
        );
    assert_no_writes(&t);
}

#[tokio::test]
async fn forbidden_list_of_snapshots_exits_6_naming_the_permission() {
    let t = TestSim::start().await;
    let kc = user(&t, "no-list", all_but("list"));
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(6)
        .assert_stderr_contains("Error from server (Forbidden)")
        .assert_stderr_contains("cannot list resource \"virtualmachinesnapshots\"")
        .assert_stderr_contains(
            "kubectl auth can-i list virtualmachinesnapshots.snapshot.kubevirt.io -n production",
        );
    assert_eq!(out.stdout, "");
    assert_no_writes(&t);
}

#[tokio::test]
async fn forbidden_create_is_refused_before_the_question_and_writes_nothing() {
    let t = TestSim::start().await;
    let kc = user(&t, "no-create", all_but("create"));
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["create", "database-01", "--yes", "--name", "s1"])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains(
            "error: you are not allowed to create virtualmachinesnapshots.snapshot.kubevirt.io in namespace production",
        )
        .assert_stderr_contains(
            "kubectl auth can-i create virtualmachinesnapshots.snapshot.kubevirt.io -n production",
        );
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, "s1").is_none());
}

#[tokio::test]
async fn forbidden_delete_exits_6_and_the_snapshot_stays() {
    let t = TestSim::start().await;
    let kc = user(&t, "no-delete", all_but("delete"));
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["delete", "pre-upgrade-snapshot", "--yes"])
        .run()
        .await;
    out.assert_code(6).assert_stderr_contains(
        "error: you are not allowed to delete virtualmachinesnapshots.snapshot.kubevirt.io in namespace production",
    );
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, "pre-upgrade-snapshot").is_some());
}

/// A user who may do everything a restore needs but create snapshots: on every platform the
/// restore (VM Operator: revert) is refused before the question, and told that it can go
/// without its safety snapshot.
#[tokio::test]
async fn a_restore_whose_safety_snapshot_may_not_be_created_says_how_to_go_without_it() {
    let cases = [
        (
            "kubevirt",
            "production",
            "database-01",
            "pre-upgrade-snapshot",
            "restore",
        ),
        (
            "deckhouse",
            "my-project",
            "linux-vm",
            "linux-vm-snapshot",
            "restore",
        ),
        (
            "vmoperator",
            "dev-team",
            "web-01",
            "web-01-hotfix",
            "revert",
        ),
    ];
    for (platform, ns, vm, snapshot, verb) in cases {
        let t = match platform {
            "kubevirt" => TestSim::start().await,
            "deckhouse" => TestSim::deckhouse().await,
            _ => TestSim::vmoperator().await,
        };
        let creates = [
            "virtualmachinerestores",
            "virtualmachineoperations",
            "selfsubjectaccessreviews",
        ];
        t.sim.add_user(vmsnap_sim::User::new(
            "no-snapshots",
            vec![
                allow_on(
                    &["get", "list", "watch", "update", "patch", "delete"],
                    "*",
                    &["*"],
                ),
                allow_on(&["create"], "*", &creates),
            ],
        ));
        let kc = t.kubeconfig_for("no-snapshots", ns);
        let args = [
            "restore",
            vm,
            "--snapshot",
            snapshot,
            "--yes",
            "--confirm-name",
            snapshot,
        ];
        let out = t.cmd().kubeconfig(&kc).args(&args).run().await;
        out.assert_code(6)
            .assert_stderr_contains("error: you are not allowed to create virtualmachinesnapshots.")
            .assert_stderr_contains(&format!(
                "hint: or {verb} without a safety snapshot: --no-safety-snapshot"
            ));
        assert_no_writes(&t);
    }
}

#[tokio::test]
async fn forbidden_stop_subresource_exits_6_before_the_vm_is_touched() {
    let t = TestSim::start().await;
    // Everything, except the VM's stop subresource.
    let mut rules = vec![allow_on(
        &["update"],
        "subresources.kubevirt.io",
        &["virtualmachines/start"],
    )];
    for g in [
        "",
        "kubevirt.io",
        "snapshot.kubevirt.io",
        "cdi.kubevirt.io",
        "storage.k8s.io",
        "snapshot.storage.k8s.io",
        "authorization.k8s.io",
    ] {
        rules.push(allow_on(&["*"], g, &["*"]));
    }
    rules.push(allow_on(
        &["get", "list", "watch"],
        "subresources.kubevirt.io",
        &["*"],
    ));
    let kc = user(&t, "no-stop", rules);
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["create", "web-02", "--stop", "--yes", "--name", "s1"])
        .run()
        .await;
    out.assert_code(6).assert_stderr_contains(
        "error: you are not allowed to update virtualmachines/stop.subresources.kubevirt.io in namespace production",
    );
    assert_no_writes(&t);
    assert_eq!(
        get(&t, VMS, "web-02").expect("vm")["status"]["printableStatus"],
        "Running"
    );
}

#[tokio::test]
async fn a_403_on_the_stop_call_itself_exits_6_and_nothing_else_is_written() {
    let t = TestSim::start().await;
    t.sim
        .faults()
        .fail(rule("PUT", "virtualmachines", 403, None));
    let out = t
        .cmd()
        .args(&["create", "web-02", "--stop", "--yes", "--name", "s1"])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains("error: failed to stop VirtualMachine production/web-02")
        .assert_stderr_contains("injected: forbidden");
    assert_writes(&t, &[("PUT", "/virtualmachines/web-02/stop", 403)]);
}

/// `check` reads the claims of all VMs in one LIST; when that LIST is forbidden, every VM
/// is listed as unknown with the reason instead of failing the command.
#[tokio::test]
async fn check_with_the_claim_list_forbidden_lists_every_vm_as_unknown_saying_why() {
    let t = TestSim::start().await;
    t.sim
        .faults()
        .fail(rule("GET", "persistentvolumeclaims", 403, None));
    let out = t.cmd().args(&["check", "-o", "json"]).run().await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let rows = v["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "{v}");
    for row in rows {
        assert_eq!(row["snapshottable"], "unknown", "{row}");
        assert!(
            row.to_string().contains(
                "failed to list PersistentVolumeClaims in namespace production (forbidden)"
            ),
            "{row}"
        );
    }
    let claim_reads = requests(&t, "GET", "persistentvolumeclaims");
    assert_eq!(
        claim_reads.len(),
        1,
        "one LIST for every VM: {claim_reads:?}"
    );
    assert_no_writes(&t);
}

// ---- 404 ----

#[tokio::test]
async fn a_404_from_the_snapshot_api_exits_5_with_the_servers_words() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("list", SNAPSHOTS, 404, None));
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(5)
        .assert_stderr_contains(
            "error: failed to list VirtualMachineSnapshots in namespace production",
        )
        .assert_stderr_contains(
            "Error from server (NotFound): the server could not find the requested resource",
        );
    assert_no_writes(&t);
}

// ---- diff: 1 means "differs" ----

#[tokio::test]
async fn a_diff_that_fails_exits_2_so_that_1_means_differences_only() {
    let t = TestSim::start().await;
    // Exit 1 anywhere else (a 400 on reading the VM); diff says 2, as kubectl diff's 1 + 1.
    t.sim
        .faults()
        .fail(rule("get", "virtualmachines", 400, None));
    let out = t.cmd().args(&["diff", "pre-upgrade-snapshot"]).run().await;
    out.assert_code(2)
        .assert_stderr_contains("Error from server (BadRequest)");
    assert_eq!(out.stdout, "", "nothing compared, nothing printed");
    // Codes above 1 stay: a missing snapshot is still 5.
    let out = t.cmd().args(&["diff", "no-such-snap"]).run().await;
    out.assert_code(5);
    assert_no_writes(&t);
}

// ---- 409 ----

/// Answers every question with yes (or `typed`), but first lets "someone else" create
/// `object`: what the plan found free is taken by the time the write arrives.
struct RaceUi {
    store: Store,
    gvr: Gvr,
    object: Option<serde_json::Value>,
    typed: String,
}

impl RaceUi {
    fn race(&mut self) -> anyhow::Result<()> {
        if let Some(obj) = self.object.take() {
            self.store
                .create(&self.gvr, obj)
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        }
        Ok(())
    }
}

impl Ui for RaceUi {
    fn interactive(&self) -> bool {
        true
    }
    fn confirm(&mut self, _prompt: &str) -> anyhow::Result<bool> {
        self.race()?;
        Ok(true)
    }
    fn input(&mut self, _prompt: &str) -> anyhow::Result<String> {
        self.race()?;
        Ok(self.typed.clone())
    }
    fn select(&mut self, _prompt: &str, _items: &[&str]) -> anyhow::Result<usize> {
        self.race()?;
        Ok(0)
    }
    fn progress(&mut self, _msg: &str) -> Box<dyn Progress> {
        Box::new(NoProgress)
    }
    fn note(&mut self, _msg: &str) {}
}

fn snapshot_of(name: &str, vm: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": name, "namespace": "production", "labels": {"owner": "someone-else"}},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": vm}}
    })
}

async fn create_racing(t: &TestSim, taken_by: serde_json::Value) -> Output {
    let gvr = Gvr::new(SNAPSHOT_GVR.0, SNAPSHOT_GVR.1, SNAPSHOT_GVR.2);
    run_racing(
        t,
        gvr,
        taken_by,
        "",
        &["create", "database-01", "--name", "race-1", "--no-wait"],
    )
    .await
}

/// Runs the plugin in-process with a [`RaceUi`].
async fn run_racing(
    t: &TestSim,
    gvr: Gvr,
    object: serde_json::Value,
    typed: &str,
    args: &[&str],
) -> Output {
    let ui = RaceUi {
        store: t.sim.store().clone(),
        gvr,
        object: Some(object),
        typed: typed.to_string(),
    };
    crate::kit::run_with_ui(t, Box::new(ui), args).await
}

#[tokio::test]
async fn already_exists_on_create_for_someone_elses_snapshot_exits_1_and_leaves_it_alone() {
    let t = TestSim::start().await;
    let out = create_racing(&t, snapshot_of("race-1", "web-02")).await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: a snapshot named race-1 already exists in namespace production",
        )
        .assert_stderr_contains("hint: choose another name with --name");
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 409)]);
    let theirs = get(&t, SNAPSHOT_GVR, "race-1").expect("their snapshot");
    assert_eq!(theirs["spec"]["source"]["name"], "web-02");
    assert_eq!(theirs["metadata"]["labels"]["owner"], "someone-else");
}

#[tokio::test]
async fn already_exists_on_create_for_the_same_vm_is_not_mistaken_for_ours() {
    // The plugin never retries a create, so a 409 can only mean another client took the
    // name; even with the same source VM it must not claim that snapshot as its own.
    let t = TestSim::start().await;
    let out = create_racing(&t, snapshot_of("race-1", "database-01")).await;
    out.assert_code(1).assert_stderr_contains(
        "error: a snapshot named race-1 already exists in namespace production",
    );
    assert_eq!(out.stdout, "");
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 409)]);
    assert_eq!(
        get(&t, SNAPSHOT_GVR, "race-1").expect("theirs")["metadata"]["labels"]["owner"],
        "someone-else"
    );
}

#[tokio::test]
async fn conflict_on_the_stop_update_exits_1_and_no_snapshot_is_created() {
    let t = TestSim::start().await;
    t.sim
        .faults()
        .fail(rule("PUT", "virtualmachines", 409, Some(1)));
    let out = t
        .cmd()
        .args(&["create", "web-02", "--stop", "--yes", "--name", "c409"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: failed to stop VirtualMachine production/web-02")
        .assert_stderr_contains("Error from server (Conflict): injected conflict");
    assert_writes(&t, &[("PUT", "/virtualmachines/web-02/stop", 409)]);
    assert!(get(&t, SNAPSHOT_GVR, "c409").is_none());
}

// ---- 422 ----

#[tokio::test]
async fn invalid_on_create_is_the_servers_refusal_written_once() {
    // The plugin's own checks match the API server's for everything it builds, so a 422
    // here is injected: what matters is that it is shown as the server's answer, once.
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("create", SNAPSHOTS, 422, Some(1)));
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--name", "s422"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: failed to create VirtualMachineSnapshot production/s422")
        .assert_stderr_contains("Error from server (")
        .assert_stderr_contains("injected: the object is invalid");
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 422)]);
    assert!(get(&t, SNAPSHOT_GVR, "s422").is_none());
}

#[tokio::test]
async fn a_webhook_refusal_422_prints_its_causes_and_writes_once() {
    // Another client starts a restore of legacy-04 (its restores never finish) while the
    // user types the confirmation: KubeVirt's admission webhook refuses the second one.
    let t = TestSim::start().await;
    let snap = serde_json::json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineSnapshot",
        "metadata": {"name": "legacy-snap", "namespace": "production"},
        "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "legacy-04"}}
    });
    let snap_gvr = Gvr::new(SNAPSHOT_GVR.0, SNAPSHOT_GVR.1, SNAPSHOT_GVR.2);
    t.sim.store().create(&snap_gvr, snap).expect("snapshot");
    t.snapshot_ready("legacy-snap").await;
    t.wait_until(VMS, "production", "legacy-04", |v| {
        v["status"]["snapshotInProgress"].is_null()
    })
    .await;
    t.sim.clear_requests();
    let theirs = serde_json::json!({
        "apiVersion": "snapshot.kubevirt.io/v1beta1",
        "kind": "VirtualMachineRestore",
        "metadata": {"name": "someone-elses-restore", "namespace": "production"},
        "spec": {
            "target": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "legacy-04"},
            "virtualMachineSnapshotName": "legacy-snap"
        }
    });
    let out = run_racing(
        &t,
        Gvr::new("snapshot.kubevirt.io", "v1beta1", RESTORES),
        theirs,
        "legacy-snap",
        &[
            "restore",
            "legacy-04",
            "--snapshot",
            "legacy-snap",
            "--no-wait",
        ],
    )
    .await;
    out.assert_code(1)
        .assert_stderr_contains("Error from server (Invalid): admission webhook")
        .assert_stderr_contains(
            "denied the request: VirtualMachineRestore \"someone-elses-restore\" in progress",
        )
        .assert_stderr_contains(
            "* spec.target: VirtualMachineRestore \"someone-elses-restore\" in progress",
        );
    let w = crate::kit::writes_besides_snapshots(&t);
    assert!(
        w.len() == 1
            && w[0].method == "POST"
            && w[0].path.ends_with(RESTORES)
            && w[0].status == 422,
        "{}",
        crate::kit::describe(&w)
    );
}

// ---- 429 ----

#[tokio::test]
async fn too_many_requests_on_a_read_waits_retry_after_then_succeeds() {
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(1),
        ..rule("list", SNAPSHOTS, 429, Some(2))
    });
    let started = Instant::now();
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let lists: Vec<u16> = requests(&t, "GET", SNAPSHOT_PATH)
        .iter()
        .filter(|r| !r.query.contains("watch"))
        .map(|r| r.status)
        .collect();
    assert_eq!(lists[..3], [429, 429, 200], "{lists:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After: 1 twice was not honoured ({:?})",
        started.elapsed()
    );
    assert_no_writes(&t);
}

#[tokio::test]
async fn too_many_requests_on_create_is_retried_and_creates_exactly_once() {
    // A 429 means the server did not process the request, so resending the POST is safe.
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(1),
        ..rule("create", SNAPSHOTS, 429, Some(1))
    });
    let out = t
        .cmd()
        .args(&[
            "create",
            "database-01",
            "--yes",
            "--name",
            "s429",
            "--no-wait",
        ])
        .run()
        .await;
    out.assert_code(0);
    assert_writes(
        &t,
        &[("POST", SNAPSHOT_PATH, 429), ("POST", SNAPSHOT_PATH, 201)],
    );
}

#[tokio::test]
async fn persistent_too_many_requests_gives_up_within_bounds() {
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(1),
        ..rule("list", SNAPSHOTS, 429, None)
    });
    let out = run_bounded(&t.kubeconfig, &["list"], Duration::from_secs(20))
        .await
        .expect("gave up within 20s");
    out.assert_code(1)
        .assert_stderr_contains("Error from server (TooManyRequests)")
        .assert_stderr_contains("hint: the API server is rate limiting requests");
    let attempts = requests(&t, "GET", SNAPSHOT_PATH)
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert!((2..=5).contains(&attempts), "{attempts} attempts");
    assert_no_writes(&t);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_not_waited_for() {
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(3600),
        ..rule("list", SNAPSHOTS, 429, None)
    });
    let out = run_bounded(&t.kubeconfig, &["list"], Duration::from_secs(20))
        .await
        .expect("did not wait an hour");
    out.assert_code(1)
        .assert_stderr_contains("after 3600s")
        .assert_stderr_contains("not waiting (at most 5s is waited), so the request failed")
        .assert_stderr_contains("Error from server (TooManyRequests)");
    let attempts = requests(&t, "GET", SNAPSHOT_PATH)
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(attempts, 1);
    assert_no_writes(&t);
}

// ---- 5xx ----

#[tokio::test]
async fn service_unavailable_on_reads_is_retried_with_backoff_then_succeeds() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("get", SNAPSHOTS, 503, Some(2)));
    let out = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let gets: Vec<u16> = requests(&t, "GET", "/virtualmachinesnapshots/pre-upgrade-snapshot")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(gets[..3], [503, 503, 200], "{gets:?}");
    assert_no_writes(&t);
}

#[tokio::test]
async fn persistent_service_unavailable_on_reads_gives_up_within_bounds() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("list", SNAPSHOTS, 503, None));
    let out = run_bounded(&t.kubeconfig, &["list"], Duration::from_secs(20))
        .await
        .expect("gave up within 20s");
    out.assert_code(1)
        .assert_stderr_contains("Error from server (ServiceUnavailable)")
        .assert_stderr_contains("hint: the API server failed");
    let attempts = requests(&t, "GET", SNAPSHOT_PATH)
        .iter()
        .filter(|r| r.status == 503)
        .count();
    assert!((2..=5).contains(&attempts), "{attempts} attempts");
    assert_no_writes(&t);
}

#[tokio::test]
async fn internal_error_on_a_read_fails_at_once_with_kubectls_wording() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("list", SNAPSHOTS, 500, Some(1)));
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains(
            "Error from server (InternalError): Internal error occurred: injected fault",
        )
        .assert_stderr_contains("hint: the API server failed; nothing more was attempted");
    assert_no_writes(&t);
}

#[tokio::test]
async fn internal_error_on_create_is_not_retried_blindly() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("create", SNAPSHOTS, 500, Some(1)));
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--name", "s500"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: failed to create VirtualMachineSnapshot production/s500")
        .assert_stderr_contains("Error from server (InternalError)");
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 500)]);
    assert!(get(&t, SNAPSHOT_GVR, "s500").is_none());
}

#[tokio::test]
async fn service_unavailable_on_create_is_not_retried_blindly() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("create", SNAPSHOTS, 503, Some(1)));
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--name", "s503"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("Error from server (ServiceUnavailable)")
        .assert_stderr_contains("was not sent again: the server may have acted on it")
        .assert_stderr_contains(
            "hint: check with: kubectl get virtualmachinesnapshots.snapshot.kubevirt.io s503 -n production",
        );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 503)]);
}

#[tokio::test]
async fn internal_error_on_the_restore_create_writes_once_and_leaves_the_vm_as_it_was() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("create", RESTORES, 500, Some(1)));
    // A restore of database-01 (stopped first by the plugin) hits the 500.
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--stop",
            "--yes",
            "--confirm-name",
            "pre-upgrade-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("Error from server (InternalError)");
    let restore_posts = requests(&t, "POST", RESTORES);
    assert_eq!(
        restore_posts.len(),
        1,
        "{}",
        crate::kit::describe(&restore_posts)
    );
    // Nothing was restored: the VM this run stopped is started again, once.
    out.assert_stderr_contains(
        "note: VM production/database-01 was started again (this run had stopped it)",
    );
    let starts = t
        .writes()
        .into_iter()
        .filter(|w| w.path.ends_with("/database-01/start"))
        .count();
    assert_eq!(starts, 1, "{}", crate::kit::describe(&t.writes()));
    t.vm_status("database-01", "Running").await;
}

#[tokio::test]
async fn a_500_on_the_second_of_two_deletes_stops_there_and_names_it() {
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        name: Some("web-02-nightly".into()),
        ..rule("delete", SNAPSHOTS, 500, Some(1))
    });
    let out = t
        .cmd()
        .args(&["delete", "pre-upgrade-snapshot", "web-02-nightly", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "error: failed to delete VirtualMachineSnapshot production/web-02-nightly",
        )
        .assert_stderr_contains("Error from server (InternalError)");
    assert_writes(
        &t,
        &[
            (
                "DELETE",
                "/virtualmachinesnapshots/pre-upgrade-snapshot",
                200,
            ),
            ("DELETE", "/virtualmachinesnapshots/web-02-nightly", 500),
        ],
    );
    assert!(get(&t, SNAPSHOT_GVR, "web-02-nightly").is_some());
}

#[tokio::test]
async fn a_partial_delete_says_which_snapshots_were_deleted() {
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        name: Some("web-02-nightly".into()),
        ..rule("delete", SNAPSHOTS, 500, Some(1))
    });
    let out = t
        .cmd()
        .args(&["delete", "pre-upgrade-snapshot", "web-02-nightly", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains(
            "note: already deleted: pre-upgrade-snapshot; failed: web-02-nightly; not attempted: none",
        )
        .assert_stderr_contains("error: failed to delete VirtualMachineSnapshot production/web-02-nightly");
}

#[tokio::test]
async fn a_failed_start_after_a_completed_restore_exits_1_and_keeps_the_restore() {
    let t = TestSim::start().await;
    // Stopped beforehand, so the only PUT is the start after the restore.
    stop_in_store(&t, "database-01").await;
    t.sim
        .faults()
        .fail(rule("PUT", "virtualmachines", 409, Some(1)));
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--start-after",
            "--yes",
            "--confirm-name",
            "pre-upgrade-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: failed to start VirtualMachine production/database-01")
        .assert_stderr_contains("Error from server (Conflict): injected conflict");
    let w = crate::kit::writes_besides_snapshots(&t);
    assert!(
        w.len() == 2
            && w[0].method == "POST"
            && w[0].path.ends_with(RESTORES)
            && w[0].status == 201
            && w[1].method == "PUT"
            && w[1].path.ends_with("/database-01/start")
            && w[1].status == 409,
        "{}",
        crate::kit::describe(&w)
    );
}

#[tokio::test]
async fn a_failed_start_after_a_completed_restore_says_the_restore_completed() {
    let t = TestSim::start().await;
    // Stopped beforehand, so the only PUT is the start after the restore.
    stop_in_store(&t, "database-01").await;
    t.sim
        .faults()
        .fail(rule("PUT", "virtualmachines", 409, Some(1)));
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "--start-after",
            "--yes",
            "--confirm-name",
            "pre-upgrade-snapshot",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("completed, but the VM was not started")
        .assert_stderr_contains("virtctl start database-01 -n production");
}

/// Stops `vm` through its spec in the store and waits until it is Stopped.
async fn stop_in_store(t: &TestSim, vm: &str) {
    t.sim
        .store()
        .mutate(
            &Gvr::new(VMS.0, VMS.1, VMS.2),
            Some("production"),
            vm,
            |v| {
                v["spec"]["runStrategy"] = serde_json::json!("Halted");
            },
        )
        .expect("VM updated");
    t.vm_status(vm, "Stopped").await;
}
