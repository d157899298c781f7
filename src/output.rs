//! Output formats: pure functions from results to text, so each is
//! snapshot-tested on its own.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Json,
    Tsv,
    Table,
}

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
    fn top_k_threshold_and_ties() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let r = rank("x", &labels, &[0.5, 0.5, 0.1], Show { top_k: Some(2), min_score: None });
        assert_eq!(r.labels, ["a", "b"]);
        let r = rank("x", &labels, &[0.5, 0.7, 0.1], Show { top_k: None, min_score: Some(0.5) });
        assert_eq!(r.labels, ["b", "a"]);
    }
}
