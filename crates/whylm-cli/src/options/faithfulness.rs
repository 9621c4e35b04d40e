//! `--faithfulness N` on explain, and the measurement it shares with `whylm faithfulness`.

use anyhow::Result;
use clap::Args;
use whylm_backend::Backend;
use whylm_explain::document_faithfulness::measure_document;
use whylm_explain::faithfulness::{FaithfulnessError, DEFAULT_TOP_K};
use whylm_report::ReportDoc;

use crate::failure::UserError;

#[derive(Args, Debug, Clone, Default)]
pub struct FaithfulnessOptions {
    /// After explaining, measure each level on the model: the score drop when its top 1, 3 and 5 features are
    /// removed, and the linear datamodeling score (LDS: Spearman correlation between the summed values of the
    /// kept features and the model's score) over N random keep-1/2 ablations; N + 4 more evaluations per level.
    #[arg(long, value_name = "N", value_parser = lds_samples)]
    pub faithfulness: Option<usize>,
}

/// The number of LDS ablations: a correlation needs at least 2.
pub fn lds_samples(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 2 => Ok(n),
        Ok(_) => Err("the LDS correlates at least 2 ablations; give 2 or more (100 is usual)".into()),
        Err(_) => Err("it is not a whole number; give the number of ablations, such as 100".into()),
    }
}

/// Measures every level of `doc` on `backend` with `samples` LDS ablations seeded by `seed`.
pub fn measure(
    backend: &dyn Backend,
    doc: &mut ReportDoc,
    samples: usize,
    seed: u64,
    batch_size: Option<usize>,
) -> Result<()> {
    measure_document(backend, doc, &DEFAULT_TOP_K, samples, seed, batch_size).map_err(faithfulness_error)
}

fn faithfulness_error(error: FaithfulnessError) -> anyhow::Error {
    if error.is_user_error() {
        UserError::from_message(error).into()
    } else {
        error.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_count_must_allow_a_correlation() {
        assert_eq!(lds_samples("100"), Ok(100));
        assert!(lds_samples("1").is_err());
        assert!(lds_samples("many").is_err());
    }
}
