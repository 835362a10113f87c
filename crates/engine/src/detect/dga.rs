//! DGA (domain-generation-algorithm) classifier behind GuardDuty's
//! `Trojan:EC2/DGADomainRequest.B!DNS` and `Trojan:EC2/DGADomainRequest.C!DNS`.
//!
//! # Method
//!
//! The classifier looks at one label: the *registrable* label of the queried name (the label left
//! of the public suffix, see [`registrable_label`]), lower-cased and capped at 63 characters,
//! over a 39-symbol alphabet (`a-z`, `0-9`, `-`, "other", and a boundary marker).
//!
//! 1. **Character trigram language models**, one trained on benign labels and one on DGA labels.
//!    Each predicts a character from the two before it (the label is padded with boundary
//!    markers, so the first characters and the end of the label are predicted too). Probabilities
//!    are Jelinek-Mercer interpolations of add-k smoothed trigram, bigram and unigram estimates
//!    (λ = 0.6/0.3/0.1, k = 0.1), stored as one `ln P` table per class (39³ `f32` each).
//! 2. **Features** of a label: the mean per-character log-likelihood ratio
//!    `ln P(·|DGA) − ln P(·|benign)`, the mean benign log-likelihood (how "pronounceable" the
//!    label is), `ln(length)`, the digit, vowel and non-alphanumeric ratios, the Shannon entropy
//!    of its characters, the longest consonant run, and the rate of letter/digit alternations.
//! 3. A **logistic regression** over the standardised features (Newton/IRLS with a small L2
//!    penalty and class-balanced weights) turns them into a probability-like score in `0..=1`.
//!    To keep the regression from learning how over-confident the n-gram models are on labels
//!    they were trained on, its training features are *cross-fitted*: the labels are split into
//!    5 folds and each fold's features come from n-gram models trained on the other 4. The
//!    n-gram tables finally kept are trained on all labels.
//! 4. The decision **threshold** is the lowest score at which the cross-fitted training
//!    precision is still ≥ 0.95, but never below 0.5.
//!
//! Scoring is a single pass over the label with two table lookups per character, on a stack
//! buffer: no allocation.
//!
//! # Limits
//!
//! Dictionary-based families (matsnu, rovnix: concatenated English words) look like benign
//! names character by character; the DGA model only catches them because it has seen their
//! word lists, so recall on unseen dictionary DGAs is much lower than on random-looking ones.
//! The precision measured on held-out lists assumes their benign/DGA mix; on real traffic, where
//! DGA queries are rare, the share of false positives among alerts is higher, which is why the
//! finding also needs the query pattern (many NXDOMAINs, many distinct names) around it.
//!
//! # Training data and licence
//!
//! No model ships with Warden. The only training lists at hand (`/work/shared/data/intel/dga/`,
//! from Andrey Abakumov's "DGA" repository) are distributed under the GNU GPL v2, benign lists
//! included: its README gives that licence for the whole repository, and the benign lists come
//! from the Alexa top million (Alexa's own terms) and OpenDNS' public domain lists, with no
//! separate licence stated. Whether fitted parameters are a derivative work of the lists is an
//! open question, so the model is trained at run time instead: [`DgaModel::train`] builds it from
//! lists the operator supplies, [`DgaModel::save`]/[`DgaModel::load`] persist it to a path of the
//! operator's choosing, and `examples/train_dga.rs` does both from a directory laid out like the
//! shared one. The tests train on the shared lists at test time and commit nothing derived from
//! them.

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::path::Path;

/// Alphabet: `a-z` = 0..26, `0-9` = 26..36, `-` = 36, anything else = 37, boundary = 38.
const V: usize = 39;
const DASH: u8 = 36;
const OTHER: u8 = 37;
const BOUNDARY: u8 = 38;
/// Longest label scored (the DNS limit); longer ones are truncated.
const MAX_LABEL: usize = 63;
/// Number of features fed to the logistic regression.
const NF: usize = 9;
/// Folds used to cross-fit the regression's features.
const FOLDS: u64 = 5;
/// Interpolation weights (trigram, bigram, unigram) and add-k constant.
const LAMBDA: [f64; 3] = [0.6, 0.3, 0.1];
const ADD_K: f64 = 0.1;
/// Target precision for the threshold, and the threshold's floor.
const TARGET_PRECISION: f64 = 0.95;
const MIN_THRESHOLD: f64 = 0.5;
const MAGIC: &[u8; 8] = b"WDGA\x00\x00\x00\x01";

