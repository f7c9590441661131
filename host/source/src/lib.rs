//! Git sources for weir's GitRepository controller.
//!
//! [`GitClient::fetch`] resolves a Flux reference (branch, tag, semver range, ref name or commit)
//! against a remote, fetching into a bare clone kept per GitRepository so that later fetches are
//! incremental, and returns the commit with its Flux v1 revision string (`main@sha1:<hex>`).
//! [`GitClient::store_artifact`] then writes the commit's tree, minus ignored files, into an
//! [`ArtifactStore`]: content-addressed, read-only directories that renderer plugins read.
//!
//! Everything here blocks; the controller calls it from `tokio::task::spawn_blocking`. A fetch
//! never outlives its timeout: sockets and `ssh` processes are shut down at the deadline.
//!
//! Transports: `file://` (and plain paths), `git://`, `http(s)://` with basic auth, bearer
//! token and extra CA certificates, and `ssh://` (or `user@host:path`) through the `ssh`
//! program, with the identity in a private `ssh-agent` and only the secret's known_hosts
//! trusted. Secrets are never written to disk or logged.

mod credentials;
mod error;
mod fetch;
mod ignore;
mod reference;
mod store;
mod transport;

pub use credentials::GitCredentials;
pub use error::GitError;
pub use fetch::{Commit, FetchRequest, GitClient};
pub use ignore::{DEFAULT_EXCLUDES, IgnoreMatcher, IgnoreRules, SOURCE_IGNORE_FILE, VCS_EXCLUDES};
pub use reference::GitReference;
pub use store::{ArtifactStore, StoredArtifact};
