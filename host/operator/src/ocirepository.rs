//! The OCIRepository controller: resolves the reference (digest, semver range over the tags, or
//! tag) to a manifest digest, checks its cosign signature when `spec.verify` asks, pulls the
//! selected layer into the artifact store and reports it in `status.artifact`, with
//! source-controller's conditions, reasons and messages. A digest already stored with the same
//! `ignore` and `layerSelector` is not pulled again.

use std::sync::Arc;
use std::time::Duration;

use kube::ResourceExt;
use weir_api::meta::Artifact;
use weir_api::source::{OCILayerOperation, OCIRepository, OCIRepositoryStatus};
use weir_api::status::ObjectStatus;
use weir_go_compat::time::parse_duration;
use weir_registry::{ClientOptions, RegistryClient};
use weir_source::oci::verify::{self, TrustedKeys};
use weir_source::oci::{self, LayerSelection, OciError, OciReference, Resolved};
use weir_source::{ArtifactStore, IgnoreRules};

use crate::Settings;
use crate::conditions::{self, SOURCE_VERIFIED, reason};
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::registry_access::{self, Access};

/// Annotations `flux push artifact` sets, quoted in the new-artifact event.
const SOURCE_ANNOTATION: &str = "org.opencontainers.image.source";
const REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

/// The OCIRepository controller's own state.
pub struct OciRepositories {
    artifacts: Arc<ArtifactStore>,
    retention: usize,
}

impl OciRepositories {
    pub fn new(settings: &Settings) -> std::io::Result<Self> {
        Ok(Self {
            artifacts: Arc::new(ArtifactStore::new(settings.storage_dir.join("artifacts"))?),
            retention: settings.artifact_retention.max(1),
        })
    }
}

/// Runs the controller until `shutdown`.
pub async fn run(
    lifecycle: Arc<Lifecycle<OciRepositories>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    reconciler::run(reconciler::controller(&lifecycle), lifecycle, shutdown).await;
}

impl Reconciler for OciRepositories {
    type Object = OCIRepository;
    const CONTROLLER: &'static str = "source-controller";
    const SHOWS_RECHECKS_IN_PROGRESS: bool = false;

