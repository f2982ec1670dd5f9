//! Connecting as kubectl does: proxies (HTTPS_PROXY, NO_PROXY, a kubeconfig proxy-url)
//! through a CONNECT proxy of the tests' own, kubectl's connection flags, impersonation and
//! server warnings — each over TLS, with the real kubectl given the same kubeconfig and
//! environment as a reference where it is installed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Output, TestSim};

/// A CONNECT proxy on 127.0.0.1 that sends every tunnel to the simulator's port whatever
/// host it names (so a kubeconfig may use a name no DNS knows), and logs each CONNECT
/// target with its Proxy-Authorization header, if any.
struct Proxy {
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start(sim_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(tunnel(client, sim_port, seen.clone()));
            }
        });
        Proxy { url, log }
    }

    fn targets(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

async fn tunnel(mut client: TcpStream, sim_port: u16, log: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await.unwrap_or(0) == 0 || head.len() > 16 * 1024 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let Some(target) = first
        .strip_prefix("CONNECT ")
        .and_then(|r| r.split(' ').next())
    else {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            .await;
        return;
    };
    let auth = lines
        .find_map(|l| l.strip_prefix("Proxy-Authorization: "))
        .map(|a| format!(" auth={a}"))
        .unwrap_or_default();
    log.lock().expect("log").push(format!("{target}{auth}"));
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", sim_port)).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

fn sim_port(t: &TestSim) -> u16 {
    t.sim
        .https_url()
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .expect("simulator port")
}

/// The simulator's admin kubeconfig with `server` (and extra cluster lines) swapped in.
fn kubeconfig_with(t: &TestSim, name: &str, server: &str, extra_cluster: &str) -> PathBuf {
    let text = std::fs::read_to_string(&t.kubeconfig).expect("kubeconfig");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("server:"))
        .expect("server line")
        .to_string();
    let text = text.replace(&line, &format!("    server: {server:?}{extra_cluster}"));
    let path = t.dir.path().join(name);
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

/// A name no DNS resolves, that only the test proxy can reach; the simulator's certificate
/// is for localhost, so the kubeconfig says so with tls-server-name.
fn name_only_the_proxy_knows(t: &TestSim, file: &str, extra: &str) -> PathBuf {
    let server = format!("https://kubernetes.sim.test:{}", sim_port(t));
    kubeconfig_with(
        t,
        file,
        &server,
        &format!("\n    tls-server-name: localhost{extra}"),
    )
}

/// The real kubectl with exactly this environment, if installed (None: skipped, unless CI).
async fn kubectl(kubeconfig: &Path, env: &[(&str, &str)], args: &[&str]) -> Option<Output> {
    let bin = Path::new("/usr/bin/kubectl");
    if !bin.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but /usr/bin/kubectl is missing"
        );
        eprintln!("skipping the kubectl reference: /usr/bin/kubectl is not installed");
        return None;
    }
    let mut cmd = std::process::Command::new(bin);
    cmd.args(args)
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", "/nonexistent")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("kubectl runs"))
        .await
        .expect("runner thread");
    Some(Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

const KUBECTL_LIST: &[&str] = &[
    "get",
    "virtualmachinesnapshots.snapshot.kubevirt.io",
    "-n",
    "production",
];

#[tokio::test]
async fn https_proxy_carries_the_connection_and_no_proxy_bypasses_it() {
    let t = TestSim::start().await;
    let proxy = Proxy::start(sim_port(&t)).await;
    let kc = name_only_the_proxy_knows(&t, "via-env", "");
    let target = format!("kubernetes.sim.test:{}", sim_port(&t));

    // Through HTTPS_PROXY (and https_proxy, its lower-case spelling).
    for var in ["HTTPS_PROXY", "https_proxy"] {
        let before = proxy.targets().len();
        let out = t
            .cmd()
            .kubeconfig(&kc)
            .env(var, &proxy.url)
            .args(&["list", "-n", "production"])
            .run()
            .await;
        out.assert_code(0)
            .assert_stdout_contains("pre-upgrade-snapshot");
        let seen = proxy.targets()[before..].to_vec();
        assert!(
            !seen.is_empty() && seen.iter().all(|s| *s == target),
            "{var}: {seen:?}"
        );
    }
    if let Some(k) = kubectl(&kc, &[("HTTPS_PROXY", &proxy.url)], KUBECTL_LIST).await {
        assert_eq!(k.code, 0, "kubectl through the proxy: {}", k.stderr);
        assert!(proxy.targets().iter().filter(|s| **s == target).count() >= 3);
    }

    // NO_PROXY naming the server (by its domain): no CONNECT, a direct attempt, which no DNS
    // answers for this name — kubectl fails the same way.
    let before = proxy.targets().len();
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .env("HTTPS_PROXY", &proxy.url)
        .env("NO_PROXY", "example.org,.sim.test")
        .args(&["list", "-n", "production", "--request-timeout", "10s"])
        .run()
        .await;
    assert_ne!(out.code, 0, "{}", out.transcript());
    assert_eq!(
        proxy.targets().len(),
        before,
        "NO_PROXY must bypass the proxy"
    );

    // NO_PROXY=127.0.0.1 with the simulator's own kubeconfig (server 127.0.0.1): direct.
    let out = t
        .cmd()
        .env("HTTPS_PROXY", &proxy.url)
        .env("NO_PROXY", "127.0.0.1")
        .args(&["list", "-n", "production"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    assert_eq!(proxy.targets().len(), before);
    if let Some(k) = kubectl(
        &t.kubeconfig,
        &[("HTTPS_PROXY", &proxy.url), ("NO_PROXY", "127.0.0.1")],
        KUBECTL_LIST,
    )
    .await
    {
        assert_eq!(k.code, 0, "{}", k.stderr);
        assert_eq!(proxy.targets().len(), before, "kubectl bypasses it too");
    }
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn a_kubeconfig_proxy_url_is_used_and_its_password_never_shown() {
    let t = TestSim::start().await;
    let proxy = Proxy::start(sim_port(&t)).await;
    let with_auth = proxy.url.replace("http://", "http://bob:hunter2@");
    let kc = name_only_the_proxy_knows(
        &t,
        "via-proxy-url",
        &format!("\n    proxy-url: {with_auth}"),
    );
    // NO_PROXY does not apply to a kubeconfig proxy-url (client-go uses it unconditionally).
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .env("NO_PROXY", "*")
        .args(&["list", "-n", "production", "-v", "6"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    out.assert_stderr_contains("Proxy: http://<masked>@127.0.0.1:");
    assert!(
        !format!("{}{}", out.stdout, out.stderr).contains("hunter2"),
        "{}",
        out.transcript()
    );
    let seen = proxy.targets();
    // Basic credentials as kube sends them to the proxy: base64("bob:hunter2").
    assert!(
        seen.iter()
            .any(|s| s.ends_with("auth=Basic Ym9iOmh1bnRlcjI=")),
        "{seen:?}"
    );
    let before = seen.len();
    if let Some(k) = kubectl(&kc, &[("NO_PROXY", "*")], KUBECTL_LIST).await {
        assert_eq!(k.code, 0, "{}", k.stderr);
        assert!(
            proxy.targets().len() > before,
            "kubectl uses the proxy-url too"
        );
    }
    // A malformed proxy is named with its password masked, as a usage error.
    let bad = name_only_the_proxy_knows(&t, "bad-proxy", "\n    proxy-url: ftp://bob:hunter2@p:21");
    let out = t.cmd().kubeconfig(&bad).args(&["list"]).run().await;
    out.assert_code(2)
        .assert_stderr_contains("ftp://<masked>@p:21");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

#[tokio::test]
async fn as_alice_create_is_refused_as_alice_with_no_writes() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "database-01",
            "--as",
            "alice",
            "--yes",
            "--name",
            "as-alice",
            "-n",
            "production",
        ])
        .run()
        .await;
    out.assert_code(6)
        .assert_stderr_contains("not allowed to create virtualmachinesnapshots");
    assert!(t.writes().is_empty(), "{:?}", t.writes());
    // The server saw alice, not the kubeconfig's admin.
    let reqs = t.sim.requests();
    assert!(
        !reqs.is_empty() && reqs.iter().all(|r| r.user == "alice"),
        "{reqs:?}"
    );

    // A user without the impersonate verb is refused with the API server's message.
    let viewer = t.kubeconfig_for("viewer", "production");
    let out = t
        .cmd()
        .kubeconfig(&viewer)
        .args(&["list", "--as", "alice", "--as-group", "devs"])
        .run()
        .await;
    out.assert_code(6).assert_stderr_contains(
        "users \"alice\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
    );
    if let Some(k) = kubectl(
        &viewer,
        &[],
        &[
            "get",
            "virtualmachines",
            "-n",
            "production",
            "--as",
            "alice",
        ],
    )
    .await
    {
        // kubectl's discovery reports the 403 without its message ("Forbidden: unknown").
        assert_ne!(k.code, 0);
        assert!(k.stderr.contains("Forbidden"), "{}", k.stderr);
    }
    // --as-group without --as is refused before any request, as client-go refuses it.
    let before = t.sim.requests().len();
    let out = t.cmd().args(&["list", "--as-group", "devs"]).run().await;
    out.assert_code(2).assert_stderr_contains("need --as");
    assert_eq!(t.sim.requests().len(), before);
}

#[tokio::test]
async fn token_and_server_flags_override_the_kubeconfig() {
    let t = TestSim::start().await;
    // The kubeconfig's token is refused and its server is wrong: the flags win.
    let wrong = kubeconfig_with(&t, "wrong", "https://127.0.0.1:1", "");
    let text = std::fs::read_to_string(&wrong).expect("read");
    let token_line = text
        .lines()
        .find(|l| l.contains("token:"))
        .expect("token")
        .to_string();
    std::fs::write(&wrong, text.replace(&token_line, "    token: \"revoked\"")).expect("write");
    let server = t.sim.https_url();
    let admin = t.sim.token("admin").expect("admin token");
    for server_flag in ["-s", "--server"] {
        let out = t
            .cmd()
            .kubeconfig(&wrong)
            .args(&[
                "list",
                "-n",
                "production",
                server_flag,
                &server,
                "--token",
                &admin,
            ])
            .run()
            .await;
        out.assert_code(0)
            .assert_stdout_contains("pre-upgrade-snapshot");
    }
    if let Some(k) = kubectl(
        &wrong,
        &[],
        &[KUBECTL_LIST, &["-s", &server, "--token", &admin]].concat(),
    )
    .await
    {
        assert_eq!(k.code, 0, "{}", k.stderr);
    }
    // Without a kubeconfig at all: the flags are the whole connection.
    let none = t.dir.path().join("absent");
    let ca = t.dir.path().join("ca.pem");
    std::fs::write(&ca, t.sim.ca_pem()).expect("ca");
    let out = t
        .cmd()
        .kubeconfig(&none)
        .args(&[
            "list",
            "-n",
            "production",
            "--server",
            &server,
            "--token",
            &admin,
            "--certificate-authority",
            ca.to_str().expect("utf-8"),
        ])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let last = t.sim.requests().pop().expect("a request");
    assert_eq!(last.user, "admin");
}

#[tokio::test]
async fn tls_flags_replace_the_kubeconfig_ca() {
    let t = TestSim::start().await;
    // A kubeconfig without the simulator's CA: the server is not trusted.
    let text = std::fs::read_to_string(&t.kubeconfig).expect("kubeconfig");
    let ca_line = text
        .lines()
        .find(|l| l.contains("certificate-authority-data"))
        .expect("ca line")
        .to_string();
    let untrusted = t.dir.path().join("untrusted");
    std::fs::write(&untrusted, text.replace(&format!("{ca_line}\n"), "")).expect("write");
    let out = t.cmd().kubeconfig(&untrusted).args(&["list"]).run().await;
    assert_ne!(out.code, 0, "{}", out.transcript());

    let out = t
        .cmd()
        .kubeconfig(&untrusted)
        .args(&["list", "-n", "production", "--insecure-skip-tls-verify"])
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot")
        .assert_stderr_contains(
            "disabled for cluster vmsnap-sim by the --insecure-skip-tls-verify flag",
        );
    let ca = t.dir.path().join("ca.pem");
    std::fs::write(&ca, t.sim.ca_pem()).expect("ca");
    let ca = ca.to_str().expect("utf-8");
    // --certificate-authority also wins over a kubeconfig CA that is wrong.
    let wrong_ca = t.dir.path().join("wrong-ca");
    std::fs::write(
        &wrong_ca,
        text.replace(&ca_line, "    certificate-authority-data: bm90IGEgY2E="),
    )
    .expect("write");
    for kc in [&untrusted, &wrong_ca] {
        let out = t
            .cmd()
            .kubeconfig(kc)
            .args(&["list", "-n", "production", "--certificate-authority", ca])
            .run()
            .await;
        out.assert_code(0)
            .assert_stdout_contains("pre-upgrade-snapshot");
    }
    if let Some(k) = kubectl(
        &untrusted,
        &[],
        &[KUBECTL_LIST, &["--certificate-authority", ca]].concat(),
    )
    .await
    {
        assert_eq!(k.code, 0, "{}", k.stderr);
    }
    // --client-certificate/--client-key are read and presented (a missing file fails).
    let out = t
        .cmd()
        .args(&[
            "list",
            "--client-certificate",
            "/nonexistent/c.pem",
            "--client-key",
            "/nonexistent/k.pem",
        ])
        .run()
        .await;
    assert_ne!(out.code, 0, "{}", out.transcript());
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn server_warnings_are_printed_once_and_fail_with_warnings_as_errors() {
    let t = TestSim::start().await;
    let text = "snapshot.kubevirt.io/v1beta1 VirtualMachineSnapshot is deprecated; use v1";
    t.sim
        .deprecate_version("snapshot.kubevirt.io", "v1beta1", text);
    let out = t.cmd().args(&["list", "-n", "production"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    let line = format!("Warning: {text}");
    assert_eq!(out.stderr.matches(&line).count(), 1, "{}", out.stderr);
    if let Some(k) = kubectl(&t.kubeconfig, &[], KUBECTL_LIST).await {
        assert!(
            k.stderr.contains(&line),
            "kubectl prints it the same way: {}",
            k.stderr
        );
    }
    let out = t
        .cmd()
        .args(&["list", "-n", "production", "--warnings-as-errors"])
        .run()
        .await;
    out.assert_code(1)
        .assert_stdout_contains("pre-upgrade-snapshot")
        .assert_stderr_contains("--warnings-as-errors");
    assert_eq!(out.stderr.matches(&line).count(), 1, "{}", out.stderr);
    if let Some(k) = kubectl(
        &t.kubeconfig,
        &[],
        &[KUBECTL_LIST, &["--warnings-as-errors"]].concat(),
    )
    .await
    {
        assert_eq!(k.code, 1, "{}", k.stderr);
    }
}

#[tokio::test]
async fn restore_dash_s_is_server_and_a_snapshot_name_there_is_explained() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "database-01",
            "-s",
            "pre-upgrade-snapshot",
            "--yes",
        ])
        .run()
        .await;
    out.assert_code(2)
        .assert_stderr_contains("-s is --server")
        .assert_stderr_contains("--snapshot NAME");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn options_lists_the_connection_flags_and_command_help_stays_short() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["options"]).run().await;
    out.assert_code(0)
        .assert_stdout_contains("The following options can be passed to any command:")
        .assert_stdout_contains("    --as='':\n\tUsername to impersonate")
        .assert_stdout_contains("    -s, --server='':");
    let help = t.cmd().args(&["create", "--help"]).run().await;
    help.assert_code(0).assert_stdout_contains(
        "Use \"kubectl vmsnap options\" for a list of global command-line options (applies to all commands).",
    );
    for hidden in [
        "--token",
        "--as-group",
        "--kubeconfig",
        "--insecure-skip-tls-verify",
    ] {
        assert!(!help.stdout.contains(hidden), "{hidden} in create --help");
    }
}

#[tokio::test]
async fn completion_connects_with_the_flags_on_the_line_and_through_the_proxy() {
    let t = TestSim::start().await;
    let proxy = Proxy::start(sim_port(&t)).await;
    // The kubeconfig points nowhere useful; the line's --server and --token do.
    let wrong = kubeconfig_with(&t, "wrong", "https://127.0.0.1:1", "");
    let server = t.sim.https_url();
    let admin = t.sim.token("admin").expect("admin token");
    let out = t
        .cmd()
        .kubeconfig(&wrong)
        .args(&[
            "__complete",
            "create",
            "-n",
            "production",
            "--server",
            &server,
            "--token",
            &admin,
            "data",
        ])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(out.stdout, "database-01\n:4\n", "{}", out.transcript());
    // Through HTTPS_PROXY to a name only the proxy knows: the same connection code.
    let kc = name_only_the_proxy_knows(&t, "completion-proxy", "");
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .env("HTTPS_PROXY", &proxy.url)
        .args(&["__complete", "create", "-n", "production", "data"])
        .run()
        .await;
    assert_eq!(out.stdout, "database-01\n:4\n", "{}", out.transcript());
    assert!(!proxy.targets().is_empty());
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn client_certificate_flags_authenticate_as_the_certificates_user() {
    let t = TestSim::start().await;
    // No token in the kubeconfig: the certificate is the only credential.
    let text = std::fs::read_to_string(&t.kubeconfig).expect("kubeconfig");
    let token_line = text
        .lines()
        .find(|l| l.contains("token:"))
        .expect("token")
        .to_string();
    let anonymous = t.dir.path().join("anonymous");
    std::fs::write(&anonymous, text.replace(&token_line, "    {}")).expect("write");
    let (user, _groups, cert, key) = vmsnap_sim::server::tls::CLIENT_CERTS
        .iter()
        .find(|c| c.0 == "alice")
        .expect("alice's certificate");
    let cert_path = t.dir.path().join("alice.pem");
    let key_path = t.dir.path().join("alice.key");
    std::fs::write(&cert_path, cert).expect("cert");
    std::fs::write(&key_path, key).expect("key");
    let flags = [
        "--client-certificate",
        cert_path.to_str().expect("utf-8"),
        "--client-key",
        key_path.to_str().expect("utf-8"),
    ];
    let out = t
        .cmd()
        .kubeconfig(&anonymous)
        .args(&["list", "-n", "production"])
        .run()
        .await;
    assert_ne!(out.code, 0, "no credential: {}", out.transcript());
    let out = t
        .cmd()
        .kubeconfig(&anonymous)
        .args(&[&["list", "-n", "production"][..], &flags].concat())
        .run()
        .await;
    out.assert_code(0)
        .assert_stdout_contains("pre-upgrade-snapshot");
    assert_eq!(
        t.sim.requests().last().map(|r| r.user.clone()).as_deref(),
        Some(*user)
    );
    // alice may read but not create: refused as alice, nothing written.
    let out = t
        .cmd()
        .kubeconfig(&anonymous)
        .args(
            &[
                &[
                    "create",
                    "database-01",
                    "--yes",
                    "--name",
                    "by-cert",
                    "-n",
                    "production",
                ][..],
                &flags,
            ]
            .concat(),
        )
        .run()
        .await;
    out.assert_code(6);
    assert!(t.writes().is_empty());
    if let Some(k) = kubectl(&anonymous, &[], &[KUBECTL_LIST, &flags].concat()).await {
        assert_eq!(k.code, 0, "{}", k.stderr);
        assert_eq!(
            t.sim.requests().last().map(|r| r.user.clone()).as_deref(),
            Some("alice")
        );
    }
}
