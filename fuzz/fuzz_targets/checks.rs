//! What each fuzz target checks, one function per target. The fuzz targets
//! call these; `tests/fuzz_regressions.rs` runs them on every committed crash
//! input (fuzz/regressions/TARGET/*) without nightly.
#![allow(dead_code)]

use zeroshot::input::table::TableReader;
use zeroshot::input::{Column, Dialect, Docs, InputSpec, Source, Structured};
use zeroshot::labels;
use zeroshot::model::weights::Checkpoint;
use zeroshot::model::{Deberta, ModelConfig, Precision};

/// A per-process scratch folder for targets whose code under test reads files.
fn scratch_dir() -> std::path::PathBuf {
    let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
    let d = std::path::PathBuf::from(base).join(format!("zeroshot-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The table reader on any bytes: CSV and TSV, with and without CSV quotes,
/// fields kept or not. Invariant: no panic, and every byte is accounted for.
pub fn table(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else { return };
    let dialect = match mode % 4 {
        0 => Dialect::CSV,
        1 => Dialect::TSV,
        2 => Dialect::for_delimiter(b'\t', true),
        _ => Dialect::for_delimiter(b';', true),
    };
    let keep = [true, false, true];
    let mut r = TableReader::new(body, dialect);
    let mut records = 0;
    loop {
        match r.next_record(if mode & 4 == 0 { None } else { Some(&keep) }, mode & 8 == 0) {
            Ok(Some(rec)) => {
                records += 1;
                assert!(rec.line >= 1);
                assert!(rec.raw.len() <= body.len());
            }
            Ok(None) => break,
            Err(_) => return,
        }
        assert!(records <= body.len() + 1);
    }
    assert_eq!(r.consumed, body.len() as u64);
}

/// Documents from any file in every input mode (lines, whole file, CSV, TSV,
/// JSONL), with bad rows stopping or skipped: no panic, positions increase.
pub fn docs(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else { return };
    let path = scratch_dir().join("input");
    std::fs::write(&path, body).unwrap();
    let mut spec = InputSpec::text(vec![Source::File(path)], mode & 1 == 0);
    spec.structured = match (mode >> 1) % 5 {
        0 => None,
        1 => Some(Structured::Table(Dialect::CSV)),
        2 => Some(Structured::Table(Dialect::TSV)),
        3 => Some(Structured::Table(Dialect::for_delimiter(b'\t', true))),
        _ => Some(Structured::Jsonl),
    };
    if spec.structured.is_some() {
        spec.lines = false;
        spec.text_column = Column::Index(1);
        spec.text_field = "a.b".into();
    }
    spec.skip_bad_rows = mode & 16 != 0;
    spec.passthrough = mode & 32 != 0;
    if mode & 64 != 0 {
        spec.pair = Some((Column::Index(2), "c".into()));
    }
    let Ok(docs) = Docs::open(spec) else { return };
    let mut last = 0;
    for item in docs {
        let end = match &item {
            Ok(d) => d.end.bytes,
            Err(e) => e.end.bytes,
        };
        assert!(end >= last && end <= body.len() as u64);
        last = end;
    }
}

/// Label files, label lists and templates: no panic; a template that checks
/// fills without error.
pub fn labels(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(set) = labels::parse_file_text(text, "fuzz") {
        let _ = labels::check_unique(&set.labels);
        if let Some(t) = &set.template {
            for l in &set.labels {
                labels::fill(t, &l.phrase).unwrap();
            }
        }
    }
    let _ = labels::parse_list(text);
    if labels::check_template(text).is_ok() {
        let filled = labels::fill(text, "x").unwrap();
        assert!(filled.contains('x'));
    }
}

/// spm.model parsing and the tokenizer built from it: any bytes are an error
/// or a tokenizer that encodes text.
pub fn spm(data: &[u8]) {
    let path = scratch_dir().join("spm.model");
    std::fs::write(&path, data).unwrap();
    if let Ok(tok) = zeroshot::spm::tokenizer_from_spm(&path, None) {
        let _ = tok.encode("Hello wörld ﬁ 東京", true);
    }
}

/// config.json: any JSON is a config or an error, never a panic; a config
/// that parses has consistent label ids.
pub fn config(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(cfg) = ModelConfig::from_json(&v) {
        if let Some(e) = cfg.entailment_id() {
            assert!(e < cfg.num_labels());
        }
        if let Some(c) = cfg.contradiction_id() {
            assert!(c < cfg.num_labels());
        }
        let _ = cfg.scale_factor();
    }
}

/// model.safetensors: any bytes are an error or tensors whose data can be
/// read; loading them as a (tiny) DeBERTa checks every shape without panic.
pub fn safetensors(data: &[u8]) {
    let dir = scratch_dir();
    std::fs::write(dir.join("model.safetensors"), data).unwrap();
    let Ok(ck) = Checkpoint::open(&dir) else { return };
    let names: Vec<String> = ck.names().map(String::from).collect();
    for n in &names {
        let t = ck.get(n).unwrap();
        if t.numel() <= 1 << 16 {
            let _ = t.to_f32();
        }
    }
    let cfg = serde_json::json!({
        "model_type": "deberta-v2", "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 1,
        "intermediate_size": 4, "vocab_size": 8, "max_position_embeddings": 16, "relative_attention": true,
        "position_buckets": 4, "pos_att_type": ["p2c", "c2p"], "id2label": {"0": "entailment", "1": "contradiction"},
        "pooler_hidden_size": 4, "type_vocab_size": 0, "position_biased_input": false
    });
    let cfg = ModelConfig::from_json(&cfg).unwrap();
    let _ = Deberta::from_checkpoint(&ck, cfg, true, Precision::F32);
}
