//! Nelder-Mead minimisation in a few dimensions, for the handful of prior parameters fitted by
//! marginal likelihood (no gradient needed; a dependency for one small loop was not worth it).

/// Minimises `f` from `start` with initial steps `step` (one per dimension), within `max_evals`
/// evaluations of `f`; returns the best point and its value. Non-finite values count as
/// +infinity, so a function can wall off what it does not accept.
pub(crate) fn minimize(
    mut f: impl FnMut(&[f64]) -> f64,
    start: &[f64],
    step: &[f64],
    max_evals: usize,
) -> (Vec<f64>, f64) {
    let dims = start.len();
    let mut eval = |p: &[f64]| {
        let v = f(p);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(dims + 1);
    simplex.push((start.to_vec(), eval(start)));
    for d in 0..dims {
        let mut p = start.to_vec();
        p[d] += step[d];
        let v = eval(&p);
        simplex.push((p, v));
    }
    let mut evals = dims + 1;
    // a + t (b - a)
    let along = |a: &[f64], b: &[f64], t: f64| -> Vec<f64> {
        a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect()
    };
    while evals + 2 <= max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst, second_worst) = (simplex[0].1, simplex[dims].1, simplex[dims - 1].1);
        if (worst - best).abs() <= 1e-9 * (1.0 + best.abs()) {
            break;
        }
        let mut centroid = vec![0.0; dims];
        for (p, _) in &simplex[..dims] {
            for (c, x) in centroid.iter_mut().zip(p) {
                *c += x / dims as f64;
            }
        }
        let worst_point = simplex[dims].0.clone();
        let reflected = along(&worst_point, &centroid, 2.0);
        let r = eval(&reflected);
        evals += 1;
        if r < best {
            let expanded = along(&worst_point, &centroid, 3.0);
            let e = eval(&expanded);
            evals += 1;
            simplex[dims] = if e < r { (expanded, e) } else { (reflected, r) };
        } else if r < second_worst {
            simplex[dims] = (reflected, r);
        } else {
            let contracted = along(&worst_point, &centroid, if r < worst { 1.5 } else { 0.5 });
            let c = eval(&contracted);
            evals += 1;
            if c < worst.min(r) {
                simplex[dims] = (contracted, c);
            } else {
                // Shrink towards the best point.
                let best_point = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let p = along(&best_point, &vertex.0, 0.5);
                    *vertex = (p.clone(), eval(&p));
                    evals += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_skewed_quadratic() {
        let f = |p: &[f64]| (p[0] - 1.5).powi(2) + 10.0 * (p[1] + 2.0 - 0.5 * p[0]).powi(2);
        let (p, v) = minimize(f, &[-3.0, 4.0], &[1.0, 1.0], 400);
        assert!((p[0] - 1.5).abs() < 1e-3 && (p[1] + 1.25).abs() < 1e-3, "{p:?}");
        assert!(v < 1e-6);
    }

    #[test]
    fn minimises_in_three_dimensions() {
        let f = |p: &[f64]| (p[0] - 1.0).powi(2) + 2.0 * (p[1] + 1.0).powi(2) + 0.5 * (p[2] - 3.0).powi(2);
        let (p, _) = minimize(f, &[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], 600);
        assert!(
            (p[0] - 1.0).abs() < 1e-3 && (p[1] + 1.0).abs() < 1e-3 && (p[2] - 3.0).abs() < 1e-3,
            "{p:?}"
        );
    }

    #[test]
    fn treats_non_finite_values_as_walls() {
        // Undefined (NaN) left of x = 0; the minimum sits at x = 0.5.
        let f = |p: &[f64]| {
            if p[0] < 0.0 {
                f64::NAN
            } else {
                (p[0] - 0.5).powi(2) + p[1].powi(2)
            }
        };
        let (p, _) = minimize(f, &[2.0, 1.0], &[-1.0, -1.0], 400);
        assert!((p[0] - 0.5).abs() < 1e-3 && p[1].abs() < 1e-3, "{p:?}");
    }
}
