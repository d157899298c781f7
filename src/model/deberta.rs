//! DeBERTa-v2/v3 encoder and sequence-classification head, inference only.
//!
//! Mirrors transformers' `modeling_deberta_v2.py` (4.x) operation for
//! operation, with these differences in *how*, never in *what*:
//! - sequences are packed back to back (no padding): each one's numbers depend
//!   on its own tokens only, so results do not change with batch composition;
//! - the relative-position key/query projections depend on weights only and
//!   are computed once at load;
//! - content->position and position->content scores are computed only for the
//!   relative distances a sequence can reach;
//! - for classification the last layer runs its queries, output projection and
//!   feed-forward on the first token only, the one the pooler reads.

use std::cell::RefCell;
use std::time::Instant;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use super::config::ModelConfig;
use super::gemm::{gemm, gemm_ptr, Epilogue, PackedB, Par, SyncPtr};
use super::math::{self, Activation};
use super::profile;
use super::weights::{Checkpoint, DType, TensorData};

/// One tokenized input: token ids and token type ids (same length).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encoded {
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
}

impl Encoded {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

struct Norm {
    w: Vec<f32>,
    b: Vec<f32>,
}

struct Linear {
    w: PackedB,
    b: Vec<f32>,
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    ln1: Norm,
    inter: Linear,
    out: Linear,
    ln2: Norm,
    /// Per head: relative-position keys `[head_size x 2*span]` (c2p).
    pos_key: Vec<PackedB>,
    /// Per head: relative-position queries `[head_size x 2*span]` (p2c).
    pos_query: Vec<PackedB>,
}

struct Conv {
    /// im2col weight: input `(tap, channel)` to output channel.
    w: PackedB,
    b: Vec<f32>,
    kernel_size: usize,
    act: Activation,
    ln: Norm,
}

struct ClassifierHead {
    pooler: Linear,
    act: Activation,
    classifier: Linear,
}

pub struct Deberta {
    pub cfg: ModelConfig,
    word: TensorData,
    pos: Option<Vec<f32>>,
    types: Option<Vec<f32>>,
    embed_proj: Option<PackedB>,
    emb_ln: Norm,
    layers: Vec<Layer>,
    conv: Option<Conv>,
    head: Option<ClassifierHead>,
    /// Parameters in the checkpoint that the model uses.
    pub params: usize,
    pub weight_dtype: DType,
    pub precision: Precision,
}

/// How the encoder layers' matrix products run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
pub enum Precision {
    /// float32 throughout: the Hugging Face pipeline's scores (exact)
    F32,
    /// bfloat16 weights and product inputs, float32 sums; LayerNorm, softmax,
    /// GELU, residuals, attention and the head in float32
    Bf16,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
        }
    }
}

/// What a forward pass returns.
pub enum Output {
    /// Classifier logits, `num_labels` per sequence.
    Logits(Vec<Vec<f32>>),
    /// Last hidden state per sequence, `len x hidden` row-major.
    Hidden(Vec<Vec<f32>>),
}

struct Loader<'a> {
    ck: &'a Checkpoint,
    prefix: &'static str,
    params: usize,
    /// How the encoder layers' products are stored and computed.
    precision: Precision,
}

impl Loader<'_> {
    fn tensor(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let full = format!("{}{name}", self.prefix);
        let t = self.ck.get(&full).or_else(|| self.ck.get(name)).with_context(|| {
            format!("the checkpoint has no tensor {full} (the config implies it; is this checkpoint the one config.json describes?)")
        })?;
        self.params += t.numel();
        let v = t.expect(shape)?;
        t.release();
        // A NaN or infinity would silently turn every score into null.
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            bail!("tensor {} holds a non-finite value ({}) at element {i}: the checkpoint is damaged", t.name, v[i]);
        }
        Ok(v)
    }

    fn linear(&mut self, name: &str, out: usize, inp: usize) -> Result<Linear> {
        let w = self.tensor(&format!("{name}.weight"), &[out, inp])?;
        let b = self.tensor(&format!("{name}.bias"), &[out])?;
        let w = match self.precision {
            Precision::F32 => PackedB::from_weight(&w, out, inp),
            Precision::Bf16 => PackedB::from_weight_bf16(&w, out, inp),
        };
        Ok(Linear { w, b })
    }

    fn norm(&mut self, name: &str, n: usize) -> Result<Norm> {
        Ok(Norm { w: self.tensor(&format!("{name}.weight"), &[n])?, b: self.tensor(&format!("{name}.bias"), &[n])? })
    }
}

