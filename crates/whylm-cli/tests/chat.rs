//! Conversations on the command line, on the small stories260K model with a ChatML-style template given by
//! file (the model has none of its own): `whylm template`, `explain --chat` at turn level, --explain-turns,
//! --keep-system, --task summarise, and the one-line errors of issue 16.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_success, assert_user_error, shared, stdout, whylm, TempDir};
use serde_json::Value;

const TEMPLATE: &str = "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}\n{% endfor %}\
{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

const CHAT: &str = r#"[
  {"role": "system", "content": "Tell a story."},
  {"role": "user", "content": "Tom had a red ball."},
  {"role": "assistant", "content": "Tom was happy."},
  {"role": "user", "content": "Where did Tom go?"},
  {"role": "assistant", "content": "Tom went to the park."}
]"#;

fn stories() -> PathBuf {
    shared("models/stories260K/stories260K.gguf")
}

/// A folder holding the template and the conversation.
fn setup(name: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new(name);
    let template = dir.join("chat.jinja");
    let chat = dir.join("chat.json");
    std::fs::write(&template, TEMPLATE).unwrap();
    std::fs::write(&chat, CHAT).unwrap();
    (dir, template, chat)
}

fn explain_json(args: &[&std::ffi::OsStr]) -> Value {
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "explain".as_ref(),
        "--json".as_ref(),
        "-".as_ref(),
        "--quiet".as_ref(),
    ];
    all.extend_from_slice(args);
    let output = whylm(all);
    assert_success(&output);
    serde_json::from_str(&stdout(&output)).expect("--json - prints the document")
}

/// `explain` of the conversation file `chat` with the template file `template` on stories260K, plus `extra`.
fn explain_chat(template: &Path, chat: &Path, extra: &[&str]) -> Value {
    let model = stories();
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "--model".as_ref(),
        model.as_os_str(),
        "--chat-template".as_ref(),
        template.as_os_str(),
        "--chat".as_ref(),
        chat.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    explain_json(&args)
}

