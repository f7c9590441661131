//! `weir create secret git|helm|oci|tls|githubapp|proxy NAME`: the Secrets Flux's sources and
//! providers read, laid out as `flux create secret` lays them out (`stringData`, the same keys
//! and types), printed with `--export` or created or updated.
//!
//! SSH keys are made and read in memory (`ssh-key`); the server's host key, which is public,
//! comes from OpenSSH's `ssh-keyscan`, as the Git transport uses OpenSSH's `ssh`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, Patch, PatchParams};

use crate::cluster::ClusterOptions;
use crate::commands::flux::say;

#[derive(clap::Subcommand)]
pub enum CreateSecret {
    /// Credentials of a GitRepository: basic auth, a bearer token or an SSH key (made when none is given).
    Git(SecretGit),
    /// Credentials of a HelmRepository: basic auth and/or a client certificate.
    Helm(SecretHelm),
    /// A registry login (`kubernetes.io/dockerconfigjson`) for OCI sources.
    Oci(SecretOci),
    /// A client certificate and CA (`kubernetes.io/tls`).
    Tls(SecretTls),
    /// A GitHub App's credentials for GitRepositories of provider `github`.
    Githubapp(SecretGithubApp),
    /// An HTTP(S) proxy's address and credentials.
    Proxy(SecretProxy),
}

#[derive(clap::Args)]
pub struct Common {
    /// The Secret's name.
    name: String,
    /// Print the Secret instead of creating it.
    #[arg(long)]
    export: bool,
    /// Labels, `key=value` (several by commas or repeats).
    #[arg(long = "label", value_delimiter = ',')]
    labels: Vec<String>,
}

#[derive(clap::Args)]
pub struct SecretGit {
    #[command(flatten)]
    common: Common,
    /// The repository's URL: `https://…` or `ssh://…`.
    #[arg(long)]
    url: String,
    #[arg(short, long)]
    username: Option<String>,
    /// Basic auth's password, or the SSH key's passphrase.
    #[arg(short, long)]
    password: Option<String>,
    #[arg(long)]
    bearer_token: Option<String>,
    /// A CA bundle for the server's TLS.
    #[arg(long, value_name = "FILE")]
    ca_crt_file: Option<PathBuf>,
    /// The SSH identity (OpenSSH format); one is made when absent.
    #[arg(long, value_name = "FILE")]
    private_key_file: Option<PathBuf>,
    /// The kind of key to make: `ecdsa`, `ed25519` or `rsa`.
    #[arg(long, default_value = "ecdsa", value_parser = ["ecdsa", "ed25519", "rsa"])]
    ssh_key_algorithm: String,
    /// The curve of a made ECDSA key: `p256`, `p384` or `p521` (p521 is not made here).
    #[arg(long, default_value = "p384", value_parser = ["p256", "p384"])]
    ssh_ecdsa_curve: String,
    /// The size of a made RSA key.
    #[arg(long, default_value_t = 2048)]
    ssh_rsa_bits: usize,
}

#[derive(clap::Args)]
pub struct SecretHelm {
    #[command(flatten)]
    common: Common,
    #[arg(short, long)]
    username: Option<String>,
    #[arg(short, long)]
    password: Option<String>,
    #[command(flatten)]
    tls: TlsFiles,
}

#[derive(clap::Args)]
pub struct TlsFiles {
    #[arg(long, value_name = "FILE")]
    tls_crt_file: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    tls_key_file: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    ca_crt_file: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct SecretOci {
    #[command(flatten)]
    common: Common,
    /// The registry's host, e.g. `ghcr.io`.
    #[arg(long)]
    url: Option<String>,
    #[arg(short, long)]
    username: Option<String>,
    #[arg(short, long)]
    password: Option<String>,
}

#[derive(clap::Args)]
pub struct SecretTls {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    tls: TlsFiles,
}

#[derive(clap::Args)]
pub struct SecretGithubApp {
    #[command(flatten)]
    common: Common,
    #[arg(long)]
    app_id: String,
    #[arg(long)]
    app_installation_id: Option<String>,
    /// The account the App is installed to, instead of `--app-installation-id`.
    #[arg(long)]
    app_installation_owner: Option<String>,
    #[arg(long, value_name = "FILE")]
    app_private_key: PathBuf,
    /// GitHub Enterprise's API URL.
    #[arg(long)]
    app_base_url: Option<String>,
}

#[derive(clap::Args)]
pub struct SecretProxy {
    #[command(flatten)]
    common: Common,
    /// The proxy's URL.
    #[arg(long)]
    address: Option<String>,
    #[arg(short, long)]
    username: Option<String>,
    #[arg(short, long)]
    password: Option<String>,
}

/// A Secret's content: string data and type.
struct Content {
    data: BTreeMap<String, String>,
    type_: Option<&'static str>,
    /// What `create` says it made: `git`, `helm`, ….
    what: &'static str,
}

impl CreateSecret {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        match self {
            CreateSecret::Git(args) => args.common.create(cluster, args.content()?).await,
            CreateSecret::Helm(args) => args.common.create(cluster, args.content()?).await,
            CreateSecret::Oci(args) => args.common.create(cluster, args.content()?).await,
            CreateSecret::Tls(args) => args.common.create(cluster, args.content()?).await,
            CreateSecret::Githubapp(args) => args.common.create(cluster, args.content()?).await,
            CreateSecret::Proxy(args) => args.common.create(cluster, args.content()?).await,
        }
    }
}

