//! The HelmRepository controller: fetches a chart repository's `index.yaml` and stores it as
//! an artifact (revision = the digest of what the server sent), as source-controller does.
//! `type: oci` repositories have no index: they are Ready without an artifact, and the charts
//! that use them pull from the registry themselves.

use std::sync::Arc;
use std::time::Duration;

use kube::ResourceExt;
use sha2::Digest as _;
use weir_api::meta::Artifact;
use weir_api::source::{HelmRepository, HelmRepositoryStatus, HelmRepositoryType};
use weir_go_compat::time::parse_duration;
use weir_source::ArtifactStore;
use weir_source::helm::{ChartIndex, ChartRepository, HelmCredentials, HelmError};

use crate::conditions::{self, reason};
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::{Settings, secrets};

/// The file of a HelmRepository artifact: the index, as JSON (which is YAML), as Flux keeps it.
pub const INDEX_FILE: &str = "index.yaml";

/// The HelmRepository controller's own state.
pub struct HelmRepositories {
    artifacts: Arc<ArtifactStore>,
    retention: usize,
}

impl HelmRepositories {
    pub fn new(settings: &Settings) -> std::io::Result<Self> {
        Ok(Self {
            artifacts: Arc::new(ArtifactStore::new(settings.storage_dir.join("artifacts"))?),
            retention: settings.artifact_retention.max(1),
        })
    }
}

/// Runs the controller until `shutdown`.
pub async fn run(
    lifecycle: Arc<Lifecycle<HelmRepositories>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    reconciler::run(reconciler::controller(&lifecycle), lifecycle, shutdown).await;
}

impl Reconciler for HelmRepositories {
    type Object = HelmRepository;
    const CONTROLLER: &'static str = "source-controller";
    const SHOWS_RECHECKS_IN_PROGRESS: bool = false;

    async fn reconcile(
        &self,
        repository: &HelmRepository,
        status: &mut HelmRepositoryStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let spec = &repository.spec;
        let oci = spec.type_ == Some(HelmRepositoryType::Oci);
        if oci != spec.url.starts_with("oci://") {
            let why = if oci {
                "'oci' type needs an oci:// URL"
            } else {
                "'oci' URL scheme cannot be used with 'default' HelmRepository type"
            };
            return Err(Failure::new(
                reason::URL_INVALID,
                format!("invalid Helm repository URL: {why}"),
                Retry::Stalled,
            ));
        }
        if oci {
            // Nothing to fetch: as Flux, an OCI repository is only a URL and credentials.
            status.artifact = None;
            status.url = None;
            return Ok(Ready::new(reason::SUCCEEDED, "Helm repository is ready"));
        }
        let credentials = credentials(repository, &context.client).await?;
        let (artifact, new) = self.fetch(repository, credentials, status.artifact.clone()).await?;
        let message = format!("stored artifact: revision '{}'", artifact.revision);
        let generation = repository.metadata.generation;
        let conditions = status.conditions.get_or_insert_default();
        conditions::set(conditions, conditions::ARTIFACT_IN_STORAGE, true, reason::SUCCEEDED, &message, generation);
        if let Some(size) = new {
            let note = format!("stored fetched index of size {} from '{}'", human_size(size), spec.url);
            context.publish(repository, false, "NewArtifact", note).await;
        }
        status.url = Some(artifact.url.clone());
        status.artifact = Some(artifact);
        Ok(Ready::new(reason::SUCCEEDED, message))
    }

    async fn finalize(&self, repository: &HelmRepository, _: &Lifecycle<Self>) {
        crate::remove_artifacts(&self.artifacts, repository).await;
    }

    fn progress_message(&self, _: &HelmRepository) -> String {
        "building artifact".into()
    }
}

