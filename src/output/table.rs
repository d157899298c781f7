//! A block per document for people: the id, then each label with its score
//! and a bar.

use super::{rank, Ranked, Render, Show};
use crate::input::Doc;

pub fn block(r: &Ranked, label_width: usize) -> String {
    let mut s = format!("{}\n", r.id);
    for (l, &sc) in r.labels.iter().zip(&r.scores) {
        let bar = "█".repeat((sc.clamp(0.0, 1.0) * 20.0).round() as usize);
        let pad = label_width.saturating_sub(l.chars().count());
        s.push_str(&format!("  {l}{}  {sc:.4}  {bar}\n", " ".repeat(pad)));
    }
    s
}

pub struct Classify {
    pub names: Vec<String>,
    pub show: Show,
    pub width: usize,
}

impl Render<Vec<f32>> for Classify {
    fn record(&self, doc: &Doc, scores: &Vec<f32>, written: usize) -> Vec<u8> {
        let sep = if written == 0 { "" } else { "\n" };
        format!("{sep}{}", block(&rank(&doc.id, &self.names, scores, self.show), self.width)).into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars() {
        let labels: Vec<String> = vec!["sport".into(), "politics".into(), "tab\tlabel".into()];
        let r = rank("stdin:3", &labels, &[0.25, 0.625, 0.125], Show::default());
        insta::assert_snapshot!(block(&r, 9), @r"
        stdin:3
          politics   0.6250  █████████████
          sport      0.2500  █████
          tab	label  0.1250  ███
        ");
    }
}
