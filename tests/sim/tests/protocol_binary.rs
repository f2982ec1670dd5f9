//! The `vmsnap-sim serve` binary: it writes the kubeconfig once it serves, prints its URL,
//! honours --scenario/--user/--namespace, and answers with the scenario's users.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod protocol_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use protocol_support::Client;
use serde_json::Value;

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_writes_a_working_kubeconfig_once_ready_and_prints_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario");
    std::fs::create_dir(&scenario).unwrap();
    std::fs::write(
        scenario.join("vm.yaml"),
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: db, namespace: lab}\nspec: {runStrategy: Halted, template: {spec: {domain: {devices: {}}}}}\n",
    )
    .unwrap();
    std::fs::write(
        scenario.join("sim.yaml"),
        "users:\n- name: carol\n  token: carol-secret\n  rules: [{verbs: [get, list]}]\n",
    )
    .unwrap();
    let kubeconfig = dir.path().join("kc");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vmsnap-sim"))
        .args([
            "serve",
            "--no-default-scenario",
            "--time-scale",
            "0",
            "--user",
            "carol",
            "-n",
            "lab",
            "--scenario",
        ])
        .arg(&scenario)
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _guard = Serve(child);
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let url = first
        .trim()
        .strip_prefix("vmsnap-sim serving at ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    // The kubeconfig exists by the time the URL is printed.
    let kc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&kubeconfig).unwrap()).unwrap();
    assert_eq!(kc["users"][0]["user"]["token"], "carol-secret");
    assert_eq!(kc["contexts"][0]["context"]["namespace"], "lab");
    let server = kc["clusters"][0]["cluster"]["server"].as_str().unwrap();
    assert_eq!(server.strip_prefix("https://"), url.strip_prefix("http://"));

    let c = Client::new(
        url.strip_prefix("http://").unwrap().parse().unwrap(),
        Some("carol-secret"),
    );
    let vm = c
        .get("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/db")
        .await;
    assert_eq!(vm.status, 200);
    let denied = c
        .delete("/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/db")
        .await;
    assert_eq!(denied.status, 403);
    let log = Client::new(c.addr, None).get("/sim/requests").await.json();
    assert_eq!(log.as_array().unwrap().len(), 2);
}
