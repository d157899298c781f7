//! Finding a model: a local folder, or a Hugging Face Hub repository in the
//! standard cache (shared with Python tools), downloaded with hf-hub when
//! missing and the network is allowed.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub const DEFAULT_MODEL: &str = "MoritzLaurer/mDeBERTa-v3-base-mnli-xnli";

/// Where a model was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Folder,
    /// A snapshot in the Hugging Face cache.
    Cache { repo: String, revision: String, commit: String },
}

#[derive(Clone, Debug)]
pub struct Resolved {
    pub dir: PathBuf,
    pub origin: Origin,
}

/// The environment that decides where the cache is and whether we may download.
#[derive(Clone, Debug, Default)]
pub struct HubEnv {
    pub cache: PathBuf,
    pub offline: bool,
    pub token: Option<String>,
    pub endpoint: Option<String>,
    /// Show download progress (stderr is a terminal).
    pub progress: bool,
}

impl HubEnv {
    /// Reads the variables huggingface_hub reads: HF_HUB_CACHE (or the older
    /// HUGGINGFACE_HUB_CACHE), HF_HOME, XDG_CACHE_HOME, HF_HUB_OFFLINE (or
    /// TRANSFORMERS_OFFLINE), HF_TOKEN (else the token file), HF_ENDPOINT.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let home = var("HF_HOME").map(PathBuf::from).unwrap_or_else(|| {
            let base = var("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| {
                PathBuf::from(var("HOME").unwrap_or_else(|| ".".to_string())).join(".cache")
            });
            base.join("huggingface")
        });
        let cache = var("HF_HUB_CACHE").or_else(|| var("HUGGINGFACE_HUB_CACHE")).map(PathBuf::from).unwrap_or_else(|| home.join("hub"));
        let truthy = |k: &str| var(k).is_some_and(|v| matches!(v.to_lowercase().as_str(), "1" | "true" | "yes" | "on"));
        let offline = truthy("HF_HUB_OFFLINE") || truthy("TRANSFORMERS_OFFLINE");
        let token = var("HF_TOKEN").or_else(|| {
            let path = var("HF_TOKEN_PATH").map(PathBuf::from).unwrap_or_else(|| home.join("token"));
            std::fs::read_to_string(path).ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
        });
        HubEnv { cache, offline, token, endpoint: var("HF_ENDPOINT"), progress: false }
    }

    fn repo_dir(&self, repo: &str) -> PathBuf {
        self.cache.join(format!("models--{}", repo.replace('/', "--")))
    }
}

/// True when `spec` can only be a path, never a repo id.
fn looks_like_path(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.contains('\\')
        || spec.matches('/').count() > 1
        || spec.ends_with('/')
}

fn valid_repo_id(spec: &str) -> bool {
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    match spec.split_once('/') {
        Some((org, name)) => ok(org) && ok(name),
        None => ok(spec),
    }
}

/// Files a model needs: its config, a tokenizer, and weights.
pub fn missing_files(dir: &Path) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !dir.join("config.json").is_file() {
        missing.push("config.json");
    }
    if !dir.join("tokenizer.json").is_file() && !dir.join("spm.model").is_file() {
        missing.push("tokenizer.json (or spm.model)");
    }
    let weights = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"];
    if !weights.iter().any(|w| dir.join(w).is_file()) {
        missing.push("model.safetensors (or pytorch_model.bin)");
    }
    missing
}

/// Resolves `--model`: an existing folder, else a Hub repo id looked up in the
/// cache and downloaded if allowed.
pub fn resolve(spec: &str, revision: Option<&str>, env: &HubEnv) -> Result<Resolved> {
    let path = Path::new(spec);
    if path.is_dir() {
        let missing = missing_files(path);
        if !missing.is_empty() {
            bail!("model folder {} lacks {}", path.display(), missing.join(", "));
        }
        return Ok(Resolved { dir: path.to_path_buf(), origin: Origin::Folder });
    }
    if path.exists() {
        bail!("--model {spec}: not a folder (give the folder holding config.json, or a Hub repo id)");
    }
    if looks_like_path(spec) || !valid_repo_id(spec) {
        bail!("--model {spec}: no such folder (and not a Hugging Face repo id like {DEFAULT_MODEL})");
    }
    let revision = revision.unwrap_or("main");
    if let Some(found) = cached(spec, revision, env) {
        return Ok(found);
    }
    if env.offline {
        bail!(
            "model {spec} (revision {revision}) is not in the Hugging Face cache at {} and HF_HUB_OFFLINE is set; \
             download it where there is network with `zeroshot model fetch --model {spec}` (or `huggingface-cli download {spec}`), \
             copy the cache, or pass --model with a local folder",
            env.cache.display()
        );
    }
    download(spec, revision, env)
}

