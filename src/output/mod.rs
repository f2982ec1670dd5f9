//! Rendering reports as kubectl-style tables, JSON, YAML or names.
//!
//! `render` is pure: a report, a format and "now" in; bytes out to stdout.

pub mod describe;
pub mod diff;
mod report;
mod structured;
mod table;
pub mod terminal;

use std::io::Write;

use anyhow::Context as _;
use jiff::Timestamp;

pub use crate::model::age::{age, human_duration};
pub use diff as diff_text;
pub use report::{PlatformReport, Report};
pub use table::{Table, join_or_none, key_values, key_values_multi, next_steps, or_none};

use crate::cli::OutputFormat;

/// Options that change a rendering without changing the data.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Leave out table headers (`--no-headers`).
    pub no_headers: bool,
    /// ANSI colours allowed (diffs).
    pub color: bool,
}

/// What a command hands to the output layer. The serialized form is the documented
/// `-o json|yaml` schema; `human` is the text for people (`wide` for `-o wide`); `names` the
/// `-o name` lines. Each format is written once, in [`render`].
pub trait View: serde::Serialize {
    /// The text for people, as of `now`. Server strings in it are escaped by [`render`]
    /// unless [`View::styled`] says the view escaped them itself.
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String;

    /// `-o name` lines (`resource.group/name`).
    fn names(&self) -> Vec<String>;

    /// The human text carries colour codes of its own, its server parts already escaped
    /// (a coloured diff).
    fn styled(&self, _opts: RenderOptions) -> bool {
        false
    }

    /// An outcome that fails the command once it is printed (a batch with failed items).
    fn failure(&self) -> Option<anyhow::Error> {
        None
    }

    /// The API objects behind the view, exactly as `kubectl get -o json` prints them: one
    /// object for a single name, else a `List` ([`api_list`]). `list` and `describe` have
    /// them; reports of actions do not (None: their own documented schema is printed).
    fn api_objects(&self) -> Option<serde_json::Value> {
        None
    }
}

/// A `List` of `items` as `kubectl get -o json` prints several objects.
pub fn api_list(items: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    })
}

/// Renders `view` in `format` as of `now` into a string.
pub fn render_to_string(
    view: &impl View,
    format: OutputFormat,
    now: Timestamp,
    opts: RenderOptions,
) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Json => structured::json(view)?,
        OutputFormat::Yaml => structured::yaml(view)?,
        OutputFormat::Name => {
            let lines: String = view.names().iter().map(|l| format!("{l}\n")).collect();
            terminal::terminal_safe(&lines, true).into_owned()
        }
        OutputFormat::Table | OutputFormat::Wide => {
            let text = view.human(now, format == OutputFormat::Wide, opts);
            if view.styled(opts) {
                text
            } else {
                terminal::terminal_safe(&text, true).into_owned()
            }
        }
    })
}

/// Renders `view` to `w`.
pub fn render(
    view: &impl View,
    format: OutputFormat,
    now: Timestamp,
    opts: RenderOptions,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let text = render_to_string(view, format, now, opts)?;
    w.write_all(text.as_bytes())
        .context("failed to write output")?;
    w.flush().context("failed to write output")
}

impl View for Report {
    fn human(&self, now: Timestamp, wide: bool, opts: RenderOptions) -> String {
        crate::platform::kubevirt::report::human::render(self, now, wide, opts)
    }

    fn names(&self) -> Vec<String> {
        crate::platform::kubevirt::report::names(self)
    }

    fn styled(&self, opts: RenderOptions) -> bool {
        // A coloured diff escaped its lines before painting them (diff::unified).
        matches!(self, Report::Diff(_)) && opts.color
    }

    fn failure(&self) -> Option<anyhow::Error> {
        let Report::Batch(b) = self else { return None };
        let failed = crate::platform::kubevirt::commands::batch::failures(b);
        (failed > 0).then(|| {
            crate::error::UserError::failure(format!(
                "{failed} of {} snapshots of batch {} failed",
                b.items.len(),
                b.batch
            ))
            .hint(format!(
                "see them with: kubectl vmsnap list -l vmsnap.io/batch={} -n {}",
                b.batch, b.namespace
            ))
            .into()
        })
    }
}
