//! The Hugging Face loader: config.json text plus one safetensors file, as `load_hf_model` reads them from a
//! directory. The input is `<u16 LE config length><config.json><safetensors bytes>` (see README.md), so one input
//! can vary both files without a temporary directory per execution.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let config_len = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
    let (config, safetensors) = data[2..].split_at(config_len);
    let Ok(config) = std::str::from_utf8(config) else {
        return;
    };
    let _ = whylm_model::load_hf_model_from_memory(config, safetensors, &candle_core::Device::Cpu);
});