/// A complete snapshot of `repo` at `revision` in the cache, if there is one.
pub fn cached(repo: &str, revision: &str, env: &HubEnv) -> Option<Resolved> {
    let repo_dir = env.repo_dir(repo);
    let commit = if revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit()) {
        revision.to_string()
    } else {
        std::fs::read_to_string(repo_dir.join("refs").join(revision)).ok()?.trim().to_string()
    };
    let dir = repo_dir.join("snapshots").join(&commit);
    if dir.is_dir() && missing_files(&dir).is_empty() {
        Some(Resolved { dir, origin: Origin::Cache { repo: repo.to_string(), revision: revision.to_string(), commit } })
    } else {
        None
    }
}

/// `zeroshot model fetch`: brings the cache up to date with the Hub for a
/// repo id (always asks the Hub which commit the revision is at).
pub fn fetch(spec: &str, revision: Option<&str>, env: &HubEnv) -> Result<Resolved> {
    if Path::new(spec).is_dir() {
        bail!("{spec} is a local folder; there is nothing to fetch");
    }
    if looks_like_path(spec) || !valid_repo_id(spec) {
        bail!("--model {spec}: not a Hugging Face repo id (like {DEFAULT_MODEL})");
    }
    if env.offline {
        bail!("HF_HUB_OFFLINE is set, so zeroshot may not download {spec}; unset it to fetch");
    }
    download(spec, revision.unwrap_or("main"), env)
}

/// Downloads what a model needs into the cache (hf-hub writes the same layout
/// as huggingface_hub), then resolves it from there.
pub fn download(repo: &str, revision: &str, env: &HubEnv) -> Result<Resolved> {
    use hf_hub::api::sync::ApiBuilder;
    use hf_hub::{Cache, Repo, RepoType};
    let mut builder = ApiBuilder::from_cache(Cache::new(env.cache.clone()))
        .with_token(env.token.clone())
        .with_progress(env.progress);
    if let Some(e) = &env.endpoint {
        builder = builder.with_endpoint(e.clone());
    }
    let api = builder.build().context("cannot set up the Hugging Face Hub client")?;
    let handle = api.repo(Repo::with_revision(repo.to_string(), RepoType::Model, revision.to_string()));
    let info = handle.info().map_err(|e| hub_error(repo, revision, env, &e.to_string()))?;
    // Point the revision at the commit the Hub reports, so files already cached
    // for that commit are reused and stale ones are not.
    Cache::new(env.cache.clone())
        .repo(Repo::with_revision(repo.to_string(), RepoType::Model, revision.to_string()))
        .create_ref(&info.sha)
        .with_context(|| format!("cannot write to the Hugging Face cache {}", env.cache.display()))?;
    let files: Vec<String> = info.siblings.iter().map(|s| s.rfilename.clone()).collect();
    let has = |f: &str| files.iter().any(|x| x == f);

    let mut wanted: Vec<String> = vec!["config.json".into()];
    for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"] {
        if has(f) {
            wanted.push(f.into());
        }
    }
    if !has("tokenizer.json") && has("spm.model") {
        wanted.push("spm.model".into());
    }
    let weights = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"]
        .into_iter()
        .find(|w| has(w))
        .with_context(|| format!("{repo} has no model.safetensors or pytorch_model.bin"))?;
    wanted.push(weights.into());

    let mut dir = None;
    for f in &wanted {
        let p = handle.get(f).map_err(|e| hub_error(repo, revision, env, &format!("{f}: {e}")))?;
        dir = p.parent().map(Path::to_path_buf);
        if f.ends_with(".index.json") {
            let text = std::fs::read_to_string(&p)?;
            let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{f} is not valid JSON"))?;
            let mut shards: Vec<String> = v["weight_map"]
                .as_object()
                .map(|m| m.values().filter_map(|s| s.as_str().map(String::from)).collect())
                .unwrap_or_default();
            shards.sort();
            shards.dedup();
            for s in shards {
                handle.get(&s).map_err(|e| hub_error(repo, revision, env, &format!("{s}: {e}")))?;
            }
        }
    }
    let dir = dir.context("nothing downloaded")?;
    let commit = dir.file_name().map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Resolved { dir, origin: Origin::Cache { repo: repo.to_string(), revision: revision.to_string(), commit } })
}

fn hub_error(repo: &str, revision: &str, env: &HubEnv, msg: &str) -> anyhow::Error {
    let endpoint = env.endpoint.as_deref().unwrap_or("https://huggingface.co");
    anyhow::anyhow!(
        "cannot download {repo} (revision {revision}) from {endpoint}: {msg}\n\
         hint: without network, fetch it elsewhere with `zeroshot model fetch --model {repo}` and copy {}, \
         or pass --model with a local folder; private or gated repos need HF_TOKEN",
        env.cache.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_and_paths() {
        assert!(valid_repo_id("MoritzLaurer/mDeBERTa-v3-base-mnli-xnli"));
        assert!(valid_repo_id("gpt2"));
        assert!(!valid_repo_id("a/b/c"));
        assert!(looks_like_path("./models/x"));
        assert!(looks_like_path("models/x/"));
        assert!(!looks_like_path("org/name"));
    }
}
