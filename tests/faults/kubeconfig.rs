//! Kubeconfig mistakes: malformed YAML, missing file, missing context, no current context,
//! no kubeconfig at all; and KUBECONFIG with several files, merged as kubectl merges them.

use crate::kit::{assert_no_writes, file};
use crate::support::TestSim;

#[tokio::test]
async fn a_malformed_kubeconfig_names_the_file_and_the_line_and_sends_nothing() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    let kc = file(
        &t,
        "malformed",
        "apiVersion: v1\nkind: Config\nclusters: [ {name: x\n",
    );
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains(&format!(
            "error: failed to read kubeconfig {}",
            kc.display()
        ))
        .assert_stderr_contains("it is not a valid kubeconfig (near line 3)")
        .assert_stderr_contains("hint: check it with: kubectl config view --kubeconfig");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_missing_kubeconfig_file_is_named() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&["list", "--kubeconfig", "/nonexistent/kubeconfig"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: failed to read kubeconfig /nonexistent/kubeconfig")
        .assert_stderr_contains("No such file or directory");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_missing_kubeconfig_file_says_why_once() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["list", "--kubeconfig", "/nonexistent/kubeconfig"])
        .run()
        .await;
    assert_eq!(
        out.stderr.matches("No such file or directory").count(),
        1,
        "{}",
        out.transcript()
    );
}

#[tokio::test]
async fn a_missing_context_is_refused_like_kubectl_before_any_request() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    let out = t
        .cmd()
        .args(&["create", "database-01", "--yes", "--context", "nope"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("error: context \"nope\" does not exist")
        .assert_stderr_contains("hint: list contexts with: kubectl config get-contexts");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_kubeconfig_without_current_context_asks_for_one() {
    let t = TestSim::start().await;
    t.sim.clear_requests();
    let text = std::fs::read_to_string(&t.kubeconfig)
        .expect("kubeconfig")
        .replace("current-context: vmsnap-sim\n", "");
    let kc = file(&t, "no-current", &text);
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("error: current-context is not set in the kubeconfig")
        .assert_stderr_contains("hint: pick one with --context NAME");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn no_kubeconfig_anywhere_says_where_it_looked() {
    let t = TestSim::start().await;
    let out = t.cmd().env("KUBECONFIG", "").args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("error: no kubeconfig found and not running inside a cluster")
        .assert_stderr_contains("hint: point to a kubeconfig with --kubeconfig PATH or KUBECONFIG");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn kubeconfig_with_several_files_merges_them_first_file_wins() {
    let t = TestSim::start().await;
    // The first file only names the context and redefines it with namespace staging; the
    // second (the simulator's) has the cluster, the user and the same context in production.
    let first = file(
        &t,
        "first",
        "apiVersion: v1\nkind: Config\ncurrent-context: vmsnap-sim\ncontexts:\n- name: vmsnap-sim\n  context: {cluster: vmsnap-sim, user: vmsnap-sim, namespace: staging}\n",
    );
    let missing = t.dir.path().join("does-not-exist");
    let list = format!(
        "{}:{}:{}",
        first.display(),
        missing.display(),
        t.kubeconfig.display()
    );
    let out = t.cmd().env("KUBECONFIG", &list).args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stderr_contains("No snapshots found in staging namespace.");
    // In the other order the simulator's context (production) wins.
    let list = format!("{}:{}", t.kubeconfig.display(), first.display());
    let out = t.cmd().env("KUBECONFIG", &list).args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    assert_no_writes(&t);
}
