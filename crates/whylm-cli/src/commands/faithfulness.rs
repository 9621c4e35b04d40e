//! `whylm faithfulness`: how faithful a saved explanation is to the model: the score drop when each level's top
//! features are removed, and the linear datamodeling score over fresh random ablations.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use whylm_report::ReportDoc;

use crate::failure::UserFault;
use crate::options::count::positive_count;
use crate::options::faithfulness::{lds_samples, measure};
use crate::options::model_loading::load_model_or_default;
use crate::options::report_output::{emit, ReportTargets};
use crate::options::weights::WeightOptions;

#[derive(Args, Debug)]
pub struct FaithfulnessArgs {
    /// An explanation saved with `whylm explain --json`.
    #[arg(value_name = "EXPLANATION.json")]
    pub explanation: PathBuf,
    /// The model the explanation was made with (a GGUF file or a Hugging Face directory); without it, the
    /// built-in default model.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub weights: WeightOptions,
    /// Random keep-1/2 ablations for the LDS.
    #[arg(long, value_name = "N", default_value = "100", value_parser = lds_samples)]
    pub samples: usize,
    /// Seed of the ablations.
    #[arg(long, value_name = "S", default_value = "0")]
    pub seed: u64,
    /// Coalitions scored per forward pass.
    #[arg(long, value_name = "N", value_parser = positive_count)]
    pub batch_size: Option<usize>,
    /// Save the explanation with its faithfulness as JSON; `-` prints it on stdout instead of the report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print no terminal report and no notes.
    #[arg(long)]
    pub quiet: bool,
    /// Never colour the terminal report.
    #[arg(long)]
    pub no_color: bool,
}

pub fn run(args: FaithfulnessArgs) -> Result<()> {
    let mut doc = ReportDoc::load(&args.explanation).user_fault()?;
    let loaded = load_model_or_default(args.model.as_deref(), &args.weights, args.quiet)?;
    let backend = loaded.backend();
    measure(&backend, &mut doc, args.samples, args.seed, args.batch_size)?;
    let targets = ReportTargets {
        json: args.json,
        html: None,
        svg: None,
        terminal: !args.quiet,
        no_color: args.no_color,
    };
    emit(&doc, &targets)
}