/// Second-level labels that, under a two-letter country TLD, form a two-part public suffix
/// (`co.uk`, `com.au`, `ac.jp`, ...).
const SECOND_LEVELS: &[&[u8]] = &[
    b"ac", b"co", b"com", b"edu", b"gov", b"net", b"org", b"or", b"ne", b"go", b"gob", b"mil",
    b"nom", b"ltd", b"plc", b"sch", b"info", b"biz", b"gen", b"web", b"gv", b"ed", b"nic",
];

/// A trained DGA classifier. See the module documentation for the method.
#[derive(Clone, PartialEq)]
pub struct DgaModel {
    /// `ln P(c | a b)` under the DGA model, indexed `a*V*V + b*V + c`.
    dga: Vec<f32>,
    /// The same under the benign model.
    benign: Vec<f32>,
    /// Feature standardisation: `(x - mean) / scale`.
    mean: [f64; NF],
    scale: [f64; NF],
    /// Logistic regression over standardised features.
    weights: [f64; NF],
    bias: f64,
    threshold: f64,
}

impl std::fmt::Debug for DgaModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DgaModel")
            .field("weights", &self.weights)
            .field("bias", &self.bias)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

/// The registrable label of `domain`: the label left of the last dot, or left of the last two
/// for well-known two-part suffixes under a country TLD (`co.uk`, `com.au`, ...). A trailing dot
/// and surrounding whitespace are ignored; a name without dots is its own label.
pub fn registrable_label(domain: &str) -> &str {
    let rest = registrable_domain(domain);
    rest.split('.').next().unwrap_or(rest)
}

/// The registrable domain of `domain`: its registrable label (see [`registrable_label`]) and
/// the public suffix after it (`news.bbc.co.uk` → `bbc.co.uk`, `a.b.example.com.` →
/// `example.com`). A name with at most one dot is returned whole (trimmed, without a trailing
/// dot).
pub fn registrable_domain(domain: &str) -> &str {
    let d = domain.trim();
    let d = d.strip_suffix('.').unwrap_or(d);
    &d[registrable_start(d)..]
}

/// Byte offset in `d` (trimmed, no trailing dot) where its registrable label starts.
fn registrable_start(d: &str) -> usize {
    let Some(tld_dot) = d.rfind('.') else {
        return 0;
    };
    let (rest, tld) = (&d[..tld_dot], &d[tld_dot + 1..]);
    let Some(sld_dot) = rest.rfind('.') else {
        return 0;
    };
    let sld = &rest[sld_dot + 1..];
    let two_part = tld.len() == 2
        && SECOND_LEVELS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(sld.as_bytes()));
    if two_part {
        rest[..sld_dot].rfind('.').map_or(0, |i| i + 1)
    } else {
        sld_dot + 1
    }
}

fn symbol(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => b - b'a',
        b'A'..=b'Z' => b - b'A',
        b'0'..=b'9' => 26 + b - b'0',
        b'-' => DASH,
        _ => OTHER,
    }
}

/// Symbols of the registrable label of `domain` into `buf`; returns how many.
fn label_symbols(domain: &str, buf: &mut [u8; MAX_LABEL]) -> usize {
    let label = registrable_label(domain).as_bytes();
    let n = label.len().min(MAX_LABEL);
    for (dst, &b) in buf.iter_mut().zip(&label[..n]) {
        *dst = symbol(b);
    }
    n
}

#[inline]
fn idx(a: u8, b: u8, c: u8) -> usize {
    (a as usize * V + b as usize) * V + c as usize
}

fn is_vowel(s: u8) -> bool {
    matches!(s, 0 | 4 | 8 | 14 | 20)
}

