//! The GGUF metadata reader and the vocabulary builders (SPM and BPE), then one encode and decode.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tokenizer) = whylm_tokenize::Tokenizer::from_gguf_bytes(data) {
        if let Ok(encoding) = tokenizer.encode("Once upon a time, 123 <s> ünïcode", true) {
            let _ = tokenizer.decode(&encoding.ids);
        }
    }
});
