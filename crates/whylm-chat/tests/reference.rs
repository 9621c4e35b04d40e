//! Every case of ../shared/chat-templates/reference.json (8 real templates x 4 conversations x with and without
//! the generation prompt, rendered by transformers 5.24) must render character for character as transformers
//! rendered it, or fail with the template's own message where transformers' rendering failed.

use std::path::PathBuf;

use serde_json::Value as Json;
use whylm_chat::{parse_messages, ChatTemplate, SpanFit, SpanMethod, TemplateError, Vars};

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/chat-templates")
}

struct Case {
    label: String,
    template: ChatTemplate,
    messages: Vec<whylm_chat::Message>,
    add_generation_prompt: bool,
    vars: Vars,
    expected: Result<String, String>,
}

fn cases() -> Vec<Case> {
    let path = folder().join("reference.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Json = serde_json::from_str(&text).expect("reference.json parses");
    let list = json.as_array().expect("reference.json is a list");
    list.iter().map(case).collect()
}

fn case(json: &Json) -> Case {
    let name = json["template"].as_str().expect("template name");
    let source = std::fs::read_to_string(folder().join(name)).expect("template file");
    let template = ChatTemplate::new(&source).unwrap_or_else(|e| panic!("{name}: {e}"));
    let messages = parse_messages(&json["messages"].to_string()).expect("messages parse");
    let add_generation_prompt = json["add_generation_prompt"]
        .as_bool()
        .expect("add_generation_prompt");
    let mut vars = Vars::new();
    for (key, value) in json["variables"].as_object().expect("variables") {
        vars.set_json(key, &value.to_string()).expect("variable");
    }
    // README.md: transformers' strftime_now was frozen at 2026-12-02 09:30.
    vars.set_now("2026-12-02T09:30").expect("clock");
    let expected = match (
        json.get("rendered").and_then(Json::as_str),
        json.get("error").and_then(Json::as_str),
    ) {
        (Some(rendered), _) => Ok(rendered.to_string()),
        (None, Some(error)) => Err(error.strip_prefix("TemplateError: ").unwrap_or(error).to_string()),
        (None, None) => panic!("{name}: a case with neither rendered nor error"),
    };
    let conversation = json["conversation"].as_str().unwrap_or("?");
    let label = format!("{name} / {conversation} / add_generation_prompt={add_generation_prompt}");
    Case {
        label,
        template,
        messages,
        add_generation_prompt,
        vars,
        expected,
    }
}

#[test]
fn every_reference_case_renders_as_transformers_does() {
    let cases = cases();
    assert_eq!(cases.len(), 64, "reference.json should hold 64 cases");
    let mut failures = Vec::new();
    for case in &cases {
        let got = case
            .template
            .render(&case.messages, case.add_generation_prompt, &case.vars);
        let ok = match (&got, &case.expected) {
            (Ok(text), Ok(want)) => text == want,
            (Err(TemplateError::Raised { message }), Err(want)) => message == want,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}\n  want {:?}\n  got  {:?}",
                case.label, case.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 64 cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let refused = cases.iter().filter(|c| c.expected.is_err()).count();
    assert_eq!(
        refused, 4,
        "the four Gemma 2 cases with a system message are refusals"
    );
}

#[test]
fn every_span_slices_its_message_content() {
    let mut none = 0;
    let mut total = 0;
    let mut by_search = Vec::new();
    for case in cases().iter().filter(|c| c.expected.is_ok()) {
        let rendered = case
            .template
            .render_with_spans(&case.messages, case.add_generation_prompt, &case.vars)
            .unwrap();
        assert_eq!(Ok(&rendered.text), case.expected.as_ref(), "{}", case.label);
        assert_eq!(rendered.spans.len(), case.messages.len(), "{}", case.label);
        for (span, message) in rendered.spans.iter().zip(&case.messages) {
            total += 1;
            let Some(span) = span else {
                none += 1;
                continue;
            };
            let want = match span.fit {
                SpanFit::Whole => message.content.as_str(),
                SpanFit::Trimmed => message.content.trim(),
            };
            assert_eq!(
                &rendered.text[span.range.clone()],
                want,
                "{}: {:?}",
                case.label,
                message.role
            );
        }
        if rendered.method == SpanMethod::Search {
            by_search.push(case.label.clone());
        }
        // The generation prompt, when found, is the rendering's tail and holds no content.
        if let Some(tail) = &rendered.generation_prompt {
            assert!(
                case.add_generation_prompt && tail.end == rendered.text.len(),
                "{}",
                case.label
            );
            assert!(
                rendered.spans.iter().flatten().all(|s| s.range.end <= tail.start),
                "{}",
                case.label
            );
        }
    }
    eprintln!(
        "spans: {none} of {total} are None; found by search in {} cases: {by_search:?}",
        by_search.len()
    );
    assert_eq!(total, 148, "the 60 rendered cases hold 148 messages");
}
