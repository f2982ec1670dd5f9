//! Hostile input and output (issue 12): names that would change the request path, a proxy
//! that rewrites paths or answers by itself, escape sequences in server strings, secrets of
//! credential plugins and proxy URLs, and the smaller kubectl conventions (token files,
//! User-Agent, HTML pages, foreign JSON errors). docs/reliability.md, "Hostile input and
//! output".

use std::path::PathBuf;

use vmsnap_sim::Gvr;

use crate::kit::{SNAPSHOTS, assert_no_writes, describe, file, get, requests, run_bounded};
use crate::proxy::{Action, Proxy};
use crate::support::{SNAPSHOTS as SNAPSHOT_GVR, TestSim, VMS};

/// Runs the binary as admin through `proxy`.
async fn through(proxy: &Proxy, t: &TestSim, args: &[&str]) -> crate::support::Output {
    let kc = proxy.kubeconfig(t, "admin");
    t.cmd().kubeconfig(&kc).args(args).run().await
}

/// Every output a run produced, for "never contains" checks.
fn all(out: &crate::support::Output) -> String {
    format!("{}{}", out.stdout, out.stderr)
}

/// Fails if `text` holds ESC or any other control character a terminal would act on.
#[track_caller]
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(
        bad.is_empty(),
        "{what} carries control characters {bad:?}:\n{text:?}"
    );
}

// ---- 1. A positional name acts on another object ------------------------------------------

#[tokio::test]
async fn names_that_would_change_the_request_path_are_refused_before_any_request() {
    let t = TestSim::start().await;
    let cases: [&[&str]; 8] = [
        &[
            "delete",
            "-n",
            "production",
            "--yes",
            "--",
            "pre-upgrade-snapshot#zzz",
        ],
        &["delete", "--yes", "--", "web-02-nightly?dryRun=All"],
        &["create", "--yes", "--", "batch-03#x"],
        &[
            "describe",
            "--",
            "../../../../../kubevirt.io/v1/namespaces/production/virtualmachines/web-02",
        ],
        &[
            "restore",
            "web-02",
            "--snapshot",
            "web-02-nightly/../x",
            "--yes",
        ],
        &[
            "clone",
            "pre-upgrade-snapshot%2F..",
            "--to",
            "copy-01",
            "--yes",
        ],
        &["list", "-n", "production/../staging"],
        &["list", "Web-02"],
    ];
    for args in cases {
        let out = t.cmd().args(args).run().await;
        out.assert_code(2).assert_stderr_contains("is not a valid");
        assert!(
            t.sim.requests().is_empty(),
            "{args:?} sent requests:\n{}",
            describe(&t.sim.requests())
        );
    }
    // A kubeconfig context's namespace is held to the same rule.
    let text = std::fs::read_to_string(&t.kubeconfig).expect("kubeconfig");
    let bent = text.replace(
        "namespace: \"production\"",
        "namespace: \"production/../staging\"",
    );
    assert_ne!(bent, text, "the kubeconfig names its namespace");
    let kc = file(&t, "bad-namespace", &bent);
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(2).assert_stderr_contains(
        "error: the kubeconfig context's namespace: \"production/../staging\" is not a valid \
         namespace name",
    );
    assert!(t.sim.requests().is_empty());
    // The objects the names started with are untouched.
    assert!(get(&t, SNAPSHOT_GVR, "pre-upgrade-snapshot").is_some());
    assert!(get(&t, SNAPSHOT_GVR, "web-02-nightly").is_some());
    let snaps = t
        .sim
        .store()
        .count(&Gvr::new(SNAPSHOT_GVR.0, SNAPSHOT_GVR.1, SNAPSHOT_GVR.2));
    assert_eq!(snaps, 3, "no snapshot was created or deleted");
}

