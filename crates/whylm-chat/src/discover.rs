//! Where a model keeps its chat template: a GGUF metadata key, `chat_template.jinja` (which transformers prefers),
//! `additional_chat_templates/NAME.jinja`, or the `chat_template` field of tokenizer_config.json (a string, or a
//! list of `{"name", "template"}` where "default" is used unless another name is asked for).

use std::path::Path;

use serde_json::Value as Json;

use crate::error::ChatError;
use crate::message::describe;
use crate::vars::Vars;

/// The GGUF metadata key holding the default chat template.
pub const GGUF_CHAT_TEMPLATE_KEY: &str = "tokenizer.chat_template";

/// The GGUF metadata key of a named template (llama.cpp writes e.g. `tokenizer.chat_template.tool_use`).
pub fn gguf_named_template_key(name: &str) -> String {
    format!("{GGUF_CHAT_TEMPLATE_KEY}.{name}")
}

/// The special tokens transformers hands every template (its `special_tokens_map`).
const SPECIAL_TOKENS: [&str; 7] = [
    "bos_token",
    "eos_token",
    "unk_token",
    "sep_token",
    "pad_token",
    "cls_token",
    "mask_token",
];

/// The template in a tokenizer_config.json text: `name` picks one of a list (None: "default"). Ok(None) when the
/// file has no `chat_template`.
pub fn template_from_tokenizer_config(json: &str, name: Option<&str>) -> Result<Option<String>, ChatError> {
    let config = parse_config(json, "tokenizer_config.json")?;
    pick_template(config.get("chat_template"), name, "tokenizer_config.json")
}

/// The special tokens of a tokenizer_config.json text (`bos_token`, `eos_token`, ...) as template variables.
/// A token may be written as a string or as an AddedToken object with a "content" field.
pub fn special_tokens_from_tokenizer_config(json: &str) -> Result<Vars, ChatError> {
    let config = parse_config(json, "tokenizer_config.json")?;
    let mut vars = Vars::new();
    for name in SPECIAL_TOKENS {
        let token = match config.get(name) {
            Some(Json::String(token)) => Some(token.as_str()),
            Some(Json::Object(added)) => added.get("content").and_then(Json::as_str),
            _ => None,
        };
        if let Some(token) = token {
            vars.set_str(name, token);
        }
    }
    Ok(vars)
}

