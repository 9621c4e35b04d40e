//! The toy tokenizer files load through whylm-tokenize (and the `tokenizers` crate) and tokenize the language
//! one word per token, with BOS first and byte spans on the words.

use whylm_tokenize::Tokenizer;
use whylm_toy::tokenizer_files::tokenizer_json;
use whylm_toy::vocab::{encode_words, vocab_size, BOS_ID, EOS_ID};
use whylm_toy::Generator;

const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");

#[test]
fn the_committed_tokenizer_is_the_generated_one() -> Result<(), Box<dyn std::error::Error>> {
    let committed = std::fs::read_to_string(format!("{ASSETS}/tokenizer.json"))?;
    assert_eq!(
        committed,
        tokenizer_json(),
        "assets/tokenizer.json is stale: retrain or rewrite it"
    );
    Ok(())
}

#[test]
fn words_become_tokens_with_bos_and_exact_spans() -> Result<(), Box<dyn std::error::Error>> {
    // Only the directory load reads tokenizer_config.json, which names the EOS token; tokenizer.json alone says
    // nothing about EOS because the post-processor never adds it.
    let from_dir = Tokenizer::from_hf_dir(ASSETS)?;
    assert_eq!(from_dir.eos_id(), Some(EOS_ID));
    for tokenizer in [
        Tokenizer::from_tokenizer_json(tokenizer_json().as_bytes())?,
        from_dir,
    ] {
        assert_eq!(tokenizer.vocab_size(), vocab_size());
        assert_eq!(tokenizer.bos_id(), Some(BOS_ID));
        for ex in Generator::new(77).take(200) {
            let encoding = tokenizer.encode(&ex.prompt, true)?;
            let mut expected = vec![BOS_ID];
            expected.extend(encode_words(&ex.prompt)?);
            assert_eq!(encoding.ids, expected, "{}", ex.prompt);
            assert_eq!(encoding.spans[0], (0, 0));
            assert!(encoding.special[0] && !encoding.special[1..].iter().any(|s| *s));
            assert_eq!(&encoding.spans[1..], &ex.word_spans()[..], "{}", ex.prompt);
            assert_eq!(tokenizer.decode(&encoding.ids[1..])?, ex.prompt);
        }
    }
    Ok(())
}

#[test]
fn punctuation_splits_off_and_unknown_words_become_unk() -> Result<(), Box<dyn std::error::Error>> {
    let tokenizer =
        tokenizers::Tokenizer::from_bytes(tokenizer_json().as_bytes()).map_err(|e| e.to_string())?;
    let encoding = tokenizer
        .encode("the red box has 7. the purple box", false)
        .map_err(|e| e.to_string())?;
    let tokens: Vec<&str> = encoding.get_tokens().iter().map(String::as_str).collect();
    assert_eq!(
        tokens,
        ["the", "red", "box", "has", "7", ".", "the", "<unk>", "box"]
    );
    Ok(())
}
