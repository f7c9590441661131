//! OCI registries as users run them: Debian's `docker-registry` (CNCF distribution 2.8) on
//! loopback, anonymous, with htpasswd basic auth, or with token auth (a small token issuer
//! here signs ES256 JWTs the registry verifies against its `rootcertbundle`), over plain HTTP
//! or TLS. Also nginx as a rate-limiting proxy in front of one, answering 429 with
//! `Retry-After` the way hosted registries throttle.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use rustls::pki_types::pem::PemObject;

use crate::net::{ServerProcess, free_port, wait_for_port};
use crate::tls::Certificates;

/// Who may use the registry.
#[derive(Clone, Copy, Debug, Default)]
pub enum RegistryAuth<'a> {
    /// Anyone may pull and push.
    #[default]
    Anonymous,
    /// htpasswd basic auth: every request needs these credentials.
    Basic { username: &'a str, password: &'a str },
    /// Bearer tokens from [`TokenIssuer`]: these credentials get pull and push, anonymous
    /// clients get tokens without access.
    Token { username: &'a str, password: &'a str },
}

/// How the registry is run.
#[derive(Default)]
pub struct RegistryOptions<'a> {
    pub auth: RegistryAuth<'a>,
    /// TLS with these certificates (server certificate for 127.0.0.1 and localhost).
    pub tls: Option<&'a Certificates>,
    /// With `tls`: mutual TLS, clients must present a certificate the same CA signed.
    pub require_client_certificate: bool,
}

/// `docker-registry serve` of the configuration in `dir`, once it listens on `port`; its log
/// appended to `dir/registry.log`.
fn serve(dir: &std::path::Path, port: u16) -> ServerProcess {
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(dir.join("registry.log")).expect("registry log");
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("docker-registry runs (scripts/setup installs it)");
    ServerProcess::listening(child, port)
}

/// A running `docker-registry`, killed on drop, its storage in a temporary directory.
pub struct Registry {
    /// `127.0.0.1:PORT`: the registry part of references.
    pub host: String,
    /// `http(s)://127.0.0.1:PORT`.
    pub url: String,
    pub port: u16,
    /// The filesystem storage's root directory.
    pub storage: PathBuf,
    /// The token issuer, with [`RegistryAuth::Token`].
    pub tokens: Option<TokenIssuer>,
    /// `None` while [`Registry::stop`]ped.
    process: Option<ServerProcess>,
    tls: Option<Certificates>,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry and waits until `/v2/` answers.
    pub fn start(options: &RegistryOptions<'_>) -> Self {
        let dir = tempfile::tempdir().expect("registry dir");
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage).expect("storage dir");
        let port = free_port();
        let mut config = format!(
            "version: 0.1\n\
             log:\n  level: warn\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: weir-test-secret\n",
            storage.display()
        );
        if let Some(certificates) = options.tls {
            std::fs::write(dir.path().join("server.crt"), &certificates.server_cert_pem).expect("cert");
            std::fs::write(dir.path().join("server.key"), &certificates.server_key_pem).expect("key");
            config.push_str(&format!(
                "  tls:\n    certificate: {0}/server.crt\n    key: {0}/server.key\n",
                dir.path().display()
            ));
            if options.require_client_certificate {
                std::fs::write(dir.path().join("client-ca.crt"), &certificates.ca_pem).expect("client CA");
                config.push_str(&format!("    clientcas:\n      - {}/client-ca.crt\n", dir.path().display()));
            }
        }
        let mut tokens = None;
        match options.auth {
            RegistryAuth::Anonymous => {}
            RegistryAuth::Basic { username, password } => {
                let output = Command::new("htpasswd")
                    .args(["-Bbn", username, password])
                    .output()
                    .expect("htpasswd runs (scripts/setup installs apache2-utils)");
                assert!(output.status.success(), "htpasswd: {}", String::from_utf8_lossy(&output.stderr));
                std::fs::write(dir.path().join("htpasswd"), output.stdout).expect("htpasswd file");
                config.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: weir-test\n    path: {}/htpasswd\n",
                    dir.path().display()
                ));
            }
            RegistryAuth::Token { username, password } => {
                let issuer = TokenIssuer::start(username, password);
                std::fs::write(dir.path().join("token-signer.crt"), &issuer.certificate_pem).expect("token cert");
                config.push_str(&format!(
                    "auth:\n  token:\n    realm: {}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}/token-signer.crt\n",
                    issuer.url,
                    dir.path().display()
                ));
                tokens = Some(issuer);
            }
        }
        std::fs::write(dir.path().join("config.yml"), &config).expect("config.yml");
        let process = serve(dir.path(), port);
        let scheme = if options.tls.is_some() { "https" } else { "http" };
        let registry = Registry {
            host: format!("127.0.0.1:{port}"),
            url: format!("{scheme}://127.0.0.1:{port}"),
            port,
            storage,
            tokens,
            process: Some(process),
            tls: options.tls.cloned(),
            dir,
        };
        registry.wait_for_api(options.tls);
        registry
    }

    /// `/v2/` answers (200, or 401 with auth), or the registry's log in the panic.
    fn wait_for_api(&self, tls: Option<&Certificates>) {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            match http_status(self.port, "/v2/", tls) {
                Some(status) if status == 200 || status == 401 => return,
                _ if Instant::now() > until => panic!("docker-registry did not answer /v2/: {}", self.log()),
                _ => thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Stops the registry, keeping its storage: clients now find nothing listening.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts the stopped registry again on the same port, with the same storage.
    pub fn restart(&mut self) {
        self.process = Some(serve(self.dir.path(), self.port));
        self.wait_for_api(self.tls.as_ref());
    }

    /// What the registry logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The file that holds blob `digest` (`sha256:<hex>`) in the storage.
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
        self.storage.join("docker/registry/v2/blobs/sha256").join(&hex[..2]).join(hex).join("data")
    }
}

