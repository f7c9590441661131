//! The artifact store: every source kind's revisions as extracted trees, content-addressed and
//! read-only, that plugins read.
//!
//! Layout: `<root>/<kind lowercase>/<namespace>/<name>/<digest hex>/`. A tree is written into a
//! [`Staging`] directory beside its final place, made read-only, then renamed, so readers never
//! see a partial artifact. Identical trees of one owner share one directory. The store knows
//! nothing of Git, OCI or buckets: each source hands it files ([`ArtifactStore::stage`]) or a tar
//! stream ([`ArtifactStore::put`]).

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt, symlink};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::ignore::IgnoreMatcher;

/// Where artifacts live.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    root: PathBuf,
}

/// The source object an artifact belongs to: its kind, namespace and name, each checked to be
/// one plain path component.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArtifactOwner {
    kind: String,
    namespace: String,
    name: String,
}

/// A stored artifact, as the controller reports it in `status.artifact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArtifact {
    /// Relative to the store root, e.g. `gitrepository/flux-system/flux-system/<hex>`.
    pub path: String,
    /// The extracted tree.
    pub dir: PathBuf,
    /// `sha256:<hex>` over the canonical listing (sorted paths, modes, content hashes), so equal
    /// trees have equal digests whatever their revision.
    pub digest: String,
    /// Total bytes of the files.
    pub size: u64,
    pub revision: String,
    /// `file://` URL of `dir`.
    pub url: String,
}

/// Why storing, listing or removing artifacts failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid artifact owner: {0}")]
    InvalidOwner(String),
    /// A path that is not plain and relative (`..`, absolute, empty), refused so that no source
    /// can write outside its artifact.
    #[error("unsafe path '{0}' in the artifact")]
    UnsafePath(PathBuf),
    #[error("reading the archive: {0}")]
    Archive(#[source] io::Error),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Io { context, source }
    }
}

/// Staging directories older than this are left-overs of a crash and are removed by GC.
const STALE_STAGING: Duration = Duration::from_secs(600);
const STAGING_PREFIX: &str = ".staging-";

impl ArtifactOwner {
    /// `kind` as the API spells it (`GitRepository`); the store's directory is its lowercase.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Result<Self, StoreError> {
        for part in [kind, namespace, name] {
            let plain = !part.is_empty() && part != "." && part != ".." && !part.contains(['/', '\0']);
            if !plain {
                return Err(StoreError::InvalidOwner(format!("'{part}' is not a plain name")));
            }
        }
        Ok(ArtifactOwner { kind: kind.to_ascii_lowercase(), namespace: namespace.into(), name: name.into() })
    }

    fn relative_dir(&self) -> PathBuf {
        [&self.kind, &self.namespace, &self.name].iter().collect()
    }
}