impl Deberta {
    /// Loads the weights in `dir` for `cfg`. With `classifier`, the pooler and
    /// classification head must be present.
    pub fn load(dir: &Path, cfg: ModelConfig, classifier: bool, precision: Precision) -> Result<Self> {
        let ck = Checkpoint::open(dir)?;
        let model = Self::from_checkpoint(&ck, cfg, classifier, precision)?;
        // Unmapping takes a moment; it need not delay the first results.
        std::thread::spawn(move || ck.release_pages());
        Ok(model)
    }

    pub fn from_checkpoint(ck: &Checkpoint, cfg: ModelConfig, classifier: bool, precision: Precision) -> Result<Self> {
        let prefix = if ck.contains("deberta.embeddings.word_embeddings.weight") {
            "deberta."
        } else if ck.contains("embeddings.word_embeddings.weight") {
            ""
        } else {
            let mut names: Vec<&str> = ck.names().collect();
            names.sort();
            names.truncate(5);
            bail!(
                "the weights hold no DeBERTa embeddings (no deberta.embeddings.word_embeddings.weight); first tensors: {}",
                names.join(", ")
            );
        };
        let mut ld = Loader { ck, prefix, params: 0, precision };
        let (h, e) = (cfg.hidden_size, cfg.embedding_size);

        let word_name = format!("{prefix}embeddings.word_embeddings.weight");
        let word = ck.get(&word_name).cloned().context("word embeddings")?;
        if word.shape.len() != 2 || word.shape[1] != e {
            bail!("{word_name} has shape {:?}, expected [vocab, {e}]", word.shape);
        }
        if word.shape[0] != cfg.vocab_size {
            bail!("{word_name} has {} rows but config.json says vocab_size {}", word.shape[0], cfg.vocab_size);
        }
        ld.params += word.numel();
        let pos = if cfg.position_biased_input {
            Some(ld.tensor("embeddings.position_embeddings.weight", &[cfg.max_position_embeddings, e])?)
        } else {
            None
        };
        let types = if cfg.type_vocab_size > 0 {
            Some(ld.tensor("embeddings.token_type_embeddings.weight", &[cfg.type_vocab_size, e])?)
        } else {
            None
        };
        let embed_proj = if e != h {
            let w = ld.tensor("embeddings.embed_proj.weight", &[h, e])?;
            Some(PackedB::from_weight(&w, h, e))
        } else {
            None
        };
        let emb_ln = ld.norm("embeddings.LayerNorm", h)?;

        // Relative-position embeddings, normalised once as transformers does per forward.
        let span = cfg.att_span;
        let rel = if cfg.relative_attention {
            let mut rel = ld.tensor("encoder.rel_embeddings.weight", &[2 * span, h])?;
            if cfg.norm_rel_ebd {
                let ln = ld.norm("encoder.LayerNorm", h)?;
                rel.par_chunks_mut(h).for_each(|row| math::layer_norm(row, &ln.w, &ln.b, cfg.layer_norm_eps));
            }
            Some(rel)
        } else {
            None
        };

        let (i_size, d, heads) = (cfg.intermediate_size, cfg.head_size, cfg.num_heads);
        let mut layers = Vec::with_capacity(cfg.num_layers);
        for l in 0..cfg.num_layers {
            let p = format!("encoder.layer.{l}");
            let q = ld.linear(&format!("{p}.attention.self.query_proj"), h, h)?;
            let k = ld.linear(&format!("{p}.attention.self.key_proj"), h, h)?;
            let v = ld.linear(&format!("{p}.attention.self.value_proj"), h, h)?;
            let (mut pos_key, mut pos_query) = (Vec::new(), Vec::new());
            if let Some(rel) = &rel {
                let key_proj = if cfg.c2p && !cfg.share_att_key {
                    Some(ld.linear(&format!("{p}.attention.self.pos_key_proj"), h, h)?)
                } else {
                    None
                };
                let query_proj = if cfg.p2c && !cfg.share_att_key {
                    Some(ld.linear(&format!("{p}.attention.self.pos_query_proj"), h, h)?)
                } else {
                    None
                };
                if cfg.c2p {
                    pos_key = project_heads(rel, key_proj.as_ref().unwrap_or(&k), 2 * span, h, heads, d);
                }
                if cfg.p2c {
                    pos_query = project_heads(rel, query_proj.as_ref().unwrap_or(&q), 2 * span, h, heads, d);
                }
            }
            layers.push(Layer {
                q,
                k,
                v,
                o: ld.linear(&format!("{p}.attention.output.dense"), h, h)?,
                ln1: ld.norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                inter: ld.linear(&format!("{p}.intermediate.dense"), i_size, h)?,
                out: ld.linear(&format!("{p}.output.dense"), h, i_size)?,
                ln2: ld.norm(&format!("{p}.output.LayerNorm"), h)?,
                pos_key,
                pos_query,
            });
        }

        let conv = match &cfg.conv {
            Some(cc) => {
                let (ks, g) = (cc.kernel_size, cc.groups);
                let w = ld.tensor("encoder.conv.conv.weight", &[h, h / g, ks])?;
                let b = ld.tensor("encoder.conv.conv.bias", &[h])?;
                // Dense im2col weight [out][tap*h + in]; zero outside each group's block.
                let per = h / g;
                let mut dense = vec![0f32; h * ks * h];
                for o in 0..h {
                    let grp = o / per;
                    for c in 0..per {
                        for t in 0..ks {
                            dense[o * ks * h + t * h + grp * per + c] = w[(o * per + c) * ks + t];
                        }
                    }
                }
                Some(Conv {
                    w: PackedB::from_weight(&dense, h, ks * h),
                    b,
                    kernel_size: ks,
                    act: cc.act,
                    ln: ld.norm("encoder.conv.LayerNorm", h)?,
                })
            }
            None => None,
        };

        let head = if classifier {
            if !ck.contains("classifier.weight") || !ck.contains("pooler.dense.weight") {
                bail!("the checkpoint has no sequence-classification head (pooler.dense and classifier): it is a base encoder, not an NLI model");
            }
            let n = cfg.num_labels();
            let cls = ck.get("classifier.weight").map(|t| t.shape.clone()).unwrap_or_default();
            if cls != [n, h] {
                bail!("classifier.weight has shape {cls:?} but config.json lists {n} labels (expected [{n}, {h}])");
            }
            // The head stays in float32 whatever the precision.
            let mut top = Loader { ck, prefix: "", params: 0, precision: Precision::F32 };
            let pooler = top.linear("pooler.dense", h, h)?;
            let classifier = top.linear("classifier", n, h)?;
            ld.params += top.params;
            Some(ClassifierHead { pooler, act: cfg.pooler_act, classifier })
        } else {
            None
        };

        let weight_dtype = ck.main_dtype().unwrap_or(DType::F32);
        Ok(Deberta {
            word,
            pos,
            types,
            embed_proj,
            emb_ln,
            layers,
            conv,
            head,
            params: ld.params,
            weight_dtype,
            precision,
            cfg,
        })
    }

