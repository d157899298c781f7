//! `zeroshot classify`.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::config::ClassifyConfig;
use crate::engine::{self, Stats};
use crate::exit;
use crate::input::Docs;
use crate::job::{self, JobOptions};
use crate::output::{self, COL_LABEL, COL_SCORE, COL_SCORE_PREFIX};
use crate::state::State;

pub fn run(cfg: ClassifyConfig, state: &State) -> Result<u8> {
    let started = Instant::now();
    super::init_threads(cfg.run.threads)?;
    // Inputs first: a missing column is reported before the model loads.
    super::stdin_hint(state, &cfg.input.sources, "documents", ", one per line");
    let docs = Docs::open(cfg.input.clone())?;
    let header = docs.csv_header().cloned();
    let names: Vec<String> = cfg.labels.iter().map(|l| l.name.clone()).collect();
    if let (Some(h), true) = (&header, cfg.passthrough) {
        let ours = [COL_LABEL.to_string(), COL_SCORE.to_string()]
            .into_iter()
            .chain(names.iter().map(|l| format!("{COL_SCORE_PREFIX}{l}")));
        for col in ours {
            if h.names.contains(&col) {
                bail!("the input already has a column {col:?}; zeroshot appends columns of that name (rename it, or use --format jsonl)");
            }
        }
    }
    let resolved = super::resolve(&cfg.model, state)?;
    let identity = job::identity(
        "classify",
        json!({
            "labels": cfg.labels.iter().map(|l| if l.name == l.phrase { l.name.clone() } else { format!("{} = {}", l.name, l.phrase) }).collect::<Vec<_>>(),
            "template": cfg.template,
            "precision": cfg.run.precision,
            "multi_label": cfg.multi_label,
            "long": format!("{:?}", cfg.long),
            "format": cfg.format,
            "show": cfg.show,
            "shard": cfg.job.shard,
            "lines": cfg.input.lines,
            "structured": cfg.input.structured,
            "text_column": cfg.input.text_column,
            "id_column": cfg.input.id_column,
            "text_field": cfg.input.text_field,
        }),
        &resolved,
        &cfg.input.sources,
    );
    let window = ((cfg.run.batching.batch_size * 4).max(256) / cfg.labels.len()).max(1);
    let job = JobOptions::new(&cfg.job, identity, window, &cfg.input.sources, &cfg.label_files);
    let opened = job::open(&job)?;
    let clf = engine::classify::load(&resolved.dir, cfg.run.precision).with_context(|| super::load_context(&resolved))?;
    let loaded = started.elapsed();
    let task = clf.task(cfg.labels.clone(), &cfg.template, cfg.multi_label, cfg.long)?;
    let render = output::classify_render(cfg.format, names.clone(), cfg.show, cfg.passthrough, header);
    let gate_index: Vec<usize> = cfg
        .gate
        .iter()
        .flat_map(|g| g.labels.iter().map(|l| names.iter().position(|n| n == l).expect("gate labels are candidates")))
        .collect();
    let threshold = cfg.gate.as_ref().map_or(0.5, |g| g.threshold);
    let batching = cfg.run.batching;
    let total = docs.total_bytes();
    let prog = job::run(
        &job,
        opened,
        docs,
        total,
        |window| {
            let texts: Vec<(&str, &str)> = window.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect();
            clf.score(&task, &texts, &batching)
        },
        render.as_ref(),
        |doc, scores, prog| {
            if gate_index.iter().any(|&i| scores[i] >= threshold) {
                prog.gate_hits += 1;
                prog.gate_first.get_or_insert_with(|| doc.id.clone());
            }
        },
    )?;
    job::summary(&job, &prog, started.elapsed().as_secs_f64(), Some(clf.stats.lock().unwrap_or_else(|e| e.into_inner()).pairs));
    if state.stats {
        print_stats(&clf.stats.lock().unwrap_or_else(|e| e.into_inner()), cfg.run.precision, loaded, started.elapsed());
    }
    // Freeing a 250K-piece tokenizer and the weights piece by piece takes half
    // a second; the process is about to end and the OS takes it all back.
    std::mem::forget(clf);
    if let Some(gate) = &cfg.gate {
        if prog.gate_hits > 0 {
            crate::msg::line(&format!(
                "gate: {} of {} scored >= {} for {} (first: {})",
                prog.gate_hits,
                job::plural(prog.written, "document"),
                gate.threshold,
                gate.labels.iter().map(|l| format!("{:?}", crate::msg::short(l, 60))).collect::<Vec<_>>().join(" or "),
                prog.gate_first.as_deref().unwrap_or("?")
            ));
        }
    }
    let code = job::input_exit(&prog);
    Ok(if code == exit::OK && prog.gate_hits > 0 { exit::GATE } else { code })
}

/// One line on stderr for the benchmark: `zeroshot-stats {json}`.
fn print_stats(st: &Stats, precision: crate::model::Precision, load: Duration, total: Duration) {
    let v = json!({
        "documents": st.documents,
        "pairs": st.pairs,
        "tokens": st.tokens,
        "forward_flops": st.forward_flops,
        "kernel": crate::cpu::level().name(),
        "precision": precision.name(),
        "load_seconds": load.as_secs_f64(),
        "tokenize_seconds": st.tokenize.as_secs_f64(),
        "forward_seconds": st.forward.as_secs_f64(),
        "total_seconds": total.as_secs_f64(),
        "forward_stages": crate::model::profile::seconds().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "attention_parts_cpu": crate::model::profile::attention_parts().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    crate::msg::raw(&format!("zeroshot-stats {v}\n"));
}