#[tokio::test]
async fn a_dot_dot_name_through_a_normalising_proxy_is_refused_without_a_request() {
    let t = TestSim::start().await;
    let proxy = Proxy::normalising(t.sim.addr());
    let out = through(
        &proxy,
        &t,
        &[
            "describe",
            "--",
            "../../../../../kubevirt.io/v1/namespaces/production/virtualmachines/web-02",
        ],
    )
    .await;
    out.assert_code(2)
        .assert_stderr_contains("is not a valid Kubernetes name");
    assert_eq!(out.stdout, "");
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert!(t.sim.requests().is_empty());
}

/// A proxy that sends every request for snapshot `from` to VM `to` instead.
fn rewriting_proxy(t: &TestSim, from: &'static str, to: &'static str) -> Proxy {
    Proxy::start(t.sim.addr(), move |_, target| {
        let path = target.split('?').next().unwrap_or(target);
        if path.ends_with(&format!("/{SNAPSHOTS}/{from}")) {
            Action::Forward(format!(
                "/apis/kubevirt.io/v1/namespaces/production/virtualmachines/{to}"
            ))
        } else {
            Action::Forward(target.to_string())
        }
    })
}

#[tokio::test]
async fn a_proxy_answering_with_another_object_is_refused_by_the_identity_check() {
    let t = TestSim::start().await;
    let proxy = rewriting_proxy(&t, "pre-upgrade-snapshot", "database-01");
    let out = through(&proxy, &t, &["describe", "pre-upgrade-snapshot"]).await;
    out.assert_code(1).assert_stderr_contains(
        "error: asked the API server for VirtualMachineSnapshot production/pre-upgrade-snapshot \
         (snapshot.kubevirt.io/v1beta1) and got VirtualMachine production/database-01 \
         (kubevirt.io/v1) instead; refusing to act on it",
    );
    out.assert_stderr_contains("hint: something between you and the API server");
    assert_eq!(out.stdout, "", "nothing was rendered as a snapshot");
    // The proxy really sent the read to the VM.
    assert!(!requests(&t, "GET", "/virtualmachines/database-01").is_empty());

    // A delete through it stops at the same check: nothing is deleted.
    let out = through(&proxy, &t, &["delete", "pre-upgrade-snapshot", "--yes"]).await;
    out.assert_code(1)
        .assert_stderr_contains("and got VirtualMachine production/database-01");
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, "pre-upgrade-snapshot").is_some());
    assert!(get(&t, VMS, "database-01").is_some());
}

#[tokio::test]
async fn a_delete_answered_404_never_says_deleted() {
    let t = TestSim::start().await;
    // Reads reach the snapshot; the DELETE is sent on to a name that does not exist.
    let proxy = Proxy::start(t.sim.addr(), |method, target| {
        if method == "DELETE" {
            Action::Forward(target.replace("/web-02-nightly", "/web-02-nightly-elsewhere"))
        } else {
            Action::Forward(target.to_string())
        }
    });
    let out = through(&proxy, &t, &["delete", "web-02-nightly", "--yes"]).await;
    out.assert_code(5).assert_stderr_contains(
        "error: snapshot production/web-02-nightly was not found when deleting it (answer \
         404): this command deleted nothing",
    );
    assert!(!all(&out).contains(" deleted\n"), "{}", out.transcript());
    assert!(!out.stdout.contains("deleted"), "{}", out.transcript());
    let w = t.writes();
    assert!(
        w.len() == 1 && w[0].method == "DELETE" && w[0].status == 404,
        "{}",
        describe(&w)
    );
    assert!(get(&t, SNAPSHOT_GVR, "web-02-nightly").is_some());
}

