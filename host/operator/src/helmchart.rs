//! The HelmChart controller: turns a chart of a source into a packaged chart artifact, as
//! source-controller does — from a HelmRepository (the version its index gives for the range,
//! downloaded with the repository's credentials; for `type: oci`, the version its registry's
//! tags give, pulled from `<url>/<chart>`) or from a chart directory of a GitRepository
//! or Bucket artifact (packaged as `helm package` would). `valuesFiles` are merged into the chart's
//! values; the artifact's revision is the chart version, with build metadata when the source's
//! revision (`reconcileStrategy: Revision`) or the values files decide the content.
//!
//! The artifact is one file, [`PACKAGED_CHART`], the layout the chart-renderer plugin mounts.

use std::collections::HashMap;
use std::path::{Component, Path};
use std::sync::Arc;

use kube::api::Api;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use kube::{Client, ResourceExt};
use weir_api::meta::Artifact;
use weir_api::source::{
    Bucket, GitRepository, HelmChart, HelmChartSourceKind, HelmChartStatus, HelmRepository, HelmRepositoryType,
    ReconcileStrategy,
};
use weir_plugin_host::chart_renderer::PACKAGED_CHART;
use weir_registry::ClientOptions;
use weir_source::ArtifactStore;
use weir_source::helm::dependencies::{self, RepositoryAccess};
use weir_source::helm::{self, ChartIndex, ChartRepository, HelmCredentials, HelmError, OciChartRepository, package};

use crate::Settings;
use crate::conditions::{self, SOURCE_VERIFIED, reason};
use crate::helmrepository::{self, INDEX_FILE};
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::registry_access::{self, Access};

/// The HelmChart controller's own state.
pub struct HelmCharts {
    artifacts: Arc<ArtifactStore>,
    retention: usize,
}

impl HelmCharts {
    pub fn new(settings: &Settings) -> std::io::Result<Self> {
        Ok(Self {
            artifacts: Arc::new(ArtifactStore::new(settings.storage_dir.join("artifacts"))?),
            retention: settings.artifact_retention.max(1),
        })
    }
}

/// Runs the controller until `shutdown`; a source's new status reconciles the charts built
/// from it.
pub async fn run(lifecycle: Arc<Lifecycle<HelmCharts>>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    let client = &lifecycle.client;
    let controller = reconciler::controller(&lifecycle);
    let (by_repository, by_git, by_bucket) = (controller.store(), controller.store(), controller.store());
    let controller = controller
        .watches(Api::<HelmRepository>::all(client.clone()), watcher::Config::default(), move |source| {
            charts_of(&by_repository, HelmChartSourceKind::HelmRepository, &source)
        })
        .watches(Api::<GitRepository>::all(client.clone()), watcher::Config::default(), move |source| {
            charts_of(&by_git, HelmChartSourceKind::GitRepository, &source)
        })
        .watches(Api::<Bucket>::all(client.clone()), watcher::Config::default(), move |source| {
            charts_of(&by_bucket, HelmChartSourceKind::Bucket, &source)
        });
    reconciler::run(controller, lifecycle, shutdown).await;
}

fn charts_of<S: kube::Resource>(
    store: &kube::runtime::reflector::Store<HelmChart>,
    kind: HelmChartSourceKind,
    source: &S,
) -> Vec<ObjectRef<HelmChart>> {
    reconciler::referrers(store, source, |chart| {
        (chart.spec.source_ref.kind == kind)
            .then(|| (chart.namespace().unwrap_or_default(), chart.spec.source_ref.name.clone()))
    })
}

/// What the current artifact was built from.
struct Previous {
    /// The artifact's revision: the chart version, with any build metadata.
    version: String,
    source_revision: String,
    chart_name: String,
}

