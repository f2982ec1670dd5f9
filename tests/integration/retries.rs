//! Bounded retries, no blind resends of writes, Retry-After, the request timeout and `-v`
//! request logs, proved against the simulator's faults and request log.

use vmsnap_sim::{FaultRule, Gvr, RequestRecord};

use crate::support::{SNAPSHOTS as SNAPSHOT_GVR, TestSim};

const SNAPSHOTS: &str = "virtualmachinesnapshots";
const COLLECTION: &str = "/namespaces/production/virtualmachinesnapshots";

fn rule(method: &str, status: u16, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: Some(method.to_string()),
        resource: Some(SNAPSHOTS.to_string()),
        status,
        times,
        ..FaultRule::default()
    }
}

fn requests(t: &TestSim, method: &str, path_end: &str) -> Vec<RequestRecord> {
    t.sim
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path.ends_with(path_end))
        .collect()
}

fn statuses(records: &[RequestRecord]) -> Vec<u16> {
    records.iter().map(|r| r.status).collect()
}

fn stored(t: &TestSim, name: &str) -> bool {
    let (g, v, r) = SNAPSHOT_GVR;
    t.sim
        .store()
        .get(&Gvr::new(g, v, r), Some("production"), name)
        .is_some()
}

#[tokio::test]
async fn a_read_answered_503_twice_succeeds_on_the_third_attempt() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("get", 503, Some(2)));
    let out = t
        .cmd()
        .args(&["describe", "pre-upgrade-snapshot"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let gets = requests(&t, "GET", "/virtualmachinesnapshots/pre-upgrade-snapshot");
    assert_eq!(
        statuses(&gets)[..3],
        [503, 503, 200],
        "{}",
        out.transcript()
    );
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn a_create_answered_503_is_sent_once_and_says_how_to_check() {
    let t = TestSim::start().await;
    t.sim.faults().fail(rule("create", 503, Some(1)));
    let out = t
        .cmd()
        .args(&[
            "create",
            "database-01",
            "--yes",
            "--name",
            "s503",
            "--no-wait",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("was answered 503 Service Unavailable and was not sent again")
        .assert_stderr_contains("virtualmachinesnapshots.snapshot.kubevirt.io s503 may or may not exist")
        .assert_stderr_contains(
            "hint: check with: kubectl get virtualmachinesnapshots.snapshot.kubevirt.io s503 -n production",
        )
        .assert_stderr_contains("Error from server (ServiceUnavailable)");
    assert_eq!(statuses(&requests(&t, "POST", COLLECTION)), [503]);
}

#[tokio::test]
async fn a_create_answered_429_is_sent_again_after_retry_after_and_made_once() {
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(1),
        ..rule("create", 429, Some(1))
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
    assert_eq!(statuses(&requests(&t, "POST", COLLECTION)), [429, 201]);
    assert!(stored(&t, "s429"));
}

#[tokio::test]
async fn a_retry_after_of_an_hour_gives_up_at_once_and_says_when() {
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(3600),
        ..rule("list", 429, None)
    });
    let out = t.cmd().args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("the API server asked to retry GET https://")
        .assert_stderr_contains("after 3600s (at ")
        .assert_stderr_contains("Error from server (TooManyRequests)");
    assert_eq!(statuses(&requests(&t, "GET", COLLECTION)), [429]);
}

#[tokio::test]
async fn a_retry_that_would_outlast_the_request_timeout_is_not_made() {
    let t = TestSim::start().await;
    t.sim.faults().fail(FaultRule {
        retry_after: Some(2),
        ..rule("list", 429, None)
    });
    let out = t
        .cmd()
        .args(&["list", "--request-timeout", "1s"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("would pass the request timeout")
        .assert_stderr_contains("Error from server (TooManyRequests)");
    assert_eq!(statuses(&requests(&t, "GET", COLLECTION)), [429]);
}

#[tokio::test]
async fn verbosity_6_logs_each_request_with_status_and_time() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-v", "6"]).run().await;
    out.assert_code(0);
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("GET https://127.0.0.1:") && l.contains(COLLECTION))
        .unwrap_or_else(|| panic!("no request line\n{}", out.transcript()));
    assert!(
        line.contains(" 200 OK in ") && line.ends_with(" milliseconds"),
        "{line}"
    );
    assert!(
        !out.stderr.contains("Authorization"),
        "{}",
        out.transcript()
    );
}

#[tokio::test]
async fn verbosity_9_masks_the_bearer_token() {
    let t = TestSim::start().await;
    let token = t.sim.token("admin").expect("admin has a token");
    let out = t.cmd().args(&["list", "-v", "9"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("Request Headers:")
        .assert_stderr_contains("Authorization: Bearer <masked>")
        .assert_stderr_contains("Response Status: 200 OK in ");
    assert!(
        !out.stderr.contains(&token),
        "token in stderr\n{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains(&token),
        "token in stdout\n{}",
        out.stdout
    );
}
