//! Every transport against a loopback server: git daemon, smart HTTP (plain, basic, bearer,
//! TLS with a custom CA), ssh; plus unreachable and hung servers.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Workspace, fetch, fetch_with};
use weir_source::{GitCredentials, GitError, GitReference};
use weir_testkit::git::{GitDaemon, HttpAuth, Repo, http_server, https_server, ssh};
use weir_testkit::net::{black_hole, free_port};

fn main_branch() -> GitReference {
    GitReference::Branch("main".into())
}

#[test]
fn plain_path_and_file_url() {
    let repo = Repo::new();
    let ws = Workspace::new();
    let commit = fetch(&ws.client, "ns/a", &repo.dir.display().to_string(), main_branch()).unwrap();
    assert_eq!(commit.id, repo.head());
}

#[test]
fn over_git_daemon() {
    let repo = Repo::new();
    let daemon = GitDaemon::serve(&repo.root);
    let url = daemon.url(&repo.name);
    let ws = Workspace::new();
    let commit = fetch(&ws.client, "ns/a", &url, main_branch()).unwrap();
    assert_eq!(commit.revision, format!("main@sha1:{}", repo.head()));
    repo.git(&["tag", "v1.0.0"]);
    let commit = fetch(&ws.client, "ns/a", &url, GitReference::Semver("1.x".into())).unwrap();
    assert_eq!(commit.revision, format!("v1.0.0@sha1:{}", repo.head()));
    let err = fetch(&ws.client, "ns/a", &url, GitReference::Branch("nope".into())).unwrap_err();
    assert!(matches!(err, GitError::NotFound { .. }), "{err:?}");
}

#[test]
fn smart_http_without_auth() {
    let repo = Repo::new();
    let server = http_server(&repo.root, HttpAuth::None);
    let url = format!("http://127.0.0.1:{}/{}", server.port, repo.name);
    let ws = Workspace::new();
    let commit = fetch(&ws.client, "ns/a", &url, main_branch()).unwrap();
    assert_eq!(commit.id, repo.head());
    // Incremental over HTTP as well.
    repo.write("x.txt", "x\n");
    let next = repo.commit("next");
    assert_eq!(fetch(&ws.client, "ns/a", &url, main_branch()).unwrap().id, next);
}

fn basic(username: &str, password: &str) -> GitCredentials {
    GitCredentials { username: Some(username.into()), password: Some(password.into()), ..Default::default() }
}

