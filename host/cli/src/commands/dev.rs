//! `weir dev`: a whole GitOps cluster in one process. Starts the embedded API
//! server, installs Flux's CRDs, runs every controller, and bootstraps a
//! repository as `flux bootstrap` does: a GitRepository and a Kustomization,
//! both `flux-system/flux-system`, with prune on.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use serde_json::json;
use weir_api::helm::HelmRelease;
use weir_api::kustomize::Kustomization;
use weir_api::source::{Bucket, GitRepository, HelmChart, HelmRepository, OCIRepository};
use weir_api::status::{FluxObject, Readiness, readiness};
use weir_apiserver::{ApiServer, Authentication, Storage};
use weir_operator::plugin::loaded::TenantPlugins;
use weir_operator::{Plugins, Settings};
use weir_plugin_host::chart_renderer::ChartRendererPlugin;
use weir_plugin_host::decryptor::DecryptorPlugin;
use weir_plugin_host::renderer::RendererPlugin;

use crate::plugins::PluginOptions;

/// The namespace and name `flux bootstrap` gives its own objects.
const FLUX_SYSTEM: &str = "flux-system";
const FIELD_MANAGER: &str = "weir";

#[derive(clap::Args)]
pub struct DevArgs {
    /// The fleet repository: a local Git repository (read from its commits, not its work tree) or a URL.
    #[arg(value_name = "PATH_OR_URL", default_value = ".")]
    source: String,
    /// The directory in the repository the flux-system Kustomization applies.
    #[arg(long, value_name = "DIR", default_value = ".")]
    path: String,
    /// The branch to follow (default: the local repository's current branch, else main).
    #[arg(long)]
    branch: Option<String>,
    /// The API server's port (0 picks a free one).
    #[arg(long, default_value_t = 6443)]
    port: u16,
    /// Where to write the kubeconfig for kubectl and weir.
    #[arg(long, value_name = "FILE", default_value = "weir-dev.kubeconfig")]
    kubeconfig_out: PathBuf,
    /// Keep the cluster's objects, artifacts and clones here across restarts (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// How often the flux-system source and Kustomization reconcile.
    #[arg(long, default_value = "1m")]
    interval: String,
    /// Seconds after which simulated workload controllers mark Deployments, Jobs, ... ready.
    #[arg(long, value_name = "SECONDS", default_value_t = 1.0)]
    simulate_workloads: f64,
}

impl DevArgs {
    pub async fn run(self, plugins: &PluginOptions) -> anyhow::Result<()> {
        let (url, branch) = repository(&self.source, self.branch.as_deref())?;
        let plugins = operator_plugins(plugins)?;
        let temporary = match &self.data_dir {
            Some(_) => None,
            None => Some(tempfile::tempdir().context("creating a data directory")?),
        };
        let data_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| temporary.as_ref().map(|dir| dir.path().to_owned()).unwrap_or_default());
        std::fs::create_dir_all(&data_dir).with_context(|| format!("creating {}", data_dir.display()))?;

        let token = weir_apiserver::random_token();
        let storage = Storage { data_dir: Some(data_dir.join("cluster")), ..Storage::default() };
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let server =
            ApiServer::bind_with(address, Authentication { admin_token: token.clone(), users: Vec::new() }, storage)
                .await
                .with_context(|| format!("cannot listen on {address}"))?;
        let delay =
            Duration::try_from_secs_f64(self.simulate_workloads).context("--simulate-workloads takes seconds")?;
        let server = server.simulate_workloads(delay);
        let server_url = server.url();
        let kubeconfig = server.kubeconfig(&token);
        let serving = tokio::spawn(server.serve());
        eprintln!("► API server listening on {server_url}");

        let mut config = kube::Config::new(server_url.parse().context("the server's URL")?);
        config.auth_info.token = Some(token.into());
        let client = Client::try_from(config.clone())?;
        weir_operator::install_crds(&client).await.context("installing the CRDs")?;
        eprintln!(
            "✔ Flux CRDs installed (GitRepository, HelmRepository, HelmChart, OCIRepository, Bucket, Kustomization, HelmRelease)"
        );
        bootstrap(&client, &url, &branch, &self.path, &self.interval).await?;
        eprintln!(
            "✔ bootstrapped {url} (branch {branch}, path {}) as GitRepository and Kustomization flux-system/flux-system",
            self.path
        );
        // Written last, so that a kubeconfig on disk means the cluster is bootstrapped.
        crate::commands::apiserver::write_private(&self.kubeconfig_out, &kubeconfig)
            .with_context(|| format!("cannot write {}", self.kubeconfig_out.display()))?;
        eprintln!("✔ kubeconfig written to {0}  (export KUBECONFIG={0})", self.kubeconfig_out.display());

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let operator =
            tokio::spawn(weir_operator::run(config, Settings::new(data_dir.join("storage")), plugins, async {
                let _ = stopped.await;
            }));
        let progress = tokio::spawn(print_progress(client));
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
        eprintln!("► shutting down");
        let _ = stop.send(());
        progress.abort();
        match tokio::time::timeout(Duration::from_secs(10), operator).await {
            Ok(Ok(Err(error))) => eprintln!("operator stopped: {error}"),
            Err(_) => eprintln!("controllers did not stop within 10s"),
            _ => {}
        }
        serving.abort();
        eprintln!("✔ stopped");
        drop(temporary);
        Ok(())
    }
}

