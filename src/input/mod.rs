//! Where documents come from: lines of text, whole files, table rows (CSV,
//! TSV) or JSONL records, from files or stdin. Documents stream out one at a
//! time in input order, each with an id naming its source (`stdin:3`,
//! `notes.txt`, `data.csv:17`), the record's original bytes when the output
//! carries them through, and the input position (bytes and their hash) at its
//! end, for checkpoints.
//!
//! One rule for problems: an input that cannot be opened or read is named,
//! skipped, and reading goes on with the next (`ErrorKind::Unreadable`); a
//! malformed record inside a readable input stops the run (`Fatal`) unless
//! `--skip-bad-rows` makes it `Skipped`.

pub mod hashed;
pub mod table;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use anyhow::{bail, Result};

pub use hashed::Position;
use hashed::{Hashed, InputHash};
pub use table::Dialect;
use table::{TableError, TableReader};

/// One document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    /// Position among all documents read, from 0 (bad rows are not documents).
    pub index: usize,
    pub id: String,
    pub text: String,
    /// A second text (the hypothesis of an NLI pair), when asked for.
    pub pair: Option<String>,
    /// Further columns or fields asked for (`InputSpec::extra`), in order.
    pub extra: Vec<Option<String>>,
    /// The record as it was in the input, for pass-through output.
    pub raw: Option<Raw>,
    /// The input read up to the end of this document.
    pub end: Position,
}

impl Doc {
    /// Bytes this document holds in memory (for the in-flight budget).
    pub fn weight(&self) -> usize {
        let raw = match &self.raw {
            Some(Raw::Table { bytes, .. }) => bytes.len(),
            Some(Raw::Json(s)) => s.len(),
            None => 0,
        };
        self.text.len() + self.pair.as_ref().map_or(0, String::len) + raw + 64
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Raw {
    /// A table record's bytes without its terminator, and that terminator.
    Table { bytes: Vec<u8>, terminator: &'static [u8] },
    /// A JSONL line without its line ending.
    Json(String),
}

/// A problem with one input or record. What happens next depends on the kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct InputError {
    pub location: String,
    pub message: String,
    pub kind: ErrorKind,
    /// The input read up to this problem.
    pub end: Position,
}

impl InputError {
    fn new(location: impl Into<String>, message: impl Into<String>, kind: ErrorKind) -> Self {
        InputError { location: location.into(), message: message.into(), kind, end: Position::default() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An input that cannot be opened or read (or is unusable, like an empty
    /// file): reported, skipped, and the exit code says an error happened.
    Unreadable,
    /// A malformed record skipped under `--skip-bad-rows`: counted and reported.
    Skipped,
    /// A malformed record: the run stops (after writing what is done).
    Fatal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub fn parse(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::File(PathBuf::from(arg))
        }
    }

    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "stdin".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    fn open(&self) -> std::io::Result<Box<dyn BufRead + Send>> {
        Ok(match self {
            Source::Stdin => Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
            Source::File(p) => {
                let f = File::open(p)?;
                if f.metadata()?.is_dir() {
                    return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder, not a file"));
                }
                Box::new(BufReader::with_capacity(1 << 16, f))
            }
        })
    }

    /// The format a file's extension implies.
    pub fn implied_format(&self) -> Option<Structured> {
        let Source::File(p) = self else { return None };
        match p.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Structured::Table(Dialect::CSV)),
            "tsv" | "tab" => Some(Structured::Table(Dialect::TSV)),
            "jsonl" | "ndjson" => Some(Structured::Jsonl),
            _ => None,
        }
    }
}

/// Record-based input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Structured {
    Table(Dialect),
    Jsonl,
}

/// A column named in a header, or a 1-based position.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Column {
    Name(String),
    Index(usize),
}

impl Column {
    pub fn parse(s: &str) -> Column {
        match s.parse::<usize>() {
            Ok(i) if i >= 1 => Column::Index(i),
            _ => Column::Name(s.to_string()),
        }
    }

