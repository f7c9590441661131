//! weir's controllers, one per kind, on Flux's API:
//!
//! - [`gitrepository`]: fetches Git repositories (`source.toolkit.fluxcd.io/v1`
//!   GitRepository) and stores each revision as an artifact;
//! - [`helmrepository`]: fetches Helm chart repository indexes (`source.toolkit.fluxcd.io/v1`
//!   HelmRepository) and stores each as an artifact;
//! - [`bucket`]: indexes object storage buckets over the S3 API (`source.toolkit.fluxcd.io/v1`
//!   Bucket) and stores each new revision of their objects as an artifact;
//! - [`ocirepository`]: pulls OCI artifacts (`source.toolkit.fluxcd.io/v1` OCIRepository),
//!   their cosign signatures checked when asked, and stores the selected layer as an artifact;
//! - [`helmchart`]: makes packaged chart artifacts (`source.toolkit.fluxcd.io/v1` HelmChart)
//!   from a HelmRepository, a GitRepository or a Bucket;
//! - [`helmrelease`]: installs, upgrades, tests, remediates and uninstalls Helm releases
//!   (`helm.toolkit.fluxcd.io/v2` HelmRelease) rendered by the chart-renderer plugin, recorded
//!   in Helm's own release Secrets;
//! - [`kustomization`]: builds a path of an artifact through the renderer plugin
//!   (`kustomize.toolkit.fluxcd.io/v1` Kustomization), decrypts and substitutes,
//!   then applies, prunes and health-checks what it built;
//! - [`plugin`]: loads WebAssembly components (`plugins.weir.dev/v1alpha1` Plugin, a tenant's,
//!   admitted by PluginPolicies and served to its namespace's objects; ClusterPlugin, the
//!   operator's owner's, served to every namespace), verified before they compile.
//!
//! Data flows one way: source → artifact → plugin → apply → status. Each controller is
//! its own work (a [`reconciler::Reconciler`]) inside the lifecycle all share
//! ([`reconciler`]: finalizer, suspend, interval, reconcile requests, dependsOn,
//! backoff, kstatus conditions), driven by kube-rs's controller runtime.

pub mod bucket;
pub mod conditions;
mod events;
pub mod gitrepository;
pub mod helmchart;
pub mod helmrelease;
pub mod helmrepository;
mod impersonation;
pub mod kustomization;
pub mod leader;
pub mod ocirepository;
pub mod plugin;
pub mod reconciler;
mod registry_access;
mod secrets;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use weir_plugin_host::chart_renderer::ChartRendererPlugin;
use weir_plugin_host::decryptor::DecryptorPlugin;
use weir_plugin_host::renderer::RendererPlugin;

use crate::reconciler::Lifecycle;

/// The finalizer both controllers put on their objects, as Flux's do.
pub const FINALIZER: &str = "finalizers.fluxcd.io";
/// The annotation `flux reconcile` (and `weir reconcile`) sets to ask for a reconciliation now.
pub const RECONCILE_REQUEST: &str = "reconcile.fluxcd.io/requestedAt";

/// How the operator runs, as Flux's controller flags set it.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Artifacts and Git clones live here.
    pub storage_dir: PathBuf,
    /// Impersonate this service account for Kustomizations that name none (Flux's `--default-service-account`).
    pub default_service_account: Option<String>,
    /// Refuse sources in another namespace (Flux's `--no-cross-namespace-refs`).
    pub no_cross_namespace_refs: bool,
    /// How soon to look again at a Kustomization waiting for its dependencies (Flux's `--requeue-dependency`).
    pub dependency_requeue: Duration,
    /// Unset variables without a default are errors (Flux's `StrictPostBuildSubstitutions` feature gate).
    pub strict_substitution: bool,
    /// Artifacts kept per source (Flux's `--artifact-retention-records`).
    pub artifact_retention: usize,
    /// Helm releases install with client-side apply, as Helm 3 did (helm-controller's
    /// `UseHelm3Defaults` feature gate); upgrades and rollbacks follow the release either way.
    pub helm3_defaults: bool,
    /// The operator's own namespace (Flux's `RUNTIME_NAMESPACE`): where ClusterPlugins' Secrets
    /// and ConfigMaps are read.
    pub namespace: String,
    /// Which objects the controllers reconcile, and how many at once (Flux's
    /// `--watch-all-namespaces`, `--watch-label-selector`, `--concurrent`).
    pub watching: reconciler::Watching,
}

/// The namespace weir is installed into.
pub const DEFAULT_NAMESPACE: &str = "weir-system";

impl Settings {
    pub fn new(storage_dir: PathBuf) -> Self {
        Self {
            storage_dir,
            default_service_account: None,
            no_cross_namespace_refs: false,
            dependency_requeue: Duration::from_secs(30),
            strict_substitution: false,
            artifact_retention: 2,
            helm3_defaults: false,
            namespace: DEFAULT_NAMESPACE.into(),
            watching: reconciler::Watching::default(),
        }
    }
}

