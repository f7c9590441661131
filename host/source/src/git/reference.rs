//! Which commit of a repository a GitRepository wants, and how Flux names the result.

use weir_api::source::GitRepositoryRef;

/// The reference to check out, after applying Flux's precedence between the `spec.ref` fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitReference {
    /// The tip of a branch (`refs/heads/<name>`).
    Branch(String),
    /// A tag (`refs/tags/<name>`); annotated tags resolve to the commit they point to.
    Tag(String),
    /// The highest tag matching a Masterminds semver constraint.
    Semver(String),
    /// A full reference name, e.g. `refs/pull/1/head`.
    Name(String),
    /// A commit, optionally looked up in a branch (which then only needs to be fetched).
    Commit { commit: String, branch: Option<String> },
}

impl GitReference {
    /// Applies Flux's precedence: commit > name > semver > tag > branch. Without a reference, or
    /// with only empty fields, Flux checks out the branch `master`.
    pub fn from_spec(reference: Option<&GitRepositoryRef>) -> Self {
        let Some(reference) = reference else {
            return GitReference::Branch("master".to_owned());
        };
        // Flux (Go) cannot tell an empty string from an absent field, so neither can we.
        let field = |value: &Option<String>| value.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
        if let Some(commit) = field(&reference.commit) {
            GitReference::Commit { commit, branch: field(&reference.branch) }
        } else if let Some(name) = field(&reference.name) {
            GitReference::Name(name)
        } else if let Some(range) = field(&reference.semver) {
            GitReference::Semver(range)
        } else if let Some(tag) = field(&reference.tag) {
            GitReference::Tag(tag)
        } else {
            GitReference::Branch(field(&reference.branch).unwrap_or_else(|| "master".to_owned()))
        }
    }

    /// A short description for messages, e.g. `branch 'main'`.
    pub fn describe(&self) -> String {
        match self {
            GitReference::Branch(branch) => format!("branch '{branch}'"),
            GitReference::Tag(tag) => format!("tag '{tag}'"),
            GitReference::Semver(range) => format!("tag matching semver '{range}'"),
            GitReference::Name(name) => format!("reference '{name}'"),
            GitReference::Commit { commit, branch: Some(branch) } => format!("commit '{commit}' in branch '{branch}'"),
            GitReference::Commit { commit, branch: None } => format!("commit '{commit}'"),
        }
    }
}

/// Flux v1's revision string: `<name>@sha1:<hex>`, or `sha1:<hex>` for a bare commit.
pub(crate) fn revision(name: Option<&str>, commit_hex: &str) -> String {
    match name {
        Some(name) => format!("{name}@sha1:{commit_hex}"),
        None => format!("sha1:{commit_hex}"),
    }
}
