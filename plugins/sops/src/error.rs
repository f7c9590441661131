use thiserror::Error;

/// Why decryption or encryption failed; one variant per WIT `crypt-error` case.
///
/// Messages name the offending key path or metadata field, never a secret.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SopsError {
    /// The document has no sops metadata.
    #[error("not encrypted: {0}")]
    NotEncrypted(String),
    /// None of the given keys unlocks the data key.
    #[error("no matching key: {0}")]
    NoMatchingKey(String),
    /// The MAC does not match, or a value fails authentication: the document was tampered with.
    #[error("MAC mismatch: {0}")]
    MacMismatch(String),
    /// The document cannot be parsed in the given format.
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    /// A key or option is malformed.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A key type, format or metadata feature this crate does not implement.
    #[error("unsupported: {0}")]
    Unsupported(String),
}
