//! Secrets never reach the output, not even at `-v 9` or in errors; no shell-outs; TLS is
//! verified unless the kubeconfig says otherwise, and then the user is warned.

use std::path::Path;

use crate::kit::{assert_no_writes, file};
use crate::support::TestSim;
use crate::transport::insecure_kubeconfig;

const TOKEN: &str = "s3cr3t-bearer-t0ken-for-faults";
const KEY_PEM: &str = include_str!("../sim/src/server/tls/server.key");
const CERT_PEM: &str = include_str!("../sim/src/server/tls/server.pem");

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= chunk.len() {
                T[(n >> shift) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Every fragment of a secret someone could recognise in output.
fn secrets() -> Vec<String> {
    let key_body: String = KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    vec![
        TOKEN.to_string(),
        "PRIVATE KEY".to_string(),
        key_body[..40].to_string(),
        base64(KEY_PEM.as_bytes())[..40].to_string(),
    ]
}

#[track_caller]
fn assert_secret_free(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "{what} leaks {s:?}:\n{text}");
    }
}

#[tokio::test]
async fn verbose_runs_never_print_bearer_tokens_or_client_keys() {
    let t = TestSim::start().await;
    t.sim.add_user(vmsnap_sim::User {
        name: "secretive".into(),
        token: Some(TOKEN.into()),
        rules: vec![crate::kit::allow(&["*"])],
    });
    let base = std::fs::read_to_string(&t.kubeconfig).expect("kubeconfig");
    let token_line = base
        .lines()
        .find(|l| l.trim_start().starts_with("token:"))
        .expect("token line")
        .to_string();
    let with_identity = base.replace(
        &token_line,
        &format!(
            "    token: \"{TOKEN}\"\n    client-certificate-data: {}\n    client-key-data: {}",
            base64(CERT_PEM.as_bytes()),
            base64(KEY_PEM.as_bytes())
        ),
    );
    let kc = file(&t, "secretive", &with_identity);
    let runs: [&[&str]; 6] = [
        &["list", "-v", "9"],
        &["list", "-v", "9", "-o", "yaml"],
        &["describe", "pre-upgrade-snapshot", "-v", "9"],
        &["create", "batch-03", "--yes", "--name", "v9", "-v", "9"],
        &["describe", "no-such-snapshot", "-v", "9"],
        &[
            "restore",
            "database-01",
            "--snapshot",
            "pre-upgrade-snapshot",
            "-v",
            "9",
        ],
    ];
    for args in runs {
        let out = t.cmd().kubeconfig(&kc).args(args).run().await;
        assert!(out.code != -1, "{}", out.transcript());
        // The request log ran (kubectl's -v 9 shape) and masked the credential.
        out.assert_stderr_contains("Authorization: Bearer <masked>");
        assert_secret_free(&args.join(" "), &format!("{}{}", out.stdout, out.stderr));
    }
    // The same identity with a token the server refuses: the 401 path.
    let refused = with_identity.replace(TOKEN, &format!("{TOKEN}-revoked"));
    let kc = file(&t, "revoked", &refused);
    let out = t
        .cmd()
        .kubeconfig(&kc)
        .args(&["list", "-v", "9"])
        .run()
        .await;
    out.assert_code(6);
    assert_secret_free("401 run", &format!("{}{}", out.stdout, out.stderr));
    // Only the snapshot created above was written.
    let w = t.writes();
    assert!(
        w.len() == 1 && w[0].method == "POST",
        "{}",
        crate::kit::describe(&w)
    );
}

#[tokio::test]
async fn a_malformed_kubeconfig_does_not_echo_its_secrets() {
    let t = TestSim::start().await;
    let kc = file(
        &t,
        "leaky",
        &format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: {TOKEN}\n    client-key-data: {}\n  broken: [\n",
            base64(KEY_PEM.as_bytes())
        ),
    );
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("failed to read kubeconfig");
    assert_secret_free("malformed kubeconfig error", &out.stderr);
    assert_no_writes(&t);
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Nothing in src/ starts a process but the runner of the kubeconfig's exec credential
/// plugin: kubectl and kube-rs run that plugin too (it is how the user chose to log in);
/// anything else would be a shell-out the user never asked for.
#[test]
fn the_plugin_never_shells_out() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let credential_plugin_runner = src.join("cluster").join("exec_plugin.rs");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "src/ not found");
    assert!(
        files.contains(&credential_plugin_runner),
        "the allowed file moved: update this test"
    );
    let mut hits = Vec::new();
    for f in files.into_iter().filter(|f| *f != credential_plugin_runner) {
        let text = std::fs::read_to_string(&f).expect("read");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("process::Command")
                || code.contains("std::process::{")
                || code.contains("Command::new(\"sh\")")
                || code.contains("libc::exec")
            {
                hits.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(hits.is_empty(), "shell-outs in src/:\n{}", hits.join("\n"));
}

#[tokio::test]
async fn tls_is_verified_when_the_kubeconfig_has_no_ca() {
    let t = TestSim::start().await;
    let text = std::fs::read_to_string(&t.kubeconfig)
        .expect("kubeconfig")
        .lines()
        .filter(|l| !l.contains("certificate-authority-data"))
        .collect::<Vec<_>>()
        .join("\n");
    let kc = file(&t, "no-ca", &text);
    t.sim.clear_requests();
    let out = t.cmd().kubeconfig(&kc).args(&["list"]).run().await;
    out.assert_code(1)
        .assert_stderr_contains("invalid peer certificate: UnknownIssuer");
    assert!(t.sim.requests().is_empty());
}

#[tokio::test]
async fn insecure_skip_tls_verify_warns_on_stderr() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .kubeconfig(&insecure_kubeconfig(&t))
        .args(&["list"])
        .run()
        .await;
    out.assert_code(0).assert_stderr_contains(
        "warning: TLS certificate verification is disabled for cluster c by the kubeconfig (insecure-skip-tls-verify)",
    );
    out.assert_stdout_contains("pre-upgrade-snapshot");
}