/// A reconciliation's chart: the artifact already holds it, or a new build.
enum Outcome {
    Unchanged { action: &'static str, name: String, version: String, verified: bool },
    Built(Build),
}

/// What one build makes: the chart, how it was obtained, and the source revision it came from.
struct Build {
    chart: package::PackagedChart,
    action: &'static str,
    /// The source artifact's revision; none for an OCI HelmRepository, which has no artifact.
    source_revision: Option<String>,
    /// Whether `spec.verify` checked the chart's signature (OCI HelmRepositories only).
    verified: bool,
    /// How many dependencies a chart directory lacked and got.
    resolved_dependencies: usize,
}

impl Reconciler for HelmCharts {
    type Object = HelmChart;
    const CONTROLLER: &'static str = "source-controller";
    const SHOWS_RECHECKS_IN_PROGRESS: bool = false;

    async fn reconcile(
        &self,
        chart: &HelmChart,
        status: &mut HelmChartStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let spec = &chart.spec;
        let values_files = spec.values_files.clone().unwrap_or_default();
        // What the last artifact was built from, when the spec did not change since.
        let previous = status.artifact.as_ref().filter(|artifact| {
            status.observed_generation == chart.metadata.generation
                && status.observed_values_files.clone().unwrap_or_default() == values_files
                && self.artifacts.path_of(&artifact.path).is_dir()
        });
        let previous = previous.map(|artifact| Previous {
            version: artifact.revision.clone(),
            source_revision: status.observed_source_artifact_revision.clone().unwrap_or_default(),
            chart_name: status.observed_chart_name.clone().unwrap_or_default(),
        });
        let outcome = self.outcome(chart, &context.client, previous).await;
        record_verification(status.conditions.get_or_insert_default(), chart, &outcome);
        let build = match outcome? {
            Outcome::Unchanged { action, name, version, .. } => {
                return Ok(Ready::new(reason::SUCCEEDED, summary(action, &name, &version, &values_files)));
            }
            Outcome::Built(build) => build,
        };
        let message = summary(build.action, &build.chart.name, &build.chart.version, &values_files);
        if build.resolved_dependencies > 0 {
            let note = format!("resolved {} chart dependencies", build.resolved_dependencies);
            context.publish(chart, false, "ResolvedDependencies", note).await;
        }
        let artifact = self.store(chart, &build.chart).await?;
        let generation = chart.metadata.generation;
        let stored = format!("stored artifact: revision '{}'", artifact.revision);
        let conditions = status.conditions.get_or_insert_default();
        conditions::set(conditions, conditions::ARTIFACT_IN_STORAGE, true, reason::SUCCEEDED, &stored, generation);
        if status.artifact.as_ref().map(|previous| &previous.digest) != Some(&artifact.digest) {
            context.publish(chart, false, "ChartPackageSucceeded", message.clone()).await;
        }
        status.observed_source_artifact_revision = build.source_revision;
        status.observed_chart_name = Some(build.chart.name);
        status.observed_values_files = spec.values_files.clone();
        status.url = Some(artifact.url.clone());
        status.artifact = Some(artifact);
        Ok(Ready::new(reason::SUCCEEDED, message))
    }

    async fn finalize(&self, chart: &HelmChart, _: &Lifecycle<Self>) {
        crate::remove_artifacts(&self.artifacts, chart).await;
    }

    fn progress_message(&self, _: &HelmChart) -> String {
        "building artifact".into()
    }
}

impl HelmCharts {
    /// The chart the spec's source gives: kept, pulled or packaged.
    async fn outcome(
        &self,
        chart: &HelmChart,
        client: &Client,
        previous: Option<Previous>,
    ) -> Result<Outcome, Failure> {
        let spec = &chart.spec;
        match spec.source_ref.kind {
            HelmChartSourceKind::HelmRepository => self.pull_from_repository(chart, client, previous).await,
            HelmChartSourceKind::GitRepository => {
                let namespace = chart.namespace().unwrap_or_default();
                let repository: GitRepository = source(client, &namespace, &spec.source_ref.name).await?;
                let artifact = repository.status.and_then(|status| status.artifact);
                self.package_from_artifact(chart, "GitRepository", artifact, client, previous).await
            }
            HelmChartSourceKind::Bucket => {
                let namespace = chart.namespace().unwrap_or_default();
                let bucket: Bucket = source(client, &namespace, &spec.source_ref.name).await?;
                let artifact = bucket.status.and_then(|status| status.artifact);
                self.package_from_artifact(chart, "Bucket", artifact, client, previous).await
            }
        }
    }

