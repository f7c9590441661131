//! Connections to remotes, one per scheme, all bounded by the fetch's deadline.
//!
//! gix's stock transports are used for `file://` and `http(s)://` (the latter configured through
//! its reqwest backend hooks: TLS roots, auth header, per-request timeout). `git://` and `ssh://`
//! connections are made here and handed to gix as plain reader/writer pairs, so that the socket or
//! the `ssh` process is ours: the watchdog can shut it down when the deadline passes, and `ssh`
//! gets a private agent and known_hosts without touching the environment of the process.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use base64::Engine as _;
use gix::bstr::ByteSlice;
use gix::protocol::transport::Protocol;
use gix::protocol::transport::client::blocking_io::{self, Transport};
use gix::protocol::transport::client::git::ConnectMode;
use gix::protocol::transport::client::git::blocking_io::Connection as GitConnection;
use gix::url::Scheme;

use super::credentials::GitCredentials;
use super::error::GitError;

/// The point in time by which a fetch must be done.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    timeout: Duration,
}

impl Deadline {
    pub(crate) fn after(timeout: Duration) -> Self {
        Deadline { at: Instant::now() + timeout, timeout }
    }

    pub(crate) fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub(crate) fn expired(&self) -> bool {
        self.remaining().is_zero()
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Something a blocked read may be waiting on, which the watchdog can end.
enum Abortable {
    Child(Arc<Mutex<Child>>),
    Socket(TcpStream),
}

impl Abortable {
    fn abort(&self) {
        match self {
            Abortable::Child(child) => {
                let _ = child.lock().unwrap_or_else(PoisonError::into_inner).kill();
            }
            Abortable::Socket(socket) => {
                let _ = socket.shutdown(Shutdown::Both);
            }
        }
    }
}

/// Fires at the deadline: raises gix's interrupt flag (checked while a pack streams in) and ends
/// every registered socket and child process, so no read stays blocked past the deadline.
#[derive(Default)]
pub(crate) struct Watchdog {
    interrupt: AtomicBool,
    fired: AtomicBool,
    abortables: Mutex<Vec<Abortable>>,
}

impl Watchdog {
    /// Runs `work` with a watchdog that fires at `deadline` unless `work` returns first.
    pub(crate) fn guard<T>(deadline: Deadline, work: impl FnOnce(&Watchdog) -> T) -> T {
        let dog = Watchdog::default();
        let (done, finished) = mpsc::channel::<()>();
        thread::scope(|scope| {
            let dog = &dog;
            scope.spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(deadline.remaining()) {
                    dog.fire();
                }
            });
            let result = work(dog);
            drop(done);
            result
        })
    }

    pub(crate) fn interrupt_flag(&self) -> &AtomicBool {
        &self.interrupt
    }

    fn register(&self, abortable: Abortable) {
        let mut list = self.abortables.lock().unwrap_or_else(PoisonError::into_inner);
        if self.fired.load(Ordering::SeqCst) {
            abortable.abort();
        } else {
            list.push(abortable);
        }
    }

    fn fire(&self) {
        tracing::debug!("git fetch deadline reached, aborting");
        self.interrupt.store(true, Ordering::SeqCst);
        let list = self.abortables.lock().unwrap_or_else(PoisonError::into_inner);
        self.fired.store(true, Ordering::SeqCst);
        for abortable in list.iter() {
            abortable.abort();
        }
    }
}

/// A parsed remote URL plus what is needed to talk to it.
pub(crate) struct Remote<'a> {
    pub(crate) url: gix::Url,
    /// The URL without any password, for messages.
    pub(crate) display: String,
    credentials: &'a GitCredentials,
    pub(crate) deadline: Deadline,
    ssh: Option<SshContext>,
}

/// A connected transport, plus the `ssh` process behind it if any (kept to read its stderr).
pub(crate) struct Connected {
    pub(crate) transport: Box<dyn Transport + Send>,
    pub(crate) ssh: Option<SshProcess>,
}

