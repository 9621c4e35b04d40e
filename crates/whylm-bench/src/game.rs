//! The benchmark's language-model game: a coalition of prompt tokens becomes a delete-masked
//! row (the leading `fixed` tokens, e.g. BOS, always kept) scored by `Model::score_rows`.
//! It stands in for whylm-explain's game so the suite depends only on the model and the engine.

use whylm_model::{masked_row, MaskedRow, Masker, Model, ScoreKind};
use whylm_shapley::{Coalition, Game, GameError};

pub struct DeleteGame<'a> {
    model: &'a Model,
    prompt: Vec<u32>,
    fixed: usize,
    target: Vec<u32>,
    kind: ScoreKind,
}

impl<'a> DeleteGame<'a> {
    /// Players are the prompt tokens after the first `fixed`, in order.
    pub fn new(model: &'a Model, prompt: &[u32], fixed: usize, target: &[u32], kind: ScoreKind) -> Self {
        Self {
            model,
            prompt: prompt.to_vec(),
            fixed: fixed.min(prompt.len()),
            target: target.to_vec(),
            kind,
        }
    }

    /// The row that `coalition` stands for.
    pub fn row(&self, coalition: &Coalition) -> MaskedRow {
        let keep: Vec<bool> = (0..self.prompt.len())
            .map(|i| i < self.fixed || coalition.contains(i - self.fixed))
            .collect();
        masked_row(&self.prompt, &keep, &Masker::Delete)
    }
}

impl Game for DeleteGame<'_> {
    fn num_players(&self) -> usize {
        self.prompt.len() - self.fixed
    }

    fn num_outputs(&self) -> usize {
        self.target.len()
    }

    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        let rows: Vec<MaskedRow> = coalitions.iter().map(|c| self.row(c)).collect();
        let scores = self
            .model
            .score_rows(&rows, &self.target, &self.kind)
            .map_err(|e| GameError::with_source("scoring the masked prompts failed", e))?;
        Ok(scores.into_iter().flatten().map(f64::from).collect())
    }
}
