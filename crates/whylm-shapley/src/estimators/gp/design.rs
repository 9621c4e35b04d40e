//! The sampled points and what the prior's covariance needs of them, computed once per explanation.
//!
//! The covariance of two points under any setting of the prior is `by_distance[hamming(r, s)] + selected *
//! overlap(r, s)`, where `overlap` is the dot product of the two points' selected-triple parities. Neither the
//! distance nor the overlap depends on the prior or on the output, so both are tabulated here once, as exact
//! integers, and every likelihood evaluation of every output only looks them up: building the matrix used to
//! recompute the overlap (a dot product over the triples) for each of its entries on every evaluation, which was
//! most of gp's cost.

use faer::Mat;

use super::cholesky::Factor;

use super::Prior;
use crate::coalition::Coalition;
use crate::estimators::cubic_surrogate::parity;

/// Diagonal jitter, relative to the prior variance, first tried and largest tried: the
/// observations are exact, but high orders get tiny variances and the matrix can be near singular.
const JITTER: (f64, f64) = (1e-10, 1e-4);

/// The distances and triple overlaps among some of the points (all of them, or the fit's subset), row-major.
pub(super) struct PointTable {
    len: usize,
    distance: Vec<u32>,
    overlap: Vec<i32>,
}

impl PointTable {
    fn new(design: &Design, subset: &[usize]) -> Self {
        let len = subset.len();
        let mut distance = vec![0; len * len];
        let mut overlap = vec![0; len * len];
        for (a, &r) in subset.iter().enumerate() {
            for (b, &s) in subset.iter().enumerate().take(a + 1) {
                let h =
                    design.sizes[r] + design.sizes[s] - 2 * design.points[r].shared_with(&design.points[s]);
                let o: i32 = design.parities[r]
                    .iter()
                    .zip(&design.parities[s])
                    .map(|(x, y)| i32::from(*x) * i32::from(*y))
                    .sum();
                let h = u32::try_from(h).unwrap_or(u32::MAX);
                distance[a * len + b] = h;
                distance[b * len + a] = h;
                overlap[a * len + b] = o;
                overlap[b * len + a] = o;
            }
        }
        PointTable {
            len,
            distance,
            overlap,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The prior covariance over these points, jittered, factorised; `None` when no jitter up to the largest
    /// makes it positive definite.
    pub(super) fn factor(&self, prior: &Prior, triples: usize) -> Option<Factor> {
        let len = self.len;
        // The tables are symmetric: read them along columns, the order in which the matrix is filled.
        let k = Mat::from_fn(len, len, |a, b| {
            let at = b * len + a;
            prior.by_distance[self.distance[at] as usize] + prior.selected * f64::from(self.overlap[at])
        });
        let diagonal = prior.by_distance[0] + prior.selected * triples as f64;
        let mut jitter = JITTER.0;
        while jitter <= JITTER.1 {
            let mut jittered = k.clone();
            for d in 0..len {
                jittered[(d, d)] += jitter * diagonal;
            }
            if let Some(c) = Factor::new(jittered) {
                return Some(c);
            }
            jitter *= 100.0;
        }
        None
    }
}

/// The sampled points: their signs and sizes, the selected triples and each point's parity on them.
pub(super) struct Design {
    pub(super) n: usize,
    points: Vec<Coalition>,
    sizes: Vec<usize>,
    /// Per point: the signs x_i (+1 kept, -1 missing) and the number of missing players.
    pub(super) signs: Vec<Vec<f64>>,
    pub(super) missing: Vec<usize>,
    /// The selected triples and, per point, each one's product x_T (+1 or -1).
    pub(super) triples: Vec<[usize; 3]>,
    parities: Vec<Vec<i8>>,
}

impl Design {
    pub(super) fn new(n: usize, points: &[Coalition], triples: &[[usize; 3]]) -> Self {
        let sizes: Vec<usize> = points.iter().map(Coalition::len).collect();
        Design {
            n,
            points: points.to_vec(),
            signs: points
                .iter()
                .map(|c| (0..n).map(|i| if c.contains(i) { 1.0 } else { -1.0 }).collect())
                .collect(),
            missing: sizes.iter().map(|s| n - s).collect(),
            sizes,
            triples: triples.to_vec(),
            parities: points
                .iter()
                .map(|c| {
                    triples
                        .iter()
                        .map(|t| if parity(c, t) > 0.0 { 1 } else { -1 })
                        .collect()
                })
                .collect(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.missing.len()
    }

    /// The product x_T of point `r` on selected triple `k`.
    pub(super) fn product(&self, r: usize, k: usize) -> f64 {
        f64::from(self.parities[r][k])
    }

    /// The distances and overlaps among the points `subset`.
    pub(super) fn table(&self, subset: &[usize]) -> PointTable {
        PointTable::new(self, subset)
    }
}