/// The feature vector of a label (given as symbols, at least one) under two trigram tables.
fn features(dga: &[f32], benign: &[f32], sym: &[u8]) -> [f64; NF] {
    let n = sym.len();
    let (mut a, mut b) = (BOUNDARY, BOUNDARY);
    let (mut sd, mut sb) = (0f64, 0f64);
    let mut counts = [0u8; V];
    let (mut digits, mut vowels, mut others) = (0usize, 0usize, 0usize);
    let (mut run, mut max_run, mut switches) = (0usize, 0usize, 0usize);
    let mut prev_digit: Option<bool> = None;
    for &c in sym.iter().chain(std::iter::once(&BOUNDARY)) {
        let i = idx(a, b, c);
        sd += f64::from(dga[i]);
        sb += f64::from(benign[i]);
        (a, b) = (b, c);
        if c == BOUNDARY {
            break;
        }
        counts[c as usize] = counts[c as usize].saturating_add(1);
        let digit = (26..36).contains(&c);
        let letter = c < 26;
        digits += usize::from(digit);
        others += usize::from(!digit && !letter);
        if letter && is_vowel(c) {
            vowels += 1;
        }
        if letter && !is_vowel(c) {
            run += 1;
            max_run = max_run.max(run);
        } else {
            run = 0;
        }
        if digit || letter {
            if prev_digit.is_some_and(|p| p != digit) {
                switches += 1;
            }
            prev_digit = Some(digit);
        }
    }
    let nf = n as f64;
    let mut entropy = 0.0;
    for &k in &counts {
        if k > 0 {
            let p = f64::from(k) / nf;
            entropy -= p * p.log2();
        }
    }
    let trigrams = nf + 1.0;
    [
        (sd - sb) / trigrams,
        sb / trigrams,
        nf.ln(),
        digits as f64 / nf,
        vowels as f64 / nf,
        others as f64 / nf,
        entropy,
        max_run as f64,
        switches as f64 / nf,
    ]
}

/// Interpolated trigram `ln P` table from labels given as symbol sequences.
fn ngram_table<'a>(labels: impl Iterator<Item = &'a [u8]>) -> Vec<f32> {
    let mut tri = vec![0u32; V * V * V];
    for sym in labels {
        let (mut a, mut b) = (BOUNDARY, BOUNDARY);
        for &c in sym.iter().chain(std::iter::once(&BOUNDARY)) {
            tri[idx(a, b, c)] += 1;
            (a, b) = (b, c);
        }
    }
    let mut bi = vec![0u64; V * V];
    let mut uni = [0u64; V];
    let mut ctx2 = vec![0u64; V * V];
    for a in 0..V {
        for b in 0..V {
            for c in 0..V {
                let n = u64::from(tri[(a * V + b) * V + c]);
                bi[b * V + c] += n;
                uni[c] += n;
                ctx2[a * V + b] += n;
            }
        }
    }
    let mut ctx1 = [0u64; V];
    for b in 0..V {
        ctx1[b] = (0..V).map(|c| bi[b * V + c]).sum();
    }
    let total: u64 = uni.iter().sum();
    let kv = ADD_K * V as f64;
    let mut table = vec![0f32; V * V * V];
    for a in 0..V {
        for b in 0..V {
            for c in 0..V {
                let i = (a * V + b) * V + c;
                let p3 = (f64::from(tri[i]) + ADD_K) / (ctx2[a * V + b] as f64 + kv);
                let p2 = (bi[b * V + c] as f64 + ADD_K) / (ctx1[b] as f64 + kv);
                let p1 = (uni[c] as f64 + ADD_K) / (total as f64 + kv);
                let p = LAMBDA[0] * p3 + LAMBDA[1] * p2 + LAMBDA[2] * p1;
                table[i] = p.ln() as f32;
            }
        }
    }
    table
}

/// Deduplicated non-empty label symbol sequences of `domains`.
fn labels_of(domains: &[&str]) -> Vec<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut buf = [0u8; MAX_LABEL];
    for d in domains {
        let n = label_symbols(d, &mut buf);
        if n > 0 && seen.insert(buf[..n].to_vec()) {
            out.push(buf[..n].to_vec());
        }
    }
    out
}

