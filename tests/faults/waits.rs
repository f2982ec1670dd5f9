//! Waits under stress: a dropped watch, 410 Gone, and Ctrl-C (SIGINT) during each wait. The
//! child's stderr is read until a progress line printed from inside the wait appears (`-v 1`
//! prints them without a terminal); only then is the snapshot finished or SIGINT sent.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use vmsnap_sim::{Gvr, Store};

use crate::kit::{RESTORES, SNAPSHOTS, assert_writes, get, watches};
use crate::support::{NOW, Output, SNAPSHOTS as SNAPSHOT_GVR, TestSim, VMS, config};

const SNAPSHOT_PATH: &str = "/namespaces/production/virtualmachinesnapshots";

fn gvr(g: (&str, &str, &str)) -> Gvr {
    Gvr::new(g.0, g.1, g.2)
}

/// Runs the binary; when a stderr line contains `marker`, calls `act` once, then reads the
/// run to its end.
async fn run_acting_at(
    kubeconfig: &Path,
    args: &[&str],
    marker: &str,
    act: impl FnOnce() + Send + 'static,
) -> Output {
    run_acting_at_each(kubeconfig, args, vec![(marker, Box::new(act))]).await
}

/// A step of [`run_acting_at_each`]: a stderr marker and what to do when it appears.
type Step<'a> = (&'a str, Box<dyn FnOnce() + Send>);

/// Runs the binary; calls each step's action once, in order, when a stderr line contains its
/// marker (the next step's marker is looked for only after), then reads the run to its end.
async fn run_acting_at_each(kubeconfig: &Path, args: &[&str], steps: Vec<Step<'_>>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-vmsnap"));
    cmd.args(args)
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("VMSNAP_NOW", NOW)
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut steps: std::collections::VecDeque<(String, Box<dyn FnOnce() + Send>)> = steps
        .into_iter()
        .map(|(m, act)| (m.to_string(), act))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("binary starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
        let mut stderr = String::new();
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).expect("stderr line") == 0 {
                break;
            }
            stderr.push_str(&line);
            if steps
                .front()
                .is_some_and(|(m, _)| line.contains(m.as_str()))
                && let Some((_, act)) = steps.pop_front()
            {
                act();
            }
        }
        lines.read_to_string(&mut stderr).expect("rest of stderr");
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("stdout");
        let status = child.wait().expect("exit");
        Output {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    })
    .await
    .expect("runner thread")
}

