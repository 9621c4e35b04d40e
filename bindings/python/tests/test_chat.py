"""Model.explain(chat=...) explains a conversation as `whylm explain --chat FILE` does: same rendering, same numbers,
same one-line errors. stories260K has no chat template of its own, so a ChatML-style template file is given (as the
CLI's chat tests do)."""

from __future__ import annotations

import json

import pytest

import whylm
from conftest import assert_same_levels, cli_error, cli_json, shared

TEMPLATE = (
    "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

CHAT = [
    {"role": "system", "content": "Tell a story."},
    {"role": "user", "content": "Tom had a red ball."},
    {"role": "assistant", "content": "Tom was happy."},
    {"role": "user", "content": "Where did Tom go?"},
    {"role": "assistant", "content": "Tom went to the park."},
]


@pytest.fixture(scope="module")
def stories():
    return shared("models/stories260K/stories260K.gguf")


@pytest.fixture
def files(tmp_path):
    template = tmp_path / "chat.jinja"
    template.write_text(TEMPLATE, encoding="utf-8")
    chat = tmp_path / "chat.json"
    chat.write_text(json.dumps(CHAT), encoding="utf-8")
    return template, chat


def test_a_conversation_gives_the_cli_values_turn_by_turn(tmp_path, stories, files):
    template, chat = files
    model = whylm.load(stories)
    ours = model.explain(chat=CHAT, chat_template=template, level="turn,word", keep_system=True, progress=False)
    document = cli_json(
        tmp_path,
        ["--model", str(stories), "--chat-template", str(template), "--chat", str(chat),
         "--level", "turn,word", "--keep-system"],
    )
    assert_same_levels(ours, document)
    # the final reply is the target, the kept system prompt no feature, the rendering the CLI's
    assert "".join(ours.target_tokens).strip() == "Tom went to the park."
    assert [f.text for f in ours.levels["turn"].features] == [
        "Tom had a red ball.", "Tom was happy.", "Where did Tom go?"
    ]
    assert ours.document["conversation"] == document["conversation"]


def test_json_text_turn_selection_and_template_variables_reach_the_template(tmp_path, stories, files):
    template, chat = files
    model = whylm.load(stories)
    ours = model.explain(chat=json.dumps(CHAT), chat_template=template, level="turn", explain_turns=[0, 3],
                         progress=False)
    document = cli_json(
        tmp_path,
        ["--model", str(stories), "--chat-template", str(template), "--chat", str(chat),
         "--level", "turn", "--explain-turns", "0,3"],
    )
    assert_same_levels(ours, document)
    assert [f.text for f in ours.features] == ["Tell a story.", "Where did Tom go?"]
    # a variable the template prints, given as Python values and as --set's NAME=JSON
    greeting = tmp_path / "greeting.jinja"
    greeting.write_text("{{ greeting }} " + TEMPLATE, encoding="utf-8")
    vars_ours = model.explain(chat=CHAT[:2], chat_template=greeting, template_vars={"greeting": "Hi there"},
                              target=" Tom", level="turn", progress=False)
    chat2 = tmp_path / "two.json"
    chat2.write_text(json.dumps(CHAT[:2]), encoding="utf-8")
    vars_cli = cli_json(
        tmp_path,
        ["--model", str(stories), "--chat-template", str(greeting), "--chat", str(chat2), "--target", " Tom",
         "--level", "turn", "--set", 'greeting="Hi there"'],
    )
    assert vars_ours.document["conversation"]["rendered"].startswith("Hi there <|system|>")
    assert_same_levels(vars_ours, vars_cli)


@pytest.mark.parametrize(
    "conversation",
    [
        '[{"role": "user",',
        json.dumps([{"role": "robot", "content": "hi"}]),
        "[]",
        json.dumps([{"role": "user"}]),
        json.dumps([{"role": "assistant", "content": "Hello."}]),
    ],
    ids=["not-json", "bad-role", "empty", "no-content", "only-a-reply"],
)
def test_a_malformed_chat_is_a_value_error_with_the_cli_message(tmp_path, stories, files, conversation):
    template, _ = files
    path = tmp_path / "bad.json"
    path.write_text(conversation, encoding="utf-8")
    expected = cli_error(["--model", str(stories), "--chat-template", str(template), "--chat", str(path)])
    # the CLI names the file it read; the message after it is the same
    expected = expected[len(f"{path}: "):] if expected.startswith(f"{path}: ") else expected
    model = whylm.load(stories)
    as_python = json.loads(conversation) if conversation != '[{"role": "user",' else conversation
    with pytest.raises(ValueError) as raised:
        model.explain(chat=as_python, chat_template=template, progress=False)
    assert str(raised.value) == expected


def test_a_model_without_a_template_and_bad_turns_are_the_cli_errors(tmp_path, files):
    template, chat = files
    builtin = whylm.load("builtin")
    with pytest.raises(ValueError) as raised:
        builtin.explain(chat=[{"role": "user", "content": "hi"}], progress=False)
    assert str(raised.value) == cli_error(["--user", "hi"])
    with pytest.raises(ValueError) as raised:
        builtin.explain(chat=CHAT, chat_template=template, explain_turns="7", progress=False)
    assert str(raised.value) == cli_error(["--chat", str(chat), "--chat-template", str(template),
                                           "--explain-turns", "7"])
    with pytest.raises(ValueError, match="do not go with chat"):
        builtin.explain(chat=CHAT, chat_template=template, prefix="Q: ")
