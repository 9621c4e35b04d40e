//! [`RemoteBackend`]: a served model as a whylm [`Backend`]. Rows become prompts (the visible tokens in order,
//! then the targets), prompts become requests (many per request for vLLM, one for echo), and requests run
//! `concurrency` at a time over the engine URLs.

use std::sync::Arc;

use whylm_backend::{
    Backend, BackendError, BackendInfo, GenerateSettings, Generation, MaskedRow, Masker, ScoreKind,
    TextTokenizer,
};

use crate::config::{default_concurrency, engine_root, pick_dialect, served_model, EngineConfig};
use crate::derive::{check_kind, from_logprob};
use crate::dialect::Dialect;
use crate::dispatch::run_all;
use crate::echo::{self, EchoRow};
use crate::http::JsonClient;
use crate::stats::EngineStats;
use crate::tokenizer::EngineTokenizer;
use crate::vllm;

/// A model served by an OpenAI-compatible engine.
pub struct RemoteBackend {
    client: JsonClient,
    /// `ROOT/v1/completions` of every replica.
    completions: Vec<String>,
    model: String,
    dialect: Dialect,
    tokenizer: EngineTokenizer,
    concurrency: usize,
    prompts_per_request: usize,
    context_length: usize,
    stats: Arc<EngineStats>,
    info: BackendInfo,
}

/// The context length assumed when the engine does not say (llama-cpp-python does not): the engine refuses a
/// longer prompt itself.
const UNKNOWN_CONTEXT: usize = 1 << 20;

