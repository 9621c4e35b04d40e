//! The top-k removal drop: the model's log-probability of the whole target with every feature kept minus with a
//! ranking's top k features removed (masked with the explanation's masker). A ranking that finds what the model
//! uses gives a large drop. Coalitions shared by several rankings are evaluated once.

use std::collections::HashMap;

use whylm_report::ViewRemovalDrop;
use whylm_shapley::{Coalition, Game, GameError};

/// The k of the drops shown for every view and for the Shapley values.
pub const REMOVAL_KS: [usize; 3] = [1, 3, 5];

/// For each ranking (features, most important first), the drop for every k of `ks` that is at most the number of
/// features. `game` must score log-probabilities; `batch_size` coalitions go to one evaluation.
pub fn removal_drops<G: Game + ?Sized>(
    game: &mut G,
    rankings: &[Vec<usize>],
    ks: &[usize],
    batch_size: usize,
) -> Result<Vec<Vec<ViewRemovalDrop>>, GameError> {
    let n = game.num_players();
    let full = Coalition::full(n);
    let mut distinct: Vec<Coalition> = vec![full.clone()];
    let mut index: HashMap<Coalition, usize> = HashMap::from([(full, 0)]);
    let mut wanted: Vec<Vec<(usize, usize)>> = Vec::with_capacity(rankings.len());
    for ranking in rankings {
        let mut per_k = Vec::new();
        for &k in ks.iter().filter(|&&k| k <= n.min(ranking.len())) {
            let mut kept = Coalition::full(n);
            for &f in &ranking[..k] {
                kept.remove(f);
            }
            let next = distinct.len();
            let at = *index.entry(kept.clone()).or_insert(next);
            if at == next {
                distinct.push(kept);
            }
            per_k.push((k, at));
        }
        wanted.push(per_k);
    }
    let totals = totals(game, &distinct, batch_size)?;
    Ok(wanted
        .into_iter()
        .map(|per_k| {
            per_k
                .into_iter()
                .map(|(k, at)| ViewRemovalDrop {
                    k,
                    drop: totals[0] - totals[at],
                })
                .collect()
        })
        .collect())
}

/// Each coalition's value summed over the game's outputs (the target tokens).
fn totals<G: Game + ?Sized>(
    game: &mut G,
    coalitions: &[Coalition],
    batch_size: usize,
) -> Result<Vec<f64>, GameError> {
    let t = game.num_outputs().max(1);
    let mut out = Vec::with_capacity(coalitions.len());
    for chunk in coalitions.chunks(batch_size.max(1)) {
        let values = game.evaluate(chunk)?;
        out.extend(values.chunks(t).map(|row| row.iter().sum::<f64>()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_shapley::FnGame;

    #[test]
    fn drops_are_full_minus_the_value_without_the_top_k() {
        // v(S) = sum of the kept weights, one output; weights 4, 1, 2.
        let weights = [4.0, 1.0, 2.0];
        let mut calls = 0;
        let drops = {
            let mut game = FnGame::new(3, 1, |c: &Coalition| {
                calls += 1;
                vec![c.iter_kept().map(|i| weights[i]).sum()]
            });
            let rankings = vec![vec![0, 2, 1], vec![0, 1, 2]];
            removal_drops(&mut game, &rankings, &[1, 3, 5], 2).unwrap()
        };
        let pairs = |d: &[ViewRemovalDrop]| d.iter().map(|d| (d.k, d.drop)).collect::<Vec<_>>();
        assert_eq!(pairs(&drops[0]), vec![(1, 4.0), (3, 7.0)]);
        assert_eq!(pairs(&drops[1]), vec![(1, 4.0), (3, 7.0)]);
        // full, without {0}, without everything: shared coalitions are evaluated once
        assert_eq!(calls, 3);
    }
}
