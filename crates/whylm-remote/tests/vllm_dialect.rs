//! The vLLM dialect against a fake engine that answers as vLLM does (src/vllm.rs cites the protocol followed):
//! the explanation through the engine equals the one computed in process, over one replica or two, at any
//! concurrency; the report names the engine, the model and the dialect.

mod common;

use std::sync::atomic::Ordering;

use common::fake_server::FakeServer;
use common::*;
use whylm_backend::{Backend, ScoreKind};
use whylm_remote::{Dialect, DialectChoice, RemoteBackend};

#[test]
fn explanations_through_the_engine_equal_the_in_process_ones() {
    let reference = run(
        &FormulaBackend {
            tokenizer: stories_tokenizer(),
        },
        &word_request(),
    )
    .unwrap();
    let first = counters();
    let second = counters();
    let a = FakeServer::start(vllm_handler(first.clone()));
    let b = FakeServer::start(vllm_handler(second.clone()));
    for (urls, concurrency) in [(vec![a.url()], 1), (vec![a.url(), format!("{}/v1/", b.url())], 4)] {
        let mut config = quick_config(&urls[0]);
        config.urls = urls.clone();
        config.model = None; // the only model served
        config.concurrency = Some(concurrency);
        let backend = RemoteBackend::connect(&config, Some(stories_tokenizer())).unwrap();
        assert_eq!(
            backend.dialect(),
            Dialect::Vllm,
            "auto picks vllm for owned_by: vllm"
        );
        let doc = run(&backend, &word_request()).unwrap();
        assert_eq!(
            max_phi_difference(&doc, &reference),
            0.0,
            "{urls:?} at concurrency {concurrency}"
        );
        let info = backend.info();
        assert_eq!(info.name, MODEL);
        assert!(
            info.runtime.contains(&a.url()) && info.runtime.contains("vllm dialect"),
            "{}",
            info.runtime
        );
        assert_eq!(backend.stats().rows() as usize, doc.levels[0].evaluations);
    }
    // 9 words: 512 coalitions, 5 per request; the two-replica run spread them over both
    assert!(second.completions.load(Ordering::SeqCst) > 0);
    assert_eq!(
        first.rows.load(Ordering::SeqCst) + second.rows.load(Ordering::SeqCst),
        2 * reference.levels[0].evaluations
    );
}

#[test]
fn derived_scores_follow_from_the_log_probs_and_logit_is_refused() {
    let server = FakeServer::start(vllm_handler(counters()));
    let mut config = quick_config(&server.url());
    config.dialect = DialectChoice::Fixed(Dialect::Vllm);
    let backend = RemoteBackend::connect(&config, Some(stories_tokenizer())).unwrap();
    let row = whylm_backend::MaskedRow::full(&[1, 300, 301]);
    let lp = backend
        .score_rows(std::slice::from_ref(&row), &[302], &ScoreKind::LogProb)
        .unwrap()[0][0];
    assert_eq!(f64::from(lp), formula(&[1, 300, 301], 302) as f32 as f64);
    let p = backend
        .score_rows(std::slice::from_ref(&row), &[302], &ScoreKind::Prob)
        .unwrap()[0][0];
    assert!((p - lp.exp()).abs() < 1e-6);
    let odds = backend
        .score_rows(std::slice::from_ref(&row), &[302], &ScoreKind::LogOdds)
        .unwrap()[0][0];
    assert!((odds - (p / (1.0 - p)).ln()).abs() < 1e-4);
    let error = backend.score_rows(&[row], &[302], &ScoreKind::Logit).unwrap_err();
    assert!(
        error.is_user_error() && error.to_string().contains("--score logprob"),
        "{error}"
    );
}

#[test]
fn an_unknown_model_name_lists_what_the_engine_serves() {
    let server = FakeServer::start(vllm_handler(counters()));
    let mut config = quick_config(&server.url());
    config.model = Some("llama-70b".into());
    let error = RemoteBackend::connect(&config, Some(stories_tokenizer()))
        .err()
        .unwrap();
    assert!(error.is_user_error());
    assert!(
        error.to_string().contains(&format!("(it serves: {MODEL})")),
        "{error}"
    );
}
