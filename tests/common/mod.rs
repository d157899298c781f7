//! Shared helpers for the integration tests: fixture paths, the real binary
//! with an isolated Hugging Face environment, and the reference outputs.
#![allow(dead_code)]

pub mod hub;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn model(name: &str) -> PathBuf {
    root().join("tests/fixtures/models").join(name)
}

pub const NLI_MODELS: [&str; 7] =
    ["nli-base", "nli-upper-f16", "nli-2class-bf16", "nli-noshare-bin", "nli-clamp", "nli-conv", "nli-norel"];

/// The binary with no access to the user's Hugging Face cache or the network.
pub fn zeroshot(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("zeroshot").unwrap();
    for var in ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_TOKEN", "HF_ENDPOINT", "ZEROSHOT_MODEL", "XDG_CACHE_HOME"] {
        cmd.env_remove(var);
    }
    cmd.env("HF_HOME", home.join("hf")).env("HF_HUB_OFFLINE", "1").env("NO_COLOR", "1");
    cmd
}

pub fn reference(name: &str) -> Value {
    let path = root().join(format!("tests/fixtures/reference/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn documents() -> Vec<String> {
    std::fs::read_to_string(root().join("tests/fixtures/docs/multilingual.txt"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

pub fn jsonl(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|s| s.as_f64().unwrap()).collect()
}

/// Asserts one document's ranking equals the pipeline's: same label set,
/// every score within `tol`, and our order never contradicts theirs by more than `tol`.
pub fn assert_same_ranking(what: &str, got: &Value, want: &Value, tol: f64) {
    let (gl, gs) = (strings(&got["labels"]), floats(&got["scores"]));
    let (wl, ws) = (strings(&want["labels"]), floats(&want["scores"]));
    let mut gsorted = gl.clone();
    gsorted.sort();
    let mut wsorted = wl.clone();
    wsorted.sort();
    assert_eq!(gsorted, wsorted, "{what}: label sets differ");
    for (l, s) in gl.iter().zip(&gs) {
        let w = ws[wl.iter().position(|x| x == l).unwrap()];
        assert!((s - w).abs() <= tol, "{what}: {l}: {s} vs pipeline {w}");
    }
    for pair in gs.windows(2) {
        assert!(pair[0] >= pair[1], "{what}: scores not descending: {gs:?}");
    }
}
