//! Each pre-tokenizer family on strings that tell the families apart (digit grouping,
//! contractions, punctuation, newlines, leading spaces, CJK, case), with the pieces worked out by
//! hand from llama.cpp's regexes as llama.cpp runs them.

use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer};

use super::bpe::{regex_split, regex_splits};
use super::pre_tokenizers::{as_llama_cpp_runs, lookup, AFMOE_DIGITS};

fn split_with(pre: &impl PreTokenizer, text: &str) -> Vec<String> {
    let mut pretokenized = PreTokenizedString::from(text);
    if let Err(e) = pre.pre_tokenize(&mut pretokenized) {
        panic!("{text:?}: {e}");
    }
    pretokenized
        .get_splits(OffsetReferential::Original, OffsetType::Byte)
        .into_iter()
        .map(|(piece, _, _)| piece.to_string())
        .collect()
}

/// The pieces llama.cpp's regex list for `name` cuts `text` into (before byte encoding).
fn pieces(name: &str, text: &str) -> Vec<String> {
    let spec = lookup(name).unwrap_or_else(|| panic!("no pre-tokenizer {name}"));
    let splits = regex_splits(spec.regexes).unwrap_or_else(|e| panic!("{name}: {e}"));
    split_with(&Sequence::new(splits), text)
}

fn check(name: &str, text: &str, expected: &[&str]) {
    assert_eq!(pieces(name, text), expected, "{name} on {text:?}");
}

#[test]
fn digits_group_by_three_one_or_all() {
    check("llama-bpe", "12345", &["123", "45"]);
    check("deepseek-v3", "12345", &["123", "45"]);
    check("default", "12345", &["123", "45"]);
    check("falcon", "12345", &["123", "45"]);
    check("qwen2", "12345", &["1", "2", "3", "4", "5"]);
    check("starcoder", "12345", &["1", "2", "3", "4", "5"]);
    check("viking", "12345", &["1", "2", "3", "4", "5"]);
    check("gpt-2", "12345", &["12345"]);
    check("bloom", "12345", &["12345"]);
    // grouped from the right: 5 = 2 + 3
    check("afmoe", "12345", &["12", "345"]);
    check("superbpe", "12345", &["12", "345"]);
    check("superbpe", "123456", &["123", "456"]);
}

#[test]
fn contractions_are_case_insensitive_only_where_llama_cpp_says() {
    check("gpt-2", "don't DON'T", &["don", "'t", " DON", "'", "T"]);
    check("llama-bpe", "don't DON'T", &["don", "'t", " DON", "'T"]);
    check("bailingmoe", "DON'T", &["DON", "'T"]);
    check("ufakzeka", "Ankara'da", &["Ankara", "'da"]);
}

#[test]
fn punctuation_and_letters() {
    // llama3 lets one non-letter lead a word; gpt-2 keeps it apart
    check("llama-bpe", "(hello", &["(hello"]);
    check("gpt-2", "(hello", &["(", "hello"]);
    check("bloom", "Hello, world!", &["Hello", ",", " world", "!"]);
    check("deepseek-coder", " hello, world", &[" hello", ",", " world"]);
    // seed-coder keeps a newline out of a punctuation run, llama3 takes it along
    check("seed-coder", "!!\n", &["!!", "\n"]);
    check("llama-bpe", "!!\n", &["!!\n"]);
}

#[test]
fn newlines_and_spaces() {
    check("llama-bpe", "a\n\nb", &["a", "\n\n", "b"]);
    check("gpt-2", "a\n\nb", &["a", "\n", "\n", "b"]);
    check("deepseek-coder", "a\nb", &["a", "\n", "b"]);
    check("gpt-2", "  hello", &[" ", " hello"]);
    check("llama-bpe", "  hello", &[" ", " hello"]);
    check("chameleon", "a  b", &["a", "  ", "b"]);
    // exaone-moe joins words separated by single spaces
    check("exaone-moe", "hello world", &["hello world"]);
}

#[test]
fn cjk_runs() {
    check("deepseek-coder", "ab中文", &["ab", "中文"]);
    check("deepseek-v3", "ab中文", &["ab", "中文"]);
    check("youtu", "中文，ok", &["中文", "，", "ok"]);
}

#[test]
fn case_splitting_follows_llama_cpp() {
    // gpt-4o and tekken rewrite the upper/lower classes with lookaheads: camelCase splits
    check("gpt-4o", "camelCase", &["camel", "Case"]);
    check("tekken", "camelCase", &["camel", "Case"]);
    // youtu and tiny_aya keep \p{Lu}/\p{Ll}, which llama.cpp reads as "any letter"
    check("youtu", "camelCase", &["camelCase"]);
    check("tiny_aya", "camelCase", &["camelCase"]);
}

#[test]
fn afmoe_digits_split_like_llama_cpps_hand_written_splitter() {
    let split = regex_split(AFMOE_DIGITS).unwrap_or_else(|e| panic!("{e}"));
    let cut = |text: &str| split_with(&split, text);
    assert_eq!(cut("123456"), ["123", "456"]);
    assert_eq!(cut("1234567"), ["1", "234", "567"]);
    // the text before a run joins its first group, as in llama.cpp
    assert_eq!(cut("abc1234xy"), ["abc1", "234", "xy"]);
    assert_eq!(cut("no digits"), ["no digits"]);
}

#[test]
fn regexes_are_rewritten_as_llama_cpp_runs_them() {
    assert_eq!(as_llama_cpp_runs(r"[\p{Lu}\p{Ll}]\p{N}"), r"[\p{L}\p{L}]\p{N}");
    assert_eq!(
        as_llama_cpp_runs(r"(?=(\d{3})+(?!\d))"),
        r"(?=([0-9]{3})+(?![0-9]))"
    );
    // escaped backslashes are not escapes of what follows
    assert_eq!(as_llama_cpp_runs(r"[\\d]"), r"[\\d]");
}
