//! What every platform's commands share: the context a command runs in (`Ctx`), the
//! confirmation rules, following objects, retention, safety-snapshot names, the readiness
//! table and `version`.

pub mod common;
pub mod confirm;
pub mod delete_pick;
pub mod deletion;
pub mod follow;
pub mod readiness_table;
pub mod retention;
pub mod safety;
pub mod watch_rows;

use std::io::Write;

use serde_json::Value;

use crate::cli::{DryRun, GlobalArgs};
use crate::cluster::Connection;
use crate::env::Clock;
use crate::output::OutputFormat;
use crate::terminal;
use crate::ui::{NoProgress, Progress, Ui};

/// What every command gets: the connection, the snapshot API version discovery chose, the Ui
/// and stderr. It names no platform: each platform's commands get their client from `run`.
pub struct Ctx<'a> {
    /// Global flags.
    pub global: &'a GlobalArgs,
    /// Client and default namespace.
    pub conn: Connection,
    /// The snapshot API version discovery chose for the platform in use.
    pub snapshot_version: String,
    /// The namespace to act in (`-n`, else the context's, else "default").
    pub namespace: String,
    /// Prompts and progress.
    pub ui: &'a mut dyn Ui,
    /// Plans, warnings and notices (stderr).
    pub err: &'a mut dyn Write,
    /// "Now".
    pub clock: Clock,
    /// When the command started: the instant a generated snapshot name carries, taken once
    /// so that every read and write of the command names the same snapshot.
    pub started: jiff::Timestamp,
    /// A person can answer prompts (terminal, no --no-input).
    pub interactive: bool,
    /// Colour allowed on stderr (a terminal, no NO_COLOR, no --no-color).
    pub color: bool,
    /// Reads made while discovery ran.
    pub prefetch: Prefetch,
}

/// Reads made while discovery ran, before the platform was known (the first reads of
/// `create` and `restore`: a round trip less before the plan). The platform's commands take
/// them once, for the very names they were read for; absent means "read it yourself".
#[derive(Default)]
pub struct Prefetch {
    /// The VM named on the command line: (namespace, name, what the read gave).
    pub vm: Option<(String, String, anyhow::Result<Option<Value>>)>,
    /// The snapshot named on the command line (create: the name it will use).
    pub snapshot: Option<(String, String, anyhow::Result<Option<Value>>)>,
    /// The snapshot API version the snapshot was read at.
    pub snapshot_version: &'static str,
}

impl Prefetch {
    /// The VM `ns/name`, when that is what was read.
    pub fn take_vm(&mut self, ns: &str, name: &str) -> Option<anyhow::Result<Option<Value>>> {
        take(&mut self.vm, ns, name)
    }

    /// The snapshot `ns/name` at `version`, when that is what was read.
    pub fn take_snapshot(
        &mut self,
        ns: &str,
        name: &str,
        version: &str,
    ) -> Option<anyhow::Result<Option<Value>>> {
        if version != self.snapshot_version {
            return None;
        }
        take(&mut self.snapshot, ns, name)
    }
}

fn take(
    slot: &mut Option<(String, String, anyhow::Result<Option<Value>>)>,
    ns: &str,
    name: &str,
) -> Option<anyhow::Result<Option<Value>>> {
    match slot.take() {
        Some((n, m, got)) if n == ns && m == name => Some(got),
        _ => None,
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
    /// restore preview's diff: platform::kubevirt::report::diff::unified escapes each line).
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
}
