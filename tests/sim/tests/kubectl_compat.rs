//! The real kubectl (v1.32) against the simulator: discovery, tables, YAML, create, watch to
//! Succeeded, delete, 401/403/422. Skipped with a note when kubectl is missing, except under
//! CI=true where that is a failure.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use vmsnap_sim::{Gvr, Sim, SimConfig};

const TIMEOUT: Duration = Duration::from_secs(30);

fn kubectl_binary() -> Option<PathBuf> {
    vmsnap_sim::testing::kubectl()
}

struct Kubectl {
    bin: PathBuf,
    dir: tempfile::TempDir,
}

impl Kubectl {
    fn new(bin: PathBuf, sim: &Sim) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for user in ["admin", "alice", "stranger"] {
            std::fs::write(
                dir.path().join(format!("{user}.kubeconfig")),
                sim.kubeconfig(user, "prod"),
            )
            .unwrap();
        }
        Kubectl { bin, dir }
    }

    fn command(&self, user: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--kubeconfig")
            .arg(self.dir.path().join(format!("{user}.kubeconfig")))
            .arg("--cache-dir")
            .arg(self.dir.path().join(format!("cache-{user}")))
            .args(args)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null());
        cmd
    }

    async fn run_as(&self, user: &str, args: &[&str]) -> Output {
        let mut cmd = self.command(user, args);
        tokio::task::spawn_blocking(move || cmd.output().expect("kubectl runs"))
            .await
            .unwrap()
    }

    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run_as("admin", args).await;
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// prod with a stopped VM db-01 and a finished snapshot snap-1.
async fn start() -> Option<(Sim, Kubectl)> {
    let bin = kubectl_binary()?;
    let sim = Sim::start(SimConfig {
        time_scale: 0.05,
        ..SimConfig::empty()
    })
    .await
    .unwrap();
    let s = sim.store();
    s.create(&Gvr::new("", "v1", "namespaces"), json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}, "status": {"phase": "Active"}})).unwrap();
    s.create(
        &Gvr::new("kubevirt.io", "v1", "virtualmachines"),
        json!({"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "db-01", "namespace": "prod"}, "spec": {"runStrategy": "Halted", "template": {"spec": {"domain": {"devices": {}}}}}}),
    )
    .unwrap();
    s.create(
        &Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
        json!({"apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot", "metadata": {"name": "snap-1", "namespace": "prod"},
               "spec": {"source": {"apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "db-01"}}}),
    )
    .unwrap();
    let k = Kubectl::new(bin, &sim);
    Some((sim, k))
}

const SNAPSHOT: &str = "apiVersion: snapshot.kubevirt.io/v1beta1\nkind: VirtualMachineSnapshot\nmetadata:\n  name: before-upgrade\n  namespace: prod\nspec:\n  source:\n    apiGroup: kubevirt.io\n    kind: VirtualMachine\n    name: db-01\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_api_resources_lists_the_kubevirt_kinds() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let out = k.ok(&["api-resources"]).await;
    let line = out
        .lines()
        .find(|l| l.starts_with("virtualmachinesnapshots "))
        .expect("vmsnapshots listed");
    assert!(
        line.contains("vmsnapshot")
            && line.contains("snapshot.kubevirt.io/v1beta1")
            && line.contains("VirtualMachineSnapshot"),
        "{line}"
    );
    for kind in [
        "VirtualMachine",
        "VolumeSnapshotClass",
        "DataVolume",
        "PersistentVolumeClaim",
        "VirtualMachineClone",
    ] {
        assert!(
            out.lines()
                .any(|l| l.split_whitespace().last() == Some(kind)),
            "{kind} missing from:\n{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_gets_vms_and_snapshots_across_namespaces_with_printer_columns() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let out = k.ok(&["get", "vm,vmsnapshot", "-A"]).await;
    assert!(out.contains("NAMESPACE"), "{out}");
    assert!(out.contains("virtualmachine.kubevirt.io/db-01"), "{out}");
    assert!(
        out.contains("virtualmachinesnapshot.snapshot.kubevirt.io/snap-1"),
        "{out}"
    );
    assert!(
        out.contains("SOURCEKIND") && out.contains("READYTOUSE"),
        "{out}"
    );
    let short = k
        .ok(&["get", "vmsnapshots", "-n", "prod", "-o", "name"])
        .await;
    assert_eq!(
        short.trim(),
        "virtualmachinesnapshot.snapshot.kubevirt.io/snap-1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_prints_one_snapshot_as_yaml() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let out = k
        .ok(&["get", "vmsnapshot", "snap-1", "-n", "prod", "-o", "yaml"])
        .await;
    let v: Value = serde_saphyr::from_str(&out).unwrap();
    assert_eq!(v["kind"], "VirtualMachineSnapshot");
    assert_eq!(v["apiVersion"], "snapshot.kubevirt.io/v1beta1");
    assert_eq!(v["spec"]["source"]["name"], "db-01");
    assert!(v["metadata"]["uid"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_creates_a_snapshot_watches_it_succeed_and_deletes_it() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let file = k.file("snap.yaml", SNAPSHOT);
    let out = k.ok(&["create", "-f", &file]).await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.snapshot.kubevirt.io/before-upgrade created"
    );

    let mut child = k
        .command(
            "admin",
            &["get", "vmsnapshot", "before-upgrade", "-n", "prod", "-w"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let seen = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        while let Ok(line) = rx.recv_timeout(TIMEOUT) {
            let done = line.contains("Succeeded");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.first().is_some_and(|l| l.starts_with("NAME")),
        "{seen:?}"
    );
    let last = seen.last().unwrap();
    assert!(
        last.starts_with("before-upgrade") && last.contains("Succeeded") && last.contains("true"),
        "{seen:?}"
    );

    let out = k
        .ok(&["delete", "vmsnapshot", "before-upgrade", "-n", "prod"])
        .await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.snapshot.kubevirt.io \"before-upgrade\" deleted"
    );
    let gone = k
        .run_as(
            "admin",
            &["get", "vmsnapshot", "before-upgrade", "-n", "prod"],
        )
        .await;
    assert!(!gone.status.success());
    // The simulator serves three providers' `vmsnapshot`: kubectl warns about the others.
    let err = stderr(&gone);
    let err: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("Warning: short name \"vmsnapshot\" could also match"))
        .collect();
    assert_eq!(
        err.join("\n").trim(),
        "Error from server (NotFound): virtualmachinesnapshots.snapshot.kubevirt.io \"before-upgrade\" not found"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_is_refused_with_403_for_a_user_without_rights() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let file = k.file("snap.yaml", SNAPSHOT);
    let out = k.run_as("alice", &["create", "-f", &file]).await;
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "Error from server (Forbidden): error when creating \"{file}\": virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User \"alice\" cannot create resource \"virtualmachinesnapshots\" in API group \"snapshot.kubevirt.io\" in the namespace \"prod\""
        )
    );
    let can = k
        .run_as(
            "alice",
            &[
                "auth",
                "can-i",
                "create",
                "virtualmachinesnapshots.snapshot.kubevirt.io",
                "-n",
                "prod",
            ],
        )
        .await;
    assert_eq!(String::from_utf8_lossy(&can.stdout).trim(), "no");
    let can = k
        .run_as(
            "alice",
            &[
                "auth",
                "can-i",
                "list",
                "virtualmachines.kubevirt.io",
                "-n",
                "prod",
            ],
        )
        .await;
    assert_eq!(String::from_utf8_lossy(&can.stdout).trim(), "yes");
    let list = k
        .run_as("alice", &["auth", "can-i", "--list", "-n", "prod"])
        .await;
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(
        list.lines()
            .any(|l| l.starts_with("*.snapshot.kubevirt.io") && l.ends_with("[get list watch]")),
        "{list}"
    );
    let read = k.run_as("alice", &["get", "vm", "-n", "prod"]).await;
    assert!(read.status.success(), "{}", stderr(&read));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_with_an_unknown_token_must_log_in() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let out = k.run_as("stranger", &["get", "vm", "-n", "prod"]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("You must be logged in to the server"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_422_for_an_invalid_snapshot_spec() {
    let Some((sim, k)) = start().await else {
        return;
    };
    if !sim.schema_validation() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI must have the reference CRD schemas"
        );
        eprintln!("note: reference CRD schemas not found; skipping the 422 kubectl test");
        return;
    }
    let file = k.file("bad.yaml", "apiVersion: snapshot.kubevirt.io/v1beta1\nkind: VirtualMachineSnapshot\nmetadata:\n  name: bad\n  namespace: prod\nspec:\n  deletionPolicy: Delete\n");
    let out = k.run_as("admin", &["create", "-f", &file]).await;
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out).trim(),
        "The VirtualMachineSnapshot \"bad\" is invalid: spec.source: Required value"
    );
    let bogus = k.file(
        "bogus.yaml",
        &SNAPSHOT.replace("spec:\n", "spec:\n  bogus: 1\n"),
    );
    let out = k.run_as("admin", &["create", "-f", &bogus]).await;
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "Error from server (BadRequest): error when creating \"{bogus}\": VirtualMachineSnapshot in version \"v1beta1\" cannot be handled as a VirtualMachineSnapshot: strict decoding error: unknown field \"spec.bogus\""
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_patches_and_lists_as_json() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    k.ok(&["label", "vm", "db-01", "-n", "prod", "tier=gold"])
        .await;
    k.ok(&[
        "patch",
        "vm",
        "db-01",
        "-n",
        "prod",
        "--type",
        "merge",
        "-p",
        // Not the run strategy: KubeVirt's VM webhook refuses that while snap-1 is taken.
        r#"{"spec":{"template":{"spec":{"domain":{"cpu":{"cores":2}}}}}}"#,
    ])
    .await;
    let out = k
        .ok(&["get", "vm", "-n", "prod", "-l", "tier=gold", "-o", "json"])
        .await;
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["items"][0]["spec"]["template"]["spec"]["domain"]["cpu"]["cores"],
        2
    );
    assert_eq!(v["items"][0]["spec"]["runStrategy"], "Halted");
    assert_eq!(v["items"][0]["metadata"]["labels"]["tier"], "gold");
    let none = k
        .ok(&["get", "vm", "-n", "prod", "-l", "tier=silver", "-o", "name"])
        .await;
    assert!(none.trim().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_server_dry_run_writes_nothing() {
    let Some((sim, k)) = start().await else {
        return;
    };
    let file = k.file("snap.yaml", SNAPSHOT);
    sim.clear_requests();
    let out = k.ok(&["create", "-f", &file, "--dry-run=server"]).await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.snapshot.kubevirt.io/before-upgrade created (server dry run)"
    );
    let writes = sim.writes();
    assert_eq!(writes.len(), 1);
    assert!(writes[0].dry_run);
    let gone = k
        .run_as(
            "admin",
            &["get", "vmsnapshot", "before-upgrade", "-n", "prod"],
        )
        .await;
    assert!(!gone.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_describes_a_snapshot_with_its_events() {
    let Some((sim, k)) = start().await else {
        return;
    };
    let uid = sim
        .store()
        .get(
            &Gvr::new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
            Some("prod"),
            "snap-1",
        )
        .unwrap()["metadata"]["uid"]
        .clone();
    sim.store()
        .create(
            &Gvr::new("", "v1", "events"),
            json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "snap-1.1", "namespace": "prod"},
                   "involvedObject": {"kind": "VirtualMachineSnapshot", "name": "snap-1", "namespace": "prod", "uid": uid, "apiVersion": "snapshot.kubevirt.io/v1beta1"},
                   "reason": "SnapshotReady", "message": "snapshot is ready", "type": "Normal", "count": 1,
                   "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z"}),
        )
        .unwrap();
    let out = k
        .ok(&["describe", "vmsnapshot", "snap-1", "-n", "prod"])
        .await;
    assert!(out.contains("Name:         snap-1"), "{out}");
    assert!(
        out.contains("SnapshotReady") && out.contains("snapshot is ready"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_patch_of_the_run_strategy_is_refused_while_a_snapshot_or_restore_holds_the_vm() {
    let Some((sim, k)) = start().await else {
        return;
    };
    // The fixture's own snapshot first runs its course (it holds the VM meanwhile).
    k.ok(&[
        "wait",
        "vmsnapshot.snapshot.kubevirt.io/snap-1",
        "-n",
        "prod",
        "--for=jsonpath={.status.phase}=Succeeded",
        "--timeout=20s",
    ])
    .await;
    let vm = Gvr::new("kubevirt.io", "v1", "virtualmachines");
    let hold = |field: &str, value: Option<&str>| {
        sim.store()
            .mutate(&vm, Some("prod"), "db-01", |v| {
                v["status"] = json!({});
                if let Some(value) = value {
                    v["status"][field] = json!(value);
                }
            })
            .unwrap();
    };
    hold("snapshotInProgress", Some("nightly"));
    let patch = |strategy: &str| {
        vec![
            "patch".to_string(),
            "vm".into(),
            "db-01".into(),
            "-n".into(),
            "prod".into(),
            "--type".into(),
            "merge".into(),
            "-p".into(),
            format!(r#"{{"spec":{{"runStrategy":"{strategy}"}}}}"#),
        ]
    };
    let args = patch("Always");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = k.run_as("admin", &args).await;
    assert!(!out.status.success());
    assert!(
        // kubectl words a 422 without an object name as "The request is invalid: FIELD: MESSAGE".
        stderr(&out).contains(
            "The request is invalid: spec: Cannot update vm running state until snapshot \"nightly\" completes"
        ),
        "{}",
        stderr(&out)
    );
    // Labels are not held.
    k.ok(&["label", "vm", "db-01", "-n", "prod", "tier=gold"])
        .await;
    hold("restoreInProgress", Some("restore-1"));
    let out = k.run_as("admin", &args).await;
    assert!(
        stderr(&out).contains("Cannot update VM runStrategy until restore \"restore-1\" completes"),
        "{}",
        stderr(&out)
    );
    hold("restoreInProgress", None);
    k.ok(&args).await;
    assert_eq!(
        sim.store().get(&vm, Some("prod"), "db-01").unwrap()["spec"]["runStrategy"],
        "Always"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_a_user_claim_bound_to_a_provisioned_volume() {
    let Some((sim, k)) = start().await else {
        return;
    };
    sim.store()
        .create(
            &Gvr::new("storage.k8s.io", "v1", "storageclasses"),
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": "rook-ceph.rbd.csi.ceph.com", "volumeBindingMode": "Immediate"}),
        )
        .unwrap();
    // The claim of KubeVirt's examples/vm-alpine-multipvc.yaml, on the default class.
    let file = k.file(
        "pvc.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: disk-alpine\n  namespace: prod\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n",
    );
    k.ok(&["create", "-f", &file]).await;
    let out = k
        .ok(&[
            "wait",
            "pvc/disk-alpine",
            "-n",
            "prod",
            "--for=jsonpath={.status.phase}=Bound",
            "--timeout=20s",
        ])
        .await;
    assert!(out.contains("condition met"), "{out}");
    let volume = k
        .ok(&[
            "get",
            "pvc",
            "disk-alpine",
            "-n",
            "prod",
            "-o",
            "jsonpath={.spec.volumeName} {.spec.storageClassName}",
        ])
        .await;
    let (pv, class) = volume.split_once(' ').unwrap();
    assert!(pv.starts_with("pvc-"), "{volume}");
    assert_eq!(class, "standard");
    let phase = k
        .ok(&[
            "get",
            "pv",
            pv,
            "-o",
            "jsonpath={.status.phase} {.spec.claimRef.name}",
        ])
        .await;
    assert_eq!(phase, "Bound disk-alpine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_create_of_a_restore_follows_the_restore_webhook() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let restore = |name: &str, target: &str, policy: &str| {
        format!(
            "apiVersion: snapshot.kubevirt.io/v1beta1\nkind: VirtualMachineRestore\nmetadata:\n  name: {name}\n  namespace: prod\nspec:\n  target:\n    apiGroup: kubevirt.io\n    kind: VirtualMachine\n    name: {target}\n  virtualMachineSnapshotName: snap-1\n  volumeRestorePolicy: {policy}\n"
        )
    };
    let bad = k.file("bad.yaml", &restore("r-bad", "db-01", "Prefix"));
    let out = k.run_as("admin", &["create", "-f", &bad]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("volume restore policy \"Prefix\" doesn't exist"),
        "{}",
        stderr(&out)
    );
    let good = k.file(
        "good.yaml",
        &restore("r-prefix", "db-01", "PrefixTargetName"),
    );
    k.ok(&["create", "-f", &good]).await;
}

const CLONE: &str = "apiVersion: clone.kubevirt.io/v1beta1\nkind: VirtualMachineClone\nmetadata:\n  name: copy\n  namespace: prod\nspec:\n  source:\n    apiGroup: kubevirt.io\n    kind: VirtualMachine\n    name: db-01\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_create_of_a_clone_onto_its_own_source_is_refused_by_the_clone_webhook() {
    let Some((sim, k)) = start().await else {
        return;
    };
    let file = k.file(
        "self-clone.yaml",
        &format!("{CLONE}  target:\n    apiGroup: kubevirt.io\n    kind: VirtualMachine\n    name: db-01\n"),
    );
    let out = k.run_as("admin", &["create", "-f", &file]).await;
    assert!(!out.status.success());
    // kubectl words a 422 whose details carry only causes as "The request is invalid".
    assert_eq!(
        stderr(&out).trim(),
        "The request is invalid: spec.target.name: Target name cannot be equal to source name when both are VirtualMachines"
    );
    assert!(
        sim.store()
            .get(
                &Gvr::new("clone.kubevirt.io", "v1beta1", "virtualmachineclones"),
                Some("prod"),
                "copy"
            )
            .is_none(),
        "nothing stored"
    );
    let vm = sim
        .store()
        .get(
            &Gvr::new("kubevirt.io", "v1", "virtualmachines"),
            Some("prod"),
            "db-01",
        )
        .unwrap();
    assert_eq!(vm["metadata"]["generation"], 1, "the source VM untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_create_of_a_clone_without_target_gets_one_from_the_mutating_webhook() {
    let Some((_sim, k)) = start().await else {
        return;
    };
    let file = k.file("clone.yaml", CLONE);
    k.ok(&["create", "-f", &file]).await;
    let target = k
        .ok(&[
            "get",
            "vmclone",
            "copy",
            "-n",
            "prod",
            "-o",
            "jsonpath={.spec.target.kind}/{.spec.target.name}",
        ])
        .await;
    let name = target
        .strip_prefix("VirtualMachine/clone-db-01-")
        .unwrap_or("");
    assert!(
        name.len() == 5
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{target}"
    );
}