impl<'a> Remote<'a> {
    pub(crate) fn new(url: &str, credentials: &'a GitCredentials, deadline: Deadline) -> Result<Self, GitError> {
        let display = redact_url(url);
        let invalid = |message: String| GitError::InvalidUrl { url: display.clone(), message };
        let parsed = gix::url::parse(url.trim().as_bytes().as_bstr()).map_err(|err| invalid(err.to_string()))?;
        match &parsed.scheme {
            Scheme::File | Scheme::Git | Scheme::Http | Scheme::Https | Scheme::Ssh => {}
            other => return Err(invalid(format!("unsupported scheme '{other}'"))),
        }
        if parsed.scheme != Scheme::File && parsed.host().is_none_or(|host| host.is_empty() || host.starts_with('-')) {
            return Err(invalid("missing or invalid host".to_owned()));
        }
        let ssh =
            if parsed.scheme == Scheme::Ssh { Some(SshContext::new(credentials, deadline, &display)?) } else { None };
        Ok(Remote { url: parsed, display, credentials, deadline, ssh })
    }

    /// Opens a new connection; called once per round trip gix needs (listing tags for semver
    /// is one, fetching another).
    pub(crate) fn connect(&self, watchdog: &Watchdog) -> Result<Connected, GitError> {
        if self.deadline.expired() {
            return Err(self.timeout());
        }
        match self.url.scheme {
            Scheme::Git => self.connect_git(watchdog),
            Scheme::Ssh => self.connect_ssh(watchdog),
            _ => {
                let options = blocking_io::connect::Options { version: Protocol::V2, ..Default::default() };
                let transport = blocking_io::connect::connect(self.url.clone(), options)
                    .map_err(|err| self.transport_error(super::error::chain_message(&err)))?;
                Ok(Connected { transport, ssh: None })
            }
        }
    }

    pub(crate) fn timeout(&self) -> GitError {
        GitError::Timeout { url: self.display.clone(), timeout: self.deadline.timeout() }
    }

    pub(crate) fn transport_error(&self, message: String) -> GitError {
        GitError::Transport { url: self.display.clone(), message: self.scrub(message) }
    }

    /// Removes any secret a transport may have echoed back into `message`.
    pub(crate) fn scrub(&self, mut message: String) -> String {
        for secret in self.credentials.secrets() {
            message = message.replace(secret, "<redacted>");
        }
        message
    }

    pub(crate) fn has_credentials(&self) -> bool {
        let c = self.credentials;
        c.username.is_some() || c.password.is_some() || c.bearer_token.is_some() || c.ssh_identity.is_some()
    }

    fn connect_git(&self, watchdog: &Watchdog) -> Result<Connected, GitError> {
        let host = self.url.host().unwrap_or_default();
        let port = self.url.port.unwrap_or(9418);
        let addresses: Vec<_> = (host, port)
            .to_socket_addrs()
            .map_err(|err| self.transport_error(format!("could not resolve '{host}': {err}")))?
            .collect();
        let mut last_error = None;
        let mut stream = None;
        for address in addresses {
            match TcpStream::connect_timeout(&address, self.deadline.remaining().max(Duration::from_millis(1))) {
                Ok(connected) => {
                    stream = Some(connected);
                    break;
                }
                Err(err) => last_error = Some(err),
            }
        }
        let stream = stream.ok_or_else(|| {
            if self.deadline.expired() {
                return self.timeout();
            }
            let reason = last_error.map_or_else(|| "no address".to_owned(), |err| err.to_string());
            self.transport_error(format!("could not connect to {host}:{port}: {reason}"))
        })?;
        let io_error = |err: io::Error| self.transport_error(format!("socket setup failed: {err}"));
        // Socket timeouts back up the watchdog, which shuts the socket down at the deadline.
        let remaining = Some(self.deadline.remaining().max(Duration::from_millis(1)));
        stream.set_read_timeout(remaining).map_err(io_error)?;
        stream.set_write_timeout(remaining).map_err(io_error)?;
        watchdog.register(Abortable::Socket(stream.try_clone().map_err(io_error)?));
        let reader = stream.try_clone().map_err(io_error)?;
        let connection = GitConnection::new(
            reader,
            stream,
            Protocol::V2,
            self.url.path.clone(),
            Some((host.to_owned(), self.url.port)),
            ConnectMode::Daemon,
            false,
        )
        .custom_url(Some(self.display.clone().into()));
        Ok(Connected { transport: Box::new(connection), ssh: None })
    }

