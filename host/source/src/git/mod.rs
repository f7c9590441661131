//! Git sources: fetching Flux references over file, git, http(s) and ssh into per-object clone
//! caches, and exporting a commit's tree into the artifact store.

mod credentials;
mod error;
mod fetch;
mod reference;
mod transport;
mod tree;

pub use credentials::GitCredentials;
pub use error::GitError;
pub use fetch::{Commit, FetchRequest, GitClient};
pub use reference::GitReference;
