//! Errors of a kustomize build.

use std::path::PathBuf;

/// What went wrong; each variant maps onto one of the renderer WIT's error
/// cases (see [`KustomizeError::wit_case`]). Display names the file and field.
#[derive(Debug, thiserror::Error)]
pub enum KustomizeError {
    #[error("{path}: {message}")]
    NotFound { path: PathBuf, message: String },
    #[error("{file}: {field}: {message}")]
    InvalidInput { file: PathBuf, field: String, message: String },
    #[error("security; file '{file}' is not in or below '{root}'")]
    LoadRestricted { file: PathBuf, root: PathBuf },
    #[error("{file}: {message}")]
    Conflict { file: PathBuf, message: String },
    #[error("{file}: {field}: {message}")]
    Unsupported { file: PathBuf, field: String, message: String },
}

impl KustomizeError {
    /// The WIT error case this error maps onto.
    pub fn wit_case(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not-found",
            Self::InvalidInput { .. } => "invalid-input",
            Self::LoadRestricted { .. } => "load-restricted",
            Self::Conflict { .. } => "conflict",
            Self::Unsupported { .. } => "unsupported",
        }
    }

    pub(crate) fn invalid(file: impl Into<PathBuf>, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput { file: file.into(), field: field.into(), message: message.into() }
    }
}
