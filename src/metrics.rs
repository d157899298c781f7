//! Evaluation metrics: accuracy overall and per language, macro-F1 and a
//! confusion matrix, with their text and JSON renderings.

use std::collections::BTreeMap;
use serde_json::{json, Value};

/// Counts for one evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Class names, in the model's (or the label list's) order.
    pub classes: Vec<String>,
    /// `confusion[gold][predicted]`.
    pub confusion: Vec<Vec<usize>>,
    /// Language -> (correct, total).
    pub languages: BTreeMap<String, (usize, usize)>,
    /// Rows whose gold label is not a class (reported, not scored).
    pub unknown_gold: usize,
    /// Rows without a gold label (`-` in MNLI/XNLI: no annotator consensus).
    pub no_gold: usize,
}

impl Metrics {
    pub fn new(classes: Vec<String>) -> Self {
        let n = classes.len();
        Metrics { classes, confusion: vec![vec![0; n]; n], ..Default::default() }
    }

    /// The class a gold label names, matched without regard to case.
    pub fn class_of(&self, gold: &str) -> Option<usize> {
        let g = gold.trim().to_lowercase();
        self.classes.iter().position(|c| c.to_lowercase() == g)
    }

    pub fn add(&mut self, language: Option<&str>, gold: usize, predicted: usize) {
        self.confusion[gold][predicted] += 1;
        if let Some(l) = language {
            let e = self.languages.entry(l.to_string()).or_default();
            e.1 += 1;
            if gold == predicted {
                e.0 += 1;
            }
        }
    }

    pub fn total(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    pub fn correct(&self) -> usize {
        (0..self.classes.len()).map(|i| self.confusion[i][i]).sum()
    }

    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.total().max(1) as f64
    }

    /// Per-class F1 (None for a class neither in the gold labels nor predicted).
    pub fn f1(&self) -> Vec<Option<f64>> {
        let n = self.classes.len();
        (0..n)
            .map(|c| {
                let tp = self.confusion[c][c] as f64;
                let gold: f64 = self.confusion[c].iter().sum::<usize>() as f64;
                let pred: f64 = (0..n).map(|g| self.confusion[g][c]).sum::<usize>() as f64;
                if gold == 0.0 && pred == 0.0 {
                    return None;
                }
                let (p, r) = (if pred > 0.0 { tp / pred } else { 0.0 }, if gold > 0.0 { tp / gold } else { 0.0 });
                Some(if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
            })
            .collect()
    }

    /// The mean F1 over classes that occur in the gold labels or the predictions.
    pub fn macro_f1(&self) -> f64 {
        let f: Vec<f64> = self.f1().into_iter().flatten().collect();
        f.iter().sum::<f64>() / f.len().max(1) as f64
    }

    pub fn to_json(&self) -> Value {
        let f1 = self.f1();
        json!({
            "total": self.total(),
            "correct": self.correct(),
            "accuracy": self.accuracy(),
            "macro_f1": self.macro_f1(),
            "classes": self.classes,
            "f1": f1,
            "confusion": self.confusion,
            "languages": self.languages.iter().map(|(l, (c, t))| (l.clone(), json!({"correct": c, "total": t, "accuracy": *c as f64 / (*t).max(1) as f64}))).collect::<serde_json::Map<_, _>>(),
            "unknown_gold": self.unknown_gold,
            "no_gold": self.no_gold,
        })
    }

    /// Tables for people.
    pub fn render(&self) -> String {
        let mut s = format!(
            "accuracy  {:.4}  ({} of {})\nmacro-F1  {:.4}\n",
            self.accuracy(),
            self.correct(),
            self.total(),
            self.macro_f1()
        );
        if !self.languages.is_empty() {
            s.push_str("\nlanguage  pairs  accuracy\n");
            for (l, (c, t)) in &self.languages {
                s.push_str(&format!("{l:<8}  {t:>5}  {:.4}\n", *c as f64 / (*t).max(1) as f64));
            }
        }
        let w = self.classes.iter().map(|c| c.chars().count()).max().unwrap_or(0).max(9);
        s.push_str(&format!("\nconfusion (rows: gold, columns: predicted)\n{:<w$}", ""));
        for c in &self.classes {
            s.push_str(&format!("  {c:>w$}"));
        }
        s.push_str(&format!("  {:>6}\n", "F1"));
        for (g, row) in self.confusion.iter().enumerate() {
            s.push_str(&format!("{:<w$}", self.classes[g]));
            for v in row {
                s.push_str(&format!("  {v:>w$}"));
            }
            let f1 = self.f1()[g].map_or("-".to_string(), |f| format!("{f:.4}"));
            s.push_str(&format!("  {f1:>6}\n"));
        }
        if self.no_gold > 0 {
            s.push_str(&format!("\n{} without a gold label (-) left out\n", rows(self.no_gold)));
        }
        if self.unknown_gold > 0 {
            s.push_str(&format!("{} with a gold label that is not a class left out\n", rows(self.unknown_gold)));
        }
        s
    }
}

fn rows(n: usize) -> String {
    if n == 1 {
        "1 row".to_string()
    } else {
        format!("{n} rows")
    }
}