    pub fn has_classifier(&self) -> bool {
        self.head.is_some()
    }

    /// Logits for each sequence (requires the classification head).
    pub fn classify(&self, seqs: &[Encoded]) -> Result<Vec<Vec<f32>>> {
        match self.forward(seqs, true)? {
            Output::Logits(l) => Ok(l),
            Output::Hidden(_) => unreachable!(),
        }
    }

    /// Last hidden state of each sequence.
    pub fn encode(&self, seqs: &[Encoded]) -> Result<Vec<Vec<f32>>> {
        match self.forward(seqs, false)? {
            Output::Hidden(h) => Ok(h),
            Output::Logits(_) => unreachable!(),
        }
    }

    /// Useful floating-point operations of one forward pass over `seqs` (the
    /// products the model needs; packing means no padding is counted).
    pub fn forward_flops(&self, seqs: &[Encoded], logits: bool) -> f64 {
        let cfg = &self.cfg;
        let (h, e, i, d, heads) =
            (cfg.hidden_size as f64, cfg.embedding_size as f64, cfg.intermediate_size as f64, cfg.head_size as f64, cfg.num_heads as f64);
        let t: f64 = seqs.iter().map(|s| s.len() as f64).sum();
        let s = seqs.len() as f64;
        let max_len = seqs.iter().map(Encoded::len).max().unwrap_or(0);
        let rel = RelIndex::new(cfg, max_len);
        let mut f = 0.0;
        if e != h {
            f += 2.0 * t * e * h;
        }
        let n_layers = self.layers.len();
        for l in 0..n_layers {
            let cls_only = logits && l + 1 == n_layers && !(self.conv.is_some() && l == 0);
            let tq = if cls_only { s } else { t };
            f += 2.0 * h * h * (tq + 2.0 * t + tq) + 2.0 * 2.0 * tq * h * i;
            for seq in seqs {
                let n = seq.len() as isize;
                let nq = if cls_only { 1 } else { n };
                let (nf, nqf) = (n as f64, nq as f64);
                f += heads * 2.0 * 2.0 * nqf * nf * d;
                let reach = |table: &[u32], lo: isize, hi: isize| {
                    (RelIndex::at(table, rel.max_len, hi) - RelIndex::at(table, rel.max_len, lo) + 1) as f64
                };
                if !rel.c2p.is_empty() && cfg.c2p {
                    f += heads * 2.0 * nqf * reach(&rel.c2p, -(n - 1), nq - 1) * d;
                }
                if !rel.p2c.is_empty() && cfg.p2c {
                    let cols = if cls_only { 1.0 } else { reach(&rel.p2c, -(n - 1), n - 1) };
                    f += heads * 2.0 * nf * cols * d;
                }
            }
            if l == 0 && self.conv.is_some() {
                let ks = cfg.conv.as_ref().map_or(0, |c| c.kernel_size) as f64;
                f += 2.0 * t * ks * h * h;
            }
        }
        if logits {
            f += 2.0 * s * h * h + 2.0 * s * h * cfg.num_labels() as f64;
        }
        f
    }