#[tokio::test]
async fn a_delete_answered_404_never_says_deleted_on_vm_operator() {
    let t = TestSim::vmoperator().await;
    let proxy = Proxy::start(t.sim.addr(), |method, target| {
        if method == "DELETE" {
            Action::Forward(target.replace("/web-01-hotfix", "/web-01-hotfix-elsewhere"))
        } else {
            Action::Forward(target.to_string())
        }
    });
    let kc = proxy.kubeconfig_in(&t, "admin", "dev-team");
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["delete", "web-01-hotfix", "--yes"])
        .run()
        .await;
    out.assert_code(5).assert_stderr_contains(
        "error: snapshot dev-team/web-01-hotfix was not found when deleting it (answer 404): \
         this command deleted nothing",
    );
    assert!(!out.stdout.contains("deleted"), "{}", out.transcript());
    let w = t.writes();
    assert!(
        w.len() == 1 && w[0].method == "DELETE" && w[0].status == 404,
        "{}",
        describe(&w)
    );
    let gvr = Gvr::new("vmoperator.vmware.com", "v1alpha5", SNAPSHOTS);
    assert!(
        t.sim
            .store()
            .get(&gvr, Some("dev-team"), "web-01-hotfix")
            .is_some()
    );
}

/// `prune -l` reads the selected VMs for their names; a list answer whose items have no
/// name (one has no metadata at all), from a broken server or proxy, selects no VM. A nameless
/// VM must not stand for the snapshots that name no VM: they would be planned and deleted.
#[tokio::test]
async fn prune_by_a_selector_never_takes_a_nameless_vm_for_the_snapshots_naming_no_vm() {
    let t = TestSim::start().await;
    let gvr = Gvr::new(SNAPSHOT_GVR.0, SNAPSHOT_GVR.1, SNAPSHOT_GVR.2);
    for (name, created) in [
        ("sourceless-old", "2026-11-01T00:00:00Z"),
        ("sourceless-new", "2026-11-02T00:00:00Z"),
    ] {
        let snap = serde_json::json!({
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": {"name": name, "namespace": "production", "creationTimestamp": created},
            "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine"}},
            "status": {"phase": "Succeeded", "readyToUse": true},
        });
        t.sim.store().create(&gvr, snap).expect("planted");
    }
    let nameless = serde_json::json!({
        "kind": "VirtualMachineList", "apiVersion": "kubevirt.io/v1",
        "metadata": {"resourceVersion": "1"},
        "items": [{"metadata": {"namespace": "production"}}, {"spec": {}}],
    })
    .to_string();
    let proxy = Proxy::start(t.sim.addr(), move |method, target| {
        let path = target.split('?').next().unwrap_or(target);
        if method == "GET" && path.ends_with("/namespaces/production/virtualmachines") {
            Action::Answer {
                status: 200,
                content_type: "application/json",
                body: nameless.clone(),
            }
        } else {
            Action::Forward(target.to_string())
        }
    });
    let args = [
        "prune", "-l", "app=any", "--keep", "1", "--yes", "-o", "json",
    ];
    let out = through(&proxy, &t, &args).await;
    out.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        (&plan["delete"], &plan["keep"]),
        (&serde_json::json!([]), &serde_json::json!([])),
        "no VM was selected, so no snapshot is planned:\n{}",
        out.stdout
    );
    assert_no_writes(&t);
    assert!(get(&t, SNAPSHOT_GVR, "sourceless-old").is_some());
}

// ---- 7. Credentials in error output ------------------------------------------------------

const ENV_SECRET: &str = "env-s3cret-value-91";
const ARG_SECRET: &str = "arg-s3cret-value-92";
const STDOUT_SECRET: &str = "stdout-s3cret-value-93";
const PROXY_SECRET: &str = "proxy-s3cret-value-94";
const SERVER_SECRET: &str = "server-s3cret-value-95";

/// An executable shell script `name` in the test's directory.
fn script(t: &TestSim, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let p = file(t, name, &format!("#!/bin/sh\n{body}"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}

/// A kubeconfig reaching the simulator as `user` with `user_yaml` as the user's fields,
/// and `cluster_extra` added to the cluster's.
fn kubeconfig_with_user(t: &TestSim, name: &str, user_yaml: &str, cluster_extra: &str) -> PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: '{}'\n    insecure-skip-tls-verify: true\n{cluster_extra}users:\n- name: u\n  user:\n{user_yaml}contexts:\n- name: c\n  context: {{cluster: c, user: u, namespace: production}}\n",
        t.sim.https_url()
    );
    file(t, name, &text)
}

