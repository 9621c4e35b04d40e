//! GGUF headers and config.json files that claim huge sizes, written by hand: each is refused with a one-line
//! error before anything of the claimed size is allocated (the files are a few hundred bytes; a reader that
//! allocated what they claim would abort the test process for lack of memory).

use whylm_model::{load_gguf_model_from_bytes, load_hf_model_from_memory, Device, ModelError};

const U32: u32 = 4;
const STRING: u32 = 8;
const ARRAY: u32 = 9;
const F32_TYPE: u32 = 0;

/// A GGUF v3 file: header counts, then raw bytes that the test appends.
struct Gguf(Vec<u8>);

impl Gguf {
    fn new(tensors: u64, entries: u64) -> Gguf {
        let mut b = b"GGUF".to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(tensors.to_le_bytes());
        b.extend(entries.to_le_bytes());
        Gguf(b)
    }
    fn u32(mut self, v: u32) -> Gguf {
        self.0.extend(v.to_le_bytes());
        self
    }
    fn u64(mut self, v: u64) -> Gguf {
        self.0.extend(v.to_le_bytes());
        self
    }
    fn str(self, s: &str) -> Gguf {
        let mut g = self.u64(s.len() as u64);
        g.0.extend(s.as_bytes());
        g
    }
    /// One tensor info: name, dimensions (GGUF order), type, offset.
    fn tensor(self, name: &str, dims: &[u64], dtype: u32) -> Gguf {
        let mut g = self.str(name).u32(dims.len() as u32);
        for &d in dims {
            g = g.u64(d);
        }
        g.u32(dtype).u64(0)
    }
    fn padded(mut self, len: usize) -> Vec<u8> {
        self.0.resize(self.0.len().max(len), 0);
        self.0
    }
}

fn refused(bytes: &[u8]) -> String {
    let Err(err) = load_gguf_model_from_bytes(bytes, &Device::Cpu) else {
        panic!("a file claiming huge sizes was loaded");
    };
    let msg = err.to_string();
    assert!(matches!(err, ModelError::Gguf { .. }), "{msg}");
    assert!(!msg.contains('\n'), "multi-line error: {msg}");
    msg
}

#[test]
fn a_tensor_of_two_to_the_forty_elements_is_refused_before_reading() {
    let bytes = Gguf::new(1, 0)
        .tensor("token_embd.weight", &[1 << 20, 1 << 20], F32_TYPE)
        .padded(4096);
    let msg = refused(&bytes);
    assert!(
        msg.contains("token_embd.weight") && msg.contains("4398046511104 bytes"),
        "{msg}"
    );
    assert!(msg.contains("only 4096 bytes"), "{msg}");
}

#[test]
fn dimensions_whose_product_overflows_are_refused() {
    let bytes = Gguf::new(1, 0)
        .tensor("output.weight", &[1 << 32, 1 << 32, 1 << 32], F32_TYPE)
        .padded(4096);
    let msg = refused(&bytes);
    assert!(
        msg.contains("output.weight") && msg.contains("overflows"),
        "{msg}"
    );
}

#[test]
fn a_string_claiming_two_gigabytes_is_refused() {
    let bytes = Gguf::new(0, 1).u64(1 << 31).padded(256);
    let msg = refused(&bytes);
    assert!(msg.contains("2147483648"), "{msg}");
}

#[test]
fn a_billion_entries_or_array_elements_are_refused() {
    let msg = refused(&Gguf::new(0, 1_000_000_000).padded(256));
    assert!(msg.contains("1000000000"), "{msg}");
    let msg = refused(&Gguf::new(1_000_000_000, 0).padded(256));
    assert!(msg.contains("1000000000"), "{msg}");
    let array = Gguf::new(0, 1)
        .str("tokenizer.ggml.tokens")
        .u32(ARRAY)
        .u32(STRING)
        .u64(1_000_000_000)
        .padded(256);
    let msg = refused(&array);
    assert!(msg.contains("1000000000"), "{msg}");
}

#[test]
fn an_alignment_of_zero_is_refused() {
    // candle rounds the tensor data offset up to a multiple of general.alignment: zero divides by zero.
    let bytes = Gguf::new(0, 1)
        .str("general.alignment")
        .u32(U32)
        .u32(0)
        .padded(64);
    let msg = refused(&bytes);
    assert!(
        msg.contains("general.alignment") && msg.contains("power of two"),
        "{msg}"
    );
}

#[test]
fn a_config_claiming_a_trillion_token_context_is_refused_before_the_rope_tables() {
    let config = r#"{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
        "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 4,
        "vocab_size": 32, "max_position_embeddings": 1000000000000, "rms_norm_eps": 1e-5}"#;
    // The weights never matter: the config is checked when it is parsed.
    let Err(err) = load_hf_model_from_memory(config, &[], &Device::Cpu) else {
        panic!("a trillion-token context was accepted");
    };
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "multi-line error: {msg}");
    assert!(msg.contains("1000000000000") && msg.contains("RoPE"), "{msg}");
}

#[test]
fn a_tensor_with_no_elements_is_refused() {
    // Found by fuzzing (tests/data/fuzz/zero-element-tensor.gguf, the crash minimised by hand to its cause): candle
    // viewed the empty buffer as a slice of f32 through a misaligned dangling pointer, which is undefined behaviour.
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/zero-element-tensor.gguf");
    let msg = refused(&std::fs::read(path).unwrap());
    assert!(
        msg.contains("rope_freqs.weight") && msg.contains("no elements"),
        "{msg}"
    );
}
