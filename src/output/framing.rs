//! How an output file is laid out around its records, so that `zeroshot
//! merge` can split shard parts into records and join them back, byte for
//! byte as one unsharded run writes them.

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

use super::{json, npy};
use crate::input::table::{self, Dialect, TableReader};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Framing {
    /// One record per line, after a one-line header when `header`.
    Lines { header: bool },
    /// A table (records may hold quoted line breaks) with a header record.
    Table { delimiter: u8, quoting: bool },
    /// A JSON array, one record per line.
    JsonArray,
    /// A NumPy array of float32 rows of `cols` values.
    Npy { cols: usize },
    /// Not made to be merged (for people: `--format table`).
    Unmergeable,
}

/// An output split into what comes before, the records, and what comes after.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts {
    pub preamble: Vec<u8>,
    pub records: Vec<Vec<u8>>,
}

impl Framing {
    /// Splits a complete output file.
    pub fn split(self, bytes: &[u8]) -> Result<Parts> {
        match self {
            Framing::Lines { header } => {
                if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                    bail!("the last line is unfinished");
                }
                let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let preamble = if header {
                    if lines.is_empty() {
                        bail!("no header line");
                    }
                    lines.remove(0)
                } else {
                    Vec::new()
                };
                Ok(Parts { preamble, records: lines })
            }
            Framing::Table { delimiter, quoting } => {
                let mut r = TableReader::new(bytes, Dialect { delimiter, quoting });
                let whole = |rec: table::Record| {
                    let mut out = Vec::new();
                    if rec.bom {
                        out.extend_from_slice(b"\xef\xbb\xbf");
                    }
                    out.extend_from_slice(&rec.raw);
                    out.extend_from_slice(rec.terminator);
                    out
                };
                let Some(header) = r.next_record(None, true)? else { bail!("no header row") };
                let preamble = whole(header);
                let mut records = Vec::new();
                while let Some(rec) = r.next_record(None, true)? {
                    records.push(whole(rec));
                }
                Ok(Parts { preamble, records })
            }
            Framing::JsonArray => {
                let body = bytes
                    .strip_prefix(json::open().as_bytes())
                    .ok_or_else(|| anyhow::anyhow!("not a JSON array as zeroshot writes it"))?;
                if body == json::close(false).as_bytes() {
                    return Ok(Parts { preamble: Vec::new(), records: Vec::new() });
                }
                let body = body
                    .strip_suffix(json::close(true).as_bytes())
                    .ok_or_else(|| anyhow::anyhow!("the JSON array is unfinished"))?;
                let records = body
                    .split(|&b| b == b'\n')
                    .map(|l| {
                        let l = l.strip_suffix(b",").unwrap_or(l);
                        l.strip_prefix(b"  ").map(<[u8]>::to_vec).ok_or_else(|| anyhow::anyhow!("not a JSON array as zeroshot writes it"))
                    })
                    .collect::<Result<_>>()?;
                Ok(Parts { preamble: Vec::new(), records })
            }
            Framing::Npy { cols } => {
                let (head, data) = bytes.split_at_checked(npy::HEADER).ok_or_else(|| anyhow::anyhow!("shorter than a .npy header"))?;
                let row = cols * 4;
                if row == 0 || data.len() % row != 0 || head != npy::header(data.len() / row, cols).as_slice() {
                    bail!("not a .npy array of {cols} float32 columns as zeroshot writes it");
                }
                Ok(Parts { preamble: Vec::new(), records: data.chunks(row).map(<[u8]>::to_vec).collect() })
            }
            Framing::Unmergeable => bail!("table output is for people and cannot be merged; shard with --format jsonl, json, csv or tsv"),
        }
    }

    /// Joins records (in their final order) under the preamble.
    pub fn join(self, preamble: &[u8], records: &[&[u8]]) -> Vec<u8> {
        let mut out = preamble.to_vec();
        match self {
            Framing::JsonArray => {
                out.extend_from_slice(json::open().as_bytes());
                for (i, r) in records.iter().enumerate() {
                    out.extend_from_slice(if i == 0 { b"  " } else { b",\n  " });
                    out.extend_from_slice(r);
                }
                out.extend_from_slice(json::close(!records.is_empty()).as_bytes());
            }
            Framing::Npy { cols } => {
                out.extend_from_slice(&npy::header(records.len(), cols));
                records.iter().for_each(|r| out.extend_from_slice(r));
            }
            _ => records.iter().for_each(|r| out.extend_from_slice(r)),
        }
        out
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_join_round_trip() {
        let cases: Vec<(Framing, Vec<u8>)> = vec![
            (Framing::Lines { header: false }, b"{\"a\":1}\n{\"b\":2}\n".to_vec()),
            (Framing::Lines { header: true }, b"id\tlabel\nx\ty\n".to_vec()),
            (Framing::Table { delimiter: b',', quoting: true }, b"\xef\xbb\xbfid,text\r\n1,\"a\r\nb\"\r\n2,c\r\n".to_vec()),
            (Framing::JsonArray, b"[\n  {\"a\":1},\n  {\"b\":\"x,\\n\"}\n]\n".to_vec()),
            (Framing::JsonArray, b"[\n]\n".to_vec()),
            (Framing::Npy { cols: 2 }, [npy::header(2, 2), npy::row(&[1.0, 2.0]), npy::row(&[3.0, 4.0])].concat()),
        ];
        for (f, bytes) in cases {
            let p = f.split(&bytes).unwrap();
            let recs: Vec<&[u8]> = p.records.iter().map(Vec::as_slice).collect();
            let pre = if matches!(f, Framing::JsonArray | Framing::Npy { .. }) { Vec::new() } else { p.preamble.clone() };
            assert_eq!(f.join(&pre, &recs), bytes, "{f:?}");
        }
        assert!(Framing::Lines { header: false }.split(b"{\"a\":1}\n{\"b\"").is_err());
        assert!(Framing::Unmergeable.split(b"x").is_err());
    }
}
