//! `vmsnap-sim demo`: the README's "try it" command. Starts the simulated cluster, then runs
//! the real `kubectl vmsnap` through a create → list → restore story and shows its output.
//! `--platform vmoperator|deckhouse` tells the story on those platforms' clusters.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::{Platform, Sim, SimConfig};

/// One step of the story: what the narrator says, the plugin's arguments, the exit code expected.
struct Step {
    say: &'static str,
    args: &'static [&'static str],
    expect: i32,
}

const KUBEVIRT: &[Step] = &[
    Step {
        say: "The snapshots that already exist in the production namespace:",
        args: &["list", "-n", "production"],
        expect: 0,
    },
    Step {
        say: "Snapshot database-01 before an upgrade. Storage is analysed first; the guest agent \
              is connected, so the snapshot is application-consistent:",
        args: &[
            "create",
            "database-01",
            "-n",
            "production",
            "--name",
            "before-upgrade",
            "--yes",
        ],
        expect: 0,
    },
    Step {
        say: "The upgrade went wrong. A restore of a running VM without a terminal and without \
              the flags that confirm it is refused, and nothing is written:",
        args: &[
            "restore",
            "database-01",
            "-n",
            "production",
            "--snapshot",
            "before-upgrade",
        ],
        expect: 3,
    },
    Step {
        say: "Scripted, the restore needs --stop for the running VM, --yes, and the snapshot name \
              typed again:",
        args: &[
            "restore",
            "database-01",
            "-n",
            "production",
            "--snapshot",
            "before-upgrade",
            "--stop",
            "--yes",
            "--confirm-name",
            "before-upgrade",
        ],
        expect: 0,
    },
    Step {
        say: "Everything a user needs to trust the snapshot:",
        args: &["describe", "before-upgrade", "-n", "production"],
        expect: 0,
    },
];

const VMOPERATOR: &[Step] = &[
    Step {
        say: "web-01's snapshot tree, as govc draws it; the current snapshot is marked:",
        args: &["tree", "web-01", "-n", "dev-team"],
        expect: 0,
    },
    Step {
        say: "Snapshot web-01 with its memory (a revert then resumes it running) and file \
              systems quiesced by VMware Tools:",
        args: &[
            "create",
            "web-01",
            "-n",
            "dev-team",
            "--name",
            "before-patch",
            "--memory",
            "--quiesce-timeout",
            "10m",
            "--description",
            "before patching",
            "--yes",
        ],
        expect: 0,
    },
    Step {
        say: "Snapshots of a VKS (Kubernetes) node are refused before anything is written:",
        args: &["create", "tkc-1-np-7x2kq", "-n", "dev-team", "--yes"],
        expect: 1,
    },
    Step {
        say: "A revert without a terminal and without the flags that confirm it is refused, \
              and nothing is written:",
        args: &[
            "restore",
            "web-01",
            "-n",
            "dev-team",
            "--snapshot",
            "before-patch",
        ],
        expect: 3,
    },
    Step {
        say: "Scripted, the revert needs --yes and the snapshot name typed again:",
        args: &[
            "restore",
            "web-01",
            "-n",
            "dev-team",
            "--snapshot",
            "before-patch",
            "--yes",
            "--confirm-name",
            "before-patch",
        ],
        expect: 0,
    },
    Step {
        say: "The tree afterwards:",
        args: &["tree", "web-01", "-n", "dev-team"],
        expect: 0,
    },
];

