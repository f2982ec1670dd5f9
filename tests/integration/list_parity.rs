//! kubectl's list habits on VM Operator and Deckhouse (issue 16, parity with KubeVirt; KubeVirt
//! too where the test is the same):
//! `list`/`describe -o json|yaml|jsonpath=…|custom-columns=…` and `--sort-by` byte for byte as
//! the real kubectl prints them, `-L`/`--show-labels`, `--field-selector` and `--chunk-size`
//! sent to the server.

use serde_json::json;

use crate::support::TestSim;

/// One platform's snapshot kind: the simulator's (group, version, plural), the object's
/// apiVersion, kubectl's resource name and the spec naming the VM.
struct Platform {
    name: &'static str,
    gvr: (&'static str, &'static str, &'static str),
    resource: &'static str,
    spec: fn() -> serde_json::Value,
}

const KUBEVIRT: Platform = Platform {
    name: "kubevirt",
    gvr: ("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
    resource: "virtualmachinesnapshots.snapshot.kubevirt.io",
    spec: || json!({"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "ghost"}}),
};

const VM_OPERATOR: Platform = Platform {
    name: "vmoperator",
    gvr: (
        "vmoperator.vmware.com",
        "v1alpha6",
        "virtualmachinesnapshots",
    ),
    resource: "virtualmachinesnapshots.vmoperator.vmware.com",
    spec: || json!({"vmName": "ghost"}),
};

const DECKHOUSE: Platform = Platform {
    name: "deckhouse",
    gvr: (
        "virtualization.deckhouse.io",
        "v1alpha2",
        "virtualmachinesnapshots",
    ),
    resource: "virtualmachinesnapshots.virtualization.deckhouse.io",
    spec: || {
        json!({"virtualMachineName": "ghost", "requiredConsistency": false,
               "keepIPAddress": "Never"})
    },
};

/// The platform's simulator with three snapshots of VM "ghost" in `staging`: z-snap oldest,
/// a-snap and b-snap created at the same second; ranks (a label) 10, 100, 9.
async fn seeded(p: &Platform) -> TestSim {
    let t = match p.name {
        "vmoperator" => TestSim::vmoperator().await,
        "deckhouse" => TestSim::deckhouse().await,
        _ => TestSim::start().await,
    };
    let gvr = vmsnap_sim::Gvr::new(p.gvr.0, p.gvr.1, p.gvr.2);
    for (name, created, rank) in [
        ("b-snap", "2026-11-25T08:00:00Z", "9"),
        ("z-snap", "2026-11-20T08:00:00Z", "10"),
        ("a-snap", "2026-11-25T08:00:00Z", "100"),
    ] {
        let snap = json!({
            "apiVersion": format!("{}/{}", p.gvr.0, p.gvr.1), "kind": "VirtualMachineSnapshot",
            "metadata": {"name": name, "namespace": "staging", "creationTimestamp": created,
                         "labels": {"example.com/rank": rank, "tier": "db"}},
            "spec": (p.spec)(),
        });
        t.sim.store().create(&gvr, snap).expect("snapshot");
    }
    // No controller acts on them (their VM does not exist), so kubectl and the plugin read
    // the same objects.
    t
}

/// The names `list -n staging ARGS -o name` prints, in order.
async fn names(t: &TestSim, args: &[&str]) -> String {
    let out = t
        .cmd()
        .args(&["list", "-n", "staging", "-o", "name"])
        .args(args)
        .run()
        .await;
    out.assert_code(0);
    out.stdout
}

/// `kubectl get RESOURCE -n staging --sort-by PATH -o name` on the same simulator.
pub(crate) async fn kubectl_order(
    t: &TestSim,
    kubectl: &std::path::Path,
    resource: &str,
    path: &str,
) -> String {
    let sort = format!("--sort-by={path}");
    kubectl_get(
        t,
        kubectl,
        &[resource, "-n", "staging", &sort, "-o", "name"],
    )
    .await
}

/// `kubectl get ARGS` on the same simulator: its stdout (it must succeed).
async fn kubectl_get(t: &TestSim, kubectl: &std::path::Path, args: &[&str]) -> String {
    let kubectl = kubectl.to_path_buf();
    let kubeconfig = t.kubeconfig.clone();
    let cache = t.dir.path().join("kube-cache");
    let args: Vec<String> = std::iter::once("get")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(kubectl)
            .args(args)
            .env_clear()
            .env("KUBECONFIG", kubeconfig)
            .env("KUBECACHEDIR", cache)
            .env("HOME", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("kubectl runs")
    })
    .await
    .expect("runner thread");
    assert!(
        out.status.success(),
        "kubectl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn default_order_is_creation_then_name_and_sort_by_orders_as_the_real_kubectl() {
    let kubectl = vmsnap_sim::testing::kubectl();
    for p in [VM_OPERATOR, DECKHOUSE] {
        let t = seeded(&p).await;
        let prefix = p.resource.split_once('.').map_or("", |(_, g)| g);
        let row = |n: &str| format!("virtualmachinesnapshot.{prefix}/{n}\n");
        assert_eq!(
            names(&t, &[]).await,
            [row("z-snap"), row("a-snap"), row("b-snap")].concat(),
            "{}: creation time, then name",
            p.name
        );
        for path in [
            ".metadata.name",
            r"{.metadata.labels.example\.com/rank}",
            ".metadata.uid",
            "{.metadata.resourceVersion}",
        ] {
            let ours = names(&t, &["--sort-by", path]).await;
            if path == ".metadata.name" {
                assert_eq!(ours, [row("a-snap"), row("b-snap"), row("z-snap")].concat());
            }
            if let Some(kubectl) = &kubectl {
                let theirs = kubectl_order(&t, kubectl, p.resource, path).await;
                assert_eq!(ours, theirs, "{}: --sort-by {path}", p.name);
            }
        }
        let out = t
            .cmd()
            .args(&["list", "-n", "staging", "--sort-by", ".status.nothing"])
            .run()
            .await;
        out.assert_code(2).assert_stderr_contains(
            "error: couldn't find any field with path \"{.status.nothing}\" in the list of objects",
        );
        assert!(t.writes().is_empty(), "{}: {:?}", p.name, t.writes());
    }
}

#[tokio::test]
async fn label_columns_and_show_labels_come_last() {
    for p in [KUBEVIRT, VM_OPERATOR, DECKHOUSE] {
        let t = seeded(&p).await;
        let out = t
            .cmd()
            .args(&[
                "list",
                "-n",
                "staging",
                "-L",
                "example.com/rank,missing",
                "--show-labels",
            ])
            .run()
            .await;
        out.assert_code(0);
        let header: Vec<&str> = out
            .stdout
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(
            header[header.len() - 3..],
            ["RANK", "MISSING", "LABELS"],
            "{}",
            out.transcript()
        );
        let z = out
            .stdout
            .lines()
            .find(|l| l.contains("z-snap"))
            .expect("z-snap row");
        // VM Operator's webhook adds its vm-name label between the two.
        assert!(
            z.contains(" 10               example.com/rank=10,") && z.ends_with(",tier=db"),
            "{}: {}",
            p.name,
            out.transcript()
        );
    }
}

#[tokio::test]
async fn field_selector_goes_to_the_server_and_chunk_size_sets_the_page() {
    for p in [KUBEVIRT, VM_OPERATOR, DECKHOUSE] {
        let t = seeded(&p).await;
        let snapshot_lists = |t: &TestSim| {
            t.sim
                .requests()
                .into_iter()
                .filter(|r| {
                    r.method == "GET"
                        && r.path.contains(p.gvr.0)
                        && r.path.ends_with("/virtualmachinesnapshots")
                })
                .collect::<Vec<_>>()
        };
        t.sim.clear_requests();
        let out = names(&t, &["--field-selector", "metadata.name=a-snap"]).await;
        assert!(
            out.ends_with("/a-snap\n") && out.lines().count() == 1,
            "{}: {out}",
            p.name
        );
        let lists = snapshot_lists(&t);
        assert!(
            lists
                .iter()
                .any(|r| r.query.contains("fieldSelector=metadata.name%3Da-snap")),
            "{}: {lists:?}",
            p.name
        );
        t.sim.clear_requests();
        names(&t, &["--chunk-size", "1"]).await;
        let lists = snapshot_lists(&t);
        assert!(
            lists.len() >= 3,
            "{}: one page per snapshot: {lists:?}",
            p.name
        );
        assert!(
            lists.iter().all(|r| r.query.contains("limit=1")),
            "{lists:?}"
        );
        t.sim.clear_requests();
        names(&t, &["--chunk-size", "0"]).await;
        let lists = snapshot_lists(&t);
        assert!(
            !lists.is_empty() && lists.iter().all(|r| !r.query.contains("limit=")),
            "{lists:?}"
        );
        assert!(t.writes().is_empty(), "{}: {:?}", p.name, t.writes());
    }
}

/// Rows are ordered once the whole list is read (issue 18 keeps them compact, page by page):
/// whatever `--chunk-size` cuts the list into, every output prints the same bytes, in creation
/// order then name, and `--sort-by` over equal keys (every `tier` is `db`) keeps that order.
#[tokio::test]
async fn page_boundaries_change_neither_the_rows_nor_their_order() {
    let t = seeded(&KUBEVIRT).await;
    let run = |args: Vec<&'static str>, chunk: &'static str| {
        let t = &t;
        async move {
            let out = t
                .cmd()
                .args(&["list", "-n", "staging", "--chunk-size", chunk])
                .args(&args)
                .run()
                .await;
            out.assert_code(0);
            out.stdout
        }
    };
    let outputs: [Vec<&str>; 6] = [
        vec![],
        vec!["-o", "wide", "-L", "tier"],
        vec!["-o", "json"],
        vec!["-o", "yaml"],
        vec![
            "-o",
            "custom-columns=NAME:.metadata.name,RANK:.metadata.labels",
        ],
        vec!["-o", "name", "--sort-by", ".metadata.labels.tier"],
    ];
    for args in outputs {
        let whole = run(args.clone(), "0").await;
        let names: Vec<&str> = ["z-snap", "a-snap", "b-snap"]
            .into_iter()
            .filter(|n| whole.contains(n))
            .collect();
        assert_eq!(names.len(), 3, "{args:?}:\n{whole}");
        let at = |n: &str| whole.find(n).unwrap_or(usize::MAX);
        assert!(
            at("z-snap") < at("a-snap") && at("a-snap") < at("b-snap"),
            "{args:?}: creation time, then name:\n{whole}"
        );
        for chunk in ["1", "2"] {
            assert_eq!(
                run(args.clone(), chunk).await,
                whole,
                "{args:?} --chunk-size {chunk}"
            );
        }
    }
    assert!(t.writes().is_empty(), "{:?}", t.writes());
}

/// `-o json|yaml` spool the rendered objects to a temporary file; where none can be made (a
/// read-only filesystem, here a TMPDIR that is a file) the list still prints, as kubectl's
/// does, the same bytes.
#[tokio::test]
async fn json_and_yaml_lists_print_where_no_temporary_file_can_be_made() {
    let t = seeded(&KUBEVIRT).await;
    let not_a_dir = t.dir.path().join("tmp-is-a-file");
    std::fs::write(&not_a_dir, "").expect("file");
    let not_a_dir = not_a_dir.to_str().expect("utf-8 path");
    for format in ["json", "yaml"] {
        let args = ["list", "-n", "staging", "-o", format];
        let usual = t.cmd().args(&args).run().await;
        usual.assert_code(0);
        let out = t.cmd().args(&args).env("TMPDIR", not_a_dir).run().await;
        out.assert_code(0);
        assert_eq!(out.stdout, usual.stdout, "-o {format}");
        assert!(out.stdout.contains("a-snap"), "{}", out.stdout);
    }
}

#[tokio::test]
async fn list_and_describe_print_what_kubectl_get_prints_in_its_formats() {
    let Some(kubectl) = vmsnap_sim::testing::kubectl() else {
        return;
    };
    let formats = [
        "json",
        "yaml",
        "jsonpath={.items[*].metadata.name}",
        r#"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}"#,
        "custom-columns=NAME:.metadata.name,PHASE:.status.phase,RANK:.metadata.labels.example\\.com/rank",
    ];
    for p in [VM_OPERATOR, DECKHOUSE] {
        let t = seeded(&p).await;
        // The default order is kubectl's creation-time sort (ties by name, the server's order).
        let orders: [(&str, &[&str]); 2] = [
            ("--sort-by=.metadata.creationTimestamp", &[]),
            (
                r"--sort-by={.metadata.labels.example\.com/rank}",
                &["--sort-by", r"{.metadata.labels.example\.com/rank}"],
            ),
        ];
        for format in formats {
            for (kubectl_sort, ours) in orders {
                let get = [p.resource, "-n", "staging", kubectl_sort, "-o", format];
                let theirs = kubectl_get(&t, &kubectl, &get).await;
                let out = t
                    .cmd()
                    .args(&["list", "-n", "staging", "-o", format])
                    .args(ours)
                    .run()
                    .await;
                out.assert_code(0);
                assert_eq!(out.stdout, theirs, "{}: list {ours:?} -o {format}", p.name);
            }
        }
        for format in [
            "json",
            "yaml",
            "jsonpath={.metadata.name} {.status.phase}",
            "custom-columns=NAME:.metadata.name,PHASE:.status.phase",
        ] {
            let theirs = kubectl_get(
                &t,
                &kubectl,
                &[p.resource, "a-snap", "-n", "staging", "-o", format],
            )
            .await;
            let out = t
                .cmd()
                .args(&["describe", "a-snap", "-n", "staging", "-o", format])
                .run()
                .await;
            out.assert_code(0);
            assert_eq!(out.stdout, theirs, "{}: describe -o {format}", p.name);
        }
        assert!(t.writes().is_empty(), "{}: {:?}", p.name, t.writes());
    }
}
