//! Beyond the pipeline: long documents in windows, embeddings, raw NLI
//! scoring and evaluation, each against transformers' outputs.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/reference").join(name)).unwrap()).unwrap()
}

#[test]
fn chunked_long_document_matches_the_pipeline_per_window() {
    let home = tempfile::tempdir().unwrap();
    let reference = fixture_json("chunk.json");
    assert!(reference["document_tokens"].as_u64().unwrap() > 8192);
    let doc = root().join("tests/fixtures").join(reference["document"].as_str().unwrap());
    let labels = strings(&reference["labels"]).join(",");
    for (mode, multi) in [("single", false), ("multi", true)] {
        for agg in ["max", "mean"] {
            let mut cmd = zeroshot(home.path());
            cmd.args(["classify", "--long", "chunk", "--aggregate", agg, "--labels", &labels, "--model"])
                .arg(model("nli-base"))
                .args(["--stride", &reference["stride"].to_string()])
                .arg(&doc);
            if multi {
                cmd.arg("--multi-label");
            }
            let out = jsonl(&cmd.assert().success().get_output().stdout);
            let want = &reference["modes"][mode]["aggregate"][agg];
            let (gl, gs) = (strings(&out[0]["labels"]), floats(&out[0]["scores"]));
            for (l, s) in gl.iter().zip(gs) {
                let w = want[l].as_f64().unwrap();
                assert!((s - w).abs() < 1e-4, "{mode}/{agg} {l}: {s} vs pipeline {w}");
            }
        }
    }
    // The window must be able to advance.
    zeroshot(home.path())
        .args(["classify", "--long", "chunk", "--stride", "500", "--labels", &labels, "--model"])
        .arg(model("nli-base"))
        .arg(&doc)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use a smaller --stride"));
    // Truncation (the default) scores only the start: a different answer.
    let truncated = jsonl(&zeroshot(home.path())
        .args(["classify", "--labels", &labels, "--model"])
        .arg(model("nli-base"))
        .arg(&doc)
        .assert()
        .success()
        .get_output()
        .stdout);
    let first = &reference["modes"]["single"]["first_windows"][0];
    for (l, s) in strings(&truncated[0]["labels"]).iter().zip(floats(&truncated[0]["scores"])) {
        assert!((s - first[l].as_f64().unwrap()).abs() < 1e-4, "truncate mode is the first window");
    }
}

#[test]
fn token_embeddings_equal_transformers_including_a_spm_only_checkpoint() {
    let home = tempfile::tempdir().unwrap();
    let reference = fixture_json("embeddings.json");
    for name in ["base-spm", "nli-base"] {
        let items = reference[name]["items"].as_array().unwrap();
        let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
        let input: String = texts.iter().map(|t| serde_json::json!({ "text": t }).to_string() + "\n").collect();
        let out = jsonl(&zeroshot(home.path())
            .args(["embed", "--jsonl", "--model"])
            .arg(model(name))
            .write_stdin(input.clone())
            .assert()
            .success()
            .get_output()
            .stdout);
        let pooled = jsonl(&zeroshot(home.path())
            .args(["embed", "--jsonl", "--pool", "mean", "--normalize", "--model"])
            .arg(model(name))
            .write_stdin(input.clone())
            .assert()
            .success()
            .get_output()
            .stdout);
        let cls = jsonl(&zeroshot(home.path())
            .args(["embed", "--jsonl", "--pool", "cls", "--model"])
            .arg(model(name))
            .write_stdin(input)
            .assert()
            .success()
            .get_output()
            .stdout);
        for (k, item) in items.iter().enumerate() {
            let want: Vec<Vec<f64>> = item["last_hidden_state"].as_array().unwrap().iter().map(floats).collect();
            assert_eq!(out[k]["token_ids"], item["input_ids"], "{name}: tokens of {:?}", texts[k]);
            let got: Vec<Vec<f64>> = out[k]["embeddings"].as_array().unwrap().iter().map(floats).collect();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().flatten().zip(want.iter().flatten()) {
                assert!((g - w).abs() < 1e-4, "{name}: {g} vs {w}");
            }
            // Mean pooling with L2 normalisation, and the first token, from transformers' states.
            let h = want[0].len();
            let mean: Vec<f64> = (0..h).map(|j| want.iter().map(|r| r[j]).sum::<f64>() / want.len() as f64).collect();
            let norm = mean.iter().map(|x| x * x).sum::<f64>().sqrt();
            for (g, w) in floats(&pooled[k]["embedding"]).iter().zip(&mean) {
                assert!((g - w / norm).abs() < 1e-4);
            }
            for (g, w) in floats(&cls[k]["embedding"]).iter().zip(&want[0]) {
                assert!((g - w).abs() < 1e-4);
            }
        }
    }
}