    fn find(&self, header: &[String]) -> Option<usize> {
        match self {
            Column::Index(i) => (*i <= header.len()).then(|| i - 1),
            Column::Name(n) => header.iter().position(|h| h == n),
        }
    }

    fn describe(&self) -> String {
        match self {
            Column::Index(i) => format!("column {i}"),
            Column::Name(n) => format!("column {n:?}"),
        }
    }
}

/// A further value read from each record: a table column or a JSONL field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extra {
    pub column: Column,
    pub field: String,
    /// Missing from a header: an error when required, else `None` per record.
    pub required: bool,
    /// The option that names it, for hints.
    pub flag: &'static str,
}

/// How inputs are read.
#[derive(Clone, Debug)]
pub struct InputSpec {
    pub sources: Vec<Source>,
    /// Text inputs: every non-blank line is a document (stdin always is).
    pub lines: bool,
    /// Record-based format, if any (forced, or implied by the files).
    pub structured: Option<Structured>,
    pub text_column: Column,
    pub id_column: Option<Column>,
    /// JSONL: dotted path to the text.
    pub text_field: String,
    /// A second text per record (NLI hypotheses): its table column and JSONL field.
    pub pair: Option<(Column, String)>,
    pub extra: Vec<Extra>,
    /// Flags that name the text and the second text, for error hints.
    pub flags: Flags,
    pub skip_bad_rows: bool,
    /// Keep each record's bytes for pass-through output (and refuse JSONL
    /// records that already carry the key the output adds).
    pub passthrough: bool,
    /// No format given for stdin: recognise a table (tab or comma) or JSONL
    /// from its first line.
    pub sniff: bool,
}

impl InputSpec {
    /// Plain documents from `sources`, for the library's own tests and tools.
    pub fn text(sources: Vec<Source>, lines: bool) -> Self {
        InputSpec {
            sources,
            lines,
            structured: None,
            text_column: Column::Name("text".into()),
            id_column: None,
            text_field: "text".into(),
            pair: None,
            extra: Vec::new(),
            flags: Flags::CLASSIFY,
            skip_bad_rows: false,
            passthrough: false,
            sniff: false,
        }
    }
}

/// The option names that choose columns and fields, quoted in error hints.
#[derive(Clone, Copy, Debug)]
pub struct Flags {
    pub text_column: &'static str,
    pub text_field: &'static str,
    pub pair_column: &'static str,
    pub pair_field: &'static str,
}

impl Flags {
    pub const CLASSIFY: Flags =
        Flags { text_column: "--text-column", text_field: "--text-field", pair_column: "", pair_field: "" };
}

/// What the first table header says: its raw bytes (for pass-through) and names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvHeader {
    pub bom: bool,
    pub raw: Vec<u8>,
    pub terminator: &'static [u8],
    pub names: Vec<String>,
    pub dialect: Dialect,
}

/// The key classify's JSONL pass-through adds to each record.
pub const JSON_KEY: &str = "zeroshot";

type Reader = Hashed<Box<dyn BufRead + Send>>;

/// Column positions of one table source.
struct Columns {
    text: usize,
    pair: Option<usize>,
    id: Option<usize>,
    extra: Vec<Option<usize>>,
    width: usize,
    keep: Vec<bool>,
}

enum Current {
    Lines { name: String, r: Reader, line: usize },
    Table { name: String, t: Box<TableReader<Reader>>, cols: Columns, row: usize },
    Jsonl { name: String, r: Reader, line: usize },
}

/// Streams documents from the sources in order.
pub struct Docs {
    spec: InputSpec,
    next_source: usize,
    current: Option<Current>,
    next_index: usize,
    header: Option<CsvHeader>,
    /// Items ready before the current reader's (a whole-file document, or
    /// inputs found unreadable while looking for the first table header).
    pending: std::collections::VecDeque<Result<Doc, InputError>>,
    buf: Vec<u8>,
    hash: InputHash,
    failed: bool,
}

