//! tokenizer.json: building the tokenizer, then encoding and decoding a fixed text with it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tokenizer) = whylm_tokenize::Tokenizer::from_tokenizer_json(data) {
        if let Ok(encoding) = tokenizer.encode("Once upon a time, 123 <s> ünïcode", true) {
            let _ = tokenizer.decode(&encoding.ids);
        }
    }
});
