//! The artifact store: extracted trees, content-addressed and read-only.
//!
//! Layout: `<root>/<kind lowercase>/<namespace>/<name>/<digest hex>/`. A tree is written to a
//! staging directory beside its final place, made read-only, then renamed, so readers never see
//! a partial artifact. Identical trees share one directory.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt, symlink};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use gix::ObjectId;
use gix::objs::tree::EntryKind;
use sha2::{Digest, Sha256};

use crate::error::{GitError, chain_message};
use crate::ignore::{IgnoreRules, SOURCE_IGNORE_FILE};

/// Where artifacts live.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    root: PathBuf,
}

/// A stored artifact, as the controller reports it in `status.artifact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArtifact {
    /// Relative to the store root, e.g. `gitrepository/flux-system/flux-system/<hex>`.
    pub path: String,
    /// The extracted tree.
    pub dir: PathBuf,
    /// `sha256:<hex>` over the canonical listing (sorted paths, modes, content hashes), so equal
    /// trees have equal digests whatever their commit.
    pub digest: String,
    /// Total bytes of the files.
    pub size: u64,
    pub revision: String,
    /// `file://` URL of `dir`.
    pub url: String,
}

/// Staging directories older than this are left-overs of a crash and are removed by GC.
const STALE_STAGING: Duration = Duration::from_secs(600);
const STAGING_PREFIX: &str = ".staging-";

impl ArtifactStore {
    /// Opens (creating it if needed) the store at `root`.
    pub fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = std::path::absolute(root.into())?;
        fs::create_dir_all(&root)?;
        Ok(ArtifactStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of a `StoredArtifact::path`. Only plain components are used, so a path
    /// from elsewhere cannot point outside the store.
    pub fn path_of(&self, artifact_path: &str) -> PathBuf {
        let mut path = self.root.clone();
        for component in Path::new(artifact_path).components() {
            if let Component::Normal(part) = component {
                path.push(part);
            }
        }
        path
    }

    /// Keeps the `keep` most recently stored artifacts of an object and deletes the others.
    pub fn garbage_collect(&self, kind: &str, namespace: &str, name: &str, keep: usize) -> io::Result<()> {
        let dir = self.object_dir(kind, namespace, name)?;
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err),
        };
        let mut artifacts = Vec::new();
        for entry in entries {
            let entry = entry?;
            let file_name = entry.file_name();
            let metadata = entry.metadata()?;
            let modified = metadata.modified()?;
            let file_name = file_name.to_string_lossy();
            if file_name.starts_with(STAGING_PREFIX) {
                let age = SystemTime::now().duration_since(modified).unwrap_or_default();
                if age > STALE_STAGING {
                    remove_tree(&entry.path())?;
                }
            } else if metadata.is_dir() && is_digest_hex(&file_name) {
                artifacts.push((modified, file_name.into_owned()));
            }
        }
        // Newest first; the name breaks ties so the choice is stable.
        artifacts.sort_by(|a, b| b.cmp(a));
        for (_, file_name) in artifacts.into_iter().skip(keep) {
            tracing::debug!(kind, namespace, name, artifact = %file_name, "deleting old artifact");
            remove_tree(&dir.join(file_name))?;
        }
        Ok(())
    }

    /// Deletes every artifact of an object (when the object is deleted).
    pub fn remove_all(&self, kind: &str, namespace: &str, name: &str) -> io::Result<()> {
        let dir = self.object_dir(kind, namespace, name)?;
        match fs::symlink_metadata(&dir) {
            Ok(_) => remove_tree(&dir),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        }
    }

    fn object_dir(&self, kind: &str, namespace: &str, name: &str) -> io::Result<PathBuf> {
        for part in [kind, namespace, name] {
            let plain = !part.is_empty() && part != "." && part != ".." && !part.contains(['/', '\0']);
            if !plain {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("invalid artifact path part '{part}'"),
                ));
            }
        }
        Ok(self.root.join(kind.to_ascii_lowercase()).join(namespace).join(name))
    }
}

