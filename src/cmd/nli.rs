//! `zeroshot nli`.

use anyhow::{Context, Result};
use serde_json::json;

use crate::config::NliConfig;
use crate::engine::Nli;
use crate::input::Docs;
use crate::job::{self, JobOptions};
use crate::output::{self, NliFormat, Render};
use crate::state::State;

pub fn run(cfg: NliConfig, state: &State) -> Result<u8> {
    let started = std::time::Instant::now();
    super::init_threads(cfg.run.threads)?;
    super::stdin_hint(state, &cfg.input.sources, "premise/hypothesis pairs", " (a header line, then one pair per line)");
    let docs = Docs::open(cfg.input.clone())?;
    let resolved = super::resolve(&cfg.model, state)?;
    let identity = job::identity(
        "nli",
        json!({ "precision": cfg.run.precision, "format": cfg.format, "shard": cfg.job.shard, "input": cfg.input.structured }),
        &resolved,
        &cfg.input.sources,
    );
    let job = JobOptions::new(&cfg.job, identity, (cfg.run.batching.batch_size * 4).max(256), &cfg.input.sources, &[]);
    let opened = job::open(&job)?;
    let nli = Nli::load(&resolved.dir, cfg.run.precision).with_context(|| super::load_context(&resolved))?;
    let labels = nli.labels().to_vec();
    let render: Box<dyn Render<Vec<f32>>> = match cfg.format {
        NliFormat::Jsonl => Box::new(output::jsonl::Nli { labels }),
        NliFormat::Tsv => Box::new(output::tsv::Nli { labels }),
    };
    let batching = cfg.run.batching;
    let total = docs.total_bytes();
    let prog = job::run(
        &job,
        opened,
        docs,
        total,
        |window| {
            let pairs: Vec<(&str, &str, &str)> = window.iter().map(|d| (d.id.as_str(), d.text.as_str(), d.pair.as_deref().unwrap_or(""))).collect();
            nli.probabilities(&pairs, &batching)
        },
        render.as_ref(),
        |_, _, _| {},
    )?;
    job::summary(&job, &prog, started.elapsed().as_secs_f64(), Some(prog.written));
    std::mem::forget(nli); // see classify
    Ok(job::input_exit(&prog))
}
