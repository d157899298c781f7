//! Where documents come from: lines of text, whole files, CSV rows or JSONL
//! records, from files or stdin. Documents stream out one at a time in input
//! order, each with an id naming its source (`stdin:3`, `notes.txt`,
//! `data.csv:17`) and, for CSV and JSONL, the record's original bytes so the
//! output can carry them through unchanged.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

/// One document to classify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    /// Position among all documents read, from 0 (bad rows are not documents).
    pub index: usize,
    pub id: String,
    pub text: String,
    /// A second text (the hypothesis of an NLI pair), when asked for.
    pub pair: Option<String>,
    /// The record as it was in the input, for pass-through output.
    pub raw: Option<Raw>,
    /// Input bytes consumed up to the end of this document (across sources).
    pub pos: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Raw {
    /// A CSV record's bytes without its terminator, and that terminator.
    Csv { bytes: Vec<u8>, terminator: &'static [u8] },
    /// A JSONL line without its line ending.
    Json(String),
}

/// A problem with one input record. What happens next depends on the kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct InputError {
    pub location: String,
    pub message: String,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Unreadable input (a missing file, invalid UTF-8 in a text line): reported,
    /// skipped, and the exit code says an error happened.
    Unreadable,
    /// A malformed row skipped under `--skip-bad-rows`: counted and reported.
    Skipped,
    /// A malformed row: the run stops (after writing what is done).
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
            Source::File(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p)?)),
        })
    }

    /// The format a file's extension implies.
    pub fn implied_format(&self) -> Option<Structured> {
        let Source::File(p) = self else { return None };
        match p.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Structured::Csv(b',')),
            "tsv" => Some(Structured::Csv(b'\t')),
            "jsonl" | "ndjson" => Some(Structured::Jsonl),
            _ => None,
        }
    }
}

/// Record-based input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Structured {
    /// CSV with this delimiter.
    Csv(u8),
    Jsonl,
}

/// A column named in a header, or a 1-based position.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// A second text per record (NLI hypotheses): its CSV column and JSONL field.
    pub pair: Option<(Column, String)>,
    /// Flags that name the text and the second text, for error hints.
    pub flags: Flags,
    pub skip_bad_rows: bool,
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

/// What the first CSV header says: its raw bytes (for pass-through) and names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvHeader {
    pub bom: bool,
    pub raw: Vec<u8>,
    pub terminator: &'static [u8],
    pub names: Vec<String>,
    pub delimiter: u8,
}

enum Reader {
    Lines { name: String, r: Box<dyn BufRead + Send>, line: usize },
    Csv(Box<CsvReader>),
    Jsonl { name: String, r: Box<dyn BufRead + Send>, line: usize },
}

/// Streams documents from the sources in order.
pub struct Docs {
    spec: InputSpec,
    next_source: usize,
    current: Option<Reader>,
    next_index: usize,
    /// Bytes of finished sources.
    done_bytes: u64,
    /// Bytes consumed of the current source.
    cur_bytes: u64,
    header: Option<CsvHeader>,
    /// A whole-file document read while opening its source.
    pending: Option<Doc>,
    buf: Vec<u8>,
    failed: bool,
}

impl Docs {
    /// Opens the inputs. A CSV input's header is read here, so a missing
    /// column is reported before any work starts.
    pub fn open(spec: InputSpec) -> Result<Self> {
        let mut docs = Docs {
            spec,
            next_source: 0,
            current: None,
            next_index: 0,
            done_bytes: 0,
            cur_bytes: 0,
            header: None,
            pending: None,
            buf: Vec::new(),
            failed: false,
        };
        if let Some(Structured::Csv(_)) = docs.spec.structured {
            // Open the first source now to learn the header.
            docs.advance()?;
        }
        Ok(docs)
    }

    /// The CSV header, when the input is CSV.
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

    fn pos(&self) -> u64 {
        self.done_bytes + self.cur_bytes
    }

    fn doc(&mut self, id: String, text: String, pair: Option<String>, raw: Option<Raw>) -> Doc {
        let d = Doc { index: self.next_index, id, text, pair, raw, pos: self.pos() };
        self.next_index += 1;
        d
    }

