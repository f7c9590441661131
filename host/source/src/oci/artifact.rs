//! Flux's own artifacts, as `flux push|pull|tag|list|build artifact` make and read them
//! (fluxcd/pkg `oci` and `tar`):
//!
//! - [`build`]: the gzipped tarball of a directory (or of one file, staged alone in a
//!   directory as Flux stages it). Entries are relative to the root (the root itself is `.`),
//!   walked in lexical order; directories and regular files only (symlinks and other types are
//!   skipped); modes are the permission bits, uid/gid 0, no user or group names, mtime 0. The
//!   headers are written as Go's `archive/tar` writes them (USTAR, PAX for names USTAR cannot
//!   hold), so the uncompressed stream — the layer's diff ID — is the one flux makes from the
//!   same files. Ignore patterns are `.gitignore` lines anchored at the root.
//! - [`push`]: that tarball (built into a temporary file, never whole in memory) as the one
//!   layer, the config go-containerregistry's `empty.Image` gets when flux sets its `created`
//!   and appends the layer, byte for byte, and an OCI manifest with the
//!   `org.opencontainers.image.{created,source,revision}` annotations (and any extra ones).
//! - [`pull`]: the manifest's first layer, unpacked as Flux's `Untar` does (symlinks skipped).
//! - [`tag`]: the manifest pushed again under another tag.
//! - [`list`]: the tags, newest name first, with each one's digest and metadata; semver and
//!   regular expression filters as Flux applies them.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use weir_go_compat::json::quote;
use weir_go_compat::timestamp::Timestamp;
use weir_registry::{OCI_MANIFEST, Reference, RegistryClient, RegistryError};

use super::{FLUX_CONFIG_MEDIA_TYPE, FLUX_CONTENT_MEDIA_TYPE};
use crate::ignore::{EXT_EXCLUDES, IgnoreMatcher, VCS_EXCLUDES};

/// `org.opencontainers.image.created`: when the artifact was built (RFC 3339).
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";
/// `org.opencontainers.image.source`: where the content came from, e.g. the Git URL.
pub const SOURCE_ANNOTATION: &str = "org.opencontainers.image.source";
/// `org.opencontainers.image.revision`: the source's revision, e.g. `main@sha1:<commit>`.
pub const REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

/// The ignore patterns `flux build|push artifact` default to: fluxcd/pkg's `ExcludeVCS` and
/// `ExcludeExt`.
pub fn default_ignore_paths() -> Vec<String> {
    VCS_EXCLUDES.iter().chain(EXT_EXCLUDES).map(|pattern| pattern.to_string()).collect()
}

/// Why an artifact could not be built, pushed, pulled, tagged or listed. Messages follow
/// fluxcd/pkg's.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The path to build from is not there.
    #[error("source path does not exist: {0}")]
    MissingSource(PathBuf),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    /// `org.opencontainers.image.created` is not an RFC 3339 time.
    #[error("invalid created timestamp {0:?}: not an RFC 3339 time")]
    InvalidCreated(String),
    /// The reference has no tag to push under.
    #[error("invalid URL: {0} has no tag")]
    NoTag(String),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The manifest cannot be read, or it has no layer.
    #[error("{0}")]
    Manifest(String),
    /// The layer's tarball cannot be unpacked.
    #[error("{0}")]
    Layer(String),
    /// A semver range or regular expression filter does not parse.
    #[error("{0}")]
    Filter(String),
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ArtifactError {
    let context = context.into();
    move |source| ArtifactError::Io { context, source }
}

/// What `flux push artifact` records of an artifact's origin (fluxcd/pkg `oci.Metadata`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// RFC 3339; now (UTC, seconds) when empty.
    pub created: String,
    pub source: String,
    pub revision: String,
    /// Extra manifest annotations; they override the three above.
    pub annotations: BTreeMap<String, String>,
}

impl Metadata {
    /// Read back from a manifest's annotations.
    pub fn from_annotations(annotations: &BTreeMap<String, String>) -> Self {
        let get = |key: &str| annotations.get(key).cloned().unwrap_or_default();
        Metadata {
            created: get(CREATED_ANNOTATION),
            source: get(SOURCE_ANNOTATION),
            revision: get(REVISION_ANNOTATION),
            annotations: annotations.clone(),
        }
    }

    /// The manifest's annotations: the three (empty ones too, as Flux writes them), then the
    /// extra ones.
    fn to_annotations(&self) -> BTreeMap<String, String> {
        let mut annotations = BTreeMap::from([
            (CREATED_ANNOTATION.to_owned(), self.created.clone()),
            (SOURCE_ANNOTATION.to_owned(), self.source.clone()),
            (REVISION_ANNOTATION.to_owned(), self.revision.clone()),
        ]);
        annotations.extend(self.annotations.clone());
        annotations
    }
}

// ---------------------------------------------------------------------------------------------
// Tar, as Go's archive/tar writes it
// ---------------------------------------------------------------------------------------------

const BLOCK: usize = 512;
const NAME_SIZE: usize = 100;
const PREFIX_SIZE: usize = 155;
const TYPE_REGULAR: u8 = b'0';
const TYPE_DIR: u8 = b'5';
const TYPE_PAX: u8 = b'x';
/// The largest size a USTAR header holds (11 octal digits).
const MAX_USTAR_SIZE: u64 = 0o77777777777;

