//! Chat conversations and Hugging Face chat templates, as pure text: messages in, the rendered prompt and the
//! byte span of every message's content out. Templates render as transformers renders them (jinja2 with
//! trim_blocks, lstrip_blocks, loop controls, `raise_exception`, its own `tojson` and `strftime_now`), checked
//! character for character against transformers on real templates (tests/reference.rs).
//!
//! ```
//! use whylm_chat::{system_user, ChatTemplate, Vars};
//! let template = ChatTemplate::new("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}").unwrap();
//! let chat = system_user(Some("Be brief."), "Hi!");
//! let rendered = template.render_with_spans(&chat, false, &Vars::new()).unwrap();
//! assert_eq!(rendered.text, "<|system|>Be brief.\n<|user|>Hi!\n");
//! let user = rendered.spans[1].as_ref().unwrap();
//! assert_eq!(&rendered.text[user.range.clone()], "Hi!");
//! ```

mod discover;
mod env;
mod error;
mod message;
mod pymethods;
mod python;
mod spans;
mod template;
mod values;
mod vars;

pub use discover::{
    gguf_named_template_key, read_template_file, special_tokens_from_tokenizer_config, template_from_hf_dir,
    template_from_tokenizer_config, FoundTemplate, GGUF_CHAT_TEMPLATE_KEY,
};
pub use error::{ChatError, TemplateError};
pub use message::{parse_messages, parse_messages_bytes, system_user, Message, Role};
pub use spans::{ContentSpan, RenderedChat, SpanFit, SpanMethod};
pub use template::ChatTemplate;
pub use vars::Vars;
