//! The document as data: JSON round trip, schema checks, and the attribution helpers.

mod common;

use common::{sample, SAMPLE_JSON};
use whylm_report::{ReportDoc, ReportError, Selection, SCHEMA_VERSION};

#[test]
fn json_round_trip_preserves_every_field() {
    let mut doc = sample();
    doc.prefix = "<|user|>\n".to_string();
    doc.attention = Some(whylm_report::AttentionSummary {
        layer: 3,
        target_to_input: vec![vec![0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]; 2],
        ..Default::default()
    });
    let text = doc.to_json_pretty().unwrap();
    let back = ReportDoc::from_json_str(&text).unwrap();
    assert_eq!(back, doc);
    let compact = ReportDoc::from_json_str(&doc.to_json_compact().unwrap()).unwrap();
    assert_eq!(compact, doc);
}

#[test]
fn an_attention_block_without_views_still_loads() {
    // Documents written before the attention views carry only `layer` and `target_to_input`.
    let old = r#""attention": {"layer": 1, "target_to_input": [[0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05], [0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]]}, "warnings""#;
    let text = SAMPLE_JSON.replacen("\"warnings\"", old, 1);
    assert_ne!(
        text, SAMPLE_JSON,
        "the fixture has a warnings field to put attention before"
    );
    let doc = ReportDoc::from_json_str(&text).unwrap();
    let attention = doc.attention.unwrap();
    assert_eq!(attention.layer, 1);
    assert!(attention.views.is_empty() && attention.full.is_none());
    assert_eq!(attention.num_heads, 0);
}

#[test]
fn the_fixture_reads_the_documented_fields() {
    let doc = sample();
    assert_eq!(doc.schema_version, SCHEMA_VERSION);
    assert_eq!(doc.target_tokens.len(), 2);
    assert_eq!(doc.levels.len(), 2);
    assert!(doc.input_tokens[0].special);
    assert_eq!(doc.levels[1].std_err, None);
    assert_eq!(doc.levels[0].phi[5], vec![0.45, -0.6]);
}

#[test]
fn a_newer_schema_version_is_rejected_by_name() {
    let text = SAMPLE_JSON.replacen("\"schema_version\": 1", "\"schema_version\": 7", 1);
    let err = ReportDoc::from_json_str(&text).unwrap_err();
    assert!(matches!(
        err,
        ReportError::UnsupportedSchemaVersion {
            found: 7,
            supported: SCHEMA_VERSION,
            ..
        }
    ));
    let message = err.to_string();
    assert!(message.contains("schema_version 7"), "{message}");
    assert!(message.contains("schema versions 1 to"), "{message}");
}

#[test]
fn a_version_1_document_is_read_as_an_explain_task_without_conversation() {
    assert!(SAMPLE_JSON.contains("\"schema_version\": 1"));
    let doc = ReportDoc::from_json_str(SAMPLE_JSON).unwrap();
    assert_eq!(doc.schema_version, SCHEMA_VERSION);
    assert_eq!(doc.task, "explain");
    assert_eq!(doc.conversation, None);
    assert_eq!(doc.summary, None);
}

#[test]
fn a_conversation_whose_spans_miss_their_content_is_rejected() {
    let mut doc = sample();
    let rendered = format!("{}{}{}", doc.prefix, doc.prompt, doc.suffix);
    let content = doc.prompt.clone();
    let start = doc.prefix.len();
    doc.conversation = Some(whylm_report::Conversation {
        rendered,
        template_source: "test".to_string(),
        messages: vec![whylm_report::ChatMessage {
            role: "user".to_string(),
            content,
            start,
            end: start + doc.prompt.len(),
            explained: true,
        }],
    });
    let back = ReportDoc::from_json_str(&doc.to_json_compact().unwrap()).unwrap();
    assert_eq!(back, doc);
    doc.conversation.as_mut().unwrap().messages[0].start += 1;
    let err = doc.to_json_compact().unwrap_err().to_string();
    assert!(err.contains("does not hold its content"), "{err}");
}

