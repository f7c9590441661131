//! A private `sshd` on a loopback port, with generated host and client keys.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::net::{ServerProcess, free_port};

pub const PASSPHRASE: &str = "correct horse";

pub struct Sshd {
    _server: ServerProcess,
    _dir: tempfile::TempDir,
    pub port: u16,
    /// Authorized for root.
    pub client_key: Vec<u8>,
    /// Authorized, encrypted with [`PASSPHRASE`].
    pub encrypted_key: Vec<u8>,
    /// Not authorized.
    pub other_key: Vec<u8>,
    pub known_hosts: Vec<u8>,
}

const SSHD: &str = "/usr/sbin/sshd";

/// Installs openssh-server once if it is missing. `Err` only when there is no apt to do it.
fn ensure_sshd() -> Result<(), String> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            if Path::new(SSHD).exists() {
                return Ok(());
            }
            if Command::new("apt-get").arg("--version").stdout(Stdio::null()).status().is_err() {
                return Err("sshd is missing and apt-get is unavailable to install openssh-server".to_owned());
            }
            let install = || {
                Command::new("apt-get")
                    .args(["install", "-y", "-q", "--no-install-recommends", "openssh-server"])
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !install() {
                let _ = Command::new("apt-get").args(["update", "-q"]).stdout(Stdio::null()).status();
                assert!(install(), "apt-get install openssh-server failed");
            }
            Ok(())
        })
        .clone()
}

fn keygen(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-C", name, "-N", passphrase, "-f"])
        .arg(&path)
        .stdout(Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(status.success(), "ssh-keygen failed");
    path
}

impl Sshd {
    /// `None` (with the reason printed) when sshd cannot be had on this machine.
    pub fn start() -> Option<Sshd> {
        if let Err(reason) = ensure_sshd() {
            println!("skipping the ssh test: {reason}");
            return None;
        }
        // sshd needs root to log in as a user.
        let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        if uid.ok().as_deref() != Some("0") {
            println!("skipping the ssh test: it needs root to run sshd");
            return None;
        }
        std::fs::create_dir_all("/run/sshd").expect("privilege separation directory");
        let dir = tempfile::tempdir().expect("tempdir");
        let host_key = keygen(dir.path(), "host_key", "");
        let client = keygen(dir.path(), "client", "");
        let encrypted = keygen(dir.path(), "encrypted", PASSPHRASE);
        let other = keygen(dir.path(), "other", "");
        let read = |p: &Path| std::fs::read(p).expect("read key");
        let mut authorized = read(&client.with_extension("pub"));
        authorized.extend(read(&encrypted.with_extension("pub")));
        std::fs::write(dir.path().join("authorized_keys"), authorized).expect("authorized_keys");

        let port = free_port();
        let config = dir.path().join("sshd_config");
        let d = dir.path().display();
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
                 AuthorizedKeysFile {d}/authorized_keys\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n\
                 AcceptEnv GIT_PROTOCOL\nLogLevel ERROR\n"
            ),
        )
        .expect("sshd_config");
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd");
        let server = ServerProcess::listening(child, port);
        let host_public = String::from_utf8(read(&host_key.with_extension("pub"))).expect("utf-8");
        let known_hosts = format!("[127.0.0.1]:{port} {host_public}").into_bytes();
        Some(Sshd {
            _server: server,
            port,
            client_key: read(&client),
            encrypted_key: read(&encrypted),
            other_key: read(&other),
            known_hosts,
            _dir: dir,
        })
    }
}