#[test]
fn pooled_vectors_as_npy() {
    let home = tempfile::tempdir().unwrap();
    let input = "Hello world!\nBonjour le monde.\nHallo Welt.\n";
    let npy = home.path().join("v.npy");
    zeroshot(home.path())
        .args(["embed", "--pool", "mean", "-o"])
        .arg(&npy)
        .arg("--model")
        .arg(model("base-spm"))
        .write_stdin(input)
        .assert()
        .success();
    let json = jsonl(&zeroshot(home.path())
        .args(["embed", "--pool", "mean", "--model"])
        .arg(model("base-spm"))
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout);
    let bytes = std::fs::read(&npy).unwrap();
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(header.contains("'descr': '<f4'") && header.contains("'shape': (3, 32)"), "{header}");
    let data: Vec<f32> = bytes[10 + hlen..].chunks(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(data.len(), 3 * 32);
    for (row, rec) in data.chunks(32).zip(&json) {
        // The same float32 values (JSON holds their shortest decimal form).
        assert_eq!(row.to_vec(), floats(&rec["embedding"]).iter().map(|&x| x as f32).collect::<Vec<_>>());
    }
    zeroshot(home.path()).args(["embed", "-o", "x.npy", "--model"]).arg(model("base-spm")).write_stdin(input).assert().code(2).stderr(
        predicate::str::contains("--pool"),
    );
}

fn softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

/// (premise, hypothesis, transformers' logits) for the recorded pairs of a model.
fn recorded_pairs(name: &str) -> Vec<(String, String, Vec<f64>)> {
    let reference = reference(name);
    let docs = documents();
    let template = reference["cases"][0]["template"].as_str().unwrap().to_string();
    reference["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let doc = docs[p["doc"].as_u64().unwrap() as usize].clone();
            (doc, template.replace("{}", p["label"].as_str().unwrap()), floats(&p["logits"]))
        })
        .collect()
}