    async fn reconcile(
        &self,
        repository: &OCIRepository,
        status: &mut OCIRepositoryStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let spec = &repository.spec;
        let generation = repository.metadata.generation;
        let url_invalid = |error: OciError| {
            Failure::new(
                reason::URL_INVALID,
                format!("URL validation failed for '{}': {error}", spec.url),
                Retry::Stalled,
            )
        };
        let registry_repository = oci::repository_of(&spec.url).map_err(url_invalid)?;
        let namespace = repository.namespace().unwrap_or_default();
        let access = Access {
            namespace: &namespace,
            registry: &registry_repository.registry,
            provider: spec.provider.as_ref(),
            secret_ref: spec.secret_ref.as_ref(),
            username_password: false,
            service_account: spec.service_account_name.as_deref(),
            cert_secret_ref: spec.cert_secret_ref.as_ref(),
            insecure: spec.insecure == Some(true),
            timeout: timeout(repository),
        };
        let options = registry_access::client_options(&context.client, &access).await?;
        let namespace = repository.namespace().unwrap_or_default();
        let verify = repository.spec.verify.as_ref().map(|verify| (&verify.provider, verify.secret_ref.as_ref()));
        let keys = registry_access::trusted_keys(verify, &namespace, &context.client).await?;

        let layers = LayerSelection {
            media_type: spec.layer_selector.as_ref().and_then(|selector| selector.media_type.clone()),
            copy: spec.layer_selector.as_ref().and_then(|selector| selector.operation) == Some(OCILayerOperation::Copy),
        };
        let content_unchanged =
            status.observed_ignore == spec.ignore && status.observed_layer_selector == spec.layer_selector;
        let previous = status.artifact.clone().filter(|_| content_unchanged);
        let verified_before = status.conditions().iter().any(|condition| {
            condition.type_ == SOURCE_VERIFIED
                && condition.status == "True"
                && condition.observed_generation == generation
        });
        let request = Pull {
            url: spec.url.clone(),
            repository: registry_repository,
            wanted: OciReference::from_spec(spec.reference.as_ref()),
            layers,
            ignore: IgnoreRules::new(spec.ignore.as_deref()),
            keys,
            verified_before,
            previous,
        };
        let owner = crate::artifact_owner(repository).map_err(|error| Failure::invalid_spec("metadata.name", error))?;
        let (artifacts, retention) = (self.artifacts.clone(), self.retention);
        let work = move || request.run(options, &artifacts, &owner, retention);
        let outcome = tokio::task::spawn_blocking(work).await.unwrap_or_else(|panicked| {
            Err(PullFailure::Other(Failure::new(
                reason::OCI_PULL_FAILED,
                format!("pull task failed: {panicked}"),
                Retry::Backoff,
            )))
        });
        let conditions = status.conditions.get_or_insert_default();
        let pulled = match outcome {
            Ok(pulled) => pulled,
            Err(PullFailure::Verification(message)) => {
                conditions::set(conditions, SOURCE_VERIFIED, false, reason::VERIFICATION_ERROR, &message, generation);
                return Err(Failure::new(reason::VERIFICATION_ERROR, message, Retry::Backoff));
            }
            Err(PullFailure::Other(failure)) => return Err(failure),
        };
        match (&spec.verify, &pulled.verified) {
            (None, _) => conditions.retain(|condition| condition.type_ != SOURCE_VERIFIED),
            (Some(_), Some(revision)) => {
                let message = format!("verified signature of revision {revision}");
                conditions::set(conditions, SOURCE_VERIFIED, true, reason::SUCCEEDED, &message, generation);
            }
            (Some(_), None) => {}
        }
        let message = format!("stored artifact for digest '{}'", pulled.artifact.revision);
        conditions::set(conditions, conditions::ARTIFACT_IN_STORAGE, true, reason::SUCCEEDED, &message, generation);
        if pulled.new {
            tracing::info!(namespace, name = repository.name_any(), revision = %pulled.artifact.revision, "stored new artifact");
            context.publish(repository, false, "NewArtifact", new_artifact_note(&pulled.artifact, &spec.url)).await;
        }
        status.url = Some(pulled.artifact.url.clone());
        status.artifact = Some(pulled.artifact);
        status.observed_ignore = spec.ignore.clone();
        status.observed_layer_selector = spec.layer_selector.clone();
        Ok(Ready::new(reason::SUCCEEDED, message))
    }

    async fn finalize(&self, repository: &OCIRepository, _: &Lifecycle<Self>) {
        crate::remove_artifacts(&self.artifacts, repository).await;
    }

    fn progress_message(&self, _: &OCIRepository) -> String {
        "building artifact".into()
    }
}

/// One reconciliation's registry work, run on a blocking thread.
struct Pull {
    url: String,
    repository: weir_registry::Reference,
    wanted: OciReference,
    layers: LayerSelection,
    ignore: IgnoreRules,
    keys: Option<TrustedKeys>,
    /// The current generation's verification succeeded (for the last stored revision).
    verified_before: bool,
    /// The last artifact, when it was built with the current `ignore` and `layerSelector`.
    previous: Option<Artifact>,
}

struct Pulled {
    artifact: Artifact,
    /// Whether the artifact was stored by this reconciliation.
    new: bool,
    /// The revision whose signature was checked now.
    verified: Option<String>,
}

enum PullFailure {
    /// `SourceVerified=False`: the message.
    Verification(String),
    Other(Failure),
}