    fn check_inputs(&self, seqs: &[Encoded]) -> Result<()> {
        let cfg = &self.cfg;
        for (n, s) in seqs.iter().enumerate() {
            if s.ids.is_empty() {
                bail!("sequence {n} has no tokens");
            }
            if s.type_ids.len() != s.ids.len() {
                bail!("sequence {n}: {} token ids but {} type ids", s.ids.len(), s.type_ids.len());
            }
            if let Some(&bad) = s.ids.iter().find(|&&id| id as usize >= cfg.vocab_size) {
                bail!("token id {bad} is outside the model's vocabulary of {} (tokenizer and model do not match)", cfg.vocab_size);
            }
            if cfg.position_biased_input && s.ids.len() > cfg.max_position_embeddings {
                bail!(
                    "a sequence of {} tokens exceeds this model's {} absolute positions",
                    s.ids.len(),
                    cfg.max_position_embeddings
                );
            }
            if cfg.type_vocab_size > 0 {
                if let Some(&bad) = s.type_ids.iter().find(|&&t| t as usize >= cfg.type_vocab_size) {
                    bail!("token type id {bad} is outside the model's {} types", cfg.type_vocab_size);
                }
            }
        }
        Ok(())
    }

    fn forward(&self, seqs: &[Encoded], logits: bool) -> Result<Output> {
        if logits && self.head.is_none() {
            bail!("this checkpoint has no classification head");
        }
        self.check_inputs(seqs)?;
        let cfg = &self.cfg;
        let h = cfg.hidden_size;
        let spans: Vec<(usize, usize)> = seqs
            .iter()
            .scan(0usize, |off, s| {
                let r = (*off, s.len());
                *off += s.len();
                Some(r)
            })
            .collect();
        let total: usize = seqs.iter().map(Encoded::len).sum();
        let max_len = seqs.iter().map(Encoded::len).max().unwrap_or(0);
        let rel = RelIndex::new(cfg, max_len);

        let t = Instant::now();
        let mut x = self.embed(seqs, total)?;
        profile::add(0, t);
        let x0 = if self.conv.is_some() { Some(x.clone()) } else { None };

        let n_layers = self.layers.len();
        let mut ws = WORKSPACE.with(|w| std::mem::take(&mut *w.borrow_mut()));
        for (l, layer) in self.layers.iter().enumerate() {
            // The classifier reads token 0 only; the last layer needs no other output row.
            let cls_only = logits && l + 1 == n_layers && !(self.conv.is_some() && l == 0);
            self.layer(layer, &x, &spans, &rel, cls_only, &mut ws);
            let rows = if cls_only { spans.len() } else { total };
            // The layer's output becomes the next input; the old input's buffer is reused.
            std::mem::swap(&mut x, &mut ws.out);
            x.truncate(rows * h);
            if l == 0 {
                if let (Some(conv), Some(x0)) = (&self.conv, &x0) {
                    let t = Instant::now();
                    x = self.conv_layer(conv, x0, &x, &spans);
                    profile::add(5, t);
                }
            }
        }

        WORKSPACE.with(|w| *w.borrow_mut() = ws);
        if logits {
            let t = Instant::now();
            let head = self.head.as_ref().unwrap();
            let s = seqs.len();
            // x already holds one row per sequence when the last layer ran CLS-only.
            let cls: Vec<f32> = if x.len() == s * h {
                x
            } else {
                spans.iter().flat_map(|&(off, _)| x[off * h..off * h + h].iter().copied()).collect()
            };
            let mut pooled = vec![0f32; s * h];
            let lin = &head.pooler;
            gemm(&cls, h, s, &lin.w, 0..lin.w.panels(), &mut pooled, h, Epilogue::Bias(&lin.b, head.act), Par::Pool);
            let n = cfg.num_labels();
            let mut out = vec![0f32; s * n];
            let c = &head.classifier;
            gemm(&pooled, h, s, &c.w, 0..c.w.panels(), &mut out, n, Epilogue::Bias(&c.b, Activation::Identity), Par::Pool);
            profile::add(6, t);
            Ok(Output::Logits(out.chunks(n).map(<[f32]>::to_vec).collect()))
        } else {
            Ok(Output::Hidden(spans.iter().map(|&(off, n)| x[off * h..(off + n) * h].to_vec()).collect()))
        }
    }

