//! A JSON array of classify's records.

use super::jsonl::record;
use super::{rank, Ranked, Render, Show};
use crate::input::Doc;

/// Array framing: the text before the first record, between records, and at the end.
pub fn open() -> &'static str {
    "[\n"
}

pub fn item(r: &Ranked, first: bool) -> String {
    let sep = if first { "" } else { ",\n" };
    format!("{sep}  {}", record(r))
}

pub fn close(any: bool) -> &'static str {
    if any {
        "\n]\n"
    } else {
        "]\n"
    }
}

pub struct Classify {
    pub names: Vec<String>,
    pub show: Show,
}

impl Render<Vec<f32>> for Classify {
    fn preamble(&self) -> Vec<u8> {
        open().as_bytes().to_vec()
    }

    fn record(&self, doc: &Doc, scores: &Vec<f32>, written: usize) -> Vec<u8> {
        item(&rank(&doc.id, &self.names, scores, self.show), written == 0).into_bytes()
    }

    fn epilogue(&self, written: usize) -> Vec<u8> {
        close(written > 0).as_bytes().to_vec()
    }

    fn framing(&self) -> super::framing::Framing {
        super::framing::Framing::JsonArray
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array() {
        let labels: Vec<String> = vec!["sport".into(), "politics".into()];
        let r = rank("stdin:3", &labels, &[0.25, 0.75], Show::default());
        insta::assert_snapshot!(format!("{}{}{}", open(), item(&r, true), close(true)), @r#"
        [
          {"id":"stdin:3","labels":["politics","sport"],"scores":[0.75,0.25]}
        ]
        "#);
        assert_eq!(format!("{}{}", open(), close(false)), "[\n]\n");
    }
}
