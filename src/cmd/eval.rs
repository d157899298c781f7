//! `zeroshot eval`: the gold-labelled file streams through the same input
//! and job path as every command; rows without a usable gold label are
//! counted and never scored.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use crate::config::{EvalConfig, EvalTask};
use crate::engine::{self, argmax, LongDocs, Nli};
use crate::input::{Doc, Docs};
use crate::job::{self, JobOptions};
use crate::metrics::Metrics;
use crate::output::Render;
use crate::state::State;

/// Writes nothing per record: eval reports at the end.
struct Quiet;

impl Render<usize> for Quiet {
    fn record(&self, _: &Doc, _: &usize, _: usize) -> Vec<u8> {
        Vec::new()
    }
}

enum Scorer {
    Nli(Nli),
    Classify(engine::Classifier, engine::Task),
}

pub fn run(cfg: EvalConfig, state: &State) -> Result<u8> {
    super::init_threads(cfg.run.threads)?;
    let docs = Docs::open(cfg.input.clone())?;
    let resolved = super::resolve(&cfg.model, state)?;
    let scorer = match &cfg.task {
        EvalTask::Nli => Scorer::Nli(Nli::load(&resolved.dir, cfg.run.precision).with_context(|| super::load_context(&resolved))?),
        EvalTask::Classify { labels, template } => {
            let clf = engine::classify::load(&resolved.dir, cfg.run.precision).with_context(|| super::load_context(&resolved))?;
            let task = clf.task(labels.clone(), template, false, LongDocs::TRUNCATE)?;
            Scorer::Classify(clf, task)
        }
    };
    let classes = match &scorer {
        Scorer::Nli(n) => n.labels().to_vec(),
        Scorer::Classify(_, task) => task.labels.iter().map(|l| l.name.clone()).collect(),
    };
    let mut m = Metrics::new(classes);
    // Rows without a gold label, or with one that is not a class, are counted
    // as they are read and never scored.
    let (no_gold, unknown) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let lookup = m.clone();
    let (ng, uk) = (no_gold.clone(), unknown.clone());
    let total = docs.total_bytes();
    let rows = docs.take(cfg.limit.unwrap_or(usize::MAX)).filter(move |item| {
        let Ok(doc) = item else { return true };
        let gold = doc.extra[0].as_deref().unwrap_or("").trim();
        if gold.is_empty() || gold == "-" {
            ng.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if lookup.class_of(gold).is_none() {
            uk.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    });
    let job = JobOptions::new(&cfg.job, serde_json::Value::Null, 512, &cfg.input.sources, &[]);
    let opened = job::open(&job)?;
    let batching = cfg.run.batching;
    let prog = job::run(
        &job,
        opened,
        rows,
        total,
        |window| {
            let scores = match &scorer {
                Scorer::Nli(n) => {
                    let pairs: Vec<(&str, &str, &str)> = window.iter().map(|d| (d.id.as_str(), d.text.as_str(), d.pair.as_deref().unwrap_or(""))).collect();
                    n.probabilities(&pairs, &batching)?
                }
                Scorer::Classify(clf, task) => {
                    let texts: Vec<(&str, &str)> = window.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect();
                    clf.score(task, &texts, &batching)?
                }
            };
            Ok(scores.iter().map(|s| argmax(s)).collect())
        },
        &Quiet,
        |doc, &predicted, _| {
            let gold = m.class_of(doc.extra[0].as_deref().unwrap_or("")).expect("filtered to known classes");
            m.add(doc.extra[1].as_deref(), gold, predicted);
        },
    )?;
    m.no_gold = no_gold.load(Ordering::Relaxed);
    m.unknown_gold = unknown.load(Ordering::Relaxed);
    if m.total() == 0 {
        bail!("{}: no rows with a gold label among {}", cfg.name, m.classes.join(", "));
    }
    let text = if cfg.json {
        format!("{}\n", serde_json::to_string_pretty(&m.to_json())?)
    } else {
        format!("{}: {} rows, model {}\n\n{}", cfg.name, m.total(), cfg.model.spec, m.render())
    };
    crate::cmd::info::print(text.as_bytes())?;
    Ok(job::input_exit(&prog))
}