/// Reads a template file (chat_template.jinja or any other), refusing text that is not UTF-8.
pub fn read_template_file(path: &Path) -> Result<String, ChatError> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    String::from_utf8(bytes).map_err(|e| ChatError::Io {
        path: path.display().to_string(),
        detail: format!(
            "not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// A template found in a model directory and the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTemplate {
    pub source: String,
    pub file: String,
}

/// The chat template of a Hugging Face model directory, looked up as transformers does: `chat_template.jinja`
/// (or, for a name, `additional_chat_templates/NAME.jinja`) before tokenizer_config.json's field. Ok(None) when
/// the directory has none.
pub fn template_from_hf_dir(dir: &Path, name: Option<&str>) -> Result<Option<FoundTemplate>, ChatError> {
    let jinja = match name {
        None | Some("default") => dir.join("chat_template.jinja"),
        Some(name) => dir
            .join("additional_chat_templates")
            .join(format!("{name}.jinja")),
    };
    if jinja.is_file() {
        let source = read_template_file(&jinja)?;
        return Ok(Some(FoundTemplate {
            source,
            file: jinja.display().to_string(),
        }));
    }
    let config_path = dir.join("tokenizer_config.json");
    if !config_path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&config_path).map_err(|e| io_error(&config_path, e))?;
    let file = config_path.display().to_string();
    let config = parse_config(&text, &file)?;
    let source = pick_template(config.get("chat_template"), name, &file)?;
    Ok(source.map(|source| FoundTemplate { source, file }))
}

fn io_error(path: &Path, e: std::io::Error) -> ChatError {
    ChatError::Io {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

fn parse_config(json: &str, file: &str) -> Result<serde_json::Map<String, Json>, ChatError> {
    let bad = |detail: String| ChatError::BadConfigJson {
        file: file.to_string(),
        detail,
    };
    match serde_json::from_str::<Json>(json).map_err(|e| bad(e.to_string()))? {
        Json::Object(map) => Ok(map),
        other => Err(bad(format!("it is {}, not an object", describe(&other)))),
    }
}

fn pick_template(field: Option<&Json>, name: Option<&str>, file: &str) -> Result<Option<String>, ChatError> {
    let bad_field = |found: String| ChatError::BadTemplateField {
        file: file.to_string(),
        found,
    };
    let list = match field {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::String(source)) => {
            return match name {
                None | Some("default") => Ok(Some(source.clone())),
                Some(wanted) => Err(ChatError::NoSuchNamedTemplate {
                    wanted: wanted.to_string(),
                    available: "default (the only one)".into(),
                }),
            }
        }
        Some(Json::Array(list)) => list,
        Some(other) => return Err(bad_field(describe(other))),
    };
    let mut named = Vec::with_capacity(list.len());
    for entry in list {
        match (
            entry.get("name").and_then(Json::as_str),
            entry.get("template").and_then(Json::as_str),
        ) {
            (Some(n), Some(t)) => named.push((n, t)),
            _ => {
                return Err(bad_field(format!(
                    "a list holding {} without a string name and template",
                    describe(entry)
                )))
            }
        }
    }
    let wanted = name.unwrap_or("default");
    match named.iter().find(|(n, _)| *n == wanted) {
        Some((_, template)) => Ok(Some(template.to_string())),
        None => {
            let mut names: Vec<&str> = named.iter().map(|(n, _)| *n).collect();
            names.sort_unstable();
            Err(ChatError::NoSuchNamedTemplate {
                wanted: wanted.to_string(),
                available: names.join(", "),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_field_is_the_template() {
        let json = r#"{"chat_template": "{{ bos_token }}", "bos_token": "<s>"}"#;
        assert_eq!(
            template_from_tokenizer_config(json, None).unwrap().as_deref(),
            Some("{{ bos_token }}")
        );
        assert_eq!(
            template_from_tokenizer_config(r#"{"bos_token": "<s>"}"#, None).unwrap(),
            None
        );
    }

    #[test]
    fn a_list_field_gives_default_or_the_named_one() {
        let json = r#"{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}"#;
        assert_eq!(
            template_from_tokenizer_config(json, None).unwrap().as_deref(),
            Some("D")
        );
        assert_eq!(
            template_from_tokenizer_config(json, Some("tool_use"))
                .unwrap()
                .as_deref(),
            Some("T")
        );
        let err = template_from_tokenizer_config(json, Some("rag")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the model has no chat template named \"rag\"; its templates are: default, tool_use"
        );
        let no_default =
            r#"{"chat_template": [{"name": "b", "template": "x"}, {"name": "a", "template": "y"}]}"#;
        let err = template_from_tokenizer_config(no_default, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("named \"default\"; its templates are: a, b"),
            "{err}"
        );
    }

    #[test]
    fn bad_fields_and_files_are_named() {
        let err = template_from_tokenizer_config(r#"{"chat_template": 3}"#, None).unwrap_err();
        assert!(err.to_string().contains("\"chat_template\" is a number"), "{err}");
        let err = template_from_tokenizer_config("{", None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("tokenizer_config.json is not valid JSON"),
            "{err}"
        );
    }

    #[test]
    fn special_tokens_come_as_strings_or_added_tokens() {
        let json = r#"{"bos_token": {"content": "<|begin|>", "lstrip": false}, "eos_token": "<|end|>", "pad_token": null}"#;
        let vars = special_tokens_from_tokenizer_config(json).unwrap();
        assert_eq!(vars.get_str("bos_token"), Some("<|begin|>"));
        assert_eq!(vars.get_str("eos_token"), Some("<|end|>"));
        assert_eq!(vars.names().collect::<Vec<_>>(), ["bos_token", "eos_token"]);
    }

    #[test]
    fn gguf_keys() {
        assert_eq!(GGUF_CHAT_TEMPLATE_KEY, "tokenizer.chat_template");
        assert_eq!(
            gguf_named_template_key("tool_use"),
            "tokenizer.chat_template.tool_use"
        );
    }
}
