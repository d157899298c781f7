//! `config.json` of a DeBERTa-v2/v3 checkpoint, read the way transformers 4.x
//! reads it (its defaults where a key is missing), and checked for what we run.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::math::Activation;

#[derive(Clone, Debug)]
pub struct ModelConfig {
    pub model_type: String,
    pub architectures: Vec<String>,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub head_size: usize,
    pub intermediate_size: usize,
    pub hidden_act: Activation,
    /// `hidden_act` as config.json names it.
    pub hidden_act_name: String,
    pub layer_norm_eps: f32,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub position_biased_input: bool,
    pub embedding_size: usize,
    pub relative_attention: bool,
    /// After transformers' resolution (`< 1` becomes max_position_embeddings).
    pub max_relative_positions: i64,
    pub position_buckets: i64,
    /// Half the number of relative-position embeddings attention reads.
    pub att_span: usize,
    pub c2p: bool,
    pub p2c: bool,
    pub share_att_key: bool,
    pub norm_rel_ebd: bool,
    pub conv: Option<ConvConfig>,
    pub pooler_act: Activation,
    /// `id2label` by index.
    pub id2label: Vec<String>,
    /// `label2id` in the order config.json lists it (the pipeline scans it in order).
    pub label2id: Vec<(String, usize)>,
    pub pad_token_id: u32,
    pub dtype: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ConvConfig {
    pub kernel_size: usize,
    pub groups: usize,
    pub act: Activation,
}

impl ModelConfig {
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let value: Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))?;
        Self::from_json(&value).with_context(|| format!("cannot use the model config {}", path.display()))
    }

    pub fn from_json(v: &Value) -> Result<Self> {
        let obj = v.as_object().context("config.json is not a JSON object")?;
        let model_type = str_or(obj, "model_type", "");
        if model_type != "deberta-v2" {
            let what = if model_type.is_empty() { "no model_type".to_string() } else { format!("model_type {model_type:?}") };
            bail!("{what}: zeroshot runs DeBERTa-v2/v3 checkpoints (model_type \"deberta-v2\") only");
        }
        let architectures = obj
            .get("architectures")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
            .unwrap_or_default();

        // Defaults are DebertaV2Config's (transformers 4.x).
        let hidden_size = usize_or(obj, "hidden_size", 1536)?;
        let num_heads = usize_or(obj, "num_attention_heads", 24)?;
        if num_heads == 0 || hidden_size % num_heads != 0 {
            bail!("hidden_size {hidden_size} is not a multiple of num_attention_heads {num_heads}");
        }
        let head_size = hidden_size / num_heads;
        if let Some(h) = obj.get("attention_head_size") {
            if h.as_u64() != Some(head_size as u64) {
                bail!("attention_head_size {h} differs from hidden_size / num_attention_heads ({head_size}); transformers cannot run that either");
            }
        }
        let act_name = str_or(obj, "hidden_act", "gelu");
        let hidden_act = activation(&act_name, "hidden_act")?;
        let pooler_act = activation(&str_or(obj, "pooler_hidden_act", "gelu"), "pooler_hidden_act")?;
        let max_position_embeddings = usize_or(obj, "max_position_embeddings", 512)?;
        let relative_attention = bool_or(obj, "relative_attention", false);
        let mut max_relative_positions = i64_or(obj, "max_relative_positions", -1)?;
        if max_relative_positions < 1 {
            max_relative_positions = max_position_embeddings as i64;
        }
        let position_buckets = i64_or(obj, "position_buckets", -1)?;
        let att_span = if position_buckets > 0 { position_buckets } else { max_relative_positions } as usize;

        let pos_att_type: Vec<String> = match obj.get("pos_att_type") {
            None | Some(Value::Null) => vec![],
            Some(Value::String(s)) => s.to_lowercase().split('|').map(|x| x.trim().to_string()).collect(),
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(|s| s.to_string())).collect(),
            Some(other) => bail!("pos_att_type {other} is neither a list nor a \"c2p|p2c\" string"),
        };
        let c2p = pos_att_type.iter().any(|t| t == "c2p");
        let p2c = pos_att_type.iter().any(|t| t == "p2c");
        let norm_rel_ebd = str_or(obj, "norm_rel_ebd", "none")
            .to_lowercase()
            .split('|')
            .any(|x| x.trim() == "layer_norm");

        let conv_kernel_size = i64_or(obj, "conv_kernel_size", 0)?;
        let conv = if conv_kernel_size > 0 {
            let groups = usize_or(obj, "conv_groups", 1)?;
            if groups == 0 || hidden_size % groups != 0 {
                bail!("conv_groups {groups} does not divide hidden_size {hidden_size}");
            }
            if conv_kernel_size % 2 == 0 {
                bail!("conv_kernel_size {conv_kernel_size} is even; transformers' padding only keeps the length for odd sizes");
            }
            Some(ConvConfig {
                kernel_size: conv_kernel_size as usize,
                groups,
                act: activation(&str_or(obj, "conv_act", "tanh"), "conv_act")?,
            })
        } else {
            None
        };

        let (id2label, label2id) = label_maps(obj)?;
        let embedding_size = usize_or(obj, "embedding_size", hidden_size)?;
        let pooler_hidden_size = usize_or(obj, "pooler_hidden_size", hidden_size)?;
        if pooler_hidden_size != hidden_size {
            bail!("pooler_hidden_size {pooler_hidden_size} differs from hidden_size {hidden_size}; transformers' pooler cannot run that either");
        }
        let eps = obj.get("layer_norm_eps").and_then(Value::as_f64).unwrap_or(1e-7);

        Ok(ModelConfig {
            model_type,
            architectures,
            vocab_size: usize_or(obj, "vocab_size", 128100)?,
            hidden_size,
            num_layers: usize_or(obj, "num_hidden_layers", 24)?,
            num_heads,
            head_size,
            intermediate_size: usize_or(obj, "intermediate_size", 6144)?,
            hidden_act,
            hidden_act_name: act_name,
            layer_norm_eps: eps as f32,
            max_position_embeddings,
            type_vocab_size: usize_or(obj, "type_vocab_size", 0)?,
            position_biased_input: bool_or(obj, "position_biased_input", true),
            embedding_size,
            relative_attention,
            max_relative_positions,
            position_buckets,
            att_span,
            c2p,
            p2c,
            share_att_key: bool_or(obj, "share_att_key", false),
            norm_rel_ebd,
            conv,
            pooler_act,
            id2label,
            label2id,
            pad_token_id: usize_or(obj, "pad_token_id", 0)? as u32,
            dtype: obj
                .get("torch_dtype")
                .or_else(|| obj.get("dtype"))
                .and_then(Value::as_str)
                .map(String::from),
        })
    }

    /// `1 + [c2p] + [p2c]`: attention scores are divided by `sqrt(head_size * this)`.
    /// Transformers counts pos_att_type even when relative attention is off.
    pub fn scale_factor(&self) -> usize {
        1 + self.c2p as usize + self.p2c as usize
    }

    pub fn num_labels(&self) -> usize {
        self.id2label.len()
    }

    /// The zero-shot pipeline's entailment id: the first label2id key whose
    /// lower-case form starts with "entail".
    pub fn entailment_id(&self) -> Option<usize> {
        self.label2id.iter().find(|(name, _)| name.to_lowercase().starts_with("entail")).map(|&(_, id)| id)
    }

    /// The pipeline's multi-label "contradiction" id: 0, or the last index when
    /// entailment is 0 (so not_entailment for 2-class models). Not looked up by name.
    pub fn contradiction_id(&self) -> Option<usize> {
        let e = self.entailment_id()?;
        Some(if e == 0 { self.num_labels().checked_sub(1)? } else { 0 })
    }
}

