//! One module per subcommand: plan (reads only) and execute (writes and waits).

mod common;
pub mod create;
pub mod delete;
pub mod describe;
pub mod list;
pub mod restore;
pub mod version;

use std::io::Write;

use crate::cli::{DryRun, GlobalArgs, OutputFormat};
use crate::cluster::Connection;
use crate::env::Clock;
use crate::provider::kubevirt::KubeVirt;
use crate::provider::{Detected, Provider};
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
}

impl Ctx<'_> {
    /// The KubeVirt provider at the detected versions.
    pub fn kubevirt(&self) -> KubeVirt {
        self.provider.kubevirt().clone()
    }

    /// A spinner, unless the output is for programs.
    pub fn progress(&mut self, msg: &str) -> Box<dyn Progress> {
        if self.global.output_format().is_machine() {
            Box::new(NoProgress)
        } else {
            self.ui.progress(msg)
        }
    }

    /// Writes a line to stderr (plans, warnings); a closed stderr is ignored.
    pub fn say(&mut self, text: &str) {
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
