//! The third-order terms a sparse fit may add. A pair's difference d(S) = v(S) - v(N \ S) holds the game's odd
//! Walsh terms; after the linear ones, the largest are usually the products z_i z_j z_k of three players that
//! matter (for a language model: three words that only count together, or one that only counts when two
//! others are gone). A unanimity term c [i, j, k in S] gives each of its players the Shapley value c / 3 but
//! puts only c / 4 on each linear coefficient of d (the Banzhaf share) and c / 4 on z_i z_j z_k; so a fitted
//! product coefficient w contributes w / 3 to each of its three players (its Walsh term's Shapley value:
//! 2 c_T / |T| for a Walsh coefficient c_T of v, and d carries 2 c_T). Candidates are the triples of the
//! players the linear fit found largest, so the columns stay few (at most C(TOP, 3)).

use nalgebra::DMatrix;

/// Players whose triples are candidates, at most.
const TOP: usize = 8;

/// The candidate products over the `TOP` players of largest |coefficient| in `linear` (zero ones excluded):
/// their columns (pairs x triples, from the +-1 signs `z`) and their players.
pub(crate) fn candidates(z: &DMatrix<f64>, linear: &[f64]) -> (DMatrix<f64>, Vec<[usize; 3]>) {
    let mut top: Vec<usize> = (0..linear.len()).filter(|&i| linear[i] != 0.0).collect();
    top.sort_by(|&a, &b| linear[b].abs().total_cmp(&linear[a].abs()).then(a.cmp(&b)));
    top.truncate(TOP);
    top.sort_unstable();
    let mut triples = Vec::new();
    for (a, &i) in top.iter().enumerate() {
        for (b, &j) in top.iter().enumerate().skip(a + 1) {
            for &k in &top[b + 1..] {
                triples.push([i, j, k]);
            }
        }
    }
    let columns = DMatrix::from_fn(z.nrows(), triples.len(), |r, c| {
        let [i, j, k] = triples[c];
        z[(r, i)] * z[(r, j)] * z[(r, k)]
    });
    (columns, triples)
}

/// Shapley values of a fit over the n linear columns followed by the product columns of `triples`.
pub(crate) fn read_off(coefficients: &[f64], n: usize, triples: &[[usize; 3]]) -> Vec<f64> {
    let mut phi = coefficients[..n].to_vec();
    for (w, triple) in coefficients[n..].iter().zip(triples) {
        for &i in triple {
            phi[i] += w / 3.0;
        }
    }
    phi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_the_triples_of_the_largest_players() {
        let z = DMatrix::from_fn(4, 5, |r, c| if (r + c) % 2 == 0 { 1.0 } else { -1.0 });
        let (columns, triples) = candidates(&z, &[0.5, 0.0, -2.0, 1.0, 0.0]);
        assert_eq!(triples, vec![[0, 2, 3]]);
        for r in 0..4 {
            assert_eq!(columns[(r, 0)], z[(r, 0)] * z[(r, 2)] * z[(r, 3)]);
        }
    }

    #[test]
    fn a_product_term_splits_in_thirds() {
        let phi = read_off(&[1.0, 0.0, 0.0, 0.0, 0.3], 4, &[[1, 2, 3]]);
        let want = [1.0, 0.1, 0.1, 0.1];
        assert!(
            phi.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15),
            "{phi:?}"
        );
    }
}
