//! CSV: for table input, every input row byte for byte with zeroshot's
//! columns appended (in the input's dialect); for other input, columns
//! `id,label,score,<label>...`.

use super::{top, Render, COL_LABEL, COL_SCORE, COL_SCORE_PREFIX};
use crate::input::{CsvHeader, Dialect, Doc, Raw};

/// Fields joined by the delimiter, then the terminator. CSV quotes a field
/// that needs it; TSV (no quoting) escapes tabs and line breaks instead.
fn line<'a>(fields: impl Iterator<Item = &'a [u8]>, dialect: Dialect, terminator: &[u8]) -> Vec<u8> {
    let delim = dialect.delimiter;
    let mut out = Vec::new();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(delim);
        }
        let special = |b: u8| b == delim || b == b'\n' || b == b'\r' || (dialect.quoting && b == b'"');
        if !f.iter().any(|&b| special(b)) {
            out.extend_from_slice(f);
        } else if dialect.quoting {
            out.push(b'"');
            for &b in f {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(super::tsv::field(&String::from_utf8_lossy(f)).as_bytes());
        }
    }
    out.extend_from_slice(terminator);
    out
}

/// Plain CSV (for inputs that are not tables): like TSV, with CSV quoting.
pub fn header(labels: &[String]) -> Vec<u8> {
    let mut cols: Vec<&str> = vec!["id", "label", "score"];
    cols.extend(labels.iter().map(String::as_str));
    line(cols.iter().map(|c| c.as_bytes()), Dialect::CSV, b"\n")
}

pub fn row(id: &str, labels: &[String], scores: &[f32]) -> Vec<u8> {
    let (label, score) = top(labels, scores);
    let mut cols = vec![id.to_string(), label, score.to_string()];
    cols.extend(scores.iter().map(f32::to_string));
    line(cols.iter().map(|c| c.as_bytes()), Dialect::CSV, b"\n")
}

/// The header of table input, byte for byte, with our columns appended.
pub fn passthrough_header(h: &CsvHeader, labels: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    if h.bom {
        out.extend_from_slice(b"\xef\xbb\xbf");
    }
    out.extend_from_slice(&h.raw);
    let mut cols = vec![COL_LABEL.to_string(), COL_SCORE.to_string()];
    cols.extend(labels.iter().map(|l| format!("{COL_SCORE_PREFIX}{l}")));
    out.push(h.dialect.delimiter);
    out.extend(line(cols.iter().map(|c| c.as_bytes()), h.dialect, terminator_or(h.terminator, b"\n")));
    out
}

fn terminator_or<'a>(t: &'a [u8], fallback: &'a [u8]) -> &'a [u8] {
    if t.is_empty() {
        fallback
    } else {
        t
    }
}

/// One table input row, byte for byte, with the top label, its score and every
/// label's score appended. A last row without a line ending gets `fallback`.
pub fn passthrough_row(raw: &[u8], terminator: &[u8], fallback: &[u8], dialect: Dialect, labels: &[String], scores: &[f32]) -> Vec<u8> {
    let (label, score) = top(labels, scores);
    let mut cols = vec![label, score.to_string()];
    cols.extend(scores.iter().map(f32::to_string));
    let mut out = Vec::with_capacity(raw.len() + 16 * cols.len());
    out.extend_from_slice(raw);
    out.push(dialect.delimiter);
    out.extend(line(cols.iter().map(|c| c.as_bytes()), dialect, terminator_or(terminator, fallback)));
    out
}

pub struct Classify {
    pub names: Vec<String>,
    /// Table input's header: rows are carried through.
    pub passthrough: Option<CsvHeader>,
}

impl Render<Vec<f32>> for Classify {
    fn preamble(&self) -> Vec<u8> {
        match &self.passthrough {
            Some(h) => passthrough_header(h, &self.names),
            None => header(&self.names),
        }
    }

    fn record(&self, doc: &Doc, scores: &Vec<f32>, _: usize) -> Vec<u8> {
        match (&doc.raw, &self.passthrough) {
            (Some(Raw::Table { bytes, terminator }), Some(h)) => {
                passthrough_row(bytes, terminator, terminator_or(h.terminator, b"\n"), h.dialect, &self.names, scores)
            }
            _ => row(&doc.id, &self.names, scores),
        }
    }

    fn framing(&self) -> super::framing::Framing {
        match &self.passthrough {
            Some(h) => super::framing::Framing::Table { delimiter: h.dialect.delimiter, quoting: h.dialect.quoting },
            None => super::framing::Framing::Table { delimiter: b',', quoting: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_passthrough() {
        let labels: Vec<String> = vec!["sport".into(), "politics".into(), "tab\tlabel".into()];
        let scores = [0.25, 0.625, 0.125];
        let h = CsvHeader { bom: true, raw: b"id,\"text, here\"".to_vec(), terminator: b"\r\n", names: vec![], dialect: Dialect::CSV };
        assert_eq!(
            String::from_utf8(passthrough_header(&h, &labels)).unwrap(),
            "\u{feff}id,\"text, here\",zeroshot_label,zeroshot_score,zeroshot_score_sport,zeroshot_score_politics,zeroshot_score_tab\tlabel\r\n"
        );
        let row7 = passthrough_row(b"7,\"a\nb\"", b"", b"\r\n", Dialect::CSV, &labels, &scores);
        assert_eq!(String::from_utf8(row7).unwrap(), "7,\"a\nb\",politics,0.625,0.25,0.625,0.125\r\n");
        let tsv = passthrough_row(b"x\ty", b"\n", b"\n", Dialect::TSV, &labels, &scores);
        assert_eq!(String::from_utf8(tsv).unwrap(), "x\ty\tpolitics\t0.625\t0.25\t0.625\t0.125\n");
        let th = CsvHeader { bom: false, raw: b"a\tb".to_vec(), terminator: b"\n", names: vec![], dialect: Dialect::TSV };
        assert_eq!(
            String::from_utf8(passthrough_header(&th, &labels)).unwrap(),
            "a\tb\tzeroshot_label\tzeroshot_score\tzeroshot_score_sport\tzeroshot_score_politics\tzeroshot_score_tab\\tlabel\n"
        );
        insta::assert_snapshot!(String::from_utf8(header(&labels)).unwrap() + &String::from_utf8(row("a,1", &labels, &scores)).unwrap(), @r#"
        id,label,score,sport,politics,tab	label
        "a,1",politics,0.625,0.25,0.625,0.125
        "#);
    }
}
