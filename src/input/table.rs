//! The one table reader (CSV and TSV) for every command: records with the
//! exact bytes they occupied, so output can carry them through unchanged.
//!
//! csv-core does the parsing. Why not the csv crate's reader: we need each
//! record's raw bytes and terminator (byte-exact pass-through), the line where
//! an unclosed quote opened, and memory bounded by the fields we keep rather
//! than by the whole record (a 100 MB field in a column we do not read is
//! never held twice).
//!
//! Dialects: CSV quotes the RFC 4180 way. TSV follows IANA's
//! text/tab-separated-values: a tab separates fields, a line break ends the
//! record, and quotes are ordinary text (XNLI's `"Well," he said.`), unless
//! CSV-style quoting is asked for.

use std::io::BufRead;

/// How a table is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dialect {
    pub delimiter: u8,
    /// Double quotes delimit fields (CSV); off, they are text (TSV).
    pub quoting: bool,
}

impl Dialect {
    pub const CSV: Dialect = Dialect { delimiter: b',', quoting: true };
    pub const TSV: Dialect = Dialect { delimiter: b'\t', quoting: false };

    /// The dialect for a delimiter: tab-separated means TSV rules unless
    /// `csv_quotes` asks for CSV-style quoting.
    pub fn for_delimiter(delimiter: u8, csv_quotes: bool) -> Dialect {
        Dialect { delimiter, quoting: delimiter != b'\t' || csv_quotes }
    }

    pub fn name(&self) -> &'static str {
        if self.delimiter == b'\t' && !self.quoting {
            "TSV"
        } else {
            "CSV"
        }
    }
}

/// One record: the fields asked for, and where it was.
pub struct Record {
    /// One entry per field of the record; fields not asked for are empty.
    pub fields: Vec<Vec<u8>>,
    /// The record's bytes without leading blank lines, BOM or terminator
    /// (empty unless raw bytes were asked for).
    pub raw: Vec<u8>,
    pub terminator: &'static [u8],
    /// The record began with a UTF-8 byte order mark (first record only).
    pub bom: bool,
    /// 1-based line where the record starts.
    pub line: u64,
}

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
    /// A quoted field still open at the end of the input: everything after
    /// its opening quote would be one field.
    #[error("a quoted field opened on line {line} is never closed (everything after it would be one field)")]
    OpenQuote { line: u64 },
}

/// Where the quote-tracking state machine is, to report an unclosed quote.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Q {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

pub struct TableReader<R> {
    r: R,
    core: csv_core::Reader,
    dialect: Dialect,
    /// Bytes consumed from `r`.
    pub consumed: u64,
    /// Line the next record starts on (before blank lines are skipped).
    line: u64,
    first: bool,
    eof: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
}

/// Output buffer csv-core writes field bytes into; flushed into the kept
/// fields whenever it fills, so memory follows the fields we keep.
const OUT_CHUNK: usize = 64 * 1024;

impl<R: BufRead> TableReader<R> {
    pub fn new(r: R, dialect: Dialect) -> Self {
        let core = csv_core::ReaderBuilder::new().delimiter(dialect.delimiter).quoting(dialect.quoting).build();
        TableReader {
            r,
            core,
            dialect,
            consumed: 0,
            line: 1,
            first: true,
            eof: false,
            out: vec![0; OUT_CHUNK],
            ends: vec![0; 64],
        }
    }

    pub fn into_inner(self) -> R {
        self.r
    }

