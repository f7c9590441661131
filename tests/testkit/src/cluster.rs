//! A whole cluster in this process: the embedded API server (workloads
//! marked ready by its simulated controllers) and weir's operator with the
//! built plugins; and the manifests the end-to-end tests apply to it.

pub use crate::manifests::config_map;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::{Client, Config};
use serde_json::Value;
use tempfile::TempDir;
use weir_api::kustomize::Kustomization;
use weir_api::source::GitRepository;
use weir_api::status::FluxObject;
use weir_apiserver::{ApiServer, Authentication, TokenUser};
use weir_operator::{Plugins, Settings};
use weir_plugin_host::chart_renderer::ChartRendererPlugin;
use weir_plugin_host::decryptor::DecryptorPlugin;
use weir_plugin_host::renderer::RendererPlugin;
use weir_plugin_host::{PluginRuntime, RuntimeConfig};

pub const ADMIN_TOKEN: &str = "admin-token";
/// How long the tests wait for the operator to get somewhere.
pub const PATIENCE: Duration = Duration::from_secs(30);

fn plugins() -> Plugins {
    let cache_dir = crate::paths::plugin_cache();
    let runtime =
        Arc::new(PluginRuntime::new(RuntimeConfig { cache_dir: Some(cache_dir), ..Default::default() }).unwrap());
    let load = |name: &str| runtime.load_file(&crate::paths::plugin(name)).unwrap();
    let renderer = RendererPlugin::new(runtime.clone(), load("kustomize")).unwrap();
    let decryptor = crate::paths::plugin_dir()
        .join("sops.wasm")
        .is_file()
        .then(|| Arc::new(DecryptorPlugin::new(runtime.clone(), load("sops")).unwrap()));
    let chart_renderer = Some(Arc::new(ChartRendererPlugin::new(runtime.clone(), load("helm")).unwrap()));
    let tenants = weir_operator::plugin::loaded::TenantPlugins::new(runtime);
    Plugins { renderer: Arc::new(renderer), decryptor, chart_renderer, tenants }
}

/// A cluster with weir's operator running on it.
pub struct Cluster {
    pub client: Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    storage: TempDir,
    /// The API server's URL.
    pub url: String,
}

impl Cluster {
    pub async fn start() -> Self {
        Self::start_with(|_| {}, Vec::new()).await
    }

