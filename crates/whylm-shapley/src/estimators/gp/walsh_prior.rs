//! A Gaussian prior on a game's interactions, by order, and what it implies for the odd part of
//! the game and for its Shapley values.
//!
//! In the +-1 coding (x_i = 1 if player i is kept, -1 if not) every game is a sum of products
//! v(S) = sum_T beta_T x_T(S), x_T = prod_{i in T} x_i. Only the odd part
//! g(S) = (v(S) - v(N \ S)) / 2 = sum_{|T| odd} beta_T x_T(S) carries Shapley value, and a
//! complementary pair observes it exactly. The Shapley value of the game x_T (|T| = d odd) is 2/d
//! for each player of T and 0 for the others, so phi_i = sum_{T odd, T contains i} (2/|T|) beta_T.
//!
//! The prior: the coefficients are independent, N(0, E_d / C(n, d)) for |T| = d, so E_d is the
//! expected energy of the order-d part. Then cov(g(S), g(S')) depends only on the Hamming
//! distance h between S and S': sum_{d odd} E_d k_d(h), where k_d(h) = K_d(h; n) / C(n, d) is the
//! normalised Krawtchouk polynomial (the mean of x_T(S) x_T(S') over the C(n, d) sets T). And
//! cov(phi_i, g(S)) = x_i(S) (2/n) sum_{d odd} E_d k'_{d-1}(b), with b the number of players other
//! than i missing from S and k' the same polynomials over n - 1 players (C(n-1, d-1) / C(n, d) = d/n).

/// The highest interaction order the prior models. The forward recurrence below loses all
/// accuracy at orders near n/2 once n is in the hundreds (values of 1e34 at n = 200), while up to
/// order 31 it stays within 1e-15 of the definition for n up to 2000 at least; the prior's
/// energies decay geometrically with the order, so what lies beyond is negligible. For n <= 31
/// every order is modelled, which keeps a sample of every coalition exact.
pub(crate) const MAX_ORDER: usize = 31;

/// Normalised Krawtchouk polynomials k_d(h; n) for h in 0..=n and d in 0..=min(n, MAX_ORDER),
/// from the three-term recurrence (n - d) k_{d+1} = (n - 2h) k_d - d k_{d-1}, k_0 = 1; every
/// value lies in [-1, 1].
pub(crate) struct Krawtchouk {
    degrees: usize,
    /// (n + 1) rows h, `degrees` columns d.
    values: Vec<f64>,
}

impl Krawtchouk {
    pub(crate) fn new(n: usize) -> Self {
        let degrees = n.min(MAX_ORDER) + 1;
        let mut values = vec![0.0; (n + 1) * degrees];
        for h in 0..=n {
            let row = &mut values[h * degrees..(h + 1) * degrees];
            row[0] = 1.0;
            for d in 0..degrees - 1 {
                let previous = if d == 0 { 0.0 } else { row[d - 1] };
                row[d + 1] = ((n as f64 - 2.0 * h as f64) * row[d] - d as f64 * previous) / (n - d) as f64;
            }
        }
        Krawtchouk { degrees, values }
    }

    /// k_d(h; n), d <= min(n, MAX_ORDER).
    pub(crate) fn at(&self, h: usize, d: usize) -> f64 {
        self.values[h * self.degrees + d]
    }
}

/// The prior's energy per odd order: E_1 = 1 (the scale is fitted apart), E_3 = `third`, and
/// E_d = E_{d-2} * `decay` for d >= 5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OrderEnergies {
    pub third: f64,
    pub decay: f64,
}

impl OrderEnergies {
    /// E_d for the odd orders d = 1, 3, 5, ... <= min(n, MAX_ORDER), in that order.
    fn by_order(&self, n: usize) -> Vec<f64> {
        let mut out = Vec::new();
        let mut e = self.third;
        for d in (1..=n.min(MAX_ORDER)).step_by(2) {
            out.push(match d {
                1 => 1.0,
                3 => self.third,
                _ => {
                    e *= self.decay;
                    e
                }
            });
        }
        out
    }
}

/// The prior's covariances for one set of players.
pub(crate) struct WalshPrior {
    n: usize,
    all: Krawtchouk,
    /// Over the n - 1 players other than the one whose value is wanted.
    others: Krawtchouk,
}

impl WalshPrior {
    pub(crate) fn new(n: usize) -> Self {
        WalshPrior {
            n,
            all: Krawtchouk::new(n),
            others: Krawtchouk::new(n.saturating_sub(1)),
        }
    }

    /// cov(g(S), g(S')) as a function of the Hamming distance h = 0..=n.
    pub(crate) fn covariance_by_distance(&self, energies: &OrderEnergies) -> Vec<f64> {
        let e = energies.by_order(self.n);
        (0..=self.n)
            .map(|h| {
                e.iter()
                    .enumerate()
                    .map(|(k, e)| e * self.all.at(h, 2 * k + 1))
                    .sum()
            })
            .collect()
    }