    /// The chart version the repository gives for `spec.version` — from its index, or from its
    /// tags for `type: oci` — downloaded, unless the artifact already holds it.
    async fn pull_from_repository(
        &self,
        chart: &HelmChart,
        client: &Client,
        previous: Option<Previous>,
    ) -> Result<Outcome, Failure> {
        let namespace = chart.namespace().unwrap_or_default();
        let name = &chart.spec.source_ref.name;
        let repository: HelmRepository = source(client, &namespace, name).await?;
        helm::check_chart_name(&chart.spec.chart)
            .map_err(|error| build_failure(reason::CHART_REFERENCE, "invalid chart reference", error))?;
        if repository.spec.type_ == Some(HelmRepositoryType::Oci) {
            return self.pull_from_registry(chart, &repository, client, previous).await;
        }
        let artifact =
            source_artifact("HelmRepository", name, repository.status.as_ref().and_then(|s| s.artifact.clone()))?;
        let index_path = self.artifacts.path_of(&artifact.path).join(INDEX_FILE);
        let index = std::fs::read(&index_path)
            .map_err(|error| error.to_string())
            .and_then(|bytes| ChartIndex::parse(&bytes).map_err(|error| error.to_string()))
            .map_err(|error| {
                source_unavailable(format!("failed to load the index of HelmRepository '{name}': {error}"))
            })?;
        let range = chart.spec.version.as_deref().unwrap_or("*");
        let entry = index.select(&chart.spec.chart, range).map_err(|error| {
            build_failure(
                reason::CHART_REFERENCE,
                "invalid chart reference",
                format!("failed to get chart version for remote reference: {error}"),
            )
        })?;
        // The same version under the same spec is the same chart: keep the artifact.
        let source_revision = Some(artifact.revision);
        if let Some(unchanged) = unchanged(previous, &entry.name, &entry.version, false) {
            return Ok(unchanged);
        }
        let Some(reference) = entry.urls.first().cloned() else {
            return Err(build_failure(
                reason::CHART_PULL,
                "chart pull error",
                format!("chart '{}' has no downloadable URLs", entry.name),
            ));
        };
        let credentials = helmrepository::credentials(&repository, client).await?;
        let spec = chart.spec.clone();
        let generation = chart.metadata.generation;
        let url = repository.spec.url.clone();
        let pass_credentials = repository.spec.pass_credentials == Some(true);
        let timeout = helmrepository::timeout(&repository);
        let work = move || -> Result<package::PackagedChart, Failure> {
            let download = |credentials: HelmCredentials| {
                ChartRepository::new(&url, credentials, pass_credentials, timeout)?
                    .download_chart(&reference, entry.digest.as_deref())
            };
            let archive = download(credentials).map_err(|error| {
                build_failure(
                    reason::CHART_PULL,
                    "chart pull error",
                    format!("failed to download chart for remote reference: {error}"),
                )
            })?;
            downloaded(archive, &spec, generation)
        };
        let chart = blocking(work).await?;
        Ok(Outcome::Built(Build {
            chart,
            action: "pulled",
            source_revision,
            verified: false,
            resolved_dependencies: 0,
        }))
    }

