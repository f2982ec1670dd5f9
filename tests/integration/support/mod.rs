//! Test harness: a simulator per test, a just-style builder for binary runs, in-process runs.

pub mod bare;
pub mod redact;
pub mod scripted_ui;
pub mod tty;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kubectl_vmsnap::env::{Clock, Env};
use vmsnap_sim::{Sim, SimConfig};

pub use scripted_ui::{Answer, ScriptedUi};

/// The instant VMSNAP_NOW fixes for name generation.
pub const NOW: &str = "2026-11-26T10:00:00Z";

/// A running simulator with a kubeconfig for its default user.
pub struct TestSim {
    pub sim: Sim,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

impl TestSim {
    /// The tests' own scenario (tests/integration/scenario), controllers sped up 100 times.
    /// Returns once the scenario has settled (its snapshots finished, its VMs running), so
    /// no test races the scenario's own start-up.
    pub async fn start() -> TestSim {
        let t = Self::with(config()).await;
        t.snapshot_ready("pre-upgrade-snapshot").await;
        t.snapshot_ready("web-02-nightly").await;
        t.snapshot_failed("failed-snapshot").await;
        t.vm_status("database-01", "Running").await;
        t.vm_status("web-02", "Running").await;
        t.wait_until(VMS, "production", "web-02", |v| {
            v["status"]["snapshotInProgress"].is_null()
        })
        .await;
        t.wait_until(VMS, "production", "database-01", |v| {
            v["status"]["snapshotInProgress"].is_null()
        })
        .await;
        t
    }

    /// A simulator from `config`; the kubeconfig is for user "admin" in namespace "production".
    pub async fn with(config: SimConfig) -> TestSim {
        let sim = Sim::start(config).await.expect("simulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        sim.write_kubeconfig(&kubeconfig, "admin", "production")
            .expect("kubeconfig");
        TestSim {
            sim,
            dir,
            kubeconfig,
        }
    }

    /// The simulator's VM Operator scenario (tests/sim/scenarios/vmoperator, a Supervisor
    /// serving VM Operator only), controllers sped up 100 times; kubeconfig in `dev-team`.
    pub async fn vmoperator() -> TestSim {
        Self::platform("vmoperator", "dev-team").await
    }

    /// The simulator's Deckhouse scenario (tests/sim/scenarios/deckhouse), controllers sped
    /// up 100 times; kubeconfig in `my-project`.
    pub async fn deckhouse() -> TestSim {
        Self::platform("deckhouse", "my-project").await
    }

    /// One of the simulator's platform scenarios, with the kubeconfig in `ns`.
    pub async fn platform(scenario: &str, ns: &str) -> TestSim {
        Self::platform_with(scenario, ns, None).await
    }

    /// One of the simulator's platform scenarios with `overlay` (a sim.yaml) layered over
    /// it, with the kubeconfig in `ns`.
    pub async fn platform_with(scenario: &str, ns: &str, overlay: Option<&str>) -> TestSim {
        let mut scenarios = vec![
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/sim/scenarios")
                .join(scenario),
        ];
        let overlay_dir = tempfile::tempdir().expect("tempdir");
        if let Some(text) = overlay {
            std::fs::write(overlay_dir.path().join("sim.yaml"), text).expect("overlay");
            scenarios.push(overlay_dir.path().to_path_buf());
        }
        let config = SimConfig {
            default_scenario: false,
            scenarios,
            time_scale: 0.01,
            ..SimConfig::default()
        };
        let t = Self::with(config).await;
        t.sim
            .write_kubeconfig(&t.kubeconfig, "admin", ns)
            .expect("kubeconfig");
        t
    }

    /// A kubeconfig for another user and namespace.
    pub fn kubeconfig_for(&self, user: &str, ns: &str) -> PathBuf {
        let p = self.dir.path().join(format!("kubeconfig-{user}-{ns}"));
        self.sim.write_kubeconfig(&p, user, ns).expect("kubeconfig");
        p
    }

    /// A binary run against this simulator.
    pub fn cmd(&self) -> Run {
        Run::new(&self.kubeconfig)
    }

    /// Write requests (POST/PUT/PATCH/DELETE) the plugin made. Access reviews are POSTs that
    /// change nothing (`kubectl auth can-i`), so they are not counted.
    pub fn writes(&self) -> Vec<vmsnap_sim::RequestRecord> {
        let mut w = self.sim.writes();
        w.retain(|r| !r.path.ends_with("/selfsubjectaccessreviews"));
        w
    }
}

/// The tests' scenario: production with database-01 (agent), web-02 (no agent), batch-03
/// (stopped), archive-01 (no VolumeSnapshotClass), stuck-01 (snapshots never finish).
pub fn config() -> SimConfig {
    SimConfig {
        default_scenario: false,
        scenarios: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/scenario")],
        time_scale: 0.01,
        ..SimConfig::default()
    }
}

impl TestSim {
    /// Waits (on store events, 10s at most) until `cond` holds for the object at `gvr`.
    pub async fn wait_until(
        &self,
        gvr: (&str, &str, &str),
        ns: &str,
        name: &str,
        cond: impl Fn(&serde_json::Value) -> bool,
    ) {
        let gvr = vmsnap_sim::Gvr::new(gvr.0, gvr.1, gvr.2);
        let mut events = self.sim.store().subscribe();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if self
                .sim
                .store()
                .get(&gvr, Some(ns), name)
                .as_ref()
                .is_some_and(&cond)
            {
                return;
            }
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(_) => {}
                Err(_) => panic!("timed out waiting for {ns}/{name}"),
            }
        }
    }

