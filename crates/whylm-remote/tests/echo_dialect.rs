//! The echo dialect against a fake engine that answers as llama-cpp-python 0.3.36's server does (text prompt,
//! BOS added by the server and dropped from the echoed tokens, `token_logprobs[0]` null, one completion token
//! after the prompt): the explanation equals the in-process one, and a server whose tokens differ from whylm's
//! is refused with a one-line error.

mod common;

use std::sync::Arc;

use common::fake_server::{FakeServer, Reply, Request};
use common::*;
use serde_json::{json, Value};
use whylm_backend::{Backend, MaskedRow, ScoreKind};
use whylm_remote::{Dialect, RemoteBackend};
use whylm_tokenize::Tokenizer;

/// How the fake server gets the tokens wrong, if it does.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// One token more than whylm scored, as a text that re-tokenizes into more pieces.
    ExtraToken,
    /// The same count but another piece.
    OtherPiece,
}

fn echo_completion(tokenizer: &Tokenizer, body: &Value, fault: Fault) -> Value {
    let text = body["prompt"].as_str().unwrap_or_default();
    let mut ids = tokenizer.encode(text, true).map(|e| e.ids).unwrap_or_default();
    if fault == Fault::ExtraToken {
        ids.push(300);
    }
    let mut tokens: Vec<String> = ids[1..]
        .iter()
        .map(|&id| tokenizer.piece_text(id).unwrap_or_default())
        .collect();
    if fault == Fault::OtherPiece {
        tokens[1] = "zebra".into();
    }
    let mut logprobs: Vec<Option<f64>> = vec![None];
    logprobs.extend((2..ids.len()).map(|p| Some(formula(&ids[..p], ids[p]))));
    tokens.push(" x".into());
    logprobs.push(Some(-0.7));
    json!({"id": "cmpl-1", "object": "text_completion", "created": 0, "model": MODEL,
           "choices": [{"text": format!("{text} x"), "index": 0, "finish_reason": "length",
                        "logprobs": {"tokens": tokens, "token_logprobs": logprobs,
                                     "text_offset": vec![0; ids.len()], "top_logprobs": []}}],
           "usage": {"prompt_tokens": ids.len(), "completion_tokens": 1, "total_tokens": ids.len() + 1}})
}

fn echo_engine(fault: Fault) -> FakeServer {
    let tokenizer = stories_tokenizer();
    FakeServer::start(Arc::new(move |request: &Request| match request.path.as_str() {
        "/v1/models" => Reply::Json(
            200,
            json!({"object": "list", "data": [{"id": MODEL, "owned_by": "me"}]}),
        ),
        _ => Reply::Json(200, echo_completion(&tokenizer, &request.body, fault)),
    }))
}

fn connect(server: &FakeServer) -> RemoteBackend {
    RemoteBackend::connect(&quick_config(&server.url()), Some(stories_tokenizer())).unwrap()
}

#[test]
fn explanations_through_an_echo_engine_equal_the_in_process_ones() {
    let server = echo_engine(Fault::None);
    let backend = connect(&server);
    assert_eq!(backend.dialect(), Dialect::Echo);
    // the target must not follow BOS directly when every word is absent (the echo API nulls that log-prob), and
    // no row may start with a piece without its word-initial space (the server would add one): no punctuation
    let mut request = word_request();
    request.prompt = "Tom had a red ball and he threw it to the dog".into();
    request.suffix = " Then".into();
    let reference = run(
        &FormulaBackend {
            tokenizer: stories_tokenizer(),
        },
        &request,
    )
    .unwrap();
    let doc = run(&backend, &request).unwrap();
    assert_eq!(max_phi_difference(&doc, &reference), 0.0);
    request.suffix.clear();
    let refused = run(&backend, &request).unwrap_err().to_string();
    assert!(
        refused.contains("--suffix") && !refused.contains('\n'),
        "{refused}"
    );
}

#[test]
fn tokens_that_differ_from_whylms_are_refused() {
    let row = MaskedRow::full(
        &stories_tokenizer()
            .encode("Tom had a red ball.", true)
            .unwrap()
            .ids,
    );
    for (fault, says) in [
        (Fault::ExtraToken, "tokens where whylm scored"),
        (Fault::OtherPiece, "\"zebra\""),
    ] {
        let server = echo_engine(fault);
        let error = connect(&server)
            .score_rows(std::slice::from_ref(&row), &[300], &ScoreKind::LogProb)
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("tokenized the text") && text.contains(says),
            "{text}"
        );
        assert!(error.is_user_error() && !text.contains('\n'));
    }
}
