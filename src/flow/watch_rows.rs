//! `list -w` / `--watch-only`: one watch from the list's resourceVersion and one printed row
//! per change, as `kubectl get -w` prints them (k8s.io/kubectl/pkg/cmd/get/get.go, watch):
//! each change is flushed on its own, so a row is aligned by itself, not with the table.
//!
//! The watch ends with Ctrl-C (the process ends, as kubectl's does) or when
//! `--request-timeout` has passed since it started (exit 0, as kubectl's HTTP client timeout
//! ends its watch). When the stream ends (the server's watch timeout, a dropped connection),
//! the watch resumes from the last resourceVersion seen, so a long watch does not end by
//! itself; a 410 Gone ends it with an error saying to start again.

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;
use futures::StreamExt;
use kube::api::{WatchEvent, WatchParams};
use serde_json::Value;
use tokio::time::Instant;

use crate::error::UserError;
use crate::output::OutputFormat;
use crate::output::Table;

/// What to watch: a collection URL with the list's selectors, from the list's version.
#[derive(Debug, Clone)]
pub struct WatchFrom {
    /// The collection path (`/apis/G/V/namespaces/NS/PLURAL`).
    pub url: String,
    /// The list response's `metadata.resourceVersion`: changes after the list.
    pub resource_version: String,
    /// `-l`, passed to the server.
    pub label_selector: Option<String>,
    /// `--field-selector`, passed to the server.
    pub field_selector: Option<String>,
    /// `--request-timeout`: the whole watch ends after this long.
    pub limit: Option<Duration>,
    /// The object kind's name in messages ("VirtualMachineSnapshots").
    pub what: String,
}

/// An object's row cells; None leaves the object out (filtered on the client).
pub type RowOf<'a> = Box<dyn FnMut(&Value) -> Option<Vec<String>> + 'a>;

/// How changes are printed.
pub struct RowPrinter<'a> {
    /// Column headers, printed once with the first row when the list was not printed
    /// (`--watch-only`); None when the list printed them or there are none (`-o name`).
    pub pending_headers: Option<Vec<String>>,
    /// The cells of an object's row.
    pub row: RowOf<'a>,
}

/// `-o json|yaml` print whole documents, which a stream of changes cannot be (exit 2).
pub fn refuse_structured(format: OutputFormat) -> Result<(), UserError> {
    let shown = match format {
        OutputFormat::Json => "json",
        OutputFormat::Yaml => "yaml",
        _ => return Ok(()),
    };
    Err(UserError::usage(format!(
        "--watch prints table rows or names, not -o {shown}"
    ))
    .hint("use -o wide or -o name with --watch, or list once with -o json"))
}

/// A platform's `list -w` once listed: the list, its table's headers, each change's row,
/// and where to watch.
pub struct ListThenWatch<'a, V: crate::output::View> {
    /// The list as read (printed unless `--watch-only`).
    pub list: &'a V,
    /// Whether the list has rows (its header was printed with them).
    pub has_rows: bool,
    /// The table's headers, printed with the first change when the list printed none.
    pub headers: Vec<String>,
    /// The snapshots' collection, as listed.
    pub api: kube::Api<kube::api::DynamicObject>,
    /// The list's resourceVersion.
    pub resource_version: String,
    /// The label selector the rows were picked by.
    pub label_selector: Option<String>,
    /// The kind's name in messages.
    pub what: String,
}

/// Prints the list (unless `--watch-only`), then a row per change until Ctrl-C or
/// `--request-timeout`.
pub async fn list_then_follow<V: crate::output::View>(
    listed: ListThenWatch<'_, V>,
    row: RowOf<'_>,
    args: &crate::cli::ListArgs,
    ctx: &crate::flow::Ctx<'_>,
    opts: crate::output::RenderOptions,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let format = ctx.format();
    if !args.watch_only {
        crate::output::render(listed.list, format, ctx.clock.now(), opts, out)?;
    }
    let printed_headers = !args.watch_only && listed.has_rows;
    let table = format != OutputFormat::Name;
    let mut printer = RowPrinter {
        pending_headers: (table && !printed_headers && !opts.no_headers).then_some(listed.headers),
        row,
    };
    let from = WatchFrom {
        url: listed.api.resource_url().to_owned(),
        resource_version: listed.resource_version,
        label_selector: listed.label_selector,
        field_selector: args.field_selector.clone(),
        limit: ctx.global.request_timeout.filter(|t| !t.is_zero()),
        what: listed.what,
    };
    follow(&listed.api.into_client(), &from, &mut printer, out).await
}

/// A resumed watch that closed at once, repeatedly, waits this long before the next try.
const RESUME_PAUSE: Duration = Duration::from_secs(1);