    /// Opens the next source. `Ok(false)` when there is none; an error for a
    /// fatal problem with its header.
    fn advance(&mut self) -> Result<bool> {
        self.done_bytes += self.cur_bytes;
        self.cur_bytes = 0;
        let Some(source) = self.spec.sources.get(self.next_source).cloned() else { return Ok(false) };
        self.next_source += 1;
        let name = source.name();
        let r = source.open().with_context(|| format!("cannot open {name}"))?;
        self.current = Some(match self.spec.structured {
            None if self.spec.lines || source == Source::Stdin => Reader::Lines { name, r, line: 0 },
            None => {
                let mut r = r;
                let mut bytes = Vec::new();
                r.read_to_end(&mut bytes).with_context(|| format!("cannot read {name}"))?;
                self.cur_bytes = bytes.len() as u64;
                match String::from_utf8(bytes) {
                    Ok(text) => {
                        let d = self.doc(name, text, None, None);
                        self.pending = Some(d);
                    }
                    Err(e) => bail!(InputError {
                        location: name,
                        message: format!("not valid UTF-8 (byte {}); file skipped", e.utf8_error().valid_up_to() + 1),
                        kind: ErrorKind::Unreadable,
                    }),
                }
                return Ok(true);
            }
            Some(Structured::Jsonl) => Reader::Jsonl { name, r, line: 0 },
            Some(Structured::Csv(delim)) => {
                let mut csv = CsvReader::new(name.clone(), r, delim);
                let Some(rec) = csv.next_record()? else {
                    bail!("{name}: empty CSV input (expected a header row)");
                };
                self.cur_bytes = csv.consumed;
                let names: Vec<String> = rec
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        String::from_utf8(f.clone())
                            .map_err(|_| anyhow::anyhow!("{name}: header column {} is not valid UTF-8", i + 1))
                    })
                    .collect::<Result<_>>()?;
                let header = CsvHeader {
                    bom: rec.bom,
                    raw: rec.raw,
                    terminator: rec.terminator,
                    names: names.clone(),
                    delimiter: delim,
                };
                let text_col = self.spec.text_column.find(&names).with_context(|| {
                    format!(
                        "{name}: no {} in the header (columns: {}); name the text with {}",
                        self.spec.text_column.describe(),
                        names.join(", "),
                        self.spec.flags.text_column
                    )
                })?;
                let pair_col = match &self.spec.pair {
                    Some((c, _)) => Some(c.find(&names).with_context(|| {
                        format!(
                            "{name}: no {} in the header (columns: {}); name it with {}",
                            c.describe(),
                            names.join(", "),
                            self.spec.flags.pair_column
                        )
                    })?),
                    None => None,
                };
                let id_col = match &self.spec.id_column {
                    Some(c) => Some(c.find(&names).with_context(|| {
                        format!("{name}: no {} in the header (columns: {})", c.describe(), names.join(", "))
                    })?),
                    None => None,
                };
                match &self.header {
                    None => self.header = Some(header),
                    Some(first) if first.names == header.names => {}
                    Some(first) => bail!(
                        "{name}: its header ({}) differs from the first CSV input's ({}); classify them separately",
                        header.names.join(", "),
                        first.names.join(", ")
                    ),
                }
                csv.text_col = text_col;
                csv.pair_col = pair_col;
                csv.id_col = id_col;
                csv.width = names.len();
                Reader::Csv(Box::new(csv))
            }
        });
        Ok(true)
    }

    fn next_item(&mut self) -> Option<Result<Doc, InputError>> {
        if let Some(d) = self.pending.take() {
            self.current = None;
            return Some(Ok(d));
        }
        loop {
            if self.current.is_none() {
                match self.advance() {
                    Ok(false) => return None,
                    Ok(true) => {
                        if let Some(d) = self.pending.take() {
                            self.current = None;
                            return Some(Ok(d));
                        }
                        continue;
                    }
                    Err(e) => {
                        self.current = None;
                        return Some(Err(match e.downcast::<InputError>() {
                            Ok(ie) => ie,
                            Err(e) => InputError {
                                location: self.spec.sources[self.next_source - 1].name(),
                                message: format!("{e:#}"),
                                kind: if self.spec.structured.is_some() { ErrorKind::Fatal } else { ErrorKind::Unreadable },
                            },
                        }));
                    }
                }
            }
            let item = match self.current.as_mut().unwrap() {
                Reader::Lines { name, r, line } => read_line(name, r, line, &mut self.buf, &mut self.cur_bytes)
                    .map(|o| o.map(|x| x.map(|(id, text)| (id, text, None, None)))),
                Reader::Jsonl { name, r, line } => {
                    read_jsonl(name, r, line, &mut self.buf, &mut self.cur_bytes, &self.spec)
                }
                Reader::Csv(csv) => {
                    let res = csv.next_doc(&self.spec);
                    self.cur_bytes = csv.consumed;
                    res
                }
            };
            match item {
                Some(Ok(Some((id, text, pair, raw)))) => return Some(Ok(self.doc(id, text, pair, raw))),
                Some(Ok(None)) => continue,
                Some(Err(e)) => return Some(Err(e)),
                None => {
                    self.current = None;
                    continue;
                }
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
        let item = self.next_item();
        if let Some(Err(e)) = &item {
            if e.kind == ErrorKind::Fatal {
                self.failed = true;
            }
        }
        item
    }
}

/// Id, text, second text and raw record of one parsed record.
type Parsed = (String, String, Option<String>, Option<Raw>);

/// One line; `Some(Ok(None))` for a blank line, `None` at the end.
fn read_line(
    name: &str,
    r: &mut Box<dyn BufRead + Send>,
    line: &mut usize,
    buf: &mut Vec<u8>,
    consumed: &mut u64,
) -> Option<Result<Option<(String, String)>, InputError>> {
    buf.clear();
    match r.read_until(b'\n', buf) {
        Ok(0) => None,
        Ok(n) => {
            *consumed += n as u64;
            *line += 1;
            let location = format!("{name}:{line}");
            let bytes = trim_eol(buf);
            match std::str::from_utf8(bytes) {
                Ok(text) if text.trim().is_empty() => Some(Ok(None)),
                Ok(text) => Some(Ok(Some((location, text.to_string())))),
                Err(e) => Some(Err(InputError {
                    location,
                    message: format!("not valid UTF-8 (byte {}); line skipped", e.valid_up_to() + 1),
                    kind: ErrorKind::Unreadable,
                })),
            }
        }
        Err(e) => Some(Err(InputError {
            location: format!("{name}:{}", *line + 1),
            message: format!("read error: {e}"),
            kind: ErrorKind::Fatal,
        })),
    }
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn bad_row(spec: &InputSpec, location: String, message: String) -> InputError {
    let kind = if spec.skip_bad_rows { ErrorKind::Skipped } else { ErrorKind::Fatal };
    InputError { location, message, kind }
}

fn read_jsonl(
    name: &str,
    r: &mut Box<dyn BufRead + Send>,
    line: &mut usize,
    buf: &mut Vec<u8>,
    consumed: &mut u64,
    spec: &InputSpec,
) -> Option<Result<Option<Parsed>, InputError>> {
    let (location, text) = match read_line(name, r, line, buf, consumed)? {
        Ok(Some(x)) => x,
        Ok(None) => return Some(Ok(None)),
        Err(mut e) => {
            if e.kind == ErrorKind::Unreadable {
                e = bad_row(spec, e.location, e.message.replace("; line skipped", ""));
            }
            return Some(Err(e));
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Some(Err(bad_row(spec, location, format!("not valid JSON: {e}")))),
    };
    if !value.is_object() {
        return Some(Err(bad_row(spec, location, "not a JSON object".to_string())));
    }
    let string_at = |path: &str, flag: &str| -> Result<String, InputError> {
        let Some(field) = lookup(&value, path) else {
            return Err(bad_row(
                spec,
                location.clone(),
                format!("no field {path:?} (name it with {flag}; dotted paths allowed)"),
            ));
        };
        field
            .as_str()
            .map(String::from)
            .ok_or_else(|| bad_row(spec, location.clone(), format!("field {path:?} is not a string")))
    };
    let doc = match string_at(&spec.text_field, spec.flags.text_field) {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let pair = match &spec.pair {
        Some((_, path)) => match string_at(path, spec.flags.pair_field) {
            Ok(p) => Some(p),
            Err(e) => return Some(Err(e)),
        },
        None => None,
    };
    let trimmed = text.trim_end().to_string();
    Some(Ok(Some((location, doc, pair, Some(Raw::Json(trimmed))))))
}

/// A field by dotted path; a key that itself contains the dots wins.
fn lookup<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    if let Some(x) = v.get(path) {
        return Some(x);
    }
    let (head, rest) = path.split_once('.')?;
    lookup(v.get(head)?, rest)
}

/// One CSV record: parsed fields and the exact bytes it occupied.
struct CsvRecord {
    fields: Vec<Vec<u8>>,
    raw: Vec<u8>,
    terminator: &'static [u8],
    bom: bool,
    /// 1-based line where the record starts.
    line: u64,
}

/// CSV parsing that also keeps each record's raw bytes (csv-core does the
/// parsing, so quoting rules are the csv crate's).
struct CsvReader {
    name: String,
    r: Box<dyn BufRead + Send>,
    core: csv_core::Reader,
    consumed: u64,
    line: u64,
    row: usize,
    text_col: usize,
    pair_col: Option<usize>,
    id_col: Option<usize>,
    width: usize,
    first: bool,
    eof: bool,
}

impl CsvReader {
    fn new(name: String, r: Box<dyn BufRead + Send>, delimiter: u8) -> Self {
        let core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        CsvReader {
            name,
            r,
            core,
            consumed: 0,
            line: 1,
            row: 0,
            text_col: 0,
            pair_col: None,
            id_col: None,
            width: 0,
            first: true,
            eof: false,
        }
    }

    fn next_record(&mut self) -> Result<Option<CsvRecord>> {
        if self.eof {
            return Ok(None);
        }
        let mut raw = Vec::new();
        let mut out = vec![0u8; 4096];
        let mut ends = vec![0usize; 64];
        let (mut nout, mut nend) = (0, 0);
        loop {
            let input = self.r.fill_buf().with_context(|| format!("cannot read {}", self.name))?;
            let at_eof = input.is_empty();
            let (res, nin, o, e) = self.core.read_record(input, &mut out[nout..], &mut ends[nend..]);
            raw.extend_from_slice(&input[..nin]);
            self.r.consume(nin);
            nout += o;
            nend += e;
            use csv_core::ReadRecordResult as R;
            match res {
                R::InputEmpty => {
                    if at_eof {
                        // csv-core needs one call with empty input to finish.
                        continue;
                    }
                }
                R::OutputFull => out.resize(out.len() * 2, 0),
                R::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                R::End => {
                    self.eof = true;
                    self.consumed += raw.len() as u64;
                    return Ok(None);
                }
                R::Record => {
                    // A CRLF's '\n' belongs to this record, not to the next.
                    if raw.last() == Some(&b'\r') {
                        let next = self.r.fill_buf().with_context(|| format!("cannot read {}", self.name))?;
                        if next.first() == Some(&b'\n') {
                            raw.push(b'\n');
                            self.r.consume(1);
                        }
                    }
                    self.consumed += raw.len() as u64;
                    let bom = self.first && raw.starts_with(b"\xef\xbb\xbf");
                    self.first = false;
                    let mut body: &[u8] = if bom { &raw[3..] } else { &raw[..] };
                    // Blank lines before the record are not part of it.
                    let lead = body.iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
                    let start_line = self.line + body[..lead].iter().filter(|&&b| b == b'\n').count() as u64;
                    body = &body[lead..];
                    let terminator: &'static [u8] = if body.ends_with(b"\r\n") {
                        b"\r\n"
                    } else if body.ends_with(b"\n") {
                        b"\n"
                    } else if body.ends_with(b"\r") {
                        b"\r"
                    } else {
                        b""
                    };
                    let content = body[..body.len() - terminator.len()].to_vec();
                    self.line += raw.iter().filter(|&&b| b == b'\n').count() as u64;
                    let mut fields = Vec::with_capacity(nend);
                    let mut start = 0;
                    for &end in &ends[..nend] {
                        fields.push(out[start..end].to_vec());
                        start = end;
                    }
                    return Ok(Some(CsvRecord { fields, raw: content, terminator, bom, line: start_line }));
                }
            }
        }
    }

    fn next_doc(&mut self, spec: &InputSpec) -> Option<Result<Option<Parsed>, InputError>> {
        let rec = match self.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => return None,
            Err(e) => {
                return Some(Err(InputError {
                    location: self.name.clone(),
                    message: format!("{e:#}"),
                    kind: ErrorKind::Fatal,
                }))
            }
        };
        self.row += 1;
        let location = format!("{} row {} (line {})", self.name, self.row, rec.line);
        if rec.fields.len() != self.width {
            return Some(Err(bad_row(
                spec,
                location,
                format!("{} fields, the header has {}", rec.fields.len(), self.width),
            )));
        }
        let field = |i: usize, what: &str| -> Result<String, InputError> {
            String::from_utf8(rec.fields[i].clone())
                .map_err(|_| bad_row(spec, location.clone(), format!("{what} (column {}) is not valid UTF-8", i + 1)))
        };
        let text = match field(self.text_col, "the text") {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        let pair = match self.pair_col {
            Some(c) => match field(c, "the second text") {
                Ok(t) => Some(t),
                Err(e) => return Some(Err(e)),
            },
            None => None,
        };
        let id = match self.id_col {
            Some(c) => match field(c, "the id") {
                Ok(t) => t,
                Err(e) => return Some(Err(e)),
            },
            None => format!("{}:{}", self.name, self.row),
        };
        Some(Ok(Some((id, text, pair, Some(Raw::Csv { bytes: rec.raw, terminator: rec.terminator })))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(sources: Vec<Source>) -> InputSpec {
        InputSpec {
            sources,
            lines: true,
            structured: None,
            text_column: Column::Name("text".into()),
            id_column: None,
            text_field: "text".into(),
            pair: None,
            flags: Flags::CLASSIFY,
            skip_bad_rows: false,
        }
    }

    #[test]
    fn lines_keep_their_numbers_and_skip_blanks() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"one\r\n\n  \nfour\n\xff\xfe\nsix").unwrap();
        let docs: Vec<_> = Docs::open(spec(vec![Source::File(p.clone())])).unwrap().collect();
        let name = p.display().to_string();
        let ok = |d: &Result<Doc, InputError>| d.as_ref().map(|d| (d.index, d.id.clone(), d.text.clone())).ok();
        assert_eq!(ok(&docs[0]), Some((0, format!("{name}:1"), "one".into())));
        assert_eq!(ok(&docs[1]), Some((1, format!("{name}:4"), "four".into())));
        assert!(matches!(&docs[2], Err(e) if e.location == format!("{name}:5")));
        assert_eq!(ok(&docs[3]), Some((2, format!("{name}:6"), "six".into())));
        let mut whole = spec(vec![Source::File(p)]);
        whole.lines = false;
        let all: Vec<_> = Docs::open(whole).unwrap().collect();
        assert!(all[0].is_err());
    }

    #[test]
    fn csv_records_keep_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"\xef\xbb\xbfid,text\r\n1,\"multi\r\nline, \"\"quoted\"\"\"\r\n\r\n2,plain\r\n3,last").unwrap();
        let mut s = spec(vec![Source::File(p.clone())]);
        s.structured = Some(Structured::Csv(b','));
        s.id_column = Some(Column::Name("id".into()));
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
            Some(Raw::Csv { bytes: b"1,\"multi\r\nline, \"\"quoted\"\"\"".to_vec(), terminator: b"\r\n" })
        );
        assert_eq!(docs[1].raw, Some(Raw::Csv { bytes: b"2,plain".to_vec(), terminator: b"\r\n" }));
        assert_eq!(docs[2].raw, Some(Raw::Csv { bytes: b"3,last".to_vec(), terminator: b"" }));
        assert_eq!(docs[2].pos, std::fs::metadata(&p).unwrap().len());
    }

    #[test]
    fn bad_rows_name_row_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "text,n\nok,1\n\"two\nlines\",2\nragged\nfine,4\n").unwrap();
        let mut s = spec(vec![Source::File(p.clone())]);
        s.structured = Some(Structured::Csv(b','));
        let items: Vec<_> = Docs::open(s.clone()).unwrap().collect();
        assert_eq!(items.len(), 3, "stops at the fatal row");
        let e = items[2].as_ref().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Fatal);
        assert_eq!(e.location, format!("{} row 3 (line 5)", p.display()));
        s.skip_bad_rows = true;
        let items: Vec<_> = Docs::open(s).unwrap().collect();
        assert_eq!(items.len(), 4);
        assert_eq!(items[3].as_ref().unwrap().text, "fine");
        assert_eq!(items[3].as_ref().unwrap().index, 2);
    }

    #[test]
    fn jsonl_dotted_fields() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "{\"meta\":{\"body\":\"hello\"},\"n\":1e5}\n\n{\"meta\":{}}\n").unwrap();
        let mut s = spec(vec![Source::File(p)]);
        s.structured = Some(Structured::Jsonl);
        s.text_field = "meta.body".into();
        s.skip_bad_rows = true;
        let items: Vec<_> = Docs::open(s).unwrap().collect();
        let d = items[0].as_ref().unwrap();
        assert_eq!(d.text, "hello");
        assert_eq!(d.raw, Some(Raw::Json("{\"meta\":{\"body\":\"hello\"},\"n\":1e5}".into())));
        assert_eq!(items[1].as_ref().unwrap_err().kind, ErrorKind::Skipped);
    }
}