impl Docs {
    /// Opens the inputs. A table's header is read here, so a missing column
    /// is reported before any work starts; unreadable inputs before the first
    /// readable table are reported as the first items.
    pub fn open(spec: InputSpec) -> Result<Self> {
        let mut docs = Docs {
            spec,
            next_source: 0,
            current: None,
            next_index: 0,
            header: None,
            pending: Default::default(),
            buf: Vec::new(),
            hash: InputHash::default(),
            failed: false,
        };
        if matches!(docs.spec.structured, Some(Structured::Table(_))) || docs.spec.sniff {
            loop {
                match docs.advance() {
                    Ok(true) if docs.current.is_some() => break,
                    Ok(true) => continue,
                    Ok(false) => {
                        let names: Vec<String> = docs.spec.sources.iter().map(Source::name).collect();
                        for e in &docs.pending {
                            if let Err(e) = e {
                                crate::msg::error(&e.to_string());
                            }
                        }
                        bail!("no readable table among the inputs ({})", names.join(", "));
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(docs)
    }

    /// The table header, when the input is a table.
    pub fn csv_header(&self) -> Option<&CsvHeader> {
        self.header.as_ref()
    }

    /// Total input size when every source is a regular file.
    pub fn total_bytes(&self) -> Option<u64> {
        self.spec
            .sources
            .iter()
            .map(|s| match s {
                Source::File(p) => std::fs::metadata(p).ok().filter(|m| m.is_file()).map(|m| m.len()),
                Source::Stdin => None,
            })
            .sum()
    }

    fn doc(&mut self, id: String, text: String, pair: Option<String>, extra: Vec<Option<String>>, raw: Option<Raw>) -> Doc {
        let d = Doc { index: self.next_index, id, text, pair, extra, raw, end: Position::default() };
        self.next_index += 1;
        d
    }

    fn unreadable(&self, location: String, message: String) -> InputError {
        InputError::new(location, message, ErrorKind::Unreadable)
    }

    /// Opens the next source. `Ok(false)` when there is none. Problems with
    /// the source itself are queued as unreadable; `Err` for a usage error in
    /// the first table header (a missing column).
    fn advance(&mut self) -> Result<bool> {
        self.current = None;
        let Some(source) = self.spec.sources.get(self.next_source).cloned() else { return Ok(false) };
        self.next_source += 1;
        let name = source.name();
        let mut r = match source.open() {
            Ok(r) => Hashed::new(r, self.hash.clone()),
            Err(e) => {
                let err = self.unreadable(name.clone(), format!("cannot open: {}", io_reason(&e)));
                self.pending.push_back(Err(err));
                return Ok(true);
            }
        };
        if self.spec.structured.is_none() && self.spec.sniff {
            self.spec.structured = Some(sniff(&mut r, &name)?);
        }
        self.current = match self.spec.structured {
            None if self.spec.lines || source == Source::Stdin => Some(Current::Lines { name, r, line: 0 }),
            None => {
                let item = self.whole_file(name, r);
                self.pending.push_back(item);
                None
            }
            Some(Structured::Jsonl) => Some(Current::Jsonl { name, r, line: 0 }),
            Some(Structured::Table(dialect)) => match self.open_table(&name, r, dialect) {
                Ok(Some(c)) => Some(c),
                Ok(None) => None,
                Err(e) => {
                    if self.header.is_none() {
                        return Err(e);
                    }
                    let err = self.unreadable(name, format!("{e:#}; file skipped"));
                    self.pending.push_back(Err(err));
                    None
                }
            },
        };
        Ok(true)
    }

    /// A whole file as one document.
    fn whole_file(&mut self, name: String, mut r: Reader) -> Result<Doc, InputError> {
        let mut bytes = Vec::new();
        if let Err(e) = r.read_to_end(&mut bytes) {
            return Err(self.unreadable(name, format!("cannot read: {}; file skipped", io_reason(&e))));
        }
        if bytes.starts_with(b"\xef\xbb\xbf") {
            bytes.drain(..3);
        }
        match String::from_utf8(bytes) {
            Ok(text) if text.trim().is_empty() => Err(self.unreadable(name, "is empty; file skipped".into())),
            Ok(text) => Ok(self.doc(name.clone(), text, None, Vec::new(), None)),
            Err(e) => Err(self.unreadable(
                name,
                format!("not valid UTF-8 (byte {}); file skipped", e.utf8_error().valid_up_to() + 1),
            )),
        }
    }

    /// Reads a table source's header and finds the columns. `Ok(None)` when
    /// the source was queued as unreadable.
    fn open_table(&mut self, name: &str, r: Reader, dialect: Dialect) -> Result<Option<Current>> {
        let mut t = Box::new(TableReader::new(r, dialect));
        let rec = match t.next_record(None, true) {
            Ok(Some(rec)) => rec,
            Ok(None) => {
                let err = self.unreadable(name.to_string(), format!("empty {} input (expected a header row); file skipped", dialect.name()));
                self.pending.push_back(Err(err));
                return Ok(None);
            }
            Err(e) => {
                let err = self.unreadable(format!("{name} (header)"), format!("{e}; file skipped"));
                self.pending.push_back(Err(err));
                return Ok(None);
            }
        };
        let mut names = Vec::with_capacity(rec.fields.len());
        for (i, f) in rec.fields.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => names.push(s.to_string()),
                Err(_) => bail!("{name}: header column {} is not valid UTF-8", i + 1),
            }
        }
        let spec = &self.spec;
        let find = |c: &Column, flag: &str, what: &str| -> Result<usize> {
            if let Column::Name(n) = c {
                let count = names.iter().filter(|h| *h == n).count();
                if count > 1 {
                    bail!("{name}: the header names {n:?} {count} times, so the {what} column is ambiguous; rename the columns or give {flag} a 1-based position");
                }
            }
            c.find(&names).ok_or_else(|| {
                anyhow::anyhow!(
                    "{name}: no {} in the header (columns: {}); name the {what} column with {flag}{}",
                    c.describe(),
                    names.join(", "),
                    delimiter_hint(&names, dialect)
                )
            })
        };
        let text = find(&spec.text_column, spec.flags.text_column, "text")?;
        let pair = match &spec.pair {
            Some((c, _)) => Some(find(c, spec.flags.pair_column, "second text")?),
            None => None,
        };
        let id = match &spec.id_column {
            Some(c) => Some(find(c, "--id-column", "id")?),
            None => None,
        };
        let mut extra = Vec::new();
        for x in &spec.extra {
            extra.push(if x.required || x.column.find(&names).is_some() { Some(find(&x.column, x.flag, "asked-for")?) } else { None });
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) {
            if self.header.is_none() {
                crate::msg::warn(&format!("{name}: the header names {dup:?} more than once"));
            }
        }
        let header = CsvHeader { bom: rec.bom, raw: rec.raw, terminator: rec.terminator, names: names.clone(), dialect };
        match &self.header {
            None => self.header = Some(header),
            Some(first) if first.names == header.names => {}
            Some(first) => bail!(
                "its header ({}) differs from the first table's ({}); process them separately",
                header.names.join(", "),
                first.names.join(", ")
            ),
        }
        let width = names.len();
        let mut keep = vec![false; width];
        for i in [Some(text), pair, id].into_iter().flatten().chain(extra.iter().flatten().copied()) {
            keep[i] = true;
        }
        let cols = Columns { text, pair, id, extra, width, keep };
        Ok(Some(Current::Table { name: name.to_string(), t, cols, row: 0 }))
    }

    fn next_item(&mut self) -> Option<Result<Doc, InputError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.current.is_none() {
                match self.advance() {
                    Ok(false) => return None,
                    Ok(true) => continue,
                    Err(e) => {
                        let at = self.spec.sources[self.next_source - 1].name();
                        return Some(Err(self.unreadable(at, format!("{e:#}"))));
                    }
                }
            }
            let spec = &self.spec;
            let got = match self.current.as_mut().expect("a current source") {
                Current::Lines { name, r, line } => read_line(name, r, line, &mut self.buf),
                Current::Jsonl { name, r, line } => read_jsonl(name, r, line, &mut self.buf, spec),
                Current::Table { name, t, cols, row } => read_row(name, t, cols, row, spec),
            };
            match got {
                Next::Doc(p) => return Some(Ok(self.doc(p.id, p.text, p.pair, p.extra, p.raw))),
                Next::Blank => continue,
                Next::Bad(e) => return Some(Err(e)),
                Next::Broken(e) => {
                    self.current = None;
                    return Some(Err(e));
                }
                Next::End => self.current = None,
            }
        }
    }
}

