//! Candidate labels and the hypothesis template.
//!
//! A label is what the output shows; its hypothesis phrase is what fills the
//! template (the same text unless a label file says `label = phrase`).

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};

pub const DEFAULT_TEMPLATE: &str = "This example is {}.";

/// The label sets shipped in `labels/`, embedded so they work from any directory.
pub const BUILTIN: &[(&str, &str)] = &[
    ("doctypes", include_str!("../labels/doctypes.txt")),
    ("emotions", include_str!("../labels/emotions.txt")),
    ("intents", include_str!("../labels/intents.txt")),
    ("sentiment", include_str!("../labels/sentiment.txt")),
    ("topics", include_str!("../labels/topics.txt")),
    ("toxicity", include_str!("../labels/toxicity.txt")),
];

pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A built-in set by `@name`.
pub fn builtin_set(reference: &str) -> Result<LabelSet> {
    let name = reference.strip_prefix('@').unwrap_or(reference);
    let text = builtin(name).with_context(|| {
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        format!("no built-in label set {name:?} (there are: {}; see `zeroshot labels`)", names.join(", "))
    })?;
    parse_file_text(text, &format!("@{name}"))
}

/// The first comment line of a label file: what the set is for.
pub fn description(text: &str) -> &str {
    text.lines().next().and_then(|l| l.strip_prefix('#')).map(str::trim).unwrap_or("")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub phrase: String,
}

/// A parsed label file: its labels and an optional `# template:` header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSet {
    pub labels: Vec<Label>,
    pub template: Option<String>,
}

/// Splits `--labels "a,b,c"`; surrounding spaces are trimmed. An empty entry is
/// an error rather than silently dropped, so `a,,b` does not hide a typo.
pub fn parse_list(list: &str) -> Result<Vec<Label>> {
    list.split(',')
        .enumerate()
        .map(|(i, raw)| {
            let name = raw.trim();
            if name.is_empty() {
                bail!(
                    "--labels {:?}: label {} is empty (use --label to pass a label containing a comma)",
                    short(list),
                    i + 1
                );
            }
            Ok(Label { name: name.to_string(), phrase: name.to_string() })
        })
        .collect()
}

/// One `--label` value, taken as given apart from surrounding spaces.
pub fn parse_single(raw: &str) -> Result<Label> {
    let name = raw.trim();
    if name.is_empty() {
        bail!("--label {:?} is empty", short(raw));
    }
    Ok(Label { name: name.to_string(), phrase: name.to_string() })
}

/// Parses a label file: one label per line, optionally `label = hypothesis
/// phrase`; blank lines and `#` comments are skipped; a `# template: ...`
/// comment sets the template. `origin` names the source in errors.
pub fn parse_file_text(text: &str, origin: &str) -> Result<LabelSet> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut set = LabelSet::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(t) = comment.trim_start().strip_prefix("template:") {
                let t = t.trim();
                check_template(t).with_context(|| format!("{origin}:{}: bad template header", n + 1))?;
                set.template = Some(t.to_string());
            }
            continue;
        }
        let (name, phrase) = match line.split_once('=') {
            Some((name, phrase)) => (name.trim(), phrase.trim()),
            None => (line, line),
        };
        if name.is_empty() || phrase.is_empty() {
            bail!("{origin}:{}: {:?} has an empty label or phrase (expected `label` or `label = phrase`)", n + 1, short(line));
        }
        set.labels.push(Label { name: name.to_string(), phrase: phrase.to_string() });
    }
    if set.labels.is_empty() {
        bail!("{origin}: no labels (one label per line; `#` starts a comment)");
    }
    Ok(set)
}

/// Reads a label file; `@name`, or a missing `labels/NAME.txt`, is the
/// built-in set of that name (so the repository's paths work anywhere).
pub fn read_file(path: &Path) -> Result<LabelSet> {
    let shown = path.display().to_string();
    if shown.starts_with('@') {
        return builtin_set(&shown);
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse_file_text(&text, &shown),
            Err(e) => {
                let bad = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
                let col = bad - bytes[..bad].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
                bail!("{shown}:{line}: not valid UTF-8 (byte {col} of the line); save the label file as UTF-8")
            }
        },
        Err(e) => {
            let in_labels_dir = path.parent().and_then(|p| p.file_name()).is_some_and(|d| d == "labels");
            let stem = path.file_stem().and_then(|s| s.to_str()).filter(|_| path.extension().is_some_and(|x| x == "txt"));
            match stem.filter(|s| in_labels_dir && builtin(s).is_some()) {
                Some(name) => builtin_set(name),
                None => Err(e).with_context(|| format!("cannot read label file {shown}")),
            }
        }
    }
}

