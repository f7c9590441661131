//! Fetching a reference into the per-object clone cache and resolving it to a commit.

use std::fs::{self, File, TryLockError};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::protocol::handshake::Ref;
use gix::remote::Direction;
use gix::remote::fetch::Shallow;
use sha2::{Digest, Sha256};
use weir_semver::Constraints;

use super::credentials::GitCredentials;
use super::error::{Class, GitError, chain_message, classify};
use super::reference::{GitReference, revision};
use super::transport::{Deadline, Remote, Watchdog};
use crate::ignore::IgnoreRules;
use crate::store::{ArtifactOwner, ArtifactStore, StoredArtifact};

/// What to fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchRequest<'a> {
    /// `namespace/name` of the GitRepository; selects its clone cache.
    pub key: &'a str,
    /// `file://`, absolute path, `git://`, `http(s)://` or `ssh://` (also `user@host:path`).
    pub url: &'a str,
    pub reference: &'a GitReference,
    pub credentials: &'a GitCredentials,
    /// The whole fetch (all round trips) must end within this.
    pub timeout: Duration,
}

/// A resolved commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// 40 lowercase hex digits.
    pub id: String,
    /// Flux v1's revision, e.g. `main@sha1:<id>`.
    pub revision: String,
    /// The full commit message.
    pub message: String,
}

/// Fetches Git repositories into bare clones kept under a cache root, one per GitRepository,
/// so that later fetches only transfer what changed. Blocking: call it from
/// `tokio::task::spawn_blocking`.
#[derive(Debug, Clone)]
pub struct GitClient {
    cache_root: PathBuf,
}

impl GitClient {
    pub fn new(cache_root: PathBuf) -> Self {
        GitClient { cache_root }
    }

    /// The bare clone used for `key`.
    pub fn cache_dir(&self, key: &str) -> PathBuf {
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        self.cache_root.join(&digest[..32])
    }

    /// Fetches (incrementally into the bare clone for `request.key`, at depth 1 where the
    /// reference allows it) and resolves the reference.
    pub fn fetch(&self, request: &FetchRequest) -> Result<Commit, GitError> {
        let deadline = Deadline::after(request.timeout);
        let remote = Remote::new(request.url, request.credentials, deadline)?;
        tracing::debug!(key = request.key, url = %remote.display, reference = ?request.reference, "fetching");
        let dir = self.cache_dir(request.key);
        fs::create_dir_all(&self.cache_root).map_err(GitError::io("creating the git cache"))?;
        let _lock = lock(&dir.with_extension("lock"), &remote)?;
        let repo = open_cache(&dir)?;
        let result = Watchdog::guard(deadline, |watchdog| {
            let session = Session { repo: &repo, remote: &remote, watchdog };
            session.resolve(request.reference)
        });
        match &result {
            Ok(commit) => tracing::debug!(key = request.key, revision = %commit.revision, "fetched"),
            // A cache that gix cannot read any more is rebuilt on the next attempt.
            Err(GitError::Repository(message)) => {
                tracing::warn!(key = request.key, error = %message, "dropping the git cache");
                let _ = fs::remove_dir_all(&dir);
            }
            Err(_) => {}
        }
        result
    }

    /// Writes `commit`'s tree, minus ignored paths, into `store` as `owner`'s artifact. The
    /// commit must have been fetched with the same `request_key`.
    pub fn store_artifact(
        &self,
        request_key: &str,
        commit: &Commit,
        ignore: &IgnoreRules,
        store: &ArtifactStore,
        owner: &ArtifactOwner,
    ) -> Result<StoredArtifact, GitError> {
        let dir = self.cache_dir(request_key);
        let repo = gix::open_opts(&dir, open_options())
            .map_err(|err| GitError::repository("opening the git cache", chain_message(&err)))?;
        let id = ObjectId::from_hex(commit.id.as_bytes())
            .map_err(|err| GitError::InvalidReference(format!("commit id '{}': {err}", commit.id)))?;
        super::tree::export(&repo, id, &commit.revision, ignore, store, owner)
    }
}

/// The cache is configured from nothing but these values: no system, global or environment
/// configuration (credential helpers, URL rewrites, proxies) can leak into a fetch.
fn open_options() -> gix::open::Options {
    gix::open::Options::isolated().config_overrides([
        "user.name=weir",
        "user.email=weir@localhost",
        "core.logAllRefUpdates=false",
        "protocol.version=2",
    ])
}

fn open_cache(dir: &Path) -> Result<gix::Repository, GitError> {
    if dir.join("HEAD").is_file() {
        match gix::open_opts(dir, open_options()) {
            Ok(repo) => return Ok(repo),
            Err(err) => {
                tracing::warn!(dir = %dir.display(), error = %chain_message(&err), "recreating unreadable git cache");
                fs::remove_dir_all(dir).map_err(GitError::io("removing the broken git cache"))?;
            }
        }
    }
    gix::ThreadSafeRepository::init_opts(dir, gix::create::Kind::Bare, gix::create::Options::default(), open_options())
        .map(Into::into)
        .map_err(|err| GitError::repository("creating the git cache", chain_message(&err)))
}

