//! Long documents are tokenized in bounded pieces (a prefix for truncation,
//! overlapping segments for --long chunk), and the tokens must be exactly
//! those of tokenizing the whole document: checked here with small segments,
//! so that every boundary case is crossed many times, on documents in scripts
//! with and without spaces.

mod common;

use common::*;
use zeroshot::tokenize::PairTokenizer;

fn tokenizer(segment: usize) -> PairTokenizer {
    PairTokenizer::load(&model("nli-base"), 512).unwrap().with_segment(segment)
}

/// Long documents: sentences with spaces, scripts without (Chinese, Japanese,
/// Thai run together), odd whitespace (runs, tabs, NBSP, ideographic space),
/// full-width letters and ligatures.
fn long_documents() -> Vec<(String, String)> {
    let docs = documents();
    let spaced = docs.iter().cycle().take(400).cloned().collect::<Vec<_>>().join(" ");
    let pick = |prefixes: &[&str]| -> String {
        let chosen: Vec<&String> = docs.iter().filter(|d| prefixes.iter().any(|p| d.starts_with(p))).collect();
        chosen.iter().cycle().take(600).map(|s| s.as_str()).collect::<Vec<_>>().join("")
    };
    let unspaced = pick(&["中国", "研究", "พยากรณ์"]);
    let odd: String = docs
        .iter()
        .cycle()
        .take(300)
        .enumerate()
        .map(|(i, d)| format!("{d}{}", ["   ", "\t", "\u{a0}", "\u{3000}", "\n\n", " ", "ﬁ ＡＢＣ "][i % 7]))
        .collect();
    let one_word = "Donaudampfschifffahrtsgesellschaftskapitän".repeat(3000);
    vec![("spaced".into(), spaced), ("unspaced".into(), unspaced), ("odd whitespace".into(), odd), ("one long word".into(), one_word)]
}

#[test]
fn truncation_reads_only_a_prefix_and_gets_the_same_tokens() {
    let (small, whole) = (tokenizer(2048), tokenizer(usize::MAX / 4));
    for (name, text) in long_documents() {
        assert!(text.len() > 40_000, "{name}: {} bytes", text.len());
        for need in [1, 100, 512] {
            let got = small.prefix_piece(&text, need).unwrap();
            let all = whole.piece(&text).unwrap();
            assert!(all.len() > need, "{name}");
            assert_eq!(got.len(), need, "{name}");
            assert_eq!(got.get_ids(), &all.get_ids()[..need], "{name}: ids differ");
            assert_eq!(got.get_offsets(), &all.get_offsets()[..need], "{name}: offsets differ");
        }
    }
}

#[test]
fn chunk_windows_from_segments_equal_windows_from_the_whole_text() {
    let whole = tokenizer(usize::MAX / 4);
    for (name, text) in long_documents() {
        let want = whole.windows(&text, 120, 16).unwrap();
        assert!(want.len() > 20, "{name}: {} windows", want.len());
        for segment in [1024, 4096, 20_000] {
            let got = tokenizer(segment).windows(&text, 120, 16).unwrap();
            assert_eq!(got, want, "{name}: windows differ with {segment}-byte segments");
        }
        // Every token, not only the window edges.
        let mut all = Vec::new();
        tokenizer(3000).token_offsets(&text, |t| all.push(t)).unwrap();
        let reference: Vec<(usize, usize)> = whole.piece(&text).unwrap().get_offsets().to_vec();
        assert_eq!(all, reference, "{name}: token offsets differ");
    }
}