    /// The chart `<url>/<spec.chart>` of an OCI HelmRepository at the tag `spec.version` gives,
    /// as Flux's `OCIChartRepository`, reached with the repository's credentials, TLS and
    /// `insecure`; kept when the artifact already holds that version.
    async fn pull_from_registry(
        &self,
        chart: &HelmChart,
        repository: &HelmRepository,
        client: &Client,
        previous: Option<Previous>,
    ) -> Result<Outcome, Failure> {
        let options = registry_options(repository, client).await?;
        let verify = chart.spec.verify.as_ref().map(|verify| (&verify.provider, verify.secret_ref.as_ref()));
        let keys = registry_access::trusted_keys(verify, &chart.namespace().unwrap_or_default(), client).await?;
        let verified = keys.is_some();
        let url = repository.spec.url.clone();
        let spec = chart.spec.clone();
        let generation = chart.metadata.generation;
        let work = move || -> Result<Outcome, Failure> {
            let registry = OciChartRepository::new(&url, options).map_err(helmrepository::source_failure)?;
            let range = spec.version.as_deref().unwrap_or("*");
            let version = registry
                .chart_version(&spec.chart, range)
                .map_err(|error| pull_failure("failed to get chart version for remote reference", error))?;
            if let Some(keys) = &keys {
                registry
                    .verify_chart(&version, keys)
                    .map_err(|error| Failure::new(reason::CHART_VERIFICATION, error.to_string(), Retry::Backoff))?;
            }
            if let Some(unchanged) = unchanged(previous, &version.name, &version.version, verified) {
                return Ok(unchanged);
            }
            let archive = registry
                .download_chart(&version)
                .map_err(|error| pull_failure("failed to download chart for remote reference", error))?;
            let chart = downloaded(archive, &spec, generation)?;
            Ok(Outcome::Built(Build {
                chart,
                action: "pulled",
                source_revision: None,
                verified,
                resolved_dependencies: 0,
            }))
        };
        blocking(work).await
    }

    /// The chart directory `spec.chart` of the artifact of a GitRepository or Bucket (`kind`),
    /// packaged, unless the chart's artifact already holds what that revision gives.
    async fn package_from_artifact(
        &self,
        chart: &HelmChart,
        kind: &str,
        artifact: Option<Artifact>,
        client: &Client,
        previous: Option<Previous>,
    ) -> Result<Outcome, Failure> {
        let artifact = source_artifact(kind, &chart.spec.source_ref.name, artifact)?;
        if !is_relative_and_inside(&chart.spec.chart) {
            return Err(Failure::invalid_spec("spec.chart", "must be a relative path inside the source"));
        }
        let source_revision = artifact.revision.clone();
        if let Some(previous) = previous.filter(|previous| previous.source_revision == source_revision) {
            let (name, version) = (previous.chart_name, previous.version);
            return Ok(Outcome::Unchanged { action: "packaged", name, version, verified: false });
        }
        let root = self.artifacts.path_of(&artifact.path);
        let spec = chart.spec.clone();
        let dir = root.join(&spec.chart);
        let chart_path = spec.chart.clone();
        let mut chart_dir = blocking(move || {
            if !dir.is_dir() {
                return Err(build_failure(
                    reason::CHART_PACKAGE,
                    "chart package error",
                    format!("path '{chart_path}' not found in the source"),
                ));
            }
            package::read_dir(&dir).map_err(|error| build_failure(reason::CHART_PACKAGE, "chart package error", error))
        })
        .await?;
        let urls = dependencies::remote_urls(&chart_dir.missing);
        let mut access = HashMap::new();
        if !urls.is_empty() {
            let namespace = chart.namespace().unwrap_or_default();
            let repositories = Api::<HelmRepository>::namespaced(client.clone(), &namespace)
                .list(&Default::default())
                .await
                .map_err(|error| source_unavailable(format!("unable to retrieve HelmRepositoryList: {error}")))?
                .items;
            for url in urls {
                let access_of = self.dependency_access(&url, &repositories, client).await?;
                access.insert(url, access_of);
            }
        }
        let generation = chart.metadata.generation;
        // Flux's Revision strategy: the first 12 hex digits of the commit (Git) or of the index
        // digest (Bucket) as build metadata.
        let revision_metadata = (spec.reconcile_strategy == Some(ReconcileStrategy::Revision))
            .then(|| source_revision.rsplit(':').next().unwrap_or_default().chars().take(12).collect::<String>());
        let work = move || -> Result<(package::PackagedChart, usize), Failure> {
            let resolved = dependencies::build(&mut chart_dir, &root, &spec.chart, access)
                .map_err(|error| build_failure(reason::DEPENDENCY_BUILD, "dependency build error", error))?;
            let packaged = package::package(chart_dir)
                .map_err(|error| build_failure(reason::CHART_PACKAGE, "chart package error", error))?;
            // Values files of a Git or Bucket chart are paths in the source, not in the chart.
            let read = |path: &str| is_relative_and_inside(path).then(|| std::fs::read(root.join(path)).ok()).flatten();
            Ok((with_values_files(packaged, &spec, generation, revision_metadata, read)?, resolved))
        };
        let (chart, resolved_dependencies) = blocking(work).await?;
        let source_revision = Some(source_revision);
        Ok(Outcome::Built(Build { chart, action: "packaged", source_revision, verified: false, resolved_dependencies }))
    }