/// The bearer token of the simulator's admin user.
fn admin_token(t: &TestSim) -> String {
    t.sim.token("admin").expect("admin has a token")
}

#[tokio::test]
async fn a_failing_credential_plugin_shows_its_message_and_name_only() {
    let t = TestSim::start().await;
    let plugin = script(
        &t,
        "corp-auth",
        &format!(
            "echo '{{\"token\": \"{STDOUT_SECRET}\", \"env\": \"'\"$CORP_SECRET\"'\"}}'\n\
             echo \"$KUBERNETES_EXEC_INFO\"\n\
             echo 'error: your session expired, run corp-login' >&2\nexit 3\n"
        ),
    );
    let user = format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      args: [\"--client-secret={ARG_SECRET}\"]\n      env:\n      - {{name: CORP_SECRET, value: {ENV_SECRET}}}\n",
        plugin.display()
    );
    let kc = kubeconfig_with_user(&t, "exec-fails", &user, "");
    for v in ["0", "6", "9"] {
        let out = t.cmd().kubeconfig(&kc).args(&["list", "-v", v]).run().await;
        out.assert_code(1).assert_stderr_contains(
            "the credential plugin corp-auth failed (exit status 3): error: your session \
             expired, run corp-login",
        );
        out.assert_stderr_contains("hint: run corp-auth yourself to see why");
        let text = all(&out);
        for secret in [
            ENV_SECRET,
            ARG_SECRET,
            STDOUT_SECRET,
            "KUBERNETES_EXEC_INFO",
            "ExecCredential",
        ] {
            assert!(!text.contains(secret), "-v {v} leaks {secret:?}:\n{text}");
        }
    }
    assert!(
        t.sim.requests().is_empty(),
        "no request without credentials"
    );
}

#[tokio::test]
async fn a_plugin_without_a_terminal_is_told_it_cannot_prompt() {
    let t = TestSim::start().await;
    let seen = t.dir.path().join("exec-info");
    let plugin = script(
        &t,
        "corp-auth-ok",
        &format!(
            "echo \"$KUBERNETES_EXEC_INFO\" > {}\n\
             echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            seen.display(),
            admin_token(&t)
        ),
    );
    let user = format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: IfAvailable\n",
        plugin.display()
    );
    let kc = kubeconfig_with_user(&t, "exec-ok", &user, "");
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&seen).expect("plugin ran")).expect("json");
    assert_eq!(info["spec"]["interactive"], false, "{info}");
    assert_no_writes(&t);
}

/// A kubeconfig whose user logs in with the exec plugin `plugin` (not interactive: the
/// tests' stdin is not a terminal).
fn exec_kubeconfig(t: &TestSim, name: &str, plugin: &std::path::Path) -> PathBuf {
    let user = format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: IfAvailable\n",
        plugin.display()
    );
    kubeconfig_with_user(t, name, &user, "")
}

/// Runs `list --request-timeout 2s` with the kubeconfig of a plugin `name` that never
/// answers, and checks it ends with the plugin's timeout error (exit 1).
async fn list_with_a_stuck_plugin(kc: &std::path::Path, name: &str) -> crate::support::Output {
    // The limit only keeps a regression from hanging the suite.
    let out = run_bounded(
        kc,
        &["list", "--request-timeout", "2s"],
        std::time::Duration::from_secs(60),
    )
    .await
    .expect("the command ends although the plugin never answers");
    out.assert_code(1).assert_stderr_contains(&format!(
        "error: the credential plugin {name} did not answer within 2s (--request-timeout)"
    ));
    out
}

