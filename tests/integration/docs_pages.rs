//! docs/commands/*.md: every `<!-- transcript: ID -->` block is regenerated from the simulator
//! and must match the page (`VMSNAP_UPDATE_GENERATED=1` rewrites the blocks instead).
//!
//! The simulator runs in a child process (this test binary, re-run on one ignored test) with
//! its clock fixed at [`NOW`]: the fixed start is process-wide and must not reach the other
//! tests. With VMSNAP_NOW at the same instant, ages and generated names are stable.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use kubectl_vmsnap::env::{Clock, Env};
use kubectl_vmsnap::ui::{NoProgress, Progress, Ui, is_yes};
use vmsnap_sim::SimConfig;

use crate::support::{Buf, NOW, TestSim, VMS};

/// Set in the child: the directory to write the simulator's kubeconfig paths to.
const CHILD_ENV: &str = "VMSNAP_DOCS_SIM";
const READY: &str = "docs-sim-ready ";

/// Added to the default scenario: a VM with nothing to snapshot, and restores of batch-01
/// that never finish (a restore in progress to refuse a delete against).
const OVERLAY_SIM: &str = "controllers:\n  restores:\n    batch-01: { outcome: Stuck }\n";
const OVERLAY_VM: &str = r##"apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: kiosk-01
  namespace: production
  creationTimestamp: '2026-10-02T09:30:00Z'
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        devices:
          disks:
          - name: containerdisk
            disk: {bus: virtio}
          - name: cloudinitdisk
            disk: {bus: virtio}
        resources:
          requests: {memory: 2Gi}
      volumes:
      - name: containerdisk
        containerDisk: {image: quay.io/containerdisks/fedora:40}
      - name: cloudinitdisk
        cloudInitNoCloud: {userData: "#cloud-config\n"}
"##;

/// The simulator for the docs, in the child process: default scenario plus the overlay,
/// instant controllers, clock standing at NOW. Serves until its stdin closes.
#[tokio::test]
#[ignore = "the simulator process of docs_pages_match_the_simulator, started by it"]
async fn docs_simulator_process() {
    let Some(dir) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let overlay = dir.join("overlay");
    std::fs::create_dir_all(&overlay).expect("overlay dir");
    std::fs::write(overlay.join("sim.yaml"), OVERLAY_SIM).expect("overlay");
    std::fs::write(overlay.join("kiosk.yaml"), OVERLAY_VM).expect("overlay");
    let t = TestSim::with(SimConfig {
        scenarios: vec![overlay],
        time_scale: 0.0,
        start_time: Some(NOW.parse().expect("timestamp")),
        ..SimConfig::default()
    })
    .await;
    for vm in [
        "database-01",
        "web-01",
        "windows-app",
        "legacy-nfs",
        "hotplug-01",
    ] {
        t.vm_status(vm, "Running").await;
    }
    for vm in ["batch-01", "kiosk-01"] {
        t.vm_status(vm, "Stopped").await;
    }
    for vm in [
        "database-01",
        "web-01",
        "windows-app",
        "legacy-nfs",
        "hotplug-01",
    ] {
        t.wait_until(
            ("kubevirt.io", "v1", "virtualmachineinstances"),
            "production",
            vm,
            |v| v["status"]["phase"] == "Running",
        )
        .await;
    }
    t.wait_until(VMS, "production", "database-01", |v| {
        v["status"]["snapshotInProgress"].is_null()
    })
    .await;
    let alice = t.kubeconfig_for("alice", "production");
    // The other platforms' pages run against clusters of their own, as users have them.
    let platforms = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sim/scenarios");
    let mut others = Vec::new();
    for (scenario, ns) in [("vmoperator", "dev-team"), ("deckhouse", "my-project")] {
        let other = TestSim::with(SimConfig {
            default_scenario: false,
            scenarios: vec![platforms.join(scenario)],
            time_scale: 0.0,
            start_time: Some(NOW.parse().expect("timestamp")),
            ..SimConfig::default()
        })
        .await;
        other
            .sim
            .write_kubeconfig(&other.kubeconfig, "admin", ns)
            .expect("kubeconfig");
        others.push(other);
    }
    println!(
        "{READY}{} {} {} {}",
        t.kubeconfig.display(),
        alice.display(),
        others[0].kubeconfig.display(),
        others[1].kubeconfig.display()
    );
    std::io::stdout().flush().expect("stdout");
    tokio::task::spawn_blocking(|| {
        let mut rest = String::new();
        let _ = std::io::stdin().read_to_string(&mut rest);
    })
    .await
    .expect("stdin reader");
}