/// Go's `formatString`: copied, NUL-terminated when there is room, cut when there is not.
fn put_string(field: &mut [u8], text: &[u8]) {
    let n = text.len().min(field.len());
    field[..n].copy_from_slice(&text[..n]);
    if n < field.len() {
        field[n] = 0;
    }
}

/// Go's `formatOctal`: zero-padded to the field's width less one, then NUL.
fn put_octal(field: &mut [u8], value: u64) {
    let digits = format!("{value:o}");
    let width = field.len() - 1;
    let padded = if digits.len() < width { format!("{}{digits}", "0".repeat(width - digits.len())) } else { digits };
    put_string(field, padded.as_bytes());
}

/// A header block as Go's `templateV7Plus` and `setFormat(USTAR|PAX)` make it.
fn header_block(name: &[u8], prefix: &[u8], mode: u64, size: u64, typeflag: u8) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    put_string(&mut block[0..100], name);
    put_octal(&mut block[100..108], mode);
    put_octal(&mut block[108..116], 0); // uid
    put_octal(&mut block[116..124], 0); // gid
    put_octal(&mut block[124..136], size);
    put_octal(&mut block[136..148], 0); // mtime: Go writes a zero time as the epoch
    block[156] = typeflag;
    // linkname, uname and gname stay empty.
    put_octal(&mut block[329..337], 0); // devmajor
    put_octal(&mut block[337..345], 0); // devminor
    put_string(&mut block[345..500], prefix);
    finish_block(&mut block);
    block
}

/// The USTAR magic and version, then the checksum: six octal digits, NUL, space.
fn finish_block(block: &mut [u8; BLOCK]) {
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    block[148..156].copy_from_slice(b"        ");
    let sum: u64 = block.iter().map(|&b| u64::from(b)).sum();
    put_octal(&mut block[148..155], sum);
    block[155] = b' ';
}

/// Go's `splitUSTARPath`: a name too long for the name field split at a `/` into prefix and
/// name, when the two fit.
fn split_ustar_path(name: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut length = name.len();
    if length <= NAME_SIZE || !name.is_ascii() {
        return None;
    } else if length > PREFIX_SIZE + 1 {
        length = PREFIX_SIZE + 1;
    } else if name[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].iter().rposition(|&b| b == b'/')?;
    let (suffix_len, prefix_len) = (name.len() - i - 1, i);
    if i == 0 || suffix_len > NAME_SIZE || suffix_len == 0 || prefix_len > PREFIX_SIZE {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `formatPAXRecord`.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let mut size = key.len() + value.len() + 3;
    size += size.to_string().len();
    let record = |size: usize| {
        let mut record = format!("{size} {key}=").into_bytes();
        record.extend_from_slice(value);
        record.push(b'\n');
        record
    };
    let mut out = record(size);
    if out.len() != size {
        out = record(out.len());
    }
    out
}

/// Go's `toASCII`: the bytes below 0x80 of each character, NULs dropped.
fn to_ascii(name: &str) -> Vec<u8> {
    name.chars().filter(|c| (*c as u32) < 0x80 && *c != '\0').map(|c| c as u8).collect()
}

/// Writes a tar stream of directories and regular files, as Go's `tar.Writer` does for
/// headers without times, owners or links.
struct TarWriter<W: Write> {
    out: W,
}

impl<W: Write> TarWriter<W> {
    fn header(&mut self, name: &str, mode: u64, size: u64, typeflag: u8) -> io::Result<()> {
        if size > MAX_USTAR_SIZE {
            return Err(io::Error::other(format!("{name}: files of 8 GiB and more are not supported")));
        }
        let bytes = name.as_bytes();
        if bytes.len() <= NAME_SIZE && bytes.is_ascii() {
            return self.out.write_all(&header_block(bytes, b"", mode, size, typeflag));
        }
        if let Some((prefix, suffix)) = split_ustar_path(bytes) {
            return self.out.write_all(&header_block(suffix, prefix, mode, size, typeflag));
        }
        // PAX: a `path` record in an extended header named `<dir>/PaxHeaders.0/<file>`.
        let data = pax_record("path", bytes);
        let (dir, file) = match name.rfind('/') {
            Some(at) => (&name[..=at], &name[at + 1..]),
            None => ("", name),
        };
        let pax_name = go_path_join(&[dir, "PaxHeaders.0", file]);
        let mut pax_name = to_ascii(&pax_name);
        pax_name.truncate(NAME_SIZE);
        while pax_name.last() == Some(&b'/') {
            pax_name.pop();
        }
        let mut block = [0u8; BLOCK];
        put_string(&mut block[0..100], &pax_name);
        put_octal(&mut block[100..108], 0);
        put_octal(&mut block[108..116], 0);
        put_octal(&mut block[116..124], 0);
        put_octal(&mut block[124..136], data.len() as u64);
        put_octal(&mut block[136..148], 0);
        block[156] = TYPE_PAX;
        finish_block(&mut block);
        self.out.write_all(&block)?;
        self.out.write_all(&data)?;
        self.pad(data.len() as u64)?;
        self.out.write_all(&header_block(&to_ascii(name), b"", mode, size, typeflag))
    }

    fn pad(&mut self, written: u64) -> io::Result<()> {
        let rest = (BLOCK as u64 - written % BLOCK as u64) % BLOCK as u64;
        self.out.write_all(&vec![0u8; rest as usize])
    }

    /// Two zero blocks, as Go's `Close`.
    fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; 2 * BLOCK])?;
        Ok(self.out)
    }
}

