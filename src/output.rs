//! Output formats: pure functions from results to text, so each is
//! snapshot-tested on its own.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Json,
    Tsv,
    Csv,
    Table,
}

/// Names of the columns appended to CSV output.
pub const COL_LABEL: &str = "zeroshot_label";
pub const COL_SCORE: &str = "zeroshot_score";
pub const COL_SCORE_PREFIX: &str = "zeroshot_score_";
/// Key added to each record of JSONL input.
pub const JSON_KEY: &str = "zeroshot";

/// One document's labels in descending score order (ties keep label order).
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub id: String,
    pub labels: Vec<String>,
    pub scores: Vec<f32>,
}

/// Which ranked labels to show.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Show {
    pub top_k: Option<usize>,
    /// Only labels scoring at least this much.
    pub min_score: Option<f32>,
}

/// Sorts one document's scores (given in label order) into a ranking.
pub fn rank(id: &str, labels: &[String], scores: &[f32], show: Show) -> Ranked {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let keep = order
        .into_iter()
        .filter(|&i| show.min_score.is_none_or(|t| scores[i] >= t))
        .take(show.top_k.unwrap_or(usize::MAX));
    let (labels, scores) = keep.map(|i| (labels[i].clone(), scores[i])).unzip();
    Ranked { id: id.to_string(), labels, scores }
}

/// The record of one document, in the pipeline's shape plus an id. Scores are
/// written as the shortest decimal that reads back as the same f32.
#[derive(Serialize)]
struct Record<'a> {
    id: &'a str,
    labels: &'a [String],
    scores: &'a [f32],
}

pub fn record(r: &Ranked) -> String {
    serde_json::to_string(&Record { id: &r.id, labels: &r.labels, scores: &r.scores }).expect("plain data serializes")
}

/// One JSONL line (with its newline).
pub fn jsonl(r: &Ranked) -> String {
    let mut s = record(r);
    s.push('\n');
    s
}

/// JSON array framing: the text before the first record, between records, and at the end.
pub fn json_open() -> &'static str {
    "[\n"
}

pub fn json_item(r: &Ranked, first: bool) -> String {
    let sep = if first { "" } else { ",\n" };
    format!("{sep}  {}", record(r))
}

pub fn json_close(any: bool) -> &'static str {
    if any {
        "\n]\n"
    } else {
        "]\n"
    }
}

/// TSV keeps one row per document: id, top label and score, then one score
/// column per candidate label in the order given.
pub fn tsv_header(labels: &[String]) -> String {
    let mut cols = vec!["id".to_string(), "label".to_string(), "score".to_string()];
    cols.extend(labels.iter().map(|l| tsv_field(l)));
    cols.join("\t") + "\n"
}

pub fn tsv_row(id: &str, labels: &[String], scores: &[f32]) -> String {
    let top = rank(id, labels, scores, Show { top_k: Some(1), min_score: None });
    let mut cols = vec![tsv_field(id), tsv_field(&top.labels[0]), top.scores[0].to_string()];
    cols.extend(scores.iter().map(f32::to_string));
    cols.join("\t") + "\n"
}

/// Plain CSV (for inputs that are not CSV): like TSV, with CSV quoting.
pub fn csv_header(labels: &[String]) -> Vec<u8> {
    let mut cols: Vec<&str> = vec!["id", "label", "score"];
    cols.extend(labels.iter().map(String::as_str));
    csv_line(cols.iter().map(|c| c.as_bytes()), b',', b"\n")
}

pub fn csv_row(id: &str, labels: &[String], scores: &[f32]) -> Vec<u8> {
    let top = rank(id, labels, scores, Show { top_k: Some(1), min_score: None });
    let mut cols = vec![id.to_string(), top.labels[0].clone(), top.scores[0].to_string()];
    cols.extend(scores.iter().map(f32::to_string));
    csv_line(cols.iter().map(|c| c.as_bytes()), b',', b"\n")
}

/// The header of CSV input, byte for byte, with our columns appended.
pub fn csv_passthrough_header(bom: bool, raw: &[u8], terminator: &[u8], delim: u8, labels: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xef\xbb\xbf");
    }
    out.extend_from_slice(raw);
    let mut cols = vec![COL_LABEL.to_string(), COL_SCORE.to_string()];
    cols.extend(labels.iter().map(|l| format!("{COL_SCORE_PREFIX}{l}")));
    out.push(delim);
    out.extend(csv_line(cols.iter().map(|c| c.as_bytes()), delim, if terminator.is_empty() { b"\n" } else { terminator }));
    out
}

/// One CSV input row, byte for byte, with the top label, its score and every
/// label's score appended. A last row without a line ending gets `fallback`.
pub fn csv_passthrough_row(raw: &[u8], terminator: &[u8], fallback: &[u8], delim: u8, labels: &[String], scores: &[f32]) -> Vec<u8> {
    let top = rank("", labels, scores, Show { top_k: Some(1), min_score: None });
    let mut cols = vec![top.labels[0].clone(), top.scores[0].to_string()];
    cols.extend(scores.iter().map(f32::to_string));
    let mut out = raw.to_vec();
    out.push(delim);
    out.extend(csv_line(cols.iter().map(|c| c.as_bytes()), delim, if terminator.is_empty() { fallback } else { terminator }));
    out
}

