//! `list` and `describe` in kubectl's output formats, byte for byte against the real kubectl
//! (`kubectl get virtualmachinesnapshots.snapshot.kubevirt.io -o …`) on the same simulator:
//! API objects in `-o json|yaml`, `jsonpath=`, `jsonpath-as-json=`, `jsonpath-file=`,
//! `custom-columns=`, `custom-columns-file=`; bad templates are usage errors sent nowhere.
//!
//! Skipped with a note when /usr/bin/kubectl is missing, except under CI=true.

use std::path::Path;

use crate::support::TestSim;

const KUBECTL: &str = "/usr/bin/kubectl";
const SNAPSHOTS: &str = "virtualmachinesnapshots.snapshot.kubevirt.io";

fn have_kubectl() -> bool {
    if Path::new(KUBECTL).is_file() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {KUBECTL} is missing"
    );
    eprintln!("skipping: {KUBECTL} is not installed");
    false
}

/// The real kubectl against `t`, same kubeconfig; (exit code, stdout, stderr).
async fn kubectl(t: &TestSim, args: &[&str]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(KUBECTL);
    cmd.args(args)
        .env_clear()
        .env("KUBECONFIG", &t.kubeconfig)
        .env("KUBECACHEDIR", t.dir.path().join("kube-cache"))
        .env("HOME", t.dir.path())
        .stdin(std::process::Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("kubectl runs"))
        .await
        .expect("kubectl joined");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `kubectl get SNAPSHOTS <get_args> -o <format>` and `kubectl vmsnap <ours> -o <format>`
/// print the same bytes.
async fn same_as_kubectl(t: &TestSim, get_args: &[&str], ours: &[&str], format: &str) {
    let mut args = vec!["get", SNAPSHOTS];
    args.extend_from_slice(get_args);
    args.extend_from_slice(&["-o", format]);
    let (code, theirs, err) = kubectl(t, &args).await;
    assert_eq!(code, 0, "kubectl {args:?} failed: {err}");
    // Only the empty namespace may print nothing: elsewhere an empty match proves nothing.
    assert!(
        !theirs.is_empty() || get_args.contains(&"staging"),
        "kubectl {args:?} printed nothing: {err}"
    );
    assert!(
        !theirs.is_empty(),
        "kubectl {args:?} printed nothing: {err}"
    );
    if std::env::var_os("VMSNAP_SHOW_KUBECTL").is_some() {
        eprintln!("kubectl {args:?}:\n{theirs}");
    }
    let mut our_args = ours.to_vec();
    our_args.extend_from_slice(&["-o", format]);
    let out = t.cmd().args(&our_args).run().await;
    out.assert_code(0);
    assert_eq!(
        out.stdout, theirs,
        "vmsnap {our_args:?} differs from kubectl {args:?}"
    );
}

#[tokio::test]
async fn list_prints_what_kubectl_get_prints_in_every_kubectl_format() {
    if !have_kubectl() {
        return;
    }
    let t = TestSim::start().await;
    let formats = [
        "json",
        "yaml",
        "jsonpath={.items[*].metadata.name}",
        r#"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\t"}{.spec.source}{"\n"}{end}"#,
        r#"jsonpath={.items[?(@.status.phase=="Failed")].metadata.name}"#,
        "jsonpath={.items[?(@.status.readyToUse)].status.indications}",
        "jsonpath={.items[0].metadata.labels}{.nope}{.items[-1:].kind}",
        "jsonpath={.kind} {..phase}",
        "jsonpath-as-json={.items[*].metadata.name}{.items[*].status.readyToUse}",
        "custom-columns=NAME:.metadata.name,VM:spec.source.name,PHASE:{.status.phase},READY:.status.readyToUse,VOLUMES:.status.snapshotVolumes.includedVolumes,MISSING:.nope",
    ];
    for format in formats {
        same_as_kubectl(
            &t,
            &["-n", "production"],
            &["list", "-n", "production"],
            format,
        )
        .await;
    }
    // Every namespace, and an empty one.
    same_as_kubectl(&t, &["-A"], &["list", "-A"], "json").await;
    same_as_kubectl(&t, &["-n", "staging"], &["list", "-n", "staging"], "yaml").await;
    for format in ["jsonpath={.items}", "custom-columns=NAME:.metadata.name"] {
        same_as_kubectl(&t, &["-n", "staging"], &["list", "-n", "staging"], format).await;
    }
}

#[tokio::test]
async fn describe_prints_the_one_object_kubectl_get_name_prints() {
    if !have_kubectl() {
        return;
    }
    let t = TestSim::start().await;
    for format in [
        "json",
        "yaml",
        "jsonpath={.metadata.name} {.status.phase} {.status.conditions[*].type}",
        r#"jsonpath={range .status.conditions[*]}{.type}={.status}{"\n"}{end}"#,
        "jsonpath-as-json={.status.snapshotVolumes}",
        "custom-columns=NAME:.metadata.name,CONDITIONS:.status.conditions[*].type",
    ] {
        same_as_kubectl(
            &t,
            &["pre-upgrade-snapshot", "-n", "production"],
            &["describe", "pre-upgrade-snapshot", "-n", "production"],
            format,
        )
        .await;
    }
}

#[tokio::test]
async fn template_files_match_kubectl_and_no_headers_drops_the_header() {
    if !have_kubectl() {
        return;
    }
    let t = TestSim::start().await;
    let jsonpath = t.dir.path().join("names.jsonpath");
    std::fs::write(&jsonpath, "{range .items[*]}{.metadata.name}{\"\\n\"}{end}").unwrap();
    let columns = t.dir.path().join("columns.txt");
    std::fs::write(
        &columns,
        "NAME   VM\n.metadata.name   {.spec.source.name}\n",
    )
    .unwrap();
    let ns = ["-n", "production"];
    let list = ["list", "-n", "production"];
    same_as_kubectl(
        &t,
        &ns,
        &list,
        &format!("jsonpath-file={}", jsonpath.display()),
    )
    .await;
    same_as_kubectl(
        &t,
        &ns,
        &list,
        &format!("custom-columns-file={}", columns.display()),
    )
    .await;
    same_as_kubectl(
        &t,
        &["-n", "production", "--no-headers"],
        &["list", "-n", "production", "--no-headers"],
        "custom-columns=NAME:.metadata.name",
    )
    .await;
}

#[tokio::test]
async fn bad_templates_are_usage_errors_before_any_request() {
    let t = TestSim::start().await;
    let before = t.sim.requests().len();
    let cases: [(&str, &str); 5] = [
        (
            "jsonpath={.metadata.name",
            "error parsing jsonpath {.metadata.name, unclosed action",
        ),
        (
            "jsonpath=",
            "template format specified but no template given",
        ),
        ("jsonpath={.items[x]}", "invalid array index x"),
        (
            "custom-columns=NAME",
            "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>",
        ),
        (
            "xml",
            "unable to match a printer suitable for the output format \"xml\"",
        ),
    ];
    for (format, message) in cases {
        t.cmd()
            .args(&["list", "-o", format])
            .run()
            .await
            .assert_code(2)
            .assert_stderr_contains(message);
    }
    assert_eq!(t.sim.requests().len(), before, "a refused -o sent requests");
    assert!(t.writes().is_empty());
}

#[tokio::test]
async fn report_formats_keep_the_plugins_schema_and_actions_keep_theirs_under_json() {
    let t = TestSim::start().await;
    let out = t.cmd().args(&["list", "-o", "report-json"]).run().await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "SnapshotList");
    assert!(v["items"][0]["consistency"].is_string(), "{v}");

    // An action's report is its own documented schema under -o json.
    let out = t
        .cmd()
        .args(&["create", "database-01", "--dry-run", "-o", "json"])
        .run()
        .await;
    out.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "SnapshotCreate");

    // A template over an action's report reads the report.
    let out = t
        .cmd()
        .args(&[
            "create",
            "database-01",
            "--dry-run",
            "-o",
            "jsonpath={.kind} {.snapshot.vm}",
        ])
        .run()
        .await;
    out.assert_code(0);
    assert_eq!(out.stdout, "SnapshotCreate database-01");
}

#[tokio::test]
async fn api_object_formats_skip_the_volume_snapshot_list_the_size_column_needs() {
    let t = TestSim::start().await;
    let lists_volume_snapshots = |t: &TestSim| {
        t.sim
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/volumesnapshots"))
            .count()
    };
    let before = lists_volume_snapshots(&t);
    t.cmd().args(&["list"]).run().await.assert_code(0);
    let after_table = lists_volume_snapshots(&t);
    assert_eq!(after_table, before + 1, "the table reads sizes");
    for format in ["json", "yaml", "jsonpath={.items[*].metadata.name}"] {
        t.cmd()
            .args(&["list", "-o", format])
            .run()
            .await
            .assert_code(0);
    }
    assert_eq!(
        lists_volume_snapshots(&t),
        after_table,
        "kubectl's printers need no sizes"
    );
}