    /// Waits until a snapshot is Succeeded and readyToUse.
    pub async fn snapshot_ready(&self, name: &str) {
        self.wait_until(SNAPSHOTS, "production", name, |v| {
            v["status"]["readyToUse"] == true && v["status"]["phase"] == "Succeeded"
        })
        .await;
    }

    /// Waits until a snapshot has failed.
    pub async fn snapshot_failed(&self, name: &str) {
        self.wait_until(SNAPSHOTS, "production", name, |v| {
            v["status"]["phase"] == "Failed"
        })
        .await;
    }

    /// Waits until a VM reports `status`.
    pub async fn vm_status(&self, name: &str, status: &str) {
        self.wait_until(VMS, "production", name, |v| {
            v["status"]["printableStatus"] == status
        })
        .await;
    }
}

/// Records a Warning Event about the object `name` of `gvr` in `ns`, as a controller would.
pub fn plant_event(t: &TestSim, gvr: (&str, &str, &str), ns: &str, name: &str, reason: &str) {
    let obj = t
        .sim
        .store()
        .get(&vmsnap_sim::Gvr::new(gvr.0, gvr.1, gvr.2), Some(ns), name)
        .expect("the object the event is about");
    let event = serde_json::json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": format!("{name}.1"), "namespace": ns},
        "involvedObject": {"apiVersion": obj["apiVersion"], "kind": obj["kind"],
            "name": name, "namespace": ns, "uid": obj["metadata"]["uid"]},
        "type": "Warning", "reason": reason, "message": "planted by the test",
        "source": {"component": "test-controller"}, "count": 1,
        "firstTimestamp": "2026-11-26T09:59:00Z", "lastTimestamp": "2026-11-26T09:59:00Z",
    });
    t.sim
        .store()
        .create(&vmsnap_sim::Gvr::new("", "v1", "events"), event)
        .expect("event recorded");
}

/// (group, version, plural) of VirtualMachineSnapshots.
pub const SNAPSHOTS: (&str, &str, &str) =
    ("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
/// (group, version, plural) of VirtualMachines.
pub const VMS: (&str, &str, &str) = ("kubevirt.io", "v1", "virtualmachines");

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Exit code, stdout and stderr with ports, uids and temp paths redacted.
    pub fn transcript(&self) -> String {
        redact::redact(&format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        ))
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "unexpected exit code\n{}",
            self.transcript()
        );
        self
    }

    #[track_caller]
    pub fn assert_stderr_contains(&self, s: &str) -> &Self {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\n{}",
            self.transcript()
        );
        self
    }

    #[track_caller]
    pub fn assert_stdout_contains(&self, s: &str) -> &Self {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\n{}",
            self.transcript()
        );
        self
    }
}

