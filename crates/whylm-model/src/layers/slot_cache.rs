//! Generation's keys and values: one layer's cache of every slot so far, slot-major and growing by appending, and
//! attention of one new query slot over it. A step costs O(slots) reads and no copy of the cache (joining tensors
//! each step copied all of it).

use rayon::prelude::*;

/// One layer's keys and values, slot-major: slot t's keys are `k[t * kv_dim..(t + 1) * kv_dim]` (kv_heads x
/// head_dim), its values the same range of `v`.
#[derive(Debug, Clone, Default)]
pub(crate) struct SlotCache {
    pub k: Vec<f32>,
    pub v: Vec<f32>,
}

/// The head layout of one layer's attention.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Heads {
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
}

impl SlotCache {
    /// Appends slots whose keys and values are given slot-major (see [`SlotCache`]).
    pub fn push(&mut self, k: &[f32], v: &[f32]) {
        self.k.extend_from_slice(k);
        self.v.extend_from_slice(v);
    }

    /// Attention output (heads x head_dim) of the query `q` (heads x head_dim, already scaled and rotated) over
    /// every cached slot; query head h reads key/value head h / (heads / kv_heads). Heads run in parallel once
    /// the cache is long enough to pay for it; each head's arithmetic is the same either way.
    pub fn attend(&self, q: &[f32], shape: Heads) -> Vec<f32> {
        // Below this many multiply-adds a head's work is shorter than handing it to another thread.
        let parallel = self.k.len() / shape.kv_heads.max(1) * shape.heads >= 1 << 15;
        self.attend_heads(q, shape, parallel)
    }

    fn attend_heads(&self, q: &[f32], shape: Heads, parallel: bool) -> Vec<f32> {
        let Heads {
            heads,
            kv_heads,
            head_dim: hd,
        } = shape;
        let kv_dim = kv_heads * hd;
        let groups = (heads / kv_heads.max(1)).max(1);
        let slots = self.k.len() / kv_dim.max(1);
        let mut out = vec![0f32; heads * hd];
        let one_head = |probs: &mut Vec<f32>, (h, (qh, oh)): (usize, (&[f32], &mut [f32]))| {
            probs.resize(slots, 0.0);
            let kv = KvHead {
                k: &self.k,
                v: &self.v,
                at: (h / groups) * hd,
                kv_dim,
            };
            attend_head(kv, qh, probs, oh);
        };
        if !parallel {
            let mut probs = Vec::new();
            q.chunks_exact(hd)
                .zip(out.chunks_exact_mut(hd))
                .enumerate()
                .for_each(|head| one_head(&mut probs, head));
        } else {
            q.par_chunks_exact(hd)
                .zip(out.par_chunks_exact_mut(hd))
                .enumerate()
                .for_each_init(Vec::new, one_head);
        }
        out
    }
}

/// Where one key/value head lies in a layer's slot-major cache: at offset `at` of each slot's `kv_dim` values.
#[derive(Clone, Copy)]
struct KvHead<'a> {
    k: &'a [f32],
    v: &'a [f32],
    at: usize,
    kv_dim: usize,
}

/// One query head `qh` over every slot of `kv` into `oh`; `probs` holds one value per slot. With AVX2 where the
/// CPU has it: the same operations in the same order (no fused multiply-add), so the same bits, on wider vectors.
fn attend_head(kv: KvHead<'_>, qh: &[f32], probs: &mut [f32], oh: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present.
        return unsafe { attend_head_avx2(kv, qh, probs, oh) };
    }
    attend_head_plain(kv, qh, probs, oh);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn attend_head_avx2(kv: KvHead<'_>, qh: &[f32], probs: &mut [f32], oh: &mut [f32]) {
    attend_head_plain(kv, qh, probs, oh);
}

