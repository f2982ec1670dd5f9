//! SIGTERM (`timeout`, CI cancellation) and SIGHUP (an SSH drop) are handled like Ctrl-C: at
//! the markers the SIGINT cases of `waits.rs` use, the command says what continues on the
//! cluster and how to finish, exits 128 + the signal (143, 129), and — where it stopped the VM
//! itself and nothing irreversible was sent yet — puts the VM back before exiting.

use std::io::{BufRead, BufReader, Read};

use crate::kit::{RESTORES, SNAPSHOTS, assert_writes, describe, get};
use crate::support::{NOW, Output, SNAPSHOTS as SNAPSHOT_GVR, TestSim, VMS};

const SNAPSHOT_PATH: &str = "/namespaces/production/virtualmachinesnapshots";

/// The tests' scenario with VMs that take ~1000s to stop.
async fn slow_stop() -> TestSim {
    let t = crate::kit::with_overlay("tests/faults/scenario-slow-stop").await;
    t.vm_status("web-02", "Running").await;
    t
}

#[tokio::test]
async fn sigterm_while_following_a_snapshot_exits_143_and_leaves_it_running() {
    let t = TestSim::start().await;
    let out = t
        .cmd()
        .args(&["create", "stuck-01", "--yes", "--name", "term-1", "-v", "1"])
        .signal_after("Snapshot term-1: ", "TERM")
        .await;
    out.assert_code(143)
        .assert_stderr_contains("error: stopped following snapshot term-1")
        .assert_stderr_contains(
            "hint: the snapshot continues on the cluster; follow it with: kubectl vmsnap wait term-1 -n production",
        );
    assert_writes(&t, &[("POST", SNAPSHOT_PATH, 201)]);
    let snap = get(&t, SNAPSHOT_GVR, "term-1").expect("snapshot still there");
    assert!(snap["metadata"]["deletionTimestamp"].is_null());
}

/// `create web-02 --stop --start-after` sent `signal` while the VM stops: the VM is started
/// again, no snapshot is taken, the exit code is `code`.
async fn signal_while_stopping_puts_the_vm_back(signal: &'static str, code: i32) {
    let t = slow_stop().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "sig-1",
            "-v",
            "1",
        ])
        .signal_after(", waiting for Stopped", signal)
        .await;
    out.assert_code(code)
        .assert_stderr_contains("error: stopped waiting for VM production/web-02 to be Stopped")
        .assert_stderr_contains(
            "hint: no snapshot was taken; VM production/web-02 was stopped by this command and has been started again (as it was before)",
        );
    // The stop, then the start that puts it back; no snapshot POST.
    assert_writes(
        &t,
        &[
            ("PUT", "/virtualmachines/web-02/stop", 202),
            ("PUT", "/virtualmachines/web-02/start", 202),
        ],
    );
    assert!(get(&t, SNAPSHOT_GVR, "sig-1").is_none());
    let vm = get(&t, VMS, "web-02").expect("vm");
    assert_eq!(vm["spec"]["runStrategy"], "Always", "{vm}");
}

#[tokio::test]
async fn sighup_while_stopping_for_a_snapshot_with_start_after_starts_the_vm_again_and_exits_129() {
    signal_while_stopping_puts_the_vm_back("HUP", 129).await;
}

#[tokio::test]
async fn sigterm_while_stopping_for_a_snapshot_with_start_after_starts_the_vm_again_and_exits_143()
{
    signal_while_stopping_puts_the_vm_back("TERM", 143).await;
}

#[tokio::test]
async fn sigterm_while_stopping_without_start_after_leaves_the_stop_and_says_how_to_start() {
    // Without --start-after the user asked for a stopped VM: the stop stays in effect.
    let t = slow_stop().await;
    let out = t
        .cmd()
        .args(&[
            "create", "web-02", "--stop", "--yes", "--name", "term-3", "-v", "1",
        ])
        .signal_after(", waiting for Stopped", "TERM")
        .await;
    out.assert_code(143).assert_stderr_contains(
        "hint: no snapshot was taken; the VM was asked to stop, start it again with: virtctl start web-02 -n production",
    );
    assert_writes(&t, &[("PUT", "/virtualmachines/web-02/stop", 202)]);
}

#[tokio::test]
async fn sigterm_between_the_stop_and_the_snapshot_post_starts_the_vm_again() {
    // The stop wait ends, the snapshot POST meets a 429 with Retry-After 2; SIGTERM during the
    // pause: the POST is not resent and the VM is put back.
    let t = TestSim::start().await;
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        retry_after: Some(2),
        ..crate::kit::rule("create", SNAPSHOTS, 429, Some(1))
    });
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-02",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "term-4",
            "-v",
            "6",
        ])
        .signal_after(" 429 Too Many Requests", "TERM")
        .await;
    out.assert_code(143)
        .assert_stderr_contains(
            "note: VM production/web-02 was stopped for the snapshot and has been started again",
        )
        .assert_stderr_contains("error: stopped by SIGTERM; this request was not sent (again)");
    assert_writes(
        &t,
        &[
            ("PUT", "/virtualmachines/web-02/stop", 202),
            ("POST", SNAPSHOT_PATH, 429),
            ("PUT", "/virtualmachines/web-02/start", 202),
        ],
    );
}