/// `id2label` by index and `label2id` in file order.
type LabelMaps = (Vec<String>, Vec<(String, usize)>);

fn label_maps(obj: &Map<String, Value>) -> Result<LabelMaps> {
    let mut id2label: Vec<(usize, String)> = Vec::new();
    if let Some(Value::Object(m)) = obj.get("id2label") {
        for (k, v) in m {
            let id: usize = k.trim().parse().with_context(|| format!("id2label key {k:?} is not an integer"))?;
            let name = v.as_str().with_context(|| format!("id2label[{k}] is not a string"))?;
            id2label.push((id, name.to_string()));
        }
    }
    let mut label2id: Vec<(String, usize)> = Vec::new();
    if let Some(Value::Object(m)) = obj.get("label2id") {
        for (k, v) in m {
            let id = match v {
                Value::Number(n) => n.as_u64().map(|x| x as usize),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }
            .with_context(|| format!("label2id[{k:?}] is not an integer"))?;
            label2id.push((k.clone(), id));
        }
    }
    if id2label.is_empty() && !label2id.is_empty() {
        id2label = label2id.iter().map(|(k, v)| (*v, k.clone())).collect();
    }
    if id2label.is_empty() {
        let n = usize_or(obj, "num_labels", 2)?;
        id2label = (0..n).map(|i| (i, format!("LABEL_{i}"))).collect();
    }
    id2label.sort_by_key(|(id, _)| *id);
    for (expect, (id, _)) in id2label.iter().enumerate() {
        if *id != expect {
            bail!("id2label ids are not 0..{}: found {id}", id2label.len());
        }
    }
    let n = id2label.len();
    if label2id.is_empty() {
        label2id = id2label.iter().map(|(id, name)| (name.clone(), *id)).collect();
    }
    if let Some((name, id)) = label2id.iter().find(|(_, id)| *id >= n) {
        bail!("label2id maps {name:?} to {id}, but the model has {n} labels");
    }
    Ok((id2label.into_iter().map(|(_, s)| s).collect(), label2id))
}

