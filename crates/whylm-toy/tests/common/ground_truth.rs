//! How often an attribution method's top word is one of a prompt's planted (recall) sources. Shared by the
//! `attribution_ground_truth` test and the `ground_truth` example (whylm-explain is only a dev-dependency).

use whylm_explain::{explain, ExplainModel, ExplainRequest, MethodChoice};
use whylm_model::LoadedModel;
use whylm_shapley::Method;
use whylm_toy::Example;

/// Share of prompts whose top-attributed word is a planted source, per method.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rates {
    pub prompts: usize,
    /// Word-level explanation of the context words with default settings (delete masker, logprob, auto method);
    /// the query words are a never-masked suffix.
    pub shapley: f64,
    /// Leave-one-out with otherwise default settings.
    pub leave_one_out: f64,
    /// Raw attention: last layer, mean over heads, from the position predicting the answer to each prompt word.
    pub attention: f64,
}

/// Index of the largest value (first on ties).
fn argmax(values: impl Iterator<Item = f64>) -> Option<usize> {
    values
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .map(|(i, _)| i)
}

/// The prompt word (by position) that an explanation's top feature covers.
fn top_word(
    loaded: &LoadedModel,
    ex: &Example,
    method: MethodChoice,
) -> Result<Option<usize>, Box<dyn std::error::Error>> {
    let m = ExplainModel {
        backend: loaded,
        info: whylm_report::ModelInfo {
            name: "whylm-toy".into(),
            path: String::new(),
            architecture: "llama".into(),
            ..Default::default()
        },
    };
    // The query at the end (`the white cup has`) is the question, not evidence: it goes into the never-masked
    // suffix so that the features are the context words. Left as features, the final `has` dominates every
    // explanation under the delete masker (without it no digit is expected next at all), which says nothing
    // about which fact the answer was read from.
    let words = ex.words();
    let query_start = ex.cue.first().map_or(words.len(), |c| c.saturating_sub(1));
    let request = ExplainRequest {
        prompt: words[..query_start].join(" "),
        suffix: format!(" {}", words[query_start..].join(" ")),
        target: Some(ex.answer.clone()),
        method,
        ..Default::default()
    };
    let doc = explain(&m, &request, &mut |_| {})?;
    let level = doc.levels.first().ok_or("the explanation has no level")?;
    let Some(top) = argmax(level.phi.iter().map(|row| row.iter().sum::<f64>())) else {
        return Ok(None);
    };
    let start = level.features[top].start;
    Ok(ex.word_spans().iter().position(|span| span.0 == start))
}

/// The prompt word the last layer's mean attention (from the last prompt position) weighs most.
fn top_attended_word(
    loaded: &LoadedModel,
    ex: &Example,
) -> Result<Option<usize>, Box<dyn std::error::Error>> {
    let ids = loaded.tokenizer.encode(&ex.prompt, true)?.ids;
    let maps = loaded.model.attention_probs(&ids)?;
    let (layer, query) = (maps.layers - 1, ids.len() - 1);
    // Token k >= 1 is prompt word k - 1 (one word per token, BOS first).
    let mean = (1..ids.len()).map(|key| {
        (0..maps.heads)
            .filter_map(|head| maps.get(layer, head, query, key))
            .map(f64::from)
            .sum::<f64>()
            / maps.heads as f64
    });
    Ok(argmax(mean))
}

pub fn measure(loaded: &LoadedModel, examples: &[Example]) -> Result<Rates, Box<dyn std::error::Error>> {
    let (mut shapley, mut loo, mut attention) = (0usize, 0usize, 0usize);
    let hit = |word: Option<usize>, ex: &Example| word.is_some_and(|w| ex.sources.contains(&w));
    for ex in examples {
        shapley += usize::from(hit(top_word(loaded, ex, MethodChoice::Auto)?, ex));
        loo += usize::from(hit(
            top_word(loaded, ex, MethodChoice::Fixed(Method::LeaveOneOut))?,
            ex,
        ));
        attention += usize::from(hit(top_attended_word(loaded, ex)?, ex));
    }
    let n = examples.len().max(1) as f64;
    Ok(Rates {
        prompts: examples.len(),
        shapley: shapley as f64 / n,
        leave_one_out: loo as f64 / n,
        attention: attention as f64 / n,
    })
}
