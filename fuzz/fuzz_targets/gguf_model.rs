//! The GGUF model reader (`whylm explain -m model.gguf`): any bytes must give a model or a one-line error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = whylm_model::load_gguf_model_from_bytes(data, &candle_core::Device::Cpu);
});
