//! `zeroshot embed`.

use anyhow::{Context, Result};
use serde_json::json;

use crate::config::EmbedConfig;
use crate::engine::{Embedder, Embedding};
use crate::input::Docs;
use crate::job::{self, JobOptions};
use crate::output::{self, EmbedFormat, Render};
use crate::state::State;

pub fn run(cfg: EmbedConfig, state: &State) -> Result<u8> {
    let started = std::time::Instant::now();
    super::init_threads(cfg.run.threads)?;
    super::stdin_hint(state, &cfg.input.sources, "documents", ", one per line");
    let docs = Docs::open(cfg.input.clone())?;
    let resolved = super::resolve(&cfg.model, state)?;
    let identity = job::identity(
        "embed",
        json!({ "precision": cfg.run.precision, "pool": format!("{:?}", cfg.pool), "format": cfg.format, "shard": cfg.job.shard,
                "input": cfg.input.structured, "lines": cfg.input.lines, "text": [&cfg.input.text_column, &cfg.input.text_field] }),
        &resolved,
        &cfg.input.sources,
    );
    let job = JobOptions::new(&cfg.job, identity, (cfg.run.batching.batch_size * 2).max(64), &cfg.input.sources, &[]);
    let opened = job::open(&job)?;
    let embedder = Embedder::load(&resolved.dir, cfg.run.precision).with_context(|| super::load_context(&resolved))?;
    let hidden = embedder.hidden_size();
    let render: Box<dyn Render<Embedding>> = match cfg.format {
        EmbedFormat::Jsonl => Box::new(output::jsonl::Embed { hidden }),
        EmbedFormat::Npy => Box::new(output::npy::Embed { hidden }),
    };
    let batching = cfg.run.batching;
    let total = docs.total_bytes();
    let pool = cfg.pool;
    let prog = job::run(
        &job,
        opened,
        docs,
        total,
        |window| {
            let texts: Vec<(&str, &str)> = window.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect();
            Ok(embedder.embed(&texts, &batching)?.into_iter().map(|e| Embedding::of(e, hidden, pool)).collect())
        },
        render.as_ref(),
        |_, _, _| {},
    )?;
    job::summary(&job, &prog, started.elapsed().as_secs_f64(), None);
    std::mem::forget(embedder); // see classify
    Ok(job::input_exit(&prog))
}