/// The renderer (required), decryptor and chart-renderer (when installed) plugins.
pub fn operator_plugins(options: &PluginOptions) -> anyhow::Result<Plugins> {
    let runtime = options.runtime()?;
    let renderer = RendererPlugin::new(runtime.clone(), options.load_into(&runtime, "kustomize")?)?;
    let decryptor = match options.has("sops") {
        true => Some(Arc::new(DecryptorPlugin::new(runtime.clone(), options.load_into(&runtime, "sops")?)?)),
        false => None,
    };
    let chart_renderer = match options.has("helm") {
        true => Some(Arc::new(ChartRendererPlugin::new(runtime.clone(), options.load_into(&runtime, "helm")?)?)),
        false => None,
    };
    let tenants = TenantPlugins::new(runtime);
    Ok(Plugins { renderer: Arc::new(renderer), decryptor, chart_renderer, tenants })
}

/// The URL to fetch and the branch to follow: a local repository becomes a `file://` URL.
fn repository(source: &str, branch: Option<&str>) -> anyhow::Result<(String, String)> {
    if source.contains("://") {
        return Ok((source.to_owned(), branch.unwrap_or("main").to_owned()));
    }
    let path = std::fs::canonicalize(source).with_context(|| format!("{source}: no such directory"))?;
    let git_dir = [path.join(".git"), path.clone()].into_iter().find(|dir| dir.join("HEAD").is_file());
    let Some(git_dir) = git_dir else {
        bail!(
            "{} is not a Git repository: weir dev reads a repository's commits, so run `git init` and commit first",
            path.display()
        );
    };
    let branch = match branch {
        Some(branch) => branch.to_owned(),
        None => current_branch(&git_dir).unwrap_or_else(|| "main".to_owned()),
    };
    Ok((format!("file://{}", path.display()), branch))
}

/// The branch HEAD points to.
fn current_branch(git_dir: &Path) -> Option<String> {
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    head.trim().strip_prefix("ref: refs/heads/").map(str::to_owned)
}

/// Creates the flux-system namespace, GitRepository and Kustomization.
async fn bootstrap(client: &Client, url: &str, branch: &str, path: &str, interval: &str) -> anyhow::Result<()> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let namespaces = Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone());
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": FLUX_SYSTEM}});
    namespaces
        .patch(FLUX_SYSTEM, &params, &Patch::Apply(&namespace))
        .await
        .context("creating namespace flux-system")?;
    let source = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": FLUX_SYSTEM, "namespace": FLUX_SYSTEM},
        "spec": {"url": url, "ref": {"branch": branch}, "interval": interval},
    });
    Api::<GitRepository>::namespaced(client.clone(), FLUX_SYSTEM)
        .patch(FLUX_SYSTEM, &params, &Patch::Apply(&source))
        .await
        .context("creating GitRepository flux-system")?;
    let path = if path == "." || path.starts_with("./") { path.to_owned() } else { format!("./{path}") };
    let kustomization = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": FLUX_SYSTEM, "namespace": FLUX_SYSTEM},
        "spec": {"interval": interval, "path": path, "prune": true,
                 "sourceRef": {"kind": "GitRepository", "name": FLUX_SYSTEM}},
    });
    Api::<Kustomization>::namespaced(client.clone(), FLUX_SYSTEM)
        .patch(FLUX_SYSTEM, &params, &Patch::Apply(&kustomization))
        .await
        .context("creating Kustomization flux-system")?;
    Ok(())
}

/// Each reconciliation outcome of one kind, as `Kind namespace/name` and Ready or failed.
type Outcomes = futures::stream::BoxStream<'static, Result<(String, Option<(bool, String)>), watcher::Error>>;

/// Prints each outcome of a Flux object's reconciliation (sources, Kustomizations,
/// HelmReleases) when it differs from the last one shown: Ready, or failed; work in progress
/// is not shown.
async fn print_progress(client: Client) {
    fn outcomes<K: FluxObject>(client: &Client) -> Outcomes {
        watcher(Api::<K>::all(client.clone()), watcher::Config::default())
            .applied_objects()
            .map(|event| event.map(|object| outcome(&object)))
            .boxed()
    }
    let mut events = futures::stream::select_all([
        outcomes::<GitRepository>(&client),
        outcomes::<HelmRepository>(&client),
        outcomes::<HelmChart>(&client),
        outcomes::<OCIRepository>(&client),
        outcomes::<Bucket>(&client),
        outcomes::<Kustomization>(&client),
        outcomes::<HelmRelease>(&client),
    ]);
    let mut last: HashMap<String, (bool, String)> = HashMap::new();
    while let Some(event) = events.next().await {
        let Ok((id, Some((ready, message)))) = event else { continue };
        if last.get(&id) == Some(&(ready, message.clone())) {
            continue;
        }
        let mark = if ready { "✔" } else { "✗" };
        eprintln!("{mark} {id}: {message}");
        last.insert(id, (ready, message));
    }
}

/// `Kind namespace/name`, and whether it is Ready with the message, unless in progress.
fn outcome<K: FluxObject>(object: &K) -> (String, Option<(bool, String)>) {
    let id = format!("{} {}/{}", K::KIND, object.namespace().unwrap_or_default(), object.name_any());
    let outcome = match readiness(object) {
        Readiness::Ready(message) => Some((true, message)),
        Readiness::Failed { message, .. } | Readiness::Stalled { message, .. } => Some((false, message)),
        Readiness::InProgress(_) => None,
    };
    (id, outcome)
}
