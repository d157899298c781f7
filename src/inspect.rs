//! `zeroshot model info`: what a model folder holds and how zeroshot will use it.



use anyhow::Result;
use serde_json::{json, Value};

use crate::hub::{Origin, Resolved};
use crate::model::weights::Checkpoint;
use crate::model::ModelConfig;
use crate::tokenize;

/// Gathers the facts as JSON (the text form is rendered from it).
pub fn model_info(spec: &str, resolved: &Resolved, precision: crate::model::Precision) -> Result<Value> {
    let dir = &resolved.dir;
    let cfg = ModelConfig::from_file(&dir.join("config.json"))?;
    let ck = Checkpoint::open(dir)?;
    let params: usize = ck.names().filter_map(|n| ck.get(n)).map(|t| t.numel()).sum();
    let files: Vec<String> =
        ck.files.iter().map(|f| f.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    let model_max = tokenize::model_max_length(dir)?;
    let max_length = model_max.unwrap_or(cfg.max_position_embeddings).min(cfg.max_position_embeddings);
    let tokenizer = if dir.join("tokenizer.json").is_file() {
        "tokenizer.json"
    } else if dir.join("spm.model").is_file() {
        "spm.model (converted as transformers 4.x does)"
    } else {
        "none"
    };
    let origin = match &resolved.origin {
        Origin::Folder => json!({ "kind": "folder" }),
        Origin::Cache { repo, revision, commit } => {
            json!({ "kind": "huggingface-cache", "repo": repo, "revision": revision, "commit": commit })
        }
    };
    let name = |id: Option<usize>| id.map(|i| json!({ "id": i, "label": cfg.id2label[i] })).unwrap_or(Value::Null);
    let mut pos = Vec::new();
    if cfg.c2p {
        pos.push("c2p");
    }
    if cfg.p2c {
        pos.push("p2c");
    }
    Ok(json!({
        "model": spec,
        "path": dir,
        "origin": origin,
        "architectures": cfg.architectures,
        "model_type": cfg.model_type,
        "layers": cfg.num_layers,
        "hidden_size": cfg.hidden_size,
        "attention_heads": cfg.num_heads,
        "head_size": cfg.head_size,
        "intermediate_size": cfg.intermediate_size,
        "activation": cfg.hidden_act_name,
        "vocab_size": cfg.vocab_size,
        "embedding_size": cfg.embedding_size,
        "max_position_embeddings": cfg.max_position_embeddings,
        "absolute_positions": cfg.position_biased_input,
        "type_vocab_size": cfg.type_vocab_size,
        "relative_attention": cfg.relative_attention,
        "position_buckets": cfg.position_buckets,
        "max_relative_positions": cfg.max_relative_positions,
        "pos_att_type": pos,
        "share_att_key": cfg.share_att_key,
        "norm_rel_ebd": if cfg.norm_rel_ebd { "layer_norm" } else { "none" },
        "conv_kernel_size": cfg.conv.as_ref().map(|c| c.kernel_size),
        "labels": cfg.id2label,
        "entailment": name(cfg.entailment_id()),
        "contradiction": name(cfg.contradiction_id()),
        "parameters": params,
        "weights": { "files": files, "dtype": ck.main_dtype().map(|d| d.name()) },
        "max_length": max_length,
        "tokenizer_model_max_length": model_max,
        "tokenizer": tokenizer,
        "classification_head": ck.contains("classifier.weight") || ck.contains("deberta.classifier.weight"),
        "kernel": crate::cpu::level().name(),
        "precision": precision.name(),
    }))
}

/// The facts for people.
pub fn render(v: &Value) -> String {
    let s = |k: &str| match &v[k] {
        Value::String(x) => x.clone(),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    };
    let origin = match v["origin"]["kind"].as_str() {
        Some("huggingface-cache") => format!(
            "Hugging Face cache, {} at revision {} (commit {})",
            s_of(&v["origin"]["repo"]),
            s_of(&v["origin"]["revision"]),
            s_of(&v["origin"]["commit"])
        ),
        _ => "local folder".to_string(),
    };
    let labels: Vec<String> = v["labels"]
        .as_array()
        .map(|a| a.iter().enumerate().map(|(i, l)| format!("{i} {}", s_of(l))).collect())
        .unwrap_or_default();
    let id_of = |k: &str| match &v[k] {
        Value::Null => "none".to_string(),
        x => format!("{} ({})", x["id"], s_of(&x["label"])),
    };
    let rel = if v["relative_attention"].as_bool() == Some(true) {
        let buckets = v["position_buckets"].as_i64().unwrap_or(-1);
        let kind = if buckets > 0 { format!("log buckets {buckets}") } else { "no buckets".to_string() };
        let types: Vec<String> = v["pos_att_type"].as_array().map(|a| a.iter().map(s_of).collect()).unwrap_or_default();
        format!(
            "relative attention ({}; {kind}, max distance {}; {} position projections; relative embeddings {})",
            if types.is_empty() { "no c2p/p2c".to_string() } else { types.join("+") },
            s("max_relative_positions"),
            if v["share_att_key"].as_bool() == Some(true) { "shared" } else { "separate" },
            if s("norm_rel_ebd") == "layer_norm" { "layer-normed" } else { "not normalised" },
        )
    } else {
        "no relative attention".to_string()
    };
    let mut out = String::new();
    let mut line = |k: &str, val: String| out.push_str(&format!("{k:<14}{val}\n"));
    line("model", s("model"));
    line("path", format!("{} ({origin})", s("path")));
    let archs: Vec<String> = v["architectures"].as_array().map(|a| a.iter().map(s_of).collect()).unwrap_or_default();
    line("architecture", format!("{} ({})", if archs.is_empty() { "-".to_string() } else { archs.join(", ") }, s("model_type")));
    line(
        "size",
        format!(
            "{} layers, hidden {}, {} heads of {}, intermediate {}, activation {}",
            s("layers"),
            s("hidden_size"),
            s("attention_heads"),
            s("head_size"),
            s("intermediate_size"),
            s("activation")
        ),
    );
    line("vocabulary", s("vocab_size"));
    line(
        "positions",
        format!(
            "{rel}; {}",
            if v["absolute_positions"].as_bool() == Some(true) {
                format!("absolute position embeddings ({} max)", s("max_position_embeddings"))
            } else {
                "no absolute positions".to_string()
            }
        ),
    );
    if !v["conv_kernel_size"].is_null() {
        line("convolution", format!("kernel {} after the first layer", s("conv_kernel_size")));
    }
    line("labels", labels.join(", "));
    if v["classification_head"].as_bool() == Some(false) {
        line("head", "none: an encoder without a classification head (for `zeroshot embed`)".to_string());
    } else {
        line("entailment", id_of("entailment"));
        let contradiction = id_of("contradiction");
        let why = if v["contradiction"].is_null() { "" } else { " (multi-label scores: entailment vs this)" };
        line("contradiction", format!("{contradiction}{why}"));
    }
    line("parameters", group(v["parameters"].as_u64().unwrap_or(0)));
    let files: Vec<String> = v["weights"]["files"].as_array().map(|a| a.iter().map(s_of).collect()).unwrap_or_default();
    let computed = if s("precision") == "bf16" {
        "encoder products in bfloat16 with float32 sums, the rest in float32"
    } else {
        "computed in float32"
    };
    line("weights", format!("{} ({}, {computed})", files.join(", "), s_of(&v["weights"]["dtype"])));
    let mml = match &v["tokenizer_model_max_length"] {
        Value::Null => "no model_max_length in tokenizer_config.json".to_string(),
        x => format!("tokenizer model_max_length {x}"),
    };
    line("max length", format!("{} tokens ({mml}; model positions {})", s("max_length"), s("max_position_embeddings")));
    line("tokenizer", s("tokenizer"));
    line("kernel", format!("{} (ZEROSHOT_KERNEL chooses), precision {} (--precision)", s("kernel"), s("precision")));
    if v["entailment"].is_null() && v["classification_head"].as_bool() != Some(false) {
        out.push_str("\nnote: no label starts with \"entail\": `zeroshot classify` cannot use this model.\n");
    }
    out
}

fn s_of(v: &Value) -> String {
    match v {
        Value::String(x) => x.clone(),
        other => other.to_string(),
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

