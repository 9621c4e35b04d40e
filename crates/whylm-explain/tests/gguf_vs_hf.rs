//! The same explanation from stories260K's GGUF file and from its Hugging Face directory (same weights, Q/K rows
//! permuted for the other RoPE layout, tokenizer converted) agrees to float tolerance.

mod common;

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