    fn embed(&self, seqs: &[Encoded], total: usize) -> Result<Vec<f32>> {
        let cfg = &self.cfg;
        let (h, e) = (cfg.hidden_size, cfg.embedding_size);
        let tokens: Vec<(u32, u32, usize)> = seqs
            .iter()
            .flat_map(|s| s.ids.iter().zip(&s.type_ids).enumerate().map(|(p, (&id, &t))| (id, t, p)))
            .collect();
        let mut emb = vec![0f32; total * e];
        emb.par_chunks_mut(e).zip(tokens.par_iter()).for_each(|(row, &(id, t, p))| {
            self.word.read_into(id as usize * e, row);
            if let Some(pos) = &self.pos {
                math::add_assign(row, &pos[p * e..(p + 1) * e]);
            }
            if let Some(types) = &self.types {
                math::add_assign(row, &types[t as usize * e..(t as usize + 1) * e]);
            }
        });
        // The word embeddings stay mapped in the checkpoint's own type (scanning all
        // 250K rows at load would cost time and memory): rows are checked as read.
        if let Some((_, &(id, _, _))) = emb.chunks(e).zip(&tokens).find(|(row, _)| row.iter().any(|x| !x.is_finite())) {
            bail!("the word embedding of token {id} holds a non-finite value (NaN or infinity): the checkpoint is damaged");
        }
        let mut x = match &self.embed_proj {
            Some(w) => {
                let mut x = vec![0f32; total * h];
                gemm(&emb, e, total, w, 0..w.panels(), &mut x, h, Epilogue::None, Par::Pool);
                x
            }
            None => emb,
        };
        let eps = cfg.layer_norm_eps;
        x.par_chunks_mut(h).for_each(|row| math::layer_norm(row, &self.emb_ln.w, &self.emb_ln.b, eps));
        Ok(x)
    }

    /// One encoder layer from `x` into `ws.out` (`ws.out` holds one row per
    /// query row: every token, or each sequence's first with `cls_only`).
    fn layer(&self, layer: &Layer, x: &[f32], spans: &[(usize, usize)], rel: &RelIndex, cls_only: bool, ws: &mut Workspace) {
        let cfg = &self.cfg;
        let h = cfg.hidden_size;
        let total = x.len() / h;
        let nq_total = if cls_only { spans.len() } else { total };
        // Query rows: every token, or the first token of each sequence.
        let q_rows: Vec<usize> = if cls_only { (0..spans.len()).collect() } else { spans.iter().map(|&(off, _)| off).collect() };
        if cls_only {
            let xq = sized(&mut ws.xq, nq_total * h);
            for (row, &(off, _)) in xq.chunks_mut(h).zip(spans) {
                row.copy_from_slice(&x[off * h..off * h + h]);
            }
        }
        let Workspace { xq, q, k, v, ctx, a, inter, out } = ws;
        let xq: &[f32] = if cls_only { &xq[..nq_total * h] } else { x };
        let lin = |l: &Linear, input: &[f32], rows: usize, buf: &mut Vec<f32>| {
            let out = sized(buf, rows * h);
            gemm(input, h, rows, &l.w, 0..l.w.panels(), out, h, Epilogue::Bias(&l.b, Activation::Identity), Par::Pool);
        };
        let t = Instant::now();
        lin(&layer.q, xq, nq_total, q);
        lin(&layer.k, x, total, k);
        lin(&layer.v, x, total, v);
        profile::add(1, t);
        let t = Instant::now();
        let ctx = sized(ctx, nq_total * h);
        self.attention(layer, &q[..nq_total * h], &q_rows, &k[..total * h], &v[..total * h], spans, rel, cls_only, ctx);
        profile::add(2, t);
        let t = Instant::now();

        // attention output: LayerNorm(ctx·Wo + b + x)
        let eps = cfg.layer_norm_eps;
        let a = sized(a, nq_total * h);
        let o = &layer.o;
        gemm(ctx, h, nq_total, &o.w, 0..o.w.panels(), a, h, Epilogue::BiasResidual(&o.b, xq, h), Par::Pool);
        a.par_chunks_mut(h).for_each(|row| math::layer_norm(row, &layer.ln1.w, &layer.ln1.b, eps));
        profile::add(3, t);
        let t = Instant::now();

        let i_size = cfg.intermediate_size;
        let inter = sized(inter, nq_total * i_size);
        let il = &layer.inter;
        gemm(a, h, nq_total, &il.w, 0..il.w.panels(), inter, i_size, Epilogue::Bias(&il.b, cfg.hidden_act), Par::Pool);
        let out = sized(out, nq_total * h);
        let ol = &layer.out;
        gemm(inter, i_size, nq_total, &ol.w, 0..ol.w.panels(), out, h, Epilogue::BiasResidual(&ol.b, a, h), Par::Pool);
        out.par_chunks_mut(h).for_each(|row| math::layer_norm(row, &layer.ln2.w, &layer.ln2.b, eps));
        profile::add(4, t);
    }