const DECKHOUSE: &[Step] = &[
    Step {
        say: "The snapshots that already exist in the my-project namespace:",
        args: &["list", "-n", "my-project"],
        expect: 0,
    },
    Step {
        say: "Snapshot linux-vm; its guest agent freezes the file systems, so the snapshot is \
              consistent:",
        args: &[
            "create",
            "linux-vm",
            "-n",
            "my-project",
            "--name",
            "before-upgrade",
            "--yes",
        ],
        expect: 0,
    },
    Step {
        say: "db-vm runs without a guest agent: a consistent snapshot is impossible, and the \
              plugin says so before writing anything:",
        args: &["create", "db-vm", "-n", "my-project", "--yes"],
        expect: 1,
    },
    Step {
        say: "Without a terminal and the flags that confirm it, a restore is refused before \
              anything is written (not even Deckhouse's dry run):",
        args: &[
            "restore",
            "linux-vm",
            "-n",
            "my-project",
            "--snapshot",
            "before-upgrade",
        ],
        expect: 3,
    },
    Step {
        say: "Scripted, the restore needs --yes and the snapshot name typed again; Deckhouse's \
              dry run checks it first, then a safety snapshot is taken:",
        args: &[
            "restore",
            "linux-vm",
            "-n",
            "my-project",
            "--snapshot",
            "before-upgrade",
            "--yes",
            "--confirm-name",
            "before-upgrade",
        ],
        expect: 0,
    },
    Step {
        say: "Everything a user needs to trust the snapshot:",
        args: &["describe", "before-upgrade", "-n", "my-project"],
        expect: 0,
    },
];

/// The story, cluster and namespace of each platform.
struct Story {
    cluster: &'static str,
    namespace: &'static str,
    steps: &'static [Step],
    /// Embedded scenario files; None = the default scenario.
    scenario: Option<&'static [(&'static str, &'static str)]>,
}

fn story(platform: Platform) -> Story {
    match platform {
        Platform::Kubevirt => Story {
            cluster: "OpenShift Virtualization",
            namespace: "production",
            steps: KUBEVIRT,
            scenario: None,
        },
        Platform::Vmoperator => Story {
            cluster: "vSphere Supervisor (VM Operator)",
            namespace: "dev-team",
            steps: VMOPERATOR,
            scenario: Some(crate::vmoperator_scenario_files()),
        },
        Platform::Deckhouse => Story {
            cluster: "Deckhouse Virtualization",
            namespace: "my-project",
            steps: DECKHOUSE,
            scenario: Some(crate::deckhouse_scenario_files()),
        },
    }
}

/// Options of `vmsnap-sim demo`.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// The plugin binary; found beside this executable, else built with cargo, when absent.
    pub plugin: Option<PathBuf>,
    /// Keep the simulated cluster running after the story, for the reader to try commands.
    pub serve: bool,
    /// Controllers' scripted durations are multiplied by this.
    pub time_scale: f64,
    /// Whose cluster and story: KubeVirt (the default), VM Operator or Deckhouse.
    pub platform: Option<Platform>,
}

