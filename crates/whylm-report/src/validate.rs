//! Consistency checks of a document: shapes agree with the feature and target counts, spans lie in the prompt,
//! every number is finite. Renderers index by these shapes, so they run the checks first.

use crate::document::{LevelExplanation, ReportDoc, SCHEMA_VERSION};
use crate::error::ReportError;

impl ReportDoc {
    /// Checks the document; the error names the first problem found.
    pub fn validate(&self) -> Result<(), ReportError> {
        let bad = |msg: String| Err(ReportError::Inconsistent(msg));
        if self.schema_version != SCHEMA_VERSION {
            // Loading upgrades older documents, so only a hand-built document can get here.
            return bad(format!(
                "schema_version is {} but this whylm writes {SCHEMA_VERSION}",
                self.schema_version
            ));
        }
        if self.levels.is_empty() {
            return bad("it has no explanation levels".to_string());
        }
        for (i, token) in self.input_tokens.iter().enumerate() {
            check_span(&self.prompt, token.start, token.end).map_err(|why| {
                ReportError::Inconsistent(format!("input token {i} ({:?}): {why}", token.text))
            })?;
        }
        let targets = self.target_tokens.len();
        for (index, level) in self.levels.iter().enumerate() {
            self.validate_level(level, targets)?;
            if let Some(refinement) = &level.refinement {
                let parent_features = self
                    .levels
                    .get(refinement.parent_level)
                    .map_or(0, |l| l.features.len());
                refinement
                    .check(index, parent_features, level.features.len())
                    .map_err(|why| ReportError::Inconsistent(format!("level {:?}: {why}", level.level)))?;
            }
        }
        if let Some(attention) = &self.attention {
            check_matrix(
                "attention.target_to_input",
                &attention.target_to_input,
                targets,
                self.input_tokens.len(),
            )
            .map_err(ReportError::Inconsistent)?;
            self.validate_attention_views(attention)?;
        }
        self.validate_conversation()?;
        self.validate_summary(targets)?;
        if !self.wall_seconds.is_finite() {
            return bad(format!("wall_seconds is {}", self.wall_seconds));
        }
        Ok(())
    }

    fn validate_level(&self, level: &LevelExplanation, targets: usize) -> Result<(), ReportError> {
        let name = &level.level;
        let wrap = |msg: String| ReportError::Inconsistent(format!("level {name:?}: {msg}"));
        for (i, feature) in level.features.iter().enumerate() {
            check_span(&self.prompt, feature.start, feature.end)
                .map_err(|why| wrap(format!("feature {i} ({:?}): {why}", feature.text)))?;
            if let Some(&t) = feature.tokens.iter().find(|&&t| t >= self.input_tokens.len()) {
                return Err(wrap(format!(
                    "feature {i} refers to input token {t} but there are only {}",
                    self.input_tokens.len()
                )));
            }
        }
        let n = level.features.len();
        check_matrix("phi", &level.phi, n, targets).map_err(wrap)?;
        if let Some(std_err) = &level.std_err {
            check_matrix("std_err", std_err, n, targets).map_err(wrap)?;
        }
        if let Some(interactions) = &level.interactions {
            interactions.check(n).map_err(wrap)?;
        }
        check_vector("base_value", &level.base_value, targets).map_err(wrap)?;
        check_vector("full_value", &level.full_value, targets).map_err(wrap)?;
        if !level.efficiency_residual.is_finite() {
            return Err(wrap(format!(
                "efficiency_residual is {}",
                level.efficiency_residual
            )));
        }
        Ok(())
    }

    fn validate_attention_views(
        &self,
        attention: &crate::document::AttentionSummary,
    ) -> Result<(), ReportError> {
        for view in &attention.views {
            if view.levels.len() != self.levels.len() {
                return Err(ReportError::Inconsistent(format!(
                    "attention view {} has {} levels but the document has {}",
                    view.name(),
                    view.levels.len(),
                    self.levels.len()
                )));
            }
            for (entry, level) in view.levels.iter().zip(&self.levels) {
                entry
                    .check(level.features.len(), self.target_tokens.len())
                    .map_err(|why| {
                        ReportError::Inconsistent(format!(
                            "attention view {} at level {:?}: {why}",
                            view.name(),
                            level.level
                        ))
                    })?;
            }
        }
        Ok(())
    }

    fn validate_conversation(&self) -> Result<(), ReportError> {
        let Some(conversation) = &self.conversation else {
            return Ok(());
        };
        let wrap = |msg: String| ReportError::Inconsistent(format!("conversation: {msg}"));
        let expected = format!("{}{}{}", self.prefix, self.prompt, self.suffix);
        if conversation.rendered != expected {
            return Err(wrap("`rendered` is not prefix + prompt + suffix".to_string()));
        }
        for (i, message) in conversation.messages.iter().enumerate() {
            check_span(&conversation.rendered, message.start, message.end)
                .map_err(|why| wrap(format!("message {i} ({}): {why}", message.role)))?;
            if conversation.rendered[message.start..message.end] != message.content {
                return Err(wrap(format!(
                    "message {i} ({}): its span does not hold its content",
                    message.role
                )));
            }
        }
        Ok(())
    }

    fn validate_summary(&self, targets: usize) -> Result<(), ReportError> {
        let Some(summary) = &self.summary else {
            return Ok(());
        };
        let wrap = |msg: String| ReportError::Inconsistent(format!("summary: {msg}"));
        let Some(level) = self.levels.iter().find(|l| l.level == summary.level) else {
            return Err(wrap(format!(
                "it names level {:?}, which the document lacks",
                summary.level
            )));
        };
        for (i, sentence) in summary.summary_sentences.iter().enumerate() {
            if sentence.first_target >= sentence.end_target || sentence.end_target > targets {
                return Err(wrap(format!(
                    "summary sentence {i} covers target tokens {}..{} but there are {targets}",
                    sentence.first_target, sentence.end_target
                )));
            }
        }
        check_matrix(
            "matrix",
            &summary.matrix,
            level.features.len(),
            summary.summary_sentences.len(),
        )
        .map_err(wrap)
    }
}

fn check_span(prompt: &str, start: usize, end: usize) -> Result<(), String> {
    if start > end || end > prompt.len() {
        return Err(format!(
            "byte span {start}..{end} lies outside the prompt ({} bytes)",
            prompt.len()
        ));
    }
    if !prompt.is_char_boundary(start) || !prompt.is_char_boundary(end) {
        return Err(format!(
            "byte span {start}..{end} splits a UTF-8 character of the prompt"
        ));
    }
    Ok(())
}

fn check_vector(name: &str, values: &[f64], len: usize) -> Result<(), String> {
    if values.len() != len {
        return Err(format!(
            "{name} has {} values but there are {len} target tokens",
            values.len()
        ));
    }
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(format!("{name}[{i}] is {v}, not a finite number"));
    }
    Ok(())
}

fn check_matrix(name: &str, rows: &[Vec<f64>], n_rows: usize, n_cols: usize) -> Result<(), String> {
    if rows.len() != n_rows {
        return Err(format!(
            "{name} has {} rows but {n_rows} were expected",
            rows.len()
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != n_cols {
            return Err(format!(
                "{name}[{i}] has {} values but {n_cols} were expected",
                row.len()
            ));
        }
        if let Some((j, v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(format!("{name}[{i}][{j}] is {v}, not a finite number"));
        }
    }
    Ok(())
}
