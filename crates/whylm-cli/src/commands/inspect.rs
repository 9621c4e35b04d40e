//! `whylm inspect`: what is in a model: architecture, tokenizer, storage types, size and memory needs.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde_json::json;
use whylm_model::{bytes_text, DtypeChoice, LoadedModel, ModelFormat};
use whylm_tokenize::{Tokenizer, TokenizerKind};

use crate::options::model_loading::load_model;
use crate::options::output::print_stdout;
use crate::options::weights::WeightOptions;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// A GGUF file or a Hugging Face model directory.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    #[command(flatten)]
    pub weights: WeightOptions,
    /// Print the facts as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InspectArgs) -> Result<()> {
    let loaded = load_model(&args.model, &args.weights)?;
    let text = if args.json {
        serde_json::to_string_pretty(&as_json(&loaded))? + "\n"
    } else {
        as_text(&loaded)
    };
    print_stdout(&text)
}

fn as_text(loaded: &LoadedModel) -> String {
    let info = &loaded.info;
    let tokenizer = &loaded.tokenizer;
    let by_type: Vec<String> = info
        .parameters_by_type
        .iter()
        .map(|(kind, count)| format!("{kind} {}", count_text(*count)))
        .collect();
    let mut out = String::new();
    let mut row = |name: &str, value: String| {
        let _ = writeln!(out, "{name:<14}{value}");
    };
    row("model", format!("{} ({})", loaded.name, info.source));
    row("format", format_name(info.format).to_string());
    row("architecture", info.architecture.clone());
    row(
        "shape",
        format!(
            "{} layers, hidden size {}, {} heads, {} key/value heads{}",
            info.layers,
            info.hidden_size,
            info.heads,
            info.kv_heads,
            if info.tied_embeddings {
                ", tied embeddings"
            } else {
                ""
            }
        ),
    );
    row("context", format!("{} tokens", info.context_length));
    row(
        "parameters",
        format!("{} ({})", count_text(info.parameters), by_type.join(", ")),
    );
    row("quantization", info.quantization.clone());
    row("dtype", dtype_text(&info.dtype));
    row("weights", bytes_text(info.weight_bytes));
    row(
        "memory",
        format!(
            "about {} (weights + one scoring batch)",
            bytes_text(info.memory_estimate_bytes)
        ),
    );
    row(
        "tokenizer",
        format!(
            "{}, {} tokens, BOS {}, EOS {}",
            kind_name(tokenizer.kind()),
            tokenizer.vocab_size(),
            special_text(tokenizer, tokenizer.bos_id()),
            special_text(tokenizer, tokenizer.eos_id()),
        ),
    );
    out
}

/// "f32 (asked auto: the fastest, and it fits in ...)" or "native (as asked)".
fn dtype_text(dtype: &DtypeChoice) -> String {
    format!("{} ({})", dtype.chosen, dtype.why())
}

fn as_json(loaded: &LoadedModel) -> serde_json::Value {
    let info = &loaded.info;
    let tokenizer = &loaded.tokenizer;
    let by_type: serde_json::Map<String, serde_json::Value> = info
        .parameters_by_type
        .iter()
        .map(|(kind, count)| (kind.clone(), json!(count)))
        .collect();
    json!({
        "name": loaded.name,
        "source": info.source,
        "format": format_name(info.format),
        "architecture": info.architecture,
        "layers": info.layers,
        "hidden_size": info.hidden_size,
        "heads": info.heads,
        "kv_heads": info.kv_heads,
        "tied_embeddings": info.tied_embeddings,
        "context_length": info.context_length,
        "vocab_size": info.vocab_size,
        "parameters": info.parameters,
        "parameters_by_type": by_type,
        "quantization": info.quantization,
        "weight_bytes": info.weight_bytes,
        "dtype": {
            "requested": info.dtype.requested.name(),
            "chosen": info.dtype.chosen.name(),
            "reason": info.dtype.reason,
            "max_memory": info.dtype.max_memory,
        },
        "memory_estimate_bytes": info.memory_estimate_bytes,
        "tokenizer": {
            "kind": kind_name(tokenizer.kind()),
            "vocab_size": tokenizer.vocab_size(),
            "bos_id": tokenizer.bos_id(),
            "eos_id": tokenizer.eos_id(),
            "adds_bos": tokenizer.adds_bos(),
        },
    })
}

fn format_name(format: ModelFormat) -> &'static str {
    match format {
        ModelFormat::Gguf => "GGUF",
        ModelFormat::HuggingFace => "Hugging Face (safetensors)",
        ModelFormat::Memory => "built in",
    }
}

fn kind_name(kind: TokenizerKind) -> &'static str {
    match kind {
        TokenizerKind::SentencePieceBpe => "SentencePiece BPE",
        TokenizerKind::ByteLevelBpe => "byte-level BPE",
        TokenizerKind::Other => "tokenizer.json",
    }
}

fn special_text(tokenizer: &Tokenizer, id: Option<u32>) -> String {
    match id {
        Some(id) => format!("{id} {:?}", tokenizer.piece(id).unwrap_or_default()),
        None => "none".into(),
    }
}

/// 260.1 K, 6.74 B: parameter counts as people say them.
fn count_text(count: usize) -> String {
    let value = count as f64;
    match count {
        0..=9_999 => count.to_string(),
        10_000..=999_999 => format!("{:.1} K", value / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} M", value / 1e6),
        _ => format!("{:.2} B", value / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(count_text(512), "512");
        assert_eq!(count_text(260_130), "260.1 K");
        assert_eq!(count_text(6_738_415_616), "6.74 B");
        assert_eq!(bytes_text(1000), "1000 B");
        assert_eq!(bytes_text(1_048_576), "1.0 MiB");
        assert_eq!(bytes_text(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