impl SecretTls {
    fn content(&self) -> anyhow::Result<Content> {
        let mut data = BTreeMap::new();
        self.tls.add(&mut data)?;
        Ok(Content { data, type_: self.tls.type_(), what: "tls" })
    }
}

impl Common {
    async fn create(&self, cluster: &ClusterOptions, content: Content) -> anyhow::Result<()> {
        crate::commands::flux::check_name(&self.name)?;
        let namespace = cluster.namespace();
        let mut labels = BTreeMap::new();
        for label in &self.labels {
            let (key, value) =
                label.split_once('=').with_context(|| format!("invalid label format '{label}', must be key=value"))?;
            labels.insert(key.to_owned(), value.to_owned());
        }
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(namespace.to_owned()),
                labels: (!labels.is_empty()).then_some(labels),
                ..ObjectMeta::default()
            },
            string_data: Some(content.data),
            type_: content.type_.map(str::to_owned),
            ..Secret::default()
        };
        let mut manifest = serde_json::to_value(&secret)?;
        manifest["apiVersion"] = "v1".into();
        manifest["kind"] = "Secret".into();
        if self.export {
            print!("---\n{}", weir_go_yaml::emit_document(&manifest));
            return Ok(());
        }
        let api = Api::<Secret>::namespaced(cluster.client().await?, namespace);
        api.patch(&self.name, &PatchParams::apply("flux").force(), &Patch::Apply(&manifest))
            .await
            .map_err(crate::commands::flux::api_error)?;
        say::action(format!("{} secret '{}' created in '{namespace}' namespace", content.what, self.name));
        Ok(())
    }
}

fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("unable to read {what}: open {}", path.display()))
}

impl TlsFiles {
    /// `kubernetes.io/tls` with a certificate and key (which that type requires), else Opaque.
    fn type_(&self) -> Option<&'static str> {
        self.tls_crt_file.is_some().then_some("kubernetes.io/tls")
    }

    fn add(&self, data: &mut BTreeMap<String, String>) -> anyhow::Result<()> {
        if self.tls_crt_file.is_some() != self.tls_key_file.is_some() {
            bail!("--tls-crt-file and --tls-key-file go together");
        }
        for (key, file, what) in [
            ("tls.crt", &self.tls_crt_file, "TLS certificate file"),
            ("tls.key", &self.tls_key_file, "TLS key file"),
            ("ca.crt", &self.ca_crt_file, "TLS CA file"),
        ] {
            if let Some(file) = file {
                data.insert(key.to_owned(), read(file, what)?);
            }
        }
        Ok(())
    }
}

impl SecretGit {
    fn content(&self) -> anyhow::Result<Content> {
        let url = url::Url::parse(&self.url).with_context(|| format!("git URL parse failed: {}", self.url))?;
        let mut data = BTreeMap::new();
        match url.scheme() {
            "http" | "https" => {
                if self.bearer_token.is_some() && (self.username.is_some() || self.password.is_some()) {
                    bail!("user credentials and bearer token cannot be used together");
                }
                if let (Some(username), Some(password)) = (&self.username, &self.password) {
                    data.insert("username".into(), username.clone());
                    data.insert("password".into(), password.clone());
                } else if self.username.is_some() || self.password.is_some() {
                    bail!("for Git over HTTP/S --username and --password go together");
                }
                if let Some(token) = &self.bearer_token {
                    data.insert("bearerToken".into(), token.clone());
                }
                if let Some(file) = &self.ca_crt_file {
                    data.insert("ca.crt".into(), read(file, "CA file")?);
                }
            }
            "ssh" => {
                let (private, public) = self.key_pair()?;
                let host = url.host_str().context("the SSH URL names no host")?;
                data.insert("identity".into(), private);
                data.insert("identity.pub".into(), public.clone());
                data.insert("known_hosts".into(), scan_host_key(host, url.port())?);
                if let Some(password) = &self.password {
                    data.insert("password".into(), password.clone());
                }
                if self.private_key_file.is_none() && !self.common.export {
                    say::generate(format!("deploy key: {}", public.trim_end()));
                }
            }
            other => bail!("git URL scheme '{other}' not supported, can be: ssh, http and https"),
        }
        Ok(Content { data, type_: None, what: "git" })
    }

