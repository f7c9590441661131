//! weir-source's own fixtures: fetching, a store, and what they leave on
//! disk. Repositories and servers come from `weir_testkit::git`.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::Path;
use std::time::Duration;

use weir_testkit::git::Repo;

use weir_source::{
    ArtifactOwner, ArtifactStore, Commit, FetchRequest, GitClient, GitCredentials, GitError, GitReference, IgnoreRules,
    StoredArtifact,
};

pub fn fetch(client: &GitClient, key: &str, url: &str, reference: GitReference) -> Result<Commit, GitError> {
    fetch_with(client, key, url, reference, &GitCredentials::default(), Duration::from_secs(30))
}

pub fn fetch_with(
    client: &GitClient,
    key: &str,
    url: &str,
    reference: GitReference,
    credentials: &GitCredentials,
    timeout: Duration,
) -> Result<Commit, GitError> {
    client.fetch(&FetchRequest { key, url, reference: &reference, credentials, timeout })
}

/// The owner of the artifacts the tests store: GitRepository `ns/<name>`.
pub fn owner(name: &str) -> ArtifactOwner {
    ArtifactOwner::new("GitRepository", "ns", name).expect("plain names")
}

/// A client, a store and the temp dirs behind them.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub client: GitClient,
    pub store: ArtifactStore,
}

impl Workspace {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let client = GitClient::new(dir.path().join("cache"));
        let store = ArtifactStore::new(dir.path().join("store")).expect("store");
        Workspace { dir, client, store }
    }

    /// Fetches `reference` from `repo` over file:// and stores it with `ignore`.
    pub fn artifact(&self, repo: &Repo, reference: GitReference, ignore: Option<&str>) -> StoredArtifact {
        let commit = fetch(&self.client, "ns/obj", &repo.url, reference).expect("fetch");
        self.client
            .store_artifact("ns/obj", &commit, &IgnoreRules::new(ignore), &self.store, &owner("obj"))
            .expect("store")
    }
}

impl Drop for Workspace {
    /// The store is read-only; give directories their write bit back so the temp dir can go.
    fn drop(&mut self) {
        fn writable(path: &Path) {
            use std::os::unix::fs::PermissionsExt;
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
                for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                    writable(&entry.path());
                }
            }
        }
        writable(self.store.root());
    }
}

/// Every regular file and link under `dir`, relative, sorted.
pub fn list_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let kind = entry.file_type().expect("type");
            if kind.is_dir() {
                walk(base, &entry.path(), out);
            } else {
                out.push(entry.path().strip_prefix(base).expect("prefix").display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