    fn connect_ssh(&self, watchdog: &Watchdog) -> Result<Connected, GitError> {
        let Some(ssh) = &self.ssh else {
            return Err(self.transport_error("ssh is not set up".to_owned()));
        };
        let host = self.url.host().unwrap_or_default();
        let user = self.url.user().unwrap_or("git");
        if user.starts_with('-') {
            return Err(GitError::InvalidUrl { url: self.display.clone(), message: "invalid user".to_owned() });
        }
        let path = gix::url::expand_path::for_shell(self.url.path.clone());
        let mut command = Command::new("ssh");
        command.args(ssh.options(self.deadline));
        if let Some(port) = self.url.port {
            command.arg("-p").arg(port.to_string());
        }
        command
            .arg("-l")
            .arg(user)
            .arg("--")
            .arg(host)
            .arg(format!("git-upload-pack {}", shell_quote(&path.to_str_lossy())))
            // Asks the server for protocol v2 (it needs `AcceptEnv GIT_PROTOCOL`; without it
            // the server speaks v0, which gix handles too).
            .env("GIT_PROTOCOL", "version=2")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("SSH_ASKPASS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|err| self.transport_error(format!("could not run ssh: {err}")))?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(self.transport_error("ssh started without pipes".to_owned()));
        };
        let child = Arc::new(Mutex::new(child));
        watchdog.register(Abortable::Child(Arc::clone(&child)));
        let process = SshProcess::new(child, stderr);
        let connection: GitConnection<ChildStdout, ChildStdin> = GitConnection::new(
            stdout,
            stdin,
            Protocol::V2,
            path,
            None::<(String, Option<u16>)>,
            ConnectMode::Process,
            false,
        )
        .custom_url(Some(self.display.clone().into()));
        Ok(Connected { transport: Box::new(connection), ssh: Some(process) })
    }

    /// gix's HTTP options, with the reqwest backend hooks that add TLS roots, credentials and the
    /// deadline to every request. `None` for other schemes.
    pub(crate) fn http_options(&self) -> Result<Option<Box<dyn std::any::Any>>, GitError> {
        use gix::protocol::transport::client::blocking_io::http;
        if !matches!(self.url.scheme, Scheme::Http | Scheme::Https) {
            return Ok(None);
        }
        let tls = self.tls_config()?;
        let authorization = self.authorization_header()?;
        let deadline = self.deadline;
        let backend = http::reqwest::Options {
            configure_client: Some(Box::new(move |builder: reqwest::blocking::ClientBuilder| {
                Ok(builder.tls_backend_preconfigured(tls.clone()).connect_timeout(deadline.remaining()))
            })),
            configure_request: Some(Box::new(move |request: &mut reqwest::blocking::Request| {
                let remaining = deadline.remaining();
                if remaining.is_zero() {
                    return Err(gix::Error::from_error(io::Error::new(io::ErrorKind::TimedOut, "deadline exceeded")));
                }
                *request.timeout_mut() = Some(remaining);
                if let Some(value) = &authorization {
                    request.headers_mut().insert(reqwest::header::AUTHORIZATION, value.clone());
                }
                Ok(())
            })),
        };
        let options = http::Options {
            user_agent: Some(concat!("weir-source/", env!("CARGO_PKG_VERSION")).to_owned()),
            connect_timeout: Some(self.deadline.remaining()),
            backend: Some(Arc::new(Mutex::new(backend))),
            ..Default::default()
        };
        Ok(Some(Box::new(options)))
    }

    /// Basic auth when a username or password is given, else a bearer token, as Flux does. The
    /// header is sent with every request (as go-git does), not only after a 401.
    fn authorization_header(&self) -> Result<Option<reqwest::header::HeaderValue>, GitError> {
        let c = self.credentials;
        let value = if c.username.is_some() || c.password.is_some() {
            let pair = format!("{}:{}", c.username.as_deref().unwrap_or(""), c.password.as_deref().unwrap_or(""));
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
        } else if let Some(token) = &c.bearer_token {
            format!("Bearer {token}")
        } else {
            return Ok(None);
        };
        let mut header = reqwest::header::HeaderValue::from_str(&value).map_err(|_| GitError::Auth {
            url: self.display.clone(),
            message: "credentials contain characters not allowed in an HTTP header".to_owned(),
        })?;
        header.set_sensitive(true);
        Ok(Some(header))
    }

    /// The sources' TLS (platform roots plus `ca.crt` if given).
    fn tls_config(&self) -> Result<rustls::ClientConfig, GitError> {
        let material = weir_tls::TlsMaterial { ca_pem: self.credentials.ca_pem.as_deref(), client: None };
        weir_tls::client_config(material).map_err(|message| GitError::Transport { url: self.display.clone(), message })
    }
}

