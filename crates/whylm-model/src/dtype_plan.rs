//! Choosing the weight dtype before any tensor is read: the bytes each dtype would take (from the
//! file's tensor table) against the memory limit, and the scoring batch budget that is left.

use crate::dtype::{available_memory, bytes_text, DtypeChoice, LoadOptions, WeightDtype};
use crate::error::{ModelError, Result};
use crate::scorer::DEFAULT_MEMORY_BUDGET;

/// The least memory a scoring batch is given; a limit that leaves less is refused.
pub const MIN_BATCH_BUDGET: usize = 16 << 20;

/// What `auto` tries, fastest first, the first that fits in the memory limit being taken. Native runs each file
/// type's own kernel (whylm-quant's panel kernel for every quantized type and for F16/BF16), which measured faster
/// than converting to f32 once that kernel replaced the dot-product one: on SmolLM2's Q4_1 file, 128 exact
/// evaluations took 0.067-0.097 s each native against 0.137-0.158 s as f32 (2 threads, back to back; BENCHMARKS.md).
/// Native is also the smallest, so f32 and then f16 are only reached by a file whose native form is f32 (where they
/// are the same and the smaller f16, respectively).
const AUTO_ORDER: [WeightDtype; 3] = [WeightDtype::Native, WeightDtype::F32, WeightDtype::F16];

/// One tensor as the file stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredTensor {
    pub elements: usize,
    /// Two or more dimensions: a matrix that follows the dtype (vectors are always f32).
    pub matrix: bool,
    /// Bytes in the file.
    pub file_bytes: usize,
}

/// Bytes of weight storage the tensors take when loaded as `dtype` (`Auto` counts as native).
pub(crate) fn weight_bytes(tensors: &[StoredTensor], dtype: WeightDtype) -> usize {
    tensors
        .iter()
        .map(|t| match (t.matrix, dtype) {
            (false, _) | (true, WeightDtype::F32) => 4 * t.elements,
            (true, WeightDtype::F16 | WeightDtype::BF16) => 2 * t.elements,
            (true, WeightDtype::Native | WeightDtype::Auto) => t.file_bytes,
        })
        .sum()
}

/// The dtype a load uses and the scoring batch budget beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// `weight_bytes` holds the prediction until the load replaces it with what was loaded.
    pub choice: DtypeChoice,
    pub batch_budget: usize,
}

/// Resolves `options` for a checkpoint with `tensors`: the asked dtype if it fits, or for `auto`
/// the first of [`AUTO_ORDER`] that fits; refuses when nothing fits the memory limit.
pub(crate) fn choose(options: &LoadOptions, tensors: &[StoredTensor]) -> Result<Plan> {
    let limit = options.max_memory.or_else(available_memory);
    let limit_name = |limit: usize| match options.max_memory {
        Some(_) => format!("the memory limit of {}", bytes_text(limit)),
        None => format!("the {} of available memory", bytes_text(limit)),
    };
    let fits = |d: WeightDtype| limit.is_none_or(|l| weight_bytes(tensors, d) + MIN_BATCH_BUDGET <= l);
    let (chosen, reason) = match options.dtype {
        WeightDtype::Auto => {
            let Some(chosen) = AUTO_ORDER.into_iter().find(|d| fits(*d)) else {
                return Err(too_small(
                    tensors,
                    WeightDtype::Native,
                    limit.unwrap_or(0),
                    &limit_name,
                ));
            };
            let reason = match (chosen == AUTO_ORDER[0], limit) {
                (true, Some(l)) => format!("the fastest, and it fits in {}", limit_name(l)),
                (false, Some(l)) => format!("the fastest that fits in {}", limit_name(l)),
                (_, None) => "the fastest; the available memory is unknown".to_string(),
            };
            (chosen, reason)
        }
        asked => {
            if let Some(l) = limit.filter(|_| !fits(asked)) {
                return Err(too_small(tensors, asked, l, &limit_name));
            }
            (asked, "as asked".to_string())
        }
    };
    let weight_bytes = weight_bytes(tensors, chosen);
    let batch_budget = limit.map_or(DEFAULT_MEMORY_BUDGET, |l| {
        (l - weight_bytes).min(DEFAULT_MEMORY_BUDGET)
    });
    Ok(Plan {
        choice: DtypeChoice {
            requested: options.dtype,
            chosen,
            reason,
            weight_bytes,
            max_memory: options.max_memory,
        },
        batch_budget,
    })
}