    /// cov(phi_i, g(S)) / x_i(S) as a function of b = 0..n-1, the number of players other than i
    /// missing from S.
    pub(crate) fn shapley_covariance_by_missing(&self, energies: &OrderEnergies) -> Vec<f64> {
        let e = energies.by_order(self.n);
        let scale = 2.0 / self.n as f64;
        (0..self.n)
            .map(|b| {
                scale
                    * e.iter()
                        .enumerate()
                        .map(|(k, e)| e * self.others.at(b, 2 * k))
                        .sum::<f64>()
            })
            .collect()
    }

    /// The prior variance of one player's Shapley value: sum_{d odd} 4 E_d / (d n).
    pub(crate) fn shapley_variance(&self, energies: &OrderEnergies) -> f64 {
        energies
            .by_order(self.n)
            .iter()
            .enumerate()
            .map(|(k, e)| 4.0 * e / ((2 * k + 1) as f64 * self.n as f64))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binomial(n: usize, k: usize) -> f64 {
        (0..k).fold(1.0, |acc, j| acc * (n - j) as f64 / (j + 1) as f64)
    }

    fn exact_binomial(n: usize, k: usize) -> i128 {
        (0..k).fold(1i128, |acc, j| acc * (n - j) as i128 / (j + 1) as i128)
    }

    /// K_d(h; n) / C(n, d) = sum_j (-1)^j C(h, j) C(n - h, d - j) / C(n, d), straight from the
    /// definition in exact integers (i128 holds every product for n <= 64).
    fn krawtchouk_by_definition(n: usize, h: usize, d: usize) -> f64 {
        let sum: i128 = (0..=d.min(h))
            .filter(|&j| d - j <= n - h)
            .map(|j| if j % 2 == 0 { 1 } else { -1 } * exact_binomial(h, j) * exact_binomial(n - h, d - j))
            .sum();
        sum as f64 / exact_binomial(n, d) as f64
    }

    #[test]
    fn recurrence_matches_the_definition() {
        for n in [1, 2, 5, 12, 24, 31, 40, 64] {
            let k = Krawtchouk::new(n);
            for h in 0..=n {
                for d in 0..=n.min(MAX_ORDER) {
                    let want = krawtchouk_by_definition(n, h, d);
                    // Rounding accumulates along the recurrence: 2e-9 at n = d = 31, far below
                    // what a prior covariance needs.
                    assert!(
                        (k.at(h, d) - want).abs() < 1e-8,
                        "n {n} h {h} d {d}: {} vs {want}",
                        k.at(h, d)
                    );
                }
            }
        }
    }

    #[test]
    fn covariances_stay_valid_for_thousands_of_players() {
        let energies = OrderEnergies {
            third: 0.5,
            decay: 1.0,
        };
        for n in [500, 3000] {
            let cov = WalshPrior::new(n).covariance_by_distance(&energies);
            // A covariance of unit-variance-scaled terms: finite, largest at distance 0.
            assert!(
                cov.iter()
                    .all(|c| c.is_finite() && c.abs() <= cov[0] * (1.0 + 1e-12)),
                "n {n}"
            );
        }
    }

    /// Brute force over all odd sets T: the covariances the prior implies.
    #[test]
    fn covariances_match_a_sum_over_every_odd_set() {
        let n = 7;
        let energies = OrderEnergies {
            third: 0.3,
            decay: 0.5,
        };
        let e = energies.by_order(n);
        let prior = WalshPrior::new(n);
        let sign = |mask: u32, i: usize| if mask >> i & 1 == 1 { 1.0 } else { -1.0 };
        let product = |mask: u32, t: u32| {
            (0..n)
                .filter(|i| t >> i & 1 == 1)
                .map(|i| sign(mask, i))
                .product::<f64>()
        };
        let variance = |t: u32| {
            let d = t.count_ones() as usize;
            e[(d - 1) / 2] / binomial(n, d)
        };
        let odd_sets: Vec<u32> = (1..1u32 << n).filter(|t| t.count_ones() % 2 == 1).collect();
        let by_distance = prior.covariance_by_distance(&energies);
        let by_missing = prior.shapley_covariance_by_missing(&energies);
        for (s, s2) in [
            (0b1011001u32, 0b0011101u32),
            (0b1111111, 0),
            (0b0100000, 0b0100000),
        ] {
            let want: f64 = odd_sets
                .iter()
                .map(|&t| variance(t) * product(s, t) * product(s2, t))
                .sum();
            let h = (s ^ s2).count_ones() as usize;
            assert!(
                (by_distance[h] - want).abs() < 1e-12,
                "{} vs {want}",
                by_distance[h]
            );
            for i in 0..n {
                let want: f64 = odd_sets
                    .iter()
                    .filter(|&&t| t >> i & 1 == 1)
                    .map(|&t| variance(t) * 2.0 / t.count_ones() as f64 * product(s, t))
                    .sum();
                let b = (0..n).filter(|&j| j != i && s >> j & 1 == 0).count();
                assert!((sign(s, i) * by_missing[b] - want).abs() < 1e-12);
            }
        }
        let want: f64 = odd_sets
            .iter()
            .filter(|&&t| t & 1 == 1)
            .map(|&t| variance(t) * (2.0 / t.count_ones() as f64).powi(2))
            .sum();
        assert!((prior.shapley_variance(&energies) - want).abs() < 1e-12);
    }
}
