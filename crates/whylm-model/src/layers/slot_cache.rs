//! Generation's keys and values: one layer's cache of every slot so far, slot-major and growing by appending, and
//! attention of one new query slot over it. A step costs O(slots) reads and no copy of the cache (joining tensors
//! each step copied all of it).

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
    /// every cached slot; query head h reads key/value head h / (heads / kv_heads).
    pub fn attend(&self, q: &[f32], shape: Heads) -> Vec<f32> {
        let Heads {
            heads,
            kv_heads,
            head_dim: hd,
        } = shape;
        let kv_dim = kv_heads * hd;
        let groups = (heads / kv_heads.max(1)).max(1);
        let slots = self.k.len() / kv_dim.max(1);
        let mut out = vec![0f32; heads * hd];
        let mut probs = vec![0f32; slots];
        for (h, (qh, oh)) in q.chunks_exact(hd).zip(out.chunks_exact_mut(hd)).enumerate() {
            let at = (h / groups) * hd;
            for (t, p) in probs.iter_mut().enumerate() {
                *p = dot(qh, &self.k[t * kv_dim + at..t * kv_dim + at + hd]);
            }
            softmax(&mut probs);
            for (t, p) in probs.iter().enumerate() {
                let vt = &self.v[t * kv_dim + at..t * kv_dim + at + hd];
                for (o, v) in oh.iter_mut().zip(vt) {
                    *o += p * v;
                }
            }
        }
        out
    }
}

/// Dot product summed in 8 lanes (element i into lane i % 8), reduced in a fixed order. Plain multiply and add,
/// not `mul_add`: without FMA in the build's target features, `mul_add` is a call into libm per element.
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
}
