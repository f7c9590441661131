//! Helm chart repositories as users run them: charts made by `helm create` and `helm package`,
//! indexed by `helm repo index`, served by nginx on loopback (plain HTTP or TLS, optionally
//! with basic auth and client certificates), or pushed to an OCI registry by `helm push`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::net::{ServerProcess, free_port};
use crate::tls::Certificates;

/// Runs `helm` with its caches and config in `home`; panics with its output on failure.
pub fn helm(home: &Path, args: &[&str]) -> String {
    let output = Command::new("helm")
        .args(args)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .expect("helm runs (scripts/setup installs it)");
    assert!(output.status.success(), "helm {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A directory of packaged charts and their `index.yaml`.
pub struct ChartRepository {
    /// What the server serves.
    pub root: PathBuf,
    /// Chart sources and helm's home.
    work: tempfile::TempDir,
    _root: tempfile::TempDir,
}

impl Default for ChartRepository {
    fn default() -> Self {
        Self::new()
    }
}

impl ChartRepository {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("repository root");
        ChartRepository { root: root.path().to_owned(), work: tempfile::tempdir().expect("work dir"), _root: root }
    }

    /// Adds chart `name` at `version` (from `helm create`, with `values` appended to its
    /// values.yaml) and re-indexes with `base_url` as the charts' URL prefix (relative URLs
    /// when `None`).
    pub fn publish(&self, name: &str, version: &str, values: &str, base_url: Option<&str>) -> &Self {
        self.package(&self.chart_source(name, version, values), base_url)
    }

    /// Packages the chart directory `source` into the repository and re-indexes.
    pub fn package(&self, source: &Path, base_url: Option<&str>) -> &Self {
        helm(self.work.path(), &["package", source.to_str().unwrap(), "-d", self.root.to_str().unwrap()]);
        self.index(base_url);
        self
    }

    /// A fresh `helm create` chart `name` at `version` outside the served root: for tests that
    /// build from a directory.
    pub fn chart_source(&self, name: &str, version: &str, values: &str) -> PathBuf {
        let dir = self.work.path().join("src").join(format!("{name}-{version}"));
        std::fs::create_dir_all(&dir).expect("chart source dir");
        helm(&dir, &["create", dir.join(name).to_str().unwrap()]);
        let chart = dir.join(name);
        let chart_yaml = std::fs::read_to_string(chart.join("Chart.yaml")).expect("Chart.yaml");
        let chart_yaml: String = chart_yaml
            .lines()
            .map(|line| if line.starts_with("version:") { format!("version: {version}") } else { line.to_owned() })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(chart.join("Chart.yaml"), chart_yaml + "\n").expect("Chart.yaml");
        let mut values_yaml = std::fs::read_to_string(chart.join("values.yaml")).expect("values.yaml");
        values_yaml.push_str(values);
        std::fs::write(chart.join("values.yaml"), values_yaml).expect("values.yaml");
        chart
    }

    /// Packages a fresh chart `name` at `version` (as [`ChartRepository::chart_source`] makes
    /// it) and pushes it with `helm push` to `target` (`oci://host/path`, the chart landing at
    /// `<target>/<name>:<version>`) over plain HTTP, logging in as `credentials` when given.
    pub fn push_oci(&self, name: &str, version: &str, target: &str, credentials: Option<(&str, &str)>) {
        let source = self.chart_source(name, version, "");
        let packaged = tempfile::tempdir().expect("package dir");
        let dir = packaged.path().to_str().unwrap();
        helm(packaged.path(), &["package", source.to_str().unwrap(), "-d", dir]);
        let archive = packaged.path().join(format!("{name}-{version}.tgz"));
        if let Some((username, password)) = credentials {
            // `helm push --username` is not used for the manifest requests: log in instead.
            let host = target.trim_start_matches("oci://").split('/').next().unwrap_or_default();
            let login = ["registry", "login", host, "--username", username, "--password", password, "--plain-http"];
            helm(packaged.path(), &login);
        }
        helm(packaged.path(), &["push", archive.to_str().unwrap(), target, "--plain-http"]);
    }

    /// Rewrites `index.yaml` for the archives in the root.
    pub fn index(&self, base_url: Option<&str>) {
        let mut args = vec!["repo", "index", self.root.to_str().unwrap()];
        if let Some(url) = base_url {
            args.extend(["--url", url]);
        }
        helm(self.work.path(), &args);
    }
}

/// How the server is reached.
#[derive(Default)]
pub struct ServeOptions<'a> {
    /// Basic auth that every request needs.
    pub basic_auth: Option<(&'a str, &'a str)>,
    /// TLS with these certificates.
    pub tls: Option<&'a Certificates>,
    /// With TLS: refuse clients without a certificate signed by the CA.
    pub require_client_certificate: bool,
}

/// nginx serving a directory, stopped on drop.
pub struct StaticServer {
    pub url: String,
    _process: ServerProcess,
    _config: tempfile::TempDir,
}

impl StaticServer {
    pub fn start(root: &Path, options: &ServeOptions<'_>) -> Self {
        let config = tempfile::tempdir().expect("nginx dir");
        let dir = config.path();
        let port = free_port();
        let mut server = String::new();
        let scheme = match options.tls {
            Some(certificates) => {
                std::fs::write(dir.join("server.crt"), &certificates.server_cert_pem).expect("cert");
                std::fs::write(dir.join("server.key"), &certificates.server_key_pem).expect("key");
                std::fs::write(dir.join("ca.crt"), &certificates.ca_pem).expect("ca");
                server.push_str(&format!(
                    "listen 127.0.0.1:{port} ssl; ssl_certificate {0}/server.crt; ssl_certificate_key {0}/server.key;\n",
                    dir.display()
                ));
                if options.require_client_certificate {
                    server
                        .push_str(&format!("ssl_client_certificate {}/ca.crt; ssl_verify_client on;\n", dir.display()));
                }
                "https"
            }
            None => {
                server.push_str(&format!("listen 127.0.0.1:{port};\n"));
                "http"
            }
        };
        if let Some((username, password)) = options.basic_auth {
            let output = Command::new("htpasswd").args(["-nbm", username, password]).output().expect("htpasswd runs");
            std::fs::write(dir.join("htpasswd"), output.stdout).expect("htpasswd file");
            server.push_str(&format!("auth_basic charts; auth_basic_user_file {}/htpasswd;\n", dir.display()));
        }
        let temp = |name: &str| format!("{name}_temp_path {}/{name};", dir.display());
        let conf = format!(
            "daemon off; master_process off; pid {dir}/nginx.pid; error_log {dir}/error.log;\n\
             events {{}}\n\
             http {{ access_log off; {} {} {} {} {}\n\
             types {{ application/gzip tgz; text/yaml yaml; }}\n\
             server {{ {server} root {root}; }} }}\n",
            temp("client_body"),
            temp("proxy"),
            temp("fastcgi"),
            temp("uwsgi"),
            temp("scgi"),
            dir = dir.display(),
            root = root.display(),
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
        let child = Command::new("nginx")
            .args(["-c", dir.join("nginx.conf").to_str().unwrap(), "-p", dir.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx runs (scripts/setup installs it)");
        StaticServer {
            url: format!("{scheme}://127.0.0.1:{port}"),
            _process: ServerProcess::listening(child, port),
            _config: config,
        }
    }
}
