//! JSON Lines: one object per document (classify, nli, embed), and classify's
//! pass-through of JSONL input records with the classification added.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::{rank, Ranked, Render, Show, JSON_KEY};
use crate::engine::{argmax, Embedded, Embedding};
use crate::input::{Doc, Raw};

/// The record of one document, in the pipeline's shape plus an id. Scores are
/// written as the shortest decimal that reads back as the same f32.
#[derive(serde::Serialize)]
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

/// A JSONL input record, unchanged, with `"zeroshot": {labels, scores}` added
/// as its last key.
pub fn passthrough(raw: &str, r: &Ranked) -> String {
    #[derive(serde::Serialize)]
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

pub struct Classify {
    pub names: Vec<String>,
    pub show: Show,
    /// JSONL input: copy each record and add the classification.
    pub passthrough: bool,
}

impl Render<Vec<f32>> for Classify {
    fn record(&self, doc: &Doc, scores: &Vec<f32>, _: usize) -> Vec<u8> {
        let ranked = rank(&doc.id, &self.names, scores, self.show);
        match (&doc.raw, self.passthrough) {
            (Some(Raw::Json(raw)), true) => passthrough(raw, &ranked).into_bytes(),
            _ => jsonl(&ranked).into_bytes(),
        }
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::Lines { header: false }
    }
}

/// One NLI pair's record: `{"id", "label", "scores": {label: probability}}`.
pub fn nli(id: &str, labels: &[String], probs: &[f32]) -> String {
    struct Scores<'a>(&'a [String], &'a [f32]);
    impl Serialize for Scores<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (l, p) in self.0.iter().zip(self.1) {
                m.serialize_entry(l, p)?;
            }
            m.end()
        }
    }
    #[derive(serde::Serialize)]
    struct Record<'a> {
        id: &'a str,
        label: &'a str,
        scores: Scores<'a>,
    }
    let r = Record { id, label: &labels[argmax(probs)], scores: Scores(labels, probs) };
    serde_json::to_string(&r).expect("plain data serializes") + "\n"
}

pub struct Nli {
    pub labels: Vec<String>,
}

impl Render<Vec<f32>> for Nli {
    fn record(&self, doc: &Doc, probs: &Vec<f32>, _: usize) -> Vec<u8> {
        nli(&doc.id, &self.labels, probs).into_bytes()
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::Lines { header: false }
    }
}

pub fn pooled(id: &str, v: &[f32]) -> String {
    #[derive(serde::Serialize)]
    struct R<'a> {
        id: &'a str,
        embedding: &'a [f32],
    }
    serde_json::to_string(&R { id, embedding: v }).expect("plain data serializes") + "\n"
}

pub fn tokens(id: &str, e: &Embedded, h: usize) -> String {
    #[derive(serde::Serialize)]
    struct R<'a> {
        id: &'a str,
        tokens: &'a [String],
        token_ids: &'a [u32],
        embeddings: Vec<&'a [f32]>,
    }
    let r = R { id, tokens: &e.tokens, token_ids: &e.ids, embeddings: e.hidden.chunks(h).collect() };
    serde_json::to_string(&r).expect("plain data serializes") + "\n"
}

pub struct Embed {
    pub hidden: usize,
}

impl Render<Embedding> for Embed {
    fn record(&self, doc: &Doc, e: &Embedding, _: usize) -> Vec<u8> {
        match e {
            Embedding::Pooled(v) => pooled(&doc.id, v).into_bytes(),
            Embedding::Tokens(t) => tokens(&doc.id, t, self.hidden).into_bytes(),
        }
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::Lines { header: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_and_passthrough() {
        let labels: Vec<String> = vec!["sport".into(), "politics".into(), "tab\tlabel".into()];
        let r = rank("stdin:3", &labels, &[0.25, 0.625, 0.125], Show::default());
        insta::assert_snapshot!(jsonl(&r), @r#"{"id":"stdin:3","labels":["politics","sport","tab\tlabel"],"scores":[0.625,0.25,0.125]}
"#);
        let r = rank("x", &labels, &[0.25, 0.625, 0.125], Show { top_k: Some(1), min_score: None });
        assert_eq!(
            passthrough("{\"n\": 1e5, \"t\": \"x\"} ", &r),
            "{\"n\": 1e5, \"t\": \"x\",\"zeroshot\":{\"labels\":[\"politics\"],\"scores\":[0.625]}}\n"
        );
        assert_eq!(passthrough("{ }", &r), "{\"zeroshot\":{\"labels\":[\"politics\"],\"scores\":[0.625]}}\n");
    }

    #[test]
    fn nli_records() {
        let labels = vec!["entailment".to_string(), "neutral".into(), "contradiction".into()];
        assert_eq!(
            nli("a:1", &labels, &[0.25, 0.625, 0.125]),
            "{\"id\":\"a:1\",\"label\":\"neutral\",\"scores\":{\"entailment\":0.25,\"neutral\":0.625,\"contradiction\":0.125}}\n"
        );
    }
}
