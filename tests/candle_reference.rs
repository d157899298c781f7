//! candle-transformers' DeBERTa-v2 as a second reference: on a checkpoint it
//! supports, our logits equal the stock port's, and both equal transformers'.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::debertav2::{Config, DebertaV2SeqClassificationModel};
use serde_json::Value;
use zeroshot::model::{Deberta, Encoded, ModelConfig, Precision};

#[test]
fn our_forward_equals_candle_transformers_and_transformers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/models/nli-base");
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference/nli-base.json")).unwrap(),
    )
    .unwrap();
    let config_text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let candle_cfg: Config = serde_json::from_str(&config_text).unwrap();
    let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[dir.join("model.safetensors")], DType::F32, &Device::Cpu).unwrap() };
    let candle_model = DebertaV2SeqClassificationModel::load(vb.set_prefix("deberta"), &candle_cfg, None).unwrap();
    let ours = Deberta::load(&dir, ModelConfig::from_file(&dir.join("config.json")).unwrap(), true, Precision::F32).unwrap();

    let ids = |v: &Value| -> Vec<u32> { v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect() };
    let mut worst_candle = 0f64;
    let mut worst_hf = 0f64;
    for pair in reference["pairs"].as_array().unwrap().iter().step_by(3) {
        let (input, types) = (ids(&pair["input_ids"]), ids(&pair["token_type_ids"]));
        let t = Tensor::new(input.as_slice(), &Device::Cpu).unwrap().unsqueeze(0).unwrap();
        let tt = Tensor::new(types.as_slice(), &Device::Cpu).unwrap().unsqueeze(0).unwrap();
        let theirs: Vec<f32> = candle_model.forward(&t, Some(tt), None).unwrap().squeeze(0).unwrap().to_vec1().unwrap();
        let mine = &ours.classify(&[Encoded { ids: input, type_ids: types }]).unwrap()[0];
        let hf: Vec<f64> = pair["logits"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        for ((m, c), h) in mine.iter().zip(&theirs).zip(&hf) {
            worst_candle = worst_candle.max((*m as f64 - *c as f64).abs());
            worst_hf = worst_hf.max((*c as f64 - h).abs());
        }
    }
    assert!(worst_candle < 1e-4, "ours vs candle-transformers: {worst_candle}");
    assert!(worst_hf < 1e-4, "candle-transformers vs transformers: {worst_hf}");
}