fn is_digest_hex(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Deletes a tree made read-only by the store: directories get their write bit back first.
fn remove_tree(path: &Path) -> io::Result<()> {
    make_writable(path)?;
    fs::remove_dir_all(path)
}

fn make_writable(path: &Path) -> io::Result<()> {
    let metadata = fs::symlink_metadata(path)?;
    if metadata.is_dir() {
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
        for entry in fs::read_dir(path)? {
            make_writable(&entry?.path())?;
        }
    }
    Ok(())
}

/// One line of the canonical listing the digest is computed over.
struct Listed {
    path: Vec<u8>,
    mode: &'static str,
    sha256: [u8; 32],
}

/// Writes the tree of `commit` into `store`; see [`crate::GitClient::store_artifact`].
#[expect(clippy::too_many_arguments, reason = "mirrors GitClient::store_artifact")]
pub(crate) fn write_tree(
    repo: &gix::Repository,
    commit: ObjectId,
    revision: &str,
    ignore: &IgnoreRules,
    store: &ArtifactStore,
    kind: &str,
    namespace: &str,
    name: &str,
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

    let object_dir = store.object_dir(kind, namespace, name).map_err(GitError::io("artifact location"))?;
    fs::create_dir_all(&object_dir).map_err(GitError::io("creating the artifact directory"))?;
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&object_dir)
        .map_err(GitError::io("creating the staging directory"))?;
    let write_error = |path: &Path| GitError::io(format!("writing '{}' into the artifact", path.display()));

    let mut listing = Vec::new();
    let mut links = Vec::new();
    let mut dirs = BTreeSet::new();
    let mut size = 0u64;
    for entry in &records {
        let kind = entry.mode.kind();
        if matches!(kind, EntryKind::Tree | EntryKind::Commit) {
            // Directories are created for the files they hold; submodules are not fetched.
            continue;
        }
        let path = PathBuf::from(OsStr::from_bytes(&entry.filepath));
        if !is_plain_relative(&path) {
            tracing::warn!(path = %path.display(), "skipping a tree entry with an unsafe path");
            continue;
        }
        if matcher.is_ignored(&path) {
            continue;
        }
        let blob = repo.find_blob(entry.oid).map_err(git("reading a file"))?;
        let sha256: [u8; 32] = Sha256::digest(&blob.data).into();
        if let Some(parent) = path.parent() {
            for ancestor in parent.ancestors().filter(|a| !a.as_os_str().is_empty()) {
                dirs.insert(ancestor.to_path_buf());
            }
            fs::create_dir_all(staging.path().join(parent)).map_err(write_error(&path))?;
        }
        let target = staging.path().join(&path);
        let path_bytes = path.as_os_str().as_bytes().to_vec();
        match kind {
            EntryKind::Link => {
                let link_target = PathBuf::from(OsStr::from_bytes(&blob.data));
                if link_stays_inside(&path, &link_target) {
                    links.push((path, link_target, Listed { path: path_bytes, mode: "120000", sha256 }));
                } else {
                    tracing::debug!(path = %path.display(), "skipping a symlink that points outside the tree");
                }
            }
            _ => {
                let executable = kind == EntryKind::BlobExecutable;
                let mode = if executable { 0o555 } else { 0o444 };
                let mut file = File::options()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&target)
                    .map_err(write_error(&path))?;
                file.write_all(&blob.data).map_err(write_error(&path))?;
                file.set_permissions(fs::Permissions::from_mode(mode)).map_err(write_error(&path))?;
                size += blob.data.len() as u64;
                listing.push(Listed { path: path_bytes, mode: if executable { "100755" } else { "100644" }, sha256 });
            }
        }
    }

    // Links last, so no file was written through one; then keep only those that resolve inside.
    for (path, link_target, _) in &links {
        symlink(link_target, staging.path().join(path)).map_err(write_error(path))?;
    }
    listing.extend(verified_links(staging.path(), links)?);

    listing.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hasher = Sha256::new();
    for line in &listing {
        hasher.update(line.mode.as_bytes());
        hasher.update(b" ");
        hasher.update(hex::encode(line.sha256).as_bytes());
        hasher.update(b" ");
        hasher.update(&line.path);
        // Paths cannot contain NUL, so the listing is unambiguous.
        hasher.update(b"\0");
    }
    let digest_hex = hex::encode(hasher.finalize());
    let final_dir = object_dir.join(&digest_hex);

    if final_dir.is_dir() {
        // Same content as an earlier artifact: reuse it, and mark it as the newest for GC.
        mark_newest(&final_dir).map_err(GitError::io("updating the artifact's time"))?;
    } else {
        for dir in dirs.iter().map(|d| staging.path().join(d)).chain([staging.path().to_path_buf()]) {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o555))
                .map_err(GitError::io("sealing the artifact"))?;
        }
        let staged = staging.keep();
        if let Err(err) = fs::rename(&staged, &final_dir) {
            let _ = remove_tree(&staged);
            // Another writer stored the same tree first.
            if !final_dir.is_dir() {
                return Err(GitError::io("moving the artifact into place")(err));
            }
        }
    }
    let artifact_path = format!("{}/{namespace}/{name}/{digest_hex}", kind.to_ascii_lowercase());
    Ok(StoredArtifact {
        url: file_url(&final_dir),
        path: artifact_path,
        dir: final_dir,
        digest: format!("sha256:{digest_hex}"),
        size,
        revision: revision.to_owned(),
    })
}