impl Iterator for Docs {
    type Item = Result<Doc, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let mut item = self.next_item()?;
        let end = self.hash.position();
        match &mut item {
            Ok(d) => d.end = end,
            Err(e) => {
                e.end = end;
                if e.kind == ErrorKind::Fatal {
                    self.failed = true;
                }
            }
        }
        Some(item)
    }
}

/// What one read of the current source gave.
enum Next {
    Doc(Parsed),
    /// A blank line: nothing, read on.
    Blank,
    /// A bad record (fatal or skipped per `--skip-bad-rows`).
    Bad(InputError),
    /// The source broke (a read error): reported, the rest of it skipped.
    Broken(InputError),
    End,
}

struct Parsed {
    id: String,
    text: String,
    pair: Option<String>,
    extra: Vec<Option<String>>,
    raw: Option<Raw>,
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The format of a table or JSONL stream from its first line: a JSON object,
/// tab-separated, or comma-separated.
fn sniff(r: &mut Reader, name: &str) -> Result<Structured> {
    let head = r.fill_buf()?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let trimmed = line.iter().position(|b| !b.is_ascii_whitespace()).map_or(&[][..], |p| &line[p..]);
    if trimmed.starts_with(b"{") {
        Ok(Structured::Jsonl)
    } else if line.contains(&b'\t') {
        Ok(Structured::Table(Dialect::TSV))
    } else if line.contains(&b',') {
        Ok(Structured::Table(Dialect::CSV))
    } else if head.is_empty() {
        bail!("{name} is empty: expected a header row (or JSON Lines)")
    } else {
        bail!("{name}: cannot tell the format from the first line (no tab, comma or JSON object); pass --tsv, --csv or --jsonl")
    }
}

/// A hint when a header looks split with another delimiter.
fn delimiter_hint(names: &[String], dialect: Dialect) -> String {
    if names.len() != 1 {
        return String::new();
    }
    for (c, flag) in [(';', "--delimiter ';'"), ('\t', "--tsv"), (',', "--delimiter ,"), ('|', "--delimiter '|'")] {
        if c as u32 != dialect.delimiter as u32 && names[0].contains(c) {
            let shown = if c == '\t' { "tabs".to_string() } else { format!("{c:?}") };
            return format!(" (the header is one column holding {shown}: is it separated by them? pass {flag})");
        }
    }
    String::new()
}

/// One line of a source, as the bytes it holds.
fn next_line(r: &mut Reader, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.clear();
    r.read_until(b'\n', buf)
}

fn trim_eol(b: &mut Vec<u8>) {
    if b.last() == Some(&b'\n') {
        b.pop();
        if b.last() == Some(&b'\r') {
            b.pop();
        }
    }
}

/// Reads one line into an owned string (the buffer's memory moves into it,
/// so a huge line is held once). `line` counts lines; the first loses a BOM.
fn take_line(name: &str, r: &mut Reader, line: &mut usize, buf: &mut Vec<u8>) -> Result<Option<(String, String)>, Box<Next>> {
    match next_line(r, buf) {
        Ok(0) => Err(Box::new(Next::End)),
        Ok(_) => {
            *line += 1;
            let location = format!("{name}:{line}");
            let mut bytes = std::mem::take(buf);
            trim_eol(&mut bytes);
            if bytes.capacity() > (1 << 20) {
                bytes.shrink_to_fit();
            }
            if *line == 1 && bytes.starts_with(b"\xef\xbb\xbf") {
                bytes.drain(..3);
            }
            match String::from_utf8(bytes) {
                Ok(text) if text.trim().is_empty() => Ok(None),
                Ok(text) => Ok(Some((location, text))),
                Err(e) => Err(Box::new(Next::Bad(InputError::new(
                    location,
                    format!("not valid UTF-8 (byte {}); line skipped", e.utf8_error().valid_up_to() + 1),
                    ErrorKind::Unreadable,
                )))),
            }
        }
        Err(e) => Err(Box::new(Next::Broken(InputError::new(
            format!("{name}:{}", *line + 1),
            format!("read error: {}; the rest of {name} is skipped", io_reason(&e)),
            ErrorKind::Unreadable,
        )))),
    }
}

fn read_line(name: &str, r: &mut Reader, line: &mut usize, buf: &mut Vec<u8>) -> Next {
    match take_line(name, r, line, buf) {
        Ok(Some((id, text))) => Next::Doc(Parsed { id, text, pair: None, extra: Vec::new(), raw: None }),
        Ok(None) => Next::Blank,
        Err(n) => *n,
    }
}

fn bad_row(spec: &InputSpec, location: String, message: String) -> InputError {
    let kind = if spec.skip_bad_rows { ErrorKind::Skipped } else { ErrorKind::Fatal };
    InputError::new(location, message, kind)
}

const EMPTY_TEXT: &str = "the text is empty (the model has nothing to read; the Hugging Face pipeline refuses it too)";

fn read_jsonl(name: &str, r: &mut Reader, line: &mut usize, buf: &mut Vec<u8>, spec: &InputSpec) -> Next {
    let (location, text) = match take_line(name, r, line, buf) {
        Ok(Some(x)) => x,
        Ok(None) => return Next::Blank,
        Err(n) => match *n {
            Next::Bad(e) => return Next::Bad(bad_row(spec, e.location, e.message.replace("; line skipped", ""))),
            n => return n,
        },
    };
    let mut value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Next::Bad(bad_row(spec, location, format!("not valid JSON: {e}"))),
    };
    if !value.is_object() {
        return Next::Bad(bad_row(spec, location, "not a JSON object".to_string()));
    }
    if spec.passthrough && value.get(JSON_KEY).is_some() {
        return Next::Bad(bad_row(
            spec,
            location,
            format!("the record already has a {JSON_KEY:?} key (zeroshot's own output?), which the output adds; remove it first"),
        ));
    }
    let mut take = |path: &str, flag: &str, required: bool| -> Result<Option<String>, InputError> {
        match lookup_mut(&mut value, path) {
            None if !required => Ok(None),
            None => Err(bad_row(spec, location.clone(), format!("no field {path:?} (name it with {flag}; dotted paths allowed)"))),
            Some(serde_json::Value::String(s)) => Ok(Some(std::mem::take(s))),
            Some(_) => Err(bad_row(spec, location.clone(), format!("field {path:?} is not a string"))),
        }
    };
    let doc = match take(&spec.text_field, spec.flags.text_field, true) {
        Ok(d) => d.unwrap_or_default(),
        Err(e) => return Next::Bad(e),
    };
    let pair = match &spec.pair {
        Some((_, path)) => match take(path, spec.flags.pair_field, true) {
            Ok(p) => p,
            Err(e) => return Next::Bad(e),
        },
        None => None,
    };
    let mut extra = Vec::with_capacity(spec.extra.len());
    for x in &spec.extra {
        match take(&x.field, x.flag, x.required) {
            Ok(v) => extra.push(v),
            Err(e) => return Next::Bad(e),
        }
    }
    if doc.trim().is_empty() {
        return Next::Bad(bad_row(spec, location, EMPTY_TEXT.to_string()));
    }
    let raw = spec.passthrough.then(|| {
        let mut t = text;
        t.truncate(t.trim_end().len());
        Raw::Json(t)
    });
    Next::Doc(Parsed { id: location, text: doc, pair, extra, raw })
}

