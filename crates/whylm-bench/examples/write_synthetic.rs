//! Writes the suite's synthetic Llama (dim 512, 8 layers, vocab 32000, seed 0) to a directory as
//! `synthetic.gguf` and `hf/`, so that other tools can run the same weights. Optional sizes make other shapes,
//! e.g. widths that are multiples of 256, where llama.cpp's K-quants apply to every matrix:
//! `cargo run --release -p whylm-bench --example write_synthetic -- DIR [HIDDEN FFN LAYERS HEADS [TOKENIZER_GGUF]]`
//! TOKENIZER_GGUF lends its `tokenizer.*` metadata to the GGUF (e.g. ../shared/models/llama-2-tiny-random, whose
//! 32,000-token Llama-2 vocabulary is the synthetic model's size), so that llama.cpp and `whylm generate` load it.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: write_synthetic DIR [HIDDEN FFN LAYERS HEADS]");
        std::process::exit(2);
    };
    let mut spec = whylm_bench::SyntheticSpec::default();
    let sizes: Result<Vec<usize>, _> = args[1..args.len().min(5)]
        .iter()
        .map(|a| a.parse::<usize>())
        .collect();
    match sizes.as_deref() {
        Ok([]) => {}
        Ok([hidden, ffn, layers, heads, ..]) if *heads > 0 && hidden % heads == 0 => {
            (spec.hidden, spec.ffn, spec.layers) = (*hidden, *ffn, *layers);
            (spec.heads, spec.kv_heads) = (*heads, *heads);
        }
        _ => {
            eprintln!("error: sizes are four whole numbers, HIDDEN a multiple of HEADS; usage: write_synthetic DIR [HIDDEN FFN LAYERS HEADS]");
            std::process::exit(2);
        }
    }
    let written = whylm_bench::write_synthetic(&spec, std::path::Path::new(dir)).map_err(|e| e.to_string());
    let done = written.and_then(|files| match args.get(5) {
        Some(tokenizer) => with_tokenizer(&files, std::path::Path::new(tokenizer)).map(|()| files),
        None => Ok(files),
    });
    match done {
        Ok(files) => println!("{}\n{}", files.gguf.display(), files.hf_dir.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// Rewrites the GGUF with `tokenizer`'s `tokenizer.*` metadata.
fn with_tokenizer(files: &whylm_bench::SyntheticFiles, tokenizer: &std::path::Path) -> Result<(), String> {
    let mut file = std::fs::File::open(tokenizer).map_err(|e| format!("{}: {e}", tokenizer.display()))?;
    let content = candle_core::quantized::gguf_file::Content::read(&mut file).map_err(|e| e.to_string())?;
    let metadata = content
        .metadata
        .into_iter()
        .filter(|(k, _)| k.starts_with("tokenizer."))
        .collect();
    let model =
        whylm_model::load_hf_model(&files.hf_dir, &whylm_model::Device::Cpu).map_err(|e| e.to_string())?;
    whylm_model::save_gguf(&model, &files.gguf, whylm_model::GgmlDType::F32, &metadata)
        .map_err(|e| e.to_string())
}