/// The child simulator; killed when dropped (also on a failed assertion).
struct ChildSim {
    child: Child,
    _stdin: ChildStdin,
    admin: PathBuf,
    alice: PathBuf,
    /// The VM Operator cluster (namespace dev-team).
    vmoperator: PathBuf,
    /// The Deckhouse cluster (namespace my-project).
    deckhouse: PathBuf,
    _dir: tempfile::TempDir,
}

impl ChildSim {
    fn start() -> ChildSim {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "docs_pages::docs_simulator_process",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("simulator process starts");
        let stdin = child.stdin.take().expect("stdin");
        // libtest prints the test's name on the same line, so READY is looked for anywhere;
        // a reader thread and a timeout keep a broken child from hanging the suite.
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(i) = line.find(READY) {
                    let _ = tx.send(line[i + READY.len()..].to_string());
                    break;
                }
            }
        });
        let ready = match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the docs simulator process did not get ready")
            }
        };
        let mut paths = ready.split(' ').map(PathBuf::from);
        let admin = paths.next().expect("admin kubeconfig");
        let alice = paths.next().expect("alice kubeconfig");
        let vmoperator = paths.next().expect("VM Operator kubeconfig");
        let deckhouse = paths.next().expect("Deckhouse kubeconfig");
        ChildSim {
            child,
            _stdin: stdin,
            admin,
            alice,
            vmoperator,
            deckhouse,
            _dir: dir,
        }
    }
}

impl ChildSim {
    /// The admin kubeconfig of the cluster whose namespace `args` names.
    fn cluster_for(&self, args: &[&str]) -> &PathBuf {
        let ns = args
            .windows(2)
            .find(|w| w[0] == "-n" || w[0] == "--namespace")
            .map(|w| w[1]);
        match ns {
            Some("dev-team") => &self.vmoperator,
            Some("my-project") => &self.deckhouse,
            _ => &self.admin,
        }
    }
}

impl Drop for ChildSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Collects the transcripts by id. The platform test modules add theirs
/// (`crate::vmoperator::docs`, `crate::deckhouse::docs`): a run naming namespace dev-team goes
/// to the VM Operator cluster, my-project to the Deckhouse one, any other to KubeVirt's.
pub(crate) struct Transcripts {
    sim: ChildSim,
    out: BTreeMap<&'static str, String>,
    /// UIDs in order of first appearance: the simulator draws them at random, the pages
    /// show stand-ins of the same length (tables stay aligned), the same for one object.
    uids: Vec<String>,
}

/// How much of the output a page shows.
#[derive(Clone, Copy)]
pub(crate) enum Keep {
    All,
    /// The first n lines, then a line saying how many were left out.
    Head(usize),
}

impl Transcripts {
    fn add(&mut self, id: &'static str, text: String) {
        let text = self.redact(&text);
        assert!(
            self.out.insert(id, text).is_none(),
            "transcript id {id} used twice"
        );
    }

    /// The real binary, stdout and stderr on one pipe (interleaved as a terminal shows
    /// them), stdin closed, as the admin user.
    pub(crate) fn run(&mut self, id: &'static str, args: &[&str]) {
        self.run_with(id, None, args, Keep::All);
    }

