//! Content spans on the real templates in ../shared/chat-templates, in the situations that decide between the
//! marker rendering and the search fallback.

use std::path::PathBuf;

use whylm_chat::{
    parse_messages, system_user, ChatTemplate, Message, RenderedChat, Role, SpanFit, SpanMethod, Vars,
};

fn template(name: &str) -> ChatTemplate {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/chat-templates")
        .join(name);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ChatTemplate::new(&source).unwrap()
}

fn vars() -> Vars {
    let mut vars = Vars::with_special_tokens(Some("<s>"), Some("</s>"));
    vars.set_now("2026-12-02T09:30").unwrap();
    vars
}

fn slice(rendered: &RenderedChat, i: usize) -> &str {
    let span = rendered.spans[i]
        .as_ref()
        .unwrap_or_else(|| panic!("message {i} has no span"));
    &rendered.text[span.range.clone()]
}

fn disjoint(rendered: &RenderedChat) -> bool {
    let mut ranges: Vec<_> = rendered.spans.iter().flatten().map(|s| s.range.clone()).collect();
    ranges.sort_by_key(|r| r.start);
    ranges.windows(2).all(|w| w[0].end <= w[1].start)
}

#[test]
fn repeated_contents_get_their_own_places() {
    let chat = parse_messages(
        r#"[{"role": "user", "content": "Same"}, {"role": "assistant", "content": "Same"}, {"role": "user", "content": "Same"}]"#,
    )
    .unwrap();
    let rendered = template("Qwen-Qwen2.5-7B-Instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    assert_eq!(rendered.method, SpanMethod::Markers);
    let starts: Vec<usize> = rendered
        .spans
        .iter()
        .map(|s| s.as_ref().unwrap().range.start)
        .collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    assert!(rendered.text[..starts[1]].contains("<|im_start|>assistant\n"));
    assert!(disjoint(&rendered));
}

#[test]
fn a_system_message_moved_to_the_last_turn_is_found_there() {
    // Mistral Nemo writes the system message inside the last user turn: "[INST]S\n\nU2[/INST]".
    let chat = vec![
        Message::new(Role::System, "Sys"),
        Message::new(Role::User, "U1"),
        Message::new(Role::Assistant, "A1"),
        Message::new(Role::User, "U2"),
    ];
    let rendered = template("mistralai-Mistral-Nemo-Instruct-2407.jinja")
        .render_with_spans(&chat, false, &vars())
        .unwrap();
    assert_eq!(rendered.text, "<s>[INST]U1[/INST]A1</s>[INST]Sys\n\nU2[/INST]");
    let system = rendered.spans[0].as_ref().unwrap().range.clone();
    let last_user = rendered.spans[3].as_ref().unwrap().range.clone();
    assert_eq!(rendered.method, SpanMethod::Markers);
    assert!(rendered.spans[2].as_ref().unwrap().range.end < system.start && system.end < last_user.start);
    assert_eq!((slice(&rendered, 0), slice(&rendered, 3)), ("Sys", "U2"));
}

#[test]
fn a_template_that_trims_falls_back_to_search_and_says_so() {
    let chat = system_user(Some("  Be brief.\n"), "\tHi there  ");
    let rendered = template("meta-llama-Llama-3.2-3B-Instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    assert_eq!(rendered.method, SpanMethod::Search);
    for (i, want) in ["Be brief.", "Hi there"].into_iter().enumerate() {
        assert_eq!(rendered.spans[i].as_ref().unwrap().fit, SpanFit::Trimmed);
        assert_eq!(slice(&rendered, i), want);
    }
    assert!(
        rendered
            .text
            .contains("Today Date: 02 Dec 2026\n\nBe brief.<|eot_id|>"),
        "{}",
        rendered.text
    );
}

#[test]
fn input_holding_a_marker_code_point_is_searched_instead() {
    let chat = system_user(None, "odd \u{100000} text");
    let rendered = template("HuggingFaceTB-SmolLM2-135M-Instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    assert_eq!(rendered.method, SpanMethod::Search);
    assert_eq!(slice(&rendered, 0), "odd \u{100000} text");
}

#[test]
fn dropped_and_empty_contents_have_no_span() {
    // Phi-3.5 skips an empty system message; SmolLM3 rewrites a system message that holds "/no_think".
    let chat = system_user(Some(""), "Hi");
    let rendered = template("microsoft-Phi-3.5-mini-instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    assert_eq!((rendered.spans[0].clone(), slice(&rendered, 1)), (None, "Hi"));
    let chat = system_user(Some("Answer plainly. /no_think"), "Hi");
    let rendered = template("HuggingFaceTB-SmolLM3-3B.jinja")
        .render_with_spans(&chat, false, &vars())
        .unwrap();
    assert!(
        rendered
            .text
            .contains("## Custom Instructions\n\nAnswer plainly.\n\n"),
        "{}",
        rendered.text
    );
    assert_eq!((rendered.spans[0].clone(), slice(&rendered, 1)), (None, "Hi"));
}

#[test]
fn the_generation_prompt_is_the_tail_the_flag_adds() {
    let chat = system_user(None, "Hi");
    let rendered = template("HuggingFaceTB-SmolLM2-135M-Instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    let tail = rendered.generation_prompt.clone().unwrap();
    assert_eq!(&rendered.text[tail], "<|im_start|>assistant\n");
    let without = template("HuggingFaceTB-SmolLM2-135M-Instruct.jinja")
        .render_with_spans(&chat, false, &vars())
        .unwrap();
    assert_eq!(without.generation_prompt, None);
    // Phi-3.5 ends with eos_token instead of the prompt, so the rendering without it is no prefix.
    let phi = template("microsoft-Phi-3.5-mini-instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    assert!(phi.text.ends_with("<|assistant|>\n"));
    assert_eq!(phi.generation_prompt, None);
}

#[test]
fn a_rendering_serializes_as_json() {
    let chat = system_user(None, "Hi");
    let rendered = template("HuggingFaceTB-SmolLM2-135M-Instruct.jinja")
        .render_with_spans(&chat, true, &vars())
        .unwrap();
    let json = serde_json::to_value(&rendered).unwrap();
    let span = &json["spans"][0];
    let (start, end) = (
        span["range"]["start"].as_u64().unwrap(),
        span["range"]["end"].as_u64().unwrap(),
    );
    assert_eq!(&rendered.text[start as usize..end as usize], "Hi");
    assert_eq!(
        (span["fit"].as_str(), json["method"].as_str()),
        (Some("whole"), Some("markers"))
    );
    assert_eq!(
        json["generation_prompt"]["end"].as_u64(),
        Some(rendered.text.len() as u64)
    );
    let message = serde_json::to_string(&chat[0]).unwrap();
    assert_eq!(message, r#"{"role":"user","content":"Hi"}"#);
}