    /// How the repository of a dependency at (normalized) `url` is reached: as the HelmRepository
    /// of that URL among `repositories` (the chart's namespace's) says — its credentials, TLS,
    /// stored index — else anonymously, as Flux's namespaced chart repository callback.
    async fn dependency_access(
        &self,
        url: &str,
        repositories: &[HelmRepository],
        client: &Client,
    ) -> Result<RepositoryAccess, Failure> {
        let Some(repository) = repositories
            .iter()
            .find(|repository| dependencies::repository_url(&repository.spec.url).as_deref() == Ok(url))
        else {
            return Ok(RepositoryAccess::anonymous(url));
        };
        if repository.spec.type_ == Some(HelmRepositoryType::Oci) {
            return Ok(RepositoryAccess::Oci(registry_options(repository, client).await?));
        }
        let index = repository
            .status
            .as_ref()
            .and_then(|status| status.artifact.as_ref())
            .and_then(|artifact| std::fs::read(self.artifacts.path_of(&artifact.path).join(INDEX_FILE)).ok());
        Ok(RepositoryAccess::Http {
            credentials: helmrepository::credentials(repository, client).await?,
            pass_credentials: repository.spec.pass_credentials == Some(true),
            timeout: helmrepository::timeout(repository),
            index,
        })
    }