    #[allow(clippy::too_many_arguments)]
    fn attention(
        &self,
        layer: &Layer,
        q: &[f32],
        q_rows: &[usize],
        k: &[f32],
        v: &[f32],
        spans: &[(usize, usize)],
        rel: &RelIndex,
        cls_only: bool,
        ctx: &mut [f32],
    ) {
        let cfg = &self.cfg;
        let (h, d, heads) = (cfg.hidden_size, cfg.head_size, cfg.num_heads);
        // transformers: sqrt(head_size * scale_factor) in f32.
        let inv_scale = 1.0 / ((d as f32) * cfg.scale_factor() as f32).sqrt();
        let ctx_ptr = SyncPtr(ctx.as_mut_ptr());
        let mut tasks: Vec<(usize, usize)> = (0..spans.len()).flat_map(|s| (0..heads).map(move |hd| (s, hd))).collect();
        // Longest sequences first, for balance.
        tasks.sort_by_key(|&(s, _)| std::cmp::Reverse(spans[s].1));
        tasks.par_iter().for_each(|&(s, hd)| {
            let (off, n) = spans[s];
            let nq = if cls_only { 1 } else { n };
            let qoff = q_rows[s];
            SCRATCH.with(|cell| {
                let sc = &mut *cell.borrow_mut();
                let head = HeadInput {
                    q: &q[qoff * h + hd * d..],
                    k: &k[off * h + hd * d..],
                    v: &v[off * h + hd * d..],
                    ld: h,
                    d,
                    n,
                    nq,
                    pos_key: layer.pos_key.get(hd),
                    pos_query: layer.pos_query.get(hd),
                };
                // SAFETY: task (s, hd) alone writes rows of sequence s, columns of head hd.
                let out = unsafe { ctx_ptr.get().add(qoff * h + hd * d) };
                unsafe { attend_head(&head, rel, inv_scale, out, h, sc) };
            });
        });
    }

    /// transformers' ConvLayer, applied after the first layer.
    fn conv_layer(&self, conv: &Conv, x0: &[f32], residual: &[f32], spans: &[(usize, usize)]) -> Vec<f32> {
        let h = self.cfg.hidden_size;
        let ks = conv.kernel_size;
        let pad = (ks - 1) / 2;
        let total = x0.len() / h;
        // im2col within each sequence; positions outside it are zero (masked padding in transformers).
        let mut cols = vec![0f32; total * ks * h];
        for &(off, n) in spans {
            for t in 0..n {
                let row = &mut cols[(off + t) * ks * h..(off + t + 1) * ks * h];
                for tap in 0..ks {
                    let src = t as isize + tap as isize - pad as isize;
                    if src >= 0 && (src as usize) < n {
                        let s = off + src as usize;
                        row[tap * h..(tap + 1) * h].copy_from_slice(&x0[s * h..(s + 1) * h]);
                    }
                }
            }
        }
        let mut out = vec![0f32; total * h];
        gemm(&cols, ks * h, total, &conv.w, 0..conv.w.panels(), &mut out, h, Epilogue::Bias(&conv.b, conv.act), Par::Pool);
        let eps = self.cfg.layer_norm_eps;
        out.par_chunks_mut(h).zip(residual.par_chunks(h)).for_each(|(row, res)| {
            // LayerNorm(residual + act(conv)), as transformers adds them.
            for (o, r) in row.iter_mut().zip(res) {
                *o += *r;
            }
            math::layer_norm(row, &conv.ln.w, &conv.ln.b, eps);
        });
        out
    }
}

/// `rel · W^T + b` split per head and packed as `[head_size x rows]` right-hand sides.
fn project_heads(rel: &[f32], proj: &Linear, rows: usize, h: usize, heads: usize, d: usize) -> Vec<PackedB> {
    let mut full = vec![0f32; rows * h];
    gemm(rel, h, rows, &proj.w, 0..proj.w.panels(), &mut full, h, Epilogue::Bias(&proj.b, Activation::Identity), Par::Pool);
    (0..heads)
        .map(|hd| {
            let mut p = PackedB::default();
            p.pack_nk(&full[hd * d..], h, rows, d);
            p
        })
        .collect()
}