/// `GET path` on loopback `port` (with TLS trusting the certificates' CA): the status.
fn http_status(port: u16, path: &str, tls: Option<&Certificates>) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    let mut answer = Vec::new();
    match tls {
        None => {
            stream.write_all(request.as_bytes()).ok()?;
            stream.read_to_end(&mut answer).ok()?;
        }
        Some(certificates) => {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in rustls::pki_types::CertificateDer::pem_slice_iter(certificates.ca_pem.as_bytes()) {
                roots.add(certificate.ok()?).ok()?;
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .ok()?
                .with_root_certificates(roots);
            // The client certificate, for registries that require one (others do not ask).
            let chain = rustls::pki_types::CertificateDer::pem_slice_iter(certificates.client_cert_pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .ok()?;
            let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(certificates.client_key_pem.as_bytes()).ok()?;
            let config = config.with_client_auth_cert(chain, key).ok()?;
            let name = rustls::pki_types::ServerName::try_from("127.0.0.1").ok()?;
            let connection = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
            let mut tls_stream = rustls::StreamOwned::new(connection, stream);
            tls_stream.write_all(request.as_bytes()).ok()?;
            // Go closes without close_notify now and then: what was read is enough.
            let _ = tls_stream.read_to_end(&mut answer);
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next()?.split_whitespace().nth(1)?.parse().ok()
}

/// The token service name the registry is configured with.
pub const SERVICE: &str = "weir-test-registry";
/// The issuer the registry trusts.
pub const ISSUER: &str = "weir-test-token-issuer";

/// A token issuer for distribution's `auth: token`: answers `GET /token?service=&scope=` with
/// an ES256 JWT (its certificate in the `x5c` header, trusted by the registry's
/// `rootcertbundle`) granting the asked actions to a client with the right basic credentials,
/// and no access to anyone else. Stops on drop.
pub struct TokenIssuer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The signing key's self-signed certificate (the registry's `rootcertbundle`).
    pub certificate_pem: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl TokenIssuer {
    pub fn start(username: &str, password: &str) -> Self {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("token key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("token cert params");
        params.distinguished_name.push(rcgen::DnType::CommonName, "weir test token signer");
        let certificate = params.self_signed(&key).expect("token certificate");
        let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &ring::rand::SystemRandom::new(),
        )
        .expect("token signing key");
        let x5c = base64::engine::general_purpose::STANDARD.encode(certificate.der());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind token issuer");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let expected =
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}")));
        let username = username.to_owned();
        let (counter, flag) = (Arc::clone(&requests), Arc::clone(&stop));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let _ = answer_token_request(stream, &counter, &expected, &username, &signer, &x5c);
            }
        });
        wait_for_port(port);
        TokenIssuer {
            url: format!("http://127.0.0.1:{port}"),
            certificate_pem: certificate.pem(),
            requests,
            stop,
            port,
        }
    }

    /// How many token requests it has answered.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TokenIssuer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn answer_token_request(
    stream: TcpStream,
    requests: &AtomicUsize,
    expected_authorization: &str,
    username: &str,
    signer: &ring::signature::EcdsaKeyPair,
    x5c: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        // A connection without a request: a port probe.
        return Ok(());
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let mut authorized = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorized = value.trim() == expected_authorization;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: Vec<(String, String)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (percent_decode(name), percent_decode(value)))
        .collect();
    let service = params.iter().find(|(name, _)| name == "service").map(|(_, value)| value.as_str());
    let (status, body) = if path != "/token" || service != Some(SERVICE) {
        ("400 Bad Request", r#"{"errors":[{"code":"BAD_REQUEST","message":"unknown service or path"}]}"#.to_owned())
    } else {
        // Granted to the right credentials: what each scope asks; to anyone else, nothing.
        let access: Vec<serde_json::Value> = params
            .iter()
            .filter(|(name, _)| name == "scope" && authorized)
            .filter_map(|(_, scope)| {
                let mut parts = scope.splitn(3, ':');
                let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                Some(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
            })
            .collect();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
        let claims = serde_json::json!({
            "iss": ISSUER, "sub": if authorized { username } else { "" }, "aud": SERVICE,
            "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", access.len()),
            "access": access,
        });
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let signing_input = format!("{}.{}", url.encode(header.to_string()), url.encode(claims.to_string()));
        let signature = signer
            .sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| std::io::Error::other("signing failed"))?;
        let token = format!("{signing_input}.{}", url.encode(signature.as_ref()));
        ("200 OK", serde_json::json!({"token": token, "expires_in": 300}).to_string())
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |at: usize| bytes.get(at).and_then(|&byte| (byte as char).to_digit(16));
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match (bytes[at], hex(at + 1), hex(at + 2)) {
            (b'+', _, _) => decoded.push(b' '),
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                at += 2;
            }
            (byte, _, _) => decoded.push(byte),
        }
        at += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// nginx in front of a plain-HTTP registry on `upstream_port`, admitting one request per