/// Fields joined by the delimiter, quoted where needed, then the terminator.
fn csv_line<'a>(fields: impl Iterator<Item = &'a [u8]>, delim: u8, terminator: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(delim);
        }
        if f.iter().any(|&b| b == delim || b == b'"' || b == b'\n' || b == b'\r') {
            out.push(b'"');
            for &b in f {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(f);
        }
    }
    out.extend_from_slice(terminator);
    out
}

/// A JSONL input record, unchanged, with `"zeroshot": {labels, scores}` added
/// as its last key.
pub fn jsonl_passthrough(raw: &str, r: &Ranked) -> String {
    #[derive(Serialize)]
    struct Added<'a> {
        labels: &'a [String],
        scores: &'a [f32],
    }
    let added = serde_json::to_string(&Added { labels: &r.labels, scores: &r.scores }).expect("plain data serializes");
    let body = raw.trim_end();
    let inner = body.strip_suffix('}').unwrap_or(body).trim_end();
    let sep = if inner.trim_start() == "{" { "" } else { "," };
    format!("{inner}{sep}\"{JSON_KEY}\":{added}}}\n")
}

/// Tabs and newlines would break the row; show them escaped.
fn tsv_field(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

/// A block per document for people: the id, then each label with its score
/// and a bar.
pub fn table(r: &Ranked, label_width: usize) -> String {
    let mut s = format!("{}\n", r.id);
    for (l, &sc) in r.labels.iter().zip(&r.scores) {
        let bar = "█".repeat((sc.clamp(0.0, 1.0) * 20.0).round() as usize);
        let pad = label_width.saturating_sub(l.chars().count());
        s.push_str(&format!("  {l}{}  {sc:.4}  {bar}\n", " ".repeat(pad)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<String>, Vec<f32>) {
        (vec!["sport".into(), "politics".into(), "tab\tlabel".into()], vec![0.25, 0.625, 0.125])
    }

    #[test]
    fn formats() {
        let (labels, scores) = sample();
        let r = rank("stdin:3", &labels, &scores, Show::default());
        insta::assert_snapshot!(jsonl(&r), @r#"{"id":"stdin:3","labels":["politics","sport","tab\tlabel"],"scores":[0.625,0.25,0.125]}
"#);
        insta::assert_snapshot!(format!("{}{}{}", json_open(), json_item(&r, true), json_close(true)), @r#"
        [
          {"id":"stdin:3","labels":["politics","sport","tab\tlabel"],"scores":[0.625,0.25,0.125]}
        ]
        "#);
        insta::assert_snapshot!(tsv_header(&labels) + &tsv_row("stdin:3", &labels, &scores), @r"
        id	label	score	sport	politics	tab\tlabel
        stdin:3	politics	0.625	0.25	0.625	0.125
        ");
        insta::assert_snapshot!(table(&r, 9), @r"
        stdin:3
          politics   0.6250  █████████████
          sport      0.2500  █████
          tab	label  0.1250  ███
        ");
    }

    #[test]
    fn csv_and_passthrough() {
        let (labels, scores) = sample();
        let h = csv_passthrough_header(true, b"id,\"text, here\"", b"\r\n", b',', &labels);
        assert_eq!(
            String::from_utf8(h).unwrap(),
            "\u{feff}id,\"text, here\",zeroshot_label,zeroshot_score,zeroshot_score_sport,zeroshot_score_politics,zeroshot_score_tab\tlabel\r\n"
        );
        let row = csv_passthrough_row(b"7,\"a\nb\"", b"", b"\r\n", b',', &labels, &scores);
        assert_eq!(String::from_utf8(row).unwrap(), "7,\"a\nb\",politics,0.625,0.25,0.625,0.125\r\n");
        let row = csv_passthrough_row(b"x\ty", b"\n", b"\n", b'\t', &labels, &scores);
        assert_eq!(String::from_utf8(row).unwrap(), "x\ty\tpolitics\t0.625\t0.25\t0.625\t0.125\n");
        insta::assert_snapshot!(String::from_utf8(csv_header(&labels)).unwrap() + &String::from_utf8(csv_row("a,1", &labels, &scores)).unwrap(), @r#"
        id,label,score,sport,politics,tab	label
        "a,1",politics,0.625,0.25,0.625,0.125
        "#);
        let r = rank("x", &labels, &scores, Show { top_k: Some(1), min_score: None });
        assert_eq!(
            jsonl_passthrough("{\"n\": 1e5, \"t\": \"x\"} ", &r),
            "{\"n\": 1e5, \"t\": \"x\",\"zeroshot\":{\"labels\":[\"politics\"],\"scores\":[0.625]}}\n"
        );
        assert_eq!(jsonl_passthrough("{ }", &r), "{\"zeroshot\":{\"labels\":[\"politics\"],\"scores\":[0.625]}}\n");
    }

    #[test]
    fn top_k_threshold_and_ties() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let r = rank("x", &labels, &[0.5, 0.5, 0.1], Show { top_k: Some(2), min_score: None });
        assert_eq!(r.labels, ["a", "b"]);
        let r = rank("x", &labels, &[0.5, 0.7, 0.1], Show { top_k: None, min_score: Some(0.5) });
        assert_eq!(r.labels, ["b", "a"]);
    }
}
