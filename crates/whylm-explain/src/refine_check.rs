//! The checks of a refinement request (`refine` with its levels), made before any model evaluation (prepare.rs)
//! and by the CLI before the weights are read; the refinement itself is refine.rs.

use crate::error::ExplainError;
use crate::options::Level;
use crate::request::ExplainRequest;

/// The fewest evaluations any sampling method runs on (kernel, msr, gp, sparse, banzhaf: 4).
const MIN_EVALS_PER_LEVEL: usize = 4;

/// Refuses a refinement request that cannot work, before any model evaluation.
pub fn check_refinement(request: &ExplainRequest) -> Result<(), ExplainError> {
    let Some(k) = request.refine else {
        return Ok(());
    };
    if k == 0 {
        return Err(ExplainError::RefineZero);
    }
    if request.levels.contains(&Level::Custom) {
        return Err(ExplainError::RefineCustom);
    }
    if let [only] = request.levels.as_slice() {
        return Err(ExplainError::RefineOneLevel {
            level: only.name().to_string(),
        });
    }
    // Each level gets the budget left divided by the levels left: below this a level would get fewer evaluations
    // than any sampling method needs (and at 0, an error about "max_evals 0" that the user never gave).
    let levels = request.levels.len();
    if let Some(total) = request.max_evals.filter(|&t| t < MIN_EVALS_PER_LEVEL * levels) {
        return Err(ExplainError::RefineBudget {
            total,
            levels,
            per_level: MIN_EVALS_PER_LEVEL,
            need: MIN_EVALS_PER_LEVEL * levels,
        });
    }
    for pair in request.levels.windows(2) {
        if pair[0].coarseness() <= pair[1].coarseness() {
            return Err(ExplainError::RefineOrder {
                first: pair[0].name().to_string(),
                second: pair[1].name().to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(levels: &[Level], refine: Option<usize>) -> ExplainRequest {
        ExplainRequest {
            levels: levels.to_vec(),
            refine,
            ..ExplainRequest::default()
        }
    }

    #[test]
    fn refinement_needs_a_positive_k_and_two_or_more_levels_from_coarse_to_fine() {
        use Level::*;
        assert!(check_refinement(&request(&[Word], None)).is_ok());
        assert!(check_refinement(&request(
            &[Document, Paragraph, Sentence, Clause, Word, Token],
            Some(2)
        ))
        .is_ok());
        assert!(matches!(
            check_refinement(&request(&[Sentence, Word], Some(0))),
            Err(ExplainError::RefineZero)
        ));
        assert!(matches!(
            check_refinement(&request(&[Sentence], Some(2))),
            Err(ExplainError::RefineOneLevel { .. })
        ));
        let error = check_refinement(&request(&[Word, Sentence], Some(2))).unwrap_err();
        assert!(
            error.to_string().contains("word is not coarser than sentence"),
            "{error}"
        );
        assert!(matches!(
            check_refinement(&request(&[Turn, Document], Some(1))),
            Err(ExplainError::RefineOrder { .. })
        ));
        assert!(matches!(
            check_refinement(&request(&[Custom, Word], Some(1))),
            Err(ExplainError::RefineCustom)
        ));
        let mut small = request(&[Document, Sentence, Word], Some(1));
        small.max_evals = Some(11);
        let error = check_refinement(&small).unwrap_err();
        assert!(error.is_user_error());
        assert!(
            error.to_string().contains("give --max-evals 12 or more"),
            "{error}"
        );
        small.max_evals = Some(12);
        assert!(check_refinement(&small).is_ok());
    }
}
