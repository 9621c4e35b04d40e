//! The language-model game: a coalition of features (bit i set = feature i kept) becomes a masked input row, the
//! model scores the target after every row in batched teacher-forced passes, and the T scores per row are the
//! coalition's value.

use crate::shap_masker::ShapTextMasker;
use whylm_backend::{masked_row, Backend, MaskedRow, Masker, ScoreKind};
use whylm_shapley::{Coalition, Game, GameError};

/// How a coalition becomes model input.
#[derive(Debug, Clone)]
pub enum GameMasker {
    /// Rows of the original length (delete / hide / replace), built by whylm_backend::masked_row.
    Tokens(Masker),
    /// shap's Text masker: a masked string, re-tokenized with BOS, so rows differ in length (the backend batches
    /// rows of any lengths).
    Shap(ShapTextMasker),
}

/// The game `v(S) = [score of target token t given the prompt with the features outside S masked]_t`.
pub struct LanguageModelGame<'a> {
    backend: &'a dyn Backend,
    input_ids: Vec<u32>,
    feature_tokens: Vec<Vec<usize>>,
    target_ids: Vec<u32>,
    score: ScoreKind,
    masker: GameMasker,
    /// What the model sees with every feature kept, to notice a masker that changes nothing.
    full_view: Vec<(u32, u32)>,
    masked_evaluated: usize,
    masked_changed: usize,
    /// Whether shap's masked strings are tokenized with the model's special tokens (BOS) added.
    add_special_tokens: bool,
}

impl<'a> LanguageModelGame<'a> {
    /// `input_ids` are the model's input tokens (BOS and prefix/suffix included); `feature_tokens[i]` are the
    /// indices of the input tokens that feature i covers (tokens in no feature are always kept).
    pub fn new(
        backend: &'a dyn Backend,
        input_ids: Vec<u32>,
        feature_tokens: Vec<Vec<usize>>,
        target_ids: Vec<u32>,
        score: ScoreKind,
        masker: GameMasker,
    ) -> Result<Self, GameError> {
        let mut game = LanguageModelGame {
            backend,
            input_ids,
            feature_tokens,
            target_ids,
            score,
            masker,
            full_view: Vec::new(),
            masked_evaluated: 0,
            masked_changed: 0,
            add_special_tokens: true,
        };
        let keep = vec![true; game.input_ids.len()];
        game.full_view = view(&game.row_for(&keep)?);
        Ok(game)
    }

    /// The same game for an input whose special tokens are part of its text (a rendered chat): shap's masked
    /// strings are then tokenized without adding BOS again.
    pub fn with_text_special_tokens(mut self) -> Result<Self, GameError> {
        self.add_special_tokens = false;
        let keep = vec![true; self.input_ids.len()];
        self.full_view = view(&self.row_for(&keep)?);
        Ok(self)
    }

    /// Which input tokens a coalition keeps.
    pub fn keep_mask(&self, coalition: &Coalition) -> Vec<bool> {
        let mut keep = vec![true; self.input_ids.len()];
        for (feature, tokens) in self.feature_tokens.iter().enumerate() {
            if !coalition.contains(feature) {
                for &t in tokens {
                    if let Some(k) = keep.get_mut(t) {
                        *k = false;
                    }
                }
            }
        }
        keep
    }

    /// The model input row of a coalition.
    pub fn row(&self, coalition: &Coalition) -> Result<MaskedRow, GameError> {
        self.row_for(&self.keep_mask(coalition))
    }

    /// For shap's masker, the string a coalition turns into; None for the token maskers.
    pub fn masked_text(&self, coalition: &Coalition) -> Option<String> {
        match &self.masker {
            GameMasker::Shap(m) => Some(m.masked_text(&self.keep_mask(coalition))),
            GameMasker::Tokens(_) => None,
        }
    }

    fn row_for(&self, keep: &[bool]) -> Result<MaskedRow, GameError> {
        match &self.masker {
            GameMasker::Tokens(m) => Ok(masked_row(&self.input_ids, keep, m)),
            GameMasker::Shap(m) => {
                let text = m.masked_text(keep);
                let encoding = self
                    .backend
                    .tokenizer()
                    .encode(&text, self.add_special_tokens)
                    .map_err(|e| {
                        GameError::with_source(format!("cannot tokenize the masked text {text:?}"), e)
                    })?;
                Ok(MaskedRow::full(&encoding.ids))
            }
        }
    }

    /// (masked coalitions evaluated, how many of them changed the model's input). When the second is 0 the
    /// masker did nothing and every attribution is meaningless.
    pub fn masking_effect(&self) -> (usize, usize) {
        (self.masked_evaluated, self.masked_changed)
    }
}

/// The (token, position) pairs the model attends to: equal views mean equal model input.
fn view(row: &MaskedRow) -> Vec<(u32, u32)> {
    row.token_ids
        .iter()
        .zip(&row.position_ids)
        .zip(&row.attend)
        .filter(|(_, attend)| **attend)
        .map(|((&id, &pos), _)| (id, pos))
        .collect()
}

impl Game for LanguageModelGame<'_> {
    fn num_players(&self) -> usize {
        self.feature_tokens.len()
    }

    fn num_outputs(&self) -> usize {
        self.target_ids.len()
    }

    fn evaluate(&mut self, coalitions: &[Coalition]) -> Result<Vec<f64>, GameError> {
        let n = self.num_players();
        let mut rows = Vec::with_capacity(coalitions.len());
        for coalition in coalitions {
            let row = self.row(coalition)?;
            if coalition.len() < n {
                self.masked_evaluated += 1;
                if view(&row) != self.full_view {
                    self.masked_changed += 1;
                }
            }
            rows.push(row);
        }
        let scores = self
            .backend
            .score_rows(&rows, &self.target_ids, &self.score)
            .map_err(|e| GameError::with_source(format!("the model failed to score a batch: {e}"), e))?;
        Ok(scores.into_iter().flatten().map(f64::from).collect())
    }
}