#[tokio::test]
async fn sigterm_while_following_a_restore_with_start_after_does_not_undo_it_and_says_how_to_finish()
 {
    let t = TestSim::start().await;
    // legacy-04's restores never finish (scenario); give it a ready snapshot first.
    crate::kit::ready_snapshot(&t, "legacy-snap", "legacy-04").await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "legacy-04",
            "--snapshot",
            "legacy-snap",
            "--stop",
            "--start-after",
            "--yes",
            "--confirm-name",
            "legacy-snap",
            "-v",
            "1",
        ])
        .signal_after("Restoring VM legacy-04: ", "TERM")
        .await;
    out.assert_code(143)
        .assert_stderr_contains("error: stopped following restore")
        .assert_stderr_contains("do not start the VM until the restore completes")
        .assert_stderr_contains(
            "the VM was not started; once the restore is complete, start it with: virtctl start legacy-04 -n production",
        );
    // The restore stays; no start was sent.
    let w = crate::kit::writes_besides_snapshots(&t);
    assert!(
        w.len() == 1 && w[0].method == "POST" && w[0].path.ends_with(RESTORES),
        "{}",
        describe(&w)
    );
}

#[tokio::test]
async fn sighup_with_stderr_gone_still_puts_the_vm_back_and_exits_129() {
    // An SSH drop: the terminal is gone, so every write to stderr fails. The command must
    // neither panic nor block on it, and still start the VM again.
    let t = slow_stop().await;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-vmsnap"));
    cmd.args([
        "create",
        "web-02",
        "--stop",
        "--start-after",
        "--yes",
        "--name",
        "hup-2",
        "-v",
        "1",
    ])
    .env_clear()
    .env("KUBECONFIG", &t.kubeconfig)
    .env("VMSNAP_NOW", NOW)
    .env("HOME", "/nonexistent")
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("binary starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).expect("stderr line") == 0 {
                break;
            }
            if line.contains(", waiting for Stopped") {
                break;
            }
        }
        // Close our end of stderr first: from now on the child's writes fail (EPIPE).
        drop(lines);
        std::process::Command::new("kill")
            .args(["-HUP", &child.id().to_string()])
            .status()
            .expect("kill runs");
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("stdout");
        let status = child.wait().expect("exit");
        Output {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr: String::new(),
        }
    })
    .await
    .expect("runner thread");
    out.assert_code(129);
    assert_writes(
        &t,
        &[
            ("PUT", "/virtualmachines/web-02/stop", 202),
            ("PUT", "/virtualmachines/web-02/start", 202),
        ],
    );
}

/// Deckhouse's scenario with VMs that take ~1000s to stop.
async fn deckhouse_slow_stop() -> TestSim {
    let overlay = "controllers:\n  vms:\n    stopDelay: 100000s\n";
    let t = TestSim::platform_with("deckhouse", "my-project", Some(overlay)).await;
    let vms = ("virtualization.deckhouse.io", "v1alpha2", "virtualmachines");
    t.wait_until(vms, "my-project", "linux-vm", |v| {
        v["status"]["phase"] == "Running"
    })
    .await;
    t.sim.clear_requests();
    t
}

#[tokio::test]
async fn sighup_while_deckhouse_stops_the_vm_says_the_stop_continues_and_how_to_start_it() {
    // Deckhouse refuses a Start while the Stop operation is unfinished, so the VM cannot be
    // put back within a bound: the command says so and sends nothing more.
    let t = deckhouse_slow_stop().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "linux-vm",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "hup-d8",
            "-v",
            "1",
        ])
        .signal_after("Stopping VM linux-vm", "HUP")
        .await;
    out.assert_code(129)
        .assert_stderr_contains("error: stopped waiting for VM my-project/linux-vm to stop")
        .assert_stderr_contains(
            "no snapshot was taken; the Stop operation continues on the cluster and a Start is refused until it finishes: once VM my-project/linux-vm is Stopped, start it with: d8 v start linux-vm -n my-project",
        );
    let w = t.writes();
    assert!(
        w.len() == 1 && w[0].method == "POST" && w[0].path.ends_with("/virtualmachineoperations"),
        "{}",
        describe(&w)
    );
}