impl RemoteBackend {
    /// Asks the engine what it serves and prepares to score on it. `tokenizer` is the served model's own (from
    /// `--model`); without it the engine's tokenize endpoint is used.
    pub fn connect(
        config: &EngineConfig,
        tokenizer: Option<whylm_tokenize::Tokenizer>,
    ) -> Result<Self, BackendError> {
        if config.urls.is_empty() {
            return Err(BackendError::Input(
                "no engine URL given; pass --engine http://HOST:PORT".into(),
            ));
        }
        let roots = config
            .urls
            .iter()
            .map(|u| engine_root(u))
            .collect::<Result<Vec<_>, _>>()?;
        let client = JsonClient::new(config.timeout, config.retry.clone(), config.api_key.clone());
        // the first replica that answers says what is served
        let mut probe = Err(BackendError::Failed(String::new()));
        for root in &roots {
            probe = served_model(&client, root, config.model.as_deref());
            if probe.is_ok() {
                break;
            }
        }
        let served = probe?;
        let dialect = pick_dialect(config.dialect, &served);
        let tokenizer = match tokenizer {
            Some(local) => EngineTokenizer::Local(Box::new(local)),
            None => EngineTokenizer::remote(&roots[0], &served.id, dialect, config)?,
        };
        let info = BackendInfo {
            name: served.id.clone(),
            architecture: "remote".into(),
            runtime: format!("{} ({} dialect)", roots.join(", "), dialect.name()),
        };
        Ok(RemoteBackend {
            client,
            completions: roots.iter().map(|r| format!("{r}/v1/completions")).collect(),
            model: served.id,
            dialect,
            tokenizer,
            concurrency: config
                .concurrency
                .unwrap_or_else(|| default_concurrency(dialect, roots.len()))
                .max(1),
            prompts_per_request: config.prompts_per_request.max(1),
            context_length: served.max_model_len.unwrap_or(UNKNOWN_CONTEXT),
            stats: Arc::new(EngineStats::default()),
            info,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Requests in flight, rows scored, retries: for a progress bar.
    pub fn stats(&self) -> Arc<EngineStats> {
        Arc::clone(&self.stats)
    }

    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The text of `ids` with the served model's tokenizer, special tokens written out.
    pub fn decode(&self, ids: &[u32]) -> Result<String, BackendError> {
        self.tokenizer.decode(ids)
    }

    /// The replicas' URLs, starting at replica `job % n`: consecutive jobs go to consecutive replicas, and a
    /// retry goes on to the next one.
    fn urls_for(&self, job: usize) -> Vec<String> {
        let n = self.completions.len().max(1);
        (0..self.completions.len())
            .map(|k| self.completions[(job + k) % n].clone())
            .collect()
    }

    fn score_vllm(&self, prompts: &[Vec<u32>], targets: usize) -> Result<Vec<Vec<f64>>, BackendError> {
        let chunks: Vec<&[Vec<u32>]> = prompts.chunks(self.prompts_per_request).collect();
        let answers = run_all(&chunks, self.concurrency, |i, chunk| {
            let _in_flight = self.stats.start_request();
            let urls = self.urls_for(i);
            let body = vllm::request_body(&self.model, chunk);
            let (answer, url) = self.client.post(&urls, &body, &self.stats)?;
            let logprobs = vllm::read_answer(answer, chunk, targets, url)?;
            self.stats.count_rows(chunk.len());
            Ok(logprobs)
        })?;
        Ok(answers.into_iter().flatten().collect())
    }

    fn score_echo(&self, prompts: &[Vec<u32>], targets: usize) -> Result<Vec<Vec<f64>>, BackendError> {
        let bos = self.tokenizer.text().bos_id();
        let rows = prompts
            .iter()
            .map(|ids| {
                echo::check_starts_with_bos(ids, bos)?;
                self.echo_row(ids)
            })
            .collect::<Result<Vec<_>, _>>()?;
        run_all(&rows, self.concurrency, |i, row| {
            let _in_flight = self.stats.start_request();
            let urls = self.urls_for(i);
            let body = echo::request_body(&self.model, &row.text);
            let (answer, url) = self.client.post(&urls, &body, &self.stats)?;
            let logprobs = echo::read_answer(answer, row, targets, url)?;
            self.stats.count_rows(1);
            Ok(logprobs)
        })
    }

    /// The text of `ids` as the engine should read it: without the BOS when the engine adds one itself.
    fn echo_row(&self, ids: &[u32]) -> Result<EchoRow, BackendError> {
        Ok(EchoRow {
            ids: ids.to_vec(),
            pieces: ids
                .iter()
                .map(|&id| self.tokenizer.text().piece_text(id))
                .collect(),
            text: self.tokenizer.echo_text(ids)?,
            bos: self.tokenizer.text().bos_id(),
        })
    }
}

/// The tokens an engine reads for `row` followed by `targets`: the visible slots in order. Only rows whose
/// visible slots sit at positions 0, 1, 2, ... are plain sequences; hiding a slot from attention is not.
fn prompt_ids(row: &MaskedRow, targets: &[u32]) -> Result<Vec<u32>, BackendError> {
    let mut ids = Vec::with_capacity(row.len() + targets.len());
    for ((&id, &position), &attend) in row.token_ids.iter().zip(&row.position_ids).zip(&row.attend) {
        if attend {
            if position as usize != ids.len() {
                return Err(hide_refused());
            }
            ids.push(id);
        }
    }
    ids.extend_from_slice(targets);
    Ok(ids)
}

fn hide_refused() -> BackendError {
    BackendError::Unsupported(
        "a remote engine reads plain token sequences and cannot hide a token from attention, so --masker hide \
         cannot be served; use --masker delete or replace"
            .into(),
    )
}

impl Backend for RemoteBackend {
    fn info(&self) -> BackendInfo {
        self.info.clone()
    }

    fn tokenizer(&self) -> &dyn TextTokenizer {
        self.tokenizer.text()
    }

    fn context_length(&self) -> usize {
        self.context_length
    }

    /// Enough rows for every request slot to be busy (vLLM: `prompts_per_request` rows per request).
    fn batch_hint(&self, _seq: usize, _targets: usize) -> usize {
        match self.dialect {
            Dialect::Vllm => self.concurrency * self.prompts_per_request,
            Dialect::Echo => self.concurrency * 4,
        }
    }

    fn supports_masker(&self, masker: &Masker) -> bool {
        !matches!(masker, Masker::Hide)
    }

    fn score_rows(
        &self,
        rows: &[MaskedRow],
        target_ids: &[u32],
        kind: &ScoreKind,
    ) -> Result<Vec<Vec<f32>>, BackendError> {
        check_kind(kind)?;
        if target_ids.is_empty() || rows.is_empty() {
            return Ok(vec![Vec::new(); rows.len()]);
        }
        let prompts = rows
            .iter()
            .map(|row| prompt_ids(row, target_ids))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(long) = prompts.iter().find(|p| p.len() > self.context_length) {
            return Err(BackendError::Input(format!(
                "a row of {} tokens with its target is longer than the engine's context ({} tokens); shorten the \
                 prompt or the target",
                long.len(),
                self.context_length
            )));
        }
        let logprobs = match self.dialect {
            Dialect::Vllm => self.score_vllm(&prompts, target_ids.len())?,
            Dialect::Echo => self.score_echo(&prompts, target_ids.len())?,
        };
        Ok(logprobs
            .into_iter()
            .map(|row| row.into_iter().map(|lp| from_logprob(lp, kind)).collect())
            .collect())
    }

    fn generate(
        &self,
        prompt: &[u32],
        settings: &GenerateSettings,
        on_token: &mut dyn FnMut(u32),
    ) -> Result<Generation, BackendError> {
        let engine = crate::generate::Engine {
            client: &self.client,
            urls: self.urls_for(0),
            model: &self.model,
            dialect: self.dialect,
            tokenizer: &self.tokenizer,
        };
        crate::generate::generate(&engine, prompt, settings, on_token)
    }

    fn stop_tokens(&self) -> Vec<u32> {
        let text = self.tokenizer.text();
        whylm_backend::stop_tokens(&[], text.eos_id(), text.bos_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whylm_backend::masked_row;

    #[test]
    fn prompts_are_the_visible_tokens_then_the_targets_and_hide_is_refused() {
        let keep = [true, false, true];
        let deleted = masked_row(&[1, 5, 6], &keep, &Masker::Delete);
        assert_eq!(prompt_ids(&deleted, &[9]).unwrap(), vec![1, 6, 9]);
        let replaced = masked_row(
            &[1, 5, 6],
            &keep,
            &Masker::Replace {
                baseline: 0,
                collapse: false,
            },
        );
        assert_eq!(prompt_ids(&replaced, &[9]).unwrap(), vec![1, 0, 6, 9]);
        let hidden = masked_row(&[1, 5, 6], &keep, &Masker::Hide);
        assert!(prompt_ids(&hidden, &[9])
            .unwrap_err()
            .to_string()
            .contains("--masker hide"));
    }
}
