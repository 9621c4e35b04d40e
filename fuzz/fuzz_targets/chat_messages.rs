//! The chat/messages JSON (`whylm explain --chat FILE`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = whylm_chat::parse_messages_bytes(data);
});
