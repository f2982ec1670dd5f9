//! Long lists whose memory does not grow with the objects' size: a row kept as its printed
//! cells in one string ([`Cells`]); an API object rendered once, as it will stand inside
//! kubectl's `List`, and appended to an unlinked temporary file ([`Spool`]; in memory where
//! no file can be made); then written out in the rows' final order
//! ([`ObjectFormat::write_list`]).

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use serde_json::Value;

use crate::terminal::terminal_safe;

/// A row's cells in one allocation, NUL-separated. Each cell is escaped for the terminal
/// first (as [`super::Table::row`] does), so none holds a NUL. A row has one cell at least.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells(Box<str>);

impl Cells {
    /// The cells, escaped.
    pub fn new<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Cells {
        let mut joined = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                joined.push('\0');
            }
            joined.push_str(&terminal_safe(cell.as_ref(), false));
        }
        Cells(joined.into_boxed_str())
    }

    /// The cells in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split('\0')
    }

    /// Cell `i`, or "" past the end.
    pub fn get(&self, i: usize) -> &str {
        self.iter().nth(i).unwrap_or_default()
    }

    /// The cells as owned strings (a line to print).
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

/// Where one spooled object lies in its spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    offset: u64,
    len: u32,
}

/// Rendered objects appended to an unlinked temporary file (`tempfile::tempfile`: created
/// exclusively, never visible by name on Linux, removed by the OS when the process ends).
#[derive(Debug)]
pub struct Spool {
    out: SpoolOut,
    end: u64,
}

/// Where a spool's bytes go: the temporary file, or memory where no file can be made (a
/// read-only filesystem, a TMPDIR that is not a directory), so the list prints as kubectl's
/// does, holding its text as lists did before spooling.
#[derive(Debug)]
enum SpoolOut {
    File(BufWriter<File>),
    Memory(Vec<u8>),
}

impl Spool {
    /// A spool in a new temporary file, or in memory where none can be made.
    pub fn create() -> Spool {
        let out = match tempfile::tempfile() {
            Ok(file) => SpoolOut::File(BufWriter::with_capacity(256 * 1024, file)),
            Err(_) => SpoolOut::Memory(Vec::new()),
        };
        Spool { out, end: 0 }
    }

    /// Appends `bytes`; where to find them again.
    pub fn push(&mut self, bytes: &[u8]) -> io::Result<Span> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| io::Error::other("an object of 4 GiB or more cannot be printed"))?;
        match &mut self.out {
            SpoolOut::File(f) => f.write_all(bytes)?,
            SpoolOut::Memory(m) => m.extend_from_slice(bytes),
        }
        let span = Span {
            offset: self.end,
            len,
        };
        self.end += u64::from(len);
        Ok(span)
    }

    /// Done appending: the file (or memory), to read the spans back.
    pub fn finish(self) -> io::Result<Spooled> {
        Ok(match self.out {
            SpoolOut::File(out) => {
                Spooled::File(out.into_inner().map_err(io::IntoInnerError::into_error)?)
            }
            SpoolOut::Memory(bytes) => Spooled::Memory(bytes),
        })
    }
}

/// A finished [`Spool`].
#[derive(Debug)]
pub enum Spooled {
    File(File),
    Memory(Vec<u8>),
}

impl Spooled {
    /// The bytes of `span`, into `buf` (replacing what it held).
    fn read(&self, span: Span, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        match self {
            Spooled::File(file) => {
                let mut f = file;
                f.seek(SeekFrom::Start(span.offset))?;
                buf.resize(span.len as usize, 0);
                f.read_exact(buf)
            }
            Spooled::Memory(bytes) => {
                let start = usize::try_from(span.offset).map_err(io::Error::other)?;
                let end = start + span.len as usize;
                let part = bytes
                    .get(start..end)
                    .ok_or_else(|| io::Error::other("a span past the spool's end"))?;
                buf.extend_from_slice(part);
                Ok(())
            }
        }
    }
}

/// kubectl's printers of API objects that a long list spools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectFormat {
    Json,
    Yaml,
}

impl ObjectFormat {
    /// `object` as it stands inside the `List` this format prints.
    pub fn item(self, object: &Value) -> String {
        match self {
            ObjectFormat::Json => super::go_json::list_item(object),
            ObjectFormat::Yaml => super::kubectl_yaml::list_item(object),
        }
    }