/// Whether `path` is made of plain names only (no `..`, root or `.`), as a checkout must be.
fn is_plain_relative(path: &Path) -> bool {
    path.components().all(|c| matches!(c, Component::Normal(name) if name != ".git"))
        && path.components().next().is_some()
}

/// Whether a relative link target, resolved lexically from the link's directory, stays inside
/// the tree. Absolute targets never do.
fn link_stays_inside(link: &Path, target: &Path) -> bool {
    let mut depth: Vec<&std::ffi::OsStr> = Vec::new();
    if let Some(parent) = link.parent() {
        for component in parent.components() {
            if let Component::Normal(name) = component {
                depth.push(name);
            }
        }
    }
    for component in target.components() {
        match component {
            Component::Normal(name) => depth.push(name),
            Component::CurDir => {}
            Component::ParentDir => {
                if depth.pop().is_none() {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Checks the written links physically: one that resolves outside the tree (through another
/// link, e.g. `a -> .` then `b -> a/../..`) or not at all is removed. Repeats until stable,
/// since removing one link can break another.
fn verified_links(root: &Path, mut links: Vec<(PathBuf, PathBuf, Listed)>) -> Result<Vec<Listed>, GitError> {
    let root = fs::canonicalize(root).map_err(GitError::io("resolving the staging directory"))?;
    loop {
        let mut kept = Vec::with_capacity(links.len());
        let mut removed = false;
        for (path, target, listed) in links {
            let link = root.join(&path);
            let inside = fs::canonicalize(&link).is_ok_and(|resolved| resolved.starts_with(&root));
            if inside {
                kept.push((path, target, listed));
            } else {
                tracing::debug!(path = %path.display(), "skipping a symlink that does not resolve inside the tree");
                fs::remove_file(&link).map_err(GitError::io("removing an unsafe symlink"))?;
                removed = true;
            }
        }
        links = kept;
        if !removed {
            return Ok(links.into_iter().map(|(_, _, listed)| listed).collect());
        }
    }
}

fn mark_newest(dir: &Path) -> io::Result<()> {
    File::open(dir)?.set_modified(SystemTime::now())
}

/// `file://` URL of an absolute path, percent-encoding all but unreserved characters and `/`.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => url.push(*byte as char),
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_link_check() {
        assert!(link_stays_inside(Path::new("a/link"), Path::new("../b")));
        assert!(link_stays_inside(Path::new("link"), Path::new("./b/c")));
        assert!(!link_stays_inside(Path::new("a/link"), Path::new("../../b")));
        assert!(!link_stays_inside(Path::new("link"), Path::new("/etc/passwd")));
    }

    #[test]
    fn url_encoding() {
        assert_eq!(file_url(Path::new("/a b/c")), "file:///a%20b/c");
    }
}
