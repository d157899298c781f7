//! `zeroshot::spm::tokenizer_from_spm` against references written by the real libraries:
//! SentencePiece ids and transformers 4.57.6 slow/fast ids (`reference/tokenization.json`), the
//! `tokenizer.json` transformers converted from the same `spm.model` (`models/nli-base`), and the
//! zero-shot pipeline's recorded inputs (`reference/nli-base.json`).

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokenizers::{Encoding, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};
use zeroshot::unigram::LeanTokenizer;
use zeroshot::spm::tokenizer_from_spm;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Built the way the CLI will: `base-spm` ships `spm.model` and a tiny `tokenizer_config.json`.
fn spm_tokenizer() -> LeanTokenizer {
    let dir = fixture("models/base-spm");
    let config = read_json(&dir.join("tokenizer_config.json"));
    tokenizer_from_spm(&dir.join("spm.model"), Some(&config)).unwrap()
}

/// The fast tokenizer transformers wrote for the same spm.model.
fn transformers_tokenizer() -> Tokenizer {
    Tokenizer::from_file(fixture("models/nli-base/tokenizer.json")).unwrap()
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

/// Ours (zeroshot's unigram model) and the crate's own, through one call.
trait Encode {
    fn run(&self, input: tokenizers::EncodeInput<'_>, specials: bool) -> Encoding;
}

impl Encode for Tokenizer {
    fn run(&self, input: tokenizers::EncodeInput<'_>, specials: bool) -> Encoding {
        self.encode(input, specials).unwrap()
    }
}

impl Encode for LeanTokenizer {
    fn run(&self, input: tokenizers::EncodeInput<'_>, specials: bool) -> Encoding {
        self.encode(input, specials).unwrap()
    }
}

fn encode(tok: &impl Encode, text: &str, specials: bool) -> Encoding {
    tok.run(text.into(), specials)
}

fn encode_pair(tok: &impl Encode, a: &str, b: &str) -> Encoding {
    tok.run((a, b).into(), true)
}

fn documents() -> Vec<String> {
    std::fs::read_to_string(fixture("docs/multilingual.txt")).unwrap().lines().map(String::from).collect()
}

#[test]
fn matches_recorded_sentencepiece_and_transformers_ids() {
    let tok = spm_tokenizer();
    let reference = read_json(&fixture("reference/tokenization.json"));
    assert_eq!(reference["transformers"], "4.57.6");
    let texts = reference["texts"].as_array().unwrap();
    assert!(texts.len() >= 30);

    let mut differs_from_spm = Vec::new();
    for entry in texts {
        let text = entry["text"].as_str().unwrap();
        let slow = ids(&entry["slow_input_ids"]);
        let fast = ids(&entry["fast_input_ids"]);
        let spm = ids(&entry["spm_ids"]);

        let with = encode(&tok, text, true);
        assert_eq!(with.get_ids(), slow.as_slice(), "slow DebertaV2Tokenizer ids for {text:?}");
        assert_eq!(with.get_ids(), fast.as_slice(), "fast tokenizer ids for {text:?}");
        // convert_ids_to_tokens: an unknown piece reads "[UNK]" (Encoding tokens keep its text).
        let tokens: Vec<String> = with.get_ids().iter().map(|&id| tok.id_to_token(id).unwrap()).collect();
        assert_eq!(tokens, strs(&entry["fast_tokens"]), "tokens for {text:?}");
        assert!(with.get_type_ids().iter().all(|&t| t == 0), "type ids for {text:?}");
        assert_eq!(with.get_attention_mask(), vec![1; slow.len()].as_slice());

        let without = encode(&tok, text, false);
        // transformers without special tokens = with them, minus the outer [CLS] ... [SEP].
        assert_eq!(without.get_ids(), &slow[1..slow.len() - 1], "no-special ids for {text:?}");
        if slow[1..slow.len() - 1] == spm[..] {
            assert_eq!(without.get_ids(), spm.as_slice(), "SentencePiece ids for {text:?}");
            assert_eq!(without.get_tokens(), strs(&entry["spm_pieces"]).as_slice(), "pieces for {text:?}");
        } else {
            differs_from_spm.push(text.to_string());
        }
    }
    // SentencePiece knows nothing of [MASK]/[CLS] typed into the text; transformers matches them as
    // special added tokens. That string is the only one where the two differ.
    assert_eq!(differs_from_spm, ["[MASK] token and [CLS] in text [SEP]"]);

    let pairs = reference["pairs"].as_array().unwrap();
    assert!(pairs.len() >= 5);
    for pair in pairs {
        let (a, b) = (pair["text_a"].as_str().unwrap(), pair["text_b"].as_str().unwrap());
        let enc = encode_pair(&tok, a, b);
        assert_eq!(enc.get_ids(), ids(&pair["slow_input_ids"]).as_slice(), "slow ids for {a:?}/{b:?}");
        assert_eq!(enc.get_ids(), ids(&pair["fast_input_ids"]).as_slice(), "fast ids for {a:?}/{b:?}");
        assert_eq!(enc.get_type_ids(), ids(&pair["slow_token_type_ids"]).as_slice(), "{a:?}/{b:?}");
        assert_eq!(enc.get_type_ids(), ids(&pair["fast_token_type_ids"]).as_slice(), "{a:?}/{b:?}");
    }
}

#[test]
fn mask_is_appended_after_the_vocabulary() {
    let tok = spm_tokenizer();
    assert_eq!(tok.get_vocab_size(false), 1500);
    assert_eq!(tok.get_vocab_size(true), 1501);
    for (token, id) in [("[PAD]", 0), ("[CLS]", 1), ("[SEP]", 2), ("[UNK]", 3), ("[MASK]", 1500)] {
        assert_eq!(tok.token_to_id(token), Some(id), "{token}");
    }
}

#[test]
fn same_pipeline_as_the_transformers_tokenizer_json() {
    let ours = spm_tokenizer();
    let theirs = transformers_tokenizer();

    // Same components, flags and vocabulary, as serialized.
    let ours_json: Value = serde_json::from_str(&ours.to_string(false).unwrap()).unwrap();
    let theirs_json = read_json(&fixture("models/nli-base/tokenizer.json"));
    for key in
        ["added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model", "truncation", "padding"]
    {
        assert_eq!(ours_json[key], theirs_json[key], "tokenizer.json {key}");
    }

    let reference = read_json(&fixture("reference/tokenization.json"));
    let mut texts: Vec<String> =
        reference["texts"].as_array().unwrap().iter().map(|e| e["text"].as_str().unwrap().to_string()).collect();
    let docs = documents();
    assert_eq!(docs.len(), 20);
    texts.extend(docs.iter().cloned());
    texts.extend(
        ["[UNK] [unk] [MASK][PAD]", "  [SEP]  x  ", "\u{3000}[UNK]\u{3000}", "a[CLS]b", "▁ ▁▁x"].map(String::from),
    );

    for text in &texts {
        for specials in [true, false] {
            let (a, b) = (encode(&ours, text, specials), encode(&theirs, text, specials));
            assert_eq!(a.get_ids(), b.get_ids(), "ids for {text:?}");
            assert_eq!(a.get_tokens(), b.get_tokens(), "tokens for {text:?}");
            assert_eq!(a.get_offsets(), b.get_offsets(), "offsets for {text:?}");
            assert_eq!(a.get_type_ids(), b.get_type_ids(), "type ids for {text:?}");
            assert_eq!(a.get_special_tokens_mask(), b.get_special_tokens_mask(), "{text:?}");
        }
        let decoded = ours.decode(encode(&ours, text, true).get_ids(), true).unwrap();
        let expected = theirs.decode(encode(&theirs, text, true).get_ids(), true).unwrap();
        assert_eq!(decoded, expected, "decode of {text:?}");
    }

    let labels = ["sport", "politique", "Wirtschaft", "科学", "weather report"];
    for (i, doc) in docs.iter().enumerate() {
        let mut seconds: Vec<String> = labels.iter().map(|l| format!("This example is {l}.")).collect();
        seconds.push(texts[(i * 7) % texts.len()].clone());
        for second in &seconds {
            let (a, b) = (encode_pair(&ours, doc, second), encode_pair(&theirs, doc, second));
            assert_eq!(a.get_ids(), b.get_ids(), "pair ids for {doc:?}/{second:?}");
            assert_eq!(a.get_type_ids(), b.get_type_ids(), "pair type ids for {doc:?}/{second:?}");
            assert_eq!(a.get_offsets(), b.get_offsets(), "pair offsets for {doc:?}/{second:?}");
        }
    }
}

/// The zero-shot pipeline's recorded (document, hypothesis) inputs: truncation "only_first" to
/// model_max_length 128, as `ZeroShotClassificationPipeline._parse_and_tokenize` does.
#[test]
fn reproduces_the_pipeline_inputs_with_only_first_truncation() {
    let mut tok = spm_tokenizer();
    tok.with_truncation(Some(TruncationParams {
        direction: TruncationDirection::Right,
        max_length: 128,
        strategy: TruncationStrategy::OnlyFirst,
        stride: 0,
    }))
    .unwrap();
    let reference = read_json(&fixture("reference/nli-base.json"));
    let template = reference["cases"][0]["template"].as_str().unwrap();
    let docs = documents();
    let pairs = reference["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 100);
    let mut truncated = 0;
    for pair in pairs {
        let doc = &docs[pair["doc"].as_u64().unwrap() as usize];
        let hypothesis = template.replace("{}", pair["label"].as_str().unwrap());
        let enc = encode_pair(&tok, doc, &hypothesis);
        assert_eq!(enc.get_ids(), ids(&pair["input_ids"]).as_slice(), "{doc:?} / {hypothesis:?}");
        assert_eq!(enc.get_type_ids(), ids(&pair["token_type_ids"]).as_slice(), "{doc:?} / {hypothesis:?}");
        truncated += usize::from(enc.get_ids().len() == 128);
    }
    assert!(truncated >= 15, "the long documents are truncated ({truncated} pairs)");
}

/// With the model's full saved `tokenizer_config.json` (which lists `added_tokens_decoder`) instead
/// of the tiny one, the result is still what transformers saved as tokenizer.json.
#[test]
fn full_saved_tokenizer_config_gives_the_same_tokenizer() {
    let config = read_json(&fixture("models/nli-base/tokenizer_config.json"));
    assert!(config.get("added_tokens_decoder").is_some());
    let ours = tokenizer_from_spm(&fixture("models/nli-base/spm.model"), Some(&config)).unwrap();
    let ours_json: Value = serde_json::from_str(&ours.to_string(false).unwrap()).unwrap();
    let theirs_json = read_json(&fixture("models/nli-base/tokenizer.json"));
    assert_eq!(ours_json["added_tokens"], theirs_json["added_tokens"]);
    assert_eq!(ours_json["normalizer"], theirs_json["normalizer"]);
    assert_eq!(ours_json["pre_tokenizer"], theirs_json["pre_tokenizer"]);

    // No config at all: DebertaV2Tokenizer's defaults, the same tokenizer again.
    let bare = tokenizer_from_spm(&fixture("tokenizer/spm.model"), None).unwrap();
    let bare_json: Value = serde_json::from_str(&bare.to_string(false).unwrap()).unwrap();
    assert_eq!(bare_json, ours_json);
}

/// `do_lower_case` and `split_by_punct` (Lowercase normalizer, Punctuation pre-tokenizer). Expected
/// ids are `DebertaV2TokenizerFast.from_pretrained(dir)` (transformers 4.57.6, tokenizers 0.22.2)
/// for a folder holding tests/fixtures/tokenizer/spm.model and
/// `{"do_lower_case": true, "split_by_punct": true}`. With these flags the slow DebertaV2Tokenizer
/// disagrees with the fast one on the first and third strings; the fast one is the reference.
#[test]
fn lower_case_and_split_by_punct_match_transformers() {
    let config = serde_json::json!({"do_lower_case": true, "split_by_punct": true});
    let tok = tokenizer_from_spm(&fixture("tokenizer/spm.model"), Some(&config)).unwrap();
    let expected: [(&str, &[u32]); 7] = [
        (
            "Hello, World! (test) — ok?",
            &[
                1, 4, 375, 1024, 4, 22, 228, 299, 12, 90, 4, 267, 4, 400, 55, 328, 4, 402, 4, 4, 1233, 4, 15, 54, 4,
                201, 2,
            ],
        ),
        ("ＨＥＬＬＯ [CLS][SEP]", &[1, 4, 375, 1024, 1, 2, 2]),
        ("[UNK] and [unk] [MASK]", &[1, 3, 4, 146, 4, 3, 1500, 2]),
        ("Straße STRASSE İstanbul ıi", &[1, 47, 851, 510, 4, 1032, 145, 6, 7, 4, 9, 3, 6, 849, 709, 4, 502, 9, 2]),
        (
            "3.14159, 1,000,000 and 42%",
            &[
                1, 472, 4, 5, 315, 1077, 734, 1065, 4, 22, 315, 4, 22, 4, 237, 947, 4, 22, 4, 237, 947, 4, 146, 1426,
                194, 4, 275, 2,
            ],
        ),
        ("Привет, мир!", &[1, 256, 196, 572, 39, 4, 22, 4, 143, 69, 150, 4, 267, 2]),
        (
            "ＡＢＣ ｆｕｌｌ－ｗｉｄｔｈ １２３",
            &[1, 18, 1499, 61, 4, 1066, 249, 4, 387, 115, 90, 191, 315, 194, 551, 2],
        ),
    ];
    for (text, want) in expected {
        assert_eq!(encode(&tok, text, true).get_ids(), want, "{text:?}");
    }
    let enc = encode_pair(&tok, "The Cat, sat.", "This example is SPORT.");
    assert_eq!(enc.get_ids(), &[1, 35, 36, 183, 4, 22, 47, 183, 4, 5, 2, 68, 116, 4, 214, 333, 452, 4, 5, 2]);
    assert_eq!(enc.get_type_ids(), &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

    let bad = serde_json::json!({"do_lower_case": "yes"});
    let err = tokenizer_from_spm(&fixture("tokenizer/spm.model"), Some(&bad)).unwrap_err();
    assert!(format!("{err:#}").contains("do_lower_case"), "{err:#}");
}

// ---------------------------------------------------------------------------------------------
// Bad input

/// The error, which must name the file; panics are caught and reported as failures.
fn error_for(path: &Path) -> String {
    let path_owned = path.to_path_buf();
    let result = std::panic::catch_unwind(move || tokenizer_from_spm(&path_owned, None));
    match result {
        Err(_) => panic!("tokenizer_from_spm panicked on {}", path.display()),
        Ok(Ok(_)) => panic!("tokenizer_from_spm accepted {}", path.display()),
        Ok(Err(e)) => {
            let msg = format!("{e:#}");
            assert!(msg.contains(&path.display().to_string()), "error does not name the file: {msg}");
            msg
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A tiny hand-made SentencePiece protobuf: pieces (piece, score, type), then a trainer spec.
fn tiny_model(pieces: &[(&str, f32, u64)], model_type: u64, unk_id: u64) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn field_bytes(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
        varint(out, field << 3 | 2);
        varint(out, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::new();
    for (piece, score, kind) in pieces {
        let mut p = Vec::new();
        field_bytes(&mut p, 1, piece.as_bytes());
        varint(&mut p, 2 << 3 | 5);
        p.extend_from_slice(&score.to_le_bytes());
        varint(&mut p, 3 << 3);
        varint(&mut p, *kind);
        field_bytes(&mut out, 1, &p);
    }
    let mut trainer = Vec::new();
    varint(&mut trainer, 3 << 3);
    varint(&mut trainer, model_type);
    varint(&mut trainer, 40 << 3);
    varint(&mut trainer, unk_id);
    field_bytes(&mut out, 2, &trainer);
    out
}

const TINY_PIECES: [(&str, f32, u64); 6] =
    [("[PAD]", 0.0, 3), ("[CLS]", 0.0, 3), ("[SEP]", 0.0, 3), ("[UNK]", 0.0, 2), ("\u{2581}", -1.0, 1), ("a", -2.0, 1)];

#[test]
fn bad_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(fixture("tokenizer/spm.model")).unwrap();

    let msg = error_for(&dir.path().join("missing.model"));
    assert!(msg.contains("cannot read"), "{msg}");

    let msg = error_for(&write(dir.path(), "empty.model", b""));
    assert!(msg.contains("empty"), "{msg}");

    for len in [1, 7, 100, 5_000, real.len() / 2, real.len() - 100, real.len() - 1] {
        let msg = error_for(&write(dir.path(), &format!("cut{len}.model"), &real[..len]));
        assert!(msg.contains("not a usable SentencePiece model"), "{len}: {msg}");
    }

    let text = "This is not a SentencePiece model.\nJust text.\n";
    let msg = error_for(&write(dir.path(), "text.model", text.as_bytes()));
    assert!(msg.contains("not a usable SentencePiece model"), "{msg}");
    let config = std::fs::read(fixture("models/base-spm/tokenizer_config.json")).unwrap();
    error_for(&write(dir.path(), "json.model", &config));
    error_for(&write(
        dir.path(),
        "tokenizer.json.model",
        &std::fs::read(fixture("models/nli-base/tokenizer.json")).unwrap(),
    ));

    // A tiny valid unigram model builds; its BPE twin and variants without [CLS]/[SEP] do not.
    assert!(tokenizer_from_spm(&write(dir.path(), "tiny.model", &tiny_model(&TINY_PIECES, 1, 3)), None).is_ok());
    let msg = error_for(&write(dir.path(), "bpe.model", &tiny_model(&TINY_PIECES, 2, 3)));
    assert!(msg.contains("BPE") && msg.contains("unigram"), "{msg}");
    let msg = error_for(&write(dir.path(), "word.model", &tiny_model(&TINY_PIECES, 3, 3)));
    assert!(msg.contains("model type 3"), "{msg}");
    let no_cls: Vec<_> = TINY_PIECES.iter().copied().filter(|p| p.0 != "[CLS]").collect();
    let msg = error_for(&write(dir.path(), "nocls.model", &tiny_model(&no_cls, 1, 2)));
    assert!(msg.contains("[CLS]"), "{msg}");
    let no_sep: Vec<_> = TINY_PIECES.iter().copied().filter(|p| p.0 != "[SEP]").collect();
    let msg = error_for(&write(dir.path(), "nosep.model", &tiny_model(&no_sep, 1, 2)));
    assert!(msg.contains("[SEP]"), "{msg}");
    let msg = error_for(&write(dir.path(), "unk.model", &tiny_model(&TINY_PIECES, 1, 99)));
    assert!(msg.contains("unk_id 99"), "{msg}");
    let mut twice = TINY_PIECES.to_vec();
    twice.push(("a", -3.0, 1));
    let msg = error_for(&write(dir.path(), "twice.model", &tiny_model(&twice, 1, 3)));
    assert!(msg.contains("twice"), "{msg}");
}

/// Random damage to the real model (truncation, byte flips, garbage): an error or a working
/// tokenizer, never a panic, including while encoding.
#[test]
fn damaged_models_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::read(fixture("tokenizer/spm.model")).unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let samples = ["Hello world", "ＨＥＬＬＯ\u{3000}ｗｏｒｌｄ！", "ﬁne ﬂow 👨\u{200d}👩", "x² ½ ① ㎏", "[MASK] a  b"];
    let path = dir.path().join("damaged.model");
    for round in 0..120 {
        let mut bytes = match round % 3 {
            0 => real[..rand(real.len())].to_vec(),
            1 => real.clone(),
            _ => (0..rand(4096)).map(|_| rand(256) as u8).collect(),
        };
        if round % 3 == 1 {
            for _ in 0..1 + rand(8) {
                let i = rand(bytes.len());
                bytes[i] = rand(256) as u8;
            }
        }
        std::fs::write(&path, &bytes).unwrap();
        let p = path.clone();
        let outcome = std::panic::catch_unwind(move || {
            tokenizer_from_spm(&p, None).map(|tok| {
                for s in samples {
                    let _ = tok.encode(s, true);
                    let _ = tok.encode((s, s), true);
                }
            })
        });
        match outcome {
            Err(_) => panic!("panic on damaged model, round {round}"),
            Ok(Err(e)) => {
                let msg = format!("{e:#}");
                assert!(msg.contains(&path.display().to_string()), "{msg}");
            }
            Ok(Ok(())) => {}
        }
    }
}