/// Relative-position lookups for distances `-(max_len-1) ..= max_len-1`:
/// the column of the c2p and p2c score matrices each distance reads.
struct RelIndex {
    max_len: usize,
    c2p: Vec<u32>,
    p2c: Vec<u32>,
    /// The tables reversed: for query `i`, columns for keys `j = 0..n` are the
    /// contiguous slice starting at `max_len - 1 - i`.
    c2p_rev: Vec<u32>,
    p2c_rev: Vec<u32>,
}

impl RelIndex {
    fn new(cfg: &ModelConfig, max_len: usize) -> Self {
        if !cfg.relative_attention || max_len == 0 {
            return RelIndex { max_len, c2p: vec![], p2c: vec![], c2p_rev: vec![], p2c_rev: vec![] };
        }
        let span = cfg.att_span as i64;
        let bucket = |rel: i64| relative_bucket(rel, cfg.position_buckets, cfg.max_relative_positions);
        let clamp = |x: i64| x.clamp(0, 2 * span - 1) as u32;
        let ml = max_len as i64;
        let deltas = -(ml - 1)..=(ml - 1);
        // c2p[i][j] reads rel(i-j) + span; p2c[i][j] reads -rel(j-i) + span (transformers' gathers).
        let c2p: Vec<u32> = deltas.clone().map(|dl| clamp(bucket(dl) + span)).collect();
        let p2c: Vec<u32> = deltas.map(|dl| clamp(-bucket(-dl) + span)).collect();
        // The gathers rely on monotone tables (their ends bound every index).
        assert!(c2p.windows(2).all(|w| w[0] <= w[1]) && p2c.windows(2).all(|w| w[0] <= w[1]));
        let c2p_rev = c2p.iter().rev().copied().collect();
        let p2c_rev = p2c.iter().rev().copied().collect();
        RelIndex { max_len, c2p, p2c, c2p_rev, p2c_rev }
    }

    /// Column indices for query `i` and keys `0..n` (see `c2p_rev`).
    fn row<'a>(&self, rev: &'a [u32], i: usize, n: usize) -> &'a [u32] {
        let start = self.max_len - 1 - i;
        &rev[start..start + n]
    }

    #[inline]
    fn at(table: &[u32], max_len: usize, delta: isize) -> usize {
        table[(delta + max_len as isize - 1) as usize] as usize
    }
}

/// transformers' `make_log_bucket_position` (in f32, as torch computes it) or
/// the plain distance when buckets are off.
pub fn relative_bucket(rel: i64, bucket_size: i64, max_position: i64) -> i64 {
    if bucket_size <= 0 || max_position <= 0 {
        return rel;
    }
    let mid = bucket_size / 2;
    let abs_pos = if rel < mid && rel > -mid { mid - 1 } else { rel.abs() };
    if abs_pos <= mid {
        return rel;
    }
    let ratio = ((max_position - 1) as f64 / mid as f64) as f32;
    let log_pos = ((abs_pos as f32 / mid as f32).ln() / ratio.ln() * (mid - 1) as f32).ceil() + mid as f32;
    (log_pos * rel.signum() as f32) as i64
}

struct HeadInput<'a> {
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    /// Row stride of q, k and v.
    ld: usize,
    d: usize,
    n: usize,
    nq: usize,
    pos_key: Option<&'a PackedB>,
    pos_query: Option<&'a PackedB>,
}

#[derive(Default)]
struct Scratch {
    kb: PackedB,
    vb: PackedB,
    scores: Vec<f32>,
    c2p: Vec<f32>,
    p2c: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// Layer buffers kept between forward passes: no allocation or page faults per layer.
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::default());
}

#[derive(Default)]
struct Workspace {
    xq: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    ctx: Vec<f32>,
    a: Vec<f32>,
    inter: Vec<f32>,
    out: Vec<f32>,
}

/// `buf` as a slice of exactly `len`, reusing its memory. Old contents stay:
/// every caller overwrites all of it.
fn sized(buf: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
    &mut buf[..len]
}

/// Query rows handled at once; bounds the score matrix at `QB x n`.
const QB: usize = 256;