/// Follows `from`, printing a row per change to `out`, until the limit or a signal.
pub async fn follow(
    client: &kube::Client,
    from: &WatchFrom,
    printer: &mut RowPrinter<'_>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let deadline = from.limit.map(|l| Instant::now() + l);
    let run = watch_loop(client, from, printer, out);
    let signal = async {
        match crate::interrupt::armed() {
            Some(rx) => crate::interrupt::pressed(rx).await,
            None => std::future::pending().await,
        }
    };
    let until_deadline = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = run => r,
        () = until_deadline => Ok(()),
        sig = signal => Err(UserError::interrupted(format!(
            "stopped watching {} ({})",
            from.what,
            sig.cause()
        ))
        .into()),
    }
}

async fn watch_loop(
    client: &kube::Client,
    from: &WatchFrom,
    printer: &mut RowPrinter<'_>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut params = WatchParams::default();
    if let Some(l) = &from.label_selector {
        params = params.labels(l);
    }
    if let Some(f) = &from.field_selector {
        params = params.fields(f);
    }
    let mut rv = from.resource_version.clone();
    loop {
        let started = Instant::now();
        let req = kube::core::Request::new(&from.url)
            .watch(&params, &rv)
            .map_err(kube::Error::BuildRequest)?;
        let events = match client.request_events::<Value>(req).await {
            Ok(events) => events,
            Err(kube::Error::Api(s)) if s.code == 410 => return Err(fell_behind(from).into()),
            Err(e) => return Err(e).with_context(|| format!("failed to watch {}", from.what)),
        };
        let mut events = std::pin::pin!(events);
        let mut seen = false;
        while let Some(event) = events.next().await {
            let event: Result<WatchEvent<Value>, kube::Error> = event;
            // A dropped or idle-timed-out stream is resumed below, as kube-runtime's watcher
            // resumes one; a server that refuses the watch fails the request above.
            let Ok(event) = event else { break };
            seen = true;
            match event {
                WatchEvent::Added(o) | WatchEvent::Modified(o) | WatchEvent::Deleted(o) => {
                    if let Some(v) = crate::cluster::json::str_at(&o, "/metadata/resourceVersion") {
                        rv = v.to_string();
                    }
                    print_row(printer, &o, out)?;
                }
                WatchEvent::Bookmark(b) => rv = b.metadata.resource_version,
                WatchEvent::Error(e) if e.code == 410 => return Err(fell_behind(from).into()),
                WatchEvent::Error(e) => {
                    return Err(UserError::failure(format!(
                        "the watch of {} ended: {} ({})",
                        from.what, e.message, e.code
                    ))
                    .into());
                }
            }
        }
        // The stream ended (the server's watch timeout, a dropped connection): resume from the
        // last version seen, pausing first if it ended at once without a change.
        if !seen && started.elapsed() < RESUME_PAUSE {
            tokio::time::sleep(RESUME_PAUSE).await;
        }
    }
}

/// 410 Gone: the server no longer has the changes since the version watched from.
fn fell_behind(from: &WatchFrom) -> UserError {
    UserError::failure(format!(
        "the watch of {} fell behind the server's history (410 Gone)",
        from.what
    ))
    .hint("run the command again to list and watch from now")
}

/// Prints one object's row, aligned by itself (kubectl flushes its tabwriter per event).
fn print_row(printer: &mut RowPrinter<'_>, obj: &Value, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(cells) = (printer.row)(obj) else {
        return Ok(());
    };
    let headers = printer.pending_headers.take();
    let mut table = Table::new(headers.as_deref().unwrap_or(&[]));
    table.row(cells);
    let text = table.render(headers.is_some());
    out.write_all(crate::terminal::terminal_safe(&text, true).as_bytes())
        .context("failed to write output")?;
    out.flush().context("failed to write output")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_prints_one_row_aligned_by_itself_with_headers_only_first() {
        let mut printer = RowPrinter {
            pending_headers: Some(vec!["NAME".into(), "PHASE".into()]),
            row: Box::new(|o: &Value| {
                let name = crate::cluster::json::str_at(o, "/metadata/name")?;
                (name != "skip").then(|| vec![name.to_string(), "Succeeded".to_string()])
            }),
        };
        let mut out = Vec::new();
        for name in ["s1", "skip", "a-longer-name"] {
            print_row(&mut printer, &json!({"metadata": {"name": name}}), &mut out)
                .expect("printed");
        }
        assert_eq!(
            String::from_utf8_lossy(&out),
            "NAME   PHASE\ns1     Succeeded\na-longer-name   Succeeded\n"
        );
    }
}