/// VM Operator's scenario where web-01's guest never finishes shutting down.
async fn vmoperator_power_off_hangs() -> TestSim {
    let overlay = "controllers:\n  vmoperator:\n    vms:\n      web-01: { powerOffHangs: true }\n";
    let t = TestSim::platform_with("vmoperator", "dev-team", Some(overlay)).await;
    let vms = ("vmoperator.vmware.com", "v1alpha5", "virtualmachines");
    t.wait_until(vms, "dev-team", "web-01", |v| {
        v["status"]["powerState"] == "PoweredOn"
    })
    .await;
    t.sim.clear_requests();
    t
}

/// `METHOD path -> powerState` of each write, for VM Operator's power patches.
fn power_writes(t: &TestSim) -> Vec<String> {
    t.writes()
        .iter()
        .map(|w| {
            let power = w
                .body
                .as_ref()
                .and_then(|b| b["spec"]["powerState"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let tail = w.path.rsplit('/').take(2).collect::<Vec<_>>();
            format!("{} {}/{} {power}", w.method, tail[1], tail[0])
        })
        .collect()
}

#[tokio::test]
async fn sigterm_while_vm_operator_powers_off_for_a_snapshot_powers_it_on_again() {
    let t = vmoperator_power_off_hangs().await;
    let out = t
        .cmd()
        .args(&[
            "create",
            "web-01",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "term-vmop",
            "-v",
            "1",
        ])
        .signal_after(", waiting for PoweredOff", "TERM")
        .await;
    out.assert_code(143)
        .assert_stderr_contains("error: stopped waiting for VM dev-team/web-01 to be PoweredOff")
        .assert_stderr_contains(
            "hint: no snapshot was taken; VM dev-team/web-01 was stopped by this command and has been started again (as it was before)",
        );
    assert_eq!(
        power_writes(&t),
        [
            "PATCH virtualmachines/web-01 PoweredOff",
            "PATCH virtualmachines/web-01 PoweredOn"
        ]
    );
}

#[tokio::test]
async fn sighup_while_vm_operator_powers_off_before_a_revert_powers_it_on_again() {
    let t = vmoperator_power_off_hangs().await;
    let out = t
        .cmd()
        .args(&[
            "restore",
            "web-01",
            "--snapshot",
            "web-01-pre-upgrade",
            "--stop",
            "--start-after",
            "--yes",
            "--confirm-name",
            "web-01-pre-upgrade",
            "-v",
            "1",
        ])
        .signal_after(", waiting for PoweredOff", "HUP")
        .await;
    out.assert_code(129).assert_stderr_contains(
        "hint: nothing was reverted; VM dev-team/web-01 was stopped by this command and has been started again (as it was before)",
    );
    // The safety snapshot, the power-off, the power-on; no revert.
    let w = power_writes(&t);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[0].starts_with("POST "), "{w:?}");
    assert_eq!(
        w[1..],
        [
            "PATCH virtualmachines/web-01 PoweredOff",
            "PATCH virtualmachines/web-01 PoweredOn"
        ]
    );
}

#[tokio::test]
async fn sigterm_before_deckhouse_sends_the_snapshot_starts_the_vm_again() {
    // The Stop operation completes; the snapshot POST meets a 429 with Retry-After 2 and
    // SIGTERM comes in the pause: the snapshot was never sent, so a Start is asked for.
    let t = TestSim::platform_with("deckhouse", "my-project", None).await;
    let vms = ("virtualization.deckhouse.io", "v1alpha2", "virtualmachines");
    t.wait_until(vms, "my-project", "linux-vm", |v| {
        v["status"]["phase"] == "Running"
    })
    .await;
    t.sim.clear_requests();
    t.sim.faults().fail(vmsnap_sim::FaultRule {
        retry_after: Some(2),
        ..crate::kit::rule("create", "virtualmachinesnapshots", 429, Some(1))
    });
    let out = t
        .cmd()
        .args(&[
            "create",
            "linux-vm",
            "--stop",
            "--start-after",
            "--yes",
            "--name",
            "d8-term",
            "-v",
            "6",
        ])
        .signal_after(" 429 Too Many Requests", "TERM")
        .await;
    out.assert_code(143)
        .assert_stderr_contains("stopped by SIGTERM before the request was sent")
        .assert_stderr_contains(
            "hint: no snapshot was taken; VM my-project/linux-vm was stopped by this command and has been started again (as it was before)",
        );
    let w: Vec<String> = t
        .writes()
        .iter()
        .map(|w| {
            format!(
                "{} {} {}",
                w.method,
                w.path.rsplit('/').next().unwrap_or(""),
                w.status
            )
        })
        .collect();
    assert_eq!(
        w,
        [
            "POST virtualmachineoperations 201",
            "POST virtualmachinesnapshots 429",
            "POST virtualmachineoperations 201"
        ]
    );
}