/// Go's `path.Join` of the PAX header's name parts (the parts are clean already).
fn go_path_join(parts: &[&str]) -> String {
    parts.iter().flat_map(|part| part.split('/')).filter(|part| !part.is_empty()).collect::<Vec<_>>().join("/")
}

/// Walks `root` as Go's `filepath.WalkDir` (lexical order, a directory before its entries),
/// writing what `filter` keeps.
fn walk<W: Write>(
    tar: &mut TarWriter<W>,
    root: &Path,
    relative: &Path,
    ignore: &IgnoreMatcher,
    buffer: &mut [u8],
) -> Result<(), ArtifactError> {
    let path = root.join(relative);
    let metadata = fs::symlink_metadata(&path).map_err(io_error(format!("reading {}", path.display())))?;
    let file_type = metadata.file_type();
    if !file_type.is_file() && !file_type.is_dir() {
        return Ok(());
    }
    // As fluxcd/pkg's filter, an ignored directory is left out but its entries are still
    // looked at (a pattern matching the directory matches them too).
    if !ignore.is_ignored_entry(relative, file_type.is_dir()) {
        let name = if relative.as_os_str().is_empty() {
            ".".to_owned()
        } else {
            relative.to_str().map(str::to_owned).ok_or_else(|| ArtifactError::Io {
                context: format!("archiving {}", path.display()),
                source: io::Error::other("the file name is not UTF-8"),
            })?
        };
        let mode = u64::from(metadata.mode() & 0o7777);
        let context = || format!("archiving {}", path.display());
        if file_type.is_dir() {
            tar.header(&name, mode, 0, TYPE_DIR).map_err(io_error(context()))?;
        } else {
            let size = metadata.len();
            tar.header(&name, mode, size, TYPE_REGULAR).map_err(io_error(context()))?;
            let mut file = fs::File::open(&path).map_err(io_error(context()))?.take(size);
            let mut copied = 0u64;
            loop {
                let read = match file.read(buffer) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(io_error(context())(error)),
                };
                tar.out.write_all(&buffer[..read]).map_err(io_error(context()))?;
                copied += read as u64;
            }
            if copied != size {
                return Err(io_error(context())(io::Error::other(format!(
                    "the file shrank from {size} to {copied} bytes while being archived"
                ))));
            }
            tar.pad(size).map_err(io_error(context()))?;
        }
    }
    if file_type.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(&path)
            .map_err(io_error(format!("reading {}", path.display())))?
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect::<Result<_, _>>()
            .map_err(io_error(format!("reading {}", path.display())))?;
        entries.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for entry in entries {
            walk(tar, root, &relative.join(entry), ignore, buffer)?;
        }
    }
    Ok(())
}

/// Counts and hashes what goes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing { inner, hasher: Sha256::new(), written: 0 }
    }

    fn finish(self) -> (W, String, u64) {
        (self.inner, format!("sha256:{}", hex::encode(self.hasher.finalize())), self.written)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What [`build`] wrote: the gzipped tarball's digest and size, and the tar stream's digest
/// (the layer's diff ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub digest: String,
    pub size: u64,
    pub diff_id: String,
}

/// Writes the gzipped tarball of `path` (a directory, or one file) to `out`, leaving out what
/// `ignore_paths` (`.gitignore` lines; entries may hold several, one a line) match.
pub fn build(path: &Path, ignore_paths: &[String], out: &mut dyn Write) -> Result<Built, ArtifactError> {
    let absolute = std::path::absolute(path).map_err(io_error(format!("resolving {}", path.display())))?;
    let metadata = match fs::metadata(&absolute) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(ArtifactError::MissingSource(absolute));
        }
        Err(error) => return Err(io_error(format!("invalid source path {}", absolute.display()))(error)),
    };
    // A single file is staged alone in a new directory, as fluxcd/pkg does: the tarball has
    // that directory (mode 0700) as `.` and the file, its mode as the copy got it.
    let staging;
    let root = if metadata.is_dir() {
        absolute
    } else {
        staging = tempfile::Builder::new()
            .prefix("oci-build-")
            .permissions(fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(io_error("creating a directory to stage the file in"))?;
        copy_file(&absolute, &staging.path().join(absolute.file_name().unwrap_or_default()))?;
        staging.path().to_path_buf()
    };
    let ignore = IgnoreMatcher::from_patterns(ignore_paths);
    let compressed = Hashing::new(out);
    let gzip = GzEncoder::new(compressed, Compression::default());
    let mut tar = TarWriter { out: Hashing::new(gzip) };
    let mut buffer = vec![0u8; 32 * 1024];
    walk(&mut tar, &root, Path::new(""), &ignore, &mut buffer)?;
    let uncompressed = tar.finish().map_err(io_error("finishing the tarball"))?;
    let (gzip, diff_id, _) = uncompressed.finish();
    let compressed = gzip.finish().map_err(io_error("finishing the tarball"))?;
    let (_, digest, size) = compressed.finish();
    Ok(Built { digest, size, diff_id })
}