    pub(crate) fn run_with(
        &mut self,
        id: &'static str,
        user: Option<&str>,
        args: &[&str],
        keep: Keep,
    ) {
        let kubeconfig = match user {
            Some("alice") => &self.sim.alice,
            Some(u) => panic!("no kubeconfig for {u}"),
            None => self.sim.cluster_for(args),
        };
        let file = tempfile::tempfile().expect("output file");
        let status = Command::new(env!("CARGO_BIN_EXE_kubectl-vmsnap"))
            .args(args)
            .env_clear()
            .env("KUBECONFIG", kubeconfig)
            .env("VMSNAP_NOW", NOW)
            .env("HOME", "/nonexistent")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("dup"))
            .stderr(file.try_clone().expect("dup"))
            .status()
            .expect("binary runs");
        let mut output = String::new();
        let mut file = file;
        use std::io::Seek;
        file.rewind().expect("rewind");
        file.read_to_string(&mut output).expect("output");
        let comment = user.map(|u| format!("   # as user {u}"));
        let text = transcript(args, comment.as_deref(), &output, status.code(), keep);
        self.add(id, text);
    }

    /// In-process with a scripted terminal: prompts are shown with the answers given.
    pub(crate) async fn dialogue(&mut self, id: &'static str, answers: &[&str], args: &[&str]) {
        let buf = Buf::default();
        let ui = DocUi {
            answers: answers.iter().map(|a| a.to_string()).collect(),
            buf: buf.clone(),
        };
        let mut env = Env::new(
            Box::new(buf.clone()),
            Box::new(buf.clone()),
            Box::new(ui),
            Clock::Fixed(NOW.parse().expect("timestamp")),
        );
        let mut argv: Vec<OsString> = vec!["kubectl-vmsnap".into()];
        argv.extend(args.iter().map(OsString::from));
        argv.push("--kubeconfig".into());
        argv.push(self.sim.cluster_for(args).clone().into());
        let code = kubectl_vmsnap::run(argv, &mut env).await;
        let text = transcript(args, None, &buf.text(), Some(code), Keep::All);
        self.add(id, text);
    }
}

impl Transcripts {
    /// The loopback port becomes kubectl's usual 6443; each UUID its stand-in.
    fn redact(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find("127.0.0.1:") {
            out.push_str(&rest[..i + "127.0.0.1:".len()]);
            rest = &rest[i + "127.0.0.1:".len()..];
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits > 0 {
                out.push_str("6443");
            }
            rest = &rest[digits..];
        }
        out.push_str(rest);
        let mut result = String::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out.is_char_boundary(i)
                && let Some(uid) = out.get(i..i + 36).filter(|u| is_uuid(u))
            {
                let n = match self.uids.iter().position(|u| u == uid) {
                    Some(n) => n,
                    None => {
                        self.uids.push(uid.to_string());
                        self.uids.len() - 1
                    }
                };
                result.push_str(&stand_in(n));
                i += 36;
                continue;
            }
            let c = out[i..].chars().next().unwrap_or(' ');
            result.push(c);
            i += c.len_utf8();
        }
        result
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

/// The n-th stand-in UUID: fixed, version-4 shaped.
fn stand_in(n: usize) -> String {
    let mut h = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^= h >> 31;
    let l = h.rotate_left(17) ^ 0x5DEE_CE66_D1CE_4E5B;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        8 + (l >> 62),
        (l >> 48) & 0xfff,
        l & 0xffff_ffff_ffff
    )
}

/// `$ kubectl vmsnap ARGS`, the output, and the exit code when it is not 0.
fn transcript(
    args: &[&str],
    comment: Option<&str>,
    output: &str,
    code: Option<i32>,
    keep: Keep,
) -> String {
    let mut s = format!(
        "$ kubectl vmsnap {}{}\n",
        args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "),
        comment.unwrap_or("")
    );
    let lines: Vec<&str> = output.lines().collect();
    match keep {
        Keep::Head(n) if lines.len() > n => {
            for l in &lines[..n] {
                s.push_str(l);
                s.push('\n');
            }
            s.push_str(&format!("… ({} more lines)\n", lines.len() - n));
        }
        _ => {
            for l in &lines {
                s.push_str(l);
                s.push('\n');
            }
        }
    }
    match code {
        Some(0) => {}
        Some(c) => s.push_str(&format!("[exit code {c}]\n")),
        None => s.push_str("[killed by a signal]\n"),
    }
    s
}

fn quote(a: &str) -> String {
    if a.is_empty()
        || a.chars()
            .any(|c| !(c.is_ascii_alphanumeric() || "-_=./:,".contains(c)))
    {
        format!("'{}'", a.replace('\'', r"'\''"))
    } else {
        a.to_string()
    }
}