/// FNV-1a, for deterministic splits.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl DgaModel {
    /// Train on benign and DGA domain names (any form: `example.com`, `www.example.co.uk.`; only
    /// the registrable label is used, and duplicate labels count once).
    pub fn train(benign: &[&str], dga: &[&str]) -> DgaModel {
        let benign = labels_of(benign);
        let dga = labels_of(dga);
        let fold = |l: &[u8]| fnv1a(l) % FOLDS;

        // Cross-fitted features for the regression.
        let mut x: Vec<[f64; NF]> = Vec::with_capacity(benign.len() + dga.len());
        let mut y: Vec<bool> = Vec::with_capacity(benign.len() + dga.len());
        for f in 0..FOLDS {
            let t_dga = ngram_table(dga.iter().filter(|l| fold(l) != f).map(|l| &l[..]));
            let t_benign = ngram_table(benign.iter().filter(|l| fold(l) != f).map(|l| &l[..]));
            for (labels, is_dga) in [(&benign, false), (&dga, true)] {
                for l in labels.iter().filter(|l| fold(l) == f) {
                    x.push(features(&t_dga, &t_benign, l));
                    y.push(is_dga);
                }
            }
        }

        let (mean, scale) = standardisation(&x);
        for row in &mut x {
            for j in 0..NF {
                row[j] = (row[j] - mean[j]) / scale[j];
            }
        }
        let (weights, bias) = logistic_regression(&x, &y);
        let scores: Vec<f64> = x.iter().map(|r| sigmoid(bias + dot(&weights, r))).collect();
        let threshold = choose_threshold(&scores, &y);

        DgaModel {
            dga: ngram_table(dga.iter().map(|l| &l[..])),
            benign: ngram_table(benign.iter().map(|l| &l[..])),
            mean,
            scale,
            weights,
            bias,
            threshold,
        }
    }

    /// Probability-like score in `0..=1` that the registrable label of `domain` (see
    /// [`registrable_label`]) is algorithmically generated. An empty label scores 0.
    pub fn score(&self, domain: &str) -> f64 {
        let mut buf = [0u8; MAX_LABEL];
        let n = label_symbols(domain, &mut buf);
        if n == 0 {
            return 0.0;
        }
        let f = features(&self.dga, &self.benign, &buf[..n]);
        let mut z = self.bias;
        for (j, x) in f.iter().enumerate() {
            z += self.weights[j] * (x - self.mean[j]) / self.scale[j];
        }
        let s = sigmoid(z);
        if s.is_nan() { 0.0 } else { s }
    }

    /// Whether [`DgaModel::score`] reaches the threshold chosen at training time.
    pub fn is_dga(&self, domain: &str) -> bool {
        self.score(domain) >= self.threshold
    }

    /// The decision threshold on [`DgaModel::score`].
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Write the model in Warden's compact binary format (little-endian; about 470 KB).
    pub fn save(&self, mut w: impl Write) -> io::Result<()> {
        let mut out = Vec::with_capacity(16 + 8 * V * V * V + 8 * (3 * NF + 2));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(V as u32).to_le_bytes());
        out.extend_from_slice(&(NF as u32).to_le_bytes());
        for t in [&self.dga, &self.benign] {
            for v in t.iter() {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        for v in self
            .mean
            .iter()
            .chain(&self.scale)
            .chain(&self.weights)
            .chain([&self.bias, &self.threshold])
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        w.write_all(&out)?;
        w.flush()
    }

    /// Read a model written by [`DgaModel::save`]; `InvalidData` if it is not one.
    pub fn load(mut r: impl Read) -> io::Result<DgaModel> {
        let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, format!("DGA model: {m}"));
        let mut head = [0u8; 16];
        r.read_exact(&mut head)?;
        if &head[..8] != MAGIC {
            return Err(bad("not a Warden DGA model (bad magic)"));
        }
        if head[8..12] != (V as u32).to_le_bytes() || head[12..16] != (NF as u32).to_le_bytes() {
            return Err(bad("unsupported alphabet or feature count"));
        }
        let mut table = || -> io::Result<Vec<f32>> {
            let mut raw = vec![0u8; 4 * V * V * V];
            r.read_exact(&mut raw)?;
            Ok(raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        };
        let dga = table()?;
        let benign = table()?;
        let mut rest = [0u8; 8 * (3 * NF + 2)];
        r.read_exact(&mut rest)?;
        let mut extra = [0u8; 1];
        if r.read(&mut extra)? != 0 {
            return Err(bad("trailing bytes"));
        }
        let vals: Vec<f64> = rest
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        if dga
            .iter()
            .chain(&benign)
            .any(|v| !v.is_finite() || *v > 0.0)
            || vals.iter().any(|v| !v.is_finite())
        {
            return Err(bad("non-finite or out-of-range parameter"));
        }
        let arr = |i: usize| -> [f64; NF] {
            let mut a = [0.0; NF];
            a.copy_from_slice(&vals[i * NF..(i + 1) * NF]);
            a
        };
        let scale = arr(1);
        if scale.iter().any(|s| *s <= 0.0) {
            return Err(bad("non-positive feature scale"));
        }
        Ok(DgaModel {
            dga,
            benign,
            mean: arr(0),
            scale,
            weights: arr(2),
            bias: vals[3 * NF],
            threshold: vals[3 * NF + 1],
        })
    }
}

