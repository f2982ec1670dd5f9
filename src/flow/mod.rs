//! One module per subcommand: plan (reads only) and execute (writes and waits).

pub mod common;
pub mod confirm;
pub mod delete_pick;
pub mod follow;
pub mod readiness;
pub(crate) mod readiness_table;
pub mod retention;
pub mod safety;
pub mod version;

use std::io::Write;

use serde_json::Value;

use crate::cli::{Command, DryRun, GlobalArgs, OutputFormat};
use crate::cluster::Connection;
use crate::env::Clock;
use crate::output::terminal;
use crate::platform::kubevirt::api::KubeVirt;
use crate::platform::{Detected, Provider};
use crate::ui::{NoProgress, Progress, Ui};

/// What every command gets: the connection, the detected provider, the Ui and stderr.
pub struct Ctx<'a> {
    /// Global flags.
    pub global: &'a GlobalArgs,
    /// Client and default namespace.
    pub conn: Connection,
    /// The provider and API versions.
    pub detected: Detected,
    /// The provider bound to the client.
    pub provider: Provider,
    /// The namespace to act in (`-n`, else the context's, else "default").
    pub namespace: String,
    /// Prompts and progress.
    pub ui: &'a mut dyn Ui,
    /// Plans, warnings and notices (stderr).
    pub err: &'a mut dyn Write,
    /// "Now".
    pub clock: Clock,
    /// A person can answer prompts (terminal, no --no-input).
    pub interactive: bool,
    /// Colour allowed on stderr (a terminal, no NO_COLOR, no --no-color).
    pub color: bool,
    /// Reads made while discovery ran.
    pub prefetch: Prefetch,
}

/// The first reads of `create` and `restore` (the VM and a snapshot by name), made at the
/// same time as discovery: they do not depend on its answer, and this saves a round trip
/// before the plan. Commands take them once; absent means "read it yourself".
#[derive(Default)]
pub struct Prefetch {
    /// The VM named on the command line.
    pub vm: Option<anyhow::Result<Option<Value>>>,
    /// The snapshot named on the command line (create: the name it will use).
    pub snapshot: Option<(String, anyhow::Result<Option<Value>>)>,
}

impl Prefetch {
    /// Starts the reads `command` will need first. `kv` may be bound to assumed versions: a
    /// wrong guess only costs a read the command repeats.
    pub async fn start(command: &Command, kv: &KubeVirt, ns: &str, clock: Clock) -> Prefetch {
        let (vm, snapshot) = match command {
            Command::Create(a) => match (
                &a.vm,
                crate::platform::kubevirt::commands::create::snapshot_name(a, clock.now()),
            ) {
                (Some(vm), Ok(name)) => (vm.clone(), name),
                _ => return Prefetch::default(),
            },
            Command::Restore(a) => (a.vm.clone(), a.snapshot.clone()),
            _ => return Prefetch::default(),
        };
        let (v, s) = futures::join!(kv.get_vm(ns, &vm), kv.get_snapshot(ns, &snapshot));
        Prefetch {
            vm: Some(v),
            snapshot: Some((snapshot, s)),
        }
    }
}

/// Progress whose messages (phases, condition messages from the server) are escaped first.
struct SafeProgress(Box<dyn Progress>);

impl Progress for SafeProgress {
    fn set_message(&mut self, msg: &str) {
        self.0.set_message(&terminal::stderr_line(msg));
    }
    fn finish(&mut self) {
        self.0.finish();
    }
}

impl Ctx<'_> {
    /// The VM, from the prefetch when it has it.
    pub async fn get_vm(&mut self, ns: &str, name: &str) -> anyhow::Result<Option<Value>> {
        match self.prefetch.vm.take() {
            Some(got) if ns == self.namespace => got,
            _ => self.kubevirt().get_vm(ns, name).await,
        }
    }

    fn prefetch_version(&self) -> &'static str {
        crate::platform::kubevirt::api::ServedVersions::default()
            .snapshot
            .as_str()
    }

    /// The snapshot `name`, from the prefetch when it read that name.
    pub async fn get_snapshot(&mut self, ns: &str, name: &str) -> anyhow::Result<Option<Value>> {
        match self.prefetch.snapshot.take() {
            // Read at the guessed version: only good if the cluster serves that one.
            Some((n, got))
                if n == name
                    && ns == self.namespace
                    && self.detected.snapshot_version == self.prefetch_version() =>
            {
                got
            }
            _ => self.kubevirt().get_snapshot(ns, name).await,
        }
    }

    /// The KubeVirt provider at the detected versions. The top-level command modules are
    /// KubeVirt's; `app` sends the other platforms to their own modules before any of them
    /// runs, so the fallback (KubeVirt at its default versions) is never what answers.
    pub fn kubevirt(&self) -> KubeVirt {
        match self.provider.kubevirt() {
            Some(k) => k.clone(),
            None => KubeVirt::new(
                self.conn.client.clone(),
                crate::platform::kubevirt::api::ServedVersions::default(),
            ),
        }
    }

    /// A spinner, unless the output is for programs.
    pub fn progress(&mut self, msg: &str) -> Box<dyn Progress> {
        if self.global.output_format().is_machine() {
            Box::new(NoProgress)
        } else {
            Box::new(SafeProgress(self.ui.progress(&terminal::stderr_line(msg))))
        }
    }

    /// One progress line per message, shown together, unless the output is for programs.
    pub fn progress_group(&mut self, msgs: &[String]) -> Vec<Box<dyn Progress>> {
        if self.global.output_format().is_machine() {
            msgs.iter()
                .map(|_| Box::new(NoProgress) as Box<dyn Progress>)
                .collect()
        } else {
            let msgs: Vec<String> = msgs.iter().map(|m| terminal::stderr_line(m)).collect();
            self.ui
                .progress_group(&msgs)
                .into_iter()
                .map(|p| Box::new(SafeProgress(p)) as Box<dyn Progress>)
                .collect()
        }
    }

    /// Writes a line to stderr (plans, warnings), control characters escaped and URL
    /// credentials masked; a closed stderr is ignored.
    pub fn say(&mut self, text: &str) {
        let _ = writeln!(self.err, "{}", terminal::stderr_block(text));
    }

    /// Writes text that carries our own colour codes, its server parts already escaped (the
    /// restore preview's diff: output::diff_text::unified escapes each line).
    pub fn say_styled(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }

    /// The dry-run mode in effect.
    pub fn dry_run(&self) -> DryRun {
        self.global.dry_run_mode()
    }

    /// The output format in effect.
    pub fn format(&self) -> OutputFormat {
        self.global.output_format()
    }

    /// ` -n NS` for commands we suggest, so they can be pasted as they are.
    pub fn ns_flag(&self, ns: &str) -> String {
        format!(" -n {ns}")
    }
}