/// A terminal as dialoguer leaves it after each answer: `prompt: answer`.
struct DocUi {
    answers: VecDeque<String>,
    buf: Buf,
}

impl DocUi {
    fn answer(&mut self, prompt: &str) -> anyhow::Result<String> {
        self.answers
            .pop_front()
            .ok_or_else(|| anyhow::anyhow!("no scripted answer for: {prompt}"))
    }
}

impl Ui for DocUi {
    fn interactive(&self) -> bool {
        true
    }
    fn confirm(&mut self, prompt: &str) -> anyhow::Result<bool> {
        let a = self.input(prompt)?;
        Ok(is_yes(&a))
    }
    fn input(&mut self, prompt: &str) -> anyhow::Result<String> {
        let a = self.answer(prompt)?;
        writeln!(self.buf, "{prompt}: {a}")?;
        Ok(a)
    }
    fn select(&mut self, prompt: &str, items: &[&str]) -> anyhow::Result<usize> {
        let a = self.answer(prompt)?;
        let i = items
            .iter()
            .position(|it| it.starts_with(a.as_str()))
            .ok_or_else(|| anyhow::anyhow!("{a:?} is not one of {items:?}"))?;
        writeln!(self.buf, "{prompt}: {}", items[i])?;
        Ok(i)
    }
    fn progress(&mut self, _msg: &str) -> Box<dyn Progress> {
        Box::new(NoProgress)
    }
    fn note(&mut self, msg: &str) {
        let _ = writeln!(self.buf, "{msg}");
    }
}