/// Marks a stuck snapshot ready, as KubeVirt's controller would.
fn finish(store: Store, name: &'static str) -> impl FnOnce() + Send + 'static {
    move || {
        // As the CSI driver would: the snapshot's VolumeSnapshots cut and ready (KubeVirt, and
        // the simulator, recompute a Succeeded snapshot's readiness from them).
        let content = store
            .get(&gvr(SNAPSHOT_GVR), Some("production"), name)
            .and_then(|s| {
                s["metadata"]["uid"]
                    .as_str()
                    .map(|uid| format!("vmsnapshot-content-{uid}"))
            });
        let vs_gvr = Gvr::new("snapshot.storage.k8s.io", "v1", "volumesnapshots");
        for vs in store.list(&vs_gvr, Some("production")) {
            let owned = vs["metadata"]["ownerReferences"][0]["name"].as_str() == content.as_deref();
            if let (true, Some(vs_name)) = (owned, vs["metadata"]["name"].as_str()) {
                store
                    .mutate(&vs_gvr, Some("production"), vs_name, |v| {
                        v["status"]["creationTime"] = "2026-11-26T10:00:00Z".into();
                        v["status"]["readyToUse"] = true.into();
                    })
                    .expect("volume snapshot ready");
            }
        }
        store
            .mutate(&gvr(SNAPSHOT_GVR), Some("production"), name, |s| {
                s["status"]["phase"] = "Succeeded".into();
                s["status"]["readyToUse"] = true.into();
            })
            .expect("snapshot marked ready");
    }
}

#[tokio::test]
async fn a_watch_dropped_mid_wait_is_resumed_and_the_create_still_succeeds() {
    let t = TestSim::start().await;
    t.sim.faults().drop_watch_after(0);
    let out = run_acting_at(
        &t.kubeconfig,
        &["create", "stuck-01", "--yes", "--name", "w1", "-v", "1"],
        "Snapshot w1: ",
        finish(t.sim.store().clone(), "w1"),
    )
    .await;
    out.assert_code(0).assert_stdout_contains("w1");
    assert!(
        watches(&t, SNAPSHOTS) >= 2,
        "the dropped watch was not resumed: {:?}",
        t.sim.requests()
    );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
}

/// A batch follows its snapshots with one watch of the batch label; a dropped watch is
/// resumed as the single-object one is.
#[tokio::test]
async fn a_batch_watch_dropped_mid_wait_is_resumed_and_the_batch_still_succeeds() {
    let t = TestSim::start().await;
    t.sim.faults().drop_watch_after(0);
    let store = t.sim.store().clone();
    let finish_batch = move || {
        let snapshots = gvr(SNAPSHOT_GVR);
        for s in store.list(&snapshots, Some("production")) {
            let name = s["metadata"]["name"].as_str().unwrap_or("").to_string();
            if name.starts_with("stuck-01-snapshot-") {
                store
                    .mutate(&snapshots, Some("production"), &name, |s| {
                        s["status"]["phase"] = "Succeeded".into();
                        s["status"]["readyToUse"] = true.into();
                    })
                    .expect("snapshot marked ready");
            }
        }
    };
    let out = run_acting_at(
        &t.kubeconfig,
        &["create", "-l", "app=stuck-01", "--yes", "-v", "1"],
        "stuck-01: InProgress",
        finish_batch,
    )
    .await;
    out.assert_code(0)
        .assert_stdout_contains("stuck-01-snapshot-");
    let batch_watches: Vec<_> = t
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with(SNAPSHOT_PATH) && r.query.contains("watch=true"))
        .collect();
    assert!(
        batch_watches.len() >= 2,
        "the dropped watch was not resumed: {batch_watches:?}"
    );
    assert!(
        batch_watches
            .iter()
            .all(|r| r.query.contains("labelSelector=vmsnap.io%2Fbatch%3D")),
        "every watch selects the batch label: {batch_watches:?}"
    );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
}

#[tokio::test]
async fn gone_410_on_the_watch_relists_and_the_create_still_succeeds() {
    let t = TestSim::start().await;
    t.sim.faults().expire_watch_rv();
    let out = run_acting_at(
        &t.kubeconfig,
        &["create", "stuck-01", "--yes", "--name", "g1", "-v", "1"],
        "Snapshot g1: ",
        finish(t.sim.store().clone(), "g1"),
    )
    .await;
    out.assert_code(0).assert_stdout_contains("g1");
    // The 410 arrives as an ERROR event inside the watch (as from a real API server); the
    // watcher must answer it with a fresh list of the object.
    let lists = t
        .sim
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path.ends_with(SNAPSHOT_PATH)
                && r.query.contains("fieldSelector=metadata.name%3Dg1")
                && !r.query.contains("watch=true")
        })
        .count();
    assert!(lists >= 2, "no relist after 410: {:?}", t.sim.requests());
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
}

#[tokio::test]
async fn sigint_while_following_a_snapshot_exits_130_and_leaves_it_running() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "stuck-01", "--yes", "--name", "int-1", "-v", "1"])
        .interrupt_after("Snapshot int-1: ")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("error: stopped following snapshot int-1")
        .assert_stderr_contains(
            "hint: the snapshot continues on the cluster; follow it with: kubectl vmsnap wait int-1 -n production",
        );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
    let snap = get(&t, SNAPSHOT_GVR, "int-1").expect("snapshot still there");
    assert!(snap["metadata"]["deletionTimestamp"].is_null());
}