#[test]
fn nli_probabilities_equal_transformers() {
    let home = tempfile::tempdir().unwrap();
    for name in ["nli-base", "nli-upper-f16", "nli-2class-bf16"] {
        let pairs = recorded_pairs(name);
        let input: String =
            pairs.iter().map(|(p, h, _)| serde_json::json!({ "premise": p, "hypothesis": h }).to_string() + "\n").collect();
        let out = jsonl(&zeroshot(home.path())
            .args(["nli", "--jsonl", "--model"])
            .arg(model(name))
            .write_stdin(input)
            .assert()
            .success()
            .get_output()
            .stdout);
        let labels: Vec<String> = {
            let cfg: Value = serde_json::from_str(&std::fs::read_to_string(model(name).join("config.json")).unwrap()).unwrap();
            (0..cfg["id2label"].as_object().unwrap().len()).map(|i| cfg["id2label"][i.to_string()].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(out.len(), pairs.len());
        for (rec, (_, _, logits)) in out.iter().zip(&pairs) {
            let want = softmax(logits);
            let keys: Vec<&String> = rec["scores"].as_object().unwrap().keys().collect();
            assert_eq!(keys, labels.iter().collect::<Vec<_>>(), "labels in the model's order");
            for (l, w) in labels.iter().zip(&want) {
                assert!((rec["scores"][l].as_f64().unwrap() - w).abs() < 1e-4, "{name} {l}");
            }
            let best = want.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
            assert_eq!(rec["label"], labels[best]);
        }
    }
    // TSV in and out, ids from a column.
    let tsv = "key\tpremise\thypothesis\na\tIt is raining.\tThe ground is wet.\nb\tLe chat dort.\tUn animal dort.\n";
    let out = String::from_utf8(
        zeroshot(home.path())
            .args(["nli", "--format", "tsv", "--id-column", "key", "--model"])
            .arg(model("nli-base"))
            .write_stdin(tsv)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "id\tlabel\tentailment\tneutral\tcontradiction");
    assert!(rows[1].starts_with("a\t") && rows[2].starts_with("b\t"));
    zeroshot(home.path())
        .args(["nli", "--model"])
        .arg(model("nli-base"))
        .write_stdin("text\tother\nx\ty\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no column \"premise\""));
}

#[test]
fn eval_counts_agree_with_transformers_predictions() {
    let home = tempfile::tempdir().unwrap();
    let pairs = recorded_pairs("nli-base");
    let classes = ["entailment", "neutral", "contradiction"];
    let langs = ["en", "fr", "sw"];
    let mut tsv = String::from("language\tgold_label\tsentence1\tsentence2\textra\n");
    let mut expect_conf = [[0usize; 3]; 3];
    let mut expect_lang = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for (i, (p, h, logits)) in pairs.iter().enumerate() {
        let gold = i % 3;
        let pred = softmax(logits).iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        expect_conf[gold][pred] += 1;
        let e = expect_lang.entry(langs[i % 3]).or_default();
        e.1 += 1;
        e.0 += (gold == pred) as usize;
        // XNLI's files are unquoted: quotes are plain characters.
        tsv.push_str(&format!("{}\t{}\t{p}\t{h}\t\"x\n", langs[i % 3], classes[gold].to_uppercase()));
    }
    tsv.push_str("en\t-\tno consensus\tskipped\tx\n");
    let file = home.path().join("xnli.test.tsv");
    std::fs::write(&file, tsv).unwrap();
    let out: Value = serde_json::from_slice(
        &zeroshot(home.path())
            .args(["eval", "--json", "--model"])
            .arg(model("nli-base"))
            .arg(&file)
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    let conf: Vec<Vec<usize>> = out["confusion"].as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect()).collect();
    assert_eq!(conf, expect_conf.iter().map(|r| r.to_vec()).collect::<Vec<_>>());
    let correct: usize = (0..3).map(|i| expect_conf[i][i]).sum();
    assert_eq!(out["correct"], correct);
    assert_eq!(out["no_gold"], 1);
    for (l, (c, t)) in &expect_lang {
        assert_eq!(out["languages"][l]["correct"], *c);
        assert_eq!(out["languages"][l]["total"], *t);
    }
    // Macro-F1 from the expected matrix.
    let f1: Vec<f64> = (0..3)
        .map(|c| {
            let tp = expect_conf[c][c] as f64;
            let p = tp / (0..3).map(|g| expect_conf[g][c]).sum::<usize>().max(1) as f64;
            let r = tp / expect_conf[c].iter().sum::<usize>().max(1) as f64;
            if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
        })
        .collect();
    assert!((out["macro_f1"].as_f64().unwrap() - f1.iter().sum::<f64>() / 3.0).abs() < 1e-12);
    let text = String::from_utf8(zeroshot(home.path()).args(["eval", "--model"]).arg(model("nli-base")).arg(&file).assert().success().get_output().stdout.clone()).unwrap();
    assert!(text.contains("accuracy") && text.contains("macro-F1") && text.contains("confusion"), "{text}");

    // Classification against a gold label column: predictions are the pipeline's top labels.
    let reference = reference("nli-base");
    let case = &reference["cases"][0];
    let labels = strings(&case["labels"]);
    let mut csv = String::from("text,label\n");
    let mut correct = 0;
    for (i, r) in case["results"].as_array().unwrap().iter().enumerate() {
        let gold = &labels[i % labels.len()];
        correct += (strings(&r["labels"])[0] == *gold) as usize;
        csv.push_str(&format!("\"{}\",{gold}\n", r["sequence"].as_str().unwrap().replace('"', "\"\"")));
    }
    let file = home.path().join("gold.csv");
    std::fs::write(&file, csv).unwrap();
    let mut cmd = zeroshot(home.path());
    cmd.args(["eval", "--json", "--model"]).arg(model("nli-base")).arg(&file);
    for l in &labels {
        cmd.arg("--labels").arg(l);
    }
    let out: Value = serde_json::from_slice(&cmd.assert().success().get_output().stdout).unwrap();
    assert_eq!(out["correct"], correct);
    assert_eq!(out["total"], 20);
}
