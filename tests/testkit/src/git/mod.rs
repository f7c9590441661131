//! Git repositories built with the `git` CLI, and the real servers that
//! publish them on loopback: `git daemon`, smart HTTP(S) through
//! `git http-backend`, and `sshd`.

mod http;
pub mod ssh;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

pub use http::{HttpAuth, HttpServer, http_server, https_server};

/// Runs `git` in `dir` with no user or system configuration and a fixed
/// identity, panicking on failure; its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(["-c", "tag.gpgsign=false", "-c", "protocol.file.allow=always"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("running git");
    assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A work tree (branch `main`) under `root/<name>`, whose commits the
/// servers publish: they serve `root`.
pub struct Repo {
    /// What servers publish; the repository is its `name` entry.
    pub root: PathBuf,
    pub dir: PathBuf,
    pub name: String,
    /// Where a client fetches it: `file://` for a repository of its own, the
    /// server's `git://` URL for one a [`GitServer`] serves.
    pub url: String,
    /// The temp dir of a repository of its own, removed with it.
    owned_root: Option<TempDir>,
}

impl Repo {
    /// A repository of its own, in a new temp dir, with one commit holding `README.md`.
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let name = "repo.git";
        let url = format!("file://{}", root.path().join(name).display());
        let mut repo = Self::init(root.path(), name, url);
        repo.owned_root = Some(root);
        repo.write("README.md", "hello\n");
        repo.commit("initial");
        repo
    }

    fn init(root: &Path, name: &str, url: String) -> Self {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        git(&dir, &["init", "-q", "-b", "main"]);
        // Lets servers treat the work tree as a repository to export.
        git(&dir, &["config", "receive.denyCurrentBranch", "ignore"]);
        Self { root: root.to_owned(), dir, name: name.to_owned(), url, owned_root: None }
    }

    pub fn write(&self, path: &str, content: &str) -> &Self {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
        self
    }

    pub fn remove(&self, path: &str) -> &Self {
        std::fs::remove_file(self.dir.join(path)).expect("remove");
        self
    }

    /// Commits everything and returns the new commit's id.
    pub fn commit(&self, message: &str) -> String {
        git(&self.dir, &["add", "-A"]);
        git(&self.dir, &["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    pub fn head(&self) -> String {
        git(&self.dir, &["rev-parse", "HEAD"])
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.dir, args)
    }
}

impl Default for Repo {
    fn default() -> Self {
        Self::new()
    }
}

/// `git daemon` exporting everything under a directory, read-only, on a
/// loopback port it keeps across [`stop`](Self::stop) and [`resume`](Self::resume).
pub struct GitDaemon {
    base: PathBuf,
    pub port: u16,
    daemon: Option<Child>,
}

impl GitDaemon {
    pub fn serve(base: &Path) -> Self {
        let mut daemon = Self { base: base.to_owned(), port: crate::net::free_port(), daemon: None };
        daemon.resume();
        daemon
    }

    /// Stops serving (the repositories stay).
    pub fn stop(&mut self) {
        if let Some(mut daemon) = self.daemon.take() {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }

    /// Serves again on the same port.
    pub fn resume(&mut self) {
        // `git daemon` runs git-daemon as a child that would outlive a kill of `git`: start it directly.
        let exec_path = Command::new("git").arg("--exec-path").output().expect("git is installed").stdout;
        let program = PathBuf::from(String::from_utf8_lossy(&exec_path).trim()).join("git-daemon");
        let child = Command::new(program)
            .args(["--reuseaddr", "--listen=127.0.0.1", &format!("--port={}", self.port)])
            .arg(format!("--base-path={}", self.base.display()))
            .args(["--export-all", "--enable=upload-pack"])
            .arg(&self.base)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        self.daemon = Some(child);
        crate::net::wait_for_port(self.port);
    }

    /// The `git://` URL of repository `name` under the base.
    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A temp dir of repositories and the `git daemon` serving it.
pub struct GitServer {
    pub root: TempDir,
    pub daemon: GitDaemon,
}

impl GitServer {
    pub fn start() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let daemon = GitDaemon::serve(root.path());
        Self { root, daemon }
    }

    /// A new, empty repository (branch `main`) the server serves as `name`.
    pub fn repository(&self, name: &str) -> Repo {
        Repo::init(self.root.path(), name, self.daemon.url(name))
    }
}