/// `ssh`'s configuration for one fetch: a private agent holding the identity and a known_hosts
/// file, in a 0700 temporary directory removed (and the agent killed) on drop.
struct SshContext {
    // Field order is drop order: the agent goes before its directory.
    agent: Option<SshAgent>,
    known_hosts: PathBuf,
    /// Holds the socket, known_hosts and public key; removed on drop.
    _dir: tempfile::TempDir,
}

struct SshAgent {
    socket: PathBuf,
    public_key: PathBuf,
    child: Child,
}

impl Drop for SshAgent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SshContext {
    fn new(credentials: &GitCredentials, deadline: Deadline, url: &str) -> Result<Self, GitError> {
        let dir =
            tempfile::Builder::new().prefix("weir-ssh-").tempdir().map_err(GitError::io("creating ssh directory"))?;
        // Host keys are public; a file is what `ssh` reads them from.
        let known_hosts = dir.path().join("known_hosts");
        std::fs::write(&known_hosts, credentials.ssh_known_hosts.as_deref().unwrap_or_default())
            .map_err(GitError::io("writing known_hosts"))?;
        let agent = match &credentials.ssh_identity {
            Some(identity) => {
                Some(SshAgent::start(dir.path(), identity, credentials.password.as_deref(), deadline, url)?)
            }
            None => None,
        };
        Ok(SshContext { agent, known_hosts, _dir: dir })
    }

    fn options(&self, deadline: Deadline) -> Vec<String> {
        let connect_timeout = deadline.remaining().as_secs().max(1);
        let mut options = vec![
            // No user or system configuration: only what the GitRepository says applies.
            "-F".to_owned(),
            "/dev/null".to_owned(),
            "-o".to_owned(),
            "BatchMode=yes".to_owned(),
            "-o".to_owned(),
            "StrictHostKeyChecking=yes".to_owned(),
            "-o".to_owned(),
            format!("UserKnownHostsFile={}", quote_ssh_option(&self.known_hosts)),
            "-o".to_owned(),
            "GlobalKnownHostsFile=/dev/null".to_owned(),
            "-o".to_owned(),
            "UpdateHostKeys=no".to_owned(),
            "-o".to_owned(),
            "IdentitiesOnly=yes".to_owned(),
            "-o".to_owned(),
            "SendEnv=GIT_PROTOCOL".to_owned(),
            "-o".to_owned(),
            format!("ConnectTimeout={connect_timeout}"),
            "-o".to_owned(),
            "ServerAliveInterval=15".to_owned(),
        ];
        match &self.agent {
            Some(agent) => options.extend([
                "-o".to_owned(),
                format!("IdentityAgent={}", quote_ssh_option(&agent.socket)),
                // A public key as IdentityFile makes ssh use the agent's matching private key only.
                "-o".to_owned(),
                format!("IdentityFile={}", quote_ssh_option(&agent.public_key)),
            ]),
            None => options.extend(["-o".to_owned(), "IdentityAgent=none".to_owned()]),
        }
        options
    }
}

impl SshAgent {
    /// Starts `ssh-agent` on a socket in `dir` and loads `identity` into it through stdin, so the
    /// private key never touches the disk. An encrypted key is unlocked with `passphrase`, handed
    /// to `ssh-add` through its askpass hook and environment (not through a file).
    fn start(
        dir: &Path,
        identity: &[u8],
        passphrase: Option<&str>,
        deadline: Deadline,
        url: &str,
    ) -> Result<Self, GitError> {
        let auth_error = |message: String| GitError::Auth { url: url.to_owned(), message };
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| auth_error(format!("could not start ssh-agent: {err}")))?;
        let mut agent = SshAgent { socket, public_key: dir.join("identity.pub"), child };
        let ready_by = Instant::now() + Duration::from_secs(5).min(deadline.remaining());
        while !agent.socket.exists() {
            if Instant::now() >= ready_by || agent.child.try_wait().ok().flatten().is_some() {
                return Err(auth_error("ssh-agent did not start".to_owned()));
            }
            thread::sleep(Duration::from_millis(5));
        }