    /// The `List` of the spooled items at `spans`, in that order, byte for byte what this
    /// format prints for [`super::api_list`] of the objects.
    pub fn write_list(
        self,
        spooled: &Spooled,
        spans: impl Iterator<Item = Span>,
        w: &mut dyn Write,
    ) -> io::Result<()> {
        // The frame is the empty List's text, cut where its items go.
        let empty = super::api_list(Vec::new());
        let (frame, hole) = match self {
            ObjectFormat::Json => (super::go_json::pretty(&empty), "[]"),
            ObjectFormat::Yaml => (super::kubectl_yaml::to_string(&empty), "items: []\n"),
        };
        let (head, tail) = frame
            .split_once(hole)
            .ok_or_else(|| io::Error::other("failed to frame the list"))?;
        let mut w = BufWriter::with_capacity(256 * 1024, w);
        w.write_all(head.as_bytes())?;
        let mut buf = Vec::new();
        let mut spans = spans.peekable();
        if spans.peek().is_none() {
            w.write_all(hole.as_bytes())?;
        } else {
            w.write_all(match self {
                ObjectFormat::Json => b"[",
                ObjectFormat::Yaml => b"items:\n",
            })?;
            for (i, span) in spans.enumerate() {
                if self == ObjectFormat::Json {
                    w.write_all(if i == 0 {
                        b"\n        "
                    } else {
                        b",\n        "
                    })?;
                }
                spooled.read(span, &mut buf)?;
                w.write_all(&buf)?;
            }
            if self == ObjectFormat::Json {
                w.write_all(b"\n    ]")?;
            }
        }
        w.write_all(tail.as_bytes())?;
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn objects() -> Vec<Value> {
        let long = "a message long enough to pass the eighty columns at which go-yaml folds plain text, surely";
        vec![
            json!({"kind": "VirtualMachineSnapshot", "metadata": {"name": "b", "labels": {"x": "1"}},
                   "status": {"conditions": [{"message": long, "type": "Ready"}],
                              "indications": ["Online", "GuestAgent"], "empty": [], "none": {}}}),
            json!({"metadata": {"name": "a<&>", "annotations": {"multi": "line one\nline two\n"}},
                   "spec": {"nested": [[1, 2], []], "n": 1.5e21, "q": "'q'"}}),
            json!({"metadata": {"name": "c"}}),
        ]
    }

    /// Spools `items` in `order` and prints them as the List.
    fn spooled_list(format: ObjectFormat, items: &[Value], order: &[usize]) -> String {
        spooled_list_in(Spool::create(), format, items, order)
    }

    /// [`spooled_list`] through `spool`.
    fn spooled_list_in(
        mut spool: Spool,
        format: ObjectFormat,
        items: &[Value],
        order: &[usize],
    ) -> String {
        let spans: Vec<Span> = items
            .iter()
            .map(|o| spool.push(format.item(o).as_bytes()).unwrap())
            .collect();
        let spooled = spool.finish().unwrap();
        let mut out = Vec::new();
        format
            .write_list(&spooled, order.iter().map(|&i| spans[i]), &mut out)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_spooled_list_prints_byte_for_byte_as_the_whole_list_does() {
        let items = objects();
        let order = [2, 0, 1];
        let ordered: Vec<Value> = order.iter().map(|&i| items[i].clone()).collect();
        let whole = super::super::api_list(ordered);
        assert_eq!(
            spooled_list(ObjectFormat::Json, &items, &order),
            super::super::go_json::pretty(&whole)
        );
        assert_eq!(
            spooled_list(ObjectFormat::Yaml, &items, &order),
            super::super::kubectl_yaml::to_string(&whole)
        );
    }

    #[test]
    fn a_list_spooled_in_memory_prints_as_one_spooled_to_a_file() {
        let items = objects();
        let in_memory = || Spool {
            out: SpoolOut::Memory(Vec::new()),
            end: 0,
        };
        for format in [ObjectFormat::Json, ObjectFormat::Yaml] {
            assert_eq!(
                spooled_list_in(in_memory(), format, &items, &[1, 2, 0]),
                spooled_list(format, &items, &[1, 2, 0])
            );
        }
    }

    #[test]
    fn an_empty_spooled_list_is_the_empty_list() {
        let empty = super::super::api_list(Vec::new());
        assert_eq!(
            spooled_list(ObjectFormat::Json, &[], &[]),
            super::super::go_json::pretty(&empty)
        );
        assert_eq!(
            spooled_list(ObjectFormat::Yaml, &[], &[]),
            super::super::kubectl_yaml::to_string(&empty)
        );
    }

    #[test]
    fn cells_are_escaped_and_cannot_split() {
        let c = Cells::new(["a\0b", "x\ny", ""]);
        assert_eq!(c.to_vec(), ["a\\x00b", "x\\ny", ""]);
        assert_eq!(c.get(1), "x\\ny");
        assert_eq!(c.get(7), "");
    }
}
