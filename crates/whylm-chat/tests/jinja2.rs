//! Renderings by Python's jinja2 set up as transformers sets it up (tests/data/make_jinja2_cases.py writes
//! tests/data/jinja2_cases.json): tools printed with tojson, template switches, padded and repeated contents,
//! other templates' refusals, and small templates using Python-isms. Each must match character for character.

use std::path::PathBuf;

use serde_json::Value as Json;
use whylm_chat::{
    parse_messages, ChatTemplate, Message, RenderedChat, SpanFit, SpanMethod, TemplateError, Vars,
};

/// What jinja2 made of a case.
#[derive(Debug)]
enum Expected {
    Rendered(String),
    /// The template called raise_exception with this message.
    Raised(String),
    /// jinja2 failed (an undefined value used as a value, a type error): whylm must fail too.
    Fails(String),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Rendered(text) => write!(f, "{text:?}"),
            Expected::Raised(message) => write!(f, "raise_exception({message:?})"),
            Expected::Fails(why) => write!(f, "a failure, as jinja2's {why}"),
        }
    }
}

struct Case {
    label: String,
    template: ChatTemplate,
    messages: Vec<Message>,
    add_generation_prompt: bool,
    vars: Vars,
    expected: Expected,
    /// Why whylm is known to render this differently (tests/data/make_jinja2_cases.py, KNOWN_DIFFERENCES).
    known_difference: Option<String>,
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<Case> {
    let path = manifest().join("tests/data/jinja2_cases.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Json = serde_json::from_str(&text).expect("jinja2_cases.json parses");
    json.as_array().expect("a list").iter().map(case).collect()
}

fn case(json: &Json) -> Case {
    let (label, source) = match (
        json.get("template").and_then(Json::as_str),
        json.get("source").and_then(Json::as_str),
    ) {
        (Some(name), _) => {
            let path = manifest().join("../../../shared/chat-templates").join(name);
            (
                name.to_string(),
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            )
        }
        (None, Some(source)) => (format!("inline {source:?}"), source.to_string()),
        (None, None) => panic!("a case without template or source"),
    };
    let template = ChatTemplate::new(&source).unwrap_or_else(|e| panic!("{label}: {e}"));
    let messages = parse_messages(&json["messages"].to_string()).expect("messages");
    let add_generation_prompt = json["add_generation_prompt"]
        .as_bool()
        .expect("add_generation_prompt");
    let mut vars = Vars::new();
    // Each variable is JSON text, so that objects keep the key order Python gave them.
    for (name, text) in json["variables_json"].as_object().expect("variables_json") {
        vars.set_json(name, text.as_str().expect("JSON text"))
            .expect("variable");
    }
    vars.set_now("2026-12-02T09:30").expect("clock");
    let field = |name: &str| json.get(name).and_then(Json::as_str).map(str::to_string);
    let expected = match (field("rendered"), field("error"), field("fails")) {
        (Some(text), _, _) => Expected::Rendered(text),
        (None, Some(message), _) => Expected::Raised(message),
        (None, None, Some(why)) => Expected::Fails(why),
        (None, None, None) => panic!("{label}: a case with no outcome"),
    };
    let label = format!(
        "{label} / {} messages / add_generation_prompt={add_generation_prompt}",
        messages.len()
    );
    let known_difference = json
        .get("known_difference")
        .and_then(Json::as_str)
        .map(str::to_string);
    Case {
        label,
        template,
        messages,
        add_generation_prompt,
        vars,
        expected,
        known_difference,
    }
}

#[test]
fn every_case_renders_as_jinja2_does_in_transformers() {
    let cases = cases();
    assert_eq!(cases.len(), 84);
    let mut failures = Vec::new();
    let mut known = Vec::new();
    for case in &cases {
        let got = case
            .template
            .render(&case.messages, case.add_generation_prompt, &case.vars);
        let ok = match (&got, &case.expected) {
            (Ok(text), Expected::Rendered(want)) => text == want,
            (Err(TemplateError::Raised { message }), Expected::Raised(want)) => message == want,
            (Err(TemplateError::Render { .. }), Expected::Fails(_)) => true,
            _ => false,
        };
        match (&case.known_difference, ok) {
            (None, false) => failures.push(format!(
                "{}\n  want {}\n  got  {:?}",
                case.label, case.expected, got
            )),
            (Some(why), false) => known.push(why.clone()),
            (Some(_), true) => failures.push(format!(
                "{}: listed as a known difference but matches",
                case.label
            )),
            (None, true) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(known.len(), 2, "known differences: {known:?}");
}

fn check_spans(case: &Case, rendered: &RenderedChat) -> usize {
    let mut none = 0;
    for (span, message) in rendered.spans.iter().zip(&case.messages) {
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
    none
}

#[test]
fn spans_slice_their_contents_in_every_rendered_case() {
    let mut none = 0;
    let mut search = 0;
    for case in cases()
        .iter()
        .filter(|c| matches!(c.expected, Expected::Rendered(_)) && c.known_difference.is_none())
    {
        let rendered = case
            .template
            .render_with_spans(&case.messages, case.add_generation_prompt, &case.vars)
            .unwrap();
        none += check_spans(case, &rendered);
        search += usize::from(rendered.method == SpanMethod::Search);
    }
    eprintln!("jinja2 cases: {none} spans None, {search} renderings needed the search fallback");
}
