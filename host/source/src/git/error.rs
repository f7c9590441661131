//! Typed errors. Fetch errors read like Flux's condition messages
//! ("failed to checkout and determine revision: unable to clone 'URL': ..."), so the controller
//! can put `to_string()` into the `FetchFailed` condition as is.

use std::io;
use std::time::Duration;

/// Why fetching or storing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// The server rejected the credentials, or asked for some and none were given.
    #[error("failed to checkout and determine revision: unable to clone '{url}': authentication failed: {message}")]
    Auth { url: String, message: String },
    /// The SSH server's host key is not in `known_hosts` (or differs from it).
    #[error(
        "failed to checkout and determine revision: unable to clone '{url}': host key verification failed: {message}"
    )]
    HostKey { url: String, message: String },
    /// The reference (branch, tag, semver match, name or commit) does not exist on the remote.
    #[error("failed to checkout and determine revision: unable to clone '{url}': {what} not found")]
    NotFound { url: String, what: String },
    /// The server could not be reached or the conversation with it failed.
    #[error("failed to checkout and determine revision: unable to clone '{url}': {message}")]
    Transport { url: String, message: String },
    /// The fetch did not finish within the GitRepository's timeout.
    #[error("failed to checkout and determine revision: unable to clone '{url}': timeout of {timeout:?} exceeded")]
    Timeout { url: String, timeout: Duration },
    /// The URL cannot be parsed or uses an unsupported scheme.
    #[error("invalid URL '{url}': {message}")]
    InvalidUrl { url: String, message: String },
    /// The reference itself is malformed, e.g. an invalid semver constraint or commit id.
    #[error("invalid reference: {0}")]
    InvalidReference(String),
    /// The local clone cache is unusable (corrupt objects, missing commit after a fetch, ...).
    #[error("git repository error: {0}")]
    Repository(String),
    /// Storing the artifact failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Reading or writing local files failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl GitError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> GitError {
        let context = context.into();
        move |source| GitError::Io { context, source }
    }

    pub(crate) fn repository(context: &str, err: impl std::fmt::Display) -> GitError {
        GitError::Repository(format!("{context}: {err}"))
    }
}

/// The message of every error in a gix error tree, outermost first, without repeats (gix often
/// wraps an error in a context that repeats it).
pub(crate) fn chain_message(err: &gix::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.iter_errors() {
        let text = cause.to_string();
        if text.is_empty() || parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// What a gix error means to a GitRepository's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Auth,
    TimedOut,
    Other,
}

pub(crate) fn classify(err: &gix::Error) -> Class {
    if err.is_unauthenticated()
        || err.downcast_any_ref::<gix::protocol::transport::client::AuthenticationRequired>().is_some()
    {
        return Class::Auth;
    }
    for cause in err.iter_errors() {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            // gix's HTTP transport reports a 401 as an I/O error wrapping `AuthenticationRequired`.
            if io.get_ref().is_some_and(|inner| inner.is::<gix::protocol::transport::client::AuthenticationRequired>())
            {
                return Class::Auth;
            }
            if matches!(io.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) {
                return Class::TimedOut;
            }
        }
    }
    Class::Other
}