impl HelmRepositories {
    /// Downloads the index and stores it unless the last artifact has the same revision; the
    /// artifact, and the index's size when it is new.
    async fn fetch(
        &self,
        repository: &HelmRepository,
        credentials: HelmCredentials,
        previous: Option<Artifact>,
    ) -> Result<(Artifact, Option<usize>), Failure> {
        let spec = &repository.spec;
        let timeout = timeout(repository);
        let url = spec.url.clone();
        let pass_credentials = spec.pass_credentials == Some(true);
        let owner = crate::artifact_owner(repository).map_err(|error| Failure::invalid_spec("metadata.name", error))?;
        let (artifacts, retention) = (self.artifacts.clone(), self.retention);
        let work = move || -> Result<(Artifact, Option<usize>), Failure> {
            let client = ChartRepository::new(&url, credentials, pass_credentials, timeout).map_err(source_failure)?;
            let bytes = client.fetch_index().map_err(|error| {
                Failure::new(reason::FAILED, format!("failed to fetch Helm repository index: {error}"), Retry::Backoff)
            })?;
            let revision = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
            if let Some(previous) =
                previous.filter(|previous| previous.revision == revision && artifacts.path_of(&previous.path).is_dir())
            {
                return Ok((previous, None));
            }
            let index = ChartIndex::parse(&bytes)
                .map_err(|error| Failure::new(reason::INDEXATION_FAILED, error.to_string(), Retry::Backoff))?;
            let storage_failed = |error: weir_source::StoreError| {
                Failure::new(reason::STORAGE_OPERATION_FAILED, error.to_string(), Retry::Backoff)
            };
            let mut staging = artifacts.stage(&owner).map_err(storage_failed)?;
            staging.add_file(INDEX_FILE.as_ref(), &index.to_json(), false).map_err(storage_failed)?;
            let stored = staging.finish(&revision).map_err(storage_failed)?;
            if let Err(error) = artifacts.garbage_collect(&owner, retention) {
                tracing::warn!(%owner, %error, "artifact garbage collection failed");
            }
            Ok((crate::artifact(stored), Some(bytes.len())))
        };
        tokio::task::spawn_blocking(work).await.unwrap_or_else(|panicked| {
            Err(Failure::new(reason::FAILED, format!("index fetch task failed: {panicked}"), Retry::Backoff))
        })
    }
}

/// Basic auth and TLS from `secretRef` and `certSecretRef`.
pub(crate) async fn credentials(
    repository: &HelmRepository,
    client: &kube::Client,
) -> Result<HelmCredentials, Failure> {
    let namespace = repository.namespace().unwrap_or_default();
    let read = |name: String| {
        let namespace = namespace.clone();
        async move {
            secrets::secret_data(client, &namespace, &name).await.map_err(|error| {
                Failure::new(
                    reason::AUTHENTICATION_FAILED,
                    format!("failed to get authentication secret '{namespace}/{name}': {error}"),
                    Retry::Backoff,
                )
            })
        }
    };
    let auth = match &repository.spec.secret_ref {
        Some(secret) => Some(read(secret.name.clone()).await?),
        None => None,
    };
    let cert = match &repository.spec.cert_secret_ref {
        Some(secret) => Some(read(secret.name.clone()).await?),
        None => None,
    };
    Ok(HelmCredentials::from_secrets(auth.as_ref(), cert.as_ref()))
}

/// A repository error as the condition Flux sets for it.
pub(crate) fn source_failure(error: HelmError) -> Failure {
    match error {
        HelmError::Url { .. } => Failure::new(reason::URL_INVALID, error.to_string(), Retry::Stalled),
        HelmError::Credentials(_) | HelmError::Unauthorized { .. } => {
            Failure::new(reason::AUTHENTICATION_FAILED, error.to_string(), Retry::Backoff)
        }
        _ => Failure::new(reason::FAILED, error.to_string(), Retry::Backoff),
    }
}

/// `spec.timeout` of requests to the repository; a minute by default, as Flux.
pub(crate) fn timeout(repository: &HelmRepository) -> Duration {
    repository.spec.timeout.as_deref().and_then(|text| parse_duration(text).ok()).unwrap_or(Duration::from_secs(60))
}

/// Sizes as Flux's events print them (`units.HumanSize`: base 1000, four significant digits).
fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    let integer_digits = if size < 10.0 {
        1
    } else if size < 100.0 {
        2
    } else {
        3
    };
    let text = format!("{size:.*}", 4 - integer_digits);
    let digits = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{digits}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_print_as_flux_prints_them() {
        assert_eq!(super::human_size(512), "512B");
        assert_eq!(super::human_size(1500), "1.5kB");
        assert_eq!(super::human_size(2_345_678), "2.346MB");
    }
}