fn dot(w: &[f64; NF], x: &[f64; NF]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

fn standardisation(x: &[[f64; NF]]) -> ([f64; NF], [f64; NF]) {
    let mut mean = [0.0; NF];
    let mut scale = [1.0; NF];
    if x.is_empty() {
        return (mean, scale);
    }
    let n = x.len() as f64;
    for j in 0..NF {
        mean[j] = x.iter().map(|r| r[j]).sum::<f64>() / n;
        let var = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
        scale[j] = if var > 1e-12 { var.sqrt() } else { 1.0 };
    }
    (mean, scale)
}

/// L2-penalised logistic regression with class-balanced weights, by Newton's method (IRLS).
fn logistic_regression(x: &[[f64; NF]], y: &[bool]) -> ([f64; NF], f64) {
    const P: usize = NF + 1;
    const L2: f64 = 1e-3;
    let pos = y.iter().filter(|&&v| v).count();
    let neg = y.len() - pos;
    let mut w = [0.0f64; P]; // last = bias
    if pos == 0 || neg == 0 {
        // One class only: a constant model.
        let bias = if pos == 0 { -10.0 } else { 10.0 };
        return ([0.0; NF], if y.is_empty() { -10.0 } else { bias });
    }
    let n = y.len() as f64;
    let (wp, wn) = (n / (2.0 * pos as f64), n / (2.0 * neg as f64));
    for _ in 0..50 {
        let mut grad = [0.0f64; P];
        let mut hess = [[0.0f64; P]; P];
        for (row, &label) in x.iter().zip(y) {
            let mut xi = [1.0f64; P];
            xi[..NF].copy_from_slice(row);
            let p = sigmoid(xi.iter().zip(&w).map(|(a, b)| a * b).sum());
            let (t, cw) = if label { (1.0, wp) } else { (0.0, wn) };
            let g = cw * (p - t);
            let h = cw * (p * (1.0 - p)).max(1e-9);
            for i in 0..P {
                grad[i] += g * xi[i];
                for j in 0..P {
                    hess[i][j] += h * xi[i] * xi[j];
                }
            }
        }
        for i in 0..P {
            grad[i] /= n;
            for h in hess[i].iter_mut() {
                *h /= n;
            }
            if i < NF {
                grad[i] += L2 * w[i];
                hess[i][i] += L2;
            }
        }
        let Some(step) = solve(hess, grad) else { break };
        let mut change = 0.0f64;
        for i in 0..P {
            w[i] -= step[i];
            change = change.max(step[i].abs());
        }
        if change < 1e-8 {
            break;
        }
    }
    let mut weights = [0.0; NF];
    weights.copy_from_slice(&w[..NF]);
    (weights, w[NF])
}

/// Solve `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const P: usize>(mut a: [[f64; P]; P], mut b: [f64; P]) -> Option<[f64; P]> {
    for col in 0..P {
        let piv = (col..P).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..P {
            let f = a[r][col] / a[col][col];
            let pivot = a[col];
            for (x, p) in a[r][col..].iter_mut().zip(&pivot[col..]) {
                *x -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; P];
    for r in (0..P).rev() {
        let s: f64 = (r + 1..P).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Lowest score at which precision (positives = DGA) is still ≥ the target, floored at 0.5.
fn choose_threshold(scores: &[f64], y: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&i, &j| scores[j].total_cmp(&scores[i]));
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best: Option<f64> = None;
    let mut k = 0;
    while k < order.len() {
        // Take all tied scores together.
        let s = scores[order[k]];
        while k < order.len() && scores[order[k]] == s {
            if y[order[k]] {
                tp += 1;
            } else {
                fp += 1;
            }
            k += 1;
        }
        if tp as f64 >= TARGET_PRECISION * (tp + fp) as f64 && tp > 0 {
            best = Some(s);
        }
    }
    best.map_or(1.0, |t| t.max(MIN_THRESHOLD))
}

/// Held-out quality of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Share of names flagged by [`DgaModel::is_dga`] that are DGA names.
    pub precision: f64,
    /// Share of DGA names flagged.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Recall per DGA family, in the order given.
    pub per_family_recall: Vec<(String, f64)>,
    /// Number of benign names evaluated.
    pub held_out_benign: usize,
    /// Number of DGA names evaluated.
    pub held_out_dga: usize,
}

/// Evaluate `model` on held-out benign names and on held-out DGA names grouped by family.
pub fn evaluate(
    model: &DgaModel,
    benign_held_out: &[&str],
    dga_held_out: &[(String, Vec<String>)],
) -> Evaluation {
    let fp = benign_held_out.iter().filter(|d| model.is_dga(d)).count();
    let mut tp = 0usize;
    let mut total = 0usize;
    let mut per_family_recall = Vec::with_capacity(dga_held_out.len());
    for (family, names) in dga_held_out {
        let hit = names.iter().filter(|d| model.is_dga(d)).count();
        tp += hit;
        total += names.len();
        per_family_recall.push((family.clone(), ratio(hit, names.len())));
    }
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, total);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Evaluation {
        precision,
        recall,
        f1,
        per_family_recall,
        held_out_benign: benign_held_out.len(),
        held_out_dga: total,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Benign list files of the shared training directory.
pub const BENIGN_FILES: &[&str] = &["alexa_1000.txt", "opendns-top-domains.txt"];
/// DGA family files of the shared training directory, as `(family, file)`.
pub const DGA_FILES: &[(&str, &str)] = &[
    ("conficker", "conficker_1000.txt"),
    ("cryptolocker", "cryptolocker_1000.txt"),
    ("matsnu", "matsnu_1000.txt"),
    ("pushdo", "pushdo_1000.txt"),
    ("ramdo", "ramdo_1000.txt"),
    ("rovnix", "rovnix_1000.txt"),
    ("tinba", "tinba_1000.txt"),
    ("zeus", "zeus_1000.txt"),
    ("others", "others_dga.txt"),
];

/// Whether `domain` belongs to the deterministic 30 % hold-out: decided by a hash of its
/// registrable label (lower-cased), so one label never lands on both sides.
pub fn is_held_out(domain: &str) -> bool {
    let mut buf = [0u8; MAX_LABEL];
    let n = label_symbols(domain, &mut buf);
    fnv1a(&buf[..n]) % 10 < 3
}

/// The domain names of a list file: one per line; blank lines and `#` comments skipped, and of
/// `rank,domain` CSV lines (as the Alexa list ships) the last field. Bytes that are not UTF-8
/// are replaced, not refused.
pub fn read_list(path: &Path) -> io::Result<Vec<String>> {
    let text = std::fs::read(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.rsplit(',').next().unwrap_or(l).trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect())
}

/// Training lists of a directory laid out like the shared DGA data set ([`BENIGN_FILES`],
/// [`DGA_FILES`]; one name per line, blank and `#` lines skipped), split 70/30 by
/// [`is_held_out`] within every file.
#[derive(Debug, Clone, Default)]
pub struct TrainingSet {
    /// Benign names to train on (70 %).
    pub benign_train: Vec<String>,
    /// Held-out benign names (30 %).
    pub benign_held_out: Vec<String>,
    /// DGA names of every family to train on (70 %).
    pub dga_train: Vec<String>,
    /// Held-out DGA names per family.
    pub dga_held_out: Vec<(String, Vec<String>)>,
}

impl TrainingSet {
    /// Read every list of `dir`; a missing file is an error.
    pub fn load(dir: &Path) -> io::Result<TrainingSet> {
        let mut benign = Vec::new();
        for file in BENIGN_FILES {
            benign.extend(read_list(&dir.join(file))?);
        }
        let mut dga = Vec::new();
        for (family, file) in DGA_FILES {
            dga.push(((*family).to_owned(), read_list(&dir.join(file))?));
        }
        Ok(TrainingSet::from_lists(benign, dga))
    }

    /// Split benign names and DGA names (per family) 70/30 by [`is_held_out`].
    pub fn from_lists(benign: Vec<String>, dga: Vec<(String, Vec<String>)>) -> TrainingSet {
        let mut set = TrainingSet::default();
        for d in benign {
            if is_held_out(&d) {
                set.benign_held_out.push(d);
            } else {
                set.benign_train.push(d);
            }
        }
        for (family, names) in dga {
            let mut held = Vec::new();
            for d in names {
                if is_held_out(&d) {
                    held.push(d);
                } else {
                    set.dga_train.push(d);
                }
            }
            set.dga_held_out.push((family, held));
        }
        set
    }

    /// Train a model on the 70 % side.
    pub fn train(&self) -> DgaModel {
        let benign: Vec<&str> = self.benign_train.iter().map(String::as_str).collect();
        let dga: Vec<&str> = self.dga_train.iter().map(String::as_str).collect();
        DgaModel::train(&benign, &dga)
    }

    /// Evaluate `model` on the 30 % side.
    pub fn evaluate(&self, model: &DgaModel) -> Evaluation {
        let benign: Vec<&str> = self.benign_held_out.iter().map(String::as_str).collect();
        evaluate(model, &benign, &self.dga_held_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::OnceLock;

    fn data_dir() -> Option<PathBuf> {
        let candidates = [
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/intel/dga"
            )),
            PathBuf::from("/work/shared/data/intel/dga"),
        ];
        candidates
            .into_iter()
            .find(|d| d.join(BENIGN_FILES[0]).is_file())
    }

    /// The shared lists and a model trained on their 70 % side, once per test binary.
    fn trained() -> Option<&'static (TrainingSet, DgaModel)> {
        static CELL: OnceLock<Option<(TrainingSet, DgaModel)>> = OnceLock::new();
        CELL.get_or_init(|| {
            let Some(dir) = data_dir() else {
                eprintln!("skipping: DGA training lists not found (/work/shared/data/intel/dga)");
                return None;
            };
            let set = TrainingSet::load(&dir).expect("read DGA training lists");
            let model = set.train();
            Some((set, model))
        })
        .as_ref()
    }

    /// A tiny synthetic model, independent of the shared lists.
    fn toy() -> DgaModel {
        let benign = [
            "google.com",
            "facebook.com",
            "amazon.co.uk",
            "wikipedia.org",
            "weather.com",
            "microsoft.com",
            "apple.com",
            "netflix.com",
            "github.com",
            "stackoverflow.com",
            "reddit.com",
            "linkedin.com",
            "twitter.com",
            "yahoo.co.jp",
            "bbc.co.uk",
            "nytimes.com",
            "instagram.com",
            "paypal.com",
            "dropbox.com",
            "spotify.com",
        ];
        let dga = [
            "xkqjzvbw.com",
            "qpzmxnvb.net",
            "zzkqjxwv.biz",
            "vbnmqwrt.info",
            "jxqkzptv.org",
            "wqzxkjvb.ru",
            "pmqzxvkj.cn",
            "kjqxzvwp.ws",
            "bvxqzkjm.net",
            "tqzxjkvb.com",
            "x7kq9zv2.com",
            "q1p8z3m4.net",
            "zz9q8x7w.biz",
            "v0b9n8m7.info",
            "j6x5q4k3.org",
            "w2q3z4x5.ru",
            "p9m8q7z6.cn",
            "k1j2q3x4.ws",
            "b5v6x7q8.net",
            "t3q4z5x6.com",
        ];
        DgaModel::train(&benign, &dga)
    }

    #[test]
    fn registrable_labels() {
        assert_eq!(registrable_label("www.example.com"), "example");
        assert_eq!(registrable_label("www.example.com."), "example");
        assert_eq!(registrable_label("example.com"), "example");
        assert_eq!(registrable_label("news.bbc.co.uk"), "bbc");
        assert_eq!(registrable_label("shop.example.com.au"), "example");
        assert_eq!(registrable_label("co.uk"), "co");
        assert_eq!(registrable_label("example.co"), "example");
        assert_eq!(registrable_label("a.b.example.de"), "example");
        assert_eq!(registrable_label("localhost"), "localhost");
        assert_eq!(registrable_label(" Example.COM \n"), "Example");
        assert_eq!(registrable_label(""), "");
        assert_eq!(registrable_label("."), "");
        assert_eq!(registrable_label("com."), "com");
        assert_eq!(registrable_label("..co.uk"), "");
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable_domain("www.example.com."), "example.com");
        assert_eq!(registrable_domain("news.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(
            registrable_domain("a.b.shop.example.com.au"),
            "example.com.au"
        );
        assert_eq!(
            registrable_domain("x.y.loganding123test.com"),
            "loganding123test.com"
        );
        assert_eq!(registrable_domain("co.uk"), "co.uk");
        assert_eq!(registrable_domain("localhost"), "localhost");
        assert_eq!(registrable_domain(" Example.COM \n"), "Example.COM");
        assert_eq!(registrable_domain(""), "");
        assert_eq!(registrable_domain("."), "");
        assert_eq!(registrable_domain("..co.uk"), ".co.uk");
    }

    #[test]
    fn toy_model_separates_obvious_cases() {
        let m = toy();
        assert!(m.score("mzqxkvjw.com") > m.score("goodbook.com"));
        assert!(m.score("zqkxjwvb.net") > 0.5, "{}", m.score("zqkxjwvb.net"));
        assert!(m.score("facebook.com") < 0.5, "{}", m.score("facebook.com"));
        assert!((0.5..=1.0).contains(&m.threshold()));
    }

    #[test]
    fn scores_are_bounded_and_never_panic() {
        let m = toy();
        let long = "x".repeat(500) + ".com";
        let odd = [
            "",
            ".",
            "..",
            "...",
            "com",
            "a",
            "-",
            "_dmarc.example.com",
            "xn--bcher-kva.de",
            "bücher.de",
            "日本.jp",
            "\u{0}\u{1}.com",
            " ",
            "a.b.c.d.e.f.g",
            "1.2.3.4",
            "ABC.COM",
            long.as_str(),
            "..co.uk",
            "co.uk.",
        ];
        for d in odd {
            let s = m.score(d);
            assert!((0.0..=1.0).contains(&s), "{d:?}: {s}");
            let _ = m.is_dga(d);
        }
        assert_eq!(m.score(""), 0.0);
        // Case and trailing dot do not matter.
        assert_eq!(m.score("XKQJZVBW.com."), m.score("xkqjzvbw.com"));
    }

    #[test]
    fn degenerate_training_sets() {
        for (b, d) in [
            (&[][..], &[][..]),
            (&["example.com"][..], &[][..]),
            (&[][..], &["xkqjzvbw.com"][..]),
            (&["", "."][..], &["", ".."][..]),
        ] {
            let m = DgaModel::train(b, d);
            let s = m.score("example.com");
            assert!((0.0..=1.0).contains(&s), "{s}");
        }
    }

    #[test]
    fn save_load_round_trip() {
        let m = toy();
        let mut bytes = Vec::new();
        m.save(&mut bytes).unwrap();
        let back = DgaModel::load(&bytes[..]).unwrap();
        assert_eq!(back, m);
        for d in ["xkqjzvbw.com", "google.com", "news.bbc.co.uk"] {
            assert_eq!(back.score(d), m.score(d));
        }
        // Damaged files are refused, not panicked on.
        assert!(DgaModel::load(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(DgaModel::load(&longer[..]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] ^= 1;
        assert!(DgaModel::load(&wrong[..]).is_err());
        let mut nan = bytes.clone();
        nan[16..20].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(DgaModel::load(&nan[..]).is_err());
        assert!(DgaModel::load(&[][..]).is_err());
    }

    #[test]
    fn split_is_deterministic_and_about_30_percent() {
        assert_eq!(is_held_out("example.com"), is_held_out("www.EXAMPLE.com."));
        let held = (0..10_000)
            .filter(|i| is_held_out(&format!("name{i}.com")))
            .count();
        assert!((2_700..=3_300).contains(&held), "{held}");
    }

    #[test]
    fn held_out_precision_and_recall() {
        let Some((set, model)) = trained() else {
            return;
        };
        let e = set.evaluate(model);
        eprintln!(
            "DGA held-out: {} benign, {} DGA; threshold {:.3}; precision {:.4}, recall {:.4}, F1 {:.4}",
            e.held_out_benign,
            e.held_out_dga,
            model.threshold(),
            e.precision,
            e.recall,
            e.f1
        );
        for (family, r) in &e.per_family_recall {
            eprintln!("  recall {family:<13} {r:.4}");
        }
        // Extra, out-of-distribution benign check: OpenDNS' random domain sample (not used for
        // training) — the share flagged is the false-positive rate on unseen benign names.
        if let Some(dir) = data_dir()
            && let Ok(text) = std::fs::read_to_string(dir.join("opendns-random-domains.txt"))
        {
            let names: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let flagged = names.iter().filter(|d| model.is_dga(d)).count();
            eprintln!(
                "  opendns-random-domains: {flagged} of {} flagged (FPR {:.4})",
                names.len(),
                ratio(flagged, names.len())
            );
        }
        assert!(e.held_out_benign > 2_000 && e.held_out_dga > 2_000);
        assert!(e.precision >= 0.9, "precision {}", e.precision);
        assert!(e.recall >= 0.7, "recall {}", e.recall);
    }

    #[test]
    fn trained_model_round_trips() {
        let Some((set, model)) = trained() else {
            return;
        };
        let mut bytes = Vec::new();
        model.save(&mut bytes).unwrap();
        let back = DgaModel::load(&bytes[..]).unwrap();
        for d in set.benign_held_out.iter().take(200) {
            assert_eq!(back.score(d), model.score(d));
        }
    }
}