    /// Starts with adjusted settings and extra token users.
    pub async fn start_with(adjust: impl FnOnce(&mut Settings), users: Vec<TokenUser>) -> Self {
        // `WEIR_LOG=info cargo test ...` shows what the controllers do.
        let filter = tracing_subscriber::EnvFilter::try_from_env("WEIR_LOG").unwrap_or_else(|_| "off".into());
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        let auth = Authentication { admin_token: ADMIN_TOKEN.into(), users };
        let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth)
            .await
            .unwrap()
            .simulate_workloads(Duration::from_millis(300));
        let url = server.url();
        tokio::spawn(server.serve());
        let config = admin_config(&url);
        let client = Client::try_from(config.clone()).unwrap();
        weir_operator::install_crds(&client).await.unwrap();
        let storage = tempfile::tempdir().unwrap();
        let mut settings = Settings::new(storage.path().to_owned());
        settings.dependency_requeue = Duration::from_millis(500);
        adjust(&mut settings);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(weir_operator::run(config.clone(), settings, plugins(), async {
            let _ = stopped.await;
        }));
        Self { client, stop: Some(stop), storage, url }
    }

    /// Server-side applies a multi-document YAML as the test's own field manager.
    pub async fn apply(&self, yaml: &str) {
        for object in weir_apply::parse_stream(yaml).unwrap() {
            let api = self.dynamic(&object.gvk(), object.namespace()).await;
            api.patch(object.name(), &PatchParams::apply("e2e-test").force(), &Patch::Apply(&object.0))
                .await
                .unwrap_or_else(|error| panic!("applying {}: {error}", object.id()));
        }
    }

    pub async fn dynamic(&self, gvk: &GroupVersionKind, namespace: Option<&str>) -> Api<DynamicObject> {
        let (resource, _) = kube::discovery::pinned_kind(&self.client, gvk).await.unwrap();
        match namespace {
            Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, &resource),
            None => Api::all_with(self.client.clone(), &resource),
        }
    }

    /// The object as JSON, if it exists.
    pub async fn get(&self, api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let api = self.dynamic(&GroupVersionKind::gvk(group, version, kind), namespace).await;
        api.get_opt(name).await.unwrap().map(|object| serde_json::to_value(object).unwrap())
    }

    pub async fn git_repository(&self, namespace: &str, name: &str) -> GitRepository {
        Api::<GitRepository>::namespaced(self.client.clone(), namespace).get(name).await.unwrap()
    }

    /// Waits until the Kustomization satisfies `accept`; panics with its status after `PATIENCE`.
    pub async fn wait_kustomization(
        &self,
        namespace: &str,
        name: &str,
        accept: impl Fn(&Kustomization) -> bool,
    ) -> Kustomization {
        self.wait(namespace, name, accept).await
    }

    /// Waits until the Flux object of kind `K` satisfies `accept`; panics with its status after
    /// `PATIENCE`.
    pub async fn wait<K: FluxObject>(&self, namespace: &str, name: &str, accept: impl Fn(&K) -> bool) -> K {
        let api = Api::<K>::namespaced(self.client.clone(), namespace);
        let last = eventually(PATIENCE, || async {
            let found = api.get_opt(name).await.unwrap();
            match found {
                Some(found) if accept(&found) => Ok(found),
                other => Err(format!("{:#?}", other.map(|found| found.status().cloned()))),
            }
        })
        .await;
        last.unwrap_or_else(|status| panic!("{} {namespace}/{name} never got there; last status: {status}", K::KIND))
    }

    /// Writes a kubeconfig for real clients (kubectl, helm) as the admin, with `namespace`
    /// the default; its path.
    pub fn kubeconfig(&self, dir: &std::path::Path, namespace: &str) -> std::path::PathBuf {
        let path = dir.join("kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: weir\n  cluster:\n    server: {}\nusers:\n- name: admin\n  user:\n    token: {ADMIN_TOKEN}\n\
             contexts:\n- name: weir\n  context:\n    cluster: weir\n    user: admin\n    namespace: {namespace}\ncurrent-context: weir\n",
            self.url
        );
        std::fs::write(&path, text).expect("kubeconfig");
        path
    }

    /// Where the operator keeps an artifact (a `status.artifact.path`).
    pub fn artifact_dir(&self, artifact_path: &str) -> std::path::PathBuf {
        self.storage.path().join("artifacts").join(artifact_path)
    }

    /// Waits until the object exists (or, with `present: false`, is gone) and satisfies `accept`.
    pub async fn wait_object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        accept: impl Fn(Option<&Value>) -> bool,
    ) -> Option<Value> {
        let outcome = eventually(PATIENCE, || async {
            let found = self.get(api_version, kind, namespace, name).await;
            if accept(found.as_ref()) { Ok(found) } else { Err(format!("{found:#?}")) }
        })
        .await;
        outcome.unwrap_or_else(|last| panic!("{kind} {name} never got there; last seen: {last}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn admin_config(url: &str) -> Config {
    let mut config = Config::new(url.parse().unwrap());
    config.auth_info.token = Some(ADMIN_TOKEN.to_owned().into());
    config
}

/// Retries `attempt` every 100 ms until it succeeds or `patience` runs out (then its last error).
pub async fn eventually<T, F, Fut>(patience: Duration, attempt: F) -> Result<T, String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if tokio::time::Instant::now() >= deadline => return Err(error),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

pub fn ready_condition(kustomization: &Kustomization) -> Option<(String, String, String)> {
    let conditions = kustomization.status.as_ref()?.conditions.as_ref()?;
    let ready = conditions.iter().find(|condition| condition.type_ == "Ready")?;
    Some((ready.status.clone(), ready.reason.clone(), ready.message.clone()))
}

/// Ready=True at `revision` (a commit id the revision ends with).
pub fn applied(kustomization: &Kustomization, commit: &str) -> bool {
    let status = kustomization.status.clone().unwrap_or_default();
    ready_condition(kustomization).is_some_and(|(ready, _, _)| ready == "True")
        && status.last_applied_revision.is_some_and(|revision| revision.ends_with(commit))
        && status.observed_generation == kustomization.metadata.generation
}

/// A GitRepository and a Kustomization of `path` in it, both named `name` in `default`.
pub fn gitops(name: &str, url: &str, path: &str, extra_spec: &str) -> String {
    let extra = extra_spec.lines().map(|line| format!("  {line}\n")).collect::<String>();
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  interval: 1s\n  url: {url}\n  ref:\n    branch: main\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  interval: 2s\n  path: {path}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: {name}\n{extra}"
    )
}
