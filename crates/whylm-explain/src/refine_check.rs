//! The checks of a refinement request (`refine` with its levels), made before any model evaluation (prepare.rs)
//! and by the CLI before the weights are read; the refinement itself is refine.rs.

use crate::error::ExplainError;
use crate::options::Level;
use crate::request::ExplainRequest;

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
    }
}
