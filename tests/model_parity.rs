//! The forward pass against Hugging Face's logits, pair by pair, on every
//! fixture checkpoint (tests/fixtures/reference/*.json, made by transformers).

use std::path::Path;

use serde_json::Value;
use zeroshot::model::deberta::relative_bucket;
use zeroshot::model::{Deberta, Encoded, ModelConfig, Precision};

fn fixture(name: &str) -> (Deberta, Value) {
    // .ci/run reruns this file under each kernel the CPU has: make sure it is the one asked for.
    let wanted = std::env::var("ZEROSHOT_KERNEL").ok();
    let level = zeroshot::cpu::init(wanted.as_deref()).unwrap();
    if let Some(w) = &wanted {
        assert_eq!(level.name(), w, "ZEROSHOT_KERNEL={w} did not take effect");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models").join(name);
    let cfg = ModelConfig::from_file(&dir.join("config.json")).unwrap();
    let model = Deberta::load(&dir, cfg, true, Precision::F32).unwrap();
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/reference/{name}.json"));
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(reference).unwrap()).unwrap();
    (model, reference)
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect()
}

fn check_logits(name: &str) {
    let (model, reference) = fixture(name);
    let pairs = reference["pairs"].as_array().unwrap();
    let seqs: Vec<Encoded> =
        pairs.iter().map(|p| Encoded { ids: ids(&p["input_ids"]), type_ids: ids(&p["token_type_ids"]) }).collect();
    let logits = model.classify(&seqs).unwrap();
    let mut worst = 0f64;
    for (p, got) in pairs.iter().zip(&logits) {
        let want: Vec<f64> = p["logits"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        for (g, w) in got.iter().zip(&want) {
            worst = worst.max((*g as f64 - w).abs());
        }
    }
    eprintln!("{name}: worst logit difference {worst:e}");
    assert!(worst < 1e-4, "{name}: worst logit difference {worst}");
    // One at a time gives the same bits as the whole batch.
    for (s, got) in seqs.iter().zip(&logits).step_by(7) {
        assert_eq!(&model.classify(std::slice::from_ref(s)).unwrap()[0], got, "{name}: batch dependence");
    }
}

#[test]
fn logits_nli_base() {
    check_logits("nli-base");
}

#[test]
fn logits_nli_upper_f16() {
    check_logits("nli-upper-f16");
}

#[test]
fn logits_nli_2class_bf16() {
    check_logits("nli-2class-bf16");
}

#[test]
fn logits_nli_noshare_bin() {
    check_logits("nli-noshare-bin");
}

#[test]
fn logits_nli_clamp() {
    check_logits("nli-clamp");
}

#[test]
fn logits_nli_conv() {
    check_logits("nli-conv");
}

#[test]
fn logits_nli_norel() {
    check_logits("nli-norel");
}

#[test]
fn log_buckets_equal_transformers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference/buckets.json");
    let configs: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for c in configs.as_array().unwrap() {
        let (b, m) = (c["position_buckets"].as_i64().unwrap(), c["max_relative_positions"].as_i64().unwrap());
        let runs: Vec<(i64, i64)> =
            c["runs"].as_array().unwrap().iter().map(|r| (r[0].as_i64().unwrap(), r[1].as_i64().unwrap())).collect();
        for d in 0..=c["max_distance"].as_i64().unwrap() {
            let want = runs.iter().rev().find(|(start, _)| *start <= d).unwrap().1;
            assert_eq!(relative_bucket(d, b, m), want, "buckets {b}, max {m}, distance {d}");
            assert_eq!(relative_bucket(-d, b, m), -want, "buckets {b}, max {m}, distance -{d}");
        }
    }
}
