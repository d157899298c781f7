//! TSV: a header, then one row per document: id, top label, its score, and
//! one score column per label (classify), or one probability per model label
//! (nli). Tabs and line breaks in values are escaped (`\t`, `\n`).

use super::{top, Render};
use crate::engine::argmax;
use crate::input::Doc;

/// Tabs and newlines would break the row; show them escaped.
pub fn field(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
}

pub fn header(labels: &[String]) -> String {
    let mut cols = vec!["id".to_string(), "label".to_string(), "score".to_string()];
    cols.extend(labels.iter().map(|l| field(l)));
    cols.join("\t") + "\n"
}

pub fn row(id: &str, labels: &[String], scores: &[f32]) -> String {
    let (label, score) = top(labels, scores);
    let mut cols = vec![field(id), field(&label), score.to_string()];
    cols.extend(scores.iter().map(f32::to_string));
    cols.join("\t") + "\n"
}

pub struct Classify {
    pub names: Vec<String>,
}

impl Render<Vec<f32>> for Classify {
    fn preamble(&self) -> Vec<u8> {
        header(&self.names).into_bytes()
    }

    fn record(&self, doc: &Doc, scores: &Vec<f32>, _: usize) -> Vec<u8> {
        row(&doc.id, &self.names, scores).into_bytes()
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::Lines { header: true }
    }
}

pub fn nli_header(labels: &[String]) -> String {
    let mut cols = vec!["id".to_string(), "label".to_string()];
    cols.extend(labels.iter().cloned());
    cols.join("\t") + "\n"
}

pub fn nli_row(id: &str, labels: &[String], probs: &[f32]) -> String {
    let mut cols = vec![id.replace(['\t', '\n'], " "), labels[argmax(probs)].clone()];
    cols.extend(probs.iter().map(f32::to_string));
    cols.join("\t") + "\n"
}

pub struct Nli {
    pub labels: Vec<String>,
}

impl Render<Vec<f32>> for Nli {
    fn preamble(&self) -> Vec<u8> {
        nli_header(&self.labels).into_bytes()
    }

    fn record(&self, doc: &Doc, probs: &Vec<f32>, _: usize) -> Vec<u8> {
        nli_row(&doc.id, &self.labels, probs).into_bytes()
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::Lines { header: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows() {
        let labels: Vec<String> = vec!["sport".into(), "politics".into(), "tab\tlabel".into()];
        insta::assert_snapshot!(header(&labels) + &row("stdin:3", &labels, &[0.25, 0.625, 0.125]), @r"
        id	label	score	sport	politics	tab\tlabel
        stdin:3	politics	0.625	0.25	0.625	0.125
        ");
        let nli_labels = vec!["entailment".to_string(), "neutral".into(), "contradiction".into()];
        assert_eq!(nli_row("a:1", &nli_labels, &[0.5, 0.25, 0.25]), "a:1\tentailment\t0.5\t0.25\t0.25\n");
    }
}