/// `seconds` and answering the others `429 Too Many Requests` with `Retry-After: seconds`.
pub struct RateLimitedProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub host: String,
    _process: ServerProcess,
    _dir: tempfile::TempDir,
}

impl RateLimitedProxy {
    pub fn start(upstream_port: u16, seconds: u32) -> Self {
        let dir = tempfile::tempdir().expect("nginx dir");
        let port = free_port();
        let temp = |name: &str| format!("{name}_temp_path {}/{name};", dir.path().display());
        let per_minute = (60 / seconds.max(1)).max(1);
        let conf = format!(
            "daemon off; master_process off; pid {dir}/nginx.pid; error_log {dir}/error.log;\n\
             events {{}}\n\
             http {{ access_log off; {} {} {} {} {}\n\
             limit_req_zone $server_port zone=registry:1m rate={per_minute}r/m;\n\
             server {{ listen 127.0.0.1:{port};\n\
               location / {{ limit_req zone=registry; limit_req_status 429; add_header Retry-After {seconds} always;\n\
                 proxy_set_header Host $http_host; client_max_body_size 0;\n\
                 proxy_pass http://127.0.0.1:{upstream_port}; }} }} }}\n",
            temp("client_body"),
            temp("proxy"),
            temp("fastcgi"),
            temp("uwsgi"),
            temp("scgi"),
            dir = dir.path().display(),
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).expect("nginx.conf");
        let child = Command::new("nginx")
            .args(["-c", dir.path().join("nginx.conf").to_str().unwrap(), "-p", dir.path().to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx runs (scripts/setup installs it)");
        RateLimitedProxy {
            url: format!("http://127.0.0.1:{port}"),
            host: format!("127.0.0.1:{port}"),
            _process: ServerProcess::listening(child, port),
            _dir: dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("repository%3Aapp%3Apull%2Cpush"), "repository:app:pull,push");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
