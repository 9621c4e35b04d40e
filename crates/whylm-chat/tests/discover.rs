//! Finding a model directory's chat template as transformers does: chat_template.jinja first, then
//! additional_chat_templates/NAME.jinja for a name, then tokenizer_config.json's field.

use std::fs;
use std::path::PathBuf;

use whylm_chat::{read_template_file, template_from_hf_dir, ChatError};

/// A fresh, empty folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whylm-chat-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

const CONFIG: &str =
    r#"{"chat_template": [{"name": "default", "template": "CONFIG"}, {"name": "rag", "template": "RAG"}]}"#;

#[test]
fn the_jinja_file_wins_over_the_config_field() {
    let dir = folder("jinja-wins");
    fs::write(dir.join("tokenizer_config.json"), CONFIG).unwrap();
    fs::write(dir.join("chat_template.jinja"), "FILE").unwrap();
    let found = template_from_hf_dir(&dir, None).unwrap().unwrap();
    assert_eq!(found.source, "FILE");
    assert!(found.file.ends_with("chat_template.jinja"), "{}", found.file);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_config_field_is_used_without_a_jinja_file_and_names_pick_from_it() {
    let dir = folder("config");
    fs::write(dir.join("tokenizer_config.json"), CONFIG).unwrap();
    assert_eq!(
        template_from_hf_dir(&dir, None).unwrap().unwrap().source,
        "CONFIG"
    );
    assert_eq!(
        template_from_hf_dir(&dir, Some("rag")).unwrap().unwrap().source,
        "RAG"
    );
    let err = template_from_hf_dir(&dir, Some("tool_use")).unwrap_err();
    assert!(matches!(err, ChatError::NoSuchNamedTemplate { .. }), "{err:?}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn named_templates_come_from_the_additional_folder() {
    let dir = folder("additional");
    fs::create_dir_all(dir.join("additional_chat_templates")).unwrap();
    fs::write(dir.join("additional_chat_templates/tool_use.jinja"), "TOOLS").unwrap();
    fs::write(dir.join("chat_template.jinja"), "FILE").unwrap();
    assert_eq!(
        template_from_hf_dir(&dir, Some("tool_use"))
            .unwrap()
            .unwrap()
            .source,
        "TOOLS"
    );
    assert_eq!(
        template_from_hf_dir(&dir, Some("default"))
            .unwrap()
            .unwrap()
            .source,
        "FILE"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_without_a_template_gives_none() {
    let dir = folder("none");
    assert_eq!(template_from_hf_dir(&dir, None).unwrap(), None);
    fs::write(dir.join("tokenizer_config.json"), r#"{"bos_token": "<s>"}"#).unwrap();
    assert_eq!(template_from_hf_dir(&dir, None).unwrap(), None);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unreadable_and_non_utf8_files_are_named() {
    let dir = folder("bad");
    fs::write(dir.join("chat_template.jinja"), b"{{ x }}\xff").unwrap();
    let err = read_template_file(&dir.join("chat_template.jinja")).unwrap_err();
    assert!(
        err.to_string()
            .contains("not UTF-8 text (invalid byte at offset 7)"),
        "{err}"
    );
    let err = read_template_file(&dir.join("missing.jinja")).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot read ") && err.to_string().contains("missing.jinja"),
        "{err}"
    );
    fs::write(dir.join("chat_template.jinja"), "ok").unwrap();
    fs::write(dir.join("tokenizer_config.json"), "{").unwrap();
    assert_eq!(template_from_hf_dir(&dir, None).unwrap().unwrap().source, "ok");
    fs::remove_file(dir.join("chat_template.jinja")).unwrap();
    let err = template_from_hf_dir(&dir, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("tokenizer_config.json is not valid JSON"),
        "{err}"
    );
    fs::remove_dir_all(&dir).unwrap();
}
