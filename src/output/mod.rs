//! Rendering reports as kubectl-style tables, JSON, YAML or names.
//!
//! `render` is pure: a report, a format and "now" in; bytes out to stdout.

mod age;
pub mod diff;
mod human;
mod report;
mod structured;
mod table;
pub mod terminal;

use std::io::Write;

use anyhow::Context as _;
use jiff::Timestamp;

pub use age::{age, human_duration};
pub use diff as diff_text;
pub use human::next_steps;
pub use report::{
    BatchReport, BatchResult, CheckReport, CloneReport, ClusterVersion, CreateReport, DeleteReport,
    DeletedSnapshot, DiffReport, PlatformReport, PruneReport, Report, RestoreReport,
    SnapshotDetail, SnapshotList, VersionReport,
};
pub use table::{Table, key_values};

use crate::cli::OutputFormat;

/// The `-o name` prefix of a snapshot (kubectl's `resource.group/name`).
pub const SNAPSHOT_RESOURCE: &str = "virtualmachinesnapshot.snapshot.kubevirt.io";
/// The `-o name` prefix of a restore.
pub const RESTORE_RESOURCE: &str = "virtualmachinerestore.snapshot.kubevirt.io";

/// Options that change a rendering without changing the data.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Leave out table headers (`--no-headers`).
    pub no_headers: bool,
    /// ANSI colours allowed (diffs).
    pub color: bool,
}

/// Renders `report` in `format` as of `now` into a string.
pub fn render_to_string(
    report: &Report,
    format: OutputFormat,
    now: Timestamp,
    opts: RenderOptions,
) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Json => structured::json(report)?,
        OutputFormat::Yaml => structured::yaml(report)?,
        OutputFormat::Name => terminal::terminal_safe(&names(report), true).into_owned(),
        OutputFormat::Table | OutputFormat::Wide => {
            let text = human::render(report, now, format == OutputFormat::Wide, opts);
            // A coloured diff escaped its lines before painting them (diff::unified).
            if matches!(report, Report::Diff(_)) && opts.color {
                text
            } else {
                terminal::terminal_safe(&text, true).into_owned()
            }
        }
    })
}

/// Renders `report` to `w`.
pub fn render(
    report: &Report,
    format: OutputFormat,
    now: Timestamp,
    opts: RenderOptions,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let text = render_to_string(report, format, now, opts)?;
    w.write_all(text.as_bytes())
        .context("failed to write output")?;
    w.flush().context("failed to write output")
}

fn names(report: &Report) -> String {
    let lines: Vec<String> = match report {
        Report::List(l) => l
            .items
            .iter()
            .map(|s| format!("{SNAPSHOT_RESOURCE}/{}", s.name))
            .collect(),
        Report::Describe(d) => vec![format!("{SNAPSHOT_RESOURCE}/{}", d.snapshot.name)],
        Report::Create(c) => vec![format!("{SNAPSHOT_RESOURCE}/{}", c.snapshot.name)],
        Report::Delete(d) => d
            .items
            .iter()
            .map(|s| format!("{SNAPSHOT_RESOURCE}/{}", s.name))
            .collect(),
        Report::Restore(r) => vec![format!("{RESTORE_RESOURCE}/{}", r.restore.name)],
        Report::Version(v) => vec![format!("kubectl-vmsnap/{}", v.version)],
        Report::Diff(d) => vec![format!("{SNAPSHOT_RESOURCE}/{}", d.snapshot)],
        Report::Check(c) => c
            .rows
            .iter()
            .map(|r| format!("virtualmachine.kubevirt.io/{}", r.vm))
            .collect(),
        Report::Platform(p) => p.names.clone(),
        Report::Batch(b) => b
            .items
            .iter()
            .map(|i| format!("{SNAPSHOT_RESOURCE}/{}", i.snapshot))
            .collect(),
        Report::Clone(c) => vec![format!(
            "virtualmachine.kubevirt.io/{}",
            c.clone.target.as_deref().unwrap_or_default()
        )],
        Report::Prune(p) => p
            .delete
            .iter()
            .map(|d| format!("{SNAPSHOT_RESOURCE}/{}", d.snapshot))
            .collect(),
    };
    lines.iter().map(|l| format!("{l}\n")).collect()
}