/// The plugins the controllers call.
#[derive(Clone)]
pub struct Plugins {
    pub renderer: Arc<RendererPlugin>,
    /// SOPS decryption; Kustomizations with `spec.decryption` fail without it.
    pub decryptor: Option<Arc<DecryptorPlugin>>,
    /// Helm chart rendering; HelmReleases fail without it.
    pub chart_renderer: Option<Arc<ChartRendererPlugin>>,
    /// The tenants' own plugins (Plugin objects), on the built-ins' runtime.
    pub tenants: plugin::loaded::TenantPlugins,
}

/// Why the operator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the API server: {0}")]
    Client(#[from] kube::Error),
    #[error("cannot open the storage directory: {0}")]
    Storage(#[from] std::io::Error),
}

/// Runs every controller until `shutdown` completes.
pub async fn run(
    config: kube::Config,
    settings: Settings,
    plugins: Plugins,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let client = kube::Client::try_from(config.clone())?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let signal = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };
    let watching = settings.watching.clone();
    let sources = Lifecycle::new(gitrepository::GitRepositories::new(&settings)?, client.clone()).watching(&watching);
    let helm_repositories =
        Lifecycle::new(helmrepository::HelmRepositories::new(&settings)?, client.clone()).watching(&watching);
    let buckets = Lifecycle::new(bucket::Buckets::new(&settings)?, client.clone()).watching(&watching);
    let oci_repositories =
        Lifecycle::new(ocirepository::OciRepositories::new(&settings)?, client.clone()).watching(&watching);
    let helm_charts = Lifecycle::new(helmchart::HelmCharts::new(&settings)?, client.clone()).watching(&watching);
    let helm_releases = Lifecycle::new(
        helmrelease::HelmReleases::new(client.clone(), config.clone(), settings.clone(), &plugins)?,
        client.clone(),
    )
    .watching(&watching);
    let tenant_plugins =
        Lifecycle::new(plugin::Plugins::new(plugins.tenants.clone(), settings.namespace.clone()), client.clone())
            .watching(&watching);
    let cluster_plugins = Lifecycle::new(
        plugin::ClusterPlugins::new(plugins.tenants.clone(), settings.namespace.clone()),
        client.clone(),
    )
    .watching(&watching);
    let kustomizations =
        Lifecycle::new(kustomization::Kustomizations::new(client.clone(), config, settings, plugins)?, client)
            .watching(&watching);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    tokio::join!(
        gitrepository::run(Arc::new(sources), signal()),
        helmrepository::run(Arc::new(helm_repositories), signal()),
        bucket::run(Arc::new(buckets), signal()),
        ocirepository::run(Arc::new(oci_repositories), signal()),
        helmchart::run(Arc::new(helm_charts), signal()),
        helmrelease::run(Arc::new(helm_releases), signal()),
        kustomization::run(Arc::new(kustomizations), signal()),
        plugin::run(Arc::new(tenant_plugins), signal()),
        plugin::run(Arc::new(cluster_plugins), signal())
    );
    Ok(())
}

/// Whose artifacts a source object's are: its kind, namespace and name.
fn artifact_owner<K: weir_api::status::FluxObject>(
    object: &K,
) -> Result<weir_source::ArtifactOwner, weir_source::StoreError> {
    use kube::ResourceExt;
    weir_source::ArtifactOwner::new(K::KIND, &object.namespace().unwrap_or_default(), &object.name_any())
}

/// Deletes every artifact of a deleted source object; failing to is logged.
async fn remove_artifacts<K: weir_api::status::FluxObject>(artifacts: &Arc<weir_source::ArtifactStore>, object: &K) {
    use kube::ResourceExt;
    let Ok(owner) = artifact_owner(object) else { return };
    let artifacts = artifacts.clone();
    let removed = tokio::task::spawn_blocking(move || artifacts.remove_all(&owner)).await;
    if let Ok(Err(error)) = removed {
        tracing::warn!(kind = K::KIND, namespace = object.namespace(), name = object.name_any(), %error, "removing artifacts failed");
    }
}

/// A stored artifact as `status.artifact` reports it, stamped now.
fn artifact(stored: weir_source::StoredArtifact) -> weir_api::meta::Artifact {
    weir_api::meta::Artifact {
        path: stored.path,
        url: stored.url,
        revision: stored.revision,
        digest: Some(stored.digest),
        last_update_time: conditions::now(),
        size: i64::try_from(stored.size).ok(),
        metadata: None,
    }
}

/// Applies Flux's CRDs (every kind `weir_api::crds` lists) and waits until they are served.
pub async fn install_crds(client: &kube::Client) -> Result<(), kube::Error> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::ResourceExt;
    use kube::api::{Api, Patch, PatchParams};
    let api = Api::<CustomResourceDefinition>::all(client.clone());
    let params = PatchParams::apply("weir").force();
    for crd in weir_api::crds() {
        api.patch(&crd.name_any(), &params, &Patch::Apply(&crd)).await?;
    }
    for crd in weir_api::crds() {
        for _ in 0..200 {
            let conditions = api.get(&crd.name_any()).await?.status.and_then(|status| status.conditions);
            if conditions.unwrap_or_default().iter().any(|c| c.type_ == "Established" && c.status == "True") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    Ok(())
}