#[tokio::test]
async fn a_credential_plugin_that_never_answers_is_killed_at_the_request_timeout() {
    let t = TestSim::start().await;
    let pid_file = t.dir.path().join("plugin-pid");
    // `exec`: the pid written is the process that hangs.
    let plugin = script(
        &t,
        "stuck-auth",
        &format!("echo $$ > {}\nexec sleep 1000\n", pid_file.display()),
    );
    let kc = exec_kubeconfig(&t, "exec-stuck", &plugin);
    let out = list_with_a_stuck_plugin(&kc, "stuck-auth").await;
    out.assert_stderr_contains("hint: run stuck-auth yourself");
    out.assert_stderr_contains("--request-timeout");
    assert!(
        t.sim.requests().is_empty(),
        "no request without credentials"
    );
    let pid = std::fs::read_to_string(&pid_file).expect("the plugin ran");
    let stat = format!("/proc/{}/stat", pid.trim());
    // SIGKILL was sent before the command exited; the kernel may take a moment to mark it
    // dead. Gone, or a zombie waiting for init to reap it, both mean it no longer runs.
    let dead = (0..500).any(|_| {
        let state = std::fs::read_to_string(&stat).unwrap_or_default();
        let dead = state.is_empty() || state.contains(") Z ") || state.contains(") X ");
        if !dead {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        dead
    });
    assert!(dead, "the plugin still runs: {stat}");
}

#[tokio::test]
async fn a_plugin_that_hangs_when_its_token_is_renewed_ends_the_request_once() {
    let t = TestSim::start().await;
    let runs = t.dir.path().join("runs");
    // The first run answers with a token that has expired; the next one never answers.
    let plugin = script(
        &t,
        "corp-auth-renew",
        &format!(
            "if [ -e {runs} ]; then echo run >> {runs}; exec sleep 1000; fi\n\
             echo run >> {runs}\n\
             echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\",\"expirationTimestamp\":\"2020-01-01T00:00:00Z\"}}}}'\n",
            admin_token(&t),
            runs = runs.display(),
        ),
    );
    let kc = exec_kubeconfig(&t, "exec-renew", &plugin);
    list_with_a_stuck_plugin(&kc, "corp-auth-renew")
        .await
        .assert_stderr_contains("hint: run corp-auth-renew yourself");
    assert!(
        t.sim.requests().is_empty(),
        "no request without credentials"
    );
    let ran = std::fs::read_to_string(&runs)
        .expect("plugin ran")
        .lines()
        .count();
    assert_eq!(
        ran, 2,
        "start-up, then one renewal: a plugin that timed out is not retried"
    );
}

#[tokio::test]
async fn a_plugin_token_is_kept_until_it_expires_then_fetched_again() {
    for (expiry, fresh) in [
        ("2999-01-01T00:00:00Z", true),
        ("2020-01-01T00:00:00Z", false),
    ] {
        let t = TestSim::start().await;
        let runs = t.dir.path().join("runs");
        let plugin = script(
            &t,
            "corp-auth-expiring",
            &format!(
                "echo run >> {}\n\
                 echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\",\"expirationTimestamp\":\"{expiry}\"}}}}'\n",
                runs.display(),
                admin_token(&t)
            ),
        );
        let kc = exec_kubeconfig(&t, "exec-expiring", &plugin);
        let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
        out.assert_code(0)
            .assert_stdout_contains("pre-upgrade-snapshot");
        let sent = t.sim.requests().len();
        assert!(sent >= 2, "list sends several requests ({sent})");
        let ran = std::fs::read_to_string(&runs)
            .expect("plugin ran")
            .lines()
            .count();
        // Once at start-up; an expired token once more before each request.
        let expected = if fresh { 1 } else { 1 + sent };
        assert_eq!(ran, expected, "expiry {expiry}: {sent} requests");
        assert_no_writes(&t);
    }
}

#[tokio::test]
async fn a_plugin_client_certificate_is_used_for_tls_and_the_plugin_runs_once() {
    let t = TestSim::start().await;
    let (user, _groups, cert, key) = vmsnap_sim::server::tls::CLIENT_CERTS
        .iter()
        .find(|c| c.0 == "alice")
        .expect("alice's certificate");
    let answer = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"clientCertificateData": cert, "clientKeyData": key},
    });
    let answer_file = file(&t, "exec-answer.json", &answer.to_string());
    let runs = t.dir.path().join("runs");
    let plugin = script(
        &t,
        "corp-auth-cert",
        &format!(
            "echo run >> {}\ncat {}\n",
            runs.display(),
            answer_file.display()
        ),
    );
    let kc = exec_kubeconfig(&t, "exec-cert", &plugin);
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let requests = t.sim.requests();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|r| r.user == *user),
        "every request as {user}"
    );
    let ran = std::fs::read_to_string(&runs)
        .expect("plugin ran")
        .lines()
        .count();
    assert_eq!(ran, 1, "a certificate is fetched once per run");
    assert_no_writes(&t);
}