/// Every transcript the pages show, in the order they run against one simulator.
async fn generate() -> BTreeMap<&'static str, String> {
    let mut t = Transcripts {
        sim: ChildSim::start(),
        out: BTreeMap::new(),
        uids: Vec::new(),
    };
    let alice = Some("alice");

    // The scenario as it starts: list and describe.
    t.run("list-happy", &["list"]);
    t.run("list-vm", &["list", "database-01"]);
    t.run("list-all", &["list", "-A"]);
    t.run("list-wide", &["list", "-o", "wide"]);
    t.run("list-name", &["list", "-o", "name"]);
    t.run("list-selector", &["list", "-l", "purpose=pre-upgrade"]);
    t.run_with(
        "list-json",
        None,
        &["list", "database-01", "-o", "json"],
        Keep::Head(40),
    );
    t.run(
        "list-jsonpath",
        &[
            "list",
            "-o",
            r#"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}"#,
        ],
    );
    t.run(
        "list-custom-columns",
        &[
            "list",
            "-o",
            "custom-columns=NAME:.metadata.name,VM:.spec.source.name,READY:.status.readyToUse,VOLUMES:.status.snapshotVolumes.includedVolumes",
        ],
    );
    t.run_with(
        "list-report-json",
        None,
        &["list", "database-01", "-o", "report-json"],
        Keep::Head(30),
    );
    t.run("list-empty", &["list", "-n", "staging"]);
    t.run("list-vm-not-found", &["list", "database-02"]);
    t.run(
        "list-sort-by",
        &["list", "--sort-by", "{.status.creationTime}"],
    );
    t.run("list-labels", &["list", "-L", "purpose", "--show-labels"]);
    t.run("describe-happy", &["describe", "pre-upgrade-snapshot"]);
    t.run("describe-failed", &["describe", "web-01-before-patch"]);
    t.run_with(
        "describe-yaml",
        None,
        &["describe", "pre-upgrade-snapshot", "-o", "yaml"],
        Keep::Head(30),
    );
    t.run("describe-not-found", &["describe", "pre-upgrade"]);

    // create
    t.run("create-happy", &["create", "database-01", "--yes"]);
    t.run("create-no-yes", &["create", "windows-app"]);
    t.run("create-no-agent", &["create", "web-01", "--yes"]);
    t.dialogue(
        "create-dialogue",
        &["stop-and-snapshot", "yes", "yes"],
        &["create", "web-01"],
    )
    .await;
    t.run("create-dry-run", &["create", "legacy-nfs", "--dry-run"]);
    t.run(
        "create-name",
        &[
            "create",
            "batch-01",
            "--name",
            "batch-01-nightly",
            "--yes",
            "-o",
            "name",
        ],
    );
    t.run("create-nothing", &["create", "kiosk-01", "--yes"]);
    t.run("create-not-found", &["create", "database-02", "--yes"]);
    t.run_with(
        "create-forbidden",
        alice,
        &["create", "windows-app", "--yes"],
        Keep::All,
    );

    t.run(
        "create-batch",
        &[
            "create",
            "-l",
            "vm.kubevirt.io/template=rhel9-server-medium",
            "--online",
            "--yes",
        ],
    );

    // check and diff, before the restores change the VMs
    t.run("check-happy", &["check"]);
    t.run("check-vm", &["check", "legacy-nfs"]);
    t.run("diff-happy", &["diff", "windows-app-monthly-2026-10"]);
    t.run("diff-not-found", &["diff", "monthly"]);

    // restore
    let snap = "pre-upgrade-snapshot";
    t.run(
        "restore-running",
        &["restore", "database-01", "--snapshot", snap],
    );
    t.run(
        "restore-no-yes",
        &["restore", "database-01", "--snapshot", snap, "--stop"],
    );
    t.run(
        "restore-wrong-name",
        &[
            "restore",
            "database-01",
            "--snapshot",
            snap,
            "--stop",
            "--yes",
            "--confirm-name",
            "pre-upgrade",
        ],
    );
    t.run(
        "restore-other-vm",
        &["restore", "web-01", "--snapshot", snap, "--stop", "--yes"],
    );
    t.run(
        "restore-happy",
        &[
            "restore",
            "database-01",
            "--snapshot",
            snap,
            "--stop",
            "--yes",
            "--confirm-name",
            snap,
        ],
    );
    let monthly = "windows-app-monthly-2026-10";
    t.dialogue(
        "restore-dialogue",
        &["stop-and-restore", monthly, "yes"],
        &["restore", "windows-app", "--snapshot", monthly],
    )
    .await;
    t.run(
        "restore-no-wait",
        &[
            "restore",
            "batch-01",
            "--snapshot",
            "batch-01-nightly",
            "--yes",
            "--confirm-name",
            "batch-01-nightly",
            "--no-wait",
        ],
    );

    // delete
    t.run(
        "delete-selector-no-yes",
        &["delete", "-l", "purpose=pre-upgrade"],
    );
    t.run(
        "delete-no-yes",
        &["delete", "database-01-snapshot-20261126-100000"],
    );
    t.run(
        "delete-happy",
        &["delete", "database-01-snapshot-20261126-100000", "--yes"],
    );
    t.run("delete-restoring", &["delete", "batch-01-nightly", "--yes"]);
    t.run("delete-not-found", &["delete", "nightly", "--yes"]);
    t.run_with(
        "delete-forbidden",
        alice,
        &["delete", "windows-app-monthly-2026-10", "--yes"],
        Keep::All,
    );

    // clone and prune, last: they add a VM and remove snapshots
    t.run(
        "clone-happy",
        &[
            "clone",
            "pre-upgrade-snapshot",
            "--to",
            "database-01-copy",
            "--yes",
        ],
    );
    t.run(
        "clone-taken",
        &["clone", "pre-upgrade-snapshot", "--to", "web-01", "--yes"],
    );
    t.run("prune-no-policy", &["prune", "database-01"]);
    t.run(
        "prune-dry-run",
        &["prune", "database-01", "--keep", "1", "--dry-run"],
    );

    // The other platforms, in their own namespaces of the same cluster.
    crate::vmoperator::docs(&mut t).await;
    crate::deckhouse::docs(&mut t).await;

    // version and completion
    t.run("version", &["version"]);
    t.run_with(
        "completion-bash",
        None,
        &["completion", "bash"],
        Keep::Head(12),
    );
    t.run(
        "completion-kubectl-plugin",
        &["completion", "kubectl-plugin"],
    );
    t.run("completion-bad-shell", &["completion", "tcsh"]);

    // wait and describe's Events, last: the UIDs they show must not renumber the pages above
    t.run(
        "wait-create-no-wait",
        &[
            "create",
            "database-01",
            "--yes",
            "--no-wait",
            "--name",
            "database-01-before-maintenance",
        ],
    );
    t.run("wait-ready", &["wait", "database-01-before-maintenance"]);
    t.run(
        "wait-restore-timeout",
        &[
            "wait",
            "--restore",
            "restore-batch-01-20261126-100000",
            "--timeout",
            "1s",
        ],
    );
    t.run("wait-failed", &["wait", "web-01-before-patch"]);
    t.run(
        "describe-events",
        &["describe", "database-01-before-maintenance"],
    );
    t.out
}

