//! Times a 10 kB encode with every supported pre-tokenizer, on the Llama 3 vocabulary from
//! ../shared with its `tokenizer.ggml.pre` replaced (the ids are meaningless for other names; the
//! point is the regexes' cost). Run: `cargo run -p whylm-tokenize --example pre_tokenizer_speed`.

use std::time::Instant;

use whylm_tokenize::{GgufMetadata, MetaValue, Tokenizer, SUPPORTED_GGUF_PRE_TOKENIZERS};

const VOCAB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/tokenizer-conformance/ggml-vocab-llama-bpe.gguf"
);

const SAMPLE: &str = "The quick brown fox can't jump 1234567 times!\n\tcamelCaseWords and UPPER_CASE, \
     naïve café, 中文字符测试, 日本語のテキスト, 한국어 문장... (x+y)*z == 42;   spaces   \n\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = GgufMetadata::from_file(VOCAB)?;
    let text = SAMPLE.repeat(10_000 / SAMPLE.len() + 1);
    println!("{} bytes of text", text.len());
    let mut rows = Vec::new();
    for pre in SUPPORTED_GGUF_PRE_TOKENIZERS {
        let mut meta = base.clone();
        meta.insert("tokenizer.ggml.pre", MetaValue::String((*pre).to_string()));
        let tokenizer = Tokenizer::from_gguf_metadata(&meta)?;
        let start = Instant::now();
        let n = tokenizer.encode(&text, false)?.ids.len();
        rows.push((start.elapsed().as_secs_f64() * 1e3, *pre, n));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, pre, n) in rows {
        println!("{ms:8.2} ms  {n:6} tokens  {pre}");
    }
    Ok(())
}
