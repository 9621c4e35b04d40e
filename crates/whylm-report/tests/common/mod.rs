//! Documents shared by the integration tests.
#![allow(dead_code)]

pub mod browser;

use whylm_report::{Feature, InputToken, ReportDoc};

pub const SAMPLE_JSON: &str = include_str!("../data/sample_report.json");
pub const CHAT_JSON: &str = include_str!("../data/chat_report.json");
pub const SUMMARY_JSON: &str = include_str!("../data/summary_report.json");

pub const HOSTILE: &str = "</script><script>alert(1)</script>";

/// Two target tokens (" slept", " well"), two levels (token: 6 features with std errors, sentence: 2, exact).
pub fn sample() -> ReportDoc {
    ReportDoc::from_json_str(SAMPLE_JSON).expect("the sample report fixture loads")
}

/// A SmolLM2-style ChatML conversation: system (kept), user "My name is Ada.", assistant, user "What is my name?",
/// explained reply "Your name is Ada." (5 tokens); levels word (13 features) and turn (3), exact.
pub fn chat() -> ReportDoc {
    ReportDoc::from_json_str(CHAT_JSON).expect("the chat report fixture loads")
}

/// A 6-sentence article and its 3-sentence summary (14 target tokens), sentence level, with the summary matrix.
pub fn summary() -> ReportDoc {
    ReportDoc::from_json_str(SUMMARY_JSON).expect("the summary report fixture loads")
}

/// The sample with a prompt made of markup: one feature per level covering all of it.
pub fn hostile() -> ReportDoc {
    let mut doc = sample();
    let prompt = format!("{HOSTILE} & <b>\"it\"</b>");
    doc.prompt = prompt.clone();
    doc.input_tokens = vec![InputToken {
        id: 5,
        text: HOSTILE.to_string(),
        start: 0,
        end: prompt.len(),
        special: false,
    }];
    doc.model.name = "<img src=x onerror=alert(2)>".to_string();
    doc.target_tokens[0].text = "</script>".to_string();
    doc.warnings = vec!["<script>alert(3)</script>".to_string()];
    for level in &mut doc.levels {
        level.features = vec![Feature {
            text: prompt.clone(),
            start: 0,
            end: prompt.len(),
            tokens: vec![0],
        }];
        level.phi = vec![vec![0.5, -0.25]];
        level.std_err = None;
    }
    doc.validate().expect("the hostile document is consistent");
    doc
}