/// The pages and their transcript blocks.
fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/commands")
}

/// Replaces each marked block of `page` with its transcript; returns the new text and the
/// ids it used. Unknown ids and unclosed blocks are errors.
fn fill(page: &str, transcripts: &BTreeMap<&str, String>) -> Result<(String, Vec<String>), String> {
    let mut out = String::with_capacity(page.len());
    let mut used = Vec::new();
    let mut lines = page.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(id) = line
            .trim()
            .strip_prefix("<!-- transcript:")
            .and_then(|r| r.strip_suffix("-->"))
            .map(str::trim)
        else {
            continue;
        };
        let text = transcripts
            .get(id)
            .ok_or_else(|| format!("no transcript named {id}"))?;
        let fence = lines
            .next()
            .filter(|l| l.starts_with("```"))
            .ok_or_else(|| format!("transcript {id}: a ``` block must follow the marker"))?;
        out.push_str(fence);
        loop {
            match lines.next() {
                Some(l) if l.trim_end() == "```" => {
                    out.push_str(text);
                    out.push_str(l);
                    break;
                }
                Some(_) => {}
                None => return Err(format!("transcript {id}: the block is not closed")),
            }
        }
        used.push(id.to_string());
    }
    Ok((out, used))
}

#[tokio::test]
async fn docs_pages_match_the_simulator() {
    let transcripts = generate().await;
    let update = std::env::var_os("VMSNAP_UPDATE_GENERATED").is_some();
    let mut used = Vec::new();
    let mut stale = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(pages_dir())
        .expect("docs/commands")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    entries.sort();
    for path in entries {
        let page = std::fs::read_to_string(&path).expect("page");
        let (filled, ids) =
            fill(&page, &transcripts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        used.extend(ids);
        if filled != page {
            if update {
                std::fs::write(&path, &filled).expect("page written");
            } else {
                stale.push(first_difference(&path, &page, &filled));
            }
        }
    }
    let unused: Vec<_> = transcripts
        .keys()
        .filter(|id| !used.iter().any(|u| u == *id))
        .collect();
    assert!(unused.is_empty(), "transcripts no page shows: {unused:?}");
    assert!(
        stale.is_empty(),
        "docs/commands is out of date; regenerate with\n  VMSNAP_UPDATE_GENERATED=1 cargo test -p kubectl-vmsnap --test integration docs_pages\n{}",
        stale.join("\n")
    );
}

fn first_difference(path: &Path, old: &str, new: &str) -> String {
    let line = old
        .lines()
        .zip(new.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| old.lines().count().min(new.lines().count()));
    format!(
        "{} differs from line {}:\n  page:      {:?}\n  generated: {:?}",
        path.display(),
        line + 1,
        old.lines().nth(line).unwrap_or(""),
        new.lines().nth(line).unwrap_or("")
    )
}

#[test]
fn fill_replaces_only_marked_blocks() {
    let page = "# t\n<!-- transcript: a -->\n```console\nold\n```\n```\nkept\n```\n";
    let ts = BTreeMap::from([("a", "$ new\n".to_string())]);
    let (filled, used) = fill(page, &ts).expect("fills");
    assert_eq!(
        filled,
        "# t\n<!-- transcript: a -->\n```console\n$ new\n```\n```\nkept\n```\n"
    );
    assert_eq!(used, vec!["a"]);
    assert!(fill("<!-- transcript: b -->\n```\n```\n", &ts).is_err());
}

#[test]
fn stand_in_uids_are_uuid_shaped_and_distinct() {
    let a = stand_in(0);
    assert!(is_uuid(&a), "{a}");
    assert_ne!(a, stand_in(1));
}