/// Runs the story against a fresh simulated cluster.
pub async fn run(options: DemoOptions) -> anyhow::Result<()> {
    let plugin = match options.plugin.clone() {
        Some(path) => path,
        None => find_or_build_plugin()?,
    };
    let story = story(options.platform.unwrap_or(Platform::Kubevirt));
    let dir = std::env::temp_dir().join(format!(
        "vmsnap-demo-{}-{}",
        std::process::id(),
        story.namespace
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let mut scenarios = Vec::new();
    if let Some(files) = story.scenario {
        let scenario = dir.join("scenario");
        std::fs::create_dir_all(&scenario)
            .with_context(|| format!("failed to create {}", scenario.display()))?;
        for (name, text) in files {
            let file = scenario.join(Path::new(name).file_name().unwrap_or_default());
            std::fs::write(&file, text)
                .with_context(|| format!("failed to write {}", file.display()))?;
        }
        scenarios.push(scenario);
    }
    let sim = Sim::start(SimConfig {
        default_scenario: story.scenario.is_none(),
        scenarios,
        time_scale: options.time_scale,
        ..SimConfig::default()
    })
    .await
    .context("failed to start the simulated cluster")?;

    let kubeconfig = dir.join("kubeconfig");
    sim.write_kubeconfig(&kubeconfig, "admin", story.namespace)?;
    let runner = Runner::new(&plugin, &dir, &kubeconfig)?;

    println!(
        "A simulated {} cluster is serving at {}.",
        story.cluster,
        sim.url()
    );
    println!("Each step runs `{}` against it.\n", runner.display_name());
    for step in story.steps {
        println!("# {}", step.say);
        println!("$ {} {}", runner.display_name(), shell_words(step.args));
        let code = runner.run(step.args).await?;
        if code != step.expect {
            bail!(
                "`{} {}` exited with {code}, expected {}",
                runner.display_name(),
                shell_words(step.args),
                step.expect
            );
        }
        println!();
    }

    if options.serve {
        println!("The cluster keeps running. In another terminal:");
        println!("  export KUBECONFIG={}", kubeconfig.display());
        println!("  export PATH={}:$PATH", dir.display());
        println!("  kubectl vmsnap list -A");
        println!("Press Ctrl-C to stop.");
        tokio::signal::ctrl_c()
            .await
            .context("failed to wait for Ctrl-C")?;
    } else {
        println!("Done. Run `vmsnap-sim demo --serve` to keep the cluster up and try it yourself.");
    }
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Runs the plugin as `kubectl vmsnap` when kubectl is installed (the way users meet it),
/// else the binary directly.
struct Runner {
    program: PathBuf,
    prefix: Vec<OsString>,
    path_env: OsString,
    kubeconfig: PathBuf,
}

impl Runner {
    fn new(plugin: &Path, dir: &Path, kubeconfig: &Path) -> anyhow::Result<Self> {
        let link = dir.join("kubectl-vmsnap");
        let _ = std::fs::remove_file(&link);
        std::fs::copy(plugin, &link).with_context(|| {
            format!("failed to copy {} to {}", plugin.display(), link.display())
        })?;
        let mut paths = vec![dir.to_path_buf()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let path_env = std::env::join_paths(paths).context("failed to build PATH")?;
        let kubectl = which("kubectl", &path_env);
        let (program, prefix) = match kubectl {
            Some(kubectl) => (kubectl, vec![OsString::from("vmsnap")]),
            None => (link, Vec::new()),
        };
        Ok(Self {
            program,
            prefix,
            path_env,
            kubeconfig: kubeconfig.to_path_buf(),
        })
    }

    fn display_name(&self) -> &'static str {
        if self.prefix.is_empty() {
            "kubectl-vmsnap"
        } else {
            "kubectl vmsnap"
        }
    }

    async fn run(&self, args: &[&str]) -> anyhow::Result<i32> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.prefix)
            .args(args)
            .env("PATH", &self.path_env)
            .env("KUBECONFIG", &self.kubeconfig)
            .stdin(Stdio::null());
        let program = self.program.display().to_string();
        // The simulated cluster serves from this process: wait for the child off the runtime.
        let status = tokio::task::spawn_blocking(move || command.status())
            .await
            .context("the plugin runner task failed")?
            .with_context(|| format!("failed to run {program}"))?;
        Ok(status.code().unwrap_or(1))
    }
}

/// The arguments as a shell would need them typed: words with spaces quoted.
fn shell_words(args: &[&str]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                (*a).to_string()
            }
        })
        .collect();
    quoted.join(" ")
}

fn which(name: &str, path_env: &OsString) -> Option<PathBuf> {
    std::env::split_paths(path_env)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// In a checkout, cargo builds the plugin (a no-op when it is fresh); elsewhere the plugin is
/// looked for beside this binary.
fn find_or_build_plugin() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("failed to locate the running executable")?;
    let dir = exe
        .parent()
        .context("the running executable has no directory")?;
    let sibling = dir.join(format!("kubectl-vmsnap{}", std::env::consts::EXE_SUFFIX));
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if workspace.join("Cargo.toml").is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(&workspace)
            .args(["build", "--quiet", "--bin", "kubectl-vmsnap"]);
        if dir.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        let status = build
            .status()
            .context("failed to run cargo to build kubectl-vmsnap")?;
        if !status.success() {
            bail!(
                "could not build kubectl-vmsnap; build it with `cargo build` and pass --plugin PATH"
            );
        }
    }
    if sibling.is_file() {
        Ok(sibling)
    } else {
        bail!(
            "kubectl-vmsnap not found beside {}; pass --plugin PATH",
            exe.display()
        )
    }
}