    /// The identity (OpenSSH PEM) and its public key (authorized_keys line).
    fn key_pair(&self) -> anyhow::Result<(String, String)> {
        let (pem, key) = match &self.private_key_file {
            Some(file) => {
                let pem = read(file, "private key file")?;
                let key = ssh_key::PrivateKey::from_openssh(&pem).context("failed to parse the private key")?;
                (pem, key)
            }
            None => {
                use ssh_key::{Algorithm, EcdsaCurve, LineEnding};
                let mut random = rand_core::OsRng;
                let key = match (self.ssh_key_algorithm.as_str(), self.ssh_ecdsa_curve.as_str()) {
                    ("ed25519", _) => ssh_key::PrivateKey::random(&mut random, Algorithm::Ed25519)?,
                    ("rsa", _) => {
                        let keypair = ssh_key::private::RsaKeypair::random(&mut random, self.ssh_rsa_bits)?;
                        ssh_key::PrivateKey::from(keypair)
                    }
                    (_, "p256") => {
                        ssh_key::PrivateKey::random(&mut random, Algorithm::Ecdsa { curve: EcdsaCurve::NistP256 })?
                    }
                    _ => ssh_key::PrivateKey::random(&mut random, Algorithm::Ecdsa { curve: EcdsaCurve::NistP384 })?,
                };
                (key.to_openssh(LineEnding::LF)?.to_string(), key)
            }
        };
        // An encrypted key's public half is readable without the passphrase.
        let public = format!("{}\n", key.public_key().to_openssh()?);
        Ok((pem, public))
    }
}

/// The server's host keys as known_hosts lines, from `ssh-keyscan`.
fn scan_host_key(host: &str, port: Option<u16>) -> anyhow::Result<String> {
    let mut command = std::process::Command::new("ssh-keyscan");
    if let Some(port) = port {
        command.args(["-p", &port.to_string()]);
    }
    let output = command
        .args(["-T", "30", host])
        .output()
        .context("could not run ssh-keyscan (OpenSSH) to read the server's host key")?;
    let keys = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = keys.lines().filter(|line| !line.starts_with('#') && !line.trim().is_empty()).collect();
    if lines.is_empty() {
        bail!("SSH key scan for host {host} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(lines.join("\n"))
}

impl SecretHelm {
    fn content(&self) -> anyhow::Result<Content> {
        let mut data = BTreeMap::new();
        if self.username.is_some() != self.password.is_some() {
            bail!("--username and --password go together");
        }
        if self.username.is_some() && self.tls.tls_crt_file.is_some() {
            // flux keeps the certificate and drops the password; saying so is kinder.
            bail!("basic authentication and a client certificate cannot be used together");
        }
        if let (Some(username), Some(password)) = (&self.username, &self.password) {
            data.insert("username".into(), username.clone());
            data.insert("password".into(), password.clone());
        }
        self.tls.add(&mut data)?;
        let type_ = if data.contains_key("username") { Some("kubernetes.io/basic-auth") } else { self.tls.type_() };
        Ok(Content { data, type_, what: "helm" })
    }
}

impl SecretOci {
    fn content(&self) -> anyhow::Result<Content> {
        let Some(url) = &self.url else { bail!("--url is required") };
        let (Some(username), Some(password)) = (&self.username, &self.password) else {
            bail!("--username and --password are required");
        };
        use base64::Engine;
        /// A registry login, its fields in docker's order.
        #[derive(serde::Serialize)]
        struct Login<'a> {
            username: &'a str,
            password: &'a str,
            auth: String,
        }
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        let login = Login { username, password, auth };
        let config = BTreeMap::from([("auths", BTreeMap::from([(url.as_str(), login)]))]);
        let mut data = BTreeMap::new();
        data.insert(".dockerconfigjson".into(), serde_json::to_string_pretty(&config)?);
        Ok(Content { data, type_: Some("kubernetes.io/dockerconfigjson"), what: "oci" })
    }
}

impl SecretGithubApp {
    fn content(&self) -> anyhow::Result<Content> {
        let key = std::fs::read_to_string(&self.app_private_key).with_context(|| {
            format!(
                "unable to read private key file: open {}: no such file or directory",
                self.app_private_key.display()
            )
        })?;
        let mut data = BTreeMap::new();
        data.insert("githubAppID".into(), self.app_id.clone());
        match (&self.app_installation_id, &self.app_installation_owner) {
            (Some(id), None) => data.insert("githubAppInstallationID".into(), id.clone()),
            (None, Some(owner)) => data.insert("githubAppInstallationOwner".into(), owner.clone()),
            _ => bail!("exactly one of --app-installation-id and --app-installation-owner is required"),
        };
        data.insert("githubAppPrivateKey".into(), key.trim_end().to_owned());
        if let Some(url) = &self.app_base_url {
            data.insert("githubAppBaseURL".into(), url.clone());
        }
        Ok(Content { data, type_: None, what: "githubapp" })
    }
}

impl SecretProxy {
    fn content(&self) -> anyhow::Result<Content> {
        let Some(address) = &self.address else { bail!("address is required") };
        let mut data = BTreeMap::new();
        data.insert("address".into(), address.clone());
        if let (Some(username), Some(password)) = (&self.username, &self.password) {
            data.insert("username".into(), username.clone());
            data.insert("password".into(), password.clone());
        }
        Ok(Content { data, type_: Some("Opaque"), what: "proxy" })
    }
}
