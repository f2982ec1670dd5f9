//! `list`'s rows in a compact form: of each snapshot only what the chosen output prints, so
//! memory does not grow with the objects' size (100,000 snapshots: docs/performance.md).

use std::io::{BufWriter, Write};

use anyhow::Context as _;
use jiff::Timestamp;

use super::SNAPSHOT_RESOURCE;
use super::SnapshotList;
use super::human::{ListColumns, expand_list_row, list_headers};
use crate::output::RenderOptions;
use crate::output::long_list::{Cells, ObjectFormat, Span, Spooled};
use crate::terminal::terminal_safe;

/// The rows, in the list's order, and what they print.
#[derive(Debug)]
pub struct ListRows {
    pub rows: Vec<Row>,
    pub printed: Printed,
}

/// What each row holds for its output.
#[derive(Debug)]
pub enum Printed {
    /// The table (`-o wide`: with its wide columns): each row's cells but SIZE and AGE.
    Table { wide: bool },
    /// `-o name`: the name alone.
    Names,
    /// `-o json|yaml`: each object rendered as it stands in the List, spooled.
    Objects {
        format: ObjectFormat,
        spooled: Spooled,
    },
    /// `-o custom-columns`: each row's cells, under these headers.
    Columns { headers: Vec<String> },
}

/// One listed snapshot.
#[derive(Debug)]
pub struct Row {
    /// `metadata.creationTimestamp`: the default order, and AGE.
    pub created: Option<Timestamp>,
    /// Namespace and name.
    pub key: Cells,
    /// The printed cells ([`Printed::Table`], [`Printed::Columns`]); else empty.
    pub cells: Cells,
    /// The spooled object ([`Printed::Objects`]).
    pub span: Option<Span>,
    /// SIZE.
    pub size_bytes: Option<u64>,
}

impl Row {
    pub fn namespace(&self) -> &str {
        self.key.get(0)
    }

    pub fn name(&self) -> &str {
        self.key.get(1)
    }
}

impl ListRows {
    /// Prints `list`'s rows as their output does, straight to `w`.
    pub fn write(
        &self,
        list: &SnapshotList,
        now: Timestamp,
        opts: RenderOptions,
        w: &mut dyn Write,
    ) -> anyhow::Result<()> {
        let rows = &self.rows;
        let written = match &self.printed {
            // Like kubectl: nothing on stdout when there is nothing (the notice is on stderr).
            Printed::Table { .. } if rows.is_empty() => Ok(()),
            Printed::Table { wide } => {
                let columns = ListColumns {
                    all_namespaces: list.namespace.is_none(),
                    wide: *wide,
                    labels: &list.label_columns,
                };
                let headers = list_headers(columns);
                let headers = (!opts.no_headers).then_some(headers.as_slice());
                crate::output::write_rows(w, headers, rows.len(), |i| {
                    let r = &rows[i];
                    expand_list_row(&r.cells, r.size_bytes, r.created, columns, now)
                })
            }
            Printed::Columns { headers } => {
                let headers = (!opts.no_headers).then_some(headers.as_slice());
                crate::output::write_rows(w, headers, rows.len(), |i| rows[i].cells.to_vec())
            }
            Printed::Names => {
                let mut w = BufWriter::with_capacity(64 * 1024, w);
                rows.iter()
                    .try_for_each(|r| {
                        let line = format!("{SNAPSHOT_RESOURCE}/{}\n", r.name());
                        w.write_all(terminal_safe(&line, true).as_bytes())
                    })
                    .and_then(|()| w.flush())
            }
            Printed::Objects { format, spooled } => {
                format.write_list(spooled, rows.iter().filter_map(|r| r.span), w)
            }
        };
        written.context("failed to write output")
    }
}