#[tokio::test]
async fn sigint_while_waiting_for_the_vm_to_stop_exits_130_and_creates_no_snapshot() {
    // The scenario of the other tests, with VMs that take ~1000s to stop.
    let mut cfg = config();
    cfg.scenarios
        .push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/faults/scenario-slow-stop"));
    let t = TestSim::with(cfg).await;
    t.vm_status("web-02", "Running").await;
    let out = t
        .cmd()
        .args(&[
            "create", "web-02", "--stop", "--yes", "--name", "int-2", "-v", "1",
        ])
        .interrupt_after(", waiting for Stopped")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("error: stopped waiting for VM production/web-02 to be Stopped")
        .assert_stderr_contains("hint: check it with: kubectl get vm web-02 -n production");
    assert_writes(&t, &[("PUT", "/virtualmachines/web-02/stop", 202)]);
    assert!(get(&t, SNAPSHOT_GVR, "int-2").is_none());
    // The stop request stays in effect on the server.
    let vm = get(&t, VMS, "web-02").expect("vm");
    assert_ne!(vm["spec"]["runStrategy"], "Always", "{vm}");
}

#[tokio::test]
async fn sigint_while_following_a_deletion_exits_130_and_the_deletion_continues() {
    let t = TestSim::start().await;
    // A finalizer nobody removes keeps the snapshot in Deleting.
    t.sim
        .store()
        .mutate(
            &gvr(SNAPSHOT_GVR),
            Some("production"),
            "web-02-nightly",
            |s| {
                let fins = s["metadata"]["finalizers"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let mut fins = fins;
                fins.push("faults.test/hold".into());
                s["metadata"]["finalizers"] = fins.into();
            },
        )
        .expect("finalizer added");
    let out = t
        .cmd()
        .args(&["delete", "web-02-nightly", "--yes", "-v", "1"])
        .interrupt_after("Deleting snapshot web-02-nightly: ")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("error: stopped following the deletion of snapshot web-02-nightly");
    let deletes: Vec<_> = t.writes();
    assert_eq!(deletes.len(), 1, "{}", crate::kit::describe(&deletes));
    assert_eq!(deletes[0].method, "DELETE");
    let snap = get(&t, SNAPSHOT_GVR, "web-02-nightly").expect("still there, being deleted");
    assert!(snap["metadata"]["deletionTimestamp"].is_string());
}

#[tokio::test]
async fn sigint_while_following_a_restore_exits_130_and_the_restore_stays() {
    let t = TestSim::start().await;
    // legacy-04's restores never finish (scenario); give it a ready snapshot first.
    crate::kit::ready_snapshot(&t, "legacy-snap", "legacy-04").await;
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
            "-v",
            "1",
        ])
        .interrupt_after("Restoring VM legacy-04: ")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("error: stopped following restore")
        .assert_stderr_contains("do not start the VM until the restore completes");
    let w = crate::kit::writes_besides_snapshots(&t);
    assert!(
        w.len() == 1 && w[0].method == "POST" && w[0].path.ends_with(RESTORES),
        "{}",
        crate::kit::describe(&w)
    );
    let restores = t.sim.store().list(
        &Gvr::new("snapshot.kubevirt.io", "v1beta1", RESTORES),
        Some("production"),
    );
    assert_eq!(restores.len(), 1, "the restore object stays on the server");
}

#[tokio::test]
async fn a_snapshot_that_fails_while_followed_exits_1_with_the_reason() {
    let t = TestSim::start().await;
    // The scenario fails any snapshot named failed-snapshot ("freeze failed"): free the name.
    let g = gvr(SNAPSHOT_GVR);
    t.sim
        .store()
        .mutate(&g, Some("production"), "failed-snapshot", |s| {
            s["metadata"]["finalizers"] = serde_json::json!([]);
        })
        .expect("finalizers cleared");
    let _ = t
        .sim
        .store()
        .delete(&g, Some("production"), "failed-snapshot");
    assert!(get(&t, SNAPSHOT_GVR, "failed-snapshot").is_none());
    let out = t
        .cmd()
        .args(&["create", "batch-03", "--yes", "--name", "failed-snapshot"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: snapshot failed-snapshot failed: freeze failed")
        .assert_stderr_contains("hint: see: kubectl vmsnap describe failed-snapshot -n production");
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
}

#[tokio::test]
async fn a_wait_that_times_out_exits_4_and_leaves_the_snapshot_running() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "stuck-01",
            "--yes",
            "--name",
            "slow-1",
            "--timeout",
            "1s",
        ])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains("error: timed out after 1s waiting for snapshot slow-1 to become ready")
        .assert_stderr_contains(
            "hint: the snapshot continues on the cluster; follow it with: kubectl vmsnap wait slow-1 -n production",
        );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
    assert!(get(&t, SNAPSHOT_GVR, "slow-1").is_some());
}

