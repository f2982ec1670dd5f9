//! Rendering reports as kubectl-style tables, JSON, YAML or names.
//!
//! `render` is pure: a report, a format and "now" in; bytes out to stdout.

pub mod custom_columns;
pub mod describe;
pub mod format;
mod go_json;
pub mod jsonpath;
mod kubectl_yaml;
pub mod label_columns;
pub mod long_list;
pub mod sort;
mod structured;
mod table;

use crate::terminal;
use std::io::Write;

use anyhow::Context as _;
use jiff::Timestamp;

pub use crate::model::age::{age, human_duration};
pub use format::{OutputFormat, OutputSpec, OutputTemplate, parse_output};
pub use table::{
    Table, deleted_line, dry_run_words, join_or_none, key_values, key_values_multi,
    namespace_cells, next_steps, or_none, write_rows,
};

/// Options that change a rendering without changing the data.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Leave out table headers (`--no-headers`).
    pub no_headers: bool,
    /// ANSI colours allowed on stdout (diffs): stdout is a terminal.
    pub color: bool,
}

/// What a command hands to the output layer. The serialized form is the documented report
/// (`-o report-json|report-yaml`, and `-o json|yaml` of a view without API objects);
/// `api_objects` what kubectl's printers (`-o json|yaml|jsonpath|custom-columns`) read;
/// `human` is the text for people (`wide` for `-o wide`); `names` the `-o name` lines. Each
/// format is written once, in [`render_spec`].
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

    /// Writes the output for `spec` straight to `w` when the view holds a long list in a
    /// compact form (rows, spooled objects) rather than as data to render whole; `Ok(false)`
    /// when it does not, and the usual forms above are rendered.
    fn write_streamed(
        &self,
        _spec: &OutputSpec,
        _now: Timestamp,
        _opts: RenderOptions,
        _w: &mut dyn Write,
    ) -> anyhow::Result<bool> {
        Ok(false)
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

/// An object as `kubectl get` prints it: `apiVersion` and `kind` filled in when the list it
/// came in left them out, `metadata.managedFields` dropped (kubectl's
/// `--show-managed-fields=false`).
pub fn api_object(
    mut object: serde_json::Value,
    api_version: &str,
    kind: &str,
) -> serde_json::Value {
    if let Some(map) = object.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| api_version.into());
        map.entry("kind").or_insert_with(|| kind.into());
        if let Some(meta) = map.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            meta.remove("managedFields");
        }
    }
    object
}

/// Renders `view` in `format` as of `now` into a string.
pub fn render_to_string(
    view: &impl View,
    format: OutputFormat,
    now: Timestamp,
    opts: RenderOptions,
) -> anyhow::Result<String> {
    render_spec_to_string(view, &OutputSpec::from(format), now, opts)
}

/// Renders `view` as `spec` says (a format, and the template of a template format).
pub fn render_spec_to_string(
    view: &impl View,
    spec: &OutputSpec,
    now: Timestamp,
    opts: RenderOptions,
) -> anyhow::Result<String> {
    let mut streamed = Vec::new();
    if view.write_streamed(spec, now, opts, &mut streamed)? {
        return String::from_utf8(streamed).context("failed to write output");
    }
    Ok(match spec.format {
        // kubectl's own printers over the API objects; an action's report has none.
        OutputFormat::Json => match view.api_objects() {
            Some(objects) => go_json::pretty(&objects),
            None => structured::json(view)?,
        },
        OutputFormat::Yaml => match view.api_objects() {
            Some(objects) => kubectl_yaml::to_string(&objects),
            None => structured::yaml(view)?,
        },
        OutputFormat::ReportJson => structured::json(view)?,
        OutputFormat::ReportYaml => structured::yaml(view)?,
        OutputFormat::JsonPath | OutputFormat::JsonPathAsJson | OutputFormat::CustomColumns => {
            let data = match view.api_objects() {
                Some(objects) => objects,
                None => serde_json::to_value(view).context("failed to encode JSON")?,
            };
            let text = print_template(spec, &data, opts)?;
            terminal::terminal_safe(&text, true).into_owned()
        }
        OutputFormat::Name => {
            let lines: String = view.names().iter().map(|l| format!("{l}\n")).collect();
            terminal::terminal_safe(&lines, true).into_owned()
        }
        OutputFormat::Table | OutputFormat::Wide => {
            let text = view.human(now, spec.format == OutputFormat::Wide, opts);
            if view.styled(opts) {
                text
            } else {
                terminal::terminal_safe(&text, true).into_owned()
            }
        }
    })
}

/// A template format's text for `data`; a template that fails on the data fails the command
/// (kubectl: "error executing jsonpath").
fn print_template(
    spec: &OutputSpec,
    data: &serde_json::Value,
    opts: RenderOptions,
) -> anyhow::Result<String> {
    let printed = match (spec.format, spec.template.as_deref()) {
        (OutputFormat::JsonPath, Some(OutputTemplate::JsonPath(t))) => t.render_text(data),
        (OutputFormat::JsonPathAsJson, Some(OutputTemplate::JsonPath(t))) => t.render_json(data),
        (OutputFormat::CustomColumns, Some(OutputTemplate::Columns(c))) => {
            c.render(data, opts.no_headers)
        }
        _ => anyhow::bail!(
            "failed to print: -o {:?} came without its template",
            spec.format
        ),
    };
    printed.map_err(template_failed)
}

/// A template that failed on the data: the error that fails the command.
pub fn template_failed(why: String) -> anyhow::Error {
    crate::error::UserError::failure(format!("failed to print the output template: {why}"))
        .hint("check the template's paths against: kubectl vmsnap list -o json")
        .into()
}

/// Renders `view` to `w`.
pub fn render(
    view: &impl View,
    format: OutputFormat,
    now: Timestamp,
    opts: RenderOptions,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    render_spec(view, &OutputSpec::from(format), now, opts, w)
}

/// Renders `view` to `w` as `spec` says.
pub fn render_spec(
    view: &impl View,
    spec: &OutputSpec,
    now: Timestamp,
    opts: RenderOptions,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    if view.write_streamed(spec, now, opts, w)? {
        return w.flush().context("failed to write output");
    }
    let text = render_spec_to_string(view, spec, now, opts)?;
    w.write_all(text.as_bytes())
        .context("failed to write output")?;
    w.flush().context("failed to write output")
}