impl fmt::Display for ArtifactOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

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

    /// Starts a new artifact of `owner`: add its files, then [`Staging::finish`].
    pub fn stage(&self, owner: &ArtifactOwner) -> Result<Staging, StoreError> {
        let owner_dir = self.root.join(owner.relative_dir());
        fs::create_dir_all(&owner_dir).map_err(StoreError::io("creating the artifact directory"))?;
        let dir = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&owner_dir)
            .map_err(StoreError::io("creating the staging directory"))?;
        Ok(Staging {
            owner: owner.clone(),
            owner_dir,
            root_prefix: self.root.clone(),
            dir,
            listing: Vec::new(),
            links: Vec::new(),
            dirs: BTreeSet::new(),
            size: 0,
        })
    }

    /// Stores the files of an (uncompressed) tar stream as `owner`'s artifact for `revision`:
    /// regular files and symlinks, minus what `ignore` leaves out; directories come with the
    /// files they hold, other entry types are skipped. Unsafe paths fail the whole artifact.
    pub fn put(
        &self,
        owner: &ArtifactOwner,
        revision: &str,
        archive: impl Read,
        ignore: Option<&IgnoreMatcher>,
    ) -> Result<StoredArtifact, StoreError> {
        let mut staging = self.stage(owner)?;
        let mut archive = tar::Archive::new(archive);
        for entry in archive.entries().map_err(StoreError::Archive)? {
            let mut entry = entry.map_err(StoreError::Archive)?;
            let path = entry.path().map_err(StoreError::Archive)?.into_owned();
            let path: PathBuf = path.components().filter(|c| !matches!(c, Component::CurDir)).collect();
            if ignore.is_some_and(|matcher| matcher.is_ignored(&path)) {
                continue;
            }
            let header = entry.header();
            match header.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let executable = header.mode().map_err(StoreError::Archive)? & 0o111 != 0;
                    staging.add_file_from(&path, &mut entry, executable)?;
                }
                tar::EntryType::Symlink => {
                    if let Some(target) = entry.link_name().map_err(StoreError::Archive)? {
                        staging.add_symlink(&path, &target)?;
                    }
                }
                tar::EntryType::Directory => {}
                other => tracing::debug!(path = %path.display(), kind = ?other, "skipping an archive entry"),
            }
        }
        staging.finish(revision)
    }

    /// Keeps the `keep` most recently stored artifacts of `owner` and deletes the others.
    pub fn garbage_collect(&self, owner: &ArtifactOwner, keep: usize) -> Result<(), StoreError> {
        let dir = self.root.join(owner.relative_dir());
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(StoreError::io("listing artifacts")(err)),
        };
        let listing = |error| StoreError::io("listing artifacts")(error);
        let mut artifacts = Vec::new();
        let mut stale_staging = Vec::new();
        for entry in entries {
            let entry = entry.map_err(listing)?;
            let metadata = entry.metadata().map_err(listing)?;
            let modified = metadata.modified().map_err(listing)?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if file_name.starts_with(STAGING_PREFIX) {
                if SystemTime::now().duration_since(modified).unwrap_or_default() > STALE_STAGING {
                    stale_staging.push(entry.path());
                }
            } else if metadata.is_dir() && is_digest_hex(&file_name) {
                artifacts.push((modified, file_name));
            }
        }
        // Newest first; the name breaks ties so the choice is stable.
        artifacts.sort_by(|a, b| b.cmp(a));
        let old = artifacts.into_iter().skip(keep).map(|(_, file_name)| dir.join(file_name));
        for path in stale_staging.into_iter().chain(old) {
            tracing::debug!(%owner, artifact = %path.display(), "deleting old artifact");
            remove_tree(&path).map_err(StoreError::io("deleting an old artifact"))?;
        }
        Ok(())
    }

    /// Deletes every artifact of `owner` (when the object is deleted).
    pub fn remove_all(&self, owner: &ArtifactOwner) -> Result<(), StoreError> {
        let dir = self.root.join(owner.relative_dir());
        match fs::symlink_metadata(&dir) {
            Ok(_) => remove_tree(&dir).map_err(StoreError::io("deleting the artifacts")),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(StoreError::io("deleting the artifacts")(err)),
        }
    }
}

/// An artifact being written: files go into a private staging directory; [`Staging::finish`]
/// seals it and moves it into place. Dropped unfinished, it leaves nothing behind.
pub struct Staging {
    owner: ArtifactOwner,
    owner_dir: PathBuf,
    root_prefix: PathBuf,
    dir: tempfile::TempDir,
    listing: Vec<Listed>,
    links: Vec<(PathBuf, PathBuf, Listed)>,
    dirs: BTreeSet<PathBuf>,
    size: u64,
}

/// One line of the canonical listing the digest is computed over.
struct Listed {
    path: Vec<u8>,
    mode: &'static str,
    sha256: [u8; 32],
}

impl Staging {
    /// Writes a file (read-only; executable keeps its execute bits) at `path`, relative to the
    /// artifact's root.
    pub fn add_file(&mut self, path: &Path, contents: &[u8], executable: bool) -> Result<(), StoreError> {
        self.add_file_from(path, &mut { contents }, executable)
    }