#[tokio::test]
async fn passwords_in_proxy_and_server_urls_are_never_printed() {
    let t = TestSim::start().await;
    let token = admin_token(&t);
    let user = format!("    token: {token}\n");
    // A proxy URL with a password (nothing listens there): the refused connection names the
    // proxy without its credentials.
    let kc = kubeconfig_with_user(
        &t,
        "proxied",
        &user,
        &format!("    proxy-url: http://alice:{PROXY_SECRET}@127.0.0.1:3128\n"),
    );
    for v in ["0", "9"] {
        let out = t.cmd().kubeconfig(&kc).args(&["list", "-v", v]).run().await;
        out.assert_code(1)
            .assert_stderr_contains("through the proxy http://<masked>@127.0.0.1:3128");
        assert!(!all(&out).contains(PROXY_SECRET), "{}", out.transcript());
        assert!(!all(&out).contains("alice"), "{}", out.transcript());
    }
    // A server URL with user:password works, and its logs and errors mask them.
    let text = std::fs::read_to_string(&kc).expect("kubeconfig");
    let with_userinfo = text
        .replace(
            &format!("    proxy-url: http://alice:{PROXY_SECRET}@127.0.0.1:3128\n"),
            "",
        )
        .replace("https://", &format!("https://bob:{SERVER_SECRET}@"));
    let kc = file(&t, "userinfo", &with_userinfo);
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["list", "-v", "9"])
        .run()
        .await;
    assert!(!all(&out).contains(SERVER_SECRET), "{}", out.transcript());
    out.assert_stderr_contains("https://<masked>@127.0.0.1:");
    t.sim
        .faults()
        .fail(crate::kit::rule("GET", SNAPSHOTS, 500, None));
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["describe", "web-02-nightly", "-v", "6"])
        .run()
        .await;
    out.assert_code(1);
    assert!(!all(&out).contains(SERVER_SECRET), "{}", out.transcript());
    assert_no_writes(&t);
}

// ---- 8. Terminal escape injection --------------------------------------------------------

/// A status message that would clear the line, set the window title, and draw a fake line.
const HOSTILE: &str = "boom\u{1b}[2K\r\u{1b}]0;owned\u{7}\u{1b}[32mrestore completed OK\u{1b}[0m\u{9b}1A\u{7f}\nrestore completed OK";