/// One head of one sequence: softmax((QK^T + c2p + p2c) / scale) V into `out`
/// (row stride `ldo`). Queries are positions `0..nq`.
///
/// # Safety
/// `out` must be valid for writes of `nq` rows of `d` values at stride `ldo`,
/// and no other thread may touch them.
unsafe fn attend_head(x: &HeadInput, rel: &RelIndex, inv_scale: f32, out: *mut f32, ldo: usize, sc: &mut Scratch) {
    let (n, nq, ld, d) = (x.n, x.nq, x.ld, x.d);
    let mut clock = Instant::now();
    sc.kb.pack_nk(x.k, ld, n, d);
    sc.vb.pack_kn(x.v, ld, n, d);
    profile::part(0, &mut clock);

    let ml = rel.max_len;
    // p2c for every key over the distances this sequence reaches: P[j][r] = k_j · pq_r.
    let mut p2c_cols = 0..0;
    if let Some(pq) = x.pos_query {
        let lo = RelIndex::at(&rel.p2c, ml, -(n as isize - 1));
        let hi = RelIndex::at(&rel.p2c, ml, nq as isize - 1);
        let panels = pq.panel_of(lo)..pq.panel_of(hi) + 1;
        let width = pq.cols_of(&panels);
        p2c_cols = panels.start * pq.nr()..panels.start * pq.nr() + width;
        if nq == 1 {
            // One query (position 0) reads one column per key: k_j · pq[p2c(0-j)].
            sc.p2c.resize(n, 0.0);
            for j in 0..n {
                let col = RelIndex::at(&rel.p2c, ml, -(j as isize));
                let kj = &x.k[j * ld..j * ld + d];
                sc.p2c[j] = kj.iter().enumerate().fold(0f32, |acc, (kk, &kv)| kv.mul_add(pq.at(kk, col), acc));
            }
        } else {
            sc.p2c.resize(n * width, 0.0);
            gemm(x.k, ld, n, pq, panels, &mut sc.p2c, width, Epilogue::None, Par::Serial);
        }
    }

    profile::part(1, &mut clock);
    let mut i0 = 0;
    while i0 < nq {
        let rows = QB.min(nq - i0);
        sc.scores.resize(rows * n, 0.0);
        gemm(&x.q[i0 * ld..], ld, rows, &sc.kb, 0..sc.kb.panels(), &mut sc.scores, n, Epilogue::None, Par::Serial);
        let mut c2p_cols = 0..0;
        if let Some(pk) = x.pos_key {
            let lo = RelIndex::at(&rel.c2p, ml, i0 as isize - (n as isize - 1));
            let hi = RelIndex::at(&rel.c2p, ml, (i0 + rows) as isize - 1);
            let panels = pk.panel_of(lo)..pk.panel_of(hi) + 1;
            let width = pk.cols_of(&panels);
            c2p_cols = panels.start * pk.nr()..panels.start * pk.nr() + width;
            sc.c2p.resize(rows * width, 0.0);
            gemm(&x.q[i0 * ld..], ld, rows, pk, panels, &mut sc.c2p, width, Epilogue::None, Par::Serial);
        }
        profile::part(2, &mut clock);
        let cw = c2p_cols.len();
        let pw = p2c_cols.len();
        if nq == 1 {
            // One query (position 0) reads one p2c column per key, computed above.
            let row = &mut sc.scores[..n];
            let c2p = (cw > 0).then(|| math::Gathered {
                values: &sc.c2p[..cw],
                index: rel.row(&rel.c2p_rev, 0, n),
                offset: c2p_cols.start as u32,
                stride: 0,
            });
            let p2c = x.pos_query.is_some().then(|| math::Gathered { values: &sc.p2c[..n], index: &[], offset: 0, stride: 1 });
            math::relative_scores(row, c2p, p2c, inv_scale);
            math::softmax(row);
        } else {
            let c2p = (cw > 0).then(|| math::RelTerm {
                values: &sc.c2p[..rows * cw],
                stride: cw,
                offset: c2p_cols.start as u32,
                table: &rel.c2p,
                rev: &rel.c2p_rev,
            });
            let p2c = x.pos_query.is_some().then(|| math::RelTerm {
                values: &sc.p2c[..n * pw],
                stride: pw,
                offset: p2c_cols.start as u32,
                table: &rel.p2c,
                rev: &rel.p2c_rev,
            });
            let block = &mut sc.scores[..rows * n];
            math::relative_block(block, n, i0, ml, c2p, p2c, inv_scale);
            for row in block.chunks_exact_mut(n) {
                math::softmax(row);
            }
        }
        profile::part(3, &mut clock);
        // SAFETY: `out` is valid for nq rows of d values at stride ldo, written by this
        // task alone (the caller's contract); rows i0..i0+rows are among them.
        unsafe { gemm_ptr(&sc.scores, n, rows, &sc.vb, 0..sc.vb.panels(), out.add(i0 * ldo), ldo, Epilogue::None, Par::Serial) };
        profile::part(4, &mut clock);
        i0 += rows;
    }
}