#[test]
fn smart_http_basic_auth() {
    let repo = Repo::new();
    let auth = HttpAuth::Basic { username: "flux".into(), password: "s3cret-pw".into() };
    let server = http_server(&repo.root, auth);
    let url = format!("http://127.0.0.1:{}/{}", server.port, repo.name);
    let ws = Workspace::new();
    let timeout = Duration::from_secs(30);
    let commit = fetch_with(&ws.client, "ns/a", &url, main_branch(), &basic("flux", "s3cret-pw"), timeout).unwrap();
    assert_eq!(commit.id, repo.head());

    let err = fetch_with(&ws.client, "ns/a", &url, main_branch(), &basic("flux", "wrong-pw"), timeout).unwrap_err();
    assert!(matches!(err, GitError::Auth { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("wrong-pw"), "no secret in {err:?}");
    let err = fetch(&ws.client, "ns/a", &url, main_branch()).unwrap_err();
    assert!(matches!(err, GitError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("requires credentials"), "{err}");
}

#[test]
fn smart_http_bearer_token() {
    let repo = Repo::new();
    let server = http_server(&repo.root, HttpAuth::Bearer("t0ken-value".into()));
    let url = format!("http://127.0.0.1:{}/{}", server.port, repo.name);
    let ws = Workspace::new();
    let timeout = Duration::from_secs(30);
    let token = |t: &str| GitCredentials { bearer_token: Some(t.into()), ..Default::default() };
    let commit = fetch_with(&ws.client, "ns/a", &url, main_branch(), &token("t0ken-value"), timeout).unwrap();
    assert_eq!(commit.id, repo.head());
    let err = fetch_with(&ws.client, "ns/a", &url, main_branch(), &token("other-token"), timeout).unwrap_err();
    assert!(matches!(err, GitError::Auth { .. }), "{err:?}");
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn tls_fixture() -> (Arc<rustls::ServerConfig>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.subject_alt_names.push(SanType::IpAddress([127, 0, 0, 1].into()));
    let cert = params.signed_by(&key, &issuer).unwrap();
    let chain = vec![rustls::pki_types::CertificateDer::from(cert.der().to_vec())];
    let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .unwrap();
    (Arc::new(config), ca.pem())
}

#[test]
fn https_with_custom_ca() {
    let repo = Repo::new();
    let (config, ca_pem) = tls_fixture();
    let server = https_server(&repo.root, HttpAuth::None, config);
    let url = format!("https://127.0.0.1:{}/{}", server.port, repo.name);
    let ws = Workspace::new();
    let timeout = Duration::from_secs(30);
    let with_ca = GitCredentials { ca_pem: Some(ca_pem.into_bytes()), ..Default::default() };
    let commit = fetch_with(&ws.client, "ns/a", &url, main_branch(), &with_ca, timeout).unwrap();
    assert_eq!(commit.id, repo.head());
    // Without the CA the server is not trusted.
    let err = fetch(&ws.client, "ns/b", &url, main_branch()).unwrap_err();
    assert!(matches!(err, GitError::Transport { .. }), "{err:?}");
}

#[test]
fn unreachable_server_fails_fast_with_transport_error() {
    let port = free_port();
    let ws = Workspace::new();
    for url in [format!("http://127.0.0.1:{port}/repo.git"), format!("git://127.0.0.1:{port}/repo.git")] {
        let started = Instant::now();
        let err = fetch(&ws.client, "ns/a", &url, main_branch()).unwrap_err();
        assert!(matches!(err, GitError::Transport { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with(&format!("failed to checkout and determine revision: unable to clone '{url}'"))
        );
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }
}

#[test]
fn hung_server_hits_the_timeout() {
    let hole = black_hole();
    let ws = Workspace::new();
    for url in [format!("http://127.0.0.1:{}/repo.git", hole.port), format!("git://127.0.0.1:{}/repo.git", hole.port)] {
        let started = Instant::now();
        let timeout = Duration::from_millis(800);
        let err = fetch_with(&ws.client, "ns/a", &url, main_branch(), &GitCredentials::default(), timeout).unwrap_err();
        assert!(matches!(err, GitError::Timeout { .. }), "{url}: {err:?}");
        assert!(started.elapsed() < Duration::from_secs(4), "{url} took {:?}", started.elapsed());
    }
}

#[test]
fn invalid_urls_are_rejected() {
    let ws = Workspace::new();
    for url in ["ftp://example.com/repo.git", "http://", "ext::sh -c evil"] {
        let err = fetch(&ws.client, "ns/a", url, main_branch()).unwrap_err();
        assert!(matches!(err, GitError::InvalidUrl { .. } | GitError::Transport { .. }), "{url}: {err:?}");
    }
}

#[test]
fn credentials_debug_is_redacted() {
    let data = [
        ("username", "user"),
        ("password", "pa55word"),
        ("bearerToken", "tok3n"),
        ("identity", "PRIVATE KEY"),
        ("known_hosts", "host ssh-ed25519 AAAA"),
        ("caFile", "CA"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
    .collect();
    let credentials = GitCredentials::from_secret_data(&data);
    assert_eq!(credentials.password.as_deref(), Some("pa55word"));
    assert_eq!(credentials.ca_pem.as_deref(), Some(&b"CA"[..]));
    let debug = format!("{credentials:?}");
    for secret in ["pa55word", "tok3n", "PRIVATE KEY"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn ssh_with_identity_and_known_hosts() {
    let Some(sshd) = ssh::Sshd::start() else { return };
    let repo = Repo::new();
    let url = format!("ssh://root@127.0.0.1:{}{}", sshd.port, repo.dir.display());
    let ws = Workspace::new();
    let timeout = Duration::from_secs(30);
    let credentials = GitCredentials {
        ssh_identity: Some(sshd.client_key.clone()),
        ssh_known_hosts: Some(sshd.known_hosts.clone()),
        ..Default::default()
    };
    let commit = fetch_with(&ws.client, "ns/a", &url, main_branch(), &credentials, timeout).unwrap();
    assert_eq!(commit.revision, format!("main@sha1:{}", repo.head()));
    repo.git(&["tag", "-a", "v0.1.0", "-m", "v0.1.0"]);
    let commit =
        fetch_with(&ws.client, "ns/a", &url, GitReference::Semver(">=0.1".into()), &credentials, timeout).unwrap();
    assert_eq!(commit.revision, format!("v0.1.0@sha1:{}", repo.head()));

    // An unknown host key is refused.
    let unknown = GitCredentials { ssh_known_hosts: None, ..credentials.clone() };
    let err = fetch_with(&ws.client, "ns/a", &url, main_branch(), &unknown, timeout).unwrap_err();
    assert!(matches!(err, GitError::HostKey { .. }), "{err:?}");
    // A key the server does not know is rejected.
    let stranger = GitCredentials { ssh_identity: Some(sshd.other_key.clone()), ..credentials.clone() };
    let err = fetch_with(&ws.client, "ns/a", &url, main_branch(), &stranger, timeout).unwrap_err();
    assert!(matches!(err, GitError::Auth { .. }), "{err:?}");
    // An encrypted key is unlocked with the secret's password.
    let encrypted = GitCredentials {
        ssh_identity: Some(sshd.encrypted_key.clone()),
        password: Some(ssh::PASSPHRASE.into()),
        ..credentials.clone()
    };
    let commit = fetch_with(&ws.client, "ns/a", &url, main_branch(), &encrypted, timeout).unwrap();
    assert_eq!(commit.id, repo.head());
    // The private key never reaches the disk: nothing of it is left in the temp dir.
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("weir-ssh-"))
        .count();
    assert_eq!(leftovers, 0, "ssh temp dirs are removed");
}
