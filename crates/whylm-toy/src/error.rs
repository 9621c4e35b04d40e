use std::path::PathBuf;

/// Everything that can go wrong while generating, training or loading the toy model.
#[derive(Debug, thiserror::Error)]
pub enum ToyError {
    #[error("word {word:?} is not in the toy vocabulary; write prompts with the words of whylm_toy::vocab::words()")]
    UnknownWord { word: String },

    #[error(
        "held-out examples must come from a seed other than the training seed {seed}; pass a different seed"
    )]
    HeldOutSeedIsTrainingSeed { seed: u64 },

    #[error("invalid training settings: {0}")]
    Settings(String),

    #[error("tensor operation failed: {0}; this is a bug in the toy training or the model's forward pass")]
    Candle(#[from] candle_core::Error),

    #[error(transparent)]
    Model(#[from] whylm_model::ModelError),

    #[error("could not write {path}: {source}; check that the directory exists and is writable")]
    Write { path: PathBuf, source: std::io::Error },
}