/// A just-style builder for one run of the real binary: null stdin, VMSNAP_NOW fixed.
#[must_use]
pub struct Run {
    args: Vec<String>,
    env: Vec<(String, String)>,
    kubeconfig: PathBuf,
}

impl Run {
    pub fn new(kubeconfig: &Path) -> Run {
        Run {
            args: Vec::new(),
            env: Vec::new(),
            kubeconfig: kubeconfig.to_path_buf(),
        }
    }

    pub fn args(mut self, args: &[&str]) -> Run {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn kubeconfig(mut self, p: &Path) -> Run {
        self.kubeconfig = p.to_path_buf();
        self
    }

    #[allow(dead_code)]
    pub fn env(mut self, k: &str, v: &str) -> Run {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// Runs the binary and sends it SIGINT once a stderr line contains `marker`.
    pub async fn interrupt_after(self, marker: &str) -> Output {
        self.signal_after(marker, "INT").await
    }

    /// Runs the binary and sends it `signal` (`INT`, `TERM`, `HUP`) once a stderr line
    /// contains `marker`.
    pub async fn signal_after(self, marker: &str, signal: &'static str) -> Output {
        use std::io::{BufRead, BufReader, Read};
        let marker = marker.to_string();
        tokio::task::spawn_blocking(move || {
            let mut child = self
                .command()
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("binary starts");
            let mut stderr = String::new();
            let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
            loop {
                let mut line = String::new();
                if lines.read_line(&mut line).expect("stderr line") == 0 {
                    break;
                }
                stderr.push_str(&line);
                if line.contains(&marker) {
                    std::process::Command::new("kill")
                        .args([&format!("-{signal}"), &child.id().to_string()])
                        .status()
                        .expect("kill runs");
                    break;
                }
            }
            lines.read_to_string(&mut stderr).expect("rest of stderr");
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
                stderr,
            }
        })
        .await
        .expect("runner thread")
    }

    fn command(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-vmsnap"));
        c.args(&self.args)
            .env_clear()
            .env("KUBECONFIG", &self.kubeconfig)
            .env("VMSNAP_NOW", NOW)
            .env("HOME", "/nonexistent")
            .envs(self.env.clone())
            .stdin(std::process::Stdio::null());
        c
    }

    /// Runs the binary on the blocking pool so the simulator keeps serving.
    pub async fn run(self) -> Output {
        tokio::task::spawn_blocking(move || {
            let out = self.command().output().expect("binary runs");
            Output {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .await
        .expect("runner thread")
    }
}

/// A writer tests can read after the run.
#[derive(Clone, Default)]
pub struct Buf(pub Arc<Mutex<Vec<u8>>>);

impl Buf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("buffer")).into_owned()
    }
}

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the plugin in-process with `ui`, `--kubeconfig` pointing at the simulator.
pub async fn run_in_process(sim: &TestSim, ui: ScriptedUi, args: &[&str]) -> Output {
    let (out, err) = (Buf::default(), Buf::default());
    let clock = Clock::Fixed(NOW.parse().expect("timestamp"));
    let mut env = Env::new(
        Box::new(out.clone()),
        Box::new(err.clone()),
        Box::new(ui),
        clock,
    );
    let mut argv: Vec<OsString> = vec!["kubectl-vmsnap".into()];
    argv.extend(args.iter().map(OsString::from));
    argv.push("--kubeconfig".into());
    argv.push(sim.kubeconfig.clone().into());
    let code = kubectl_vmsnap::run(argv, &mut env).await;
    Output {
        code,
        stdout: out.text(),
        stderr: err.text(),
    }
}
