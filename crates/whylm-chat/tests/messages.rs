//! Reading conversations: the accepted shapes, and one test per refusal, each checking that the message names the
//! problem.

use whylm_chat::{parse_messages, parse_messages_bytes, system_user, ChatError, Message, Role};

fn err(text: &str) -> ChatError {
    match parse_messages(text) {
        Ok(messages) => panic!("{text} parsed as {messages:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_list_and_a_messages_object_give_the_same_conversation() {
    let list =
        r#"[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi", "name": "ann"}]"#;
    let object = format!(r#"{{"model": "x", "messages": {list}}}"#);
    let want = vec![
        Message::new(Role::System, "Be brief."),
        Message::new(Role::User, "Hi"),
    ];
    assert_eq!(parse_messages(list).unwrap(), want);
    assert_eq!(parse_messages(&object).unwrap(), want);
    assert_eq!(
        parse_messages_bytes(format!("\u{feff}{list}").as_bytes()).unwrap(),
        want
    );
}

#[test]
fn every_role_parses_including_tool() {
    let text = r#"[{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                   {"role": "assistant", "content": "a"}, {"role": "tool", "content": "t"}]"#;
    let roles: Vec<Role> = parse_messages(text).unwrap().iter().map(|m| m.role).collect();
    assert_eq!(roles, Role::ALL);
}

#[test]
fn the_shortcut_builds_system_then_user() {
    assert_eq!(
        system_user(Some("Be brief."), "Hi"),
        [
            Message::new(Role::System, "Be brief."),
            Message::new(Role::User, "Hi")
        ]
    );
    assert_eq!(system_user(None, "Hi"), [Message::new(Role::User, "Hi")]);
}

#[test]
fn json_that_does_not_parse_names_line_and_column() {
    let e = err("[\n  {\"role\": \"user\", \"content\": \"Hi\"}\n  {\"role\": \"user\"}\n]");
    assert!(
        matches!(
            e,
            ChatError::BadJson {
                line: 3,
                column: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("the chat is not valid JSON at line 3, column 3"),
        "{e}"
    );
}

#[test]
fn an_unknown_role_is_named_with_the_valid_ones() {
    let e = err(r#"[{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]"#);
    assert_eq!(
        e.to_string(),
        "messages[1] has unknown role \"bot\"; valid roles are: system, user, assistant, tool"
    );
    let e = err(r#"[{"role": "User", "content": "a"}]"#);
    assert!(e.to_string().contains("unknown role \"User\""), "{e}");
    let e = err(r#"[{"content": "a"}]"#);
    assert!(
        e.to_string().contains("messages[0] has no string \"role\""),
        "{e}"
    );
}

#[test]
fn an_empty_conversation_is_refused() {
    for text in ["[]", r#"{"messages": []}"#] {
        let e = err(text);
        assert!(matches!(e, ChatError::Empty), "{text}: {e:?}");
        assert!(e.to_string().contains("the chat has no messages"), "{e}");
    }
}

#[test]
fn missing_or_null_content_is_refused() {
    for text in [r#"[{"role": "user"}]"#, r#"[{"role": "user", "content": null}]"#] {
        let e = err(text);
        assert_eq!(
            e.to_string(),
            "messages[0] (user) has no \"content\"; give its text as a string",
            "{text}"
        );
    }
}

#[test]
fn non_string_content_is_refused_with_its_type() {
    let e = err(r#"[{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]"#);
    assert!(
        e.to_string()
            .contains("messages[0] (user) has content that is a list, not a string"),
        "{e}"
    );
    let e = err(r#"[{"role": "assistant", "content": 42}]"#);
    assert!(
        e.to_string().contains("(assistant) has content that is a number"),
        "{e}"
    );
}

#[test]
fn text_that_is_not_utf8_is_refused_with_the_offset() {
    let mut bytes = br#"[{"role": "user", "content": "caf"#.to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xe9\"}]");
    let e = parse_messages_bytes(&bytes).unwrap_err();
    assert_eq!(e, ChatError::NotUtf8 { offset });
    assert!(
        e.to_string()
            .contains(&format!("not UTF-8 text (invalid byte at offset {offset})")),
        "{e}"
    );
}

#[test]
fn other_shapes_are_refused_with_what_was_found() {
    let e = err(r#"{"conversation": []}"#);
    assert!(
        e.to_string().contains("but the object has no \"messages\""),
        "{e}"
    );
    let e = err(r#""hello""#);
    assert!(e.to_string().contains("but it is a string"), "{e}");
    let e = err(r#"{"messages": {"role": "user"}}"#);
    assert!(e.to_string().contains("but \"messages\" is an object"), "{e}");
    let e = err(r#"[{"role": "user", "content": "a"}, "b"]"#);
    assert!(
        e.to_string()
            .starts_with("messages[1] is a string, not an object"),
        "{e}"
    );
}

#[test]
fn every_error_is_one_line() {
    let texts = [
        "[",
        "[]",
        r#"[{"role": "x", "content": "a"}]"#,
        r#"[{"role": "user"}]"#,
        r#"[{"role": "user", "content": 1}]"#,
    ];
    for text in texts {
        let shown = err(text).to_string();
        assert!(!shown.contains('\n'), "{text}: {shown}");
    }
}
