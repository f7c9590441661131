//! The Kustomization controller: builds a path of a source's artifact through the renderer
//! plugin, decrypts and substitutes, applies with server-side apply, prunes what left the
//! source, waits for health, reports status. One module per step, in the order they run:
//! [`source`] → [`build`] (with [`decrypt`] and [`substitute`]) → [`apply`] (with
//! [`inventory`]).
//!
//! A revision is applied whole or not at all: every failure before the apply (source,
//! dependencies, build, decryption, substitution) and every rejected dry-run leaves the
//! cluster and the inventory as the last good revision left them.

mod apply;
mod build;
mod decrypt;
mod inventory;
mod source;
pub mod substitute;

use std::sync::Arc;
use std::time::Duration;

use kube::api::Api;
use kube::runtime::watcher;
use kube::{Client, ResourceExt};
use weir_api::kustomize::{Kustomization, KustomizationStatus, SourceKind};
use weir_api::source::{Bucket, GitRepository, OCIRepository};
use weir_go_compat::time::parse_duration;
use weir_source::ArtifactStore;

pub use apply::diff;
pub use build::build;
pub(crate) use build::{plugin_images, plugin_patches};

use crate::conditions::reason;
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::{Plugins, Settings};

/// The field manager of every apply, and the prefix of the ownership labels: Flux's, so that
/// objects a Flux installation applied are taken over without conflicts.
pub const FIELD_MANAGER: &str = "kustomize-controller";
const GROUP: &str = "kustomize.toolkit.fluxcd.io";
/// `disabled` on an object (annotation or label) turns substitution off for it.
const SUBSTITUTE: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// The Kustomization controller's own state; also what `weir build` and `weir diff` build with.
pub struct Kustomizations {
    client: Client,
    config: kube::Config,
    settings: Settings,
    plugins: Plugins,
    artifacts: ArtifactStore,
}

impl Kustomizations {
    pub fn new(client: Client, config: kube::Config, settings: Settings, plugins: Plugins) -> std::io::Result<Self> {
        let artifacts = ArtifactStore::new(settings.storage_dir.join("artifacts"))?;
        Ok(Self { client, config, settings, plugins, artifacts })
    }
}

/// A failure retried after `retryInterval`, as most of a Kustomization's are.
fn failed(reason: &'static str, message: impl Into<String>) -> Failure {
    Failure::new(reason, message, Retry::Backoff)
}

/// Runs the controller until `shutdown`.
pub async fn run(
    lifecycle: Arc<Lifecycle<Kustomizations>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let client = &lifecycle.client;
    let controller = reconciler::controller(&lifecycle);
    let (by_git, by_oci, by_bucket) = (controller.store(), controller.store(), controller.store());
    let by_dependency = controller.store();
    let controller = controller
        // A new artifact reconciles every Kustomization built from that source.
        .watches(Api::<GitRepository>::all(client.clone()), watcher::Config::default(), move |source| {
            built_from(&by_git, SourceKind::GitRepository, &source)
        })
        .watches(Api::<OCIRepository>::all(client.clone()), watcher::Config::default(), move |source| {
            built_from(&by_oci, SourceKind::OCIRepository, &source)
        })
        .watches(Api::<Bucket>::all(client.clone()), watcher::Config::default(), move |source| {
            built_from(&by_bucket, SourceKind::Bucket, &source)
        })
        // A dependency's new status (Ready, a new revision) reconciles what depends on it.
        .watches(Api::<Kustomization>::all(client.clone()), watcher::Config::default(), move |dependency| {
            reconciler::dependents(&by_dependency, &dependency)
        });
    let controller = crate::plugin::watch_renderers(controller, client);
    reconciler::run(controller, lifecycle, shutdown).await;
}

/// The Kustomizations whose `sourceRef` is `source`, of `kind`.
fn built_from<S: kube::Resource>(
    store: &kube::runtime::reflector::Store<Kustomization>,
    kind: SourceKind,
    source: &S,
) -> Vec<kube::runtime::reflector::ObjectRef<Kustomization>> {
    reconciler::referrers(store, source, |kustomization| {
        let reference = &kustomization.spec.source_ref;
        let namespace = reference.namespace.clone().unwrap_or_else(|| kustomization.namespace().unwrap_or_default());
        (reference.kind == kind).then(|| (namespace, reference.name.clone()))
    })
}

impl Reconciler for Kustomizations {
    type Object = Kustomization;
    const CONTROLLER: &'static str = FIELD_MANAGER;

    async fn reconcile(
        &self,
        kustomization: &Kustomization,
        status: &mut KustomizationStatus,
        lifecycle: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let revision = self.sync(kustomization, status, lifecycle).await?;
        Ok(Ready::new(reason::RECONCILIATION_SUCCEEDED, format!("Applied revision: {revision}")))
    }

    async fn finalize(&self, kustomization: &Kustomization, _: &Lifecycle<Self>) {
        apply::finalize(kustomization, self).await;
    }

    fn progress_message(&self, kustomization: &Kustomization) -> String {
        format!(
            "Fetching manifests with a timeout of {}",
            weir_go_compat::time::format_duration(timeout(kustomization))
        )
    }
}

impl Kustomizations {
    /// Everything from the source to health; the applied revision on success.
    async fn sync(
        &self,
        kustomization: &Kustomization,
        status: &mut KustomizationStatus,
        lifecycle: &Lifecycle<Self>,
    ) -> Result<String, Failure> {
        let (source_namespace, artifact) = source::source_artifact(kustomization, self).await?;
        source::check_dependencies(kustomization, self, &source_namespace).await?;
        let revision = artifact.revision;
        status.last_attempted_revision = Some(revision.clone());

        let timeout = timeout(kustomization);
        let source_dir = self.artifacts.path_of(&artifact.path);
        let path = kustomization.spec.path.as_deref().unwrap_or(".");
        let objects = build(kustomization, self, &source_dir, path, true).await?;
        let applied = apply::apply(kustomization, self, lifecycle, objects, status, &revision, timeout).await?;
        apply::check_health(kustomization, self, &applied, status, timeout).await?;
        status.last_applied_revision = Some(revision.clone());
        Ok(revision)
    }
}

/// `spec.timeout`, else the interval, as Flux bounds a reconciliation.
fn timeout(kustomization: &Kustomization) -> Duration {
    let spec = &kustomization.spec;
    spec.timeout
        .as_deref()
        .and_then(|text| parse_duration(text).ok())
        .unwrap_or_else(|| parse_duration(&spec.interval).unwrap_or(Duration::from_secs(600)))
}