#[test]
fn template_prints_the_rendering_and_the_spans_of_every_message() {
    let (_dir, template, chat) = setup("template");
    let output = whylm([
        "template".as_ref(),
        "--model".as_ref(),
        stories().as_os_str(),
        "--chat-template".as_ref(),
        template.as_os_str(),
        "--chat".as_ref(),
        chat.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_success(&output);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let text = json["text"].as_str().unwrap();
    assert!(
        text.starts_with("<|system|>\nTell a story.\n<|user|>\nTom had a red ball.\n"),
        "{text}"
    );
    assert!(
        text.ends_with("<|assistant|>\nTom went to the park.\n<|assistant|>\n"),
        "{text}"
    );
    let contents: Vec<&str> = json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &text[m["start"].as_u64().unwrap() as usize..m["end"].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(
        contents,
        [
            "Tell a story.",
            "Tom had a red ball.",
            "Tom was happy.",
            "Where did Tom go?",
            "Tom went to the park."
        ]
    );
    let plain = whylm([
        "template".as_ref(),
        "--chat-template".as_ref(),
        template.as_os_str(),
        "--user".as_ref(),
        "Hi".as_ref(),
        "--no-generation-prompt".as_ref(),
    ]);
    assert_success(&plain);
    assert_eq!(stdout(&plain), "<|user|>\nHi\n");
}

#[test]
fn a_conversation_is_explained_turn_by_turn_with_the_last_reply_as_target() {
    let (_dir, template, chat) = setup("turns");
    let doc = explain_chat(&template, &chat, &["--level", "turn,word", "--keep-system"]);
    let target: String = doc["target_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(target.trim(), "Tom went to the park.");
    let turn = &doc["levels"][0];
    let features: Vec<&str> = turn["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    // the system prompt is kept, the reply is the target: three turns are features
    assert_eq!(
        features,
        ["Tom had a red ball.", "Tom was happy.", "Where did Tom go?"]
    );
    let conversation = &doc["conversation"];
    let rendered = conversation["rendered"].as_str().unwrap();
    let prefix = doc["prefix"].as_str().unwrap();
    assert!(rendered.starts_with(prefix) && rendered.ends_with("<|assistant|>\n"));
    let explained: Vec<bool> = conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["explained"].as_bool().unwrap())
        .collect();
    assert_eq!(explained, [false, true, true, true]);
    // the turn values and the word values are two readings of the same game: both sum to full - base
    for level in doc["levels"].as_array().unwrap() {
        assert!(level["efficiency_residual"].as_f64().unwrap() < 1e-6);
    }
    let words = doc["levels"][1]["features"].as_array().unwrap().len();
    assert!(words > 10, "word features inside the three messages: {words}");
}

#[test]
fn explain_turns_history_keeps_the_last_question_and_user_keeps_the_replies() {
    let (_dir, template, chat) = setup("selection");
    let features = |selection: &str| -> Vec<String> {
        let doc = explain_chat(
            &template,
            &chat,
            &["--level", "turn", "--explain-turns", selection],
        );
        doc["levels"][0]["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        features("history"),
        ["Tell a story.", "Tom had a red ball.", "Tom was happy."]
    );
    assert_eq!(features("user"), ["Tom had a red ball.", "Where did Tom go?"]);
    assert_eq!(features("0,3"), ["Tell a story.", "Where did Tom go?"]);
}

#[test]
fn a_summary_is_explained_sentence_by_sentence() {
    let dir = TempDir::new("summary");
    let document = dir.join("story.txt");
    std::fs::write(
        &document,
        "Tom had a red ball. Lily had a big dog. The sun was hot.\n",
    )
    .unwrap();
    let doc = explain_json(&[
        "--model".as_ref(),
        stories().as_os_str(),
        "--task".as_ref(),
        "summarise".as_ref(),
        "--prompt-file".as_ref(),
        document.as_os_str(),
        "--target".as_ref(),
        " Tom had a ball. Lily had a dog.".as_ref(),
    ]);
    assert_eq!(doc["task"], "summarise");
    let level = &doc["levels"][0];
    assert_eq!(level["level"], "sentence");
    assert_eq!(level["features"].as_array().unwrap().len(), 3);
    let summary = &doc["summary"];
    let sentences: Vec<&str> = summary["summary_sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(sentences, ["Tom had a ball.", "Lily had a dog."]);
    // matrix[f][s] is phi of feature f summed over summary sentence s's target tokens
    let phi = level["phi"].as_array().unwrap();
    let first = &summary["summary_sentences"][0];
    let (a, b) = (
        first["first_target"].as_u64().unwrap() as usize,
        first["end_target"].as_u64().unwrap() as usize,
    );
    for (f, row) in summary["matrix"].as_array().unwrap().iter().enumerate() {
        let expected: f64 = phi[f].as_array().unwrap()[a..b]
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!((row[0].as_f64().unwrap() - expected).abs() < 1e-9);
    }
    // the instruction is read but never a feature
    assert!(doc["suffix"]
        .as_str()
        .unwrap()
        .contains("Summarise the text above"));
}

#[test]
fn bad_conversations_and_templates_are_one_line_errors() {
    let (dir, template, _) = setup("errors");
    let run = |chat: &str, extra: &[&str]| {
        let path = dir.join("bad.json");
        std::fs::write(&path, chat).unwrap();
        let mut args: Vec<std::ffi::OsString> = vec![
            "explain".into(),
            "--model".into(),
            stories().into(),
            "--chat".into(),
            path.into(),
        ];
        args.extend(extra.iter().map(Into::into));
        whylm(args)
    };
    let with_template = ["--chat-template", template.to_str().unwrap()];
    assert_user_error(&run("[{\"role\": \"user\",", &with_template), "not valid JSON");
    assert_user_error(
        &run(r#"[{"role": "robot", "content": "hi"}]"#, &with_template),
        "unknown role",
    );
    assert_user_error(&run("[]", &with_template), "no messages");
    assert_user_error(
        &run(r#"[{"role": "user", "content": "hi"}]"#, &[]),
        "has no chat template",
    );
    let broken = dir.join("broken.jinja");
    std::fs::write(&broken, "{% for m in messages %}{{ m.content }").unwrap();
    let broken_args = ["--chat-template", broken.to_str().unwrap()];
    assert_user_error(
        &run(r#"[{"role": "user", "content": "hi"}]"#, &broken_args),
        "does not compile",
    );
    let refusing = dir.join("refuse.jinja");
    std::fs::write(
        &refusing,
        "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
    )
    .unwrap();
    let refusing_args = ["--chat-template", refusing.to_str().unwrap()];
    let system = r#"[{"role": "system", "content": "x"}, {"role": "user", "content": "hi"}]"#;
    assert_user_error(&run(system, &refusing_args), "System role not supported");
    let turn_seven = [
        "--chat-template",
        template.to_str().unwrap(),
        "--explain-turns",
        "7",
    ];
    assert_user_error(
        &run(r#"[{"role": "user", "content": "hi"}]"#, &turn_seven),
        "no message 7",
    );
    let no_template = whylm(["explain", "--user", "hi"]);
    assert_user_error(&no_template, "built-in model has no chat template");
}