/// `flux build artifact`: the tarball written next to `output` then renamed onto it, mode 0640.
pub fn build_to_file(path: &Path, ignore_paths: &[String], output: &Path) -> Result<Built, ArtifactError> {
    let dir = match output.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let context = || format!("writing {}", output.display());
    let mut file = tempfile::Builder::new().prefix(".artifact-").tempfile_in(&dir).map_err(io_error(context()))?;
    let mut writer = io::BufWriter::new(file.as_file_mut());
    let built = build(path, ignore_paths, &mut writer)?;
    writer.flush().map_err(io_error(context()))?;
    drop(writer);
    file.as_file().set_permissions(fs::Permissions::from_mode(0o640)).map_err(io_error(context()))?;
    file.persist(output).map_err(|error| io_error(context())(error.error))?;
    Ok(built)
}

/// `--resolve-symlinks`: a copy of `path` with every symlink replaced by what it points to, made
/// as flux makes it (a new directory of mode 0700; directories and files created with their
/// targets' modes, less the umask; a directory seen again on the way down is skipped, so
/// cycles end). Returns the path to build from and the directory to remove afterwards.
pub fn resolve_symlinks(path: &Path) -> Result<(PathBuf, tempfile::TempDir), ArtifactError> {
    let absolute = std::path::absolute(path).map_err(io_error(format!("resolving {}", path.display())))?;
    let metadata = fs::metadata(&absolute).map_err(io_error(format!("stat {}", absolute.display())))?;
    let copy = tempfile::Builder::new()
        .prefix("flux-artifact-")
        .permissions(fs::Permissions::from_mode(0o700))
        .tempdir()
        .map_err(io_error("creating a directory to resolve symlinks in"))?;
    if !metadata.is_dir() {
        let real =
            fs::canonicalize(&absolute).map_err(io_error(format!("resolving symlink for {}", absolute.display())))?;
        let target = copy.path().join(absolute.file_name().unwrap_or_default());
        copy_file(&real, &target)?;
        return Ok((target, copy));
    }
    copy_resolved_dir(&absolute, copy.path(), &mut Vec::new())?;
    Ok((copy.path().to_path_buf(), copy))
}

fn copy_resolved_dir(source: &Path, target: &Path, visiting: &mut Vec<PathBuf>) -> Result<(), ArtifactError> {
    let real = fs::canonicalize(source).map_err(io_error(format!("resolving symlink {}", source.display())))?;
    if visiting.contains(&real) {
        return Ok(());
    }
    visiting.push(real);
    let mut names: Vec<_> = fs::read_dir(source)
        .and_then(|entries| entries.map(|entry| entry.map(|entry| entry.file_name())).collect::<Result<_, _>>())
        .map_err(io_error(format!("reading {}", source.display())))?;
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let (from, to) = (source.join(&name), target.join(&name));
        let real = fs::canonicalize(&from).map_err(io_error(format!("resolving symlink {}", from.display())))?;
        let metadata = fs::metadata(&real).map_err(io_error(format!("stat resolved path {}", real.display())))?;
        if metadata.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(metadata.permissions().mode() & 0o7777)
                .create(&to)
                .map_err(io_error(format!("creating {}", to.display())))?;
            copy_resolved_dir(&real, &to, visiting)?;
        } else if metadata.is_file() {
            copy_file(&real, &to)?;
        }
    }
    visiting.pop();
    Ok(())
}

fn copy_file(source: &Path, target: &Path) -> Result<(), ArtifactError> {
    let context = || format!("copying {} to {}", source.display(), target.display());
    let mode = fs::metadata(source).map_err(io_error(context()))?.permissions().mode() & 0o7777;
    let mut from = fs::File::open(source).map_err(io_error(context()))?;
    let mut to = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(target)
        .map_err(io_error(context()))?;
    io::copy(&mut from, &mut to).map_err(io_error(context()))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The config and the manifest, as Go's encoding/json writes them
// ---------------------------------------------------------------------------------------------

/// The config blob: go-containerregistry's `empty.Image` config with `created` set, once the
/// layer is appended (its diff ID, and an empty history entry).
fn config_json(created: &str, diff_id: &str) -> String {
    format!(
        "{{\"architecture\":\"\",\"created\":{},\"history\":[{{\"created\":\"0001-01-01T00:00:00Z\"}}],\"os\":\"\",\
         \"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[{}]}},\"config\":{{}}}}",
        quote(created),
        quote(diff_id)
    )
}

fn descriptor_json(media_type: &str, size: u64, digest: &str) -> String {
    format!("{{\"mediaType\":{},\"size\":{size},\"digest\":{}}}", quote(media_type), quote(digest))
}

fn manifest_json(config: (u64, &str), layer: (u64, &str), annotations: &BTreeMap<String, String>) -> String {
    let annotations: Vec<String> =
        annotations.iter().map(|(key, value)| format!("{}:{}", quote(key), quote(value))).collect();
    format!(
        "{{\"schemaVersion\":2,\"mediaType\":{},\"config\":{},\"layers\":[{}],\"annotations\":{{{}}}}}",
        quote(OCI_MANIFEST),
        descriptor_json(FLUX_CONFIG_MEDIA_TYPE, config.0, config.1),
        descriptor_json(FLUX_CONTENT_MEDIA_TYPE, layer.0, layer.1),
        annotations.join(",")
    )
}

// ---------------------------------------------------------------------------------------------
// Push, pull, tag, list
// ---------------------------------------------------------------------------------------------

/// `flux push artifact --reproducible`'s creation time: the epoch.
pub const REPRODUCIBLE_CREATED: &str = "1970-01-01T00:00:00Z";

/// Now, UTC, to the second, as Go's `time.Now().UTC().Format(time.RFC3339)`.
fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_unix(now.unix_seconds(), 0).unwrap_or(now)
}