#[inline(always)]
fn attend_head_plain(kv: KvHead<'_>, qh: &[f32], probs: &mut [f32], oh: &mut [f32]) {
    let (hd, KvHead { k, v, at, kv_dim }) = (qh.len(), kv);
    for (t, p) in probs.iter_mut().enumerate() {
        *p = dot(qh, &k[t * kv_dim + at..t * kv_dim + at + hd]);
    }
    softmax(probs);
    for (t, p) in probs.iter().enumerate() {
        let vt = &v[t * kv_dim + at..t * kv_dim + at + hd];
        for (o, v) in oh.iter_mut().zip(vt) {
            *o += p * v;
        }
    }
}

/// Dot product summed in 8 lanes (element i into lane i % 8), reduced in a fixed order. Plain multiply and add,
/// not `mul_add`: without FMA in the build's target features, `mul_add` is a call into libm per element.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (xa, xb) in ca.zip(cb) {
        for l in 0..8 {
            lanes[l] += xa[l] * xb[l];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[inline(always)]
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f32;
    for x in row.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    row.iter_mut().for_each(|x| *x /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two query heads share one key/value head; with two slots the output is the softmax-weighted mix of the
    /// two value rows, computed here by hand.
    #[test]
    fn one_query_attends_to_every_cached_slot_of_its_kv_head() {
        let mut cache = SlotCache::default();
        cache.push(&[1.0, 0.0], &[10.0, 20.0]);
        cache.push(&[0.0, 1.0], &[30.0, 40.0]);
        let shape = Heads {
            heads: 2,
            kv_heads: 1,
            head_dim: 2,
        };
        let out = cache.attend(&[2.0, 0.0, 0.0, 0.0], shape);
        let p0 = 2f32.exp() / (2f32.exp() + 1.0);
        let want = [
            10.0 * p0 + 30.0 * (1.0 - p0),
            20.0 * p0 + 40.0 * (1.0 - p0),
            20.0,
            30.0,
        ];
        for (o, w) in out.iter().zip(want) {
            assert!((o - w).abs() < 1e-4, "{out:?} vs {want:?}");
        }
    }

    /// A cache long enough for the heads to run in parallel: the same bits as one head after another, and the
    /// softmax-weighted values of an f64 reference.
    #[test]
    fn heads_in_parallel_give_the_serial_bits_and_the_reference_values() {
        let shape = Heads {
            heads: 8,
            kv_heads: 4,
            head_dim: 64,
        };
        let value = |i: usize| ((i * 7919 % 1013) as f32 / 1013.0 - 0.5) * 0.3;
        let mut cache = SlotCache::default();
        let slots = 80;
        for t in 0..slots {
            let k: Vec<f32> = (0..256).map(|i| value(t * 256 + i)).collect();
            let v: Vec<f32> = (0..256).map(|i| value(t * 256 + i + 99)).collect();
            cache.push(&k, &v);
        }
        let q: Vec<f32> = (0..512).map(|i| value(i + 5) * 4.0).collect();
        assert!(
            cache.k.len() / shape.kv_heads * shape.heads >= 1 << 15,
            "attend takes the parallel path"
        );
        let parallel = cache.attend(&q, shape);
        let serial = cache.attend_heads(&q, shape, false);
        assert_eq!(
            parallel.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            serial.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        for h in 0..8 {
            let at = (h / 2) * 64;
            let scores: Vec<f64> = (0..slots)
                .map(|t| {
                    (0..64)
                        .map(|d| q[h * 64 + d] as f64 * cache.k[t * 256 + at + d] as f64)
                        .sum()
                })
                .collect();
            let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let weights: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
            let total: f64 = weights.iter().sum();
            for d in 0..64 {
                let want: f64 = (0..slots)
                    .map(|t| weights[t] / total * cache.v[t * 256 + at + d] as f64)
                    .sum();
                assert!(
                    (parallel[h * 64 + d] as f64 - want).abs() < 1e-5,
                    "head {h} dim {d}"
                );
            }
        }
    }
}