#[test]
fn a_summary_matrix_must_match_the_level_and_the_sentences() {
    let mut doc = sample();
    let features = doc.levels[0].features.len();
    doc.task = "summarise".to_string();
    doc.summary = Some(whylm_report::SummaryMatrix {
        level: doc.levels[0].level.clone(),
        summary_sentences: vec![whylm_report::SummarySentence {
            text: "x".to_string(),
            first_target: 0,
            end_target: 2,
        }],
        matrix: vec![vec![0.0]; features],
    });
    let back = ReportDoc::from_json_str(&doc.to_json_compact().unwrap()).unwrap();
    assert_eq!(back, doc);
    doc.summary.as_mut().unwrap().matrix.pop();
    let err = doc.to_json_compact().unwrap_err().to_string();
    assert!(err.contains("matrix has"), "{err}");
    doc.summary.as_mut().unwrap().level = "paragraph".to_string();
    let err = doc.to_json_compact().unwrap_err().to_string();
    assert!(err.contains("lacks"), "{err}");
}

#[test]
fn a_file_without_schema_version_is_not_a_report() {
    let err = ReportDoc::from_json_str(r#"{"prompt": "hi"}"#).unwrap_err();
    assert!(matches!(err, ReportError::MissingSchemaVersion { .. }));
    assert!(err.to_string().contains("not a whylm report"));
}

#[test]
fn broken_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, "{\"schema_version\": 1,").unwrap();
    let err = ReportDoc::load(&path).unwrap_err();
    assert!(matches!(err, ReportError::NotJson { .. }));
    assert!(err.to_string().contains("broken.json"), "{err}");
}

#[test]
fn a_missing_file_says_so() {
    let err = ReportDoc::load("/nonexistent/whylm/report.json").unwrap_err();
    assert!(matches!(err, ReportError::Read { .. }));
}

#[test]
fn a_missing_field_is_a_schema_error_with_its_name() {
    let text = SAMPLE_JSON.replacen("\"masker\": \"delete\",", "", 1);
    let err = ReportDoc::from_json_str(&text).unwrap_err();
    assert!(matches!(err, ReportError::Schema { .. }));
    assert!(err.to_string().contains("masker"), "{err}");
}

#[test]
fn inconsistent_shapes_are_rejected_on_load_and_on_write() {
    let mut doc = sample();
    doc.levels[0].phi[2].pop();
    let err = doc.validate().unwrap_err();
    assert!(err.to_string().contains("phi[2] has 1 values"), "{err}");
    assert!(doc.to_json_pretty().is_err());

    let mut doc = sample();
    doc.levels[1].features[1].end = 99;
    assert!(doc
        .validate()
        .unwrap_err()
        .to_string()
        .contains("outside the prompt"));

    let mut doc = sample();
    doc.levels[0].features[0].tokens = vec![7];
    assert!(doc.validate().unwrap_err().to_string().contains("input token 7"));
}

#[test]
fn non_finite_numbers_cannot_be_written() {
    let mut doc = sample();
    doc.levels[0].base_value[1] = f64::NAN;
    let err = doc.to_json_pretty().unwrap_err();
    assert!(err.to_string().contains("base_value[1] is NaN"), "{err}");
}

#[test]
fn sequence_attribution_sums_over_target_tokens() {
    let doc = sample();
    let level = &doc.levels[0];
    let seq = level.sequence_phi();
    let expected = [0.03, 0.9, 0.05, -0.05, 0.6, -0.15];
    for (got, want) in seq.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{seq:?}");
    }
    assert!((level.base(Selection::Sequence) - -8.0).abs() < 1e-12);
    assert!((level.full(Selection::Token(1)) - -3.32).abs() < 1e-12);
    // Efficiency of the fixture: Σ phi = full − base for the whole sequence.
    let total: f64 = seq.iter().sum();
    assert!((total - (level.full(Selection::Sequence) - level.base(Selection::Sequence))).abs() < 1e-9);
    let bound = level.std_errs(Selection::Sequence).unwrap();
    assert!((bound[5] - 0.04).abs() < 1e-12);
}

#[test]
fn top_features_rank_by_magnitude_per_target() {
    let doc = sample();
    let level = &doc.levels[0];
    let top: Vec<usize> = level
        .top_features(Selection::Token(1), 3)
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(top, vec![5, 4, 2]);
    let top = level.top_features(Selection::Token(0), 2);
    assert_eq!(top[0].index, 1);
    assert_eq!(top[0].std_err, Some(0.02));
    let all: Vec<usize> = level
        .top_features(Selection::Sequence, 3)
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(all, vec![1, 4, 5]);
    assert_eq!(
        doc.selections(),
        vec![Selection::Sequence, Selection::Token(0), Selection::Token(1)]
    );
    assert_eq!(doc.level("sentence").map(|l| l.features.len()), Some(2));
}