    /// The next record, or `None` at the end. `keep[i]` says whether field `i`
    /// is wanted (`None`: all of them); `raw` keeps the record's bytes.
    pub fn next_record(&mut self, keep: Option<&[bool]>, raw: bool) -> Result<Option<Record>, TableError> {
        if self.eof {
            return Ok(None);
        }
        let wanted = |i: usize| keep.is_none_or(|k| k.get(i).copied().unwrap_or(false));
        let mut fields: Vec<Vec<u8>> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        // Output bytes already routed into `fields`, and ends already seen.
        let (mut flushed, mut nout, mut nend) = (0usize, 0usize, 0usize);
        // Leading blank lines (csv-core skips them), counted to find the record's line.
        let (mut leading, mut lead_lines, mut lead_bytes) = (true, 0u64, 0usize);
        let mut newlines = 0u64;
        let mut tail = [0u8; 2];
        let mut total = 0usize;
        let mut q = Q::FieldStart;
        let mut quote_line = 0u64;
        // csv-core strips a BOM at the very start; it counts as skipped bytes.
        let bom = self.first && self.r.fill_buf()?.starts_with(b"\xef\xbb\xbf");
        let route = |out: &[u8], ends: &[usize], nout: usize, nend: usize, flushed: &mut usize, fields: &mut Vec<Vec<u8>>| {
            let mut p = 0;
            for &end in &ends[..nend] {
                let len = end - (*flushed + p);
                let i = fields.len().saturating_sub(1);
                if fields.is_empty() {
                    fields.push(Vec::new());
                }
                if wanted(i) {
                    fields[i].extend_from_slice(&out[p..p + len]);
                }
                p += len;
                fields.push(Vec::new());
            }
            if fields.is_empty() {
                fields.push(Vec::new());
            }
            let i = fields.len() - 1;
            if wanted(i) {
                fields[i].extend_from_slice(&out[p..nout]);
            }
            *flushed += nout;
        };
        loop {
            let input = self.r.fill_buf()?;
            let at_eof = input.is_empty();
            let (res, nin, o, e) = self.core.read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            let chunk = &input[..nin];
            for (k, &b) in chunk.iter().enumerate() {
                if bom && total + k < 3 {
                    lead_bytes += 1;
                    continue;
                }
                if leading {
                    if b == b'\n' || b == b'\r' {
                        lead_bytes += 1;
                        lead_lines += (b == b'\n') as u64;
                        continue;
                    }
                    leading = false;
                }
                newlines += (b == b'\n') as u64;
                if self.dialect.quoting {
                    q = match (q, b) {
                        (Q::FieldStart, b'"') => {
                            quote_line = self.line + lead_lines + newlines;
                            Q::Quoted
                        }
                        (Q::Quoted, b'"') => Q::QuoteInQuoted,
                        (Q::Quoted, _) => Q::Quoted,
                        (Q::QuoteInQuoted, b'"') => Q::Quoted,
                        (_, b'\n' | b'\r') => Q::FieldStart,
                        (_, d) if d == self.dialect.delimiter => Q::FieldStart,
                        _ => Q::Unquoted,
                    };
                }
            }
            if raw {
                bytes.extend_from_slice(chunk);
            }
            for &b in chunk {
                tail = [tail[1], b];
            }
            total += nin;
            self.r.consume(nin);
            nout += o;
            nend += e;
            use csv_core::ReadRecordResult as R;
            match res {
                // csv-core needs one call with empty input to finish the last record.
                R::InputEmpty => {}
                R::OutputFull | R::OutputEndsFull => {
                    route(&self.out, &self.ends, nout, nend, &mut flushed, &mut fields);
                    nout = 0;
                    nend = 0;
                }
                R::End => {
                    self.eof = true;
                    self.consumed += total as u64;
                    return Ok(None);
                }
                R::Record => {
                    // A CRLF's '\n' belongs to this record, not to the next.
                    if tail[1] == b'\r' {
                        let next = self.r.fill_buf()?;
                        if next.first() == Some(&b'\n') {
                            if raw {
                                bytes.push(b'\n');
                            }
                            tail = [b'\r', b'\n'];
                            newlines += 1;
                            total += 1;
                            self.r.consume(1);
                        }
                    }
                    if at_eof && q == Q::Quoted {
                        return Err(TableError::OpenQuote { line: quote_line });
                    }
                    // The last end closes the last field; `route` opened one more.
                    route(&self.out, &self.ends, nout, nend, &mut flushed, &mut fields);
                    fields.pop();
                    self.consumed += total as u64;
                    self.first = false;
                    let start_line = self.line + lead_lines;
                    self.line += lead_lines + newlines;
                    let terminator: &'static [u8] = match (tail, total - lead_bytes) {
                        (_, 0) => b"",
                        ([b'\r', b'\n'], n) if n >= 2 => b"\r\n",
                        ([_, b'\n'], _) => b"\n",
                        ([_, b'\r'], _) => b"\r",
                        _ => b"",
                    };
                    let raw_bytes = if raw {
                        bytes.drain(..lead_bytes);
                        bytes.truncate(bytes.len() - terminator.len());
                        bytes
                    } else {
                        Vec::new()
                    };
                    // Doubling growth can leave a huge record's buffers half empty.
                    let mut raw_bytes = raw_bytes;
                    for f in fields.iter_mut().chain(std::iter::once(&mut raw_bytes)) {
                        if f.capacity() > (1 << 20) {
                            f.shrink_to_fit();
                        }
                    }
                    return Ok(Some(Record { fields, raw: raw_bytes, terminator, bom, line: start_line }));
                }
            }
            if at_eof && res == R::InputEmpty {
                // Loop again: the call with empty input finishes the record.
                continue;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields, raw bytes, terminator and line of each record.
    type Rec = (Vec<String>, String, &'static [u8], u64);

    fn records(input: &[u8], dialect: Dialect) -> Result<Vec<Rec>, TableError> {
        let mut r = TableReader::new(input, dialect);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record(None, true)? {
            let f = rec.fields.iter().map(|f| String::from_utf8(f.clone()).unwrap()).collect();
            out.push((f, String::from_utf8(rec.raw).unwrap(), rec.terminator, rec.line));
        }
        assert_eq!(r.consumed, input.len() as u64);
        Ok(out)
    }

    #[test]
    fn csv_keeps_raw_bytes_terminators_and_lines() {
        let recs = records(b"\xef\xbb\xbfid,text\r\n1,\"a\r\nb, \"\"q\"\"\"\r\n\r\n2,plain\n3,last", Dialect::CSV).unwrap();
        assert_eq!(recs[0], (vec!["id".into(), "text".into()], "id,text".into(), b"\r\n".as_slice(), 1));
        assert_eq!(recs[1].0, ["1", "a\r\nb, \"q\""]);
        assert_eq!(recs[1].1, "1,\"a\r\nb, \"\"q\"\"\"");
        assert_eq!(recs[1].3, 2);
        assert_eq!(recs[2], (vec!["2".into(), "plain".into()], "2,plain".into(), b"\n".as_slice(), 5));
        assert_eq!(recs[3], (vec!["3".into(), "last".into()], "3,last".into(), b"".as_slice(), 6));
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        let e = records(b"id,text\n1,\"open\n2,b\n3,c\n", Dialect::CSV).err().unwrap();
        assert!(matches!(e, TableError::OpenQuote { line: 2 }), "{e}");
        // A quote inside an unquoted field is text, not an opening quote.
        let recs = records(b"id,text\n1,5\" screen\n", Dialect::CSV).unwrap();
        assert_eq!(recs[1].0[1], "5\" screen");
    }

    #[test]
    fn tsv_quotes_are_text() {
        let recs = records(b"a\tb\n\"Well,\" he said.\t\"x\n", Dialect::TSV).unwrap();
        assert_eq!(recs[1].0, ["\"Well,\" he said.", "\"x"]);
        let quoted = records(b"a\tb\n\"x\ty\"\tz\n", Dialect::for_delimiter(b'\t', true)).unwrap();
        assert_eq!(quoted[1].0, ["x\ty", "z"]);
    }

    #[test]
    fn only_kept_fields_are_held_even_when_huge() {
        let big = "x".repeat(3 * OUT_CHUNK + 17);
        let input = format!("a,b,c\n1,{big},\"{big}\"\n");
        let mut r = TableReader::new(input.as_bytes(), Dialect::CSV);
        r.next_record(None, false).unwrap();
        let rec = r.next_record(Some(&[false, false, true]), false).unwrap().unwrap();
        assert_eq!(rec.fields.len(), 3);
        assert!(rec.fields[0].is_empty() && rec.fields[1].is_empty() && rec.raw.is_empty());
        assert_eq!(rec.fields[2], big.as_bytes());
    }
}