#[tokio::test]
async fn escape_sequences_from_the_server_never_reach_the_terminal_on_kubevirt() {
    let t = TestSim::start().await;
    let gvr = Gvr::new(SNAPSHOT_GVR.0, SNAPSHOT_GVR.1, SNAPSHOT_GVR.2);
    t.sim
        .store()
        .mutate(&gvr, Some("production"), "failed-snapshot", |o| {
            o["status"]["error"]["message"] = HOSTILE.into();
            o["metadata"]["annotations"]["vmsnap.io/note"] = HOSTILE.into();
            if let Some(conds) = o["status"]["conditions"].as_array_mut() {
                for c in conds {
                    c["message"] = HOSTILE.into();
                    c["reason"] = "Bad\u{1b}[5mReason".into();
                }
            }
        })
        .expect("planted");
    for args in [
        &["describe", "failed-snapshot"][..],
        &["list", "-o", "wide"],
        &["list", "database-01"],
        &[
            "list",
            "-o",
            "custom-columns=NAME:.metadata.name,ERROR:.status.error.message",
        ],
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(0);
        assert_terminal_safe(&format!("{args:?} stdout"), &out.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &out.stderr);
        // The text is still there, made visible, where the view shows it.
        if args.contains(&"wide") || args[0] == "describe" {
            assert!(out.stdout.contains("^[[2K"), "{args:?}:\n{}", out.stdout);
        }
        assert!(
            !out.stdout
                .lines()
                .any(|l| l.trim() == "restore completed OK"),
            "{args:?} drew a line of the server's:\n{}",
            out.stdout
        );
    }
    // A JSONPath template prints the text as kubectl does, its escape sequences made visible.
    let out = t
        .cmd()
        .args(&[
            "describe",
            "failed-snapshot",
            "-o",
            "jsonpath={.status.error.message}",
        ])
        .run()
        .await;
    out.assert_code(0);
    assert_terminal_safe("jsonpath stdout", &out.stdout);
    assert!(out.stdout.starts_with("boom^[[2K"), "{}", out.stdout);
    // JSON keeps the data exactly (escaped by the format itself).
    let out = t
        .cmd()
        .args(&["describe", "failed-snapshot", "-o", "json"])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(v.to_string().contains("\\u001b[2K"), "{}", out.stdout);

    // An error path: the server's Status message itself is hostile.
    let status = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 500,
        "reason": "InternalError", "message": HOSTILE,
    });
    let proxy = Proxy::answering_reads_of(t.sim.addr(), "web-02-nightly", 500, status.to_string());
    let out = through(&proxy, &t, &["describe", "web-02-nightly"]).await;
    out.assert_code(1)
        .assert_stderr_contains("Error from server (InternalError): boom^[[2K\\r^[]0;owned\\x07");
    assert_terminal_safe("error stderr", &out.stderr);
    assert!(
        !out.stderr
            .lines()
            .any(|l| l.trim() == "restore completed OK"),
        "{}",
        out.stderr
    );
    assert_no_writes(&t);
}

#[tokio::test]
async fn escape_sequences_from_the_server_never_reach_the_terminal_on_deckhouse() {
    let t = TestSim::deckhouse().await;
    let gvr = Gvr::new("virtualization.deckhouse.io", "v1alpha2", SNAPSHOTS);
    t.wait_until(
        ("virtualization.deckhouse.io", "v1alpha2", SNAPSHOTS),
        "my-project",
        "linux-vm-snapshot",
        |v| v["status"]["phase"] == "Ready",
    )
    .await;
    t.sim
        .store()
        .mutate(&gvr, Some("my-project"), "linux-vm-snapshot", |o| {
            // Failed: the simulated controller leaves a failed snapshot's conditions alone
            // (a Ready one gets its reason rewritten on the next reconcile, as upstream).
            o["status"]["phase"] = serde_json::json!("Failed");
            o["status"]["conditions"] = serde_json::json!([{
                "type": "VirtualMachineSnapshotReady", "status": "False",
                "reason": "Hostile\u{1b}[8m", "message": HOSTILE,
                "lastTransitionTime": "2026-11-26T09:00:00Z",
            }]);
        })
        .expect("planted");
    for args in [
        &["describe", "linux-vm-snapshot"][..],
        &["list", "-o", "wide"],
    ] {
        let out = t.cmd().args(args).run().await;
        out.assert_code(0);
        assert_terminal_safe(&format!("{args:?} stdout"), &out.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &out.stderr);
    }
    let out = t.cmd().args(&["describe", "linux-vm-snapshot"]).run().await;
    out.assert_stdout_contains("Hostile^[[8m");
    assert_no_writes(&t);
}

// ---- 9. Smaller kubectl conventions --------------------------------------------------------