/// Serialises fetches of one cache (a reconcile may still be running when the next starts).
fn lock(path: &Path, remote: &Remote) -> Result<File, GitError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(GitError::io("opening the git cache lock"))?;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if !remote.deadline.expired() => thread::sleep(Duration::from_millis(20)),
            Err(TryLockError::WouldBlock) => return Err(remote.timeout()),
            Err(TryLockError::Error(err)) => return Err(GitError::io("locking the git cache")(err)),
        }
    }
}

/// One fetch: the cache, the remote and the deadline's watchdog.
struct Session<'a> {
    repo: &'a gix::Repository,
    remote: &'a Remote<'a>,
    watchdog: &'a Watchdog,
}

/// How much history to fetch.
fn depth_one() -> Shallow {
    Shallow::DepthAtRemote(NonZeroU32::MIN)
}

impl Session<'_> {
    fn resolve(&self, reference: &GitReference) -> Result<Commit, GitError> {
        match reference {
            GitReference::Branch(branch) => {
                let name = format!("refs/heads/{}", checked_ref_part(branch)?);
                let id = self.fetch_ref(&name, reference, depth_one())?;
                self.commit(id, Some(branch))
            }
            GitReference::Tag(tag) => {
                let name = format!("refs/tags/{}", checked_ref_part(tag)?);
                let id = self.fetch_ref(&name, reference, depth_one())?;
                self.commit(id, Some(tag))
            }
            GitReference::Name(name) => {
                let id = self.fetch_ref(checked_ref_part(name)?, reference, depth_one())?;
                self.commit(id, Some(name))
            }
            GitReference::Semver(range) => {
                let tag = self.highest_matching_tag(range, reference)?;
                let id = self.fetch_ref(&format!("refs/tags/{tag}"), reference, depth_one())?;
                self.commit(id, Some(&tag))
            }
            GitReference::Commit { commit, branch } => {
                let wanted = ObjectId::from_hex(commit.to_ascii_lowercase().as_bytes())
                    .map_err(|_| GitError::InvalidReference(format!("commit '{commit}' is not a full SHA-1")))?;
                match branch {
                    Some(branch) => {
                        let name = format!("refs/heads/{}", checked_ref_part(branch)?);
                        let branch_ref = GitReference::Branch(branch.clone());
                        self.fetch_ref(&name, &branch_ref, depth_one())?;
                        // The commit may be deeper than the tip: fetch the branch's history.
                        if !self.is_commit(wanted) {
                            self.fetch_ref(&name, &branch_ref, Shallow::undo())?;
                        }
                    }
                    None => {
                        // As Flux: every branch, with history, then look the commit up.
                        self.fetch(&["+refs/heads/*:refs/heads/*".to_owned()], Shallow::undo(), |_| Ok(()))?;
                    }
                }
                if !self.is_commit(wanted) {
                    return Err(GitError::NotFound { url: self.remote.display.clone(), what: reference.describe() });
                }
                self.commit(wanted, branch.as_deref())
            }
        }
    }

    fn is_commit(&self, id: ObjectId) -> bool {
        self.repo.find_object(id).is_ok_and(|object| object.kind == gix::object::Kind::Commit)
    }

    /// Fetches the single ref `name` and returns what the remote says it points to.
    fn fetch_ref(&self, name: &str, reference: &GitReference, shallow: Shallow) -> Result<ObjectId, GitError> {
        let local = if name.starts_with("refs/") { name.to_owned() } else { format!("refs/weir/{name}") };
        let not_found = || GitError::NotFound { url: self.remote.display.clone(), what: reference.describe() };
        let mut target = None;
        self.fetch(&[format!("+{name}:{local}")], shallow, |remote_refs| {
            target = advertised(remote_refs, name);
            target.map(|_| ()).ok_or_else(not_found)
        })?;
        target.ok_or_else(not_found)
    }

    /// One fetch round trip with `refspecs`; `check` sees the advertised refs before any pack
    /// is requested and may stop there.
    fn fetch(
        &self,
        refspecs: &[String],
        shallow: Shallow,
        check: impl FnOnce(&[Ref]) -> Result<(), GitError>,
    ) -> Result<(), GitError> {
        let remote = self.gix_remote(refspecs)?;
        let connected = self.remote.connect(self.watchdog)?;
        // The ssh process (if any) lives until the end of this call; its stderr explains failures.
        let mut ssh = connected.ssh;
        let connection = self.connection(&remote, connected.transport)?;
        let prepare = connection
            .prepare_fetch(gix::progress::Discard, Default::default())
            .map_err(|err| self.remote_error(&err, ssh.take()))?;
        check(&prepare.ref_map().remote_refs)?;
        prepare
            .with_shallow(shallow)
            .receive(gix::progress::Discard, self.watchdog.interrupt_flag())
            .map_err(|err| self.remote_error(&err, ssh.take()))?;
        Ok(())
    }

    /// Lists the remote's tags and picks the highest version matching `range`.
    fn highest_matching_tag(&self, range: &str, reference: &GitReference) -> Result<String, GitError> {
        let constraints = Constraints::parse(range)
            .map_err(|err| GitError::InvalidReference(format!("semver constraint '{range}': {err}")))?;
        let remote = self.gix_remote(&["+refs/tags/*:refs/tags/*".to_owned()])?;
        let connected = self.remote.connect(self.watchdog)?;
        let mut ssh = connected.ssh;
        let connection = self.connection(&remote, connected.transport)?;
        let (ref_map, _handshake) = connection
            .ref_map(gix::progress::Discard, Default::default())
            .map_err(|err| self.remote_error(&err, ssh.take()))?;
        let tags = ref_map.remote_refs.iter().filter_map(|remote_ref| {
            let (name, _, _) = remote_ref.unpack();
            name.to_str().ok().and_then(|name| name.strip_prefix("refs/tags/"))
        });
        constraints
            .highest_tag(tags)
            .map(str::to_owned)
            .ok_or_else(|| GitError::NotFound { url: self.remote.display.clone(), what: reference.describe() })
    }

    fn gix_remote(&self, refspecs: &[String]) -> Result<gix::Remote<'_>, GitError> {
        // The URL is given as the parsed gix URL: rewriting rules (`insteadOf`) do not apply.
        self.repo
            .remote_at_without_url_rewrite(self.remote.url.clone())
            .and_then(|remote| remote.with_refspecs(refspecs.iter().map(String::as_str), Direction::Fetch))
            .map_err(|err| GitError::InvalidReference(chain_message(&err)))
    }

    fn connection<'r>(
        &self,
        remote: &'r gix::Remote<'r>,
        transport: Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>,
    ) -> Result<
        gix::remote::Connection<
            'r,
            'static,
            'r,
            Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>,
        >,
        GitError,
    > {
        // Credentials travel in headers set up front; a request for more (a 401) means they were
        // missing or rejected. Returning none makes gix fail as unauthenticated instead of asking
        // credential helpers or a terminal.
        let mut connection = remote.to_connection_with_transport(transport).with_credentials(|_action| Ok(None));
        if let Some(options) = self.remote.http_options()? {
            connection = connection.with_transport_options(options);
        }
        Ok(connection)
    }

    /// Turns a gix error from talking to the remote into a typed error.
    fn remote_error(&self, err: &gix::Error, ssh: Option<super::transport::SshProcess>) -> GitError {
        let url = self.remote.display.clone();
        if self.remote.deadline.expired() {
            return self.remote.timeout();
        }
        let mut message = chain_message(err);
        if let Some(ssh) = ssh {
            let stderr = ssh.stderr();
            if stderr.contains("Host key verification failed") || stderr.contains("REMOTE HOST IDENTIFICATION") {
                return GitError::HostKey { url, message: self.remote.scrub(stderr) };
            }
            if stderr.contains("Permission denied") {
                return GitError::Auth { url, message: self.remote.scrub(stderr) };
            }
            if !stderr.is_empty() {
                message = format!("{message}: {stderr}");
            }
        }
        match classify(err) {
            Class::Auth => {
                let reason = if self.remote.has_credentials() {
                    "the server rejected the credentials"
                } else {
                    "the server requires credentials and none were given"
                };
                GitError::Auth { url, message: reason.to_owned() }
            }
            Class::TimedOut => self.remote.timeout(),
            Class::Other if err.is_corrupted() => GitError::Repository(self.remote.scrub(message)),
            Class::Other => self.remote.transport_error(message),
        }
    }

    /// Reads the fetched `id` (peeling tags) and builds the Flux revision with `name`.
    fn commit(&self, id: ObjectId, name: Option<&str>) -> Result<Commit, GitError> {
        let commit = self
            .repo
            .find_object(id)
            .and_then(|object| object.peel_to_commit())
            .map_err(|err| GitError::repository(&format!("reading commit {id}"), chain_message(&err)))?;
        let hex = commit.id.to_hex().to_string();
        let message = commit.message_raw_sloppy().to_str_lossy().into_owned();
        Ok(Commit { revision: revision(name, &hex), id: hex, message })
    }
}

/// The object a remote ref points to: the tag object for an annotated tag (peeled later).
fn advertised(remote_refs: &[Ref], name: &str) -> Option<ObjectId> {
    remote_refs.iter().find_map(|remote_ref| match remote_ref {
        Ref::Peeled { full_ref_name, tag, .. } if full_ref_name == name => Some(*tag),
        Ref::Direct { full_ref_name, object } if full_ref_name == name => Some(*object),
        Ref::Symbolic { full_ref_name, tag, object, .. } if full_ref_name == name => Some(tag.unwrap_or(*object)),
        _ => None,
    })
}

/// Rejects names that would change the meaning of the refspec they are put into.
fn checked_ref_part(name: &str) -> Result<&str, GitError> {
    let bad = name.is_empty()
        || name.starts_with(['-', '+', '^', '/'])
        || name.contains("..")
        || name.chars().any(|c| c.is_control() || matches!(c, ':' | '*' | '?' | '[' | '\\' | ' ' | '~' | '^'));
    if bad { Err(GitError::InvalidReference(format!("'{name}' is not a valid reference name"))) } else { Ok(name) }
}
