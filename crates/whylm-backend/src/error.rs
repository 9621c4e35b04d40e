//! What a backend says when it cannot do what was asked. User mistakes and backend failures are separate kinds,
//! so that a binary can exit 2 for the first (fix your input) and 1 for the second (a bug or a broken engine).

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The request cannot be served as given (too long for the context, an id outside the vocabulary, text the
    /// tokenizer refuses); the message says what to change.
    #[error("{0}")]
    Input(String),
    /// The backend cannot do this at all (a score or masker it has no data for); the message names an alternative.
    #[error("{0}")]
    Unsupported(String),
    /// The backend failed while doing something valid: a tensor operation, a broken invariant, a bug in whylm.
    #[error("{0}")]
    Failed(String),
    /// Something outside whylm failed: a serving engine that cannot be reached, times out, or answers garbage. Not
    /// the user's input and not a bug in whylm; the message names the engine and what to check.
    #[error("{0}")]
    Engine(String),
}

impl BackendError {
    /// True when the caller's input is at fault (exit code 2 in the CLI), false for failures of the backend.
    pub fn is_user_error(&self) -> bool {
        matches!(self, BackendError::Input(_) | BackendError::Unsupported(_))
    }

    /// True when something outside whylm (an engine, the network) failed: exit code 1, but not reported as a bug.
    pub fn is_external_failure(&self) -> bool {
        matches!(self, BackendError::Engine(_))
    }
}