fn activation(name: &str, key: &str) -> Result<Activation> {
    Activation::from_hf(name)
        .with_context(|| format!("{key} {name:?} is not supported (supported: {})", Activation::SUPPORTED))
}

fn str_or(obj: &Map<String, Value>, key: &str, default: &str) -> String {
    obj.get(key).and_then(Value::as_str).unwrap_or(default).to_string()
}

fn bool_or(obj: &Map<String, Value>, key: &str, default: bool) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn i64_or(obj: &Map<String, Value>, key: &str, default: i64) -> Result<i64> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_i64().with_context(|| format!("{key} is {v}, not an integer")),
    }
}

fn usize_or(obj: &Map<String, Value>, key: &str, default: usize) -> Result<usize> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_u64().map(|x| x as usize).with_context(|| format!("{key} is {v}, not a non-negative integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entailment_and_contradiction_follow_the_pipeline() {
        let base = |labels: Value| {
            let mut v = json!({"model_type": "deberta-v2", "hidden_size": 8, "num_attention_heads": 2});
            v.as_object_mut().unwrap().extend(labels.as_object().unwrap().clone());
            ModelConfig::from_json(&v).unwrap()
        };
        let c = base(json!({"id2label": {"0": "entailment", "1": "neutral", "2": "contradiction"}}));
        assert_eq!((c.entailment_id(), c.contradiction_id()), (Some(0), Some(2)));
        let c = base(json!({"label2id": {"ENTAILMENT": 2, "CONTRADICTION": 0, "NEUTRAL": 1},
                            "id2label": {"0": "CONTRADICTION", "1": "NEUTRAL", "2": "ENTAILMENT"}}));
        assert_eq!((c.entailment_id(), c.contradiction_id()), (Some(2), Some(0)));
        let c = base(json!({"id2label": {"0": "entailment", "1": "not_entailment"}}));
        assert_eq!((c.entailment_id(), c.contradiction_id()), (Some(0), Some(1)));
        let c = base(json!({"id2label": {"0": "LABEL_0", "1": "LABEL_1"}}));
        assert_eq!(c.entailment_id(), None);
    }

    #[test]
    fn refuses_other_architectures() {
        let err = ModelConfig::from_json(&json!({"model_type": "bert"})).unwrap_err();
        assert!(err.to_string().contains("deberta-v2"), "{err}");
    }
}