/// What [`push`] uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// `<registry>/<repository>@sha256:<hex>`.
    pub digest_reference: String,
    /// The manifest's digest.
    pub digest: String,
    /// The layer's.
    pub layer: Built,
}

/// `flux push artifact`: builds `path` into a temporary file, uploads it and the config, then
/// the manifest under `reference`'s tag.
pub fn push(
    client: &RegistryClient,
    reference: &Reference,
    path: &Path,
    ignore_paths: &[String],
    metadata: &Metadata,
) -> Result<Pushed, ArtifactError> {
    if reference.tag.is_none() && reference.digest.is_none() {
        return Err(ArtifactError::NoTag(reference.to_string()));
    }
    let mut annotations = metadata.to_annotations();
    let created = annotations.entry(CREATED_ANNOTATION.to_owned()).or_default();
    if created.is_empty() {
        *created = now().to_string();
    }
    let created: Timestamp = created.parse().map_err(|_| ArtifactError::InvalidCreated(created.clone()))?;

    let mut file = tempfile::tempfile().map_err(io_error("creating a file for the artifact"))?;
    let layer = {
        let mut writer = io::BufWriter::new(&mut file);
        let built = build(path, ignore_paths, &mut writer)?;
        writer.flush().map_err(io_error("writing the artifact"))?;
        built
    };
    file.rewind().map_err(io_error("reading the artifact back"))?;
    client.push_blob(reference, &mut file, layer.size, &layer.digest)?;

    let config = config_json(&created.to_string(), &layer.diff_id);
    let config_digest = weir_registry::sha256_digest(config.as_bytes());
    client.push_blob(reference, &mut config.as_bytes(), config.len() as u64, &config_digest)?;

    let manifest = manifest_json((config.len() as u64, &config_digest), (layer.size, &layer.digest), &annotations);
    let digest = client.push_manifest(reference, OCI_MANIFEST, manifest.as_bytes())?;
    let digest_reference = format!("{}/{}@{digest}", reference.registry, reference.repository);
    Ok(Pushed { digest_reference, digest, layer })
}

/// What [`pull`] read: the manifest's metadata and `<registry>/<repository>@<digest>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledArtifact {
    pub metadata: Metadata,
    pub digest_reference: String,
}

/// `flux pull artifact`: the first layer of `reference`'s manifest (an index's default
/// platform's) unpacked into `output`, as fluxcd/pkg's `Untar` with symlinks skipped and no
/// size limit.
pub fn pull(client: &RegistryClient, reference: &Reference, output: &Path) -> Result<PulledArtifact, ArtifactError> {
    let (reference, manifest) = super::image_manifest(client, reference).map_err(|error| match error {
        super::OciError::Registry(error) => ArtifactError::Registry(error),
        other => ArtifactError::Manifest(other.to_string()),
    })?;
    let digest = manifest.digest.clone();
    let manifest = manifest
        .image_manifest()
        .map_err(|error| ArtifactError::Manifest(format!("parsing manifest failed: {error}")))?;
    let annotations: BTreeMap<String, String> =
        manifest.annotations().clone().unwrap_or_default().into_iter().collect();
    let layer =
        manifest.layers().first().ok_or_else(|| ArtifactError::Manifest("no layers found in artifact".into()))?;
    let mut blob = tempfile::tempfile().map_err(io_error("creating a file for the layer"))?;
    client.blob(&reference, layer.digest().as_ref(), &mut blob)?;
    blob.rewind().map_err(io_error("reading the layer back"))?;
    let mut reader = BufReader::new(blob);
    let gzipped = reader.fill_buf().map_err(io_error("reading the layer"))?.starts_with(&[0x1f, 0x8b]);
    if !gzipped {
        // Flux writes a static layer to the output path itself: a directory, so it fails there.
        let context = format!("open {}", output.display());
        let mut file = fs::File::create(output).map_err(io_error(context))?;
        io::copy(&mut reader, &mut file)
            .map_err(io_error(format!("error copying layer content to {}", output.display())))?;
    } else {
        untar(GzDecoder::new(reader), output)?;
    }
    Ok(PulledArtifact {
        metadata: Metadata::from_annotations(&annotations),
        digest_reference: format!("{}/{}@{digest}", reference.registry, reference.repository),
    })
}