        let askpass = dir.join("askpass");
        std::fs::write(&askpass, "#!/bin/sh\nprintf '%s\\n' \"$WEIR_SSH_PASSPHRASE\"\n")
            .map_err(GitError::io("writing ssh askpass helper"))?;
        set_mode(&askpass, 0o700).map_err(GitError::io("writing ssh askpass helper"))?;
        let mut add = Command::new("ssh-add");
        add.arg("-q")
            .arg("-")
            .env("SSH_AUTH_SOCK", &agent.socket)
            // Never prompt on a terminal: the passphrase comes from the secret or not at all.
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("SSH_ASKPASS", if passphrase.is_some() { askpass.as_os_str() } else { "/bin/false".as_ref() })
            .env_remove("DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(passphrase) = passphrase {
            add.env("WEIR_SSH_PASSPHRASE", passphrase);
        }
        let mut add = add.spawn().map_err(|err| auth_error(format!("could not run ssh-add: {err}")))?;
        if let Some(mut stdin) = add.stdin.take() {
            // A normalised trailing newline: ssh-add rejects an OpenSSH key without one.
            let mut key = identity.to_vec();
            if !key.ends_with(b"\n") {
                key.push(b'\n');
            }
            let _ = stdin.write_all(&key);
        }
        let (status, stderr) = wait_with_output(add, deadline)?;
        if !status.success() {
            let detail = stderr.trim().replace("(stdin)", "identity");
            return Err(auth_error(format!("could not load the SSH identity: {detail}")));
        }

        let list = Command::new("ssh-add")
            .arg("-L")
            .env("SSH_AUTH_SOCK", &agent.socket)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|err| auth_error(format!("could not run ssh-add: {err}")))?;
        if !list.status.success() || list.stdout.is_empty() {
            return Err(auth_error("ssh-agent holds no key after loading the identity".to_owned()));
        }
        std::fs::write(&agent.public_key, &list.stdout).map_err(GitError::io("writing the public key"))?;
        Ok(agent)
    }
}

/// The `ssh` process behind a connection: its stderr is collected (bounded) for error messages.
pub(crate) struct SshProcess {
    child: Arc<Mutex<Child>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

const STDERR_LIMIT: usize = 16 * 1024;

impl SshProcess {
    fn new(child: Arc<Mutex<Child>>, mut stderr: std::process::ChildStderr) -> Self {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let reader = thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                let room = STDERR_LIMIT.saturating_sub(sink.len());
                sink.extend_from_slice(&chunk[..n.min(room)]);
            }
        });
        SshProcess { child, stderr: buffer, reader: Some(reader) }
    }

    /// What `ssh` printed, once it has exited (it is killed if it takes longer than a moment).
    pub(crate) fn stderr(mut self) -> String {
        let give_up = Instant::now() + Duration::from_secs(2);
        loop {
            let exited = self.child.lock().unwrap_or_else(PoisonError::into_inner).try_wait().ok().flatten().is_some();
            if exited || Instant::now() >= give_up {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.finish();
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(PoisonError::into_inner)).trim().to_owned()
    }

    fn finish(&mut self) {
        {
            let mut child = self.child.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for SshProcess {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Waits for `child` until the deadline (killing it then), returning its status and stderr.
fn wait_with_output(mut child: Child, deadline: Deadline) -> Result<(ExitStatus, String), GitError> {
    let mut stderr = child.stderr.take();
    let reader = thread::spawn(move || {
        let mut text = String::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.take(STDERR_LIMIT as u64).read_to_string(&mut text);
        }
        text
    });
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok((status, reader.join().unwrap_or_default())),
            Ok(None) if deadline.expired() => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::Io {
                    context: "waiting for ssh-add".to_owned(),
                    source: io::Error::new(io::ErrorKind::TimedOut, "deadline exceeded"),
                });
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(err) => return Err(GitError::io("waiting for ssh-add")(err)),
        }
    }
}

fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Quotes a value for an `ssh -o Key=value` option (ssh splits values on whitespace).
fn quote_ssh_option(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text.contains(char::is_whitespace) { format!("\"{text}\"") } else { text.into_owned() }
}

/// Quotes `text` for the remote shell as git does: in single quotes, with `'` and `!` escaped.
fn shell_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('\'');
    for c in text.chars() {
        match c {
            '\'' | '!' => {
                quoted.push_str("'\\");
                quoted.push(c);
                quoted.push('\'');
            }
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

/// `url` with the password of its user info replaced, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split_once(':').map_or(user_info, |(user, _)| user);
            let password = if user_info.contains(':') { ":<redacted>" } else { "" };
            format!("{scheme}://{user}{password}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact_url("https://u:secret@host/r.git"), "https://u:<redacted>@host/r.git");
        assert_eq!(redact_url("ssh://git@host/r.git"), "ssh://git@host/r.git");
        assert_eq!(redact_url("/local/path"), "/local/path");
    }

    #[test]
    fn quotes_like_git() {
        assert_eq!(shell_quote("/srv/it's!"), "'/srv/it'\\''s'\\!''");
    }
}
