//! Measurement (a): on held-out key-value prompts of the built-in model, how often the interaction between the
//! queried colour and its value word is the strongest positive pair among the top features, and what the
//! strongest pair is when it is not.

use std::collections::BTreeMap;

use whylm_explain::{explain, ExplainModel, ExplainRequest};
use whylm_model::LoadedModel;
use whylm_toy::Example;

/// Counts over the prompts.
#[derive(Debug, Default)]
pub struct InteractionRate {
    pub prompts: usize,
    /// Both the queried colour and the value word among the top K features.
    pub both_in_top: usize,
    /// (queried colour, value) is the strongest positive pair.
    pub query_colour_value: usize,
    /// (the fact's colour, value) is the strongest positive pair.
    pub fact_colour_value: usize,
    /// The strongest positive pair by the roles of its words.
    pub strongest: BTreeMap<String, usize>,
    /// Mean index of (queried colour, value) and of (fact colour, value) where both are in the top K.
    pub query_pair_sum: f64,
    pub query_pair_count: usize,
    pub fact_pair_sum: f64,
    pub fact_pair_count: usize,
    pub evaluations: usize,
    pub reused: usize,
    /// Summed log-probs of the answer with every other word kept and the pair's words absent or present
    /// ([neither, only the colour, only the value, both]), for (queried colour, value) and (fact colour, value).
    pub query_context: [f64; 4],
    pub fact_context: [f64; 4],
}

/// A word's role in a recall prompt.
fn role(ex: &Example, word: usize) -> &'static str {
    let last = ex.words().len() - 1;
    match word {
        w if ex.cue.first() == Some(&w) => "query colour",
        w if ex.cue.get(1) == Some(&w) => "query object",
        w if ex.sources.first() == Some(&w) => "fact colour",
        w if ex.sources.get(1) == Some(&w) => "fact object",
        w if ex.sources.get(2) == Some(&w) => "value",
        w if w == last => "final has",
        _ => "other",
    }
}

/// Explains each prompt (every word a feature, the query included) with `--interactions k` and tallies.
pub fn measure(
    loaded: &LoadedModel,
    examples: &[Example],
    k: usize,
) -> Result<InteractionRate, Box<dyn std::error::Error>> {
    let m = ExplainModel {
        backend: loaded,
        info: whylm_report::ModelInfo::default(),
    };
    let mut rate = InteractionRate::default();
    for ex in examples {
        let request = ExplainRequest {
            prompt: ex.prompt.clone(),
            target: Some(ex.answer.clone()),
            interactions: Some(k),
            ..Default::default()
        };
        let doc = explain(&m, &request, &mut |_| {})?;
        let level = doc.levels.first().ok_or("no level")?;
        let matrix = level.interactions.as_ref().ok_or("no interactions")?;
        let spans = ex.word_spans();
        let word = |f: usize| {
            spans
                .iter()
                .position(|s| s.0 == level.features[f].start)
                .unwrap_or(usize::MAX)
        };
        rate.prompts += 1;
        rate.evaluations += matrix.evaluations;
        rate.reused += matrix.reused;
        let (query_colour, value, fact_colour) = (ex.cue[0], ex.sources[2], ex.sources[0]);
        let words: Vec<usize> = matrix.features.iter().map(|&f| word(f)).collect();
        let at = |w: usize| words.iter().position(|&x| x == w);
        // the pair's coalition values with every other word kept, ordered [neither, colour, value, both]
        let in_context = |colour: usize, value: usize| {
            matrix.pair_values.iter().find_map(|p| {
                let (a, b) = (p.a, p.b);
                let c = p.in_context;
                if a == colour && b == value {
                    Some(c)
                } else if a == value && b == colour {
                    Some([c[0], c[2], c[1], c[3]])
                } else {
                    None
                }
            })
        };
        let add =
            |sum: &mut [f64; 4], values: [f64; 4]| sum.iter_mut().zip(values).for_each(|(s, v)| *s += v);
        if let (Some(q), Some(v)) = (at(query_colour), at(value)) {
            rate.both_in_top += 1;
            rate.query_pair_sum += matrix.matrix[q][v];
            rate.query_pair_count += 1;
            if let Some(values) = in_context(matrix.features[q], matrix.features[v]) {
                add(&mut rate.query_context, values);
            }
        }
        if let (Some(c), Some(v)) = (at(fact_colour), at(value)) {
            rate.fact_pair_sum += matrix.matrix[c][v];
            rate.fact_pair_count += 1;
            if let Some(values) = in_context(matrix.features[c], matrix.features[v]) {
                add(&mut rate.fact_context, values);
            }
        }
        let Some(best) = matrix
            .strongest_pairs()
            .into_iter()
            .filter(|p| p.value > 0.0)
            .max_by(|a, b| a.value.total_cmp(&b.value))
        else {
            *rate.strongest.entry("no positive pair".into()).or_default() += 1;
            continue;
        };
        let (a, b) = (word(best.a), word(best.b));
        let mut roles = [role(ex, a), role(ex, b)];
        roles.sort_unstable();
        *rate
            .strongest
            .entry(format!("{} + {}", roles[0], roles[1]))
            .or_default() += 1;
        let is = |x: usize, y: usize| (a == x && b == y) || (a == y && b == x);
        rate.query_colour_value += usize::from(is(query_colour, value));
        rate.fact_colour_value += usize::from(is(fact_colour, value));
    }
    Ok(rate)
}

impl InteractionRate {
    pub fn print(&self, k: usize) {
        let n = self.prompts.max(1) as f64;
        println!(
            "(a) key-value interactions: {} held-out recall prompts, every word a feature, top {k} features",
            self.prompts
        );
        println!(
            "  queried colour and value both in the top {k}:       {:.3}",
            self.both_in_top as f64 / n
        );
        println!(
            "  strongest positive pair = (queried colour, value): {:.3}",
            self.query_colour_value as f64 / n
        );
        println!(
            "  strongest positive pair = (fact colour, value):    {:.3}",
            self.fact_colour_value as f64 / n
        );
        let mean = |s: f64, c: usize| if c == 0 { f64::NAN } else { s / c as f64 };
        println!(
            "  mean index (queried colour, value): {:+.3} over {}; (fact colour, value): {:+.3} over {}",
            mean(self.query_pair_sum, self.query_pair_count),
            self.query_pair_count,
            mean(self.fact_pair_sum, self.fact_pair_count),
            self.fact_pair_count
        );
        let context = |sum: &[f64; 4], c: usize| sum.map(|s| mean(s, c));
        for (name, sum, count) in [
            ("queried colour", &self.query_context, self.query_pair_count),
            ("fact colour", &self.fact_context, self.fact_pair_count),
        ] {
            let [neither, colour, value, both] = context(sum, count);
            println!(
                "  mean log-prob of the answer, every other word kept: without {name} and value {neither:+.3}, \
                 {name} only {colour:+.3}, value only {value:+.3}, both {both:+.3}"
            );
        }
        println!("  strongest positive pair by roles:");
        for (roles, count) in &self.strongest {
            println!("    {roles:<32} {:.3}", *count as f64 / n);
        }
        println!(
            "  interaction evaluations per prompt: {:.0} new, {:.0} reused from the Shapley run",
            self.evaluations as f64 / n,
            self.reused as f64 / n
        );
    }
}