/// fluxcd/pkg `Untar`: names checked, directories made (mode | 0700), files written with their
/// mode and (past) mtime, symlinks skipped, other types refused.
fn untar(archive: impl Read, output: &Path) -> Result<(), ArtifactError> {
    let layer_error = |error: io::Error| ArtifactError::Layer(format!("tar error: {error}"));
    let started = SystemTime::now();
    let mut archive = tar::Archive::new(archive);
    for entry in archive.entries().map_err(layer_error)? {
        let mut entry = entry.map_err(layer_error)?;
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let relative = Path::new(&name);
        let invalid = name.is_empty()
            || name.contains('\\')
            || name.starts_with('/')
            || relative.components().any(|component| matches!(component, Component::ParentDir));
        if invalid {
            return Err(ArtifactError::Layer(format!("tar contained invalid name error {name:?}")));
        }
        let target = output.join(relative);
        let header = entry.header();
        let mode = header.mode().map_err(layer_error)? & 0o777;
        let entry_type = header.entry_type();
        match entry_type {
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if let Some(parent) = target.parent() {
                    fs::DirBuilder::new()
                        .recursive(true)
                        .mode(0o750)
                        .create(parent)
                        .map_err(io_error(format!("creating {}", parent.display())))?;
                }
                let mtime = header.mtime().unwrap_or(0);
                let size = entry.size();
                let context = || format!("error writing to {}", target.display());
                let mut file = fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(mode)
                    .open(&target)
                    .map_err(io_error(context()))?;
                let written = io::copy(&mut entry, &mut file).map_err(io_error(context()))?;
                if written != size {
                    return Err(ArtifactError::Layer(format!(
                        "only wrote {written} bytes to {}; expected {size}",
                        target.display()
                    )));
                }
                if mtime > 0 {
                    let modified = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
                    file.set_modified(modified.min(started)).map_err(io_error(context()))?;
                }
            }
            tar::EntryType::Directory => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(mode | 0o700)
                    .create(&target)
                    .map_err(io_error(format!("creating {}", target.display())))?;
            }
            tar::EntryType::Symlink => {}
            // Extended headers are the reader's; anything else Flux refuses.
            tar::EntryType::XHeader | tar::EntryType::XGlobalHeader | tar::EntryType::GNULongName => {}
            other => {
                return Err(ArtifactError::Layer(format!(
                    "tar file entry {name} contained unsupported file type {other:?}"
                )));
            }
        }
    }
    Ok(())
}

/// `flux tag artifact`: the manifest of `reference` pushed again as `tag`; returns
/// `<registry>/<repository>:<tag>`.
pub fn tag(client: &RegistryClient, reference: &Reference, tag: &str) -> Result<String, ArtifactError> {
    let manifest = client.manifest(reference)?;
    let tagged = Reference { tag: Some(tag.to_owned()), digest: None, ..reference.clone() };
    client.push_manifest(&tagged, &manifest.media_type, &manifest.bytes)?;
    Ok(format!("{}/{}:{tag}", reference.registry, reference.repository))
}

/// One row of `flux list artifacts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// `<url>:<tag>`, the URL as given without `oci://`.
    pub url: String,
    pub digest: String,
    pub source: String,
    pub revision: String,
    pub created: String,
}

/// Whether a tag names a cosign signature, attestation or SBOM, which listings leave out.
pub fn is_cosign_artifact(tag: &str) -> bool {
    [".att", ".sbom", ".sig"].iter().any(|suffix| tag.ends_with(suffix))
}

