//! The embedded API server, a kube client for it, and the helm CLI (v3.18,
//! from scripts/setup) pointed at it with homes of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::{Client, Config};
use serde_json::Value;
use weir_apiserver::{ApiServer, Authentication};
use weir_helm_storage::{DATA_KEY, GZIP_MAGIC, ReleaseStore};

const TOKEN: &str = "helm-storage-test";

pub struct Cluster {
    pub client: Client,
    kubeconfig: PathBuf,
    pub home: tempfile::TempDir,
}

impl Cluster {
    /// A server of its own, serving from its own thread so that it outlives
    /// any one runtime.
    pub async fn start() -> Self {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let auth = Authentication { admin_token: TOKEN.into(), ..Authentication::default() };
                let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await.unwrap();
                sender.send((server.url(), server.kubeconfig(TOKEN))).unwrap();
                server.serve().await;
            });
        });
        let (url, kubeconfig_text) = receiver.recv().unwrap();
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = home.path().join("kubeconfig");
        std::fs::write(&kubeconfig, kubeconfig_text).unwrap();
        let mut config = Config::new(url.parse().unwrap());
        config.auth_info.token = Some(TOKEN.to_owned().into());
        let client = Client::try_from(config).unwrap();
        Self { client, kubeconfig, home }
    }

    pub fn store(&self) -> ReleaseStore {
        ReleaseStore::new(self.client.clone(), "default")
    }

    pub fn secrets(&self) -> Api<Secret> {
        Api::namespaced(self.client.clone(), "default")
    }

    pub fn helm_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("helm");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("HELM_") {
                command.env_remove(key);
            }
        }
        let home: &Path = self.home.path();
        command
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .env_remove("KUBERNETES_SERVICE_HOST");
        command
    }

    /// Runs helm, expects success, returns stdout.
    pub fn helm(&self, args: &[&str]) -> String {
        let Output { status, stdout, stderr } =
            self.helm_command(args).output().expect("helm is installed (scripts/setup)");
        assert!(status.success(), "helm {args:?} failed:\n{}", String::from_utf8_lossy(&stderr));
        String::from_utf8(stdout).unwrap()
    }

    /// Runs helm with `-o json` and parses what it prints.
    pub fn helm_json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["-o", "json"]);
        let out = self.helm(&args);
        serde_json::from_str(&out).unwrap_or_else(|error| panic!("helm {args:?} printed no JSON ({error}):\n{out}"))
    }

    /// The release JSON inside a Secret exactly as its writer made it,
    /// unwrapped by hand (base64, gunzip) rather than by the crate.
    pub async fn raw_release_json(&self, name: &str) -> Value {
        let secret = self.secrets().get(name).await.unwrap();
        let text = &secret.data.as_ref().unwrap()[DATA_KEY].0;
        let gzipped = base64::engine::general_purpose::STANDARD.decode(text).unwrap();
        assert_eq!(gzipped[..3], GZIP_MAGIC, "{name} is not gzip'd");
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gzipped.as_slice()), &mut json).unwrap();
        serde_json::from_slice(&json).unwrap()
    }
}
