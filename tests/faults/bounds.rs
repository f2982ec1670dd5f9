//! No request without a bound, no response without a size cap: the plugin against the
//! tests' own hostile server (`hostile_server.rs`). The 30 s defaults themselves are proven
//! by unit tests on a paused clock (`cluster::transport`), so these runs use
//! `--request-timeout` where the default would take 30 s.

use std::time::{Duration, Instant};

use crate::hostile_server::{Hostile, Mode};
use crate::kit::run_bounded;

/// A safety limit: a run still going then has hung.
const LIMIT: Duration = Duration::from_secs(60);

async fn run(server: &Hostile, args: &[&str]) -> (crate::support::Output, Duration) {
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = server.kubeconfig(dir.path(), None);
    let started = Instant::now();
    let out = run_bounded(&kc, args, LIMIT)
        .await
        .unwrap_or_else(|| panic!("`{}` still running after {LIMIT:?}", args.join(" ")));
    (out, started.elapsed())
}

#[tokio::test]
async fn a_server_that_accepts_and_never_answers_is_given_up_at_the_request_timeout() {
    let server = Hostile::start(Mode::AcceptSilent).await;
    let (out, took) = run(&server, &["list", "--request-timeout", "1s"]).await;
    out.assert_code(1).assert_stderr_contains(
        "Unable to connect to the server: ServiceError: the request timed out after 1s (--request-timeout)",
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[tokio::test]
async fn a_server_that_completes_tls_and_never_answers_is_given_up_at_the_request_timeout() {
    let server = Hostile::start(Mode::TlsSilent).await;
    let (out, took) = run(&server, &["list", "--request-timeout", "1s"]).await;
    out.assert_code(1).assert_stderr_contains(
        "Unable to connect to the server: ServiceError: the request timed out after 1s (--request-timeout)",
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // Not asked again: a server that stays silent would only cost the same bound again.
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_body_trickled_at_one_byte_a_second_is_cut_at_the_request_timeout() {
    // Each byte arrives well inside any idle timeout: only a bound on the whole request,
    // body included, ends this.
    let server = Hostile::start(Mode::Trickle).await;
    let (out, took) = run(&server, &["list", "--request-timeout", "3s"]).await;
    out.assert_code(1)
        .assert_stderr_contains("the response was not complete within 3s (--request-timeout)");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[tokio::test]
async fn an_endless_body_with_default_flags_ends_with_the_size_error() {
    let server = Hostile::start(Mode::Endless).await;
    let (out, took) = run(&server, &["list"]).await;
    out.assert_code(1)
        .assert_stderr_contains("is larger than 64 MiB, more than the plugin reads")
        .assert_stderr_contains("hint: is this really the Kubernetes API server?");
    assert!(
        !out.stderr.contains("Unable to connect"),
        "not a connection problem: {}",
        out.stderr
    );
    assert!(took < LIMIT, "took {took:?}");
}

#[tokio::test]
async fn a_certificate_that_fails_verification_is_not_retried() {
    let server = Hostile::start(Mode::TlsSilent).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // The server's own leaf certificate is not a CA: verification must fail.
    let leaf = dir.path().join("leaf.pem");
    std::fs::write(&leaf, include_str!("../sim/src/server/tls/server.pem")).expect("leaf");
    let kc = server.kubeconfig(dir.path(), Some(&leaf));
    let out = run_bounded(&kc, &["list"], LIMIT).await.expect("ends");
    out.assert_code(1)
        .assert_stderr_contains("Unable to connect to the server")
        .assert_stderr_contains("invalid peer certificate: UnknownIssuer");
    assert_eq!(server.connections(), 1, "the handshake was attempted again");
}

#[tokio::test]
async fn a_401_while_following_a_snapshot_says_it_continues_and_how_to_follow_it() {
    // The token expires in the middle of the wait: the watch is refused with 401.
    let t = crate::support::TestSim::start().await;
    t.sim
        .faults()
        .fail(crate::kit::rule("watch", crate::kit::SNAPSHOTS, 401, None));
    let out = t
        .cmd()
        .args(&["create", "stuck-01", "--yes", "--name", "u401"])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains("error: stopped following snapshot u401")
        .assert_stderr_contains("error: You must be logged in to the server (Unauthorized)")
        .assert_stderr_contains(
            "hint: the snapshot continues on the cluster; follow it with: kubectl vmsnap wait u401 -n production",
        )
        .assert_stderr_contains("hint: your credentials were no longer accepted; log in again");
    crate::kit::assert_writes(
        &t,
        &[(
            "POST",
            "/namespaces/production/virtualmachinesnapshots",
            201,
        )],
    );
}

// A wait of each kind ends on its own --timeout with exit 4 (the default --timeout of each
// command is in `docs/cli.md`; the snapshot, safety-snapshot and restore waits are proven by
// `waits::a_wait_that_times_out_exits_4_and_leaves_the_snapshot_running` and the
// integration tests cited in docs/reliability.md).

#[tokio::test]
async fn the_wait_for_a_vm_to_stop_ends_at_its_timeout_with_exit_4() {
    let t = crate::kit::with_overlay("tests/faults/scenario-slow-stop").await;
    t.vm_status("web-02", "Running").await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--yes",
            "--name",
            "to-1",
            "--timeout",
            "1s",
        ])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains(
            "error: timed out after 1s waiting for VM production/web-02 to be Stopped",
        )
        .assert_stderr_contains("start it again with: virtctl start web-02 -n production");
    crate::kit::assert_writes(&t, &[("PUT", "/virtualmachines/web-02/stop", 202)]);
}

#[tokio::test]
async fn the_wait_for_a_deletion_ends_at_its_timeout_with_exit_4() {
    let t = crate::support::TestSim::start().await;
    // A finalizer nobody removes keeps the snapshot in Deleting.
    t.sim
        .store()
        .mutate(
            &vmsnap_sim::Gvr::new(
                crate::support::SNAPSHOTS.0,
                crate::support::SNAPSHOTS.1,
                crate::support::SNAPSHOTS.2,
            ),
            Some("production"),
            "web-02-nightly",
            |s| {
                let mut fins = s["metadata"]["finalizers"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                fins.push("faults.test/hold".into());
                s["metadata"]["finalizers"] = fins.into();
            },
        )
        .expect("finalizer added");
    let out = t
        .cmd()
        .args(&["delete", "web-02-nightly", "--yes", "--timeout", "1s"])
        .run()
        .await;
    out.assert_code(4).assert_stderr_contains("web-02-nightly");
    let w = t.writes();
    assert!(
        w.len() == 1 && w[0].method == "DELETE",
        "{}",
        crate::kit::describe(&w)
    );
}

#[tokio::test]
async fn the_wait_for_a_vm_to_start_ends_at_its_timeout_with_exit_4() {
    let t = crate::kit::with_overlay("tests/faults/scenario-slow-start").await;
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
            "--timeout",
            "2s",
        ])
        .run()
        .await;
    out.assert_code(4)
        .assert_stderr_contains("error: timed out after 2s waiting for VM production/batch-03 to be Running")
        .assert_stderr_contains("note: restore restore-batch-03-20261126-100000 completed, but the VM was not started; start it with: virtctl start batch-03 -n production");
}
