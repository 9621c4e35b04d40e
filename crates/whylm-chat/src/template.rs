//! A chat template: compiled once to check it, rendered with the variables transformers passes
//! (`messages`, `tools=None`, `documents=None`, `add_generation_prompt`, the special tokens and any others).

use minijinja::Value;

use crate::env::{environment, Raised};
use crate::error::TemplateError;
use crate::message::Message;
use crate::vars::Vars;

/// The name the template has inside minijinja; it ends in no extension, so nothing is escaped.
const NAME: &str = "chat_template";

/// A Hugging Face chat template (Jinja source).
#[derive(Debug, Clone)]
pub struct ChatTemplate {
    /// The source as given.
    source: String,
    /// The source minijinja compiles: `{% generation %}` blocks made plain (see [`neutralize_generation`]).
    compiled: String,
}

impl ChatTemplate {
    /// Compiles `source`; fails with the position of the first syntax error.
    pub fn new(source: &str) -> Result<ChatTemplate, TemplateError> {
        let template = ChatTemplate {
            source: source.to_string(),
            compiled: neutralize_generation(source),
        };
        let env = environment(None).map_err(|e| TemplateError::Syntax { detail: describe(&e) })?;
        env.template_from_named_str(NAME, &template.compiled)
            .map_err(|e| TemplateError::Syntax { detail: describe(&e) })?;
        Ok(template)
    }

    /// The template source as given to [`ChatTemplate::new`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders `messages` as transformers' `apply_chat_template(messages, tokenize=False,
    /// add_generation_prompt=..., **vars)` does. A template that calls `raise_exception(msg)` fails with
    /// [`TemplateError::Raised`] carrying exactly `msg`.
    pub fn render(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
        vars: &Vars,
    ) -> Result<String, TemplateError> {
        let contents: Vec<&str> = messages.iter().map(|m| m.content.as_str()).collect();
        self.render_contents(messages, &contents, add_generation_prompt, vars)
    }

    /// Renders the messages with their contents replaced by `contents` (the span finder wraps them in markers).
    pub(crate) fn render_contents(
        &self,
        messages: &[Message],
        contents: &[&str],
        add_generation_prompt: bool,
        vars: &Vars,
    ) -> Result<String, TemplateError> {
        let env = environment(vars.now()).map_err(|e| TemplateError::Render {
            detail: e.to_string(),
        })?;
        let template = env
            .template_from_named_str(NAME, &self.compiled)
            .map_err(|e| TemplateError::Syntax { detail: describe(&e) })?;
        let messages: Vec<Value> = messages
            .iter()
            .zip(contents)
            .map(|(m, content)| Value::from_pairs([("role", m.role.as_str()), ("content", content)]))
            .collect();
        // transformers passes tools and documents as None when there are none; variables come after them (and
        // may set them), messages and add_generation_prompt last, so that a variable cannot replace them.
        let mut context: Vec<(String, Value)> = vec![
            ("tools".into(), Value::from(())),
            ("documents".into(), Value::from(())),
        ];
        context.extend(vars.values().iter().cloned());
        context.push(("messages".into(), Value::from(messages)));
        context.push(("add_generation_prompt".into(), Value::from(add_generation_prompt)));
        template.render(Value::from_pairs(context)).map_err(render_error)
    }
}

fn render_error(err: minijinja::Error) -> TemplateError {
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        if let Some(Raised(message)) = cause.downcast_ref::<Raised>() {
            return TemplateError::Raised {
                message: message.clone(),
            };
        }
        source = cause.source();
    }
    TemplateError::Render {
        detail: describe(&err),
    }
}

/// "syntax error: unexpected end of input at line 3", without minijinja's "(in chat_template:3)".
fn describe(err: &minijinja::Error) -> String {
    let what = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    match err.line() {
        Some(line) => format!("{what} at line {line}"),
        None => what,
    }
}