#[tokio::test]
async fn sigint_while_waiting_for_the_vm_to_stop_says_how_to_start_it_again() {
    let mut cfg = config();
    cfg.scenarios
        .push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/faults/scenario-slow-stop"));
    let t = TestSim::with(cfg).await;
    t.vm_status("web-02", "Running").await;
    let out = t
        .cmd()
        .args(&[
            "create", "web-02", "--stop", "--yes", "--name", "int-3", "-v", "1",
        ])
        .interrupt_after(", waiting for Stopped")
        .await;
    out.assert_code(130)
        .assert_stderr_contains(
            "hint: no snapshot was taken; the VM was asked to stop, start it again with: virtctl start web-02 -n production",
        );
}

#[tokio::test]
async fn sigint_while_waiting_for_the_vm_to_start_after_a_restore_exits_130() {
    let mut cfg = config();
    cfg.scenarios
        .push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/faults/scenario-slow-start"));
    let t = TestSim::with(cfg).await;
    crate::kit::ready_snapshot(&t, "batch-snap", "batch-03").await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "batch-03",
            "--snapshot",
            "batch-snap",
            "--start-after",
            "--yes",
            "--confirm-name",
            "batch-snap",
            "-v",
            "1",
        ])
        .interrupt_after(", waiting for Running")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("error: stopped waiting for VM production/batch-03 to be Running")
        .assert_stderr_contains("hint: check it with: kubectl get vm batch-03 -n production");
    let w = crate::kit::writes_besides_snapshots(&t);
    assert!(
        w.len() == 2
            && w[0].method == "POST"
            && w[0].path.ends_with(RESTORES)
            && w[1].method == "PUT"
            && w[1].path.ends_with("/batch-03/start"),
        "{}",
        crate::kit::describe(&w)
    );
    // The start request stays in effect on the server.
    let vm = get(&t, VMS, "batch-03").expect("vm");
    assert_ne!(vm["spec"]["runStrategy"], "Halted", "{vm}");
}

#[tokio::test]
async fn a_request_timeout_shorter_than_the_wait_reconnects_the_watch_until_the_wait_times_out() {
    // --request-timeout bounds each request, idle watches included: the wait must reconnect
    // (from the last resourceVersion) and still end on its own --timeout, with exit 4.
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "stuck-01",
            "--yes",
            "--name",
            "rt-1",
            "--timeout",
            "1500ms",
            "--request-timeout",
            "300ms",
        ])
        .run()
        .await;
    out.assert_code(4).assert_stderr_contains(
        "error: timed out after 1s waiting for snapshot rt-1 to become ready",
    );
    assert!(watches(&t, SNAPSHOTS) >= 2, "{:?}", t.sim.requests());
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
}

#[tokio::test]
async fn sigint_between_two_waits_is_not_lost() {
    // The VM-stop wait registers the handler; the create then meets a 429 with Retry-After 2
    // and pauses outside any wait. Its -v 6 log line is printed before the pause: SIGINT then.
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        retry_after: Some(2),
        ..crate::kit::rule("create", SNAPSHOTS, 429, Some(1))
    });
    let out = t
        .cmd()
        .args(&[
            "create", "web-02", "--stop", "--yes", "--name", "cc-1", "-v", "6",
        ])
        .interrupt_after(" 429 Too Many Requests")
        .await;
    out.assert_code(130)
        .assert_stderr_contains("virtctl start web-02 -n production");
    assert_writes(
        &t,
        &[
            ("PUT", "/virtualmachines/web-02/stop", 202),
            ("POST", SNAPSHOT_PATH, 429),
        ],
    );
}

#[tokio::test]
async fn service_unavailable_on_the_watch_is_retried_and_the_create_still_succeeds() {
    let t = TestSim::start().await;
    t.sim
        .faults()
        .fail(crate::kit::rule("watch", SNAPSHOTS, 503, Some(2)));
    let out = run_acting_at(
        &t.kubeconfig,
        &["create", "stuck-01", "--yes", "--name", "w503", "-v", "1"],
        "Snapshot w503: ",
        finish(t.sim.store().clone(), "w503"),
    )
    .await;
    out.assert_code(0).assert_stdout_contains("w503");
    let statuses: Vec<u16> = t
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(SNAPSHOT_PATH) && r.query.contains("watch=true"))
        .map(|r| r.status)
        .collect();
    assert!(
        statuses.len() >= 3 && statuses[..2] == [503, 503],
        "{statuses:?}"
    );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
}

