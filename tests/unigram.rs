//! zeroshot's compact unigram model against the tokenizers crate's own, on
//! every fixture `tokenizer.json`: the same ids, tokens, offsets and special
//! token masks, single texts and pairs, for multilingual documents, text the
//! vocabulary lacks (fused unknowns), special tokens typed in the text, and
//! seeded random strings; and with byte fallback switched on.

mod common;

use common::*;
use serde_json::Value;
use tokenizers::{Encoding, Tokenizer};
use zeroshot::unigram::{from_tokenizer_json, LeanTokenizer};

fn texts() -> Vec<String> {
    let mut t: Vec<String> = documents();
    t.extend(std::fs::read_to_string(root().join("tests/fixtures/docs/long.txt")).unwrap().lines().map(String::from));
    for s in [
        "",
        " ",
        "   leading and trailing   ",
        "[CLS] typed [SEP] specials [MASK] and [PAD]",
        "<unk> <s> </s> [UNK]",
        "emoji 🦀🦀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢, ☃ ⌘ \u{10FFFF} \u{E000}",
        "tabs\tand\nnew\r\nlines\u{0}nul \u{200B}zero-width",
        "ＦＵＬＬＷＩＤＴＨ ｶﾀｶﾅ ﬁ ligature Å Å",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "The match ended 2-1 after extra time.",
        "Der Bundestag hat das Gesetz beschlossen. 日本語の文章です。 Это русский текст.",
    ] {
        t.push(s.to_string());
    }
    // Seeded random strings over a mixed pool of characters.
    let pool: Vec<char> = "abcdefghijklmnopqrstuvwxyz ABCXYZ .,;!?-'\"()0123456789éüßçñøåæ日本語中文한국어русскийالعربيةहिन्दी🦀☃\u{301}\t"
        .chars()
        .collect();
    let mut s = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..300 {
        let mut text = String::new();
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        for _ in 0..(s % 60) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            text.push(pool[(s % pool.len() as u64) as usize]);
        }
        t.push(text);
    }
    t
}

fn same(a: &Encoding, b: &Encoding, what: &str) {
    assert_eq!(a.get_ids(), b.get_ids(), "ids of {what}");
    assert_eq!(a.get_tokens(), b.get_tokens(), "tokens of {what}");
    assert_eq!(a.get_offsets(), b.get_offsets(), "offsets of {what}");
    assert_eq!(a.get_type_ids(), b.get_type_ids(), "type ids of {what}");
    assert_eq!(a.get_special_tokens_mask(), b.get_special_tokens_mask(), "special tokens of {what}");
}

fn compare(json: &str, name: &str) {
    let ours: LeanTokenizer = from_tokenizer_json(json).unwrap();
    let theirs = Tokenizer::from_str(json).unwrap();
    assert_eq!(ours.get_vocab_size(true), theirs.get_vocab_size(true), "{name}: vocabulary size");
    let texts = texts();
    for (i, text) in texts.iter().enumerate() {
        for specials in [false, true] {
            let what = format!("{name}: text {i} {text:?} (specials {specials})");
            same(&ours.encode(text.as_str(), specials).unwrap(), &theirs.encode(text.as_str(), specials).unwrap(), &what);
        }
        let second = &texts[(i * 7 + 3) % texts.len()];
        let what = format!("{name}: pair {i}");
        same(&ours.encode((text.as_str(), second.as_str()), true).unwrap(), &theirs.encode((text.as_str(), second.as_str()), true).unwrap(), &what);
    }
}

use std::str::FromStr;

#[test]
fn the_same_tokens_as_the_crates_unigram_on_every_fixture() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("tests/fixtures/models")).unwrap() {
        let path = entry.unwrap().path().join("tokenizer.json");
        if path.is_file() {
            compare(&std::fs::read_to_string(&path).unwrap(), &path.display().to_string());
            seen += 1;
        }
    }
    assert!(seen >= 7, "only {seen} fixture tokenizers");
}

#[test]
fn the_same_tokens_with_byte_fallback() {
    // The fixture's tokenizer with byte fallback on and byte pieces for every
    // byte but 0xFF (so a character whose bytes include it stays unknown).
    let path = model("nli-base").join("tokenizer.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["model"]["byte_fallback"] = Value::Bool(true);
    let vocab = v["model"]["vocab"].as_array_mut().unwrap();
    for b in 0..0xFFu32 {
        vocab.push(serde_json::json!([format!("<0x{b:02X}>"), -20.0]));
    }
    compare(&v.to_string(), "nli-base with byte fallback");
}

#[test]
fn duplicate_pieces_resolve_as_the_crate_does() {
    // Equal pieces: the last id wins, as in the crate's piece-to-id map.
    let path = model("nli-base").join("tokenizer.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let vocab = v["model"]["vocab"].as_array_mut().unwrap();
    let first: Vec<Value> = vocab.iter().skip(5).take(40).cloned().collect();
    for mut p in first {
        p[1] = serde_json::json!(p[1].as_f64().unwrap() + 0.5);
        vocab.push(p);
    }
    compare(&v.to_string(), "nli-base with duplicate pieces");
}

#[test]
fn a_tokenizer_that_is_not_unigram_is_refused_by_name() {
    let path = model("nli-base").join("tokenizer.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["model"]["type"] = Value::String("BPE".into());
    let err = from_tokenizer_json(&v.to_string()).err().unwrap().to_string();
    assert!(err.contains("\"BPE\"") && err.contains("Unigram"), "{err}");
}
