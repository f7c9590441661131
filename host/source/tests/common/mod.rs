//! Shared test fixtures: repositories built with the `git` CLI and loopback servers for them.

#![allow(dead_code, reason = "each test file uses a different subset")]

pub mod ssh;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use weir_source::{
    ArtifactOwner, ArtifactStore, Commit, FetchRequest, GitClient, GitCredentials, GitError, GitReference, IgnoreRules,
    StoredArtifact,
};

/// Runs `git` with a clean configuration and a fixed identity, panicking on failure.
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

/// A work tree under `<root>/<name>` whose commits the servers publish (they serve `<root>`).
pub struct Repo {
    pub root: tempfile::TempDir,
    pub dir: PathBuf,
    pub name: String,
}

impl Repo {
    /// A repository with branch `main` and one commit holding `README.md`.
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let name = "repo.git".to_owned();
        let dir = root.path().join(&name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        git(&dir, &["init", "-q", "-b", "main"]);
        // Lets servers treat the work tree as a repository to export.
        git(&dir, &["config", "receive.denyCurrentBranch", "ignore"]);
        let repo = Repo { root, dir, name };
        repo.write("README.md", "hello\n");
        repo.commit("initial");
        repo
    }

    pub fn write(&self, path: &str, content: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
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

    pub fn file_url(&self) -> String {
        format!("file://{}", self.dir.display())
    }
}

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
        let commit = fetch(&self.client, "ns/obj", &repo.file_url(), reference).expect("fetch");
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

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub(crate) fn wait_for_port(port: u16) {
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "server on port {port} did not start");
        thread::sleep(Duration::from_millis(20));
    }
}

/// A child process killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `git daemon` exporting everything under `base`.
pub fn git_daemon(base: &Path) -> Server {
    let port = free_port();
    // `git daemon` runs git-daemon as a child that would outlive a kill of `git`: start it directly.
    let exec_path = Command::new("git").arg("--exec-path").output().expect("git is installed").stdout;
    let program = std::path::PathBuf::from(String::from_utf8_lossy(&exec_path).trim()).join("git-daemon");
    let child = Command::new(program)
        .arg("--reuseaddr")
        .arg("--listen=127.0.0.1")
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg("--export-all")
        .arg("--enable=upload-pack")
        .arg(base)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("git daemon");
    let server = Server { child, port };
    wait_for_port(port);
    server
}

/// What the smart HTTP server demands.
#[derive(Clone, Debug)]
pub enum HttpAuth {
    None,
    Basic { username: String, password: String },
    Bearer(String),
}

/// Smart HTTP via `git http-backend` as CGI, one thread per connection; optionally TLS.
pub struct HttpServer {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

pub fn http_server(root: &Path, auth: HttpAuth) -> HttpServer {
    serve_http(root, auth, None)
}

/// As [`http_server`] but over TLS with `config`.
pub fn https_server(root: &Path, auth: HttpAuth, config: Arc<rustls::ServerConfig>) -> HttpServer {
    serve_http(root, auth, Some(config))
}

fn serve_http(root: &Path, auth: HttpAuth, tls: Option<Arc<rustls::ServerConfig>>) -> HttpServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let root = root.to_path_buf();
    let flag = Arc::clone(&stop);
    thread::spawn(move || {
        for stream in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let (root, auth, tls) = (root.clone(), auth.clone(), tls.clone());
            thread::spawn(move || {
                let _ = match tls {
                    Some(config) => {
                        let connection = rustls::ServerConnection::new(config).expect("tls");
                        handle_http(rustls::StreamOwned::new(connection, stream), &root, &auth)
                    }
                    None => handle_http(stream, &root, &auth),
                };
            });
        }
    });
    HttpServer { port, stop }
}

fn handle_http<S: Read + Write>(stream: S, root: &Path, auth: &HttpAuth) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }

    let authorized = match auth {
        HttpAuth::None => true,
        HttpAuth::Basic { username, password } => {
            use base64::Engine as _;
            let expected = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
            header("authorization").is_some_and(|v| v == format!("Basic {expected}"))
        }
        HttpAuth::Bearer(token) => header("authorization").is_some_and(|v| v == format!("Bearer {token}")),
    };
    let mut stream = reader.into_inner();
    if !authorized {
        let challenge = if matches!(auth, HttpAuth::Bearer(_)) { "Bearer" } else { "Basic realm=\"git\"" };
        write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return stream.flush();
    }

    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(content_type) = header("content-type") {
        cgi.env("CONTENT_TYPE", content_type);
    }
    if let Some(protocol) = header("git-protocol") {
        cgi.env("GIT_PROTOCOL", protocol);
    }
    if let Some(encoding) = header("content-encoding") {
        cgi.env("HTTP_CONTENT_ENCODING", encoding);
    }
    let mut child = cgi.spawn()?;
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output()?;
    let _ = writer.join();
    let output = output.stdout;
    let split = output.windows(4).position(|w| w == b"\r\n\r\n").map(|p| (p, 4));
    let split = split.or_else(|| output.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2)));
    let (head, content) = match split {
        Some((at, len)) => (String::from_utf8_lossy(&output[..at]).into_owned(), &output[at + len..]),
        None => (String::new(), &output[..]),
    };
    let mut status = "200 OK".to_owned();
    let mut response_headers = String::new();
    for line in head.lines() {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => status = value.trim().to_owned(),
            Some(_) => {
                response_headers.push_str(line.trim_end());
                response_headers.push_str("\r\n");
            }
            None => {}
        }
    }
    write!(
        stream,
        "HTTP/1.1 {status}\r\n{response_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        content.len()
    )?;
    stream.write_all(content)?;
    stream.flush()
}

/// Accepts connections and never answers: a hung server.
pub struct BlackHole {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

pub fn black_hole() -> BlackHole {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(stream) = stream {
                held.push(stream);
            }
        }
    });
    BlackHole { port, stop }
}
