//! Transport faults: slow server, closed port, TLS mistakes, a cluster without KubeVirt.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::kit::{assert_no_writes, file};
use crate::support::{TestSim, bare};

/// A kubeconfig for the simulator with `cluster` as the cluster's extra fields.
fn kubeconfig_with(t: &TestSim, name: &str, cluster: &str, token: &str) -> std::path::PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: '{}'\n{cluster}users:\n- name: u\n  user: {{token: {token}}}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u, namespace: production}}\n",
        t.sim.https_url()
    );
    file(t, name, &text)
}

#[tokio::test]
async fn request_timeout_with_a_slow_server_gives_up_promptly_and_writes_nothing() {
    let t = TestSim::start().await;
    t.sim.faults().set_rtt(Duration::from_secs(5));
    let started = Instant::now();
    let out = t
        .cmd()
        .args(&[
            "create",
            "database-01",
            "--yes",
            "--request-timeout",
            "300ms",
        ])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("Unable to connect to the server")
        .assert_stderr_contains("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "--request-timeout 300ms took {:?}",
        started.elapsed()
    );
    t.sim.faults().set_rtt(Duration::ZERO);
    assert_no_writes(&t);
}

#[tokio::test]
async fn an_unreachable_server_reads_like_kubectl() {
    // A port that was just free: nothing listens there.
    let addr = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let t = TestSim::start().await;
    let kc = file(&t, "closed", &bare::kubeconfig(addr));
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(1).assert_stderr_contains(&format!(
        "The connection to the server {addr} was refused - did you specify the right host or port?"
    ));
    assert_eq!(out.stdout, "");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused() {
    let t = TestSim::start().await;
    // The server's own leaf certificate is not a CA: verification must fail.
    let leaf = file(
        &t,
        "leaf.pem",
        include_str!("../sim/src/server/tls/server.pem"),
    );
    let kc = kubeconfig_with(
        &t,
        "wrong-ca",
        &format!("    certificate-authority: '{}'\n", leaf.display()),
        "admin-token",
    );
    t.sim.clear_requests();
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["create", "database-01", "--yes"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stderr_contains("Unable to connect to the server")
        .assert_stderr_contains("invalid peer certificate: UnknownIssuer");
    assert!(t.sim.requests().is_empty(), "a request got through TLS");
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_the_handshake() {
    let addr = bare::serve().await;
    let t = TestSim::start().await;
    let kc = file(
        &t,
        "https-plain",
        &bare::kubeconfig(addr).replace("http://", "https://"),
    );
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("Unable to connect to the server")
        .assert_stderr_contains("InvalidContentType");
    assert_eq!(out.stdout, "");
}

#[tokio::test]
async fn a_cluster_without_any_vm_platform_exits_5_naming_what_was_looked_for() {
    let addr = bare::serve().await;
    let t = TestSim::start().await;
    let kc = file(&t, "bare", &bare::kubeconfig(addr));
    for args in [&["list"][..], &["create", "database-01", "--yes"]] {
        let out = t.cmd().kubeconfig(&kc).args(args).run().await;
        out.assert_code(5)
            .assert_stderr_contains("error: no supported VM snapshot API found on this cluster")
            .assert_stderr_contains(
                "hint: is KubeVirt (or OpenShift Virtualization), VM Operator or Deckhouse \
                 Virtualization installed? Check with: kubectl api-resources | grep -i snapshot",
            );
    }
    // The bare server answers discovery only; the simulator saw nothing.
    assert!(t.sim.requests().is_empty());
}

pub(crate) fn insecure_kubeconfig(t: &TestSim) -> std::path::PathBuf {
    kubeconfig_with(
        t,
        "insecure",
        "    insecure-skip-tls-verify: true\n",
        "admin-token",
    )
}

#[tokio::test]
async fn insecure_skip_tls_verify_in_the_kubeconfig_connects_without_a_ca() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .kubeconfig(&insecure_kubeconfig(&t))
        .args(&["list"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    assert_no_writes(&t);
}