    /// [`Staging::add_file`] from a stream, copied through in small pieces: a big file is never
    /// held in memory whole.
    pub fn add_file_from(&mut self, path: &Path, contents: &mut dyn Read, executable: bool) -> Result<(), StoreError> {
        let target = self.prepare(path)?;
        let write_error = || StoreError::io(format!("writing '{}' into the artifact", path.display()));
        let mut file = File::options().write(true).create_new(true).mode(0o600).open(&target).map_err(write_error())?;
        let (mut hasher, mut written, mut buffer) = (Sha256::new(), 0u64, vec![0; 64 * 1024]);
        loop {
            let read = match contents.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(StoreError::io(format!("reading '{}'", path.display()))(error)),
            };
            file.write_all(&buffer[..read]).map_err(write_error())?;
            hasher.update(&buffer[..read]);
            written += read as u64;
        }
        let mode = if executable { 0o555 } else { 0o444 };
        file.set_permissions(fs::Permissions::from_mode(mode)).map_err(write_error())?;
        self.size += written;
        self.listing.push(Listed {
            path: path.as_os_str().as_bytes().to_vec(),
            mode: if executable { "100755" } else { "100644" },
            sha256: hasher.finalize().into(),
        });
        Ok(())
    }

    /// Records a symlink at `path`. One whose target leaves the tree, lexically now or through
    /// other links once all are written, is dropped (and logged), as a checkout must not follow
    /// it outside.
    pub fn add_symlink(&mut self, path: &Path, target: &Path) -> Result<(), StoreError> {
        self.prepare(path)?;
        if !link_stays_inside(path, target) {
            tracing::debug!(path = %path.display(), "skipping a symlink that points outside the tree");
            return Ok(());
        }
        let listed = Listed {
            path: path.as_os_str().as_bytes().to_vec(),
            mode: "120000",
            sha256: Sha256::digest(target.as_os_str().as_bytes()).into(),
        };
        self.links.push((path.to_path_buf(), target.to_path_buf(), listed));
        Ok(())
    }

    /// Checks `path` and creates its parent directories; the absolute staging path.
    fn prepare(&mut self, path: &Path) -> Result<PathBuf, StoreError> {
        if !is_plain_relative(path) {
            return Err(StoreError::UnsafePath(path.to_path_buf()));
        }
        if let Some(parent) = path.parent() {
            for ancestor in parent.ancestors().filter(|a| !a.as_os_str().is_empty()) {
                self.dirs.insert(ancestor.to_path_buf());
            }
            fs::create_dir_all(self.dir.path().join(parent))
                .map_err(StoreError::io(format!("writing '{}' into the artifact", path.display())))?;
        }
        Ok(self.dir.path().join(path))
    }

    /// Seals the tree, computes its digest and moves it into place (or reuses the identical
    /// tree already stored), as the artifact of `revision`.
    pub fn finish(mut self, revision: &str) -> Result<StoredArtifact, StoreError> {
        // Links last, so no file was written through one; then keep only those that resolve inside.
        for (path, target, _) in &self.links {
            symlink(target, self.dir.path().join(path))
                .map_err(StoreError::io(format!("writing '{}' into the artifact", path.display())))?;
        }
        let links = std::mem::take(&mut self.links);
        self.listing.extend(verified_links(self.dir.path(), links)?);

        self.listing.sort_by(|a, b| a.path.cmp(&b.path));
        let mut hasher = Sha256::new();
        for line in &self.listing {
            hasher.update(line.mode.as_bytes());
            hasher.update(b" ");
            hasher.update(hex::encode(line.sha256).as_bytes());
            hasher.update(b" ");
            hasher.update(&line.path);
            // Paths cannot contain NUL, so the listing is unambiguous.
            hasher.update(b"\0");
        }
        let digest_hex = hex::encode(hasher.finalize());
        let final_dir = self.owner_dir.join(&digest_hex);

        if final_dir.is_dir() {
            // Same content as an earlier artifact: reuse it, and mark it as the newest for GC.
            mark_newest(&final_dir).map_err(StoreError::io("updating the artifact's time"))?;
        } else {
            for dir in self.dirs.iter().map(|d| self.dir.path().join(d)).chain([self.dir.path().to_path_buf()]) {
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o555))
                    .map_err(StoreError::io("sealing the artifact"))?;
            }
            let staged = self.dir.keep();
            if let Err(err) = fs::rename(&staged, &final_dir) {
                let _ = remove_tree(&staged);
                // Another writer stored the same tree first.
                if !final_dir.is_dir() {
                    return Err(StoreError::io("moving the artifact into place")(err));
                }
            }
        }
        let relative = final_dir.strip_prefix(&self.root_prefix).unwrap_or(&final_dir);
        Ok(StoredArtifact {
            url: file_url(&final_dir),
            path: relative.to_string_lossy().into_owned(),
            dir: final_dir,
            digest: format!("sha256:{digest_hex}"),
            size: self.size,
            revision: revision.to_owned(),
        })
    }

    /// Whose artifact this is.
    pub fn owner(&self) -> &ArtifactOwner {
        &self.owner
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

/// Whether `path` is made of plain names only (no `..`, root or `.`).
fn is_plain_relative(path: &Path) -> bool {
    path.components().all(|c| matches!(c, Component::Normal(_))) && path.components().next().is_some()
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
fn verified_links(root: &Path, mut links: Vec<(PathBuf, PathBuf, Listed)>) -> Result<Vec<Listed>, StoreError> {
    let root = fs::canonicalize(root).map_err(StoreError::io("resolving the staging directory"))?;
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
                fs::remove_file(&link).map_err(StoreError::io("removing an unsafe symlink"))?;
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

    #[test]
    fn owners_are_plain_names() {
        assert!(ArtifactOwner::new("GitRepository", "..", "x").is_err());
        assert!(ArtifactOwner::new("GitRepository", "a/b", "x").is_err());
        assert!(ArtifactOwner::new("GitRepository", "ns", "").is_err());
        assert_eq!(ArtifactOwner::new("OCIRepository", "ns", "app").unwrap().to_string(), "ocirepository/ns/app");
    }
}