/// A label or template shortened for a message.
fn short(s: &str) -> String {
    crate::msg::short(s, 80)
}

/// Rejects an empty list and duplicate names.
pub fn check_unique(labels: &[Label]) -> Result<()> {
    if labels.is_empty() {
        bail!("no candidate labels: pass --labels \"a,b,c\", --label X or --labels-file PATH");
    }
    let mut seen = HashSet::new();
    for l in labels {
        if !seen.insert(l.name.as_str()) {
            bail!("label {:?} is given twice", short(&l.name));
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Slot,
}

/// The template in Python `str.format` terms, as the pipeline applies it:
/// `{}` or `{0}` is the label, `{{` and `}}` are literal braces.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let (mut auto, mut manual) = (0, 0);
    let bytes = template.as_bytes();
    let (mut i, mut start) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'}' if bytes.get(i + 1) == Some(&bytes[i]) => {
                out.push(Piece::Text(&template[start..i]));
                out.push(Piece::Brace(bytes[i] as char));
                i += 2;
                start = i;
            }
            b'{' => {
                let end = template[i..].find('}').map(|e| i + e).with_context(|| {
                    format!("template {:?} has an unclosed '{{' (write {{{{ for a literal brace)", short(template))
                })?;
                let field = &template[i + 1..end];
                if !field.is_empty() && field != "0" {
                    bail!("template {:?} has the field {{{field}}}; only {{}} (the label) is supported", short(template));
                }
                if field.is_empty() {
                    auto += 1;
                } else {
                    manual += 1;
                }
                if auto > 1 {
                    bail!("template {:?} has more than one {{}}; write {{0}} to repeat the label", short(template));
                }
                if auto > 0 && manual > 0 {
                    bail!("template {:?} mixes {{}} and {{0}}; use one style", short(template));
                }
                out.push(Piece::Text(&template[start..i]));
                out.push(Piece::Slot);
                i = end + 1;
                start = i;
            }
            b'}' => bail!("template {:?} has a single '}}' (write }}}} for a literal brace)", short(template)),
            _ => i += 1,
        }
    }
    out.push(Piece::Text(&template[start..]));
    Ok(out)
}

/// Checks that a template has at least one `{}` placeholder and is well formed.
pub fn check_template(template: &str) -> Result<()> {
    if !pieces(template)?.contains(&Piece::Slot) {
        bail!("template {:?} has no {{}} placeholder for the label (e.g. \"This example is {{}}.\")", short(template));
    }
    Ok(())
}

/// `template.format(phrase)`.
pub fn fill(template: &str, phrase: &str) -> Result<String> {
    let mut s = String::with_capacity(template.len() + phrase.len());
    for p in pieces(template)? {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Brace(c) => s.push(c),
            Piece::Slot => s.push_str(phrase),
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_follow_str_format() {
        assert_eq!(fill("This example is {}.", "sport").unwrap(), "This example is sport.");
        assert_eq!(fill("{0} or {0}? {{x}}", "a").unwrap(), "a or a? {x}");
        assert!(check_template("{} or {}").is_err());
        assert!(check_template("{0} or {}").is_err());
        assert!(check_template("no placeholder").is_err());
        assert!(check_template("{{}}").is_err());
        assert!(check_template("bad {name}").is_err());
        assert!(check_template("bad }").is_err());
        assert!(check_template("bad {").is_err());
    }

    #[test]
    fn builtin_sets_parse_and_resolve() {
        for (name, text) in BUILTIN {
            let set = parse_file_text(text, name).unwrap();
            check_unique(&set.labels).unwrap();
            check_template(set.template.as_deref().unwrap()).unwrap();
            assert!(!description(text).is_empty());
        }
        assert_eq!(read_file(Path::new("/nowhere/labels/sentiment.txt")).unwrap(), builtin_set("@sentiment").unwrap());
        assert!(read_file(Path::new("/nowhere/other/sentiment.txt")).is_err());
        assert!(builtin_set("@nope").unwrap_err().to_string().contains("topics"));
    }

    #[test]
    fn lists_and_files() {
        let l = parse_list(" a, b ,c").unwrap();
        assert_eq!(l.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(parse_list("a,,b").is_err());
        let set = parse_file_text("# template: It is about {}.\n# comment\n\nsport\nbiz = business and economy\n", "f")
            .unwrap();
        assert_eq!(set.template.as_deref(), Some("It is about {}."));
        assert_eq!(set.labels[1], Label { name: "biz".into(), phrase: "business and economy".into() });
        assert!(check_unique(&parse_list("a,b,a").unwrap()).is_err());
    }
}
