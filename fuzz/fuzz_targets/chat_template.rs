//! Chat templates (a model's tokenizer_config.json or `--chat-template FILE`): compile, then render a fixed
//! conversation with and without the generation prompt.
#![no_main]
use libfuzzer_sys::fuzz_target;
use whylm_chat::{ChatTemplate, Message, Role, Vars};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = ChatTemplate::new(source) else {
        return;
    };
    let messages = [
        Message::new(Role::System, "Be brief."),
        Message::new(Role::User, "Who wrote Hamlet?"),
        Message::new(Role::Assistant, "Shakespeare."),
    ];
    let vars = Vars::with_special_tokens(Some("<s>"), Some("</s>"));
    let _ = template.render(&messages, true, &vars);
    let _ = template.render(&messages[..2], false, &vars);
});