/// `flux list artifacts`: the repository's tags in reverse name order, those the semver range
/// and the (Go) regular expression let through, each with its manifest's digest and metadata.
/// `url` is what the rows are named after (the repository as the user wrote it).
pub fn list(
    client: &RegistryClient,
    repository: &Reference,
    url: &str,
    semver: Option<&str>,
    regex: Option<&str>,
) -> Result<Vec<Listed>, ArtifactError> {
    let mut tags =
        client.tags(repository).map_err(|error| ArtifactError::Manifest(format!("listing tags failed: {error}")))?;
    tags.sort_by(|a, b| b.cmp(a));
    let constraints = semver
        .filter(|range| !range.is_empty())
        .map(|range| {
            weir_semver::Constraints::parse(range)
                .map_err(|error| ArtifactError::Filter(format!("semver '{range}' parse error: {error}")))
        })
        .transpose()?;
    let regex = regex
        .filter(|pattern| !pattern.is_empty())
        .map(|pattern| {
            weir_go_regex::compile(pattern)
                .map_err(|error| ArtifactError::Filter(format!("regex '{pattern}' parse error: {error}")))
        })
        .transpose()?;
    let mut listed = Vec::new();
    for tag in tags {
        if is_cosign_artifact(&tag) {
            continue;
        }
        if let Some(constraints) = &constraints {
            // fluxcd/pkg `version.ParseVersion`: three dot-separated parts, then Masterminds'.
            if tag.splitn(3, '.').count() != 3 {
                continue;
            }
            match weir_semver::Version::parse_lenient(&tag) {
                Ok(version) if constraints.matches(&version) => {}
                _ => continue,
            }
        }
        if regex.as_ref().is_some_and(|regex| !regex.is_match(&tag)) {
            continue;
        }
        let manifest = client
            .manifest(&repository.with_tag(&tag))
            .map_err(|error| ArtifactError::Manifest(format!("fetching manifest failed: {error}")))?;
        let parsed: serde_json::Value = serde_json::from_slice(&manifest.bytes)
            .map_err(|error| ArtifactError::Manifest(format!("parsing manifest failed: {error}")))?;
        let annotations: BTreeMap<String, String> = parsed
            .get("annotations")
            .and_then(serde_json::Value::as_object)
            .map(|map| map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        let metadata = Metadata::from_annotations(&annotations);
        listed.push(Listed {
            url: format!("{url}:{tag}"),
            digest: manifest.digest,
            source: metadata.source,
            revision: metadata.revision,
            created: metadata.created,
        });
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, mode, type, size) of each entry of a gzipped tarball.
    fn entries(tarball: &[u8]) -> Vec<(String, u32, char, u64)> {
        let mut archive = tar::Archive::new(GzDecoder::new(tarball));
        archive
            .entries()
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                let header = entry.header();
                let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
                (name, header.mode().unwrap(), header.entry_type().as_byte() as char, header.size().unwrap())
            })
            .collect()
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("apps/base")).unwrap();
        fs::create_dir_all(root.join(".git/objects")).unwrap();
        fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        fs::write(root.join("apps/base/deploy.yaml"), "kind: Deployment\n").unwrap();
        fs::write(root.join("apps/logo.png"), [0u8; 3]).unwrap();
        fs::write(root.join("kustomization.yaml"), "resources: []\n").unwrap();
        fs::write(root.join("run.sh"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(root.join("apps"), fs::Permissions::from_mode(0o750)).unwrap();
        std::os::unix::fs::symlink("kustomization.yaml", root.join("link.yaml")).unwrap();
        dir
    }

    fn defaults() -> Vec<String> {
        default_ignore_paths()
    }

    #[test]
    fn the_tarball_has_what_flux_puts_in_it() {
        let dir = tree();
        let mut out = Vec::new();
        let built = build(dir.path(), &defaults(), &mut out).unwrap();
        assert_eq!(built.size, out.len() as u64);
        assert_eq!(built.digest, weir_registry::sha256_digest(&out));
        assert_eq!(
            entries(&out),
            vec![
                (".".into(), fs::metadata(dir.path()).unwrap().mode() & 0o777, '5', 0),
                ("apps".into(), 0o750, '5', 0),
                ("apps/base".into(), 0o755, '5', 0),
                ("apps/base/deploy.yaml".into(), 0o644, '0', 17),
                ("kustomization.yaml".into(), 0o644, '0', 14),
                ("run.sh".into(), 0o755, '0', 10),
            ]
        );
        // gzip as Go writes it: no name, mtime 0, OS unknown.
        assert_eq!(&out[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
        // The same files make the same bytes.
        let mut again = Vec::new();
        assert_eq!(build(dir.path(), &defaults(), &mut again).unwrap(), built);
    }

    #[test]
    fn headers_are_gos() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.yaml"), "x").unwrap();
        fs::set_permissions(dir.path().join("a.yaml"), fs::Permissions::from_mode(0o644)).unwrap();
        let mut out = Vec::new();
        build(dir.path(), &[], &mut out).unwrap();
        let mut tar = Vec::new();
        GzDecoder::new(&out[..]).read_to_end(&mut tar).unwrap();
        // ".", "a.yaml" (header + one data block), two zero blocks.
        assert_eq!(tar.len(), 5 * BLOCK);
        let header = &tar[BLOCK..2 * BLOCK];
        assert_eq!(&header[..7], b"a.yaml\0");
        assert_eq!(&header[100..108], b"0000644\0");
        assert_eq!(&header[108..116], b"0000000\0");
        assert_eq!(&header[124..136], b"00000000001\0");
        assert_eq!(&header[136..148], b"00000000000\0");
        assert_eq!(header[156], b'0');
        assert_eq!(&header[257..265], b"ustar\x0000");
        assert_eq!(&header[329..345], b"0000000\x000000000\x00");
        let sum: u64 =
            header.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u64::from(b) }).sum();
        assert_eq!(&header[148..156], format!("{sum:06o}\0 ").as_bytes());
        assert!(tar[3 * BLOCK..].iter().all(|&b| b == 0));
    }

    #[test]
    fn long_names_are_split_or_go_to_pax() {
        let long_dir = "d".repeat(120);
        let mut out = Vec::new();
        let mut tar = TarWriter { out: &mut out };
        tar.header(&format!("{long_dir}/file.yaml"), 0o644, 0, TYPE_REGULAR).unwrap();
        tar.header(&"f".repeat(130), 0o644, 0, TYPE_REGULAR).unwrap();
        tar.header("ünïcode.yaml", 0o644, 0, TYPE_REGULAR).unwrap();
        tar.finish().unwrap();
        assert_eq!(&out[..10], b"file.yaml\0");
        assert_eq!(&out[345..465], long_dir.as_bytes());
        let pax = &out[BLOCK..2 * BLOCK];
        assert_eq!(pax[156], b'x');
        assert_eq!(&pax[..12], b"PaxHeaders.0");
        let record = pax_record("path", "f".repeat(130).as_bytes());
        assert_eq!(record, format!("140 path={}\n", "f".repeat(130)).into_bytes());
        let mut archive = tar::Archive::new(&out[..]);
        let names: Vec<String> =
            archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        assert_eq!(names, vec![format!("{long_dir}/file.yaml"), "f".repeat(130), "ünïcode.yaml".into()]);
    }

    #[test]
    fn a_single_file_is_staged_in_its_own_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("manifest.yaml");
        fs::write(&file, "kind: ConfigMap\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        let mut out = Vec::new();
        build(&file, &defaults(), &mut out).unwrap();
        assert_eq!(entries(&out), vec![(".".into(), 0o700, '5', 0), ("manifest.yaml".into(), 0o640, '0', 16)]);
        let missing = build(&dir.path().join("nope"), &[], &mut Vec::new()).unwrap_err().to_string();
        assert!(missing.starts_with("source path does not exist: /"), "{missing}");
    }

    #[test]
    fn ignore_paths_are_gitignore_lines_at_the_root() {
        let dir = tree();
        let mut out = Vec::new();
        let ignore = vec!["apps/".to_owned(), "!apps/base/".to_owned(), "*.sh".to_owned()];
        build(dir.path(), &ignore, &mut out).unwrap();
        let names: Vec<String> = entries(&out).into_iter().map(|entry| entry.0).collect();
        assert_eq!(
            names,
            [".", ".git", ".git/HEAD", ".git/objects", "apps/base", "apps/base/deploy.yaml", "kustomization.yaml"]
        );
    }

    #[test]
    fn config_and_manifest_are_the_bytes_flux_pushes() {
        let config = config_json("2024-01-02T03:04:05Z", "sha256:abc");
        assert_eq!(
            config,
            r#"{"architecture":"","created":"2024-01-02T03:04:05Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["sha256:abc"]},"config":{}}"#
        );
        let annotations = BTreeMap::from([
            (SOURCE_ANNOTATION.to_owned(), "https://example.com/a&b".to_owned()),
            (CREATED_ANNOTATION.to_owned(), "2024-01-02T03:04:05Z".to_owned()),
        ]);
        assert_eq!(
            manifest_json((10, "sha256:c"), (20, "sha256:l"), &annotations),
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.cncf.flux.config.v1+json","size":10,"digest":"sha256:c"},"layers":[{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","size":20,"digest":"sha256:l"}],"annotations":{"org.opencontainers.image.created":"2024-01-02T03:04:05Z","org.opencontainers.image.source":"https://example.com/a\u0026b"}}"#
        );
    }

    #[test]
    fn untar_refuses_what_flux_refuses_and_skips_symlinks() {
        let tarball = |entries: &[(&str, tar::EntryType)]| {
            let mut builder = tar::Builder::new(Vec::new());
            for (name, kind) in entries {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(*kind);
                header.set_mode(0o644);
                header.set_size(if *kind == tar::EntryType::Regular { 2 } else { 0 });
                {
                    let raw = header.as_old_mut();
                    raw.name[..name.len()].copy_from_slice(name.as_bytes());
                    if *kind == tar::EntryType::Symlink {
                        raw.linkname[..4].copy_from_slice(b"/etc");
                    }
                }
                header.set_cksum();
                let data: &[u8] = if *kind == tar::EntryType::Regular { b"ok" } else { b"" };
                builder.append(&header, data).unwrap();
            }
            builder.into_inner().unwrap()
        };
        let out = tempfile::tempdir().unwrap();
        let good = tarball(&[("a/b.yaml", tar::EntryType::Regular), ("link", tar::EntryType::Symlink)]);
        untar(&good[..], out.path()).unwrap();
        assert_eq!(fs::read_to_string(out.path().join("a/b.yaml")).unwrap(), "ok");
        assert!(fs::symlink_metadata(out.path().join("link")).is_err());
        let evil = tarball(&[("../escape", tar::EntryType::Regular)]);
        let error = untar(&evil[..], out.path()).unwrap_err().to_string();
        assert_eq!(error, "tar contained invalid name error \"../escape\"");
        let fifo = tarball(&[("pipe", tar::EntryType::Fifo)]);
        assert!(untar(&fifo[..], out.path()).unwrap_err().to_string().contains("unsupported file type"));
    }

    #[test]
    fn resolved_symlinks_become_what_they_point_to() {
        let outside = tempfile::tempdir().unwrap();
        fs::create_dir(outside.path().join("shared")).unwrap();
        fs::write(outside.path().join("shared/base.yaml"), "kind: Namespace\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("real.yaml"), "kind: ConfigMap\n").unwrap();
        std::os::unix::fs::symlink(outside.path().join("shared"), dir.path().join("shared")).unwrap();
        std::os::unix::fs::symlink("real.yaml", dir.path().join("alias.yaml")).unwrap();
        // A cycle back to the root ends where the root is seen again.
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let (resolved, _copy) = resolve_symlinks(dir.path()).unwrap();
        let mut out = Vec::new();
        build(&resolved, &[], &mut out).unwrap();
        let names: Vec<(String, char)> = entries(&out).into_iter().map(|(name, _, kind, _)| (name, kind)).collect();
        let expected = [(".", '5'), ("alias.yaml", '0'), ("loop", '5'), ("real.yaml", '0'), ("shared", '5')];
        let mut expected: Vec<(String, char)> = expected.iter().map(|(n, k)| (n.to_string(), *k)).collect();
        expected.push(("shared/base.yaml".into(), '0'));
        assert_eq!(names, expected);
        let missing = resolve_symlinks(&dir.path().join("gone")).unwrap_err().to_string();
        assert!(missing.contains("gone"), "{missing}");
    }

    #[test]
    fn cosign_tags_are_left_out() {
        assert!(is_cosign_artifact("sha256-abc.sig"));
        assert!(!is_cosign_artifact("v1.0.0"));
    }
}