#[tokio::test]
async fn a_token_file_ending_in_a_newline_works() {
    let t = TestSim::start().await;
    let token = admin_token(&t);
    for (name, text) in [
        ("lf", format!("{token}\n")),
        ("crlf", format!("{token}\r\n")),
    ] {
        let path = file(&t, &format!("token-{name}"), &text);
        let user = format!("    tokenFile: {}\n", path.display());
        let kc = kubeconfig_with_user(&t, &format!("token-file-{name}"), &user, "");
        let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
        out.assert_code(0)
            .assert_stdout_contains("pre-upgrade-snapshot");
    }
    assert!(t.sim.requests().iter().all(|r| r.status != 401));
    assert_no_writes(&t);
}

#[tokio::test]
async fn an_html_login_page_is_called_what_it_is() {
    let t = TestSim::start().await;
    for (status, code) in [(200, 1), (401, 6), (403, 6)] {
        let proxy = Proxy::start(t.sim.addr(), move |_, _| Action::Answer {
            status,
            content_type: "text/html; charset=utf-8",
            body: "<!DOCTYPE html><html><head><title>Sign in \u{2013} Corp SSO</title></head>\
                   <body>\u{1b}]0;owned\u{7}log in</body></html>"
                .into(),
        });
        let out = through(&proxy, &t, &["list"]).await;
        out.assert_code(code).assert_stderr_contains(&format!(
            "the server answered with an HTML page (HTTP {status} "
        ));
        out.assert_stderr_contains("titled \"Sign in \u{2013} Corp SSO\")")
            .assert_stderr_contains("a login page or a proxy is in the way");
        assert!(
            !out.stderr.contains("Unable to connect"),
            "{}",
            out.transcript()
        );
        assert_terminal_safe("html page error", &out.stderr);
        assert!(!proxy.seen().is_empty());
    }
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn a_json_error_that_is_not_a_status_keeps_its_text() {
    let t = TestSim::start().await;
    let proxy = Proxy::answering_reads_of(
        t.sim.addr(),
        "web-02-nightly",
        429,
        r#"{"error":"tenant quota exceeded: 100 requests per minute"}"#.into(),
    );
    let out = through(&proxy, &t, &["describe", "web-02-nightly"]).await;
    out.assert_code(1).assert_stderr_contains(
        "Error from server (TooManyRequests): tenant quota exceeded: 100 requests per minute",
    );
    assert_no_writes(&t);
}

#[tokio::test]
async fn every_request_names_the_tool_in_its_user_agent() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "batch-03", "--yes", "--name", "ua-check"])
        .run()
        .await;
    out.assert_code(0);
    let want = format!("kubectl-vmsnap/v{} (", env!("CARGO_PKG_VERSION"));
    let requests = t.sim.requests();
    assert!(requests.len() > 3);
    for r in &requests {
        assert!(
            r.user_agent.starts_with(&want) && r.user_agent.ends_with(')'),
            "{} {} sent User-Agent {:?}",
            r.method,
            r.path,
            r.user_agent
        );
    }
    assert_eq!(t.writes().len(), 1, "{}", describe(&t.writes()));
}

#[tokio::test]
async fn an_empty_no_color_keeps_the_spinner_coloured() {
    if !crate::support::tty::available() {
        return;
    }
    const CYAN: &str = "\u{1b}[36m";
    // A simulator per run: stuck-01's snapshot never finishes, so a second would be refused.
    for (no_color, coloured) in [("", true), ("1", false)] {
        let t = TestSim::start().await;
        let args = [
            "create",
            "stuck-01",
            "--yes",
            "--name",
            "nc-1",
            "--timeout",
            "1s",
        ];
        let out =
            crate::support::tty::run_with(&t.kubeconfig, &args, "", &[("NO_COLOR", no_color)])
                .await;
        assert!(
            out.stdout
                .contains("timed out after 1s waiting for snapshot"),
            "{}",
            out.transcript()
        );
        assert_eq!(
            out.stdout.contains(CYAN),
            coloured,
            "NO_COLOR={no_color:?}: {:?}",
            out.stdout
        );
        let w = t.writes();
        assert!(
            w.len() == 1 && w[0].method == "POST" && w[0].path.ends_with(SNAPSHOTS),
            "{}",
            describe(&w)
        );
    }
}