/// transformers defines a `{% generation %}...{% endgeneration %}` block (it marks assistant text for training
/// masks) that renders its body unchanged. minijinja has no such tag, so each becomes `{% if true %}` /
/// `{% endif %}`, keeping the tag's whitespace-control signs so the output is the same.
fn neutralize_generation(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find("{%") {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        match generation_tag(tag) {
            Some((len, replacement)) => {
                out.push_str(&replacement);
                rest = &tag[len..];
            }
            None => {
                out.push_str("{%");
                rest = &tag[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// If `tag` starts with a generation tag, its length and the tag to put in its place.
fn generation_tag(tag: &str) -> Option<(usize, String)> {
    let inner = &tag[2..];
    let open_sign = inner.chars().next().filter(|c| matches!(c, '-' | '+'));
    let inner = &inner[open_sign.map_or(0, char::len_utf8)..];
    let word_start = inner.len() - inner.trim_start().len();
    let word_end = inner[word_start..]
        .find(|c: char| !c.is_ascii_alphabetic())
        .map(|i| word_start + i)?;
    let replacement = match &inner[word_start..word_end] {
        "generation" => "if true",
        "endgeneration" => "endif",
        _ => return None,
    };
    let after = inner[word_end..].trim_start();
    let close_sign = after.chars().next().filter(|c| matches!(c, '-' | '+'));
    let after_sign = &after[close_sign.map_or(0, char::len_utf8)..];
    if !after_sign.starts_with("%}") {
        return None;
    }
    let len = tag.len() - after_sign.len() + 2;
    let sign = |s: Option<char>| s.map(String::from).unwrap_or_default();
    Some((
        len,
        format!("{{%{} {replacement} {}%}}", sign(open_sign), sign(close_sign)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_tags_become_plain_blocks_with_their_whitespace_signs() {
        let src = "a{%- generation -%} b {% endgeneration +%}{% if x %}{% endif %}{%generation%}";
        assert_eq!(
            neutralize_generation(src),
            "a{%- if true -%} b {% endif +%}{% if x %}{% endif %}{% if true %}"
        );
    }

    #[test]
    fn generation_blocks_render_their_body() {
        let src = "{% for m in messages %}{% generation %}[{{ m.content }}]{% endgeneration %}{% endfor %}";
        let template = ChatTemplate::new(src).unwrap();
        let out = template
            .render(&[Message::new(crate::Role::User, "hi")], false, &Vars::new())
            .unwrap();
        assert_eq!(out, "[hi]");
    }

    #[test]
    fn syntax_errors_say_where() {
        let err = ChatTemplate::new("{% for m in messages %}{{ m }}").unwrap_err();
        assert!(matches!(err, TemplateError::Syntax { .. }), "{err:?}");
        assert!(err.to_string().contains("does not compile"), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn variables_cannot_replace_messages_but_can_set_tools() {
        let src = "{{ messages | length }} {{ tools }} {{ add_generation_prompt }}";
        let mut vars = Vars::new();
        vars.set_str("messages", "oops")
            .set_json("tools", "[1]")
            .unwrap()
            .set_bool("add_generation_prompt", false);
        let out = ChatTemplate::new(src)
            .unwrap()
            .render(&[Message::new(crate::Role::User, "x")], true, &vars)
            .unwrap();
        assert_eq!(out, "1 [1] True");
    }

    #[test]
    fn undefined_values_behave_as_in_jinja2() {
        let template = ChatTemplate::new(
            "[{{ nothing }}]{% for x in nothing %}x{% endfor %}{% if nothing %}y{% endif %}",
        )
        .unwrap();
        assert_eq!(
            template
                .render(&[Message::new(crate::Role::User, "x")], false, &Vars::new())
                .unwrap(),
            "[]"
        );
        let attr = ChatTemplate::new("{{ nothing.attr }}").unwrap();
        let err = attr
            .render(&[Message::new(crate::Role::User, "x")], false, &Vars::new())
            .unwrap_err();
        assert!(matches!(err, TemplateError::Render { .. }), "{err:?}");
    }
}
