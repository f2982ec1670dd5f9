//! The real kubectl against the simulated VM Operator and Deckhouse clusters: short names
//! resolve to the platform's kinds, create, wait (a watch) for the controller's answer,
//! admission and schema refusals, delete. Skipped with a note when kubectl is missing, except
//! under CI=true where that is a failure.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use vmsnap_sim::{Sim, SimConfig};

struct Cluster {
    _sim: Sim,
    bin: PathBuf,
    dir: tempfile::TempDir,
}

impl Cluster {
    /// One of the simulator's platform scenarios, kubectl's context in `ns`.
    async fn start(scenario: &str, ns: &str) -> Option<Cluster> {
        let bin = vmsnap_sim::testing::kubectl()?;
        let sim = Sim::start(SimConfig {
            default_scenario: false,
            scenarios: vec![
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("scenarios")
                    .join(scenario),
            ],
            time_scale: 0.05,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), sim.kubeconfig("admin", ns)).unwrap();
        Some(Cluster {
            _sim: sim,
            bin,
            dir,
        })
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--kubeconfig")
            .arg(self.dir.path().join("kubeconfig"))
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null());
        tokio::task::spawn_blocking(move || cmd.output().expect("kubectl runs"))
            .await
            .unwrap()
    }

    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_takes_a_vm_operator_snapshot_waits_for_ready_and_deletes_it() {
    let Some(k) = Cluster::start("vmoperator", "dev-team").await else {
        return;
    };
    // On a Supervisor, kubectl's `vm` and `vmsnapshot` are VM Operator's.
    let out = k.ok(&["get", "vm,vmsnapshot", "-o", "name"]).await;
    assert!(
        out.contains("virtualmachine.vmoperator.vmware.com/web-01\n"),
        "{out}"
    );
    assert!(
        out.contains("virtualmachinesnapshot.vmoperator.vmware.com/web-01-base\n"),
        "{out}"
    );
    let file = k.file(
        "snap.yaml",
        "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineSnapshot\n\
         metadata:\n  name: k1\n  namespace: dev-team\nspec:\n  vmName: web-01\n  memory: true\n",
    );
    let out = k.ok(&["create", "-f", &file]).await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.vmoperator.vmware.com/k1 created"
    );
    let out = k
        .ok(&[
            "wait",
            "--for=condition=VirtualMachineSnapshotReady",
            "vmsnapshot/k1",
            "--timeout=30s",
        ])
        .await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.vmoperator.vmware.com/k1 condition met"
    );
    // VM Operator's mutating webhook labelled it with its VM.
    let out = k
        .ok(&[
            "get",
            "vmsnapshot",
            "-l",
            "snapshot.vmoperator.vmware.com/vm-name=web-01",
            "-o",
            "name",
        ])
        .await;
    assert!(out.contains("/k1\n"), "{out}");
    let out = k.ok(&["delete", "vmsnapshot", "k1", "--wait=true"]).await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.vmoperator.vmware.com \"k1\" deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_is_refused_a_snapshot_of_a_vks_node_by_the_webhook() {
    let Some(k) = Cluster::start("vmoperator", "dev-team").await else {
        return;
    };
    let file = k.file(
        "vks.yaml",
        "apiVersion: vmoperator.vmware.com/v1alpha5\nkind: VirtualMachineSnapshot\n\
         metadata:\n  name: node-snap\n  namespace: dev-team\nspec:\n  vmName: tkc-1-np-7x2kq\n",
    );
    let out = k.run(&["create", "-f", &file]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("snapshots are not allowed for VKS/TKG nodes"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_takes_a_deckhouse_snapshot_waits_for_ready_and_deletes_it() {
    let Some(k) = Cluster::start("deckhouse", "my-project").await else {
        return;
    };
    // Deckhouse's short names: vmsnapshot is a VM *snapshot*, vd a disk, vmop an operation.
    let out = k.ok(&["get", "vmsnapshot,vd", "-o", "name"]).await;
    assert!(
        out.contains("virtualmachinesnapshot.virtualization.deckhouse.io/linux-vm-snapshot\n"),
        "{out}"
    );
    assert!(
        out.contains("virtualdisk.virtualization.deckhouse.io/linux-vm-root\n"),
        "{out}"
    );
    let file = k.file(
        "snap.yaml",
        "apiVersion: virtualization.deckhouse.io/v1alpha2\nkind: VirtualMachineSnapshot\n\
         metadata:\n  name: k1\n  namespace: my-project\nspec:\n  virtualMachineName: linux-vm\n  \
         requiredConsistency: true\n  keepIPAddress: Always\n",
    );
    let out = k.ok(&["create", "-f", &file]).await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.virtualization.deckhouse.io/k1 created"
    );
    let out = k
        .ok(&[
            "wait",
            "--for=jsonpath={.status.phase}=Ready",
            "vmsnapshot/k1",
            "--timeout=30s",
        ])
        .await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.virtualization.deckhouse.io/k1 condition met"
    );
    let out = k.ok(&["delete", "vmsnapshot", "k1", "--wait=true"]).await;
    assert_eq!(
        out.trim(),
        "virtualmachinesnapshot.virtualization.deckhouse.io \"k1\" deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_the_deckhouse_schema_refuse_an_unknown_keep_ip_address() {
    // The enum is the reference schema's (a user's clone has none).
    if vmsnap_sim::testing::reference_schemas("deckhouse").is_none() {
        return;
    }
    let Some(k) = Cluster::start("deckhouse", "my-project").await else {
        return;
    };
    let file = k.file(
        "bad.yaml",
        "apiVersion: virtualization.deckhouse.io/v1alpha2\nkind: VirtualMachineSnapshot\n\
         metadata:\n  name: bad\n  namespace: my-project\nspec:\n  virtualMachineName: linux-vm\n  \
         requiredConsistency: true\n  keepIPAddress: Sometimes\n",
    );
    let out = k.run(&["create", "-f", &file]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("is invalid"), "{err}");
    assert!(err.contains("spec.keepIPAddress"), "{err}");
    assert!(err.contains("Unsupported value: \"Sometimes\""), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_is_refused_relabelling_a_vm_operator_snapshot_to_another_vm() {
    let Some(k) = Cluster::start("vmoperator", "dev-team").await else {
        return;
    };
    // VM Operator's validating webhook checks the VM name label on update too.
    let out = k
        .run(&[
            "label",
            "vmsnapshot",
            "web-01-base",
            "snapshot.vmoperator.vmware.com/vm-name=db-01",
            "--overwrite",
        ])
        .await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("must match spec.vmName \"web-01\""), "{err}");
    let label = k
        .ok(&[
            "get",
            "vmsnapshot",
            "web-01-base",
            "-o",
            "jsonpath={.metadata.labels.snapshot\\.vmoperator\\.vmware\\.com/vm-name}",
        ])
        .await;
    assert_eq!(label, "web-01");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_sees_a_deckhouse_stop_of_an_always_on_vm_fail_for_its_run_policy() {
    let Some(k) = Cluster::start("deckhouse", "my-project").await else {
        return;
    };
    let file = k.file(
        "stop.yaml",
        "apiVersion: virtualization.deckhouse.io/v1alpha2\nkind: VirtualMachineOperation\n\
         metadata:\n  name: stop-other\n  namespace: my-project\nspec:\n  type: Stop\n  virtualMachineName: other-vm\n",
    );
    k.ok(&["create", "-f", &file]).await;
    k.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Failed",
        "vmop/stop-other",
        "--timeout=30s",
    ])
    .await;
    let message = k
        .ok(&[
            "get",
            "vmop",
            "stop-other",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Completed\")].message}",
        ])
        .await;
    assert_eq!(
        message,
        "Operation type Stop is not applicable for VirtualMachine with runPolicy AlwaysOn"
    );
}
