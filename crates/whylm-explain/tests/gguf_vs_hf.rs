//! The same explanation from stories260K's GGUF file and from its Hugging Face directory (same weights, Q/K rows
//! permuted for the other RoPE layout, tokenizer converted) agrees to float tolerance.

mod common;
use common::ExplainModelOf;

use common::{load_gguf, load_hf, max_abs_diff, max_abs_diff_vec};
use whylm_explain::{explain, ExplainRequest, Level, MaskerSpec, MethodChoice, ScoreSpec};
use whylm_shapley::Method;

#[test]
fn gguf_and_hf_give_the_same_explanation() {
    let request = ExplainRequest {
        prompt: "Lily was sad. Her dog ran away!".into(),
        target: Some("She cried.".into()),
        levels: vec![Level::Word, Level::Sentence],
        masker: MaskerSpec::Delete,
        score: ScoreSpec::LogProb,
        method: MethodChoice::Fixed(Method::Exact),
        ..ExplainRequest::default()
    };
    let (gguf, hf) = (load_gguf(), load_hf());
    let a = explain(&gguf.explain_model("gguf"), &request, &mut |_| {}).unwrap();
    let b = explain(&hf.explain_model("hf"), &request, &mut |_| {}).unwrap();
    let ids = |d: &whylm_report::ReportDoc| d.input_tokens.iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b), "both tokenizers encode the prompt alike");
    assert_eq!(a.target_tokens, b.target_tokens);
    for (la, lb) in a.levels.iter().zip(&b.levels) {
        assert_eq!(la.features, lb.features);
        let diff = max_abs_diff(&la.phi, &lb.phi);
        println!(
            "{} level: {} features, max |phi_gguf - phi_hf| = {diff:.2e}",
            la.level,
            la.features.len()
        );
        assert!(diff < 1e-3, "{} level differs by {diff}", la.level);
        assert!(max_abs_diff_vec(&la.base_value, &lb.base_value) < 1e-3);
        assert!(max_abs_diff_vec(&la.full_value, &lb.full_value) < 1e-3);
        // the explanation is not trivially zero: the prompt matters to the target
        assert!(la.phi.iter().flatten().any(|v| v.abs() > 1e-2));
    }
}

/// A target written with its leading space (" She cried.") is scored as the tokens the model reads after the
/// prompt. Encoded on its own, the GGUF vocabulary (llama.cpp's dummy-prefix rule) starts it with a bare "▁" that
/// the Hugging Face conversion does not produce; the explanation must not score that token.
#[test]
fn a_target_with_a_leading_space_is_the_same_tokens_from_gguf_and_hf() {
    let (gguf, hf) = (load_gguf(), load_hf());
    let alone = gguf.tokenizer.encode(" She cried.", false).unwrap().ids;
    assert_eq!(
        gguf.tokenizer.piece_text(alone[0]).as_deref(),
        Some(" "),
        "on its own the GGUF encoding starts with a bare space token (the case this test guards)"
    );
    let request = ExplainRequest {
        prompt: "Lily was sad. Her dog ran away!".into(),
        target: Some(" She cried.".into()),
        levels: vec![Level::Sentence],
        method: MethodChoice::Fixed(Method::Exact),
        ..ExplainRequest::default()
    };
    let a = explain(&gguf.explain_model("gguf"), &request, &mut |_| {}).unwrap();
    let b = explain(&hf.explain_model("hf"), &request, &mut |_| {}).unwrap();
    assert_eq!(a.target_tokens, b.target_tokens);
    assert_eq!(a.target_tokens.len(), alone.len() - 1);
    assert_eq!(a.target_tokens[0].text, " She");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let diff = max_abs_diff_vec(&a.levels[0].full_value, &b.levels[0].full_value);
    assert!(diff < 1e-3, "full values differ by {diff}");
}

/// A contrast's alternative is another continuation at the same place, tokenized as the target is: " He" is one
/// token from both files (on its own the GGUF vocabulary makes it two, which used to refuse the contrast).
#[test]
fn a_contrast_alternative_with_a_leading_space_is_one_token_from_gguf_and_hf() {
    let (gguf, hf) = (load_gguf(), load_hf());
    assert_eq!(gguf.tokenizer.encode(" He", false).unwrap().ids.len(), 2);
    let request = ExplainRequest {
        prompt: "Lily was sad. Her dog ran away!".into(),
        target: Some(" She".into()),
        levels: vec![Level::Sentence],
        score: ScoreSpec::Contrast {
            alternative: " He".into(),
        },
        method: MethodChoice::Fixed(Method::Exact),
        ..ExplainRequest::default()
    };
    let a = explain(&gguf.explain_model("gguf"), &request, &mut |_| {}).unwrap();
    let b = explain(&hf.explain_model("hf"), &request, &mut |_| {}).unwrap();
    assert_eq!(a.target_tokens.len(), 1);
    let diff = max_abs_diff_vec(&a.levels[0].full_value, &b.levels[0].full_value);
    assert!(diff < 1e-3, "full values differ by {diff}");
    assert!(max_abs_diff(&a.levels[0].phi, &b.levels[0].phi) < 1e-3);
}