fn too_small(
    tensors: &[StoredTensor],
    dtype: WeightDtype,
    limit: usize,
    limit_name: &dyn Fn(usize) -> String,
) -> ModelError {
    let smallest = [WeightDtype::Native, WeightDtype::F16, WeightDtype::F32]
        .into_iter()
        .min_by_key(|d| weight_bytes(tensors, *d))
        .unwrap_or(WeightDtype::Native);
    ModelError::MemoryLimit(format!(
        "the {dtype} weights take {} and a scoring batch at least {}, more than {}; raise the memory limit{}",
        bytes_text(weight_bytes(tensors, dtype)),
        bytes_text(MIN_BATCH_BUDGET),
        limit_name(limit),
        if smallest == dtype {
            String::new()
        } else {
            format!(
                " or choose dtype {smallest} ({})",
                bytes_text(weight_bytes(tensors, smallest))
            )
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1000 x 1000 Q4_1-like matrix (0.625 bytes a value) and a norm of 1000.
    fn quantized() -> Vec<StoredTensor> {
        vec![
            StoredTensor {
                elements: 1_000_000,
                matrix: true,
                file_bytes: 625_000,
            },
            StoredTensor {
                elements: 1000,
                matrix: false,
                file_bytes: 4000,
            },
        ]
    }

    fn options(dtype: WeightDtype, max: usize) -> LoadOptions {
        LoadOptions {
            dtype,
            max_memory: Some(max),
        }
    }

    #[test]
    fn each_dtype_counts_its_bytes() {
        let t = quantized();
        assert_eq!(weight_bytes(&t, WeightDtype::F32), 4_004_000);
        assert_eq!(weight_bytes(&t, WeightDtype::F16), 2_004_000);
        assert_eq!(weight_bytes(&t, WeightDtype::BF16), 2_004_000);
        assert_eq!(weight_bytes(&t, WeightDtype::Native), 629_000);
    }

    #[test]
    fn auto_takes_the_first_that_fits_and_the_batch_gets_the_rest() {
        let t = quantized();
        let roomy = choose(&options(WeightDtype::Auto, 2 << 30), &t).unwrap();
        assert_eq!(roomy.choice.chosen, AUTO_ORDER[0]);
        assert_eq!(roomy.batch_budget, DEFAULT_MEMORY_BUDGET);
        let tight = MIN_BATCH_BUDGET + 700_000;
        let plan = choose(&options(WeightDtype::Auto, tight), &t).unwrap();
        assert_eq!(plan.choice.chosen, WeightDtype::Native);
        assert_eq!(plan.choice.weight_bytes, 629_000);
        assert_eq!(plan.batch_budget, tight - 629_000);
        assert!(plan.choice.reason.contains("fits"), "{}", plan.choice.reason);
    }

    #[test]
    fn a_limit_too_small_for_the_asked_or_any_dtype_is_refused() {
        let t = quantized();
        let err = choose(&options(WeightDtype::F32, MIN_BATCH_BUDGET + 1_000_000), &t).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("f32 weights") && text.contains("choose dtype native"),
            "{text}"
        );
        let err = choose(&options(WeightDtype::Auto, 1 << 20), &t)
            .unwrap_err()
            .to_string();
        assert!(err.contains("memory limit of 1.0 MiB"), "{err}");
        assert_eq!(err.lines().count(), 1);
    }
}