impl Pull {
    fn run(
        self,
        options: ClientOptions,
        artifacts: &ArtifactStore,
        owner: &weir_source::ArtifactOwner,
        retention: usize,
    ) -> Result<Pulled, PullFailure> {
        let failed =
            |reason: &'static str, message: String| PullFailure::Other(Failure::new(reason, message, Retry::Backoff));
        let client = RegistryClient::new(options).map_err(|error| {
            failed(reason::AUTHENTICATION_FAILED, format!("failed to generate transport for '{}': {error}", self.url))
        })?;
        let resolved = oci::resolve(&client, &self.repository, &self.wanted, self.layers.media_type.as_deref())
            .map_err(|error| match error {
                OciError::NoMatchingTag(_) => failed(
                    reason::READ_OPERATION_FAILED,
                    format!("failed to determine the artifact tag for '{}': {error}", self.url),
                ),
                _ if matches!(self.wanted, OciReference::Semver { .. }) => failed(
                    reason::READ_OPERATION_FAILED,
                    format!("failed to determine the artifact tag for '{}': {error}", self.url),
                ),
                error => failed(reason::OCI_PULL_FAILED, format!("failed to determine artifact digest: {error}")),
            })?;
        let stored_already = self
            .previous
            .as_ref()
            .filter(|previous| previous.revision == resolved.revision && artifacts.path_of(&previous.path).is_dir());
        // A new revision is verified; so is the stored one when the spec changed or it failed before.
        let mut verified = None;
        if let Some(keys) = &self.keys
            && (stored_already.is_none() || !self.verified_before)
        {
            verify::verify(&client, &resolved.reference, keys).map_err(|error| {
                PullFailure::Verification(format!("failed to verify the signature using provider 'cosign': {error}"))
            })?;
            verified = Some(resolved.revision.clone());
        }
        if let Some(previous) = stored_already {
            return Ok(Pulled { artifact: previous.clone(), new: false, verified });
        }
        let pulled = self.pull(&client, &resolved, artifacts, owner)?;
        if let Err(error) = artifacts.garbage_collect(owner, retention) {
            tracing::warn!(%owner, %error, "artifact garbage collection failed");
        }
        let mut artifact = crate::artifact(pulled.artifact);
        artifact.metadata = Some(pulled.annotations).filter(|annotations| !annotations.is_empty());
        Ok(Pulled { artifact, new: true, verified })
    }

    fn pull(
        &self,
        client: &RegistryClient,
        resolved: &Resolved,
        artifacts: &ArtifactStore,
        owner: &weir_source::ArtifactOwner,
    ) -> Result<oci::Pulled, PullFailure> {
        oci::pull(client, resolved, &self.layers, &self.ignore, artifacts, owner).map_err(|error| {
            let (reason, message) = match &error {
                OciError::Layer(_) => (reason::OCI_LAYER_OPERATION_FAILED, error.to_string()),
                OciError::Store(_) => (reason::STORAGE_OPERATION_FAILED, error.to_string()),
                _ => (reason::OCI_PULL_FAILED, format!("failed to pull artifact from '{}': {error}", self.url)),
            };
            PullFailure::Other(Failure::new(reason, message, Retry::Backoff))
        })
    }
}

/// Flux's event for a new artifact, naming where `flux push artifact` said it came from.
fn new_artifact_note(artifact: &Artifact, url: &str) -> String {
    let mut note = format!("stored artifact with revision '{}' from '{url}'", artifact.revision);
    let metadata = artifact.metadata.as_ref();
    let origin = |key: &str| metadata.and_then(|metadata| metadata.get(key));
    if let (Some(source), Some(revision)) = (origin(SOURCE_ANNOTATION), origin(REVISION_ANNOTATION)) {
        note.push_str(&format!(", origin source '{source}', origin revision '{revision}'"));
    }
    note
}

/// `spec.timeout`; a minute by default, as Flux.
fn timeout(repository: &OCIRepository) -> Duration {
    repository.spec.timeout.as_deref().and_then(|text| parse_duration(text).ok()).unwrap_or(Duration::from_secs(60))
}