    /// Stores the packaged chart as the artifact of its version.
    async fn store(&self, chart: &HelmChart, packaged: &package::PackagedChart) -> Result<Artifact, Failure> {
        let owner = crate::artifact_owner(chart).map_err(|error| Failure::invalid_spec("metadata.name", error))?;
        let (artifacts, retention) = (self.artifacts.clone(), self.retention);
        let (archive, version) = (packaged.archive.clone(), packaged.version.clone());
        let work = move || -> Result<Artifact, Failure> {
            let failed = |error: weir_source::StoreError| {
                Failure::new(reason::STORAGE_OPERATION_FAILED, error.to_string(), Retry::Backoff)
            };
            let mut staging = artifacts.stage(&owner).map_err(failed)?;
            staging.add_file(PACKAGED_CHART.as_ref(), &archive, false).map_err(failed)?;
            let stored = staging.finish(&version).map_err(failed)?;
            if let Err(error) = artifacts.garbage_collect(&owner, retention) {
                tracing::warn!(%owner, %error, "artifact garbage collection failed");
            }
            Ok(crate::artifact(stored))
        };
        blocking(work).await
    }
}

/// The registry client options of an OCI HelmRepository: its credentials, TLS and `insecure`.
async fn registry_options(repository: &HelmRepository, client: &Client) -> Result<ClientOptions, Failure> {
    let spec = &repository.spec;
    let registry = OciChartRepository::registry_of(&spec.url).map_err(helmrepository::source_failure)?;
    let namespace = repository.namespace().unwrap_or_default();
    let access = Access {
        namespace: &namespace,
        registry: &registry,
        provider: spec.provider.as_ref(),
        secret_ref: spec.secret_ref.as_ref(),
        username_password: true,
        service_account: None,
        cert_secret_ref: spec.cert_secret_ref.as_ref(),
        insecure: spec.insecure == Some(true),
        timeout: helmrepository::timeout(repository),
    };
    registry_access::client_options(client, &access).await
}

/// `SourceVerified` as source-controller keeps it: true with the verified version, false with
/// the verification error, gone when `spec.verify` is.
fn record_verification(
    conditions: &mut Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition>,
    chart: &HelmChart,
    outcome: &Result<Outcome, Failure>,
) {
    let generation = chart.metadata.generation;
    if chart.spec.verify.is_none() {
        conditions.retain(|condition| condition.type_ != SOURCE_VERIFIED);
        return;
    }
    match outcome {
        Err(failure) if failure.reason == reason::CHART_VERIFICATION => {
            let message = &failure.message;
            conditions::set(conditions, SOURCE_VERIFIED, false, reason::VERIFICATION_ERROR, message, generation);
        }
        Ok(Outcome::Unchanged { version, verified: true, .. }) => {
            let message = format!("verified signature of version {version}");
            conditions::set(conditions, SOURCE_VERIFIED, true, reason::SUCCEEDED, &message, generation);
        }
        Ok(Outcome::Built(Build { chart, verified: true, .. })) => {
            let message = format!("verified signature of version {}", chart.version);
            conditions::set(conditions, SOURCE_VERIFIED, true, reason::SUCCEEDED, &message, generation);
        }
        _ => {}
    }
}

/// The artifact's chart when it is `version` of chart `name` already (or that version with the
/// build metadata `valuesFiles` put on it): kept as it is.
fn unchanged(previous: Option<Previous>, name: &str, version: &str, verified: bool) -> Option<Outcome> {
    let previous = previous
        .filter(|previous| previous.version == version || previous.version.split('+').next() == Some(version))?;
    Some(Outcome::Unchanged { action: "pulled", name: name.to_owned(), version: previous.version, verified })
}

/// A chart archive downloaded from a repository, checked to be a chart, with `valuesFiles`
/// (files of the chart) merged.
fn downloaded(
    archive: Vec<u8>,
    spec: &weir_api::source::HelmChartSpec,
    generation: Option<i64>,
) -> Result<package::PackagedChart, Failure> {
    let packaged = package::from_archive(archive)
        .map_err(|error| build_failure(reason::CHART_PACKAGE, "chart package error", error))?;
    let files = package::files(&packaged)
        .map_err(|error| build_failure(reason::CHART_PACKAGE, "chart package error", error))?;
    let read = |path: &str| files.iter().find(|file| file.name == clean(path)).map(|file| file.data.clone());
    with_values_files(packaged, spec, generation, None, read)
}

/// A failed pull from an OCI repository (`what` failed): `AuthenticationFailed` when the
/// registry refused the credentials, as Flux tells, else Flux's chart pull error.
fn pull_failure(what: &str, error: HelmError) -> Failure {
    match error {
        HelmError::Registry { authentication: true, .. } => Failure::new(
            reason::AUTHENTICATION_FAILED,
            format!("failed to authenticate with the Helm repository: chart pull error: {what}: {error}"),
            Retry::Backoff,
        ),
        error => build_failure(reason::CHART_PULL, "chart pull error", format!("{what}: {error}")),
    }
}

/// `valuesFiles` merged into the chart's values, and the version's build metadata: the source
/// revision's (Revision strategy) and then the generation when values files are given, as Flux
/// marks a chart whose content the HelmChart's spec changed.
fn with_values_files(
    packaged: package::PackagedChart,
    spec: &weir_api::source::HelmChartSpec,
    generation: Option<i64>,
    revision_metadata: Option<String>,
    read: impl Fn(&str) -> Option<Vec<u8>>,
) -> Result<package::PackagedChart, Failure> {
    let paths = spec.values_files.clone().unwrap_or_default();
    let values = package::merge_values_files(&paths, spec.ignore_missing_values_files == Some(true), read)
        .map_err(|error| build_failure(reason::VALUES_FILES, "values files merge error", error))?;
    let generation_metadata = (!paths.is_empty()).then(|| generation.unwrap_or_default().to_string());
    let metadata = match (revision_metadata, generation_metadata) {
        (Some(revision), Some(generation)) => Some(format!("{revision}.{generation}")),
        (revision, generation) => revision.or(generation),
    };
    package::with_changes(packaged, values.as_ref(), metadata.as_deref())
        .map_err(|error| build_failure(reason::METADATA_PATCH, "chart metadata patch error", error))
}

/// Flux's build summary, the Ready message: `pulled 'podinfo' chart with version '6.1.0'`.
fn summary(action: &str, name: &str, version: &str, values_files: &[String]) -> String {
    let mut summary = format!("{action} '{name}' chart with version '{version}'");
    if !values_files.is_empty() {
        summary.push_str(&format!(" and merged values files [{}]", values_files.join(" ")));
    }
    summary
}

fn source_artifact(kind: &str, name: &str, artifact: Option<Artifact>) -> Result<Artifact, Failure> {
    artifact.ok_or_else(|| {
        Failure::new(
            reason::NO_SOURCE_ARTIFACT,
            format!("no artifact available for {kind} source '{name}'"),
            Retry::Backoff,
        )
    })
}

/// The chart's source object.
async fn source<K>(client: &Client, namespace: &str, name: &str) -> Result<K, Failure>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    Api::<K>::namespaced(client.clone(), namespace)
        .get(name)
        .await
        .map_err(|error| source_unavailable(format!("failed to get source: {error}")))
}

