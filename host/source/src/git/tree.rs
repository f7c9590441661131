//! Exporting a commit's tree from the clone cache into the artifact store, minus ignored paths.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::error::{GitError, chain_message};
use crate::ignore::{IgnoreRules, SOURCE_IGNORE_FILE};
use crate::store::{ArtifactOwner, ArtifactStore, StoreError, StoredArtifact};

/// Writes the tree of `commit` into `store` as `owner`'s artifact for `revision`.
pub(super) fn export(
    repo: &gix::Repository,
    commit: ObjectId,
    revision: &str,
    ignore: &IgnoreRules,
    store: &ArtifactStore,
    owner: &ArtifactOwner,
) -> Result<StoredArtifact, GitError> {
    let git = |context: &str| {
        let context = context.to_owned();
        move |err: gix::Error| GitError::repository(&context, chain_message(&err))
    };
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(git("reading the commit's tree"))?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse().breadthfirst(&mut recorder).map_err(git("walking the tree"))?;
    // Walk order for `.sourceignore` files: by path, parents before children.
    let mut records = recorder.records;
    records.sort_by(|a, b| a.filepath.cmp(&b.filepath));

    let mut source_ignores = Vec::new();
    for entry in &records {
        let path = PathBuf::from(OsStr::from_bytes(&entry.filepath));
        if entry.mode.kind() == EntryKind::Blob && path.file_name().is_some_and(|n| n == SOURCE_IGNORE_FILE) {
            let blob = repo.find_blob(entry.oid).map_err(git("reading .sourceignore"))?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            source_ignores.push((dir, String::from_utf8_lossy(&blob.data).into_owned()));
        }
    }
    let matcher = ignore.matcher(&source_ignores);

    let mut staging = store.stage(owner)?;
    for entry in &records {
        let kind = entry.mode.kind();
        if matches!(kind, EntryKind::Tree | EntryKind::Commit) {
            // Directories are created for the files they hold; submodules are not fetched.
            continue;
        }
        let path = PathBuf::from(OsStr::from_bytes(&entry.filepath));
        // A tree can hold names no checkout writes (`..`, `.git`); they are skipped, not fatal.
        if path.components().any(|c| matches!(c, Component::Normal(name) if name == ".git")) {
            tracing::warn!(path = %path.display(), "skipping a tree entry with an unsafe path");
            continue;
        }
        if matcher.is_ignored(&path) {
            continue;
        }
        let blob = repo.find_blob(entry.oid).map_err(git("reading a file"))?;
        let added = match kind {
            EntryKind::Link => staging.add_symlink(&path, Path::new(OsStr::from_bytes(&blob.data))),
            _ => staging.add_file(&path, &blob.data, kind == EntryKind::BlobExecutable),
        };
        match added {
            Err(StoreError::UnsafePath(path)) => {
                tracing::warn!(path = %path.display(), "skipping a tree entry with an unsafe path");
            }
            other => other?,
        }
    }
    Ok(staging.finish(revision)?)
}