#[tokio::test]
async fn create_stop_start_after_waits_until_no_snapshot_holds_the_vm_before_starting_it() {
    let t = TestSim::start().await;
    t.sim
        .store()
        .mutate(&gvr(VMS), Some("production"), "stuck-01", |vm| {
            vm["spec"]["runStrategy"] = "Always".into();
        })
        .expect("started");
    t.vm_status("stuck-01", "Running").await;
    let store = t.sim.store().clone();
    let hold = move |holder: Option<&'static str>| {
        let store = store.clone();
        move || {
            store
                .mutate(&gvr(VMS), Some("production"), "stuck-01", |vm| {
                    vm["status"]["snapshotInProgress"] =
                        holder.map_or(serde_json::Value::Null, Into::into);
                })
                .expect("vm held");
        }
    };
    let finish_and_pass_on = {
        let finish = finish(t.sim.store().clone(), "held-1");
        let taken = hold(Some("nightly-stuck-01"));
        move || {
            // The snapshot succeeds; a scheduled one takes the VM next, as KubeVirt's lock allows.
            finish();
            taken();
        }
    };
    let out = run_acting_at_each(
        &t.kubeconfig,
        &[
            "create",
            "stuck-01",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "held-1",
            "-v",
            "1",
        ],
        vec![
            ("Snapshot held-1: ", Box::new(finish_and_pass_on)),
            (
                "VM stuck-01: held by snapshot nightly-stuck-01, waiting for it to let go",
                Box::new(hold(None)),
            ),
        ],
    )
    .await;
    out.assert_code(0);
    let starts: Vec<_> = t
        .writes()
        .into_iter()
        .filter(|w| w.path.ends_with("/virtualmachines/stuck-01/start"))
        .map(|w| w.status)
        .collect();
    assert_eq!(starts, [202], "one start, sent once the VM was free");
    let vm = get(&t, VMS, "stuck-01").expect("vm");
    assert_eq!(vm["spec"]["runStrategy"], "Always");
}

#[tokio::test]
async fn a_start_refused_after_the_snapshot_says_the_snapshot_is_taken_and_how_to_start() {
    let t = TestSim::start().await;
    t.sim
        .store()
        .mutate(&gvr(VMS), Some("production"), "stuck-01", |vm| {
            vm["spec"]["runStrategy"] = "Always".into();
        })
        .expect("started");
    t.vm_status("stuck-01", "Running").await;
    let finish = finish(t.sim.store().clone(), "held-2");
    // The stop is done once the snapshot is followed: the test then makes the next PUT (the
    // start) fail, and only after that lets the snapshot succeed.
    let (asked, ask) = std::sync::mpsc::channel::<()>();
    let (armed, done) = std::sync::mpsc::channel::<()>();
    let refuse_the_start = move || {
        asked.send(()).expect("test listens");
        done.recv().expect("fault armed");
        finish();
    };
    let faults = async {
        tokio::task::spawn_blocking(move || ask.recv())
            .await
            .expect("waiter")
            .expect("asked");
        t.sim.faults().fail(vmsnap_sim::FaultRule {
            method: Some("PUT".into()),
            resource: Some("virtualmachines".into()),
            name: Some("stuck-01".into()),
            status: 500,
            times: Some(1),
            ..Default::default()
        });
        armed.send(()).expect("runner waits");
    };
    let out = run_acting_at(
        &t.kubeconfig,
        &[
            "create",
            "stuck-01",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "held-2",
            "-v",
            "1",
        ],
        "Snapshot held-2: ",
        refuse_the_start,
    );
    let (out, ()) = tokio::join!(out, faults);
    out.assert_code(1)
        .assert_stderr_contains("error: failed to start VM production/stuck-01 after the snapshot: ")
        .assert_stderr_contains(
            "hint: snapshot held-2 is taken; the VM is still stopped; start it with: virtctl start stuck-01 -n production",
        );
}