fn source_unavailable(message: String) -> Failure {
    Failure::new(reason::SOURCE_UNAVAILABLE, message, Retry::Backoff)
}

/// A build error as Flux words it (`<summary>: <error>`); the persistent kinds (a reference no
/// version satisfies, bad values files, metadata that cannot be set) stall until the spec or
/// the source changes — a watch on the source brings the next attempt.
fn build_failure(reason: &'static str, summary: &str, error: impl std::fmt::Display) -> Failure {
    let persistent = matches!(reason, reason::CHART_REFERENCE | reason::VALUES_FILES | reason::METADATA_PATCH);
    Failure::new(reason, format!("{summary}: {error}"), if persistent { Retry::Stalled } else { Retry::Backoff })
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, Failure> + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|panicked| {
        Err(Failure::new(reason::FAILED, format!("chart build task failed: {panicked}"), Retry::Backoff))
    })
}

fn is_relative_and_inside(path: &str) -> bool {
    Path::new(path).components().all(|component| matches!(component, Component::Normal(_) | Component::CurDir))
}

/// A chart-relative path as the archive names its files.
fn clean(path: &str) -> String {
    path.trim_start_matches("./").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_as_flux_writes_them() {
        assert_eq!(summary("pulled", "podinfo", "6.1.0", &[]), "pulled 'podinfo' chart with version '6.1.0'");
        let files = ["values.yaml".to_owned(), "prod.yaml".to_owned()];
        assert_eq!(
            summary("packaged", "web", "1.0.0+3", &files),
            "packaged 'web' chart with version '1.0.0+3' and merged values files [values.yaml prod.yaml]"
        );
    }

    #[test]
    fn chart_paths_stay_inside_the_source() {
        assert!(is_relative_and_inside("charts/web") && is_relative_and_inside("./web"));
        assert!(!is_relative_and_inside("../web") && !is_relative_and_inside("/etc"));
    }
}
