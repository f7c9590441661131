//! Sources for weir's source controllers, and the artifact store they fill.
//!
//! - [`git`]: [`GitClient::fetch`] resolves a Flux reference (branch, tag, semver range, ref
//!   name or commit) against a remote, fetching into a bare clone kept per GitRepository so that
//!   later fetches are incremental, and returns the commit with its Flux v1 revision string
//!   (`main@sha1:<hex>`); [`GitClient::store_artifact`] exports the commit's tree, minus ignored
//!   files, into the store. Transports: `file://` (and plain paths), `git://`, `http(s)://` with
//!   basic auth, bearer token and extra CA certificates, and `ssh://` (or `user@host:path`)
//!   through the `ssh` program, with the identity in a private `ssh-agent` and only the secret's
//!   known_hosts trusted. A fetch never outlives its timeout.
//! - [`ArtifactStore`]: content-addressed, read-only directories per [`ArtifactOwner`], written
//!   file by file ([`ArtifactStore::stage`]) or from a tar stream ([`ArtifactStore::put`]) by any
//!   source kind; plugins read them.
//! - [`helm`]: HTTP(S) chart repositories (index and archives, basic auth, TLS) and charts as
//!   artifacts (downloaded or packaged, `valuesFiles` merged), for HelmRepository and HelmChart.
//! - [`oci`]: OCI artifacts for OCIRepository (reference resolution, Flux revisions, layer
//!   selection, extract or copy) and cosign signature verification, over [`weir_registry`].
//! - [`bucket`]: object storage buckets over the S3 API (static keys, SigV4, TLS), listed into
//!   Flux's key → entity tag index, whose digest is the revision, and streamed into the store.
//! - [`IgnoreRules`]: Flux's `spec.ignore` and `.sourceignore` rules.
//!
//! Everything here blocks; controllers call it from `tokio::task::spawn_blocking`. Secrets are
//! never written to disk or logged.

pub mod bucket;
pub mod git;
pub mod helm;
mod ignore;
pub mod oci;
mod store;

pub use git::{Commit, FetchRequest, GitClient, GitCredentials, GitError, GitReference};
pub use ignore::{DEFAULT_EXCLUDES, EXT_EXCLUDES, IgnoreMatcher, IgnoreRules, SOURCE_IGNORE_FILE, VCS_EXCLUDES};
pub use store::{ArtifactOwner, ArtifactStore, Staging, StoreError, StoredArtifact};
