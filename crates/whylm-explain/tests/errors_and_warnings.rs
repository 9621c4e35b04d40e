//! Every request error is caught before any work, with a one-line message that says what to do; a masker that
//! changes nothing is reported instead of giving silent zeros; a missing target is generated.

mod common;
use common::ExplainModelOf;

use common::{load_hf, shared};
use whylm_explain::{
    explain, ExplainError, ExplainModel, ExplainRequest, Level, MaskerSpec, MethodChoice, ScoreSpec,
};
use whylm_shapley::Method;
use whylm_tokenize::Tokenizer;

fn request(prompt: &str, target: &str) -> ExplainRequest {
    ExplainRequest {
        prompt: prompt.into(),
        target: Some(target.into()),
        levels: vec![Level::Word],
        ..ExplainRequest::default()
    }
}

fn error_of(m: &ExplainModel<'_>, r: &ExplainRequest) -> ExplainError {
    match explain(m, r, &mut |_| {}) {
        Ok(_) => panic!("the request {r:?} should fail"),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains('\n'), "one line: {message}");
            e
        }
    }
}

#[test]
fn request_errors() {
    let loaded = load_hf();
    let m = loaded.explain_model("stories260K");

    assert!(matches!(
        error_of(&m, &request("", "He ran.")),
        ExplainError::EmptyPrompt
    ));

    // "<s>" in the text is the BOS control token: no ordinary token is left to explain
    let only_special = error_of(&m, &request("<s>", "He ran."));
    assert!(
        matches!(only_special, ExplainError::NoFeatures { .. }),
        "{only_special}"
    );
    assert!(only_special.to_string().contains("give some ordinary text"));

    assert!(matches!(
        error_of(&m, &request("Tom ran.", "")),
        ExplainError::EmptyTarget { .. }
    ));

    let mut exact = request("one two three four five", "He ran.");
    exact.method = MethodChoice::Fixed(Method::Exact);
    exact.exact_limit = 3;
    let above = error_of(&m, &exact);
    assert!(
        matches!(
            above,
            ExplainError::ExactAboveLimit {
                features: 5,
                limit: 3,
                ..
            }
        ),
        "{above}"
    );
    assert!(above.to_string().contains("kernel"));

    let mut zero = request("Tom ran.", "He ran.");
    zero.max_evals = Some(0);
    assert!(matches!(error_of(&m, &zero), ExplainError::ZeroBudget));

    let long_prompt = "the cat sat. ".repeat(200);
    let too_long = error_of(&m, &request(&long_prompt, "He ran."));
    assert!(
        matches!(too_long, ExplainError::PromptTooLong { context: 512, .. }),
        "stories260K was trained on 512 positions: {too_long}"
    );

    let mut contrast = request("Tom ran.", "He ran away.");
    contrast.score = ScoreSpec::Contrast {
        alternative: "She walked".into(),
    };
    assert!(matches!(
        error_of(&m, &contrast),
        ExplainError::BadContrast { .. }
    ));

    let mut no_levels = request("Tom ran.", "He ran.");
    no_levels.levels.clear();
    assert!(matches!(error_of(&m, &no_levels), ExplainError::NoLevels));
}

#[test]
fn deleting_every_token_without_bos_is_refused() {
    // the same vocabulary with the post-processor removed adds no BOS
    let json = std::fs::read_to_string(shared("models/stories260K-hf/tokenizer.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["post_processor"] = serde_json::Value::Null;
    let tokenizer = Tokenizer::from_tokenizer_json(value.to_string().as_bytes()).unwrap();
    assert!(!tokenizer.adds_bos());
    let loaded = load_hf();
    let backend = whylm_model::Embedded::new(&loaded.model, &tokenizer);
    let m = ExplainModel {
        backend: &backend,
        info: Default::default(),
    };
    let e = error_of(&m, &request("Tom ran.", "He ran."));
    assert!(matches!(e, ExplainError::NothingAlwaysKept { .. }), "{e}");
    // the shap masker still has "..." to show, so it works
    let mut shap = request("Tom ran.", "He ran.");
    shap.masker = MaskerSpec::shap();
    assert!(explain(&m, &shap, &mut |_| {}).is_ok());
}

#[test]
fn a_masker_that_changes_nothing_is_a_warning_not_silent_zeros() {
    let loaded = load_hf();
    let m = loaded.explain_model("stories260K");
    // "a" is the single token "▁a"; replacing it by itself masks nothing
    let mut r = request("a", "He ran.");
    r.masker = MaskerSpec::Replace {
        baseline: Some("▁a".into()),
        collapse: false,
    };
    let doc = explain(&m, &r, &mut |_| {}).unwrap();
    assert!(doc.levels[0].phi.iter().flatten().all(|v| v.abs() < 1e-6));
    assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
    assert!(doc.warnings[0].contains("left every input unchanged"));
    // a real masker on the same prompt: no warning
    let plain = explain(&m, &request("a", "He ran."), &mut |_| {}).unwrap();
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
}

#[test]
fn a_missing_target_is_generated_greedily() {
    let loaded = load_hf();
    let m = loaded.explain_model("stories260K");
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared("models/stories260K/golden_stories260K.json")).unwrap(),
    )
    .unwrap();
    let case = &golden["cases"][0];
    let mut r = request(case["prompt"].as_str().unwrap(), "");
    r.target = None;
    r.generation.max_new_tokens = 4;
    let mut generated = 0;
    let doc = explain(&m, &r, &mut |p| {
        if let whylm_explain::ExplainProgress::Generating { tokens, .. } = p {
            generated = tokens;
        }
    })
    .unwrap();
    let expected: Vec<u32> = case["greedy_next_32_ids"].as_array().unwrap()[..4]
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    let got: Vec<u32> = doc.target_tokens.iter().map(|t| t.id).collect();
    assert_eq!(
        got, expected,
        "the reference greedy continuation of {:?}",
        case["prompt"]
    );
    assert_eq!(generated, 4);
    assert_eq!(doc.levels[0].phi[0].len(), 4);
}
