//! What can go wrong talking to a registry. Every message names the reference or the URL and
//! what failed; none carries a credential or a token.

/// A registry operation's failure.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The text is not an OCI reference (or a digest is malformed).
    #[error("invalid OCI reference {text:?}: {reason}")]
    InvalidReference { text: String, reason: String },
    /// The manifest, tag, blob or repository does not exist (404).
    #[error("{method} {url}: {status}{}", detail(message))]
    NotFound { method: String, url: String, status: String, message: String },
    /// The registry (or its token service) refused the credentials, or anonymous access (401/403
    /// after authenticating as the challenge asked).
    #[error("unauthorized by registry {registry}: {method} {url}: {status}{}", detail(message))]
    Unauthorized { registry: String, method: String, url: String, status: String, message: String },
    /// Any other unsuccessful HTTP status (after retries, for 429 and 5xx).
    #[error("{method} {url}: {status}{}", detail(message))]
    Http { method: String, url: String, status: String, message: String },
    /// The request did not get an HTTP answer: connection refused, reset, timed out (after retries).
    #[error("{method} {url}: {message}")]
    Transport { method: String, url: String, message: String },
    /// The TLS handshake failed, typically a certificate the client does not trust.
    #[error("{method} {url}: TLS certificate error: {message}")]
    Tls { method: String, url: String, message: String },
    /// Reading the request body or writing a blob to its sink failed.
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    /// Content whose sha256 is not the digest it was asked for (or announced) by.
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch { what: String, expected: String, actual: String },
    /// A manifest (or index, or a registry's JSON answer) that does not parse as what it says.
    #[error("{what}: invalid manifest: {reason}")]
    InvalidManifest { what: String, reason: String },
    /// An answer that is not what the API promises (a tag list that is not JSON, no Location).
    #[error("{what}: unexpected answer: {reason}")]
    InvalidResponse { what: String, reason: String },
    /// A blob larger than the caller allowed.
    #[error("{url}: blob larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    /// The client's set-up (TLS, options) or a docker config is unusable.
    #[error("{0}")]
    Config(String),
}

fn detail(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(": {message}") }
}

impl RegistryError {
    /// Whether this is a missing manifest, tag, blob or repository.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
}