/// A field by dotted path; a key that itself contains the dots wins.
fn lookup_mut<'a>(v: &'a mut serde_json::Value, path: &str) -> Option<&'a mut serde_json::Value> {
    if v.get(path).is_some() {
        return v.get_mut(path);
    }
    let (head, rest) = path.split_once('.')?;
    lookup_mut(v.get_mut(head)?, rest)
}

fn read_row(name: &str, t: &mut TableReader<Reader>, cols: &Columns, row: &mut usize, spec: &InputSpec) -> Next {
    let rec = match t.next_record(Some(&cols.keep), spec.passthrough) {
        Ok(Some(r)) => r,
        Ok(None) => return Next::End,
        Err(TableError::Io(e)) => {
            return Next::Broken(InputError::new(
                format!("{name} row {}", *row + 1),
                format!("read error: {}; the rest of {name} is skipped", io_reason(&e)),
                ErrorKind::Unreadable,
            ))
        }
        Err(e @ TableError::OpenQuote { .. }) => {
            // Everything to the end of the file is one broken record: nothing to skip to.
            let mut err = bad_row(
                spec,
                format!("{name} row {}", *row + 1),
                format!("{e}; close the quote (a literal quote inside a quoted field is written \"\")"),
            );
            err.kind = ErrorKind::Fatal;
            return Next::Bad(err);
        }
    };
    *row += 1;
    let location = format!("{name} row {} (line {})", *row, rec.line);
    if rec.fields.len() != cols.width {
        return Next::Bad(bad_row(spec, location, format!("{} fields, the header has {}", rec.fields.len(), cols.width)));
    }
    let mut fields = rec.fields;
    let mut field = |i: usize, what: &str| -> Result<String, InputError> {
        String::from_utf8(std::mem::take(&mut fields[i]))
            .map_err(|_| bad_row(spec, location.clone(), format!("{what} (column {}) is not valid UTF-8", i + 1)))
    };
    let text = match field(cols.text, "the text") {
        Ok(t) => t,
        Err(e) => return Next::Bad(e),
    };
    let pair = match cols.pair.map(|c| field(c, "the second text")).transpose() {
        Ok(p) => p,
        Err(e) => return Next::Bad(e),
    };
    let id = match cols.id.map(|c| field(c, "the id")).transpose() {
        Ok(Some(id)) => id,
        Ok(None) => format!("{name}:{}", *row),
        Err(e) => return Next::Bad(e),
    };
    let mut extra = Vec::with_capacity(cols.extra.len());
    for c in &cols.extra {
        match c.map(|c| field(c, "a column")).transpose() {
            Ok(v) => extra.push(v),
            Err(e) => return Next::Bad(e),
        }
    }
    if text.trim().is_empty() {
        return Next::Bad(bad_row(spec, location, EMPTY_TEXT.to_string()));
    }
    let raw = spec.passthrough.then_some(Raw::Table { bytes: rec.raw, terminator: rec.terminator });
    Next::Doc(Parsed { id, text, pair, extra, raw })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(sources: Vec<Source>) -> InputSpec {
        InputSpec::text(sources, true)
    }

    #[test]
    fn lines_keep_their_numbers_and_skip_blanks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"\xef\xbb\xbfone\r\n\n  \nfour\n\xff\xfe\nsix").unwrap();
        let docs: Vec<_> = Docs::open(spec(vec![Source::File(p.clone())])).unwrap().collect();
        let name = p.display().to_string();
        let ok = |d: &Result<Doc, InputError>| d.as_ref().map(|d| (d.index, d.id.clone(), d.text.clone())).ok();
        assert_eq!(ok(&docs[0]), Some((0, format!("{name}:1"), "one".into())));
        assert_eq!(ok(&docs[1]), Some((1, format!("{name}:4"), "four".into())));
        assert!(matches!(&docs[2], Err(e) if e.location == format!("{name}:5") && e.kind == ErrorKind::Unreadable));
        assert_eq!(ok(&docs[3]), Some((2, format!("{name}:6"), "six".into())));
        assert_eq!(docs[3].as_ref().unwrap().end.bytes, std::fs::metadata(&p).unwrap().len());
        let mut whole = spec(vec![Source::File(p)]);
        whole.lines = false;
        let all: Vec<_> = Docs::open(whole).unwrap().collect();
        assert!(all[0].is_err());
    }

    #[test]
    fn unreadable_inputs_are_named_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.txt");
        std::fs::write(&good, "hello\n").unwrap();
        let sources = vec![Source::File(dir.path().join("missing.txt")), Source::File(dir.path().to_path_buf()), Source::File(good)];
        let items: Vec<_> = Docs::open(spec(sources)).unwrap().collect();
        assert_eq!(items.len(), 3);
        assert!(items[0].as_ref().unwrap_err().message.contains("no such file"));
        assert!(items[1].as_ref().unwrap_err().message.contains("folder"));
        assert_eq!(items[2].as_ref().unwrap().text, "hello");
    }

    #[test]
    fn csv_records_keep_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"\xef\xbb\xbfid,text\r\n1,\"multi\r\nline, \"\"quoted\"\"\"\r\n\r\n2,plain\r\n3,last").unwrap();
        let mut s = spec(vec![Source::File(p.clone())]);
        s.structured = Some(Structured::Table(Dialect::CSV));
        s.id_column = Some(Column::Name("id".into()));
        s.passthrough = true;
        let docs = Docs::open(s).unwrap();
        let header = docs.csv_header().unwrap().clone();
        assert!(header.bom);
        assert_eq!(header.raw, b"id,text");
        assert_eq!(header.terminator, b"\r\n");
        let docs: Vec<Doc> = docs.map(Result::unwrap).collect();
        assert_eq!(docs[0].text, "multi\r\nline, \"quoted\"");
        assert_eq!(docs[0].id, "1");
        assert_eq!(
            docs[0].raw,
            Some(Raw::Table { bytes: b"1,\"multi\r\nline, \"\"quoted\"\"\"".to_vec(), terminator: b"\r\n" })
        );
        assert_eq!(docs[1].raw, Some(Raw::Table { bytes: b"2,plain".to_vec(), terminator: b"\r\n" }));
        assert_eq!(docs[2].raw, Some(Raw::Table { bytes: b"3,last".to_vec(), terminator: b"" }));
        assert_eq!(docs[2].end.bytes, std::fs::metadata(&p).unwrap().len());
    }

    #[test]
    fn bad_rows_name_row_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "text,n\nok,1\n\"two\nlines\",2\nragged\nfine,4\n,5\n").unwrap();
        let mut s = spec(vec![Source::File(p.clone())]);
        s.structured = Some(Structured::Table(Dialect::CSV));
        let items: Vec<_> = Docs::open(s.clone()).unwrap().collect();
        assert_eq!(items.len(), 3, "stops at the fatal row");
        let e = items[2].as_ref().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Fatal);
        assert_eq!(e.location, format!("{} row 3 (line 5)", p.display()));
        s.skip_bad_rows = true;
        let items: Vec<_> = Docs::open(s).unwrap().collect();
        assert_eq!(items.len(), 5);
        assert_eq!(items[3].as_ref().unwrap().text, "fine");
        assert_eq!(items[3].as_ref().unwrap().index, 2);
        assert!(items[4].as_ref().unwrap_err().message.contains("empty"));
    }

    #[test]
    fn jsonl_dotted_fields() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "\u{feff}{\"meta\":{\"body\":\"hello\"},\"n\":1e5}\n\n{\"meta\":{}}\n").unwrap();
        let mut s = spec(vec![Source::File(p)]);
        s.structured = Some(Structured::Jsonl);
        s.text_field = "meta.body".into();
        s.skip_bad_rows = true;
        s.passthrough = true;
        let items: Vec<_> = Docs::open(s).unwrap().collect();
        let d = items[0].as_ref().unwrap();
        assert_eq!(d.text, "hello");
        assert_eq!(d.raw, Some(Raw::Json("{\"meta\":{\"body\":\"hello\"},\"n\":1e5}".into())));
        assert_eq!(items[1].as_ref().unwrap_err().kind, ErrorKind::Skipped);
    }
}
